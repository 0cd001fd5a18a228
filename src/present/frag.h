/*
 * frag.h - styled text for the slide layout: fragments (bytes, a style
 * per byte, their width in terminal columns), wrapping into fragments,
 * and the pieces lines are built from.  UTF-8 is measured here: wide
 * characters take two columns, combining marks none; control bytes and
 * broken UTF-8 become '?', so a line never moves the cursor.  Internal to
 * src/present.
 */
#ifndef LOCKSTEP_PRESENT_FRAG_H
#define LOCKSTEP_PRESENT_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "present/markup.h"

/* A piece of styled text: bytes, a style per byte, its columns. */
struct frag {
	struct markup m;	/* its bytes and their styles */
	size_t cap;		/* bytes allocated in m */
	unsigned cols;
};

struct frag_list {
	struct frag *v;
	size_t n, cap;
};

/* The terminal width of the n bytes at s (slide_text_width). */
unsigned frag_width(const char *s, size_t n);

/* Append n bytes of s in style.  False on ENOMEM (f stays valid). */
bool frag_put(struct frag *f, const char *s, size_t n, unsigned style);

/* Append one code point (its k bytes at s), made safe; counts columns. */
bool frag_put_cp(struct frag *f, const char *s, size_t k, uint32_t c,
		 unsigned style);

/* Append a string (columns counted), n spaces, s repeated n times (s one
 * column wide), or another fragment with its styles. */
bool frag_str(struct frag *f, const char *s, unsigned style);
bool frag_spaces(struct frag *f, unsigned n, unsigned style);
bool frag_repeat(struct frag *f, const char *s, unsigned n, unsigned style);
bool frag_cat(struct frag *f, const struct frag *g);

void frag_free(struct frag *f);

/* A new empty fragment at the end of fs, or NULL on ENOMEM. */
struct frag *frag_list_new(struct frag_list *fs);
void frag_list_free(struct frag_list *fs);

/*
 * Wrap at avail columns into fs, a fragment a line: greedy at spaces, a
 * newline forces a break, a word wider than a line is broken by
 * characters; base is added to every byte's style.  frag_wrap_text takes
 * styled bytes, frag_wrap_plain a string of one style, frag_wrap_markup
 * inline Markdown (present/markup.h), frag_wrap_hard breaks code by
 * characters only, spaces and all.  False on ENOMEM.
 */
bool frag_wrap_text(struct frag_list *fs, const char *s,
		    const unsigned char *st, size_t n, unsigned avail,
		    unsigned base);
bool frag_wrap_plain(struct frag_list *fs, const char *s, unsigned avail,
		     unsigned style);
bool frag_wrap_markup(struct frag_list *fs, const char *s, unsigned avail,
		      unsigned base);
bool frag_wrap_hard(struct frag_list *fs, const char *s, size_t n,
		    unsigned avail, unsigned style);

#endif
