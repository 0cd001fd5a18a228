/*
 * pool.c - the instrumented thread pool (pool.h).
 *
 * One internal mutex (mu) guards the whole pool: the task queue, the
 * counters, the histograms and five wait queues built like every engine
 * primitive (engine-int.h): idle workers, submitters waiting for room, map
 * callers waiting for their items, threads waiting for the pool to go
 * quiet, and threads waiting for it to stop.  Every waiter parks on its own parker, so a group
 * cancel wakes the pool's workers without anyone taking mu, and nothing
 * polls: an idle worker sleeps in the kernel until a submit grants it, its
 * keep-alive deadline passes, or its group is cancelled.
 *
 * The queue orders 16-byte entries by (key, id): key is the priority, or
 * with aging priority * aging_ns + the time the task entered the queue.
 * Because every queued task ages at the same rate, "priority minus waited
 * / aging_ns" orders tasks exactly as that fixed key does, so aging costs
 * nothing at run time.  The id breaks ties, which makes equal keys first
 * in, first out.  Entries that arrive in order go to a ring, the others to
 * a binary min-heap (see "The queue" below); an entry points at a slot
 * holding the task itself, so sifting moves 16 bytes, not the task.  In
 * fifo mode everything goes to the ring and priorities are ignored.
 *
 * Wake-ups are what a pool pays most for, so the pool avoids the useless
 * ones.  A submit wakes an idle worker only while the queue holds more
 * tasks than workers already woken; the most recently idle worker is woken
 * first (LIFO), so under light load the same worker stays warm and the
 * others can reach their keep-alive and retire.  Submitters blocked on a
 * full queue are let in (room handed over, in arrival order) only once an
 * eighth of the queue is free, so a submitter that outruns the workers is
 * woken once per batch, not once per task.  A worker records a finished
 * task and takes the next one in the same critical section when gates are
 * open (RUN mode), which halves the lock traffic; with the gates in pause
 * or step mode it records, unlocks and passes the "take" gate first.
 * The clock, the dearest call of the fast path, is read only for tasks
 * whose times are used: all of them when events are on (TASK_START and
 * TASK_END carry the wait and run times) or aging is on (the key needs
 * the time), else one in TIME_EVERY, which is enough for percentiles.
 *
 * Lock order: mu, then group->mu (a worker's state change told to a
 * pausing or stepping controller), then a parker's mutex (grants).  The
 * pool never holds mu while it passes a gate, spawns or joins a thread,
 * or runs a task or a callback.
 */
#include "config.h"

#include "lockstep/pool.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "engine-valgrind.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "util/hist.h"

/* Queue entries carry id << SLOT_BITS | slot. */
#define SLOT_BITS 24
#define SLOT_MASK ((1u << SLOT_BITS) - 1)

/* Without events, one task in TIME_EVERY per submitting thread is timed
 * for the percentiles (a power of two). */
#define TIME_EVERY 8

enum pool_state {
	POOL_RUNNING = 0,
	POOL_DRAINING,		/* no submits; workers finish the queue */
	POOL_STOPPED,		/* no submits; the queue is dropped */
};

struct pool_task {
	ls_task_fn fn;
	void *arg;
	void (*on_done)(void *arg);
	void (*on_error)(void *arg, int err);
	struct map_batch *batch;	/* a map item, or NULL */
	size_t index;			/* its item number in batch */
	uint64_t id;
	uint64_t queued_ns;		/* when it entered the queue */
	int priority;
	bool timed;			/* queued_ns is set; time its run */
};

struct qent {
	int64_t key;
	uint64_t seqslot;	/* id << SLOT_BITS | slot */
};

/*
 * One ls_pool_map call.  It outlives the call while items still run:
 * refs counts the caller plus every queued or running item, and whoever
 * drops the last one calls release(ctx) and frees it.
 */
struct map_batch {
	ls_map_fn fn;		/* set before the first item is queued */
	void *ctx;
	void (*release)(void *ctx);
	/* Set under mu when the caller gives up; read without mu by a
	 * worker about to run an item, to skip it (a stale false only
	 * means the item runs and its result is thrown away). */
	atomic_bool abandoned;
	/* Guarded by the pool's mu. */
	size_t refs;
	size_t remaining;	/* items not finished or dropped yet */
	struct waiter *waiter;	/* the caller, while it waits */
	int status[];		/* per item; -ETIMEDOUT until done */
};

/* A submitter waiting for room, on its own stack. */
struct submit_wait {
	struct waiter w;	/* first: a struct waiter * converts back */
	int rc;			/* with the grant: 0 (room) or refusal */
};

struct ls_pool {
	/* Set at creation, read without the lock. */
	struct ls_group *group;
	uint32_t obj;
	unsigned capacity;
	unsigned slack;		/* free slots that let waiters in */
	unsigned min, max;
	bool fifo;
	bool time_all;		/* events or aging need every task's times */
	uint64_t keep_alive_ns;
	uint64_t aging_ns;
	uint64_t base_ns;	/* creation time, origin of aging keys */
	char name[LS_NAME_MAX + 1];

