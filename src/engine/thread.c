/*
 * thread.c - engine threads and groups: spawn, run, cancel, join.  Their
 * waits (the per-thread parker, wait queues, sleeps) are in park.c.
 *
 * A member stays on its group's list from spawn until it has returned and
 * been joined (or reaped), so that cancel, the gate controller and the
 * views always see every thread that can still act.  Joiners only ever
 * unlink a member that has returned, under group->mu, which is what lets
 * ls_group_join and ls_group_reap run at the same time without joining
 * one thread twice.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "engine-valgrind.h"
#include "lockstep/event.h"
#include "util/cpu.h"

_Thread_local struct ls_thread *thread_current;

/* Frees the records of threads the engine did not start, at their exit. */
static pthread_key_t lazy_key;
static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;

_Noreturn void
engine_panic(const char *what, int err)
{
	fprintf(stderr, "lockstep: internal error: %s: %s\n", what,
		strerror(err));
	abort();
}

void
engine_lock(pthread_mutex_t *mu)
{
	int err = pthread_mutex_lock(mu);

	if (err)
		engine_panic("pthread_mutex_lock", err);
}

void
engine_unlock(pthread_mutex_t *mu)
{
	int err = pthread_mutex_unlock(mu);

	if (err)
		engine_panic("pthread_mutex_unlock", err);
}

int
engine_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t attr;
	int err;

	err = pthread_condattr_init(&attr);
	if (err)
		return -err;
	err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(cv, &attr);
	pthread_condattr_destroy(&attr);
	return -err;
}

static void
copy_name(char *dst, const char *src)
{
	snprintf(dst, LS_NAME_MAX + 1, "%s", src ? src : "");
}

/*
 * Thread records are never given back to malloc: a freed one waits on this
 * list for the next thread.  A wake-up left for after a lock (struct wake:
 * a cancel's, a grant's) names a record's parker word and may come after
 * the thread has returned and been joined; it is a futex system call on
 * that address, which reads no memory, and a thread parked on the word by
 * then takes a spurious wake-up, as every parker does (park.c).  Kept
 * records make that address always a parker word, never memory malloc has
 * handed to something else or back to the kernel.  Records in use are
 * bounded by the threads alive at once, so the list is too.
 */
static pthread_mutex_t spare_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ls_thread *spare;

static struct ls_thread *
thread_record_take(void)
{
	struct ls_thread *t;

	pthread_mutex_lock(&spare_mu);
	t = spare;
	if (t)
		spare = t->spare_next;
	pthread_mutex_unlock(&spare_mu);
	if (!t)
		return calloc(1, sizeof(*t));
	memset(t, 0, sizeof(*t));
	return t;
}

static struct ls_thread *
thread_alloc(const char *name)
{
	struct ls_thread *t = thread_record_take();

	if (!t)
		return NULL;
	atomic_init(&t->park, 0);
	copy_name(t->name, name);
	atomic_init(&t->state, LS_STATE_RUNNING);
	atomic_init(&t->blocked_on, 0);
	atomic_init(&t->busy_until, 0);
	/* These four are C11 atomics read without a lock (the parker word,
	 * and the state a controller lists); helgrind cannot see atomics,
	 * so it is told not to check them.  TSan checks them in CI. */
	VALGRIND_HG_DISABLE_CHECKING(&t->park, sizeof(t->park));
	VALGRIND_HG_DISABLE_CHECKING(&t->state, sizeof(t->state));
	VALGRIND_HG_DISABLE_CHECKING(&t->blocked_on, sizeof(t->blocked_on));
	VALGRIND_HG_DISABLE_CHECKING(&t->busy_until, sizeof(t->busy_until));
	return t;
}

static void
thread_free(struct ls_thread *t)
{
	VALGRIND_HG_ENABLE_CHECKING(t, sizeof(*t));
	pthread_mutex_lock(&spare_mu);
	t->spare_next = spare;
	spare = t;
	pthread_mutex_unlock(&spare_mu);
}

static void
lazy_free(void *p)
{
	thread_free(p);
}

static void
lazy_key_create(void)
{
	int err = pthread_key_create(&lazy_key, lazy_free);

	if (err)
		engine_panic("pthread_key_create", err);
}

struct ls_thread *
ls_thread_self(void)
{
	struct ls_thread *t = thread_current;
	int err;

	if (t)
		return t;
	pthread_once(&lazy_once, lazy_key_create);
	t = thread_alloc("main");
	if (!t)
		engine_panic("thread record", ENOMEM);
	t->pt = pthread_self();
	err = pthread_setspecific(lazy_key, t);
	if (err)
		engine_panic("pthread_setspecific", err);
	thread_current = t;
	return t;
}

unsigned
ls_thread_tid(const struct ls_thread *t)
{
	return t->tid;
}

bool
thread_cancelled(const struct ls_thread *self)
{
	return self->group && atomic_load(&self->group->cancelled);
}

bool
ls_cancelled(void)
{
	struct ls_thread *self = thread_current;

	return self && thread_cancelled(self);
}

