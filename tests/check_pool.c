/*
 * check_pool.c - the thread pool's Check suite.
 *
 * Every task records what happened to it in the test's own counters, so
 * the tests check the pool's claims against what really ran: each task
 * exactly once, in priority order, exactly one callback each, dropped =
 * submitted - run.  Tasks yield at random points drawn from a seed that is
 * printed at start and can be replayed with POOL_SEED=N.  Sizes come from
 * the environment (POOL_TASKS, POOL_STRESS_TASKS), smaller under
 * sanitizers.  Nothing here asserts a duration: waits are on conditions
 * (a few poll the pool's stats or drain the ring, where a test has no
 * other window on a thread blocked inside the pool), and the only
 * deadlines are Check's per-test timeouts.
 */
#include "checkutil.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

#define MS 1000000ull
#define SETTLE_NS (5000 * MS)

static uint64_t test_seed;

/* splitmix64: a decent stream from any seed. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Yield zero to three times, as the seed says, to shake up timing. */
static void
seeded_yield(uint64_t key)
{
	uint64_t s = test_seed ^ (key * 0x2545f4914f6cdd1dull);
	unsigned n = (unsigned)(rng_next(&s) & 7);

	while (n-- > 4)
		sched_yield();
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A latch the test opens: tasks arrive and wait on it, the test waits
 * for arrivals.  Plain pthreads: this is the harness, not the engine. */
struct latch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned arrived;
	bool open;
};

static void
latch_init(struct latch *l)
{
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->arrived = 0;
	l->open = false;
}

static void
latch_destroy(struct latch *l)
{
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
}

static void
latch_arrive_wait(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	l->arrived++;
	pthread_cond_broadcast(&l->cv);
	while (!l->open)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
}

static void
latch_arrive(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	l->arrived++;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void
latch_wait_arrived(struct latch *l, unsigned n)
{
	pthread_mutex_lock(&l->mu);
	while (l->arrived < n)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
}

static void
latch_open(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	l->open = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* Poll the pool's stats until a submitter waits for room.  The test has
 * no other window on a thread blocked inside submit; the poll is bounded
 * by the test's timeout and asserts nothing about time. */
static void
wait_for_waiting_submitter(struct ls_pool *p, unsigned n)
{
	struct ls_pool_stats s;

	for (;;) {
		ls_pool_stats(p, &s);
		if (s.waiting >= n)
			return;
		sleep_ns(MS / 4);
	}
}

/* A task that records itself. */
struct rec {
	_Atomic unsigned *runs;		/* per task: times run */
	_Atomic unsigned *done;		/* per task: on_done calls */
	_Atomic unsigned *errs;		/* per task: on_error calls */
	_Atomic int *last_err;		/* per task: the error reported */
	_Atomic unsigned *order;	/* order[k] = task run k-th */
	_Atomic unsigned next;		/* next index into order */
	unsigned fail_every;		/* i fails if i % fail_every == 0 */
	struct latch *latch;		/* task 0 waits here if set */
};

struct rec_arg {
	struct rec *r;
	unsigned i;
};

static struct rec *
rec_new(unsigned n)
{
	struct rec *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	r->runs = calloc(n, sizeof(*r->runs));
	r->done = calloc(n, sizeof(*r->done));
	r->errs = calloc(n, sizeof(*r->errs));
	r->last_err = calloc(n, sizeof(*r->last_err));
	r->order = calloc(n, sizeof(*r->order));
	ck_assert(r->runs && r->done && r->errs && r->last_err && r->order);
	return r;
}

static void
rec_free(struct rec *r)
{
	free(r->runs);
	free(r->done);
	free(r->errs);
	free((void *)r->last_err);
	free(r->order);
	free(r);
}

static int
rec_task(void *p)
{
	struct rec_arg *a = p;
	struct rec *r = a->r;

	atomic_fetch_add(&r->runs[a->i], 1);
	r->order[atomic_fetch_add(&r->next, 1)] = a->i;
	if (a->i == 0 && r->latch)
		latch_arrive_wait(r->latch);
	seeded_yield(a->i);
	if (r->fail_every && a->i % r->fail_every == 0)
		return -EIO;
	return 0;
}

static void
rec_done(void *p)
{
	struct rec_arg *a = p;

	atomic_fetch_add(&a->r->done[a->i], 1);
}

static void
rec_error(void *p, int err)
{
	struct rec_arg *a = p;

	atomic_store(&a->r->last_err[a->i], err);
	atomic_fetch_add(&a->r->errs[a->i], 1);
}

static struct ls_task
rec_make(struct rec_arg *a, int priority)
{
	return (struct ls_task){
		.fn = rec_task,
		.arg = a,
		.priority = priority,
		.on_done = rec_done,
		.on_error = rec_error,
	};
}

static struct ls_group *
group_new(struct ls_ring *ring)
{
	struct ls_group *g;

	ck_assert_int_eq(ls_group_create(ring, "test", &g), 0);
	return g;
}

static struct ls_pool *
pool_new(struct ls_group *g, unsigned min, unsigned max, unsigned cap)
{
	struct ls_pool_config cfg = {
		.name = "pool",
		.min_workers = min,
		.max_workers = max,
		.capacity = cap,
	};
	struct ls_pool *p;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	return p;
}

/* Drain every event still in the ring into a growing array. */
struct evlog {
	struct ls_event *ev;
	size_t n, cap;
};

static void
evlog_drain(struct ls_ring *ring, struct evlog *log)
{
	size_t k;

	do {
		if (log->cap - log->n < 1024) {
			log->cap = log->cap ? log->cap * 2 : 8192;
			log->ev = realloc(log->ev, log->cap * sizeof(*log->ev));
			ck_assert_ptr_nonnull(log->ev);
		}
		k = ls_ring_drain(ring, log->ev + log->n, log->cap - log->n);
		log->n += k;
	} while (k);
}

static size_t
evlog_count(const struct evlog *log, unsigned kind)
{
	size_t i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->ev[i].kind == kind;
	return n;
}

/* Register the calling thread as a producer, so its submits emit. */
static struct ls_lane *
lane_bind(struct ls_ring *ring, const char *name)
{
	struct ls_lane *lane;

	ck_assert_int_eq(ls_ring_register(ring, name, &lane), 0);
	ls_trace_lane = lane;
	return lane;
}

static void
lane_unbind(struct ls_lane *lane)
{
	ls_trace_lane = NULL;
	ls_ring_unregister(lane);
}

/* Tests. */

START_TEST(test_config)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = { .max_workers = 1, .capacity = 1 };
	struct ls_pool *p;
	struct ls_task t = { .fn = NULL };

	cfg.max_workers = 0;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), -EINVAL);
	cfg.max_workers = 2;
	cfg.min_workers = 3;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), -EINVAL);
	cfg.min_workers = 1;
	cfg.capacity = 0;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), -EINVAL);
	cfg.capacity = 4;
	cfg.aging_ns = LS_POOL_MAX_AGING + 1;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), -EINVAL);
	cfg.aging_ns = 0;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), -EINVAL);
	ck_assert_int_eq(ls_pool_map(p, NULL, NULL, NULL, 1, 0, 0, NULL),
			 -EINVAL);
	ls_pool_destroy(p);
	ls_group_destroy(g);
}
END_TEST

