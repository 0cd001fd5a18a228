/*
 * runq.c - the pool's run queue (runq.h): a ring of the entries that
 * arrive in order, buckets for small keys that do not, and a binary
 * min-heap of the rest.
 *
 * Nothing here locks, reads the clock or emits: the pool calls every
 * function with its own mutex held, and the Check suite calls them bare.
 */
#include "config.h"

#include "runq.h"

#include <errno.h>
#include <stdlib.h>

int
runq_init(struct runq *q, unsigned capacity)
{
	*q = (struct runq){ .cap = capacity };
	if (capacity < 1 || capacity > RUNQ_MAX_CAPACITY)
		return -EINVAL;
	q->run = calloc(capacity, sizeof(*q->run));
	q->heap = calloc(capacity, sizeof(*q->heap));
	q->next = calloc(capacity, sizeof(*q->next));
	q->seqslot = calloc(capacity, sizeof(*q->seqslot));
	if (!q->run || !q->heap || !q->next || !q->seqslot) {
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
	free(q->next);
	free(q->seqslot);
	q->run = q->heap = NULL;
	q->next = NULL;
	q->seqslot = NULL;
	q->run_head = q->run_len = q->heap_len = q->bucket_len = q->len = 0;
	q->bucket_mask = 0;
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

void
runq_heap_push(struct runq *q, struct runq_ent e)
{
	runq_sift_up(q->heap, q->heap_len++, e);
}

uint32_t
runq_heap_pop(struct runq *q)
{
	uint32_t slot = runq_slot(&q->heap[0]);

	if (--q->heap_len)
		runq_pop_fill(q->heap, q->heap_len, q->heap[q->heap_len]);
	return slot;
}

/* Unlink the entries of bucket b that drop says to drop; the others
 * keep their order. */
static void
runq_bucket_remove_if(struct runq *q, unsigned b,
		      bool (*drop)(void *ctx, uint32_t slot), void *ctx)
{
	uint32_t slot, last = RUNQ_NO_SLOT;

	for (slot = q->bucket_head[b]; slot != RUNQ_NO_SLOT;
	     slot = q->next[slot]) {
		if (drop(ctx, slot)) {
			q->bucket_len--;
			continue;
		}
		if (last == RUNQ_NO_SLOT)
			q->bucket_head[b] = slot;
		else
			q->next[last] = slot;
		last = slot;
	}
	if (last == RUNQ_NO_SLOT) {
		q->bucket_mask &= ~(UINT64_C(1) << b);
	} else {
		q->next[last] = RUNQ_NO_SLOT;
		q->bucket_tail[b] = last;
	}
}

unsigned
runq_remove_if(struct runq *q, bool (*drop)(void *ctx, uint32_t slot),
	       void *ctx)
{
	unsigned i, kept = 0, n = q->run_len, before = q->len;
	uint64_t mask = q->bucket_mask;
	struct runq_ent e;

	for (; mask; mask &= mask - 1)
		runq_bucket_remove_if(q, (unsigned)__builtin_ctzll(mask), drop,
				      ctx);
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
	q->len = q->run_len + q->heap_len + q->bucket_len;
	return before - q->len;
}
