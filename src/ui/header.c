/*
 * header.c - the top line: which scene, whether the engine runs, is
 * paused or is being stepped, at what speed, for how long.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>

void
header_draw(struct ui *u, struct rect r)
{
	const struct theme *t = &u->theme;
	char right[64], badge[24];
	attr_t battr;
	int rw;

	if (u->ctl.mode == CONTROL_STEP) {
		snprintf(badge, sizeof(badge), " %s STEP %zu ",
			 t->utf8 ? "»" : ">>", u->ctl.nsteps);
		battr = t->badge_step;
	} else if (u->paused) {
		snprintf(badge, sizeof(badge), " %s PAUSED ", t->utf8 ? "‖" : "||");
		battr = t->badge_pause;
	} else {
		snprintf(badge, sizeof(badge), " %s RUNNING ", t->utf8 ? "●" : "*");
		battr = t->badge_run;
	}
	snprintf(right, sizeof(right), " %s  t=%.1fs ", app_speed_label(u),
		 (double)app_elapsed_ns(u) / 1e9);
	rw = text_width(right) + text_width(badge);
	/* A deadlock takes the title's place, so nobody can miss it. */
	if (!waitfor_banner(u, (struct rect){ r.y, r.x, 1, r.w - rw }))
		draw_textf(r.y, r.x, r.w - rw, A_BOLD, " lockstep %s %s %s %s",
			   t->utf8 ? "·" : "-", u->def->name,
			   t->utf8 ? "—" : "-", u->def->title);
	draw_text(r.y, r.x + r.w - rw, text_width(badge), battr, badge);
	draw_text(r.y, r.x + r.w - text_width(right), text_width(right),
		  A_BOLD, right);
}
