/*
 * layout.c - where the panels go for a terminal of a given size, and the
 * whole screen drawn in them; the keys that belong to no single panel.
 *
 * The full layout needs 80x24.  The middle is split into three bands:
 * threads beside objects, the timeline (or the event log, or the sizing
 * chart), and who-waits-for-whom or the metrics beside the lesson.  The
 * top two bands are as tall as what they show (within bounds), and the
 * rows they leave go to the lesson, which is the panel a class reads.
 *
 * The class layout (z) is for a projector: fewer, larger panels, the
 * threads beside the objects over a lesson as wide as the screen.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

static int
clamp(int v, int lo, int hi)
{
	if (v > hi)
		v = hi;
	return v < lo ? lo : v;
}

void
layout_compute(struct ui *u, int rows, int cols)
{
	struct layout *l = &u->lay;
	unsigned tids[MODEL_MAX_THREADS];
	int n, kb, mid, top, tl, bottom, left, objs;

	memset(l, 0, sizeof(*l));
	l->too_small = rows < UI_MIN_ROWS || cols < UI_MIN_COLS;
	if (l->too_small)
		return;
	kb = keybar_rows(u, cols);
	l->header = (struct rect){ 0, 0, 1, cols };
	l->keybar = (struct rect){ rows - kb, 0, kb, cols };
	mid = rows - 1 - kb;
	n = (int)threads_visible(u, tids, MODEL_MAX_THREADS);
	objs = objects_rows(u);
	/* Held, a thread's row also says what it will do next. */
	left = u->paused ? cols * 3 / 5 : cols * 11 / 20;
	if (u->class_view) {
		/* Borders and the column headers around the rows. */
		top = clamp(n + 3 > objs + 2 ? n + 3 : objs + 2, 6, mid / 2);
		l->threads = (struct rect){ 1, 0, top, cols / 2 };
		l->objects = (struct rect){ 1, cols / 2, top, cols - cols / 2 };
		l->lesson = (struct rect){ 1 + top, 0, mid - top, cols };
		return;
	}
	top = clamp(n + 3 > objs + 2 ? n + 3 : objs + 2, 6, mid * 2 / 5);
	if (chart_wanted(u))
		tl = clamp(12, 8, mid * 2 / 5);
	else
		tl = clamp(n + 2, 4, mid * 3 / 10);
	bottom = mid - top - tl;
	if (bottom < 6) {
		tl -= 6 - bottom;
		bottom = 6;
	}
	l->threads = (struct rect){ 1, 0, top, left };
	l->objects = (struct rect){ 1, left, top, cols - left };
	l->timeline = (struct rect){ 1 + top, 0, tl, cols };
	left = cols * 9 / 20;
	l->metrics = (struct rect){ 1 + top + tl, 0, bottom, left };
	l->lesson = (struct rect){ 1 + top + tl, left, bottom, cols - left };
}

/* The one line a terminal too small for the layout gets, wrapped to fit
 * the terminal it is shown in. */
static void
layout_too_small(int rows, int cols)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "lockstep needs %dx%d; this terminal is "
		 "%dx%d. Enlarge it, or q to quit.", UI_MIN_COLS, UI_MIN_ROWS,
		 cols, rows);
	draw_wrapped(0, 0, cols, rows, A_BOLD, msg);
}

void
layout_draw(struct ui *u, int rows, int cols)
{
	if (u->step_view)
		stepview_layout(&u->lay, rows, cols);
	else
		layout_compute(u, rows, cols);
	if (u->lay.too_small) {
		layout_too_small(rows, cols);
		return;
	}
	layout_panels(u, rows, cols);
}

void
layout_panels(struct ui *u, int rows, int cols)
{
	const struct layout *l = &u->lay;

	timeline_record(u);
	header_draw(u, l->header);
	if (u->step_view) {
		stepview_draw(u, l->threads);
		stepview_shared_draw(u, l->objects);
		stepview_strip_draw(u, l->strip);
	} else {
		threads_draw(u, l->threads);
		objects_draw(u, l->objects);
	}
	if (l->timeline.h) {
		if (u->show_log)
			eventlog_draw(u, l->timeline);
		else if (chart_wanted(u))
			chart_draw(u, l->timeline);
		else
			timeline_draw(u, l->timeline);
	}
	/* Hazard scenes (those with a fix) show who waits for whom. */
	if (l->metrics.h) {
		if (scene_param_index(u->def, "fix") >= 0)
			waitfor_draw(u, l->metrics);
		else
			metrics_draw(u, l->metrics);
	}
	lesson_draw(u, l->lesson);
	keybar_draw(u, l->keybar);
	if (u->search)
		search_draw(u, (struct rect){ l->keybar.y, 0, 1, cols });
	if (u->show_help)
		help_draw(u, rows, cols);
}

void
layout_toggle_class(struct ui *u)
{
	u->class_view = !u->class_view;
	u->lesson_scroll = 0;
}

bool
layout_key(struct ui *u, int ch)
{
	if (ch == 'z') {
		layout_toggle_class(u);
		return true;
	}
	return threads_key(u, ch) || lesson_key(u, ch) ||
	       objects_key(u, ch) || eventlog_key(u, ch);
}
