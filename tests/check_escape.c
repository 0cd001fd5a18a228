/*
 * check_escape.c - printing untrusted text (util/escape.h): every byte a
 * terminal could obey comes out as a visible escape, UTF-8 text stays
 * readable, escaping twice changes nothing, a cut never splits an escape
 * or a character, and escape_line always makes exactly one line.
 */
#include "checkutil.h"

#include "util/escape.h"

/* The escaped form of in, in a buffer large enough for anything here. */
static const char *
esc(const char *in)
{
	static char buf[512];

	return escape_str(buf, sizeof(buf), in);
}

/* No byte of s is a C0 control or DEL. */
static void
assert_no_control(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		ck_assert_msg((unsigned char)s[i] >= 0x20 &&
			      (unsigned char)s[i] != 0x7f,
			      "control byte 0x%02x in '%s'",
			      (unsigned char)s[i], s);
}

static const struct {
	const char *in, *out;
} cases[] = {
	{ "plain text, 42 = x", "plain text, 42 = x" },
	{ "", "" },
	{ "\x1b]0;pwned\x07", "\\e]0;pwned\\x07" },
	{ "\x1b[2J\x1b[H", "\\e[2J\\e[H" },
	{ "two\nlines", "two\\nlines" },
	{ "cr\rtab\t", "cr\\rtab\\t" },
	{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
	/* UTF-8 text stays as it is. */
	{ "café ✓ 線", "café ✓ 線" },
	/* C1 controls: as UTF-8 (U+009B, CSI) and as a raw byte. */
	{ "\xc2\x9b" "31m", "\\xc2\\x9b" "31m" },
	{ "\x9b" "31m", "\\x9b" "31m" },
	/* Not UTF-8: overlong, surrogate, beyond U+10FFFF, cut short. */
	{ "\xc0\xaf", "\\xc0\\xaf" },
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
	{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
	{ "\xe2\x9c", "\\xe2\\x9c" },
	{ "\xff", "\\xff" },
	/* Bidirectional controls would make the line read backwards. */
	{ "a\xe2\x80\xae" "b", "a\\u202eb" },
	{ "\xe2\x81\xa6x", "\\u2066x" },
	/* A backslash stays: that keeps escaping idempotent. */
	{ "a\\eb", "a\\eb" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

START_TEST(test_escapes)
{
	ck_assert_str_eq(esc(cases[_i].in), cases[_i].out);
	assert_no_control(esc(cases[_i].in));
}
END_TEST

START_TEST(test_idempotent)
{
	char once[512], twice[512];

	escape_str(once, sizeof(once), cases[_i].in);
	escape_str(twice, sizeof(twice), once);
	ck_assert_str_eq(once, twice);
}
END_TEST

/* Every byte value, alone and after a lead byte: never a control out. */
START_TEST(test_every_byte)
{
	char in[3] = { 0 }, out[32];
	unsigned b, lead;

	for (lead = 0; lead < 256; lead += 0x41) {
		for (b = 1; b < 256; b++) {
			in[0] = (char)(lead ? lead : b);
			in[1] = (char)(lead ? b : 0);
			escape_str(out, sizeof(out), in);
			assert_no_control(out);
		}
	}
}
END_TEST

START_TEST(test_cut_is_whole)
{
	char buf[16];

	/* Fits exactly: no ellipsis. */
	ck_assert_str_eq(escape_str(buf, 6, "abcde"), "abcde");
	/* One more: cut, with the ellipsis, inside the buffer. */
	ck_assert_str_eq(escape_str(buf, 6, "abcdef"), "ab...");
	/* An escape is never split: one "\e" fits before the "...", and
	 * the half of the next one that would also fit is left out. */
	ck_assert_str_eq(escape_str(buf, 6, "\x1b\x1b\x1b"), "\\e...");
	ck_assert_str_eq(escape_str(buf, 7, "\x1b\x1b\x1b\x1b"), "\\e...");
	ck_assert_str_eq(escape_str(buf, 7, "\x1b\x1b\x1b"), "\\e\\e\\e");
	/* Nor is a UTF-8 character (3 bytes each). */
	ck_assert_str_eq(escape_str(buf, 9, "✓✓✓"), "✓...");
	/* Tiny buffers: as much as fits, always terminated. */
	ck_assert_str_eq(escape_str(buf, 3, "abcdef"), "..");
	ck_assert_str_eq(escape_str(buf, 1, "abcdef"), "");
	buf[0] = 'z';
	escape_str(buf, 0, "abcdef");
	ck_assert_int_eq(buf[0], 'z');
}
END_TEST

START_TEST(test_line_is_one_line)
{
	char *text = NULL;
	size_t len = 0, i, lines = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	escape_line(f, "lockstep: bad value '%s' for %s", "1\n2\x1b[31m",
		    "x\r");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(text, "lockstep: bad value '1\\n2\\e[31m' for x\\r\n");
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	ck_assert_uint_eq(lines, 1);
	free(text);
}
END_TEST

/* A huge value still makes one line, cut with "...". */
START_TEST(test_line_cuts_huge_values)
{
	char *text = NULL, *big = malloc(100000);
	size_t len = 0, i, lines = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(big);
	memset(big, '\n', 99999);
	big[99999] = '\0';
	escape_line(f, "value '%s'", big);
	ck_assert_int_eq(fclose(f), 0);
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	ck_assert_uint_eq(lines, 1);
	ck_assert_uint_lt(len, 1100);
	ck_assert_ptr_nonnull(strstr(text, "...\n"));
	free(text);
	free(big);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_add_loop_test(tc, test_escapes, 0, (int)NCASES);
	tcase_add_loop_test(tc, test_idempotent, 0, (int)NCASES);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_cut_is_whole);
	tcase_add_test(tc, test_line_is_one_line);
	tcase_add_test(tc, test_line_cuts_huge_values);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