	pthread_mutex_t mu;	/* guards every field below */
	pthread_cond_t exit_cv;	/* destroy waits here for the workers */
	enum pool_state state;
	bool cancelled;		/* stopped by a cancel of the group */
	struct pool_task *slots;	/* capacity tasks */
	uint32_t *free_slots;	/* a stack of unused slot numbers */
	unsigned nfree;
	struct qent *run;	/* ring: in order arrivals, from run_head */
	struct qent *heap;	/* the other arrivals */
	unsigned run_head, run_len, heap_len;
	unsigned depth;		/* run_len + heap_len */
	unsigned reserved;	/* room handed to woken submitters */
	struct waitq idleq;	/* idle workers, newest at the tail */
	struct waitq submitq;	/* submitters waiting for room */
	struct waitq mapq;	/* map callers waiting for their items */
	struct waitq quietq;	/* ls_pool_wait_idle callers */
	struct waitq exitq;	/* ls_pool_shutdown callers */
	unsigned workers;	/* started or starting, not yet left */
	unsigned starting;	/* spawned, not yet in their loop */
	unsigned waking;	/* idle workers granted, not yet awake */
	unsigned busy;		/* holding a task */
	unsigned dropping;	/* dropped tasks in their callbacks */
	unsigned next_worker;	/* for worker names */
	uint64_t next_id;
	uint64_t submitted, completed, failed, rejected, dropped;
	uint64_t spawned, retired, timed;
	uint64_t spawn_req_ns, scale_up_ns, scale_up_at;
	struct hist wait_hist, run_hist;
};

/* The pool whose worker the calling thread is, to refuse self-waits. */
static _Thread_local struct ls_pool *pool_self;

/* Submits by this thread, for sampling which tasks are timed. */
static _Thread_local unsigned pool_submits;

static struct submit_wait *
submit_wait_of(struct waiter *w)
{
	return (struct submit_wait *)((char *)w -
				      offsetof(struct submit_wait, w));
}

static uint32_t
us_of(uint64_t ns)
{
	uint64_t us = ns / 1000;

	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static uint64_t
pool_deadline(uint64_t timeout_ns)
{
	uint64_t now;

	if (timeout_ns == LS_POOL_FOREVER)
		return 0;
	now = ls_clock_ns();
	return timeout_ns > UINT64_MAX - now ? 0 : now + timeout_ns;
}

/* p50, p90 and p99 of h into out[0..2]; zeros for an empty histogram. */
static void
pool_percentiles(const struct hist *h, uint64_t out[3])
{
	out[0] = hist_percentile(&h, 1, 50);
	out[1] = hist_percentile(&h, 1, 90);
	out[2] = hist_percentile(&h, 1, 99);
}

/*
 * The queue.  Every function here is called with mu held.
 *
 * Two parts: a run, a ring of entries that arrived in non-decreasing
 * (key, id) order, and a binary heap of the others.  A new entry joins the
 * run when it is not smaller than the run's last one, else the heap; the
 * first task is the smaller of the run's head and the heap's top.  Equal
 * priorities, and aging with equal priorities, always arrive in order, so
 * the common case costs a ring's push and pop, not log2(depth) cache
 * lines; only out-of-order arrivals pay for the heap.  In fifo mode every
 * entry joins the run.
 */

/* Branch-free: between equal keys, which child is smaller is a coin toss
 * that a branch predictor cannot learn. */
static inline bool
qent_less(const struct qent *a, const struct qent *b)
{
	return (a->key < b->key) |
	       ((a->key == b->key) & (a->seqslot < b->seqslot));
}

/* Put e at hole i of a heap of n entries and sift it down. */
static void
heap_sift_down(struct qent *q, unsigned n, unsigned i, struct qent e)
{
	unsigned c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n)
			c += qent_less(&q[c + 1], &q[c]);
		if (!qent_less(&q[c], &e))
			break;
		q[i] = q[c];
		i = c;
	}
	q[i] = e;
}

/*
 * Refill the hole at the root of a heap of n entries with e, the entry
 * that was last: walk the hole down to a leaf along the smaller children,
 * then sift e up from there (bottom-up, after Floyd).  One comparison per
 * level instead of two, and e, being a late arrival, rarely moves up.
 */
static void
heap_pop_fill(struct qent *q, unsigned n, struct qent e)
{
	unsigned i = 0, c, parent;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n)
			c += qent_less(&q[c + 1], &q[c]);
		q[i] = q[c];
		i = c;
	}
	for (; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!qent_less(&e, &q[parent]))
			break;
		q[i] = q[parent];
	}
	q[i] = e;
}

static inline unsigned
run_at(const struct ls_pool *p, unsigned i)
{
	i += p->run_head;
	return i >= p->capacity ? i - p->capacity : i;
}

static void
queue_push_locked(struct ls_pool *p, int64_t key, uint64_t id, uint32_t slot)
{
	struct qent e = { .key = key, .seqslot = id << SLOT_BITS | slot };
	unsigned i, parent;

	if (p->fifo || !p->run_len ||
	    !qent_less(&e, &p->run[run_at(p, p->run_len - 1)])) {
		p->run[run_at(p, p->run_len++)] = e;
	} else {
		for (i = p->heap_len++; i > 0; i = parent) {
			parent = (i - 1) / 2;
			if (!qent_less(&e, &p->heap[parent]))
				break;
			p->heap[i] = p->heap[parent];
		}
		p->heap[i] = e;
	}
	p->depth++;
}

/* Take the first task out of the queue (not empty) into *t. */
static void
queue_pop_locked(struct ls_pool *p, struct pool_task *t)
{
	uint32_t slot;

	if (p->run_len &&
	    (!p->heap_len || qent_less(&p->run[p->run_head], &p->heap[0]))) {
		slot = (uint32_t)(p->run[p->run_head].seqslot & SLOT_MASK);
		if (++p->run_head == p->capacity)
			p->run_head = 0;
		p->run_len--;
	} else {
		slot = (uint32_t)(p->heap[0].seqslot & SLOT_MASK);
		if (--p->heap_len)
			heap_pop_fill(p->heap, p->heap_len,
				      p->heap[p->heap_len]);
	}
	p->depth--;
	*t = p->slots[slot];
	p->free_slots[p->nfree++] = slot;
}

