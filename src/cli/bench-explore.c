/*
 * bench-explore.c - `lockstep bench explore` (bench-explore.h).
 *
 * For each target, a random search of fixed schedules, timed: schedules
 * a second, and gate decisions (steps) a second.  Beside them, run
 * interleaved with them, the floor: a round trip between two threads
 * through the engine's parker, spinning first as a step does, going
 * straight to the kernel, and going to the kernel with both threads on
 * one CPU, as a search runs (util/cpu.h).  A decision is one such round
 * trip (the controller lets a thread go and waits for it), so the ratio
 * of a decision to the one-CPU round trip is what everything else in a
 * step costs: listing who can move, the probes, the recording, the
 * target's own work.
 */
#include "config.h"

#include "cli/bench-explore.h"

#include <stdio.h>
#include <string.h>

#include "control/target.h"
#include "explore/explore.h"
#include "lockstep/thread.h"

#define FLOOR_ROUNDS 20000

/* The targets measured, shipped scripts as the goal names them:
 * a two-thread one that never fails (every schedule runs to its end) and
 * a three-thread one. */
static const char *const targets[] = {
	"peterson.lss",
	"deadlock-three.lss",
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

enum {
	F_FLOOR_SPIN,
	F_FLOOR_PARK,
	F_FLOOR_ONE_CPU,
	F_SCHED,		/* + 2 * target */
	F_COUNT = F_SCHED + 2 * NTARGETS
};

/* Timed random searches of t for about seconds: schedules and decisions
 * a second.  A search of a breakable target ends at its first failure
 * (a few schedules in), so searches from successive seeds are summed
 * until the time is spent.  A search's time (r.seconds) takes in the
 * shrinking after its find, whose replays count as schedules and
 * decisions too; the threads a search leaves to the next (exec.c) are
 * made by the first search of the first run. */
static int
bench_explore_trial(const struct control_target *t, double seconds,
		    double *sched_s, double *dec_s)
{
	struct explore_opts o = {
		.target = *t,
		.strategy = EXPLORE_RANDOM,
		.max_schedules = 1000000000,
		.max_steps = 50,
		.seed = 42,
	};
	double spent = 0, sched = 0, dec = 0;
	struct explore_result r;
	char err[256];
	int rc;

	while (spent < seconds) {
		o.seconds = seconds - spent;
		rc = explore_run(&o, &r, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "lockstep: bench explore: %s\n", err);
			return rc;
		}
		/* A search that took no measurable time still moves on. */
		spent += r.seconds > 1e-6 ? r.seconds : 1e-6;
		sched += (double)r.schedules;
		dec += (double)r.decisions;
		explore_result_free(&r);
		o.seed++;
	}
	*sched_s = sched / spent;
	*dec_s = dec / spent;
	return 0;
}

int
bench_explore_main(const struct bench_opts *o)
{
	static char names[F_COUNT][64];
	struct bench_figure f[F_COUNT] = {
		[F_FLOOR_SPIN] = { .name = "floor_handoff_spin",
				   .unit = "ns/round trip" },
		[F_FLOOR_PARK] = { .name = "floor_handoff_park",
				   .unit = "ns/round trip" },
		[F_FLOOR_ONE_CPU] = { .name = "floor_handoff_one_cpu",
				      .unit = "ns/round trip" },
	};
	struct control_target t[NTARGETS];
	struct bench_ratio r[NTARGETS * 2 + 1];
	char err[256], notes[512];
	unsigned run;
	size_t i, nr = 0;
	uint64_t ns;

	for (i = 0; i < NTARGETS; i++) {
		if (target_resolve(targets[i], &t[i], err, sizeof(err))) {
			fprintf(stderr, "lockstep: bench explore: %s\n", err);
			return 1;
		}
		snprintf(names[F_SCHED + 2 * i], sizeof(names[0]),
			 "%s_schedules", targets[i]);
		snprintf(names[F_SCHED + 2 * i + 1], sizeof(names[0]),
			 "%s_decisions", targets[i]);
		f[F_SCHED + 2 * i] = (struct bench_figure){
			.name = names[F_SCHED + 2 * i], .unit = "schedules/s" };
		f[F_SCHED + 2 * i + 1] = (struct bench_figure){
			.name = names[F_SCHED + 2 * i + 1], .unit = "steps/s" };
	}
	for (run = 0; run < o->runs; run++) {
		if (ls_handoff_floor(FLOOR_ROUNDS, true, false, &ns))
			return 1;
		bench_add(&f[F_FLOOR_SPIN], (double)ns);
		if (ls_handoff_floor(FLOOR_ROUNDS / 4, false, false, &ns))
			return 1;
		bench_add(&f[F_FLOOR_PARK], (double)ns);
		if (ls_handoff_floor(FLOOR_ROUNDS, false, true, &ns))
			return 1;
		bench_add(&f[F_FLOOR_ONE_CPU], (double)ns);
		for (i = 0; i < NTARGETS; i++) {
			double s, d;

			if (bench_explore_trial(&t[i], o->seconds, &s, &d))
				return 1;
			bench_add(&f[F_SCHED + 2 * i], s);
			bench_add(&f[F_SCHED + 2 * i + 1], d);
		}
	}
	bench_reduce(f, F_COUNT);
	for (i = 0; i < NTARGETS; i++) {
		double dec = f[F_SCHED + 2 * i + 1].median;
		double per = dec > 0 ? 1e9 / dec : 0;

		r[nr++] = (struct bench_ratio){
			.name = f[F_SCHED + 2 * i].name,
			.value = f[F_SCHED + 2 * i].median / 5000.0,
			.target = ">= 1.0",
			.met = f[F_SCHED + 2 * i].median >= 5000.0,
		};
		r[nr++] = (struct bench_ratio){
			.name = f[F_SCHED + 2 * i + 1].name,
			.value = f[F_FLOOR_ONE_CPU].median > 0
					 ? per / f[F_FLOOR_ONE_CPU].median : 0,
			.target = "floor",
			.met = dec >= 200000.0,
		};
	}
	snprintf(notes, sizeof(notes),
		 "Schedules are random searches of at most 50 steps; the "
		 "schedules ratio is against the goal of 5000/s, the steps "
		 "ratio is a step's time over a hand-off round trip on one "
		 "CPU, as the search runs (met: >= 200000 steps/s).\n");
	bench_print(o, "explore", f, F_COUNT, r, nr, notes);
	for (i = 0; i < NTARGETS; i++)
		target_free(&t[i]);
	return 0;
}
