/*
 * bench.h - the small harness every benchmark of lockstep shares: run
 * contenders interleaved, keep the median and the spread of several runs,
 * print figures and ratios as a table or as one JSON document.
 */
#ifndef LOCKSTEP_CLI_BENCH_H
#define LOCKSTEP_CLI_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#define BENCH_MAX_RUNS 101

struct bench_opts {
	bool json;
	unsigned runs;		/* median of this many, >= 1 */
	unsigned threads;	/* producers or workers, >= 1 */
	double seconds;		/* length of a timed trial */
	bool seconds_set;	/* --seconds was given */
};

/* One measured figure: runs are collected, then reduced to a median and
 * a spread. */
struct bench_figure {
	const char *name;	/* "ring_emit_1p" */
	const char *unit;	/* "ns/event", "events/s" */
	double v[BENCH_MAX_RUNS];
	unsigned n;
	double median;
	double min, max;	/* over the runs */
	double spread;		/* (max - min) / |median|, 0 with one run */
};

/* A ratio printed after the figures, with the target it is held to. */
struct bench_ratio {
	const char *name;
	double value;
	const char *target;	/* human text: "<= 1.3" */
	bool met;
};

/* Parse "[--json] [--runs N] [--threads N] [--seconds S]" from argv
 * (argv[0] is the subcommand), each value also as --name=VALUE, numbers
 * by the strict parser of util/num.h.  Returns 0, or 2 after printing
 * one line to stderr that names what was wrong and ends with usage. */
int bench_parse(int argc, char **argv, const char *usage,
		struct bench_opts *o);

/* Add one run's value to f. */
void bench_add(struct bench_figure *f, double v);

/* Compute every figure's median, min, max and spread. */
void bench_reduce(struct bench_figure *f, size_t n);

/* Print figures and ratios under a title, as text or JSON (o->json). */
void bench_print(const struct bench_opts *o, const char *title,
		 const struct bench_figure *f, size_t nf,
		 const struct bench_ratio *r, size_t nr,
		 const char *notes);

/* Seconds on CLOCK_MONOTONIC, for timing trials. */
double bench_now(void);

/* One drain of ring as the ui does it once a frame: what it holds now,
 * through buf (max events) until a call comes back short, and not what
 * the producers go on writing meanwhile.  Draining until a call returns
 * nothing never ends while they write, and makes the consumer a spinning
 * thread (and a barrier a call) beside the producers: what a bench of the
 * engine with events on must not measure.  Returns the events taken. */
struct ls_ring;
struct ls_event;
size_t bench_drain_once(struct ls_ring *ring, struct ls_event *buf,
			size_t max);

/* Benchmarks run by `lockstep bench`.  Return the exit status. */
int bench_ring_main(const struct bench_opts *o);
int bench_clock_main(const struct bench_opts *o);

#endif
