/*
 * scriptutil.h - what the suites that run scripts on the engine share:
 * the shipped scripts' names, starting one held in STEP mode through the
 * control, and the goal bit of an outcome.
 */
#ifndef LOCKSTEP_SCRIPTUTIL_H
#define LOCKSTEP_SCRIPTUTIL_H

#include "checkutil.h"

#include <dirent.h>

#include "control/control.h"
#include "control/target.h"
#include "script/run.h"
#include "script/script.h"

#define SU_MAX_SCRIPTS 64
#define SU_STEP_NS 10000000000ull	/* a step that does not rest fails */

struct su_scripts {
	char dir[1024];
	char *names[SU_MAX_SCRIPTS];
	unsigned n;
};

static int
su_by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shipped scripts, sorted; srcdir comes from the test harness. */
static inline void
su_list(struct su_scripts *l)
{
	const char *srcdir = getenv("srcdir");
	struct dirent *e;
	DIR *d;
	size_t n;

	snprintf(l->dir, sizeof(l->dir), "%s/assets/scripts",
		 srcdir && *srcdir ? srcdir : ".");
	d = opendir(l->dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", l->dir, strerror(errno));
		exit(EXIT_FAILURE);
	}
	while ((e = readdir(d)) && l->n < SU_MAX_SCRIPTS) {
		n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".lss"))
			l->names[l->n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(l->names, l->n, sizeof(*l->names), su_by_name);
}

/* A running script: its target, ring and control. */
struct su_run {
	struct control_target t;
	struct ls_ring *ring;
	struct control c;
	const struct script_program *p;
};

/* Resolve dir/name and start it held, stepping; asserts. */
static inline void
su_start(struct su_run *r, const struct su_scripts *l, const char *name)
{
	char path[1200], err[512];

	snprintf(path, sizeof(path), "%s/%s", l->dir, name);
	ck_assert_msg(!target_resolve(path, &r->t, err, sizeof(err)), "%s",
		      err);
	r->p = r->t.source;
	r->ring = test_ring_new(4096, 64);
	ck_assert_msg(!control_start(&r->c, r->ring, &r->t, CONTROL_STEP, 0,
				     1, err, sizeof(err)), "%s: %s", name,
		      err);
}

static inline void
su_stop(struct su_run *r)
{
	control_stop(&r->c);
	ls_ring_destroy(r->ring);
	target_free(&r->t);
}

/* Step the thread named name; asserts it went and came to rest. */
static inline void
su_step(struct su_run *r, const char *name)
{
	char err[256];
	int rc = control_step_named(&r->c, name, SU_STEP_NS, err,
				    sizeof(err));

	ck_assert_msg(rc == 0, "step of %s: %d %s", name, rc, err);
}

/* The goal bit (enum script_goal) of an outcome kind, 0 for none. */
static inline unsigned
su_goal_of(unsigned kind)
{
	switch (kind) {
	case LS_OUT_ASSERT:
		return SCRIPT_GOAL_ASSERT;
	case LS_OUT_DEADLOCK:
		return SCRIPT_GOAL_DEADLOCK;
	case LS_OUT_CRITICAL:
		return SCRIPT_GOAL_CRITICAL;
	case LS_OUT_ERROR:
		return SCRIPT_GOAL_ERROR;
	default:
		return 0;
	}
}

#endif
