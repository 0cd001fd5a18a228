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

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
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
/* Step keys typed ahead of a step still under way, kept in order. */
#define UI_STEP_AHEAD 16

/* The smallest terminal the full layout fits in. */
#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24

/* The shortest time between two frames: 40 a second at most.  An event
 * waits for the next frame after the drain that finds it, so this bounds
 * how old the oldest new event on a frame is (at 30 a second, with 64
 * threads flat out, the p99 was 52 ms; at 40, 40 ms); curses sends only
 * what changed, and the ui thread's CPU stayed the same. */
#define UI_FRAME_NS 25000000ull

/* The shortest time between two frames: UI_FRAME_NS, or LOCKSTEP_FRAME_MS
 * from the environment (tests stretch it to show that a key's answer does
 * not wait for it).  The ui thread only. */
uint64_t app_frame_ns(void);

struct rect {
	int y, x, h, w;
};

/* Where each panel goes this frame (layout.c).  A rect with h == 0 is
 * not shown (the class layout leaves the timeline and metrics out). */
struct layout {
	bool too_small;
	struct rect header, threads, objects, timeline, metrics, lesson,
		keybar;
	struct rect strip;	/* the step view's goal and schedule lines */
};

/* The sizing chart's memory (chart.c): the series it drew last, and the
 * previous run's, kept faintly for comparison after a parameter change
 * restarts the scene (which starts the model afresh). */
struct chart_memory {
	unsigned generation;	/* ctl.generation of cur */
	uint64_t cur[MODEL_SERIES], prev[MODEL_SERIES];
	unsigned ncur, nprev;
	int cur_params[SCENE_MAX_PARAMS];
	char prev_label[48];	/* "mix=cpu" */
};

/* The timeline in step mode (timeline.c): one column per step, a cell
 * per thread, so the interleaving a class built stays on screen.  Rows
 * are thread names (a step back restarts the run with new tids). */
#define STEP_TRACE_COLS 512
#define STEP_TRACE_ROWS 16
struct step_trace {
	size_t ncols;			/* steps recorded: 1..ncols */
	unsigned nrows;
	char names[STEP_TRACE_ROWS][MODEL_NAME];
	/* enum ls_thread_state + 1 of each row after each step, 0 none;
	 * STEP_TRACE_MOVED marks the thread that was stepped. */
	uint8_t cell[STEP_TRACE_COLS][STEP_TRACE_ROWS];
};
#define STEP_TRACE_MOVED 0x80

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
	/* The script opened (its compiled program and path), when def is
	 * the scene of scripts; owned by the caller of ui_main. */
	struct control_target script;
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
	/* Steps typed while one was under way, taken in order as each
	 * finishes (0: the control's next); any other key drops them. */
	unsigned step_ahead[UI_STEP_AHEAD];
	size_t nstep_ahead;
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
	struct par_job *par_job;	/* a script's par being found */
	long par;		/* a script's par in steps, or <= 0: unknown */
	unsigned generation;	/* ctl.generation the model was started at */
	uint64_t run_start_ns;	/* monotonic time the scene (re)started */
	/* A recording replayed (lockstep replay; replayview.c), else NULL:
	 * then nothing runs, the ring and the control are unused, and the
	 * model is folded from the file.  play_on: it plays by itself;
	 * play_ts: the recorded time the screen shows; play_wall: when the
	 * play last moved; play_num: a number being typed for a jump. */
	struct playback *play;
	struct cast *cast;	/* --cast: the session recorded, or NULL */
	bool play_on;
	uint64_t play_ts, play_wall;
	char play_num[12];
	uint64_t paused_ns;	/* total time paused, for the elapsed clock */
	uint64_t pause_began;

	/* What is seen. */
	struct model *model;
	struct feed feed;	/* ring -> model */
	struct theme theme;
	struct layout lay;
	bool show_help, show_log;
	/* The class layout: fewer, larger panels for a projector. */
	bool class_view;
	/* The thread row the arrow keys are on (0: none), and the thread
	 * whose detail the lesson panel shows (0: none); Enter or a click
	 * opens the one under the cursor. */
	unsigned cursor_tid;
	unsigned selected_tid;
	int timeline_scroll;	/* threads scrolled off the top */
	int threads_scroll;
	int objects_scroll;	/* object rows scrolled off the top */
	int lesson_scroll;	/* lesson lines scrolled off the top */
	int lesson_fix;		/* the fix the lesson last showed, -1 none */
	const struct scene_def *lesson_def;	/* the scene it showed */
	int log_back;		/* events scrolled back from the newest */
	uint64_t log_end_seen;	/* model_log_end when the log was drawn */
	struct chart_memory chart;
	struct step_trace trace;
	char message[192];	/* one line for the key bar, fades */
	uint64_t message_until;
	uint64_t frame_now;	/* monotonic ns of this frame */
	uint64_t last_frame;	/* when the last frame was drawn */
	uint64_t last_tick;	/* when the metrics window last turned */
	uint64_t last_event;	/* when the ring last had events */
	/* When the oldest key not yet answered by a frame was read, 0 when
	 * none: a key is drawn at once, not at the next frame's turn. */
	uint64_t key_read;
	bool dirty;
};

