/*
 * check_bqueue.c - the Check suite of the bounded blocking queue
 * (src/engine/bqueue.c).
 *
 * Deterministic tests pin down one behaviour each: try and timed results,
 * FIFO order of items and of waiters, the direct hand-off in both
 * directions, close, cancellation, the gate, and the exact events a known
 * sequence of operations writes.  Threads that must be blocked before the
 * test goes on are waited for through the queue's waiting counts, never by
 * sleeping a guessed time.  Stress tests run P producers and C consumers,
 * record every item each consumer receives, and check after the join that
 * every item accepted was delivered exactly once and that each consumer
 * saw each producer's items in order; the randomized ones mix blocking,
 * timed and try operations with seeded yields and short sleeps, and close
 * the queue while producers still push.
 *
 * Environment: BQUEUE_ITEMS (items per producer in the stress tests),
 * BQUEUE_PRODUCERS, BQUEUE_CONSUMERS, BQUEUE_SEED (replay a randomized run;
 * the seed is printed at start).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/bqueue.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "checkutil.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define US 1000ull

/* Far longer than any test may run: a wait that must be granted. */
#define FOREVER (600 * SEC)

static uint64_t seed_base;

/* Wait until exactly push producers and pop consumers are queued on q.
 * The test case's timeout bounds this if they never are. */
static void
wait_waiters(const struct ls_bqueue *q, unsigned push, unsigned pop)
{
	while (ls_bqueue_waiting_push(q) != push ||
	       ls_bqueue_waiting_pop(q) != pop)
		test_sleep_ns(100 * US);
}

static void *
iptr(uintptr_t v)
{
	return (void *)v;
}

/* Basic and try. */

START_TEST(test_create)
{
	struct ls_ring *ring;
	struct ls_bqueue *q;
	unsigned kind;
	char name[LS_NAME_MAX + 1];

	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 0, &q), -EINVAL);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q",
					  LS_BQUEUE_MAX_CAPACITY + 1, &q),
			 -EINVAL);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 3, &q), 0);
	ck_assert_uint_eq(ls_bqueue_id(q), 0);
	ck_assert_uint_eq(ls_bqueue_capacity(q), 3);
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ck_assert(!ls_bqueue_closed(q));
	ls_bqueue_destroy(q);
	ls_bqueue_destroy(NULL);

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "jobs", 1, &q), 0);
	ck_assert_uint_ge(ls_bqueue_id(q), 1);
	ck_assert_int_eq(ls_ring_object_info(ring, ls_bqueue_id(q), &kind,
					     name, sizeof(name)), 0);
	ck_assert_uint_eq(kind, LS_OBJ_QUEUE);
	ck_assert_str_eq(name, "jobs");
	ls_bqueue_destroy(q);
	ls_ring_destroy(ring);
}
END_TEST

START_TEST(test_try_fifo)
{
	struct ls_bqueue *q;
	void *it;
	unsigned i, round;

	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 4, &q), 0);
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EAGAIN);
	/* Several rounds so head and tail wrap around the slots. */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			ck_assert_int_eq(
				ls_bqueue_trypush(q, iptr(10 * round + i)), 0);
			ck_assert_uint_eq(ls_bqueue_depth(q), i + 1);
		}
		ck_assert_int_eq(ls_bqueue_trypush(q, iptr(99)), -EAGAIN);
		ck_assert_uint_eq(ls_bqueue_depth(q), 4);
		for (i = 0; i < 3; i++) {
			ck_assert_int_eq(ls_bqueue_trypop(q, &it), 0);
			ck_assert_ptr_eq(it, iptr(10 * round + i));
		}
		/* Leave one behind, then refill past the wrap. */
		ck_assert_int_eq(ls_bqueue_push(q, iptr(1000 + round)), 0);
		ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
		ck_assert_ptr_eq(it, iptr(10 * round + 3));
		ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
		ck_assert_ptr_eq(it, iptr(1000 + round));
		ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EAGAIN);
	}
	/* NULL is an item like any other. */
	ck_assert_int_eq(ls_bqueue_push(q, NULL), 0);
	it = iptr(1);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_null(it);
	ls_bqueue_destroy(q);
}
END_TEST

