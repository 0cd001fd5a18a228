/*
 * check_cond_stress.c - the condition variable under a seeded stress: P
 * producers and C consumers share a bounded buffer under one mutex and two
 * conditions, as a class would write it, and the events are folded as the
 * model will (FIFO signals, waiter counts, one mutex owner at a time).
 * The semantics, one case at a time, are in check_cond.c.
 *
 * Sizes: LS_COND_THREADS, LS_COND_ITEMS.  LS_SEED=n replays the random
 * timing of a failure (every failure prints its seed).
 */
#include "config.h"

#include "lockstep/cond.h"

#include <errno.h>
#include <stdlib.h>

#include "lockstep/mutex.h"
#include "primutil.h"

/*
 * Stress: P producers and C consumers share a bounded buffer under one
 * mutex and two conditions, waiting in while loops (a wait that timed out
 * just looks again), waking with signal or broadcast at random.  Every item
 * must come out exactly once and the buffer never overfill.  _i 1 cancels
 * the group half-way: whatever each thread was doing, it unwinds without
 * the mutex, and what was produced is consumed or still buffered.
 */
#define PC_CAP 4

struct pc {
	struct ls_mutex *m;
	struct ls_cond *not_full, *not_empty;
	unsigned long items;		/* to produce in all */
	uint64_t seed;
	/* Guarded by m. */
	unsigned long produced, consumed;
	unsigned head, count;
	unsigned long buf[PC_CAP];
	unsigned char *seen;		/* by item */
	/* Read by the test while it runs. */
	atomic_ulong progress;
	atomic_int errors;
};

/* Wait on c: plainly or timed (a timeout just looks again).  Returns 0
 * with m held, or -ECANCELED without it. */
static int
pc_wait(struct pc *pc, struct ls_cond *c, uint64_t *rng)
{
	int rc;

	if (test_rng_next(rng) & 1)
		return ls_cond_wait(c, pc->m);
	rc = ls_cond_timedwait(c, pc->m, 100000);
	return rc == -ETIMEDOUT ? 0 : rc;
}

static void
pc_wake(struct ls_cond *c, uint64_t *rng)
{
	if (test_rng_next(rng) % 4)
		ls_cond_signal(c);
	else
		ls_cond_broadcast(c);
}

static void
pc_producer(struct pc *pc, uint64_t *rng)
{
	for (;;) {
		test_jitter(rng);
		if (ls_mutex_lock(pc->m))
			return;
		while (pc->count == PC_CAP && pc->produced < pc->items)
			if (pc_wait(pc, pc->not_full, rng))
				return;
		if (pc->produced == pc->items) {
			ls_mutex_unlock(pc->m);
			return;
		}
		pc->buf[(pc->head + pc->count) % PC_CAP] = pc->produced++;
		if (++pc->count > PC_CAP)
			atomic_fetch_add(&pc->errors, 1);
		pc_wake(pc->not_empty, rng);
		/* The last item: producers still waiting for room leave. */
		if (pc->produced == pc->items)
			ls_cond_broadcast(pc->not_full);
		ls_mutex_unlock(pc->m);
	}
}

static void
pc_consumer(struct pc *pc, uint64_t *rng)
{
	unsigned long item;

	for (;;) {
		test_jitter(rng);
		if (ls_mutex_lock(pc->m))
			return;
		while (!pc->count && pc->consumed < pc->items)
			if (pc_wait(pc, pc->not_empty, rng))
				return;
		if (!pc->count) {
			ls_mutex_unlock(pc->m);
			return;
		}
		item = pc->buf[pc->head];
		pc->head = (pc->head + 1) % PC_CAP;
		pc->count--;
		pc->consumed++;
		if (item >= pc->items || pc->seen[item]++)
			atomic_fetch_add(&pc->errors, 1);
		atomic_store(&pc->progress, pc->consumed);
		pc_wake(pc->not_full, rng);
		/* The last item: consumers still waiting leave. */
		if (pc->consumed == pc->items)
			ls_cond_broadcast(pc->not_empty);
		ls_mutex_unlock(pc->m);
	}
}

static void
pc_main(void *p)
{
	struct prim_member *a = p;
	struct pc *pc = a->state;
	uint64_t rng = prim_rng(pc->seed, a->i);

	if (a->i & 1)
		pc_consumer(pc, &rng);
	else
		pc_producer(pc, &rng);
}

/*
 * Fold a condition's events as the model will: waiters queue in order,
 * a signal wakes the oldest (named in its arg), a broadcast all, a lost
 * signal finds nobody, a timeout leaves the queue, and every count in aux
 * is the queue's length.  Returns the index of the first bad event or -1.
 */
struct cv_fold {
	unsigned q[PRIM_MAX];	/* tids queued, oldest first */
	unsigned nq;
	long pending;		/* woken by a signal, not yet CV_WOKEN */
	uint32_t id;
};

static bool
cv_fold_remove(struct cv_fold *f, unsigned tid)
{
	unsigned i;

	for (i = 0; i < f->nq && f->q[i] != tid; i++)
		;
	if (i == f->nq)
		return false;
	memmove(&f->q[i], &f->q[i + 1], (f->nq - i - 1) * sizeof(f->q[0]));
	f->nq--;
	return true;
}

