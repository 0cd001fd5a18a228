/*
 * check_pool_events.c - what the pool tells the model and the ui: every
 * task's events in order (SUBMIT, START, END or FAIL) with depths within
 * capacity, and the statistics (percentiles of known run times, every
 * task timed or a sample).
 */
#include "poolutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "trace/ring-int.h"

/* Every task's events: one SUBMIT, one START, one END or FAIL, in that
 * order, with depths within capacity. */
START_TEST(test_events)
{
	enum { N = 300, CAP = 16 };
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct ls_lane *lane;
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct test_evlog log = { 0 };
	uint64_t first_id = 0, id;
	unsigned sub[N] = { 0 }, start[N] = { 0 }, end[N] = { 0 }, i;
	uint64_t ts_sub[N], ts_start[N];
	size_t k;
	uint32_t obj;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	lane = test_lane_bind(ring, "main");
	ck_assert_ptr_nonnull(lane);
	g = group_new(ring);
	p = pool_new(g, 1, 2, CAP);
	obj = ls_pool_id(p);
	ck_assert_uint_gt(obj, 0);
	r->fail_every = 5;
	for (i = 0; i < N; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], (int)(i % 3));
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      &id), 0);
		if (i == 0)
			first_id = id;
		ck_assert_uint_eq(id, first_id + i);
		/* Drain as we go: the lanes hold 4096 events. */
		if (i % 64 == 0)
			test_evlog_drain(ring, &log);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_lane_unbind(lane);
	test_evlog_drain(ring, &log);
	ck_assert_uint_eq(ls_ring_dropped_total(ring), 0);
	/* The last event of the pool says it is gone. */
	for (k = log.n; k > 0 && log.ev[k - 1].obj != obj; k--)
		;
	ck_assert_uint_gt(k, 0);
	ck_assert_uint_eq(log.ev[k - 1].kind, LS_EV_Q_CLOSED);
	ck_assert_uint_eq(log.ev[k - 1].aux, CAP);
	for (k = 0; k < log.n; k++) {
		const struct ls_event *e = &log.ev[k];

		if (e->obj != obj)
			continue;
		switch (e->kind) {
		case LS_EV_TASK_SUBMIT:
			i = (unsigned)(e->arg - first_id);
			ck_assert_uint_lt(i, N);
			ck_assert_uint_eq(e->aux, i % 3);
			sub[i]++;
			ts_sub[i] = e->ts;
			break;
		case LS_EV_TASK_START:
			i = (unsigned)(e->arg - first_id);
			ck_assert_uint_lt(i, N);
			ck_assert_uint_eq(sub[i], 1);
			start[i]++;
			ts_start[i] = e->ts;
			ck_assert_uint_ge(ts_start[i], ts_sub[i]);
			break;
		case LS_EV_TASK_END:
		case LS_EV_TASK_FAIL:
			i = (unsigned)(e->arg - first_id);
			ck_assert_uint_lt(i, N);
			ck_assert_uint_eq(start[i], 1);
			ck_assert_uint_eq(e->kind == LS_EV_TASK_FAIL,
					  i % 5 == 0);
			if (e->kind == LS_EV_TASK_FAIL)
				ck_assert_uint_eq(e->aux, EIO);
			end[i]++;
			break;
		case LS_EV_POOL_DEPTH:
			ck_assert_uint_le(e->arg, CAP);
			ck_assert_uint_eq(e->aux, CAP);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < N; i++) {
		ck_assert_uint_eq(sub[i], 1);
		ck_assert_uint_eq(start[i], 1);
		ck_assert_uint_eq(end[i], 1);
	}
	ls_ring_destroy(ring);
	rec_free(r);
	test_evlog_free(&log);
}
END_TEST

/*
 * One clock read for a task's END and the next START of the same take:
 * a task with no callback lends its END stamp to the START after it.  A
 * task with on_done does not, since its owner's code runs in between: the
 * next START is stamped after the callback's own clock read.  One worker,
 * 63 tasks queued behind a hold, taken several at a time (take_many);
 * even tasks have on_done.  Every event must also be written while its
 * lane is marked active (ring.c, top): a lent START after an END that did
 * not hold the lane would not be, and the consumer could have handed out
 * a newer event of another lane before it.
 */
enum { LEND_N = 63 };

struct lend {
	uint64_t done_tk[LEND_N];
};

struct lend_arg {
	struct lend *l;
	unsigned i;
};

static int
lend_task(void *arg)
{
	(void)arg;
	return 0;
}

static atomic_uint lend_writes, lend_unheld;

/* The ring's test hook: called as each event is written. */
static void
lend_check_held(struct ls_lane *lane)
{
	atomic_fetch_add(&lend_writes, 1);
	if (!atomic_load(&lane->active))
		atomic_fetch_add(&lend_unheld, 1);
}

static void
lend_done(void *arg)
{
	struct lend_arg *a = arg;

	a->l->done_tk[a->i] = ls_clock_ticks();
}

