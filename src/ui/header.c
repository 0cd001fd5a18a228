/*
 * header.c - the top line: which scene, the failure it just showed (a
 * banner beside the name, never over it), and whether the engine runs,
 * is paused or is being stepped, at what speed, for how long.
 *
 * A deadlocked engine is not "running": its badge says STUCK, so a green
 * RUNNING never sits beside a DEADLOCK.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>

/* The mode badge into buf, its attribute into *a. */
static void
header_badge(struct ui *u, char *buf, size_t n, attr_t *a)
{
	const struct theme *t = &u->theme;

	if (u->play) {
		replayview_badge(u, buf, n, a);
	} else if (u->ctl.mode == CONTROL_STEP) {
		snprintf(buf, n, " %s STEP %zu%s ", t->utf8 ? "»" : ">>",
			 u->ctl.nsteps, u->ctl.stepping ? "..." : "");
		*a = t->badge_step;
	} else if (u->paused) {
		snprintf(buf, n, " %s PAUSED ", t->utf8 ? "‖" : "||");
		*a = t->badge_pause;
	} else if (outcome_stuck(u)) {
		snprintf(buf, n, " %s STUCK ", t->state_glyph[LS_STATE_BLOCKED]);
		*a = t->alert;
	} else {
		snprintf(buf, n, " %s RUNNING ", t->utf8 ? "●" : "*");
		*a = t->badge_run;
	}
}

void
header_draw(struct ui *u, struct rect r)
{
	const struct theme *t = &u->theme;
	struct scene_outcome o;
	char right[64], badge[32], name[96], banner[320], title[64];
	attr_t battr;
	size_t at;
	int rw, nw, bw;

	header_badge(u, badge, sizeof(badge), &battr);
	snprintf(right, sizeof(right), " %s  t=%.1fs ", app_speed_label(u),
		 (double)app_elapsed_ns(u) / 1e9);
	rw = text_width(right) + text_width(badge);
	snprintf(name, sizeof(name), " lockstep %s %s ", t->utf8 ? "·" : "-",
		 u->def->name);
	nw = text_width(name);
	draw_text(r.y, r.x, r.w - rw, A_BOLD, name);
	/* The failure, the moment it happens, beside the scene's name: the
	 * title makes room for it. */
	bw = r.w - rw - nw - 1;
	if (outcome_current(u, &o, &at)) {
		outcome_title(u, &o, at, title, sizeof(title));
		snprintf(banner, sizeof(banner), " %s: %s ", title, o.what);
		if (bw > 0) {
			mvhline(r.y, r.x + nw, ' ' | t->alert, bw);
			draw_text(r.y, r.x + nw, bw, t->alert, banner);
			if (text_width(banner) > bw)
				draw_text(r.y, r.x + nw + bw - 1, 1, t->alert,
					  t->utf8 ? "…" : ">");
		}
	} else {
		draw_textf(r.y, r.x + nw, bw, A_BOLD, "%s %s",
			   t->utf8 ? "—" : "-", u->def->title);
	}
	draw_text(r.y, r.x + r.w - rw, text_width(badge), battr, badge);
	draw_text(r.y, r.x + r.w - text_width(right), text_width(right),
		  A_BOLD, right);
}
