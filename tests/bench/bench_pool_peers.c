/*
 * bench_pool_peers.c - the engine's thread pool against GLib's GThreadPool
 * and libuv's uv_queue_work, in the same process, interleaved.
 *
 * Same work as `lockstep bench pool` (src/cli/bench-pool.c): no-op tasks
 * and tasks that spin 10 us on the clock, `--threads` workers (default 2),
 * the main thread submitting, timed from the first submit until the last
 * task is done by each library's own means:
 *   ours  - ls_pool_submit_timed (blocks while the 1024-task queue is
 *           full) and ls_pool_wait_idle;
 *   glib  - g_thread_pool_push into an exclusive pool of that many threads,
 *           g_thread_pool_free(pool, FALSE, TRUE) to wait for the queue;
 *   libuv - uv_queue_work of every task from the loop thread (unbounded
 *           queue; UV_THREADPOOL_SIZE set to the worker count before libuv
 *           starts its pool), then uv_run until every after-work callback
 *           has run.
 *   libgomp - the ceiling, where the compiler has OpenMP (configure's
 *           AC_OPENMP): `#pragma omp task` for every task from a single
 *           thread of a team of workers + 1 (so as many threads as the
 *           others use), the region's end waiting for them all.  Its idle
 *           threads spin before they sleep (OMP_WAIT_POLICY unset), which
 *           the others may not do: a ceiling, not a peer to match.
 * The no-op trial has LOCKSTEP_BENCH_POOL_TASKS tasks (default 1M), the
 * 10 us one a tenth of that.
 *
 * usage: bench_pool_peers [--json] [--runs N] [--threads N]
 */
#include "config.h"

#include <glib.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cli/bench-pool.h"
#include "cli/bench.h"

static void
glib_task(gpointer data, gpointer user)
{
	(void)data;
	bench_work_do(*(const enum bench_work *)user);
}

static double
glib_trial(unsigned workers, uint64_t n, enum bench_work w)
{
	GError *error = NULL;
	GThreadPool *tp;
	uint64_t i;
	double t0;

	tp = g_thread_pool_new(glib_task, &w, (gint)workers, TRUE, &error);
	if (!tp) {
		fprintf(stderr, "bench_pool_peers: g_thread_pool_new: %s\n",
			error ? error->message : "failed");
		g_clear_error(&error);
		return -1;
	}
	t0 = bench_now();
	for (i = 0; i < n; i++)
		g_thread_pool_push(tp, GUINT_TO_POINTER(1), NULL);
	g_thread_pool_free(tp, FALSE, TRUE);
	return (double)n / (bench_now() - t0);
}

/* libuv's requests for the largest trial, allocated and touched once. */
static uv_work_t *uv_reqs;
static enum bench_work uv_work_kind;

static void
uv_task(uv_work_t *req)
{
	(void)req;
	bench_work_do(uv_work_kind);
}

static void
uv_task_done(uv_work_t *req, int status)
{
	(void)req;
	(void)status;
}

static double
uv_trial(uint64_t n, enum bench_work w)
{
	uv_loop_t loop;
	uint64_t i;
	double t0, t1;
	int err;

	err = uv_loop_init(&loop);
	if (err) {
		fprintf(stderr, "bench_pool_peers: uv_loop_init: %s\n",
			uv_strerror(err));
		return -1;
	}
	uv_work_kind = w;
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		err = uv_queue_work(&loop, &uv_reqs[i], uv_task, uv_task_done);
		if (err) {
			fprintf(stderr, "bench_pool_peers: uv_queue_work: %s\n",
				uv_strerror(err));
			return -1;
		}
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	t1 = bench_now();
	uv_loop_close(&loop);
	return (double)n / (t1 - t0);
}

#ifdef _OPENMP
static double
omp_trial(unsigned workers, uint64_t n, enum bench_work w)
{
	uint64_t i;
	double t0;

	t0 = bench_now();
#pragma omp parallel num_threads(workers + 1)
#pragma omp single
	for (i = 0; i < n; i++) {
#pragma omp task firstprivate(w)
		bench_work_do(w);
	}
	/* The region's end waits for every task. */
	return (double)n / (bench_now() - t0);
}
#endif

static struct bench_ratio
ratio(const char *name, double value, const char *target, bool met)
{
	return (struct bench_ratio){
		.name = name, .value = value, .target = target, .met = met,
	};
}

