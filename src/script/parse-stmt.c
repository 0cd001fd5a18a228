/*
 * parse-stmt.c - statements and expressions of thread bodies.
 *
 * Expressions follow C's precedence, lowest first: ||, &&, == !=,
 * < <= > >=, + -, * / %, unary ! and -.  An operation is a name followed
 * by '(' (lock(m), pop(q), cas(x, 0, 1)); the words of operations are not
 * reserved, so a variable may be called count.  Nesting is bounded
 * (FE_MAX_DEPTH) so that no input can exhaust the stack of this parser or
 * of the passes after it.
 */
#include "config.h"

#include "script/script-int.h"

#include <stdio.h>
#include <string.h>

static const char *const builtin_words[B_COUNT_ALL] = {
	[B_LOCK] = "lock",
	[B_UNLOCK] = "unlock",
	[B_TRYLOCK] = "trylock",
	[B_RDLOCK] = "rdlock",
	[B_WRLOCK] = "wrlock",
	[B_WAIT] = "wait",
	[B_SIGNAL] = "signal",
	[B_BROADCAST] = "broadcast",
	[B_POST] = "post",
	[B_SET] = "set",
	[B_RESET] = "reset",
	[B_COUNT_DOWN] = "count_down",
	[B_PUSH] = "push",
	[B_POP] = "pop",
	[B_COUNT] = "count",
	[B_ADD] = "add",
	[B_TAKE] = "take",
	[B_ATOMIC_INC] = "atomic_inc",
	[B_ATOMIC_DEC] = "atomic_dec",
	[B_ATOMIC_ADD] = "atomic_add",
	[B_EXCHANGE] = "exchange",
	[B_CAS] = "cas",
	[B_ASSERT] = "assert",
	[B_FAIL] = "fail",
};

const char *
parse_stmt_builtin_name(enum builtin b)
{
	return (unsigned)b < B_COUNT_ALL ? builtin_words[b] : "?";
}

static struct ast_expr *
node(struct fe *fe, enum ax kind, const struct span *sp)
{
	struct ast_expr *e = fe_alloc(fe, &fe->scratch, sizeof(*e));

	e->kind = kind;
	e->sp = *sp;
	e->depth = 1;
	e->index = -1;
	return e;
}

/* Note that e sits above child, failing when the tree gets too deep. */
static void
deepen(struct fe *fe, struct ast_expr *e, const struct ast_expr *child)
{
	if (child && child->depth + 1 > e->depth)
		e->depth = child->depth + 1;
	if (e->depth > FE_MAX_DEPTH)
		fe_fail(fe, &e->sp,
			"expected an expression at most %d levels deep, found "
			"a deeper one",
			FE_MAX_DEPTH);
}

/* Enter one more level of recursion, or fail at the current token. */
static void
enter(struct fe *fe)
{
	if (++fe->depth > 2 * FE_MAX_DEPTH) {
		const struct token *t = parse_peek(fe, 0);

		fe_fail(fe, &t->sp,
			"expected code nested at most %d levels deep, found "
			"deeper nesting",
			FE_MAX_DEPTH);
	}
}

static struct ast_expr *
parse_call(struct fe *fe)
{
	const struct token *name = parse_next(fe);
	size_t n = (size_t)(name->sp.e - name->sp.s);
	struct ast_expr *e = node(fe, AX_CALL, &name->sp);
	struct ast_expr *arg;
	const struct token *t;
	char buf[64];
	unsigned b;

	for (b = 0; b < B_COUNT_ALL; b++)
		if (strlen(builtin_words[b]) == n &&
		    !memcmp(builtin_words[b], name->sp.s, n))
			break;
	if (b == B_COUNT_ALL)
		fe_fail(fe, &name->sp,
			"expected an operation such as lock or wait before "
			"'(', found %s",
			fe_found(name, buf, sizeof(buf)));
	e->op = (int)b;
	e->name = builtin_words[b];
	parse_next(fe);
	while (!parse_is(fe, T_RPAREN)) {
		if (e->nargs == AST_MAX_ARGS) {
			snprintf(buf, sizeof(buf), "')' after %d arguments",
				 AST_MAX_ARGS);
			parse_fail_found(fe, buf);
		}
		t = parse_peek(fe, 0);
		if (t->kind == T_STRING) {
			arg = node(fe, AX_STRING, &t->sp);
			arg->name = t->str;
			parse_next(fe);
		} else {
			arg = parse_stmt_expr(fe);
		}
		e->args[e->nargs++] = arg;
		deepen(fe, e, arg);
		if (!parse_is(fe, T_COMMA))
			break;
		parse_next(fe);
	}
	t = parse_expect(fe, T_RPAREN, "',' or ')' after an argument");
	e->sp = parse_join(&e->sp, &t->sp);
	return e;
}

