/*
 * check_rwlock_cancel.c - cancelling the groups of threads blocked on, or
 * parked at the gate of, a read-write lock: each returns -ECANCELED, a
 * cancelled writer lets in the readers queued behind it, and a cancelled
 * holder still releases.
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

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"

/* Cancellation. */

START_TEST(test_cancel_blocked)
{
	struct ls_rwlock *l = mk(policies[_i]);
	struct ls_group *g = mk_group(NULL);
	struct actor a[4];
	unsigned i;

	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	actor_start(g, &a[0], l, OP_RD, false);
	actor_start(g, &a[1], l, OP_WR, false);
	actor_start(g, &a[2], l, OP_TIMEDRD, false);
	actor_start(g, &a[3], l, OP_TIMEDWR, false);
	WAIT_UNTIL(waiting(l) == 4);
	ls_group_cancel(g);
	ls_group_join(g);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(atomic_load(&a[i].rc), -ECANCELED);
	ck_assert_uint_eq(waiting(l), 0);
	ck_assert(stats(l).writer);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	/* Nothing was left behind: the lock is free. */
	ck_assert_int_eq(ls_rwlock_trywrlock(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);

	/* Blocked behind readers too. */
	ls_group_destroy(g);
	g = mk_group(NULL);
	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	actor_start(g, &a[0], l, OP_WR, false);
	WAIT_UNTIL(waiting(l) == 1);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a[0].rc), -ECANCELED);
	ck_assert_uint_eq(waiting(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_int_eq(ls_rwlock_trywrlock(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/* A cancelled writer lets in the readers queued behind it. */
START_TEST(test_cancel_unblocks_readers)
{
	struct ls_rwlock *l = mk(LS_RWLOCK_WRITER_PREF);
	struct ls_group *gw = mk_group(NULL), *gr = mk_group(NULL);
	struct actor w, r;

	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	actor_start(gw, &w, l, OP_WR, false);
	WAIT_UNTIL(stats(l).writers_waiting == 1);
	actor_start(gr, &r, l, OP_RD, true);
	WAIT_UNTIL(stats(l).readers_waiting == 1);
	ck_assert_uint_eq(stats(l).readers, 1);
	ls_group_cancel(gw);
	ls_group_join(gw);
	ck_assert_int_eq(atomic_load(&w.rc), -ECANCELED);
	WAIT_UNTIL(atomic_load(&r.in));
	ck_assert_uint_eq(stats(l).readers, 2);
	ck_assert_int_eq(sem_post(&r.go), 0);
	ls_group_join(gr);
	ck_assert_int_eq(atomic_load(&r.unlock_rc), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_uint_eq(waiting(l), 0);
	ls_group_destroy(gw);
	ls_group_destroy(gr);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/* Cancelled at the gate: returns without acting, and a CANCELLED event.
 * Cancelled while holding: unlock still releases. */
struct cancel_hold {
	struct ls_rwlock *l;
	atomic_bool in;
	_Atomic int unlock_rc;
};

static void
cancel_hold_main(void *arg)
{
	struct cancel_hold *c = arg;

	if (ls_rwlock_rdlock(c->l))
		return;
	atomic_store(&c->in, true);
	/* Sleep until cancelled, then let go. */
	while (ls_thread_sleep(1000000000u) == 0)
		;
	atomic_store(&c->unlock_rc, ls_rwlock_unlock(c->l));
}

START_TEST(test_cancel_gate_and_hold)
{
	struct ls_ring *ring;
	struct ls_rwlock *l;
	struct ls_group *g;
	struct cancel_hold c;
	struct actor a;
	struct trace t;
	struct control ctl;

	trace_open(&t, 1024, 8);
	ring = t.ring;
	ck_assert_int_eq(ls_rwlock_create(ring, "c", policies[_i], &l), 0);

	g = mk_group(ring);
	control_attach(&ctl, g, ring);
	control_pause(&ctl);
	actor_start(g, &a, l, OP_WR, false);
	ck_assert_int_eq(control_settle(&ctl, 10ull * 1000000000u), 0);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a.rc), -ECANCELED);
	ck_assert(!stats(l).writer);
	control_stop(&ctl);
	ls_group_destroy(g);

	g = mk_group(ring);
	c.l = l;
	atomic_init(&c.in, false);
	atomic_init(&c.unlock_rc, PENDING);
	ck_assert_int_eq(ls_thread_spawn(g, "h", cancel_hold_main, &c), 0);
	WAIT_UNTIL(atomic_load(&c.in));
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&c.unlock_rc), 0);
	ck_assert_uint_eq(stats(l).readers, 0);
	ls_group_destroy(g);
	trace_close(&t);
	ck_assert_int_ge(find_ev(&t, 0, LS_EV_CANCELLED, ls_rwlock_id(l)), 0);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	trace_free(&t);
}
END_TEST

static Suite *
rwlock_cancel_suite(void)
{
	Suite *s = suite_create("rwlock_cancel");
	TCase *tc;

	tc = tcase_create("cancel");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_cancel_blocked, 0, NPOLICIES);
	tcase_add_test(tc, test_cancel_unblocks_readers);
	tcase_add_loop_test(tc, test_cancel_gate_and_hold, 0, NPOLICIES);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(rwlock_cancel_suite());
}