/* Is entry e an item of b?  If so drop it: TASK_DROP, slot freed. */
static bool
queue_drop_if_locked(struct ls_pool *p, struct qent e,
		     const struct map_batch *b)
{
	uint32_t slot = (uint32_t)(e.seqslot & SLOT_MASK);

	if (p->slots[slot].batch != b)
		return false;
	ls_emit(LS_EV_TASK_DROP, p->obj, p->slots[slot].id, 0);
	p->free_slots[p->nfree++] = slot;
	return true;
}

/* Take every queued item of b out of the queue; the others keep their
 * order.  Returns how many were taken. */
static unsigned
queue_remove_batch_locked(struct ls_pool *p, const struct map_batch *b)
{
	unsigned i, kept = 0, n = p->run_len;
	struct qent e;

	for (i = 0; i < n; i++) {
		e = p->run[run_at(p, i)];
		if (!queue_drop_if_locked(p, e, b))
			p->run[run_at(p, kept++)] = e;
	}
	p->run_len = kept;
	n = p->heap_len;
	for (i = kept = 0; i < n; i++) {
		e = p->heap[i];
		if (!queue_drop_if_locked(p, e, b))
			p->heap[kept++] = e;
	}
	p->heap_len = kept;
	for (i = kept / 2; i-- > 0;)
		heap_sift_down(p->heap, kept, i, p->heap[i]);
	n = p->depth;
	p->depth = p->run_len + p->heap_len;
	return n - p->depth;
}

static int64_t
pool_key(const struct ls_pool *p, int priority, uint64_t queued_ns)
{
	if (!p->aging_ns)
		return priority;
	/* |priority| < 2^31 and aging_ns <= 2^30: no overflow. */
	return (int64_t)priority * (int64_t)p->aging_ns +
	       (int64_t)(queued_ns - p->base_ns);
}

/* Bookkeeping around the queue, all with mu held. */

/*
 * Say the depth after a task entered or left the queue.  Every change is
 * told while the queue is short (what a scene shows), and in a deep queue
 * every eighth: each event costs a clock read, a deep queue changes twice
 * per task, and its sparkline loses nothing at a resolution of 8.  The
 * event is absolute, so a lost one is healed by the next.
 */
static inline void
pool_emit_depth_locked(const struct ls_pool *p)
{
	if (p->depth < 16 || !(p->depth & 7))
		ls_emit(LS_EV_POOL_DEPTH, p->obj, p->depth, p->capacity);
}

/* Wake every waiter for quiet if the pool is quiet. */
static void
pool_check_quiet_locked(struct ls_pool *p)
{
	if (p->quietq.len && !p->depth && !p->busy && !p->reserved &&
	    !p->dropping)
		while (p->quietq.head)
			waitq_grant(&p->quietq, p->quietq.head);
}

/* Queue t (id and queued_ns set; room checked) and wake an idle worker if
 * the queue now holds more tasks than the workers already woken. */
static void
pool_enqueue_locked(struct ls_pool *p, const struct pool_task *t)
{
	uint32_t slot = p->free_slots[--p->nfree];

	p->slots[slot] = *t;
	queue_push_locked(p, pool_key(p, t->priority, t->queued_ns), t->id,
			  slot);
	p->submitted++;
	if (t->batch)
		t->batch->refs++;
	ls_emit(LS_EV_TASK_SUBMIT, p->obj, t->id, (uint32_t)t->priority);
	pool_emit_depth_locked(p);
	if (p->idleq.len && p->depth > p->waking) {
		p->waking++;
		/* The newest idle worker: the one most likely still warm. */
		waitq_grant(&p->idleq, p->idleq.tail);
	}
}

/* Hand room to waiting submitters, oldest first, once slack slots are
 * free. */
static void
pool_admit_locked(struct ls_pool *p)
{
	unsigned room;

	if (!p->submitq.len)
		return;
	room = p->capacity - p->depth - p->reserved;
	if (room < p->slack)
		return;
	while (p->submitq.head && room) {
		struct submit_wait *sw = submit_wait_of(p->submitq.head);

		sw->rc = 0;
		p->reserved++;
		room--;
		waitq_grant(&p->submitq, &sw->w);
	}
}

/* Refuse every waiting submitter with rc. */
static void
pool_refuse_locked(struct ls_pool *p, int rc)
{
	while (p->submitq.head) {
		struct submit_wait *sw = submit_wait_of(p->submitq.head);

		sw->rc = rc;
		waitq_grant(&p->submitq, &sw->w);
	}
}

/* Move to state (never back): refuse waiting submitters with rc and wake
 * every idle worker so it sees the new state. */
static void
pool_stop_locked(struct ls_pool *p, enum pool_state state, int rc)
{
	if (state <= p->state)
		return;
	p->state = state;
	pool_refuse_locked(p, rc);
	while (p->idleq.head) {
		p->waking++;
		waitq_grant(&p->idleq, p->idleq.head);
	}
}

/* The pool's group was cancelled: stop for good. */
static void
pool_cancel_locked(struct ls_pool *p)
{
	p->cancelled = true;
	pool_stop_locked(p, POOL_STOPPED, -ECANCELED);
}

