/*
 * objects.c - the objects panel: each lock with its holder(s) and its
 * waiters in arrival order, each queue with a depth bar against its
 * capacity, the pool with its workers and queue, each semaphore's count.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* "T2 T5 T1" (waiters in order) into buf. */
static void
waiter_list(const struct ui *u, const struct model_object *o, char *buf,
	    size_t n, bool mark_kind)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < o->nwaiters && used < n; i++) {
		const struct model_waiter *w = &o->waiters[i];
		const char *tag = "";

		if (mark_kind)
			tag = w->kind == LS_EV_WR_WAIT || w->kind == LS_EV_Q_PUSH_WAIT
				      ? "w:" : "r:";
		used += (size_t)snprintf(buf + used, n - used, "%s%s%s",
					 i ? " " : "", tag,
					 ui_thread_name(u, w->tid));
	}
}

/* "waiting: T2 T5" on row y when o has waiters and a row is left;
 * returns the rows used. */
static int
waiters_line(const struct ui *u, const struct model_object *o, int y, int x,
	     int w, int rows_left, bool mark_kind)
{
	char waiters[128];

	if (!o->nwaiters || rows_left < 1)
		return 0;
	waiter_list(u, o, waiters, sizeof(waiters), mark_kind);
	draw_textf(y, x, w, u->theme.state_attr[LS_STATE_BLOCKED],
		   "waiting: %s", waiters);
	return 1;
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
		draw_text(y, x + i, 1, i < fill ? u->theme.bar_fill : u->theme.dim,
			  i < fill ? u->theme.bar_full : u->theme.bar_empty);
}

/* Draw object o from row y; returns rows used. */
static int
object_draw(struct ui *u, const struct model_object *o, int y, int x, int w,
	    int rows_left)
{
	const struct theme *th = &u->theme;
	char line[160];
	int name_w = 9, used = 1;

	draw_textf(y, x, name_w, A_BOLD, "%-8.8s", o->name);
	x += name_w;
	w -= name_w;
	switch (o->kind) {
	case LS_OBJ_MUTEX:
		if (o->owner)
			draw_textf(y, x, w, th->state_attr[LS_STATE_RUNNING],
				   "held by %s", ui_thread_name(u, o->owner));
		else
			draw_text(y, x, w, th->dim, "free");
		used += waiters_line(u, o, y + 1, x, w, rows_left - 1, false);
		break;
	case LS_OBJ_RWLOCK:
		if (o->owner)
			snprintf(line, sizeof(line), "writer %s",
				 ui_thread_name(u, o->owner));
		else if (o->nreaders)
			snprintf(line, sizeof(line), "%u reader%s", o->nreaders,
				 o->nreaders == 1 ? "" : "s");
		else
			snprintf(line, sizeof(line), "free");
		draw_text(y, x, w, o->owner || o->nreaders
			  ? th->state_attr[LS_STATE_RUNNING] : th->dim, line);
		used += waiters_line(u, o, y + 1, x, w, rows_left - 1, true);
		break;
	case LS_OBJ_QUEUE:
	case LS_OBJ_SEM:
		if (o->capacity) {
			int bw = w > 30 ? 12 : 8;

			draw_bar(u, y, x, bw, o->count, o->capacity);
			draw_textf(y, x + bw + 1, w - bw - 1, A_NORMAL,
				   "%llu/%llu", (unsigned long long)o->count,
				   (unsigned long long)o->capacity);
		} else {
			draw_textf(y, x, w, A_NORMAL, "count %llu",
				   (unsigned long long)o->count);
		}
		used += waiters_line(u, o, y + 1, x, w, rows_left - 1,
				     o->kind == LS_OBJ_QUEUE);
		break;
	case LS_OBJ_POOL:
		draw_textf(y, x, w, A_NORMAL, "%u workers, %u idle, %u busy",
			   o->workers, o->idle,
			   o->workers > o->idle ? o->workers - o->idle : 0);
		if (rows_left > 1) {
			int bw = w > 34 ? 10 : 6;

			draw_bar(u, y + 1, x, bw, o->count, o->capacity);
			draw_textf(y + 1, x + bw + 1, w - bw - 1,
				   o->rejected ? th->state_attr[LS_STATE_BLOCKED]
					       : A_NORMAL,
				   "%llu/%llu rejected %llu",
				   (unsigned long long)o->count,
				   (unsigned long long)o->capacity,
				   (unsigned long long)o->rejected);
			used = 2;
		}
		break;
	default:
		/* Variables: the name may be long ("N=cores*(1+W/C)"). */
		draw_textf(y, x - name_w, w + name_w, A_BOLD, "%s", o->name);
		draw_textf(y, x - name_w + text_width(o->name) + 1,
			   w + name_w - text_width(o->name) - 1, A_NORMAL,
			   "= %llu", (unsigned long long)o->count);
		break;
	}
	return used;
}

void
objects_draw(struct ui *u, struct rect r)
{
	int y = r.y + 1, bottom = r.y + r.h - 1;
	unsigned i, shown = 0, total = 0;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		total += u->model->objects[i].used;
	draw_box(u, r, "Objects", NULL);
	for (i = 0; i < MODEL_MAX_OBJECTS && y < bottom; i++) {
		const struct model_object *o = &u->model->objects[i];

		if (!o->used)
			continue;
		y += object_draw(u, o, y, r.x + 1, r.w - 2, bottom - y);
		shown++;
	}
	if (shown < total)
		draw_textf(r.y + r.h - 1, r.x + r.w - 14, 12, A_NORMAL,
			   " +%u more ", total - shown);
}
