/*
 * model-int.h - what the files of the model share, and nothing outside
 * src/model sees.
 *
 * The model (model.h) is one fold written in several files, one per seam.
 * model.c is the entry: it defines every model.h function, dispatches each
 * event and folds what every thread does (its state, what it holds, what
 * it waits for).  The work behind it lives under each file's own prefix:
 * locks.c (mutexes, rwlocks), sems.c (semaphores), queues.c (bounded
 * queues) and pools.c (thread pools) fold what an event does to an object
 * of their kind; waits.c keeps who waits for what; changes.c stamps real
 * changes; slotindex.c finds the slot of a tid or an object id;
 * timeline.c keeps each thread's state spans; metrics.c the rates and the
 * wait and run windows; history.c the event log and say.c its sentences;
 * waitgraph.c deadlocks and lock order (its own header, waitgraph.h).
 *
 * Like the model, none of this is thread-safe: the model's owner calls it.
 */
#ifndef LOCKSTEP_MODEL_INT_H
#define LOCKSTEP_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/event.h"
#include "model/model.h"

/*
 * slotindex.c: the id -> slot hashes.  The insert and rebuild calls keep
 * them true when a slot is taken (insert) or recycled (rebuild: a key
 * changed).  The lookups are here, inline: the fold makes several for
 * every event.  slotindex_thread and slotindex_object: the slot of a tid
 * or an object id, or -1 (always for the object id 0).
 */
static inline unsigned
slotindex_hash(uint32_t key)
{
	/* Fibonacci hashing: consecutive ids spread over the table. */
	return (unsigned)((key * 2654435769u) >> 24) & (MODEL_INDEX - 1);
}

static inline uint32_t
slotindex_thread_key(const struct model *m, unsigned slot)
{
	return m->threads[slot].tid;
}

static inline uint32_t
slotindex_object_key(const struct model *m, unsigned slot)
{
	return m->objects[slot].id;
}

/* The slot whose key is key in the hash idx, or -1. */
static inline int
slotindex_find(const struct model *m, const uint8_t *idx,
	       uint32_t (*key_of)(const struct model *, unsigned),
	       uint32_t key)
{
	unsigned h = slotindex_hash(key), i;

	for (i = 0; i < MODEL_INDEX; i++, h = (h + 1) & (MODEL_INDEX - 1)) {
		if (!idx[h])
			return -1;
		if (key_of(m, idx[h] - 1u) == key)
			return idx[h] - 1;
	}
	return -1;
}

static inline int
slotindex_thread(const struct model *m, unsigned tid)
{
	return slotindex_find(m, m->thread_index, slotindex_thread_key, tid);
}

static inline int
slotindex_object(const struct model *m, uint32_t id)
{
	if (!id)
		return -1;
	return slotindex_find(m, m->object_index, slotindex_object_key, id);
}

void slotindex_insert_thread(struct model *m, unsigned slot);
void slotindex_insert_object(struct model *m, unsigned slot);
void slotindex_rebuild_threads(struct model *m);
void slotindex_rebuild_objects(struct model *m);

/* The thread with tid or the object with id, for writing; NULL if none. */
static inline struct model_thread *
model_thread_find(struct model *m, unsigned tid)
{
	int s = slotindex_thread(m, tid);

	return s < 0 ? NULL : &m->threads[s];
}

static inline struct model_object *
model_object_find(struct model *m, uint32_t id)
{
	int s = slotindex_object(m, id);

	return s < 0 ? NULL : &m->objects[s];
}

/* model.c: the object kind an event of kind implies, for objects with no
 * name yet (a replayed trace without its tables) and for the sentences;
 * LS_OBJ_NONE when it says none. */
unsigned model_event_object_kind(unsigned kind);

/* model.c: t's held list.  unique: add id only if t does not hold it yet
 * (locks); semaphores hold one entry per permit.  A NULL t is no-op for
 * remove (a holder without a slot). */
void model_held_add(struct model_thread *t, uint32_t id, bool unique);
void model_held_remove(struct model_thread *t, uint32_t id);

/* model.c: thread tid (any slot, or none) holds id no more, though it
 * never said so: its release was lost (a heal, counted in healed; ts the
 * event that proved it).  A change of that thread. */
void model_held_lost(struct model *m, unsigned tid, uint32_t id,
		     uint64_t ts);

/* waits.c: t blocks on o (NULL: no slot; id is its id) in a *_WAIT of
 * kind at ts; t stops waiting at ts, for whatever reason. */
