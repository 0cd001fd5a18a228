/*
 * hist.h - a latency histogram on a log-linear scale, and its percentiles.
 *
 * Values below 2^HIST_SUB have a bucket each; above that, each power of
 * two is split into 2^HIST_SUB buckets, so a percentile is within 1/16 of
 * the true value whatever the scale (nanoseconds to hours).  The pool's
 * task waits and run times and the model's lock, queue and task waits all
 * use this one histogram.  Not thread-safe: whoever owns one guards it.
 */
#ifndef LOCKSTEP_HIST_H
#define LOCKSTEP_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB 3
#define HIST_BUCKETS ((64 - HIST_SUB + 1) << HIST_SUB)

struct hist {
	uint64_t n;
	uint64_t bucket[HIST_BUCKETS];
};

/* Count one value. */
void hist_add(struct hist *h, uint64_t v);

/*
 * The p-th percentile (0..100, clamped) of the nh histograms in hs taken
 * together: a value inside the bucket that holds that rank, placed by the
 * rank within the bucket.  0 when they hold no value.
 */
uint64_t hist_percentile(const struct hist *const *hs, size_t nh, double p);

#endif
