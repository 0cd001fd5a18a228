/*
 * check_pool_intake.c - the pool's intake (src/engine/pool-intake.c): in
 * a pool made for throughput (take_many, as many workers at least as at
 * most), submits go in without the pool's lock.  What must still hold:
 * the capacity, exactly; one submitter's tasks in its order; a quiet pool
 * after ls_pool_wait_idle; a SUBMIT, a START and an END for every task, in
 * that order; and against a stop, a drain or a group cancel racing the
 * submitters, exactly one callback for every accepted task and none for a
 * refused one.
 */
#include "config.h"

#include "poolutil.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/event.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

static struct ls_pool *
intake_pool_new(struct ls_group *g, unsigned workers, unsigned cap)
{
	struct ls_pool_config cfg = {
		.name = "intake",
		.min_workers = workers,
		.max_workers = workers,
		.capacity = cap,
		.take_many = true,
	};
	struct ls_pool *p;

	ck_assert_int_eq(ls_pool_create(g, &cfg, &p), 0);
	return p;
}

/* The capacity holds exactly: with the worker held, a full pool has
 * taken capacity tasks (some in the intake, the rest queued), refuses the
 * next, and then runs them all in submission order. */
START_TEST(test_capacity_exact)
{
	enum { CAP = 64 };
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, CAP);
	struct test_latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct rec *r = rec_new(CAP + 1);
	struct rec_arg a[CAP + 1];
	struct ls_pool_stats s;
	unsigned i;

	test_latch_init(&latch);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	for (i = 0; i <= CAP; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_msg(ls_pool_submit(p, &t, NULL) ==
				      (i < CAP ? 0 : -EAGAIN),
			      "submit %u of a pool of %u", i, CAP);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, CAP);
	ck_assert_uint_eq(s.rejected, 1);
	test_latch_open(&latch);
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	for (i = 0; i < CAP; i++) {
		ck_assert_uint_eq(r->order[i], i);
		ck_assert_uint_eq(r->done[i], 1);
	}
	ck_assert_uint_eq(r->runs[CAP] + r->errs[CAP], 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, CAP + 1);	/* and the hold */
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&latch);
	rec_free(r);
}
END_TEST

/* Submitters on plain threads, each with its own run of task numbers. */
enum { SUBMITTERS = 3 };

struct submitter {
	struct ls_pool *p;
	struct rec *r;
	struct rec_arg *a;	/* its tasks */
	int *rc;		/* each task's submit result */
	unsigned first, n;
	bool blocking_only;
	pthread_t th;
};

static void *
submitter_main(void *arg)
{
	struct submitter *s = arg;
	unsigned k;

	for (k = 0; k < s->n; k++) {
		unsigned i = s->first + k;
		struct ls_task t;

		s->a[k] = (struct rec_arg){ .r = s->r, .i = i };
		t = rec_make(&s->a[k], 0);
		/* Blocking and refusing submits, as the seed says. */
		if (s->blocking_only || (pool_seed ^ i) % 3)
			s->rc[i] = ls_pool_submit_timed(s->p, &t,
							LS_POOL_FOREVER, NULL);
		else
			s->rc[i] = ls_pool_submit(s->p, &t, NULL);
		pool_seeded_yield(i);
	}
	return NULL;
}

static void
submitters_start(struct submitter *s, struct ls_pool *p, struct rec *r,
		 int *rc, unsigned per, bool blocking_only)
{
	unsigned j;

	for (j = 0; j < SUBMITTERS; j++) {
		s[j] = (struct submitter){
			.p = p, .r = r, .rc = rc, .first = j * per, .n = per,
			.blocking_only = blocking_only,
			.a = calloc(per, sizeof(*s[j].a)),
		};
		ck_assert_ptr_nonnull(s[j].a);
		ck_assert_int_eq(pthread_create(&s[j].th, NULL, submitter_main,
						&s[j]),
				 0);
	}
}

static void
submitters_join(struct submitter *s)
{
	unsigned j;

	for (j = 0; j < SUBMITTERS; j++)
		ck_assert_int_eq(pthread_join(s[j].th, NULL), 0);
}

/* Free the tasks' arguments, once the pool is done with them. */
static void
submitters_free(struct submitter *s)
{
	unsigned j;

	for (j = 0; j < SUBMITTERS; j++)
		free(s[j].a);
}

/* One worker runs each submitter's tasks in the order it submitted them,
 * however the three interleave. */
START_TEST(test_order_per_submitter)
{
	unsigned per = (unsigned)test_size("POOL_INTAKE_TASKS", 3000, 600);
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, 64);
	struct rec *r = rec_new(SUBMITTERS * per);
	int *rc = calloc(SUBMITTERS * per, sizeof(*rc));
	unsigned last[SUBMITTERS], i, k, n = SUBMITTERS * per;
	struct submitter s[SUBMITTERS];

	ck_assert_ptr_nonnull(rc);
	submitters_start(s, p, r, rc, per, true);
	submitters_join(s);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_uint_eq(atomic_load(&r->next), n);
	memset(last, 0, sizeof(last));
	for (k = 0; k < n; k++) {
		i = r->order[k];
		/* Task numbers rise within a submitter's run. */
		ck_assert_uint_ge(i + 1, last[i / per]);
		last[i / per] = i + 1;
	}
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(rc[i], 0);
		ck_assert_uint_eq(r->done[i], 1);
	}
	ls_pool_destroy(p);
	ls_group_destroy(g);
	submitters_free(s);
	free(rc);
	rec_free(r);
}
END_TEST