int
main(int argc, char **argv)
{
	enum { F_NOOP_OURS, F_NOOP_GLIB, F_NOOP_UV, F_10_OURS, F_10_GLIB,
	       F_10_UV, F_NOOP_OMP, F_10_OMP, F_COUNT };
	struct bench_figure f[F_COUNT] = {
		[F_NOOP_OURS] = { .name = "noop: lockstep pool",
			.unit = "tasks/s" },
		[F_NOOP_GLIB] = { .name = "noop: GThreadPool",
			.unit = "tasks/s" },
		[F_NOOP_UV] = { .name = "noop: libuv uv_queue_work",
			.unit = "tasks/s" },
		[F_10_OURS] = { .name = "10us: lockstep pool",
			.unit = "tasks/s" },
		[F_10_GLIB] = { .name = "10us: GThreadPool",
			.unit = "tasks/s" },
		[F_10_UV] = { .name = "10us: libuv uv_queue_work",
			.unit = "tasks/s" },
		[F_NOOP_OMP] = { .name = "noop: libgomp omp task",
			.unit = "tasks/s" },
		[F_10_OMP] = { .name = "10us: libgomp omp task",
			.unit = "tasks/s" },
	};
#ifdef _OPENMP
	const unsigned nf = F_COUNT;
#else
	const unsigned nf = F_NOOP_OMP;
#endif
	struct bench_opts o = { .runs = 5, .threads = 2, .seconds = 0.2 };
	uint64_t n = bench_pool_tasks(), n10 = n / 10;
	struct bench_ratio r[6];
	char size[16], notes[512];
	unsigned nr = 4;
	double v;
	bool ok = true;
	unsigned run;
	int rc;

	rc = bench_parse(argc, argv,
			 "bench_pool_peers [--json] [--runs N] [--threads N]",
			 &o);
	if (rc)
		return rc;
	/* libuv reads this once, when its pool starts: before any uv call. */
	snprintf(size, sizeof(size), "%u", o.threads);
	setenv("UV_THREADPOOL_SIZE", size, 1);
	uv_reqs = malloc(n * sizeof(*uv_reqs));
	if (!uv_reqs) {
		fprintf(stderr, "bench_pool_peers: out of memory\n");
		return 1;
	}
	/* Fault the pages in now, not inside a timed run. */
	memset(uv_reqs, 0, n * sizeof(*uv_reqs));
	/* Start libuv's threads outside the timed runs. */
	if (uv_trial(1000, WORK_NOOP) < 0)
		return 1;
#ifdef _OPENMP
	/* And libgomp's team. */
	omp_trial(o.threads, 1000, WORK_NOOP);
#endif

	for (run = 0; run < o.runs; run++) {
		bench_add(&f[F_NOOP_OURS], v = pool_trial(o.threads, n,
							  WORK_NOOP,
							  PRIO_EQUAL, false,
							  NULL));
		ok = ok && v > 0;
		bench_add(&f[F_NOOP_GLIB], v = glib_trial(o.threads, n,
							  WORK_NOOP));
		ok = ok && v > 0;
		bench_add(&f[F_NOOP_UV], v = uv_trial(n, WORK_NOOP));
		ok = ok && v > 0;
		bench_add(&f[F_10_OURS], v = pool_trial(o.threads, n10,
							WORK_10US, PRIO_EQUAL,
							false, NULL));
		ok = ok && v > 0;
		bench_add(&f[F_10_GLIB], v = glib_trial(o.threads, n10,
							WORK_10US));
		ok = ok && v > 0;
		bench_add(&f[F_10_UV], v = uv_trial(n10, WORK_10US));
		ok = ok && v > 0;
#ifdef _OPENMP
		bench_add(&f[F_NOOP_OMP], omp_trial(o.threads, n, WORK_NOOP));
		bench_add(&f[F_10_OMP], omp_trial(o.threads, n10, WORK_10US));
#endif
	}
	free(uv_reqs);
	if (!ok) {
		fprintf(stderr, "bench_pool_peers: a trial failed\n");
		return 1;
	}
	bench_reduce(f, nf);
	r[0] = ratio("noop: ours / GThreadPool",
		     f[F_NOOP_OURS].median / f[F_NOOP_GLIB].median, ">= 2",
		     f[F_NOOP_OURS].median / f[F_NOOP_GLIB].median >= 2);
	r[1] = ratio("noop: ours / libuv",
		     f[F_NOOP_OURS].median / f[F_NOOP_UV].median, ">= 1.0",
		     f[F_NOOP_OURS].median / f[F_NOOP_UV].median >= 1.0);
	r[2] = ratio("10us: ours / GThreadPool",
		     f[F_10_OURS].median / f[F_10_GLIB].median, ">= 0.95",
		     f[F_10_OURS].median / f[F_10_GLIB].median >= 0.95);
	r[3] = ratio("10us: ours / libuv",
		     f[F_10_OURS].median / f[F_10_UV].median, ">= 0.95",
		     f[F_10_OURS].median / f[F_10_UV].median >= 0.95);
#ifdef _OPENMP
	r[nr++] = ratio("noop: ours / libgomp (ceiling)",
			f[F_NOOP_OURS].median / f[F_NOOP_OMP].median, "info",
			true);
	r[nr++] = ratio("10us: ours / libgomp (ceiling)",
			f[F_10_OURS].median / f[F_10_OMP].median, "info",
			true);
#endif
	snprintf(notes, sizeof(notes),
		 "%u workers each, the main thread submitting; noop %llu "
		 "tasks, 10us %llu;\nours: queue of 1024, blocking submit; "
		 "glib and libuv: unbounded queues.\n%s", o.threads,
		 (unsigned long long)n, (unsigned long long)n10,
#ifdef _OPENMP
		 "libgomp: a team of workers + 1, one thread creating the "
		 "tasks; its idle\nthreads spin before sleeping.\n"
#else
		 "libgomp: not built (configure found no OpenMP in this "
		 "compiler).\n"
#endif
	);
	bench_print(&o, "pool peers", f, nf, r, nr, notes);
	return 0;
}
