/*
 * check_resetevent.c - Check suite for the engine's manual- and auto-reset
 * events.
 *
 * Semantics of both modes (a manual set stays until reset and releases
 * everyone; an auto set releases exactly one waiter, or stays for exactly
 * one wait, and does not count), the exact events, FIFO order of auto
 * sets, the gate probe of a wait, cancellation (waiters unwound, a
 * cancelled waiter skipped by the set that races its cancel, a set at a
 * cancelled gate still done, a reset refused), timed waits held by a
 * stepping controller, and two seeded stresses folded as the model will:
 * an auto-reset event used as a lock (a plain counter must come out exact
 * and nobody may be inside twice), and a manual one under a random mix of
 * set, reset and waits.
 *
 * Sizes: LS_RE_THREADS, LS_RE_ITERS, LS_RE_ROUNDS, LS_RE_RACES.  LS_SEED=n
 * replays the random timing of a failure (every stress failure prints its
 * seed).
 */
#include "config.h"

#include "lockstep/resetevent.h"

#include <errno.h>
#include <stdlib.h>

#include "control/control.h"
#include "primutil.h"

static int
op_wait(void *obj, unsigned i)
{
	/* Odd members use a far deadline: both kinds must behave alike. */
	if (i & 1)
		return ls_resetevent_timedwait(obj, 3600ull * 1000000000u);
	return ls_resetevent_wait(obj);
}

static int
op_set(void *obj, unsigned i)
{
	(void)i;
	return ls_resetevent_set(obj);
}

static int
op_reset(void *obj, unsigned i)
{
	(void)i;
	return ls_resetevent_reset(obj);
}

static int
op_timed(void *obj, unsigned i)
{
	(void)i;
	return ls_resetevent_timedwait(obj, 5 * PRIM_MS);
}

static struct ls_resetevent *
event_new(struct ls_ring *r, enum ls_resetevent_mode mode, bool set)
{
	struct ls_resetevent *e = NULL;

	ck_assert_int_eq(ls_resetevent_create(r, "e", mode, set, &e), 0);
	return e;
}

START_TEST(test_manual)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_resetevent *e = NULL;
	char name[LS_NAME_MAX + 1];
	unsigned kind;

	ck_assert_int_eq(ls_resetevent_create(r, "bad", 7, false, &e),
			 -EINVAL);
	ck_assert_ptr_null(e);
	e = event_new(r, LS_RESETEVENT_MANUAL, false);
	ck_assert_int_eq(ls_ring_object_info(r, ls_resetevent_id(e), &kind,
					     name, sizeof(name)),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_EVENT_MANUAL);
	ck_assert_str_eq(ls_obj_kind_name(kind), "manual event");
	ck_assert(!ls_resetevent_is_set(e));
	ck_assert_int_eq(ls_resetevent_timedwait(e, PRIM_MS), -ETIMEDOUT);
	ck_assert_int_eq(ls_resetevent_timedwait(e, 0), -ETIMEDOUT);
	ck_assert_uint_eq(ls_resetevent_waiters(e), 0);
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert(ls_resetevent_is_set(e));
	/* Stays set for every wait, until reset. */
	ck_assert_int_eq(ls_resetevent_wait(e), 0);
	ck_assert_int_eq(ls_resetevent_wait(e), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(e, 0), 0);
	ck_assert(ls_resetevent_is_set(e));
	ck_assert_int_eq(ls_resetevent_reset(e), 0);
	ck_assert(!ls_resetevent_is_set(e));
	ck_assert_int_eq(ls_resetevent_reset(e), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(e, PRIM_MS), -ETIMEDOUT);
	ls_resetevent_destroy(e);
	ls_resetevent_destroy(NULL);

	/* Initially set, unnamed. */
	e = event_new(NULL, LS_RESETEVENT_MANUAL, true);
	ck_assert_uint_eq(ls_resetevent_id(e), 0);
	ck_assert_int_eq(ls_resetevent_wait(e), 0);
	ck_assert_int_eq(ls_resetevent_wait(e), 0);
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_auto)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_resetevent *e = event_new(r, LS_RESETEVENT_AUTO, false);
	unsigned kind;

	ck_assert_int_eq(ls_ring_object_info(r, ls_resetevent_id(e), &kind,
					     NULL, 0),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_EVENT_AUTO);
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert(ls_resetevent_is_set(e));
	/* One wait takes it... */
	ck_assert_int_eq(ls_resetevent_wait(e), 0);
	ck_assert(!ls_resetevent_is_set(e));
	/* ... and the next does not get it. */
	ck_assert_int_eq(ls_resetevent_timedwait(e, PRIM_MS), -ETIMEDOUT);
	/* Two sets with nobody waiting are one. */
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(e, 0), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(e, 0), -ETIMEDOUT);
	/* Reset takes a set back. */
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert_int_eq(ls_resetevent_reset(e), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(e, 0), -ETIMEDOUT);
	ls_resetevent_destroy(e);

	e = event_new(NULL, LS_RESETEVENT_AUTO, true);
	ck_assert_int_eq(ls_resetevent_wait(e), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(e, 0), -ETIMEDOUT);
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

