/*
 * model.h - the picture the events add up to.
 *
 * The model is a pure fold: events in, state out.  It knows no ncurses and
 * no threads, so the live ui, the headless summary and a replayed trace all
 * see the same picture from the same events.  One thread owns a model (the
 * one that drains the ring); nothing in it is shared.
 *
 * Threads are keyed by the ring's tid and objects by the ring's object id;
 * names are handed in by whoever reads the ring's name tables
 * (model_name_thread, model_name_object), so the fold itself needs nothing
 * but events.  Everything is bounded: a fixed number of thread and object
 * slots (the oldest finished thread is recycled first), fixed histories.
 */
#ifndef LOCKSTEP_MODEL_H
#define LOCKSTEP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/event.h"
#include "model/waitgraph.h"
#include "util/hist.h"

#define MODEL_MAX_THREADS 128	/* thread slots; done ones are recycled */
#define MODEL_MAX_OBJECTS 128
#define MODEL_MAX_HELD 8	/* objects one thread holds at once */
#define MODEL_MAX_WAITERS 32	/* waiters shown per object, in order */
#define MODEL_MAX_READERS 32
#define MODEL_MAX_HOLDERS 32	/* semaphore permit holders */
#define MODEL_SPANS 256		/* state changes kept per thread */
#define MODEL_SAMPLES 120	/* metric samples kept (one per tick) */
#define MODEL_LOG 32768		/* events kept for the log: 1.25 MiB */
#define MODEL_NAME 32
#define MODEL_SERIES 33	/* points of a variable's series, 1..32 */
#define MODEL_INDEX 256		/* id -> slot hash size (internal) */
#define MODEL_PRIOS 8		/* priorities listed per pool */
#define MODEL_TASKS 4096	/* waiting tasks whose priority is known */
#define MODEL_TASK_BUCKETS 1024	/* (pool, task id) hash size (internal) */
#define MODEL_RETIRED 256	/* names of recycled thread slots kept */

/*
 * What a wait was for.  A wait sample is a wait that blocked and ended in
 * getting what it waited for: a contended lock, rwlock or semaphore
 * acquisition, a push or pop that found the queue full or empty, a submit
 * that waited for room in a pool's queue, and every task's time in its
 * pool's queue (from submit to start).  An acquisition that did not wait
 * is no sample; neither is a wait that timed out or was cancelled (each
 * object counts those).
 */
enum model_wait_class {
	MODEL_WAIT_LOCK,	/* mutexes, rwlocks, semaphores */
	MODEL_WAIT_QUEUE,	/* room or an item in a queue, room in a pool */
	MODEL_WAIT_TASK,	/* a task from submit to start */
	MODEL_WAIT_ALL,		/* all of the above together */
};
#define MODEL_WAIT_CLASSES MODEL_WAIT_ALL

/* Tasks waiting in a pool at one priority. */
struct model_prio {
	int32_t priority;	/* as submitted: lower runs sooner */
	uint32_t waiting;
};

/* A waiting task's priority, by (pool, task id): pools.c, internal. */
struct model_task {
	uint64_t id;
	uint32_t pool;
	int32_t priority;
	uint16_t next;		/* the next in its bucket + 1, 0 ends */
	bool unlisted;		/* counted in its pool's prio_other */
};

/*
 * One event as the log keeps it, with what the fold knew just before it
 * that the event itself does not say, so that it can be told later
 * (model_log_say) as it was: who held the object a thread began to wait
 * for, not who holds it now.
 */
struct model_log_entry {
	struct ls_event e;
	uint16_t holder;	/* the object's owner (mutex, writer), 0 none */
	uint16_t readers;	/* rwlocks: readers inside */
	uint16_t flags;		/* MODEL_LOG_* */
	uint16_t unused;
};

#define MODEL_LOG_WAITED 1u	/* its thread was waiting for this object */

/* The name a recycled thread slot had, for the log's older entries. */
struct model_retired {
	unsigned tid;
	uint64_t first_ts;	/* its first event */
	char name[MODEL_NAME];
};

/* A pool's workers as their own states tell (model_pool_workers). */
struct model_pool_workers {
	unsigned workers;	/* its worker threads not done */
	unsigned idle;		/* IDLE: waiting for a task */
	unsigned paused;	/* PARKED at a gate */
	unsigned busy;		/* the rest: running, or blocked or in I/O
				 * inside a task */
};

/* A run of one state, for the timeline. */
struct model_span {
	uint64_t start;		/* ts the state began */
	uint8_t state;		/* enum ls_thread_state */
};

