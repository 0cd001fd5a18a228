/*
 * check_park.c - a cancel that lands inside a park, every time: between
 * the park's look at the cancel flag and its sleep (where 0: it must see
 * the flag on its re-check after it announced the sleep) and between that
 * re-check and the sleep itself (where 1: cancel takes the sleep word
 * back, so the sleep returns at once).  A park that missed either would
 * sleep its hour and the suite's timeout would fail it.  park.c is
 * compiled in with LS_ENGINE_TEST_HOOK, which the library's copy lacks.
 */
#include "checkutil.h"

#include <errno.h>
#include <semaphore.h>

#include "lockstep/thread.h"

struct ls_thread;
extern void (*thread_park_test_hook)(struct ls_thread *self, int where);

static sem_t at_window, cancelled;
static atomic_int want_where, fired;
static int sleep_rc;

/* In the parking thread: at the chosen place, once, have the main thread
 * cancel the group and wait until it has. */
static void
park_hook(struct ls_thread *self, int where)
{
	(void)self;
	if (where != atomic_load(&want_where) || atomic_exchange(&fired, 1))
		return;
	ck_assert_int_eq(sem_post(&at_window), 0);
	while (sem_wait(&cancelled))
		ck_assert_int_eq(errno, EINTR);
}

static void
sleeper_main(void *arg)
{
	(void)arg;
	sleep_rc = ls_thread_sleep(3600ull * 1000000000ull);
}

START_TEST(test_cancel_inside_park)
{
	struct ls_group *g;

	ck_assert_int_eq(sem_init(&at_window, 0, 0), 0);
	ck_assert_int_eq(sem_init(&cancelled, 0, 0), 0);
	atomic_store(&want_where, _i);
	atomic_store(&fired, 0);
	sleep_rc = 1;
	thread_park_test_hook = park_hook;
	ck_assert_int_eq(ls_group_create(NULL, "park", &g), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "sleeper", sleeper_main, NULL), 0);
	while (sem_wait(&at_window))
		ck_assert_int_eq(errno, EINTR);
	ls_group_cancel(g);
	ck_assert_int_eq(sem_post(&cancelled), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(atomic_load(&fired), 1);
	ck_assert_int_eq(sleep_rc, -ECANCELED);
	thread_park_test_hook = NULL;
	ls_group_destroy(g);
	sem_destroy(&at_window);
	sem_destroy(&cancelled);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("park");
	TCase *tc = tcase_create("cancel");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_cancel_inside_park, 0, 2);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
