/*
 * main.c - the lockstep command line: the table of subcommands (cmd.h),
 * the dispatch to them, help, and the subcommands that work on scenes
 * (ui, list, run), the benchmarks and explore's entry.  A first word
 * that is no subcommand
 * runs the live ui, so `lockstep deadlock` shows that scene.
 *
 * Every error is one line on stderr: status 2 for a usage error, 1 for a
 * runtime failure; a failed write to standard output is a runtime
 * failure too (cmd_close_stdout, run at exit).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/bench-clock.h"
#include "cli/bench-explore.h"
#include "cli/bench-pool.h"
#include "cli/bench-queue.h"
#include "cli/bench-rwlock.h"
#include "cli/cmd.h"
#include "cli/explore-cmd.h"
#include "cli/headless.h"
#include "cli/list.h"
#include "cli/replay-cmd.h"
#include "cli/trace-cmd.h"
#include "cli/present-cmd.h"
#include "control/schedule.h"
#include "control/target.h"
#include "scenes/scene.h"
#include "ui/app.h"
#include "ui/themefile.h"
#include "util/num.h"
#include "util/opt.h"

#define SECONDS_MIN 0.001
#define SECONDS_MAX 86400.0
/* Steps of a headless script run unless --steps or --seconds says. */
#define SCRIPT_STEP_LIMIT 10000

static const struct cmd_entry cmd_ui_entry, cmd_list_entry, cmd_run_entry,
	cmd_explore_entry, cmd_bench_entry, cmd_help_entry;

/* Every subcommand, in the order the overview lists them.  The first one
 * also runs when the first word is no subcommand. */
static const struct cmd_entry *const cmd_table[] = {
	&cmd_ui_entry,
	&cmd_list_entry,
	&cmd_run_entry,
	&cmd_explore_entry,
	&cmd_replay_entry,
	&cmd_trace_entry,
	&cmd_present_entry,
	&cmd_bench_entry,
	&cmd_help_entry,
};
#define NCMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static const struct cmd_entry *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmd_table[i]->name, name))
			return cmd_table[i];
	return NULL;
}

static bool
is_help(const char *a)
{
	return !strcmp(a, "--help") || !strcmp(a, "-h");
}

/* `lockstep --help` and `lockstep help`. */
static void
print_overview(FILE *f)
{
	size_t i;

	fprintf(f, "usage: lockstep [SCENE] [--set KEY=VALUE]...\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "       lockstep %s %s\n", cmd_table[i]->name,
			cmd_table[i]->args);
	fprintf(f, "       lockstep --help | --version\n\nSubcommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmd_table[i]->name,
			cmd_table[i]->summary);
	fprintf(f, "\nWith no subcommand, lockstep runs the live ui on SCENE "
		"(default: pool).\n'lockstep help SUBCOMMAND' or 'lockstep "
		"SUBCOMMAND --help' says more.\n");
}

/* "pool, prodcons, ..." */
static const char *
scene_names(void)
{
	static char buf[256];
	size_t used = 0;
	unsigned i;

	for (i = 0; i < scene_count && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 i ? ", " : "", scene_table[i]->name);
	return buf;
}

/* Options shared by the ui and run: --set, --paused, --step, --seed,
 * --record, --replay, --record-events; and for run --seconds, --steps, --json,
 * --headless. */
struct run_opts {
	int params[SCENE_MAX_PARAMS];
	double seconds;
	bool json, headless, paused, step;
	bool timed;		/* --seconds was given */
	unsigned long steps;
	uint64_t seed;
	const char *record, *replay;
	const char *record_events;	/* the event stream's recording */
	const char *cast;		/* the ui session, as asciicast */
	const char *theme;	/* --theme NAME|FILE, for the ui */
};

/* The value v of a number option into *out, or a usage error. */
static int
number_opt(const struct cmd_entry *e, const char *opt, const char *v,
	   unsigned long long lo, unsigned long long hi,
	   unsigned long long *out)
{
	if (!v)
		return cmd_usage_error(e, "%s needs a value", opt);
	if (num_parse_uint(v, lo, hi, out))
		return cmd_usage_error(e, "%s wants a whole number from %llu "
				       "to %llu, got '%s'", opt, lo, hi, v);
	return 0;
}

