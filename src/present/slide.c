/*
 * slide.c - lay a slide out for a width (slide.h).
 *
 * Text is first cut into wrapped fragments (present/frag.h: greedy, at
 * spaces, a word wider than the line broken by characters), then each
 * fragment is placed on a line behind its indentation and marker.  Widths
 * are in terminal columns.
 */
#include "config.h"

#include "present/slide.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "present/frag.h"

/* The layout being built. */
struct lay {
	struct slide_layout *l;
	const struct slide_opts *o;
	size_t cap;		/* lines allocated */
	bool nomem;
	bool gap;		/* a blank line before the next block */
	bool in_list;		/* the block before was a list item */
};

unsigned
slide_text_width(const char *s, size_t n)
{
	return frag_width(s, n);
}

/* The layout's lines. */

/* Line f (emptied) becomes the layout's next line. */
static void
push_line(struct lay *y, struct frag *f)
{
	struct slide_layout *l = y->l;
	struct slide_line *line, *grown;
	struct slide_span *sp;
	size_t i, start;
	unsigned n = 0;

	if (y->nomem || (!f->m.text && !frag_put(f, "", 0, 0)))
		goto nomem;
	if (l->nlines == y->cap) {
		y->cap = y->cap ? y->cap * 2 : 32;
		grown = realloc(l->lines, y->cap * sizeof(*grown));
		if (!grown)
			goto nomem;
		l->lines = grown;
	}
	for (i = 0; i < f->m.len; i++)
		n += !i || f->m.style[i] != f->m.style[i - 1];
	sp = calloc(n ? n : 1, sizeof(*sp));
	if (!sp)
		goto nomem;
	line = &l->lines[l->nlines++];
	line->text = f->m.text;
	line->cols = f->cols;
	line->spans = sp;
	line->nspans = n;
	for (i = 0, start = 0; i <= f->m.len; i++) {
		if (i < f->m.len &&
		    (i == start || f->m.style[i] == f->m.style[start]))
			continue;
		if (i > start) {
			sp->off = (unsigned)start;
			sp->len = (unsigned)(i - start);
			sp->style = f->m.style[start];
			sp++;
		}
		start = i;
	}
	free(f->m.style);
	memset(f, 0, sizeof(*f));
	return;
nomem:
	y->nomem = true;
	frag_free(f);
}

/* A line: indent spaces, a prefix in pstyle (NULL: none), then g. */
static void
emit(struct lay *y, unsigned indent, const char *prefix, unsigned pstyle,
     const struct frag *g)
{
	struct frag f = { 0 };

	if (!frag_spaces(&f, indent, 0) ||
	    (prefix && !frag_str(&f, prefix, pstyle)) ||
	    (g && !frag_cat(&f, g))) {
		frag_free(&f);
		y->nomem = true;
		return;
	}
	push_line(y, &f);
}

/* A blank line between blocks, once. */
static void
gap(struct lay *y)
{
	if (y->gap && y->l->nlines)
		emit(y, 0, NULL, 0, NULL);
	y->gap = false;
}

/* Wrapped fragments as lines: the first behind indent and prefix, the
 * rest under the text. */
static void
emit_frags(struct lay *y, const struct frag_list *fs, unsigned indent,
	   const char *prefix, unsigned pstyle)
{
	unsigned hang = prefix ? frag_width(prefix, strlen(prefix)) : 0;
	size_t i;

	for (i = 0; i < fs->n && !y->nomem; i++)
		emit(y, i ? indent + hang : indent, i ? NULL : prefix, pstyle,
		     &fs->v[i]);
}

/* Blocks. */

static void
lay_heading(struct lay *y, const struct deck_block *b)
{
	unsigned style = b->level <= 1 ? SLIDE_H1 : SLIDE_H2, widest = 0;
	struct frag_list fs = { 0 };
	struct frag rule = { 0 };
	size_t i;

	gap(y);
	if (!frag_wrap_markup(&fs, b->text, y->o->width, style)) {
		y->nomem = true;
		goto out;
	}
	emit_frags(y, &fs, 0, NULL, 0);
	/* A level 1 heading is underlined across its text. */
	for (i = 0; i < fs.n; i++)
		if (fs.v[i].cols > widest)
			widest = fs.v[i].cols;
	if (style == SLIDE_H1 && widest) {
		if (!frag_repeat(&rule, y->o->utf8 ? "═" : "=", widest,
				 style))
			y->nomem = true;
		else
			push_line(y, &rule);
	}
out:
	frag_free(&rule);
	frag_list_free(&fs);
}

/* Wrapped text: a paragraph (style 0) or a note. */
static void
lay_text(struct lay *y, const struct deck_block *b, bool markup,
	 unsigned style)
{
	struct frag_list fs = { 0 };

	gap(y);
	if (markup ? !frag_wrap_markup(&fs, b->text, y->o->width, style)
		   : !frag_wrap_plain(&fs, b->text, y->o->width, style))
		y->nomem = true;
	else
		emit_frags(y, &fs, 0, NULL, 0);
	frag_list_free(&fs);
}

