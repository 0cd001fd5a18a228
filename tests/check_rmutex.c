/*
 * check_rmutex.c - Check suite for the recursive option of the engine's
 * mutex (ls_mutex_create_recursive).
 *
 * Depth semantics with every way in (lock, trylock, timedlock), the depth
 * limit, a plain mutex still refusing a relock, the exact events (one
 * LOCK_ACQUIRED, LOCK_DEPTH for each level in between, one LOCK_RELEASED),
 * another thread stepped against an owner two deep (its probe names the
 * owner until the last unlock, and only the last unlock hands it over), a
 * relock that is no hierarchy violation, cancellation of a waiter while
 * the owner unwinds its levels, and a seeded stress of random nesting,
 * folded as the model will (one owner, depth moving one level at a time,
 * released only from the first level).
 *
 * Sizes: LS_RMUTEX_THREADS, LS_RMUTEX_ITERS.  LS_SEED=n replays the random
 * timing of a failure (every failure prints its seed).
 */
#include "config.h"

#include "lockstep/mutex.h"

#include <errno.h>
#include <stdlib.h>

#include "control/control.h"
#include "primutil.h"

START_TEST(test_depth)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_mutex *m;
	static const struct prim_ev want[] = {
		{ LS_EV_LOCK_ACQUIRED, 0, 0 },
		{ LS_EV_LOCK_DEPTH, 2, 1 },
		{ LS_EV_LOCK_DEPTH, 3, 1 },
		{ LS_EV_LOCK_DEPTH, 4, 1 },
		{ LS_EV_LOCK_DEPTH, 3, 0 },
		{ LS_EV_LOCK_DEPTH, 2, 0 },
		{ LS_EV_LOCK_DEPTH, 1, 0 },
		{ LS_EV_LOCK_RELEASED, PRIM_ANY, 0 },
		{ LS_EV_ERROR, LS_ERR_NOT_OWNER, 0 },
	};

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_mutex_create_recursive(r, "rm", &m), 0);
	ck_assert_uint_eq(ls_mutex_depth(m), 0);
	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_mutex_trylock(m), 0);
	ck_assert_int_eq(ls_mutex_timedlock(m, 0), 0);
	ck_assert_uint_eq(ls_mutex_depth(m), 4);
	ck_assert_uint_eq(ls_mutex_owner(m), ls_lane_tid(lane));
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert_uint_eq(ls_mutex_depth(m), 1);
	ck_assert(ls_mutex_held(m));
	ck_assert_uint_eq(ls_mutex_owner(m), ls_lane_tid(lane));
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert(!ls_mutex_held(m));
	ck_assert_uint_eq(ls_mutex_owner(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), -EPERM);
	prim_expect_lane(r, lane, ls_mutex_id(m), want,
			 sizeof(want) / sizeof(want[0]));
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
}
END_TEST

START_TEST(test_plain_refuses)
{
	struct ls_mutex *m;

	ck_assert_int_eq(ls_mutex_create(NULL, "m", &m), 0);
	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_mutex_lock(m), -EDEADLK);
	ck_assert_int_eq(ls_mutex_trylock(m), -EDEADLK);
	ck_assert_int_eq(ls_mutex_timedlock(m, PRIM_MS), -EDEADLK);
	ck_assert_uint_eq(ls_mutex_depth(m), 1);
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert_uint_eq(ls_mutex_depth(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), -EPERM);
	ls_mutex_destroy(m);
}
END_TEST

START_TEST(test_max_depth)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_event ev[64];
	struct ls_lane *lane;
	struct ls_mutex *m;
	unsigned k;
	const struct prim_ev want[] = {
		{ LS_EV_ERROR, LS_ERR_TOO_DEEP, LS_MUTEX_MAX_DEPTH },
	};

	ck_assert_int_eq(ls_mutex_create_recursive(r, "rm", &m), 0);
	for (k = 0; k < LS_MUTEX_MAX_DEPTH; k++)
		ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_uint_eq(ls_mutex_depth(m), LS_MUTEX_MAX_DEPTH);
	lane = test_lane_bind(r, "main");
	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_mutex_lock(m), -EAGAIN);
	ck_assert_int_eq(ls_mutex_trylock(m), -EAGAIN);
	test_lane_unbind(lane);
	ck_assert_uint_eq(ls_mutex_depth(m), LS_MUTEX_MAX_DEPTH);
	for (k = 0; k < LS_MUTEX_MAX_DEPTH; k++)
		ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), -EPERM);
	ck_assert_uint_eq(test_drain_all(r, ev, 64), 2);
	prim_expect(ev, 1, ls_mutex_id(m), want, 1);
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
}
END_TEST

