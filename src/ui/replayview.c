/*
 * replayview.c - a recording in the live ui (lockstep replay): the same
 * panels, drawn from a model that a playback (model/playback.h) folds
 * from the file instead of a feed from the ring, and the keys and status
 * lines that move along it.
 *
 * There is no engine and no control.  The panels are laid out as for a
 * running scene, as the live run was drawn, and the time they show
 * (app_view_ns) is the recorded time of the position, so every panel that ages a state (blocked for
 * 1.2 s, the timeline's right edge) draws what the live run drew at that
 * moment.  Playing moves the recorded time on with the wall clock, times
 * the speed, and the model to the last event stamped before it.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"
#include "model/playback.h"

/* At "max" speed, events folded per frame. */
#define MAX_SPEED_EVENTS 2000
/* [ and ] move by this fraction of the recording. */
#define SEEK_FRACTION 20

/* A target the program does not know (a newer lockstep's scene, or a
 * script): its panels still draw, with no lesson and no parameters. */
static const struct scene_def replayview_unknown = {
	.name = "recording",
	.title = "a recorded run",
	.summary = "",
};

/* The scene and parameters of the run at position k, from its meta
 * records, for the header, the lesson and the key bar. */
static void
replayview_target(struct ui *u, size_t k)
{
	const char *name = playback_meta(u->play, k, "target");
	const char *params = playback_meta(u->play, k, "params");
	const struct scene_def *def = name ? scene_find(name) : NULL;
	char kv[RECORD_META_MAX + 1], err[160];
	const char *p = params;

	u->def = def ? def : &replayview_unknown;
	memset(&u->ctl.target, 0, sizeof(u->ctl.target));
	u->ctl.target.def = u->def;
	if (!def)
		return;
	scene_defaults(def, u->ctl.target.params);
	/* "fix=none adders=2": a value this lockstep does not know keeps
	 * its default. */
	while (p && *p) {
		size_t len = strcspn(p, " ");

		snprintf(kv, sizeof(kv), "%.*s", (int)len, p);
		scene_parse_set(def, kv, u->ctl.target.params, err,
				sizeof(err));
		p += len + (p[len] == ' ');
	}
}

/* Show position k: fold the model there, and set the time the panels
 * read: the recorded stamp of the last event folded, or, while playing
 * (clock), the recorded time the play has reached. */
static void
replayview_seek(struct ui *u, size_t k, bool clock)
{
	size_t n = playback_events(u->play);

	k = playback_seek(u->play, u->model, k);
	replayview_target(u, k ? k - 1 : 0);
	if (!clock || k == n)
		u->play_ts = k ? playback_ts(u->play, k - 1)
			       : playback_first_ts(u->play);
	u->run_start_ns = playback_run_start(u->play, k ? k - 1 : 0);
	u->paused_ns = 0;
	if (k == n)
		u->play_on = false;
	u->dirty = true;
}

static void
replayview_go(struct ui *u, size_t k)
{
	replayview_seek(u, k, false);
}

void
replayview_start(struct ui *u)
{
	u->paused = false;
	u->play_on = false;
	replayview_go(u, 0);
	app_say(u, "space plays the recording; arrows step one event");
}

void
replayview_tick(struct ui *u, uint64_t now)
{
	unsigned permille = app_speed_permille(u);
	size_t k = playback_position(u->play);
	uint64_t dt = now - u->play_wall;

	u->play_wall = now;
	if (!u->play_on)
		return;
	if (!permille) {
		replayview_go(u, k + MAX_SPEED_EVENTS);
		return;
	}
	u->play_ts += dt * permille / 1000;
	replayview_seek(u, playback_position_at(u->play, u->play_ts), true);
}

/* A number typed before % or Enter: a jump there. */
static void
replayview_jump(struct ui *u, bool percent)
{
	size_t n = playback_events(u->play);
	unsigned long long v = strtoull(u->play_num, NULL, 10);

	u->play_num[0] = '\0';
	if (percent)
		v = v > 100 ? n : (unsigned long long)n * v / 100;
	u->play_on = false;
	replayview_go(u, v > n ? n : (size_t)v);
}

