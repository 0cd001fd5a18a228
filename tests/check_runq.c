/*
 * check_runq.c - the pool's run queue on its own (src/engine/runq.c): no
 * threads, no clock, no pool.
 *
 * Every pop is checked against a plain model (a list scanned for the
 * smallest key, then the smallest id) under seeded random mixes of pushes
 * and pops, with keys drawn from a small range so that ties, in-order runs
 * and out-of-order arrivals all happen, and from a range across the
 * buckets' edges so that the run, the buckets and the heap all hold
 * entries, ties between parts included, and with ids pushed out of their
 * order now and then, as the pool's waiting submitters do; one key for
 * all (a fifo pool's) must give id order; runq_remove_if must keep the
 * order of what it keeps;
 * and aging keys must let a task that waited long enough overtake newer
 * urgent ones.  RUNQ_OPS sizes the mixes; RUNQ_SEED replays one (the seed
 * is printed).
 */
#include "checkutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "engine/runq.h"

static uint64_t seed;

/* The model: what is queued, in no order. */
struct model {
	struct runq_ent *e;
	unsigned n;
};

static uint32_t
model_slot(const struct runq_ent *e)
{
	return (uint32_t)(e->seqslot & (RUNQ_MAX_CAPACITY - 1));
}

/* The slot the queue must give next: smallest key, then smallest id;
 * taken out of the model. */
static uint32_t
model_pop(struct model *m)
{
	unsigned i, best = 0;
	uint32_t slot;

	ck_assert_uint_gt(m->n, 0);
	for (i = 1; i < m->n; i++) {
		const struct runq_ent *a = &m->e[i], *b = &m->e[best];

		if (a->key < b->key ||
		    (a->key == b->key && a->seqslot < b->seqslot))
			best = i;
	}
	slot = model_slot(&m->e[best]);
	m->e[best] = m->e[--m->n];
	return slot;
}

/* The most entries each part of a queue held during a mix. */
struct parts_seen {
	unsigned run, bucket, heap;
};

static void
parts_note(struct parts_seen *seen, const struct runq *q)
{
	if (q->run_len > seen->run)
		seen->run = q->run_len;
	if (q->bucket_len > seen->bucket)
		seen->bucket = q->bucket_len;
	if (q->heap_len > seen->heap)
		seen->heap = q->heap_len;
}

/* A random mix of pushes and pops on a queue of cap, keys in
 * [lo, lo + keys), checked pop by pop.  Now and then an id is held back
 * and pushed after a later one.  Returns what each part held. */
static struct parts_seen
run_mix(unsigned cap, int64_t lo, unsigned keys, unsigned ops, uint64_t *rng)
{
	struct parts_seen seen = { 0 };
	struct model m = { .e = calloc(cap, sizeof(*m.e)) };
	uint32_t *free_slots = calloc(cap, sizeof(*free_slots));
	struct runq q;
	uint64_t id = 0, held = 0;
	unsigned i, nfree = cap;

	ck_assert_ptr_nonnull(m.e);
	ck_assert_ptr_nonnull(free_slots);
	for (i = 0; i < cap; i++)
		free_slots[i] = i;
	ck_assert_int_eq(runq_init(&q, cap), 0);
	for (i = 0; i < ops; i++) {
		uint64_t r = test_rng_next(rng);
		/* Drift between filling and draining, so the queue goes
		 * both empty and full. */
		bool push = (i / 64) % 2 ? r % 4 != 0 : r % 4 == 0;

		if (push && runq_len(&q) < cap) {
			int64_t key = lo + (int64_t)((r >> 8) % keys);
			uint32_t slot = free_slots[--nfree];
			uint64_t this_id;

			if (!held && (r >> 40) % 8 == 0)
				held = ++id;
			if (held && (r >> 44) % 2 == 0) {
				this_id = held;
				held = 0;
			} else {
				this_id = ++id;
			}
			runq_push(&q, key, this_id, slot);
			m.e[m.n++] = (struct runq_ent){
				.key = key,
				.seqslot = this_id << RUNQ_SLOT_BITS | slot,
			};
		} else if (runq_len(&q)) {
			uint32_t want = model_pop(&m);
			uint32_t got = runq_pop(&q);

			ck_assert_msg(got == want,
				      "pop %u: slot %u, want %u (RUNQ_SEED=%"
				      PRIu64 ")", i, got, want, seed);
			free_slots[nfree++] = got;
		}
		ck_assert_uint_eq(runq_len(&q), m.n);
		parts_note(&seen, &q);
	}
	while (runq_len(&q))
		ck_assert_uint_eq(runq_pop(&q), model_pop(&m));
	runq_fini(&q);
	free(m.e);
	free(free_slots);
	return seen;
}

