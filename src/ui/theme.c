/*
 * theme.c - what each state looks like.
 *
 * A state always has a glyph and a colour, and the glyph alone tells it:
 * with NO_COLOR set, on a monochrome terminal, or for a viewer who cannot
 * tell red from green, the screen still reads.  UTF-8 glyphs and box
 * drawing where the locale allows, plain ASCII otherwise.  The colours and
 * attributes come from a theme file (ui/themefile.h), parsed without
 * curses; this file turns one into curses pairs and attributes.
 */
#include "config.h"

#include "ui/ui.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ui/themefile.h"
#include "util/datadir.h"

_Static_assert(THEME_DONE - THEME_RUNNING == LS_STATE_DONE - LS_STATE_RUNNING &&
		       LS_STATE_COUNT == LS_STATE_DONE + 1,
	       "the state roles follow enum ls_thread_state");

/* Glyphs: fixed, whatever the theme (a state always has its twin). */
static void
theme_glyphs(struct theme *t, bool utf8)
{
	static const char *const glyph_utf8[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "▶", [LS_STATE_IDLE] = "·",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "■",
		[LS_STATE_PARKED] = "‖", [LS_STATE_DONE] = "✓",
	};
	static const char *const glyph_ascii[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = ">", [LS_STATE_IDLE] = ".",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "#",
		[LS_STATE_PARKED] = "|", [LS_STATE_DONE] = "x",
	};
	static const char *const strip_utf8[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "█", [LS_STATE_IDLE] = "·",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "▒",
		[LS_STATE_PARKED] = "‖", [LS_STATE_DONE] = " ",
	};
	static const char *const strip_ascii[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "#", [LS_STATE_IDLE] = ".",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "X",
		[LS_STATE_PARKED] = "|", [LS_STATE_DONE] = " ",
	};
	static const char *const spark_utf8[8] = {
		"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█",
	};
	static const char *const spark_ascii[8] = {
		"_", ".", "-", "-", "=", "=", "#", "#",
	};
	int i;

	t->utf8 = utf8;
	for (i = 0; i < LS_STATE_COUNT; i++) {
		t->state_glyph[i] = utf8 ? glyph_utf8[i] : glyph_ascii[i];
		t->strip_glyph[i] = utf8 ? strip_utf8[i] : strip_ascii[i];
	}
	for (i = 0; i < 8; i++)
		t->spark[i] = utf8 ? spark_utf8[i] : spark_ascii[i];
	t->h = utf8 ? "─" : "-";
	t->v = utf8 ? "│" : "|";
	t->tl = utf8 ? "┌" : "+";
	t->tr = utf8 ? "┐" : "+";
	t->bl = utf8 ? "└" : "+";
	t->br = utf8 ? "┘" : "+";
	t->bar_full = utf8 ? "█" : "#";
	t->bar_empty = utf8 ? "░" : ".";
	t->arrow = utf8 ? "→" : "->";
}

/* The RGB of xterm palette colour c (16..255): the 6x6x6 cube, then the
 * grey ramp. */
static void
palette_rgb(int c, int rgb[3])
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (c >= 232) {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
		return;
	}
	c -= 16;
	rgb[0] = level[c / 36];
	rgb[1] = level[c / 6 % 6];
	rgb[2] = level[c % 6];
}

/* The one of the first n (8 or 16) colours nearest to palette colour c. */
static short
nearest_basic(int c, int n)
{
	/* xterm's defaults for the sixteen. */
	static const int basic[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 },
		{ 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 },
		{ 0, 255, 0 }, { 255, 255, 0 }, { 92, 92, 255 },
		{ 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	int rgb[3], i, k, d, best = 0, best_d = -1;

	palette_rgb(c, rgb);
	for (i = 0; i < n; i++) {
		for (d = 0, k = 0; k < 3; k++)
			d += (rgb[k] - basic[i][k]) * (rgb[k] - basic[i][k]);
		if (best_d < 0 || d < best_d) {
			best = i;
			best_d = d;
		}
	}
	return (short)best;
}

/*
 * A theme colour on this terminal: -1 for the default; a bright colour
 * (8..15) on an 8-colour terminal becomes its basic twin and asks for
 * bold (*bold, when not NULL), which is how such terminals show bright; a
 * palette colour the terminal lacks becomes the nearest one it has.
 */
static short
theme_colour(int c, bool *bold)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return (short)c;
	if (c >= 16)
		c = nearest_basic(c, COLORS >= 16 ? 16 : 8);
	if (c < COLORS)
		return (short)c;
	if (bold)
		*bold = true;
	return (short)(c - 8);
}

