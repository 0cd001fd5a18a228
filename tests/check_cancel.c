/*
 * check_cancel.c - cancelling a group unwinds it: a two-lock deadlock
 * formed on purpose (two threads, two locks, opposite order, driven into
 * the cycle by stepping their gates) is cancelled and joined over and over
 * with no thread or memory left behind; the same with cancels landing at
 * random moments of a free-running deadlock-prone pair; and a cancel wakes
 * every waiter of a contended lock with -ECANCELED while the lock's holder,
 * outside the group, keeps it.
 *
 * Threads the tests start never call ck_assert: they record what they saw
 * in atomics, and the test asserts after joining them.
 */
#include "checkutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/* Bound for waits that end at once unless the engine is broken. */
#define SETTLE_NS (20ull * 1000000000u)

/* One side of the deadlock: lock first, then second, then release both. */
struct side {
	struct ls_mutex *first, *second;
	uint64_t hold_ns;	/* work between the two locks */
	bool hold_sleeps;	/* as ls_thread_sleep (cancellable) */
	_Atomic int rc1, rc2;	/* the two lock results */
	_Atomic int urc;	/* unlock of first, or 1 if never locked */
	_Atomic int done;
};

static void
side_main(void *p)
{
	struct side *s = p;
	int rc;

	atomic_store(&s->urc, 1);
	rc = ls_mutex_lock(s->first);
	atomic_store(&s->rc1, rc);
	if (rc)
		goto out;
	if (s->hold_sleeps)
		(void)ls_thread_sleep(s->hold_ns); /* -ECANCELED: go on */
	else if (s->hold_ns)
		test_sleep_ns(s->hold_ns);
	rc = ls_mutex_lock(s->second);
	atomic_store(&s->rc2, rc);
	if (rc == 0)
		ls_mutex_unlock(s->second);
	/* Cancelled or not, what is held is given back. */
	atomic_store(&s->urc, ls_mutex_unlock(s->first));
out:
	atomic_store(&s->done, 1);
}

/* Step tid and check it came to rest with the expected view. */
static void
step_to(struct control *c, unsigned tid, unsigned want_state,
	uint32_t want_obj)
{
	struct control_thread v[2];
	size_t n, i;

	ck_assert_int_eq(control_step(c, tid, SETTLE_NS, NULL, 0), 0);
	n = control_threads(c, v, 2);
	for (i = 0; i < n && v[i].tid != tid; i++)
		;
	ck_assert_uint_lt(i, n);
	ck_assert_uint_eq(v[i].state, want_state);
	if (want_state == LS_STATE_PARKED) {
		ck_assert_uint_eq(v[i].next_kind, LS_EV_LOCK_ACQUIRED);
		ck_assert_uint_eq(v[i].obj, want_obj);
	} else {
		ck_assert_uint_eq(v[i].obj, want_obj);
	}
}

