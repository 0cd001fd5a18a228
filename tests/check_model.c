/*
 * check_model.c - unit tests of the model's fold of threads and locks:
 * hand-built event sequences for each rule (mutex hand-off, rwlock
 * sharing, gates, timeouts and cancels, sequence gaps, healing of lost
 * events, slot recycling), and one run of real threads contending for an
 * engine mutex while the ring is drained into a model, which must never
 * see two owners.  Queues, pools and metrics are in check_model_metrics.c,
 * the timeline and change stamps in check_model_timeline.c, the event log
 * in check_model_log.c.
 */
#include "checkutil.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "lockstep/clock.h"
#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "model/model.h"
#include "modelutil.h"

START_TEST(test_mutex_handoff)
{
	const unsigned w23[] = { 2, 3 }, w3[] = { 3 };

	model_name_object(M, MU, LS_OBJ_MUTEX, "A");
	model_name_thread(M, 1, "T1");
	model_name_thread(M, 2, "T2");
	model_name_thread(M, 3, "T3");
	feed(1, LS_EV_THREAD_START, 0, 0, 0);
	feed(2, LS_EV_THREAD_START, 0, 0, 0);
	feed(3, LS_EV_THREAD_START, 0, 0, 0);
	ck_assert_str_eq(thr(2)->name, "T2");
	ck_assert_str_eq(obj(MU)->name, "A");
	ck_assert_uint_eq(obj(MU)->kind, LS_OBJ_MUTEX);

	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->owner, 1);
	ck_assert(holds(1, MU));
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);

	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(3, LS_EV_LOCK_WAIT, MU, 0, 0);
	assert_waiters(MU, 2, w23);
	ck_assert_uint_eq(obj(MU)->waiters[0].kind, LS_EV_LOCK_WAIT);
	ck_assert_uint_eq(thr(2)->state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(thr(2)->waiting_for, MU);
	ck_assert_uint_eq(thr(2)->wait_kind, LS_EV_LOCK_WAIT);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_BLOCKED);
	ck_assert(!holds(2, MU));
	ck_assert_uint_eq(obj(MU)->contended, 2);

	feed(1, LS_EV_LOCK_RELEASED, MU, 4000, 0);
	ck_assert_uint_eq(obj(MU)->owner, 0);
	ck_assert(!holds(1, MU));
	ck_assert_uint_eq(thr(1)->last_kind, LS_EV_LOCK_RELEASED);
	ck_assert_uint_eq(thr(1)->last_obj, MU);
	ck_assert_uint_eq(thr(1)->last_arg, 4000);

	feed(2, LS_EV_LOCK_ACQUIRED, MU, 5000, 0);
	ck_assert_uint_eq(obj(MU)->owner, 2);
	ck_assert(holds(2, MU));
	ck_assert_uint_eq(thr(2)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(2)->waiting_for, 0);
	assert_waiters(MU, 1, w3);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_BLOCKED);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 1);
	assert_in_bucket(model_wait_percentile(M, 50), 5000);
	ck_assert_uint_eq(obj(MU)->wait_ns_max, 5000);

	feed(2, LS_EV_LOCK_RELEASED, MU, 0, 0);
	feed(3, LS_EV_LOCK_ACQUIRED, MU, 9000, 0);
	ck_assert_uint_eq(obj(MU)->owner, 3);
	assert_waiters(MU, 0, NULL);
	feed(3, LS_EV_LOCK_RELEASED, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->owner, 0);
	ck_assert_uint_eq(obj(MU)->acquired, 3);
	ck_assert_uint_eq(obj(MU)->wait_ns_total, 14000);
	/* An uncontended acquisition is no wait sample. */
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 2);
	ck_assert_uint_eq(thr(3)->nheld, 0);
	ck_assert_uint_eq(M->events, 11);
	ck_assert_uint_eq(M->lost, 0);
}
END_TEST

