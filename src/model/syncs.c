/*
 * syncs.c - the fold of the events of condition variables, barriers,
 * reset events and latches: who waits on them, who was let go, and each
 * one's own state (a cond's queue and lost signals, a barrier's arrivals
 * and rounds, whether an event is set, a latch's count).
 *
 * None of them has a holder: any thread may signal, arrive, set or count
 * down, so their waits add no wait-for edge and no lock order
 * (waitgraph.c).  Their waits begin and end as every wait does (model.c,
 * waits.c); the figures their events carry are absolute (the engine's
 * queue length, the arrivals, the set flag, the count left), so a lost
 * event is healed by the next one about the same object.
 *
 * A thread the engine lets go (a signal, a broadcast, a barrier's
 * release, a set, a latch's opening) is off the engine's queue at once,
 * but the model hears of it only from the thread's own next event: until
 * then it stays a waiter, granted, and no longer counts in queued
 * (model.h).  The engine grants its oldest waiters whose group is not
 * cancelled; the model cannot tell a cancelled one before it leaves, so
 * it grants its oldest waiters, and moves a grant that went to a thread
 * that then leaves without going on (syncs_regrant): the counts are
 * always right, and the names too unless a cancel is under way.
 */
#include "config.h"

#include "model/model-int.h"

#include <limits.h>

/* How the event's thread stood before it (model-int.h): waiting for
 * this object or not, since when, and whether it had been let go. */
struct syncs_was {
	bool waited, granted;
	uint64_t since;
};

/* n threads the engine let go left its queue. */
static void
syncs_dequeued(struct model_object *o, uint64_t n)
{
	o->queued = n < o->queued ? o->queued - (unsigned)n : 0;
}

/* A thread left its wait on o at ts without going on (a timeout, a
 * cancel).  A grant always wins over both (engine-int.h): if the model
 * had granted it, the engine granted another waiter, the oldest the
 * model has not (see the top). */
static void
syncs_regrant(struct model *m, struct model_object *o, bool granted,
	      uint64_t ts)
{
	if (o && granted)
		waits_grant(m, o, 1, ts);
}

/* A barrier's arrivals in the current round are at most its waiters the
 * model has not seen released (a round's release grants every waiter),
 * once one left otherwise or a release was lost. */
static void
syncs_arrivals_left(const struct model *m, struct model_object *o)
{
	unsigned pending = waits_pending(m, o);

	if (o->count > pending)
		o->count = pending;
}

/* Does the aux of an event of kind say the engine's queue after it
 * (event.h: "waiters")? */
static bool
syncs_says_queue(unsigned kind)
{
	switch (kind) {
	case LS_EV_CV_WAIT:
	case LS_EV_CV_WOKEN:
	case LS_EV_CV_TIMEOUT:
	case LS_EV_CV_SIGNAL:
	case LS_EV_CV_BROADCAST:
	case LS_EV_RE_WAIT:
	case LS_EV_RE_PASSED:
	case LS_EV_RE_TIMEOUT:
	case LS_EV_LATCH_WAIT:
	case LS_EV_LATCH_PASSED:
	case LS_EV_LATCH_TIMEOUT:
		return true;
	default:
		return false;
	}
}

/* Its thread's wait on o ended with e: it went on (a sample, of the
 * engine's measure if it has one, else the model's) or gave up. */
static void
syncs_wait_ended(struct model *m, struct model_thread *t,
		 struct model_object *o, const struct ls_event *e,
		 const struct syncs_was *was)
{
	uint64_t ns = 0;

	t->state = LS_STATE_RUNNING;
	switch (e->kind) {
	case LS_EV_CV_TIMEOUT:
	case LS_EV_RE_TIMEOUT:
	case LS_EV_LATCH_TIMEOUT:
		if (o)
			o->timeouts++;
		syncs_regrant(m, o, was->waited && was->granted, e->ts);
		return;
	case LS_EV_CV_WOKEN:
		ns = e->arg;
		break;
	case LS_EV_BAR_PASSED:
		ns = (uint64_t)e->aux * 1000u;
		break;
	}
	metrics_waited(m, o, MODEL_WAIT_SIGNAL, ns, was->waited, was->since,
		       e->ts);
	if (o)
		o->acquired++;
}

