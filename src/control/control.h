/*
 * control.h - the one door into a running target.
 *
 * Everything that pauses, steps, judges or resets engine threads goes
 * through here: the ui, the headless runner, the explorer, decks, and the
 * tests.  Nothing else calls the gate API (a check in make check keeps it
 * so), the way tmux clients speak to the server only through commands.
 *
 * A control drives one target: a C scene or a compiled script (both are a
 * scene_def; a script's is generic and builds from run.source).  It starts
 * the target in one of three modes:
 *   RUN    the threads run freely; a hazard scene's forcing schedule is
 *          applied first, so its failure shows every time;
 *   PAUSE  every thread is held at its first gate;
 *   STEP   as PAUSE, and the user (or a search) moves one thread one gate
 *          at a time.
 * Started in PAUSE or STEP mode and never resumed, a run is a function of
 * its target, parameters, seed and the steps taken: the control records
 * those steps (the schedule), and can go back one step by restarting the
 * target and replaying all but the last, at full speed.
 *
 * Before each step the control knows who can move and what each thread
 * will do next (the gates' probes): a thread whose next operation would
 * block is shown so, and a step into it blocks it as predicted.  In STEP
 * mode a timed wait never times out by itself: stepping that thread fires
 * its timeout, so a stepped run never depends on how long a step took.
 *
 * One thread drives a control (the ui thread, the runner, a test): no
 * function here may be called from two threads at once, nor from a
 * thread of the target.
 */
#ifndef LOCKSTEP_CONTROL_H
#define LOCKSTEP_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "scenes/scene.h"

struct ls_group;
struct schedule;

enum control_mode {
	CONTROL_RUN = 0,
	CONTROL_PAUSE,
	CONTROL_STEP,
};

/* What a control runs: a scene (or a script's generic scene) with its
 * parameters.  source: the compiled script, NULL for a C scene. */
struct control_target {
	const struct scene_def *def;
	const void *source;
	const char *path;		/* a script's file, for schedules */
	int params[SCENE_MAX_PARAMS];
};

/* Whether a thread can move, as the control sees it before a step. */
enum control_can {
	CAN_MOVE = 0,	/* at a gate; its next operation goes through */
	CAN_BLOCK,	/* at a gate; stepped, it will block (on holder) */
	CAN_TIMEOUT,	/* blocked in a timed wait: a step times it out */
	CAN_WAIT,	/* blocked; only another thread can free it */
	CAN_BUSY,	/* working, sleeping or running to its next gate */
	CAN_DONE,	/* returned */
};

struct control_thread {
	unsigned tid;
	char name[LS_NAME_MAX + 1];
	unsigned state;		/* enum ls_thread_state */
	enum control_can can;
	/* At a gate: the operation it will do next and on what; blocked:
	 * what it waits for.  holder: who holds that, 0 nobody known. */
	unsigned next_kind;	/* enum ls_event_kind */
	uint32_t obj;
	unsigned holder;
	uint32_t tag;		/* the gate's tag (a script's step), 0 none */
	/* At a gate: the gate's own words ("lock", "take task"), as the
	 * primitive or scene passed them; what below adds the object. */
	char desc[LS_GATE_DESC_MAX + 1];
	uint64_t busy_until;	/* CAN_BUSY asleep: when it wakes, else 0 */
	/* In plain words: "next: lock B (held by T1)", "waits for B (held
	 * by T2)", "working (300 ms)", "done". */
	char what[96];
};

/* A judgement of the target's invariant, taken with the group at rest. */
struct control_verdict {
	bool judged;		/* false: the threads did not come to rest */
	bool holds;
	const char *name;	/* the invariant's name */
	char detail[256];
};

/* One recorded step. */
struct control_step {
	char thread[LS_NAME_MAX + 1];
	bool timeout;		/* the step fired a timed wait's timeout */
	char what[96];		/* what it did, for the schedule's comment */
};

#define CONTROL_MAX_THREADS 64

