/*
 * checker.c - from a parsed script to the program's tables, refusing what
 * cannot run.
 *
 * It checks the header (every line present), gives every shared variable
 * its slots and every object and thread its index, expands thread copies
 * into threads of their own, and walks each body: names resolve through
 * block scopes (a local is visible from its declaration to the end of its
 * block; no name may hide another), types must agree, break and continue
 * sit in loops, and the check block only reads.  The expression rules are
 * in checker-expr.c.  Lowering runs on the annotated tree afterwards and
 * may assume everything checked here.
 */
#include "config.h"

#include "script/script-int.h"

#include <stdio.h>
#include <string.h>

enum sym
checker_lookup(const struct checker *ck, const char *name, int *index)
{
	unsigned i;

	for (i = ck->nscope; i-- > 0;) {
		if (!strcmp(ck->scope[i].name, name)) {
			*index = ck->scope[i].local;
			return SYM_LOCAL;
		}
	}
	for (i = 0; i < ck->nvars; i++) {
		if (!strcmp(ck->vars[i].name, name)) {
			*index = (int)i;
			return SYM_SHARED;
		}
	}
	for (i = 0; i < ck->nobjs; i++) {
		if (!strcmp(ck->objs[i].name, name)) {
			*index = (int)i;
			return SYM_OBJECT;
		}
	}
	*index = -1;
	return SYM_NONE;
}

/* The line a visible name was declared on, for "already declared". */
static unsigned
declared_line(const struct checker *ck, const char *name)
{
	int i;

	switch (checker_lookup(ck, name, &i)) {
	case SYM_LOCAL:
		return ck->locals[i].line;
	case SYM_SHARED:
		return ck->vars[i].line;
	case SYM_OBJECT:
		return ck->objs[i].line;
	default:
		return 0;
	}
}

static void
declare_local(struct checker *ck, struct ast_stmt *s)
{
	struct fe *fe = ck->fe;
	struct script_local *l;
	unsigned line = declared_line(ck, s->lhs->name);

	if (line)
		fe_fail(fe, &s->lhs->sp,
			"expected a new name, found '%s', declared at line %u",
			s->lhs->name, line);
	if (ck->nlocals == SCRIPT_MAX_LOCALS)
		fe_fail(fe, &s->lhs->sp,
			"expected at most %d local variables in a thread, "
			"found more",
			SCRIPT_MAX_LOCALS);
	fe_reserve(fe, (void **)&ck->locals, &ck->locals_cap, ck->nlocals + 1,
		   sizeof(*ck->locals));
	fe_reserve(fe, (void **)&ck->scope, &ck->scope_cap, ck->nscope + 1,
		   sizeof(*ck->scope));
	l = &ck->locals[ck->nlocals];
	l->name = fe_strndup(fe, fe->mem, s->lhs->name, strlen(s->lhs->name));
	l->type = s->type;
	l->line = s->lhs->sp.line;
	l->col = s->lhs->sp.col;
	ck->scope[ck->nscope].name = s->lhs->name;
	ck->scope[ck->nscope++].local = (int)ck->nlocals;
	s->lhs->sym = SYM_LOCAL;
	s->lhs->index = (int)ck->nlocals++;
	s->lhs->type = s->type;
}

static void check_stmt(struct checker *ck, struct ast_stmt *s);

static void
check_assign(struct checker *ck, struct ast_stmt *s)
{
	enum script_type t = checker_lvalue(ck, s->lhs);

	if (s->op != T_ASSIGN && t != SCRIPT_INT)
		fe_fail(ck->fe, &s->lhs->sp,
			"expected an int for '%s', found a bool",
			lex_spelling(s->op));
	if (s->rhs)
		checker_want(ck, s->rhs, t,
			     s->op == T_ASSIGN ? CK_WHOLE_RHS : 0, "a value");
}

static void
check_loop_exit(struct checker *ck, struct ast_stmt *s)
{
	if (!ck->loops)
		fe_fail(ck->fe, &s->sp,
			"expected '%s' inside a loop, found it outside any",
			s->kind == SX_BREAK ? "break" : "continue");
}