/* theme.c */
struct theme_file;
void theme_init(struct theme *t, bool utf8, bool color);
/* Start with theme file f, or the built-in theme when f is NULL. */
void theme_start(struct theme *t, const struct theme_file *f, bool utf8,
		 bool color);
/* The next shipped theme after t's (in name order, around), applied with
 * t's utf8 and color.  Returns 0, or a negative errno with a reason in
 * err (t unchanged).  The caller redraws the whole screen. */
int theme_cycle(struct theme *t, char *err, size_t n);
/* The T key: the next shipped theme, said on the status line. */
void theme_key(struct ui *u);
/* Build t from a parsed theme file (ui/themefile.h); color false keeps
 * the attributes only (NO_COLOR, a monochrome terminal). */
void theme_apply(struct theme *t, const struct theme_file *f, bool utf8,
		 bool color);

/* layout.c: where the panels go, and the whole screen drawn there. */
void layout_compute(struct ui *u, int rows, int cols);
void layout_draw(struct ui *u, int rows, int cols);
/* The panels drawn in the rects u->lay holds (set by the caller: a
 * slide puts them in a region); the help overlay centred on a rows x
 * cols screen. */
void layout_panels(struct ui *u, int rows, int cols);
/* The class layout on or off (the z key). */
void layout_toggle_class(struct ui *u);

/* Drawing helpers (draw.c). */
void draw_box(const struct ui *u, struct rect r, const char *title,
	      const char *footer);
