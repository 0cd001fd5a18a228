/*
 * blocks.c - the block structure of a deck's slides: fenced code (and
 * the `lockstep` blocks among them), headings (ATX and setext), thematic
 * breaks, pipe tables, list items, HTML blocks and paragraph text.  deck.c
 * classifies each line and calls these.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "present/deck-int.h"

/* Whether s opens a fence: ``` or ~~~, three or more. */
bool
blocks_fence_open(const char *s, size_t n, char *c, size_t *len)
{
	size_t k = 0;

	if (n < 3 || (s[0] != '`' && s[0] != '~'))
		return false;
	while (k < n && s[k] == s[0])
		k++;
	if (k < 3)
		return false;
	/* A backtick fence's info string has no backtick. */
	if (s[0] == '`' && memchr(s + k, '`', n - k))
		return false;
	*c = s[0];
	*len = k;
	return true;
}

int
blocks_fence_begin(struct deck_parser *p, const char *s, size_t n,
		   size_t indent)
{
	const char *info;
	size_t in;

	if (deck_para_flush(p))
		return -ENOMEM;
	/* A fence under a list item belongs to it; any other ends it. */
	if (!indent)
		deck_list_close(p);
	blocks_fence_open(s, n, &p->fence_char, &p->fence_len);
	in = n - p->fence_len;
	info = deck_trim(s + p->fence_len, &in);
	p->fence_info = in ? deck_strndup(info, in) : NULL;
	if (in && !p->fence_info)
		return deck_nomem(p);
	p->in_fence = true;
	p->fence_indent = indent;
	p->fence_line = p->line;
	return 0;
}

/* Whether the info string's first word is `lockstep`. */
bool
blocks_is_lockstep(const char *info)
{
	return info && !strncmp(info, "lockstep", 8) &&
	       (!info[8] || isspace((unsigned char)info[8]));
}

/* The line of the live scene already on the slide being read, or 0. */
static unsigned
scene_on_slide(struct deck_parser *p)
{
	const struct deck_slide *s;
	unsigned i;

	if (!p->slide_open)
		return 0;
	s = deck_cur_slide(p);
	for (i = 0; i < s->nblocks; i++)
		if (s->blocks[i].kind == DECK_SCENE)
			return s->blocks[i].line;
	return 0;
}

static int
fence_end(struct deck_parser *p)
{
	struct deck_block *b;
	struct deck_scene *scene = NULL;
	char *text = deck_buf_take(&p->fence);
	unsigned line;
	int rc = 0;

	p->in_fence = false;
	if (!text)
		return deck_nomem(p);
	if (*text && text[strlen(text) - 1] == '\n')
		text[strlen(text) - 1] = '\0';
	if (blocks_is_lockstep(p->fence_info)) {
		rc = liveblock_parse(p, p->fence_line, text, &scene);
		free(text);
		text = NULL;
		if (!rc && (line = scene_on_slide(p)))
			rc = deck_fail(p, p->fence_line, "a slide shows one "
				       "live scene; this one already has the "
				       "scene on line %u", line);
	}
	b = rc ? NULL : deck_block_add(p, scene ? DECK_SCENE : DECK_CODE,
				       p->fence_line);
	if (!b) {
		free(text);
		liveblock_free(scene);
		free(p->fence_info);
		p->fence_info = NULL;
		return rc ? rc : -ENOMEM;
	}
	b->scene = scene;
	b->text = text;
	b->info = p->fence_info;
	b->level = p->fence_indent && p->item >= 0 ? p->depth : 0;
	p->fence_info = NULL;
	return 0;
}

int
blocks_fence_line(struct deck_parser *p, const char *s, size_t n)
{
	size_t k = 0, len, rest;
	char c;

	while (k < n && k < 3 + p->fence_indent && s[k] == ' ')
		k++;
	if (blocks_fence_open(s + k, n - k, &c, &len) && c == p->fence_char &&
	    len >= p->fence_len) {
		rest = n - k - len;
		deck_trim(s + k + len, &rest);
		if (!rest)
			return fence_end(p);
	}
	/* The fence's own indentation is not part of the code. */
	for (k = 0; k < n && k < p->fence_indent && s[k] == ' '; k++)
		;
	if (deck_buf_add(&p->fence, s + k, n - k) ||
	    deck_buf_add(&p->fence, "\n", 1))
		return deck_nomem(p);
	return 0;
}

/* Headings. */

/* An ATX heading: its level, and its text in *t, *tn; 0 if none. */
unsigned
blocks_atx_heading(const char *s, size_t n, const char **t, size_t *tn)
{
	size_t level = 0, end;

	while (level < n && s[level] == '#')
		level++;
	if (!level || level > 6 || (level < n && s[level] != ' ' &&
				    s[level] != '\t'))
		return 0;
	end = n;
	/* A closing run of # after a space is not text. */
	while (end > level && s[end - 1] == '#')
		end--;
	if (end < n && end > level && s[end - 1] != ' ' && s[end - 1] != '\t')
		end = n;
	*tn = end - level;
	*t = deck_trim(s + level, tn);
	return (unsigned)level;
}