/* Every task runs exactly once and gets exactly one callback, with the
 * pool scaling between 1 and 4 workers under a small queue. */
START_TEST(test_exactly_once)
{
	unsigned n = (unsigned)test_size("POOL_TASKS", 20000, 2000), i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = {
		.name = "once", .min_workers = 1, .max_workers = 4,
		.capacity = 32, .keep_alive_ns = MS,
	};
	struct rec *r = rec_new(n);
	struct rec_arg *a = calloc(n, sizeof(*a));
	struct ls_pool_stats s;
	struct ls_pool *p;
	uint64_t dropped = 99, seed = test_seed;

	r->fail_every = 10;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	for (i = 0; i < n; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], (int)(rng_next(&seed) % 5));
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      NULL), 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, &dropped), 0);
	ck_assert_uint_eq(dropped, 0);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(r->runs[i], 1);
		if (i % 10 == 0) {
			ck_assert_uint_eq(r->errs[i], 1);
			ck_assert_uint_eq(r->done[i], 0);
			ck_assert_int_eq(r->last_err[i], -EIO);
		} else {
			ck_assert_uint_eq(r->done[i], 1);
			ck_assert_uint_eq(r->errs[i], 0);
		}
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, n);
	ck_assert_uint_eq(s.failed, (n + 9) / 10);
	ck_assert_uint_eq(s.completed, n - (n + 9) / 10);
	ck_assert_uint_eq(s.dropped, 0);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(s.workers, 0);
	ck_assert_uint_eq(s.busy, 0);
	ck_assert_uint_eq(s.spawned, s.retired);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free(a);
	rec_free(r);
}
END_TEST

/* Fill the queue of a one-worker pool while its worker is held at a gate,
 * then let it go and check the order the tasks ran in. */
static void
run_order(const struct ls_pool_config *cfg, const int *prio, unsigned n,
	  struct rec *r)
{
	struct ls_group *g = group_new(NULL);
	struct rec_arg *a = calloc(n, sizeof(*a));
	struct ls_pool_stats s;
	struct ls_pool *p;
	unsigned i;

	ck_assert_int_eq(ls_pool_create(g, cfg, &p), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	for (i = 0; i < n; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], prio[i]);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	/* Still held: nothing may have run. */
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, n);
	ck_assert_uint_eq(s.completed + s.failed, 0);
	ck_assert_uint_eq(atomic_load(&r->next), 0);
	ls_gate_resume(g);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ck_assert_uint_eq(atomic_load(&r->next), n);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free(a);
}

START_TEST(test_priority_order)
{
	enum { N = 256 };
	struct ls_pool_config cfg = {
		.min_workers = 1, .max_workers = 1, .capacity = N,
	};
	struct rec *r = rec_new(N);
	uint64_t seed = test_seed;
	int prio[N];
	unsigned k;

	for (k = 0; k < N; k++)
		prio[k] = (int)(rng_next(&seed) % 8) - 2;
	run_order(&cfg, prio, N, r);
	/* Priorities never go up, and equal ones keep submission order. */
	for (k = 1; k < N; k++) {
		unsigned x = r->order[k - 1], y = r->order[k];

		ck_assert_msg(prio[x] < prio[y] ||
				      (prio[x] == prio[y] && x < y),
			      "task %u (prio %d) ran before %u (prio %d)", x,
			      prio[x], y, prio[y]);
	}
	rec_free(r);
}
END_TEST

