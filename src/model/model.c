/*
 * model.c - the fold from events to the picture the ui draws.
 *
 * Each event is about the thread that emitted it, and a thread emits
 * nothing while it is blocked or parked.  So whatever a thread emits, it
 * is no longer waiting for what it was last seen waiting for, nor parked
 * at a gate: that is how one rule ends every wait (an ACQUIRED, a timeout,
 * a cancel, or an event after a dropped one) and heals lost events.  The
 * other absolute facts heal the objects: an ACQUIRED by T2 while T1 is the
 * recorded owner means T1's release was lost, so T2 owns the lock and T1
 * no longer holds it.  What cannot be healed is counted: sequence gaps per
 * thread, events of threads or objects that found no slot.
 *
 * Lookups go through small open-addressed hashes (id -> slot), rebuilt
 * when a slot is recycled: the fold runs for every event the ring yields,
 * and a linear scan would touch one cache line per slot.
 *
 * Deadlocks and lock order are waitgraph.c's: model_apply calls it before
 * and after folding each event, and this file keeps the facts it reads
 * (owners, readers, semaphore holders, who waits for what).
 *
 * Not thread-safe: one thread owns a model (model.h).
 */
#include "config.h"

#include "model/model.h"

#include <stdio.h>
#include <string.h>

_Static_assert(MODEL_MAX_THREADS < 256 && MODEL_MAX_OBJECTS < 256,
	       "slot + 1 fits the uint8_t hash entries");
_Static_assert(MODEL_INDEX >= 2 * MODEL_MAX_THREADS &&
		       MODEL_INDEX >= 2 * MODEL_MAX_OBJECTS &&
		       (MODEL_INDEX & (MODEL_INDEX - 1)) == 0,
	       "the hashes stay at most half full and mask cleanly");

/* Hashes: linear probing over slot + 1; a key is a slot's tid or id. */

static unsigned
index_hash(uint32_t key)
{
	/* Fibonacci hashing: consecutive ids spread over the table. */
	return (unsigned)((key * 2654435769u) >> 24) & (MODEL_INDEX - 1);
}

static uint32_t
thread_key(const struct model *m, unsigned slot)
{
	return m->threads[slot].tid;
}

static uint32_t
object_key(const struct model *m, unsigned slot)
{
	return m->objects[slot].id;
}

/* The slot holding key, or -1. */
static int
index_find(const struct model *m, const uint8_t *idx,
	   uint32_t (*key_of)(const struct model *, unsigned), uint32_t key)
{
	unsigned h = index_hash(key), i;

	for (i = 0; i < MODEL_INDEX; i++, h = (h + 1) & (MODEL_INDEX - 1)) {
		if (!idx[h])
			return -1;
		if (key_of(m, idx[h] - 1u) == key)
			return idx[h] - 1;
	}
	return -1;
}

static void
index_insert(uint8_t *idx, uint32_t key, unsigned slot)
{
	unsigned h = index_hash(key);

	while (idx[h])
		h = (h + 1) & (MODEL_INDEX - 1);
	idx[h] = (uint8_t)(slot + 1);
}

/* Recycling a slot changes its key; linear probing cannot delete in
 * place, so rebuild (128 inserts, and recycling is rare). */
static void
thread_index_rebuild(struct model *m)
{
	unsigned i;

	memset(m->thread_index, 0, sizeof(m->thread_index));
	for (i = 0; i < MODEL_MAX_THREADS; i++)
		if (m->threads[i].used)
			index_insert(m->thread_index, m->threads[i].tid, i);
}

static void
object_index_rebuild(struct model *m)
{
	unsigned i;

	memset(m->object_index, 0, sizeof(m->object_index));
	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		if (m->objects[i].used)
			index_insert(m->object_index, m->objects[i].id, i);
}

static struct model_thread *
thread_find(struct model *m, unsigned tid)
{
	int s = index_find(m, m->thread_index, thread_key, tid);

	return s < 0 ? NULL : &m->threads[s];
}

static struct model_object *
object_find(struct model *m, uint32_t id)
{
	int s;

	if (!id)
		return NULL;
	s = index_find(m, m->object_index, object_key, id);
	return s < 0 ? NULL : &m->objects[s];
}

const struct model_thread *
model_thread(const struct model *m, unsigned tid)
{
	int s = index_find(m, m->thread_index, thread_key, tid);

	return s < 0 ? NULL : &m->threads[s];
}

