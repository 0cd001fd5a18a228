/*
 * check_mutex.c - Check suite for the engine's instrumented mutex.
 *
 * Mutual exclusion under seeded random timing, try/timed semantics, misuse
 * reported (wrong-owner unlock, relock), FIFO hand-off in a forced order,
 * cancellation of waiters and of a thread parked at unlock's gate, the
 * exact events of simple runs, and the model-order rule (no LOCK_ACQUIRED
 * while another thread's ACQUIRED has no RELEASED) replayed many times.
 *
 * Orders are forced without sleeps: the test waits, by bounded polling,
 * for ls_mutex_waiters to reach k before it starts the next waiter.
 * Threads the test creates never call ck_assert; they record what they saw
 * and the test asserts after joining them.
 *
 * Sizes: LS_MUTEX_THREADS, LS_MUTEX_ITERS, LS_MUTEX_ROUNDS,
 * LS_MUTEX_ROUND_ITERS.  LS_SEED=n replays the random timing of a failure
 * (every stress failure prints its seed).
 */
#include "config.h"

#include "lockstep/mutex.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "checkutil.h"

#define WAIT_LIMIT_NS (10ull * 1000000000u)
#define MAX_WAITERS 16
#define EV_MAX 8192

struct waiters_at {
	struct ls_mutex *m;
	unsigned n;
};

static bool
waiters_reached(void *p)
{
	struct waiters_at *w = p;

	return ls_mutex_waiters(w->m) >= w->n;
}

static void
wait_waiters(struct ls_mutex *m, unsigned n)
{
	struct waiters_at w = { m, n };

	ck_assert_msg(test_wait_until(waiters_reached, &w, WAIT_LIMIT_NS),
		      "never saw %u waiters (saw %u)", n, ls_mutex_waiters(m));
}

/* An atomic read as a plain value, for assertion messages. */
static int
ld(atomic_int *p)
{
	return atomic_load(p);
}

/* Run fn(arg) on a plain pthread (no group, no record yet) and join. */
struct on_thread {
	void (*fn)(void *);
	void *arg;
};

static void *
on_thread_main(void *p)
{
	struct on_thread *o = p;

	o->fn(o->arg);
	return NULL;
}

static void
run_on_thread(void (*fn)(void *), void *arg)
{
	struct on_thread o = { fn, arg };
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, on_thread_main, &o), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}

/* Basic semantics. */

START_TEST(test_create)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_mutex *a, *b;
	unsigned kind;
	char name[LS_NAME_MAX + 1];

	ck_assert_int_eq(ls_mutex_create(NULL, "a", &a), 0);
	ck_assert_uint_eq(ls_mutex_id(a), 0);
	ck_assert_int_eq(ls_mutex_create(r, "balance", &b), 0);
	ck_assert_uint_ge(ls_mutex_id(b), 1);
	ck_assert_int_eq(ls_ring_object_info(r, ls_mutex_id(b), &kind, name,
					     sizeof(name)),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_MUTEX);
	ck_assert_str_eq(name, "balance");
	ck_assert_uint_eq(ls_mutex_owner(b), 0);
	ck_assert_uint_eq(ls_mutex_waiters(b), 0);
	ck_assert(!ls_mutex_held(b));
	ls_mutex_destroy(a);
	ls_mutex_destroy(b);
	ls_mutex_destroy(NULL);
	ls_ring_destroy(r);
}
END_TEST

struct probe {
	struct ls_mutex *m;
	struct ls_ring *ring;	/* bind a lane named "other" if set */
	uint64_t timeout_ns;
	int rc_try, rc_timed, rc_unlock, rc_lock;
	bool held_seen;
	unsigned tid;
};

/* From another thread: trylock, timedlock and unlock on p->m. */
static void
probe_held(void *arg)
{
	struct probe *p = arg;
	struct ls_lane *lane = p->ring ? test_lane_bind(p->ring, "other")
				       : NULL;

	p->tid = lane ? ls_lane_tid(lane) : 0;
	p->held_seen = ls_mutex_held(p->m);
	p->rc_try = ls_mutex_trylock(p->m);
	p->rc_timed = ls_mutex_timedlock(p->m, p->timeout_ns);
	p->rc_unlock = ls_mutex_unlock(p->m);
	if (lane)
		test_lane_unbind(lane);
}

/* From another thread: lock and unlock p->m (it must be free). */
static void
probe_free(void *arg)
{
	struct probe *p = arg;

	p->rc_try = ls_mutex_trylock(p->m);
	p->held_seen = ls_mutex_held(p->m);
	p->rc_unlock = ls_mutex_unlock(p->m);
	p->rc_timed = ls_mutex_timedlock(p->m, 1000000);
	ls_mutex_unlock(p->m);
}