/*
 * A gate tag (ls_gate_tag) with CONTROL_TAG_FOLLOW set marks a gate that
 * belongs to the step which woke its thread, not a step of its own (a
 * script's wait(cv, m) taking m back after the signal): a step that
 * leaves threads parked at such gates passes them before it is done,
 * the lowest order first (bits CONTROL_TAG_ORDER_*, compared modulo
 * 2^15), so the step stays one step and its outcome one outcome.
 */
#define CONTROL_TAG_FOLLOW 0x80000000u
#define CONTROL_TAG_ORDER_SHIFT 16
#define CONTROL_TAG_ORDER_MASK 0x7fffu

struct control {
	struct control_target target;
	struct ls_ring *ring;
	struct scene_run run;
	bool running;		/* run holds a started target */
	struct ls_group *group;	/* run.group, or an attached group */
	enum control_mode mode;
	unsigned speed_permille;	/* 0: max */
	uint64_t seed;
	/* Bumped by every (re)start.  before_launch, when set, is called
	 * with hook_arg after a restart stopped the old run and before the
	 * new one starts: whoever folds the ring into a model starts a
	 * fresh one there, so it sees every name of the new run. */
	unsigned generation;
	void (*before_launch)(void *arg);
	void *hook_arg;
	/* When set (control_start_cached, or by the caller after
	 * control_start for later starts), a start runs the target's
	 * threads on this cache's threads (thread.h). */
	struct ls_thread_cache *cache;

	/* The steps taken since the start, and whether they describe the
	 * whole run (started held, never resumed since). */
	struct control_step *steps;
	size_t nsteps, steps_cap;
	bool replayable;
	unsigned last_stepped;	/* tid, for round-robin "next" */
	/* Set by a search (after control_start): steps are recorded
	 * without their words (what is empty) and untimed (step_began 0).
	 * Wording was a tenth of a search's step; a search words only the
	 * schedules it reports, by replaying them with brief off. */
	bool brief;

	/* A step begun by control_step_begin and not yet at rest. */
	bool stepping;
	unsigned step_tid;
	uint64_t step_began;

	/* The threads as the last finished step left them, brief (see
	 * control_threads_brief): control_step_thread's caller lists from
	 * here instead of asking the engine again. */
	struct control_thread last[CONTROL_MAX_THREADS];
	size_t nlast;

	/* The step at which the first outcome was seen, or 0. */
	size_t outcome_step;
	bool outcome_seen;
	struct scene_outcome outcome;
};

/*
 * Start target t on ring in mode at speed (thousandths; 0 is "max") with
 * seed (0: a new one).  RUN applies the scene's forcing schedule first.
 * Returns 0, or a negative errno with a one-line reason in err (then
 * nothing runs).  c is zeroed first.
 */
int control_start(struct control *c, struct ls_ring *ring,
		  const struct control_target *t, enum control_mode mode,
		  unsigned speed_permille, uint64_t seed, char *err, size_t n);

/* As control_start, with c->cache set to cache (may be NULL) before the
 * first launch, so the first run's threads come from it too. */
int control_start_cached(struct control *c, struct ls_ring *ring,
			 const struct control_target *t,
			 enum control_mode mode, unsigned speed_permille,
			 uint64_t seed, struct ls_thread_cache *cache,
			 char *err, size_t n);

/*
 * Drive a bare group that the caller made and fills (a test of a
 * primitive): pause, step, settle, list and judge work; start, restart
 * and step back do not.  Threads may be spawned into g after this.
 */
void control_attach(struct control *c, struct ls_group *g,
		    struct ls_ring *ring);

/* Stop the target (cancel, join, free) and the recording; safe at any
 * moment, deadlocked or not, and twice.  An attached group is left to
 * its owner. */
void control_stop(struct control *c);

/* Stop and start the target again with the same parameters, seed and
 * mode; the schedule starts empty.  Returns 0 or a negative errno. */
int control_restart(struct control *c, char *err, size_t n);

/* Hold every thread at its next gate (PAUSE), or let them all run (RUN;
 * the schedule is then no longer replayable). */
void control_pause(struct control *c);
void control_resume(struct control *c);

