/*
 * waits.c - who waits for what: one rule for every kind's waits.
 *
 * A thread that emits a *_WAIT blocks on that object (model.c); whatever
 * it emits next ends the wait, whichever way it ended (model.h, model.c).
 * Each object lists its waiters in arrival order, the first
 * MODEL_MAX_WAITERS of them, and counts them all (nwaiting); when a
 * listed one leaves and more wait, the longest-waiting unlisted thread is
 * brought in, so the list is always the head of the real queue.
 */
#include "config.h"

#include "model/model-int.h"

#include <string.h>

static bool
waits_listed(const struct model_object *o, unsigned tid)
{
	unsigned i;

	for (i = 0; i < o->nwaiters; i++)
		if (o->waiters[i].tid == tid)
			return true;
	return false;
}

/* The list shows the first MODEL_MAX_WAITERS waiters; when one leaves
 * and more wait, bring in the longest-waiting unlisted one, so the list
 * is always the head of the real queue. */
static void
waits_refill(struct model *m, struct model_object *o)
{
	struct model_thread *best;
	unsigned i;

	while (o->nwaiters < MODEL_MAX_WAITERS && o->nwaiting > o->nwaiters) {
		best = NULL;
		for (i = 0; i < MODEL_MAX_THREADS; i++) {
			struct model_thread *t = &m->threads[i];

			if (t->used && t->waiting_for == o->id &&
			    (!best || t->wait_since < best->wait_since) &&
			    !waits_listed(o, t->tid))
				best = t;
		}
		if (!best) {
			/* The rest are threads without a slot. */
			o->nwaiting = o->nwaiters;
			return;
		}
		o->waiters[o->nwaiters++] = (struct model_waiter){
			.tid = best->tid,
			.kind = best->wait_kind,
			.since = best->wait_since,
		};
	}
}

void
waits_end(struct model *m, struct model_thread *t, uint64_t ts)
{
	struct model_object *o = model_object_find(m, t->waiting_for);
	unsigned i;

	t->waiting_for = 0;
	t->wait_kind = 0;
	t->granted = false;
	if (!o)
		return;
	o->changed = ts;
	for (i = 0; i < o->nwaiters; i++)
		if (o->waiters[i].tid == t->tid) {
			memmove(&o->waiters[i], &o->waiters[i + 1],
				(o->nwaiters - i - 1) * sizeof(o->waiters[0]));
			o->nwaiters--;
			break;
		}
	if (o->nwaiting)
		o->nwaiting--;
	waits_refill(m, o);
}

void
waits_begin(struct model_thread *t, struct model_object *o, uint32_t id,
	    unsigned kind, uint64_t ts)
{
	t->state = LS_STATE_BLOCKED;
	t->waiting_for = id;
	t->wait_kind = kind;
	t->wait_since = ts;
	if (!o)
		return;
	o->contended++;
	o->nwaiting++;
	if (o->nwaiters < MODEL_MAX_WAITERS)
		o->waiters[o->nwaiters++] = (struct model_waiter){
			.tid = t->tid,
			.kind = kind,
			.since = ts,
		};
}
