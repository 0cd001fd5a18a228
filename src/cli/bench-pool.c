/*
 * bench-pool.c - `lockstep bench pool`: the engine's thread pool against
 * one thread per task, in the same process, interleaved.
 *
 * Every trial has the calling thread submit with the blocking submit
 * (ls_pool_submit_timed) into a pool of o->threads workers (min = max,
 * take_many: configured for throughput, not for a class to watch) and
 * stops the clock when ls_pool_wait_idle says the last task finished.
 * Figures:
 *   noop   - empty tasks: what the pool itself costs per task, with equal
 *            priorities (heap in FIFO order), random priorities, and the
 *            pool's fifo mode (no heap); against pthread_create + join per
 *            task, o->threads in flight.
 *   10us   - tasks that spin 10 us on the clock: how close the pool comes
 *            to the ideal of workers x 100k tasks/s.
 *   1us    - tasks of 1 us with events off (no ring) and on (a ring, every
 *            thread emitting, a consumer draining it every millisecond);
 *            and the same on one worker whose queue is filled before the
 *            clock starts (fill_trial): the events' cost to a worker
 *            without the submitter beside it.
 *   scale  - a pool at min 1, max o->threads (at least 2), idle; a burst
 *            of max tasks that hold their worker until all run; the time
 *            from the burst to the start of the last, against its floor:
 *            one thread creation plus one wake-up.
 *   wake   - submit to start of one task on an idle worker.
 * The no-op trial runs LOCKSTEP_BENCH_POOL_TASKS tasks (default 1M); the
 * others are sized from it.  Nothing here asserts a time: ratios are
 * printed against their targets.
 *
 * The figures a ratio compares (noop's three orders, 1us off and on) run
 * as SLICES slices each, interleaved (pool_trials_sliced).  Two workers
 * and the submitter are three threads on two cores here, and which two
 * share a core decides a no-op trial's rate by up to 2x; one whole trial
 * each put that draw on one side of a ratio.  fifo / random read 1.27x
 * to 1.93x in five sessions on one machine that way, and 1.20x to 1.55x
 * in five sliced: slices draw it afresh, and each side gets its share of
 * every stretch of the run.  It narrows the draw; it cannot remove it.
 */
#include "config.h"

#include "cli/bench-pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockstep/clock.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "util/escape.h"
#include "util/num.h"

/* Deep enough that a submitter woken once per eighth of it amortises the
 * wake-up; small enough that the heap (16 KiB) stays in a core's L1: at
 * 4096 random priorities cost twice the CPU per task of fifo mode, at
 * 1024 a third more. */
#define BENCH_CAPACITY 1024
#define SCALE_TRIALS 5
#define WAKE_TRIALS 21
/* Slices of each compared figure per run, in the order a b c, c b a, ... */
#define SLICES 4

uint64_t
bench_pool_tasks(void)
{
	const char *s = getenv("LOCKSTEP_BENCH_POOL_TASKS");
	unsigned long long v;

	if (!s || !*s)
		return 1000000;
	if (num_parse_uint(s, 1000, 1000000000, &v)) {
		escape_line(stderr, "lockstep: bench pool: bad "
			    "LOCKSTEP_BENCH_POOL_TASKS '%s' (want 1000 to "
			    "1000000000); using 1000000", s);
		return 1000000;
	}
	return v;
}

void
bench_spin_ns(uint64_t ns)
{
	uint64_t t0 = ls_clock_ns();

	while (ls_clock_ns() - t0 < ns)
		;
}

void
bench_work_do(enum bench_work w)
{
	if (w == WORK_1US)
		bench_spin_ns(1000);
	else if (w == WORK_10US)
		bench_spin_ns(10000);
}

static int
task_noop(void *arg)
{
	(void)arg;
	return 0;
}

static int
task_1us(void *arg)
{
	(void)arg;
	bench_spin_ns(1000);
	return 0;
}

static int
task_10us(void *arg)
{
	(void)arg;
	bench_spin_ns(10000);
	return 0;
}

