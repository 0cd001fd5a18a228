/*
 * bench-rwlock.c - `lockstep bench rwlock`: the engine's read-write lock
 * against glibc's, in the same process, interleaved.
 *
 * Contenders for throughput:
 *   ours   - ls_rwlock, writer-preferring, instrumentation off (the threads
 *            have no ring lane, so every emit is one thread-local test)
 *   glibc  - pthread_rwlock of kind PREFER_WRITER_NONRECURSIVE_NP
 *   ours+events - ls_rwlock with every thread emitting into a ring that
 *            this thread drains every millisecond: more often than the
 *            ui, which drains once a frame, so no lane need hold a
 *            frame's flood
 * Each trial runs o->threads engine threads (one group, a start line)
 * for o->seconds doing a read/write mix: 0, 1 and 10 writes in 100.  A
 * reader checks that the eight words a writer updates agree (a torn read is
 * an invariant violation and fails the benchmark), a writer bumps them, and
 * both then do a short fixed computation inside the lock (CS_WORK steps of
 * a dependent multiply chain, about 40 ns), as a real critical section
 * would.  Ours and glibc's share each run's time in interleaved slices
 * (pair_trial), and their ratio is taken run by run.
 *
 * Writer waits under a continuous reader stream: max(2, threads) readers
 * relay the lock: each holds it at least HOLD_MIN_NS and then until the
 * next reader is inside, or queued (which only a waiting writer causes),
 * so a reader-preferring lock is never free.  One writer asks for it every
 * WRITE_GAP_NS and its waits are recorded, WP_WAITS of them.  Writer
 * preference bounds the wait by what is left of one reader's hold and a
 * hand-off; reader preference lets the writer in only when the stream
 * stops at the end of the run, so its wait grows with the run (shown at
 * two run lengths).  A hold is spent computing, not asleep: a sleep of
 * 50 us lasts 76 us (p99 108 us) on a virtual machine with its timer, so
 * the holds, and the waits, would measure the machine's timer.
 */
#include "config.h"

#include "cli/bench-rwlock.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"

#define MAX_THREADS 64
#define CS_WORK 32
#define OPS_PER_CHECK 64
#define HOLD_MIN_NS 50000u
#define WRITE_GAP_NS 500000u
#define MAX_WAITS 65536
#define SLICES 4		/* interleaved trials of each contender a run */
#define WP_WAITS 1000u		/* waits a writer-preferring trial records */
#define WP_CAP_S 10.0		/* ... or as many as came in this long */
#define DRAIN_EVERY_NS 1000000u
#define DRAIN_BATCH 4096
#define EVENT_LANE (1u << 18)

/* A lock under test. */
struct rw_impl {
	const char *name;
	void *(*create)(struct ls_ring *ring);
	void (*destroy)(void *lock);
	int (*rdlock)(void *lock);
	int (*wrlock)(void *lock);
	int (*unlock)(void *lock);
};

static void *
ours_create(struct ls_ring *ring)
{
	struct ls_rwlock *l;

	return ls_rwlock_create(ring, "bench", LS_RWLOCK_WRITER_PREF, &l) ?
		       NULL :
		       l;
}

static void
ours_destroy(void *lock)
{
	ls_rwlock_destroy(lock);
}

static int
ours_rdlock(void *lock)
{
	return ls_rwlock_rdlock(lock);
}

static int
ours_wrlock(void *lock)
{
	return ls_rwlock_wrlock(lock);
}

static int
ours_unlock(void *lock)
{
	return ls_rwlock_unlock(lock);
}

static const struct rw_impl impl_ours = {
	.name = "ours",
	.create = ours_create,
	.destroy = ours_destroy,
	.rdlock = ours_rdlock,
	.wrlock = ours_wrlock,
	.unlock = ours_unlock,
};