START_TEST(test_timed_expire)
{
	struct ls_bqueue *q;
	void *it = iptr(7);

	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 1, &q), 0);
	ck_assert_int_eq(ls_bqueue_timedpop(q, &it, 1 * MS), -ETIMEDOUT);
	ck_assert_ptr_eq(it, iptr(7));
	ck_assert_int_eq(ls_bqueue_timedpop(q, &it, 0), -ETIMEDOUT);
	ck_assert_uint_eq(ls_bqueue_waiting_pop(q), 0);

	/* A deadline that overflows means no deadline; space is free. */
	ck_assert_int_eq(ls_bqueue_timedpush(q, iptr(1), UINT64_MAX), 0);
	ck_assert_int_eq(ls_bqueue_timedpush(q, iptr(2), 1 * MS), -ETIMEDOUT);
	ck_assert_int_eq(ls_bqueue_timedpush(q, iptr(2), 0), -ETIMEDOUT);
	ck_assert_uint_eq(ls_bqueue_waiting_push(q), 0);
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);

	ck_assert_int_eq(ls_bqueue_timedpop(q, &it, 0), 0);
	ck_assert_ptr_eq(it, iptr(1));
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EAGAIN);
	ls_bqueue_destroy(q);
}
END_TEST

/* Blocking, hand-off and waiter order.  Worker threads record what they
 * got; the test asserts after the join. */

struct worker {
	struct ls_bqueue *q;
	void *item;		/* push: what to push; pop: what was popped */
	uint64_t timeout;	/* 0: blocking call, else timed */
	atomic_int rc;
	atomic_int done;
};

static void
worker_pop(void *arg)
{
	struct worker *w = arg;
	int rc;

	if (w->timeout)
		rc = ls_bqueue_timedpop(w->q, &w->item, w->timeout);
	else
		rc = ls_bqueue_pop(w->q, &w->item);
	atomic_store(&w->rc, rc);
	atomic_store(&w->done, 1);
}

static void
worker_push(void *arg)
{
	struct worker *w = arg;
	int rc;

	if (w->timeout)
		rc = ls_bqueue_timedpush(w->q, w->item, w->timeout);
	else
		rc = ls_bqueue_push(w->q, w->item);
	atomic_store(&w->rc, rc);
	atomic_store(&w->done, 1);
}

static void
worker_init(struct worker *w, struct ls_bqueue *q, void *item,
	    uint64_t timeout)
{
	memset(w, 0, sizeof(*w));
	w->q = q;
	w->item = item;
	w->timeout = timeout;
	atomic_init(&w->rc, 1);
	atomic_init(&w->done, 0);
}

START_TEST(test_handoff_to_consumer)
{
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[2];
	unsigned i;

	ck_assert_int_eq(ls_group_create(NULL, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 1, &q), 0);
	/* Consumers queue one after the other, one blocking, one timed. */
	for (i = 0; i < 2; i++) {
		worker_init(&w[i], q, NULL, i ? FOREVER : 0);
		ck_assert_int_eq(ls_thread_spawn(g, "c", worker_pop, &w[i]), 0);
		wait_waiters(q, 0, i + 1);
	}
	/* A push with consumers waiting never lands in the queue. */
	ck_assert_int_eq(ls_bqueue_trypush(q, iptr(11)), 0);
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ck_assert_uint_eq(ls_bqueue_waiting_pop(q), 1);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(22)), 0);
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ck_assert_uint_eq(ls_bqueue_waiting_pop(q), 0);
	ls_group_join(g);
	/* The first to wait got the first item. */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(atomic_load(&w[i].rc), 0);
		ck_assert_ptr_eq(w[i].item, iptr(11 * (i + 1)));
	}
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
}
END_TEST

START_TEST(test_handoff_from_producer)
{
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[2];
	void *it;
	unsigned i;

	ck_assert_int_eq(ls_group_create(NULL, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 1, &q), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(1)), 0);
	for (i = 0; i < 2; i++) {
		worker_init(&w[i], q, iptr(2 + i), i ? 0 : FOREVER);
		ck_assert_int_eq(ls_thread_spawn(g, "p", worker_push, &w[i]),
				 0);
		wait_waiters(q, i + 1, 0);
	}
	/* Each pop takes the oldest waiting producer's item in at once. */
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(1));
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);
	ck_assert_uint_eq(ls_bqueue_waiting_push(q), 1);
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(2));
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);
	ck_assert_uint_eq(ls_bqueue_waiting_push(q), 0);
	ck_assert_int_eq(ls_bqueue_timedpop(q, &it, 0), 0);
	ck_assert_ptr_eq(it, iptr(3));
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ls_group_join(g);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(atomic_load(&w[i].rc), 0);
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
}
END_TEST

/* Close. */

