/*
 * explore.h - let lockstep find the failing interleaving.
 *
 * A search runs the target again and again under the control module,
 * choosing at every gate which thread moves, until a schedule makes the
 * target fail (an outcome the target reports, a safety invariant broken,
 * a deadlock, a livelock) or its bounds are spent.  A failure found is
 * shrunk, first to the fewest preemptions and then to the fewest steps,
 * and handed back as a schedule that replays it.
 *
 * Strategies:
 *   dfs       systematic depth-first search with iterative preemption
 *             bounding (0, 1, ... K), pruning equivalent interleavings with
 *             sleep sets and, where the target can hash its whole state (a
 *             script), states already explored with no fewer preemptions
 *             left.  Covering the whole space is a proof within the bound.
 *   pct       probabilistic concurrency testing of depth d: random thread
 *             priorities and d - 1 random priority change points.
 *   pos       partial-order sampling: a random priority per step, redrawn
 *             for the threads whose next step races with the one taken.
 *   random    a thread chosen at random at every step.
 *   portfolio all of them, taking turns, schedule by schedule.
 * Every choice is drawn from the seed: the same options give the same
 * search.
 */
#ifndef LOCKSTEP_EXPLORE_H
#define LOCKSTEP_EXPLORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/control.h"

enum explore_strategy {
	EXPLORE_PORTFOLIO = 0,
	EXPLORE_DFS,
	EXPLORE_PCT,
	EXPLORE_POS,
	EXPLORE_RANDOM,
	EXPLORE_STRATEGIES
};

/* "portfolio", "dfs"...; NULL for a bad value. */
const char *explore_strategy_name(enum explore_strategy s);

/* The strategy named name; -1 when none is. */
int explore_strategy_parse(const char *name);

/* What the search has done so far, for a progress line. */
struct explore_progress {
	const char *strategy;	/* the one that ran the last schedule */
	unsigned long schedules;
	unsigned long decisions;	/* steps taken, over all schedules */
	double seconds;
	size_t deepest;		/* the longest schedule so far */
	bool shrinking;		/* a failure was found and is being shrunk */
};

struct explore_opts {
	struct control_target target;
	enum explore_strategy strategy;
	unsigned preemptions;	/* K: dfs bound, and pct's default depth */
	unsigned depth;		/* pct's d */
	unsigned long max_schedules;
	double seconds;
	unsigned long max_steps;	/* per schedule */
	uint64_t seed;
	bool par;		/* also find the shortest path to the goal */
	/* Called about ten times a second, from the searching thread. */
	void (*progress)(const struct explore_progress *p, void *arg);
	void *progress_arg;
	/* Set by another thread to stop the search (the ui's key). */
	atomic_bool *cancel;
	/* Objects the search's ring may have named before it is renewed
	 * (exec.c says why); 0: 65536.  Tests make it small. */
	unsigned ring_objects;
};

/* A schedule: the steps (as the control records them), and how many of
 * them preempt a thread that could have gone on. */
struct explore_schedule {
	struct control_step *steps;
	size_t n;
	unsigned preemptions;
};

struct explore_result {
	unsigned long schedules, decisions;
	double seconds;
	size_t deepest;
	bool found;
	bool cancelled;
	struct scene_outcome failure;	/* of the shrunk schedule */
	const char *found_by;		/* the strategy that found it */
	struct explore_schedule first;	/* as found */
	struct explore_schedule shrunk;	/* shrunk, replaying the failure */
	/* dfs: every schedule with at most exhausted_k preemptions (and
	 * max_steps steps) was covered. */
	bool exhausted;
	unsigned exhausted_k;
	/* The shortest path to the goal in steps (opts.par), or -1. */
	long par;
	uint64_t seed;			/* the run's target seed */
	unsigned long ring_renewals;	/* times the ring was renewed */
};

/*
 * Search o->target as o says.  Returns 0 (r filled: found or not), or a
 * negative errno with one line in err (the target would not start).
 * Free r with explore_result_free.  Not reentrant: one search per thread
 * at a time (it owns a ring and a control of its own).
 */
int explore_run(const struct explore_opts *o, struct explore_result *r,
		char *err, size_t n);

void explore_result_free(struct explore_result *r);

#endif
