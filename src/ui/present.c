/*
 * present.c - classroom mode: a deck's slides in this terminal, the keys
 * of the terminal presentation tools, and the live scenes on them.
 *
 * A slide's live scene is a whole ui of its own (app.c): started when it
 * comes into view, drawn by the ui's panels in the rows the slide leaves
 * it (present-draw.c), stopped and thrown away when the slide closes, so
 * coming back to a slide starts its scene afresh.  Tab gives the scene
 * the keys (all of the ui's: space, s, b, r, f, the parameters...) and
 * takes them back; q quits from either.
 *
 * Every slide change is published on the speaker-notes link
 * (present/link.h) for a notes window in another terminal.  The loop
 * polls the keyboard, the signal pipe, the link's socket and its notes
 * windows, and wakes for the scene's frames while one runs.
 */
#include "config.h"

#include "ui/present.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockstep/clock.h"
#include "ui/present-int.h"
#include "ui/tty.h"

#define MESSAGE_NS 4000000000ull

static void
present_say(struct present *p, const char *msg)
{
	/* One line: a long message is cut, which is fine. */
	if (snprintf(p->message, sizeof(p->message), " %s", msg) >=
	    (int)sizeof(p->message))
		p->message[sizeof(p->message) - 1] = '\0';
	p->message_until = ls_clock_ns() + MESSAGE_NS;
	p->dirty = true;
}

static void
present_link_state(const struct present *p, struct link_state *st)
{
	st->slide = p->cur + 1;
	st->nslides = p->deck->nslides;
	st->reveal = p->reveal;
	st->started = p->started;
	snprintf(st->deck, sizeof(st->deck), "%s", p->deck_abs);
}

static void
present_publish(struct present *p)
{
	struct link_state st;

	present_link_state(p, &st);
	link_publish(&p->link, &st);
}

/* Stop the slide's scene, if one runs, and give the keys back. */
static void
present_scene_stop(struct present *p)
{
	app_destroy(p->scene);
	p->scene = NULL;
	stage_free(&p->stage);
	p->scene_focus = false;
}

/* Start the slide's scene when it has come into view. */
static void
present_scene_start(struct present *p)
{
	const struct deck_slide *s = &p->deck->slides[p->cur];
	char err[600];

	if (p->scene || !s->scene || !present_draw_scene_shown(p))
		return;
	if (stage_make(s->scene, p->deck->path, &p->stage, err, sizeof(err))) {
		present_say(p, err);
		return;
	}
	p->scene = app_create(&p->stage.target, p->stage.mode, p->stage.seed,
			      p->stage.replay ? &p->stage.sched : NULL, err,
			      sizeof(err));
	if (!p->scene) {
		stage_free(&p->stage);
		present_say(p, err);
		return;
	}
	p->scene->theme = p->theme;
	/* The slide leaves the scene less room than a screen: the class
	 * layout's fewer, larger panels read better there. */
	p->scene->class_view = true;
}

/* Open slide i: everything revealed when coming back to it. */
static void
present_go(struct present *p, unsigned i, bool revealed)
{
	if (i >= p->deck->nslides)
		i = p->deck->nslides - 1;
	present_scene_stop(p);
	if (p->have_lay)
		slide_layout_free(&p->lay);
	p->have_lay = false;
	p->cur = i;
	p->scroll = 0;
	p->reveal = 0;
	if (present_draw_relayout(p) && revealed)
		p->reveal = p->lay.pauses;
	present_scene_start(p);
	present_publish(p);
	p->dirty = true;
}

static void
present_next(struct present *p)
{
	if (p->have_lay && p->reveal < p->lay.pauses) {
		p->reveal++;
		present_scene_start(p);
		present_publish(p);
		p->dirty = true;
	} else if (p->cur + 1 < p->deck->nslides) {
		present_go(p, p->cur + 1, false);
	} else {
		present_say(p, "this is the last slide");
	}
}

static void
present_prev(struct present *p)
{
	if (p->cur > 0)
		present_go(p, p->cur - 1, true);
	else
		present_say(p, "this is the first slide");
}

