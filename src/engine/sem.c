/*
 * sem.c - the engine's instrumented counting semaphore.
 *
 * Built like every blocking primitive of the engine (engine-int.h): the
 * internal mutex mu guards the count and the FIFO of waiters; a waiter
 * that finds the count at zero queues itself on its stack and parks; a
 * post with waiters queued hands its unit to the oldest one instead of
 * raising the count.  Hence a count above zero means nobody waits, and
 * nobody can take a unit that a waiter was promised.
 *
 * Every event carries the count and is emitted with mu held, in the same
 * critical section that changed the count: a post's SEM_POST is therefore
 * stamped before any thread can take the unit it gave, and the model never
 * sees more holders than units.  Emit never blocks and takes no lock, so
 * it is safe under mu; gates, which may park, are passed before taking it.
 */
#include "config.h"

#include "lockstep/sem.h"

#include <errno.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

struct ls_sem {
	pthread_mutex_t mu;	/* guards count and waiters; never held
				 * across a gate or a park */
	unsigned count;
	struct waitq waiters;
	uint32_t id;		/* object id in the ring, 0 for none */
};

enum sem_how {
	SEM_BLOCK,
	SEM_TRY,
	SEM_TIMED,
};

int
ls_sem_create(struct ls_ring *ring, const char *name, unsigned initial,
	      struct ls_sem **out)
{
	struct ls_sem *s;
	int err;

	if (initial > LS_SEM_VALUE_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	err = pthread_mutex_init(&s->mu, NULL);
	if (err)
		goto fail;
	s->count = initial;
	s->id = ls_ring_object_add(ring, LS_OBJ_SEM, name);
	*out = s;
	return 0;
fail:
	free(s);
	return -err;
}

void
ls_sem_destroy(struct ls_sem *s)
{
	int err;

	if (!s)
		return;
	/* A queued waiter lives on a stack that would be left pointing at
	 * freed memory: a bug in the caller, caught here, not later. */
	engine_lock(&s->mu);
	if (s->waiters.head)
		engine_panic("ls_sem_destroy: threads still wait", EBUSY);
	engine_unlock(&s->mu);
	err = pthread_mutex_destroy(&s->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(s);
}

/* The gate probe of a blocking wait: a unit is there, or it waits for
 * a post from nobody in particular. */
static bool
sem_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_sem *s = (struct ls_sem *)prim;
	bool ready;

	(void)kind;
	(void)holder;
	engine_lock(&s->mu);
	ready = s->count > 0;
	engine_unlock(&s->mu);
	return ready;
}

static const struct ls_gate_probe sem_probe = { .ready = sem_ready };

static int
sem_take(struct ls_sem *s, enum sem_how how, uint64_t timeout_ns,
	 const char *desc)
{
	struct ls_thread *self;
	struct waiter w;
	uint64_t start = 0, deadline = 0;
	int rc;

	rc = ls_gate_probed(LS_EV_SEM_ACQUIRED, s->id, desc,
			    how == SEM_TRY ? NULL : &sem_probe, s);
	if (rc)
		return rc;
	self = thread_current ? thread_current : ls_thread_self();
	if (how == SEM_TIMED) {
		start = ls_clock_ns();
		deadline = timeout_ns > UINT64_MAX - start
				   ? UINT64_MAX
				   : start + timeout_ns;
	}

	engine_lock(&s->mu);
	if (s->count) {
		s->count--;
		ls_emit(LS_EV_SEM_ACQUIRED, s->id, s->count, 0);
		engine_unlock(&s->mu);
		return 0;
	}
	if (how == SEM_TRY) {
		/* No kind for a failed trywait: it is a wait of zero length
		 * that timed out (see the report on event kinds). */
		ls_emit(LS_EV_SEM_TIMEOUT, s->id, 0, 0);
		engine_unlock(&s->mu);
		return -EAGAIN;
	}

	w = (struct waiter){
		.t = self,
		.obj = s->id,
		.since_ns = start ? start : ls_clock_ns(),
	};
	ls_emit(LS_EV_SEM_WAIT, s->id, 0, 0);
	waitq_push(&s->waiters, &w);
	rc = waitq_sleep_locked(&s->waiters, &w, &s->mu, deadline);
	switch (rc) {
	case 0:
		/* The poster gave us its unit without counting it. */
		ls_emit(LS_EV_SEM_ACQUIRED, s->id, s->count, 0);
		break;
	case -ETIMEDOUT:
		ls_emit(LS_EV_SEM_TIMEOUT, s->id, s->count, 0);
		break;
	default:
		ls_emit(LS_EV_CANCELLED, s->id, 0, 0);
		break;
	}
	engine_unlock(&s->mu);
	return rc;
}

int
ls_sem_wait(struct ls_sem *s)
{
	return sem_take(s, SEM_BLOCK, 0, "sem wait");
}

int
ls_sem_trywait(struct ls_sem *s)
{
	return sem_take(s, SEM_TRY, 0, "sem trywait");
}

int
ls_sem_timedwait(struct ls_sem *s, uint64_t timeout_ns)
{
	return sem_take(s, SEM_TIMED, timeout_ns, "sem timedwait");
}

int
ls_sem_post(struct ls_sem *s)
{
	struct waiter *w;
	int rc = 0;

	/* A cancelled thread must still give back what it took, or the
	 * threads waiting for it could never unwind: ignore -ECANCELED. */
	(void)ls_gate(LS_EV_SEM_POST, s->id, "sem post");
	engine_lock(&s->mu);
	/* The cancel rule (engine-int.h): a waiter whose group is cancelled
	 * is passed over; it wakes with -ECANCELED and leaves the queue
	 * itself, and must see the cancel, not a unit. */
	w = waitq_first_live(&s->waiters);
	if (w) {
		/* Before the grant: the waiter's SEM_ACQUIRED comes after. */
		ls_emit(LS_EV_SEM_POST, s->id, s->count, 0);
		waitq_grant(&s->waiters, w);
	} else if (s->count < LS_SEM_VALUE_MAX) {
		s->count++;
		ls_emit(LS_EV_SEM_POST, s->id, s->count, 0);
	} else {
		rc = -EOVERFLOW;
	}
	engine_unlock(&s->mu);
	return rc;
}

unsigned
ls_sem_value(const struct ls_sem *s)
{
	struct ls_sem *ms = (struct ls_sem *)s;
	unsigned v;

	engine_lock(&ms->mu);
	v = ms->count;
	engine_unlock(&ms->mu);
	return v;
}

unsigned
ls_sem_waiters(const struct ls_sem *s)
{
	struct ls_sem *ms = (struct ls_sem *)s;
	unsigned n;

	engine_lock(&ms->mu);
	n = ms->waiters.len;
	engine_unlock(&ms->mu);
	return n;
}

uint32_t
ls_sem_id(const struct ls_sem *s)
{
	return s->id;
}
