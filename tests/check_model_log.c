/*
 * check_model_log.c - unit tests of what the model says happened: the
 * event log (what it keeps, in which order) and the outcomes scenes
 * report.
 */
#include "checkutil.h"

#include <stdint.h>
#include <string.h>

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

/* Outcomes: the first stays, the latest follows, NONE is no outcome. */
START_TEST(test_outcomes)
{
	struct model_outcome first, last;
	uint64_t ts1, ts3;

	memset(&first, 0xa5, sizeof(first));
	ck_assert_uint_eq(model_outcomes(M, &first, &last), 0);
	ck_assert_uint_eq(first.kind, 0xa5a5a5a5u);	/* untouched */
	model_name_object(M, 50, LS_OBJ_VAR, "balance");
	feed(2, LS_EV_OUTCOME, 0, LS_OUT_NONE, 2);
	ck_assert_uint_eq(model_outcomes(M, NULL, NULL), 0);
	feed(2, LS_EV_OUTCOME, 50, LS_OUT_LOST_UPDATE, 2);
	ts1 = feed_ts;
	ck_assert_uint_eq(model_outcomes(M, &first, &last), 1);
	ck_assert_uint_eq(first.kind, LS_OUT_LOST_UPDATE);
	ck_assert_uint_eq(first.obj, 50);
	ck_assert_uint_eq(first.tid, 2);
	ck_assert_uint_eq(first.ts, ts1);
	ck_assert_mem_eq(&first, &last, sizeof(first));
	/* Emitted by one thread about another (aux). */
	feed(9, LS_EV_OUTCOME, 0, LS_OUT_DEADLOCK, 3);
	feed(1, LS_EV_OUTCOME, 50, LS_OUT_INVARIANT, 1);
	ts3 = feed_ts;
	ck_assert_uint_eq(model_outcomes(M, &first, &last), 3);
	ck_assert_uint_eq(first.kind, LS_OUT_LOST_UPDATE);
	ck_assert_uint_eq(first.ts, ts1);
	ck_assert_uint_eq(last.kind, LS_OUT_INVARIANT);
	ck_assert_uint_eq(last.tid, 1);
	ck_assert_uint_eq(last.obj, 50);
	ck_assert_uint_eq(last.ts, ts3);
	model_outcomes(M, NULL, &last);
	ck_assert_uint_eq(last.kind, LS_OUT_INVARIANT);
	/* A thread's outcome is an event like any: no state changes. */
	ck_assert_uint_eq(thr(9)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(9)->last_kind, LS_EV_OUTCOME);
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
	tcase_add_test(tc, test_outcomes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_log_suite());
}