static attr_t
theme_attrs(unsigned a)
{
	attr_t r = 0;

	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_FAINT)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_STANDOUT)
		r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

/* The attribute of role: its own pair (pair number role + 1) when it has
 * a colour.  Without colour a role that has a background shows in reverse
 * video, so badges and the alert still stand out. */
static attr_t
theme_role(const struct theme_file *f, unsigned role, bool color)
{
	const struct theme_style *s = &f->role[role];
	attr_t a = theme_attrs(s->attrs);
	bool bold = false;
	short fg, bg;

	if (!color)
		return s->bg >= 0 ? a | A_REVERSE : a;
	if (s->fg < 0 && s->bg < 0)
		return a;
	fg = theme_colour(s->fg, &bold);
	bg = theme_colour(s->bg, NULL);
	init_pair((short)(role + 1), fg, bg);
	return a | COLOR_PAIR(role + 1) | (bold ? A_BOLD : 0);
}

void
theme_apply(struct theme *t, const struct theme_file *f, bool utf8,
	    bool color)
{
	unsigned i;

	theme_glyphs(t, utf8);
	t->color = color;
	if (color) {
		start_color();
		/* The theme's own screen colours, or the terminal's. */
		if (f->foreground >= 0 || f->background >= 0)
			assume_default_colors(
				theme_colour(f->foreground, NULL),
				theme_colour(f->background, NULL));
		else
			use_default_colors();
	}
	for (i = 0; i < LS_STATE_COUNT; i++)
		t->state_attr[i] = theme_role(f, THEME_RUNNING + i, color);
	t->title = theme_role(f, THEME_TITLE, color);
	t->dim = theme_role(f, THEME_DIM, color);
	t->changed = theme_role(f, THEME_CHANGED, color);
	t->alert = theme_role(f, THEME_ALERT, color);
	t->ok = theme_role(f, THEME_OK, color);
	t->badge_run = theme_role(f, THEME_BADGE_RUN, color);
	t->badge_pause = theme_role(f, THEME_BADGE_PAUSE, color);
	t->badge_step = theme_role(f, THEME_BADGE_STEP, color);
	t->bar_fill = theme_role(f, THEME_BAR_FILL, color);
	t->selected = theme_role(f, THEME_SELECTED, color);
	t->border = theme_role(f, THEME_BORDER, color);
	t->heading = theme_role(f, THEME_HEADING, color);
	t->subheading = theme_role(f, THEME_SUBHEADING, color);
	t->strong = theme_role(f, THEME_STRONG, color);
	t->emphasis = theme_role(f, THEME_EMPHASIS, color);
	t->code = theme_role(f, THEME_CODE, color);
	t->note = theme_role(f, THEME_NOTE, color);
	t->thick_bars = f->thick_bars;
	snprintf(t->name, sizeof(t->name), "%s", f->name);
}

void
theme_init(struct theme *t, bool utf8, bool color)
{
	struct theme_file f;

	themefile_builtin(&f);
	theme_apply(t, &f, utf8, color);
}

void
theme_start(struct theme *t, const struct theme_file *f, bool utf8,
	    bool color)
{
	if (f)
		theme_apply(t, f, utf8, color);
	else
		theme_init(t, utf8, color);
}

int
theme_cycle(struct theme *t, char *err, size_t n)
{
	struct theme_file f;
	char **names = NULL;
	int count, i, next = 0, rc;

	count = themefile_list(&names);
	if (count < 0) {
		snprintf(err, n, "out of memory");
		return count;
	}
	if (!count) {
		datadir_list_free(names);
		snprintf(err, n, "no shipped themes found");
		return -ENOENT;
	}
	/* After the current one in name order; from the first when the
	 * current one is a file of the user's or the built-in default. */
	for (i = 0; i < count; i++)
		if (!strcmp(names[i], t->name))
			next = (i + 1) % count;
	rc = themefile_load(names[next], &f, err, n);
	datadir_list_free(names);
	if (rc)
		return rc;
	theme_apply(t, &f, t->utf8, t->color);
	return 0;
}

void
theme_key(struct ui *u)
{
	char err[320], msg[360];

	if (theme_cycle(&u->theme, err, sizeof(err))) {
		app_say(u, err);
		return;
	}
	/* Every cell again: the screen's own colours may have changed. */
	clearok(curscr, TRUE);
	snprintf(msg, sizeof(msg), "theme: %s", u->theme.name);
	app_say(u, msg);
}
