/*
 * codeview.c - the step view of a scene script: each thread's code with
 * the line it runs next marked (a glyph, not only a colour) and, for a
 * statement split in steps, the part that comes next with its value
 * ("load balance -> 100", "store balance <- 50"); the shared variables,
 * the one the last step changed marked; each thread's locals under its
 * name; the script's title and goal for the header.
 *
 * It reads the run's state through run_view (script/run.h) while the
 * control holds the threads, and the control's listing (u->cthreads) for
 * who can move; stepview.c draws the frame around it and, for C scenes,
 * everything.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#include "script/run.h"
#include "script/script.h"

/* The width a code column needs at least; four fit at 100 columns. */
#define CODE_COL_MIN 18

/* The run's state now, or false (no script, or not started). */
static bool
codeview_state(const struct ui *u, struct run_view *v)
{
	return u->ctl.running && u->ctl.target.source &&
	       run_view(&u->ctl.run, v);
}

bool
codeview_header(const struct ui *u, char *name, size_t nn, char *title,
		size_t nt)
{
	const struct script_program *p = u->ctl.target.source;
	const char *base;
	size_t used = 0;
	unsigned bit;

	if (!p || !u->ctl.target.path)
		return false;
	base = strrchr(u->ctl.target.path, '/');
	snprintf(name, nn, "%s", base ? base + 1 : u->ctl.target.path);
	used = (size_t)snprintf(title, nt, "%s  GOAL:", p->title);
	for (bit = 1; bit <= SCRIPT_GOAL_ERROR && used < nt; bit <<= 1)
		if (p->goals & bit)
			used += (size_t)snprintf(title + used, nt - used,
						 " %s", script_goal_name(bit));
	return true;
}

void
codeview_snapshot(struct ui *u)
{
	struct run_view v;
	unsigned k;

	if (!codeview_state(u, &v))
		return;
	u->nvar_before = 0;
	for (k = 0; k < v.prog->nslots && k < UI_MAX_VARS; k++) {
		u->var_before[k].id = run_slot_id(&u->ctl.run, k);
		u->var_before[k].value = (uint64_t)v.shared[k];
		u->nvar_before++;
	}
}

/* "load balance -> 100" or "store balance <- 50" for a split step. */
static void
codeview_next_part(const struct run_view *v, unsigned t,
		   const struct script_step *st, char *buf, size_t n)
{
	const struct run_thread_view *th = &v->th[t];
	int64_t id = v->prog->threads[t].id, x = 0;
	size_t used;
	unsigned i;

	buf[0] = '\0';
	if (st->kind == SCRIPT_STEP_LOAD) {
		used = (size_t)snprintf(buf, n, "load");
		for (i = 0; i < st->nloads && used < n; i++) {
			const struct script_load *l = &st->loads[i];

			if (l->obj >= 0 || eval_expr(&l->value, v->shared,
						     th->locals, th->temps, id,
						     &x))
				used += (size_t)snprintf(buf + used, n - used,
							 "%s %s", i ? "," : "",
							 l->text);
			else
				used += (size_t)snprintf(buf + used, n - used,
							 "%s %s -> %lld",
							 i ? "," : "", l->text,
							 (long long)x);
		}
	} else if (st->kind == SCRIPT_STEP_STORE &&
		   !eval_expr(&st->value, v->shared, th->locals, th->temps, id,
			      &x)) {
		snprintf(buf, n, "%s <- %lld", st->text, (long long)x);
	}
}

/* Source line k of the program with tabs as spaces, into buf. */
static void
codeview_line(const struct script_program *p, unsigned k, char *buf, size_t n)
{
	const char *s = k && k <= p->nlines ? p->lines[k - 1] : "";
	size_t used = 0;

	for (; *s && used + 5 < n; s++) {
		if (*s == '\t') {
			memcpy(buf + used, "    ", 4);
			used += 4;
		} else {
			buf[used++] = *s;
		}
	}
	buf[used] = '\0';
}

