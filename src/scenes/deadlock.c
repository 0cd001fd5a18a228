/*
 * deadlock.c - two threads, two locks, taken in opposite order.
 *
 * T1 moves money from account A to account B, T2 from B to A, in a loop.
 * A transfer locks the account it takes from, then the one it pays into,
 * moves the money, and unlocks both; the total is conserved.  Taken in
 * opposite orders, the two locks deadlock as soon as T1 holds A and T2
 * holds B: each waits for the other for ever.
 *
 * The schedule makes that happen at once, every time: T1 takes A, T2 takes
 * B, then each asks for its second lock.  Every fix runs under the same
 * schedule and must survive it:
 *   ordering   both threads lock the lower account (A) first.
 *   trylock    the second lock is a timed lock; on timeout the thread
 *              releases the first, backs off for a random short time and
 *              retries (counted in "retries").
 *   hierarchy  each lock has a level (A 1, B 2); taking a lower level while
 *              holding a higher one is a violation, reported at once as an
 *              ERROR event (LS_ERR_HIERARCHY) and counted; the thread then
 *              releases and retakes in level order.  The engine's mutex
 *              has no levels, so this scene does the check itself.
 *   scope      never hold two locks: debit under one, credit under the
 *              other; the money between the two steps is "in flight" and
 *              counted, so the total still adds up.
 *
 * Invariant: no deadlock (no cycle of threads blocked without a deadline,
 * each on a lock the next one holds), every thread completed a transfer in
 * the last second, and A + B + in flight is what it was at the start.
 * Money moves only after a gate with no gate, sleep or wait before its
 * bookkeeping is done, so a settled group never shows a transfer half
 * made.  A deadlocked scene resets like any other: cancelling the group
 * makes the blocked ls_mutex_lock calls return -ECANCELED, and each thread
 * unlocks what it holds and returns.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_FIX };
enum { FIX_NONE, FIX_ORDERING, FIX_TRYLOCK, FIX_HIERARCHY, FIX_SCOPE };

#define MS 1000000ull
#define START_MONEY 500
/*
 * Workload times.  The hold before the second lock is kept shorter than
 * the shortest think time: then the trylock fix's collisions are rare and
 * short, and a thread that lost one rarely loses the next.  Simulated and
 * measured, the longest gap between two transfers of one thread stays
 * well under the invariant's one-second progress window (a hold of 60 ms
 * with a backoff of up to 120 ms gave gaps over a second).
 */
#define THINK_MIN_MS 50
#define THINK_SPAN_MS 100
#define HOLD_MS 30		/* holding the first lock before the second */
#define MOVE_MS 60		/* holding both while the money moves */
#define TRY_MS 40		/* the timed lock's timeout */
#define BACKOFF_MIN_MS 10
#define BACKOFF_SPAN_MS 50
/* Progress: each thread must have finished a transfer this recently. */
#define PROGRESS_NS 1000000000ull

struct deadlock;

struct account {
	struct ls_mutex *lock;
	/* Changed only under lock (or both locks); relaxed atomics so the
	 * invariant, on another thread, reads them without a race. */
	atomic_long money;
	unsigned level;		/* fix=hierarchy */
	uint32_t v_money;
};

struct mover {
	struct deadlock *s;
	const char *name;
	struct account *from, *to;
	uint64_t rng;
	/* Progress, written by this mover, read by the invariant. */
	atomic_ulong transfers;
	atomic_ullong last_ns;
	/* Set while blocked in the timed lock: a wait with a deadline is
	 * not part of a deadlock, it ends by itself. */
	atomic_bool timed_wait;
	uint32_t v_transfers;
};

struct deadlock {
	struct scene_run *run;
	int fix;
	struct account acct[2];		/* A, B */
	/* fix=scope: debited, not yet credited.  Two movers change it
	 * under different locks, hence an atomic read-modify-write. */
	atomic_long in_flight;
	atomic_ulong retries, violations;
	uint32_t v_total, v_fixvar;
	struct mover movers[2];
};

static const char *const account_names[2] = { "A", "B" };