/* Stop for a shutdown or destroy: as a cancel if the group already is
 * cancelled, so that waiters are told the real reason. */
static void
pool_shut_locked(struct ls_pool *p, enum pool_state state)
{
	if (ls_group_cancelled(p->group))
		pool_cancel_locked(p);
	else
		pool_stop_locked(p, state, -ESHUTDOWN);
}

/* The last worker has left: release whoever waits for that. */
static void
pool_all_gone_locked(struct ls_pool *p)
{
	int err;

	while (p->exitq.head)
		waitq_grant(&p->exitq, p->exitq.head);
	err = pthread_cond_broadcast(&p->exit_cv);
	if (err)
		engine_panic("pthread_cond_broadcast", err);
	pool_check_quiet_locked(p);
}

/* Account for item i of b finishing with status (or being dropped).
 * Returns b if that dropped its last reference: the caller frees it with
 * batch_put once mu is released. */
static struct map_batch *
batch_done_locked(struct ls_pool *p, struct map_batch *b, size_t i,
		  int status)
{
	if (!atomic_load_explicit(&b->abandoned, memory_order_relaxed))
		b->status[i] = status;
	if (!--b->remaining && b->waiter) {
		waitq_grant(&p->mapq, b->waiter);
		b->waiter = NULL;
	}
	return --b->refs ? NULL : b;
}

static void
batch_put(struct map_batch *b)
{
	if (!b)
		return;
	if (b->release)
		b->release(b->ctx);
	VALGRIND_HG_ENABLE_CHECKING(&b->abandoned, sizeof(b->abandoned));
	free(b);
}

/* A worker is done with its task, callbacks and batch included. */
static void
pool_unbusy_locked(struct ls_pool *p)
{
	p->busy--;
	pool_check_quiet_locked(p);
}

/* Record a task that ran: counters, histograms, its map batch.  Returns
 * the batch if this dropped its last reference; the worker then stays
 * busy until pool_put_batch_locked has released it, so that a quiet pool
 * (ls_pool_wait_idle) means every release has run too. */
static struct map_batch *
pool_finish_locked(struct ls_pool *p, const struct pool_task *t, int status,
		   uint64_t start, uint64_t end)
{
	struct map_batch *gone = NULL;

	if (status)
		p->failed++;
	else
		p->completed++;
	if (t->timed) {
		p->timed++;
		hist_add(&p->wait_hist, start - t->queued_ns);
		hist_add(&p->run_hist, end - start);
	}
	if (t->batch)
		gone = batch_done_locked(p, t->batch, t->index, status);
	if (!gone)
		pool_unbusy_locked(p);
	return gone;
}

/* Release a batch a worker's task held last, then stop counting the
 * worker busy.  Called and returns with mu held; drops it meanwhile. */
static void
pool_put_batch_locked(struct ls_pool *p, struct map_batch *gone)
{
	engine_unlock(&p->mu);
	batch_put(gone);
	engine_lock(&p->mu);
	pool_unbusy_locked(p);
}

/* Record a task that will never run.  Its callback is the caller's. */
static struct map_batch *
pool_drop_locked(struct ls_pool *p, const struct pool_task *t)
{
	p->dropped++;
	ls_emit(LS_EV_TASK_DROP, p->obj, t->id, 0);
	pool_check_quiet_locked(p);
	return t->batch ? batch_done_locked(p, t->batch, t->index,
					    -ECANCELED)
			: NULL;
}

/* Tell a dropped task's owner, without mu. */
static void
pool_dropped_unlocked(const struct pool_task *t, struct map_batch *gone)
{
	if (!t->batch && t->on_error)
		t->on_error(t->arg, -ECANCELED);
	batch_put(gone);
}

/* Drop a task a worker took but must not run, then stop counting the
 * worker busy.  Without mu. */
static void
pool_drop_taken(struct ls_pool *p, const struct pool_task *t)
{
	struct map_batch *gone;

	engine_lock(&p->mu);
	gone = pool_drop_locked(p, t);
	engine_unlock(&p->mu);
	pool_dropped_unlocked(t, gone);
	engine_lock(&p->mu);
	pool_unbusy_locked(p);
	engine_unlock(&p->mu);
}

/* Drop the whole queue.  Called and returns with mu held, but drops it
 * around each callback, so the queue may change meanwhile; the state is
 * STOPPED, so nothing new enters it. */
static void
pool_drop_all_locked(struct ls_pool *p)
{
	struct pool_task t;
	struct map_batch *gone;
	bool any = p->depth > 0;

	while (p->depth) {
		queue_pop_locked(p, &t);
		p->dropping++;
		gone = pool_drop_locked(p, &t);
		if (gone || (!t.batch && t.on_error)) {
			engine_unlock(&p->mu);
			pool_dropped_unlocked(&t, gone);
			engine_lock(&p->mu);
		}
		p->dropping--;
		pool_check_quiet_locked(p);
	}
	if (any)
		ls_emit(LS_EV_POOL_DEPTH, p->obj, p->depth, p->capacity);
}

/* Workers. */

/* Count a worker about to start; returns its number.  mu held. */
static unsigned
pool_reserve_worker_locked(struct ls_pool *p)
{
	p->workers++;
	p->starting++;
	p->spawn_req_ns = ls_clock_ns();
	return ++p->next_worker;
}

/* Does the queue hold more tasks than idle or starting workers can take,
 * with room for one more worker?  mu held. */
