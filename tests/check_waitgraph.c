/*
 * check_waitgraph.c - unit tests of deadlock and lock-order detection in
 * the model (waitgraph.c): hand-built event sequences for each kind of
 * cycle (two and three threads, rwlock readers and writers, semaphores),
 * each asserted on the very event that closes it and not one earlier;
 * cycles that break by timeout or cancel; lock-order inversions without a
 * deadlock; the patterns that must not be reported (one thread relocking,
 * readers sharing, a consistent order, queues, semaphores used as
 * signals); and two runs of real engine threads: a real deadlock found and
 * cleared by cancelling, and a contended workload in a consistent order
 * that must produce no report at all.
 */
#include "checkutil.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "lockstep/bqueue.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"
#include "model/model.h"

/* Each test runs in its own process (Check forks), so the feeder may be
 * static: the model, the clock of the hand-built events and each tid's
 * next sequence number. */
#define FEED_TIDS 512

static struct model *M;
static uint64_t feed_ts;
static uint32_t feed_seq[FEED_TIDS];

static void
setup(void)
{
	M = malloc(sizeof(*M));
	ck_assert_ptr_nonnull(M);
	model_init(M);
	feed_ts = 1000000;
	memset(feed_seq, 0, sizeof(feed_seq));
}

static void
teardown(void)
{
	free(M);
	M = NULL;
}

/* Feed one hand-built event from tid, 1 us after the previous one, with
 * the next seq of tid.  Returns its ts. */
static uint64_t
feed(unsigned tid, unsigned kind, uint32_t obj, uint64_t arg, uint32_t aux)
{
	struct ls_event e = {
		.ts = feed_ts += 1000,
		.arg = arg,
		.seq = feed_seq[tid]++,
		.obj = obj,
		.tid = (uint16_t)tid,
		.kind = (uint16_t)kind,
		.aux = aux,
	};

	ck_assert_uint_lt(tid, FEED_TIDS);
	model_apply(M, &e);
	return e.ts;
}

/* Objects: mutexes A, B, C, M; rwlock R; semaphores S, S2; queue Q. */
enum { A = 1, B = 2, C = 3, MU = 4, R = 5, S = 6, S2 = 7, Q = 8, R2 = 9 };

static void
name_objects(void)
{
	model_name_object(M, A, LS_OBJ_MUTEX, "A");
	model_name_object(M, B, LS_OBJ_MUTEX, "B");
	model_name_object(M, C, LS_OBJ_MUTEX, "C");
	model_name_object(M, MU, LS_OBJ_MUTEX, "M");
	model_name_object(M, R, LS_OBJ_RWLOCK, "R");
	model_name_object(M, R2, LS_OBJ_RWLOCK, "R2");
	model_name_object(M, S, LS_OBJ_SEM, "S");
	model_name_object(M, S2, LS_OBJ_SEM, "S2");
	model_name_object(M, Q, LS_OBJ_QUEUE, "Q");
}

/* Mutex operations. */
static uint64_t
lock(unsigned tid, uint32_t id)
{
	return feed(tid, LS_EV_LOCK_ACQUIRED, id, 0, 0);
}

static uint64_t
wait_lock(unsigned tid, uint32_t id)
{
	return feed(tid, LS_EV_LOCK_WAIT, id, 0, 0);
}

static uint64_t
unlock(unsigned tid, uint32_t id)
{
	return feed(tid, LS_EV_LOCK_RELEASED, id, 0, 0);
}

static bool
thr_in_cycle(unsigned tid)
{
	const struct model_thread *t = model_thread(M, tid);

	ck_assert_msg(t != NULL, "no thread T%u", tid);
	return t->in_cycle;
}

static bool
deadlocked(void)
{
	return model_deadlock(M, NULL);
}

/*
 * Assert that the current cycle is exactly n threads and objects, given
 * as tid, obj, tid, obj...: tid[i] waits for obj[i] held by tid[i + 1].
 */
static void
assert_cycle(const struct model_cycle *c, unsigned n, const unsigned *tids,
	     const uint32_t *objs)
{
	unsigned i;

	ck_assert_uint_eq(c->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(c->tid[i], tids[i]);
		ck_assert_uint_eq(c->obj[i], objs[i]);
	}
}

static void
assert_now(unsigned n, const unsigned *tids, const uint32_t *objs,
	   uint64_t ts)
{
	struct model_cycle c;

	ck_assert(model_deadlock(M, &c));
	assert_cycle(&c, n, tids, objs);
	ck_assert_uint_eq(c.ts, ts);
	ck_assert_uint_eq(c.cleared, 0);
}

/* No deadlock now, none ever, no inversion. */
static void
assert_clean(void)
{
	ck_assert(!model_deadlock(M, NULL));
	ck_assert(!model_first_deadlock(M, NULL));
	ck_assert_uint_eq(model_deadlocks(M), 0);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 0);
	ck_assert_uint_eq(M->wg.inversions, 0);
}

/* The wait edge of waiter in the current graph; fails if it has none. */
static struct model_wait_edge
edge_of(unsigned waiter)
{
	struct model_wait_edge e[MODEL_MAX_THREADS];
	size_t n = model_wait_edges(M, e, MODEL_MAX_THREADS), i;

	for (i = 0; i < n; i++)
		if (e[i].waiter == waiter)
			return e[i];
	ck_abort_msg("no wait edge of T%u", waiter);
	return e[0];
}