/* The events of one thread, for each mode. */
START_TEST(test_events)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_resetevent *m = event_new(r, LS_RESETEVENT_MANUAL, false);
	struct ls_resetevent *a = event_new(r, LS_RESETEVENT_AUTO, false);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_event ev[64];
	size_t n;
	static const struct prim_ev want_m[] = {
		{ LS_EV_RE_WAIT, 0, 1 },
		{ LS_EV_RE_TIMEOUT, 0, 0 },
		{ LS_EV_RE_SET, 1, 0 },
		{ LS_EV_RE_PASSED, 1, 0 },
		{ LS_EV_RE_RESET, 0, 1 },
		{ LS_EV_RE_RESET, 0, 0 },
	};
	static const struct prim_ev want_a[] = {
		{ LS_EV_RE_SET, 1, 0 },
		{ LS_EV_RE_SET, 1, 0 },
		{ LS_EV_RE_PASSED, 0, 0 },
		{ LS_EV_RE_WAIT, 0, 1 },
		{ LS_EV_RE_TIMEOUT, 0, 0 },
	};

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_resetevent_timedwait(m, 1000), -ETIMEDOUT);
	ck_assert_int_eq(ls_resetevent_set(m), 0);
	ck_assert_int_eq(ls_resetevent_wait(m), 0);
	ck_assert_int_eq(ls_resetevent_reset(m), 0);
	ck_assert_int_eq(ls_resetevent_reset(m), 0);
	ck_assert_int_eq(ls_resetevent_set(a), 0);
	ck_assert_int_eq(ls_resetevent_set(a), 0);
	ck_assert_int_eq(ls_resetevent_wait(a), 0);
	ck_assert_int_eq(ls_resetevent_timedwait(a, 1000), -ETIMEDOUT);
	test_lane_unbind(lane);
	n = test_drain_all(r, ev, 64);
	prim_expect(ev, n, ls_resetevent_id(m), want_m,
		    sizeof(want_m) / sizeof(want_m[0]));
	prim_expect(ev, n, ls_resetevent_id(a), want_a,
		    sizeof(want_a) / sizeof(want_a[0]));
	ls_resetevent_destroy(m);
	ls_resetevent_destroy(a);
	ls_ring_destroy(r);
}
END_TEST

/* A manual set releases every waiter at once and stays set. */
START_TEST(test_manual_releases_all)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_resetevent *e = event_new(r, LS_RESETEVENT_MANUAL, false);
	struct ls_lane *lane = test_lane_bind(r, "main");
	uint32_t id = ls_resetevent_id(e);
	struct ls_event ev[256];
	struct prim_run run;
	struct ls_group *g;
	unsigned i;
	size_t n;
	struct control ctl;

	ck_assert_ptr_nonnull(lane);
	prim_run_init(&run, op_wait, e);
	g = prim_group_attached(r, "g", &ctl);
	for (i = 0; i < k; i++) {
		prim_spawn(g, &run, i, "W");
		prim_wait_blocked(&ctl, id, i + 1);
	}
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert_uint_eq(ls_resetevent_waiters(e), 0);
	ck_assert(ls_resetevent_is_set(e));
	prim_wait_done(&run, k);
	/* Still set: a late waiter goes through. */
	prim_spawn(g, &run, k, "late");
	prim_wait_done(&run, k + 1);
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i <= k; i++)
		ck_assert_int_eq(prim_rc(&run, i), 0);
	test_lane_unbind(lane);
	n = test_drain_all(r, ev, 256);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_RE_WAIT, id), k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_RE_PASSED, id), k + 1);
	for (i = 0; i < n; i++)
		if (ev[i].kind == LS_EV_RE_SET)
			ck_assert_uint_eq(ev[i].aux, k);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