static bool
pool_want_worker_locked(const struct ls_pool *p)
{
	return p->state == POOL_RUNNING && p->workers < p->max &&
	       p->depth > p->idleq.len + p->waking + p->starting;
}

static void pool_worker(void *arg);

/* Start worker number num, reserved with pool_reserve_worker_locked.
 * Without mu.  Returns 0 or ls_thread_spawn's error, after undoing the
 * reservation. */
static int
pool_start_worker(struct ls_pool *p, unsigned num)
{
	char name[LS_NAME_MAX + 1];
	int err;

	/* Join the workers that retired since, so the group stays small. */
	ls_group_reap(p->group);
	/* Room for the number: keep at most 20 characters of the name. */
	snprintf(name, sizeof(name), "%.20s.%u", p->name, num);
	err = ls_thread_spawn(p->group, name, pool_worker, p);
	if (!err)
		return 0;
	engine_lock(&p->mu);
	p->workers--;
	p->starting--;
	if (err == -ECANCELED) {
		pool_cancel_locked(p);
		pool_drop_all_locked(p);
	}
	if (!p->workers)
		pool_all_gone_locked(p);
	engine_unlock(&p->mu);
	return err;
}

/* Are the group's gates open (RUN mode)?  Relaxed, as in ls_gate: a pause
 * is seen at a later gate at worst. */
static inline bool
pool_gates_open(const struct ls_group *g)
{
	return atomic_load_explicit(&g->gate_mode, memory_order_relaxed) ==
	       LS_GATE_RUN;
}

/* Wait idle on the pool until a submit or a stop grants this worker, the
 * keep-alive passes (only above min) or the group is cancelled.  mu held.
 * Returns waitq_sleep_locked's result. */
static int
pool_idle_locked(struct ls_pool *p, struct ls_thread *self)
{
	struct waiter w = { .t = self, .obj = p->obj };
	uint64_t deadline = 0;
	int rc;

	if (p->workers > p->min)
		deadline = ls_clock_ns() + p->keep_alive_ns;
	w.since_ns = ls_clock_ns();
	ls_thread_set_state(LS_STATE_IDLE);
	waitq_push(&p->idleq, &w);
	rc = waitq_sleep_locked(&p->idleq, &w, &p->mu, deadline);
	if (!rc)
		p->waking--;
	ls_thread_set_state(LS_STATE_RUNNING);
	return rc;
}

static void
pool_worker(void *arg)
{
	struct ls_pool *p = arg;
	struct ls_group *g = p->group;
	struct ls_thread *self = ls_thread_self();
	struct map_batch *gone = NULL;
	struct pool_task t;
	uint64_t now, start = 0, end = 0;
	bool have = false;	/* t ran; not yet recorded */
	int status = 0, rc;

	pool_self = p;
	engine_lock(&p->mu);
	now = ls_clock_ns();
	p->starting--;
	p->spawned++;
	p->scale_up_ns = now - p->spawn_req_ns;
	p->scale_up_at = now;
	ls_emit(LS_EV_POOL_SCALE, p->obj, p->workers, p->idleq.len);
	engine_unlock(&p->mu);

	for (;;) {
		if (have && pool_gates_open(g)) {
			/* One critical section records t and takes the
			 * next task. */
			engine_lock(&p->mu);
			gone = pool_finish_locked(p, &t, status, start, end);
			if (gone)
				pool_put_batch_locked(p, gone);
		} else {
			if (have) {
				engine_lock(&p->mu);
				gone = pool_finish_locked(p, &t, status, start,
							  end);
				if (gone)
					pool_put_batch_locked(p, gone);
				engine_unlock(&p->mu);
			}
			have = false;
			if (ls_gate(LS_EV_POOL_DEPTH, p->obj, "take task")) {
				engine_lock(&p->mu);
				goto cancelled;
			}
			engine_lock(&p->mu);
		}
		have = false;
take:
		if (p->state == POOL_STOPPED)
			goto leave;
		if (ls_group_cancelled(g))
			goto cancelled;
		if (!p->depth) {
			if (p->state == POOL_DRAINING)
				goto leave;
			rc = pool_idle_locked(p, self);
			if (rc == -ECANCELED)
				goto cancelled;
			if (rc == -ETIMEDOUT && !p->depth &&
			    p->workers > p->min && p->state == POOL_RUNNING)
				goto leave;
			if (pool_gates_open(g))
				goto take;
			engine_unlock(&p->mu);
			continue;
		}
		queue_pop_locked(p, &t);
		p->busy++;
		pool_emit_depth_locked(p);
		pool_admit_locked(p);
		engine_unlock(&p->mu);

		if (ls_gate(LS_EV_TASK_START, p->obj, "run task")) {
			pool_drop_taken(p, &t);
			engine_lock(&p->mu);
			goto cancelled;
		}
		if (t.batch && atomic_load_explicit(&t.batch->abandoned,
						    memory_order_relaxed)) {
			/* Its map gave up: the item must not run. */
			pool_drop_taken(p, &t);
			continue;
		}
		if (t.timed)
			start = ls_clock_ns();
		ls_emit(LS_EV_TASK_START, p->obj, t.id,
			us_of(start - t.queued_ns));
		if (t.batch)
			status = t.batch->fn(t.batch->ctx, t.index);
		else
			status = t.fn(t.arg);
		if (t.timed)
			end = ls_clock_ns();
		if (status) {
			ls_emit(LS_EV_TASK_FAIL, p->obj, t.id,
				(uint32_t)(status < 0 ? -(int64_t)status
						      : status));
			if (!t.batch && t.on_error)
				t.on_error(t.arg, status);
		} else {
			ls_emit(LS_EV_TASK_END, p->obj, t.id,
				us_of(end - start));
			if (!t.batch && t.on_done)
				t.on_done(t.arg);
		}
		have = true;
	}

cancelled:
	/* mu held.  Whoever notices first stops the pool; any worker
	 * still here helps drop what is left. */
	pool_cancel_locked(p);
	pool_drop_all_locked(p);
leave:
	/* mu held, nothing in hand. */
	p->workers--;
	p->retired++;
	ls_emit(LS_EV_POOL_SCALE, p->obj, p->workers, p->idleq.len);
	if (!p->workers)
		pool_all_gone_locked(p);
	engine_unlock(&p->mu);
	/* p may be freed from here on; the group outlives its threads. */
	pool_self = NULL;
	ls_group_reap(g);
}

