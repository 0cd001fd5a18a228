/*
 * present-notes.c - the speaker notes in a second terminal: the current
 * slide's notes, the next slide's title and a clock, following the
 * presenter over the link (present/link.h).
 *
 * It reads the deck itself; the presenter only says which slide shows.
 * When no presenter runs it says so and tries again each second, so it
 * may be started first, and it follows a presenter that quits and starts
 * again.  q quits.
 */
#include "config.h"

#include "ui/present.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "present/deck.h"
#include "present/link.h"
#include "ui/tty.h"
#include "ui/ui.h"

#define RETRY_MS 1000

struct notes {
	const struct deck *deck;
	char deck_abs[LINK_DECK_MAX];
	struct link_client link;
	struct link_state st;
	bool have_st;		/* st holds what the presenter said */
	struct theme theme;
};

/* "12:04:31" now, and "7:05" since the presenter started. */
static void
notes_clock(const struct notes *nt, char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;
	long el;

	localtime_r(&now, &tm);
	if (!nt->have_st) {
		strftime(buf, n, "%H:%M:%S", &tm);
		return;
	}
	el = (long)(now - nt->st.started);
	if (el < 0)
		el = 0;
	snprintf(buf, n, "%02d:%02d:%02d  talk %ld:%02ld", tm.tm_hour,
		 tm.tm_min, tm.tm_sec, el / 60, el % 60);
}

static void
notes_draw(struct notes *nt)
{
	const struct theme *t = &nt->theme;
	const struct deck_slide *s, *next;
	char clock[64], line[LINK_DECK_MAX + 96];
	int rows, cols, y;

	getmaxyx(stdscr, rows, cols);
	erase();
	notes_clock(nt, clock, sizeof(clock));
	draw_text(0, cols - text_width(clock) - 1, text_width(clock),
		  t->title, clock);
	if (!nt->have_st) {
		draw_text(0, 0, cols - text_width(clock) - 2, t->title,
			  " lockstep notes");
		snprintf(line, sizeof(line), "No presenter is running. Start "
			 "'lockstep present %s' in another terminal; this "
			 "window follows it once it starts.  q quits.",
			 nt->deck->path);
		draw_wrapped(2, 1, cols - 2, rows, A_NORMAL, line);
		refresh();
		return;
	}
	if (strcmp(nt->st.deck, nt->deck_abs)) {
		snprintf(line, sizeof(line), "The presenter shows another "
			 "deck: %s", nt->st.deck);
		draw_wrapped(2, 1, cols - 2, rows, t->alert, line);
		refresh();
		return;
	}
	s = nt->st.slide <= nt->deck->nslides
		    ? &nt->deck->slides[nt->st.slide - 1] : NULL;
	next = nt->st.slide < nt->deck->nslides
		       ? &nt->deck->slides[nt->st.slide] : NULL;
	snprintf(line, sizeof(line), " slide %u/%u %s %s", nt->st.slide,
		 nt->deck->nslides, t->utf8 ? "·" : "-",
		 s && s->title ? s->title : "");
	draw_text(0, 0, cols - text_width(clock) - 2, t->title, line);
	y = 2;
	if (s && s->notes)
		y = draw_wrapped(y, 1, cols - 2, rows - 2, A_NORMAL, s->notes);
	else
		draw_text(y++, 1, cols - 2, t->dim, "(no notes on this slide)");
	if (s && nt->st.reveal < s->pauses)
		draw_textf(rows - 2, 1, cols - 2, t->dim, "%u more to reveal "
			   "on this slide", s->pauses - nt->st.reveal);
	snprintf(line, sizeof(line), "next: %s",
		 !next ? "(the end)" : next->title ? next->title : "(untitled)");
	draw_text(rows - 1, 1, cols - 2, t->heading, line);
	(void)y;
	refresh();
}

static void
notes_try_connect(struct notes *nt)
{
	char err[256];

	if (nt->link.fd >= 0)
		return;
	if (link_connect(&nt->link, err, sizeof(err)))
		nt->have_st = false;
}

/* q quits; no other key does anything here. */
static bool
notes_key(void *nt, int ch)
{
	(void)nt;
	return ch != 'q' && ch != 'Q';
}

static int
notes_loop(struct notes *nt)
{
	struct pollfd pfd[3];
	int rc, r;
	nfds_t n;

	for (;;) {
		notes_try_connect(nt);
		notes_draw(nt);
		n = 2;
		if (nt->link.fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = nt->link.fd,
						    .events = POLLIN };
		/* The clock ticks each second; a retry waits as long. */
		rc = app_poll(pfd, n, RETRY_MS);
		if (rc)
			return rc;
		if (n == 3 && pfd[2].revents) {
			r = link_read(&nt->link, &nt->st);
			if (r > 0)
				nt->have_st = true;
			else if (r < 0)
				nt->have_st = false;
		}
		rc = app_keys(notes_key, nt);
		if (rc)
			return rc > 0 ? 0 : rc;
	}
}

int
present_notes_main(const struct deck *d, const struct theme_file *theme)
{
	struct notes *nt;
	int rc;

	if (app_tty_check())
		return 1;
	nt = calloc(1, sizeof(*nt));
	if (!nt) {
		fprintf(stderr, "lockstep: out of memory\n");
		return 1;
	}
	nt->deck = d;
	nt->link.fd = -1;
	if (!realpath(d->path, nt->deck_abs))
		snprintf(nt->deck_abs, sizeof(nt->deck_abs), "%s", d->path);
	if (tty_open()) {
		fprintf(stderr, "lockstep: cannot start the terminal ui\n");
		free(nt);
		return 1;
	}
	theme_start(&nt->theme, theme, app_locale_utf8(), app_color_wanted());
	rc = notes_loop(nt);
	tty_close();
	link_disconnect(&nt->link);
	free(nt);
	if (rc < 0)
		tty_die_of(-rc);
	return rc;
}
