/*
 * trace-cmd.h - the `lockstep trace` subcommand: a headless run of a
 * target, exported as Chrome trace event JSON.
 */
#ifndef LOCKSTEP_CLI_TRACE_CMD_H
#define LOCKSTEP_CLI_TRACE_CMD_H

#include "cli/cmd.h"

extern const struct cmd_entry cmd_trace_entry;

#endif
