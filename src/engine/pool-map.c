/*
 * pool-map.c - ls_pool_map: one call queues n items as tasks of one
 * batch and waits for all of them, or for its deadline.
 *
 * A batch outlives its call while items still run: refs counts the caller
 * plus every queued or running item, and whoever drops the last one calls
 * release(ctx) and frees it, so a late item never touches freed memory.
 * The caller that gives up takes its queued items out of the run queue
 * (they never run) and marks the batch abandoned, so that an item a
 * worker has taken but not started is skipped too.  Statuses are written
 * into the batch under the pool's mutex and copied out by the caller
 * before it returns, never after.
 */
#include "config.h"

#include "pool-int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine-valgrind.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

struct map_batch {
	ls_map_fn fn;		/* set before the first item is queued */
	void *ctx;
	void (*release)(void *ctx);
	/* Set under mu when the caller gives up; read without mu by a
	 * worker about to run an item, to skip it (a stale false only
	 * means the item runs and its result is thrown away). */
	atomic_bool abandoned;
	/* Guarded by the pool's mu. */
	size_t refs;
	size_t remaining;	/* items not finished or dropped yet */
	struct waiter *waiter;	/* the caller, while it waits */
	int status[];		/* per item; -ETIMEDOUT until done */
};

bool
pool_map_abandoned(const struct map_batch *b)
{
	return atomic_load_explicit(&b->abandoned, memory_order_relaxed);
}

int
pool_map_call(const struct map_batch *b, size_t i)
{
	return b->fn(b->ctx, i);
}

void
pool_map_hold_locked(struct map_batch *b)
{
	b->refs++;
}

struct map_batch *
pool_map_done_locked(struct ls_pool *p, struct map_batch *b, size_t i,
		     int status)
{
	if (!atomic_load_explicit(&b->abandoned, memory_order_relaxed))
		b->status[i] = status;
	if (!--b->remaining && b->waiter) {
		waitq_grant(&p->mapq, b->waiter);
		b->waiter = NULL;
	}
	return --b->refs ? NULL : b;
}

void
pool_map_put(struct map_batch *b)
{
	if (!b)
		return;
	if (b->release)
		b->release(b->ctx);
	VALGRIND_HG_ENABLE_CHECKING(&b->abandoned, sizeof(b->abandoned));
	free(b);
}

/* The batch whose queued items pool_map_drop_if takes out. */
struct map_drop {
	struct ls_pool *p;
	const struct map_batch *b;
};

/* runq_remove_if's test: is the task in slot an item of the batch?  If
 * so it is dropped here: TASK_DROP, and its slot freed. */
static bool
pool_map_drop_if(void *ctx, uint32_t slot)
{
	struct map_drop *d = ctx;
	struct ls_pool *p = d->p;

	if (p->slots[slot].batch != d->b)
		return false;
	ls_emit(LS_EV_TASK_DROP, p->obj, p->slots[slot].id, 0);
	p->free_slots[p->nfree++] = slot;
	return true;
}

/* The caller gives up on b: its queued items never run, taken ones are
 * skipped, running ones finish into the void. */
static void
pool_map_abandon_locked(struct ls_pool *p, struct map_batch *b)
{
	struct map_drop d = { .p = p, .b = b };
	unsigned dropped;

	atomic_store_explicit(&b->abandoned, true, memory_order_relaxed);
	dropped = runq_remove_if(&p->rq, pool_map_drop_if, &d);
	if (!dropped)
		return;
	p->dropped += dropped;
	b->refs -= dropped;
	b->remaining -= dropped;
	ls_emit(LS_EV_POOL_DEPTH, p->obj, pool_depth_locked(p), p->capacity);
	pool_admit_locked(p);
	pool_check_quiet_locked(p);
}

/* A new batch of n items for fn(ctx, i), or NULL when out of memory. */
static struct map_batch *
pool_map_new(ls_map_fn fn, void *ctx, void (*release)(void *ctx), size_t n)
{
	struct map_batch *b;
	size_t i;

	if (n > (SIZE_MAX - sizeof(*b)) / sizeof(int))
		return NULL;
	b = malloc(sizeof(*b) + n * sizeof(int));
	if (!b)
		return NULL;
	b->fn = fn;
	b->ctx = ctx;
	b->release = release;
	atomic_init(&b->abandoned, false);
	/* Read by workers without the lock (a hint to skip the item);
	 * helgrind cannot see the atomic. */
	VALGRIND_HG_DISABLE_CHECKING(&b->abandoned, sizeof(b->abandoned));
	b->refs = 1;
	b->remaining = n;
	b->waiter = NULL;
	for (i = 0; i < n; i++)
		b->status[i] = -ETIMEDOUT;
	return b;
}

int
ls_pool_map(struct ls_pool *p, ls_map_fn fn, void *ctx,
	    void (*release)(void *ctx), size_t n, int priority,
	    uint64_t timeout_ns, int *status)
{
	uint64_t deadline = pool_deadline(timeout_ns);
	struct pool_task t = { .priority = priority };
	struct waiter w = { .obj = 0 };
	struct map_batch *b;
	size_t i, j;
	int rc = 0, wrc = 0;
	bool last;

	if (!fn || (n && !status))
		return -EINVAL;
	b = pool_map_new(fn, ctx, release, n);
	if (!b) {
		rc = -ENOMEM;
		goto fail;
	}
	t.batch = b;
	for (i = 0; i < n; i++) {
		t.index = i;
		rc = pool_submit(p, &t, true, deadline, NULL);
		if (rc)
			break;
	}
	engine_lock(&p->mu);
	if (rc) {
		for (j = i; j < n; j++)
			b->status[j] = rc;
		b->remaining -= n - i;
	}
	w.t = ls_thread_self();
	w.obj = p->obj;
	while (b->remaining) {
		w.granted = false;
		w.since_ns = ls_clock_ns();
		b->waiter = &w;
		waitq_push(&p->mapq, &w);
		wrc = waitq_sleep_locked(&p->mapq, &w, &p->mu, deadline);
		b->waiter = NULL;
		if (wrc)
			break;
	}
	if (b->remaining) {
		pool_map_abandon_locked(p, b);
		if (!rc)
			rc = wrc == -ECANCELED ? -ECANCELED : -ETIMEDOUT;
	}
	if (n)
		memcpy(status, b->status, n * sizeof(int));
	last = !--b->refs;
	engine_unlock(&p->mu);
	if (last)
		pool_map_put(b);
	return rc;
fail:
	if (release)
		release(ctx);
	return rc;
}
