/*
 * bqueue.h - an instrumented, cancellable, bounded multi-producer
 * multi-consumer blocking queue of pointers.
 *
 * A real blocking queue: a producer that finds the queue full and a
 * consumer that finds it empty sleep in the kernel on their own parker, in
 * FIFO order.  A push that finds a consumer waiting hands the item straight
 * to the oldest one (the item never sits in the queue); a pop that frees a
 * slot while producers wait takes the oldest waiting producer's item in, so
 * no woken thread has to compete for what it was woken for.
 *
 * A waiter whose group is cancelled is never handed an item or room: it
 * returns -ECANCELED and the item goes to the next live consumer or stays
 * queued, so no item is ever given to a thread on its way out.
 *
 * Closing the queue wakes every waiter.  After close a push fails with
 * -EPIPE; consumers still drain the items left, then pop fails with -EPIPE,
 * which means end of queue.
 *
 * Every operation passes a gate first (gate.h) and writes events: Q_PUSH_WAIT,
 * Q_PUSHED, Q_POP_WAIT, Q_POPPED, Q_TIMEOUT, Q_CLOSED, CANCELLED (event.h).
 * The depth they carry is the number of items in the queue at that moment;
 * they are emitted under the queue's internal lock, so in timestamp order
 * the depths follow the real state.  A failed try is reported as a Q_TIMEOUT
 * with no wait; an operation refused because the queue is closed emits
 * Q_CLOSED from the refused thread, so a view learns it no longer waits.
 */
#ifndef LOCKSTEP_BQUEUE_H
#define LOCKSTEP_BQUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct ls_ring;
struct ls_bqueue;

/* Largest capacity ls_bqueue_create accepts. */
#define LS_BQUEUE_MAX_CAPACITY (1u << 24)

/*
 * Create a queue of capacity slots (1..LS_BQUEUE_MAX_CAPACITY) named name,
 * registered in ring as an LS_OBJ_QUEUE (ring NULL: unnamed, id 0).  The
 * caller owns the queue and frees it with ls_bqueue_destroy.  Returns 0,
 * -EINVAL for a bad capacity, -ENOMEM, or a negative errno from pthreads.
 * Any thread.
 */
int ls_bqueue_create(struct ls_ring *ring, const char *name,
		     unsigned capacity, struct ls_bqueue **out);

/*
 * Free q.  Nobody may wait on q or use it any more; items still queued are
 * not touched (they belong to the caller).  NULL is ignored.
 */
void ls_bqueue_destroy(struct ls_bqueue *q);

/*
 * Append item (any pointer, NULL included; the queue never dereferences
 * it), waiting as long as it takes for space.  Ownership of what item
 * points to passes with it to the consumer that pops it.  Returns 0;
 * -EPIPE if q is closed (before or while waiting: the item was not
 * queued); -ECANCELED once the caller's group is cancelled, whether it
 * was waiting, parked at the gate or just arriving (the item was not
 * queued).  Any thread.
 */
int ls_bqueue_push(struct ls_bqueue *q, void *item);

/* Append item if there is space now.  Returns 0, -EAGAIN when full,
 * -EPIPE when closed, or -ECANCELED. */
int ls_bqueue_trypush(struct ls_bqueue *q, void *item);

/* Append item, waiting at most timeout_ns for space (counted from after
 * the gate).  Returns 0, -ETIMEDOUT (the item was not queued), -EPIPE or
 * -ECANCELED. */
int ls_bqueue_timedpush(struct ls_bqueue *q, void *item, uint64_t timeout_ns);

/*
 * Take the oldest item into *item, waiting as long as it takes.  Returns
 * 0; -EPIPE when q is closed and empty (end of queue; *item untouched);
 * -ECANCELED once the caller's group is cancelled (nothing taken).  Any
 * thread.
 */
int ls_bqueue_pop(struct ls_bqueue *q, void **item);

/* Take the oldest item if there is one now.  Returns 0, -EAGAIN when
 * empty, -EPIPE when closed and empty, or -ECANCELED. */
int ls_bqueue_trypop(struct ls_bqueue *q, void **item);

/* Take the oldest item, waiting at most timeout_ns (counted from after the
 * gate).  Returns 0, -ETIMEDOUT, -EPIPE or -ECANCELED. */
int ls_bqueue_timedpop(struct ls_bqueue *q, void **item, uint64_t timeout_ns);

/*
 * Close q: from now on pushes fail with -EPIPE, and pops fail with -EPIPE
 * once the items already queued are taken.  Wakes every waiting producer
 * (its push fails) and consumer (its pop fails: a consumer only waits on an
 * empty queue).  Idempotent.  Like an unlock, close is a release: it
 * passes the gate but acts even when the caller's group is cancelled, so a
 * cancelled producer can still end the stream as it unwinds.  Returns 0.
 * Any thread.
 */
int ls_bqueue_close(struct ls_bqueue *q);

/* Has q been closed?  A snapshot.  Any thread. */
bool ls_bqueue_closed(const struct ls_bqueue *q);

/* Items in q now (a snapshot, for views and tests).  Any thread. */
unsigned ls_bqueue_depth(const struct ls_bqueue *q);

/* The capacity q was created with.  Any thread. */
unsigned ls_bqueue_capacity(const struct ls_bqueue *q);

/* The object id of q in its ring (0 if none).  Any thread. */
uint32_t ls_bqueue_id(const struct ls_bqueue *q);

/* Producers waiting for space, consumers waiting for an item (snapshots,
 * for views and tests).  Any thread. */
unsigned ls_bqueue_waiting_push(const struct ls_bqueue *q);
unsigned ls_bqueue_waiting_pop(const struct ls_bqueue *q);

#endif