START_TEST(test_rwlock_readers_and_writer)
{
	const unsigned w34[] = { 3, 4 }, w4[] = { 4 };

	model_name_object(M, RW, LS_OBJ_RWLOCK, "config");
	feed(1, LS_EV_RD_ACQUIRED, RW, 1, 0);
	feed(2, LS_EV_RD_ACQUIRED, RW, 2, 0);
	ck_assert_uint_eq(obj(RW)->nreaders, 2);
	ck_assert_uint_eq(obj(RW)->readers[0], 1);
	ck_assert_uint_eq(obj(RW)->readers[1], 2);
	ck_assert_uint_eq(obj(RW)->owner, 0);
	ck_assert_uint_eq(obj(RW)->count, 2);
	ck_assert(holds(1, RW) && holds(2, RW));

	feed(3, LS_EV_WR_WAIT, RW, 2, 1);
	feed(4, LS_EV_RD_WAIT, RW, 2, 2);
	assert_waiters(RW, 2, w34);
	ck_assert_uint_eq(obj(RW)->waiters[0].kind, LS_EV_WR_WAIT);
	ck_assert_uint_eq(obj(RW)->waiters[1].kind, LS_EV_RD_WAIT);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_BLOCKED);

	feed(1, LS_EV_RD_RELEASED, RW, 1, 0);
	ck_assert_uint_eq(obj(RW)->nreaders, 1);
	ck_assert_uint_eq(obj(RW)->readers[0], 2);
	ck_assert(!holds(1, RW));
	feed(2, LS_EV_RD_RELEASED, RW, 0, 0);
	ck_assert_uint_eq(obj(RW)->nreaders, 0);

	feed(3, LS_EV_WR_ACQUIRED, RW, 3000, 0);
	ck_assert_uint_eq(obj(RW)->owner, 3);
	ck_assert_uint_eq(obj(RW)->count, 0);
	ck_assert(holds(3, RW));
	assert_waiters(RW, 1, w4);
	ck_assert_uint_eq(thr(4)->state, LS_STATE_BLOCKED);

	feed(3, LS_EV_WR_RELEASED, RW, 2000, 0);
	ck_assert_uint_eq(obj(RW)->owner, 0);
	ck_assert(!holds(3, RW));
	feed(4, LS_EV_RD_ACQUIRED, RW, 1, 7);	/* waited 7 us */
	ck_assert_uint_eq(obj(RW)->nreaders, 1);
	ck_assert_uint_eq(obj(RW)->readers[0], 4);
	assert_waiters(RW, 0, NULL);
	ck_assert_uint_eq(thr(4)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 2);
	ck_assert_uint_eq(obj(RW)->wait_ns_max, 7000);

	/* A writer that times out leaves the queue, readers stay. */
	feed(5, LS_EV_WR_WAIT, RW, 1, 1);
	ck_assert_uint_eq(obj(RW)->nwaiting, 1);
	feed(5, LS_EV_RW_TIMEOUT, RW, 5000, 1);
	assert_waiters(RW, 0, NULL);
	ck_assert_uint_eq(thr(5)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(RW)->timeouts, 1);
	ck_assert_uint_eq(obj(RW)->nreaders, 1);
}
END_TEST

START_TEST(test_gate_park_pass)
{
	/* Running thread parks and passes back to running. */
	feed(1, LS_EV_THREAD_START, 0, 0, 0);
	feed(1, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_ACQUIRED, 0);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_PARKED);
	ck_assert_uint_eq(thr(1)->last_kind, LS_EV_GATE_WAIT);
	ck_assert_uint_eq(thr(1)->last_arg, LS_EV_LOCK_ACQUIRED);
	feed(1, LS_EV_GATE_PASS, MU, LS_EV_LOCK_ACQUIRED, 0);
	ck_assert_uint_eq(thr(1)->state, LS_STATE_RUNNING);

	/* An idle thread goes back to idle. */
	feed(2, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	feed(2, LS_EV_GATE_WAIT, Q, LS_EV_Q_POPPED, 0);
	ck_assert_uint_eq(thr(2)->state, LS_STATE_PARKED);
	feed(2, LS_EV_GATE_PASS, Q, LS_EV_Q_POPPED, 0);
	ck_assert_uint_eq(thr(2)->state, LS_STATE_IDLE);

	/* A cancel at the gate ends the parking too. */
	feed(3, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_ACQUIRED, 0);
	feed(3, LS_EV_CANCELLED, MU, 0, 0);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(MU)->cancelled, 1);
	feed(3, LS_EV_GATE_WAIT, MU, LS_EV_LOCK_ACQUIRED, 0);
	feed(3, LS_EV_THREAD_EXIT, 0, 0, 0);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_DONE);

	/* A lost GATE_PASS: the thread's next act takes it off the gate. */
	feed(4, LS_EV_GATE_WAIT, MU2, LS_EV_LOCK_ACQUIRED, 0);
	feed(4, LS_EV_LOCK_ACQUIRED, MU2, 0, 0);
	ck_assert_uint_eq(thr(4)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(MU2)->owner, 4);

	/* The timeline shows the parking. */
	ck_assert_uint_eq(model_state_at(thr(1), thr(1)->first_ts + 1000),
			  LS_STATE_PARKED);
}
END_TEST

