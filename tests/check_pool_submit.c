/*
 * check_pool_submit.c - the pool's submits against a full queue:
 * refusals, timed submits, and blocking submitters let in once there is
 * room, by priority (first come first served among equals, let in one at
 * a time or together), and only once an eighth of the queue is free, with
 * nobody of the same or a lower priority barging in meanwhile.
 *
 * Submitters blocked inside the pool are waited for through the pool's
 * statistics, never by sleeping a guessed time.
 */
#include "poolutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/* A full queue refuses a submit (-EAGAIN, TASK_REJECT), a timed submit
 * times out, a blocking one waits and gets in once room is made. */
START_TEST(test_reject)
{
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct ls_lane *lane;
	struct test_latch latch;
	struct rec *r = rec_new(8);
	struct rec_arg a[8];
	struct ls_task hold = { .fn = hold_task };
	struct ls_pool_stats s;
	struct test_evlog log = { 0 };
	struct blocked_submit b;
	pthread_t th;
	uint64_t id = 0;
	unsigned i;
	size_t k, rejects = 0;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	lane = test_lane_bind(ring, "main");
	ck_assert_ptr_nonnull(lane);
	g = group_new(ring);
	test_latch_init(&latch);
	hold.arg = &latch;
	p = pool_new(g, 1, 1, 4);
	for (i = 0; i < 8; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	for (i = 0; i < 4; i++) {
		struct ls_task t = rec_make(&a[i], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	{
		struct ls_task t = rec_make(&a[4], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, &id), -EAGAIN);
		ck_assert_uint_gt(id, 0);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, 5 * MS, NULL),
				 -ETIMEDOUT);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, 0, NULL),
				 -ETIMEDOUT);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.rejected, 3);
	ck_assert_uint_eq(s.depth, 4);
	ck_assert_uint_eq(r->errs[4] + r->done[4], 0);

	/* A blocking submit waits for room, then gets in. */
	b = (struct blocked_submit){
		.p = p, .t = rec_make(&a[5], 0), .timeout_ns = LS_POOL_FOREVER,
		.rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);
	test_latch_open(&latch);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, 6);
	ck_assert_uint_eq(r->done[5], 1);
	{
		struct ls_task t = rec_make(&a[6], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), -ESHUTDOWN);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      NULL), -ESHUTDOWN);
	}
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_lane_unbind(lane);
	test_evlog_drain(ring, &log);
	for (k = 0; k < log.n; k++)
		if (log.ev[k].kind == LS_EV_TASK_REJECT) {
			if (rejects < 3)
				ck_assert_uint_eq(log.ev[k].aux, 4);
			rejects++;
		}
	ck_assert_uint_eq(rejects, 5);
	ck_assert_uint_ge(test_evlog_count(&log, LS_EV_Q_PUSH_WAIT), 1);
	ls_ring_destroy(ring);
	test_latch_destroy(&latch);
	rec_free(r);
	test_evlog_free(&log);
}
END_TEST