/* --seconds V into o, or a usage error. */
static int
seconds_opt(const struct cmd_entry *e, const char *v, struct run_opts *o)
{
	if (!v)
		return cmd_usage_error(e, "--seconds needs a value");
	if (num_parse_double(v, SECONDS_MIN, SECONDS_MAX, &o->seconds))
		return cmd_usage_error(e, "--seconds wants a number of seconds "
				       "from %g to %g, got '%s'", SECONDS_MIN,
				       SECONDS_MAX, v);
	o->timed = true;
	return 0;
}

/* One option that takes a value, at argv[*i]: 1 when it was one (and
 * *rc says how it went), 0 when argv[*i] is something else. */
static int
value_opt(const struct cmd_entry *e, const struct scene_def *def, int argc,
	  char **argv, int *i, bool run, struct run_opts *o, int *rc)
{
	unsigned long long n;
	char err[256];
	const char *v;

	*rc = 0;
	if (opt_value(argc, argv, i, "--set", &v)) {
		if (!v)
			*rc = cmd_usage_error(e, "--set needs a value, "
					      "KEY=VALUE");
		else if (scene_parse_set(def, v, o->params, err, sizeof(err)))
			*rc = cmd_usage_error(e, "%s", err);
	} else if (opt_value(argc, argv, i, "--seed", &v)) {
		*rc = number_opt(e, "--seed", v, 1, UINT64_MAX, &n);
		o->seed = n;
	} else if (opt_value(argc, argv, i, "--record", &v)) {
		if (!v)
			*rc = cmd_usage_error(e, "--record needs a file");
		o->record = v;
	} else if (opt_value(argc, argv, i, "--record-events", &v)) {
		if (!v)
			*rc = cmd_usage_error(e, "--record-events needs a file");
		o->record_events = v;
	} else if (opt_value(argc, argv, i, "--cast", &v)) {
		if (!v)
			*rc = cmd_usage_error(e, "--cast needs a file");
		o->cast = v;
	} else if (opt_value(argc, argv, i, "--replay", &v)) {
		if (!v)
			*rc = cmd_usage_error(e, "--replay needs a file");
		o->replay = v;
	} else if (opt_value(argc, argv, i, "--theme", &v)) {
		if (!v)
			*rc = cmd_usage_error(e, "--theme needs a name or "
					      "a file");
		o->theme = v;
	} else if (run && opt_value(argc, argv, i, "--seconds", &v)) {
		*rc = seconds_opt(e, v, o);
	} else if (run && opt_value(argc, argv, i, "--steps", &v)) {
		*rc = number_opt(e, "--steps", v, 1, 100000000, &n);
		o->steps = (unsigned long)n;
	} else {
		return 0;
	}
	return 1;
}

static int
parse_run_opts(const struct cmd_entry *e, const struct scene_def *def,
	       int argc, char **argv, bool run, struct run_opts *o)
{
	int i, rc;

	scene_defaults(def, o->params);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (value_opt(e, def, argc, argv, &i, run, o, &rc)) {
			if (rc)
				return rc;
		} else if (!strcmp(a, "--paused")) {
			o->paused = true;
		} else if (!strcmp(a, "--step")) {
			o->step = true;
		} else if (run && !strcmp(a, "--json")) {
			o->json = true;
		} else if (run && !strcmp(a, "--headless")) {
			o->headless = true;
		} else if (a[0] == '-') {
			return cmd_usage_error(e, "unknown option '%s'", a);
		} else {
			return cmd_usage_error(e, "unexpected word '%s'", a);
		}
	}
	return 0;
}

/* Load the schedule at path for target t; refuse one made for another
 * target.  Returns 0 or an exit status (the message printed). */
static int
load_replay(const char *path, const struct control_target *t,
	    struct schedule *sched)
{
	char err[512], want[512], got[512];
	struct control_target st;
	int rc;

