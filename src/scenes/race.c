/*
 * race.c - the lost update: two withdrawals from one balance, and one
 * counter that several threads increment without a lock.
 *
 * alice and bob each withdraw 50 from a balance of 100 as three separate
 * steps: load the balance, work out the new one, store it.  A "bank"
 * thread opens each round (balance back to 100), waits for both
 * withdrawals (handed over through small queues) and audits: the balance
 * must end at 0, and a round that ends at 50 lost a withdrawal.  Beside
 * them, the "adders" inc-1..inc-N each add 1 to a shared counter M times,
 * again as a load and a store.
 *
 * The data race is real but the program stays defined C: every access is
 * a relaxed atomic load or store, so ThreadSanitizer has nothing to report
 * while the load-then-store still loses updates.  Gates ("read balance",
 * "write balance", "read counter", "write counter") sit before each load
 * and store, so a class can step the threads one access at a time.
 *
 * Determinism: the schedule lets alice read, bob read, alice write, bob
 * write in the first round, and inc-1 read, inc-2 read, inc-1 write, inc-2
 * write on the counter's first increments, so fix=none loses both every
 * time.  Later rounds lose by timing alone (both reads come well before
 * either write), which shows the failure again and again on screen, but
 * the invariant never depends on it.
 *
 * A store that overwrites a value its thread never read is reported the
 * moment it happens (scene_report, LOST UPDATE), naming the values: the
 * store is an atomic exchange, so the thread learns exactly what it
 * wrote over.  fix=mutex puts an instrumented mutex
 * around each read-modify-write (the forced schedule then finds bob, or
 * inc-2, blocked and skips him); fix=atomic does one atomic_fetch_sub /
 * atomic_fetch_add, with no read/write split to interleave.
 *
 * Invariant: every audited round ended at 0, the round in progress is
 * consistent (balance = 100 - 50 x withdrawals stored), and the counter
 * equals the increments the adders completed (N x M once they are done).
 * Judged with the group settled: every shared write below follows a gate
 * with no gate, sleep or wait between it and its bookkeeping, so a settled
 * group never shows half a step.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/bqueue.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_FIX, P_ADDERS, P_ADDS };
enum { FIX_NONE, FIX_MUTEX, FIX_ATOMIC };

#define MAX_ADDERS 8
#define START_BALANCE 100
#define WITHDRAWAL 50
#define MS 1000000ull
/* Workload times: the gap between a teller's read and write is far longer
 * than the jitter between the two tellers, so later rounds lose too. */
#define JITTER_MS 100
#define MODIFY_MS 300
#define SHOW_MS 1500		/* the bank shows each audit this long */
#define MARK_EVERY 256		/* one counter MARK per this many adds */

struct race;

struct teller {
	struct race *s;
	unsigned idx;
	uint64_t rng;
};

struct adder {
	struct race *s;
	char name[24];
	/* Increments this adder has stored: written by it alone, read by
	 * the invariant (relaxed: the settled group orders the reads). */
	atomic_ulong done;
};

struct race {
	struct scene_run *run;
	int fix;
	unsigned nadders;
	unsigned long adds;

	/* The shared data the lesson is about.  Relaxed atomics: defined C
	 * and quiet under TSan, yet load and store are still two steps. */
	atomic_int balance;
	atomic_ulong counter;

	/* Round bookkeeping, written right after a gate by the tellers
	 * (withdrawn) and the bank (the rest); read by the invariant. */
	atomic_uint withdrawn;		/* stored this round */
	atomic_bool audited;		/* judged by the bank */
	atomic_ulong rounds, lost_rounds, lost_withdrawals;
	/* Set once, by the last adder to finish: the one whose decrement
	 * of adders_left reached 0, after which no adder stores again. */
	atomic_ulong lost_adds;
	atomic_uint adders_left;
	/* The counter's first lost add is reported, not the thousands
	 * after it. */
	atomic_flag add_reported;

