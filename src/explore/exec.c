/*
 * exec.c - run one schedule of the target (explore-int.h).
 *
 * The target runs on a ring and a control of the explorer's own, held in
 * STEP mode at full speed (simulated time would change nothing a choice
 * decides), restarted for every schedule with the same seed, so a prefix
 * of choices always leads to the same state.  Threads are known by name
 * from one schedule to the next: a listing is in spawn order, and the
 * same choices spawn the same threads in the same order.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore-int.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "util/cpu.h"
#include "util/str.h"

/* A step of the target may take this long to come to rest. */
#define EXEC_STEP_NS 10000000000ull

/* The explorer's own ring: names and tids, no events (nothing reads
 * them: a step's outcome is in the gates and the target's state), so
 * emits cost a branch and a schedule's lanes are free once its threads
 * are joined; a lane per thread a target may have. */
static int
exec_ring_create(struct ls_ring **out)
{
	struct ls_ring_config cfg = {
		.lane_events = 2, .max_lanes = 256, .no_events = true,
	};

	return ls_ring_create(&cfg, out);
}

/*
 * A ring never reuses an object id (a view relies on it: the same id is
 * the same primitive), so every schedule adds the target's objects to the
 * ring's table, and a search of a million schedules would hold millions
 * of names.  Past EXEC_RING_OBJECTS (or the options' ring_objects) the
 * exec stops its target and starts over on a fresh ring; the next
 * schedule is the same (the target is started with the same seed, and
 * threads are known by name).
 */
#define EXEC_RING_OBJECTS 65536u

/* Stop the target, if it runs, and drop the ring. */
static void
exec_ring_free(struct exec *x)
{
	if (x->live)
		control_stop(&x->c);
	x->live = false;
	ls_ring_destroy(x->ring);
	x->ring = NULL;
}

static int
exec_ring_renew(struct exec *x, char *err, size_t n)
{
	int rc;

	exec_ring_free(x);
	rc = exec_ring_create(&x->ring);
	if (rc)
		snprintf(err, n, "cannot renew the search's ring: %s",
			 strerror(-rc));
	else
		x->ring_renewals++;
	return rc;
}

/*
 * The threads of the last search, kept for the next: a search of a
 * script that breaks ends within a millisecond, and making and joining
 * its threads was a tenth of that.  They were made on one CPU and stay
 * confined to it, so the next search moves there.  One is kept; a
 * search that finds it taken (two at once) makes its own.
 */
static pthread_mutex_t exec_spare_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ls_thread_cache *exec_spare;
static int exec_spare_cpu = -1;

/* Pin the calling thread to one CPU and take the threads for it: the
 * spare ones on their CPU, else a new cache on this one.  Returns 0 or
 * a negative errno. */
static int
exec_take_threads(struct exec *x)
{
	struct ls_thread_cache *spare;
	int cpu;

	pthread_mutex_lock(&exec_spare_mu);
	spare = exec_spare;
	cpu = exec_spare_cpu;
	exec_spare = NULL;
	pthread_mutex_unlock(&exec_spare_mu);
	if (spare) {
		x->cpu = cpu_pin_to(cpu, &x->cpus_before);
		if (x->cpu >= 0) {
			x->cache = spare;
			return 0;
		}
		/* That CPU is not ours any more: its threads go. */
		ls_thread_cache_destroy(spare);
	}
	x->cpu = cpu_pin_here(&x->cpus_before);
	return ls_thread_cache_create(&x->cache);
}

/* Keep x's threads for the next search if the spare slot is free (they
 * are idle: the target has stopped), else let them go. */
static void
exec_keep_threads(struct exec *x)
{
	if (x->cache && x->cpu >= 0) {
		pthread_mutex_lock(&exec_spare_mu);
		if (!exec_spare) {
			exec_spare = x->cache;
			exec_spare_cpu = x->cpu;
			x->cache = NULL;
		}
		pthread_mutex_unlock(&exec_spare_mu);
	}
	ls_thread_cache_destroy(x->cache);
	x->cache = NULL;
}

int
exec_init(struct exec *x, const struct explore_opts *o, uint64_t seed,
	  char *err, size_t n)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->cpu = -1;
	x->brief = true;
	x->o = o;
	x->seed = seed;
	/* One thread moves at a time: on one CPU each hand-off is a
	 * context switch, not a wake-up of another core (util/cpu.h); the
	 * engine then does not spin (group_spin_pays).  Before the cache
	 * makes its threads, which inherit it. */
	rc = exec_take_threads(x);
	if (!rc)
		rc = exec_ring_create(&x->ring);
	if (rc) {
		snprintf(err, n, "cannot set up the search: %s",
			 strerror(-rc));
		exec_free(x);
	}
	return rc;
}

