/*
 * check_mutex_order.c - the order a mutex is handed over in: FIFO
 * hand-off in a forced order, cancellation of waiters (all of them, one
 * in the middle, a thread parked at the lock's or the unlock's gate) and
 * a cancelled thread unwinding what it holds.
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

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

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
	struct control_thread v;
	struct gated s;
	struct ls_group *g;
	uint32_t id;
	struct control ctl;

	ck_assert_int_eq(ls_mutex_create(r, "m", &s.m), 0);
	id = ls_mutex_id(s.m);
	atomic_init(&s.rc_lock, 1);
	atomic_init(&s.rc_unlock, 1);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	control_attach(&ctl, g, r);
	control_pause(&ctl);
	ck_assert_int_eq(ls_thread_spawn(g, "T", gated_main, &s), 0);
	ck_assert_int_eq(control_settle(&ctl, WAIT_LIMIT_NS), 0);
	ck_assert_uint_eq(control_threads(&ctl, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_uint_eq(v.next_kind, LS_EV_LOCK_ACQUIRED);
	ck_assert_uint_eq(v.obj, id);
	ck_assert_str_eq(v.desc, "lock");
	ck_assert_uint_eq(ls_mutex_owner(s.m), 0);	/* gate before act */

	ck_assert_int_eq(control_step(&ctl, v.tid, WAIT_LIMIT_NS, NULL, 0), 0);
	ck_assert_uint_eq(control_threads(&ctl, &v, 1), 1);
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
	control_stop(&ctl);
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
	struct control ctl;

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &s.m), 0);
	atomic_init(&s.rc_lock, 1);
	atomic_init(&s.rc_unlock, 1);
	ck_assert_int_eq(ls_group_create(NULL, "g", &g), 0);
	control_attach(&ctl, g, NULL);
	control_pause(&ctl);
	ck_assert_int_eq(ls_thread_spawn(g, "T", gated_main, &s), 0);
	ck_assert_int_eq(control_settle(&ctl, WAIT_LIMIT_NS), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(ld(&s.rc_lock), -ECANCELED);
	ck_assert_int_eq(ld(&s.rc_unlock), 1);	/* never ran */
	ck_assert_int_eq(ls_mutex_trylock(s.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(s.m), 0);
	control_stop(&ctl);
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

static Suite *
mutex_order_suite(void)
{
	Suite *s = suite_create("mutex_order");
	TCase *tc;

	tc = tcase_create("order");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fifo_handoff);
	tcase_add_test(tc, test_cancel_waiters);
	tcase_add_test(tc, test_cancel_middle);
	tcase_add_test(tc, test_cancel_at_unlock_gate);
	tcase_add_test(tc, test_cancel_at_lock_gate);
	tcase_add_test(tc, test_cancel_unwind);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(mutex_order_suite());
}
