/*
 * headless.c - run a scene without a terminal and report what happened:
 * threads, per-object contention, throughput, waits, drops, and whether
 * the scene's invariant held, as text or as one JSON document.
 *
 * The same ring -> model path as the live ui, so the summary is what the
 * screen would have shown, and the same control as the ui: the invariant
 * is judged only on a group held at its gates and at rest.
 */
#include "config.h"

#include "cli/headless.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/control.h"
#include "control/schedule.h"
#include "control/target.h"
#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "model/feed.h"
#include "model/model.h"
#include "trace/record.h"

#define POLL_NS 10000000ull
/* How long the judge waits for the threads to come to rest. */
#define JUDGE_TIMEOUT_NS 3000000000ull
/* How long one step of a stepped run may take to come to rest. */
#define STEP_TIMEOUT_NS 10000000000ull

struct headless {
	struct ls_ring *ring;
	struct model *model;
	struct feed feed;
	struct record_writer *rec;	/* --record-events, or NULL */
};

/* What a run found, gathered before the teardown. */
struct headless_result {
	const char *mode;		/* "run", "steps" or "replay" */
	double seconds;
	struct control_verdict verdict;
	bool deadlocked;
	struct model_cycle cycle;	/* the first deadlock, when judged */
	bool has_outcome;
	struct scene_outcome outcome;
	size_t outcome_step;
	size_t steps;
	char note[160];			/* why a stepped run stopped */
};

/* Everything the ring holds, into the model. */
static void
drain(struct headless *h)
{
	feed_drain(&h->feed, UINT_MAX, NULL);
}

void
headless_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The first deadlock of the run as it stood when judged, or null. */
static void
print_deadlock(const struct headless *h, const struct model_cycle *cp)
{
	const struct model *m = h->model;
	char name[MODEL_NAME + 8];
	struct model_cycle c;
	unsigned i;

	if (!cp) {
		printf("null");
		return;
	}
	c = *cp;
	printf("{\"at_s\": %.3f, \"threads\": [",
	       c.ts > m->first_ts ? (double)(c.ts - m->first_ts) / 1e9 : 0.0);
	for (i = 0; i < c.n; i++) {
		const struct model_thread *t = model_thread(m, c.tid[i]);

		snprintf(name, sizeof(name), "%s", t && t->name[0] ? t->name : "?");
		printf("%s", i ? ", " : "");
		headless_json_string(name);
	}
	printf("], \"locks\": [");
	for (i = 0; i < c.n; i++) {
		const struct model_object *o = model_object(m, c.obj[i]);

		snprintf(name, sizeof(name), "%s", o && o->name[0] ? o->name : "?");
		printf("%s", i ? ", " : "");
		headless_json_string(name);
	}
	printf("], \"cleared_s\": ");
	if (c.cleared)
		printf("%.3f}", (double)(c.cleared - m->first_ts) / 1e9);
	else
		printf("null}");
}

/* The outcome of a stepped run, or null. */
static void
print_outcome(const struct headless *h, const struct headless_result *r)
{
	const struct model_thread *t;

	if (!r->has_outcome) {
		printf("null");
		return;
	}
	t = model_thread(h->model, r->outcome.tid);
	printf("{\"kind\": ");
	headless_json_string(ls_outcome_name(r->outcome.kind));
	printf(", \"at_step\": %zu, \"thread\": ", r->outcome_step);
	headless_json_string(t && t->name[0] ? t->name : "");
	printf(", \"what\": ");
	headless_json_string(r->outcome.what);
	printf("}");
}

/* The state of a condition variable, barrier, reset event or latch,
 * and of a mutex, as more fields of its object. */
