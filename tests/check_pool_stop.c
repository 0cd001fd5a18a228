/*
 * check_pool_stop.c - ls_pool_map, stopping a pool and cancelling its
 * group: map items each get their status, a map that times out drops what
 * did not run and releases its context exactly once, shutdown "now" drops
 * the queue with one callback per task, a cancel stops the pool, refuses
 * its waiting submitters and drops the queue, and a worker cannot wait
 * for its own pool.
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

/* Map: failing items get their own status; the call returns 0. */
struct map_ctx {
	_Atomic unsigned *runs;
	size_t n;
	struct test_latch *latch;	/* item hold waits here, if set */
	size_t hold;
	_Atomic unsigned *released;
};

static int
map_item(void *ctx, size_t i)
{
	struct map_ctx *m = ctx;

	atomic_fetch_add(&m->runs[i], 1);
	if (m->latch && i == m->hold)
		test_latch_arrive_wait(m->latch);
	pool_seeded_yield(i);
	return i % 7 == 3 ? -EIO : (int)(i % 2);
}

static void
map_release(void *ctx)
{
	struct map_ctx *m = ctx;

	atomic_fetch_add(m->released, 1);
}

START_TEST(test_map)
{
	size_t n = 300, i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 2, 2, 8);
	_Atomic unsigned released = 0;
	struct map_ctx m = {
		.runs = calloc(n, sizeof(*m.runs)), .n = n,
		.released = &released,
	};
	int *status = malloc(n * sizeof(int));
	struct ls_pool_stats s;

	ck_assert_int_eq(ls_pool_map(p, map_item, &m, map_release, n, 0,
				     LS_POOL_FOREVER, status), 0);
	ck_assert_uint_eq(atomic_load(&released), 1);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(m.runs[i], 1);
		ck_assert_int_eq(status[i], i % 7 == 3 ? -EIO : (int)(i % 2));
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, n);
	ck_assert_uint_eq(s.completed + s.failed, n);
	/* An empty map releases and returns at once. */
	ck_assert_int_eq(ls_pool_map(p, map_item, &m, map_release, 0, 0,
				     LS_POOL_FOREVER, NULL), 0);
	ck_assert_uint_eq(atomic_load(&released), 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free((void *)m.runs);
	free(status);
}
END_TEST

/* Map with a timeout: a held item makes it expire; finished items keep
 * their status, the rest read -ETIMEDOUT, queued ones never run, and the
 * held one finishes later without touching the caller's memory. */
START_TEST(test_map_timeout)
{
	size_t n = 10, i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 16);
	struct test_latch latch;
	_Atomic unsigned released = 0;
	struct map_ctx *m = malloc(sizeof(*m));
	int *status = malloc(n * sizeof(int));
	struct ls_pool_stats s;

	test_latch_init(&latch);
	*m = (struct map_ctx){
		.runs = calloc(n, sizeof(*m->runs)), .n = n, .latch = &latch,
		.hold = 2, .released = &released,
	};
	ck_assert_int_eq(ls_pool_map(p, map_item, m, map_release, n, 0,
				     20 * MS, status), -ETIMEDOUT);
	/* One worker, FIFO among equals: 0 and 1 ran, 2 holds. */
	ck_assert_int_eq(status[0], 0);
	ck_assert_int_eq(status[1], 1);
	for (i = 2; i < n; i++)
		ck_assert_int_eq(status[i], -ETIMEDOUT);
	ck_assert_uint_eq(atomic_load(&released), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.dropped, n - 3);
	ck_assert_uint_eq(s.depth, 0);
	/* The caller's status array is gone; the late item must not care. */
	free(status);
	test_latch_wait_arrived(&latch, 1);
	test_latch_open(&latch);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_uint_eq(atomic_load(&released), 1);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(m->runs[i], i <= 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&latch);
	free((void *)m->runs);
	free(m);
}
END_TEST

/* Shutdown now: the running task finishes, the queue is dropped with
 * TASK_DROP and on_error(-ECANCELED), and the count says so. */
struct shutdown_call {
	struct ls_pool *p;
	struct ls_ring *ring;
	uint64_t dropped;
	int rc;
};

static void *
shutdown_main(void *arg)
{
	struct shutdown_call *c = arg;
	struct ls_lane *lane = test_lane_bind(c->ring, "stopper");

	c->rc = ls_pool_shutdown(c->p, LS_POOL_NOW, &c->dropped);
	test_lane_unbind(lane);
	return NULL;
}

/* Shut p down now from another thread while task 0 of r's n holds the
 * only worker at latch; wait until the other n - 1 are told they were
 * dropped, let task 0 finish, and check that exactly those were dropped
 * and none of them ran. */
