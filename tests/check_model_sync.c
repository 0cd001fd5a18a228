/*
 * check_model_sync.c - unit tests of the model's fold of the recursive
 * mutex, condition variables, barriers, reset events and latches, fed by
 * hand as the engine emits them (include/lockstep/event.h and the
 * primitives' suites give the sequences): every event kind, a cancel in
 * the middle of every wait, the grants the model must move when it took
 * a cancelled or timed-out waiter for let go, timed lock waits that close
 * no deadlock (while the lock order still learns from them), each kind's
 * sentence in the log and its change stamps.  Real threads folded live
 * are in check_model_sync_threads.c.
 */
#include "checkutil.h"

#include <stdint.h>
#include <string.h>

#include "model/model.h"
#include "modelutil.h"

/* The sentence of the newest log entry. */
static const char *
said(void)
{
	static char line[200];

	model_log_say(M, model_log_end(M) - 1, line, sizeof(line));
	return line;
}

#define SAYS(want) ck_assert_str_eq(said(), want)

/* A second latch. */
enum { LAT2 = 16 };

/*
 * tid begins a wait of kind on id (arg and aux as the engine gives them)
 * and is cancelled in the middle of it: it runs again, waiting for
 * nothing, and the waiters, the engine's queue and a barrier's arrivals
 * are what they were before.
 */
static void
cancel_mid_wait(unsigned tid, unsigned kind, uint32_t id, uint64_t arg,
		uint32_t aux)
{
	const struct model_object *o = model_object(M, id);
	unsigned nwaiting = o ? o->nwaiting : 0, queued = o ? o->queued : 0;
	uint64_t count = o ? o->count : 0, cancelled = o ? o->cancelled : 0;

	feed(tid, kind, id, arg, aux);
	ck_assert_uint_eq(thr(tid)->waiting_for, id);
	ck_assert_uint_eq(obj(id)->nwaiting, nwaiting + 1);
	feed(tid, LS_EV_CANCELLED, id, 0, 0);
	ck_assert_uint_eq(thr(tid)->waiting_for, 0);
	ck_assert_uint_eq(thr(tid)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(id)->nwaiting, nwaiting);
	ck_assert_uint_eq(obj(id)->queued, queued);
	ck_assert_uint_eq(obj(id)->cancelled, cancelled + 1);
	if (kind == LS_EV_BAR_WAIT)
		ck_assert_uint_eq(obj(id)->count, count);
}

/*
 * alice and bob wait on id (wait, with wait_arg); carol lets one of them
 * go (release, with rel_arg), which the engine gives bob, skipping alice
 * (cancelled, which the model cannot know yet): the model takes alice
 * for let go.  Then alice leaves without going on (leave, leave_arg): the
 * grant was bob's.  Bob is left granted, not yet running.
 */
static void
grant_moves(uint32_t id, unsigned wait, uint64_t wait_arg, unsigned release,
	    uint64_t rel_arg, unsigned leave, uint64_t leave_arg)
{
	feed(1, wait, id, wait_arg, 1);
	feed(2, wait, id, wait_arg, 2);
	feed(3, release, id, rel_arg, 1);
	ck_assert_uint_eq(obj(id)->queued, 1);
	ck_assert(thr(1)->granted && !thr(2)->granted);
	feed(1, leave, id, leave_arg, 0);
	ck_assert(thr(2)->granted);
	ck_assert_uint_eq(obj(id)->queued, 0);
	ck_assert_uint_eq(obj(id)->nwaiting, 1);
}

