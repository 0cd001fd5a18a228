/*
 * header.c - the top line: which scene, the failure it just showed (a
 * banner beside the name, never over it), and whether the engine runs,
 * is paused or is being stepped, at what speed, for how long, and
 * whether events were lost or healed on the way.
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
		char par[24] = "";

		/* A script's par beside the step count: the score to beat. */
		if (u->par > 0 && u->ctl.target.source)
			snprintf(par, sizeof(par), " PAR %d", (int)u->par);
		snprintf(buf, n, " %s STEP %zu%s%s ", t->utf8 ? "»" : ">>",
			 u->ctl.nsteps, u->ctl.stepping ? "..." : "", par);
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

/*
 * Events the run lost ("⚠ 315689 lost") and releases the model had to
 * assume ("2 healed"), into buf; "" when none.  The header carries it on
 * every layout (the Metrics panel, which also says it, is not on every
 * screen: the hazard scenes show Wait-for there, step mode has none).
 */
static void
header_loss(struct ui *u, char *buf, size_t n)
{
	const struct model *m = u->model;
	uint64_t lost = metrics_lost(m);
	const char *glyph = u->theme.utf8 ? "⚠" : "!";

	buf[0] = '\0';
	if (lost && m->healed)
		snprintf(buf, n, " %s %llu lost %llu healed ", glyph,
			 (unsigned long long)lost,
			 (unsigned long long)m->healed);
	else if (lost)
		snprintf(buf, n, " %s %llu lost ", glyph,
			 (unsigned long long)lost);
	else if (m->healed)
		snprintf(buf, n, " %s %llu healed ", glyph,
			 (unsigned long long)m->healed);
}

void
header_draw(struct ui *u, struct rect r)
{
	const struct theme *t = &u->theme;
	struct scene_outcome o;
	char right[64], badge[64], name[96], banner[320], title[64];
	char sname[64], stitle[160];
	char loss[64];
	attr_t battr;
	size_t at;
	int rw, nw, bw, lw;

	header_badge(u, badge, sizeof(badge), &battr);
	header_loss(u, loss, sizeof(loss));
	snprintf(right, sizeof(right), " %s  t=%.1fs ", app_speed_label(u),
		 (double)app_elapsed_ns(u) / 1e9);
	lw = text_width(loss);
	rw = text_width(right) + text_width(badge) + lw;
	/* A script: its file name, title and goal (codeview.c). */
	if (!codeview_header(u, sname, sizeof(sname), stitle,
			     sizeof(stitle))) {
		snprintf(sname, sizeof(sname), "%s", u->def->name);
		snprintf(stitle, sizeof(stitle), "%s", u->def->title);
	}
	snprintf(name, sizeof(name), " lockstep %s %s ", t->utf8 ? "·" : "-",
		 sname);
	nw = text_width(name);
	/* The title and goal matter more than the program's name. */
	if (nw + 2 + text_width(stitle) > r.w - rw - 1) {
		snprintf(name, sizeof(name), " %s ", sname);
		nw = text_width(name);
	}
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
			   t->utf8 ? "—" : "-", stitle);
	}
	if (lw)
		draw_text(r.y, r.x + r.w - rw, lw, t->alert, loss);
	draw_text(r.y, r.x + r.w - rw + lw, text_width(badge), battr, badge);
	draw_text(r.y, r.x + r.w - text_width(right), text_width(right),
		  A_BOLD, right);
}