/* Groups. */

int
ls_group_create(struct ls_ring *ring, const char *name, struct ls_group **out)
{
	struct ls_group *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -ENOMEM;
	g->ring = ring;
	copy_name(g->name, name);
	atomic_init(&g->cancelled, 0);
	atomic_init(&g->gate_mode, LS_GATE_RUN);
	atomic_init(&g->wake_epoch, 0);
	atomic_init(&g->spin_credit, 4);
	atomic_init(&g->spin_tries, 0);
	g->spin_off = cpu_confined_to_one();
	/* Relaxed atomics, a hint shared by design: helgrind cannot see
	 * atomics, TSan checks them. */
	VALGRIND_HG_DISABLE_CHECKING(&g->spin_credit, sizeof(g->spin_credit));
	VALGRIND_HG_DISABLE_CHECKING(&g->spin_tries, sizeof(g->spin_tries));
	err = pthread_mutex_init(&g->mu, NULL);
	if (err)
		goto fail;
	err = -engine_cond_init(&g->cv);
	if (err) {
		pthread_mutex_destroy(&g->mu);
		goto fail;
	}
	*out = g;
	return 0;
fail:
	free(g);
	return -err;
}

struct ls_ring *
ls_group_ring(const struct ls_group *g)
{
	return g->ring;
}

bool
ls_group_cancelled(const struct ls_group *g)
{
	return atomic_load(&g->cancelled);
}

unsigned
ls_group_live(const struct ls_group *g)
{
	struct ls_group *mg = (struct ls_group *)g;
	unsigned n;

	engine_lock(&mg->mu);
	n = mg->live;
	engine_unlock(&mg->mu);
	return n;
}

/* Wakes a cancel leaves until it drops the group's lock; beyond these,
 * it wakes under the lock. */
#define GROUP_CANCEL_WAKES 64

void
ls_group_cancel(struct ls_group *g)
{
	struct wake wk[GROUP_CANCEL_WAKES];
	struct ls_thread *t;
	size_t n = 0, i;

	engine_lock(&g->mu);
	/* The mode is only written under g->mu; CANCELLED is final and makes
	 * every later gate take its slow path, which refuses with -ECANCELED,
	 * so the fast path stays one load and cancel looks the same in every
	 * mode.  It is stored before the flag: a thread that sees the flag
	 * (ls_cancelled) then sees the mode at its next gate, so no gate
	 * lets it act after it knew it was cancelled. */
	atomic_store(&g->gate_mode, LS_GATE_CANCELLED);
	/* seq_cst store, then each member's parker word (see thread_park). */
	atomic_store(&g->cancelled, 1);
	for (t = g->members; t; t = t->next) {
		thread_wake_cancelled(t, &wk[n]);
		if (wk[n].word && ++n == GROUP_CANCEL_WAKES)
			thread_wake(&wk[--n]);
	}
	pthread_cond_broadcast(&g->cv);
	engine_unlock(&g->mu);
	/* The wakes after the unlock: on one CPU a member woken under g->mu
	 * runs at once and blocks on it.  A member that woke for another
	 * reason may have returned and been joined by now; its record is
	 * kept for the next thread (thread_free), so the wake still lands on
	 * a parker word, and a thread parked there takes a spurious wake-up
	 * as every parker does: it looks again. */
	for (i = 0; i < n; i++)
		thread_wake(&wk[i]);
}

void
thread_run(struct ls_thread *self, void (*returned)(void *arg), void *arg)
{
	struct ls_group *g = self->group;
	/* The name this OS thread has: a cached thread that runs the same
	 * thread of a restarted scene again (a search restarts it every
	 * schedule, thread_cache_run) keeps it without a system call. */
	static _Thread_local char comm[16];

	thread_current = self;
	ls_trace_lane = self->lane;
	thread_prio_apply();
	/* Best effort, for debuggers and top -H; the kernel keeps 15 bytes. */
	if (strncmp(comm, self->name, sizeof(comm) - 1)) {
		memcpy(comm, self->name, sizeof(comm) - 1);
		comm[sizeof(comm) - 1] = '\0';
		(void)pthread_setname_np(pthread_self(), comm);
	}
	ls_emit(LS_EV_THREAD_START, 0, 0, 0);
	self->fn(self->arg);
	atomic_store_explicit(&self->state, LS_STATE_DONE,
			      memory_order_release);
	ls_emit(LS_EV_THREAD_EXIT, 0, 0, 0);
	ls_trace_lane = NULL;
	/* The lane is unregistered by the joiner (group_join_one). */
	engine_lock(&g->mu);
	self->returned = true;
	g->live--;
	/* Before a joiner can see returned: a cached thread is back in its
	 * cache by the time its group is joined. */
	if (returned)
		returned(arg);
	pthread_cond_broadcast(&g->cv);
	engine_unlock(&g->mu);
	/* From here self may be freed by a joiner: not another look. */
	thread_current = NULL;
}

static void *
thread_main(void *p)
{
	thread_run(p, NULL, NULL);
	return NULL;
}