/* One deadlock, formed by stepping, cancelled and joined. */
static void
deadlock_once(struct ls_ring *r, bool *both_cancelled)
{
	struct ls_mutex *a, *b;
	struct ls_group *g;
	struct side s1 = { 0 }, s2 = { 0 };
	struct control_thread v[2];
	unsigned t1, t2;
	uint32_t ida, idb;
	struct control ctl;

	ck_assert_int_eq(ls_mutex_create(r, "A", &a), 0);
	ck_assert_int_eq(ls_mutex_create(r, "B", &b), 0);
	ida = ls_mutex_id(a);
	idb = ls_mutex_id(b);
	s1.first = a;
	s1.second = b;
	s2.first = b;
	s2.second = a;
	ck_assert_int_eq(ls_group_create(r, "deadlock", &g), 0);
	control_attach(&ctl, g, r);
	control_pause(&ctl);
	ck_assert_int_eq(ls_thread_spawn(g, "T1", side_main, &s1), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T2", side_main, &s2), 0);
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	ck_assert_uint_eq(control_threads(&ctl, v, 2), 2);
	t1 = v[0].tid;
	t2 = v[1].tid;
	ck_assert_uint_eq(v[0].obj, ida);
	ck_assert_uint_eq(v[1].obj, idb);

	/* T1 takes A, T2 takes B, then each asks for the other's. */
	step_to(&ctl, t1, LS_STATE_PARKED, idb);
	step_to(&ctl, t2, LS_STATE_PARKED, ida);
	step_to(&ctl, t1, LS_STATE_BLOCKED, idb);
	step_to(&ctl, t2, LS_STATE_BLOCKED, ida);
	ck_assert_uint_eq(ls_mutex_owner(a), t1);
	ck_assert_uint_eq(ls_mutex_owner(b), t2);
	ck_assert_uint_eq(ls_mutex_waiters(a), 1);
	ck_assert_uint_eq(ls_mutex_waiters(b), 1);
	ck_assert_int_eq(atomic_load(&s1.done), 0);
	ck_assert_int_eq(atomic_load(&s2.done), 0);

	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_uint_eq(ls_group_live(g), 0);
	ck_assert_int_eq(atomic_load(&s1.rc1), 0);
	ck_assert_int_eq(atomic_load(&s2.rc1), 0);
	/*
	 * The first of the two to wake gets -ECANCELED and, unwinding,
	 * unlocks its first lock, which the mutex hands to the other if that
	 * one is still queued: a grant beats a cancel (engine-int.h), so the
	 * other gets -ECANCELED or the lock.  Never both the lock.
	 */
	ck_assert(atomic_load(&s1.rc2) == -ECANCELED ||
		  atomic_load(&s2.rc2) == -ECANCELED);
	ck_assert(atomic_load(&s1.rc2) == -ECANCELED ||
		  atomic_load(&s1.rc2) == 0);
	ck_assert(atomic_load(&s2.rc2) == -ECANCELED ||
		  atomic_load(&s2.rc2) == 0);
	*both_cancelled = atomic_load(&s1.rc2) == -ECANCELED &&
			  atomic_load(&s2.rc2) == -ECANCELED;
	ck_assert_int_eq(atomic_load(&s1.urc), 0);
	ck_assert_int_eq(atomic_load(&s2.urc), 0);
	ck_assert_uint_eq(ls_mutex_owner(a), 0);
	ck_assert_uint_eq(ls_mutex_owner(b), 0);
	ck_assert_uint_eq(ls_mutex_waiters(a), 0);
	ck_assert_uint_eq(ls_mutex_waiters(b), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_mutex_destroy(a);
	ls_mutex_destroy(b);
}

START_TEST(test_deadlock_cancel_loop)
{
	unsigned loops = (unsigned)test_size("LS_CANCEL_LOOPS", 1000, 100);
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_event ev[256];
	unsigned before = test_task_baseline(), k, both = 0;
	bool bc;

	for (k = 0; k < loops; k++) {
		deadlock_once(r, &bc);
		both += bc;
		/* Retired lanes are reused once drained. */
		while (test_drain_all(r, ev, 256))
			;
		ck_assert_uint_eq(test_task_count_settled(before), before);
	}
	ck_assert_uint_eq(test_task_count_settled(before), before);
	ck_assert_uint_eq(ls_ring_thread_count(r), 2 * loops);
	printf("check_cancel loop: %u deadlocks cancelled, %u with both "
	       "waiters cancelled (else one was handed the lock)\n",
	       loops, both);
	ls_ring_destroy(r);
}
END_TEST

/* The events of one formed deadlock tell the model the whole story. */
START_TEST(test_deadlock_cancel_events)
{
	struct ls_ring *r = test_ring_new(256, 4);
	struct ls_event ev[256];
	unsigned cancelled = 0, released = 0, acquired = 0, waits = 0;
	size_t n, i;
	bool both;

	deadlock_once(r, &both);
	n = test_drain_all(r, ev, 256);
	for (i = 0; i < n; i++) {
		switch (ev[i].kind) {
		case LS_EV_LOCK_ACQUIRED:
			acquired++;
			break;
		case LS_EV_LOCK_WAIT:
			waits++;
			break;
		case LS_EV_CANCELLED:
			cancelled++;
			break;
		case LS_EV_LOCK_RELEASED:
			released++;
			break;
		default:
			break;
		}
	}
	/* Two first locks; a second one when a grant beat the cancel. */
	ck_assert_uint_eq(waits, 2);
	ck_assert_uint_eq(acquired, both ? 2 : 3);
	ck_assert_uint_eq(cancelled, both ? 2 : 1);
	ck_assert_uint_eq(released, acquired);
	ls_ring_destroy(r);
}
END_TEST

/* A free-running pair that deadlocks sometimes, cancelled at a random
 * moment: whatever point each thread reached, it unwinds. */
START_TEST(test_cancel_at_random_moments)
{
	unsigned loops = (unsigned)test_size("LS_CANCEL_RANDOM_LOOPS", 1000,
					     100);
	uint64_t seed = test_env_seed("LS_CANCEL_SEED");
	uint64_t rng = seed;
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_event ev[256];
	unsigned before = test_task_baseline(), k, formed = 0;

	printf("check_cancel random: seed=%" PRIu64
	       " (replay: LS_CANCEL_SEED=%" PRIu64 ")\n",
	       seed, seed);
	fflush(stdout);
	for (k = 0; k < loops; k++) {
		struct ls_mutex *a, *b;
		struct ls_group *g;
		struct side s1 = { 0 }, s2 = { 0 };
		uint64_t x = test_rng_next(&rng);

		ck_assert_int_eq(ls_mutex_create(r, "A", &a), 0);
		ck_assert_int_eq(ls_mutex_create(r, "B", &b), 0);
		s1.first = s2.second = a;
		s1.second = s2.first = b;
		/* Some work between the locks makes the cycle likely. */
		s1.hold_ns = (x >> 20) % 100000;
		s2.hold_ns = (x >> 40) % 100000;
		s1.hold_sleeps = s2.hold_sleeps = (x >> 2) & 1;
		ck_assert_int_eq(ls_group_create(r, "free", &g), 0);
		ck_assert_int_eq(ls_thread_spawn(g, "T1", side_main, &s1), 0);
		ck_assert_int_eq(ls_thread_spawn(g, "T2", side_main, &s2), 0);
		if (x & 1)
			sched_yield();
		else
			test_sleep_ns((x >> 3) % 300000);
		ls_group_cancel(g);
		ck_assert_int_eq(ls_group_join(g), 0);
		ck_assert_int_eq(atomic_load(&s1.done), 1);
		ck_assert_int_eq(atomic_load(&s2.done), 1);
		/* Both held their first lock when the cancel came. */
		formed += atomic_load(&s1.rc1) == 0 &&
			  atomic_load(&s2.rc1) == 0 &&
			  (atomic_load(&s1.rc2) == -ECANCELED ||
			   atomic_load(&s2.rc2) == -ECANCELED);
		/* Whoever locked its first lock gave it back. */
		if (atomic_load(&s1.rc1) == 0)
			ck_assert_int_eq(atomic_load(&s1.urc), 0);
		if (atomic_load(&s2.rc1) == 0)
			ck_assert_int_eq(atomic_load(&s2.urc), 0);
		ck_assert_uint_eq(ls_mutex_owner(a), 0);
		ck_assert_uint_eq(ls_mutex_owner(b), 0);
		ls_group_destroy(g);
		ls_mutex_destroy(a);
		ls_mutex_destroy(b);
		while (test_drain_all(r, ev, 256))
			;
	}
	ck_assert_uint_eq(test_task_count_settled(before), before);
	printf("check_cancel random: %u loops, %u cancelled in the deadlock\n",
	       loops, formed);
	ls_ring_destroy(r);
}
END_TEST

/* Many waiters on a lock held outside the group: the cancel wakes each
 * with -ECANCELED; the holder keeps the lock. */
struct waiter_arg {
	struct ls_mutex *m;
	_Atomic int rc;
};

static void
waiter_main(void *p)
{
	struct waiter_arg *w = p;
	int rc = ls_mutex_lock(w->m);

	if (rc == 0)
		ls_mutex_unlock(w->m);
	atomic_store(&w->rc, rc);
}

START_TEST(test_cancel_wakes_every_waiter)
{
	unsigned n = (unsigned)test_size("LS_CANCEL_WAITERS", 8, 4), k;
	struct ls_ring *r = test_ring_new(64, 16);
	struct ls_mutex *m;
	struct ls_group *g;
	struct waiter_arg *w = calloc(n, sizeof(*w));
	struct control_thread v[16];
	struct ls_event ev[256];
	size_t ne, i, nv;
	unsigned cancelled = 0;
	struct control ctl;

	ck_assert_uint_le(n, 16);
	ck_assert_int_eq(ls_mutex_create(r, "M", &m), 0);
	/* The test's own thread holds M; it is in no group. */
	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_group_create(r, "waiters", &g), 0);
	control_attach(&ctl, g, r);
	control_pause(&ctl);
	for (k = 0; k < n; k++) {
		w[k].m = m;
		ck_assert_int_eq(ls_thread_spawn(g, "w", waiter_main, &w[k]),
				 0);
	}
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	nv = control_threads(&ctl, v, 16);
	ck_assert_uint_eq(nv, n);
	/* Step each into its wait. */
	for (k = 0; k < n; k++) {
		ck_assert_int_eq(control_step(&ctl, v[k].tid, SETTLE_NS, NULL,
					      0), 0);
		ck_assert_uint_eq(ls_mutex_waiters(m), k + 1);
	}
	nv = control_threads(&ctl, v, 16);
	ck_assert_uint_eq(nv, n);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(v[k].state, LS_STATE_BLOCKED);
		ck_assert_uint_eq(v[k].obj, ls_mutex_id(m));
	}
	ls_group_cancel(g);
	ls_group_join(g);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(atomic_load(&w[k].rc), -ECANCELED);
	ck_assert_uint_eq(ls_mutex_waiters(m), 0);
	ck_assert_uint_eq(ls_mutex_owner(m), 0);	/* untraced holder */
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ne = test_drain_all(r, ev, 256);
	for (i = 0; i < ne; i++)
		if (ev[i].kind == LS_EV_CANCELLED) {
			ck_assert_uint_eq(ev[i].obj, ls_mutex_id(m));
			cancelled++;
		}
	ck_assert_uint_eq(cancelled, n);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
	free(w);
}
END_TEST

