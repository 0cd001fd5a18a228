/*
 * waitgraph.h - deadlocks and lock-order inversions, found while the
 * model folds events.
 *
 * Two graphs ride on the model (model.h).  The wait-for graph is implicit
 * in it: a blocked thread waits for an object, and the object is held by
 * threads (a mutex's owner, an rwlock's writer or its readers, the threads
 * holding a semaphore's permits); a cycle of such edges is a deadlock,
 * unless one of its waits is timed (that thread gives up and goes on, so
 * the cycle breaks by itself: a timed wait is in no deadlock, though the
 * order graph below still learns from it).  Condition variables,
 * barriers, reset events and latches have no holders: their waits are
 * like a queue's, no edge.
 * Only a thread's own *_WAIT can close a cycle (every other event ends its
 * emitter's wait), so the search runs from that thread alone, in the same
 * model_apply, and the ui shows the cycle in the frame it formed.  The
 * order graph is lockdep's: an edge A -> B the first time any thread takes
 * (or waits for) B while holding A; an edge that closes a cycle there is a
 * potential deadlock, reported once with the acquisitions that made it,
 * whether or not the timing ever lined up.  waitgraph.c says which waits
 * count as waiting for whom (queues: nobody) and why.
 *
 * This header holds the types the model embeds and the calls model.c
 * makes; the ui and the headless report use the model_* calls in model.h.
 * Everything is bounded by the MODEL_* sizes below.
 */
#ifndef LOCKSTEP_WAITGRAPH_H
#define LOCKSTEP_WAITGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/event.h"

#define MODEL_MAX_CYCLE 128	/* threads in a deadlock: all of them */
#define MODEL_MAX_INV_LOCKS 32	/* locks in a reported order cycle */
#define MODEL_MAX_INVERSIONS 16	/* inversions kept; more are counted */
#define MODEL_MAX_EDGE_HOLDERS 8	/* holders listed per wait edge */
#define MODEL_ORDER_NODES 256	/* locks in the order graph */
#define MODEL_ORDER_EDGES 1024	/* orders in the order graph */

/*
 * A deadlock: tid[i] waits for obj[i], which tid[(i + 1) % n] holds; tid[0]
 * is the lowest tid in it.  ts: the event that closed it (or, for one that
 * formed while another was shown, the event that broke that one).
 */
struct model_cycle {
	unsigned n;
	uint64_t ts;		/* the event that closed it */
	uint64_t cleared;	/* the event that broke it, 0 while it holds */
	unsigned tid[MODEL_MAX_CYCLE];
	uint32_t obj[MODEL_MAX_CYCLE];
};

/* One established lock order: thread tid took `to` while holding `from`,
 * first at ts.  shared: held or taken for reading (rwlocks). */
struct model_order {
	uint32_t from, to;
	unsigned tid;
	uint64_t ts;
	bool from_shared, to_shared;
};

/*
 * A lock-order inversion: order[i].to == order[i + 1].from and the last
 * order's to is the first's from.  The last order is the acquisition that
 * closed the cycle; the others were established before it.  With two locks:
 * order[0] "T1 took A then B", order[1] "T2 took B then A".
 */
struct model_inversion {
	uint64_t ts;		/* the acquisition that closed the cycle */
	unsigned n;		/* orders (and locks) in the cycle */
	struct model_order order[MODEL_MAX_INV_LOCKS];
};

/* One edge of the wait-for graph as the Wait-for panel draws it. */
struct model_wait_edge {
	unsigned waiter;	/* tid of the blocked thread */
	uint32_t obj;		/* what it waits for */
	unsigned kind;		/* the *_WAIT event kind it waits in */
	uint64_t since;
	unsigned nholders;	/* threads it waits for (all of them) */
	unsigned holder[MODEL_MAX_EDGE_HOLDERS];	/* the first ones */
	bool granted;		/* let go, not running yet */
	bool timed;		/* a timed wait: it gives up, so it is in no
				 * deadlock (its holders are listed still) */
	bool in_cycle;		/* this edge is part of the current cycle */
};

/* The order graph: a node per lock, an edge per (from, to, modes). */
struct waitgraph_node {
	uint32_t id;		/* lock id, 0 for a free node */
	uint16_t out;		/* first out-edge + 1, 0 for none */
};

struct waitgraph_edge {
	struct model_order order;
	uint16_t from_node, to_node;
	uint16_t next_out;	/* next out-edge of from_node + 1, 0 ends */
};

/* The state model.c embeds (struct model's wg); zeroed by model_init. */
struct waitgraph {
	/* Deadlocks. */
	bool now_valid;		/* a cycle holds now: now */
	bool first_valid;	/* one was ever found: first */
	bool now_first;		/* now is first: first.cleared follows */
	bool now_doubtful;	/* now rests on semaphore holders outside it */
	struct model_cycle now, first;
	uint64_t deadlocks;	/* cycles that formed, also unlisted ones */

	/* Lock order. */
	struct waitgraph_node node[MODEL_ORDER_NODES];
	uint16_t node_index[2 * MODEL_ORDER_NODES];	/* id -> node + 1 */
	unsigned nnodes;
	struct waitgraph_edge edge[MODEL_ORDER_EDGES];
	uint16_t edge_index[2 * MODEL_ORDER_EDGES];	/* key -> edge + 1 */
	unsigned nedges;
	uint64_t order_overflow;	/* new orders that met a full graph */
	struct model_inversion inv[MODEL_MAX_INVERSIONS];
	unsigned ninv;
	uint64_t inversions;	/* found, also past MODEL_MAX_INVERSIONS */
	uint64_t inversions_long;	/* cycles longer than reported */
};

struct model;
struct model_thread;
struct model_object;

/*
 * Called by model_apply for a lock wait or acquisition (LOCK_, RD_, WR_
 * WAIT and ACQUIRED) by a thread holding something, before the event is
 * folded, while t's held list is still what t held before it: records the
 * orders from each mutex or rwlock t holds to the event's lock, and any
 * inversion a new order closes.  A known order costs one hash probe.
 */
void waitgraph_order(struct model *m, const struct model_thread *t,
		     const struct ls_event *e);

/*
 * Called by model_apply after an event is folded, with its thread and
 * object (NULL if none); left_wait: t was waiting before it.  Keeps the
 * current cycle true (it clears when an edge of it goes) and searches for
 * a new one when t began a wait.  model_apply may skip the call when t
 * does not wait now, neither t nor o is in the current cycle
 * (in_cycle), and wg.now_doubtful is false: it would do nothing.
 */
void waitgraph_update(struct model *m, struct model_thread *t,
		      struct model_object *o, const struct ls_event *e,
		      bool left_wait);

/* For model.h's model_wait_edges: see there. */
size_t waitgraph_edges(const struct model *m, struct model_wait_edge *out,
		       size_t max);

#endif
