/*
 * check_deck.c - the deck reader: a representative deck read block by
 * block; decks written for other tools open with notes and warnings;
 * slide breaks, setext headings and pauses as the presentation tools
 * read them; and every error refused with its file and line.
 */
#include "checkutil.h"

#include <sys/stat.h>

#include "present/deck.h"
#include "util/datadir.h"
#include "src/util/datadir-paths.h"

/* A directory with a schedule, a script and a broken theme, for the
 * paths decks name; made once per test. */
static char dir[64];
static char deck_path[128];

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lockstep-deck-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(deck_path, sizeof(deck_path), "%s/deck.md", dir);
	write_file("race.sched", "lockstep-schedule 1\n");
	write_file("puzzle.lss", "thread a { }\n");
	write_file("bad.theme", "running = purple\n");
	ck_assert_int_eq(setenv("LOCKSTEP_DATADIR", DATADIR_SOURCE, 1), 0);
}

static void
teardown(void)
{
	static const char *const files[] = {
		"race.sched", "puzzle.lss", "bad.theme", "deck.md",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Parse text as the deck at deck_path; asserts it opens. */
static struct deck *
must_parse(const char *text)
{
	struct deck *d = NULL;
	char err[1024];
	int rc = deck_parse(text, strlen(text), deck_path, &d, err,
			    sizeof(err));

	ck_assert_msg(rc == 0, "deck refused: %s", err);
	ck_assert_ptr_nonnull(d);
	return d;
}

static const struct deck_block *
block(const struct deck *d, unsigned slide, unsigned i)
{
	ck_assert_uint_lt(slide, d->nslides);
	ck_assert_uint_lt(i, d->slides[slide].nblocks);
	return &d->slides[slide].blocks[i];
}

static const char representative[] =
	"---\n"						/* 1 */
	"title: Concurrency, live\n"
	"author: \"Ada\"\n"
	"theme: projector\n"
	"---\n"						/* 5 */
	"\n"
	"# Why concurrency\n"
	"\n"
	"Threads *share* memory:\n"
	"**fast**, and `dangerous`.\n"			/* 10 */
	"\n"
	"- one\n"
	"- two\n"
	"  continued\n"
	"  - nested\n"					/* 15 */
	"1. first\n"
	"2) second\n"
	"\n"
	"<!-- speaker_note: Say hello. -->\n"
	"\n"						/* 20 */
	"---\n"
	"\n"
	"Second slide\n"
	"---\n"
	"\n"						/* 25 */
	"<!-- pause -->\n"
	"\n"
	"| name | count |\n"
	"|:-----|:-----:|---:|\n"
	"| not a | table |\n"				/* 30 */
	"\n"
	"| name | count | right |\n"
	"|:-----|:-----:|------:|\n"
	"| a \\| b | 2 |\n"
	"\n"						/* 35 */
	"```c\n"
	"int x;\n"
	"\tif (x) {}\n"
	"```\n"
	"<!-- end_slide -->\n"				/* 40 */
	"\n"
	"```lockstep\n"
	"# the race, stepped\n"
	"scene: race\n"
	"set: fix=none, adders=3\n"			/* 45 */
	"mode: step\n"
	"```\n"
	"\n"
	"<!--\n"
	"speaker_note: |\n"				/* 50 */
	"  line one\n"
	"  line two\n"
	"-->\n"
	"<!-- speaker_note: and\n"
	"     more -->\n";				/* 55 */

START_TEST(test_representative)
{
	struct deck *d = must_parse(representative);
	const struct deck_block *b;
	const struct deck_slide *s;

	ck_assert_str_eq(d->title, "Concurrency, live");
	ck_assert_str_eq(d->author, "Ada");
	ck_assert_str_eq(d->theme, "projector");
	ck_assert_uint_eq(d->theme_line, 4);
	ck_assert_uint_eq(d->nwarnings, 0);
	ck_assert_uint_eq(d->nslides, 3);

	s = &d->slides[0];
	ck_assert_str_eq(s->title, "Why concurrency");
	ck_assert_str_eq(s->notes, "Say hello.");
	ck_assert_uint_eq(s->nblocks, 7);
	b = block(d, 0, 0);
	ck_assert_uint_eq(b->kind, DECK_HEADING);
	ck_assert_uint_eq(b->level, 1);
	ck_assert_uint_eq(b->line, 7);
	b = block(d, 0, 1);
	ck_assert_uint_eq(b->kind, DECK_PARAGRAPH);
	ck_assert_uint_eq(b->line, 9);
	ck_assert_str_eq(b->text,
			 "Threads *share* memory: **fast**, and `dangerous`.");
	b = block(d, 0, 2);
	ck_assert_uint_eq(b->kind, DECK_ITEM);
	ck_assert_str_eq(b->text, "one");
	ck_assert_uint_eq(b->level, 0);
	ck_assert(!b->ordered);
	b = block(d, 0, 3);
	ck_assert_str_eq(b->text, "two continued");
	b = block(d, 0, 4);
	ck_assert_str_eq(b->text, "nested");
	ck_assert_uint_eq(b->level, 1);
	ck_assert_uint_eq(b->line, 15);
	b = block(d, 0, 5);
	ck_assert(b->ordered);
	ck_assert_uint_eq(b->number, 1);
	ck_assert_uint_eq(b->level, 0);
	b = block(d, 0, 6);
	ck_assert_uint_eq(b->number, 2);
	ck_assert_str_eq(b->text, "second");

	s = &d->slides[1];
	ck_assert_str_eq(s->title, "Second slide");
	ck_assert_ptr_null(s->notes);
	ck_assert_uint_eq(s->pauses, 1);
	b = block(d, 1, 0);
	ck_assert_uint_eq(b->kind, DECK_HEADING);
	ck_assert_uint_eq(b->level, 2);
	ck_assert_uint_eq(b->line, 23);
	ck_assert_uint_eq(block(d, 1, 1)->kind, DECK_PAUSE);
	/* A delimiter row of the wrong width makes no table. */
	b = block(d, 1, 2);
	ck_assert_uint_eq(b->kind, DECK_PARAGRAPH);
	b = block(d, 1, 3);
	ck_assert_uint_eq(b->kind, DECK_TABLE);
	ck_assert_uint_eq(b->line, 32);
	ck_assert_uint_eq(b->table.ncols, 3);
	ck_assert_uint_eq(b->table.nrows, 2);
	ck_assert_str_eq(b->table.cells[0], "name");
	ck_assert_str_eq(b->table.cells[3], "a \\| b");
	ck_assert_str_eq(b->table.cells[5], "");
	ck_assert_uint_eq(b->table.align[0], DECK_ALIGN_LEFT);
	ck_assert_uint_eq(b->table.align[1], DECK_ALIGN_CENTER);
	ck_assert_uint_eq(b->table.align[2], DECK_ALIGN_RIGHT);
	b = block(d, 1, 4);
	ck_assert_uint_eq(b->kind, DECK_CODE);
	ck_assert_str_eq(b->info, "c");
	ck_assert_str_eq(b->text, "int x;\n\tif (x) {}");

	s = &d->slides[2];
	ck_assert_ptr_null(s->title);
	ck_assert_str_eq(s->notes, "line one\nline two\nand\nmore");
	ck_assert_ptr_nonnull(s->scene);
	ck_assert_ptr_eq(s->scene, block(d, 2, 0)->scene);
	ck_assert_uint_eq(block(d, 2, 0)->kind, DECK_SCENE);
	ck_assert_str_eq(s->scene->def->name, "race");
	ck_assert_uint_eq(s->scene->mode, DECK_MODE_STEP);
	ck_assert_uint_eq(s->scene->line, 42);
	ck_assert_str_eq(s->scene->set, "fix=none, adders=3");
	ck_assert_int_eq(s->scene->params[scene_param_index(s->scene->def,
							    "adders")], 3);
	ck_assert_int_eq(s->scene->params[scene_param_index(s->scene->def,
							    "fix")], 0);
	deck_free(d);
}
END_TEST

START_TEST(test_live_scene_forms)
{
	struct deck *d = must_parse(
		"```lockstep\n"
		"script: puzzle.lss\n"
		"set: 'n=2'\n"
		"```\n"
		"<!-- end_slide -->\n"
		"```lockstep\n"
		"scene: deadlock\n"
		"mode: replay\n"
		"schedule: race.sched\n"
		"```\n"
		"<!-- end_slide -->\n"
		"~~~~ lockstep extra words\n"
		"scene: prodcons\n"
		"mode: paused\n"
		"~~~~\n"
		"After the scene.\n");
	const struct deck_scene *sc;
	char want[256];

	ck_assert_uint_eq(d->nslides, 3);
	sc = d->slides[0].scene;
	ck_assert_ptr_null(sc->def);
	snprintf(want, sizeof(want), "%s/puzzle.lss", dir);
	ck_assert_str_eq(sc->script, want);
	/* A script's parameters are checked when it loads. */
	ck_assert_str_eq(sc->set, "n=2");
	ck_assert_uint_eq(sc->mode, DECK_MODE_RUN);
	sc = d->slides[1].scene;
	ck_assert_uint_eq(sc->mode, DECK_MODE_REPLAY);
	snprintf(want, sizeof(want), "%s/race.sched", dir);
	ck_assert_str_eq(sc->schedule, want);
	sc = d->slides[2].scene;
	ck_assert_str_eq(sc->def->name, "prodcons");
	ck_assert_uint_eq(sc->mode, DECK_MODE_PAUSED);
	/* What follows the scene cannot show: a warning says so. */
	ck_assert_uint_eq(d->nwarnings, 1);
	ck_assert_uint_eq(d->warnings[0].line, 16);
	ck_assert_ptr_nonnull(strstr(d->warnings[0].what, "line 12 takes "
				     "the rest of the slide"));
	ck_assert_str_eq(deck_mode_name(DECK_MODE_STEP), "step");
	ck_assert_ptr_null(deck_mode_name(DECK_MODE_COUNT));
	deck_free(d);
}
END_TEST

/* A deck written for presenterm and friends: it opens, what lockstep
 * does not show is a note on the slide or a warning with its line. */
START_TEST(test_foreign_deck)
{
	struct deck *d = must_parse(
		"---\n"						/* 1 */
		"title: Talk\n"
		"sub_title: a sub title\n"
		"author:\n"
		"  - Ada\n"					/* 5 */
		"  - Grace\n"
		"theme:\n"
		"  name: catppuccin-mocha\n"
		"options:\n"
		"  end_slide_shorthand: true\n"			/* 10 */
		"---\n"
		"<!-- jump_to_middle -->\n"
		"Title\n"
		"=====\n"
		"<!-- column_layout: [1, 2] -->\n"		/* 15 */
		"<!-- column: 0 -->\n"
		"![a diagram](img/x.png) and [docs](https://x.org)\n"
		"<!-- reset_layout -->\n"
		"<!-- a plain comment -->\n"
		"<!-- new_lines: 2 -->\n"			/* 20 */
		"\n"
		"<div class=\"x\">\n"
		"  <b>html</b>\n"
		"</div>\n"
		"\n"						/* 25 */
		"<!-- incremental_lists: true -->\n"
		"* a\n"
		"* b\n"
		"* c\n"
		"<!-- skip_slide -->\n"				/* 30 */
		"\n"
		"---\n"
		"\n"
		"> a quote stays text\n"
		"<!-- user_comment: for the author -->\n"	/* 35 */
		"<!-- font_size: 2 --> trailing\n");
	static const struct {
		unsigned line;
		const char *what;
	} want[] = {
		{ 3, "front matter: 'sub_title' is not used by lockstep" },
		{ 8, "no theme named 'catppuccin-mocha'" },
		{ 9, "front matter: 'options' is not used by lockstep" },
		{ 12, "<!-- jump_to_middle --> is not supported: skipped" },
		{ 15, "<!-- column_layout --> is not supported: skipped" },
		{ 16, "<!-- column --> is not supported: skipped" },
		{ 18, "<!-- reset_layout --> is not supported: skipped" },
		{ 22, "HTML is not shown: skipped to the next blank line" },
		{ 36, "text after a comment on the same line is not shown" },
		{ 36, "<!-- font_size --> is not supported: skipped" },
	};
	const struct deck_block *b;
	size_t i;

	ck_assert_str_eq(d->author, "Ada, Grace");
	ck_assert_str_eq(d->theme, "catppuccin-mocha");
	ck_assert_uint_eq(d->nwarnings, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < d->nwarnings; i++) {
		ck_assert_uint_eq(d->warnings[i].line, want[i].line);
		ck_assert_msg(strstr(d->warnings[i].what, want[i].what),
			      "warning %zu: '%s'", i, d->warnings[i].what);
	}
	/* skip_slide dropped the first slide. */
	ck_assert_uint_eq(d->nslides, 1);
	b = block(d, 0, 0);
	ck_assert_uint_eq(b->kind, DECK_PARAGRAPH);
	ck_assert_str_eq(b->text, "> a quote stays text");
	deck_free(d);

	/* Without skip_slide: the note, the blank lines, the pauses. */
	d = must_parse(
		"Title\n"
		"=====\n"
		"![a diagram](img/x.png)\n"
		"<!-- new_lines: 2 -->\n"
		"<div>\n"
		"</div>\n"
		"\n"
		"<!-- incremental_lists: true -->\n"
		"* a\n"
		"* b\n"
		"* c\n");
	ck_assert_uint_eq(d->nslides, 1);
	ck_assert_str_eq(d->slides[0].title, "Title");
	ck_assert_uint_eq(block(d, 0, 0)->kind, DECK_HEADING);
	ck_assert_uint_eq(block(d, 0, 0)->level, 1);
	ck_assert_str_eq(block(d, 0, 1)->text, "![a diagram](img/x.png)");
	ck_assert_uint_eq(block(d, 0, 2)->kind, DECK_BLANK);
	ck_assert_uint_eq(block(d, 0, 2)->count, 2);
	ck_assert_uint_eq(block(d, 0, 3)->kind, DECK_NOTE);
	ck_assert_str_eq(block(d, 0, 3)->text, "[HTML not shown]");
	ck_assert_uint_eq(block(d, 0, 4)->kind, DECK_ITEM);
	ck_assert_uint_eq(block(d, 0, 5)->kind, DECK_PAUSE);
	ck_assert_uint_eq(block(d, 0, 6)->kind, DECK_ITEM);
	ck_assert_uint_eq(block(d, 0, 7)->kind, DECK_PAUSE);
	ck_assert_uint_eq(block(d, 0, 8)->kind, DECK_ITEM);
	ck_assert_uint_eq(d->slides[0].pauses, 2);
	deck_free(d);
}
END_TEST

START_TEST(test_slide_breaks)
{
	struct deck *d = must_parse(
		"---\n"
		"---\n"
		"---\n"
		"One\n"
		"\n"
		"***\n"
		"Two\n"
		"---\n"
		"text\n"
		"\n"
		"___\n"
		"\n"
		"# Three\n"
		"---\n"
		"<!-- end_slide -->\n"
		"<!-- end_slide -->\n"
		"<!-- speaker_note: notes alone make a slide -->\n"
		"---\n");
	const struct deck_slide *s;

	/* Front matter (empty), then: One | Two (setext) + text | Three
	 * (an ATX heading is never underlined) | the notes-only slide. */
	ck_assert_uint_eq(d->nslides, 4);
	ck_assert_str_eq(block(d, 0, 0)->text, "One");
	ck_assert_uint_eq(d->slides[0].nblocks, 1);
	s = &d->slides[1];
	ck_assert_uint_eq(s->nblocks, 2);
	ck_assert_uint_eq(s->blocks[0].kind, DECK_HEADING);
	ck_assert_uint_eq(s->blocks[0].level, 2);
	ck_assert_str_eq(s->blocks[1].text, "text");
	s = &d->slides[2];
	ck_assert_uint_eq(s->nblocks, 1);
	ck_assert_str_eq(s->title, "Three");
	s = &d->slides[3];
	ck_assert_uint_eq(s->nblocks, 0);
	ck_assert_str_eq(s->notes, "notes alone make a slide");
	deck_free(d);
}
END_TEST

START_TEST(test_inline_and_breaks)
{
	struct deck *d = must_parse(
		"A line with a hard break  \n"
		"next\\\n"
		"last\n"
		"\n"
		"- item\n"
		"\n"
		"  second paragraph of the item\n"
		"\n"
		"after the list\n"
		"#not a heading\n"
		"####### seven\n"
		"## closed ##\n"
		"\n"
		"    - indented item\n"
		"```\n"
		"unterminated info is fine\n"
		"```\n");

	ck_assert_str_eq(block(d, 0, 0)->text,
			 "A line with a hard break\nnext\nlast");
	ck_assert_str_eq(block(d, 0, 1)->text,
			 "item\nsecond paragraph of the item");
	ck_assert_uint_eq(block(d, 0, 2)->kind, DECK_PARAGRAPH);
	ck_assert_str_eq(block(d, 0, 2)->text,
			 "after the list #not a heading ####### seven");
	ck_assert_uint_eq(block(d, 0, 3)->kind, DECK_HEADING);
	ck_assert_str_eq(block(d, 0, 3)->text, "closed");
	ck_assert_uint_eq(block(d, 0, 4)->kind, DECK_ITEM);
	ck_assert_uint_eq(block(d, 0, 5)->kind, DECK_CODE);
	ck_assert_ptr_null(block(d, 0, 5)->info);
	deck_free(d);
}
END_TEST

/* Each mistake, the line it is reported on, and what is said. */
static const struct {
	const char *text;
	const char *message;	/* after "DIR/deck.md:" */
} bad[] = {
	{ "---\ntitle: x\n", "1: front matter opened here is never closed" },
	{ "---\ntitle: x\nnot a pair\n---\n",
	  "3: front matter: expected 'key: value', got 'not a pair'" },
	{ "---\ntitle: a\ntitle: b\n---\n",
	  "3: front matter: title is given twice (first on line 2)" },
	{ "---\n  indented: x\n---\n",
	  "2: front matter: an indented line must be under a key" },
	{ "---\ntheme:\n  name: a\n  path: b\n---\n",
	  "4: front matter: the theme is given twice (first on line 3)" },
	{ "---\ntheme: bad.theme\n---\nx\n", "2: theme: " },
	{ "---\ntheme:\n  path: ''\n---\nx\n",
	  "3: front matter: theme has no value" },
	{ "# t\n\n```lockstep\nscene: nope\n```\n",
	  "4: unknown scene 'nope' (scenes: pool, prodcons, rwlock," },
	{ "```lockstep\nscene: race\nset: fix=none, colour=red\n```\n",
	  "3: scene race has no parameter 'colour'; it has: fix, adders, adds" },
	{ "```lockstep\nscene: race\nset: fix=maybe\n```\n",
	  "3: bad value 'maybe' for fix: want none, mutex or atomic" },
	{ "```lockstep\nscene: race\nset: fix=none,,adders=2\n```\n",
	  "3: set: an empty item between commas" },
	{ "```lockstep\nscene: race\nset: fix\n```\n",
	  "3: set: wants key=value, comma-separated, got 'fix'" },
	{ "```lockstep\nscene: race\ncolor: red\n```\n",
	  "3: lockstep block: unknown key 'color' (keys: scene, script, set" },
	{ "```lockstep\nscene: race\nscene: race\n```\n",
	  "3: lockstep block: scene is given twice (first on line 2)" },
	{ "```lockstep\nmode: step\n```\n",
	  "1: lockstep block: name what to show with 'scene: NAME'" },
	{ "```lockstep\nscene: puzzle.lss\n```\n",
	  "2: 'puzzle.lss' is a script: say 'script: puzzle.lss'" },
	{ "```lockstep\nscene: race\nscript: puzzle.lss\n```\n",
	  "3: lockstep block: give scene: or script:, not both" },
	{ "```lockstep\nscript: gone.lss\n```\n", "2: script 'gone.lss' not found (looked for " },
	{ "```lockstep\nscene: race\nmode: replay\nschedule: gone.sched\n```\n",
	  "4: schedule 'gone.sched' not found" },
	{ "```lockstep\nscene: race\nschedule: race.sched\n```\n",
	  "3: schedule: is for mode: replay" },
	{ "```lockstep\nscene: race\nmode: replay\n```\n",
	  "3: mode: replay needs a schedule: file" },
	{ "```lockstep\nscene: race\nmode: fast\n```\n",
	  "3: mode is run, paused, step or replay, not 'fast'" },
	{ "```lockstep\nscene:\n```\n", "2: lockstep block: scene has no value" },
	{ "```lockstep\nscene race\n```\n",
	  "2: lockstep block: expected 'key: value', got 'scene race'" },
	{ "x\n\n```lockstep\nscene: race\n", "3: lockstep block opened here is never closed" },
	{ "x\n```python\nprint()\n", "2: code block opened here is never closed" },
	{ "x\n<!-- speaker_note: a\nb\n", "2: comment opened here is never closed" },
	{ "```lockstep\nscene: race\n```\n```lockstep\nscene: pool\n```\n",
	  "4: a slide shows one live scene; this one already has the scene on line 1" },
	{ "\n\n<!-- only a comment -->\n", "3: the deck has no slides" },
	{ "", "1: the deck has no slides" },
};

START_TEST(test_errors)
{
	struct deck *d = (struct deck *)1;
	char err[1024], want[1024];
	int rc;

	rc = deck_parse(bad[_i].text, strlen(bad[_i].text), deck_path, &d,
			err, sizeof(err));
	ck_assert_msg(rc == -EINVAL, "case %d opened", _i);
	ck_assert_ptr_null(d);
	snprintf(want, sizeof(want), "%s:%s", deck_path, bad[_i].message);
	ck_assert_msg(!strncmp(err, want, strlen(want)),
		      "case %d: got '%s', want '%s...'", _i, err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_not_text_and_files)
{
	static const char nul[] = "# a\nb\0c\n";
	struct deck *d;
	char err[1024], want[256];
	FILE *f;

	ck_assert_int_eq(deck_parse(nul, sizeof(nul) - 1, deck_path, &d, err,
				    sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: a NUL byte", deck_path);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "%s", err);
	ck_assert_int_eq(deck_open("/nonexistent/deck.md", &d, err,
				   sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/deck.md: No such file or "
			 "directory");
	/* deck_open reads the file, and paths are the file's. */
	f = fopen(deck_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("\xef\xbb\xbf# Title\r\n\r\n```lockstep\r\nscene: race\r\n"
	      "mode: replay\r\nschedule: race.sched\r\n```\r\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(deck_open(deck_path, &d, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_str_eq(d->slides[0].title, "Title");
	ck_assert_ptr_nonnull(strstr(d->slides[0].scene->schedule, dir));
	deck_free(d);
	deck_free(NULL);
}
END_TEST

/* The index of the first slide from slide `from` on that shows scene
 * with fix (or, when fixed is true, with any fix but none); -1 if none. */
static int
scene_slide(const struct deck *d, unsigned from, const char *scene,
	    const char *fix, bool fixed)
{
	const struct deck_scene *sc;
	char v[32];
	unsigned i;
	int k;

	for (i = from; i < d->nslides; i++) {
		sc = d->slides[i].scene;
		if (!sc || !sc->def || strcmp(sc->def->name, scene))
			continue;
		k = scene_param_index(sc->def, "fix");
		v[0] = '\0';
		if (k >= 0)
			scene_param_format(sc->def, (unsigned)k, sc->params[k],
					   v, sizeof(v));
		if ((fix && strcmp(v, fix)) || (fixed && !strcmp(v, "none")))
			continue;
		return (int)i;
	}
	return -1;
}

/* The shipped deck opens clean and teaches the topic in order: a pool,
 * then each hazard broken (stepped or paused) and fixed, sizing,
 * producer-consumer, read-write locks, the torn deploy, the quick
 * reference; every slide has a title and speaker notes. */
START_TEST(test_shipped_deck)
{
	static const char *const hazards[] = { "race", "deadlock",
					       "starvation" };
	char path[4096], err[1024];
	struct deck *d;
	int at, last;
	unsigned i;

	ck_assert_int_eq(datadir_find("decks", "concurrency.md", path,
				      sizeof(path)), 0);
	ck_assert_msg(deck_open(path, &d, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < d->nwarnings; i++)
		ck_abort_msg("%s:%u: %s", path, d->warnings[i].line,
			     d->warnings[i].what);
	ck_assert_str_eq(d->theme, "projector");
	ck_assert_ptr_nonnull(d->title);
	/* About two minutes a slide for a 45-minute lesson. */
	ck_assert_uint_ge(d->nslides, 20);
	ck_assert_uint_le(d->nslides, 32);
	for (i = 0; i < d->nslides; i++) {
		ck_assert_msg(d->slides[i].title, "slide %u has no title", i);
		ck_assert_msg(d->slides[i].notes && strlen(d->slides[i].notes)
						> 40,
			      "slide %u (%s) has no speaker notes", i,
			      d->slides[i].title);
	}
	ck_assert_str_eq(d->slides[d->nslides - 1].title, "Quick reference");
	last = scene_slide(d, 0, "pool", NULL, false);
	ck_assert_int_ge(last, 0);
	for (i = 0; i < 3; i++) {
		/* Broken first, stepped or paused, after what came before. */
		at = scene_slide(d, 0, hazards[i], "none", false);
		ck_assert_msg(at > last, "%s comes out of order", hazards[i]);
		ck_assert(d->slides[at].scene->mode == DECK_MODE_STEP ||
			  d->slides[at].scene->mode == DECK_MODE_PAUSED);
		/* Then fixed, live. */
		last = scene_slide(d, (unsigned)at, hazards[i], NULL, true);
		ck_assert_msg(last > at, "no slide fixes %s", hazards[i]);
	}
	at = scene_slide(d, 0, "sizing", NULL, false);
	ck_assert_int_gt(at, last);
	last = scene_slide(d, 0, "prodcons", NULL, false);
	ck_assert_int_gt(last, at);
	at = scene_slide(d, 0, "rwlock", NULL, false);
	ck_assert_int_gt(at, last);
	last = scene_slide(d, 0, "deploy", "none", false);
	ck_assert_int_gt(last, at);
	deck_free(d);
}
END_TEST

static Suite *
deck_suite(void)
{
	Suite *s = suite_create("deck");
	TCase *tc = tcase_create("deck");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_representative);
	tcase_add_test(tc, test_live_scene_forms);
	tcase_add_test(tc, test_foreign_deck);
	tcase_add_test(tc, test_slide_breaks);
	tcase_add_test(tc, test_inline_and_breaks);
	tcase_add_loop_test(tc, test_errors, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_not_text_and_files);
	tcase_add_test(tc, test_shipped_deck);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(deck_suite());
}
