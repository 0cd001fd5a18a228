/*
 * gate.h - pause and single-step real engine threads.
 *
 * Every instrumented operation passes a gate before it acts.  In RUN mode a
 * gate is one relaxed atomic load.  In PAUSE mode every thread of the group
 * parks at its next gate, so the engine itself is frozen, not just the
 * picture.  In STEP mode the controller lets exactly one chosen thread
 * through one gate and waits until that thread parks at its next gate,
 * blocks in a primitive, or returns.  A gate is never passed while a
 * primitive's internal lock is held.
 *
 * The controller is any thread that is not a member of the group (the ui,
 * a test).  Scenes add their own gates (ls_gate with a description such as
 * "read balance") so a race can be stepped at load/modify/store level.
 */
#ifndef LOCKSTEP_GATE_H
#define LOCKSTEP_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "lockstep/ring.h"

struct ls_group;

enum ls_gate_mode {
	LS_GATE_RUN = 0,
	LS_GATE_PAUSE,
	LS_GATE_STEP,
};

/* Longest gate description kept, without the NUL. */
#define LS_GATE_DESC_MAX 47

/*
 * The gate before an operation of kind (enum ls_event_kind) on obj, with a
 * short human description (may be NULL; the pointer is kept while the
 * thread is parked, so pass a string literal or one that outlives it).
 * Returns 0 to go on, -ECANCELED if the group was cancelled while parked.
 * Threads outside a group always pass.
 */
int ls_gate(unsigned kind, uint32_t obj, const char *desc);

/* Enter PAUSE mode: members park at their next gate.  Returns at once. */
void ls_gate_pause(struct ls_group *g);

/* Back to RUN mode, releasing every parked member. */
void ls_gate_resume(struct ls_group *g);

/* The group's current mode. */
enum ls_gate_mode ls_gate_mode(const struct ls_group *g);

/*
 * Wait until every live member is parked, blocked in a primitive, sleeping
 * or idle-waiting, or until timeout_ns passes.  Returns 0 or -ETIMEDOUT.
 * Controller only.
 */
int ls_gate_settle(struct ls_group *g, uint64_t timeout_ns);

/*
 * Enter STEP mode (if not already) and let the parked thread tid pass one
 * gate; wait until it parks at its next gate, blocks in a primitive, or
 * returns, at most timeout_ns.  Returns 0, -ENOENT when tid is not parked
 * at a gate, -ETIMEDOUT.  Controller only.
 */
int ls_gate_step(struct ls_group *g, unsigned tid, uint64_t timeout_ns);

/* What one member is doing, as the controller sees it. */
struct ls_gate_view {
	unsigned tid;
	char name[LS_NAME_MAX + 1];
	unsigned state;		/* enum ls_thread_state */
	unsigned next_kind;	/* parked: the operation it will do next */
	uint32_t next_obj;	/* parked: the object of that operation */
	uint32_t blocked_on;	/* blocked: the object it waits for, else 0 */
	char desc[LS_GATE_DESC_MAX + 1];
};

/* Fill out with up to max members in spawn order.  Returns how many. */
size_t ls_gate_list(struct ls_group *g, struct ls_gate_view *out, size_t max);

#endif