static void *
glibc_create(struct ls_ring *ring)
{
	pthread_rwlockattr_t attr;
	pthread_rwlock_t *l = malloc(sizeof(*l));
	int err;

	(void)ring;
	if (!l)
		return NULL;
	err = pthread_rwlockattr_init(&attr);
	if (!err) {
		err = pthread_rwlockattr_setkind_np(
			&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		if (!err)
			err = pthread_rwlock_init(l, &attr);
		pthread_rwlockattr_destroy(&attr);
	}
	if (err) {
		free(l);
		return NULL;
	}
	return l;
}

static void
glibc_destroy(void *lock)
{
	pthread_rwlock_destroy(lock);
	free(lock);
}

static int
glibc_rdlock(void *lock)
{
	return -pthread_rwlock_rdlock(lock);
}

static int
glibc_wrlock(void *lock)
{
	return -pthread_rwlock_wrlock(lock);
}

static int
glibc_unlock(void *lock)
{
	return -pthread_rwlock_unlock(lock);
}

static const struct rw_impl impl_glibc = {
	.name = "glibc",
	.create = glibc_create,
	.destroy = glibc_destroy,
	.rdlock = glibc_rdlock,
	.wrlock = glibc_wrlock,
	.unlock = glibc_unlock,
};

/* Sleep ns on the monotonic clock (bench threads and the main thread). */
static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/*
 * The start line of a trial: workers check in and wait; the main thread
 * waits until all have, then lets them go (or, when a spawn failed, lets
 * those it has go with stop already set).  Unlike a barrier it does not
 * need the count up front.
 */
struct start_line {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned ready;
	bool go;
};

static void
start_init(struct start_line *sl)
{
	pthread_mutex_init(&sl->mu, NULL);
	pthread_cond_init(&sl->cv, NULL);
	sl->ready = 0;
	sl->go = false;
}

static void
start_destroy(struct start_line *sl)
{
	pthread_cond_destroy(&sl->cv);
	pthread_mutex_destroy(&sl->mu);
}

/* A worker: check in, wait for the go. */
static void
start_wait(struct start_line *sl)
{
	pthread_mutex_lock(&sl->mu);
	sl->ready++;
	pthread_cond_broadcast(&sl->cv);
	while (!sl->go)
		pthread_cond_wait(&sl->cv, &sl->mu);
	pthread_mutex_unlock(&sl->mu);
}

/* The main thread: wait for n check-ins, then go. */
static void
start_go(struct start_line *sl, unsigned n)
{
	pthread_mutex_lock(&sl->mu);
	while (sl->ready < n)
		pthread_cond_wait(&sl->cv, &sl->mu);
	sl->go = true;
	pthread_cond_broadcast(&sl->cv);
	pthread_mutex_unlock(&sl->mu);
}

/* Throughput under a read/write mix. */

struct mix_trial {
	const struct rw_impl *impl;
	void *lock;
	unsigned permille;	/* writes per thousand operations */
	struct start_line start;
	atomic_bool stop;
	_Atomic unsigned next_idx;
	_Atomic uint64_t ops;
	_Atomic uint64_t torn;	/* reads that saw a writer's half-done work */
	_Atomic uint64_t errors;	/* lock calls that failed */
	_Atomic uint64_t sink;	/* keeps the critical sections' work alive */
	/* The data the lock guards, on its own line. */
	alignas(64) uint64_t v[8];
};

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The fixed work inside the lock: a dependent chain the compiler cannot
 * fold away. */
static uint64_t
cs_work(uint64_t acc)
{
	unsigned i;

	for (i = 0; i < CS_WORK; i++)
		acc = acc * 6364136223846793005u + 1442695040888963407u;
	return acc;
}

static void
mix_worker(void *arg)
{
	struct mix_trial *t = arg;
	unsigned idx = atomic_fetch_add(&t->next_idx, 1);
	uint64_t x = 0x9e3779b97f4a7c15u * (idx + 1), n = 0, torn = 0;
	uint64_t errors = 0, sink = 0;
	unsigned k, j;

	start_wait(&t->start);
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		for (k = 0; k < OPS_PER_CHECK; k++) {
			if (xorshift(&x) % 1000 < t->permille) {
				if (t->impl->wrlock(t->lock)) {
					errors++;
					continue;
				}
				for (j = 0; j < 8; j++)
					t->v[j]++;
				sink = cs_work(sink + t->v[0]);
			} else {
				if (t->impl->rdlock(t->lock)) {
					errors++;
					continue;
				}
				torn += t->v[0] != t->v[7];
				sink = cs_work(sink + t->v[3]);
			}
			if (t->impl->unlock(t->lock))
				errors++;
		}
		n += OPS_PER_CHECK;
	}
	atomic_fetch_add(&t->ops, n);
	atomic_fetch_add(&t->torn, torn);
	atomic_fetch_add(&t->errors, errors);
	atomic_fetch_add(&t->sink, sink);
}

