/*
 * check_mutex.c - Check suite for the engine's instrumented mutex: the
 * basics, try and timed semantics, misuse reported (wrong-owner unlock,
 * relock), and the exact events of simple runs.  check_mutex_order holds
 * the FIFO hand-off and cancellation, check_mutex_stress mutual exclusion
 * under seeded random timing and the model-order rule.
 */
#include "mutexutil.h"

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
	return s;
}

int
main(void)
{
	return test_run_suite(mutex_suite());
}
