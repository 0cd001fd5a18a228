/*
 * bench-queue.h - `lockstep bench queue`: the bounded blocking queue
 * against a plain mutex and condition variable queue, in one process.
 */
#ifndef LOCKSTEP_CLI_BENCH_QUEUE_H
#define LOCKSTEP_CLI_BENCH_QUEUE_H

#include "cli/bench.h"

/* Run the queue benchmark with o (runs, threads, seconds, json) and print
 * it.  Returns the exit status: 0, or 1 when a trial could not be set up. */
int bench_queue_main(const struct bench_opts *o);

#endif