START_TEST(test_try_timed)
{
	struct ls_mutex *m;
	struct probe p = { .timeout_ns = 2000000 };

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &m), 0);
	p.m = m;
	ck_assert_int_eq(ls_mutex_trylock(m), 0);
	ck_assert(ls_mutex_held(m));

	run_on_thread(probe_held, &p);
	ck_assert(!p.held_seen);
	ck_assert_int_eq(p.rc_try, -EBUSY);
	ck_assert_int_eq(p.rc_timed, -ETIMEDOUT);
	ck_assert_int_eq(p.rc_unlock, -EPERM);
	ck_assert(ls_mutex_held(m));	/* the failed unlock left it alone */
	ck_assert_uint_eq(ls_mutex_waiters(m), 0);	/* timeout dequeued */

	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert(!ls_mutex_held(m));
	run_on_thread(probe_free, &p);
	ck_assert_int_eq(p.rc_try, 0);
	ck_assert(p.held_seen);
	ck_assert_int_eq(p.rc_unlock, 0);
	ck_assert_int_eq(p.rc_timed, 0);
	ck_assert_int_eq(ls_mutex_timedlock(m, 0), 0);	/* free: no wait */
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ls_mutex_destroy(m);
}
END_TEST

/* A timed lock gets the mutex when it is handed over before the
 * deadline: the waiter queues, the holder unlocks, the waiter owns it. */
struct timed_waiter {
	struct ls_mutex *m;
	atomic_int rc;
	atomic_bool held;
};

static void *
timed_waiter_main(void *p)
{
	struct timed_waiter *tw = p;
	int rc = ls_mutex_timedlock(tw->m, 60ull * 1000000000u);

	atomic_store(&tw->held, ls_mutex_held(tw->m));
	if (rc == 0)
		ls_mutex_unlock(tw->m);
	atomic_store(&tw->rc, rc);
	return NULL;
}

START_TEST(test_timed_handoff)
{
	struct timed_waiter tw;
	pthread_t t;

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &tw.m), 0);
	atomic_init(&tw.rc, 1);
	atomic_init(&tw.held, false);
	ck_assert_int_eq(ls_mutex_lock(tw.m), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, timed_waiter_main, &tw), 0);
	wait_waiters(tw.m, 1);
	ck_assert_int_eq(ls_mutex_unlock(tw.m), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(ld(&tw.rc), 0);
	ck_assert(atomic_load(&tw.held));
	ck_assert_uint_eq(ls_mutex_waiters(tw.m), 0);
	ck_assert_int_eq(ls_mutex_trylock(tw.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(tw.m), 0);
	ls_mutex_destroy(tw.m);
}
END_TEST

START_TEST(test_relock)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[64];
	struct ls_mutex *m;
	struct ls_lane *lane;
	uint32_t id;
	size_t n, i;

	ck_assert_int_eq(ls_mutex_create(r, "m", &m), 0);
	id = ls_mutex_id(m);
	lane = test_lane_bind(r, "main");
	ck_assert_ptr_nonnull(lane);

	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_mutex_lock(m), -EDEADLK);
	ck_assert_int_eq(ls_mutex_trylock(m), -EDEADLK);
	ck_assert_int_eq(ls_mutex_timedlock(m, 1000), -EDEADLK);
	ck_assert(ls_mutex_held(m));
	ck_assert_uint_eq(ls_mutex_owner(m), ls_lane_tid(lane));
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), -EPERM);	/* twice */
	ck_assert_uint_eq(ls_mutex_owner(m), 0);
	test_lane_unbind(lane);

	n = test_drain_all(r, ev, 64);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(ev[0].kind, LS_EV_LOCK_ACQUIRED);
	for (i = 1; i <= 3; i++) {
		ck_assert_uint_eq(ev[i].kind, LS_EV_ERROR);
		ck_assert_uint_eq(ev[i].obj, id);
		ck_assert_uint_eq(ev[i].arg, LS_ERR_RELOCK);
	}
	ck_assert_uint_eq(ev[4].kind, LS_EV_LOCK_RELEASED);
	ck_assert_uint_eq(ev[5].kind, LS_EV_ERROR);
	ck_assert_uint_eq(ev[5].arg, LS_ERR_NOT_OWNER);
	ck_assert_uint_eq(ev[5].aux, 0);	/* nobody held it */
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_wrong_owner)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[64];
	struct probe p = { .timeout_ns = 1000 };
	struct ls_lane *lane;
	const struct ls_event *err = NULL;
	size_t n, i;

	ck_assert_int_eq(ls_mutex_create(r, "m", &p.m), 0);
	p.ring = r;
	lane = test_lane_bind(r, "main");
	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_mutex_lock(p.m), 0);

	run_on_thread(probe_held, &p);
	ck_assert_int_eq(p.rc_unlock, -EPERM);
	ck_assert_int_eq(p.rc_try, -EBUSY);
	ck_assert(ls_mutex_held(p.m));
	ck_assert_uint_eq(ls_mutex_owner(p.m), ls_lane_tid(lane));
	ck_assert_int_eq(ls_mutex_unlock(p.m), 0);
	test_lane_unbind(lane);

	n = test_drain_all(r, ev, 64);
	for (i = 0; i < n; i++)
		if (ev[i].kind == LS_EV_ERROR)
			err = &ev[i];
	ck_assert_ptr_nonnull(err);
	ck_assert_uint_eq(err->tid, p.tid);
	ck_assert_uint_eq(err->obj, ls_mutex_id(p.m));
	ck_assert_uint_eq(err->arg, LS_ERR_NOT_OWNER);
	ck_assert_uint_eq(err->aux, ls_lane_tid(lane));	/* the real owner */
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_ERROR,
					  ls_mutex_id(p.m)), 1);
	/* The prober's busy trylock names the owner too. */
	for (i = 0; i < n; i++)
		if (ev[i].kind == LS_EV_LOCK_BUSY) {
			ck_assert_uint_eq(ev[i].tid, p.tid);
			ck_assert_uint_eq(ev[i].arg, ls_lane_tid(lane));
		}
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_BUSY,
					  ls_mutex_id(p.m)), 1);
	ls_mutex_destroy(p.m);
	ls_ring_destroy(r);
}
END_TEST

