/*
 * help.c - the help overlay on '?': every key, the scene's parameters,
 * and the legend of states in the same words and glyphs as the panels.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>

/* The column a parameter's help starts in, after its keys and value. */
#define HELP_KEY_W 31

/* A parameter's help text ("" when it has none). */
static const char *
help_param_text(const struct ui *u, unsigned i)
{
	const char *h = u->def->params[i].help;

	return h ? h : "";
}

void
help_draw(struct ui *u, int rows, int cols)
{
	static const char *const lines[] = {
		"space     pause / resume the engine (threads freeze at gates)",
		"s or n    step: the next thread that can move does one step",
		"1-9       step that thread (numbers in the Threads panel)",
		"b / g     step back one step / go on running",
		"r         reset the scene, in the mode it is in",
		"+ / -     speed up / slow down (0.1x .. 100x, max)",
		"Tab/S-Tab next / previous scene",
		"Up/Down   choose a thread; Enter shows what it does",
		"PgUp/PgDn page the lesson",
		"< / >     scroll the objects",
		"l         event log instead of the timeline; [ ] Home End",
		"          scroll it back and forth",
		"z         class view: fewer, larger panels, and back",
		"v         step view: a column per thread; PgUp/PgDn scroll",
		"x         search for a failing interleaving; any key stops",
		"?         this help       q  quit",
	};
	static const unsigned order[] = {
		LS_STATE_RUNNING, LS_STATE_BLOCKED, LS_STATE_IDLE,
		LS_STATE_SLEEPING, LS_STATE_PARKED, LS_STATE_DONE,
	};
	const struct theme *th = &u->theme;
	unsigned n = sizeof(lines) / sizeof(lines[0]), i;
	int w = 70, h, y, x, s, len;
	struct rect r;
	char item[96];
	const char *p;
	bool wrap;

	if (w > cols - 2)
		w = cols - 2;
	/* A parameter's help wraps under its own column where the rows
	 * allow; on a short screen every parameter keeps its one line. */
	h = (int)n + 6;
	for (i = 0; i < u->def->nparams; i++)
		for (p = help_param_text(u, i), h++;
		     *(p = wrap_next(p, w - 4 - HELP_KEY_W, &len));)
			h++;
	wrap = h <= rows - 2;
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
		keybar_param_text(u, i, item, sizeof(item));
		draw_textf(y, x, HELP_KEY_W - 1, A_BOLD, "%s", item);
		s = draw_wrapped(y, x + HELP_KEY_W, w - 4 - HELP_KEY_W,
				 wrap ? r.y + r.h - 1 : y + 1, A_NORMAL,
				 help_param_text(u, i));
		y = s > y ? s : y + 1;
	}
	if (y >= r.y + r.h - 1)
		return;
	y++;
	for (s = 0; s < 6; s++) {
		int cx = x + (s % 3) * 20, cy = y + s / 3;

		if (cy >= r.y + r.h - 1)
			break;
		draw_text(cy, cx, 1, th->state_attr[order[s]],
			  ui_state_glyph(u, order[s], false));
		draw_text(cy, cx + 2, 16, th->state_attr[order[s]],
			  ui_state_word(order[s], false));
	}
}