static void
name_cast(void)
{
	model_name_thread(M, 1, "alice");
	model_name_thread(M, 2, "bob");
	model_name_thread(M, 3, "carol");
	model_name_thread(M, 4, "dave");
	model_name_thread(M, 5, "erin");
	model_name_object(M, MU, LS_OBJ_MUTEX, "m");
	model_name_object(M, MU2, LS_OBJ_MUTEX, "B");
	model_name_object(M, MU3, LS_OBJ_MUTEX, "C");
	model_name_object(M, CV, LS_OBJ_COND, "not_empty");
	model_name_object(M, BAR, LS_OBJ_BARRIER, "the barrier");
	model_name_object(M, EVM, LS_OBJ_EVENT_MANUAL, "go");
	model_name_object(M, EVA, LS_OBJ_EVENT_AUTO, "baton");
	model_name_object(M, LAT, LS_OBJ_LATCH, "done");
}

START_TEST(test_lock_depth)
{
	name_cast();
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->depth, 1);
	feed(1, LS_EV_LOCK_DEPTH, MU, 2, 1);
	SAYS("alice locked m again (2 deep)");
	feed(1, LS_EV_LOCK_DEPTH, MU, 3, 1);
	ck_assert_uint_eq(obj(MU)->depth, 3);
	ck_assert_uint_eq(obj(MU)->owner, 1);
	ck_assert_uint_eq(thr(1)->nheld, 1);
	/* No acquisition: the counter and the wait samples stay. */
	ck_assert_uint_eq(obj(MU)->acquired, 1);

	/* A waiter cancelled in the middle of its wait leaves the owner's
	 * depth as it was. */
	cancel_mid_wait(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->depth, 3);

	feed(1, LS_EV_LOCK_DEPTH, MU, 2, 0);
	feed(1, LS_EV_LOCK_DEPTH, MU, 1, 0);
	SAYS("alice unlocked m once (still holds it, 1 deep)");
	ck_assert_uint_eq(obj(MU)->owner, 1);
	ck_assert(holds(1, MU));
	feed(1, LS_EV_LOCK_RELEASED, MU, 5000, 0);
	ck_assert_uint_eq(obj(MU)->depth, 0);
	ck_assert_uint_eq(obj(MU)->owner, 0);
	ck_assert(!holds(1, MU));

	/* Going deeper is no lock attempt: holding B, a level of m adds
	 * no order B -> m, so m -> B is no inversion. */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(1, LS_EV_LOCK_ACQUIRED, MU2, 0, 0);
	feed(1, LS_EV_LOCK_DEPTH, MU, 2, 1);
	ck_assert_uint_eq(M->wg.nedges, 1);
	ck_assert_uint_eq(M->wg.inversions, 0);

	/* Only the owner changes the depth: another thread's says the
	 * recorded owner's release was lost. */
	feed(3, LS_EV_LOCK_DEPTH, MU, 2, 0);
	ck_assert_uint_eq(obj(MU)->owner, 3);
	ck_assert_uint_eq(obj(MU)->depth, 2);
	ck_assert(holds(3, MU));
	ck_assert(!holds(1, MU));
	ck_assert_uint_eq(M->healed, 1);

	feed(3, LS_EV_ERROR, MU, LS_ERR_TOO_DEEP, 65535);
	SAYS("carol locked m once too often (65535 deep at most): refused");
	ck_assert_uint_eq(obj(MU)->errors, 1);
	ck_assert_uint_eq(obj(MU)->depth, 2);
}
END_TEST

