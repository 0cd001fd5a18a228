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
#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "model/feed.h"
#include "model/model.h"

#define POLL_NS 10000000ull
/* How long the judge waits for the threads to come to rest. */
#define JUDGE_TIMEOUT_NS 3000000000ull

struct headless {
	struct ls_ring *ring;
	struct model *model;
	struct feed feed;
};

/* Everything the ring holds, into the model. */
static void
drain(struct headless *h)
{
	feed_drain(&h->feed, UINT_MAX, NULL);
}

static void
json_string(const char *s)
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
		json_string(name);
	}
	printf("], \"locks\": [");
	for (i = 0; i < c.n; i++) {
		const struct model_object *o = model_object(m, c.obj[i]);

		snprintf(name, sizeof(name), "%s", o && o->name[0] ? o->name : "?");
		printf("%s", i ? ", " : "");
		json_string(name);
	}
	printf("], \"cleared_s\": ");
	if (c.cleared)
		printf("%.3f}", (double)(c.cleared - m->first_ts) / 1e9);
	else
		printf("null}");
}

static void
print_json(const struct headless *h, const struct control *c,
	   double seconds, const struct control_verdict *v,
	   const struct model_cycle *cycle)
{
	const struct model *m = h->model;
	const struct scene_def *def = c->target.def;
	char val[64];
	unsigned i, n;

	printf("{\"scene\": ");
	json_string(def->name);
	printf(", \"params\": {");
	for (i = 0; i < def->nparams; i++) {
		scene_param_format(def, i, c->target.params[i], val,
				   sizeof(val));
		printf("%s", i ? ", " : "");
		json_string(def->params[i].name);
		printf(": ");
		if (def->params[i].values)
			json_string(val);
		else
			printf("%s", val);
	}
	printf("}, \"seed\": %llu, \"seconds\": %.3f,\n \"invariant\": "
	       "{\"name\": ", (unsigned long long)c->seed, seconds);
	json_string(v->name);
	printf(", \"judged\": %s, \"holds\": %s, \"detail\": ",
	       v->judged ? "true" : "false", v->holds ? "true" : "false");
	json_string(v->detail);
	printf("},\n \"deadlock\": ");
	print_deadlock(h, cycle);
	printf(",\n \"threads\": [");
	for (i = 0, n = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &m->threads[i];

		if (!t->used)
			continue;
		printf("%s\n  {\"tid\": %u, \"name\": ", n++ ? "," : "", t->tid);
		json_string(t->name);
		printf(", \"state\": \"%s\", \"events\": %llu, \"lost\": %llu, "
		       "\"tasks\": %llu}", ls_thread_state_name(t->state),
		       (unsigned long long)t->events,
		       (unsigned long long)t->lost,
		       (unsigned long long)t->tasks_done);
	}
	printf("],\n \"objects\": [");
	for (i = 0, n = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];

		if (!o->used)
			continue;
		printf("%s\n  {\"id\": %u, \"name\": ", n++ ? "," : "", o->id);
		json_string(o->name);
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
		       (unsigned long long)o->count,
		       (unsigned long long)o->capacity);
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
	   double seconds, const struct control_verdict *v)
{
	const struct model *m = h->model;
	unsigned i;

	printf("lockstep run %s: %.1f s, %llu events (%llu dropped), "
	       "%llu tasks\n", c->target.def->name, seconds,
	       (unsigned long long)m->events,
	       (unsigned long long)m->ring_dropped,
	       (unsigned long long)m->tasks_done);
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

int
headless_main(const struct headless_opts *o)
{
	struct headless h = { 0 };
	struct control c;
	struct control_verdict v;
	struct model_cycle cycle;
	bool deadlocked;
	char err[256];
	uint64_t start, end, last_tick;
	int rc;

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
	rc = control_start(&c, h.ring, &o->target, CONTROL_RUN, 1000, o->seed,
			   err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lockstep: %s\n", err);
		ls_ring_destroy(h.ring);
		free(h.model);
		return 1;
	}
	start = last_tick = ls_clock_ns();
	end = start + (uint64_t)(o->seconds * 1e9);
	for (;;) {
		struct timespec ts = { 0, POLL_NS };
		uint64_t now;

		drain(&h);
		now = ls_clock_ns();
		if (now - last_tick >= 1000000000ull) {
			model_tick(h.model, now);
			last_tick = now;
		}
		if (now >= end)
			break;
		nanosleep(&ts, NULL);
	}
	/* Judge the run as it stands, before the reset unwinds it: the
	 * threads held at their gates and at rest, so counters are still;
	 * the deadlock as it was then, not as the teardown ended it. */
	control_judge(&c, JUDGE_TIMEOUT_NS, &v);
	drain(&h);
	deadlocked = model_first_deadlock(h.model, &cycle);
	control_stop(&c);
	drain(&h);
	if (o->json)
		print_json(&h, &c, o->seconds, &v, deadlocked ? &cycle : NULL);
	else
		print_text(&h, &c, o->seconds, &v);
	ls_ring_destroy(h.ring);
	free(h.model);
	return 0;
}
