/*
 * markup.c - Markdown inline markup (markup.h).
 *
 * A small subset of CommonMark's inline rules, chosen for slides: a
 * delimiter opens only before a non-space and closes only after one, an
 * underscore never opens or closes inside a word (snake_case stays), and
 * markup that finds no partner is text.  Emphasis nests by recursion over
 * the span between a delimiter and its partner, so the styles of the
 * outer span are added to those inside.
 */
#include "config.h"

#include "present/markup.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is text: a deck never needs it, a fuzzer
 * would otherwise recurse without end. */
#define MARKUP_MAX_DEPTH 16

struct out {
	struct markup *m;
	size_t cap;
	bool nomem;
};

bool
markup_append(struct markup *m, size_t *cap, const char *s, size_t n,
	      unsigned style)
{
	size_t want = *cap ? *cap : 64;
	char *t;
	unsigned char *st;

	if (m->len + n + 1 > *cap) {
		while (want < m->len + n + 1)
			want *= 2;
		t = realloc(m->text, want);
		if (t)
			m->text = t;
		st = realloc(m->style, want);
		if (st)
			m->style = st;
		if (!t || !st)
			return false;
		*cap = want;
	}
	memcpy(m->text + m->len, s, n);
	memset(m->style + m->len, (int)style, n);
	m->len += n;
	m->text[m->len] = '\0';
	return true;
}

