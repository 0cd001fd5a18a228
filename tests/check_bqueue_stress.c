/*
 * check_bqueue_stress.c - the bounded blocking queue under load: P
 * producers and C consumers, every item each consumer receives recorded,
 * and checked after the join: every item accepted was delivered exactly
 * once, and each consumer saw each producer's items in order.  The
 * randomized runs mix blocking, timed and try operations with seeded
 * yields and short sleeps, and close the queue while producers still
 * push; and the depth every event carries follows the queue's history.
 *
 * Environment: BQUEUE_ITEMS (items per producer), BQUEUE_PRODUCERS,
 * BQUEUE_CONSUMERS, BQUEUE_SEED (replay a randomized run; the seed is
 * printed at start).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/bqueue.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "checkutil.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define US 1000ull

static uint64_t seed_base;

static void *
iptr(uintptr_t v)
{
	return (void *)v;
}

/* Stress: P producers x C consumers. */

#define PID_SHIFT 24	/* an item is producer id << PID_SHIFT | sequence */

struct mpmc {
	struct ls_bqueue *q;
	uint32_t qid;		/* q's object id, kept after q is freed */
	unsigned producers, consumers;
	unsigned long per;	/* items per producer */
	bool random;		/* mix operations, yields and sleeps */
	bool close_early;	/* producer 0 closes part way */
	unsigned long close_after;
	uint64_t seed;

	_Atomic unsigned next_pid, next_cid, producers_done;
	unsigned long *accepted;	/* per producer, by that producer */
	uintptr_t **got;		/* per consumer, what it received */
	unsigned long *ngot;
	atomic_int bad;			/* an unexpected result, see bad_rc */
	atomic_int bad_rc;
};

static void
mpmc_fail(struct mpmc *m, int rc)
{
	int zero = 0;

	atomic_compare_exchange_strong(&m->bad_rc, &zero, rc);
	atomic_fetch_add(&m->bad, 1);
}

/* Push one item the way rng picks.  Returns 0, -EPIPE or another error. */
static int
mpmc_push_one(struct mpmc *m, uint64_t *rng, void *item)
{
	uint64_t r = m->random ? test_rng_next(rng) : 0;
	int rc;

	switch (r % 3) {
	case 0:
		return ls_bqueue_push(m->q, item);
	case 1:
		/* Short timeouts race hand-offs: the grant must win. */
		while ((rc = ls_bqueue_timedpush(m->q, item,
						 (r >> 8) % (200 * US))) ==
		       -ETIMEDOUT)
			r = test_rng_next(rng);
		return rc;
	default:
		while ((rc = ls_bqueue_trypush(m->q, item)) == -EAGAIN)
			test_sleep_ns((test_rng_next(rng) % 20 + 1) * US);
		return rc;
	}
}

static int
mpmc_pop_one(struct mpmc *m, uint64_t *rng, void **item)
{
	uint64_t r = m->random ? test_rng_next(rng) : 0;
	int rc;

	switch (r % 3) {
	case 0:
		return ls_bqueue_pop(m->q, item);
	case 1:
		while ((rc = ls_bqueue_timedpop(m->q, item,
						(r >> 8) % (200 * US))) ==
		       -ETIMEDOUT)
			r = test_rng_next(rng);
		return rc;
	default:
		while ((rc = ls_bqueue_trypop(m->q, item)) == -EAGAIN)
			test_sleep_ns((test_rng_next(rng) % 20 + 1) * US);
		return rc;
	}
}

static void
mpmc_producer(void *arg)
{
	struct mpmc *m = arg;
	unsigned pid = atomic_fetch_add(&m->next_pid, 1);
	uint64_t rng = m->seed ^ (0x1000 + pid) * 0x9e3779b97f4a7c15ull;
	unsigned long seq;
	int rc = 0;

	for (seq = 0; seq < m->per; seq++) {
		if (m->close_early && pid == 0 && seq == m->close_after) {
			rc = ls_bqueue_close(m->q);
			if (rc)
				mpmc_fail(m, rc);
		}
		if (m->random)
			test_jitter(&rng);
		rc = mpmc_push_one(m, &rng,
				   iptr((uintptr_t)pid << PID_SHIFT | seq));
		if (rc)
			break;
	}
	m->accepted[pid] = seq;
	if (rc && !(rc == -EPIPE && m->close_early))
		mpmc_fail(m, rc);
	/* The last producer out closes, so consumers drain and stop. */
	if (atomic_fetch_add(&m->producers_done, 1) + 1 == m->producers) {
		rc = ls_bqueue_close(m->q);
		if (rc)
			mpmc_fail(m, rc);
	}
}

