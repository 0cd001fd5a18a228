/*
 * check_model_log.c - unit tests of the model's event log: what it keeps
 * and in which order.
 */
#include "checkutil.h"

#include <stdint.h>

#include "model/model.h"
#include "modelutil.h"

START_TEST(test_recent_log)
{
	struct ls_event out[MODEL_LOG + 10];
	unsigned i;
	size_t n;

	ck_assert_uint_eq(model_recent(M, out, 10), 0);
	for (i = 0; i < 300; i++)
		feed(1, LS_EV_MARK, 0, i, 0);
	n = model_recent(M, out, 10);
	ck_assert_uint_eq(n, 10);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(out[i].arg, 290 + i);
	n = model_recent(M, out, MODEL_LOG + 10);
	ck_assert_uint_eq(n, MODEL_LOG);
	ck_assert_uint_eq(out[0].arg, 300 - MODEL_LOG);
	ck_assert_uint_eq(out[MODEL_LOG - 1].arg, 299);
	ck_assert_uint_eq(M->first_ts, 1001000);
	ck_assert_uint_eq(M->now, feed_ts);
}
END_TEST

static Suite *
model_log_suite(void)
{
	Suite *s = suite_create("model_log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_recent_log);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_log_suite());
}