	struct ls_mutex *balance_lock, *counter_lock;	/* fix=mutex */
	/* Round hand-offs.  Queues, not semaphores: a semaphore taken by
	 * one thread and given back by another would show on screen as
	 * held for ever by the thread that took it. */
	struct ls_bqueue *go[2], *done;
	uint32_t v_balance, v_counter, v_want, v_lost, v_lost_rounds,
		 v_rounds;
	struct teller tellers[2];
	struct adder adders[MAX_ADDERS];
};

static const char *const teller_names[2] = { "alice", "bob" };

/* Publish the lost-update total: withdrawals lost in audited rounds plus
 * increments lost, once the adders are done (before that the difference
 * between the counter and the adds done moves under our feet).  Bank
 * thread only: with one writer the value on screen never goes back. */
static void
race_emit_lost(struct race *s)
{
	ls_emit(LS_EV_MARK, s->v_lost,
		atomic_load(&s->lost_withdrawals) + atomic_load(&s->lost_adds),
		0);
}

/* Store the new balance v - 50 that teller me worked out from the v it
 * read; if the balance was no longer v, the other teller's withdrawal
 * stored in between is wiped out: say so, with the values. */
static void
race_store_balance(struct race *s, const struct teller *me, int v)
{
	int was = atomic_exchange_explicit(&s->balance, v - WITHDRAWAL,
					   memory_order_relaxed);
	const char *other = teller_names[1 - me->idx];

	ls_emit(LS_EV_MARK, s->v_balance, (uint64_t)(v - WITHDRAWAL),
		LS_MARK_WRITE);
	if (was == v)
		return;
	/* Between the bank's audits only the two tellers write, so what
	 * was overwritten is the other one's withdrawal. */
	scene_report(s->run, LS_OUT_LOST_UPDATE, s->v_balance, 0,
		     "%s wrote %d over %s's %d: %s's withdrawal is lost "
		     "(%s read %d before %s wrote).",
		     teller_names[me->idx], v - WITHDRAWAL, other, was, other,
		     teller_names[me->idx], v, other);
}

/* One withdrawal of 50, the broken way or a fixed way.  first: the
 * forced round, whose steps the schedule holds apart, so no simulated
 * work is needed (and none is done: a step must not wait for it).
 * Returns 0 or -ECANCELED. */
static int
race_withdraw(struct race *s, const struct teller *me, bool first)
{
	int v, err = 0;

	if (s->fix == FIX_ATOMIC) {
		/* The counting happens before, outside the one atomic
		 * step that changes the balance. */
		if (!first && scene_work(s->run, MODIFY_MS * MS))
			return -ECANCELED;
		if (ls_gate(LS_EV_MARK, s->v_balance, "fetch_sub balance"))
			return -ECANCELED;
		v = atomic_fetch_sub(&s->balance, WITHDRAWAL) - WITHDRAWAL;
		atomic_fetch_add(&s->withdrawn, 1);
		ls_emit(LS_EV_MARK, s->v_balance, (uint64_t)v, LS_MARK_WRITE);
		return 0;
	}
	if (s->fix == FIX_MUTEX) {
		err = ls_mutex_lock(s->balance_lock);
		if (err)
			return err;
	}
	err = ls_gate(LS_EV_MARK, s->v_balance, "read balance");
	if (err)
		goto out;
	v = atomic_load_explicit(&s->balance, memory_order_relaxed);
	ls_emit(LS_EV_MARK, s->v_balance, (uint64_t)v, LS_MARK_READ);
	/* Working out the new balance: the window in which the other
	 * teller can read the same old value. */
	if (!first) {
		err = scene_work(s->run, MODIFY_MS * MS);
		if (err)
			goto out;
	}
	err = ls_gate(LS_EV_MARK, s->v_balance, "write balance");
	if (err)
		goto out;
	race_store_balance(s, me, v);
	atomic_fetch_add(&s->withdrawn, 1);
out:
	if (s->fix == FIX_MUTEX)
		ls_mutex_unlock(s->balance_lock);
	return err;
}

