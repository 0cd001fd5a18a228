/*
 * check_script_oracle.c - Check suite for the reference interpreter: the
 * abstract semantics of every object (who gets a lock, in which order,
 * what a signal or a set lets through, what blocks and what is an error),
 * the outcomes after a step, and the state a search compares.
 *
 * Each test compiles a small script, drives it with a schedule of thread
 * names, and looks at the state between steps.
 */
#include "config.h"

#include "script/oracle.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checkutil.h"

#define HDR "title \"t\"\ngoal assert\nexpect breakable\nlesson \"l\"\n"

static struct script_program *
compile(const char *rest)
{
	char src[4096];
	struct script_program *p = NULL;
	char err[256];
	int rc;

	snprintf(src, sizeof(src), HDR "%s", rest);
	rc = script_parse_buffer("t.lss", src, strlen(src), &p, err,
				 sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	return p;
}

static unsigned
tid(const struct oracle *o, const char *name)
{
	int t = script_thread_find(o->prog, name);

	ck_assert_msg(t >= 0, "no thread %s", name);
	return (unsigned)t;
}

/* Step the space-separated threads of schedule, each of which must go. */
static void
run(struct oracle *o, const char *schedule)
{
	char buf[512], *save = NULL, *name;
	int rc;

	snprintf(buf, sizeof(buf), "%s", schedule);
	for (name = strtok_r(buf, " ", &save); name;
	     name = strtok_r(NULL, " ", &save)) {
		rc = oracle_step(o, tid(o, name));
		ck_assert_msg(rc == 0, "step of %s: %d", name, rc);
	}
}

static enum oracle_status
status(const struct oracle *o, const char *name)
{
	return (enum oracle_status)o->th[tid(o, name)].status;
}

static int64_t
local(const struct oracle *o, const char *thread, unsigned i)
{
	return o->th[tid(o, thread)].locals[i];
}

/* Object i's waiters as a string of thread indexes: "12". */
static const char *
waiters(const struct oracle *o, unsigned i, char *buf)
{
	unsigned k;

	for (k = 0; k < o->obj[i].nwait; k++)
		buf[k] = (char)('0' + o->obj[i].wait[k]);
	buf[k] = '\0';
	return buf;
}

START_TEST(test_mutex_hands_over_in_order)
{
	struct script_program *p = compile(
		"mutex m;\nshared int x;\n"
		"thread a { lock(m); x = 1; unlock(m); }\n"
		"thread b { lock(m); x = 2; unlock(m); }\n"
		"thread c { lock(m); x = 3; unlock(m); }\n");
	struct oracle o;
	char w[20];

	oracle_init(&o, p);
	run(&o, "a b c");
	ck_assert_int_eq(o.obj[0].owner, 0);
	ck_assert_str_eq(waiters(&o, 0, w), "12");
	ck_assert_int_eq(status(&o, "b"), ORACLE_BLOCKED);
	ck_assert_int_eq(o.th[1].blocked_on, 0);
	ck_assert_int_eq(oracle_step(&o, 1), -EAGAIN);
	run(&o, "a a");
	/* The unlock gave m to b, the oldest waiter: b is past its lock. */
	ck_assert_int_eq(o.obj[0].owner, 1);
	ck_assert_str_eq(waiters(&o, 0, w), "2");
	ck_assert_int_eq(status(&o, "b"), ORACLE_READY);
	ck_assert_uint_eq(o.th[1].pc, 1);
	ck_assert_int_eq(status(&o, "a"), ORACLE_DONE);
	ck_assert_int_eq(oracle_step(&o, 0), -ENOENT);
	run(&o, "b b c c");
	ck_assert_int_eq(o.obj[0].owner, -1);
	ck_assert_int_eq(o.shared[0], 3);
	ck_assert_int_eq(o.out.end, ORACLE_FINISHED);
	ck_assert_int_eq(oracle_step(&o, 2), -EPIPE);
	ck_assert_int_eq(oracle_step(&o, 7), -EPIPE);
	script_free(p);
}
END_TEST

START_TEST(test_mutex_misuse)
{
	struct script_program *p = compile(
		"mutex m, r recursive;\n"
		"thread a { lock(r); lock(r); unlock(r); lock(m); lock(m); }\n"
		"thread b { unlock(r); }\n"
		"thread c { bool got = trylock(m); }\n");
	struct oracle o;

	oracle_init(&o, p);
	run(&o, "a a");
	ck_assert_int_eq(o.obj[1].depth, 2);
	run(&o, "a");
	ck_assert_int_eq(o.obj[1].owner, 0);
	ck_assert_int_eq(o.obj[1].depth, 1);
	run(&o, "a c");
	/* trylock of a held mutex: false, no wait. */
	ck_assert_int_eq(local(&o, "c", 0), 0);
	ck_assert_int_eq(status(&o, "c"), ORACLE_DONE);
	run(&o, "a");
	ck_assert_int_eq(o.out.end, ORACLE_ERROR);
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_RELOCK);
	ck_assert_int_eq(o.out.thread, 0);
	ck_assert_uint_eq(o.out.line, 6);
	ck_assert_str_eq(o.out.why, "a, line 6: lock of a lock it already "
				    "holds in 'lock(m)'.");

	oracle_init(&o, p);
	run(&o, "a b");
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_NOT_OWNER);
	ck_assert_str_eq(o.out.why, "b, line 7: unlock of a lock it does "
				    "not hold in 'unlock(r)'.");
	script_free(p);
}
END_TEST