/* Indentation for depth, leaving at least half the width for text. */
static unsigned
indent_for(const struct lay *y, unsigned level, unsigned extra)
{
	unsigned indent = 2 * level;

	while (indent && indent + extra > y->o->width / 2)
		indent -= 2;
	return indent;
}

static void
lay_item(struct lay *y, const struct deck_block *b)
{
	static const char *const bullet_utf8[] = { "•", "◦", "▪" };
	static const char *const bullet_ascii[] = { "*", "-", "+" };
	const char *const *bullet = y->o->utf8 ? bullet_utf8 : bullet_ascii;
	struct frag_list fs = { 0 };
	char marker[24];
	unsigned pstyle, mcols, indent;

	if (!y->in_list)
		gap(y);
	y->gap = false;
	if (b->ordered) {
		snprintf(marker, sizeof(marker), "%u. ", b->number);
		pstyle = 0;
	} else {
		snprintf(marker, sizeof(marker), "%s ", bullet[b->level % 3]);
		pstyle = SLIDE_RULE;
	}
	mcols = frag_width(marker, strlen(marker));
	indent = indent_for(y, b->level, mcols);
	if (!frag_wrap_markup(&fs, b->text, y->o->width - indent - mcols, 0))
		y->nomem = true;
	else
		emit_frags(y, &fs, indent, marker, pstyle);
	frag_list_free(&fs);
}

/* Tabs to the next multiple of four columns. */
static char *
expand_tabs(const char *s, size_t n)
{
	size_t i, out = 0, tabs = 0, col = 0;
	char *r;

	for (i = 0; i < n; i++)
		tabs += s[i] == '\t';
	r = malloc(n + 3 * tabs + 1);
	if (!r)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '\t') {
			r[out++] = s[i];
			col += ((unsigned char)s[i] & 0xc0) != 0x80;
			continue;
		}
		do
			r[out++] = ' ';
		while (++col % 4);
	}
	r[out] = '\0';
	return r;
}

static void
lay_code(struct lay *y, const struct deck_block *b)
{
	const char *margin = y->o->utf8 ? "│ " : "| ", *s = b->text, *nl;
	unsigned indent = indent_for(y, b->level, 2);
	struct frag_list fs = { 0 };
	char *line;
	size_t n;

	gap(y);
	for (;;) {
		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		line = expand_tabs(s, n);
		if (!line || !frag_wrap_hard(&fs, line, strlen(line),
					y->o->width - indent - 2, SLIDE_CODE))
			y->nomem = true;
		free(line);
		if (!nl || y->nomem)
			break;
		s = nl + 1;
	}
	if (!y->nomem) {
		size_t i;

		for (i = 0; i < fs.n && !y->nomem; i++)
			emit(y, indent, margin, SLIDE_RULE, &fs.v[i]);
	}
	frag_list_free(&fs);
}

/* A cell's line placed in w columns by its alignment; the last column
 * gets no padding after it. */
static bool
put_cell(struct frag *line, const struct frag *cell, unsigned w,
	 unsigned align, bool last)
{
	unsigned pad = w > cell->cols ? w - cell->cols : 0;
	unsigned before = align == DECK_ALIGN_RIGHT ? pad
			  : align == DECK_ALIGN_CENTER ? pad / 2 : 0;

	return frag_spaces(line, before, 0) && frag_cat(line, cell) &&
	       (last || frag_spaces(line, pad - before, 0));
}

/*
 * Column widths for a table in width columns: each column's widest cell,
 * then the widest column narrowed one column at a time until the table
 * fits.  Returns how many columns fit at all (at least one column each).
 */
static unsigned
table_widths(const struct deck_table *t, unsigned width, unsigned *w,
	     bool *nomem)
{
	unsigned shown = t->ncols, r, c, sum = 0, target, widest;
	struct markup m;

	/* Separators are three columns (" | "). */
	while (shown > 1 && shown + 3 * (shown - 1) > width)
		shown--;
	for (c = 0; c < shown; c++) {
		w[c] = 1;
		for (r = 0; r < t->nrows; r++) {
			const char *cell = t->cells[r * t->ncols + c];

			if (markup_parse(cell, strlen(cell), &m)) {
				*nomem = true;
				return 0;
			}
			if (frag_width(m.text, m.len) > w[c])
				w[c] = frag_width(m.text, m.len);
			markup_free(&m);
		}
		sum += w[c];
	}
	target = width - 3 * (shown - 1);
	while (sum > target) {
		widest = 0;
		for (c = 1; c < shown; c++)
			if (w[c] >= w[widest])
				widest = c;
		w[widest]--;
		sum--;
	}
	return shown;
}