	rc = schedule_load(path, sched, err, sizeof(err));
	if (rc) {
		cmd_error("%s", err);
		return rc == -EINVAL ? CMD_EXIT_USAGE : CMD_EXIT_FAILURE;
	}
	rc = schedule_target(sched, &st, err, sizeof(err));
	if (rc) {
		cmd_error("%s", err);
		schedule_free(sched);
		return CMD_EXIT_USAGE;
	}
	target_describe(t, want, sizeof(want));
	target_describe(&st, got, sizeof(got));
	target_free(&st);
	if (strcmp(want, got)) {
		cmd_error("%s:%u: this schedule is for '%s', not '%s'",
			  sched->file, sched->target_line, got, want);
		schedule_free(sched);
		return CMD_EXIT_USAGE;
	}
	return 0;
}

/* The live ui on target t, started as the options say. */
static int
run_ui(const struct cmd_entry *e, const struct control_target *t,
       const struct run_opts *o)
{
	struct ui_opts uo = {
		.target = *t,
		.mode = o->step ? CONTROL_STEP : o->paused ? CONTROL_PAUSE
							    : CONTROL_RUN,
		.seed = o->seed,
		.record = o->record,
		.record_events = o->record_events,
		.cast = o->cast,
	};
	struct theme_file theme;
	struct schedule sched;
	int rc;

	memcpy(uo.target.params, o->params, sizeof(uo.target.params));
	if (o->record && uo.mode == CONTROL_RUN && !o->replay)
		return cmd_usage_error(e, "--record needs a run stepped from "
				       "its start: add --step (or --paused)");
	if (o->theme) {
		rc = present_cmd_theme(o->theme, &theme);
		if (rc)
			return rc;
		uo.theme = &theme;
	}
	if (!o->replay)
		return ui_main(&uo);
	rc = load_replay(o->replay, &uo.target, &sched);
	if (rc)
		return rc;
	uo.replay = &sched;
	if (!uo.seed)
		uo.seed = sched.seed ? sched.seed : 1;
	rc = ui_main(&uo);
	schedule_free(&sched);
	return rc;
}

/* The headless run of target t: a schedule replayed, a stepped run, or
 * a free run, as the options say.  A script runs stepped by default, up
 * to SCRIPT_STEP_LIMIT steps: its threads may loop for ever. */
static int
run_headless(const struct cmd_entry *e, const struct control_target *t,
	     const struct run_opts *o)
{
	struct headless_opts ho = {
		.target = *t,
		.seconds = o->seconds,
		.json = o->json,
		.seed = o->seed,
		.steps = o->steps,
		.record = o->record,
		.record_events = o->record_events,
	};
	struct schedule sched;
	int rc;

	memcpy(ho.target.params, o->params, sizeof(ho.target.params));
	if (o->theme)
		return cmd_usage_error(e, "--theme is for the ui, not "
				       "--headless");
	if (t->path && !o->steps && !o->timed && !o->replay)
		ho.steps = SCRIPT_STEP_LIMIT;
	if (o->record && !ho.steps && !o->replay)
		return cmd_usage_error(e, "--record needs a stepped run: add "
				       "--steps N (or --replay FILE)");
	if (!o->replay)
		return headless_main(&ho);
	if (o->steps)
		return cmd_usage_error(e, "--steps and --replay do not go "
				       "together");
	rc = load_replay(o->replay, &ho.target, &sched);
	if (rc)
		return rc;
	ho.replay = &sched;
	rc = headless_main(&ho);
	schedule_free(&sched);
	return rc;
}

/* Resolve the script named by word into *t.  Returns 0, or the exit
 * status of its error (printed: FILE:LINE:COLUMN for a parse error). */
static int
script_target(const char *word, struct control_target *t)
{
	char err[512];
	int rc = target_resolve(word, t, err, sizeof(err));

	if (!rc)
		return 0;
	cmd_error("%s", err);
	return rc == -ENOMEM ? CMD_EXIT_FAILURE : CMD_EXIT_USAGE;
}

