/*
 * ring.h - the lock-free event ring between the engine and the model.
 *
 * Many producers (engine threads) emit events; one consumer (the model's
 * feeder: the ui thread, the headless runner, a test) drains them in global
 * timestamp order.  Emit never blocks and takes no lock: when a producer's
 * space is full the new event is dropped and counted, and the drop shows as
 * a gap in that producer's sequence numbers.  See src/trace/ring.c (the
 * producers) and ring-drain.c (the consumer) for the design and the
 * measurements behind it.
 *
 * Stamps are ticks (clock.h): what drain returns carries ls_clock_ticks()
 * values in ts, and src/model/feed.c turns them into CLOCK_MONOTONIC ns.
 * At equal stamps a release-type event (a lock or rwlock release, a
 * semaphore post, a queue push, a task submit) comes out before any other,
 * so a hand-off stamped with one tick on both sides keeps its order.
 *
 * The ring also keeps the name table of the run: each producer's name (by
 * tid) and each object's kind and name (by obj id), so that whatever reads
 * the events can label them.  A tid is reused only once its lane has been
 * unregistered and drained, and fresh tids are handed out first, so a tid
 * comes back only after max_tids registrations.
 */
#ifndef LOCKSTEP_RING_H
#define LOCKSTEP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"

struct ls_ring;
struct ls_lane;

/* Largest producer id (events carry it in 16 bits). */
#define LS_RING_MAX_TIDS 65535u
/* Registrations the ring remembers for ls_ring_registrations. */
#define LS_RING_JOURNAL 4096u
/* Longest stored name, without the terminating NUL. */
#define LS_NAME_MAX 31

