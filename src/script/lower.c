/*
 * lower.c - each checked thread body into its flat array of steps.
 *
 * Statements are lowered in source order into a list of steps and jumps
 * (struct lower_ir).  Jumps are what braces, else, break and continue
 * become: they take no step, so once the body is done every step's next
 * and branch targets are resolved through them to the step they reach,
 * or to the end of the body.  Every loop has a condition step, so every
 * cycle of the control flow holds a step and the resolution ends.
 *
 * The step semantics (assets/scripts/README.md has them with examples):
 * one step per statement; the whole condition of an if or a while in one
 * step; a statement that writes a shared variable and reads shared memory
 * (or counts, or runs an operation) is split into a first step that reads
 * everything into temps (or runs the operation) and a store; pop and take
 * come before the store; add and take of the unsafe list are a begin and
 * an end step; an atomic operation is one step whatever it reads.
 */
#include "config.h"

#include "script/script-int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define IR_END UINT_MAX

struct lower_ir {
	struct script_step st;
	bool jump;		/* a jump: no step of its own */
	unsigned target;	/* jump: where to */
	unsigned next, alt;	/* step: next, and where a false branch goes */
};

struct lower_loop {
	unsigned head;		/* the condition step */
	unsigned *breaks;	/* jumps to the loop's end */
	unsigned nbreaks, cap;
	struct lower_loop *outer;
};

static unsigned
new_ir(struct lower *lw)
{
	struct lower_ir *ir;

	fe_reserve(lw->fe, (void **)&lw->ir, &lw->ir_cap, lw->nir + 1,
		   sizeof(*lw->ir));
	ir = &lw->ir[lw->nir];
	memset(ir, 0, sizeof(*ir));
	ir->next = lw->nir + 1;
	ir->alt = IR_END;
	return lw->nir++;
}

static unsigned
new_jump(struct lower *lw, unsigned target)
{
	unsigned i = new_ir(lw);

	lw->ir[i].jump = true;
	lw->ir[i].target = target;
	return i;
}

/* A new step of kind at span sp.  The pointer lasts until the next
 * new_ir. */
static struct script_step *
new_step(struct lower *lw, enum script_kind kind, const struct span *sp)
{
	unsigned i = new_ir(lw);	/* may move lw->ir */
	struct script_step *st = &lw->ir[i].st;

	st->kind = kind;
	st->obj = -1;
	st->obj2 = -1;
	st->target.var = st->result.var = st->dest.var = -1;
	st->critical = lw->critical;
	st->line = sp->line;
	st->col = sp->col;
	st->end_line = sp->end_line;
	st->end_col = sp->end_col;
	return st;
}

static void
set_text(struct lower *lw, struct script_step *st, const char *text)
{
	char buf[SCRIPT_TEXT_MAX + 1];
	size_t n = strlen(text);

	if (n > SCRIPT_TEXT_MAX) {
		/* Cut on a character boundary and mark the cut. */
		n = SCRIPT_TEXT_MAX - 3;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
		snprintf(buf, sizeof(buf), "%.*s...", (int)n, text);
		text = buf;
		n = strlen(buf);
	}
	st->text = fe_strndup(lw->fe, lw->fe->mem, text, n);
}

static void
set_span_text(struct lower *lw, struct script_step *st, const char *prefix,
	      const struct span *sp)
{
	char src[SCRIPT_TEXT_MAX + 8], buf[2 * SCRIPT_TEXT_MAX];

	fe_text(sp, src, sizeof(src));
	snprintf(buf, sizeof(buf), "%s%s", prefix, src);
	set_text(lw, st, buf);
}

