/*
 * ring.c - the event ring: one single-producer lane per thread, merged by
 * timestamp on the consumer side.
 *
 * Why lanes and not one multi-producer ring: with one shared ring every
 * emit does a CAS or fetch-add on one shared head, so two producers on two
 * cores bounce that cache line on every event; with a lane per producer an
 * emit touches only its own lane's line and its own slots, and the cost on
 * two cores stays the cost on one (`lockstep bench ring` prints both; the
 * mutex ring it prints as the baseline is what one shared structure costs).
 * The price is paid by the one consumer, which merges lanes by timestamp -
 * off the engine's path.
 *
 * Emit (wait-free, bounded): mark the lane active, read the clock (ticks,
 * clock.h), write the slot, publish head with a release store, clear
 * active.  Full: count a drop in the lane (single writer, so a plain
 * atomic store) and return.  Every attempt takes a sequence number, so a
 * drop is a gap in seq.  A lane's slots are written once at registration
 * (page faults and zeroing there, not in the first burst of emits).
 *
 * Drain must never hand out an event while an older one may still appear
 * in another lane: a producer can read the clock and be preempted before
 * it publishes.  The consumer reads the clock (T) first, then each lane's
 * active flag and head.  A lane that is not active will stamp any later
 * event with a time >= T; an active lane's in-flight event is no older
 * than the newest event it already published.  The smallest of those
 * bounds is the watermark W; drain hands out the events older than W
 * (strictly: an event stamped W itself could tie with one still to come).
 * The seq_cst fence after reading T pairs with the seq_cst store of the
 * active flag before the producer reads the clock; an LFENCE before the
 * producer's TSC read and one after the consumer's keep each read on its
 * side of those (clock.h).
 *
 * Drain in batches: for each lane the consumer first copies every slot
 * published so far (up to a stage of STAGE events) into the lane's stage,
 * which only it touches, and gives the slots back at once with one release
 * store of tail - the producer has its space again before the merge even
 * starts, and the copy is a sequential read the prefetchers follow.  The
 * merge then runs over the stages in cache: a heap of lanes on the key
 * (stamp, rank), rank 0 for release-type kinds, and runs of one lane's
 * events copied out without touching the heap per event.
 *
 * Tids: a registration takes a fresh tid while fewer than max_tids were
 * handed out, else the tid freed longest ago.  A tid is free once its lane
 * was unregistered and drained, which the consumer finds and marks FREE;
 * the next register that claims that lane moves its old tid to the free
 * queue (meta_mu), so the consumer takes no lock.  A journal of the last
 * LS_RING_JOURNAL registrations tells a reader which tids changed hands.
 */
#include "config.h"

#include "lockstep/ring.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"

#define STAGE 512u	/* events a lane's stage holds, at most */

_Thread_local struct ls_lane *ls_trace_lane;

#ifdef LS_RING_TEST_HOOK
void (*ls_ring_test_stall)(struct ls_lane *lane);
#define RING_TEST_STALL(lane)                                                \
	do {                                                                 \
		if (ls_ring_test_stall)                                      \
			ls_ring_test_stall(lane);                            \
	} while (0)
#else
#define RING_TEST_STALL(lane) ((void)0)
#endif

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
	_Atomic uint32_t active;	/* 1 from before the clock read to publish */
	uint32_t seq;			/* next sequence number */
	uint64_t tail_cache;		/* producer's last view of tail */
	_Atomic uint64_t drops;		/* events dropped, single writer */
	uint64_t stamp;			/* newest stamp written */
	struct ls_event *slots;
	uint32_t mask;
	uint16_t tid;
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
	uint64_t *drops_by_tid;		/* LS_RING_MAX_TIDS + 1 */
	uint64_t drops_total;
	struct cursor *cursors;		/* max_lanes, a min-heap on key */
};

