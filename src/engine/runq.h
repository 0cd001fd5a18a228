/*
 * runq.h - the pool's run queue: which queued task runs next.
 *
 * A pure data structure: no lock, no clock, no event, no allocation after
 * runq_init, so that it is tested on its own (tests/check_runq.c).  The
 * pool (pool.c) guards it with its mutex and keeps the tasks in slots of
 * its own; an entry here is only (key, id, slot), 16 bytes, so ordering
 * moves no task.
 *
 * Order: the smallest key first, equal keys by id, that is first in,
 * first out when ids are handed out in submission order.  A key is a
 * priority, or with aging the priority scaled by the aging step plus the
 * time the task was queued (runq_key): every queued task ages at the same
 * rate, so "priority minus time waited / step" orders tasks exactly as
 * that fixed key does, and aging costs nothing at run time.
 *
 * Three parts.  A run: a ring of entries that arrived in (key, id) order;
 * a new entry joins it when it is not smaller than the run's last one.
 * Equal priorities, and aging with equal priorities, mostly arrive in
 * order, so the common case costs a ring's push and pop.  An entry that
 * comes out of order goes to a bucket when its key is a small one (from
 * RUNQ_BUCKET_MIN, RUNQ_BUCKETS of them: priorities either side of the
 * default 0; aging keys seldom are) and its id is above that of the
 * bucket's last entry, else to a binary min-heap.  A bucket is a list in
 * id order linked through an array by slot, and a bitmap says which
 * buckets hold any, so mixed small priorities cost a few instructions
 * instead of log2(depth) cache lines.  Ids and keys mostly, but not
 * always, come in order: the pool gives a task its id (and with aging
 * its time) before it may wait for room, and waiters let in together
 * queue in the order they get the lock back, so each part keeps its own
 * order by (key, id) and never assumes the pushes do.  The first entry
 * is the least, by (key, id), of the run's head, the lowest bucket's
 * head and the heap's top.  A fifo pool pushes every task with key 0, so
 * its tasks come out by id.
 */
#ifndef LOCKSTEP_RUNQ_H
#define LOCKSTEP_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

/* An entry's slot takes the low RUNQ_SLOT_BITS of id << bits | slot. */
#define RUNQ_SLOT_BITS 24
#define RUNQ_MAX_CAPACITY (1u << RUNQ_SLOT_BITS)
/* Ids above this wrap into each other's order (2^40: a million tasks a
 * second for twelve days). */
#define RUNQ_MAX_ID ((UINT64_C(1) << (64 - RUNQ_SLOT_BITS)) - 1)

/* Keys RUNQ_BUCKET_MIN .. RUNQ_BUCKET_MIN + RUNQ_BUCKETS - 1 go to the
 * buckets: priorities either side of the default 0. */
#define RUNQ_BUCKETS 64
#define RUNQ_BUCKET_MIN (-16)
#define RUNQ_NO_SLOT UINT32_MAX

struct runq_ent {
	int64_t key;
	uint64_t seqslot;	/* id << RUNQ_SLOT_BITS | slot */
};

struct runq {
	struct runq_ent *run;	/* ring of cap entries, from run_head */
	struct runq_ent *heap;	/* cap entries */
	/* By slot, for an entry in a bucket: the next slot in its bucket,
	 * and its seqslot (its key is its bucket's). */
	uint32_t *next;
	uint64_t *seqslot;
	uint64_t bucket_mask;	/* bit b: bucket b holds entries */
	uint32_t bucket_head[RUNQ_BUCKETS], bucket_tail[RUNQ_BUCKETS];
	unsigned cap;
	unsigned run_head, run_len, heap_len, bucket_len;
	unsigned len;		/* run_len + heap_len + bucket_len */
};

/*
 * Make q an empty queue of at most capacity (1..RUNQ_MAX_CAPACITY)
 * entries.  Returns 0, -EINVAL or -ENOMEM (q is then left empty and needs
 * no runq_fini).
 */
int runq_init(struct runq *q, unsigned capacity);

/* Free what runq_init allocated.  q may be zeroed or already finished. */
void runq_fini(struct runq *q);

/* Entries queued now. */
static inline unsigned
runq_len(const struct runq *q)
{
	return q->len;
}

/*
 * The key of a task of priority queued at queued_ns, in a queue whose
 * aging origin is base_ns (<= queued_ns, both from one monotonic clock):
 * the priority when aging_ns is 0, else priority * aging_ns + (queued_ns -
 * base_ns), so the task moves up one priority for every aging_ns it waits.
 * aging_ns is at most 2^30 and queued_ns - base_ns under 2^62 (a century
 * and more), so the key cannot overflow.
 */
static inline int64_t
runq_key(int priority, uint64_t aging_ns, uint64_t queued_ns,
	 uint64_t base_ns)
{
	if (!aging_ns)
		return priority;
	return (int64_t)priority * (int64_t)aging_ns +
	       (int64_t)(queued_ns - base_ns);
}

/*
 * Take out every entry whose slot drop(ctx, slot) says to drop; the
 * others keep their order.  Returns how many were taken.  O(len).
 */
unsigned runq_remove_if(struct runq *q, bool (*drop)(void *ctx, uint32_t slot),
			void *ctx);

