/*
 * check_latch.c - Check suite for the engine's countdown latch.
 *
 * Count semantics (zero opens for good, past zero is refused and
 * reported), the exact events with the count they carry, every waiter
 * released at once by the count-down that opens it, the gate probe of a
 * wait (blocked until the latch is open), cancellation of waiters and of
 * a thread parked at a gate (a cancelled worker still counts down), a
 * timed wait held by a stepping controller, and a seeded stress in which
 * no waiter ever passes before every worker counted down, checked both in
 * the threads and in the events as the model folds them.
 *
 * Sizes: LS_LATCH_THREADS, LS_LATCH_ROUNDS.  LS_SEED=n replays the random
 * timing of a failure (every stress failure prints its seed).
 */
#include "config.h"

#include "lockstep/latch.h"

#include <errno.h>
#include <stdlib.h>

#include "control/control.h"
#include "primutil.h"

static int
op_wait(void *obj, unsigned i)
{
	/* Odd members use a far deadline: both kinds must behave alike. */
	if (i & 1)
		return ls_latch_timedwait(obj, 3600ull * 1000000000u);
	return ls_latch_wait(obj);
}

static int
op_down(void *obj, unsigned i)
{
	(void)i;
	return ls_latch_count_down(obj, 1);
}

static int
op_timed(void *obj, unsigned i)
{
	(void)i;
	return ls_latch_timedwait(obj, 5 * PRIM_MS);
}

START_TEST(test_counts)
{
	struct ls_ring *r = test_ring_new(64, 8);
	char name[LS_NAME_MAX + 1];
	struct ls_latch *l;
	unsigned kind;

	ck_assert_int_eq(ls_latch_create(r, "ready", 2, &l), 0);
	ck_assert_uint_ge(ls_latch_id(l), 1);
	ck_assert_int_eq(ls_ring_object_info(r, ls_latch_id(l), &kind, name,
					     sizeof(name)),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_LATCH);
	ck_assert_str_eq(name, "ready");
	ck_assert_str_eq(ls_obj_kind_name(kind), "latch");
	ck_assert_uint_eq(ls_latch_count(l), 2);
	ck_assert_int_eq(ls_latch_count_down(l, 0), -EINVAL);
	ck_assert_int_eq(ls_latch_timedwait(l, PRIM_MS), -ETIMEDOUT);
	ck_assert_int_eq(ls_latch_timedwait(l, 0), -ETIMEDOUT);
	ck_assert_uint_eq(ls_latch_waiters(l), 0);	/* timeouts left */
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	ck_assert_uint_eq(ls_latch_count(l), 1);
	/* Past zero: refused, nothing changes. */
	ck_assert_int_eq(ls_latch_count_down(l, 2), -ERANGE);
	ck_assert_uint_eq(ls_latch_count(l), 1);
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	ck_assert_uint_eq(ls_latch_count(l), 0);
	/* Open for good. */
	ck_assert_int_eq(ls_latch_wait(l), 0);
	ck_assert_int_eq(ls_latch_timedwait(l, 0), 0);
	ck_assert_int_eq(ls_latch_wait(l), 0);
	ck_assert_int_eq(ls_latch_count_down(l, 1), -ERANGE);
	ck_assert_uint_eq(ls_latch_count(l), 0);
	ls_latch_destroy(l);
	ls_latch_destroy(NULL);

	/* Open from the start, and unnamed. */
	ck_assert_int_eq(ls_latch_create(NULL, "z", 0, &l), 0);
	ck_assert_uint_eq(ls_latch_id(l), 0);
	ck_assert_int_eq(ls_latch_wait(l), 0);
	ls_latch_destroy(l);
	ls_ring_destroy(r);
}
END_TEST