START_TEST(test_order_mixed)
{
	unsigned ops = (unsigned)test_size("RUNQ_OPS", 200000, 20000);
	uint64_t rng = seed;
	struct parts_seen seen;

	/* Many ties, few ties, all equal (a run, but for held-back ids), a
	 * tiny ring. */
	seen = run_mix(256, -1, 4, ops, &rng);
	ck_assert_uint_gt(seen.bucket, 0);
	run_mix(256, -1, 1000, ops, &rng);
	run_mix(64, -1, 1, ops, &rng);
	run_mix(3, -1, 3, ops, &rng);
}
END_TEST

START_TEST(test_order_buckets)
{
	unsigned ops = (unsigned)test_size("RUNQ_OPS", 200000, 20000);
	uint64_t rng = seed ^ 4;
	struct parts_seen seen;

	/* Across both edges of the buckets, with ties: every part used. */
	seen = run_mix(256, RUNQ_BUCKET_MIN - 8, RUNQ_BUCKETS + 16,
		       ops, &rng);
	ck_assert_uint_gt(seen.run, 0);
	ck_assert_uint_gt(seen.bucket, 0);
	ck_assert_uint_gt(seen.heap, 0);
	/* Keys just outside the buckets only: never a bucket. */
	seen = run_mix(128, RUNQ_BUCKET_MIN + RUNQ_BUCKETS, 8, ops,
		       &rng);
	ck_assert_uint_eq(seen.bucket, 0);
	ck_assert_uint_gt(seen.heap, 0);
}
END_TEST

/* A fifo pool's queue: key 0 for every task.  Ids in order stay in the
 * run; the ones held back go elsewhere and still come out by id. */
START_TEST(test_one_key_by_id)
{
	unsigned ops = (unsigned)test_size("RUNQ_OPS", 200000, 20000);
	uint64_t rng = seed ^ 1;
	struct parts_seen seen = run_mix(128, 0, 1, ops, &rng);

	ck_assert_uint_gt(seen.run, 0);
	ck_assert_uint_gt(seen.bucket, 0);
}
END_TEST

/* Which part an entry of key goes to when it comes out of order: push a
 * larger key first (the run's last), then key.  Returns 'b' for a bucket,
 * 'h' for the heap. */
static char
part_of(int64_t key)
{
	struct runq q;
	unsigned buckets;

	ck_assert_int_eq(runq_init(&q, 2), 0);
	runq_push(&q, INT64_MAX, 1, 0);
	runq_push(&q, key, 2, 1);
	buckets = q.bucket_len;
	ck_assert_uint_eq(q.bucket_len + q.heap_len, 1);
	ck_assert_uint_eq(runq_pop(&q), 1);
	ck_assert_uint_eq(runq_pop(&q), 0);
	runq_fini(&q);
	return buckets ? 'b' : 'h';
}

/* The buckets take exactly the keys from RUNQ_BUCKET_MIN on, RUNQ_BUCKETS
 * of them; an id pushed after a later one of its key still comes out
 * first (the pool can push them so). */
START_TEST(test_bucket_edges)
{
	struct runq q;

	ck_assert_int_eq(part_of(RUNQ_BUCKET_MIN - 1), 'h');
	ck_assert_int_eq(part_of(RUNQ_BUCKET_MIN), 'b');
	ck_assert_int_eq(part_of(RUNQ_BUCKET_MIN + RUNQ_BUCKETS - 1), 'b');
	ck_assert_int_eq(part_of(RUNQ_BUCKET_MIN + RUNQ_BUCKETS), 'h');
	ck_assert_int_eq(part_of(INT64_MIN), 'h');

	ck_assert_int_eq(runq_init(&q, 8), 0);
	runq_push(&q, 5, 1, 0);
	runq_push(&q, 0, 3, 1);
	runq_push(&q, 0, 2, 2);
	runq_push(&q, 0, 4, 3);
	ck_assert_uint_eq(runq_pop(&q), 2);
	ck_assert_uint_eq(runq_pop(&q), 1);
	ck_assert_uint_eq(runq_pop(&q), 3);
	ck_assert_uint_eq(runq_pop(&q), 0);
	runq_fini(&q);
	/* Twice, as the pool's error paths may: nothing freed twice. */
	runq_fini(&q);
}
END_TEST

