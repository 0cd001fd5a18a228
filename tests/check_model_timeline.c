/*
 * check_model_timeline.c - unit tests of the model's picture over time:
 * each thread's state spans for the Timeline (zero-length changes, the
 * ring of spans, a thread held at a gate), and the stamps of the last
 * real change of each thread and object, which the ui emphasises.
 */
#include "checkutil.h"

#include <stdint.h>

#include "model/model.h"
#include "modelutil.h"

/* Assert t's state is want at every us of [from, to). */
static void
assert_state_over(const struct model_thread *t, uint64_t from, uint64_t to,
		  unsigned want)
{
	uint64_t ts;

	for (ts = from; ts < to; ts += 500)
		ck_assert_msg(model_state_at(t, ts) == want,
			      "T%u at %llu: %s, not %s", t->tid,
			      (unsigned long long)ts,
			      ls_thread_state_name(model_state_at(t, ts)),
			      ls_thread_state_name(want));
}

/* A thread held at a gate is PARKED in its spans for as long as it is
 * held, whatever it was before and whatever it does next, so the timeline
 * draws it paused and never blocked. */
START_TEST(test_parked_spans)
{
	uint64_t at, pass, spans;
	unsigned i;

	/* Parked for a while from running, while others go on. */
	feed(1, LS_EV_THREAD_START, 0, 0, 0);
	feed(1, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_ACQUIRED, 0);
	at = feed_ts;
	for (i = 0; i < 20; i++)
		feed(2, i % 2 ? LS_EV_LOCK_RELEASED : LS_EV_LOCK_ACQUIRED,
		     MU2, 0, 0);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_PARKED);
	ck_assert_uint_eq(thr(1)->state_since, at);
	assert_state_over(thr(1), at, feed_ts + 5000, LS_STATE_PARKED);
	feed(1, LS_EV_GATE_PASS, MU, LS_EV_LOCK_ACQUIRED, 0);
	pass = feed_ts;
	assert_state_over(thr(1), at, pass, LS_STATE_PARKED);
	ck_assert_uint_eq(model_state_at(thr(1), pass), LS_STATE_RUNNING);

	/* Stepped straight into a held lock at the very instant it passed:
	 * parked up to then, blocked from then, no running in between. */
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(3, LS_EV_THREAD_START, 0, 0, 0);
	feed(3, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_ACQUIRED, 0);
	at = feed_ts;
	spans = thr(3)->nspans;
	feed(3, LS_EV_GATE_PASS, MU, LS_EV_LOCK_ACQUIRED, 0);
	pass = feed_ts;
	feed_ts -= 1000;	/* the same ns as the pass */
	feed(3, LS_EV_LOCK_WAIT, MU, 0, 0);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(thr(3)->nspans, spans + 1);
	assert_state_over(thr(3), at, pass, LS_STATE_PARKED);
	ck_assert_uint_eq(model_state_at(thr(3), pass), LS_STATE_BLOCKED);

	/* Granted, and at the next gate in the same ns: the instant is
	 * parked, the wait before it stays blocked. */
	feed(2, LS_EV_LOCK_RELEASED, MU, 0, 0);
	feed(3, LS_EV_LOCK_ACQUIRED, MU, 3000, 0);
	at = feed_ts;
	feed_ts -= 1000;
	feed(3, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_RELEASED, 0);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_PARKED);
	assert_state_over(thr(3), pass, at, LS_STATE_BLOCKED);
	ck_assert_uint_eq(model_state_at(thr(3), at), LS_STATE_PARKED);
	ck_assert_uint_eq(model_state_at(thr(3), at + 100000),
			  LS_STATE_PARKED);

	/* Held as blocked by the model (its ACQUIRED was dropped), then at
	 * a gate: parked, not blocked. */
	feed(4, LS_EV_LOCK_WAIT, MU2, 0, 0);
	feed_seq[4]++;
	feed(4, LS_EV_GATE_WAIT, MU2, LS_EV_LOCK_RELEASED, 0);
	ck_assert_uint_eq(thr(4)->state, LS_STATE_PARKED);
	ck_assert_uint_eq(thr(4)->waiting_for, 0);
	ck_assert_uint_eq(model_state_at(thr(4), feed_ts), LS_STATE_PARKED);

	/* Idle, parked, idle again: one parked span between. */
	feed(5, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	feed(5, LS_EV_GATE_WAIT, Q, LS_EV_Q_POPPED, 0);
	at = feed_ts;
	feed(6, LS_EV_MARK, 0, 0, 0);
	feed(5, LS_EV_GATE_PASS, Q, LS_EV_Q_POPPED, 0);
	ck_assert_uint_eq(thr(5)->nspans, 3);
	ck_assert_uint_eq(model_span(thr(5), 1)->state, LS_STATE_PARKED);
	ck_assert_uint_eq(model_span(thr(5), 1)->start, at);
	ck_assert_uint_eq(model_span(thr(5), 2)->state, LS_STATE_IDLE);
}
END_TEST