static ls_task_fn
work_fn(enum bench_work w)
{
	return w == WORK_1US ? task_1us : w == WORK_10US ? task_10us
							  : task_noop;
}

/* The events consumer: drains the ring every millisecond, as a ui would
 * once per frame, only faster. */
struct drainer {
	struct ls_ring *ring;
	atomic_bool stop;
	uint64_t events, drops;
	pthread_t th;
};

static void *
drainer_main(void *arg)
{
	static _Thread_local struct ls_event buf[4096];
	struct drainer *d = arg;
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	size_t k;
	bool last;

	do {
		last = atomic_load(&d->stop);
		if (last) {
			/* The producers are gone: take everything. */
			while ((k = ls_ring_drain(d->ring, buf, 4096)) > 0)
				d->events += k;
		} else {
			d->events += bench_drain_once(d->ring, buf, 4096);
			nanosleep(&ms, NULL);
		}
	} while (!last);
	d->drops = ls_ring_dropped_total(d->ring);
	return NULL;
}

double
pool_trial(unsigned workers, uint64_t n, enum bench_work w,
	   enum bench_prio prio, bool events, uint64_t *drops)
{
	/* A lane for every worker and one for the submitter (the drainer
	 * only reads). */
	struct ls_ring_config rcfg = {
		.lane_events = 1u << 16,
		.max_lanes = workers + 1,
	};
	struct ls_pool_config cfg = {
		.name = "bench",
		.min_workers = workers,
		.max_workers = workers,
		.capacity = BENCH_CAPACITY,
		.fifo = prio == PRIO_FIFO,
		/* Configured for throughput: a deep queue is taken from
		 * several tasks at once. */
		.take_many = true,
	};
	struct ls_task t = { .fn = work_fn(w) };
	struct drainer d = { .ring = NULL };
	struct ls_lane *lane = NULL;
	bool draining = false;
	struct ls_group *g = NULL;
	struct ls_pool *p = NULL;
	uint64_t i, x = 88172645463325252ull;
	double t0, t1, rate = 0;
	int err;

	atomic_init(&d.stop, false);
	if (events) {
		err = ls_ring_create(&rcfg, &d.ring);
		if (err)
			return err;
		err = ls_ring_register(d.ring, "submitter", &lane);
		if (err)
			goto out;
		ls_trace_lane = lane;
		err = -pthread_create(&d.th, NULL, drainer_main, &d);
		if (err)
			goto out;
		draining = true;
	}
	err = ls_group_create(d.ring, "bench", &g);
	if (err)
		goto out;
	err = ls_pool_create(g, &cfg, &p);
	if (err)
		goto out;
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		if (prio == PRIO_RANDOM) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t.priority = (int)(x & 15);
		}
		err = ls_pool_submit_timed(p, &t, LS_POOL_FOREVER, NULL);
		if (err)
			goto out;
	}
	err = ls_pool_wait_idle(p, LS_POOL_FOREVER);
	t1 = bench_now();
	rate = (double)n / (t1 - t0);
out:
	ls_pool_destroy(p);
	if (g)
		ls_group_destroy(g);
	if (lane) {
		ls_trace_lane = NULL;
		ls_ring_unregister(lane);
	}
	if (d.ring) {
		if (draining) {
			atomic_store(&d.stop, true);
			pthread_join(d.th, NULL);
		}
		if (drops)
			*drops = d.drops;
		ls_ring_destroy(d.ring);
	}
	return err ? err : rate;
}

/* One configuration of pool_trial, for pool_trials_sliced. */
struct pool_config {
	enum bench_work work;
	enum bench_prio prio;
	bool events;
};

/*
 * The k configurations of c as SLICES pool trials each of n / SLICES
 * tasks, in the order 0 .. k-1, then k-1 .. 0, and so on; rate[i] is c[i]'s
 * tasks over its time in all its slices, and *drops (if c has events)
 * gains the events they dropped.  Returns false when a trial failed.
 */
