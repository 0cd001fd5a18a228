/*
 * bench-clock.h - the trials of `lockstep bench clock`: what one tick read
 * costs against clock_gettime, and how far the TSC drifts from
 * CLOCK_MONOTONIC over a run.
 */
#ifndef LOCKSTEP_CLI_BENCH_CLOCK_H
#define LOCKSTEP_CLI_BENCH_CLOCK_H

#include <stdint.h>

/* ns per read of the ordered TSC read the ring uses (ls_clock_tsc), or of
 * clock_gettime(CLOCK_MONOTONIC) when tsc is false, over reads reads. */
double clock_trial_read(int tsc, uint64_t reads);

/* One window of the drift trial. */
struct drift_window {
	double rate_ppm;	/* TSC at its starting rate against
				 * CLOCK_MONOTONIC over the window, ppm */
	double conv_err_max_ns;	/* largest |ls_clock_ns_at - monotonic| */
};

/*
 * Watch the TSC against CLOCK_MONOTONIC for seconds, in nwin equal
 * windows, sampling every few hundred ms.  *total_ns gets how far the TSC
 * taken at the rate calibrated at the start ended from CLOCK_MONOTONIC.
 * Needs a usable TSC.  Returns 0, or -ENOTSUP.
 */
int clock_trial_drift(double seconds, unsigned nwin, struct drift_window *w,
		      double *total_ns);

#endif