/* Auto sets release one waiter each, oldest first, and never leave the
 * event set while someone waits (a late waiter cannot barge in). */
START_TEST(test_auto_fifo)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_resetevent *e = event_new(r, LS_RESETEVENT_AUTO, false);
	uint32_t id = ls_resetevent_id(e);
	struct prim_run run;
	struct ls_group *g;
	unsigned i;
	struct control ctl;

	prim_run_init(&run, op_wait, e);
	g = prim_group_attached(r, "g", &ctl);
	for (i = 0; i < k; i++) {
		prim_spawn(g, &run, i, "W");
		prim_wait_blocked(&ctl, id, i + 1);
	}
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(ls_resetevent_set(e), 0);
		ck_assert(!ls_resetevent_is_set(e));
		ck_assert_uint_eq(ls_resetevent_waiters(e), k - 1 - i);
		ck_assert_int_eq(ls_resetevent_timedwait(e, 0), -ETIMEDOUT);
		prim_wait_done(&run, i + 1);
		ck_assert_uint_eq(atomic_load(&run.order[i]), i);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++)
		ck_assert_int_eq(prim_rc(&run, i), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

/* Probes, in each mode (_i): a wait on an event not set would block; a
 * set never does; after an auto set consumed by one waiter, the next
 * waiter's probe says it would block again. */
START_TEST(test_probe)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_resetevent *e = event_new(r, _i, false);
	uint32_t id = ls_resetevent_id(e);
	struct prim_run waits, sets;
	struct ls_group *g;
	struct control ctl;

	prim_run_init(&waits, op_wait, e);
	prim_run_init(&sets, op_set, e);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &waits, 0, "w1");
	prim_spawn(g, &waits, 2, "w2");
	prim_spawn(g, &sets, 0, "setter");
	prim_assert_parked(&ctl, "w1", LS_EV_RE_PASSED, id, false, 0);
	prim_assert_parked(&ctl, "setter", LS_EV_RE_SET, id, true, 0);
	prim_step(&ctl, "w1");
	prim_assert_blocked(&ctl, "w1", id);
	prim_step(&ctl, "setter");
	prim_assert_parked(&ctl, "w1", LS_EV_MARK, 0, true, 0);
	ck_assert_int_eq(prim_rc(&waits, 0), 0);
	/* Manual: still set, w2 goes through; auto: used up. */
	prim_assert_parked(&ctl, "w2", LS_EV_RE_PASSED, id,
			   _i == LS_RESETEVENT_MANUAL, 0);
	control_resume(&ctl);
	if (_i == LS_RESETEVENT_AUTO) {
		prim_wait_blocked(&ctl, id, 1);
		ck_assert_int_eq(ls_resetevent_set(e), 0);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&waits, 2), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

/* In each mode (_i & 1), k waiters cancelled (_i < 2), or one timed
 * wait held by a stepping controller until it fires it: either way the
 * event is left as it was, and a set then stays for nobody took it. */
