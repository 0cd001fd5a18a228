/*
 * ring-int.h - the event ring's insides, shared by its producer side
 * (ring.c) and its consumer side (ring-drain.c): the lane, the ring, and
 * who may write which field.
 */
#ifndef LOCKSTEP_RING_INT_H
#define LOCKSTEP_RING_INT_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lockstep/ring.h"

#define STAGE 4096u	/* events a lane's stage holds, at most */

/*
 * Whether the consumer orders the watermark with membarrier(2) (private
 * expedited, registered by the first ls_ring_create): then a producer marks
 * its lane active with a plain store and the consumer's membarrier is the
 * full barrier on both sides; else the producer's store is seq_cst.  Set
 * once, before any ring exists; relaxed, as it never changes after.
 */
extern _Atomic bool ring_membarrier;

/* The consumer's half of that barrier; ring.c. */
void ring_barrier(void);

enum lane_state {
	LANE_FREE = 0,	/* unused, may be claimed by register */
	LANE_CLAIMED,	/* being set up by register */
	LANE_LIVE,	/* a producer emits on it */
	LANE_RETIRED,	/* unregistered; consumer drains it, then frees it */
};

/*
 * Who writes what.  register (under meta_mu, while the lane is CLAIMED and
 * no one else looks at it) sets slots, stage, mask, tid, seq, tail_cache,
 * drops, drops_seen, stage_pos/end and last_ts, then publishes LIVE with a
 * seq_cst store; everyone who reads them loads state first.  The emitting
 * thread then writes head, active, seq, tail_cache, drops, stamp and the
 * slots in [tail, tail + mask].  The consumer writes tail, last_ts, the
 * stage and its positions, drops_seen, and state RETIRED -> FREE.  Only
 * unregister writes RETIRED.
 */
struct ls_lane {
	/* The producer's line. */
	alignas(64) _Atomic uint64_t head;	/* events published, ever */
	/* 1 from before the clock read to publish (to the second
	 * publish, or the release, of a hold: ls_lane_commit_hold) */
	_Atomic uint32_t active;
	uint32_t seq;			/* next sequence number */
	uint64_t tail_cache;		/* producer's last view of tail */
	_Atomic uint64_t drops;		/* events dropped, single writer */
	uint64_t stamp;			/* newest stamp written */
	struct ls_event *slots;
	uint32_t mask;
	uint16_t tid;
	bool no_events;			/* the ring's: every emit refused */
	struct ls_ring *ring;

	/* Written by the consumer, read by the producer when the lane looks
	 * full: alone on its line, since a full producer polls it. */
	alignas(64) _Atomic uint64_t tail;	/* events consumed, ever */

	/* The consumer's own line; no producer reads it while it is LIVE. */
	alignas(64) uint64_t last_ts;	/* newest ts staged, or registration */
	uint64_t drops_seen;	/* drops already added to drops_by_tid */
	struct ls_event *stage;	/* copied out of slots, not yet merged */
	uint32_t stage_pos, stage_end;
	_Atomic int state;	/* enum lane_state */
};

struct object_entry {
	unsigned kind;
	char name[LS_NAME_MAX + 1];
};

/* A lane in the merge: its stage from pos to end, keyed by its head. */
struct cursor {
	struct ls_lane *lane;
	uint32_t pos, end;
	uint64_t key;		/* key of stage[pos] */
};

struct ls_ring {
	uint32_t lane_events;
	uint32_t max_lanes;
	uint32_t max_tids;
	uint32_t stage_events;
	bool no_events;
	struct ls_lane *lanes;		/* max_lanes, cache-aligned */
	_Atomic uint32_t lanes_used;	/* lanes ever claimed: scan bound */

	/* meta_mu guards the name tables, the free tids, the journal and
	 * registration. */
	pthread_mutex_t meta_mu;
	char (*thread_names)[LS_NAME_MAX + 1];	/* by tid, [0] unused */
	unsigned thread_names_cap;
	_Atomic unsigned tids;			/* fresh tids handed out */
	uint16_t *tid_free;			/* a FIFO of max_tids */
	unsigned tid_free_head, tid_free_n;
	uint16_t journal[LS_RING_JOURNAL];	/* tid by registration no. */
	_Atomic uint64_t registrations;
	struct object_entry *objects;		/* by id - 1 */
	unsigned objects_cap;
	_Atomic unsigned nobjects;

	/* Consumer only. */
	uint64_t wm;			/* the newest watermark (ring-drain.c) */
	unsigned wm_source;		/* the clock source wm is in */
	uint64_t *drops_by_tid;		/* LS_RING_MAX_TIDS + 1 */
	uint64_t drops_total;
	struct cursor *cursors;		/* max_lanes, a min-heap on key */
};

#endif
