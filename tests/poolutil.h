/*
 * poolutil.h - what the thread pool's suites share (check_pool*.c): tasks
 * that record what happened to them, pool and group set-up, submitters
 * blocked in a full queue, and the seed the tasks' timing noise is drawn
 * from (POOL_SEED replays it; every suite prints it).
 *
 * Every task records itself in the test's own counters, so that a test
 * checks the pool's claims against what really ran: each task exactly
 * once, in the promised order, exactly one callback each.
 */
#ifndef LOCKSTEP_TESTS_POOLUTIL_H
#define LOCKSTEP_TESTS_POOLUTIL_H

#include "checkutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "lockstep/pool.h"
#include "lockstep/thread.h"

#define MS 1000000ull
#define SETTLE_NS (5000 * MS)

static uint64_t pool_seed;

/* Read POOL_SEED (else a fresh seed) and print it for a replay. */
static inline void
pool_seed_init(const char *suite)
{
	pool_seed = test_env_seed("POOL_SEED");
	fprintf(stderr, "%s: seed %" PRIu64 " (replay with POOL_SEED=%" PRIu64
		")\n", suite, pool_seed, pool_seed);
}

/* Yield zero to three times, as the seed says, to shake up timing. */
static inline void
pool_seeded_yield(uint64_t key)
{
	uint64_t s = pool_seed ^ (key * 0x2545f4914f6cdd1dull);
	unsigned n = (unsigned)(test_rng_next(&s) & 7);

	while (n-- > 4)
		sched_yield();
}

/* Poll the pool's stats until n submitters wait for room.  The test has
 * no other window on a thread blocked inside submit; the poll is bounded
 * by the test's timeout and asserts nothing about time. */
static inline void
wait_for_waiting_submitter(struct ls_pool *p, unsigned n)
{
	struct ls_pool_stats s;

	for (;;) {
		ls_pool_stats(p, &s);
		if (s.waiting >= n)
			return;
		test_sleep_ns(MS / 4);
	}
}

/* A task that records itself. */
struct rec {
	_Atomic unsigned *runs;		/* per task: times run */
	_Atomic unsigned *done;		/* per task: on_done calls */
	_Atomic unsigned *errs;		/* per task: on_error calls */
	_Atomic int *last_err;		/* per task: the error reported */
	_Atomic unsigned *order;	/* order[k] = task run k-th */
	_Atomic unsigned next;		/* next index into order */
	unsigned fail_every;		/* i fails if i % fail_every == 0 */
	struct test_latch *latch;	/* task 0 waits here if set */
};

struct rec_arg {
	struct rec *r;
	unsigned i;
};

static inline struct rec *
rec_new(unsigned n)
{
	struct rec *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	r->runs = calloc(n, sizeof(*r->runs));
	r->done = calloc(n, sizeof(*r->done));
	r->errs = calloc(n, sizeof(*r->errs));
	r->last_err = calloc(n, sizeof(*r->last_err));
	r->order = calloc(n, sizeof(*r->order));
	ck_assert(r->runs && r->done && r->errs && r->last_err && r->order);
	return r;
}

static inline void
rec_free(struct rec *r)
{
	free(r->runs);
	free(r->done);
	free(r->errs);
	free((void *)r->last_err);
	free(r->order);
	free(r);
}

static inline int
rec_task(void *p)
{
	struct rec_arg *a = p;
	struct rec *r = a->r;

	atomic_fetch_add(&r->runs[a->i], 1);
	r->order[atomic_fetch_add(&r->next, 1)] = a->i;
	if (a->i == 0 && r->latch)
		test_latch_arrive_wait(r->latch);
	pool_seeded_yield(a->i);
	if (r->fail_every && a->i % r->fail_every == 0)
		return -EIO;
	return 0;
}

static inline void
rec_done(void *p)
{
	struct rec_arg *a = p;

	atomic_fetch_add(&a->r->done[a->i], 1);
}

static inline void
rec_error(void *p, int err)
{
	struct rec_arg *a = p;

	atomic_store(&a->r->last_err[a->i], err);
	atomic_fetch_add(&a->r->errs[a->i], 1);
}

static inline struct ls_task
rec_make(struct rec_arg *a, int priority)
{
	return (struct ls_task){
		.fn = rec_task,
		.arg = a,
		.priority = priority,
		.on_done = rec_done,
		.on_error = rec_error,
	};
}

/* Task i of r was refused: never run, never told. */
static inline void
rec_check_untold(struct rec *r, unsigned i)
{
	unsigned runs = r->runs[i], done = r->done[i], errs = r->errs[i];

	ck_assert_msg(runs + done + errs == 0,
		      "refused task %u: runs %u, done %u, errors %u", i, runs,
		      done, errs);
}

/* Task i of r was accepted and told once: run, then on_done (ran); or
 * dropped unrun, on_error with -ECANCELED. */
static inline void
rec_check_told_once(struct rec *r, unsigned i, bool ran)
{
	unsigned runs = r->runs[i], done = r->done[i], errs = r->errs[i];
	int err = r->last_err[i];

	if (ran)
		ck_assert_msg(runs == 1 && done == 1 && errs == 0,
			      "task %u: runs %u, done %u, errors %u", i, runs,
			      done, errs);
	else
		ck_assert_msg(runs == 0 && done == 0 && errs == 1 &&
				      err == -ECANCELED,
			      "dropped task %u: runs %u, done %u, errors %u, "
			      "error %d",
			      i, runs, done, errs, err);
}

static inline struct ls_group *
group_new(struct ls_ring *ring)
{
	struct ls_group *g;

	ck_assert_int_eq(ls_group_create(ring, "test", &g), 0);
	return g;
}

static inline struct ls_pool *
pool_new(struct ls_group *g, unsigned min, unsigned max, unsigned cap)
{
	struct ls_pool_config cfg = {
		.name = "pool",
		.min_workers = min,
		.max_workers = max,
		.capacity = cap,
	};
	struct ls_pool *p;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	return p;
}

/* A task that holds its worker until the latch opens. */
static inline int
hold_task(void *p)
{
	test_latch_arrive_wait(p);
	return 0;
}

/* A submitter on a plain thread that waits for room. */
struct blocked_submit {
	struct ls_pool *p;
	struct ls_task t;
	uint64_t timeout_ns;
	int rc;
};

static inline void *
blocked_submit_main(void *arg)
{
	struct blocked_submit *b = arg;

	b->rc = ls_pool_submit_timed(b->p, &b->t, b->timeout_ns, NULL);
	return NULL;
}

/* Step the only thread of c's group, a pool worker, through one gate
 * and wait until it rests again. */
static inline void
step_worker(struct control *c)
{
	struct control_thread t;

	ck_assert_int_eq(control_settle(c, SETTLE_NS), 0);
	ck_assert_uint_eq(control_threads(c, &t, 1), 1);
	ck_assert_int_eq(control_step(c, t.tid, SETTLE_NS, NULL, 0), 0);
}

#endif
