/*
 * waits.c - who waits for what: one rule for every kind's waits.
 *
 * A thread that emits a *_WAIT blocks on that object (model.c); whatever
 * it emits next ends the wait, whichever way it ended (model.h, model.c).
 * Each object lists its waiters in arrival order, the first
 * MODEL_MAX_WAITERS of them, and counts them all (nwaiting); when a
 * listed one leaves and more wait, the longest-waiting unlisted thread is
 * brought in, so the list is always the head of the real queue.
 *
 * A waiter can be handed what it waits for by another thread's event (a
 * post, a signal, a release, a set, an opening) before it runs and says
 * so: it stays a waiter, granted (model.h), and the grants go oldest
 * first, as the engine's queues do.
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
	t->wait_timed = false;
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

/* w is handed what it waits for, at ts: a change of its row. */
static void
waits_hand(struct model *m, struct model_thread *w, uint64_t ts)
{
	w->granted = true;
	w->changed = ts;
	m->changed = ts;
}

void
waits_grant(struct model *m, struct model_object *o, uint64_t n, uint64_t ts)
{
	struct model_thread *w, *best;
	unsigned i;

	/* The list is the head of the queue, oldest first. */
	for (i = 0; i < o->nwaiters && n; i++) {
		w = model_thread_find(m, o->waiters[i].tid);
		if (w && !w->granted) {
			waits_hand(m, w, ts);
			n--;
		}
	}
	/* Past the list (every listed one is granted now): the oldest of
	 * the rest, one at a time.  Only a long queue gets here. */
	while (n && o->nwaiting > o->nwaiters) {
		best = NULL;
		for (i = 0; i < MODEL_MAX_THREADS; i++) {
			w = &m->threads[i];
			if (w->used && w->waiting_for == o->id && !w->granted &&
			    (!best || w->wait_since < best->wait_since))
				best = w;
		}
		if (!best)
			break;
		waits_hand(m, best, ts);
		n--;
	}
}

void
waits_grant_tid(struct model *m, uint32_t id, unsigned tid, uint64_t ts)
{
	struct model_thread *w = model_thread_find(m, tid);

	if (w && w->waiting_for == id && !w->granted)
		waits_hand(m, w, ts);
}

unsigned
waits_pending(const struct model *m, const struct model_object *o)
{
	const struct model_thread *t;
	unsigned i, n = 0;

	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		t = &m->threads[i];
		n += t->used && t->waiting_for == o->id && !t->granted;
	}
	return n;
}