/* The statement's reads as a step's loads, and its text: "load a, b". */
static void
set_loads(struct lower *lw, struct script_step *st)
{
	struct script_load *l;
	char buf[SCRIPT_TEXT_MAX + 1];
	unsigned i;

	if (!lw->nreads)
		return;
	l = fe_alloc(lw->fe, lw->fe->mem, lw->nreads * sizeof(*l));
	for (i = 0; i < lw->nreads; i++) {
		const struct ast_expr *e = lw->reads[i].e;

		l[i].temp = lw->reads[i].temp;
		fe_text(&e->sp, buf, sizeof(buf));
		l[i].text = fe_strndup(lw->fe, lw->fe->mem, buf, strlen(buf));
		if (e->kind == AX_CALL) {
			l[i].obj = e->args[0]->index;
			st->obj_reads |= 1ull << l[i].obj;
		} else {
			l[i].obj = -1;
			l[i].value = lower_expr_load(lw, st, e);
		}
	}
	st->loads = l;
	st->nloads = lw->nreads;
}

/* "load a, b" or, after an operation's text, ", load a, b". */
static void
set_load_text(struct lower *lw, struct script_step *st, const char *head)
{
	char buf[4 * SCRIPT_TEXT_MAX];
	size_t o;
	unsigned i;

	o = (size_t)snprintf(buf, sizeof(buf), "%s%sload ", head,
			     *head ? ", " : "");
	for (i = 0; i < st->nloads && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
				      i ? ", " : "", st->loads[i].text);
	set_text(lw, st, buf);
}

static enum script_kind
kind_of(const struct lower *lw, const struct ast_expr *call)
{
	enum script_obj_kind k = SCRIPT_MUTEX;

	if (call->nargs && call->args[0]->sym == SYM_OBJECT)
		k = lw->fe->prog->objs[call->args[0]->index].kind;
	switch (call->op) {
	case B_LOCK:
		return SCRIPT_STEP_LOCK;
	case B_UNLOCK:
		return k == SCRIPT_RWLOCK ? SCRIPT_STEP_RWUNLOCK
					  : SCRIPT_STEP_UNLOCK;
	case B_TRYLOCK:
		return SCRIPT_STEP_TRYLOCK;
	case B_RDLOCK:
		return SCRIPT_STEP_RDLOCK;
	case B_WRLOCK:
		return SCRIPT_STEP_WRLOCK;
	case B_WAIT:
		return k == SCRIPT_CONDITION ? SCRIPT_STEP_WAIT
		       : k == SCRIPT_SEMAPHORE ? SCRIPT_STEP_SEM_WAIT
		       : k == SCRIPT_BARRIER   ? SCRIPT_STEP_BARRIER_WAIT
		       : k == SCRIPT_EVENT     ? SCRIPT_STEP_EVENT_WAIT
					       : SCRIPT_STEP_LATCH_WAIT;
	case B_SIGNAL:
		return SCRIPT_STEP_SIGNAL;
	case B_BROADCAST:
		return SCRIPT_STEP_BROADCAST;
	case B_POST:
		return SCRIPT_STEP_SEM_POST;
	case B_SET:
		return SCRIPT_STEP_EVENT_SET;
	case B_RESET:
		return SCRIPT_STEP_EVENT_RESET;
	case B_COUNT_DOWN:
		return SCRIPT_STEP_LATCH_COUNT_DOWN;
	case B_PUSH:
		return SCRIPT_STEP_PUSH;
	case B_POP:
		return SCRIPT_STEP_POP;
	case B_ADD:
		return SCRIPT_STEP_ADD_END;
	case B_TAKE:
		return SCRIPT_STEP_TAKE_END;
	case B_EXCHANGE:
		return SCRIPT_STEP_EXCHANGE;
	case B_CAS:
		return SCRIPT_STEP_CAS;
	default:
		return SCRIPT_STEP_ATOMIC_ADD;
	}
}

/* An int constant as an expression (atomic_inc's amount). */
static struct script_expr
constant(struct lower *lw, struct script_step *st, int64_t v)
{
	struct ast_expr e = { .kind = AX_INT, .value = v, .index = -1 };

	return lower_expr_compile(lw, st, &e, LOWER_DIRECT);
}

