/*
 * check_script_parse.c - Check suite for the script front end's reading:
 * what a script declares comes out in the program's tables, and every
 * error a lexer, parser or checker can give names the right place.
 *
 * Error cases are a table of (source, exact message): the position in
 * "FILE:LINE:COLUMN" is the offending token's, and the test compares the
 * whole line, so a message that points one column off fails.
 */
#include "config.h"

#include "script/script.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "checkutil.h"

/* A header of four lines: code after it starts on line 5. */
#define HDR "title \"t\"\ngoal assert\nexpect breakable\nlesson \"l\"\n"

static struct script_program *
compile_ok(const char *src)
{
	struct script_program *p = NULL;
	char err[256];
	int rc = script_parse_buffer("t.lss", src, strlen(src), &p, err,
				     sizeof(err));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* The program of everything, checked field by field. */
START_TEST(test_tables)
{
	static const char src[] =
		"// every kind of declaration\n"
		"title \"All of it\"\n"
		"goal assert, deadlock\n"
		"expect breakable\n"
		"solution \"a w1\"\n"
		"lesson \"\"\"\n"
		"    First paragraph,\n"
		"      indented more.\n"
		"\n"
		"    Second.\n"
		"    \"\"\"\n"
		"shared int x = -3, arr[3] = {1, 2};\n"
		"shared bool f[2] = {true}, g;\n"
		"mutex m, r recursive;\n"
		"rwlock rw1, rw2 reader, rw3 fair;\n"
		"semaphore s = 2, s0;\n"
		"condition cv;\n"
		"barrier b = 3;\n"
		"event e1 manual, e2 auto set;\n"
		"latch l = 0;\n"
		"queue q = 4;\n"
		"unsafe list items;\n"
		"thread a { int t = 1; bool u; }\n"
		"thread w[2] {\n"
		"    x = id;\n"
		"}\n"
		"check { assert(x == 1); }\n";
	struct script_program *p = compile_ok(src);
	const int64_t init[] = { -3, 1, 2, 0, 1, 0, 0 };

	ck_assert_str_eq(p->title, "All of it");
	ck_assert_str_eq(p->lesson,
			 "First paragraph,\n  indented more.\n\nSecond.");
	ck_assert_uint_eq(p->goals, SCRIPT_GOAL_ASSERT | SCRIPT_GOAL_DEADLOCK);
	ck_assert_int_eq(p->expect, SCRIPT_BREAKABLE);
	ck_assert_uint_eq(p->nvars, 4);
	ck_assert_uint_eq(p->nslots, 7);
	ck_assert_int_eq(memcmp(p->shared_init, init, sizeof(init)), 0);
	ck_assert_str_eq(p->vars[1].name, "arr");
	ck_assert_uint_eq(p->vars[1].slot, 1);
	ck_assert_uint_eq(p->vars[1].len, 3);
	ck_assert(p->vars[1].array);
	ck_assert_int_eq(p->vars[2].type, SCRIPT_BOOL);
	ck_assert_uint_eq(p->vars[3].slot, 6);
	ck_assert(!p->vars[3].array);
	ck_assert_uint_eq(p->vars[3].line, 13);
	ck_assert_uint_eq(p->vars[3].col, 28);

	ck_assert_uint_eq(p->nobjs, 14);
	ck_assert(!p->objs[0].recursive);
	ck_assert(p->objs[1].recursive);
	ck_assert_int_eq(p->objs[2].policy, SCRIPT_RW_WRITER);
	ck_assert_int_eq(p->objs[3].policy, SCRIPT_RW_READER);
	ck_assert_int_eq(p->objs[4].policy, SCRIPT_RW_FAIR);
	ck_assert_int_eq(p->objs[5].kind, SCRIPT_SEMAPHORE);
	ck_assert_int_eq(p->objs[5].init, 2);
	ck_assert_int_eq(p->objs[6].init, 0);
	ck_assert_int_eq(p->objs[7].kind, SCRIPT_CONDITION);
	ck_assert_int_eq(p->objs[8].init, 3);
	ck_assert(!p->objs[9].auto_reset && !p->objs[9].initially_set);
	ck_assert(p->objs[10].auto_reset && p->objs[10].initially_set);
	ck_assert_int_eq(p->objs[11].kind, SCRIPT_LATCH);
	ck_assert_int_eq(p->objs[12].init, 4);
	ck_assert_int_eq(p->objs[13].kind, SCRIPT_LIST);
	ck_assert_str_eq(p->objs[13].name, "items");

	ck_assert_uint_eq(p->nbodies, 2);
	ck_assert_uint_eq(p->nthreads, 3);
	ck_assert_str_eq(p->threads[0].name, "a");
	ck_assert_str_eq(p->threads[1].name, "w0");
	ck_assert_str_eq(p->threads[2].name, "w1");
	ck_assert_int_eq(p->threads[2].id, 1);
	ck_assert_uint_eq(p->threads[2].body, 1);
	ck_assert_int_eq(script_thread_find(p, "w1"), 2);
	ck_assert_int_eq(script_thread_find(p, "w"), -1);
	ck_assert_uint_eq(p->bodies[0].nlocals, 2);
	ck_assert_str_eq(p->bodies[0].locals[1].name, "u");
	ck_assert_uint_eq(p->bodies[1].copies, 2);
	ck_assert_uint_eq(p->bodies[1].first_line, 24);
	ck_assert_uint_eq(p->bodies[1].last_line, 26);
	ck_assert_str_eq(p->lines[p->bodies[1].first_line - 1],
			 "thread w[2] {");
	ck_assert_str_eq(p->lines[p->bodies[1].last_line - 1], "}");
	ck_assert_uint_eq(p->nlines, 27);
	ck_assert_ptr_nonnull(p->check);
	ck_assert_str_eq(p->check->name, "check");
	ck_assert_uint_eq(p->nsolution, 2);
	ck_assert_uint_eq(p->solution[0], 0);
	ck_assert_uint_eq(p->solution[1], 2);
	script_free(p);
}
END_TEST

/* Defaults and optional parts: no check block, no solution, CRLF. */
START_TEST(test_defaults)
{
	static const char src[] =
		"title \"t\"\r\ngoal error\r\nexpect safe\r\nlesson \"l\"\r\n"
		"semaphore s;\r\nthread a {\r\n}\r\n";
	struct script_program *p = compile_ok(src);

	ck_assert_int_eq(p->expect, SCRIPT_SAFE);
	ck_assert_uint_eq(p->goals, SCRIPT_GOAL_ERROR);
	ck_assert_int_eq(p->objs[0].init, 0);
	ck_assert_ptr_null(p->check);
	ck_assert_uint_eq(p->nsolution, 0);
	ck_assert_uint_eq(p->bodies[0].nsteps, 0);
	ck_assert_uint_eq(p->nlines, 7);
	ck_assert_str_eq(p->lines[5], "thread a {");
	script_free(p);
}
END_TEST

/* Operation words are not reserved: a variable may be called count. */
START_TEST(test_operation_words_are_names)
{
	struct script_program *p = compile_ok(
		HDR "shared int count, wait;\nqueue q = 1;\n"
		    "thread a { count = count(q); wait = count + 1; }\n");

	ck_assert_str_eq(p->vars[0].name, "count");
	ck_assert_uint_eq(p->bodies[0].nsteps, 4);
	script_free(p);
}
END_TEST

struct bad {
	const char *src;
	const char *msg;
};

static const struct bad bad[] = {
	/* The lexer. */
	{ HDR "@", "t.lss:5:1: expected a name, a number, a string or an "
		   "operator, found '@'" },
	{ "title \"abc\n", "t.lss:1:11: expected '\"' to end the string, "
			   "found the end of the line" },
	{ HDR "/* never closed\n", "t.lss:5:1: expected '*/' to close this "
				   "comment, found the end of the file" },
	{ HDR "shared int x = 99999999999999999999;",
	  "t.lss:5:16: expected a number up to 9223372036854775807, found a "
	  "larger one" },
	{ "title \"a\\qb\"", "t.lss:1:10: expected n, t, \" or \\ after "
			     "'\\', found 'q'" },
	{ HDR "shared int x = 12ab;", "t.lss:5:18: expected an operator or a "
				  "space after a number, found 'a'" },
	{ "lesson \"\xc3\xa9\" @", "t.lss:1:12: expected a name, a number, a "
				 "string or an operator, found '@'" },
	{ "\tshared int x = 1 2;", "t.lss:1:19: expected ',' or ';' after "
				 "the declaration, found '2'" },
	{ "lesson \"\"\"\nnever closed",
	  "t.lss:1:8: expected '\"\"\"' to close this string, found the end "
	  "of the file" },
	{ HDR "\x01", "t.lss:5:1: expected a name, a number, a string or an "
		      "operator, found the control character 0x01" },
	/* The parser. */
	{ HDR "shared int x = 1\nmutex m;",
	  "t.lss:6:1: expected ',' or ';' after the declaration, found "
	  "'mutex'" },
	{ HDR "shared int x;\nthread a { x = 1 }",
	  "t.lss:6:18: expected ';' after the assignment, found '}'" },
	{ HDR "thread a { foo(1); }",
	  "t.lss:5:12: expected an operation such as lock or wait before "
	  "'(', found 'foo'" },
	{ HDR "thread a { if true {} }",
	  "t.lss:5:15: expected '(' after 'if', found 'true'" },
	{ HDR "thread a {\n  while (true) {\n",
	  "t.lss:7:1: expected '}' to close the block opened at line 6, "
	  "found the end of the file" },
	{ "goal win", "t.lss:1:6: expected assert, deadlock, critical or "
		      "error, found 'win'" },
	{ "expect maybe", "t.lss:1:8: expected breakable or safe, found "
			  "'maybe'" },
	{ HDR "shared int a[17];", "t.lss:5:14: expected an array length "
			       "from 1 to 16, found '17'" },
	{ HDR "shared int a[2 = 3;", "t.lss:5:16: expected ']' after the "
				 "array length, found '='" },
	{ HDR "thread w[2 {}", "t.lss:5:12: expected ']' after the number of "
			       "copies, found '{'" },
	{ HDR "thread w[17] {}", "t.lss:5:10: expected a number of copies "
			     "from 1 to 16, found '17'" },
	{ HDR "shared int if;", "t.lss:5:12: expected a name for the shared "
			    "variable, found 'if'" },
	{ HDR "event e;", "t.lss:5:8: expected manual or auto after the "
		      "event's name, found ';'" },
	{ HDR "title \"again\"",
	  "t.lss:5:1: expected one title line, found a second" },
	{ HDR "queue q = 0;", "t.lss:5:11: expected a capacity from 1 to 16, "
			  "found '0'" },
	{ HDR "barrier b;", "t.lss:5:10: expected '=' and the number of "
			"parties, found ';'" },
	{ HDR "shared int a[2] = {1, 2, 3};",
	  "t.lss:5:26: expected '}' after 2 values, found '3'" },
	{ HDR "shared bool f = 1;", "t.lss:5:17: expected true or false for "
				"bool 'f', found '1'" },
	{ HDR "shared int a[2] = 1;", "t.lss:5:19: expected '{' to start the "
				  "array's values, found '1'" },
	{ HDR "thread a { if (true) int x; }",
	  "t.lss:5:22: expected a statement (declare variables in a block), "
	  "found 'int'" },
	{ HDR "thread a { int t[2]; }",
	  "t.lss:5:17: expected '=', ',' or ';' after the local variable "
	  "(arrays are shared only), found '['" },
	{ HDR "thread a { int t; t = (1 + ; }",
	  "t.lss:5:28: expected an expression, found ';'" },
	{ HDR "thread a { 3 = 4; }",
	  "t.lss:5:12: expected a statement, found '3'" },
	{ HDR "thread a { critical x = 1; }",
	  "t.lss:5:21: expected '{' after 'critical', found 'x'" },
	{ HDR "thread a { else; }",
	  "t.lss:5:12: expected a statement, found 'else'" },
	{ HDR "thread a { lock(m, m, m, m); }",
	  "t.lss:5:26: expected ')' after 3 arguments, found 'm'" },
	{ HDR "thread a { int t; t = \"s\"; }",
	  "t.lss:5:23: expected an expression, found a string" },
	{ HDR "mutex a_name_that_is_much_too_long_to_keep;",
	  "t.lss:5:7: expected a name of at most 31 characters, found one of "
	  "36" },
	{ HDR "thread a }", "t.lss:5:10: expected '{' to start the thread's "
			    "body, found '}'" },
	{ HDR "nonsense", "t.lss:5:1: expected a declaration, a thread or a "
			  "header line, found 'nonsense'" },
	/* The checker. */
	{ HDR "thread a { x = 1; }",
	  "t.lss:5:12: expected a declared name, found 'x'" },
	{ HDR "semaphore s = 1;\nthread a { lock(s); }",
	  "t.lss:6:17: expected a mutex for lock(), found semaphore 's'" },
	{ HDR "rwlock rw;\nthread a { lock(rw); }",
	  "t.lss:6:17: expected a mutex for lock(), found rwlock 'rw' (use "
	  "rdlock or wrlock)" },
	{ HDR "mutex m;\nthread a { wait(m); }",
	  "t.lss:6:17: expected a semaphore, condition, barrier, event or "
	  "latch for wait(), found mutex 'm'" },
	{ HDR "condition cv;\nthread a { wait(cv); }",
	  "t.lss:6:12: expected wait(cv, m) on a condition, with its mutex, "
	  "found wait(cv)" },
	{ HDR "semaphore s;\nmutex m;\nthread a { wait(s, m); }",
	  "t.lss:7:12: expected one argument for wait() on a semaphore, "
	  "barrier, event or latch, found wait(s, m)" },
	{ HDR "queue q = 1;\nthread a { if (pop(q) > 0) {} }",
	  "t.lss:6:16: expected pop(q) alone on the right of '=' (it may "
	  "block), found it inside a condition: assign it to a local first" },
	{ HDR "unsafe list l;\nthread a { int t = take(l) + 1; }",
	  "t.lss:6:20: expected take(l) alone on the right of '=' (it takes "
	  "two steps), found it inside an expression: assign it to a local "
	  "first" },
	{ HDR "thread a { id = 1; }",
	  "t.lss:5:12: expected a variable to assign to, found 'id' (the "
	  "copy's index, which cannot change)" },
	{ HDR "thread w[16] {}\nthread x {}",
	  "t.lss:6:8: expected at most 16 threads in all, found more with "
	  "'x'" },
	{ HDR "thread a { break; }",
	  "t.lss:5:12: expected 'break' inside a loop, found it outside any" },
	{ HDR "thread a { continue; }",
	  "t.lss:5:12: expected 'continue' inside a loop, found it outside "
	  "any" },
	{ HDR "shared int x;\nthread a { if (x) {} }",
	  "t.lss:6:16: expected a bool condition, found an int (compare it, "
	  "as in x != 0)" },
	{ HDR "shared int x, y;\nthread a { bool t; "
	      "t = cas(x, 0, 1) && cas(y, 0, 1); }",
	  "t.lss:6:40: expected one operation per statement, found a second: "
	  "cas(y, 0, 1)" },
	{ HDR "mutex m;\nshared int x;\nthread a { if (x > 0 && trylock(m)) "
	      "{} }",
	  "t.lss:7:25: expected trylock(m) where it always runs, found it on "
	  "the right of && or ||: test it in an if of its own" },
	{ HDR "mutex m;\nthread a { int t; t = lock(m); }",
	  "t.lss:6:23: expected a value, found lock(m), which gives none" },
	{ HDR "shared int x;\ncheck { while (x < 1) {} }\nthread a {}",
	  "t.lss:6:9: expected no loops in the check block, found 'while'" },
	{ HDR "mutex m;\nthread a {}\ncheck { lock(m); }",
	  "t.lss:7:9: expected no operations in the check block (it runs "
	  "once every thread has returned), found lock(m)" },
	{ HDR "shared int x;\nthread a {}\ncheck { x = 1; }",
	  "t.lss:7:9: expected a local variable to assign to (the check "
	  "block only reads shared memory), found shared int 'x'" },
	{ HDR "thread a {}\ncheck { int t = id; }",
	  "t.lss:6:17: expected a value the check block has, found 'id' "
	  "(only threads have one)" },
	{ HDR "shared int balance;\nthread a { int balance; }",
	  "t.lss:6:16: expected a new name, found 'balance', declared at "
	  "line 5" },
	{ HDR "thread a { int t; { int t; } }",
	  "t.lss:5:25: expected a new name, found 't', declared at line 5" },
	{ HDR "thread a { { int t; } t = 1; }",
	  "t.lss:5:23: expected a declared name, found 't'" },
	{ HDR "mutex m;\nshared int m;\nthread a {}",
	  "t.lss:6:12: expected a new name, found 'm', declared at line 5" },
	{ HDR "thread w1 {}\nthread w[2] {}",
	  "t.lss:6:8: expected a new name, found 'w1', declared at line 5" },
	{ HDR "shared int a[3];\nthread b { a[3] = 1; }",
	  "t.lss:6:14: expected an index from 0 to 2 for 'a', found 3" },
	{ HDR "shared int a[3];\nthread b { int t = a; }",
	  "t.lss:6:20: expected an element of 'a' (a[i]), found the whole "
	  "array" },
	{ HDR "shared int x;\nthread b { x[0] = 1; }",
	  "t.lss:6:12: expected an array before '[', found shared int 'x'" },
	{ HDR "queue q = 1;\nthread a { count(q); }",
	  "t.lss:6:12: expected a statement, found count(q), which does "
	  "nothing on its own" },
	{ HDR "thread a { int t; atomic_inc(t); }",
	  "t.lss:5:30: expected a shared variable for atomic_inc(), found "
	  "local int 't'" },
	{ HDR "shared bool f;\nthread a { atomic_add(f, 1); }",
	  "t.lss:6:23: expected a shared int for atomic_add(), found a bool" },
	{ HDR "mutex a, b;\nthread t { lock(a, b); }",
	  "t.lss:6:12: expected 1 argument for lock(), found 2" },
	{ HDR "shared int x;\nthread t { assert(); }",
	  "t.lss:6:12: expected at least 1 argument for assert(), found 0" },
	{ HDR "thread t { fail(1); }",
	  "t.lss:5:17: expected a string saying why for fail(), found an "
	  "expression" },
	{ HDR "shared bool f;\nthread t { f = 1 + 2; }",
	  "t.lss:6:16: expected a bool for a value, found an int" },
	{ HDR "shared bool f;\nthread t { f += 1; }",
	  "t.lss:6:12: expected an int for '+=', found a bool" },
	{ HDR "shared int x;\nshared bool f;\nthread t { f = x == f; }",
	  "t.lss:7:21: expected an int for '==', found a bool" },
	{ HDR "queue q = 1;\nthread t { int x = q; }",
	  "t.lss:6:20: expected a value, found queue 'q'" },
	{ HDR "queue q = 1;\nunsafe list l;\nthread t { push(l, 1); }",
	  "t.lss:7:17: expected a queue for push(), found list 'l'" },
	{ HDR "mutex m;\nthread t { int x = count(m); }",
	  "t.lss:6:26: expected a queue or unsafe list for count(), found "
	  "mutex 'm'" },
	{ HDR "mutex m;\nthread t { set(m); }",
	  "t.lss:6:16: expected an event for set(), found mutex 'm'" },
	{ HDR "queue q = 1;\nthread t { add(q, 1); }",
	  "t.lss:6:16: expected an unsafe list for add(), found queue 'q'" },
	{ HDR "queue q = 1;\nthread t { push(q, pop(q)); }",
	  "t.lss:6:20: expected one operation per statement, found a second: "
	  "pop(q)" },
	/* The header, the solution and the limits. */
	{ "goal assert\nexpect safe\nlesson \"l\"\nthread a {}\n",
	  "t.lss:5:1: expected a title line, found none" },
	{ "title \"t\"\nexpect safe\nlesson \"l\"\nthread a {}",
	  "t.lss:4:12: expected a goal line, found none" },
	{ HDR, "t.lss:5:1: expected at least one thread, found none" },
	{ "title \"t\"\ngoal assert\nexpect breakable\nlesson \"l\"\n"
	  "solution \"a b\"\nthread a {}",
	  "t.lss:5:13: expected the name of a thread in the solution, found "
	  "'b'" },
	{ "title \"t\"\ngoal assert\nexpect breakable\nlesson \"l\"\n"
	  "solution \"\"\"\n  a\n   a c\n\"\"\"\nthread a {}",
	  "t.lss:7:6: expected the name of a thread in the solution, found "
	  "'c'" },
	{ "title \"t\"\ngoal assert\nexpect safe\nlesson \"l\"\n"
	  "solution \"a\"\nthread a {}",
	  "t.lss:5:10: expected no solution in a safe script, found one" },
	{ HDR "shared int a[16], b[16], c[16], d[16], e;\nthread a {}",
	  "t.lss:5:40: expected at most 64 shared slots in all, found more "
	  "with 'e'" },
};

START_TEST(test_errors)
{
	const struct bad *b = &bad[_i];
	struct script_program *p = NULL;
	char err[256];
	int rc = script_parse_buffer("t.lss", b->src, strlen(b->src), &p, err,
				     sizeof(err));

	ck_assert_msg(rc == -EINVAL, "case %d: rc %d (%s)", _i, rc, err);
	ck_assert_ptr_null(p);
	ck_assert_msg(!strcmp(err, b->msg), "case %d:\n got: %s\nwant: %s",
		      _i, err, b->msg);
	/* One line, as the message promises. */
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

/* Nesting is bounded: no input can overflow a stack. */
START_TEST(test_depth_limits)
{
	char src[4096], *s;
	struct script_program *p = NULL;
	char err[256];
	int i, rc;

	s = src + snprintf(src, sizeof(src), HDR "thread a { int t; t = ");
	for (i = 0; i < 200; i++)
		*s++ = '(';
	strcpy(s, "1");
	rc = script_parse_buffer("t.lss", src, strlen(src), &p, err,
				 sizeof(err));
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_msg(strstr(err, "nested at most 32 levels"), "%s", err);

	s = src + snprintf(src, sizeof(src), HDR "thread a { int t; t = 1");
	for (i = 0; i < 40; i++)
		s += sprintf(s, " + 1");
	strcpy(s, "; }");
	rc = script_parse_buffer("t.lss", src, strlen(src), &p, err,
				 sizeof(err));
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_str_eq(err, "t.lss:5:23: expected an expression at most 32 "
			      "levels deep, found a deeper one");

	s = src + snprintf(src, sizeof(src), HDR "thread a ");
	for (i = 0; i < 100; i++)
		*s++ = '{';
	*s = '\0';
	rc = script_parse_buffer("t.lss", src, strlen(src), &p, err,
				 sizeof(err));
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_msg(strstr(err, "nested at most 32 levels"), "%s", err);
}
END_TEST

/* A file: read errors and parse errors name the path. */
START_TEST(test_files)
{
	char path[] = "/tmp/check_script_parse.XXXXXX";
	struct script_program *p = NULL;
	char err[256], *big;
	int fd = mkstemp(path);
	static const char src[] = HDR "thread a { x = 1; }\n";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, src, strlen(src)), (int)strlen(src));
	close(fd);
	ck_assert_int_eq(script_parse_file(path, &p, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ":5:12: expected a declared name"));
	ck_assert_int_eq(strncmp(err, path, strlen(path)), 0);
	/* Past the limit (1 MiB): refused, having read a little of it. */
	big = calloc(1, (1u << 20) + 100);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', (1u << 20) + 100);
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, big, (1u << 20) + 100), (1 << 20) + 100);
	close(fd);
	free(big);
	ck_assert_int_eq(script_parse_file(path, &p, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(strchr(err, ':'), ":1:1: expected a script of at most "
					   "1048576 bytes, found 1048577");
	unlink(path);
	ck_assert_int_eq(script_parse_file(path, &p, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_ptr_null(p);
	/* A zero-length message buffer is allowed. */
	ck_assert_int_eq(script_parse_buffer("t", "x", 1, &p, NULL, 0),
			 -EINVAL);
	script_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("script_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_operation_words_are_names);
	tcase_add_loop_test(tc, test_errors, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_depth_limits);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