/* The events of one thread, with the count each carries. */
START_TEST(test_events)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_lane *lane;
	struct ls_latch *l;
	static const struct prim_ev want[] = {
		{ LS_EV_LATCH_WAIT, 2, 1 },	/* timedwait on 2 ... */
		{ LS_EV_LATCH_TIMEOUT, 2, 0 },	/* ... gives up */
		{ LS_EV_LATCH_DOWN, 1, 0 },
		{ LS_EV_ERROR, LS_ERR_LATCH_UNDERFLOW, 1 },
		{ LS_EV_LATCH_DOWN, 0, 0 },	/* opens, nobody waits */
		{ LS_EV_LATCH_PASSED, 0, 0 },
	};

	ck_assert_int_eq(ls_latch_create(r, "l", 2, &l), 0);
	lane = test_lane_bind(r, "main");
	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_latch_timedwait(l, 1000), -ETIMEDOUT);
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	ck_assert_int_eq(ls_latch_count_down(l, 2), -ERANGE);
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	ck_assert_int_eq(ls_latch_wait(l), 0);
	prim_expect_lane(r, lane, ls_latch_id(l), want,
			 sizeof(want) / sizeof(want[0]));
	ls_latch_destroy(l);
	ls_ring_destroy(r);
}
END_TEST

/* k waiters queue in a forced order; the count-down that reaches zero
 * releases all of them at once, and only that one. */
START_TEST(test_open_releases_all)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_event ev[256];
	struct prim_run run;
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_group *g;
	struct ls_latch *l;
	uint32_t id;
	unsigned i, waits = 0, passed = 0;
	size_t n, j;
	bool opened = false;
	struct control ctl;

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_latch_create(r, "l", 2, &l), 0);
	id = ls_latch_id(l);
	prim_run_init(&run, op_wait, l);
	g = prim_group_attached(r, "g", &ctl);
	for (i = 0; i < k; i++) {
		prim_spawn(g, &run, i, "W");
		prim_wait_blocked(&ctl, id, i + 1);
	}
	ck_assert_uint_eq(ls_latch_waiters(l), k);
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	/* Not open: everyone still waits. */
	ck_assert_uint_eq(ls_latch_waiters(l), k);
	ck_assert_uint_eq(prim_blocked_on(&ctl, id), k);
	ck_assert_uint_eq(prim_done(&run), 0);
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	/* Granted inside the count-down, woken or not yet. */
	ck_assert_uint_eq(ls_latch_waiters(l), 0);
	prim_wait_done(&run, k);
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++)
		ck_assert_int_eq(prim_rc(&run, i), 0);
	test_lane_unbind(lane);

	/* Waits queued in order (their aux counts 1..k), one DOWN opened
	 * it with k released, and every PASSED comes after it. */
	n = test_drain_all(r, ev, 256);
	for (j = 0; j < n; j++) {
		if (ev[j].obj != id)
			continue;
		if (ev[j].kind == LS_EV_LATCH_WAIT)
			ck_assert_uint_eq(ev[j].aux, ++waits);
		if (ev[j].kind == LS_EV_LATCH_DOWN && ev[j].arg == 0) {
			ck_assert_uint_eq(ev[j].aux, k);
			opened = true;
		}
		if (ev[j].kind == LS_EV_LATCH_PASSED) {
			ck_assert(opened);
			ck_assert_uint_eq(ev[j].arg, 0);
			passed++;
		}
	}
	ck_assert_uint_eq(waits, k);
	ck_assert_uint_eq(passed, k);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_latch_destroy(l);
	ls_ring_destroy(r);
}
END_TEST

/* The probe of a parked wait says it would block until the latch opens;
 * stepped anyway, it blocks, and the step that opens the latch wakes it. */
START_TEST(test_probe)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct prim_run waits, downs;
	struct control_thread v;
	struct ls_group *g;
	struct ls_latch *l;
	uint32_t id;
	struct control ctl;

	ck_assert_int_eq(ls_latch_create(r, "l", 1, &l), 0);
	id = ls_latch_id(l);
	prim_run_init(&waits, op_wait, l);
	prim_run_init(&downs, op_down, l);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &waits, 0, "waiter");
	prim_spawn(g, &downs, 0, "counter");
	prim_assert_parked(&ctl, "waiter", LS_EV_LATCH_PASSED, id, false, 0);
	/* A count-down never blocks. */
	prim_assert_parked(&ctl, "counter", LS_EV_LATCH_DOWN, id, true, 0);
	prim_step(&ctl, "waiter");
	prim_assert_blocked(&ctl, "waiter", id);
	prim_step(&ctl, "counter");
	/* Opened by that step: the waiter ran on to its next gate. */
	prim_assert_parked(&ctl, "waiter", LS_EV_MARK, 0, true, 0);
	ck_assert_int_eq(prim_rc(&waits, 0), 0);
	ck_assert_int_eq(prim_rc(&downs, 0), 0);

	/* An open latch: a new waiter's probe says it goes through. */
	prim_spawn(g, &waits, 1, "late");
	prim_assert_parked(&ctl, "late", LS_EV_LATCH_PASSED, id, true, 0);
	prim_step(&ctl, "late");
	v = prim_view(&ctl, "late");
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "after");
	control_resume(&ctl);
	ck_assert_int_eq(ls_group_join(g), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_latch_destroy(l);
	ls_ring_destroy(r);
}
END_TEST

