/*
 * changes.c - real changes (model.h: changed): the ts of the last change
 * of what a thread's or an object's row shows, so the ui emphasises what
 * changed since its last frame and nothing else.
 *
 * What a row shows is taken before each event for the event's thread and
 * object and compared after it; a worker's pool changes with its idle,
 * busy or paused count.  The few changes an event makes elsewhere (a
 * waiter leaving another object's queue, a lost release healed on
 * another thread, a variable written with the value it had) are stamped
 * where they are made.
 */
#include "config.h"

#include "model/model-int.h"

/* An event adds or drops at most one entry of a thread's held list (or
 * none, when the list is full), so its length and its last entry tell a
 * change without a copy of the list. */
static uint32_t
changes_last_held(const struct model_thread *t)
{
	return t->nheld ? t->held[t->nheld - 1] : 0;
}

static void
changes_thread_look(const struct model_thread *t, struct changes_thread *l)
{
	l->state = t->state;
	l->nheld = t->nheld;
	l->last_held = changes_last_held(t);
	l->waiting_for = t->waiting_for;
	l->task = t->task;
}

static bool
changes_thread_same(const struct model_thread *t,
		    const struct changes_thread *l)
{
	return l->state == t->state && l->nheld == t->nheld &&
	       l->last_held == changes_last_held(t) &&
	       l->waiting_for == t->waiting_for && l->task == t->task;
}

static void
changes_object_look(const struct model_object *o, struct changes_object *l)
{
	l->owner = o->owner;
	l->nreaders = o->nreaders;
	l->nwaiting = o->nwaiting;
	l->nholders = o->nholders;
	l->workers = o->workers;
	l->idle = o->idle;
	l->count = o->count;
	l->capacity = o->capacity;
	l->closed = o->closed;
}

static bool
changes_object_same(const struct model_object *o,
		    const struct changes_object *l)
{
	return l->owner == o->owner && l->nreaders == o->nreaders &&
	       l->nwaiting == o->nwaiting && l->nholders == o->nholders &&
	       l->workers == o->workers && l->idle == o->idle &&
	       l->count == o->count && l->capacity == o->capacity &&
	       l->closed == o->closed;
}

/* How a pool counts a worker in state (model_pool_workers). */
static unsigned
changes_worker_class(unsigned state)
{
	switch (state) {
	case LS_STATE_IDLE:
	case LS_STATE_PARKED:
	case LS_STATE_DONE:
		return state;
	default:
		return LS_STATE_RUNNING;	/* busy */
	}
}

void
changes_before(const struct model_thread *t, const struct model_object *o,
	       struct changes_before *was)
{
	changes_thread_look(t, &was->t);
	if (o)
		changes_object_look(o, &was->o);
	else
		was->o = (struct changes_object){ 0 };
	was->pool = t->pool;
}

void
changes_stamp(struct model *m, struct model_thread *t, struct model_object *o,
	      const struct changes_before *was, uint64_t ts)
{
	struct model_object *p;

	if (t->events == 1 || !changes_thread_same(t, &was->t))
		t->changed = ts;
	if (o && !changes_object_same(o, &was->o))
		o->changed = ts;
	/* A worker that joins or leaves, or goes idle, busy or paused,
	 * changes its pool's counts (model_pool_workers). */
	if ((was->pool || t->pool) &&
	    (was->pool != t->pool || changes_worker_class(was->t.state) !=
					     changes_worker_class(t->state))) {
		if (was->pool && (p = model_object_find(m, was->pool)))
			p->changed = ts;
		if (t->pool && (p = model_object_find(m, t->pool)))
			p->changed = ts;
	}
	if (t->changed == ts || (o && o->changed == ts))
		m->changed = ts;
}
