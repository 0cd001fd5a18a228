/*
 * check_gate.c - unit tests of pause and step: a paused group is frozen
 * (no event, no progress), the controller's list shows what every member
 * will do next or waits for, a step lets exactly one operation through,
 * resume lets everything finish, the lost update of two unlocked
 * withdrawals is reproduced by stepping 100 times out of 100, a cancelled
 * group refuses every gate, and a seeded stress test pauses, steps and
 * resumes at random while the members jitter at their gates.
 *
 * Threads the tests start never call ck_assert: they record what they saw
 * in atomics, and the test asserts after joining them.
 */
#include "checkutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/* Bound for waits that end at once unless the engine is broken. */
#define SETTLE_NS (20ull * 1000000000u)
#define MAXT 16

static struct ls_group *
group_new(struct ls_ring *r, const char *name)
{
	struct ls_group *g = NULL;

	ck_assert_int_eq(ls_group_create(r, name, &g), 0);
	return g;
}

/* The view of tid in v[0..n), or NULL. */
static const struct ls_gate_view *
view_of(const struct ls_gate_view *v, size_t n, unsigned tid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].tid == tid)
			return &v[i];
	return NULL;
}

/*
 * Wait until tid is parked at a gate and return its view.  Settle first;
 * if tid is at rest elsewhere (a timed sleep, or idle on its way to its
 * next gate: both count as rest by design), look again a millisecond
 * later.  Bounded; a thread that never parks fails the test.
 */
static struct ls_gate_view
wait_parked(struct ls_group *g, unsigned tid)
{
	struct ls_gate_view v[MAXT];
	const struct ls_gate_view *me;
	unsigned tries;
	size_t n;

	for (tries = 0; tries < 20000; tries++) {
		ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
		n = ls_gate_list(g, v, MAXT);
		me = view_of(v, n, tid);
		ck_assert_ptr_nonnull(me);
		if (me->state == LS_STATE_PARKED)
			return *me;
		test_sleep_ns(1000000);
	}
	ck_abort_msg("thread %u never parked", tid);
	return v[0];
}

/*
 * A latch built like every engine primitive (engine-int.h): an internal
 * mutex and a FIFO waitq; waiters park on their own parker.  It lets these
 * tests block a member "in a primitive" without depending on mutex.c.
 */
struct latch {
	pthread_mutex_t mu;
	struct waitq q;
	uint32_t obj;
};

static void
latch_init(struct latch *l, uint32_t obj)
{
	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(pthread_mutex_init(&l->mu, NULL), 0);
	l->obj = obj;
}

static int
latch_wait(struct latch *l)
{
	struct waiter w = { .t = ls_thread_self(), .obj = l->obj };
	int rc;

	engine_lock(&l->mu);
	waitq_push(&l->q, &w);
	rc = waitq_sleep_locked(&l->q, &w, &l->mu, 0);
	engine_unlock(&l->mu);
	return rc;
}

/* Grant the oldest waiter.  Returns whether there was one. */
static bool
latch_open_one(struct latch *l)
{
	bool any;

	engine_lock(&l->mu);
	any = l->q.head != NULL;
	if (any)
		waitq_grant(&l->q, l->q.head);
	engine_unlock(&l->mu);
	return any;
}

/* Pause freezes. */

struct looper {
	uint32_t obj;
	sem_t *warm;
	_Atomic int stop;
	_Atomic unsigned long count[MAXT];
	_Atomic unsigned next;
	_Atomic int bad;		/* a gate refused */
};

static void
looper_main(void *p)
{
	struct looper *lp = p;
	unsigned me = atomic_fetch_add(&lp->next, 1);
	unsigned long n;

	while (!atomic_load(&lp->stop)) {
		if (ls_gate(LS_EV_MARK, lp->obj, "tick")) {
			atomic_store(&lp->bad, 1);
			return;
		}
		ls_emit(LS_EV_MARK, lp->obj, me, 0);
		n = atomic_fetch_add(&lp->count[me], 1) + 1;
		if (n == 200)
			sem_post(lp->warm);
	}
}

