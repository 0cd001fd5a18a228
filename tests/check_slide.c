/*
 * check_slide.c - slide layout: a representative slide laid out at 80
 * and 120 columns, line by line and span by span; pauses and the live
 * scene's place; and, for awkward slides at every width from the
 * narrowest up, no line wider than the width, no control byte, spans
 * that cover each line exactly.
 */
#include "checkutil.h"

#include "present/deck.h"
#include "present/slide.h"
#include "util/datadir.h"
#include "src/util/datadir-paths.h"

static const char representative[] =
	"# Sharing memory is fast\n"
	"\n"
	"Two threads that *share* a balance can lose an update: each reads "
	"100, each writes 50, and the bank is down **50**. Use `mutex` or an "
	"atomic.\n"
	"\n"
	"- Race: two writers, no order between their reads and their writes, "
	"so one write is lost\n"
	"  - fix with a lock\n"
	"- Deadlock\n"
	"1. first\n"
	"10. tenth\n"
	"\n"
	"<!-- pause -->\n"
	"\n"
	"| hazard | fix | cost |\n"
	"|:--|:-:|--:|\n"
	"| race | mutex | low |\n"
	"| deadlock | lock ordering, or a try-lock with a timeout and a "
	"back-off | none |\n"
	"\n"
	"```c\n"
	"balance = balance - 50;\t// a tab\n"
	"```\n"
	"\n"
	"```lockstep\n"
	"scene: race\n"
	"```\n"
	"Not shown: the scene takes the rest.\n";

static const char *const at80_ascii[] = {
	"Sharing memory is fast",
	"======================",
	"",
	"Two threads that share a balance can lose an update: each reads 100, each writes",
	"50, and the bank is down 50. Use mutex or an atomic.",
	"",
	"* Race: two writers, no order between their reads and their writes, so one write",
	"  is lost",
	"  - fix with a lock",
	"* Deadlock",
	"1. first",
	"10. tenth",
	"",
	"hazard   |                            fix                             | cost",
	"---------+------------------------------------------------------------+-----",
	"race     |                           mutex                            |  low",
	"deadlock | lock ordering, or a try-lock with a timeout and a back-off | none",
	"",
	"| balance = balance - 50; // a tab",
	"",
};

static const char *const at120_utf8[] = {
	"Sharing memory is fast",
	"══════════════════════",
	"",
	"Two threads that share a balance can lose an update: each reads 100, each writes 50, and the bank is down 50. Use mutex",
	"or an atomic.",
	"",
	"• Race: two writers, no order between their reads and their writes, so one write is lost",
	"  ◦ fix with a lock",
	"• Deadlock",
	"1. first",
	"10. tenth",
	"",
	"hazard   │                            fix                             │ cost",
	"─────────┼────────────────────────────────────────────────────────────┼─────",
	"race     │                           mutex                            │  low",
	"deadlock │ lock ordering, or a try-lock with a timeout and a back-off │ none",
	"",
	"│ balance = balance - 50; // a tab",
	"",
};

static struct deck *
parse(const char *text)
{
	struct deck *d = NULL;
	char err[512];

	ck_assert_msg(deck_parse(text, strlen(text), "/tmp/t.md", &d, err,
				 sizeof(err)) == 0, "%s", err);
	return d;
}

static void
lay(const struct deck_slide *s, unsigned width, bool utf8,
    struct slide_layout *l)
{
	struct slide_opts o = { .width = width, .utf8 = utf8 };

	ck_assert_int_eq(slide_layout(s, &o, l), 0);
}