/* What the check block, which runs once at the end, cannot hold. */
static void
refuse_in_check(struct checker *ck, const struct ast_stmt *s,
		const char *what, const char *found)
{
	if (ck->in_check)
		fe_fail(ck->fe, &s->sp,
			"expected no %s in the check block, found %s", what,
			found);
}

static void
check_stmt(struct checker *ck, struct ast_stmt *s)
{
	unsigned i, mark;

	ck->op = NULL;
	switch (s->kind) {
	case SX_EMPTY:
	case SX_RETURN:
		break;
	case SX_BLOCK:
		mark = ck->nscope;
		for (i = 0; i < s->n; i++)
			check_stmt(ck, s->list[i]);
		ck->nscope = mark;
		break;
	case SX_IF:
		checker_want(ck, s->cond, SCRIPT_BOOL, CK_COND, "a condition");
		check_stmt(ck, s->body);
		if (s->els)
			check_stmt(ck, s->els);
		break;
	case SX_WHILE:
		refuse_in_check(ck, s, "loops", "'while'");
		checker_want(ck, s->cond, SCRIPT_BOOL, CK_COND, "a condition");
		ck->loops++;
		check_stmt(ck, s->body);
		ck->loops--;
		break;
	case SX_BREAK:
	case SX_CONTINUE:
		check_loop_exit(ck, s);
		break;
	case SX_CRITICAL:
		refuse_in_check(ck, s, "critical block", "one");
		check_stmt(ck, s->body);
		break;
	case SX_DECL:
		if (s->rhs)
			checker_want(ck, s->rhs, s->type, CK_WHOLE_RHS,
				     "a value");
		declare_local(ck, s);
		break;
	case SX_ASSIGN:
		check_assign(ck, s);
		break;
	case SX_CALL:
		checker_call_stmt(ck, s->call);
		break;
	}
}

/* Check one body; its locals go to b. */
static void
check_body(struct checker *ck, const struct ast_thread *t,
	   struct script_body *b, bool in_check)
{
	ck->nlocals = 0;
	ck->locals_cap = 0;
	ck->locals = NULL;
	ck->nscope = 0;
	ck->loops = 0;
	ck->in_check = in_check;
	check_stmt(ck, t->body);
	b->name = fe_strndup(ck->fe, ck->fe->mem, t->name, strlen(t->name));
	b->copies = t->copies;
	b->first_line = t->first_line;
	b->last_line = t->last_line;
	b->nlocals = ck->nlocals;
	if (ck->nlocals) {
		struct script_local *l = fe_alloc(ck->fe, ck->fe->mem,
						  ck->nlocals * sizeof(*l));

		memcpy(l, ck->locals, ck->nlocals * sizeof(*l));
		b->locals = l;
	}
}

static void
check_header(struct fe *fe)
{
	const struct ast_script *a = &fe->ast;
	const struct span *end = &a->end;

	if (!a->title)
		fe_fail(fe, end, "expected a title line, found none");
	if (!a->goals)
		fe_fail(fe, end, "expected a goal line, found none");
	if (a->expect < 0)
		fe_fail(fe, end, "expected an expect line, found none");
	if (!a->lesson)
		fe_fail(fe, end, "expected a lesson, found none");
	if (!a->nthreads)
		fe_fail(fe, end, "expected at least one thread, found none");
}

/* A name taken by a variable, an object or a thread: where, or 0. */
static unsigned
taken(const struct fe *fe, const char *name, unsigned nthreads)
{
	const struct script_program *p = fe->prog;
	unsigned i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i].name, name))
			return p->vars[i].line;
	for (i = 0; i < p->nobjs; i++)
		if (!strcmp(p->objs[i].name, name))
			return p->objs[i].line;
	for (i = 0; i < nthreads; i++)
		if (!strcmp(p->threads[i].name, name))
			return p->bodies[p->threads[i].body].first_line;
	return 0;
}

