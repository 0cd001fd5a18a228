/*
 * check_model_metrics.c - unit tests of the model's queues, pools and
 * figures: depth and capacity, blocking on full and empty, a pool's scale,
 * tasks and their counts, wait and run-time percentiles over their
 * windows and by class, rates and depth samples, the pool's busy and idle
 * workers from their own states, and the waiting tasks by priority.
 */
#include "checkutil.h"

#include <stdint.h>
#include <stdio.h>

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
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 1);
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

/*
 * A pop that frees room for a blocked push, with the two events in the
 * other order: the drain ranks a push before a pop at an equal stamp (for
 * the push-to-pop hand-off), so this one can arrive swapped.  Queue events
 * carry the depth after them, so the picture is the same either way and
 * nothing is healed.
 */
START_TEST(test_queue_handoff_either_order)
{
	model_name_object(M, Q, LS_OBJ_QUEUE, "jobs");
	feed(1, LS_EV_Q_PUSHED, Q, 1, 1);
	feed(1, LS_EV_Q_PUSH_WAIT, Q, 1, 1);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_BLOCKED);
	feed(1, LS_EV_Q_PUSHED, Q, 1, 1);	/* the pusher's, first */
	feed(2, LS_EV_Q_POPPED, Q, 1, 1);	/* the popper's, after */
	ck_assert_uint_eq(obj(Q)->count, 1);
	ck_assert_uint_eq(obj(Q)->nwaiting, 0);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(2)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(M->healed, 0);
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
	ck_assert(!obj(POOL)->closed);

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
	/* Destroyed: the pool says it is gone (ls_pool_destroy). */
	feed(9, LS_EV_Q_CLOSED, POOL, 0, 16);
	ck_assert(obj(POOL)->closed);
	ck_assert_uint_eq(obj(POOL)->count, 0);
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

/* Every kind of wait lands in its class, and all of them in the total;
 * waits that did not block or gave up are no samples. */
START_TEST(test_wait_classes)
{
	unsigned c;

	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	/* Locks: an uncontended mutex is no sample, a contended one is. */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(1, LS_EV_LOCK_RELEASED, MU, 0, 0);
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 5000, 0);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_LOCK), 1);
	/* A reader whose wait was under the engine's 1 us unit (aux 0):
	 * measured from its RD_WAIT, 1 us before. */
	feed(3, LS_EV_WR_ACQUIRED, RW, 0, 0);
	feed(4, LS_EV_RD_WAIT, RW, 0, 1);
	feed(3, LS_EV_WR_RELEASED, RW, 0, 0);
	feed(4, LS_EV_RD_ACQUIRED, RW, 1, 0);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_LOCK), 2);
	ck_assert_uint_eq(obj(RW)->wait_ns_max, 2000);
	/* A reader that did not wait is none. */
	feed(5, LS_EV_RD_ACQUIRED, RW, 2, 0);
	/* Semaphores are locks here. */
	feed(6, LS_EV_SEM_WAIT, SEM, 0, 0);
	feed(7, LS_EV_SEM_POST, SEM, 0, 0);
	feed(6, LS_EV_SEM_ACQUIRED, SEM, 0, 0);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_LOCK), 3);
	/* A timed wait that gives up is no sample. */
	feed(8, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(8, LS_EV_LOCK_TIMEOUT, MU, 9000000, 0);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_LOCK), 3);

	/* Queues: a pop that found it empty; a push that did not wait is
	 * none. */
	feed(9, LS_EV_Q_POP_WAIT, Q, 0, 4);
	feed(10, LS_EV_Q_PUSHED, Q, 0, 4);
	feed(9, LS_EV_Q_POPPED, Q, 0, 4);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_QUEUE), 1);
	/* A submit that waited for room in the pool's queue. */
	feed(11, LS_EV_Q_PUSH_WAIT, POOL, 8, 8);
	feed(11, LS_EV_TASK_SUBMIT, POOL, 1, 0);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_QUEUE), 2);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_TASK), 0);
	/* A task's time in the queue: 400 us. */
	feed(12, LS_EV_TASK_START, POOL, 1, 400);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_TASK), 1);

	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 6);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL + 1), 0);
	ck_assert_uint_eq(model_wait_class_percentile(M, MODEL_WAIT_ALL + 1,
						      50), 0);
	/* Each class's figures are its own; the total spans them. */
	assert_in_bucket(model_wait_class_percentile(M, MODEL_WAIT_TASK, 50),
			 400000);
	assert_in_bucket(model_wait_class_percentile(M, MODEL_WAIT_LOCK, 100),
			 5000);
	assert_in_bucket(model_wait_class_percentile(M, MODEL_WAIT_QUEUE, 100),
			 2000);
	assert_in_bucket(model_wait_percentile(M, 100), 400000);
	assert_in_bucket(model_wait_percentile(M, 1), 1000);
	ck_assert_uint_eq(model_wait_percentile(M, 50),
			  model_wait_class_percentile(M, MODEL_WAIT_ALL, 50));

	/* The window: one tick keeps them, two forget them. */
	model_tick(M, feed_ts);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 6);
	model_tick(M, feed_ts);
	for (c = 0; c <= MODEL_WAIT_ALL; c++) {
		ck_assert_uint_eq(model_wait_samples(M, c), 0);
		ck_assert_uint_eq(model_wait_class_percentile(M, c, 99), 0);
	}
}
END_TEST

