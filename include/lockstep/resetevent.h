/*
 * resetevent.h - an instrumented, cancellable manual- or auto-reset event
 * (named so as not to clash with struct ls_event, the trace record).
 *
 * An event is set or not.  A wait on a set event goes through; on an event
 * that is not set it sleeps until a set.  What a set does depends on the
 * mode, fixed at creation:
 *   - manual reset: set releases every waiter and the event stays set, so
 *     later waits go through too, until someone resets it;
 *   - auto reset: set releases exactly one waiter, the oldest, and the
 *     event stays not set; with nobody waiting it stays set until one
 *     wait goes through and so resets it.  Two sets with nobody waiting
 *     are one set: an auto-reset event does not count.
 *
 * Waiters sleep in the kernel on their own parker, in FIFO order.  Every
 * operation passes a gate first (gate.h) and writes events: RE_WAIT,
 * RE_PASSED, RE_TIMEOUT, RE_SET, RE_RESET, CANCELLED (event.h), each
 * carrying whether the event is set after it, emitted under the event's
 * own lock.  The gate of a wait is probed: a controller knows before a
 * step whether it will block (the event is not set), and on nobody in
 * particular.
 */
#ifndef LOCKSTEP_RESETEVENT_H
#define LOCKSTEP_RESETEVENT_H

#include <stdbool.h>
#include <stdint.h>

struct ls_ring;
struct ls_resetevent;

enum ls_resetevent_mode {
	LS_RESETEVENT_MANUAL = 0,
	LS_RESETEVENT_AUTO,
};

/*
 * Create an event of mode, set or not, named name and registered in ring
 * as an LS_OBJ_EVENT_MANUAL or LS_OBJ_EVENT_AUTO (ring NULL: unnamed, id
 * 0).  Returns 0, -EINVAL for an unknown mode, -ENOMEM, or a negative
 * errno from pthreads.  Any thread.
 */
int ls_resetevent_create(struct ls_ring *ring, const char *name,
			 enum ls_resetevent_mode mode, bool set,
			 struct ls_resetevent **out);

/* Free e, which nobody may wait for.  NULL is ignored. */
void ls_resetevent_destroy(struct ls_resetevent *e);

/*
 * Set e (see the top of this file for what that releases).  Returns 0.
 * Never blocks, and acts even when the caller's group is cancelled (as an
 * unlock does: a cancelled thread must still let go whoever waits for it
 * outside its group).  Any thread.
 */
int ls_resetevent_set(struct ls_resetevent *e);

/*
 * Reset e: from now on waits sleep until the next set.  Returns 0, or
 * -ECANCELED from the gate, without acting, once the caller's group is
 * cancelled (a reset releases nobody).  Never blocks.  Any thread.
 */
int ls_resetevent_reset(struct ls_resetevent *e);

/*
 * Wait until e is set (at once if it is); an auto-reset event is reset by
 * the wait that goes through.  Returns 0, or -ECANCELED (and a CANCELLED
 * event) if the caller's group is cancelled while it waits, or from the
 * gate, without acting, once it is.  Any thread.
 */
int ls_resetevent_wait(struct ls_resetevent *e);

/*
 * As ls_resetevent_wait, waiting at most timeout_ns (counted from after
 * the gate; 0: do not wait, but still queue and time out with events).
 * Returns 0, -ETIMEDOUT (and an RE_TIMEOUT event) or -ECANCELED.  A set
 * that races the timeout wins: the caller then gets 0.  While the caller's
 * group is paused or stepped, the controller holds the timeout (gate.h,
 * ls_gate_view.timed).  Any thread.
 */
int ls_resetevent_timedwait(struct ls_resetevent *e, uint64_t timeout_ns);

/* Is e set?  A snapshot, for tests and views.  Any thread. */
bool ls_resetevent_is_set(const struct ls_resetevent *e);

/* Threads waiting for e (a snapshot).  Any thread. */
unsigned ls_resetevent_waiters(const struct ls_resetevent *e);

/* The object id of e in its ring (0 if none).  Any thread. */
uint32_t ls_resetevent_id(const struct ls_resetevent *e);

#endif