/* Readers and writers under each policy, as rwlock.c admits them. */
START_TEST(test_rwlock_policies)
{
	static const char *const policies[] = { "writer", "reader", "fair" };
	char src[512];
	struct script_program *p;
	struct oracle o;
	char w[20];

	snprintf(src, sizeof(src),
		 "rwlock rw %s;\n"
		 "thread r1 { rdlock(rw); unlock(rw); }\n"
		 "thread wr { wrlock(rw); unlock(rw); }\n"
		 "thread r2 { rdlock(rw); unlock(rw); }\n"
		 "thread r3 { rdlock(rw); unlock(rw); }\n",
		 policies[_i]);
	p = compile(src);
	oracle_init(&o, p);
	run(&o, "r1 wr r2");
	ck_assert_int_eq(status(&o, "wr"), ORACLE_BLOCKED);
	switch (_i) {
	case 0:
		/* A waiting writer stops new readers. */
		ck_assert_str_eq(waiters(&o, 0, w), "12");
		run(&o, "r1");
		ck_assert_int_eq(o.obj[0].owner, 1);
		ck_assert_int_eq(status(&o, "r2"), ORACLE_BLOCKED);
		run(&o, "r3 wr");
		/* The writer leaves: every queued reader goes in. */
		ck_assert_uint_eq(o.obj[0].readers, (1u << 2) | (1u << 3));
		break;
	case 1:
		/* Readers pass a waiting writer. */
		ck_assert_uint_eq(o.obj[0].readers, (1u << 0) | (1u << 2));
		run(&o, "r1 r2");
		ck_assert_int_eq(o.obj[0].owner, 1);
		break;
	default:
		/* First come, first served: r2 queues behind the writer. */
		ck_assert_str_eq(waiters(&o, 0, w), "12");
		run(&o, "r3 r1");
		ck_assert_int_eq(o.obj[0].owner, 1);
		run(&o, "wr");
		/* Consecutive readers at the head go in together. */
		ck_assert_uint_eq(o.obj[0].readers, (1u << 2) | (1u << 3));
		break;
	}
	ck_assert_int_eq(o.out.end, ORACLE_RUNNING);
	script_free(p);
}
END_TEST

START_TEST(test_rwlock_misuse)
{
	struct script_program *p = compile(
		"rwlock rw;\n"
		"thread a { rdlock(rw); wrlock(rw); }\n"
		"thread b { unlock(rw); }\n");
	struct oracle o;

	oracle_init(&o, p);
	run(&o, "a a");
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_RELOCK);
	oracle_init(&o, p);
	run(&o, "a b");
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_NOT_OWNER);
	script_free(p);
}
END_TEST

