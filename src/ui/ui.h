/*
 * ui.h - the live terminal ui: shared state of the loop and the panels.
 *
 * This is the only header that includes curses (STYLE.md: one door to
 * curses, as htop's ProvideCurses.h).  Only the ui thread calls curses.
 * The ui draws the model (and, while stepping, the control's list of who
 * can move), and changes the engine only through the control module
 * (src/control/control.h): pause, step, speed, params, reset.
 */
#ifndef LOCKSTEP_UI_H
#define LOCKSTEP_UI_H

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include <stdbool.h>
#include <stdint.h>

#include "control/control.h"
#include "control/schedule.h"
#include "lockstep/event.h"
#include "model/feed.h"
#include "model/model.h"
#include "scenes/scene.h"
#include "ui/app.h"

/* Shared values the step view compares from one step to the next. */
#define UI_MAX_VARS 64

/* The smallest terminal the full layout fits in. */
#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

struct rect {
	int y, x, h, w;
};

/* Where each panel goes this frame (layout.c). */
struct layout {
	bool too_small;
	struct rect header, threads, objects, timeline, metrics, lesson,
		keybar;
	struct rect strip;	/* the step view's goal and schedule lines */
};

/* Glyphs and attributes (theme.c).  Every state has a colour and a glyph,
 * so the screen reads in monochrome and for colour-blind viewers. */
struct theme {
	bool utf8;
	bool color;
	const char *state_glyph[LS_STATE_COUNT];	/* thread list */
	const char *strip_glyph[LS_STATE_COUNT];	/* timeline cells */
	attr_t state_attr[LS_STATE_COUNT];
	attr_t title, dim, changed, alert, ok, badge_run, badge_pause,
		badge_step, bar_fill, selected;
	/* Box lines, and the slides' styles (src/present/slide.h). */
	attr_t border, heading, subheading, strong, emphasis, code, note;
	bool thick_bars;	/* the theme asks for bars two rows high */
	char name[64];		/* the theme's name, for the status line */
	/* Box drawing: corners, lines. */
	const char *h, *v, *tl, *tr, *bl, *br;
	const char *bar_full, *bar_empty, *arrow;
	const char *spark[8];
};

struct ui {
	/* What runs, driven through the one control door. */
	const struct scene_def *def;	/* ctl.target.def */
	struct control ctl;
	struct ls_ring *ring;
	unsigned speed_idx;	/* into the speed table of app.c */
	bool paused;		/* held: PAUSE or STEP mode */
	/* Who can move and what each will do next, as the control listed
	 * it this frame (refreshed while held; empty while running). */
	struct control_thread cthreads[CONTROL_MAX_THREADS];
	size_t ncthreads;
	bool step_view;		/* thread columns and the schedule strip */
	/* The shared values when the last step began, to mark what it
	 * changed (stepview.c). */
	struct {
		uint32_t id;
		uint64_t value;
	} var_before[UI_MAX_VARS];
	size_t nvar_before;
	/* A schedule being replayed step by step (--replay), and the next
	 * of its steps; auto: it advances on its own, one step a beat. */
	const struct schedule *replay;
	size_t replay_next;
	bool replay_auto;
	uint64_t replay_due;
	const char *record;	/* write the schedule here at exit */
	/* A schedule the ui owns (one a search found), replayed by hand;
	 * replay_fail_at: the step at which it fails, 0 unknown. */
	struct schedule found;
	bool have_found;
	size_t replay_fail_at;
	struct search *search;	/* a search under way (x), or NULL */
	unsigned generation;	/* ctl.generation the model was started at */
	uint64_t run_start_ns;	/* monotonic time the scene (re)started */
	uint64_t paused_ns;	/* total time paused, for the elapsed clock */
	uint64_t pause_began;

	/* What is seen. */
	struct model *model;
	struct feed feed;	/* ring -> model */
	struct theme theme;
	struct layout lay;
	bool show_help, show_log;
	unsigned selected_tid;	/* 0: none */
	int timeline_scroll;	/* threads scrolled off the top */
	int threads_scroll;
	char message[192];	/* one line for the key bar, fades */
	uint64_t message_until;
	uint64_t frame_now;	/* monotonic ns of this frame */
	bool dirty;
};

/* theme.c */
struct theme_file;
void theme_init(struct theme *t, bool utf8, bool color);
/* Build t from a parsed theme file (ui/themefile.h); color false keeps
 * the attributes only (NO_COLOR, a monochrome terminal). */
void theme_apply(struct theme *t, const struct theme_file *f, bool utf8,
		 bool color);

/* layout.c */
void layout_compute(struct layout *l, int rows, int cols);

/* Drawing helpers (draw.c). */
void draw_box(const struct ui *u, struct rect r, const char *title,
	      const char *footer);
int text_width(const char *s);
void draw_text(int y, int x, int w, attr_t a, const char *s);
int draw_textf(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
const char *ui_thread_name(const struct ui *u, unsigned tid);
const char *ui_object_name(const struct ui *u, uint32_t id);
void format_ns(char *buf, size_t n, uint64_t ns);

/* The threads worth showing, in tid order: live ones, and finished ones
 * for a short while.  Returns how many tids went into out. */
unsigned threads_visible(const struct ui *u, unsigned *out, unsigned max);

/* Show msg on the status line for a few seconds. */
void app_say(struct ui *u, const char *msg);

/* The speed label ("1.0x", "max") and the scene's elapsed run time. */
const char *app_speed_label(const struct ui *u);
uint64_t app_elapsed_ns(const struct ui *u);
/* The time the screen shows: now, or the moment of the pause. */
uint64_t app_view_ns(const struct ui *u);

/* Panels: each draws into its rect; some take keys. */
void header_draw(struct ui *u, struct rect r);
void threads_draw(struct ui *u, struct rect r);
bool threads_click(struct ui *u, struct rect r, int y, int x);
void objects_draw(struct ui *u, struct rect r);
void timeline_draw(struct ui *u, struct rect r);
void eventlog_draw(struct ui *u, struct rect r);
void metrics_draw(struct ui *u, struct rect r);
void lesson_draw(struct ui *u, struct rect r);
void keybar_draw(struct ui *u, struct rect r);
void help_draw(struct ui *u, int rows, int cols);
void waitfor_draw(struct ui *u, struct rect r);
/* A search for a failing interleaving in the background (search.c). */
struct search;
/* Start searching the ui's target; false (and a message) if it cannot. */
bool search_start(struct ui *u);
/* Called each loop turn: true while it runs (draw its progress); when it
 * ends, loads what it found into the step view. */
bool search_poll(struct ui *u);
/* Stop it now (any key). */
void search_cancel(struct ui *u);
/* Its progress line, for the strip. */
void search_draw(struct ui *u, struct rect r);

/* The step view (stepview.c). */
void stepview_layout(struct layout *l, int rows, int cols);
void stepview_draw(struct ui *u, struct rect r);
void stepview_shared_draw(struct ui *u, struct rect r);
void stepview_strip_draw(struct ui *u, struct rect r);
/* Remember the shared values as a step begins. */
void stepview_snapshot(struct ui *u);
/* The tid of the thread in column number (1-based, as shown), or 0. */
unsigned stepview_column_tid(const struct ui *u, unsigned number);
/* A click at y, x in the columns' rect r: the thread clicked. */
bool stepview_click(struct ui *u, struct rect r, int y, int x,
		    unsigned *tid);

/* Draw the DEADLOCK banner in r if a cycle holds; false if none. */
bool waitfor_banner(struct ui *u, struct rect r);

#endif