static void
teller_main(void *arg)
{
	struct teller *me = arg;
	struct race *s = me->s;
	bool first = true;

	for (;;) {
		if (!first) {
			void *item;

			if (ls_bqueue_pop(s->go[me->idx], &item))
				return;
			/* Not quite together, as real customers. */
			if (scene_sleep(s->run, scene_rand(&me->rng) %
					(JITTER_MS + 1) * MS))
				return;
		}
		if (race_withdraw(s, me, first) ||
		    ls_bqueue_push(s->done, me))
			return;
		first = false;
	}
}

/* Judge the round that just ended.  Bank thread, both withdrawals in. */
static void
race_audit(struct race *s)
{
	int b = atomic_load_explicit(&s->balance, memory_order_relaxed);
	unsigned long lost = b > 0 ? (unsigned long)b / WITHDRAWAL : 0;

	atomic_fetch_add(&s->rounds, 1);
	if (lost) {
		atomic_fetch_add(&s->lost_rounds, 1);
		atomic_fetch_add(&s->lost_withdrawals, lost);
	}
	atomic_store(&s->audited, true);
	ls_emit(LS_EV_MARK, s->v_rounds, atomic_load(&s->rounds), 0);
	ls_emit(LS_EV_MARK, s->v_lost_rounds, atomic_load(&s->lost_rounds), 0);
	race_emit_lost(s);
}

static void
bank_main(void *arg)
{
	struct race *s = arg;

	/* The starting picture, before the first gate. */
	ls_emit(LS_EV_MARK, s->v_balance, START_BALANCE, 0);
	ls_emit(LS_EV_MARK, s->v_want, (uint64_t)s->nadders * s->adds, 0);
	ls_emit(LS_EV_MARK, s->v_rounds, 0, 0);
	ls_emit(LS_EV_MARK, s->v_lost_rounds, 0, 0);
	ls_emit(LS_EV_MARK, s->v_lost, 0, 0);
	for (;;) {
		void *item;

		if (ls_bqueue_pop(s->done, &item) ||
		    ls_bqueue_pop(s->done, &item))
			return;
		race_audit(s);
		if (scene_sleep(s->run, SHOW_MS * MS))
			return;
		if (ls_gate(LS_EV_MARK, s->v_balance, "open round"))
			return;
		atomic_store_explicit(&s->balance, START_BALANCE,
				      memory_order_relaxed);
		atomic_store(&s->withdrawn, 0);
		atomic_store(&s->audited, false);
		ls_emit(LS_EV_MARK, s->v_balance, START_BALANCE,
			LS_MARK_WRITE);
		/* Room for both: each queue holds one, and was emptied. */
		if (ls_bqueue_push(s->go[0], NULL) ||
		    ls_bqueue_push(s->go[1], NULL))
			return;
	}
}

/* One increment, the broken way or a fixed way; *done is this adder's
 * count, published after the store.  Returns 0 or -ECANCELED. */
static int
race_add(struct race *s, struct adder *me, unsigned long *done)
{
	unsigned long v, was;
	int err;

	if (s->fix == FIX_ATOMIC) {
		if (ls_gate(LS_EV_MARK, s->v_counter, "fetch_add counter"))
			return -ECANCELED;
		atomic_fetch_add_explicit(&s->counter, 1, memory_order_relaxed);
		atomic_store_explicit(&me->done, ++*done, memory_order_relaxed);
		return 0;
	}
	if (s->fix == FIX_MUTEX) {
		err = ls_mutex_lock(s->counter_lock);
		if (err)
			return err;
	}
	err = ls_gate(LS_EV_MARK, s->v_counter, "read counter");
	if (err)
		goto out;
	v = atomic_load_explicit(&s->counter, memory_order_relaxed);
	err = ls_gate(LS_EV_MARK, s->v_counter, "write counter");
	if (err)
		goto out;
	was = atomic_exchange_explicit(&s->counter, v + 1,
				       memory_order_relaxed);
	atomic_store_explicit(&me->done, ++*done, memory_order_relaxed);
	if (was != v && !atomic_flag_test_and_set(&s->add_reported))
		scene_report(s->run, LS_OUT_LOST_UPDATE, s->v_counter, 0,
			     "%s wrote counter = %lu over %lu: it read %lu, "
			     "so %lu add%s of the others %s lost.", me->name,
			     v + 1, was, v, was - v, was - v == 1 ? "" : "s",
			     was - v == 1 ? "is" : "are");
out:
	if (s->fix == FIX_MUTEX)
		ls_mutex_unlock(s->counter_lock);
	return err;
}

