/*
 * headless.h - run a scene without a terminal and print a summary.
 */
#ifndef LOCKSTEP_CLI_HEADLESS_H
#define LOCKSTEP_CLI_HEADLESS_H

#include <stdbool.h>
#include <stdint.h>

#include "control/control.h"

struct schedule;

struct headless_opts {
	struct control_target target;
	double seconds;		/* how long it runs freely */
	bool json;
	uint64_t seed;		/* 0: a new one (printed) */
	unsigned long steps;	/* > 0: a stepped run of at most this many
				 * steps, threads picked from the seed */
	const struct schedule *replay;	/* replay this, all at once */
	const char *record;	/* write the run's schedule here */
	const char *record_events;	/* write its event stream here */
	bool quiet;		/* print no summary (lockstep trace) */
};

/* s as a JSON string on stdout, quotes and escapes included. */
void headless_json_string(const char *s);

/* Run the target, then print the summary as text or JSON on stdout.
 * Returns the exit status. */
int headless_main(const struct headless_opts *o);

#endif