static bool
pool_trials_sliced(unsigned workers, uint64_t n, const struct pool_config *c,
		   unsigned k, double *rate, uint64_t *drops)
{
	uint64_t per = n / SLICES, d;
	double secs[4] = { 0 }, v;
	unsigned sl, j, i;

	if (k > sizeof(secs) / sizeof(secs[0]) || !per)
		return false;
	for (sl = 0; sl < SLICES; sl++) {
		for (j = 0; j < k; j++) {
			i = sl % 2 ? k - 1 - j : j;
			d = 0;
			v = pool_trial(workers, per, c[i].work, c[i].prio,
				       c[i].events, &d);
			if (v <= 0)
				return false;
			secs[i] += (double)per / v;
			if (drops)
				*drops += d;
		}
	}
	for (i = 0; i < k; i++)
		rate[i] = (double)(per * SLICES) / secs[i];
	return true;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The 1us figure without the draw of three threads on two cores: one
 * worker, its queue filled behind a task that holds it before the clock
 * starts, so that nothing runs beside it but the events' consumer.  What
 * is left between events off and on is what the events cost the worker.
 * A batch is FILL_TASKS tasks; the two pools take turns, batch by batch.
 */
#define FILL_TASKS 1000
#define FILL_BATCHES 21

struct fill_batch {
	atomic_bool open;
	atomic_uint left;
	_Atomic uint64_t t0, t1;
};

static int
task_fill_hold(void *arg)
{
	struct fill_batch *b = arg;

	while (!atomic_load(&b->open))
		;
	atomic_store(&b->t0, ls_clock_ns());
	return 0;
}

static int
task_fill_1us(void *arg)
{
	struct fill_batch *b = arg;

	bench_spin_ns(1000);
	if (atomic_fetch_sub(&b->left, 1) == 1)
		atomic_store(&b->t1, ls_clock_ns());
	return 0;
}

struct fill_pool {
	struct drainer d;
	struct ls_lane *lane;
	bool draining;
	struct ls_group *g;
	struct ls_pool *p;
};

/* Close f; returns the events its ring dropped. */
static uint64_t
fill_pool_close(struct fill_pool *f)
{
	ls_pool_destroy(f->p);
	if (f->g)
		ls_group_destroy(f->g);
	if (f->draining) {
		atomic_store(&f->d.stop, true);
		pthread_join(f->d.th, NULL);
	}
	if (f->lane)
		ls_ring_unregister(f->lane);
	ls_ring_destroy(f->d.ring);
	return f->d.drops;
}

/* A pool of one worker; with events, a ring with a lane for the
 * submitter (bound around each batch's submits) and a drainer. */
static int
fill_pool_open(struct fill_pool *f, bool events)
{
	struct ls_ring_config rcfg = { .lane_events = 1u << 16,
				       .max_lanes = 2 };
	struct ls_pool_config cfg = {
		.name = "fill", .min_workers = 1, .max_workers = 1,
		.capacity = BENCH_CAPACITY, .take_many = true,
	};
	int err;

	*f = (struct fill_pool){ .d = { .ring = NULL } };
	atomic_init(&f->d.stop, false);
	if (events) {
		err = ls_ring_create(&rcfg, &f->d.ring);
		if (!err)
			err = ls_ring_register(f->d.ring, "submitter",
					       &f->lane);
		if (!err)
			err = -pthread_create(&f->d.th, NULL, drainer_main,
					      &f->d);
		if (err)
			goto fail;
		f->draining = true;
	}
	err = ls_group_create(f->d.ring, "bench", &f->g);
	if (!err)
		err = ls_pool_create(f->g, &cfg, &f->p);
	if (!err)
		return 0;
fail:
	fill_pool_close(f);
	return err;
}

/* One batch through f's worker: ns per task, or < 0. */
static double
fill_batch_run(struct fill_pool *f)
{
	struct fill_batch b;
	struct ls_task hold = { .fn = task_fill_hold, .arg = &b };
	struct ls_task t = { .fn = task_fill_1us, .arg = &b };
	int err;
	unsigned i;

	atomic_init(&b.open, false);
	atomic_init(&b.left, FILL_TASKS);
	atomic_init(&b.t0, 0);
	atomic_init(&b.t1, 0);
	ls_trace_lane = f->lane;
	err = ls_pool_submit(f->p, &hold, NULL);
	for (i = 0; !err && i < FILL_TASKS; i++)
		err = ls_pool_submit(f->p, &t, NULL);
	ls_trace_lane = NULL;
	atomic_store(&b.open, true);
	ls_pool_wait_idle(f->p, LS_POOL_FOREVER);
	if (err)
		return err;
	return (double)(atomic_load(&b.t1) - atomic_load(&b.t0)) / FILL_TASKS;
}

/* The median ns per task of FILL_BATCHES batches each, events off and on
 * taking turns, and *drops gains the events dropped; false when a trial
 * failed. */
static bool
fill_trial(double *off_ns, double *on_ns, uint64_t *drops)
{
	struct fill_pool f[2];
	double ns[2][FILL_BATCHES];
	unsigned k, j, i;
	bool ok = true;

	if (fill_pool_open(&f[0], false))
		return false;
	if (fill_pool_open(&f[1], true)) {
		fill_pool_close(&f[0]);
		return false;
	}
	for (k = 0; ok && k < FILL_BATCHES; k++)
		for (j = 0; ok && j < 2; j++) {
			i = k % 2 ? 1 - j : j;
			ns[i][k] = fill_batch_run(&f[i]);
			ok = ns[i][k] > 0;
		}
	fill_pool_close(&f[0]);
	*drops += fill_pool_close(&f[1]);
	if (!ok)
		return false;
	*off_ns = median(ns[0], FILL_BATCHES);
	*on_ns = median(ns[1], FILL_BATCHES);
	return true;
}

static void *
thread_task(void *arg)
{
	bench_work_do(*(const enum bench_work *)arg);
	return NULL;
}

double
pool_trial_thread_per_task(unsigned workers, uint64_t n, enum bench_work w)
{
	pthread_t th[64];
	unsigned k = workers < 64 ? workers : 64, j, m;
	uint64_t i;
	double t0;

	t0 = bench_now();
	for (i = 0; i < n; i += m) {
		m = n - i < k ? (unsigned)(n - i) : k;
		for (j = 0; j < m; j++)
			if (pthread_create(&th[j], NULL, thread_task, &w))
				return -EAGAIN;
		for (j = 0; j < m; j++)
			pthread_join(th[j], NULL);
	}
	return (double)n / (bench_now() - t0);
}

struct raw_arg {
	uint64_t n;
	enum bench_work w;
};

static void *
raw_main(void *arg)
{
	const struct raw_arg *a = arg;
	uint64_t i;

	for (i = 0; i < a->n; i++)
		bench_work_do(a->w);
	return NULL;
}

/* The same work on `workers` plain threads with no pool and no queue:
 * what the machine delivers right now, the ceiling of any pool. */
static double
raw_trial(unsigned workers, uint64_t n, enum bench_work w)
{
	struct raw_arg a[64];
	pthread_t th[64];
	unsigned k = workers < 64 ? workers : 64, j;
	double t0;

	t0 = bench_now();
	for (j = 0; j < k; j++) {
		a[j] = (struct raw_arg){ .n = n / k + (j < n % k), .w = w };
		if (pthread_create(&th[j], NULL, raw_main, &a[j]))
			return -EAGAIN;
	}
	for (j = 0; j < k; j++)
		pthread_join(th[j], NULL);
	return (double)n / (bench_now() - t0);
}

/* Wait until p has `idle` idle workers.  Polls: the benchmark, not the
 * pool, needs to know the workers have parked before it times a burst. */
static void
wait_idle_workers(struct ls_pool *p, unsigned idle)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 100000 };
	struct ls_pool_stats s;

	for (;;) {
		ls_pool_stats(p, &s);
		if (s.idle >= idle)
			return;
		nanosleep(&ts, NULL);
	}
}

