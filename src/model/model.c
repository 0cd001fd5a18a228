/*
 * model.c - the fold from events to the picture the ui draws: the entry
 * to the model (every model.h function is defined here), the dispatch of
 * each event, and the thread fold.
 *
 * Each event is about the thread that emitted it, and a thread emits
 * nothing while it is blocked or parked.  So whatever a thread emits, it
 * is no longer waiting for what it was last seen waiting for, nor parked
 * at a gate: that is how one rule ends every wait (an ACQUIRED, a timeout,
 * a cancel, or an event after a dropped one) and heals lost events.  The
 * other absolute facts heal the objects, in the per-kind folds (locks.c,
 * sems.c, queues.c, pools.c; model-int.h lists every file of the model).
 * What cannot be healed is counted: sequence gaps per thread, events of
 * threads or objects that found no slot.
 *
 * The thread fold is all here: thread_get (a slot per tid, finished
 * threads recycled), thread_restart (a reused tid), seq_check,
 * apply_kind's THREAD_START, THREAD_EXIT, STATE and GATE cases,
 * unparked_state, and model_apply's one rule that ends waits and gates.
 *
 * Deadlocks and lock order are waitgraph.c's: model_apply calls it before
 * and after folding each event, and the folds keep the facts it reads
 * (owners, readers, semaphore holders, who waits for what).
 *
 * Not thread-safe: one thread owns a model (model.h).
 */
#include "config.h"

#include "model/model.h"

#include <stdio.h>
#include <string.h>

#include "model/model-int.h"

/* Slots: which slot a newcomer takes (slotindex.c finds them). */

/*
 * The slot of tid, created if need be: a free slot, else the finished
 * thread seen last longest ago.  NULL when every slot holds a live thread.
 * A recycled thread's tid may still name an owner or reader of an object:
 * that stays true (it exited holding it), only its row is gone.
 */
static struct model_thread *
thread_get(struct model *m, unsigned tid)
{
	struct model_thread *t = model_thread_find(m, tid), *victim = NULL;
	bool recycled = false;
	unsigned i;

	if (t)
		return t;
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		t = &m->threads[i];
		if (!t->used) {
			victim = t;
			break;
		}
		if (t->state == LS_STATE_DONE &&
		    (!victim || t->last_ts < victim->last_ts))
			victim = t;
	}
	if (!victim)
		return NULL;
	recycled = victim->used;
	if (recycled)
		history_retire(m, victim);
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->tid = tid;
	victim->state = LS_STATE_RUNNING;
	victim->parked_from = LS_STATE_RUNNING;
	if (recycled)
		slotindex_rebuild_threads(m);
	else
		slotindex_insert_thread(m, (unsigned)(victim - m->threads));
	return victim;
}

/* Start t's row again for a new thread with its tid; keep the name the
 * feed handed over for it. */
static void
thread_restart(struct model_thread *t)
{
	char name[MODEL_NAME];
	unsigned tid = t->tid;

	memcpy(name, t->name, sizeof(name));
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->tid = tid;
	memcpy(t->name, name, sizeof(name));
	t->state = LS_STATE_RUNNING;
	t->parked_from = LS_STATE_RUNNING;
}

/* Nobody holds, reads or waits for o, as far as the model knows. */
static bool
object_idle(const struct model_object *o)
{
	return !o->owner && !o->nreaders && !o->nwaiting;
}

/* The slot of object id, created if need be: a free slot, else the idle
 * object seen last longest ago.  NULL when every object is in use. */
static struct model_object *
object_get(struct model *m, uint32_t id)
{
	struct model_object *o = model_object_find(m, id), *victim = NULL;
	bool recycled;
	unsigned i;

	if (o || !id)
		return o;
	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		o = &m->objects[i];
		if (!o->used) {
			victim = o;
			break;
		}
		if (object_idle(o) && (!victim || o->last_ts < victim->last_ts))
			victim = o;
	}
	if (!victim)
		return NULL;
	recycled = victim->used;
	if (recycled && victim->kind == LS_OBJ_POOL)
		pools_forget(m, victim);
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->id = id;
	if (recycled)
		slotindex_rebuild_objects(m);
	else
		slotindex_insert_object(m, (unsigned)(victim - m->objects));
	return victim;
}