void
exec_free(struct exec *x)
{
	/* The ring before the cache, as a renewal does: the target has
	 * stopped, so the cache's threads are idle. */
	exec_ring_free(x);
	exec_keep_threads(x);
	free(x->hash);
	free(x->who);
	free(x->could);
	free(x->preempted);
	if (x->cpu >= 0)
		cpu_unpin(&x->cpus_before);
	memset(x, 0, sizeof(*x));
	x->cpu = -1;
}

/* Who of x->t[0..x->nt) can move.  Returns how many can. */
static size_t
exec_enabled(struct exec *x)
{
	size_t i, can = 0;

	x->enabled = 0;
	for (i = 0; i < x->nt; i++)
		if (x->t[i].can <= CAN_TIMEOUT) {
			x->enabled |= 1ull << i;
			can++;
		}
	return can;
}

size_t
exec_list(struct exec *x)
{
	x->nt = control_threads_brief(&x->c, x->t, CONTROL_MAX_THREADS);
	return exec_enabled(x);
}

int
exec_begin(struct exec *x, char *err, size_t n)
{
	int rc;

	if (x->live && ls_ring_object_count(x->ring) >
			       (x->o->ring_objects ? x->o->ring_objects
						   : EXEC_RING_OBJECTS)) {
		rc = exec_ring_renew(x, err, n);
		if (rc)
			return rc;
	}
	if (!x->live) {
		rc = control_start_cached(&x->c, x->ring, &x->o->target,
					  CONTROL_STEP, 0, x->seed, x->cache,
					  err, n);
		if (rc)
			return rc;
		/* The seed drawn (if x->seed was 0), kept for a renewal. */
		x->seed = x->c.seed;
		x->live = true;
	} else {
		rc = control_restart(&x->c, err, n);
		if (rc) {
			x->live = false;
			return rc;
		}
	}
	x->c.brief = x->brief;
	x->current = -1;
	x->current_name[0] = '\0';
	x->preemptions = 0;
	x->failed = false;
	x->out_step = 0;
	exec_list(x);
	return 0;
}

int
exec_find(const struct exec *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nt; i++)
		if (!strcmp(x->t[i].name, name))
			return (int)i;
	return -1;
}

bool
exec_preempts(const struct exec *x, size_t i)
{
	int cur = x->current_name[0] ? exec_find(x, x->current_name) : -1;

	/* Only a thread that could have gone on is preempted: one about to
	 * block, or blocked, gives the others their turn anyway. */
	return cur >= 0 && (size_t)cur != i && x->t[cur].can == CAN_MOVE;
}

bool
exec_independent(const struct exec *x, size_t i, size_t j)
{
	/* Object ids are the gates' objects: a step touches its object
	 * only (scripts by construction; scenes by their gates).  An
	 * unknown object (0) may be anything. */
	return x->t[i].obj && x->t[j].obj && x->t[i].obj != x->t[j].obj;
}

int
exec_default(const struct exec *x)
{
	static const enum control_can order[] = {
		CAN_MOVE, CAN_BLOCK, CAN_TIMEOUT,
	};
	int cur = x->current_name[0] ? exec_find(x, x->current_name) : -1;
	size_t i, k;

	if (cur >= 0 && x->t[cur].can == CAN_MOVE)
		return cur;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < x->nt; i++)
			if (x->t[i].can == order[k])
				return (int)i;
	return -1;
}

uint64_t
exec_hash(struct exec *x)
{
	const struct scene_def *def = x->o->target.def;

	return def->state_hash && x->live ? def->state_hash(&x->c.run) : 0;
}

/* Room for the livelock watch of step k. */
static int
exec_reserve(struct exec *x, size_t k)
{
	size_t cap = x->cap ? x->cap : 256;
	void *a, *b, *c, *d;

	if (k < x->cap)
		return 0;
	while (cap <= k)
		cap *= 2;
	a = realloc(x->hash, cap * sizeof(*x->hash));
	if (a)
		x->hash = a;
	b = realloc(x->who, cap * sizeof(*x->who));
	if (b)
		x->who = b;
	c = realloc(x->could, cap * sizeof(*x->could));
	if (c)
		x->could = c;
	d = realloc(x->preempted, cap * sizeof(*x->preempted));
	if (d)
		x->preempted = d;
	if (!a || !b || !c || !d)
		return -ENOMEM;
	x->cap = cap;
	return 0;
}