START_TEST(test_timeline)
{
	const struct model_thread *t;
	unsigned i;
	uint64_t base = feed_ts + 1000;

	feed(1, LS_EV_THREAD_START, 0, 0, 0);		/* base: running */
	feed(1, LS_EV_STATE, 0, LS_STATE_SLEEPING, 0);	/* +1 us */
	feed(1, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);	/* +2 us */
	feed(1, LS_EV_LOCK_WAIT, MU, 0, 0);		/* +3 us */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 1000, 0);	/* +4 us */
	feed(1, LS_EV_LOCK_RELEASED, MU, 0, 0);		/* no change */
	t = thr(1);
	ck_assert_uint_eq(t->nspans, 5);
	ck_assert_uint_eq(t->state_since, base + 4000);
	ck_assert_uint_eq(model_state_at(t, base - 500), LS_STATE_RUNNING);
	ck_assert_uint_eq(model_state_at(t, base), LS_STATE_RUNNING);
	ck_assert_uint_eq(model_state_at(t, base + 999), LS_STATE_RUNNING);
	ck_assert_uint_eq(model_state_at(t, base + 1000), LS_STATE_SLEEPING);
	ck_assert_uint_eq(model_state_at(t, base + 1999), LS_STATE_SLEEPING);
	ck_assert_uint_eq(model_state_at(t, base + 2500), LS_STATE_RUNNING);
	ck_assert_uint_eq(model_state_at(t, base + 3500), LS_STATE_BLOCKED);
	ck_assert_uint_eq(model_state_at(t, base + 99999), LS_STATE_RUNNING);

	/* Two changes at one instant: the later wins, and a state like the
	 * one before merges into it instead of leaving a zero-length span. */
	{
		struct ls_event e = {
			.ts = feed_ts + 1000, .tid = 1, .kind = LS_EV_STATE,
			.arg = LS_STATE_SLEEPING, .seq = feed_seq[1]++,
		};

		model_apply(M, &e);
		ck_assert_uint_eq(t->nspans, 6);
		e.arg = LS_STATE_IDLE;
		e.seq = feed_seq[1]++;
		model_apply(M, &e);
		ck_assert_uint_eq(t->nspans, 6);
		ck_assert_uint_eq(model_state_at(t, e.ts), LS_STATE_IDLE);
		e.arg = LS_STATE_RUNNING;
		e.seq = feed_seq[1]++;
		model_apply(M, &e);
		ck_assert_uint_eq(t->nspans, 5);
		ck_assert_uint_eq(model_state_at(t, e.ts), LS_STATE_RUNNING);
		ck_assert_uint_eq(t->state, LS_STATE_RUNNING);
		ck_assert_uint_eq(t->state_since, base + 4000);
		feed_ts = e.ts;
	}

	/* Overflow the span ring: the oldest spans go, order stays. */
	for (i = 0; i < 3 * MODEL_SPANS; i++)
		feed(2, LS_EV_STATE, 0,
		     i % 2 ? LS_STATE_RUNNING : LS_STATE_IDLE, 0);
	t = thr(2);
	ck_assert_uint_eq(t->nspans, MODEL_SPANS);
	for (i = 1; i < t->nspans; i++) {
		ck_assert_uint_lt(model_span(t, i - 1)->start,
				  model_span(t, i)->start);
		ck_assert_uint_ne(model_span(t, i - 1)->state,
				  model_span(t, i)->state);
	}
	ck_assert_ptr_null(model_span(t, MODEL_SPANS));
	ck_assert_uint_eq(model_span(t, t->nspans - 1)->start, feed_ts);
	/* Before the oldest span kept: the first known state. */
	ck_assert_uint_eq(model_state_at(t, 0), model_span(t, 0)->state);
	for (i = 0; i < t->nspans; i++)
		ck_assert_uint_eq(model_state_at(t, model_span(t, i)->start),
				  model_span(t, i)->state);
}
END_TEST