/* The burst of the scale-up trial: each task holds its worker until all
 * of them run, so the pool must grow to max to start them all. */
struct scale_burst {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned started, need;
	uint64_t last_start;
	bool open;
};

static int
task_hold(void *arg)
{
	struct scale_burst *b = arg;

	pthread_mutex_lock(&b->mu);
	b->last_start = ls_clock_ns();
	if (++b->started == b->need)
		pthread_cond_broadcast(&b->cv);
	while (!b->open)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

/* Scale-up: microseconds from a burst of max held tasks into an idle pool
 * at min 1 to the start of the last of them, which needs max - 1 new
 * workers (median of SCALE_TRIALS), or < 0. */
static double
scale_trial(unsigned max)
{
	struct ls_pool_config cfg = {
		.name = "scale",
		.min_workers = 1,
		.max_workers = max,
		.capacity = BENCH_CAPACITY,
		.keep_alive_ns = 10000000000ull,
	};
	struct scale_burst b = { .need = max };
	struct ls_task t = { .fn = task_hold, .arg = &b };
	double us[SCALE_TRIALS];
	struct ls_group *g;
	struct ls_pool *p;
	unsigned k, i;
	uint64_t t0;

	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cv, NULL);
	for (k = 0; k < SCALE_TRIALS; k++) {
		if (ls_group_create(NULL, "scale", &g))
			return -ENOMEM;
		if (ls_pool_create(g, &cfg, &p)) {
			ls_group_destroy(g);
			return -ENOMEM;
		}
		wait_idle_workers(p, 1);
		b.started = 0;
		b.open = false;
		t0 = ls_clock_ns();
		for (i = 0; i < max; i++)
			ls_pool_submit_timed(p, &t, LS_POOL_FOREVER, NULL);
		pthread_mutex_lock(&b.mu);
		while (b.started < max)
			pthread_cond_wait(&b.cv, &b.mu);
		b.open = true;
		pthread_cond_broadcast(&b.cv);
		pthread_mutex_unlock(&b.mu);
		ls_pool_wait_idle(p, LS_POOL_FOREVER);
		ls_pool_destroy(p);
		ls_group_destroy(g);
		us[k] = (double)(b.last_start - t0) / 1e3;
	}
	pthread_cond_destroy(&b.cv);
	pthread_mutex_destroy(&b.mu);
	return median(us, SCALE_TRIALS);
}

