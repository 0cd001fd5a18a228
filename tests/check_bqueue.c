/*
 * check_bqueue.c - the Check suite of the bounded blocking queue
 * (src/engine/bqueue.c); its stress half is check_bqueue_stress.c.
 *
 * Deterministic tests pin down one behaviour each: try and timed results,
 * FIFO order of items and of waiters, the direct hand-off in both
 * directions, close, cancellation, the gate, and the exact events a known
 * sequence of operations writes.  Threads that must be blocked before the
 * test goes on are waited for through the queue's waiting counts, never by
 * sleeping a guessed time.
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

#include "control/control.h"
#include "lockstep/bqueue.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "checkutil.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define US 1000ull

/* Far longer than any test may run: a wait that must be granted. */
#define FOREVER (600 * SEC)

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
	struct control_thread v[2];
	void *it;
	struct control ctl;

	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	ck_assert_int_eq(ls_group_create(ring, "t", &g), 0);
	control_attach(&ctl, g, ring);
	ck_assert_int_eq(ls_bqueue_create(ring, "q", 1, &q), 0);

	/* Paused: the push is held at its gate, before it acts. */
	control_pause(&ctl);
	worker_init(&w[0], q, iptr(4), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "p", worker_push, &w[0]), 0);
	ck_assert_int_eq(control_settle(&ctl, 30 * SEC), 0);
	ck_assert_uint_eq(control_threads(&ctl, v, 2), 1);
	ck_assert_uint_eq(v[0].state, LS_STATE_PARKED);
	ck_assert_uint_eq(v[0].next_kind, LS_EV_Q_PUSHED);
	ck_assert_uint_eq(v[0].obj, ls_bqueue_id(q));
	ck_assert_str_eq(v[0].desc, "push");
	ck_assert_uint_eq(ls_bqueue_depth(q), 0);
	ck_assert_int_eq(atomic_load(&w[0].done), 0);
	control_resume(&ctl);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w[0].rc), 0);
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);

	/* Cancelled at the gate: the pop does not act. */
	control_pause(&ctl);
	worker_init(&w[1], q, iptr(5), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "c", worker_pop, &w[1]), 0);
	ck_assert_int_eq(control_settle(&ctl, 30 * SEC), 0);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w[1].rc), -ECANCELED);
	ck_assert_ptr_eq(w[1].item, iptr(5));
	ck_assert_uint_eq(ls_bqueue_depth(q), 1);
	ck_assert_int_eq(ls_bqueue_pop(q, &it), 0);
	ck_assert_ptr_eq(it, iptr(4));
	ls_bqueue_destroy(q);
	control_stop(&ctl);
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
	return s;
}

int
main(void)
{
	return test_run_suite(bqueue_suite());
}
