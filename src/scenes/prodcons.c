/*
 * prodcons.c - P producers and C consumers around one bounded queue.
 *
 * Producers make an item (simulated work), push it, and block when the
 * queue is full; consumers pop, block when it is empty, and use the item.
 * The producing and consuming times change live, so a class can watch the
 * queue fill when producers are faster, drain when consumers are, and see
 * exactly who blocks on what.  Invariant: no item lost or duplicated —
 * every item produced is consumed or still in the queue, and each
 * consumer sees each producer's items in order.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/bqueue.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_PRODUCERS, P_CONSUMERS, P_CAPACITY, P_PRODUCE_MS, P_CONSUME_MS };

#define MAX_SIDE 8
#define MS 1000000ull

struct prodcons {
	struct ls_bqueue *q;
	struct scene_run *run;
	/* Counted by the threads, read by the invariant. */
	atomic_ulong produced, consumed, out_of_order;
	struct worker {
		struct prodcons *pc;
		unsigned idx;
		uint64_t rng;
		uint32_t last_seen[MAX_SIDE];	/* consumer: per producer */
	} producers[MAX_SIDE], consumers[MAX_SIDE];
};

/* An item: the producer's index and its sequence number. */
#define ITEM(p, seq) ((void *)(uintptr_t)(((uint64_t)(p) << 32) | (seq)))
#define ITEM_PRODUCER(it) ((unsigned)((uintptr_t)(it) >> 32))
#define ITEM_SEQ(it) ((uint32_t)(uintptr_t)(it))

/* A duration around base ms: +-25%, so the threads drift apart. */
static uint64_t
jitter_ms(uint64_t *rng, int base)
{
	return (uint64_t)base * MS * (75 + scene_rand(rng) % 51) / 100;
}

static void
producer_main(void *arg)
{
	struct worker *w = arg;
	struct prodcons *pc = w->pc;
	uint32_t seq = 0;

	for (;;) {
		if (scene_work(pc->run, jitter_ms(&w->rng,
				scene_param(pc->run, P_PRODUCE_MS))))
			return;
		if (ls_bqueue_push(pc->q, ITEM(w->idx, ++seq)))
			return;
		atomic_fetch_add(&pc->produced, 1);
	}
}

static void
consumer_main(void *arg)
{
	struct worker *w = arg;
	struct prodcons *pc = w->pc;
	void *item;

	for (;;) {
		unsigned p;

		if (ls_bqueue_pop(pc->q, &item))
			return;
		p = ITEM_PRODUCER(item);
		if (p < MAX_SIDE) {
			if (ITEM_SEQ(item) <= w->last_seen[p])
				atomic_fetch_add(&pc->out_of_order, 1);
			w->last_seen[p] = ITEM_SEQ(item);
		}
		atomic_fetch_add(&pc->consumed, 1);
		if (scene_work(pc->run, jitter_ms(&w->rng,
				scene_param(pc->run, P_CONSUME_MS))))
			return;
	}
}

static int
prodcons_start(struct scene_run *run)
{
	struct prodcons *pc = run->state;
	char name[32];
	unsigned i;
	int err;

	pc->run = run;
	err = ls_bqueue_create(run->ring, "queue",
			       (unsigned)run->params[P_CAPACITY], &pc->q);
	if (err)
		return err;
	for (i = 0; i < (unsigned)run->params[P_PRODUCERS]; i++) {
		pc->producers[i] = (struct worker){ .pc = pc, .idx = i,
						    .rng = scene_seed(run, i) };
		snprintf(name, sizeof(name), "producer-%u", i + 1);
		err = ls_thread_spawn(run->group, name, producer_main,
				      &pc->producers[i]);
		if (err)
			return err;
	}
	for (i = 0; i < (unsigned)run->params[P_CONSUMERS]; i++) {
		pc->consumers[i] = (struct worker){ .pc = pc, .idx = i,
						    .rng = scene_seed(run, 64 + i) };
		snprintf(name, sizeof(name), "consumer-%u", i + 1);
		err = ls_thread_spawn(run->group, name, consumer_main,
				      &pc->consumers[i]);
		if (err)
			return err;
	}
	return 0;
}

static void
prodcons_stop(struct scene_run *run)
{
	struct prodcons *pc = run->state;

	ls_bqueue_destroy(pc->q);
	pc->q = NULL;
}

static bool
prodcons_invariant(struct scene_run *run, const char **name, char *detail,
		   size_t n)
{
	struct prodcons *pc = run->state;
	unsigned long produced = atomic_load(&pc->produced);
	unsigned long consumed = atomic_load(&pc->consumed);
	unsigned long disorder = atomic_load(&pc->out_of_order);
	unsigned depth = pc->q ? ls_bqueue_depth(pc->q) : 0;

	/* Judged with the group paused and settled: every thread counted
	 * its last push or pop before its next gate, so this is exact. */
	*name = "no item lost, duplicated or reordered";
	snprintf(detail, n, "produced %lu, consumed %lu, in queue %u, "
		 "out of order %lu", produced, consumed, depth, disorder);
	return disorder == 0 && produced == consumed + depth;
}

static const struct scene_param prodcons_params[] = {
	[P_PRODUCERS] = { .name = "producers", .help = "producer threads",
			  .min = 1, .max = MAX_SIDE, .def = 2,
			  .key = 'p', .key_down = 'P' },
	[P_CONSUMERS] = { .name = "consumers", .help = "consumer threads",
			  .min = 1, .max = MAX_SIDE, .def = 2,
			  .key = 'c', .key_down = 'C' },
	[P_CAPACITY] = { .name = "capacity", .help = "queue capacity",
			 .min = 1, .max = 32, .def = 8,
			 .key = 'k', .key_down = 'K' },
	[P_PRODUCE_MS] = { .name = "make_ms",
			   .help = "time to make one item (ms), live",
			   .min = 50, .max = 2000, .def = 300, .step = 50,
			   .key = 'e', .key_down = 'E', .live = true },
	[P_CONSUME_MS] = { .name = "use_ms",
			   .help = "time to use one item (ms), live",
			   .min = 50, .max = 2000, .def = 400, .step = 50,
			   .key = 'u', .key_down = 'U', .live = true },
};

const struct scene_def scene_prodcons = {
	.name = "prodcons",
	.title = "producers and consumers",
	.summary = "P producers, C consumers, a bounded queue: buffering, "
		   "blocking on full and empty",
	.params = prodcons_params,
	.nparams = sizeof(prodcons_params) / sizeof(prodcons_params[0]),
	.state_size = sizeof(struct prodcons),
	.start = prodcons_start,
	.stop = prodcons_stop,
	.invariant = prodcons_invariant,
	.invariant_is_safety = true,
};