START_TEST(test_condition)
{
	struct script_program *p = compile(
		"mutex m recursive;\ncondition cv;\nshared int x;\n"
		"thread w1 { lock(m); lock(m); wait(cv, m); unlock(m); "
		"unlock(m); }\n"
		"thread w2 { lock(m); wait(cv, m); unlock(m); }\n"
		"thread s { lock(m); signal(cv); broadcast(cv); x = 1; "
		"unlock(m); }\n"
		"thread bad { wait(cv, m); }\n");
	struct oracle o;
	char w[20];

	oracle_init(&o, p);
	/* A signal with nobody waiting is lost. */
	run(&o, "s s");
	ck_assert_uint_eq(o.obj[1].nwait, 0);
	oracle_init(&o, p);
	run(&o, "w1 w1 w1");
	/* wait gave up both holds of the recursive mutex. */
	ck_assert_int_eq(o.obj[0].owner, -1);
	ck_assert_int_eq(o.th[0].depth, 2);
	ck_assert_int_eq(o.th[0].blocked_on, 1);
	run(&o, "w2 w2 s s");
	ck_assert_str_eq(waiters(&o, 1, w), "1");
	/* Signalled, w1 queues for m, which s holds. */
	ck_assert_int_eq(o.th[0].blocked_on, 0);
	ck_assert_str_eq(waiters(&o, 0, w), "0");
	run(&o, "s");
	ck_assert_str_eq(waiters(&o, 0, w), "01");
	ck_assert_uint_eq(o.obj[1].nwait, 0);
	run(&o, "s s");
	/* Back from wait with its two holds, in the order signalled. */
	ck_assert_int_eq(o.obj[0].owner, 0);
	ck_assert_int_eq(o.obj[0].depth, 2);
	ck_assert_int_eq(status(&o, "w1"), ORACLE_READY);
	ck_assert_int_eq(status(&o, "w2"), ORACLE_BLOCKED);
	run(&o, "w1 w1");
	ck_assert_int_eq(o.obj[0].owner, 1);
	ck_assert_int_eq(o.obj[0].depth, 1);

	oracle_init(&o, p);
	run(&o, "bad");
	ck_assert_int_eq(o.out.end, ORACLE_ERROR);
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_NOT_HELD);
	script_free(p);
}
END_TEST

START_TEST(test_semaphore_and_barrier)
{
	struct script_program *p = compile(
		"semaphore s = 1;\nbarrier b = 2;\n"
		"thread a { wait(s); wait(s); wait(b); wait(b); }\n"
		"thread c { wait(s); wait(b); wait(b); }\n"
		"thread p { post(s); post(s); post(s); }\n");
	struct oracle o;

	oracle_init(&o, p);
	run(&o, "a a c");
	ck_assert_int_eq(o.obj[0].count, 0);
	ck_assert_uint_eq(o.obj[0].nwait, 2);
	/* A post with waiters hands its unit to the oldest: the count
	 * stays 0. */
	run(&o, "p");
	ck_assert_int_eq(o.obj[0].count, 0);
	ck_assert_int_eq(status(&o, "a"), ORACLE_READY);
	ck_assert_int_eq(status(&o, "c"), ORACLE_BLOCKED);
	run(&o, "p");
	ck_assert_int_eq(o.obj[0].count, 0);
	ck_assert_int_eq(status(&o, "c"), ORACLE_READY);
	run(&o, "p");
	ck_assert_int_eq(o.obj[0].count, 1);
	/* The barrier: the second arrival lets both go, and it is
	 * counted afresh for the next round. */
	run(&o, "a");
	ck_assert_int_eq(o.obj[1].count, 1);
	ck_assert_int_eq(status(&o, "a"), ORACLE_BLOCKED);
	run(&o, "c");
	ck_assert_int_eq(o.obj[1].count, 0);
	ck_assert_int_eq(status(&o, "a"), ORACLE_READY);
	run(&o, "c a");
	ck_assert_int_eq(o.out.end, ORACLE_FINISHED);
	script_free(p);
}
END_TEST