/* ns of workload time at the run's speed, as scene_sleep counts it. */
static uint64_t
deadlock_scaled(struct deadlock *s, uint64_t ns)
{
	unsigned speed = atomic_load_explicit(&s->run->speed_permille,
					      memory_order_relaxed);

	return speed ? ns * 1000 / speed : 0;
}

/* The amount of the next transfer: 10..50, no more than from has.  The
 * caller holds from's lock. */
static long
deadlock_amount(struct mover *me)
{
	long have = atomic_load_explicit(&me->from->money,
					 memory_order_relaxed);
	long want = 10 + (long)(scene_rand(&me->rng) % 41);

	return want < have ? want : have;
}

/* Move the money with both locks held: no gate in here. */
static void
deadlock_move(struct mover *me)
{
	struct deadlock *s = me->s;
	long amt = deadlock_amount(me);
	long a, b;

	atomic_fetch_sub_explicit(&me->from->money, amt, memory_order_relaxed);
	atomic_fetch_add_explicit(&me->to->money, amt, memory_order_relaxed);
	a = atomic_load_explicit(&s->acct[0].money, memory_order_relaxed);
	b = atomic_load_explicit(&s->acct[1].money, memory_order_relaxed);
	ls_emit(LS_EV_MARK, s->acct[0].v_money, (uint64_t)a, 0);
	ls_emit(LS_EV_MARK, s->acct[1].v_money, (uint64_t)b, 0);
	/* Exact: with both locks held nobody else moves money. */
	ls_emit(LS_EV_MARK, s->v_total, (uint64_t)(a + b), 0);
}

/* Lock first, then second (after holding first a while), move, unlock
 * both.  Returns 0 or -ECANCELED, holding nothing either way. */
static int
deadlock_two_locks(struct mover *me, struct account *first,
		   struct account *second, bool quick)
{
	struct deadlock *s = me->s;
	int err;

	err = ls_mutex_lock(first->lock);
	if (err)
		return err;
	if (!quick) {
		err = scene_work(s->run, HOLD_MS * MS);
		if (err)
			goto out;
	}
	err = ls_mutex_lock(second->lock);
	if (err)
		goto out;
	deadlock_move(me);
	if (!quick)
		err = scene_work(s->run, MOVE_MS * MS);
	ls_mutex_unlock(second->lock);
out:
	ls_mutex_unlock(first->lock);
	return err;
}

/* fix=trylock: the second lock is timed; on timeout give the first one
 * back and retry after a random pause, which breaks the symmetry. */
static int
deadlock_trylock(struct mover *me, bool quick)
{
	struct deadlock *s = me->s;
	int err;

	for (;;) {
		err = ls_mutex_lock(me->from->lock);
		if (err)
			return err;
		if (!quick) {
			err = scene_work(s->run, HOLD_MS * MS);
			if (err)
				goto out;
		}
		atomic_store(&me->timed_wait, true);
		err = ls_mutex_timedlock(me->to->lock,
					 deadlock_scaled(s, TRY_MS * MS));
		atomic_store(&me->timed_wait, false);
		if (!err)
			break;
		ls_mutex_unlock(me->from->lock);
		if (err != -ETIMEDOUT)
			return err;
		ls_emit(LS_EV_MARK, s->v_fixvar,
			atomic_fetch_add(&s->retries, 1) + 1, 0);
		err = scene_sleep(s->run, (BACKOFF_MIN_MS +
				  scene_rand(&me->rng) % BACKOFF_SPAN_MS) * MS);
		if (err)
			return err;
	}
	deadlock_move(me);
	if (!quick)
		err = scene_work(s->run, MOVE_MS * MS);
	ls_mutex_unlock(me->to->lock);
out:
	ls_mutex_unlock(me->from->lock);
	return err;
}

