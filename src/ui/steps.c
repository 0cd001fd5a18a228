/*
 * steps.c - the ui's stepping: pause and resume, one step of a thread,
 * steps typed ahead of one still under way, the next step of a replayed
 * schedule, and a step back.  Each goes through the control (control.h),
 * the ui's only door into the engine; app.c turns keys, clicks and the
 * replay's beat into these calls.
 */
#include "config.h"

#include "ui/ui.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lockstep/clock.h"

/* How long a pause waits for the threads to come to rest before a step. */
#define SETTLE_NS 200000000ull

void
app_toggle_pause(struct ui *u)
{
	uint64_t now = ls_clock_ns();

	if (u->paused) {
		control_resume(&u->ctl);
		u->paused_ns += now - u->pause_began;
		u->paused = false;
	} else {
		control_pause(&u->ctl);
		u->pause_began = now;
		u->paused = true;
	}
	u->dirty = true;
}

/* In the queue of steps typed ahead: the replay's next step. */
#define STEP_AHEAD_REPLAY UINT_MAX

/* A step key pressed while the last step is still under way is kept and
 * taken when that step ends, as a terminal keeps what is typed ahead: a
 * class pressing n n n quickly means three steps, not one. */
static void
step_type_ahead(struct ui *u, unsigned tid)
{
	if (u->nstep_ahead == UI_STEP_AHEAD) {
		app_say(u, "the last step is still under way");
		return;
	}
	u->step_ahead[u->nstep_ahead++] = tid;
}

/* The oldest step typed ahead, once nothing is under way.  (They are
 * not dropped when a step fails: whether a key was typed ahead or read
 * after its step ended is a matter of timing, and both must do the
 * same.) */
void
app_step_take_ahead(struct ui *u)
{
	unsigned tid;

	if (u->ctl.stepping || !u->nstep_ahead)
		return;
	tid = u->step_ahead[0];
	u->nstep_ahead--;
	memmove(u->step_ahead, u->step_ahead + 1,
		u->nstep_ahead * sizeof(u->step_ahead[0]));
	if (tid == STEP_AHEAD_REPLAY) {
		if (u->replay)
			app_replay_step(u);
	} else {
		app_step(u, tid);
	}
}

/* Step thread tid (0: the next that can move, round robin).  The step
 * goes on in the background while the thread works; the loop polls it. */
void
app_step(struct ui *u, unsigned tid)
{
	char err[160];
	int rc;

	if (!u->paused) {
		app_toggle_pause(u);
		control_settle(&u->ctl, SETTLE_NS);
	}
	if (u->ctl.stepping) {
		step_type_ahead(u, tid);
		return;
	}
	stepview_snapshot(u);
	rc = control_step_begin(&u->ctl, tid, err, sizeof(err));
	if (rc && rc != -EINPROGRESS) {
		/* What was typed after a step that could not be taken was
		 * meant to follow it: drop it too. */
		u->nstep_ahead = 0;
		app_say(u, err);
	} else
		app_cast_marker(u, "step %zu", u->ctl.nsteps);
	u->dirty = true;
}

/* The next step of a schedule being replayed: the thread it names. */
void
app_replay_step(struct ui *u)
{
	const struct schedule *s = u->replay;
	char err[600], why[256];
	int rc;

	if (u->ctl.stepping) {
		step_type_ahead(u, STEP_AHEAD_REPLAY);
		return;
	}
	if (u->replay_next >= s->n) {
		u->replay = NULL;
		app_say(u, "the schedule is done: go on by hand");
		return;
	}
	stepview_snapshot(u);
	rc = control_step_named(&u->ctl, s->steps[u->replay_next].thread, 0,
				why, sizeof(why));
	if (rc && rc != -ETIMEDOUT) {
		snprintf(err, sizeof(err), "%s:%u: %s", s->file,
			 s->steps[u->replay_next].line, why);
		app_say(u, err);
		u->replay = NULL;
		u->nstep_ahead = 0;
		return;
	}
	u->replay_next++;
	app_cast_marker(u, "step %zu", u->ctl.nsteps);
	u->dirty = true;
}

void
app_step_back(struct ui *u)
{
	char err[160];

	if (control_step_back(&u->ctl, err, sizeof(err)))
		app_say(u, err);
	else
		app_cast_marker(u, "back to step %zu", u->ctl.nsteps);
	u->dirty = true;
}
