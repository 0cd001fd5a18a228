/*
 * check_pool_gate.c - the pool under a controller (control.h): a worker is
 * stepped through its gates ("take task", "run task") one at a time, an
 * idle worker's keep-alive is a timeout the controller holds and may fire
 * (and a keep-alive too long to count is no timeout at all), and each of
 * the pool's blocking gates tells the controller, while a thread is
 * parked there, whether it will block.
 *
 * Everything here is ordered by the controller, so nothing waits for a
 * time: a wait is for the group to come to rest, bounded by SETTLE_NS
 * only so that a broken engine fails instead of hanging.
 */
#include "poolutil.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "control/control.h"
#include "lockstep/event.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/*
 * The view of an idle worker once it is in its wait: idle, then blocked
 * on the pool (no gate between, so it gets there by itself).  Its pool's
 * lock, taken once it shows blocked, orders the view after the rest of
 * its way into the wait, which it makes with that lock held: whether the
 * controller holds a deadline (CAN_TIMEOUT) is known by then.
 */
static struct control_thread
view_idle(struct control *ctl, struct ls_pool *p, const char *name)
{
	struct control_thread v;
	struct ls_pool_stats s;

	while ((v = test_view_named(ctl, name)).state != LS_STATE_BLOCKED) {
		ck_assert_uint_eq(v.state, LS_STATE_IDLE);
		test_sleep_ns(MS / 10);
	}
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.idle, 1);
	v = test_view_named(ctl, name);
	ck_assert_uint_eq(v.state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(v.obj, ls_pool_id(p));
	return v;
}

/*
 * A pool of min 0, max 1 with keep-alive keep: one task, submitted while
 * the group is paused, starts worker "pool.1", which is stepped through
 * taking and running it until it waits idle, above its minimum.  Returns
 * the view of the idle worker.
 */
static struct control_thread
idle_worker(struct control *ctl, uint64_t keep, struct ls_pool **out)
{
	struct ls_pool_config cfg = {
		.name = "pool", .min_workers = 0, .max_workers = 1,
		.capacity = 4, .keep_alive_ns = keep,
	};
	struct ls_task t = { .fn = hold_task };
	struct test_latch latch;
	struct control_thread v;
	struct ls_pool_stats s;

	test_latch_init(&latch);
	test_latch_open(&latch);
	t.arg = &latch;
	ck_assert_int_eq(ls_pool_create(ctl->group, &cfg, out), 0);
	control_pause(ctl);
	ck_assert_int_eq(ls_pool_submit(*out, &t, NULL), 0);
	v = test_view_named(ctl, "pool.1");
	ck_assert_str_eq(v.desc, "take task");
	test_step_named(ctl, "pool.1");
	ck_assert_str_eq(test_view_named(ctl, "pool.1").desc, "run task");
	test_step_named(ctl, "pool.1");
	ck_assert_str_eq(test_view_named(ctl, "pool.1").desc, "take task");
	test_step_named(ctl, "pool.1");
	/* Idle is a wait on the pool, like any blocked thread's. */
	v = view_idle(ctl, *out, "pool.1");
	ls_pool_stats(*out, &s);
	ck_assert_uint_eq(s.completed, 1);
	ck_assert_uint_eq(s.idle, 1);
	ck_assert_uint_eq(s.workers, 1);
	test_latch_destroy(&latch);
	return v;
}

/* A keep-alive the clock can count is a timeout the controller holds
 * while stepping; fired, the worker retires. */
START_TEST(test_keep_alive_fired)
{
	struct ls_ring *r = test_ring_new(1024, 8);
	struct ls_group *g = group_new(r);
	struct ls_pool_stats s;
	struct control_thread v;
	struct control ctl;
	struct ls_pool *p;

	control_attach(&ctl, g, r);
	v = idle_worker(&ctl, 3600ull * 1000 * MS, &p);
	ck_assert_uint_eq(v.can, CAN_TIMEOUT);
	/* Fired: the step ends when the group rests again. */
	test_step_named(&ctl, "pool.1");
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.workers, 0);
	ck_assert_uint_eq(s.retired, 1);
	control_resume(&ctl);
	ls_pool_destroy(p);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

/* Keep-alives too long to add to the clock: LS_POOL_FOREVER, its
 * neighbour, and half the range (which wraps only with the clock past
 * 2^63, so it is counted). */
