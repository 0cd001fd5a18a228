/*
 * schedule.c - schedule files (schedule.h).
 *
 * The reader takes any bytes: lines of any length, any number of steps,
 * and refuses what does not fit with the file and line.  It never trusts
 * a name it prints: a thread name is letters, digits and -_.:[] only, so
 * an error message cannot carry a control byte to the terminal.
 */
#include "config.h"

#include "control/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/target.h"
#include "util/file.h"
#include "util/num.h"

#define MAGIC "lockstep-schedule"

/* A word of a thread's name or a target: printable, no space, no '#'. */
static bool
schedule_word_char(int c)
{
	/* c first: strchr finds the terminating NUL too. */
	return isalnum(c) || (c && strchr("-_.:[]/=+,@", c));
}

/* The next line of buf[*pos..len): its start and length without the
 * newline or a comment, trimmed; *lead: the blanks trimmed before it. */
static bool
schedule_next_line(const char *buf, size_t len, size_t *pos,
		   const char **line, size_t *n, size_t *lead)
{
	size_t begin = *pos, start = *pos, end, i;

	if (start >= len)
		return false;
	for (end = start; end < len && buf[end] != '\n'; end++)
		;
	*pos = end < len ? end + 1 : end;
	for (i = start; i < end && buf[i] != '#'; i++)
		;
	end = i;
	while (start < end && isspace((unsigned char)buf[start]))
		start++;
	while (end > start && isspace((unsigned char)buf[end - 1]))
		end--;
	*line = buf + start;
	*n = end - start;
	*lead = start - begin;
	return true;
}

static int
schedule_add(struct schedule *s, const char *name, size_t len,
	     unsigned line)
{
	struct schedule_step *st;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		st = realloc(s->steps, cap * sizeof(*st));
		if (!st)
			return -ENOMEM;
		s->steps = st;
		s->cap = cap;
	}
	st = &s->steps[s->n++];
	memcpy(st->thread, name, len);
	st->thread[len] = '\0';
	st->line = line;
	return 0;
}

/* Does line[0..n) start with word followed by a space? */
static bool
schedule_keyword(const char *line, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n > w && !memcmp(line, word, w) &&
	       isspace((unsigned char)line[w]);
}

int
schedule_parse(const char *buf, size_t len, const char *name,
	       struct schedule *s, char *err, size_t n)
{
	const char *line;
	size_t ln, pos = 0, i, lead;
	unsigned lineno = 0;
	bool have_version = false;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->file, sizeof(s->file), "%s", name);
	while (!rc && schedule_next_line(buf, len, &pos, &line, &ln,
						  &lead)) {
		lineno++;
		if (!ln)
			continue;
		if (!have_version) {
			char want[32];

			snprintf(want, sizeof(want), "%s %d", MAGIC,
				 SCHEDULE_VERSION);
			if (ln != strlen(want) || memcmp(line, want, ln)) {
				snprintf(err, n, "%s:%u: not a schedule: the "
					 "first line must be '%s'", s->file,
					 lineno, want);
				rc = -EINVAL;
			}
			have_version = true;
			continue;
		}
		if (schedule_keyword(line, ln, "target")) {
			if (s->target) {
				snprintf(err, n, "%s:%u: a second target line",
					 s->file, lineno);
				rc = -EINVAL;
				break;
			}
			for (i = 6; i < ln; i++)
				if (!isspace((unsigned char)line[i]) &&
				    !schedule_word_char((unsigned char)line[i]))
					break;
			if (i < ln) {
				snprintf(err, n, "%s:%u: the target has a "
					 "character that is not allowed at "
					 "column %zu", s->file, lineno,
					 lead + i + 1);
				rc = -EINVAL;
				break;
			}
			s->target = strndup(line + 7, ln - 7);
			if (!s->target)
				rc = -ENOMEM;
			s->target_line = lineno;
			continue;
		}
		if (schedule_keyword(line, ln, "seed")) {
			unsigned long long seed;
			char num[32];

			if (ln - 5 >= sizeof(num)) {
				snprintf(err, n, "%s:%u: the seed is too "
					 "long", s->file, lineno);
				rc = -EINVAL;
				break;
			}
			memcpy(num, line + 5, ln - 5);
			num[ln - 5] = '\0';
			if (num_parse_uint(num, 1, UINT64_MAX, &seed)) {
				snprintf(err, n, "%s:%u: the seed must be a "
					 "positive integer", s->file, lineno);
				rc = -EINVAL;
			} else {
				s->seed = seed;
			}
			continue;
		}
		if (!s->target) {
			snprintf(err, n, "%s:%u: a step before the target "
				 "line", s->file, lineno);
			rc = -EINVAL;
			break;
		}
		for (i = 0; i < ln; i++)
			if (!schedule_word_char((unsigned char)line[i]))
				break;
		if (i < ln || ln > LS_NAME_MAX) {
			snprintf(err, n, "%s:%u: a step is one thread name "
				 "(letters, digits, -_.:[], at most %d)",
				 s->file, lineno, LS_NAME_MAX);
			rc = -EINVAL;
			break;
		}
		rc = schedule_add(s, line, ln, lineno);
	}
	if (!rc && !have_version) {
		snprintf(err, n, "%s: empty: not a schedule", s->file);
		rc = -EINVAL;
	} else if (!rc && !s->target) {
		snprintf(err, n, "%s:%u: no target line", s->file, lineno);
		rc = -EINVAL;
	}
	if (rc == -ENOMEM)
		snprintf(err, n, "%s: out of memory", s->file);
	if (rc)
		schedule_free(s);
	return rc;
}