static _Atomic uint64_t wake_started;

static int
task_stamp(void *arg)
{
	(void)arg;
	atomic_store(&wake_started, ls_clock_ns());
	return 0;
}

/* Microseconds from a submit to the start of the task on an idle worker
 * (median of WAKE_TRIALS), or < 0. */
static double
wake_trial(void)
{
	struct ls_pool_config cfg = {
		.name = "wake", .min_workers = 1, .max_workers = 1,
		.capacity = 4,
	};
	struct ls_task t = { .fn = task_stamp };
	double us[WAKE_TRIALS];
	struct ls_group *g;
	struct ls_pool *p;
	uint64_t t0;
	unsigned k;

	if (ls_group_create(NULL, "wake", &g))
		return -ENOMEM;
	if (ls_pool_create(g, &cfg, &p)) {
		ls_group_destroy(g);
		return -ENOMEM;
	}
	for (k = 0; k < WAKE_TRIALS; k++) {
		wait_idle_workers(p, 1);
		t0 = ls_clock_ns();
		ls_pool_submit(p, &t, NULL);
		ls_pool_wait_idle(p, LS_POOL_FOREVER);
		us[k] = (double)(atomic_load(&wake_started) - t0) / 1e3;
	}
	ls_pool_destroy(p);
	ls_group_destroy(g);
	return median(us, WAKE_TRIALS);
}

static struct bench_ratio
ratio(const char *name, double value, const char *target, bool met)
{
	return (struct bench_ratio){
		.name = name, .value = value, .target = target, .met = met,
	};
}

