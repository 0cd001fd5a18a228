/*
 * bench_record.c - what recordings and trace export cost per event, each
 * against a floor run in the same process, interleaved, median of --runs
 * (5 by default):
 *   record_write   the writer (encode, checksum, stdio to /dev/null)
 *                  against fwrite of the raw 32-byte events, and against
 *                  the model fold the drain already pays for each event;
 *   record_read    the reader over an in-memory recording against a copy
 *                  of the same bytes;
 *   export         Chrome trace JSON to /dev/null against the model fold
 *                  alone (the exporter folds every event into a model).
 * The stream: 4 threads contending for 2 mutexes and passing items
 * through a queue, BENCH_RECORD_EVENTS events (1000000).
 * Usage: bench_record [--json] [--runs N]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/export.h"
#include "model/model.h"
#include "testutil.h"
#include "trace/record.h"

/* A plausible stream: lock waits, hand-offs, pushes and pops. */
static struct ls_event *
make_stream(size_t n)
{
	struct ls_event *ev = calloc(n, sizeof(*ev));
	uint32_t seq[5] = { 0 };
	uint64_t rng = 42;
	size_t i;

	if (!ev)
		return NULL;
	for (i = 0; i < n; i++) {
		uint64_t r = test_rng_next(&rng);
		unsigned tid = 1 + (unsigned)(r % 4), step = (unsigned)(i / 4 % 6);
		static const unsigned kinds[6] = {
			LS_EV_LOCK_WAIT, LS_EV_LOCK_ACQUIRED, LS_EV_LOCK_RELEASED,
			LS_EV_Q_PUSHED, LS_EV_Q_POPPED, LS_EV_STATE,
		};

		ev[i] = (struct ls_event){
			.ts = 1000 + i * 37, .tid = (uint16_t)tid,
			.kind = (uint16_t)kinds[step],
			.obj = step < 3 ? 1 + (unsigned)(r >> 8) % 2 : 3,
			.arg = step == 5 ? LS_STATE_RUNNING : (r >> 16) % 8,
			.aux = 8, .seq = seq[tid]++,
		};
	}
	return ev;
}

static void
names(struct record_writer *w)
{
	record_write_thread(w, 1, "alice");
	record_write_thread(w, 2, "bob");
	record_write_thread(w, 3, "carol");
	record_write_thread(w, 4, "dave");
	record_write_object(w, 1, LS_OBJ_MUTEX, "A");
	record_write_object(w, 2, LS_OBJ_MUTEX, "B");
	record_write_object(w, 3, LS_OBJ_QUEUE, "q");
}

/* ns per event of each contender. */
static double
time_raw_write(const struct ls_event *ev, size_t n, FILE *null)
{
	double t = bench_now();
	size_t i;

	for (i = 0; i < n; i += 4096)
		fwrite(ev + i, sizeof(*ev), n - i < 4096 ? n - i : 4096, null);
	fflush(null);
	return (bench_now() - t) * 1e9 / (double)n;
}

static double
time_record_write(const struct ls_event *ev, size_t n, FILE *null)
{
	struct record_writer *w;
	char err[256];
	double t = bench_now();
	size_t i;

	if (record_writer_fopen(null, "/dev/null", &w, err, sizeof(err)))
		return 0;
	names(w);
	for (i = 0; i < n; i += 4096)
		record_write_events(w, ev + i, n - i < 4096 ? n - i : 4096);
	record_writer_close(w, err, sizeof(err));
	return (bench_now() - t) * 1e9 / (double)n;
}

static double
time_copy(const char *buf, size_t len, size_t n, char *copy)
{
	double t = bench_now();

	memcpy(copy, buf, len);
	/* Keep the copy observable. */
	__asm__ volatile("" : : "r"(copy) : "memory");
	return (bench_now() - t) * 1e9 / (double)n;
}

static double
time_record_read(const char *buf, size_t len, size_t n)
{
	struct record_reader *r;
	struct record_item it;
	char err[256];
	double t = bench_now();

	if (record_reader_open_mem(buf, len, "mem", &r, err, sizeof(err)))
		return 0;
	while (record_read(r, &it, err, sizeof(err)) > 0)
		;
	record_reader_close(r);
	return (bench_now() - t) * 1e9 / (double)n;
}