void
model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
}

void
model_name_thread(struct model *m, unsigned tid, const char *name)
{
	struct model_thread *t = thread_get(m, tid);

	if (!t)
		return;
	/* A new name for a row with events: the tid is reused (feed.c), and
	 * the log keeps the old thread's name for its entries. */
	if (t->events && strncmp(t->name, name ? name : "", sizeof(t->name)))
		history_retire(m, t);
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
}

void
model_name_object(struct model *m, uint32_t id, unsigned kind,
		  const char *name)
{
	struct model_object *o = object_get(m, id);

	if (!o)
		return;
	/* An unknown kind keeps the one the events implied. */
	if (kind != LS_OBJ_NONE && kind < LS_OBJ_KIND_COUNT)
		o->kind = kind;
	snprintf(o->name, sizeof(o->name), "%s", name ? name : "");
}

void
model_set_ring_dropped(struct model *m, uint64_t dropped)
{
	m->ring_dropped = dropped;
}

/* What a thread holds: a lock once, a semaphore once per permit. */

void
model_held_add(struct model_thread *t, uint32_t id, bool unique)
{
	unsigned i;

	if (unique)
		for (i = 0; i < t->nheld; i++)
			if (t->held[i] == id)
				return;
	if (t->nheld < MODEL_MAX_HELD)
		t->held[t->nheld++] = id;
}

/* Drop one entry id from t's held list, keeping the order of the rest. */
void
model_held_remove(struct model_thread *t, uint32_t id)
{
	unsigned i;

	if (!t)
		return;
	for (i = 0; i < t->nheld; i++)
		if (t->held[i] == id) {
			memmove(&t->held[i], &t->held[i + 1],
				(t->nheld - i - 1) * sizeof(t->held[0]));
			t->nheld--;
			return;
		}
}

void
model_held_lost(struct model *m, unsigned tid, uint32_t id, uint64_t ts)
{
	struct model_thread *t = model_thread_find(m, tid);

	m->healed++;
	if (!t)
		return;
	model_held_remove(t, id);
	t->changed = ts;
}

unsigned
model_event_object_kind(unsigned kind)
{
	switch (kind) {
	case LS_EV_LOCK_WAIT:
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_LOCK_RELEASED:
	case LS_EV_LOCK_TIMEOUT:
	case LS_EV_LOCK_BUSY:
		return LS_OBJ_MUTEX;
	case LS_EV_RD_WAIT:
	case LS_EV_RD_ACQUIRED:
	case LS_EV_RD_RELEASED:
	case LS_EV_WR_WAIT:
	case LS_EV_WR_ACQUIRED:
	case LS_EV_WR_RELEASED:
	case LS_EV_RW_TIMEOUT:
		return LS_OBJ_RWLOCK;
	case LS_EV_SEM_WAIT:
	case LS_EV_SEM_ACQUIRED:
	case LS_EV_SEM_POST:
	case LS_EV_SEM_TIMEOUT:
		return LS_OBJ_SEM;
	case LS_EV_Q_PUSH_WAIT:
	case LS_EV_Q_PUSHED:
	case LS_EV_Q_POP_WAIT:
	case LS_EV_Q_POPPED:
	case LS_EV_Q_TIMEOUT:
	case LS_EV_Q_CLOSED:
		return LS_OBJ_QUEUE;
	case LS_EV_TASK_SUBMIT:
	case LS_EV_TASK_START:
	case LS_EV_TASK_END:
	case LS_EV_TASK_FAIL:
	case LS_EV_TASK_REJECT:
	case LS_EV_TASK_DROP:
	case LS_EV_POOL_SCALE:
	case LS_EV_POOL_DEPTH:
		return LS_OBJ_POOL;
	default:
		return LS_OBJ_NONE;
	}
}

/* A wait for, or an acquisition of, a mutex or an rwlock: what adds
 * lock orders (waitgraph.h). */