static bool
is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int
ls_ring_create(const struct ls_ring_config *cfg, struct ls_ring **out)
{
	struct ls_ring_config def = {
		.lane_events = LS_RING_DEFAULT_LANE_EVENTS,
		.max_lanes = LS_RING_DEFAULT_MAX_LANES,
	};
	struct ls_ring *r;
	uint32_t i;

	if (!cfg)
		cfg = &def;
	if (cfg->lane_events < 2 || !is_pow2(cfg->lane_events) ||
	    cfg->lane_events > (1u << 24) || cfg->max_lanes < 1 ||
	    cfg->max_lanes > 1024 || cfg->max_tids > LS_RING_MAX_TIDS)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->lane_events = cfg->lane_events;
	r->max_lanes = cfg->max_lanes;
	r->max_tids = cfg->max_tids ? cfg->max_tids : LS_RING_MAX_TIDS;
	r->stage_events = r->lane_events < STAGE ? r->lane_events : STAGE;
	r->lanes = aligned_alloc(64, sizeof(*r->lanes) * r->max_lanes);
	r->drops_by_tid = calloc(LS_RING_MAX_TIDS + 1,
				 sizeof(*r->drops_by_tid));
	r->cursors = calloc(r->max_lanes, sizeof(*r->cursors));
	r->tid_free = calloc(r->max_tids, sizeof(*r->tid_free));
	if (!r->lanes || !r->drops_by_tid || !r->cursors || !r->tid_free ||
	    pthread_mutex_init(&r->meta_mu, NULL))
		goto fail;
	memset(r->lanes, 0, sizeof(*r->lanes) * r->max_lanes);
	for (i = 0; i < r->max_lanes; i++) {
		r->lanes[i].ring = r;
		r->lanes[i].mask = r->lane_events - 1;
		atomic_init(&r->lanes[i].state, LANE_FREE);
	}
	*out = r;
	return 0;
fail:
	free(r->lanes);
	free(r->drops_by_tid);
	free(r->cursors);
	free(r->tid_free);
	free(r);
	return -ENOMEM;
}

void
ls_ring_destroy(struct ls_ring *r)
{
	uint32_t i;

	if (!r)
		return;
	for (i = 0; i < r->max_lanes; i++)
		free(r->lanes[i].slots);
	free(r->lanes);
	free(r->thread_names);
	free(r->objects);
	free(r->drops_by_tid);
	free(r->cursors);
	free(r->tid_free);
	pthread_mutex_destroy(&r->meta_mu);
	free(r);
}

/* Grow a table of elem-sized entries so it holds at least need.  meta_mu
 * held.  Returns 0 or -ENOMEM. */
static int
table_reserve(void **tab, unsigned *cap, unsigned need, size_t elem)
{
	unsigned ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*tab, (size_t)ncap * elem);
	if (!p)
		return -ENOMEM;
	memset((char *)p + (size_t)*cap * elem, 0,
	       (size_t)(ncap - *cap) * elem);
	*tab = p;
	*cap = ncap;
	return 0;
}

/* Claim a free lane.  meta_mu held.  Returns NULL when none is free. */
static struct ls_lane *
lane_claim_locked(struct ls_ring *r)
{
	uint32_t i;

	for (i = 0; i < r->max_lanes; i++) {
		int expect = LANE_FREE;

		if (atomic_compare_exchange_strong(&r->lanes[i].state, &expect,
						   LANE_CLAIMED)) {
			if (i + 1 > atomic_load(&r->lanes_used))
				atomic_store(&r->lanes_used, i + 1);
			return &r->lanes[i];
		}
	}
	return NULL;
}

/* The lane's memory: slots and stage in one block, written through once
 * so that no emit takes a page fault.  Returns 0 or -ENOMEM. */
static int
lane_alloc(struct ls_ring *r, struct ls_lane *lane)
{
	size_t n = (size_t)r->lane_events + r->stage_events;

	if (lane->slots)
		return 0;
	lane->slots = malloc(n * sizeof(*lane->slots));
	if (!lane->slots)
		return -ENOMEM;
	memset(lane->slots, 0, n * sizeof(*lane->slots));
	lane->stage = lane->slots + r->lane_events;
	return 0;
}

/* A tid for a new registration on lane, whose previous tid (if any) is
 * free now.  meta_mu held.  Returns 0 when every tid is taken. */
static unsigned
tid_take_locked(struct ls_ring *r, struct ls_lane *lane)
{
	unsigned fresh = atomic_load(&r->tids), i, tid;

	if (lane->tid) {
		r->tid_free[(r->tid_free_head + r->tid_free_n) % r->max_tids] =
			lane->tid;
		r->tid_free_n++;
		lane->tid = 0;
	}
	if (fresh < r->max_tids) {
		atomic_store(&r->tids, fresh + 1);
		return fresh + 1;
	}
	if (r->tid_free_n) {
		tid = r->tid_free[r->tid_free_head];
		r->tid_free_head = (r->tid_free_head + 1) % r->max_tids;
		r->tid_free_n--;
		return tid;
	}
	/* Free tids still parked on FREE lanes (more lanes than tids). */
	for (i = 0; i < r->max_lanes; i++) {
		struct ls_lane *l = &r->lanes[i];

		if (l->tid && atomic_load(&l->state) == LANE_FREE) {
			tid = l->tid;
			l->tid = 0;
			return tid;
		}
	}
	return 0;
}