struct ls_ring_config {
	uint32_t lane_events;	/* events per producer lane, a power of two >= 2 */
	uint32_t max_lanes;	/* producers registered at once, 1..1024 */
	uint32_t max_tids;	/* tids 1..max_tids, then reused; 0 for
				 * LS_RING_MAX_TIDS; at most that */
	/* Names and tids only, for a user that reads no events (the
	 * explorer): every emit is refused at once, as a drop is but not
	 * counted, no lane memory is allocated, and a lane is free again as
	 * soon as it is unregistered, with no drain. */
	bool no_events;
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
 * from then on only one thread at a time may emit on it.  The tid is a
 * fresh one while fewer than max_tids were handed out, else the one freed
 * longest ago.  Returns 0 and the lane in *out, -EAGAIN when max_lanes
 * producers are registered at once, -ENOSPC when every tid belongs to a
 * lane not yet unregistered and drained, -ENOMEM.
 */
int ls_ring_register(struct ls_ring *r, const char *name, struct ls_lane **out);

/*
 * Unregister.  Called by the thread that emits on the lane when it will
 * emit no more, or by any thread once that one has been joined (or never
 * emitted).  Events already emitted are still delivered; the lane and its
 * tid are reused once the consumer has drained them.  So whoever keys
 * anything by tid outside the ring (the engine's thread records) must
 * unregister only when that record is gone: src/engine/thread.c does it
 * after the join.
 */
void ls_ring_unregister(struct ls_lane *lane);

/*
 * Emit one event, stamped with ls_clock_ticks().  Only the lane's own
 * thread.  Lock-free and wait-free: a bounded number of steps, no system
 * call with the TSC.  Returns false when the lane was full and the event
 * was dropped (and counted); a drop reads no clock.
 */
bool ls_lane_emit(struct ls_lane *lane, unsigned kind, uint32_t obj,
		  uint64_t arg, uint32_t aux);

/*
 * The stamp (ticks) of the newest event this lane's thread emitted, 0
 * before the first.  Only the lane's own thread.  For an operation that
 * needs its own time right after an emit (an ACQUIRED whose tick starts
 * the hold that its RELEASED reports): read this instead of the clock.
 * After a dropped emit it is the older event's stamp; a caller that must
 * have the time of now compares ls_lane_emit's result first.
 */
uint64_t ls_lane_stamp(const struct ls_lane *lane);

/*
 * Emit in two steps, for an event whose arg is computed from its own
 * stamp (a wait time: ACQUIRED's arg is stamp - start, one clock read for
 * both).  ls_lane_begin marks the lane busy and returns the stamp;
 * ls_lane_commit writes the event with that stamp and returns as
 * ls_lane_emit does.  Between the two the consumer holds back every event
 * newer than this lane's last one, so do nothing there but arithmetic: no
 * lock, no other emit, no blocking.  Only the lane's own thread; every
 * begin is followed by exactly one commit.  Unlike ls_lane_emit, a drop
 * costs a clock read here.
 */
uint64_t ls_lane_begin(struct ls_lane *lane);
bool ls_lane_commit(struct ls_lane *lane, uint64_t stamp, unsigned kind,
		    uint32_t obj, uint64_t arg, uint32_t aux);

/*
 * Two events back to back on one clock read (a task's END and the next
 * task's START on a worker): ls_lane_commit_hold writes the first as
 * ls_lane_commit does but leaves the lane busy, so the consumer still
 * holds back every event not older than this one's stamp; the lane's next
 * call is then ls_lane_commit with the same stamp, or ls_lane_release
 * when no second event follows.  Between the two, as between begin and
 * commit: no lock, no other emit, no blocking, no caller's code.
 */
bool ls_lane_commit_hold(struct ls_lane *lane, uint64_t stamp, unsigned kind,
			 uint32_t obj, uint64_t arg, uint32_t aux);
void ls_lane_release(struct ls_lane *lane);

/* The producer id of a lane (1..LS_RING_MAX_TIDS). */
uint16_t ls_lane_tid(const struct ls_lane *lane);

/*
 * Move up to max events into out, oldest first, in global timestamp order:
 * no event is returned before an older one that some producer may still
 * publish, and at equal stamps release-type events first (see the top).
 * Stamps are ticks.  Only one thread at a time may drain.  Returns the
 * count, 0 when nothing is ready.
 */
size_t ls_ring_drain(struct ls_ring *r, struct ls_event *out, size_t max);

/* Events dropped so far by producer tid (by every producer that held it,
 * when it was reused), as seen by the consumer: a drop is counted here no
 * later than the next event of tid that drain returns.  The draining
 * thread only. */
uint64_t ls_ring_dropped(const struct ls_ring *r, unsigned tid);

/* Sum of ls_ring_dropped over every tid.  The draining thread only. */
uint64_t ls_ring_dropped_total(const struct ls_ring *r);

/* How many distinct tids have been handed out (at most max_tids); valid
 * tids are 1..this.  Any thread. */
unsigned ls_ring_thread_count(const struct ls_ring *r);

/* Copy the name of tid's latest producer into buf (NUL-terminated,
 * truncated to n).  Returns 0 or -ENOENT.  Any thread. */
int ls_ring_thread_name(const struct ls_ring *r, unsigned tid, char *buf,
			size_t n);

/*
 * Registrations are numbered 1, 2, ... in the order they get their tid.
 * Copy into tids the tid of each registration after *since, oldest first,
 * at most max, and advance *since past them; a reader that keeps *since
 * learns of every new or reused tid, in order.  Returns how many, or
 * -EOVERFLOW when some of them are older than the LS_RING_JOURNAL the ring
 * remembers: *since then jumps to the newest, and the caller re-reads every
 * name (1..ls_ring_thread_count).  Any thread.
 */
int ls_ring_registrations(const struct ls_ring *r, uint64_t *since,
			  unsigned *tids, unsigned max);

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

/* As ls_emit, and return the event's stamp (ticks): 0 when the thread has
 * no lane or the event was dropped, and then the caller reads
 * ls_clock_ticks() itself if it needs the time. */
static inline uint64_t
ls_emit_stamp(unsigned kind, uint32_t obj, uint64_t arg, uint32_t aux)
{
	struct ls_lane *lane = ls_trace_lane;

	if (lane && ls_lane_emit(lane, kind, obj, arg, aux))
		return ls_lane_stamp(lane);
	return 0;
}

/*
 * As ls_emit_stamp, for an event whose arg is the time since the caller's
 * earlier stamp since (a hold since its ACQUIRED, a run since its START):
 * arg is that in ns, from this event's own stamp (ls_lane_begin), 0 when
 * since is 0 (that stamp was never taken).  One clock read in all.
 */
static inline uint64_t
ls_emit_since(unsigned kind, uint32_t obj, uint64_t since, uint32_t aux)
{
	struct ls_lane *lane = ls_trace_lane;
	uint64_t now;

	if (!lane)
		return 0;
	now = ls_lane_begin(lane);
	if (!ls_lane_commit(lane, now, kind, obj,
			    since && now > since ?
				    ls_clock_ticks_to_ns(now - since) : 0,
			    aux))
		return 0;
	return now;
}

#ifdef LS_RING_TEST_HOOK
/* Tests only (compiled in with -DLS_RING_TEST_HOOK): called, when set,
 * between an emit's clock read and its publish. */
extern void (*ls_ring_test_stall)(struct ls_lane *lane);
#endif

#endif
