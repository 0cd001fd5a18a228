/*
 * app.c - the ui loop: drain the ring into the model, draw when something
 * changed (at most 40 frames a second, UI_FRAME_NS, but a key's answer at
 * once), sleep in poll() otherwise, and turn keys into controls.  The
 * controls are the ui's only door into the engine: pause, step (steps.c),
 * speed, scene parameters, reset, scene switch.
 *
 * Drawing erases and redraws stdscr each frame; curses sends only the
 * cells that differ from what the terminal shows, so nothing flickers and
 * an unchanged frame costs almost nothing on the wire.
 */
#include "config.h"

#include "ui/ui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "control/target.h"
#include "trace/record.h"
#include "ui/cast.h"
#include "ui/tty.h"
#include "util/num.h"

#define TICK_NS 1000000000ull		/* metrics window */
/* A replayed schedule takes a step this often when it plays by itself. */
#define REPLAY_BEAT_NS 800000000ull

/* Speeds in thousandths; 0 is "max" (no simulated time). */
static const unsigned speeds[] = {
	100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 0,
};
#define SPEED_DEFAULT 3
#define NSPEEDS (sizeof(speeds) / sizeof(speeds[0]))

const char *
app_speed_label(const struct ui *u)
{
	static char buf[16];
	unsigned s = speeds[u->speed_idx];

	if (!s)
		return "max";
	snprintf(buf, sizeof(buf), "%g%s", s / 1000.0, "x");
	return buf;
}

unsigned
app_speed_permille(const struct ui *u)
{
	return speeds[u->speed_idx];
}

uint64_t
app_view_ns(const struct ui *u)
{
	/* A replay shows the recorded time of its position. */
	if (u->play)
		return u->play_ts;
	return u->paused ? u->pause_began : u->frame_now;
}

uint64_t
app_elapsed_ns(const struct ui *u)
{
	uint64_t end = app_view_ns(u);

	return end > u->run_start_ns + u->paused_ns
		       ? end - u->run_start_ns - u->paused_ns : 0;
}

/*
 * Frame statistics, kept only when LOCKSTEP_STATS names a file: render
 * time of each frame, the age of the oldest event a frame shows for the
 * first time (event timestamp to the end of that frame's refresh), and
 * from reading a key to the end of the frame that answers it.
 */
#define STATS_MAX 65536
struct frame_stats {
	FILE *out;
	uint64_t *render, *latency, *key;
	size_t nrender, nlatency, nkey;
	uint64_t oldest_new;	/* oldest event ts since the last frame */
	uint64_t start;
	struct timespec cpu0;
};
static struct frame_stats stats;

static void
stats_open(void)
{
	const char *path = getenv("LOCKSTEP_STATS");

	if (!path || !*path)
		return;
	stats.out = fopen(path, "w");
	stats.render = calloc(STATS_MAX, sizeof(uint64_t));
	stats.latency = calloc(STATS_MAX, sizeof(uint64_t));
	stats.key = calloc(STATS_MAX, sizeof(uint64_t));
	if (!stats.out || !stats.render || !stats.latency || !stats.key) {
		if (stats.out)
			fclose(stats.out);
		free(stats.render);
		free(stats.latency);
		free(stats.key);
		memset(&stats, 0, sizeof(stats));
		return;
	}
	stats.start = ls_clock_ns();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &stats.cpu0);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t
percentile(uint64_t *v, size_t n, double p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(size_t)((double)(n - 1) * p / 100.0 + 0.5)];
}