START_TEST(test_close_wakes_consumers)
{
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[3];
	void *it;
	unsigned i;

	ck_assert_int_eq(ls_group_create(NULL, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 2, &q), 0);
	for (i = 0; i < 3; i++) {
		worker_init(&w[i], q, iptr(5), i == 2 ? FOREVER : 0);
		ck_assert_int_eq(ls_thread_spawn(g, "c", worker_pop, &w[i]),
				 0);
	}
	wait_waiters(q, 0, 3);
	ck_assert_int_eq(ls_bqueue_close(q), 0);
	ck_assert(ls_bqueue_closed(q));
	ls_group_join(g);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(atomic_load(&w[i].rc), -EPIPE);
		ck_assert_ptr_eq(w[i].item, iptr(5));
	}
	ck_assert_uint_eq(ls_bqueue_waiting_pop(q), 0);
	/* Closed and empty: every operation says end of queue. */
	ck_assert_int_eq(ls_bqueue_push(q, iptr(1)), -EPIPE);
	ck_assert_int_eq(ls_bqueue_trypush(q, iptr(1)), -EPIPE);
	ck_assert_int_eq(ls_bqueue_timedpush(q, iptr(1), FOREVER), -EPIPE);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), -EPIPE);
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EPIPE);
	ck_assert_int_eq(ls_bqueue_timedpop(q, &it, FOREVER), -EPIPE);
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ck_assert_int_eq(ls_bqueue_close(q), 0);
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
}
END_TEST

START_TEST(test_close_wakes_producers_and_drains)
{
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[3];
	void *it;
	unsigned i;

	ck_assert_int_eq(ls_group_create(NULL, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 2, &q), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(1)), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(2)), 0);
	for (i = 0; i < 3; i++) {
		worker_init(&w[i], q, iptr(100 + i), i == 2 ? FOREVER : 0);
		ck_assert_int_eq(ls_thread_spawn(g, "p", worker_push, &w[i]),
				 0);
	}
	wait_waiters(q, 3, 0);
	ck_assert_int_eq(ls_bqueue_close(q), 0);
	ls_group_join(g);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(atomic_load(&w[i].rc), -EPIPE);
	ck_assert_uint_eq(ls_bqueue_waiting_push(q), 0);
	/* What was queued before close is still delivered, in order; what
	 * the woken producers held was not taken in. */
	ck_assert_uint_eq(ls_bqueue_depth(q), 2);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(3)), -EPIPE);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(1));
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(2));
	ck_assert_int_eq(ls_bqueue_pop(q, &it), -EPIPE);
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EPIPE);
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
}
END_TEST

/* Cancellation and the gate. */

START_TEST(test_cancel_pop)
{
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[2];
	struct ls_event ev[256];
	size_t n, k;
	unsigned i, waits = 0, cancels = 0;
	void *it;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_group_create(ring, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "q", 2, &q), 0);
	for (i = 0; i < 2; i++) {
		worker_init(&w[i], q, iptr(5), i ? FOREVER : 0);
		ck_assert_int_eq(ls_thread_spawn(g, "c", worker_pop, &w[i]),
				 0);
	}
	wait_waiters(q, 0, 2);
	ls_group_cancel(g);
	ls_group_join(g);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(atomic_load(&w[i].rc), -ECANCELED);
		ck_assert_ptr_eq(w[i].item, iptr(5));
	}
	ck_assert_uint_eq(ls_bqueue_waiting_pop(q), 0);
	/* The queue is intact for threads outside the group. */
	ck_assert_int_eq(ls_bqueue_push(q, iptr(9)), 0);
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(9));

	n = ls_ring_drain(ring, ev, 256);
	for (k = 0; k < n; k++) {
		if (ev[k].obj != ls_bqueue_id(q))
			continue;
		waits += ev[k].kind == LS_EV_Q_POP_WAIT;
		cancels += ev[k].kind == LS_EV_CANCELLED;
	}
	ck_assert_uint_eq(waits, 2);
	ck_assert_uint_eq(cancels, 2);
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
}
END_TEST

START_TEST(test_cancel_push)
{
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[2];
	void *it;
	unsigned i;

	ck_assert_int_eq(ls_group_create(NULL, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q", 2, &q), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(1)), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(2)), 0);
	for (i = 0; i < 2; i++) {
		worker_init(&w[i], q, iptr(100 + i), i ? FOREVER : 0);
		ck_assert_int_eq(ls_thread_spawn(g, "p", worker_push, &w[i]),
				 0);
	}
	wait_waiters(q, 2, 0);
	ls_group_cancel(g);
	ls_group_join(g);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(atomic_load(&w[i].rc), -ECANCELED);
	ck_assert_uint_eq(ls_bqueue_waiting_push(q), 0);
	/* The cancelled pushes left nothing behind. */
	ck_assert_uint_eq(ls_bqueue_depth(q), 2);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(1));
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(2));
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EAGAIN);
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
}
END_TEST

struct after_cancel {
	struct ls_bqueue *q1, *q2;
	atomic_int rc[5];
};

/* Block on q1 until the group is cancelled, then try more operations: a
 * cancelled thread must not go to sleep again, nor act, except close,
 * which it must still be able to do as it unwinds. */