/* One throughput trial.  With events, threads emit into a ring that this
 * thread drains, and *dropped is what the ring could not keep.  Returns
 * ops/s, or -1 on a setup failure, -2 when the lock broke (torn read or
 * failed call). */
static double
mix_trial(const struct rw_impl *impl, unsigned threads, unsigned permille,
	  double seconds, bool events, uint64_t *dropped)
{
	struct ls_ring_config cfg = {
		.lane_events = EVENT_LANE,
		.max_lanes = threads,
	};
	struct ls_event *buf = NULL;
	struct ls_ring *ring = NULL;
	struct ls_group *g = NULL;
	struct mix_trial *t;
	double t0, t1, rate = -1;
	unsigned i;

	*dropped = 0;
	t = aligned_alloc(64, sizeof(*t));
	if (!t)
		return -1;
	memset(t, 0, sizeof(*t));
	t->impl = impl;
	t->permille = permille;
	atomic_init(&t->stop, false);
	start_init(&t->start);
	if (events) {
		buf = malloc(DRAIN_BATCH * sizeof(*buf));
		if (!buf || ls_ring_create(&cfg, &ring))
			goto out;
	}
	t->lock = impl->create(ring);
	if (!t->lock)
		goto out;
	if (ls_group_create(ring, "bench", &g))
		goto out_lock;
	for (i = 0; i < threads; i++)
		if (ls_thread_spawn(g, "worker", mix_worker, t))
			break;
	if (i < threads) {
		/* Let the ones started go, straight to their end. */
		atomic_store(&t->stop, true);
		start_go(&t->start, i);
		ls_group_destroy(g);
		goto out_lock;
	}
	start_go(&t->start, threads);
	t0 = bench_now();
	if (events) {
		while (bench_now() - t0 < seconds) {
			bench_drain_once(ring, buf, DRAIN_BATCH);
			sleep_ns(DRAIN_EVERY_NS);
		}
	} else {
		sleep_ns((uint64_t)(seconds * 1e9));
	}
	atomic_store(&t->stop, true);
	t1 = bench_now();
	ls_group_join(g);
	ls_group_destroy(g);
	rate = (double)atomic_load(&t->ops) / (t1 - t0);
	if (atomic_load(&t->torn) || atomic_load(&t->errors))
		rate = -2;
out_lock:
	impl->destroy(t->lock);
out:
	if (ring) {
		while (ls_ring_drain(ring, buf, DRAIN_BATCH))
			;
		*dropped = ls_ring_dropped_total(ring);
		ls_ring_destroy(ring);
	}
	start_destroy(&t->start);
	free(buf);
	free(t);
	return rate;
}

/*
 * A run's ours-against-glibc pair at one mix: SLICES trials each of
 * seconds / SLICES, in the order ours, glibc, glibc, ours, ... (ABBA:
 * a load that rises or falls through the run weighs on both alike), and
 * the mean rate of each.  Two back-to-back trials of the whole length let
 * one burst of load elsewhere on the machine fall on one contender only.
 * Returns 0, or the first trial's failure (mix_trial).
 */
static int
pair_trial(unsigned threads, unsigned permille, double seconds, double *ours,
	   double *glibc)
{
	uint64_t dropped;
	double v;
	unsigned i;

	_Static_assert(SLICES % 4 == 0, "ABBA needs whole quads");
	*ours = *glibc = 0;
	for (i = 0; i < SLICES; i++) {
		bool us = (i & 1) == ((i >> 1) & 1);

		v = mix_trial(us ? &impl_ours : &impl_glibc, threads, permille,
			      seconds / SLICES, false, &dropped);
		if (v < 0)
			return (int)v;
		*(us ? ours : glibc) += v / (SLICES / 2);
	}
	return 0;
}

/* Writer waits under a relay of readers. */

struct wait_trial {
	struct ls_rwlock *lock;
	unsigned readers;
	size_t want_waits;	/* the writer ends the trial after so many; 0: never */
	struct start_line start;
	_Atomic unsigned next_idx;
	atomic_bool failed;

	/* The relay: entries made so far, and stop; guarded by mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* CLOCK_MONOTONIC */
	uint64_t entered;
	bool stop;

	/* The writer's waits, its own until it is joined. */
	double waits[MAX_WAITS];
	size_t nwaits;
};