/* The operation's object, operands and target into st. */
static void
fill_op(struct lower *lw, struct script_step *st, const struct ast_expr *c)
{
	struct fe *fe = lw->fe;

	if (c->args[0]->sym == SYM_OBJECT) {
		st->obj = c->args[0]->index;
		st->obj_writes |= 1ull << st->obj;
	}
	switch (c->op) {
	case B_WAIT:
		if (c->nargs == 2) {
			st->obj2 = c->args[1]->index;
			st->obj_writes |= 1ull << st->obj2;
			fe->objs[st->obj].mutexes |= 1ull << st->obj2;
		}
		break;
	case B_PUSH:
	case B_ADD:
		st->arg[0] = lower_expr_compile(lw, st, c->args[1],
						LOWER_DIRECT);
		break;
	case B_ATOMIC_INC:
	case B_ATOMIC_DEC:
	case B_ATOMIC_ADD:
	case B_EXCHANGE:
	case B_CAS:
		/* An atomic operation reads its target as well. */
		lower_expr_ref(lw, st, c->args[0], LOWER_DIRECT, &st->target,
			       true);
		st->reads |= st->writes;
		if (c->op == B_ATOMIC_INC || c->op == B_ATOMIC_DEC)
			st->arg[0] = constant(lw, st,
					      c->op == B_ATOMIC_INC ? 1 : -1);
		else
			st->arg[0] = lower_expr_compile(lw, st, c->args[1],
							LOWER_DIRECT);
		if (c->op == B_CAS)
			st->arg[1] = lower_expr_compile(lw, st, c->args[2],
							LOWER_DIRECT);
		break;
	default:
		break;
	}
}

/* The statement's operation into st, its result to the operation's
 * temp. */
static void
fill_op_temp(struct lower *lw, struct script_step *st)
{
	fill_op(lw, st, lw->op);
	st->result.where = SCRIPT_TEMP;
	st->result.slot = lw->op_temp;
}

/* Start lowering statement s, whose operation (if any) is in e. */
static void
begin(struct lower *lw, const struct ast_stmt *s, const struct ast_expr *e)
{
	lw->stmt = s;
	lw->nreads = 0;
	lw->op = lower_expr_find_op(e);
	lw->op_temp = 0;
}

/* pop or take, with their result to lhs (NULL: dropped). */
static void
lower_pop_take(struct lower *lw, const struct ast_stmt *s,
	       const struct ast_expr *lhs)
{
	const struct ast_expr *op = lw->op;
	bool shared = lhs && lhs->sym == SYM_SHARED;
	struct script_step *st;

	if (shared && lhs->kind == AX_INDEX)
		lower_expr_reads(lw, lhs->b, true);
	lw->op_temp = lw->nreads;
	if (op->op == B_TAKE) {
		st = new_step(lw, SCRIPT_STEP_TAKE_BEGIN, &s->sp);
		st->obj = op->args[0]->index;
		st->obj_writes |= 1ull << st->obj;
		set_span_text(lw, st, "begin ", &op->sp);
	}
	st = new_step(lw, kind_of(lw, op), &s->sp);
	set_span_text(lw, st, op->op == B_TAKE ? "end " : "", &op->sp);
	if (!shared) {
		fill_op(lw, st, op);
		if (lhs)
			lower_expr_ref(lw, st, lhs, LOWER_DIRECT, &st->result,
				       true);
		return;
	}
	fill_op_temp(lw, st);
	st->first_half = true;
	if (lw->nreads) {
		st = new_step(lw, SCRIPT_STEP_LOAD, &s->sp);
		set_loads(lw, st);
		set_load_text(lw, st, "");
		st->first_half = true;
	}
	st = new_step(lw, SCRIPT_STEP_STORE, &s->sp);
	st->then = SCRIPT_THEN_ASSIGN;
	lower_expr_ref(lw, st, lhs, LOWER_TEMPS, &st->dest, true);
	st->value = lower_expr_compile(lw, st, op, LOWER_TEMPS);
	set_span_text(lw, st, "store ", &lhs->sp);
}

