/*
 * objects.c - the objects panel: each lock with its holder(s) and its
 * waiters in arrival order, each queue with a depth bar against its
 * capacity, a pool with its workers and queue, each semaphore's count,
 * and the scene's variables.
 *
 * Objects are listed in the order the scene registered them: a scene
 * registers what matters most first (the balance, the accounts, the
 * meals), so it is never under "+3 more".  Variables whose names differ
 * in one word ("meals P1" .. "meals P5") share one line.  A pool that a
 * newer pool of the same name replaced (the sizing sweep) is finished and
 * left out.  The panel scrolls with < and >.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#define WORDS_MAX 6
#define NAME_MIN 6
#define CHANGED_NS 1000000000ull
#define NAME_MAX 16

/* One line item: an object, or a group of variables. */
struct item {
	const struct model_object *o[MODEL_MAX_OBJECTS];
	unsigned n;
	int word;		/* a group's varying word, -1 for one object */
};

/* Split name into words; returns how many (at most WORDS_MAX). */
static unsigned
objects_words(const char *name, char words[WORDS_MAX][MODEL_NAME])
{
	unsigned n = 0;
	const char *p = name;

	while (*p && n < WORDS_MAX) {
		size_t len = strcspn(p, " ");

		if (len) {
			snprintf(words[n], MODEL_NAME, "%.*s", (int)len, p);
			n++;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return *p ? 0 : n;
}

/* The one word position where variables a and b differ, or -1. */
static int
objects_differ(const char *a, const char *b)
{
	char wa[WORDS_MAX][MODEL_NAME], wb[WORDS_MAX][MODEL_NAME];
	unsigned na = objects_words(a, wa), nb = objects_words(b, wb), i;
	int at = -1;

	if (na < 2 || na != nb)
		return -1;
	for (i = 0; i < na; i++) {
		if (!strcmp(wa[i], wb[i]))
			continue;
		if (at >= 0)
			return -1;
		at = (int)i;
	}
	return at;
}

/* Is o a pool that was destroyed, or replaced by a newer one of the same
 * name? */
static bool
objects_superseded(const struct model *m, const struct model_object *o)
{
	unsigned i;

	if (o->kind != LS_OBJ_POOL)
		return false;
	if (o->closed)
		return true;
	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *p = &m->objects[i];

		if (p->used && p->kind == o->kind && p->id > o->id &&
		    !strcmp(p->name, o->name))
			return true;
	}
	return false;
}

/* The objects to show, in registration (id) order, grouped; returns
 * how many items went into it. */
static unsigned
objects_items(const struct ui *u, struct item *it, unsigned max)
{
	const struct model *m = u->model;
	const struct model_object *o[MODEL_MAX_OBJECTS];
	unsigned n = 0, i, j, k = 0;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *x = &m->objects[i];

		if (!x->used || objects_superseded(m, x))
			continue;
		for (j = n; j > 0 && o[j - 1]->id > x->id; j--)
			o[j] = o[j - 1];
		o[j] = x;
		n++;
	}
	for (i = 0; i < n && k < max; i++) {
		struct item *t = &it[k];
		int at;

		t->o[0] = o[i];
		t->n = 1;
		t->word = -1;
		/* Following variables that differ from it in one word. */
		while (o[i]->kind == LS_OBJ_VAR && i + 1 < n &&
		       o[i + 1]->kind == LS_OBJ_VAR &&
		       (at = objects_differ(t->o[0]->name,
					    o[i + 1]->name)) >= 0 &&
		       (t->word < 0 || at == t->word)) {
			t->word = at;
			t->o[t->n++] = o[++i];
		}
		k++;
	}
	return k;
}

/* "worker-2 (to write), worker-3 (to read)": waiters in order. */
static void
waiter_list(const struct ui *u, const struct model_object *o, char *buf,
	    size_t n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < o->nwaiters && used < n; i++) {
		const struct model_waiter *w = &o->waiters[i];
		const char *why = "";

		if (o->kind == LS_OBJ_RWLOCK)
			why = w->kind == LS_EV_WR_WAIT ? " (to write)"
						       : " (to read)";
		else if (o->kind == LS_OBJ_QUEUE)
			why = w->kind == LS_EV_Q_PUSH_WAIT ? " (to put)"
							   : " (to take)";
		used += (size_t)snprintf(buf + used, n - used, "%s%s%s",
					 i ? ", " : "",
					 ui_thread_name(u, w->tid), why);
	}
	if (o->nwaiting > o->nwaiters && used < n)
		snprintf(buf + used, n - used, " +%u",
			 o->nwaiting - o->nwaiters);
}

/* The waiters after the state on row y if they fit there, else on the
 * next row; returns the rows used (1 or 2). */