/* Is the reader after us queued rather than on its way in?  Only a writer
 * waiting (writer preference) or inside can queue it. */
static bool
relay_next_queued(struct wait_trial *t)
{
	struct ls_rwlock_stats st;

	ls_rwlock_stats(t->lock, &st);
	return st.readers_waiting > 0;
}

/* Hold the lock for ns, computing (see the top). */
static void
relay_hold(uint64_t ns)
{
	uint64_t end = ls_clock_ns() + ns;

	while (ls_clock_ns() < end)
		;
}

static void
relay_reader(void *arg)
{
	struct wait_trial *t = arg;
	uint64_t entry = atomic_fetch_add(&t->next_idx, 1);
	bool stop;

	start_wait(&t->start);
	for (;; entry += t->readers) {
		/* My turn comes when the reader before me is inside. */
		pthread_mutex_lock(&t->mu);
		while (t->entered != entry && !t->stop)
			pthread_cond_wait(&t->cv, &t->mu);
		stop = t->stop;
		pthread_mutex_unlock(&t->mu);
		if (stop)
			break;
		if (ls_rwlock_rdlock(t->lock)) {
			atomic_store(&t->failed, true);
			break;
		}
		pthread_mutex_lock(&t->mu);
		t->entered++;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);

		relay_hold(HOLD_MIN_NS);
		/* Hold on until the next reader is in, or queued (then the
		 * policy keeps it out and holding on would only stall the
		 * writer).  Nothing signals a reader queueing, so look, and
		 * yield between looks: a timed wait would hold every reader a
		 * writer queued behind for a timer's latency longer. */
		pthread_mutex_lock(&t->mu);
		while (t->entered <= entry + 1 && !t->stop &&
		       !relay_next_queued(t)) {
			pthread_mutex_unlock(&t->mu);
			sched_yield();
			pthread_mutex_lock(&t->mu);
		}
		pthread_mutex_unlock(&t->mu);
		if (ls_rwlock_unlock(t->lock)) {
			atomic_store(&t->failed, true);
			break;
		}
	}
	/* Wake a successor still waiting for its turn. */
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

static void
relay_writer(void *arg)
{
	struct wait_trial *t = arg;
	uint64_t t0;
	bool stop;

	start_wait(&t->start);
	for (;;) {
		sleep_ns(WRITE_GAP_NS);
		pthread_mutex_lock(&t->mu);
		stop = t->stop;
		pthread_mutex_unlock(&t->mu);
		if (stop)
			break;
		t0 = ls_clock_ns();
		if (ls_rwlock_wrlock(t->lock)) {
			atomic_store(&t->failed, true);
			break;
		}
		if (t->nwaits < MAX_WAITS)
			t->waits[t->nwaits++] = (double)(ls_clock_ns() - t0);
		if (ls_rwlock_unlock(t->lock)) {
			atomic_store(&t->failed, true);
			break;
		}
		if (t->nwaits == t->want_waits)
			break;
	}
	/* Done, or failed: end the trial now rather than at its cap. */
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile of sorted v[0..n). */
static double
quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)n);

	return n ? v[i < n ? i : n - 1] : 0;
}

/* Let the trial run for seconds, or until the writer ends it. */
static void
wait_trial_run(struct wait_trial *t, double seconds)
{
	struct timespec dl = ls_clock_deadline((uint64_t)(seconds * 1e9));

	pthread_mutex_lock(&t->mu);
	while (!t->stop)
		if (pthread_cond_timedwait(&t->cv, &t->mu, &dl) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&t->mu);
}

/* One writer-wait trial: want_waits waits within at most seconds, or (0)
 * as many as come in seconds.  Fills p50/p99 in microseconds.  Returns 0,
 * -1 on a setup failure, -2 when a lock call failed. */
