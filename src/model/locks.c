/*
 * locks.c - the fold of mutex and rwlock events: owners, readers, what
 * each thread holds, and the waits that ended in an acquisition.
 *
 * The events are absolute facts, and the lost ones heal here: an ACQUIRED
 * by T2 while T1 is the recorded owner means T1's release was lost, so T2
 * owns the lock and T1 no longer holds it; a writer inside means every
 * listed reader's release was lost, and a reader inside the writer's.  A
 * late release by a thread that no longer owns the lock changes nothing.
 * Each such heal is counted (model_held_lost, model.h: healed).
 * Waits begin and end in model.c (one rule for every kind).
 */
#include "config.h"

#include "model/model-int.h"

#include <string.h>

/* Readers. */

static void
locks_reader_add(struct model_object *o, unsigned tid)
{
	unsigned i;

	for (i = 0; i < o->nreaders; i++)
		if (o->readers[i] == tid)
			return;
	if (o->nreaders < MODEL_MAX_READERS)
		o->readers[o->nreaders++] = tid;
}

static void
locks_reader_remove(struct model_object *o, unsigned tid)
{
	unsigned i;

	for (i = 0; i < o->nreaders; i++)
		if (o->readers[i] == tid) {
			memmove(&o->readers[i], &o->readers[i + 1],
				(o->nreaders - i - 1) * sizeof(o->readers[0]));
			o->nreaders--;
			return;
		}
}

/* Ownership: tid now owns o (a mutex or an rwlock's writer).  A
 * different recorded owner lost its release: it holds o no more. */
static void
locks_owner_take(struct model *m, struct model_object *o, unsigned tid,
		 uint64_t ts)
{
	if (o->owner && o->owner != tid)
		model_held_lost(m, o->owner, o->id, ts);
	if (o->owner != tid)
		o->owned_since = ts;
	o->owner = tid;
}

static void
locks_owner_release(struct model_object *o, unsigned tid)
{
	if (o->owner == tid) {
		o->owner = 0;
		o->owned_since = 0;
	}
}

/* A wait for o that ended in its acquisition: the engine's measure (ns,
 * 0 when it did not wait or the wait was shorter than its unit), or the
 * model's own from the *_WAIT it saw. */
static void
locks_waited(struct model *m, struct model_object *o, uint64_t ns,
	     bool waited, uint64_t since, uint64_t ts)
{
	if (!ns && waited)
		ns = ts - since;
	if (ns)
		metrics_wait(m, o, MODEL_WAIT_LOCK, ns);
}

void
locks_apply(struct model *m, struct model_thread *t, struct model_object *o,
	    const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_WR_ACQUIRED:
		t->state = LS_STATE_RUNNING;
		locks_waited(m, o, e->arg, waited, since, e->ts);
		if (o) {
			o->acquired++;
			/* A writer is alone: readers still listed lost their
			 * release. */
			while (e->kind == LS_EV_WR_ACQUIRED && o->nreaders) {
				model_held_lost(m, o->readers[0], o->id, e->ts);
				locks_reader_remove(o, o->readers[0]);
			}
			if (e->kind == LS_EV_WR_ACQUIRED)
				o->count = 0;
			locks_owner_take(m, o, t->tid, e->ts);
		}
		model_held_add(t, e->obj, true);
		break;
	case LS_EV_LOCK_RELEASED:
	case LS_EV_WR_RELEASED:
		model_held_remove(t, e->obj);
		if (o)
			locks_owner_release(o, t->tid);
		break;
	case LS_EV_RD_ACQUIRED:
		t->state = LS_STATE_RUNNING;
		model_held_add(t, e->obj, true);
		/* Its wait in us: a shorter one says 0. */
		locks_waited(m, o, (uint64_t)e->aux * 1000u, waited, since,
			     e->ts);
		if (!o)
			break;
		o->acquired++;
		/* Readers never share with a writer: its release was lost. */
		if (o->owner && o->owner != t->tid) {
			model_held_lost(m, o->owner, o->id, e->ts);
			locks_owner_release(o, o->owner);
		}
		locks_reader_add(o, t->tid);
		o->count = e->arg;
		break;
	case LS_EV_RD_RELEASED:
		model_held_remove(t, e->obj);
		if (o) {
			locks_reader_remove(o, t->tid);
			o->count = e->arg;
		}
		break;
	case LS_EV_LOCK_TIMEOUT:
	case LS_EV_RW_TIMEOUT:
		if (o)
			o->timeouts++;
		break;
	default:
		/* LOCK_BUSY's arg names the owner as trylock saw it, but
		 * that owner's release may already be folded in: it is no
		 * fact to heal by. */
		break;
	}
}
