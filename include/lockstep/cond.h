/*
 * cond.h - an instrumented, cancellable condition variable, used with an
 * ls_mutex.
 *
 * A wait lets go of the mutex and sleeps, in one step: a thread that takes
 * the mutex after the waiter let it go and then signals is sure to find
 * the waiter.  Once woken, the waiter takes the mutex back through the
 * mutex's own lock (ls_mutex_lock: its gate, its probe, its events), so a
 * stepping controller sees a woken waiter parked at that lock, and a
 * signaller that still holds the mutex is who it waits for.
 *
 * Signal wakes the oldest waiter, broadcast every waiter.  Both are lost
 * when nobody waits, as in pthreads (a lesson depends on it): a condition
 * has no memory, which is why its waits belong in a loop that checks a
 * predicate under the mutex.  There are no spurious wake-ups, though: a
 * wait returns 0 only when a signal or broadcast chose it, so a run under
 * a recorded schedule is the same run every time.
 *
 * Events: CV_WAIT, CV_WOKEN, CV_TIMEOUT, CV_SIGNAL, CV_BROADCAST, CV_LOST,
 * CANCELLED and ERROR (event.h), plus the mutex's own.  Waiters sleep in
 * the kernel on their own parker, in FIFO order.
 */
#ifndef LOCKSTEP_COND_H
#define LOCKSTEP_COND_H

#include <stdint.h>

struct ls_ring;
struct ls_mutex;
struct ls_cond;

/*
 * Create a condition variable named name, registered in ring as an
 * LS_OBJ_COND (ring NULL: unnamed, id 0).  Returns 0, -ENOMEM, or a
 * negative errno from pthreads.  Any thread.
 */
int ls_cond_create(struct ls_ring *ring, const char *name,
		   struct ls_cond **out);

/* Free c, which nobody may wait on.  NULL is ignored. */
void ls_cond_destroy(struct ls_cond *c);

/*
 * Let go of m, which the caller must hold, and wait on c until a signal or
 * broadcast wakes the caller; then take m back (at the depth it was held
 * at, for a recursive mutex) and return 0.  Threads waiting on c at the
 * same time must use the same m, as in pthreads (not checked).
 *
 * Errors: -EPERM (and an ERROR event, LS_ERR_CV_NOT_OWNER, aux m's owner)
 * when the caller does not hold m: nothing changes.  -ECANCELED when the
 * caller's group is cancelled, at the gate or while waiting or while
 * taking m back: the caller then no longer holds m (a cancelled thread
 * must not wait for m again, and a wait cancelled at its gate lets m go
 * too, so that -ECANCELED always means the same).  Any thread.
 */
int ls_cond_wait(struct ls_cond *c, struct ls_mutex *m);

/*
 * As ls_cond_wait, but give up waiting on c after timeout_ns (counted
 * from after the gate): then take m back and return -ETIMEDOUT (and a
 * CV_TIMEOUT event).  A signal that races the timeout wins: the caller
 * then gets 0.  While the caller's group is paused or stepped, the
 * controller holds the timeout (gate.h, ls_gate_view.timed), so a stepped
 * run never depends on time.  Returns 0, -ETIMEDOUT, -EPERM or
 * -ECANCELED, as ls_cond_wait.  Any thread.
 */
int ls_cond_timedwait(struct ls_cond *c, struct ls_mutex *m,
		      uint64_t timeout_ns);

/*
 * Wake the oldest waiter of c (CV_SIGNAL, arg its tid), or none, and then
 * the signal is lost (CV_LOST).  The caller need not hold the mutex.
 * Returns 0.  Never blocks, and acts even when the caller's group is
 * cancelled (as an unlock does: a cancelled thread must still wake whoever
 * waits for it outside its group).  Any thread.
 */
int ls_cond_signal(struct ls_cond *c);

/* Wake every waiter of c (CV_BROADCAST, arg how many), or none: lost
 * (CV_LOST).  Returns 0.  Otherwise as ls_cond_signal. */
int ls_cond_broadcast(struct ls_cond *c);

/* Threads waiting on c (a snapshot, cancelled ones on their way out
 * included).  Any thread. */
unsigned ls_cond_waiters(const struct ls_cond *c);

/* The object id of c in its ring (0 if none).  Any thread. */
uint32_t ls_cond_id(const struct ls_cond *c);

#endif
