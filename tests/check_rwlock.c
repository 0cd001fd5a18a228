/*
 * check_rwlock.c - the Check suite of the engine's read-write lock: the
 * basics (creation, stats, the writer's tid), try and timed semantics,
 * and misuse reported as errors and events.  The other rwlock suites:
 * check_rwlock_events (events, replayed to check that no two owners ever
 * appear, and gates), check_rwlock_cancel (cancelled readers and
 * writers), check_rwlock_policy (each policy's admission rule, shown
 * deterministically) and check_rwlock_stress (the invariant under a
 * seeded random mix, and lost grants).
 */
#include "rwlockutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"

/* Basics. */

START_TEST(test_create_destroy)
{
	struct ls_ring *ring;
	struct ls_rwlock *l;
	char name[LS_NAME_MAX + 1];
	unsigned kind;
	size_t i;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	for (i = 0; i < NPOLICIES; i++) {
		ck_assert_int_eq(ls_rwlock_create(ring, "config", policies[i],
						  &l), 0);
		ck_assert_uint_eq(ls_rwlock_id(l), i + 1);
		ck_assert_int_eq(ls_rwlock_policy(l), policies[i]);
		ck_assert_int_eq(ls_ring_object_info(ring, ls_rwlock_id(l),
						     &kind, name,
						     sizeof(name)), 0);
		ck_assert_uint_eq(kind, LS_OBJ_RWLOCK);
		ck_assert_str_eq(name, "config");
		ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	}
	l = NULL;
	ck_assert_int_eq(ls_rwlock_create(ring, "bad", LS_RWLOCK_POLICY_COUNT,
					  &l), -EINVAL);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(ls_rwlock_create(NULL, "anon", LS_RWLOCK_FAIR, &l), 0);
	ck_assert_uint_eq(ls_rwlock_id(l), 0);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	ck_assert_int_eq(ls_rwlock_destroy(NULL), 0);
	ck_assert_str_eq(ls_rwlock_policy_name(LS_RWLOCK_WRITER_PREF),
			 "writer");
	ck_assert_str_eq(ls_rwlock_policy_name(LS_RWLOCK_READER_PREF),
			 "reader");
	ck_assert_str_eq(ls_rwlock_policy_name(LS_RWLOCK_FAIR), "fair");
	ck_assert_str_eq(ls_rwlock_policy_name(LS_RWLOCK_POLICY_COUNT), "?");
	ls_ring_destroy(ring);
}
END_TEST