/* fix=hierarchy: check the level before taking the second lock. */
static int
deadlock_hierarchy(struct mover *me, bool quick)
{
	struct deadlock *s = me->s;
	struct account *from = me->from, *to = me->to;
	int err;

	err = ls_mutex_lock(from->lock);
	if (err)
		return err;
	if (!quick) {
		err = scene_work(s->run, HOLD_MS * MS);
		if (err)
			goto out;
	}
	if (to->level < from->level) {
		/* A lockdep-style check: the wrong order is caught when it
		 * is attempted, not when (or if) it deadlocks. */
		ls_emit(LS_EV_ERROR, ls_mutex_id(to->lock), LS_ERR_HIERARCHY,
			ls_mutex_id(from->lock));
		ls_emit(LS_EV_MARK, s->v_fixvar,
			atomic_fetch_add(&s->violations, 1) + 1, 0);
		ls_mutex_unlock(from->lock);
		return deadlock_two_locks(me, to, from, quick);
	}
	err = ls_mutex_lock(to->lock);
	if (err)
		goto out;
	deadlock_move(me);
	if (!quick)
		err = scene_work(s->run, MOVE_MS * MS);
	ls_mutex_unlock(to->lock);
out:
	ls_mutex_unlock(from->lock);
	return err;
}

/* One side of a transfer under one lock: debit (sign -1) puts the amount
 * in flight, credit (sign 1) takes it out.  *amt is chosen by the debit. */
static int
deadlock_one_side(struct mover *me, struct account *acct, int sign,
		  long *amt, bool quick)
{
	struct deadlock *s = me->s;
	long flight;
	int err;

	err = ls_mutex_lock(acct->lock);
	if (err)
		return err;
	if (!quick) {
		err = scene_work(s->run, HOLD_MS * MS);
		if (err)
			goto out;
	}
	if (sign < 0) {
		*amt = deadlock_amount(me);
		atomic_fetch_sub_explicit(&acct->money, *amt,
					  memory_order_relaxed);
		flight = atomic_fetch_add(&s->in_flight, *amt) + *amt;
	} else {
		atomic_fetch_add_explicit(&acct->money, *amt,
					  memory_order_relaxed);
		flight = atomic_fetch_sub(&s->in_flight, *amt) - *amt;
	}
	ls_emit(LS_EV_MARK, acct->v_money,
		(uint64_t)atomic_load_explicit(&acct->money,
					       memory_order_relaxed), 0);
	ls_emit(LS_EV_MARK, s->v_fixvar, (uint64_t)flight, 0);
out:
	ls_mutex_unlock(acct->lock);
	return err;
}

static int
deadlock_transfer(struct mover *me, bool quick)
{
	struct deadlock *s = me->s;
	long amt = 0;
	int err;

	switch (s->fix) {
	case FIX_ORDERING:
		/* Lower account first, whichever way the money goes. */
		return deadlock_two_locks(me, &s->acct[0], &s->acct[1], quick);
	case FIX_TRYLOCK:
		return deadlock_trylock(me, quick);
	case FIX_HIERARCHY:
		return deadlock_hierarchy(me, quick);
	case FIX_SCOPE:
		err = deadlock_one_side(me, me->from, -1, &amt, quick);
		if (!err)
			err = deadlock_one_side(me, me->to, 1, &amt, quick);
		/* Cancelled between the two sides: the money stays in
		 * flight, which the invariant counts, so nothing is lost. */
		return err;
	default:
		return deadlock_two_locks(me, me->from, me->to, quick);
	}
}

static void
mover_main(void *arg)
{
	struct mover *me = arg;
	struct deadlock *s = me->s;
	bool first = true;

	/* The starting picture.  Constants, not loads: every mover parks at
	 * its first gate until the schedule has run, so nothing has moved. */
	ls_emit(LS_EV_MARK, me->from->v_money, START_MONEY, 0);
	ls_emit(LS_EV_MARK, me->v_transfers, 0, 0);
	if (me == &s->movers[0] && s->v_total)
		ls_emit(LS_EV_MARK, s->v_total, 2 * START_MONEY, 0);
	if (me == &s->movers[0] && s->v_fixvar)
		ls_emit(LS_EV_MARK, s->v_fixvar, 0, 0);
	for (;;) {
		/* The first transfer is the forced one: the schedule holds
		 * the threads between the locks, no simulated time needed. */
		if (!first && scene_sleep(s->run, (THINK_MIN_MS +
				scene_rand(&me->rng) % THINK_SPAN_MS) * MS))
			return;
		if (deadlock_transfer(me, first))
			return;
		atomic_store(&me->last_ns, ls_clock_ns());
		ls_emit(LS_EV_MARK, me->v_transfers,
			atomic_fetch_add(&me->transfers, 1) + 1, 0);
		first = false;
	}
}