START_TEST(test_cond)
{
	struct model_wait_edge e[4];

	name_cast();
	/* A wait lets go of the mutex (its LOCK_RELEASED first). */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(1, LS_EV_LOCK_RELEASED, MU, 100, 0);
	feed(1, LS_EV_CV_WAIT, CV, MU, 1);
	SAYS("alice waits on not_empty, letting go of m");
	ck_assert_uint_eq(thr(1)->state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(thr(1)->waiting_for, CV);
	ck_assert_uint_eq(thr(1)->wait_kind, LS_EV_CV_WAIT);
	ck_assert_uint_eq(obj(CV)->kind, LS_OBJ_COND);
	ck_assert_uint_eq(obj(CV)->mutex, MU);
	ck_assert_uint_eq(obj(CV)->queued, 1);
	ck_assert_uint_eq(obj(CV)->contended, 1);
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_LOCK_RELEASED, MU, 100, 0);
	feed(2, LS_EV_CV_WAIT, CV, MU, 2);
	ck_assert_uint_eq(obj(CV)->nwaiting, 2);

	/* A signal names the thread it wakes: let go, not yet running. */
	feed(3, LS_EV_CV_SIGNAL, CV, 1, 1);
	SAYS("carol signalled not_empty: alice wakes");
	ck_assert(thr(1)->granted);
	ck_assert(!thr(2)->granted);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(obj(CV)->queued, 1);
	ck_assert_uint_eq(obj(CV)->nwaiting, 2);
	/* Nobody holds a condition: no holders, no deadlock edge. */
	ck_assert_uint_eq(model_wait_edges(M, e, 4), 2);
	ck_assert(e[0].granted && !e[1].granted);
	ck_assert_uint_eq(e[0].nholders + e[1].nholders, 0);
	feed(1, LS_EV_CV_WOKEN, CV, 7000, 1);
	SAYS("alice woke on not_empty after 7 us");
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(1)->waiting_for, 0);
	ck_assert(!thr(1)->granted);
	ck_assert_uint_eq(obj(CV)->acquired, 1);
	ck_assert_uint_eq(obj(CV)->wait_ns_max, 7000);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_SIGNAL), 1);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_LOCK), 0);
	/* Then the mutex's own events take it back. */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->owner, 1);

	feed(3, LS_EV_CV_BROADCAST, CV, 1, 0);
	SAYS("carol broadcast on not_empty: 1 thread wakes");
	ck_assert(thr(2)->granted);
	ck_assert_uint_eq(obj(CV)->queued, 0);
	feed(2, LS_EV_CV_WOKEN, CV, 9000, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	ck_assert_uint_eq(thr(2)->waiting_for, MU);

	/* Nobody waits: the signal is lost, and nothing moves. */
	feed(3, LS_EV_CV_LOST, CV, LS_EV_CV_SIGNAL, 0);
	SAYS("carol signalled not_empty: nobody was waiting, the signal is "
	     "lost");
	feed(3, LS_EV_CV_LOST, CV, LS_EV_CV_BROADCAST, 0);
	SAYS("carol broadcast on not_empty: nobody was waiting, the "
	     "broadcast is lost");
	ck_assert_uint_eq(obj(CV)->lost_signals, 2);
	ck_assert_uint_eq(thr(2)->waiting_for, MU);

	/* A timed wait gives up; no wait sample. */
	feed(1, LS_EV_LOCK_RELEASED, MU, 100, 0);
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 300, 0);
	feed(2, LS_EV_LOCK_RELEASED, MU, 100, 0);
	feed(2, LS_EV_CV_WAIT, CV, MU, 1);
	feed(2, LS_EV_CV_TIMEOUT, CV, 10000000, 0);
	SAYS("bob gave up waiting on not_empty after 10 ms");
	ck_assert_uint_eq(obj(CV)->timeouts, 1);
	ck_assert_uint_eq(thr(2)->waiting_for, 0);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_SIGNAL), 2);

	cancel_mid_wait(4, LS_EV_CV_WAIT, CV, MU, 1);
	SAYS("dave was cancelled waiting for not_empty");

	/* A broadcast skips a cancelled waiter, or one that then times
	 * out: either way the grant the model gave it was the next one's. */
	grant_moves(CV, LS_EV_CV_WAIT, MU, LS_EV_CV_BROADCAST, 1,
		    LS_EV_CANCELLED, 0);
	feed(2, LS_EV_CV_WOKEN, CV, 10, 0);
	grant_moves(CV, LS_EV_CV_WAIT, MU, LS_EV_CV_BROADCAST, 1,
		    LS_EV_CV_TIMEOUT, 10);
	feed(2, LS_EV_CV_WOKEN, CV, 10, 0);
	ck_assert_uint_eq(obj(CV)->nwaiting, 0);

	/* The LOCK_RELEASED before a wait was lost: it holds m no more. */
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	ck_assert_uint_eq(M->healed, 0);
	feed(2, LS_EV_CV_WAIT, CV, MU, 1);
	ck_assert(!holds(2, MU));
	ck_assert_uint_eq(obj(MU)->owner, 0);
	ck_assert_uint_eq(M->healed, 1);

	feed(3, LS_EV_ERROR, CV, LS_ERR_CV_NOT_OWNER, 1);
	SAYS("carol waited on not_empty without holding its mutex (alice "
	     "holds it)");
	feed(3, LS_EV_ERROR, CV, LS_ERR_CV_NOT_OWNER, 0);
	SAYS("carol waited on not_empty without holding its mutex");
}
END_TEST

