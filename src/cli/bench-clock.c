/*
 * bench-clock.c - `lockstep bench clock`: the cost of a tick read and the
 * drift of the TSC against CLOCK_MONOTONIC.
 *
 * Read cost: the ordered TSC read the ring stamps with (LFENCE, RDTSC)
 * against clock_gettime(CLOCK_MONOTONIC), interleaved run by run,
 * in a loop of dependent reads.  Drift: a run (60 s unless --seconds says
 * otherwise) cut into --runs windows.  In each window the TSC, counted at
 * the rate calibrated before the run, is compared with CLOCK_MONOTONIC:
 * that rate error, in ppm, is what a fixed calibration would drift by
 * (CLOCK_MONOTONIC is itself slewed by NTP where it runs).  The error of
 * ls_clock_ns_at, which refines its calibration as the run goes on, is
 * what the model sees.
 */
#include "config.h"

#include "cli/bench-clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/bench.h"
#include "lockstep/clock.h"

#define READS 2000000u
#define SAMPLE_NS 250000000ull	/* drift sample period */

double
clock_trial_read(int tsc, uint64_t reads)
{
	uint64_t t0, i, sink = 0;

	t0 = ls_clock_ns();
	if (tsc)
		for (i = 0; i < reads; i++)
			sink += ls_clock_tsc();
	else
		for (i = 0; i < reads; i++)
			sink += ls_clock_ns();
	/* Keep the loop: the sum is used. */
	__asm__ __volatile__("" : : "r"(sink));
	return (double)(ls_clock_ns() - t0) / (double)reads;
}

int
clock_trial_drift(double seconds, unsigned nwin, struct drift_window *w,
		  double *total_ns)
{
	uint64_t t0, n0, wt, wn, t, n, end, win_ns;
	double hz = ls_clock_tsc_hz();
	unsigned k;

	if (!ls_clock_tsc_usable() || hz <= 0)
		return -ENOTSUP;
	ls_clock_tsc_pair(&t0, &n0);
	wt = t0;
	wn = n0;
	win_ns = (uint64_t)(seconds * 1e9) / nwin;
	for (k = 0; k < nwin; k++) {
		double worst = 0, err;

		end = wn + win_ns;
		do {
			uint64_t left;

			ls_clock_tsc_pair(&t, &n);
			err = (double)ls_clock_ns_at(t) - (double)n;
			if (err < 0)
				err = -err;
			if (err > worst)
				worst = err;
			left = end > n ? end - n : 0;
			if (left)
				ls_clock_sleep_ns(left < SAMPLE_NS ? left :
							 SAMPLE_NS);
		} while (n < end);
		w[k].rate_ppm = ((double)(t - wt) / hz * 1e9 -
				 (double)(n - wn)) / (double)(n - wn) * 1e6;
		w[k].conv_err_max_ns = worst;
		wt = t;
		wn = n;
	}
	*total_ns = (double)(wt - t0) / hz * 1e9 - (double)(wn - n0);
	return 0;
}

int
bench_clock_main(const struct bench_opts *o)
{
	enum { F_TSC, F_GETTIME, F_RATIO, F_PPM, F_CONV, F_TOTAL, F_COUNT };
	struct bench_figure f[F_COUNT] = {
		[F_TSC] = { .name = "read: tsc (ordered)", .unit = "ns/read" },
		[F_GETTIME] = { .name = "read: clock_gettime",
				.unit = "ns/read" },
		[F_RATIO] = { .name = "read: clock_gettime / tsc",
			      .unit = "x" },
		[F_PPM] = { .name = "tsc rate vs monotonic, per window",
			    .unit = "ppm" },
		[F_CONV] = { .name = "ns_at error, worst per window",
			     .unit = "ns" },
		[F_TOTAL] = { .name = "tsc drift over the whole run",
			      .unit = "us" },
	};
	struct drift_window win[BENCH_MAX_RUNS];
	double seconds = o->seconds_set ? o->seconds : 60.0, total = 0;
	struct bench_ratio r[1];
	char notes[512];
	unsigned run, nf = F_PPM;
	int tsc = ls_clock_tsc_usable();

	for (run = 0; run < o->runs; run++) {
		double g = clock_trial_read(0, READS);
		double t = tsc ? clock_trial_read(1, READS) : 0;

		bench_add(&f[F_GETTIME], g);
		if (tsc) {
			bench_add(&f[F_TSC], t);
			bench_add(&f[F_RATIO], g / t);
		}
	}
	if (tsc && !clock_trial_drift(seconds, o->runs, win, &total)) {
		for (run = 0; run < o->runs; run++) {
			bench_add(&f[F_PPM], win[run].rate_ppm);
			bench_add(&f[F_CONV], win[run].conv_err_max_ns);
		}
		bench_add(&f[F_TOTAL], total / 1e3);
		nf = F_COUNT;
	}
	bench_reduce(f, F_COUNT);
	r[0] = (struct bench_ratio){
		.name = "clock_gettime / tsc read",
		.value = tsc ? f[F_GETTIME].median / f[F_TSC].median : 0,
		.target = "info",
		.met = true,
	};
	snprintf(notes, sizeof(notes),
		 "tick source of the program: %s; TSC %s, %.0f Hz as "
		 "calibrated.\ndrift: %.1f s in %u windows; a window's ppm is "
		 "the TSC at the rate calibrated\nbefore the run against "
		 "CLOCK_MONOTONIC; ns_at error is what the model sees.\n",
		 ls_clock_source_name(ls_clock_source()),
		 tsc ? "usable" : "not usable (no drift figures)",
		 ls_clock_tsc_hz(), seconds, o->runs);
	bench_print(o, "clock", tsc ? f : f + 1, tsc ? nf : 1, r, tsc ? 1 : 0,
		    notes);
	return 0;
}