static void
adder_main(void *arg)
{
	struct adder *me = arg;
	struct race *s = me->s;
	unsigned long done = 0, i;

	for (i = 0; i < s->adds; i++) {
		if (race_add(s, me, &done))
			return;
		if (done % MARK_EVERY == 0)
			ls_emit(LS_EV_MARK, s->v_counter,
				atomic_load_explicit(&s->counter,
						     memory_order_relaxed), 0);
	}
	ls_emit(LS_EV_MARK, s->v_counter,
		atomic_load_explicit(&s->counter, memory_order_relaxed), 0);
	/* The last one out sees every store: the adders_left RMWs order
	 * the others' stores before this load. */
	if (atomic_fetch_sub(&s->adders_left, 1) == 1) {
		unsigned long c = atomic_load_explicit(&s->counter,
						       memory_order_relaxed);
		unsigned long want = (unsigned long)s->nadders * s->adds;

		/* The bank adds it to "lost" at its next audit. */
		atomic_store(&s->lost_adds, want > c ? want - c : 0);
		ls_emit(LS_EV_MARK, s->v_counter, c, 0);
	}
}

static int
race_start(struct scene_run *run)
{
	struct race *s = run->state;
	char name[32];
	unsigned i;
	int err;

	s->run = run;
	s->fix = run->params[P_FIX];
	s->nadders = (unsigned)run->params[P_ADDERS];
	s->adds = (unsigned long)run->params[P_ADDS];
	atomic_store(&s->balance, START_BALANCE);
	atomic_store(&s->adders_left, s->nadders);
	atomic_flag_clear(&s->add_reported);
	/* In the order of the objects panel: what the lesson is about
	 * first (the balance, its lock, what was lost), the counter next,
	 * the bank's hand-offs last. */
	s->v_balance = ls_ring_object_add(run->ring, LS_OBJ_VAR, "balance");
	if (s->fix == FIX_MUTEX) {
		err = ls_mutex_create(run->ring, "balance lock",
				      &s->balance_lock);
		if (err)
			return err;
	}
	s->v_lost = ls_ring_object_add(run->ring, LS_OBJ_VAR, "lost");
	s->v_rounds = ls_ring_object_add(run->ring, LS_OBJ_VAR, "rounds");
	s->v_lost_rounds = ls_ring_object_add(run->ring, LS_OBJ_VAR,
					      "lost rounds");
	s->v_counter = ls_ring_object_add(run->ring, LS_OBJ_VAR, "counter");
	s->v_want = ls_ring_object_add(run->ring, LS_OBJ_VAR, "counter want");
	if (s->fix == FIX_MUTEX) {
		err = ls_mutex_create(run->ring, "counter lock",
				      &s->counter_lock);
		if (err)
			return err;
	}
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s's turn", teller_names[i]);
		err = ls_bqueue_create(run->ring, name, 1, &s->go[i]);
		if (err)
			return err;
	}
	err = ls_bqueue_create(run->ring, "withdrawals", 2, &s->done);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		s->tellers[i] = (struct teller){
			.s = s, .idx = i,
			.rng = scene_seed(run, i),
		};
		err = ls_thread_spawn(run->group, teller_names[i], teller_main,
				      &s->tellers[i]);
		if (err)
			return err;
	}
	err = ls_thread_spawn(run->group, "bank", bank_main, s);
	if (err)
		return err;
	for (i = 0; i < s->nadders; i++) {
		s->adders[i].s = s;
		snprintf(s->adders[i].name, sizeof(s->adders[i].name), "inc-%u",
			 i + 1);
		err = ls_thread_spawn(run->group, s->adders[i].name, adder_main,
				      &s->adders[i]);
		if (err)
			return err;
	}
	return 0;
}

