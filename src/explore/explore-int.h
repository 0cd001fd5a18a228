/*
 * explore-int.h - what the explorer's files share: the executor that runs
 * one schedule of the target under the control module, choosing a thread
 * at every gate.
 */
#ifndef LOCKSTEP_EXPLORE_INT_H
#define LOCKSTEP_EXPLORE_INT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/control.h"
#include "explore/explore.h"

/* The target, one schedule at a time. */
struct exec {
	const struct explore_opts *o;
	struct ls_ring *ring;
	struct ls_thread_cache *cache;	/* threads reused across schedules */
	/* The searching thread's CPUs before exec_init confined it to one
	 * (util/cpu.h), restored by exec_free; the CPU, -1 when not. */
	cpu_set_t cpus_before;
	int cpu;
	struct control c;
	bool live;			/* c runs the target */
	/* Record steps without words (control.brief): set by exec_init,
	 * cleared only by exec_replay_worded. */
	bool brief;
	uint64_t seed;
	/* Who can move now (exec_list), in spawn order. */
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t nt;
	uint64_t enabled;		/* bit i: t[i] can be stepped */
	/* This schedule. */
	int current;			/* index of the thread last stepped */
	char current_name[LS_NAME_MAX + 1];
	unsigned preemptions;
	bool failed;
	struct scene_outcome out;
	size_t out_step;
	/* Livelock watch (a target that hashes its state): the hash after
	 * each step, the thread stepped and who could move before it. */
	uint64_t *hash;
	uint8_t *who;
	uint64_t *could;
	uint8_t *preempted;		/* step k preempted a thread */
	size_t cap;
	/* Over the whole search. */
	unsigned long decisions;
	unsigned long ring_renewals;
	size_t deepest;
};

/* Start the exec's ring; the target starts at the first exec_begin.
 * Returns 0 or a negative errno with err set. */
int exec_init(struct exec *x, const struct explore_opts *o, uint64_t seed,
	      char *err, size_t n);
void exec_free(struct exec *x);

/* A new schedule from the target's start.  Returns 0 or an error with
 * err set.  Lists who can move (exec_list). */
int exec_begin(struct exec *x, char *err, size_t n);

/* List who can move now.  Returns how many can. */
size_t exec_list(struct exec *x);

/* Step t[i].  Updates preemptions and the failure (x->failed), then
 * lists who can move.  Returns 0 or an error with err set. */
int exec_step(struct exec *x, size_t i, char *err, size_t n);

/* Is the schedule over: failed, nobody can move, or at the step bound? */
bool exec_over(const struct exec *x);

/* The index in t[] of the thread named name, or -1. */
int exec_find(const struct exec *x, const char *name);

/* Would stepping t[i] now preempt the thread that ran last? */
bool exec_preempts(const struct exec *x, size_t i);

/* Are the next operations of t[i] and t[j] independent (different
 * objects, so either order gives the same state)? */
bool exec_independent(const struct exec *x, size_t i, size_t j);

/* The target's state hash now, or 0 when it cannot hash. */
uint64_t exec_hash(struct exec *x);

/* The non-preemptive choice: the thread that ran last if it can go on,
 * else the first that can.  -1 when none can. */
int exec_default(const struct exec *x);

/* Copy the schedule run so far into *s (freeing what it held). */
int exec_copy(const struct exec *x, struct explore_schedule *s);

/*
 * Run steps as a schedule leniently: each named thread that can move
 * takes its step, one that cannot is skipped; then go on
 * non-preemptively to the step bound.  Stops at the first failure.
 * Returns 0 or an error; x->failed says whether it failed.
 */
int exec_replay_lenient(struct exec *x, const struct control_step *steps,
			size_t n, char *err, size_t en);

/* Replay s as exec_replay_lenient does, with the steps in words (a
 * search records them without, x->brief), and when it fails put the
 * steps as replayed, worded, back in s: a schedule to report. */
int exec_replay_worded(struct exec *x, struct explore_schedule *s,
		       char *err, size_t en);

/* Shrink the failing schedule s (of failure kind) in place: fewest
 * preemptions first, then fewest steps; each candidate must fail with
 * the same kind.  r's counters grow with every run.  Returns 0 or an
 * error. */
int explore_shrink(struct exec *x, struct explore_schedule *s,
		   unsigned kind, struct explore_result *r, char *err,
		   size_t n);

#endif