START_TEST(test_waits_unwound)
{
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_resetevent *e = event_new(r, _i & 1, false);

	if (_i < 2)
		prim_cancel_waiters(r, op_wait, e, ls_resetevent_id(e), 6);
	else
		prim_timed_held(r, op_timed, e, ls_resetevent_id(e), 1);
	ck_assert_uint_eq(ls_resetevent_waiters(e), 0);
	ck_assert(!ls_resetevent_is_set(e));
	ck_assert_int_eq(ls_resetevent_set(e), 0);
	ck_assert(ls_resetevent_is_set(e));
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

/*
 * An auto set that races a cancel: waiter A (group ga) queued before B
 * (group gb); ga is cancelled and the event set at once.  Whether A has
 * left the queue yet or not, the set goes to B, never to A: A returns
 * -ECANCELED, B 0, and the event is not left set.  Repeated, so both
 * sides of the race are met.
 */
START_TEST(test_cancelled_waiter_skipped)
{
	unsigned loops = (unsigned)test_size("LS_RE_RACES", 200, 40), k;
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_event ev[64];

	for (k = 0; k < loops; k++) {
		struct ls_resetevent *e = event_new(r, LS_RESETEVENT_AUTO,
						    false);
		uint32_t id = ls_resetevent_id(e);
		struct prim_run ra, rb;
		struct ls_group *ga, *gb;
		struct control ca, cb;

		prim_run_init(&ra, op_wait, e);
		prim_run_init(&rb, op_wait, e);
		ga = prim_group_attached(r, "ga", &ca);
		gb = prim_group_attached(r, "gb", &cb);
		prim_spawn(ga, &ra, 0, "A");
		prim_wait_blocked(&ca, id, 1);
		prim_spawn(gb, &rb, 0, "B");
		prim_wait_blocked(&cb, id, 1);
		ls_group_cancel(ga);
		ck_assert_int_eq(ls_resetevent_set(e), 0);
		ck_assert_int_eq(ls_group_join(ga), 0);
		ck_assert_int_eq(ls_group_join(gb), 0);
		ck_assert_int_eq(prim_rc(&ra, 0), -ECANCELED);
		ck_assert_int_eq(prim_rc(&rb, 0), 0);
		ck_assert(!ls_resetevent_is_set(e));
		ck_assert_uint_eq(ls_resetevent_waiters(e), 0);
		control_stop(&ca);
		control_stop(&cb);
		ls_group_destroy(ga);
		ls_group_destroy(gb);
		ls_resetevent_destroy(e);
		while (test_drain_all(r, ev, 64))
			;
	}
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled while parked at their gates: a wait is refused, a set still
 * done, a reset refused (it releases nobody). */
START_TEST(test_cancel_at_gates)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_resetevent *e = event_new(r, _i, false);
	struct prim_run waits, sets, resets;
	struct ls_group *g;
	struct control ctl;

	prim_run_init(&waits, op_wait, e);
	prim_run_init(&sets, op_set, e);
	prim_run_init(&resets, op_reset, e);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &waits, 0, "waiter");
	prim_spawn(g, &sets, 0, "setter");
	prim_spawn(g, &resets, 0, "resetter");
	ck_assert_int_eq(control_settle(&ctl, PRIM_LIMIT_NS), 0);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&waits, 0), -ECANCELED);
	ck_assert_int_eq(prim_rc(&sets, 0), 0);
	ck_assert_int_eq(prim_rc(&resets, 0), -ECANCELED);
	ck_assert(ls_resetevent_is_set(e));
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_resetevent_destroy(e);
	ls_ring_destroy(r);
}
END_TEST

/*
 * Fold an event's events as the model will.  A wait queues only while it
 * is not set; a set says how many it released, and exactly that many
 * queued waiters then pass; a wait that did not queue passes only when
 * it is set, and an auto one resets it.
 */
struct re_fold {
	uint32_t id;
	bool manual;
	bool set;
	long pending;		/* released by sets, not yet passed */
	bool queued[64];	/* by tid: has an RE_WAIT outstanding */
	unsigned long passed;
};

static long
re_fold(void *state, const struct ls_event *ev, size_t n)
{
	struct re_fold *f = state;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];
		bool *q = &f->queued[e->tid % 64];

		if (e->obj != f->id)
			continue;
		switch (e->kind) {
		case LS_EV_RE_WAIT:
			if (f->set || *q)
				return (long)i;
			*q = true;
			break;
		case LS_EV_RE_PASSED:
			if (*q) {
				if (--f->pending < 0)
					return (long)i;
			} else if (!f->set ||
				   e->arg != (uint64_t)f->manual) {
				return (long)i;
			}
			*q = false;
			f->set = e->arg;
			f->passed++;
			break;
		case LS_EV_RE_TIMEOUT:
		case LS_EV_CANCELLED:
			*q = false;
			break;
		case LS_EV_RE_SET:
			if (!f->manual && e->aux > 1)
				return (long)i;
			if (e->arg != (f->manual || !e->aux))
				return (long)i;
			f->pending += e->aux;
			f->set = e->arg;
			break;
		case LS_EV_RE_RESET:
			f->set = false;
			break;
		}
	}
	return -1;
}

