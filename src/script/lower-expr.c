/*
 * lower-expr.c - expressions into bytecode, and the reads of a statement.
 *
 * A statement's values that a step must read before it can evaluate (a
 * count(), and for a split statement every shared value) are collected
 * once each, in evaluation order, into lw->reads: each gets a temp, and a
 * load of the step fills it.  Compiled in LOWER_TEMPS mode, a shared read
 * becomes a read of its temp, which is how the second half of a split
 * statement reads only what the first half loaded.  The statement's one
 * operation compiles to its result's temp.  Compiling also adds to the
 * step's read masks what it reads, for the explorer.
 */
#include "config.h"

#include "script/script-int.h"

#include <string.h>

static bool
same(const struct ast_expr *a, const struct ast_expr *b)
{
	unsigned i;

	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind || a->op != b->op ||
	    a->value != b->value || a->sym != b->sym ||
	    a->index != b->index || a->nargs != b->nargs)
		return false;
	if (!same(a->a, b->a) || !same(a->b, b->b))
		return false;
	for (i = 0; i < a->nargs; i++)
		if (!same(a->args[i], b->args[i]))
			return false;
	return true;
}

static bool
is_operation(const struct ast_expr *e)
{
	return e->kind == AX_CALL && e->op != B_COUNT && e->op != B_ASSERT &&
	       e->op != B_FAIL;
}

const struct ast_expr *
lower_expr_find_op(const struct ast_expr *e)
{
	const struct ast_expr *op;
	unsigned i;

	if (!e)
		return NULL;
	if (is_operation(e))
		return e;
	if ((op = lower_expr_find_op(e->a)) || (op = lower_expr_find_op(e->b)))
		return op;
	for (i = 0; i < e->nargs; i++)
		if ((op = lower_expr_find_op(e->args[i])))
			return op;
	return NULL;
}

static int
read_temp(const struct lower *lw, const struct ast_expr *e)
{
	unsigned i;

	for (i = 0; i < lw->nreads; i++)
		if (same(lw->reads[i].e, e))
			return (int)lw->reads[i].temp;
	return -1;
}

static void
add_read(struct lower *lw, const struct ast_expr *e)
{
	if (read_temp(lw, e) >= 0)
		return;
	/* One temp stays free for the operation's result. */
	if (lw->nreads == SCRIPT_MAX_TEMPS - 1)
		fe_fail(lw->fe, &lw->stmt->sp,
			"expected a statement that reads at most %d values, "
			"found more",
			SCRIPT_MAX_TEMPS - 1);
	lw->reads[lw->nreads].e = e;
	lw->reads[lw->nreads].temp = lw->nreads;
	lw->nreads++;
}

void
lower_expr_reads(struct lower *lw, const struct ast_expr *e, bool shared)
{
	unsigned i;

	if (!e || e == lw->op)
		return;
	switch (e->kind) {
	case AX_NAME:
		if (shared && e->sym == SYM_SHARED)
			add_read(lw, e);
		break;
	case AX_INDEX:
		/* The index first: a load may use it. */
		lower_expr_reads(lw, e->b, shared);
		if (shared && e->sym == SYM_SHARED)
			add_read(lw, e);
		break;
	case AX_UNARY:
	case AX_BINARY:
		lower_expr_reads(lw, e->a, shared);
		lower_expr_reads(lw, e->b, shared);
		break;
	case AX_CALL:
		if (e->op == B_COUNT) {
			add_read(lw, e);
			break;
		}
		for (i = 0; i < e->nargs; i++)
			lower_expr_reads(lw, e->args[i], shared);
		break;
	default:
		break;
	}
}

static void
emit(struct lower *lw, enum script_opcode op, unsigned arg, unsigned len,
     int64_t value)
{
	struct script_code *c;

	if (lw->ncode == FE_MAX_CODE)
		fe_fail(lw->fe, &lw->stmt->sp,
			"expected a shorter expression, found one of more "
			"than %d operations",
			FE_MAX_CODE);
	fe_reserve(lw->fe, (void **)&lw->code, &lw->code_cap, lw->ncode + 1,
		   sizeof(*lw->code));
	c = &lw->code[lw->ncode++];
	c->op = (uint8_t)op;
	c->arg = (uint16_t)arg;
	c->len = (uint8_t)len;
	c->value = value;
}

/* The slots of shared variable var that e (an element or the variable)
 * may touch: one slot for a constant index, else all of them. */
static uint64_t
var_bits(const struct lower *lw, const struct ast_expr *e)
{
	const struct script_var *v = &lw->fe->prog->vars[e->index];
	uint64_t all = (1ull << v->len) - 1;	/* len <= SCRIPT_MAX_ARRAY */

	if (e->kind == AX_INDEX && e->b->kind == AX_INT)
		return 1ull << (v->slot + (unsigned)e->b->value);
	return all << v->slot;
}

