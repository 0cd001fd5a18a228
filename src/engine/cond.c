/*
 * cond.c - the engine's instrumented condition variable.
 *
 * Built like every blocking primitive of the engine (engine-int.h): the
 * internal mutex mu guards the FIFO of waiters; a waiter queues itself on
 * its stack and parks; a signal grants the oldest waiter (woken after mu
 * is dropped), a broadcast every waiter.  A wait returns only when it was
 * granted, timed out or was cancelled: there are no spurious wake-ups to
 * make two runs of one schedule differ.
 *
 * The wait's one step is atomic with respect to signals: the waiter is
 * queued under mu before it lets the mutex go (mutex_unlock_all, which
 * takes the mutex's internal lock under mu: that is the lock order, see
 * mutex-int.h), and a signal needs mu, so a thread that takes the mutex
 * after the waiter let it go cannot signal before the waiter is queued.
 *
 * Event order: the wait emits the mutex's LOCK_RELEASED, then CV_WAIT,
 * both under mu, so a signal's CV_SIGNAL (under mu too) comes after both,
 * and the model's last word on the waiter is that it waits for c.  Once
 * granted, the waiter emits CV_WOKEN and takes the mutex back through
 * ls_mutex_lock, whose own gate, probe and events follow.
 */
#include "config.h"

#include "lockstep/cond.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/mutex.h"
#include "mutex-int.h"

struct ls_cond {
	pthread_mutex_t mu;	/* guards waiters; never held across a gate
				 * or a park */
	struct waitq waiters;	/* w->mode is the waiter's tid */
	uint32_t id;		/* object id in the ring, 0 for none */
};

int
ls_cond_create(struct ls_ring *ring, const char *name, struct ls_cond **out)
{
	struct ls_cond *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	err = pthread_mutex_init(&c->mu, NULL);
	if (err)
		goto fail;
	c->id = ls_ring_object_add(ring, LS_OBJ_COND, name);
	*out = c;
	return 0;
fail:
	free(c);
	return -err;
}

void
ls_cond_destroy(struct ls_cond *c)
{
	int err;

	if (!c)
		return;
	/* A queued waiter lives on a stack that would be left pointing at
	 * freed memory: a bug in the caller, caught here, not later. */
	engine_lock(&c->mu);
	if (c->waiters.head)
		engine_panic("ls_cond_destroy: threads still wait", EBUSY);
	engine_unlock(&c->mu);
	err = pthread_mutex_destroy(&c->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(c);
}

/* The gate probe of a wait by the mutex's holder: it always waits (a
 * signal sent before it is lost), for nobody in particular.  A wait
 * without the mutex fails at once, and passes its gate unprobed. */
static bool
cond_ready(const void *prim, unsigned kind, unsigned *holder)
{
	(void)prim;
	(void)kind;
	(void)holder;
	return false;
}

static const struct ls_gate_probe cond_probe = { .ready = cond_ready };

static int
cond_wait_op(struct ls_cond *c, struct ls_mutex *m, bool timed,
	     uint64_t timeout_ns, const char *desc)
{
	struct ls_thread *self = thread_current ? thread_current
						: ls_thread_self();
	struct ls_lane *lane = ls_trace_lane;
	struct waiter w;
	uint64_t deadline;
	unsigned depth;
	bool owned;
	int rc, lrc;

	/* Only the caller itself changes whether it holds m, so what it
	 * finds here still holds after the gate. */
	owned = mutex_owned_by(m, self);
	rc = ls_gate_probed(LS_EV_CV_WAIT, c->id, desc,
			    owned ? &cond_probe : NULL, c);
	if (rc) {
		/* -ECANCELED means m is let go, whenever it came (cond.h). */
		if (owned)
			(void)mutex_unlock_all(m);
		return rc;
	}
	if (!owned) {
		ls_emit(LS_EV_ERROR, c->id, LS_ERR_CV_NOT_OWNER,
			ls_mutex_owner(m));
		return -EPERM;
	}
	deadline = waitq_waiter_start(&w, c->id, timed, timeout_ns);
	w.mode = lane ? ls_lane_tid(lane) : ls_thread_tid(self);
	engine_lock(&c->mu);
	/* Queued before m is let go: see the top of the file. */
	waitq_push(&c->waiters, &w);
	depth = mutex_unlock_all(m);
	ls_emit(LS_EV_CV_WAIT, c->id, ls_mutex_id(m), c->waiters.len);
	rc = waitq_sleep_locked(&c->waiters, &w, &c->mu, deadline);
	waitq_emit_end(rc, c->id, LS_EV_CV_WOKEN, LS_EV_CV_TIMEOUT,
		       ls_clock_ns() - w.since_ns, c->waiters.len);
	engine_unlock(&c->mu);
	if (rc == -ECANCELED)
		return rc;
	/* Back through the mutex's own lock, gate and all.  It cannot say
	 * -EDEADLK (m is not ours now): 0, or -ECANCELED without m. */
	lrc = ls_mutex_lock(m);
	if (lrc)
		return lrc;
	mutex_restore_depth(m, depth);
	return rc;
}

int
ls_cond_wait(struct ls_cond *c, struct ls_mutex *m)
{
	return cond_wait_op(c, m, false, 0, "cond wait");
}

int
ls_cond_timedwait(struct ls_cond *c, struct ls_mutex *m, uint64_t timeout_ns)
{
	return cond_wait_op(c, m, true, timeout_ns, "cond timedwait");
}

int
ls_cond_signal(struct ls_cond *c)
{
	struct wake wk = { NULL };
	struct waiter *w;
	unsigned tid;

	/* A release: a cancelled thread must still wake its waiters, or
	 * those outside its group could wait for ever.  Ignore -ECANCELED. */
	(void)ls_gate(LS_EV_CV_SIGNAL, c->id, "signal");
	engine_lock(&c->mu);
	w = waitq_first_live(&c->waiters);
	if (w) {
		tid = w->mode;
		waitq_grant_deferred(&c->waiters, w, &wk);
		/* Before the waiter's CV_WOKEN: it emits that under mu,
		 * which it takes only after we drop it. */
		ls_emit(LS_EV_CV_SIGNAL, c->id, tid, c->waiters.len);
	} else {
		ls_emit(LS_EV_CV_LOST, c->id, LS_EV_CV_SIGNAL, 0);
	}
	engine_unlock(&c->mu);
	thread_wake(&wk);
	return 0;
}

int
ls_cond_broadcast(struct ls_cond *c)
{
	struct wake wk = { NULL };
	unsigned n;

	/* A release, as signal: ignore -ECANCELED. */
	(void)ls_gate(LS_EV_CV_BROADCAST, c->id, "broadcast");
	engine_lock(&c->mu);
	n = waitq_grant_all(&c->waiters, &wk);
	if (n)
		ls_emit(LS_EV_CV_BROADCAST, c->id, n, c->waiters.len);
	else
		ls_emit(LS_EV_CV_LOST, c->id, LS_EV_CV_BROADCAST, 0);
	engine_unlock(&c->mu);
	thread_wake(&wk);
	return 0;
}

unsigned
ls_cond_waiters(const struct ls_cond *c)
{
	struct ls_cond *mc = (struct ls_cond *)c;
	unsigned n;

	/* The queue is plain data under mu; a view is rare, so lock. */
	engine_lock(&mc->mu);
	n = mc->waiters.len;
	engine_unlock(&mc->mu);
	return n;
}

uint32_t
ls_cond_id(const struct ls_cond *c)
{
	return c->id;
}