static void
stats_close(void)
{
	struct timespec cpu;
	double secs, cpu_s;

	if (!stats.out)
		return;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	secs = (double)(ls_clock_ns() - stats.start) / 1e9;
	cpu_s = (double)(cpu.tv_sec - stats.cpu0.tv_sec) +
		(double)(cpu.tv_nsec - stats.cpu0.tv_nsec) / 1e9;
	fprintf(stats.out,
		"{\"frames\": %zu, \"seconds\": %.3f, \"ui_cpu_percent\": %.3f,\n"
		" \"render_ns\": {\"median\": %llu, \"p99\": %llu},\n"
		" \"latency_ns\": {\"samples\": %zu, \"median\": %llu, \"p99\": %llu},\n"
		" \"key_ns\": {\"samples\": %zu, \"median\": %llu, \"max\": %llu}}\n",
		stats.nrender, secs, secs > 0 ? 100.0 * cpu_s / secs : 0.0,
		(unsigned long long)percentile(stats.render, stats.nrender, 50),
		(unsigned long long)percentile(stats.render, stats.nrender, 99),
		stats.nlatency,
		(unsigned long long)percentile(stats.latency, stats.nlatency, 50),
		(unsigned long long)percentile(stats.latency, stats.nlatency, 99),
		stats.nkey,
		(unsigned long long)percentile(stats.key, stats.nkey, 50),
		(unsigned long long)percentile(stats.key, stats.nkey, 100));
	fclose(stats.out);
	free(stats.render);
	free(stats.latency);
	free(stats.key);
	memset(&stats, 0, sizeof(stats));
}

void
app_say(struct ui *u, const char *msg)
{
	/* A status line: a long message is cut, which is fine. */
	if (snprintf(u->message, sizeof(u->message), " %s", msg) >=
	    (int)sizeof(u->message))
		u->message[sizeof(u->message) - 1] = '\0';
	u->message_until = ls_clock_ns() + 3000000000ull;
	u->dirty = true;
}

void
app_cast_marker(struct ui *u, const char *fmt, ...)
{
	char label[128];
	va_list ap;

	if (!u->cast)
		return;
	va_start(ap, fmt);
	vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);
	cast_marker(u->cast, label);
}

/* Drain what the ring has into the model.  Returns events applied. */
static size_t
drain(struct ui *u)
{
	uint64_t oldest;
	/* Bounded: a flood of events must not starve the drawing. */
	size_t n = feed_drain(&u->feed, 16, &oldest);

	if (n && stats.out && (!stats.oldest_new || oldest < stats.oldest_new))
		stats.oldest_new = oldest;
	return n;
}

/* A new run on the ring (start, restart, step back): throw away what the
 * old one left in it, and start the model afresh.  Called by the control
 * between stopping the old run and starting the new one, so the feed
 * skips the old names and sees every new one (feed.h). */
static void
model_restart(void *arg)
{
	struct ui *u = arg;
	struct ls_event buf[256];
	char what[512];

	while (ls_ring_drain(u->ring, buf, 256))
		;
	/* A recording (--record-events) restarts its model here too. */
	u->feed.ring = u->ring;
	u->feed.model = u->model;
	feed_restart(&u->feed, target_describe(&u->ctl.target, what,
					       sizeof(what)));
	u->selected_tid = u->cursor_tid = 0;
	u->threads_scroll = u->timeline_scroll = 0;
	u->objects_scroll = u->log_back = 0;
	u->paused_ns = 0;
	u->run_start_ns = ls_clock_ns();
	u->dirty = true;
}

/* Start target t in mode. */
static int
scene_begin(struct ui *u, const struct control_target *t,
	    enum control_mode mode, uint64_t seed, char *err, size_t n)
{
	int rc;

	u->def = t->def;
	u->ctl.target = *t;	/* what model_restart records */
	model_restart(u);
	rc = control_start(&u->ctl, u->ring, t, mode, speeds[u->speed_idx],
			   seed, err, n);
	u->step_view = mode == CONTROL_STEP;
	u->ctl.before_launch = model_restart;
	u->ctl.hook_arg = u;
	u->paused = mode != CONTROL_RUN;
	u->pause_began = ls_clock_ns();
	return rc;
}

/* The run restarted in the same mode (r, a parameter, f): report it. */
static void
restart(struct ui *u, const char *why)
{
	char err[160];

	if (control_restart(&u->ctl, err, sizeof(err)))
		app_say(u, err);
	else if (why)
		app_say(u, why);
	u->paused = u->ctl.mode != CONTROL_RUN;
	u->pause_began = ls_clock_ns();
}

