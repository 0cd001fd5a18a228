/*
 * parse.c - the top level of a script: header lines, declarations of
 * shared variables and objects, threads and the check block; and the
 * token helpers the statement parser (parse-stmt.c) shares.
 *
 * The parser is recursive descent over the token array and builds the
 * tree of script-int.h.  It checks form only: whether a name exists or an
 * operation fits its object is the checker's business.  Every error names
 * what was expected and what was found, at the found token.
 */
#include "config.h"

#include "script/script-int.h"

#include <stdio.h>
#include <string.h>

/* Words that cannot name anything. */
static const char *const reserved[] = {
	"title",     "goal",	  "expect",   "lesson",	   "solution",
	"shared",    "int",	  "bool",     "mutex",	   "rwlock",
	"semaphore", "condition", "barrier",  "event",	   "latch",
	"queue",     "unsafe",	  "thread",   "check",	   "if",
	"else",	     "while",	  "break",    "continue", "return",
	"critical",  "true",	  "false",    "id",
};

bool
parse_reserved(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strlen(reserved[i]) == n && !memcmp(reserved[i], s, n))
			return true;
	return false;
}

const struct token *
parse_peek(struct fe *fe, unsigned ahead)
{
	unsigned i = fe->pos + ahead;

	/* The array ends in T_EOF, which is never consumed. */
	return &fe->toks[i < fe->ntoks ? i : fe->ntoks - 1];
}

const struct token *
parse_next(struct fe *fe)
{
	const struct token *t = parse_peek(fe, 0);

	if (t->kind != T_EOF)
		fe->pos++;
	return t;
}

bool
parse_is(struct fe *fe, enum tok kind)
{
	return parse_peek(fe, 0)->kind == kind;
}

/* Is token t the word w? */
static bool
is_word(const struct token *t, const char *w)
{
	size_t n = strlen(w);

	return t->kind == T_NAME && (size_t)(t->sp.e - t->sp.s) == n &&
	       !memcmp(t->sp.s, w, n);
}

bool
parse_at(struct fe *fe, const char *word)
{
	return is_word(parse_peek(fe, 0), word);
}

bool
parse_word(struct fe *fe, const char *word)
{
	if (!parse_at(fe, word))
		return false;
	parse_next(fe);
	return true;
}

void
parse_fail_found(struct fe *fe, const char *what)
{
	const struct token *t = parse_peek(fe, 0);
	char buf[64];

	fe_fail(fe, &t->sp, "expected %s, found %s", what,
		fe_found(t, buf, sizeof(buf)));
}

const struct token *
parse_expect(struct fe *fe, enum tok kind, const char *what)
{
	if (!parse_is(fe, kind))
		parse_fail_found(fe, what);
	return parse_next(fe);
}

const char *
parse_name(struct fe *fe, const char *what, struct span *sp)
{
	const struct token *t = parse_peek(fe, 0);
	size_t n = (size_t)(t->sp.e - t->sp.s);

	if (t->kind != T_NAME || parse_reserved(t->sp.s, n))
		parse_fail_found(fe, what);
	if (n > SCRIPT_NAME_MAX)
		fe_fail(fe, &t->sp,
			"expected a name of at most %d characters, found one "
			"of %zu",
			SCRIPT_NAME_MAX, n);
	parse_next(fe);
	if (sp)
		*sp = t->sp;
	return fe_strndup(fe, &fe->scratch, t->sp.s, n);
}

struct span
parse_join(const struct span *a, const struct span *b)
{
	struct span sp = *a;

	sp.end_line = b->end_line;
	sp.end_col = b->end_col;
	sp.e = b->e;
	return sp;
}

/* An integer in [min, max] (what describes it in a message). */
static int64_t
parse_count(struct fe *fe, int64_t min, int64_t max, const char *what)
{
	const struct token *t = parse_peek(fe, 0);
	char buf[96];

	snprintf(buf, sizeof(buf), "%s from %lld to %lld", what,
		 (long long)min, (long long)max);
	if (t->kind != T_INT || t->value < min || t->value > max)
		parse_fail_found(fe, buf);
	parse_next(fe);
	return t->value;
}

