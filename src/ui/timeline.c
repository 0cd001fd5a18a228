/*
 * timeline.c - per-thread state strips scrolling right to left, newest at
 * the right edge, one column per tenth of a second; and the event log,
 * which can be shown in the same place instead.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#define COLUMN_NS 100000000ull	/* one column: 0.1 s */
#define NAME_W 13

/* The first variable with a series (the sizing sweep), or NULL. */
static const struct model_object *
series_var(const struct model *m)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		if (m->objects[i].used && m->objects[i].kind == LS_OBJ_VAR &&
		    m->objects[i].nseries > 1)
			return &m->objects[i];
	return NULL;
}

/* Is n a rule-of-thumb marker (a variable named "N=...")? */
static bool
is_marker(const struct model *m, unsigned n)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];

		if (o->used && o->kind == LS_OBJ_VAR && o->count == n &&
		    !strncmp(o->name, "N=", 2))
			return true;
	}
	return false;
}

/*
 * A bar chart of v's series: one bar two columns wide per point, eight
 * levels per row, the index under each bar, and the rule-of-thumb sizes
 * (variables named "N=...") shown reversed on the axis.
 */
static void
chart_draw(struct ui *u, struct rect r, const struct model_object *v)
{
	const struct theme *th = &u->theme;
	int rows = r.h - 3, x0 = r.x + 8, n, k, level;
	uint64_t max = 1;
	char title[96], marks[64];
	size_t used = 0;
	unsigned i;

	marks[0] = '\0';
	for (i = 0; i < MODEL_MAX_OBJECTS && used < sizeof(marks); i++) {
		const struct model_object *o = &u->model->objects[i];

		if (o->used && o->kind == LS_OBJ_VAR && !strncmp(o->name, "N=", 2))
			used += (size_t)snprintf(marks + used, sizeof(marks) - used,
						 " %s=%llu", o->name,
						 (unsigned long long)o->count);
	}
	snprintf(title, sizeof(title), "%s by workers", v->name);
	draw_box(u, r, title, marks[0] ? marks + 1 : NULL);
	for (n = 1; n < (int)v->nseries; n++)
		if (v->series[n] > max)
			max = v->series[n];
	draw_textf(r.y + 1, r.x + 1, 7, th->dim, "%llu",
		   (unsigned long long)max);
	for (n = 1; n < (int)v->nseries && x0 + 2 * n < r.x + r.w - 1; n++) {
		int x = x0 + 2 * (n - 1);
		/* Height in eighths of a row. */
		int eighths = (int)((v->series[n] * (uint64_t)rows * 8 + max / 2) / max);

		for (k = 0; k < rows; k++) {
			level = eighths - 8 * (rows - 1 - k);
			if (level <= 0)
				continue;
			draw_text(r.y + 1 + k, x, 1, th->bar_fill,
				  th->spark[level > 8 ? 7 : level - 1]);
		}
		draw_textf(r.y + r.h - 2, x, 2,
			   is_marker(u->model, (unsigned)n) ? A_REVERSE : th->dim,
			   "%-2d", n);
	}
	draw_text(r.y + r.h - 2, r.x + 1, 7, th->dim, "workers");
}

void
timeline_draw(struct ui *u, struct rect r)
{
	const struct model_object *chart = series_var(u->model);
	const struct theme *th = &u->theme;
	unsigned tids[MODEL_MAX_THREADS], n, i, rows, cols;
	uint64_t now = app_view_ns(u);
	int s, c;

	if (chart) {
		struct rect cr = r;

		/* The chart takes the left of the band, the strips the rest. */
		cr.w = 8 + 2 * (int)chart->nseries + 1;
		if (cr.w > r.w / 2)
			cr.w = r.w / 2;
		chart_draw(u, cr, chart);
		r.x += cr.w;
		r.w -= cr.w;
	}
	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	rows = r.h > 2 ? (unsigned)r.h - 2 : 0;
	cols = r.w > NAME_W + 3 ? (unsigned)(r.w - NAME_W - 3) : 0;
	draw_box(u, r, chart ? "Timeline (0.1s/column)"
			   : "Timeline (0.1s per column, now at right)", NULL);
	/* The legend, in colour, on the bottom border. */
	{
		static const unsigned order[] = {
			LS_STATE_RUNNING, LS_STATE_BLOCKED, LS_STATE_IDLE,
			LS_STATE_SLEEPING, LS_STATE_PARKED,
		};
		static const char *const words[] = {
			"run", "blocked", "idle", "I/O", "paused",
		};
		int x = r.x + 2, y = r.y + r.h - 1;

		for (s = 0; s < 5; s++) {
			draw_text(y, x, 1, th->state_attr[order[s]],
				  th->strip_glyph[order[s]]);
			x += 1 + draw_textf(y, x + 1, r.w - (x - r.x) - 2,
					    A_NORMAL, " %s ", words[s]);
		}
	}
	if (u->timeline_scroll > 0 && (unsigned)u->timeline_scroll + rows > n)
		u->timeline_scroll = n > rows ? (int)(n - rows) : 0;
	for (i = 0; i < rows && i + (unsigned)u->timeline_scroll < n; i++) {
		const struct model_thread *t =
			model_thread(u->model, tids[i + (unsigned)u->timeline_scroll]);
		int y = r.y + 1 + (int)i;

		draw_textf(y, r.x + 1, NAME_W, t->tid == u->selected_tid
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
				  th->strip_glyph[st]);
		}
	}
}

/* One event as a log line. */
static void
event_line(const struct ui *u, const struct ls_event *e, char *buf, size_t n)
{
	uint64_t base = u->model->first_ts;

	snprintf(buf, n, "%9.3fs %-10.10s %-13s %-8.8s %llu",
		 e->ts > base ? (double)(e->ts - base) / 1e9 : 0.0,
		 ui_thread_name(u, e->tid), ls_event_kind_name(e->kind),
		 e->obj ? ui_object_name(u, e->obj) : "",
		 (unsigned long long)e->arg);
}

void
eventlog_draw(struct ui *u, struct rect r)
{
	struct ls_event ev[64];
	size_t n, i, rows = r.h > 2 ? (size_t)r.h - 2 : 0;
	char line[160];

	draw_box(u, r, "Event log (newest last)", "l: back to timeline");
	if (rows > 64)
		rows = 64;
	n = model_recent(u->model, ev, rows);
	for (i = 0; i < n; i++) {
		event_line(u, &ev[i], line, sizeof(line));
		draw_text(r.y + 1 + (int)i, r.x + 1, r.w - 2,
			  ev[i].kind == LS_EV_ERROR ? u->theme.alert : A_NORMAL,
			  line);
	}
}
