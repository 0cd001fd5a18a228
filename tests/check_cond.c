/*
 * check_cond.c - Check suite for the engine's condition variable.
 *
 * Semantics (a signal with nobody waiting is lost; a wait without its
 * mutex is refused and reported; a timed wait comes back holding the
 * mutex), the exact events of a wait and their order against the mutex's,
 * FIFO signals, broadcast, no spurious wake-ups, a recursive mutex given
 * up whole and taken back at its depth, the re-acquisition of the mutex
 * stepped through the mutex's own gate and probe, cancellation (waiters
 * unwound without the mutex, a wait refused at its gate letting the mutex
 * go, a signal at a cancelled gate still sent, a cancelled waiter skipped
 * by the signal that races its cancel), and a timed wait held by a
 * stepping controller.  The seeded stress is check_cond_stress.c.
 *
 * Sizes: LS_COND_RACES.
 */
#include "config.h"

#include "lockstep/cond.h"

#include <errno.h>
#include <stdlib.h>

#include "control/control.h"
#include "lockstep/mutex.h"
#include "primutil.h"

/* A condition and its mutex, with what the waiters saw. */
struct cm {
	struct ls_cond *c;
	struct ls_mutex *m;
	uint64_t timeout_ns;		/* of timed waits */
	atomic_bool held[PRIM_MAX];	/* held m when the wait returned */
	atomic_uint depth[PRIM_MAX];	/* ls_mutex_depth then */
	unsigned lock_depth;		/* times each waiter locks m */
};

static void
cm_init(struct cm *cm, struct ls_ring *r, bool recursive)
{
	unsigned i;

	memset(cm, 0, sizeof(*cm));
	ck_assert_int_eq(ls_cond_create(r, "c", &cm->c), 0);
	ck_assert_int_eq(recursive ? ls_mutex_create_recursive(r, "m", &cm->m)
				   : ls_mutex_create(r, "m", &cm->m),
			 0);
	cm->lock_depth = 1;
	for (i = 0; i < PRIM_MAX; i++) {
		atomic_init(&cm->held[i], false);
		atomic_init(&cm->depth[i], 0);
	}
}

static void
cm_destroy(struct cm *cm)
{
	ck_assert_uint_eq(ls_mutex_owner(cm->m), 0);
	ls_cond_destroy(cm->c);
	ls_mutex_destroy(cm->m);
}

/* Lock m (lock_depth times), wait on c (odd members: timed, far or
 * cm->timeout_ns), note whether m came back, unlock what is held. */
static int
op_wait(void *obj, unsigned i)
{
	struct cm *cm = obj;
	unsigned k, d;
	int rc;

	for (k = 0; k < cm->lock_depth; k++)
		if ((rc = ls_mutex_lock(cm->m)))
			return rc;
	if (cm->timeout_ns)
		rc = ls_cond_timedwait(cm->c, cm->m, cm->timeout_ns);
	else if (i & 1)
		rc = ls_cond_timedwait(cm->c, cm->m, 3600ull * 1000000000u);
	else
		rc = ls_cond_wait(cm->c, cm->m);
	d = ls_mutex_depth(cm->m);
	atomic_store(&cm->held[i], d > 0);
	atomic_store(&cm->depth[i], d);
	while (d--)
		ls_mutex_unlock(cm->m);
	return rc;
}

static int
op_signal(void *obj, unsigned i)
{
	struct cm *cm = obj;

	(void)i;
	return ls_cond_signal(cm->c);
}

/* Lock m, signal, unlock: the signaller holds m while it signals. */
static int
op_lock_signal(void *obj, unsigned i)
{
	struct cm *cm = obj;
	int rc = ls_mutex_lock(cm->m);

	(void)i;
	if (rc)
		return rc;
	rc = ls_cond_signal(cm->c);
	ls_mutex_unlock(cm->m);
	return rc;
}

