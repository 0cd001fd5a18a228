/*
 * bqueue.c - the bounded blocking queue of the prodcons and pool scenes.
 *
 * Built like every engine primitive (engine-int.h): a short internal mutex
 * guards a ring buffer of item pointers and two FIFO wait queues, one of
 * producers waiting for space and one of consumers waiting for an item.
 * Waiters park on their own parker, so a group cancel wakes them without
 * taking the queue's lock, and the ui can show both wait queues in order.
 *
 * Hand-off instead of wake-and-retry: a push that finds a consumer waiting
 * gives the item to that consumer (the waiter record carries it) and grants
 * it; a pop that frees a slot while a producer waits moves that producer's
 * item into the slot and grants the producer.  A woken thread therefore
 * never finds its resource stolen, waiters are served strictly in order,
 * and a grant that races a timeout or a cancel still wins (the operation
 * has happened; waitq_sleep_locked reports 0).  A waiter whose group is
 * already cancelled is passed over (engine-int.h): it leaves with
 * -ECANCELED, so an item never goes to a consumer on its way out, where
 * nobody would see it, and a cancelled producer's item never enters.
 * Consumers wait only while the queue is empty, producers only while it is
 * full (capacity is at least 1), so the two wait queues are never both
 * non-empty, but for cancelled waiters not yet gone.
 *
 * Events are emitted while the internal lock is held, so the depth each
 * carries is the depth at that point of the queue's history, and the
 * timestamps put them in that order.  The gate is passed before the lock
 * is taken, never under it.
 */
#include "config.h"

#include "lockstep/bqueue.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"

/* waiter.mode, also the aux of Q_TIMEOUT. */
enum {
	QW_POP = 0,
	QW_PUSH = 1,
};

/* How long an operation may wait. */
enum wait_how {
	WAIT_NEVER,	/* try */
	WAIT_DEADLINE,	/* timed */
	WAIT_FOREVER,
};

struct ls_bqueue {
	/* Set at creation, read without the lock. */
	unsigned cap;
	uint32_t id;
	void **slots;		/* cap item pointers, their contents under mu */

	pthread_mutex_t mu;	/* guards the slots and every field below */
	unsigned head;		/* slot of the oldest item */
	unsigned count;		/* items in slots */
	bool closed;
	struct waitq producers;	/* waiting for space; non-empty => full */
	struct waitq consumers;	/* waiting for an item; non-empty => empty */
};

/* A waiter of this queue: the item travels in it in either direction. */
struct qwaiter {
	struct waiter w;	/* first, so a struct waiter * converts back */
	void *item;		/* push: the item to take; pop: the one given */
	int status;		/* set with the grant: 0 or -EPIPE */
};

static struct qwaiter *
qwaiter_of(struct waiter *w)
{
	return (struct qwaiter *)((char *)w - offsetof(struct qwaiter, w));
}

int
ls_bqueue_create(struct ls_ring *ring, const char *name, unsigned capacity,
		 struct ls_bqueue **out)
{
	struct ls_bqueue *q;
	int err;

	if (capacity < 1 || capacity > LS_BQUEUE_MAX_CAPACITY)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->slots = calloc(capacity, sizeof(*q->slots));
	if (!q->slots) {
		err = ENOMEM;
		goto fail;
	}
	err = pthread_mutex_init(&q->mu, NULL);
	if (err)
		goto fail;
	q->cap = capacity;
	q->id = ls_ring_object_add(ring, LS_OBJ_QUEUE, name);
	*out = q;
	return 0;
fail:
	free(q->slots);
	free(q);
	return -err;
}

