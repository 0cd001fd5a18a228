/*
 * waitfor.c - the Wait-for panel of the hazard scenes.
 *
 * First the failure the scene is about, once it happened (outcome.c):
 * its name and the sentence with the values that collided.  Then the
 * wait-for graph the model keeps: who waits for what, held by whom, the
 * edges of a deadlock's cycle first, highlighted.  Lock-order inversions
 * (a potential deadlock that has not happened yet) get a line too.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

void
waitfor_draw(struct ui *u, struct rect r)
{
	struct model_wait_edge e[MODEL_MAX_THREADS];
	struct model_inversion inv;
	const struct theme *th = &u->theme;
	int x = r.x + 1, w = r.w - 2, y = r.y + 1, bottom = r.y + r.h - 1;
	size_t n, i, pass;
	char buf[256];
	bool dead = model_deadlock(u->model, NULL);

	draw_box(u, r, "Wait-for", dead ? "r resets, f tries a fix" : NULL);
	y = outcome_draw(u, y, x, w, bottom);
	n = model_wait_edges(u->model, e, MODEL_MAX_THREADS);
	/* The cycle's edges first, then the others. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n && y < bottom; i++) {
			if (e[i].in_cycle != (pass == 0))
				continue;
			if (e[i].nholders)
				snprintf(buf, sizeof(buf), "%s wants %s, held "
					 "by %s%s",
					 ui_thread_name(u, e[i].waiter),
					 ui_object_name(u, e[i].obj),
					 ui_thread_name(u, e[i].holder[0]),
					 e[i].nholders > 1 ? " and others" : "");
			else
				snprintf(buf, sizeof(buf), "%s waits for %s",
					 ui_thread_name(u, e[i].waiter),
					 ui_object_name(u, e[i].obj));
			draw_text(y++, x, w, e[i].in_cycle
				  ? th->state_attr[LS_STATE_BLOCKED]
				  : A_NORMAL, buf);
		}
	}
	if (y < bottom && model_inversions(u->model, &inv, 1) == 1 &&
	    inv.n >= 2) {
		snprintf(buf, sizeof(buf), "opposite orders: %s then %s (%s), "
			 "%s then %s (%s)",
			 ui_object_name(u, inv.order[0].from),
			 ui_object_name(u, inv.order[0].to),
			 ui_thread_name(u, inv.order[0].tid),
			 ui_object_name(u, inv.order[1].from),
			 ui_object_name(u, inv.order[1].to),
			 ui_thread_name(u, inv.order[1].tid));
		y = draw_wrapped(y, x, w, bottom,
				 th->state_attr[LS_STATE_PARKED], buf);
	}
	if (!dead && !n && y == r.y + 1)
		draw_text(y, x, w, th->dim, "no thread is waiting");
}
