/*
 * check_model_metrics.c - unit tests of the model's queues, pools and
 * figures: depth and capacity, blocking on full and empty, a pool's scale,
 * tasks and their counts, wait and run-time percentiles over their
 * windows, rates and depth samples.
 */
#include "checkutil.h"

#include <stdint.h>

#include "model/model.h"
#include "modelutil.h"

START_TEST(test_queue_full_and_empty)
{
	const unsigned w1[] = { 1 }, w23[] = { 2, 3 }, w3[] = { 3 };

	model_name_object(M, Q, LS_OBJ_QUEUE, "jobs");
	/* Producer T1 fills a queue of 2 and blocks on the full queue. */
	feed(1, LS_EV_Q_PUSHED, Q, 1, 2);
	feed(1, LS_EV_Q_PUSHED, Q, 2, 2);
	ck_assert_uint_eq(obj(Q)->count, 2);
	ck_assert_uint_eq(obj(Q)->capacity, 2);
	feed(1, LS_EV_Q_PUSH_WAIT, Q, 2, 2);
	assert_waiters(Q, 1, w1);
	ck_assert_uint_eq(obj(Q)->waiters[0].kind, LS_EV_Q_PUSH_WAIT);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_BLOCKED);
	/* A pop lets the blocked push in: depth stays 2, and T1 is blocked
	 * until its own event says otherwise. */
	feed(2, LS_EV_Q_POPPED, Q, 2, 2);
	ck_assert_uint_eq(obj(Q)->count, 2);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_BLOCKED);
	feed(1, LS_EV_Q_PUSHED, Q, 2, 2);
	assert_waiters(Q, 0, NULL);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);
	/* The push waited 2 us (two events of 1 us apart). */
	ck_assert_uint_eq(M->wait_now.n, 1);
	ck_assert_uint_eq(obj(Q)->wait_ns_max, 2000);

	/* Consumers drain it and block on the empty queue. */
	feed(2, LS_EV_Q_POPPED, Q, 1, 2);
	feed(2, LS_EV_Q_POPPED, Q, 0, 2);
	ck_assert_uint_eq(obj(Q)->count, 0);
	feed(2, LS_EV_Q_POP_WAIT, Q, 0, 2);
	feed(3, LS_EV_Q_POP_WAIT, Q, 0, 2);
	assert_waiters(Q, 2, w23);
	ck_assert_uint_eq(obj(Q)->waiters[1].kind, LS_EV_Q_POP_WAIT);
	feed(1, LS_EV_Q_PUSHED, Q, 0, 2);	/* handed to T2 */
	feed(2, LS_EV_Q_POPPED, Q, 0, 2);
	assert_waiters(Q, 1, w3);
	ck_assert_uint_eq(thr(2)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_BLOCKED);

	/* Close wakes T3 with Q_CLOSED. */
	feed(1, LS_EV_Q_CLOSED, Q, 0, 2);
	ck_assert(obj(Q)->closed);
	feed(3, LS_EV_Q_CLOSED, Q, 0, 2);
	assert_waiters(Q, 0, NULL);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_RUNNING);

	/* A timed pop that times out leaves the queue; the capacity stays
	 * (Q_TIMEOUT's aux is a direction, not a capacity). */
	feed(4, LS_EV_Q_POP_WAIT, Q, 0, 2);
	feed(4, LS_EV_Q_TIMEOUT, Q, 0, 0);
	assert_waiters(Q, 0, NULL);
	ck_assert_uint_eq(obj(Q)->capacity, 2);
	ck_assert_uint_eq(obj(Q)->timeouts, 1);

	/* A wait alone tells depth and capacity. */
	feed(5, LS_EV_Q_PUSH_WAIT, 7, 8, 8);
	ck_assert_uint_eq(obj(7)->kind, LS_OBJ_QUEUE);
	ck_assert_uint_eq(obj(7)->count, 8);
	ck_assert_uint_eq(obj(7)->capacity, 8);

	/* The depth sample comes from the tick. */
	feed(1, LS_EV_Q_PUSHED, Q, 1, 2);
	model_tick(M, feed_ts);
	ck_assert_uint_eq(obj(Q)->nsamples, 1);
	ck_assert_uint_eq(obj(Q)->depth_samples[0], 1);
}
END_TEST