/* What a stepped thread does to a recursive mutex: lock it depth times,
 * then unlock as often. */
struct nest {
	struct ls_mutex *m;
	unsigned depth;
	atomic_int errors;
};

static int
op_nest(void *obj, unsigned i)
{
	struct nest *ns = obj;
	unsigned k;
	int rc;

	(void)i;
	for (k = 0; k < ns->depth; k++)
		if ((rc = ls_mutex_lock(ns->m)))
			return rc;
	for (k = 0; k < ns->depth; k++)
		if ((rc = ls_mutex_unlock(ns->m)))
			return rc;
	return 0;
}

/*
 * Stepped: A takes the mutex two deep; B's probe names A as the holder all
 * along, and B stays blocked through A's inner unlock; only A's last
 * unlock hands it over.  The events show one owner at a time.
 */
START_TEST(test_stepped_other_waits)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct nest two = { .depth = 2 }, one = { .depth = 1 };
	struct prim_run ra, rb;
	struct ls_event ev[256];
	struct ls_group *g;
	unsigned a, holder = 0;
	uint32_t id;
	size_t n;
	struct control ctl;

	ck_assert_int_eq(ls_mutex_create_recursive(r, "rm", &two.m), 0);
	one.m = two.m;
	id = ls_mutex_id(two.m);
	prim_run_init(&ra, op_nest, &two);
	prim_run_init(&rb, op_nest, &one);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &ra, 0, "A");
	prim_spawn(g, &rb, 0, "B");
	a = prim_view(&ctl, "A").tid;
	prim_step(&ctl, "A");
	/* Held by A: A's relock goes through, B's lock would wait for A. */
	prim_assert_parked(&ctl, "A", LS_EV_LOCK_ACQUIRED, id, true, 0);
	prim_assert_parked(&ctl, "B", LS_EV_LOCK_ACQUIRED, id, false, a);
	prim_step(&ctl, "A");
	prim_step(&ctl, "B");
	prim_assert_blocked(&ctl, "B", id);
	prim_step(&ctl, "A");		/* inner unlock */
	prim_assert_blocked(&ctl, "B", id);
	ck_assert_uint_eq(ls_mutex_owner(two.m), a);
	prim_step(&ctl, "A");		/* last unlock: hand-off */
	prim_assert_parked(&ctl, "B", LS_EV_LOCK_RELEASED, id, true, 0);
	ck_assert_uint_eq(ls_mutex_owner(two.m), prim_view(&ctl, "B").tid);
	control_resume(&ctl);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&ra, 0), 0);
	ck_assert_int_eq(prim_rc(&rb, 0), 0);
	n = test_drain_all(r, ev, 256);
	ck_assert_int_eq(prim_owner_fold(&holder, ev, n, id), -1);
	ck_assert_uint_eq(holder, 0);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_RELEASED, id), 2);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_DEPTH, id), 2);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_mutex_destroy(two.m);
	ls_ring_destroy(r);
}
END_TEST

/* Relocking a leveled recursive mutex under a higher level is no order
 * violation (it cannot wait); it stays counted as held after an inner
 * unlock, so a real violation after that is still reported. */
START_TEST(test_hierarchy)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_mutex *low, *high, *other;
	struct ls_event ev[64];
	size_t n, i, errs = 0;

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_mutex_create_recursive(r, "low", &low), 0);
	ck_assert_int_eq(ls_mutex_create(r, "high", &high), 0);
	ck_assert_int_eq(ls_mutex_create(r, "other", &other), 0);
	ls_mutex_set_level(low, 1);
	ls_mutex_set_level(high, 2);
	ls_mutex_set_level(other, 1);
	ck_assert_int_eq(ls_mutex_lock(low), 0);
	ck_assert_int_eq(ls_mutex_lock(high), 0);
	ck_assert_int_eq(ls_mutex_lock(low), 0);	/* no violation */
	ck_assert_int_eq(ls_mutex_unlock(low), 0);
	ck_assert_int_eq(ls_mutex_unlock(high), 0);
	/* low is still held: other (level 1) under nothing higher. */
	ck_assert_int_eq(ls_mutex_lock(other), 0);
	ck_assert_int_eq(ls_mutex_unlock(other), 0);
	ck_assert_int_eq(ls_mutex_lock(high), 0);
	ck_assert_int_eq(ls_mutex_lock(other), 0);	/* violation */
	ck_assert_int_eq(ls_mutex_unlock(other), 0);
	ck_assert_int_eq(ls_mutex_unlock(high), 0);
	ck_assert_int_eq(ls_mutex_unlock(low), 0);
	test_lane_unbind(lane);
	n = test_drain_all(r, ev, 64);
	for (i = 0; i < n; i++)
		if (ev[i].kind == LS_EV_ERROR) {
			ck_assert_uint_eq(ev[i].arg, LS_ERR_HIERARCHY);
			ck_assert_uint_eq(ev[i].obj, ls_mutex_id(other));
			errs++;
		}
	ck_assert_uint_eq(errs, 1);
	ls_mutex_destroy(low);
	ls_mutex_destroy(high);
	ls_mutex_destroy(other);
	ls_ring_destroy(r);
}
END_TEST