static long
cv_fold(struct cv_fold *f, const struct ls_event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];
		bool ok = true;

		if (e->obj != f->id)
			continue;
		switch (e->kind) {
		case LS_EV_CV_WAIT:
			ok = f->nq < PRIM_MAX;
			if (ok)
				f->q[f->nq++] = e->tid;
			break;
		case LS_EV_CV_SIGNAL:
			ok = f->nq && f->q[0] == e->arg &&
			     cv_fold_remove(f, (unsigned)e->arg);
			f->pending++;
			break;
		case LS_EV_CV_BROADCAST:
			ok = e->arg == f->nq;
			f->pending += f->nq;
			f->nq = 0;
			break;
		case LS_EV_CV_WOKEN:
			ok = --f->pending >= 0;
			break;
		case LS_EV_CV_TIMEOUT:
			ok = cv_fold_remove(f, e->tid);
			break;
		case LS_EV_CV_LOST:
			ok = f->nq == 0;
			break;
		default:
			continue;
		}
		if (!ok || (e->kind != LS_EV_CV_LOST && e->aux != f->nq))
			return (long)i;
	}
	return -1;
}

/* The three folds of a run: the mutex's owner always, the conditions'
 * queues only in a run without a cancel (a cancel leaves waiters queued
 * that a signal may pass over). */
struct pc_fold {
	uint32_t mid;
	unsigned holder;
	bool strict;
	struct cv_fold full, empty;
};

static long
pc_fold(void *state, const struct ls_event *ev, size_t n)
{
	struct pc_fold *f = state;
	long at = prim_owner_fold(&f->holder, ev, n, f->mid);

	if (at < 0 && f->strict)
		at = cv_fold(&f->full, ev, n);
	if (at < 0 && f->strict)
		at = cv_fold(&f->empty, ev, n);
	return at;
}

/* Cancel the group, in a run that is to be, once half the items are
 * through. */
struct pc_cancel {
	struct pc *pc;
	struct ls_group *g;
};

static void
pc_tick(void *p)
{
	struct pc_cancel *pcc = p;

	if (atomic_load(&pcc->pc->progress) > pcc->pc->items / 2)
		ls_group_cancel(pcc->g);
}

START_TEST(test_stress_prodcons)
{
	unsigned nthreads = (unsigned)test_size("LS_COND_THREADS", 8, 4);
	unsigned long items = test_size("LS_COND_ITEMS", 20000, 2000);
	uint64_t seed = test_env_seed("LS_SEED") + _i;
	unsigned before = test_task_baseline();
	struct pc pc = { .items = items, .seed = seed };
	struct pc_fold f = { .strict = _i == 0 };
	struct prim_member args[PRIM_MAX];
	struct ls_event bad_ev = { 0 };
	struct pc_cancel pcc = { &pc, NULL };
	struct ls_ring *r;
	long bad;

	if (nthreads > PRIM_MAX)
		nthreads = PRIM_MAX;
	if (nthreads < 2)
		nthreads = 2;
	pc.seen = calloc(items, 1);
	ck_assert_ptr_nonnull(pc.seen);
	r = test_ring_new(1u << 16, PRIM_MAX + 4);
	ck_assert_int_eq(ls_mutex_create(r, "m", &pc.m), 0);
	ck_assert_int_eq(ls_cond_create(r, "not full", &pc.not_full), 0);
	ck_assert_int_eq(ls_cond_create(r, "not empty", &pc.not_empty), 0);
	f.mid = ls_mutex_id(pc.m);
	f.full.id = ls_cond_id(pc.not_full);
	f.empty.id = ls_cond_id(pc.not_empty);
	atomic_init(&pc.progress, 0);
	atomic_init(&pc.errors, 0);
	ck_assert_int_eq(ls_group_create(r, "g", &pcc.g), 0);
	/* Even members produce, odd ones consume. */
	prim_spawn_all(pcc.g, "PC", pc_main, &pc, args, nthreads);
	bad = prim_drain_fold(r, pcc.g, pc_fold, &f, f.strict ? NULL : pc_tick,
			      &pcc, &bad_ev);
	ck_assert_msg(bad < 0 && atomic_load(&pc.errors) == 0,
		      "%s by T%u breaks the folds, %d errors (LS_SEED=%" PRIu64
		      ")",
		      bad < 0 ? "no event" : ls_event_kind_name(bad_ev.kind),
		      bad_ev.tid, atomic_load(&pc.errors), seed - _i);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ck_assert_uint_eq(f.holder, 0);
	ck_assert_uint_eq(ls_mutex_owner(pc.m), 0);
	ck_assert_uint_eq(pc.consumed + pc.count, pc.produced);
	if (f.strict) {
		ck_assert_uint_eq(pc.consumed, items);
		ck_assert_uint_eq(f.full.nq + f.empty.nq, 0);
		ck_assert_int_eq(f.full.pending + f.empty.pending, 0);
	}
	ck_assert_uint_eq(ls_cond_waiters(pc.not_full), 0);
	ck_assert_uint_eq(ls_cond_waiters(pc.not_empty), 0);
	printf("check_cond stress: %u threads, %lu of %lu items through%s "
	       "(LS_SEED=%" PRIu64 ")\n",
	       nthreads, pc.consumed, items, f.strict ? "" : ", cancelled",
	       seed - _i);
	ls_group_destroy(pcc.g);
	ls_cond_destroy(pc.not_full);
	ls_cond_destroy(pc.not_empty);
	ls_mutex_destroy(pc.m);
	ls_ring_destroy(r);
	test_tasks_back_to(before);
	free(pc.seen);
}
END_TEST

static Suite *
cond_stress_suite(void)
{
	Suite *s = suite_create("cond_stress");
	TCase *tc = tcase_create("stress");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_stress_prodcons, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(cond_stress_suite());
}