static int
ui_exec(const struct cmd_entry *e, int argc, char **argv)
{
	const struct scene_def *def = scene_find("pool");
	struct control_target t = { 0 };
	struct run_opts o = { 0 };
	int first = 1, rc;

	if (argc > 1 && argv[1][0] != '-' && target_is_script(argv[1])) {
		rc = script_target(argv[1], &t);
		if (rc)
			return rc;
		rc = parse_run_opts(e, t.def, argc - 2, argv + 2, false, &o);
		if (!rc)
			rc = run_ui(e, &t, &o);
		target_free(&t);
		return rc;
	}
	if (argc > 1 && argv[1][0] != '-') {
		def = scene_find(argv[1]);
		/* Without "ui" the word may have been meant as a subcommand. */
		if (!def && strcmp(argv[0], e->name))
			return cmd_usage_error(NULL, "'%s' is neither a "
					       "subcommand nor a scene; "
					       "scenes: %s", argv[1],
					       scene_names());
		if (!def)
			return cmd_usage_error(e, "unknown scene '%s'; scenes: "
					       "%s", argv[1], scene_names());
		first = 2;
	}
	if (!def)
		def = scene_table[0];
	rc = parse_run_opts(e, def, argc - first, argv + first, false, &o);
	if (rc)
		return rc;
	t.def = def;
	return run_ui(e, &t, &o);
}

static const struct cmd_entry cmd_ui_entry = {
	.name = "ui",
	.args = "[SCENE] [--paused|--step] [--seed N] [--set KEY=VALUE]... "
		"[--record FILE] [--replay FILE] [--record-events FILE] "
		"[--cast FILE] [--theme NAME|FILE]",
	.summary = "the live ui on a scene (also with no subcommand)",
	.help =
	"Show SCENE (default: pool) running live in the terminal: its\n"
	"threads, the locks and queues they use, a timeline, and what the\n"
	"scene teaches.  'lockstep SCENE' does the same.  It needs a terminal\n"
	"on stdin and stdout and a TERM that can move the cursor; otherwise\n"
	"it says so in one line and exits 1.  The terminal is given back as\n"
	"it was found, also after Ctrl-C, a kill or a crash.\n"
	"\n"
	"Options:\n"
	"  --set KEY=VALUE  start with a scene parameter set (lockstep list\n"
	"                   names each scene's parameters); may be repeated\n"
	"  --paused         start with every thread held at its first gate\n"
	"  --step           start held, in the step view\n"
	"  --seed N         draw every random choice from N, 1 to 2^64-1\n"
	"                   (default: a new seed each run)\n"
	"  --record FILE    write the schedule stepped through to FILE at\n"
	"                   exit (needs --step or --paused)\n"
	"  --replay FILE    step through the schedule in FILE, then go on\n"
	"                   by hand\n"
	"  --record-events FILE\n"
	"                   write every event the screen folds, with the\n"
	"                   names, to FILE (lockstep replay opens it)\n"
	"  --cast FILE      record the session as an asciicast v2 file\n"
	"                   (asciinema play, its web player), a marker for\n"
	"                   each step\n"
	"  --theme NAME|FILE\n"
	"                   the colours: a shipped theme (shipped: default,\n"
	"                   high-contrast, monochrome, projector) or a\n"
	"                   .theme file; T cycles them\n"
	"\n"
	"Keys:\n"
	"  space            pause or resume: threads stop at their next gate\n"
	"                   (replaying: start or stop the replay)\n"
	"  s, n             step: let one paused thread do one operation\n"
	"  1-9              step that thread (its number in Threads, or its\n"
	"                   column in the step view)\n"
	"  b                step back one step\n"
	"  g                go: resume after a pause\n"
	"  v                the step view on or off\n"
	"  x                search the scene for a failing interleaving;\n"
	"                   any key stops the search\n"
	"  + -              the workload's speed, 0.1x to 100x, and max\n"
	"  r, R             reset the scene\n"
	"  Tab, Shift-Tab   the next or previous scene\n"
	"  l                the event log instead of the timeline\n"
	"  T                the next shipped theme\n"
	"  PgDn, PgUp       scroll the threads and the timeline\n"
	"  click            a thread's detail; Esc closes it\n"
	"  ?, F1            every key, the scene's parameter keys, the legend\n"
	"  q                quit\n"
	"Each scene adds keys for its parameters, shown on the bottom line;\n"
	"in a hazard scene f cycles through the fixes.\n",
	.exec = ui_exec,
};

