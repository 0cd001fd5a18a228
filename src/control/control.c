/*
 * control.c - the one door into a running target (control.h).
 *
 * This is the only caller of the gate API outside the engine.  A step is
 * always the same sequence: list who can move (the gates' probes say
 * whether each parked thread would block), release one thread through
 * one gate (or fire its held timeout), then quiesce: wait until every
 * thread is at a gate, blocked, idle or done, a sleeping one included.
 * Another thread that the step woke (a lock handed over) runs to its own
 * next gate meanwhile, so after a step the picture is still.
 *
 * A run started held is replayable: the same target, parameters and seed,
 * stepped through the same thread names, goes through the same gates in
 * the same order, because every choice a thread makes depends only on
 * what the gates let it see (scenes draw random numbers from the seed,
 * and timed waits time out only when the controller says).  Step back is
 * built on that: restart, replay all but the last step at full speed.
 */
#include "config.h"

#include "control/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/thread.h"
#include "util/str.h"

/* Forcing steps and replays wait this long at most for a thread to come
 * to rest; a step's simulated work can take seconds at 0.1x. */
#define FORCE_TIMEOUT_NS 2000000000ull
#define REPLAY_TIMEOUT_NS 10000000000ull

static void
control_set_err(char *err, size_t n, const char *fmt, const char *a,
		const char *b)
{
	if (err && n)
		snprintf(err, n, fmt, a, b);
}

/* Forget the steps and the outcome of the previous run. */
static void
control_reset_record(struct control *c)
{
	c->nsteps = 0;
	c->last_stepped = 0;
	c->stepping = false;
	c->outcome_seen = false;
	c->outcome_step = 0;
	memset(&c->outcome, 0, sizeof(c->outcome));
}

/* One gate view as a control thread, without the words (what is
 * empty): who it is, where it is and whether it can move. */
static void
control_classify(const struct ls_gate_view *v, struct control_thread *t)
{
	memset(t, 0, sizeof(*t));
	t->tid = v->tid;
	memcpy(t->name, v->name, sizeof(t->name));
	t->state = v->state;
	t->holder = v->holder;
	t->busy_until = v->busy_until;
	switch (v->state) {
	case LS_STATE_DONE:
		t->can = CAN_DONE;
		break;
	case LS_STATE_PARKED:
		t->next_kind = v->next_kind;
		t->obj = v->next_obj;
		t->tag = v->tag;
		memcpy(t->desc, v->desc, sizeof(t->desc));
		t->can = v->ready ? CAN_MOVE : CAN_BLOCK;
		break;
	case LS_STATE_BLOCKED:
		t->obj = v->blocked_on;
		t->can = v->timed ? CAN_TIMEOUT : CAN_WAIT;
		break;
	case LS_STATE_IDLE:
		t->can = CAN_WAIT;
		break;
	default:
		t->can = CAN_BUSY;
		break;
	}
}

/*
 * Pass the gates tagged CONTROL_TAG_FOLLOW that a step left threads at,
 * one at a time, the lowest order first, each until the group rests
 * again (at most timeout_ns).  When last is set, the listing of the
 * group at rest is left in last[0..*nlast), brief.  Returns 0, or the
 * error of a wait for rest (-ETIMEDOUT, -ECANCELED).
 */
static int
control_follow(struct ls_group *g, uint64_t timeout_ns,
	       struct control_thread *last, size_t *nlast)
{
	struct ls_gate_view v[CONTROL_MAX_THREADS];
	size_t n, i, best;
	int16_t d;
	int rc;