/* One thread's column: its body's lines, the next one marked. */
static void
codeview_column(struct ui *u, struct rect r, unsigned number,
		const struct control_thread *ct, const struct run_view *v,
		attr_t can_attr, const char *can_words)
{
	const struct theme *th = &u->theme;
	const struct script_program *p = v->prog;
	int t = script_thread_find(p, ct->name), rows = r.h - 3, y;
	const struct script_body *b;
	const struct script_step *st = NULL;
	unsigned next = 0, first, k;
	char line[256], part[96];

	draw_box(u, r, ct->name, NULL);
	draw_textf(r.y + r.h - 1, r.x + 1, r.w - 2, can_attr | A_BOLD,
		   " %u: %s ", number, can_words);
	if (t < 0 || rows < 1)
		return;
	b = script_thread_body(p, (unsigned)t);
	if (v->th[t].status != RUN_DONE && v->th[t].pc < b->nsteps) {
		st = &b->steps[v->th[t].pc];
		next = st->line;
	}
	/* Keep the next line in sight, a third of the way down. */
	first = b->first_line;
	if (next && next > first + (unsigned)rows / 3)
		first = next - (unsigned)rows / 3;
	if (first + (unsigned)rows > b->last_line + 1 &&
	    b->last_line + 1 > b->first_line + (unsigned)rows)
		first = b->last_line + 1 - (unsigned)rows;
	for (y = 0, k = first; y < rows && k <= b->last_line; y++, k++) {
		bool here = k == next;

		codeview_line(p, k, line, sizeof(line));
		draw_textf(r.y + 1 + y, r.x + 1, r.w - 2,
			   here ? A_BOLD | can_attr : A_NORMAL, "%s%s",
			   here ? (th->utf8 ? "▶" : ">") : " ", line);
	}
	/* Under the code: what the next step does, or why it cannot. */
	if (st)
		codeview_next_part(v, (unsigned)t, st, part, sizeof(part));
	else
		snprintf(part, sizeof(part), "returned");
	if (ct->can == CAN_WAIT || ct->can == CAN_BLOCK)
		snprintf(part, sizeof(part), "%s", ct->what);
	draw_textf(r.y + r.h - 2, r.x + 1, r.w - 2, A_BOLD | can_attr, "%s%s",
		   part[0] ? (th->utf8 ? "» " : ": ") : "", part);
}

bool
codeview_draw(struct ui *u, struct rect r,
	      attr_t (*attr)(const struct ui *, enum control_can),
	      const char *(*words)(enum control_can))
{
	struct run_view v;
	size_t n = u->ncthreads, first = (size_t)u->threads_scroll, i;
	unsigned cols, fit;
	int w, x;

	if (!codeview_state(u, &v))
		return false;
	if (first >= n)
		first = n ? n - 1 : 0;
	fit = r.w / CODE_COL_MIN > 0 ? (unsigned)(r.w / CODE_COL_MIN) : 1;
	if (fit > 4)
		fit = 4;
	cols = (unsigned)(n - first < fit ? n - first : fit);
	if (!cols) {
		draw_box(u, r, "Threads", NULL);
		return true;
	}
	w = r.w / (int)cols;
	for (i = 0, x = r.x; i < cols; i++, x += w) {
		const struct control_thread *ct = &u->cthreads[first + i];

		codeview_column(u, (struct rect){ r.y, x, r.h,
				i + 1 == cols ? r.x + r.w - x : w },
				(unsigned)(first + i + 1), ct, &v,
				attr(u, ct->can), words(ct->can));
	}
	return true;
}

unsigned
codeview_columns(const struct ui *u, int width)
{
	unsigned fit = width / CODE_COL_MIN > 0 ? (unsigned)(width /
							   CODE_COL_MIN) : 1;

	if (!u->ctl.target.source)
		return 4;
	return fit > 4 ? 4 : fit;
}

int
codeview_vars_draw(struct ui *u, struct rect r)
{
	const struct theme *th = &u->theme;
	const struct script_program *p;
	struct run_view v;
	char val[160];
	int y = r.y + 1;
	unsigned i, k, t;
	size_t used;

	if (!codeview_state(u, &v))
		return 0;
	p = v.prog;
	draw_box(u, r, "Shared", NULL);
	for (i = 0; i < p->nvars; i++) {
		const struct script_var *var = &p->vars[i];

		for (k = 0; k < var->len && y < r.y + r.h - 1; k++) {
			unsigned slot = var->slot + k;
			bool changed = u->ctl.nsteps && slot < u->nvar_before &&
				       (int64_t)u->var_before[slot].value !=
					       v.shared[slot];

			if (var->array)
				snprintf(val, sizeof(val), "%s[%u]", var->name,
					 k);
			else
				snprintf(val, sizeof(val), "%s", var->name);
			draw_textf(y++, r.x + 1, r.w - 2,
				   changed ? th->changed | A_BOLD : A_NORMAL,
				   "%s%s = %lld", changed ? (th->utf8 ? "◆ "
								      : "* ")
							  : "  ",
				   val, (long long)v.shared[slot]);
		}
	}
	/* Each thread's locals, under its name. */
	for (t = 0; t < p->nthreads && y < r.y + r.h - 1; t++) {
		const struct script_body *b = script_thread_body(p, t);

		if (!b->nlocals)
			continue;
		used = (size_t)snprintf(val, sizeof(val), "%s:",
					p->threads[t].name);
		for (k = 0; k < b->nlocals && used < sizeof(val); k++)
			used += (size_t)snprintf(val + used,
						 sizeof(val) - used,
						 " %s=%lld", b->locals[k].name,
						 (long long)v.th[t].locals[k]);
		draw_text(y++, r.x + 1, r.w - 2, th->dim, val);
	}
	return y;
}
