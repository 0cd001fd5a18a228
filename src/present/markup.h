/*
 * markup.h - Markdown inline markup: *emphasis*, **strong**, `code`,
 * links and images, backslash escapes.  What the deck reader keeps as
 * text (a heading, a paragraph, a list item, a table cell) becomes plain
 * bytes with a style per byte, which the slide layout wraps.  Pure C.
 */
#ifndef LOCKSTEP_PRESENT_MARKUP_H
#define LOCKSTEP_PRESENT_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

/* Styles, a bit each; several may be set (strong inside emphasis). */
enum markup_style {
	MARKUP_EMPH = 1u << 0,
	MARKUP_STRONG = 1u << 1,
	MARKUP_CODE = 1u << 2,
	MARKUP_NOTE = 1u << 3,	/* an image's stand-in, a link's address */
};

struct markup {
	char *text;		/* len bytes, NUL-terminated */
	unsigned char *style;	/* a style per byte of text */
	size_t len;
};

/*
 * Parse the n bytes at s.  Markup that does not close is kept as it was
 * written; an image becomes "[image: ALT]" and a link "TEXT (URL)", both
 * with the address or stand-in as a note; inline HTML comments vanish.
 * A newline in s is kept (a hard line break).  Returns 0, or -ENOMEM
 * (then *m holds nothing to free).
 */
int markup_parse(const char *s, size_t n, struct markup *m);

/* Append n bytes of s, all in style, to m, whose buffers hold *cap
 * bytes (grown, and *cap with them, as needed; start from a zeroed m and
 * *cap 0).  False on ENOMEM, with m as it was. */
bool markup_append(struct markup *m, size_t *cap, const char *s, size_t n,
		   unsigned style);

/* Free what markup_parse made; a zeroed struct is fine. */
void markup_free(struct markup *m);

/* The text of s without its markup, newly allocated; NULL on ENOMEM. */
char *markup_plain(const char *s);

#endif