/*
 * After step k (0-based) left the target in state h: if an earlier step
 * left it in the same state, and every thread that could move somewhere
 * in between did move (a fair cycle, not one thread spinning while the
 * scheduler starves the other), the threads can go round for ever and
 * nothing changes: a livelock.
 */
static void
exec_check_livelock(struct exec *x, size_t k, uint64_t h)
{
	size_t j, i;

	for (j = k; j-- > 0;) {
		uint64_t could = 0, moved = 0;

		if (x->hash[j] != h)
			continue;
		for (i = j + 1; i <= k; i++) {
			could |= x->could[i];
			moved |= 1ull << x->who[i];
		}
		if ((could & ~moved) == 0) {
			x->failed = true;
			x->out.kind = LS_OUT_LIVELOCK;
			x->out.tid = 0;
			x->out.obj = 0;
			x->out.line = 0;
			snprintf(x->out.what, sizeof(x->out.what),
				 "steps %zu to %zu go round in a circle: every "
				 "thread moves and the state comes back to "
				 "what it was, so they can go on for ever "
				 "without getting anywhere", j + 2, k + 1);
			x->out_step = k + 1;
		}
		return;
	}
}

int
exec_step(struct exec *x, size_t i, char *err, size_t n)
{
	bool preempts = exec_preempts(x, i);
	uint64_t could = x->enabled;
	size_t k = x->c.nsteps;
	int rc;

	if (exec_reserve(x, k))
		return -ENOMEM;
	x->preempted[k] = preempts;
	rc = control_step_thread(&x->c, &x->t[i], EXEC_STEP_NS, err, n);
	if (rc == -EINPROGRESS) {
		snprintf(err, n, "the step of %s did not come to rest within "
			 "%.0f s", x->t[i].name, (double)EXEC_STEP_NS / 1e9);
		return -ETIMEDOUT;
	}
	if (rc)
		return rc;
	x->decisions++;
	x->preemptions += preempts;
	str_copy(x->current_name, sizeof(x->current_name), x->t[i].name);
	if (x->c.nsteps > x->deepest)
		x->deepest = x->c.nsteps;
	if (control_outcome(&x->c, &x->out, &x->out_step)) {
		x->failed = true;
	} else if (x->o->target.def->state_hash) {
		uint64_t h = exec_hash(x);

		x->hash[k] = h;
		x->who[k] = (uint8_t)i;
		x->could[k] = could;
		exec_check_livelock(x, k, h);
	}
	/* As the step left them (control.h): no second listing. */
	x->nt = x->c.nlast;
	memcpy(x->t, x->c.last, x->nt * sizeof(x->t[0]));
	exec_enabled(x);
	return 0;
}

bool
exec_over(const struct exec *x)
{
	return x->failed || !x->enabled || x->c.nsteps >= x->o->max_steps;
}

int
exec_copy(const struct exec *x, struct explore_schedule *s)
{
	struct control_step *steps = NULL;

	if (x->c.nsteps) {
		steps = malloc(x->c.nsteps * sizeof(*steps));
		if (!steps)
			return -ENOMEM;
		memcpy(steps, x->c.steps, x->c.nsteps * sizeof(*steps));
	}
	free(s->steps);
	s->steps = steps;
	s->n = x->c.nsteps;
	s->preemptions = x->preemptions;
	return 0;
}

int
exec_replay_lenient(struct exec *x, const struct control_step *steps,
		    size_t n, char *err, size_t en)
{
	size_t k;
	int rc, i;

	rc = exec_begin(x, err, en);
	for (k = 0; !rc && k < n && !exec_over(x); k++) {
		i = exec_find(x, steps[k].thread);
		if (i >= 0 && (x->enabled >> i & 1))
			rc = exec_step(x, (size_t)i, err, en);
	}
	while (!rc && !exec_over(x))
		rc = exec_step(x, (size_t)exec_default(x), err, en);
	return rc;
}

int
exec_replay_worded(struct exec *x, struct explore_schedule *s, char *err,
		   size_t en)
{
	int rc;

	x->brief = false;
	rc = exec_replay_lenient(x, s->steps, s->n, err, en);
	x->brief = true;
	if (!rc && x->failed)
		rc = exec_copy(x, s);
	return rc;
}