/* wait_idle returns once every task that went in by the intake ran. */
START_TEST(test_wait_idle)
{
	enum { N = 2000 };
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 2, 256);
	struct rec *r = rec_new(2 * N);	/* order[] takes both rounds */
	struct rec_arg a[N];
	struct ls_pool_stats s;
	unsigned i, round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < N; i++) {
			struct ls_task t;

			a[i] = (struct rec_arg){ .r = r, .i = i };
			t = rec_make(&a[i], 0);
			ck_assert_int_eq(ls_pool_submit_timed(
						 p, &t, LS_POOL_FOREVER, NULL),
					 0);
		}
		ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
		for (i = 0; i < N; i++)
			ck_assert_uint_eq(r->done[i], round + 1);
		ls_pool_stats(p, &s);
		ck_assert_uint_eq(s.depth, 0);
		ck_assert_uint_eq(s.busy, 0);
		ck_assert_uint_eq(s.submitted, (round + 1) * N);
		ck_assert_uint_eq(s.completed, (round + 1) * N);
	}
	ls_pool_destroy(p);
	ls_group_destroy(g);
	rec_free(r);
}
END_TEST

/* Every task a SUBMIT, a START and an END, in that order, the SUBMIT
 * from the submitter's lane. */
START_TEST(test_events)
{
	enum { N = 600 };
	struct ls_ring *ring = test_ring_new(1u << 14, 8);
	struct ls_lane *lane = test_lane_bind(ring, "main");
	struct ls_group *g = group_new(ring);
	struct ls_pool *p = intake_pool_new(g, 2, 64);
	struct test_evlog log = { 0 };
	unsigned char seen[N + 1];
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	uint64_t ids[N], maxid = 0;
	size_t k;
	unsigned i;

	for (i = 0; i < N; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit_timed(p, &t, LS_POOL_FOREVER,
						      &ids[i]),
				 0);
		/* Ids rise in submission order. */
		ck_assert_uint_gt(ids[i], maxid);
		maxid = ids[i];
	}
	ck_assert_int_eq(ls_pool_shutdown(p, LS_POOL_DRAIN, NULL), 0);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_lane_unbind(lane);
	test_evlog_drain(ring, &log);
	ck_assert_uint_eq(ls_ring_dropped_total(ring), 0);
	ck_assert_uint_lt(maxid - ids[0], N);
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < log.n; k++) {
		const struct ls_event *e = &log.ev[k];
		unsigned at;

		if (e->kind != LS_EV_TASK_SUBMIT &&
		    e->kind != LS_EV_TASK_START && e->kind != LS_EV_TASK_END)
			continue;
		at = (unsigned)(e->arg - ids[0]);
		ck_assert_uint_lt(at, N);
		if (e->kind == LS_EV_TASK_SUBMIT) {
			ck_assert_uint_eq(seen[at], 0);
			ck_assert_uint_eq(e->tid, ls_lane_tid(lane));
		} else {
			ck_assert_uint_eq(seen[at],
					  e->kind == LS_EV_TASK_START ? 1 : 2);
		}
		seen[at]++;
	}
	for (i = 0; i < N; i++)
		ck_assert_uint_eq(seen[i], 3);
	ls_ring_destroy(ring);
	test_evlog_free(&log);
	rec_free(r);
}
END_TEST

/* The intake's test hooks (pool-intake.c, LS_ENGINE_TEST_HOOK): called
 * between a submit's reservation and its publication, and (the pool's
 * lock held) when a stop closes the intake. */
extern void (*pool_intake_test_hook)(void);
extern void (*pool_intake_stop_hook)(void);
extern void (*pool_intake_exit_hook)(void);

/* The submit that the hook holds in its window: it arrives at reserved,
 * then waits for go. */
static struct test_latch hook_reserved, hook_go, hook_stopping, hook_exit;
static atomic_bool hook_armed;

static void
hold_in_window(void)
{
	if (!atomic_exchange(&hook_armed, false))
		return;
	test_latch_arrive(&hook_reserved);
	test_latch_arrive_wait(&hook_go);
}

static void
stopping_seen(void)
{
	test_latch_arrive(&hook_stopping);
}

static void
exit_wait_seen(void)
{
	test_latch_arrive(&hook_exit);
}

/* Arm the hooks: the next submit to reach its window is held there. */
static void
hooks_arm(void)
{
	test_latch_init(&hook_reserved);
	test_latch_init(&hook_go);
	test_latch_init(&hook_stopping);
	test_latch_init(&hook_exit);
	pool_intake_test_hook = hold_in_window;
	pool_intake_stop_hook = stopping_seen;
	pool_intake_exit_hook = exit_wait_seen;
	atomic_store(&hook_armed, true);
}

static void
hooks_disarm(void)
{
	pool_intake_test_hook = NULL;
	pool_intake_stop_hook = NULL;
	pool_intake_exit_hook = NULL;
	test_latch_destroy(&hook_exit);
	test_latch_destroy(&hook_reserved);
	test_latch_destroy(&hook_go);
	test_latch_destroy(&hook_stopping);
}

struct one_submit {
	struct ls_pool *p;
	struct ls_task t;
	struct ls_ring *ring;	/* emit into it, when set */
	uint64_t id;
	int rc;
	atomic_bool returned;
};

static void *
one_submit_main(void *arg)
{
	struct one_submit *o = arg;
	struct ls_lane *lane = o->ring ? test_lane_bind(o->ring, "held")
				       : NULL;

	o->rc = ls_pool_submit(o->p, &o->t, &o->id);
	test_lane_unbind(lane);
	atomic_store(&o->returned, true);
	return NULL;
}

/* A stopper on its own thread, and what it saw of task 1 at its return. */
struct stopper {
	struct ls_pool *p;
	struct rec *r;
	enum ls_pool_stop how;
	struct ls_ring *ring;	/* emit into it, when set */
	int rc;
	unsigned done1, errs1;
};