START_TEST(test_fifo_mode)
{
	enum { N = 40 };
	struct ls_pool_config cfg = {
		.min_workers = 1, .max_workers = 1, .capacity = N,
		.fifo = true,
	};
	struct rec *r = rec_new(N);
	uint64_t seed = test_seed;
	int prio[N];
	unsigned k;

	for (k = 0; k < N; k++)
		prio[k] = (int)(rng_next(&seed) % 7);
	run_order(&cfg, prio, N, r);
	for (k = 0; k < N; k++)
		ck_assert_uint_eq(r->order[k], k);
	rec_free(r);
}
END_TEST

/* With aging, a low-priority task that waited long enough runs before
 * newer urgent ones; without, it runs last. */
static void
run_aging(uint64_t aging_ns, const unsigned *want)
{
	struct ls_pool_config cfg = {
		.min_workers = 1, .max_workers = 1, .capacity = 8,
		.aging_ns = aging_ns,
	};
	struct ls_group *g = group_new(NULL);
	struct rec *r = rec_new(3);
	struct rec_arg a[3];
	struct ls_task t;
	struct ls_pool *p;
	uint64_t t0;
	unsigned i;

	for (i = 0; i < 3; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	t = rec_make(&a[0], 5);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	/* Let task 0 age by at least 20 priority steps of 1 ms. */
	t0 = ls_clock_ns();
	while (ls_clock_ns() - t0 < 20 * MS)
		sleep_ns(20 * MS);
	t = rec_make(&a[1], 0);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	t = rec_make(&a[2], 0);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ls_gate_resume(g);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(r->order[i], want[i]);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	rec_free(r);
}

START_TEST(test_aging)
{
	static const unsigned aged[3] = { 0, 1, 2 };
	static const unsigned plain[3] = { 1, 2, 0 };

	run_aging(MS, aged);
	run_aging(0, plain);
}
END_TEST

/* A task that holds its worker until the latch opens. */
static int
hold_task(void *p)
{
	latch_arrive_wait(p);
	return 0;
}

/* Scale up to max under a burst of held tasks, back down to min after the
 * keep-alive, as the POOL_SCALE events tell (arg workers, aux idle). */
START_TEST(test_scale)
{
	struct ls_pool_config cfg = {
		.name = "scale", .min_workers = 1, .max_workers = 3,
		.capacity = 16, .keep_alive_ns = 20 * MS,
	};
	struct ls_task hold = { .fn = hold_task };
	struct evlog log = { 0 };
	struct ls_pool_stats s;
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct latch latch;
	uint64_t top = 0, low = UINT64_MAX, arg;
	size_t i, scanned = 0;
	bool grown = false, shrunk = false;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	latch_init(&latch);
	hold.arg = &latch;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	/* Four held tasks: three workers take three, one stays queued. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	latch_wait_arrived(&latch, 3);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.workers, 3);
	ck_assert_uint_eq(s.busy, 3);
	ck_assert_uint_eq(s.depth, 1);
	ck_assert_uint_eq(s.spawned, 3);
	ck_assert_uint_gt(s.scale_up_ns, 0);
	latch_open(&latch);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);

	/* Watch the events until the pool is back at its minimum. */
	while (!shrunk) {
		evlog_drain(ring, &log);
		for (; scanned < log.n; scanned++) {
			const struct ls_event *e = &log.ev[scanned];

			if (e->kind != LS_EV_POOL_SCALE ||
			    e->obj != ls_pool_id(p))
				continue;
			arg = e->arg;
			top = arg > top ? arg : top;
			low = arg < low ? arg : low;
			if (arg == 3)
				grown = true;
			if (grown && arg == 1)
				shrunk = true;
		}
		if (!shrunk)
			sleep_ns(MS);
	}
	ck_assert_uint_eq(top, 3);
	ck_assert_uint_eq(low, 1);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.workers, 1);
	ck_assert_uint_eq(s.retired, 2);
	ck_assert_uint_eq(s.completed, 4);
	/* Workers said when they went idle and back to work. */
	ck_assert_uint_gt(evlog_count(&log, LS_EV_STATE), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	evlog_drain(ring, &log);
	ls_ring_destroy(ring);
	latch_destroy(&latch);
	free(log.ev);
}
END_TEST

/* A pool with no minimum starts a worker for a submit and ends at zero. */
START_TEST(test_min_zero)
{
	struct ls_pool_config cfg = {
		.min_workers = 0, .max_workers = 2, .capacity = 4,
		.keep_alive_ns = MS,
	};
	struct ls_group *g = group_new(NULL);
	struct rec *r = rec_new(2);
	struct rec_arg a[2] = { { .r = r, .i = 0 }, { .r = r, .i = 1 } };
	struct ls_pool_stats s;
	struct ls_task t;
	struct ls_pool *p;
	unsigned i;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.workers, 0);
	for (i = 0; i < 2; i++) {
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
		ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
		/* Back to zero after the keep-alive. */
		do {
			sleep_ns(MS);
			ls_pool_stats(p, &s);
		} while (s.workers);
		ck_assert_uint_eq(r->done[i], 1);
	}
	ck_assert_uint_ge(s.spawned, 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	rec_free(r);
}
END_TEST

/* A full queue refuses a submit (-EAGAIN, TASK_REJECT), a timed submit
 * times out, a blocking one waits and gets in once room is made. */
struct blocked_submit {
	struct ls_pool *p;
	struct ls_task t;
	uint64_t timeout_ns;
	int rc;
};

static void *
blocked_submit_main(void *arg)
{
	struct blocked_submit *b = arg;

	b->rc = ls_pool_submit_timed(b->p, &b->t, b->timeout_ns, NULL);
	return NULL;
}

START_TEST(test_reject)
{
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct ls_lane *lane;
	struct latch latch;
	struct rec *r = rec_new(8);
	struct rec_arg a[8];
	struct ls_task hold = { .fn = hold_task };
	struct ls_pool_stats s;
	struct evlog log = { 0 };
	struct blocked_submit b;
	pthread_t th;
	uint64_t id = 0;
	unsigned i;
	size_t k, rejects = 0;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	lane = lane_bind(ring, "main");
	g = group_new(ring);
	latch_init(&latch);
	hold.arg = &latch;
	p = pool_new(g, 1, 1, 4);
	for (i = 0; i < 8; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	latch_wait_arrived(&latch, 1);
	for (i = 0; i < 4; i++) {
		struct ls_task t = rec_make(&a[i], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	{
		struct ls_task t = rec_make(&a[4], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, &id), -EAGAIN);
		ck_assert_uint_gt(id, 0);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, 5 * MS, NULL),
				 -ETIMEDOUT);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, 0, NULL),
				 -ETIMEDOUT);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.rejected, 3);
	ck_assert_uint_eq(s.depth, 4);
	ck_assert_uint_eq(r->errs[4] + r->done[4], 0);

	/* A blocking submit waits for room, then gets in. */
	b = (struct blocked_submit){
		.p = p, .t = rec_make(&a[5], 0), .timeout_ns = LS_POOL_FOREVER,
		.rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);
	latch_open(&latch);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, 6);
	ck_assert_uint_eq(r->done[5], 1);
	{
		struct ls_task t = rec_make(&a[6], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), -ESHUTDOWN);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      NULL), -ESHUTDOWN);
	}
	ls_pool_destroy(p);
	ls_group_destroy(g);
	lane_unbind(lane);
	evlog_drain(ring, &log);
	for (k = 0; k < log.n; k++)
		if (log.ev[k].kind == LS_EV_TASK_REJECT) {
			if (rejects < 3)
				ck_assert_uint_eq(log.ev[k].aux, 4);
			rejects++;
		}
	ck_assert_uint_eq(rejects, 5);
	ck_assert_uint_ge(evlog_count(&log, LS_EV_Q_PUSH_WAIT), 1);
	ls_ring_destroy(ring);
	latch_destroy(&latch);
	rec_free(r);
	free(log.ev);
}
END_TEST