static void
mpmc_consumer(void *arg)
{
	struct mpmc *m = arg;
	unsigned cid = atomic_fetch_add(&m->next_cid, 1);
	uint64_t rng = m->seed ^ (0x2000 + cid) * 0x9e3779b97f4a7c15ull;
	unsigned long cap = m->per * m->producers;
	void *item;
	int rc;

	for (;;) {
		if (m->random)
			test_jitter(&rng);
		rc = mpmc_pop_one(m, &rng, &item);
		if (rc)
			break;
		if (m->ngot[cid] == cap) {
			mpmc_fail(m, -E2BIG);
			return;
		}
		m->got[cid][m->ngot[cid]++] = (uintptr_t)item;
	}
	if (rc != -EPIPE)
		mpmc_fail(m, rc);
}

/* Run m with fresh records, then check exactly-once delivery of every
 * accepted item and per-producer order as each consumer saw it. */
static void
mpmc_run(struct mpmc *m, struct ls_ring *ring, unsigned capacity)
{
	struct ls_group *g;
	unsigned long total = m->per * m->producers, delivered = 0, i;
	unsigned char *seen;
	long *last;
	unsigned p, c;

	ck_assert_uint_lt(m->per, 1ul << PID_SHIFT);
	ck_assert_int_eq(ls_group_create(ring, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "q", capacity, &m->q), 0);
	m->qid = ls_bqueue_id(m->q);
	atomic_init(&m->next_pid, 0);
	atomic_init(&m->next_cid, 0);
	atomic_init(&m->producers_done, 0);
	atomic_init(&m->bad, 0);
	atomic_init(&m->bad_rc, 0);
	m->accepted = calloc(m->producers, sizeof(*m->accepted));
	m->got = calloc(m->consumers, sizeof(*m->got));
	m->ngot = calloc(m->consumers, sizeof(*m->ngot));
	seen = calloc(total, 1);
	last = calloc(m->producers, sizeof(*last));
	ck_assert(m->accepted && m->got && m->ngot && seen && last);
	for (c = 0; c < m->consumers; c++) {
		m->got[c] = calloc(total, sizeof(**m->got));
		ck_assert_ptr_nonnull(m->got[c]);
	}

	for (c = 0; c < m->consumers; c++)
		ck_assert_int_eq(ls_thread_spawn(g, "consumer", mpmc_consumer,
						 m), 0);
	for (p = 0; p < m->producers; p++)
		ck_assert_int_eq(ls_thread_spawn(g, "producer", mpmc_producer,
						 m), 0);
	ls_group_join(g);

	ck_assert_msg(atomic_load(&m->bad) == 0,
		      "%d unexpected results, first %d (seed %llu)",
		      atomic_load(&m->bad), atomic_load(&m->bad_rc),
		      (unsigned long long)m->seed);
	for (p = 0; p < m->producers; p++)
		if (!m->close_early)
			ck_assert_uint_eq(m->accepted[p], m->per);
	for (c = 0; c < m->consumers; c++) {
		for (p = 0; p < m->producers; p++)
			last[p] = -1;
		for (i = 0; i < m->ngot[c]; i++) {
			uintptr_t v = m->got[c][i];
			unsigned pid = (unsigned)(v >> PID_SHIFT);
			unsigned long seq = v & ((1ul << PID_SHIFT) - 1);

			ck_assert_msg(pid < m->producers &&
					      seq < m->accepted[pid],
				      "consumer %u got an item never accepted: "
				      "producer %u seq %lu (seed %llu)",
				      c, pid, seq, (unsigned long long)m->seed);
			ck_assert_msg(!seen[pid * m->per + seq],
				      "producer %u seq %lu delivered twice "
				      "(seed %llu)", pid, seq,
				      (unsigned long long)m->seed);
			seen[pid * m->per + seq] = 1;
			ck_assert_msg((long)seq > last[pid],
				      "consumer %u saw producer %u seq %lu "
				      "after %ld (seed %llu)", c, pid, seq,
				      last[pid], (unsigned long long)m->seed);
			last[pid] = (long)seq;
			delivered++;
		}
	}
	for (p = 0; p < m->producers; p++)
		for (i = 0; i < m->accepted[p]; i++)
			ck_assert_msg(seen[p * m->per + i],
				      "producer %u seq %lu accepted but lost "
				      "(seed %llu)", p, i,
				      (unsigned long long)m->seed);
	for (p = 0; p < m->producers; p++)
		delivered -= m->accepted[p];
	ck_assert_uint_eq(delivered, 0);
	ck_assert_uint_eq(ls_bqueue_depth(m->q), 0);
	ck_assert(ls_bqueue_closed(m->q));

	for (c = 0; c < m->consumers; c++)
		free(m->got[c]);
	free(m->got);
	free(m->ngot);
	free(m->accepted);
	free(seen);
	free(last);
	ls_bqueue_destroy(m->q);
	ls_group_destroy(g);
}

