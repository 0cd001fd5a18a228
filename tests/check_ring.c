/*
 * check_ring.c - unit tests of the event ring: configuration, order,
 * wrap-around, drops and their accounting, registration and lane reuse,
 * short-lived producers, global timestamp order,
 * happens-before across cores with either clock, equal stamps, and the
 * watermark under a producer stalled between its clock read and its
 * publish (this suite links its own ring.c built with LS_RING_TEST_HOOK).
 * Tid reuse is check_ring_tids.c's.
 */
#include "checkutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "model/model.h"

static struct ls_lane *
lane_new(struct ls_ring *r, const char *name)
{
	struct ls_lane *lane = NULL;

	ck_assert_int_eq(ls_ring_register(r, name, &lane), 0);
	return lane;
}

START_TEST(test_config_rejected)
{
	struct ls_ring_config bad[] = {
		{ .lane_events = 0, .max_lanes = 1 },
		{ .lane_events = 1, .max_lanes = 1 },
		{ .lane_events = 6, .max_lanes = 1 },
		{ .lane_events = 8, .max_lanes = 0 },
		{ .lane_events = 8, .max_lanes = 1025 },
		{ .lane_events = 8, .max_lanes = 1,
		  .max_tids = LS_RING_MAX_TIDS + 1 },
	};
	struct ls_ring *r = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(ls_ring_create(&bad[i], &r), -EINVAL);
	ck_assert_int_eq(ls_ring_create(NULL, &r), 0);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_fields_and_order)
{
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_lane *lane = lane_new(r, "solo");
	struct ls_event ev[64];
	uint64_t before = ls_clock_ticks();
	size_t n, i;

	for (i = 0; i < 40; i++)
		ck_assert(ls_lane_emit(lane, LS_EV_MARK, 7, 1000 + i,
				       (uint32_t)i * 3));
	n = test_drain_all(r, ev, 64);
	ck_assert_uint_eq(n, 40);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(ev[i].kind, LS_EV_MARK);
		ck_assert_uint_eq(ev[i].obj, 7);
		ck_assert_uint_eq(ev[i].arg, 1000 + i);
		ck_assert_uint_eq(ev[i].aux, i * 3);
		ck_assert_uint_eq(ev[i].seq, i);
		ck_assert_uint_eq(ev[i].tid, ls_lane_tid(lane));
		ck_assert_uint_ge(ev[i].ts, before);
		if (i)
			ck_assert_uint_ge(ev[i].ts, ev[i - 1].ts);
	}
	ck_assert_uint_eq(ls_ring_drain(r, ev, 64), 0);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ls_ring_unregister(lane);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_wrap_around)
{
	struct ls_ring *r = test_ring_new(8, 1);
	struct ls_lane *lane = lane_new(r, "wrap");
	struct ls_event ev[8];
	uint32_t next = 0;
	unsigned round;

	/* 5 per round against 8 slots: every slot index is crossed often. */
	for (round = 0; round < 400; round++) {
		size_t i, n;

		for (i = 0; i < 5; i++)
			ck_assert(ls_lane_emit(lane, LS_EV_MARK, 1,
					       next + i, 0));
		n = test_drain_all(r, ev, 8);
		ck_assert_uint_eq(n, 5);
		for (i = 0; i < n; i++) {
			ck_assert_uint_eq(ev[i].seq, next);
			ck_assert_uint_eq(ev[i].arg, next);
			next++;
		}
	}
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ls_ring_unregister(lane);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_full_drops_newest)
{
	struct ls_ring *r = test_ring_new(8, 1);
	struct ls_lane *lane = lane_new(r, "full");
	struct ls_event ev[32];
	unsigned tid = ls_lane_tid(lane);
	size_t i, n;

	for (i = 0; i < 20; i++)
		ck_assert(ls_lane_emit(lane, LS_EV_MARK, 1, i, 0) == (i < 8));
	n = test_drain_all(r, ev, 32);
	/* The oldest eight are kept; the twelve newest were dropped. */
	ck_assert_uint_eq(n, 8);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(ev[i].seq, i);
	ck_assert_uint_eq(ls_ring_dropped(r, tid), 12);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 12);

	/* The next event shows the gap, and the drops explain it. */
	ck_assert(ls_lane_emit(lane, LS_EV_MARK, 1, 20, 0));
	n = test_drain_all(r, ev, 32);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].seq, 20);
	ck_assert_uint_eq(ev[0].seq - 7 - 1, ls_ring_dropped(r, tid));
	ls_ring_unregister(lane);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_merge_two_lanes)
{
	struct ls_ring *r = test_ring_new(64, 2);
	struct ls_lane *a = lane_new(r, "a"), *b = lane_new(r, "b");
	struct ls_event ev[64];
	size_t i, n;

	/* Interleaved emits on two lanes come out interleaved, by time. */
	for (i = 0; i < 30; i++)
		ck_assert(ls_lane_emit(i % 2 ? b : a, LS_EV_MARK, 1, i, 0));
	n = test_drain_all(r, ev, 64);
	ck_assert_uint_eq(n, 30);
	for (i = 1; i < n; i++)
		ck_assert_uint_ge(ev[i].ts, ev[i - 1].ts);
	for (i = 0; i < n; i++)
		if (ev[i].ts != (i ? ev[i - 1].ts : 0) &&
		    (i + 1 == n || ev[i].ts != ev[i + 1].ts))
			ck_assert_uint_eq(ev[i].arg, i);
	ls_ring_unregister(a);
	ls_ring_unregister(b);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_registration_and_reuse)
{
	struct ls_ring *r = test_ring_new(8, 2);
	struct ls_lane *a = lane_new(r, "alpha");
	struct ls_lane *b = lane_new(r, "a-name-much-longer-than-thirty-one-bytes");
	struct ls_lane *c = NULL;
	struct ls_event ev[8];
	char name[64];

	ck_assert_int_eq(ls_ring_register(r, "gamma", &c), -EAGAIN);
	ck_assert_uint_eq(ls_lane_tid(a), 1);
	ck_assert_uint_eq(ls_lane_tid(b), 2);
	ck_assert_uint_eq(ls_ring_thread_count(r), 2);
	ck_assert_int_eq(ls_ring_thread_name(r, 1, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "alpha");
	ck_assert_int_eq(ls_ring_thread_name(r, 2, name, sizeof(name)), 0);
	ck_assert_uint_eq(strlen(name), LS_NAME_MAX);
	ck_assert_int_eq(ls_ring_thread_name(r, 3, name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(ls_ring_thread_name(r, 0, name, sizeof(name)), -ENOENT);

	/* A retired lane with events left is not reused before the drain. */
	ck_assert(ls_lane_emit(a, LS_EV_MARK, 1, 42, 0));
	ls_ring_unregister(a);
	ck_assert_int_eq(ls_ring_register(r, "gamma", &c), -EAGAIN);
	ck_assert_uint_eq(test_drain_all(r, ev, 8), 1);
	ck_assert_uint_eq(ev[0].arg, 42);
	/* The drain that found it empty freed it. */
	ls_ring_drain(r, ev, 8);
	ck_assert_int_eq(ls_ring_register(r, "gamma", &c), 0);
	ck_assert_uint_eq(ls_lane_tid(c), 3);
	ck_assert(ls_lane_emit(c, LS_EV_MARK, 1, 7, 0));
	ck_assert_uint_eq(test_drain_all(r, ev, 8), 1);
	ck_assert_uint_eq(ev[0].tid, 3);
	ck_assert_uint_eq(ev[0].seq, 0);
	ls_ring_unregister(b);
	ls_ring_unregister(c);
	ls_ring_destroy(r);
}
END_TEST

/* A ring of names only: emits refused and not counted as drops, no
 * event ever drained, a lane free again at unregister with no drain, its
 * tid reused (tids 1..2 here), names and objects as in any ring. */
START_TEST(test_no_events)
{
	struct ls_ring_config cfg = {
		.lane_events = 2, .max_lanes = 2, .max_tids = 2,
		.no_events = true,
	};
	struct ls_ring *r = NULL;
	struct ls_lane *a = NULL, *b = NULL, *c = NULL;
	struct ls_event ev[8];
	char name[64];
	unsigned round, kind;
	uint32_t obj;

	ck_assert_int_eq(ls_ring_create(&cfg, &r), 0);
	ck_assert_int_eq(ls_ring_register(r, "alpha", &a), 0);
	ck_assert_int_eq(ls_ring_register(r, "beta", &b), 0);
	ck_assert_int_eq(ls_ring_register(r, "gamma", &c), -EAGAIN);
	obj = ls_ring_object_add(r, 3, "fork1");
	ck_assert_uint_ne(obj, 0);
	ck_assert_int_eq(ls_ring_object_info(r, obj, &kind, name,
					     sizeof(name)), 0);
	ck_assert_str_eq(name, "fork1");
	ck_assert_uint_eq(kind, 3);
	for (round = 0; round < 100; round++) {
		ck_assert(!ls_lane_emit(a, LS_EV_MARK, 1, round, 0));
		ck_assert(!ls_lane_commit(a, ls_lane_begin(a), LS_EV_MARK, 1,
					  round, 0));
		ck_assert(!ls_lane_emit(b, LS_EV_MARK, 1, round, 0));
		ck_assert_uint_eq(ls_ring_drain(r, ev, 8), 0);
		/* Free at once: a and its tid go to the next thread. */
		ls_ring_unregister(a);
		ck_assert_int_eq(ls_ring_register(r, round % 2 ? "alpha"
							      : "delta",
						  &a), 0);
		ck_assert_uint_le(ls_lane_tid(a), 2);
		ck_assert_uint_ne(ls_lane_tid(a), ls_lane_tid(b));
		ck_assert_int_eq(ls_ring_thread_name(r, ls_lane_tid(a), name,
						     sizeof(name)), 0);
		ck_assert_str_eq(name, round % 2 ? "alpha" : "delta");
	}
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ls_ring_unregister(a);
	ls_ring_unregister(b);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_objects)
{
	struct ls_ring *r = test_ring_new(8, 1);
	unsigned kind = 0;
	char name[40];

	ck_assert_uint_eq(ls_ring_object_add(NULL, LS_OBJ_MUTEX, "x"), 0);
	ck_assert_uint_eq(ls_ring_object_add(r, LS_OBJ_MUTEX, "A"), 1);
	ck_assert_uint_eq(ls_ring_object_add(r, LS_OBJ_QUEUE, "jobs"), 2);
	ck_assert_uint_eq(ls_ring_object_count(r), 2);
	ck_assert_int_eq(ls_ring_object_info(r, 2, &kind, name, sizeof(name)), 0);
	ck_assert_uint_eq(kind, LS_OBJ_QUEUE);
	ck_assert_str_eq(name, "jobs");
	ck_assert_int_eq(ls_ring_object_info(r, 3, &kind, name, sizeof(name)),
			 -ENOENT);
	ls_ring_destroy(r);
}
END_TEST

/* Short-lived producers: many threads, few lanes, a concurrent consumer. */

struct shortlived {
	struct ls_ring *r;
	unsigned events;
	atomic_uint emitted;
	atomic_uint finished;
	atomic_uint failed_register;
};

static void *
shortlived_main(void *p)
{
	struct shortlived *s = p;
	struct ls_lane *lane;
	unsigned i;
	int err;

	/* Lanes are recycled by the consumer: retry while all are busy. */
	while ((err = ls_ring_register(s->r, "short", &lane)) == -EAGAIN)
		sched_yield();
	if (err) {
		atomic_fetch_add(&s->failed_register, 1);
		atomic_fetch_add(&s->finished, 1);
		return NULL;
	}
	for (i = 0; i < s->events; i++)
		if (ls_lane_emit(lane, LS_EV_MARK, 1, i, 0))
			atomic_fetch_add(&s->emitted, 1);
	ls_ring_unregister(lane);
	atomic_fetch_add(&s->finished, 1);
	return NULL;
}

START_TEST(test_many_short_lived_producers)
{
	unsigned total = (unsigned)test_size("RING_SHORT_THREADS", 1500, 300);
	struct shortlived s = { .r = test_ring_new(64, 8), .events = 50 };
	struct ls_event ev[256];
	pthread_t th[16];
	uint64_t got = 0, drops;
	unsigned started = 0, i;
	size_t k;

	/* Batches of 16 threads over 8 lanes: half of each batch must wait
	 * for lanes the consumer frees, so reuse is exercised throughout. */
	while (started < total) {
		unsigned batch = total - started < 16 ? total - started : 16;

		for (i = 0; i < batch; i++)
			ck_assert_int_eq(pthread_create(&th[i], NULL,
							shortlived_main, &s), 0);
		started += batch;
		while (atomic_load(&s.finished) < started) {
			k = ls_ring_drain(s.r, ev, 256);
			got += k;
			if (!k)
				sched_yield();
		}
		for (i = 0; i < batch; i++)
			ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	}
	while ((k = ls_ring_drain(s.r, ev, 256)) > 0)
		got += k;
	drops = ls_ring_dropped_total(s.r);
	ck_assert_uint_eq(atomic_load(&s.failed_register), 0);
	ck_assert_uint_eq(ls_ring_thread_count(s.r), total);
	/* Nothing an exited thread emitted is lost. */
	ck_assert_uint_eq(got, atomic_load(&s.emitted));
	ck_assert_uint_eq(got + drops, (uint64_t)total * s.events);
	ls_ring_destroy(s.r);
}
END_TEST

/* Happens-before: release emitted before unlock, acquire after lock. */

struct hb {
	struct ls_ring *r;
	pthread_mutex_t mu;
	unsigned rounds;
};

static void *
hb_main(void *p)
{
	struct hb *h = p;
	struct ls_lane *lane;
	unsigned i;

	if (ls_ring_register(h->r, "hb", &lane))
		return NULL;
	for (i = 0; i < h->rounds; i++) {
		pthread_mutex_lock(&h->mu);
		ls_lane_emit(lane, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
		ls_lane_emit(lane, LS_EV_LOCK_RELEASED, 1, 0, 0);
		pthread_mutex_unlock(&h->mu);
	}
	ls_ring_unregister(lane);
	return NULL;
}

START_TEST(test_happens_before_one_owner)
{
	unsigned rounds = (unsigned)test_size("RING_HB_ROUNDS", 20000, 5000);
	uint32_t lane = 2;
	struct hb h = { .rounds = rounds };
	struct ls_event ev[512];
	pthread_t th[2];
	unsigned owner = 0, seen = 0, two_owners = 0;
	size_t n, i;

	/* Room for every event of a thread: nothing is dropped, and a drop
	 * would end the wait below instead of hanging it. */
	while (lane < 2 * rounds)
		lane *= 2;
	h.r = test_ring_new(lane, 4);
	pthread_mutex_init(&h.mu, NULL);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hb_main, &h), 0);
	while (seen + ls_ring_dropped_total(h.r) < 4 * h.rounds) {
		n = ls_ring_drain(h.r, ev, 512);
		for (i = 0; i < n; i++) {
			if (ev[i].kind == LS_EV_LOCK_ACQUIRED) {
				two_owners += owner != 0;
				owner = ev[i].tid;
			} else if (ev[i].kind == LS_EV_LOCK_RELEASED) {
				two_owners += owner != ev[i].tid;
				owner = 0;
			}
			seen++;
		}
		if (!n)
			sched_yield();
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(ls_ring_dropped_total(h.r), 0);
	ck_assert_uint_eq(seen, 4 * h.rounds);
	ck_assert_uint_eq(two_owners, 0);
	pthread_mutex_destroy(&h.mu);
	ls_ring_destroy(h.r);
}
END_TEST

/* Global order: a concurrent consumer never sees time go backwards. */

struct order {
	struct ls_ring *r;
	unsigned events;
	pthread_barrier_t start;
};

static void *
order_main(void *p)
{
	struct order *o = p;
	struct ls_lane *lane;
	unsigned i;

	if (ls_ring_register(o->r, "order", &lane))
		return NULL;
	pthread_barrier_wait(&o->start);
	for (i = 0; i < o->events; i++) {
		ls_lane_emit(lane, LS_EV_MARK, 1, i, 0);
		if (i % 97 == 0)
			sched_yield();
	}
	ls_ring_unregister(lane);
	return NULL;
}

START_TEST(test_global_timestamp_order)
{
	struct order o = {
		.r = test_ring_new(1024, 4),
		.events = (unsigned)test_size("RING_ORDER_EVENTS", 200000, 20000),
	};
	struct ls_event ev[256];
	pthread_t th[3];
	uint64_t last = 0, got = 0, inversions = 0, worst = 0;
	unsigned last_tid = 0, worst_tid = 0, worst_after = 0;
	size_t n, i;

	pthread_barrier_init(&o.start, NULL, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, order_main, &o), 0);
	for (;;) {
		n = ls_ring_drain(o.r, ev, 256);
		for (i = 0; i < n; i++) {
			if (ev[i].ts < last) {
				inversions++;
				if (last - ev[i].ts > worst) {
					worst = last - ev[i].ts;
					worst_tid = ev[i].tid;
					worst_after = last_tid;
				}
			}
			last = ev[i].ts;
			last_tid = ev[i].tid;
		}
		got += n;
		if (got + ls_ring_dropped_total(o.r) == 3ull * o.events)
			break;
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ck_assert_msg(inversions == 0, "%llu inversions, worst %llu ns (tid %u "
		      "after tid %u)", (unsigned long long)inversions,
		      (unsigned long long)worst, worst_tid, worst_after);
	pthread_barrier_destroy(&o.start);
	ls_ring_destroy(o.r);
}
END_TEST

/*
 * Happens-before across cores, with each clock: threads take turns
 * through one lock and, inside it, emit the value of a counter they then
 * bump.  The lock orders the emits, so the drained order must show the
 * counter 0, 1, 2, ... exactly - whatever core each stamp was read on.
 */

struct chain {
	struct ls_ring *r;
	pthread_mutex_t mu;
	pthread_barrier_t start;
	unsigned rounds;
	uint64_t counter;	/* guarded by mu */
};

static void *
chain_main(void *p)
{
	struct chain *c = p;
	struct ls_lane *lane = NULL;
	unsigned i;

	ck_assert_int_eq(ls_ring_register(c->r, "chain", &lane), 0);
	pthread_barrier_wait(&c->start);
	for (i = 0; i < c->rounds; i++) {
		ck_assert_int_eq(pthread_mutex_lock(&c->mu), 0);
		ls_lane_emit(lane, LS_EV_MARK, 1, c->counter++, 0);
		ck_assert_int_eq(pthread_mutex_unlock(&c->mu), 0);
		if (i % 64 == 0)
			sched_yield();
	}
	ls_ring_unregister(lane);
	return NULL;
}

static void
chain_run(unsigned source)
{
	enum { THREADS = 6 };
	struct chain c = {
		.rounds = (unsigned)test_size("RING_CHAIN_ROUNDS", 20000, 2000),
	};
	uint64_t total, got = 0, out_of_order = 0;
	struct ls_event ev[512];
	pthread_t th[THREADS];
	uint32_t lane = 2;
	size_t n, i;

	ck_assert_int_eq(ls_clock_select(source), 0);
	while (lane < c.rounds)
		lane *= 2;
	c.r = test_ring_new(lane, THREADS);
	total = (uint64_t)THREADS * c.rounds;
	ck_assert_int_eq(pthread_mutex_init(&c.mu, NULL), 0);
	ck_assert_int_eq(pthread_barrier_init(&c.start, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, chain_main, &c),
				 0);
	/* A drop ends the wait (and fails below) rather than hanging it.
	 * Batches of 1 to 512: the small ones hand out what an earlier
	 * drain's watermark covers, with no new one (ring-drain.c). */
	while (got + ls_ring_dropped_total(c.r) < total) {
		n = ls_ring_drain(c.r, ev, 1 + got % 512);
		for (i = 0; i < n; i++)
			out_of_order += ev[i].arg != got + i;
		got += n;
		if (!n)
			sched_yield();
	}
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	ck_assert_uint_eq(ls_ring_dropped_total(c.r), 0);
	ck_assert_uint_eq(got, total);
	ck_assert_msg(out_of_order == 0, "%s: %llu events out of lock order",
		      ls_clock_source_name(source),
		      (unsigned long long)out_of_order);
	pthread_barrier_destroy(&c.start);
	pthread_mutex_destroy(&c.mu);
	ls_ring_destroy(c.r);
}

START_TEST(test_lock_chain_order_tsc)
{
	if (!ls_clock_tsc_usable())
		return;		/* the fallback case below still runs */
	chain_run(LS_CLOCK_TSC);
}
END_TEST

START_TEST(test_lock_chain_order_monotonic)
{
	chain_run(LS_CLOCK_MONOTONIC);
}
END_TEST

/*
 * Equal stamps: a release and the next owner's acquire stamped with the
 * same tick come out release first, whichever lane is scanned first, and
 * the model then heals nothing.  Folded swapped, the model counts a heal.
 */

START_TEST(test_equal_stamps_release_first)
{
	static const unsigned pairs[][2] = {
		{ LS_EV_LOCK_RELEASED, LS_EV_LOCK_ACQUIRED },
		{ LS_EV_WR_RELEASED, LS_EV_WR_ACQUIRED },
		{ LS_EV_RD_RELEASED, LS_EV_WR_ACQUIRED },
		{ LS_EV_WR_RELEASED, LS_EV_RD_ACQUIRED },
		{ LS_EV_SEM_POST, LS_EV_SEM_ACQUIRED },
		{ LS_EV_Q_PUSHED, LS_EV_Q_POPPED },
		{ LS_EV_TASK_SUBMIT, LS_EV_TASK_START },
		{ LS_EV_CV_SIGNAL, LS_EV_CV_WOKEN },
		{ LS_EV_CV_BROADCAST, LS_EV_CV_WOKEN },
		{ LS_EV_BAR_RELEASE, LS_EV_BAR_PASSED },
		{ LS_EV_RE_SET, LS_EV_RE_PASSED },
		{ LS_EV_LATCH_DOWN, LS_EV_LATCH_PASSED },
	};
	struct ls_ring *r = test_ring_new(64, 2);
	struct ls_lane *a = lane_new(r, "a"), *b = lane_new(r, "b");
	struct ls_event ev[8];
	size_t p;
	unsigned side;

	for (p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		for (side = 0; side < 2; side++) {
			/* The acquirer on the lane scanned first, then on the
			 * other; its event published first; one stamp. */
			struct ls_lane *acq = side ? b : a, *rel = side ? a : b;
			uint64_t s = ls_lane_begin(rel);

			(void)ls_lane_begin(acq);
			ck_assert(ls_lane_commit(acq, s, pairs[p][1], 1, 0, 0));
			ck_assert(ls_lane_commit(rel, s, pairs[p][0], 1, 0, 0));
			ck_assert_uint_eq(ls_lane_stamp(acq), s);
			ck_assert_uint_eq(test_drain_all(r, ev, 8), 2);
			ck_assert_uint_eq(ev[0].ts, ev[1].ts);
			ck_assert_msg(ev[0].kind == pairs[p][0] &&
				      ev[1].kind == pairs[p][1],
				      "%s came before %s at an equal stamp",
				      ls_event_kind_name(ev[0].kind),
				      ls_event_kind_name(ev[1].kind));
		}
	}
	ls_ring_unregister(a);
	ls_ring_unregister(b);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_equal_stamps_model_heals_nothing)
{
	struct ls_ring *r = test_ring_new(64, 2);
	struct ls_lane *a = lane_new(r, "a"), *b = lane_new(r, "b");
	struct model *m = calloc(1, sizeof(*m));
	const struct model_object *o;
	struct ls_event ev[8];
	uint64_t s;
	size_t i;

	ck_assert_ptr_nonnull(m);
	ck_assert(ls_lane_emit(a, LS_EV_LOCK_ACQUIRED, 1, 0, 0));
	/* The hand-off, both sides on one tick, the acquire first. */
	s = ls_lane_begin(a);
	(void)ls_lane_begin(b);
	ck_assert(ls_lane_commit(b, s, LS_EV_LOCK_ACQUIRED, 1, 0, 0));
	ck_assert(ls_lane_commit(a, s, LS_EV_LOCK_RELEASED, 1, 0, 0));
	ck_assert_uint_eq(test_drain_all(r, ev, 8), 3);

	model_init(m);
	for (i = 0; i < 3; i++)
		model_apply(m, &ev[i]);
	o = model_object(m, 1);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->owner, ls_lane_tid(b));
	ck_assert_uint_eq(m->healed, 0);

	/* The order the ring used to allow: the model must say it healed. */
	model_init(m);
	model_apply(m, &ev[0]);
	model_apply(m, &ev[2]);
	model_apply(m, &ev[1]);
	ck_assert_uint_eq(m->healed, 1);
	free(m);
	ls_ring_unregister(a);
	ls_ring_unregister(b);
	ls_ring_destroy(r);
}
END_TEST

/*
 * The watermark, caught here and not only by the stress program: a
 * producer is stalled between its clock read and its publish (the test
 * hook), another publishes a newer event meanwhile; drain must hold that
 * one back until the stalled event is out, then give both in order.
 */

static struct ls_lane *stall_lane;
static atomic_int stall_state;	/* 0 run, 1 stalled, 2 let go */

static void
stall_hook(struct ls_lane *lane)
{
	if (lane != stall_lane)
		return;
	atomic_store(&stall_state, 1);
	while (atomic_load(&stall_state) != 2)
		sched_yield();
}

static void *
stall_main(void *p)
{
	ls_lane_emit(p, LS_EV_MARK, 1, 1, 0);
	return NULL;
}

START_TEST(test_watermark_holds_back_newer)
{
	struct ls_ring *r = test_ring_new(64, 2);
	struct ls_lane *slow = lane_new(r, "slow"), *fast = lane_new(r, "fast");
	struct ls_event ev[8];
	pthread_t th;

	stall_lane = slow;
	ls_ring_test_stall = stall_hook;
	ck_assert_int_eq(pthread_create(&th, NULL, stall_main, slow), 0);
	/* Check's timeout bounds this wait. */
	while (atomic_load(&stall_state) != 1)
		sched_yield();
	/* Stamped after the stalled producer's clock read. */
	ck_assert(ls_lane_emit(fast, LS_EV_MARK, 1, 2, 0));
	ck_assert_uint_eq(ls_ring_drain(r, ev, 8), 0);
	ck_assert_uint_eq(ls_ring_drain(r, ev, 8), 0);

	atomic_store(&stall_state, 2);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ls_ring_test_stall = NULL;
	ck_assert_uint_eq(test_drain_all(r, ev, 8), 2);
	ck_assert_uint_eq(ev[0].arg, 1);
	ck_assert_uint_eq(ev[1].arg, 2);
	ck_assert_uint_lt(ev[0].ts, ev[1].ts);
	ls_ring_unregister(slow);
	ls_ring_unregister(fast);
	ls_ring_destroy(r);
}
END_TEST

/*
 * Two events on one stamp (ls_lane_commit_hold): while the second is
 * still to come, the lane stays busy, so a newer event of another lane
 * is held back rather than handed out before it.  Committed without the
 * hold, the first drain would return a's first and b's (a quiet lane is
 * bounded by the consumer's clock), and a's second, older than b's,
 * would come after them.  Released instead, the lane holds nothing back.
 */
START_TEST(test_hold_keeps_lane_busy)
{
	struct ls_ring *r = test_ring_new(64, 2);
	struct ls_lane *a = lane_new(r, "a"), *b = lane_new(r, "b");
	struct ls_event ev[8];
	uint64_t s = ls_lane_begin(a);

	ck_assert(ls_lane_commit_hold(a, s, LS_EV_MARK, 1, 1, 0));
	ck_assert(ls_lane_emit(b, LS_EV_MARK, 1, 2, 0));
	ck_assert_uint_gt(ls_lane_stamp(b), s);
	ck_assert_uint_eq(ls_ring_drain(r, ev, 8), 0);
	ck_assert_uint_eq(ls_ring_drain(r, ev, 8), 0);
	ck_assert(ls_lane_commit(a, s, LS_EV_MARK, 1, 3, 0));
	ck_assert_uint_eq(test_drain_all(r, ev, 8), 3);
	ck_assert_uint_eq(ev[0].arg, 1);
	ck_assert_uint_eq(ev[1].arg, 3);
	ck_assert_uint_eq(ev[2].arg, 2);
	ck_assert_uint_eq(ev[0].ts, ev[1].ts);
	ck_assert_uint_lt(ev[1].ts, ev[2].ts);

	s = ls_lane_begin(a);
	ck_assert(ls_lane_commit_hold(a, s, LS_EV_MARK, 1, 4, 0));
	ls_lane_release(a);
	ck_assert(ls_lane_emit(b, LS_EV_MARK, 1, 5, 0));
	ck_assert_uint_eq(test_drain_all(r, ev, 8), 2);
	ck_assert_uint_eq(ev[0].arg, 4);
	ck_assert_uint_eq(ev[1].arg, 5);
	ls_ring_unregister(a);
	ls_ring_unregister(b);
	ls_ring_destroy(r);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *unit = tcase_create("unit");
	TCase *threads = tcase_create("threads");

	tcase_add_test(unit, test_config_rejected);
	tcase_add_test(unit, test_fields_and_order);
	tcase_add_test(unit, test_wrap_around);
	tcase_add_test(unit, test_full_drops_newest);
	tcase_add_test(unit, test_merge_two_lanes);
	tcase_add_test(unit, test_registration_and_reuse);
	tcase_add_test(unit, test_objects);
	tcase_add_test(unit, test_no_events);
	tcase_add_test(unit, test_equal_stamps_release_first);
	tcase_add_test(unit, test_equal_stamps_model_heals_nothing);
	tcase_add_test(unit, test_hold_keeps_lane_busy);
	suite_add_tcase(s, unit);

	tcase_set_timeout(threads, 30);
	tcase_add_test(threads, test_many_short_lived_producers);
	tcase_add_test(threads, test_happens_before_one_owner);
	tcase_add_test(threads, test_global_timestamp_order);
	tcase_add_test(threads, test_lock_chain_order_tsc);
	tcase_add_test(threads, test_lock_chain_order_monotonic);
	tcase_add_test(threads, test_watermark_holds_back_newer);
	suite_add_tcase(s, threads);
	return s;
}

int
main(void)
{
	return test_run_suite(ring_suite());
}