/* k waiters cancelled (_i 0), or one timed wait held by a stepping
 * controller until it fires it (_i 1): either way the latch is left as
 * it was. */
START_TEST(test_waits_unwound)
{
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_latch *l;

	ck_assert_int_eq(ls_latch_create(r, "l", 1, &l), 0);
	if (_i)
		prim_timed_held(r, op_timed, l, ls_latch_id(l), 1);
	else
		prim_cancel_waiters(r, op_wait, l, ls_latch_id(l), 6);
	ck_assert_uint_eq(ls_latch_waiters(l), 0);
	ck_assert_uint_eq(ls_latch_count(l), 1);
	ck_assert_int_eq(ls_latch_count_down(l, 1), 0);
	ck_assert_int_eq(ls_latch_wait(l), 0);
	ls_latch_destroy(l);
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled while parked at its gate: a wait is refused, a count-down
 * still counts (a cancelled worker must say it is done). */
START_TEST(test_cancel_at_gates)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct prim_run waits, downs;
	struct ls_group *g;
	struct ls_latch *l;
	struct control ctl;

	ck_assert_int_eq(ls_latch_create(r, "l", 1, &l), 0);
	prim_run_init(&waits, op_wait, l);
	prim_run_init(&downs, op_down, l);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &waits, 0, "waiter");
	prim_spawn(g, &downs, 0, "counter");
	ck_assert_int_eq(control_settle(&ctl, PRIM_LIMIT_NS), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&waits, 0), -ECANCELED);
	ck_assert_int_eq(prim_rc(&downs, 0), 0);
	ck_assert_uint_eq(ls_latch_count(l), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_latch_destroy(l);
	ls_ring_destroy(r);
}
END_TEST

/* Stress: in each round, workers mark themselves done and count down;
 * waiters must see every mark once they pass.  Some rounds are cancelled
 * at a random moment: a waiter may then give up, but never pass early. */

struct round {
	struct ls_latch *l;
	uint32_t id;
	unsigned workers;
	uint64_t seed;
	atomic_bool marked[PRIM_MAX];
	atomic_int early;	/* waiters that passed before all marks */
	atomic_int errors;	/* unexpected results */
	/* The fold, by the test thread: the count as the events say, and
	 * how many waits blocked. */
	unsigned count;
	unsigned long waits;
	/* Cancel the round at a random moment: by the test thread. */
	bool cancel;
	uint64_t rng;
};

static void
round_member(void *p)
{
	struct prim_member *a = p;
	struct round *rd = a->state;
	uint64_t rng = prim_rng(rd->seed, a->i);
	unsigned j;
	int rc;

	test_jitter(&rng);
	if (a->i < rd->workers) {
		atomic_store(&rd->marked[a->i], true);
		test_jitter(&rng);
		if (ls_latch_count_down(rd->l, 1))
			atomic_fetch_add(&rd->errors, 1);
		return;
	}
	/* Waiters mix the ways in: a short timed wait tries again. */
	switch (test_rng_next(&rng) % 3) {
	case 0:
		rc = ls_latch_wait(rd->l);
		break;
	case 1:
		while ((rc = ls_latch_timedwait(rd->l, 200000)) == -ETIMEDOUT)
			;
		break;
	default:
		rc = ls_latch_timedwait(rd->l, 0);
		if (rc == -ETIMEDOUT)
			rc = ls_latch_wait(rd->l);
		break;
	}
	if (rc == -ECANCELED)
		return;
	if (rc)
		atomic_fetch_add(&rd->errors, 1);
	for (j = 0; j < rd->workers; j++)
		if (!atomic_load(&rd->marked[j]))
			atomic_fetch_add(&rd->early, 1);
}

/* Fold the latch's events as the model will: the count only goes down,
 * one at a time; a wait is queued only while it is above zero; nobody
 * passes before it is zero; every count carried is the count then. */
