/*
 * primutil.h - what the suites of the condition variable, the barrier, the
 * reset event, the latch, the recursive mutex and the semaphore (its FIFO
 * hand-off) share: a group of threads that each run one operation and
 * record what it returned and in which order they finished; waiting until
 * members block on an object; stepping a member by name; comparing one
 * object's events with a table; and the two checks every blocking wait
 * gets, a cancel that unwinds k waiters and a timed wait whose timeout a
 * stepping controller holds.
 *
 * Threads the tests start never call ck_assert: they record what they saw
 * in atomics, and the test asserts after joining them.  Orders are forced
 * without sleeps: the test waits, by bounded polling of the control's
 * thread list, until a member is blocked before it starts the next.  The
 * test drives its group through a control attached to it (control.h).
 */
#ifndef LOCKSTEP_PRIMUTIL_H
#define LOCKSTEP_PRIMUTIL_H

#include "checkutil.h"

#include <inttypes.h>

#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/* Bound for waits that end at once unless the engine is broken. */
#define PRIM_LIMIT_NS (20ull * 1000000000u)
#define PRIM_MS 1000000ull
/* Most threads one prim_run starts. */
#define PRIM_MAX 16

struct prim_run;

/* What member i of a run does: one operation on obj, its result. */
typedef int (*prim_op_fn)(void *obj, unsigned i);

struct prim_arg {
	struct prim_run *run;
	unsigned i;
};

struct prim_run {
	prim_op_fn op;
	void *obj;
	atomic_int rc[PRIM_MAX];	/* 1: not returned yet */
	atomic_uint order[PRIM_MAX];	/* who returned as n-th */
	atomic_uint taken;		/* places in order handed out */
	atomic_uint done;		/* returned, place in order written */
	atomic_bool after[PRIM_MAX];	/* past op, about to pass "after" */
	struct prim_arg arg[PRIM_MAX];
};

static inline void
prim_run_init(struct prim_run *run, prim_op_fn op, void *obj)
{
	unsigned i;

	run->op = op;
	run->obj = obj;
	atomic_init(&run->taken, 0);
	atomic_init(&run->done, 0);
	for (i = 0; i < PRIM_MAX; i++) {
		atomic_init(&run->rc[i], 1);
		atomic_init(&run->order[i], PRIM_MAX);
		atomic_init(&run->after[i], false);
		run->arg[i] = (struct prim_arg){ run, i };
	}
}

/* A member's body: the op, its result, then one more gate ("after"),
 * where a stepping controller sees the op is over. */
static inline void
prim_run_main(void *p)
{
	struct prim_arg *a = p;
	struct prim_run *run = a->run;
	int rc = run->op(run->obj, a->i);

	atomic_store(&run->rc[a->i], rc);
	/* done counts a member only once its place in order is written: a
	 * test reads order[n] as soon as done passes n. */
	atomic_store(&run->order[atomic_fetch_add(&run->taken, 1)], a->i);
	atomic_fetch_add(&run->done, 1);
	atomic_store(&run->after[a->i], true);
	(void)ls_gate(LS_EV_MARK, 0, "after");
}

/* Start member i of run in g, named name. */
static inline void
prim_spawn(struct ls_group *g, struct prim_run *run, unsigned i,
	   const char *name)
{
	ck_assert_uint_lt(i, PRIM_MAX);
	ck_assert_int_eq(ls_thread_spawn(g, name, prim_run_main,
					 &run->arg[i]),
			 0);
}

static inline int
prim_rc(struct prim_run *run, unsigned i)
{
	return atomic_load(&run->rc[i]);
}

static inline unsigned
prim_done(struct prim_run *run)
{
	return atomic_load(&run->done);
}

struct prim_done_at {
	struct prim_run *run;
	unsigned n;
};

static inline bool
prim_done_reached(void *p)
{
	struct prim_done_at *d = p;

	return prim_done(d->run) >= d->n;
}

