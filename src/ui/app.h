/*
 * app.h - the door into the live ui for the command line, without curses.
 */
#ifndef LOCKSTEP_UI_APP_H
#define LOCKSTEP_UI_APP_H

#include <stdint.h>

#include "control/control.h"
#include "scenes/scene.h"

struct schedule;
struct theme_file;

struct ui_opts {
	struct control_target target;
	enum control_mode mode;		/* how it starts */
	uint64_t seed;			/* 0: a new one */
	const struct schedule *replay;	/* step through this, then by hand */
	const char *record;		/* write the schedule here at exit */
	const struct theme_file *theme;	/* NULL: the built-in theme */
};

/* Run the live ui on o's target until the user quits.  Checks for a
 * terminal first and writes nothing to one that will not do.  Returns
 * the process exit status. */
int ui_main(const struct ui_opts *o);

#endif