const struct model_object *
model_object(const struct model *m, uint32_t id)
{
	int s;

	if (!id)
		return NULL;
	s = index_find(m, m->object_index, object_key, id);
	return s < 0 ? NULL : &m->objects[s];
}

/*
 * The slot of tid, created if need be: a free slot, else the finished
 * thread seen last longest ago.  NULL when every slot holds a live thread.
 * A recycled thread's tid may still name an owner or reader of an object:
 * that stays true (it exited holding it), only its row is gone.
 */
static struct model_thread *
thread_get(struct model *m, unsigned tid)
{
	struct model_thread *t = thread_find(m, tid), *victim = NULL;
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
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->tid = tid;
	victim->state = LS_STATE_RUNNING;
	victim->parked_from = LS_STATE_RUNNING;
	if (recycled)
		thread_index_rebuild(m);
	else
		index_insert(m->thread_index, tid,
			     (unsigned)(victim - m->threads));
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
	struct model_object *o = object_find(m, id), *victim = NULL;
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
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->id = id;
	if (recycled)
		object_index_rebuild(m);
	else
		index_insert(m->object_index, id,
			     (unsigned)(victim - m->objects));
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

	if (t)
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

/* The p-th percentile over the current window and the one before. */
static uint64_t
model_percentile(const struct hist *now, const struct hist *prev, double p)
{
	const struct hist *both[2] = { now, prev };

	return hist_percentile(both, 2, p);
}

uint64_t
model_wait_percentile(const struct model *m, double p)
{
	return model_percentile(&m->wait_now, &m->wait_prev, p);
}

uint64_t
model_run_percentile(const struct model *m, double p)
{
	return model_percentile(&m->run_now, &m->run_prev, p);
}

/* A wait that ended in getting o: the histogram and o's totals. */
static void
note_wait(struct model *m, struct model_object *o, uint64_t ns)
{
	hist_add(&m->wait_now, ns);
	if (o) {
		o->wait_ns_total += ns;
		if (ns > o->wait_ns_max)
			o->wait_ns_max = ns;
	}
}

/* Held lists. */

static void
held_add(struct model_thread *t, uint32_t id, bool unique)
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
static void
held_remove(struct model_thread *t, uint32_t id)
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

/* Readers. */

static void
reader_add(struct model_object *o, unsigned tid)
{
	unsigned i;

	for (i = 0; i < o->nreaders; i++)
		if (o->readers[i] == tid)
			return;
	if (o->nreaders < MODEL_MAX_READERS)
		o->readers[o->nreaders++] = tid;
}

static void
reader_remove(struct model_object *o, unsigned tid)
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
owner_take(struct model *m, struct model_object *o, unsigned tid,
	   uint64_t ts)
{
	if (o->owner && o->owner != tid) {
		held_remove(thread_find(m, o->owner), o->id);
		m->healed++;
	}
	if (o->owner != tid)
		o->owned_since = ts;
	o->owner = tid;
}

static void
owner_release(struct model_object *o, unsigned tid)
{
	if (o->owner == tid) {
		o->owner = 0;
		o->owned_since = 0;
	}
}

/* Waiter queues. */

static bool
waiter_listed(const struct model_object *o, unsigned tid)
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
waiters_refill(struct model *m, struct model_object *o)
{
	struct model_thread *best;
	unsigned i;

	while (o->nwaiters < MODEL_MAX_WAITERS && o->nwaiting > o->nwaiters) {
		best = NULL;
		for (i = 0; i < MODEL_MAX_THREADS; i++) {
			struct model_thread *t = &m->threads[i];

			if (t->used && t->waiting_for == o->id &&
			    (!best || t->wait_since < best->wait_since) &&
			    !waiter_listed(o, t->tid))
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

/* t stops waiting, for whatever reason: out of its object's queue. */
static void
wait_end(struct model *m, struct model_thread *t)
{
	struct model_object *o = object_find(m, t->waiting_for);
	unsigned i;

	t->waiting_for = 0;
	t->wait_kind = 0;
	t->granted = false;
	if (!o)
		return;
	for (i = 0; i < o->nwaiters; i++)
		if (o->waiters[i].tid == t->tid) {
			memmove(&o->waiters[i], &o->waiters[i + 1],
				(o->nwaiters - i - 1) * sizeof(o->waiters[0]));
			o->nwaiters--;
			break;
		}
	if (o->nwaiting)
		o->nwaiting--;
	waiters_refill(m, o);
}

/* t blocks on o (which may have no slot) in a *_WAIT of kind. */
static void
wait_begin(struct model_thread *t, struct model_object *o, uint32_t id,
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

/* Timeline. */

/* The span i places before the newest of t (i < t->nspans). */
static struct model_span *
span_newest(struct model_thread *t, unsigned i)
{
	return &t->spans[(t->span_head + t->nspans - 1 - i) % MODEL_SPANS];
}

static void
span_push(struct model_thread *t, uint64_t ts, unsigned state)
{
	struct model_span *last;
	unsigned i;

	if (t->nspans) {
		last = span_newest(t, 0);
		if (last->start == ts) {
			/* Zero-length: the later state wins the instant,
			 * and a span like the one before merges into it. */
			if (t->nspans > 1 &&
			    span_newest(t, 1)->state == state)
				t->nspans--;
			else
				last->state = (uint8_t)state;
			return;
		}
		if (last->state == state)
			return;
	}
	if (t->nspans < MODEL_SPANS) {
		i = (t->span_head + t->nspans++) % MODEL_SPANS;
	} else {
		i = t->span_head;
		t->span_head = (t->span_head + 1) % MODEL_SPANS;
	}
	t->spans[i] = (struct model_span){ .start = ts, .state = (uint8_t)state };
}

const struct model_span *
model_span(const struct model_thread *t, unsigned i)
{
	if (!t || i >= t->nspans)
		return NULL;
	return &t->spans[(t->span_head + i) % MODEL_SPANS];
}

unsigned
model_state_at(const struct model_thread *t, uint64_t ts)
{
	unsigned lo = 0, hi, mid;

	if (!t->nspans)
		return t->state;
	if (ts < model_span(t, 0)->start)
		return model_span(t, 0)->state;
	/* The last span that started at or before ts. */
	hi = t->nspans;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (model_span(t, mid)->start <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return model_span(t, lo)->state;
}

/* Event log. */

static void
log_push(struct model *m, const struct ls_event *e)
{
	m->log[m->log_head] = *e;
	m->log_head = (m->log_head + 1) % MODEL_LOG;
	if (m->nlog < MODEL_LOG)
		m->nlog++;
}

size_t
model_recent(const struct model *m, struct ls_event *out, size_t max)
{
	size_t n = max < m->nlog ? max : m->nlog, i;
	unsigned start = (m->log_head + MODEL_LOG - (unsigned)n) % MODEL_LOG;

	for (i = 0; i < n; i++)
		out[i] = m->log[(start + i) % MODEL_LOG];
	return n;
}

/* The object kind an event implies, for objects with no name yet (a
 * replayed trace without its tables); LS_OBJ_NONE when it says none. */
static unsigned
kind_of_event(unsigned kind)
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

/* Mutexes and rwlocks: owners, readers, holdings, waits that ended. */
static void
apply_lock(struct model *m, struct model_thread *t, struct model_object *o,
	   const struct ls_event *e)
{
	switch (e->kind) {
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_WR_ACQUIRED:
		t->state = LS_STATE_RUNNING;
		if (e->arg > 0)
			note_wait(m, o, e->arg);
		if (o) {
			o->acquired++;
			/* A writer is alone: readers still listed lost their
			 * release. */
			while (e->kind == LS_EV_WR_ACQUIRED && o->nreaders) {
				held_remove(thread_find(m, o->readers[0]),
					    o->id);
				reader_remove(o, o->readers[0]);
				m->healed++;
			}
			if (e->kind == LS_EV_WR_ACQUIRED)
				o->count = 0;
			owner_take(m, o, t->tid, e->ts);
		}
		held_add(t, e->obj, true);
		break;
	case LS_EV_LOCK_RELEASED:
	case LS_EV_WR_RELEASED:
		held_remove(t, e->obj);
		if (o)
			owner_release(o, t->tid);
		break;
	case LS_EV_RD_ACQUIRED:
		t->state = LS_STATE_RUNNING;
		held_add(t, e->obj, true);
		if (e->aux > 0)
			note_wait(m, o, (uint64_t)e->aux * 1000u);
		if (!o)
			break;
		o->acquired++;
		/* Readers never share with a writer: its release was lost. */
		if (o->owner && o->owner != t->tid) {
			held_remove(thread_find(m, o->owner), o->id);
			owner_release(o, o->owner);
			m->healed++;
		}
		reader_add(o, t->tid);
		o->count = e->arg;
		break;
	case LS_EV_RD_RELEASED:
		held_remove(t, e->obj);
		if (o) {
			reader_remove(o, t->tid);
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

/* Semaphore holders (model.h: holders, sem_signal). */

static struct model_holder *
sem_holder_find(struct model_object *o, unsigned tid)
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
sem_holder_take(struct model_object *o, unsigned tid)
{
	struct model_holder *h = sem_holder_find(o, tid);

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
sem_holder_post(struct model_object *o, unsigned tid)
{
	struct model_holder *h = sem_holder_find(o, tid);
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
sem_grant(struct model *m, struct model_object *o)
{
	struct model_thread *w;
	unsigned i;

	for (i = 0; i < o->nwaiters; i++) {
		w = thread_find(m, o->waiters[i].tid);
		if (w && !w->granted) {
			w->granted = true;
			return;
		}
	}
}

/* Semaphores: no owner; a permit is held by whoever took it until that
 * thread posts, one held entry per permit.  waited: t waited for o since
 * since. */
static void
apply_sem(struct model *m, struct model_thread *t, struct model_object *o,
	  const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_SEM_ACQUIRED:
		t->state = LS_STATE_RUNNING;
		held_add(t, e->obj, false);
		if (waited)
			note_wait(m, o, e->ts - since);
		if (o) {
			o->acquired++;
			sem_holder_take(o, t->tid);
		}
		break;
	case LS_EV_SEM_POST:
		held_remove(t, e->obj);
		if (o) {
			sem_holder_post(o, t->tid);
			if (e->arg == 0)
				sem_grant(m, o);
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

/* Bounded queues: depth and capacity come with every event. */
static void
apply_queue(struct model *m, struct model_thread *t, struct model_object *o,
	    const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_Q_PUSHED:
	case LS_EV_Q_POPPED:
		t->state = LS_STATE_RUNNING;
		if (waited)
			note_wait(m, o, e->ts - since);
		if (o)
			o->acquired++;
		break;
	case LS_EV_Q_TIMEOUT:
		if (o)
			o->timeouts++;
		break;
	case LS_EV_Q_CLOSED:
		if (o)
			o->closed = true;
		break;
	}
	if (!o)
		return;
	o->count = e->arg;
	/* Q_TIMEOUT's aux is a direction, not a capacity. */
	if (e->kind != LS_EV_Q_TIMEOUT)
		o->capacity = e->aux;
}

/* Thread pools: counts, scaling, the worker's task and its times.  A
 * submitter that waited for room (Q_PUSH_WAIT on the pool) waited since
 * since. */
static void
apply_pool(struct model *m, struct model_thread *t, struct model_object *o,
	   const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_TASK_SUBMIT:
		if (waited)
			note_wait(m, o, e->ts - since);
		if (o)
			o->submitted++;
		break;
	case LS_EV_TASK_START:
		t->state = LS_STATE_RUNNING;
		t->task = e->arg;
		t->task_since = e->ts;
		note_wait(m, o, (uint64_t)e->aux * 1000u);
		break;
	case LS_EV_TASK_END:
	case LS_EV_TASK_FAIL:
		/* FAIL's aux is an error code: its run time is measured
		 * from the TASK_START seen for it, if any. */
		if (e->kind == LS_EV_TASK_END)
			hist_add(&m->run_now, (uint64_t)e->aux * 1000u);
		else if (t->task_since && t->task == e->arg)
			hist_add(&m->run_now, e->ts - t->task_since);
		t->tasks_done++;
		m->tasks_done++;
		t->task = 0;
		t->task_since = 0;
		if (o && e->kind == LS_EV_TASK_END)
			o->completed++;
		else if (o)
			o->failed++;
		break;
	case LS_EV_TASK_REJECT:
		if (o) {
			o->rejected++;
			o->count = e->aux;
		}
		break;
	case LS_EV_TASK_DROP:
		if (o)
			o->dropped++;
		break;
	case LS_EV_POOL_SCALE:
		if (o) {
			o->workers = (unsigned)e->arg;
			o->idle = e->aux;
		}
		break;
	case LS_EV_POOL_DEPTH:
		if (o) {
			o->count = e->arg;
			o->capacity = e->aux;
		}
		break;
	}
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
		/* Waiting for more permits than it holds is counting, not
		 * locking: the permits are no thread's (model.h). */
		if (o && e->kind == LS_EV_SEM_WAIT &&
		    sem_holder_find(o, t->tid))
			o->sem_signal = true;
		wait_begin(t, o, e->obj, e->kind, e->ts);
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
		/* A scene variable shows the value last written or read; a
		 * MARK with aux k > 0 is point k of the variable's series
		 * (the sizing scene's throughput by pool size). */
		if (o && o->kind == LS_OBJ_VAR) {
			o->count = e->arg;
			if (e->aux > 0 && e->aux < MODEL_SERIES) {
				o->series[e->aux] = e->arg;
				if (e->aux >= o->nseries)
					o->nseries = e->aux + 1;
			}
		}
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
	switch (kind_of_event(e->kind)) {
	case LS_OBJ_MUTEX:
	case LS_OBJ_RWLOCK:
		apply_lock(m, t, o, e);
		break;
	case LS_OBJ_SEM:
		apply_sem(m, t, o, e, waited, since);
		break;
	case LS_OBJ_QUEUE:
		apply_queue(m, t, o, e, waited, since);
		break;
	case LS_OBJ_POOL:
		apply_pool(m, t, o, e, waited, since);
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
	unsigned before, kind = e->kind, okind;
	uint32_t waited_on;
	uint64_t since;

	if (!m->events || e->ts < m->first_ts)
		m->first_ts = e->ts;
	if (e->ts > m->now)
		m->now = e->ts;
	m->events++;
	log_push(m, e);

	t = thread_get(m, e->tid);
	if (!t) {
		m->threads_overflow++;
		return;
	}
	/* A reused tid (ring.h): a new thread starts where a finished one,
	 * or a lane's first event, says so.  A fresh row, its new name kept. */
	if (kind == LS_EV_THREAD_START && t->events &&
	    (t->state == LS_STATE_DONE || e->seq == 0))
		thread_restart(t);
	if (e->obj) {
		o = object_get(m, e->obj);
		if (!o) {
			m->objects_overflow++;
		} else {
			o->last_ts = e->ts;
			okind = kind_of_event(kind);
			if (o->kind == LS_OBJ_NONE && okind != LS_OBJ_NONE)
				o->kind = okind;
		}
	}

	seq_check(m, t, e->seq);
	if (!t->events)
		t->first_ts = e->ts;
	t->events++;
	t->last_ts = e->ts;
	t->last_kind = kind;
	t->last_obj = e->obj;
	t->last_arg = e->arg;

	before = t->state;
	/* Whatever t emits, it is no longer waiting nor parked (see top). */
	waited_on = t->waiting_for;
	since = t->wait_since;
	if (waited_on)
		wait_end(m, t);
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

	if (t->state != before || !t->nspans) {
		span_push(t, e->ts, t->state);
		/* A change undone within one instant keeps the older start. */
		t->state_since = span_newest(t, 0)->start;
	}
}

void
model_tick(struct model *m, uint64_t now)
{
	uint64_t from = m->tick_ts ? m->tick_ts : m->first_ts;
	double dt;
	unsigned i;

	if (from && now > from) {
		dt = (double)(now - from) / 1e9;
		m->events_per_s = (double)(m->events - m->tick_events) / dt;
		m->tasks_per_s = (double)(m->tasks_done - m->tick_tasks) / dt;
	} else {
		m->events_per_s = 0;
		m->tasks_per_s = 0;
	}
	m->tick_ts = now;
	m->tick_events = m->events;
	m->tick_tasks = m->tasks_done;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		struct model_object *o = &m->objects[i];
		uint64_t d;

		if (!o->used || (o->kind != LS_OBJ_QUEUE &&
				 o->kind != LS_OBJ_POOL && o->kind != LS_OBJ_SEM))
			continue;
		if (o->nsamples == MODEL_SAMPLES) {
			memmove(&o->depth_samples[0], &o->depth_samples[1],
				(MODEL_SAMPLES - 1) * sizeof(o->depth_samples[0]));
			o->nsamples--;
		}
		d = o->count < UINT16_MAX ? o->count : UINT16_MAX;
		o->depth_samples[o->nsamples++] = (uint16_t)d;
	}

	m->wait_prev = m->wait_now;
	memset(&m->wait_now, 0, sizeof(m->wait_now));
	m->run_prev = m->run_now;
	memset(&m->run_now, 0, sizeof(m->run_now));
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