static int
objects_waiters(const struct ui *u, const struct model_object *o, int y,
		int x, int w, int state_w, int rows_left)
{
	char waiters[160], line[192];

	if (!o->nwaiters)
		return 1;
	waiter_list(u, o, waiters, sizeof(waiters));
	snprintf(line, sizeof(line), "waiting: %s", waiters);
	if (state_w + 2 + text_width(line) <= w) {
		draw_text(y, x + state_w + 2, w - state_w - 2,
			  u->theme.state_attr[LS_STATE_BLOCKED], line);
		return 1;
	}
	if (rows_left < 2)
		return 1;
	draw_text(y + 1, x, w, u->theme.state_attr[LS_STATE_BLOCKED], line);
	return 2;
}

/* Did o really change in the last second of the run's time? */
static bool
objects_changed(const struct ui *u, const struct model_object *o)
{
	return o->changed && u->model->now - o->changed < CHANGED_NS;
}

/* A bar of width w filled to count/capacity. */
static void
draw_bar(const struct ui *u, int y, int x, int w, uint64_t count,
	 uint64_t capacity)
{
	int fill = capacity ? (int)((count * (uint64_t)w + capacity - 1) /
				    capacity) : 0;
	int i;

	if (fill > w)
		fill = w;
	for (i = 0; i < w; i++)
		draw_text(y, x + i, 1, i < fill ? u->theme.bar_fill
			  : u->theme.dim, ui_bar_glyph(u, i < fill));
}

/* "waiting by priority 0:3 1:2": the queued tasks at each priority. */
static void
objects_prios(const struct model_object *o, char *buf, size_t n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < o->nprios && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%d:%u",
					 i ? "  " : "waiting by priority ",
					 (int)o->prios[i].priority,
					 (unsigned)o->prios[i].waiting);
	if (o->prio_other && used < n)
		snprintf(buf + used, n - used, " +%llu",
			 (unsigned long long)o->prio_other);
}

/*
 * A pool: its workers as their own states tell (the model counts them
 * from the same threads the Threads panel lists, so the two agree), its
 * queue against its capacity, and the queued tasks by priority.
 */
static int
object_pool(struct ui *u, const struct model_object *o, int y, int x, int w,
	    int rows_left)
{
	const struct theme *th = &u->theme;
	struct model_pool_workers pw;
	char prios[96], line[96], paused[24] = "";
	int bw = w > 34 ? 10 : 6;

	model_pool_workers(u->model, o->id, &pw);
	if (pw.paused)
		snprintf(paused, sizeof(paused), ", %u paused", pw.paused);
	/* The words fit the column rather than lose their end: a narrow
	 * panel drops the worker count, which the three parts add up to. */
	snprintf(line, sizeof(line), "%u worker%s: %u busy, %u idle%s",
		 pw.workers, pw.workers == 1 ? "" : "s", pw.busy, pw.idle,
		 paused);
	if (text_width(line) > w)
		snprintf(line, sizeof(line), "%u busy, %u idle%s", pw.busy,
			 pw.idle, paused);
	draw_text(y, x, w, A_NORMAL, line);
	if (rows_left < 2)
		return 1;
	snprintf(line, sizeof(line), "%llu/%llu queued, %llu rejected",
		 (unsigned long long)o->count,
		 (unsigned long long)o->capacity,
		 (unsigned long long)o->rejected);
	if (bw + 1 + text_width(line) > w)
		bw = 4;
	if (bw + 1 + text_width(line) > w)
		snprintf(line, sizeof(line), "%llu/%llu queued, %llu rej.",
			 (unsigned long long)o->count,
			 (unsigned long long)o->capacity,
			 (unsigned long long)o->rejected);
	draw_bar(u, y + 1, x, bw, o->count, o->capacity);
	draw_text(y + 1, x + bw + 1, w - bw - 1,
		  o->rejected ? th->state_attr[LS_STATE_BLOCKED] : A_NORMAL,
		  line);
	objects_prios(o, prios, sizeof(prios));
	if (!prios[0] || rows_left < 3)
		return 2;
	draw_text(y + 2, x, w, A_NORMAL, prios);
	return 3;
}

/* Draw object o from row y, its name in a column nw wide; returns the
 * rows used. */
