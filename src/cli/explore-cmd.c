/*
 * explore-cmd.c - `lockstep explore`: search a target's interleavings for
 * a failure, shrink what it finds, print it, write it as a schedule.
 * Exits 1 when it finds a failure, 0 when none within the bounds, 2 on
 * bad input.
 */
#include "config.h"

#include "cli/explore-cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/schedule.h"
#include "control/target.h"
#include "explore/explore.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "util/escape.h"
#include "util/num.h"

#define EXIT_USAGE 2

static const char usage[] =
	"lockstep explore TARGET [--set KEY=VALUE]... [--strategy "
	"portfolio|dfs|pct|pos|random] [--preemptions K] [--depth D] "
	"[--max-schedules N] [--seconds S] [--steps N] [--seed S] [--par] "
	"[-o FILE] [--json]";

struct explore_cmd {
	struct explore_opts o;
	const char *out;
	bool json;
	bool tty;
	uint64_t last_line;
};

static int
explore_cmd_usage(const char *what, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), what, arg);
	escape_line(stderr, "lockstep: explore: %s (usage: %s)", msg, usage);
	return EXIT_USAGE;
}

/* A whole number in [lo, hi] from v, or a usage error. */
static int
explore_cmd_number(const char *opt, const char *v, unsigned long long lo,
		   unsigned long long hi, unsigned long long *out)
{
	if (!v)
		return explore_cmd_usage("%s needs a value", opt);
	if (num_parse_uint(v, lo, hi, out)) {
		fprintf(stderr, "lockstep: explore: %s wants a whole number "
			"from %llu to %llu\n", opt, lo, hi);
		return EXIT_USAGE;
	}
	return 0;
}

