/*
 * scene.h - a scene is threads + primitives + a workload + parameters + an
 * invariant + a lesson.
 *
 * Scenes are entries in one const table (scene.c).  A scene only uses the
 * engine's public headers and this API: it spawns its threads into the
 * run's group, registers its objects in the run's ring, and sleeps through
 * scene_sleep so the ui's speed control reaches it.  Stopping a scene is
 * always the same: cancel the group (every wait returns -ECANCELED), join
 * it, then let the scene free its objects.  That is also reset.
 */
#ifndef LOCKSTEP_SCENE_H
#define LOCKSTEP_SCENE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ls_ring;
struct ls_gate_view;
struct ls_group;
struct scene_run;

#define SCENE_MAX_PARAMS 8

/* A named parameter: an integer range, or one of named values. */
struct scene_param {
	const char *name;		/* "producers", the --set key */
	const char *help;		/* one line */
	int min, max, def;
	int step;			/* per key press; 0 means 1 */
	const char *const *values;	/* names of 0..max, or NULL for ints */
	int key;			/* ui key that raises/cycles it */
	int key_down;			/* ui key that lowers it, 0 if none */
	bool live;			/* applied without a restart */
};

struct scene_def {
	const char *name;		/* "prodcons" */
	const char *title;		/* "producers and consumers" */
	const char *summary;		/* one line for lockstep list */
	const struct scene_param *params;
	unsigned nparams;
	size_t state_size;		/* zeroed scene state, run->state */

	/* Create objects and spawn threads.  Returns 0 or a negative errno;
	 * on failure the caller cancels, joins and calls stop. */
	int (*start)(struct scene_run *run);
	/* Free objects.  Every thread has been joined. */
	void (*stop)(struct scene_run *run);
	/* A live parameter changed (run->params already updated). */
	void (*param_changed)(struct scene_run *run, unsigned idx);
	/*
	 * The forcing schedule for the current params, or NULL: thread
	 * names, NULL-terminated.  A controller starting the scene running
	 * holds the threads at their first gates, lets each named thread
	 * through one gate in this order (a thread that is blocked then is
	 * skipped: a fix may forbid the bad interleaving), then lets
	 * everything run.  This is how a hazard scene shows its failure
	 * every time rather than by luck.  Started held, the scene shows it
	 * as a hint instead, for a class to step through by hand.
	 */
	const char *const *(*schedule)(struct scene_run *run);
	/* Does the invariant hold?  Called with the group paused and
	 * settled (every thread at a gate, blocked, or done), so counters
	 * are still, and run->view listing every thread as the controller
	 * saw it then.  Writes its name and a detail line. */
	bool (*invariant)(struct scene_run *run, const char **name,
			  char *detail, size_t n);
	/* The invariant is about safety alone (nothing it checks needs
	 * time to pass, such as progress), so a search may judge it after
	 * every step. */
	bool invariant_is_safety;
	/* The workload time (ms at 1x) a run needs before its invariant
	 * can be judged: progress needs time to show.  0: any time. */
	unsigned judge_after_ms;
	/*
	 * A hash of everything that decides what the threads do next
	 * (variables, each thread's position and locals, every object), so
	 * that a search can tell a state it has seen; NULL when the scene
	 * cannot say (C scenes).  Called with the group at rest.
	 */
	uint64_t (*state_hash)(struct scene_run *run);
};

/* A failure the scene saw, the moment it happened (scene_report). */
struct scene_outcome {
	unsigned kind;		/* enum ls_outcome */
	unsigned tid;		/* whose step caused it, 0 when unknown */
	uint32_t obj;		/* the object involved, 0 for none */
	unsigned line;		/* a script's source line, else 0 */
	char what[200];		/* one or two sentences, for the banner */
};

/* After scene_start: the forced steps taken and skipped (blocked). */
struct scene_forced {
	unsigned stepped, skipped;
};

struct scene_run {
	const struct scene_def *def;
	/* What start() builds from when the scene is generic (a compiled
	 * script), else NULL.  Set by the caller of scene_start. */
	const void *source;
	struct ls_ring *ring;
	struct ls_group *group;
	int params[SCENE_MAX_PARAMS];
	/* Every random choice a scene makes is drawn from this seed
	 * (scene_seed), so a run under a schedule is the same run. */
	uint64_t seed;
	/* Speed in thousandths of the workload's time scale; 0 is "max"
	 * (no simulated time at all).  Read by every scene thread. */
	_Atomic unsigned speed_permille;
	void *state;
	struct scene_forced forced;
	/* The threads as the controller saw them when it judges (for the
	 * invariant), else NULL. */
	const struct ls_gate_view *view;
	size_t nview;
	/* The first outcome reported (scene_report); kind is published
	 * last, with a release store, so a reader that sees it non-zero
	 * sees the rest.  reported counts every report, also later ones. */
	struct scene_outcome outcome;
	_Atomic unsigned outcome_kind;
	atomic_flag outcome_claimed;
	_Atomic unsigned reported;
};