void
ls_bqueue_destroy(struct ls_bqueue *q)
{
	int err;

	if (!q)
		return;
	if (q->producers.len || q->consumers.len)
		engine_panic("ls_bqueue_destroy: queue has waiters", EBUSY);
	err = pthread_mutex_destroy(&q->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(q->slots);
	free(q);
}

/* The absolute deadline timeout_ns from now; 0 (none) if that overflows. */
static uint64_t
deadline_after(uint64_t timeout_ns)
{
	uint64_t now = ls_clock_ns();

	return timeout_ns > UINT64_MAX - now ? 0 : now + timeout_ns;
}

/* Queue the caller as a waiter of kind mode on wq and sleep until it is
 * granted, times out or is cancelled.  q->mu held throughout (dropped while
 * parked).  Returns 0 (granted; qw->status says how) or the sleep's error. */
static int
bqueue_wait_locked(struct ls_bqueue *q, struct waitq *wq, struct qwaiter *qw,
		   unsigned mode, uint64_t deadline_ns)
{
	qw->w.t = ls_thread_self();
	qw->w.obj = q->id;
	qw->w.mode = mode;
	/* Read by nobody for a queue (its events report no wait time), so
	 * a wait, on every hand-off of a ping-pong, reads no clock. */
	qw->w.since_ns = 0;
	qw->w.granted = false;
	qw->status = 0;
	waitq_push(wq, &qw->w);
	return waitq_sleep_locked(wq, &qw->w, &q->mu, deadline_ns);
}

/* Append item to the ring buffer.  q->mu held, count < cap. */
static void
bqueue_append_locked(struct ls_bqueue *q, void *item)
{
	unsigned tail = q->head + q->count;

	if (tail >= q->cap)
		tail -= q->cap;
	q->slots[tail] = item;
	q->count++;
}

/* The oldest waiter of wq whose group is not cancelled, or NULL: the
 * only one a grant may go to (waitq_first_live).  q->mu held. */
static struct qwaiter *
bqueue_first_live(struct waitq *wq)
{
	struct waiter *w = waitq_first_live(wq);

	return w ? qwaiter_of(w) : NULL;
}

/* Take the oldest item.  q->mu held, count > 0. */
static void *
bqueue_take_locked(struct ls_bqueue *q)
{
	void *item = q->slots[q->head];

	if (++q->head == q->cap)
		q->head = 0;
	q->count--;
	return item;
}

/* The gate probe of a blocking push or pop: room (or a waiting consumer)
 * for a push, an item for a pop; a closed queue fails at once. */
static bool
bqueue_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_bqueue *q = (struct ls_bqueue *)prim;
	bool ready;

	(void)holder;
	engine_lock(&q->mu);
	ready = q->closed ||
		(kind == LS_EV_Q_PUSHED
			 ? bqueue_first_live(&q->consumers) || q->count < q->cap
			 : q->count > 0);
	engine_unlock(&q->mu);
	return ready;
}

static const struct ls_gate_probe bqueue_probe = { .ready = bqueue_ready };

static int
bqueue_push_op(struct ls_bqueue *q, void *item, enum wait_how how,
	       uint64_t timeout_ns, const char *desc)
{
	struct qwaiter qw, *cw;
	struct wake wk = { NULL };
	uint64_t deadline = 0;
	int rc;

	rc = ls_gate_probed(LS_EV_Q_PUSHED, q->id, desc,
			    how == WAIT_NEVER ? NULL : &bqueue_probe, q);
	if (rc)
		return rc;
	/* Timed after the gate: time parked by a pause is not waiting. */
	if (how == WAIT_DEADLINE)
		deadline = deadline_after(timeout_ns);

	engine_lock(&q->mu);
	if (q->closed) {
		ls_emit(LS_EV_Q_CLOSED, q->id, q->count, q->cap);
		rc = -EPIPE;
	} else if ((cw = bqueue_first_live(&q->consumers))) {
		/* A consumer waits, so the queue is empty: hand over. */
		cw->item = item;
		cw->status = 0;
		ls_emit(LS_EV_Q_PUSHED, q->id, q->count, q->cap);
		waitq_grant_deferred(&q->consumers, &cw->w, &wk);
	} else if (q->count < q->cap) {
		bqueue_append_locked(q, item);
		ls_emit(LS_EV_Q_PUSHED, q->id, q->count, q->cap);
	} else if (how == WAIT_NEVER) {
		ls_emit(LS_EV_Q_TIMEOUT, q->id, q->count, QW_PUSH);
		rc = -EAGAIN;
	} else {
		ls_emit(LS_EV_Q_PUSH_WAIT, q->id, q->count, q->cap);
		qw.item = item;
		rc = bqueue_wait_locked(q, &q->producers, &qw, QW_PUSH,
					deadline);
		if (!rc)
			rc = qw.status;
		if (!rc)
			ls_emit(LS_EV_Q_PUSHED, q->id, q->count, q->cap);
		else if (rc == -EPIPE)
			ls_emit(LS_EV_Q_CLOSED, q->id, q->count, q->cap);
		else if (rc == -ETIMEDOUT)
			ls_emit(LS_EV_Q_TIMEOUT, q->id, q->count, QW_PUSH);
		else
			ls_emit(LS_EV_CANCELLED, q->id, 0, 0);
	}
	engine_unlock(&q->mu);
	/* After the unlock, so the consumer does not wake into q->mu. */
	thread_wake(&wk);
	return rc;
}