/* "[n]" after a name, n in 1..max (what and close say what it is in
 * messages); 0 without '['. */
static unsigned
parse_length(struct fe *fe, int64_t max, const char *what,
	     const char *close)
{
	unsigned n;

	if (!parse_is(fe, T_LBRACKET))
		return 0;
	parse_next(fe);
	n = (unsigned)parse_count(fe, 1, max, what);
	parse_expect(fe, T_RBRACKET, close);
	return n;
}

/* A header line's string, once. */
static const char *
parse_header_string(struct fe *fe, const char *have, const char *word,
		    struct span *sp)
{
	const struct token *kw = parse_next(fe);
	const struct token *t;
	char buf[64];

	if (have)
		fe_fail(fe, &kw->sp, "expected one %s line, found a second",
			word);
	snprintf(buf, sizeof(buf), "a string after '%s'", word);
	t = parse_expect(fe, T_STRING, buf);
	if (sp)
		*sp = t->sp;
	if (parse_is(fe, T_SEMI))
		parse_next(fe);
	return t->str;
}

static void
parse_goal(struct fe *fe)
{
	static const char *const names[] = { "assert", "deadlock",
					     "critical", "error" };
	const struct token *kw = parse_next(fe);
	unsigned i;

	if (fe->ast.goals)
		fe_fail(fe, &kw->sp, "expected one goal line, found a second");
	do {
		const struct token *t = parse_peek(fe, 0);

		for (i = 0; i < 4 && !is_word(t, names[i]); i++)
			;
		if (i == 4)
			parse_fail_found(fe,
					 "assert, deadlock, critical or error");
		parse_next(fe);
		fe->ast.goals |= 1u << i;
	} while (parse_is(fe, T_COMMA) && parse_next(fe));
	if (parse_is(fe, T_SEMI))
		parse_next(fe);
}

static void
parse_expect_line(struct fe *fe)
{
	const struct token *kw = parse_next(fe);

	if (fe->ast.expect >= 0)
		fe_fail(fe, &kw->sp,
			"expected one expect line, found a second");
	if (parse_word(fe, "breakable"))
		fe->ast.expect = SCRIPT_BREAKABLE;
	else if (parse_word(fe, "safe"))
		fe->ast.expect = SCRIPT_SAFE;
	else
		parse_fail_found(fe, "breakable or safe");
	if (parse_is(fe, T_SEMI))
		parse_next(fe);
}

/* A constant for a shared variable of type type. */
static int64_t
parse_const(struct fe *fe, enum script_type type, const char *name)
{
	bool neg = false;
	char buf[96];
	const struct token *t;

	if (type == SCRIPT_BOOL) {
		if (parse_word(fe, "true"))
			return 1;
		if (parse_word(fe, "false"))
			return 0;
		snprintf(buf, sizeof(buf), "true or false for bool '%s'", name);
		parse_fail_found(fe, buf);
	}
	if (parse_is(fe, T_MINUS)) {
		parse_next(fe);
		neg = true;
	}
	t = parse_peek(fe, 0);
	if (t->kind != T_INT) {
		snprintf(buf, sizeof(buf), "a number for int '%s'", name);
		parse_fail_found(fe, buf);
	}
	parse_next(fe);
	return neg ? -t->value : t->value;
}

