/*
 * check_sem.c - Check suite for the engine's instrumented semaphore.
 *
 * Count semantics (try, timed, post, limits), the exact events with the
 * count they carry, FIFO hand-off of posts in a forced order (a post to a
 * waiter leaves the count at zero, so nobody can barge in), at most K
 * holders at once under seeded random timing, the same bound folded from
 * the events as the model sees them, and cancellation of waiters and of a
 * thread parked at post's gate.
 *
 * Orders are forced without sleeps: the test waits, by bounded polling,
 * for ls_sem_waiters to reach k before it starts the next waiter.  Threads
 * the test creates never call ck_assert; they record what they saw and the
 * test asserts after joining them.
 *
 * Sizes: LS_SEM_THREADS, LS_SEM_UNITS, LS_SEM_ITERS, LS_SEM_ROUNDS,
 * LS_SEM_ROUND_ITERS.  LS_SEED=n replays the random timing of a failure
 * (every stress failure prints its seed).
 */
#include "config.h"

#include "lockstep/sem.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "checkutil.h"
#include "primutil.h"

#define WAIT_LIMIT_NS (10ull * 1000000000u)
#define MAX_WAITERS 16
#define EV_MAX 8192

struct waiters_at {
	struct ls_sem *s;
	unsigned n;
};

static bool
waiters_reached(void *p)
{
	struct waiters_at *w = p;

	return ls_sem_waiters(w->s) >= w->n;
}

static void
wait_waiters(struct ls_sem *s, unsigned n)
{
	struct waiters_at w = { s, n };

	ck_assert_msg(test_wait_until(waiters_reached, &w, WAIT_LIMIT_NS),
		      "never saw %u waiters (saw %u)", n, ls_sem_waiters(s));
}

/* An atomic read as a plain value, for assertion messages. */
static int
ld(atomic_int *p)
{
	return atomic_load(p);
}

/* Count semantics. */