/* Room is handed to waiting submitters in arrival order. */
START_TEST(test_submitters_fifo)
{
	enum { W = 4 };
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 1);
	struct latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct rec *r = rec_new(W + 1);
	struct rec_arg a[W + 1];
	struct blocked_submit b[W];
	pthread_t th[W];
	unsigned i;

	latch_init(&latch);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	latch_wait_arrived(&latch, 1);
	a[W] = (struct rec_arg){ .r = r, .i = W };
	{
		struct ls_task t = rec_make(&a[W], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	for (i = 0; i < W; i++) {
		a[i] = (struct rec_arg){ .r = r, .i = i };
		b[i] = (struct blocked_submit){
			.p = p, .t = rec_make(&a[i], 0),
			.timeout_ns = LS_POOL_FOREVER, .rc = 1,
		};
		ck_assert_int_eq(pthread_create(&th[i], NULL,
						blocked_submit_main, &b[i]), 0);
		wait_for_waiting_submitter(p, i + 1);
	}
	latch_open(&latch);
	for (i = 0; i < W; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(b[i].rc, 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	/* One worker, queue of one: they ran in the order they waited. */
	ck_assert_uint_eq(r->order[0], W);
	for (i = 0; i < W; i++)
		ck_assert_uint_eq(r->order[i + 1], i);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	latch_destroy(&latch);
	rec_free(r);
}
END_TEST

/* Step the group's only thread, a pool worker, through one gate. */
static void
step_worker(struct ls_group *g)
{
	struct ls_gate_view v;

	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_int_eq(ls_gate_step(g, v.tid, SETTLE_NS), 0);
}

/* A waiting submitter is let in only once an eighth of the queue is free,
 * and nobody barges past it meanwhile.  The worker is stepped through its
 * gates so that exactly one task leaves the queue at a time. */
START_TEST(test_admission)
{
	enum { CAP = 16 };	/* slack 2 */
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct rec *r = rec_new(CAP + 2);
	struct rec_arg a[CAP + 2];
	struct blocked_submit b;
	struct ls_pool_stats s;
	pthread_t th;
	unsigned i;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	p = pool_new(g, 1, 1, CAP);
	for (i = 0; i < CAP + 2; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	ls_gate_pause(g);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	for (i = 0; i < CAP; i++) {
		struct ls_task t = rec_make(&a[i], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	b = (struct blocked_submit){
		.p = p, .t = rec_make(&a[CAP], 0),
		.timeout_ns = LS_POOL_FOREVER, .rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);

	/* Through "take task": one slot frees, fewer than the slack. */
	step_worker(g);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, CAP - 1);
	ck_assert_uint_eq(s.busy, 1);
	ck_assert_uint_eq(s.waiting, 1);
	{
		struct ls_task t = rec_make(&a[CAP + 1], 0);

		/* Room for one, but a submitter waits: no barging. */
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), -EAGAIN);
	}
	/* Through "run task", then "take task" again: two slots free. */
	step_worker(g);
	step_worker(g);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.waiting, 0);
	ck_assert_uint_eq(s.depth, CAP - 1);
	ck_assert_uint_eq(s.completed, 1);
	ck_assert_uint_eq(s.rejected, 1);
	ls_gate_resume(g);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, CAP + 1);
	/* One worker, FIFO among equals: the admitted task ran last. */
	ck_assert_uint_eq(r->order[CAP], CAP);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
	rec_free(r);
}
END_TEST

/* Map: failing items get their own status; the call returns 0. */
struct map_ctx {
	_Atomic unsigned *runs;
	size_t n;
	struct latch *latch;	/* item hold waits here, if set */
	size_t hold;
	_Atomic unsigned *released;
};

static int
map_item(void *ctx, size_t i)
{
	struct map_ctx *m = ctx;

	atomic_fetch_add(&m->runs[i], 1);
	if (m->latch && i == m->hold)
		latch_arrive_wait(m->latch);
	seeded_yield(i);
	return i % 7 == 3 ? -EIO : (int)(i % 2);
}

static void
map_release(void *ctx)
{
	struct map_ctx *m = ctx;

	atomic_fetch_add(m->released, 1);
}

START_TEST(test_map)
{
	size_t n = 300, i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 2, 2, 8);
	_Atomic unsigned released = 0;
	struct map_ctx m = {
		.runs = calloc(n, sizeof(*m.runs)), .n = n,
		.released = &released,
	};
	int *status = malloc(n * sizeof(int));
	struct ls_pool_stats s;

	ck_assert_int_eq(ls_pool_map(p, map_item, &m, map_release, n, 0,
				     LS_POOL_FOREVER, status), 0);
	ck_assert_uint_eq(atomic_load(&released), 1);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(m.runs[i], 1);
		ck_assert_int_eq(status[i], i % 7 == 3 ? -EIO : (int)(i % 2));
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, n);
	ck_assert_uint_eq(s.completed + s.failed, n);
	/* An empty map releases and returns at once. */
	ck_assert_int_eq(ls_pool_map(p, map_item, &m, map_release, 0, 0,
				     LS_POOL_FOREVER, NULL), 0);
	ck_assert_uint_eq(atomic_load(&released), 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free((void *)m.runs);
	free(status);
}
END_TEST

