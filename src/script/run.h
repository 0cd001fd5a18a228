/*
 * run.h - scene scripts on real engine threads.
 *
 * run_scene is one generic scene_def, "script": started with a compiled
 * program as its source (scene_run.source, a struct script_program), it
 * runs every thread of the script as an engine thread of the run's group
 * and every object as an engine primitive (the unsafe list aside), so the
 * model, the wait-for graph and the lock-order detector see a script as
 * they see a C scene.  Every step passes one gate, tagged with its pc
 * (gate.h's ls_gate_tag: pc + 1), so the control, the explorer and the
 * code view know which statement each thread will run next.  Shared
 * variables are ring objects of kind LS_OBJ_VAR, one per slot ("a[2]"),
 * whose MARK events carry the values read and written.  Outcomes (a
 * failed assert or fail, a runtime error, two threads in critical blocks)
 * are reported with scene_report the moment they happen; a deadlock is
 * the control's to see.  The semantics are assets/scripts/README.md's,
 * and the reference interpreter (oracle.h) must agree step by step.
 */
#ifndef LOCKSTEP_SCRIPT_RUN_H
#define LOCKSTEP_SCRIPT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenes/scene.h"
#include "script/script.h"

/* The generic scene of every script: source must be the program. */
extern const struct scene_def run_scene;

/* Is def the scene of scripts? */
bool run_is_script(const struct scene_def *def);

/* Where a thread stands. */
enum run_status {
	RUN_READY = 0,		/* at a step (parked at its gate, or going) */
	RUN_BLOCKED,		/* took a step that waits in an object */
	RUN_DONE,		/* returned, or ended the run */
};

/* One thread of a run, as the code view shows it. */
struct run_thread_view {
	unsigned pc;		/* the step it is at; nsteps when done */
	enum run_status status;
	int64_t carry;		/* blocked in push: its value */
	int64_t locals[SCRIPT_MAX_LOCALS];
	int64_t temps[SCRIPT_MAX_TEMPS];
};

/* A run's state, copied out. */
struct run_view {
	const struct script_program *prog;
	unsigned long steps;	/* steps taken by every thread */
	int64_t shared[SCRIPT_MAX_SLOTS];
	struct run_thread_view th[SCRIPT_MAX_THREADS];
};

/*
 * Copy the state of a started script run into *out.  Meaningful at rest
 * (the control paused or between steps); a snapshot while it runs.
 * Returns false when run is no script run (or not started).  The
 * controller's thread.
 */
bool run_view(const struct scene_run *run, struct run_view *out);

/* A 64-bit hash of everything that decides what the run does next
 * (scene_def.state_hash).  At rest. */
uint64_t run_state_hash(struct scene_run *run);

/* Ring ids: of shared slot k, and of object o, 0 when unknown. */
uint32_t run_slot_id(const struct scene_run *run, unsigned k);
uint32_t run_object_id(const struct scene_run *run, unsigned o);

#endif
