/*
 * check_num.c - the one strict number parser (util/num.h) and its users:
 * what it accepts and refuses, -EINVAL against -ERANGE, bounds, overflow,
 * the "-5 wraps to 2^64 - 5" bug it exists to stop, a first use from
 * many threads at once, and scene_parse_set refusing what it refuses.
 */
#include "checkutil.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>

#include "scenes/scene.h"
#include "util/num.h"

/* Words that are no number in any of the parsers. */
static const char *const not_numbers[] = {
	"", " 1", "1 ", "\t1", "1\n", "+1", "0x10", "0X10", "1e3", "1E3",
	"1a", "a1", "-", "--1", "+-1", "1-", "1_000", "1,5", "inf", "nan",
	"-inf", "infinity", "0x1p3", "١", "1\x1b", "\x1b[31m1",
};
#define NNOT (sizeof(not_numbers) / sizeof(not_numbers[0]))

START_TEST(test_int_accepts_decimal_integers)
{
	long long v = 99;

	ck_assert_int_eq(num_parse_int("0", -5, 5, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(num_parse_int("-0", -5, 5, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(num_parse_int("-5", -5, 5, &v), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(num_parse_int("5", -5, 5, &v), 0);
	ck_assert_int_eq(v, 5);
	/* Leading zeros are decimal, not octal. */
	ck_assert_int_eq(num_parse_int("010", 0, 100, &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(num_parse_int("9223372036854775807", LLONG_MIN,
					LLONG_MAX, &v), 0);
	ck_assert(v == LLONG_MAX);
	ck_assert_int_eq(num_parse_int("-9223372036854775808", LLONG_MIN,
					LLONG_MAX, &v), 0);
	ck_assert(v == LLONG_MIN);
}
END_TEST

START_TEST(test_int_range_is_erange)
{
	long long v = 77;

	ck_assert_int_eq(num_parse_int("6", -5, 5, &v), -ERANGE);
	ck_assert_int_eq(num_parse_int("-6", -5, 5, &v), -ERANGE);
	ck_assert_int_eq(num_parse_int("9223372036854775808", LLONG_MIN,
					LLONG_MAX, &v), -ERANGE);
	ck_assert_int_eq(num_parse_int("-9223372036854775809", LLONG_MIN,
					LLONG_MAX, &v), -ERANGE);
	ck_assert_int_eq(num_parse_int("99999999999999999999999", 0, 10, &v),
			 -ERANGE);
	/* A failure leaves *out alone. */
	ck_assert_int_eq(v, 77);
}
END_TEST

START_TEST(test_nothing_else_is_a_number)
{
	const char *s = not_numbers[_i];
	unsigned long long u = 7;
	long long v = 7;
	double d = 7;

	ck_assert_msg(num_parse_int(s, LLONG_MIN, LLONG_MAX, &v) == -EINVAL,
		      "int accepted '%s'", s);
	ck_assert_msg(num_parse_uint(s, 0, ULLONG_MAX, &u) == -EINVAL,
		      "uint accepted '%s'", s);
	ck_assert_msg(num_parse_double(s, -1e300, 1e300, &d) == -EINVAL,
		      "double accepted '%s'", s);
	ck_assert(v == 7 && u == 7 && d == 7);
}
END_TEST

START_TEST(test_null_is_einval)
{
	unsigned long long u;
	long long v;
	double d;

	ck_assert_int_eq(num_parse_int(NULL, 0, 1, &v), -EINVAL);
	ck_assert_int_eq(num_parse_uint(NULL, 0, 1, &u), -EINVAL);
	ck_assert_int_eq(num_parse_double(NULL, 0, 1, &d), -EINVAL);
}
END_TEST

START_TEST(test_uint_never_wraps_a_negative)
{
	unsigned long long u = 3;

	/* strtoull("-5") is 2^64 - 5: LOCKSTEP_BENCH_POOL_TASKS=-5 ran
	 * "for ever" because of it. */
	ck_assert_int_eq(num_parse_uint("-5", 1000, ULLONG_MAX, &u), -ERANGE);
	ck_assert_int_eq(num_parse_uint("-1", 0, ULLONG_MAX, &u), -ERANGE);
	ck_assert_int_eq(num_parse_uint("-18446744073709551615", 0,
					 ULLONG_MAX, &u), -ERANGE);
	ck_assert(u == 3);
	ck_assert_int_eq(num_parse_uint("-0", 0, 10, &u), 0);
	ck_assert(u == 0);
	ck_assert_int_eq(num_parse_uint("-0", 1, 10, &u), -ERANGE);
}
END_TEST

START_TEST(test_uint_bounds)
{
	unsigned long long u = 0;

	ck_assert_int_eq(num_parse_uint("18446744073709551615", 0, ULLONG_MAX,
					 &u), 0);
	ck_assert(u == ULLONG_MAX);
	ck_assert_int_eq(num_parse_uint("18446744073709551616", 0, ULLONG_MAX,
					 &u), -ERANGE);
	ck_assert_int_eq(num_parse_uint("999", 1000, 2000, &u), -ERANGE);
	ck_assert_int_eq(num_parse_uint("2001", 1000, 2000, &u), -ERANGE);
	ck_assert_int_eq(num_parse_uint("1000", 1000, 2000, &u), 0);
	ck_assert(u == 1000);
	ck_assert_int_eq(num_parse_uint("2000", 1000, 2000, &u), 0);
	ck_assert(u == 2000);
}
END_TEST

START_TEST(test_double_accepts_decimals)
{
	double d = 0;

	ck_assert_int_eq(num_parse_double("3", 0.001, 86400, &d), 0);
	ck_assert(d == 3.0);
	ck_assert_int_eq(num_parse_double("0.25", 0.001, 86400, &d), 0);
	ck_assert(d == 0.25);
	ck_assert_int_eq(num_parse_double("0.001", 0.001, 86400, &d), 0);
	ck_assert(d == 0.001);
	ck_assert_int_eq(num_parse_double("86400.0", 0.001, 86400, &d), 0);
	ck_assert(d == 86400.0);
	ck_assert_int_eq(num_parse_double("-1.5", -2, 2, &d), 0);
	ck_assert(d == -1.5);
	ck_assert_int_eq(num_parse_double("007.50", 0, 10, &d), 0);
	ck_assert(d == 7.5);
}
END_TEST

START_TEST(test_double_refuses_half_decimals)
{
	double d = 5;

	ck_assert_int_eq(num_parse_double("1.", 0, 10, &d), -EINVAL);
	ck_assert_int_eq(num_parse_double(".5", 0, 10, &d), -EINVAL);
	ck_assert_int_eq(num_parse_double("-.5", -1, 10, &d), -EINVAL);
	ck_assert_int_eq(num_parse_double("1.2.3", 0, 10, &d), -EINVAL);
	ck_assert(d == 5);
	/* The integer parsers take no point at all. */
	{
		long long v;

		ck_assert_int_eq(num_parse_int("1.0", 0, 10, &v), -EINVAL);
	}
}
END_TEST

START_TEST(test_double_range_is_erange)
{
	char big[420], tiny[420];
	double d = 5;

	ck_assert_int_eq(num_parse_double("0", 0.001, 86400, &d), -ERANGE);
	ck_assert_int_eq(num_parse_double("0.0009", 0.001, 86400, &d),
			 -ERANGE);
	ck_assert_int_eq(num_parse_double("86400.01", 0.001, 86400, &d),
			 -ERANGE);
	ck_assert_int_eq(num_parse_double("-1", 0.001, 86400, &d), -ERANGE);
	/* 10^400 overflows a double; 10^-400 underflows it. */
	memset(big, '9', 400);
	big[400] = '\0';
	ck_assert_int_eq(num_parse_double(big, -1e308, 1e308, &d), -ERANGE);
	memcpy(tiny, "0.", 2);
	memset(tiny + 2, '0', 400);
	memcpy(tiny + 402, "1", 2);
	ck_assert_int_eq(num_parse_double(tiny, -1, 1, &d), -ERANGE);
	ck_assert(d == 5);
}
END_TEST

/* The first num_parse_double makes its "C" locale once, under
 * pthread_once: many threads making that first call together each get
 * the right answer (and ThreadSanitizer sees no race). */
#define FIRST_USERS 8
struct first_use {
	pthread_barrier_t go;
	_Atomic unsigned wrong;
};

static void *
first_use_main(void *arg)
{
	struct first_use *f = arg;
	double d = 0;
	int err;

	err = pthread_barrier_wait(&f->go);
	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		atomic_fetch_add(&f->wrong, 1);
	if (num_parse_double("12.5", 0, 100, &d) || d != 12.5)
		atomic_fetch_add(&f->wrong, 1);
	return NULL;
}

START_TEST(test_double_first_use_from_many_threads)
{
	struct first_use f = { .wrong = 0 };
	pthread_t t[FIRST_USERS];
	unsigned i;

	ck_assert_int_eq(pthread_barrier_init(&f.go, NULL, FIRST_USERS), 0);
	for (i = 0; i < FIRST_USERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, first_use_main,
						&f), 0);
	for (i = 0; i < FIRST_USERS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_int_eq(pthread_barrier_destroy(&f.go), 0);
	ck_assert_uint_eq(atomic_load(&f.wrong), 0);
}
END_TEST

/* --set values go through the same parser: what it refuses, --set
 * refuses, and the value is left as it was. */
START_TEST(test_scene_set_is_strict)
{
	static const char *const bad[] = {
		"capacity=+5", "capacity= 5", "capacity=5 ", "capacity=0x5",
		"capacity=5.0", "capacity=1e1", "capacity=-0x1",
	};
	const struct scene_def *d = scene_find("prodcons");
	int params[SCENE_MAX_PARAMS], idx;
	char err[256];
	size_t i;

	ck_assert_ptr_nonnull(d);
	idx = scene_param_index(d, "capacity");
	ck_assert_int_ge(idx, 0);
	scene_defaults(d, params);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(scene_parse_set(d, bad[i], params, err,
					      sizeof(err)) == -EINVAL,
			      "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "want an integer"));
		ck_assert_int_eq(params[idx], d->params[idx].def);
	}
	ck_assert_int_eq(scene_parse_set(d, "capacity=05", params, err,
					 sizeof(err)), 0);
	ck_assert_int_eq(params[idx], 5);
}
END_TEST

/* A --set message quotes the person's text escaped: no control byte. */
START_TEST(test_scene_set_message_is_escaped)
{
	const struct scene_def *d = scene_find("prodcons");
	int params[SCENE_MAX_PARAMS];
	char err[256];
	size_t i;

	ck_assert_ptr_nonnull(d);
	scene_defaults(d, params);
	ck_assert_int_eq(scene_parse_set(d, "x\x1b]0;pwned\x07=1", params,
					 err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "x\\e]0;pwned\\x07"));
	ck_assert_int_eq(scene_parse_set(d, "capacity=1\n2", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'1\\n2'"));
	ck_assert_int_eq(scene_parse_set(d, "no\rkey", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no\\rkey"));
	for (i = 0; err[i]; i++)
		ck_assert_msg((unsigned char)err[i] >= 0x20 && err[i] != 0x7f,
			      "control byte 0x%02x in: %s",
			      (unsigned char)err[i], err);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("parse");
	TCase *users = tcase_create("users");

	tcase_add_test(tc, test_int_accepts_decimal_integers);
	tcase_add_test(tc, test_int_range_is_erange);
	tcase_add_loop_test(tc, test_nothing_else_is_a_number, 0, (int)NNOT);
	tcase_add_test(tc, test_null_is_einval);
	tcase_add_test(tc, test_uint_never_wraps_a_negative);
	tcase_add_test(tc, test_uint_bounds);
	tcase_add_test(tc, test_double_accepts_decimals);
	tcase_add_test(tc, test_double_refuses_half_decimals);
	tcase_add_test(tc, test_double_range_is_erange);
	tcase_add_test(tc, test_double_first_use_from_many_threads);
	suite_add_tcase(s, tc);
	tcase_add_test(users, test_scene_set_is_strict);
	tcase_add_test(users, test_scene_set_message_is_escaped);
	suite_add_tcase(s, users);
	return test_run_suite(s);
}