START_TEST(test_two_threads_two_locks)
{
	static const unsigned tids[] = { 1, 2 };
	static const uint32_t objs[] = { B, A };
	struct model_inversion inv[2];
	struct model_wait_edge w;
	struct model_cycle c;
	uint64_t t1a, t1b, ts;

	name_objects();
	t1a = lock(1, A);
	lock(2, B);
	t1b = wait_lock(1, B);
	/* T1 -> T2 only: one event before the cycle, none yet. */
	ck_assert(!deadlocked());
	ck_assert_uint_eq(model_deadlocks(M), 0);
	w = edge_of(1);
	ck_assert_uint_eq(w.obj, B);
	ck_assert_uint_eq(w.kind, LS_EV_LOCK_WAIT);
	ck_assert_uint_eq(w.nholders, 1);
	ck_assert_uint_eq(w.holder[0], 2);
	ck_assert(!w.in_cycle);

	ts = wait_lock(2, A);
	/* The closing event: T1 waits for B held by T2, T2 for A held by
	 * T1, in that order whichever thread closed it. */
	assert_now(2, tids, objs, ts);
	ck_assert(model_first_deadlock(M, &c));
	assert_cycle(&c, 2, tids, objs);
	ck_assert_uint_eq(c.ts, ts);
	ck_assert_uint_eq(model_deadlocks(M), 1);
	ck_assert(thr_in_cycle(1) && thr_in_cycle(2));
	ck_assert(model_object(M, A)->in_cycle && model_object(M, B)->in_cycle);
	w = edge_of(1);
	ck_assert(w.in_cycle);
	w = edge_of(2);
	ck_assert(w.in_cycle);
	ck_assert_uint_eq(w.obj, A);
	ck_assert_uint_eq(w.holder[0], 1);

	/* The attempts are orders too (lockdep's rule): A then B by T1, B
	 * then A by T2, found on the same event. */
	ck_assert_uint_eq(model_inversions(M, inv, 2), 1);
	ck_assert_uint_eq(inv[0].n, 2);
	ck_assert_uint_eq(inv[0].ts, ts);
	ck_assert_uint_eq(inv[0].order[0].from, A);
	ck_assert_uint_eq(inv[0].order[0].to, B);
	ck_assert_uint_eq(inv[0].order[0].tid, 1);
	ck_assert_uint_eq(inv[0].order[0].ts, t1b);
	ck_assert_uint_eq(inv[0].order[1].from, B);
	ck_assert_uint_eq(inv[0].order[1].to, A);
	ck_assert_uint_eq(inv[0].order[1].tid, 2);
	ck_assert_uint_eq(inv[0].order[1].ts, ts);
	ck_assert_uint_gt(t1b, t1a);

	/* Unrelated traffic leaves it alone. */
	lock(3, C);
	wait_lock(4, C);
	unlock(3, C);
	lock(4, C);
	unlock(4, C);
	assert_now(2, tids, objs, ts);
	ck_assert_uint_eq(model_deadlocks(M), 1);
}
END_TEST

START_TEST(test_three_threads)
{
	static const unsigned tids[] = { 1, 2, 3 };
	static const uint32_t objs[] = { B, C, A };
	uint64_t ts;

	name_objects();
	lock(1, A);
	lock(2, B);
	lock(3, C);
	wait_lock(1, B);
	ck_assert(!deadlocked());
	wait_lock(2, C);
	ck_assert(!deadlocked());
	ts = wait_lock(3, A);
	assert_now(3, tids, objs, ts);
	ck_assert_uint_eq(model_deadlocks(M), 1);
	/* One inversion, three orders: A->B, B->C, then C->A closing. */
	{
		struct model_inversion inv;

		ck_assert_uint_eq(model_inversions(M, &inv, 1), 1);
		ck_assert_uint_eq(inv.n, 3);
		ck_assert_uint_eq(inv.order[0].from, A);
		ck_assert_uint_eq(inv.order[1].from, B);
		ck_assert_uint_eq(inv.order[2].from, C);
		ck_assert_uint_eq(inv.order[2].to, A);
		ck_assert_uint_eq(inv.order[2].tid, 3);
	}
}
END_TEST

START_TEST(test_rwlock_readers_hold)
{
	static const unsigned tids[] = { 1, 3 };
	static const uint32_t objs[] = { MU, R };
	struct model_wait_edge w;
	uint64_t ts;

	name_objects();
	/* T1 and T2 read R; T3 holds M and wants to write R: it waits for
	 * both readers. */
	feed(1, LS_EV_RD_ACQUIRED, R, 1, 0);
	feed(2, LS_EV_RD_ACQUIRED, R, 2, 0);
	lock(3, MU);
	feed(3, LS_EV_WR_WAIT, R, 2, 1);
	ck_assert(!deadlocked());
	w = edge_of(3);
	ck_assert_uint_eq(w.nholders, 2);
	ck_assert_uint_eq(w.holder[0], 1);
	ck_assert_uint_eq(w.holder[1], 2);
	/* T1, a reader inside, now waits for M: T3 can never write. */
	ts = wait_lock(1, MU);
	assert_now(2, tids, objs, ts);
	ck_assert(!thr_in_cycle(2));
	/* T2 leaving does not help: T1 still reads. */
	feed(2, LS_EV_RD_RELEASED, R, 1, 0);
	assert_now(2, tids, objs, ts);
}
END_TEST

START_TEST(test_rwlock_writer_holds)
{
	static const unsigned tids[] = { 1, 2 };
	static const uint32_t objs[] = { MU, R };
	uint64_t ts;

	name_objects();
	/* The writer inside is the holder a reader waits for. */
	feed(1, LS_EV_WR_ACQUIRED, R, 0, 0);
	lock(2, MU);
	feed(2, LS_EV_RD_WAIT, R, 0, 1);
	ck_assert(!deadlocked());
	ck_assert_uint_eq(edge_of(2).holder[0], 1);
	ts = wait_lock(1, MU);
	assert_now(2, tids, objs, ts);
}
END_TEST

/* Form the two-lock deadlock of T1 and T2; returns the closing ts. */
static uint64_t
two_lock_deadlock(void)
{
	uint64_t ts;

	name_objects();
	lock(1, A);
	lock(2, B);
	wait_lock(1, B);
	ts = wait_lock(2, A);
	ck_assert(deadlocked());
	return ts;
}

/* The cycle of two_lock_deadlock broke at broke; still_waiting is the
 * thread that did not leave. */
static void
assert_broken(uint64_t formed, uint64_t broke, unsigned still_waiting)
{
	struct model_cycle c;

	ck_assert(!deadlocked());
	ck_assert(!thr_in_cycle(1) && !thr_in_cycle(2));
	ck_assert(!model_object(M, A)->in_cycle);
	ck_assert(!model_object(M, B)->in_cycle);
	/* The headless report keeps the first one, and when it broke. */
	ck_assert(model_first_deadlock(M, &c));
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.ts, formed);
	ck_assert_uint_eq(c.cleared, broke);
	ck_assert_uint_eq(model_deadlocks(M), 1);
	ck_assert(!edge_of(still_waiting).in_cycle);
	ck_assert_uint_eq(edge_of(still_waiting).nholders, 1);
}