START_TEST(test_barrier)
{
	name_cast();
	feed(1, LS_EV_BAR_WAIT, BAR, 1, 3);
	SAYS("alice waits at the barrier (1 of 3 there)");
	feed(2, LS_EV_BAR_WAIT, BAR, 2, 3);
	ck_assert_uint_eq(obj(BAR)->count, 2);
	ck_assert_uint_eq(obj(BAR)->parties, 3);
	ck_assert_uint_eq(obj(BAR)->nwaiting, 2);
	ck_assert_uint_eq(thr(2)->state, LS_STATE_BLOCKED);
	feed(3, LS_EV_BAR_RELEASE, BAR, 1, 3);
	SAYS("the barrier lets 3 through: carol came last (round 1)");
	ck_assert_uint_eq(obj(BAR)->count, 0);
	ck_assert_uint_eq(obj(BAR)->generation, 1);
	ck_assert(thr(1)->granted && thr(2)->granted);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(3)->waiting_for, 0);

	/* The next round starts before the last one's waiters run. */
	feed(3, LS_EV_BAR_WAIT, BAR, 1, 3);
	ck_assert_uint_eq(obj(BAR)->nwaiting - granted_on(M, obj(BAR)), 1);
	feed(1, LS_EV_BAR_PASSED, BAR, 1, 40);
	SAYS("alice went on past the barrier after waiting 40 us");
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(BAR)->wait_ns_max, 40000);
	feed(2, LS_EV_BAR_PASSED, BAR, 1, 50);
	ck_assert_uint_eq(obj(BAR)->acquired, 3);
	ck_assert_uint_eq(obj(BAR)->count, 1);

	/* Cancelled in the middle of its wait: no arrival any more. */
	feed(3, LS_EV_CANCELLED, BAR, 0, 0);
	ck_assert_uint_eq(obj(BAR)->count, 0);
	ck_assert_uint_eq(obj(BAR)->nwaiting, 0);
	cancel_mid_wait(3, LS_EV_BAR_WAIT, BAR, 1, 3);

	/* alice and bob are cancelled while they wait; dave's arrival
	 * already leaves them out, and their CANCELLED must not take him
	 * off. */
	feed(1, LS_EV_BAR_WAIT, BAR, 1, 3);
	feed(2, LS_EV_BAR_WAIT, BAR, 2, 3);
	feed(4, LS_EV_BAR_WAIT, BAR, 1, 3);
	feed(1, LS_EV_CANCELLED, BAR, 0, 0);
	ck_assert_uint_eq(obj(BAR)->count, 1);
	feed(2, LS_EV_CANCELLED, BAR, 0, 0);
	ck_assert_uint_eq(obj(BAR)->count, 1);

	/* erin is cancelled while she waits, and bob's arrival leaves her
	 * out; the release skips her, still queued.  She was of the round
	 * it ends: her CANCELLED is no leaving of the next one. */
	feed(5, LS_EV_BAR_WAIT, BAR, 2, 3);
	feed(2, LS_EV_BAR_WAIT, BAR, 2, 3);
	feed(3, LS_EV_BAR_RELEASE, BAR, 2, 3);
	ck_assert(thr(4)->granted && thr(5)->granted && thr(2)->granted);
	feed(1, LS_EV_BAR_WAIT, BAR, 1, 3);
	feed(5, LS_EV_CANCELLED, BAR, 0, 0);
	ck_assert_uint_eq(obj(BAR)->count, 1);
	feed(4, LS_EV_BAR_PASSED, BAR, 2, 10);
	feed(2, LS_EV_BAR_PASSED, BAR, 2, 10);

	/* Cancelled at the gate, it never arrived. */
	feed(2, LS_EV_GATE_WAIT, BAR, LS_EV_BAR_PASSED, 0);
	SAYS("bob is paused before: arrive at the barrier");
	feed(2, LS_EV_CANCELLED, BAR, 0, 0);
	SAYS("bob was cancelled");
	ck_assert_uint_eq(obj(BAR)->count, 1);

	/* A pass of a later round than the model saw released: that
	 * release let go whoever it counted. */
	feed(1, LS_EV_BAR_PASSED, BAR, 5, 0);
	ck_assert_uint_eq(obj(BAR)->generation, 5);
	ck_assert_uint_eq(obj(BAR)->count, 0);
	feed(3, LS_EV_BAR_PASSED, BAR, 4, 0);
	ck_assert_uint_eq(obj(BAR)->generation, 5);
}
END_TEST