/* What follows is inline because the pool pushes and pops once per task:
 * the run's ring is the common case, and only the heap is out of line. */

/* Put e into the heap (runq.c). */
void runq_heap_push(struct runq *q, struct runq_ent e);

/* Take the heap's top out (the heap is not empty): its slot (runq.c). */
uint32_t runq_heap_pop(struct runq *q);

/* Is a before b: the smaller key, then the smaller id.  Branch-free:
 * between equal keys, which heap child is smaller is a coin toss that a
 * branch predictor cannot learn. */
static inline bool
runq_less(const struct runq_ent *a, const struct runq_ent *b)
{
	return (a->key < b->key) |
	       ((a->key == b->key) & (a->seqslot < b->seqslot));
}

static inline uint32_t
runq_slot(const struct runq_ent *e)
{
	return (uint32_t)(e->seqslot & (RUNQ_MAX_CAPACITY - 1));
}

/* The ring index of the run's i-th entry. */
static inline unsigned
runq_run_at(const struct runq *q, unsigned i)
{
	i += q->run_head;
	return i >= q->cap ? i - q->cap : i;
}

/* May e, out of the run's order, go to its key's bucket: a small key, and
 * an id after the bucket's last one (or none), so the bucket stays in id
 * order? */
static inline bool
runq_bucket_takes(const struct runq *q, const struct runq_ent *e)
{
	unsigned b;

	if (e->key < RUNQ_BUCKET_MIN || e->key >= RUNQ_BUCKET_MIN + RUNQ_BUCKETS)
		return false;
	b = (unsigned)(e->key - RUNQ_BUCKET_MIN);
	return !(q->bucket_mask >> b & 1) ||
	       q->seqslot[q->bucket_tail[b]] < e->seqslot;
}

/* Append e to the bucket of its key (runq_bucket_takes). */
static inline void
runq_bucket_push(struct runq *q, struct runq_ent e)
{
	unsigned b = (unsigned)(e.key - RUNQ_BUCKET_MIN);
	uint32_t slot = runq_slot(&e);

	q->next[slot] = RUNQ_NO_SLOT;
	q->seqslot[slot] = e.seqslot;
	if (q->bucket_mask >> b & 1)
		q->next[q->bucket_tail[b]] = slot;
	else
		q->bucket_head[b] = slot;
	q->bucket_tail[b] = slot;
	q->bucket_mask |= UINT64_C(1) << b;
	q->bucket_len++;
}

/* The lowest bucket's first entry (there is one). */
static inline struct runq_ent
runq_bucket_top(const struct runq *q)
{
	unsigned b = (unsigned)__builtin_ctzll(q->bucket_mask);

	return (struct runq_ent){
		.key = RUNQ_BUCKET_MIN + (int64_t)b,
		.seqslot = q->seqslot[q->bucket_head[b]],
	};
}

/* Is the lowest bucket's first entry (there is one) before the run's head
 * and the heap's top? */
static inline bool
runq_bucket_first(const struct runq *q)
{
	struct runq_ent e = runq_bucket_top(q);

	return (!q->run_len || runq_less(&e, &q->run[q->run_head])) &&
	       (!q->heap_len || runq_less(&e, &q->heap[0]));
}

/* Take the lowest bucket's first entry: its slot. */
static inline uint32_t
runq_bucket_pop(struct runq *q)
{
	unsigned b = (unsigned)__builtin_ctzll(q->bucket_mask);
	uint32_t slot = q->bucket_head[b];

	q->bucket_head[b] = q->next[slot];
	if (q->bucket_head[b] == RUNQ_NO_SLOT)
		q->bucket_mask &= ~(UINT64_C(1) << b);
	q->bucket_len--;
	return slot;
}

/*
 * Queue slot (< the queue's capacity) with key and id (<= RUNQ_MAX_ID).
 * The queue must not be full, nor hold slot already.  Equal keys come out
 * by id, whatever order they were pushed in, so ids handed out in
 * submission order make them first in, first out.
 */
static inline void
runq_push(struct runq *q, int64_t key, uint64_t id, uint32_t slot)
{
	struct runq_ent e = {
		.key = key,
		.seqslot = id << RUNQ_SLOT_BITS | slot,
	};

	q->len++;
	if (!q->run_len ||
	    !runq_less(&e, &q->run[runq_run_at(q, q->run_len - 1)]))
		q->run[runq_run_at(q, q->run_len++)] = e;
	else if (runq_bucket_takes(q, &e))
		runq_bucket_push(q, e);
	else
		runq_heap_push(q, e);
}

/* Take the first entry (the queue must not be empty): its slot. */
static inline uint32_t
runq_pop(struct runq *q)
{
	uint32_t slot;

	q->len--;
	if (q->bucket_mask && runq_bucket_first(q))
		return runq_bucket_pop(q);
	if (!q->run_len ||
	    (q->heap_len && !runq_less(&q->run[q->run_head], &q->heap[0])))
		return runq_heap_pop(q);
	slot = runq_slot(&q->run[q->run_head]);
	if (++q->run_head == q->cap)
		q->run_head = 0;
	q->run_len--;
	return slot;
}

#endif