/* The owner, two deep, is cancelled with a waiter queued: the waiter gets
 * -ECANCELED, the owner's two unlocks still work, nothing is left. */
struct unwind {
	struct ls_mutex *m;
	atomic_bool took;
	atomic_int rc_unlock[2];
};

static void
unwind_owner(void *p)
{
	struct unwind *u = p;

	if (ls_mutex_lock(u->m) || ls_mutex_lock(u->m))
		return;
	atomic_store(&u->took, true);
	(void)test_wait_until(test_cancelled, NULL, PRIM_LIMIT_NS);
	atomic_store(&u->rc_unlock[0], ls_mutex_unlock(u->m));
	atomic_store(&u->rc_unlock[1], ls_mutex_unlock(u->m));
}

START_TEST(test_cancel_unwind)
{
	struct ls_ring *r = test_ring_new(256, 8);
	unsigned before = test_task_baseline();
	struct nest one = { .depth = 1 };
	struct unwind u = { 0 };
	struct prim_run rw;
	struct ls_group *g;
	struct control ctl;

	ck_assert_int_eq(ls_mutex_create_recursive(r, "rm", &u.m), 0);
	one.m = u.m;
	atomic_init(&u.rc_unlock[0], 1);
	atomic_init(&u.rc_unlock[1], 1);
	prim_run_init(&rw, op_nest, &one);
	g = prim_group_attached(r, "g", &ctl);
	ck_assert_int_eq(ls_thread_spawn(g, "owner", unwind_owner, &u), 0);
	ck_assert(test_wait_until(test_flag_set, &u.took, PRIM_LIMIT_NS));
	prim_spawn(g, &rw, 0, "waiter");
	prim_wait_blocked(&ctl, ls_mutex_id(u.m), 1);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(atomic_load(&u.rc_unlock[0]), 0);
	ck_assert_int_eq(atomic_load(&u.rc_unlock[1]), 0);
	/* The waiter was cancelled, or (a grant beats a cancel) got the
	 * mutex at the last unlock and gave it back. */
	ck_assert(prim_rc(&rw, 0) == -ECANCELED || prim_rc(&rw, 0) == 0);
	ck_assert_uint_eq(ls_mutex_owner(u.m), 0);
	ck_assert_uint_eq(ls_mutex_waiters(u.m), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	test_tasks_back_to(before);
	ls_mutex_destroy(u.m);
	ls_ring_destroy(r);
}
END_TEST

/* Stress: random nesting, each level entered by lock, trylock (retried
 * with timedlock) or timedlock; a plain counter bumped at every level. */
struct nester {
	struct ls_mutex *m;
	unsigned long iters;
	uint64_t seed;
	unsigned long value;	/* plain: only m guards it */
	atomic_ulong levels;
	atomic_int inside;
	atomic_int overlap;
	atomic_int errors;
};

static int
nester_enter(struct nester *ns, uint64_t *rng)
{
	int rc;

	switch (test_rng_next(rng) % 3) {
	case 0:
		return ls_mutex_lock(ns->m);
	case 1:
		rc = ls_mutex_trylock(ns->m);
		while (rc == -EBUSY || rc == -ETIMEDOUT)
			rc = ls_mutex_timedlock(ns->m, 200000);
		return rc;
	default:
		while ((rc = ls_mutex_timedlock(ns->m, 200000)) == -ETIMEDOUT)
			;
		return rc;
	}
}

static void
nester_main(void *p)
{
	struct prim_member *a = p;
	struct nester *ns = a->state;
	uint64_t rng = prim_rng(ns->seed, a->i);
	unsigned long k, v;
	unsigned depth, d;

	for (k = 0; k < ns->iters; k++) {
		test_jitter(&rng);
		depth = 1 + (unsigned)(test_rng_next(&rng) % 4);
		for (d = 0; d < depth; d++) {
			if (nester_enter(ns, &rng)) {
				atomic_fetch_add(&ns->errors, 1);
				return;
			}
			if (d == 0 && atomic_fetch_add(&ns->inside, 1))
				atomic_fetch_add(&ns->overlap, 1);
			v = ns->value;
			test_jitter(&rng);
			ns->value = v + 1;
			atomic_fetch_add(&ns->levels, 1);
		}
		if (ls_mutex_depth(ns->m) != depth)
			atomic_fetch_add(&ns->errors, 1);
		for (d = depth; d-- > 0;) {
			if (d == 0)
				atomic_fetch_sub(&ns->inside, 1);
			if (ls_mutex_unlock(ns->m))
				atomic_fetch_add(&ns->errors, 1);
		}
	}
}

/* The depth as the model will fold it: LOCK_DEPTH only from the holder,
 * one level at a time; released only from the first level. */
struct depth_fold {
	uint32_t id;
	unsigned holder;
	unsigned depth;
};

static long
depth_fold(void *state, const struct ls_event *ev, size_t n)
{
	struct depth_fold *f = state;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];

		if (e->obj != f->id)
			continue;
		if (e->kind == LS_EV_LOCK_ACQUIRED) {
			f->depth = 1;
		} else if (e->kind == LS_EV_LOCK_DEPTH) {
			if (e->tid != f->holder ||
			    e->arg != (e->aux ? f->depth + 1 : f->depth - 1))
				return (long)i;
			f->depth = (unsigned)e->arg;
		} else if (e->kind == LS_EV_LOCK_RELEASED && f->depth != 1) {
			return (long)i;
		}
		if (prim_owner_fold(&f->holder, e, 1, f->id) >= 0)
			return (long)i;
	}
	return -1;
}