/* One stress run: threads on one event, its events folded meanwhile. */
struct re_run {
	struct ls_resetevent *e;
	struct ls_group *g;
	unsigned long iters;
	uint64_t seed;
	int value;		/* the lock's: plain, only the event guards it */
	atomic_int inside;
	atomic_int overlap;
	atomic_int errors;
	atomic_ulong entered;
	bool cancel;		/* the lock's: cancel the group half-way */
	struct re_fold f;	/* the test thread's */
};

/* Cancel a lock run once half of its entries are done. */
static void
re_run_tick(void *p)
{
	struct re_run *run = p;

	if (run->cancel && atomic_load(&run->entered) > run->iters)
		ls_group_cancel(run->g);
}

/* Run nthreads members of fn on a new event of mode, set or not, fold
 * its events while they run, and check what every run must show. */
static void
re_run(struct re_run *run, enum ls_resetevent_mode mode, bool set,
       void (*fn)(void *), unsigned nthreads)
{
	struct ls_event bad_ev = { 0 };
	struct prim_member args[PRIM_MAX];
	unsigned lane_events = 64;
	struct ls_ring *r;
	long bad;

	/* Room for every event of a thread: a drop would blind the fold. */
	while (lane_events < 8 * run->iters)
		lane_events *= 2;
	r = test_ring_new(lane_events, PRIM_MAX + 4);
	run->e = event_new(r, mode, set);
	run->f = (struct re_fold){
		.id = ls_resetevent_id(run->e),
		.manual = mode == LS_RESETEVENT_MANUAL,
		.set = set,
	};
	atomic_init(&run->inside, 0);
	atomic_init(&run->overlap, 0);
	atomic_init(&run->errors, 0);
	atomic_init(&run->entered, 0);
	ck_assert_int_eq(ls_group_create(r, "g", &run->g), 0);
	prim_spawn_all(run->g, "T", fn, run, args, nthreads);
	bad = prim_drain_fold(r, run->g, re_fold, &run->f, re_run_tick, run,
			      &bad_ev);
	ck_assert_msg(bad < 0 && atomic_load(&run->errors) == 0 &&
			      atomic_load(&run->overlap) == 0,
		      "%s by T%u breaks the fold, %d errors, overlap %d "
		      "(LS_SEED=%" PRIu64 ")",
		      bad < 0 ? "no event" : ls_event_kind_name(bad_ev.kind),
		      bad_ev.tid, atomic_load(&run->errors),
		      atomic_load(&run->overlap), run->seed);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ck_assert_int_eq(run->f.pending, 0);
	ck_assert_int_eq(run->f.set, ls_resetevent_is_set(run->e));
	ck_assert_uint_eq(ls_resetevent_waiters(run->e), 0);
	ls_group_destroy(run->g);
	ls_resetevent_destroy(run->e);
	ls_ring_destroy(r);
}

/* Stress 1: an auto-reset event, initially set, as a lock. */
static void
lock_worker(void *p)
{
	struct prim_member *a = p;
	struct re_run *run = a->state;
	uint64_t rng = prim_rng(run->seed, a->i);
	unsigned long k;
	int rc, v;

	for (k = 0; k < run->iters; k++) {
		test_jitter(&rng);
		if (test_rng_next(&rng) & 1)
			rc = ls_resetevent_wait(run->e);
		else
			while ((rc = ls_resetevent_timedwait(run->e, 200000)) ==
			       -ETIMEDOUT)
				;
		if (rc == -ECANCELED)
			return;
		if (rc) {
			atomic_fetch_add(&run->errors, 1);
			continue;
		}
		if (atomic_fetch_add(&run->inside, 1))
			atomic_fetch_add(&run->overlap, 1);
		v = run->value;
		test_jitter(&rng);
		run->value = v + 1;
		atomic_fetch_add(&run->entered, 1);
		atomic_fetch_sub(&run->inside, 1);
		/* The release: done even once cancelled. */
		if (ls_resetevent_set(run->e))
			atomic_fetch_add(&run->errors, 1);
	}
}