START_TEST(test_pause_freezes)
{
	unsigned n = (unsigned)test_size("LS_GATE_THREADS", 4, 3), k;
	struct ls_ring *r = test_ring_new(1024, MAXT + 1);
	struct ls_group *g = group_new(r, "freeze");
	struct looper *lp = calloc(1, sizeof(*lp));
	struct ls_event *ev = calloc(1 << 16, sizeof(*ev));
	struct ls_gate_view v[MAXT];
	unsigned long counts[MAXT];
	uint64_t drops;
	sem_t warm;
	size_t nv;

	ck_assert_uint_le(n, MAXT);
	ck_assert_int_eq(sem_init(&warm, 0, 0), 0);
	lp->warm = &warm;
	lp->obj = ls_ring_object_add(r, LS_OBJ_VAR, "counter");
	for (k = 0; k < n; k++)
		ck_assert_int_eq(ls_thread_spawn(g, "looper", looper_main, lp),
				 0);
	/* Every member is running its loop. */
	for (k = 0; k < n; k++)
		while (sem_wait(&warm) && errno == EINTR)
			;
	ls_gate_pause(g);
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_PAUSE);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);

	nv = ls_gate_list(g, v, MAXT);
	ck_assert_uint_eq(nv, n);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(v[k].state, LS_STATE_PARKED);
		ck_assert_uint_eq(v[k].next_kind, LS_EV_MARK);
		ck_assert_uint_eq(v[k].next_obj, lp->obj);
		ck_assert_str_eq(v[k].desc, "tick");
		ck_assert_str_eq(v[k].name, "looper");
		ck_assert_uint_eq(v[k].blocked_on, 0);
	}

	/* Frozen: after one full drain, nothing more, however long. */
	(void)test_drain_all(r, ev, 1 << 16);
	while (test_drain_all(r, ev, 1 << 16))
		;
	drops = ls_ring_dropped_total(r);
	for (k = 0; k < n; k++)
		counts[k] = atomic_load(&lp->count[k]);
	test_sleep_ns(100000000);
	ck_assert_uint_eq(test_drain_all(r, ev, 1 << 16), 0);
	ck_assert_uint_eq(ls_ring_dropped_total(r), drops);
	for (k = 0; k < n; k++)
		ck_assert_uint_eq(atomic_load(&lp->count[k]), counts[k]);

	/* Resume: they run again (and stop). */
	atomic_store(&lp->stop, 1);
	ls_gate_resume(g);
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_RUN);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&lp->bad), 0);
	ck_assert_uint_gt(test_drain_all(r, ev, 1 << 16), 0);
	sem_destroy(&warm);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	free(lp);
	free(ev);
}
END_TEST

/* The controller's list. */

struct lister {
	struct latch latch;
	uint32_t a, b;
	_Atomic int rc[4];
};

static void
list_gate_a_main(void *p)
{
	struct lister *l = p;

	atomic_store(&l->rc[0], ls_gate(LS_EV_LOCK_ACQUIRED, l->a, "lock A"));
}

static void
list_gate_b_main(void *p)
{
	struct lister *l = p;

	/* Longer than LS_GATE_DESC_MAX: the view truncates. */
	atomic_store(&l->rc[1],
		     ls_gate(LS_EV_MARK, l->b,
			     "read balance, then think about it for a long "
			     "while"));
}

static void
list_block_main(void *p)
{
	struct lister *l = p;

	atomic_store(&l->rc[2], latch_wait(&l->latch));
}

static void
list_sleep_main(void *p)
{
	struct lister *l = p;

	atomic_store(&l->rc[3], ls_thread_sleep(3600ull * 1000000000u));
}