static struct ast_expr *
parse_primary(struct fe *fe)
{
	const struct token *t = parse_peek(fe, 0);
	size_t n = (size_t)(t->sp.e - t->sp.s);
	struct ast_expr *e;

	switch (t->kind) {
	case T_INT:
		e = node(fe, AX_INT, &t->sp);
		e->value = t->value;
		parse_next(fe);
		return e;
	case T_LPAREN:
		parse_next(fe);
		e = parse_stmt_expr(fe);
		parse_expect(fe, T_RPAREN, "')' to close '('");
		return e;
	case T_NAME:
		break;
	default:
		parse_fail_found(fe, "an expression");
	}
	if (parse_peek(fe, 1)->kind == T_LPAREN)
		return parse_call(fe);
	if (n == 4 && (!memcmp(t->sp.s, "true", 4))) {
		e = node(fe, AX_BOOL, &t->sp);
		e->value = 1;
	} else if (n == 5 && !memcmp(t->sp.s, "false", 5)) {
		e = node(fe, AX_BOOL, &t->sp);
	} else if (n == 2 && !memcmp(t->sp.s, "id", 2)) {
		e = node(fe, AX_ID, &t->sp);
	} else {
		e = node(fe, AX_NAME, &t->sp);
		e->name = parse_name(fe, "an expression", NULL);
		if (!parse_is(fe, T_LBRACKET))
			return e;
		parse_next(fe);
		e->kind = AX_INDEX;
		e->b = parse_stmt_expr(fe);
		deepen(fe, e, e->b);
		t = parse_expect(fe, T_RBRACKET, "']' after the index");
		e->sp = parse_join(&e->sp, &t->sp);
		return e;
	}
	parse_next(fe);
	return e;
}

static struct ast_expr *
parse_unary(struct fe *fe)
{
	const struct token *t = parse_peek(fe, 0);
	struct ast_expr *e;

	if (t->kind != T_NOT && t->kind != T_MINUS)
		return parse_primary(fe);
	enter(fe);
	parse_next(fe);
	e = node(fe, AX_UNARY, &t->sp);
	e->op = t->kind;
	e->a = parse_unary(fe);
	e->sp = parse_join(&e->sp, &e->a->sp);
	deepen(fe, e, e->a);
	fe->depth--;
	return e;
}

/* Binary operators by precedence level, lowest first. */
static const enum tok levels[][5] = {
	{ T_OR },
	{ T_AND },
	{ T_EQ, T_NE },
	{ T_LT, T_LE, T_GT, T_GE },
	{ T_PLUS, T_MINUS },
	{ T_STAR, T_SLASH, T_PERCENT },
};

static bool
at_level(struct fe *fe, unsigned level)
{
	enum tok k = parse_peek(fe, 0)->kind;
	unsigned i;

	for (i = 0; i < 5 && levels[level][i]; i++)
		if (levels[level][i] == k)
			return true;
	return false;
}

static struct ast_expr *
parse_level(struct fe *fe, unsigned level)
{
	struct ast_expr *e, *l;
	const unsigned nlevels = sizeof(levels) / sizeof(levels[0]);

	if (level == nlevels)
		return parse_unary(fe);
	e = parse_level(fe, level + 1);
	while (at_level(fe, level)) {
		l = e;
		e = node(fe, AX_BINARY, &l->sp);
		e->op = parse_next(fe)->kind;
		e->a = l;
		e->b = parse_level(fe, level + 1);
		e->sp = parse_join(&l->sp, &e->b->sp);
		deepen(fe, e, e->a);
		deepen(fe, e, e->b);
	}
	return e;
}