START_TEST(test_stress_auto_lock)
{
	unsigned nthreads = (unsigned)test_size("LS_RE_THREADS", 8, 4);
	unsigned long iters = test_size("LS_RE_ITERS", 2000, 300);
	unsigned long rounds = test_size("LS_RE_ROUNDS", 20, 4), k;
	uint64_t seed = test_env_seed("LS_SEED");
	unsigned before = test_task_baseline();

	if (nthreads > PRIM_MAX)
		nthreads = PRIM_MAX;
	for (k = 0; k < rounds; k++) {
		struct re_run run = {
			.iters = iters,
			.seed = seed + k,
			.cancel = k % 4 == 3,
		};

		/* Every entry gave its set back: it ends set. */
		re_run(&run, LS_RESETEVENT_AUTO, true, lock_worker, nthreads);
		ck_assert_msg((unsigned long)run.value ==
				      atomic_load(&run.entered),
			      "value %d of %lu entries (LS_SEED=%" PRIu64 ")",
			      run.value, atomic_load(&run.entered), seed + k);
		if (!run.cancel)
			ck_assert_uint_eq(run.value, nthreads * iters);
		ck_assert_uint_eq(run.f.passed, atomic_load(&run.entered));
		ck_assert(run.f.set);
	}
	test_tasks_back_to(before);
}
END_TEST

/* Stress 2: a manual event under a random mix of set, reset and waits
 * (short timed ones, which give up). */
static void
mix_worker(void *p)
{
	struct prim_member *a = p;
	struct re_run *run = a->state;
	uint64_t rng = prim_rng(run->seed, a->i);
	unsigned long k;
	int rc;

	for (k = 0; k < run->iters; k++) {
		test_jitter(&rng);
		switch (test_rng_next(&rng) % 4) {
		case 0:
			rc = ls_resetevent_set(run->e);
			break;
		case 1:
			rc = ls_resetevent_reset(run->e);
			break;
		default:
			rc = ls_resetevent_timedwait(run->e, 50000);
			if (rc == -ETIMEDOUT)
				rc = 0;
			break;
		}
		if (rc)
			atomic_fetch_add(&run->errors, 1);
	}
}

START_TEST(test_stress_manual_mix)
{
	unsigned nthreads = (unsigned)test_size("LS_RE_THREADS", 8, 4);
	struct re_run run = {
		.iters = test_size("LS_RE_ITERS", 2000, 300),
		.seed = test_env_seed("LS_SEED"),
	};

	if (nthreads > PRIM_MAX)
		nthreads = PRIM_MAX;
	re_run(&run, LS_RESETEVENT_MANUAL, false, mix_worker, nthreads);
	printf("check_resetevent mix: %lu waits passed of %u threads x %lu "
	       "(LS_SEED=%" PRIu64 ")\n",
	       run.f.passed, nthreads, run.iters, run.seed);
}
END_TEST

static Suite *
resetevent_suite(void)
{
	Suite *s = suite_create("resetevent");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_manual);
	tcase_add_test(tc, test_auto);
	tcase_add_test(tc, test_events);
	suite_add_tcase(s, tc);

	/* Loop tests run once per mode (_i: enum ls_resetevent_mode; for
	 * test_waits_unwound, _i & 1). */
	tc = tcase_create("threads");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_manual_releases_all);
	tcase_add_test(tc, test_auto_fifo);
	tcase_add_loop_test(tc, test_probe, 0, 2);
	tcase_add_loop_test(tc, test_waits_unwound, 0, 4);
	tcase_add_test(tc, test_cancelled_waiter_skipped);
	tcase_add_loop_test(tc, test_cancel_at_gates, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stress_auto_lock);
	tcase_add_test(tc, test_stress_manual_mix);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(resetevent_suite());
}