/* One scene's entry in `lockstep list --json`. */
static void
list_json_scene(const struct scene_def *d)
{
	unsigned j;
	int v;

	printf("{\"name\": \"%s\", \"title\": \"%s\", \"summary\": \"%s\", "
	       "\"params\": [", d->name, d->title, d->summary);
	for (j = 0; j < d->nparams; j++) {
		const struct scene_param *p = &d->params[j];

		printf("%s{\"name\": \"%s\", \"help\": \"%s\", ",
		       j ? ", " : "", p->name, p->help);
		if (p->values) {
			printf("\"default\": \"%s\", \"values\": [",
			       p->values[p->def]);
			for (v = p->min; v <= p->max; v++)
				printf("%s\"%s\"", v > p->min ? ", " : "",
				       p->values[v]);
			printf("]}");
		} else {
			printf("\"default\": %d, \"min\": %d, \"max\": %d}",
			       p->def, p->min, p->max);
		}
	}
	printf("]");
	/* A hazard scene's fixes are the values of its fix param. */
	v = scene_param_index(d, "fix");
	if (v >= 0) {
		const struct scene_param *p = &d->params[v];
		int k;

		printf(", \"fixes\": [");
		for (k = p->min + 1; k <= p->max; k++)
			printf("%s\"%s\"", k > p->min + 1 ? ", " : "",
			       p->values[k]);
		printf("]");
	}
	printf("}");
}

static int
list_exec(const struct cmd_entry *e, int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	unsigned i, j;

	if (argc > 2 || (argc == 2 && !json))
		return cmd_usage_error(e, "%s '%s'",
				       argv[argc - 1][0] == '-'
					       ? "unknown option"
					       : "unexpected word",
				       argv[argc - 1]);
	if (json)
		printf("{\"scenes\": [");
	for (i = 0; i < scene_count; i++) {
		const struct scene_def *d = scene_table[i];

		if (json) {
			printf("%s\n  ", i ? "," : "");
			list_json_scene(d);
			continue;
		}
		printf("%-14s %s\n", d->name, d->summary);
		for (j = 0; j < d->nparams; j++) {
			char def[32];

			scene_param_format(d, j, d->params[j].def, def,
					   sizeof(def));
			printf("%16s%s=%s  %s\n", "", d->params[j].name, def,
			       d->params[j].help);
		}
	}
	if (json)
		printf("],\n ");
	if (list_scripts(json))
		return cmd_error("out of memory");
	if (json)
		printf("}\n");
	return 0;
}

static const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.args = "[--json]",
	.summary = "every scene with its parameters, and the shipped scripts",
	.help =
	"Print every scene, one line each, and under it each parameter with\n"
	"its default and what it means.  The same KEY=VALUE pairs serve --set\n"
	"and the ui's keys.  Then the shipped scripts (lockstep NAME.lss):\n"
	"each one's title, goal, and whether it is breakable or safe.\n"
	"\n"
	"Options:\n"
	"  --json           one JSON document instead: each scene's name,\n"
	"                   title, summary, its parameters (default, and\n"
	"                   min and max or the allowed values) and its fixes;\n"
	"                   and \"scripts\": each one's name, path, title,\n"
	"                   goal and expect\n",
	.exec = list_exec,
};

static int
run_exec(const struct cmd_entry *e, int argc, char **argv)
{
	struct control_target t = { 0 };
	struct run_opts o = { .seconds = 3.0 };
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage_error(e, "run needs a scene: %s",
				       scene_names());
	if (target_is_script(argv[1])) {
		rc = script_target(argv[1], &t);
		if (rc)
			return rc;
	} else {
		t.def = scene_find(argv[1]);
		if (!t.def)
			return cmd_usage_error(e, "unknown scene '%s'; scenes: "
					       "%s", argv[1], scene_names());
	}
	rc = parse_run_opts(e, t.def, argc - 2, argv + 2, true, &o);
	if (!rc && o.headless && o.cast)
		rc = cmd_usage_error(e, "--cast records the ui: leave out "
				     "--headless");
	if (!rc && !o.headless && (o.json || o.timed || o.steps))
		rc = cmd_usage_error(e, "--json, --seconds and --steps need "
				     "--headless");
	if (!rc)
		rc = o.headless ? run_headless(e, &t, &o) : run_ui(e, &t, &o);
	target_free(&t);
	return rc;
}