/* What e says of cond o beyond its queue. */
static void
syncs_cond(struct model *m, struct model_object *o, const struct ls_event *e)
{
	switch (e->kind) {
	case LS_EV_CV_WAIT:
		o->mutex = (uint32_t)e->arg;
		break;
	case LS_EV_CV_SIGNAL:
		waits_grant_tid(m, o->id,
				e->arg < UINT_MAX ? (unsigned)e->arg : 0,
				e->ts);
		break;
	case LS_EV_CV_BROADCAST:
		waits_grant(m, o, e->arg, e->ts);
		break;
	case LS_EV_CV_LOST:
		/* Nobody waited: nothing moves, and that is the lesson. */
		o->lost_signals++;
		break;
	}
}

/* Barriers: the last arrival of a round releases it and waits for
 * nobody; every other one waits, then passes. */
static void
syncs_barrier(struct model *m, struct model_object *o,
	      const struct ls_event *e)
{
	switch (e->kind) {
	case LS_EV_BAR_WAIT:
		o->count = e->arg;
		o->parties = e->aux;
		break;
	case LS_EV_BAR_RELEASE:
		o->acquired++;
		o->count = 0;
		o->generation = e->arg;
		o->parties = e->aux;
		/* Everyone queued is of the round it ends, cancelled ones
		 * too: none of them counts as arrived any more. */
		waits_grant(m, o, UINT64_MAX, e->ts);
		break;
	case LS_EV_BAR_PASSED:
		/* A later round may have been released before it woke; a
		 * release never seen let go whoever it counted. */
		if (e->arg > o->generation) {
			o->generation = e->arg;
			syncs_arrivals_left(m, o);
		}
		break;
	}
}

void
syncs_apply(struct model *m, struct model_thread *t, struct model_object *o,
	    const struct ls_event *e, bool waited, uint64_t since,
	    bool granted)
{
	const struct syncs_was was = {
		.waited = waited,
		.granted = granted,
		.since = since,
	};

	switch (e->kind) {
	case LS_EV_CV_WAIT:
		/* It let go of the mutex just before (its LOCK_RELEASED):
		 * if that event was lost, it holds the mutex no more. */
		locks_lost_release(m, t->tid, (uint32_t)e->arg, e->ts);
		break;
	case LS_EV_CV_WOKEN:
	case LS_EV_CV_TIMEOUT:
	case LS_EV_BAR_PASSED:
	case LS_EV_RE_PASSED:
	case LS_EV_RE_TIMEOUT:
	case LS_EV_LATCH_PASSED:
	case LS_EV_LATCH_TIMEOUT:
		syncs_wait_ended(m, t, o, e, &was);
		break;
	case LS_EV_BAR_RELEASE:
		t->state = LS_STATE_RUNNING;
		break;
	}
	if (!o)
		return;
	if (syncs_says_queue(e->kind))
		o->queued = e->aux;
	switch (model_event_object_kind(e->kind)) {
	case LS_OBJ_COND:
		syncs_cond(m, o, e);
		break;
	case LS_OBJ_BARRIER:
		syncs_barrier(m, o, e);
		break;
	case LS_OBJ_EVENT_MANUAL:
		/* A set lets aux go: a manual one all, an auto one the
		 * oldest (and only an auto-reset event's set can leave it
		 * unset). */
		if (e->kind == LS_EV_RE_SET) {
			syncs_dequeued(o, e->aux);
			waits_grant(m, o, e->aux, e->ts);
			if (!e->arg && o->kind == LS_OBJ_EVENT_MANUAL)
				o->kind = LS_OBJ_EVENT_AUTO;
		}
		o->set = e->arg != 0;
		break;
	case LS_OBJ_LATCH:
		/* The count-down that reaches 0 opens it for good and lets
		 * every waiter go (aux of them). */
		if (e->kind == LS_EV_LATCH_DOWN && !e->arg) {
			syncs_dequeued(o, e->aux);
			waits_grant(m, o, e->aux, e->ts);
		}
		o->count = e->arg;
		break;
	}
}

void
syncs_cancelled(struct model *m, struct model_object *o, bool granted,
		uint64_t ts)
{
	switch (o->kind) {
	case LS_OBJ_COND:
	case LS_OBJ_EVENT_MANUAL:
	case LS_OBJ_EVENT_AUTO:
	case LS_OBJ_LATCH:
		/* It left the engine's queue with this event. */
		syncs_dequeued(o, 1);
		syncs_regrant(m, o, granted, ts);
		break;
	case LS_OBJ_BARRIER:
		/* A cancelled waiter is no arrival; the engine stops
		 * counting it at the cancel, which the model cannot see, and
		 * later arrivals' figures already leave it out. */
		syncs_arrivals_left(m, o);
		break;
	}
}
