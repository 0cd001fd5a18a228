/*
 * chart.c - the sizing sweep's chart: tasks finished per second for each
 * pool size, as bars across the whole band, with the value over each bar,
 * the pool sizes under them, and the two rules of thumb (the variables
 * the scene names "N=cores" and "N=cores*(1+W/C)") marked on the axis.
 *
 * Changing the task mix restarts the scene, and the model starts afresh;
 * the chart remembers the curve it drew before and keeps it faintly, so
 * the CPU-bound curve that flattens at N = cores can be compared with the
 * I/O-bound one that keeps climbing.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#define AXIS_W 8		/* "   137 |" */

/* The variable with a series (the sweep's tasks/s), or NULL. */
static const struct model_object *
chart_series(const struct model *m)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		if (m->objects[i].used && m->objects[i].kind == LS_OBJ_VAR &&
		    m->objects[i].nseries > 0)
			return &m->objects[i];
	return NULL;
}

/* The value of the rule-of-thumb variable whose name starts with
 * prefix and is exactly it when exact; 0 if none. */
static unsigned
chart_rule(const struct model *m, const char *prefix, bool exact)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];

		if (o->used && o->kind == LS_OBJ_VAR &&
		    (exact ? !strcmp(o->name, prefix)
			   : !strncmp(o->name, prefix, strlen(prefix))))
			return (unsigned)o->count;
	}
	return 0;
}

bool
chart_wanted(const struct ui *u)
{
	return chart_series(u->model) || chart_rule(u->model, "N=", false);
}

/* Keep the series of this run, and when a new run began, the last one's
 * as the previous curve, labelled with the parameter that changed. */
static void
chart_remember(struct ui *u, const struct model_object *v)
{
	struct chart_memory *cm = &u->chart;
	const int *params = u->ctl.target.params;
	unsigned i;

	if (cm->generation != u->ctl.generation) {
		if (cm->ncur > 1) {
			memcpy(cm->prev, cm->cur, sizeof(cm->prev));
			cm->nprev = cm->ncur;
			snprintf(cm->prev_label, sizeof(cm->prev_label),
				 "previous run");
			for (i = 0; i < u->def->nparams; i++) {
				char val[32];

				if (cm->cur_params[i] == params[i])
					continue;
				scene_param_format(u->def, i, cm->cur_params[i],
						   val, sizeof(val));
				snprintf(cm->prev_label, sizeof(cm->prev_label),
					 "%s=%s", u->def->params[i].name, val);
				break;
			}
		}
		cm->generation = u->ctl.generation;
		cm->ncur = 0;
	}
	memcpy(cm->cur_params, params, sizeof(cm->cur_params));
	if (v) {
		memcpy(cm->cur, v->series, sizeof(cm->cur));
		cm->ncur = v->nseries;
	}
}

/* Rows above the axis filled by value of max, in eighths of a row. */
static int
chart_eighths(uint64_t value, uint64_t max, int rows)
{
	return (int)((value * (uint64_t)rows * 8 + max / 2) / max);
}

/* One bar, of width bw, from the bottom row (y0 + rows - 1) up. */
static void
chart_bar(const struct ui *u, int y0, int x, int bw, int rows, int eighths)
{
	int k, level, c;

	for (k = 0; k < rows; k++) {
		level = eighths - 8 * (rows - 1 - k);
		if (level <= 0)
			continue;
		/* ASCII has no eighths: a row counts from half full. */
		if (!u->theme.utf8 && level < 4)
			continue;
		for (c = 0; c < bw; c++)
			draw_text(y0 + k, x + c, 1, u->theme.bar_fill,
				  u->theme.utf8 ? ui_spark_glyph(u, (unsigned)
						  (level > 8 ? 7 : level - 1))
						: ui_bar_glyph(u, true));
	}
}