START_TEST(test_list_shows_everyone)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_group *g = group_new(r, "list");
	struct lister *l = calloc(1, sizeof(*l));
	struct ls_gate_view v[8];
	struct ls_event ev[64];
	size_t n, i;
	unsigned tids[4], k, cancelled = 0;

	l->a = ls_ring_object_add(r, LS_OBJ_MUTEX, "A");
	l->b = ls_ring_object_add(r, LS_OBJ_VAR, "balance");
	latch_init(&l->latch, ls_ring_object_add(r, LS_OBJ_SEM, "latch"));
	/* Paused before they start: each stops at its first gate. */
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "ta", list_gate_a_main, l), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "tb", list_gate_b_main, l), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "tc", list_block_main, l), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "td", list_sleep_main, l), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);

	n = ls_gate_list(g, v, 8);
	ck_assert_uint_eq(n, 4);
	/* Spawn order. */
	ck_assert_str_eq(v[0].name, "ta");
	ck_assert_str_eq(v[1].name, "tb");
	ck_assert_str_eq(v[2].name, "tc");
	ck_assert_str_eq(v[3].name, "td");
	for (k = 0; k < 4; k++)
		tids[k] = v[k].tid;
	ck_assert_uint_eq(v[0].state, LS_STATE_PARKED);
	ck_assert_uint_eq(v[0].next_kind, LS_EV_LOCK_ACQUIRED);
	ck_assert_uint_eq(v[0].next_obj, l->a);
	ck_assert_str_eq(v[0].desc, "lock A");
	ck_assert_uint_eq(v[1].state, LS_STATE_PARKED);
	ck_assert_uint_eq(v[1].next_kind, LS_EV_MARK);
	ck_assert_uint_eq(v[1].next_obj, l->b);
	ck_assert_uint_eq(strlen(v[1].desc), LS_GATE_DESC_MAX);
	ck_assert(strncmp(v[1].desc, "read balance, then", 18) == 0);
	ck_assert_uint_eq(v[2].state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(v[2].blocked_on, l->latch.obj);
	ck_assert_str_eq(v[2].desc, "");
	ck_assert_uint_eq(v[3].state, LS_STATE_SLEEPING);
	ck_assert_uint_eq(v[3].blocked_on, 0);
	/* A short max fills only that many. */
	ck_assert_uint_eq(ls_gate_list(g, v, 2), 2);
	ck_assert_uint_eq(ls_gate_list(g, v, 0), 0);

	/* Only a thread parked at a gate can be stepped; a refused step
	 * leaves the mode alone. */
	ck_assert_int_eq(ls_gate_step(g, tids[2], SETTLE_NS), -ENOENT);
	ck_assert_int_eq(ls_gate_step(g, tids[3], SETTLE_NS), -ENOENT);
	ck_assert_int_eq(ls_gate_step(g, 0, SETTLE_NS), -ENOENT);
	ck_assert_int_eq(ls_gate_step(g, 999, SETTLE_NS), -ENOENT);
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_PAUSE);

	/* The blocked one is let go by its primitive and returns; the
	 * list then shows it done until it is reaped. */
	ck_assert(latch_open_one(&l->latch));
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	n = ls_gate_list(g, v, 8);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(view_of(v, n, tids[2])->state, LS_STATE_DONE);
	ck_assert_uint_eq(view_of(v, n, tids[2])->blocked_on, 0);
	ck_assert_int_eq(ls_group_reap(g), 1);
	ck_assert_uint_eq(ls_gate_list(g, v, 8), 3);
	ck_assert_ptr_null(view_of(v, 3, tids[2]));

	/* Cancel releases the parked ones with -ECANCELED and a CANCELLED
	 * event that closes their GATE_WAIT. */
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&l->rc[0]), -ECANCELED);
	ck_assert_int_eq(atomic_load(&l->rc[1]), -ECANCELED);
	ck_assert_int_eq(atomic_load(&l->rc[2]), 0);
	ck_assert_int_eq(atomic_load(&l->rc[3]), -ECANCELED);
	n = test_drain_all(r, ev, 64);
	for (i = 0; i < n; i++) {
		ck_assert_uint_ne(ev[i].kind, LS_EV_GATE_PASS);
		if (ev[i].kind == LS_EV_CANCELLED) {
			ck_assert(ev[i].tid == tids[0] || ev[i].tid == tids[1]);
			ck_assert_uint_eq(ev[i].obj,
					  ev[i].tid == tids[0] ? l->a : l->b);
			cancelled++;
		}
	}
	ck_assert_uint_eq(cancelled, 2);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	pthread_mutex_destroy(&l->latch.mu);
	free(l);
}
END_TEST

/* Step: exactly one operation. */

struct stepper {
	uint32_t obj;
	unsigned iters;
	_Atomic unsigned ops[MAXT];
	_Atomic int bad;
};

static void
stepper_main(void *p)
{
	struct stepper *sp = p;
	/* The test's ring is fresh: tids are 1..n in spawn order. */
	unsigned me = ls_thread_tid(ls_thread_self()) - 1, i;

	for (i = 0; i < sp->iters; i++) {
		if (ls_gate(LS_EV_MARK, sp->obj, "op")) {
			atomic_store(&sp->bad, 1);
			return;
		}
		/* The operation: one unit of work and its event. */
		atomic_fetch_add(&sp->ops[me], 1);
		ls_emit(LS_EV_MARK, sp->obj, i, me);
	}
}

