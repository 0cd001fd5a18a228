/*
 * runq.c - the pool's run queue (runq.h): a ring of the entries that
 * arrive in order and a binary min-heap of the others.
 *
 * Nothing here locks, reads the clock or emits: the pool calls every
 * function with its own mutex held, and the Check suite calls them bare.
 */
#include "config.h"

#include "runq.h"

#include <errno.h>
#include <stdlib.h>

#define RUNQ_SLOT_MASK (RUNQ_MAX_CAPACITY - 1)

int
runq_init(struct runq *q, unsigned capacity, bool fifo)
{
	*q = (struct runq){ .cap = capacity, .fifo = fifo };
	if (capacity < 1 || capacity > RUNQ_MAX_CAPACITY)
		return -EINVAL;
	q->run = calloc(capacity, sizeof(*q->run));
	/* fifo mode never uses the heap. */
	q->heap = fifo ? NULL : calloc(capacity, sizeof(*q->heap));
	if (!q->run || (!fifo && !q->heap)) {
		runq_fini(q);
		return -ENOMEM;
	}
	return 0;
}

void
runq_fini(struct runq *q)
{
	free(q->run);
	free(q->heap);
	q->run = q->heap = NULL;
	q->run_head = q->run_len = q->heap_len = q->len = 0;
}

/* Branch-free: between equal keys, which child is smaller is a coin toss
 * that a branch predictor cannot learn. */
static inline bool
runq_less(const struct runq_ent *a, const struct runq_ent *b)
{
	return (a->key < b->key) |
	       ((a->key == b->key) & (a->seqslot < b->seqslot));
}

static inline uint32_t
runq_slot(const struct runq_ent *e)
{
	return (uint32_t)(e->seqslot & RUNQ_SLOT_MASK);
}

/* Put e at hole i of a heap of n entries and sift it down. */
static void
runq_sift_down(struct runq_ent *h, unsigned n, unsigned i, struct runq_ent e)
{
	unsigned c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n)
			c += runq_less(&h[c + 1], &h[c]);
		if (!runq_less(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

/* Put e at hole i of a heap and sift it up. */
static void
runq_sift_up(struct runq_ent *h, unsigned i, struct runq_ent e)
{
	unsigned parent;

	for (; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!runq_less(&e, &h[parent]))
			break;
		h[i] = h[parent];
	}
	h[i] = e;
}

/*
 * Refill the hole at the root of a heap of n entries with e, the entry
 * that was last: walk the hole down to a leaf along the smaller children,
 * then sift e up from there (bottom-up, after Floyd).  One comparison per
 * level instead of two, and e, being a late arrival, rarely moves up.
 */
static void
runq_pop_fill(struct runq_ent *h, unsigned n, struct runq_ent e)
{
	unsigned i = 0, c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n)
			c += runq_less(&h[c + 1], &h[c]);
		h[i] = h[c];
		i = c;
	}
	runq_sift_up(h, i, e);
}

/* The ring index of the run's i-th entry. */
static inline unsigned
runq_run_at(const struct runq *q, unsigned i)
{
	i += q->run_head;
	return i >= q->cap ? i - q->cap : i;
}

void
runq_push(struct runq *q, int64_t key, uint64_t id, uint32_t slot)
{
	struct runq_ent e = {
		.key = key,
		.seqslot = id << RUNQ_SLOT_BITS | slot,
	};

	if (q->fifo || !q->run_len ||
	    !runq_less(&e, &q->run[runq_run_at(q, q->run_len - 1)]))
		q->run[runq_run_at(q, q->run_len++)] = e;
	else
		runq_sift_up(q->heap, q->heap_len++, e);
	q->len++;
}

uint32_t
runq_pop(struct runq *q)
{
	uint32_t slot;

	if (q->run_len &&
	    (!q->heap_len || runq_less(&q->run[q->run_head], &q->heap[0]))) {
		slot = runq_slot(&q->run[q->run_head]);
		if (++q->run_head == q->cap)
			q->run_head = 0;
		q->run_len--;
	} else {
		slot = runq_slot(&q->heap[0]);
		if (--q->heap_len)
			runq_pop_fill(q->heap, q->heap_len,
				      q->heap[q->heap_len]);
	}
	q->len--;
	return slot;
}

unsigned
runq_remove_if(struct runq *q, bool (*drop)(void *ctx, uint32_t slot),
	       void *ctx)
{
	unsigned i, kept = 0, n = q->run_len, before = q->len;
	struct runq_ent e;

	/* The run stays in order when entries leave it. */
	for (i = 0; i < n; i++) {
		e = q->run[runq_run_at(q, i)];
		if (!drop(ctx, runq_slot(&e)))
			q->run[runq_run_at(q, kept++)] = e;
	}
	q->run_len = kept;
	/* The heap is compacted, then made a heap again (Floyd). */
	n = q->heap_len;
	for (i = kept = 0; i < n; i++) {
		e = q->heap[i];
		if (!drop(ctx, runq_slot(&e)))
			q->heap[kept++] = e;
	}
	q->heap_len = kept;
	for (i = kept / 2; i-- > 0;)
		runq_sift_down(q->heap, kept, i, q->heap[i]);
	q->len = q->run_len + q->heap_len;
	return before - q->len;
}

int64_t
runq_key(int priority, uint64_t aging_ns, uint64_t queued_ns,
	 uint64_t base_ns)
{
	if (!aging_ns)
		return priority;
	return (int64_t)priority * (int64_t)aging_ns +
	       (int64_t)(queued_ns - base_ns);
}