static int
object_draw(struct ui *u, const struct model_object *o, int y, int x, int w,
	    int nw, int rows_left)
{
	const struct theme *th = &u->theme;
	char line[160];
	int sw;

	draw_textf(y, x, nw, A_BOLD, "%-*.*s", nw - 1, nw - 1, o->name);
	x += nw;
	w -= nw;
	switch (o->kind) {
	case LS_OBJ_MUTEX:
		if (o->owner)
			sw = draw_textf(y, x, w,
					th->state_attr[LS_STATE_RUNNING],
					"held by %s",
					ui_thread_name(u, o->owner));
		else
			sw = draw_textf(y, x, w, th->dim, "free");
		return objects_waiters(u, o, y, x, w, sw, rows_left);
	case LS_OBJ_RWLOCK:
		if (o->owner)
			snprintf(line, sizeof(line), "written by %s",
				 ui_thread_name(u, o->owner));
		else if (o->nreaders)
			snprintf(line, sizeof(line), "%u reader%s inside",
				 o->nreaders, o->nreaders == 1 ? "" : "s");
		else
			snprintf(line, sizeof(line), "free");
		sw = draw_textf(y, x, w, o->owner || o->nreaders
				? th->state_attr[LS_STATE_RUNNING] : th->dim,
				"%s", line);
		return objects_waiters(u, o, y, x, w, sw, rows_left);
	case LS_OBJ_QUEUE:
	case LS_OBJ_SEM:
		if (o->capacity) {
			int bw = w > 30 ? 12 : 8;

			draw_bar(u, y, x, bw, o->count, o->capacity);
			sw = bw + 1 + draw_textf(y, x + bw + 1, w - bw - 1,
						 A_NORMAL, "%llu/%llu",
						 (unsigned long long)o->count,
						 (unsigned long long)o->capacity);
		} else {
			sw = draw_textf(y, x, w, A_NORMAL, o->kind == LS_OBJ_SEM
					? "%llu left" : "%llu queued",
					(unsigned long long)o->count);
		}
		return objects_waiters(u, o, y, x, w, sw, rows_left);
	case LS_OBJ_POOL:
		return object_pool(u, o, y, x, w, rows_left);
	default:
		/* Variables: the name may be long ("N=cores*(1+W/C)"); a
		 * value that just changed stands out. */
		draw_textf(y, x - nw, w + nw, A_BOLD, "%s", o->name);
		draw_textf(y, x - nw + text_width(o->name) + 1,
			   w + nw - text_width(o->name) - 1,
			   objects_changed(u, o) ? th->changed : A_NORMAL,
			   "= %llu", (unsigned long long)o->count);
		return 1;
	}
}

/* Variables differing in one word on one line: "meals  P1 3  P2 2". */
static int
group_draw(struct ui *u, const struct item *it, int y, int x, int w)
{
	char words[WORDS_MAX][MODEL_NAME], label[MODEL_NAME * 2] = "";
	unsigned nw = objects_words(it->o[0]->name, words), i;
	size_t used = 0;
	int cx;

	for (i = 0; i < nw; i++)
		if ((int)i != it->word)
			used += (size_t)snprintf(label + used,
						 sizeof(label) - used, "%s%s",
						 used ? " " : "", words[i]);
	cx = x + draw_textf(y, x, w, A_BOLD, "%s", label);
	for (i = 0; i < it->n && cx < x + w; i++) {
		objects_words(it->o[i]->name, words);
		cx += draw_textf(y, cx, x + w - cx, A_NORMAL, "%s%s ",
				 i ? "  " : " ", words[it->word]);
		cx += draw_textf(y, cx, x + w - cx, objects_changed(u, it->o[i])
				 ? u->theme.changed : A_BOLD, "%llu",
				 (unsigned long long)it->o[i]->count);
	}
	return 1;
}

int
objects_rows(struct ui *u)
{
	static struct item it[MODEL_MAX_OBJECTS];
	unsigned n = objects_items(u, it, MODEL_MAX_OBJECTS), i;
	int rows = 0;

	for (i = 0; i < n; i++)
		rows += it[i].word < 0 && it[i].o[0]->kind == LS_OBJ_POOL ? 3 : 1;
	return rows;
}

void
objects_draw(struct ui *u, struct rect r)
{
	static struct item it[MODEL_MAX_OBJECTS];
	int y = r.y + 1, bottom = r.y + r.h - 1;
	unsigned n = objects_items(u, it, MODEL_MAX_OBJECTS), i;
	char footer[32];
	int nw = NAME_MIN;

	/* The name column fits the longest lock, queue or pool name. */
	for (i = 0; i < n; i++) {
		int len = text_width(it[i].o[0]->name) + 1;

		if (it[i].o[0]->kind != LS_OBJ_VAR && len > nw)
			nw = len > NAME_MAX ? NAME_MAX : len;
	}
	if (u->objects_scroll > 0 && (unsigned)u->objects_scroll >= n)
		u->objects_scroll = n ? (int)n - 1 : 0;
	for (i = (unsigned)u->objects_scroll; i < n && y < bottom; i++) {
		if (it[i].word >= 0)
			y += group_draw(u, &it[i], y, r.x + 1, r.w - 2);
		else
			y += object_draw(u, it[i].o[0], y, r.x + 1, r.w - 2,
					 nw, bottom - y);
	}
	if (u->objects_scroll || i < n)
		snprintf(footer, sizeof(footer), "%s%s",
			 u->objects_scroll ? "< " : "",
			 i < n ? "> more" : "");
	draw_box(u, r, "Objects", u->objects_scroll || i < n ? footer : NULL);
}

bool
objects_key(struct ui *u, int ch)
{
	if (ch == '>')
		u->objects_scroll++;
	else if (ch == '<')
		u->objects_scroll -= u->objects_scroll > 0;
	else
		return false;
	return true;
}
