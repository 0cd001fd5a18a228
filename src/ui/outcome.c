/*
 * outcome.c - the failure a scene is about, as the screen announces it:
 * the target's own report (LOST UPDATE, TORN READ, STARVED..., with the
 * sentence naming the values that collided), or a deadlock, whether the
 * control saw it while stepping or the model's wait-for graph closed a
 * cycle while running.  The header shows it as a banner beside the scene
 * name, the Wait-for panel (or, in the class layout, the lesson) in full.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* "T1 wants B, held by T2; T2 wants A, held by T1" for a cycle. */
static void
outcome_cycle_text(const struct ui *u, const struct model_cycle *c,
		   char *buf, size_t n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < c->n && used < n; i++) {
		unsigned holder = c->tid[(i + 1) % c->n];

		used += (size_t)snprintf(buf + used, n - used,
					 "%s%s wants %s, held by %s",
					 i ? "; " : "",
					 ui_thread_name(u, c->tid[i]),
					 ui_object_name(u, c->obj[i]),
					 ui_thread_name(u, holder));
	}
	if (used < n)
		snprintf(buf + used, n - used, ": none of them can go on.");
}

bool
outcome_current(struct ui *u, struct scene_outcome *o, size_t *at_step)
{
	struct model_outcome mo;
	struct model_cycle c;

	if (control_outcome(&u->ctl, o, at_step))
		return true;
	/* A replayed recording has no control's sentence: the events say
	 * what happened, and to whom. */
	if (model_outcomes(u->model, &mo, NULL)) {
		memset(o, 0, sizeof(*o));
		o->kind = mo.kind;
		o->tid = mo.tid;
		o->obj = mo.obj;
		snprintf(o->what, sizeof(o->what), "reported by %s%s%s.",
			 mo.tid ? ui_thread_name(u, mo.tid) : "the scene",
			 mo.obj ? " on " : "", mo.obj ? ui_object_name(u, mo.obj)
						     : "");
		if (at_step)
			*at_step = 0;
		return true;
	}
	if (!model_deadlock(u->model, &c) || !c.n)
		return false;
	memset(o, 0, sizeof(*o));
	o->kind = LS_OUT_DEADLOCK;
	o->tid = c.tid[0];
	o->obj = c.obj[0];
	outcome_cycle_text(u, &c, o->what, sizeof(o->what));
	if (at_step)
		*at_step = 0;
	return true;
}

bool
outcome_stuck(struct ui *u)
{
	struct scene_outcome o;

	return model_deadlock(u->model, NULL) ||
	       (control_outcome(&u->ctl, &o, NULL) &&
		o.kind == LS_OUT_DEADLOCK);
}

void
outcome_title(struct ui *u, const struct scene_outcome *o, size_t at_step,
	      char *buf, size_t n)
{
	uint64_t times = model_outcomes(u->model, NULL, NULL);
	char more[32] = "";

	/* Running, a scene may show its failure again and again. */
	if (times > 1 && o->kind != LS_OUT_DEADLOCK)
		snprintf(more, sizeof(more), " (%llu so far)",
			 (unsigned long long)times);
	if (at_step)
		snprintf(buf, n, "%s at step %zu%s", ls_outcome_name(o->kind),
			 at_step, more);
	else
		snprintf(buf, n, "%s%s", ls_outcome_name(o->kind), more);
}

int
outcome_draw(struct ui *u, int y, int x, int w, int bottom)
{
	struct scene_outcome o;
	char title[64];
	size_t at;

	if (y >= bottom || !outcome_current(u, &o, &at))
		return y;
	outcome_title(u, &o, at, title, sizeof(title));
	draw_textf(y++, x, w, u->theme.alert, " %s ", title);
	return draw_wrapped(y, x, w, bottom, A_BOLD, o.what[0] ? o.what
				: "(no detail)");
}
