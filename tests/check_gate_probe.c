/*
 * check_gate_probe.c - what the controller knows before it lets a thread
 * go: each primitive's gate probe says whether the parked operation will
 * block and on whom; a timed wait in a paused or stepping group waits for
 * the controller to fire its timeout, never for the clock; quiesce waits
 * out a sleeping member where settle does not; release does not wait.
 *
 * Threads the tests start never call ck_assert: they record what they saw
 * in atomics, and the test asserts after joining them.
 */
#include "checkutil.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lockstep/bqueue.h"
#include "lockstep/clock.h"
#include "lockstep/gate.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"

#define SETTLE_NS (20ull * 1000000000u)
#define MS 1000000ull

/* The view of g's member named name, once g rests; fails the test when
 * there is none.  This suite tests the gate itself, so it reads the gate
 * directly; every other suite goes through a control (checkutil.h). */
static struct ls_gate_view
gate_view_named(struct ls_group *g, const char *name)
{
	/* As many as ls_gate_list probes. */
	struct ls_gate_view v[64];
	size_t n, i;

	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	n = ls_gate_list(g, v, sizeof(v) / sizeof(v[0]));
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i];
	ck_abort_msg("no member %s", name);
	return v[0];
}

/* Let g's member named name through one gate and wait until g rests
 * again (a sleeping member is not rest). */
static void
gate_step_named(struct ls_group *g, const char *name)
{
	struct ls_gate_view v = gate_view_named(g, name);

	ck_assert_int_eq(ls_gate_release(g, v.tid), 0);
	ck_assert_int_eq(ls_gate_quiesce(g, SETTLE_NS), 0);
}

static struct ls_group *
group_new(struct ls_ring *r)
{
	struct ls_group *g = NULL;

	ck_assert_int_eq(ls_group_create(r, "probe", &g), 0);
	return g;
}

/* Mutex: "holder" locks and parks at its unlock; "wanter" is parked at
 * its lock, which the probe says will block on holder. */
struct pair {
	struct ls_mutex *m;
	struct ls_sem *s;
	struct ls_bqueue *q;
	struct ls_rwlock *l;
	_Atomic int rc;
	_Atomic int done;
};

static void
holder_main(void *p)
{
	struct pair *pr = p;

	if (ls_mutex_lock(pr->m))
		return;
	ls_mutex_unlock(pr->m);
}

static void
wanter_main(void *p)
{
	struct pair *pr = p;
	int rc = ls_mutex_lock(pr->m);

	if (!rc)
		ls_mutex_unlock(pr->m);
	atomic_store(&pr->rc, rc);
	atomic_store(&pr->done, 1);
}

START_TEST(test_mutex_probe)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r);
	struct pair pr = { 0 };
	struct ls_gate_view h, w;

	ck_assert_int_eq(ls_mutex_create(r, "m", &pr.m), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "holder", holder_main, &pr), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "wanter", wanter_main, &pr), 0);
	/* Both at their lock, the mutex free: both can go. */
	h = gate_view_named(g, "holder");
	w = gate_view_named(g, "wanter");
	ck_assert_uint_eq(h.state, LS_STATE_PARKED);
	ck_assert(h.ready);
	ck_assert(w.ready);
	gate_step_named(g, "holder");
	/* holder owns it and waits at its unlock: wanter would block. */
	w = gate_view_named(g, "wanter");
	ck_assert_uint_eq(w.state, LS_STATE_PARKED);
	ck_assert(!w.ready);
	ck_assert_uint_eq(w.holder, h.tid);
	h = gate_view_named(g, "holder");
	ck_assert(h.ready);	/* an unlock never blocks */
	/* Stepped anyway, it blocks, as predicted. */
	gate_step_named(g, "wanter");
	w = gate_view_named(g, "wanter");
	ck_assert_uint_eq(w.state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(w.blocked_on, ls_mutex_id(pr.m));
	ls_gate_resume(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&pr.rc), 0);
	ls_group_destroy(g);
	ls_mutex_destroy(pr.m);
	ls_ring_destroy(r);
}
END_TEST

/* Semaphore, queue and rwlock probes, each parked at a blocking op. */
static void
sem_taker_main(void *p)
{
	struct pair *pr = p;

	if (!ls_sem_wait(pr->s))
		atomic_fetch_add(&pr->done, 1);
}

static void
popper_main(void *p)
{
	struct pair *pr = p;
	void *item;

	if (!ls_bqueue_pop(pr->q, &item))
		atomic_fetch_add(&pr->done, 1);
}

static void
pusher_main(void *p)
{
	struct pair *pr = p;

	if (!ls_bqueue_push(pr->q, pr))
		atomic_fetch_add(&pr->done, 1);
}