/* Up or Down: scroll a slide taller than the screen. */
static void
present_scroll(struct present *p, int dir)
{
	int max = (int)present_draw_revealed(p) -
		  present_draw_slide_rows(p);

	p->scroll += dir;
	if (p->scroll > max)
		p->scroll = max;
	if (p->scroll < 0)
		p->scroll = 0;
	p->dirty = true;
}

static void
present_theme(struct present *p)
{
	char err[320], msg[360];

	if (theme_cycle(&p->theme, err, sizeof(err))) {
		present_say(p, err);
		return;
	}
	if (p->scene)
		p->scene->theme = p->theme;
	clearok(curscr, TRUE);
	snprintf(msg, sizeof(msg), "theme: %s", p->theme.name);
	present_say(p, msg);
}

/* A number typed, then Enter: that slide. */
static void
present_jump(struct present *p)
{
	unsigned long n;
	char buf[sizeof(p->jump) + 1], msg[96];

	memcpy(buf, p->jump, p->njump);
	buf[p->njump] = '\0';
	p->njump = 0;
	n = strtoul(buf, NULL, 10);
	if (n < 1 || n > p->deck->nslides) {
		snprintf(msg, sizeof(msg), "no slide %s: slides are 1 to %u",
			 buf, p->deck->nslides);
		present_say(p, msg);
		return;
	}
	present_go(p, (unsigned)n - 1, false);
}

/* A key while the slide has the keys.  Returns false to quit. */
static bool
present_slide_key(struct present *p, int ch)
{
	if (ch >= '0' && ch <= '9') {
		if (p->njump < sizeof(p->jump))
			p->jump[p->njump++] = (char)ch;
		return true;
	}
	if (p->njump && (ch == '\n' || ch == '\r' || ch == KEY_ENTER)) {
		present_jump(p);
		return true;
	}
	p->njump = 0;
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case KEY_RIGHT:
	case ' ':
	case KEY_NPAGE:
	case 'l':
	case 'n':
		present_next(p);
		break;
	case KEY_LEFT:
	case KEY_PPAGE:
	case 'h':
	case 'p':
		present_prev(p);
		break;
	case 'g':
	case KEY_HOME:
		present_go(p, 0, false);
		break;
	case 'G':
	case KEY_END:
		present_go(p, p->deck->nslides - 1, false);
		break;
	case KEY_DOWN:
	case 'j':
		present_scroll(p, 1);
		break;
	case KEY_UP:
	case 'k':
		present_scroll(p, -1);
		break;
	case 'b':
		p->blank = true;
		break;
	case '?':
		p->show_help = true;
		break;
	case '\t':
	case KEY_BTAB:
		if (p->scene)
			p->scene_focus = true;
		else
			present_say(p, "no live scene on this slide");
		break;
	default:
		break;
	}
	return true;
}

/* One key.  Returns false to quit. */
static bool
present_key(struct present *p, int ch)
{
	p->dirty = true;
	if (ch == KEY_RESIZE)
		return true;
	if (ch == KEY_MOUSE && !(p->scene && p->scene_focus))
		return true;
	if (p->blank) {
		p->blank = false;	/* any key shows the slide again */
		return ch != 'q' && ch != 'Q';
	}
	if (p->show_help) {
		p->show_help = false;
		return ch != 'q' && ch != 'Q';
	}
	if (ch == 'T') {
		present_theme(p);
		return true;
	}
	if (p->scene && p->scene_focus) {
		if (ch == '\t' || ch == KEY_BTAB) {
			p->scene_focus = false;
			/* As every key but a step does, in the scene. */
			p->scene->nstep_ahead = 0;
			return true;
		}
		return app_key(p->scene, ch);
	}
	return present_slide_key(p, ch);
}

static bool
present_key_cb(void *arg, int ch)
{
	struct present *p = arg;

	p->key_read = true;
	return present_key(p, ch);
}

