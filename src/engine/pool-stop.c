/*
 * pool-stop.c - stopping the pool (pool.h): refusing submits, dropping
 * what is queued and telling the owners, and the waits of ls_pool_shutdown
 * and ls_pool_destroy until the pool is gone.
 *
 * A pool moves RUNNING -> DRAINING -> STOPPED, never back (pool-int.h).
 * A stop closes the intake and empties it; a submit that still published
 * there settles under mu (pool-intake.c), and what a stopped pool's drain
 * moves into the run queue is dropped by the thread that drained it
 * (pool_stopping_moved_relock), counted in settling while it tells the
 * owners without mu.  Shutdown and destroy return once no worker is left,
 * nothing is pending in the intake and no drop is being told, except the
 * caller's own: a callback of a task its thread dropped may shut the pool
 * down (the thread's drops are a stack of frames, one per pool it is
 * dropping in, so callbacks may nest across pools).
 */
#include "config.h"

#include "lockstep/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/thread.h"
#include "pool-int.h"

_Thread_local const struct pool_settle_frame *pool_settling_here;

unsigned
pool_settling_mine(const struct ls_pool *p)
{
	const struct pool_settle_frame *f;
	unsigned n = 0;

	for (f = pool_settling_here; f; f = f->up)
		n += f->p == p;
	return n;
}

/* No worker left, and no submit may still settle in the intake
 * (pool-intake.c): all that may remain is threads telling the owners of
 * tasks they dropped, mu dropped meanwhile. */
static bool
pool_only_drops_left_locked(const struct ls_pool *p)
{
	return !p->workers && !pool_intake_pending(p);
}

/* May shutdown and destroy return?  Not before those drops were told. */
static bool
pool_gone_locked(const struct ls_pool *p)
{
	/* Not counting drops this thread is making: a callback of a task it
	 * dropped is what asks (pool_stopping_moved_relock). */
	return pool_only_drops_left_locked(p) &&
	       p->settling == pool_settling_mine(p);
}

void
pool_check_gone_locked(struct ls_pool *p)
{
	int err;

	/* Whether the waiters may go depends on who they are (a shutdown
	 * in a drop's callback does not wait for that drop): they look
	 * again, each for itself. */
	if (!pool_only_drops_left_locked(p))
		return;
	while (p->exitq.head)
		waitq_grant(&p->exitq, p->exitq.head);
	err = pthread_cond_broadcast(&p->exit_cv);
	if (err)
		engine_panic("pthread_cond_broadcast", err);
	pool_check_quiet_locked(p);
}

/* Move to state (never back): refuse waiting submitters with rc and wake
 * every idle worker so it sees the new state. */
static void
pool_stop_locked(struct ls_pool *p, enum pool_state state, int rc)
{
	if (state <= p->state)
		return;
	p->state = state;
	/* Closed, then emptied: a submit that still published into it
	 * settles under mu (pool-intake.c). */
	pool_intake_update_locked(p);
	pool_intake_drain_locked(p);
	pool_refuse_locked(p, rc);
	pool_wake_all_idle_locked(p);
}

void
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

struct map_batch *
pool_drop_locked(struct ls_pool *p, const struct pool_task *t)
{
	p->dropped++;
	ls_emit(LS_EV_TASK_DROP, p->obj, t->id, 0);
	pool_check_quiet_locked(p);
	return t->batch ? pool_map_done_locked(p, t->batch, t->index,
					       -ECANCELED)
			: NULL;
}

void
pool_tell_dropped(const struct pool_task *t)
{
	if (!t->batch && t->on_error)
		t->on_error(t->arg, -ECANCELED);
}

/* Drop t, taken out of the queue or a worker's take, and tell its owner
 * without mu.  Neither queued nor busy meanwhile: counted in dropping
 * until told, so that the pool is not quiet before the callback ran. */
static void
pool_drop_taken_relock(struct ls_pool *p, const struct pool_task *t)
{
	struct map_batch *gone;

	p->dropping++;
	gone = pool_drop_locked(p, t);
	if (gone || (!t->batch && t->on_error)) {
		engine_unlock(&p->mu);
		pool_tell_dropped(t);
		pool_map_put(gone);
		engine_lock(&p->mu);
	}
	p->dropping--;
	pool_check_quiet_locked(p);
}

