/*
 * main.c - the lockstep command line: a table of subcommands and the
 * dispatch to them.  Usage errors print one line and exit 2; runtime
 * failures exit 1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/bench.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: lockstep [SCENE]                 the live terminal ui (default scene: pool)\n"
	"       lockstep bench ring [--json] [--runs N] [--threads N] [--seconds S]\n"
	"                                        benchmarks with ratios against baselines\n"
	"       lockstep --help | --version\n";

struct command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv);
};

static int
cmd_bench(int argc, char **argv)
{
	static const char usage[] =
		"lockstep bench ring [--json] [--runs N] [--threads N] [--seconds S]";
	struct bench_opts o = {
		.runs = 5,
		.threads = 2,
		.seconds = 0.2,
	};
	int rc;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "lockstep: bench: name a benchmark\nusage: %s\n",
			usage);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "ring")) {
		fprintf(stderr, "lockstep: bench: unknown benchmark '%s' "
			"(known: ring)\n", argv[1]);
		return EXIT_USAGE;
	}
	rc = bench_parse(argc - 1, argv + 1, usage, &o);
	if (rc)
		return rc;
	return bench_ring_main(&o);
}

static const struct command commands[] = {
	{
		.name = "bench",
		.usage = "bench ring [--json]",
		.run = cmd_bench,
	},
};

static int
show_plan(void)
{
	printf("lockstep %s\n\n"
	       "lockstep will show concurrency patterns running live in this "
	       "terminal:\na real thread pool, read-write lock, mutexes, "
	       "semaphores and a bounded queue,\nevery operation written to a "
	       "lock-free event ring and drawn as it happens,\nwith pause and "
	       "single-step of the real threads.\n\n"
	       "The event ring and its benchmark are built: try "
	       "'lockstep bench ring'.\nThe live ui comes next.\n\n%s",
	       PACKAGE_VERSION, usage_text);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return show_plan();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("lockstep %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "lockstep: unknown command or scene '%s'\n%s", argv[1],
		usage_text);
	return EXIT_USAGE;
}