static void
lay_table(struct lay *y, const struct deck_table *t)
{
	const char *bar = y->o->utf8 ? " │ " : " | ";
	const char *hline = y->o->utf8 ? "─" : "-";
	const char *cross = y->o->utf8 ? "─┼─" : "-+-";
	struct frag_list *cells = NULL;
	struct frag line = { 0 }, empty = { 0 };
	const struct frag_list *fs;
	unsigned *w, shown = 0, r, c, h, i;
	char note[64];

	gap(y);
	w = calloc(t->ncols, sizeof(*w));
	if (w)
		shown = table_widths(t, y->o->width, w, &y->nomem);
	cells = calloc((size_t)t->ncols * t->nrows, sizeof(*cells));
	if (!w || !cells || y->nomem)
		goto nomem;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < shown; c++)
			if (!frag_wrap_markup(&cells[r * shown + c],
					 t->cells[r * t->ncols + c], w[c],
					 r ? 0 : SLIDE_STRONG))
				goto nomem;
	for (r = 0; r < t->nrows && !y->nomem; r++) {
		for (h = 1, c = 0; c < shown; c++)
			if (cells[r * shown + c].n > h)
				h = (unsigned)cells[r * shown + c].n;
		for (i = 0; i < h && !y->nomem; i++) {
			for (c = 0; c < shown; c++) {
				fs = &cells[r * shown + c];
				if ((c && !frag_str(&line, bar, SLIDE_RULE)) ||
				    !put_cell(&line, i < fs->n ? &fs->v[i]
							      : &empty,
					      w[c], t->align[c],
					      c + 1 == shown))
					goto nomem;
			}
			push_line(y, &line);
		}
		/* The header is ruled off. */
		for (c = 0; !r && c < shown; c++)
			if ((c && !frag_str(&line, cross, SLIDE_RULE)) ||
			    !frag_repeat(&line, hline, w[c], SLIDE_RULE))
				goto nomem;
		if (!r)
			push_line(y, &line);
	}
	if (shown < t->ncols) {
		snprintf(note, sizeof(note), "(%u more columns not shown)",
			 t->ncols - shown);
		if (!frag_str(&line, note, SLIDE_NOTE))
			goto nomem;
		push_line(y, &line);
	}
	goto out;
nomem:
	y->nomem = true;
out:
	frag_free(&line);
	if (cells)
		for (i = 0; i < t->ncols * t->nrows; i++)
			frag_list_free(&cells[i]);
	free(cells);
	free(w);
}

static bool
reveal_add(struct lay *y)
{
	struct slide_layout *l = y->l;
	unsigned *r = realloc(l->reveal, (l->pauses + 2) * sizeof(*r));

	if (!r)
		return false;
	l->reveal = r;
	r[l->pauses++] = l->nlines;
	return true;
}

int
slide_layout(const struct deck_slide *s, const struct slide_opts *o,
	     struct slide_layout *out)
{
	struct lay y = { .l = out, .o = o };
	const struct deck_block *b;
	unsigned i, blank;

	memset(out, 0, sizeof(*out));
	out->width = o->width;
	out->scene_row = -1;
	if (o->width < SLIDE_MIN_WIDTH)
		return -EINVAL;
	for (i = 0; i < s->nblocks && !y.nomem && out->scene_row < 0; i++) {
		b = &s->blocks[i];
		if (b->kind != DECK_ITEM && b->kind != DECK_PAUSE)
			y.in_list = false;
		switch (b->kind) {
		case DECK_HEADING:
			lay_heading(&y, b);
			break;
		case DECK_PARAGRAPH:
			lay_text(&y, b, true, 0);
			break;
		case DECK_NOTE:
			lay_text(&y, b, false, SLIDE_NOTE);
			break;
		case DECK_ITEM:
			lay_item(&y, b);
			y.in_list = true;
			break;
		case DECK_CODE:
			lay_code(&y, b);
			break;
		case DECK_TABLE:
			lay_table(&y, &b->table);
			break;
		case DECK_BLANK:
			for (blank = 0; blank < b->count && !y.nomem; blank++)
				emit(&y, 0, NULL, 0, NULL);
			y.gap = false;
			continue;
		case DECK_PAUSE:
			if (!reveal_add(&y))
				y.nomem = true;
			continue;
		case DECK_SCENE:
			gap(&y);
			out->scene_row = (int)out->nlines;
			out->scene_step = out->pauses;
			out->scene = b->scene;
			break;
		}
		y.gap = true;
	}
	if (y.nomem || !reveal_add(&y)) {
		slide_layout_free(out);
		return -ENOMEM;
	}
	/* reveal_add counted the end as a pause: it is not one. */
	out->pauses--;
	return 0;
}

void
slide_layout_free(struct slide_layout *l)
{
	unsigned i;

	for (i = 0; i < l->nlines; i++) {
		free(l->lines[i].text);
		free(l->lines[i].spans);
	}
	free(l->lines);
	free(l->reveal);
	memset(l, 0, sizeof(*l));
	l->scene_row = -1;
}