static void
change_speed(struct ui *u, int dir)
{
	if (dir > 0 && u->speed_idx + 1 < NSPEEDS)
		u->speed_idx++;
	else if (dir < 0 && u->speed_idx > 0)
		u->speed_idx--;
	control_set_speed(&u->ctl, speeds[u->speed_idx]);
	u->dirty = true;
}

/* A scene parameter key: raise (dir 1, cycling named values) or lower. */
static bool
param_key(struct ui *u, int ch)
{
	unsigned i;

	for (i = 0; i < u->def->nparams; i++) {
		const struct scene_param *p = &u->def->params[i];
		int v = u->ctl.target.params[i];
		int stepv = p->step ? p->step : 1;
		char msg[96], val[32], err[160];
		bool restarted;

		if (ch == p->key)
			v = v < p->max ? (v + stepv > p->max ? p->max : v + stepv)
				       : p->values ? p->min : p->max;
		else if (p->key_down && ch == p->key_down)
			v = v - stepv > p->min ? v - stepv : p->min;
		else
			continue;
		if (v == u->ctl.target.params[i])
			return true;
		if (control_set_param(&u->ctl, i, v, &restarted, err,
				      sizeof(err))) {
			app_say(u, err);
			return true;
		}
		scene_param_format(u->def, i, v, val, sizeof(val));
		snprintf(msg, sizeof(msg), "%s = %s%s", p->name, val,
			 restarted ? " (scene restarted)" : "");
		app_say(u, msg);
		return true;
	}
	return false;
}

static void
switch_scene(struct ui *u, int dir)
{
	enum control_mode mode = u->ctl.mode;
	struct control_target t = { 0 };
	char err[160];
	unsigned i;

	for (i = 0; i < scene_count; i++)
		if (scene_table[i] == u->def)
			break;
	i = (i + scene_count + (unsigned)dir) % scene_count;
	control_stop(&u->ctl);
	t.def = scene_table[i];
	scene_defaults(t.def, t.params);
	if (scene_begin(u, &t, mode, 0, err, sizeof(err)))
		app_say(u, err);
}

static void
mouse_event(struct ui *u)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
		unsigned tid;

		if (u->step_view) {
			if (stepview_click(u, u->lay.threads, me.y, me.x,
					   &tid))
				app_step(u, tid);
		} else if (threads_click(u, u->lay.threads, me.y, me.x)) {
			u->dirty = true;
		}
	}
}

static bool
is_step_key(int ch)
{
	return ch == 's' || ch == 'n' || (ch >= '1' && ch <= '9');
}

bool
app_key(struct ui *u, int ch)
{
	/* A search under way: any key stops it (the screen says so). */
	if (u->search && ch != KEY_RESIZE && ch != KEY_MOUSE) {
		search_cancel(u);
		return true;
	}
	if (u->show_help && ch != KEY_RESIZE && ch != KEY_MOUSE) {
		u->show_help = false;
		u->dirty = true;
		return ch != 'q';
	}
	/* Only more step keys keep the steps typed ahead: anything else
	 * (back, reset, resume, a fix) changes what they would step. */
	if (!is_step_key(ch) && ch != KEY_RESIZE && ch != KEY_MOUSE)
		u->nstep_ahead = 0;
	if (u->play && replayview_key(u, ch)) {
		u->dirty = true;
		return true;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case ' ':
		/* Replaying: space starts and stops the replay's beat. */
		if (u->replay) {
			u->replay_auto = !u->replay_auto;
			u->replay_due = 0;
		} else {
			app_toggle_pause(u);
		}
		break;
	case 's':
	case 'n':
		if (u->replay)
			app_replay_step(u);
		else
			app_step(u, 0);
		break;
	case 'v':
		u->step_view = !u->step_view;
		break;
	case 'x':
		if (!search_start(u))
			app_say(u, "cannot start a search");
		break;
	case 'b':
		app_step_back(u);
		break;
	case 'g':
		if (u->paused)
			app_toggle_pause(u);
		break;
	case '+':
	case '=':
		change_speed(u, 1);
		break;
	case '-':
	case '_':
		change_speed(u, -1);
		break;
	case 'r':
	case 'R':
		restart(u, "scene reset");
		break;
	case '\t':
		switch_scene(u, 1);
		break;
	case KEY_BTAB:
		switch_scene(u, -1);
		break;
	case '?':
	case KEY_F(1):
		u->show_help = true;
		break;
	case 'l':
		u->show_log = !u->show_log;
		break;
	case 'T':
		theme_key(u);
		break;
	case KEY_MOUSE:
		mouse_event(u);
		break;
	case KEY_RESIZE:
		break;
	default:
		if (ch >= '1' && ch <= '9' && u->step_view) {
			unsigned tid = stepview_column_tid(u, (unsigned)(ch - '0'));

			if (tid)
				app_step(u, tid);
			break;
		}
		if (ch >= '1' && ch <= '9') {
			unsigned tids[MODEL_MAX_THREADS];
			unsigned n = threads_visible(u, tids, MODEL_MAX_THREADS);
			unsigned idx = (unsigned)(ch - '1') + (unsigned)u->threads_scroll;

			if (idx < n)
				app_step(u, tids[idx]);
			break;
		}
		/* The panels' own keys (layout.c), then the scene's (none
		 * in a replay: nothing runs to change). */
		if (!layout_key(u, ch) && !u->play)
			param_key(u, ch);
		break;
	}
	u->dirty = true;
	return true;
}