static void
print_sync_state(const struct model *m, const struct model_object *o)
{
	const struct model_object *mu;

	switch (o->kind) {
	case LS_OBJ_MUTEX:
		printf(", \"owner\": %u, \"waiters\": %u", o->owner,
		       o->nwaiting);
		break;
	case LS_OBJ_COND:
		printf(", \"waiters\": %u, \"queued\": %u, \"mutex\": ",
		       o->nwaiting, o->queued);
		mu = o->mutex ? model_object(m, o->mutex) : NULL;
		if (mu)
			headless_json_string(mu->name);
		else
			printf("null");
		printf(", \"lost_signals\": %llu",
		       (unsigned long long)o->lost_signals);
		break;
	case LS_OBJ_BARRIER:
		printf(", \"waiters\": %u, \"arrived\": %llu, "
		       "\"parties\": %u, \"generation\": %llu", o->nwaiting,
		       (unsigned long long)o->count, o->parties,
		       (unsigned long long)o->generation);
		break;
	case LS_OBJ_EVENT_MANUAL:
	case LS_OBJ_EVENT_AUTO:
		printf(", \"waiters\": %u, \"queued\": %u, \"set\": %s",
		       o->nwaiting, o->queued, o->set ? "true" : "false");
		break;
	case LS_OBJ_LATCH:
		printf(", \"waiters\": %u, \"queued\": %u, \"count\": %llu",
		       o->nwaiting, o->queued, (unsigned long long)o->count);
		break;
	}
}

static void
print_json(const struct headless *h, const struct control *c,
	   const struct headless_result *r)
{
	const struct model *m = h->model;
	const struct control_verdict *v = &r->verdict;
	double seconds = r->seconds;
	const struct scene_def *def = c->target.def;
	char val[64];
	unsigned i, n;

	printf("{\"scene\": ");
	headless_json_string(def->name);
	if (c->target.path) {
		printf(", \"script\": ");
		headless_json_string(c->target.path);
	}
	printf(", \"params\": {");
	for (i = 0; i < def->nparams; i++) {
		scene_param_format(def, i, c->target.params[i], val,
				   sizeof(val));
		printf("%s", i ? ", " : "");
		headless_json_string(def->params[i].name);
		printf(": ");
		if (def->params[i].values)
			headless_json_string(val);
		else
			printf("%s", val);
	}
	printf("}, \"seed\": %llu, \"mode\": \"%s\", \"steps\": %zu, "
	       "\"seconds\": %.3f,\n \"outcome\": ",
	       (unsigned long long)c->seed, r->mode, r->steps, seconds);
	print_outcome(h, r);
	printf(",\n \"invariant\": {\"name\": ");
	headless_json_string(v->name);
	printf(", \"judged\": %s, \"holds\": %s, \"detail\": ",
	       v->judged ? "true" : "false",
	       !v->judged ? "null" : v->holds ? "true" : "false");
	headless_json_string(v->detail);
	printf("},\n \"deadlock\": ");
	print_deadlock(h, r->deadlocked ? &r->cycle : NULL);
	printf(",\n \"threads\": [");
	for (i = 0, n = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &m->threads[i];

		if (!t->used)
			continue;
		printf("%s\n  {\"tid\": %u, \"name\": ", n++ ? "," : "", t->tid);
		headless_json_string(t->name);
		printf(", \"state\": \"%s\", \"events\": %llu, \"lost\": %llu, "
		       "\"tasks\": %llu}", ls_thread_state_name(t->state),
		       (unsigned long long)t->events,
		       (unsigned long long)t->lost,
		       (unsigned long long)t->tasks_done);
	}
	printf("],\n \"objects\": [");
	for (i = 0, n = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];
		uint64_t depth;

		if (!o->used)
			continue;
		printf("%s\n  {\"id\": %u, \"name\": ", n++ ? "," : "", o->id);
		headless_json_string(o->name);
		/* A mutex's depth is how deep its owner holds it. */
		depth = o->kind == LS_OBJ_MUTEX ? o->depth : o->count;
		printf(", \"kind\": \"%s\", \"acquired\": %llu, "
		       "\"contended\": %llu, \"timeouts\": %llu, "
		       "\"wait_ns_total\": %llu, \"wait_ns_max\": %llu, "
		       "\"depth\": %llu, \"capacity\": %llu",
		       ls_obj_kind_name(o->kind),
		       (unsigned long long)o->acquired,
		       (unsigned long long)o->contended,
		       (unsigned long long)o->timeouts,
		       (unsigned long long)o->wait_ns_total,
		       (unsigned long long)o->wait_ns_max,
		       (unsigned long long)depth,
		       (unsigned long long)o->capacity);
		print_sync_state(m, o);
		if (o->kind == LS_OBJ_VAR) {
			unsigned k;

			printf(", \"value\": %llu, \"series\": [",
			       (unsigned long long)o->count);
			for (k = 1; k < o->nseries; k++)
				printf("%s%llu", k > 1 ? ", " : "",
				       (unsigned long long)o->series[k]);
			printf("]");
		}
		if (o->kind == LS_OBJ_POOL)
			printf(", \"workers\": %u, \"submitted\": %llu, "
			       "\"completed\": %llu, \"failed\": %llu, "
			       "\"rejected\": %llu", o->workers,
			       (unsigned long long)o->submitted,
			       (unsigned long long)o->completed,
			       (unsigned long long)o->failed,
			       (unsigned long long)o->rejected);
		printf("}");
	}
	printf("],\n \"throughput\": {\"events_per_s\": %.1f, "
	       "\"tasks_per_s\": %.1f, \"tasks\": %llu},\n",
	       seconds > 0 ? (double)m->events / seconds : 0.0,
	       seconds > 0 ? (double)m->tasks_done / seconds : 0.0,
	       (unsigned long long)m->tasks_done);
	printf(" \"waits\": {\"p50_ns\": %llu, \"p99_ns\": %llu},\n",
	       (unsigned long long)model_wait_percentile(m, 50),
	       (unsigned long long)model_wait_percentile(m, 99));
	printf(" \"events\": {\"total\": %llu, \"dropped\": %llu, "
	       "\"lost\": %llu}}\n", (unsigned long long)m->events,
	       (unsigned long long)m->ring_dropped,
	       (unsigned long long)m->lost);
}

