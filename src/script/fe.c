/*
 * fe.c - the front end's plumbing: the arenas everything is allocated in,
 * the one way a compilation fails (a formatted message and a longjmp back
 * to script_parse_buffer), and the texts messages and steps are made of.
 */
#include "config.h"

#include "script/script-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks grow with need; a request larger than a chunk gets its own. */
#define CHUNK_MIN (16u * 1024u)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	const size_t align = sizeof(max_align_t);
	size_t cap;
	void *p;

	n = (n + align - 1) / align * align;
	if (!c || c->cap - c->used < n) {
		cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void
fe_fail_oom(struct fe *fe)
{
	fe->err = -ENOMEM;
	if (fe->msglen)
		snprintf(fe->msg, fe->msglen, "%s: out of memory", fe->file);
	longjmp(fe->fail, 1);
}

void *
fe_alloc(struct fe *fe, struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n ? n : 1);

	if (!p)
		fe_fail_oom(fe);
	return p;
}

char *
fe_strndup(struct fe *fe, struct arena *a, const char *s, size_t n)
{
	char *p = fe_alloc(fe, a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
fe_reserve(struct fe *fe, void **v, unsigned *cap, unsigned want,
	   size_t size)
{
	unsigned ncap;
	void *p;

	if (want <= *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < want)
		ncap *= 2;
	/* The old block stays in the arena until the end: scratch only. */
	p = fe_alloc(fe, &fe->scratch, (size_t)ncap * size);
	if (*cap)
		memcpy(p, *v, (size_t)*cap * size);
	*v = p;
	*cap = ncap;
}

void
fe_fail(struct fe *fe, const struct span *sp, const char *fmt, ...)
{
	va_list ap;
	int n;

	fe->err = -EINVAL;
	if (fe->msglen) {
		n = snprintf(fe->msg, fe->msglen, "%s:%u:%u: ", fe->file,
			     sp->line, sp->col);
		if (n >= 0 && (size_t)n < fe->msglen) {
			va_start(ap, fmt);
			vsnprintf(fe->msg + n, fe->msglen - (size_t)n, fmt,
				  ap);
			va_end(ap);
		}
	}
	longjmp(fe->fail, 1);
}

/* Quote s[0..n) into buf as 'text', cut to about 24 characters; bytes
 * that are not printable ASCII are shown as \xNN. */
static const char *
quote(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0;

	if (size < 8)
		return "";
	buf[o++] = '\'';
	for (i = 0; i < n && o + 6 < size && i < 24; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			snprintf(buf + o, size - o, "\\x%02x", c);
			o += 4;
		}
	}
	if (i < n && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

const char *
fe_found(const struct token *tok, char *buf, size_t n)
{
	switch (tok->kind) {
	case T_EOF:
		return "the end of the file";
	case T_STRING:
		return "a string";
	default:
		return quote(tok->sp.s, (size_t)(tok->sp.e - tok->sp.s), buf,
			     n);
	}
}

const char *
fe_text(const struct span *sp, char *buf, size_t n)
{
	const char *s;
	size_t o = 0;
	bool blank = false;

	if (!n)
		return "";
	for (s = sp->s; s < sp->e; s++) {
		bool ws = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';

		if (ws) {
			blank = o > 0;
			continue;
		}
		if (blank && o + 1 < n)
			buf[o++] = ' ';
		blank = false;
		if (o + 1 >= n)
			break;
		buf[o++] = *s;
	}
	if (s < sp->e && n > 4) {
		/* Cut on a character boundary, then mark the cut. */
		o = o > n - 4 ? n - 4 : o;
		while (o > 0 && ((unsigned char)buf[o] & 0xc0) == 0x80)
			o--;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}
