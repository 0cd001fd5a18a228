/*
 * keybar.c - the bottom of the screen: a status line (what a step is
 * doing, a message, what to press next), the global keys, and the
 * scene's own parameter keys, every one of them, on as many lines as they
 * need.  Keys are drawn as bright chips, so they read from the back of a
 * room; a message has its own line and never covers a key.
 *
 * When the screen is narrow the global keys that matter least make room
 * first; the step keys, the log, help and quit always stay.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* The most lines the scene's keys may take. */
#define PARAM_ROWS_MAX 3

struct key_item {
	char key[16];
	char label[96];
	int prio;	/* 0 always shown; higher goes first when narrow */
};

/* Name of a key for the bar: "p", "Tab". */
static void
keyname_short(int key, char *buf, size_t n)
{
	if (key == '\t')
		snprintf(buf, n, "Tab");
	else if (key == ' ')
		snprintf(buf, n, "space");
	else
		snprintf(buf, n, "%c", key);
}

/* The keys of parameter i ("p/P") and its label ("producers=2", or for
 * the fix "fix=none (next: mutex)"). */
static void
param_item(const struct ui *u, unsigned i, struct key_item *it)
{
	const struct scene_param *p = &u->def->params[i];
	int v = u->ctl.target.params[i];
	char k1[8], k2[8], val[32], next[32];

	keyname_short(p->key, k1, sizeof(k1));
	if (p->key_down) {
		keyname_short(p->key_down, k2, sizeof(k2));
		snprintf(it->key, sizeof(it->key), "%s/%s", k1, k2);
	} else {
		snprintf(it->key, sizeof(it->key), "%s", k1);
	}
	scene_param_format(u->def, i, v, val, sizeof(val));
	it->prio = 0;
	if (!strcmp(p->name, "fix") && p->values) {
		/* Say here, not only in the lesson, that the key cycles. */
		scene_param_format(u->def, i, v < p->max ? v + 1 : p->min, next,
				   sizeof(next));
		snprintf(it->label, sizeof(it->label), "fix=%s (next: %s)", val,
			 next);
	} else {
		snprintf(it->label, sizeof(it->label), "%s=%s", p->name, val);
	}
}

void
keybar_param_text(const struct ui *u, unsigned i, char *buf, size_t n)
{
	struct key_item it;

	param_item(u, i, &it);
	snprintf(buf, n, "%s %s", it.key, it.label);
}

static int
item_width(const struct key_item *it)
{
	return text_width(it->key) + 2 + text_width(it->label);
}

/* How many rows items take at w columns, two columns between items. */
static int
items_rows(const struct key_item *it, unsigned n, int w)
{
	int rows = n ? 1 : 0, x = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		int iw = item_width(&it[i]);

		if (x && x + 2 + iw > w) {
			rows++;
			x = 0;
		}
		x += (x ? 2 : 0) + iw;
	}
	return rows;
}

/* Draw items from row y, wrapping, at most rows rows.  Returns rows. */
static int
items_draw(int y, int x0, int w, int rows, const struct key_item *it,
	   unsigned n)
{
	int x = 0, row = 0;
	unsigned i;

	for (i = 0; i < n && row < rows; i++) {
		int iw = item_width(&it[i]), kw = text_width(it[i].key) + 2;

		if (x && x + 2 + iw > w) {
			if (++row >= rows)
				break;
			x = 0;
		}
		if (x)
			x += 2;
		draw_textf(y + row, x0 + x, kw, A_REVERSE | A_BOLD, " %s ",
			   it[i].key);
		draw_text(y + row, x0 + x + kw, w - x - kw, A_NORMAL,
			  it[i].label);
		x += iw;
	}
	return row + 1;
}

/* The scene's keys; returns how many. */
static unsigned
keybar_params(const struct ui *u, struct key_item *it)
{
	unsigned i, n = 0;

	for (i = 0; i < u->def->nparams && n < SCENE_MAX_PARAMS; i++)
		if (u->def->params[i].key)
			param_item(u, i, &it[n++]);
	return n;
}

int
keybar_rows(struct ui *u, int cols)
{
	struct key_item it[SCENE_MAX_PARAMS];
	unsigned n = keybar_params(u, it);
	int rows = items_rows(it, n, cols - 1);

	if (u->play)
		return replayview_rows();
	/* The status line, the global keys, the scene's keys. */
	return 2 + (rows > PARAM_ROWS_MAX ? PARAM_ROWS_MAX : rows);
}

/* The global keys that fit in w columns, in their order. */
static unsigned
keybar_global(const struct ui *u, int w, struct key_item *out)
{
	const struct key_item all[] = {
		{ "space", "pause", 0 }, { "s", "step", 0 },
		{ "1-9", "thread", 0 }, { "b", "back", 1 },
		{ "g", "go", 1 }, { "r", "reset", 2 }, { "l", "log", 0 },
		{ "z", "class", 3 }, { "v", "step view", 4 },
		{ "x", "search", 5 }, { "+/-", "speed", 5 },
		{ "Tab", "scene", 4 }, { "?", "help", 0 }, { "q", "quit", 0 },
	};
	const unsigned nall = sizeof(all) / sizeof(all[0]);
	bool keep[sizeof(all) / sizeof(all[0])] = { false };
	unsigned i, n = 0;
	int prio, used = 0;

	/* Take items by priority while they fit; show them in order. */
	for (prio = 0; prio <= 5; prio++)
		for (i = 0; i < nall; i++) {
			int iw = item_width(&all[i]) + 2;

			if (all[i].prio != prio || used + iw > w)
				continue;
			keep[i] = true;
			used += iw;
		}
	for (i = 0; i < nall; i++) {
		if (!keep[i])
			continue;
		out[n] = all[i];
		if (!i && u->paused)
			snprintf(out[n].label, sizeof(out[n].label), "resume");
		n++;
	}
	return n;
}