/* Equal keys come out first in, first out across the ring's wrap. */
START_TEST(test_equal_keys_wrap)
{
	struct runq q;
	uint64_t id = 0, out = 0;
	unsigned i, k;

	ck_assert_int_eq(runq_init(&q, 5), 0);
	for (k = 0; k < 100; k++) {
		for (i = 0; i < 3; i++) {
			id++;
			runq_push(&q, 7, id, (uint32_t)(id % 5));
		}
		for (i = 0; i < 3; i++)
			ck_assert_uint_eq(runq_pop(&q), (uint32_t)(++out % 5));
	}
	ck_assert_uint_eq(runq_len(&q), 0);
	runq_fini(&q);
}
END_TEST

/* What remove_if drops is gone, what it keeps comes out as before. */
static bool
drop_odd(void *ctx, uint32_t slot)
{
	unsigned *calls = ctx;

	(*calls)++;
	return slot % 2 == 1;
}

START_TEST(test_remove_if)
{
	enum { CAP = 200 };
	struct model m = { .e = calloc(CAP, sizeof(*m.e)) };
	uint64_t rng = seed ^ 2;
	struct runq q;
	unsigned i, calls = 0, kept = 0;

	ck_assert_int_eq(runq_init(&q, CAP), 0);
	/* Rising keys above the buckets (the run), every fifth out of order:
	 * a small one (a bucket) or a large one (the heap).  Every part
	 * holds entries. */
	for (i = 0; i < CAP; i++) {
		int64_t key = RUNQ_BUCKET_MIN + RUNQ_BUCKETS + 100 + (int64_t)i;
		uint64_t r = test_rng_next(&rng);

		if (i && i % 10 == 0)
			key = RUNQ_BUCKET_MIN + (int64_t)(r % RUNQ_BUCKETS);
		else if (i % 10 == 5)
			key = RUNQ_BUCKET_MIN + RUNQ_BUCKETS + (int64_t)(r % 100);

		runq_push(&q, key, i + 1, i);
		if (i % 2 == 0)
			m.e[m.n++] = (struct runq_ent){
				.key = key,
				.seqslot = (uint64_t)(i + 1) << RUNQ_SLOT_BITS |
					   i,
			};
	}
	ck_assert_uint_gt(q.heap_len, 0);
	ck_assert_uint_gt(q.run_len, 0);
	ck_assert_uint_gt(q.bucket_len, 0);
	ck_assert_uint_eq(runq_remove_if(&q, drop_odd, &calls), CAP / 2);
	ck_assert_uint_eq(calls, CAP);
	ck_assert_uint_eq(runq_len(&q), CAP / 2);
	while (runq_len(&q)) {
		ck_assert_uint_eq(runq_pop(&q), model_pop(&m));
		kept++;
	}
	ck_assert_uint_eq(kept, CAP / 2);
	/* Nothing to drop: nothing taken. */
	runq_push(&q, 0, 1000, 0);
	ck_assert_uint_eq(runq_remove_if(&q, drop_odd, &calls), 0);
	ck_assert_uint_eq(runq_pop(&q), 0);
	runq_fini(&q);
	free(m.e);
}
END_TEST

/* Is every heap entry no smaller than its parent? */
static bool
heap_ordered(const struct runq *q)
{
	unsigned i;

	for (i = 1; i < q->heap_len; i++)
		if (runq_less(&q->heap[i], &q->heap[(i - 1) / 2]))
			return false;
	return true;
}

struct salted_drop {
	uint64_t salt;
	unsigned permille;
};

static bool
drop_salted(void *ctx, uint32_t slot)
{
	const struct salted_drop *d = ctx;
	uint64_t h = (slot + 1) * 0x9e3779b97f4a7c15u ^ d->salt;

	return (h >> 20) % 1000 < d->permille;
}

/* Queues of every size up to CAP - MORE, filled in random key order (so
 * most of it is buckets and heap), cut by a random share with
 * runq_remove_if, then given MORE entries: the heap is a heap again, the
 * buckets' lists end where they should, and the pops come in the model's
 * order. */