START_TEST(test_counts)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_sem *s;
	unsigned kind;
	char name[LS_NAME_MAX + 1];

	ck_assert_int_eq(ls_sem_create(r, "slots", 2, &s), 0);
	ck_assert_uint_ge(ls_sem_id(s), 1);
	ck_assert_int_eq(ls_ring_object_info(r, ls_sem_id(s), &kind, name,
					     sizeof(name)),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_SEM);
	ck_assert_str_eq(name, "slots");
	ck_assert_uint_eq(ls_sem_value(s), 2);
	ck_assert_int_eq(ls_sem_trywait(s), 0);
	ck_assert_uint_eq(ls_sem_value(s), 1);
	ck_assert_int_eq(ls_sem_wait(s), 0);
	ck_assert_uint_eq(ls_sem_value(s), 0);
	ck_assert_int_eq(ls_sem_trywait(s), -EAGAIN);
	ck_assert_int_eq(ls_sem_timedwait(s, 1000000), -ETIMEDOUT);
	ck_assert_int_eq(ls_sem_timedwait(s, 0), -ETIMEDOUT);
	ck_assert_uint_eq(ls_sem_value(s), 0);
	ck_assert_uint_eq(ls_sem_waiters(s), 0);	/* timeouts dequeued */
	ck_assert_int_eq(ls_sem_post(s), 0);
	ck_assert_uint_eq(ls_sem_value(s), 1);
	ck_assert_int_eq(ls_sem_timedwait(s, 1000000), 0);
	ck_assert_int_eq(ls_sem_post(s), 0);
	ck_assert_int_eq(ls_sem_post(s), 0);
	ck_assert_int_eq(ls_sem_post(s), 0);	/* above the initial count */
	ck_assert_uint_eq(ls_sem_value(s), 3);
	ls_sem_destroy(s);
	ls_sem_destroy(NULL);

	ck_assert_int_eq(ls_sem_create(NULL, "z", 0, &s), 0);
	ck_assert_uint_eq(ls_sem_id(s), 0);
	ck_assert_int_eq(ls_sem_trywait(s), -EAGAIN);
	ls_sem_destroy(s);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_limits)
{
	struct ls_sem *s = NULL;

	ck_assert_int_eq(ls_sem_create(NULL, "big", LS_SEM_VALUE_MAX + 1u, &s),
			 -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(ls_sem_create(NULL, "max", LS_SEM_VALUE_MAX, &s), 0);
	ck_assert_int_eq(ls_sem_post(s), -EOVERFLOW);
	ck_assert_uint_eq(ls_sem_value(s), LS_SEM_VALUE_MAX);
	ck_assert_int_eq(ls_sem_trywait(s), 0);
	ck_assert_int_eq(ls_sem_post(s), 0);
	ck_assert_uint_eq(ls_sem_value(s), LS_SEM_VALUE_MAX);
	ls_sem_destroy(s);
}
END_TEST

/* The events of one thread, with the count each carries. */
START_TEST(test_events)
{
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[64];
	struct ls_lane *lane;
	struct ls_sem *s;
	uint32_t id;
	size_t n, i;
	static const struct {
		unsigned kind;
		uint64_t arg;
	} want[] = {
		{ LS_EV_SEM_ACQUIRED, 1 },	/* wait: 2 -> 1 */
		{ LS_EV_SEM_ACQUIRED, 0 },	/* trywait: 1 -> 0 */
		{ LS_EV_SEM_TIMEOUT, 0 },	/* trywait on 0 */
		{ LS_EV_SEM_WAIT, 0 },		/* timedwait on 0 ... */
		{ LS_EV_SEM_TIMEOUT, 0 },	/* ... gives up */
		{ LS_EV_SEM_POST, 1 },
		{ LS_EV_SEM_POST, 2 },
	};

	ck_assert_int_eq(ls_sem_create(r, "s", 2, &s), 0);
	id = ls_sem_id(s);
	ck_assert_int_eq(ls_ring_register(r, "main", &lane), 0);
	ls_trace_lane = lane;
	ck_assert_int_eq(ls_sem_wait(s), 0);
	ck_assert_int_eq(ls_sem_trywait(s), 0);
	ck_assert_int_eq(ls_sem_trywait(s), -EAGAIN);
	ck_assert_int_eq(ls_sem_timedwait(s, 1000), -ETIMEDOUT);
	ck_assert_int_eq(ls_sem_post(s), 0);
	ck_assert_int_eq(ls_sem_post(s), 0);
	ls_trace_lane = NULL;
	ls_ring_unregister(lane);

	n = test_drain_all(r, ev, 64);
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		ck_assert_msg(ev[i].kind == want[i].kind &&
				      ev[i].arg == want[i].arg &&
				      ev[i].obj == id,
			      "event %zu: %s arg %" PRIu64 " obj %u, want "
			      "%s arg %" PRIu64,
			      i, ls_event_kind_name(ev[i].kind), ev[i].arg,
			      ev[i].obj, ls_event_kind_name(want[i].kind),
			      want[i].arg);
	}
	ls_sem_destroy(s);
	ls_ring_destroy(r);
}
END_TEST

/* FIFO hand-off, in a forced order: each member of a prim_run waits
 * once (primutil.h). */

static int
sem_wait_op(void *obj, unsigned i)
{
	(void)i;
	return ls_sem_wait(obj);
}

START_TEST(test_fifo_handoff)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[128];
	struct prim_run run;
	struct ls_sem *sem;
	struct ls_group *g;
	uint32_t id;
	unsigned i;
	size_t n;

	ck_assert_int_eq(ls_sem_create(r, "s", 0, &sem), 0);
	id = ls_sem_id(sem);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	prim_run_init(&run, sem_wait_op, sem);
	for (i = 0; i < k; i++) {
		prim_spawn(g, &run, i, "W");
		wait_waiters(sem, i + 1);
	}
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(ls_sem_post(sem), 0);
		/* Handed to the oldest waiter inside post: the count stays
		 * at zero and the poster cannot take the unit back. */
		ck_assert_uint_eq(ls_sem_value(sem), 0);
		ck_assert_uint_eq(ls_sem_waiters(sem), k - 1 - i);
		ck_assert_int_eq(ls_sem_trywait(sem), -EAGAIN);
		prim_wait_done(&run, i + 1);
		ck_assert_uint_eq(atomic_load(&run.order[i]), i);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++)
		ck_assert_int_eq(prim_rc(&run, i), 0);
	ck_assert_uint_eq(ls_sem_value(sem), 0);

	/* Each waiter's SEM_ACQUIRED carries the count 0: hand-off. */
	n = test_drain_all(r, ev, 128);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_SEM_WAIT, id), k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_SEM_ACQUIRED, id), k);
	for (i = 0; i < n; i++)
		if (ev[i].kind == LS_EV_SEM_ACQUIRED)
			ck_assert_uint_eq(ev[i].arg, 0);
	ls_group_destroy(g);
	ls_sem_destroy(sem);
	ls_ring_destroy(r);
}
END_TEST