static const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.args = "SCENE --headless [--seconds N | --steps N] [--seed N] "
		"[--json] [--set KEY=VALUE]... [--record FILE] "
		"[--replay FILE] [--record-events FILE]",
	.summary = "a scene without the ui, reported as text or JSON",
	.help =
	"Run SCENE with no terminal and report what the screen would have\n"
	"shown: the threads, contention per object, throughput, waits,\n"
	"dropped events, the first deadlock, and whether the scene's\n"
	"invariant held.  Without --headless it is the live ui, and takes\n"
	"the ui's options (lockstep help ui).\n"
	"\n"
	"Options:\n"
	"  --headless       run without the ui (needed by --seconds, --steps\n"
	"                   and --json)\n"
	"  --seconds N      run freely for N seconds, 0.001 to 86400\n"
	"                   (default 3)\n"
	"  --steps N        a stepped run of at most N steps, 1 to 100000000,\n"
	"                   each step's thread picked from the seed\n"
	"  --seed N         draw every random choice from N, 1 to 2^64-1\n"
	"                   (default: a new seed, printed)\n"
	"  --json           one JSON document on stdout instead of text\n"
	"  --set KEY=VALUE  a scene parameter (lockstep list names them);\n"
	"                   may be repeated\n"
	"  --record FILE    write the run's schedule to FILE (needs --steps\n"
	"                   or --replay)\n"
	"  --replay FILE    replay the schedule in FILE\n"
	"  --record-events FILE\n"
	"                   write the run's event stream, with the names,\n"
	"                   to FILE (lockstep replay opens it)\n",
	.exec = run_exec,
};

static int
explore_exec(const struct cmd_entry *e, int argc, char **argv)
{
	return explore_cmd_main(argc, argv);
}

static const struct cmd_entry cmd_explore_entry = {
	.name = "explore",
	.args = "TARGET [--set KEY=VALUE]... [--strategy S] [--preemptions K] "
		"[--depth D] [--max-schedules N] [--seconds S] [--steps N] "
		"[--seed N] [--par] [-o FILE] [--json]",
	.summary = "search a scene's interleavings for a failure, and shrink it",
	.help =
	"Search the interleavings of TARGET (a scene) for one that breaks its\n"
	"invariant, shrink what it finds to the fewest preemptions and then\n"
	"steps, and print it.  Exits 1 when it finds a failure, 0 when none\n"
	"within the bounds, 2 on bad input.\n"
	"\n"
	"Options:\n"
	"  --set KEY=VALUE  a scene parameter; may be repeated\n"
	"  --strategy portfolio|dfs|pct|pos|random\n"
	"                   how to search (default portfolio: each in turn)\n"
	"  --preemptions K  dfs: at most K preemptions, 0 to 16 (default 2)\n"
	"  --depth D        pct: bug depth, 1 to 8 (default 3)\n"
	"  --max-schedules N\n"
	"                   stop after N schedules, 1 to 1000000000\n"
	"                   (default 100000)\n"
	"  --seconds S      stop after S seconds, 1 to 86400 (default 10)\n"
	"  --steps N        at most N steps a schedule, 1 to 1000000\n"
	"                   (default 200)\n"
	"  --seed N         the seed of the random strategies, 1 to 2^64-1\n"
	"  --par            also find par: the fewest steps to the goal\n"
	"  -o FILE          write the shrunk failure as a schedule to FILE\n"
	"  --json           one JSON document on stdout instead of text\n",
	.exec = explore_exec,
};

