/*
 * waitfor.c - the Wait-for panel and the DEADLOCK banner.
 *
 * The panel draws the wait-for graph the model keeps: who waits for what,
 * held by whom.  When the edges close a cycle the model says so in the
 * same event, and the cycle is drawn first, highlighted, with the banner in
 * the header naming the threads and locks in order.  Lock-order inversions
 * (a potential deadlock that has not happened yet) get a line too.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* "T1 -B-> T2 -A-> T1" for a cycle, into buf. */
static void
cycle_text(const struct ui *u, const struct model_cycle *c, char *buf,
	   size_t n)
{
	const char *arrow = u->theme.utf8 ? "▶" : ">";
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < c->n && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s -wants %s-%s ",
					 ui_thread_name(u, c->tid[i]),
					 ui_object_name(u, c->obj[i]), arrow);
	if (c->n && used < n)
		snprintf(buf + used, n - used, "%s", ui_thread_name(u, c->tid[0]));
}

bool
waitfor_banner(struct ui *u, struct rect r)
{
	struct model_cycle c;
	char text[256], line[320];

	if (!model_deadlock(u->model, &c))
		return false;
	cycle_text(u, &c, text, sizeof(text));
	snprintf(line, sizeof(line), " DEADLOCK: %s ", text);
	if (text_width(line) > r.w) {
		/* Too long for the header: the threads alone, in order. */
		size_t used = (size_t)snprintf(line, sizeof(line),
					       " DEADLOCK (%u threads): ", c.n);
		unsigned i;

		for (i = 0; i <= c.n && used < sizeof(line); i++)
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "%s%s", i ? u->theme.arrow : "",
						 ui_thread_name(u, c.tid[i % c.n]));
	}
	mvhline(r.y, r.x, ' ' | u->theme.alert, r.w);
	draw_text(r.y, r.x, r.w, u->theme.alert, line);
	return true;
}

void
waitfor_draw(struct ui *u, struct rect r)
{
	struct model_wait_edge e[MODEL_MAX_THREADS];
	struct model_inversion inv;
	struct model_cycle c;
	const struct theme *th = &u->theme;
	int x = r.x + 1, w = r.w - 2, y = r.y + 1, bottom = r.y + r.h - 1;
	size_t n, i;
	char buf[256];
	bool dead = model_deadlock(u->model, &c);

	draw_box(u, r, "Wait-for", dead ? "CYCLE: r resets, f tries a fix"
					 : NULL);
	if (dead) {
		cycle_text(u, &c, buf, sizeof(buf));
		draw_text(y++, x, w, th->alert, " DEADLOCK ");
		/* The cycle may be longer than a line: wrap it by hand. */
		for (const char *p = buf; *p && y < bottom; y++) {
			int take = (int)strlen(p);
			int cut = take;

			if (text_width(p) > w) {
				/* Break at the last space that fits. */
				cut = 0;
				for (int k = 0, cols = 0; p[k] && cols < w; k++) {
					if (((unsigned char)p[k] & 0xc0) != 0x80)
						cols++;
					if (p[k] == ' ')
						cut = k;
				}
				if (!cut)
					cut = w;
			}
			snprintf(buf + sizeof(buf) / 2, sizeof(buf) / 2, "%.*s",
				 cut, p);
			draw_text(y, x, w, th->state_attr[LS_STATE_BLOCKED],
				  buf + sizeof(buf) / 2);
			p += cut;
			while (*p == ' ')
				p++;
		}
	}
	n = model_wait_edges(u->model, e, MODEL_MAX_THREADS);
	for (i = 0; i < n && y < bottom; i++) {
		if (dead && e[i].in_cycle)
			continue;
		if (e[i].nholders)
			snprintf(buf, sizeof(buf), "%s wants %s held by %s%s",
				 ui_thread_name(u, e[i].waiter),
				 ui_object_name(u, e[i].obj),
				 ui_thread_name(u, e[i].holder[0]),
				 e[i].nholders > 1 ? " +" : "");
		else
			snprintf(buf, sizeof(buf), "%s waits on %s",
				 ui_thread_name(u, e[i].waiter),
				 ui_object_name(u, e[i].obj));
		draw_text(y++, x, w, th->state_attr[LS_STATE_BLOCKED], buf);
	}
	if (y < bottom && model_inversions(u->model, &inv, 1) == 1 &&
	    inv.n >= 2) {
		snprintf(buf, sizeof(buf), "order: %s%s%s by %s, %s%s%s by %s",
			 ui_object_name(u, inv.order[0].from), th->arrow,
			 ui_object_name(u, inv.order[0].to),
			 ui_thread_name(u, inv.order[0].tid),
			 ui_object_name(u, inv.order[1].from), th->arrow,
			 ui_object_name(u, inv.order[1].to),
			 ui_thread_name(u, inv.order[1].tid));
		draw_text(y++, x, w, th->state_attr[LS_STATE_PARKED], buf);
	}
	if (!dead && !n && y < bottom)
		draw_text(y, x, w, th->dim, "no thread is waiting");
}