/* The pool's counts, computed from its workers' own states, agree with
 * what each worker's row says, after every event. */
static void
assert_pool_agrees(uint32_t pool)
{
	struct model_pool_workers w;
	unsigned i, n = 0, idle = 0, paused = 0;

	model_pool_workers(M, pool, &w);
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &M->threads[i];

		if (!t->used || t->pool != pool || t->state == LS_STATE_DONE)
			continue;
		n++;
		idle += t->state == LS_STATE_IDLE;
		paused += t->state == LS_STATE_PARKED;
	}
	ck_assert_uint_eq(w.workers, n);
	ck_assert_uint_eq(w.idle, idle);
	ck_assert_uint_eq(w.paused, paused);
	ck_assert_uint_eq(w.busy, n - idle - paused);
}

static void
assert_pool(uint32_t pool, unsigned workers, unsigned idle, unsigned busy,
	    unsigned paused)
{
	struct model_pool_workers w;

	assert_pool_agrees(pool);
	model_pool_workers(M, pool, &w);
	ck_assert_uint_eq(w.workers, workers);
	ck_assert_uint_eq(w.idle, idle);
	ck_assert_uint_eq(w.busy, busy);
	ck_assert_uint_eq(w.paused, paused);
}

START_TEST(test_pool_workers)
{
	struct model_pool_workers w;
	uint64_t ts;

	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	assert_pool(POOL, 0, 0, 0, 0);
	/* Three workers start (each says so with POOL_SCALE) and go idle;
	 * a submitter is no worker. */
	feed(1, LS_EV_POOL_SCALE, POOL, 1, 0);
	feed(2, LS_EV_POOL_SCALE, POOL, 2, 0);
	feed(3, LS_EV_POOL_SCALE, POOL, 3, 0);
	assert_pool(POOL, 3, 0, 3, 0);
	feed(1, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	feed(2, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	feed(3, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	assert_pool(POOL, 3, 3, 0, 0);
	feed(9, LS_EV_TASK_SUBMIT, POOL, 1, 0);
	feed(9, LS_EV_POOL_DEPTH, POOL, 1, 8);
	ck_assert_uint_eq(thr(9)->pool, 0);
	assert_pool(POOL, 3, 3, 0, 0);
	/* The engine's figure stays as of the last scale: 3 workers, none
	 * idle. */
	ck_assert_uint_eq(obj(POOL)->idle, 0);

	/* One takes the task: busy, and busy while blocked in it.  Its
	 * pool's row changes with it. */
	feed(2, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);
	ts = feed_ts;
	ck_assert_uint_eq(obj(POOL)->changed, ts);
	feed(2, LS_EV_TASK_START, POOL, 1, 3);
	assert_pool(POOL, 3, 2, 1, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	assert_pool(POOL, 3, 2, 1, 0);
	ck_assert_uint_eq(obj(POOL)->changed, ts);
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 1000, 0);
	/* Paused at a gate, then on. */
	feed(3, LS_EV_GATE_WAIT, POOL, LS_EV_POOL_DEPTH, 0);
	assert_pool(POOL, 3, 1, 1, 1);
	ck_assert_uint_eq(obj(POOL)->changed, feed_ts);
	feed(3, LS_EV_GATE_PASS, POOL, LS_EV_POOL_DEPTH, 0);
	assert_pool(POOL, 3, 2, 1, 0);
	/* A worker found by its task alone (its POOL_SCALE was lost). */
	feed(4, LS_EV_TASK_START, POOL, 2, 3);
	assert_pool(POOL, 4, 2, 2, 0);
	ck_assert_uint_eq(obj(POOL)->changed, feed_ts);
	/* A worker leaves: its second POOL_SCALE, then its exit. */
	feed(1, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);
	feed(1, LS_EV_POOL_SCALE, POOL, 3, 1);
	assert_pool(POOL, 3, 1, 2, 0);
	feed(1, LS_EV_THREAD_EXIT, 0, 0, 0);
	feed(4, LS_EV_TASK_END, POOL, 2, 10);
	feed(4, LS_EV_THREAD_EXIT, 0, 0, 0);
	assert_pool(POOL, 2, 1, 1, 0);
	/* Another pool's workers are its own; an unknown pool has none. */
	feed(5, LS_EV_POOL_SCALE, POOL + 10, 1, 0);
	assert_pool(POOL, 2, 1, 1, 0);
	assert_pool(POOL + 10, 1, 0, 1, 0);
	model_pool_workers(M, 999, &w);
	ck_assert_uint_eq(w.workers, 0);
	model_pool_workers(M, 0, &w);
	ck_assert_uint_eq(w.workers, 0);
}
END_TEST

/* The waiting tasks of pool by priority, as "prio:waiting ..." plus
 * " other:n" when some are unlisted; and their sum. */
static unsigned
prios_string(uint32_t pool, char *buf, size_t n)
{
	const struct model_object *o = obj(pool);
	unsigned i, sum = (unsigned)o->prio_other;
	size_t k = 0;

	buf[0] = 0;
	for (i = 0; i < o->nprios; i++) {
		k += (size_t)snprintf(buf + k, n - k, "%s%d:%u", i ? " " : "",
				      o->prios[i].priority,
				      o->prios[i].waiting);
		ck_assert_uint_gt(o->prios[i].waiting, 0);
		if (i)
			ck_assert_int_lt(o->prios[i - 1].priority,
					 o->prios[i].priority);
		sum += o->prios[i].waiting;
	}
	if (o->prio_other)
		snprintf(buf + k, n - k, " other:%llu",
			 (unsigned long long)o->prio_other);
	return sum;
}

static void
assert_prios(uint32_t pool, const char *want)
{
	char got[256];

	prios_string(pool, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

START_TEST(test_pool_priorities)
{
	const int32_t prio[] = { 5, 1, 5, -2, 1, 5 };
	char buf[256];
	unsigned i;

	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	model_name_object(M, POOL + 10, LS_OBJ_POOL, "other pool");
	assert_prios(POOL, "");
	for (i = 0; i < 6; i++)
		feed(9, LS_EV_TASK_SUBMIT, POOL, i + 1, (uint32_t)prio[i]);
	assert_prios(POOL, "-2:1 1:2 5:3");
	/* A repeated submit of a waiting task counts once; a rejected task
	 * never waited. */
	feed(9, LS_EV_TASK_SUBMIT, POOL, 1, 5);
	feed(9, LS_EV_TASK_REJECT, POOL, 7, 6);
	assert_prios(POOL, "-2:1 1:2 5:3");
	/* Starting and dropping take them out; the same task ids in
	 * another pool are other tasks. */
	feed(9, LS_EV_TASK_SUBMIT, POOL + 10, 2, 1);
	feed(1, LS_EV_TASK_START, POOL, 2, 0);
	feed(9, LS_EV_TASK_DROP, POOL, 4, 0);
	assert_prios(POOL, "1:1 5:3");
	assert_prios(POOL + 10, "1:1");
	/* A start whose submit was lost, or a second start, moves
	 * nothing. */
	feed(1, LS_EV_TASK_START, POOL, 77, 0);
	feed(2, LS_EV_TASK_START, POOL, 2, 0);
	assert_prios(POOL, "1:1 5:3");

	/* More priorities than listed: the rest are counted apart. */
	for (i = 0; i < 8; i++)
		feed(9, LS_EV_TASK_SUBMIT, POOL, 100 + i, 10 + i);
	ck_assert_uint_eq(prios_string(POOL, buf, sizeof(buf)), 12);
	assert_prios(POOL, "1:1 5:3 10:1 11:1 12:1 13:1 14:1 15:1 other:2");
	feed(1, LS_EV_TASK_START, POOL, 107, 0);	/* priority 17 */
	assert_prios(POOL, "1:1 5:3 10:1 11:1 12:1 13:1 14:1 15:1 other:1");
	/* A listed priority that empties makes room only for new ones: the
	 * task of 16 stays counted apart. */
	feed(1, LS_EV_TASK_START, POOL, 100, 0);	/* priority 10 */
	feed(9, LS_EV_TASK_SUBMIT, POOL, 200, 3);
	assert_prios(POOL, "1:1 3:1 5:3 11:1 12:1 13:1 14:1 15:1 other:1");
	feed(1, LS_EV_TASK_START, POOL, 106, 0);	/* priority 16 */
	assert_prios(POOL, "1:1 3:1 5:3 11:1 12:1 13:1 14:1 15:1");

	/* An empty queue clears what waited (a lost START included). */
	feed(1, LS_EV_POOL_DEPTH, POOL, 0, 8);
	assert_prios(POOL, "");
	assert_prios(POOL + 10, "1:1");
	ck_assert_uint_eq(M->ntasks, 1);
	feed(1, LS_EV_TASK_START, POOL, 1, 0);
	assert_prios(POOL, "");
	/* Negative priorities survive the trip through aux. */
	feed(9, LS_EV_TASK_SUBMIT, POOL, 300, (uint32_t)-7);
	assert_prios(POOL, "-7:1");
	/* A submit refused after its SUBMIT (it met a stop as it queued)
	 * waits no more. */
	feed(9, LS_EV_TASK_SUBMIT, POOL, 301, 2);
	assert_prios(POOL, "-7:1 2:1");
	feed(9, LS_EV_TASK_REJECT, POOL, 301, 1);
	assert_prios(POOL, "-7:1");
	ck_assert_uint_eq(M->tasks_overflow, 0);
}
END_TEST

/* More waiting tasks than the model keeps: the rest are counted as
 * overflow, and every one can start without a count going below 0. */
START_TEST(test_pool_priorities_overflow)
{
	unsigned i, n = MODEL_TASKS + 5;
	char buf[64];

	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	for (i = 0; i < n; i++)
		feed(9, LS_EV_TASK_SUBMIT, POOL, i + 1, i % 2);
	ck_assert_uint_eq(M->tasks_overflow, 5);
	ck_assert_uint_eq(prios_string(POOL, buf, sizeof(buf)), MODEL_TASKS);
	ck_assert_str_eq(buf, "0:2048 1:2048");
	/* Start them in an order unlike the submits', so entries move. */
	for (i = 0; i < n; i++)
		feed(1, LS_EV_TASK_START, POOL, (i * 7919u) % n + 1, 0);
	ck_assert_uint_eq(prios_string(POOL, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(M->ntasks, 0);
	/* The map serves again. */
	feed(9, LS_EV_TASK_SUBMIT, POOL, n + 1, 4);
	assert_prios(POOL, "4:1");
}
END_TEST

/* A pool whose slot is recycled leaves no waiting task behind. */
START_TEST(test_pool_priorities_recycled)
{
	unsigned i;

	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	feed(9, LS_EV_TASK_SUBMIT, POOL, 1, 2);
	feed(9, LS_EV_TASK_SUBMIT, POOL, 2, 2);
	ck_assert_uint_eq(M->ntasks, 2);
	/* Every other slot held: the idle pool is the one to go. */
	for (i = 0; i < MODEL_MAX_OBJECTS - 1; i++)
		feed(10 + i, LS_EV_LOCK_ACQUIRED, 100 + i, 0, 0);
	feed(9, LS_EV_LOCK_ACQUIRED, 1000, 0, 0);
	ck_assert_ptr_null(model_object(M, POOL));
	ck_assert_uint_eq(M->ntasks, 0);
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
	tcase_add_test(tc, test_queue_handoff_either_order);
	tcase_add_test(tc, test_pool_scale_tasks_percentiles);
	tcase_add_test(tc, test_depth_samples_window);
	tcase_add_test(tc, test_wait_classes);
	tcase_add_test(tc, test_pool_workers);
	tcase_add_test(tc, test_pool_priorities);
	tcase_add_test(tc, test_pool_priorities_overflow);
	tcase_add_test(tc, test_pool_priorities_recycled);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_metrics_suite());
}
