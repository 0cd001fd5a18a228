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
#define MODEL_LOG 256		/* recent events kept for the event log */
#define MODEL_NAME 32
#define MODEL_SERIES 33	/* points of a variable's series, 1..32 */
#define MODEL_INDEX 256		/* id -> slot hash size (internal) */

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
	/* A post handed it the semaphore it still waits for: it waits for
	 * nobody (waitgraph.h).  Cleared when its wait ends. */
	bool granted;
	bool in_cycle;		/* one of the current deadlock's threads */
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
				 * rwlock readers inside, variable value */
	/* Variables: a series by index (MARK aux), 0 unused. */
	uint64_t series[MODEL_SERIES];
	unsigned nseries;
	uint64_t capacity;	/* queue/pool capacity, 0 unknown */
	uint64_t acquired, contended, timeouts, cancelled, errors;
	uint64_t wait_ns_total, wait_ns_max;
	/* Pools. */
	unsigned workers, idle;
	uint64_t submitted, completed, failed, rejected, dropped;
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
	/* Lock hierarchy violations (ERROR LS_ERR_HIERARCHY) on it. */
	uint64_t hierarchy_errors;
	struct ls_event last_hierarchy;
	/* Depth at each tick, for the sparkline. */
	uint16_t depth_samples[MODEL_SAMPLES];
	unsigned nsamples;
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
	uint64_t threads_overflow;	/* events dropped: no thread slot */
	uint64_t objects_overflow;	/* events whose object had no slot */
	/* Releases the model had to assume lost: an ACQUIRED while another
	 * thread held the lock (model.c, top).  Nonzero means events were
	 * dropped or reached the model out of order: show it. */
	uint64_t healed;

	/* Rates, from tick to tick. */
	uint64_t tick_ts, tick_events, tick_tasks;
	double events_per_s, tasks_per_s;
	uint64_t tasks_done;

	/* Waits (lock/queue/task queue) and task run times: the current
	 * window and the previous one, so percentiles cover 1-2 windows. */
	struct hist wait_now, wait_prev, run_now, run_prev;

	struct ls_event log[MODEL_LOG];	/* a ring of recent events */
	unsigned log_head, nlog;	/* next slot written; how many kept */

	/* Hashes of tid and object id to slot + 1 (0 empty), internal. */
	uint8_t thread_index[MODEL_INDEX];
	uint8_t object_index[MODEL_INDEX];

	struct waitgraph wg;	/* deadlocks, lock order (waitgraph.h) */
};

/* Start an empty model.  m is large (about 830 KiB): allocate it. */
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

/* The p-th percentile (0..100) of waits or run times over the last one or
 * two windows, in ns; 0 with no samples. */
uint64_t model_wait_percentile(const struct model *m, double p);
uint64_t model_run_percentile(const struct model *m, double p);

/* The state of thread t at time ts, from its spans (its first known state
 * before the oldest span).  For the timeline. */
unsigned model_state_at(const struct model_thread *t, uint64_t ts);

/* The i-th oldest span of t (i < t->nspans), or NULL.  For the timeline. */
const struct model_span *model_span(const struct model_thread *t,
				    unsigned i);

/* Copy up to max recent events, newest last.  Returns how many. */
size_t model_recent(const struct model *m, struct ls_event *out, size_t max);

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