int text_width(const char *s);
void draw_text(int y, int x, int w, attr_t a, const char *s);
int draw_textf(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The next line of s word-wrapped at w columns: its length in bytes in
 * *len, and where the line after it starts (at the end of s: s). */
const char *wrap_next(const char *s, int w, int *len);
/* s word-wrapped from row y, above row bottom; returns the next row. */
int draw_wrapped(int y, int x, int w, int bottom, attr_t a, const char *s);
const char *ui_thread_name(const struct ui *u, unsigned tid);
/* The word for a state on every panel, the legend and the help:
 * "running", "idle", "I/O", "blocked", "paused", "done" (upper: caps). */
const char *ui_state_word(unsigned state, bool upper);
/* The glyph of a state in the thread list (strip false) or a timeline
 * strip; in ASCII one glyph means one state everywhere. */
const char *ui_state_glyph(const struct ui *u, unsigned state, bool strip);
/* A bar's filled or empty cell, and a sparkline level (0..7). */
const char *ui_bar_glyph(const struct ui *u, bool full);
const char *ui_spark_glyph(const struct ui *u, unsigned level);
const char *ui_object_name(const struct ui *u, uint32_t id);
void draw_format_ns(char *buf, size_t n, uint64_t ns);

/* The threads worth showing, in tid order: live ones, and finished ones
 * for a short while.  Returns how many tids went into out. */
unsigned threads_visible(const struct ui *u, unsigned *out, unsigned max);

/* A marker in the session's cast (--cast), if one is recorded. */
void app_cast_marker(struct ui *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Show msg on the status line for a few seconds. */
void app_say(struct ui *u, const char *msg);

/* steps.c: pause or resume the run. */
void app_toggle_pause(struct ui *u);
/* Step thread tid (0: the next that can move), pausing first if running;
 * while a step is under way the key is kept and taken after it. */
void app_step(struct ui *u, unsigned tid);
/* The next step of the schedule being replayed (u->replay). */
void app_replay_step(struct ui *u);
/* Step back one step (the run is replayed up to the one before). */
void app_step_back(struct ui *u);
/* Once no step is under way, take the oldest step typed ahead. */
void app_step_take_ahead(struct ui *u);

/*
 * A live scene without the loop around it (app.c), for the ui's own loop
 * and for a slide (ui/present.c).  app_create starts target t (copied)
 * in mode, or stepping through replay (kept by the caller, not copied)
 * when it is not NULL; it returns NULL with a reason in err.  The theme
 * is the caller's to set before the first frame.  app_destroy stops the
 * target and frees everything; NULL is fine.  Both on the ui thread.
 */
struct ui *app_create(const struct control_target *t, enum control_mode mode,
		      uint64_t seed, const struct schedule *replay, char *err,
		      size_t n);
void app_destroy(struct ui *u);
/* Once a loop turn: finish a step, drain the ring into the model, turn
 * the metrics window, fade the message; sets u->dirty and u->frame_now. */
void app_advance(struct ui *u);
/* Is a frame due: dirty, and a key read since the last frame (last_frame,
 * 0 before the first) to answer, no frame yet, or the frame budget spent
 * by now?  The live loop's and classroom mode's one rule. */
bool app_frame_ready(bool dirty, bool key_read, uint64_t last_frame,
		     uint64_t now);
/* app_frame_ready for u.  The caller that draws one sets u->last_frame =
 * u->frame_now and clears u->dirty and u->key_read. */
bool app_frame_due(const struct ui *u);
/* How long the loop may sleep before app_advance is due again. */
uint64_t app_wait_ns(const struct ui *u);
/* Before drawing a frame: who can move, listed once for the panels. */
void app_frame_begin(struct ui *u);
/* One key for the scene.  Returns false for quit. */
bool app_key(struct ui *u, int ch);
/* The terminal's part of the loop: app_poll fills pfd[0] (the terminal)
 * and pfd[1] (the quit signals' pipe), polls pfd[0..n) and returns 0 to
 * go on, 1 when the terminal went away or poll failed, -SIG for a quit
 * signal.  app_keys hands each key waiting to key (false: quit) and
 * returns 0 to go on, 1 for quit, -SIG for a quit signal between keys. */
int app_poll(struct pollfd *pfd, nfds_t n, int timeout_ms);
int app_keys(bool (*key)(void *arg, int ch), void *arg);
/* setlocale, then is there a terminal?  0, or 1 with the reason said on
 * stderr (the exit status). */
int app_tty_check(void);
/* Is the locale UTF-8?  Is colour wanted (a colour terminal, and no
 * NO_COLOR)?  The second needs curses started. */
bool app_locale_utf8(void);
bool app_color_wanted(void);

/* The speed label ("1.0x", "max") and the scene's elapsed run time. */
const char *app_speed_label(const struct ui *u);
/* The speed in thousandths, 0 for "max". */
unsigned app_speed_permille(const struct ui *u);
uint64_t app_elapsed_ns(const struct ui *u);
/* The time the screen shows: now, or the moment of the pause. */
uint64_t app_view_ns(const struct ui *u);

/*
 * Panels: each draws into its rect; a _key function takes the keys that
 * belong to its panel and returns whether it took ch.  layout_key hands
 * a key to each panel in turn (the ui loop calls it for keys it does not
 * handle itself).
 */
bool layout_key(struct ui *u, int ch);
void header_draw(struct ui *u, struct rect r);
void threads_draw(struct ui *u, struct rect r);
bool threads_key(struct ui *u, int ch);
bool threads_click(struct ui *u, struct rect r, int y, int x);
/* The control's listing of thread tid this frame, or NULL (running). */
const struct control_thread *threads_control(const struct ui *u,
					     unsigned tid);
void objects_draw(struct ui *u, struct rect r);
bool objects_key(struct ui *u, int ch);
/* The rows the objects panel would like, without its borders. */
int objects_rows(struct ui *u);
void timeline_draw(struct ui *u, struct rect r);
/* Note the step just taken in the step-mode trace (each frame). */
void timeline_record(struct ui *u);
/* Does the scene publish a series to chart (the sizing sweep)? */
bool chart_wanted(const struct ui *u);
void chart_draw(struct ui *u, struct rect r);
void eventlog_draw(struct ui *u, struct rect r);
bool eventlog_key(struct ui *u, int ch);
void metrics_draw(struct ui *u, struct rect r);
/* Events lost so far: the ring's drop count or the model's sequence gaps,
 * whichever is larger.  The header and the Metrics panel both show it. */
uint64_t metrics_lost(const struct model *m);
/* The ring the ui creates: cfg filled from LOCKSTEP_LANE_EVENTS (a power
 * of two, events per lane: a test makes the ring tiny to force drops),
 * or NULL for the defaults when that is unset or not a number. */
const struct ls_ring_config *metrics_ring_config(struct ls_ring_config *cfg);
void lesson_draw(struct ui *u, struct rect r);
bool lesson_key(struct ui *u, int ch);
void keybar_draw(struct ui *u, struct rect r);
/* The rows the key bar needs at cols columns. */
int keybar_rows(struct ui *u, int cols);
/* "p/P producers=2" for parameter i, as the key bar says it. */
void keybar_param_text(const struct ui *u, unsigned i, char *buf, size_t n);
void help_draw(struct ui *u, int rows, int cols);
void waitfor_draw(struct ui *u, struct rect r);

/* outcome.c: the failure the scene shows, once it happened: the
 * target's report or a deadlock; false while there is none. */
bool outcome_current(struct ui *u, struct scene_outcome *o, size_t *at_step);
/* Is the engine deadlocked (no green RUNNING beside it)? */
bool outcome_stuck(struct ui *u);
/* "LOST UPDATE at step 4", "TORN READ (12 so far)" into buf. */
void outcome_title(struct ui *u, const struct scene_outcome *o,
		   size_t at_step, char *buf, size_t n);
/* The outcome's title and sentence from row y; returns the next row. */
int outcome_draw(struct ui *u, int y, int x, int w, int bottom);
/* A script's par, found in the background (par.c): start on opening a
 * script, poll each frame (true while it runs), stop before the end. */
struct par_job;
void par_start(struct ui *u);
bool par_poll(struct ui *u);
void par_stop(struct ui *u);

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

/* A recording replayed (replayview.c).  start: show its first moment;
 * tick: each loop turn, move on while playing; key: the replay's keys
 * (true when taken), which shadow every key that would drive an engine;
 * badge: the header's; rows and draw: its status, position bar and keys,
 * in place of the key bar. */
struct playback;
void replayview_start(struct ui *u);
void replayview_tick(struct ui *u, uint64_t now);
bool replayview_key(struct ui *u, int ch);
void replayview_badge(const struct ui *u, char *buf, size_t n, attr_t *a);
int replayview_rows(void);
void replayview_draw(struct ui *u, struct rect r);

/* The step view (stepview.c). */
void stepview_layout(struct layout *l, int rows, int cols);
void stepview_draw(struct ui *u, struct rect r);
void stepview_shared_draw(struct ui *u, struct rect r);
void stepview_strip_draw(struct ui *u, struct rect r);
/* Remember the shared values as a step begins. */
void stepview_snapshot(struct ui *u);
/* The code view of a script (codeview.c), inside the step view: each
 * returns false (0), drawing nothing, when the target is no script. */
bool codeview_draw(struct ui *u, struct rect r,
		   attr_t (*attr)(const struct ui *, enum control_can),
		   const char *(*words)(enum control_can));
/* The shared values and locals; returns the next free row, 0 for none. */
int codeview_vars_draw(struct ui *u, struct rect r);
/* Remember the shared values as a step begins (a script's). */
void codeview_snapshot(struct ui *u);
/* How many thread columns fit in width (4 for a C scene). */
unsigned codeview_columns(const struct ui *u, int width);
/* The script's file name and "title  GOAL: ..." for the header. */
bool codeview_header(const struct ui *u, char *name, size_t nn, char *title,
		     size_t nt);
/* The tid of the thread in column number (1-based, as shown), or 0. */
unsigned stepview_column_tid(const struct ui *u, unsigned number);
/* A click at y, x in the columns' rect r: the thread clicked. */
bool stepview_click(struct ui *u, struct rect r, int y, int x,
		    unsigned *tid);

#endif