int
schedule_load(const char *path, struct schedule *s, char *err, size_t n)
{
	char *buf;
	size_t len;
	int rc = file_read(path, SIZE_MAX / 2, &buf, &len, err, n);

	if (!rc)
		rc = schedule_parse(buf, len, path, s, err, n);
	free(buf);
	return rc;
}

void
schedule_free(struct schedule *s)
{
	free(s->target);
	free(s->steps);
	s->target = NULL;
	s->steps = NULL;
	s->n = s->cap = 0;
}

int
schedule_from_steps(struct schedule *s, const char *name,
		    const struct control_target *t, uint64_t seed,
		    const struct control_step *steps, size_t n)
{
	char target[512];
	size_t k;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->file, sizeof(s->file), "%s", name);
	s->target = strdup(target_describe(t, target, sizeof(target)));
	s->target_line = 2;
	s->seed = seed;
	if (!s->target)
		rc = -ENOMEM;
	for (k = 0; !rc && k < n; k++)
		rc = schedule_add(s, steps[k].thread, strlen(steps[k].thread),
				  (unsigned)k + 4);
	if (rc)
		schedule_free(s);
	return rc;
}

int
schedule_target(const struct schedule *s, struct control_target *t,
		char *err, size_t n)
{
	char why[256], *words = strdup(s->target), *w, *save = NULL;
	int rc;

	if (!words) {
		snprintf(err, n, "%s: out of memory", s->file);
		return -ENOMEM;
	}
	w = strtok_r(words, " \t", &save);
	rc = w ? target_resolve(w, t, why, sizeof(why)) : -EINVAL;
	if (!w)
		snprintf(why, sizeof(why), "the target line names nothing");
	while (!rc && (w = strtok_r(NULL, " \t", &save)))
		rc = target_set(t, w, why, sizeof(why));
	if (rc) {
		snprintf(err, n, "%s:%u: %s", s->file, s->target_line, why);
		target_free(t);
	}
	free(words);
	return rc;
}

int
schedule_replay(struct control *c, const struct schedule *s, size_t from,
		size_t upto, uint64_t timeout_ns, char *err, size_t n)
{
	char why[256];
	size_t k;
	int rc;

	if (upto > s->n)
		upto = s->n;
	for (k = from; k < upto; k++) {
		rc = control_step_named(c, s->steps[k].thread, timeout_ns, why,
					sizeof(why));
		if (rc == -ETIMEDOUT)
			snprintf(why, sizeof(why), "the step of %s did not "
				 "come to rest within %.0f s",
				 s->steps[k].thread, (double)timeout_ns / 1e9);
		if (rc) {
			snprintf(err, n, "%s:%u: %s", s->file,
				 s->steps[k].line, why);
			return rc == -ECANCELED ? rc : -EINVAL;
		}
	}
	return 0;
}

int
schedule_write_steps(FILE *f, const struct control_target *t, uint64_t seed,
		     const struct control_step *steps, size_t nsteps)
{
	char target[512];
	size_t k;

	fprintf(f, "%s %d\ntarget %s\nseed %llu\n", MAGIC, SCHEDULE_VERSION,
		target_describe(t, target, sizeof(target)),
		(unsigned long long)seed);
	for (k = 0; k < nsteps; k++)
		fprintf(f, "%-16s # %s%s\n", steps[k].thread,
			steps[k].timeout ? "times out: " : "", steps[k].what);
	return ferror(f) ? -EIO : 0;
}

int
schedule_write(const struct control *c, FILE *f)
{
	return schedule_write_steps(f, &c->target, c->seed, c->steps,
				    c->nsteps);
}

int
schedule_save_steps(const char *path, const struct control_target *t,
		    uint64_t seed, const struct control_step *steps,
		    size_t nsteps, char *err, size_t n)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, n, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = schedule_write_steps(f, t, seed, steps, nsteps);
	if (fclose(f) && !rc)
		rc = -errno;
	if (rc)
		snprintf(err, n, "%s: %s", path, strerror(-rc));
	return rc;
}

int
schedule_save(const struct control *c, const char *path, char *err,
	      size_t n)
{
	return schedule_save_steps(path, &c->target, c->seed, c->steps,
				   c->nsteps, err, n);
}
