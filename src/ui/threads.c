/*
 * threads.c - the threads panel: one line per thread under column
 * headers, with its number (the key that steps it), its state (a glyph
 * and a word, coloured), what it holds and wants, and, while the engine
 * is held, what it will do next and whether it can move, as the control
 * listed it this frame.  The arrow keys move a cursor over the rows and
 * Enter opens the thread's detail in the lesson panel, as a click does.
 *
 * A state change is emphasised for a second, but only a real one: a
 * pause parks every thread at once, which is no news about any of them.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* Finished threads stay on screen this long, then make room. */
#define DONE_LINGER_NS 2000000000ull
/* A state change is highlighted this long. */
#define CHANGED_NS 1000000000ull
/* Log entries looked back through for what each thread last read or
 * wrote: a frame's worth of events and then some. */
#define LOCALS_LOOKBACK 4096

/* Is t a finished thread whose name a newer thread carries (a pool's
 * worker replaced by the next pool's, in the sizing sweep)?  Listed once
 * is enough. */
static bool
threads_superseded(const struct model *m, const struct model_thread *t)
{
	unsigned i;

	if (t->state != LS_STATE_DONE)
		return false;
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *o = &m->threads[i];

		/* Newer by its first event: tids may be reused. */
		if (o->used && o != t && o->first_ts > t->first_ts &&
		    !strcmp(o->name, t->name))
			return true;
	}
	return false;
}

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
			if (threads_superseded(m, t))
				continue;
			/* Insertion sort by tid: slots are not in tid order. */
			for (j = n; j > (pass ? live : 0) &&
				    out[j - 1] > t->tid; j--)
				out[j] = out[j - 1];
			out[j] = t->tid;
			n++;
		}
		live = n;
	}
	return n;
}

const struct control_thread *
threads_control(const struct ui *u, unsigned tid)
{
	size_t i;

	for (i = 0; i < u->ncthreads; i++)
		if (u->cthreads[i].tid == tid)
			return &u->cthreads[i];
	return NULL;
}

/* "holds A, B  wants C" into buf. */
static void
thread_relations(const struct ui *u, const struct model_thread *t,
		 bool held, char *buf, size_t n)
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
					 used ? ", " : "holds ",
					 ui_object_name(u, t->held[i]));
		if (times > 1 && used < n)
			used += (size_t)snprintf(buf + used, n - used, " x%u",
						 times);
	}
	/* Held, the control's sentence says what it waits for. */
	if (!held && t->waiting_for && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%swants %s",
					 used ? "  " : "",
					 ui_object_name(u, t->waiting_for));
	if (!t->waiting_for && t->task && t->state != LS_STATE_IDLE &&
	    t->state != LS_STATE_DONE && used < n)
		snprintf(buf + used, n - used, "%stask %llu", used ? "  " : "",
			 (unsigned long long)t->task);
}

/*
 * What each thread last read or wrote of a scene's variable, as the
 * scenes mark it (LS_MARK_READ, LS_MARK_WRITE): "read balance = 100" is
 * what alice knows while she works out the new balance.  One pass back
 * through the newest log entries finds it for every thread at once.
 */
struct locals {
	unsigned n;
	unsigned tid[MODEL_MAX_THREADS];
	const struct ls_event *e[MODEL_MAX_THREADS];
};

static void
threads_locals(const struct ui *u, struct locals *l)
{
	const struct model *m = u->model;
	uint64_t first = model_log_first(m), i = model_log_end(m), seen = 0;
	unsigned k;

	l->n = 0;
	while (i > first && seen++ < LOCALS_LOOKBACK &&
	       l->n < MODEL_MAX_THREADS) {
		const struct model_log_entry *le = model_log_entry(m, --i);

		if (!le || le->e.kind != LS_EV_MARK ||
		    !(le->e.aux & (LS_MARK_READ | LS_MARK_WRITE)))
			continue;
		for (k = 0; k < l->n && l->tid[k] != le->e.tid; k++)
			;
		if (k < l->n)
			continue;
		l->tid[l->n] = le->e.tid;
		l->e[l->n++] = &le->e;
	}
}

/* "read balance=100" for thread tid, or "". */
static void
threads_local(const struct ui *u, const struct locals *l, unsigned tid,
	      char *buf, size_t n)
{
	unsigned k;

	buf[0] = '\0';
	for (k = 0; k < l->n; k++)
		if (l->tid[k] == tid)
			snprintf(buf, n, "%s %s=%llu",
				 l->e[k]->aux & LS_MARK_WRITE ? "wrote" : "read",
				 ui_object_name(u, l->e[k]->obj),
				 (unsigned long long)l->e[k]->arg);
}