/* Wait until n members of run have returned from their op. */
static inline void
prim_wait_done(struct prim_run *run, unsigned n)
{
	struct prim_done_at d = { run, n };

	ck_assert_msg(test_wait_until(prim_done_reached, &d, PRIM_LIMIT_NS),
		      "only %u of %u ops returned", prim_done(run), n);
}

/* Members of c's group blocked in a primitive on obj now. */
static inline unsigned
prim_blocked_on(struct control *c, uint32_t obj)
{
	struct control_thread t[PRIM_MAX + 4];
	size_t n = control_threads(c, t, PRIM_MAX + 4), i;
	unsigned k = 0;

	for (i = 0; i < n; i++)
		k += t[i].state == LS_STATE_BLOCKED && t[i].obj == obj;
	return k;
}

struct prim_blocked_at {
	struct control *c;
	uint32_t obj;
	unsigned n;
};

static inline bool
prim_blocked_reached(void *p)
{
	struct prim_blocked_at *b = p;

	return prim_blocked_on(b->c, b->obj) >= b->n;
}

/* Wait until n members of c's group are blocked on obj (ids need a
 * ring). */
static inline void
prim_wait_blocked(struct control *c, uint32_t obj, unsigned n)
{
	struct prim_blocked_at b = { c, obj, n };

	ck_assert_msg(test_wait_until(prim_blocked_reached, &b,
				      PRIM_LIMIT_NS),
		      "never saw %u blocked on %u (saw %u)", n, obj,
		      prim_blocked_on(c, obj));
}

/* What the member named name can do, once the group has settled. */
static inline struct control_thread
prim_view(struct control *c, const char *name)
{
	return test_view_named(c, name);
}

/* Let the member named name through one gate; wait for the group to be
 * at rest (whoever its step woke included). */
static inline void
prim_step(struct control *c, const char *name)
{
	test_step_named(c, name);
}

/* Check the member named name is parked at its next gate: kind on obj
 * (0: any object), which its probe says will go through (ready) or not,
 * and then on whom (holder: a tid, 0 for nobody in particular). */
static inline void
prim_assert_parked(struct control *c, const char *name, unsigned kind,
		   uint32_t obj, bool ready, unsigned holder)
{
	struct control_thread v = prim_view(c, name);
	bool moves = v.can == CAN_MOVE;

	ck_assert_msg(v.state == LS_STATE_PARKED && v.next_kind == kind &&
			      (!obj || v.obj == obj) &&
			      (v.can == CAN_MOVE || v.can == CAN_BLOCK) &&
			      moves == ready && v.holder == holder,
		      "%s: state %s next %s obj %u ready %d holder %u, want "
		      "parked at %s obj %u ready %d holder %u",
		      name, ls_thread_state_name(v.state),
		      ls_event_kind_name(v.next_kind), v.obj, moves,
		      v.holder, ls_event_kind_name(kind), obj, ready, holder);
}

/* A new group of ring r, paused before any member starts, and c attached
 * to drive it (control_stop(c) when done). */
static inline struct ls_group *
prim_group_paused(struct ls_ring *r, struct control *c)
{
	struct ls_group *g = NULL;

	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	control_attach(c, g, r);
	control_pause(c);
	return g;
}

/* A new group of ring r, running, with c attached to watch it. */
static inline struct ls_group *
prim_group_attached(struct ls_ring *r, const char *name, struct control *c)
{
	struct ls_group *g = NULL;

	ck_assert_int_eq(ls_group_create(r, name, &g), 0);
	control_attach(c, g, r);
	return g;
}

/* Check the member named name is blocked on obj. */
static inline void
prim_assert_blocked(struct control *c, const char *name, uint32_t obj)
{
	struct control_thread v = prim_view(c, name);

	ck_assert_msg(v.state == LS_STATE_BLOCKED && v.obj == obj,
		      "%s: state %s on %u, want blocked on %u", name,
		      ls_thread_state_name(v.state), v.obj, obj);
}

