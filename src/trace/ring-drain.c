/*
 * ring-drain.c - the consumer side of the event ring: stage each lane's
 * published events, find the watermark, merge in timestamp order.  The
 * lanes and their fields are ring-int.h's; ring.c has the producer side.
 *
 * Drain must never hand out an event while an older one may still appear
 * in another lane: a producer can read the clock and be preempted before
 * it publishes.  The consumer reads the clock (T) first, then each lane's
 * active flag and head.  A lane that is not active will stamp any later
 * event with a time >= T; an active lane's in-flight event is no older
 * than the newest event it already published.  The smallest of those
 * bounds is the watermark W; drain hands out the events older than W
 * (strictly: an event stamped W itself could tie with one still to come).
 * The barrier after reading T (a membarrier, or a seq_cst fence that pairs
 * with a seq_cst store: ring.c, top) orders the producer's mark of active
 * before its clock read against the consumer's loads; an LFENCE before
 * the producer's TSC read and one after the consumer's keep each read on
 * its side of those (clock.h).  With membarrier: the barrier runs on the
 * producer's CPU (or its thread is off CPU) either before its store, and
 * then its stamp is later than T, or after it, and then the consumer sees
 * the lane active.
 *
 * The barrier is the dear part: with membarrier, an interrupt of every
 * CPU that runs a producer (in a virtual machine, an exit on each), and
 * it was taken on every drain call.  Two rules keep it rare:
 *   - A watermark stays true: every event not staged when W was found is
 *     stamped W or later, so whatever a later drain stages is too.  The
 *     consumer keeps the newest W (ring->wm) and hands out staged events
 *     older than it with no new clock read or barrier; only a drain that
 *     has nothing staged under it finds a new one.
 *   - A new one is first found without the barrier, taking every lane
 *     for active: a lane's stamps never go back, so its newest published
 *     one bounds whatever it publishes next.  While every lane keeps
 *     emitting, that moves on; only when it does not (a lane gone quiet
 *     pins it at its last event) does the barrier let a quiet lane's bound
 *     be T.
 * A busy ring drained in a loop of batches then pays for barriers only
 * while some lane is quiet.
 *
 * Drain in batches: for each lane the consumer first copies every slot
 * published so far (up to a stage of STAGE events) into the lane's stage,
 * which only it touches, and gives the slots back at once with one release
 * store of tail - the producer has its space again before the merge even
 * starts, and the copy is a sequential read the prefetchers follow.  The
 * merge then runs over the stages in cache: a heap of lanes on the key
 * (stamp, rank), rank 0 for release-type kinds, and runs of one lane's
 * events copied out without touching the heap per event; with two lanes
 * ready (a busy ring on two cores), a plain two-way merge.
 */
#include "config.h"

#include "lockstep/ring.h"

#include <stdatomic.h>
#include <string.h>

#include "lockstep/clock.h"
#include "trace/ring-int.h"

/*
 * Kinds that hand something over or let a waiter go: at equal stamps they
 * sort first, so the model sees the release before what it made possible
 * (the next owner's ACQUIRED, a woken or passed waiter, a popped item, a
 * started task).  A recursive mutex hands over only with its last
 * LOCK_RELEASED.  Not here: a pop that makes room for a blocked push (it
 * would have to sort before the push, and a push before a pop), and
 * Q_CLOSED, which the closer and the waiters it lets go both emit.
 */
#define RELEASE_KINDS                                                        \
	((1ull << LS_EV_LOCK_RELEASED) | (1ull << LS_EV_RD_RELEASED) |       \
	 (1ull << LS_EV_WR_RELEASED) | (1ull << LS_EV_SEM_POST) |            \
	 (1ull << LS_EV_Q_PUSHED) | (1ull << LS_EV_TASK_SUBMIT) |            \
	 (1ull << LS_EV_CV_SIGNAL) | (1ull << LS_EV_CV_BROADCAST) |          \
	 (1ull << LS_EV_BAR_RELEASE) | (1ull << LS_EV_RE_SET) |              \
	 (1ull << LS_EV_LATCH_DOWN))
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
 * sets on the watermark when the stage was too small: the stamp of its
 * first event left in the slots (nothing newer may go out before it);
 * else UINT64_MAX.
 */
