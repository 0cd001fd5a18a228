/*
 * app.h - the door into the live ui for the command line, without curses.
 */
#ifndef LOCKSTEP_UI_APP_H
#define LOCKSTEP_UI_APP_H

#include "control/control.h"
#include "scenes/scene.h"

/* Run the live ui on scene def with params, started in mode, until the
 * user quits.  Checks for a terminal first and writes nothing to one that
 * will not do.  Returns the process exit status. */
int ui_main(const struct scene_def *def, const int *params,
	    enum control_mode mode);

#endif