/* Map with a timeout: a held item makes it expire; finished items keep
 * their status, the rest read -ETIMEDOUT, queued ones never run, and the
 * held one finishes later without touching the caller's memory. */
START_TEST(test_map_timeout)
{
	size_t n = 10, i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 16);
	struct latch latch;
	_Atomic unsigned released = 0;
	struct map_ctx *m = malloc(sizeof(*m));
	int *status = malloc(n * sizeof(int));
	struct ls_pool_stats s;

	latch_init(&latch);
	*m = (struct map_ctx){
		.runs = calloc(n, sizeof(*m->runs)), .n = n, .latch = &latch,
		.hold = 2, .released = &released,
	};
	ck_assert_int_eq(ls_pool_map(p, map_item, m, map_release, n, 0,
				     20 * MS, status), -ETIMEDOUT);
	/* One worker, FIFO among equals: 0 and 1 ran, 2 holds. */
	ck_assert_int_eq(status[0], 0);
	ck_assert_int_eq(status[1], 1);
	for (i = 2; i < n; i++)
		ck_assert_int_eq(status[i], -ETIMEDOUT);
	ck_assert_uint_eq(atomic_load(&released), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.dropped, n - 3);
	ck_assert_uint_eq(s.depth, 0);
	/* The caller's status array is gone; the late item must not care. */
	free(status);
	latch_wait_arrived(&latch, 1);
	latch_open(&latch);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_uint_eq(atomic_load(&released), 1);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(m->runs[i], i <= 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	latch_destroy(&latch);
	free((void *)m->runs);
	free(m);
}
END_TEST

/* Shutdown now: the running task finishes, the queue is dropped with
 * TASK_DROP and on_error(-ECANCELED), and the count says so. */
struct shutdown_call {
	struct ls_pool *p;
	struct ls_ring *ring;
	uint64_t dropped;
	int rc;
};

static void *
shutdown_main(void *arg)
{
	struct shutdown_call *c = arg;
	struct ls_lane *lane = lane_bind(c->ring, "stopper");

	c->rc = ls_pool_shutdown(c->p, LS_POOL_NOW, &c->dropped);
	lane_unbind(lane);
	return NULL;
}

