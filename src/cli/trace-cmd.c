/*
 * trace-cmd.c - `lockstep trace TARGET [--set KEY=VALUE]... [--seconds N]
 * [--seed N] -o OUT.json`.
 *
 * A headless run (headless.h) recorded to a temporary file through the
 * same feed as every run (--record-events), then that recording exported
 * (export.h): so the trace is exactly what `lockstep replay` would show,
 * and what `lockstep replay FILE --export` writes for the same run.
 */
#include "config.h"

#include "cli/trace-cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/export.h"
#include "cli/headless.h"
#include "cli/replay-cmd.h"
#include "control/target.h"
#include "util/num.h"
#include "util/opt.h"

#define TRACE_SECONDS_MIN 0.001
#define TRACE_SECONDS_MAX 3600.0

/* The options into o and *out; 0 or a usage error's status. */
static int
trace_parse(const struct cmd_entry *e, int argc, char **argv,
	    struct headless_opts *o, const char **out)
{
	unsigned long long seed;
	char err[512];
	const char *v;
	int i;

	for (i = 2; i < argc; i++) {
		if (opt_value(argc, argv, &i, "--set", &v)) {
			if (!v)
				return cmd_usage_error(e, "--set needs a value, "
						       "KEY=VALUE");
			if (target_set(&o->target, v, err, sizeof(err)))
				return cmd_usage_error(e, "%s", err);
		} else if (opt_value(argc, argv, &i, "--seconds", &v)) {
			if (!v || num_parse_double(v, TRACE_SECONDS_MIN,
						   TRACE_SECONDS_MAX,
						   &o->seconds))
				return cmd_usage_error(e, "--seconds wants a "
						       "number of seconds from "
						       "%g to %g", TRACE_SECONDS_MIN,
						       TRACE_SECONDS_MAX);
		} else if (opt_value(argc, argv, &i, "--seed", &v)) {
			if (!v || num_parse_uint(v, 1, UINT64_MAX, &seed))
				return cmd_usage_error(e, "--seed wants a whole "
						       "number from 1 to "
						       "2^64-1");
			o->seed = seed;
		} else if (opt_value(argc, argv, &i, "-o", &v)) {
			if (!v)
				return cmd_usage_error(e, "-o needs a file");
			*out = v;
		} else {
			return cmd_usage_error(e, "%s '%s'", argv[i][0] == '-'
					       ? "unknown option"
					       : "unexpected word", argv[i]);
		}
	}
	if (!*out)
		return cmd_usage_error(e, "trace needs -o OUT.json (- for "
				       "standard output)");
	return 0;
}

static int
trace_exec(const struct cmd_entry *e, int argc, char **argv)
{
	struct headless_opts o = { .seconds = 3.0, .quiet = true };
	const char *out = NULL, *dir = getenv("TMPDIR");
	char path[4096], err[512];
	int fd, rc;

	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage_error(e, "trace needs a target (a scene: "
				       "lockstep list names them)");
	rc = target_resolve(argv[1], &o.target, err, sizeof(err));
	if (rc)
		return cmd_usage_error(e, "%s", err);
	rc = trace_parse(e, argc, argv, &o, &out);
	if (rc)
		goto out;
	snprintf(path, sizeof(path), "%s/lockstep-trace.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		rc = cmd_error("%s: %s", path, strerror(errno));
		goto out;
	}
	close(fd);
	o.record_events = path;
	rc = headless_main(&o);
	if (!rc) {
		rc = export_recording(path, out, err, sizeof(err));
		if (rc)
			cmd_error("%s", err);
		rc = rc ? replay_cmd_status(rc) : 0;
	}
	unlink(path);
out:
	target_free(&o.target);
	return rc;
}

const struct cmd_entry cmd_trace_entry = {
	.name = "trace",
	.args = "TARGET [--set KEY=VALUE]... [--seconds N] [--seed N] "
		"-o FILE",
	.summary = "a headless run as Chrome trace JSON, for Perfetto",
	.help =
	"Run TARGET (a scene) without the ui, as 'lockstep run --headless'\n"
	"does, and write what happened as Chrome trace event JSON that\n"
	"ui.perfetto.dev and chrome://tracing open: each thread's states,\n"
	"lock holds and waits, arrows from the thread that let another go\n"
	"to it, queue and pool counters, and instants for deadlocks, broken\n"
	"invariants and dropped events.\n"
	"\n"
	"Options:\n"
	"  --set KEY=VALUE  a scene parameter; may be repeated\n"
	"  --seconds N      run for N seconds, 0.001 to 3600 (default 3)\n"
	"  --seed N         draw every random choice from N, 1 to 2^64-1\n"
	"  -o FILE          where the trace goes; - for standard output\n",
	.exec = trace_exec,
};
