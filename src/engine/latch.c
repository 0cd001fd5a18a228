/*
 * latch.c - the engine's instrumented countdown latch.
 *
 * Built like every blocking primitive of the engine (engine-int.h): the
 * internal mutex mu guards the count and the FIFO of waiters; a waiter
 * that finds the count above zero queues itself on its stack and parks;
 * the count-down that reaches zero grants every waiter at once (the oldest
 * one woken after mu is dropped) and leaves the latch open for good.
 * Hence waiters are only ever queued while the count is above zero, and a
 * woken waiter never has to look again: the latch cannot close.
 *
 * Every event carries the count and is emitted with mu held, in the
 * critical section that read or changed it, so the counts the model sees
 * follow the real ones, and a waiter's LATCH_PASSED is stamped after the
 * LATCH_DOWN that opened the latch.  Gates are passed before taking mu.
 */
#include "config.h"

#include "lockstep/latch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

struct ls_latch {
	pthread_mutex_t mu;	/* guards count and waiters; never held
				 * across a gate or a park */
	unsigned count;
	/* Only while count > 0 does a waiter queue; once it is 0, the only
	 * ones left are cancelled ones on their way out. */
	struct waitq waiters;
	uint32_t id;		/* object id in the ring, 0 for none */
};

int
ls_latch_create(struct ls_ring *ring, const char *name, unsigned count,
		struct ls_latch **out)
{
	struct ls_latch *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	err = pthread_mutex_init(&l->mu, NULL);
	if (err)
		goto fail;
	l->count = count;
	l->id = ls_ring_object_add(ring, LS_OBJ_LATCH, name);
	*out = l;
	return 0;
fail:
	free(l);
	return -err;
}

void
ls_latch_destroy(struct ls_latch *l)
{
	int err;

	if (!l)
		return;
	/* A queued waiter lives on a stack that would be left pointing at
	 * freed memory: a bug in the caller, caught here, not later. */
	engine_lock(&l->mu);
	if (l->waiters.head)
		engine_panic("ls_latch_destroy: threads still wait", EBUSY);
	engine_unlock(&l->mu);
	err = pthread_mutex_destroy(&l->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(l);
}

/* The gate probe of a wait: an open latch lets it through; a closed one
 * waits for count-downs from nobody in particular. */
static bool
latch_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_latch *l = (struct ls_latch *)prim;
	bool ready;

	(void)kind;
	(void)holder;
	engine_lock(&l->mu);
	ready = l->count == 0;
	engine_unlock(&l->mu);
	return ready;
}

static const struct ls_gate_probe latch_probe = { .ready = latch_ready };

static int
latch_wait_op(struct ls_latch *l, bool timed, uint64_t timeout_ns,
	      const char *desc)
{
	struct waiter w;
	uint64_t deadline;
	int rc;

	rc = ls_gate_probed(LS_EV_LATCH_PASSED, l->id, desc, &latch_probe, l);
	if (rc)
		return rc;
	deadline = waitq_waiter_start(&w, l->id, timed, timeout_ns);
	engine_lock(&l->mu);
	if (!l->count) {
		ls_emit(LS_EV_LATCH_PASSED, l->id, 0, l->waiters.len);
		engine_unlock(&l->mu);
		return 0;
	}
	waitq_push(&l->waiters, &w);
	ls_emit(LS_EV_LATCH_WAIT, l->id, l->count, l->waiters.len);
	rc = waitq_sleep_locked(&l->waiters, &w, &l->mu, deadline);
	waitq_emit_end(rc, l->id, LS_EV_LATCH_PASSED, LS_EV_LATCH_TIMEOUT,
		       l->count, l->waiters.len);
	engine_unlock(&l->mu);
	return rc;
}

int
ls_latch_wait(struct ls_latch *l)
{
	return latch_wait_op(l, false, 0, "latch wait");
}

int
ls_latch_timedwait(struct ls_latch *l, uint64_t timeout_ns)
{
	return latch_wait_op(l, true, timeout_ns, "latch timedwait");
}

int
ls_latch_count_down(struct ls_latch *l, unsigned n)
{
	struct wake wk = { NULL };
	unsigned released = 0;
	int rc = 0;

	/* A release: a cancelled worker must still count down, or threads
	 * outside its group could wait for ever.  Ignore -ECANCELED. */
	(void)ls_gate(LS_EV_LATCH_DOWN, l->id, "count down");
	if (!n)
		return -EINVAL;
	engine_lock(&l->mu);
	if (n > l->count) {
		ls_emit(LS_EV_ERROR, l->id, LS_ERR_LATCH_UNDERFLOW, l->count);
		rc = -ERANGE;
	} else {
		l->count -= n;
		if (!l->count)
			released = waitq_grant_all(&l->waiters, &wk);
		/* Before the waiters' LATCH_PASSED: they emit it under mu,
		 * which they take only after we drop it. */
		ls_emit(LS_EV_LATCH_DOWN, l->id, l->count, released);
	}
	engine_unlock(&l->mu);
	thread_wake(&wk);
	return rc;
}

/* The snapshots below lock because the fields change under mu; the cast
 * drops const only to take that lock. */

unsigned
ls_latch_count(const struct ls_latch *l)
{
	struct ls_latch *ml = (struct ls_latch *)l;
	unsigned n;

	engine_lock(&ml->mu);
	n = ml->count;
	engine_unlock(&ml->mu);
	return n;
}

unsigned
ls_latch_waiters(const struct ls_latch *l)
{
	struct ls_latch *ml = (struct ls_latch *)l;
	unsigned n;

	engine_lock(&ml->mu);
	n = ml->waiters.len;
	engine_unlock(&ml->mu);
	return n;
}

uint32_t
ls_latch_id(const struct ls_latch *l)
{
	return l->id;
}