START_TEST(test_broken_by_timeout)
{
	uint64_t formed = two_lock_deadlock(), broke;

	broke = feed(2, LS_EV_LOCK_TIMEOUT, A, 5000, 0);
	assert_broken(formed, broke, 1);
	/* T2 backs off; T1 gets B: nothing forms again. */
	unlock(2, B);
	lock(1, B);
	ck_assert(!deadlocked());
	ck_assert_uint_eq(model_deadlocks(M), 1);
}
END_TEST

START_TEST(test_broken_by_cancel)
{
	uint64_t formed = two_lock_deadlock(), broke;

	broke = feed(1, LS_EV_CANCELLED, B, 0, 0);
	assert_broken(formed, broke, 2);
}
END_TEST

START_TEST(test_reformed_counts_again)
{
	uint64_t formed = two_lock_deadlock(), again;
	struct model_cycle c;

	feed(2, LS_EV_LOCK_TIMEOUT, A, 5000, 0);
	ck_assert(!deadlocked());
	/* T2 tries again while still holding B: the same cycle, formed a
	 * second time, is current again; the first record stays. */
	again = wait_lock(2, A);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.ts, again);
	ck_assert_uint_eq(model_deadlocks(M), 2);
	ck_assert(model_first_deadlock(M, &c));
	ck_assert_uint_eq(c.ts, formed);
	ck_assert_uint_ne(c.cleared, 0);
	/* An inversion is reported once, however often it bites. */
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
}
END_TEST

START_TEST(test_second_cycle_shown_after_first_breaks)
{
	static const unsigned tids[] = { 3, 4 };
	static const uint32_t objs[] = { MU, C };
	struct model_cycle c;
	uint64_t first, broke;

	first = two_lock_deadlock();
	/* T3 and T4 deadlock on C and M while T1 and T2 are shown. */
	lock(3, C);
	lock(4, MU);
	wait_lock(3, MU);
	wait_lock(4, C);
	ck_assert_uint_eq(model_deadlocks(M), 2);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.tid[0], 1);
	ck_assert_uint_eq(c.ts, first);
	/* The first breaks: the second is still there and is shown. */
	broke = feed(2, LS_EV_LOCK_TIMEOUT, A, 5000, 0);
	assert_now(2, tids, objs, broke);
	ck_assert(thr_in_cycle(3) && !thr_in_cycle(2));
	feed(4, LS_EV_CANCELLED, C, 0, 0);
	ck_assert(!deadlocked());
}
END_TEST

START_TEST(test_healed_owner_breaks_cycle)
{
	two_lock_deadlock();
	/* T5 acquires A: T1's release of A was lost, T1 holds it no more
	 * (model.c heals owners), so T2 no longer waits for T1. */
	lock(5, A);
	ck_assert(!deadlocked());
	ck_assert_uint_eq(edge_of(2).holder[0], 5);
}
END_TEST

START_TEST(test_long_cycle)
{
	unsigned n = 100, i;
	struct model_cycle c;
	uint64_t ts = 0;

	/* T1..T100 each hold lock i and wait for lock i + 1 (T100 for
	 * lock 1): the cycle closes on the last wait. */
	for (i = 1; i <= n; i++)
		lock(i, 1000 + i);
	for (i = 1; i <= n; i++) {
		ck_assert(!deadlocked());
		ts = wait_lock(i, 1000 + i % n + 1);
	}
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.n, n);
	ck_assert_uint_eq(c.ts, ts);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(c.tid[i], i + 1);
		ck_assert_uint_eq(c.obj[i], 1000 + (i + 1) % n + 1);
	}
	ck_assert_uint_eq(M->wg.inversions, 1);
	ck_assert_uint_eq(M->wg.inversions_long, 1);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 0);
}
END_TEST

START_TEST(test_inversion_without_deadlock)
{
	struct model_inversion inv;
	uint64_t ab, ba;
	unsigned i;

	name_objects();
	/* T1 takes A then B and lets go; much later T2 takes B then A.
	 * The two never overlap, nobody ever waits. */
	lock(1, A);
	ab = lock(1, B);
	unlock(1, B);
	unlock(1, A);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 0);
	lock(2, B);
	ba = lock(2, A);
	unlock(2, A);
	unlock(2, B);
	ck_assert(!deadlocked());
	ck_assert_uint_eq(model_deadlocks(M), 0);
	ck_assert_uint_eq(model_inversions(M, &inv, 1), 1);
	ck_assert_uint_eq(inv.ts, ba);
	ck_assert_uint_eq(inv.n, 2);
	ck_assert_uint_eq(inv.order[0].tid, 1);
	ck_assert_uint_eq(inv.order[0].from, A);
	ck_assert_uint_eq(inv.order[0].to, B);
	ck_assert_uint_eq(inv.order[0].ts, ab);
	ck_assert_uint_eq(inv.order[1].tid, 2);
	ck_assert_uint_eq(inv.order[1].from, B);
	ck_assert_uint_eq(inv.order[1].to, A);
	ck_assert_uint_eq(inv.order[1].ts, ba);
	ck_assert(!inv.order[0].from_shared && !inv.order[0].to_shared);

	/* Reported once: again by both, and by a third thread. */
	for (i = 0; i < 10; i++) {
		lock(1, A);
		lock(1, B);
		unlock(1, B);
		unlock(1, A);
		lock(2 + i % 2, B);
		lock(2 + i % 2, A);
		unlock(2 + i % 2, A);
		unlock(2 + i % 2, B);
	}
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	ck_assert_uint_eq(M->wg.inversions, 1);
	ck_assert(!model_first_deadlock(M, NULL));
}
END_TEST