static void
print_text(const struct headless *h, const struct control *c,
	   const struct headless_result *r)
{
	const struct model *m = h->model;
	const struct control_verdict *v = &r->verdict;
	double seconds = r->seconds;
	unsigned i;

	printf("lockstep run %s: %.1f s, %llu events (%llu dropped), "
	       "%llu tasks\n",
	       c->target.path ? c->target.path : c->target.def->name, seconds,
	       (unsigned long long)m->events,
	       (unsigned long long)m->ring_dropped,
	       (unsigned long long)m->tasks_done);
	if (r->steps || strcmp(r->mode, "run"))
		printf("%zu steps (seed %llu)%s%s\n", r->steps,
		       (unsigned long long)c->seed, r->note[0] ? ": " : "",
		       r->note);
	if (r->has_outcome)
		printf("outcome at step %zu: %s: %s\n",
		       r->outcome_step, ls_outcome_name(r->outcome.kind),
		       r->outcome.what);
	printf("invariant: %s: %s%s%s\n\n", v->name,
	       !v->judged ? "not judged" : v->holds ? "holds" : "BROKEN",
	       v->detail[0] ? " - " : "", v->detail);
	printf("%-16s %-9s %10s %6s %8s\n", "thread", "state", "events",
	       "lost", "tasks");
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &m->threads[i];

		if (t->used)
			printf("%-16s %-9s %10llu %6llu %8llu\n", t->name,
			       ls_thread_state_name(t->state),
			       (unsigned long long)t->events,
			       (unsigned long long)t->lost,
			       (unsigned long long)t->tasks_done);
	}
	printf("\n%-16s %-9s %10s %10s %10s %12s\n", "object", "kind",
	       "acquired", "contended", "timeouts", "max wait ns");
	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];

		if (o->used)
			printf("%-16s %-9s %10llu %10llu %10llu %12llu\n",
			       o->name, ls_obj_kind_name(o->kind),
			       (unsigned long long)o->acquired,
			       (unsigned long long)o->contended,
			       (unsigned long long)o->timeouts,
			       (unsigned long long)o->wait_ns_max);
	}
	printf("\nwaits: p50 %llu ns, p99 %llu ns\n",
	       (unsigned long long)model_wait_percentile(m, 50),
	       (unsigned long long)model_wait_percentile(m, 99));
}