START_TEST(test_basics)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_cond *c;
	struct ls_mutex *m;
	unsigned kind;

	ck_assert_int_eq(ls_cond_create(r, "c", &c), 0);
	ck_assert_int_eq(ls_mutex_create(r, "m", &m), 0);
	ck_assert_int_eq(ls_ring_object_info(r, ls_cond_id(c), &kind, NULL,
					     0),
			 0);
	ck_assert_uint_eq(kind, LS_OBJ_COND);
	ck_assert_str_eq(ls_obj_kind_name(kind), "condition");
	/* Nobody waits: lost, and no error. */
	ck_assert_int_eq(ls_cond_signal(c), 0);
	ck_assert_int_eq(ls_cond_broadcast(c), 0);
	/* Without the mutex: refused. */
	ck_assert_int_eq(ls_cond_wait(c, m), -EPERM);
	ck_assert_int_eq(ls_cond_timedwait(c, m, PRIM_MS), -EPERM);
	ck_assert(!ls_mutex_held(m));
	/* A timeout comes back holding the mutex. */
	ck_assert_int_eq(ls_mutex_lock(m), 0);
	ck_assert_int_eq(ls_cond_timedwait(c, m, PRIM_MS), -ETIMEDOUT);
	ck_assert(ls_mutex_held(m));
	ck_assert_int_eq(ls_cond_timedwait(c, m, 0), -ETIMEDOUT);
	ck_assert(ls_mutex_held(m));
	ck_assert_uint_eq(ls_cond_waiters(c), 0);
	ck_assert_int_eq(ls_mutex_unlock(m), 0);
	ls_cond_destroy(c);
	ls_cond_destroy(NULL);
	ls_mutex_destroy(m);
	ck_assert_int_eq(ls_cond_create(NULL, "z", &c), 0);
	ck_assert_uint_eq(ls_cond_id(c), 0);
	ls_cond_destroy(c);
	ls_ring_destroy(r);
}
END_TEST

/* The events of one thread, on the condition and on its mutex, and the
 * mutex's release before the wait (the model's last word is the wait). */
START_TEST(test_events)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_event ev[64];
	struct ls_cond *c;
	struct ls_mutex *m;
	size_t n, i, rel = 0, wait = 0;
	uint32_t cid, mid;

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_cond_create(r, "c", &c), 0);
	ck_assert_int_eq(ls_mutex_create(r, "m", &m), 0);
	cid = ls_cond_id(c);
	mid = ls_mutex_id(m);
	{
		const struct prim_ev want_c[] = {
			{ LS_EV_CV_LOST, LS_EV_CV_SIGNAL, 0 },
			{ LS_EV_CV_LOST, LS_EV_CV_BROADCAST, 0 },
			{ LS_EV_ERROR, LS_ERR_CV_NOT_OWNER, 0 },
			{ LS_EV_CV_WAIT, mid, 1 },
			{ LS_EV_CV_TIMEOUT, PRIM_ANY, 0 },
		};
		const struct prim_ev want_m[] = {
			{ LS_EV_LOCK_ACQUIRED, 0, 0 },
			{ LS_EV_LOCK_RELEASED, PRIM_ANY, 0 },
			{ LS_EV_LOCK_ACQUIRED, 0, 0 },
			{ LS_EV_LOCK_RELEASED, PRIM_ANY, 0 },
		};

		ck_assert_int_eq(ls_cond_signal(c), 0);
		ck_assert_int_eq(ls_cond_broadcast(c), 0);
		ck_assert_int_eq(ls_cond_wait(c, m), -EPERM);
		ck_assert_int_eq(ls_mutex_lock(m), 0);
		ck_assert_int_eq(ls_cond_timedwait(c, m, 1000), -ETIMEDOUT);
		ck_assert_int_eq(ls_mutex_unlock(m), 0);
		test_lane_unbind(lane);
		n = test_drain_all(r, ev, 64);
		prim_expect(ev, n, cid, want_c,
			    sizeof(want_c) / sizeof(want_c[0]));
		prim_expect(ev, n, mid, want_m,
			    sizeof(want_m) / sizeof(want_m[0]));
	}
	for (i = 0; i < n; i++) {
		if (ev[i].kind == LS_EV_LOCK_RELEASED && !rel)
			rel = i + 1;
		if (ev[i].kind == LS_EV_CV_WAIT)
			wait = i + 1;
	}
	ck_assert_uint_gt(rel, 0);
	ck_assert_uint_gt(wait, rel);
	ls_cond_destroy(c);
	ls_mutex_destroy(m);
	ls_ring_destroy(r);
}
END_TEST