/* Can the control move thread c with a step key? */
static bool
threads_steppable(const struct control_thread *c)
{
	return c && (c->can == CAN_MOVE || c->can == CAN_BLOCK ||
		     c->can == CAN_TIMEOUT);
}

/* The short answer in the "go?" column. */
static const char *
threads_can_word(const struct control_thread *c)
{
	static const char *const words[] = {
		[CAN_MOVE] = "yes", [CAN_BLOCK] = "waits", [CAN_TIMEOUT] = "t/o",
		[CAN_WAIT] = "no", [CAN_BUSY] = "busy", [CAN_DONE] = "-",
	};

	return c && c->can <= CAN_DONE ? words[c->can] : "";
}

/* The columns: x offsets inside the panel. */
struct columns {
	int num, glyph, name, state, can, text;
	int name_w;
};

static void
threads_columns(const struct ui *u, const unsigned *tids, unsigned n,
		struct columns *c)
{
	unsigned i;

	/* The name column is as wide as the longest name shown (6..14), so
	 * short names leave room for what a thread does. */
	c->name_w = 6;
	for (i = 0; i < n; i++) {
		int len = text_width(ui_thread_name(u, tids[i]));

		if (len > c->name_w)
			c->name_w = len > 14 ? 14 : len;
	}
	c->num = 0;
	c->glyph = 2;
	c->name = 4;
	c->state = c->name + c->name_w + 1;
	c->can = c->state + 8;
	c->text = u->paused ? c->can + 6 : c->can;
}

static void
threads_header(const struct ui *u, struct rect r, const struct columns *c)
{
	int y = r.y + 1, x = r.x + 1, w = r.w - 2;
	attr_t a = A_BOLD | A_UNDERLINE;

	mvhline(y, x, ' ', w);
	draw_text(y, x + c->num, 2, a, "#");
	draw_text(y, x + c->name, c->name_w, a, "thread");
	draw_text(y, x + c->state, 7, a, "state");
	if (u->paused) {
		draw_text(y, x + c->can, 5, a, "go?");
		draw_text(y, x + c->text, w - c->text, a, "next step");
	} else {
		draw_text(y, x + c->text, w - c->text, a, "holds, wants, runs");
	}
}

/* One thread's row at y. */
static void
threads_row(struct ui *u, struct rect r, const struct columns *c, int y,
	    unsigned number, const struct model_thread *t,
	    const struct locals *l)
{
	const struct theme *th = &u->theme;
	const struct control_thread *ct = threads_control(u, t->tid);
	unsigned st = t->state < LS_STATE_COUNT ? t->state : 0;
	int x = r.x + 1, w = r.w - 2, used;
	/* Only a real change (the model's stamp: not a pause, which parks
	 * every thread at once), in the last second of the run's time. */
	bool changed = t->changed && u->model->now - t->changed < CHANGED_NS;
	attr_t sel = t->tid == u->cursor_tid || t->tid == u->selected_tid
			     ? th->selected : 0;
	attr_t sa = th->state_attr[st];
	char text[192], rel[128];

	if (sel)
		mvhline(y, x, ' ', w);
	/* The step keys, bright where a step would move the thread. */
	if (number <= 9)
		draw_textf(y, x + c->num, 2, sel | (!u->paused ||
			   threads_steppable(ct) ? A_BOLD : th->dim), "%u",
			   number);
	draw_text(y, x + c->glyph, 1, sa | sel, th->state_glyph[st]);
	draw_textf(y, x + c->name, c->name_w + 1, sel | (changed ? A_BOLD : 0),
		   "%-*.*s", c->name_w, c->name_w, ui_thread_name(u, t->tid));
	draw_textf(y, x + c->state, 8, sa | sel | (changed ? th->changed : 0),
		   "%-7s", ui_state_word(st, true));
	/* What it knows first ("read balance=100"), then what it does. */
	threads_local(u, l, t->tid, text, sizeof(text));
	used = (int)strlen(text);
	if (used)
		used += snprintf(text + used, sizeof(text) - (size_t)used, "; ");
	thread_relations(u, t, u->paused, rel, sizeof(rel));
	if (u->paused && ct) {
		draw_text(y, x + c->can, 5, sel | (threads_steppable(ct)
			  ? th->ok : th->dim), threads_can_word(ct));
		used += snprintf(text + used, sizeof(text) - (size_t)used, "%s",
				 strncmp(ct->what, "next: ", 6) ? ct->what
								: ct->what + 6);
		if (rel[0] && (size_t)used < sizeof(text))
			snprintf(text + used, sizeof(text) - (size_t)used,
				 "  (%s)", rel);
	} else if ((size_t)used < sizeof(text)) {
		snprintf(text + used, sizeof(text) - (size_t)used, "%s", rel);
	}
	used = (int)strlen(text);
	if (used >= 2 && !strcmp(text + used - 2, "; "))
		text[used - 2] = '\0';
	draw_text(y, x + c->text, w - c->text, sel, text);
}