START_TEST(test_remove_if_random)
{
	enum { CAP = 300, TRIALS = 600, MORE = 20 };
	struct model m = { .e = calloc(CAP, sizeof(*m.e)) };
	uint64_t rng = seed ^ 3;
	struct runq q;
	unsigned t, i, n;

	ck_assert_int_eq(runq_init(&q, CAP), 0);
	for (t = 0; t < TRIALS; t++) {
		struct salted_drop d = {
			.salt = test_rng_next(&rng),
			.permille = (unsigned)(test_rng_next(&rng) % 1001),
		};

		n = 1 + (unsigned)(test_rng_next(&rng) % (CAP - MORE));
		m.n = 0;
		for (i = 0; i < n; i++) {
			int64_t key = (int64_t)(test_rng_next(&rng) % 64);

			runq_push(&q, key, i + 1, i);
			if (!drop_salted(&d, i))
				m.e[m.n++] = (struct runq_ent){
					.key = key,
					.seqslot = (uint64_t)(i + 1)
							   << RUNQ_SLOT_BITS |
						   i,
				};
		}
		ck_assert(heap_ordered(&q));
		ck_assert_uint_eq(runq_remove_if(&q, drop_salted, &d),
				  n - m.n);
		ck_assert_msg(heap_ordered(&q), "trial %u, %u entries, heap "
			      "%u (RUNQ_SEED=%" PRIu64 ")", t, n, q.heap_len,
			      seed);
		for (i = n; i < n + MORE; i++) {
			int64_t key = (int64_t)(test_rng_next(&rng) % 64);

			runq_push(&q, key, i + 1, i);
			m.e[m.n++] = (struct runq_ent){
				.key = key,
				.seqslot = (uint64_t)(i + 1) << RUNQ_SLOT_BITS |
					   i,
			};
		}
		while (runq_len(&q))
			ck_assert_uint_eq(runq_pop(&q), model_pop(&m));
		ck_assert_uint_eq(m.n, 0);
	}
	runq_fini(&q);
	free(m.e);
}
END_TEST

/* A low-priority task that waited more than the difference in aging
 * steps runs before newer urgent ones; without aging it runs after. */
START_TEST(test_aging_keys)
{
	const uint64_t step = 1000000, base = 5000;
	struct runq q;

	ck_assert_int_eq(runq_init(&q, 4), 0);
	/* Priority 5 queued at base; priority 0 queued 6 steps later. */
	runq_push(&q, runq_key(5, step, base, base), 1, 0);
	runq_push(&q, runq_key(0, step, base + 6 * step, base), 2, 1);
	runq_push(&q, runq_key(0, step, base + 6 * step, base), 3, 2);
	/* Priority 2 queued 2 steps later: a key of 4 steps against the
	 * old one's 5, so it goes first. */
	runq_push(&q, runq_key(2, step, base + 2 * step, base), 4, 3);
	ck_assert_uint_eq(runq_pop(&q), 3);
	ck_assert_uint_eq(runq_pop(&q), 0);
	ck_assert_uint_eq(runq_pop(&q), 1);
	ck_assert_uint_eq(runq_pop(&q), 2);

	runq_push(&q, runq_key(5, 0, base, base), 1, 0);
	runq_push(&q, runq_key(0, 0, base + 6 * step, base), 2, 1);
	ck_assert_uint_eq(runq_pop(&q), 1);
	ck_assert_uint_eq(runq_pop(&q), 0);
	/* The extremes do not overflow: the most urgent priority, a
	 * century of waiting, the largest step. */
	ck_assert_int_lt(runq_key(-2147483647 - 1, 1u << 30, base, base),
			 runq_key(2147483647, 1u << 30,
				  base + 3155760000000000000ull, base));
	runq_fini(&q);
}
END_TEST

START_TEST(test_init_limits)
{
	struct runq q;

	ck_assert_int_eq(runq_init(&q, 0), -EINVAL);
	ck_assert_int_eq(runq_init(&q, RUNQ_MAX_CAPACITY + 1), -EINVAL);
	runq_fini(&q);
	ck_assert_int_eq(runq_init(&q, 1), 0);
	runq_push(&q, 9, 1, 0);
	ck_assert_uint_eq(runq_len(&q), 1);
	ck_assert_uint_eq(runq_pop(&q), 0);
	runq_fini(&q);
	runq_fini(&q);
}
END_TEST

static Suite *
runq_suite(void)
{
	Suite *s = suite_create("runq");
	TCase *tc = tcase_create("order");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_order_mixed);
	tcase_add_test(tc, test_order_buckets);
	tcase_add_test(tc, test_bucket_edges);
	tcase_add_test(tc, test_one_key_by_id);
	tcase_add_test(tc, test_equal_keys_wrap);
	tcase_add_test(tc, test_remove_if);
	tcase_add_test(tc, test_remove_if_random);
	tcase_add_test(tc, test_aging_keys);
	tcase_add_test(tc, test_init_limits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	seed = test_env_seed("RUNQ_SEED");
	printf("check_runq: RUNQ_SEED=%" PRIu64 "\n", seed);
	fflush(stdout);
	return test_run_suite(runq_suite());
}