/* Signals wake waiters one at a time, oldest first, each naming it. */
START_TEST(test_signal_fifo)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_event ev[512];
	struct control_thread v[PRIM_MAX];
	unsigned tids[PRIM_MAX], i, s = 0;
	struct prim_run run;
	struct ls_group *g;
	struct cm cm;
	size_t n, j;
	struct control ctl;

	ck_assert_ptr_nonnull(lane);
	cm_init(&cm, r, false);
	prim_run_init(&run, op_wait, &cm);
	g = prim_group_attached(r, "g", &ctl);
	for (i = 0; i < k; i++) {
		prim_spawn(g, &run, i, "W");
		prim_wait_blocked(&ctl, ls_cond_id(cm.c), i + 1);
	}
	ck_assert_uint_eq(control_threads(&ctl, v, PRIM_MAX), k);
	for (i = 0; i < k; i++)
		tids[i] = v[i].tid;
	ck_assert_uint_eq(ls_mutex_owner(cm.m), 0);	/* all let it go */
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(ls_cond_signal(cm.c), 0);
		ck_assert_uint_eq(ls_cond_waiters(cm.c), k - 1 - i);
		prim_wait_done(&run, i + 1);
		ck_assert_uint_eq(atomic_load(&run.order[i]), i);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(prim_rc(&run, i), 0);
		ck_assert(atomic_load(&cm.held[i]));
	}
	test_lane_unbind(lane);
	n = test_drain_all(r, ev, 512);
	for (j = 0; j < n; j++)
		if (ev[j].kind == LS_EV_CV_SIGNAL) {
			ck_assert_uint_eq(ev[j].arg, tids[s]);
			ck_assert_uint_eq(ev[j].aux, k - 1 - s);
			s++;
		}
	ck_assert_uint_eq(s, k);
	control_stop(&ctl);
	ls_group_destroy(g);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/* A broadcast wakes everyone; each takes the mutex back in turn.  A
 * signal sent before anyone waits is lost: the waiter that comes after
 * it waits (the lost wake-up). */
START_TEST(test_broadcast_and_lost)
{
	const unsigned k = 5;
	struct ls_ring *r = test_ring_new(256, 16);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_event ev[512];
	struct prim_run run;
	struct ls_group *g;
	struct cm cm;
	uint32_t cid;
	unsigned i;
	size_t n;
	struct control ctl;

	ck_assert_ptr_nonnull(lane);
	cm_init(&cm, r, false);
	cid = ls_cond_id(cm.c);
	prim_run_init(&run, op_wait, &cm);
	g = prim_group_attached(r, "g", &ctl);
	ck_assert_int_eq(ls_cond_signal(cm.c), 0);	/* lost */
	for (i = 0; i < k; i++) {
		prim_spawn(g, &run, i, "W");
		prim_wait_blocked(&ctl, cid, i + 1);
	}
	ck_assert_uint_eq(prim_done(&run), 0);
	ck_assert_int_eq(ls_cond_broadcast(cm.c), 0);
	ck_assert_uint_eq(ls_cond_waiters(cm.c), 0);
	prim_wait_done(&run, k);
	ck_assert_int_eq(ls_group_join(g), 0);
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(prim_rc(&run, i), 0);
		ck_assert(atomic_load(&cm.held[i]));
	}
	test_lane_unbind(lane);
	n = test_drain_all(r, ev, 512);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_CV_LOST, cid), 1);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_CV_BROADCAST, cid), 1);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_CV_WOKEN, cid), k);
	/* k first locks and k re-acquisitions, each released. */
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_ACQUIRED,
					  ls_mutex_id(cm.m)),
			  2 * k);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_RELEASED,
					  ls_mutex_id(cm.m)),
			  2 * k);
	control_stop(&ctl);
	ls_group_destroy(g);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/* Nothing but a signal wakes a waiter: the mutex passing back and forth,
 * and signals on another condition, leave it waiting. */
