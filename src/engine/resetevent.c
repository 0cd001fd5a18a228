/*
 * resetevent.c - the engine's instrumented manual- and auto-reset event.
 *
 * Built like every blocking primitive of the engine (engine-int.h): the
 * internal mutex mu guards the set flag and the FIFO of waiters; a waiter
 * that finds the event not set queues itself on its stack and parks.  A
 * set grants instead of waking to look: a manual one grants every waiter
 * and stays set, an auto one grants the oldest waiter and stays not set
 * (or, with nobody waiting, stays set for the next wait to consume).
 * Hence a waiter is queued only while the event is not set (cancelled
 * ones on their way out aside), a woken waiter never looks again, and an
 * auto-reset set can never release two threads.
 *
 * Every event carries the set flag after it and is emitted with mu held,
 * in the critical section that read or changed it: a waiter's RE_PASSED
 * is stamped after the RE_SET that released it, and the model sees the
 * flag change in the order it did.  Gates are passed before taking mu.
 */
#include "config.h"

#include "lockstep/resetevent.h"

#include <errno.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

struct ls_resetevent {
	pthread_mutex_t mu;	/* guards set and waiters; never held
				 * across a gate or a park */
	bool set;
	struct waitq waiters;
	enum ls_resetevent_mode mode;	/* set at creation */
	uint32_t id;		/* object id in the ring, 0 for none */
};

int
ls_resetevent_create(struct ls_ring *ring, const char *name,
		     enum ls_resetevent_mode mode, bool set,
		     struct ls_resetevent **out)
{
	struct ls_resetevent *e;
	int err;

	if (mode != LS_RESETEVENT_MANUAL && mode != LS_RESETEVENT_AUTO)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	err = pthread_mutex_init(&e->mu, NULL);
	if (err)
		goto fail;
	e->set = set;
	e->mode = mode;
	e->id = ls_ring_object_add(ring,
				   mode == LS_RESETEVENT_AUTO
					   ? LS_OBJ_EVENT_AUTO
					   : LS_OBJ_EVENT_MANUAL,
				   name);
	*out = e;
	return 0;
fail:
	free(e);
	return -err;
}

void
ls_resetevent_destroy(struct ls_resetevent *e)
{
	int err;

	if (!e)
		return;
	/* A queued waiter lives on a stack that would be left pointing at
	 * freed memory: a bug in the caller, caught here, not later. */
	engine_lock(&e->mu);
	if (e->waiters.head)
		engine_panic("ls_resetevent_destroy: threads still wait",
			     EBUSY);
	engine_unlock(&e->mu);
	err = pthread_mutex_destroy(&e->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(e);
}

/* The gate probe of a wait: a set event lets it through; else it waits
 * for a set from nobody in particular. */
static bool
resetevent_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_resetevent *e = (struct ls_resetevent *)prim;
	bool ready;

	(void)kind;
	(void)holder;
	engine_lock(&e->mu);
	ready = e->set;
	engine_unlock(&e->mu);
	return ready;
}

static const struct ls_gate_probe resetevent_probe = {
	.ready = resetevent_ready,
};

static int
resetevent_wait_op(struct ls_resetevent *e, bool timed, uint64_t timeout_ns,
		   const char *desc)
{
	struct waiter w;
	uint64_t deadline;
	int rc;

	rc = ls_gate_probed(LS_EV_RE_PASSED, e->id, desc, &resetevent_probe,
			    e);
	if (rc)
		return rc;
	deadline = waitq_waiter_start(&w, e->id, timed, timeout_ns);
	engine_lock(&e->mu);
	if (e->set) {
		/* Going through an auto-reset event resets it. */
		if (e->mode == LS_RESETEVENT_AUTO)
			e->set = false;
		ls_emit(LS_EV_RE_PASSED, e->id, e->set, e->waiters.len);
		engine_unlock(&e->mu);
		return 0;
	}
	waitq_push(&e->waiters, &w);
	ls_emit(LS_EV_RE_WAIT, e->id, 0, e->waiters.len);
	rc = waitq_sleep_locked(&e->waiters, &w, &e->mu, deadline);
	/* Granted by a set, which left the flag as it is now. */
	waitq_emit_end(rc, e->id, LS_EV_RE_PASSED, LS_EV_RE_TIMEOUT, e->set,
		       e->waiters.len);
	engine_unlock(&e->mu);
	return rc;
}

int
ls_resetevent_wait(struct ls_resetevent *e)
{
	return resetevent_wait_op(e, false, 0, "event wait");
}

int
ls_resetevent_timedwait(struct ls_resetevent *e, uint64_t timeout_ns)
{
	return resetevent_wait_op(e, true, timeout_ns, "event timedwait");
}

int
ls_resetevent_set(struct ls_resetevent *e)
{
	struct wake wk = { NULL };
	struct waiter *w;
	unsigned released = 0;

	/* A release: a cancelled thread must still let its waiters go, or
	 * those outside its group could wait for ever.  Ignore -ECANCELED. */
	(void)ls_gate(LS_EV_RE_SET, e->id, "event set");
	engine_lock(&e->mu);
	if (e->mode == LS_RESETEVENT_MANUAL) {
		e->set = true;
		released = waitq_grant_all(&e->waiters, &wk);
	} else if ((w = waitq_first_live(&e->waiters))) {
		/* Handed straight to the oldest waiter: the flag never
		 * shows set, so no later wait can take it instead. */
		waitq_grant_deferred(&e->waiters, w, &wk);
		released = 1;
	} else {
		e->set = true;
	}
	/* Before the waiters' RE_PASSED: they emit it under mu, which they
	 * take only after we drop it. */
	ls_emit(LS_EV_RE_SET, e->id, e->set, released);
	engine_unlock(&e->mu);
	thread_wake(&wk);
	return 0;
}

int
ls_resetevent_reset(struct ls_resetevent *e)
{
	bool before;
	int rc;

	rc = ls_gate(LS_EV_RE_RESET, e->id, "event reset");
	if (rc)
		return rc;
	engine_lock(&e->mu);
	before = e->set;
	e->set = false;
	ls_emit(LS_EV_RE_RESET, e->id, 0, before);
	engine_unlock(&e->mu);
	return 0;
}

/* The snapshots below lock because the fields change under mu; the cast
 * drops const only to take that lock. */

bool
ls_resetevent_is_set(const struct ls_resetevent *e)
{
	struct ls_resetevent *me = (struct ls_resetevent *)e;
	bool set;

	engine_lock(&me->mu);
	set = me->set;
	engine_unlock(&me->mu);
	return set;
}

unsigned
ls_resetevent_waiters(const struct ls_resetevent *e)
{
	struct ls_resetevent *me = (struct ls_resetevent *)e;
	unsigned n;

	engine_lock(&me->mu);
	n = me->waiters.len;
	engine_unlock(&me->mu);
	return n;
}

uint32_t
ls_resetevent_id(const struct ls_resetevent *e)
{
	return e->id;
}
