/*
 * app.h - the door into the live ui for the command line, without curses.
 */
#ifndef LOCKSTEP_UI_APP_H
#define LOCKSTEP_UI_APP_H

#include <stdint.h>

#include "control/control.h"
#include "scenes/scene.h"

struct playback;
struct schedule;
struct theme_file;

struct ui_opts {
	struct control_target target;
	enum control_mode mode;		/* how it starts */
	uint64_t seed;			/* 0: a new one */
	const struct schedule *replay;	/* step through this, then by hand */
	const char *record;		/* write the schedule here at exit */
	const char *record_events;	/* write the event stream here */
	/* A recording to replay instead of running target (lockstep
	 * replay); the caller opened it and closes it. */
	struct playback *play;
	const char *cast;		/* record the session here (cast.h) */
	const struct theme_file *theme;	/* NULL: the built-in theme */
};

/* Run the live ui on o's target until the user quits.  Checks for a
 * terminal first and writes nothing to one that will not do.  Returns
 * the process exit status. */
int ui_main(const struct ui_opts *o);

#endif
