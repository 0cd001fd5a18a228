/*
 * pool.c - a thread pool fed in bursts, with priorities.
 *
 * Submitters sleep, then submit a burst of tasks of mixed priority without
 * waiting: when the queue is full the submit is rejected, which is the
 * backpressure a real server must handle.  The pool grows from its minimum
 * to its maximum workers while the queue is deep, and shrinks back after
 * the keep-alive.  Invariant: every accepted task runs exactly once —
 * accepted = finished + queued + running.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lockstep/pool.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_MIN, P_MAX, P_CAPACITY, P_BURST, P_SUBMITTERS, P_TASK_MS };

#define MAX_SUBMITTERS 4
#define MS 1000000ull

struct pool_scene {
	struct ls_pool *pool;
	struct scene_run *run;
	atomic_ulong accepted, rejected, ran, ran_twice;
	struct submitter {
		struct pool_scene *s;
		uint64_t rng;
	} sub[MAX_SUBMITTERS];
};

/* A task carries its own "has run" flag so running twice is caught. */
struct task_ctx {
	struct pool_scene *s;
	uint64_t ns;
	atomic_int runs;
};

static int
task_main(void *arg)
{
	struct task_ctx *t = arg;

	if (atomic_fetch_add(&t->runs, 1))
		atomic_fetch_add(&t->s->ran_twice, 1);
	atomic_fetch_add(&t->s->ran, 1);
	return scene_work(t->s->run, t->ns) ? -ECANCELED : 0;
}

static void
task_done(void *arg)
{
	free(arg);
}

static void
task_error(void *arg, int err)
{
	(void)err;
	free(arg);
}

static void
submitter_main(void *arg)
{
	struct submitter *me = arg;
	struct pool_scene *s = me->s;
	struct scene_run *run = s->run;

	for (;;) {
		int burst = scene_param(run, P_BURST), i;

		for (i = 0; i < burst; i++) {
			struct task_ctx *t = calloc(1, sizeof(*t));
			struct ls_task task = {
				.fn = task_main,
				.on_done = task_done,
				.on_error = task_error,
			};
			int err;

			if (!t)
				return;
			t->s = s;
			t->ns = (uint64_t)scene_param(run, P_TASK_MS) * MS *
				(50 + scene_rand(&me->rng) % 101) / 100;
			task.arg = t;
			task.priority = (int)(scene_rand(&me->rng) % 4);
			err = ls_pool_submit(s->pool, &task, NULL);
			if (err) {
				free(t);
				if (err != -EAGAIN)
					return;
				atomic_fetch_add(&s->rejected, 1);
			} else {
				atomic_fetch_add(&s->accepted, 1);
			}
			if (scene_sleep(run, 20 * MS))
				return;
		}
		/* The quiet between bursts lets the pool shrink again. */
		if (scene_sleep(run, (2000 + scene_rand(&me->rng) % 3000) * MS))
			return;
	}
}

static int
pool_start(struct scene_run *run)
{
	struct pool_scene *s = run->state;
	struct ls_pool_config cfg = {
		.name = "pool",
		.min_workers = (unsigned)run->params[P_MIN],
		.max_workers = (unsigned)run->params[P_MAX],
		.capacity = (unsigned)run->params[P_CAPACITY],
		.keep_alive_ns = 1500 * MS,
	};
	char name[32];
	unsigned i;
	int err;

	s->run = run;
	if (cfg.max_workers < cfg.min_workers)
		cfg.max_workers = cfg.min_workers;
	err = ls_pool_create(run->group, &cfg, &s->pool);
	if (err)
		return err;
	for (i = 0; i < (unsigned)run->params[P_SUBMITTERS]; i++) {
		s->sub[i] = (struct submitter){ .s = s,
						.rng = scene_seed(run, i) };
		snprintf(name, sizeof(name), "submitter-%u", i + 1);
		err = ls_thread_spawn(run->group, name, submitter_main,
				      &s->sub[i]);
		if (err)
			return err;
	}
	return 0;
}

static void
pool_stop(struct scene_run *run)
{
	struct pool_scene *s = run->state;

	/* Drops what is queued: on_error frees each task's context. */
	ls_pool_destroy(s->pool);
	s->pool = NULL;
}

static bool
pool_invariant(struct scene_run *run, const char **name, char *detail,
	       size_t n)
{
	struct pool_scene *s = run->state;
	struct ls_pool_stats st;
	unsigned long accepted = atomic_load(&s->accepted);
	unsigned long twice = atomic_load(&s->ran_twice);

	ls_pool_stats(s->pool, &st);
	*name = "every accepted task runs exactly once";
	snprintf(detail, n, "accepted %lu, rejected %lu, finished %llu, "
		 "queued %u, running %u, ran twice %lu", accepted,
		 atomic_load(&s->rejected),
		 (unsigned long long)(st.completed + st.failed), st.depth,
		 st.busy, twice);
	return twice == 0 &&
	       accepted == st.completed + st.failed + st.depth + st.busy;
}

static const struct scene_param pool_params[] = {
	[P_MIN] = { .name = "min_workers", .help = "workers kept when idle",
		    .min = 0, .max = 8, .def = 1, .key = 'm', .key_down = 'M' },
	[P_MAX] = { .name = "max_workers", .help = "most workers in a burst",
		    .min = 1, .max = 16, .def = 4, .key = 'w', .key_down = 'W' },
	[P_CAPACITY] = { .name = "capacity", .help = "queued tasks before "
			 "submits are rejected", .min = 1, .max = 64, .def = 8,
			 .key = 'k', .key_down = 'K' },
	[P_BURST] = { .name = "burst", .help = "tasks per burst, live",
		      .min = 1, .max = 64, .def = 12, .key = 'u',
		      .key_down = 'U', .live = true },
	[P_SUBMITTERS] = { .name = "submitters", .help = "submitting threads",
			   .min = 1, .max = MAX_SUBMITTERS, .def = 2,
			   .key = 'o', .key_down = 'O' },
	[P_TASK_MS] = { .name = "task_ms", .help = "mean task time (ms), live",
			.min = 50, .max = 3000, .def = 600, .step = 50,
			.key = 'd', .key_down = 'D', .live = true },
};

const struct scene_def scene_pool = {
	.name = "pool",
	.title = "thread pool under bursts",
	.summary = "bursty submitters, priorities, min/max workers, a bounded "
		   "queue: backpressure and autoscale",
	.params = pool_params,
	.nparams = sizeof(pool_params) / sizeof(pool_params[0]),
	.state_size = sizeof(struct pool_scene),
	.start = pool_start,
	.stop = pool_stop,
	.invariant = pool_invariant,
	.invariant_is_safety = true,
};