/* Room is handed to waiting submitters in arrival order. */
START_TEST(test_submitters_fifo)
{
	enum { W = 4 };
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 1);
	struct test_latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct rec *r = rec_new(W + 1);
	struct rec_arg a[W + 1];
	struct blocked_submit b[W];
	pthread_t th[W];
	unsigned i;

	test_latch_init(&latch);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	a[W] = (struct rec_arg){ .r = r, .i = W };
	{
		struct ls_task t = rec_make(&a[W], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	for (i = 0; i < W; i++) {
		a[i] = (struct rec_arg){ .r = r, .i = i };
		b[i] = (struct blocked_submit){
			.p = p, .t = rec_make(&a[i], 0),
			.timeout_ns = LS_POOL_FOREVER, .rc = 1,
		};
		ck_assert_int_eq(pthread_create(&th[i], NULL,
						blocked_submit_main, &b[i]), 0);
		wait_for_waiting_submitter(p, i + 1);
	}
	test_latch_open(&latch);
	for (i = 0; i < W; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(b[i].rc, 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	/* One worker, queue of one: they ran in the order they waited. */
	ck_assert_uint_eq(r->order[0], W);
	for (i = 0; i < W; i++)
		ck_assert_uint_eq(r->order[i + 1], i);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&latch);
	rec_free(r);
}
END_TEST

/* Submitters let in together keep their order among equals: each task
 * has its id from before its submitter waited, and they queue in the
 * order they get the lock back, so the run queue must order by id, not
 * by push (the first run queue with buckets ran the later one first in
 * about half the trials, and fifo mode and aging always did).  One worker
 * and a queue of 16 (slack 2): a quick task leaves it, then task 0, whose
 * take lets both waiters in at once; task 0 holds the worker while they
 * queue behind 14 tasks of a lower priority and the test joins them.
 * Which of the two queues first is up to the scheduler, so each kind of
 * pool runs TRIALS trials. */
enum { AT_CAP = 16, AT_TRIALS = 20, AT_A = AT_CAP, AT_B = AT_CAP + 1 };

/* One trial on a pool made from cfg.  In fifo mode the two waiters run
 * last, after every task queued before them; else first after task 0. */
static void
admitted_together(const struct ls_pool_config *cfg, unsigned trial)
{
	/* Task 0 waits on r->latch: it runs second. */
	static const unsigned fill[AT_CAP] = { 1, 0, 2, 3, 4, 5, 6, 7, 8, 9,
					       10, 11, 12, 13, 14, 15 };
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p;
	struct test_latch start, queued;
	struct ls_task hold = { .fn = hold_task, .arg = &start };
	struct rec *r = rec_new(AT_CAP + 2);
	struct rec_arg a[AT_CAP + 2];
	struct blocked_submit b[2];
	unsigned want[AT_CAP + 2], i, k = 0;
	pthread_t th[2];

	ck_assert_int_eq(ls_pool_create(g, cfg, &p), 0);
	test_latch_init(&start);
	test_latch_init(&queued);
	r->latch = &queued;
	for (i = 0; i < AT_CAP + 2; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&start, 1);
	for (i = 0; i < AT_CAP; i++) {
		struct ls_task t = rec_make(&a[fill[i]], 10);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	for (i = 0; i < 2; i++) {
		b[i] = (struct blocked_submit){
			.p = p, .t = rec_make(&a[AT_A + i], 0),
			.timeout_ns = LS_POOL_FOREVER, .rc = 1,
		};
		ck_assert_int_eq(pthread_create(&th[i], NULL,
						blocked_submit_main, &b[i]),
				 0);
		wait_for_waiting_submitter(p, i + 1);
	}
	test_latch_open(&start);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(b[i].rc, 0);
	}
	test_latch_open(&queued);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	want[k++] = fill[0];
	want[k++] = fill[1];
	if (!cfg->fifo) {
		want[k++] = AT_A;
		want[k++] = AT_B;
	}
	for (i = 2; i < AT_CAP; i++)
		want[k++] = fill[i];
	if (cfg->fifo) {
		want[k++] = AT_A;
		want[k++] = AT_B;
	}
	for (i = 0; i < AT_CAP + 2; i++)
		ck_assert_msg(r->order[i] == want[i],
			      "%s trial %u: task %u ran %u-th, want %u",
			      cfg->name, trial, r->order[i], i, want[i]);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&start);
	test_latch_destroy(&queued);
	rec_free(r);
}

START_TEST(test_admitted_together_by_id)
{
	const struct ls_pool_config cfgs[] = {
		{ .name = "priority", .min_workers = 1, .max_workers = 1,
		  .capacity = AT_CAP },
		{ .name = "fifo", .min_workers = 1, .max_workers = 1,
		  .capacity = AT_CAP, .fifo = true },
		{ .name = "aging", .min_workers = 1, .max_workers = 1,
		  .capacity = AT_CAP, .aging_ns = 1000000000ull },
	};
	unsigned c, trial;

	for (c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++)
		for (trial = 0; trial < AT_TRIALS; trial++)
			admitted_together(&cfgs[c], trial);
}
END_TEST

/* A waiting submitter is let in only once an eighth of the queue is free,
 * and nobody barges past it meanwhile.  The worker is stepped through its
 * gates so that exactly one task leaves the queue at a time. */
START_TEST(test_admission)
{
	enum { CAP = 16 };	/* slack 2 */
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct rec *r = rec_new(CAP + 2);
	struct rec_arg a[CAP + 2];
	struct blocked_submit b;
	struct ls_pool_stats s;
	pthread_t th;
	unsigned i;
	struct control ctl;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	control_attach(&ctl, g, ring);
	p = pool_new(g, 1, 1, CAP);
	for (i = 0; i < CAP + 2; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	control_pause(&ctl);
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	for (i = 0; i < CAP; i++) {
		struct ls_task t = rec_make(&a[i], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	b = (struct blocked_submit){
		.p = p, .t = rec_make(&a[CAP], 0),
		.timeout_ns = LS_POOL_FOREVER, .rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);

	/* Through "take task": one slot frees, fewer than the slack. */
	step_worker(&ctl);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, CAP - 1);
	ck_assert_uint_eq(s.busy, 1);
	ck_assert_uint_eq(s.waiting, 1);
	{
		struct ls_task t = rec_make(&a[CAP + 1], 0);

		/* Room for one, but a submitter waits: no barging. */
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), -EAGAIN);
	}
	/* Through "run task", then "take task" again: two slots free. */
	step_worker(&ctl);
	step_worker(&ctl);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.waiting, 0);
	ck_assert_uint_eq(s.depth, CAP - 1);
	ck_assert_uint_eq(s.completed, 1);
	ck_assert_uint_eq(s.rejected, 1);
	control_resume(&ctl);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, CAP + 1);
	/* One worker, FIFO among equals: the admitted task ran last. */
	ck_assert_uint_eq(r->order[CAP], CAP);
	ls_pool_destroy(p);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
	rec_free(r);
}
END_TEST

