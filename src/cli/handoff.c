/*
 * handoff.c - flow arrows in the exported trace: from the thread that let
 * another go (released a lock, posted a permit, pushed an item, made room)
 * to that thread, when it gets what it waited for.
 *
 * A hand-off is noted when the model says someone waits for the object
 * (a release with nobody waiting lets nobody go).  It waits, unwritten,
 * on its thread's hand-off track until a waiter of that object gets it:
 * then both ends are known and it is written with its flow.  A hand-off
 * nobody can take any more (the waiters left, timed out, or another
 * thread took the lock first) is given up and never written, so every
 * flow in the file has both ends.  Which hand-off a waiter takes: for a
 * lock the latest release (it is the one that let it in), for permits,
 * items and room the oldest (they queue).
 *
 * Wake-ups need no model: the events say it all.  A condition's SIGNAL
 * names the thread it wakes, a BROADCAST, a barrier's RELEASE, a reset
 * event's SET and a latch's DOWN how many they let go; each of those is a
 * hand-off waiting for one WOKEN or PASSED on the object.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export-int.h"

/* The channel an acquisition of kind takes from, for a waiter in
 * wait_kind; -1 when it takes nothing. */
static int
taken(unsigned kind, unsigned wait_kind)
{
	switch (kind) {
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_RD_ACQUIRED:
	case LS_EV_WR_ACQUIRED:
		return HANDOFF_LOCK;
	case LS_EV_SEM_ACQUIRED:
		return HANDOFF_SEM;
	case LS_EV_Q_POPPED:
		return wait_kind == LS_EV_Q_PUSH_WAIT ? -1 : HANDOFF_ITEM;
	case LS_EV_Q_PUSHED:
		return wait_kind == LS_EV_Q_POP_WAIT ? -1 : HANDOFF_ROOM;
	default:
		return -1;
	}
}

/* Whether o has a waiter in a wait of kind (one unlisted counts). */
static bool
waiter_of(const struct model_object *o, unsigned kind)
{
	unsigned i;

	for (i = 0; i < o->nwaiters; i++)
		if (o->waiters[i].kind == kind)
			return true;
	return o->nwaiting > o->nwaiters;
}

static struct xmarker *
marker(struct xthread *t, uint64_t serial)
{
	if (!t->qn || serial < t->q[0].serial ||
	    serial - t->q[0].serial >= t->qn)
		return NULL;
	return &t->q[serial - t->q[0].serial];
}

static struct xthread *
thread_of(struct export *x, unsigned tid)
{
	return tid < x->nthread ? x->thread[tid] : NULL;
}

/* Pending hand-off i is resolved with flow (0: given up). */
static void
settle(struct export *x, size_t i, uint64_t flow)
{
	struct xthread *t = thread_of(x, x->pending[i].tid);
	struct xmarker *m = t ? marker(t, x->pending[i].serial) : NULL;

	if (m) {
		m->done = true;
		m->flow = flow;
	}
	x->pending[i] = x->pending[--x->npending];
	if (t)
		handoff_flush(x, t, false);
}

/* Note a hand-off of obj on chan by t at ts, named "verb obj", for
 * thread target (0: any waiter). */
static void
note(struct export *x, struct xthread *t, uint32_t obj, unsigned chan,
     uint64_t ts, const char *verb, unsigned target)
{
	struct xpending *p;
	struct xmarker *q;
	size_t i, cap;
	char lb[24];

	/* A hand-off left waiting too long is given up. */
	if (t->qn == EXPORT_MAX_WAITING) {
		for (i = 0; i < x->npending; i++)
			if (x->pending[i].tid == t->tid &&
			    x->pending[i].serial == t->q[0].serial)
				break;
		if (i < x->npending)
			settle(x, i, 0);
	}
	if (t->qn == t->qcap) {
		cap = t->qcap ? t->qcap * 2 : 8;
		q = realloc(t->q, cap * sizeof(*q));
		if (!q)
			goto nomem;
		t->q = q;
		t->qcap = cap;
	}
	if (x->npending == x->cappending) {
		cap = x->cappending ? x->cappending * 2 : 16;
		p = realloc(x->pending, cap * sizeof(*p));
		if (!p)
			goto nomem;
		x->pending = p;
		x->cappending = cap;
	}
	q = &t->q[t->qn++];
	memset(q, 0, sizeof(*q));
	q->ts = ts;
	q->serial = t->serial++;
	snprintf(q->name, sizeof(q->name), "%s %s", verb,
		 export_object_label(x, obj, lb, sizeof(lb)));
	x->pending[x->npending++] = (struct xpending){
		.obj = obj, .chan = chan, .tid = t->tid, .serial = q->serial,
		.ts = ts, .target = target,
	};
	return;
nomem:
	x->nomem = true;
}