/* The keys, without the cast's markers. */
static bool
replayview_key_move(struct ui *u, int ch)
{
	size_t k = playback_position(u->play), n = playback_events(u->play);
	size_t len = strlen(u->play_num), jump = n / SEEK_FRACTION + 1;

	if (ch >= '0' && ch <= '9') {
		if (len + 1 < sizeof(u->play_num)) {
			u->play_num[len] = (char)ch;
			u->play_num[len + 1] = '\0';
		}
		return true;
	}
	switch (ch) {
	case '%':
		if (len)
			replayview_jump(u, true);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (len) {
			replayview_jump(u, false);
			return true;
		}
		return false;	/* a thread's detail */
	case 27:		/* Esc: forget the number */
		if (!len)
			return false;
		u->play_num[0] = '\0';
		return true;
	case ' ':
		u->play_on = !u->play_on && k < n;
		u->play_wall = ls_clock_ns();
		break;
	case KEY_RIGHT:
	case 'n':
	case 's':
	case '.':
		u->play_on = false;
		replayview_go(u, k + 1);
		break;
	case KEY_LEFT:
	case 'b':
	case ',':
		u->play_on = false;
		replayview_go(u, k ? k - 1 : 0);
		break;
	case ']':
		replayview_go(u, k + jump);
		break;
	case '[':
		replayview_go(u, k > jump ? k - jump : 0);
		break;
	case KEY_HOME:
	case 'r':
	case 'R':
		u->play_on = false;
		replayview_go(u, 0);
		break;
	case KEY_END:
		u->play_on = false;
		replayview_go(u, n);
		break;
	/* The engine's keys: nothing runs to step, search or change. */
	case 'g':
	case 'v':
	case 'x':
	case '\t':
	case KEY_BTAB:
		app_say(u, "a recording only plays: space, arrows, [ ], "
			"Home/End, 50% jumps");
		break;
	default:
		return false;
	}
	u->play_num[0] = '\0';
	return true;
}

bool
replayview_key(struct ui *u, int ch)
{
	size_t k = playback_position(u->play);
	bool taken = replayview_key_move(u, ch);

	/* A marker for each position a person stepped or sought to. */
	if (taken && playback_position(u->play) != k)
		app_cast_marker(u, "event %zu", playback_position(u->play));
	return taken;
}

void
replayview_badge(const struct ui *u, char *buf, size_t n, attr_t *a)
{
	const struct theme *t = &u->theme;

	if (u->play_on) {
		snprintf(buf, n, " %s REPLAY ", t->utf8 ? "▶" : ">");
		*a = t->badge_run;
	} else {
		snprintf(buf, n, " %s REPLAY ", t->utf8 ? "‖" : "||");
		*a = t->badge_pause;
	}
}

int
replayview_rows(void)
{
	return 3;
}

/* The position bar: how far along the recording the screen is. */
static void
replayview_bar(const struct ui *u, int y, int x, int w, size_t k, size_t n)
{
	int fill = n ? (int)((double)w * (double)k / (double)n + 0.5) : w;
	int i;

	for (i = 0; i < w; i++)
		draw_text(y, x + i, 1, i < fill ? u->theme.bar_fill : A_DIM,
			  ui_bar_glyph(u, i < fill));
}

void
replayview_draw(struct ui *u, struct rect r)
{
	size_t k = playback_position(u->play), n = playback_events(u->play);
	uint64_t first = playback_first_ts(u->play);
	uint64_t last = n ? playback_ts(u->play, n - 1) : first;
	char status[256], pct[16], keys[160];
	int used;

	snprintf(status, sizeof(status), " event %zu of %zu  t=%.6fs of "
		 "%.3fs%s%s%s", k, n, (double)(u->play_ts - first) / 1e9,
		 (double)(last - first) / 1e9, u->play_num[0] ? "  jump to: "
		 : "", u->play_num, u->play_num[0] ? " (% or Enter)" : "");
	used = draw_textf(r.y, r.x, r.w, A_BOLD, "%s", status);
	if (u->message[0] && u->frame_now < u->message_until && r.w > used)
		draw_text(r.y, r.x + used, r.w - used, u->theme.dim,
			  u->message);
	if (r.h < 2)
		return;
	snprintf(pct, sizeof(pct), " %3zu%% ", n ? k * 100 / n : 100);
	draw_text(r.y + 1, r.x, 1, A_NORMAL, " ");
	replayview_bar(u, r.y + 1, r.x + 1, r.w - 2 - text_width(pct), k, n);
	draw_text(r.y + 1, r.x + r.w - 1 - text_width(pct), text_width(pct),
		  A_BOLD, pct);
	if (r.h < 3)
		return;
	snprintf(keys, sizeof(keys), " space play/pause  %s step  [ ] seek  "
		 "Home End  50%% jump  + - speed  l log  ? help  q quit",
		 u->theme.utf8 ? "\u2190 \u2192" : "<- ->");
	draw_text(r.y + 2, r.x, r.w, u->theme.dim, keys);
}
