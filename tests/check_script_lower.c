/*
 * check_script_lower.c - Check suite for lowering: which statements take
 * how many steps, what each step says in the code view, where control
 * goes, what the explorer is told a step reads and writes, and the
 * evaluator of compiled expressions.
 *
 * Step lists are compared as a dump, one line per step: index, kind,
 * text, and where it goes when that is not simply the next step
 * ("?T:F" for a branch, "->N" for a jump, "*" on a first half).
 */
#include "config.h"

#include "script/script.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checkutil.h"

#define HDR "title \"t\"\ngoal assert\nexpect breakable\nlesson \"l\"\n"
#define DECLS                                                              \
	"shared int x, y, a[3];\nshared bool f;\nmutex m;\nqueue q = 2;\n"   \
	"unsafe list items;\ncondition cv;\nsemaphore s;\nbarrier b = 1;\n" \
	"event e manual;\nlatch l = 1;\nrwlock rw;\n"

static struct script_program *
compile(const char *body)
{
	char src[2048];
	struct script_program *p = NULL;
	char err[256];
	int rc;

	snprintf(src, sizeof(src), HDR DECLS "thread th {\n%s\n}\n", body);
	rc = script_parse_buffer("t.lss", src, strlen(src), &p, err,
				 sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	return p;
}

static const char *
dump(const struct script_body *b, char *buf, size_t n)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < b->nsteps && o < n; i++) {
		const struct script_step *st = &b->steps[i];

		o += (size_t)snprintf(buf + o, n - o, "%u %s '%s'%s", i,
				      script_kind_name(st->kind), st->text,
				      st->first_half ? "*" : "");
		if (o < n && st->then == SCRIPT_THEN_BRANCH)
			o += (size_t)snprintf(buf + o, n - o, " ?%u:%u",
					      st->next, st->jump);
		else if (o < n && st->next != i + 1)
			o += (size_t)snprintf(buf + o, n - o, " ->%u",
					      st->next);
		if (o < n)
			o += (size_t)snprintf(buf + o, n - o, "\n");
	}
	return buf;
}

struct lowering {
	const char *body;
	const char *steps;
};