static void
mpmc_init(struct mpmc *m, unsigned long def_items, unsigned long san_items)
{
	memset(m, 0, sizeof(*m));
	m->producers = (unsigned)test_size("BQUEUE_PRODUCERS", 3, 3);
	m->consumers = (unsigned)test_size("BQUEUE_CONSUMERS", 3, 3);
	m->per = test_size("BQUEUE_ITEMS", def_items, san_items);
	ck_assert_uint_lt(m->producers, 256);
}

START_TEST(test_mpmc_blocking)
{
	static const unsigned caps[] = { 1, 2, 7, 64 };
	struct mpmc m;

	mpmc_init(&m, 20000, 2000);
	m.seed = seed_base;
	mpmc_run(&m, NULL, caps[_i]);
}
END_TEST

START_TEST(test_mpmc_random)
{
	struct mpmc m;
	uint64_t rng = seed_base ^ (uint64_t)_i * 0x5851f42d4c957f2dull;

	mpmc_init(&m, 5000, 500);
	m.random = true;
	m.seed = test_rng_next(&rng);
	mpmc_run(&m, NULL, 1 + (unsigned)(test_rng_next(&rng) % 4));
}
END_TEST

START_TEST(test_mpmc_random_close)
{
	struct mpmc m;
	uint64_t rng = seed_base ^ (uint64_t)(_i + 100) * 0x5851f42d4c957f2dull;

	mpmc_init(&m, 5000, 500);
	m.random = true;
	m.close_early = true;
	m.seed = test_rng_next(&rng);
	m.close_after = test_rng_next(&rng) % m.per;
	mpmc_run(&m, NULL, 1 + (unsigned)(test_rng_next(&rng) % 4));
}
END_TEST

/*
 * The depth every Q_* event carries follows the queue's history: with the
 * events in timestamp order, a push adds at most one, a pop takes at most
 * one, nothing else changes it, a producer waits only on a full queue and
 * a consumer only on an empty one.  A checker thread is the ring's one
 * consumer while the queue runs and folds the events as they come.
 */
struct depth_check {
	struct ls_ring *ring;
	uint32_t id;
	unsigned cap;
	atomic_bool stop;

	/* The checker's own; read by the test after the join. */
	unsigned long pushed, popped, checked;
	unsigned last;
	char failure[160];
};

