/*
 * thread-cache.c - OS threads that run engine threads one after another
 * (thread.h, ls_thread_cache_create).
 *
 * A worker waits on a futex word of its own: 0 while it has nothing,
 * WORKER_GO once a spawner has put a job (the engine thread's record) in
 * it, WORKER_EXIT when the cache goes.  It runs the job as any engine
 * thread runs (thread_run), then marks itself idle and goes back on the
 * idle list.  Its last look at the job's record is under the group's mu,
 * where thread_run says it returned, so a joiner may free the record
 * without joining the OS thread.
 *
 * Lock order: group->mu, then cache->mu: a spawner holds its group's mu,
 * and a worker lists itself idle under the mu of the group its job was
 * in.  cache->mu is never held while taking another lock.
 */
#include "config.h"

#include "lockstep/thread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"

enum {
	WORKER_IDLE = 0,
	WORKER_GO,
	WORKER_EXIT,
};

struct worker {
	pthread_t pt;
	struct ls_thread_cache *cache;
	_Atomic uint32_t word;		/* enum above, the futex */
	struct ls_thread *job;		/* written before word says GO */
	struct worker *next_idle;	/* guarded by cache->mu */
	struct worker *next_all;	/* guarded by cache->mu */
	/* The first bytes of the name of the last job it ran (the OS
	 * thread's name): guarded by cache->mu. */
	char last[16];
};

struct ls_thread_cache {
	pthread_mutex_t mu;
	struct worker *idle;		/* guarded by mu */
	struct worker *all;		/* guarded by mu */
};

/*
 * The job has returned (thread_run, under its group's mu): back on the
 * idle list now, before anyone joining that group can spawn again, so a
 * round of spawns after a join always finds the workers of the last.
 * Idle before listed: a spawner that takes it at once then finds the
 * word it sets.  A CAS: the cache may be going (EXIT), which must stay.
 */
static void
worker_returned(void *p)
{
	struct worker *w = p;
	struct ls_thread_cache *c = w->cache;
	uint32_t v = WORKER_GO;

	if (!atomic_compare_exchange_strong(&w->word, &v, WORKER_IDLE))
		return;
	engine_lock(&c->mu);
	memcpy(w->last, w->job->name, sizeof(w->last) - 1);
	w->next_idle = c->idle;
	c->idle = w;
	engine_unlock(&c->mu);
}

static void *
worker_main(void *p)
{
	struct worker *w = p;
	uint32_t v;

	for (;;) {
		while ((v = atomic_load_explicit(&w->word,
						 memory_order_acquire)) ==
		       WORKER_IDLE)
			futex_sleep(&w->word, WORKER_IDLE, 0);
		if (v == WORKER_EXIT)
			return NULL;
		/* Not w->job after this: once listed idle (worker_returned)
		 * a spawner may put the next job in. */
		thread_run(w->job, worker_returned, w);
	}
}

int
ls_thread_cache_create(struct ls_thread_cache **out)
{
	struct ls_thread_cache *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	err = pthread_mutex_init(&c->mu, NULL);
	if (err) {
		free(c);
		return -err;
	}
	*out = c;
	return 0;
}

/* A new worker, listed in all, not idle.  Returns it or NULL (*err). */
static struct worker *
worker_new(struct ls_thread_cache *c, int *err)
{
	struct worker *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int serr;

	if (!w) {
		*err = ENOMEM;
		return NULL;
	}
	w->cache = c;
	atomic_init(&w->word, WORKER_IDLE);
	/* Signals go to the ui thread, never to an engine thread. */
	sigfillset(&all);
	serr = pthread_sigmask(SIG_SETMASK, &all, &old);
	if (serr)
		engine_panic("pthread_sigmask", serr);
	*err = pthread_create(&w->pt, NULL, worker_main, w);
	serr = pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (serr)
		engine_panic("pthread_sigmask", serr);
	if (*err) {
		free(w);
		return NULL;
	}
	engine_lock(&c->mu);
	w->next_all = c->all;
	c->all = w;
	engine_unlock(&c->mu);
	return w;
}

/* Off the idle list: the worker that last ran a thread named name (it
 * need not rename itself, thread_run), else the first.  c->mu held. */
static struct worker *
cache_take_idle(struct ls_thread_cache *c, const char *name)
{
	struct worker **p, **pick = &c->idle, *w;

	for (p = &c->idle; *p; p = &(*p)->next_idle)
		if (!strncmp((*p)->last, name, sizeof((*p)->last) - 1)) {
			pick = p;
			break;
		}
	w = *pick;
	if (w)
		*pick = w->next_idle;
	return w;
}

int
thread_cache_run(struct ls_thread_cache *c, struct ls_thread *t,
		 struct wake *wk)
{
	struct worker *w;
	int err = 0;

	engine_lock(&c->mu);
	w = cache_take_idle(c, t->name);
	engine_unlock(&c->mu);
	if (!w && !(w = worker_new(c, &err)))
		return err;
	t->pt = w->pt;
	w->job = t;
	/* Release: the job is in place before the worker sees GO.  The
	 * worker may have run its job and gone idle by the time the wake
	 * comes: then it finds its word IDLE and sleeps again. */
	atomic_store_explicit(&w->word, WORKER_GO, memory_order_release);
	wk->word = &w->word;
	return 0;
}

void
ls_group_use_cache(struct ls_group *g, struct ls_thread_cache *c)
{
	engine_lock(&g->mu);
	g->cache = c;
	engine_unlock(&g->mu);
}

void
ls_thread_cache_destroy(struct ls_thread_cache *c)
{
	struct worker *w, *next;

	if (!c)
		return;
	engine_lock(&c->mu);
	w = c->all;
	c->all = c->idle = NULL;
	engine_unlock(&c->mu);
	for (; w; w = next) {
		next = w->next_all;
		/* Every group that used the cache was joined: each worker
		 * is idle, or about to be (it lists itself last). */
		atomic_store_explicit(&w->word, WORKER_EXIT,
				      memory_order_release);
		futex_wake_one(&w->word);
		if (pthread_join(w->pt, NULL))
			engine_panic("pthread_join", EINVAL);
		free(w);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}
