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
 * a test); one controller per group at a time.  Scenes add their own gates
 * (ls_gate with a description such as "read balance") so a race can be
 * stepped at load/modify/store level.
 *
 * Cancelling the group (ls_group_cancel) puts it in CANCELLED mode for
 * good: every gate of a member, parked or not, then returns -ECANCELED, so
 * cancellation looks the same whether the group was running, paused or
 * stepping.
 */
#ifndef LOCKSTEP_GATE_H
#define LOCKSTEP_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/ring.h"

struct ls_group;

enum ls_gate_mode {
	LS_GATE_RUN = 0,
	LS_GATE_PAUSE,
	LS_GATE_STEP,
	LS_GATE_CANCELLED,	/* final; set by ls_group_cancel */
};

/* Longest gate description kept, without the NUL. */
#define LS_GATE_DESC_MAX 47

/*
 * The gate before an operation of kind (enum ls_event_kind) on obj, with a
 * short human description (may be NULL; the pointer is kept while the
 * thread is parked, so pass a string literal or one that outlives it).
 * Never call it while holding a primitive's internal lock.  Returns 0 to go
 * on, or -ECANCELED once the group is cancelled (parked or not): the caller
 * then returns -ECANCELED without acting, except a release (unlock, post),
 * which a cancelled thread must still perform while it unwinds.  Parking
 * emits GATE_WAIT, leaving emits GATE_PASS, or CANCELLED when a cancel
 * ended the wait; a gate that does not park emits nothing.  Threads
 * outside a group always pass.  Any thread, about itself.
 */
int ls_gate(unsigned kind, uint32_t obj, const char *desc);

/*
 * What a primitive tells the controller about the operation waiting at a
 * gate, so that the controller knows before it lets a thread go whether
 * that thread will move on or block, and on whom.
 */
struct ls_gate_probe {
	/*
	 * Would the operation of kind (enum ls_event_kind) on prim go
	 * through now without waiting?  If not, *holder gets the tid that
	 * holds what it needs, or 0 when that is nobody in particular (an
	 * empty queue, a semaphore).  Called by the controller only, with
	 * the thread parked at the gate and the group at rest; it may take
	 * prim's internal lock (never group->mu is held then).
	 */
	bool (*ready)(const void *prim, unsigned kind, unsigned *holder);
};

/*
 * ls_gate for an operation on a primitive that may block: probe->ready
 * (prim, kind) answers "will it block?" for the controller while the
 * thread is parked here (ls_gate_view.ready).  prim must stay alive while
 * the thread is parked, which it does: it is about to operate on it.
 * Same contract and cost as ls_gate otherwise.
 */
int ls_gate_probed(unsigned kind, uint32_t obj, const char *desc,
		   const struct ls_gate_probe *probe, const void *prim);

/*
 * For a caller that passes the gate of an operation itself, before it
 * computes what the operation needs (a script's push evaluates its value
 * after its step is taken), and then calls the primitive, whose own gate
 * would make it park a second time for the same step: the next gate the
 * calling thread reaches lets it through at once (or refuses with
 * -ECANCELED when its group is cancelled), and emits nothing.  Call it
 * right before that primitive.  Any thread, about itself.
 */
void ls_gate_prepay(void);

/*
 * Tag the calling thread's next gates with tag (0: none): the tag goes
 * out with GATE_WAIT (in aux) and shows in ls_gate_view.tag, so whoever
 * watches knows where the thread stands (a script: the step it is at).
 * Any thread, about itself.
 */
void ls_gate_tag(uint32_t tag);

/*
 * Is the calling thread's group held by a controller (PAUSE or STEP
 * mode)?  For a thread that paces itself only when it runs freely.  Any
 * engine thread, about itself; false outside a group.
 */
bool ls_gate_held(void);

/* Enter PAUSE mode: members park at their next gate.  Returns at once;
 * ls_gate_settle waits for them.  No effect on a cancelled group. */
void ls_gate_pause(struct ls_group *g);

/* Back to RUN mode, releasing every parked member.  No effect on a
 * cancelled group (its members have been released already). */
void ls_gate_resume(struct ls_group *g);

/* The group's current mode.  Any thread. */
enum ls_gate_mode ls_gate_mode(const struct ls_group *g);