START_TEST(test_rwlock_modes_in_order)
{
	struct model_inversion inv;

	name_objects();
	/* Readers in both orders never wait for each other: no inversion. */
	feed(1, LS_EV_RD_ACQUIRED, R, 1, 0);
	feed(1, LS_EV_RD_ACQUIRED, R2, 1, 0);
	feed(1, LS_EV_RD_RELEASED, R2, 0, 0);
	feed(1, LS_EV_RD_RELEASED, R, 0, 0);
	feed(2, LS_EV_RD_ACQUIRED, R2, 1, 0);
	feed(2, LS_EV_RD_ACQUIRED, R, 1, 0);
	feed(2, LS_EV_RD_RELEASED, R, 0, 0);
	feed(2, LS_EV_RD_RELEASED, R2, 0, 0);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 0);
	/* A reader of R that takes M, and a holder of M that wants to
	 * write R: the writer waits for the reader, who waits for M. */
	feed(1, LS_EV_RD_ACQUIRED, R, 1, 0);
	lock(1, MU);
	unlock(1, MU);
	feed(1, LS_EV_RD_RELEASED, R, 0, 0);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 0);
	lock(2, MU);
	feed(2, LS_EV_WR_ACQUIRED, R, 0, 0);
	ck_assert_uint_eq(model_inversions(M, &inv, 1), 1);
	ck_assert_uint_eq(inv.n, 2);
	ck_assert_uint_eq(inv.order[0].from, R);
	ck_assert(inv.order[0].from_shared);
	ck_assert_uint_eq(inv.order[0].to, MU);
	ck_assert_uint_eq(inv.order[1].from, MU);
	ck_assert_uint_eq(inv.order[1].to, R);
	ck_assert(!inv.order[1].to_shared);
	/* ...but a holder of M that only reads R is no inversion: readers
	 * share R (a fresh pair, R2 and C, to keep the first apart). */
	feed(3, LS_EV_RD_ACQUIRED, R2, 1, 0);
	lock(3, C);
	unlock(3, C);
	feed(3, LS_EV_RD_RELEASED, R2, 0, 0);
	lock(4, C);
	feed(4, LS_EV_RD_ACQUIRED, R2, 1, 0);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	/* A writer of R that takes M closes a cycle of R and M once more,
	 * through a new order (R written, not read): the same inversion,
	 * not reported again. */
	feed(2, LS_EV_WR_RELEASED, R, 0, 0);
	unlock(2, MU);
	feed(5, LS_EV_WR_ACQUIRED, R, 0, 0);
	lock(5, MU);
	ck_assert_uint_eq(M->wg.nedges, 7);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	ck_assert_uint_eq(M->wg.inversions, 1);
	ck_assert(!model_first_deadlock(M, NULL));
}
END_TEST

START_TEST(test_no_report_relocking_one_thread)
{
	unsigned i;

	name_objects();
	/* One thread takes the same sequence over and over; a relock of a
	 * lock it holds is an engine ERROR, never an order. */
	for (i = 0; i < 50; i++) {
		lock(1, A);
		lock(1, B);
		lock(1, C);
		feed(1, LS_EV_ERROR, B, LS_ERR_RELOCK, 1);
		unlock(1, C);
		unlock(1, B);
		unlock(1, A);
	}
	assert_clean();
	ck_assert_uint_eq(M->wg.nedges, 3);	/* A->B, A->C, B->C */
}
END_TEST

START_TEST(test_no_report_self_wait)
{
	name_objects();
	/* T1's release of A was lost and it waits for A again: the model
	 * shows it waiting for a lock it holds.  The engine refuses a real
	 * relock (ERROR RELOCK), so this is a gap in the events, not a
	 * deadlock of one thread. */
	lock(1, A);
	wait_lock(1, A);
	ck_assert_uint_eq(edge_of(1).nholders, 0);
	/* Likewise a reader listed inside R that waits to read R. */
	feed(2, LS_EV_RD_ACQUIRED, R, 1, 0);
	feed(3, LS_EV_RD_ACQUIRED, R, 2, 0);
	feed(2, LS_EV_RD_WAIT, R, 2, 1);
	ck_assert_uint_eq(edge_of(2).nholders, 1);
	assert_clean();
}
END_TEST

START_TEST(test_no_report_readers_share)
{
	unsigned i;

	name_objects();
	/* Many readers inside R at once, each also taking M inside, with a
	 * writer waiting for them and more readers queued behind it. */
	for (i = 1; i <= 8; i++)
		feed(i, LS_EV_RD_ACQUIRED, R, i, 0);
	feed(9, LS_EV_WR_WAIT, R, 8, 1);
	feed(10, LS_EV_RD_WAIT, R, 8, 2);
	for (i = 1; i <= 8; i++) {
		if (i > 1)
			wait_lock(i, MU);
		lock(i, MU);
		unlock(i, MU);
	}
	ck_assert_uint_eq(edge_of(9).nholders, 8);
	ck_assert_uint_eq(edge_of(10).nholders, 8);
	for (i = 1; i <= 8; i++)
		feed(i, LS_EV_RD_RELEASED, R, 8 - i, 0);
	feed(9, LS_EV_WR_ACQUIRED, R, 100, 0);
	feed(9, LS_EV_WR_RELEASED, R, 100, 0);
	feed(10, LS_EV_RD_ACQUIRED, R, 1, 1);
	feed(10, LS_EV_RD_RELEASED, R, 0, 0);
	assert_clean();
}
END_TEST

START_TEST(test_no_report_consistent_order)
{
	unsigned round, i, n = 16;

	name_objects();
	/* 16 threads take A then B then C, contending: T1 holds all three
	 * while the others queue on A (and one on B), then the locks are
	 * handed down the line. */
	for (round = 0; round < 3; round++) {
		lock(1, A);
		for (i = 2; i <= n; i++)
			wait_lock(i, A);
		lock(1, B);
		lock(1, C);
		for (i = 1; i <= n; i++) {
			unlock(i, C);
			unlock(i, B);
			unlock(i, A);
			if (i < n) {
				lock(i + 1, A);
				if (i == 1 && round == 1) {
					/* A latecomer waiting for B. */
					lock(n + 1, B);
					wait_lock(i + 1, B);
					unlock(n + 1, B);
				}
				lock(i + 1, B);
				lock(i + 1, C);
			}
		}
	}
	assert_clean();
}
END_TEST

