/*
 * themefile.c - read theme files (themefile.h).
 *
 * A line is `key = value`.  Keys are the roles (themefile_role_name) and
 * four settings: foreground, background, bars, description.  A role's
 * value is a style: colour words, `on` and a background colour, attribute
 * words, or `plain`.  Everything is checked, and the first problem is
 * reported with its line; a theme is used whole or not at all.
 */
#include "config.h"

#include "ui/themefile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/datadir.h"
#include "util/file.h"

/* A theme is a few dozen short lines; more is not a theme. */
#define THEMEFILE_MAX_BYTES 65536
#define THEMEFILE_MAX_LINE 512

static const char *const role_names[THEME_ROLE_COUNT] = {
	[THEME_RUNNING] = "running",
	[THEME_IDLE] = "idle",
	[THEME_SLEEPING] = "sleeping",
	[THEME_BLOCKED] = "blocked",
	[THEME_PARKED] = "parked",
	[THEME_DONE] = "done",
	[THEME_TITLE] = "title",
	[THEME_DIM] = "dim",
	[THEME_CHANGED] = "changed",
	[THEME_ALERT] = "alert",
	[THEME_OK] = "ok",
	[THEME_BADGE_RUN] = "badge_run",
	[THEME_BADGE_PAUSE] = "badge_pause",
	[THEME_BADGE_STEP] = "badge_step",
	[THEME_BAR_FILL] = "bar_fill",
	[THEME_SELECTED] = "selected",
	[THEME_BORDER] = "border",
	[THEME_HEADING] = "heading",
	[THEME_SUBHEADING] = "subheading",
	[THEME_STRONG] = "strong",
	[THEME_EMPHASIS] = "emphasis",
	[THEME_CODE] = "code",
	[THEME_NOTE] = "note",
};

static const char *const colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	uint16_t bit;
} attr_names[] = {
	{ "bold", THEME_BOLD },
	{ "dim", THEME_FAINT },
	{ "faint", THEME_FAINT },
	{ "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE },
	{ "italic", THEME_ITALIC },
	{ "standout", THEME_STANDOUT },
};

const char *
themefile_role_name(unsigned role)
{
	return role < THEME_ROLE_COUNT ? role_names[role] : NULL;
}

#define STYLE(f, b, a) \
	((struct theme_style){ .fg = (f), .bg = (b), .attrs = (a) })

void
themefile_builtin(struct theme_file *t)
{
	const int16_t d = THEME_DEFAULT;
	unsigned i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "default");
	snprintf(t->description, sizeof(t->description),
		 "the terminal's own colours; for a dark screen");
	t->foreground = d;
	t->background = d;
	/* No dark blue on a dark screen (issue 9): idle is white. */
	t->role[THEME_RUNNING] = STYLE(2, d, THEME_BOLD);
	t->role[THEME_IDLE] = STYLE(7, d, 0);
	t->role[THEME_SLEEPING] = STYLE(6, d, 0);
	t->role[THEME_BLOCKED] = STYLE(1, d, THEME_BOLD);
	t->role[THEME_PARKED] = STYLE(3, d, THEME_BOLD);
	t->role[THEME_DONE] = STYLE(d, d, THEME_FAINT);
	t->role[THEME_TITLE] = STYLE(6, d, THEME_BOLD);
	t->role[THEME_DIM] = STYLE(d, d, THEME_FAINT);
	t->role[THEME_CHANGED] = STYLE(d, d, THEME_BOLD | THEME_UNDERLINE);
	t->role[THEME_ALERT] = STYLE(7, 1, THEME_BOLD);
	t->role[THEME_OK] = STYLE(2, d, THEME_BOLD);
	t->role[THEME_BADGE_RUN] = STYLE(0, 2, THEME_BOLD);
	t->role[THEME_BADGE_PAUSE] = STYLE(0, 3, THEME_BOLD);
	t->role[THEME_BADGE_STEP] = STYLE(0, 6, THEME_BOLD);
	t->role[THEME_BAR_FILL] = STYLE(2, d, 0);
	t->role[THEME_SELECTED] = STYLE(d, d, THEME_REVERSE);
	t->role[THEME_BORDER] = STYLE(d, d, 0);
	t->role[THEME_HEADING] = STYLE(6, d, THEME_BOLD);
	t->role[THEME_SUBHEADING] = STYLE(d, d, THEME_BOLD);
	t->role[THEME_STRONG] = STYLE(d, d, THEME_BOLD);
	t->role[THEME_EMPHASIS] = STYLE(d, d, THEME_UNDERLINE);
	t->role[THEME_CODE] = STYLE(3, d, 0);
	t->role[THEME_NOTE] = STYLE(d, d, THEME_FAINT);
	for (i = 0; i < THEME_ROLE_COUNT; i++)
		t->given[i] = true;
}

/* The parser's position, for messages. */
struct themefile_ctx {
	const char *fname;
	unsigned line;
	char *err;
	size_t errn;
};

static int
fail(struct themefile_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(struct themefile_ctx *c, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errn, "%s:%u: %s", c->fname, c->line, what);
	return -EINVAL;
}

