/*
 * check_barrier.c - Check suite for the engine's reusable barrier.
 *
 * Semantics (parties of one, the serial return), the exact events of a
 * round, the gate probe (only the arrival that completes a round goes
 * through), cancellation (waiters unwound and no longer counted, so a
 * round never opens for threads that will not go on; a wait refused at its
 * gate), and a seeded stress of rounds: more threads than parties, each
 * coming round again at once, where nobody passes before its round is
 * full, each round has exactly one serial thread, and the events fold as
 * the model will (arrivals count up, each generation passed by exactly
 * parties - 1 waiters).
 *
 * Sizes: LS_BARRIER_THREADS, LS_BARRIER_ROUNDS, LS_BARRIER_RACES.
 * LS_SEED=n replays the random timing of a failure.
 */
#include "config.h"

#include "lockstep/barrier.h"

#include <errno.h>
#include <stdlib.h>

#include "control/control.h"
#include "primutil.h"

static int
op_wait(void *obj, unsigned i)
{
	(void)i;
	return ls_barrier_wait(obj);
}

START_TEST(test_basics)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_barrier *b = NULL;
	unsigned kind;

	ck_assert_int_eq(ls_barrier_create(r, "b", 0, &b), -EINVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(ls_barrier_create(r, "solo", 1, &b), 0);
	ck_assert_int_eq(ls_ring_object_info(r, ls_barrier_id(b), &kind,
					     NULL, 0),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_BARRIER);
	ck_assert_str_eq(ls_obj_kind_name(kind), "barrier");
	ck_assert_uint_eq(ls_barrier_parties(b), 1);
	/* One party: every arrival is the last, and serial. */
	ck_assert_int_eq(ls_barrier_wait(b), LS_BARRIER_SERIAL);
	ck_assert_int_eq(ls_barrier_wait(b), LS_BARRIER_SERIAL);
	ck_assert_uint_eq(ls_barrier_generation(b), 2);
	ck_assert_uint_eq(ls_barrier_waiters(b), 0);
	ls_barrier_destroy(b);
	ls_barrier_destroy(NULL);
	ck_assert_int_eq(ls_barrier_create(NULL, "z", 3, &b), 0);
	ck_assert_uint_eq(ls_barrier_id(b), 0);
	ls_barrier_destroy(b);
	ls_ring_destroy(r);
}
END_TEST

/* One round of three: two members wait, the test thread completes it. */
START_TEST(test_round_events)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct prim_run run;
	struct ls_barrier *b;
	struct ls_group *g;
	uint32_t id;
	static const struct prim_ev want[] = {
		{ LS_EV_BAR_WAIT, 1, 3 },
		{ LS_EV_BAR_WAIT, 2, 3 },
		{ LS_EV_BAR_RELEASE, 1, 3 },
		{ LS_EV_BAR_PASSED, 1, PRIM_ANY },
		{ LS_EV_BAR_PASSED, 1, PRIM_ANY },
	};
	struct control ctl;

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_barrier_create(r, "b", 3, &b), 0);
	id = ls_barrier_id(b);
	prim_run_init(&run, op_wait, b);
	g = prim_group_attached(r, "g", &ctl);
	prim_spawn(g, &run, 0, "W");
	prim_wait_blocked(&ctl, id, 1);
	prim_spawn(g, &run, 1, "W");
	prim_wait_blocked(&ctl, id, 2);
	ck_assert_uint_eq(ls_barrier_waiters(b), 2);
	ck_assert_uint_eq(ls_barrier_generation(b), 0);
	ck_assert_int_eq(ls_barrier_wait(b), LS_BARRIER_SERIAL);
	ck_assert_uint_eq(ls_barrier_generation(b), 1);
	ck_assert_uint_eq(ls_barrier_waiters(b), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&run, 0), 0);
	ck_assert_int_eq(prim_rc(&run, 1), 0);
	prim_expect_lane(r, lane, id, want, sizeof(want) / sizeof(want[0]));
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_barrier_destroy(b);
	ls_ring_destroy(r);
}
END_TEST

/* Parked at the barrier, a party's probe says it would wait unless it is
 * the one that completes the round; stepped, each does as predicted. */