START_TEST(test_no_spurious)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_cond *other;
	struct prim_run run;
	struct ls_group *g;
	struct cm cm;
	unsigned k;
	struct control ctl;

	cm_init(&cm, r, false);
	ck_assert_int_eq(ls_cond_create(r, "other", &other), 0);
	prim_run_init(&run, op_wait, &cm);
	g = prim_group_attached(r, "g", &ctl);
	prim_spawn(g, &run, 0, "W");
	prim_wait_blocked(&ctl, ls_cond_id(cm.c), 1);
	for (k = 0; k < 1000; k++) {
		ck_assert_int_eq(ls_mutex_lock(cm.m), 0);
		ck_assert_int_eq(ls_cond_signal(other), 0);
		ck_assert_int_eq(ls_cond_broadcast(other), 0);
		ck_assert_int_eq(ls_mutex_unlock(cm.m), 0);
	}
	ck_assert_uint_eq(prim_blocked_on(&ctl, ls_cond_id(cm.c)), 1);
	ck_assert_uint_eq(prim_done(&run), 0);
	ck_assert_int_eq(ls_cond_signal(cm.c), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&run, 0), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_cond_destroy(other);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/* A recursive mutex held three deep is given up whole by the wait (the
 * test thread can take it meanwhile) and taken back three deep. */
START_TEST(test_recursive_mutex)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_lane *lane = test_lane_bind(r, "main");
	struct ls_event ev[256];
	struct prim_run run;
	struct ls_group *g;
	struct cm cm;
	size_t n, i;
	bool restored = false;
	struct control ctl;

	ck_assert_ptr_nonnull(lane);
	cm_init(&cm, r, true);
	cm.lock_depth = 3;
	prim_run_init(&run, op_wait, &cm);
	g = prim_group_attached(r, "g", &ctl);
	prim_spawn(g, &run, 0, "W");
	prim_wait_blocked(&ctl, ls_cond_id(cm.c), 1);
	ck_assert_int_eq(ls_mutex_trylock(cm.m), 0);
	ck_assert_int_eq(ls_cond_signal(cm.c), 0);
	/* The woken waiter now waits for the mutex we hold. */
	prim_wait_blocked(&ctl, ls_mutex_id(cm.m), 1);
	ck_assert_int_eq(ls_mutex_unlock(cm.m), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&run, 0), 0);
	ck_assert_uint_eq(atomic_load(&cm.depth[0]), 3);
	test_lane_unbind(lane);
	/* One release to wait (not three), and the depth put back. */
	n = test_drain_all(r, ev, 256);
	for (i = 0; i < n; i++)
		if (ev[i].kind == LS_EV_LOCK_DEPTH && ev[i].aux == 1 &&
		    ev[i].arg == 3 && i > 0 &&
		    ev[i - 1].kind == LS_EV_LOCK_ACQUIRED)
			restored = true;
	ck_assert(restored);
	ck_assert_uint_eq(test_count_kind(ev, n, LS_EV_LOCK_RELEASED,
					  ls_mutex_id(cm.m)),
			  3);	/* the wait, the test's, the last unlock */
	control_stop(&ctl);
	ls_group_destroy(g);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/*
 * Stepped: the waiter's wait always blocks (its probe says so); the
 * signaller, holding the mutex, signals; the woken waiter is then parked
 * at the mutex's own gate, whose probe names the signaller as holder;
 * stepped anyway it blocks on the mutex; the signaller's unlock hands it
 * over.
 */
