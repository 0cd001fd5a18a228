/*
 * main.c - the lockstep command line: a table of subcommands and the
 * dispatch to them.  A word that is not a subcommand names a scene for the
 * live ui.  Usage errors print one line and exit 2; runtime failures exit 1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/bench-pool.h"
#include "cli/bench-explore.h"
#include "cli/bench-queue.h"
#include "cli/bench-rwlock.h"
#include "cli/explore-cmd.h"
#include "cli/headless.h"
#include "control/schedule.h"
#include "control/target.h"
#include "scenes/scene.h"
#include "ui/app.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: lockstep [SCENE] [--paused|--step] [--set KEY=VALUE]... [--record FILE] [--replay FILE]\n"
	"                                              the live ui (default scene: pool)\n"
	"       lockstep list [--json]                   scenes and their parameters\n"
	"       lockstep run SCENE --headless [--seconds N] [--json] [--set KEY=VALUE]...\n"
	"                [--steps N] [--seed N] [--record FILE] [--replay FILE]\n"
	"       lockstep explore TARGET [--strategy S] [--preemptions K] [-o FILE] [--json] ...\n"
	"       lockstep bench ring|pool|rwlock|queue|explore|clock [--json] [--runs N] [--threads N] [--seconds S]\n"
	"       lockstep --help | --version\n";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "lockstep: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_USAGE;
}

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

static const struct scene_def *
scene_or_complain(const char *name)
{
	const struct scene_def *def = scene_find(name);

	if (!def)
		fprintf(stderr, "lockstep: unknown scene '%s' (scenes: %s)\n",
			name, scene_names());
	return def;
}

/* Options shared by the ui and run: --set, --seconds, --json,
 * --headless, --paused, --steps, --seed, --record, --replay. */
struct run_opts {
	int params[SCENE_MAX_PARAMS];
	double seconds;
	bool json, headless, paused, step;
	unsigned long steps;
	uint64_t seed;
	const char *record, *replay;
};

/* A positive integer option value, or 0 after a usage error. */
static unsigned long long
positive_value(const char *opt, const char *v, unsigned long long max)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] < '0' || v[0] > '9' || !x ||
	    x > max) {
		fprintf(stderr, "lockstep: %s wants a whole number from 1 to "
			"%llu, got '%s'\n", opt, max, v);
		return 0;
	}
	return x;
}

static int
parse_run_opts(const struct scene_def *def, int argc, char **argv,
	       bool allow_run_opts, struct run_opts *o)
{
	char err[256];
	int i;

	scene_defaults(def, o->params);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--set") && v) {
			if (scene_parse_set(def, v, o->params, err, sizeof(err))) {
				fprintf(stderr, "lockstep: %s\n", err);
				return EXIT_USAGE;
			}
			i++;
		} else if (!strncmp(a, "--set=", 6)) {
			if (scene_parse_set(def, a + 6, o->params, err,
					    sizeof(err))) {
				fprintf(stderr, "lockstep: %s\n", err);
				return EXIT_USAGE;
			}
		} else if (allow_run_opts && !strcmp(a, "--seconds") && v) {
			char *end;

			o->seconds = strtod(v, &end);
			if (end == v || *end || !(o->seconds > 0) ||
			    o->seconds > 86400)
				return usage_error("--seconds wants a number of "
						   "seconds above 0, got '%s'", v);
			i++;
		} else if (!strcmp(a, "--paused")) {
			o->paused = true;
		} else if (!strcmp(a, "--step")) {
			o->step = true;
		} else if (allow_run_opts && !strcmp(a, "--steps") && v) {
			o->steps = (unsigned long)positive_value(a, v, 100000000);
			if (!o->steps)
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(a, "--seed") && v) {
			o->seed = positive_value(a, v, UINT64_MAX);
			if (!o->seed)
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(a, "--record") && v) {
			o->record = v;
			i++;
		} else if (!strcmp(a, "--replay") && v) {
			o->replay = v;
			i++;
		} else if (allow_run_opts && !strcmp(a, "--json")) {
			o->json = true;
		} else if (allow_run_opts && !strcmp(a, "--headless")) {
			o->headless = true;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	return 0;
}