/* lhs = value, in one step or split in two. */
static void
lower_assign(struct lower *lw, const struct ast_stmt *s,
	     const struct ast_expr *lhs, const struct ast_expr *value)
{
	bool shared = lhs->sym == SYM_SHARED;
	struct script_step *st;

	begin(lw, s, value);
	if (!lw->op && lhs->kind == AX_INDEX)
		lw->op = lower_expr_find_op(lhs->b);
	if (lw->op && (lw->op->op == B_POP || lw->op->op == B_TAKE)) {
		lower_pop_take(lw, s, lhs);
		return;
	}
	lower_expr_reads(lw, value, shared);
	if (lhs->kind == AX_INDEX)
		lower_expr_reads(lw, lhs->b, shared);
	lw->op_temp = lw->nreads;
	if (shared && (lw->nreads || lw->op)) {
		char head[SCRIPT_TEXT_MAX + 1] = "";

		st = new_step(lw, lw->op ? kind_of(lw, lw->op)
					 : SCRIPT_STEP_LOAD,
			      &s->sp);
		set_loads(lw, st);
		if (lw->op) {
			fill_op_temp(lw, st);
			fe_text(&lw->op->sp, head, sizeof(head));
		}
		st->first_half = true;
		if (st->nloads)
			set_load_text(lw, st, head);
		else
			set_text(lw, st, head);
		st = new_step(lw, SCRIPT_STEP_STORE, &s->sp);
		st->then = SCRIPT_THEN_ASSIGN;
		lower_expr_ref(lw, st, lhs, LOWER_TEMPS, &st->dest, true);
		st->value = lower_expr_compile(lw, st, value, LOWER_TEMPS);
		set_span_text(lw, st, "store ", &lhs->sp);
		return;
	}
	st = new_step(lw, lw->op ? kind_of(lw, lw->op) : SCRIPT_STEP_ASSIGN,
		      &s->sp);
	set_loads(lw, st);
	set_span_text(lw, st, "", &s->sp);
	if (lw->op == value) {
		/* t = trylock(m): the result goes straight to t. */
		fill_op(lw, st, lw->op);
		lower_expr_ref(lw, st, lhs, LOWER_DIRECT, &st->result, true);
		return;
	}
	if (lw->op)
		fill_op_temp(lw, st);
	st->then = SCRIPT_THEN_ASSIGN;
	lower_expr_ref(lw, st, lhs, LOWER_DIRECT, &st->dest, true);
	st->value = lower_expr_compile(lw, st, value, LOWER_DIRECT);
}

/* x op= e, x++ and x--: the value x op e. */
static void
lower_update(struct lower *lw, const struct ast_stmt *s)
{
	static const enum tok ops[] = {
		[T_ADD_ASSIGN] = T_PLUS, [T_SUB_ASSIGN] = T_MINUS,
		[T_MUL_ASSIGN] = T_STAR, [T_DIV_ASSIGN] = T_SLASH,
		[T_MOD_ASSIGN] = T_PERCENT, [T_INC] = T_PLUS,
		[T_DEC] = T_MINUS,
	};
	struct ast_expr one = { .kind = AX_INT, .value = 1, .index = -1 };
	struct ast_expr v = {
		.kind = AX_BINARY,
		.a = s->lhs,
		.b = s->rhs ? s->rhs : &one,
		.sp = s->sp,
		.type = SCRIPT_INT,
		.index = -1,
	};

	if (s->op == T_ASSIGN) {
		lower_assign(lw, s, s->lhs, s->rhs);
		return;
	}
	v.op = (int)ops[s->op];
	lower_assign(lw, s, s->lhs, &v);
}

/* A step that tests cond: an if's or a while's (BRANCH), or an
 * assert's.  Returns its index. */
