/*
 * philosophers.c - five philosophers, five forks.
 *
 * Philosopher Pi thinks, takes the fork on the left (fork i), then the
 * fork on the right (fork i+1, and fork1 for P5), eats, and puts both
 * down.  Each fork is an instrumented mutex; meals are counted per
 * philosopher and shown as the variables "meals P1".."meals P5".
 *
 * If every philosopher holds the left fork, each waits for the right one,
 * held by the neighbour, for ever: a cycle of five.  The schedule makes
 * it happen at once, every time: P1..P5 each take their left fork, then
 * P1..P5 each reach for the right one.  Every fix runs under the same
 * schedule and must survive it:
 *   ordered  take the lower-numbered fork first (P5 takes fork1, then
 *            fork5), so the forks are always taken in one global order.
 *   waiter   a semaphore of four admits at most four philosophers to the
 *            table at once, so one of them always gets both forks.
 *   trylock  take the left fork, try the right one; if it is busy, put
 *            the left one back and back off for a random short time.
 *
 * Invariant: no deadlock (no cycle of philosophers each blocked on a fork
 * the next one holds) and every philosopher ate at least once; the detail
 * reports the meals, min and max, so fairness can be read off.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_FIX, P_THINK_MS, P_EAT_MS };
enum { FIX_NONE, FIX_ORDERED, FIX_WAITER, FIX_TRYLOCK };

#define N 5
/* Threads an invariant looks at: the philosophers and a few more. */
#define MAX_VIEW (N + 8)
#define MS 1000000ull
#define BACKOFF_MIN_MS 10
#define BACKOFF_SPAN_MS 100

struct table;

struct philosopher {
	struct table *s;
	unsigned idx;			/* 0..4: P1..P5 */
	char name[8];
	unsigned left, right;		/* fork indices */
	uint64_t rng;
	atomic_ulong meals;		/* written by this thread only */
	uint32_t v_meals;
};

struct table {
	struct scene_run *run;
	int fix;
	struct ls_mutex *fork[N];
	struct ls_sem *waiter;		/* fix=waiter */
	atomic_ulong retries;		/* fix=trylock: forks put back */
	uint32_t v_retries;
	struct philosopher ph[N];
};

/* d ms of workload time, +-50%. */
static uint64_t
philosophers_jitter(uint64_t *rng, int ms)
{
	return (uint64_t)ms * MS * (50 + scene_rand(rng) % 101) / 100;
}

/* Take both forks the way the fix says.  Returns 0 holding both, or a
 * negative errno (-ECANCELED) holding none. */
static int
philosophers_take(struct philosopher *me)
{
	struct table *s = me->s;
	unsigned first = me->left, second = me->right;
	int err;

	if (s->fix == FIX_ORDERED && second < first) {
		first = me->right;
		second = me->left;
	}
	if (s->fix == FIX_WAITER) {
		err = ls_sem_wait(s->waiter);
		if (err)
			return err;
	}
	for (;;) {
		err = ls_mutex_lock(s->fork[first]);
		if (err)
			goto fail;
		err = s->fix == FIX_TRYLOCK ? ls_mutex_trylock(s->fork[second])
					    : ls_mutex_lock(s->fork[second]);
		if (!err)
			return 0;
		ls_mutex_unlock(s->fork[first]);
		if (err != -EBUSY)
			goto fail;
		/* Put back: wait a random while, so the neighbours do not
		 * all retry in step for ever (livelock). */
		ls_emit(LS_EV_MARK, s->v_retries,
			atomic_fetch_add(&s->retries, 1) + 1, 0);
		err = scene_sleep(s->run, (BACKOFF_MIN_MS +
				  scene_rand(&me->rng) % BACKOFF_SPAN_MS) * MS);
		if (err)
			goto fail;
	}
fail:
	if (s->fix == FIX_WAITER)
		ls_sem_post(s->waiter);
	return err;
}

static void
philosophers_put(struct philosopher *me)
{
	struct table *s = me->s;

	ls_mutex_unlock(s->fork[me->right]);
	ls_mutex_unlock(s->fork[me->left]);
	if (s->fix == FIX_WAITER)
		ls_sem_post(s->waiter);
}

static void
philosopher_main(void *arg)
{
	struct philosopher *me = arg;
	struct table *s = me->s;
	bool first = true;
	int err;

	for (;;) {
		/* The first round is the forced one: no simulated time, so
		 * each forced step ends at the next fork. */
		if (!first && scene_sleep(s->run, philosophers_jitter(&me->rng,
				scene_param(s->run, P_THINK_MS))))
			return;
		if (philosophers_take(me))
			return;
		ls_emit(LS_EV_MARK, me->v_meals,
			atomic_fetch_add(&me->meals, 1) + 1, 0);
		err = first ? 0 : scene_work(s->run, philosophers_jitter(
				&me->rng, scene_param(s->run, P_EAT_MS)));
		philosophers_put(me);
		if (err)
			return;
		first = false;
	}
}

