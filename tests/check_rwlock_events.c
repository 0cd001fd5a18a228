/*
 * check_rwlock_events.c - what the read-write lock writes into the ring:
 * the kinds and arguments of each operation's events, timeouts, and a
 * contended lock's events replayed in ring order, which must never show a
 * writer together with anybody; and its gates, passed before acting.
 *
 * Sizes: RWLOCK_REPLAY_OPS (operations per thread in the replay).
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

/* Events, in one thread: kinds and arguments. */

START_TEST(test_events)
{
	struct ls_rwlock *l;
	struct ls_group *g;
	struct actor w;
	struct trace t;
	uint32_t id;
	long i;

	trace_open(&t, 1024, 4);
	ck_assert_int_eq(ls_rwlock_create(t.ring, "e", policies[_i], &l), 0);
	id = ls_rwlock_id(l);
	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYRD, 0), -EBUSY);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ck_assert_int_eq(ls_rwlock_tryrdlock(l), 0);
	/* A writer that waits, in a ring-backed group. */
	g = mk_group(t.ring);
	actor_start(g, &w, l, OP_TIMEDWR, false);
	WAIT_UNTIL(stats(l).writers_waiting == 1);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w.rc), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	trace_close(&t);

	i = find_ev(&t, 0, LS_EV_RD_ACQUIRED, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, 1);	/* readers inside after */
	ck_assert_uint_eq(t.log.ev[i].aux, 0);	/* did not wait */
	ck_assert_int_eq(t.log.ev[i + 1].kind, LS_EV_RD_RELEASED);
	ck_assert_uint_eq(t.log.ev[i + 1].arg, 0);
	ck_assert_int_eq(t.log.ev[i + 2].kind, LS_EV_WR_ACQUIRED);
	ck_assert_uint_eq(t.log.ev[i + 2].arg, 0);	/* no wait */
	/* The failed try from the other thread (no lane: not traced). */
	ck_assert_int_eq(t.log.ev[i + 3].kind, LS_EV_WR_RELEASED);
	ck_assert_int_eq(t.log.ev[i + 4].kind, LS_EV_RD_ACQUIRED);
	/* The writer's wait, in its own lane: WAIT with one reader inside
	 * and itself queued, then ACQUIRED after our RELEASED. */
	i = find_ev(&t, 0, LS_EV_WR_WAIT, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, 1);
	ck_assert_uint_eq(t.log.ev[i].aux, 1);
	i = find_ev(&t, (size_t)i, LS_EV_RD_RELEASED, id);
	ck_assert_int_ge(i, 0);
	i = find_ev(&t, (size_t)i, LS_EV_WR_ACQUIRED, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_gt(t.log.ev[i].arg, 0);	/* it waited */
	ck_assert_int_ge(find_ev(&t, (size_t)i, LS_EV_WR_RELEASED, id), 0);
	trace_free(&t);
}
END_TEST

START_TEST(test_timeout_events)
{
	struct ls_rwlock *l;
	struct ls_group *g;
	struct actor a;
	struct trace t;
	uint32_t id;
	long i;

	trace_open(&t, 1024, 4);
	ck_assert_int_eq(ls_rwlock_create(t.ring, "e", policies[_i], &l), 0);
	id = ls_rwlock_id(l);
	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	g = mk_group(t.ring);
	actor_init(&a, l, OP_TIMEDRD, false);
	a.timeout_ns = 1000000;
	ck_assert_int_eq(ls_thread_spawn(g, "r", actor_main, &a), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a.rc), -ETIMEDOUT);
	actor_init(&a, l, OP_TRYWR, false);
	ck_assert_int_eq(ls_thread_spawn(g, "w", actor_main, &a), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a.rc), -EBUSY);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	trace_close(&t);

	i = find_ev(&t, 0, LS_EV_RD_WAIT, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, 0);	/* no reader inside */
	i = find_ev(&t, (size_t)i, LS_EV_RW_TIMEOUT, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_ge(t.log.ev[i].arg, 1000000);	/* waited the timeout */
	ck_assert_uint_eq(t.log.ev[i].aux, 0);		/* a reader */
	i = find_ev(&t, (size_t)i + 1, LS_EV_RW_TIMEOUT, id);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(t.log.ev[i].arg, 0);		/* a try: no wait */
	ck_assert_uint_eq(t.log.ev[i].aux, 1);		/* a writer */
	trace_free(&t);
}
END_TEST

/*
 * The events of a contended lock, replayed in the order the ring gives,
 * never show a writer together with anybody: ACQUIRED is emitted after
 * the real acquisition and RELEASED before the real release.
 */
struct replay {
	struct ls_rwlock *l;
	unsigned ops;
	uint64_t seed;
	pthread_barrier_t start;
	_Atomic unsigned idx;
	_Atomic unsigned errors;
};

static void
replay_worker(void *arg)
{
	struct replay *r = arg;
	uint64_t x = r->seed + 7919 * (atomic_fetch_add(&r->idx, 1) + 1);
	unsigned i;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < r->ops; i++) {
		int rc = test_rng_next(&x) % 4 ? ls_rwlock_rdlock(r->l)
					  : ls_rwlock_wrlock(r->l);

		if (rc) {
			atomic_fetch_add(&r->errors, 1);
			continue;
		}
		/* Sometimes hold on across a yield, so others queue. */
		if (test_rng_next(&x) % 8 == 0)
			sched_yield();
		if (ls_rwlock_unlock(r->l))
			atomic_fetch_add(&r->errors, 1);
	}
}