/*
 * Wait until every member that has not returned is at rest: parked at a
 * gate, blocked in a primitive, sleeping (ls_thread_sleep) or idle
 * (ls_thread_set_state), or until timeout_ns passes.  Use it after
 * ls_gate_pause or ls_gate_step: in RUN mode members do not report their
 * state changes, so this only sees what is true already or at the
 * deadline.  A sleeping or idle member, or one blocked with a deadline, may
 * still wake later and run to its next gate, where it parks.  Returns 0,
 * -ETIMEDOUT, or -ECANCELED when the group is (or gets) cancelled.
 * Controller only.
 */
int ls_gate_settle(struct ls_group *g, uint64_t timeout_ns);

/*
 * As ls_gate_settle, but a sleeping member (simulated work or I/O,
 * ls_thread_sleep) is not at rest: wait until it has slept and reached
 * its next gate, blocked or returned.  This is rest for a stepping
 * controller, which must see the whole effect of a step.  Same returns.
 * Controller only.
 */
int ls_gate_quiesce(struct ls_group *g, uint64_t timeout_ns);

/*
 * Let member tid go once, without waiting for it, entering STEP mode
 * first: if it is parked at a gate, it passes that one gate; if it is
 * blocked in a timed wait whose timeout the controller holds
 * (ls_gate_view.timed), that wait times out now.  Then use
 * ls_gate_quiesce (or ls_gate_settle) to wait for the group to rest.
 * Returns 0; -ENOENT when tid is not a member, or neither parked nor
 * timed (the mode is then left as it was); -EBUSY when a release of tid
 * is still in flight; -ECANCELED.  Controller only.
 */
int ls_gate_release(struct ls_group *g, unsigned tid);

/*
 * Let the member tid, parked at a gate, pass that one gate, entering STEP
 * mode first (the other members stay parked or park at their next gate);
 * then wait, at most timeout_ns, until tid comes to rest again: parked at
 * its next gate, blocked in a primitive, sleeping, idle, or returned.
 * Exactly one gate is passed by tid.  Another member that tid's operation
 * woke (a lock handed over) runs on to its own next gate concurrently; call
 * ls_gate_settle for a frozen picture.  tids are ring producer ids, so a
 * group without a ring (every tid 0) cannot be stepped.
 * Returns 0; -ENOENT when tid is 0, not a member, or not parked at a gate
 * (the mode is then left as it was); -ETIMEDOUT (tid still runs; it will
 * park at its next gate); -ECANCELED when the group is or gets cancelled.
 * Controller only.
 */
int ls_gate_step(struct ls_group *g, unsigned tid, uint64_t timeout_ns);

/* What one member is doing, as the controller sees it. */
struct ls_gate_view {
	unsigned tid;
	char name[LS_NAME_MAX + 1];
	unsigned state;		/* enum ls_thread_state */
	unsigned next_kind;	/* parked: the operation it will do next */
	uint32_t next_obj;	/* parked: the object of that operation */
	uint32_t blocked_on;	/* blocked: the object waited for, else 0 */
	char desc[LS_GATE_DESC_MAX + 1];	/* parked: the gate's desc */
	/* Parked: will its next operation go through without waiting?
	 * (true when the gate has no probe: it cannot block).  If not,
	 * holder is who holds what it needs, 0 for nobody in particular.
	 * Blocked while the group is paused or stepping: holder is who
	 * holds what it waits for, when its primitive can say. */
	bool ready;
	unsigned holder;
	/* Blocked in a timed wait while the group is paused or stepping:
	 * the deadline then belongs to the controller, and ls_gate_release
	 * makes the wait time out.  In RUN mode a deadline fires by
	 * itself, and a deadline that passes in PAUSE or STEP mode waits
	 * for the controller, so a stepped run never depends on time. */
	bool timed;
	/* Sleeping or working (ls_thread_sleep_as): when that ends, in
	 * monotonic ns; 0 otherwise.  For a progress bar. */
	uint64_t busy_until;
	uint32_t tag;		/* parked: its gate's tag (ls_gate_tag) */
};

/*
 * Fill out with up to max members (those not yet joined or reaped) in spawn
 * order.  A parked member shows state PARKED, what it will do next, and
 * whether that will block (its gate's probe); a blocked one shows what it
 * waits for.  A snapshot: members that are not at rest may have moved on.
 * Returns how many were filled.  The controller only: the probes rely on
 * no parked member being let go meanwhile.
 */
size_t ls_gate_list(struct ls_group *g, struct ls_gate_view *out, size_t max);

#endif
