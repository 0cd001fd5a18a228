/*
 * pool.c - the instrumented thread pool (pool.h): creating it, submits,
 * and letting waiting submitters in.
 *
 * The pool's files and what mu guards are in pool-int.h; the workers are
 * in pool-worker.c, stopping it in pool-stop.c, the intake in
 * pool-intake.c, ls_pool_map in pool-map.c, and the order of the
 * queued tasks in runq.c.  Every waiter parks on its own parker, so a
 * group cancel wakes the pool's workers and submitters without anyone
 * taking mu, and nothing polls: an idle worker sleeps in the kernel until
 * a submit grants it, its keep-alive deadline passes, or its group is
 * cancelled.
 *
 * A queued task sits in a slot; the run queue orders (key, id, slot)
 * entries, where key is the priority, or with aging a function of the
 * priority and the time the task was queued (runq_key), and the id, given
 * out in submission order, makes equal keys first in, first out.  In fifo
 * mode priorities are ignored: every key is 0.  With aging, submitters let
 * in together take the time they were let in as their tasks' queue time,
 * so that equal priorities keep the order of their ids.
 *
 * Submitters blocked on a full queue wait in the order their tasks would
 * run (priority, then arrival; arrival alone in fifo mode), so an urgent
 * task does not wait behind a flood of low-priority submitters.  They are
 * let in (room handed over) only once an eighth of the queue is free, so
 * a submitter that outruns the workers is woken once per batch, not once
 * per task; meanwhile a submit whose task comes before every waiter's
 * takes the free room at once, as it would be let in first anyway.
 * The clock, the dearest call of the fast path, is read only for tasks
 * whose times are used: all of them when events are on (TASK_START and
 * TASK_END carry the wait and run times) or aging is on (the key needs
 * the time), else one in TIME_EVERY, which is enough for percentiles.
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
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "pool-int.h"
#include "util/hist.h"

/* Without events, one task in TIME_EVERY per submitting thread is timed
 * for the percentiles (a power of two). */
#define TIME_EVERY 8

/* A submitter waiting for room, on its own stack. */
struct submit_wait {
	struct waiter w;	/* first: a struct waiter * converts back */
	int64_t key;		/* its task's admission key (pool_admit_key) */
	int rc;			/* with the grant: 0 (room) or refusal */
	/* With aging, when room was handed over: its task's queue time.
	 * Waiters let in together share it, so that equal priorities keep
	 * their ids' order whichever of them gets the lock back first. */
	uint64_t granted_ns;
};

/* Submits by this thread, for sampling which tasks are timed. */
static _Thread_local unsigned pool_submits;

static struct submit_wait *
submit_wait_of(struct waiter *w)
{
	return (struct submit_wait *)((char *)w -
				      offsetof(struct submit_wait, w));
}

uint64_t
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

/* The key t is admitted by when the queue is full: its run queue key,
 * so that waiting submitters go in in the order their tasks would run
 * (priority, aging included, and first come first served among equals),
 * or 0 in fifo mode, where arrival order is all. */
static int64_t
pool_admit_key(const struct ls_pool *p, int priority, uint64_t queued_ns)
{
	if (p->fifo)
		return 0;
	return runq_key(priority, p->aging_ns, queued_ns, p->base_ns);
}

/* The first waiting submitter whose group is not cancelled, or NULL: a
 * cancelled one gets no room (engine-int.h), so it comes before nobody. */
static struct submit_wait *
pool_first_submitter_locked(struct ls_pool *p)
{
	struct waiter *w = waitq_first_live(&p->submitq);

	return w ? submit_wait_of(w) : NULL;
}

/* Would a submit of a task of priority queued at queued_ns go straight
 * into the queue now: room that is not promised to woken submitters, and
 * no waiting submitter before it?  (Waiters are let in only once slack
 * slots are free, so room can stay free while they wait; it goes to a
 * submit that comes first by key.)  The key is only worked out when
 * somebody waits: the fast path of every submit comes through here. */
static inline bool
pool_room_for_locked(struct ls_pool *p, int priority, uint64_t queued_ns)
{
	const struct submit_wait *first;

	if (runq_len(&p->rq) + p->reserved >= p->rq_cap)
		return false;
	if (!p->submitq.len)
		return true;
	first = pool_first_submitter_locked(p);
	return !first || pool_admit_key(p, priority, queued_ns) < first->key;
}