START_TEST(test_shutdown_now)
{
	enum { N = 50 };
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct latch latch;
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct shutdown_call c;
	struct ls_pool_stats s;
	struct evlog log = { 0 };
	pthread_t th;
	unsigned i, errs;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	p = pool_new(g, 1, 1, N);
	latch_init(&latch);
	r->latch = &latch;
	for (i = 0; i < N; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
		if (i == 0)
			latch_wait_arrived(&latch, 1);
	}
	c = (struct shutdown_call){ .p = p, .ring = ring, .rc = 1 };
	ck_assert_int_eq(pthread_create(&th, NULL, shutdown_main, &c), 0);
	/* Task 0 holds the only worker; wait until the queue is dropped. */
	do {
		errs = 0;
		sleep_ns(MS / 4);
		for (i = 1; i < N; i++)
			errs += atomic_load(&r->errs[i]);
	} while (errs < N - 1);
	latch_open(&latch);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_uint_eq(c.dropped, N - 1);
	ck_assert_uint_eq(r->runs[0], 1);
	ck_assert_uint_eq(r->done[0], 1);
	for (i = 1; i < N; i++) {
		ck_assert_uint_eq(r->runs[i], 0);
		ck_assert_uint_eq(r->errs[i], 1);
		ck_assert_int_eq(r->last_err[i], -ECANCELED);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.dropped, s.submitted - s.completed - s.failed);
	ck_assert_uint_eq(s.workers, 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	evlog_drain(ring, &log);
	ck_assert_uint_eq(evlog_count(&log, LS_EV_TASK_DROP), N - 1);
	ls_ring_destroy(ring);
	latch_destroy(&latch);
	rec_free(r);
	free(log.ev);
}
END_TEST

/* Shutdown now at a random moment under load: every task either ran
 * once (one on_done or on_error) or was dropped (one on_error with
 * -ECANCELED), and dropped = submitted - run. */
static int
spin_task(void *p)
{
	struct rec_arg *a = p;

	atomic_fetch_add(&a->r->runs[a->i], 1);
	seeded_yield(a->i * 31 + 7);
	return 0;
}

START_TEST(test_shutdown_now_random)
{
	unsigned n = (unsigned)test_size("POOL_TASKS", 20000, 2000);
	uint64_t seed = test_seed ^ 0xabcdef, dropped = 0, ran = 0;
	unsigned stop_at = (unsigned)(rng_next(&seed) % n), i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = {
		.min_workers = 1, .max_workers = 3, .capacity = 256,
	};
	struct rec *r = rec_new(n);
	struct rec_arg *a = calloc(n, sizeof(*a));
	struct ls_pool_stats s;
	struct ls_pool *p;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	for (i = 0; i < stop_at; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], (int)(rng_next(&seed) % 3));
		t.fn = spin_task;
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      NULL), 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_NOW, &dropped), 0);
	for (i = 0; i < stop_at; i++) {
		unsigned runs = r->runs[i];

		ck_assert_uint_le(runs, 1);
		ck_assert_uint_eq(r->done[i] + r->errs[i], 1);
		if (runs) {
			ck_assert_uint_eq(r->done[i], 1);
			ran++;
		} else {
			ck_assert_int_eq(r->last_err[i], -ECANCELED);
		}
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, stop_at);
	ck_assert_uint_eq(dropped, stop_at - ran);
	ck_assert_uint_eq(s.completed, ran);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free(a);
	rec_free(r);
}
END_TEST

/* Many submitters, small queue, workers coming and going: no task lost,
 * none run twice. */
struct stress {
	struct ls_pool *p;
	struct rec *r;
	struct rec_arg *a;
	unsigned from, to;
	_Atomic unsigned bad;
};

static void *
stress_submitter(void *arg)
{
	struct stress *st = arg;
	uint64_t seed = test_seed ^ ((uint64_t)st->from << 20);
	unsigned i;

	for (i = st->from; i < st->to; i++) {
		struct ls_task t = rec_make(&st->a[i],
					    (int)(rng_next(&seed) % 8));
		int rc;

		/* Mostly blocking submits; sometimes try first. */
		if (rng_next(&seed) % 4 == 0) {
			rc = ls_pool_submit(st->p, &t, NULL);
			if (rc == -EAGAIN)
				rc = ls_pool_submit_timed(st->p, &t,
							  LS_POOL_FOREVER,
							  NULL);
		} else {
			rc = ls_pool_submit_timed(st->p, &t, LS_POOL_FOREVER,
						  NULL);
		}
		if (rc)
			atomic_fetch_add(&st->bad, 1);
	}
	return NULL;
}