START_TEST(test_take_lends_end_stamps)
{
	struct ls_pool_config cfg = {
		.name = "lend", .min_workers = 1, .max_workers = 1,
		.capacity = 128, .take_many = true,
	};
	struct ls_ring *ring;
	struct ls_lane *lane;
	struct ls_group *g;
	struct ls_pool *p;
	struct test_latch hold;
	struct ls_task th = { .fn = hold_task, .arg = &hold };
	struct lend l = { .done_tk = { 0 } };
	struct lend_arg a[LEND_N];
	struct test_evlog log = { 0 };
	uint64_t id0 = 0, id, end_ts[LEND_N] = { 0 }, start_ts[LEND_N] = { 0 };
	unsigned i, lent = 0;
	size_t k;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	lane = test_lane_bind(ring, "main");
	ck_assert_ptr_nonnull(lane);
	g = group_new(ring);
	/* Set before the worker exists, cleared after it is gone. */
	atomic_store(&lend_writes, 0);
	atomic_store(&lend_unheld, 0);
	ls_ring_test_stall = lend_check_held;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	test_latch_init(&hold);
	ck_assert_int_eq(ls_pool_submit(p, &th, NULL), 0);
	test_latch_wait_arrived(&hold, 1);
	for (i = 0; i < LEND_N; i++) {
		struct ls_task t = { .fn = lend_task, .arg = &a[i] };

		a[i] = (struct lend_arg){ .l = &l, .i = i };
		if (i % 2 == 0)
			t.on_done = lend_done;
		ck_assert_int_eq(ls_pool_submit(p, &t, &id), 0);
		if (i == 0)
			id0 = id;
		ck_assert_uint_eq(id, id0 + i);
	}
	test_latch_open(&hold);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	ls_ring_test_stall = NULL;
	ck_assert_uint_gt(atomic_load(&lend_writes), 3 * LEND_N);
	ck_assert_msg(atomic_load(&lend_unheld) == 0,
		      "%u events written with their lane not active",
		      atomic_load(&lend_unheld));
	test_lane_unbind(lane);
	test_evlog_drain(ring, &log);
	ck_assert_uint_eq(ls_ring_dropped_total(ring), 0);
	for (k = 0; k < log.n; k++) {
		const struct ls_event *e = &log.ev[k];

		if (e->kind != LS_EV_TASK_START && e->kind != LS_EV_TASK_END)
			continue;
		if (e->arg < id0 || e->arg >= id0 + LEND_N)
			continue;
		i = (unsigned)(e->arg - id0);
		if (e->kind == LS_EV_TASK_START)
			start_ts[i] = e->ts;
		else
			end_ts[i] = e->ts;
	}
	for (i = 0; i + 1 < LEND_N; i++) {
		ck_assert_uint_gt(end_ts[i], 0);
		ck_assert_uint_ge(start_ts[i + 1], end_ts[i]);
		if (i % 2 == 0)
			ck_assert_msg(start_ts[i + 1] >= l.done_tk[i],
				      "task %u started before task %u's "
				      "on_done ran", i + 1, i);
		else
			lent += start_ts[i + 1] == end_ts[i];
	}
	/* Within a take, every task without a callback lends to the next;
	 * only the first of a take reads the clock for its START.  Here
	 * that is 24 of the 31 odd tasks (takes of 15, 12, 9, 6, ...). */
	ck_assert_uint_ge(lent, 16);
	ls_ring_destroy(ring);
	test_evlog_free(&log);
	test_latch_destroy(&hold);
}
END_TEST

/* Percentiles of a known run time: tasks that spin 200 us on the clock
 * cannot report less (the histogram is within 1/16). */
static int
spin200_task(void *p)
{
	uint64_t t0 = ls_clock_ns();

	(void)p;
	while (ls_clock_ns() - t0 < 200000)
		;
	return 0;
}

/* With a ring every task is timed; without, a sample is.  Either way
 * the percentiles stay ordered and a 200 us spin reads at least that. */
static void
run_stats(bool with_ring)
{
	enum { N = 40 };
	struct ls_ring *ring = NULL;
	struct ls_group *g;
	struct ls_pool *p;
	struct ls_task t = { .fn = spin200_task };
	struct ls_pool_stats s;
	unsigned i;

	if (with_ring)
		ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	p = pool_new(g, 1, 1, N);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.run_p50, 0);
	ck_assert_uint_eq(s.timed, 0);
	ck_assert_uint_eq(s.capacity, N);
	ck_assert_uint_eq(s.min_workers, 1);
	ck_assert_uint_eq(s.max_workers, 1);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, N);
	ck_assert_uint_eq(s.busy, 0);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(s.idle + s.busy, s.workers);
	if (with_ring) {
		ck_assert_uint_eq(s.timed, N);
	} else {
		/* One in 8 of this thread's submits, wherever it started. */
		ck_assert_uint_ge(s.timed, N / 8);
		ck_assert_uint_le(s.timed, N / 8 + 1);
	}
	ck_assert_uint_ge(s.run_p50, 200000 - 200000 / 16);
	ck_assert_uint_le(s.run_p50, s.run_p90);
	ck_assert_uint_le(s.run_p90, s.run_p99);
	/* One worker, all queued at once: all but the first few waited for
	 * at least one other task. */
	ck_assert_uint_ge(s.wait_p90, 200000 - 200000 / 16);
	ck_assert_uint_le(s.wait_p50, s.wait_p90);
	ck_assert_uint_le(s.wait_p90, s.wait_p99);
	ck_assert_int_eq(ls_pool_wait_idle(p, 0), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
}

START_TEST(test_stats)
{
	run_stats(true);
	run_stats(false);
}
END_TEST

static Suite *
pool_events_suite(void)
{
	Suite *s = suite_create("pool_events");
	TCase *tc;

	tc = tcase_create("events");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_take_lends_end_stamps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	pool_seed_init("check_pool_events");
	return test_run_suite(pool_events_suite());
}
