/*
 * checker-expr.c - types of expressions and the rules of operations.
 *
 * Every built-in operation has a signature below: how many arguments,
 * which kinds of object its first one may be (or whether it is a shared
 * variable, for the atomics), what it gives back, and where it may stand.
 * A statement holds at most one operation (struct checker.op), so that a
 * statement is a known number of steps.  An operation that gives a value
 * (trylock, cas, exchange) may sit in a condition or on the right of an
 * assignment, but not on the right of && or ||, where C would skip it:
 * the step runs the operation first, then evaluates the expression.  pop
 * and take, which block or take two steps, stand alone on the right of an
 * assignment.
 */
#include "config.h"

#include "script/script-int.h"

#include <stdio.h>
#include <string.h>

#define K(kind) (1u << (kind))

enum result {
	R_VOID = -1,
	R_INT = SCRIPT_INT,
	R_BOOL = SCRIPT_BOOL,
	R_TARGET = 2,		/* the type of the shared variable */
};

struct sig {
	unsigned min, max;	/* arguments */
	unsigned kinds;		/* first argument: objects of these kinds */
	bool target;		/* first argument: a shared variable */
	enum result result;
	bool alone;		/* only as the whole right side */
	bool operation;		/* counts as the statement's operation */
};

static const struct sig sigs[B_COUNT_ALL] = {
	[B_LOCK] = { 1, 1, K(SCRIPT_MUTEX), false, R_VOID, false, true },
	[B_UNLOCK] = { 1, 1, K(SCRIPT_MUTEX) | K(SCRIPT_RWLOCK), false,
		       R_VOID, false, true },
	[B_TRYLOCK] = { 1, 1, K(SCRIPT_MUTEX), false, R_BOOL, false, true },
	[B_RDLOCK] = { 1, 1, K(SCRIPT_RWLOCK), false, R_VOID, false, true },
	[B_WRLOCK] = { 1, 1, K(SCRIPT_RWLOCK), false, R_VOID, false, true },
	[B_WAIT] = { 1, 2,
		     K(SCRIPT_CONDITION) | K(SCRIPT_SEMAPHORE) |
			     K(SCRIPT_BARRIER) | K(SCRIPT_EVENT) |
			     K(SCRIPT_LATCH),
		     false, R_VOID, false, true },
	[B_SIGNAL] = { 1, 1, K(SCRIPT_CONDITION), false, R_VOID, false,
		       true },
	[B_BROADCAST] = { 1, 1, K(SCRIPT_CONDITION), false, R_VOID, false,
			  true },
	[B_POST] = { 1, 1, K(SCRIPT_SEMAPHORE), false, R_VOID, false, true },
	[B_SET] = { 1, 1, K(SCRIPT_EVENT), false, R_VOID, false, true },
	[B_RESET] = { 1, 1, K(SCRIPT_EVENT), false, R_VOID, false, true },
	[B_COUNT_DOWN] = { 1, 1, K(SCRIPT_LATCH), false, R_VOID, false,
			   true },
	[B_PUSH] = { 2, 2, K(SCRIPT_QUEUE), false, R_VOID, false, true },
	[B_POP] = { 1, 1, K(SCRIPT_QUEUE), false, R_INT, true, true },
	[B_COUNT] = { 1, 1, K(SCRIPT_QUEUE) | K(SCRIPT_LIST), false, R_INT,
		      false, false },
	[B_ADD] = { 2, 2, K(SCRIPT_LIST), false, R_VOID, false, true },
	[B_TAKE] = { 1, 1, K(SCRIPT_LIST), false, R_INT, true, true },
	[B_ATOMIC_INC] = { 1, 1, 0, true, R_VOID, false, true },
	[B_ATOMIC_DEC] = { 1, 1, 0, true, R_VOID, false, true },
	[B_ATOMIC_ADD] = { 2, 2, 0, true, R_VOID, false, true },
	[B_EXCHANGE] = { 2, 2, 0, true, R_TARGET, false, true },
	[B_CAS] = { 3, 3, 0, true, R_BOOL, false, true },
	[B_ASSERT] = { 1, 2, 0, false, R_VOID, false, false },
	[B_FAIL] = { 1, 1, 0, false, R_VOID, false, false },
};

static const char *
type_name(enum script_type t)
{
	return t == SCRIPT_BOOL ? "a bool" : "an int";
}