/* A colour word: returns 0..255, THEME_DEFAULT, or INT_MIN if none. */
static int
parse_colour(const char *w)
{
	const char *num = NULL;
	char *end;
	unsigned i;
	long v;

	if (!strcmp(w, "default"))
		return THEME_DEFAULT;
	if (!strcmp(w, "grey") || !strcmp(w, "gray"))
		return 8;
	for (i = 0; i < 8; i++) {
		if (!strcmp(w, colour_names[i]))
			return (int)i;
		if (!strncmp(w, "bright-", 7) &&
		    !strcmp(w + 7, colour_names[i]))
			return (int)i + 8;
	}
	if (!strncmp(w, "color", 5))
		num = w + 5;
	else if (!strncmp(w, "colour", 6))
		num = w + 6;
	if (!num || !isdigit((unsigned char)*num))
		return INT_MIN;
	errno = 0;
	v = strtol(num, &end, 10);
	if (errno || *end || v < 0 || v > 255)
		return INT_MIN;
	return (int)v;
}

static uint16_t
parse_attr(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (!strcmp(w, attr_names[i].name))
			return attr_names[i].bit;
	return 0;
}

/* Split s in place into whitespace-separated words; returns how many
 * (at most max; more is reported as max + 1). */
static unsigned
split_words(char *s, char **w, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		while (*s && isspace((unsigned char)*s))
			*s++ = '\0';
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
	}
}

#define MAX_WORDS 12

static int
parse_style(struct themefile_ctx *c, char *value, struct theme_style *st)
{
	char *w[MAX_WORDS];
	unsigned n = split_words(value, w, MAX_WORDS), i;
	bool fg_set = false, bg_set = false;
	uint16_t bit;
	int col;

	*st = STYLE(THEME_DEFAULT, THEME_DEFAULT, 0);
	if (n == 0)
		return fail(c, "no style: give colours and attributes, or "
			    "'plain'");
	if (n > MAX_WORDS)
		return fail(c, "too many words in one style (at most %d)",
			    MAX_WORDS);
	if (!strcmp(w[0], "plain"))
		return n == 1 ? 0 : fail(c, "'plain' stands alone: it means "
					 "no colour and no attribute");
	for (i = 0; i < n; i++) {
		if (!strcmp(w[i], "on")) {
			if (i + 1 == n)
				return fail(c, "'on' needs a background colour "
					    "after it");
			col = parse_colour(w[++i]);
			if (col == INT_MIN)
				return fail(c, "'%s' after 'on' is not a "
					    "colour", w[i]);
			if (bg_set)
				return fail(c, "two background colours");
			st->bg = (int16_t)col;
			bg_set = true;
		} else if ((col = parse_colour(w[i])) != INT_MIN) {
			if (fg_set)
				return fail(c, "two foreground colours (a "
					    "background needs 'on' before "
					    "it)");
			st->fg = (int16_t)col;
			fg_set = true;
		} else if ((bit = parse_attr(w[i]))) {
			st->attrs |= bit;
		} else if (!strcmp(w[i], "plain")) {
			return fail(c, "'plain' stands alone: it means no "
				    "colour and no attribute");
		} else {
			return fail(c, "'%s' is not a colour or an attribute "
				    "(colours: black, red, green, yellow, "
				    "blue, magenta, cyan, white, bright-RED "
				    "and so on, grey, default, color0 to "
				    "color255; attributes: bold, dim, "
				    "underline, reverse, italic, standout)",
				    w[i]);
		}
	}
	return 0;
}

/* "running, idle, ..." for messages. */
static void
role_list(char *buf, size_t n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < THEME_ROLE_COUNT && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 i ? ", " : "", role_names[i]);
}

static int
parse_setting(struct themefile_ctx *c, const char *key, char *value,
	      struct theme_file *t)
{
	char *w[2];
	unsigned n;
	int col;

