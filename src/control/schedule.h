/*
 * schedule.h - schedules as files: the steps of a stepped run, written so
 * that a person can read and edit them, and read back to replay the run.
 *
 *     lockstep-schedule 1
 *     target race fix=none adders=2 adds=1000
 *     seed 1234567
 *     alice        # read balance
 *     bob          # read balance
 *     alice        # write balance
 *
 * A version line, the target (a scene with every parameter, or a script's
 * path), the seed its random choices were drawn from (optional: 1 when
 * absent), then one step per line: the thread's name, and what it did as
 * a comment.  Blank lines and comments are ignored.  A step of a thread
 * blocked in a timed wait fires its timeout; the comment says so.
 */
#ifndef LOCKSTEP_CONTROL_SCHEDULE_H
#define LOCKSTEP_CONTROL_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control/control.h"

#define SCHEDULE_VERSION 1

struct schedule_step {
	char thread[LS_NAME_MAX + 1];
	unsigned line;		/* where it is in the file */
};

struct schedule {
	char file[256];		/* the name errors are reported under */
	char *target;		/* the target line's words, as written */
	unsigned target_line;
	uint64_t seed;
	struct schedule_step *steps;
	size_t n, cap;
};

/*
 * Parse a schedule from buf (len bytes, any content) into *s, reporting
 * errors as "NAME:LINE: what is wrong".  Returns 0 or -EINVAL (err set,
 * *s empty) or -ENOMEM.  Free with schedule_free.
 */
int schedule_parse(const char *buf, size_t len, const char *name,
		   struct schedule *s, char *err, size_t n);

/* Read and parse the file at path.  Returns 0 or a negative errno with
 * err set ("PATH: No such file or directory", or a parse error). */
int schedule_load(const char *path, struct schedule *s, char *err,
		  size_t n);

void schedule_free(struct schedule *s);

/* Build *s from steps in memory (a search's find), for target t and seed,
 * named name in messages.  Returns 0 or -ENOMEM. */
int schedule_from_steps(struct schedule *s, const char *name,
			const struct control_target *t, uint64_t seed,
			const struct control_step *steps, size_t n);

/*
 * Resolve the schedule's target into *t (target.h; free it with
 * target_free): its name and every key=value on the target line.
 * Errors as "FILE:LINE: ...".
 */
int schedule_target(const struct schedule *s, struct control_target *t,
		    char *err, size_t n);

/*
 * Take steps [from, upto) of s on c, which runs s's target: each must
 * fit (the thread exists and can move), else "FILE:LINE: reason" and
 * -EINVAL.  timeout_ns bounds each step.  Returns 0 or a negative errno.
 */
int schedule_replay(struct control *c, const struct schedule *s,
		    size_t from, size_t upto, uint64_t timeout_ns,
		    char *err, size_t n);

/* Write steps[0..nsteps) of target t, run with seed, as a schedule to f.
 * Returns 0 or -EIO. */
int schedule_write_steps(FILE *f, const struct control_target *t,
			 uint64_t seed, const struct control_step *steps,
			 size_t nsteps);

/* Write c's steps as a schedule to f.  Returns 0 or -EIO. */
int schedule_write(const struct control *c, FILE *f);

/* Write steps to the file at path (schedule_write_steps).  Returns 0 or
 * a negative errno with "PATH: reason" in err. */
int schedule_save_steps(const char *path, const struct control_target *t,
			uint64_t seed, const struct control_step *steps,
			size_t nsteps, char *err, size_t n);

/* Write c's steps to the file at path.  Returns 0 or a negative errno
 * with "PATH: reason" in err. */
int schedule_save(const struct control *c, const char *path, char *err,
		  size_t n);

#endif
