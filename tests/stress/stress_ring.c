/*
 * stress_ring.c - producers flat out against one verifying consumer.
 *
 * Every event carries its producer and sequence number three ways (arg,
 * aux, obj), written together by the emit; the consumer checks them
 * together, so a torn event - fields from two different emits - is caught.
 * Per producer the consumer checks sequence numbers only ever go up (no
 * duplicate, no reordering); globally that timestamps never go backwards;
 * and at the end that produced == consumed + counted drops, exactly, and
 * that every gap in a producer's sequence is explained by its drop count.
 *
 * Sizes: STRESS_EVENTS per producer (default 10^6, 10^5 under sanitizers),
 * STRESS_PRODUCERS (4), STRESS_LANE (lane size, 4096), STRESS_SEED for the
 * random yields (printed, so a failure can be replayed).
 */
#include "testutil.h"

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "lockstep/ring.h"

#define MAX_PRODUCERS 64

struct producer {
	struct ls_ring *r;
	pthread_barrier_t *start;
	uint64_t events;
	uint64_t seed;
	uint16_t tid;		/* filled in by the producer */
	_Atomic uint64_t attempts;
};

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t
obj_of(uint16_t tid, uint32_t seq)
{
	return (uint32_t)tid * 2654435761u ^ seq;
}

static void *
producer_main(void *p)
{
	struct producer *pr = p;
	struct ls_lane *lane;
	uint64_t i, rng = pr->seed | 1;

	if (ls_ring_register(pr->r, "stress", &lane)) {
		fprintf(stderr, "stress_ring: register failed\n");
		exit(1);
	}
	pr->tid = ls_lane_tid(lane);
	pthread_barrier_wait(pr->start);
	for (i = 0; i < pr->events; i++) {
		uint32_t seq = (uint32_t)i;

		ls_lane_emit(lane, LS_EV_MARK, obj_of(pr->tid, seq),
			     (uint64_t)pr->tid << 48 | i, ~seq);
		/* Now and then give the core away, at random places. */
		if ((xorshift(&rng) & 1023) == 0)
			sched_yield();
	}
	atomic_store(&pr->attempts, pr->events);
	ls_ring_unregister(lane);
	return NULL;
}

/* Print a failed check's line; returns 1 if it failed. */
static int
report(bool bad, const char *what)
{
	if (bad)
		printf("FAIL: %s\n", what);
	return bad;
}

struct tally {
	int64_t last_seq;	/* -1 before the first */
	uint64_t received;
	uint64_t gap;		/* events missing between received ones */
};