START_TEST(test_timeouts_and_cancels_remove_waiters)
{
	const unsigned w234[] = { 2, 3, 4 }, w24[] = { 2, 4 }, w2[] = { 2 };

	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(3, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(4, LS_EV_LOCK_WAIT, MU, 0, 0);
	assert_waiters(MU, 3, w234);
	ck_assert_uint_eq(obj(MU)->kind, LS_OBJ_MUTEX);	/* inferred */
	feed(3, LS_EV_LOCK_TIMEOUT, MU, 3000, 0);
	assert_waiters(MU, 2, w24);
	ck_assert_uint_eq(thr(3)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(3)->waiting_for, 0);
	ck_assert(!holds(3, MU));
	ck_assert_uint_eq(obj(MU)->timeouts, 1);
	feed(4, LS_EV_CANCELLED, MU, 0, 0);
	assert_waiters(MU, 1, w2);
	ck_assert_uint_eq(obj(MU)->cancelled, 1);
	ck_assert_uint_eq(thr(4)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(obj(MU)->owner, 1);
	/* The wait of a timeout is no acquisition and no wait sample. */
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 0);

	/* Semaphores: permits are held until the same thread posts. */
	feed(5, LS_EV_SEM_ACQUIRED, SEM, 1, 0);
	feed(5, LS_EV_SEM_ACQUIRED, SEM, 0, 0);
	ck_assert_uint_eq(thr(5)->nheld, 2);
	ck_assert_uint_eq(obj(SEM)->count, 0);
	ck_assert_uint_eq(obj(SEM)->owner, 0);
	feed(6, LS_EV_SEM_WAIT, SEM, 0, 0);
	feed(7, LS_EV_SEM_WAIT, SEM, 0, 0);
	ck_assert_uint_eq(obj(SEM)->nwaiting, 2);
	feed(7, LS_EV_SEM_TIMEOUT, SEM, 0, 0);
	ck_assert_uint_eq(obj(SEM)->nwaiting, 1);
	ck_assert_uint_eq(obj(SEM)->waiters[0].tid, 6);
	feed(8, LS_EV_SEM_POST, SEM, 1, 0);	/* holds none: nothing */
	ck_assert_uint_eq(thr(8)->nheld, 0);
	feed(5, LS_EV_SEM_POST, SEM, 0, 0);
	ck_assert_uint_eq(thr(5)->nheld, 1);
	feed(6, LS_EV_SEM_ACQUIRED, SEM, 0, 0);
	ck_assert_uint_eq(obj(SEM)->nwaiting, 0);
	ck_assert(holds(6, SEM));
	ck_assert_uint_eq(model_wait_samples(M, MODEL_WAIT_ALL), 1);	/* T6's wait, from ts */

	/* Queue waits end by timeout and by cancel too. */
	feed(9, LS_EV_Q_POP_WAIT, Q, 0, 4);
	feed(10, LS_EV_Q_POP_WAIT, Q, 0, 4);
	feed(9, LS_EV_Q_TIMEOUT, Q, 0, 0);
	feed(10, LS_EV_CANCELLED, Q, 0, 0);
	assert_waiters(Q, 0, NULL);
	ck_assert_uint_eq(thr(9)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(10)->state, LS_STATE_RUNNING);

	/* An exit clears a wait (a thread cannot exit blocked, but its
	 * wait's end may have been dropped). */
	feed(11, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(11, LS_EV_THREAD_EXIT, 0, 0, 0);
	assert_waiters(MU, 1, w2);
	ck_assert_uint_eq(thr(11)->state, LS_STATE_DONE);
}
END_TEST

/* More waiters than the list shows: the list stays the head of the
 * queue, in order, as waiters leave. */
START_TEST(test_many_waiters)
{
	unsigned n = MODEL_MAX_WAITERS + 8, i;

	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	for (i = 0; i < n; i++)
		feed(100 + i, LS_EV_LOCK_WAIT, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->nwaiters, MODEL_MAX_WAITERS);
	ck_assert_uint_eq(obj(MU)->nwaiting, n);
	/* The third waiter and one past the list give up. */
	feed(102, LS_EV_LOCK_TIMEOUT, MU, 0, 0);
	feed(100 + n - 1, LS_EV_LOCK_TIMEOUT, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->nwaiting, n - 2);
	ck_assert_uint_eq(obj(MU)->nwaiters, MODEL_MAX_WAITERS);
	ck_assert_uint_eq(obj(MU)->waiters[2].tid, 103);
	ck_assert_uint_eq(obj(MU)->waiters[MODEL_MAX_WAITERS - 1].tid,
			  100 + MODEL_MAX_WAITERS);
	/* Hand the lock down the queue. */
	feed(1, LS_EV_LOCK_RELEASED, MU, 0, 0);
	for (i = 0; i < n; i++) {
		unsigned tid = 100 + i;

		if (i == 2 || i == n - 1)
			continue;
		ck_assert_uint_eq(obj(MU)->waiters[0].tid, tid);
		feed(tid, LS_EV_LOCK_ACQUIRED, MU, 1, 0);
		feed(tid, LS_EV_LOCK_RELEASED, MU, 0, 0);
	}
	assert_waiters(MU, 0, NULL);
}
END_TEST

START_TEST(test_sequence_gaps)
{
	struct ls_event e = { .tid = 1, .kind = LS_EV_MARK };
	const uint32_t seqs[] = { 0, 1, 2, 5, 6, 10, 10, 9, 11 };
	size_t i;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		e.ts = 1000 * (i + 1);
		e.seq = seqs[i];
		model_apply(M, &e);
	}
	/* 3, 4 and 7, 8, 9 missing; the repeated 10 and late 9 move
	 * nothing. */
	ck_assert_uint_eq(thr(1)->lost, 5);
	ck_assert_uint_eq(thr(1)->next_seq, 12);
	ck_assert_uint_eq(thr(1)->events, sizeof(seqs) / sizeof(seqs[0]));
	/* A lane starts at seq 0: a first event at 3 lost three. */
	e.tid = 2;
	e.seq = 3;
	e.ts = 100000;
	model_apply(M, &e);
	ck_assert_uint_eq(thr(2)->lost, 3);
	ck_assert_uint_eq(M->lost, 8);
	/* Wrap-around of the 32-bit seq is no gap. */
	e.tid = 3;
	e.seq = UINT32_MAX - 1;
	model_apply(M, &e);
	e.seq = UINT32_MAX;
	model_apply(M, &e);
	e.seq = 0;
	model_apply(M, &e);
	ck_assert_uint_eq(thr(3)->lost, UINT32_MAX - 1);
	e.seq = 2;
	model_apply(M, &e);
	ck_assert_uint_eq(thr(3)->lost, (uint64_t)UINT32_MAX);
	model_set_ring_dropped(M, 42);
	ck_assert_uint_eq(M->ring_dropped, 42);
}
END_TEST

START_TEST(test_lost_release_healed)
{
	/* T1's LOCK_RELEASED is lost; T2's acquisition proves it. */
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed_seq[1]++;	/* the dropped release */
	feed(2, LS_EV_LOCK_ACQUIRED, MU, 2000, 0);
	ck_assert_uint_eq(obj(MU)->owner, 2);
	ck_assert(!holds(1, MU));
	ck_assert(holds(2, MU));
	assert_waiters(MU, 0, NULL);
	feed(1, LS_EV_MARK, 0, 0, 0);
	ck_assert_uint_eq(thr(1)->lost, 1);

	/* A late release by T1 does not free T2's lock. */
	feed(1, LS_EV_LOCK_RELEASED, MU, 0, 0);
	ck_assert_uint_eq(obj(MU)->owner, 2);

	/* Writer's release lost, readers come in. */
	feed(3, LS_EV_WR_ACQUIRED, RW, 0, 0);
	feed(4, LS_EV_RD_ACQUIRED, RW, 1, 0);
	ck_assert_uint_eq(obj(RW)->owner, 0);
	ck_assert(!holds(3, RW));
	ck_assert_uint_eq(obj(RW)->nreaders, 1);
	/* Readers' releases lost, a writer comes in. */
	feed(5, LS_EV_RD_ACQUIRED, RW, 2, 0);
	feed(3, LS_EV_WR_ACQUIRED, RW, 0, 0);
	ck_assert_uint_eq(obj(RW)->owner, 3);
	ck_assert_uint_eq(obj(RW)->nreaders, 0);
	ck_assert_uint_eq(obj(RW)->count, 0);
	ck_assert(!holds(4, RW) && !holds(5, RW));

	/* A lost ACQUIRED: the waiter's next event ends its wait. */
	feed(6, LS_EV_LOCK_WAIT, MU2, 0, 0);
	feed(6, LS_EV_MARK, 0, 1, 0);
	ck_assert_uint_eq(thr(6)->state, LS_STATE_RUNNING);
	assert_waiters(MU2, 0, NULL);
	/* A wait on another object replaces the first. */
	feed(7, LS_EV_LOCK_WAIT, MU, 0, 0);
	feed(7, LS_EV_LOCK_WAIT, MU2, 0, 0);
	ck_assert_uint_eq(obj(MU)->nwaiting, 0);
	ck_assert_uint_eq(obj(MU2)->nwaiting, 1);
	ck_assert_uint_eq(thr(7)->waiting_for, MU2);
}
END_TEST

START_TEST(test_errors)
{
	feed(1, LS_EV_LOCK_ACQUIRED, MU, 0, 0);
	feed(2, LS_EV_ERROR, MU, LS_ERR_NOT_OWNER, 1);
	feed(1, LS_EV_ERROR, MU, LS_ERR_RELOCK, 1);
	ck_assert_uint_eq(M->errors, 2);
	ck_assert_uint_eq(obj(MU)->errors, 2);
	ck_assert_uint_eq(M->last_error.tid, 1);
	ck_assert_uint_eq(M->last_error.arg, LS_ERR_RELOCK);
	ck_assert_uint_eq(obj(MU)->owner, 1);
	/* A failed trylock names an owner but changes none. */
	feed(3, LS_EV_LOCK_BUSY, MU, 9, 0);
	ck_assert_uint_eq(obj(MU)->owner, 1);
	/* A scene variable shows its value. */
	model_name_object(M, 50, LS_OBJ_VAR, "balance");
	feed(1, LS_EV_MARK, 50, 100, 0);
	ck_assert_uint_eq(obj(50)->count, 100);
}
END_TEST

static unsigned
used_threads(void)
{
	unsigned i, n = 0;

	for (i = 0; i < MODEL_MAX_THREADS; i++)
		n += M->threads[i].used;
	return n;
}

START_TEST(test_slot_recycling)
{
	unsigned i, n = 1000, used;
	uint64_t ev;

	/* A long-lived thread, then 1000 short-lived ones, each taking and
	 * releasing a lock of its own (so objects recycle too). */
	model_name_thread(M, 4000, "main");
	feed(4000, LS_EV_THREAD_START, 0, 0, 0);
	for (i = 1; i <= n; i++) {
		uint32_t id = 1000 + i;

		model_name_thread(M, i, "worker");
		feed(i, LS_EV_THREAD_START, 0, 0, 0);
		feed(i, LS_EV_LOCK_ACQUIRED, id, 0, 0);
		feed(i, LS_EV_LOCK_RELEASED, id, 0, 0);
		feed(i, LS_EV_THREAD_EXIT, 0, 0, 0);
		if (i % 10 == 0)
			feed(4000, LS_EV_MARK, 0, i, 0);
		ck_assert_uint_eq(thr(i)->events, 4);
		ck_assert_str_eq(thr(i)->name, "worker");
		ck_assert_uint_eq(obj(id)->acquired, 1);
	}
	ck_assert_uint_eq(M->threads_overflow, 0);
	ck_assert_uint_eq(M->objects_overflow, 0);
	ck_assert_uint_eq(thr(4000)->events, 1 + n / 10);
	ck_assert_str_eq(thr(4000)->name, "main");
	ck_assert_uint_eq(used_threads(), MODEL_MAX_THREADS);
	/* The newest threads are kept, the oldest recycled. */
	ck_assert_ptr_null(model_thread(M, 1));
	ck_assert_ptr_nonnull(model_thread(M, n));
	ck_assert_ptr_nonnull(model_thread(M, n - (MODEL_MAX_THREADS - 2)));
	ck_assert_ptr_null(model_thread(M, n - (MODEL_MAX_THREADS - 1)));
	ck_assert_uint_eq(M->lost, 0);

	/* Fill every slot with live threads: a newcomer finds none. */
	for (i = 2001; model_thread(M, n); i++)
		feed(i, LS_EV_THREAD_START, 0, 0, 0);
	ck_assert_uint_eq(used_threads(), MODEL_MAX_THREADS);
	used = i;	/* the next tid */
	ev = M->events;
	model_name_thread(M, used, "late");
	feed(used, LS_EV_THREAD_START, 0, 0, 0);
	feed(used, LS_EV_LOCK_ACQUIRED, 7, 0, 0);
	ck_assert_ptr_null(model_thread(M, used));
	ck_assert_uint_eq(M->threads_overflow, 2);
	ck_assert_uint_eq(M->events, ev + 2);
	/* One exits; the newcomer's next event takes its slot. */
	feed(2001, LS_EV_THREAD_EXIT, 0, 0, 0);
	feed(used, LS_EV_LOCK_RELEASED, 7, 0, 0);
	ck_assert_ptr_null(model_thread(M, 2001));
	ck_assert_uint_eq(thr(used)->events, 1);
	ck_assert_uint_eq(M->threads_overflow, 2);
	ck_assert_uint_eq(model_thread(M, 4000)->tid, 4000);
}
END_TEST

START_TEST(test_object_slots_full)
{
	unsigned i;

	/* Every object held: none can be recycled. */
	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		feed(1 + i, LS_EV_LOCK_ACQUIRED, 100 + i, 0, 0);
	feed(1, LS_EV_LOCK_ACQUIRED, 999, 0, 0);
	ck_assert_ptr_null(model_object(M, 999));
	ck_assert_uint_eq(M->objects_overflow, 1);
	/* The thread side of the event still counts. */
	ck_assert_uint_eq(thr(1)->last_obj, 999);
	/* Release one: the next object takes its slot. */
	feed(2, LS_EV_LOCK_RELEASED, 101, 0, 0);
	feed(3, LS_EV_LOCK_ACQUIRED, 1000, 0, 0);
	ck_assert_ptr_null(model_object(M, 101));
	ck_assert_uint_eq(obj(1000)->owner, 3);
	ck_assert_uint_eq(obj(100)->owner, 1);
	ck_assert_uint_eq(M->objects_overflow, 1);
}
END_TEST

/* Real threads on an engine mutex, drained into a model. */

struct contend {
	struct ls_mutex *mu;
	unsigned iters;
	unsigned spin;			/* work inside, so others queue */
	pthread_barrier_t start;	/* contenders begin together */
	unsigned long counter;		/* guarded by mu */
	atomic_uint failures;		/* lock/unlock errors in contenders */
};

static void
contender(void *p)
{
	struct contend *c = p;
	unsigned i;
	int rc = pthread_barrier_wait(&c->start);

	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
		atomic_fetch_add(&c->failures, 1);
		return;
	}
	for (i = 0; i < c->iters; i++) {
		if (ls_mutex_lock(c->mu)) {
			atomic_fetch_add(&c->failures, 1);
			return;
		}
		for (volatile unsigned j = 0; j < c->spin; j++)
			continue;
		/* Now and then give the core away while holding the lock,
		 * so the others queue even where they would not overlap. */
		if (i % 16 == 0)
			sched_yield();
		c->counter++;
		if (ls_mutex_unlock(c->mu))
			atomic_fetch_add(&c->failures, 1);
	}
}

