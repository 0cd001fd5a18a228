/*
 * slide.h - lay a slide out for a terminal width: a pure function from a
 * deck's slide (present/deck.h) to lines of styled spans.
 *
 * Paragraphs wrap at the width, list items indent by depth with their
 * continuation lines under their text, tables are sized to fit (columns
 * shrink and their cells wrap), code blocks keep their lines (broken
 * only where longer than the width).  Where a live scene is, it takes the
 * rest of the slide: the layout says on which line it starts.  Each
 * `<!-- pause -->` reveals more: reveal[k] is how many lines show after k
 * presses.  No curses here: the ui turns the styles into a theme's
 * attributes (ui/themefile.h roles heading, strong, code...).
 */
#ifndef LOCKSTEP_PRESENT_SLIDE_H
#define LOCKSTEP_PRESENT_SLIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "present/deck.h"
#include "present/markup.h"

/* Span styles, a bit each; 0 is plain text. */
enum slide_style {
	SLIDE_EMPH = MARKUP_EMPH,
	SLIDE_STRONG = MARKUP_STRONG,
	SLIDE_CODE = MARKUP_CODE,	/* inline code and code blocks */
	SLIDE_NOTE = MARKUP_NOTE,	/* what is shown but not supported */
	SLIDE_H1 = 1u << 4,		/* a level 1 heading */
	SLIDE_H2 = 1u << 5,		/* headings of level 2 and deeper */
	SLIDE_RULE = 1u << 6,		/* bullets, table lines, code margins */
};

/* Bytes [off, off + len) of a line's text in one style. */
struct slide_span {
	unsigned off, len;
	unsigned style;		/* enum slide_style bits */
};

struct slide_line {
	char *text;		/* UTF-8, no control bytes, NUL-terminated */
	unsigned cols;		/* its width in terminal columns */
	struct slide_span *spans;	/* cover text, in order */
	unsigned nspans;
};

struct slide_layout {
	unsigned width;
	struct slide_line *lines;
	unsigned nlines;
	unsigned pauses;	/* presses before everything shows */
	unsigned *reveal;	/* pauses + 1 entries: lines shown */
	/* The live scene: it starts on line scene_row (-1: none), takes the
	 * rest of the slide, and shows from press scene_step on. */
	int scene_row;
	unsigned scene_step;
	const struct deck_scene *scene;
};

/* Narrower than this, a slide is not laid out. */
#define SLIDE_MIN_WIDTH 16

struct slide_opts {
	unsigned width;		/* columns, at least SLIDE_MIN_WIDTH */
	bool utf8;		/* bullets and lines in UTF-8, else ASCII */
};

/*
 * Lay s out.  Every line is at most o->width columns.  Returns 0 with the
 * layout in *out (freed with slide_layout_free), -EINVAL when the width
 * is below SLIDE_MIN_WIDTH, or -ENOMEM.  Pure: the same slide and
 * options give the same layout.
 */
int slide_layout(const struct deck_slide *s, const struct slide_opts *o,
		 struct slide_layout *out);

void slide_layout_free(struct slide_layout *l);

/* The terminal width of the n bytes at s (UTF-8: wide characters take
 * two columns, combining marks none, a bad byte one). */
unsigned slide_text_width(const char *s, size_t n);

#endif
