/*
 * present-draw.c - the presenter's screen: the slide laid out to the
 * terminal (present/slide.h) in the theme's slide styles, the live scene
 * in the rows the slide leaves it, drawn by the ui's own panels
 * (layout_panels) in a region, a status line with the slide counter and
 * where the keys go, and the help.
 *
 * A scene region as large as the ui's full screen (80x24) gets the ui's
 * own layout; a smaller one gets the class layout's idea in less room:
 * the header, the threads beside the objects, the lesson if rows are
 * left, the keys.  In step mode: the step view's columns beside the
 * shared values, the schedule strip, the keys.
 */
#include "config.h"

#include "ui/present-int.h"

#include <stdio.h>
#include <string.h>

/* Columns left and right of the slide's text; a row above it. */
#define MARGIN_NARROW 2
#define MARGIN_WIDE 4
#define TOP 1

static int
present_draw_margin(int cols)
{
	return cols >= 120 ? MARGIN_WIDE : MARGIN_NARROW;
}

bool
present_draw_relayout(struct present *p)
{
	struct slide_opts o = { .utf8 = p->theme.utf8 };
	int w = p->cols - 2 * present_draw_margin(p->cols);

	o.width = w > 0 ? (unsigned)w : 0;
	if (p->have_lay && p->lay_width == o.width)
		return true;
	if (p->have_lay)
		slide_layout_free(&p->lay);
	p->have_lay = false;
	p->lay_width = o.width;
	p->lay_failed = o.width < SLIDE_MIN_WIDTH ||
			slide_layout(&p->deck->slides[p->cur], &o, &p->lay);
	p->have_lay = !p->lay_failed;
	return p->have_lay;
}

int
present_draw_slide_rows(const struct present *p)
{
	int r = p->rows - TOP - 1;

	return r > 0 ? r : 0;
}

unsigned
present_draw_revealed(const struct present *p)
{
	unsigned k = p->reveal < p->lay.pauses ? p->reveal : p->lay.pauses;

	return p->have_lay ? p->lay.reveal[k] : 0;
}

bool
present_draw_scene_shown(const struct present *p)
{
	return p->have_lay && p->lay.scene_row >= 0 &&
	       p->reveal >= p->lay.scene_step;
}

attr_t
present_draw_style(const struct theme *t, unsigned style)
{
	attr_t part[7], a = 0, colour = 0;
	int n = 0, i;

	/* The first role that brings a colour gives it; every role's
	 * attributes (bold, underline) add up. */
	if (style & SLIDE_CODE)
		part[n++] = t->code;
	if (style & SLIDE_H1)
		part[n++] = t->heading;
	if (style & SLIDE_H2)
		part[n++] = t->subheading;
	if (style & SLIDE_NOTE)
		part[n++] = t->note;
	if (style & SLIDE_STRONG)
		part[n++] = t->strong;
	if (style & SLIDE_EMPH)
		part[n++] = t->emphasis;
	if (style & SLIDE_RULE)
		part[n++] = t->border;
	for (i = 0; i < n; i++) {
		a |= part[i] & ~A_COLOR;
		if (!colour)
			colour = part[i] & A_COLOR;
	}
	return a | colour;
}

static void
present_draw_line(const struct present *p, const struct slide_line *l,
		  int y, int x)
{
	unsigned i;

	for (i = 0; i < l->nspans; i++) {
		const struct slide_span *s = &l->spans[i];
		attr_t a = present_draw_style(&p->theme, s->style);

		attron(a);
		mvaddnstr(y, x + (int)slide_text_width(l->text, s->off),
			  l->text + s->off, (int)s->len);
		attroff(a);
	}
}

/* Shift every rect of l down by dy and right by dx. */
static void
present_draw_shift(struct layout *l, int dy, int dx)
{
	struct rect *r[] = {
		&l->header, &l->threads, &l->objects, &l->timeline,
		&l->metrics, &l->lesson, &l->keybar, &l->strip,
	};
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		r[i]->y += dy;
		r[i]->x += dx;
	}
}

bool
present_draw_scene_layout(struct ui *u, struct rect a)
{
	struct layout *l = &u->lay;
	unsigned tids[MODEL_MAX_THREADS];
	int n, kb, mid, top, left;

	if (a.h >= UI_MIN_ROWS && a.w >= UI_MIN_COLS) {
		if (u->step_view)
			stepview_layout(l, a.h, a.w);
		else
			layout_compute(u, a.h, a.w);
		present_draw_shift(l, a.y, a.x);
		return !l->too_small;
	}
	memset(l, 0, sizeof(*l));
	l->too_small = a.h < PRESENT_SCENE_MIN_ROWS ||
		       a.w < PRESENT_SCENE_MIN_COLS;
	if (l->too_small)
		return false;
	l->header = (struct rect){ 0, 0, 1, a.w };
	if (u->step_view) {
		/* Columns beside the shared values, the strip, the keys. */
		left = a.w - (a.w / 4 < 26 ? 26 : a.w / 4);
		l->keybar = (struct rect){ a.h - 2, 0, 2, a.w };
		l->strip = (struct rect){ a.h - 4, 0, 2, a.w };
		l->threads = (struct rect){ 1, 0, a.h - 5, left };
		l->objects = (struct rect){ 1, left, a.h - 5, a.w - left };
	} else {
		kb = keybar_rows(u, a.w);
		if (kb > a.h - 5)
			kb = a.h - 5;
		l->keybar = (struct rect){ a.h - kb, 0, kb, a.w };
		mid = a.h - 1 - kb;
		n = (int)threads_visible(u, tids, MODEL_MAX_THREADS);
		top = n + 3 > objects_rows(u) + 2 ? n + 3
						  : objects_rows(u) + 2;
		/* The lesson gets what is left, if that is worth a box. */
		if (top > mid - 4)
			top = mid;
		left = u->paused ? a.w * 3 / 5 : a.w * 11 / 20;
		l->threads = (struct rect){ 1, 0, top, left };
		l->objects = (struct rect){ 1, left, top, a.w - left };
		if (top < mid)
			l->lesson = (struct rect){ 1 + top, 0, mid - top, a.w };
	}
	present_draw_shift(l, a.y, a.x);
	return true;
}