START_TEST(test_real_mutex_never_two_owners)
{
	unsigned nthreads = (unsigned)test_size("MODEL_THREADS", 3, 3);
	unsigned long iters = test_size("MODEL_ITERS", 20000, 2000);
	struct ls_ring_config cfg = { .max_lanes = 16 };
	struct ls_ring *ring = NULL;
	struct ls_group *g = NULL;
	struct contend c = {
		.iters = (unsigned)iters,
		.spin = (unsigned)test_size("MODEL_SPIN", 200, 200),
	};
	struct ls_event buf[512];
	const struct model_object *o;
	unsigned long two_owners = 0, foreign_release = 0, not_head = 0;
	unsigned long acquired = 0, batches = 0;
	unsigned exits = 0, i;
	uint32_t id;
	char name[16];

	/* Every event a contender emits fits its lane, so nothing is
	 * dropped and every release reaches the model. */
	cfg.lane_events = 2;
	while (cfg.lane_events < 3 * iters + 16)
		cfg.lane_events *= 2;
	ck_assert_int_eq(ls_ring_create(&cfg, &ring), 0);
	ck_assert_int_eq(ls_group_create(ring, "contend", &g), 0);
	ck_assert_int_eq(ls_mutex_create(ring, "A", &c.mu), 0);
	id = ls_mutex_id(c.mu);
	ck_assert_uint_ne(id, 0);
	model_name_object(M, id, LS_OBJ_MUTEX, "A");
	ck_assert_int_eq(pthread_barrier_init(&c.start, NULL, nthreads), 0);
	for (i = 0; i < nthreads; i++) {
		snprintf(name, sizeof(name), "T%u", i + 1);
		ck_assert_int_eq(ls_thread_spawn(g, name, contender, &c), 0);
	}

	/* Each lane's THREAD_EXIT is its last event, and a lane's events
	 * come in order: once every exit is folded, everything is. */
	while (exits < nthreads) {
		size_t n = ls_ring_drain(ring, buf, 512), k;

		if (!n) {
			/* Pace the consumer on a 2-core machine; events
			 * wait in their lanes, nothing is lost or reordered
			 * by waiting. */
			struct timespec d = { .tv_nsec = 50000 };

			nanosleep(&d, NULL);
			continue;
		}
		batches++;
		for (k = 0; k < n; k++) {
			const struct ls_event *e = &buf[k];
			const struct model_thread *t;

			o = model_object(M, id);
			if (e->obj == id && e->kind == LS_EV_LOCK_ACQUIRED) {
				acquired++;
				if (o && o->owner && o->owner != e->tid)
					two_owners++;
				t = model_thread(M, e->tid);
				/* FIFO hand-off: a waiter gets the lock
				 * only at the head of the queue. */
				if (t && t->waiting_for == id &&
				    (!o->nwaiters ||
				     o->waiters[0].tid != e->tid))
					not_head++;
			}
			if (e->obj == id && e->kind == LS_EV_LOCK_RELEASED &&
			    (!o || o->owner != e->tid))
				foreign_release++;
			if (e->kind == LS_EV_THREAD_EXIT)
				exits++;
			model_apply(M, e);
		}
		model_set_ring_dropped(M, ls_ring_dropped_total(ring));
		ck_assert_ptr_null(model_consistent(M));
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_uint_eq(ls_ring_drain(ring, buf, 512), 0);

	ck_assert_uint_eq(atomic_load(&c.failures), 0);
	ck_assert_uint_eq(c.counter, nthreads * iters);
	ck_assert_uint_eq(M->ring_dropped, 0);
	ck_assert_uint_eq(M->lost, 0);
	ck_assert_uint_eq(two_owners, 0);
	ck_assert_uint_eq(foreign_release, 0);
	ck_assert_uint_eq(not_head, 0);
	ck_assert_uint_eq(acquired, nthreads * iters);
	o = model_object(M, id);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->acquired, nthreads * iters);
	ck_assert_uint_eq(o->owner, 0);
	ck_assert_uint_eq(o->nwaiting, 0);
	/* Hand-offs are what the test is about: some must have happened. */
	ck_assert_uint_gt(o->contended, 0);
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &M->threads[i];

		if (!t->used)
			continue;
		ck_assert_uint_eq(t->state, LS_STATE_DONE);
		ck_assert_uint_eq(t->nheld, 0);
	}
	fprintf(stderr,
		"real mutex: %u threads x %lu, %lu contended, %lu batches\n",
		nthreads, iters, (unsigned long)o->contended, batches);
	pthread_barrier_destroy(&c.start);
	ls_group_destroy(g);
	ls_mutex_destroy(c.mu);
	ls_ring_destroy(ring);
}
END_TEST

static Suite *
model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("fold");
	TCase *rt = tcase_create("real threads");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_mutex_handoff);
	tcase_add_test(tc, test_rwlock_readers_and_writer);
	tcase_add_test(tc, test_gate_park_pass);
	tcase_add_test(tc, test_timeouts_and_cancels_remove_waiters);
	tcase_add_test(tc, test_many_waiters);
	tcase_add_test(tc, test_sequence_gaps);
	tcase_add_test(tc, test_lost_release_healed);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_slot_recycling);
	tcase_add_test(tc, test_object_slots_full);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(rt, setup, teardown);
	tcase_set_timeout(rt, 30);
	tcase_add_test(rt, test_real_mutex_never_two_owners);
	suite_add_tcase(s, rt);
	return s;
}

int
main(void)
{
	return test_run_suite(model_suite());
}