static const enum script_opcode binops[] = {
	[T_PLUS] = SCRIPT_OP_ADD, [T_MINUS] = SCRIPT_OP_SUB,
	[T_STAR] = SCRIPT_OP_MUL, [T_SLASH] = SCRIPT_OP_DIV,
	[T_PERCENT] = SCRIPT_OP_MOD, [T_EQ] = SCRIPT_OP_EQ,
	[T_NE] = SCRIPT_OP_NE,	  [T_LT] = SCRIPT_OP_LT,
	[T_LE] = SCRIPT_OP_LE,	  [T_GT] = SCRIPT_OP_GT,
	[T_GE] = SCRIPT_OP_GE,	  [T_AND] = SCRIPT_OP_AND,
	[T_OR] = SCRIPT_OP_OR,
};

static void compile(struct lower *lw, struct script_step *st,
		    const struct ast_expr *e, enum lower_mode mode);

/* A shared read, from the slots (with its index compiled in mode). */
static void
compile_shared(struct lower *lw, struct script_step *st,
	       const struct ast_expr *e, enum lower_mode mode)
{
	const struct script_var *v = &lw->fe->prog->vars[e->index];

	st->reads |= var_bits(lw, e);
	if (e->kind == AX_NAME) {
		emit(lw, SCRIPT_OP_SHARED, v->slot, 1, 0);
		return;
	}
	compile(lw, st, e->b, mode);
	emit(lw, SCRIPT_OP_SHARED_AT, v->slot, v->len, 0);
}

static void
compile(struct lower *lw, struct script_step *st, const struct ast_expr *e,
	enum lower_mode mode)
{
	unsigned j;

	if (e == lw->op) {
		emit(lw, SCRIPT_OP_TEMP, lw->op_temp, 0, 0);
		return;
	}
	switch (e->kind) {
	case AX_INT:
	case AX_BOOL:
		emit(lw, SCRIPT_OP_CONST, 0, 0, e->value);
		break;
	case AX_ID:
		emit(lw, SCRIPT_OP_ID, 0, 0, 0);
		break;
	case AX_NAME:
	case AX_INDEX:
		if (e->sym == SYM_LOCAL)
			emit(lw, SCRIPT_OP_LOCAL, (unsigned)e->index, 0, 0);
		else if (mode == LOWER_TEMPS)
			emit(lw, SCRIPT_OP_TEMP, (unsigned)read_temp(lw, e), 0,
			     0);
		else
			compile_shared(lw, st, e, mode);
		break;
	case AX_UNARY:
		compile(lw, st, e->a, mode);
		emit(lw, e->op == T_NOT ? SCRIPT_OP_NOT : SCRIPT_OP_NEG, 0, 0,
		     0);
		break;
	case AX_BINARY:
		compile(lw, st, e->a, mode);
		if (e->op == T_AND || e->op == T_OR) {
			j = lw->ncode;
			emit(lw, binops[e->op], 0, 0, 0);
			compile(lw, st, e->b, mode);
			lw->code[j].arg = (uint16_t)lw->ncode;
			break;
		}
		compile(lw, st, e->b, mode);
		emit(lw, binops[e->op], 0, 0, 0);
		break;
	case AX_CALL:
		/* count(): loaded by the step into its temp. */
		if (mode == LOWER_DIRECT)
			st->obj_reads |= 1ull << e->args[0]->index;
		emit(lw, SCRIPT_OP_TEMP, (unsigned)read_temp(lw, e), 0, 0);
		break;
	default:
		break;
	}
}

/* The code compiled so far, moved into the program. */
static struct script_expr
finish(struct lower *lw)
{
	struct script_expr x = { NULL, lw->ncode };
	struct script_code *c;

	if (lw->ncode) {
		c = fe_alloc(lw->fe, lw->fe->mem, lw->ncode * sizeof(*c));
		memcpy(c, lw->code, lw->ncode * sizeof(*c));
		x.code = c;
	}
	lw->ncode = 0;
	return x;
}

struct script_expr
lower_expr_compile(struct lower *lw, struct script_step *st,
		   const struct ast_expr *e, enum lower_mode mode)
{
	lw->ncode = 0;
	if (e)
		compile(lw, st, e, mode);
	return finish(lw);
}

/* The load of a read: the value itself, its index from temps. */
struct script_expr
lower_expr_load(struct lower *lw, struct script_step *st,
		const struct ast_expr *e)
{
	lw->ncode = 0;
	compile_shared(lw, st, e, LOWER_TEMPS);
	return finish(lw);
}

void
lower_expr_ref(struct lower *lw, struct script_step *st,
	       const struct ast_expr *e, enum lower_mode mode,
	       struct script_ref *ref, bool write)
{
	const struct script_var *v;

	memset(ref, 0, sizeof(*ref));
	ref->var = -1;
	if (e->sym == SYM_LOCAL) {
		ref->where = SCRIPT_LOCAL;
		ref->slot = (unsigned)e->index;
		ref->len = 1;
		return;
	}
	v = &lw->fe->prog->vars[e->index];
	ref->where = SCRIPT_SHARED;
	ref->slot = v->slot;
	ref->len = v->len;
	ref->var = e->index;
	if (write)
		st->writes |= var_bits(lw, e);
	else
		st->reads |= var_bits(lw, e);
	if (e->kind == AX_INDEX)
		ref->index = lower_expr_compile(lw, st, e->b, mode);
}
