/*
 * check_themefile.c - theme files and the data directory lookup: every
 * shipped theme reads, sets every role and keeps dark blue off a dark
 * screen; default.theme is the built-in theme; every mistake is refused
 * with its line; names and paths are found in the documented order.
 */
#include "checkutil.h"

#include <sys/stat.h>

#include "ui/themefile.h"
#include "util/datadir.h"
#include "src/util/datadir-paths.h"
#include "util/file.h"

static const char *const shipped[] = {
	"default", "high-contrast", "monochrome", "projector",
};

/* Use the source tree's themes, whatever is installed. */
static void
use_source_tree(void)
{
	ck_assert_int_eq(setenv("LOCKSTEP_DATADIR", DATADIR_SOURCE, 1), 0);
}

/* A new empty directory under /tmp; path gets its name. */
static void
temp_dir(char *path, size_t n)
{
	snprintf(path, n, "/tmp/lockstep-theme-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(path));
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* A dark blue: blue, or the palette's (0, 0, x) cube colours. */
static bool
dark_blue(int c)
{
	return c == 4 || (c >= 17 && c <= 21);
}

/* A dark background: black, grey 16 and the darkest of the grey ramp, or
 * the terminal's default, which is dark unless the theme says so. */
static bool
dark_background(int c)
{
	return c == 0 || c == 16 || (c >= 232 && c <= 235) || c == THEME_DEFAULT;
}

START_TEST(test_shipped_themes)
{
	struct theme_file t;
	char err[512], **names;
	unsigned i, r;
	int n;

	use_source_tree();
	n = themefile_list(&names);
	ck_assert_int_eq(n, (int)(sizeof(shipped) / sizeof(shipped[0])));
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		/* Listed sorted, each once. */
		ck_assert_str_eq(names[i], shipped[i]);
		ck_assert_msg(themefile_load(shipped[i], &t, err,
					     sizeof(err)) == 0, "%s", err);
		ck_assert_str_eq(t.name, shipped[i]);
		ck_assert_msg(t.description[0], "%s has no description",
			      shipped[i]);
		for (r = 0; r < THEME_ROLE_COUNT; r++) {
			const struct theme_style *s = &t.role[r];
			int fg = s->fg < 0 ? t.foreground : s->fg;
			int bg = s->bg < 0 ? t.background : s->bg;

			ck_assert_msg(t.given[r], "%s leaves out %s",
				      shipped[i], themefile_role_name(r));
			if (s->attrs & THEME_REVERSE) {
				int x = fg;

				fg = bg;
				bg = x;
			}
			ck_assert_msg(!(dark_blue(fg) && dark_background(bg)),
				      "%s: %s is dark blue on a dark screen",
				      shipped[i], themefile_role_name(r));
		}
	}
	ck_assert_ptr_null(names[n]);
	datadir_list_free(names);
}
END_TEST

START_TEST(test_default_is_builtin)
{
	struct theme_file file, builtin;
	char err[512];
	unsigned r;

	use_source_tree();
	ck_assert_msg(themefile_load("default", &file, err, sizeof(err)) == 0,
		      "%s", err);
	themefile_builtin(&builtin);
	ck_assert_int_eq(file.foreground, builtin.foreground);
	ck_assert_int_eq(file.background, builtin.background);
	ck_assert_int_eq(file.thick_bars, builtin.thick_bars);
	ck_assert_str_eq(file.description, builtin.description);
	for (r = 0; r < THEME_ROLE_COUNT; r++) {
		ck_assert_msg(file.role[r].fg == builtin.role[r].fg &&
				      file.role[r].bg == builtin.role[r].bg &&
				      file.role[r].attrs == builtin.role[r].attrs,
			      "default.theme and the built-in theme differ on %s",
			      themefile_role_name(r));
	}
}
END_TEST

START_TEST(test_styles)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"  running = bright-red on color17 bold underline  # trailing\n"
		"idle=plain\n"
		"blocked = on grey reverse\n"
		"parked = colour255 italic standout faint\n"
		"done = default on default\n"
		"foreground = red\n"
		"background = color232\n"
		"bars = thick\n"
		"description = a # cut here\n";
	struct theme_file t;
	char err[256];

	ck_assert_msg(themefile_parse(text, sizeof(text) - 1, "t.theme", &t,
				      err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(t.role[THEME_RUNNING].fg, 9);
	ck_assert_int_eq(t.role[THEME_RUNNING].bg, 17);
	ck_assert_uint_eq(t.role[THEME_RUNNING].attrs,
			  THEME_BOLD | THEME_UNDERLINE);
	ck_assert_int_eq(t.role[THEME_IDLE].fg, THEME_DEFAULT);
	ck_assert_int_eq(t.role[THEME_IDLE].bg, THEME_DEFAULT);
	ck_assert_uint_eq(t.role[THEME_IDLE].attrs, 0);
	ck_assert_int_eq(t.role[THEME_BLOCKED].fg, THEME_DEFAULT);
	ck_assert_int_eq(t.role[THEME_BLOCKED].bg, 8);
	ck_assert_uint_eq(t.role[THEME_BLOCKED].attrs, THEME_REVERSE);
	ck_assert_int_eq(t.role[THEME_PARKED].fg, 255);
	ck_assert_uint_eq(t.role[THEME_PARKED].attrs,
			  THEME_ITALIC | THEME_STANDOUT | THEME_FAINT);
	ck_assert(t.given[THEME_DONE]);
	ck_assert_int_eq(t.foreground, 1);
	ck_assert_int_eq(t.background, 232);
	ck_assert(t.thick_bars);
	ck_assert_str_eq(t.description, "a");
	/* Left out: the built-in style, and not marked as given. */
	ck_assert(!t.given[THEME_TITLE]);
	ck_assert_int_eq(t.role[THEME_TITLE].fg, 6);
	ck_assert_uint_eq(t.role[THEME_TITLE].attrs, THEME_BOLD);
	/* No final newline, CRLF-free: the last line still counts. */
	ck_assert_int_eq(themefile_parse("ok = green", 10, "t", &t, err,
					 sizeof(err)), 0);
	ck_assert_int_eq(t.role[THEME_OK].fg, 2);
}
END_TEST

static const struct {
	const char *text;
	const char *message;
} bad[] = {
	{ "running = gren\n", "t.theme:1: 'gren' is not a colour or an attribute" },
	{ "\n\nblockd = red\n", "t.theme:3: unknown role 'blockd' (roles: running, idle," },
	{ "running = red\n# x\nrunning = blue\n", "t.theme:3: running is set twice (first on line 1)" },
	{ "running\n", "t.theme:1: expected 'role = style', got 'running'" },
	{ " = red\n", "t.theme:1: nothing before '='" },
	{ "ok =\n", "t.theme:1: no style" },
	{ "ok = # nothing\n", "t.theme:1: no style" },
	{ "ok = red green\n", "t.theme:1: two foreground colours" },
	{ "ok = on red on green\n", "t.theme:1: two background colours" },
	{ "ok = red on\n", "t.theme:1: 'on' needs a background colour" },
	{ "ok = on bold\n", "t.theme:1: 'bold' after 'on' is not a colour" },
	{ "ok = plain bold\n", "t.theme:1: 'plain' stands alone" },
	{ "ok = bold plain\n", "t.theme:1: 'plain' stands alone" },
	{ "ok = color256\n", "t.theme:1: 'color256' is not a colour" },
	{ "ok = color-1\n", "t.theme:1: 'color-1' is not a colour" },
	{ "ok = color\n", "t.theme:1: 'color' is not a colour" },
	{ "ok = bright-grey\n", "t.theme:1: 'bright-grey' is not a colour" },
	{ "ok = a b c d e f g h i j k l m\n", "t.theme:1: too many words" },
	{ "bars = wide\n", "t.theme:1: bars is thin or thick, not 'wide'" },
	{ "bars = thin thick\n", "t.theme:1: bars takes one word" },
	{ "background = teal\n", "t.theme:1: 'teal' is not a colour" },
	{ "foreground =\n", "t.theme:1: foreground takes one word" },
	{ "bars = thin\nbars = thick\n", "t.theme:2: bars is set twice (first on line 1)" },
};

START_TEST(test_errors)
{
	const char *text = bad[_i].text;
	size_t n = strlen(text);
	struct theme_file t;
	char err[512];

	ck_assert_int_eq(themefile_parse(text, n, "t.theme", &t, err,
					 sizeof(err)), -EINVAL);
	ck_assert_msg(!strncmp(err, bad[_i].message, strlen(bad[_i].message)),
		      "case %d: got '%s', want '%s...'", _i, err,
		      bad[_i].message);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_not_text)
{
	static const char nul[] = "ok = red\nx\0y = 1\n";
	struct theme_file t;
	char err[256], *text;
	size_t n = 600;

	ck_assert_int_eq(themefile_parse(nul, sizeof(nul) - 1, "t", &t, err,
					 sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "t:2: a NUL byte: this is not a text file");

	text = malloc(70000);
	ck_assert_ptr_nonnull(text);
	memset(text, 'a', n);
	ck_assert_int_eq(themefile_parse(text, n, "t", &t, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "t:1: line longer than 512 bytes");
	memset(text, '\n', 70000);
	ck_assert_int_eq(themefile_parse(text, 70000, "t", &t, err,
					 sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "too big for a theme"), "%s", err);
	free(text);
}
END_TEST

START_TEST(test_find_by_name_and_path)
{
	char dir[64], sub[128], file[256], path[4096], err[512];
	struct theme_file t;

	temp_dir(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/themes", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/projector.theme", sub);
	write_file(file, "ok = red\n");
	/* LOCKSTEP_DATADIR comes first: it shadows the shipped projector. */
	ck_assert_int_eq(setenv("LOCKSTEP_DATADIR", dir, 1), 0);
	ck_assert_int_eq(themefile_find("projector", path, sizeof(path), err,
					sizeof(err)), 0);
	ck_assert_str_eq(path, file);
	ck_assert_int_eq(themefile_load("projector", &t, err, sizeof(err)), 0);
	ck_assert(!t.given[THEME_RUNNING]);
	/* What it lacks comes from the next root, the source tree (or an
	 * installed copy, which lies between the two). */
	ck_assert_int_eq(themefile_find("monochrome", path, sizeof(path), err,
					sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(path, "/themes/monochrome.theme"));
	/* A path is a path: no lookup. */
	ck_assert_int_eq(themefile_find(file, path, sizeof(path), err,
					sizeof(err)), 0);
	ck_assert_str_eq(path, file);
	ck_assert_int_eq(themefile_find("x.theme", path, sizeof(path), err,
					sizeof(err)), 0);
	ck_assert_str_eq(path, "x.theme");
	/* A file that is not there, and one with an error, by path. */
	ck_assert_int_eq(themefile_load("/nonexistent/x.theme", &t, err,
					sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "/nonexistent/x.theme: "), "%s", err);
	write_file(file, "ok = red\nok = blue\n");
	ck_assert_int_eq(themefile_load(file, &t, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "projector.theme:2: ok is set twice"), "%s",
		      err);
	/* An unknown name lists what there is. */
	ck_assert_int_eq(themefile_find("nope", path, sizeof(path), err,
					sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "no theme named 'nope' (themes: "), "%s",
		      err);
	ck_assert_msg(strstr(err, "default, high-contrast, monochrome, "
			     "projector"), "%s", err);
	ck_assert_int_eq(themefile_find("", path, sizeof(path), err,
					sizeof(err)), -ENOENT);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(test_datadir_order)
{
	const char *roots[DATADIR_ROOTS];
	char path[4096];

	ck_assert_int_eq(setenv("LOCKSTEP_DATADIR", "/somewhere", 1), 0);
	ck_assert_uint_eq(datadir_roots(roots), 3);
	ck_assert_str_eq(roots[0], "/somewhere");
	ck_assert_str_eq(roots[1], DATADIR_INSTALLED);
	ck_assert_str_eq(roots[2], DATADIR_SOURCE);
	ck_assert_int_eq(setenv("LOCKSTEP_DATADIR", "", 1), 0);
	ck_assert_uint_eq(datadir_roots(roots), 2);
	ck_assert_str_eq(roots[0], DATADIR_INSTALLED);
	ck_assert_int_eq(unsetenv("LOCKSTEP_DATADIR"), 0);
	ck_assert_uint_eq(datadir_roots(roots), 2);
	/* Found in the source tree; a path that does not fit is said so. */
	ck_assert_int_eq(datadir_find("themes", "default.theme", path, 8),
			 -ENAMETOOLONG);
	ck_assert_str_eq(path, "");
	ck_assert_int_eq(datadir_find("themes", "no.theme", path,
				      sizeof(path)), -ENOENT);
}
END_TEST

/* file_read: all of a file, or the first max bytes of a longer one. */
START_TEST(test_file_read)
{
	char dir[64], path[128], err[256], *buf, *big;
	size_t len, i;

	temp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	big = malloc(10001);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < 10000; i++)
		big[i] = (char)('a' + i % 26);
	big[10000] = '\0';
	write_file(path, big);
	ck_assert_int_eq(file_read(path, 100000, &buf, &len, err,
				   sizeof(err)), 0);
	ck_assert_uint_eq(len, 10000);
	ck_assert_str_eq(buf, big);
	free(buf);
	ck_assert_int_eq(file_read(path, 5000, &buf, &len, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(len, 5000);
	ck_assert(!memcmp(buf, big, 5000) && !buf[5000]);
	free(buf);
	write_file(path, "");
	ck_assert_int_eq(file_read(path, 10, &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	unlink(path);
	ck_assert_int_eq(file_read(path, 10, &buf, &len, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/f: No such file or directory"));
	ck_assert_ptr_null(buf);
	rmdir(dir);
	free(big);
}
END_TEST

static Suite *
themefile_suite(void)
{
	Suite *s = suite_create("themefile");
	TCase *tc = tcase_create("themefile");

	tcase_add_test(tc, test_shipped_themes);
	tcase_add_test(tc, test_default_is_builtin);
	tcase_add_test(tc, test_styles);
	tcase_add_loop_test(tc, test_errors, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_not_text);
	tcase_add_test(tc, test_find_by_name_and_path);
	tcase_add_test(tc, test_datadir_order);
	tcase_add_test(tc, test_file_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(themefile_suite());
}