static const struct {
	uint64_t keep;
	bool forever;
} keeps[] = {
	{ LS_POOL_FOREVER, true },
	{ LS_POOL_FOREVER - 1, true },
	{ LS_POOL_FOREVER / 2, false },
};

/*
 * The worker's idle wait has no deadline at all (nothing for the
 * controller to hold or fire) and it never retires: once the gates open,
 * the next task goes to it, not to a new worker.  A keep-alive that
 * wrapped past the clock would end its wait at once instead.
 */
START_TEST(test_keep_alive_forever)
{
	struct ls_ring *r = test_ring_new(1024, 8);
	struct ls_group *g = group_new(r);
	struct ls_task t = { .fn = hold_task };
	struct test_latch latch;
	struct ls_pool_stats s;
	struct control_thread v;
	struct control ctl;
	struct ls_pool *p;

	control_attach(&ctl, g, r);
	v = idle_worker(&ctl, keeps[_i].keep, &p);
	ck_assert_msg((v.can == CAN_TIMEOUT) == !keeps[_i].forever,
		      "keep-alive %llu: can %d",
		      (unsigned long long)keeps[_i].keep, v.can);
	if (!keeps[_i].forever)
		goto out;
	/* No deadline to fire: the step is refused. */
	ck_assert_int_eq(control_step(&ctl, v.tid, SETTLE_NS, NULL, 0),
			 -ENOENT);
	control_resume(&ctl);
	test_latch_init(&latch);
	test_latch_open(&latch);
	t.arg = &latch;
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ls_pool_stats(p, &s);
	ck_assert_uint_eq(s.completed, 2);
	ck_assert_uint_eq(s.spawned, 1);
	ck_assert_uint_eq(s.retired, 0);
	ck_assert_uint_eq(s.workers, 1);
	test_latch_destroy(&latch);
out:
	control_resume(&ctl);
	ls_pool_destroy(p);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

/*
 * "take task": a worker parked there with an empty queue would wait idle
 * (not ready, for nobody in particular), with a task queued it goes on;
 * "run task" never waits.  Stepped anyway at an empty queue, the worker
 * waits, as predicted.
 */
START_TEST(test_take_probe)
{
	struct ls_ring *r = test_ring_new(1024, 8);
	struct ls_group *g = group_new(r);
	struct test_latch latch;
	struct ls_task t = { .fn = hold_task, .arg = &latch };
	struct control_thread v;
	struct control ctl;
	struct ls_pool *p;

	control_attach(&ctl, g, r);
	test_latch_init(&latch);
	test_latch_open(&latch);
	/* Paused first: the worker parks at its first gate. */
	control_pause(&ctl);
	p = pool_new(g, 1, 1, 2);
	v = test_view_named(&ctl, "pool.1");
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "take task");
	ck_assert_uint_eq(v.can, CAN_BLOCK);
	ck_assert_uint_eq(v.holder, 0);
	/* A task queued: the take goes through. */
	ck_assert_int_eq(ls_pool_submit(p, &t, NULL), 0);
	ck_assert_uint_eq(test_view_named(&ctl, "pool.1").can, CAN_MOVE);
	test_step_named(&ctl, "pool.1");
	v = test_view_named(&ctl, "pool.1");
	ck_assert_str_eq(v.desc, "run task");
	ck_assert_uint_eq(v.can, CAN_MOVE);
	test_step_named(&ctl, "pool.1");
	v = test_view_named(&ctl, "pool.1");
	ck_assert_str_eq(v.desc, "take task");
	ck_assert_uint_eq(v.can, CAN_BLOCK);
	/* Stepped anyway: it waits idle on the pool, with no deadline (it
	 * is not above its minimum). */
	test_step_named(&ctl, "pool.1");
	v = view_idle(&ctl, p, "pool.1");
	ck_assert_uint_eq(v.can, CAN_WAIT);
	control_resume(&ctl);
	ls_pool_destroy(p);
	control_stop(&ctl);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	test_latch_destroy(&latch);
}
END_TEST

/* A member that submits one task, blocking or not. */
struct submitter {
	struct ls_pool *p;
	bool wait;
	int priority;
	_Atomic int rc;
};