/* Submitting. */

/* Why a submit is refused now, or 0.  mu held. */
static int
pool_refusal_locked(const struct ls_pool *p)
{
	if (p->state != POOL_RUNNING)
		return p->cancelled ? -ECANCELED : -ESHUTDOWN;
	if (ls_group_cancelled(p->group))
		return -ECANCELED;
	return 0;
}

/* Wait for room for t, then queue it.  mu held.  Returns 0 or why not. */
static int
pool_wait_room_locked(struct ls_pool *p, struct pool_task *t,
		      uint64_t deadline)
{
	struct submit_wait sw = {
		.w = { .t = ls_thread_self(), .obj = p->obj,
		       .since_ns = t->queued_ns },
	};
	int rc;

	ls_emit(LS_EV_Q_PUSH_WAIT, p->obj, p->depth, p->capacity);
	waitq_push(&p->submitq, &sw.w);
	rc = waitq_sleep_locked(&p->submitq, &sw.w, &p->mu, deadline);
	if (!rc)
		rc = sw.rc;
	if (!rc) {
		/* The room handed over is ours, unless the pool stopped
		 * while we were waking (a draining pool's workers may be
		 * gone). */
		p->reserved--;
		rc = pool_refusal_locked(p);
		if (!rc) {
			if (t->timed)
				t->queued_ns = ls_clock_ns();
			pool_enqueue_locked(p, t);
			return 0;
		}
		pool_admit_locked(p);
		pool_check_quiet_locked(p);
	}
	if (rc == -ECANCELED) {
		ls_emit(LS_EV_CANCELLED, p->obj, 0, 0);
	} else {
		p->rejected++;
		ls_emit(LS_EV_TASK_REJECT, p->obj, t->id, p->depth);
	}
	return rc;
}

static int
pool_submit(struct ls_pool *p, struct pool_task *t, bool wait,
	    uint64_t deadline, uint64_t *id)
{
	unsigned num = 0;
	int rc;

	if (ls_gate(LS_EV_TASK_SUBMIT, p->obj, "submit task"))
		return -ECANCELED;
	/* The clock is the dearest part of a submit and of a take: read it
	 * only for the tasks whose times are used. */
	t->timed = p->time_all || !(++pool_submits & (TIME_EVERY - 1));
	t->queued_ns = t->timed ? ls_clock_ns() : 0;
	engine_lock(&p->mu);
	t->id = ++p->next_id;
	if (id)
		*id = t->id;
	rc = pool_refusal_locked(p);
	if (!rc && !p->workers) {
		/* No worker at all (min 0, all retired): start one before
		 * queueing, so a task is never queued where none can run. */
		num = pool_reserve_worker_locked(p);
		engine_unlock(&p->mu);
		rc = pool_start_worker(p, num);
		if (rc)
			return rc;
		num = 0;
		engine_lock(&p->mu);
		rc = pool_refusal_locked(p);
	}
	if (rc) {
		if (rc != -ECANCELED) {
			p->rejected++;
			ls_emit(LS_EV_TASK_REJECT, p->obj, t->id, p->depth);
		}
		goto out;
	}
	if (!p->submitq.len && p->depth + p->reserved < p->capacity) {
		pool_enqueue_locked(p, t);
	} else if (!wait) {
		p->rejected++;
		ls_emit(LS_EV_TASK_REJECT, p->obj, t->id, p->depth);
		rc = -EAGAIN;
		goto out;
	} else {
		rc = pool_wait_room_locked(p, t, deadline);
		if (rc)
			goto out;
	}
	if (pool_want_worker_locked(p))
		num = pool_reserve_worker_locked(p);
out:
	engine_unlock(&p->mu);
	/* A failed scale-up is not the submit's failure: the task is
	 * queued and a worker exists to run it. */
	if (num)
		pool_start_worker(p, num);
	return rc;
}

/* Public entry points. */

static int
pool_submit_task(struct ls_pool *p, const struct ls_task *t, bool wait,
		 uint64_t timeout_ns, uint64_t *id)
{
	struct pool_task pt = {
		.fn = t ? t->fn : NULL,
		.arg = t ? t->arg : NULL,
		.on_done = t ? t->on_done : NULL,
		.on_error = t ? t->on_error : NULL,
		.priority = t ? t->priority : 0,
	};

	if (!pt.fn)
		return -EINVAL;
	return pool_submit(p, &pt, wait, wait ? pool_deadline(timeout_ns) : 0,
			   id);
}

int
ls_pool_submit(struct ls_pool *p, const struct ls_task *t, uint64_t *id)
{
	return pool_submit_task(p, t, false, 0, id);
}