START_TEST(test_step_exactly_one)
{
	unsigned n = 3;
	unsigned iters = (unsigned)test_size("LS_GATE_STEP_ITERS", 20, 8);
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r, "step");
	struct stepper *sp = calloc(1, sizeof(*sp));
	struct ls_gate_view v[MAXT];
	struct ls_event ev[64];
	unsigned tids[MAXT], before[MAXT], steps = 0, k, j, left;
	size_t nv, ne, i;

	sp->obj = ls_ring_object_add(r, LS_OBJ_VAR, "work");
	sp->iters = iters;
	ls_gate_pause(g);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(ls_thread_spawn(g, "s", stepper_main, sp), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	nv = ls_gate_list(g, v, MAXT);
	ck_assert_uint_eq(nv, n);
	for (k = 0; k < n; k++) {
		tids[k] = v[k].tid;
		ck_assert_uint_eq(tids[k], k + 1);
	}
	(void)test_drain_all(r, ev, 64);

	/* Step the threads in a scrambled order, one gate at a time; stop
	 * half-way for the first thread so resume has work left. */
	for (left = (n - 1) * iters + iters / 2, j = 0; left; j++) {
		unsigned pick = (j * 7 + j / 3) % n, gp = 0, mark = 0, wait = 0,
			 exit_ev = 0, tid = tids[pick];
		const struct ls_gate_view *me;

		if (atomic_load(&sp->ops[pick]) == iters ||
		    (pick == 0 && atomic_load(&sp->ops[0]) == iters / 2))
			continue;
		for (k = 0; k < n; k++)
			before[k] = atomic_load(&sp->ops[k]);
		ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS), 0);
		ck_assert_int_eq(ls_gate_mode(g), LS_GATE_STEP);
		steps++;
		left--;
		for (k = 0; k < n; k++)
			ck_assert_uint_eq(atomic_load(&sp->ops[k]),
					  before[k] + (k == pick));
		ne = test_drain_all(r, ev, 64);
		for (i = 0; i < ne; i++) {
			ck_assert_uint_eq(ev[i].tid, tid);
			switch (ev[i].kind) {
			case LS_EV_GATE_PASS:
				ck_assert_uint_eq(ev[i].obj, sp->obj);
				ck_assert_uint_eq(ev[i].arg, LS_EV_MARK);
				gp++;
				break;
			case LS_EV_MARK:
				ck_assert_uint_eq(ev[i].arg, before[pick]);
				mark++;
				break;
			case LS_EV_GATE_WAIT:
				wait++;
				break;
			case LS_EV_THREAD_EXIT:
				exit_ev++;
				break;
			default:
				ck_abort_msg("unexpected %s",
					     ls_event_kind_name(ev[i].kind));
			}
		}
		ck_assert_uint_eq(gp, 1);
		ck_assert_uint_eq(mark, 1);
		/* Parked at its next gate, or finished. */
		nv = ls_gate_list(g, v, MAXT);
		me = view_of(v, nv, tid);
		ck_assert_ptr_nonnull(me);
		if (before[pick] + 1 == iters) {
			ck_assert_uint_eq(wait, 0);
			ck_assert_uint_eq(exit_ev, 1);
			ck_assert_uint_eq(me->state, LS_STATE_DONE);
			ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS),
					 -ENOENT);
		} else {
			ck_assert_uint_eq(wait, 1);
			ck_assert_uint_eq(exit_ev, 0);
			ck_assert_uint_eq(me->state, LS_STATE_PARKED);
			ck_assert_str_eq(me->desc, "op");
		}
		for (k = 0; k < nv; k++)
			if (v[k].tid != tid && v[k].state != LS_STATE_DONE)
				ck_assert_uint_eq(v[k].state, LS_STATE_PARKED);
	}
	ck_assert_uint_eq(steps, (n - 1) * iters + iters / 2);
	ck_assert_uint_eq(atomic_load(&sp->ops[0]), iters / 2);

	/* Resume: the rest runs to the end by itself. */
	ls_gate_resume(g);
	ls_group_join(g);
	for (k = 0; k < n; k++)
		ck_assert_uint_eq(atomic_load(&sp->ops[k]), iters);
	ck_assert_int_eq(atomic_load(&sp->bad), 0);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	free(sp);
}
END_TEST

/* Step into a sleep, an idle state and a blocking wait. */

struct rester {
	struct latch latch;
	_Atomic int phase;
	_Atomic int bad;
};