START_TEST(test_events)
{
	struct script_program *p = compile(
		"event door manual, turn auto, open auto set;\n"
		"thread w1 { wait(door); wait(turn); wait(open); }\n"
		"thread w2 { wait(door); wait(turn); wait(open); }\n"
		"thread s { set(door); set(turn); set(turn); reset(door); }\n");
	struct oracle o;

	oracle_init(&o, p);
	ck_assert(o.obj[2].set);
	run(&o, "w1 w2 s");
	/* Manual: everyone through, and it stays set. */
	ck_assert_int_eq(status(&o, "w1"), ORACLE_READY);
	ck_assert_int_eq(status(&o, "w2"), ORACLE_READY);
	ck_assert(o.obj[0].set);
	run(&o, "w1 w2 s");
	/* Auto: one waiter per set, and it does not stay set. */
	ck_assert_int_eq(status(&o, "w1"), ORACLE_READY);
	ck_assert_int_eq(status(&o, "w2"), ORACLE_BLOCKED);
	ck_assert(!o.obj[1].set);
	/* An auto event that is set lets the next waiter pass, once. */
	run(&o, "w1");
	ck_assert(!o.obj[2].set);
	ck_assert_int_eq(status(&o, "w1"), ORACLE_DONE);
	run(&o, "s w2");
	ck_assert_int_eq(status(&o, "w2"), ORACLE_BLOCKED);
	ck_assert_int_eq(o.th[1].blocked_on, 2);
	ck_assert_int_eq(o.out.end, ORACLE_RUNNING);
	/* w2 waits on open, never set again, and s is done. */
	run(&o, "s");
	ck_assert(!o.obj[0].set);
	ck_assert_int_eq(o.out.end, ORACLE_DEADLOCK);
	ck_assert_str_eq(o.out.why, "Every live thread is blocked: w2 in "
				    "wait(open) (line 7).");
	script_free(p);
}
END_TEST

START_TEST(test_latch)
{
	struct script_program *p = compile(
		"latch l = 2;\n"
		"thread w { wait(l); }\n"
		"thread d { count_down(l); count_down(l); count_down(l); }\n");
	struct oracle o;

	oracle_init(&o, p);
	run(&o, "w d");
	ck_assert_int_eq(status(&o, "w"), ORACLE_BLOCKED);
	ck_assert_int_eq(o.obj[0].count, 1);
	run(&o, "d");
	ck_assert_int_eq(status(&o, "w"), ORACLE_DONE);
	run(&o, "d");
	ck_assert_int_eq(o.out.end, ORACLE_ERROR);
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_LATCH);
	script_free(p);
}
END_TEST

START_TEST(test_queue)
{
	struct script_program *p = compile(
		"queue q = 2;\nshared int got;\n"
		"thread prod { push(q, 1); push(q, 2); push(q, 3); }\n"
		"thread cons { int a = pop(q); got = pop(q); int c = pop(q); "
		"int d = pop(q); }\n"
		"thread late { push(q, 4); }\n");
	struct oracle o;

	oracle_init(&o, p);
	run(&o, "prod prod prod");
	ck_assert_uint_eq(o.obj[0].nitems, 2);
	ck_assert_int_eq(status(&o, "prod"), ORACLE_BLOCKED);
	ck_assert_int_eq(o.th[0].carry, 3);
	/* A pop frees a slot: the blocked pusher's item goes in. */
	run(&o, "cons");
	ck_assert_int_eq(local(&o, "cons", 0), 1);
	ck_assert_int_eq(status(&o, "prod"), ORACLE_DONE);
	ck_assert_uint_eq(o.obj[0].nitems, 2);
	ck_assert_int_eq(o.obj[0].items[1], 3);
	/* pop into a shared variable: the pop, then the store. */
	run(&o, "cons");
	ck_assert_int_eq(o.shared[0], 0);
	ck_assert_int_eq(o.th[1].temps[0], 2);
	run(&o, "cons");
	ck_assert_int_eq(o.shared[0], 2);
	ck_assert_int_eq(o.th[1].temps[0], 0);
	run(&o, "cons cons");
	ck_assert_int_eq(local(&o, "cons", 1), 3);
	ck_assert_int_eq(status(&o, "cons"), ORACLE_BLOCKED);
	/* A push to a waiting popper hands the item straight over. */
	run(&o, "late");
	ck_assert_uint_eq(o.obj[0].nitems, 0);
	ck_assert_int_eq(local(&o, "cons", 2), 4);
	ck_assert_int_eq(o.out.end, ORACLE_FINISHED);
	script_free(p);
}
END_TEST