/* Exact events of lock/unlock, busy trylock and timed-out lock. */
START_TEST(test_events_one_thread)
{
	const uint64_t timeout = 1000000;
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[64];
	struct probe p = { .timeout_ns = timeout };
	struct ls_lane *lane;
	uint32_t id;
	unsigned me;
	size_t n;

	ck_assert_int_eq(ls_mutex_create(r, "m", &p.m), 0);
	id = ls_mutex_id(p.m);
	p.ring = r;
	lane = test_lane_bind(r, "main");
	ck_assert_ptr_nonnull(lane);
	me = ls_lane_tid(lane);

	ck_assert_int_eq(ls_mutex_lock(p.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(p.m), 0);
	n = test_drain_all(r, ev, 64);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(ev[0].kind, LS_EV_LOCK_ACQUIRED);
	ck_assert_uint_eq(ev[0].obj, id);
	ck_assert_uint_eq(ev[0].arg, 0);	/* no wait */
	ck_assert_uint_eq(ev[0].tid, me);
	ck_assert_uint_eq(ev[1].kind, LS_EV_LOCK_RELEASED);
	ck_assert_uint_eq(ev[1].obj, id);
	ck_assert_uint_eq(ev[1].tid, me);
	ck_assert_uint_eq(ev[1].seq, ev[0].seq + 1);
	ck_assert_uint_le(ev[0].ts, ev[1].ts);

	/* Another thread: busy trylock, then a timed lock that times out. */
	ck_assert_int_eq(ls_mutex_lock(p.m), 0);
	run_on_thread(probe_held, &p);
	ck_assert_int_eq(ls_mutex_unlock(p.m), 0);
	test_lane_unbind(lane);
	n = test_drain_all(r, ev, 64);
	/* main: ACQUIRED, RELEASED; other: BUSY, WAIT, TIMEOUT, ERROR. */
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(ev[0].kind, LS_EV_LOCK_ACQUIRED);
	ck_assert_uint_eq(ev[1].kind, LS_EV_LOCK_BUSY);
	ck_assert_uint_eq(ev[1].arg, me);
	ck_assert_uint_eq(ev[2].kind, LS_EV_LOCK_WAIT);
	ck_assert_uint_eq(ev[3].kind, LS_EV_LOCK_TIMEOUT);
	ck_assert_uint_eq(ev[3].tid, p.tid);
	ck_assert_uint_eq(ev[3].obj, id);
	ck_assert_uint_ge(ev[3].arg, timeout);	/* waited at least that */
	ck_assert_uint_eq(ev[4].kind, LS_EV_ERROR);	/* its bad unlock */
	ck_assert_uint_eq(ev[5].kind, LS_EV_LOCK_RELEASED);
	ck_assert_uint_eq(ev[5].tid, me);
	ls_mutex_destroy(p.m);
	ls_ring_destroy(r);
}
END_TEST

static void
lock_unlock_once(void *arg)
{
	struct ls_mutex *m = arg;

	if (ls_mutex_lock(m) == 0)
		ls_mutex_unlock(m);
}

/* An engine thread in a group with a ring: the events a scene sees. */
START_TEST(test_events_group)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[64];
	struct ls_group *g;
	struct ls_mutex *m;
	uint32_t id;
	size_t n;

	ck_assert_int_eq(ls_mutex_create(r, "m", &m), 0);
	id = ls_mutex_id(m);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T1", lock_unlock_once, m), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	n = test_drain_all(r, ev, 64);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(ev[0].kind, LS_EV_THREAD_START);
	ck_assert_uint_eq(ev[1].kind, LS_EV_LOCK_ACQUIRED);
	ck_assert_uint_eq(ev[1].obj, id);
	ck_assert_uint_eq(ev[2].kind, LS_EV_LOCK_RELEASED);
	ck_assert_uint_eq(ev[2].obj, id);
	ck_assert_uint_eq(ev[3].kind, LS_EV_THREAD_EXIT);
	ck_assert_uint_eq(ev[1].tid, ev[2].tid);
	ck_assert_uint_eq(ls_mutex_owner(m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
}
END_TEST

/* FIFO hand-off, in a forced order. */

struct fifo {
	struct ls_mutex *m;
	atomic_uint turn;		/* waiter i may unlock once turn > i */
	unsigned order[MAX_WAITERS];	/* guarded by m itself */
	unsigned norder;
	atomic_uint tid[MAX_WAITERS];
	atomic_int rc[MAX_WAITERS];
	atomic_int bad;			/* waiter saw itself not holding m */
};

struct fifo_arg {
	struct fifo *f;
	unsigned i;
};

static void
fifo_waiter(void *p)
{
	struct fifo_arg *a = p;
	struct fifo *f = a->f;
	struct timespec ts = { 0, 50000 };
	uint64_t end;
	int rc;

	atomic_store(&f->tid[a->i], ls_thread_tid(ls_thread_self()));
	rc = ls_mutex_lock(f->m);
	atomic_store(&f->rc[a->i], rc);
	if (rc)
		return;
	if (!ls_mutex_held(f->m))
		atomic_store(&f->bad, 1);
	f->order[f->norder++] = a->i;
	/* Hold m until the test has looked (bounded, test-side poll). */
	end = ls_clock_ns() + WAIT_LIMIT_NS;
	while (atomic_load(&f->turn) <= a->i && ls_clock_ns() < end)
		nanosleep(&ts, NULL);
	ls_mutex_unlock(f->m);
}

struct owner_is_not {
	struct ls_mutex *m;
	unsigned tid;
};

static bool
owner_changed(void *p)
{
	struct owner_is_not *o = p;

	return ls_mutex_owner(o->m) != o->tid;
}

START_TEST(test_fifo_handoff)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(64, 64);
	struct fifo f = { .norder = 0 };
	struct fifo_arg args[MAX_WAITERS];
	struct ls_group *g;
	unsigned i;

	ck_assert_int_eq(ls_mutex_create(r, "m", &f.m), 0);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	atomic_init(&f.turn, 0);
	atomic_init(&f.bad, 0);
	ck_assert_int_eq(ls_mutex_lock(f.m), 0);
	for (i = 0; i < k; i++) {
		args[i] = (struct fifo_arg){ &f, i };
		atomic_init(&f.rc[i], 1);
		atomic_init(&f.tid[i], 0);
		ck_assert_int_eq(ls_thread_spawn(g, "W", fifo_waiter,
						 &args[i]),
				 0);
		wait_waiters(f.m, i + 1);
	}
	ck_assert_int_eq(ls_mutex_unlock(f.m), 0);
	for (i = 0; i < k; i++) {
		struct owner_is_not o = { f.m, atomic_load(&f.tid[i]) };

		/* Handed over inside unlock: the owner is already waiter i,
		 * and a trylock cannot barge in ahead of the queue. */
		ck_assert_uint_ne(o.tid, 0);
		ck_assert_uint_eq(ls_mutex_owner(f.m), o.tid);
		ck_assert_int_eq(ls_mutex_trylock(f.m), -EBUSY);
		ck_assert_uint_eq(ls_mutex_waiters(f.m), k - 1 - i);
		atomic_store(&f.turn, i + 1);
		ck_assert_msg(test_wait_until(owner_changed, &o, WAIT_LIMIT_NS),
			      "waiter %u never released", i);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(ld(&f.bad), 0);
	ck_assert_uint_eq(f.norder, k);
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(ld(&f.rc[i]), 0);
		ck_assert_uint_eq(f.order[i], i);
	}
	ck_assert_uint_eq(ls_mutex_owner(f.m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(f.m);
	ls_ring_destroy(r);
}
END_TEST

/* Cancellation. */

struct blocked {
	struct ls_mutex *m;
	atomic_int rc[MAX_WAITERS];
	atomic_uint next;
	unsigned order[MAX_WAITERS];	/* guarded by m */
	unsigned norder;
};

struct blocked_arg {
	struct blocked *b;
	unsigned i;
};

static void
blocked_waiter(void *p)
{
	struct blocked_arg *a = p;
	int rc;

	/* Odd waiters use a timed lock with a deadline far away: both kinds
	 * of wait must end at once on cancel. */
	if (a->i & 1)
		rc = ls_mutex_timedlock(a->b->m, 3600ull * 1000000000u);
	else
		rc = ls_mutex_lock(a->b->m);
	atomic_store(&a->b->rc[a->i], rc);
	if (rc == 0) {
		a->b->order[a->b->norder++] = a->i;
		ls_mutex_unlock(a->b->m);
	}
}

START_TEST(test_cancel_waiters)
{
	const unsigned k = 6;
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[256];
	struct blocked b = { .norder = 0 };
	struct blocked_arg args[MAX_WAITERS];
	struct ls_group *g;
	uint32_t id;
	unsigned i;
	size_t n;

	ck_assert_int_eq(ls_mutex_create(r, "m", &b.m), 0);
	id = ls_mutex_id(b.m);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	ck_assert_int_eq(ls_mutex_lock(b.m), 0);
	for (i = 0; i < k; i++) {
		args[i] = (struct blocked_arg){ &b, i };
		atomic_init(&b.rc[i], 1);
		ck_assert_int_eq(ls_thread_spawn(g, "W", blocked_waiter,
						 &args[i]),
				 0);
	}
	wait_waiters(b.m, k);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++)
		ck_assert_int_eq(ld(&b.rc[i]), -ECANCELED);
	ck_assert_uint_eq(ls_mutex_waiters(b.m), 0);
	ck_assert(ls_mutex_held(b.m));
	ck_assert_int_eq(ls_mutex_unlock(b.m), 0);
	ck_assert_uint_eq(ls_mutex_owner(b.m), 0);

	n = test_drain_all(r, ev, 256);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_WAIT, id), k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_CANCELLED, id), k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_ACQUIRED, id), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(b.m);
	ls_ring_destroy(r);
}
END_TEST