static const struct lowering cases[] = {
	/* A read-modify-write of shared memory: load, then store. */
	{ "x = x - 50;", "0 load 'load x'*\n1 store 'store x'\n" },
	/* Through a local: one step each. */
	{ "int t; t = x; x = t - 50;",
	  "0 assign 't = x'\n1 assign 'x = t - 50'\n" },
	{ "x++; x--; x += 2;",
	  "0 load 'load x'*\n1 store 'store x'\n2 load 'load x'*\n"
	  "3 store 'store x'\n4 load 'load x'*\n5 store 'store x'\n" },
	/* Shared to shared is split; a constant or a local is not. */
	{ "x = y; x = 3; f = !f;",
	  "0 load 'load y'*\n1 store 'store x'\n2 assign 'x = 3'\n"
	  "3 load 'load f'*\n4 store 'store f'\n" },
	{ "int i = 1; a[i] = a[i] + y;",
	  "0 assign 'i = 1'\n1 load 'load a[i], y'*\n2 store 'store a[i]'\n" },
	/* A shared index is read by the load too. */
	{ "a[x] = 1;", "0 load 'load x'*\n1 store 'store a[x]'\n" },
	/* pop: to a local in one step; to a shared variable, then store. */
	{ "int t = pop(q); x = pop(q); pop(q);",
	  "0 pop 'pop(q)'\n1 pop 'pop(q)'*\n2 store 'store x'\n"
	  "3 pop 'pop(q)'\n" },
	{ "a[x] = pop(q);",
	  "0 pop 'pop(q)'*\n1 load 'load x'*\n2 store 'store a[x]'\n" },
	/* Atomics: one step, whatever they read; a shared result is
	 * stored after. */
	{ "atomic_inc(x); atomic_dec(a[y]); atomic_add(x, y + 1);",
	  "0 atomic_add 'atomic_inc(x)'\n1 atomic_add 'atomic_dec(a[y])'\n"
	  "2 atomic_add 'atomic_add(x, y + 1)'\n" },
	{ "y = exchange(x, 1); bool ok = cas(x, 0, y); ok = cas(x, y, 1) && "
	  "ok;",
	  "0 exchange 'exchange(x, 1)'*\n1 store 'store y'\n"
	  "2 cas 'ok = cas(x, 0, y)'\n3 cas 'ok = cas(x, y, 1) && ok'\n" },
	{ "x = exchange(y, 2) + a[0];",
	  "0 exchange 'exchange(y, 2), load a[0]'*\n1 store 'store x'\n" },
	/* The unsafe list: a begin and an end each. */
	{ "add(items, 1); int t = take(items); x = take(items);",
	  "0 add_begin 'begin add(items, 1)'\n1 add_end 'end add(items, 1)'\n"
	  "2 take_begin 'begin take(items)'\n3 take_end 'end take(items)'\n"
	  "4 take_begin 'begin take(items)'\n5 take_end 'end take(items)'*\n"
	  "6 store 'store x'\n" },
	/* Counts are read like shared values. */
	{ "int n = count(q); x = count(items) + 1; if (count(q) > 1) {}",
	  "0 assign 'n = count(q)'\n1 load 'load count(items)'*\n"
	  "2 store 'store x'\n3 cond 'if (count(q) > 1)' ?4:4\n" },
	/* Declarations without a value take no step. */
	{ "int t; bool u; int v = 2;", "0 assign 'v = 2'\n" },
	/* Conditions: one step; else, braces, break, continue: none. */
	{ "if (x > 0) { x = 1; } else { y = 1; } x = 2;",
	  "0 cond 'if (x > 0)' ?1:2\n1 assign 'x = 1' ->3\n2 assign 'y = 1'\n"
	  "3 assign 'x = 2'\n" },
	{ "if (f) x = 1;", "0 cond 'if (f)' ?1:2\n1 assign 'x = 1'\n" },
	{ "while (true) {}", "0 cond 'while (true)' ?0:1\n" },
	{ "while (x < 3) { if (x == 1) break; else continue; x = 5; } y = 1;",
	  "0 cond 'while (x < 3)' ?1:3\n1 cond 'if (x == 1)' ?3:0\n"
	  "2 assign 'x = 5' ->0\n3 assign 'y = 1'\n" },
	{ "while (f) { while (true) { break; } continue; }",
	  "0 cond 'while (f)' ?1:2\n1 cond 'while (true)' ?0:0\n" },
	{ "if (f) return; x = 1; return;",
	  "0 cond 'if (f)' ?1:2\n1 return 'return' ->4\n2 assign 'x = 1'\n"
	  "3 return 'return'\n" },
	/* An operation in a condition runs first, in the same step. */
	{ "if (trylock(m)) { unlock(m); } while (!cas(x, 0, 1)) {}",
	  "0 trylock 'if (trylock(m))' ?1:2\n1 unlock 'unlock(m)'\n"
	  "2 cas 'while (!cas(x, 0, 1))' ?2:3\n" },
	{ "assert(x == 0); assert(trylock(m), \"why\"); fail(\"no\");",
	  "0 assert 'assert(x == 0)'\n1 trylock 'assert(trylock(m), \"why\")'\n"
	  "2 fail 'fail(\"no\")'\n" },
	{ "critical { x = 1; } critical { }",
	  "0 critical 'enter critical'\n1 assign 'x = 1'\n"
	  "2 critical 'enter critical'\n" },
	/* Every operation on an object: one step of its kind. */
	{ "lock(m); unlock(m); rdlock(rw); wrlock(rw); unlock(rw); "
	  "wait(cv, m); signal(cv); broadcast(cv); wait(s); post(s); "
	  "wait(b); set(e); reset(e); wait(e); count_down(l); wait(l); "
	  "push(q, x + 1);",
	  "0 lock 'lock(m)'\n1 unlock 'unlock(m)'\n2 rdlock 'rdlock(rw)'\n"
	  "3 wrlock 'wrlock(rw)'\n4 rwunlock 'unlock(rw)'\n"
	  "5 wait 'wait(cv, m)'\n6 signal 'signal(cv)'\n"
	  "7 broadcast 'broadcast(cv)'\n8 sem_wait 'wait(s)'\n"
	  "9 post 'post(s)'\n10 barrier_wait 'wait(b)'\n11 set 'set(e)'\n"
	  "12 reset 'reset(e)'\n13 event_wait 'wait(e)'\n"
	  "14 count_down 'count_down(l)'\n15 latch_wait 'wait(l)'\n"
	  "16 push 'push(q, x + 1)'\n" },
	/* Texts fit a gate description, cut with an ellipsis. */
	{ "x = 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13;",
	  "0 assign 'x = 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 +...'\n" },
};

