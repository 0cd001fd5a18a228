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
 * Emit (wait-free, bounded): mark the lane active, read the clock, write
 * the slot, publish head with a release store, clear active.  Full: count
 * a drop in the lane (single writer, so a plain atomic store) and return.
 * Every attempt takes a sequence number, so a drop is a gap in seq.
 *
 * Drain must never hand out an event while an older one may still appear
 * in another lane: a producer can read the clock and be preempted before
 * it publishes.  The consumer reads the clock (T) first, then each lane's
 * active flag and head.  A lane that is not active will stamp any later
 * event with a time >= T; an active lane's in-flight event is no older
 * than the newest event it already published.  The smallest of those
 * bounds is the watermark W; drain merges every lane's events up to W.
 * The seq_cst fence after reading T pairs with the seq_cst store of the
 * active flag before the producer reads the clock.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/ring.h"

_Thread_local struct ls_lane *ls_trace_lane;

enum lane_state {
	LANE_FREE = 0,	/* unused, may be claimed by register */
	LANE_CLAIMED,	/* being set up by register */
	LANE_LIVE,	/* a producer emits on it */
	LANE_RETIRED,	/* unregistered; consumer drains it, then frees it */
};

struct ls_lane {
	/* Written by the producer on every emit. */
	alignas(64) _Atomic uint64_t head;	/* events published, ever */
	_Atomic uint32_t active;	/* 1 from before the clock read to publish */
	uint32_t seq;			/* next sequence number */
	uint64_t tail_cache;		/* producer's last view of tail */
	_Atomic uint64_t drops;		/* events dropped, single writer */
	struct ls_event *slots;
	uint32_t mask;
	uint16_t tid;
	struct ls_ring *ring;

	/* Written by the consumer. */
	alignas(64) _Atomic uint64_t tail;	/* events consumed, ever */
	uint64_t last_ts;	/* newest ts taken, or registration time */
	_Atomic int state;	/* enum lane_state */
};

struct object_entry {
	unsigned kind;
	char name[LS_NAME_MAX + 1];
};

struct cursor {
	struct ls_lane *lane;
	uint64_t pos, end;	/* next slot to take; head seen */
	uint64_t bound;		/* take only events with ts <= bound */
};

struct ls_ring {
	uint32_t lane_events;
	uint32_t max_lanes;
	struct ls_lane *lanes;		/* max_lanes, cache-aligned */
	_Atomic uint32_t lanes_used;	/* lanes ever claimed: scan bound */

	/* Name tables; meta_mu guards them and registration. */
	pthread_mutex_t meta_mu;
	char (*thread_names)[LS_NAME_MAX + 1];	/* by tid, [0] unused */
	unsigned thread_names_cap;
	_Atomic unsigned tids;			/* tids handed out */
	struct object_entry *objects;		/* by id - 1 */
	unsigned objects_cap;
	_Atomic unsigned nobjects;