/* Cancellation. */

struct blocked {
	struct ls_sem *s;
	atomic_int rc[MAX_WAITERS];
};

struct blocked_arg {
	struct blocked *b;
	unsigned i;
};

static void
blocked_waiter(void *p)
{
	struct blocked_arg *a = p;
	int rc;

	/* Odd waiters use a far deadline: both kinds must end on cancel. */
	if (a->i & 1)
		rc = ls_sem_timedwait(a->b->s, 3600ull * 1000000000u);
	else
		rc = ls_sem_wait(a->b->s);
	atomic_store(&a->b->rc[a->i], rc);
}

START_TEST(test_cancel_waiters)
{
	const unsigned k = 6;
	struct ls_ring *r = test_ring_new(64, 64);
	struct ls_event ev[256];
	struct blocked b;
	struct blocked_arg args[MAX_WAITERS];
	struct ls_group *g;
	uint32_t id;
	unsigned i;
	size_t n;

	ck_assert_int_eq(ls_sem_create(r, "s", 0, &b.s), 0);
	id = ls_sem_id(b.s);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	for (i = 0; i < k; i++) {
		args[i] = (struct blocked_arg){ &b, i };
		atomic_init(&b.rc[i], 1);
		ck_assert_int_eq(ls_thread_spawn(g, "W", blocked_waiter,
						 &args[i]),
				 0);
	}
	wait_waiters(b.s, k);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++)
		ck_assert_int_eq(ld(&b.rc[i]), -ECANCELED);
	ck_assert_uint_eq(ls_sem_waiters(b.s), 0);
	ck_assert_uint_eq(ls_sem_value(b.s), 0);
	ck_assert_int_eq(ls_sem_post(b.s), 0);	/* nobody left to take it */
	ck_assert_uint_eq(ls_sem_value(b.s), 1);

	n = test_drain_all(r, ev, 256);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_SEM_WAIT, id), k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_CANCELLED, id), k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_SEM_ACQUIRED, id), 0);
	ls_group_destroy(g);
	ls_sem_destroy(b.s);
	ls_ring_destroy(r);
}
END_TEST

struct gated {
	struct ls_sem *s;
	atomic_int rc_wait, rc_post;
};

static void
gated_main(void *p)
{
	struct gated *g = p;
	int rc = ls_sem_wait(g->s);

	atomic_store(&g->rc_wait, rc);
	if (rc == 0)
		atomic_store(&g->rc_post, ls_sem_post(g->s));
}

/* Step a thread through wait's gate so that it holds the unit and parks
 * at post's gate; cancel: its post must still give the unit back. */