START_TEST(test_no_report_queue)
{
	unsigned i;

	name_objects();
	/* Two producers fill Q (capacity 2) and block on it full while
	 * holding M and C; two consumers block on it empty, and one of
	 * them waits for C too.  A queue has no owner: no edges. */
	lock(1, MU);
	feed(1, LS_EV_Q_PUSHED, Q, 1, 2);
	feed(1, LS_EV_Q_PUSHED, Q, 2, 2);
	feed(1, LS_EV_Q_PUSH_WAIT, Q, 2, 2);
	lock(2, C);
	feed(2, LS_EV_Q_PUSH_WAIT, Q, 2, 2);
	ck_assert_uint_eq(edge_of(1).nholders, 0);
	ck_assert_uint_eq(edge_of(2).nholders, 0);
	for (i = 0; i < 4; i++) {
		feed(3, LS_EV_Q_POPPED, Q, 1, 2);
		feed(1, LS_EV_Q_PUSHED, Q, 2, 2);
		feed(1, LS_EV_Q_PUSH_WAIT, Q, 2, 2);
	}
	/* T3 waits for C, held by T2, which waits for room in Q.  Only if
	 * every consumer were stuck would that be a deadlock, and who will
	 * pop is nothing the model knows: no edge, no report (the choice
	 * waitgraph.c documents). */
	wait_lock(3, C);
	ck_assert(!deadlocked());
	feed(3, LS_EV_LOCK_TIMEOUT, C, 100, 0);
	feed(3, LS_EV_Q_POPPED, Q, 1, 2);
	feed(4, LS_EV_Q_POPPED, Q, 0, 2);
	feed(4, LS_EV_Q_POP_WAIT, Q, 0, 2);
	feed(3, LS_EV_Q_POP_WAIT, Q, 0, 2);
	ck_assert_uint_eq(edge_of(4).nholders, 0);
	assert_clean();
}
END_TEST

/* Semaphores. */

START_TEST(test_sem_as_locks_deadlock)
{
	static const unsigned tids[] = { 1, 2 };
	static const uint32_t objs[] = { S2, S };
	uint64_t ts;

	name_objects();
	/* Two binary semaphores used as locks, taken in opposite orders. */
	feed(1, LS_EV_SEM_ACQUIRED, S, 0, 0);
	feed(2, LS_EV_SEM_ACQUIRED, S2, 0, 0);
	feed(1, LS_EV_SEM_WAIT, S2, 0, 0);
	ck_assert(!deadlocked());
	ck_assert_uint_eq(edge_of(1).holder[0], 2);
	ts = feed(2, LS_EV_SEM_WAIT, S, 0, 0);
	assert_now(2, tids, objs, ts);
	/* No lock order for semaphores, as in lockdep. */
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 0);
	/* A timeout breaks it. */
	feed(2, LS_EV_SEM_TIMEOUT, S, 0, 0);
	ck_assert(!deadlocked());
}
END_TEST

START_TEST(test_sem_any_holder_may_post)
{
	struct model_cycle c;
	uint64_t ts;

	name_objects();
	/* S has two permits, held by T2 and T3.  T1 holds M and waits for
	 * S; T2 waits for M.  T1 -> T2 -> T1 looks like a cycle, but T3
	 * runs and may post: no deadlock. */
	feed(2, LS_EV_SEM_ACQUIRED, S, 1, 0);
	feed(3, LS_EV_SEM_ACQUIRED, S, 0, 0);
	lock(1, MU);
	feed(1, LS_EV_SEM_WAIT, S, 0, 0);
	ck_assert_uint_eq(edge_of(1).nholders, 2);
	wait_lock(2, MU);
	ck_assert(!deadlocked());
	/* T3 now waits for M too: every permit is held by a thread that
	 * waits for T1.  That is a deadlock. */
	ts = wait_lock(3, MU);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.ts, ts);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(c.tid[0], 1);
	ck_assert_uint_eq(c.obj[0], S);
	ck_assert_uint_eq(c.obj[1], MU);
	ck_assert(c.tid[1] == 2 || c.tid[1] == 3);
	/* T2 gives up on M: it runs, and may post its permit, so T1 is
	 * not stuck any more, though T3 still is. */
	feed(2, LS_EV_LOCK_TIMEOUT, MU, 100, 0);
	ck_assert(!deadlocked());
	ck_assert_uint_eq(edge_of(1).nholders, 2);
	/* T2 posts its permit to T1 (the count stays 0: a hand-off): T1
	 * waits for nobody now, though it has not run yet. */
	feed(2, LS_EV_SEM_POST, S, 0, 0);
	ck_assert(!deadlocked());
	ck_assert(edge_of(1).granted);
	ck_assert_uint_eq(edge_of(1).nholders, 0);
	feed(1, LS_EV_SEM_ACQUIRED, S, 0, 0);
	ck_assert(!model_thread(M, 1)->granted);
	ck_assert_uint_eq(model_deadlocks(M), 1);
}
END_TEST

START_TEST(test_sem_cycle_rests_on_outsiders)
{
	enum { N = 20 };
	struct model_cycle c;

	name_objects();
	/* S's permits: T2 and T4.  T1 holds M and waits for S; T2 waits
	 * for M; T4 waits for N, held by T2.  Every permit is held by a
	 * stuck thread: deadlock, shown as T1 -> T2 -> T1. */
	feed(2, LS_EV_SEM_ACQUIRED, S, 1, 0);
	feed(4, LS_EV_SEM_ACQUIRED, S, 0, 0);
	lock(2, N);
	lock(1, MU);
	wait_lock(2, MU);
	wait_lock(4, N);
	feed(1, LS_EV_SEM_WAIT, S, 0, 0);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.n, 2);
	ck_assert(!thr_in_cycle(4));
	/* Unrelated traffic changes nothing. */
	lock(5, C);
	unlock(5, C);
	ck_assert(deadlocked());
	/* T4 gives up on N, outside the cycle: it runs and may post its
	 * permit to T1, so the cycle no longer proves anything. */
	feed(4, LS_EV_LOCK_TIMEOUT, N, 100, 0);
	ck_assert(!deadlocked());
	ck_assert(!M->wg.now_doubtful);
	ck_assert(model_first_deadlock(M, &c));
	ck_assert_uint_ne(c.cleared, 0);
}
END_TEST

START_TEST(test_sem_handoff_is_no_cycle)
{
	name_objects();
	/* T2 and T3 hold S's two permits; T1 holds M and waits for S.  T3
	 * posts, handing its permit to T1; before T1 says so, T2 waits for
	 * M.  T1 is no longer waiting for T2: no cycle. */
	feed(2, LS_EV_SEM_ACQUIRED, S, 1, 0);
	feed(3, LS_EV_SEM_ACQUIRED, S, 0, 0);
	lock(1, MU);
	feed(1, LS_EV_SEM_WAIT, S, 0, 0);
	feed(3, LS_EV_SEM_POST, S, 0, 0);
	wait_lock(2, MU);
	ck_assert(!deadlocked());
	feed(1, LS_EV_SEM_ACQUIRED, S, 0, 0);
	unlock(1, MU);
	lock(2, MU);
	assert_clean();
}
END_TEST