START_TEST(test_probe)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct control_thread v;
	struct prim_run run;
	struct ls_barrier *b;
	struct ls_group *g;
	uint32_t id;
	struct control ctl;

	ck_assert_int_eq(ls_barrier_create(r, "b", 2, &b), 0);
	id = ls_barrier_id(b);
	prim_run_init(&run, op_wait, b);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &run, 0, "first");
	prim_spawn(g, &run, 1, "second");
	prim_assert_parked(&ctl, "first", LS_EV_BAR_PASSED, id, false, 0);
	prim_assert_parked(&ctl, "second", LS_EV_BAR_PASSED, id, false, 0);
	prim_step(&ctl, "first");
	prim_assert_blocked(&ctl, "first", id);
	/* Now second completes the round. */
	prim_assert_parked(&ctl, "second", LS_EV_BAR_PASSED, id, true, 0);
	prim_step(&ctl, "second");
	v = prim_view(&ctl, "first");
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "after");
	ck_assert_int_eq(prim_rc(&run, 0), 0);
	ck_assert_int_eq(prim_rc(&run, 1), LS_BARRIER_SERIAL);
	control_resume(&ctl);
	ck_assert_int_eq(ls_group_join(g), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_barrier_destroy(b);
	ls_ring_destroy(r);
}
END_TEST

/* Six of eight parties wait and are cancelled: they leave, and count no
 * more; a new round needs eight real arrivals. */
START_TEST(test_cancel_waiters)
{
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_barrier *b;

	ck_assert_int_eq(ls_barrier_create(r, "b", 8, &b), 0);
	prim_cancel_waiters(r, op_wait, b, ls_barrier_id(b), 6);
	ck_assert_uint_eq(ls_barrier_waiters(b), 0);
	ck_assert_uint_eq(ls_barrier_generation(b), 0);
	ls_barrier_destroy(b);

	/* With one party less than needed, one arrival does not pass. */
	ck_assert_int_eq(ls_barrier_create(r, "b2", 2, &b), 0);
	prim_cancel_waiters(r, op_wait, b, ls_barrier_id(b), 1);
	ck_assert_uint_eq(ls_barrier_generation(b), 0);
	ls_barrier_destroy(b);
	ls_ring_destroy(r);
}
END_TEST

/*
 * A cancelled waiter does not count, whether it has left the queue yet or
 * not: A (group ga) waits at a barrier of two and ga is cancelled; B
 * (group gb) then arrives and must wait, not pass with a party that will
 * not go on; the test thread completes B's round.  Repeated, so B meets
 * A both still queued and gone.
 */
