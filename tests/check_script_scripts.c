/*
 * check_script_scripts.c - Check suite for the scripts lockstep ships
 * (the .lss files of assets/scripts), run on the reference interpreter.
 *
 * Every script parses and has a title, a goal and a lesson of a few
 * paragraphs.  A breakable script reaches its goal under its own
 * solution, on the last step of it.  A safe script never reaches an
 * outcome other than a clean finish, in any interleaving: the search
 * visits every reachable state once (states are compared by their packed
 * bytes), so it is exhaustive, and it fails rather than stop early when
 * a script has more states than LS_SCRIPT_STATES (default 4000000) allows.
 * Together the scripts use every kind of step and object, and the
 * reference (assets/scripts/README.md) names each of them.
 */
#include "config.h"

#include "script/oracle.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkutil.h"

#define MAX_SCRIPTS 64

static char dir[1024];
static char *names[MAX_SCRIPTS];
static unsigned nnames;

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shipped scripts, sorted; srcdir comes from the test harness. */
static void
list_scripts(void)
{
	const char *srcdir = getenv("srcdir");
	struct dirent *e;
	DIR *d;
	size_t n;

	snprintf(dir, sizeof(dir), "%s/assets/scripts",
		 srcdir && *srcdir ? srcdir : ".");
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		exit(EXIT_FAILURE);
	}
	while ((e = readdir(d)) && nnames < MAX_SCRIPTS) {
		n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".lss"))
			names[nnames++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), by_name);
}

static struct script_program *
load(unsigned i)
{
	char path[1200], err[256];
	struct script_program *p = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
	rc = script_parse_file(path, &p, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	return p;
}

START_TEST(test_there_are_enough)
{
	ck_assert_uint_ge(nnames, 12);
}
END_TEST

START_TEST(test_header)
{
	struct script_program *p = load((unsigned)_i);
	const char *para;
	unsigned paragraphs = 1;

	ck_assert_msg(strlen(p->title) > 3 && strlen(p->title) < 48, "%s",
		      names[_i]);
	ck_assert_uint_ne(p->goals, 0);
	for (para = p->lesson; (para = strstr(para, "\n\n")); para += 2)
		paragraphs++;
	ck_assert_msg(paragraphs >= 2 && paragraphs <= 5,
		      "%s: %u paragraphs of lesson", names[_i], paragraphs);
	ck_assert_msg(strlen(p->lesson) < 2000, "%s: a long lesson",
		      names[_i]);
	if (p->expect == SCRIPT_BREAKABLE)
		ck_assert_msg(p->nsolution > 0, "%s: no solution", names[_i]);
	script_free(p);
}
END_TEST

/* A breakable script's solution reaches its goal on its last step. */
START_TEST(test_solution_reaches_goal)
{
	struct script_program *p = load((unsigned)_i);
	struct oracle o;
	size_t done;
	int rc;

	if (p->expect == SCRIPT_SAFE) {
		script_free(p);
		return;
	}
	oracle_init(&o, p);
	rc = oracle_replay(&o, p->solution, p->nsolution, &done);
	ck_assert_msg(rc == 0, "%s: step %zu of the solution failed: %d",
		      names[_i], done + 1, rc);
	ck_assert_msg(oracle_goal(&o) & p->goals,
		      "%s: the solution ends with outcome %d (%s)", names[_i],
		      o.out.end, o.out.why);
	script_free(p);
}
END_TEST

/* Packed states seen, in an open-addressing table of their bytes. */
struct seen {
	unsigned char **key;
	size_t *len;
	size_t cap, used;
};

static uint64_t
hash(const unsigned char *b, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--) {
		h ^= *b++;
		h *= 1099511628211ull;
	}
	return h;
}

static void seen_grow(struct seen *s);

/* Add the state; false if it was there already. */
static bool
seen_add(struct seen *s, const unsigned char *b, size_t n)
{
	size_t i;

	if (2 * (s->used + 1) > s->cap)
		seen_grow(s);
	for (i = hash(b, n) & (s->cap - 1); s->key[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->len[i] == n && !memcmp(s->key[i], b, n))
			return false;
	s->key[i] = malloc(n);
	ck_assert_ptr_nonnull(s->key[i]);
	memcpy(s->key[i], b, n);
	s->len[i] = n;
	s->used++;
	return true;
}

static void
seen_grow(struct seen *s)
{
	struct seen old = *s;
	size_t i, j;

	s->cap = s->cap ? s->cap * 2 : 4096;
	s->key = calloc(s->cap, sizeof(*s->key));
	s->len = calloc(s->cap, sizeof(*s->len));
	ck_assert(s->key && s->len);
	for (i = 0; i < old.cap; i++) {
		if (!old.key[i])
			continue;
		for (j = hash(old.key[i], old.len[i]) & (s->cap - 1); s->key[j];
		     j = (j + 1) & (s->cap - 1))
			;
		s->key[j] = old.key[i];
		s->len[j] = old.len[i];
	}
	free(old.key);
	free(old.len);
}

static void
seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->key[i]);
	free(s->key);
	free(s->len);
}

/* One level of the search: a state and the next thread to try. */
struct frame {
	struct oracle o;
	unsigned next;
};

