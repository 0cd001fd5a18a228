/*
 * deploy.c - servers read a two-field config while a deployer changes it
 * field by field: torn reads, the Knight Capital failure in miniature.
 *
 * The config is a feature flag and the code version the flag belongs to:
 * flag off with version 7 (the old release) or flag on with version 8 (the
 * new one).  The deployer rolls forward and back: it writes the flag, then
 * spends ROLLOUT_MS copying code to the servers, then writes the version.
 * Servers serve requests; each reads the flag, then the version, and a
 * pair that does not belong together (new flag with old code, or the
 * reverse) is a torn read, reported the moment it happens (TORN READ),
 * with what every server saw last.  In the broken variant each field is a relaxed
 * atomic, so every single read is defined and race-free for TSan and the
 * tear is still real: it is the pair that is not atomic.
 *
 * Fixes:
 *   swap    the deployer builds a new config in private memory and
 *           publishes it with one atomic pointer store; a reader sees the
 *           old config or the new one, never a mix.  Readers may still
 *           hold the old pointer, so retired configs are freed only when
 *           no reader's hazard pointer names them (deploy_protect).
 *   rwlock  both fields are read under a read lock and written under the
 *           write lock: readers wait out the whole rollout.
 *
 * Gates "write flag", "write version" (deployer) and "read flag", "read
 * version" (servers) are the step boundaries.  The forced schedule lets
 * the deployer write the flag, then server-1 read both fields, before the
 * deployer may write the version: with fix=none that is a torn read every
 * time.  Under rwlock server-1 blocks on the lock (its step is skipped);
 * under swap the flag was written into a config nobody can see yet.
 *
 * Invariant: zero torn reads.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_FIX, P_WORKERS };
enum { FIX_NONE, FIX_SWAP, FIX_RWLOCK };

#define MS 1000000ull
#define MAX_WORKERS 8
#define V_OLD 7			/* the release whose code ignores the flag */
#define V_NEW 8			/* the release the flag belongs to */
#define ROLLOUT_MS 200		/* between the two field writes */
#define DEPLOY_EVERY_MS 400	/* between deploys */
#define SERVE_MS 20		/* one request */

/*
 * A config as the swap fix publishes it.  flag and version never change
 * once the config is published.  retired_next links the deployer's list
 * of unpublished configs: only the deployer touches it, only after the
 * config was unpublished, and no worker reads it.
 */
struct config {
	int flag;
	int version;
	struct config *retired_next;
};

struct worker {
	struct deploy *s;
	unsigned idx;
	char name[24];
	/* The pair this server read last (-1: none yet): written by it,
	 * read by the one that reports a torn read. */
	atomic_int seen_flag, seen_version;
};

struct deploy {
	struct scene_run *run;
	int fix;
	unsigned nworkers;

	/* none and rwlock: the two fields, each read and written whole
	 * (relaxed: the lesson is about the pair, not the field). */
	atomic_int flag, version;
	struct ls_rwlock *lock;		/* rwlock */

	/* swap: the published config, one hazard pointer per worker (the
	 * config it is reading, or NULL), and the configs unpublished but
	 * perhaps still read, owned by the deployer. */
	_Atomic(struct config *) cur;
	_Atomic(struct config *) hazard[MAX_WORKERS];
	struct config *retired;

	atomic_ulong torn, served;
	uint32_t v_flag, v_version, v_torn, v_torn_rate, v_rate;
	struct worker w[MAX_WORKERS];
};

/* Wait ns of workload time at the run's speed, shown as idle: the
 * deployer between deploys, so its rollouts (I/O) stand out on the
 * timeline.  Returns 0 or -ECANCELED. */
static int
deploy_idle(struct scene_run *run, uint64_t ns)
{
	unsigned speed = atomic_load_explicit(&run->speed_permille,
					      memory_order_relaxed);

	if (!speed)
		return ls_cancelled() ? -ECANCELED : 0;
	return ls_thread_sleep_as(ns * 1000 / speed, LS_STATE_IDLE);
}

/* Does the pair belong together? */
static bool
deploy_consistent(int flag, int version)
{
	return (flag == 1) == (version == V_NEW);
}

