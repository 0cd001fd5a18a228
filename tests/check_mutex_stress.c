/*
 * check_mutex_stress.c - the mutex under seeded random timing: mutual
 * exclusion of a counter, and the model-order rule (no LOCK_ACQUIRED
 * while another thread's ACQUIRED has no RELEASED) replayed many times.
 *
 * Sizes: LS_MUTEX_THREADS, LS_MUTEX_ITERS, LS_MUTEX_ROUNDS,
 * LS_MUTEX_ROUND_ITERS.  LS_SEED=n replays the random timing of a failure
 * (every stress failure prints its seed).
 */
#include "mutexutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/* Stress. */

struct counter {
	struct ls_mutex *m;
	unsigned long iters;
	uint64_t seed;
	int value;		/* plain int: only m protects it */
	atomic_int errors;	/* lock/unlock that returned non-zero */
	atomic_int inside;	/* threads between lock and unlock */
	atomic_int overlap;	/* times inside exceeded 1 */
};

struct counter_arg {
	struct counter *c;
	unsigned i;
};

static void
counter_worker(void *p)
{
	struct counter_arg *a = p;
	struct counter *c = a->c;
	uint64_t rng = c->seed ^ (0x9e3779b97f4a7c15ull * (a->i + 1));
	unsigned long k;
	int v;

	for (k = 0; k < c->iters; k++) {
		test_jitter(&rng);
		if (ls_mutex_lock(c->m)) {
			atomic_fetch_add(&c->errors, 1);
			continue;
		}
		if (atomic_fetch_add(&c->inside, 1) != 0)
			atomic_fetch_add(&c->overlap, 1);
		/* Read, maybe get preempted, write: a lost update if the
		 * mutex did not exclude. */
		v = c->value;
		test_jitter(&rng);
		c->value = v + 1;
		atomic_fetch_sub(&c->inside, 1);
		if (ls_mutex_unlock(c->m))
			atomic_fetch_add(&c->errors, 1);
	}
}

/* N threads x M increments of a plain int; _i selects no ring or a ring
 * (the emitting path, drops included, must not change the outcome). */
START_TEST(test_counter)
{
	unsigned long nthreads = test_size("LS_MUTEX_THREADS", 4, 3);
	unsigned long iters = test_size("LS_MUTEX_ITERS", 20000, 2000);
	struct ls_ring *r = _i ? test_ring_new(1024, 64) : NULL;
	struct counter c = { .iters = iters, .seed = test_env_seed("LS_SEED") };
	struct counter_arg *args = calloc(nthreads, sizeof(*args));
	struct ls_group *g;
	unsigned i;

	ck_assert_ptr_nonnull(args);
	ck_assert_int_eq(ls_mutex_create(r, "counter", &c.m), 0);
	atomic_init(&c.errors, 0);
	atomic_init(&c.inside, 0);
	atomic_init(&c.overlap, 0);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	for (i = 0; i < nthreads; i++) {
		args[i] = (struct counter_arg){ &c, i };
		ck_assert_int_eq(ls_thread_spawn(g, "inc", counter_worker,
						 &args[i]),
				 0);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_msg(c.value == (int)(nthreads * iters) &&
			      atomic_load(&c.overlap) == 0 &&
			      atomic_load(&c.errors) == 0,
		      "count %d want %lu, overlap %d, errors %d "
		      "(seed %" PRIu64 "; replay with LS_SEED=%" PRIu64 ")",
		      c.value, nthreads * iters, atomic_load(&c.overlap),
		      atomic_load(&c.errors), c.seed, c.seed);
	ck_assert_uint_eq(ls_mutex_owner(c.m), 0);
	ck_assert_uint_eq(ls_mutex_waiters(c.m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(c.m);
	if (r)
		ls_ring_destroy(r);
	free(args);
}
END_TEST

/* Fold LOCK_ACQUIRED/RELEASED of obj as the model does: no ACQUIRED while
 * another holds it, RELEASED only by the holder.  Returns the index of
 * the first bad event, or -1; counts acquisitions in *acq. */
struct owner_model {
	unsigned holder;
	unsigned long acq;
};

static long
model_fold(struct owner_model *om, const struct ls_event *ev, size_t n,
	   uint32_t obj)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ev[i].obj != obj)
			continue;
		if (ev[i].kind == LS_EV_LOCK_ACQUIRED) {
			if (om->holder)
				return (long)i;
			om->holder = ev[i].tid;
			om->acq++;
		} else if (ev[i].kind == LS_EV_LOCK_RELEASED) {
			if (om->holder != ev[i].tid)
				return (long)i;
			om->holder = 0;
		}
	}
	return -1;
}

START_TEST(test_model_order)
{
	unsigned long rounds = test_size("LS_MUTEX_ROUNDS", 40, 8);
	unsigned long iters = test_size("LS_MUTEX_ROUND_ITERS", 2000, 300);
	const unsigned nthreads = 2;
	uint64_t seed = test_env_seed("LS_SEED");
	struct ls_event *ev = malloc(EV_MAX * sizeof(*ev));
	uint32_t lane_events = 16;
	unsigned long round;

	ck_assert_ptr_nonnull(ev);
	/* Room for every event of a thread: a drop would blind the check. */
	while (lane_events < 3 * iters + 16)
		lane_events *= 2;
	for (round = 0; round < rounds; round++) {
		struct ls_ring *r = test_ring_new(lane_events, 64);
		struct counter c = { .iters = iters, .seed = seed + round };
		struct counter_arg args[2];
		struct owner_model om = { 0, 0 };
		struct ls_group *g;
		struct timespec pace = { 0, 100000 };
		long bad = -1;
		unsigned i;
		size_t n;

		ck_assert_int_eq(ls_mutex_create(r, "m", &c.m), 0);
		atomic_init(&c.errors, 0);
		atomic_init(&c.inside, 0);
		atomic_init(&c.overlap, 0);
		ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
		for (i = 0; i < nthreads; i++) {
			args[i] = (struct counter_arg){ &c, i };
			ck_assert_int_eq(ls_thread_spawn(g, "T",
							 counter_worker,
							 &args[i]),
					 0);
		}
		/* Drain while they run: the watermark is what is tested. */
		while (ls_group_live(g) && bad < 0) {
			n = ls_ring_drain(r, ev, EV_MAX);
			bad = model_fold(&om, ev, n, ls_mutex_id(c.m));
			if (!n)
				nanosleep(&pace, NULL);
		}
		ck_assert_int_eq(ls_group_join(g), 0);
		while (bad < 0 && (n = ls_ring_drain(r, ev, EV_MAX)) > 0)
			bad = model_fold(&om, ev, n, ls_mutex_id(c.m));
		ck_assert_msg(bad < 0,
			      "round %lu: event %ld (%s by T%u) breaks the "
			      "owner rule, holder T%u (seed %" PRIu64
			      "; LS_SEED=%" PRIu64 ")",
			      round, bad, ls_event_kind_name(ev[bad].kind),
			      ev[bad].tid, om.holder, seed, seed);
		ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
		ck_assert_uint_eq(om.acq, nthreads * iters);
		ck_assert_uint_eq(om.holder, 0);
		ck_assert_int_eq(c.value, (int)(nthreads * iters));
		ls_group_destroy(g);
		ls_mutex_destroy(c.m);
		ls_ring_destroy(r);
	}
	free(ev);
}
END_TEST

static Suite *
mutex_stress_suite(void)
{
	Suite *s = suite_create("mutex_stress");
	TCase *tc;

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_counter, 0, 2);
	tcase_add_test(tc, test_model_order);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(mutex_stress_suite());
}