/* Threads a wake-up event lets go into *n, and the one it names (0:
 * any) into *target, with its verb; NULL when e wakes nobody. */
static const char *
wake_source(const struct ls_event *e, unsigned *n, unsigned *target)
{
	*target = 0;
	switch (e->kind) {
	case LS_EV_CV_SIGNAL:
		*n = 1;
		*target = (unsigned)e->arg;
		return "signal";
	case LS_EV_CV_BROADCAST:
		*n = (unsigned)e->arg;
		return "broadcast";
	case LS_EV_BAR_RELEASE:
		/* Every party but the last, who arrived and went on. */
		*n = e->aux ? e->aux - 1 : 0;
		return "open";
	case LS_EV_RE_SET:
		*n = e->aux;
		return "set";
	case LS_EV_LATCH_DOWN:
		*n = e->aux;
		return "count down";
	default:
		return NULL;
	}
}

/* Whether e ends a wait by being woken (the other end of a wake-up). */
static bool
woken(unsigned kind)
{
	return kind == LS_EV_CV_WOKEN || kind == LS_EV_BAR_PASSED ||
	       kind == LS_EV_RE_PASSED || kind == LS_EV_LATCH_PASSED;
}

void
handoff_before(struct export *x, const struct ls_event *e)
{
	const struct model_object *o = model_object(x->m, e->obj);
	struct xthread *t = thread_of(x, e->tid);
	const char *verb;
	unsigned n, target, i;

	if (t && e->obj && (verb = wake_source(e, &n, &target))) {
		/* A wild count from a damaged stream is capped by the
		 * hand-offs a thread may keep waiting. */
		for (i = 0; i < n && i < EXPORT_MAX_WAITING; i++)
			note(x, t, e->obj, HANDOFF_WAKE, e->ts, verb, target);
		return;
	}
	if (!o || !t || !o->nwaiting)
		return;
	switch (e->kind) {
	case LS_EV_LOCK_RELEASED:
	case LS_EV_WR_RELEASED:
		note(x, t, e->obj, HANDOFF_LOCK, e->ts, "release", 0);
		break;
	case LS_EV_RD_RELEASED:
		/* The last reader out lets a writer in. */
		if (!e->arg)
			note(x, t, e->obj, HANDOFF_LOCK, e->ts, "release", 0);
		break;
	case LS_EV_SEM_POST:
		note(x, t, e->obj, HANDOFF_SEM, e->ts, "post", 0);
		break;
	case LS_EV_Q_PUSHED:
		if (waiter_of(o, LS_EV_Q_POP_WAIT))
			note(x, t, e->obj, HANDOFF_ITEM, e->ts, "push", 0);
		break;
	case LS_EV_Q_POPPED:
		if (waiter_of(o, LS_EV_Q_PUSH_WAIT))
			note(x, t, e->obj, HANDOFF_ROOM, e->ts, "pop", 0);
		break;
	}
}

/* The pending hand-off on obj and chan by another thread than tid: the
 * latest, or the oldest; -1 if none. */
static long
find(struct export *x, uint32_t obj, unsigned chan, unsigned tid,
     bool latest)
{
	long best = -1;
	size_t i;

	for (i = 0; i < x->npending; i++) {
		const struct xpending *p = &x->pending[i];

		if (p->obj != obj || p->chan != chan || p->tid == tid)
			continue;
		if (best < 0 || (latest ? p->ts >= x->pending[best].ts
					: p->ts < x->pending[best].ts))
			best = (long)i;
	}
	return best;
}

/* Give up every hand-off of obj on chan, or (chan < 0) on every channel
 * the model's waiters decide: wake-ups wait for their own events. */