/*
 * Submitters blocked on a full queue are let in by their tasks' priority,
 * first come first served among equals, so the urgent ones that came last
 * go first; in fifo mode arrival order is all.  One worker and a queue of
 * one: the tasks run in the order their submitters were let in.
 */
static const int admit_prio[] = { 5, 5, 5, 0, 5, 2, 0, 7 };
#define ADMIT_W (sizeof(admit_prio) / sizeof(admit_prio[0]))

START_TEST(test_admit_by_priority)
{
	struct ls_pool_config cfg = {
		.name = "pool", .min_workers = 1, .max_workers = 1,
		.capacity = 1, .fifo = _i == 1,
	};
	struct ls_group *g = group_new(NULL);
	struct test_latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct rec *r = rec_new(ADMIT_W + 1);
	struct rec_arg a[ADMIT_W + 1];
	struct blocked_submit b[ADMIT_W];
	pthread_t th[ADMIT_W];
	unsigned want[ADMIT_W], i, k, n = 0;
	struct ls_pool *p;
	int lvl;

	test_latch_init(&latch);
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	/* The queue's one slot: a task less urgent than any. */
	a[ADMIT_W] = (struct rec_arg){ .r = r, .i = ADMIT_W };
	{
		struct ls_task t = rec_make(&a[ADMIT_W], 9);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	for (i = 0; i < ADMIT_W; i++) {
		a[i] = (struct rec_arg){ .r = r, .i = i };
		b[i] = (struct blocked_submit){
			.p = p, .t = rec_make(&a[i], admit_prio[i]),
			.timeout_ns = LS_POOL_FOREVER, .rc = 1,
		};
		ck_assert_int_eq(pthread_create(&th[i], NULL,
						blocked_submit_main, &b[i]), 0);
		wait_for_waiting_submitter(p, i + 1);
	}
	/* By priority, then arrival; or arrival alone. */
	for (lvl = 0; lvl <= 9 && !cfg.fifo; lvl++)
		for (i = 0; i < ADMIT_W; i++)
			if (admit_prio[i] == lvl)
				want[n++] = i;
	for (i = 0; cfg.fifo && i < ADMIT_W; i++)
		want[n++] = i;
	ck_assert_uint_eq(n, ADMIT_W);
	test_latch_open(&latch);
	for (i = 0; i < ADMIT_W; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(b[i].rc, 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ck_assert_uint_eq(r->order[0], ADMIT_W);
	for (k = 0; k < ADMIT_W; k++)
		ck_assert_msg(r->order[k + 1] == want[k],
			      "%s: run %u was submitter %u (priority %d), "
			      "want %u (priority %d)",
			      cfg.fifo ? "fifo" : "priority", k + 1,
			      r->order[k + 1], admit_prio[r->order[k + 1]],
			      want[k], admit_prio[want[k]]);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&latch);
	rec_free(r);
}
END_TEST

/*
 * While a submitter waits for the slack to free up, the free room goes to
 * a submit whose task comes before the waiter's (it would be let in first
 * anyway), never to one of the same or a lower priority.
 */
START_TEST(test_urgent_takes_free_room)
{
	enum { CAP = 16 };	/* slack 2 */
	static const int tries[] = { 5, 6, 4, 1 };
	static const int want_rc[] = { -EAGAIN, -EAGAIN, 0, -EAGAIN };
	struct ls_ring *ring = test_ring_new(1024, 8);
	struct ls_group *g = group_new(ring);
	struct ls_pool *p = pool_new(g, 1, 1, CAP);
	struct rec *r = rec_new(CAP + 5);
	struct rec_arg a[CAP + 5];
	struct blocked_submit b;
	struct ls_pool_stats s;
	pthread_t th;
	unsigned i;
	struct control ctl;

	control_attach(&ctl, g, ring);
	for (i = 0; i < CAP + 5; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	control_pause(&ctl);
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	for (i = 0; i < CAP; i++) {
		struct ls_task t = rec_make(&a[i], 5);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	b = (struct blocked_submit){
		.p = p, .t = rec_make(&a[CAP], 5),
		.timeout_ns = LS_POOL_FOREVER, .rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);
	/* Through "take task": one slot frees, fewer than the slack. */
	step_worker(&ctl);
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct ls_task t = rec_make(&a[CAP + 1 + i], tries[i]);

		ck_assert_msg(ls_pool_submit(p, &t, NULL) == want_rc[i],
			      "a try of priority %d against a waiter of 5",
			      tries[i]);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, CAP);
	ck_assert_uint_eq(s.waiting, 1);
	control_resume(&ctl);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, CAP + 2);
	/* Task 0 was taken first; the urgent one ran next. */
	ck_assert_uint_eq(r->order[0], 0);
	ck_assert_uint_eq(r->order[1], CAP + 3);
	ls_pool_destroy(p);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
	rec_free(r);
}
END_TEST

static Suite *
pool_submit_suite(void)
{
	Suite *s = suite_create("pool_submit");
	TCase *tc;

	tc = tcase_create("reject");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_reject);
	tcase_add_test(tc, test_submitters_fifo);
	tcase_add_test(tc, test_admitted_together_by_id);
	tcase_add_test(tc, test_admission);
	suite_add_tcase(s, tc);

	tc = tcase_create("priority");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_admit_by_priority, 0, 2);
	tcase_add_test(tc, test_urgent_takes_free_room);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	pool_seed_init("check_pool_submit");
	return test_run_suite(pool_submit_suite());
}