/*
 * More waiters than a cancel keeps wake-ups for until it drops the
 * group's lock (64, thread.c): the ones past that are woken under it,
 * and every one of them still ends with -ECANCELED.
 */
START_TEST(test_cancel_wakes_past_its_batch)
{
	enum { N = 64 + 7 };
	struct ls_ring *r = test_ring_new(64, N + 8);
	struct waiter_arg *w = calloc(N, sizeof(*w));
	struct ls_mutex *m;
	struct ls_group *g;
	unsigned k, tries;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(ls_mutex_create(r, "M", &m), 0);
	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_group_create(r, "waiters", &g), 0);
	for (k = 0; k < N; k++) {
		w[k].m = m;
		atomic_init(&w[k].rc, 1);
		ck_assert_int_eq(ls_thread_spawn(g, "w", waiter_main, &w[k]),
				 0);
	}
	/* All asleep in the lock's queue, so each needs its wake-up. */
	for (tries = 0; ls_mutex_waiters(m) < N && tries < 20000; tries++)
		test_sleep_ns(100000);
	ck_assert_uint_eq(ls_mutex_waiters(m), N);
	ls_group_cancel(g);
	ls_group_join(g);
	for (k = 0; k < N; k++)
		ck_assert_int_eq(atomic_load(&w[k].rc), -ECANCELED);
	ck_assert_uint_eq(ls_mutex_waiters(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
	free(w);
}
END_TEST

static Suite *
cancel_suite(void)
{
	Suite *s = suite_create("cancel");
	TCase *basic = tcase_create("basic");
	TCase *loop = tcase_create("loop");

	tcase_set_timeout(basic, 10);
	tcase_add_test(basic, test_deadlock_cancel_events);
	tcase_add_test(basic, test_cancel_wakes_every_waiter);
	tcase_add_test(basic, test_cancel_wakes_past_its_batch);
	suite_add_tcase(s, basic);

	tcase_set_timeout(loop, 60);
	tcase_add_test(loop, test_deadlock_cancel_loop);
	tcase_add_test(loop, test_cancel_at_random_moments);
	suite_add_tcase(s, loop);
	return s;
}

int
main(void)
{
	return test_run_suite(cancel_suite());
}