/* The live scene in area: the ui's panels, or a line asking for room. */
static void
present_draw_scene(struct present *p, struct rect area)
{
	struct ui *u = p->scene;
	char msg[160];

	app_frame_begin(u);
	if (!present_draw_scene_layout(u, area)) {
		snprintf(msg, sizeof(msg), "The live scene needs %dx%d here; "
			 "it has %dx%d. Enlarge the terminal.",
			 PRESENT_SCENE_MIN_COLS, PRESENT_SCENE_MIN_ROWS,
			 area.w, area.h);
		draw_wrapped(area.y, area.x, area.w, area.y + area.h,
			     p->theme.alert, msg);
		return;
	}
	layout_panels(u, p->rows, p->cols);
}

/* The bottom line: where we are, where the keys go, a note. */
static void
present_draw_status(struct present *p)
{
	const struct theme *t = &p->theme;
	const struct deck_slide *s = &p->deck->slides[p->cur];
	char left[160], right[128];
	int y = p->rows - 1, rw;
	bool more = p->have_lay && (int)present_draw_revealed(p) - p->scroll >
					   present_draw_slide_rows(p) &&
		    !present_draw_scene_shown(p);

	mvhline(y, 0, ' ' | t->selected, p->cols);
	snprintf(left, sizeof(left), " %u/%u %s %s", p->cur + 1,
		 p->deck->nslides, t->utf8 ? "·" : "-",
		 s->title ? s->title : (p->deck->title ? p->deck->title : ""));
	if (p->njump)
		snprintf(right, sizeof(right), " go to slide: %.*s_ ",
			 (int)p->njump, p->jump);
	else if (p->scene && p->scene_focus)
		snprintf(right, sizeof(right), " SCENE has the keys  Tab "
			 "slide  q quit ");
	else
		snprintf(right, sizeof(right), "%s%s%s ? help  q quit ",
			 more ? (t->utf8 ? " more ↓ " : " more v ") : "",
			 p->reveal < p->lay.pauses && p->have_lay ? " ... " : "",
			 p->scene ? " Tab scene " : "");
	rw = text_width(right);
	if (p->message[0]) {
		draw_text(y, 0, p->cols - rw, t->selected, p->message);
	} else {
		draw_text(y, 0, p->cols - rw, t->selected, left);
	}
	draw_text(y, p->cols - rw, rw, t->selected, right);
}

static void
present_draw_help(struct present *p)
{
	static const char *const lines[] = {
		"Right Space PgDn l n   next (reveal the next pause)",
		"Left PgUp h p          previous slide",
		"g / G                  first / last slide",
		"12 Enter               slide 12",
		"Up / Down              scroll a slide taller than the screen",
		"Tab                    keys to the live scene and back",
		"                       (every scene key works there)",
		"b                      blank the screen; any key shows it",
		"T                      the next shipped theme",
		"?                      this help      q  quit",
	};
	struct rect r;
	int w = 64, h = (int)(sizeof(lines) / sizeof(lines[0])) + 2, y;
	size_t i;

	if (w > p->cols - 2)
		w = p->cols - 2;
	if (h > p->rows - 2)
		h = p->rows - 2;
	if (w < 4 || h < 3)
		return;
	r = (struct rect){ (p->rows - h) / 2, (p->cols - w) / 2, h, w };
	for (y = r.y; y < r.y + r.h; y++)
		mvhline(y, r.x, ' ', r.w);
	/* draw_box takes a ui for its theme; the presenter's will do
	 * (static: a struct ui is large, and only this thread draws). */
	{
		static struct ui box;

		box.theme = p->theme;
		draw_box(&box, r, "Presenter keys", "any key closes");
	}
	for (i = 0, y = r.y + 1; i < sizeof(lines) / sizeof(lines[0]) &&
				 y < r.y + r.h - 1; i++, y++)
		draw_text(y, r.x + 2, r.w - 4, A_NORMAL, lines[i]);
}

void
present_draw(struct present *p)
{
	int margin = present_draw_margin(p->cols), rows, y;
	unsigned shown, i;

	getmaxyx(stdscr, p->rows, p->cols);
	erase();
	if (p->blank) {
		refresh();
		return;
	}
	rows = present_draw_slide_rows(p);
	if (!present_draw_relayout(p)) {
		draw_wrapped(0, 0, p->cols, p->rows, A_BOLD,
			     "This terminal is too narrow for a slide.");
	} else {
		shown = present_draw_revealed(p);
		for (i = (unsigned)p->scroll, y = TOP;
		     i < shown && y < TOP + rows; i++, y++) {
			if (present_draw_scene_shown(p) &&
			    (int)i >= p->lay.scene_row)
				break;
			present_draw_line(p, &p->lay.lines[i], y, margin);
		}
		if (p->scene && present_draw_scene_shown(p)) {
			int top = TOP + p->lay.scene_row - p->scroll;

			if (top < TOP)
				top = TOP;
			present_draw_scene(p, (struct rect){
				top, 0, TOP + rows - top, p->cols });
		}
	}
	if (p->rows > 1)
		present_draw_status(p);
	if (p->show_help)
		present_draw_help(p);
	refresh();
}