START_TEST(test_lowering)
{
	struct script_program *p = compile(cases[_i].body);
	char buf[2048];

	dump(&p->bodies[0], buf, sizeof(buf));
	ck_assert_msg(!strcmp(buf, cases[_i].steps),
		      "case %d: %s\n got:\n%s\nwant:\n%s", _i, cases[_i].body,
		      buf, cases[_i].steps);
	script_free(p);
}
END_TEST

/* Spans: the statement for a step, the head for an if. */
START_TEST(test_spans)
{
	struct script_program *p = compile("    x = x +\n      1;\n"
					   "  if (f)\n x = 2;");
	const struct script_step *st = p->bodies[0].steps;

	/* Line 16 is "thread a {" (4 header lines, 11 of declarations). */
	ck_assert_uint_eq(p->bodies[0].first_line, 16);
	ck_assert_uint_eq(st[0].line, 17);
	ck_assert_uint_eq(st[0].col, 5);
	ck_assert_uint_eq(st[0].end_line, 18);
	ck_assert_uint_eq(st[0].end_col, 7);
	ck_assert_uint_eq(st[1].line, 17);
	ck_assert_uint_eq(st[2].line, 19);
	ck_assert_uint_eq(st[2].col, 3);
	ck_assert_uint_eq(st[2].end_col, 8);
	ck_assert_uint_eq(st[3].line, 20);
	ck_assert_uint_eq(p->bodies[0].last_line, 21);
	script_free(p);
}
END_TEST

/* What the explorer is told: slots and objects read and written. */
START_TEST(test_masks)
{
	/* Slots: x 0, y 1, a 2..4, f 5.  Objects: m 0, q 1, items 2,
	 * cv 3, s 4, b 5, e 6, l 7, rw 8. */
	struct script_program *p = compile(
		"int i; a[i] = a[1] + y; x = count(q); atomic_inc(a[2]); "
		"wait(cv, m); signal(cv); if (f && x > 0) {}");
	const struct script_step *st = p->bodies[0].steps;

	ck_assert_uint_eq(st[0].reads, (1u << 3) | (1u << 1));
	ck_assert_uint_eq(st[0].writes, 0);
	ck_assert_uint_eq(st[1].reads, 0);
	ck_assert_uint_eq(st[1].writes, 7u << 2);
	ck_assert_uint_eq(st[2].obj_reads, 1u << 1);
	ck_assert_uint_eq(st[2].obj_writes, 0);
	ck_assert_uint_eq(st[3].obj_reads, 0);
	ck_assert_uint_eq(st[3].writes, 1);
	ck_assert_uint_eq(st[4].reads, 1u << 4);
	ck_assert_uint_eq(st[4].writes, 1u << 4);
	ck_assert_uint_eq(st[5].obj_writes, (1u << 3) | 1u);
	ck_assert_int_eq(st[5].obj, 3);
	ck_assert_int_eq(st[5].obj2, 0);
	/* A signal may hand a waiter to the mutex it waits with. */
	ck_assert_uint_eq(st[6].obj_writes, (1u << 3) | 1u);
	ck_assert_uint_eq(p->objs[3].mutexes, 1u);
	ck_assert_uint_eq(st[7].reads, (1u << 5) | 1u);
	script_free(p);
}
END_TEST

