/*
 * deck-int.h - what the deck reader's files share: the parser's state and
 * its helpers.  deck.c reads the lines and keeps the slides, blocks.c the
 * block structure, directive.c the comments, frontmatter.c the front
 * matter, liveblock.c the `lockstep` blocks.  Not for use outside
 * src/present.
 */
#ifndef LOCKSTEP_PRESENT_DECK_INT_H
#define LOCKSTEP_PRESENT_DECK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "present/deck.h"

/* List nesting deeper than this is shown at this depth. */
#define DECK_MAX_DEPTH 8

/* A growing string. */
struct deck_buf {
	char *s;
	size_t len, cap;
};

/* One line of the file, without its end of line. */
struct deck_line {
	const char *s;
	size_t n;
};

struct deck_parser {
	struct deck *d;
	const char *fname;	/* the deck's path, for messages */
	char *dir;		/* its directory, for relative paths */
	char *err;
	size_t errn;
	struct deck_line *lines;
	unsigned nlines;
	unsigned line;		/* the line being read, from 1 */

	bool slide_open;	/* d->slides[d->nslides - 1] is being read */
	bool skip_slide;	/* <!-- skip_slide --> on it */
	bool incremental;	/* <!-- incremental_lists: true --> */
	bool after_blank;	/* the line before was blank */

	struct deck_buf para;	/* the paragraph being gathered */
	unsigned para_line;
	bool para_open;

	int item;		/* the open list item's block, or -1 */
	unsigned indents[DECK_MAX_DEPTH];	/* open list levels */
	unsigned depth;

	bool in_fence;		/* inside a fenced code block */
	char fence_char;
	size_t fence_len, fence_indent;
	unsigned fence_line;
	char *fence_info;
	struct deck_buf fence;

	bool in_comment;	/* inside a multi-line <!-- --> */
	unsigned comment_line;
	struct deck_buf comment;

	bool in_html;		/* skipping an HTML block */
};

/* "FILE:LINE: what" into the parser's err; returns -EINVAL. */
int deck_fail(struct deck_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE: out of memory"; returns -ENOMEM. */
int deck_nomem(struct deck_parser *p);

/* Note what is not shown as written.  Returns 0 or -ENOMEM. */
int deck_warn(struct deck_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append n bytes of s.  Returns 0 or -ENOMEM. */
int deck_buf_add(struct deck_buf *b, const char *s, size_t n);

/* The text so far (now the caller's; "" when empty), and an empty
 * buffer.  NULL on ENOMEM. */
char *deck_buf_take(struct deck_buf *b);

void deck_buf_free(struct deck_buf *b);

/* A copy of the n bytes at s, NUL-terminated; NULL on ENOMEM. */
char *deck_strndup(const char *s, size_t n);

/* s without leading and trailing blanks: *n is updated, returns the
 * start. */
const char *deck_trim(const char *s, size_t *n);

/*
 * path resolved against the deck's directory (unchanged when absolute),
 * newly allocated; NULL on ENOMEM.
 */
char *deck_resolve(struct deck_parser *p, const char *path);

/* Slides and blocks (deck.c).  Each returns 0 or a negative errno with
 * the message set, unless it says otherwise. */

/* The slide being read. */
struct deck_slide *deck_cur_slide(struct deck_parser *p);

/* Start a slide unless one is open. */
int deck_slide_begin(struct deck_parser *p);

/* Close the paragraph and the list, then the slide: one with nothing on
 * it, or marked skip_slide, is dropped. */
int deck_slide_end(struct deck_parser *p);

/* A new block on the current slide (opened if need be), or NULL with the
 * message set.  The pointer lasts until the next block is added. */
struct deck_block *deck_block_add(struct deck_parser *p, unsigned kind,
				  unsigned line);

/* The paragraph being gathered becomes a block. */
int deck_para_flush(struct deck_parser *p);

/* No list is open any more. */
void deck_list_close(struct deck_parser *p);

/* Add lines to the current slide's speaker notes. */
int deck_notes_add(struct deck_parser *p, const char *text);

/* Blocks (blocks.c).  The classifiers take a line without its
 * indentation and say whether it is one. */

/* ``` or ~~~, three or more: the character and the run's length. */
bool blocks_fence_open(const char *s, size_t n, char *c, size_t *len);
/* Open a fenced block indented by indent. */
int blocks_fence_begin(struct deck_parser *p, const char *s, size_t n,
		       size_t indent);
/* A line inside a fenced block (maybe its end). */
int blocks_fence_line(struct deck_parser *p, const char *s, size_t n);
/* Whether an info string's first word is `lockstep`. */
bool blocks_is_lockstep(const char *info);
/* An ATX heading's level (0: not one) and its text. */
unsigned blocks_atx_heading(const char *s, size_t n, const char **t,
			    size_t *tn);
int blocks_heading_add(struct deck_parser *p, unsigned level, const char *t,
		       size_t n, unsigned line);
/* Three or more of one of - * _ and nothing else; the character. */
bool blocks_thematic_break(const char *s, size_t n, char *c);
/* A line of '=' only. */
bool blocks_setext_equals(const char *s, size_t n);
/* The open paragraph, underlined, becomes a heading of level. */
int blocks_setext(struct deck_parser *p, unsigned level);
/* A table whose header is line at, if the next line is its delimiter
 * row: *used gets the lines it takes (0 when it is no table). */
int blocks_table(struct deck_parser *p, unsigned at, unsigned *used);
/* A list marker: the offset of the item's text (0: none). */
size_t blocks_list_marker(const char *s, size_t n, bool *ordered,
			  unsigned *number);
int blocks_item_begin(struct deck_parser *p, const char *s, size_t n,
		      size_t at, size_t indent, bool ordered,
		      unsigned number);
/* Text: into the open list item, or a paragraph. */
int blocks_text_line(struct deck_parser *p, const char *s, size_t n,
		     size_t indent, bool blank_before);
/* An HTML tag at the start of a line. */
bool blocks_html_start(const char *s, size_t n);
/* Skip an HTML block, leaving a note. */
int blocks_html(struct deck_parser *p);

/* Comments (directive.c): a line that starts with "<!--", and a line
 * inside a comment that did not close on its first line. */
int directive_start(struct deck_parser *p, const char *s, size_t n);
int directive_line(struct deck_parser *p, const char *s, size_t n);

/* Front matter on lines first..last-1 (0-based, between the fences).
 * Returns 0, -EINVAL or -ENOMEM. */
int frontmatter_parse(struct deck_parser *p, unsigned first, unsigned last);

/*
 * The `lockstep` block whose fence opened on line (1-based) and whose
 * body is text ('\n'-separated lines): checks it and makes the scene.
 * Returns 0 with *out, -EINVAL or -ENOMEM.
 */
int liveblock_parse(struct deck_parser *p, unsigned line, const char *text,
		    struct deck_scene **out);

/* Free a scene made by liveblock_parse; NULL is fine. */
void liveblock_free(struct deck_scene *s);

#endif