	for (;;) {
		n = ls_gate_list(g, v, CONTROL_MAX_THREADS);
		best = n;
		for (i = 0; i < n; i++) {
			if (v[i].state != LS_STATE_PARKED ||
			    !(v[i].tag & CONTROL_TAG_FOLLOW))
				continue;
			/* Orders wrap: the nearer one in 15 bits first. */
			d = (int16_t)(((v[i].tag >> CONTROL_TAG_ORDER_SHIFT) -
				       (best < n ? v[best].tag >>
						       CONTROL_TAG_ORDER_SHIFT
						 : 0)) << 1);
			if (best == n || d < 0)
				best = i;
		}
		if (best == n || ls_gate_release(g, v[best].tid)) {
			/* Nothing to follow: this listing is how the group
			 * rests. */
			if (last)
				for (*nlast = n, i = 0; i < n; i++)
					control_classify(&v[i], &last[i]);
			return 0;
		}
		rc = ls_gate_quiesce(g, timeout_ns);
		if (rc)
			return rc;
	}
}

/* Apply the scene's forcing schedule to a held group, then let it run:
 * each named thread through one gate, skipping one that is not at a gate
 * (a fix may forbid the bad interleaving). */
static int
control_force(struct control *c)
{
	const char *const *names = c->target.def->schedule(&c->run);
	struct ls_gate_view v[CONTROL_MAX_THREADS];
	size_t nv, i;

	for (; names && *names; names++) {
		ls_gate_settle(c->group, FORCE_TIMEOUT_NS);
		nv = ls_gate_list(c->group, v, CONTROL_MAX_THREADS);
		for (i = 0; i < nv; i++)
			if (!strcmp(v[i].name, *names) &&
			    v[i].state == LS_STATE_PARKED)
				break;
		if (i < nv && !ls_gate_step(c->group, v[i].tid,
					   FORCE_TIMEOUT_NS) &&
		    !ls_gate_quiesce(c->group, FORCE_TIMEOUT_NS) &&
		    !control_follow(c->group, FORCE_TIMEOUT_NS, NULL, NULL))
			c->run.forced.stepped++;
		else
			c->run.forced.skipped++;
	}
	ls_gate_resume(c->group);
	return ls_group_cancelled(c->group) ? -ECANCELED : 0;
}

/* Start c->target in c->mode: held before any thread runs unless it
 * runs freely and has nothing to force. */
static int
control_launch(struct control *c, char *err, size_t n)
{
	const struct scene_def *def = c->target.def;
	bool force = c->mode == CONTROL_RUN && def->schedule;
	int rc;

	control_reset_record(c);
	rc = scene_prepare(&c->run, def, c->target.source, c->ring,
			   c->target.params, c->speed_permille, c->seed);
	if (rc)
		goto fail;
	c->group = c->run.group;
	if (c->cache)
		ls_group_use_cache(c->group, c->cache);
	if (c->mode != CONTROL_RUN || force)
		ls_gate_pause(c->group);
	rc = scene_launch(&c->run);
	if (!rc && force)
		rc = control_force(c);
	/* Held: every thread at its first gate before anyone asks who can
	 * move (a thread still starting up would look busy). */
	if (!rc && c->mode != CONTROL_RUN)
		rc = ls_gate_quiesce(c->group, REPLAY_TIMEOUT_NS);
	if (rc)
		goto fail;
	c->running = true;
	c->replayable = c->mode != CONTROL_RUN;
	c->generation++;
	return 0;
fail:
	scene_stop(&c->run);
	c->group = NULL;
	control_set_err(err, n, "cannot start %s: %s", def->name,
			strerror(-rc));
	return rc;
}

int
control_start(struct control *c, struct ls_ring *ring,
	      const struct control_target *t, enum control_mode mode,
	      unsigned speed_permille, uint64_t seed, char *err, size_t n)
{
	return control_start_cached(c, ring, t, mode, speed_permille, seed,
				    NULL, err, n);
}

int
control_start_cached(struct control *c, struct ls_ring *ring,
		     const struct control_target *t, enum control_mode mode,
		     unsigned speed_permille, uint64_t seed,
		     struct ls_thread_cache *cache, char *err, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->cache = cache;
	c->target = *t;
	c->ring = ring;
	c->mode = mode;
	c->speed_permille = speed_permille;
	/* Drawn once, kept by every restart: a reset is the same run. */
	c->seed = seed ? seed : ls_clock_ns() | 1;
	return control_launch(c, err, n);
}