/* How the name in e (an AX_NAME or AX_INDEX) reads in "found ...". */
static const char *
describe_sym(const struct checker *ck, enum sym sym, int index,
	     const char *name, char *buf, size_t n)
{
	switch (sym) {
	case SYM_SHARED:
		snprintf(buf, n, "shared %s '%s'",
			 ck->vars[index].type == SCRIPT_BOOL ? "bool" : "int",
			 name);
		break;
	case SYM_LOCAL:
		snprintf(buf, n, "local %s '%s'",
			 ck->locals[index].type == SCRIPT_BOOL ? "bool"
								: "int",
			 name);
		break;
	case SYM_OBJECT:
		snprintf(buf, n, "%s '%s'",
			 script_obj_kind_name(ck->objs[index].kind), name);
		break;
	default:
		snprintf(buf, n, "'%s'", name);
	}
	return buf;
}

/* Resolve the name of e, failing when nothing has it. */
static enum sym
resolve(struct checker *ck, struct ast_expr *e)
{
	e->sym = checker_lookup(ck, e->name, &e->index);
	if (e->sym == SYM_NONE)
		fe_fail(ck->fe, &e->sp,
			"expected a declared name, found '%s'", e->name);
	return e->sym;
}

/* The index of an element: an int, and in range when constant. */
static void
check_index(struct checker *ck, struct ast_expr *e, unsigned len)
{
	const struct ast_expr *i = e->b;
	int64_t v;

	checker_want(ck, e->b, SCRIPT_INT, 0, "an index");
	if (i->kind == AX_INT)
		v = i->value;
	else if (i->kind == AX_UNARY && i->op == T_MINUS &&
		 i->a->kind == AX_INT)
		v = -i->a->value;
	else
		return;
	if (v < 0 || v >= (int64_t)len)
		fe_fail(ck->fe, &i->sp,
			"expected an index from 0 to %u for '%s', found %lld",
			len - 1, e->name, (long long)v);
}

/* A variable, read (lvalue false) or written: its type. */
static enum script_type
check_var(struct checker *ck, struct ast_expr *e, bool lvalue)
{
	char buf[64];
	bool array;

	resolve(ck, e);
	describe_sym(ck, e->sym, e->index, e->name, buf, sizeof(buf));
	if (e->sym == SYM_OBJECT)
		fe_fail(ck->fe, &e->sp, "expected %s, found %s",
			lvalue ? "a variable to assign to" : "a value", buf);
	if (lvalue && ck->in_check && e->sym == SYM_SHARED)
		fe_fail(ck->fe, &e->sp,
			"expected a local variable to assign to (the check "
			"block only reads shared memory), found %s",
			buf);
	array = e->sym == SYM_SHARED && ck->vars[e->index].array;
	if (e->kind == AX_INDEX && !array)
		fe_fail(ck->fe, &e->sp,
			"expected an array before '[', found %s", buf);
	if (e->kind == AX_NAME && array)
		fe_fail(ck->fe, &e->sp,
			"expected an element of '%s' (%s[i]), found the whole "
			"array",
			e->name, e->name);
	if (e->kind == AX_INDEX)
		check_index(ck, e, ck->vars[e->index].len);
	e->type = e->sym == SYM_SHARED ? ck->vars[e->index].type
				       : ck->locals[e->index].type;
	return e->type;
}

enum script_type
checker_lvalue(struct checker *ck, struct ast_expr *e)
{
	if (e->kind == AX_ID)
		fe_fail(ck->fe, &e->sp,
			"expected a variable to assign to, found 'id' (the "
			"copy's index, which cannot change)");
	return check_var(ck, e, true);
}

/* The object argument of call: one of the kinds in kinds. */
static void
check_object(struct checker *ck, struct ast_expr *call, struct ast_expr *e,
	     unsigned kinds)
{
	char want[96] = "", buf[64];
	unsigned k, n = 0, total = 0;
	const char *name;

	for (k = 0; k < SCRIPT_OBJ_KIND_COUNT; k++)
		total += (kinds >> k) & 1;
	/* "a mutex", "an event", "a queue or unsafe list", ... */
	for (k = 0; k < SCRIPT_OBJ_KIND_COUNT; k++) {
		if (!(kinds & K(k)))
			continue;
		name = k == SCRIPT_LIST ? "unsafe list"
					: script_obj_kind_name(k);
		n++;
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "%s%s",
			 n > 1 ? (n == total ? " or " : ", ")
			 : strchr("aeiou", name[0]) ? "an "
						    : "a ",
			 name);
	}
	if (e->kind != AX_NAME)
		fe_fail(ck->fe, &e->sp, "expected %s for %s(), found an "
					"expression",
			want, call->name);
	resolve(ck, e);
	if (e->sym != SYM_OBJECT || !(kinds & K(ck->objs[e->index].kind)))
		fe_fail(ck->fe, &e->sp, "expected %s for %s(), found %s%s",
			want, call->name,
			describe_sym(ck, e->sym, e->index, e->name, buf,
				     sizeof(buf)),
			e->sym == SYM_OBJECT &&
					ck->objs[e->index].kind ==
						SCRIPT_RWLOCK &&
					call->op == B_LOCK
				? " (use rdlock or wrlock)"
				: "");
}