static int
bqueue_pop_op(struct ls_bqueue *q, void **item, enum wait_how how,
	      uint64_t timeout_ns, const char *desc)
{
	struct qwaiter qw, *pw;
	struct wake wk = { NULL };
	uint64_t deadline = 0;
	int rc;

	rc = ls_gate_probed(LS_EV_Q_POPPED, q->id, desc,
			    how == WAIT_NEVER ? NULL : &bqueue_probe, q);
	if (rc)
		return rc;
	if (how == WAIT_DEADLINE)
		deadline = deadline_after(timeout_ns);

	engine_lock(&q->mu);
	if (q->count) {
		*item = bqueue_take_locked(q);
		/* A producer waits only on a full queue; its item takes the
		 * slot just freed, behind every item already queued. */
		pw = bqueue_first_live(&q->producers);
		if (pw) {
			bqueue_append_locked(q, pw->item);
			pw->status = 0;
			waitq_grant_deferred(&q->producers, &pw->w, &wk);
		}
		ls_emit(LS_EV_Q_POPPED, q->id, q->count, q->cap);
	} else if (q->closed) {
		ls_emit(LS_EV_Q_CLOSED, q->id, q->count, q->cap);
		rc = -EPIPE;
	} else if (how == WAIT_NEVER) {
		ls_emit(LS_EV_Q_TIMEOUT, q->id, q->count, QW_POP);
		rc = -EAGAIN;
	} else {
		ls_emit(LS_EV_Q_POP_WAIT, q->id, q->count, q->cap);
		rc = bqueue_wait_locked(q, &q->consumers, &qw, QW_POP,
					deadline);
		if (!rc)
			rc = qw.status;
		if (!rc) {
			*item = qw.item;
			ls_emit(LS_EV_Q_POPPED, q->id, q->count, q->cap);
		} else if (rc == -EPIPE) {
			ls_emit(LS_EV_Q_CLOSED, q->id, q->count, q->cap);
		} else if (rc == -ETIMEDOUT) {
			ls_emit(LS_EV_Q_TIMEOUT, q->id, q->count, QW_POP);
		} else {
			ls_emit(LS_EV_CANCELLED, q->id, 0, 0);
		}
	}
	engine_unlock(&q->mu);
	thread_wake(&wk);
	return rc;
}

int
ls_bqueue_push(struct ls_bqueue *q, void *item)
{
	return bqueue_push_op(q, item, WAIT_FOREVER, 0, "push");
}

int
ls_bqueue_trypush(struct ls_bqueue *q, void *item)
{
	return bqueue_push_op(q, item, WAIT_NEVER, 0, "trypush");
}

int
ls_bqueue_timedpush(struct ls_bqueue *q, void *item, uint64_t timeout_ns)
{
	return bqueue_push_op(q, item, WAIT_DEADLINE, timeout_ns, "timedpush");
}

int
ls_bqueue_pop(struct ls_bqueue *q, void **item)
{
	return bqueue_pop_op(q, item, WAIT_FOREVER, 0, "pop");
}

int
ls_bqueue_trypop(struct ls_bqueue *q, void **item)
{
	return bqueue_pop_op(q, item, WAIT_NEVER, 0, "trypop");
}

int
ls_bqueue_timedpop(struct ls_bqueue *q, void **item, uint64_t timeout_ns)
{
	return bqueue_pop_op(q, item, WAIT_DEADLINE, timeout_ns, "timedpop");
}

int
ls_bqueue_close(struct ls_bqueue *q)
{
	struct qwaiter *qw;

	/* Close is a release: a cancelled producer closing on its way out
	 * must still tell the consumers there is no more, or those outside
	 * its group could wait for ever.  So -ECANCELED is ignored here. */
	(void)ls_gate(LS_EV_Q_CLOSED, q->id, "close");
	engine_lock(&q->mu);
	if (!q->closed) {
		q->closed = true;
		/* Cancelled waiters too: a close hands over nothing. */
		while (q->consumers.head) {
			qw = qwaiter_of(q->consumers.head);
			qw->status = -EPIPE;
			waitq_grant(&q->consumers, &qw->w);
		}
		while (q->producers.head) {
			qw = qwaiter_of(q->producers.head);
			qw->status = -EPIPE;
			waitq_grant(&q->producers, &qw->w);
		}
	}
	ls_emit(LS_EV_Q_CLOSED, q->id, q->count, q->cap);
	engine_unlock(&q->mu);
	return 0;
}

/* The snapshots below lock because the fields change under q->mu; the
 * cast drops const only to take that lock. */

bool
ls_bqueue_closed(const struct ls_bqueue *q)
{
	struct ls_bqueue *mq = (struct ls_bqueue *)q;
	bool closed;

	engine_lock(&mq->mu);
	closed = mq->closed;
	engine_unlock(&mq->mu);
	return closed;
}

unsigned
ls_bqueue_depth(const struct ls_bqueue *q)
{
	struct ls_bqueue *mq = (struct ls_bqueue *)q;
	unsigned n;

	engine_lock(&mq->mu);
	n = mq->count;
	engine_unlock(&mq->mu);
	return n;
}

unsigned
ls_bqueue_capacity(const struct ls_bqueue *q)
{
	return q->cap;
}

uint32_t
ls_bqueue_id(const struct ls_bqueue *q)
{
	return q->id;
}

unsigned
ls_bqueue_waiting_push(const struct ls_bqueue *q)
{
	struct ls_bqueue *mq = (struct ls_bqueue *)q;
	unsigned n;

	engine_lock(&mq->mu);
	n = mq->producers.len;
	engine_unlock(&mq->mu);
	return n;
}

unsigned
ls_bqueue_waiting_pop(const struct ls_bqueue *q)
{
	struct ls_bqueue *mq = (struct ls_bqueue *)q;
	unsigned n;

	engine_lock(&mq->mu);
	n = mq->consumers.len;
	engine_unlock(&mq->mu);
	return n;
}