void
control_attach(struct control *c, struct ls_group *g, struct ls_ring *ring)
{
	memset(c, 0, sizeof(*c));
	c->group = g;
	c->ring = ring;
	c->mode = ls_gate_mode(g) == LS_GATE_RUN ? CONTROL_RUN : CONTROL_PAUSE;
}

void
control_stop(struct control *c)
{
	if (c->running) {
		scene_stop(&c->run);
		c->running = false;
		c->group = NULL;
	}
	free(c->steps);
	c->steps = NULL;
	c->nsteps = c->steps_cap = 0;
	c->stepping = false;
}

int
control_restart(struct control *c, char *err, size_t n)
{
	if (!c->running) {
		control_set_err(err, n, "%s%s", "nothing to restart", "");
		return -ENOENT;
	}
	scene_stop(&c->run);
	c->running = false;
	c->group = NULL;
	if (c->before_launch)
		c->before_launch(c->hook_arg);
	return control_launch(c, err, n);
}

void
control_pause(struct control *c)
{
	if (!c->group)
		return;
	ls_gate_pause(c->group);
	if (c->mode == CONTROL_RUN)
		c->mode = CONTROL_PAUSE;
}

void
control_resume(struct control *c)
{
	if (!c->group)
		return;
	ls_gate_resume(c->group);
	c->mode = CONTROL_RUN;
	c->stepping = false;
	/* From here on the run depends on timing: no schedule replays it. */
	c->replayable = false;
}

int
control_settle(struct control *c, uint64_t timeout_ns)
{
	return c->group ? ls_gate_settle(c->group, timeout_ns) : -ENOENT;
}

/* The name of thread tid, or "?". */
static void
control_thread_name(const struct control *c, unsigned tid, char *buf,
		    size_t n)
{
	if (!c->ring || ls_ring_thread_name(c->ring, tid, buf, n))
		str_copy(buf, n, "?");
}

/* The name of object obj, or "" when it has none. */
static void
control_object_name(const struct control *c, uint32_t obj, char *buf,
		    size_t n)
{
	unsigned kind;

	buf[0] = '\0';
	if (obj && c->ring)
		ls_ring_object_info(c->ring, obj, &kind, buf, n);
}

/* The engine names a gate by its call ("timedrdlock"); a class reads
 * the words the lessons use ("read-lock table, may time out"). */
static const struct {
	const char *call, *verb, *tail;
} control_verbs[] = {
	{ "trylock", "try to lock", "" },
	{ "timedlock", "lock", ", may time out" },
	{ "rdlock", "read-lock", "" },
	{ "wrlock", "write-lock", "" },
	{ "tryrdlock", "try to read-lock", "" },
	{ "trywrlock", "try to write-lock", "" },
	{ "timedrdlock", "read-lock", ", may time out" },
	{ "timedwrlock", "write-lock", ", may time out" },
	{ "rdunlock", "unlock", "" },
	{ "wrunlock", "unlock", "" },
	{ "trypush", "try to push to", "" },
	{ "timedpush", "push to", ", may time out" },
	{ "trypop", "try to pop", "" },
	{ "timedpop", "pop", ", may time out" },
};

/* "lock B", "read balance": what the operation a thread is parked
 * before does, in words. */
static void
control_op_words(const struct control *c, const struct control_thread *t,
		 char *buf, size_t n)
{
	char obj[LS_NAME_MAX + 1];
	const char *verb = t->desc[0] ? t->desc : "use", *tail = "";
	size_t i;

	control_object_name(c, t->obj, obj, sizeof(obj));
	/* A scene's own gate says it all ("read balance"); a primitive's
	 * says the verb ("lock") and the object completes it. */
	if (t->next_kind == LS_EV_MARK || !obj[0]) {
		str_copy(buf, n, t->desc[0] ? t->desc : "go on");
		return;
	}
	for (i = 0; i < sizeof(control_verbs) / sizeof(control_verbs[0]); i++)
		if (!strcmp(verb, control_verbs[i].call)) {
			verb = control_verbs[i].verb;
			tail = control_verbs[i].tail;
			break;
		}
	str_join(buf, n, verb, " ", obj, tail, (char *)NULL);
}

