/*
 * check_pool.c - the thread pool's main Check suite: configuration, every
 * task exactly once, the order tasks run in (priorities, fifo mode,
 * aging), scaling between min and max workers and back, the keep-alive,
 * and a stress run with many submitters.  The other pool suites:
 * check_pool_submit (full queues and waiting submitters), check_pool_stop
 * (map, shutdown, cancel), check_pool_events (events and statistics),
 * check_pool_gate (the pool under a controller), and check_runq (the run
 * queue alone).
 *
 * Tasks yield at random points drawn from a seed printed at start
 * (POOL_SEED replays it).  Sizes come from the environment (POOL_TASKS,
 * POOL_STRESS_TASKS), smaller under sanitizers.  Nothing here asserts a
 * duration: waits are on conditions, and the only deadlines are Check's
 * per-test timeouts.
 */
#include "poolutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

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
	uint64_t dropped = 99, seed = pool_seed;

	r->fail_every = 10;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	for (i = 0; i < n; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], (int)(test_rng_next(&seed) % 5));
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
	struct control ctl;

	control_attach(&ctl, g, NULL);
	ck_assert_int_eq(ls_pool_create(g, cfg, &p), 0);
	control_pause(&ctl);
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	for (i = 0; i < n; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], prio[i]);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	/* Still held: nothing may have run. */
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, n);
	ck_assert_uint_eq(s.completed + s.failed, 0);
	ck_assert_uint_eq(atomic_load(&r->next), 0);
	control_resume(&ctl);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ck_assert_uint_eq(atomic_load(&r->next), n);
	ls_pool_destroy(p);
	control_stop(&ctl);
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
	uint64_t seed = pool_seed;
	int prio[N];
	unsigned k;

	for (k = 0; k < N; k++)
		prio[k] = (int)(test_rng_next(&seed) % 8) - 2;
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
	uint64_t seed = pool_seed;
	int prio[N];
	unsigned k;

	for (k = 0; k < N; k++)
		prio[k] = (int)(test_rng_next(&seed) % 7);
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
	struct control ctl;

	control_attach(&ctl, g, NULL);
	for (i = 0; i < 3; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	control_pause(&ctl);
	ck_assert_int_eq(control_settle(&ctl, SETTLE_NS), 0);
	t = rec_make(&a[0], 5);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	/* Let task 0 age by at least 20 priority steps of 1 ms. */
	t0 = ls_clock_ns();
	while (ls_clock_ns() - t0 < 20 * MS)
		test_sleep_ns(20 * MS);
	t = rec_make(&a[1], 0);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	t = rec_make(&a[2], 0);
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	control_resume(&ctl);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(r->order[i], want[i]);
	ls_pool_destroy(p);
	control_stop(&ctl);
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

/* Scale up to max under a burst of held tasks, back down to min after the
 * keep-alive, as the POOL_SCALE events tell (arg workers, aux idle). */
START_TEST(test_scale)
{
	struct ls_pool_config cfg = {
		.name = "scale", .min_workers = 1, .max_workers = 3,
		.capacity = 16, .keep_alive_ns = 20 * MS,
	};
	struct ls_task hold = { .fn = hold_task };
	struct test_evlog log = { 0 };
	struct ls_pool_stats s;
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_pool *p;
	struct test_latch latch;
	uint64_t top = 0, low = UINT64_MAX, arg;
	size_t i, scanned = 0;
	bool grown = false, shrunk = false;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	g = group_new(ring);
	test_latch_init(&latch);
	hold.arg = &latch;
	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	/* Four held tasks: three workers take three, one stays queued. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 3);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.workers, 3);
	ck_assert_uint_eq(s.busy, 3);
	ck_assert_uint_eq(s.depth, 1);
	ck_assert_uint_eq(s.spawned, 3);
	ck_assert_uint_gt(s.scale_up_ns, 0);
	test_latch_open(&latch);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);

	/* Watch the events until the pool is back at its minimum. */
	while (!shrunk) {
		test_evlog_drain(ring, &log);
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
			test_sleep_ns(MS);
	}
	ck_assert_uint_eq(top, 3);
	ck_assert_uint_eq(low, 1);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.workers, 1);
	ck_assert_uint_eq(s.retired, 2);
	ck_assert_uint_eq(s.completed, 4);
	/* Workers said when they went idle and back to work. */
	ck_assert_uint_gt(test_evlog_count(&log, LS_EV_STATE), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_evlog_drain(ring, &log);
	ls_ring_destroy(ring);
	test_latch_destroy(&latch);
	test_evlog_free(&log);
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
			test_sleep_ns(MS);
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
	uint64_t seed = pool_seed ^ ((uint64_t)st->from << 20);
	unsigned i;

	for (i = st->from; i < st->to; i++) {
		struct ls_task t = rec_make(&st->a[i],
					    (int)(test_rng_next(&seed) % 8));
		int rc;

		/* Mostly blocking submits; sometimes try first. */
		if (test_rng_next(&seed) % 4 == 0) {
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
	/* Loop 1: take_many and a deeper queue, so that takes of several
	 * and claims by free workers race the scaling and the keep-alive. */
	struct ls_pool_config cfg = {
		.name = "stress", .min_workers = 1, .max_workers = 4,
		.capacity = _i ? 256 : 16, .keep_alive_ns = MS / 5,
		.take_many = _i,
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

/* What a task saw of the pool when it ran: the tasks its worker and the
 * others held (busy) and the depth of the queue. */
struct seen {
	struct ls_pool *p;
	struct ls_pool_stats st;
};

static int
seen_task(void *arg)
{
	struct seen *s = arg;

	ls_pool_stats(s->p, &s->st);
	return 0;
}

/* Queue hold, then a task that looks, then more - n tasks in all - on a
 * pool of one worker whose first task holds it; open; returns what the
 * look saw. */
static struct ls_pool_stats
look_after_queue_of(unsigned n, bool take_many)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = {
		.name = "take", .min_workers = 1, .max_workers = 1,
		.capacity = 128, .take_many = take_many,
	};
	struct ls_pool *p;
	struct test_latch latch;
	struct seen seen = { .p = NULL }, other_seen = { .p = NULL };
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct ls_task look = { .fn = seen_task, .arg = &seen };
	struct ls_task other = { .fn = seen_task, .arg = &other_seen };
	unsigned i;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	seen.p = other_seen.p = p;
	test_latch_init(&latch);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	ck_assert_int_eq(ls_pool_submit(p, &look, NULL), 0);
	for (i = 2; i < n; i++)
		ck_assert_int_eq(ls_pool_submit(p, &other, NULL), 0);
	test_latch_open(&latch);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&latch);
	return seen.st;
}

/* With take_many, from a deep queue a worker takes several tasks at
 * once: the first of them sees the rest counted busy with it, out of the
 * queue.  63 queued behind the hold, one worker: 63 / POOL_TAKE_DEPTH = 15
 * at once. */
START_TEST(test_takes_several_from_a_deep_queue)
{
	struct ls_pool_stats st = look_after_queue_of(64, true);

	ck_assert_uint_eq(st.busy, 15);
	ck_assert_uint_eq(st.depth, 63 - 15);
}
END_TEST

/* A short queue is taken from one task at a time even with take_many:
 * three queued, one worker - the look holds only itself. */
START_TEST(test_takes_one_from_a_short_queue)
{
	struct ls_pool_stats st = look_after_queue_of(4, true);

	ck_assert_uint_eq(st.busy, 1);
	ck_assert_uint_eq(st.depth, 2);
}
END_TEST

/* Without take_many (every scene's pool), a deep queue too is taken from
 * one task at a time. */
START_TEST(test_takes_one_without_take_many)
{
	struct ls_pool_stats st = look_after_queue_of(64, false);

	ck_assert_uint_eq(st.busy, 1);
	ck_assert_uint_eq(st.depth, 62);
}
END_TEST

/* One task waits for another, queued right behind it, so one worker takes
 * both at once, and every task queued after them waits for the second
 * too.  The other worker must claim the second, not begun, before it
 * takes from the queue: it came off the queue's head, and else both
 * workers wait for ever (here, five seconds). */
struct pair {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool set;
	bool waited_out;	/* the waiter gave up: the pair was stuck */
	bool waiting;		/* the waiter has begun */
	pthread_t waiter, setter;
};

/* Wait until the setter ran, at most five seconds. */
static void
pair_wait_set(struct pair *pr)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&pr->mu);
	while (!pr->set && !pr->waited_out)
		if (pthread_cond_timedwait(&pr->cv, &pr->mu, &until) ==
		    ETIMEDOUT)
			pr->waited_out = true;
	pthread_mutex_unlock(&pr->mu);
}

static int
pair_wait_task(void *arg)
{
	struct pair *pr = arg;

	pthread_mutex_lock(&pr->mu);
	pr->waiter = pthread_self();
	pr->waiting = true;
	pthread_cond_broadcast(&pr->cv);
	pthread_mutex_unlock(&pr->mu);
	pair_wait_set(pr);
	return 0;
}

/* Wait until the waiter has begun (the test's timeout bounds it). */
static void
pair_wait_waiting(struct pair *pr)
{
	pthread_mutex_lock(&pr->mu);
	while (!pr->waiting)
		pthread_cond_wait(&pr->cv, &pr->mu);
	pthread_mutex_unlock(&pr->mu);
}

static int
pair_after_task(void *arg)
{
	pair_wait_set(arg);
	return 0;
}

static int
pair_set_task(void *arg)
{
	struct pair *pr = arg;

	pthread_mutex_lock(&pr->mu);
	pr->setter = pthread_self();
	pr->set = true;
	pthread_cond_broadcast(&pr->cv);
	pthread_mutex_unlock(&pr->mu);
	return 0;
}

/*
 * The pair behind two held workers, as above.  With blocker_first, a task
 * that holds its worker comes first: the worker freed first takes it with
 * the waiter, the setter and more, and blocks in it; the other worker,
 * freed next, claims the waiter.  Once the blocker opens, its worker must
 * claim the setter, the next in order, not a later task: taken tasks start
 * in their order, whichever worker runs them.  A free worker that claimed
 * several at once (the waiter and the setter) would leave the setter
 * behind its waiter, and both workers stuck.
 */
static void
pair_through_takes(bool blocker_first)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool_config cfg = {
		.name = "claim", .min_workers = 2, .max_workers = 2,
		.capacity = 128, .take_many = true,
	};
	struct ls_pool *p;
	struct test_latch first, second, blocker;
	struct pair pr = { .set = false };
	struct ls_task hold1 = { .fn = hold_task, .arg = &first };
	struct ls_task hold2 = { .fn = hold_task, .arg = &second };
	struct ls_task block = { .fn = hold_task, .arg = &blocker };
	struct ls_task wait = { .fn = pair_wait_task, .arg = &pr };
	struct ls_task set = { .fn = pair_set_task, .arg = &pr };
	struct ls_task after = { .fn = pair_after_task, .arg = &pr };
	unsigned i = 0;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	pthread_mutex_init(&pr.mu, NULL);
	pthread_cond_init(&pr.cv, NULL);
	test_latch_init(&first);
	test_latch_init(&second);
	test_latch_init(&blocker);
	ck_assert_int_eq(ls_pool_submit(p, &hold1, NULL), 0);
	test_latch_wait_arrived(&first, 1);
	ck_assert_int_eq(ls_pool_submit(p, &hold2, NULL), 0);
	test_latch_wait_arrived(&second, 1);
	/* 62 queued: the worker freed first takes 62 / 8 = 7 of them, the
	 * waiter and the setter among them. */
	if (blocker_first) {
		ck_assert_int_eq(ls_pool_submit(p, &block, NULL), 0);
		i++;
	}
	ck_assert_int_eq(ls_pool_submit(p, &wait, NULL), 0);
	ck_assert_int_eq(ls_pool_submit(p, &set, NULL), 0);
	for (i += 2; i < 62; i++)
		ck_assert_int_eq(ls_pool_submit(p, &after, NULL), 0);
	test_latch_open(&first);
	if (blocker_first) {
		test_latch_wait_arrived(&blocker, 1);
		test_latch_open(&second);
		pair_wait_waiting(&pr);
		test_latch_open(&blocker);
	} else {
		test_latch_open(&second);
	}
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_msg(!pr.waited_out, "a taken task waited behind its "
		      "take-mate while a worker ran another");
	ck_assert(pr.set);
	ck_assert(!pthread_equal(pr.waiter, pr.setter));
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&first);
	test_latch_destroy(&second);
	test_latch_destroy(&blocker);
	pthread_cond_destroy(&pr.cv);
	pthread_mutex_destroy(&pr.mu);
}

START_TEST(test_free_worker_claims_a_taken_task)
{
	pair_through_takes(false);
}
END_TEST

START_TEST(test_taken_tasks_start_in_order)
{
	pair_through_takes(true);
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

	tc = tcase_create("take");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_takes_several_from_a_deep_queue);
	tcase_add_test(tc, test_takes_one_from_a_short_queue);
	tcase_add_test(tc, test_takes_one_without_take_many);
	tcase_add_test(tc, test_free_worker_claims_a_taken_task);
	tcase_add_test(tc, test_taken_tasks_start_in_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_min_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_stress, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	pool_seed_init("check_pool");
	return test_run_suite(pool_suite());
}