static void
rester_main(void *p)
{
	struct rester *rs = p;

	if (ls_gate(LS_EV_STATE, 0, "sleep"))
		goto bad;
	atomic_store(&rs->phase, 1);
	ls_thread_sleep(20000000);
	if (ls_gate(LS_EV_STATE, 0, "idle"))
		goto bad;
	atomic_store(&rs->phase, 2);
	ls_thread_set_state(LS_STATE_IDLE);
	if (ls_gate(LS_EV_SEM_WAIT, rs->latch.obj, "wait"))
		goto bad;
	atomic_store(&rs->phase, 3);
	if (latch_wait(&rs->latch))
		goto bad;
	if (ls_gate(LS_EV_MARK, 0, "last"))
		goto bad;
	atomic_store(&rs->phase, 4);
	return;
bad:
	atomic_store(&rs->bad, 1);
}

START_TEST(test_step_into_rest)
{
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_group *g = group_new(r, "rest");
	struct rester *rs = calloc(1, sizeof(*rs));
	struct ls_gate_view v;
	unsigned tid;

	latch_init(&rs->latch, ls_ring_object_add(r, LS_OBJ_SEM, "latch"));
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "r", rester_main, rs), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	tid = v.tid;
	ck_assert_str_eq(v.desc, "sleep");

	/* Into a sleep: the step ends when it sleeps (or, if the sleep is
	 * already over, at the next gate); it never passes that gate. */
	ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS), 0);
	ck_assert_int_eq(atomic_load(&rs->phase), 1);
	v = wait_parked(g, tid);
	ck_assert_str_eq(v.desc, "idle");
	ck_assert_int_eq(atomic_load(&rs->phase), 1);

	/* Going idle without waiting: the step may end when it is seen
	 * idle; it runs on to its next gate and parks there. */
	ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS), 0);
	v = wait_parked(g, tid);
	ck_assert_str_eq(v.desc, "wait");
	ck_assert_uint_eq(v.next_obj, rs->latch.obj);
	ck_assert_int_eq(atomic_load(&rs->phase), 2);

	/* Into a blocking wait: the step ends with it blocked. */
	ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(v.blocked_on, rs->latch.obj);
	ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS), -ENOENT);

	/* Granted: it runs to its next gate and parks (STEP mode). */
	ck_assert(latch_open_one(&rs->latch));
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "last");

	/* The last step ends with the thread returned. */
	ck_assert_int_eq(ls_gate_step(g, tid, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_DONE);
	ck_assert_int_eq(atomic_load(&rs->phase), 4);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&rs->bad), 0);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	pthread_mutex_destroy(&rs->latch.mu);
	free(rs);
}
END_TEST

/* A step into a wait the engine does not see (a raw semaphore) cannot end
 * before its deadline: the thread shows RUNNING, not parked. */
struct outsider {
	sem_t go;
	_Atomic int phase;
};

static void
outsider_main(void *p)
{
	struct outsider *o = p;

	if (ls_gate(LS_EV_MARK, 0, "before"))
		return;
	atomic_store(&o->phase, 1);
	while (sem_wait(&o->go) && errno == EINTR)
		;
	atomic_store(&o->phase, 2);
	if (ls_gate(LS_EV_MARK, 0, "after"))
		return;
	atomic_store(&o->phase, 3);
}

START_TEST(test_step_times_out_outside_engine)
{
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_group *g = group_new(r, "outside");
	struct outsider *o = calloc(1, sizeof(*o));
	struct ls_gate_view v;

	ck_assert_int_eq(sem_init(&o->go, 0, 0), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "o", outsider_main, o), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_int_eq(ls_gate_step(g, v.tid, 50000000), -ETIMEDOUT);
	ck_assert_int_eq(ls_gate_settle(g, 1000000), -ETIMEDOUT);
	ck_assert_int_eq(atomic_load(&o->phase), 1);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_RUNNING);
	ck_assert_str_eq(v.desc, "");
	/* Let go, it parks at its next gate (still STEP mode). */
	ck_assert_int_eq(sem_post(&o->go), 0);
	v = wait_parked(g, v.tid);
	ck_assert_str_eq(v.desc, "after");
	ck_assert_int_eq(atomic_load(&o->phase), 2);
	ls_gate_resume(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&o->phase), 3);
	sem_destroy(&o->go);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	free(o);
}
END_TEST

/* A step whose thread a concurrent reaper frees: the step must not touch
 * the freed record (ASan), and ends as "returned". */