int
ls_pool_submit_timed(struct ls_pool *p, const struct ls_task *t,
		     uint64_t timeout_ns, uint64_t *id)
{
	return pool_submit_task(p, t, true, timeout_ns, id);
}

int
ls_pool_map(struct ls_pool *p, ls_map_fn fn, void *ctx,
	    void (*release)(void *ctx), size_t n, int priority,
	    uint64_t timeout_ns, int *status)
{
	uint64_t deadline = pool_deadline(timeout_ns);
	struct pool_task t = { .priority = priority };
	struct waiter w = { .obj = 0 };
	struct map_batch *b;
	size_t i, j, dropped;
	int rc = 0, wrc = 0;
	bool last;

	if (!fn || (n && !status))
		return -EINVAL;
	if (n > (SIZE_MAX - sizeof(*b)) / sizeof(int)) {
		rc = -ENOMEM;
		goto fail;
	}
	b = malloc(sizeof(*b) + n * sizeof(int));
	if (!b) {
		rc = -ENOMEM;
		goto fail;
	}
	b->fn = fn;
	b->ctx = ctx;
	b->release = release;
	atomic_init(&b->abandoned, false);
	/* Read by workers without the lock (a hint to skip the item);
	 * helgrind cannot see the atomic. */
	VALGRIND_HG_DISABLE_CHECKING(&b->abandoned, sizeof(b->abandoned));
	b->refs = 1;
	b->remaining = n;
	b->waiter = NULL;
	for (i = 0; i < n; i++)
		b->status[i] = -ETIMEDOUT;

	t.batch = b;
	for (i = 0; i < n; i++) {
		t.index = i;
		rc = pool_submit(p, &t, true, deadline, NULL);
		if (rc)
			break;
	}
	engine_lock(&p->mu);
	if (rc) {
		for (j = i; j < n; j++)
			b->status[j] = rc;
		b->remaining -= n - i;
	}
	w.t = ls_thread_self();
	w.obj = p->obj;
	while (b->remaining) {
		w.granted = false;
		w.since_ns = ls_clock_ns();
		b->waiter = &w;
		waitq_push(&p->mapq, &w);
		wrc = waitq_sleep_locked(&p->mapq, &w, &p->mu, deadline);
		b->waiter = NULL;
		if (wrc)
			break;
	}
	if (b->remaining) {
		/* Give up: queued items never run, taken ones are skipped,
		 * running ones finish into the void. */
		atomic_store_explicit(&b->abandoned, true,
				      memory_order_relaxed);
		dropped = queue_remove_batch_locked(p, b);
		if (dropped) {
			p->dropped += dropped;
			b->refs -= dropped;
			b->remaining -= dropped;
			ls_emit(LS_EV_POOL_DEPTH, p->obj, p->depth,
				p->capacity);
			pool_admit_locked(p);
			pool_check_quiet_locked(p);
		}
		if (!rc)
			rc = wrc == -ECANCELED ? -ECANCELED : -ETIMEDOUT;
	}
	if (n)
		memcpy(status, b->status, n * sizeof(int));
	last = !--b->refs;
	engine_unlock(&p->mu);
	if (last)
		batch_put(b);
	return rc;
fail:
	if (release)
		release(ctx);
	return rc;
}

int
ls_pool_shutdown(struct ls_pool *p, enum ls_pool_stop how, uint64_t *dropped)
{
	struct waiter w = { .obj = 0 };
	int rc = 0;

	if (pool_self == p)
		return -EDEADLK;
	w.t = ls_thread_self();
	w.obj = p->obj;
	engine_lock(&p->mu);
	pool_shut_locked(p, how == LS_POOL_NOW ? POOL_STOPPED : POOL_DRAINING);
	if (p->state == POOL_STOPPED)
		pool_drop_all_locked(p);
	while (p->workers) {
		w.granted = false;
		w.since_ns = ls_clock_ns();
		waitq_push(&p->exitq, &w);
		rc = waitq_sleep_locked(&p->exitq, &w, &p->mu, 0);
		if (rc)
			break;
	}
	if (dropped)
		*dropped = p->dropped;
	engine_unlock(&p->mu);
	ls_group_reap(p->group);
	return rc;
}

int
ls_pool_wait_idle(struct ls_pool *p, uint64_t timeout_ns)
{
	uint64_t deadline = pool_deadline(timeout_ns);
	struct waiter w = { .obj = 0 };
	int rc = 0;

	if (pool_self == p)
		return -EDEADLK;
	w.t = ls_thread_self();
	w.obj = p->obj;
	engine_lock(&p->mu);
	while (p->depth || p->busy || p->reserved || p->dropping) {
		w.granted = false;
		w.since_ns = ls_clock_ns();
		waitq_push(&p->quietq, &w);
		rc = waitq_sleep_locked(&p->quietq, &w, &p->mu, deadline);
		if (rc)
			break;
	}
	engine_unlock(&p->mu);
	return rc;
}

