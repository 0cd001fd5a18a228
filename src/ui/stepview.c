/*
 * stepview.c - the step view, in the spirit of The Deadlock Empire: one
 * column per thread with what it did and, marked, what it will do next
 * (a script's code with its next line; for a C scene the gate's words
 * stand for the code line), whether it can move and on whom it waits; the
 * shared values, with the one the last step changed marked; the schedule
 * so far with the current step marked; the goal, or the outcome banner
 * that explains what the steps made happen.
 *
 * It draws what the model and the control's listing say (u->cthreads),
 * and records nothing: the control holds the schedule.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#include "lockstep/clock.h"

/* Columns side by side at most; more scroll with PgUp/PgDn. */
#define COLUMNS_MAX 4

void
stepview_layout(struct layout *l, int rows, int cols)
{
	int mid, band, tl, bottom, shared;

	l->too_small = rows < UI_MIN_ROWS || cols < UI_MIN_COLS;
	if (l->too_small)
		return;
	l->header = (struct rect){ 0, 0, 1, cols };
	l->keybar = (struct rect){ rows - 2, 0, 2, cols };
	l->strip = (struct rect){ rows - 4, 0, 2, cols };
	mid = rows - 5;
	band = mid * 9 / 20;
	if (band < 8)
		band = 8;
	bottom = mid * 5 / 20;
	if (bottom < 5)
		bottom = 5;
	tl = mid - band - bottom;
	shared = cols / 4 < 26 ? 26 : cols / 4;
	l->threads = (struct rect){ 1, 0, band, cols - shared };
	l->objects = (struct rect){ 1, cols - shared, band, shared };
	l->timeline = (struct rect){ 1 + band, 0, tl, cols };
	l->metrics = (struct rect){ 1 + band + tl, 0, bottom, cols * 9 / 20 };
	l->lesson = (struct rect){ 1 + band + tl, cols * 9 / 20, bottom,
				   cols - cols * 9 / 20 };
}

/* The glyph and attribute of what t can do. */
static attr_t
can_attr(const struct ui *u, enum control_can can)
{
	const struct theme *t = &u->theme;

	switch (can) {
	case CAN_MOVE:
		return t->ok;
	case CAN_BLOCK:
	case CAN_TIMEOUT:
		return t->state_attr[LS_STATE_PARKED];
	case CAN_WAIT:
		return t->state_attr[LS_STATE_BLOCKED];
	case CAN_BUSY:
		return t->state_attr[LS_STATE_RUNNING];
	default:
		return t->dim;
	}
}

static const char *
can_words(enum control_can can)
{
	switch (can) {
	case CAN_MOVE:
		return "can move";
	case CAN_BLOCK:
		return "will block";
	case CAN_TIMEOUT:
		return "blocked, can time out";
	case CAN_WAIT:
		return "blocked";
	case CAN_BUSY:
		return "working";
	default:
		return "done";
	}
}

/* One thread's column: its past steps, dim, then its next one, marked. */
static void
stepview_column(struct ui *u, struct rect r, unsigned number,
		const struct control_thread *ct)
{
	const struct theme *th = &u->theme;
	const struct control *c = &u->ctl;
	char footer[64];
	int rows = r.h - 2, y, shown;
	size_t k, mine = 0, skip;

	snprintf(footer, sizeof(footer), "%u: %s", number, can_words(ct->can));
	draw_box(u, r, ct->name, NULL);
	draw_textf(r.y + r.h - 1, r.x + 1, r.w - 2, can_attr(u, ct->can) |
		   A_BOLD, " %s ", footer);
	for (k = 0; k < c->nsteps; k++)
		mine += !strcmp(c->steps[k].thread, ct->name);
	/* Room for the next step (two lines when it waits) under the past. */
	shown = rows - 2;
	skip = mine > (size_t)(shown > 0 ? shown : 0)
		       ? mine - (size_t)shown : 0;
	y = r.y + 1;
	for (k = 0; k < c->nsteps && y < r.y + 1 + shown; k++) {
		if (strcmp(c->steps[k].thread, ct->name))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		draw_textf(y++, r.x + 1, r.w - 2, th->dim, "%3zu %s", k + 1,
			   c->steps[k].what);
	}
	if (y < r.y + r.h - 1)
		draw_textf(y++, r.x + 1, r.w - 2, A_BOLD | can_attr(u, ct->can),
			   "%s %s", th->utf8 ? "▶" : ">",
			   strncmp(ct->what, "next: ", 6) ? ct->what
							   : ct->what + 6);
}