static int
wait_trial(enum ls_rwlock_policy policy, unsigned readers, double seconds,
	   size_t want_waits, double *p50, double *p99)
{
	pthread_condattr_t ca;
	struct ls_group *g = NULL;
	struct wait_trial *t;
	unsigned i;
	int rc = -1;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->readers = readers;
	t->want_waits = want_waits;
	atomic_init(&t->failed, false);
	if (ls_rwlock_create(NULL, "bench", policy, &t->lock))
		goto out;
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	start_init(&t->start);
	if (ls_group_create(NULL, "bench", &g))
		goto out_start;
	for (i = 0; i < readers + 1; i++)
		if (ls_thread_spawn(g, i < readers ? "reader" : "writer",
				    i < readers ? relay_reader : relay_writer,
				    t))
			break;
	/* If a spawn failed, the ones started go straight to their end. */
	pthread_mutex_lock(&t->mu);
	t->stop = i < readers + 1;
	pthread_mutex_unlock(&t->mu);
	start_go(&t->start, i);
	if (i == readers + 1)
		wait_trial_run(t, seconds);
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	ls_group_join(g);
	ls_group_destroy(g);
	if (i < readers + 1)
		goto out_start;
	qsort(t->waits, t->nwaits, sizeof(double), cmp_double);
	*p50 = quantile(t->waits, t->nwaits, 0.50) / 1e3;
	*p99 = quantile(t->waits, t->nwaits, 0.99) / 1e3;
	rc = atomic_load(&t->failed) ? -2 : 0;
out_start:
	start_destroy(&t->start);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	ls_rwlock_destroy(t->lock);
out:
	free(t);
	return rc;
}

/* The benchmark. */

enum {
	MIX_COUNT = 3,
};

static const unsigned mix_permille[MIX_COUNT] = { 0, 10, 100 };
static const char *const mix_label[MIX_COUNT] = {
	"100% reads", "99/1 r/w", "90/10 r/w",
};

enum {
	F_OURS = 0,		/* + mix */
	F_GLIBC = F_OURS + MIX_COUNT,
	F_EVENTS = F_GLIBC + MIX_COUNT,
	F_RUN_RATIO = F_EVENTS + MIX_COUNT,	/* + mix: ours / glibc */
	F_WP50 = F_RUN_RATIO + MIX_COUNT,
	F_WP99,
	F_RP50,
	F_RP99,
	F_RP99_LONG,
	F_DROPPED,
	F_COUNT
};

enum {
	R_VS_GLIBC = 0,		/* + mix */
	R_EVENTS = R_VS_GLIBC + MIX_COUNT,	/* + mix */
	R_WP99 = R_EVENTS + MIX_COUNT,
	R_RGROWTH,
	R_COUNT
};