static void
shutdown_now_around_task0(struct ls_pool *p, struct ls_ring *ring,
			  struct rec *r, unsigned n, struct test_latch *latch)
{
	struct shutdown_call c = { .p = p, .ring = ring, .rc = 1 };
	pthread_t th;
	unsigned i, errs;

	ck_assert_int_eq(pthread_create(&th, NULL, shutdown_main, &c), 0);
	do {
		errs = 0;
		test_sleep_ns(MS / 4);
		for (i = 1; i < n; i++)
			errs += atomic_load(&r->errs[i]);
	} while (errs < n - 1);
	test_latch_open(latch);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_uint_eq(c.dropped, n - 1);
	ck_assert_uint_eq(r->runs[0], 1);
	for (i = 1; i < n; i++)
		rec_check_told_once(r, i, false);
}

START_TEST(test_shutdown_now)
{
	enum { N = 50 };
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct test_latch latch;
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct ls_pool_stats s;
	struct test_evlog log = { 0 };
	unsigned i;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	p = pool_new(g, 1, 1, N);
	test_latch_init(&latch);
	r->latch = &latch;
	for (i = 0; i < N; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
		if (i == 0)
			test_latch_wait_arrived(&latch, 1);
	}
	/* Task 0 holds the only worker; the queue is dropped. */
	shutdown_now_around_task0(p, ring, r, N, &latch);
	ck_assert_uint_eq(r->done[0], 1);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.dropped, s.submitted - s.completed - s.failed);
	ck_assert_uint_eq(s.workers, 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_evlog_drain(ring, &log);
	ck_assert_uint_eq(test_evlog_count(&log, LS_EV_TASK_DROP), N - 1);
	ls_ring_destroy(ring);
	test_latch_destroy(&latch);
	rec_free(r);
	test_evlog_free(&log);
}
END_TEST

/* Shutdown now with take_many: tasks the worker took with the one it runs
 * and has not begun are dropped as the queued ones are, not run. */
START_TEST(test_shutdown_now_drops_taken)
{
	enum { N = 50 };
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool_config cfg = {
		.name = "taken", .min_workers = 1, .max_workers = 1,
		.capacity = 64, .take_many = true,
	};
	struct ls_pool *p;
	struct test_latch hold, latch;
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct ls_task h = { .fn = hold_task, .arg = &hold };
	struct ls_pool_stats s;
	unsigned i;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	test_latch_init(&hold);
	test_latch_init(&latch);
	r->latch = &latch;
	ck_assert_int_eq(ls_pool_submit(p, &h, NULL), 0);
	test_latch_wait_arrived(&hold, 1);
	for (i = 0; i < N; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	/* 50 queued, one worker: it takes 50 / 4 = 12, task 0 first, and
	 * holds there with 11 not begun. */
	test_latch_open(&hold);
	test_latch_wait_arrived(&latch, 1);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.busy, 12);
	shutdown_now_around_task0(p, ring, r, N, &latch);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.busy, 0);
	ck_assert_uint_eq(s.dropped, N - 1);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
	test_latch_destroy(&hold);
	test_latch_destroy(&latch);
	rec_free(r);
}
END_TEST

/* Shutdown now at a random moment under load: every task either ran
 * once (one on_done or on_error) or was dropped (one on_error with
 * -ECANCELED), and dropped = submitted - run. */
static int
spin_task(void *p)
{
	struct rec_arg *a = p;

	atomic_fetch_add(&a->r->runs[a->i], 1);
	pool_seeded_yield(a->i * 31 + 7);
	return 0;
}

START_TEST(test_shutdown_now_random)
{
	unsigned n = (unsigned)test_size("POOL_TASKS", 20000, 2000);
	uint64_t seed = pool_seed ^ 0xabcdef, dropped = 0, ran = 0;
	unsigned stop_at = (unsigned)(test_rng_next(&seed) % n), i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = {
		.min_workers = 1, .max_workers = 3, .capacity = 256,
	};
	struct rec *r = rec_new(n);
	struct rec_arg *a = calloc(n, sizeof(*a));
	struct ls_pool_stats s;
	struct ls_pool *p;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	for (i = 0; i < stop_at; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], (int)(test_rng_next(&seed) % 3));
		t.fn = spin_task;
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      NULL), 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_NOW, &dropped), 0);
	for (i = 0; i < stop_at; i++) {
		bool run = r->runs[i] != 0;

		rec_check_told_once(r, i, run);
		ran += run;
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, stop_at);
	ck_assert_uint_eq(dropped, stop_at - ran);
	ck_assert_uint_eq(s.completed, ran);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free(a);
	rec_free(r);
}
END_TEST