static long
latch_fold(void *state, const struct ls_event *ev, size_t n)
{
	struct round *rd = state;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ev[i].obj != rd->id)
			continue;
		switch (ev[i].kind) {
		case LS_EV_LATCH_DOWN:
			if (ev[i].arg + 1 != rd->count)
				return (long)i;
			rd->count = (unsigned)ev[i].arg;
			break;
		case LS_EV_LATCH_WAIT:
			rd->waits++;
			if (!rd->count || ev[i].arg != rd->count)
				return (long)i;
			break;
		case LS_EV_LATCH_TIMEOUT:
			/* Even at 0: a cancelled waiter is passed over by
			 * the opening, and its deadline may come first. */
			if (ev[i].arg != rd->count)
				return (long)i;
			break;
		case LS_EV_LATCH_PASSED:
			if (rd->count || ev[i].arg)
				return (long)i;
			break;
		}
	}
	return -1;
}

START_TEST(test_stress)
{
	unsigned nthreads = (unsigned)test_size("LS_LATCH_THREADS", 12, 6);
	unsigned long rounds = test_size("LS_LATCH_ROUNDS", 1000, 150);
	uint64_t seed = test_env_seed("LS_SEED"), rng = seed;
	unsigned before = test_task_baseline(), cancelled = 0, i;
	struct prim_member args[PRIM_MAX];
	unsigned long k, waits = 0;

	if (nthreads > PRIM_MAX)
		nthreads = PRIM_MAX;
	if (nthreads < 2)
		nthreads = 2;
	for (k = 0; k < rounds; k++) {
		struct ls_ring *r = test_ring_new(4096, 2 * PRIM_MAX);
		struct round rd = { .seed = test_rng_next(&rng) };
		struct ls_event bad_ev = { 0 };
		struct ls_group *g;
		long bad;

		rd.cancel = test_rng_next(&rng) % 4 == 0;
		rd.rng = test_rng_next(&rng);
		rd.workers = 1 + (unsigned)(test_rng_next(&rng) %
					    (nthreads - 1));
		rd.count = rd.workers;
		atomic_init(&rd.early, 0);
		atomic_init(&rd.errors, 0);
		for (i = 0; i < PRIM_MAX; i++)
			atomic_init(&rd.marked[i], false);
		ck_assert_int_eq(ls_latch_create(r, "l", rd.workers, &rd.l),
				 0);
		rd.id = ls_latch_id(rd.l);
		ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
		prim_spawn_all(g, "T", round_member, &rd, args, nthreads);
		if (rd.cancel) {
			test_jitter(&rd.rng);
			ls_group_cancel(g);
			cancelled++;
		}
		bad = prim_drain_fold(r, g, latch_fold, &rd, NULL, NULL,
				      &bad_ev);
		ck_assert_msg(atomic_load(&rd.early) == 0 &&
				      atomic_load(&rd.errors) == 0 && bad < 0,
			      "round %lu: %d early, %d errors, %s by T%u "
			      "breaks the fold (LS_SEED=%" PRIu64 ")",
			      k, atomic_load(&rd.early),
			      atomic_load(&rd.errors),
			      bad < 0 ? "no event"
				      : ls_event_kind_name(bad_ev.kind),
			      bad < 0 ? 0 : bad_ev.tid, seed);
		ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
		ck_assert_uint_eq(rd.count, 0);
		ck_assert_uint_eq(ls_latch_count(rd.l), 0);
		ck_assert_uint_eq(ls_latch_waiters(rd.l), 0);
		waits += rd.waits;
		ls_group_destroy(g);
		ls_latch_destroy(rd.l);
		ls_ring_destroy(r);
	}
	test_tasks_back_to(before);
	printf("check_latch stress: %lu rounds of %u threads, %u cancelled, "
	       "%lu waits blocked (LS_SEED=%" PRIu64 ")\n",
	       rounds, nthreads, cancelled, waits, seed);
}
END_TEST

static Suite *
latch_suite(void)
{
	Suite *s = suite_create("latch");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_releases_all);
	tcase_add_test(tc, test_probe);
	tcase_add_loop_test(tc, test_waits_unwound, 0, 2);
	tcase_add_test(tc, test_cancel_at_gates);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stress);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(latch_suite());
}