START_TEST(test_unsafe_list)
{
	struct script_program *p = compile(
		"unsafe list l;\n"
		"thread a { add(l, 1); add(l, 2); int t = take(l); }\n"
		"thread b { int t = take(l); }\n"
		"thread c { int i = 0; while (i < 17) { add(l, i); i++; } }\n");
	struct oracle o;
	unsigned i;

	oracle_init(&o, p);
	run(&o, "a");
	ck_assert_int_eq(o.obj[0].owner, 0);
	run(&o, "b");
	ck_assert_int_eq(o.out.end, ORACLE_ERROR);
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_OVERLAP);
	ck_assert_str_eq(o.out.why, "b, line 7: the unsafe list used by two "
				    "threads at once in 'begin take(l)'.");

	oracle_init(&o, p);
	run(&o, "a a a a a a");
	ck_assert_int_eq(local(&o, "a", 0), 1);
	ck_assert_uint_eq(o.obj[0].nitems, 1);
	ck_assert_int_eq(o.obj[0].owner, -1);
	run(&o, "b b");
	ck_assert_int_eq(local(&o, "b", 0), 2);
	ck_assert_int_eq(status(&o, "b"), ORACLE_DONE);

	oracle_init(&o, p);
	run(&o, "b b");
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_EMPTY);

	oracle_init(&o, p);
	for (i = 0; i < 1 + 16 * 4 + 3 && !o.out.end; i++)
		ck_assert_int_eq(oracle_step(&o, 2), 0);
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_FULL);
	script_free(p);
}
END_TEST

START_TEST(test_atomics_and_faults)
{
	struct script_program *p = compile(
		"shared int x = 5, a[2];\nshared bool f;\n"
		"thread t {\n"
		"  int old = exchange(x, 9);\n"
		"  bool ok = cas(x, 9, 1);\n"
		"  bool no = cas(x, 9, 2);\n"
		"  atomic_add(a[1], old);\n"
		"  atomic_dec(a[x]);\n"
		"  f = !exchange(f, true);\n"
		"  atomic_inc(a[old]);\n"
		"}\n"
		"thread z { int r = 1 / (x - 5); }\n");
	struct oracle o;

	oracle_init(&o, p);
	run(&o, "t t t t t");
	ck_assert_int_eq(local(&o, "t", 0), 5);
	ck_assert_int_eq(local(&o, "t", 1), 1);
	ck_assert_int_eq(local(&o, "t", 2), 0);
	ck_assert_int_eq(o.shared[0], 1);
	ck_assert_int_eq(o.shared[1], 0);
	ck_assert_int_eq(o.shared[2], 4);
	run(&o, "t t");
	ck_assert_int_eq(o.shared[3], 1);
	run(&o, "t");
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_INDEX);
	ck_assert_str_eq(o.out.why, "t, line 14: array index 5 out of range "
				    "in 'atomic_inc(a[old])'.");
	oracle_init(&o, p);
	run(&o, "z");
	ck_assert_int_eq(o.out.fault, SCRIPT_FAULT_DIV_ZERO);
	ck_assert_uint_eq(o.out.line, 16);
	ck_assert_int_eq(oracle_goal(&o), SCRIPT_GOAL_ERROR);
	script_free(p);
}
END_TEST

START_TEST(test_outcomes)
{
	struct script_program *p = compile(
		"shared int x;\n"
		"thread a { critical { x = 1; } if (x == 3) fail(\"three\"); "
		"assert(x < 4); }\n"
		"thread b { critical { x = x + 2; } }\n"
		"check { int y = x; assert(y == 3, \"not three\"); }\n");
	struct oracle o;
	unsigned sched[] = { 0, 0, 1, 1, 1, 0, 0 };
	size_t done;

	oracle_init(&o, p);
	run(&o, "a");
	ck_assert_int_eq(o.out.end, ORACLE_RUNNING);
	run(&o, "b");
	ck_assert_int_eq(o.out.end, ORACLE_CRITICAL);
	ck_assert_int_eq(o.out.thread, 1);
	ck_assert_str_eq(o.out.why, "a and b are both inside a critical "
				    "block.");
	ck_assert_int_eq(oracle_goal(&o), SCRIPT_GOAL_CRITICAL);
	ck_assert(!oracle_can_step(&o, 0));

	/* Leaving the block takes no step: after x = 1, a is out. */
	oracle_init(&o, p);
	ck_assert_int_eq(oracle_replay(&o, sched, 7, &done), 0);
	ck_assert_uint_eq(done, 7);
	ck_assert_int_eq(o.out.end, ORACLE_ASSERT);
	ck_assert_str_eq(o.out.why, "a, line 6: three");

	/* The check block runs once every thread has returned. */
	oracle_init(&o, p);
	run(&o, "b b b a a a");
	ck_assert_int_eq(o.out.end, ORACLE_RUNNING);
	run(&o, "a");
	ck_assert_int_eq(o.out.end, ORACLE_ASSERT);
	ck_assert_int_eq(o.out.thread, 2);
	ck_assert_str_eq(o.out.why, "the check block, line 8: not three");
	ck_assert_int_eq(oracle_step(&o, 0), -EPIPE);
	ck_assert_int_eq(oracle_replay(&o, sched, 2, &done), -EPIPE);
	ck_assert_uint_eq(done, 0);
	script_free(p);
}
END_TEST