static void
worker_after_cancel(void *arg)
{
	struct after_cancel *a = arg;
	void *it;

	atomic_store(&a->rc[0], ls_bqueue_pop(a->q1, &it));
	atomic_store(&a->rc[1], ls_bqueue_pop(a->q2, &it));
	atomic_store(&a->rc[2], ls_bqueue_timedpop(a->q2, &it, FOREVER));
	atomic_store(&a->rc[3], ls_bqueue_trypush(a->q1, iptr(3)));
	atomic_store(&a->rc[4], ls_bqueue_close(a->q2));
}

START_TEST(test_cancelled_never_sleeps)
{
	struct ls_group *g;
	struct ls_bqueue *q1, *q2;
	struct after_cancel a;
	unsigned i;

	ck_assert_int_eq(ls_group_create(NULL, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q1", 1, &q1), 0);
	ck_assert_int_eq(ls_bqueue_create(NULL, "q2", 1, &q2), 0);
	a.q1 = q1;
	a.q2 = q2;
	for (i = 0; i < 5; i++)
		atomic_init(&a.rc[i], 1);
	ck_assert_int_eq(ls_thread_spawn(g, "c", worker_after_cancel, &a), 0);
	wait_waiters(q1, 0, 1);
	ls_group_cancel(g);
	ls_group_join(g);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(atomic_load(&a.rc[i]), -ECANCELED);
	ck_assert_uint_eq(ls_bqueue_depth(q1), 0);
	ck_assert(!ls_bqueue_closed(q1));
	ck_assert_int_eq(atomic_load(&a.rc[4]), 0);
	ck_assert(ls_bqueue_closed(q2));
	ls_bqueue_destroy(q1);
	ls_bqueue_destroy(q2);
	ls_group_destroy(g);
}
END_TEST

START_TEST(test_gate_before_acting)
{
	struct ls_ring *ring;
	struct ls_group *g;
	struct ls_bqueue *q;
	struct worker w[2];
	struct ls_gate_view v[2];
	void *it;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_group_create(ring, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "q", 1, &q), 0);

	/* Paused: the push is held at its gate, before it acts. */
	ls_gate_pause(g);
	worker_init(&w[0], q, iptr(4), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "p", worker_push, &w[0]), 0);
	ck_assert_int_eq(ls_gate_settle(g, 30 * SEC), 0);
	ck_assert_uint_eq(ls_gate_list(g, v, 2), 1);
	ck_assert_uint_eq(v[0].state, LS_STATE_PARKED);
	ck_assert_uint_eq(v[0].next_kind, LS_EV_Q_PUSHED);
	ck_assert_uint_eq(v[0].next_obj, ls_bqueue_id(q));
	ck_assert_str_eq(v[0].desc, "push");
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ck_assert_int_eq(atomic_load(&w[0].done), 0);
	ls_gate_resume(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w[0].rc), 0);
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);

	/* Cancelled at the gate: the pop does not act. */
	ls_gate_pause(g);
	worker_init(&w[1], q, iptr(5), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "c", worker_pop, &w[1]), 0);
	ck_assert_int_eq(ls_gate_settle(g, 30 * SEC), 0);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w[1].rc), -ECANCELED);
	ck_assert_ptr_eq(w[1].item, iptr(5));
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(4));
	ls_bqueue_destroy(q);
	ls_group_destroy(g);
	ls_ring_destroy(ring);
}
END_TEST

/* Events. */

struct expect {
	unsigned kind;
	uint64_t arg;
	uint32_t aux;
};