static void
give_up(struct export *x, uint32_t obj, int chan)
{
	size_t i = x->npending;

	/* Downwards: settle() moves the last entry into the hole. */
	while (i-- > 0)
		if (x->pending[i].obj == obj &&
		    (chan < 0 ? x->pending[i].chan != HANDOFF_WAKE
			      : x->pending[i].chan == (unsigned)chan))
			settle(x, i, 0);
}

/* The wake-up of obj for thread tid: the one that names it, else the
 * oldest for any waiter, by another thread; -1 if none. */
static long
find_wake(struct export *x, uint32_t obj, unsigned tid)
{
	long best = -1;
	size_t i;

	for (i = 0; i < x->npending; i++) {
		const struct xpending *p = &x->pending[i];

		if (p->obj != obj || p->chan != HANDOFF_WAKE || p->tid == tid ||
		    (p->target && p->target != tid))
			continue;
		if (p->target == tid)
			return (long)i;
		if (best < 0 || p->ts < x->pending[best].ts)
			best = (long)i;
	}
	return best;
}

/* After an event of tid on obj: a wake-up that ends its wait takes the
 * hand-off that let it go; any other event of a thread a signal named
 * means that signal woke nobody after all (it timed out first, or was
 * cancelled).  Returns the flow, 0 for none. */
static uint64_t
wake_after(struct export *x, const struct ls_event *e)
{
	size_t i = x->npending;
	long k;

	if (woken(e->kind) && (k = find_wake(x, e->obj, e->tid)) >= 0) {
		settle(x, (size_t)k, ++x->next_flow);
		x->flows++;
		return x->next_flow;
	}
	while (i-- > 0)
		if (x->pending[i].chan == HANDOFF_WAKE &&
		    x->pending[i].target == e->tid)
			settle(x, i, 0);
	return 0;
}

uint64_t
handoff_after(struct export *x, const struct ls_event *e, uint32_t waited,
	      unsigned wait_kind)
{
	const struct model_object *o;
	int chan = taken(e->kind, wait_kind);
	uint64_t flow = wake_after(x, e);
	long i;

	if (chan >= 0) {
		i = find(x, e->obj, (unsigned)chan, e->tid,
			 chan == HANDOFF_LOCK);
		if (i >= 0 && waited == e->obj) {
			flow = ++x->next_flow;
			x->flows++;
			settle(x, (size_t)i, flow);
		} else if (i >= 0 && chan != HANDOFF_LOCK) {
			/* Taken without waiting: one permit, item or
			 * room fewer to hand to a waiter. */
			settle(x, (size_t)i, 0);
		}
		/* Whoever has the lock now, the releases before it let
		 * nobody else in. */
		if (chan == HANDOFF_LOCK)
			give_up(x, e->obj, HANDOFF_LOCK);
	}
	/* Nobody left to let go. */
	o = model_object(x->m, e->obj);
	if (e->obj && (!o || !o->nwaiting))
		give_up(x, e->obj, -1);
	o = model_object(x->m, waited);
	if (waited && waited != e->obj && (!o || !o->nwaiting))
		give_up(x, waited, -1);
	return flow;
}

void
handoff_flush(struct export *x, struct xthread *t, bool all)
{
	struct xmarker *m;
	size_t i, done = 0;

	while (done < t->qn && (t->q[done].done || all)) {
		m = &t->q[done++];
		if (!m->done)
			for (i = 0; i < x->npending; i++)
				if (x->pending[i].tid == t->tid &&
				    x->pending[i].serial == m->serial) {
					x->pending[i] =
						x->pending[--x->npending];
					break;
				}
		if (!m->done || !m->flow)
			continue;
		/* The track shows only hand-offs that let someone go. */
		if (!t->handoff_track) {
			t->handoff_track = export_track(x, XTRACK_HANDOFF,
							t->tid, 0);
			if (!t->handoff_track)
				return;
			x->track[x->ntrack - 1].sort = t->sort + SORT_SPAN - 1;
		}
		export_json_begin(x, "X", m->name, "handoff", m->ts,
				  t->handoff_track);
		fprintf(x->out, ",\"dur\":0,\"bind_id\":%" PRIu64
			",\"flow_out\":true", m->flow);
		export_json_end(x);
	}
	if (!done)
		return;
	memmove(t->q, t->q + done, (t->qn - done) * sizeof(*t->q));
	t->qn -= done;
}
