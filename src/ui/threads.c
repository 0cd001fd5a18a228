/*
 * threads.c - the threads panel: one line per thread with its state (a
 * glyph and a word, coloured), what it holds and what it wants.  A thread
 * whose state changed in the last second is marked, so a change is easy
 * to spot; the selected thread (mouse click) is shown reversed.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* Finished threads stay on screen this long, then make room. */
#define DONE_LINGER_NS 2000000000ull
/* A state change is highlighted this long. */
#define CHANGED_NS 1000000000ull

unsigned
threads_visible(const struct ui *u, unsigned *out, unsigned max)
{
	const struct model *m = u->model;
	uint64_t now = app_view_ns(u);
	unsigned n = 0, live = 0, i, j, pass;

	/* Live threads first, then the recently finished, each by tid. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < MODEL_MAX_THREADS && n < max; i++) {
			const struct model_thread *t = &m->threads[i];
			bool done = t->state == LS_STATE_DONE;

			if (!t->used || done != (pass == 1))
				continue;
			if (done && now > t->state_since &&
			    now - t->state_since > DONE_LINGER_NS)
				continue;
			/* Insertion sort by tid: slots are not in tid order. */
			for (j = n; j > (pass ? live : 0) && out[j - 1] > t->tid; j--)
				out[j] = out[j - 1];
			out[j] = t->tid;
			n++;
		}
		live = n;
	}
	return n;
}

static const char *
state_word(unsigned state)
{
	static const char *const words[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "RUNNING", [LS_STATE_IDLE] = "IDLE",
		[LS_STATE_SLEEPING] = "I/O", [LS_STATE_BLOCKED] = "BLOCKED",
		[LS_STATE_PARKED] = "PAUSED", [LS_STATE_DONE] = "DONE",
	};

	return state < LS_STATE_COUNT ? words[state] : "?";
}

/* "holds A, B  wants C" into buf. */
static void
thread_relations(const struct ui *u, const struct model_thread *t, char *buf,
		 size_t n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < t->nheld && used < n; i++) {
		unsigned k, times = 1;

		/* A semaphore held several times shows once, with a count. */
		for (k = 0; k < i && t->held[k] != t->held[i]; k++)
			;
		if (k < i)
			continue;
		for (k = i + 1; k < t->nheld; k++)
			times += t->held[k] == t->held[i];
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 used ? "," : "holds ",
					 ui_object_name(u, t->held[i]));
		if (times > 1 && used < n)
			used += (size_t)snprintf(buf + used, n - used, "x%u",
						 times);
	}
	if (t->waiting_for && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%swants %s",
					 used ? "  " : "",
					 ui_object_name(u, t->waiting_for));
	if (!t->waiting_for && t->task && t->state == LS_STATE_RUNNING &&
	    used < n)
		snprintf(buf + used, n - used, "%stask %llu", used ? "  " : "",
			 (unsigned long long)t->task);
}

void
threads_draw(struct ui *u, struct rect r)
{
	const struct theme *th = &u->theme;
	unsigned tids[MODEL_MAX_THREADS], n, i, rows;
	uint64_t now = app_view_ns(u);
	char title[48], rel[96];
	int nw = 4;

	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	rows = r.h > 2 ? (unsigned)r.h - 2 : 0;
	/* The name column is as wide as the longest name shown (4..12), so
	 * short names leave room for what a thread holds and wants. */
	for (i = 0; i < n; i++) {
		int len = text_width(ui_thread_name(u, tids[i]));

		if (len > nw)
			nw = len > 12 ? 12 : len;
	}
	if (u->threads_scroll > 0 && (unsigned)u->threads_scroll + rows > n)
		u->threads_scroll = n > rows ? (int)(n - rows) : 0;
	snprintf(title, sizeof(title), "Threads (%u)", n);
	draw_box(u, r, title, n > rows ? "more: PgUp/PgDn" : NULL);
	for (i = 0; i < rows && i + (unsigned)u->threads_scroll < n; i++) {
		unsigned idx = i + (unsigned)u->threads_scroll;
		const struct model_thread *t = model_thread(u->model, tids[idx]);
		int y = r.y + 1 + (int)i, x = r.x + 1, w = r.w - 2;
		bool changed = now >= t->state_since &&
			       now - t->state_since < CHANGED_NS;
		attr_t sel = t->tid == u->selected_tid ? th->selected : 0;
		attr_t sa = th->state_attr[t->state < LS_STATE_COUNT ? t->state : 0];

		if (sel)
			mvhline(y, x, ' ', w);
		if (idx < 9)
			draw_textf(y, x, 2, sel | th->dim, "%u", idx + 1);
		draw_text(y, x + 2, 1, sa | sel, th->state_glyph[t->state]);
		draw_textf(y, x + 4, nw + 1, sel | (changed ? A_BOLD : 0),
			   "%-*.*s", nw, nw, ui_thread_name(u, t->tid));
		draw_textf(y, x + 5 + nw, 8, sa | sel |
			   (changed ? th->changed : 0), "%-7s",
			   state_word(t->state));
		thread_relations(u, t, rel, sizeof(rel));
		draw_text(y, x + 14 + nw, w - 14 - nw, sel, rel);
	}
}

bool
threads_click(struct ui *u, struct rect r, int y, int x)
{
	unsigned tids[MODEL_MAX_THREADS], n;
	int row = y - r.y - 1 + u->threads_scroll;

	if (x <= r.x || x >= r.x + r.w - 1 || y <= r.y || y >= r.y + r.h - 1)
		return false;
	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	if (row < 0 || (unsigned)row >= n)
		return false;
	u->selected_tid = u->selected_tid == tids[row] ? 0 : tids[row];
	return true;
}