/* The shared variable an atomic operation changes: its type. */
static enum script_type
check_target(struct checker *ck, struct ast_expr *call, struct ast_expr *e)
{
	char buf[64];

	if (e->kind != AX_NAME && e->kind != AX_INDEX)
		fe_fail(ck->fe, &e->sp,
			"expected a shared variable for %s(), found an "
			"expression",
			call->name);
	check_var(ck, e, true);
	if (e->sym != SYM_SHARED)
		fe_fail(ck->fe, &e->sp,
			"expected a shared variable for %s(), found %s",
			call->name,
			describe_sym(ck, e->sym, e->index, e->name, buf,
				     sizeof(buf)));
	return e->type;
}

/* A message argument: a string. */
static void
check_string(struct checker *ck, struct ast_expr *call, struct ast_expr *e)
{
	if (e->kind != AX_STRING)
		fe_fail(ck->fe, &e->sp,
			"expected a string saying why for %s(), found an "
			"expression",
			call->name);
}

static void
check_arity(struct checker *ck, struct ast_expr *e, const struct sig *sig)
{
	unsigned want = e->nargs < sig->min ? sig->min : sig->max;

	if (e->nargs >= sig->min && e->nargs <= sig->max)
		return;
	fe_fail(ck->fe, &e->sp, "expected %s%u argument%s for %s(), found %u",
		sig->min != sig->max ? (e->nargs < sig->min ? "at least "
							    : "at most ")
				     : "",
		want, want == 1 ? "" : "s", e->name, e->nargs);
}

/* The operation e, where it stands: once per statement, and in a place
 * its kind allows. */
static void
check_operation(struct checker *ck, struct ast_expr *e, unsigned where,
		bool stmt)
{
	const struct sig *sig = &sigs[e->op];
	char text[64];

	fe_text(&e->sp, text, sizeof(text));
	if (ck->in_check)
		fe_fail(ck->fe, &e->sp,
			"expected no operations in the check block (it runs "
			"once every thread has returned), found %s",
			text);
	if (ck->op)
		fe_fail(ck->fe, &e->sp,
			"expected one operation per statement, found a "
			"second: %s",
			text);
	ck->op = e;
	if (stmt)
		return;
	if (sig->result == R_VOID)
		fe_fail(ck->fe, &e->sp,
			"expected a value, found %s, which gives none", text);
	if (sig->alone && !(where & CK_WHOLE_RHS))
		fe_fail(ck->fe, &e->sp,
			"expected %s alone on the right of '=' (it %s), found "
			"it inside %s: assign it to a local first",
			text,
			e->op == B_POP ? "may block" : "takes two steps",
			where & CK_COND ? "a condition" : "an expression");
	if (where & CK_GUARDED)
		fe_fail(ck->fe, &e->sp,
			"expected %s where it always runs, found it on the "
			"right of && or ||: test it in an if of its own",
			text);
}