/*
 * Wait until every thread is at rest (at a gate, blocked, sleeping, idle
 * or done), at most timeout_ns.  Returns 0, -ETIMEDOUT or -ECANCELED.
 */
int control_settle(struct control *c, uint64_t timeout_ns);

/*
 * List the target's threads, in spawn order, with what each can do;
 * up to max.  Returns how many.  Meaningful at rest (paused, stepping);
 * a snapshot while running.
 */
size_t control_threads(struct control *c, struct control_thread *out,
		       size_t max);

/* The same without the words (each what is empty), for a search that
 * lists after every step and reads only who can move: formatting was
 * most of a listing's cost.  control_step_thread words the one it
 * steps. */
size_t control_threads_brief(struct control *c, struct control_thread *out,
			     size_t max);

/* The thread that "next" would step: after the last one stepped, the
 * first that can move, else the first whose timed wait can be fired; 0
 * when none can.  At rest. */
unsigned control_next(struct control *c);

/*
 * Step thread tid (0: control_next) one gate and wait, at most
 * timeout_ns, until every thread is at rest again, counting a sleeping
 * thread as not yet at rest (a step shows its whole effect).  Enters
 * STEP mode.  Records the step.  Returns 0; -ENOENT when tid cannot move
 * (blocked with no timeout to fire, done, or no such thread), with a
 * reason in err (may be NULL); -ETIMEDOUT when the threads are still busy
 * (the step is then in flight: finish it with control_step_poll);
 * -ECANCELED.
 */
int control_step(struct control *c, unsigned tid, uint64_t timeout_ns,
		 char *err, size_t n);

/* Step t, an entry of the last control_threads or control_threads_brief
 * listing, as control_step does, without listing the threads again (a
 * search).  On 0, c->last[0..c->nlast) lists the threads as the step
 * left them, brief. */
int control_step_thread(struct control *c, const struct control_thread *t,
			uint64_t timeout_ns, char *err, size_t n);

/* Begin a step without waiting (the ui): as control_step with a zero
 * timeout, returning 0 or -EINPROGRESS when it is in flight. */
int control_step_begin(struct control *c, unsigned tid, char *err, size_t n);

/* Is the step in flight done?  Returns 0 (done, or none in flight),
 * -EINPROGRESS, or -ECANCELED.  Never blocks. */
int control_step_poll(struct control *c);

/* Step thread name (as a schedule names it): as control_step. */
int control_step_named(struct control *c, const char *name,
		       uint64_t timeout_ns, char *err, size_t n);

/*
 * Go back one step: restart the target and replay every recorded step
 * but the last, at full speed, then restore the speed.  Needs a
 * replayable run.  Returns 0, -ENOENT (nothing to undo, or the run is
 * not replayable, with a reason in err) or an error of the replay.
 */
int control_step_back(struct control *c, char *err, size_t n);

/*
 * The target's first outcome so far (its own report, or a deadlock the
 * control saw: no live thread can move, in STEP or PAUSE mode), and the
 * step number at which it was seen (1-based; 0 when it came while
 * running).  Returns false when there is none.
 */
bool control_outcome(struct control *c, struct scene_outcome *out,
		     size_t *at_step);

/*
 * Judge the invariant: pause, settle at most timeout_ns, call the
 * scene's invariant.  Leaves the group paused.  A scene without an
 * invariant holds.
 */
void control_judge(struct control *c, uint64_t timeout_ns,
		   struct control_verdict *v);

/* The workload's speed, thousandths (0: max, no simulated time). */
void control_set_speed(struct control *c, unsigned permille);

/*
 * Set parameter idx to v: live when the scene allows, else a restart in
 * the same mode.  *restarted says which.  Returns 0 or a negative errno
 * (err says why).
 */
int control_set_param(struct control *c, unsigned idx, int v,
		      bool *restarted, char *err, size_t n);

/* The scene's forcing schedule (thread names, NULL-terminated) as a hint
 * for a class stepping by hand, or NULL. */
const char *const *control_hint(struct control *c);

#endif