static void *
stopper_main(void *arg)
{
	struct stopper *st = arg;
	struct ls_lane *lane = st->ring ? test_lane_bind(st->ring, "stopper")
					: NULL;

	st->rc = ls_pool_shutdown(st->p, st->how, NULL);
	test_lane_unbind(lane);
	st->done1 = atomic_load(&st->r->done[1]);
	st->errs1 = atomic_load(&st->r->errs[1]);
	return NULL;
}

/*
 * Hold held's submit in its window, publish behind behind it, and start
 * st's stop on its own thread; return once the stop closed the intake and
 * the worker that the stop woke is gone (now) or idle again (drain), so
 * that it cannot take the held task the moment it is published, before
 * its submit settles: that task would then be the pool's, to run or
 * drop, rightly.  The caller then lets the held submit go (hook_go).
 */
static void
stop_behind_held_submit(struct one_submit *held, const struct ls_task *behind,
			struct stopper *st, pthread_t *th, pthread_t *stopper)
{
	struct ls_pool_stats s;

	hooks_arm();
	ck_assert_int_eq(pthread_create(th, NULL, one_submit_main, held), 0);
	test_latch_wait_arrived(&hook_reserved, 1);
	ck_assert_int_eq(ls_pool_submit(st->p, behind, NULL), 0);
	ck_assert_int_eq(pthread_create(stopper, NULL, stopper_main, st), 0);
	test_latch_wait_arrived(&hook_stopping, 1);
	/* A poll bounded by the test's timeout. */
	for (;;) {
		ls_pool_stats(st->p, &s);
		if (st->how == LS_POOL_DRAIN ? s.idle == 1 : s.workers == 0)
			break;
		sched_yield();
	}
}

/* Let the held submit go: the pool stopped, so it is refused. */
static void
release_refused_submit(struct one_submit *held, pthread_t th)
{
	test_latch_open(&hook_go);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(held->rc, -ESHUTDOWN);
}

/*
 * A stop lands between a submit's reservation and its publication (the
 * hook holds it there), with a second task published behind it.  The
 * held submit is refused when it settles (-ESHUTDOWN, no callback) and
 * takes its place back; the one behind it was accepted, so a stop now
 * drops it (on_error -ECANCELED) and a drain runs it - and either way the
 * shutdown returns only after that: a draining pool's workers wait for
 * the reserved place instead of leaving, and a stop waits for the submit
 * to settle, so no accepted task is told after its pool's shutdown.
 */
START_TEST(test_stop_in_window)
{
	bool drain = _i;
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, 32);
	struct rec *r = rec_new(2);
	struct rec_arg a[2] = { { .r = r, .i = 0 }, { .r = r, .i = 1 } };
	struct one_submit held = { .p = p, .t = rec_make(&a[0], 0), .rc = 1 };
	struct ls_task behind = rec_make(&a[1], 0);
	struct stopper st = {
		.p = p, .r = r, .how = drain ? LS_POOL_DRAIN : LS_POOL_NOW,
	};
	struct ls_pool_stats s;
	pthread_t th, stopper;

	stop_behind_held_submit(&held, &behind, &st, &th, &stopper);
	release_refused_submit(&held, th);
	ck_assert_int_eq(pthread_join(stopper, NULL), 0);
	ck_assert_int_eq(st.rc, 0);
	if (drain) {
		ck_assert_uint_eq(st.done1, 1);
		ck_assert_uint_eq(st.errs1, 0);
	} else {
		ck_assert_uint_eq(r->runs[1], 0);
		ck_assert_uint_eq(st.errs1, 1);
		ck_assert_int_eq(r->last_err[1], -ECANCELED);
	}
	rec_check_untold(r, 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(s.submitted, 1);
	ck_assert_uint_eq(s.submitted,
			  s.completed + s.failed + s.dropped);
	hooks_disarm();
	ls_pool_destroy(p);
	ls_group_destroy(g);
	rec_free(r);
}
END_TEST

/*
 * test_stop_in_window's stop now, told through a ring: the held submit,
 * refused as it settles, is a TASK_REJECT after its SUBMIT (the caller has
 * -ESHUTDOWN, no callback runs), counted rejected; the task behind it,
 * accepted, is dropped.  So the events and the pool's counts agree, and
 * a model that saw the SUBMIT is told the task left the queue.
 */
START_TEST(test_stop_in_window_events)
{
	struct ls_ring *ring = test_ring_new(1u << 10, 8);
	struct ls_lane *lane = test_lane_bind(ring, "main");
	struct ls_group *g = group_new(ring);
	struct ls_pool *p = intake_pool_new(g, 1, 32);
	struct rec *r = rec_new(2);
	struct rec_arg a[2] = { { .r = r, .i = 0 }, { .r = r, .i = 1 } };
	struct one_submit held = {
		.p = p, .t = rec_make(&a[0], 0), .ring = ring, .rc = 1,
	};
	struct ls_task behind = rec_make(&a[1], 0);
	struct stopper st = {
		.p = p, .r = r, .how = LS_POOL_NOW, .ring = ring,
	};
	struct test_evlog log = { 0 };
	struct ls_pool_stats s;
	pthread_t th, stopper;
	bool submitted = false, rejected = false;
	size_t k;

	stop_behind_held_submit(&held, &behind, &st, &th, &stopper);
	release_refused_submit(&held, th);
	ck_assert_int_eq(pthread_join(stopper, NULL), 0);
	ck_assert_int_eq(st.rc, 0);
	ls_pool_stats(p, &s);
	hooks_disarm();
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_lane_unbind(lane);
	test_evlog_drain(ring, &log);
	ck_assert_uint_eq(ls_ring_dropped_total(ring), 0);
	ck_assert_uint_eq(s.rejected, 1);
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(test_evlog_count(&log, LS_EV_TASK_REJECT),
			  s.rejected);
	ck_assert_uint_eq(test_evlog_count(&log, LS_EV_TASK_DROP), s.dropped);
	for (k = 0; k < log.n; k++) {
		const struct ls_event *e = &log.ev[k];

		if (e->arg != held.id)
			continue;
		if (e->kind == LS_EV_TASK_SUBMIT) {
			ck_assert(!rejected);
			submitted = true;
		} else if (e->kind == LS_EV_TASK_REJECT) {
			ck_assert(submitted);
			rejected = true;
		} else {
			ck_assert_msg(e->kind != LS_EV_TASK_DROP &&
					      e->kind != LS_EV_TASK_START,
				      "the held task was %s",
				      ls_event_kind_name(e->kind));
		}
	}
	ck_assert(submitted && rejected);
	rec_check_untold(r, 0);
	ls_ring_destroy(ring);
	test_evlog_free(&log);
	rec_free(r);
}
END_TEST