void
ls_pool_stats(struct ls_pool *p, struct ls_pool_stats *s)
{
	/* Copied under the lock, read after it. */
	struct hist wait, run;
	uint64_t pc[3];

	memset(s, 0, sizeof(*s));
	engine_lock(&p->mu);
	s->submitted = p->submitted;
	s->completed = p->completed;
	s->failed = p->failed;
	s->rejected = p->rejected;
	s->dropped = p->dropped;
	s->depth = p->depth;
	s->capacity = p->capacity;
	s->workers = p->workers;
	s->busy = p->busy;
	s->idle = p->idleq.len;
	s->waiting = p->submitq.len;
	s->min_workers = p->min;
	s->max_workers = p->max;
	s->spawned = p->spawned;
	s->timed = p->timed;
	s->retired = p->retired;
	s->scale_up_ns = p->scale_up_ns;
	s->scale_up_at = p->scale_up_at;
	wait = p->wait_hist;
	run = p->run_hist;
	engine_unlock(&p->mu);
	pool_percentiles(&wait, pc);
	s->wait_p50 = pc[0];
	s->wait_p90 = pc[1];
	s->wait_p99 = pc[2];
	pool_percentiles(&run, pc);
	s->run_p50 = pc[0];
	s->run_p90 = pc[1];
	s->run_p99 = pc[2];
}

uint32_t
ls_pool_id(const struct ls_pool *p)
{
	return p->obj;
}

static void
pool_free(struct ls_pool *p)
{
	pthread_cond_destroy(&p->exit_cv);
	pthread_mutex_destroy(&p->mu);
	free(p->slots);
	free(p->free_slots);
	free(p->run);
	free(p->heap);
	free(p);
}

void
ls_pool_destroy(struct ls_pool *p)
{
	int err;

	if (!p)
		return;
	if (pool_self == p)
		engine_panic("ls_pool_destroy from its own worker", EDEADLK);
	engine_lock(&p->mu);
	pool_shut_locked(p, POOL_STOPPED);
	pool_drop_all_locked(p);
	/* A plain condvar, not the parker: destroy must wait for the
	 * workers even when the caller's own group is cancelled. */
	while (p->workers) {
		err = pthread_cond_wait(&p->exit_cv, &p->mu);
		if (err)
			engine_panic("pthread_cond_wait", err);
	}
	if (p->submitq.len || p->mapq.len || p->quietq.len || p->exitq.len ||
	    p->reserved)
		engine_panic("ls_pool_destroy: pool still in use", EBUSY);
	engine_unlock(&p->mu);
	ls_group_reap(p->group);
	pool_free(p);
}

/*
 * The pool's mutex spins briefly before it sleeps (glibc's adaptive type):
 * its critical sections are a few hundred instructions, taken by the
 * submitter and every worker for every task, so a waiter that went to
 * sleep in the kernel would pay two system calls to wait out a holder
 * that is about to leave.  The spin is bounded; past it the mutex blocks.
 */
static int
pool_mutex_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t attr;
	int err;

	err = pthread_mutexattr_init(&attr);
	if (err)
		return err;
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
	err = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
	if (!err)
		err = pthread_mutex_init(mu, &attr);
	pthread_mutexattr_destroy(&attr);
	return err;
}

int
ls_pool_create(struct ls_group *g, const struct ls_pool_config *cfg,
	       struct ls_pool **out)
{
	struct ls_pool *p;
	unsigned i, num;
	int err;

	if (!g || !cfg || !out || cfg->max_workers < 1 ||
	    cfg->max_workers > LS_POOL_MAX_WORKERS ||
	    cfg->min_workers > cfg->max_workers || cfg->capacity < 1 ||
	    cfg->capacity > LS_POOL_MAX_CAPACITY ||
	    cfg->aging_ns > LS_POOL_MAX_AGING)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->slots = calloc(cfg->capacity, sizeof(*p->slots));
	p->free_slots = calloc(cfg->capacity, sizeof(*p->free_slots));
	p->run = calloc(cfg->capacity, sizeof(*p->run));
	p->heap = cfg->fifo ? NULL : calloc(cfg->capacity, sizeof(*p->heap));
	if (!p->slots || !p->free_slots || !p->run ||
	    (!cfg->fifo && !p->heap)) {
		err = ENOMEM;
		goto fail;
	}
	err = pool_mutex_init(&p->mu);
	if (err)
		goto fail;
	err = -engine_cond_init(&p->exit_cv);
	if (err) {
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	p->group = g;
	p->capacity = cfg->capacity;
	p->slack = cfg->capacity / 8 ? cfg->capacity / 8 : 1;
	p->min = cfg->min_workers;
	p->max = cfg->max_workers;
	p->fifo = cfg->fifo;
	p->keep_alive_ns = cfg->keep_alive_ns ? cfg->keep_alive_ns
					      : LS_POOL_DEFAULT_KEEP_ALIVE;
	p->aging_ns = cfg->aging_ns;
	p->base_ns = ls_clock_ns();
	p->time_all = ls_group_ring(g) != NULL || p->aging_ns;
	snprintf(p->name, sizeof(p->name), "%s",
		 cfg->name ? cfg->name : "pool");
	p->obj = ls_ring_object_add(ls_group_ring(g), LS_OBJ_POOL, p->name);
	/* Slot 0 on top, so a quiet pool keeps reusing the same few. */
	for (i = 0; i < p->capacity; i++)
		p->free_slots[i] = p->capacity - 1 - i;
	p->nfree = p->capacity;

	for (i = 0; i < p->min; i++) {
		engine_lock(&p->mu);
		num = pool_reserve_worker_locked(p);
		engine_unlock(&p->mu);
		err = pool_start_worker(p, num);
		if (err) {
			ls_pool_destroy(p);
			return err;
		}
	}
	*out = p;
	return 0;
fail:
	free(p->slots);
	free(p->free_slots);
	free(p->run);
	free(p->heap);
	free(p);
	return -err;
}