static unsigned
lower_test(struct lower *lw, const struct ast_stmt *s,
	   const struct ast_expr *cond, enum script_then then,
	   const char *msg)
{
	struct script_step *st;
	unsigned i = lw->nir;

	begin(lw, s, cond);
	lower_expr_reads(lw, cond, false);
	lw->op_temp = lw->nreads;
	st = new_step(lw,
		      lw->op			 ? kind_of(lw, lw->op)
		      : then == SCRIPT_THEN_BRANCH ? SCRIPT_STEP_COND
						   : SCRIPT_STEP_ASSERT,
		      &s->sp);
	set_loads(lw, st);
	if (lw->op)
		fill_op_temp(lw, st);
	st->then = then;
	st->value = lower_expr_compile(lw, st, cond, LOWER_DIRECT);
	st->msg = msg;
	set_span_text(lw, st, "", &s->sp);
	return i;
}

static const char *
assert_msg(struct lower *lw, const struct ast_expr *call)
{
	char src[96], buf[128];

	if (call->nargs == 2)
		return fe_strndup(lw->fe, lw->fe->mem, call->args[1]->name,
				  strlen(call->args[1]->name));
	fe_text(&call->args[0]->sp, src, sizeof(src));
	snprintf(buf, sizeof(buf), "assert(%s) failed", src);
	return fe_strndup(lw->fe, lw->fe->mem, buf, strlen(buf));
}

static void
lower_call(struct lower *lw, const struct ast_stmt *s)
{
	const struct ast_expr *c = s->call;
	struct script_step *st;
	unsigned i;

	if (c->op == B_ASSERT) {
		lower_test(lw, s, c->args[0], SCRIPT_THEN_ASSERT,
			   assert_msg(lw, c));
		return;
	}
	begin(lw, s, c);
	if (c->op == B_FAIL) {
		st = new_step(lw, SCRIPT_STEP_FAIL, &s->sp);
		st->msg = fe_strndup(lw->fe, lw->fe->mem, c->args[0]->name,
				     strlen(c->args[0]->name));
		set_span_text(lw, st, "", &s->sp);
		return;
	}
	if (c->op == B_POP || c->op == B_TAKE) {
		lower_pop_take(lw, s, NULL);
		return;
	}
	if (c->op == B_ADD) {
		st = new_step(lw, SCRIPT_STEP_ADD_BEGIN, &s->sp);
		st->obj = c->args[0]->index;
		st->obj_writes |= 1ull << st->obj;
		set_span_text(lw, st, "begin ", &c->sp);
	}
	for (i = 1; i < c->nargs; i++)
		lower_expr_reads(lw, c->args[i], false);
	lw->op_temp = lw->nreads;
	st = new_step(lw, kind_of(lw, c), &s->sp);
	set_loads(lw, st);
	fill_op(lw, st, c);
	set_span_text(lw, st, c->op == B_ADD ? "end " : "", &s->sp);
}

static void lower_stmt(struct lower *lw, const struct ast_stmt *s);

static void
lower_while(struct lower *lw, const struct ast_stmt *s)
{
	struct lower_loop loop = { .outer = lw->loop };
	unsigned i, c;

	loop.head = c = lower_test(lw, s, s->cond, SCRIPT_THEN_BRANCH, NULL);
	lw->loop = &loop;
	lower_stmt(lw, s->body);
	new_jump(lw, loop.head);
	lw->ir[c].alt = lw->nir;
	for (i = 0; i < loop.nbreaks; i++)
		lw->ir[loop.breaks[i]].target = lw->nir;
	lw->loop = loop.outer;
}