/* A task whose drop shuts its pool down from the callback. */
/* A drop callback that shuts p down, then opens release if set. */
struct shut_in_callback {
	struct ls_pool *p;
	struct test_latch *release;
	atomic_int err, rc;
	atomic_bool called;
};

static int
never_runs(void *arg)
{
	(void)arg;
	return 0;
}

static void
shut_on_error(void *arg, int err)
{
	struct shut_in_callback *c = arg;

	atomic_store(&c->err, err);
	atomic_store(&c->rc, ls_pool_shutdown(c->p, LS_POOL_NOW, NULL));
	if (c->release)
		test_latch_open(c->release);
	atomic_store(&c->called, true);
}

/* The callback ran, for a drop, and its shutdown returned 0; then the
 * stopper's shutdown returned 0 as well, and pool p counts one task
 * submitted, dropped. */
static void
shut_in_callback_check(const struct shut_in_callback *c, struct stopper *st,
		       pthread_t stopper, struct ls_pool *p)
{
	struct ls_pool_stats s;

	ck_assert(atomic_load(&c->called));
	ck_assert_int_eq(atomic_load(&c->err), -ECANCELED);
	ck_assert_int_eq(atomic_load(&c->rc), 0);
	ck_assert_int_eq(pthread_join(stopper, NULL), 0);
	ck_assert_int_eq(st->rc, 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.submitted, 1);
	ck_assert_uint_eq(s.dropped, 1);
}

/*
 * As test_stop_in_window's stop now, but the task behind the held one
 * shuts the pool down from its on_error.  Its drop happens in the held
 * submit's settle, on the submitter's thread: that shutdown must not wait
 * for the settle it is called from (it waited for ever).
 */
START_TEST(test_shutdown_from_settle_callback)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, 32);
	struct rec *r = rec_new(2);	/* the stopper reads task 1's */
	struct rec_arg a = { .r = r, .i = 0 };
	struct one_submit held = { .p = p, .t = rec_make(&a, 0), .rc = 1 };
	struct shut_in_callback c = { .p = p };
	struct ls_task behind = {
		.fn = never_runs, .arg = &c, .on_error = shut_on_error,
	};
	struct stopper st = { .p = p, .r = r, .how = LS_POOL_NOW };
	pthread_t th, stopper;

	/* The worker gone, the settle drops the task behind. */
	stop_behind_held_submit(&held, &behind, &st, &th, &stopper);
	release_refused_submit(&held, th);
	shut_in_callback_check(&c, &st, stopper, p);
	hooks_disarm();
	ls_pool_destroy(p);
	ls_group_destroy(g);
	rec_free(r);
}
END_TEST

/*
 * Callbacks that nest across two pools: the task behind the held one in
 * pool 1 is dropped in the held submit's settle (a settle frame of pool 1
 * on the submitter's thread), and its on_error shuts pool 2 down; pool
 * 2's shutdown drops its queued task, whose on_error shuts pool 1 down
 * and then lets pool 2's busy worker go.  Pool 2's shutdown must wait for
 * pool 2 alone (the frame on its thread is pool 1's), and the inner
 * shutdown of pool 1 must not wait for the settle it is called from.
 * Every shutdown returns 0; each dropped task is told once.
 */
START_TEST(test_shutdown_callbacks_nest_across_pools)
{
	struct ls_group *g = group_new(NULL), *g2 = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, 32);
	struct ls_pool *p2 = intake_pool_new(g2, 1, 32);
	struct rec *r = rec_new(2);	/* the stopper reads task 1's */
	struct rec_arg a = { .r = r, .i = 0 };
	struct one_submit held = { .p = p, .t = rec_make(&a, 0), .rc = 1 };
	struct test_latch busy2;
	struct ls_task hold2 = { .fn = hold_task, .arg = &busy2 };
	struct shut_in_callback c1 = { .p = p2 };
	struct shut_in_callback c2 = { .p = p, .release = &busy2 };
	struct ls_task behind = {
		.fn = never_runs, .arg = &c1, .on_error = shut_on_error,
	};
	struct ls_task queued2 = {
		.fn = never_runs, .arg = &c2, .on_error = shut_on_error,
	};
	struct stopper st = { .p = p, .r = r, .how = LS_POOL_NOW };
	struct ls_pool_stats s;
	pthread_t th, stopper;

	test_latch_init(&busy2);
	ck_assert_int_eq(ls_pool_submit(p2, &hold2, NULL), 0);
	test_latch_wait_arrived(&busy2, 1);
	ck_assert_int_eq(ls_pool_submit(p2, &queued2, NULL), 0);
	stop_behind_held_submit(&held, &behind, &st, &th, &stopper);
	release_refused_submit(&held, th);
	shut_in_callback_check(&c1, &st, stopper, p);
	ck_assert(atomic_load(&c2.called));
	ck_assert_int_eq(atomic_load(&c2.err), -ECANCELED);
	ck_assert_int_eq(atomic_load(&c2.rc), 0);
	ls_pool_stats(p2, &s);
	ck_assert_uint_eq(s.submitted, 2);
	ck_assert_uint_eq(s.completed, 1);
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(s.workers, 0);
	hooks_disarm();
	ls_pool_destroy(p);
	ls_pool_destroy(p2);
	ls_group_destroy(g);
	ls_group_destroy(g2);
	test_latch_destroy(&busy2);
	rec_free(r);
}
END_TEST