static void
one_gate_main(void *p)
{
	(void)ls_gate(LS_EV_MARK, 0, "only");
}

struct reaper {
	struct ls_group *g;
	_Atomic int stop;
};

static void *
reaper_main(void *p)
{
	struct reaper *rp = p;

	while (!atomic_load(&rp->stop)) {
		ls_group_reap(rp->g);
		sched_yield();
	}
	return NULL;
}

START_TEST(test_step_races_reap)
{
	unsigned rounds = (unsigned)test_size("LS_GATE_REAP_ROUNDS", 200, 40);
	struct ls_ring *r = test_ring_new(16, 4);
	unsigned round;
	struct ls_event ev[16];

	for (round = 0; round < rounds; round++) {
		struct reaper rp = { .g = group_new(r, "reap") };
		struct ls_gate_view v;
		pthread_t pt;

		ls_gate_pause(rp.g);
		ck_assert_int_eq(ls_thread_spawn(rp.g, "x", one_gate_main,
						 NULL),
				 0);
		ck_assert_int_eq(ls_gate_settle(rp.g, SETTLE_NS), 0);
		ck_assert_uint_eq(ls_gate_list(rp.g, &v, 1), 1);
		ck_assert_int_eq(pthread_create(&pt, NULL, reaper_main, &rp),
				 0);
		ck_assert_int_eq(ls_gate_step(rp.g, v.tid, SETTLE_NS), 0);
		atomic_store(&rp.stop, 1);
		ck_assert_int_eq(pthread_join(pt, NULL), 0);
		ls_group_join(rp.g);
		ck_assert_uint_eq(ls_group_live(rp.g), 0);
		ls_group_destroy(rp.g);
		while (test_drain_all(r, ev, 16))
			;
	}
	ls_ring_destroy(r);
}
END_TEST

/* The lost update, stepped. */

struct bank {
	_Atomic int balance;
	uint32_t id;
	_Atomic int bad;
};

static void
withdraw_main(void *p)
{
	struct bank *b = p;
	int v;

	/* Relaxed: the race is in the schedule, not in the C program,
	 * which stays defined (and TSan-silent). */
	if (ls_gate(LS_EV_MARK, b->id, "read balance"))
		goto bad;
	v = atomic_load_explicit(&b->balance, memory_order_relaxed);
	ls_emit(LS_EV_MARK, b->id, (uint64_t)v, 0);
	if (ls_gate(LS_EV_MARK, b->id, "write balance"))
		goto bad;
	atomic_store_explicit(&b->balance, v - 50, memory_order_relaxed);
	ls_emit(LS_EV_MARK, b->id, (uint64_t)(v - 50), 1);
	return;
bad:
	atomic_store(&b->bad, 1);
}

/* Run the two withdrawals with the schedule order[4] (0: T1, 1: T2) and
 * return the final balance. */
static int
bank_run(struct ls_ring *r, const unsigned order[4])
{
	static const char *const want[2] = { "read balance",
					     "write balance" };
	struct ls_group *g = group_new(r, "race");
	struct bank b = { .balance = 100 };
	struct ls_gate_view v[2];
	unsigned tids[2], done[2] = { 0, 0 }, s;
	struct ls_event ev[64];
	int result;

	b.id = ls_ring_object_add(r, LS_OBJ_VAR, "balance");
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "T1", withdraw_main, &b), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T2", withdraw_main, &b), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, v, 2), 2);
	tids[0] = v[0].tid;
	tids[1] = v[1].tid;
	for (s = 0; s < 4; s++) {
		unsigned t = order[s];
		const struct ls_gate_view *me;

		ck_assert_uint_eq(ls_gate_list(g, v, 2), 2);
		me = view_of(v, 2, tids[t]);
		ck_assert_uint_eq(me->state, LS_STATE_PARKED);
		ck_assert_str_eq(me->desc, want[done[t]]);
		ck_assert_uint_eq(me->next_obj, b.id);
		ck_assert_int_eq(ls_gate_step(g, tids[t], SETTLE_NS), 0);
		done[t]++;
	}
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&b.bad), 0);
	result = atomic_load(&b.balance);
	ls_group_destroy(g);
	/* Drain, so the lanes of this run are reused by the next. */
	while (test_drain_all(r, ev, 64))
		;
	return result;
}

