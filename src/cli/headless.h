/*
 * headless.h - run a scene without a terminal and print a summary.
 */
#ifndef LOCKSTEP_CLI_HEADLESS_H
#define LOCKSTEP_CLI_HEADLESS_H

#include <stdbool.h>

#include "scenes/scene.h"

/* Run def with params for seconds, then print the summary as text or
 * JSON on stdout.  Returns the exit status. */
int headless_main(const struct scene_def *def, const int *params,
		  double seconds, bool json);

#endif