static void
race_stop(struct scene_run *run)
{
	struct race *s = run->state;
	unsigned i;

	ls_mutex_destroy(s->balance_lock);
	ls_mutex_destroy(s->counter_lock);
	for (i = 0; i < 2; i++)
		ls_bqueue_destroy(s->go[i]);
	ls_bqueue_destroy(s->done);
	s->balance_lock = s->counter_lock = NULL;
	s->go[0] = s->go[1] = s->done = NULL;
}

/* The same for every fix: a fix must survive the schedule that breaks
 * the unfixed code. */
static const char *const *
race_schedule(struct scene_run *run)
{
	static const char *const steps[] = {
		"alice", "bob", "alice", "bob",
		"inc-1", "inc-2", "inc-1", "inc-2", NULL,
	};

	(void)run;
	return steps;
}

static bool
race_invariant(struct scene_run *run, const char **name, char *detail,
	       size_t n)
{
	struct race *s = run->state;
	int b = atomic_load_explicit(&s->balance, memory_order_relaxed);
	unsigned w = atomic_load(&s->withdrawn);
	long expect_b = START_BALANCE - (long)WITHDRAWAL * w;
	unsigned long lost_now = 0, done = 0, counter, lost_adds, rounds,
		      lost_rounds, lost_w;
	unsigned i;

	/* The round in progress: only stored withdrawals count, and a
	 * teller parked between its read and its write has stored none. */
	if (!atomic_load(&s->audited) && b > expect_b)
		lost_now = (unsigned long)(b - expect_b) / WITHDRAWAL;
	for (i = 0; i < s->nadders; i++)
		done += atomic_load_explicit(&s->adders[i].done,
					     memory_order_relaxed);
	counter = atomic_load_explicit(&s->counter, memory_order_relaxed);
	lost_adds = done > counter ? done - counter : 0;
	rounds = atomic_load(&s->rounds);
	lost_rounds = atomic_load(&s->lost_rounds);
	lost_w = atomic_load(&s->lost_withdrawals);

	*name = "balance ends at 0; counter = adds done";
	snprintf(detail, n, "balance: %lu rounds, %lu lost (%lu withdrawals "
		 "lost%s), now %d; counter %lu of %lu adds done (want %lu), "
		 "%lu lost; forced %u steps",
		 rounds, lost_rounds, lost_w + lost_now,
		 lost_now ? ", 1 round unaudited" : "", b, counter, done,
		 (unsigned long)s->nadders * s->adds, lost_adds,
		 run->forced.stepped);
	return lost_rounds == 0 && lost_now == 0 && counter == done &&
	       counter <= (unsigned long)s->nadders * s->adds;
}

static const char *const fixes[] = { "none", "mutex", "atomic" };

static const struct scene_param race_params[] = {
	[P_FIX] = { .name = "fix",
		    .help = "none (lost updates), mutex or atomic",
		    .min = 0, .max = 2, .def = FIX_NONE, .values = fixes,
		    .key = 'f' },
	[P_ADDERS] = { .name = "adders",
		       .help = "threads adding to the counter",
		       .min = 2, .max = MAX_ADDERS, .def = 2,
		       .key = 'd', .key_down = 'D' },
	[P_ADDS] = { .name = "adds", .help = "increments per adder",
		     .min = 1000, .max = 100000, .def = 1000, .step = 1000,
		     .key = 'a', .key_down = 'A' },
};

const struct scene_def scene_race = {
	.name = "race",
	.title = "the lost update",
	.summary = "two withdrawals from one balance, a shared counter: "
		   "lost updates; fix with a mutex or an atomic",
	.params = race_params,
	.nparams = sizeof(race_params) / sizeof(race_params[0]),
	.state_size = sizeof(struct race),
	.start = race_start,
	.stop = race_stop,
	.schedule = race_schedule,
	.invariant = race_invariant,
	.invariant_is_safety = true,
};