	/* Consumer only. */
	uint64_t *drops_seen;		/* by tid, LS_RING_MAX_TIDS + 1 */
	uint64_t drops_total;
	struct cursor *cursors;		/* max_lanes, a min-heap on ts */
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
	    cfg->max_lanes > 1024)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->lane_events = cfg->lane_events;
	r->max_lanes = cfg->max_lanes;
	r->lanes = aligned_alloc(64, sizeof(*r->lanes) * r->max_lanes);
	r->drops_seen = calloc(LS_RING_MAX_TIDS + 1, sizeof(*r->drops_seen));
	r->cursors = calloc(r->max_lanes, sizeof(*r->cursors));
	if (!r->lanes || !r->drops_seen || !r->cursors ||
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
	free(r->drops_seen);
	free(r->cursors);
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
	free(r->drops_seen);
	free(r->cursors);
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

int
ls_ring_register(struct ls_ring *r, const char *name, struct ls_lane **out)
{
	struct ls_lane *lane;
	unsigned tid;
	int err = 0;

	pthread_mutex_lock(&r->meta_mu);
	tid = atomic_load(&r->tids) + 1;
	if (tid > LS_RING_MAX_TIDS) {
		err = -ENOSPC;
		goto out;
	}
	if (table_reserve((void **)&r->thread_names, &r->thread_names_cap,
			  tid + 1, sizeof(*r->thread_names))) {
		err = -ENOMEM;
		goto out;
	}
	lane = lane_claim_locked(r);
	if (!lane) {
		err = -EAGAIN;
		goto out;
	}
	if (!lane->slots) {
		lane->slots = calloc(r->lane_events, sizeof(*lane->slots));
		if (!lane->slots) {
			atomic_store(&lane->state, LANE_FREE);
			err = -ENOMEM;
			goto out;
		}
	}
	snprintf(r->thread_names[tid], sizeof(r->thread_names[tid]), "%s",
		 name ? name : "");
	/* The consumer left head == tail when it freed the lane; both keep
	 * counting from there. */
	lane->tid = (uint16_t)tid;
	lane->seq = 0;
	lane->tail_cache = atomic_load(&lane->tail);
	atomic_store_explicit(&lane->drops, 0, memory_order_relaxed);
	atomic_store_explicit(&lane->active, 0, memory_order_relaxed);
	lane->last_ts = ls_clock_ns();
	atomic_store(&r->tids, tid);
	/* seq_cst: a drain that does not see LIVE read its clock before this
	 * store, so every event of this lane is stamped after that drain's T. */
	atomic_store(&lane->state, LANE_LIVE);
	*out = lane;
out:
	pthread_mutex_unlock(&r->meta_mu);
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

bool
ls_lane_emit(struct ls_lane *lane, unsigned kind, uint32_t obj, uint64_t arg,
	     uint32_t aux)
{
	uint64_t head, ts;
	uint32_t seq = lane->seq++;
	struct ls_event *e;

	head = atomic_load_explicit(&lane->head, memory_order_relaxed);
	if (head - lane->tail_cache > lane->mask) {
		/* Acquire: the consumer is done reading the slots it freed. */
		lane->tail_cache = atomic_load_explicit(&lane->tail,
							memory_order_acquire);
		if (head - lane->tail_cache > lane->mask) {
			/* A drop publishes nothing, so it needs no active
			 * flag: the consumer is never held back by it. */
			atomic_store_explicit(
				&lane->drops,
				atomic_load_explicit(&lane->drops,
						     memory_order_relaxed) + 1,
				memory_order_relaxed);
			return false;
		}
	}
	/* seq_cst, before the clock read: see the watermark note on top. */
	atomic_store(&lane->active, 1);
	ts = ls_clock_ns();
	e = &lane->slots[head & lane->mask];
	e->ts = ts;
	e->arg = arg;
	e->seq = seq;
	e->obj = obj;
	e->tid = lane->tid;
	e->kind = (uint16_t)kind;
	e->aux = aux;
	/* Release: the slot's contents (and the drop count) before head. */
	atomic_store_explicit(&lane->head, head + 1, memory_order_release);
	atomic_store_explicit(&lane->active, 0, memory_order_release);
	return true;
}

/* Min-heap of cursors on the ts of each cursor's next event. */

static uint64_t
cursor_ts(const struct cursor *c)
{
	return c->lane->slots[c->pos & c->lane->mask].ts;
}

static void
heap_sift_down(struct cursor *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct cursor tmp;

		if (l < n && cursor_ts(&h[l]) < cursor_ts(&h[m]))
			m = l;
		if (l + 1 < n && cursor_ts(&h[l + 1]) < cursor_ts(&h[m]))
			m = l + 1;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

/* Is the cursor's next event takeable? */
static bool
cursor_ready(const struct cursor *c)
{
	return c->pos < c->end && cursor_ts(c) <= c->bound;
}

/* Fold the lane's drop count into the consumer's table.  Read after head,
 * so it covers every gap before the events this drain returns. */
static void
lane_note_drops(struct ls_ring *r, struct ls_lane *lane)
{
	uint64_t d = atomic_load_explicit(&lane->drops, memory_order_relaxed);
	uint64_t *seen = &r->drops_seen[lane->tid];

	if (d > *seen) {
		r->drops_total += d - *seen;
		*seen = d;
	}
}

/* Free a retired lane that has been drained. */
static void
lane_free(struct ls_lane *lane)
{
	/* Release: register's CAS sees our final tail. */
	atomic_store(&lane->state, LANE_FREE);
}

size_t
ls_ring_drain(struct ls_ring *r, struct ls_event *out, size_t max)
{
	uint32_t nused, i;
	uint64_t now, w;
	size_t nc = 0, n = 0;

	now = ls_clock_ns();
	atomic_thread_fence(memory_order_seq_cst);
	/* After the clock: a lane claimed after this load stamps every event
	 * after now, like a lane that is not active. */
	nused = atomic_load(&r->lanes_used);
	w = now;
	for (i = 0; i < nused; i++) {
		struct ls_lane *lane = &r->lanes[i];
		int state = atomic_load(&lane->state);
		uint64_t head, tail, bound = now;
		bool active;

		if (state != LANE_LIVE && state != LANE_RETIRED)
			continue;
		active = atomic_load(&lane->active);
		head = atomic_load_explicit(&lane->head, memory_order_acquire);
		tail = atomic_load_explicit(&lane->tail, memory_order_relaxed);
		lane_note_drops(r, lane);
		if (active) {
			/* Its in-flight event is no older than its newest. */
			bound = head > tail
					? lane->slots[(head - 1) & lane->mask].ts
					: lane->last_ts;
		}
		if (bound < w)
			w = bound;
		if (head == tail) {
			if (state == LANE_RETIRED)
				lane_free(lane);
			continue;
		}
		r->cursors[nc++] = (struct cursor){
			.lane = lane, .pos = tail, .end = head,
		};
	}

	/* Build the heap of lanes with an event at or before w. */
	{
		size_t k = 0, j;

		for (j = 0; j < nc; j++) {
			r->cursors[j].bound = w;
			if (cursor_ready(&r->cursors[j]))
				r->cursors[k++] = r->cursors[j];
		}
		nc = k;
		for (j = nc / 2; j-- > 0;)
			heap_sift_down(r->cursors, nc, j);
	}

	while (nc && n < max) {
		struct cursor *c = &r->cursors[0];
		struct ls_lane *lane = c->lane;
		uint64_t limit = c->bound, ts;

		/* Copy a run: every event of this lane no newer than the next
		 * lane's first, without touching the heap per event. */
		if (nc > 1 && cursor_ts(&r->cursors[1]) < limit)
			limit = cursor_ts(&r->cursors[1]);
		if (nc > 2 && cursor_ts(&r->cursors[2]) < limit)
			limit = cursor_ts(&r->cursors[2]);
		do {
			const struct ls_event *e =
				&lane->slots[c->pos & lane->mask];

			__builtin_prefetch(&lane->slots[(c->pos + 8) &
							lane->mask]);
			ts = e->ts;
			out[n++] = *e;
			c->pos++;
		} while (n < max && c->pos < c->end &&
			 lane->slots[c->pos & lane->mask].ts <= limit);
		lane->last_ts = ts;
		if (!cursor_ready(c)) {
			/* Release: we are done reading the slots before pos. */
			atomic_store_explicit(&lane->tail, c->pos,
					      memory_order_release);
			r->cursors[0] = r->cursors[--nc];
		}
		heap_sift_down(r->cursors, nc, 0);
	}
	/* Cursors still in the heap stopped at max: hand back their slots. */
	for (i = 0; i < nc; i++)
		atomic_store_explicit(&r->cursors[i].lane->tail,
				      r->cursors[i].pos, memory_order_release);
	return n;
}

uint64_t
ls_ring_dropped(const struct ls_ring *r, unsigned tid)
{
	if (tid > LS_RING_MAX_TIDS)
		return 0;
	return r->drops_seen[tid];
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

	pthread_mutex_lock(&mr->meta_mu);
	if (tid == 0 || tid > atomic_load(&r->tids))
		err = -ENOENT;
	else if (n)
		snprintf(buf, n, "%s", r->thread_names[tid]);
	pthread_mutex_unlock(&mr->meta_mu);
	return err;
}

uint32_t
ls_ring_object_add(struct ls_ring *r, unsigned kind, const char *name)
{
	unsigned id;

	if (!r)
		return 0;
	pthread_mutex_lock(&r->meta_mu);
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
	pthread_mutex_unlock(&r->meta_mu);
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

	pthread_mutex_lock(&mr->meta_mu);
	if (id == 0 || id > atomic_load(&r->nobjects)) {
		err = -ENOENT;
	} else {
		if (kind)
			*kind = r->objects[id - 1].kind;
		if (n)
			snprintf(buf, n, "%s", r->objects[id - 1].name);
	}
	pthread_mutex_unlock(&mr->meta_mu);
	return err;
}