int
main(void)
{
	unsigned np = (unsigned)test_size("STRESS_PRODUCERS", 4, 4);
	uint64_t events = test_size("STRESS_EVENTS", 1000000, 100000);
	uint32_t lane_events = (uint32_t)test_size("STRESS_LANE", 4096, 4096);
	uint64_t seed = test_size("STRESS_SEED", (uint64_t)time(NULL),
				  (uint64_t)time(NULL));
	struct ls_ring_config cfg = { .lane_events = lane_events,
				      .max_lanes = MAX_PRODUCERS };
	struct producer pr[MAX_PRODUCERS];
	struct tally tally[MAX_PRODUCERS + 1];
	struct ls_event buf[1024];
	pthread_barrier_t start;
	pthread_t th[MAX_PRODUCERS];
	struct ls_ring *r;
	uint64_t consumed = 0, produced = 0, drops, last_ts = 0;
	uint64_t dups = 0, reorders = 0, torn = 0, inversions = 0;
	uint64_t unexplained = 0, drains = 0, empty = 0;
	unsigned i, done = 0;
	int failed;

	if (np > MAX_PRODUCERS) {
		fprintf(stderr, "STRESS_PRODUCERS: at most %d\n", MAX_PRODUCERS);
		return 99;
	}
	if (ls_ring_create(&cfg, &r)) {
		fprintf(stderr, "stress_ring: bad STRESS_LANE %u\n", lane_events);
		return 99;
	}
	printf("stress_ring: %u producers x %" PRIu64 " events, lane %u, "
	       "seed %" PRIu64 "\n", np, events, lane_events, seed);
	memset(tally, 0, sizeof(tally));
	for (i = 0; i <= MAX_PRODUCERS; i++)
		tally[i].last_seq = -1;
	pthread_barrier_init(&start, NULL, np + 1);
	for (i = 0; i < np; i++) {
		pr[i] = (struct producer){ .r = r, .start = &start,
					   .events = events,
					   .seed = seed + i * 7919 };
		atomic_init(&pr[i].attempts, 0);
		if (pthread_create(&th[i], NULL, producer_main, &pr[i])) {
			fprintf(stderr, "stress_ring: pthread_create failed\n");
			return 1;
		}
	}
	pthread_barrier_wait(&start);

	for (;;) {
		size_t n = ls_ring_drain(r, buf, 1024), k;

		drains++;
		for (k = 0; k < n; k++) {
			const struct ls_event *e = &buf[k];
			uint16_t tid = (uint16_t)(e->arg >> 48);
			uint32_t seq = (uint32_t)(e->arg & 0xffffffffffffu);
			struct tally *t;

			if (e->tid == 0 || e->tid > MAX_PRODUCERS ||
			    tid != e->tid || seq != e->seq ||
			    e->aux != ~seq || e->obj != obj_of(e->tid, seq) ||
			    e->kind != LS_EV_MARK) {
				torn++;
				continue;
			}
			t = &tally[e->tid];
			if ((int64_t)e->seq == t->last_seq)
				dups++;
			else if ((int64_t)e->seq < t->last_seq)
				reorders++;
			else
				t->gap += (uint64_t)((int64_t)e->seq -
						     t->last_seq - 1);
			t->last_seq = e->seq;
			t->received++;
			inversions += e->ts < last_ts;
			last_ts = e->ts;
		}
		consumed += n;
		if (n == 0) {
			empty++;
			for (done = 0, i = 0; i < np; i++)
				done += atomic_load(&pr[i].attempts) != 0;
			if (done == np)
				break;
			sched_yield();
		}
	}
	for (i = 0; i < np; i++)
		pthread_join(th[i], NULL);
	/* The producers are gone: what is left is delivered now. */
	for (;;) {
		size_t n = ls_ring_drain(r, buf, 1024);

		if (!n)
			break;
		consumed += n;
		for (size_t k = 0; k < n; k++) {
			struct tally *t = &tally[buf[k].tid];

			t->gap += buf[k].seq - (uint64_t)(t->last_seq + 1);
			t->last_seq = buf[k].seq;
			t->received++;
		}
	}
	drops = ls_ring_dropped_total(r);
	for (i = 0; i < np; i++) {
		struct tally *t = &tally[pr[i].tid];
		/* Drops after the last received event leave no gap. */
		uint64_t tail_drops = events - (uint64_t)(t->last_seq + 1);

		produced += pr[i].events;
		if (t->gap + tail_drops != ls_ring_dropped(r, pr[i].tid))
			unexplained++;
	}
	printf("produced   %" PRIu64 "\n", produced);
	printf("consumed   %" PRIu64 "\n", consumed);
	printf("dropped    %" PRIu64 " (%.1f%%)\n", drops,
	       produced ? 100.0 * (double)drops / (double)produced : 0.0);
	printf("drains     %" PRIu64 " (%" PRIu64 " empty)\n", drains, empty);
	printf("duplicates %" PRIu64 "\n", dups);
	printf("reordered  %" PRIu64 "\n", reorders);
	printf("torn       %" PRIu64 "\n", torn);
	printf("ts inversions %" PRIu64 "\n", inversions);
	printf("producers with unexplained gaps %" PRIu64 "\n", unexplained);
	/* Name every check that failed, not only the accounting. */
	failed = 0;
	failed += report(produced != consumed + drops,
			 "produced != consumed + dropped");
	failed += report(dups != 0, "duplicate events");
	failed += report(reorders != 0, "a producer's events reordered");
	failed += report(torn != 0, "torn events");
	failed += report(inversions != 0, "timestamps went backwards");
	failed += report(unexplained != 0, "gaps not explained by drops");
	if (!failed)
		printf("PASS: produced == consumed + dropped, every check "
		       "held\n");
	pthread_barrier_destroy(&start);
	ls_ring_destroy(r);
	return failed ? 1 : 0;
}