START_TEST(test_manual_event)
{
	name_cast();
	feed(1, LS_EV_RE_WAIT, EVM, 0, 1);
	SAYS("alice waits for go to be set");
	feed(2, LS_EV_RE_WAIT, EVM, 0, 2);
	ck_assert_uint_eq(obj(EVM)->queued, 2);
	ck_assert(!obj(EVM)->set);
	feed(3, LS_EV_RE_SET, EVM, 1, 2);
	SAYS("carol set go: 2 threads go on");
	ck_assert(obj(EVM)->set);
	ck_assert_uint_eq(obj(EVM)->queued, 0);
	ck_assert(thr(1)->granted && thr(2)->granted);
	feed(1, LS_EV_RE_PASSED, EVM, 1, 0);
	SAYS("alice was let through go");
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_SIGNAL), 1);
	/* A set event lets a wait through at once: no wait at all. */
	feed(4, LS_EV_RE_PASSED, EVM, 1, 0);
	SAYS("dave went through go: it is set");
	ck_assert_uint_eq(thr(4)->waiting_for, 0);
	feed(2, LS_EV_RE_PASSED, EVM, 1, 0);
	ck_assert_uint_eq(obj(EVM)->acquired, 3);
	ck_assert_uint_eq(obj(EVM)->contended, 2);
	feed(3, LS_EV_RE_RESET, EVM, 0, 1);
	SAYS("carol reset go");
	ck_assert(!obj(EVM)->set);
	feed(3, LS_EV_RE_RESET, EVM, 0, 0);
	SAYS("carol reset go (it was not set)");

	feed(1, LS_EV_RE_WAIT, EVM, 0, 1);
	feed(1, LS_EV_RE_TIMEOUT, EVM, 0, 0);
	SAYS("alice gave up waiting for go");
	ck_assert_uint_eq(obj(EVM)->timeouts, 1);
	ck_assert_uint_eq(thr(1)->waiting_for, 0);

	cancel_mid_wait(2, LS_EV_RE_WAIT, EVM, 0, 1);
	grant_moves(EVM, LS_EV_RE_WAIT, 0, LS_EV_RE_SET, 1, LS_EV_CANCELLED,
		    0);
	feed(2, LS_EV_RE_PASSED, EVM, 1, 0);
	feed(3, LS_EV_RE_SET, EVM, 1, 0);
	SAYS("carol set go (nobody was waiting)");
}
END_TEST