static void
lower_stmt(struct lower *lw, const struct ast_stmt *s)
{
	struct lower_loop *loop = lw->loop;
	struct script_step *st;
	unsigned i, j;

	switch (s->kind) {
	case SX_EMPTY:
		break;
	case SX_BLOCK:
		for (i = 0; i < s->n; i++)
			lower_stmt(lw, s->list[i]);
		break;
	case SX_IF:
		i = lower_test(lw, s, s->cond, SCRIPT_THEN_BRANCH, NULL);
		lower_stmt(lw, s->body);
		if (!s->els) {
			lw->ir[i].alt = lw->nir;
			break;
		}
		j = new_jump(lw, IR_END);
		lw->ir[i].alt = lw->nir;
		lower_stmt(lw, s->els);
		lw->ir[j].target = lw->nir;
		break;
	case SX_WHILE:
		lower_while(lw, s);
		break;
	case SX_BREAK:
		fe_reserve(lw->fe, (void **)&loop->breaks, &loop->cap,
			   loop->nbreaks + 1, sizeof(*loop->breaks));
		loop->breaks[loop->nbreaks++] = new_jump(lw, IR_END);
		break;
	case SX_CONTINUE:
		new_jump(lw, loop->head);
		break;
	case SX_RETURN:
		st = new_step(lw, SCRIPT_STEP_RETURN, &s->sp);
		set_text(lw, st, "return");
		lw->ir[lw->nir - 1].next = IR_END;
		break;
	case SX_CRITICAL:
		st = new_step(lw, SCRIPT_STEP_CRITICAL, &s->sp);
		set_text(lw, st, "enter critical");
		lw->critical++;
		lower_stmt(lw, s->body);
		lw->critical--;
		break;
	case SX_DECL:
		if (s->rhs)
			lower_assign(lw, s, s->lhs, s->rhs);
		break;
	case SX_ASSIGN:
		lower_update(lw, s);
		break;
	case SX_CALL:
		lower_call(lw, s);
		break;
	}
	/* The temps the statement used: its reads and its result. */
	if (lw->nreads + (lw->op != NULL) > lw->ntemps)
		lw->ntemps = lw->nreads + (lw->op != NULL);
}

/* Where IR index t leads: the step it is or jumps to, or nsteps. */
static unsigned
resolve(const struct lower *lw, const unsigned *map, unsigned t,
	unsigned nsteps)
{
	unsigned hops = 0;

	while (t < lw->nir && lw->ir[t].jump && hops++ <= lw->nir)
		t = lw->ir[t].target;
	return t < lw->nir && !lw->ir[t].jump ? map[t] : nsteps;
}

static void
lower_body(struct fe *fe, const struct ast_thread *t, struct script_body *b)
{
	struct lower lw = { .fe = fe };
	struct script_step *steps;
	unsigned *map, i, n = 0;

	lower_stmt(&lw, t->body);
	map = fe_alloc(fe, &fe->scratch, (lw.nir + 1) * sizeof(*map));
	for (i = 0; i < lw.nir; i++)
		if (!lw.ir[i].jump)
			map[i] = n++;
	if (n > SCRIPT_MAX_STEPS)
		fe_fail(fe, &t->sp,
			"expected at most %d steps in a thread, found %u",
			SCRIPT_MAX_STEPS, n);
	steps = fe_alloc(fe, fe->mem, n * sizeof(*steps));
	for (i = 0; i < lw.nir; i++) {
		const struct lower_ir *ir = &lw.ir[i];
		struct script_step *st;

		if (ir->jump)
			continue;
		st = &steps[map[i]];
		*st = ir->st;
		st->next = resolve(&lw, map, ir->next, n);
		st->jump = st->then == SCRIPT_THEN_BRANCH
				   ? resolve(&lw, map, ir->alt, n)
				   : st->next;
	}
	b->steps = steps;
	b->nsteps = n;
	b->ntemps = lw.ntemps;
}

void
lower_program(struct fe *fe)
{
	struct script_program *p = fe->prog;
	unsigned i, s;

	for (i = 0; i < fe->ast.nthreads; i++)
		lower_body(fe, &fe->ast.threads[i], &fe->bodies[i]);
	if (fe->ast.check)
		lower_body(fe, fe->ast.check, &fe->bodies[fe->ast.nthreads]);
	/* A signal can hand a waiter to its mutex: it touches that too. */
	for (i = 0; i < p->nbodies; i++) {
		struct script_step *steps =
			(struct script_step *)fe->bodies[i].steps;

		for (s = 0; s < fe->bodies[i].nsteps; s++)
			if (steps[s].kind == SCRIPT_STEP_SIGNAL ||
			    steps[s].kind == SCRIPT_STEP_BROADCAST)
				steps[s].obj_writes |=
					fe->objs[steps[s].obj].mutexes;
	}
}