void
stepview_draw(struct ui *u, struct rect r)
{
	size_t n = u->ncthreads, first = (size_t)u->threads_scroll, i;
	unsigned cols;
	int w, x;

	/* A script shows its code instead (codeview.c). */
	if (codeview_draw(u, r, can_attr, can_words))
		return;
	if (first >= n)
		first = n ? n - 1 : 0;
	cols = (unsigned)(n - first < COLUMNS_MAX ? n - first : COLUMNS_MAX);
	if (!cols) {
		draw_box(u, r, "Threads", NULL);
		return;
	}
	w = r.w / (int)cols;
	for (i = 0, x = r.x; i < cols; i++, x += w)
		stepview_column(u, (struct rect){ r.y, x, r.h,
				 i + 1 == cols ? r.x + r.w - x : w },
				(unsigned)(first + i + 1), &u->cthreads[first + i]);
}

/* Has variable o changed since the last step began? */
static bool
stepview_var_changed(const struct ui *u, const struct model_object *o)
{
	size_t i;

	for (i = 0; i < u->nvar_before; i++)
		if (u->var_before[i].id == o->id)
			return u->var_before[i].value != o->count;
	return u->ctl.nsteps > 0;
}

void
stepview_snapshot(struct ui *u)
{
	unsigned i;

	u->nvar_before = 0;
	if (u->ctl.target.source) {
		codeview_snapshot(u);
		return;
	}
	for (i = 0; i < MODEL_MAX_OBJECTS &&
		    u->nvar_before < UI_MAX_VARS; i++) {
		const struct model_object *o = &u->model->objects[i];

		if (!o->used || o->kind != LS_OBJ_VAR)
			continue;
		u->var_before[u->nvar_before].id = o->id;
		u->var_before[u->nvar_before].value = o->count;
		u->nvar_before++;
	}
}

void
stepview_shared_draw(struct ui *u, struct rect r)
{
	const struct theme *th = &u->theme;
	int y = r.y + 1;
	unsigned i, k;

	/* A script's values and locals (codeview.c), then its locks. */
	y = codeview_vars_draw(u, r);
	if (!y) {
		y = r.y + 1;
		draw_box(u, r, "Shared", NULL);
	}
	/* Values first, the one the last step changed marked. */
	for (i = 0; !u->ctl.target.source && i < MODEL_MAX_OBJECTS &&
		    y < r.y + r.h - 1; i++) {
		const struct model_object *o = &u->model->objects[i];
		bool changed;

		if (!o->used || o->kind != LS_OBJ_VAR)
			continue;
		changed = u->ctl.nsteps && stepview_var_changed(u, o);
		draw_textf(y++, r.x + 1, r.w - 2,
			   changed ? th->changed : A_NORMAL, "%s%s = %llu",
			   changed ? (th->utf8 ? "◆ " : "* ") : "  ", o->name,
			   (unsigned long long)o->count);
	}
	/* Then who holds each lock, and who waits. */
	for (i = 0; i < MODEL_MAX_OBJECTS && y < r.y + r.h - 1; i++) {
		const struct model_object *o = &u->model->objects[i];
		char waiting[64] = "";
		size_t used = 0;

		if (!o->used || (o->kind != LS_OBJ_MUTEX &&
				 o->kind != LS_OBJ_RWLOCK))
			continue;
		for (k = 0; k < o->nwaiters && used < sizeof(waiting); k++)
			used += (size_t)snprintf(waiting + used,
						 sizeof(waiting) - used, "%s%s",
						 k ? " " : ", waits: ",
						 ui_thread_name(u,
							o->waiters[k].tid));
		draw_textf(y++, r.x + 1, r.w - 2, A_NORMAL, "  %s: %s%s%s",
			   o->name, o->owner ? "held by " : "free",
			   o->owner ? ui_thread_name(u, o->owner) : "",
			   waiting);
	}
}