START_TEST(test_stress)
{
	enum { SUBMITTERS = 3 };
	unsigned n = (unsigned)test_size("POOL_STRESS_TASKS", 100000, 10000);
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = {
		.name = "stress", .min_workers = 1, .max_workers = 4,
		.capacity = 16, .keep_alive_ns = MS / 5,
	};
	struct rec *r = rec_new(n);
	struct rec_arg *a = calloc(n, sizeof(*a));
	struct stress st[SUBMITTERS];
	pthread_t th[SUBMITTERS];
	struct ls_pool_stats s;
	struct ls_pool *p;
	unsigned i, fails = 0;

	r->fail_every = 13;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	for (i = 0; i < n; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	for (i = 0; i < SUBMITTERS; i++) {
		st[i] = (struct stress){
			.p = p, .r = r, .a = a,
			.from = n / SUBMITTERS * i,
			.to = i + 1 == SUBMITTERS ? n
						  : n / SUBMITTERS * (i + 1),
		};
		ck_assert_int_eq(pthread_create(&th[i], NULL, stress_submitter,
						&st[i]), 0);
	}
	for (i = 0; i < SUBMITTERS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_uint_eq(atomic_load(&st[i].bad), 0);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	for (i = 0; i < n; i++) {
		ck_assert_msg(r->runs[i] == 1, "task %u ran %u times", i,
			      (unsigned)r->runs[i]);
		ck_assert_uint_eq(r->done[i] + r->errs[i], 1);
		fails += r->errs[i];
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, n);
	ck_assert_uint_eq(s.completed + s.failed, n);
	ck_assert_uint_eq(s.failed, fails);
	ck_assert_uint_eq(s.dropped, 0);
	ck_assert_uint_le(s.wait_p50, s.wait_p90);
	ck_assert_uint_le(s.wait_p90, s.wait_p99);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	free(a);
	rec_free(r);
}
END_TEST

/* Cancelling the group: tasks blocked in a cancellable sleep fail with
 * -ECANCELED, the queue is dropped, a submitter waiting for room (outside
 * the group) is refused, and later submits are refused too. */
static int
sleepy_task(void *p)
{
	latch_arrive(p);
	return ls_thread_sleep(3600ull * 1000 * MS);
}

static void
count_error(void *p, int err)
{
	(void)p;
	(void)err;
}

START_TEST(test_cancel)
{
	struct ls_ring *ring;
	struct ls_lane *lane;
	struct ls_group *g;
	struct ls_pool *p;
	struct latch latch;
	struct ls_task sleepy = { .fn = sleepy_task, .on_error = count_error };
	struct rec *r = rec_new(4);
	struct rec_arg a[5];
	struct blocked_submit b;
	struct ls_pool_stats s;
	struct evlog log = { 0 };
	pthread_t th;
	uint64_t dropped = 0;
	unsigned i;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	/* Whoever drops the queue, worker or this thread, emits. */
	lane = lane_bind(ring, "main");
	g = group_new(ring);
	p = pool_new(g, 2, 2, 4);
	latch_init(&latch);
	sleepy.arg = &latch;
	ck_assert_int_eq(ls_pool_submit(p, &sleepy, NULL), 0);
	ck_assert_int_eq(ls_pool_submit(p, &sleepy, NULL), 0);
	latch_wait_arrived(&latch, 2);
	for (i = 0; i < 4; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	b = (struct blocked_submit){
		.p = p, .t = sleepy, .timeout_ns = LS_POOL_FOREVER, .rc = 1,
	};
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);
	ls_group_cancel(g);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, -ECANCELED);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, &dropped), 0);
	ck_assert_uint_eq(dropped, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(r->runs[i], 0);
		ck_assert_uint_eq(r->errs[i], 1);
		ck_assert_int_eq(r->last_err[i], -ECANCELED);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.failed, 2);
	ck_assert_uint_eq(s.completed, 0);
	ck_assert_uint_eq(s.submitted, 6);
	ck_assert_uint_eq(s.workers, 0);
	ck_assert_int_eq(ls_pool_submit(p, &sleepy, NULL), -ECANCELED);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	lane_unbind(lane);
	evlog_drain(ring, &log);
	ck_assert_uint_eq(evlog_count(&log, LS_EV_TASK_FAIL), 2);
	ck_assert_uint_eq(evlog_count(&log, LS_EV_TASK_DROP), 4);
	ls_ring_destroy(ring);
	latch_destroy(&latch);
	rec_free(r);
	free(log.ev);
}
END_TEST

/* Cancelling a group whose workers are idle, and a pool whose submitter
 * is itself a member that waits for room: both unwind. */
struct member_submit {
	struct ls_pool *p;
	struct ls_task t;
	_Atomic int rc;
};

static void
member_submit_main(void *arg)
{
	struct member_submit *m = arg;

	atomic_store(&m->rc, ls_pool_submit_timed(m->p, &m->t,
						  LS_POOL_FOREVER, NULL));
}

START_TEST(test_cancel_member_submitter)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 1);
	struct latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct member_submit m = { .p = p, .t = hold };
	struct ls_pool_stats s;

	latch_init(&latch);
	atomic_init(&m.rc, 1);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	latch_wait_arrived(&latch, 1);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "submitter", member_submit_main,
					 &m), 0);
	wait_for_waiting_submitter(p, 1);
	ls_group_cancel(g);
	/* The held task is in a plain condvar, not a cancellable wait. */
	latch_open(&latch);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_NOW, NULL), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&m.rc), -ECANCELED);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed + s.dropped, 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	latch_destroy(&latch);
}
END_TEST

/* Every task's events: one SUBMIT, one START, one END or FAIL, in that
 * order, with depths within capacity. */
START_TEST(test_events)
{
	enum { N = 300, CAP = 16 };
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct ls_lane *lane;
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct evlog log = { 0 };
	uint64_t first_id = 0, id;
	unsigned sub[N] = { 0 }, start[N] = { 0 }, end[N] = { 0 }, i;
	uint64_t ts_sub[N], ts_start[N];
	size_t k;
	uint32_t obj;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	lane = lane_bind(ring, "main");
	g = group_new(ring);
	p = pool_new(g, 1, 2, CAP);
	obj = ls_pool_id(p);
	ck_assert_uint_gt(obj, 0);
	r->fail_every = 5;
	for (i = 0; i < N; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], (int)(i % 3));
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      &id), 0);
		if (i == 0)
			first_id = id;
		ck_assert_uint_eq(id, first_id + i);
		/* Drain as we go: the lanes hold 4096 events. */
		if (i % 64 == 0)
			evlog_drain(ring, &log);
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	lane_unbind(lane);
	evlog_drain(ring, &log);
	ck_assert_uint_eq(ls_ring_dropped_total(ring), 0);
	for (k = 0; k < log.n; k++) {
		const struct ls_event *e = &log.ev[k];

		if (e->obj != obj)
			continue;
		switch (e->kind) {
		case LS_EV_TASK_SUBMIT:
			i = (unsigned)(e->arg - first_id);
			ck_assert_uint_lt(i, N);
			ck_assert_uint_eq(e->aux, i % 3);
			sub[i]++;
			ts_sub[i] = e->ts;
			break;
		case LS_EV_TASK_START:
			i = (unsigned)(e->arg - first_id);
			ck_assert_uint_lt(i, N);
			ck_assert_uint_eq(sub[i], 1);
			start[i]++;
			ts_start[i] = e->ts;
			ck_assert_uint_ge(ts_start[i], ts_sub[i]);
			break;
		case LS_EV_TASK_END:
		case LS_EV_TASK_FAIL:
			i = (unsigned)(e->arg - first_id);
			ck_assert_uint_lt(i, N);
			ck_assert_uint_eq(start[i], 1);
			ck_assert_uint_eq(e->kind == LS_EV_TASK_FAIL,
					  i % 5 == 0);
			if (e->kind == LS_EV_TASK_FAIL)
				ck_assert_uint_eq(e->aux, EIO);
			end[i]++;
			break;
		case LS_EV_POOL_DEPTH:
			ck_assert_uint_le(e->arg, CAP);
			ck_assert_uint_eq(e->aux, CAP);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < N; i++) {
		ck_assert_uint_eq(sub[i], 1);
		ck_assert_uint_eq(start[i], 1);
		ck_assert_uint_eq(end[i], 1);
	}
	ls_ring_destroy(ring);
	rec_free(r);
	free(log.ev);
}
END_TEST

