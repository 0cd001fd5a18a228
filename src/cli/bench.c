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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "lockstep/clock.h"

double
bench_now(void)
{
	return (double)ls_clock_ns() / 1e9;
}

static int
parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
bench_parse(int argc, char **argv, const char *usage, struct bench_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--runs") && v) {
			if (parse_uint(v, 1, BENCH_MAX_RUNS, &o->runs))
				goto bad_value;
			i++;
		} else if (!strcmp(a, "--threads") && v) {
			if (parse_uint(v, 1, 64, &o->threads))
				goto bad_value;
			i++;
		} else if (!strcmp(a, "--seconds") && v) {
			char *end;

			o->seconds = strtod(v, &end);
			if (end == v || *end || !(o->seconds > 0.0) ||
			    o->seconds > 60.0)
				goto bad_value;
			o->seconds_set = true;
			i++;
		} else {
			fprintf(stderr, "lockstep: bench: unknown option '%s'\n"
				"usage: %s\n", a, usage);
			return 2;
		}
		continue;
bad_value:
		fprintf(stderr, "lockstep: bench: bad value '%s' for %s\n"
			"usage: %s\n", v, a, usage);
		return 2;
	}
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
		for (i = 0; i < nr; i++)
			printf("%s\n  {\"name\": \"%s\", \"value\": %.4g, "
			       "\"target\": \"%s\", \"met\": %s}",
			       i ? "," : "", r[i].name, r[i].value,
			       r[i].target, r[i].met ? "true" : "false");
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
	for (i = 0; i < nr; i++)
		printf("  %-34s %8.2fx  target %-8s %s\n", r[i].name,
		       r[i].value, r[i].target, r[i].met ? "met" : "MISSED");
	if (notes)
		printf("\n%s", notes);
}
