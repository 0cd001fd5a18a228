/*
 * exploreutil.h - the search options the explorer's suites share.
 */
#ifndef LOCKSTEP_TESTS_EXPLOREUTIL_H
#define LOCKSTEP_TESTS_EXPLOREUTIL_H

#include "checkutil.h"

#include "control/target.h"
#include "explore/explore.h"

/* Options for a search of target (a scene or a script's path): a
 * preemption bound of 2, pct depth 3, at most schedules schedules of at
 * most max_steps steps, from seed; no time limit to speak of. */
static inline void
test_explore_opts(struct explore_opts *o, const char *target,
		  enum explore_strategy s, uint64_t seed,
		  unsigned long schedules, unsigned long max_steps)
{
	char err[512];

	memset(o, 0, sizeof(*o));
	ck_assert_msg(!target_resolve(target, &o->target, err, sizeof(err)),
		      "%s", err);
	o->strategy = s;
	o->preemptions = 2;
	o->depth = 3;
	o->max_schedules = schedules;
	o->seconds = 600;
	o->max_steps = max_steps;
	o->seed = seed;
}

#endif