static void
depth_fold(struct depth_check *dc, const struct ls_event *e, unsigned *prev,
	   uint64_t *prev_ts)
{
	unsigned d = (unsigned)e->arg;
	bool tie = e->ts == *prev_ts, ok;

	if (dc->failure[0] || e->obj != dc->id ||
	    e->kind < LS_EV_Q_PUSH_WAIT || e->kind > LS_EV_Q_CLOSED)
		return;
	switch (e->kind) {
	case LS_EV_Q_PUSHED:
		dc->pushed++;
		ok = tie || d == *prev || d == *prev + 1;
		break;
	case LS_EV_Q_POPPED:
		dc->popped++;
		ok = tie || d == *prev || d + 1 == *prev;
		break;
	case LS_EV_Q_PUSH_WAIT:
		ok = d == dc->cap;
		break;
	case LS_EV_Q_POP_WAIT:
		ok = d == 0;
		break;
	default:
		ok = tie || d == *prev;
		break;
	}
	ok = ok && e->arg <= dc->cap &&
	     (e->kind == LS_EV_Q_TIMEOUT || e->aux == dc->cap);
	if (!ok)
		snprintf(dc->failure, sizeof(dc->failure),
			 "tid %u %s depth %llu aux %u after depth %u",
			 e->tid, ls_event_kind_name(e->kind),
			 (unsigned long long)e->arg, e->aux, *prev);
	/* Equal stamps may come out in either order: a tie is not checked,
	 * the next step is checked from here. */
	*prev = d;
	*prev_ts = e->ts;
	dc->checked++;
}

static void *
depth_checker(void *arg)
{
	struct depth_check *dc = arg;
	struct ls_event buf[512];
	unsigned prev = 0;
	uint64_t prev_ts = 0;
	bool last_round = false;
	size_t n, i;

	for (;;) {
		n = ls_ring_drain(dc->ring, buf, 512);
		for (i = 0; i < n; i++)
			depth_fold(dc, &buf[i], &prev, &prev_ts);
		if (n)
			continue;
		if (last_round)
			break;
		/* Stop is set after the join: one more pass gets the rest. */
		last_round = atomic_load(&dc->stop);
		if (!last_round)
			test_sleep_ns(200 * US);
	}
	dc->last = prev;
	return NULL;
}

START_TEST(test_events_depth)
{
	struct ls_ring_config cfg = {
		.lane_events = 1u << 16,
		.max_lanes = 16,
	};
	struct depth_check dc;
	struct mpmc m;
	pthread_t checker;

	mpmc_init(&m, 5000, 1000);
	m.random = true;
	m.seed = seed_base;
	memset(&dc, 0, sizeof(dc));
	dc.cap = 3;
	/* mpmc_run makes the ring's first object. */
	dc.id = 1;
	atomic_init(&dc.stop, false);
	ck_assert_int_eq(ls_ring_create(&cfg, &dc.ring), 0);
	ck_assert_int_eq(pthread_create(&checker, NULL, depth_checker, &dc),
			 0);
	mpmc_run(&m, dc.ring, dc.cap);
	atomic_store(&dc.stop, true);
	ck_assert_int_eq(pthread_join(checker, NULL), 0);

	ck_assert_uint_eq(m.qid, dc.id);
	ck_assert_msg(!dc.failure[0], "%s (seed %llu)", dc.failure,
		      (unsigned long long)m.seed);
	ck_assert_uint_eq(ls_ring_dropped_total(dc.ring), 0);
	ck_assert_uint_eq(dc.pushed, m.per * m.producers);
	ck_assert_uint_eq(dc.popped, m.per * m.producers);
	ck_assert_uint_eq(dc.last, 0);
	ck_assert_uint_gt(dc.checked, dc.pushed + dc.popped);
	ls_ring_destroy(dc.ring);
}
END_TEST

static Suite *
bqueue_stress_suite(void)
{
	Suite *s = suite_create("bqueue_stress");
	TCase *tc;

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 15);
	tcase_add_loop_test(tc, test_mpmc_blocking, 0, 4);
	tcase_add_loop_test(tc, test_mpmc_random, 0, 3);
	tcase_add_loop_test(tc, test_mpmc_random_close, 0, 3);
	tcase_add_test(tc, test_events_depth);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	seed_base = test_env_seed("BQUEUE_SEED");
	fprintf(stderr, "check_bqueue_stress: seed %llu (BQUEUE_SEED=%llu "
		"replays)\n", (unsigned long long)seed_base,
		(unsigned long long)seed_base);
	return test_run_suite(bqueue_stress_suite());
}