int
bench_rwlock_main(const struct bench_opts *o)
{
	static char names[F_COUNT + R_COUNT][64];
	struct bench_figure f[F_COUNT];
	struct bench_ratio r[R_COUNT];
	unsigned threads = o->threads, readers, run, m;
	bool broken = false;
	double v, p50, p99;
	int rc;

	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	readers = threads < 2 ? 2 : threads;
	memset(f, 0, sizeof(f));
	memset(r, 0, sizeof(r));
	for (m = 0; m < MIX_COUNT; m++) {
		snprintf(names[F_OURS + m], 64, "%s: ours", mix_label[m]);
		snprintf(names[F_GLIBC + m], 64, "%s: glibc", mix_label[m]);
		snprintf(names[F_EVENTS + m], 64, "%s: ours, events on",
			 mix_label[m]);
		f[F_OURS + m] = (struct bench_figure){
			.name = names[F_OURS + m], .unit = "ops/s" };
		f[F_GLIBC + m] = (struct bench_figure){
			.name = names[F_GLIBC + m], .unit = "ops/s" };
		f[F_EVENTS + m] = (struct bench_figure){
			.name = names[F_EVENTS + m], .unit = "ops/s" };
		snprintf(names[F_RUN_RATIO + m], 64, "%s: ours / glibc, by run",
			 mix_label[m]);
		f[F_RUN_RATIO + m] = (struct bench_figure){
			.name = names[F_RUN_RATIO + m], .unit = "x" };
	}
	f[F_WP50] = (struct bench_figure){
		.name = "writer wait p50, writer-pref", .unit = "us" };
	f[F_WP99] = (struct bench_figure){
		.name = "writer wait p99, writer-pref", .unit = "us" };
	f[F_RP50] = (struct bench_figure){
		.name = "writer wait p50, reader-pref", .unit = "us" };
	f[F_RP99] = (struct bench_figure){
		.name = "writer wait p99, reader-pref", .unit = "us" };
	f[F_RP99_LONG] = (struct bench_figure){
		.name = "writer wait p99, reader-pref, 2x run", .unit = "us" };
	f[F_DROPPED] = (struct bench_figure){
		.name = "events on: dropped, all mixes", .unit = "events" };

	for (run = 0; run < o->runs && !broken; run++) {
		uint64_t dropped, dropped_all = 0;

		for (m = 0; m < MIX_COUNT; m++) {
			double ours;

			broken |= pair_trial(threads, mix_permille[m],
					     o->seconds, &ours, &v) != 0;
			bench_add(&f[F_OURS + m], ours);
			bench_add(&f[F_GLIBC + m], v);
			/* The pair ran interleaved: their ratio is this
			 * run's, and the goal holds for every run. */
			bench_add(&f[F_RUN_RATIO + m], v > 0 ? ours / v : 0);
			v = mix_trial(&impl_ours, threads, mix_permille[m],
				      o->seconds, true, &dropped);
			broken |= v < 0;
			bench_add(&f[F_EVENTS + m], v);
			dropped_all += dropped;
		}
		bench_add(&f[F_DROPPED], (double)dropped_all);
		rc = wait_trial(LS_RWLOCK_WRITER_PREF, readers, WP_CAP_S,
				WP_WAITS, &p50, &p99);
		broken |= rc < 0;
		bench_add(&f[F_WP50], p50);
		bench_add(&f[F_WP99], p99);
		rc = wait_trial(LS_RWLOCK_READER_PREF, readers, o->seconds, 0,
				&p50, &p99);
		broken |= rc < 0;
		bench_add(&f[F_RP50], p50);
		bench_add(&f[F_RP99], p99);
		rc = wait_trial(LS_RWLOCK_READER_PREF, readers,
				2 * o->seconds, 0, &p50, &p99);
		broken |= rc < 0;
		bench_add(&f[F_RP99_LONG], p99);
	}
	if (broken) {
		fprintf(stderr, "lockstep: bench rwlock: a trial failed "
			"(setup, a failed lock call or a torn read)\n");
		return 1;
	}
	bench_reduce(f, F_COUNT);

	for (m = 0; m < MIX_COUNT; m++) {
		snprintf(names[F_COUNT + R_VS_GLIBC + m], 64,
			 "%s: ours / glibc", mix_label[m]);
		/* The median run's ratio, met only if the worst run's is. */
		r[R_VS_GLIBC + m] = (struct bench_ratio){
			.name = names[F_COUNT + R_VS_GLIBC + m],
			.value = f[F_RUN_RATIO + m].median,
			.target = ">= 1.0 every run",
		};
		r[R_VS_GLIBC + m].met = f[F_RUN_RATIO + m].min >= 1.0;
		snprintf(names[F_COUNT + R_EVENTS + m], 64,
			 "%s: events on / off", mix_label[m]);
		r[R_EVENTS + m] = (struct bench_ratio){
			.name = names[F_COUNT + R_EVENTS + m],
			.value = f[F_EVENTS + m].median / f[F_OURS + m].median,
			.target = ">= 0.7",
		};
		r[R_EVENTS + m].met = r[R_EVENTS + m].value >= 0.7;
	}
	r[R_WP99] = (struct bench_ratio){
		.name = "writer-pref wait p99 / 100 us",
		.value = f[F_WP99].median / 100.0,
		.target = "< 1",
	};
	r[R_WP99].met = r[R_WP99].value < 1.0;
	r[R_RGROWTH] = (struct bench_ratio){
		.name = "reader-pref wait p99, 2x run / 1x",
		.value = f[F_RP99_LONG].median / f[F_RP99].median,
		.target = "> 1.5",
	};
	r[R_RGROWTH].met = r[R_RGROWTH].value > 1.5;
	bench_print(o, "rwlock", f, F_COUNT, r, R_COUNT,
		    "ops/s: all threads together, writes per 100 as labelled; "
		    "glibc is pthread_rwlock\nwith "
		    "PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP; events on: "
		    "every thread emits\ninto a ring drained each ms.  "
		    "writer wait: one writer against a relay of\nreaders "
		    "that never leaves a reader-preferring lock free, each "
		    "holding it\n50 us computing; writer-pref: 1000 waits a "
		    "run; the reader-pref wait\nlasts until the readers stop, "
		    "so it grows with the run.\ndropped must be 0: a dropped "
		    "event "
		    "costs less than one written, so drops\nwould flatter "
		    "the events-on figures.\n");
	return 0;
}