START_TEST(test_finish_and_replay_errors)
{
	struct script_program *p = compile(
		"mutex m;\n"
		"thread a { lock(m); }\n"
		"thread b { lock(m); }\n"
		"thread c { int t = 1; t = 2; }\n"
		"thread e { }\n");
	struct oracle o;
	unsigned sched[] = { 0, 1, 1 };
	size_t done;

	oracle_init(&o, p);
	ck_assert_int_eq(status(&o, "e"), ORACLE_DONE);
	ck_assert_int_eq(oracle_step(&o, 3), -ENOENT);
	ck_assert_int_eq(oracle_step(&o, 4), -EINVAL);
	ck_assert_int_eq(oracle_replay(&o, sched, 3, &done), -EAGAIN);
	ck_assert_uint_eq(done, 2);
	ck_assert_uint_eq(o.steps, 2);
	/* a returned holding m, b waits for it; c can still move. */
	ck_assert_int_eq(o.out.end, ORACLE_RUNNING);
	sched[0] = 2;
	sched[1] = 2;
	ck_assert_int_eq(oracle_replay(&o, sched, 3, &done), -EPIPE);
	ck_assert_uint_eq(done, 2);
	/* c is done: every live thread is blocked. */
	ck_assert_int_eq(o.out.end, ORACLE_DEADLOCK);
	ck_assert_int_eq(o.out.thread, -1);
	ck_assert_int_eq(oracle_goal(&o), SCRIPT_GOAL_DEADLOCK);
	script_free(p);

	p = compile("thread a { }\n");
	oracle_init(&o, p);
	ck_assert_int_eq(o.out.end, ORACLE_FINISHED);
	ck_assert_int_eq(oracle_goal(&o), 0);
	script_free(p);
}
END_TEST

/* The packed state: equal for equal states, whatever the path. */
START_TEST(test_pack)
{
	struct script_program *p = compile(
		"shared int x, y;\n"
		"thread a { x = x + 1; }\n"
		"thread b { y = y + 1; }\n");
	struct oracle o1, o2;
	unsigned char b1[1024], b2[1024];
	size_t n1, n2;

	oracle_init(&o1, p);
	oracle_init(&o2, p);
	run(&o1, "a a b b");
	run(&o2, "b a b a");
	n1 = oracle_pack(&o1, b1, sizeof(b1));
	n2 = oracle_pack(&o2, b2, sizeof(b2));
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(b1, b2, n1), 0);
	/* Half-way through a split statement the temps differ. */
	oracle_init(&o1, p);
	oracle_init(&o2, p);
	run(&o1, "a");
	run(&o2, "b");
	n1 = oracle_pack(&o1, b1, sizeof(b1));
	n2 = oracle_pack(&o2, b2, sizeof(b2));
	ck_assert(n1 != n2 || memcmp(b1, b2, n1));
	/* A short buffer gets what fits, and the size it needs. */
	ck_assert_uint_eq(oracle_pack(&o1, b2, 3), n1);
	ck_assert_int_eq(memcmp(b1, b2, 3), 0);
	script_free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("script_oracle");
	TCase *tc = tcase_create("oracle");

	tcase_add_test(tc, test_mutex_hands_over_in_order);
	tcase_add_test(tc, test_mutex_misuse);
	tcase_add_loop_test(tc, test_rwlock_policies, 0, 3);
	tcase_add_test(tc, test_rwlock_misuse);
	tcase_add_test(tc, test_condition);
	tcase_add_test(tc, test_semaphore_and_barrier);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_latch);
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_unsafe_list);
	tcase_add_test(tc, test_atomics_and_faults);
	tcase_add_test(tc, test_outcomes);
	tcase_add_test(tc, test_finish_and_replay_errors);
	tcase_add_test(tc, test_pack);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
