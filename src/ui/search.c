/*
 * search.c - x in the ui: search the scene on screen for a failing
 * interleaving, in the background, while the screen shows the search's
 * progress; any key stops it.  What it finds is loaded at step 0, held in
 * the step view with the failing step marked, ready for a class to step
 * through it.
 *
 * The search runs on a thread of its own with a ring and a control of its
 * own (explore.h): the ui's run is paused meanwhile, and nothing is shared
 * but the progress figures (under a mutex) and the cancel flag.
 */
#include "config.h"

#include "ui/ui.h"
#include "ui/tty.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore.h"
#include "lockstep/clock.h"

struct search {
	pthread_t pt;
	struct explore_opts o;
	struct explore_result r;
	atomic_bool cancel;
	atomic_bool done;
	int rc;
	char err[256];
	pthread_mutex_t mu;	/* guards progress */
	struct explore_progress progress;
};

static void
search_progress(const struct explore_progress *p, void *arg)
{
	struct search *s = arg;

	pthread_mutex_lock(&s->mu);
	s->progress = *p;
	pthread_mutex_unlock(&s->mu);
}

static void *
search_main(void *arg)
{
	struct search *s = arg;

	s->rc = explore_run(&s->o, &s->r, s->err, sizeof(s->err));
	atomic_store(&s->done, true);
	return NULL;
}

bool
search_start(struct ui *u)
{
	struct search *s;
	int err;

	if (u->search)
		return true;
	s = calloc(1, sizeof(*s));
	if (!s) {
		return false;
	}
	s->o = (struct explore_opts){
		.target = u->ctl.target,
		.strategy = EXPLORE_PORTFOLIO,
		.preemptions = 2,
		.depth = 3,
		.max_schedules = 1000000,
		.seconds = 60,
		.max_steps = 200,
		.seed = ls_clock_ns() | 1,
		.progress = search_progress,
		.cancel = &s->cancel,
	};
	s->o.progress_arg = s;
	atomic_init(&s->cancel, false);
	atomic_init(&s->done, false);
	pthread_mutex_init(&s->mu, NULL);
	control_pause(&u->ctl);
	err = tty_thread_start(&s->pt, search_main, s);
	if (err) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return false;
	}
	u->search = s;
	return true;
}

void
search_cancel(struct ui *u)
{
	if (u->search)
		atomic_store(&u->search->cancel, true);
}

/* Load the shrunk schedule as the one to step through, from step 0. */
static void
search_load(struct ui *u, struct search *s)
{
	char msg[300], err[256];

	if (u->have_found)
		schedule_free(&u->found);
	u->have_found = false;
	if (schedule_from_steps(&u->found, "the search's find", &s->o.target,
				s->r.seed, s->r.shrunk.steps,
				s->r.shrunk.n)) {
		snprintf(msg, sizeof(msg), "out of memory for the schedule");
		goto say;
	}
	u->have_found = true;
	u->ctl.seed = s->r.seed;
	u->ctl.mode = CONTROL_STEP;
	if (control_restart(&u->ctl, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "%s", err);
		goto say;
	}
	u->paused = true;
	u->step_view = true;
	u->replay = &u->found;
	u->replay_next = 0;
	u->replay_auto = false;
	u->replay_fail_at = s->r.shrunk.n;
	snprintf(msg, sizeof(msg), "found %s in %lu schedules: n steps "
		 "through it (%zu steps, %u preemptions)",
		 ls_outcome_name(s->r.failure.kind), s->r.schedules,
		 s->r.shrunk.n, s->r.shrunk.preemptions);
say:
	app_say(u, msg);
}

bool
search_poll(struct ui *u)
{
	struct search *s = u->search;
	char msg[320];

	if (!s)
		return false;
	if (!atomic_load(&s->done))
		return true;
	pthread_join(s->pt, NULL);
	if (s->rc)
		snprintf(msg, sizeof(msg), "search: %s", s->err);
	else if (s->r.found)
		msg[0] = '\0';
	else
		snprintf(msg, sizeof(msg), "%s after %lu schedules: no "
			 "failure%s", s->r.cancelled ? "stopped" : "done",
			 s->r.schedules, s->r.exhausted
			 ? " (dfs covered its bound)" : "");
	if (!s->rc && s->r.found)
		search_load(u, s);
	else
		app_say(u, msg);
	explore_result_free(&s->r);
	pthread_mutex_destroy(&s->mu);
	free(s);
	u->search = NULL;
	u->dirty = true;
	return false;
}

void
search_draw(struct ui *u, struct rect r)
{
	struct explore_progress p;

	pthread_mutex_lock(&u->search->mu);
	p = u->search->progress;
	pthread_mutex_unlock(&u->search->mu);
	mvhline(r.y, r.x, ' ' | A_REVERSE, r.w);
	draw_textf(r.y, r.x, r.w, A_REVERSE | A_BOLD, " searching: %s, %lu "
		   "schedules, %.0f a second, deepest %zu%s - any key stops",
		   p.strategy ? p.strategy : "starting", p.schedules,
		   p.seconds > 0 ? p.schedules / p.seconds : 0.0, p.deepest,
		   p.shrinking ? ", shrinking what it found" : "");
}
