/*
 * check_str.c - bounded string building (util/str.h): pieces join in
 * order, a buffer is never written past n, what does not fit is cut off
 * (also in the middle of a piece) and the result is always terminated.
 */
#include "checkutil.h"

#include <string.h>

#include "util/str.h"

START_TEST(test_join_in_order)
{
	char buf[64];

	ck_assert_uint_eq(str_join(buf, sizeof(buf), "next: ", "lock ",
				   "fork2", "", " (held by kant)",
				   (char *)NULL),
			  strlen("next: lock fork2 (held by kant)"));
	ck_assert_str_eq(buf, "next: lock fork2 (held by kant)");
	ck_assert_uint_eq(str_join(buf, sizeof(buf), (char *)NULL), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(str_copy(buf, sizeof(buf), "plato"), 5);
	ck_assert_str_eq(buf, "plato");
}
END_TEST

/* Every size from 0 to one past the whole: the prefix that fits, the
 * byte after the terminator untouched. */
START_TEST(test_cut_at_every_size)
{
	static const char whole[] = "waits for fork1 (held by hume)";
	char buf[sizeof(whole) + 8];
	size_t n, want;

	for (n = 0; n <= sizeof(whole) + 1; n++) {
		memset(buf, 'x', sizeof(buf));
		want = n ? (n - 1 < strlen(whole) ? n - 1 : strlen(whole)) : 0;
		ck_assert_uint_eq(str_join(buf, n, "waits for ", "fork1",
					   " (held by ", "hume", ")",
					   (char *)NULL),
				  want);
		if (n) {
			ck_assert_int_eq(memcmp(buf, whole, want), 0);
			ck_assert_int_eq(buf[want], '\0');
		}
		ck_assert_int_eq(buf[n ? want + 1 : 0], 'x');
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("str");
	TCase *tc = tcase_create("join");

	tcase_add_test(tc, test_join_in_order);
	tcase_add_test(tc, test_cut_at_every_size);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