int
bench_pool_main(const struct bench_opts *o)
{
	enum { F_NOOP, F_NOOP_RAND, F_NOOP_FIFO, F_NOOP_TPT, F_CREATE,
	       F_10US, F_10US_RAW, F_10US_TPT, F_1US_OFF, F_1US_ON,
	       F_FILL_OFF, F_FILL_ON, F_SCALE, F_WAKE, F_COUNT };
	struct bench_figure f[F_COUNT] = {
		[F_NOOP] = { .name = "noop: pool, equal prio",
			.unit = "tasks/s" },
		[F_NOOP_RAND] = { .name = "noop: pool, random prio",
			.unit = "tasks/s" },
		[F_NOOP_FIFO] = { .name = "noop: pool, fifo mode",
			.unit = "tasks/s" },
		[F_NOOP_TPT] = { .name = "noop: thread per task",
			.unit = "tasks/s" },
		[F_CREATE] = { .name = "pthread_create+join",
			.unit = "us" },
		[F_10US] = { .name = "10us: pool",
			.unit = "tasks/s" },
		[F_10US_RAW] = { .name = "10us: plain threads, no pool",
			.unit = "tasks/s" },
		[F_10US_TPT] = { .name = "10us: thread per task",
			.unit = "tasks/s" },
		[F_1US_OFF] = { .name = "1us: pool, events off",
			.unit = "tasks/s" },
		[F_1US_ON] = { .name = "1us: pool, events on",
			.unit = "tasks/s" },
		[F_FILL_OFF] = { .name = "1us: one worker, events off",
			.unit = "ns/task" },
		[F_FILL_ON] = { .name = "1us: one worker, events on",
			.unit = "ns/task" },
		[F_SCALE] = { .name = "scale-up 1 -> N workers",
			.unit = "us" },
		[F_WAKE] = { .name = "wake: submit to start, idle",
			.unit = "us" },
	};
	static const struct pool_config noop[3] = {
		{ WORK_NOOP, PRIO_EQUAL, false },
		{ WORK_NOOP, PRIO_RANDOM, false },
		{ WORK_NOOP, PRIO_FIFO, false },
	};
	static const struct pool_config us1[2] = {
		{ WORK_1US, PRIO_EQUAL, false },
		{ WORK_1US, PRIO_EQUAL, true },
	};
	uint64_t n = bench_pool_tasks(), n10 = n / 10, n1 = n / 5;
	uint64_t ntpt = n / 100 > 1000 ? n / 100 : 1000, drops = 0;
	unsigned w = o->threads, wmax = w > 2 ? w : 2, run;
	struct bench_ratio r[8];
	double ideal = w * 100000.0, floor_us, v, rate[3];
	char notes[1024], names[2][64], loadavg[64] = "?";
	FILE *fp;
	bool ok = true;

	snprintf(names[0], sizeof(names[0]), "scale-up 1 -> %u workers", wmax);
	f[F_SCALE].name = names[0];
	for (run = 0; run < o->runs; run++) {
		ok = ok && pool_trials_sliced(w, n, noop, 3, rate, NULL);
		bench_add(&f[F_NOOP], rate[0]);
		bench_add(&f[F_NOOP_RAND], rate[1]);
		bench_add(&f[F_NOOP_FIFO], rate[2]);
		bench_add(&f[F_NOOP_TPT],
			  pool_trial_thread_per_task(w, ntpt, WORK_NOOP));
		bench_add(&f[F_CREATE],
			  1e6 / pool_trial_thread_per_task(1, ntpt / 4,
							   WORK_NOOP));
		bench_add(&f[F_10US], v = pool_trial(w, n10, WORK_10US,
						     PRIO_EQUAL, false, NULL));
		ok = ok && v > 0;
		bench_add(&f[F_10US_RAW], raw_trial(w, n10, WORK_10US));
		bench_add(&f[F_10US_TPT],
			  pool_trial_thread_per_task(w, ntpt, WORK_10US));
		ok = ok && pool_trials_sliced(w, n1, us1, 2, rate, &drops);
		bench_add(&f[F_1US_OFF], rate[0]);
		bench_add(&f[F_1US_ON], rate[1]);
		ok = ok && fill_trial(&rate[0], &rate[1], &drops);
		bench_add(&f[F_FILL_OFF], rate[0]);
		bench_add(&f[F_FILL_ON], rate[1]);
		bench_add(&f[F_SCALE], v = scale_trial(wmax));
		ok = ok && v > 0;
		bench_add(&f[F_WAKE], v = wake_trial());
		ok = ok && v > 0;
	}
	if (!ok) {
		fprintf(stderr, "lockstep: bench pool: a trial failed "
			"(out of memory or threads)\n");
		return 1;
	}
	bench_reduce(f, F_COUNT);
	fp = fopen("/proc/loadavg", "r");
	if (fp) {
		if (fgets(loadavg, sizeof(loadavg), fp))
			loadavg[strcspn(loadavg, "\n")] = '\0';
		fclose(fp);
	}
	floor_us = f[F_CREATE].median + f[F_WAKE].median;
	r[0] = ratio("noop: pool / thread per task",
		     f[F_NOOP].median / f[F_NOOP_TPT].median, ">= 50",
		     f[F_NOOP].median / f[F_NOOP_TPT].median >= 50);
	r[1] = ratio("10us: pool / ideal", f[F_10US].median / ideal, ">= 0.9",
		     f[F_10US].median / ideal >= 0.9);
	r[2] = ratio("10us: pool / plain threads",
		     f[F_10US].median / f[F_10US_RAW].median, ">= 0.9",
		     f[F_10US].median / f[F_10US_RAW].median >= 0.9);
	r[3] = ratio("noop: fifo mode / random prio",
		     f[F_NOOP_FIFO].median / f[F_NOOP_RAND].median, "<= 1.3",
		     f[F_NOOP_FIFO].median / f[F_NOOP_RAND].median <= 1.3);
	r[4] = ratio("noop: fifo mode / equal prio",
		     f[F_NOOP_FIFO].median / f[F_NOOP].median, "<= 1.3",
		     f[F_NOOP_FIFO].median / f[F_NOOP].median <= 1.3);
	r[5] = ratio("1us: events off / on",
		     f[F_1US_OFF].median / f[F_1US_ON].median, "<= 1.08",
		     f[F_1US_OFF].median / f[F_1US_ON].median <= 1.08);
	r[6] = ratio("1us, one worker: events on / off",
		     f[F_FILL_ON].median / f[F_FILL_OFF].median, "<= 1.08",
		     f[F_FILL_ON].median / f[F_FILL_OFF].median <= 1.08);
	r[7] = ratio("scale-up / (create + wake)",
		     f[F_SCALE].median / floor_us, "<= 2",
		     f[F_SCALE].median / floor_us <= 2);
	snprintf(notes, sizeof(notes),
		 "%u workers, the main thread submitting (blocking submit, "
		 "queue of %u);\nnoop %llu tasks, 10us %llu, 1us %llu, thread "
		 "per task %llu (%u in flight);\nnoop's three and 1us's two "
		 "run interleaved, in %u slices each a run;\n1us one worker: "
		 "the median of %u batches of %u tasks queued before\nthe "
		 "clock starts, events off and on taking turns;\n10us ideal = %u x "
		 "100k = %.0f tasks/s; plain threads = the same spins\nwith no "
		 "pool: what the machine gave; scale-up floor = create+join + "
		 "wake\n= %.1f us; events on: %llu events dropped over all "
		 "runs;\nload average at the end: %s\n",
		 w, BENCH_CAPACITY, (unsigned long long)n,
		 (unsigned long long)n10, (unsigned long long)n1,
		 (unsigned long long)ntpt, w, SLICES, FILL_BATCHES, FILL_TASKS,
		 w, ideal, floor_us,
		 (unsigned long long)drops, loadavg);
	bench_print(o, "pool", f, F_COUNT, r, 8, notes);
	return 0;
}