/* Queue sw among the waiting submitters after every one whose key is not
 * larger, so the queue is in admission order.  The walk starts from the
 * tail: with equal keys, the common case, it ends at once. */
static void
pool_submitq_insert_locked(struct ls_pool *p, struct submit_wait *sw)
{
	struct waitq *q = &p->submitq;
	struct waiter *after = q->tail;

	while (after && submit_wait_of(after)->key > sw->key)
		after = after->prev;
	if (after == q->tail) {
		waitq_push(q, &sw->w);
		return;
	}
	/* Linked in by hand: the engine's wait queues only append, and
	 * waitq_remove takes a waiter from anywhere. */
	sw->w.prev = after;
	sw->w.next = after ? after->next : q->head;
	sw->w.next->prev = &sw->w;
	if (after)
		after->next = &sw->w;
	else
		q->head = &sw->w;
	q->len++;
}

/* Bookkeeping around the queue, all with mu held. */

void
pool_check_quiet_locked(struct ls_pool *p)
{
	if (p->quietq.len && !runq_len(&p->rq) && !p->busy && !p->reserved &&
	    !p->dropping && !pool_intake_pending(p))
		while (p->quietq.head)
			waitq_grant(&p->quietq, p->quietq.head);
}

void
pool_take_locked(struct ls_pool *p, struct pool_task *t)
{
	uint32_t slot = runq_pop(&p->rq);

	*t = p->slots[slot];
	p->free_slots[p->nfree++] = slot;
}

void
pool_queue_locked(struct ls_pool *p, const struct pool_task *t)
{
	uint32_t slot = p->free_slots[--p->nfree];

	p->slots[slot] = *t;
	/* fifo: one key for all, so tasks come out by id, the order they
	 * were submitted in, even when they are pushed out of it (waiters
	 * let in together, intake producers). */
	runq_push(&p->rq,
		  p->fifo ? 0
			  : runq_key(t->priority, p->aging_ns, t->queued_ns,
				     p->base_ns),
		  t->id, slot);
	p->submitted++;
	if (t->batch)
		pool_map_hold_locked(t->batch);
}

/* The wake-up is left in wk for after mu, so that the worker does not
 * wake into the lock its waker holds, nor wait for it through a system
 * call. */
void
pool_wake_idle_locked(struct ls_pool *p, struct wake *wk)
{
	if (p->idleq.len && runq_len(&p->rq) > p->waking) {
		/* The newest idle worker: the one most likely still warm.
		 * Workers share the pool's group: if it is cancelled, every
		 * one of them wakes to drop the queue. */
		struct waiter *w = p->idleq.tail;

		if (!thread_cancelled(w->t)) {
			p->waking++;
			waitq_grant_deferred(&p->idleq, w, wk);
			pool_idle_changed_locked(p);
		}
	}
}

void
pool_wake_all_idle_locked(struct ls_pool *p)
{
	while (p->idleq.head) {
		p->waking++;
		waitq_grant(&p->idleq, p->idleq.head);
	}
	pool_idle_changed_locked(p);
}

/* Queue t (id and queued_ns set; room checked), say so, and wake an idle
 * worker for it. */
static void
pool_enqueue_locked(struct ls_pool *p, struct pool_task *t,
		    struct wake *wk)
{
	uint64_t tk;

	/* The SUBMIT's stamp is when the task was queued: no clock read
	 * of its own unless the submitter is untraced. */
	tk = ls_emit_stamp(LS_EV_TASK_SUBMIT, p->obj, t->id,
			   (uint32_t)t->priority);
	if (t->timed)
		t->queued_tk = tk ? tk : ls_clock_ticks();
	pool_queue_locked(p, t);
	pool_emit_depth_locked(p);
	pool_wake_idle_locked(p, wk);
}

void
pool_admit_locked(struct ls_pool *p)
{
	struct waiter *w, *next;
	unsigned room;
	uint64_t now;

	if (!p->submitq.len)
		return;
	/* The intake's tasks were queued before any waiter is let in: room
	 * is handed out only once they are all in the run queue. */
	if (!pool_intake_empty_locked(p))
		return;
	room = p->rq_cap - runq_len(&p->rq) - p->reserved;
	if (room < p->slack)
		return;
	now = p->aging_ns ? ls_clock_ns() : 0;
	for (w = p->submitq.head; w && room; w = next) {
		struct submit_wait *sw = submit_wait_of(w);

		next = w->next;	/* granting unlinks w */
		/* No room for a submitter whose group is cancelled
		 * (engine-int.h): it leaves with -ECANCELED, its task
		 * unqueued, and the room goes to the next. */
		if (thread_cancelled(w->t))
			continue;
		sw->rc = 0;
		sw->granted_ns = now;
		p->reserved++;
		room--;
		waitq_grant(&p->submitq, w);
	}
}