static void
check_lines(const struct slide_layout *l, const char *const *want, size_t n)
{
	size_t i;

	ck_assert_uint_eq(l->nlines, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(!strcmp(l->lines[i].text, want[i]),
			      "line %zu: got '%s', want '%s'", i,
			      l->lines[i].text, want[i]);
}

/* The span of line starting at byte off: asserts there is one. */
static const struct slide_span *
span_at(const struct slide_line *line, unsigned off)
{
	unsigned i;

	for (i = 0; i < line->nspans; i++)
		if (line->spans[i].off == off)
			return &line->spans[i];
	ck_abort_msg("no span at %u of '%s'", off, line->text);
	return NULL;
}

START_TEST(test_golden_80)
{
	struct deck *d = parse(representative);
	struct slide_layout l;

	lay(&d->slides[0], 80, false, &l);
	check_lines(&l, at80_ascii, sizeof(at80_ascii) / sizeof(at80_ascii[0]));
	/* One pause: the list shows first, the rest on the next key. */
	ck_assert_uint_eq(l.pauses, 1);
	ck_assert_uint_eq(l.reveal[0], 12);
	ck_assert_uint_eq(l.reveal[1], l.nlines);
	/* The scene takes the rest, from the line after the code, and
	 * shows with the table. */
	ck_assert_int_eq(l.scene_row, (int)l.nlines);
	ck_assert_uint_eq(l.scene_step, 1);
	ck_assert_str_eq(l.scene->def->name, "race");
	/* Styles. */
	ck_assert_uint_eq(span_at(&l.lines[0], 0)->style, SLIDE_H1);
	ck_assert_uint_eq(span_at(&l.lines[3], 17)->len, 5);
	ck_assert_uint_eq(span_at(&l.lines[3], 17)->style, SLIDE_EMPH);
	ck_assert_uint_eq(span_at(&l.lines[3], 22)->style, 0);
	ck_assert_uint_eq(span_at(&l.lines[4], 25)->style, SLIDE_STRONG);
	ck_assert_uint_eq(span_at(&l.lines[4], 25)->len, 2);
	ck_assert_uint_eq(span_at(&l.lines[4], 33)->style, SLIDE_CODE);
	ck_assert_uint_eq(span_at(&l.lines[6], 0)->style, SLIDE_RULE);
	ck_assert_uint_eq(span_at(&l.lines[10], 0)->style, 0);
	ck_assert_uint_eq(span_at(&l.lines[13], 0)->style, SLIDE_STRONG);
	ck_assert_uint_eq(span_at(&l.lines[13], 8)->style, SLIDE_RULE);
	ck_assert_uint_eq(span_at(&l.lines[14], 0)->style, SLIDE_RULE);
	ck_assert_uint_eq(span_at(&l.lines[18], 0)->style, SLIDE_RULE);
	ck_assert_uint_eq(span_at(&l.lines[18], 2)->style, SLIDE_CODE);
	slide_layout_free(&l);
	deck_free(d);
}
END_TEST

START_TEST(test_golden_120)
{
	struct deck *d = parse(representative);
	struct slide_layout l, again;
	unsigned i;

	lay(&d->slides[0], 120, true, &l);
	check_lines(&l, at120_utf8,
		    sizeof(at120_utf8) / sizeof(at120_utf8[0]));
	ck_assert_uint_eq(l.reveal[0], 11);
	ck_assert_uint_eq(l.lines[1].cols, 22);
	/* Pure: the same input lays out the same. */
	lay(&d->slides[0], 120, true, &again);
	ck_assert_uint_eq(again.nlines, l.nlines);
	for (i = 0; i < l.nlines; i++) {
		ck_assert_str_eq(again.lines[i].text, l.lines[i].text);
		ck_assert_uint_eq(again.lines[i].nspans, l.lines[i].nspans);
		ck_assert(!memcmp(again.lines[i].spans, l.lines[i].spans,
				  l.lines[i].nspans *
					  sizeof(l.lines[i].spans[0])));
	}
	slide_layout_free(&again);
	slide_layout_free(&l);
	deck_free(d);
}
END_TEST

START_TEST(test_pauses_and_blanks)
{
	struct deck *d = parse("<!-- pause -->\n"
			       "# A\n"
			       "<!-- new_lines: 3 -->\n"
			       "text\n"
			       "<!-- pause -->\n"
			       "<!-- pause -->\n"
			       "- a\n"
			       "<!-- pause -->\n"
			       "- b\n");
	static const char *const want[] = {
		"A", "=", "", "", "", "text", "", "* a", "* b",
	};
	struct slide_layout l;

	lay(&d->slides[0], 40, false, &l);
	check_lines(&l, want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(l.pauses, 4);
	ck_assert_uint_eq(l.reveal[0], 0);
	ck_assert_uint_eq(l.reveal[1], 6);
	ck_assert_uint_eq(l.reveal[2], 6);
	/* An item after a pause stays in its list: no gap. */
	ck_assert_uint_eq(l.reveal[3], 8);
	ck_assert_uint_eq(l.reveal[4], 9);
	ck_assert_int_eq(l.scene_row, -1);
	ck_assert_ptr_null(l.scene);
	slide_layout_free(&l);
	deck_free(d);
}
END_TEST

START_TEST(test_text_widths)
{
	ck_assert_uint_eq(slide_text_width("abc", 3), 3);
	ck_assert_uint_eq(slide_text_width("日本語", 9), 6);
	ck_assert_uint_eq(slide_text_width("e\xcc\x81", 3), 1);
	ck_assert_uint_eq(slide_text_width("\xff\xfe", 2), 2);
	ck_assert_uint_eq(slide_text_width("\xe6\x97", 2), 2);
	ck_assert_uint_eq(slide_text_width("\xc0\xaf", 2), 2);
	ck_assert_uint_eq(slide_text_width("│", 3), 1);
}
END_TEST

START_TEST(test_narrow)
{
	struct deck *d = parse("x\n");
	struct slide_opts o = { .width = SLIDE_MIN_WIDTH - 1 };
	struct slide_layout l;

	ck_assert_int_eq(slide_layout(&d->slides[0], &o, &l), -EINVAL);
	ck_assert_uint_eq(l.nlines, 0);
	slide_layout_free(&l);
	deck_free(d);
}
END_TEST

START_TEST(test_wide_table)
{
	struct deck *d = parse("|a|b|c|d|e|f|g|h|\n"
			       "|-|-|-|-|-|-|-|-|\n"
			       "|1|2|3|4|5|6|7|8|\n");
	struct slide_layout l;

	lay(&d->slides[0], 16, false, &l);
	ck_assert_uint_eq(l.nlines, 4);
	ck_assert_str_eq(l.lines[0].text, "a | b | c | d");
	ck_assert_str_eq(l.lines[3].text, "(4 more columns not shown)");
	slide_layout_free(&l);
	deck_free(d);
}
END_TEST

/* Every line fits, is safe to print, and is covered by its spans. */
static void
check_sane(const struct slide_layout *l, unsigned width)
{
	unsigned i, k, off;
	const unsigned char *c;

	for (i = 0; i < l->nlines; i++) {
		const struct slide_line *line = &l->lines[i];

		ck_assert_msg(line->cols <= width, "line %u is %u wide at %u: "
			      "'%s'", i, line->cols, width, line->text);
		ck_assert_uint_eq(line->cols, slide_text_width(
						      line->text,
						      strlen(line->text)));
		for (c = (const unsigned char *)line->text; *c; c++)
			ck_assert_msg(*c >= 0x20 && *c != 0x7f,
				      "control byte in '%s'", line->text);
		for (k = 0, off = 0; k < line->nspans; k++) {
			ck_assert_uint_eq(line->spans[k].off, off);
			ck_assert_uint_gt(line->spans[k].len, 0);
			off += line->spans[k].len;
		}
		ck_assert_uint_eq(off, strlen(line->text));
	}
	for (i = 0; i < l->pauses; i++)
		ck_assert_uint_le(l->reveal[i], l->reveal[i + 1]);
	ck_assert_uint_eq(l->reveal[l->pauses], l->nlines);
}

static const char awkward[] =
	"# A heading much longer than the narrowest width it will meet\n"
	"Supercalifragilisticexpialidocious_and_then_some_more_characters "
	"日本語のテキストは二列を取ります and e\xcc\x81 combining, "
	"bad \xff bytes, a tab\there, a bell \x07 and an escape \x1b[31m.\n"
	"\n"
	"- a\n"
	"  - b\n"
	"    - c\n"
	"      - d\n"
	"        - e\n"
	"          - f\n"
	"            - g\n"
	"              - h deep, deeper than deep with words to wrap along\n"
	"\n"
	"| a very long header cell | another | x |\n"
	"|---|---|---|\n"
	"| 日本語日本語日本語日本語 | `code that is long` | **strong** |\n"
	"\n"
	"```\n"
	"a code line far longer than any narrow terminal would hold, "
	"with\ttabs\tin it and 日本語\n"
	"\n"
	"```\n"
	"<!-- pause -->\n"
	"> quoted [link](https://example.org/a/long/path) ![img](x.png)\n";

START_TEST(test_awkward_fits)
{
	struct deck *d;
	struct slide_layout l;
	unsigned w;
	char err[512];

	ck_assert_msg(deck_parse(awkward, sizeof(awkward) - 1, "/tmp/t.md",
				 &d, err, sizeof(err)) == 0, "%s", err);
	for (w = SLIDE_MIN_WIDTH; w <= 200; w++) {
		lay(&d->slides[0], w, w % 2, &l);
		check_sane(&l, w);
		slide_layout_free(&l);
	}
	deck_free(d);
}
END_TEST

/* The shipped deck on the smallest screen the ui supports (80x24, two
 * rows for the slide's own status), and at every width up from there. */
START_TEST(test_shipped_deck_fits)
{
	char path[4096], err[1024];
	struct slide_layout l;
	struct deck *d;
	unsigned i, w;

	ck_assert_int_eq(setenv("LOCKSTEP_DATADIR", DATADIR_SOURCE, 1), 0);
	ck_assert_int_eq(datadir_find("decks", "concurrency.md", path,
				      sizeof(path)), 0);
	ck_assert_msg(deck_open(path, &d, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < d->nslides; i++) {
		lay(&d->slides[i], 80, true, &l);
		if (l.scene_row >= 0)
			ck_assert_msg(l.scene_row <= 12, "slide %u leaves the "
				      "scene %d rows of 22", i,
				      22 - l.scene_row);
		else
			ck_assert_msg(l.nlines <= 22, "slide %u (%s) is %u "
				      "lines at 80x24", i, d->slides[i].title,
				      l.nlines);
		slide_layout_free(&l);
		for (w = 80; w <= 200; w += 7) {
			lay(&d->slides[i], w, w % 2, &l);
			check_sane(&l, w);
			slide_layout_free(&l);
		}
	}
	deck_free(d);
}
END_TEST

static Suite *
slide_suite(void)
{
	Suite *s = suite_create("slide");
	TCase *tc = tcase_create("slide");

	tcase_add_test(tc, test_golden_80);
	tcase_add_test(tc, test_golden_120);
	tcase_add_test(tc, test_pauses_and_blanks);
	tcase_add_test(tc, test_text_widths);
	tcase_add_test(tc, test_narrow);
	tcase_add_test(tc, test_wide_table);
	tcase_add_test(tc, test_awkward_fits);
	tcase_add_test(tc, test_shipped_deck_fits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(slide_suite());
}