static uint64_t
lane_stage(struct ls_ring *r, struct ls_lane *lane, uint64_t head)
{
	uint64_t tail = atomic_load_explicit(&lane->tail, memory_order_relaxed);
	uint64_t bound = UINT64_MAX;
	uint32_t room, n, at, first;

	if (head == tail)
		return bound;
	/* Compact only once half the stage is spent: a caller that drains
	 * in batches smaller than a stage would otherwise move what is left
	 * on every call, each event several times. */
	if (lane->stage_pos == lane->stage_end) {
		lane->stage_pos = lane->stage_end = 0;
	} else if (lane->stage_pos >= r->stage_events / 2) {
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

/*
 * The bound a lane sets on the watermark, read after the consumer's clock
 * and barrier: its oldest event not staged (one published since we staged
 * it, or left over by a full stage: that slot is not given back yet), else
 * when it is active its newest staged one (its in-flight event is no
 * older), else none (its next stamp is later than the consumer's clock).
 * Active is read before head: an event published in between is counted.
 * Without a barrier (barrier false) active cannot be trusted, and every
 * lane is taken for active: its next stamp is no older than its newest,
 * since a lane's stamps never go back.
 */
static uint64_t
lane_bound(struct ls_lane *lane, bool barrier)
{
	bool active = !barrier || atomic_load(&lane->active);
	uint64_t head = atomic_load_explicit(&lane->head, memory_order_acquire);
	uint64_t tail = atomic_load_explicit(&lane->tail, memory_order_relaxed);

	if (head > tail)
		return lane->slots[tail & lane->mask].ts;
	return active ? lane->last_ts : UINT64_MAX;
}

/* Free a retired lane that has been drained; its tid goes free with it
 * (register moves it to the free queue). */
static void
lane_free(struct ls_lane *lane)
{
	/* Release: register's CAS sees our final tail. */
	atomic_store(&lane->state, LANE_FREE);
}

/* The watermark: the smallest of w and every lane's bound (lane_bound),
 * read after the consumer's clock (and after the barrier, when barrier).
 * After the clock: a lane claimed after the lanes_used load, or not yet
 * LIVE, stamps every event after that clock, like a lane that is not
 * active. */
static uint64_t
drain_bound(struct ls_ring *r, uint64_t w, bool barrier)
{
	uint32_t nused = atomic_load(&r->lanes_used), i;

	for (i = 0; i < nused; i++) {
		struct ls_lane *lane = &r->lanes[i];
		int state = atomic_load(&lane->state);
		uint64_t bound;

		if (state != LANE_LIVE && state != LANE_RETIRED)
			continue;
		bound = lane_bound(lane, barrier);
		if (bound < w)
			w = bound;
	}
	return w;
}

/*
 * Stage what the lanes published and free the drained retired ones.
 * Returns how many lanes have staged events, and *w the bound that full
 * stages set (lane_stage).
 */
static size_t
drain_stage(struct ls_ring *r, uint64_t *w)
{
	uint32_t nused, i;
	size_t nc = 0;

	*w = UINT64_MAX;
	nused = atomic_load(&r->lanes_used);
	for (i = 0; i < nused; i++) {
		struct ls_lane *lane = &r->lanes[i];
		int state = atomic_load(&lane->state);
		uint64_t head, bound;

		if (state != LANE_LIVE && state != LANE_RETIRED)
			continue;
		head = atomic_load_explicit(&lane->head, memory_order_acquire);
		lane_note_drops(r, lane);
		bound = lane_stage(r, lane, head);
		if (bound < *w)
			*w = bound;
		if (lane->stage_pos == lane->stage_end) {
			if (state == LANE_RETIRED &&
			    atomic_load_explicit(&lane->tail,
						 memory_order_relaxed) == head)
				lane_free(lane);
			continue;
		}
		nc++;
	}
	return nc;
}

/* Point the cursors at what the lanes have left staged, one for each
 * lane that has some.  Returns how many.  A lane claimed since it was
 * staged has an empty stage (register leaves it so before LIVE). */
static size_t
cursors_refresh(struct ls_ring *r)
{
	uint32_t nused = atomic_load(&r->lanes_used), i;
	size_t nc = 0;

	for (i = 0; i < nused; i++) {
		struct ls_lane *lane = &r->lanes[i];
		int state = atomic_load(&lane->state);

		if ((state != LANE_LIVE && state != LANE_RETIRED) ||
		    lane->stage_pos == lane->stage_end)
			continue;
		r->cursors[nc++] = (struct cursor){
			.lane = lane, .pos = lane->stage_pos,
			.end = lane->stage_end,
			.key = event_key(&lane->stage[lane->stage_pos]),
		};
	}
	return nc;
}

/* The ways to a watermark, cheapest first (see the top). */
enum wm_level {
	WM_KEPT,	/* the last one, no clock read */
	WM_QUICK,	/* the clock, every lane taken for active */
	WM_BARRIER,	/* the clock and the barrier */
	WM_LEVELS,
};

/*
 * The watermark at level, no lower than the last one (ring->wm, which it
 * updates): wstage is the full stages' bound, *now the consumer's clock,
 * read at WM_QUICK for WM_BARRIER too (the barrier must come after it).
 */
static uint64_t
drain_watermark(struct ls_ring *r, enum wm_level level, uint64_t wstage,
		uint64_t *now)
{
	uint64_t w;

	if (r->wm_source != ls_clock_source()) {
		/* Stamps of another clock: the old one means nothing. */
		r->wm = 0;
		r->wm_source = ls_clock_source();
	}
	if (level == WM_KEPT)
		return r->wm;
	if (level == WM_QUICK) {
		*now = ls_clock_ticks();
		ls_clock_order_after();
	} else {
		/* Pairs with every producer's mark of active (ring.c). */
		ring_barrier();
	}
	w = drain_bound(r, *now < wstage ? *now : wstage, level == WM_BARRIER);
	/* Both the old and the new one hold; keep the later. */
	if (w > r->wm)
		r->wm = w;
	return r->wm;
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

/* Merge the nc cursors' events older than w into out[n..max).  Returns
 * the new n. */
static size_t
drain_merge(struct ls_ring *r, size_t nc, uint64_t w, struct ls_event *out,
	    size_t n, size_t max)
{
	struct cursor *h = r->cursors;
	size_t k = 0, j;

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

/*
 * Stage, then merge under the cheapest watermark that lets events out,
 * going to the next only while out has room and events are left staged:
 * a drain that returns fewer than max has looked with the barrier, so a
 * short batch still means nothing more is ready.  A drain that stages
 * nothing reads no clock.
 */
size_t
ls_ring_drain(struct ls_ring *r, struct ls_event *out, size_t max)
{
	uint64_t wstage, now = 0, w, last = 0;
	size_t nc = drain_stage(r, &wstage), n = 0;
	enum wm_level level;

	for (level = WM_KEPT; nc && level < WM_LEVELS && n < max; level++) {
		nc = cursors_refresh(r);
		if (!nc)
			break;
		w = drain_watermark(r, level, wstage, &now);
		if (w > last)
			n = drain_merge(r, nc, w, out, n, max);
		last = w;
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
