/*
 * barrier.c - the engine's instrumented, reusable barrier.
 *
 * Built like every blocking primitive of the engine (engine-int.h): the
 * internal mutex mu guards the FIFO of threads that have arrived in the
 * current generation and the generation count.  An arrival that is not the
 * last queues itself on its stack and parks; the last one starts the next
 * generation and grants every waiter in the same critical section (the
 * oldest one woken after mu is dropped).  Granted waiters are off the
 * queue at once, so the queue only ever holds the current generation: a
 * thread that comes round again before the others have woken queues
 * behind nobody of the old round, and cannot be released by it.
 *
 * A waiter whose group is cancelled is not counted as arrived, even while
 * it is still on the queue on its way out: it will not go on, so it must
 * not fill a round that others then pass thinking everyone is there.
 *
 * Events are emitted with mu held, in the critical section that changed
 * the barrier: a waiter's BAR_PASSED is stamped after the BAR_RELEASE of
 * its generation.  The gate is passed before taking mu.
 */
#include "config.h"

#include "lockstep/barrier.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

struct ls_barrier {
	pthread_mutex_t mu;	/* guards waiters and generation; never
				 * held across a gate or a park */
	struct waitq waiters;	/* arrived in this generation */
	uint64_t generation;	/* generations released so far */
	unsigned parties;	/* set at creation */
	uint32_t id;		/* object id in the ring, 0 for none */
};

int
ls_barrier_create(struct ls_ring *ring, const char *name, unsigned parties,
		  struct ls_barrier **out)
{
	struct ls_barrier *b;
	int err;

	if (!parties)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	err = pthread_mutex_init(&b->mu, NULL);
	if (err)
		goto fail;
	b->parties = parties;
	b->id = ls_ring_object_add(ring, LS_OBJ_BARRIER, name);
	*out = b;
	return 0;
fail:
	free(b);
	return -err;
}

void
ls_barrier_destroy(struct ls_barrier *b)
{
	int err;

	if (!b)
		return;
	/* A queued waiter lives on a stack that would be left pointing at
	 * freed memory: a bug in the caller, caught here, not later. */
	engine_lock(&b->mu);
	if (b->waiters.head)
		engine_panic("ls_barrier_destroy: threads still wait", EBUSY);
	engine_unlock(&b->mu);
	err = pthread_mutex_destroy(&b->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(b);
}

/* Threads of this generation that will go on when it opens: the queued
 * ones whose group is not cancelled.  mu held. */
static unsigned
barrier_arrived_locked(const struct ls_barrier *b)
{
	const struct waiter *w;
	unsigned n = 0;

	for (w = b->waiters.head; w; w = w->next)
		n += !thread_cancelled(w->t);
	return n;
}

/* The gate probe of a wait: the arrival that completes the round goes
 * through; any other waits for the rest, nobody in particular. */
static bool
barrier_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_barrier *b = (struct ls_barrier *)prim;
	bool ready;

	(void)kind;
	(void)holder;
	engine_lock(&b->mu);
	ready = barrier_arrived_locked(b) + 1 >= b->parties;
	engine_unlock(&b->mu);
	return ready;
}

static const struct ls_gate_probe barrier_probe = { .ready = barrier_ready };

int
ls_barrier_wait(struct ls_barrier *b)
{
	struct wake wk = { NULL };
	struct waiter w;
	uint64_t generation;
	unsigned arrived;
	int rc;

	rc = ls_gate_probed(LS_EV_BAR_PASSED, b->id, "barrier wait",
			    &barrier_probe, b);
	if (rc)
		return rc;
	(void)waitq_waiter_start(&w, b->id, false, 0);
	engine_lock(&b->mu);
	arrived = barrier_arrived_locked(b) + 1;
	if (arrived >= b->parties) {
		/* The last arrival: the round opens, for everyone queued,
		 * and this thread is its serial one. */
		b->generation++;
		ls_emit(LS_EV_BAR_RELEASE, b->id, b->generation, b->parties);
		waitq_grant_all(&b->waiters, &wk);
		engine_unlock(&b->mu);
		thread_wake(&wk);
		return LS_BARRIER_SERIAL;
	}
	/* Only the round we are in can release us (see the top). */
	generation = b->generation + 1;
	waitq_push(&b->waiters, &w);
	ls_emit(LS_EV_BAR_WAIT, b->id, arrived, b->parties);
	rc = waitq_sleep_locked(&b->waiters, &w, &b->mu, 0);
	waitq_emit_end(rc, b->id, LS_EV_BAR_PASSED, LS_EV_NONE, generation,
		       (uint32_t)((ls_clock_ns() - w.since_ns) / 1000u));
	engine_unlock(&b->mu);
	return rc;
}

unsigned
ls_barrier_parties(const struct ls_barrier *b)
{
	return b->parties;
}

/* The snapshots below lock because the fields change under mu; the cast
 * drops const only to take that lock. */

unsigned
ls_barrier_waiters(const struct ls_barrier *b)
{
	struct ls_barrier *mb = (struct ls_barrier *)b;
	unsigned n;

	engine_lock(&mb->mu);
	n = mb->waiters.len;
	engine_unlock(&mb->mu);
	return n;
}

uint64_t
ls_barrier_generation(const struct ls_barrier *b)
{
	struct ls_barrier *mb = (struct ls_barrier *)b;
	uint64_t g;

	engine_lock(&mb->mu);
	g = mb->generation;
	engine_unlock(&mb->mu);
	return g;
}

uint32_t
ls_barrier_id(const struct ls_barrier *b)
{
	return b->id;
}
