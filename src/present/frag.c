/*
 * frag.c - styled text fragments and wrapping (frag.h).
 */
#include "config.h"

#include "present/frag.h"

#include <stdlib.h>
#include <string.h>

#include "present/markup.h"

/* UTF-8. */

/* Decode the code point at s (n bytes left): its length, the code point
 * in *cp, or UINT32_MAX in *cp for a byte that starts nothing valid. */
static size_t
utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		c = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and what lies past Unicode. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = UINT32_MAX;
	return 1;
}

/* Columns a code point takes: combining marks and joiners none, East
 * Asian wide characters and emoji two, the rest one. */
static unsigned
cp_width(uint32_t c)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
		{ 0x200b, 0x200f }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
	};
	size_t i;

	/* Below the first combining mark everything is one column. */
	if (c < zero[0][0])
		return 1;
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (c >= zero[i][0] && c <= zero[i][1])
			return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

/* A code point that must not reach the terminal as it is. */
static bool
cp_control(uint32_t c)
{
	return c == UINT32_MAX || c < 0x20 || (c >= 0x7f && c < 0xa0);
}

/* The columns code point c takes on a line (a control byte shows as
 * '?'). */
static unsigned
cols_of(uint32_t c)
{
	return cp_control(c) ? 1 : cp_width(c);
}

/* Where words end. */
static bool
is_break(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

unsigned
frag_width(const char *s, size_t n)
{
	unsigned cols = 0;
	uint32_t c;
	size_t k;

	while (n) {
		k = utf8_next(s, n, &c);
		cols += cols_of(c);
		s += k;
		n -= k;
	}
	return cols;
}

/* Fragments. */

bool
frag_put(struct frag *f, const char *s, size_t n, unsigned style)
{
	return markup_append(&f->m, &f->cap, s, n, style);
}

/* One code point of s (its k bytes), made safe; adds its columns. */
bool
frag_put_cp(struct frag *f, const char *s, size_t k, uint32_t c,
	    unsigned style)
{
	f->cols += cols_of(c);
	if (cp_control(c))
		return frag_put(f, "?", 1, style);
	return frag_put(f, s, k, style);
}

void
frag_free(struct frag *f)
{
	markup_free(&f->m);
	memset(f, 0, sizeof(*f));
}

void
frag_list_free(struct frag_list *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		frag_free(&fs->v[i]);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/* A new empty fragment at the end, or NULL. */
struct frag *
frag_list_new(struct frag_list *fs)
{
	struct frag *v;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 8;
		v = realloc(fs->v, fs->cap * sizeof(*v));
		if (!v)
			return NULL;
		fs->v = v;
	}
	memset(&fs->v[fs->n], 0, sizeof(fs->v[0]));
	return &fs->v[fs->n++];
}

/*
 * Wrap n bytes of styled text at avail columns into fs: greedy at
 * spaces, a newline forces a break, a word wider than a line is broken
 * by characters.  Every byte's style gets base added.  Returns false on
 * ENOMEM.
 */
bool
frag_wrap_text(struct frag_list *fs, const char *s, const unsigned char *st,
	       size_t n, unsigned avail, unsigned base)
{
	struct frag *f = frag_list_new(fs);
	size_t i = 0, j, k, space = SIZE_MAX;
	uint32_t c;
	unsigned w;

	while (f && i < n) {
		if (s[i] == '\n') {
			f = frag_list_new(fs);
			space = SIZE_MAX;
			i++;
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t') {
			if (f->cols)
				space = i;
			i++;
			continue;
		}
		for (j = i; j < n && !is_break(s[j]); j++)
			;
		w = frag_width(s + i, j - i);
		if (f->cols && f->cols + 1 + w > avail) {
			f = frag_list_new(fs);
			space = SIZE_MAX;
			if (!f)
				break;
		}
		if (space != SIZE_MAX && f->cols &&
		    !frag_put_cp(f, " ", 1, ' ', st[space] | base))
			return false;
		space = SIZE_MAX;
		for (; i < j; i += k) {
			k = utf8_next(s + i, j - i, &c);
			if (f->cols && f->cols + cols_of(c) > avail) {
				f = frag_list_new(fs);
				if (!f)
					return false;
			}
			if (!frag_put_cp(f, s + i, k, c, st[i] | base))
				return false;
		}
	}
	return f != NULL;
}

/* Wrap plain text of one style. */
bool
frag_wrap_plain(struct frag_list *fs, const char *s, unsigned avail,
		unsigned style)
{
	size_t n = strlen(s);
	unsigned char *st = malloc(n + 1);
	bool ok;

	if (!st)
		return false;
	memset(st, (int)style, n + 1);
	ok = frag_wrap_text(fs, s, st, n, avail, 0);
	free(st);
	return ok;
}

/* Wrap inline markup. */
bool
frag_wrap_markup(struct frag_list *fs, const char *s, unsigned avail,
		 unsigned base)
{
	struct markup m;
	bool ok;

	if (markup_parse(s, strlen(s), &m))
		return false;
	ok = frag_wrap_text(fs, m.text, m.style, m.len, avail, base);
	markup_free(&m);
	return ok;
}

/* Break n bytes at avail columns, spaces and all (code). */
bool
frag_wrap_hard(struct frag_list *fs, const char *s, size_t n, unsigned avail,
	  unsigned style)
{
	struct frag *f = frag_list_new(fs);
	uint32_t c;
	size_t k;

	while (f && n) {
		k = utf8_next(s, n, &c);
		if (f->cols && f->cols + cols_of(c) > avail)
			f = frag_list_new(fs);
		if (f && !frag_put_cp(f, s, k, c, style))
			return false;
		s += k;
		n -= k;
	}
	return f != NULL;
}

/* Pieces of a line. */

bool
frag_str(struct frag *f, const char *s, unsigned style)
{
	f->cols += frag_width(s, strlen(s));
	return frag_put(f, s, strlen(s), style);
}

bool
frag_spaces(struct frag *f, unsigned n, unsigned style)
{
	while (n--)
		if (!frag_put_cp(f, " ", 1, ' ', style))
			return false;
	return true;
}

/* s repeated to n columns (s is one column wide). */
bool
frag_repeat(struct frag *f, const char *s, unsigned n, unsigned style)
{
	while (n--)
		if (!frag_str(f, s, style))
			return false;
	return true;
}

bool
frag_cat(struct frag *f, const struct frag *g)
{
	size_t at = f->m.len;

	if (!frag_put(f, g->m.text ? g->m.text : "", g->m.len, 0))
		return false;
	if (g->m.len)
		memcpy(f->m.style + at, g->m.style, g->m.len);
	f->cols += g->cols;
	return true;
}