static void
parse_var(struct fe *fe, enum script_type type)
{
	struct ast_script *a = &fe->ast;
	struct ast_var *v;
	unsigned n = 0;
	char buf[64];

	fe_reserve(fe, (void **)&a->vars, &a->vars_cap, a->nvars + 1,
		   sizeof(*v));
	v = &a->vars[a->nvars++];
	v->type = type;
	v->name = parse_name(fe, "a name for the shared variable", &v->sp);
	v->len = parse_length(fe, SCRIPT_MAX_ARRAY, "an array length",
			      "']' after the array length");
	v->array = v->len > 0;
	if (!v->array)
		v->len = 1;
	if (!parse_is(fe, T_ASSIGN))
		return;
	parse_next(fe);
	if (!v->array) {
		v->init[0] = parse_const(fe, type, v->name);
		return;
	}
	parse_expect(fe, T_LBRACE, "'{' to start the array's values");
	while (!parse_is(fe, T_RBRACE)) {
		if (n == v->len) {
			snprintf(buf, sizeof(buf), "'}' after %u values", n);
			parse_fail_found(fe, buf);
		}
		v->init[n++] = parse_const(fe, type, v->name);
		if (!parse_is(fe, T_COMMA))
			break;
		parse_next(fe);
	}
	parse_expect(fe, T_RBRACE, "',' or '}' in the array's values");
}

static void
parse_shared(struct fe *fe)
{
	enum script_type type;

	parse_next(fe);
	if (parse_word(fe, "int"))
		type = SCRIPT_INT;
	else if (parse_word(fe, "bool"))
		type = SCRIPT_BOOL;
	else
		parse_fail_found(fe, "int or bool after 'shared'");
	do
		parse_var(fe, type);
	while (parse_is(fe, T_COMMA) && parse_next(fe));
	parse_expect(fe, T_SEMI, "',' or ';' after the declaration");
}

/* What follows an object's name in its declaration. */
static void
parse_object_options(struct fe *fe, struct script_object *o)
{
	switch (o->kind) {
	case SCRIPT_MUTEX:
		o->recursive = parse_word(fe, "recursive");
		break;
	case SCRIPT_RWLOCK:
		if (parse_word(fe, "reader"))
			o->policy = SCRIPT_RW_READER;
		else if (parse_word(fe, "fair"))
			o->policy = SCRIPT_RW_FAIR;
		else
			parse_word(fe, "writer");
		break;
	case SCRIPT_SEMAPHORE:
		if (!parse_is(fe, T_ASSIGN))
			break;
		parse_next(fe);
		o->init = parse_count(fe, 0, SCRIPT_MAX_COUNT,
				      "an initial count");
		break;
	case SCRIPT_BARRIER:
		parse_expect(fe, T_ASSIGN, "'=' and the number of parties");
		o->init = parse_count(fe, 1, SCRIPT_MAX_COUNT,
				      "a number of parties");
		break;
	case SCRIPT_LATCH:
		parse_expect(fe, T_ASSIGN, "'=' and the latch's count");
		o->init = parse_count(fe, 0, SCRIPT_MAX_COUNT, "a count");
		break;
	case SCRIPT_QUEUE:
		parse_expect(fe, T_ASSIGN, "'=' and the queue's capacity");
		o->init = parse_count(fe, 1, SCRIPT_MAX_ITEMS, "a capacity");
		break;
	case SCRIPT_EVENT:
		if (parse_word(fe, "auto"))
			o->auto_reset = true;
		else if (!parse_word(fe, "manual"))
			parse_fail_found(fe, "manual or auto after the "
					     "event's name");
		o->initially_set = parse_word(fe, "set");
		break;
	default:
		break;
	}
}

static void
parse_objects(struct fe *fe, enum script_obj_kind kind)
{
	struct ast_script *a = &fe->ast;
	char what[64];
	struct ast_obj *o;

	snprintf(what, sizeof(what), "a name for the %s",
		 script_obj_kind_name(kind));
	do {
		fe_reserve(fe, (void **)&a->objs, &a->objs_cap, a->nobjs + 1,
			   sizeof(*o));
		o = &a->objs[a->nobjs++];
		o->o.kind = kind;
		o->o.name = parse_name(fe, what, &o->sp);
		parse_object_options(fe, &o->o);
	} while (parse_is(fe, T_COMMA) && parse_next(fe));
	parse_expect(fe, T_SEMI, "',' or ';' after the declaration");
}