struct ast_expr *
parse_stmt_expr(struct fe *fe)
{
	struct ast_expr *e;

	enter(fe);
	e = parse_level(fe, 0);
	fe->depth--;
	return e;
}

static struct ast_stmt *
stmt(struct fe *fe, enum sx kind, const struct span *sp)
{
	struct ast_stmt *s = fe_alloc(fe, &fe->scratch, sizeof(*s));

	s->kind = kind;
	s->sp = *sp;
	return s;
}

static struct ast_stmt *parse_stmt(struct fe *fe);

/* "if (c)" or "while (c)": the keyword is the current token. */
static struct ast_stmt *
parse_cond_head(struct fe *fe, enum sx kind)
{
	const struct token *kw = parse_next(fe);
	const struct token *close;
	struct ast_stmt *s;
	char buf[48];

	snprintf(buf, sizeof(buf), "'(' after '%.*s'",
		 (int)(kw->sp.e - kw->sp.s), kw->sp.s);
	parse_expect(fe, T_LPAREN, buf);
	s = stmt(fe, kind, &kw->sp);
	s->cond = parse_stmt_expr(fe);
	close = parse_expect(fe, T_RPAREN, "')' after the condition");
	s->sp = parse_join(&kw->sp, &close->sp);
	return s;
}

/* A variable to assign to: name or name[index] (or id, which the
 * checker refuses with a reason). */
static struct ast_expr *
parse_lvalue(struct fe *fe)
{
	const struct token *t = parse_peek(fe, 0);
	struct ast_expr *e;

	if (t->kind == T_NAME && t->sp.e - t->sp.s == 2 &&
	    !memcmp(t->sp.s, "id", 2)) {
		parse_next(fe);
		return node(fe, AX_ID, &t->sp);
	}
	e = parse_primary(fe);
	if (e->kind != AX_NAME && e->kind != AX_INDEX)
		fe_fail(fe, &e->sp, "expected a statement, found an "
				    "expression");
	return e;
}

static struct ast_stmt *
parse_assign(struct fe *fe)
{
	const struct token *op = parse_peek(fe, 0);
	struct ast_expr *lhs;
	struct ast_stmt *s;

	if (op->kind == T_INC || op->kind == T_DEC) {
		parse_next(fe);
		lhs = parse_lvalue(fe);
		s = stmt(fe, SX_ASSIGN, &op->sp);
		s->sp = parse_join(&op->sp, &lhs->sp);
	} else {
		lhs = parse_lvalue(fe);
		op = parse_peek(fe, 0);
		if (op->kind < T_ASSIGN || op->kind > T_DEC)
			parse_fail_found(fe, "'=', '+=', '++' or another "
					     "assignment");
		parse_next(fe);
		s = stmt(fe, SX_ASSIGN, &lhs->sp);
		if (op->kind != T_INC && op->kind != T_DEC) {
			s->rhs = parse_stmt_expr(fe);
			s->sp = parse_join(&lhs->sp, &s->rhs->sp);
		} else {
			s->sp = parse_join(&lhs->sp, &op->sp);
		}
	}
	s->op = op->kind;
	s->lhs = lhs;
	parse_expect(fe, T_SEMI, "';' after the assignment");
	return s;
}

/* Append s to the block b. */
static void
append(struct fe *fe, struct ast_stmt *b, unsigned *cap, struct ast_stmt *s)
{
	fe_reserve(fe, (void **)&b->list, cap, b->n + 1, sizeof(*b->list));
	b->list[b->n++] = s;
}

/* int a = e, b; as one SX_DECL per name, appended to b. */
static void
parse_decls(struct fe *fe, struct ast_stmt *b, unsigned *cap,
	    enum script_type type)
{
	struct ast_stmt *s;
	struct span sp;

	do {
		const char *name = parse_name(fe, "a name for the local "
						  "variable",
					      &sp);

		s = stmt(fe, SX_DECL, &sp);
		s->type = type;
		s->lhs = node(fe, AX_NAME, &sp);
		s->lhs->name = name;
		if (parse_is(fe, T_ASSIGN)) {
			parse_next(fe);
			s->rhs = parse_stmt_expr(fe);
			s->sp = parse_join(&sp, &s->rhs->sp);
		}
		append(fe, b, cap, s);
	} while (parse_is(fe, T_COMMA) && parse_next(fe));
	parse_expect(fe, T_SEMI,
		     "'=', ',' or ';' after the local variable (arrays are "
		     "shared only)");
}