/*
 * Take a hazard pointer on the published config for worker i and return
 * the config, which stays allocated until the hazard is cleared.
 * Everything here and in deploy_reclaim is seq_cst: the worker stores its
 * hazard, then loads cur; the deployer stores cur, then loads the
 * hazards.  Only a single total order over those four accesses promises
 * that one side sees the other: either the deployer's scan sees the
 * hazard and keeps the config, or the worker's second load sees the new
 * pointer and it retries.
 */
static struct config *
deploy_protect(struct deploy *s, unsigned i)
{
	struct config *p = atomic_load(&s->cur), *q;

	for (;;) {
		atomic_store(&s->hazard[i], p);
		q = atomic_load(&s->cur);
		if (q == p)
			return p;
		p = q;
	}
}

/* Free every retired config that no hazard pointer names.  Deployer only.
 * At most two per worker survive a pass (the one it had when the pass
 * began and one stale load it published during it), so the list stays
 * short. */
static void
deploy_reclaim(struct deploy *s)
{
	struct config **pp = &s->retired, *c;
	unsigned i;

	while ((c = *pp)) {
		for (i = 0; i < s->nworkers; i++)
			if (atomic_load(&s->hazard[i]) == c)
				break;
		if (i < s->nworkers) {
			pp = &c->retired_next;
			continue;
		}
		*pp = c->retired_next;
		free(c);
	}
}

/* Show the config the servers now see. */
static void
deploy_show(struct deploy *s, int flag, int version)
{
	ls_emit(LS_EV_MARK, s->v_flag, (uint64_t)flag, 0);
	ls_emit(LS_EV_MARK, s->v_version, (uint64_t)version, 0);
}

/* none and rwlock: write the fields one at a time, with the rollout in
 * between.  Returns 0 or -ECANCELED. */
static int
deploy_fields(struct deploy *s, int flag, int version)
{
	int err;

	if (s->lock) {
		err = ls_rwlock_wrlock(s->lock);
		if (err)
			return err;
	}
	err = ls_gate(LS_EV_MARK, s->v_flag, "write flag");
	if (!err) {
		atomic_store_explicit(&s->flag, flag, memory_order_relaxed);
		ls_emit(LS_EV_MARK, s->v_flag, (uint64_t)flag, LS_MARK_WRITE);
		/* Copying the code to the servers: the window in which the
		 * flag is new and the version is not. */
		err = scene_sleep(s->run, ROLLOUT_MS * MS);
	}
	if (!err)
		err = ls_gate(LS_EV_MARK, s->v_version, "write version");
	if (!err) {
		atomic_store_explicit(&s->version, version,
				      memory_order_relaxed);
		ls_emit(LS_EV_MARK, s->v_version, (uint64_t)version,
			LS_MARK_WRITE);
	}
	if (s->lock)
		ls_rwlock_unlock(s->lock);
	return err;
}

/* swap: fill a fresh config nobody can see, publish it with one atomic
 * exchange, retire the old one.  Returns 0, -ECANCELED or -ENOMEM. */
static int
deploy_swap(struct deploy *s, int flag, int version)
{
	struct config *c = calloc(1, sizeof(*c)), *old;
	int err;

	if (!c)
		return -ENOMEM;
	err = ls_gate(LS_EV_MARK, s->v_flag, "write flag");
	if (!err) {
		c->flag = flag;
		err = scene_sleep(s->run, ROLLOUT_MS * MS);
	}
	if (!err)
		err = ls_gate(LS_EV_MARK, s->v_version, "write version");
	if (!err) {
		c->version = version;
		err = ls_gate(LS_EV_MARK, s->v_version, "publish config");
	}
	if (err) {
		free(c);
		return err;
	}
	/* seq_cst, see deploy_protect; it also orders the field writes
	 * above before any reader's load of the pointer. */
	old = atomic_exchange(&s->cur, c);
	deploy_show(s, flag, version);
	old->retired_next = s->retired;
	s->retired = old;
	deploy_reclaim(s);
	return 0;
}