START_TEST(test_cancelled_not_counted)
{
	unsigned loops = (unsigned)test_size("LS_BARRIER_RACES", 200, 40), k;
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_event ev[64];

	for (k = 0; k < loops; k++) {
		struct prim_run ra, rb;
		struct ls_group *ga, *gb;
		struct control ca, cb;
		struct ls_barrier *b;
		uint32_t id;

		ck_assert_int_eq(ls_barrier_create(r, "b", 2, &b), 0);
		id = ls_barrier_id(b);
		prim_run_init(&ra, op_wait, b);
		prim_run_init(&rb, op_wait, b);
		ga = prim_group_attached(r, "ga", &ca);
		gb = prim_group_attached(r, "gb", &cb);
		prim_spawn(ga, &ra, 0, "A");
		prim_wait_blocked(&ca, id, 1);
		ls_group_cancel(ga);
		prim_spawn(gb, &rb, 0, "B");
		prim_wait_blocked(&cb, id, 1);
		ck_assert_uint_eq(ls_barrier_generation(b), 0);
		ck_assert_int_eq(ls_barrier_wait(b), LS_BARRIER_SERIAL);
		ck_assert_int_eq(ls_group_join(ga), 0);
		ck_assert_int_eq(ls_group_join(gb), 0);
		ck_assert_int_eq(prim_rc(&ra, 0), -ECANCELED);
		ck_assert_int_eq(prim_rc(&rb, 0), 0);
		ck_assert_uint_eq(ls_barrier_generation(b), 1);
		ck_assert_uint_eq(ls_barrier_waiters(b), 0);
		control_stop(&ca);
		control_stop(&cb);
		ls_group_destroy(ga);
		ls_group_destroy(gb);
		ls_barrier_destroy(b);
		while (test_drain_all(r, ev, 64))
			;
	}
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled while parked at the gate: refused, and no arrival counted. */
START_TEST(test_cancel_at_gate)
{
	struct prim_run run;
	struct ls_barrier *b;
	struct ls_group *g;
	struct control ctl;

	ck_assert_int_eq(ls_barrier_create(NULL, "b", 2, &b), 0);
	prim_run_init(&run, op_wait, b);
	g = prim_group_paused(NULL, &ctl);
	prim_spawn(g, &run, 0, "T");
	ck_assert_int_eq(control_settle(&ctl, PRIM_LIMIT_NS), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&run, 0), -ECANCELED);
	ck_assert_uint_eq(ls_barrier_waiters(b), 0);
	ck_assert_uint_eq(ls_barrier_generation(b), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_barrier_destroy(b);
}
END_TEST

/*
 * Stress: threads go round a barrier again and again.  With as many
 * parties as threads (_i 0), every thread is in every round: before round
 * k each stamps k + 1, and once through it sees every stamp at k + 1 or
 * k + 2 (nobody passed before all arrived, nobody got two rounds ahead).
 * With fewer parties (_i 1) rounds are made of whoever comes, each
 * arrival taking a ticket first (so no thread that finished early can
 * leave a round unfillable); the events are then the check.
 */
struct rounds {
	struct ls_barrier *b;
	unsigned nthreads;
	unsigned long waits;	/* per thread, stamped; else in all */
	atomic_ulong tickets;	/* arrivals taken, not stamped */
	uint64_t seed;
	bool stamped;		/* parties == nthreads: check the stamps */
	atomic_ulong stamp[PRIM_MAX];
	atomic_int bad_stamps;
	atomic_int errors;
	atomic_ulong serials;
};

static void
rounds_worker(void *p)
{
	struct prim_member *a = p;
	struct rounds *rs = a->state;
	uint64_t rng = prim_rng(rs->seed, a->i);
	unsigned long k, st;
	unsigned j;
	int rc;

	for (k = 0; rs->stamped ? k < rs->waits
				: atomic_fetch_add(&rs->tickets, 1) < rs->waits;
	     k++) {
		test_jitter(&rng);
		atomic_store(&rs->stamp[a->i], k + 1);
		rc = ls_barrier_wait(rs->b);
		if (rc < 0) {
			atomic_fetch_add(&rs->errors, 1);
			return;
		}
		if (rc == LS_BARRIER_SERIAL)
			atomic_fetch_add(&rs->serials, 1);
		for (j = 0; rs->stamped && j < rs->nthreads; j++) {
			st = atomic_load(&rs->stamp[j]);
			if (st != k + 1 && st != k + 2)
				atomic_fetch_add(&rs->bad_stamps, 1);
		}
	}
}

/*
 * Fold the barrier's events as the model will: in each generation the
 * waits count 1, 2... up to parties - 1, then one BAR_RELEASE of the next
 * generation, and every BAR_PASSED names a generation released already
 * and not yet passed by parties - 1 waiters.
 */
struct bar_fold {
	uint32_t id;
	unsigned parties;
	unsigned arrived;	/* waits of the open generation */
	uint64_t generation;	/* released so far */
	unsigned long passed_all;
	unsigned long passed[4096];	/* by generation, modulo */
};

static long
bar_fold(void *state, const struct ls_event *ev, size_t n)
{
	struct bar_fold *f = state;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];

		if (e->obj != f->id)
			continue;
		switch (e->kind) {
		case LS_EV_BAR_WAIT:
			if (e->arg != ++f->arrived || e->aux != f->parties)
				return (long)i;
			break;
		case LS_EV_BAR_RELEASE:
			if (f->arrived + 1 != f->parties ||
			    e->arg != ++f->generation)
				return (long)i;
			f->arrived = 0;
			f->passed[f->generation % 4096] = 0;
			break;
		case LS_EV_BAR_PASSED:
			if (!e->arg || e->arg > f->generation ||
			    ++f->passed[e->arg % 4096] >= f->parties)
				return (long)i;
			f->passed_all++;
			break;
		}
	}
	return -1;
}