struct model_thread {
	bool used;
	unsigned tid;
	char name[MODEL_NAME];
	unsigned state;		/* enum ls_thread_state */
	uint64_t state_since;
	uint64_t first_ts, last_ts;
	unsigned last_kind;	/* the last event's kind: what it did */
	uint32_t last_obj;
	uint64_t last_arg;
	uint32_t waiting_for;	/* object id it is blocked on, 0 if none */
	unsigned wait_kind;	/* the *_WAIT event kind it is blocked in */
	uint64_t wait_since;
	uint32_t held[MODEL_MAX_HELD];
	unsigned nheld;
	uint64_t task;		/* task id it runs, when a pool worker */
	uint64_t task_since;	/* ts its TASK_START came, 0 when none */
	unsigned parked_from;	/* the state a GATE_PASS goes back to */
	uint64_t events;
	uint32_t next_seq;	/* the seq expected next */
	uint64_t lost;		/* events missing from its sequence */
	uint64_t tasks_done;
	/* The pool it works for, 0 if none: set by its TASK_ events and by
	 * the POOL_SCALE a worker emits when it starts; the one it emits
	 * when it leaves clears it (engine/pool.c). */
	uint32_t pool;
	/* A post handed it the semaphore it still waits for: it waits for
	 * nobody (waitgraph.h).  Cleared when its wait ends. */
	bool granted;
	bool in_cycle;		/* one of the current deadlock's threads */
	/* The ts of its last real change (its first event, its state, what
	 * it holds or waits for, its task), 0 before any: what a frame drawn
	 * at model time x emphasises when changed > x. */
	uint64_t changed;
	struct model_span spans[MODEL_SPANS];	/* a ring, oldest first */
	unsigned span_head, nspans;	/* index of the oldest; how many */
};

/* A thread holding permits of a semaphore. */
struct model_holder {
	unsigned tid;
	unsigned permits;
};

/* One waiter in an object's queue. */
struct model_waiter {
	unsigned tid;
	unsigned kind;		/* LOCK_WAIT, RD_WAIT, WR_WAIT, Q_PUSH_WAIT... */
	uint64_t since;
};

struct model_object {
	bool used;
	uint32_t id;
	unsigned kind;		/* enum ls_obj_kind */
	char name[MODEL_NAME];
	unsigned owner;		/* mutex holder or rwlock writer tid, 0 free */
	uint64_t owned_since;
	unsigned readers[MODEL_MAX_READERS];	/* rwlock readers inside */
	unsigned nreaders;
	struct model_waiter waiters[MODEL_MAX_WAITERS];	/* arrival order */
	unsigned nwaiters;
	unsigned nwaiting;	/* all waiters, also past MODEL_MAX_WAITERS */
	bool closed;		/* a queue that has been closed */
	uint64_t last_ts;	/* its latest event, for slot recycling */
	uint64_t count;		/* queue/pool depth, semaphore count,
				 * rwlock readers inside, variable value
				 * (a MARK that reads it leaves it) */
	/* Variables: a series by index (MARK aux), 0 unused; who read or
	 * wrote it last (access: LS_MARK_READ or LS_MARK_WRITE). */
	uint64_t series[MODEL_SERIES];
	unsigned nseries;
	unsigned access_tid, access;
	uint64_t capacity;	/* queue/pool capacity, 0 unknown */
	uint64_t acquired, contended, timeouts, cancelled, errors;
	uint64_t wait_ns_total, wait_ns_max;
	/* Pools.  workers and idle: the engine's figures at its last
	 * POOL_SCALE, which says nothing when a worker goes idle or busy;
	 * model_pool_workers counts from the workers' own states. */
	unsigned workers, idle;
	uint64_t submitted, completed, failed, rejected, dropped;
	/*
	 * Pools: the tasks waiting to run (submitted, not yet started nor
	 * dropped) at each priority, ascending (lower runs sooner), only
	 * priorities with some; prio_other counts the waiting tasks of the
	 * priorities past the first MODEL_PRIOS listed.  A task past the
	 * MODEL_TASKS the model keeps is counted in tasks_overflow alone.  A
	 * task a worker has taken but not yet started (a worker paused at
	 * its "run task" gate) still waits here; a depth of 0 (POOL_DEPTH)
	 * clears them all.
	 */
	struct model_prio prios[MODEL_PRIOS];
	unsigned nprios;
	uint64_t prio_other;
	/*
	 * Semaphores: the threads that took permits and have not posted
	 * them, for the wait-for graph.  sem_signal: the permits have no
	 * owners after all (a post by a thread holding none, a wait by a
	 * thread already holding one, or more holders than listed), so a
	 * wait on it waits for nobody in particular; it stays set.
	 */
	struct model_holder holders[MODEL_MAX_HOLDERS];
	unsigned nholders;
	bool sem_signal;
	bool in_cycle;		/* one of the current deadlock's objects */
	/* The ts of its last real change (owner, readers, waiters, permit
	 * holders, depth or count or value, capacity, workers, closed), 0
	 * before any.  Counters (acquired, submitted...) are no change. */
	uint64_t changed;
	/* Lock hierarchy violations (ERROR LS_ERR_HIERARCHY) on it. */
	uint64_t hierarchy_errors;
	struct ls_event last_hierarchy;
	/* Depth at each tick, for the sparkline. */
	uint16_t depth_samples[MODEL_SAMPLES];
	unsigned nsamples;
};