static void
deployer_main(void *arg)
{
	struct deploy *s = arg;
	struct scene_run *run = s->run;
	uint64_t last = ls_clock_ns();
	unsigned long torn_last = 0, served_last = 0;
	unsigned n;

	deploy_show(s, 0, V_OLD);
	ls_emit(LS_EV_MARK, s->v_torn, 0, 0);
	ls_emit(LS_EV_MARK, s->v_torn_rate, 0, 0);
	ls_emit(LS_EV_MARK, s->v_rate, 0, 0);
	for (n = 1;; n++) {
		int flag = (int)(n & 1), version = flag ? V_NEW : V_OLD;
		unsigned long torn, served;
		uint64_t now, dt;
		int err;

		err = s->fix == FIX_SWAP ? deploy_swap(s, flag, version)
					 : deploy_fields(s, flag, version);
		if (err)
			return;
		/* Rates over the last cycle; the total again, since workers
		 * that count at once may emit their totals out of order. */
		now = ls_clock_ns();
		dt = now - last > 0 ? now - last : 1;
		torn = atomic_load(&s->torn);
		served = atomic_load(&s->served);
		ls_emit(LS_EV_MARK, s->v_torn, torn, 0);
		ls_emit(LS_EV_MARK, s->v_torn_rate,
			(torn - torn_last) * 1000000000ull / dt, 0);
		ls_emit(LS_EV_MARK, s->v_rate,
			(served - served_last) * 1000000000ull / dt, 0);
		last = now;
		torn_last = torn;
		served_last = served;
		if (deploy_idle(run, DEPLOY_EVERY_MS * MS))
			return;
	}
}

/* Read the pair as the fix says.  Returns 0 or -ECANCELED. */
static int
deploy_read(struct deploy *s, unsigned i, int *flag, int *version)
{
	struct config *c = NULL;
	int err;

	if (s->fix == FIX_SWAP) {
		c = deploy_protect(s, i);
	} else if (s->lock) {
		err = ls_rwlock_rdlock(s->lock);
		if (err)
			return err;
	}
	err = ls_gate(LS_EV_MARK, s->v_flag, "read flag");
	if (!err) {
		*flag = c ? c->flag
			  : atomic_load_explicit(&s->flag,
						 memory_order_relaxed);
		ls_emit(LS_EV_MARK, s->v_flag, (uint64_t)*flag, LS_MARK_READ);
		err = ls_gate(LS_EV_MARK, s->v_version, "read version");
	}
	if (!err) {
		*version = c ? c->version
			     : atomic_load_explicit(&s->version,
						    memory_order_relaxed);
		ls_emit(LS_EV_MARK, s->v_version, (uint64_t)*version,
			LS_MARK_READ);
	}
	if (c)
		atomic_store(&s->hazard[i], NULL);
	else if (s->lock)
		ls_rwlock_unlock(s->lock);
	return err;
}

/* "flag on, version 7" */
static void
deploy_pair(char *buf, size_t n, int flag, int version)
{
	if (version < 0)
		snprintf(buf, n, "nothing yet");
	else
		snprintf(buf, n, "flag %s, version %d", flag ? "on" : "off",
			 version);
}

/* Server me read a pair that does not belong together: say what it and
 * every other server saw. */
static void
deploy_report(struct deploy *s, struct worker *me, int flag, int version)
{
	char what[200], pair[40];
	size_t used;
	unsigned i;

	used = (size_t)snprintf(what, sizeof(what), "%s read flag %s with "
				"version %d: the %s flag with the %s code",
				me->name, flag ? "on" : "off", version,
				flag ? "new" : "old",
				version == V_NEW ? "new" : "old");
	for (i = 0; i < s->nworkers && used < sizeof(what); i++) {
		struct worker *w = &s->w[i];

		if (w == me)
			continue;
		deploy_pair(pair, sizeof(pair), atomic_load(&w->seen_flag),
			    atomic_load(&w->seen_version));
		used += (size_t)snprintf(what + used, sizeof(what) - used,
					 "; %s saw %s", w->name, pair);
	}
	scene_report(s->run, LS_OUT_TORN_READ, s->v_version, 0, "%s.", what);
}

static void
worker_main(void *arg)
{
	struct worker *me = arg;
	struct deploy *s = me->s;

	for (;;) {
		int flag = 0, version = 0;

		if (deploy_read(s, me->idx, &flag, &version))
			return;
		atomic_fetch_add(&s->served, 1);
		atomic_store(&me->seen_flag, flag);
		atomic_store(&me->seen_version, version);
		if (!deploy_consistent(flag, version)) {
			ls_emit(LS_EV_MARK, s->v_torn,
				atomic_fetch_add(&s->torn, 1) + 1, 0);
			deploy_report(s, me, flag, version);
		}
		/* Serve the request with the code the config named. */
		if (scene_work(s->run, SERVE_MS * MS))
			return;
	}
}

