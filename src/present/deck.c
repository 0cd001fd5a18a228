/*
 * deck.c - read a Markdown deck into slides (deck.h).
 *
 * One pass over the lines, a small state machine: inside a fenced block,
 * inside a multi-line comment, skipping an HTML block, or between blocks,
 * where each line is classified (blank, thematic break, setext underline,
 * comment, fence, heading, table, list item, HTML, text).  A paragraph is
 * gathered until a blank line or another block; a list item takes its
 * continuation lines.  Comments carry the directives (pause, end_slide,
 * speaker notes...).  Front matter and `lockstep` blocks are read by
 * frontmatter.c and liveblock.c.
 */
#include "config.h"

#include "present/deck.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "present/deck-int.h"
#include "present/markup.h"
#include "util/file.h"

static const char *const mode_names[DECK_MODE_COUNT] = {
	[DECK_MODE_RUN] = "run",
	[DECK_MODE_PAUSED] = "paused",
	[DECK_MODE_STEP] = "step",
	[DECK_MODE_REPLAY] = "replay",
};

const char *
deck_mode_name(unsigned mode)
{
	return mode < DECK_MODE_COUNT ? mode_names[mode] : NULL;
}

/* Helpers shared through deck-int.h. */

int
deck_fail(struct deck_parser *p, unsigned line, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errn, "%s:%u: %s", p->fname, line, what);
	return -EINVAL;
}

int
deck_nomem(struct deck_parser *p)
{
	snprintf(p->err, p->errn, "%s: out of memory", p->fname);
	return -ENOMEM;
}

int
deck_warn(struct deck_parser *p, unsigned line, const char *fmt, ...)
{
	struct deck *d = p->d;
	struct deck_warning *w;
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	w = realloc(d->warnings, (d->nwarnings + 1) * sizeof(*w));
	if (!w)
		return deck_nomem(p);
	d->warnings = w;
	w[d->nwarnings].line = line;
	w[d->nwarnings].what = strdup(what);
	if (!w[d->nwarnings].what)
		return deck_nomem(p);
	d->nwarnings++;
	return 0;
}