static bool
lock_attempt(unsigned kind)
{
	switch (kind) {
	case LS_EV_LOCK_WAIT:
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_RD_WAIT:
	case LS_EV_RD_ACQUIRED:
	case LS_EV_WR_WAIT:
	case LS_EV_WR_ACQUIRED:
		return true;
	default:
		return false;
	}
}

/* Sequence check: a gap is events the ring dropped.  A lane's seq starts
 * at 0, so a thread's first event counts the ones before it too.  An
 * older seq than expected (which a ring in order never yields) moves
 * nothing. */
static void
seq_check(struct model *m, struct model_thread *t, uint32_t seq)
{
	uint32_t gap = seq - t->next_seq;

	if (!t->events)
		gap = seq;
	else if (gap >= 0x80000000u)
		return;
	t->lost += gap;
	m->lost += gap;
	t->next_seq = seq + 1;
}

/*
 * A scene variable (LS_MARK_* in event.h) shows its value as last written
 * (or as the scene says it is, unflagged); a read leaves it and only says
 * who read it.  A MARK with series index k > 0 is point k of the
 * variable's series (the sizing scene's throughput by pool size).  A
 * write is a change even when it stores the value there was: a lost
 * update looks just like that.
 */
static void
mark_apply(struct model_object *o, const struct ls_event *e)
{
	unsigned k = e->aux & LS_MARK_SERIES;

	if (e->aux & (LS_MARK_READ | LS_MARK_WRITE)) {
		o->access_tid = e->tid;
		o->access = e->aux & (LS_MARK_READ | LS_MARK_WRITE);
	}
	if (e->aux & LS_MARK_WRITE)
		o->changed = e->ts;
	if (!(e->aux & LS_MARK_READ) || (e->aux & LS_MARK_WRITE))
		o->count = e->arg;
	if (k > 0 && k < MODEL_SERIES) {
		o->series[k] = e->arg;
		if (k >= o->nseries)
			o->nseries = k + 1;
	}
}

/* A scene's outcome: the first is kept, the latest replaces the one
 * before.  NONE reports nothing. */
static void
outcome_apply(struct model *m, const struct ls_event *e)
{
	struct model_outcome out = {
		.kind = (unsigned)e->arg,
		.obj = e->obj,
		.tid = e->aux,
		.ts = e->ts,
	};

	if (out.kind == LS_OUT_NONE)
		return;
	if (!m->outcomes++)
		m->outcome_first = out;
	m->outcome_last = out;
}

/*
 * Fold e into t and o (NULL when it has none or no slot).  t has already
 * left any wait and any gate (model_apply); waited and since say whether
 * it was waiting for this event's object, and since when.
 */
static void
apply_kind(struct model *m, struct model_thread *t, struct model_object *o,
	   const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_THREAD_START:
		t->state = LS_STATE_RUNNING;
		return;
	case LS_EV_THREAD_EXIT:
		/* The engine released everything before; holdings left here
		 * were really left held (or their release was lost). */
		t->state = LS_STATE_DONE;
		t->task = 0;
		t->task_since = 0;
		return;
	case LS_EV_STATE:
		if (e->arg < LS_STATE_COUNT) {
			if (e->arg == LS_STATE_PARKED &&
			    t->state != LS_STATE_PARKED)
				t->parked_from = t->state;
			t->state = (unsigned)e->arg;
		}
		return;
	case LS_EV_LOCK_WAIT:
	case LS_EV_RD_WAIT:
	case LS_EV_WR_WAIT:
	case LS_EV_SEM_WAIT:
	case LS_EV_Q_PUSH_WAIT:
	case LS_EV_Q_POP_WAIT:
		if (o && e->kind == LS_EV_SEM_WAIT)
			sems_wait(o, t->tid);
		waits_begin(t, o, e->obj, e->kind, e->ts);
		/* Readers inside, semaphore count, queue depth. */
		if (o && e->kind != LS_EV_LOCK_WAIT)
			o->count = e->arg;
		if (o && (e->kind == LS_EV_Q_PUSH_WAIT ||
			  e->kind == LS_EV_Q_POP_WAIT))
			o->capacity = e->aux;
		return;
	case LS_EV_GATE_WAIT:
		if (t->state != LS_STATE_PARKED)
			t->parked_from = t->state;
		t->state = LS_STATE_PARKED;
		return;
	case LS_EV_GATE_PASS:
		/* Leaving the gate was done in model_apply. */
		return;
	case LS_EV_CANCELLED:
		if (o)
			o->cancelled++;
		return;
	case LS_EV_MARK:
		if (o && o->kind == LS_OBJ_VAR)
			mark_apply(o, e);
		return;
	case LS_EV_OUTCOME:
		outcome_apply(m, e);
		return;
	case LS_EV_ERROR:
		m->errors++;
		m->last_error = *e;
		if (o)
			o->errors++;
		if (e->arg == LS_ERR_HIERARCHY) {
			m->hierarchy_errors++;
			m->last_hierarchy = *e;
			if (o) {
				o->hierarchy_errors++;
				o->last_hierarchy = *e;
			}
		}
		return;
	}
	switch (model_event_object_kind(e->kind)) {
	case LS_OBJ_MUTEX:
	case LS_OBJ_RWLOCK:
		locks_apply(m, t, o, e, waited, since);
		break;
	case LS_OBJ_SEM:
		sems_apply(m, t, o, e, waited, since);
		break;
	case LS_OBJ_QUEUE:
		queues_apply(m, t, o, e, waited, since);
		break;
	case LS_OBJ_POOL:
		pools_apply(m, t, o, e, waited, since);
		break;
	}
}

