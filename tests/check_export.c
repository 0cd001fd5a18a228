/*
 * check_export.c - Chrome trace export from hand-made event streams: the
 * slices, holds, flows, counters and instants each stream must give, the
 * hand-offs that must not become flows (a barging thread, a waiter that
 * gave up), names made safe for JSON, a tid that lives twice, and write
 * errors.  The export of real runs is checked by trace_check.sh.
 */
#include "checkutil.h"

#include "cli/export.h"
#include "trace/record.h"

struct out {
	FILE *f;
	char *buf;
	size_t len;
	struct export *x;
	uint32_t seq[8];	/* per tid, so no gap unless a test wants one */
};

static void
begin(struct out *o)
{
	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	ck_assert_ptr_nonnull(o->f);
	ck_assert_int_eq(export_open(o->f, "test", &o->x), 0);
	export_thread_name(o->x, 1, "T1");
	export_thread_name(o->x, 2, "T2");
	export_thread_name(o->x, 3, "T3");
	export_object_name(o->x, 1, LS_OBJ_MUTEX, "A");
	export_object_name(o->x, 2, LS_OBJ_SEM, "S");
	export_object_name(o->x, 3, LS_OBJ_QUEUE, "q");
}

/* One event at ts microseconds (as ns), its tid's next seq. */
static void
ev(struct out *o, uint64_t us, unsigned tid, unsigned kind, uint32_t obj,
   uint64_t arg, uint32_t aux)
{
	struct ls_event e = {
		.ts = us * 1000, .tid = (uint16_t)tid, .kind = (uint16_t)kind,
		.obj = obj, .arg = arg, .aux = aux, .seq = o->seq[tid]++,
	};

	export_event(o->x, &e);
}

static void
end(struct out *o)
{
	ck_assert_int_eq(export_close(o->x), 0);
	ck_assert_int_eq(fclose(o->f), 0);
}

static unsigned
count(const struct out *o, const char *what)
{
	const char *p = o->buf;
	unsigned n = 0;

	while ((p = strstr(p, what))) {
		n++;
		p++;
	}
	return n;
}

#define HAS(o, what) \
	ck_assert_msg(count(o, what) > 0, "no %s in:\n%s", what, (o)->buf)

START_TEST(test_lock_handoff)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 2, 2, LS_EV_LOCK_WAIT, 1, 0, 0);
	ev(&o, 3, 1, LS_EV_LOCK_RELEASED, 1, 0, 0);
	ev(&o, 4, 2, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 5, 2, LS_EV_LOCK_RELEASED, 1, 0, 0);
	ev(&o, 6, 1, LS_EV_THREAD_EXIT, 0, 0, 0);
	ev(&o, 7, 2, LS_EV_THREAD_EXIT, 0, 0, 0);
	end(&o);
	ck_assert_ptr_nonnull(strstr(o.buf, "{\"traceEvents\":["));
	/* Holds on a track per thread and lock, named after the lock. */
	HAS(&o, "{\"ph\":\"X\",\"name\":\"hold A\",\"cat\":\"hold\","
		"\"ts\":0.000,\"pid\":1,\"tid\":100000,\"dur\":2.000,"
		"\"args\":{\"lock\":\"A\"}}");
	HAS(&o, "\"name\":\"hold A\",\"cat\":\"hold\",\"ts\":3.000,\"pid\":1,"
		"\"tid\":100002,\"dur\":1.000");
	/* The wait, on T2's own track. */
	HAS(&o, "{\"ph\":\"X\",\"name\":\"wait A\",\"cat\":\"state\","
		"\"ts\":1.000,\"pid\":1,\"tid\":2,\"dur\":2.000,\"args\":"
		"{\"state\":\"blocked\",\"object\":\"A\"}}");
	/* The flow: from T1's release to the slice T2 starts with A. */
	HAS(&o, "\"name\":\"release A\",\"cat\":\"handoff\",\"ts\":2.000,"
		"\"pid\":1,\"tid\":100001,\"dur\":0,\"bind_id\":1,"
		"\"flow_out\":true}");
	HAS(&o, "\"name\":\"running\",\"cat\":\"state\",\"ts\":3.000,"
		"\"pid\":1,\"tid\":2,\"dur\":3.000,\"args\":{\"state\":"
		"\"running\"},\"bind_id\":1,\"flow_in\":true}");
	ck_assert_uint_eq(count(&o, "\"flow_out\""), 1);
	ck_assert_uint_eq(count(&o, "\"flow_in\""), 1);
	/* Names for every track, sorted by thread. */
	HAS(&o, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,"
		"\"args\":{\"name\":\"test\"}}");
	HAS(&o, "\"tid\":100000,\"args\":{\"name\":\"T1 holds A\"}");
	HAS(&o, "\"tid\":100001,\"args\":{\"name\":\"T1 lets go\"}");
	HAS(&o, "\"tid\":100001,\"args\":{\"sort_index\":127}");
	HAS(&o, "\"otherData\":{\"events\":7,\"dropped\":0,\"lost\":0,"
		"\"flows\":1}}");
	free(o.buf);
}
END_TEST