void waits_begin(struct model_thread *t, struct model_object *o, uint32_t id,
		 unsigned kind, uint64_t ts);
void waits_end(struct model *m, struct model_thread *t, uint64_t ts);

/*
 * changes.c: what the rows of an event's thread and object show before it
 * (changes_before, o may be NULL), and the stamps of what changed after it
 * (changes_stamp, with the event's ts).  The structs are here only so the
 * caller can keep them on its stack.
 */
struct changes_thread {
	unsigned state, nheld;
	uint32_t last_held, waiting_for;
	uint64_t task;
};

struct changes_object {
	unsigned owner, nreaders, nwaiting, nholders, workers, idle;
	uint64_t count, capacity;
	bool closed;
};

struct changes_before {
	struct changes_thread t;
	struct changes_object o;
	uint32_t pool;
};

void changes_before(const struct model_thread *t,
		    const struct model_object *o, struct changes_before *was);
void changes_stamp(struct model *m, struct model_thread *t,
		   struct model_object *o, const struct changes_before *was,
		   uint64_t ts);

/*
 * The per-kind folds: e (of their kind) into its thread t and object o (o
 * is NULL when the event's object has no slot).  t has already left any
 * wait and any gate (model.c); waited and since say whether t was waiting
 * for this very object before e, and since when.  The *_WAIT events are
 * model.c's (one rule for every wait), except for what a wait says about
 * a semaphore's holders (sems_wait).
 */
void locks_apply(struct model *m, struct model_thread *t,
		 struct model_object *o, const struct ls_event *e, bool waited,
		 uint64_t since);
void sems_apply(struct model *m, struct model_thread *t,
		struct model_object *o, const struct ls_event *e, bool waited,
		uint64_t since);
void sems_wait(struct model_object *o, unsigned tid);
void queues_apply(struct model *m, struct model_thread *t,
		  struct model_object *o, const struct ls_event *e,
		  bool waited, uint64_t since);
void pools_apply(struct model *m, struct model_thread *t,
		 struct model_object *o, const struct ls_event *e, bool waited,
		 uint64_t since);

/* pools.c: no task of pool o waits any more (o's slot is recycled, or
 * its queue is empty). */
void pools_forget(struct model *m, struct model_object *o);

/* timeline.c: t's state from ts on (a new span unless nothing changed);
 * its state_since follows. */
void timeline_push(struct model_thread *t, uint64_t ts, unsigned state);
const struct model_span *timeline_span(const struct model_thread *t,
				       unsigned i);
unsigned timeline_state_at(const struct model_thread *t, uint64_t ts);

/* metrics.c: a wait of class cls and ns ns that ended in getting o (NULL:
 * no slot), a task run of ns, the tick (model_tick), the percentiles and
 * the sample counts behind them (model.h). */
void metrics_wait(struct model *m, struct model_object *o, unsigned cls,
		  uint64_t ns);
void metrics_run(struct model *m, uint64_t ns);
void metrics_tick(struct model *m, uint64_t now);
uint64_t metrics_wait_percentile(const struct model *m, unsigned cls,
				 double p);
uint64_t metrics_wait_samples(const struct model *m, unsigned cls);
uint64_t metrics_run_percentile(const struct model *m, double p);

/*
 * history.c: the event log (model.h: model_log_*, model_recent).
 * history_entry: e with what the model knows before folding it, its
 * thread t and object o (each may be NULL: no slot).  history_push: the
 * same, logged.  history_retire: t's life in its slot ends (the slot is
 * recycled, or renamed and restarted for a reused tid); keep its name for
 * the log, once per life.  history_thread_name: the name tid had at ts (a
 * live slot's, a recycled one's, else "T<tid>"), into buf of n.
 */
void history_entry(const struct ls_event *e, const struct model_thread *t,
		   const struct model_object *o, struct model_log_entry *out);
void history_push(struct model *m, const struct ls_event *e,
		  const struct model_thread *t, const struct model_object *o);
size_t history_recent(const struct model *m, struct ls_event *out,
		      size_t max);
uint64_t history_first(const struct model *m);
const struct model_log_entry *history_get(const struct model *m,
					  uint64_t i);
void history_retire(struct model *m, const struct model_thread *t);
void history_thread_name(const struct model *m, unsigned tid, uint64_t ts,
			 char *buf, size_t n);

/* say.c: the sentence of log entry le (model.h: model_log_say). */
size_t say_entry(const struct model *m, const struct model_log_entry *le,
		 char *buf, size_t n);

#endif