/* The state a thread goes back to when it leaves a gate: passing a gate
 * means it is about to act, so never back to blocked (or done). */
static unsigned
unparked_state(const struct model_thread *t)
{
	switch (t->parked_from) {
	case LS_STATE_IDLE:
	case LS_STATE_SLEEPING:
		return t->parked_from;
	default:
		return LS_STATE_RUNNING;
	}
}

void
model_apply(struct model *m, const struct ls_event *e)
{
	struct model_thread *t;
	struct model_object *o = NULL;
	struct changes_before was;
	unsigned before, kind = e->kind, okind;
	uint32_t waited_on;
	uint64_t since;

	if (!m->events || e->ts < m->first_ts)
		m->first_ts = e->ts;
	if (e->ts > m->now)
		m->now = e->ts;
	m->events++;

	t = thread_get(m, e->tid);
	if (!t) {
		m->threads_overflow++;
		history_push(m, e, NULL, model_object_find(m, e->obj));
		return;
	}
	/* A reused tid (ring.h): a new thread starts where a finished one,
	 * or a lane's first event, says so.  A fresh row, its new name kept. */
	if (kind == LS_EV_THREAD_START && t->events &&
	    (t->state == LS_STATE_DONE || e->seq == 0)) {
		history_retire(m, t);
		thread_restart(t);
	}
	if (e->obj) {
		o = object_get(m, e->obj);
		if (!o) {
			m->objects_overflow++;
		} else {
			o->last_ts = e->ts;
			okind = model_event_object_kind(kind);
			if (o->kind == LS_OBJ_NONE && okind != LS_OBJ_NONE)
				o->kind = okind;
		}
	}
	history_push(m, e, t, o);

	seq_check(m, t, e->seq);
	if (!t->events)
		t->first_ts = e->ts;
	t->events++;
	t->last_ts = e->ts;
	t->last_kind = kind;
	t->last_obj = e->obj;
	t->last_arg = e->arg;

	before = t->state;
	changes_before(t, o, &was);
	/* Whatever t emits, it is no longer waiting nor parked (see top). */
	waited_on = t->waiting_for;
	since = t->wait_since;
	if (waited_on)
		waits_end(m, t, e->ts);
	if (t->state == LS_STATE_BLOCKED)
		t->state = LS_STATE_RUNNING;
	if (t->state == LS_STATE_PARKED && kind != LS_EV_GATE_WAIT)
		t->state = unparked_state(t);

	/* Orders come from what t held before this event; only a lock
	 * attempt of a thread holding something can add one. */
	if (t->nheld && lock_attempt(kind))
		waitgraph_order(m, t, e);
	apply_kind(m, t, o, e, waited_on && waited_on == e->obj, since);
	/* Only a wait can close a cycle, and only an event of a thread or
	 * about an object in the current one can break it (unless it is
	 * doubtful, waitgraph.h): the flags say so without a look at the
	 * graph. */
	if (t->waiting_for || t->in_cycle || (o && o->in_cycle) ||
	    m->wg.now_doubtful)
		waitgraph_update(m, t, o, e, waited_on != 0);

	if (t->state != before || !t->nspans)
		timeline_push(t, e->ts, t->state);
	changes_stamp(m, t, o, &was, e->ts);
}