START_TEST(test_auto_event)
{
	name_cast();
	feed(3, LS_EV_RE_SET, EVA, 1, 0);
	ck_assert(obj(EVA)->set);
	feed(1, LS_EV_RE_PASSED, EVA, 0, 0);
	SAYS("alice went through baton: it is set, and that resets it");
	ck_assert(!obj(EVA)->set);
	feed(2, LS_EV_RE_WAIT, EVA, 0, 1);
	feed(4, LS_EV_RE_WAIT, EVA, 0, 2);
	/* One set, one thread: the oldest. */
	feed(1, LS_EV_RE_SET, EVA, 0, 1);
	SAYS("alice set baton: 1 thread goes on, and it is unset again");
	ck_assert(!obj(EVA)->set);
	ck_assert(thr(2)->granted && !thr(4)->granted);
	ck_assert_uint_eq(obj(EVA)->queued, 1);
	feed(2, LS_EV_RE_PASSED, EVA, 0, 1);
	/* Cancelled in the middle of its wait. */
	feed(4, LS_EV_CANCELLED, EVA, 0, 0);
	ck_assert_uint_eq(obj(EVA)->queued, 0);
	ck_assert_uint_eq(obj(EVA)->nwaiting, 0);
	cancel_mid_wait(4, LS_EV_RE_WAIT, EVA, 0, 1);
	ck_assert_uint_eq(obj(EVA)->kind, LS_OBJ_EVENT_AUTO);

	/* Unnamed, an event is taken for a manual one until a set leaves
	 * it unset: only an auto-reset one does. */
	feed(1, LS_EV_RE_WAIT, 20, 0, 1);
	ck_assert_uint_eq(obj(20)->kind, LS_OBJ_EVENT_MANUAL);
	feed(2, LS_EV_RE_SET, 20, 0, 1);
	ck_assert_uint_eq(obj(20)->kind, LS_OBJ_EVENT_AUTO);
}
END_TEST

START_TEST(test_latch)
{
	name_cast();
	feed(1, LS_EV_LATCH_WAIT, LAT, 2, 1);
	SAYS("alice waits for done (2 to go)");
	feed(2, LS_EV_LATCH_WAIT, LAT, 2, 2);
	ck_assert_uint_eq(obj(LAT)->count, 2);
	ck_assert_uint_eq(obj(LAT)->queued, 2);
	feed(3, LS_EV_LATCH_DOWN, LAT, 1, 0);
	SAYS("carol counted done down: 1 to go");
	ck_assert_uint_eq(granted_on(M, obj(LAT)), 0);
	feed(4, LS_EV_LATCH_DOWN, LAT, 0, 2);
	SAYS("dave counted done down to zero: it opens, 2 threads go on");
	ck_assert_uint_eq(obj(LAT)->count, 0);
	ck_assert_uint_eq(obj(LAT)->queued, 0);
	ck_assert(thr(1)->granted && thr(2)->granted);
	feed(1, LS_EV_LATCH_PASSED, LAT, 0, 1);
	SAYS("alice went on: done is open");
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);
	feed(2, LS_EV_LATCH_PASSED, LAT, 0, 0);
	feed(5, LS_EV_LATCH_PASSED, LAT, 0, 0);
	SAYS("erin went through done: it is open");
	ck_assert_uint_eq(obj(LAT)->acquired, 3);
	ck_assert_uint_eq(obj(LAT)->contended, 2);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_SIGNAL), 2);
	feed(3, LS_EV_ERROR, LAT, LS_ERR_LATCH_UNDERFLOW, 0);
	SAYS("carol counted done down past zero (0 left): refused");
	ck_assert_uint_eq(obj(LAT)->errors, 1);

	/* A second latch, of 3. */
	model_name_object(M, LAT2, LS_OBJ_LATCH, "ready");
	feed(1, LS_EV_LATCH_WAIT, LAT2, 3, 1);
	feed(1, LS_EV_LATCH_TIMEOUT, LAT2, 3, 0);
	SAYS("alice gave up waiting for ready (3 to go)");
	ck_assert_uint_eq(obj(LAT2)->timeouts, 1);
	cancel_mid_wait(2, LS_EV_LATCH_WAIT, LAT2, 3, 1);
	/* An underflow says the count left: a lost count-down healed. */
	feed(3, LS_EV_ERROR, LAT2, LS_ERR_LATCH_UNDERFLOW, 2);
	ck_assert_uint_eq(obj(LAT2)->count, 2);
	/* The opening skips alice (cancelled, and timed): she times out at
	 * 0 to go, and her grant was bob's. */
	grant_moves(LAT2, LS_EV_LATCH_WAIT, 2, LS_EV_LATCH_DOWN, 0,
		    LS_EV_LATCH_TIMEOUT, 0);
	feed(2, LS_EV_LATCH_PASSED, LAT2, 0, 0);
	ck_assert_uint_eq(obj(LAT2)->nwaiting, 0);
}
END_TEST

