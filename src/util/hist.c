/*
 * hist.c - log-linear histograms (hist.h).
 */
#include "config.h"

#include "util/hist.h"

static unsigned
hist_bucket(uint64_t v)
{
	unsigned e;

	if (v < (1u << HIST_SUB))
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	return ((e - HIST_SUB + 1) << HIST_SUB) |
	       (unsigned)((v >> (e - HIST_SUB)) & ((1u << HIST_SUB) - 1));
}

/* The smallest value bucket b holds, and its width. */
static uint64_t
hist_bucket_low(unsigned b, uint64_t *width)
{
	unsigned e, m;

	if (b < (1u << HIST_SUB)) {
		*width = 1;
		return b;
	}
	e = (b >> HIST_SUB) + HIST_SUB - 1;
	m = b & ((1u << HIST_SUB) - 1);
	*width = (uint64_t)1 << (e - HIST_SUB);
	return (uint64_t)((1u << HIST_SUB) | m) << (e - HIST_SUB);
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->bucket[hist_bucket(v)]++;
	h->n++;
}

uint64_t
hist_percentile(const struct hist *const *hs, size_t nh, double p)
{
	uint64_t n = 0, rank, cum = 0, c, lo, width;
	double want;
	unsigned b;
	size_t i;

	for (i = 0; i < nh; i++)
		n += hs[i]->n;
	if (!n)
		return 0;
	if (!(p >= 0))
		p = 0;
	if (p > 100)
		p = 100;
	want = p / 100.0 * (double)n;
	rank = (uint64_t)want;
	if ((double)rank < want)
		rank++;
	if (rank < 1)
		rank = 1;
	for (b = 0; b < HIST_BUCKETS; b++) {
		for (c = 0, i = 0; i < nh; i++)
			c += hs[i]->bucket[b];
		if (c && cum + c >= rank) {
			lo = hist_bucket_low(b, &width);
			return lo + (uint64_t)(((double)(rank - cum) - 0.5) /
					       (double)c * (double)width);
		}
		cum += c;
	}
	return UINT64_MAX;
}