/* An outcome a scene reported (OUTCOME): the failure its lesson is about. */
struct model_outcome {
	unsigned kind;		/* enum ls_outcome */
	uint32_t obj;		/* the object involved, 0 for none */
	unsigned tid;		/* the thread that caused it (aux), 0 unknown */
	uint64_t ts;
};

struct model {
	struct model_thread threads[MODEL_MAX_THREADS];
	struct model_object objects[MODEL_MAX_OBJECTS];
	uint64_t first_ts, now;	/* first event's ts, latest ts seen */
	uint64_t events;
	uint64_t lost;		/* sum of sequence gaps over threads */
	uint64_t ring_dropped;	/* drop count reported by the ring */
	uint64_t errors;
	struct ls_event last_error;
	uint64_t hierarchy_errors;	/* ERROR LS_ERR_HIERARCHY, anywhere */
	struct ls_event last_hierarchy;
	/* Outcomes: how many, the first and the latest (model_outcomes). */
	uint64_t outcomes;
	struct model_outcome outcome_first, outcome_last;
	uint64_t changed;	/* the latest change of any thread or object */
	uint64_t threads_overflow;	/* events dropped: no thread slot */
	uint64_t objects_overflow;	/* events whose object had no slot */
	uint64_t tasks_overflow;	/* tasks whose priority was not kept */
	/* Releases the model had to assume lost: an ACQUIRED while another
	 * thread held the lock (locks.c, top).  Nonzero means events were
	 * dropped or reached the model out of order: show it. */
	uint64_t healed;

	/* Rates, from tick to tick. */
	uint64_t tick_ts, tick_events, tick_tasks;
	double events_per_s, tasks_per_s;
	uint64_t tasks_done;

	/* Waits by class (enum model_wait_class) and task run times: the
	 * current window and the previous one, so percentiles cover 1-2
	 * windows (model_wait_class_percentile). */
	struct hist wait_now[MODEL_WAIT_CLASSES], wait_prev[MODEL_WAIT_CLASSES];
	struct hist run_now, run_prev;

	/* The event log: a ring of the newest MODEL_LOG of the log_end
	 * events logged (model_log_first, model_log_say). */
	struct model_log_entry log[MODEL_LOG];
	uint64_t log_end;
	/* Names of recycled thread slots, a ring of the newest. */
	struct model_retired retired[MODEL_RETIRED];
	unsigned nretired;

	/* Waiting pool tasks' priorities (pools.c): ntasks entries, found
	 * through chains from task_bucket (entry + 1, 0 empty). */
	struct model_task tasks[MODEL_TASKS];
	unsigned ntasks;
	uint16_t task_bucket[MODEL_TASK_BUCKETS];

	/* Hashes of tid and object id to slot + 1 (0 empty), internal. */
	uint8_t thread_index[MODEL_INDEX];
	uint8_t object_index[MODEL_INDEX];

	struct waitgraph wg;	/* deadlocks, lock order (waitgraph.h) */
};

/* Start an empty model.  m is large (about 2.2 MiB, 1.25 MiB of it the
 * event log): allocate it. */
void model_init(struct model *m);

/* Name a thread or an object (from the ring's tables).  Creates the slot
 * when the name arrives before any event. */
void model_name_thread(struct model *m, unsigned tid, const char *name);
void model_name_object(struct model *m, uint32_t id, unsigned kind,
		       const char *name);

/* Fold one event in.  Events must come in timestamp order. */
void model_apply(struct model *m, const struct ls_event *e);

/* Record the ring's drop total (shown beside the model's own gaps). */
void model_set_ring_dropped(struct model *m, uint64_t dropped);

/* Close a metrics window at time now: rates, depth samples, percentile
 * windows.  The ui calls it about once a second. */
void model_tick(struct model *m, uint64_t now);

/* The thread with tid, or NULL. */
const struct model_thread *model_thread(const struct model *m, unsigned tid);

/* The object with id, or NULL. */
const struct model_object *model_object(const struct model *m, uint32_t id);

/* The p-th percentile (0..100) of waits (of every class) or run times
 * over the last one or two windows, in ns; 0 with no samples. */
