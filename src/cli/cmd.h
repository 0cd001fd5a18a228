/*
 * cmd.h - what a lockstep subcommand is, and what every subcommand shares.
 *
 * A subcommand is one const entry, in the style of tmux's cmd_entry: its
 * name, its arguments on one line, a summary for the overview, its help
 * text and the function that runs it.  The table of entries is in main.c;
 * adding a subcommand is writing its entry (in its own file, as
 * `const struct cmd_entry cmd_NAME_entry`, declared here) and adding one
 * line to that table.  `lockstep help NAME`,
 * `lockstep NAME --help`, the overview and the bash completion (which
 * reads them) follow from the entry.
 *
 * Errors: a usage error (bad or missing argument) is exactly one line on
 * stderr and exit status 2; a runtime failure is one line and status 1.
 * Both go through cmd_usage_error / cmd_error, which escape every control
 * byte (util/escape.h), so text a person typed cannot act on the terminal
 * or break the line.
 */
#ifndef LOCKSTEP_CLI_CMD_H
#define LOCKSTEP_CLI_CMD_H

#include <stdio.h>

#define CMD_EXIT_FAILURE 1
#define CMD_EXIT_USAGE 2

struct cmd_entry {
	/* The word after "lockstep": "run". */
	const char *name;
	/* Its arguments, one line: "SCENE --headless [--seconds N]...". */
	const char *args;
	/* One line for the overview: what it is for. */
	const char *summary;
	/* The rest of `lockstep help NAME`: what it does, then an
	 * "Options:" block with a line per option, "  --name VALUE  what"
	 * (one blank before the value's word: N, FILE, KEY=VALUE, a|b|c)
	 * or "  --flag  what" (two or more blanks, then prose); each line
	 * ends in '\n'.  The bash completion and tests/e2e/man.sh read
	 * those lines. */
	const char *help;
	/*
	 * Run it.  argv[0] is the subcommand's name as typed, or
	 * "lockstep" when the entry runs without one (the live ui); argv
	 * never holds --help (the dispatcher answers that).  Returns the
	 * exit status: 0, CMD_EXIT_FAILURE or CMD_EXIT_USAGE.
	 */
	int (*exec)(const struct cmd_entry *self, int argc, char **argv);
};

/*
 * Print "lockstep: MESSAGE (try 'lockstep help NAME')" to stderr as one
 * line, control bytes escaped; e NULL points to 'lockstep --help'.
 * Returns CMD_EXIT_USAGE, so a caller can return it.
 */
int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "lockstep: MESSAGE" to stderr as one line, control bytes
 * escaped.  Returns CMD_EXIT_FAILURE. */
int cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print e's full help to f: its usage line, then e->help. */
void cmd_print_help(const struct cmd_entry *e, FILE *f);

/*
 * For atexit, once, first thing in main: at exit, flush and close
 * standard output, and if any write to it failed (a full disk, a closed
 * descriptor, /dev/full), say so in one line and exit with status 1, as
 * gnulib's close_stdout does.  A run that wrote nothing to a closed
 * standard output is not an error.
 */
void cmd_close_stdout(void);

#endif