/* A timed lock wait gives up: a cycle through one is no deadlock, but
 * the orders it took are an inversion all the same. */
START_TEST(test_timed_waits)
{
	struct model_wait_edge e[4];
	struct model_cycle c;

	name_cast();
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_LOCK_ACQUIRED, MU2, 0, 0);
	feed(1, LS_EV_LOCK_WAIT, MU2, 0, 1);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 1);
	ck_assert(thr(1)->wait_timed && thr(2)->wait_timed);
	ck_assert(!model_deadlock(M, NULL));
	ck_assert_uint_eq(model_deadlocks(M), 0);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	/* The edges are drawn, holders and all, and say they give up. */
	ck_assert_uint_eq(model_wait_edges(M, e, 4), 2);
	ck_assert(e[0].timed && e[1].timed);
	ck_assert_uint_eq(e[0].nholders, 1);
	ck_assert_uint_eq(e[0].holder[0], 2);

	/* One timed wait is enough to break the cycle. */
	feed(1, LS_EV_LOCK_TIMEOUT, MU2, 5000, 0);
	ck_assert(!thr(1)->wait_timed);
	feed(1, LS_EV_LOCK_WAIT, MU2, 0, 0);
	ck_assert(!model_deadlock(M, NULL));
	/* bob gives up and waits again, untimed: now it is a deadlock. */
	feed(2, LS_EV_LOCK_TIMEOUT, MU, 5000, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.n, 2);
	ck_assert_uint_eq(model_deadlocks(M), 1);
	ck_assert_uint_eq(model_inversions(M, NULL, 0), 1);
	feed(2, LS_EV_CANCELLED, MU, 0, 0);
	feed(1, LS_EV_CANCELLED, MU2, 0, 0);
	ck_assert(!model_deadlock(M, NULL));

	/* Three threads: the one timed wait in the middle breaks it, and
	 * whoever closes the cycle finds none. */
	feed(3, LS_EV_LOCK_ACQUIRED, MU3, 0, 0);
	feed(2, LS_EV_LOCK_WAIT, MU3, 0, 1);
	feed(3, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(1, LS_EV_LOCK_WAIT, MU2, 0, 0);
	ck_assert(!model_deadlock(M, NULL));
	ck_assert_uint_eq(model_deadlocks(M), 1);
	feed(2, LS_EV_LOCK_TIMEOUT, MU3, 5000, 0);
	feed(2, LS_EV_LOCK_WAIT, MU3, 0, 0);
	ck_assert(model_deadlock(M, &c));
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(model_deadlocks(M), 2);
}
END_TEST

/* Unnamed objects take their kind from their events. */
START_TEST(test_kinds_from_events)
{
	static const struct {
		unsigned kind;
		unsigned obj_kind;
	} k[] = {
		{ LS_EV_LOCK_DEPTH, LS_OBJ_MUTEX },
		{ LS_EV_CV_LOST, LS_OBJ_COND },
		{ LS_EV_BAR_WAIT, LS_OBJ_BARRIER },
		{ LS_EV_RE_RESET, LS_OBJ_EVENT_MANUAL },
		{ LS_EV_LATCH_DOWN, LS_OBJ_LATCH },
	};
	unsigned i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		feed(1, k[i].kind, 40 + i, 1, 2);
		ck_assert_uint_eq(obj(40 + i)->kind, k[i].obj_kind);
	}
}
END_TEST