uint64_t model_wait_percentile(const struct model *m, double p);
uint64_t model_run_percentile(const struct model *m, double p);

/* The same for the waits of one class (enum model_wait_class, or
 * MODEL_WAIT_ALL), and how many samples that class has in those windows
 * (0 for a class out of range). */
uint64_t model_wait_class_percentile(const struct model *m, unsigned cls,
				     double p);
uint64_t model_wait_samples(const struct model *m, unsigned cls);

/* The state of thread t at time ts, from its spans (its first known state
 * before the oldest span).  For the timeline.  A thread held at a gate is
 * PARKED from its GATE_WAIT up to its next event, whatever it was before
 * (also blocked, when the end of its wait was lost). */
unsigned model_state_at(const struct model_thread *t, uint64_t ts);

/* The i-th oldest span of t (i < t->nspans), or NULL.  For the timeline. */
const struct model_span *model_span(const struct model_thread *t,
				    unsigned i);

/* Copy up to max recent events, newest last.  Returns how many. */
size_t model_recent(const struct model *m, struct ls_event *out, size_t max);

/*
 * The event log, for the whole run as far as it fits.  Every event the
 * model folds is numbered in the order folded, from 0; the newest
 * MODEL_LOG are kept (40 bytes each, 1.25 MiB).  model_log_end: one past
 * the newest number (the events logged).  model_log_first: the oldest
 * number kept, which is also how many older events were dropped; the ts
 * of that entry says from when the log is whole.  model_log_entry: entry
 * i, or NULL when it was dropped or is not there yet.
 */
uint64_t model_log_first(const struct model *m);
uint64_t model_log_end(const struct model *m);
const struct model_log_entry *model_log_entry(const struct model *m,
					      uint64_t i);

/*
 * One event as a short sentence a class reads, with the model's names for
 * its thread and objects and no engine words: "bob locked B", "alice
 * waits for B (held by bob)", "bob wrote balance = 50", "queue depth 3 of
 * 8 after carol pushed", "bob is paused before: lock B".  Writes at most n
 * bytes including the NUL (truncating) and returns the length of the
 * whole sentence, as snprintf does.  model_log_say tells entry i of the
 * log as it was when it was folded (0 and "" when i is not kept); a
 * thread whose slot is gone is named from the model's names of recycled
 * slots, else "T<tid>".  model_say tells an event not (yet) folded, with
 * what the model knows now.
 */
size_t model_log_say(const struct model *m, uint64_t i, char *buf,
		     size_t n);
size_t model_say(const struct model *m, const struct ls_event *e, char *buf,
		 size_t n);

/*
 * How many workers of pool (an object id) are idle, paused and busy, from
 * the states of the worker threads themselves (model_thread.pool), so the
 * figures always agree with the Threads panel: workers the model has no
 * slot for are not counted.  Zeros for an unknown pool.
 */
void model_pool_workers(const struct model *m, uint32_t pool,
			struct model_pool_workers *out);

/*
 * The outcomes reported so far (LS_EV_OUTCOME, enum ls_outcome): returns
 * how many, and copies the first and the latest into first and last (each
 * may be NULL; untouched when there is none).  Read from the events alone,
 * so a recording replayed later draws the same banner as the live run.
 */
uint64_t model_outcomes(const struct model *m, struct model_outcome *first,
			struct model_outcome *last);

/*
 * Deadlocks (waitgraph.h).  model_deadlock: whether a wait-for cycle holds
 * now; if so and out is not NULL, copies it there (threads and objects in
 * cycle order, the ts of the event that closed it).  model_first_deadlock:
 * the first cycle ever found, also after it broke (its cleared says when),
 * for the headless report.  model_deadlocks: how many cycles formed.  Like
 * every call here, for the thread that owns m; they cannot fail.
 */
bool model_deadlock(const struct model *m, struct model_cycle *out);
bool model_first_deadlock(const struct model *m, struct model_cycle *out);
uint64_t model_deadlocks(const struct model *m);

/*
 * Lock-order inversions found so far, each once, oldest first: copies up
 * to max of them into out (which may be NULL when max is 0) and returns
 * how many the model keeps (at most MODEL_MAX_INVERSIONS; wg.inversions
 * counts those past it too).
 */
size_t model_inversions(const struct model *m, struct model_inversion *out,
			size_t max);

/*
 * The wait-for graph now, for the Wait-for panel: one edge per blocked
 * thread that has a slot, in slot order, up to max.  Returns how many.
 * Queues and pools have no holders: their waiters come with none.
 */
size_t model_wait_edges(const struct model *m, struct model_wait_edge *out,
			size_t max);

#endif