static int
noop_task(void *arg)
{
	(void)arg;
	return 0;
}

static void
submitter_main(void *arg)
{
	struct submitter *sb = arg;
	struct ls_task t = { .fn = noop_task, .priority = sb->priority };

	atomic_store(&sb->rc,
		     sb->wait ? ls_pool_submit_timed(sb->p, &t,
						     LS_POOL_FOREVER, NULL)
			      : ls_pool_submit(sb->p, &t, NULL));
}

/*
 * "submit task": a blocking submit parked there with the queue full would
 * wait (for nobody in particular); a try never waits, so it has no probe.
 * Stepped anyway, the blocking one waits for room, as predicted; once the
 * queue has room, a blocking submit parked at the gate is ready.
 */
START_TEST(test_submit_probe)
{
	struct ls_ring *r = test_ring_new(1024, 8);
	struct ls_group *gp = group_new(NULL), *gs = group_new(r);
	struct ls_pool *p = pool_new(gp, 1, 1, 1);
	struct test_latch latch;
	struct ls_task hold = { .fn = hold_task, .arg = &latch };
	struct ls_task fill = { .fn = noop_task };
	struct submitter blocker = { .p = p, .wait = true, .priority = 5 };
	struct submitter trier = { .p = p, .wait = false };
	struct submitter urgent = { .p = p, .wait = true, .priority = 0 };
	struct control_thread v;
	struct control ctl;

	control_attach(&ctl, gs, r);
	test_latch_init(&latch);
	/* The pool's own group runs free: its worker holds the hold task,
	 * its queue's one slot is taken. */
	ck_assert_int_eq(ls_pool_submit(p, &hold, NULL), 0);
	test_latch_wait_arrived(&latch, 1);
	ck_assert_int_eq(ls_pool_submit(p, &fill, NULL), 0);
	control_pause(&ctl);
	ck_assert_int_eq(ls_thread_spawn(gs, "blocker", submitter_main,
					 &blocker), 0);
	ck_assert_int_eq(ls_thread_spawn(gs, "trier", submitter_main, &trier),
			 0);
	v = test_view_named(&ctl, "blocker");
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "submit task");
	ck_assert_uint_eq(v.next_kind, LS_EV_TASK_SUBMIT);
	ck_assert_uint_eq(v.can, CAN_BLOCK);
	ck_assert_uint_eq(v.holder, 0);
	ck_assert_uint_eq(test_view_named(&ctl, "trier").can, CAN_MOVE);
	test_step_named(&ctl, "trier");
	ck_assert_int_eq(atomic_load(&trier.rc), -EAGAIN);
	test_step_named(&ctl, "blocker");
	v = test_view_named(&ctl, "blocker");
	ck_assert_uint_eq(v.state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(v.obj, ls_pool_id(p));
	/* Room made: the blocker is let in (no gate between its wait and
	 * its return), its task runs, and a new blocking submit is ready. */
	test_latch_open(&latch);
	ck_assert_int_eq(ls_pool_wait_idle(p, LS_POOL_FOREVER), 0);
	ck_assert_int_eq(atomic_load(&blocker.rc), 0);
	ck_assert_int_eq(ls_thread_spawn(gs, "urgent", submitter_main,
					 &urgent), 0);
	v = test_view_named(&ctl, "urgent");
	ck_assert_str_eq(v.desc, "submit task");
	ck_assert_uint_eq(v.can, CAN_MOVE);
	control_resume(&ctl);
	ls_group_join(gs);
	ck_assert_int_eq(atomic_load(&urgent.rc), 0);
	ls_pool_destroy(p);
	control_stop(&ctl);
	ls_group_destroy(gs);
	ls_group_destroy(gp);
	ls_ring_destroy(r);
	test_latch_destroy(&latch);
}
END_TEST

static Suite *
pool_gate_suite(void)
{
	Suite *s = suite_create("pool_gate");
	TCase *tc;

	tc = tcase_create("keep_alive");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_keep_alive_fired);
	tcase_add_loop_test(tc, test_keep_alive_forever, 0,
			    sizeof(keeps) / sizeof(keeps[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_take_probe);
	tcase_add_test(tc, test_submit_probe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	pool_seed_init("check_pool_gate");
	return test_run_suite(pool_gate_suite());
}