static int
cmd_list(int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	unsigned i, j;
	int v;

	if (argc > 2 || (argc == 2 && !json))
		return usage_error("list: unknown option '%s'", argv[argc - 1]);
	if (json)
		printf("{\"scenes\": [");
	for (i = 0; i < scene_count; i++) {
		const struct scene_def *d = scene_table[i];

		if (!json) {
			printf("%-14s %s\n", d->name, d->summary);
			for (j = 0; j < d->nparams; j++) {
				char def[32];

				scene_param_format(d, j, d->params[j].def, def,
						   sizeof(def));
				printf("%16s%s=%s  %s\n", "", d->params[j].name,
				       def, d->params[j].help);
			}
			continue;
		}
		printf("%s\n  {\"name\": \"%s\", \"title\": \"%s\", "
		       "\"summary\": \"%s\", \"params\": [", i ? "," : "",
		       d->name, d->title, d->summary);
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
				printf("\"default\": %d, \"min\": %d, "
				       "\"max\": %d}", p->def, p->min, p->max);
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
	if (json)
		printf("]}\n");
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
		fprintf(stderr, "lockstep: %s\n", err);
		return rc == -EINVAL ? EXIT_USAGE : 1;
	}
	rc = schedule_target(sched, &st, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "lockstep: %s\n", err);
		schedule_free(sched);
		return EXIT_USAGE;
	}
	target_describe(t, want, sizeof(want));
	target_describe(&st, got, sizeof(got));
	target_free(&st);
	if (strcmp(want, got)) {
		fprintf(stderr, "lockstep: %s:%u: this schedule is for '%s', "
			"not '%s'\n", sched->file, sched->target_line, got, want);
		schedule_free(sched);
		return EXIT_USAGE;
	}
	return 0;
}

/* The live ui on def, started as the options say. */
static int
run_ui(const struct scene_def *def, const struct run_opts *o)
{
	struct ui_opts uo = {
		.target = { .def = def },
		.mode = o->step ? CONTROL_STEP : o->paused ? CONTROL_PAUSE
							    : CONTROL_RUN,
		.seed = o->seed,
		.record = o->record,
	};
	struct schedule sched;
	int rc;

	memcpy(uo.target.params, o->params, sizeof(uo.target.params));
	if (o->record && uo.mode == CONTROL_RUN && !o->replay) {
		fprintf(stderr, "lockstep: --record needs a run stepped from "
			"its start: add --step (or --paused)\n");
		return EXIT_USAGE;
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

/* The headless run of def: a schedule replayed, a stepped run, or a
 * free run, as the options say. */
static int
run_headless(const struct scene_def *def, const struct run_opts *o)
{
	struct headless_opts ho = {
		.target = { .def = def },
		.seconds = o->seconds,
		.json = o->json,
		.seed = o->seed,
		.steps = o->steps,
		.record = o->record,
	};
	struct schedule sched;
	int rc;

	memcpy(ho.target.params, o->params, sizeof(ho.target.params));
	if (o->record && !o->steps && !o->replay) {
		fprintf(stderr, "lockstep: --record needs a stepped run: add "
			"--steps N (or --replay FILE)\n");
		return EXIT_USAGE;
	}
	if (!o->replay)
		return headless_main(&ho);
	if (o->steps) {
		fprintf(stderr, "lockstep: --steps and --replay do not go "
			"together\n");
		return EXIT_USAGE;
	}
	rc = load_replay(o->replay, &ho.target, &sched);
	if (rc)
		return rc;
	ho.replay = &sched;
	rc = headless_main(&ho);
	schedule_free(&sched);
	return rc;
}

static int
cmd_run(int argc, char **argv)
{
	const struct scene_def *def;
	struct run_opts o = { .seconds = 3.0 };
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return usage_error("run: name a scene (scenes: %s)", scene_names());
	def = scene_or_complain(argv[1]);
	if (!def)
		return EXIT_USAGE;
	rc = parse_run_opts(def, argc - 2, argv + 2, true, &o);
	if (rc)
		return rc;
	if (!o.headless) {
		if (o.json)
			return usage_error("run: --json needs --headless%s", "");
		return run_ui(def, &o);
	}
	return run_headless(def, &o);
}

static int
cmd_bench(int argc, char **argv)
{
	static const char usage[] =
		"lockstep bench ring|pool|rwlock|queue|explore|clock [--json] [--runs N] "
		"[--threads N] [--seconds S]";
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

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "lockstep: bench: name a benchmark\nusage: %s\n",
			usage);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(argv[1], benches[i].name))
			break;
	if (i == sizeof(benches) / sizeof(benches[0])) {
		fprintf(stderr, "lockstep: bench: unknown benchmark '%s'\n"
			"usage: %s\n", argv[1], usage);
		return EXIT_USAGE;
	}
	rc = bench_parse(argc - 1, argv + 1, usage, &o);
	if (rc)
		return rc;
	return benches[i].main(&o);
}

static const struct command commands[] = {
	{ .name = "list", .run = cmd_list },
	{ .name = "run", .run = cmd_run },
	{ .name = "bench", .run = cmd_bench },
	{ .name = "explore", .run = explore_cmd_main },
};

int
main(int argc, char **argv)
{
	const struct scene_def *def;
	struct run_opts o = { 0 };
	size_t i;
	int rc, first = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("lockstep %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	if (argc > 1 && argv[1][0] == '-' && strncmp(argv[1], "--set", 5))
		return usage_error("unknown option '%s'", argv[1]);
	if (argc > 1 && argv[1][0] != '-') {
		def = scene_or_complain(argv[1]);
		if (!def)
			return EXIT_USAGE;
		first = 2;
	} else {
		def = scene_find("pool");
		if (!def)
			def = scene_table[0];
	}
	rc = parse_run_opts(def, argc - first, argv + first, false, &o);
	if (rc)
		return rc;
	return run_ui(def, &o);
}