/*
 * As test_shutdown_from_settle_callback, but the worker is still busy
 * when the callback's shutdown starts to wait, and it leaves last: its
 * leaving must wake that shutdown (it did not, as the worker did not
 * count the callback's own settle out, and both shutdowns waited for
 * ever).  The hooks say when each shutdown waits.
 */
START_TEST(test_callback_shutdown_woken_by_worker)
{
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, 32);
	struct rec *r = rec_new(2);
	struct rec_arg a = { .r = r, .i = 0 };
	struct one_submit held = { .p = p, .t = rec_make(&a, 0), .rc = 1 };
	struct shut_in_callback c = { .p = p };
	struct ls_task behind = {
		.fn = never_runs, .arg = &c, .on_error = shut_on_error,
	};
	struct test_latch busy;
	struct ls_task hold = { .fn = hold_task, .arg = &busy };
	struct stopper st = { .p = p, .r = r, .how = LS_POOL_NOW };
	pthread_t th, stopper;

	test_latch_init(&busy);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&busy, 1);
	hooks_arm();
	ck_assert_int_eq(pthread_create(&th, NULL, one_submit_main, &held), 0);
	test_latch_wait_arrived(&hook_reserved, 1);
	ck_assert_int_eq(ls_pool_submit(p, &behind, NULL), 0);
	ck_assert_int_eq(pthread_create(&stopper, NULL, stopper_main, &st), 0);
	test_latch_wait_arrived(&hook_exit, 1);	/* the stop waits */
	test_latch_open(&hook_go);
	test_latch_wait_arrived(&hook_exit, 2);	/* the callback's waits */
	ck_assert(!atomic_load(&c.called));
	test_latch_open(&busy);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(held.rc, -ESHUTDOWN);
	ck_assert(atomic_load(&c.called));
	ck_assert_int_eq(atomic_load(&c.err), -ECANCELED);
	ck_assert_int_eq(atomic_load(&c.rc), 0);
	ck_assert_int_eq(pthread_join(stopper, NULL), 0);
	ck_assert_int_eq(st.rc, 0);
	hooks_disarm();
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&busy);
	rec_free(r);
}
END_TEST

struct timed_submit {
	struct ls_pool *p;
	struct ls_task t;
	uint64_t timeout_ns;
	int rc;
};

static void *
timed_submit_main(void *arg)
{
	struct timed_submit *ts = arg;

	ts->rc = ls_pool_submit_timed(ts->p, &ts->t, ts->timeout_ns, NULL);
	return NULL;
}

/*
 * A timed submit that waits for the intake's held place keeps to its
 * timeout: with the place at the head held unpublished and the intake
 * full behind it, a submit with a 1 ms timeout returns -ETIMEDOUT while
 * the place is still held (it used to wait for the place, however long),
 * and its task is counted rejected, not submitted.
 */