/* Keep the cursor's row inside the panel's rows. */
static void
threads_follow_cursor(struct ui *u, const unsigned *tids, unsigned n,
		      unsigned rows)
{
	unsigned i;

	for (i = 0; i < n && tids[i] != u->cursor_tid; i++)
		;
	if (i == n || !rows)
		return;
	if (i < (unsigned)u->threads_scroll)
		u->threads_scroll = (int)i;
	else if (i >= (unsigned)u->threads_scroll + rows)
		u->threads_scroll = (int)(i - rows + 1);
	u->timeline_scroll = u->threads_scroll;
}

void
threads_draw(struct ui *u, struct rect r)
{
	unsigned tids[MODEL_MAX_THREADS], n, i, rows;
	static struct locals l;
	struct columns c;
	char title[48];

	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	threads_locals(u, &l);
	/* One row for the column headers. */
	rows = r.h > 3 ? (unsigned)r.h - 3 : 0;
	threads_follow_cursor(u, tids, n, rows);
	if (u->threads_scroll > 0 && (unsigned)u->threads_scroll + rows > n)
		u->threads_scroll = n > rows ? (int)(n - rows) : 0;
	snprintf(title, sizeof(title), "Threads (%u)", n);
	draw_box(u, r, title, n > rows ? "more: arrow keys" : NULL);
	if (r.h < 4)
		return;
	threads_columns(u, tids, n, &c);
	threads_header(u, r, &c);
	for (i = 0; i < rows && i + (unsigned)u->threads_scroll < n; i++) {
		unsigned idx = i + (unsigned)u->threads_scroll;
		const struct model_thread *t = model_thread(u->model, tids[idx]);

		threads_row(u, r, &c, r.y + 2 + (int)i, i + 1, t, &l);
	}
}

bool
threads_key(struct ui *u, int ch)
{
	unsigned tids[MODEL_MAX_THREADS], n, i;

	/* The step view's columns scroll sideways. */
	if (u->step_view && (ch == KEY_NPAGE || ch == KEY_PPAGE)) {
		if (ch == KEY_NPAGE)
			u->threads_scroll++;
		else if (u->threads_scroll > 0)
			u->threads_scroll--;
		return true;
	}
	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	for (i = 0; i < n && tids[i] != u->cursor_tid; i++)
		;
	switch (ch) {
	case KEY_DOWN:
		if (!n)
			return true;
		u->cursor_tid = tids[i >= n ? 0 : i + 1 < n ? i + 1 : i];
		break;
	case KEY_UP:
		if (!n)
			return true;
		u->cursor_tid = tids[i >= n || i == 0 ? 0 : i - 1];
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (!u->cursor_tid && n)
			u->cursor_tid = tids[0];
		u->selected_tid = u->selected_tid == u->cursor_tid
					  ? 0 : u->cursor_tid;
		break;
	case 27:	/* Esc closes the detail and drops the cursor. */
		u->selected_tid = u->cursor_tid = 0;
		break;
	default:
		return false;
	}
	/* The detail follows the cursor once it is open. */
	if (u->selected_tid && (ch == KEY_UP || ch == KEY_DOWN))
		u->selected_tid = u->cursor_tid;
	return true;
}

bool
threads_click(struct ui *u, struct rect r, int y, int x)
{
	unsigned tids[MODEL_MAX_THREADS], n;
	/* Rows start under the column headers. */
	int row = y - r.y - 2 + u->threads_scroll;

	if (x <= r.x || x >= r.x + r.w - 1 || y <= r.y + 1 ||
	    y >= r.y + r.h - 1)
		return false;
	n = threads_visible(u, tids, MODEL_MAX_THREADS);
	if (row < 0 || (unsigned)row >= n)
		return false;
	u->cursor_tid = tids[row];
	u->selected_tid = u->selected_tid == tids[row] ? 0 : tids[row];
	return true;
}