/* Cancelling a waiter in the middle of the queue leaves the others in
 * order: A and C in one group, B in another, queued A, B, C. */
START_TEST(test_cancel_middle)
{
	struct blocked b = { .norder = 0 };
	struct blocked_arg args[3];
	struct ls_group *g1, *g2;
	unsigned i;

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &b.m), 0);
	ck_assert_int_eq(ls_group_create(NULL, "g1", &g1), 0);
	ck_assert_int_eq(ls_group_create(NULL, "g2", &g2), 0);
	ck_assert_int_eq(ls_mutex_lock(b.m), 0);
	/* A (0) and C (2) wait untimed, B (1) timed. */
	for (i = 0; i < 3; i++) {
		args[i] = (struct blocked_arg){ &b, i };
		atomic_init(&b.rc[i], 1);
	}
	ck_assert_int_eq(ls_thread_spawn(g1, "A", blocked_waiter, &args[0]),
			 0);
	wait_waiters(b.m, 1);
	ck_assert_int_eq(ls_thread_spawn(g2, "B", blocked_waiter, &args[1]),
			 0);
	wait_waiters(b.m, 2);
	ck_assert_int_eq(ls_thread_spawn(g1, "C", blocked_waiter, &args[2]),
			 0);
	wait_waiters(b.m, 3);

	ls_group_cancel(g2);
	ck_assert_int_eq(ls_group_join(g2), 0);
	ck_assert_int_eq(ld(&b.rc[1]), -ECANCELED);
	ck_assert_uint_eq(ls_mutex_waiters(b.m), 2);
	ck_assert_int_eq(ls_mutex_unlock(b.m), 0);
	ck_assert_int_eq(ls_group_join(g1), 0);
	ck_assert_int_eq(ld(&b.rc[0]), 0);
	ck_assert_int_eq(ld(&b.rc[2]), 0);
	ck_assert_uint_eq(b.norder, 2);
	ck_assert_uint_eq(b.order[0], 0);
	ck_assert_uint_eq(b.order[1], 2);
	ck_assert_uint_eq(ls_mutex_owner(b.m), 0);
	ck_assert_int_eq(ls_mutex_trylock(b.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(b.m), 0);
	ls_group_destroy(g1);
	ls_group_destroy(g2);
	ls_mutex_destroy(b.m);
}
END_TEST