static int
bench_exec(const struct cmd_entry *e, int argc, char **argv)
{
	static const char usage[] =
		"lockstep bench ring|pool|rwlock|queue|explore|clock [--json] "
		"[--runs N] [--threads N] [--seconds S]";
	static const struct {
		const char *name;
		int (*main)(const struct bench_opts *o);
	} benches[] = {
		{ "ring", bench_ring_main },
		{ "clock", bench_clock_main },
		{ "pool", bench_pool_main },
		{ "rwlock", bench_rwlock_main },
		{ "queue", bench_queue_main },
		{ "explore", bench_explore_main },
	};
	struct bench_opts o = {
		.runs = 5,
		.threads = 2,
		.seconds = 0.2,
	};
	size_t i;
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage_error(e, "bench needs a benchmark: ring, "
				       "clock, pool, rwlock, queue or explore");
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(argv[1], benches[i].name))
			break;
	if (i == sizeof(benches) / sizeof(benches[0]))
		return cmd_usage_error(e, "unknown benchmark '%s'; benchmarks: "
				       "ring, clock, pool, rwlock, queue, explore",
				       argv[1]);
	rc = bench_parse(argc - 1, argv + 1, usage, &o);
	if (rc)
		return rc;
	return benches[i].main(&o);
}

static const struct cmd_entry cmd_bench_entry = {
	.name = "bench",
	.args = "ring|clock|pool|rwlock|queue|explore [--json] [--runs N] "
		"[--threads N] [--seconds S]",
	.summary = "the engine's benchmarks, with ratios to their baselines",
	.help =
	"Measure one part of the engine against its baselines, run\n"
	"interleaved, and print the median of the runs with the ratios and\n"
	"the target each ratio is held to.\n"
	"  ring             the event ring vs the floor and a mutex ring\n"
	"  clock            a tick read vs clock_gettime, and the TSC's drift\n"
	"                   from CLOCK_MONOTONIC (60 s unless --seconds)\n"
	"  pool             the thread pool vs a thread per task\n"
	"  rwlock           the read-write lock vs glibc's, writer waits\n"
	"  queue            the bounded queue vs a mutex and condition pair\n"
	"  explore          schedules and decisions a second vs the floor of\n"
	"                   a hand-off through the engine's parker\n"
	"\n"
	"Options:\n"
	"  --json           one JSON document on stdout instead of a table\n"
	"  --runs N         the median of N runs, 1 to 101 (default 5)\n"
	"  --threads N      producers or workers, 1 to 64 (default 2)\n"
	"  --seconds S      length of a timed trial, 0.001 to 60 (default\n"
	"                   0.2)\n",
	.exec = bench_exec,
};

static int
help_exec(const struct cmd_entry *e, int argc, char **argv)
{
	const struct cmd_entry *c;

	if (argc > 2)
		return cmd_usage_error(NULL, "help takes one subcommand, got "
				       "'%s' after it", argv[2]);
	if (argc == 1) {
		print_overview(stdout);
		return 0;
	}
	c = find_cmd(argv[1]);
	if (!c)
		return cmd_usage_error(NULL, "no subcommand '%s'", argv[1]);
	cmd_print_help(c, stdout);
	return 0;
}

static const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.args = "[SUBCOMMAND]",
	.summary = "this overview, or one subcommand's help",
	.help =
	"Print the overview of every subcommand, or SUBCOMMAND's usage,\n"
	"options and keys; 'lockstep SUBCOMMAND --help' prints the same.\n",
	.exec = help_exec,
};

/* Run e on argv (argv[0]: its name, or "lockstep" for the ui without
 * one), answering --help for it first. */
static int
dispatch(const struct cmd_entry *e, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!is_help(argv[i]))
			continue;
		if (argc > 2)
			return cmd_usage_error(e, "%s takes no other words",
					       argv[i]);
		cmd_print_help(e, stdout);
		return 0;
	}
	return e->exec(e, argc, argv);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *e;

	atexit(cmd_close_stdout);
	if (argc > 1 && (is_help(argv[1]) || !strcmp(argv[1], "--version"))) {
		if (argc > 2)
			return cmd_usage_error(NULL, "%s takes no other words",
					       argv[1]);
		if (is_help(argv[1]))
			print_overview(stdout);
		else
			printf("lockstep %s\n", PACKAGE_VERSION);
		return 0;
	}
	e = argc > 1 ? find_cmd(argv[1]) : NULL;
	if (e)
		return dispatch(e, argc - 1, argv + 1);
	return dispatch(cmd_table[0], argc > 0 ? argc : 1,
			argc > 0 ? argv : (char *[]){ "lockstep", NULL });
}