START_TEST(test_stepped_reacquire)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct prim_run waits, sigs;
	struct control_thread v;
	struct ls_group *g;
	uint32_t cid, mid;
	struct cm cm;
	struct control ctl;

	cm_init(&cm, r, false);
	cid = ls_cond_id(cm.c);
	mid = ls_mutex_id(cm.m);
	prim_run_init(&waits, op_wait, &cm);
	prim_run_init(&sigs, op_lock_signal, &cm);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &waits, 0, "waiter");
	prim_spawn(g, &sigs, 0, "signaller");
	prim_step(&ctl, "waiter");		/* lock m */
	prim_assert_parked(&ctl, "waiter", LS_EV_CV_WAIT, cid, false, 0);
	prim_step(&ctl, "waiter");		/* wait: m let go */
	prim_assert_blocked(&ctl, "waiter", cid);
	ck_assert_uint_eq(ls_mutex_owner(cm.m), 0);
	prim_step(&ctl, "signaller");		/* lock m */
	prim_assert_parked(&ctl, "signaller", LS_EV_CV_SIGNAL, cid, true, 0);
	prim_step(&ctl, "signaller");		/* signal */
	prim_assert_parked(&ctl, "waiter", LS_EV_LOCK_ACQUIRED, mid, false,
			   prim_view(&ctl, "signaller").tid);
	v = prim_view(&ctl, "waiter");
	prim_step(&ctl, "waiter");
	prim_assert_blocked(&ctl, "waiter", mid);
	prim_assert_parked(&ctl, "signaller", LS_EV_LOCK_RELEASED, mid, true,
			   0);
	prim_step(&ctl, "signaller");		/* unlock: hand-off */
	prim_assert_parked(&ctl, "waiter", LS_EV_LOCK_RELEASED, mid, true, 0);
	ck_assert_uint_eq(ls_mutex_owner(cm.m), v.tid);
	control_resume(&ctl);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&waits, 0), 0);
	ck_assert_int_eq(prim_rc(&sigs, 0), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/* A wait's probe when the waiter does not hold the mutex: ready. */
static int
op_bare_wait(void *obj, unsigned i)
{
	struct cm *cm = obj;

	(void)i;
	return ls_cond_wait(cm->c, cm->m);
}

START_TEST(test_probe_without_mutex)
{
	struct ls_ring *r = test_ring_new(64, 8);
	struct prim_run run;
	struct ls_group *g;
	struct cm cm;
	struct control ctl;

	cm_init(&cm, r, false);
	prim_run_init(&run, op_bare_wait, &cm);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &run, 0, "bare");
	prim_assert_parked(&ctl, "bare", LS_EV_CV_WAIT, ls_cond_id(cm.c), true,
			   0);
	prim_step(&ctl, "bare");
	prim_assert_parked(&ctl, "bare", LS_EV_MARK, 0, true, 0);
	ck_assert_int_eq(prim_rc(&run, 0), -EPERM);
	control_resume(&ctl);
	ck_assert_int_eq(ls_group_join(g), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled waiters (plain and timed) come back without the mutex. */
START_TEST(test_cancel_waiters)
{
	struct ls_ring *r = test_ring_new(256, 16);
	struct cm cm;
	unsigned i;

	cm_init(&cm, r, _i);
	cm.lock_depth = _i ? 2 : 1;
	prim_cancel_waiters(r, op_wait, &cm, ls_cond_id(cm.c), 6);
	for (i = 0; i < 6; i++)
		ck_assert(!atomic_load(&cm.held[i]));
	ck_assert_uint_eq(ls_cond_waiters(cm.c), 0);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/* Cancelled at their gates: a wait lets the mutex go and fails; a
 * signal is still sent, and wakes a waiter of another group. */
START_TEST(test_cancel_at_gates)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct prim_run waits, sigs, outside;
	struct ls_group *g, *g2;
	struct control ctl, ctl2;
	struct cm cm;

	cm_init(&cm, r, false);
	prim_run_init(&waits, op_wait, &cm);
	prim_run_init(&sigs, op_signal, &cm);
	prim_run_init(&outside, op_wait, &cm);
	g2 = prim_group_attached(r, "g2", &ctl2);
	prim_spawn(g2, &outside, 2, "outside");
	prim_wait_blocked(&ctl2, ls_cond_id(cm.c), 1);
	g = prim_group_paused(r, &ctl);
	prim_spawn(g, &waits, 0, "waiter");
	prim_spawn(g, &sigs, 0, "signaller");
	prim_step(&ctl, "waiter");		/* lock m, park at the wait */
	prim_assert_parked(&ctl, "waiter", LS_EV_CV_WAIT, ls_cond_id(cm.c),
			   false, 0);
	ck_assert_uint_eq(ls_mutex_owner(cm.m), prim_view(&ctl, "waiter").tid);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(prim_rc(&waits, 0), -ECANCELED);
	ck_assert(!atomic_load(&cm.held[0]));
	ck_assert_int_eq(prim_rc(&sigs, 0), 0);
	ck_assert_int_eq(ls_group_join(g2), 0);
	ck_assert_int_eq(prim_rc(&outside, 2), 0);
	ck_assert(atomic_load(&cm.held[2]));
	control_stop(&ctl);
	control_stop(&ctl2);
	ls_group_destroy(g);
	ls_group_destroy(g2);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

/*
 * A signal that races a cancel: A (group ga) waits before B (group gb);
 * ga is cancelled and the condition signalled at once.  Whether A has left
 * the queue yet or not, the signal goes to B, never to A.  Repeated, so
 * both sides of the race are met.
 */
START_TEST(test_cancelled_waiter_skipped)
{
	unsigned loops = (unsigned)test_size("LS_COND_RACES", 200, 40), k;
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_event ev[256];

	for (k = 0; k < loops; k++) {
		struct prim_run ra, rb;
		struct ls_group *ga, *gb;
		struct control ca, cb;
		struct cm cm;

		cm_init(&cm, r, false);
		prim_run_init(&ra, op_wait, &cm);
		prim_run_init(&rb, op_wait, &cm);
		ga = prim_group_attached(r, "ga", &ca);
		gb = prim_group_attached(r, "gb", &cb);
		prim_spawn(ga, &ra, 0, "A");
		prim_wait_blocked(&ca, ls_cond_id(cm.c), 1);
		prim_spawn(gb, &rb, 2, "B");
		prim_wait_blocked(&cb, ls_cond_id(cm.c), 1);
		ls_group_cancel(ga);
		ck_assert_int_eq(ls_cond_signal(cm.c), 0);
		ck_assert_int_eq(ls_group_join(ga), 0);
		ck_assert_int_eq(ls_group_join(gb), 0);
		ck_assert_int_eq(prim_rc(&ra, 0), -ECANCELED);
		ck_assert_int_eq(prim_rc(&rb, 2), 0);
		ck_assert_uint_eq(ls_cond_waiters(cm.c), 0);
		control_stop(&ca);
		control_stop(&cb);
		ls_group_destroy(ga);
		ls_group_destroy(gb);
		cm_destroy(&cm);
		while (test_drain_all(r, ev, 256))
			;
	}
	ls_ring_destroy(r);
}
END_TEST

/* The timed wait's timeout held by the controller; fired, the waiter
 * takes the mutex back and gets -ETIMEDOUT. */
START_TEST(test_timed_held)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct cm cm;

	cm_init(&cm, r, false);
	cm.timeout_ns = 5 * PRIM_MS;
	/* Two steps in: the lock, then the wait. */
	prim_timed_held(r, op_wait, &cm, ls_cond_id(cm.c), 2);
	ck_assert(atomic_load(&cm.held[0]));
	ck_assert_uint_eq(ls_cond_waiters(cm.c), 0);
	cm_destroy(&cm);
	ls_ring_destroy(r);
}
END_TEST

static Suite *
cond_suite(void)
{
	Suite *s = suite_create("cond");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_basics);
	tcase_add_test(tc, test_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_signal_fifo);
	tcase_add_test(tc, test_broadcast_and_lost);
	tcase_add_test(tc, test_no_spurious);
	tcase_add_test(tc, test_recursive_mutex);
	tcase_add_test(tc, test_stepped_reacquire);
	tcase_add_test(tc, test_probe_without_mutex);
	tcase_add_loop_test(tc, test_cancel_waiters, 0, 2);
	tcase_add_test(tc, test_cancel_at_gates);
	tcase_add_test(tc, test_cancelled_waiter_skipped);
	tcase_add_test(tc, test_timed_held);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(cond_suite());
}