static int
deadlock_start(struct scene_run *run)
{
	struct deadlock *s = run->state;
	static const char *const fixvar[] = {
		[FIX_TRYLOCK] = "retries", [FIX_HIERARCHY] = "violations",
		[FIX_SCOPE] = "in flight",
	};
	char name[32];
	unsigned i;
	int err;

	s->run = run;
	s->fix = run->params[P_FIX];
	/* In the order of the objects panel: the accounts' money first
	 * (one line), their locks, the total, the transfers, then the
	 * fix's own counter. */
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "money %s", account_names[i]);
		s->acct[i].v_money = ls_ring_object_add(run->ring, LS_OBJ_VAR,
							name);
	}
	for (i = 0; i < 2; i++) {
		err = ls_mutex_create(run->ring, account_names[i],
				      &s->acct[i].lock);
		if (err)
			return err;
		atomic_store(&s->acct[i].money, START_MONEY);
		s->acct[i].level = i + 1;
	}
	/* With one lock at a time no thread sees the total whole. */
	if (s->fix != FIX_SCOPE)
		s->v_total = ls_ring_object_add(run->ring, LS_OBJ_VAR, "total");
	for (i = 0; i < 2; i++) {
		struct mover *m = &s->movers[i];

		m->s = s;
		m->name = i ? "T2" : "T1";
		m->from = &s->acct[i];
		m->to = &s->acct[1 - i];
		m->rng = scene_seed(run, i);
		snprintf(name, sizeof(name), "%s transfers", m->name);
		m->v_transfers = ls_ring_object_add(run->ring, LS_OBJ_VAR,
						    name);
	}
	if (fixvar[s->fix])
		s->v_fixvar = ls_ring_object_add(run->ring, LS_OBJ_VAR,
						 fixvar[s->fix]);
	for (i = 0; i < 2; i++) {
		err = ls_thread_spawn(run->group, s->movers[i].name,
				      mover_main, &s->movers[i]);
		if (err)
			return err;
	}
	return 0;
}

static void
deadlock_stop(struct scene_run *run)
{
	struct deadlock *s = run->state;
	unsigned i;

	for (i = 0; i < 2; i++) {
		ls_mutex_destroy(s->acct[i].lock);
		s->acct[i].lock = NULL;
	}
}

/* T1 takes A, T2 takes B, then each asks for its second lock: the
 * deadlock, at once.  The same for every fix, which must survive it. */
static const char *const *
deadlock_schedule(struct scene_run *run)
{
	static const char *const steps[] = { "T1", "T2", "T1", "T2", NULL };

	(void)run;
	return steps;
}

/*
 * Find a cycle of movers, each blocked without a deadline on a lock the
 * next one holds; write it into buf ("T1 holds A wants B, ...").  The
 * group is settled, so blocked threads and owners are still.  Returns
 * whether there is one.
 */
