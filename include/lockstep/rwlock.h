/*
 * rwlock.h - an instrumented, cancellable read-write lock with a choice of
 * policy.
 *
 * Many readers or one writer.  Uncontended operations take the lock with
 * one atomic instruction on a state word and no internal mutex; contended
 * ones look again for up to what a sleep and a wake-up cost here, then
 * queue on an explicit FIFO and sleep in the kernel on their own parker,
 * and the releaser hands the lock straight to the waiters the policy
 * picks.  Every operation passes a gate first and writes events (RD_WAIT,
 * RD_ACQUIRED, RD_RELEASED, WR_WAIT, WR_ACQUIRED, WR_RELEASED, RW_TIMEOUT,
 * CANCELLED, ERROR).  Misuse is
 * reported, never undefined: unlocking a lock the caller does not hold,
 * taking it twice, upgrading a read hold to a write hold.
 *
 * The policies are the lesson of the rwlock and starvation scenes:
 *   WRITER_PREF  a waiting writer, spinning or queued, stops new readers;
 *                writers cannot starve (readers can, behind a stream of
 *                writers).
 *   READER_PREF  a reader gets in whenever no writer is inside, even while
 *                writers wait: a stream of readers starves the writers.
 *   FAIR         first come first served; consecutive readers at the head
 *                of the queue enter together.
 */
#ifndef LOCKSTEP_RWLOCK_H
#define LOCKSTEP_RWLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct ls_ring;
struct ls_rwlock;

enum ls_rwlock_policy {
	LS_RWLOCK_WRITER_PREF = 0,	/* the default */
	LS_RWLOCK_READER_PREF,
	LS_RWLOCK_FAIR,
	LS_RWLOCK_POLICY_COUNT
};

/* Most rwlocks one thread may hold at once, in either mode (-EAGAIN past
 * it): what a thread holds is kept in a small per-thread table, which is
 * how misuse is told from use without touching the lock's shared line. */
#define LS_RWLOCK_MAX_HELD 16

/* A snapshot of who is inside and who waits, for tests and views.  The
 * waiting counts are exact; readers may include one on its way in that is
 * about to find it must queue, for the moment it takes to find out. */
struct ls_rwlock_stats {
	unsigned readers;		/* readers inside */
	bool writer;			/* a writer is inside */
	unsigned writer_tid;		/* its tid (0: none, or no ring lane) */
	unsigned readers_waiting;	/* queued readers */
	unsigned writers_waiting;	/* queued writers */
};

/*
 * Create a read-write lock named name with policy, registered in ring
 * (NULL: unnamed, id 0).  Returns 0 and the lock in *out (the caller owns
 * it), -EINVAL for an unknown policy, -ENOMEM, or a negative errno from
 * pthreads.  Any thread.
 */
int ls_rwlock_create(struct ls_ring *ring, const char *name,
		     enum ls_rwlock_policy policy, struct ls_rwlock **out);

/*
 * Free l.  Returns 0, or -EBUSY (and l is left alone) while anybody holds
 * or waits for it.  NULL is ignored.  Any thread.
 */
int ls_rwlock_destroy(struct ls_rwlock *l);

/*
 * Take l for reading, waiting as long as the policy makes it.  Returns 0;
 * -EDEADLK (and an ERROR event, LS_ERR_RELOCK) if the caller already holds
 * l in either mode; -EAGAIN if the caller holds LS_RWLOCK_MAX_HELD
 * other rwlocks; -ECANCELED if the caller's group is cancelled
 * while it waits or is parked at the gate.  Any thread.
 */
int ls_rwlock_rdlock(struct ls_rwlock *l);

/* Take l for reading if the policy admits the caller now.  Returns 0,
 * -EBUSY (and an RW_TIMEOUT event with wait 0), -EDEADLK, -EAGAIN, or
 * -ECANCELED at the gate. */
int ls_rwlock_tryrdlock(struct ls_rwlock *l);

/* Take l for reading, waiting at most timeout_ns.  Returns 0, -ETIMEDOUT
 * (and an RW_TIMEOUT event), -EDEADLK, -EAGAIN or -ECANCELED. */
int ls_rwlock_timedrdlock(struct ls_rwlock *l, uint64_t timeout_ns);

/*
 * Take l for writing, waiting as long as it takes.  Returns 0; -EDEADLK
 * (and an ERROR event, LS_ERR_RELOCK) if the caller already holds l in
 * either mode (an upgrade from read to write would deadlock); -ECANCELED if
 * the caller's group is cancelled while it waits or is parked at the gate;
 * -EAGAIN as for rdlock.  Any thread.
 */
int ls_rwlock_wrlock(struct ls_rwlock *l);

/* Take l for writing if it is free and nobody queued goes first.  Returns
 * 0, -EBUSY (and an RW_TIMEOUT event with wait 0), -EDEADLK, -EAGAIN, or
 * -ECANCELED at the gate. */
int ls_rwlock_trywrlock(struct ls_rwlock *l);

/* Take l for writing, waiting at most timeout_ns.  Returns 0, -ETIMEDOUT
 * (and an RW_TIMEOUT event), -EDEADLK, -EAGAIN or -ECANCELED. */
int ls_rwlock_timedwrlock(struct ls_rwlock *l, uint64_t timeout_ns);

/*
 * Release the caller's hold on l, read or write.  Returns 0, or -EPERM
 * (and an ERROR event, LS_ERR_NOT_OWNER) if the caller holds l in neither
 * mode; l is then left as it was.  Unlock never blocks for the lock and
 * never fails for cancellation: a cancelled thread must still release what
 * it holds (it may park at the gate while the group is paused).
 */
int ls_rwlock_unlock(struct ls_rwlock *l);

/* The object id of l in its ring (0 if none).  Any thread. */
uint32_t ls_rwlock_id(const struct ls_rwlock *l);

/* The policy l was created with.  Any thread. */
enum ls_rwlock_policy ls_rwlock_policy(const struct ls_rwlock *l);

/* Fill *st with a consistent snapshot of l (it takes the internal lock
 * briefly: not for hot paths).  Any thread. */
void ls_rwlock_stats(const struct ls_rwlock *l, struct ls_rwlock_stats *st);

/* "writer", "reader" or "fair" (the scene parameter values); "?" if
 * unknown. */
const char *ls_rwlock_policy_name(enum ls_rwlock_policy policy);

#endif