/* One expected event of an object: its kind, arg and aux, either of
 * which PRIM_ANY leaves unchecked (a duration, a tid). */
#define PRIM_ANY UINT64_MAX

struct prim_ev {
	unsigned kind;
	uint64_t arg;
	uint64_t aux;
};

/* Check that the events of ev[0..n) about obj (gate events left out) are
 * exactly want[0..nwant), in that order. */
static inline void
prim_expect(const struct ls_event *ev, size_t n, uint32_t obj,
	    const struct prim_ev *want, size_t nwant)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];

		if (e->obj != obj || e->kind == LS_EV_GATE_WAIT ||
		    e->kind == LS_EV_GATE_PASS)
			continue;
		ck_assert_msg(k < nwant, "extra event %zu: %s arg %" PRIu64
			      " aux %u", k, ls_event_kind_name(e->kind),
			      e->arg, e->aux);
		ck_assert_msg(e->kind == want[k].kind &&
				      (want[k].arg == PRIM_ANY ||
				       e->arg == want[k].arg) &&
				      (want[k].aux == PRIM_ANY ||
				       e->aux == want[k].aux),
			      "event %zu: %s arg %" PRIu64 " aux %u, want %s "
			      "arg %" PRIu64 " aux %" PRIu64,
			      k, ls_event_kind_name(e->kind), e->arg, e->aux,
			      ls_event_kind_name(want[k].kind), want[k].arg,
			      want[k].aux);
		k++;
	}
	ck_assert_msg(k == nwant, "%zu events of obj %u, want %zu", k, obj,
		      nwant);
}

/* A mutex's owner as the model folds it: acquired only when free,
 * released only by its holder (tid 0: free).  Returns the index of the
 * first event that breaks that, or -1. */
static inline long
prim_owner_fold(unsigned *holder, const struct ls_event *ev, size_t n,
		uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ev[i].obj != id)
			continue;
		if (ev[i].kind == LS_EV_LOCK_ACQUIRED) {
			if (*holder)
				return (long)i;
			*holder = ev[i].tid;
		} else if (ev[i].kind == LS_EV_LOCK_RELEASED) {
			if (*holder != ev[i].tid)
				return (long)i;
			*holder = 0;
		}
	}
	return -1;
}

/* One member of a stress run: the state all share, and its index. */
struct prim_member {
	void *state;
	unsigned i;
};

/* Start n members of g running fn, each with its prim_member in m[]. */
static inline void
prim_spawn_all(struct ls_group *g, const char *name, void (*fn)(void *),
	       void *state, struct prim_member *m, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		m[i] = (struct prim_member){ state, i };
		ck_assert_int_eq(ls_thread_spawn(g, name, fn, &m[i]), 0);
	}
}

/* Member i's own random stream of a run seeded with seed. */
static inline uint64_t
prim_rng(uint64_t seed, unsigned i)
{
	return seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
}

/* Folds a batch of events into state; returns the index of the first
 * event that breaks it, or -1. */
typedef long (*prim_fold_fn)(void *state, const struct ls_event *ev,
			     size_t n);

/*
 * Drain r while the members of g run (so no lane fills), calling
 * tick(tick_arg) each turn if tick is set (to cancel g at some moment),
 * then join g and drain the rest; every batch goes through fold.  Stops
 * folding at the first bad event, copied to *bad.  Returns -1, or the
 * index of that event in its batch.
 */
static inline long
prim_drain_fold(struct ls_ring *r, struct ls_group *g, prim_fold_fn fold,
		void *state, void (*tick)(void *), void *tick_arg,
		struct ls_event *bad)
{
	struct ls_event *ev = malloc(8192 * sizeof(*ev));
	long at = -1;
	size_t n;

