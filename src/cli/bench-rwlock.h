/*
 * bench-rwlock.h - `lockstep bench rwlock`: the engine's read-write lock
 * against glibc's writer-preferring pthread_rwlock, its writer waits under
 * a stream of readers, and the cost of its instrumentation.
 */
#ifndef LOCKSTEP_CLI_BENCH_RWLOCK_H
#define LOCKSTEP_CLI_BENCH_RWLOCK_H

#include "cli/bench.h"

/* Run the benchmark with o's runs, threads and trial length; print the
 * figures and ratios.  Returns the exit status: 0, or 1 when a trial could
 * not be set up or the lock broke its invariant. */
int bench_rwlock_main(const struct bench_opts *o);

#endif