START_TEST(test_events_exact)
{
	static const struct expect want[] = {
		{ LS_EV_Q_PUSHED, 1, 2 },
		{ LS_EV_Q_PUSHED, 2, 2 },
		{ LS_EV_Q_TIMEOUT, 2, 1 },	/* trypush on full */
		{ LS_EV_Q_PUSH_WAIT, 2, 2 },	/* timedpush on full */
		{ LS_EV_Q_TIMEOUT, 2, 1 },
		{ LS_EV_Q_POPPED, 1, 2 },
		{ LS_EV_Q_POPPED, 0, 2 },
		{ LS_EV_Q_TIMEOUT, 0, 0 },	/* trypop on empty */
		{ LS_EV_Q_POP_WAIT, 0, 2 },	/* timedpop on empty */
		{ LS_EV_Q_TIMEOUT, 0, 0 },
		{ LS_EV_Q_PUSHED, 1, 2 },
		{ LS_EV_Q_CLOSED, 1, 2 },	/* close */
		{ LS_EV_Q_CLOSED, 1, 2 },	/* push refused */
		{ LS_EV_Q_POPPED, 0, 2 },
		{ LS_EV_Q_CLOSED, 0, 2 },	/* pop: end of queue */
	};
	struct ls_ring *ring;
	struct ls_lane *lane;
	struct ls_bqueue *q;
	struct ls_event ev[64];
	size_t n, i;
	void *it;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "q", 2, &q), 0);
	ck_assert_int_eq(ls_ring_register(ring, "main", &lane), 0);
	ls_trace_lane = lane;
	ck_assert_int_eq(ls_bqueue_trypush(q, iptr(1)), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(2)), 0);
	ck_assert_int_eq(ls_bqueue_trypush(q, iptr(3)), -EAGAIN);
	ck_assert_int_eq(ls_bqueue_timedpush(q, iptr(3), 1 * US), -ETIMEDOUT);
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), 0);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_int_eq(ls_bqueue_trypop(q, &it), -EAGAIN);
	ck_assert_int_eq(ls_bqueue_timedpop(q, &it, 1 * US), -ETIMEDOUT);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(4)), 0);
	ck_assert_int_eq(ls_bqueue_close(q), 0);
	ck_assert_int_eq(ls_bqueue_push(q, iptr(5)), -EPIPE);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), -EPIPE);
	ls_trace_lane = NULL;
	ls_ring_unregister(lane);

	n = ls_ring_drain(ring, ev, 64);
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		ck_assert_msg(ev[i].kind == want[i].kind &&
				      ev[i].arg == want[i].arg &&
				      ev[i].aux == want[i].aux,
			      "event %zu: got %s arg %llu aux %u, want %s "
			      "arg %llu aux %u",
			      i, ls_event_kind_name(ev[i].kind),
			      (unsigned long long)ev[i].arg, ev[i].aux,
			      ls_event_kind_name(want[i].kind),
			      (unsigned long long)want[i].arg, want[i].aux);
		ck_assert_uint_eq(ev[i].obj, ls_bqueue_id(q));
	}
	ls_bqueue_destroy(q);
	ls_ring_destroy(ring);
}
END_TEST

/* Stress: P producers x C consumers. */

#define PID_SHIFT 24	/* an item is producer id << PID_SHIFT | sequence */

struct mpmc {
	struct ls_bqueue *q;
	uint32_t qid;		/* q's object id, kept after q is freed */
	unsigned producers, consumers;
	unsigned long per;	/* items per producer */
	bool random;		/* mix operations, yields and sleeps */
	bool close_early;	/* producer 0 closes part way */
	unsigned long close_after;
	uint64_t seed;

	_Atomic unsigned next_pid, next_cid, producers_done;
	unsigned long *accepted;	/* per producer, by that producer */
	uintptr_t **got;		/* per consumer, what it received */
	unsigned long *ngot;
	atomic_int bad;			/* an unexpected result, see bad_rc */
	atomic_int bad_rc;
};

static void
mpmc_fail(struct mpmc *m, int rc)
{
	int zero = 0;

	atomic_compare_exchange_strong(&m->bad_rc, &zero, rc);
	atomic_fetch_add(&m->bad, 1);
}

/* Seeded jitter between operations: mostly nothing, sometimes a yield,
 * rarely a sleep of up to 50 us. */
static void
jitter(uint64_t *rng)
{
	uint64_t r = test_rng_next(rng);

	if (r % 8 == 0)
		sched_yield();
	else if (r % 64 == 1)
		test_sleep_ns(1 * US + (r >> 32) % (50 * US));
}

/* Push one item the way rng picks.  Returns 0, -EPIPE or another error. */
static int
mpmc_push_one(struct mpmc *m, uint64_t *rng, void *item)
{
	uint64_t r = m->random ? test_rng_next(rng) : 0;
	int rc;

	switch (r % 3) {
	case 0:
		return ls_bqueue_push(m->q, item);
	case 1:
		/* Short timeouts race hand-offs: the grant must win. */
		while ((rc = ls_bqueue_timedpush(m->q, item,
						 (r >> 8) % (200 * US))) ==
		       -ETIMEDOUT)
			r = test_rng_next(rng);
		return rc;
	default:
		while ((rc = ls_bqueue_trypush(m->q, item)) == -EAGAIN)
			test_sleep_ns((test_rng_next(rng) % 20 + 1) * US);
		return rc;
	}
}

static int
mpmc_pop_one(struct mpmc *m, uint64_t *rng, void **item)
{
	uint64_t r = m->random ? test_rng_next(rng) : 0;
	int rc;

	switch (r % 3) {
	case 0:
		return ls_bqueue_pop(m->q, item);
	case 1:
		while ((rc = ls_bqueue_timedpop(m->q, item,
						(r >> 8) % (200 * US))) ==
		       -ETIMEDOUT)
			r = test_rng_next(rng);
		return rc;
	default:
		while ((rc = ls_bqueue_trypop(m->q, item)) == -EAGAIN)
			test_sleep_ns((test_rng_next(rng) % 20 + 1) * US);
		return rc;
	}
}

