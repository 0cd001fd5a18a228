/*
 * bench-pool.h - thread-pool trials, shared by `lockstep bench pool` and
 * the peers benchmark in tests/bench/bench_pool_peers.c.
 */
#ifndef LOCKSTEP_CLI_BENCH_POOL_H
#define LOCKSTEP_CLI_BENCH_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/bench.h"

/* What each task does. */
enum bench_work {
	WORK_NOOP = 0,
	WORK_1US,	/* spin on the clock for 1 us */
	WORK_10US,	/* spin on the clock for 10 us */
};

/* How submitted tasks are prioritised. */
enum bench_prio {
	PRIO_EQUAL = 0,	/* all 0: the heap degenerates to FIFO order */
	PRIO_RANDOM,	/* uniform in 0..15 */
	PRIO_FIFO,	/* a pool in fifo mode (no heap) */
};

/* `lockstep bench pool`.  Returns the exit status. */
int bench_pool_main(const struct bench_opts *o);

/* The size of the no-op trial: LOCKSTEP_BENCH_POOL_TASKS, else 1000000.
 * The other trials are sized from it. */
uint64_t bench_pool_tasks(void);

/* Spin on the clock for ns (the work of a WORK_1US/10US task). */
void bench_spin_ns(uint64_t ns);

/* The work function of a task, as the peers call it. */
void bench_work_do(enum bench_work w);

/*
 * Our pool: `workers` workers (min = max), the calling thread submitting n
 * tasks with the blocking submit, timed until the last one finished.
 * events: run with a ring, the submitter and workers emitting, and a
 * thread draining it every millisecond; *drops (may be NULL) gets the
 * events dropped.  Returns tasks per second, or a negative errno.
 */
double pool_trial(unsigned workers, uint64_t n, enum bench_work w,
		  enum bench_prio prio, bool events, uint64_t *drops);

/* One pthread_create + pthread_join per task, `workers` in flight.
 * Returns tasks per second. */
double pool_trial_thread_per_task(unsigned workers, uint64_t n,
				  enum bench_work w);

#endif