static void
writer_main(void *p)
{
	struct pair *pr = p;

	if (!ls_rwlock_wrlock(pr->l)) {
		ls_rwlock_unlock(pr->l);
		atomic_fetch_add(&pr->done, 1);
	}
}

static void
reader_main(void *p)
{
	struct pair *pr = p;

	if (!ls_rwlock_rdlock(pr->l)) {
		ls_rwlock_unlock(pr->l);
		atomic_fetch_add(&pr->done, 1);
	}
}

START_TEST(test_sem_queue_rwlock_probes)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r);
	struct pair pr = { 0 };
	struct ls_gate_view v;

	ck_assert_int_eq(ls_sem_create(r, "s", 0, &pr.s), 0);
	ck_assert_int_eq(ls_bqueue_create(r, "q", 1, &pr.q), 0);
	ck_assert_int_eq(ls_rwlock_create(r, "l", LS_RWLOCK_WRITER_PREF,
					  &pr.l), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "taker", sem_taker_main, &pr), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "popper", popper_main, &pr), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "writer", writer_main, &pr), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "reader", reader_main, &pr), 0);

	v = gate_view_named(g, "taker");
	ck_assert(!v.ready);		/* no unit */
	ck_assert_uint_eq(v.holder, 0);
	v = gate_view_named(g, "popper");
	ck_assert(!v.ready);		/* empty */
	v = gate_view_named(g, "writer");
	ck_assert(v.ready);		/* free */
	v = gate_view_named(g, "reader");
	ck_assert(v.ready);

	/* The writer in, parked at its unlock: the reader would wait for
	 * it, and the probe names it. */
	gate_step_named(g, "writer");
	v = gate_view_named(g, "reader");
	ck_assert(!v.ready);
	ck_assert_uint_eq(v.holder, gate_view_named(g, "writer").tid);

	/* A unit posted from outside, an item pushed by a new member: the
	 * taker and the popper can go. */
	ck_assert_int_eq(ls_sem_post(pr.s), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "pusher", pusher_main, &pr), 0);
	gate_step_named(g, "pusher");
	ck_assert(gate_view_named(g, "taker").ready);
	ck_assert(gate_view_named(g, "popper").ready);

	ls_gate_resume(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&pr.done), 5);
	ls_group_destroy(g);
	ls_sem_destroy(pr.s);
	ls_bqueue_destroy(pr.q);
	ls_rwlock_destroy(pr.l);
	ls_ring_destroy(r);
}
END_TEST

/* A timed lock whose deadline passes while the group steps does not time
 * out by itself: the controller fires it. */
struct timed {
	struct ls_mutex *m;
	struct ls_sem *keep;	/* NULL, or the holder waits on it */
	_Atomic int rc;
	atomic_bool done;
};

static void
timed_holder_main(void *p)
{
	struct timed *tm = p;

	if (ls_mutex_lock(tm->m))
		return;
	/* Parks at the wait's gate, or the unlock's, while the other one
	 * waits for the mutex. */
	if (tm->keep)
		(void)ls_sem_wait(tm->keep);
	ls_mutex_unlock(tm->m);
}

static void
timed_waiter_main(void *p)
{
	struct timed *tm = p;
	int rc = ls_mutex_timedlock(tm->m, 5 * MS);

	if (!rc)
		ls_mutex_unlock(tm->m);
	atomic_store(&tm->rc, rc);
	atomic_store(&tm->done, true);
	(void)ls_gate(LS_EV_MARK, 0, "after");
}

START_TEST(test_timed_wait_held_by_controller)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r);
	struct timed tm = { 0 };
	struct ls_gate_view v;

	ck_assert_int_eq(ls_mutex_create(r, "m", &tm.m), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "holder", timed_holder_main, &tm),
			 0);
	ck_assert_int_eq(ls_thread_spawn(g, "waiter", timed_waiter_main, &tm),
			 0);
	gate_step_named(g, "holder");
	gate_step_named(g, "waiter");
	v = gate_view_named(g, "waiter");
	ck_assert_uint_eq(v.state, LS_STATE_BLOCKED);
	/* Ten times its timeout: it still waits, for the controller. */
	test_sleep_ns(50 * MS);
	v = gate_view_named(g, "waiter");
	ck_assert_uint_eq(v.state, LS_STATE_BLOCKED);
	ck_assert(v.timed);
	ck_assert(!atomic_load(&tm.done));
	/* Fired: it times out and runs to its next gate. */
	gate_step_named(g, "waiter");
	v = gate_view_named(g, "waiter");
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "after");
	ck_assert_int_eq(atomic_load(&tm.rc), -ETIMEDOUT);
	ls_gate_resume(g);
	ls_group_join(g);
	ls_group_destroy(g);
	ls_mutex_destroy(tm.m);
	ls_ring_destroy(r);
}
END_TEST

/* Resumed, a held timed wait goes back to its own deadline (long
 * passed): it times out without any controller. */