struct gated {
	struct ls_mutex *m;
	atomic_int rc_lock, rc_unlock;
};

static void
gated_main(void *p)
{
	struct gated *s = p;
	int rc = ls_mutex_lock(s->m);

	atomic_store(&s->rc_lock, rc);
	if (rc == 0)
		atomic_store(&s->rc_unlock, ls_mutex_unlock(s->m));
}

/* Step one thread through lock's gate so that it holds m and parks at
 * unlock's gate; cancel: its unlock must still release m. */
START_TEST(test_cancel_at_unlock_gate)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_gate_view v;
	struct gated s;
	struct ls_group *g;
	uint32_t id;

	ck_assert_int_eq(ls_mutex_create(r, "m", &s.m), 0);
	id = ls_mutex_id(s.m);
	atomic_init(&s.rc_lock, 1);
	atomic_init(&s.rc_unlock, 1);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "T", gated_main, &s), 0);
	ck_assert_int_eq(ls_gate_settle(g, WAIT_LIMIT_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_uint_eq(v.next_kind, LS_EV_LOCK_ACQUIRED);
	ck_assert_uint_eq(v.next_obj, id);
	ck_assert_str_eq(v.desc, "lock");
	ck_assert_uint_eq(ls_mutex_owner(s.m), 0);	/* gate before act */

	ck_assert_int_eq(ls_gate_step(g, v.tid, WAIT_LIMIT_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_uint_eq(v.next_kind, LS_EV_LOCK_RELEASED);
	ck_assert_str_eq(v.desc, "unlock");
	ck_assert_uint_eq(ls_mutex_owner(s.m), v.tid);

	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(ld(&s.rc_lock), 0);
	ck_assert_int_eq(ld(&s.rc_unlock), 0);
	ck_assert_uint_eq(ls_mutex_owner(s.m), 0);
	ck_assert_int_eq(ls_mutex_trylock(s.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(s.m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(s.m);
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled while parked at lock's gate: -ECANCELED, m never taken. */
START_TEST(test_cancel_at_lock_gate)
{
	struct gated s;
	struct ls_group *g;

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &s.m), 0);
	atomic_init(&s.rc_lock, 1);
	atomic_init(&s.rc_unlock, 1);
	ck_assert_int_eq(ls_group_create(NULL, "g", &g), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "T", gated_main, &s), 0);
	ck_assert_int_eq(ls_gate_settle(g, WAIT_LIMIT_NS), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(ld(&s.rc_lock), -ECANCELED);
	ck_assert_int_eq(ld(&s.rc_unlock), 1);	/* never ran */
	ck_assert_int_eq(ls_mutex_trylock(s.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(s.m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(s.m);
}
END_TEST

/* A member that holds m when its group is cancelled unwinds: every
 * acquisition is refused at the gate, its unlock still releases. */
struct unwind {
	struct ls_mutex *m, *m2;
	atomic_bool locked;
	atomic_int rc_lock, rc_lock2, rc_try2, rc_timed2, rc_unlock;
	atomic_bool saw_cancel;
};

static void
unwind_main(void *p)
{
	struct unwind *u = p;
	int rc = ls_mutex_lock(u->m);

	atomic_store(&u->rc_lock, rc);
	if (rc)
		return;
	atomic_store(&u->locked, true);
	/* Test-side bounded poll for the cancel, standing in for a scene
	 * that checks ls_cancelled() between operations. */
	(void)test_wait_until(test_cancelled, NULL, WAIT_LIMIT_NS);
	atomic_store(&u->saw_cancel, ls_cancelled());
	atomic_store(&u->rc_lock2, ls_mutex_lock(u->m2));
	atomic_store(&u->rc_try2, ls_mutex_trylock(u->m2));
	atomic_store(&u->rc_timed2, ls_mutex_timedlock(u->m2, 1000000));
	atomic_store(&u->rc_unlock, ls_mutex_unlock(u->m));
}

START_TEST(test_cancel_unwind)
{
	struct unwind u;
	struct ls_group *g;

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &u.m), 0);
	ck_assert_int_eq(ls_mutex_create(NULL, "m2", &u.m2), 0);
	atomic_init(&u.locked, false);
	atomic_init(&u.saw_cancel, false);
	atomic_init(&u.rc_lock, 1);
	atomic_init(&u.rc_lock2, 1);
	atomic_init(&u.rc_try2, 1);
	atomic_init(&u.rc_timed2, 1);
	atomic_init(&u.rc_unlock, 1);
	ck_assert_int_eq(ls_group_create(NULL, "g", &g), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T", unwind_main, &u), 0);
	ck_assert(test_wait_until(test_flag_set, &u.locked, WAIT_LIMIT_NS));
	ck_assert_int_eq(ls_mutex_trylock(u.m), -EBUSY);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert(atomic_load(&u.saw_cancel));
	ck_assert_int_eq(ld(&u.rc_lock), 0);
	ck_assert_int_eq(ld(&u.rc_lock2), -ECANCELED);
	ck_assert_int_eq(ld(&u.rc_try2), -ECANCELED);
	ck_assert_int_eq(ld(&u.rc_timed2), -ECANCELED);
	ck_assert_int_eq(ld(&u.rc_unlock), 0);
	ck_assert_uint_eq(ls_mutex_owner(u.m), 0);
	ck_assert_int_eq(ls_mutex_trylock(u.m), 0);	/* released */
	ck_assert_int_eq(ls_mutex_trylock(u.m2), 0);	/* never taken */
	ck_assert_int_eq(ls_mutex_unlock(u.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(u.m2), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(u.m);
	ls_mutex_destroy(u.m2);
}
END_TEST

/* Stress. */

struct counter {
	struct ls_mutex *m;
	unsigned long iters;
	uint64_t seed;
	int value;		/* plain int: only m protects it */
	atomic_int errors;	/* lock/unlock that returned non-zero */
	atomic_int inside;	/* threads between lock and unlock */
	atomic_int overlap;	/* times inside exceeded 1 */
};

struct counter_arg {
	struct counter *c;
	unsigned i;
};

static void
counter_worker(void *p)
{
	struct counter_arg *a = p;
	struct counter *c = a->c;
	uint64_t rng = c->seed ^ (0x9e3779b97f4a7c15ull * (a->i + 1));
	unsigned long k;
	int v;

	for (k = 0; k < c->iters; k++) {
		test_jitter(&rng);
		if (ls_mutex_lock(c->m)) {
			atomic_fetch_add(&c->errors, 1);
			continue;
		}
		if (atomic_fetch_add(&c->inside, 1) != 0)
			atomic_fetch_add(&c->overlap, 1);
		/* Read, maybe get preempted, write: a lost update if the
		 * mutex did not exclude. */
		v = c->value;
		test_jitter(&rng);
		c->value = v + 1;
		atomic_fetch_sub(&c->inside, 1);
		if (ls_mutex_unlock(c->m))
			atomic_fetch_add(&c->errors, 1);
	}
}

/* N threads x M increments of a plain int; _i selects no ring or a ring
 * (the emitting path, drops included, must not change the outcome). */
START_TEST(test_counter)
{
	unsigned long nthreads = test_size("LS_MUTEX_THREADS", 4, 3);
	unsigned long iters = test_size("LS_MUTEX_ITERS", 20000, 2000);
	struct ls_ring *r = _i ? test_ring_new(1024, 64) : NULL;
	struct counter c = { .iters = iters, .seed = test_env_seed("LS_SEED") };
	struct counter_arg *args = calloc(nthreads, sizeof(*args));
	struct ls_group *g;
	unsigned i;

	ck_assert_ptr_nonnull(args);
	ck_assert_int_eq(ls_mutex_create(r, "counter", &c.m), 0);
	atomic_init(&c.errors, 0);
	atomic_init(&c.inside, 0);
	atomic_init(&c.overlap, 0);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	for (i = 0; i < nthreads; i++) {
		args[i] = (struct counter_arg){ &c, i };
		ck_assert_int_eq(ls_thread_spawn(g, "inc", counter_worker,
						 &args[i]),
				 0);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_msg(c.value == (int)(nthreads * iters) &&
			      atomic_load(&c.overlap) == 0 &&
			      atomic_load(&c.errors) == 0,
		      "count %d want %lu, overlap %d, errors %d "
		      "(seed %" PRIu64 "; replay with LS_SEED=%" PRIu64 ")",
		      c.value, nthreads * iters, atomic_load(&c.overlap),
		      atomic_load(&c.errors), c.seed, c.seed);
	ck_assert_uint_eq(ls_mutex_owner(c.m), 0);
	ck_assert_uint_eq(ls_mutex_waiters(c.m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(c.m);
	if (r)
		ls_ring_destroy(r);
	free(args);
}
END_TEST

/* Fold LOCK_ACQUIRED/RELEASED of obj as the model does: no ACQUIRED while
 * another holds it, RELEASED only by the holder.  Returns the index of
 * the first bad event, or -1; counts acquisitions in *acq. */
struct owner_model {
	unsigned holder;
	unsigned long acq;
};

static long
model_fold(struct owner_model *om, const struct ls_event *ev, size_t n,
	   uint32_t obj)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ev[i].obj != obj)
			continue;
		if (ev[i].kind == LS_EV_LOCK_ACQUIRED) {
			if (om->holder)
				return (long)i;
			om->holder = ev[i].tid;
			om->acq++;
		} else if (ev[i].kind == LS_EV_LOCK_RELEASED) {
			if (om->holder != ev[i].tid)
				return (long)i;
			om->holder = 0;
		}
	}
	return -1;
}

START_TEST(test_model_order)
{
	unsigned long rounds = test_size("LS_MUTEX_ROUNDS", 40, 8);
	unsigned long iters = test_size("LS_MUTEX_ROUND_ITERS", 2000, 300);
	const unsigned nthreads = 2;
	uint64_t seed = test_env_seed("LS_SEED");
	struct ls_event *ev = malloc(EV_MAX * sizeof(*ev));
	uint32_t lane_events = 16;
	unsigned long round;

	ck_assert_ptr_nonnull(ev);
	/* Room for every event of a thread: a drop would blind the check. */
	while (lane_events < 3 * iters + 16)
		lane_events *= 2;
	for (round = 0; round < rounds; round++) {
		struct ls_ring *r = test_ring_new(lane_events, 64);
		struct counter c = { .iters = iters, .seed = seed + round };
		struct counter_arg args[2];
		struct owner_model om = { 0, 0 };
		struct ls_group *g;
		struct timespec pace = { 0, 100000 };
		long bad = -1;
		unsigned i;
		size_t n;

		ck_assert_int_eq(ls_mutex_create(r, "m", &c.m), 0);
		atomic_init(&c.errors, 0);
		atomic_init(&c.inside, 0);
		atomic_init(&c.overlap, 0);
		ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
		for (i = 0; i < nthreads; i++) {
			args[i] = (struct counter_arg){ &c, i };
			ck_assert_int_eq(ls_thread_spawn(g, "T",
							 counter_worker,
							 &args[i]),
					 0);
		}
		/* Drain while they run: the watermark is what is tested. */
		while (ls_group_live(g) && bad < 0) {
			n = ls_ring_drain(r, ev, EV_MAX);
			bad = model_fold(&om, ev, n, ls_mutex_id(c.m));
			if (!n)
				nanosleep(&pace, NULL);
		}
		ck_assert_int_eq(ls_group_join(g), 0);
		while (bad < 0 && (n = ls_ring_drain(r, ev, EV_MAX)) > 0)
			bad = model_fold(&om, ev, n, ls_mutex_id(c.m));
		ck_assert_msg(bad < 0,
			      "round %lu: event %ld (%s by T%u) breaks the "
			      "owner rule, holder T%u (seed %" PRIu64
			      "; LS_SEED=%" PRIu64 ")",
			      round, bad, ls_event_kind_name(ev[bad].kind),
			      ev[bad].tid, om.holder, seed, seed);
		ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
		ck_assert_uint_eq(om.acq, nthreads * iters);
		ck_assert_uint_eq(om.holder, 0);
		ck_assert_int_eq(c.value, (int)(nthreads * iters));
		ls_group_destroy(g);
		ls_mutex_destroy(c.m);
		ls_ring_destroy(r);
	}
	free(ev);
}
END_TEST

static Suite *
mutex_suite(void)
{
	Suite *s = suite_create("mutex");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_try_timed);
	tcase_add_test(tc, test_timed_handoff);
	tcase_add_test(tc, test_relock);
	tcase_add_test(tc, test_wrong_owner);
	tcase_add_test(tc, test_events_one_thread);
	tcase_add_test(tc, test_events_group);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fifo_handoff);
	tcase_add_test(tc, test_cancel_waiters);
	tcase_add_test(tc, test_cancel_middle);
	tcase_add_test(tc, test_cancel_at_unlock_gate);
	tcase_add_test(tc, test_cancel_at_lock_gate);
	tcase_add_test(tc, test_cancel_unwind);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_counter, 0, 2);
	tcase_add_test(tc, test_model_order);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(mutex_suite());
}
