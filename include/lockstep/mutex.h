/*
 * mutex.h - an instrumented, cancellable mutex with owner tracking.
 *
 * A real blocking mutex: contended waiters sleep in the kernel on their
 * own parker, in FIFO order, and the unlocker hands the lock straight to
 * the oldest waiter.  Every operation passes a gate first and writes events
 * (LOCK_WAIT, LOCK_ACQUIRED, LOCK_RELEASED, LOCK_TIMEOUT, LOCK_BUSY,
 * CANCELLED, ERROR).  Misuse is reported, never undefined: unlocking a
 * mutex the caller does not hold, or locking one it already holds.
 *
 * A recursive mutex (ls_mutex_create_recursive) lets its owner lock it
 * again: each lock goes one level deeper, each unlock one back up, and
 * only the unlock of the first lock releases it.  Its first lock emits
 * LOCK_ACQUIRED and its last unlock LOCK_RELEASED, exactly as a plain
 * mutex; the levels in between emit LOCK_DEPTH, so a view never sees it
 * released while its owner still holds it.
 */
#ifndef LOCKSTEP_MUTEX_H
#define LOCKSTEP_MUTEX_H

#include <stdbool.h>
#include <stdint.h>

struct ls_ring;
struct ls_mutex;

/*
 * Create a mutex named name, registered in ring (NULL: unnamed, id 0).
 * Returns 0, -ENOMEM, or a negative errno from pthreads.  Any thread.
 */
int ls_mutex_create(struct ls_ring *ring, const char *name,
		    struct ls_mutex **out);

/* Deepest a recursive mutex nests: a lock past it is refused. */
#define LS_MUTEX_MAX_DEPTH 65535u

/*
 * Create a recursive mutex, otherwise as ls_mutex_create: its owner may
 * lock it again (see the top of this file), where a plain mutex refuses
 * with -EDEADLK.  Any thread.
 */
int ls_mutex_create_recursive(struct ls_ring *ring, const char *name,
			      struct ls_mutex **out);

/* Free m, which nobody may hold or wait for.  NULL is ignored.  The
 * object stays registered in the ring (ids are never reused). */
void ls_mutex_destroy(struct ls_mutex *m);

/*
 * Lock m, waiting as long as it takes.  Returns 0; -EDEADLK (and an ERROR
 * event, LS_ERR_RELOCK) if the caller already holds m, unless m is
 * recursive: then 0 with m one level deeper (LOCK_DEPTH), or -EAGAIN (and
 * an ERROR event, LS_ERR_TOO_DEEP) at LS_MUTEX_MAX_DEPTH; -ECANCELED (and a
 * CANCELLED event) if the caller's group is cancelled while it waits, or
 * -ECANCELED from the gate, without acting, once the group is cancelled.
 * Waiters get m in the order they asked for it.  Any thread.
 */
int ls_mutex_lock(struct ls_mutex *m);

/* Lock m if it is free (or, recursive, held by the caller).  Returns 0,
 * -EBUSY (and a LOCK_BUSY event), -EDEADLK, -EAGAIN, or -ECANCELED at the
 * gate. */
int ls_mutex_trylock(struct ls_mutex *m);

/* Lock m, waiting at most timeout_ns (0: do not wait, but still queue
 * and time out with events, unlike trylock).  Returns 0, -ETIMEDOUT (and a
 * LOCK_TIMEOUT event), -EDEADLK, -EAGAIN or -ECANCELED.  A hand-off that
 * races the timeout wins: the caller then holds m and gets 0. */
int ls_mutex_timedlock(struct ls_mutex *m, uint64_t timeout_ns);

/*
 * Unlock m (a recursive one: one level; the last level releases it).
 * Returns 0, or -EPERM (and an ERROR event, LS_ERR_NOT_OWNER) if the
 * caller does not hold it; m is then left as it was.  Unlock never
 * blocks and never fails for cancellation: a cancelled thread must still
 * release what it holds.
 */
int ls_mutex_unlock(struct ls_mutex *m);

/* Most leveled mutexes (ls_mutex_set_level) one thread tracks at once. */
#define LS_MUTEX_MAX_LEVELED 16

/*
 * Put m at level (> 0) of a lock hierarchy; 0 takes it out.  Locking m
 * while holding a leveled mutex of a higher level is reported at once with
 * an ERROR event (arg LS_ERR_HIERARCHY, aux the higher level); the lock is
 * still taken.  Call before m is shared.
 */
void ls_mutex_set_level(struct ls_mutex *m, unsigned level);

/* The object id of m in its ring (0 if none). */
uint32_t ls_mutex_id(const struct ls_mutex *m);

/*
 * The producer id of m's owner, 0 when free (a snapshot, for tests and
 * views).  A holder with no ring lane (a thread outside any group) also
 * shows as 0: use ls_mutex_held to ask whether the caller holds m.
 */
unsigned ls_mutex_owner(const struct ls_mutex *m);

/* Does the calling thread hold m?  Exact, lock-free; for asserts and
 * tests.  Any thread. */
bool ls_mutex_held(const struct ls_mutex *m);

/* How many times the calling thread holds m: 0 when it does not, 1 for
 * a plain mutex it holds, the depth for a recursive one.  Any thread. */
unsigned ls_mutex_depth(const struct ls_mutex *m);

/* Threads waiting for m (a snapshot). */
unsigned ls_mutex_waiters(const struct ls_mutex *m);

#endif