START_TEST(test_lost_update_stepped)
{
	static const unsigned lost[4] = { 0, 1, 0, 1 };
	static const unsigned serial[4] = { 0, 0, 1, 1 };
	unsigned reps = (unsigned)test_size("LS_GATE_RACE_REPS", 100, 100);
	struct ls_ring *r = test_ring_new(64, 4);
	unsigned k, lost_count = 0, serial_ok = 0;

	for (k = 0; k < reps; k++) {
		if (bank_run(r, lost) == 50)
			lost_count++;
		if (bank_run(r, serial) == 0)
			serial_ok++;
	}
	ck_assert_uint_eq(lost_count, reps);
	ck_assert_uint_eq(serial_ok, reps);
	ls_ring_destroy(r);
}
END_TEST

/* A cancelled group refuses every gate, in every mode. */

struct refuser {
	_Atomic unsigned long passes;
	_Atomic int rc;
	sem_t *warm;
};

static void
refuser_main(void *p)
{
	struct refuser *rf = p;
	int rc;

	/* Nothing here blocks: only the gate can stop this loop. */
	while ((rc = ls_gate(LS_EV_MARK, 0, "spin")) == 0)
		if (atomic_fetch_add(&rf->passes, 1) == 100)
			sem_post(rf->warm);
	atomic_store(&rf->rc, rc);
}

START_TEST(test_cancel_refuses_gates)
{
	struct ls_group *g = group_new(NULL, "cancel");
	struct refuser rf = { 0 };
	sem_t warm;

	ck_assert_int_eq(sem_init(&warm, 0, 0), 0);
	rf.warm = &warm;
	ck_assert_int_eq(ls_thread_spawn(g, "spin", refuser_main, &rf), 0);
	while (sem_wait(&warm) && errno == EINTR)
		;
	/* RUN mode: the next gate refuses. */
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&rf.rc), -ECANCELED);
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_CANCELLED);
	/* The mode is final. */
	ls_gate_pause(g);
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_CANCELLED);
	ls_gate_resume(g);
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_CANCELLED);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), -ECANCELED);
	ck_assert_int_eq(ls_gate_step(g, 1, SETTLE_NS), -ECANCELED);
	sem_destroy(&warm);
	ls_group_destroy(g);
}
END_TEST

/* Randomised timing: jitter at the gates, a controller that pauses,
 * steps and resumes at random.  The seed is printed; LS_GATE_SEED
 * replays it. */

struct stress {
	uint64_t seed;
	unsigned iters;
	uint32_t obj;
	_Atomic unsigned next;
	_Atomic unsigned ops[MAXT];
	_Atomic int bad;
};

static void
jitter(uint64_t *rng)
{
	uint64_t x = test_rng_next(rng);

	switch (x & 7) {
	case 0:
	case 1:
		sched_yield();
		break;
	case 2:
		test_sleep_ns((x >> 8) % 50000);
		break;
	default:
		break;
	}
}

static void
stress_main(void *p)
{
	struct stress *st = p;
	unsigned me = atomic_fetch_add(&st->next, 1), i;
	uint64_t rng = st->seed ^ (0x1234567ull * (me + 1));

	for (i = 0; i < st->iters; i++) {
		jitter(&rng);
		if (ls_gate(LS_EV_MARK, st->obj, "stress")) {
			atomic_store(&st->bad, 1);
			return;
		}
		jitter(&rng);
		atomic_fetch_add(&st->ops[me], 1);
		ls_emit(LS_EV_MARK, st->obj, i, me);
		/* Sometimes rest between gates: a sleep. */
		if ((test_rng_next(&rng) & 31) == 0 &&
		    ls_thread_sleep(test_rng_next(&rng) % 200000)) {
			atomic_store(&st->bad, 2);
			return;
		}
	}
}

static unsigned long
ops_total(struct stress *st, unsigned n)
{
	unsigned long sum = 0;
	unsigned k;

	for (k = 0; k < n; k++)
		sum += atomic_load(&st->ops[k]);
	return sum;
}

