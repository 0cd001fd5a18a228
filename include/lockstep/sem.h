/*
 * sem.h - an instrumented, cancellable counting semaphore.
 *
 * A real blocking semaphore: a waiter that finds the count at zero sleeps
 * in the kernel on its own parker, in FIFO order, and a post hands its
 * unit straight to the oldest waiter (the count then stays where it was),
 * so a thread that posts and waits again cannot overtake a thread that has
 * waited longer.  Every operation passes a gate first and writes events
 * (SEM_WAIT, SEM_ACQUIRED, SEM_POST, SEM_TIMEOUT, CANCELLED) carrying the
 * count, emitted under the semaphore's own lock so the counts the model
 * sees change in the order they really did.
 */
#ifndef LOCKSTEP_SEM_H
#define LOCKSTEP_SEM_H

#include <stdint.h>

struct ls_ring;
struct ls_sem;

/* Largest count a semaphore holds (as POSIX SEM_VALUE_MAX on Linux). */
#define LS_SEM_VALUE_MAX 2147483647u

/*
 * Create a semaphore named name with count initial, registered in ring
 * (NULL: unnamed, id 0).  Returns 0, -EINVAL when initial exceeds
 * LS_SEM_VALUE_MAX, -ENOMEM, or a negative errno from pthreads.  Any thread.
 */
int ls_sem_create(struct ls_ring *ring, const char *name, unsigned initial,
		  struct ls_sem **out);

/* Free s, which nobody may wait for.  NULL is ignored. */
void ls_sem_destroy(struct ls_sem *s);

/*
 * Take one unit of s, waiting as long as it takes.  Returns 0, or
 * -ECANCELED (and a CANCELLED event) if the caller's group is cancelled
 * while it waits, or -ECANCELED from the gate, without acting, once the
 * group is cancelled.  Waiters are served in the order they came.  Any
 * thread.
 */
int ls_sem_wait(struct ls_sem *s);

/*
 * Take one unit if the count is above zero.  Returns 0, -EAGAIN (and a
 * SEM_TIMEOUT event: a wait that gave up at once), or -ECANCELED at the
 * gate.  Any thread.
 */
int ls_sem_trywait(struct ls_sem *s);

/*
 * Take one unit, waiting at most timeout_ns.  Returns 0, -ETIMEDOUT (and a
 * SEM_TIMEOUT event) or -ECANCELED.  A hand-off that races the timeout
 * wins: the caller then has the unit and gets 0.  Any thread.
 */
int ls_sem_timedwait(struct ls_sem *s, uint64_t timeout_ns);

/*
 * Give one unit back: to the oldest waiter if there is one, else to the
 * count.  Returns 0, or -EOVERFLOW (count unchanged, no event) when the
 * count is already LS_SEM_VALUE_MAX.  Never blocks and never fails for
 * cancellation: a cancelled thread must still give back what it took.
 * Any thread, not only one that waited.
 */
int ls_sem_post(struct ls_sem *s);

/* The count of s (a snapshot, for tests and views). */
unsigned ls_sem_value(const struct ls_sem *s);

/* Threads waiting for s (a snapshot). */
unsigned ls_sem_waiters(const struct ls_sem *s);

/* The object id of s in its ring (0 if none). */
uint32_t ls_sem_id(const struct ls_sem *s);

#endif