static uint64_t
t_changed(unsigned tid)
{
	return thr(tid)->changed;
}

static uint64_t
o_changed(uint32_t id)
{
	return obj(id)->changed;
}

/* Every real change, and only those, stamps its thread or object. */
START_TEST(test_changed)
{
	uint64_t t1, t2, t3, mu, ts;

	model_name_object(M, 50, LS_OBJ_VAR, "balance");
	model_name_object(M, POOL, LS_OBJ_POOL, "pool");
	ck_assert_uint_eq(M->changed, 0);
	feed(1, LS_EV_THREAD_START, 0, 0, 0);
	t1 = feed_ts;
	ck_assert_uint_eq(t_changed(1), t1);
	ck_assert_uint_eq(M->changed, t1);
	/* Acts that change nothing on screen. */
	feed(1, LS_EV_MARK, 0, 7, 0);
	feed(1, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);
	ck_assert_uint_eq(t_changed(1), t1);
	ck_assert_uint_eq(M->changed, t1);

	/* Taking a lock changes the taker and the lock. */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	t1 = mu = feed_ts;
	ck_assert_uint_eq(t_changed(1), t1);
	ck_assert_uint_eq(o_changed(MU), mu);
	/* A waiter changes itself and the lock's queue, not the owner. */
	feed(2, LS_EV_THREAD_START, 0, 0, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	t2 = mu = feed_ts;
	ck_assert_uint_eq(t_changed(2), t2);
	ck_assert_uint_eq(o_changed(MU), mu);
	ck_assert_uint_eq(t_changed(1), t1);
	/* A failed trylock is no change of the lock (only the newcomer's
	 * first event). */
	feed(3, LS_EV_LOCK_BUSY, MU, 1, 0);
	t3 = feed_ts;
	ck_assert_uint_eq(t_changed(3), t3);
	ck_assert_uint_eq(o_changed(MU), mu);
	feed(3, LS_EV_LOCK_BUSY, MU, 1, 0);
	ck_assert_uint_eq(t_changed(3), t3);
	/* The hand-off. */
	feed(1, LS_EV_LOCK_RELEASED, MU, 0, 0);
	t1 = mu = feed_ts;
	ck_assert_uint_eq(t_changed(1), t1);
	ck_assert_uint_eq(o_changed(MU), mu);
	ck_assert_uint_eq(t_changed(2), t2);
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 2000, 0);
	t2 = mu = feed_ts;
	ck_assert_uint_eq(t_changed(2), t2);
	ck_assert_uint_eq(o_changed(MU), mu);
	ck_assert_uint_eq(t_changed(1), t1);
	ck_assert_uint_eq(M->changed, mu);

	/* Gates: parking and passing change the thread. */
	feed(1, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_ACQUIRED, 0);
	ck_assert_uint_eq(t_changed(1), feed_ts);
	feed(1, LS_EV_GATE_PASS, MU, LS_EV_LOCK_ACQUIRED, 0);
	t1 = feed_ts;
	ck_assert_uint_eq(t_changed(1), t1);

	/* A variable changes with its value, not with a rewrite of it. */
	feed(1, LS_EV_MARK, 50, 100, 0);
	ts = feed_ts;
	ck_assert_uint_eq(o_changed(50), ts);
	feed(1, LS_EV_MARK, 50, 100, 0);
	ck_assert_uint_eq(o_changed(50), ts);
	feed(1, LS_EV_MARK, 50, 50, 0);
	ck_assert_uint_eq(o_changed(50), feed_ts);
	ck_assert_uint_eq(t_changed(1), t1);
	/* A read leaves the value and is no change; a write is one even
	 * when it stores the value there was (a lost update does that). */
	feed(2, LS_EV_MARK, 50, 100, LS_MARK_READ);
	ts = o_changed(50);
	ck_assert_uint_lt(ts, feed_ts);
	ck_assert_uint_eq(obj(50)->count, 50);
	ck_assert_uint_eq(obj(50)->access_tid, 2);
	ck_assert_uint_eq(obj(50)->access, LS_MARK_READ);
	feed(1, LS_EV_MARK, 50, 50, LS_MARK_WRITE);
	ck_assert_uint_eq(o_changed(50), feed_ts);
	ck_assert_uint_eq(M->changed, feed_ts);
	ck_assert_uint_eq(obj(50)->access_tid, 1);
	ck_assert_uint_eq(obj(50)->access, LS_MARK_WRITE);
	/* The series index stays in aux's low bits beside the flags. */
	feed(1, LS_EV_MARK, 50, 409, 3 | LS_MARK_WRITE);
	ck_assert_uint_eq(obj(50)->series[3], 409);
	ck_assert_uint_eq(obj(50)->nseries, 4);
	ck_assert_uint_eq(obj(50)->count, 409);

	/* Queue depth: a push that leaves the depth as it was (a blocked
	 * push let in by a pop) is no change of the queue. */
	feed(4, LS_EV_Q_PUSHED, Q, 1, 4);
	ts = feed_ts;
	ck_assert_uint_eq(o_changed(Q), ts);
	feed(4, LS_EV_Q_PUSHED, Q, 2, 4);
	feed(5, LS_EV_Q_POPPED, Q, 1, 4);
	feed(4, LS_EV_Q_PUSHED, Q, 2, 4);
	ts = feed_ts;
	ck_assert_uint_eq(o_changed(Q), ts);
	feed(5, LS_EV_Q_POPPED, Q, 2, 4);	/* the depth it had */
	ck_assert_uint_eq(o_changed(Q), ts);

	/* Pool counters are no change; its depth and scale are. */
	feed(4, LS_EV_TASK_SUBMIT, POOL, 1, 0);
	ts = o_changed(POOL);
	feed(4, LS_EV_TASK_SUBMIT, POOL, 2, 0);
	ck_assert_uint_eq(o_changed(POOL), ts);
	feed(4, LS_EV_POOL_DEPTH, POOL, 2, 8);
	ck_assert_uint_eq(o_changed(POOL), feed_ts);
	feed(6, LS_EV_POOL_SCALE, POOL, 1, 0);
	ck_assert_uint_eq(o_changed(POOL), feed_ts);
	/* A worker's new task is a change of the worker. */
	feed(6, LS_EV_TASK_START, POOL, 1, 0);
	ck_assert_uint_eq(t_changed(6), feed_ts);
	feed(6, LS_EV_TASK_END, POOL, 1, 5);
	ts = feed_ts;
	ck_assert_uint_eq(t_changed(6), ts);
	feed(6, LS_EV_MARK, 0, 0, 0);
	ck_assert_uint_eq(t_changed(6), ts);

	/* A heal changes the thread whose release was lost, though it said
	 * nothing: T7's read lock goes when T8 writes. */
	feed(7, LS_EV_RD_ACQUIRED, RW, 1, 0);
	feed(8, LS_EV_WR_ACQUIRED, RW, 0, 0);
	ts = feed_ts;
	ck_assert_uint_eq(t_changed(7), ts);
	ck_assert_uint_eq(t_changed(8), ts);
	ck_assert_uint_eq(o_changed(RW), ts);

	/* A wait given up for another (its end was lost) changes the queue
	 * it left, too. */
	feed(9, LS_EV_LOCK_WAIT, MU2, 0, 0);
	feed(9, LS_EV_LOCK_WAIT, MU, 0, 0);
	ts = feed_ts;
	ck_assert_uint_eq(o_changed(MU2), ts);
	ck_assert_uint_eq(o_changed(MU), ts);
	ck_assert_uint_eq(M->changed, ts);
	/* Nothing changed since: the latest change stays. */
	feed(1, LS_EV_MARK, 0, 0, 0);
	ck_assert_uint_eq(M->changed, ts);
}
END_TEST

static Suite *
model_timeline_suite(void)
{
	Suite *s = suite_create("model_timeline");
	TCase *tc = tcase_create("timeline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timeline);
	tcase_add_test(tc, test_parked_spans);
	tcase_add_test(tc, test_changed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_timeline_suite());
}