static void
put(struct out *o, const char *s, size_t n, unsigned style)
{
	if (!o->nomem && !markup_append(o->m, &o->cap, s, n, style))
		o->nomem = true;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Length of the run of c starting at s[i]. */
static size_t
run_length(const char *s, size_t n, size_t i, char c)
{
	size_t j = i;

	while (j < n && s[j] == c)
		j++;
	return j - i;
}

/* The closing run of len backticks after i, or n if none. */
static size_t
code_close(const char *s, size_t n, size_t i, size_t len)
{
	size_t r;

	while (i < n) {
		if (s[i] != '`') {
			i++;
			continue;
		}
		r = run_length(s, n, i, '`');
		if (r == len)
			return i;
		i += r;
	}
	return n;
}

/* A code span's content: one space trimmed from each end when both
 * have one (so `` `x` `` can show a backtick), newlines as spaces. */
static void
put_code(struct out *o, const char *s, size_t n, unsigned style)
{
	size_t i;

	if (n >= 2 && s[0] == ' ' && s[n - 1] == ' ') {
		s++;
		n -= 2;
	}
	for (i = 0; i < n; i++)
		put(o, s[i] == '\n' ? " " : &s[i], 1, style | MARKUP_CODE);
}

/*
 * Where the emphasis that opens with len (1 or 2) of c at i closes: the
 * index of the closing delimiter's first byte, or 0 when it does not.
 * A closer is a run of at least len after a non-space; of a longer run
 * the last len close, so that ***x*** is strong around emphasis.
 */
static size_t
emph_close(const char *s, size_t n, size_t i, char c, size_t len)
{
	size_t j = i + len, r, at;

	while (j < n) {
		if (s[j] == '`') {
			/* Code spans are opaque: no closer inside one. */
			r = run_length(s, n, j, '`');
			at = code_close(s, n, j + r, r);
			j = at < n ? at + r : j + r;
			continue;
		}
		if (s[j] == '\\' && j + 1 < n) {
			j += 2;
			continue;
		}
		if (s[j] != c) {
			j++;
			continue;
		}
		r = run_length(s, n, j, c);
		at = j + r - len;
		/* A pair (r == 2) never closes a single: it is strong of
		 * its own, inside this emphasis. */
		if (r >= len && (len == 2 || r != 2) && !is_space(s[j - 1]) &&
		    at > i + len && (c != '_' || j + r >= n ||
				      !isalnum((unsigned char)s[j + r])))
			return at;
		j += r;
	}
	return 0;
}

/* [text](url): on success the index of ')' and the parts, else 0. */
static size_t
link_parts(const char *s, size_t n, size_t i, size_t *text_end,
	   size_t *url, size_t *url_end)
{
	size_t j = i + 1, depth = 1;

	for (; j < n && depth; j++) {
		if (s[j] == '\\')
			j++;
		else if (s[j] == '[')
			depth++;
		else if (s[j] == ']')
			depth--;
	}
	if (depth || j >= n || s[j] != '(')
		return 0;
	*text_end = j - 1;
	*url = j + 1;
	for (j = *url; j < n && s[j] != ')' && s[j] != '\n'; j++)
		;
	if (j >= n || s[j] != ')')
		return 0;
	*url_end = j;
	return j;
}

static void parse(struct out *o, const char *s, size_t n, unsigned style,
		  unsigned depth);

/* An image or a link at s[i] ('!' or '['); returns the bytes used, 0
 * when it is not one. */
static size_t
parse_link(struct out *o, const char *s, size_t n, size_t i, unsigned style,
	   unsigned depth)
{
	bool image = s[i] == '!';
	size_t open = image ? i + 1 : i, text_end, url, url_end, close;

	if (open >= n || s[open] != '[')
		return 0;
	close = link_parts(s, n, open, &text_end, &url, &url_end);
	if (!close)
		return 0;
	if (image) {
		put(o, "[image: ", 8, style | MARKUP_NOTE);
		put(o, s + open + 1, text_end - open - 1, style | MARKUP_NOTE);
		put(o, "]", 1, style | MARKUP_NOTE);
		return close + 1 - i;
	}
	parse(o, s + open + 1, text_end - open - 1, style, depth + 1);
	/* The address only when it says more than the text. */
	if (url_end > url && (url_end - url != text_end - open - 1 ||
			      memcmp(s + url, s + open + 1, url_end - url))) {
		put(o, " (", 2, style | MARKUP_NOTE);
		put(o, s + url, url_end - url, style | MARKUP_NOTE);
		put(o, ")", 1, style | MARKUP_NOTE);
	}
	return close + 1 - i;
}

static void
parse(struct out *o, const char *s, size_t n, unsigned style, unsigned depth)
{
	size_t i = 0, r, at, len;
	const char *end;

	while (i < n && !o->nomem) {
		char c = s[i];

		if (c == '\\' && i + 1 < n &&
		    ispunct((unsigned char)s[i + 1])) {
			put(o, s + i + 1, 1, style);
			i += 2;
		} else if (c == '`') {
			r = run_length(s, n, i, '`');
			at = code_close(s, n, i + r, r);
			if (at == n) {
				put(o, s + i, r, style);
				i += r;
				continue;
			}
			put_code(o, s + i + r, at - i - r, style);
			i = at + r;
		} else if ((c == '*' || c == '_') && depth < MARKUP_MAX_DEPTH) {
			r = run_length(s, n, i, c);
			len = r >= 2 ? 2 : 1;
			at = 0;
			if (i + len < n && !is_space(s[i + len]) &&
			    (c != '_' || i == 0 ||
			     !isalnum((unsigned char)s[i - 1])))
				at = emph_close(s, n, i, c, len);
			if (!at) {
				put(o, s + i, r, style);
				i += r;
				continue;
			}
			parse(o, s + i + len, at - i - len,
			      style | (len == 2 ? MARKUP_STRONG : MARKUP_EMPH),
			      depth + 1);
			i = at + len;
		} else if ((c == '[' || c == '!') && depth < MARKUP_MAX_DEPTH &&
			   (r = parse_link(o, s, n, i, style, depth))) {
			i += r;
		} else if (c == '<' && n - i >= 4 &&
			   !memcmp(s + i, "<!--", 4) &&
			   (end = memmem(s + i + 4, n - i - 4, "-->", 3))) {
			i = (size_t)(end - s) + 3;
		} else {
			put(o, s + i, 1, style);
			i++;
		}
	}
}

int
markup_parse(const char *s, size_t n, struct markup *m)
{
	struct out o = { .m = m };

	memset(m, 0, sizeof(*m));
	put(&o, "", 0, 0);
	parse(&o, s, n, 0, 0);
	if (o.nomem) {
		markup_free(m);
		return -ENOMEM;
	}
	return 0;
}

void
markup_free(struct markup *m)
{
	free(m->text);
	free(m->style);
	memset(m, 0, sizeof(*m));
}

char *
markup_plain(const char *s)
{
	struct markup m;

	if (markup_parse(s, strlen(s), &m))
		return NULL;
	free(m.style);
	return m.text;
}