void
app_frame_begin(struct ui *u)
{
	/* Panels read who can move from here, one listing a frame. */
	u->ncthreads = u->paused && !u->play
			       ? control_threads(&u->ctl, u->cthreads,
						 CONTROL_MAX_THREADS)
			       : 0;
}

static void
draw_frame(struct ui *u)
{
	int rows, cols;

	app_frame_begin(u);
	getmaxyx(stdscr, rows, cols);
	erase();
	layout_draw(u, rows, cols);
	refresh();
}

void
app_advance(struct ui *u)
{
	uint64_t now = ls_clock_ns();

	u->frame_now = now;
	if (!u->last_tick)
		u->last_tick = now;
	if (u->ctl.stepping && control_step_poll(&u->ctl) != -EINPROGRESS)
		u->dirty = true;
	/* A step may also end as it begins: take the next typed either way. */
	app_step_take_ahead(u);
	if (u->search) {
		search_poll(u);
		u->dirty = true;
	}
	par_poll(u);
	if (u->replay && u->replay_auto && !u->ctl.stepping) {
		if (!u->replay_due)
			u->replay_due = now + REPLAY_BEAT_NS;
		else if (now >= u->replay_due) {
			app_replay_step(u);
			u->replay_due = 0;
		}
	}
	if (u->play)
		replayview_tick(u, now);
	else if (drain(u)) {
		u->dirty = true;
		u->last_event = now;
	}
	/* A replay's model ticks with the recorded time. */
	if (!u->play && now - u->last_tick >= TICK_NS) {
		model_tick(u->model, now);
		u->last_tick = now;
		u->dirty = true;
	}
	/* The clock in the header moves while running. */
	if (!u->paused && !u->play && now - u->last_frame >= 100000000ull)
		u->dirty = true;
	if (u->message[0] && now >= u->message_until) {
		u->message[0] = '\0';
		u->dirty = true;
	}
}

uint64_t
app_wait_ns(const struct ui *u)
{
	uint64_t now = u->frame_now;

	/* Emit cannot wake us (it makes no system call), so while events
	 * flow we look at the ring once a frame.  Paused, and a second
	 * after the last thread came to rest, only a key, a signal or the
	 * metrics tick wakes us. */
	return (u->paused || u->play) && !u->dirty && !u->ctl.stepping &&
			       !u->nstep_ahead &&
			       !u->replay_auto && !u->search && !u->play_on &&
			       now - u->last_event > TICK_NS
		       ? TICK_NS
		       : app_frame_ns() - (now - u->last_frame) % app_frame_ns();
}

