/*
 * theme.c - what each state looks like.
 *
 * A state always has a glyph and a colour, and the glyph alone tells it:
 * with NO_COLOR set, on a monochrome terminal, or for a viewer who cannot
 * tell red from green, the screen still reads.  UTF-8 glyphs and box
 * drawing where the locale allows, plain ASCII otherwise.
 */
#include "config.h"

#include "ui/ui.h"

enum {
	PAIR_RUN = 1,
	PAIR_BLOCK,
	PAIR_IDLE,
	PAIR_SLEEP,
	PAIR_PARK,
	PAIR_TITLE,
	PAIR_ALERT,
	PAIR_OK,
	PAIR_BADGE_RUN,
	PAIR_BADGE_PAUSE,
	PAIR_BADGE_STEP,
};

void
theme_init(struct theme *t, bool utf8, bool color)
{
	static const char *const glyph_utf8[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "▶", [LS_STATE_IDLE] = "·",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "■",
		[LS_STATE_PARKED] = "‖", [LS_STATE_DONE] = "✓",
	};
	static const char *const glyph_ascii[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = ">", [LS_STATE_IDLE] = ".",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "#",
		[LS_STATE_PARKED] = "|", [LS_STATE_DONE] = "x",
	};
	static const char *const strip_utf8[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "█", [LS_STATE_IDLE] = "·",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "▒",
		[LS_STATE_PARKED] = "‖", [LS_STATE_DONE] = " ",
	};
	static const char *const strip_ascii[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "#", [LS_STATE_IDLE] = ".",
		[LS_STATE_SLEEPING] = "~", [LS_STATE_BLOCKED] = "X",
		[LS_STATE_PARKED] = "|", [LS_STATE_DONE] = " ",
	};
	static const char *const spark_utf8[8] = {
		"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█",
	};
	static const char *const spark_ascii[8] = {
		"_", ".", "-", "-", "=", "=", "#", "#",
	};
	int i;

	t->utf8 = utf8;
	t->color = color;
	for (i = 0; i < LS_STATE_COUNT; i++) {
		t->state_glyph[i] = utf8 ? glyph_utf8[i] : glyph_ascii[i];
		t->strip_glyph[i] = utf8 ? strip_utf8[i] : strip_ascii[i];
	}
	for (i = 0; i < 8; i++)
		t->spark[i] = utf8 ? spark_utf8[i] : spark_ascii[i];
	t->h = utf8 ? "─" : "-";
	t->v = utf8 ? "│" : "|";
	t->tl = utf8 ? "┌" : "+";
	t->tr = utf8 ? "┐" : "+";
	t->bl = utf8 ? "└" : "+";
	t->br = utf8 ? "┘" : "+";
	t->bar_full = utf8 ? "█" : "#";
	t->bar_empty = utf8 ? "░" : ".";
	t->arrow = utf8 ? "→" : "->";

	if (color) {
		start_color();
		use_default_colors();
		init_pair(PAIR_RUN, COLOR_GREEN, -1);
		init_pair(PAIR_BLOCK, COLOR_RED, -1);
		init_pair(PAIR_IDLE, COLOR_BLUE, -1);
		init_pair(PAIR_SLEEP, COLOR_CYAN, -1);
		init_pair(PAIR_PARK, COLOR_YELLOW, -1);
		init_pair(PAIR_TITLE, COLOR_CYAN, -1);
		init_pair(PAIR_ALERT, COLOR_WHITE, COLOR_RED);
		init_pair(PAIR_OK, COLOR_GREEN, -1);
		init_pair(PAIR_BADGE_RUN, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_BADGE_PAUSE, COLOR_BLACK, COLOR_YELLOW);
		init_pair(PAIR_BADGE_STEP, COLOR_BLACK, COLOR_CYAN);
	}
#define PAIR(p) (color ? COLOR_PAIR(p) : 0)
	t->state_attr[LS_STATE_RUNNING] = PAIR(PAIR_RUN) | A_BOLD;
	t->state_attr[LS_STATE_IDLE] = PAIR(PAIR_IDLE);
	t->state_attr[LS_STATE_SLEEPING] = PAIR(PAIR_SLEEP);
	t->state_attr[LS_STATE_BLOCKED] = PAIR(PAIR_BLOCK) | A_BOLD;
	t->state_attr[LS_STATE_PARKED] = PAIR(PAIR_PARK) | A_BOLD;
	t->state_attr[LS_STATE_DONE] = A_DIM;
	t->title = PAIR(PAIR_TITLE) | A_BOLD;
	t->dim = A_DIM;
	t->changed = A_BOLD | A_UNDERLINE;
	t->alert = color ? COLOR_PAIR(PAIR_ALERT) | A_BOLD : A_REVERSE | A_BOLD;
	t->ok = PAIR(PAIR_OK) | A_BOLD;
	t->badge_run = color ? COLOR_PAIR(PAIR_BADGE_RUN) | A_BOLD : A_REVERSE;
	t->badge_pause = color ? COLOR_PAIR(PAIR_BADGE_PAUSE) | A_BOLD
			       : A_REVERSE | A_BOLD;
	t->badge_step = color ? COLOR_PAIR(PAIR_BADGE_STEP) | A_BOLD
			      : A_REVERSE | A_BOLD;
	t->bar_fill = PAIR(PAIR_RUN);
	t->selected = A_REVERSE;
#undef PAIR
}
