/*
 * script.c - the front end's public door: a script's text in, a program
 * out (lex, parse, check, lower), and the names of things.
 */
#include "config.h"

#include "script/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/script-int.h"
#include "util/file.h"

/* The source, line by line, into the program. */
static void
split_lines(struct fe *fe)
{
	struct script_program *p = fe->prog;
	const char *s = fe->src, *end = fe->src + fe->len, *nl;
	const char **lines;
	unsigned n = 1, i = 0;
	size_t len;

	for (nl = s; (nl = memchr(nl, '\n', (size_t)(end - nl))); nl++)
		n++;
	lines = fe_alloc(fe, fe->mem, n * sizeof(*lines));
	while (i < n) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = (size_t)((nl ? nl : end) - s);
		if (len && s[len - 1] == '\r')
			len--;
		lines[i++] = fe_strndup(fe, fe->mem, s, len);
		s = nl ? nl + 1 : end;
	}
	/* A final newline ends the last line; it does not start one. */
	if (n > 1 && !*lines[n - 1] && fe->len && fe->src[fe->len - 1] == '\n')
		n--;
	p->lines = lines;
	p->nlines = n;
}

/* Run the stages; fe_fail lands back here.  No local of this function
 * changes after setjmp, so none is clobbered by the jump. */
static int
compile(struct fe *fe, const char *name)
{
	struct span start = { .line = 1, .col = 1 };

	if (setjmp(fe->fail))
		return fe->err;
	if (fe->len > FE_MAX_SOURCE)
		fe_fail(fe, &start,
			"expected a script of at most %u bytes, found %zu",
			FE_MAX_SOURCE, fe->len);
	fe->prog = fe_alloc(fe, fe->mem, sizeof(*fe->prog));
	fe->prog->file = fe_strndup(fe, fe->mem, name, strlen(name));
	fe->prog->mem = fe->mem;
	lex_all(fe);
	parse_script(fe);
	checker_run(fe);
	lower_program(fe);
	split_lines(fe);
	return 0;
}

int
script_parse_buffer(const char *name, const char *src, size_t len,
		    struct script_program **out, char *err, size_t errlen)
{
	struct fe *fe = calloc(1, sizeof(*fe));
	struct arena *mem = calloc(1, sizeof(*mem));
	int rc = -ENOMEM;