static void
fail_taken(struct fe *fe, const struct span *sp, const char *name,
	   unsigned line)
{
	fe_fail(fe, sp, "expected a new name, found '%s', declared at line %u",
		name, line);
}

static void
build_vars(struct fe *fe)
{
	struct script_program *p = fe->prog;
	struct script_var *vars;
	int64_t *init;
	unsigned i, slots = 0;

	vars = fe_alloc(fe, fe->mem, fe->ast.nvars * sizeof(*vars));
	init = fe_alloc(fe, fe->mem, SCRIPT_MAX_SLOTS * sizeof(*init));
	p->vars = vars;
	p->shared_init = init;
	for (i = 0; i < fe->ast.nvars; i++) {
		const struct ast_var *v = &fe->ast.vars[i];
		unsigned line = taken(fe, v->name, 0);

		if (line)
			fail_taken(fe, &v->sp, v->name, line);
		if (slots + v->len > SCRIPT_MAX_SLOTS)
			fe_fail(fe, &v->sp,
				"expected at most %d shared slots in all, "
				"found more with '%s'",
				SCRIPT_MAX_SLOTS, v->name);
		vars[i].name = fe_strndup(fe, fe->mem, v->name,
					  strlen(v->name));
		vars[i].type = v->type;
		vars[i].slot = slots;
		vars[i].len = v->len;
		vars[i].array = v->array;
		vars[i].line = v->sp.line;
		vars[i].col = v->sp.col;
		memcpy(init + slots, v->init, v->len * sizeof(*init));
		slots += v->len;
		p->nvars = i + 1;
	}
	p->nslots = slots;
}

static void
build_objects(struct fe *fe)
{
	struct script_program *p = fe->prog;
	unsigned i;

	fe->objs = fe_alloc(fe, fe->mem, fe->ast.nobjs * sizeof(*fe->objs));
	p->objs = fe->objs;
	for (i = 0; i < fe->ast.nobjs; i++) {
		const struct ast_obj *o = &fe->ast.objs[i];
		unsigned line = taken(fe, o->o.name, 0);
		int v;

		/* Report a clash with a variable at the later of the two. */
		for (v = 0; line && v < (int)p->nvars; v++) {
			const struct span *vs = &fe->ast.vars[v].sp;

			if (strcmp(p->vars[v].name, o->o.name))
				continue;
			if (vs->s > o->sp.s)
				fail_taken(fe, vs, o->o.name, o->sp.line);
		}
		if (line)
			fail_taken(fe, &o->sp, o->o.name, line);
		if (i == SCRIPT_MAX_OBJECTS)
			fe_fail(fe, &o->sp,
				"expected at most %d objects, found more with "
				"'%s'",
				SCRIPT_MAX_OBJECTS, o->o.name);
		fe->objs[i] = o->o;
		fe->objs[i].name = fe_strndup(fe, fe->mem, o->o.name,
					      strlen(o->o.name));
		fe->objs[i].line = o->sp.line;
		fe->objs[i].col = o->sp.col;
		p->nobjs = i + 1;
	}
}

/* Threads and their bodies' skeletons; copies get numbered names. */
static void
build_threads(struct fe *fe)
{
	struct script_program *p = fe->prog;
	struct script_thread *th;
	unsigned i, c, n = 0, line;
	char name[64];

	fe->bodies = fe_alloc(fe, fe->mem,
			      (fe->ast.nthreads + 1) * sizeof(*fe->bodies));
	th = fe_alloc(fe, fe->mem, SCRIPT_MAX_THREADS * sizeof(*th));
	p->bodies = fe->bodies;
	p->threads = th;
	for (i = 0; i < fe->ast.nthreads; i++) {
		const struct ast_thread *t = &fe->ast.threads[i];

		fe->bodies[i].first_line = t->first_line;
		p->nbodies = i + 1;
		for (c = 0; c < t->copies; c++) {
			if (t->array)
				snprintf(name, sizeof(name), "%s%u", t->name,
					 c);
			else
				snprintf(name, sizeof(name), "%s", t->name);
			if (strlen(name) > SCRIPT_NAME_MAX)
				fe_fail(fe, &t->sp,
					"expected a thread name of at most %d "
					"characters with its copy's number, "
					"found '%s'",
					SCRIPT_NAME_MAX, name);
			line = taken(fe, name, n);
			if (line)
				fe_fail(fe, &t->sp,
					"expected a new name, found '%s', "
					"declared at line %u",
					name, line);
			if (n == SCRIPT_MAX_THREADS)
				fe_fail(fe, &t->sp,
					"expected at most %d threads in all, "
					"found more with '%s'",
					SCRIPT_MAX_THREADS, name);
			th[n].name = fe_strndup(fe, fe->mem, name,
						strlen(name));
			th[n].body = i;
			th[n].id = c;
			p->nthreads = ++n;
		}
	}
}