void
pool_drop_all_relock(struct ls_pool *p)
{
	struct pool_task t;
	bool any;

	pool_intake_drain_locked(p);
	any = runq_len(&p->rq) > 0;
	/* The intake empties into the room the drops make. */
	while (runq_len(&p->rq)) {
		pool_take_locked(p, &t);
		pool_drop_taken_relock(p, &t);
		pool_intake_drain_locked(p);
	}
	if (any)
		ls_emit(LS_EV_POOL_DEPTH, p->obj, pool_depth_locked(p),
			p->capacity);
	/* Tasks workers took several at a time and have not begun are as
	 * good as queued: dropped too.  The list is walked afresh after
	 * every unlock, since a worker may finish its take meanwhile. */
	while (pool_take_claim_any_locked(p, &t)) {
		p->busy--;
		pool_drop_taken_relock(p, &t);
	}
}

void
pool_stopping_moved_relock(struct ls_pool *p)
{
	if (p->state == POOL_DRAINING) {
		pool_wake_all_idle_locked(p);
	} else if (p->state == POOL_STOPPED) {
		/* Counted, so that a shutdown does not return before the
		 * owners of what is dropped here were told; and marked, so
		 * that one called from such a callback does not wait for
		 * its own caller. */
		struct pool_settle_frame f = { .p = p,
					       .up = pool_settling_here };

		p->settling++;
		pool_settling_here = &f;
		pool_drop_all_relock(p);
		pool_settling_here = f.up;
		p->settling--;
	}
}

/* Stopping and waiting for the pool to be gone. */

int
ls_pool_shutdown(struct ls_pool *p, enum ls_pool_stop how, uint64_t *dropped)
{
	struct waiter w = { .obj = 0 };
	int rc = 0;

	if (pool_waiter_of_caller(p, &w))
		return -EDEADLK;
	engine_lock(&p->mu);
	pool_shut_locked(p, how == LS_POOL_NOW ? POOL_STOPPED : POOL_DRAINING);
	if (p->state == POOL_STOPPED)
		pool_drop_all_relock(p);
	/* A submit that reserved a place in the intake before it closed
	 * still settles there (pool-intake.c): its task, or one published
	 * behind it, is not told it was dropped until it does. */
	while (!pool_gone_locked(p)) {
		w.granted = false;
		w.since_ns = ls_clock_ns();
		pool_intake_exit_wait_locked();
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

static void
pool_free(struct ls_pool *p)
{
	pthread_cond_destroy(&p->exit_cv);
	pthread_mutex_destroy(&p->mu);
	runq_fini(&p->rq);
	pool_intake_free(p);
	free(p->slots);
	free(p->free_slots);
	free(p);
}

void
ls_pool_destroy(struct ls_pool *p)
{
	int err;

	if (!p)
		return;
	if (pool_worker_current == p)
		engine_panic("ls_pool_destroy from its own worker", EDEADLK);
	if (pool_settling_mine(p))
		engine_panic("ls_pool_destroy from a callback of its submit",
			     EDEADLK);
	engine_lock(&p->mu);
	pool_shut_locked(p, POOL_STOPPED);
	pool_drop_all_relock(p);
	/* A plain condvar, not the parker: destroy must wait for the
	 * workers even when the caller's own group is cancelled. */
	while (!pool_gone_locked(p)) {
		err = pthread_cond_wait(&p->exit_cv, &p->mu);
		if (err)
			engine_panic("pthread_cond_wait", err);
	}
	if (p->submitq.len || p->mapq.len || p->quietq.len || p->exitq.len ||
	    p->flushq.len || p->reserved)
		engine_panic("ls_pool_destroy: pool still in use", EBUSY);
	engine_unlock(&p->mu);
	ls_group_reap(p->group);
	/* The pool is gone: a watcher stops showing it (a scene that makes
	 * a pool per round, as sizing does, would otherwise leave its last
	 * one on screen with no workers). */
	ls_emit(LS_EV_Q_CLOSED, p->obj, 0, p->capacity);
	pool_free(p);
}