uint64_t
app_frame_ns(void)
{
	static uint64_t ns;
	const char *s;
	unsigned long long ms;

	if (!ns) {
		s = getenv("LOCKSTEP_FRAME_MS");
		ns = s && !num_parse_uint(s, 1, 3600000, &ms)
			     ? (uint64_t)ms * 1000000u
			     : UI_FRAME_NS;
	}
	return ns;
}

bool
app_frame_ready(bool dirty, bool key_read, uint64_t last_frame,
		uint64_t now)
{
	/* The frame budget holds back a flood of events; a person's key
	 * is answered in the turn that read it, and the first frame is
	 * drawn at once. */
	return dirty && (key_read || !last_frame ||
			 now - last_frame >= app_frame_ns());
}

bool
app_frame_due(const struct ui *u)
{
	return app_frame_ready(u->dirty, u->key_read != 0, u->last_frame,
			       u->frame_now);
}

int
app_poll(struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	int sig;

	pfd[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = tty_signal_fd(), .events = POLLIN };
	if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR)
		return 1;
	if (pfd[1].revents & POLLIN) {
		sig = tty_exit_signal();
		if (sig)
			return -sig;
	}
	/* The terminal went away (tmux session killed). */
	if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		return 1;
	return 0;
}

int
app_keys(bool (*key)(void *arg, int ch), void *arg)
{
	int ch, sig;

	/* A quit signal goes before keys still queued behind it. */
	while ((ch = getch()) != ERR) {
		if (!key(arg, ch))
			return 1;
		sig = tty_exit_signal();
		if (sig)
			return -sig;
	}
	return 0;
}

static bool
loop_key(void *arg, int ch)
{
	struct ui *u = arg;

	if (!u->key_read)
		u->key_read = ls_clock_ns();
	return app_key(u, ch);
}

static int
loop(struct ui *u)
{
	struct pollfd pfd[2];
	int rc;

	for (;;) {
		int timeout;

		app_advance(u);
		if (app_frame_due(u)) {
			uint64_t t_draw = ls_clock_ns();

			draw_frame(u);
			if (stats.out) {
				uint64_t end = ls_clock_ns();

				if (stats.nrender < STATS_MAX)
					stats.render[stats.nrender++] = end - t_draw;
				if (stats.oldest_new && stats.nlatency < STATS_MAX)
					stats.latency[stats.nlatency++] =
						end - stats.oldest_new;
				if (u->key_read && stats.nkey < STATS_MAX)
					stats.key[stats.nkey++] =
						end - u->key_read;
				stats.oldest_new = 0;
			}
			u->last_frame = u->frame_now;
			u->dirty = false;
			u->key_read = 0;
		} else if (!u->dirty) {
			/* The key changed nothing on the screen. */
			u->key_read = 0;
		}
		/* Sleep until the next frame is due. */
		timeout = (int)(app_wait_ns(u) / 1000000) + 1;
		rc = app_poll(pfd, 2, timeout);
		if (rc)
			return rc;
		rc = app_keys(loop_key, u);
		if (rc)
			return rc > 0 ? 0 : rc;
	}
}

/* At exit: write the schedule of the run, if it can replay it. */
static int
record_schedule(struct ui *u)
{
	char err[320];

	if (!u->ctl.replayable) {
		fprintf(stderr, "lockstep: %s not written: the run was let go "
			"(g or space) after it started; a schedule replays "
			"only a run stepped from its start\n", u->record);
		return 1;
	}
	if (schedule_save(&u->ctl, u->record, err, sizeof(err))) {
		fprintf(stderr, "lockstep: %s\n", err);
		return 1;
	}
	return 0;
}

/* app_create, and for ui_main a recording to play instead (no ring, no
 * control) and an event recording to write. */
