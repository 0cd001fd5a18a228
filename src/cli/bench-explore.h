/*
 * bench-explore.h - `lockstep bench explore`: how fast a search runs
 * schedules and decides at gates, beside the floor of a hand-off through
 * the engine's parker, in one process.
 */
#ifndef LOCKSTEP_CLI_BENCH_EXPLORE_H
#define LOCKSTEP_CLI_BENCH_EXPLORE_H

#include "cli/bench.h"

/* Run the explore benchmark with o and print it.  Returns the exit
 * status: 0, or 1 when a trial could not be set up. */
int bench_explore_main(const struct bench_opts *o);

#endif
