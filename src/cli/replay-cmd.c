/*
 * replay-cmd.c - `lockstep replay FILE [--export OUT.json]`.
 *
 * The recording is read and checked whole before anything else happens,
 * so a damaged file is one line with its byte offset and exit status 2,
 * and the terminal is never touched.  Then either the ui plays it
 * (ui/replayview.c, through a playback), or export.h writes its Chrome
 * trace.
 */
#include "config.h"

#include "cli/replay-cmd.h"

#include <errno.h>
#include <string.h>

#include "cli/export.h"
#include "model/playback.h"
#include "ui/app.h"
#include "util/opt.h"

int
replay_cmd_status(int rc)
{
	return rc == -EINVAL || rc == -EPROTONOSUPPORT ? CMD_EXIT_USAGE
						       : CMD_EXIT_FAILURE;
}

static int
replay_exec(const struct cmd_entry *e, int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *cast = NULL, *v;
	struct ui_opts uo = { .mode = CONTROL_PAUSE };
	char err[512];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (opt_value(argc, argv, &i, "--export", &v)) {
			if (!v)
				return cmd_usage_error(e, "--export needs a "
						       "file");
			out = v;
		} else if (opt_value(argc, argv, &i, "--cast", &v)) {
			if (!v)
				return cmd_usage_error(e, "--cast needs a file");
			cast = v;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error(e, "unknown option '%s'",
					       argv[i]);
		} else if (file) {
			return cmd_usage_error(e, "unexpected word '%s'",
					       argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return cmd_usage_error(e, "replay needs a recording (made with "
				       "--record-events FILE)");
	if (out && cast)
		return cmd_usage_error(e, "--cast records the ui: not with "
				       "--export");
	uo.cast = cast;
	if (out) {
		rc = export_recording(file, out, err, sizeof(err));
		if (rc)
			cmd_error("%s", err);
		return rc ? replay_cmd_status(rc) : 0;
	}
	rc = playback_open(file, &uo.play, err, sizeof(err));
	if (rc) {
		cmd_error("%s", err);
		return replay_cmd_status(rc);
	}
	rc = ui_main(&uo);
	playback_close(uo.play);
	return rc;
}

const struct cmd_entry cmd_replay_entry = {
	.name = "replay",
	.args = "FILE [--export FILE | --cast FILE]",
	.summary = "a recorded event stream, in the ui or as a Chrome trace",
	.help =
	"Open FILE, an event recording (--record-events FILE on any run), in\n"
	"the live ui: the same panels, showing the run as it stood after\n"
	"each of its events.  It opens paused at the start.  A truncated,\n"
	"corrupted or newer file is refused in one line, FILE: byte N: what\n"
	"is wrong, with exit status 2.\n"
	"\n"
	"Options:\n"
	"  --export FILE    write the recording as Chrome trace event JSON\n"
	"                   to FILE (Perfetto, chrome://tracing) instead;\n"
	"                   - for standard output\n"
	"  --cast FILE      record the session as an asciicast v2 file, a\n"
	"                   marker for each position stepped or sought to\n"
	"\n"
	"Keys:\n"
	"  space            play or pause, in recorded time times the speed\n"
	"  right, n, s      one event forward\n"
	"  left, b          one event back\n"
	"  ] [              a twentieth of the recording forward or back\n"
	"  Home, End        the start or the end (r: the start)\n"
	"  N%, N Enter      jump to N percent, or to event N\n"
	"  + -              the speed of play, 0.1x to 100x, and max\n"
	"  l, ?, q          the event log, help, quit\n",
	.exec = replay_exec,
};