START_TEST(test_sem_signals_have_no_owner)
{
	name_objects();
	/* Producer/consumer on semaphores: producers take slots (S) and
	 * post items (S2); consumers take items and post slots.  A post by
	 * a thread holding no permit shows S2 is a signal. */
	feed(1, LS_EV_SEM_ACQUIRED, S, 1, 0);
	feed(1, LS_EV_SEM_POST, S2, 1, 0);
	ck_assert(model_object(M, S2)->sem_signal);
	/* Producers take the last slots and wait for more while holding
	 * one: counting, not locking (S is a signal too, no edges). */
	feed(2, LS_EV_SEM_ACQUIRED, S, 0, 0);
	feed(1, LS_EV_SEM_WAIT, S, 0, 0);
	ck_assert(model_object(M, S)->sem_signal);
	feed(2, LS_EV_SEM_WAIT, S, 0, 0);
	ck_assert_uint_eq(edge_of(1).nholders, 0);
	ck_assert_uint_eq(edge_of(2).nholders, 0);
	/* Consumers wait for items. */
	feed(3, LS_EV_SEM_ACQUIRED, S2, 0, 0);
	feed(4, LS_EV_SEM_WAIT, S2, 0, 0);
	feed(3, LS_EV_SEM_WAIT, S2, 0, 0);
	assert_clean();
	/* A signal still lists who took its permits; it only gives no
	 * edges. */
	ck_assert_uint_eq(model_object(M, S)->nholders, 2);
}
END_TEST

START_TEST(test_hierarchy_counted)
{
	const struct model_object *a, *b;

	name_objects();
	lock(1, B);
	feed(1, LS_EV_ERROR, A, LS_ERR_HIERARCHY, B);
	feed(2, LS_EV_ERROR, A, LS_ERR_HIERARCHY, C);
	feed(2, LS_EV_ERROR, B, LS_ERR_HIERARCHY, C);
	feed(3, LS_EV_ERROR, B, LS_ERR_NOT_OWNER, 1);
	a = model_object(M, A);
	b = model_object(M, B);
	ck_assert_uint_eq(a->hierarchy_errors, 2);
	ck_assert_uint_eq(a->last_hierarchy.tid, 2);
	ck_assert_uint_eq(a->last_hierarchy.aux, C);
	ck_assert_uint_eq(b->hierarchy_errors, 1);
	ck_assert_uint_eq(b->last_hierarchy.tid, 2);
	ck_assert_uint_eq(b->errors, 2);
	ck_assert_uint_eq(M->hierarchy_errors, 3);
	ck_assert_uint_eq(M->last_hierarchy.obj, B);
	ck_assert_uint_eq(M->errors, 4);
	ck_assert_uint_eq(M->last_error.arg, LS_ERR_NOT_OWNER);
}
END_TEST

START_TEST(test_order_graph_bounded)
{
	unsigned i, n = 2 * MODEL_ORDER_NODES + 10;

	/* More lock pairs than the graph holds: counted, nothing breaks,
	 * and an inversion among the first locks is still found. */
	for (i = 0; i < n; i++) {
		lock(1, 10000 + 2 * i);
		lock(1, 10001 + 2 * i);
		unlock(1, 10001 + 2 * i);
		unlock(1, 10000 + 2 * i);
	}
	ck_assert_uint_eq(M->wg.nnodes, MODEL_ORDER_NODES);
	ck_assert_uint_gt(M->wg.order_overflow, 0);
	lock(2, 10001);
	lock(2, 10000);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
}
END_TEST

/* Real engine threads. */

/* A ring whose lanes hold every event a thread emits in the test, so
 * nothing is dropped and every release reaches the model. */
static struct ls_ring *
ring_for(unsigned long events_per_thread)
{
	struct ls_ring_config cfg = { .lane_events = 2, .max_lanes = 16 };
	struct ls_ring *ring = NULL;

	while (cfg.lane_events < events_per_thread)
		cfg.lane_events *= 2;
	ck_assert_int_eq(ls_ring_create(&cfg, &ring), 0);
	return ring;
}

/* Fold what the ring has into M; count THREAD_EXITs into *exits.
 * Returns how many events were folded.  Paces itself when there were
 * none: events wait in their lanes, nothing is lost by waiting. */
static size_t
drain_into_model(struct ls_ring *ring, unsigned *exits)
{
	static struct ls_event buf[512];
	size_t n = ls_ring_drain(ring, buf, 512), k;

	if (!n) {
		struct timespec d = { .tv_nsec = 50000 };

		nanosleep(&d, NULL);
		return 0;
	}
	for (k = 0; k < n; k++) {
		if (buf[k].kind == LS_EV_THREAD_EXIT)
			(*exits)++;
		model_apply(M, &buf[k]);
	}
	model_set_ring_dropped(M, ls_ring_dropped_total(ring));
	return n;
}

struct crossed {
	struct ls_mutex *lock[2];	/* k takes lock[k], then the other */
	pthread_barrier_t both;		/* both hold their first lock */
	atomic_uint failures;
	atomic_int second_rc[2];
};

struct crossed_arg {
	struct crossed *x;
	unsigned k;
};

static void
crossed_thread(void *p)
{
	const struct crossed_arg *a = p;
	struct crossed *x = a->x;
	int rc, held = ls_mutex_lock(x->lock[a->k]) == 0;

	if (!held)
		atomic_fetch_add(&x->failures, 1);
	rc = pthread_barrier_wait(&x->both);
	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		atomic_fetch_add(&x->failures, 1);
	/* Blocks until the group is cancelled: each holds what the other
	 * wants. */
	rc = ls_mutex_lock(x->lock[!a->k]);
	atomic_store(&x->second_rc[a->k], rc);
	if (!rc && ls_mutex_unlock(x->lock[!a->k]))
		atomic_fetch_add(&x->failures, 1);
	if (held && ls_mutex_unlock(x->lock[a->k]))
		atomic_fetch_add(&x->failures, 1);
}