int
deck_buf_add(struct deck_buf *b, const char *s, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	char *t;

	if (b->len + n + 1 > b->cap) {
		while (cap < b->len + n + 1)
			cap *= 2;
		t = realloc(b->s, cap);
		if (!t)
			return -ENOMEM;
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

char *
deck_buf_take(struct deck_buf *b)
{
	char *s = b->s ? b->s : strdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
deck_buf_free(struct deck_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *
deck_strndup(const char *s, size_t n)
{
	char *t = malloc(n + 1);

	if (t) {
		memcpy(t, s, n);
		t[n] = '\0';
	}
	return t;
}

const char *
deck_trim(const char *s, size_t *n)
{
	while (*n && isspace((unsigned char)*s)) {
		s++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

char *
deck_resolve(struct deck_parser *p, const char *path)
{
	size_t dl = strlen(p->dir), pl = strlen(path);
	char *r;

	if (path[0] == '/' || !dl)
		return strdup(path);
	r = malloc(dl + pl + 2);
	if (r) {
		memcpy(r, p->dir, dl);
		r[dl] = '/';
		memcpy(r + dl + 1, path, pl + 1);
	}
	return r;
}

/* Slides and blocks. */

struct deck_slide *
deck_cur_slide(struct deck_parser *p)
{
	return &p->d->slides[p->d->nslides - 1];
}

int
deck_slide_begin(struct deck_parser *p)
{
	struct deck *d = p->d;
	struct deck_slide *s;

	if (p->slide_open)
		return 0;
	s = realloc(d->slides, (d->nslides + 1) * sizeof(*s));
	if (!s)
		return deck_nomem(p);
	d->slides = s;
	memset(&s[d->nslides], 0, sizeof(*s));
	s[d->nslides].line = p->line;
	d->nslides++;
	p->slide_open = true;
	p->skip_slide = false;
	return 0;
}

/* A new block of kind on the current slide (opened if need be), or NULL
 * with the error set.  The pointer lasts until the next block. */
struct deck_block *
deck_block_add(struct deck_parser *p, unsigned kind, unsigned line)
{
	struct deck_slide *s;
	struct deck_block *b;

	if (deck_slide_begin(p))
		return NULL;
	s = deck_cur_slide(p);
	b = realloc(s->blocks, (s->nblocks + 1) * sizeof(*b));
	if (!b) {
		deck_nomem(p);
		return NULL;
	}
	s->blocks = b;
	b = &b[s->nblocks++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->line = line;
	return b;
}

static void
block_free(struct deck_block *b)
{
	unsigned i;

	free(b->text);
	free(b->info);
	if (b->table.cells)
		for (i = 0; i < b->table.ncols * b->table.nrows; i++)
			free(b->table.cells[i]);
	free(b->table.cells);
	free(b->table.align);
	liveblock_free(b->scene);
}

static void
slide_free(struct deck_slide *s)
{
	unsigned i;

	for (i = 0; i < s->nblocks; i++)
		block_free(&s->blocks[i]);
	free(s->blocks);
	free(s->title);
	free(s->notes);
}

/* The open paragraph becomes a block. */
int
deck_para_flush(struct deck_parser *p)
{
	struct deck_block *b;

	if (!p->para_open)
		return 0;
	p->para_open = false;
	b = deck_block_add(p, DECK_PARAGRAPH, p->para_line);
	if (!b)
		return -ENOMEM;
	b->text = deck_buf_take(&p->para);
	return b->text ? 0 : deck_nomem(p);
}

void
deck_list_close(struct deck_parser *p)
{
	p->item = -1;
	p->depth = 0;
}

/* Close what is open, then the slide: a slide with nothing on it, or
 * marked skip_slide, is dropped. */
int
deck_slide_end(struct deck_parser *p)
{
	struct deck *d = p->d;
	struct deck_slide *s;
	bool after_scene = false;
	unsigned i;
	int rc = deck_para_flush(p);

	deck_list_close(p);
	if (rc || !p->slide_open)
		return rc;
	p->slide_open = false;
	s = deck_cur_slide(p);
	if ((!s->nblocks && !s->notes) || p->skip_slide) {
		slide_free(s);
		d->nslides--;
		return 0;
	}
	for (i = 0; i < s->nblocks && !rc; i++) {
		struct deck_block *b = &s->blocks[i];

		if (b->kind == DECK_HEADING && !s->title) {
			s->title = markup_plain(b->text);
			if (!s->title)
				return deck_nomem(p);
		}
		if (after_scene && b->kind != DECK_PAUSE &&
		    b->kind != DECK_BLANK)
			rc = deck_warn(p, b->line, "not shown: the live scene "
				       "on line %u takes the rest of the slide",
				       s->scene->line);
		if (b->kind == DECK_PAUSE && !after_scene)
			s->pauses++;
		if (b->kind == DECK_SCENE) {
			s->scene = b->scene;
			after_scene = true;
		}
	}
	return rc;
}

/* Notes: each speaker_note adds lines. */
int
deck_notes_add(struct deck_parser *p, const char *text)
{
	struct deck_slide *s;
	size_t old, add = strlen(text);
	char *n;

	if (!add)
		return 0;
	if (deck_slide_begin(p))
		return -ENOMEM;
	s = deck_cur_slide(p);
	old = s->notes ? strlen(s->notes) : 0;
	n = realloc(s->notes, old + add + 2);
	if (!n)
		return deck_nomem(p);
	if (old)
		n[old++] = '\n';
	memcpy(n + old, text, add + 1);
	s->notes = n;
	return 0;
}


/* One line between blocks, or inside one; *used gets the lines taken. */
static int
parse_line(struct deck_parser *p, unsigned idx, unsigned *used)
{
	const char *s = p->lines[idx].s, *t, *h;
	size_t n = p->lines[idx].n, indent = 0, tn = n, hn, at;
	bool blank_before = p->after_blank, ordered;
	unsigned level, number;
	char c;
	int rc;

	*used = 1;
	if (p->in_fence)
		return blocks_fence_line(p, s, n);
	if (p->in_comment)
		return directive_line(p, s, n);
	for (at = 0; at < n && (s[at] == ' ' || s[at] == '\t'); at++)
		indent = s[at] == '\t' ? (indent + 4) & ~(size_t)3 : indent + 1;
	t = deck_trim(s, &tn);
	if (!tn) {
		p->after_blank = true;
		p->in_html = false;
		return deck_para_flush(p);
	}
	if (p->in_html)
		return 0;
	p->after_blank = false;
	if (indent < 4 && blocks_thematic_break(t, tn, &c)) {
		if (c == '-' && p->para_open)
			return blocks_setext(p, 2);
		return deck_slide_end(p);
	}
	if (p->para_open && blocks_setext_equals(t, tn))
		return blocks_setext(p, 1);
	if (tn >= 4 && !memcmp(t, "<!--", 4))
		return deck_para_flush(p) ? -ENOMEM : directive_start(p, t, tn);
	if (blocks_fence_open(t, tn, &c, &hn))
		return blocks_fence_begin(p, t, tn, indent);
	if ((level = blocks_atx_heading(t, tn, &h, &hn))) {
		if (deck_para_flush(p))
			return -ENOMEM;
		deck_list_close(p);
		return blocks_heading_add(p, level, h, hn, p->line);
	}
	if (!p->para_open) {
		rc = blocks_table(p, idx, used);
		if (rc || *used)
			return rc;
		*used = 1;
	}
	if ((at = blocks_list_marker(t, tn, &ordered, &number)))
		return blocks_item_begin(p, t, tn, at, indent, ordered, number);
	if (!p->para_open && blocks_html_start(t, tn))
		return blocks_html(p);
	return blocks_text_line(p, t, tn, indent, blank_before);
}

/* Split text into lines; a NUL byte is refused. */
static int
split_lines(struct deck_parser *p, const char *text, size_t len)
{
	size_t pos = 0, cap = 0, n;
	struct deck_line *l;
	const char *nl;

	while (pos < len) {
		if (p->nlines == cap) {
			cap = cap ? cap * 2 : 256;
			l = realloc(p->lines, cap * sizeof(*l));
			if (!l)
				return deck_nomem(p);
			p->lines = l;
		}
		nl = memchr(text + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		if (memchr(text + pos, '\0', n))
			return deck_fail(p, p->nlines + 1, "a NUL byte: this "
					 "is not a text file");
		p->lines[p->nlines].s = text + pos;
		p->lines[p->nlines].n = n && text[pos + n - 1] == '\r' ? n - 1
									: n;
		p->nlines++;
		pos += n + (nl != NULL);
	}
	return 0;
}

static bool
line_is(const struct deck_line *l, const char *what)
{
	size_t n = l->n;
	const char *s = deck_trim(l->s, &n);

	return n == strlen(what) && !memcmp(s, what, n);
}

static int
parse_all(struct deck_parser *p, const char *text, size_t len)
{
	unsigned i = 0, used, close;
	int rc;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		len -= 3;
	}
	rc = split_lines(p, text, len);
	if (rc)
		return rc;
	if (p->nlines && line_is(&p->lines[0], "---")) {
		for (close = 1; close < p->nlines; close++)
			if (line_is(&p->lines[close], "---") ||
			    line_is(&p->lines[close], "..."))
				break;
		if (close == p->nlines)
			return deck_fail(p, 1, "front matter opened here is "
					 "never closed (no '---' line after "
					 "it)");
		rc = frontmatter_parse(p, 1, close);
		i = close + 1;
	}
	for (; i < p->nlines && !rc; i += used) {
		p->line = i + 1;
		rc = parse_line(p, i, &used);
	}
	if (rc)
		return rc;
	if (p->in_fence)
		return deck_fail(p, p->fence_line, "%s block opened here is "
				 "never closed",
				 blocks_is_lockstep(p->fence_info) ? "lockstep"
								 : "code");
	if (p->in_comment)
		return deck_fail(p, p->comment_line, "comment opened here is "
				 "never closed (no '-->')");
	rc = deck_slide_end(p);
	if (!rc && !p->d->nslides)
		return deck_fail(p, p->nlines ? p->nlines : 1,
				 "the deck has no slides");
	return rc;
}

int
deck_parse(const char *text, size_t len, const char *path, struct deck **out,
	   char *err, size_t n)
{
	struct deck_parser p = {
		.fname = path, .err = err, .errn = n, .item = -1,
	};
	const char *slash = strrchr(path, '/');
	int rc = -ENOMEM;

	*out = NULL;
	p.d = calloc(1, sizeof(*p.d));
	if (!p.d)
		goto fail;
	p.d->path = strdup(path);
	p.dir = slash ? deck_strndup(path, slash == path ? 1
				     : (size_t)(slash - path)) : strdup("");
	if (!p.d->path || !p.dir)
		goto fail;
	if (len > DECK_MAX_BYTES) {
		rc = deck_fail(&p, 1, "%zu bytes is too big for a deck (at "
			       "most %u)", len, DECK_MAX_BYTES);
		goto fail;
	}
	rc = parse_all(&p, text, len);
	if (rc)
		goto fail;
	*out = p.d;
	p.d = NULL;
	if (n)
		err[0] = '\0';
fail:
	if (rc == -ENOMEM)
		deck_nomem(&p);
	deck_free(p.d);
	free(p.dir);
	free(p.lines);
	free(p.fence_info);
	deck_buf_free(&p.para);
	deck_buf_free(&p.fence);
	deck_buf_free(&p.comment);
	return rc;
}

int
deck_open(const char *path, struct deck **out, char *err, size_t n)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	/* One byte past the limit is enough to refuse the file. */
	rc = file_read(path, DECK_MAX_BYTES + 1, &buf, &len, err, n);
	if (rc)
		return rc;
	rc = deck_parse(buf, len, path, out, err, n);
	free(buf);
	return rc;
}

void
deck_free(struct deck *d)
{
	unsigned i;

	if (!d)
		return;
	for (i = 0; i < d->nslides; i++)
		slide_free(&d->slides[i]);
	for (i = 0; i < d->nwarnings; i++)
		free(d->warnings[i].what);
	free(d->slides);
	free(d->warnings);
	free(d->path);
	free(d->title);
	free(d->author);
	free(d->theme);
	free(d);
}
