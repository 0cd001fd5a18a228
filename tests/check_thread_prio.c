/*
 * check_thread_prio.c - ls_thread_set_background: engine threads started
 * after it run below the process's other threads (SCHED_IDLE, or nice 19
 * where that is refused), those started before it and the caller keep
 * their priority.  Each test runs in its own process (Check forks), since
 * the switch is one way.
 */
#include "checkutil.h"

#include <sched.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lockstep/thread.h"

struct prio_seen {
	atomic_int policy;
	atomic_int nice;
};

static void
prio_main(void *p)
{
	struct prio_seen *s = p;

	atomic_store(&s->policy, sched_getscheduler(0));
	atomic_store(&s->nice, getpriority(PRIO_PROCESS,
					   (id_t)syscall(SYS_gettid)));
}

/* Spawn one engine thread in a fresh group and see its priority. */
static struct prio_seen
prio_of_new_thread(void)
{
	struct prio_seen s = { .policy = -1, .nice = -100 };
	struct ls_group *g;

	ck_assert_int_eq(ls_group_create(NULL, "prio", &g), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "prio", prio_main, &s), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ls_group_destroy(g);
	return s;
}

static bool
is_background(const struct prio_seen *s)
{
	return atomic_load(&s->policy) == SCHED_IDLE ||
	       atomic_load(&s->nice) == 19;
}

START_TEST(test_foreground_by_default)
{
	struct prio_seen s = prio_of_new_thread();

	ck_assert_int_eq(atomic_load(&s.policy), sched_getscheduler(0));
	ck_assert(!is_background(&s));
}
END_TEST

START_TEST(test_background_after_the_switch)
{
	struct prio_seen before = prio_of_new_thread(), after;

	ck_assert(!is_background(&before));
	ls_thread_set_background();
	after = prio_of_new_thread();
	ck_assert(is_background(&after));
	/* The caller keeps its own. */
	ck_assert_int_ne(sched_getscheduler(0), SCHED_IDLE);
	ck_assert_int_ne(getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)),
			 19);
}
END_TEST

START_TEST(test_cached_threads_go_too)
{
	struct ls_thread_cache *c;
	struct prio_seen s = { .policy = -1, .nice = -100 };
	struct ls_group *g;
	unsigned i;

	ck_assert_int_eq(ls_thread_cache_create(&c), 0);
	/* A cached thread that ran before the switch goes to the
	 * background when it next runs an engine thread. */
	for (i = 0; i < 2; i++) {
		if (i == 1)
			ls_thread_set_background();
		ck_assert_int_eq(ls_group_create(NULL, "prio", &g), 0);
		ls_group_use_cache(g, c);
		ck_assert_int_eq(ls_thread_spawn(g, "prio", prio_main, &s), 0);
		ck_assert_int_eq(ls_group_join(g), 0);
		ls_group_destroy(g);
		ck_assert(is_background(&s) == (i == 1));
	}
	ls_thread_cache_destroy(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("thread_prio");
	TCase *tc = tcase_create("prio");

	tcase_add_test(tc, test_foreground_by_default);
	tcase_add_test(tc, test_background_after_the_switch);
	tcase_add_test(tc, test_cached_threads_go_too);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