/* Refuse every waiting submitter with rc. */
void
pool_refuse_locked(struct ls_pool *p, int rc)
{
	while (p->submitq.head) {
		struct submit_wait *sw = submit_wait_of(p->submitq.head);

		sw->rc = rc;
		waitq_grant(&p->submitq, &sw->w);
	}
}

/* Submitting. */

int
pool_refusal_locked(const struct ls_pool *p)
{
	if (p->state != POOL_RUNNING)
		return p->cancelled ? -ECANCELED : -ESHUTDOWN;
	if (ls_group_cancelled(p->group))
		return -ECANCELED;
	return 0;
}

/* Wait for room for t, then queue it.  Returns 0 or why not. */
static int
pool_wait_room_relock(struct ls_pool *p, struct pool_task *t,
		      uint64_t deadline, struct wake *wk)
{
	struct submit_wait sw = {
		.w = { .t = ls_thread_self(), .obj = p->obj,
		       .since_ns = t->queued_ns },
		.key = pool_admit_key(p, t->priority, t->queued_ns),
	};
	int rc;

	ls_emit(LS_EV_Q_PUSH_WAIT, p->obj, pool_depth_locked(p), p->capacity);
	pool_submitq_insert_locked(p, &sw);
	pool_intake_update_locked(p);
	rc = waitq_sleep_locked(&p->submitq, &sw.w, &p->mu, deadline);
	pool_intake_update_locked(p);
	if (!rc)
		rc = sw.rc;
	if (!rc) {
		/* The room handed over is ours, unless the pool stopped
		 * while we were waking (a draining pool's workers may be
		 * gone). */
		p->reserved--;
		rc = pool_refusal_locked(p);
		if (!rc) {
			if (p->aging_ns)
				t->queued_ns = sw.granted_ns;
			pool_enqueue_locked(p, t, wk);
			return 0;
		}
		/* The room given back may be what the intake's next task
		 * waited for: with the pool stopping, nobody else moves it
		 * (a shutdown would wait for it for ever). */
		pool_admit_locked(p);
		pool_stopping_moved_relock(p);
		pool_check_gone_locked(p);
		pool_check_quiet_locked(p);
	}
	if (rc == -ECANCELED) {
		ls_emit(LS_EV_CANCELLED, p->obj, 0, 0);
	} else {
		p->rejected++;
		ls_emit(LS_EV_TASK_REJECT, p->obj, t->id, runq_len(&p->rq));
	}
	return rc;
}

/* What the probe of a blocking submit's gate looks at, on the
 * submitter's stack while it is parked there. */
struct pool_submit_probe {
	struct ls_pool *p;
	const struct pool_task *t;
};

/*
 * The gate probe of a blocking submit: will it go through without waiting?
 * It does when the pool refuses it at once, or when the queue has room
 * for it that no waiting submitter comes first for (as pool_submit
 * decides).  Else it waits for room, which a worker makes by taking a
 * task: nobody in particular, so no holder.  A submit that cannot wait
 * (ls_pool_submit) has no probe: it never blocks.
 */
static bool
pool_submit_ready(const void *prim, unsigned kind, unsigned *holder)
{
	const struct pool_submit_probe *sp = prim;
	struct ls_pool *p = sp->p;
	bool ready;

	(void)kind;
	(void)holder;
	engine_lock(&p->mu);
	/* Aging counts from now: the submit has not read the clock yet. */
	ready = pool_refusal_locked(p) ||
		pool_room_for_locked(p, sp->t->priority, ls_clock_ns());
	engine_unlock(&p->mu);
	return ready;
}

static const struct ls_gate_probe pool_submit_probe_ops = {
	.ready = pool_submit_ready,
};