START_TEST(test_timed_wait_resumed)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r);
	struct timed tm = { 0 };

	ck_assert_int_eq(ls_mutex_create(r, "m", &tm.m), 0);
	ck_assert_int_eq(ls_sem_create(r, "keep", 0, &tm.keep), 0);
	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "holder", timed_holder_main, &tm),
			 0);
	ck_assert_int_eq(ls_thread_spawn(g, "waiter", timed_waiter_main, &tm),
			 0);
	gate_step_named(g, "holder");
	gate_step_named(g, "waiter");
	test_sleep_ns(20 * MS);
	ck_assert(gate_view_named(g, "waiter").timed);
	/* The holder then blocks on keep, which only the test posts, so
	 * the waiter can only time out. */
	ls_gate_resume(g);
	ck_assert(test_wait_until(test_flag_set, &tm.done, SETTLE_NS));
	ck_assert_int_eq(atomic_load(&tm.rc), -ETIMEDOUT);
	ck_assert_int_eq(ls_sem_post(tm.keep), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	ls_mutex_destroy(tm.m);
	ls_sem_destroy(tm.keep);
	ls_ring_destroy(r);
}
END_TEST

/* A sleeping member is rest for settle but not for quiesce, and shows
 * when its sleep ends. */
struct sleeper {
	_Atomic int woke;
};

static void
sleeper_main(void *p)
{
	struct sleeper *sl = p;

	if (ls_gate(LS_EV_MARK, 0, "before"))
		return;
	if (ls_thread_sleep(200 * MS))
		return;
	atomic_store(&sl->woke, 1);
	(void)ls_gate(LS_EV_MARK, 0, "after");
}

START_TEST(test_quiesce_waits_out_sleepers)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r);
	struct sleeper sl = { 0 };
	struct ls_gate_view v;
	uint64_t before;
	int rc;

	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "sleeper", sleeper_main, &sl), 0);
	v = gate_view_named(g, "sleeper");
	before = ls_clock_ns();
	/* release returns at once, whatever the thread does next. */
	ck_assert_int_eq(ls_gate_release(g, v.tid), 0);
	/* Still on its way (-EBUSY), or asleep, neither parked nor held
	 * (-ENOENT): either way it cannot be let go twice. */
	rc = ls_gate_release(g, v.tid);
	ck_assert(rc == -EBUSY || rc == -ENOENT);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	if (!atomic_load(&sl.woke)) {
		/* Asleep, and says until when. */
		ck_assert_uint_eq(v.state, LS_STATE_SLEEPING);
		ck_assert_uint_ge(v.busy_until, before + 200 * MS);
	}
	ck_assert_int_eq(ls_gate_quiesce(g, SETTLE_NS), 0);
	ck_assert_int_eq(atomic_load(&sl.woke), 1);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "after");
	ck_assert_uint_eq(v.busy_until, 0);
	ls_gate_resume(g);
	ls_group_join(g);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

/* A tag shows where a thread stands; a prepaid gate does not park. */
struct tagged {
	_Atomic int passed_b;
};

static void
tagged_main(void *p)
{
	struct tagged *tg = p;

	ls_gate_tag(7);
	if (ls_gate(LS_EV_MARK, 0, "a"))
		return;
	ls_gate_tag(8);
	/* The caller passed b's gate itself, in effect: b must not park. */
	ls_gate_prepay();
	if (ls_gate(LS_EV_MARK, 0, "b"))
		return;
	atomic_store(&tg->passed_b, 1);
	(void)ls_gate(LS_EV_MARK, 0, "c");
}

START_TEST(test_tag_and_prepay)
{
	struct ls_ring *r = test_ring_new(256, 8);
	struct ls_group *g = group_new(r);
	struct tagged tg = { 0 };
	struct ls_gate_view v;

	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "t", tagged_main, &tg), 0);
	v = gate_view_named(g, "t");
	ck_assert_str_eq(v.desc, "a");
	ck_assert_uint_eq(v.tag, 7);
	gate_step_named(g, "t");
	v = gate_view_named(g, "t");
	ck_assert_str_eq(v.desc, "c");
	ck_assert_uint_eq(v.tag, 8);
	ck_assert_int_eq(atomic_load(&tg.passed_b), 1);
	ls_gate_resume(g);
	ls_group_join(g);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

static Suite *
gate_probe_suite(void)
{
	Suite *s = suite_create("gate_probe");
	TCase *tc = tcase_create("probe");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_mutex_probe);
	tcase_add_test(tc, test_sem_queue_rwlock_probes);
	tcase_add_test(tc, test_timed_wait_held_by_controller);
	tcase_add_test(tc, test_timed_wait_resumed);
	tcase_add_test(tc, test_quiesce_waits_out_sleepers);
	tcase_add_test(tc, test_tag_and_prepay);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(gate_probe_suite());
}
