/*
 * headless.h - run a scene without a terminal and print a summary.
 */
#ifndef LOCKSTEP_CLI_HEADLESS_H
#define LOCKSTEP_CLI_HEADLESS_H

#include <stdbool.h>
#include <stdint.h>

#include "control/control.h"

struct headless_opts {
	struct control_target target;
	double seconds;		/* how long it runs */
	bool json;
	uint64_t seed;		/* 0: a new one (printed) */
};

/* Run the target, then print the summary as text or JSON on stdout.
 * Returns the exit status. */
int headless_main(const struct headless_opts *o);

#endif
