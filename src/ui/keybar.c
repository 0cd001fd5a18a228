/*
 * keybar.c - the bottom line of keys, and the help overlay on '?' that
 * lists every key, the scene's parameters and the legend.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

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

/* "p/P producers=2" for parameter i. */
static void
param_keys(const struct ui *u, unsigned i, char *buf, size_t n)
{
	const struct scene_param *p = &u->def->params[i];
	char k1[8], k2[8], val[32];

	keyname_short(p->key, k1, sizeof(k1));
	scene_param_format(u->def, i, u->ctl.target.params[i], val,
			   sizeof(val));
	if (p->key_down) {
		keyname_short(p->key_down, k2, sizeof(k2));
		snprintf(buf, n, "%s/%s %s=%s", k1, k2, p->name, val);
	} else {
		snprintf(buf, n, "%s %s=%s", k1, p->name, val);
	}
}

/* Draw items on row y in reverse video, as many as fit in w columns. */
static void
draw_items(int y, int x, int w, const char *const *items, unsigned n)
{
	char bar[512];
	size_t used = 0;
	unsigned i;

	bar[0] = '\0';
	for (i = 0; i < n && used < sizeof(bar); i++) {
		if ((int)(used + strlen(items[i]) + 2) > w)
			break;
		used += (size_t)snprintf(bar + used, sizeof(bar) - used, " %s ",
					 items[i]);
	}
	mvhline(y, x, ' ' | A_REVERSE, w);
	draw_text(y, x, w, A_REVERSE, bar);
}

void
keybar_draw(struct ui *u, struct rect r)
{
	static const char *const global[] = {
		"space pause", "s step", "+/- speed", "r reset", "Tab scene",
		"? help", "q quit", "1-9 step thread", "l log",
	};
	char items[SCENE_MAX_PARAMS][64];
	const char *ptrs[SCENE_MAX_PARAMS];
	unsigned i, n = 0;

	draw_items(r.y, r.x, r.w, global, sizeof(global) / sizeof(global[0]));
	/* The scene's own keys on the second line: they change with it. */
	for (i = 0; i < u->def->nparams && n < SCENE_MAX_PARAMS; i++) {
		if (!u->def->params[i].key)
			continue;
		param_keys(u, i, items[n], sizeof(items[n]));
		ptrs[n] = items[n];
		n++;
	}
	draw_items(r.y + 1, r.x, r.w, ptrs, n);
	if (u->message[0] && u->frame_now < u->message_until)
		draw_text(r.y + 1, r.x, r.w, u->theme.alert, u->message);
}

void
help_draw(struct ui *u, int rows, int cols)
{
	static const char *const lines[] = {
		"space     pause / resume the engine (threads freeze at gates)",
		"s         step: let one paused thread do one operation",
		"1-9       step that thread (numbers in the Threads panel)",
		"+ / -     speed up / slow down (0.1x .. 100x, max)",
		"r         reset the scene (cancels and joins every thread)",
		"Tab/S-Tab next / previous scene",
		"l         event log instead of the timeline",
		"click     a thread: show what it is doing",
		"PgUp/PgDn scroll the threads",
		"?         this help       q  quit",
	};
	const struct theme *th = &u->theme;
	unsigned n = sizeof(lines) / sizeof(lines[0]), i;
	int w = 66, h = (int)n + (int)u->def->nparams + 6, y, x, s;
	struct rect r;
	char item[64];

	if (w > cols - 2)
		w = cols - 2;
	if (h > rows - 2)
		h = rows - 2;
	r = (struct rect){ (rows - h) / 2, (cols - w) / 2, h, w };
	for (y = r.y; y < r.y + r.h; y++)
		mvhline(y, r.x, ' ', r.w);
	draw_box(u, r, "Keys", "any key closes");
	y = r.y + 1;
	x = r.x + 2;
	for (i = 0; i < n && y < r.y + r.h - 1; i++)
		draw_text(y++, x, w - 4, A_NORMAL, lines[i]);
	for (i = 0; i < u->def->nparams && y < r.y + r.h - 1; i++) {
		param_keys(u, i, item, sizeof(item));
		draw_textf(y++, x, w - 4, A_BOLD, "%-24s %s", item,
			   u->def->params[i].help);
	}
	if (y < r.y + r.h - 1) {
		static const unsigned order[] = {
			LS_STATE_RUNNING, LS_STATE_BLOCKED, LS_STATE_IDLE,
			LS_STATE_SLEEPING, LS_STATE_PARKED, LS_STATE_DONE,
		};

		y++;
		for (s = 0; s < 6; s++) {
			int cx = x + (s % 3) * 20, cy = y + s / 3;

			if (cy >= r.y + r.h - 1)
				break;
			draw_text(cy, cx, 1, th->state_attr[order[s]],
				  th->state_glyph[order[s]]);
			draw_text(cy, cx + 2, 16, th->state_attr[order[s]],
				  ls_thread_state_name(order[s]));
		}
	}
}