/* T1 releases while T2 waits, but T3 takes the lock without waiting:
 * T1 let nobody go.  T3's release is the one that lets T2 in. */
START_TEST(test_barging)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 2, 2, LS_EV_LOCK_WAIT, 1, 0, 0);
	ev(&o, 3, 1, LS_EV_LOCK_RELEASED, 1, 0, 0);
	ev(&o, 4, 3, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 5, 3, LS_EV_LOCK_RELEASED, 1, 0, 0);
	ev(&o, 6, 2, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	end(&o);
	ck_assert_uint_eq(count(&o, "\"flow_out\""), 1);
	ck_assert_uint_eq(count(&o, "\"flow_in\""), 1);
	ck_assert_uint_eq(count(&o, "\"name\":\"release A\""), 1);
	/* From T3's hand-off track (T1 has none: nothing it let go). */
	HAS(&o, "\"name\":\"release A\",\"cat\":\"handoff\",\"ts\":4.000");
	HAS(&o, "\"args\":{\"name\":\"T3 lets go\"}");
	ck_assert_uint_eq(count(&o, "T1 lets go"), 0);
	free(o.buf);
}
END_TEST

/* A waiter that times out was let go by nobody. */
START_TEST(test_timeout_no_flow)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 2, 2, LS_EV_LOCK_WAIT, 1, 0, 0);
	ev(&o, 3, 1, LS_EV_LOCK_RELEASED, 1, 0, 0);
	ev(&o, 4, 2, LS_EV_LOCK_TIMEOUT, 1, 0, 0);
	ev(&o, 5, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	end(&o);
	ck_assert_uint_eq(count(&o, "bind_id"), 0);
	ck_assert_uint_eq(count(&o, "release A"), 0);
	free(o.buf);
}
END_TEST

/* Permits and items: the oldest hand-off goes to the waiter; counters
 * follow the count. */
START_TEST(test_sem_and_queue)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 2, LS_EV_SEM_WAIT, 2, 0, 0);
	ev(&o, 2, 1, LS_EV_SEM_POST, 2, 0, 0);
	ev(&o, 3, 2, LS_EV_SEM_ACQUIRED, 2, 0, 0);
	ev(&o, 4, 3, LS_EV_Q_POP_WAIT, 3, 0, 4);
	ev(&o, 5, 1, LS_EV_Q_PUSHED, 3, 1, 4);
	ev(&o, 6, 3, LS_EV_Q_POPPED, 3, 0, 4);
	end(&o);
	ck_assert_uint_eq(count(&o, "\"flow_out\""), 2);
	HAS(&o, "\"name\":\"post S\",\"cat\":\"handoff\",\"ts\":1.000");
	HAS(&o, "\"name\":\"push q\",\"cat\":\"handoff\",\"ts\":4.000");
	HAS(&o, "\"ts\":2.000,\"pid\":1,\"tid\":2,\"dur\":3.000,"
		"\"args\":{\"state\":\"running\"},\"bind_id\":1,"
		"\"flow_in\":true}");
	HAS(&o, "\"ts\":5.000,\"pid\":1,\"tid\":3,\"dur\":0.000,"
		"\"args\":{\"state\":\"running\"},\"bind_id\":2,"
		"\"flow_in\":true}");
	HAS(&o, "\"name\":\"wait for an item in q\"");
	/* Counters: the queue's depth, the permits, each on change. */
	HAS(&o, "{\"ph\":\"C\",\"name\":\"q\",\"cat\":\"counter\",\"ts\":4.000,"
		"\"pid\":1,\"args\":{\"depth\":1}}");
	HAS(&o, "\"ph\":\"C\",\"name\":\"q\",\"cat\":\"counter\",\"ts\":5.000,"
		"\"pid\":1,\"args\":{\"depth\":0}}");
	ck_assert_uint_eq(count(&o, "\"ph\":\"C\",\"name\":\"q\""), 3);
	HAS(&o, "\"ph\":\"C\",\"name\":\"S\",\"cat\":\"counter\",\"ts\":0.000,"
		"\"pid\":1,\"args\":{\"permits\":0}}");
	free(o.buf);
}
END_TEST