static void
mpmc_producer(void *arg)
{
	struct mpmc *m = arg;
	unsigned pid = atomic_fetch_add(&m->next_pid, 1);
	uint64_t rng = m->seed ^ (0x1000 + pid) * 0x9e3779b97f4a7c15ull;
	unsigned long seq;
	int rc = 0;

	for (seq = 0; seq < m->per; seq++) {
		if (m->close_early && pid == 0 && seq == m->close_after) {
			rc = ls_bqueue_close(m->q);
			if (rc)
				mpmc_fail(m, rc);
		}
		if (m->random)
			jitter(&rng);
		rc = mpmc_push_one(m, &rng,
				   iptr((uintptr_t)pid << PID_SHIFT | seq));
		if (rc)
			break;
	}
	m->accepted[pid] = seq;
	if (rc && !(rc == -EPIPE && m->close_early))
		mpmc_fail(m, rc);
	/* The last producer out closes, so consumers drain and stop. */
	if (atomic_fetch_add(&m->producers_done, 1) + 1 == m->producers) {
		rc = ls_bqueue_close(m->q);
		if (rc)
			mpmc_fail(m, rc);
	}
}

static void
mpmc_consumer(void *arg)
{
	struct mpmc *m = arg;
	unsigned cid = atomic_fetch_add(&m->next_cid, 1);
	uint64_t rng = m->seed ^ (0x2000 + cid) * 0x9e3779b97f4a7c15ull;
	unsigned long cap = m->per * m->producers;
	void *item;
	int rc;

	for (;;) {
		if (m->random)
			jitter(&rng);
		rc = mpmc_pop_one(m, &rng, &item);
		if (rc)
			break;
		if (m->ngot[cid] == cap) {
			mpmc_fail(m, -E2BIG);
			return;
		}
		m->got[cid][m->ngot[cid]++] = (uintptr_t)item;
	}
	if (rc != -EPIPE)
		mpmc_fail(m, rc);
}

/* Run m with fresh records, then check exactly-once delivery of every
 * accepted item and per-producer order as each consumer saw it. */
static void
mpmc_run(struct mpmc *m, struct ls_ring *ring, unsigned capacity)
{
	struct ls_group *g;
	unsigned long total = m->per * m->producers, delivered = 0, i;
	unsigned char *seen;
	long *last;
	unsigned p, c;

	ck_assert_uint_lt(m->per, 1ul << PID_SHIFT);
	ck_assert_int_eq(ls_group_create(ring, "t", &g), 0);
	ck_assert_int_eq(ls_bqueue_create(ring, "q", capacity, &m->q), 0);
	m->qid = ls_bqueue_id(m->q);
	atomic_init(&m->next_pid, 0);
	atomic_init(&m->next_cid, 0);
	atomic_init(&m->producers_done, 0);
	atomic_init(&m->bad, 0);
	atomic_init(&m->bad_rc, 0);
	m->accepted = calloc(m->producers, sizeof(*m->accepted));
	m->got = calloc(m->consumers, sizeof(*m->got));
	m->ngot = calloc(m->consumers, sizeof(*m->ngot));
	seen = calloc(total, 1);
	last = calloc(m->producers, sizeof(*last));
	ck_assert(m->accepted && m->got && m->ngot && seen && last);
	for (c = 0; c < m->consumers; c++) {
		m->got[c] = calloc(total, sizeof(**m->got));
		ck_assert_ptr_nonnull(m->got[c]);
	}

	for (c = 0; c < m->consumers; c++)
		ck_assert_int_eq(ls_thread_spawn(g, "consumer", mpmc_consumer,
						 m), 0);
	for (p = 0; p < m->producers; p++)
		ck_assert_int_eq(ls_thread_spawn(g, "producer", mpmc_producer,
						 m), 0);
	ls_group_join(g);

	ck_assert_msg(atomic_load(&m->bad) == 0,
		      "%d unexpected results, first %d (seed %llu)",
		      atomic_load(&m->bad), atomic_load(&m->bad_rc),
		      (unsigned long long)m->seed);
	for (p = 0; p < m->producers; p++)
		if (!m->close_early)
			ck_assert_uint_eq(m->accepted[p], m->per);
	for (c = 0; c < m->consumers; c++) {
		for (p = 0; p < m->producers; p++)
			last[p] = -1;
		for (i = 0; i < m->ngot[c]; i++) {
			uintptr_t v = m->got[c][i];
			unsigned pid = (unsigned)(v >> PID_SHIFT);
			unsigned long seq = v & ((1ul << PID_SHIFT) - 1);

			ck_assert_msg(pid < m->producers &&
					      seq < m->accepted[pid],
				      "consumer %u got an item never accepted: "
				      "producer %u seq %lu (seed %llu)",
				      c, pid, seq, (unsigned long long)m->seed);
			ck_assert_msg(!seen[pid * m->per + seq],
				      "producer %u seq %lu delivered twice "
				      "(seed %llu)", pid, seq,
				      (unsigned long long)m->seed);
			seen[pid * m->per + seq] = 1;
			ck_assert_msg((long)seq > last[pid],
				      "consumer %u saw producer %u seq %lu "
				      "after %ld (seed %llu)", c, pid, seq,
				      last[pid], (unsigned long long)m->seed);
			last[pid] = (long)seq;
			delivered++;
		}
	}
	for (p = 0; p < m->producers; p++)
		for (i = 0; i < m->accepted[p]; i++)
			ck_assert_msg(seen[p * m->per + i],
				      "producer %u seq %lu accepted but lost "
				      "(seed %llu)", p, i,
				      (unsigned long long)m->seed);
	for (p = 0; p < m->producers; p++)
		delivered -= m->accepted[p];
	ck_assert_uint_eq(delivered, 0);
	ck_assert_uint_eq(ls_bqueue_depth(m->q), 0);
	ck_assert(ls_bqueue_closed(m->q));

	for (c = 0; c < m->consumers; c++)
		free(m->got[c]);
	free(m->got);
	free(m->ngot);
	free(m->accepted);
	free(seen);
	free(last);
	ls_bqueue_destroy(m->q);
	ls_group_destroy(g);
}