/* What changes a row is stamped; a counter is no change. */
START_TEST(test_changes)
{
	uint64_t ts;

	name_cast();
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(1, LS_EV_LOCK_DEPTH, MU, 2, 1);
	ck_assert_uint_eq(obj(MU)->changed, feed_ts);
	feed(2, LS_EV_CV_WAIT, CV, MU, 1);
	ts = feed_ts;
	ck_assert_uint_eq(obj(CV)->changed, ts);
	feed(3, LS_EV_CV_SIGNAL, CV, 2, 0);
	/* The woken waiter's row changes, and the queue. */
	ck_assert_uint_eq(thr(2)->changed, feed_ts);
	ck_assert_uint_eq(obj(CV)->changed, feed_ts);
	ts = feed_ts;
	feed(3, LS_EV_CV_LOST, CV, LS_EV_CV_SIGNAL, 0);
	ck_assert_uint_eq(obj(CV)->changed, ts);
	ck_assert_uint_eq(M->changed, ts);

	feed(1, LS_EV_BAR_WAIT, BAR, 1, 2);
	feed(3, LS_EV_BAR_RELEASE, BAR, 1, 2);
	ck_assert_uint_eq(obj(BAR)->changed, feed_ts);
	ck_assert_uint_eq(thr(1)->changed, feed_ts);
	feed(3, LS_EV_RE_SET, EVM, 1, 0);
	ck_assert_uint_eq(obj(EVM)->changed, feed_ts);
	ts = feed_ts;
	feed(3, LS_EV_RE_SET, EVM, 1, 0);
	ck_assert_uint_eq(obj(EVM)->changed, ts);
	feed(3, LS_EV_LATCH_DOWN, LAT, 4, 0);
	ck_assert_uint_eq(obj(LAT)->changed, feed_ts);
}
END_TEST

/* The gate before each new operation reads as what comes next. */
START_TEST(test_gate_sentences)
{
	static const struct {
		unsigned kind;
		uint32_t obj;
		const char *want;
	} g[] = {
		{ LS_EV_CV_WAIT, CV, "wait on not_empty" },
		{ LS_EV_CV_SIGNAL, CV, "signal not_empty" },
		{ LS_EV_CV_BROADCAST, CV, "broadcast on not_empty" },
		{ LS_EV_RE_PASSED, EVM, "wait for go" },
		{ LS_EV_RE_SET, EVM, "set go" },
		{ LS_EV_RE_RESET, EVM, "reset go" },
		{ LS_EV_LATCH_PASSED, LAT, "wait for done" },
		{ LS_EV_LATCH_DOWN, LAT, "count done down" },
	};
	char want[96];
	unsigned i;

	name_cast();
	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		feed(1, LS_EV_GATE_WAIT, g[i].obj, g[i].kind, 0);
		snprintf(want, sizeof(want), "alice is paused before: %s",
			 g[i].want);
		SAYS(want);
		feed(1, LS_EV_GATE_PASS, g[i].obj, g[i].kind, 0);
	}
}
END_TEST

static Suite *
model_sync_suite(void)
{
	Suite *s = suite_create("model_sync");
	TCase *tc = tcase_create("fold");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_lock_depth);
	tcase_add_test(tc, test_cond);
	tcase_add_test(tc, test_barrier);
	tcase_add_test(tc, test_manual_event);
	tcase_add_test(tc, test_auto_event);
	tcase_add_test(tc, test_latch);
	tcase_add_test(tc, test_timed_waits);
	tcase_add_test(tc, test_kinds_from_events);
	tcase_add_test(tc, test_changes);
	tcase_add_test(tc, test_gate_sentences);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_sync_suite());
}