int
pool_submit(struct ls_pool *p, struct pool_task *t, bool wait,
	    uint64_t deadline, uint64_t *id)
{
	struct pool_submit_probe probe = { .p = p, .t = t };
	struct wake wk = { NULL };
	unsigned num = 0;
	int rc;

	if (ls_gate_probed(LS_EV_TASK_SUBMIT, p->obj, "submit task",
			   wait ? &pool_submit_probe_ops : NULL, &probe))
		return -ECANCELED;
	/* The clock is the dearest part of a submit and of a take: read it
	 * only for the tasks whose times are used (the ticks when the task
	 * is queued, from its SUBMIT where that is emitted), and
	 * CLOCK_MONOTONIC only for the aging key. */
	t->timed = p->time_all || !(++pool_submits & (TIME_EVERY - 1));
	t->queued_ns = p->aging_ns ? ls_clock_ns() : 0;
	t->queued_tk = 0;
	if (pool_intake_submit(p, t, id, &rc))
		return rc;
	engine_lock(&p->mu);
	rc = pool_refusal_locked(p);
	if (!rc && !p->workers) {
		/* No worker at all (min 0, all retired): start one before
		 * queueing, so a task is never queued where none can run. */
		num = pool_worker_reserve_locked(p);
		engine_unlock(&p->mu);
		rc = pool_worker_start(p, num);
		if (rc)
			return rc;
		num = 0;
		engine_lock(&p->mu);
		rc = pool_refusal_locked(p);
	}
	/* Tasks that went in by the intake before this one go first, every
	 * one of them, or this one could pass them into the run queue. */
	if (!rc)
		rc = pool_intake_flush_relock(p, deadline);
	if (!rc)
		rc = pool_refusal_locked(p);
	t->id = pool_next_id(p);
	if (id)
		*id = t->id;
	if (rc) {
		if (rc != -ECANCELED) {
			p->rejected++;
			ls_emit(LS_EV_TASK_REJECT, p->obj, t->id,
				runq_len(&p->rq));
		}
		goto out;
	}
	if (pool_room_for_locked(p, t->priority, t->queued_ns)) {
		pool_enqueue_locked(p, t, &wk);
	} else if (pool_intake_put_locked(p, t)) {
		/* The run queue is full, the intake is not: the task is
		 * queued there, behind those drained above. */
	} else if (!wait) {
		p->rejected++;
		ls_emit(LS_EV_TASK_REJECT, p->obj, t->id, runq_len(&p->rq));
		rc = -EAGAIN;
		goto out;
	} else {
		rc = pool_wait_room_relock(p, t, deadline, &wk);
		if (rc)
			goto out;
	}
	if (pool_worker_wanted_locked(p))
		num = pool_worker_reserve_locked(p);
out:
	engine_unlock(&p->mu);
	thread_wake(&wk);
	/* A failed scale-up is not the submit's failure: the task is
	 * queued and a worker exists to run it. */
	if (num)
		pool_worker_start(p, num);
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

/* Waiting and looking. */

int
ls_pool_wait_idle(struct ls_pool *p, uint64_t timeout_ns)
{
	uint64_t deadline = pool_deadline(timeout_ns);
	struct waiter w = { .obj = 0 };
	int rc = 0;

	if (pool_waiter_of_caller(p, &w))
		return -EDEADLK;
	engine_lock(&p->mu);
	while (runq_len(&p->rq) || p->busy || p->reserved || p->dropping ||
	       pool_intake_pending(p)) {
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
	s->depth = pool_depth_locked(p);
	s->capacity = p->capacity;
	s->workers = p->workers;
	s->busy = p->busy;
	s->idle = p->idleq.len;
	s->waiting = p->submitq.len + p->flushq.len;
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
	if (!p->slots || !p->free_slots) {
		err = -ENOMEM;
		goto fail;
	}
	err = runq_init(&p->rq, cfg->capacity);
	if (!err)
		err = pool_intake_create(p, cfg);
	if (err)
		goto fail;
	err = -pool_mutex_init(&p->mu);
	if (err)
		goto fail;
	err = engine_cond_init(&p->exit_cv);
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
	p->take_many = cfg->take_many;
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
		num = pool_worker_reserve_locked(p);
		engine_unlock(&p->mu);
		err = pool_worker_start(p, num);
		if (err) {
			ls_pool_destroy(p);
			return err;
		}
	}
	/* Open once every worker is started: min == max where there is an
	 * intake, so none is ever started by a submit. */
	engine_lock(&p->mu);
	pool_intake_update_locked(p);
	engine_unlock(&p->mu);
	*out = p;
	return 0;
fail:
	runq_fini(&p->rq);
	pool_intake_free(p);
	free(p->slots);
	free(p->free_slots);
	free(p);
	return err;
}