/* Under the pool sizes: "^ N=cores" and "^ N=cores x (1+W/C)". */
static void
chart_marks(const struct ui *u, int y, int x0, int sw, int w, unsigned cores,
	    unsigned rule, unsigned maxn)
{
	const char *up = u->theme.utf8 ? "▲" : "^";
	char buf[64];
	int x = x0, end = x0 + w;

	if (cores && cores <= maxn) {
		x = x0 + (int)(cores - 1) * sw;
		x += draw_textf(y, x, end - x, A_BOLD, "%s N = cores", up) + 2;
	}
	if (!rule)
		return;
	snprintf(buf, sizeof(buf), "%s N = cores x (1 + W/C)", up);
	if (rule <= maxn && x0 + (int)(rule - 1) * sw >= x) {
		draw_text(y, x0 + (int)(rule - 1) * sw, end -
			  (x0 + (int)(rule - 1) * sw), A_BOLD, buf);
	} else {
		snprintf(buf, sizeof(buf), "N = cores x (1 + W/C) = %u%s",
			 rule, rule > maxn ? ", past the sweep" : "");
		draw_text(y, x, end - x, A_BOLD, buf);
	}
}

void
chart_draw(struct ui *u, struct rect r)
{
	const struct model_object *v = chart_series(u->model);
	const struct chart_memory *cm = &u->chart;
	const struct theme *th = &u->theme;
	unsigned cores = chart_rule(u->model, "N=cores", true);
	unsigned rule = chart_rule(u->model, "N=cores*", false);
	int pidx = scene_param_index(u->def, "max_workers");
	unsigned maxn = pidx >= 0 ? (unsigned)u->ctl.target.params[pidx] : 1;
	int rows = r.h - 4, x0 = r.x + 1 + AXIS_W, sw, bw, n, y0 = r.y + 1;
	uint64_t max = 1;
	char title[128], footer[96];

	chart_remember(u, v);
	if (cm->ncur > maxn + 1)
		maxn = cm->ncur - 1;
	for (n = 1; n < MODEL_SERIES; n++) {
		if ((unsigned)n < cm->ncur && cm->cur[n] > max)
			max = cm->cur[n];
		if ((unsigned)n < cm->nprev && cm->prev[n] > max)
			max = cm->prev[n];
	}
	/* Each pool size gets an equal slot of the width. */
	sw = (r.w - 2 - AXIS_W) / (int)(maxn ? maxn : 1);
	if (sw > 10)
		sw = 10;
	bw = sw > 2 ? sw - 1 : 1;
	snprintf(title, sizeof(title), "%s by pool size, measured on this "
		 "machine", v ? v->name : "tasks/s");
	if (cm->nprev)
		snprintf(footer, sizeof(footer), "%s %s, faint: %s ",
			 ui_bar_glyph(u, true), "this run", cm->prev_label);
	draw_box(u, r, title, cm->nprev ? footer : NULL);
	if (rows < 2)
		return;
	/* The y axis: the top value and zero ('|' is paused in ASCII). */
	draw_textf(y0, r.x + 1, AXIS_W, th->dim, "%6llu %s",
		   (unsigned long long)max, th->utf8 ? "┤" : "");
	draw_textf(y0 + rows - 1, r.x + 1, AXIS_W, th->dim, "%6u %s", 0,
		   th->utf8 ? "┤" : "");
	for (n = 1; n <= (int)maxn && x0 + (n - 1) * sw + bw <= r.x + r.w - 1;
	     n++) {
		int x = x0 + (n - 1) * sw, top = rows;
		bool mark = (unsigned)n == cores || (unsigned)n == rule;

		if ((unsigned)n < cm->ncur && cm->cur[n]) {
			int e = chart_eighths(cm->cur[n], max, rows);

			chart_bar(u, y0, x, bw, rows, e);
			top = rows - (e + 7) / 8;
			/* The value over the bar (in the bar at the top). */
			draw_textf(y0 + (top > 0 ? top - 1 : 0), x, bw,
				   top > 0 ? A_BOLD : A_BOLD | A_REVERSE,
				   "%llu", (unsigned long long)cm->cur[n]);
		}
		if ((unsigned)n < cm->nprev && cm->prev[n]) {
			int pe = chart_eighths(cm->prev[n], max, rows);
			int py = y0 + rows - (pe + 7) / 8;
			int c;

			for (c = 0; c < bw && py >= y0; c++)
				draw_text(py, x + c, 1, th->dim,
					  th->utf8 ? "─" : "-");
		}
		draw_textf(y0 + rows, x, bw, mark ? A_REVERSE | A_BOLD : A_BOLD,
			   "%d", n);
	}
	draw_textf(y0 + rows, r.x + 1, AXIS_W, th->dim, "workers");
	chart_marks(u, y0 + rows + 1, x0, sw, r.w - 2 - AXIS_W, cores, rule,
		    maxn);
}