/* T2 takes A while the model still has T1 as its owner (T1's release
 * was dropped): T1's hold ends there. */
START_TEST(test_healed_hold)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 3, 2, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 9, 2, LS_EV_LOCK_RELEASED, 1, 0, 0);
	end(&o);
	HAS(&o, "\"name\":\"hold A\",\"cat\":\"hold\",\"ts\":0.000,\"pid\":1,"
		"\"tid\":100000,\"dur\":2.000");
	HAS(&o, "\"name\":\"hold A\",\"cat\":\"hold\",\"ts\":2.000,\"pid\":1,"
		"\"tid\":100001,\"dur\":6.000");
	free(o.buf);
}
END_TEST

START_TEST(test_instants)
{
	struct out o;
	struct ls_event e;

	begin(&o);
	ev(&o, 1, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 2, 1, LS_EV_OUTCOME, 1, LS_OUT_LOST_UPDATE, 2);
	ev(&o, 3, 1, LS_EV_ERROR, 1, LS_ERR_LOCK_ORDER, 0);
	/* Three events of T2 lost before this one. */
	e = (struct ls_event){ .ts = 4000, .tid = 2, .kind = LS_EV_STATE,
			       .arg = LS_STATE_RUNNING, .seq = 3 };
	export_event(o.x, &e);
	export_instant(o.x, 5000, "INVARIANT BROKEN", "balance \"50\"");
	/* An instant from the past is kept in order on its track. */
	export_instant(o.x, 1000, "late", "");
	end(&o);
	HAS(&o, "{\"ph\":\"i\",\"name\":\"LOST UPDATE\",\"cat\":\"instant\","
		"\"ts\":1.000,\"pid\":1,\"s\":\"g\",\"args\":{\"thread\":\"T2\","
		"\"object\":\"A\"}}");
	HAS(&o, "\"name\":\"error: lock order\",\"cat\":\"instant\","
		"\"ts\":2.000,\"pid\":1,\"s\":\"p\",\"args\":{\"thread\":\"T1\","
		"\"object\":\"A\"}}");
	HAS(&o, "\"name\":\"dropped events\",\"cat\":\"instant\",\"ts\":3.000,"
		"\"pid\":1,\"s\":\"p\",\"args\":{\"thread\":\"T2\","
		"\"missing\":3}}");
	HAS(&o, "\"name\":\"INVARIANT BROKEN\",\"cat\":\"instant\","
		"\"ts\":4.000,\"pid\":1,\"s\":\"g\",\"args\":{\"detail\":"
		"\"balance \\\"50\\\"\"}}");
	HAS(&o, "\"name\":\"late\",\"cat\":\"instant\",\"ts\":4.000");
	HAS(&o, "\"lost\":3");
	free(o.buf);
}
END_TEST