START_TEST(test_timed_submit_behind_held_place)
{
	enum { CAP = 32, INTAKE = CAP / 4 };
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, CAP);
	struct rec *r = rec_new(INTAKE + 1);
	struct rec_arg a[INTAKE + 1];
	struct one_submit held;
	struct timed_submit ts = { .p = p, .timeout_ns = 1000000 };
	struct ls_pool_stats s;
	pthread_t th, th_timed;
	unsigned i;

	for (i = 0; i <= INTAKE; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	held = (struct one_submit){ .p = p, .t = rec_make(&a[0], 0) };
	ts.t = rec_make(&a[INTAKE], 0);
	hooks_arm();
	ck_assert_int_eq(pthread_create(&th, NULL, one_submit_main, &held), 0);
	test_latch_wait_arrived(&hook_reserved, 1);
	for (i = 1; i < INTAKE; i++) {
		struct ls_task t = rec_make(&a[i], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	ck_assert_int_eq(
		pthread_create(&th_timed, NULL, timed_submit_main, &ts), 0);
	ck_assert_int_eq(pthread_join(th_timed, NULL), 0);
	ck_assert_int_eq(ts.rc, -ETIMEDOUT);
	ck_assert(!atomic_load(&held.returned));
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.rejected, 1);
	test_latch_open(&hook_go);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(held.rc, 0);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_uint_eq(atomic_load(&r->next), INTAKE);
	ck_assert_uint_eq(r->runs[INTAKE], 0);
	hooks_disarm();
	ls_pool_destroy(p);
	ls_group_destroy(g);
	rec_free(r);
}
END_TEST

/* A pool of one worker and CAP places with its intake full behind a held
 * place, and one more submit waiting for it. */
enum { HP_CAP = 32, HP_INTAKE = HP_CAP / 4, HP_N = HP_INTAKE + 1 };

struct held_place {
	struct ls_group *g;
	struct ls_pool *p;
	struct rec *r;
	struct rec_arg a[HP_N];
	struct one_submit held;	/* task 0, held in its window */
	struct one_submit last;	/* task HP_N - 1, waiting */
	pthread_t th, th_last;
};

/*
 * Hold task 0's submit in its window, publish tasks 1 .. HP_N - 2 behind
 * it (filling the intake), and start task HP_N - 1's submit, which must
 * wait for the held place (counted waiting) rather than pass the intake's
 * tasks.  The caller lets the held submit go (hook_go), joins th and
 * th_last, and calls held_place_free.
 */
static void
held_place_start(struct held_place *h)
{
	struct ls_pool_stats s;
	unsigned i;

	h->g = group_new(NULL);
	h->p = intake_pool_new(h->g, 1, HP_CAP);
	h->r = rec_new(HP_N);
	for (i = 0; i < HP_N; i++)
		h->a[i] = (struct rec_arg){ .r = h->r, .i = i };
	h->held = (struct one_submit){ .p = h->p, .t = rec_make(&h->a[0], 0) };
	h->last = (struct one_submit){
		.p = h->p, .t = rec_make(&h->a[HP_N - 1], 0),
	};
	hooks_arm();
	ck_assert_int_eq(
		pthread_create(&h->th, NULL, one_submit_main, &h->held), 0);
	test_latch_wait_arrived(&hook_reserved, 1);
	for (i = 1; i < HP_N - 1; i++) {
		struct ls_task t = rec_make(&h->a[i], 0);

		ck_assert_int_eq(ls_pool_submit(h->p, &t, NULL), 0);
	}
	ck_assert_int_eq(pthread_create(&h->th_last, NULL, one_submit_main,
					&h->last),
			 0);
	/* Until it waits (or, wrongly, went in): a poll bounded by the
	 * test's timeout, asserting nothing about time. */
	for (;;) {
		ls_pool_stats(h->p, &s);
		if (s.waiting || atomic_load(&h->last.returned))
			break;
		sched_yield();
	}
	ck_assert_msg(!atomic_load(&h->last.returned),
		      "a submit passed the intake's tasks");
}

static void
held_place_free(struct held_place *h)
{
	hooks_disarm();
	ls_pool_destroy(h->p);
	ls_group_destroy(h->g);
	rec_free(h->r);
}

/*
 * A submit that cannot use the intake (it is full) must not pass the
 * tasks in it: with the place at the intake's head reserved and held
 * unpublished, and the submitter's own tasks published behind it, the
 * submitter's next task waits for the held one (counted waiting) instead
 * of going into the run queue first.  One worker then runs them all in
 * submission order.
 */
START_TEST(test_locked_submit_keeps_order)
{
	struct held_place h;
	unsigned i;

	held_place_start(&h);
	test_latch_open(&hook_go);
	ck_assert_int_eq(pthread_join(h.th, NULL), 0);
	ck_assert_int_eq(pthread_join(h.th_last, NULL), 0);
	ck_assert_int_eq(h.held.rc, 0);
	ck_assert_int_eq(h.last.rc, 0);
	ck_assert_int_eq(ls_pool_wait_idle(h.p, LS_POOL_FOREVER), 0);
	for (i = 0; i < HP_N; i++)
		ck_assert_uint_eq(h.r->order[i], i);
	held_place_free(&h);
}
END_TEST

/*
 * A locked submit waiting for the intake's held place (as in
 * test_locked_submit_keeps_order) when the pool stops: the held submit,
 * let go, is refused as it settles and wakes the waiter, which is refused
 * too (-ESHUTDOWN, no callback, counted rejected) and leaves nothing
 * queued.  The tasks published behind the held place were accepted, so a
 * stop now drops each once and a drain runs each once, all before the
 * shutdown returns.  (The flush gives up at once in a stopped pool; the
 * settle has emptied the intake by then, so a flush that went on would
 * find nothing to move, and the submit is refused after it either way:
 * what this pins down is the outcome, not which check refuses.)
 */
START_TEST(test_flush_gives_up_when_stopped)
{
	bool drain = _i;
	struct held_place h;
	struct stopper st;
	struct ls_pool_stats s;
	pthread_t stopper;
	unsigned i;

	held_place_start(&h);
	st = (struct stopper){
		.p = h.p, .r = h.r, .how = drain ? LS_POOL_DRAIN : LS_POOL_NOW,
	};
	ck_assert_int_eq(pthread_create(&stopper, NULL, stopper_main, &st), 0);
	test_latch_wait_arrived(&hook_stopping, 1);
	/* The worker the stop woke gone or idle again, as in
	 * stop_behind_held_submit, so that the held task is not taken the
	 * moment it is published. */
	for (;;) {
		ls_pool_stats(h.p, &s);
		if (drain ? s.idle == 1 : s.workers == 0)
			break;
		sched_yield();
	}
	test_latch_open(&hook_go);
	ck_assert_int_eq(pthread_join(h.th, NULL), 0);
	ck_assert_int_eq(pthread_join(h.th_last, NULL), 0);
	ck_assert_int_eq(pthread_join(stopper, NULL), 0);
	ck_assert_int_eq(h.held.rc, -ESHUTDOWN);
	ck_assert_int_eq(h.last.rc, -ESHUTDOWN);
	ck_assert_int_eq(st.rc, 0);
	for (i = 0; i < HP_N; i++) {
		if (i == 0 || i == HP_N - 1)
			rec_check_untold(h.r, i);
		else
			rec_check_told_once(h.r, i, drain);
	}
	ls_pool_stats(h.p, &s);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(s.waiting, 0);
	ck_assert_uint_eq(s.submitted, HP_N - 2);
	ck_assert_uint_eq(s.rejected, 2);
	ck_assert_uint_eq(s.submitted, s.completed + s.failed + s.dropped);
	held_place_free(&h);
}
END_TEST

extern void (*thread_park_test_hook)(struct ls_thread *self, int where);

/* Submitters held in the park where it is about to sleep (hook place 0:
 * queued, mu dropped): a grant reaches them there, and they act on it only
 * once park_go opens. */
static _Thread_local bool park_hold_me;
static struct test_latch park_held, park_go;

static void
hold_at_park(struct ls_thread *self, int where)
{
	(void)self;
	if (where != 0 || !park_hold_me)
		return;
	park_hold_me = false;
	test_latch_arrive(&park_held);
	test_latch_arrive_wait(&park_go);
}

struct held_waiter {
	struct ls_pool *p;
	struct ls_task t;
	int rc;
};

static void *
held_waiter_main(void *arg)
{
	struct held_waiter *hw = arg;

	park_hold_me = true;
	hw->rc = ls_pool_submit_timed(hw->p, &hw->t, LS_POOL_FOREVER, NULL);
	park_hold_me = false;
	return NULL;
}

/*
 * Room given back by submitters the pool stopped under moves the intake's
 * task that waited for it.  The run queue's every place is promised to a
 * submitter let in (held in the park, so it has not used it) and the run
 * queue is empty; one more task goes into the intake, with no room to move
 * into.  A stop then finds nothing it can move or drop.  Let go, each
 * submitter is refused and gives its place back, and the first place given
 * back takes the intake's task: a stop now drops it, a drain runs it, and
 * the shutdown returns (it would wait for ever for a task nobody moves).
 */
START_TEST(test_room_given_back_when_stopped)
{
	bool drain = _i;
	/* Task 0 holds the worker, 1..CAP fill the pool, RQ more wait for
	 * room (as many as the run queue holds), and the last goes into the
	 * intake.  At 48, the worker's takes (POOL_TAKE_DEPTH,
	 * POOL_TAKE_MAX) and the admissions they make (slack) let every
	 * waiter in by the time the run queue is empty; at 32 one waiter
	 * is left with less room than the slack. */
	enum {
		CAP = 48,
		INTAKE = 8,	/* the largest power of 2 up to CAP / 4 */
		RQ = CAP - INTAKE,
		T = 1 + CAP + RQ,
		N = T + 1,
	};
	struct ls_group *g;
	struct ls_pool *p;
	struct test_latch hold_latch;
	struct ls_task hold = { .fn = hold_task, .arg = &hold_latch };
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct held_waiter hw[RQ];
	struct stopper st;
	struct ls_task last;
	struct ls_pool_stats s;
	pthread_t th[RQ], stopper;
	unsigned i;

	for (i = 0; i < N; i++)
		a[i] = (struct rec_arg){ .r = r, .i = i };
	test_latch_init(&hold_latch);
	test_latch_init(&park_held);
	test_latch_init(&park_go);
	test_latch_init(&hook_exit);
	/* Set before the worker exists and cleared once it is gone: every
	 * park reads it. */
	thread_park_test_hook = hold_at_park;
	g = group_new(NULL);
	p = intake_pool_new(g, 1, CAP);
	st = (struct stopper){
		.p = p, .r = r, .how = drain ? LS_POOL_DRAIN : LS_POOL_NOW,
	};
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&hold_latch, 1);
	for (i = 1; i <= CAP; i++) {
		struct ls_task t = rec_make(&a[i], 0);

		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	for (i = 0; i < RQ; i++) {
		hw[i] = (struct held_waiter){
			.p = p, .t = rec_make(&a[CAP + 1 + i], 0), .rc = 1,
		};
		ck_assert_int_eq(
			pthread_create(&th[i], NULL, held_waiter_main, &hw[i]),
			0);
	}
	test_latch_wait_arrived(&park_held, RQ);
	test_latch_open(&hold_latch);
	/* The worker runs the CAP tasks, letting every waiter in as room
	 * appears: then the run queue is empty, all of it promised.  A poll
	 * bounded by the test's timeout. */
	for (;;) {
		ls_pool_stats(p, &s);
		if (atomic_load(&r->next) == CAP && !s.busy && s.idle == 1)
			break;
		sched_yield();
	}
	ck_assert_msg(s.waiting == 0 && s.depth == 0,
		      "%u submitters still wait, %u tasks queued: the takes "
		      "no longer let every waiter in (choose CAP again)",
		      s.waiting, s.depth);
	last = rec_make(&a[T], 0);
	ck_assert_int_eq(ls_pool_submit(p, &last, NULL), 0);
	pool_intake_exit_hook = exit_wait_seen;
	ck_assert_int_eq(pthread_create(&stopper, NULL, stopper_main, &st), 0);
	/* The stop is waiting for the pool to be gone, the task still in the
	 * intake, untold. */
	test_latch_wait_arrived(&hook_exit, 1);
	rec_check_untold(r, T);
	test_latch_open(&park_go);
	for (i = 0; i < RQ; i++) {
		unsigned k = CAP + 1 + i;

		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(hw[i].rc, -ESHUTDOWN);
		rec_check_untold(r, k);
	}
	ck_assert_int_eq(pthread_join(stopper, NULL), 0);
	ck_assert_int_eq(st.rc, 0);
	rec_check_told_once(r, T, drain);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.depth, 0);
	ck_assert_uint_eq(s.submitted, 1 + CAP + 1);
	ck_assert_uint_eq(s.rejected, RQ);
	ck_assert_uint_eq(s.submitted, s.completed + s.failed + s.dropped);
	pool_intake_exit_hook = NULL;
	ls_pool_destroy(p);
	ls_group_destroy(g);
	thread_park_test_hook = NULL;
	test_latch_destroy(&hold_latch);
	test_latch_destroy(&park_held);
	test_latch_destroy(&park_go);
	test_latch_destroy(&hook_exit);
	rec_free(r);
}
END_TEST