static bool
deadlock_cycle(struct deadlock *s, char *buf, size_t n)
{
	const struct ls_gate_view *v = s->run->view;
	size_t nv = s->run->nview, i;
	int next[2] = { -1, -1 }, held[2] = { -1, -1 }, want[2] = { -1, -1 };
	unsigned k, a;

	for (k = 0; k < 2; k++) {
		struct mover *me = &s->movers[k];

		for (i = 0; i < nv; i++)
			if (!strcmp(v[i].name, me->name))
				break;
		if (i == nv || v[i].state != LS_STATE_BLOCKED ||
		    atomic_load(&me->timed_wait))
			continue;
		for (a = 0; a < 2; a++) {
			unsigned owner = ls_mutex_owner(s->acct[a].lock);

			if (ls_mutex_id(s->acct[a].lock) == v[i].blocked_on)
				want[k] = (int)a;
			else if (owner && owner == v[i].tid)
				held[k] = (int)a;
		}
		if (want[k] < 0)
			continue;
		/* Who holds what k wants: the other mover, or nobody. */
		for (i = 0; i < nv; i++)
			if (v[i].tid && v[i].tid ==
			    ls_mutex_owner(s->acct[want[k]].lock) &&
			    !strcmp(v[i].name, s->movers[1 - k].name))
				next[k] = (int)(1 - k);
	}
	if (next[0] != 1 || next[1] != 0)
		return false;
	snprintf(buf, n, "T1 holds %s wants %s, T2 holds %s wants %s",
		 held[0] >= 0 ? account_names[held[0]] : "?",
		 account_names[want[0]],
		 held[1] >= 0 ? account_names[held[1]] : "?",
		 account_names[want[1]]);
	return true;
}

static bool
deadlock_invariant(struct scene_run *run, const char **name, char *detail,
		   size_t n)
{
	struct deadlock *s = run->state;
	unsigned speed = atomic_load(&run->speed_permille);
	/* A second of workload time, and never less than a real one. */
	uint64_t window = speed && speed < 1000 ? PROGRESS_NS * 1000 / speed
						: PROGRESS_NS;
	uint64_t now = ls_clock_ns();
	long a = atomic_load_explicit(&s->acct[0].money, memory_order_relaxed);
	long b = atomic_load_explicit(&s->acct[1].money, memory_order_relaxed);
	long flight = atomic_load(&s->in_flight);
	char cycle[96], ago[2][24];
	bool stuck, progress = true;
	unsigned long done[2];
	unsigned k;

	stuck = deadlock_cycle(s, cycle, sizeof(cycle));
	for (k = 0; k < 2; k++) {
		uint64_t last = atomic_load(&s->movers[k].last_ns);

		done[k] = atomic_load(&s->movers[k].transfers);
		if (!done[k] || last + window < now)
			progress = false;
		if (done[k])
			snprintf(ago[k], sizeof(ago[k]), "%.2fs ago",
				 now > last ? (double)(now - last) / 1e9 : 0.0);
		else
			snprintf(ago[k], sizeof(ago[k]), "never");
	}
	*name = "no deadlock, every thread progresses, money conserved";
	snprintf(detail, n, "%s%s%stransfers T1 %lu (last %s), T2 %lu "
		 "(last %s); total %ld of %d (in flight %ld); retries %lu, "
		 "hierarchy violations %lu",
		 stuck ? "DEADLOCK: " : "", stuck ? cycle : "",
		 stuck ? "; " : "", done[0], ago[0], done[1], ago[1],
		 a + b + flight, 2 * START_MONEY, flight,
		 atomic_load(&s->retries), atomic_load(&s->violations));
	return !stuck && progress && a + b + flight == 2 * START_MONEY;
}

static const char *const fixes[] = {
	"none", "ordering", "trylock", "hierarchy", "scope",
};

static const struct scene_param deadlock_params[] = {
	[P_FIX] = { .name = "fix",
		    .help = "none (deadlock), ordering, trylock, hierarchy "
			    "or scope",
		    .min = 0, .max = 4, .def = FIX_NONE, .values = fixes,
		    .key = 'f' },
};

const struct scene_def scene_deadlock = {
	.name = "deadlock",
	.title = "two locks, opposite order",
	.summary = "transfers A->B and B->A lock in opposite order and "
		   "deadlock; fixes: ordering, try-lock, hierarchy, scope",
	.params = deadlock_params,
	.nparams = sizeof(deadlock_params) / sizeof(deadlock_params[0]),
	.state_size = sizeof(struct deadlock),
	.start = deadlock_start,
	.stop = deadlock_stop,
	.schedule = deadlock_schedule,
	.invariant = deadlock_invariant,
	.judge_after_ms = 500,
};
