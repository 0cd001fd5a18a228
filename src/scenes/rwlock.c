/*
 * rwlock.c - readers and writers on one read-write lock.
 *
 * Each thread loops: think, then either read (shared) or write (exclusive)
 * for a while, by the read/write mix.  The mix changes live; the lock's
 * policy (writer-preferring, reader-preferring, fair) is chosen when the
 * lock is made, so changing it restarts the scene.  Invariant: a writer is
 * always alone, and no reader is inside while a writer is.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/rwlock.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_THREADS, P_READ_PCT, P_POLICY, P_HOLD_MS };

#define MAX_THREADS 64
#define MS 1000000ull

struct rw_scene {
	struct ls_rwlock *lock;
	struct scene_run *run;
	atomic_int readers_in, writers_in;
	atomic_ulong violations, reads, writes;
	struct rw_worker {
		struct rw_scene *s;
		uint64_t rng;
	} w[MAX_THREADS];
};

static void
check_inside(struct rw_scene *s, bool writer)
{
	int r = atomic_load(&s->readers_in), w = atomic_load(&s->writers_in);

	if (writer ? (w != 1 || r != 0) : (w != 0))
		atomic_fetch_add(&s->violations, 1);
}

static void
rw_main(void *arg)
{
	struct rw_worker *me = arg;
	struct rw_scene *s = me->s;
	struct scene_run *run = s->run;

	for (;;) {
		bool write = (int)(scene_rand(&me->rng) % 100) >=
			     scene_param(run, P_READ_PCT);
		uint64_t hold = (uint64_t)scene_param(run, P_HOLD_MS) * MS *
				(50 + scene_rand(&me->rng) % 101) / 100;
		int err;

		if (scene_sleep(run, hold * (1 + scene_rand(&me->rng) % 3)))
			return;
		err = write ? ls_rwlock_wrlock(s->lock) : ls_rwlock_rdlock(s->lock);
		if (err)
			return;
		atomic_fetch_add(write ? &s->writers_in : &s->readers_in, 1);
		check_inside(s, write);
		atomic_fetch_add(write ? &s->writes : &s->reads, 1);
		err = scene_work(run, hold);
		check_inside(s, write);
		atomic_fetch_sub(write ? &s->writers_in : &s->readers_in, 1);
		ls_rwlock_unlock(s->lock);
		if (err)
			return;
	}
}

static int
rw_start(struct scene_run *run)
{
	struct rw_scene *s = run->state;
	unsigned i, n = (unsigned)run->params[P_THREADS];
	char name[32];
	int err;

	s->run = run;
	err = ls_rwlock_create(run->ring, "table",
			       (enum ls_rwlock_policy)run->params[P_POLICY],
			       &s->lock);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		s->w[i] = (struct rw_worker){ .s = s,
					      .rng = scene_seed(run, i) };
		snprintf(name, sizeof(name), "worker-%u", i + 1);
		err = ls_thread_spawn(run->group, name, rw_main, &s->w[i]);
		if (err)
			return err;
	}
	return 0;
}

static void
rw_stop(struct scene_run *run)
{
	struct rw_scene *s = run->state;

	ls_rwlock_destroy(s->lock);
	s->lock = NULL;
}

static bool
rw_invariant(struct scene_run *run, const char **name, char *detail,
	     size_t n)
{
	struct rw_scene *s = run->state;
	unsigned long v = atomic_load(&s->violations);

	*name = "a writer is alone; no reader while a writer is inside";
	snprintf(detail, n, "%lu reads, %lu writes, %lu violations",
		 atomic_load(&s->reads), atomic_load(&s->writes), v);
	return v == 0;
}

static const char *const policies[] = { "writer", "reader", "fair" };

static const struct scene_param rw_params[] = {
	[P_THREADS] = { .name = "threads", .help = "threads sharing the lock",
			.min = 1, .max = MAX_THREADS, .def = 5,
			.key = 'w', .key_down = 'W' },
	[P_READ_PCT] = { .name = "read_pct",
			 .help = "percent of operations that read, live",
			 .min = 0, .max = 100, .def = 80, .step = 10,
			 .key = 'a', .key_down = 'A', .live = true },
	[P_POLICY] = { .name = "policy",
		       .help = "who goes first: writer, reader or fair (FIFO)",
		       .min = 0, .max = 2, .def = 0, .values = policies,
		       .key = 'o' },
	[P_HOLD_MS] = { .name = "hold_ms",
			.help = "time inside the lock (ms), live",
			.min = 50, .max = 2000, .def = 400, .step = 50,
			.key = 'h', .key_down = 'H', .live = true },
};

const struct scene_def scene_rwlock = {
	.name = "rwlock",
	.title = "readers and writers",
	.summary = "readers share, writers are alone; writer- vs "
		   "reader-preferring vs fair",
	.params = rw_params,
	.nparams = sizeof(rw_params) / sizeof(rw_params[0]),
	.state_size = sizeof(struct rw_scene),
	.start = rw_start,
	.stop = rw_stop,
	.invariant = rw_invariant,
	.invariant_is_safety = true,
};