/* Releases sort before acquisitions stamped with the same time. */
static int
ev_cmp(const void *a, const void *b)
{
	const struct ls_event *x = a, *y = b;
	int rx = x->kind == LS_EV_RD_RELEASED || x->kind == LS_EV_WR_RELEASED;
	int ry = y->kind == LS_EV_RD_RELEASED || y->kind == LS_EV_WR_RELEASED;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return ry - rx;
}

START_TEST(test_event_replay)
{
	const unsigned threads = 3;
	struct replay r = { 0 };
	struct ls_group *g;
	struct trace t;
	unsigned i, readers = 0, writer = 0, bad = 0, acquired = 0, waits = 0;
	uint32_t id;

	r.ops = (unsigned)test_size("RWLOCK_REPLAY_OPS", 10000, 2000);
	r.seed = 12345;
	/* Room for every event: nothing drains while they run. */
	trace_open(&t, 1u << 16, threads + 1);
	ck_assert_int_le(2 * r.ops + 16, 1u << 16);
	ck_assert_int_eq(ls_rwlock_create(t.ring, "r", policies[_i], &r.l),
			 0);
	id = ls_rwlock_id(r.l);
	pthread_barrier_init(&r.start, NULL, threads);
	g = mk_group(t.ring);
	for (i = 0; i < threads; i++)
		ck_assert_int_eq(ls_thread_spawn(g, "w", replay_worker, &r), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	pthread_barrier_destroy(&r.start);
	ck_assert_uint_eq(atomic_load(&r.errors), 0);
	ck_assert_int_eq(ls_rwlock_destroy(r.l), 0);
	trace_close(&t);
	ck_assert_uint_eq(t.dropped, 0);

	qsort(t.log.ev, t.log.n, sizeof(*t.log.ev), ev_cmp);
	for (i = 0; i < t.log.n; i++) {
		const struct ls_event *e = &t.log.ev[i];

		if (e->obj != id)
			continue;
		switch (e->kind) {
		case LS_EV_RD_WAIT:
		case LS_EV_WR_WAIT:
			waits++;
			break;
		case LS_EV_RD_ACQUIRED:
			bad += writer != 0;
			readers++;
			acquired++;
			break;
		case LS_EV_RD_RELEASED:
			bad += readers == 0;
			readers--;
			break;
		case LS_EV_WR_ACQUIRED:
			bad += writer != 0 || readers != 0;
			writer = e->tid;
			acquired++;
			break;
		case LS_EV_WR_RELEASED:
			bad += writer != e->tid;
			writer = 0;
			break;
		default:
			break;
		}
	}
	ck_assert_uint_eq(acquired, threads * r.ops);
	/* The lock was contended (else the test shows nothing). */
	ck_assert_uint_gt(waits, 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(readers, 0);
	ck_assert_uint_eq(writer, 0);
	trace_free(&t);
}
END_TEST

/* Gates: an operation waits at its gate before it acts. */

START_TEST(test_gate)
{
	struct ls_ring *ring;
	struct ls_rwlock *l;
	struct ls_group *g;
	struct control_thread v;
	struct actor a;
	struct control ctl;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_rwlock_create(ring, "g", policies[_i], &l), 0);
	g = mk_group(ring);
	control_attach(&ctl, g, ring);
	control_pause(&ctl);
	actor_start(g, &a, l, OP_RD, true);
	ck_assert_int_eq(control_settle(&ctl, 10ull * 1000000000u), 0);
	ck_assert_uint_eq(control_threads(&ctl, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_uint_eq(v.next_kind, LS_EV_RD_ACQUIRED);
	ck_assert_uint_eq(v.obj, ls_rwlock_id(l));
	ck_assert_str_eq(v.desc, "rdlock");
	ck_assert_uint_eq(stats(l).readers, 0);
	/* Resumed, it takes the lock and holds it (in sem_wait, which the
	 * gate counts as running, so wait for the fact, not for rest). */
	control_resume(&ctl);
	WAIT_UNTIL(atomic_load(&a.in));
	ck_assert_uint_eq(stats(l).readers, 1);
	control_pause(&ctl);
	ck_assert_int_eq(sem_post(&a.go), 0);
	ck_assert_int_eq(control_settle(&ctl, 10ull * 1000000000u), 0);
	ck_assert_uint_eq(control_threads(&ctl, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_uint_eq(v.next_kind, LS_EV_RD_RELEASED);
	ck_assert_uint_eq(stats(l).readers, 1);
	control_resume(&ctl);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&a.unlock_rc), 0);
	ck_assert_uint_eq(stats(l).readers, 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	ls_ring_destroy(ring);
}
END_TEST

static Suite *
rwlock_events_suite(void)
{
	Suite *s = suite_create("rwlock_events");
	TCase *tc;

	tc = tcase_create("events");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, test_events, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_timeout_events, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_event_replay, 0, NPOLICIES);
	tcase_add_loop_test(tc, test_gate, 0, NPOLICIES);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(rwlock_events_suite());
}