/* The link's sockets into pfd from index at; returns the count. */
static nfds_t
present_poll_fds(struct present *p, struct pollfd *pfd, nfds_t at)
{
	int i;

	if (p->link.fd < 0)
		return at;
	pfd[at++] = (struct pollfd){ .fd = p->link.fd, .events = POLLIN };
	for (i = 0; i < LINK_MAX_CLIENTS; i++)
		if (p->link.client[i] >= 0)
			pfd[at++] = (struct pollfd){ .fd = p->link.client[i],
						     .events = POLLIN };
	return at;
}

static void
present_link_events(struct present *p, const struct pollfd *pfd,
		    nfds_t from, nfds_t n)
{
	struct link_state st;
	nfds_t i;

	for (i = from; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == p->link.fd) {
			present_link_state(p, &st);
			link_accept(&p->link, &st);
		} else {
			link_service(&p->link, pfd[i].fd);
		}
	}
}

static int
present_loop(struct present *p)
{
	struct pollfd pfd[3 + LINK_MAX_CLIENTS];
	uint64_t now, wait;
	nfds_t n;
	int rc;

	for (;;) {
		if (p->scene) {
			app_advance(p->scene);
			if (p->scene->dirty)
				p->dirty = true;
		}
		now = ls_clock_ns();
		if (p->message[0] && now >= p->message_until) {
			p->message[0] = '\0';
			p->dirty = true;
		}
		if (app_frame_ready(p->dirty, p->key_read, p->last_frame,
				    now)) {
			present_draw(p);
			p->last_frame = now;
			p->dirty = false;
			if (p->scene) {
				p->scene->last_frame = p->scene->frame_now;
				p->scene->dirty = false;
			}
		}
		p->key_read = false;
		/* Without a scene only a key, a signal, a notes window or
		 * the message's end wakes us. */
		wait = p->scene ? app_wait_ns(p->scene) : 1000000000ull;
		if (p->dirty)
			wait = app_frame_ns();
		n = present_poll_fds(p, pfd, 2);
		rc = app_poll(pfd, n, (int)(wait / 1000000) + 1);
		if (rc)
			return rc;
		present_link_events(p, pfd, 2, n);
		rc = app_keys(present_key_cb, p);
		if (rc)
			return rc > 0 ? 0 : rc;
	}
}

int
present_main(const struct deck *d, const struct theme_file *theme)
{
	struct present *p;
	char err[320];
	int rc;

	if (app_tty_check())
		return 1;
	p = calloc(1, sizeof(*p));
	if (!p) {
		fprintf(stderr, "lockstep: out of memory\n");
		return 1;
	}
	p->deck = d;
	p->started = (int64_t)time(NULL);
	if (!realpath(d->path, p->deck_abs))
		snprintf(p->deck_abs, sizeof(p->deck_abs), "%s", d->path);
	/* Before any scene's thread: link_listen sets the umask a moment. */
	if (link_listen(&p->link, err, sizeof(err)) &&
	    snprintf(p->message, sizeof(p->message), " no speaker notes: %s",
		     err) >= (int)sizeof(p->message))
		p->message[sizeof(p->message) - 1] = '\0';
	if (tty_open()) {
		fprintf(stderr, "lockstep: cannot start the terminal ui\n");
		link_close(&p->link);
		free(p);
		return 1;
	}
	theme_start(&p->theme, theme, app_locale_utf8(), app_color_wanted());
	getmaxyx(stdscr, p->rows, p->cols);
	if (!p->message[0] && d->nwarnings)
		snprintf(p->message, sizeof(p->message), " %u thing%s in this "
			 "deck not shown as written (first, line %u: %.80s)",
			 d->nwarnings, d->nwarnings == 1 ? "" : "s",
			 d->warnings[0].line, d->warnings[0].what);
	if (p->message[0])
		p->message_until = ls_clock_ns() + MESSAGE_NS;
	present_go(p, 0, false);
	rc = present_loop(p);
	tty_close();
	present_scene_stop(p);
	if (p->have_lay)
		slide_layout_free(&p->lay);
	link_close(&p->link);
	free(p);
	if (rc < 0)
		tty_die_of(-rc);
	return rc;
}