/* A worker cannot wait for its own pool. */
static int
self_wait_task(void *arg)
{
	struct ls_pool *p = *(struct ls_pool **)arg;

	if (ls_pool_shutdown(p, LS_POOL_NOW, NULL) != -EDEADLK)
		return 1;
	if (ls_pool_wait_idle(p, LS_POOL_FOREVER) != -EDEADLK)
		return 2;
	return 0;
}

START_TEST(test_self_wait)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 4);
	struct ls_task t = { .fn = self_wait_task, .arg = &p };
	struct ls_pool_stats s;

	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, 1);
	ls_pool_destroy(p);
	ls_group_destroy(g);
}
END_TEST

/* Cancelling the group: tasks blocked in a cancellable sleep fail with
 * -ECANCELED, the queue is dropped, a submitter waiting for room (outside
 * the group) is refused, and later submits are refused too. */
static int
sleepy_task(void *p)
{
	test_latch_arrive(p);
	return ls_thread_sleep(3600ull * 1000 * MS);
}

static void
count_error(void *p, int err)
{
	(void)p;
	(void)err;
}

START_TEST(test_cancel)
{
	struct ls_ring *ring;
	struct ls_lane *lane;
	struct ls_group *g;
	struct ls_pool *p;
	struct test_latch latch;
	struct ls_task sleepy = { .fn = sleepy_task, .on_error = count_error };
	struct rec *r = rec_new(4);
	struct rec_arg a[5];
	struct blocked_submit b;
	struct ls_pool_stats s;
	struct test_evlog log = { 0 };
	pthread_t th;
	uint64_t dropped = 0;
	unsigned i;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	/* Whoever drops the queue, worker or this thread, emits. */
	lane = test_lane_bind(ring, "main");
	ck_assert_ptr_nonnull(lane);
	g = group_new(ring);
	p = pool_new(g, 2, 2, 4);
	test_latch_init(&latch);
	sleepy.arg = &latch;
	ck_assert_int_eq(ls_pool_submit(p, &sleepy, NULL), 0);
	ck_assert_int_eq(ls_pool_submit(p, &sleepy, NULL), 0);
	test_latch_wait_arrived(&latch, 2);
	for (i = 0; i < 4; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	b = (struct blocked_submit){
		.p = p, .t = sleepy, .timeout_ns = LS_POOL_FOREVER, .rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);
	ls_group_cancel(g);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, -ECANCELED);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, &dropped), 0);
	ck_assert_uint_eq(dropped, 4);
	for (i = 0; i < 4; i++)
		rec_check_told_once(r, i, false);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.failed, 2);
	ck_assert_uint_eq(s.completed, 0);
	ck_assert_uint_eq(s.submitted, 6);
	ck_assert_uint_eq(s.workers, 0);
	ck_assert_int_eq(ls_pool_submit(p, &sleepy, NULL), -ECANCELED);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_lane_unbind(lane);
	test_evlog_drain(ring, &log);
	ck_assert_uint_eq(test_evlog_count(&log, LS_EV_TASK_FAIL), 2);
	ck_assert_uint_eq(test_evlog_count(&log, LS_EV_TASK_DROP), 4);
	ls_ring_destroy(ring);
	test_latch_destroy(&latch);
	rec_free(r);
	test_evlog_free(&log);
}
END_TEST

/* Cancelling a group whose workers are idle, and a pool whose submitter
 * is itself a member that waits for room: both unwind. */
struct member_submit {
	struct ls_pool *p;
	struct ls_task t;
	_Atomic int rc;
};

static void
member_submit_main(void *arg)
{
	struct member_submit *m = arg;

	atomic_store(&m->rc, ls_pool_submit_timed(m->p, &m->t,
						  LS_POOL_FOREVER, NULL));
}

START_TEST(test_cancel_member_submitter)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 1);
	struct test_latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct member_submit m = { .p = p, .t = hold };
	struct ls_pool_stats s;

	test_latch_init(&latch);
	atomic_init(&m.rc, 1);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "submitter", member_submit_main,
					 &m), 0);
	wait_for_waiting_submitter(p, 1);
	ls_group_cancel(g);
	/* The held task is in a plain condvar, not a cancellable wait. */
	test_latch_open(&latch);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_NOW, NULL), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&m.rc), -ECANCELED);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed + s.dropped, 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&latch);
}
END_TEST

static Suite *
pool_stop_suite(void)
{
	Suite *s = suite_create("pool_stop");
	TCase *tc;

	tc = tcase_create("map");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_map_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("shutdown");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_shutdown_now);
	tcase_add_test(tc, test_shutdown_now_drops_taken);
	tcase_add_test(tc, test_shutdown_now_random);
	tcase_add_test(tc, test_self_wait);
	suite_add_tcase(s, tc);

	tc = tcase_create("cancel");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_cancel_member_submitter);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	pool_seed_init("check_pool_stop");
	return test_run_suite(pool_stop_suite());
}