/* " (held by T1)", or "" when nobody in particular holds it. */
static void
control_held_by(const struct control *c, unsigned holder, char *buf,
		size_t n)
{
	char name[LS_NAME_MAX + 1];

	buf[0] = '\0';
	if (holder) {
		control_thread_name(c, holder, name, sizeof(name));
		str_join(buf, n, " (held by ", name, ")", (char *)NULL);
	}
}

/* t's what, in words, from its classified fields.  Formatting is most
 * of a listing's cost, so the search lists without it
 * (control_threads_brief) and words only the steps it records. */
static void
control_words(const struct control *c, struct control_thread *t)
{
	char op[64], held[48], obj[LS_NAME_MAX + 1];
	size_t n = sizeof(t->what);
	uint64_t now;

	control_held_by(c, t->holder, held, sizeof(held));
	switch (t->can) {
	case CAN_DONE:
		str_copy(t->what, n, "done");
		break;
	case CAN_MOVE:
	case CAN_BLOCK:
		control_op_words(c, t, op, sizeof(op));
		str_join(t->what, n, "next: ", op,
			 t->can == CAN_MOVE ? ""
			 : t->holder	    ? held
					    : " (will wait)",
			 (char *)NULL);
		break;
	case CAN_TIMEOUT:
	case CAN_WAIT:
		if (t->state == LS_STATE_IDLE) {
			str_copy(t->what, n, "idle, waits for work");
			break;
		}
		control_object_name(c, t->obj, obj, sizeof(obj));
		str_join(t->what, n, "waits for ", obj[0] ? obj : "something",
			 held, t->can == CAN_TIMEOUT ? ", may time out" : "",
			 (char *)NULL);
		break;
	default:
		now = ls_clock_ns();
		if (t->busy_until > now)
			snprintf(t->what, n, "working (%llu ms "
				 "left)", (unsigned long long)
				 ((t->busy_until - now + 999999) / 1000000));
		else
			str_copy(t->what, n, "working");
		break;
	}
}

/* The group's threads, classified, and worded when words is set. */
static size_t
control_list(struct control *c, struct control_thread *out, size_t max,
	     bool words)
{
	struct ls_gate_view v[CONTROL_MAX_THREADS];
	size_t n, i;

	if (!c->group)
		return 0;
	if (max > CONTROL_MAX_THREADS)
		max = CONTROL_MAX_THREADS;
	n = ls_gate_list(c->group, v, max);
	for (i = 0; i < n; i++) {
		control_classify(&v[i], &out[i]);
		if (words)
			control_words(c, &out[i]);
	}
	return n;
}

size_t
control_threads(struct control *c, struct control_thread *out, size_t max)
{
	return control_list(c, out, max, true);
}

size_t
control_threads_brief(struct control *c, struct control_thread *out,
		      size_t max)
{
	return control_list(c, out, max, false);
}

/* The first thread of t[0..n) after the one last stepped (wrapping)
 * whose can is want; n when none. */
static size_t
control_pick(const struct control *c, const struct control_thread *t,
	     size_t n, enum control_can want)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++)
		if (t[i].tid == c->last_stepped)
			start = i + 1;
	for (i = 0; i < n; i++)
		if (t[(start + i) % n].can == want)
			return (start + i) % n;
	return n;
}

unsigned
control_next(struct control *c)
{
	static const enum control_can order[] = {
		CAN_MOVE, CAN_BLOCK, CAN_TIMEOUT,
	};
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t n = control_threads_brief(c, t, CONTROL_MAX_THREADS), i, k;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		i = control_pick(c, t, n, order[k]);
		if (i < n)
			return t[i].tid;
	}
	return 0;
}