struct ast_stmt *
parse_stmt_block(struct fe *fe)
{
	const struct token *open = parse_expect(fe, T_LBRACE, "'{'");
	struct ast_stmt *b = stmt(fe, SX_BLOCK, &open->sp);
	const struct token *t;
	unsigned cap = 0;
	char buf[80];

	enter(fe);
	for (;;) {
		t = parse_peek(fe, 0);
		if (t->kind == T_RBRACE)
			break;
		if (t->kind == T_EOF) {
			snprintf(buf, sizeof(buf),
				 "'}' to close the block opened at line %u",
				 open->sp.line);
			parse_fail_found(fe, buf);
		}
		if (parse_word(fe, "int"))
			parse_decls(fe, b, &cap, SCRIPT_INT);
		else if (parse_word(fe, "bool"))
			parse_decls(fe, b, &cap, SCRIPT_BOOL);
		else
			append(fe, b, &cap, parse_stmt(fe));
	}
	b->sp = parse_join(&open->sp, &parse_next(fe)->sp);
	fe->depth--;
	return b;
}

/* A statement that begins with a word. */
static struct ast_stmt *
parse_word_stmt(struct fe *fe, const struct token *t)
{
	struct ast_stmt *s;

	if (parse_word(fe, "break") || parse_word(fe, "continue") ||
	    parse_word(fe, "return")) {
		s = stmt(fe, *t->sp.s == 'b'	 ? SX_BREAK
			     : *t->sp.s == 'c' ? SX_CONTINUE
					       : SX_RETURN,
			 &t->sp);
		parse_expect(fe, T_SEMI, "';'");
		return s;
	}
	if (parse_word(fe, "critical")) {
		s = stmt(fe, SX_CRITICAL, &t->sp);
		if (!parse_is(fe, T_LBRACE))
			parse_fail_found(fe, "'{' after 'critical'");
		s->body = parse_stmt_block(fe);
		return s;
	}
	if (parse_peek(fe, 1)->kind == T_LPAREN) {
		s = stmt(fe, SX_CALL, &t->sp);
		s->call = parse_call(fe);
		s->sp = s->call->sp;
		parse_expect(fe, T_SEMI, "';' after the operation");
		return s;
	}
	if (t->sp.e - t->sp.s == 3 && !memcmp(t->sp.s, "int", 3))
		parse_fail_found(fe, "a statement (declare variables in a "
				     "block)");
	if (t->sp.e - t->sp.s == 4 && !memcmp(t->sp.s, "bool", 4))
		parse_fail_found(fe, "a statement (declare variables in a "
				     "block)");
	if (t->sp.e - t->sp.s != 2 || memcmp(t->sp.s, "id", 2))
		if (parse_reserved(t->sp.s, (size_t)(t->sp.e - t->sp.s)))
			parse_fail_found(fe, "a statement");
	return parse_assign(fe);
}

static struct ast_stmt *
parse_stmt(struct fe *fe)
{
	const struct token *t = parse_peek(fe, 0);
	struct ast_stmt *s;

	switch (t->kind) {
	case T_SEMI:
		parse_next(fe);
		return stmt(fe, SX_EMPTY, &t->sp);
	case T_LBRACE:
		return parse_stmt_block(fe);
	case T_INC:
	case T_DEC:
		return parse_assign(fe);
	case T_NAME:
		break;
	default:
		parse_fail_found(fe, "a statement");
	}
	if (parse_at(fe, "if")) {
		s = parse_cond_head(fe, SX_IF);
		enter(fe);
		s->body = parse_stmt(fe);
		if (parse_word(fe, "else"))
			s->els = parse_stmt(fe);
		fe->depth--;
		return s;
	}
	if (parse_at(fe, "while")) {
		s = parse_cond_head(fe, SX_WHILE);
		enter(fe);
		s->body = parse_stmt(fe);
		fe->depth--;
		return s;
	}
	return parse_word_stmt(fe, t);
}
