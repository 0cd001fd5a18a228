/*
 * present-cmd.h - `lockstep present DECK.md [--notes] [--theme NAME|FILE]`
 * (cmd.h's entry), and the one way the command line reads --theme.
 */
#ifndef LOCKSTEP_CLI_PRESENT_CMD_H
#define LOCKSTEP_CLI_PRESENT_CMD_H

#include "cli/cmd.h"

struct theme_file;

extern const struct cmd_entry cmd_present_entry;

/*
 * Read the theme --theme names (a shipped theme's name or a file) into
 * *t.  Returns 0, or an exit status with the one-line message printed:
 * a theme that is not there or has an error ("FILE:LINE: what") is a
 * usage error; a file that cannot be read is a runtime failure.
 */
int present_cmd_theme(const char *spec, struct theme_file *t);

#endif
