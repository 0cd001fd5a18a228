/*
 * replay-cmd.h - the `lockstep replay` subcommand: a recording of events
 * (--record-events) in the live ui, or exported as Chrome trace JSON.
 */
#ifndef LOCKSTEP_CLI_REPLAY_CMD_H
#define LOCKSTEP_CLI_REPLAY_CMD_H

#include "cli/cmd.h"

extern const struct cmd_entry cmd_replay_entry;

/* The exit status for a recording that could not be read (rc from the
 * reader): 2 when the file is no recording this lockstep reads
 * (damaged, truncated, newer), 1 when it could not be read at all. */
int replay_cmd_status(int rc);

#endif
