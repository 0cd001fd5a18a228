/*
 * ring.c - the event ring: one single-producer lane per thread, merged by
 * timestamp on the consumer side (ring-drain.c).  This file: creating the
 * ring, registering producers and their tids, the emit, the name tables.
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
 * active.  Marking active must be ordered before the clock read against
 * the consumer's reads (a StoreLoad order): where the kernel offers
 * membarrier(2), the consumer pays for it with one system call per drain
 * (a barrier on every thread of the process) and the producer's store is
 * a plain one - no locked instruction in the emit; elsewhere that store is
 * seq_cst.  Two events back to back can share one clock read
 * (ls_lane_commit_hold): the first is published with active still set, so
 * the consumer keeps bounding the lane by that stamp until the second,
 * carrying it too, clears it.  Full: count a drop in the lane (single
 * writer, so a plain atomic store) and return.  Every attempt takes a
 * sequence number, so a drop is a gap in seq.  A lane's slots are written
 * once at registration (page faults and zeroing there, not in the first
 * burst of emits).
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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "trace/ring-int.h"
#include "util/str.h"

_Thread_local struct ls_lane *ls_trace_lane;

_Atomic bool ring_membarrier;
static pthread_once_t ring_membarrier_once = PTHREAD_ONCE_INIT;

/* Register for private expedited membarriers, once per process. */
static void
ring_membarrier_init(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		    0, 0) == 0)
		atomic_store(&ring_membarrier, true);
}

void
ring_barrier(void)
{
	/* Registered, so it cannot fail; if it did, the order the emits
	 * rely on would be gone: stop rather than mis-order. */
	if (atomic_load_explicit(&ring_membarrier, memory_order_relaxed) &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		abort();
	atomic_thread_fence(memory_order_seq_cst);
}

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
	if (pthread_once(&ring_membarrier_once, ring_membarrier_init))
		return -EINVAL;
	if (cfg->lane_events < 2 || !is_pow2(cfg->lane_events) ||
	    cfg->lane_events > (1u << 24) || cfg->max_lanes < 1 ||
	    cfg->max_lanes > 1024 || cfg->max_tids > LS_RING_MAX_TIDS)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->lane_events = cfg->lane_events;
	r->max_lanes = cfg->max_lanes;
	r->no_events = cfg->no_events;
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
		r->lanes[i].no_events = r->no_events;
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

	if (lane->slots || r->no_events)
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
	str_copy(r->thread_names[tid], sizeof(r->thread_names[tid]),
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
	/* Nothing to drain: free now, as a drain would (lane_free); the
	 * tid goes free with it when the lane is claimed again. */
	if (lane->no_events) {
		atomic_store(&lane->state, LANE_FREE);
		return;
	}
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

/* Count a drop.  It publishes nothing, so it needs no active flag of its
 * own (within a hold the lane stays active for the second event). */
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
	if (atomic_load_explicit(&ring_membarrier, memory_order_relaxed)) {
		/* The consumer's membarrier orders it against its reads;
		 * the compiler must still keep it before the clock read. */
		atomic_store_explicit(&lane->active, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
	} else {
		/* seq_cst, before the clock read: the watermark rule. */
		atomic_store(&lane->active, 1);
	}
	return ls_clock_ticks();
}

/* Write the event at head and publish it. */
static inline void
lane_write(struct ls_lane *lane, uint64_t head, uint64_t ts, uint32_t seq,
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
}

/* Write the event at head and publish it; clear active. */
static inline void
lane_publish(struct ls_lane *lane, uint64_t head, uint64_t ts, uint32_t seq,
	     unsigned kind, uint32_t obj, uint64_t arg, uint32_t aux)
{
	lane_write(lane, head, ts, seq, kind, obj, arg, aux);
	atomic_store_explicit(&lane->active, 0, memory_order_release);
}

bool
ls_lane_emit(struct ls_lane *lane, unsigned kind, uint32_t obj, uint64_t arg,
	     uint32_t aux)
{
	uint64_t head = atomic_load_explicit(&lane->head, memory_order_relaxed);
	uint32_t seq = lane->seq++;

	if (lane->no_events)
		return false;
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
	/* No consumer to hold back: the clock only. */
	if (lane->no_events)
		return ls_clock_ticks();
	return lane_stamp_now(lane);
}

/* Commit an event stamped by ls_lane_begin; with hold, publish it with
 * the lane still active (ls_lane_commit_hold): the consumer then bounds
 * the lane by this stamp, which the second event will carry too. */
static inline bool
lane_commit(struct ls_lane *lane, uint64_t stamp, unsigned kind,
	    uint32_t obj, uint64_t arg, uint32_t aux, bool hold)
{
	uint64_t head = atomic_load_explicit(&lane->head, memory_order_relaxed);
	uint32_t seq = lane->seq++;
	bool full;

	if (lane->no_events)
		return false;
	full = lane_full(lane, head);
	if (full)
		lane_drop(lane);
	else
		lane_write(lane, head, stamp, seq, kind, obj, arg, aux);
	if (!hold)
		atomic_store_explicit(&lane->active, 0, memory_order_release);
	return !full;
}

bool
ls_lane_commit(struct ls_lane *lane, uint64_t stamp, unsigned kind,
	       uint32_t obj, uint64_t arg, uint32_t aux)
{
	return lane_commit(lane, stamp, kind, obj, arg, aux, false);
}

bool
ls_lane_commit_hold(struct ls_lane *lane, uint64_t stamp, unsigned kind,
		    uint32_t obj, uint64_t arg, uint32_t aux)
{
	return lane_commit(lane, stamp, kind, obj, arg, aux, true);
}

void
ls_lane_release(struct ls_lane *lane)
{
	atomic_store_explicit(&lane->active, 0, memory_order_release);
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
		str_copy(buf, n, r->thread_names[tid]);
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
		str_copy(r->objects[id - 1].name, sizeof(r->objects[0].name),
			 name ? name : "");
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
			str_copy(buf, n, r->objects[id - 1].name);
	}
	if (pthread_mutex_unlock(&mr->meta_mu))
		err = -EINVAL;
	return err;
}