START_TEST(test_stress_random_control)
{
	unsigned n = (unsigned)test_size("LS_GATE_STRESS_THREADS", 4, 3);
	unsigned iters = (unsigned)test_size("LS_GATE_STRESS_ITERS", 1500, 200);
	unsigned rounds = (unsigned)test_size("LS_GATE_STRESS_ROUNDS", 300, 60);
	struct ls_ring *r = test_ring_new(1u << 14, MAXT + 1);
	struct ls_group *g = group_new(r, "stress");
	struct stress *st = calloc(1, sizeof(*st));
	struct ls_event *ev = calloc(4096, sizeof(*ev));
	struct ls_gate_view v[MAXT];
	uint64_t rng;
	unsigned k, round, exits = 0, steps = 0, pauses = 0;
	size_t ne, i, nv;

	ck_assert_uint_le(n, MAXT);
	st->seed = test_env_seed("LS_GATE_SEED");
	printf("check_gate stress: seed=%" PRIu64
	       " (replay: LS_GATE_SEED=%" PRIu64 ")\n",
	       st->seed, st->seed);
	fflush(stdout);
	rng = st->seed;
	st->iters = iters;
	st->obj = ls_ring_object_add(r, LS_OBJ_VAR, "stress");
	if (test_rng_next(&rng) & 1)
		ls_gate_pause(g);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(ls_thread_spawn(g, "st", stress_main, st), 0);

	for (round = 0; round < rounds && ls_group_live(g); round++) {
		uint64_t x = test_rng_next(&rng);

		switch (x % 4) {
		case 0:
		case 1: {
			/* Pause, settle, and step a few parked members; the
			 * total work grows by exactly one per step. */
			unsigned nsteps = (unsigned)((x >> 8) % 6), s;

			ls_gate_pause(g);
			ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
			pauses++;
			for (s = 0; s < nsteps; s++) {
				unsigned long before = ops_total(st, n);
				unsigned parked[MAXT], np = 0, pick;

				nv = ls_gate_list(g, v, MAXT);
				for (k = 0; k < nv; k++)
					if (v[k].state == LS_STATE_PARKED)
						parked[np++] = v[k].tid;
				if (!np)
					break;
				pick = parked[test_rng_next(&rng) % np];
				ck_assert_int_eq(ls_gate_step(g, pick, SETTLE_NS),
						 0);
				ck_assert_uint_eq(ops_total(st, n), before + 1);
				steps++;
				/* Sleepers woken meanwhile park, no work. */
				ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS),
						 0);
				ck_assert_uint_eq(ops_total(st, n), before + 1);
			}
			break;
		}
		case 2:
			ls_gate_resume(g);
			test_sleep_ns((x >> 8) % 300000);
			break;
		default:
			/* Pause without waiting, then let go again. */
			ls_gate_pause(g);
			test_sleep_ns((x >> 8) % 100000);
			ls_gate_resume(g);
			break;
		}
		ne = test_drain_all(r, ev, 4096);
		for (i = 0; i < ne; i++)
			exits += ev[i].kind == LS_EV_THREAD_EXIT;
	}
	ls_gate_resume(g);
	ls_group_join(g);
	while ((ne = test_drain_all(r, ev, 4096)))
		for (i = 0; i < ne; i++)
			exits += ev[i].kind == LS_EV_THREAD_EXIT;

	ck_assert_int_eq(atomic_load(&st->bad), 0);
	ck_assert_uint_eq(ls_group_live(g), 0);
	for (k = 0; k < n; k++)
		ck_assert_uint_eq(atomic_load(&st->ops[k]), iters);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ck_assert_uint_eq(exits, n);
	printf("check_gate stress: %u rounds, %u pauses, %u steps\n", round,
	       pauses, steps);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	free(st);
	free(ev);
}
END_TEST

static Suite *
gate_suite(void)
{
	Suite *s = suite_create("gate");
	TCase *basic = tcase_create("basic");
	TCase *race = tcase_create("race");
	TCase *stress = tcase_create("stress");

	tcase_set_timeout(basic, 15);
	tcase_add_test(basic, test_pause_freezes);
	tcase_add_test(basic, test_list_shows_everyone);
	tcase_add_test(basic, test_step_exactly_one);
	tcase_add_test(basic, test_step_into_rest);
	tcase_add_test(basic, test_step_times_out_outside_engine);
	tcase_add_test(basic, test_cancel_refuses_gates);
	suite_add_tcase(s, basic);

	tcase_set_timeout(race, 30);
	tcase_add_test(race, test_lost_update_stepped);
	tcase_add_test(race, test_step_races_reap);
	suite_add_tcase(s, race);

	tcase_set_timeout(stress, 60);
	tcase_add_test(stress, test_stress_random_control);
	suite_add_tcase(s, stress);
	return s;
}

int
main(void)
{
	return test_run_suite(gate_suite());
}