	if (!strcmp(key, "description")) {
		snprintf(t->description, sizeof(t->description), "%s", value);
		return 0;
	}
	n = split_words(value, w, 1);
	if (n != 1)
		return fail(c, "%s takes one word", key);
	if (!strcmp(key, "bars")) {
		if (strcmp(w[0], "thin") && strcmp(w[0], "thick"))
			return fail(c, "bars is thin or thick, not '%s'", w[0]);
		t->thick_bars = !strcmp(w[0], "thick");
		return 0;
	}
	col = parse_colour(w[0]);
	if (col == INT_MIN)
		return fail(c, "'%s' is not a colour", w[0]);
	if (!strcmp(key, "foreground"))
		t->foreground = (int16_t)col;
	else
		t->background = (int16_t)col;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One line (NUL-terminated, no newline).  seen[] holds the line each key
 * was first set on. */
static int
parse_line(struct themefile_ctx *c, char *line, struct theme_file *t,
	   unsigned *seen)
{
	static const char *const settings[] = {
		"foreground", "background", "bars", "description",
	};
	char *hash = strchr(line, '#'), *eq, *key, *value, roles[512];
	unsigned i, k;
	int err;

	if (hash)
		*hash = '\0';
	key = trim(line);
	if (!*key)
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return fail(c, "expected 'role = style', got '%s'", key);
	*eq = '\0';
	value = trim(eq + 1);
	key = trim(key);
	if (!*key)
		return fail(c, "nothing before '='");
	for (k = 0; k < THEME_ROLE_COUNT; k++)
		if (!strcmp(key, role_names[k]))
			break;
	if (k == THEME_ROLE_COUNT) {
		for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
			if (!strcmp(key, settings[i]))
				break;
		if (i == sizeof(settings) / sizeof(settings[0])) {
			role_list(roles, sizeof(roles));
			return fail(c, "unknown role '%s' (roles: %s; "
				    "settings: foreground, background, bars, "
				    "description)", key, roles);
		}
		k = THEME_ROLE_COUNT + i;
	}
	if (seen[k])
		return fail(c, "%s is set twice (first on line %u)", key,
			    seen[k]);
	seen[k] = c->line;
	if (k >= THEME_ROLE_COUNT)
		return parse_setting(c, key, value, t);
	err = parse_style(c, value, &t->role[k]);
	if (!err)
		t->given[k] = true;
	return err;
}

int
themefile_parse(const char *text, size_t n, const char *fname,
		struct theme_file *t, char *err, size_t errn)
{
	struct themefile_ctx c = {
		.fname = fname, .line = 0, .err = err, .errn = errn,
	};
	unsigned seen[THEME_ROLE_COUNT + 4] = { 0 };
	char line[THEMEFILE_MAX_LINE + 1];
	size_t pos = 0, len;
	const char *nl;
	unsigned i;
	int rc = 0;

	themefile_builtin(t);
	for (i = 0; i < THEME_ROLE_COUNT; i++)
		t->given[i] = false;
	t->name[0] = '\0';
	t->description[0] = '\0';
	if (n > THEMEFILE_MAX_BYTES) {
		c.line = 1;
		return fail(&c, "%zu bytes is too big for a theme (at most %d)",
			    n, THEMEFILE_MAX_BYTES);
	}
	while (pos < n && !rc) {
		c.line++;
		nl = memchr(text + pos, '\n', n - pos);
		len = nl ? (size_t)(nl - (text + pos)) : n - pos;
		if (memchr(text + pos, '\0', len))
			return fail(&c, "a NUL byte: this is not a text file");
		if (len > THEMEFILE_MAX_LINE)
			return fail(&c, "line longer than %d bytes",
				    THEMEFILE_MAX_LINE);
		memcpy(line, text + pos, len);
		line[len] = '\0';
		rc = parse_line(&c, line, t, seen);
		pos += len + (nl != NULL);
	}
	if (!rc && err && errn)
		err[0] = '\0';
	return rc;
}

/* A spec names a file when it has a '/' or ends in ".theme". */
static int
spec_is_path(const char *spec)
{
	size_t len = strlen(spec);

	return strchr(spec, '/') ||
	       (len > 6 && !strcmp(spec + len - 6, ".theme"));
}

int
themefile_find(const char *spec, char *path, size_t n, char *err,
	       size_t errn)
{
	char file[THEME_NAME_MAX + 8], known[512];
	char **names = NULL;
	size_t used = 0;
	int count, i, rc;

	if (spec_is_path(spec)) {
		if ((size_t)snprintf(path, n, "%s", spec) >= n) {
			snprintf(err, errn, "%s: path too long", spec);
			return -ENAMETOOLONG;
		}
		return 0;
	}
	if (!*spec || strlen(spec) >= THEME_NAME_MAX) {
		rc = -ENOENT;
		goto unknown;
	}
	snprintf(file, sizeof(file), "%s.theme", spec);
	rc = datadir_find("themes", file, path, n);
	if (!rc)
		return 0;
unknown:
	known[0] = '\0';
	count = themefile_list(&names);
	for (i = 0; i < count && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used,
					 "%s%s", i ? ", " : "", names[i]);
	datadir_list_free(names);
	snprintf(err, errn, "no theme named '%s' (themes: %s)", spec,
		 count > 0 ? known : "none found; set LOCKSTEP_DATADIR");
	return rc;
}

int
themefile_load(const char *spec, struct theme_file *t, char *err,
	       size_t errn)
{
	char path[4096], *buf;
	const char *base;
	size_t n, dot;
	int rc;

	rc = themefile_find(spec, path, sizeof(path), err, errn);
	if (rc)
		return rc;
	/* One byte over the limit is enough to refuse the file. */
	rc = file_read(path, THEMEFILE_MAX_BYTES + 1, &buf, &n, err, errn);
	if (rc)
		return rc;
	rc = themefile_parse(buf, n, path, t, err, errn);
	free(buf);
	if (rc)
		return rc;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strlen(base);
	if (dot > 6 && !strcmp(base + dot - 6, ".theme"))
		dot -= 6;
	snprintf(t->name, sizeof(t->name), "%.*s", (int)dot, base);
	return 0;
}

int
themefile_list(char ***names)
{
	return datadir_list("themes", ".theme", names);
}