START_TEST(test_pool_scale_tasks_percentiles)
{
	unsigned i;
	uint64_t p50, p99, t0;

	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	feed(9, LS_EV_POOL_SCALE, POOL, 4, 4);
	ck_assert_uint_eq(obj(POOL)->workers, 4);
	ck_assert_uint_eq(obj(POOL)->idle, 4);
	feed(9, LS_EV_POOL_SCALE, POOL, 2, 1);
	ck_assert_uint_eq(obj(POOL)->workers, 2);
	ck_assert_uint_eq(obj(POOL)->idle, 1);
	feed(9, LS_EV_POOL_DEPTH, POOL, 5, 16);
	ck_assert_uint_eq(obj(POOL)->count, 5);
	ck_assert_uint_eq(obj(POOL)->capacity, 16);
	for (i = 0; i < 10; i++)
		feed(8, LS_EV_TASK_SUBMIT, POOL, i, 0);
	feed(8, LS_EV_TASK_REJECT, POOL, 10, 16);
	feed(8, LS_EV_TASK_REJECT, POOL, 11, 16);
	feed(8, LS_EV_TASK_DROP, POOL, 12, 0);
	/* A submitter blocked on the full pool queue, then got room. */
	feed(8, LS_EV_Q_PUSH_WAIT, POOL, 16, 16);
	ck_assert_uint_eq(thr(8)->state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(obj(POOL)->nwaiting, 1);
	feed(8, LS_EV_TASK_SUBMIT, POOL, 13, 0);
	ck_assert_uint_eq(thr(8)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(POOL)->nwaiting, 0);
	ck_assert_uint_eq(obj(POOL)->wait_ns_max, 1000);
	ck_assert_uint_eq(obj(POOL)->submitted, 11);
	ck_assert_uint_eq(obj(POOL)->kind, LS_OBJ_POOL);
	feed(9, LS_EV_POOL_DEPTH, POOL, 16, 16);
	ck_assert_uint_eq(obj(POOL)->rejected, 2);
	ck_assert_uint_eq(obj(POOL)->dropped, 1);
	ck_assert_uint_eq(obj(POOL)->count, 16);

	/* Two ticks close both windows: only the tasks below count. */
	model_tick(M, feed_ts);
	model_tick(M, feed_ts);
	ck_assert_uint_eq(model_wait_percentile(M, 50), 0);
	t0 = feed_ts;
	/* 100 tasks: 90 waited 10 us and ran 50 us, 10 waited 1 ms and
	 * ran 2 ms.  p50 is in 10 us's bucket, p99 in 1 ms's. */
	for (i = 0; i < 100; i++) {
		unsigned w = i % 2 ? 10 : 11;
		bool slow = i % 10 == 9;

		feed(w, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
		ck_assert_uint_eq(thr(w)->state, LS_STATE_IDLE);
		feed(w, LS_EV_TASK_START, POOL, 100 + i, slow ? 1000 : 10);
		ck_assert_uint_eq(thr(w)->state, LS_STATE_RUNNING);
		ck_assert_uint_eq(thr(w)->task, 100 + i);
		feed(w, LS_EV_TASK_END, POOL, 100 + i, slow ? 2000 : 50);
		ck_assert_uint_eq(thr(w)->task, 0);
	}
	ck_assert_uint_eq(obj(POOL)->completed, 100);
	ck_assert_uint_eq(thr(10)->tasks_done + thr(11)->tasks_done, 100);
	ck_assert_uint_eq(M->tasks_done, 100);
	p50 = model_wait_percentile(M, 50);
	p99 = model_wait_percentile(M, 99);
	assert_in_bucket(p50, 10000);
	assert_in_bucket(p99, 1000000);
	assert_in_bucket(model_wait_percentile(M, 90), 10000);
	assert_in_bucket(model_run_percentile(M, 50), 50000);
	assert_in_bucket(model_run_percentile(M, 99), 2000000);

	/* A failure: aux is an error code, the run time comes from ts. */
	feed(10, LS_EV_TASK_START, POOL, 500, 0);
	feed(10, LS_EV_TASK_FAIL, POOL, 500, 22);
	ck_assert_uint_eq(obj(POOL)->failed, 1);
	ck_assert_uint_eq(M->run_now.n, 101);
	{
		/* Counted as a run of 1000 ns: that bucket gained one. */
		struct hist one = { 0 };
		unsigned b;

		hist_add(&one, 1000);
		for (b = 0; b < HIST_BUCKETS; b++)
			if (one.bucket[b])
				ck_assert_uint_ge(M->run_now.bucket[b], 1);
	}

	/* Rates: 101 tasks and 302 events over exactly 1 s. */
	model_tick(M, t0 + 1000000000u);
	ck_assert(M->tasks_per_s == 101.0);
	ck_assert(M->events_per_s == 302.0);
	ck_assert_uint_eq(obj(POOL)->nsamples, 3);
	ck_assert_uint_eq(obj(POOL)->depth_samples[2], 16);
	/* The closed window still answers; one more tick and it is gone. */
	assert_in_bucket(model_wait_percentile(M, 50), 10000);
	model_tick(M, t0 + 2000000000u);
	ck_assert_uint_eq(model_wait_percentile(M, 50), 0);
	ck_assert_uint_eq(model_run_percentile(M, 99), 0);
	ck_assert(M->tasks_per_s == 0.0);
}
END_TEST

START_TEST(test_depth_samples_window)
{
	unsigned i;

	model_name_object(M, SEM, LS_OBJ_SEM, "slots");
	model_name_object(M, MU, LS_OBJ_MUTEX, "m");
	for (i = 0; i < MODEL_SAMPLES + 10; i++) {
		feed(1, LS_EV_SEM_POST, SEM, i, 0);
		model_tick(M, feed_ts);
	}
	ck_assert_uint_eq(obj(SEM)->nsamples, MODEL_SAMPLES);
	ck_assert_uint_eq(obj(SEM)->depth_samples[0], 10);
	ck_assert_uint_eq(obj(SEM)->depth_samples[MODEL_SAMPLES - 1],
			  MODEL_SAMPLES + 9);
	ck_assert_uint_eq(obj(MU)->nsamples, 0);
	feed(1, LS_EV_SEM_POST, SEM, 100000, 0);
	model_tick(M, feed_ts);
	ck_assert_uint_eq(obj(SEM)->depth_samples[MODEL_SAMPLES - 1],
			  UINT16_MAX);
}
END_TEST

static Suite *
model_metrics_suite(void)
{
	Suite *s = suite_create("model_metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_queue_full_and_empty);
	tcase_add_test(tc, test_pool_scale_tasks_percentiles);
	tcase_add_test(tc, test_depth_samples_window);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_metrics_suite());
}