/* Two threads, two locks, opposite order: the model's cycle. */
START_TEST(test_deadlock_cycle)
{
	struct out o;

	begin(&o);
	export_object_name(o.x, 4, LS_OBJ_MUTEX, "B");
	ev(&o, 1, 1, LS_EV_LOCK_ACQUIRED, 1, 0, 0);
	ev(&o, 2, 2, LS_EV_LOCK_ACQUIRED, 4, 0, 0);
	ev(&o, 3, 1, LS_EV_LOCK_WAIT, 4, 0, 0);
	ev(&o, 4, 2, LS_EV_LOCK_WAIT, 1, 0, 0);
	/* The trace ends at its last event: a wait lasts until then. */
	ev(&o, 9, 3, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	end(&o);
	HAS(&o, "{\"ph\":\"i\",\"name\":\"deadlock: wait-for cycle\",\"cat\":"
		"\"instant\",\"ts\":3.000,\"pid\":1,\"s\":\"g\",\"args\":"
		"{\"threads\":[");
	HAS(&o, "\"name\":\"wait B\",\"cat\":\"state\",\"ts\":2.000,"
		"\"pid\":1,\"tid\":1,\"dur\":6.000");
	HAS(&o, "\"name\":\"wait A\",\"cat\":\"state\",\"ts\":3.000,"
		"\"pid\":1,\"tid\":2,\"dur\":5.000");
	free(o.buf);
}
END_TEST

START_TEST(test_names_escaped)
{
	struct out o;

	begin(&o);
	export_thread_name(o.x, 1, "a\"b\\c\x01\x7f\xff\xc3\xa9");
	ev(&o, 1, 1, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	ev(&o, 2, 1, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);
	end(&o);
	HAS(&o, "\"name\":\"a\\\"b\\\\c\\u0001\\u007f\\ufffd\xc3\xa9\"");
	/* An unnamed thread gets a name. */
	free(o.buf);
	begin(&o);
	ev(&o, 1, 7, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	ev(&o, 2, 7, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);
	end(&o);
	HAS(&o, "\"tid\":7,\"args\":{\"name\":\"thread 7\"}");
	HAS(&o, "\"name\":\"idle\",\"cat\":\"state\",\"ts\":0.000,\"pid\":1,"
		"\"tid\":7,\"dur\":1.000");
	free(o.buf);
}
END_TEST

/* A state that lasts no time is not a slice. */
START_TEST(test_zero_length)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 1, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	ev(&o, 2, 1, LS_EV_STATE, 0, LS_STATE_SLEEPING, 0);
	ev(&o, 2, 1, LS_EV_STATE, 0, LS_STATE_RUNNING, 0);
	ev(&o, 3, 1, LS_EV_STATE, 0, LS_STATE_IDLE, 0);
	end(&o);
	ck_assert_uint_eq(count(&o, "\"name\":\"sleeping\""), 0);
	HAS(&o, "\"name\":\"running\",\"cat\":\"state\",\"ts\":1.000,"
		"\"pid\":1,\"tid\":1,\"dur\":1.000");
	free(o.buf);
}
END_TEST

/* A tid that ends and starts again is a new thread with a new name. */
START_TEST(test_tid_reused)
{
	struct out o;

	begin(&o);
	ev(&o, 1, 1, LS_EV_THREAD_START, 0, 0, 0);
	ev(&o, 2, 1, LS_EV_THREAD_EXIT, 0, 0, 0);
	export_thread_name(o.x, 1, "again");
	ev(&o, 3, 1, LS_EV_THREAD_START, 0, 0, 0);
	ev(&o, 5, 1, LS_EV_THREAD_EXIT, 0, 0, 0);
	end(&o);
	HAS(&o, "\"ts\":0.000,\"pid\":1,\"tid\":1,\"dur\":1.000");
	HAS(&o, "\"ts\":2.000,\"pid\":1,\"tid\":100000,\"dur\":2.000");
	HAS(&o, "\"tid\":1,\"args\":{\"name\":\"T1\"}");
	HAS(&o, "\"tid\":100000,\"args\":{\"name\":\"again\"}");
	free(o.buf);
}
END_TEST

START_TEST(test_errors)
{
	struct export *x;
	char err[256];
	FILE *f = fopen("/dev/full", "w");
	struct ls_event e = { .ts = 1, .tid = 1, .kind = LS_EV_STATE };
	int i;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(export_open(f, "t", &x), 0);
	for (i = 0; i < 2000; i++) {
		e.ts += 1000;
		e.arg = (uint64_t)(i % 2);
		export_event(x, &e);
	}
	ck_assert_int_eq(export_close(x), -EIO);
	fclose(f);
	ck_assert_int_eq(export_recording("/nonexistent/r.lsrec", "-", err,
					  sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/r.lsrec: No such file or "
			 "directory");
}
END_TEST

/* A recording's items reach the exporter: names, meta, drops. */
START_TEST(test_record_items)
{
	struct record_item it;
	struct out o;

	begin(&o);
	memset(&it, 0, sizeof(it));
	it.kind = RECORD_META;
	snprintf(it.key, sizeof(it.key), "target");
	snprintf(it.value, sizeof(it.value), "race");
	export_record_item(o.x, &it);
	it.kind = RECORD_THREAD;
	it.id = 4;
	snprintf(it.name, sizeof(it.name), "bob");
	export_record_item(o.x, &it);
	it.kind = RECORD_DROPPED;
	it.dropped = 9;
	export_record_item(o.x, &it);
	it.kind = RECORD_EVENT;
	it.ev = (struct ls_event){ .ts = 10, .tid = 4, .kind = LS_EV_STATE };
	export_record_item(o.x, &it);
	it.kind = RECORD_META;
	snprintf(it.key, sizeof(it.key), "broken");
	snprintf(it.value, sizeof(it.value), "money: lost 50");
	export_record_item(o.x, &it);
	end(&o);
	HAS(&o, "\"args\":{\"name\":\"lockstep race\"}");
	HAS(&o, "\"tid\":4,\"args\":{\"name\":\"bob\"}");
	HAS(&o, "\"dropped\":9");
	HAS(&o, "\"name\":\"INVARIANT BROKEN\",\"cat\":\"instant\","
		"\"ts\":0.000,\"pid\":1,\"s\":\"g\",\"args\":{\"detail\":"
		"\"money: lost 50\"}}");
	free(o.buf);
}
END_TEST

/* Wake-ups: a signal to the thread it names, a broadcast to each of
 * the threads it lets go, a barrier's release to its parties; a signal
 * whose thread timed out first lets nobody go. */
START_TEST(test_wakeups)
{
	struct out o;

	begin(&o);
	export_object_name(o.x, 5, LS_OBJ_COND, "cv");
	export_object_name(o.x, 6, LS_OBJ_BARRIER, "bar");
	ev(&o, 1, 2, LS_EV_CV_WAIT, 5, 1, 1);
	ev(&o, 2, 3, LS_EV_CV_WAIT, 5, 1, 2);
	ev(&o, 3, 1, LS_EV_CV_SIGNAL, 5, 3, 1);
	ev(&o, 4, 3, LS_EV_CV_WOKEN, 5, 2000, 1);
	ev(&o, 5, 1, LS_EV_CV_BROADCAST, 5, 1, 0);
	ev(&o, 6, 2, LS_EV_CV_WOKEN, 5, 5000, 0);
	/* A signal for T2, which times out before it: no flow. */
	ev(&o, 7, 2, LS_EV_CV_WAIT, 5, 1, 1);
	ev(&o, 8, 1, LS_EV_CV_SIGNAL, 5, 2, 0);
	ev(&o, 9, 2, LS_EV_CV_TIMEOUT, 5, 2000, 0);
	/* Three parties: two wait, the third opens the barrier. */
	ev(&o, 10, 2, LS_EV_BAR_WAIT, 6, 1, 3);
	ev(&o, 11, 3, LS_EV_BAR_WAIT, 6, 2, 3);
	ev(&o, 12, 1, LS_EV_BAR_RELEASE, 6, 1, 3);
	ev(&o, 13, 3, LS_EV_BAR_PASSED, 6, 1, 2);
	ev(&o, 14, 2, LS_EV_BAR_PASSED, 6, 1, 4);
	end(&o);
	ck_assert_uint_eq(count(&o, "\"flow_out\""), 4);
	ck_assert_uint_eq(count(&o, "\"flow_in\""), 4);
	HAS(&o, "\"name\":\"signal cv\",\"cat\":\"handoff\",\"ts\":2.000,"
		"\"pid\":1,\"tid\":100000,\"dur\":0,\"bind_id\":1,"
		"\"flow_out\":true}");
	HAS(&o, "\"ts\":3.000,\"pid\":1,\"tid\":3,");
	HAS(&o, "\"name\":\"broadcast cv\",\"cat\":\"handoff\","
		"\"ts\":4.000");
	ck_assert_uint_eq(count(&o, "\"name\":\"signal cv\""), 1);
	ck_assert_uint_eq(count(&o, "\"name\":\"open bar\""), 2);
	free(o.buf);
}
END_TEST

/* Object ids from a damaged stream can be anything: found by fuzzing,
 * a table sized by the largest id took gigabytes. */
START_TEST(test_wild_object_ids)
{
	struct out o;

	begin(&o);
	export_object_name(o.x, 0xfffffff0u, LS_OBJ_QUEUE, "far");
	ev(&o, 1, 1, LS_EV_Q_PUSHED, 0xfffffff0u, 1, 8);
	ev(&o, 2, 1, LS_EV_Q_PUSHED, 0x7fffffffu, 2, 8);
	ev(&o, 3, 1, LS_EV_LOCK_ACQUIRED, 0xfffffffeu, 0, 0);
	end(&o);
	HAS(&o, "\"ph\":\"C\",\"name\":\"far\"");
	HAS(&o, "\"ph\":\"C\",\"name\":\"#2147483647\"");
	free(o.buf);
}
END_TEST

static Suite *
export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_test(tc, test_lock_handoff);
	tcase_add_test(tc, test_barging);
	tcase_add_test(tc, test_timeout_no_flow);
	tcase_add_test(tc, test_sem_and_queue);
	tcase_add_test(tc, test_healed_hold);
	tcase_add_test(tc, test_instants);
	tcase_add_test(tc, test_deadlock_cycle);
	tcase_add_test(tc, test_names_escaped);
	tcase_add_test(tc, test_zero_length);
	tcase_add_test(tc, test_tid_reused);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_record_items);
	tcase_add_test(tc, test_wild_object_ids);
	tcase_add_test(tc, test_wakeups);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(export_suite());
}