/*
 * A waiting submitter is let in only after the intake's tasks: with the
 * worker held, the run queue and the intake full and one more submit
 * waiting for room, the worker's first take makes room that the intake's
 * tasks fill before the waiter's.  Task 1, the first of that take, holds
 * the worker again while the test looks: the waiter still waits (the
 * take let nobody in); then every task runs in submission order.
 */
START_TEST(test_admit_after_intake)
{
	enum { CAP = 32, N = CAP + 2 };	/* the hold, CAP queued, a waiter */
	struct ls_group *g = group_new(NULL);
	struct ls_pool *p = intake_pool_new(g, 1, CAP);
	struct test_latch first, second;
	struct ls_task hold = { .fn = hold_task, .arg = &first };
	struct ls_task hold_again = { .fn = hold_task, .arg = &second };
	struct rec *r = rec_new(N);
	struct rec_arg a[N];
	struct blocked_submit b = { .p = p, .timeout_ns = LS_POOL_FOREVER };
	struct ls_pool_stats s;
	pthread_t th;
	unsigned i;

	test_latch_init(&first);
	test_latch_init(&second);
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&first, 1);
	ck_assert_int_eq(ls_pool_submit(p, &hold_again, NULL), 0);
	for (i = 2; i < N - 1; i++) {
		struct ls_task t;

		a[i] = (struct rec_arg){ .r = r, .i = i };
		t = rec_make(&a[i], 0);
		ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	}
	a[N - 1] = (struct rec_arg){ .r = r, .i = N - 1 };
	b.t = rec_make(&a[N - 1], 0);
	ck_assert_int_eq(pthread_create(&th, NULL, blocked_submit_main, &b),
			 0);
	wait_for_waiting_submitter(p, 1);
	test_latch_open(&first);
	test_latch_wait_arrived(&second, 1);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.waiting, 1);
	ck_assert_uint_eq(s.depth + s.busy, CAP);	/* none let in */
	test_latch_open(&second);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(b.rc, 0);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_uint_eq(atomic_load(&r->next), N - 2);
	for (i = 0; i < N - 2; i++)
		ck_assert_uint_eq(r->order[i], i + 2);
	ls_pool_destroy(p);
	ls_group_destroy(g);
	test_latch_destroy(&first);
	test_latch_destroy(&second);
	rec_free(r);
}
END_TEST