static struct ast_thread *
parse_body(struct fe *fe, struct ast_thread *t, unsigned first_line)
{
	t->first_line = first_line;
	t->body = parse_stmt_block(fe);
	t->last_line = t->body->sp.end_line;
	return t;
}

static void
parse_thread(struct fe *fe)
{
	struct ast_script *a = &fe->ast;
	const struct token *kw = parse_next(fe);
	struct ast_thread *t;

	fe_reserve(fe, (void **)&a->threads, &a->threads_cap,
		   a->nthreads + 1, sizeof(*t));
	t = &a->threads[a->nthreads++];
	t->name = parse_name(fe, "a name for the thread", &t->sp);
	t->copies = parse_length(fe, SCRIPT_MAX_THREADS, "a number of copies",
				 "']' after the number of copies");
	t->array = t->copies > 0;
	if (!t->array)
		t->copies = 1;
	if (!parse_is(fe, T_LBRACE))
		parse_fail_found(fe, "'{' to start the thread's body");
	parse_body(fe, t, kw->sp.line);
}

static void
parse_check(struct fe *fe)
{
	const struct token *kw = parse_next(fe);
	struct ast_thread *t;

	if (fe->ast.check)
		fe_fail(fe, &kw->sp,
			"expected one check block, found a second");
	t = fe_alloc(fe, &fe->scratch, sizeof(*t));
	t->name = "check";
	t->copies = 1;
	t->sp = kw->sp;
	if (!parse_is(fe, T_LBRACE))
		parse_fail_found(fe, "'{' to start the check block");
	fe->ast.check = parse_body(fe, t, kw->sp.line);
}

/* Declarations of objects: the keyword and its kind. */
static const struct {
	const char *word;
	enum script_obj_kind kind;
} object_words[] = {
	{ "mutex", SCRIPT_MUTEX },	   { "rwlock", SCRIPT_RWLOCK },
	{ "semaphore", SCRIPT_SEMAPHORE }, { "condition", SCRIPT_CONDITION },
	{ "barrier", SCRIPT_BARRIER },	   { "event", SCRIPT_EVENT },
	{ "latch", SCRIPT_LATCH },	   { "queue", SCRIPT_QUEUE },
};

/* One top-level item. */
static void
parse_item(struct fe *fe)
{
	struct ast_script *a = &fe->ast;
	const struct token *t = parse_peek(fe, 0);
	size_t i;

	if (is_word(t, "title")) {
		a->title = parse_header_string(fe, a->title, "title", NULL);
	} else if (is_word(t, "lesson")) {
		a->lesson = parse_header_string(fe, a->lesson, "lesson", NULL);
	} else if (is_word(t, "solution")) {
		a->solution = parse_header_string(fe, a->solution, "solution",
						  &a->solution_sp);
	} else if (is_word(t, "goal")) {
		parse_goal(fe);
	} else if (is_word(t, "expect")) {
		parse_expect_line(fe);
	} else if (is_word(t, "shared")) {
		parse_shared(fe);
	} else if (is_word(t, "unsafe")) {
		parse_next(fe);
		if (!parse_word(fe, "list"))
			parse_fail_found(fe, "'list' after 'unsafe'");
		parse_objects(fe, SCRIPT_LIST);
	} else if (is_word(t, "thread")) {
		parse_thread(fe);
	} else if (is_word(t, "check")) {
		parse_check(fe);
	} else {
		for (i = 0; i < sizeof(object_words) / sizeof(object_words[0]);
		     i++)
			if (is_word(t, object_words[i].word))
				break;
		if (i == sizeof(object_words) / sizeof(object_words[0]))
			parse_fail_found(fe, "a declaration, a thread or a "
					     "header line");
		parse_next(fe);
		parse_objects(fe, object_words[i].kind);
	}
}

void
parse_script(struct fe *fe)
{
	fe->ast.expect = -1;
	fe->pos = 0;
	while (!parse_is(fe, T_EOF))
		parse_item(fe);
	fe->ast.end = parse_peek(fe, 0)->sp;
}
