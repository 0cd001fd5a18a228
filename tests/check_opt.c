/*
 * check_opt.c - reading an option's value (util/opt.h): "--name VALUE"
 * and "--name=VALUE" alike, a missing value told apart from another
 * option, and a word that only starts like the option left alone.
 */
#include "checkutil.h"

#include "util/opt.h"

/* opt_value on argv[at] of a NULL-terminated word list. */
static int
match(char **argv, int at, const char *name, const char **val, int *moved)
{
	int argc = 0, i = at, rc;

	while (argv[argc])
		argc++;
	rc = opt_value(argc, argv, &i, name, val);
	*moved = i - at;
	return rc;
}

START_TEST(test_separate_value)
{
	char *argv[] = { "run", "--seconds", "3", "--json", NULL };
	const char *val = NULL;
	int moved;

	ck_assert_int_eq(match(argv, 1, "--seconds", &val, &moved), 1);
	ck_assert_str_eq(val, "3");
	ck_assert_int_eq(moved, 1);
}
END_TEST

START_TEST(test_joined_value)
{
	char *argv[] = { "run", "--seconds=0.5", "--json", NULL };
	const char *val = NULL;
	int moved;

	ck_assert_int_eq(match(argv, 1, "--seconds", &val, &moved), 1);
	ck_assert_str_eq(val, "0.5");
	ck_assert_int_eq(moved, 0);
	/* Only the first '=' splits: a --set value keeps its own. */
	{
		char *set[] = { "run", "--set=fix=mutex", NULL };

		ck_assert_int_eq(match(set, 1, "--set", &val, &moved), 1);
		ck_assert_str_eq(val, "fix=mutex");
	}
}
END_TEST

START_TEST(test_negative_value_is_a_value)
{
	char *argv[] = { "bench", "--runs", "-1", NULL };
	const char *val = NULL;
	int moved;

	/* "-1" is the value (the number parser then refuses it), not an
	 * option: only "--" marks the next option. */
	ck_assert_int_eq(match(argv, 1, "--runs", &val, &moved), 1);
	ck_assert_str_eq(val, "-1");
}
END_TEST

START_TEST(test_missing_value)
{
	char *at_end[] = { "run", "--seconds", NULL };
	char *before_opt[] = { "run", "--seconds", "--json", NULL };
	char *empty[] = { "run", "--seconds=", "3", NULL };
	const char *val = "x";
	int moved;

	ck_assert_int_eq(match(at_end, 1, "--seconds", &val, &moved),
			 -EINVAL);
	ck_assert_ptr_null(val);
	ck_assert_int_eq(moved, 0);
	ck_assert_int_eq(match(before_opt, 1, "--seconds", &val, &moved),
			 -EINVAL);
	ck_assert_int_eq(moved, 0);
	ck_assert_int_eq(match(empty, 1, "--seconds", &val, &moved), -EINVAL);
	ck_assert_int_eq(moved, 0);
}
END_TEST

START_TEST(test_other_words)
{
	char *argv[] = { "run", "--secondsx", "--second", "-seconds",
			 "seconds", "--json", NULL };
	const char *val;
	int i, moved;

	for (i = 1; argv[i]; i++) {
		ck_assert_int_eq(match(argv, i, "--seconds", &val, &moved), 0);
		ck_assert_int_eq(moved, 0);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("opt");
	TCase *tc = tcase_create("opt");

	tcase_add_test(tc, test_separate_value);
	tcase_add_test(tc, test_joined_value);
	tcase_add_test(tc, test_negative_value_is_a_value);
	tcase_add_test(tc, test_missing_value);
	tcase_add_test(tc, test_other_words);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