START_TEST(test_cancel_at_post_gate)
{
	struct ls_ring *r = test_ring_new(64, 64);	/* tids, to step by */
	struct control_thread v;
	struct gated s;
	struct ls_group *g;
	struct control ctl;

	ck_assert_int_eq(ls_sem_create(r, "s", 1, &s.s), 0);
	atomic_init(&s.rc_wait, 1);
	atomic_init(&s.rc_post, 1);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	control_attach(&ctl, g, r);
	control_pause(&ctl);
	ck_assert_int_eq(ls_thread_spawn(g, "T", gated_main, &s), 0);
	ck_assert_int_eq(control_settle(&ctl, WAIT_LIMIT_NS), 0);
	ck_assert_uint_eq(control_threads(&ctl, &v, 1), 1);
	ck_assert_uint_eq(v.next_kind, LS_EV_SEM_ACQUIRED);
	ck_assert_uint_eq(ls_sem_value(s.s), 1);	/* gate before act */

	ck_assert_int_eq(control_step(&ctl, v.tid, WAIT_LIMIT_NS, NULL, 0), 0);
	ck_assert_uint_eq(control_threads(&ctl, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_uint_eq(v.next_kind, LS_EV_SEM_POST);
	ck_assert_uint_eq(ls_sem_value(s.s), 0);

	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(ld(&s.rc_wait), 0);
	ck_assert_int_eq(ld(&s.rc_post), 0);
	ck_assert_uint_eq(ls_sem_value(s.s), 1);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_sem_destroy(s.s);
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled while parked at wait's gate: -ECANCELED, nothing taken. */
START_TEST(test_cancel_at_wait_gate)
{
	struct gated s;
	struct ls_group *g;
	struct control ctl;

	ck_assert_int_eq(ls_sem_create(NULL, "s", 1, &s.s), 0);
	atomic_init(&s.rc_wait, 1);
	atomic_init(&s.rc_post, 1);
	ck_assert_int_eq(ls_group_create(NULL, "g", &g), 0);
	control_attach(&ctl, g, NULL);
	control_pause(&ctl);
	ck_assert_int_eq(ls_thread_spawn(g, "T", gated_main, &s), 0);
	ck_assert_int_eq(control_settle(&ctl, WAIT_LIMIT_NS), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(ld(&s.rc_wait), -ECANCELED);
	ck_assert_int_eq(ld(&s.rc_post), 1);	/* never ran */
	ck_assert_uint_eq(ls_sem_value(s.s), 1);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_sem_destroy(s.s);
}
END_TEST

/* A member that holds a unit when its group is cancelled unwinds: every
 * wait is refused at the gate, its post still gives the unit back. */
struct unwind {
	struct ls_sem *s, *s2;
	atomic_bool took;
	atomic_int rc_wait, rc_wait2, rc_try2, rc_timed2, rc_post;
	atomic_bool saw_cancel;
};

static void
unwind_main(void *p)
{
	struct unwind *u = p;
	int rc = ls_sem_wait(u->s);

	atomic_store(&u->rc_wait, rc);
	if (rc)
		return;
	atomic_store(&u->took, true);
	/* Test-side bounded poll for the cancel, standing in for a scene
	 * that checks ls_cancelled() between operations. */
	(void)test_wait_until(test_cancelled, NULL, WAIT_LIMIT_NS);
	atomic_store(&u->saw_cancel, ls_cancelled());
	atomic_store(&u->rc_wait2, ls_sem_wait(u->s2));
	atomic_store(&u->rc_try2, ls_sem_trywait(u->s2));
	atomic_store(&u->rc_timed2, ls_sem_timedwait(u->s2, 1000000));
	atomic_store(&u->rc_post, ls_sem_post(u->s));
}

START_TEST(test_cancel_unwind)
{
	struct unwind u;
	struct ls_group *g;

	ck_assert_int_eq(ls_sem_create(NULL, "s", 1, &u.s), 0);
	ck_assert_int_eq(ls_sem_create(NULL, "s2", 1, &u.s2), 0);
	atomic_init(&u.took, false);
	atomic_init(&u.saw_cancel, false);
	atomic_init(&u.rc_wait, 1);
	atomic_init(&u.rc_wait2, 1);
	atomic_init(&u.rc_try2, 1);
	atomic_init(&u.rc_timed2, 1);
	atomic_init(&u.rc_post, 1);
	ck_assert_int_eq(ls_group_create(NULL, "g", &g), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "T", unwind_main, &u), 0);
	ck_assert(test_wait_until(test_flag_set, &u.took, WAIT_LIMIT_NS));
	ck_assert_uint_eq(ls_sem_value(u.s), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert(atomic_load(&u.saw_cancel));
	ck_assert_int_eq(ld(&u.rc_wait), 0);
	ck_assert_int_eq(ld(&u.rc_wait2), -ECANCELED);
	ck_assert_int_eq(ld(&u.rc_try2), -ECANCELED);
	ck_assert_int_eq(ld(&u.rc_timed2), -ECANCELED);
	ck_assert_int_eq(ld(&u.rc_post), 0);
	ck_assert_uint_eq(ls_sem_value(u.s), 1);	/* given back */
	ck_assert_uint_eq(ls_sem_value(u.s2), 1);	/* never taken */
	ls_group_destroy(g);
	ls_sem_destroy(u.s);
	ls_sem_destroy(u.s2);
}
END_TEST

/* Stress. */

struct pool {
	struct ls_sem *s;
	unsigned long iters;
	uint64_t seed;
	uint64_t timeout_ns;	/* of timed waits, which then retry */
	atomic_int inside;	/* threads holding a unit */
	atomic_int max_inside;
	atomic_int errors;
	int value;		/* plain; guarded only when units == 1 */
	bool count_value;
};

struct pool_arg {
	struct pool *p;
	unsigned i;
};

static void
pool_worker(void *arg)
{
	struct pool_arg *a = arg;
	struct pool *p = a->p;
	uint64_t rng = p->seed ^ (0x9e3779b97f4a7c15ull * (a->i + 1));
	unsigned long k;
	int in, max, rc;

	for (k = 0; k < p->iters; k++) {
		test_jitter(&rng);
		/* Mix the three ways in; a failed try or a timeout tries
		 * again, so every iteration takes one unit. */
		switch (test_rng_next(&rng) % 3) {
		case 0:
			rc = ls_sem_wait(p->s);
			break;
		case 1:
			rc = ls_sem_trywait(p->s);
			while (rc == -EAGAIN || rc == -ETIMEDOUT)
				rc = ls_sem_timedwait(p->s, p->timeout_ns);
			break;
		default:
			do
				rc = ls_sem_timedwait(p->s,
						      2 * p->timeout_ns);
			while (rc == -ETIMEDOUT);
			break;
		}
		if (rc) {
			atomic_fetch_add(&p->errors, 1);
			continue;
		}
		in = atomic_fetch_add(&p->inside, 1) + 1;
		max = atomic_load(&p->max_inside);
		while (in > max &&
		       !atomic_compare_exchange_weak(&p->max_inside, &max, in))
			;
		if (p->count_value) {
			int v = p->value;

			test_jitter(&rng);
			p->value = v + 1;
		} else {
			test_jitter(&rng);
		}
		atomic_fetch_sub(&p->inside, 1);
		if (ls_sem_post(p->s))
			atomic_fetch_add(&p->errors, 1);
	}
}

/* Fold SEM_ACQUIRED/SEM_POST of obj as the model does: holders never
 * exceed units, and the count each event carries is consistent (a post
 * either raises the count or hands off at the same count).  Returns the
 * index of the first bad event, or -1. */
struct sem_model {
	long holders, count, units, max_holders;
	unsigned long acq;
};

static long
model_fold(struct sem_model *sm, const struct ls_event *ev, size_t n,
	   uint32_t obj)
{
	size_t i;

	for (i = 0; i < n; i++) {
		long a = (long)ev[i].arg;

		if (ev[i].obj != obj)
			continue;
		if (ev[i].kind == LS_EV_SEM_ACQUIRED) {
			if (a != sm->count - 1 && a != sm->count)
				return (long)i;
			sm->count = a;
			sm->holders++;
			sm->acq++;
			if (sm->holders > sm->max_holders)
				sm->max_holders = sm->holders;
			if (sm->holders > sm->units)
				return (long)i;
		} else if (ev[i].kind == LS_EV_SEM_POST) {
			if (a != sm->count + 1 && a != sm->count)
				return (long)i;
			sm->count = a;
			sm->holders--;
			if (sm->holders < 0)
				return (long)i;
		}
	}
	return -1;
}

/* N threads share K units; _i: 0 with K units (no ring), 1 with one unit
 * guarding a plain int (a binary semaphore must exclude and order). */
START_TEST(test_k_holders)
{
	unsigned long nthreads = test_size("LS_SEM_THREADS", 6, 4);
	unsigned long units = _i ? 1 : test_size("LS_SEM_UNITS", 3, 2);
	unsigned long iters = test_size("LS_SEM_ITERS", 10000, 1000);
	struct pool p = {
		.iters = iters,
		.seed = test_env_seed("LS_SEED") + _i,
		/* Short, so timeouts happen; longer under helgrind
		 * (tests/helgrind.sh), where every 20 us wait would expire
		 * before it parked and the retry loop would starve the
		 * holders of the semaphore's mutex. */
		.timeout_ns = test_size("LS_SEM_TIMEOUT_NS", 20000, 20000),
	};
	struct pool_arg *args = calloc(nthreads, sizeof(*args));
	struct ls_group *g;
	unsigned i;

	ck_assert_ptr_nonnull(args);
	ck_assert_int_eq(ls_sem_create(NULL, "s", (unsigned)units, &p.s), 0);
	p.count_value = units == 1;
	atomic_init(&p.inside, 0);
	atomic_init(&p.max_inside, 0);
	atomic_init(&p.errors, 0);
	ck_assert_int_eq(ls_group_create(NULL, "g", &g), 0);
	for (i = 0; i < nthreads; i++) {
		args[i] = (struct pool_arg){ &p, i };
		ck_assert_int_eq(ls_thread_spawn(g, "W", pool_worker,
						 &args[i]),
				 0);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_msg(ld(&p.max_inside) <= (int)units &&
			      ld(&p.max_inside) >= 1 && ld(&p.errors) == 0 &&
			      (!p.count_value ||
			       p.value == (int)(nthreads * iters)),
		      "max inside %d of %lu units, errors %d, value %d "
		      "(seed %" PRIu64 "; replay with LS_SEED=%" PRIu64 ")",
		      ld(&p.max_inside), units, ld(&p.errors), p.value, p.seed,
		      p.seed - _i);
	ck_assert_uint_eq(ls_sem_value(p.s), units);
	ck_assert_uint_eq(ls_sem_waiters(p.s), 0);
	ls_group_destroy(g);
	ls_sem_destroy(p.s);
	free(args);
}
END_TEST

/* The same bound as the model sees it, replayed: drain while the threads
 * run and fold the events. */
START_TEST(test_model_bound)
{
	unsigned long rounds = test_size("LS_SEM_ROUNDS", 20, 5);
	unsigned long iters = test_size("LS_SEM_ROUND_ITERS", 1000, 200);
	const unsigned nthreads = 3, units = 2;
	uint64_t seed = test_env_seed("LS_SEED");
	struct ls_event *ev = malloc(EV_MAX * sizeof(*ev));
	uint32_t lane_events = 16;
	unsigned long round;

	ck_assert_ptr_nonnull(ev);
	/* Room for every event of a thread: a drop would blind the check.
	 * A timed-out retry adds WAIT and TIMEOUT, so bound generously. */
	while (lane_events < 16 * iters)
		lane_events *= 2;
	for (round = 0; round < rounds; round++) {
		struct ls_ring *r = test_ring_new(lane_events, 64);
		/* Long timeouts: few retries, so the lanes cannot fill. */
		struct pool p = {
			.iters = iters,
			.seed = seed + round,
			.timeout_ns = 2000000,
		};
		struct pool_arg args[3];
		struct sem_model sm = { .count = units, .units = units };
		struct ls_group *g;
		struct timespec pace = { 0, 100000 };
		long bad = -1;
		unsigned i;
		size_t n;

		ck_assert_int_eq(ls_sem_create(r, "s", units, &p.s), 0);
		atomic_init(&p.inside, 0);
		atomic_init(&p.max_inside, 0);
		atomic_init(&p.errors, 0);
		ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
		for (i = 0; i < nthreads; i++) {
			args[i] = (struct pool_arg){ &p, i };
			ck_assert_int_eq(ls_thread_spawn(g, "W", pool_worker,
							 &args[i]),
					 0);
		}
		while (ls_group_live(g) && bad < 0) {
			n = ls_ring_drain(r, ev, EV_MAX);
			bad = model_fold(&sm, ev, n, ls_sem_id(p.s));
			if (!n)
				nanosleep(&pace, NULL);
		}
		ck_assert_int_eq(ls_group_join(g), 0);
		while (bad < 0 && (n = ls_ring_drain(r, ev, EV_MAX)) > 0)
			bad = model_fold(&sm, ev, n, ls_sem_id(p.s));
		ck_assert_msg(bad < 0,
			      "round %lu: event %ld (%s arg %" PRIu64
			      " by T%u) breaks the model, holders %ld count "
			      "%ld (seed %" PRIu64 "; LS_SEED=%" PRIu64 ")",
			      round, bad, ls_event_kind_name(ev[bad].kind),
			      ev[bad].arg, ev[bad].tid, sm.holders, sm.count,
			      seed, seed);
		ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
		ck_assert_uint_eq(sm.acq, nthreads * iters);
		ck_assert_int_eq(sm.holders, 0);
		ck_assert_int_eq(sm.count, units);
		ck_assert_int_eq(ld(&p.errors), 0);
		ls_group_destroy(g);
		ls_sem_destroy(p.s);
		ls_ring_destroy(r);
	}
	free(ev);
}
END_TEST

static Suite *
sem_suite(void)
{
	Suite *s = suite_create("sem");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fifo_handoff);
	tcase_add_test(tc, test_cancel_waiters);
	tcase_add_test(tc, test_cancel_at_post_gate);
	tcase_add_test(tc, test_cancel_at_wait_gate);
	tcase_add_test(tc, test_cancel_unwind);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_k_holders, 0, 2);
	tcase_add_test(tc, test_model_bound);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(sem_suite());
}
