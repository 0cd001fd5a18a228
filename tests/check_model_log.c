/*
 * check_model_log.c - unit tests of what the model says happened: the
 * event log (what it keeps, in which order, what it dropped), each event
 * as a sentence in plain words (as it was when folded, with no engine
 * word in it), and the outcomes scenes report.
 */
#include "checkutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "modelutil.h"

/* The log keeps the newest MODEL_LOG events of the whole run, numbered
 * from the first, and says how many older ones it dropped. */
START_TEST(test_recent_log)
{
	static struct ls_event out[MODEL_LOG + 10];
	unsigned i, n = MODEL_LOG + 300;
	uint64_t ts0 = feed_ts + 1000;
	char line[64];
	size_t k;

	ck_assert_uint_eq(model_recent(M, out, 10), 0);
	ck_assert_uint_eq(model_log_first(M), 0);
	ck_assert_uint_eq(model_log_end(M), 0);
	ck_assert_ptr_null(model_log_entry(M, 0));
	ck_assert_uint_eq(model_log_say(M, 0, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "");
	for (i = 0; i < 100; i++)
		feed(1, LS_EV_MARK, 0, i, 0);
	/* Nothing dropped yet: the first event is there. */
	ck_assert_uint_eq(model_log_first(M), 0);
	ck_assert_uint_eq(model_log_end(M), 100);
	ck_assert_uint_eq(model_log_entry(M, 0)->e.arg, 0);
	ck_assert_uint_eq(model_log_entry(M, 0)->e.ts, ts0);
	ck_assert_uint_eq(model_log_entry(M, 99)->e.arg, 99);
	ck_assert_ptr_null(model_log_entry(M, 100));
	for (; i < n; i++)
		feed(1, LS_EV_MARK, 0, i, 0);
	/* The oldest 300 went; numbers stay what they were. */
	ck_assert_uint_eq(model_log_end(M), n);
	ck_assert_uint_eq(model_log_first(M), 300);
	ck_assert_ptr_null(model_log_entry(M, 299));
	ck_assert_uint_eq(model_log_entry(M, 300)->e.arg, 300);
	ck_assert_uint_eq(model_log_entry(M, 300)->e.ts, ts0 + 300 * 1000);
	ck_assert_uint_eq(model_log_entry(M, n - 1)->e.arg, n - 1);
	ck_assert_uint_eq(model_log_say(M, 299, line, sizeof(line)), 0);
	ck_assert_uint_gt(model_log_say(M, 300, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "T1 marked 300");
	k = model_recent(M, out, 10);
	ck_assert_uint_eq(k, 10);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(out[i].arg, n - 10 + i);
	k = model_recent(M, out, MODEL_LOG + 10);
	ck_assert_uint_eq(k, MODEL_LOG);
	ck_assert_uint_eq(out[0].arg, 300);
	ck_assert_uint_eq(out[MODEL_LOG - 1].arg, n - 1);
	ck_assert_uint_eq(M->first_ts, ts0);
	ck_assert_uint_eq(M->now, feed_ts);
}
END_TEST

/* Outcomes: the first stays, the latest follows, NONE is no outcome. */
START_TEST(test_outcomes)
{
	struct model_outcome first, last;
	uint64_t ts1, ts3;

	memset(&first, 0xa5, sizeof(first));
	ck_assert_uint_eq(model_outcomes(M, &first, &last), 0);
	ck_assert_uint_eq(first.kind, 0xa5a5a5a5u);	/* untouched */
	model_name_object(M, 50, LS_OBJ_VAR, "balance");
	feed(2, LS_EV_OUTCOME, 0, LS_OUT_NONE, 2);
	ck_assert_uint_eq(model_outcomes(M, NULL, NULL), 0);
	feed(2, LS_EV_OUTCOME, 50, LS_OUT_LOST_UPDATE, 2);
	ts1 = feed_ts;
	ck_assert_uint_eq(model_outcomes(M, &first, &last), 1);
	ck_assert_uint_eq(first.kind, LS_OUT_LOST_UPDATE);
	ck_assert_uint_eq(first.obj, 50);
	ck_assert_uint_eq(first.tid, 2);
	ck_assert_uint_eq(first.ts, ts1);
	ck_assert_mem_eq(&first, &last, sizeof(first));
	/* Emitted by one thread about another (aux). */
	feed(9, LS_EV_OUTCOME, 0, LS_OUT_DEADLOCK, 3);
	feed(1, LS_EV_OUTCOME, 50, LS_OUT_INVARIANT, 1);
	ts3 = feed_ts;
	ck_assert_uint_eq(model_outcomes(M, &first, &last), 3);
	ck_assert_uint_eq(first.kind, LS_OUT_LOST_UPDATE);
	ck_assert_uint_eq(first.ts, ts1);
	ck_assert_uint_eq(last.kind, LS_OUT_INVARIANT);
	ck_assert_uint_eq(last.tid, 1);
	ck_assert_uint_eq(last.obj, 50);
	ck_assert_uint_eq(last.ts, ts3);
	model_outcomes(M, NULL, &last);
	ck_assert_uint_eq(last.kind, LS_OUT_INVARIANT);
	/* A thread's outcome is an event like any: no state changes. */
	ck_assert_uint_eq(thr(9)->state, LS_STATE_RUNNING);
	ck_assert_uint_eq(thr(9)->last_kind, LS_EV_OUTCOME);
}
END_TEST

/* The sentence of the newest log entry. */
static const char *
said(void)
{
	static char line[160];
	size_t n = model_log_say(M, model_log_end(M) - 1, line, sizeof(line));

	ck_assert_uint_eq(n, strlen(line));
	return line;
}

/* Feed one event and assert its sentence. */
static void
says(const char *want, unsigned tid, unsigned kind, uint32_t obj,
     uint64_t arg, uint32_t aux)
{
	feed(tid, kind, obj, arg, aux);
	ck_assert_str_eq(said(), want);
}

enum { ALICE = 1, BOB = 2, CAROL = 3, B = 10, BALANCE = 11, JOBS = 12,
       CONFIG = 13, SLOTS = 14, TASKS = 15 };

static void
name_cast(void)
{
	model_name_thread(M, ALICE, "alice");
	model_name_thread(M, BOB, "bob");
	model_name_thread(M, CAROL, "carol");
	model_name_object(M, B, LS_OBJ_MUTEX, "B");
	model_name_object(M, BALANCE, LS_OBJ_VAR, "balance");
	model_name_object(M, JOBS, LS_OBJ_QUEUE, "queue");
	model_name_object(M, CONFIG, LS_OBJ_RWLOCK, "config");
	model_name_object(M, SLOTS, LS_OBJ_SEM, "slots");
	model_name_object(M, TASKS, LS_OBJ_POOL, "pool");
}

/* The sentences the brief asks for, word for word. */
START_TEST(test_sentences)
{
	name_cast();
	says("alice started", ALICE, LS_EV_THREAD_START, 0, 0, 0);
	says("bob locked B", BOB, LS_EV_LOCK_ACQUIRED, B, 0, 0);
	says("alice waits for B (held by bob)", ALICE, LS_EV_LOCK_WAIT, B, 0,
	     0);
	says("alice read balance = 100", ALICE, LS_EV_MARK, BALANCE, 100,
	     LS_MARK_READ);
	says("bob wrote balance = 50", BOB, LS_EV_MARK, BALANCE, 50,
	     LS_MARK_WRITE);
	says("balance = 50", CAROL, LS_EV_MARK, BALANCE, 50, 0);
	says("balance[3] = 409", CAROL, LS_EV_MARK, BALANCE, 409, 3);
	says("bob wrote balance = -50", BOB, LS_EV_MARK, BALANCE,
	     (uint64_t)-50, LS_MARK_WRITE);
	says("queue depth 3 of 8 after carol pushed", CAROL, LS_EV_Q_PUSHED,
	     JOBS, 3, 8);
	says("bob is paused before: lock B", BOB, LS_EV_GATE_WAIT, B,
	     LS_EV_LOCK_ACQUIRED, 0);
	says("bob goes on: lock B", BOB, LS_EV_GATE_PASS, B,
	     LS_EV_LOCK_ACQUIRED, 0);
	/* A gate's aux is a tag (a script's step), no read or write. */
	says("bob is paused before: use balance", BOB, LS_EV_GATE_WAIT,
	     BALANCE, LS_EV_MARK, LS_MARK_WRITE);
	says("bob goes on: use balance", BOB, LS_EV_GATE_PASS, BALANCE,
	     LS_EV_MARK, 0);
	says("bob unlocked B", BOB, LS_EV_LOCK_RELEASED, B, 4000, 0);
	says("alice locked B after waiting 5.0 ms", ALICE,
	     LS_EV_LOCK_ACQUIRED, B, 5000000, 0);
	/* An unnamed thread and object still read as sentences. */
	says("T7 locked #99", 7, LS_EV_LOCK_ACQUIRED, 99, 0, 0);
	says("bob is paused", BOB, LS_EV_STATE, 0, LS_STATE_PARKED, 0);
	says("LOST UPDATE by bob on balance", ALICE, LS_EV_OUTCOME, BALANCE,
	     LS_OUT_LOST_UPDATE, BOB);
}
END_TEST

/* Every kind of event reads as a sentence without an engine word in it,
 * and never overruns the buffer. */
START_TEST(test_sentences_every_kind)
{
	static const uint32_t objs[] = { B, B, B, CONFIG, CONFIG, SLOTS,
					 JOBS, TASKS, BALANCE, 0 };
	char line[200], tiny[8];
	unsigned kind, k, i;
	size_t n;

	name_cast();
	for (kind = LS_EV_NONE + 1; kind < LS_EV_KIND_COUNT; kind++) {
		for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
			struct ls_event e = {
				.ts = feed_ts += 1000, .tid = BOB,
				.kind = (uint16_t)kind, .obj = objs[i],
				.arg = 3, .aux = 8, .seq = feed_seq[BOB]++,
			};

			n = model_say(M, &e, line, sizeof(line));
			ck_assert_uint_eq(n, strlen(line));
			ck_assert_msg(n > 0, "%s says nothing",
				      ls_event_kind_name(kind));
			for (k = LS_EV_NONE + 1; k < LS_EV_KIND_COUNT; k++)
				ck_assert_msg(!strstr(line,
						      ls_event_kind_name(k)),
					      "'%s' has an engine word", line);
			ck_assert_msg(!strstr(line, "_"), "'%s'", line);
			/* Truncated as snprintf does: same length said. */
			ck_assert_uint_eq(model_say(M, &e, tiny, sizeof(tiny)),
					  n);
			ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
			ck_assert_uint_eq(model_say(M, &e, NULL, 0), n);
			model_apply(M, &e);
		}
	}
}
END_TEST

/* A log entry reads as it was when it was folded: who held the lock then,
 * not now; a thread whose slot was recycled keeps its name. */
START_TEST(test_sentences_as_they_were)
{
	uint64_t wait_at, i;
	char line[160];
	unsigned t;

	name_cast();
	feed(BOB, LS_EV_LOCK_ACQUIRED, B, 0, 0);
	feed(ALICE, LS_EV_LOCK_WAIT, B, 0, 0);
	wait_at = model_log_end(M) - 1;
	feed(BOB, LS_EV_LOCK_RELEASED, B, 0, 0);
	feed(ALICE, LS_EV_LOCK_ACQUIRED, B, 2000, 0);
	feed(CAROL, LS_EV_LOCK_WAIT, B, 0, 0);
	ck_assert_str_eq(said(), "carol waits for B (held by alice)");
	model_log_say(M, wait_at, line, sizeof(line));
	ck_assert_str_eq(line, "alice waits for B (held by bob)");
	/* What a woken waiter saw differs from what a closer did. */
	feed(ALICE, LS_EV_Q_POP_WAIT, JOBS, 0, 8);
	feed(BOB, LS_EV_Q_CLOSED, JOBS, 0, 8);
	ck_assert_str_eq(said(), "queue is closed (bob)");
	feed(ALICE, LS_EV_Q_CLOSED, JOBS, 0, 8);
	ck_assert_str_eq(said(), "alice woke: queue is closed");

	/* 200 short-lived threads recycle slots; the first one's events
	 * still carry its name. */
	for (t = 100; t < 300; t++) {
		char name[16];

		snprintf(name, sizeof(name), "worker-%u", t);
		model_name_thread(M, t, name);
		feed(t, LS_EV_THREAD_START, 0, 0, 0);
		if (t == 100)
			i = model_log_end(M) - 1;
		feed(t, LS_EV_THREAD_EXIT, 0, 0, 0);
	}
	ck_assert_ptr_null(model_thread(M, 100));
	model_log_say(M, i, line, sizeof(line));
	ck_assert_str_eq(line, "worker-100 started");
}
END_TEST

/* A reused tid: the new name arrives before the new thread's start
 * (feed.c); the old thread's entries keep its name throughout. */
START_TEST(test_sentences_reused_tid)
{
	uint64_t old_start, old_exit, new_start;
	char line[160];

	model_name_thread(M, 60, "teller");
	feed(60, LS_EV_THREAD_START, 0, 0, 0);
	old_start = model_log_end(M) - 1;
	feed(60, LS_EV_THREAD_EXIT, 0, 0, 0);
	old_exit = model_log_end(M) - 1;
	/* Renamed: not started yet, the old entries still read as they
	 * were. */
	model_name_thread(M, 60, "auditor");
	model_log_say(M, old_exit, line, sizeof(line));
	ck_assert_str_eq(line, "teller finished");
	feed_seq[60] = 0;	/* a new lane */
	feed(60, LS_EV_THREAD_START, 0, 0, 0);
	new_start = model_log_end(M) - 1;
	ck_assert_uint_eq(thr(60)->events, 1);
	ck_assert_str_eq(thr(60)->name, "auditor");
	model_log_say(M, old_start, line, sizeof(line));
	ck_assert_str_eq(line, "teller started");
	model_log_say(M, old_exit, line, sizeof(line));
	ck_assert_str_eq(line, "teller finished");
	model_log_say(M, new_start, line, sizeof(line));
	ck_assert_str_eq(line, "auditor started");
	/* Reused under the same name, restarted by its start alone. */
	feed(60, LS_EV_THREAD_EXIT, 0, 0, 0);
	old_exit = model_log_end(M) - 1;
	model_name_thread(M, 60, "auditor");
	feed_seq[60] = 0;
	feed(60, LS_EV_THREAD_START, 0, 0, 0);
	ck_assert_uint_eq(thr(60)->events, 1);
	model_log_say(M, old_exit, line, sizeof(line));
	ck_assert_str_eq(line, "auditor finished");
	model_log_say(M, old_start, line, sizeof(line));
	ck_assert_str_eq(line, "teller started");
}
END_TEST

static Suite *
model_log_suite(void)
{
	Suite *s = suite_create("model_log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_recent_log);
	tcase_add_test(tc, test_outcomes);
	tcase_add_test(tc, test_sentences);
	tcase_add_test(tc, test_sentences_every_kind);
	tcase_add_test(tc, test_sentences_as_they_were);
	tcase_add_test(tc, test_sentences_reused_tid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_log_suite());
}