	if (errlen)
		err[0] = '\0';
	if (!mem || !fe) {
		if (errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		goto out;
	}
	fe->file = name;
	fe->src = src;
	fe->len = len;
	fe->mem = mem;
	fe->msg = err;
	fe->msglen = errlen;
	rc = compile(fe, name);
	if (rc) {
		arena_free(mem);
		goto out;
	}
	*out = fe->prog;
	mem = NULL;	/* now the program's */
out:
	if (fe)
		arena_free(&fe->scratch);
	free(fe);
	free(mem);
	return rc;
}

int
script_parse_file(const char *path, struct script_program **out, char *err,
		  size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	/* A little past the limit is enough for the front end to say that
	 * the file is too large. */
	rc = file_read(path, FE_MAX_SOURCE + 1, &buf, &len, err, errlen);
	if (rc)
		return rc;
	rc = script_parse_buffer(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

void
script_free(struct script_program *p)
{
	struct arena *mem;

	if (!p)
		return;
	/* p itself lives in the arena: take the arena first. */
	mem = p->mem;
	arena_free(mem);
	free(mem);
}

int
script_thread_find(const struct script_program *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nthreads; i++)
		if (!strcmp(p->threads[i].name, name))
			return (int)i;
	return -1;
}

const struct script_body *
script_thread_body(const struct script_program *p, unsigned t)
{
	return &p->bodies[p->threads[t].body];
}

const char *
script_obj_kind_name(enum script_obj_kind kind)
{
	static const char *const names[SCRIPT_OBJ_KIND_COUNT] = {
		[SCRIPT_MUTEX] = "mutex",
		[SCRIPT_RWLOCK] = "rwlock",
		[SCRIPT_SEMAPHORE] = "semaphore",
		[SCRIPT_CONDITION] = "condition",
		[SCRIPT_BARRIER] = "barrier",
		[SCRIPT_EVENT] = "event",
		[SCRIPT_LATCH] = "latch",
		[SCRIPT_QUEUE] = "queue",
		[SCRIPT_LIST] = "list",
	};

	return (unsigned)kind < SCRIPT_OBJ_KIND_COUNT ? names[kind] : "?";
}

const char *
script_kind_name(enum script_kind kind)
{
	static const char *const names[SCRIPT_STEP_KIND_COUNT] = {
		[SCRIPT_STEP_ASSIGN] = "assign",
		[SCRIPT_STEP_LOAD] = "load",
		[SCRIPT_STEP_STORE] = "store",
		[SCRIPT_STEP_COND] = "cond",
		[SCRIPT_STEP_ASSERT] = "assert",
		[SCRIPT_STEP_FAIL] = "fail",
		[SCRIPT_STEP_RETURN] = "return",
		[SCRIPT_STEP_CRITICAL] = "critical",
		[SCRIPT_STEP_LOCK] = "lock",
		[SCRIPT_STEP_UNLOCK] = "unlock",
		[SCRIPT_STEP_TRYLOCK] = "trylock",
		[SCRIPT_STEP_RDLOCK] = "rdlock",
		[SCRIPT_STEP_WRLOCK] = "wrlock",
		[SCRIPT_STEP_RWUNLOCK] = "rwunlock",
		[SCRIPT_STEP_WAIT] = "wait",
		[SCRIPT_STEP_SIGNAL] = "signal",
		[SCRIPT_STEP_BROADCAST] = "broadcast",
		[SCRIPT_STEP_SEM_WAIT] = "sem_wait",
		[SCRIPT_STEP_SEM_POST] = "post",
		[SCRIPT_STEP_BARRIER_WAIT] = "barrier_wait",
		[SCRIPT_STEP_EVENT_SET] = "set",
		[SCRIPT_STEP_EVENT_RESET] = "reset",
		[SCRIPT_STEP_EVENT_WAIT] = "event_wait",
		[SCRIPT_STEP_LATCH_COUNT_DOWN] = "count_down",
		[SCRIPT_STEP_LATCH_WAIT] = "latch_wait",
		[SCRIPT_STEP_PUSH] = "push",
		[SCRIPT_STEP_POP] = "pop",
		[SCRIPT_STEP_ADD_BEGIN] = "add_begin",
		[SCRIPT_STEP_ADD_END] = "add_end",
		[SCRIPT_STEP_TAKE_BEGIN] = "take_begin",
		[SCRIPT_STEP_TAKE_END] = "take_end",
		[SCRIPT_STEP_ATOMIC_ADD] = "atomic_add",
		[SCRIPT_STEP_EXCHANGE] = "exchange",
		[SCRIPT_STEP_CAS] = "cas",
	};

	return (unsigned)kind < SCRIPT_STEP_KIND_COUNT ? names[kind] : "?";
}

const char *
script_fault_text(enum script_fault fault)
{
	static const char *const texts[SCRIPT_FAULT_COUNT] = {
		[SCRIPT_FAULT_NONE] = "no error",
		[SCRIPT_FAULT_DIV_ZERO] = "division by zero",
		[SCRIPT_FAULT_INDEX] = "array index out of range",
		[SCRIPT_FAULT_NOT_OWNER] = "unlock of a lock it does not hold",
		[SCRIPT_FAULT_RELOCK] = "lock of a lock it already holds",
		[SCRIPT_FAULT_NOT_HELD] =
			"wait on a condition without holding its mutex",
		[SCRIPT_FAULT_OVERLAP] =
			"the unsafe list used by two threads at once",
		[SCRIPT_FAULT_EMPTY] = "take from an empty unsafe list",
		[SCRIPT_FAULT_FULL] = "add to a full unsafe list",
		[SCRIPT_FAULT_LATCH] = "count_down of a latch already at zero",
	};

	return (unsigned)fault < SCRIPT_FAULT_COUNT ? texts[fault] : "?";
}

const char *
script_goal_name(unsigned goal)
{
	switch (goal) {
	case SCRIPT_GOAL_ASSERT:
		return "assert";
	case SCRIPT_GOAL_DEADLOCK:
		return "deadlock";
	case SCRIPT_GOAL_CRITICAL:
		return "critical";
	case SCRIPT_GOAL_ERROR:
		return "error";
	default:
		return "?";
	}
}