static void
mpmc_init(struct mpmc *m, unsigned long def_items, unsigned long san_items)
{
	memset(m, 0, sizeof(*m));
	m->producers = (unsigned)test_size("BQUEUE_PRODUCERS", 3, 3);
	m->consumers = (unsigned)test_size("BQUEUE_CONSUMERS", 3, 3);
	m->per = test_size("BQUEUE_ITEMS", def_items, san_items);
	ck_assert_uint_lt(m->producers, 256);
}

START_TEST(test_mpmc_blocking)
{
	static const unsigned caps[] = { 1, 2, 7, 64 };
	struct mpmc m;

	mpmc_init(&m, 20000, 2000);
	m.seed = seed_base;
	mpmc_run(&m, NULL, caps[_i]);
}
END_TEST

START_TEST(test_mpmc_random)
{
	struct mpmc m;
	uint64_t rng = seed_base ^ (uint64_t)_i * 0x5851f42d4c957f2dull;

	mpmc_init(&m, 5000, 500);
	m.random = true;
	m.seed = test_rng_next(&rng);
	mpmc_run(&m, NULL, 1 + (unsigned)(test_rng_next(&rng) % 4));
}
END_TEST

START_TEST(test_mpmc_random_close)
{
	struct mpmc m;
	uint64_t rng = seed_base ^ (uint64_t)(_i + 100) * 0x5851f42d4c957f2dull;

	mpmc_init(&m, 5000, 500);
	m.random = true;
	m.close_early = true;
	m.seed = test_rng_next(&rng);
	m.close_after = test_rng_next(&rng) % m.per;
	mpmc_run(&m, NULL, 1 + (unsigned)(test_rng_next(&rng) % 4));
}
END_TEST

/*
 * The depth every Q_* event carries follows the queue's history: with the
 * events in timestamp order, a push adds at most one, a pop takes at most
 * one, nothing else changes it, a producer waits only on a full queue and
 * a consumer only on an empty one.  A checker thread is the ring's one
 * consumer while the queue runs and folds the events as they come.
 */
struct depth_check {
	struct ls_ring *ring;
	uint32_t id;
	unsigned cap;
	atomic_bool stop;

	/* The checker's own; read by the test after the join. */
	unsigned long pushed, popped, checked;
	unsigned last;
	char failure[160];
};

