/*
 * bench.c - the benchmark harness: interleaved runs, medians, output.
 *
 * Contenders are run interleaved (A B C A B C ...) rather than one after
 * the other so that a noisy neighbour on a shared machine hits every
 * contender alike; the median of the runs then shrugs off the outliers,
 * and the spread printed beside it (min-max, and (max - min) / median)
 * says how far one run can be trusted.  Nothing here asserts a time:
 * ratios are printed with their targets and the reader judges.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "util/escape.h"
#include "util/num.h"
#include "util/opt.h"

double
bench_now(void)
{
	return (double)ls_clock_ns() / 1e9;
}

size_t
bench_drain_once(struct ls_ring *ring, struct ls_event *buf, size_t max)
{
	size_t n = 0, k;

	do {
		k = ls_ring_drain(ring, buf, max);
		n += k;
	} while (k == max);
	return n;
}

/* A bench option's value in [lo, hi], or a usage line and -EINVAL. */
static int
bench_number(const char *opt, const char *v, double lo, double hi,
	     bool integer, const char *usage, double *out)
{
	unsigned long long u;
	int err;

	err = integer ? num_parse_uint(v, (unsigned long long)lo,
				       (unsigned long long)hi, &u)
		      : num_parse_double(v, lo, hi, out);
	if (!err && integer)
		*out = (double)u;
	if (err)
		escape_line(stderr, "lockstep: bench: %s wants %s from %g to "
			    "%g, got '%s' (usage: %s)", opt,
			    integer ? "an integer" : "a number", lo, hi, v,
			    usage);
	return err;
}

int
bench_parse(int argc, char **argv, const char *usage, struct bench_opts *o)
{
	static const struct {
		const char *name;
		double lo, hi;
		bool integer;
	} nums[] = {
		{ "--runs", 1, BENCH_MAX_RUNS, true },
		{ "--threads", 1, 64, true },
		{ "--seconds", 0.001, 60, false },
	};
	enum { NNUMS = sizeof(nums) / sizeof(nums[0]) };
	double v[NNUMS] = { o->runs, o->threads, o->seconds };
	const char *val;
	int i, k, m = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o->json = true;
			continue;
		}
		for (k = 0; k < NNUMS; k++)
			if ((m = opt_value(argc, argv, &i, nums[k].name, &val)))
				break;
		if (k == NNUMS) {
			escape_line(stderr, "lockstep: bench: unknown option "
				    "'%s' (usage: %s)", argv[i], usage);
			return 2;
		}
		if (m < 0) {
			escape_line(stderr, "lockstep: bench: %s needs a value "
				    "(usage: %s)", nums[k].name, usage);
			return 2;
		}
		if (bench_number(nums[k].name, val, nums[k].lo, nums[k].hi,
				 nums[k].integer, usage, &v[k]))
			return 2;
		if (k == 2)
			o->seconds_set = true;
	}
	o->runs = (unsigned)v[0];
	o->threads = (unsigned)v[1];
	o->seconds = v[2];
	return 0;
}

void
bench_add(struct bench_figure *f, double v)
{
	if (f->n < BENCH_MAX_RUNS)
		f->v[f->n++] = v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
bench_reduce(struct bench_figure *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double s[BENCH_MAX_RUNS];

		if (!f[i].n)
			continue;
		memcpy(s, f[i].v, f[i].n * sizeof(double));
		qsort(s, f[i].n, sizeof(double), cmp_double);
		f[i].median = f[i].n % 2 ? s[f[i].n / 2]
				       : (s[f[i].n / 2 - 1] + s[f[i].n / 2]) / 2;
		f[i].min = s[0];
		f[i].max = s[f[i].n - 1];
		f[i].spread = f[i].median != 0.0
				      ? (f[i].max - f[i].min) /
						(f[i].median < 0 ? -f[i].median
								 : f[i].median)
				      : 0.0;
	}
}

static bool
bench_ratio_met(const struct bench_ratio *r)
{
	return isfinite(r->value) && r->met;
}

void
bench_print(const struct bench_opts *o, const char *title,
	    const struct bench_figure *f, size_t nf,
	    const struct bench_ratio *r, size_t nr, const char *notes)
{
	size_t i;
	unsigned j;

	if (o->json) {
		printf("{\"benchmark\": \"%s\", \"runs\": %u, \"threads\": %u, "
		       "\"figures\": [", title, o->runs, o->threads);
		for (i = 0; i < nf; i++) {
			printf("%s\n  {\"name\": \"%s\", \"unit\": \"%s\", "
			       "\"median\": %.6g, \"min\": %.6g, \"max\": %.6g, "
			       "\"spread\": %.4g, \"runs\": [",
			       i ? "," : "", f[i].name, f[i].unit, f[i].median,
			       f[i].min, f[i].max, f[i].spread);
			for (j = 0; j < f[i].n; j++)
				printf("%s%.6g", j ? ", " : "", f[i].v[j]);
			printf("]}");
		}
		printf("],\n \"ratios\": [");
		for (i = 0; i < nr; i++) {
			printf("%s\n  {\"name\": \"%s\", \"value\": ",
			       i ? "," : "", r[i].name);
			/* JSON has no NaN: a ratio of nothing is null. */
			if (isfinite(r[i].value))
				printf("%.4g", r[i].value);
			else
				printf("null");
			printf(", \"target\": \"%s\", \"met\": %s}",
			       r[i].target,
			       bench_ratio_met(&r[i]) ? "true" : "false");
		}
		printf("]}\n");
		return;
	}
	printf("%s: median of %u interleaved runs, min-max and spread "
	       "((max - min) / median)\n\n", title, o->runs);
	for (i = 0; i < nf; i++) {
		/* Small figures (ppm, ratios) keep their digits. */
		bool small = f[i].median < 100 && f[i].median > -100;

		printf(small ? "  %-34s %14.4g %-9s [%.4g - %.4g] %5.1f%%\n"
			     : "  %-34s %14.2f %-9s [%.4g - %.4g] %5.1f%%\n",
		       f[i].name, f[i].median, f[i].unit, f[i].min, f[i].max,
		       100.0 * f[i].spread);
	}
	printf("\n");
	for (i = 0; i < nr; i++) {
		/* A trial too short to deliver anything (a sanitizer build, a
		 * tiny --seconds) divides zero by zero: say so, not "-nanx". */
		if (!isfinite(r[i].value)) {
			printf("  %-34s %9s  target %-8s not measured\n",
			       r[i].name, "n/a", r[i].target);
			continue;
		}
		printf("  %-34s %8.2fx  target %-8s %s\n", r[i].name,
		       r[i].value, r[i].target, r[i].met ? "met" : "MISSED");
	}
	if (notes)
		printf("\n%s", notes);
}