/* The solution's thread names, with their positions in the source. */
static void
build_solution(struct fe *fe)
{
	struct script_program *p = fe->prog;
	const struct span *sp = &fe->ast.solution_sp;
	struct span w = *sp;
	unsigned *sol, n = 0, cap = 0;
	const char *s;
	char name[SCRIPT_NAME_MAX + 1];
	int t;

	if (!fe->ast.solution)
		return;
	if (fe->ast.expect == SCRIPT_SAFE)
		fe_fail(fe, sp, "expected no solution in a safe script, found "
				"one");
	sol = NULL;
	/* Walk the raw text so each name has its own line and column. */
	for (s = sp->s; s < sp->e;) {
		const char *b = s;
		size_t len;

		while (s < sp->e && (*s == '_' || (*s >= '0' && *s <= '9') ||
				     (*s >= 'a' && *s <= 'z') ||
				     (*s >= 'A' && *s <= 'Z')))
			s++;
		len = (size_t)(s - b);
		if (!len) {
			if (*s == '\n') {
				w.line++;
				w.col = 0;
			}
			if (((unsigned char)*s & 0xc0) != 0x80)
				w.col++;
			s++;
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, b);
		t = len <= SCRIPT_NAME_MAX ? script_thread_find(p, name) : -1;
		if (t < 0)
			fe_fail(fe, &w,
				"expected the name of a thread in the "
				"solution, found '%.*s'",
				(int)(len > 24 ? 24 : len), b);
		fe_reserve(fe, (void **)&sol, &cap, n + 1, sizeof(*sol));
		sol[n++] = (unsigned)t;
		w.col += (unsigned)len;
	}
	if (!n)
		fe_fail(fe, sp, "expected thread names in the solution, found "
				"none");
	p->solution = fe_alloc(fe, fe->mem, n * sizeof(*sol));
	memcpy((unsigned *)p->solution, sol, n * sizeof(*sol));
	p->nsolution = n;
}

void
checker_run(struct fe *fe)
{
	struct script_program *p = fe->prog;
	struct checker ck = { .fe = fe };
	unsigned i;

	check_header(fe);
	p->title = fe_strndup(fe, fe->mem, fe->ast.title,
			      strlen(fe->ast.title));
	p->lesson = fe_strndup(fe, fe->mem, fe->ast.lesson,
			       strlen(fe->ast.lesson));
	p->goals = fe->ast.goals;
	p->expect = (enum script_expect)fe->ast.expect;
	build_vars(fe);
	build_objects(fe);
	build_threads(fe);
	build_solution(fe);
	ck.vars = (struct script_var *)p->vars;
	ck.nvars = p->nvars;
	ck.objs = fe->objs;
	ck.nobjs = p->nobjs;
	for (i = 0; i < fe->ast.nthreads; i++)
		check_body(&ck, &fe->ast.threads[i], &fe->bodies[i], false);
	if (fe->ast.check) {
		check_body(&ck, fe->ast.check, &fe->bodies[fe->ast.nthreads],
			   true);
		p->check = &fe->bodies[fe->ast.nthreads];
	}
}
