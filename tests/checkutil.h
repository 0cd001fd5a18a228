/*
 * checkutil.h - the Check half of the test helpers: ring set-up that
 * asserts, bounded waits that fail the test, and the suite runner.  Every
 * Check suite includes this; programs without Check (stress) include
 * testutil.h alone.
 */
#ifndef LOCKSTEP_CHECKUTIL_H
#define LOCKSTEP_CHECKUTIL_H

#include "testutil.h"

#include "control/control.h"

#include <check.h>
#include <dirent.h>
#include <pthread.h>

/* A new ring of max_lanes lanes of lane_events events; asserts. */
static inline struct ls_ring *
test_ring_new(uint32_t lane_events, uint32_t max_lanes)
{
	struct ls_ring_config cfg = {
		.lane_events = lane_events,
		.max_lanes = max_lanes,
	};
	struct ls_ring *r = NULL;

	ck_assert_int_eq(ls_ring_create(&cfg, &r), 0);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Every event drained from a ring, in a growing array. */
struct test_evlog {
	struct ls_event *ev;
	size_t n, cap;
};

/* Move every event r has ready now into log; asserts on memory. */
static inline void
test_evlog_drain(struct ls_ring *r, struct test_evlog *log)
{
	size_t k;

	do {
		if (log->cap - log->n < 1024) {
			log->cap = log->cap ? 2 * log->cap : 8192;
			log->ev = realloc(log->ev, log->cap * sizeof(*log->ev));
			ck_assert_ptr_nonnull(log->ev);
		}
		k = ls_ring_drain(r, log->ev + log->n, log->cap - log->n);
		log->n += k;
	} while (k);
}

/* How many events of kind the log holds. */
static inline size_t
test_evlog_count(const struct test_evlog *log, unsigned kind)
{
	size_t i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->ev[i].kind == kind;
	return n;
}

static inline void
test_evlog_free(struct test_evlog *log)
{
	free(log->ev);
	*log = (struct test_evlog){ .ev = NULL };
}

/* The threads of this process now, from /proc/self/task; asserts. */
static inline unsigned
test_task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * A joined thread can stay in /proc/self/task for a moment (the kernel
 * wakes the joiner when the thread clears its tid, shortly before it takes
 * the task off the list); a leaked thread never goes.  Hence these waits.
 */

/* test_task_count() once it is down to want, or after about 2 s. */
static inline unsigned
test_task_count_settled(unsigned want)
{
	unsigned n, tries;

	for (tries = 0; (n = test_task_count()) > want && tries < 2000;
	     tries++)
		test_sleep_ns(1000000);
	return n;
}

/* Wait (Check's timeout bounds it) for the count to be before; < fails. */
static inline void
test_tasks_back_to(unsigned before)
{
	unsigned n;

	while ((n = test_task_count()) != before) {
		ck_assert_uint_gt(n, before);
		test_sleep_ns(100000);
	}
}

/* The start routine of test_task_baseline's thread. */
static inline void *
test_noop_main(void *p)
{
	return p;
}

/*
 * The count to come back to, after one thread: ThreadSanitizer adds a
 * thread of its own at the first pthread_create, and the joined thread
 * may linger in /proc/self/task for a moment, so wait for it to leave
 * (the count before, or one more when TSan's thread came).
 */
static inline unsigned
test_task_baseline(void)
{
	unsigned n0 = test_task_count(), tries;
	pthread_t pt;

	ck_assert_int_eq(pthread_create(&pt, NULL, test_noop_main, NULL), 0);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	for (tries = 0; test_task_count() != n0 && tries < 50; tries++)
		test_sleep_ns(1000000);
	return test_task_count_settled(n0 + 1);
}

/* Bound for waits on a group that end at once unless the engine is
 * broken: long, so that a loaded machine never fails a test by time. */
#define TEST_SETTLE_NS (20ull * 1000000000u)

/* What c's member named name can do, once the group rests; fails the
 * test when there is none.  The controller's thread only. */
static inline struct control_thread
test_view_named(struct control *c, const char *name)
{
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t n, i;

	ck_assert_int_eq(control_settle(c, TEST_SETTLE_NS), 0);
	n = control_threads(c, t, CONTROL_MAX_THREADS);
	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i];
	ck_abort_msg("no member %s", name);
	return t[0];
}

/* Step c's member named name one gate (or fire its held timeout) and
 * wait until the group rests again (a sleeping member is not rest).  The
 * controller's thread only. */
static inline void
test_step_named(struct control *c, const char *name)
{
	char err[128] = "";

	/* A member just spawned may still be on its way to its first
	 * gate: rest first, so the step finds it there. */
	ck_assert_int_eq(control_settle(c, TEST_SETTLE_NS), 0);
	ck_assert_msg(control_step_named(c, name, TEST_SETTLE_NS, err,
					 sizeof(err)) == 0,
		      "step %s: %s", name, err);
}

/* Run a suite with Check's defaults (forked, CK_* environment honoured)
 * and turn the result into an exit status. */
static inline int
test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