static int
deploy_start(struct scene_run *run)
{
	struct deploy *s = run->state;
	unsigned i;
	int err;

	s->run = run;
	s->fix = run->params[P_FIX];
	s->nworkers = (unsigned)run->params[P_WORKERS];
	atomic_init(&s->flag, 0);
	atomic_init(&s->version, V_OLD);
	if (s->fix == FIX_SWAP) {
		struct config *c = calloc(1, sizeof(*c));

		if (!c)
			return -ENOMEM;
		c->version = V_OLD;
		atomic_init(&s->cur, c);
	}
	if (s->fix == FIX_RWLOCK) {
		err = ls_rwlock_create(run->ring, "config",
				       LS_RWLOCK_WRITER_PREF, &s->lock);
		if (err)
			return err;
	}
	s->v_flag = ls_ring_object_add(run->ring, LS_OBJ_VAR, "flag");
	s->v_version = ls_ring_object_add(run->ring, LS_OBJ_VAR, "version");
	s->v_torn = ls_ring_object_add(run->ring, LS_OBJ_VAR, "torn reads");
	s->v_torn_rate = ls_ring_object_add(run->ring, LS_OBJ_VAR, "torn/s");
	s->v_rate = ls_ring_object_add(run->ring, LS_OBJ_VAR, "requests/s");
	err = ls_thread_spawn(run->group, "deployer", deployer_main, s);
	for (i = 0; !err && i < s->nworkers; i++) {
		struct worker *w = &s->w[i];

		w->s = s;
		w->idx = i;
		snprintf(w->name, sizeof(w->name), "server-%u", i + 1);
		atomic_init(&w->seen_flag, -1);
		atomic_init(&w->seen_version, -1);
		err = ls_thread_spawn(run->group, w->name, worker_main, w);
	}
	return err;
}

static void
deploy_stop(struct scene_run *run)
{
	struct deploy *s = run->state;
	struct config *c;

	/* Every thread has been joined: no reader holds a config. */
	ls_rwlock_destroy(s->lock);
	s->lock = NULL;
	free(atomic_load(&s->cur));
	atomic_store(&s->cur, NULL);
	while ((c = s->retired)) {
		s->retired = c->retired_next;
		free(c);
	}
}

/* The deployer writes the flag; server-1 reads the flag, then the
 * version; only then may the deployer write the version. */
static const char *const *
deploy_schedule(struct scene_run *run)
{
	static const char *const steps[] = {
		"deployer", "server-1", "server-1", "deployer", NULL
	};

	(void)run;
	return steps;
}

static bool
deploy_invariant(struct scene_run *run, const char **name, char *detail,
		 size_t n)
{
	struct deploy *s = run->state;
	unsigned long torn = atomic_load(&s->torn);

	*name = "no torn reads: flag and version always match";
	snprintf(detail, n, "%lu torn reads in %lu requests; forced steps "
		 "%u taken, %u skipped", torn, atomic_load(&s->served),
		 run->forced.stepped, run->forced.skipped);
	return torn == 0;
}

static const char *const fixes[] = { "none", "swap", "rwlock" };

static const struct scene_param deploy_params[] = {
	[P_FIX] = { .name = "fix",
		    .help = "none; swap: publish a new config with one "
			    "atomic pointer store; rwlock: lock both fields",
		    .min = 0, .max = 2, .def = FIX_NONE, .values = fixes,
		    .key = 'f' },
	[P_WORKERS] = { .name = "servers", .help = "servers reading the config",
			.min = 1, .max = MAX_WORKERS, .def = 3,
			.key = 'w', .key_down = 'W' },
};

const struct scene_def scene_deploy = {
	.name = "deploy",
	.title = "a config deployed field by field",
	.summary = "servers read a flag and a code version while a deployer "
		   "changes them one at a time: torn reads (Knight Capital)",
	.params = deploy_params,
	.nparams = sizeof(deploy_params) / sizeof(deploy_params[0]),
	.state_size = sizeof(struct deploy),
	.start = deploy_start,
	.stop = deploy_stop,
	.schedule = deploy_schedule,
	.invariant = deploy_invariant,
	.invariant_is_safety = true,
};
