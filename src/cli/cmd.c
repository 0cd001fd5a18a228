/*
 * cmd.c - what the subcommands share (cmd.h): one-line errors, help, and
 * standard output checked at exit.
 */
#include "config.h"

#include "cli/cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"

int
cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e)
		escape_line(stderr, "lockstep: %s (try 'lockstep help %s')",
			    msg, e->name);
	else
		escape_line(stderr, "lockstep: %s (try 'lockstep --help')",
			    msg);
	return CMD_EXIT_USAGE;
}

int
cmd_error(const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	escape_line(stderr, "lockstep: %s", msg);
	return CMD_EXIT_FAILURE;
}

void
cmd_print_help(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: lockstep %s %s\n\n%s", e->name, e->args, e->help);
}

void
cmd_close_stdout(void)
{
	bool pending = __fpending(stdout) != 0;
	bool failed = ferror(stdout) != 0;
	int err;

	errno = 0;
	if (fclose(stdout) && !failed) {
		/* A closed descriptor that was never written to is fine:
		 * the run printed nothing, so nothing was lost. */
		failed = errno != EBADF || pending;
	}
	err = errno;
	if (failed) {
		cmd_error("cannot write to standard output: %s",
			  err ? strerror(err) : "write error");
		_exit(CMD_EXIT_FAILURE);
	}
	/* Nothing can be said about a failing stderr; the status says it. */
	if (ferror(stderr) || fclose(stderr))
		_exit(CMD_EXIT_FAILURE);
}