/* "alice is working: 120 of 300 ms" with a bar, while a step is out. */
static bool
stepview_progress(struct ui *u, struct rect r)
{
	const struct theme *th = &u->theme;
	uint64_t now = ls_clock_ns(), began = u->ctl.step_began;
	size_t i;

	if (!u->ctl.stepping)
		return false;
	for (i = 0; i < u->ncthreads; i++) {
		const struct control_thread *t = &u->cthreads[i];
		uint64_t total, done;
		int bar, k, x;

		if (t->can != CAN_BUSY)
			continue;
		if (!t->busy_until || t->busy_until <= began) {
			draw_textf(r.y, r.x, r.w, A_BOLD, " %s is working...",
				   t->name);
			return true;
		}
		total = t->busy_until - began;
		done = now > began ? now - began : 0;
		if (done > total)
			done = total;
		x = r.x + draw_textf(r.y, r.x, r.w, A_BOLD, " %s is working: "
				     "%llu of %llu ms ", t->name,
				     (unsigned long long)(done / 1000000),
				     (unsigned long long)(total / 1000000));
		bar = r.x + r.w - x - 1 < 20 ? r.x + r.w - x - 1 : 20;
		for (k = 0; k < bar; k++)
			draw_text(r.y, x + k, 1, th->bar_fill,
				  (uint64_t)k * total < (uint64_t)bar * done
					  ? th->bar_full : th->bar_empty);
		return true;
	}
	draw_textf(r.y, r.x, r.w, A_BOLD, " the step is under way...");
	return true;
}

void
stepview_strip_draw(struct ui *u, struct rect r)
{
	const struct theme *th = &u->theme;
	const struct control *c = &u->ctl;
	struct scene_outcome out;
	const char *const *hint;
	size_t at = 0, k, first = 0, width = 0;
	bool outcome = control_outcome(&u->ctl, &out, &at);
	int x;

	/* Line 1: the outcome, the step under way, or the goal. */
	if (outcome) {
		mvhline(r.y, r.x, ' ' | th->alert, r.w);
		draw_textf(r.y, r.x, r.w, th->alert, " %s%s%zu: %s",
			   ls_outcome_name(out.kind),
			   at ? " at step " : "", at, out.what);
	} else if (!stepview_progress(u, r) && u->replay) {
		draw_textf(r.y, r.x, r.w, A_BOLD, " replaying %s: step %zu of "
			   "%zu%s%zu - n takes the next, space %s", u->replay->file,
			   u->replay_next, u->replay->n, u->replay_fail_at
			   ? "; it fails at step " : "", u->replay_fail_at
			   ? u->replay_fail_at : u->replay->n,
			   u->replay_auto ? "stops" : "plays");
	} else if (!u->ctl.stepping) {
		hint = control_hint(&u->ctl);
		if (hint && c->replayable) {
			char buf[160];
			size_t used = 0;

			for (k = 0; hint[k] && used < sizeof(buf); k++)
				used += (size_t)snprintf(buf + used,
							 sizeof(buf) - used,
							 "%s%s", k ? " " : "",
							 hint[k]);
			draw_textf(r.y, r.x, r.w, th->dim, " to see it fail, "
				   "try the steps: %s", buf);
		}
	}
	/* Line 2: the schedule so far, newest at the right, the current
	 * step bracketed and the one that caused the outcome marked. */
	for (k = c->nsteps; k > 0; k--) {
		width += strlen(c->steps[k - 1].thread) + 3;
		if ((int)width > r.w - 12) {
			first = k;
			break;
		}
	}
	x = r.x + draw_textf(r.y + 1, r.x, r.w, A_BOLD, " schedule:%s",
			     first ? " ..." : "");
	for (k = first; k < c->nsteps && x < r.x + r.w - 1; k++) {
		bool last = k + 1 == c->nsteps, cause = outcome && at == k + 1;
		attr_t a = cause ? th->alert : last ? A_BOLD | A_REVERSE
						    : A_NORMAL;

		x += 1;
		x += draw_textf(r.y + 1, x, r.x + r.w - x, a, "%s%s%s",
				last ? "[" : "", c->steps[k].thread,
				last ? "]" : "");
	}
	if (!c->nsteps)
		draw_text(r.y + 1, x + 1, r.x + r.w - x - 1, th->dim,
			  "no step yet: a thread's number steps it, n the "
			  "next that can move");
}

unsigned
stepview_column_tid(const struct ui *u, unsigned number)
{
	size_t idx = (size_t)u->threads_scroll + number - 1;

	return number && idx < u->ncthreads ? u->cthreads[idx].tid : 0;
}

bool
stepview_click(struct ui *u, struct rect r, int y, int x, unsigned *tid)
{
	size_t n = u->ncthreads, first = (size_t)u->threads_scroll;
	unsigned cols;
	int w;

	if (y < r.y || y >= r.y + r.h || x < r.x || x >= r.x + r.w ||
	    first >= n)
		return false;
	cols = codeview_columns(u, r.w);
	cols = (unsigned)(n - first < cols ? n - first : cols);
	w = r.w / (int)cols;
	*tid = stepview_column_tid(u, (unsigned)((x - r.x) / w) + 1);
	return *tid != 0;
}