static int
philosophers_start(struct scene_run *run)
{
	struct table *s = run->state;
	char name[32];
	unsigned i;
	int err;

	s->run = run;
	s->fix = run->params[P_FIX];
	/* In the order of the objects panel: the meals first (one line,
	 * who ate and who starves), then the forks. */
	for (i = 0; i < N; i++) {
		struct philosopher *p = &s->ph[i];

		p->s = s;
		p->idx = i;
		snprintf(p->name, sizeof(p->name), "P%u", i + 1);
		p->left = i;
		p->right = (i + 1) % N;
		p->rng = scene_seed(run, i);
		snprintf(name, sizeof(name), "meals %s", p->name);
		p->v_meals = ls_ring_object_add(run->ring, LS_OBJ_VAR, name);
	}
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "fork%u", i + 1);
		err = ls_mutex_create(run->ring, name, &s->fork[i]);
		if (err)
			return err;
	}
	if (s->fix == FIX_WAITER) {
		err = ls_sem_create(run->ring, "waiter", N - 1, &s->waiter);
		if (err)
			return err;
	}
	if (s->fix == FIX_TRYLOCK)
		s->v_retries = ls_ring_object_add(run->ring, LS_OBJ_VAR,
						  "put back");
	for (i = 0; i < N; i++) {
		err = ls_thread_spawn(run->group, s->ph[i].name,
				      philosopher_main, &s->ph[i]);
		if (err)
			return err;
	}
	return 0;
}

static void
philosophers_stop(struct scene_run *run)
{
	struct table *s = run->state;
	unsigned i;

	for (i = 0; i < N; i++) {
		ls_mutex_destroy(s->fork[i]);
		s->fork[i] = NULL;
	}
	ls_sem_destroy(s->waiter);
	s->waiter = NULL;
}

/* Everyone takes the left fork, then everyone reaches for the right one:
 * the deadlock, at once.  The same for every fix, which must survive it. */
static const char *const *
philosophers_schedule(struct scene_run *run)
{
	static const char *const steps[] = {
		"P1", "P2", "P3", "P4", "P5",
		"P1", "P2", "P3", "P4", "P5", NULL,
	};

	(void)run;
	return steps;
}

/*
 * Is there a cycle of philosophers, each blocked on a fork that the next
 * one holds?  The group is settled, so blocked threads and fork owners are
 * still; every wait here is without a deadline.  Writes the cycle ("P1
 * waits for P2 (fork2), ...") into buf.
 */
static bool
philosophers_cycle(struct table *s, char *buf, size_t n)
{
	const struct ls_gate_view *v = s->run->view;
	size_t nv = s->run->nview, i, used = 0;
	int next[MAX_VIEW], start, k, steps;
	unsigned f;

	if (nv > MAX_VIEW)
		nv = MAX_VIEW;
	for (i = 0; i < nv; i++) {
		next[i] = -1;
		if (v[i].state != LS_STATE_BLOCKED)
			continue;
		for (f = 0; f < N; f++) {
			unsigned owner;
			size_t j;

			if (ls_mutex_id(s->fork[f]) != v[i].blocked_on)
				continue;
			owner = ls_mutex_owner(s->fork[f]);
			for (j = 0; j < nv; j++)
				if (owner && v[j].tid == owner)
					next[i] = (int)j;
		}
	}
	/* Walk from each blocked thread; after nv steps a walk that has
	 * not ended is inside a cycle. */
	for (start = 0; start < (int)nv; start++) {
		k = start;
		for (steps = 0; steps < (int)nv && k >= 0; steps++)
			k = next[k];
		if (k < 0)
			continue;
		buf[0] = '\0';
		start = k;
		do {
			used += (size_t)snprintf(buf + used,
						 used < n ? n - used : 0,
						 "%s%s", used ? "->" : "",
						 v[k].name);
			k = next[k];
		} while (k != start && used < n);
		if (used < n)
			snprintf(buf + used, n - used, "->%s", v[start].name);
		return true;
	}
	return false;
}

static bool
philosophers_invariant(struct scene_run *run, const char **name,
		       char *detail, size_t n)
{
	struct table *s = run->state;
	unsigned long meals[N], min = ~0ul, max = 0;
	char cycle[64];
	bool stuck;
	unsigned i;

	for (i = 0; i < N; i++) {
		meals[i] = atomic_load(&s->ph[i].meals);
		if (meals[i] < min)
			min = meals[i];
		if (meals[i] > max)
			max = meals[i];
	}
	stuck = philosophers_cycle(s, cycle, sizeof(cycle));
	*name = "no deadlock, every philosopher eats";
	snprintf(detail, n, "%s%s%smeals %lu %lu %lu %lu %lu (min %lu, max "
		 "%lu); forks put back %lu",
		 stuck ? "DEADLOCK: " : "", stuck ? cycle : "",
		 stuck ? "; " : "", meals[0], meals[1], meals[2], meals[3],
		 meals[4], min, max, atomic_load(&s->retries));
	return !stuck && min > 0;
}

static const char *const fixes[] = { "none", "ordered", "waiter", "trylock" };

static const struct scene_param philosophers_params[] = {
	[P_FIX] = { .name = "fix",
		    .help = "none (deadlock), ordered, waiter or trylock",
		    .min = 0, .max = 3, .def = FIX_NONE, .values = fixes,
		    .key = 'f' },
	[P_THINK_MS] = { .name = "think_ms",
			 .help = "time spent thinking (ms), live",
			 .min = 50, .max = 2000, .def = 200, .step = 50,
			 .key = 'k', .key_down = 'K', .live = true },
	[P_EAT_MS] = { .name = "eat_ms", .help = "time spent eating (ms), live",
		       .min = 50, .max = 2000, .def = 150, .step = 50,
		       .key = 'e', .key_down = 'E', .live = true },
};

const struct scene_def scene_philosophers = {
	.name = "philosophers",
	.title = "five philosophers, five forks",
	.summary = "five philosophers, five forks: deadlock; fixes: ordered "
		   "forks, a waiter, try-lock and put back",
	.params = philosophers_params,
	.nparams = sizeof(philosophers_params) /
		   sizeof(philosophers_params[0]),
	.state_size = sizeof(struct table),
	.start = philosophers_start,
	.stop = philosophers_stop,
	.schedule = philosophers_schedule,
	.invariant = philosophers_invariant,
	.judge_after_ms = 500,
};