/* How a race round stops the pool. */
enum stop_how { STOP_DRAIN, STOP_NOW, STOP_CANCEL, STOP_HOWS };

/*
 * Submitters race a stop: a drain, a stop now, a group cancel.  Every
 * submit that returned 0 gets exactly one callback (on_done after its
 * one run; or, unless draining, on_error -ECANCELED without a run), every
 * refused one (-EAGAIN, -ESHUTDOWN, -ECANCELED) neither; a drain runs
 * every accepted task.  The stop comes after a seeded number of yields,
 * so rounds catch the submitters at different points.
 */
START_TEST(test_stop_race)
{
	enum stop_how how = (enum stop_how)_i;
	unsigned rounds = (unsigned)test_size("POOL_INTAKE_ROUNDS", 60, 15);
	unsigned per = 400, n = SUBMITTERS * per, round, i, y;

	for (round = 0; round < rounds; round++) {
		struct ls_group *g = group_new(NULL);
		struct ls_pool *p = intake_pool_new(g, 2, 32);
		struct rec *r = rec_new(n);
		int *rc = calloc(n, sizeof(*rc));
		struct submitter s[SUBMITTERS];
		uint64_t seed = pool_seed ^ (round * 0x9e3779b97f4a7c15ull);

		ck_assert_ptr_nonnull(rc);
		submitters_start(s, p, r, rc, per, false);
		for (y = (unsigned)(test_rng_next(&seed) % 400); y; y--)
			sched_yield();
		if (how == STOP_CANCEL)
			ls_group_cancel(g);
		else
			ck_assert_int_eq(ls_pool_shutdown(p,
							  how == STOP_DRAIN
								  ? LS_POOL_DRAIN
								  : LS_POOL_NOW,
							  NULL),
					 0);
		submitters_join(s);
		ls_pool_destroy(p);
		ls_group_destroy(g);
		submitters_free(s);
		for (i = 0; i < n; i++) {
			bool ran = r->runs[i] != 0;

			if (rc[i]) {
				ck_assert_msg(rc[i] == -EAGAIN ||
						      rc[i] == -ESHUTDOWN ||
						      rc[i] == -ECANCELED,
					      "task %u: submit gave %d", i,
					      rc[i]);
				rec_check_untold(r, i);
				continue;
			}
			ck_assert_msg(ran || how != STOP_DRAIN,
				      "task %u accepted, not run by a drain",
				      i);
			rec_check_told_once(r, i, ran);
		}
		free(rc);
		rec_free(r);
	}
}
END_TEST

static Suite *
pool_intake_suite(void)
{
	Suite *s = suite_create("pool_intake");
	TCase *tc;

	tc = tcase_create("intake");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_capacity_exact);
	tcase_add_test(tc, test_order_per_submitter);
	tcase_add_test(tc, test_wait_idle);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_admit_after_intake);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop race");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_stop_in_window, 0, 2);
	tcase_add_test(tc, test_stop_in_window_events);
	tcase_add_test(tc, test_locked_submit_keeps_order);
	tcase_add_loop_test(tc, test_flush_gives_up_when_stopped, 0, 2);
	tcase_add_loop_test(tc, test_room_given_back_when_stopped, 0, 2);
	tcase_add_test(tc, test_shutdown_from_settle_callback);
	tcase_add_test(tc, test_shutdown_callbacks_nest_across_pools);
	tcase_add_test(tc, test_callback_shutdown_woken_by_worker);
	tcase_add_test(tc, test_timed_submit_behind_held_place);
	tcase_add_loop_test(tc, test_stop_race, 0, STOP_HOWS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	pool_seed_init("check_pool_intake");
	return test_run_suite(pool_intake_suite());
}