START_TEST(test_real_deadlock_found_and_cleared)
{
	struct ls_ring *ring = ring_for(64);
	struct ls_group *g = NULL;
	struct crossed x = { .failures = 0 };
	struct crossed_arg args[2] = { { &x, 0 }, { &x, 1 } };
	static struct ls_event buf[64];
	struct model_inversion inv;
	struct model_cycle c;
	struct ls_event closing = { 0 };
	uint32_t id[2];
	unsigned exits = 0, i, k;
	int rc[2];
	char name[16];
	size_t n, j;

	ck_assert_int_eq(ls_group_create(ring, "crossed", &g), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "A", &x.lock[0]), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "B", &x.lock[1]), 0);
	for (k = 0; k < 2; k++)
		id[k] = ls_mutex_id(x.lock[k]);
	ck_assert_int_eq(pthread_barrier_init(&x.both, NULL, 2), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T1", crossed_thread, &args[0]),
			 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T2", crossed_thread, &args[1]),
			 0);

	/* Fold event by event until the model sees the deadlock; the test's
	 * timeout is the failure if it never does. */
	while (!closing.kind) {
		n = ls_ring_drain(ring, buf, 64);
		if (!n) {
			struct timespec d = { .tv_nsec = 50000 };

			nanosleep(&d, NULL);
			continue;
		}
		for (j = 0; j < n; j++) {
			ck_assert_msg(!closing.kind, "events after the cycle");
			ck_assert(!deadlocked());
			model_apply(M, &buf[j]);
			if (deadlocked())
				closing = buf[j];
		}
	}
	/* Found on the second thread's wait, named in cycle order: the
	 * thread that took A waits for B, held by the other. */
	ck_assert_uint_eq(closing.kind, LS_EV_LOCK_WAIT);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.ts, closing.ts);
	ck_assert_uint_eq(c.n, 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(ls_ring_thread_name(ring, c.tid[i], name,
						     sizeof(name)),
				 0);
		k = strcmp(name, "T1") == 0 ? 0 : 1;
		ck_assert_str_eq(name, k ? "T2" : "T1");
		ck_assert_uint_eq(c.obj[i], id[!k]);
	}
	ck_assert_uint_eq(model_inversions(M, &inv, 1), 1);
	ck_assert_uint_eq(inv.n, 2);

	/* Cancel: both waits end, the cycle clears, the first record
	 * stays with when it broke. */
	ls_group_cancel(g);
	while (exits < 2)
		drain_into_model(ring, &exits);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert(!deadlocked());
	ck_assert(model_first_deadlock(M, &c));
	ck_assert_uint_eq(c.ts, closing.ts);
	ck_assert_uint_gt(c.cleared, c.ts);
	ck_assert_uint_eq(model_deadlocks(M), 1);
	ck_assert_uint_eq(atomic_load(&x.failures), 0);
	/* At least one wait was cancelled; the other may have been granted
	 * by the first one's unlock before it saw the cancel (a grant that
	 * races a cancel wins, engine-int.h). */
	rc[0] = atomic_load(&x.second_rc[0]);
	rc[1] = atomic_load(&x.second_rc[1]);
	for (k = 0; k < 2; k++)
		ck_assert_msg(rc[k] == 0 || rc[k] == -ECANCELED,
			      "second lock of T%u: %d", k + 1, rc[k]);
	ck_assert(rc[0] == -ECANCELED || rc[1] == -ECANCELED);
	ck_assert_uint_eq(M->ring_dropped, 0);
	ck_assert_uint_eq(M->lost, 0);
	pthread_barrier_destroy(&x.both);
	ls_group_destroy(g);
	ls_mutex_destroy(x.lock[0]);
	ls_mutex_destroy(x.lock[1]);
	ls_ring_destroy(ring);
}
END_TEST

/* A workload in one consistent order: A then B; R (read or write) then
 * M; a permit of S (2 of them) then C; a producer holding P while it
 * pushes into a one-slot queue. */
struct ordered {
	struct ls_mutex *a, *b, *m, *c, *p;
	struct ls_rwlock *r;
	struct ls_sem *s;
	struct ls_bqueue *q;
	unsigned iters;
	pthread_barrier_t start;
	atomic_uint failures;
};

struct ordered_arg {
	struct ordered *o;
	unsigned k;
};

static void
note_rc(struct ordered *o, int rc)
{
	if (rc)
		atomic_fetch_add(&o->failures, 1);
}

static void
ordered_worker(void *p)
{
	const struct ordered_arg *a = p;
	struct ordered *o = a->o;
	unsigned i;
	int rc = pthread_barrier_wait(&o->start);

	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		note_rc(o, rc);
	for (i = 0; i < o->iters; i++) {
		/* Give the core away while holding, now and then, so the
		 * others queue even on two cores. */
		bool yield = (i + a->k) % 8 == 0;

		note_rc(o, ls_mutex_lock(o->a));
		note_rc(o, ls_mutex_lock(o->b));
		if (yield)
			sched_yield();
		note_rc(o, ls_mutex_unlock(o->b));
		note_rc(o, ls_mutex_unlock(o->a));

		if ((i + a->k) % 4 == 0)
			note_rc(o, ls_rwlock_wrlock(o->r));
		else
			note_rc(o, ls_rwlock_rdlock(o->r));
		note_rc(o, ls_mutex_lock(o->m));
		if (yield)
			sched_yield();
		note_rc(o, ls_mutex_unlock(o->m));
		note_rc(o, ls_rwlock_unlock(o->r));

		note_rc(o, ls_sem_wait(o->s));
		note_rc(o, ls_mutex_lock(o->c));
		if (yield)
			sched_yield();
		note_rc(o, ls_mutex_unlock(o->c));
		note_rc(o, ls_sem_post(o->s));
	}
}

static void
ordered_producer(void *p)
{
	struct ordered *o = ((const struct ordered_arg *)p)->o;
	unsigned i;

	for (i = 0; i < o->iters; i++) {
		note_rc(o, ls_mutex_lock(o->p));
		note_rc(o, ls_bqueue_push(o->q, NULL));
		note_rc(o, ls_mutex_unlock(o->p));
	}
}

static void
ordered_consumer(void *p)
{
	struct ordered *o = ((const struct ordered_arg *)p)->o;
	void *item;
	unsigned i;

	for (i = 0; i < o->iters; i++) {
		note_rc(o, ls_bqueue_pop(o->q, &item));
		if (i % 8 == 0)
			sched_yield();
	}
}

