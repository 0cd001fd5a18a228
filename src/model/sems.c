/*
 * sems.c - the fold of semaphore events: the count, and who holds the
 * permits, for the wait-for graph.
 *
 * A semaphore has no owner.  The model takes a permit as held by whoever
 * took it until that thread posts (one held entry per permit), which is
 * right for a semaphore used as a lock and wrong for one used as a
 * signal; the first sign of a signal (a post by a thread holding none, a
 * wait by a thread already holding one, more holders than the list keeps)
 * sets sem_signal for good, and then a wait on it waits for nobody in
 * particular (model.h, waitgraph.c).
 */
#include "config.h"

#include "model/model-int.h"

#include <string.h>

static struct model_holder *
sems_holder_find(struct model_object *o, unsigned tid)
{
	unsigned i;

	for (i = 0; i < o->nholders; i++)
		if (o->holders[i].tid == tid)
			return &o->holders[i];
	return NULL;
}

/* tid took a permit of o.  A holder the list cannot keep would leave a
 * waiter's "any one of them" wrong: the permits count as ownerless. */
static void
sems_holder_take(struct model_object *o, unsigned tid)
{
	struct model_holder *h = sems_holder_find(o, tid);

	if (h)
		h->permits++;
	else if (o->nholders < MODEL_MAX_HOLDERS)
		o->holders[o->nholders++] =
			(struct model_holder){ .tid = tid, .permits = 1 };
	else
		o->sem_signal = true;
}

/* tid posted o: one permit less, or, if it held none, o is a signal whose
 * permits anybody may give. */
static void
sems_holder_post(struct model_object *o, unsigned tid)
{
	struct model_holder *h = sems_holder_find(o, tid);
	unsigned i;

	if (!h) {
		o->sem_signal = true;
		return;
	}
	if (--h->permits)
		return;
	i = (unsigned)(h - o->holders);
	memmove(&o->holders[i], &o->holders[i + 1],
		(o->nholders - i - 1) * sizeof(o->holders[0]));
	o->nholders--;
}

/* A post that leaves the count at 0 found a waiter and handed it the
 * unit (sem.c): the oldest waiter not yet handed one waits for nobody
 * now, though it has not said so yet. */
static void
sems_grant(struct model *m, struct model_object *o)
{
	struct model_thread *w;
	unsigned i;

	for (i = 0; i < o->nwaiters; i++) {
		w = model_thread_find(m, o->waiters[i].tid);
		if (w && !w->granted) {
			w->granted = true;
			return;
		}
	}
}

void
sems_wait(struct model_object *o, unsigned tid)
{
	/* Waiting for more permits than it holds is counting, not
	 * locking: the permits are no thread's (model.h). */
	if (sems_holder_find(o, tid))
		o->sem_signal = true;
}

void
sems_apply(struct model *m, struct model_thread *t, struct model_object *o,
	   const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_SEM_ACQUIRED:
		t->state = LS_STATE_RUNNING;
		model_held_add(t, e->obj, false);
		if (waited)
			metrics_wait(m, o, MODEL_WAIT_LOCK, e->ts - since);
		if (o) {
			o->acquired++;
			sems_holder_take(o, t->tid);
		}
		break;
	case LS_EV_SEM_POST:
		model_held_remove(t, e->obj);
		if (o) {
			sems_holder_post(o, t->tid);
			if (e->arg == 0)
				sems_grant(m, o);
		}
		break;
	case LS_EV_SEM_TIMEOUT:
		if (o)
			o->timeouts++;
		break;
	}
	if (o)
		o->count = e->arg;
}