static void
explore_cmd_progress(const struct explore_progress *p, void *arg)
{
	struct explore_cmd *e = arg;
	uint64_t now = ls_clock_ns();

	/* Not a terminal: a line a second is enough for a log. */
	if (!e->tty && now - e->last_line < 1000000000ull)
		return;
	e->last_line = now;
	fprintf(stderr, "%sexplore: %-9s %8lu schedules %8.0f/s  %9.0f "
		"steps/s  deepest %zu%s%s", e->tty ? "\r" : "", p->strategy,
		p->schedules, p->seconds > 0 ? p->schedules / p->seconds : 0.0,
		p->seconds > 0 ? p->decisions / p->seconds : 0.0, p->deepest,
		p->shrinking ? "  shrinking" : "", e->tty ? "\033[K" : "\n");
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
print_steps_json(const struct explore_schedule *s)
{
	size_t k;

	printf("{\"steps\": %zu, \"preemptions\": %u, \"schedule\": [", s->n,
	       s->preemptions);
	for (k = 0; k < s->n; k++) {
		printf("%s{\"thread\": ", k ? ", " : "");
		json_str(s->steps[k].thread);
		printf(", \"what\": ");
		json_str(s->steps[k].what);
		printf("}");
	}
	printf("]}");
}

static void
print_json(const struct explore_cmd *e, const struct explore_result *r)
{
	char target[512];
	double secs = r->seconds > 0 ? r->seconds : 1e-9;

	printf("{\"target\": ");
	json_str(target_describe(&e->o.target, target, sizeof(target)));
	printf(", \"strategy\": \"%s\", \"seed\": %llu, \"schedules\": %lu, "
	       "\"seconds\": %.3f, \"schedules_per_s\": %.1f, \"decisions\": "
	       "%lu, \"decisions_per_s\": %.1f, \"deepest\": %zu, ",
	       explore_strategy_name(e->o.strategy),
	       (unsigned long long)e->o.seed, r->schedules, r->seconds,
	       r->schedules / secs, r->decisions, r->decisions / secs,
	       r->deepest);
	printf("\"found\": %s, \"found_by\": ", r->found ? "true" : "false");
	if (r->found)
		json_str(r->found_by);
	else
		printf("null");
	printf(", \"failure\": ");
	if (r->found) {
		printf("{\"kind\": ");
		json_str(ls_outcome_name(r->failure.kind));
		printf(", \"what\": ");
		json_str(r->failure.what);
		printf("}, \"first\": ");
		print_steps_json(&r->first);
		printf(", \"shrunk\": ");
		print_steps_json(&r->shrunk);
	} else {
		printf("null, \"first\": null, \"shrunk\": null");
	}
	printf(", \"exhausted\": %s, \"exhausted_preemptions\": %u, "
	       "\"max_steps\": %lu, \"par\": ", r->exhausted ? "true" : "false",
	       r->exhausted_k, e->o.max_steps);
	if (r->par >= 0)
		printf("%ld", r->par);
	else
		printf("null");
	printf("}\n");
}

static void
print_text(const struct explore_cmd *e, const struct explore_result *r)
{
	char target[512];
	double secs = r->seconds > 0 ? r->seconds : 1e-9;
	size_t k;

	target_describe(&e->o.target, target, sizeof(target));
	printf("lockstep explore %s (%s, seed %llu): %lu schedules in %.1f s, "
	       "%.0f schedules/s, %.0f steps/s\n", target,
	       explore_strategy_name(e->o.strategy),
	       (unsigned long long)e->o.seed, r->schedules, r->seconds,
	       r->schedules / secs, r->decisions / secs);
	if (r->found) {
		printf("found by %s: %s\n  %s\n", r->found_by,
		       ls_outcome_name(r->failure.kind), r->failure.what);
		printf("first found: %zu steps, %u preemptions; shrunk to %zu "
		       "steps, %u preemptions:\n", r->first.n,
		       r->first.preemptions, r->shrunk.n,
		       r->shrunk.preemptions);
		for (k = 0; k < r->shrunk.n; k++)
			printf("  %3zu  %s: %s%s\n", k + 1,
			       r->shrunk.steps[k].thread,
			       r->shrunk.steps[k].timeout ? "times out: " : "",
			       r->shrunk.steps[k].what);
	} else if (r->cancelled) {
		printf("stopped before it found a failure\n");
	} else {
		printf("no failure found.\n");
	}
	if (r->exhausted)
		printf("dfs covered every schedule with up to %u preemptions "
		       "(and up to %lu steps)%s\n", r->exhausted_k,
		       e->o.max_steps, r->found ? "" : ": none fails");
	else if (e->o.strategy == EXPLORE_DFS ||
		 e->o.strategy == EXPLORE_PORTFOLIO)
		printf("dfs did not cover its bound (%u preemptions, %lu "
		       "steps) in the time or schedules given\n",
		       e->o.preemptions, e->o.max_steps);
	if (r->par >= 0)
		printf("par: the goal can be reached in %ld steps\n", r->par);
}

int
explore_cmd_main(int argc, char **argv)
{
	struct explore_cmd e = {
		.o = {
			.strategy = EXPLORE_PORTFOLIO,
			.preemptions = 2,
			.depth = 3,
			.max_schedules = 100000,
			.seconds = 10,
			.max_steps = 200,
		},
	};
	struct explore_result r;
	unsigned long long v;
	char err[512];
	int i, rc;

	if (argc < 2 || argv[1][0] == '-')
		return explore_cmd_usage("name a target (a scene or a .lss "
					 "script)%s", "");
	if (target_resolve(argv[1], &e.o.target, err, sizeof(err))) {
		escape_line(stderr, "lockstep: %s", err);
		return EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		rc = 0;
		if (!strcmp(a, "--json")) {
			e.json = true;
			continue;
		}
		if (!strcmp(a, "--par")) {
			e.o.par = true;
			continue;
		}
		if (!val) {
			rc = explore_cmd_usage("%s needs a value", a);
		} else if (!strcmp(a, "--set")) {
			if (target_set(&e.o.target, val, err, sizeof(err))) {
				escape_line(stderr, "lockstep: %s", err);
				rc = EXIT_USAGE;
			}
		} else if (!strcmp(a, "--strategy")) {
			int s = explore_strategy_parse(val);

			if (s < 0)
				rc = explore_cmd_usage("unknown strategy '%s'",
						       val);
			else
				e.o.strategy = (enum explore_strategy)s;
		} else if (!strcmp(a, "--preemptions")) {
			rc = explore_cmd_number(a, val, 0, 16, &v);
			e.o.preemptions = (unsigned)v;
		} else if (!strcmp(a, "--depth")) {
			rc = explore_cmd_number(a, val, 1, 8, &v);
			e.o.depth = (unsigned)v;
		} else if (!strcmp(a, "--max-schedules")) {
			rc = explore_cmd_number(a, val, 1, 1000000000, &v);
			e.o.max_schedules = (unsigned long)v;
		} else if (!strcmp(a, "--seconds")) {
			rc = explore_cmd_number(a, val, 1, 86400, &v);
			e.o.seconds = (double)v;
		} else if (!strcmp(a, "--steps")) {
			rc = explore_cmd_number(a, val, 1, 1000000, &v);
			e.o.max_steps = (unsigned long)v;
		} else if (!strcmp(a, "--seed")) {
			rc = explore_cmd_number(a, val, 1, UINT64_MAX, &v);
			e.o.seed = v;
		} else if (!strcmp(a, "-o")) {
			e.out = val;
		} else {
			rc = explore_cmd_usage("unknown option '%s'", a);
		}
		if (rc) {
			target_free(&e.o.target);
			return rc;
		}
		i++;
	}
	if (!e.o.seed)
		e.o.seed = (ls_clock_ns() ^ (uint64_t)getpid() << 20) | 1;
	e.tty = isatty(STDERR_FILENO);
	e.o.progress = explore_cmd_progress;
	e.o.progress_arg = &e;
	rc = explore_run(&e.o, &r, err, sizeof(err));
	if (e.tty)
		fprintf(stderr, "\r\033[K");
	if (rc) {
		fprintf(stderr, "lockstep: explore: %s\n", err);
		target_free(&e.o.target);
		return 1;
	}
	if (r.found && e.out &&
	    schedule_save_steps(e.out, &e.o.target, r.seed, r.shrunk.steps,
				r.shrunk.n, err, sizeof(err))) {
		fprintf(stderr, "lockstep: %s\n", err);
		rc = 1;
	}
	if (e.json)
		print_json(&e, &r);
	else
		print_text(&e, &r);
	if (!rc && r.found)
		rc = 1;
	explore_result_free(&r);
	target_free(&e.o.target);
	return rc;
}
