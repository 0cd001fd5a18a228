/*
 * check_thread_cache.c - a thread cache runs engine threads on threads it
 * keeps: round after round of spawns and joins (some cancelled while they
 * wait) never has more threads than jobs at once, every function runs once
 * with its argument, and destroying the cache leaves the process with the
 * threads it had; a name spawned again runs on the thread that ran it.
 */
#include "checkutil.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "lockstep/ring.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"

#define PER_ROUND 3

struct job {
	atomic_int ran;
	struct ls_sem *never;	/* posted by nobody: a wait only a cancel ends */
	int cancelled;		/* set by the job: its wait was cancelled */
};

static void
job_main(void *p)
{
	struct job *j = p;

	atomic_fetch_add(&j->ran, 1);
	if (j->never && ls_sem_wait(j->never) == -ECANCELED)
		j->cancelled = 1;
}

START_TEST(test_rounds_reuse_threads)
{
	unsigned long rounds = test_size("CACHE_ROUNDS", 2000, 200), r;
	unsigned before = test_task_baseline(), peak = 0, n;
	struct ls_ring *ring = test_ring_new(64, 16);
	struct ls_thread_cache *cache;
	struct ls_sem *never;
	struct job jobs[PER_ROUND];
	unsigned i;

	ck_assert_int_eq(ls_thread_cache_create(&cache), 0);
	ck_assert_int_eq(ls_sem_create(ring, "never", 0, &never), 0);
	for (r = 0; r < rounds; r++) {
		struct ls_group *g;
		bool cancel = r % 4 == 3;

		ck_assert_int_eq(ls_group_create(ring, "round", &g), 0);
		ls_group_use_cache(g, cache);
		for (i = 0; i < PER_ROUND; i++) {
			atomic_init(&jobs[i].ran, 0);
			jobs[i].never = cancel ? never : NULL;
			jobs[i].cancelled = 0;
			ck_assert_int_eq(ls_thread_spawn(g, "job", job_main,
							 &jobs[i]), 0);
		}
		if (cancel) {
			/* Every job in its wait, then the cancel ends it. */
			for (i = 0; i < PER_ROUND; i++)
				while (!atomic_load(&jobs[i].ran))
					test_sleep_ns(10000);
			ls_group_cancel(g);
		}
		ls_group_join(g);
		ls_group_destroy(g);
		for (i = 0; i < PER_ROUND; i++) {
			ck_assert_int_eq(atomic_load(&jobs[i].ran), 1);
			ck_assert_int_eq(jobs[i].cancelled, cancel);
		}
		/* Drained, so lanes and tids come back. */
		{
			struct ls_event buf[64];

			while (ls_ring_drain(ring, buf, 64))
				;
		}
		/* Never more threads than jobs at once: after the first
		 * rounds every spawn finds an idle one. */
		n = test_task_count();
		if (n > peak)
			peak = n;
		ck_assert_uint_le(n, before + PER_ROUND);
	}
	ck_assert_uint_gt(peak, before);
	ls_thread_cache_destroy(cache);
	test_tasks_back_to(before);
	ls_sem_destroy(never);
	ls_ring_destroy(ring);
}
END_TEST

/* A job that notes the OS thread it ran on and that thread's name, and
 * returns only once every job of its round has started: so each runs on
 * a worker of its own (a job done before the next is spawned would hand
 * its worker on, and the round would not say which worker a name gets). */
struct named_job {
	pthread_t pt;
	char comm[16];
	atomic_uint *started;
};

static void
named_main(void *p)
{
	struct named_job *j = p;

	j->pt = pthread_self();
	ck_assert_int_eq(pthread_getname_np(j->pt, j->comm, sizeof(j->comm)),
			 0);
	atomic_fetch_add(j->started, 1);
	while (atomic_load(j->started) < PER_ROUND)
		sched_yield();
}

/*
 * A restarted scene spawns the same names again, in whatever order: each
 * name goes back to the OS thread that ran it last (which then needs no
 * renaming), and that thread carries the name.
 */
START_TEST(test_names_follow_workers)
{
	static const char *const names[PER_ROUND] = { "alpha", "beta",
						      "gamma" };
	struct ls_ring *ring = test_ring_new(64, 16);
	struct named_job jobs[PER_ROUND], last[PER_ROUND];
	struct ls_thread_cache *cache;
	struct ls_event buf[64];
	unsigned r, i, k;

	ck_assert_int_eq(ls_thread_cache_create(&cache), 0);
	for (r = 0; r < 12; r++) {
		struct ls_group *g;
		atomic_uint started;

		atomic_init(&started, 0);
		ck_assert_int_eq(ls_group_create(ring, "round", &g), 0);
		ls_group_use_cache(g, cache);
		/* A different order each round. */
		for (k = 0; k < PER_ROUND; k++) {
			i = (k * (r % 2 ? 2 : 1) + r) % PER_ROUND;
			jobs[i].started = &started;
			ck_assert_int_eq(ls_thread_spawn(g, names[i],
							 named_main,
							 &jobs[i]), 0);
		}
		ls_group_join(g);
		ls_group_destroy(g);
		for (i = 0; i < PER_ROUND; i++) {
			ck_assert_str_eq(jobs[i].comm, names[i]);
			if (r)
				ck_assert_msg(pthread_equal(jobs[i].pt,
							    last[i].pt),
					      "round %u: %s moved to another "
					      "thread", r, names[i]);
			last[i] = jobs[i];
		}
		while (ls_ring_drain(ring, buf, 64))
			;
	}
	ls_thread_cache_destroy(cache);
	ls_ring_destroy(ring);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("thread_cache");
	TCase *tc = tcase_create("cache");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rounds_reuse_threads);
	tcase_add_test(tc, test_names_follow_workers);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