int
ls_ring_register(struct ls_ring *r, const char *name, struct ls_lane **out)
{
	struct ls_lane *lane;
	unsigned tid, need;
	uint64_t reg;
	int err = 0;

	if (pthread_mutex_lock(&r->meta_mu))
		return -EINVAL;
	lane = lane_claim_locked(r);
	if (!lane) {
		err = -EAGAIN;
		goto out;
	}
	/* Names up to the next fresh tid: a reused one is smaller. */
	need = atomic_load(&r->tids) + 2;
	if (need > r->max_tids + 1)
		need = r->max_tids + 1;
	if (lane_alloc(r, lane) ||
	    table_reserve((void **)&r->thread_names, &r->thread_names_cap,
			  need, sizeof(*r->thread_names))) {
		err = -ENOMEM;
		goto unclaim;
	}
	tid = tid_take_locked(r, lane);
	if (!tid) {
		err = -ENOSPC;
		goto unclaim;
	}
	snprintf(r->thread_names[tid], sizeof(r->thread_names[tid]), "%s",
		 name ? name : "");
	reg = atomic_load(&r->registrations) + 1;
	r->journal[reg % LS_RING_JOURNAL] = (uint16_t)tid;
	atomic_store(&r->registrations, reg);
	/* The consumer left head == tail and an empty stage when it freed
	 * the lane; both keep counting from there. */
	lane->tid = (uint16_t)tid;
	lane->seq = 0;
	lane->stamp = 0;
	lane->tail_cache = atomic_load(&lane->tail);
	atomic_store_explicit(&lane->drops, 0, memory_order_relaxed);
	lane->drops_seen = 0;
	lane->stage_pos = lane->stage_end = 0;
	atomic_store_explicit(&lane->active, 0, memory_order_relaxed);
	lane->last_ts = ls_clock_ticks();
	/* seq_cst: a drain that does not see LIVE read its clock before this
	 * store, so every event of this lane is stamped after that drain's T. */
	atomic_store(&lane->state, LANE_LIVE);
	*out = lane;
	goto out;
unclaim:
	atomic_store(&lane->state, LANE_FREE);
out:
	if (pthread_mutex_unlock(&r->meta_mu))
		err = -EINVAL;
	return err;
}

void
ls_ring_unregister(struct ls_lane *lane)
{
	/* Release: the consumer that sees RETIRED sees the final head. */
	atomic_store_explicit(&lane->state, LANE_RETIRED, memory_order_release);
}

uint16_t
ls_lane_tid(const struct ls_lane *lane)
{
	return lane->tid;
}

uint64_t
ls_lane_stamp(const struct ls_lane *lane)
{
	return lane->stamp;
}

/* Is the lane full at head?  Refreshes the producer's view of tail. */
static inline bool
lane_full(struct ls_lane *lane, uint64_t head)
{
	if (head - lane->tail_cache <= lane->mask)
		return false;
	/* Acquire: the consumer is done reading the slots it freed. */
	lane->tail_cache = atomic_load_explicit(&lane->tail,
						memory_order_acquire);
	return head - lane->tail_cache > lane->mask;
}

/* Count a drop.  It publishes nothing, so it needs no active flag: the
 * consumer is never held back by it. */