static enum script_type
check_call(struct checker *ck, struct ast_expr *e, unsigned where,
	   bool stmt)
{
	const struct sig *sig = &sigs[e->op];
	enum script_type t = SCRIPT_INT;
	unsigned i = 1;
	char text[64];

	check_arity(ck, e, sig);
	if (sig->operation)
		check_operation(ck, e, where, stmt);
	else if (!stmt && sig->result == R_VOID)
		fe_fail(ck->fe, &e->sp, "expected a value, found %s(), which "
					"gives none",
			e->name);
	if (sig->kinds) {
		check_object(ck, e, e->args[0], sig->kinds);
		if (e->op == B_WAIT) {
			bool cv = ck->objs[e->args[0]->index].kind ==
				  SCRIPT_CONDITION;

			if (e->nargs != (cv ? 2u : 1u))
				fe_fail(ck->fe, &e->sp, "expected %s, found %s",
					cv ? "wait(cv, m) on a condition, with "
					     "its mutex"
					   : "one argument for wait() on a "
					     "semaphore, barrier, event or "
					     "latch",
					fe_text(&e->sp, text, sizeof(text)));
			if (cv)
				check_object(ck, e, e->args[1],
					     K(SCRIPT_MUTEX));
			i = e->nargs;
		}
	} else if (sig->target) {
		t = check_target(ck, e, e->args[0]);
		if (e->op != B_EXCHANGE && e->op != B_CAS && t != SCRIPT_INT)
			fe_fail(ck->fe, &e->args[0]->sp,
				"expected a shared int for %s(), found a "
				"bool",
				e->name);
	} else if (e->op == B_ASSERT) {
		checker_want(ck, e->args[0], SCRIPT_BOOL, CK_COND,
			     "a condition");
		if (e->nargs == 2)
			check_string(ck, e, e->args[1]);
		i = e->nargs;
	} else {
		check_string(ck, e, e->args[0]);
	}
	for (; i < e->nargs; i++)
		checker_want(ck, e->args[i], t, 0, "a value");
	e->type = sig->result == R_TARGET ? t
		  : sig->result == R_BOOL ? SCRIPT_BOOL
					  : SCRIPT_INT;
	return e->type;
}

void
checker_call_stmt(struct checker *ck, struct ast_expr *call)
{
	char text[64];

	if (call->op == B_COUNT)
		fe_fail(ck->fe, &call->sp,
			"expected a statement, found %s, which does nothing "
			"on its own",
			fe_text(&call->sp, text, sizeof(text)));
	check_call(ck, call, 0, true);
}

void
checker_want(struct checker *ck, struct ast_expr *e, enum script_type want,
	     unsigned where, const char *what)
{
	enum script_type t = checker_expr(ck, e, where);

	if (t == want)
		return;
	if (want == SCRIPT_BOOL && !strcmp(what, "a condition"))
		fe_fail(ck->fe, &e->sp,
			"expected a bool condition, found an int (compare it, "
			"as in x != 0)");
	fe_fail(ck->fe, &e->sp, "expected %s for %s, found %s",
		type_name(want), what, type_name(t));
}

static enum script_type
check_binary(struct checker *ck, struct ast_expr *e, unsigned where)
{
	char what[32];

	snprintf(what, sizeof(what), "'%s'", lex_spelling(e->op));
	switch (e->op) {
	case T_AND:
	case T_OR:
		checker_want(ck, e->a, SCRIPT_BOOL, where, what);
		checker_want(ck, e->b, SCRIPT_BOOL, where | CK_GUARDED, what);
		return SCRIPT_BOOL;
	case T_EQ:
	case T_NE:
		checker_want(ck, e->b, checker_expr(ck, e->a, where), where,
			     what);
		return SCRIPT_BOOL;
	case T_LT:
	case T_LE:
	case T_GT:
	case T_GE:
		checker_want(ck, e->a, SCRIPT_INT, where, what);
		checker_want(ck, e->b, SCRIPT_INT, where, what);
		return SCRIPT_BOOL;
	default:
		checker_want(ck, e->a, SCRIPT_INT, where, what);
		checker_want(ck, e->b, SCRIPT_INT, where, what);
		return SCRIPT_INT;
	}
}

enum script_type
checker_expr(struct checker *ck, struct ast_expr *e, unsigned where)
{
	/* Below the top, an expression is no longer the whole right side. */
	unsigned below = where & ~(unsigned)CK_WHOLE_RHS;

	switch (e->kind) {
	case AX_INT:
		e->type = SCRIPT_INT;
		break;
	case AX_BOOL:
		e->type = SCRIPT_BOOL;
		break;
	case AX_STRING:
		fe_fail(ck->fe, &e->sp, "expected an expression, found a "
					"string");
	case AX_ID:
		if (ck->in_check)
			fe_fail(ck->fe, &e->sp,
				"expected a value the check block has, found "
				"'id' (only threads have one)");
		e->type = SCRIPT_INT;
		break;
	case AX_NAME:
	case AX_INDEX:
		check_var(ck, e, false);
		break;
	case AX_UNARY:
		e->type = e->op == T_NOT ? SCRIPT_BOOL : SCRIPT_INT;
		checker_want(ck, e->a, e->type, below,
			     e->op == T_NOT ? "'!'" : "'-'");
		break;
	case AX_BINARY:
		e->type = check_binary(ck, e, below);
		break;
	case AX_CALL:
		check_call(ck, e, where, false);
		break;
	}
	return e->type;
}