/* A safe script: no interleaving ends in anything but a clean finish. */
START_TEST(test_safe_in_every_interleaving)
{
	struct script_program *p = load((unsigned)_i);
	const unsigned long limit = test_size("LS_SCRIPT_STATES", 4000000,
					      4000000);
	const size_t max_depth = 100000;
	static unsigned char buf[1 << 16];
	struct seen seen = { 0 };
	struct frame *stack;
	unsigned long finished = 0;
	size_t depth = 0, n;

	if (p->expect != SCRIPT_SAFE) {
		script_free(p);
		return;
	}
	stack = malloc(max_depth * sizeof(*stack));
	ck_assert_ptr_nonnull(stack);
	oracle_init(&stack[0].o, p);
	stack[0].next = 0;
	n = oracle_pack(&stack[0].o, buf, sizeof(buf));
	seen_add(&seen, buf, n);
	for (;;) {
		struct frame *f = &stack[depth];
		struct oracle *c;

		if (f->o.out.end || f->next == p->nthreads) {
			if (f->o.out.end == ORACLE_FINISHED && !f->next)
				finished++;
			ck_assert_msg(f->o.out.end == ORACLE_RUNNING ||
					      f->o.out.end == ORACLE_FINISHED,
				      "%s: reached outcome %d after %lu steps: "
				      "%s",
				      names[_i], f->o.out.end, f->o.steps,
				      f->o.out.why);
			if (!depth)
				break;
			depth--;
			continue;
		}
		if (!oracle_can_step(&f->o, f->next++))
			continue;
		ck_assert_msg(depth + 1 < max_depth, "%s: too deep", names[_i]);
		c = &stack[depth + 1].o;
		*c = f->o;
		ck_assert_int_eq(oracle_step(c, f->next - 1), 0);
		n = oracle_pack(c, buf, sizeof(buf));
		ck_assert_uint_le(n, sizeof(buf));
		if (!seen_add(&seen, buf, n))
			continue;
		ck_assert_msg(seen.used <= limit,
			      "%s: more than %lu states (LS_SCRIPT_STATES)",
			      names[_i], limit);
		stack[++depth].next = 0;
	}
	/* A safe algorithm also gets its work done. */
	ck_assert_msg(finished > 0, "%s: never finishes", names[_i]);
	free(stack);
	seen_free(&seen);
	script_free(p);
}
END_TEST

/* Together the scripts use every step, object and option, and the
 * syntax a reader will want to copy. */
START_TEST(test_coverage)
{
	bool kinds[SCRIPT_STEP_KIND_COUNT] = { false };
	bool objs[SCRIPT_OBJ_KIND_COUNT] = { false };
	static const char *const syntax[] = {
		"else",	      "continue;",    "break;",	   "return;",
		"while (true)", "++;",	      "--;",	   "+=",
		"-=",	      "[id]",	      "= {",	   "recursive",
		"auto set",   "manual",	      "writer",	   "check {",
		"critical {", "fail(\"",      "count(",	   "= pop(",
		"= take(",    "if (trylock(", "goal     assert,",
	};
	bool found[sizeof(syntax) / sizeof(syntax[0])] = { false };
	unsigned goals = 0, expects = 0, copies = 0, i, b, s, l, k;

	for (i = 0; i < nnames; i++) {
		struct script_program *p = load(i);

		goals |= p->goals;
		expects |= 1u << p->expect;
		for (b = 0; b < p->nbodies; b++) {
			copies |= p->bodies[b].copies > 1;
			for (s = 0; s < p->bodies[b].nsteps; s++)
				kinds[p->bodies[b].steps[s].kind] = true;
		}
		for (b = 0; b < p->nobjs; b++)
			objs[p->objs[b].kind] = true;
		for (l = 0; l < p->nlines; l++)
			for (k = 0; k < sizeof(syntax) / sizeof(syntax[0]); k++)
				found[k] |= strstr(p->lines[l], syntax[k]) !=
					    NULL;
		script_free(p);
	}
	for (k = 0; k < SCRIPT_STEP_KIND_COUNT; k++)
		ck_assert_msg(kinds[k], "no script has a %s step",
			      script_kind_name((enum script_kind)k));
	for (k = 0; k < SCRIPT_OBJ_KIND_COUNT; k++)
		ck_assert_msg(objs[k], "no script has a %s",
			      script_obj_kind_name((enum script_obj_kind)k));
	for (k = 0; k < sizeof(syntax) / sizeof(syntax[0]); k++)
		ck_assert_msg(found[k], "no script has %s", syntax[k]);
	ck_assert_uint_eq(goals, 0xf);
	ck_assert_uint_eq(expects, 3);
	ck_assert(copies);
}
END_TEST

/* No two scripts share a title, and the reference lists them all. */
START_TEST(test_titles_and_reference)
{
	char path[1200], *readme;
	char *titles[MAX_SCRIPTS];
	unsigned i, j;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/README.md", dir);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	readme = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(readme, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (i = 0; i < nnames; i++) {
		struct script_program *p = load(i);

		titles[i] = strdup(p->title);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(titles[i], titles[j]),
				      "%s and %s share a title", names[i],
				      names[j]);
		ck_assert_msg(strstr(readme, names[i]),
			      "README.md does not mention %s", names[i]);
		script_free(p);
	}
	for (i = 0; i < nnames; i++)
		free(titles[i]);
	free(readme);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("script_scripts");
	TCase *tc = tcase_create("scripts");
	TCase *safe = tcase_create("safe");
	int rc;
	unsigned i;

	list_scripts();
	tcase_add_test(tc, test_there_are_enough);
	tcase_add_loop_test(tc, test_header, 0, (int)nnames);
	tcase_add_loop_test(tc, test_solution_reaches_goal, 0, (int)nnames);
	tcase_add_test(tc, test_coverage);
	tcase_add_test(tc, test_titles_and_reference);
	suite_add_tcase(s, tc);
	/* Exhaustive searches: generous, for sanitizer builds. */
	tcase_set_timeout(safe, 300);
	tcase_add_loop_test(safe, test_safe_in_every_interleaving, 0,
			    (int)nnames);
	suite_add_tcase(s, safe);
	rc = test_run_suite(s);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	return rc;
}
