/*
 * sizing.c - how many workers should a pool have?
 *
 * A submitter thread sweeps the pool size from 1 to max workers.  At each
 * size it keeps the pool's queue full of tasks of the chosen mix for a
 * fixed measuring window, and the tasks finished per second are
 * published as MARK events on the "tasks/s" variable (aux = workers),
 * which the ui draws as a chart beside the two rules of thumb: N = cores
 * for CPU-bound work, N = cores x (1 + W/C) when tasks wait W for every C
 * they compute.
 *
 * A task's computation is a fixed amount of work, measured in the
 * thread's own CPU time, not a wall-clock deadline: a worker that the
 * kernel takes off its core does not get that time counted, so with more
 * CPU-bound workers than cores each task takes longer and the curve
 * flattens at N = cores, as on a real machine.  The wait part is a sleep
 * (I/O), which costs no core.  The sweep measures the real machine, so
 * the speed control does not apply to it.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_MIX, P_MAX_WORKERS, P_WINDOW_MS };

#define MS 1000000ull
#define TASK_NS (20 * MS)	/* one task's time (C + W) when alone */

/* Compute (C) and wait (W) parts of a task for each mix, in ns. */
static const struct mix {
	uint64_t compute, wait;
} mixes[] = {
	{ TASK_NS, 0 },				/* cpu */
	{ TASK_NS / 5, TASK_NS * 4 / 5 },	/* mixed: W/C = 4 */
	{ TASK_NS / 20, TASK_NS * 19 / 20 },	/* io: W/C = 19 */
};

struct sizing {
	struct scene_run *run;
	uint32_t v_throughput, v_cores, v_rule;
	uint64_t cores, rule;		/* the two rules of thumb */
	atomic_ulong finished;
	_Atomic unsigned sizes_done;
};

/* The CPU time the calling thread has used, ns. */
static uint64_t
sizing_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return ls_clock_ns();	/* no such clock: wall time */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
sizing_task(void *arg)
{
	struct sizing *s = arg;
	const struct mix *m = &mixes[scene_param(s->run, P_MIX)];
	uint64_t end = sizing_cpu_ns() + m->compute;

	/* Real computation, counted in this thread's CPU time: while the
	 * kernel runs another worker on our core the work does not get
	 * done, so CPU-bound tasks really compete for the cores. */
	while (sizing_cpu_ns() < end)
		if (ls_cancelled())
			return -ECANCELED;
	if (m->wait && ls_thread_sleep(m->wait))
		return -ECANCELED;
	atomic_fetch_add(&s->finished, 1);
	return 0;
}

/* Keep p's queue full for fill_ns, then measure tasks finished per
 * second over window_ns.  Returns the rate, or -1 when cancelled. */
static double
measure(struct sizing *s, struct ls_pool *p, uint64_t fill_ns,
	uint64_t window_ns)
{
	struct ls_task t = { .fn = sizing_task, .arg = s };
	uint64_t start = ls_clock_ns(), t0 = 0, now;
	unsigned long before = 0;

	for (;;) {
		int err = ls_pool_submit_timed(p, &t, 20 * MS, NULL);

		if (err == -ECANCELED || ls_cancelled())
			return -1;
		now = ls_clock_ns();
		if (!t0 && now - start >= fill_ns) {
			before = atomic_load(&s->finished);
			t0 = now;
		}
		if (t0 && now - t0 >= window_ns)
			return (double)(atomic_load(&s->finished) - before) *
			       1e9 / (double)(now - t0);
	}
}

static void
submitter_main(void *arg)
{
	struct sizing *s = arg;
	struct scene_run *run = s->run;
	unsigned n, max = (unsigned)run->params[P_MAX_WORKERS];
	uint64_t window = (uint64_t)run->params[P_WINDOW_MS] * MS;

	ls_emit(LS_EV_MARK, s->v_cores, s->cores, 0);
	ls_emit(LS_EV_MARK, s->v_rule, s->rule, 0);
	for (n = 1; n <= max; n++) {
		struct ls_pool_config cfg = {
			.name = "pool", .min_workers = n, .max_workers = n,
			.capacity = 4 * n,
		};
		struct ls_pool *p;
		double rate;

		if (ls_pool_create(run->group, &cfg, &p))
			return;
		rate = measure(s, p, window / 4, window);
		ls_pool_destroy(p);
		if (rate < 0)
			return;
		ls_emit(LS_EV_MARK, s->v_throughput, (uint64_t)(rate + 0.5), n);
		s->sizes_done = n;
	}
}

static int
sizing_start(struct scene_run *run)
{
	struct sizing *s = run->state;
	const struct mix *m = &mixes[run->params[P_MIX]];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	s->run = run;
	s->cores = cores < 1 ? 1 : (uint64_t)cores;
	s->rule = s->cores * (m->compute + m->wait) / m->compute;
	s->v_throughput = ls_ring_object_add(run->ring, LS_OBJ_VAR,
					     "tasks/s");
	s->v_cores = ls_ring_object_add(run->ring, LS_OBJ_VAR, "N=cores");
	s->v_rule = ls_ring_object_add(run->ring, LS_OBJ_VAR,
				       "N=cores*(1+W/C)");
	return ls_thread_spawn(run->group, "submitter", submitter_main, s);
}

static bool
sizing_invariant(struct scene_run *run, const char **name, char *detail,
		 size_t n)
{
	struct sizing *s = run->state;

	*name = "the sweep makes progress";
	snprintf(detail, n, "%u of %d pool sizes measured, %lu tasks",
		 atomic_load(&s->sizes_done), run->params[P_MAX_WORKERS],
		 atomic_load(&s->finished));
	return atomic_load(&s->finished) > 0;
}

static const char *const mix_names[] = { "cpu", "mixed", "io" };

static const struct scene_param sizing_params[] = {
	[P_MIX] = { .name = "mix", .help = "task mix: cpu, mixed (W/C=4) or "
		    "io (W/C=19)", .min = 0, .max = 2, .def = 1,
		    .values = mix_names, .key = 'm' },
	[P_MAX_WORKERS] = { .name = "max_workers", .help = "sweep 1..this",
			    .min = 2, .max = 16, .def = 12,
			    .key = 'w', .key_down = 'W' },
	[P_WINDOW_MS] = { .name = "window_ms",
			  .help = "measuring time per pool size (ms)",
			  .min = 200, .max = 5000, .def = 1000, .step = 100,
			  .key = 'i', .key_down = 'I' },
};

const struct scene_def scene_sizing = {
	.name = "sizing",
	.title = "how many workers?",
	.summary = "CPU-bound vs I/O-bound tasks: throughput against pool "
		   "size, N = cores vs N = cores x (1 + W/C)",
	.params = sizing_params,
	.nparams = sizeof(sizing_params) / sizeof(sizing_params[0]),
	.state_size = sizeof(struct sizing),
	.start = sizing_start,
	.stop = NULL,
	.invariant = sizing_invariant,
	.judge_after_ms = 1000,
};
