/*
 * check_model_sync.c - unit tests of the model's fold of the newer waits,
 * fed by hand as the engine emits them: timed lock waits that close no
 * deadlock, while the lock order still learns from them.
 */
#include "checkutil.h"

#include <stdint.h>
#include <string.h>

#include "model/model.h"
#include "modelutil.h"

static void
name_cast(void)
{
	model_name_thread(M, 1, "alice");
	model_name_thread(M, 2, "bob");
	model_name_thread(M, 3, "carol");
	model_name_object(M, MU, LS_OBJ_MUTEX, "m");
	model_name_object(M, MU2, LS_OBJ_MUTEX, "B");
	model_name_object(M, MU3, LS_OBJ_MUTEX, "C");
}

/* A timed lock wait gives up: a cycle through one is no deadlock, but
 * the orders it took are an inversion all the same. */
START_TEST(test_timed_waits)
{
	struct model_wait_edge e[4];
	struct model_cycle c;

	name_cast();
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_LOCK_ACQUIRED, MU2, 0, 0);
	feed(1, LS_EV_LOCK_WAIT, MU2, 0, 1);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 1);
	ck_assert(thr(1)->wait_timed && thr(2)->wait_timed);
	ck_assert(!model_deadlock(M, NULL));
	ck_assert_uint_eq(model_deadlocks(M), 0);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	/* The edges are drawn, holders and all, and say they give up. */
	ck_assert_uint_eq(model_wait_edges(M, e, 4), 2);
	ck_assert(e[0].timed && e[1].timed);
	ck_assert_uint_eq(e[0].nholders, 1);
	ck_assert_uint_eq(e[0].holder[0], 2);

	/* One timed wait is enough to break the cycle. */
	feed(1, LS_EV_LOCK_TIMEOUT, MU2, 5000, 0);
	ck_assert(!thr(1)->wait_timed);
	feed(1, LS_EV_LOCK_WAIT, MU2, 0, 0);
	ck_assert(!model_deadlock(M, NULL));
	/* bob gives up and waits again, untimed: now it is a deadlock. */
	feed(2, LS_EV_LOCK_TIMEOUT, MU, 5000, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(model_deadlocks(M), 1);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	feed(2, LS_EV_CANCELLED, MU, 0, 0);
	feed(1, LS_EV_CANCELLED, MU2, 0, 0);
	ck_assert(!model_deadlock(M, NULL));

	/* Three threads: the one timed wait in the middle breaks it, and
	 * whoever closes the cycle finds none. */
	feed(3, LS_EV_LOCK_ACQUIRED, MU3, 0, 0);
	feed(2, LS_EV_LOCK_WAIT, MU3, 0, 1);
	feed(3, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(1, LS_EV_LOCK_WAIT, MU2, 0, 0);
	ck_assert(!model_deadlock(M, NULL));
	ck_assert_uint_eq(model_deadlocks(M), 1);
	feed(2, LS_EV_LOCK_TIMEOUT, MU3, 5000, 0);
	feed(2, LS_EV_LOCK_WAIT, MU3, 0, 0);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(model_deadlocks(M), 2);
}
END_TEST

static Suite *
model_sync_suite(void)
{
	Suite *s = suite_create("model_sync");
	TCase *tc = tcase_create("fold");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timed_waits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_sync_suite());
}
