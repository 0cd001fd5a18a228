/*
 * check_bench_pool.c - the pool trials of `lockstep bench pool` run at
 * every thread count the command accepts: with events on, every worker
 * and the submitter need a lane of the trial's ring, so its size must
 * follow the thread count (--threads 64 used to fail on a ring of 64
 * lanes for 65 threads).  Figures are not judged here, only that a trial
 * completes.
 */
#include "checkutil.h"

#include "cli/bench-pool.h"

/* The bounds of what `--threads` accepts (1 to 64), and their neighbours. */
static const unsigned counts[] = { 1, 2, 63, 64 };

START_TEST(test_trial_every_thread_count)
{
	unsigned w = counts[_i];
	uint64_t drops = 1;
	double rate;

	rate = pool_trial(w, 2000, WORK_NOOP, PRIO_EQUAL, true, &drops);
	ck_assert_msg(rate > 0, "%u workers, events on: %g", w, rate);
	rate = pool_trial(w, 2000, WORK_NOOP, PRIO_RANDOM, false, NULL);
	ck_assert_msg(rate > 0, "%u workers, events off: %g", w, rate);
}
END_TEST

static Suite *
bench_pool_suite(void)
{
	Suite *s = suite_create("bench_pool");
	TCase *tc = tcase_create("trial");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_trial_every_thread_count, 0,
			    sizeof(counts) / sizeof(counts[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(bench_pool_suite());
}