START_TEST(test_stress_rounds)
{
	unsigned nthreads = (unsigned)test_size("LS_BARRIER_THREADS", 12, 6);
	unsigned long rounds = test_size("LS_BARRIER_ROUNDS", 2000, 300);
	uint64_t seed = test_env_seed("LS_SEED") + _i;
	unsigned before = test_task_baseline(), i, parties, lane_events = 64;
	struct bar_fold *f = calloc(1, sizeof(*f));
	struct prim_member args[PRIM_MAX];
	struct rounds rs = { .seed = seed };
	struct ls_event bad_ev = { 0 };
	struct ls_ring *r;
	struct ls_group *g;
	long bad;

	ck_assert_ptr_nonnull(f);
	if (nthreads > PRIM_MAX)
		nthreads = PRIM_MAX;
	if (nthreads < 3)
		nthreads = 3;
	rs.nthreads = nthreads;
	rs.stamped = _i == 0;
	parties = rs.stamped ? nthreads
			     : 2 + (unsigned)(seed % (nthreads - 2));
	/* Whole rounds only. */
	rs.waits = rs.stamped ? rounds : rounds * parties;
	/* Room for all of a thread's events (two an arrival): a drop would
	 * blind the fold. */
	while (lane_events < 2 * rs.waits + 16)
		lane_events *= 2;
	r = test_ring_new(lane_events, PRIM_MAX + 4);
	for (i = 0; i < PRIM_MAX; i++)
		atomic_init(&rs.stamp[i], 0);
	atomic_init(&rs.bad_stamps, 0);
	atomic_init(&rs.errors, 0);
	atomic_init(&rs.serials, 0);
	atomic_init(&rs.tickets, 0);
	ck_assert_int_eq(ls_barrier_create(r, "b", parties, &rs.b), 0);
	f->id = ls_barrier_id(rs.b);
	f->parties = parties;
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	prim_spawn_all(g, "T", rounds_worker, &rs, args, nthreads);
	bad = prim_drain_fold(r, g, bar_fold, f, NULL, NULL, &bad_ev);
	ck_assert_msg(bad < 0 && atomic_load(&rs.bad_stamps) == 0 &&
			      atomic_load(&rs.errors) == 0,
		      "%u threads, %u parties: %s by T%u breaks the fold, %d "
		      "bad stamps, %d errors (LS_SEED=%" PRIu64 ")",
		      nthreads, parties,
		      bad < 0 ? "no event" : ls_event_kind_name(bad_ev.kind),
		      bad_ev.tid, atomic_load(&rs.bad_stamps),
		      atomic_load(&rs.errors), seed - _i);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	/* Every round full, one serial thread each, the rest passed. */
	ck_assert_uint_eq(ls_barrier_generation(rs.b), rounds);
	ck_assert_uint_eq(atomic_load(&rs.serials),
			  ls_barrier_generation(rs.b));
	ck_assert_uint_eq(f->generation, ls_barrier_generation(rs.b));
	ck_assert_uint_eq(f->passed_all, f->generation * (parties - 1));
	ck_assert_uint_eq(f->arrived, 0);
	ck_assert_uint_eq(ls_barrier_waiters(rs.b), 0);
	printf("check_barrier stress: %u threads, %u parties, %" PRIu64
	       " rounds (LS_SEED=%" PRIu64 ")\n",
	       nthreads, parties, ls_barrier_generation(rs.b), seed - _i);
	ls_group_destroy(g);
	ls_barrier_destroy(rs.b);
	ls_ring_destroy(r);
	test_tasks_back_to(before);
	free(f);
}
END_TEST

static Suite *
barrier_suite(void)
{
	Suite *s = suite_create("barrier");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_basics);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_round_events);
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_cancel_waiters);
	tcase_add_test(tc, test_cancelled_not_counted);
	tcase_add_test(tc, test_cancel_at_gate);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_stress_rounds, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(barrier_suite());
}