/* Lookups, the timeline, metrics and the log: the work is in the files
 * model-int.h names. */

const struct model_thread *
model_thread(const struct model *m, unsigned tid)
{
	int s = slotindex_thread(m, tid);

	return s < 0 ? NULL : &m->threads[s];
}

const struct model_object *
model_object(const struct model *m, uint32_t id)
{
	int s = slotindex_object(m, id);

	return s < 0 ? NULL : &m->objects[s];
}

const struct model_span *
model_span(const struct model_thread *t, unsigned i)
{
	return timeline_span(t, i);
}

unsigned
model_state_at(const struct model_thread *t, uint64_t ts)
{
	return timeline_state_at(t, ts);
}

void
model_tick(struct model *m, uint64_t now)
{
	metrics_tick(m, now);
}

uint64_t
model_wait_percentile(const struct model *m, double p)
{
	return metrics_wait_percentile(m, MODEL_WAIT_ALL, p);
}

uint64_t
model_wait_class_percentile(const struct model *m, unsigned cls, double p)
{
	return metrics_wait_percentile(m, cls, p);
}

uint64_t
model_wait_samples(const struct model *m, unsigned cls)
{
	return metrics_wait_samples(m, cls);
}

uint64_t
model_run_percentile(const struct model *m, double p)
{
	return metrics_run_percentile(m, p);
}

size_t
model_recent(const struct model *m, struct ls_event *out, size_t max)
{
	return history_recent(m, out, max);
}

uint64_t
model_log_first(const struct model *m)
{
	return history_first(m);
}

uint64_t
model_log_end(const struct model *m)
{
	return m->log_end;
}

const struct model_log_entry *
model_log_entry(const struct model *m, uint64_t i)
{
	return history_get(m, i);
}

size_t
model_log_say(const struct model *m, uint64_t i, char *buf, size_t n)
{
	const struct model_log_entry *le = history_get(m, i);

	if (le)
		return say_entry(m, le, buf, n);
	if (n)
		buf[0] = 0;
	return 0;
}

size_t
model_say(const struct model *m, const struct ls_event *e, char *buf,
	  size_t n)
{
	struct model_log_entry le;

	history_entry(e, model_thread(m, e->tid), model_object(m, e->obj),
		      &le);
	return say_entry(m, &le, buf, n);
}

uint64_t
model_outcomes(const struct model *m, struct model_outcome *first,
	       struct model_outcome *last)
{
	if (m->outcomes && first)
		*first = m->outcome_first;
	if (m->outcomes && last)
		*last = m->outcome_last;
	return m->outcomes;
}

/* Deadlocks and lock order: the state is waitgraph.c's (waitgraph.h). */

bool
model_deadlock(const struct model *m, struct model_cycle *out)
{
	if (m->wg.now_valid && out)
		*out = m->wg.now;
	return m->wg.now_valid;
}

bool
model_first_deadlock(const struct model *m, struct model_cycle *out)
{
	if (m->wg.first_valid && out)
		*out = m->wg.first;
	return m->wg.first_valid;
}

uint64_t
model_deadlocks(const struct model *m)
{
	return m->wg.deadlocks;
}

size_t
model_inversions(const struct model *m, struct model_inversion *out,
		 size_t max)
{
	size_t i;

	for (i = 0; i < max && i < m->wg.ninv; i++)
		out[i] = m->wg.inv[i];
	return m->wg.ninv;
}

size_t
model_wait_edges(const struct model *m, struct model_wait_edge *out,
		 size_t max)
{
	return waitgraph_edges(m, out, max);
}