/* Start recording the event stream, when asked: before the target
 * starts, so the recording has every name.  Returns 0 or -errno (the
 * message printed). */
static int
headless_record_open(struct headless *h, const struct headless_opts *o)
{
	char err[512], what[512];
	int rc;

	if (!o->record_events)
		return 0;
	rc = record_writer_open(o->record_events, &h->rec, err, sizeof(err));
	if (!rc)
		rc = feed_record(&h->feed, h->rec,
				 target_describe(&o->target, what,
						 sizeof(what)));
	if (rc && h->rec)
		record_writer_close(h->rec, err, sizeof(err));
	if (rc) {
		h->rec = NULL;
		fprintf(stderr, "lockstep: %s\n", err);
	}
	return rc;
}

/* The recording's end: the verdict, if the invariant broke (an instant
 * in the trace export), then the end record.  Returns 0 or -errno (the
 * message printed). */
static int
headless_record_close(struct headless *h, const struct headless_result *r)
{
	const struct control_verdict *v = &r->verdict;
	char err[512], broken[RECORD_META_MAX + 1];
	int rc;

	if (!h->rec)
		return 0;
	if (v->judged && !v->holds) {
		snprintf(broken, sizeof(broken), "%.60s: %.190s", v->name,
			 v->detail);
		record_write_meta(h->rec, "broken", broken);
	}
	rc = record_writer_close(h->rec, err, sizeof(err));
	h->rec = NULL;
	if (rc)
		fprintf(stderr, "lockstep: %s\n", err);
	return rc;
}

/* Run freely for o->seconds, draining into the model as the ui would. */
static void
headless_run_free(struct headless *h, const struct headless_opts *o)
{
	uint64_t start = ls_clock_ns(), last_tick = start;
	uint64_t end = start + (uint64_t)(o->seconds * 1e9);

	for (;;) {
		struct timespec ts = { 0, POLL_NS };
		uint64_t now;

		drain(h);
		now = ls_clock_ns();
		if (now - last_tick >= 1000000000ull) {
			model_tick(h->model, now);
			last_tick = now;
		}
		if (now >= end)
			break;
		nanosleep(&ts, NULL);
	}
}

/* Take up to o->steps steps, each thread picked at random (from the seed)
 * among those that can move, until none can.  Returns 0 or a negative
 * errno with err set. */
static int
headless_run_steps(struct headless *h, struct control *c,
		   const struct headless_opts *o, struct headless_result *r,
		   char *err, size_t n)
{
	uint64_t rng = c->seed;
	unsigned long k;
	int rc;

	for (k = 0; k < o->steps; k++) {
		struct control_thread t[CONTROL_MAX_THREADS];
		size_t nt = control_threads(c, t, CONTROL_MAX_THREADS), i;
		size_t movable = 0, pick;

		for (i = 0; i < nt; i++)
			movable += t[i].can <= CAN_TIMEOUT;
		/* A script's first outcome ends its run (its README). */
		if (c->target.source && control_outcome(c, NULL, NULL)) {
			snprintf(r->note, sizeof(r->note), "the run ended "
				 "with its outcome");
			return 0;
		}
		if (!movable) {
			snprintf(r->note, sizeof(r->note), "no thread can "
				 "move");
			return 0;
		}
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		pick = (size_t)(rng % movable);
		for (i = 0; i < nt; i++)
			if (t[i].can <= CAN_TIMEOUT && !pick--)
				break;
		rc = control_step(c, t[i].tid, STEP_TIMEOUT_NS, err, n);
		if (rc == -ETIMEDOUT)
			snprintf(err, n, "the step of %s did not come to rest "
				 "within %.0f s", t[i].name,
				 (double)STEP_TIMEOUT_NS / 1e9);
		if (rc)
			return rc;
		drain(h);
	}
	snprintf(r->note, sizeof(r->note), "stopped at the step limit (%lu; "
		 "--steps sets it)", o->steps);
	/* A script may loop for ever: say once, where it shows, why the
	 * run stopped there. */
	if (c->target.path)
		fprintf(stderr, "lockstep: %s: stopped at the step limit of "
			"%lu steps (--steps N sets it)\n", c->target.path,
			o->steps);
	return 0;
}

