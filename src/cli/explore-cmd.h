/*
 * explore-cmd.h - the `lockstep explore` subcommand.
 */
#ifndef LOCKSTEP_CLI_EXPLORE_CMD_H
#define LOCKSTEP_CLI_EXPLORE_CMD_H

/* argv[0] is "explore".  Returns the exit status: 1 when a failure was
 * found, 0 when none within the bounds, 2 on bad input. */
int explore_cmd_main(int argc, char **argv);

#endif
