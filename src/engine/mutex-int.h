/*
 * mutex-int.h - what mutex.c lends the engine's condition variable
 * (cond.c), and nothing else sees.  A condition wait lets its mutex go as
 * part of its own single step, so without the mutex's unlock gate, and
 * takes back the depth a recursive mutex was held at; a condition wait's
 * gate probe asks whether the waiting thread holds the mutex.
 *
 * Lock order: a condition's internal mutex, then a mutex's (cond.c takes
 * them in that order; mutex.c never takes a condition's).
 */
#ifndef LOCKSTEP_MUTEX_INT_H
#define LOCKSTEP_MUTEX_INT_H

#include <stdbool.h>

#include "engine-int.h"
#include "lockstep/mutex.h"

/* Does t own m?  Exact when t is the caller (only t can change that); a
 * snapshot otherwise, for a gate probe.  Takes m's internal lock. */
bool mutex_owned_by(struct ls_mutex *m, const struct ls_thread *t);

/*
 * Release m, which the calling thread owns, at every level at once, as
 * its last unlock would (LOCK_RELEASED, then the hand-off to the oldest
 * waiter), but without passing a gate.  Returns the depth m was held at
 * (1 for a plain mutex).  Never blocks.
 */
unsigned mutex_unlock_all(struct ls_mutex *m);

/* The caller has just locked m afresh (depth 1): put back the depth it
 * held m at before mutex_unlock_all, with a LOCK_DEPTH when above 1. */
void mutex_restore_depth(struct ls_mutex *m, unsigned depth);

#endif
