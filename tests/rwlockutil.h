/*
 * rwlockutil.h - what the read-write lock's suites share (check_rwlock*.c):
 * the policies every looped test runs under, actors (engine threads that
 * do one lock operation and hold what they got until the test says go),
 * and a traced ring.
 *
 * Threads the tests create never call ck_assert: they record results in
 * atomics, and the test asserts after joining them.  The test waits for a
 * state (a waiter queued, a reader inside) by polling the lock's stats or
 * an atomic with short naps: it waits for a fact, never for a time, and
 * the per-test-case timeout catches a hang.
 */
#ifndef LOCKSTEP_TESTS_RWLOCKUTIL_H
#define LOCKSTEP_TESTS_RWLOCKUTIL_H

#include "checkutil.h"

#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"

static const enum ls_rwlock_policy policies[] = {
	LS_RWLOCK_WRITER_PREF,
	LS_RWLOCK_READER_PREF,
	LS_RWLOCK_FAIR,
};

#define NPOLICIES (sizeof(policies) / sizeof(policies[0]))

/* Wait for a fact (the test case's timeout bounds it), napping 50 us
 * between looks. */
#define WAIT_UNTIL(cond)                          \
	do {                                      \
		while (!(cond))                   \
			test_sleep_ns(50000);     \
	} while (0)

static inline struct ls_rwlock *
mk(enum ls_rwlock_policy policy)
{
	struct ls_rwlock *l = NULL;

	ck_assert_int_eq(ls_rwlock_create(NULL, "t", policy, &l), 0);
	ck_assert_ptr_nonnull(l);
	return l;
}

static inline struct ls_rwlock_stats
stats(const struct ls_rwlock *l)
{
	struct ls_rwlock_stats st;

	ls_rwlock_stats(l, &st);
	return st;
}

static inline unsigned
waiting(const struct ls_rwlock *l)
{
	struct ls_rwlock_stats st = stats(l);

	return st.readers_waiting + st.writers_waiting;
}

static inline struct ls_group *
mk_group(struct ls_ring *ring)
{
	struct ls_group *g = NULL;

	ck_assert_int_eq(ls_group_create(ring, "test", &g), 0);
	return g;
}

/*
 * An actor: an engine thread that does one lock operation and, if it got
 * the lock, records that, waits for the test's go and unlocks.
 */
enum op {
	OP_RD,
	OP_TRYRD,
	OP_TIMEDRD,
	OP_WR,
	OP_TRYWR,
	OP_TIMEDWR,
};

#define PENDING 1	/* rc before the operation returned */

static _Atomic unsigned admit_seq;	/* admissions so far, any actor */
static _Atomic unsigned admit_done;	/* of those, recorded (order, in) */

struct actor {
	struct ls_rwlock *l;
	enum op op;
	uint64_t timeout_ns;
	bool hold;		/* wait for go before unlocking */
	sem_t go;
	_Atomic int rc;		/* the operation's result, PENDING before */
	atomic_bool in;		/* holds the lock now */
	_Atomic int unlock_rc;
	_Atomic unsigned order;	/* admit_seq at admission */
	atomic_bool done;
};

static inline int
do_op(struct ls_rwlock *l, enum op op, uint64_t timeout_ns)
{
	switch (op) {
	case OP_RD:
		return ls_rwlock_rdlock(l);
	case OP_TRYRD:
		return ls_rwlock_tryrdlock(l);
	case OP_TIMEDRD:
		return ls_rwlock_timedrdlock(l, timeout_ns);
	case OP_WR:
		return ls_rwlock_wrlock(l);
	case OP_TRYWR:
		return ls_rwlock_trywrlock(l);
	case OP_TIMEDWR:
	default:
		return ls_rwlock_timedwrlock(l, timeout_ns);
	}
}

static inline void
actor_main(void *arg)
{
	struct actor *a = arg;
	int rc = do_op(a->l, a->op, a->timeout_ns);

	if (rc == 0) {
		atomic_store(&a->order, atomic_fetch_add(&admit_seq, 1));
		atomic_store(&a->in, true);
		atomic_fetch_add(&admit_done, 1);
	}
	atomic_store(&a->rc, rc);
	if (rc == 0) {
		if (a->hold)
			(void)test_sem_wait(&a->go);
		atomic_store(&a->in, false);
		atomic_store(&a->unlock_rc, ls_rwlock_unlock(a->l));
	}
	atomic_store(&a->done, true);
}

static inline void
actor_init(struct actor *a, struct ls_rwlock *l, enum op op, bool hold)
{
	memset(a, 0, sizeof(*a));
	a->l = l;
	a->op = op;
	a->hold = hold;
	a->timeout_ns = 10ull * 1000000000u;
	ck_assert_int_eq(sem_init(&a->go, 0, 0), 0);
	atomic_init(&a->rc, PENDING);
	atomic_init(&a->unlock_rc, PENDING);
}

static inline void
actor_start(struct ls_group *g, struct actor *a, struct ls_rwlock *l,
	    enum op op, bool hold)
{
	actor_init(a, l, op, hold);
	ck_assert_int_eq(ls_thread_spawn(g, "actor", actor_main, a), 0);
}

/* Run one operation in another engine thread, unlock at once if it got
 * the lock, and return its result. */
static inline int
op_elsewhere(struct ls_rwlock *l, enum op op, uint64_t timeout_ns)
{
	struct ls_group *g = mk_group(NULL);
	struct actor a;
	int rc;

	actor_init(&a, l, op, false);
	a.timeout_ns = timeout_ns;
	ck_assert_int_eq(ls_thread_spawn(g, "actor", actor_main, &a), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	rc = atomic_load(&a.rc);
	if (rc == 0)
		ck_assert_int_eq(atomic_load(&a.unlock_rc), 0);
	sem_destroy(&a.go);
	return rc;
}

/* A ring, with a lane bound to the calling thread, and what it held. */
struct trace {
	struct ls_ring *ring;
	struct ls_lane *lane;
	struct test_evlog log;
	uint64_t dropped;
};

static inline void
trace_open(struct trace *t, uint32_t lane_events, uint32_t lanes)
{
	memset(t, 0, sizeof(*t));
	t->ring = test_ring_new(lane_events, lanes);
	t->lane = test_lane_bind(t->ring, "main");
	ck_assert_ptr_nonnull(t->lane);
}

/* Move every event out of the ring into t->log. */
static inline void
trace_drain(struct trace *t)
{
	test_evlog_drain(t->ring, &t->log);
}

/* Unbind, take every event and the drop count, free the ring.  The
 * events stay in t->log until trace_free. */
static inline void
trace_close(struct trace *t)
{
	test_lane_unbind(t->lane);
	trace_drain(t);
	t->dropped = ls_ring_dropped_total(t->ring);
	ls_ring_destroy(t->ring);
	t->ring = NULL;
}

static inline void
trace_free(struct trace *t)
{
	test_evlog_free(&t->log);
}

/* The index of the first event of kind about obj at or after from, or -1. */
static inline long
find_ev(const struct trace *t, size_t from, unsigned kind, uint32_t obj)
{
	size_t i;

	for (i = from; i < t->log.n; i++)
		if (t->log.ev[i].kind == kind && t->log.ev[i].obj == obj)
			return (long)i;
	return -1;
}

#endif