int
blocks_heading_add(struct deck_parser *p, unsigned level, const char *t,
		   size_t n, unsigned line)
{
	struct deck_block *b = deck_block_add(p, DECK_HEADING, line);

	if (!b)
		return -ENOMEM;
	b->level = level;
	b->text = deck_strndup(t, n);
	return b->text ? 0 : deck_nomem(p);
}

/* A thematic break: three or more of one of - * _ and nothing else. */
bool
blocks_thematic_break(const char *s, size_t n, char *c)
{
	size_t k = 0;

	if (n < 3 || (s[0] != '-' && s[0] != '*' && s[0] != '_'))
		return false;
	while (k < n && s[k] == s[0])
		k++;
	*c = s[0];
	return k == n;
}

bool
blocks_setext_equals(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && s[k] == '=')
		k++;
	return n && k == n;
}

/* The open paragraph, underlined, becomes a heading. */
int
blocks_setext(struct deck_parser *p, unsigned level)
{
	char *text = deck_buf_take(&p->para);
	int rc;

	p->para_open = false;
	if (!text)
		return deck_nomem(p);
	rc = blocks_heading_add(p, level, text, strlen(text), p->para_line);
	free(text);
	return rc;
}

/* Tables (GitHub's pipe tables). */

/* Split a table row into cells (unescaped '|'); outer pipes are
 * optional.  Returns the count, cells point into s. */
static unsigned
row_cells(const char *s, size_t n, struct deck_line *cells, unsigned max)
{
	unsigned count = 0;
	size_t i, start;

	s = deck_trim(s, &n);
	if (n && s[0] == '|') {
		s++;
		n--;
	}
	if (n && s[n - 1] == '|' && (n < 2 || s[n - 2] != '\\'))
		n--;
	for (i = 0, start = 0; i <= n; i++) {
		if (i < n && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < n && s[i] != '|')
			continue;
		if (count < max) {
			cells[count].n = i - start;
			cells[count].s = deck_trim(s + start, &cells[count].n);
		}
		count++;
		start = i + 1;
	}
	return count;
}

#define DECK_MAX_COLS 32

/* A delimiter row (|---|:-:|) of ncols cells; the alignments into align. */
static bool
table_delimiter(const char *s, size_t n, unsigned ncols, unsigned char *align)
{
	struct deck_line c[DECK_MAX_COLS];
	unsigned count = row_cells(s, n, c, DECK_MAX_COLS), i;
	size_t k;

	if (count != ncols || !memchr(s, '-', n))
		return false;
	for (i = 0; i < count; i++) {
		bool left = c[i].n && c[i].s[0] == ':';
		bool right = c[i].n > 1 && c[i].s[c[i].n - 1] == ':';

		for (k = left; k < c[i].n - right; k++)
			if (c[i].s[k] != '-')
				return false;
		if (c[i].n - left - right == 0)
			return false;
		align[i] = left && right ? DECK_ALIGN_CENTER
			   : right ? DECK_ALIGN_RIGHT : DECK_ALIGN_LEFT;
	}
	return true;
}

/*
 * A table whose header is lines[at]: if lines[at + 1] is its delimiter
 * row, read it and its rows; *used gets the lines taken (0: no table).
 */
int
blocks_table(struct deck_parser *p, unsigned at, unsigned *used)
{
	const struct deck_line *l = &p->lines[at];
	struct deck_line c[DECK_MAX_COLS];
	unsigned char align[DECK_MAX_COLS];
	unsigned ncols, nrows = 1, r, i, k;
	struct deck_block *b;

	*used = 0;
	ncols = row_cells(l->s, l->n, c, DECK_MAX_COLS);
	if (!memchr(l->s, '|', l->n) || at + 1 >= p->nlines ||
	    ncols > DECK_MAX_COLS ||
	    !table_delimiter(p->lines[at + 1].s, p->lines[at + 1].n, ncols,
			     align))
		return 0;
	for (r = at + 2; r < p->nlines; r++) {
		size_t n = p->lines[r].n;

		deck_trim(p->lines[r].s, &n);
		if (!n || !memchr(p->lines[r].s, '|', p->lines[r].n))
			break;
		nrows++;
	}
	if (deck_para_flush(p))
		return -ENOMEM;
	deck_list_close(p);
	b = deck_block_add(p, DECK_TABLE, at + 1);
	if (!b)
		return -ENOMEM;
	b->table.ncols = ncols;
	b->table.nrows = nrows;
	b->table.cells = calloc((size_t)ncols * nrows, sizeof(char *));
	b->table.align = malloc(ncols);
	if (!b->table.cells || !b->table.align)
		return deck_nomem(p);
	memcpy(b->table.align, align, ncols);
	for (r = 0; r < nrows; r++) {
		l = &p->lines[r ? at + 1 + r : at];
		k = row_cells(l->s, l->n, c, DECK_MAX_COLS);
		for (i = 0; i < ncols; i++) {
			b->table.cells[r * ncols + i] =
				i < k ? deck_strndup(c[i].s, c[i].n)
				      : strdup("");
			if (!b->table.cells[r * ncols + i])
				return deck_nomem(p);
		}
	}
	*used = nrows + 1;
	return 0;
}