int
headless_main(const struct headless_opts *o)
{
	struct headless h = { 0 };
	struct headless_result r = { .mode = "run", .seconds = o->seconds };
	struct control c;
	enum control_mode mode = CONTROL_RUN;
	uint64_t seed = o->seed, began;
	char err[512];
	int rc, status = 0;

	if (o->replay) {
		r.mode = "replay";
		mode = CONTROL_STEP;
		if (!seed)
			seed = o->replay->seed ? o->replay->seed : 1;
	} else if (o->steps) {
		r.mode = "steps";
		mode = CONTROL_STEP;
	}
	h.model = malloc(sizeof(*h.model));
	if (!h.model) {
		fprintf(stderr, "lockstep: out of memory\n");
		return 1;
	}
	rc = ls_ring_create(NULL, &h.ring);
	if (rc) {
		fprintf(stderr, "lockstep: cannot create the event ring: %s\n",
			strerror(-rc));
		free(h.model);
		return 1;
	}
	feed_start(&h.feed, h.ring, h.model);
	if (headless_record_open(&h, o)) {
		ls_ring_destroy(h.ring);
		free(h.model);
		return 1;
	}
	/* Stepped runs go at full speed: simulated time changes nothing a
	 * schedule decides, and a step need not wait for it. */
	rc = control_start(&c, h.ring, &o->target, mode,
			   mode == CONTROL_RUN ? 1000 : 0, seed, err,
			   sizeof(err));
	if (rc) {
		fprintf(stderr, "lockstep: %s\n", err);
		headless_record_close(&h, &r);
		ls_ring_destroy(h.ring);
		free(h.model);
		return 1;
	}
	began = ls_clock_ns();
	if (o->replay)
		rc = schedule_replay(&c, o->replay, 0, o->replay->n,
				     STEP_TIMEOUT_NS, err, sizeof(err));
	else if (o->steps)
		rc = headless_run_steps(&h, &c, o, &r, err, sizeof(err));
	else
		headless_run_free(&h, o);
	if (rc) {
		fprintf(stderr, "lockstep: %s\n", err);
		status = o->replay && rc == -EINVAL ? 2 : 1;
		goto out;
	}
	if (mode != CONTROL_RUN)
		r.seconds = (double)(ls_clock_ns() - began) / 1e9;
	r.steps = c.nsteps;
	/* Judge the run as it stands, before the reset unwinds it: the
	 * threads held at their gates and at rest, so counters are still;
	 * the deadlock as it was then, not as the teardown ended it. */
	control_judge(&c, JUDGE_TIMEOUT_NS, &r.verdict);
	if (mode == CONTROL_RUN &&
	    o->seconds * 1000 < o->target.def->judge_after_ms) {
		/* Progress needs time to show: too short, not broken. */
		r.verdict.judged = false;
		snprintf(r.verdict.detail, sizeof(r.verdict.detail),
			 "a run of %.2f s is too short to judge: %s needs at "
			 "least %.1f s (--seconds)", o->seconds,
			 o->target.def->name,
			 o->target.def->judge_after_ms / 1000.0);
	}
	r.has_outcome = control_outcome(&c, &r.outcome, &r.outcome_step);
	drain(&h);
	r.deadlocked = model_first_deadlock(h.model, &r.cycle);
	if (o->record && schedule_save(&c, o->record, err, sizeof(err))) {
		fprintf(stderr, "lockstep: %s\n", err);
		status = 1;
		goto out;
	}
	control_stop(&c);
	drain(&h);
	if (headless_record_close(&h, &r)) {
		status = 1;
		goto out;
	}
	if (o->json && !o->quiet)
		print_json(&h, &c, &r);
	else if (!o->quiet)
		print_text(&h, &c, &r);
out:
	control_stop(&c);
	if (h.rec)
		record_writer_close(h.rec, err, sizeof(err));
	ls_ring_destroy(h.ring);
	free(h.model);
	return status;
}
