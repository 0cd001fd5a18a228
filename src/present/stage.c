/*
 * stage.c - a deck's live scene made runnable (stage.h): a C scene with
 * the parameters its block set, or a script compiled and set up the same
 * way the command line does it (control/target.h), and the schedule a
 * replay plays, checked against that target as `--replay` checks it.
 */
#include "config.h"

#include "present/stage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/target.h"

/* A script's set: line, "k=v, k=v", applied to t. */
static int
stage_set(struct control_target *t, const char *set, char *why, size_t n)
{
	char *copy = strdup(set), *item, *save = NULL;
	int rc = 0;

	if (!copy) {
		snprintf(why, n, "out of memory");
		return -ENOMEM;
	}
	for (item = strtok_r(copy, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ' || *item == '\t')
			item++;
		item[strcspn(item, " \t")] = '\0';
		rc = target_set(t, item, why, n);
	}
	free(copy);
	return rc;
}

/* The schedule of a replay, for the target st holds. */
static int
stage_schedule(const struct deck_scene *s, struct stage *st, char *err,
	       size_t n)
{
	char want[512], got[512];
	struct control_target t;
	int rc;

	rc = schedule_load(s->schedule, &st->sched, err, n);
	if (rc)
		return rc;
	st->replay = true;
	rc = schedule_target(&st->sched, &t, err, n);
	if (rc)
		return rc;
	target_describe(&st->target, want, sizeof(want));
	target_describe(&t, got, sizeof(got));
	target_free(&t);
	if (strcmp(want, got)) {
		/* A long message is cut: it still names file and line. */
		if (snprintf(err, n, "%s:%u: this schedule is for '%s', not "
			     "'%s'", st->sched.file, st->sched.target_line,
			     got, want) >= (int)n)
			err[n - 1] = '\0';
		return -EINVAL;
	}
	st->seed = st->sched.seed ? st->sched.seed : 1;
	return 0;
}

int
stage_make(const struct deck_scene *s, const char *deck_path,
	   struct stage *st, char *err, size_t n)
{
	static const enum control_mode modes[DECK_MODE_COUNT] = {
		[DECK_MODE_RUN] = CONTROL_RUN,
		[DECK_MODE_PAUSED] = CONTROL_PAUSE,
		[DECK_MODE_STEP] = CONTROL_STEP,
		[DECK_MODE_REPLAY] = CONTROL_STEP,
	};
	char why[512];
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->mode = modes[s->mode < DECK_MODE_COUNT ? s->mode : 0];
	if (s->def) {
		st->target.def = s->def;
		memcpy(st->target.params, s->params, sizeof(s->params));
	} else {
		rc = target_resolve(s->script, &st->target, why, sizeof(why));
		if (!rc && s->set)
			rc = stage_set(&st->target, s->set, why, sizeof(why));
		if (rc) {
			if (snprintf(err, n, "%s:%u: %s", deck_path, s->line,
				     why) >= (int)n)
				err[n - 1] = '\0';
			goto fail;
		}
	}
	if (s->mode == DECK_MODE_REPLAY) {
		rc = stage_schedule(s, st, why, sizeof(why));
		if (rc) {
			if (snprintf(err, n, "%s:%u: %s", deck_path, s->line,
				     why) >= (int)n)
				err[n - 1] = '\0';
			goto fail;
		}
	}
	return 0;
fail:
	stage_free(st);
	return rc;
}

void
stage_free(struct stage *st)
{
	target_free(&st->target);
	if (st->replay)
		schedule_free(&st->sched);
	memset(st, 0, sizeof(*st));
}

int
stage_check(const struct deck *d, char *err, size_t n)
{
	struct stage st;
	unsigned i;
	int rc;

	for (i = 0; i < d->nslides; i++) {
		if (!d->slides[i].scene)
			continue;
		rc = stage_make(d->slides[i].scene, d->path, &st, err, n);
		if (rc)
			return rc;
		stage_free(&st);
	}
	return 0;
}