static inline void
lane_drop(struct ls_lane *lane)
{
	atomic_store_explicit(&lane->drops,
			      atomic_load_explicit(&lane->drops,
						   memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* Mark the lane active, then read the clock (see the top). */
static inline uint64_t
lane_stamp_now(struct ls_lane *lane)
{
	/* seq_cst, before the clock read: the watermark rule. */
	atomic_store(&lane->active, 1);
	return ls_clock_ticks();
}

/* Write the event at head and publish it; clear active. */
static inline void
lane_publish(struct ls_lane *lane, uint64_t head, uint64_t ts, uint32_t seq,
	     unsigned kind, uint32_t obj, uint64_t arg, uint32_t aux)
{
	struct ls_event *e = &lane->slots[head & lane->mask];

	RING_TEST_STALL(lane);
	e->ts = ts;
	e->arg = arg;
	e->seq = seq;
	e->obj = obj;
	e->tid = lane->tid;
	e->kind = (uint16_t)kind;
	e->aux = aux;
	lane->stamp = ts;
	/* Release: the slot's contents (and the drop count) before head. */
	atomic_store_explicit(&lane->head, head + 1, memory_order_release);
	atomic_store_explicit(&lane->active, 0, memory_order_release);
}

bool
ls_lane_emit(struct ls_lane *lane, unsigned kind, uint32_t obj, uint64_t arg,
	     uint32_t aux)
{
	uint64_t head = atomic_load_explicit(&lane->head, memory_order_relaxed);
	uint32_t seq = lane->seq++;

	if (lane_full(lane, head)) {
		lane_drop(lane);
		return false;
	}
	lane_publish(lane, head, lane_stamp_now(lane), seq, kind, obj, arg,
		     aux);
	return true;
}

uint64_t
ls_lane_begin(struct ls_lane *lane)
{
	return lane_stamp_now(lane);
}

bool
ls_lane_commit(struct ls_lane *lane, uint64_t stamp, unsigned kind,
	       uint32_t obj, uint64_t arg, uint32_t aux)
{
	uint64_t head = atomic_load_explicit(&lane->head, memory_order_relaxed);
	uint32_t seq = lane->seq++;

	if (lane_full(lane, head)) {
		lane_drop(lane);
		atomic_store_explicit(&lane->active, 0, memory_order_release);
		return false;
	}
	lane_publish(lane, head, stamp, seq, kind, obj, arg, aux);
	return true;
}

/* The consumer. */

/* Kinds that hand something over: at equal stamps they sort first. */
#define RELEASE_KINDS                                                        \
	((1ull << LS_EV_LOCK_RELEASED) | (1ull << LS_EV_RD_RELEASED) |       \
	 (1ull << LS_EV_WR_RELEASED) | (1ull << LS_EV_SEM_POST) |            \
	 (1ull << LS_EV_Q_PUSHED) | (1ull << LS_EV_TASK_SUBMIT))
_Static_assert(LS_EV_KIND_COUNT <= 64, "kinds fit the release mask");

/* The merge key: the stamp, then 0 for a release-type kind, 1 else.  A
 * stamp uses at most 63 bits (2^63 TSC cycles is 90 years at 3 GHz). */
static inline uint64_t
event_key(const struct ls_event *e)
{
	unsigned rel = e->kind < 64 && ((RELEASE_KINDS >> e->kind) & 1);

	return e->ts << 1 | (rel ^ 1u);
}

static void
heap_sift_down(struct cursor *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct cursor tmp;

		if (l < n && h[l].key < h[m].key)
			m = l;
		if (l + 1 < n && h[l + 1].key < h[m].key)
			m = l + 1;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

/* Fold the lane's drop count into the consumer's tables.  Read after
 * head, so it covers every gap before the events this drain returns. */
static void
lane_note_drops(struct ls_ring *r, struct ls_lane *lane)
{
	uint64_t d = atomic_load_explicit(&lane->drops, memory_order_relaxed);

	if (d > lane->drops_seen) {
		r->drops_total += d - lane->drops_seen;
		r->drops_by_tid[lane->tid] += d - lane->drops_seen;
		lane->drops_seen = d;
	}
}

/*
 * Copy the lane's published slots [tail, head) into its stage, as many as
 * fit, and give them back to the producer.  Returns the bound the lane
 * sets on the watermark: the stamp of its first event left in the slots
 * when the stage was too small (nothing newer may go out before it), else
 * for an active lane the stamp of its newest published event (its
 * in-flight one is no older), read before the slots go back, else none.
 */
static uint64_t
lane_stage(struct ls_ring *r, struct ls_lane *lane, uint64_t head,
	   bool active)
{
	uint64_t tail = atomic_load_explicit(&lane->tail, memory_order_relaxed);
	uint64_t bound = UINT64_MAX;
	uint32_t room, n, at, first;

	if (head == tail)
		return active ? lane->last_ts : bound;
	if (active)
		bound = lane->slots[(head - 1) & lane->mask].ts;
	if (lane->stage_pos == lane->stage_end) {
		lane->stage_pos = lane->stage_end = 0;
	} else if (lane->stage_pos) {
		memmove(lane->stage, lane->stage + lane->stage_pos,
			(lane->stage_end - lane->stage_pos) *
				sizeof(*lane->stage));
		lane->stage_end -= lane->stage_pos;
		lane->stage_pos = 0;
	}
	room = r->stage_events - lane->stage_end;
	n = head - tail < room ? (uint32_t)(head - tail) : room;
	if (n < head - tail)
		bound = lane->slots[(tail + n) & lane->mask].ts;
	if (n) {
		at = (uint32_t)(tail & lane->mask);
		first = n < lane->mask + 1 - at ? n : lane->mask + 1 - at;
		memcpy(lane->stage + lane->stage_end, lane->slots + at,
		       first * sizeof(*lane->slots));
		memcpy(lane->stage + lane->stage_end + first, lane->slots,
		       (n - first) * sizeof(*lane->slots));
		lane->stage_end += n;
		lane->last_ts = lane->stage[lane->stage_end - 1].ts;
		/* Release: we are done reading the slots before tail. */
		atomic_store_explicit(&lane->tail, tail + n,
				      memory_order_release);
	}
	return bound;
}

/* Free a retired lane that has been drained; its tid goes free with it
 * (register moves it to the free queue). */
static void
lane_free(struct ls_lane *lane)
{
	/* Release: register's CAS sees our final tail. */
	atomic_store(&lane->state, LANE_FREE);
}

/* Scan the lanes: stage what they published, free the drained retired
 * ones, and return the watermark; cursors[0..*nc) get the lanes with
 * staged events. */
static uint64_t
drain_scan(struct ls_ring *r, size_t *nc)
{
	uint64_t now, w;
	uint32_t nused, i;

	now = ls_clock_ticks();
	ls_clock_order_after();
	atomic_thread_fence(memory_order_seq_cst);
	/* After the clock: a lane claimed after this load stamps every event
	 * after now, like a lane that is not active. */
	nused = atomic_load(&r->lanes_used);
	w = now;
	*nc = 0;
	for (i = 0; i < nused; i++) {
		struct ls_lane *lane = &r->lanes[i];
		int state = atomic_load(&lane->state);
		uint64_t head, bound;
		bool active;

		if (state != LANE_LIVE && state != LANE_RETIRED)
			continue;
		active = atomic_load(&lane->active);
		head = atomic_load_explicit(&lane->head, memory_order_acquire);
		lane_note_drops(r, lane);
		bound = lane_stage(r, lane, head, active);
		if (bound < w)
			w = bound;
		if (lane->stage_pos == lane->stage_end) {
			if (state == LANE_RETIRED &&
			    atomic_load_explicit(&lane->tail,
						 memory_order_relaxed) == head)
				lane_free(lane);
			continue;
		}
		r->cursors[(*nc)++] = (struct cursor){
			.lane = lane, .pos = lane->stage_pos,
			.end = lane->stage_end,
			.key = event_key(&lane->stage[lane->stage_pos]),
		};
	}
	return w;
}

/*
 * Two lanes ready, the common case of a busy ring: a plain two-way merge,
 * one comparison per event.  Stops when one side runs out (or reaches w)
 * or out is full; writes the positions back.  Returns the new n.
 */
static size_t
merge_two(struct cursor *a, struct cursor *b, uint64_t w,
	  struct ls_event *out, size_t n, size_t max)
{
	const struct ls_event *sa = a->lane->stage, *sb = b->lane->stage;
	uint32_t pa = a->pos, pb = b->pos;
	uint64_t ka = a->key, kb = b->key;

	while (n < max) {
		if (ka <= kb) {
			out[n++] = sa[pa++];
			if (pa == a->end || sa[pa].ts >= w)
				break;
			ka = event_key(&sa[pa]);
		} else {
			out[n++] = sb[pb++];
			if (pb == b->end || sb[pb].ts >= w)
				break;
			kb = event_key(&sb[pb]);
		}
	}
	a->lane->stage_pos = a->pos = pa;
	b->lane->stage_pos = b->pos = pb;
	a->key = pa < a->end ? event_key(&sa[pa]) : 0;
	b->key = pb < b->end ? event_key(&sb[pb]) : 0;
	return n;
}

/* Is the cursor's next event one to take (older than w)? */
static inline bool
cursor_ready(const struct cursor *c, uint64_t w)
{
	return c->pos < c->end && c->lane->stage[c->pos].ts < w;
}

size_t
ls_ring_drain(struct ls_ring *r, struct ls_event *out, size_t max)
{
	struct cursor *h = r->cursors;
	size_t nc, k = 0, j, n = 0;
	uint64_t w = drain_scan(r, &nc);

	/* The heap of lanes whose next event is older than w. */
	for (j = 0; j < nc; j++)
		if (cursor_ready(&h[j], w))
			h[k++] = h[j];
	nc = k;
	if (nc == 2) {
		n = merge_two(&h[0], &h[1], w, out, n, max);
		/* Whichever side is left goes on alone, below. */
		if (!cursor_ready(&h[0], w))
			h[0] = h[1];
		nc = cursor_ready(&h[0], w) ? 1 : 0;
	}
	for (j = nc / 2; j-- > 0;)
		heap_sift_down(h, nc, j);

	while (nc && n < max) {
		struct cursor *c = &h[0];
		const struct ls_event *st = c->lane->stage;
		uint64_t limit = UINT64_MAX;

		/* Copy a run: every event of this lane that sorts no later
		 * than the other lanes' next, without touching the heap per
		 * event.  The second smallest key is a child of the root. */
		if (nc > 1)
			limit = h[1].key;
		if (nc > 2 && h[2].key < limit)
			limit = h[2].key;
		do {
			out[n++] = st[c->pos++];
		} while (n < max && c->pos < c->end && st[c->pos].ts < w &&
			 event_key(&st[c->pos]) <= limit);
		c->lane->stage_pos = c->pos;
		if (c->pos < c->end && st[c->pos].ts < w) {
			c->key = event_key(&st[c->pos]);
		} else {
			h[0] = h[--nc];
		}
		heap_sift_down(h, nc, 0);
	}
	return n;
}

uint64_t
ls_ring_dropped(const struct ls_ring *r, unsigned tid)
{
	if (tid > LS_RING_MAX_TIDS)
		return 0;
	return r->drops_by_tid[tid];
}

uint64_t
ls_ring_dropped_total(const struct ls_ring *r)
{
	return r->drops_total;
}

unsigned
ls_ring_thread_count(const struct ls_ring *r)
{
	return atomic_load(&r->tids);
}

int
ls_ring_thread_name(const struct ls_ring *r, unsigned tid, char *buf, size_t n)
{
	struct ls_ring *mr = (struct ls_ring *)r;
	int err = 0;

	if (pthread_mutex_lock(&mr->meta_mu))
		return -EINVAL;
	if (tid == 0 || tid > atomic_load(&r->tids))
		err = -ENOENT;
	else if (n)
		snprintf(buf, n, "%s", r->thread_names[tid]);
	if (pthread_mutex_unlock(&mr->meta_mu))
		err = -EINVAL;
	return err;
}

int
ls_ring_registrations(const struct ls_ring *r, uint64_t *since,
		      unsigned *tids, unsigned max)
{
	struct ls_ring *mr = (struct ls_ring *)r;
	uint64_t now;
	int n = 0;

	if (pthread_mutex_lock(&mr->meta_mu))
		return -EINVAL;
	now = atomic_load(&r->registrations);
	if (now - *since > LS_RING_JOURNAL) {
		*since = now;
		n = -EOVERFLOW;
	} else {
		for (; *since < now && (unsigned)n < max; n++)
			tids[n] = r->journal[++*since % LS_RING_JOURNAL];
	}
	if (pthread_mutex_unlock(&mr->meta_mu))
		n = -EINVAL;
	return n;
}

uint32_t
ls_ring_object_add(struct ls_ring *r, unsigned kind, const char *name)
{
	unsigned id;

	if (!r || pthread_mutex_lock(&r->meta_mu))
		return 0;
	id = atomic_load(&r->nobjects) + 1;
	if (table_reserve((void **)&r->objects, &r->objects_cap, id,
			  sizeof(*r->objects))) {
		id = 0;
	} else {
		r->objects[id - 1].kind = kind;
		snprintf(r->objects[id - 1].name, sizeof(r->objects[0].name),
			 "%s", name ? name : "");
		atomic_store(&r->nobjects, id);
	}
	if (pthread_mutex_unlock(&r->meta_mu))
		return 0;
	return id;
}

unsigned
ls_ring_object_count(const struct ls_ring *r)
{
	return atomic_load(&r->nobjects);
}

int
ls_ring_object_info(const struct ls_ring *r, uint32_t id, unsigned *kind,
		    char *buf, size_t n)
{
	struct ls_ring *mr = (struct ls_ring *)r;
	int err = 0;

	if (pthread_mutex_lock(&mr->meta_mu))
		return -EINVAL;
	if (id == 0 || id > atomic_load(&r->nobjects)) {
		err = -ENOENT;
	} else {
		if (kind)
			*kind = r->objects[id - 1].kind;
		if (n)
			snprintf(buf, n, "%s", r->objects[id - 1].name);
	}
	if (pthread_mutex_unlock(&mr->meta_mu))
		err = -EINVAL;
	return err;
}