extern const struct scene_def *const scene_table[];
extern const unsigned scene_count;

/* The scene named name, or NULL. */
const struct scene_def *scene_find(const char *name);

/* Set params to the scene's defaults. */
void scene_defaults(const struct scene_def *def, int *params);

/* The index of parameter name in def, or -1. */
int scene_param_index(const struct scene_def *def, const char *name);

/*
 * Apply "key=value" to params.  An integer value is read by the strict
 * parser of util/num.h.  Returns 0, or -EINVAL with a one-line message in
 * err (what was wrong and what is allowed) whose copy of the person's
 * text is escaped (util/escape.h), so it is safe to print as it is.
 */
int scene_parse_set(const struct scene_def *def, const char *kv, int *params,
		    char *err, size_t n);

/* Format parameter idx's current value into buf. */
void scene_param_format(const struct scene_def *def, unsigned idx, int value,
			char *buf, size_t n);

/*
 * Start def in a new group on ring with params; source is what a generic
 * scene builds from (a compiled script), NULL for C scenes; seed draws
 * every random choice (0: one from the clock).  Returns 0 or a negative
 * errno (then nothing is left running).  Controller thread only.
 */
int scene_start(struct scene_run *run, const struct scene_def *def,
		const void *source, struct ls_ring *ring, const int *params,
		unsigned speed_permille, uint64_t seed);

/*
 * scene_start in two halves, for a controller that must hold the group
 * before any thread runs: scene_prepare sets run up and creates its group
 * (no thread yet); scene_launch calls def->start.  Each returns 0 or a
 * negative errno; after a failure of either, call scene_stop.
 */
int scene_prepare(struct scene_run *run, const struct scene_def *def,
		  const void *source, struct ls_ring *ring, const int *params,
		  unsigned speed_permille, uint64_t seed);
int scene_launch(struct scene_run *run);

/* Cancel, join, free.  Safe at any moment, deadlocked or not. */
void scene_stop(struct scene_run *run);

/* Sleep ns of workload time, scaled by the run's speed; cancellable.
 * Returns 0 or -ECANCELED.  Scene threads only. */
int scene_sleep(struct scene_run *run, uint64_t ns);

/* Simulated computation that costs no CPU: ns of workload time, scaled
 * by speed, shown as RUNNING.  Returns 0 or -ECANCELED. */
int scene_work(struct scene_run *run, uint64_t ns);

/* A live parameter, read by scene threads while the ui may change it. */
static inline int
scene_param(struct scene_run *run, unsigned idx)
{
	return __atomic_load_n(&run->params[idx], __ATOMIC_RELAXED);
}

/* Change parameter idx of a running scene (the ui thread). */
static inline void
scene_param_set(struct scene_run *run, unsigned idx, int v)
{
	__atomic_store_n(&run->params[idx], v, __ATOMIC_RELAXED);
}

/* A random number from a per-thread xorshift state (seed it non-zero). */
static inline uint32_t
scene_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (uint32_t)(*state >> 11);
}

/*
 * Report a failure the moment a scene thread sees it: emits OUTCOME
 * (kind, obj, aux tid) for the model, and keeps the first report, with
 * its sentence, for the controller (scene_outcome_get).  what is printf
 * formatted.  Any scene thread; lock-free.
 */
void scene_report(struct scene_run *run, unsigned kind, uint32_t obj,
		  unsigned line, const char *what, ...)
	__attribute__((format(printf, 5, 6)));

/* The first outcome reported so far into *out; false when none.  Any
 * thread. */
bool scene_outcome_get(const struct scene_run *run,
		       struct scene_outcome *out);

/* A non-zero seed for a scene thread's scene_rand state, drawn from the
 * run's seed and a stream number (the thread's index). */
uint64_t scene_seed(const struct scene_run *run, unsigned stream);

/* Spin ns of workload time on the CPU (simulated computation), scaled by
 * speed; returns early with -ECANCELED when the group is cancelled. */
int scene_spin(struct scene_run *run, uint64_t ns);

#endif