/* Remember a step taken, for the schedule and step back. */
static int
control_record(struct control *c, const struct control_thread *t)
{
	struct control_step *s;

	if (c->nsteps == c->steps_cap) {
		size_t cap = c->steps_cap ? c->steps_cap * 2 : 64;
		struct control_step *ns = realloc(c->steps, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		c->steps = ns;
		c->steps_cap = cap;
	}
	s = &c->steps[c->nsteps++];
	memset(s, 0, sizeof(*s));
	str_copy(s->thread, sizeof(s->thread), t->name);
	s->timeout = t->can == CAN_TIMEOUT;
	/* "next: lock B (held by T1)" -> "lock B (held by T1)". */
	str_copy(s->what, sizeof(s->what),
		 strncmp(t->what, "next: ", 6) ? t->what : t->what + 6);
	return 0;
}

/* Nobody can move and somebody waits: the control's own deadlock
 * report, naming who waits for what. */
static void
control_check_stuck(struct control *c)
{
	struct control_thread *t = c->last;
	size_t n = c->nlast, i, used = 0;
	bool blocked = false;

	for (i = 0; i < n; i++) {
		if (t[i].can != CAN_WAIT && t[i].can != CAN_DONE)
			return;
		if (t[i].state == LS_STATE_BLOCKED)
			blocked = true;
	}
	if (!blocked)
		return;
	c->outcome.kind = LS_OUT_DEADLOCK;
	c->outcome.what[0] = '\0';
	for (i = 0; i < n && used < sizeof(c->outcome.what); i++) {
		if (t[i].state != LS_STATE_BLOCKED)
			continue;
		if (!c->outcome.tid)
			c->outcome.tid = t[i].tid;
		if (!c->outcome.obj)
			c->outcome.obj = t[i].obj;
		control_words(c, &t[i]);
		used += (size_t)snprintf(c->outcome.what + used,
					 sizeof(c->outcome.what) - used,
					 "%s%s %s", used ? "; " : "",
					 t[i].name, t[i].what);
	}
	if (used < sizeof(c->outcome.what))
		snprintf(c->outcome.what + used,
			 sizeof(c->outcome.what) - used,
			 ": no thread can move.");
	c->outcome_seen = true;
	c->outcome_step = c->nsteps;
}

/* A safety invariant (one that needs no time to pass) judged after a
 * step: broken, it is the outcome. */
static void
control_check_safety(struct control *c)
{
	const struct scene_def *def = c->target.def;
	struct ls_gate_view view[CONTROL_MAX_THREADS];
	const char *name = "";
	char detail[sizeof(c->outcome.what)];

	if (!c->running || !def->invariant || !def->invariant_is_safety)
		return;
	c->run.nview = ls_gate_list(c->group, view, CONTROL_MAX_THREADS);
	c->run.view = view;
	if (!def->invariant(&c->run, &name, detail, sizeof(detail))) {
		c->outcome.kind = LS_OUT_INVARIANT;
		c->outcome.tid = c->step_tid;
		if (snprintf(c->outcome.what, sizeof(c->outcome.what),
			     "%s: %s", name, detail) >=
		    (int)sizeof(c->outcome.what))
			c->outcome.what[sizeof(c->outcome.what) - 1] = '\0';
		c->outcome_seen = true;
		c->outcome_step = c->nsteps;
	}
	c->run.view = NULL;
	c->run.nview = 0;
}

/* After a step came to rest: the target's own report, else a safety
 * invariant broken, else a deadlock the control sees. */
static void
control_after_step(struct control *c)
{
	c->stepping = false;
	if (c->outcome_seen)
		return;
	if (c->running && scene_outcome_get(&c->run, &c->outcome)) {
		c->outcome_seen = true;
		c->outcome_step = c->nsteps;
		return;
	}
	control_check_safety(c);
	if (!c->outcome_seen)
		control_check_stuck(c);
}

/* Let thread t go, as control_step_begin does.  Returns 0 or an error
 * with a reason. */
static int
control_release(struct control *c, const struct control_thread *listed,
		char *err, size_t n)
{
	struct control_thread worded = *listed, *t = &worded;
	int rc;

	/* From a brief listing: the words, for the record, unless the
	 * record is brief too. */
	if (!t->what[0] && !c->brief)
		control_words(c, t);
	switch (t->can) {
	case CAN_MOVE:
	case CAN_BLOCK:
	case CAN_TIMEOUT:
		break;
	case CAN_DONE:
		control_set_err(err, n, "%s is done%s", t->name, "");
		return -ENOENT;
	case CAN_BUSY:
		control_set_err(err, n, "%s is still working: wait for it to "
				"reach its next step%s", t->name, "");
		return -ENOENT;
	default:
		if (!t->what[0])
			control_words(c, t);
		control_set_err(err, n, "%s cannot move: it %s", t->name,
				t->what);
		return -ENOENT;
	}
	rc = ls_gate_release(c->group, t->tid);
	if (rc == -ECANCELED)
		return rc;
	if (rc) {
		control_set_err(err, n, "%s cannot move now%s", t->name, "");
		return -ENOENT;
	}
	c->mode = CONTROL_STEP;
	c->stepping = true;
	c->step_tid = t->tid;
	c->step_began = c->brief ? 0 : ls_clock_ns();
	c->last_stepped = t->tid;
	return control_record(c, t);
}

/* Finish a step in flight, waiting at most timeout_ns.  Returns 0 (none
 * in flight any more), -EINPROGRESS or -ECANCELED. */
static int
control_finish(struct control *c, uint64_t timeout_ns)
{
	int rc;

	if (!c->stepping)
		return 0;
	rc = ls_gate_quiesce(c->group, timeout_ns);
	if (!rc)
		rc = control_follow(c->group, timeout_ns, c->last, &c->nlast);
	if (rc == -ETIMEDOUT)
		return -EINPROGRESS;
	if (rc)
		return rc;
	control_after_step(c);
	return 0;
}

int
control_step_thread(struct control *c, const struct control_thread *t,
		    uint64_t timeout_ns, char *err, size_t n)
{
	int rc;

	if (c->stepping) {
		control_set_err(err, n, "%s%s", "the last step is still "
				"working", "");
		return -EINPROGRESS;
	}
	rc = control_release(c, t, err, n);
	if (!rc)
		rc = control_finish(c, timeout_ns);
	return rc;
}

/* Step thread tid (0: control_next), or the one named name. */
static int
control_step_find(struct control *c, unsigned tid, const char *name,
		  uint64_t timeout_ns, char *err, size_t n)
{
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t nt, i;
	int rc;

	if (!c->group) {
		control_set_err(err, n, "%s%s", "nothing runs", "");
		return -ENOENT;
	}
	rc = control_finish(c, timeout_ns);
	if (rc == -EINPROGRESS)
		control_set_err(err, n, "%s%s", "the last step is still "
				"working", "");
	if (rc)
		return rc;
	if (!tid && !name)
		tid = control_next(c);
	nt = control_threads(c, t, CONTROL_MAX_THREADS);
	for (i = 0; i < nt; i++)
		if (name ? !strcmp(t[i].name, name) : t[i].tid == tid)
			break;
	if (i == nt) {
		if (name)
			control_set_err(err, n, "no thread named '%s' now%s",
					name, "");
		else
			control_set_err(err, n, "%s%s", tid ? "no such thread"
					: "no thread can move", "");
		return -ENOENT;
	}
	return control_step_thread(c, &t[i], timeout_ns, err, n);
}

int
control_step(struct control *c, unsigned tid, uint64_t timeout_ns,
	     char *err, size_t n)
{
	int rc = control_step_find(c, tid, NULL, timeout_ns, err, n);

	return rc == -EINPROGRESS ? -ETIMEDOUT : rc;
}

int
control_step_named(struct control *c, const char *name, uint64_t timeout_ns,
		   char *err, size_t n)
{
	int rc = control_step_find(c, 0, name, timeout_ns, err, n);

	return rc == -EINPROGRESS ? -ETIMEDOUT : rc;
}

int
control_step_begin(struct control *c, unsigned tid, char *err, size_t n)
{
	return control_step_find(c, tid, NULL, 0, err, n);
}

int
control_step_poll(struct control *c)
{
	return c->group ? control_finish(c, 0) : 0;
}

int
control_step_back(struct control *c, char *err, size_t n)
{
	struct control_step *steps;
	size_t k, want;
	unsigned speed = c->speed_permille;
	int rc;

	if (!c->running || !c->replayable || !c->nsteps) {
		control_set_err(err, n, "%s%s", !c->nsteps
				? "nothing to step back"
				: "step back needs a run stepped from its "
				  "start (r restarts it held)", "");
		return -ENOENT;
	}
	/* The steps to replay outlive the restart, which forgets them. */
	want = c->nsteps - 1;
	steps = c->steps;
	c->steps = NULL;
	c->steps_cap = 0;
	c->mode = CONTROL_STEP;
	c->speed_permille = 0;
	rc = control_restart(c, err, n);
	for (k = 0; !rc && k < want; k++)
		rc = control_step_named(c, steps[k].thread, REPLAY_TIMEOUT_NS,
					err, n);
	free(steps);
	control_set_speed(c, speed);
	return rc;
}

bool
control_outcome(struct control *c, struct scene_outcome *out,
		size_t *at_step)
{
	if (!c->outcome_seen && c->running &&
	    scene_outcome_get(&c->run, &c->outcome)) {
		c->outcome_seen = true;
		c->outcome_step = c->mode == CONTROL_RUN ? 0 : c->nsteps;
	}
	if (!c->outcome_seen)
		return false;
	if (out)
		*out = c->outcome;
	if (at_step)
		*at_step = c->outcome_step;
	return true;
}

void
control_judge(struct control *c, uint64_t timeout_ns,
	      struct control_verdict *v)
{
	struct ls_gate_view view[CONTROL_MAX_THREADS];
	const struct scene_def *def = c->target.def;

	memset(v, 0, sizeof(*v));
	v->holds = true;
	v->name = "none";
	if (!c->group)
		return;
	control_pause(c);
	if (ls_gate_settle(c->group, timeout_ns)) {
		snprintf(v->detail, sizeof(v->detail), "the threads did not "
			 "come to rest within %.1f s: not judged",
			 (double)timeout_ns / 1e9);
		return;
	}
	v->judged = true;
	if (!c->running || !def || !def->invariant)
		return;
	c->run.nview = ls_gate_list(c->group, view, CONTROL_MAX_THREADS);
	c->run.view = view;
	v->holds = def->invariant(&c->run, &v->name, v->detail,
				  sizeof(v->detail));
	c->run.view = NULL;
	c->run.nview = 0;
}

void
control_set_speed(struct control *c, unsigned permille)
{
	c->speed_permille = permille;
	if (c->running)
		atomic_store(&c->run.speed_permille, permille);
}

int
control_set_param(struct control *c, unsigned idx, int v, bool *restarted,
		  char *err, size_t n)
{
	const struct scene_def *def = c->target.def;

	*restarted = false;
	if (!def || idx >= def->nparams) {
		control_set_err(err, n, "%s%s", "no such parameter", "");
		return -EINVAL;
	}
	if (v < def->params[idx].min || v > def->params[idx].max) {
		control_set_err(err, n, "%s: value out of range%s",
				def->params[idx].name, "");
		return -ERANGE;
	}
	c->target.params[idx] = v;
	if (def->params[idx].live && c->running) {
		scene_param_set(&c->run, idx, v);
		if (def->param_changed)
			def->param_changed(&c->run, idx);
		return 0;
	}
	*restarted = true;
	return c->running ? control_restart(c, err, n) : 0;
}

const char *const *
control_hint(struct control *c)
{
	const struct scene_def *def = c->target.def;

	return c->running && def && def->schedule ? def->schedule(&c->run)
						  : NULL;
}