static double
time_model(const struct ls_event *ev, size_t n, struct model *m)
{
	double t = bench_now();
	size_t i;

	model_init(m);
	for (i = 0; i < n; i++)
		model_apply(m, &ev[i]);
	return (bench_now() - t) * 1e9 / (double)n;
}

static double
time_export(const struct ls_event *ev, size_t n, FILE *null)
{
	struct export *x;
	double t = bench_now();
	size_t i;

	if (export_open(null, "bench", &x))
		return 0;
	export_thread_name(x, 1, "alice");
	export_object_name(x, 1, LS_OBJ_MUTEX, "A");
	for (i = 0; i < n; i++)
		export_event(x, &ev[i]);
	export_close(x);
	return (bench_now() - t) * 1e9 / (double)n;
}

/* "median (min-max)" of a figure, into buf. */
static void
spread(const struct bench_figure *f, char *buf, size_t n)
{
	double lo = f->v[0], hi = f->v[0];
	unsigned i;

	for (i = 1; i < f->n; i++) {
		lo = f->v[i] < lo ? f->v[i] : lo;
		hi = f->v[i] > hi ? f->v[i] : hi;
	}
	snprintf(buf, n, "%s %.1f (%.1f-%.1f) %s", f->name, f->median, lo, hi,
		 f->unit);
}

int
main(int argc, char **argv)
{
	struct bench_opts o = { .runs = 5, .threads = 1, .seconds = 1 };
	const size_t n = test_size("BENCH_RECORD_EVENTS", 1000000, 100000);
	struct bench_figure f[6] = {
		{ .name = "raw_fwrite", .unit = "ns/event" },
		{ .name = "record_write", .unit = "ns/event" },
		{ .name = "copy", .unit = "ns/event" },
		{ .name = "record_read", .unit = "ns/event" },
		{ .name = "model_fold", .unit = "ns/event" },
		{ .name = "export", .unit = "ns/event" },
	};
	struct bench_ratio r[4];
	struct ls_event *ev = make_stream(n);
	struct model *m = malloc(sizeof(*m));
	struct record_writer *w;
	char *buf = NULL, *copy, notes[1024], err[256];
	size_t len = 0, used = 0, i;
	unsigned run;
	FILE *null = fopen("/dev/null", "w"), *mem;
	int rc;

	rc = bench_parse(argc, argv, "bench_record [--json] [--runs N]", &o);
	if (rc)
		return rc;
	if (!ev || !m || !null)
		return 1;
	/* The recording the reader reads. */
	mem = open_memstream(&buf, &len);
	if (!mem || record_writer_fopen(mem, "mem", &w, err, sizeof(err)))
		return 1;
	names(w);
	record_write_events(w, ev, n);
	if (record_writer_close(w, err, sizeof(err)) || fclose(mem))
		return 1;
	copy = malloc(len);
	if (!copy)
		return 1;
	for (run = 0; run < o.runs; run++) {
		bench_add(&f[0], time_raw_write(ev, n, null));
		bench_add(&f[1], time_record_write(ev, n, null));
		bench_add(&f[2], time_copy(buf, len, n, copy));
		bench_add(&f[3], time_record_read(buf, len, n));
		bench_add(&f[4], time_model(ev, n, m));
		bench_add(&f[5], time_export(ev, n, null));
	}
	bench_reduce(f, 6);
	r[0] = (struct bench_ratio){ "record_write / raw_fwrite",
				     f[1].median / f[0].median, "report", true };
	r[1] = (struct bench_ratio){ "record_read / copy",
				     f[3].median / f[2].median, "report", true };
	r[2] = (struct bench_ratio){ "export / model_fold",
				     f[5].median / f[4].median, "report", true };
	/* What recording adds to a drain that already folds each event. */
	r[3] = (struct bench_ratio){ "record_write / model_fold",
				     f[1].median / f[4].median, "report", true };
	used = (size_t)snprintf(notes, sizeof(notes), "%zu events, %zu bytes "
				"recorded (%.1f bytes/event); median (min-max) "
				"of %u runs:", n, len, (double)len / (double)n,
				o.runs);
	for (i = 0; i < 6 && used < sizeof(notes); i++) {
		char s[128];

		spread(&f[i], s, sizeof(s));
		used += (size_t)snprintf(notes + used, sizeof(notes) - used,
					 "\n  %s", s);
	}
	bench_print(&o, "recordings and trace export", f, 6, r, 4, notes);
	free(copy);
	free(buf);
	free(ev);
	free(m);
	fclose(null);
	return 0;
}