START_TEST(test_stress)
{
	unsigned nthreads = (unsigned)test_size("LS_RMUTEX_THREADS", 8, 4);
	unsigned long iters = test_size("LS_RMUTEX_ITERS", 3000, 400);
	uint64_t seed = test_env_seed("LS_SEED");
	unsigned before = test_task_baseline(), lane_events = 64;
	struct nester ns = { .iters = iters, .seed = seed };
	struct prim_member args[PRIM_MAX];
	struct ls_event bad_ev = { 0 };
	struct depth_fold f = { 0 };
	struct ls_ring *r;
	struct ls_group *g;
	long bad;

	if (nthreads > PRIM_MAX)
		nthreads = PRIM_MAX;
	while (lane_events < 4 * iters)
		lane_events *= 2;
	r = test_ring_new(lane_events, PRIM_MAX + 4);
	ck_assert_int_eq(ls_mutex_create_recursive(r, "rm", &ns.m), 0);
	f.id = ls_mutex_id(ns.m);
	atomic_init(&ns.levels, 0);
	atomic_init(&ns.inside, 0);
	atomic_init(&ns.overlap, 0);
	atomic_init(&ns.errors, 0);
	ck_assert_int_eq(ls_group_create(r, "g", &g), 0);
	prim_spawn_all(g, "T", nester_main, &ns, args, nthreads);
	bad = prim_drain_fold(r, g, depth_fold, &f, NULL, NULL, &bad_ev);
	ck_assert_msg(bad < 0 && atomic_load(&ns.overlap) == 0 &&
			      atomic_load(&ns.errors) == 0 &&
			      ns.value == atomic_load(&ns.levels),
		      "%s by T%u breaks the fold, overlap %d, errors %d, "
		      "value %lu of %lu (LS_SEED=%" PRIu64 ")",
		      bad < 0 ? "no event" : ls_event_kind_name(bad_ev.kind),
		      bad_ev.tid, atomic_load(&ns.overlap),
		      atomic_load(&ns.errors), ns.value,
		      atomic_load(&ns.levels), seed);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ck_assert_uint_eq(f.holder, 0);
	ck_assert_uint_eq(ls_mutex_owner(ns.m), 0);
	ck_assert_uint_eq(ls_mutex_waiters(ns.m), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(ns.m);
	ls_ring_destroy(r);
	test_tasks_back_to(before);
}
END_TEST

static Suite *
rmutex_suite(void)
{
	Suite *s = suite_create("rmutex");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_plain_refuses);
	tcase_add_test(tc, test_max_depth);
	tcase_add_test(tc, test_hierarchy);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stepped_other_waits);
	tcase_add_test(tc, test_cancel_unwind);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stress);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(rmutex_suite());
}