/* Lists. */

/* A list marker at s: the offset of the item's text, or 0 if none. */
size_t
blocks_list_marker(const char *s, size_t n, bool *ordered, unsigned *number)
{
	size_t k = 0;

	if ((s[0] == '-' || s[0] == '*' || s[0] == '+') &&
	    (n == 1 || s[1] == ' ' || s[1] == '\t')) {
		*ordered = false;
		return 1;
	}
	*number = 0;
	while (k < n && k < 9 && isdigit((unsigned char)s[k]))
		*number = *number * 10 + (unsigned)(s[k++] - '0');
	if (!k || k >= n || (s[k] != '.' && s[k] != ')') ||
	    (k + 1 < n && s[k + 1] != ' ' && s[k + 1] != '\t'))
		return 0;
	*ordered = true;
	return k + 1;
}

int
blocks_item_begin(struct deck_parser *p, const char *s, size_t n, size_t at,
	   size_t indent, bool ordered, unsigned number)
{
	struct deck_block *b;

	if (deck_para_flush(p))
		return -ENOMEM;
	while (p->depth && indent < p->indents[p->depth - 1])
		p->depth--;
	if (!p->depth || indent > p->indents[p->depth - 1]) {
		if (p->depth < DECK_MAX_DEPTH)
			p->depth++;
		p->indents[p->depth - 1] = (unsigned)indent;
	}
	/* incremental_lists: each item after the first waits for a key. */
	if (p->incremental && p->item >= 0 &&
	    !deck_block_add(p, DECK_PAUSE, p->line))
		return -ENOMEM;
	b = deck_block_add(p, DECK_ITEM, p->line);
	if (!b)
		return -ENOMEM;
	b->level = p->depth - 1;
	b->ordered = ordered;
	b->number = number;
	n -= at;
	s = deck_trim(s + at, &n);
	b->text = deck_strndup(s, n);
	if (!b->text)
		return deck_nomem(p);
	p->item = (int)(deck_cur_slide(p)->nblocks - 1);
	return 0;
}

/* Text goes on: into the open item, or into a paragraph. */
int
blocks_text_line(struct deck_parser *p, const char *s, size_t n, size_t indent,
	  bool blank_before)
{
	const struct deck_line *prev = p->line >= 2 ? &p->lines[p->line - 2]
					: NULL;
	/* A line ending in two spaces or a backslash breaks the line. */
	bool hard = prev && ((prev->n >= 2 && prev->s[prev->n - 1] == ' ' &&
			      prev->s[prev->n - 2] == ' ') ||
			     (prev->n && prev->s[prev->n - 1] == '\\'));
	struct deck_block *b;
	struct deck_buf t = { 0 };
	int rc;

	if (p->item >= 0 && (!blank_before || indent >= 2)) {
		b = &deck_cur_slide(p)->blocks[p->item];
		t.s = b->text;
		t.len = t.cap = strlen(b->text);
		if (hard && t.len && t.s[t.len - 1] == '\\')
			t.len--;
		rc = deck_buf_add(&t, blank_before || hard ? "\n" : " ", 1);
		if (!rc)
			rc = deck_buf_add(&t, s, n);
		b->text = t.s;
		return rc ? deck_nomem(p) : 0;
	}
	if (p->item >= 0)
		deck_list_close(p);
	if (!p->para_open) {
		p->para_open = true;
		p->para_line = p->line;
		rc = 0;
	} else {
		if (hard && p->para.len && p->para.s[p->para.len - 1] == '\\')
			p->para.len--;
		rc = deck_buf_add(&p->para, hard ? "\n" : " ", 1);
	}
	if (!rc)
		rc = deck_buf_add(&p->para, s, n);
	return rc ? deck_nomem(p) : 0;
}

/* An HTML tag at the start of a line: an HTML block. */
bool
blocks_html_start(const char *s, size_t n)
{
	size_t k = 1;

	if (n < 2 || s[0] != '<')
		return false;
	if (s[1] == '/')
		k = 2;
	if (k >= n || !isalpha((unsigned char)s[k]))
		return false;
	while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '-'))
		k++;
	return k == n || s[k] == ' ' || s[k] == '>' || s[k] == '/' ||
	       s[k] == '\t';
}

int
blocks_html(struct deck_parser *p)
{
	struct deck_block *b;

	deck_list_close(p);
	p->in_html = true;
	b = deck_block_add(p, DECK_NOTE, p->line);
	if (!b)
		return -ENOMEM;
	b->text = strdup("[HTML not shown]");
	if (!b->text)
		return deck_nomem(p);
	return deck_warn(p, p->line, "HTML is not shown: skipped to the "
			 "next blank line");
}