static struct ui *
app_build(const struct control_target *t, enum control_mode mode,
	  uint64_t seed, const struct schedule *replay, struct playback *play,
	  const char *record_events, char *err, size_t n)
{
	struct ui *u = calloc(1, sizeof(*u));
	struct ls_ring_config rcfg;
	int e;

	if (!u || !(u->model = malloc(sizeof(*u->model)))) {
		snprintf(err, n, "out of memory");
		free(u);
		return NULL;
	}
	u->def = t->def;
	u->speed_idx = SPEED_DEFAULT;
	u->replay = replay;
	u->replay_auto = replay != NULL;
	/* The engine's threads yield to this one, so frames and keys keep
	 * up when the scene runs flat out (thread-prio.c). */
	ls_thread_set_background();
	u->play = play;
	if (u->play) {
		/* A recording: nothing runs, no ring, no control. */
		replayview_start(u);
		return u;
	}
	e = ls_ring_create(metrics_ring_config(&rcfg), &u->ring);
	if (e) {
		snprintf(err, n, "cannot create the event ring: %s",
			 strerror(-e));
		goto fail;
	}
	if (record_events &&
	    record_writer_open(record_events, &u->feed.rec, err, n))
		goto fail;
	if (scene_begin(u, t, replay ? CONTROL_STEP : mode, seed, err, n))
		goto fail;
	par_start(u);
	return u;
fail:
	app_destroy(u);
	return NULL;
}

struct ui *
app_create(const struct control_target *t, enum control_mode mode,
	   uint64_t seed, const struct schedule *replay, char *err, size_t n)
{
	return app_build(t, mode, seed, replay, NULL, NULL, err, n);
}

void
app_destroy(struct ui *u)
{
	char err[256];

	if (!u)
		return;
	par_stop(u);
	if (u->search) {
		search_cancel(u);
		while (search_poll(u))
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	if (u->have_found)
		schedule_free(&u->found);
	control_stop(&u->ctl);
	if (u->feed.rec)
		record_writer_close(u->feed.rec, err, sizeof(err));
	if (u->ring)
		ls_ring_destroy(u->ring);
	free(u->model);
	free(u);
}

bool
app_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

bool
app_color_wanted(void)
{
	const char *nc = getenv("NO_COLOR");

	return has_colors() && !(nc && *nc);
}

int
app_tty_check(void)
{
	char err[256];

	setlocale(LC_ALL, "");
	if (!tty_check(err, sizeof(err)))
		return 0;
	fprintf(stderr, "lockstep: %s\n", err);
	return 1;
}

int
ui_main(const struct ui_opts *o)
{
	struct ui *u;
	char err[256];
	int rc, e;

	if (app_tty_check())
		return 1;
	u = app_build(&o->target, o->mode, o->seed, o->replay, o->play,
		      o->record_events, err, sizeof(err));
	if (!u) {
		fprintf(stderr, "lockstep: %s\n", err);
		return 1;
	}
	u->record = o->record;
	if (o->cast && cast_open(o->cast, u->def->name, &u->cast, err,
				 sizeof(err))) {
		fprintf(stderr, "lockstep: %s\n", err);
		rc = 1;
		goto out;
	}
	e = tty_open();
	if (e) {
		cast_close(u->cast, err, sizeof(err));
		u->cast = NULL;
		fprintf(stderr, "lockstep: cannot start the terminal ui\n");
		rc = 1;
		goto out;
	}
	cast_started(u->cast);
	theme_start(&u->theme, o->theme, app_locale_utf8(),
		    app_color_wanted());
	stats_open();
	rc = loop(u);
	tty_close();
	if (cast_close(u->cast, err, sizeof(err))) {
		fprintf(stderr, "lockstep: %s\n", err);
		rc = rc ? rc : 1;
	}
	u->cast = NULL;
	stats_close();
	if (!rc && u->record)
		rc = record_schedule(u);
	if (u->feed.rec) {
		/* What the model folded, no more: the recording ends on the
		 * last picture, not on the teardown after it. */
		e = record_writer_close(u->feed.rec, err, sizeof(err));
		u->feed.rec = NULL;
		if (e) {
			fprintf(stderr, "lockstep: %s\n", err);
			rc = rc ? rc : 1;
		}
	}
out:
	app_destroy(u);
	if (rc < 0)
		tty_die_of(-rc);
	return rc;
}