static void
depth_fold(struct depth_check *dc, const struct ls_event *e, unsigned *prev,
	   uint64_t *prev_ts)
{
	unsigned d = (unsigned)e->arg;
	bool tie = e->ts == *prev_ts, ok;

	if (dc->failure[0] || e->obj != dc->id ||
	    e->kind < LS_EV_Q_PUSH_WAIT || e->kind > LS_EV_Q_CLOSED)
		return;
	switch (e->kind) {
	case LS_EV_Q_PUSHED:
		dc->pushed++;
		ok = tie || d == *prev || d == *prev + 1;
		break;
	case LS_EV_Q_POPPED:
		dc->popped++;
		ok = tie || d == *prev || d + 1 == *prev;
		break;
	case LS_EV_Q_PUSH_WAIT:
		ok = d == dc->cap;
		break;
	case LS_EV_Q_POP_WAIT:
		ok = d == 0;
		break;
	default:
		ok = tie || d == *prev;
		break;
	}
	ok = ok && e->arg <= dc->cap &&
	     (e->kind == LS_EV_Q_TIMEOUT || e->aux == dc->cap);
	if (!ok)
		snprintf(dc->failure, sizeof(dc->failure),
			 "tid %u %s depth %llu aux %u after depth %u",
			 e->tid, ls_event_kind_name(e->kind),
			 (unsigned long long)e->arg, e->aux, *prev);
	/* Equal stamps may come out in either order: a tie is not checked,
	 * the next step is checked from here. */
	*prev = d;
	*prev_ts = e->ts;
	dc->checked++;
}

static void *
depth_checker(void *arg)
{
	struct depth_check *dc = arg;
	struct ls_event buf[512];
	unsigned prev = 0;
	uint64_t prev_ts = 0;
	bool last_round = false;
	size_t n, i;

	for (;;) {
		n = ls_ring_drain(dc->ring, buf, 512);
		for (i = 0; i < n; i++)
			depth_fold(dc, &buf[i], &prev, &prev_ts);
		if (n)
			continue;
		if (last_round)
			break;
		/* Stop is set after the join: one more pass gets the rest. */
		last_round = atomic_load(&dc->stop);
		if (!last_round)
			test_sleep_ns(200 * US);
	}
	dc->last = prev;
	return NULL;
}

START_TEST(test_events_depth)
{
	struct ls_ring_config cfg = {
		.lane_events = 1u << 16,
		.max_lanes = 16,
	};
	struct depth_check dc;
	struct mpmc m;
	pthread_t checker;

	mpmc_init(&m, 5000, 1000);
	m.random = true;
	m.seed = seed_base;
	memset(&dc, 0, sizeof(dc));
	dc.cap = 3;
	/* mpmc_run makes the ring's first object. */
	dc.id = 1;
	atomic_init(&dc.stop, false);
	ck_assert_int_eq(ls_ring_create(&cfg, &dc.ring), 0);
	ck_assert_int_eq(pthread_create(&checker, NULL, depth_checker, &dc),
			 0);
	mpmc_run(&m, dc.ring, dc.cap);
	atomic_store(&dc.stop, true);
	ck_assert_int_eq(pthread_join(checker, NULL), 0);

	ck_assert_uint_eq(m.qid, dc.id);
	ck_assert_msg(!dc.failure[0], "%s (seed %llu)", dc.failure,
		      (unsigned long long)m.seed);
	ck_assert_uint_eq(ls_ring_dropped_total(dc.ring), 0);
	ck_assert_uint_eq(dc.pushed, m.per * m.producers);
	ck_assert_uint_eq(dc.popped, m.per * m.producers);
	ck_assert_uint_eq(dc.last, 0);
	ck_assert_uint_gt(dc.checked, dc.pushed + dc.popped);
	ls_ring_destroy(dc.ring);
}
END_TEST

static Suite *
bqueue_suite(void)
{
	Suite *s = suite_create("bqueue");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 4);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_try_fifo);
	tcase_add_test(tc, test_timed_expire);
	tcase_add_test(tc, test_events_exact);
	suite_add_tcase(s, tc);

	tc = tcase_create("blocking");
	tcase_set_timeout(tc, 4);
	tcase_add_test(tc, test_handoff_to_consumer);
	tcase_add_test(tc, test_handoff_from_producer);
	tcase_add_test(tc, test_close_wakes_consumers);
	tcase_add_test(tc, test_close_wakes_producers_and_drains);
	suite_add_tcase(s, tc);

	tc = tcase_create("cancel");
	tcase_set_timeout(tc, 4);
	tcase_add_test(tc, test_cancel_pop);
	tcase_add_test(tc, test_cancel_push);
	tcase_add_test(tc, test_cancelled_never_sleeps);
	tcase_add_test(tc, test_gate_before_acting);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 15);
	tcase_add_loop_test(tc, test_mpmc_blocking, 0, 4);
	tcase_add_loop_test(tc, test_mpmc_random, 0, 3);
	tcase_add_loop_test(tc, test_mpmc_random_close, 0, 3);
	tcase_add_test(tc, test_events_depth);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	seed_base = test_env_seed("BQUEUE_SEED");
	fprintf(stderr, "check_bqueue: seed %llu (BQUEUE_SEED=%llu replays)\n",
		(unsigned long long)seed_base, (unsigned long long)seed_base);
	return test_run_suite(bqueue_suite());
}