/* "1 alice, 2 bob, 1 alice" for the forcing schedule, by the numbers
 * the threads panel shows. */
static void
keybar_hint(struct ui *u, const char *const *hint, char *buf, size_t n)
{
	unsigned tids[MODEL_MAX_THREADS], nt, i, k;
	size_t used = 0;

	nt = threads_visible(u, tids, MODEL_MAX_THREADS);
	buf[0] = '\0';
	for (k = 0; hint[k] && used < n; k++) {
		unsigned num = 0;

		for (i = 0; i < nt; i++)
			if (!strcmp(ui_thread_name(u, tids[i]), hint[k]))
				num = i + 1 - (unsigned)u->threads_scroll;
		if (num >= 1 && num <= 9)
			used += (size_t)snprintf(buf + used, n - used, "%s%u %s",
						 k ? ", " : "", num, hint[k]);
		else
			used += (size_t)snprintf(buf + used, n - used, "%s%s",
						 k ? ", " : "", hint[k]);
	}
}

/* A step in flight: "step 4: alice is working (240 ms left)" and how
 * far it is, 0..1000 (-1: unknown). */
static int
keybar_step_status(struct ui *u, char *buf, size_t n)
{
	const struct control_thread *c = threads_control(u, u->ctl.step_tid);
	uint64_t now = u->frame_now, began = u->ctl.step_began;
	size_t used;

	used = (size_t)snprintf(buf, n, " Step %zu: %s is %s", u->ctl.nsteps,
				c ? c->name : "the thread",
				c ? c->what : "working");
	if (u->nstep_ahead && used < n)
		snprintf(buf + used, n - used, " (%zu more to come)",
			 u->nstep_ahead);
	if (!c || !c->busy_until || c->busy_until <= began)
		return -1;
	if (now >= c->busy_until)
		return 1000;
	return (int)((now - began) * 1000 / (c->busy_until - began));
}

/* What the status line says now: a message, a step in flight, what to
 * press next.  Returns the progress of a step (0..1000) or -1. */
static int
keybar_status(struct ui *u, char *buf, size_t n)
{
	const char *const *hint;
	char h[160];

	buf[0] = '\0';
	/* A step under way keeps its line: what it waits for is the news. */
	if (u->ctl.stepping)
		return keybar_step_status(u, buf, n);
	if (u->message[0] && u->frame_now < u->message_until) {
		snprintf(buf, n, "%s", u->message);
		return -1;
	}
	if (!u->paused && outcome_stuck(u)) {
		snprintf(buf, n, " Deadlocked: no thread can ever move again. "
			 "r resets%s.", scene_param_index(u->def, "fix") >= 0
			 ? ", f tries a fix" : "");
		return -1;
	}
	if (!u->paused) {
		snprintf(buf, n, " Running at %s. space pauses the real "
			 "threads; s steps one thread at a time.",
			 app_speed_label(u));
		return -1;
	}
	hint = control_hint(&u->ctl);
	if (u->ctl.nsteps && u->ctl.steps) {
		const struct control_step *st = &u->ctl.steps[u->ctl.nsteps - 1];

		snprintf(buf, n, " Step %zu: %s did %s. s steps the next, b "
			 "steps back.", u->ctl.nsteps, st->thread, st->what);
	} else if (hint && hint[0]) {
		keybar_hint(u, hint, h, sizeof(h));
		snprintf(buf, n, " To make it fail, step: %s", h);
	} else {
		snprintf(buf, n, " Paused. s steps the next thread that can "
			 "move, 1-9 that thread; g goes on.");
	}
	return -1;
}

void
keybar_draw(struct ui *u, struct rect r)
{
	struct key_item it[SCENE_MAX_PARAMS], g[16];
	char status[256];
	unsigned n;
	int progress, w = r.w - 1;

	if (u->play) {
		replayview_draw(u, r);
		return;
	}
	/* Fewer rows than asked for (the step view has its own strip):
	 * the keys keep theirs, the status line goes. */
	if (r.h < keybar_rows(u, r.w)) {
		n = keybar_global(u, w, g);
		items_draw(r.y, r.x, w, 1, g, n);
		n = keybar_params(u, it);
		if (r.h > 1)
			items_draw(r.y + 1, r.x, w, r.h - 1, it, n);
		return;
	}
	progress = keybar_status(u, status, sizeof(status));
	draw_text(r.y, r.x, w, A_BOLD, status);
	if (progress >= 0) {
		/* A bar after the words: the step is waiting honestly. */
		int bw = 20, x = r.x + text_width(status) + 2, i;

		for (i = 0; i < bw && x + i < r.x + w; i++) {
			bool done = i * 1000 < progress * bw;

			draw_text(r.y, x + i, 1, done ? u->theme.bar_fill
				  : u->theme.dim, ui_bar_glyph(u, done));
		}
	}
	n = keybar_global(u, w, g);
	items_draw(r.y + 1, r.x, w, 1, g, n);
	n = keybar_params(u, it);
	if (r.h > 2)
		items_draw(r.y + 2, r.x, w, r.h - 2, it, n);
}
