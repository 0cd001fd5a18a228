/*
 * par.c - a script's par in the ui: the fewest steps that reach its goal,
 * found breadth-first (explore.h) on a thread of its own while the class
 * steps, and shown beside the goal as the score to beat.
 *
 * Like a search (search.c), the job has a ring and a control of its own;
 * the ui shares only the done and cancel flags with it, and reads the
 * result after the join.
 */
#include "config.h"

#include "ui/ui.h"
#include "ui/tty.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "explore/explore.h"
#include "lockstep/clock.h"

struct par_job {
	pthread_t pt;
	struct explore_opts o;
	struct explore_result r;
	atomic_bool cancel;
	atomic_bool done;
	int rc;
	char err[256];
};

static void *
par_main(void *arg)
{
	struct par_job *j = arg;

	j->rc = explore_run(&j->o, &j->r, j->err, sizeof(j->err));
	atomic_store(&j->done, true);
	return NULL;
}

void
par_start(struct ui *u)
{
	struct par_job *j;
	int err;

	u->par = -1;
	if (u->par_job || !u->ctl.target.source || !u->ctl.target.path)
		return;
	j = calloc(1, sizeof(*j));
	if (!j)
		return;
	/* One schedule, then the breadth-first par; a schedule that fails
	 * on the way is shrunk as well, which costs little on a script. */
	j->o = (struct explore_opts){
		.target = u->ctl.target,
		.strategy = EXPLORE_RANDOM,
		.preemptions = 2,
		.depth = 3,
		.max_schedules = 1,
		.seconds = 60,
		.max_steps = 200,
		.seed = 1,
		.par = true,
		.cancel = &j->cancel,
	};
	atomic_init(&j->cancel, false);
	atomic_init(&j->done, false);
	err = tty_thread_start(&j->pt, par_main, j);
	if (err) {
		free(j);
		return;
	}
	u->par_job = j;
}

bool
par_poll(struct ui *u)
{
	struct par_job *j = u->par_job;

	if (!j)
		return false;
	if (!atomic_load(&j->done))
		return true;
	pthread_join(j->pt, NULL);
	if (!j->rc && !j->r.cancelled)
		u->par = j->r.par;
	explore_result_free(&j->r);
	free(j);
	u->par_job = NULL;
	u->dirty = true;
	return false;
}

void
par_stop(struct ui *u)
{
	if (!u->par_job)
		return;
	atomic_store(&u->par_job->cancel, true);
	while (par_poll(u))
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
}