	ck_assert_ptr_nonnull(ev);
	while (ls_group_live(g) && at < 0) {
		if (tick)
			tick(tick_arg);
		n = ls_ring_drain(r, ev, 8192);
		at = fold(state, ev, n);
		if (!n)
			test_sleep_ns(100000);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	while (at < 0 && (n = ls_ring_drain(r, ev, 8192)) > 0)
		at = fold(state, ev, n);
	if (at >= 0)
		*bad = ev[at];
	free(ev);
	return at;
}

/* Unbind the test thread's lane (test_lane_bind) and check the events of
 * obj it and the others emitted so far are exactly want[0..nwant). */
static inline void
prim_expect_lane(struct ls_ring *r, struct ls_lane *lane, uint32_t obj,
		 const struct prim_ev *want, size_t nwant)
{
	struct ls_event ev[256];

	test_lane_unbind(lane);
	prim_expect(ev, test_drain_all(r, ev, 256), obj, want, nwant);
}

/*
 * k members of a new group in ring r each run op on obj, which must block
 * on obj_id; once all k are blocked the group is cancelled and joined.
 * Asserts that every op returned -ECANCELED, that the process has as many
 * threads as before, and that the events hold k CANCELLED about obj_id.
 */
static inline void
prim_cancel_waiters(struct ls_ring *r, prim_op_fn op, void *obj,
		    uint32_t obj_id, unsigned k)
{
	unsigned before = test_task_baseline(), i;
	struct ls_event *ev = calloc(4096, sizeof(*ev));
	struct prim_run run;
	struct control c;
	struct ls_group *g;
	size_t n;

	ck_assert_ptr_nonnull(ev);
	while (test_drain_all(r, ev, 4096))
		;
	prim_run_init(&run, op, obj);
	g = prim_group_attached(r, "cancel", &c);
	for (i = 0; i < k; i++)
		prim_spawn(g, &run, i, "W");
	prim_wait_blocked(&c, obj_id, k);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	control_stop(&c);
	ls_group_destroy(g);
	for (i = 0; i < k; i++)
		ck_assert_msg(prim_rc(&run, i) == -ECANCELED,
			      "waiter %u returned %d", i, prim_rc(&run, i));
	test_tasks_back_to(before);
	n = test_drain_all(r, ev, 4096);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_CANCELLED, obj_id), k);
	free(ev);
}

/*
 * A timed wait (op, with a timeout of a few ms) of a stepped member blocks
 * on obj_id after steps_in steps, and stays blocked however long the clock
 * runs, its timeout held by the controller (CAN_TIMEOUT), until the
 * controller fires it: then the member runs to its next gate, and op
 * returns -ETIMEDOUT.  The group is paused from the start, so nothing but
 * the steps moves.
 */
static inline void
prim_timed_held(struct ls_ring *r, prim_op_fn op, void *obj, uint32_t obj_id,
		unsigned steps_in)
{
	struct prim_run run;
	struct control_thread v;
	struct control c;
	struct ls_group *g;
	unsigned i;

	prim_run_init(&run, op, obj);
	g = prim_group_attached(r, "timed", &c);
	control_pause(&c);
	prim_spawn(g, &run, 0, "T");
	for (i = 0; i < steps_in; i++)
		prim_step(&c, "T");
	prim_assert_blocked(&c, "T", obj_id);
	/* Many times its timeout: it still waits, for the controller. */
	test_sleep_ns(50 * PRIM_MS);
	v = prim_view(&c, "T");
	ck_assert_uint_eq(v.state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(v.can, CAN_TIMEOUT);
	ck_assert_int_eq(prim_rc(&run, 0), 1);
	/* Fired: it times out and runs to its next gate. */
	prim_step(&c, "T");
	v = prim_view(&c, "T");
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	control_resume(&c);
	ck_assert_int_eq(ls_group_join(g), 0);
	control_stop(&c);
	ls_group_destroy(g);
	ck_assert_int_eq(prim_rc(&run, 0), -ETIMEDOUT);
}

#endif