/* Percentiles of a known run time: tasks that spin 200 us on the clock
 * cannot report less (the histogram is within 1/16). */
static int
spin200_task(void *p)
{
	uint64_t t0 = ls_clock_ns();

	(void)p;
	while (ls_clock_ns() - t0 < 200000)
		;
	return 0;
}

/* With a ring every task is timed; without, a sample is.  Either way
 * the percentiles stay ordered and a 200 us spin reads at least that. */
static void
run_stats(bool with_ring)
{
	enum { N = 40 };
	struct ls_ring *ring = NULL;
	struct ls_group *g;
	struct ls_pool *p;
	struct ls_task t = { .fn = spin200_task };
	struct ls_pool_stats s;
	unsigned i;

	if (with_ring)
		ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	p = pool_new(g, 1, 1, N);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.run_p50, 0);
	ck_assert_uint_eq(s.timed, 0);
	ck_assert_uint_eq(s.capacity, N);
	ck_assert_uint_eq(s.min_workers, 1);
	ck_assert_uint_eq(s.max_workers, 1);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, N);
	ck_assert_uint_eq(s.busy, 0);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(s.idle + s.busy, s.workers);
	if (with_ring) {
		ck_assert_uint_eq(s.timed, N);
	} else {
		/* One in 8 of this thread's submits, wherever it started. */
		ck_assert_uint_ge(s.timed, N / 8);
		ck_assert_uint_le(s.timed, N / 8 + 1);
	}
	ck_assert_uint_ge(s.run_p50, 200000 - 200000 / 16);
	ck_assert_uint_le(s.run_p50, s.run_p90);
	ck_assert_uint_le(s.run_p90, s.run_p99);
	/* One worker, all queued at once: all but the first few waited for
	 * at least one other task. */
	ck_assert_uint_ge(s.wait_p90, 200000 - 200000 / 16);
	ck_assert_uint_le(s.wait_p50, s.wait_p90);
	ck_assert_uint_le(s.wait_p90, s.wait_p99);
	ck_assert_int_eq(ls_pool_wait_idle(p, 0), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
}

START_TEST(test_stats)
{
	run_stats(true);
	run_stats(false);
}
END_TEST

/* A worker cannot wait for its own pool. */
static int
self_wait_task(void *arg)
{
	struct ls_pool *p = *(struct ls_pool **)arg;

	if (ls_pool_shutdown(p, LS_POOL_NOW, NULL) != -EDEADLK)
		return 1;
	if (ls_pool_wait_idle(p, LS_POOL_FOREVER) != -EDEADLK)
		return 2;
	return 0;
}

START_TEST(test_self_wait)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = pool_new(g, 1, 1, 4);
	struct ls_task t = { .fn = self_wait_task, .arg = &p };
	struct ls_pool_stats s;

	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, 1);
	ls_pool_destroy(p);
	ls_group_destroy(g);
}
END_TEST

static Suite *
pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc;

	tc = tcase_create("config");
	tcase_add_test(tc, test_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("exactly_once");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_exactly_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_priority_order);
	tcase_add_test(tc, test_fifo_mode);
	tcase_add_test(tc, test_aging);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_reject);
	tcase_add_test(tc, test_submitters_fifo);
	tcase_add_test(tc, test_admission);
	suite_add_tcase(s, tc);

	tc = tcase_create("map");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_map_timeout);
	suite_add_tcase(s, tc);

	tc = tcase_create("shutdown");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_shutdown_now);
	tcase_add_test(tc, test_shutdown_now_random);
	tcase_add_test(tc, test_self_wait);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stress);
	suite_add_tcase(s, tc);

	tc = tcase_create("cancel");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_cancel_member_submitter);
	suite_add_tcase(s, tc);

	tc = tcase_create("events");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_stats);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_min_zero);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	test_seed = test_env_seed("POOL_SEED");
	fprintf(stderr, "check_pool: seed %llu (replay with POOL_SEED=%llu)\n",
		(unsigned long long)test_seed, (unsigned long long)test_seed);
	return test_run_suite(pool_suite());
}