START_TEST(test_real_consistent_order_no_report)
{
	unsigned nworkers = (unsigned)test_size("WAITGRAPH_THREADS", 4, 3);
	unsigned long iters = test_size("WAITGRAPH_ITERS", 3000, 300);
	struct ls_ring *ring = ring_for(40 * iters + 64);
	struct ls_group *g = NULL;
	struct ordered o = { .iters = (unsigned)iters, .failures = 0 };
	struct ordered_arg args[16];
	uint64_t contended = 0;
	unsigned exits = 0, i;
	char name[16];

	ck_assert_uint_le(nworkers, 14);
	ck_assert_int_eq(ls_group_create(ring, "ordered", &g), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "A", &o.a), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "B", &o.b), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "M", &o.m), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "C", &o.c), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "P", &o.p), 0);
	ck_assert_int_eq(ls_rwlock_create(ring, "R", LS_RWLOCK_WRITER_PREF,
					  &o.r),
			 0);
	ck_assert_int_eq(ls_sem_create(ring, "S", 2, &o.s), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "Q", 1, &o.q), 0);
	/* Names from the ring: the model sees the kinds the ui sees. */
	for (i = 1; i <= ls_ring_object_count(ring); i++) {
		unsigned kind;

		ck_assert_int_eq(ls_ring_object_info(ring, i, &kind, name,
						     sizeof(name)),
				 0);
		model_name_object(M, i, kind, name);
	}
	ck_assert_int_eq(pthread_barrier_init(&o.start, NULL, nworkers), 0);
	for (i = 0; i < nworkers + 2; i++) {
		args[i] = (struct ordered_arg){ &o, i };
		snprintf(name, sizeof(name), "W%u", i + 1);
		ck_assert_int_eq(
			ls_thread_spawn(g, name,
					i < nworkers	   ? ordered_worker
					: i == nworkers ? ordered_producer
							 : ordered_consumer,
					&args[i]),
			0);
	}
	while (exits < nworkers + 2) {
		drain_into_model(ring, &exits);
		/* Never, at any point of the run. */
		ck_assert(!deadlocked());
	}
	ck_assert_int_eq(ls_group_join(g), 0);

	ck_assert_uint_eq(atomic_load(&o.failures), 0);
	ck_assert_uint_eq(M->ring_dropped, 0);
	ck_assert_uint_eq(M->lost, 0);
	assert_clean();
	/* The orders were seen (A->B, R->M, P->Q is no lock: not one). */
	ck_assert_uint_ge(M->wg.nedges, 3);
	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		if (M->objects[i].used)
			contended += M->objects[i].contended;
	ck_assert_uint_gt(contended, 0);
	fprintf(stderr,
		"consistent order: %u workers x %lu, %llu waits, %u orders\n",
		nworkers, iters, (unsigned long long)contended,
		M->wg.nedges);
	pthread_barrier_destroy(&o.start);
	ls_group_destroy(g);
	ls_mutex_destroy(o.a);
	ls_mutex_destroy(o.b);
	ls_mutex_destroy(o.m);
	ls_mutex_destroy(o.c);
	ls_mutex_destroy(o.p);
	ls_rwlock_destroy(o.r);
	ls_sem_destroy(o.s);
	ls_bqueue_destroy(o.q);
	ls_ring_destroy(ring);
}
END_TEST

static Suite *
waitgraph_suite(void)
{
	Suite *s = suite_create("waitgraph");
	TCase *dl = tcase_create("deadlock");
	TCase *ord = tcase_create("lock order");
	TCase *none = tcase_create("no false report");
	TCase *sem = tcase_create("semaphores");
	TCase *rt = tcase_create("real threads");

	tcase_add_checked_fixture(dl, setup, teardown);
	tcase_set_timeout(dl, 10);
	tcase_add_test(dl, test_two_threads_two_locks);
	tcase_add_test(dl, test_three_threads);
	tcase_add_test(dl, test_rwlock_readers_hold);
	tcase_add_test(dl, test_rwlock_writer_holds);
	tcase_add_test(dl, test_broken_by_timeout);
	tcase_add_test(dl, test_broken_by_cancel);
	tcase_add_test(dl, test_reformed_counts_again);
	tcase_add_test(dl, test_second_cycle_shown_after_first_breaks);
	tcase_add_test(dl, test_healed_owner_breaks_cycle);
	tcase_add_test(dl, test_long_cycle);
	suite_add_tcase(s, dl);

	tcase_add_checked_fixture(ord, setup, teardown);
	tcase_set_timeout(ord, 10);
	tcase_add_test(ord, test_inversion_without_deadlock);
	tcase_add_test(ord, test_rwlock_modes_in_order);
	tcase_add_test(ord, test_hierarchy_counted);
	tcase_add_test(ord, test_order_graph_bounded);
	suite_add_tcase(s, ord);

	tcase_add_checked_fixture(none, setup, teardown);
	tcase_set_timeout(none, 10);
	tcase_add_test(none, test_no_report_relocking_one_thread);
	tcase_add_test(none, test_no_report_self_wait);
	tcase_add_test(none, test_no_report_readers_share);
	tcase_add_test(none, test_no_report_consistent_order);
	tcase_add_test(none, test_no_report_queue);
	suite_add_tcase(s, none);

	tcase_add_checked_fixture(sem, setup, teardown);
	tcase_set_timeout(sem, 10);
	tcase_add_test(sem, test_sem_as_locks_deadlock);
	tcase_add_test(sem, test_sem_any_holder_may_post);
	tcase_add_test(sem, test_sem_cycle_rests_on_outsiders);
	tcase_add_test(sem, test_sem_handoff_is_no_cycle);
	tcase_add_test(sem, test_sem_signals_have_no_owner);
	suite_add_tcase(s, sem);

	tcase_add_checked_fixture(rt, setup, teardown);
	tcase_set_timeout(rt, 30);
	tcase_add_test(rt, test_real_deadlock_found_and_cleared);
	tcase_add_test(rt, test_real_consistent_order_no_report);
	suite_add_tcase(s, rt);
	return s;
}

int
main(void)
{
	return test_run_suite(waitgraph_suite());
}
