/*
 * timeline.c - per-thread state strips.  Running, one column is a tenth
 * of a second, newest at the right edge.  In step mode one column (two
 * cells wide) is one step, so the interleaving a class built by hand
 * stays on screen: the thread that was stepped is drawn running in its
 * step's column, the others as they waited.
 *
 * The step trace is kept here, a column per step, filled from the
 * control's listing after each step came to rest; a step back drops the
 * last column, a restart all of them.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#define COLUMN_NS 100000000ull	/* one column: 0.1 s */
#define NAME_W 13
#define STEP_W 2		/* cells per step */

/* The trace row of thread name, added when new and room is left; -1. */
static int
trace_row(struct step_trace *tr, const char *name, bool add)
{
	unsigned i;

	for (i = 0; i < tr->nrows; i++)
		if (!strcmp(tr->names[i], name))
			return (int)i;
	if (!add || tr->nrows == STEP_TRACE_ROWS)
		return -1;
	snprintf(tr->names[tr->nrows], MODEL_NAME, "%s", name);
	return (int)tr->nrows++;
}

void
timeline_record(struct ui *u)
{
	struct step_trace *tr = &u->trace;
	const struct control *c = &u->ctl;
	size_t i;

	/* A step back, or a restart, took steps away. */
	if (c->nsteps < tr->ncols) {
		tr->ncols = c->nsteps;
		if (!tr->ncols)
			tr->nrows = 0;
	}
	if (c->stepping || c->nsteps <= tr->ncols || !u->ncthreads)
		return;
	while (tr->ncols < c->nsteps) {
		uint8_t *col = tr->cell[tr->ncols % STEP_TRACE_COLS];
		const char *moved = c->steps ? c->steps[tr->ncols].thread : "";

		memset(col, 0, STEP_TRACE_ROWS);
		for (i = 0; i < u->ncthreads; i++) {
			const struct control_thread *t = &u->cthreads[i];
			int row = trace_row(tr, t->name, true);

			if (row < 0 || t->state >= LS_STATE_COUNT)
				continue;
			col[row] = (uint8_t)(t->state + 1);
			if (!strcmp(t->name, moved))
				col[row] |= STEP_TRACE_MOVED;
		}
		tr->ncols++;
	}
}

/* The legend, in colour, on the bottom border. */
static void
timeline_legend(const struct ui *u, struct rect r)
{
	static const unsigned order[] = {
		LS_STATE_RUNNING, LS_STATE_BLOCKED, LS_STATE_IDLE,
		LS_STATE_SLEEPING, LS_STATE_PARKED,
	};
	const struct theme *th = &u->theme;
	int x = r.x + 2, y = r.y + r.h - 1;
	unsigned s;

	for (s = 0; s < sizeof(order) / sizeof(order[0]); s++) {
		draw_text(y, x, 1, th->state_attr[order[s]],
			  ui_state_glyph(u, order[s], true));
		x += 1 + draw_textf(y, x + 1, r.w - (x - r.x) - 2, A_NORMAL,
				    " %s ", ui_state_word(order[s], false));
	}
}

/* One cell of the step trace: the state after the step, the stepped
 * thread drawn as having run (unless the step left it blocked or done). */
static void
trace_cell(const struct ui *u, int y, int x, uint8_t cell)
{
	const struct theme *th = &u->theme;
	unsigned st;
	attr_t a;

	if (!cell)
		return;
	st = (unsigned)(cell & ~STEP_TRACE_MOVED) - 1;
	if ((cell & STEP_TRACE_MOVED) &&
	    (st == LS_STATE_PARKED || st == LS_STATE_IDLE ||
	     st == LS_STATE_SLEEPING))
		st = LS_STATE_RUNNING;
	a = th->state_attr[st] | (cell & STEP_TRACE_MOVED ? A_BOLD : 0);
	draw_text(y, x, 1, a, ui_state_glyph(u, st, true));
	draw_text(y, x + 1, 1, a, ui_state_glyph(u, st, true));
}

/* Step mode: one column per step, the newest at the right. */
static void
timeline_steps(struct ui *u, struct rect r, const unsigned *tids, unsigned n,
	       unsigned rows)
{
	const struct step_trace *tr = &u->trace;
	unsigned cols = r.w > NAME_W + 3 ? (unsigned)(r.w - NAME_W - 3) / STEP_W
					 : 0, i;
	size_t first = tr->ncols > cols ? tr->ncols - cols : 0, k;
	char title[80];

	if (tr->ncols)
		snprintf(title, sizeof(title), "Timeline: steps %zu-%zu, one "
			 "column per step", first + 1, tr->ncols);
	else
		snprintf(title, sizeof(title), "Timeline: one column per step");
	draw_box(u, r, title, NULL);
	timeline_legend(u, r);
	for (i = 0; i < rows && i + (unsigned)u->timeline_scroll < n; i++) {
		unsigned tid = tids[i + (unsigned)u->timeline_scroll];
		const char *name = ui_thread_name(u, tid);
		int row = trace_row(&u->trace, name, false);
		int y = r.y + 1 + (int)i;

		draw_textf(y, r.x + 1, NAME_W, tid == u->cursor_tid
			   ? u->theme.selected : A_NORMAL, "%-*.*s", NAME_W - 1,
			   NAME_W - 1, name);
		if (row < 0)
			continue;
		for (k = first; k < tr->ncols; k++)
			trace_cell(u, y, r.x + 1 + NAME_W +
				   (int)(k - first) * STEP_W,
				   tr->cell[k % STEP_TRACE_COLS][row]);
	}
}

void
timeline_draw(struct ui *u, struct rect r)
{
	const struct theme *th = &u->theme;
	unsigned tids[MODEL_MAX_THREADS], n, i, rows, cols;
	uint64_t now = app_view_ns(u);
	int c;

	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	rows = r.h > 2 ? (unsigned)r.h - 2 : 0;
	if (u->timeline_scroll > 0 && (unsigned)u->timeline_scroll + rows > n)
		u->timeline_scroll = n > rows ? (int)(n - rows) : 0;
	if (u->ctl.mode == CONTROL_STEP && u->trace.ncols) {
		timeline_steps(u, r, tids, n, rows);
		return;
	}
	cols = r.w > NAME_W + 3 ? (unsigned)(r.w - NAME_W - 3) : 0;
	draw_box(u, r, "Timeline (0.1s per column, now at right)", NULL);
	timeline_legend(u, r);
	for (i = 0; i < rows && i + (unsigned)u->timeline_scroll < n; i++) {
		unsigned tid = tids[i + (unsigned)u->timeline_scroll];
		const struct model_thread *t = model_thread(u->model, tid);
		int y = r.y + 1 + (int)i;

		draw_textf(y, r.x + 1, NAME_W, t->tid == u->cursor_tid
			   ? th->selected : A_NORMAL, "%-*.*s", NAME_W - 1,
			   NAME_W - 1, t->name);
		for (c = 0; c < (int)cols; c++) {
			uint64_t back = (cols - 1 - (unsigned)c) * COLUMN_NS;
			unsigned st;

			if (back > now || now - back < t->first_ts)
				continue;
			st = model_state_at(t, now - back);
			if (st >= LS_STATE_COUNT)
				continue;
			draw_text(y, r.x + 1 + NAME_W + c, 1, th->state_attr[st],
				  ui_state_glyph(u, st, true));
		}
	}
}
