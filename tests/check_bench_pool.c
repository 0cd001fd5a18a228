/*
 * check_bench_pool.c - the pool trials of `lockstep bench pool` run at
 * every thread count the command accepts: with events on, every worker
 * and the submitter need a lane of the trial's ring, so its size must
 * follow the thread count (--threads 64 used to fail on a ring of 64
 * lanes for 65 threads).  Figures are not judged here, only that a trial
 * completes.  And the shared printer: a ratio of nothing (a trial too
 * short to deliver an event divides zero by zero) reads "n/a", and JSON
 * gets null, never "nan".
 */
#include "checkutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/bench.h"
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

/* What bench_print wrote on stdout, in buf. */
static void
print_to(char *buf, size_t len, const struct bench_opts *o,
	 const struct bench_ratio *r, size_t nr)
{
	FILE *f = tmpfile();
	int saved;
	size_t n;

	ck_assert_ptr_nonnull(f);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(f), STDOUT_FILENO), 0);
	bench_print(o, "t", NULL, 0, r, nr, NULL);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

START_TEST(test_ratio_of_nothing)
{
	struct bench_opts o = { .runs = 1, .threads = 1 };
	struct bench_ratio r[2] = {
		{ .name = "zero over zero", .value = 0.0,
		  .target = ">= 3", .met = false },
		{ .name = "two", .value = 2.0, .target = ">= 1", .met = true },
	};
	char out[2048];

	r[0].value = NAN;
	print_to(out, sizeof(out), &o, r, 2);
	ck_assert_msg(!strstr(out, "nan"), "%s", out);
	ck_assert_msg(strstr(out, "n/a") && strstr(out, "not measured"), "%s",
		      out);
	ck_assert_msg(strstr(out, "2.00x") && strstr(out, "met\n"), "%s", out);
	o.json = true;
	r[0].value = INFINITY;
	r[0].met = true;	/* an infinite ratio is not a met goal */
	print_to(out, sizeof(out), &o, r, 2);
	ck_assert_msg(!strstr(out, "inf") && !strstr(out, "nan"), "%s", out);
	ck_assert_msg(strstr(out, "\"value\": null, \"target\": \">= 3\", "
			      "\"met\": false"),
		      "%s", out);
	ck_assert_msg(strstr(out, "\"value\": 2, "), "%s", out);
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
	tc = tcase_create("print");
	tcase_add_test(tc, test_ratio_of_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(bench_pool_suite());
}