/* Temps: what a split statement loads, and the operation's result. */
START_TEST(test_temps)
{
	struct script_program *p = compile("a[x] = a[x] + y + x;");
	const struct script_step *st = p->bodies[0].steps;

	ck_assert_uint_eq(p->bodies[0].nsteps, 2);
	ck_assert_uint_eq(st[0].nloads, 3);
	ck_assert_str_eq(st[0].loads[0].text, "x");
	ck_assert_str_eq(st[0].loads[1].text, "a[x]");
	ck_assert_str_eq(st[0].loads[2].text, "y");
	ck_assert_str_eq(st[0].text, "load x, a[x], y");
	ck_assert_int_eq(st[1].dest.where, SCRIPT_SHARED);
	ck_assert_uint_eq(st[1].dest.slot, 2);
	ck_assert_uint_eq(st[1].dest.len, 3);
	ck_assert_uint_eq(p->bodies[0].ntemps, 3);
	script_free(p);
}
END_TEST

/* Compile "r = expr" for a thread (r of type type) and evaluate it. */
static enum script_fault
eval_of(const char *type, const char *expr, const int64_t *shared,
	int64_t *v)
{
	char body[512];
	struct script_program *p;
	const struct script_step *st;
	int64_t locals[SCRIPT_MAX_LOCALS] = { 7 };
	int64_t temps[SCRIPT_MAX_TEMPS] = { 0 };
	enum script_fault f;

	snprintf(body, sizeof(body), "int seven = 7; %s r; r = %s;", type,
		 expr);
	p = compile(body);
	st = &p->bodies[0].steps[1];
	ck_assert_int_eq(st->kind, SCRIPT_STEP_ASSIGN);
	f = eval_expr(&st->value, shared, locals, temps, 2, v);
	script_free(p);
	return f;
}

START_TEST(test_eval)
{
	/* x y a[0] a[1] a[2] f */
	const int64_t shared[] = { 10, -3, 5, 6, 7, 1 };
	static const struct {
		const char *expr;
		int64_t value;
	} ok[] = {
		{ "1 + 2 * 3", 7 },
		{ "(1 + 2) * 3", 9 },
		{ "x / y", -3 },
		{ "x % y", 1 },
		{ "y % x", -3 },
		{ "-x - y", -7 },
		{ "a[id] + a[x - 10]", 12 },
		{ "seven * id", 14 },
		{ "9223372036854775807 + 1", INT64_MIN },
		{ "-9223372036854775807 - 1 - 1", INT64_MAX },
		{ "(-9223372036854775807 - 1) / -1", INT64_MIN },
		{ "(-9223372036854775807 - 1) % -1", 0 },
		{ "x * 1000000000000 * 1000000000", 1864712049423024128LL },
	}, cond[] = {
		{ "x > y && f", 1 },
		{ "x < y || !f", 0 },
		/* Short-circuit: the right side would fault. */
		{ "y > 0 && x / 0 > 1", 0 },
		{ "f || a[x] > 0", 1 },
		{ "(1 <= 1) == (2 >= 3 == false)", 1 },
		{ "x != 10 || y == -3", 1 },
	};
	int64_t v;
	unsigned i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(eval_of("int", ok[i].expr, shared, &v), 0);
		ck_assert_msg(v == ok[i].value, "%s = %lld", ok[i].expr,
			      (long long)v);
	}
	for (i = 0; i < sizeof(cond) / sizeof(cond[0]); i++) {
		ck_assert_int_eq(eval_of("bool", cond[i].expr, shared, &v), 0);
		ck_assert_msg(v == cond[i].value, "%s = %lld", cond[i].expr,
			      (long long)v);
	}
	ck_assert_int_eq(eval_of("int", "x / (y + 3)", shared, &v),
			 SCRIPT_FAULT_DIV_ZERO);
	ck_assert_int_eq(eval_of("int", "x % 0", shared, &v),
			 SCRIPT_FAULT_DIV_ZERO);
	ck_assert_int_eq(eval_of("int", "a[x]", shared, &v),
			 SCRIPT_FAULT_INDEX);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(eval_of("int", "a[y]", shared, &v),
			 SCRIPT_FAULT_INDEX);
	ck_assert_int_eq(v, -3);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("script_lower");
	TCase *tc = tcase_create("lower");

	tcase_add_loop_test(tc, test_lowering, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_spans);
	tcase_add_test(tc, test_masks);
	tcase_add_test(tc, test_temps);
	tcase_add_test(tc, test_eval);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
