/*
 * ring.h - the lock-free event ring between the engine and the model.
 *
 * Many producers (engine threads) emit events; one consumer (the model's
 * feeder: the ui thread, the headless runner, a test) drains them in global
 * timestamp order.  Emit never blocks and takes no lock: when a producer's
 * space is full the new event is dropped and counted, and the drop shows as
 * a gap in that producer's sequence numbers.  See src/trace/ring.c for the
 * design and the measurements behind it.
 *
 * The ring also keeps the name table of the run: each producer's name (by
 * tid) and each object's kind and name (by obj id), so that whatever reads
 * the events can label them.
 */
#ifndef LOCKSTEP_RING_H
#define LOCKSTEP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/event.h"

struct ls_ring;
struct ls_lane;

/* Largest producer id; tids are never reused within one ring. */
#define LS_RING_MAX_TIDS 65535u
/* Longest stored name, without the terminating NUL. */
#define LS_NAME_MAX 31

struct ls_ring_config {
	uint32_t lane_events;	/* events per producer lane, a power of two >= 2 */
	uint32_t max_lanes;	/* producers registered at once, 1..1024 */
};

/* The defaults the program uses: 4096 events (128 KiB) per lane, 1024 lanes. */
#define LS_RING_DEFAULT_LANE_EVENTS 4096u
#define LS_RING_DEFAULT_MAX_LANES 1024u

/*
 * Create a ring.  cfg may be NULL for the defaults.  Memory is bounded by
 * lane_events * 32 bytes * max_lanes, allocated per lane when a lane is
 * first used.  Returns 0, -EINVAL for a bad config or -ENOMEM.
 */
int ls_ring_create(const struct ls_ring_config *cfg, struct ls_ring **out);

/* Free the ring.  Every producer must have unregistered. */
void ls_ring_destroy(struct ls_ring *r);

/*
 * Register a producer named name (truncated to LS_NAME_MAX).  Any thread
 * may register a lane, for itself or for a thread it is about to start;
 * from then on only one thread at a time may emit on it.  Returns 0 and the lane in *out, -EAGAIN when
 * max_lanes producers are registered at once, -ENOSPC when LS_RING_MAX_TIDS
 * tids have been handed out, -ENOMEM.
 */
int ls_ring_register(struct ls_ring *r, const char *name, struct ls_lane **out);

/*
 * Unregister.  Called by the thread that emits on the lane (or, if it
 * never emitted, by the one that registered it) when it will emit no more;
 * events already emitted are still delivered, and the lane is reused once
 * the consumer has drained them.
 */
void ls_ring_unregister(struct ls_lane *lane);

/*
 * Emit one event, stamped with ls_clock_ns().  Only the lane's own thread.
 * Lock-free and wait-free: a bounded number of steps, no system call but
 * the clock read.  Returns false when the lane was full and the event was
 * dropped (and counted).
 */
bool ls_lane_emit(struct ls_lane *lane, unsigned kind, uint32_t obj,
		  uint64_t arg, uint32_t aux);

/* The producer id of a lane (1..LS_RING_MAX_TIDS). */
uint16_t ls_lane_tid(const struct ls_lane *lane);

/*
 * Move up to max events into out, oldest first, in global timestamp order:
 * no event is returned before an older one that some producer may still
 * publish.  Only one thread at a time may drain.  Returns the count, 0 when
 * nothing is ready.
 */
size_t ls_ring_drain(struct ls_ring *r, struct ls_event *out, size_t max);

/* Events dropped so far by producer tid, as seen by the consumer: a drop
 * is counted here no later than the next event of tid that drain returns.
 * The draining thread only. */
uint64_t ls_ring_dropped(const struct ls_ring *r, unsigned tid);

/* Sum of ls_ring_dropped over every tid.  The draining thread only. */
uint64_t ls_ring_dropped_total(const struct ls_ring *r);

/* How many tids have been handed out; valid tids are 1..this.  Any thread. */
unsigned ls_ring_thread_count(const struct ls_ring *r);

/* Copy the name of tid into buf (NUL-terminated, truncated to n).  Returns
 * 0 or -ENOENT.  Any thread. */
int ls_ring_thread_name(const struct ls_ring *r, unsigned tid, char *buf,
			size_t n);

/*
 * Register an object of kind (enum ls_obj_kind) named name, for labels.
 * Any thread; takes a lock, so not for hot paths.  Returns its id (>= 1), or
 * 0 when r is NULL or memory is exhausted (events then carry obj 0).
 */
uint32_t ls_ring_object_add(struct ls_ring *r, unsigned kind,
			    const char *name);

/* How many objects have been registered; ids are 1..this.  Any thread. */
unsigned ls_ring_object_count(const struct ls_ring *r);

/* The kind and name of object id.  Returns 0 or -ENOENT.  Any thread. */
int ls_ring_object_info(const struct ls_ring *r, uint32_t id, unsigned *kind,
			char *buf, size_t n);

/*
 * The calling thread's current lane, used by ls_emit.  The engine binds a
 * lane when it starts a thread; a thread with no lane emits nothing, which
 * is how instrumentation is switched off.
 */
extern _Thread_local struct ls_lane *ls_trace_lane;

/* Emit on the calling thread's lane, if it has one. */
static inline void
ls_emit(unsigned kind, uint32_t obj, uint64_t arg, uint32_t aux)
{
	struct ls_lane *lane = ls_trace_lane;

	if (lane)
		ls_lane_emit(lane, kind, obj, arg, aux);
}

#endif
