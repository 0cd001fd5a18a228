/*
 * check_clock.c - the tick clock: which source is chosen and how the
 * environment forces either, per-thread monotonicity, conversions bracketed
 * by CLOCK_MONOTONIC reads, durations, and switching sources.  The
 * environment is read before main, so the forced cases re-run this program
 * with LOCKSTEP_CLOCK set and read the source it reports.
 */
#include "checkutil.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "lockstep/clock.h"

/* How far a conversion may stray from CLOCK_MONOTONIC: a calibration pair
 * is good to tens of ns unless the machine is loaded (or sanitized). */
#define TOLERANCE_NS 1000000u

static const char *self_path;

/* Run this program with LOCKSTEP_CLOCK=want and return the source it
 * reports, in buf. */
static void
source_under(const char *want, char *buf, size_t n)
{
	int fds[2], status;
	pid_t pid;
	ssize_t got;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		setenv("LOCKSTEP_CLOCK", want, 1);
		execl(self_path, self_path, "--print-source", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	got = read(fds[0], buf, n - 1);
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_gt(got, 0);
	buf[got] = '\0';
	if (buf[got - 1] == '\n')
		buf[got - 1] = '\0';
}

START_TEST(test_source_chosen)
{
	const char *env = getenv("LOCKSTEP_CLOCK");
	unsigned want = ls_clock_tsc_usable() ? LS_CLOCK_TSC
					      : LS_CLOCK_MONOTONIC;

	if (env && !strcmp(env, "monotonic"))
		want = LS_CLOCK_MONOTONIC;
	ck_assert_uint_eq(ls_clock_source(), want);
	ck_assert_str_eq(ls_clock_source_name(LS_CLOCK_TSC), "tsc");
	ck_assert_str_eq(ls_clock_source_name(LS_CLOCK_MONOTONIC),
			 "monotonic");
}
END_TEST

/* Does the processor say its TSC is invariant?  Asked here rather than of
 * the clock: forcing "tsc" overrides the kernel's choice of clocksource
 * (a VM's kvm-clock, say), and nothing else. */
static bool
cpu_tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	return __get_cpuid(0x80000007u, &a, &b, &c, &d) && ((d >> 8) & 1);
#else
	return false;
#endif
}

START_TEST(test_environment_forces_source)
{
	char buf[64];

	source_under("monotonic", buf, sizeof(buf));
	ck_assert_str_eq(buf, "monotonic");
	source_under("tsc", buf, sizeof(buf));
	ck_assert_str_eq(buf, cpu_tsc_invariant() ? "tsc" : "monotonic");
}
END_TEST

START_TEST(test_ticks_monotonic_per_thread)
{
	unsigned long n = test_size("CLOCK_READS", 1000000, 100000), i;
	uint64_t last = ls_clock_ticks(), t, back = 0;

	for (i = 0; i < n; i++) {
		t = ls_clock_ticks();
		back += t < last;
		last = t;
	}
	ck_assert_uint_eq(back, 0);
}
END_TEST

/* ls_clock_ns_at(ticks) lies within the CLOCK_MONOTONIC reads around the
 * tick read, give or take the calibration, now and after a while. */
static void
check_bracket(void)
{
	uint64_t a = ls_clock_ns(), t = ls_clock_ticks(), b = ls_clock_ns();
	uint64_t at = ls_clock_ns_at(t);

	ck_assert_msg(at + TOLERANCE_NS >= a && at <= b + TOLERANCE_NS,
		      "%s: ns_at %llu outside [%llu, %llu]",
		      ls_clock_source_name(ls_clock_source()),
		      (unsigned long long)at, (unsigned long long)a,
		      (unsigned long long)b);
}

static void
conversions_hold(void)
{
	uint64_t a1, b1, a2, b2, t1, t2, d;

	check_bracket();
	a1 = ls_clock_ns();
	t1 = ls_clock_ticks();
	b1 = ls_clock_ns();
	test_sleep_ns(30000000);
	a2 = ls_clock_ns();
	t2 = ls_clock_ticks();
	b2 = ls_clock_ns();
	d = ls_clock_ticks_to_ns(t2 - t1);
	ck_assert_msg(d + TOLERANCE_NS >= a2 - b1 && d <= b2 - a1 + TOLERANCE_NS,
		      "duration %llu ns outside [%llu, %llu]",
		      (unsigned long long)d, (unsigned long long)(a2 - b1),
		      (unsigned long long)(b2 - a1));
	check_bracket();
	ck_assert_uint_eq(ls_clock_ticks_to_ns(0), 0);
	ck_assert_uint_le(ls_clock_ns_at(t1), ls_clock_ns_at(t2));
}

START_TEST(test_conversions_tsc)
{
	double hz;

	if (ls_clock_select(LS_CLOCK_TSC)) {
		ck_assert(!ls_clock_tsc_usable());
		return;
	}
	conversions_hold();
	hz = ls_clock_tsc_hz();
	ck_assert_msg(hz > 1e8 && hz < 1e10, "TSC at %.0f Hz", hz);
}
END_TEST

START_TEST(test_conversions_monotonic)
{
	uint64_t t;

	ck_assert_int_eq(ls_clock_select(LS_CLOCK_MONOTONIC), 0);
	conversions_hold();
	/* Ticks are CLOCK_MONOTONIC ns themselves. */
	t = ls_clock_ticks();
	ck_assert_uint_eq(ls_clock_ns_at(t), t);
	ck_assert_uint_eq(ls_clock_ticks_to_ns(12345), 12345);
}
END_TEST

START_TEST(test_select_rejects)
{
	ck_assert_int_eq(ls_clock_select(7), -EINVAL);
	if (!ls_clock_tsc_usable())
		ck_assert_int_eq(ls_clock_select(LS_CLOCK_TSC), -ENOTSUP);
	else
		ck_assert_int_eq(ls_clock_select(LS_CLOCK_TSC), 0);
}
END_TEST

static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_source_chosen);
	tcase_add_test(tc, test_environment_forces_source);
	tcase_add_test(tc, test_ticks_monotonic_per_thread);
	tcase_add_test(tc, test_conversions_tsc);
	tcase_add_test(tc, test_conversions_monotonic);
	tcase_add_test(tc, test_select_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--print-source")) {
		printf("%s\n", ls_clock_source_name(ls_clock_source()));
		return 0;
	}
	self_path = argv[0];
	return test_run_suite(clock_suite());
}