int
ls_thread_spawn(struct ls_group *g, const char *name, ls_thread_fn fn,
		void *arg)
{
	struct wake wk = { NULL };
	struct ls_thread *t;
	sigset_t all, old;
	int err, serr;

	if (!fn)
		return -EINVAL;
	/* Early, so a cancelled group takes no ring tid; the check under
	 * g->mu below is the one that counts. */
	if (atomic_load(&g->cancelled))
		return -ECANCELED;
	t = thread_alloc(name);
	if (!t)
		return -ENOMEM;
	t->group = g;
	t->fn = fn;
	t->arg = arg;
	if (g->ring) {
		err = ls_ring_register(g->ring, t->name, &t->lane);
		if (err) {
			thread_free(t);
			return err == -ENOSPC ? -EAGAIN : err;
		}
		t->tid = ls_lane_tid(t->lane);
	}

	engine_lock(&g->mu);
	if (atomic_load(&g->cancelled)) {
		engine_unlock(&g->mu);
		err = -ECANCELED;
		goto fail;
	}
	/*
	 * Signals go to the ui thread, never to an engine thread: the new
	 * thread inherits the full mask.  g->mu is held across the create so
	 * that a cancel, which walks the members under g->mu, cannot slip in
	 * between our check of the flag and the member being listed.
	 */
	if (g->cache) {
		/* A thread of the cache runs it: no thread to create. */
		t->cached = true;
		err = -thread_cache_run(g->cache, t, &wk);
	} else {
		sigfillset(&all);
		err = pthread_sigmask(SIG_SETMASK, &all, &old);
		if (err)
			engine_panic("pthread_sigmask", err);
		err = pthread_create(&t->pt, NULL, thread_main, t);
		serr = pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (serr)
			engine_panic("pthread_sigmask", serr);
	}
	if (err) {
		engine_unlock(&g->mu);
		err = -err;
		goto fail;
	}
	if (g->members_tail)
		g->members_tail->next = t;
	else
		g->members = t;
	g->members_tail = t;
	g->live++;
	engine_unlock(&g->mu);
	thread_wake(&wk);
	return 0;
fail:
	if (t->lane)
		ls_ring_unregister(t->lane);
	thread_free(t);
	return err;
}

/* Take t, which has returned, off g's list.  prev is t's predecessor or
 * NULL.  g->mu held. */
static void
group_unlink_locked(struct ls_group *g, struct ls_thread *t,
		    struct ls_thread *prev)
{
	if (prev)
		prev->next = t->next;
	else
		g->members = t->next;
	if (g->members_tail == t)
		g->members_tail = prev;
	t->next = NULL;
}

/* Wait for t to be gone, then give back its lane and free its record.
 * Unregistering only now lets the ring reuse t's tid (ring.h) only once
 * no member of any group carries it. */
static void
group_join_one(struct ls_thread *t)
{
	/* A cached thread's last look at t was under g->mu, when it set
	 * returned (thread_run): it has gone back to its cache since. */
	int err = t->cached ? 0 : pthread_join(t->pt, NULL);

	if (err)
		engine_panic("pthread_join", err);
	if (t->lane)
		ls_ring_unregister(t->lane);
	thread_free(t);
}

int
ls_group_join(struct ls_group *g)
{
	struct ls_thread *t;
	int err;

	for (;;) {
		/*
		 * Unlink a member only once it has returned: until then it
		 * stays listed, so a cancel or a resume issued while we wait
		 * still reaches it.  thread_main broadcasts g->cv when a
		 * member returns; the head is re-read after every wake-up
		 * because a concurrent ls_group_reap may have taken it.
		 */
		engine_lock(&g->mu);
		while ((t = g->members) && !t->returned) {
			err = pthread_cond_wait(&g->cv, &g->mu);
			if (err)
				engine_panic("pthread_cond_wait", err);
		}
		if (t)
			group_unlink_locked(g, t, NULL);
		engine_unlock(&g->mu);
		if (!t)
			break;
		/* Outside g->mu: the thread may still be on its way out of
		 * thread_main, whose last step is to drop g->mu. */
		group_join_one(t);
	}
	return 0;
}

int
ls_group_reap(struct ls_group *g)
{
	struct ls_thread *t, *next, *prev = NULL, *done = NULL;
	int n = 0;

	engine_lock(&g->mu);
	for (t = g->members; t; t = next) {
		next = t->next;
		if (!t->returned) {
			prev = t;
			continue;
		}
		group_unlink_locked(g, t, prev);
		t->next = done;
		done = t;
	}
	engine_unlock(&g->mu);
	for (t = done; t; t = next) {
		next = t->next;
		group_join_one(t);
		n++;
	}
	return n;
}

void
ls_group_destroy(struct ls_group *g)
{
	if (!g)
		return;
	if (ls_group_live(g))
		ls_group_cancel(g);
	ls_group_join(g);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	VALGRIND_HG_ENABLE_CHECKING(g, sizeof(*g));
	free(g);
}