START_TEST(test_read_write_stats)
{
	struct ls_rwlock *l = mk(policies[_i]);
	struct ls_rwlock_stats st;
	struct ls_group *g = mk_group(NULL);
	struct actor a[2];

	st = stats(l);
	ck_assert(st.readers == 0 && !st.writer && st.writer_tid == 0);
	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	/* A second reader shares the lock. */
	actor_start(g, &a[0], l, OP_RD, true);
	WAIT_UNTIL(atomic_load(&a[0].in));
	st = stats(l);
	ck_assert_uint_eq(st.readers, 2);
	ck_assert(!st.writer);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_uint_eq(stats(l).readers, 1);
	ck_assert_int_eq(sem_post(&a[0].go), 0);
	WAIT_UNTIL(atomic_load(&a[0].done));
	ck_assert_int_eq(atomic_load(&a[0].unlock_rc), 0);
	ck_assert_uint_eq(stats(l).readers, 0);

	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	st = stats(l);
	ck_assert(st.writer && st.readers == 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	st = stats(l);
	ck_assert(!st.writer && st.readers == 0);

	/* A writer in another thread; its group has no ring, so no tid. */
	actor_start(g, &a[1], l, OP_WR, true);
	WAIT_UNTIL(atomic_load(&a[1].in));
	st = stats(l);
	ck_assert(st.writer && st.readers == 0);
	ck_assert_uint_eq(st.writer_tid, 0);
	ck_assert_int_eq(sem_post(&a[1].go), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a[1].unlock_rc), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

START_TEST(test_writer_tid)
{
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_rwlock *l;
	struct actor a;
	struct ls_rwlock_stats st;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_rwlock_create(ring, "t", LS_RWLOCK_WRITER_PREF,
					  &l), 0);
	g = mk_group(ring);
	actor_start(g, &a, l, OP_WR, true);
	WAIT_UNTIL(atomic_load(&a.in));
	st = stats(l);
	ck_assert(st.writer);
	ck_assert_uint_eq(st.writer_tid, 1);	/* the first lane */
	ck_assert_int_eq(sem_post(&a.go), 0);
	ls_group_join(g);
	ck_assert_uint_eq(stats(l).writer_tid, 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	ls_ring_destroy(ring);
}
END_TEST

/* Try and timed. */

START_TEST(test_try)
{
	enum ls_rwlock_policy p = policies[_i];
	struct ls_rwlock *l = mk(p);
	struct ls_group *g = mk_group(NULL);
	struct actor w;
	int want;

	/* Free: both succeed. */
	ck_assert_int_eq(ls_rwlock_tryrdlock(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_int_eq(ls_rwlock_trywrlock(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);

	/* Writer inside: both fail. */
	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYRD, 0), -EBUSY);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYWR, 0), -EBUSY);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);

	/* Reader inside, nobody waiting: readers yes, writers no. */
	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYRD, 0), 0);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYWR, 0), -EBUSY);

	/* Reader inside, a writer waiting: the policy decides. */
	actor_start(g, &w, l, OP_WR, false);
	WAIT_UNTIL(stats(l).writers_waiting == 1);
	want = p == LS_RWLOCK_READER_PREF ? 0 : -EBUSY;
	ck_assert_int_eq(op_elsewhere(l, OP_TRYRD, 0), want);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYWR, 0), -EBUSY);
	ck_assert_uint_eq(stats(l).writers_waiting, 1);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w.rc), 0);
	ck_assert_int_eq(atomic_load(&w.unlock_rc), 0);
	ck_assert_uint_eq(waiting(l), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

START_TEST(test_timed)
{
	const uint64_t timeout = 20 * 1000000u;
	struct ls_rwlock *l = mk(policies[_i]);
	struct ls_group *g = mk_group(NULL);
	struct actor a;
	uint64_t t0, t1;

	/* Times out, no sooner than asked, and leaves the queue. */
	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	t0 = ls_clock_ns();
	ck_assert_int_eq(op_elsewhere(l, OP_TIMEDRD, timeout), -ETIMEDOUT);
	t1 = ls_clock_ns();
	ck_assert_uint_ge(t1 - t0, timeout);
	ck_assert_int_eq(op_elsewhere(l, OP_TIMEDWR, timeout), -ETIMEDOUT);
	ck_assert_uint_eq(waiting(l), 0);
	/* A zero timeout is a try that reports a timeout. */
	ck_assert_int_eq(op_elsewhere(l, OP_TIMEDWR, 0), -ETIMEDOUT);

	/* Succeeds when the lock comes free within the timeout. */
	actor_start(g, &a, l, OP_TIMEDWR, false);
	WAIT_UNTIL(stats(l).writers_waiting == 1);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a.rc), 0);
	ck_assert_int_eq(atomic_load(&a.unlock_rc), 0);

	/* Free: a timed lock does not wait at all. */
	ck_assert_int_eq(ls_rwlock_timedrdlock(l, 0), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_int_eq(ls_rwlock_timedwrlock(l, 0), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/*
 * Writer preference: a writer that gives up (timeout) must let in the
 * readers it was keeping out, while the lock is still read-held.
 */
START_TEST(test_timeout_unblocks_readers)
{
	struct ls_rwlock *l = mk(LS_RWLOCK_WRITER_PREF);
	struct ls_group *g = mk_group(NULL);
	struct actor w, r;

	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	actor_init(&w, l, OP_TIMEDWR, false);
	w.timeout_ns = 200 * 1000000u;
	ck_assert_int_eq(ls_thread_spawn(g, "w", actor_main, &w), 0);
	WAIT_UNTIL(stats(l).writers_waiting == 1);
	actor_start(g, &r, l, OP_RD, true);
	/* Queued behind the writer, or (if the writer already timed out)
	 * in: either way it must get in while we still read. */
	WAIT_UNTIL(atomic_load(&r.in));
	WAIT_UNTIL(atomic_load(&w.done));
	ck_assert_int_eq(atomic_load(&w.rc), -ETIMEDOUT);
	ck_assert_uint_eq(stats(l).readers, 2);
	ck_assert_int_eq(sem_post(&r.go), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&r.unlock_rc), 0);
	ck_assert_uint_eq(waiting(l), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/* Misuse. */

struct unlock_other {
	struct ls_rwlock *l;
	_Atomic int rc;
};

static void
unlock_other_main(void *arg)
{
	struct unlock_other *u = arg;

	atomic_store(&u->rc, ls_rwlock_unlock(u->l));
}

START_TEST(test_misuse)
{
	struct ls_rwlock *l, *many[LS_RWLOCK_MAX_HELD + 1];
	struct unlock_other u;
	struct ls_group *g;
	struct trace t;
	uint32_t id;
	long i;
	size_t k;

	trace_open(&t, 1024, 4);
	ck_assert_int_eq(ls_rwlock_create(t.ring, "m", policies[_i], &l), 0);
	id = ls_rwlock_id(l);

	/* Unlock of a lock not held. */
	ck_assert_int_eq(ls_rwlock_unlock(l), -EPERM);
	/* Taking it twice, or upgrading, or downgrading. */
	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	ck_assert_int_eq(ls_rwlock_rdlock(l), -EDEADLK);
	ck_assert_int_eq(ls_rwlock_tryrdlock(l), -EDEADLK);
	ck_assert_int_eq(ls_rwlock_wrlock(l), -EDEADLK);
	ck_assert_int_eq(ls_rwlock_timedwrlock(l, 1000), -EDEADLK);
	ck_assert_uint_eq(stats(l).readers, 1);
	ck_assert_int_eq(ls_rwlock_destroy(l), -EBUSY);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), -EPERM);
	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	ck_assert_int_eq(ls_rwlock_wrlock(l), -EDEADLK);
	ck_assert_int_eq(ls_rwlock_trywrlock(l), -EDEADLK);
	ck_assert_int_eq(ls_rwlock_rdlock(l), -EDEADLK);
	ck_assert_int_eq(ls_rwlock_timedrdlock(l, 1000), -EDEADLK);

	/* Another thread cannot release our write hold. */
	g = mk_group(NULL);
	u.l = l;
	atomic_init(&u.rc, PENDING);
	ck_assert_int_eq(ls_thread_spawn(g, "other", unlock_other_main, &u),
			 0);
	ls_group_join(g);
	ls_group_destroy(g);
	ck_assert_int_eq(atomic_load(&u.rc), -EPERM);
	ck_assert(stats(l).writer);
	ck_assert_int_eq(ls_rwlock_destroy(l), -EBUSY);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert(!stats(l).writer);

	/* The hold table is bounded and says so. */
	for (k = 0; k <= LS_RWLOCK_MAX_HELD; k++)
		ck_assert_int_eq(ls_rwlock_create(NULL, "h", policies[_i],
						  &many[k]), 0);
	for (k = 0; k < LS_RWLOCK_MAX_HELD; k++)
		ck_assert_int_eq(k % 2 ? ls_rwlock_rdlock(many[k])
				       : ls_rwlock_wrlock(many[k]), 0);
	ck_assert_int_eq(ls_rwlock_rdlock(many[k]), -EAGAIN);
	ck_assert_int_eq(ls_rwlock_wrlock(many[k]), -EAGAIN);
	ck_assert_uint_eq(stats(many[k]).readers, 0);
	for (k = 0; k < LS_RWLOCK_MAX_HELD; k++)
		ck_assert_int_eq(ls_rwlock_unlock(many[k]), 0);
	for (k = 0; k <= LS_RWLOCK_MAX_HELD; k++)
		ck_assert_int_eq(ls_rwlock_destroy(many[k]), 0);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	trace_close(&t);

	/* The errors reached the trace, with their codes. */
	i = find_ev(&t, 0, LS_EV_ERROR, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, LS_ERR_NOT_OWNER);
	i = find_ev(&t, (size_t)i + 1, LS_EV_ERROR, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, LS_ERR_RELOCK);
	ck_assert_uint_eq(t.log.ev[i].aux, 0);	/* a read */
	i = find_ev(&t, (size_t)i + 1, LS_EV_ERROR, id);
	i = find_ev(&t, (size_t)i + 1, LS_EV_ERROR, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, LS_ERR_RELOCK);
	ck_assert_uint_eq(t.log.ev[i].aux, 1);	/* a write */
	trace_free(&t);
}
END_TEST

static Suite *
rwlock_suite(void)
{
	Suite *s = suite_create("rwlock");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_create_destroy);
	tcase_add_loop_test(tc, test_read_write_stats, 0, NPOLICIES);
	tcase_add_test(tc, test_writer_tid);
	tcase_add_loop_test(tc, test_try, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_timed, 0, NPOLICIES);
	tcase_add_test(tc, test_timeout_unblocks_readers);
	tcase_add_loop_test(tc, test_misuse, 0, NPOLICIES);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(rwlock_suite());
}
