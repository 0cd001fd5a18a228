/*
 * directive.c - HTML comments in a deck, and the directives they carry:
 * pause, end_slide, speaker notes, new lines, incremental lists, skipped
 * slides.  presenterm's layout directives lockstep does not follow are
 * skipped with a warning; any other comment is a comment.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "present/deck-int.h"

/* Whether the n bytes at s start with the word w (then a space, ':' or
 * the end); *rest is what follows, trimmed. */
static bool
word_is(const char *s, size_t n, const char *w, const char **rest,
	size_t *rn)
{
	size_t wl = strlen(w);

	if (n < wl || memcmp(s, w, wl) ||
	    (n > wl && s[wl] != ':' && !isspace((unsigned char)s[wl])))
		return false;
	s += wl;
	n -= wl;
	if (n && *s == ':') {
		s++;
		n--;
	}
	*rest = deck_trim(s, &n);
	*rn = n;
	return true;
}

/*
 * A speaker note's text, from what follows "speaker_note:": one line,
 * several (each trimmed), or presenterm's YAML block (`|` keeps the
 * lines, `>` folds them into one; an empty line breaks either).
 */
static int
speaker_note(struct deck_parser *p, const char *s, size_t n)
{
	const char *end = s + n, *nl, *line;
	bool fold = false, first = true, prev_empty = false;
	struct deck_buf b = { 0 };
	size_t len;
	int rc = 0;

	nl = memchr(s, '\n', n);
	len = nl ? (size_t)(nl - s) : n;
	line = deck_trim(s, &len);
	if (len && (line[0] == '|' || line[0] == '>') &&
	    (len == 1 || (len == 2 && (line[1] == '-' || line[1] == '+')))) {
		fold = line[0] == '>';
		s = nl ? nl + 1 : end;
	}
	while (s < end && !rc) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = (size_t)((nl ? nl : end) - s);
		line = deck_trim(s, &len);
		s = nl ? nl + 1 : end;
		if (!len && first)
			continue;
		if (!first && !(fold && prev_empty))
			rc = deck_buf_add(&b, fold && len ? " " : "\n", 1);
		if (!rc)
			rc = deck_buf_add(&b, line, len);
		first = false;
		prev_empty = !len;
	}
	/* Trailing empty lines say nothing. */
	while (!rc && b.len && b.s[b.len - 1] == '\n')
		b.s[--b.len] = '\0';
	if (!rc && b.len)
		rc = deck_notes_add(p, b.s);
	deck_buf_free(&b);
	return rc == -ENOMEM ? deck_nomem(p) : rc;
}

/* presenterm's directives lockstep does not follow: skipped, with a
 * warning, so the deck still opens. */
static const char *const unsupported[] = {
	"jump_to_middle", "column_layout", "column", "reset_layout",
	"font_size", "alignment", "no_footer", "include",
	"list_item_newlines", "snippet_output",
};

/* The text between <!-- and --> of a comment that began on line. */
static int
directive(struct deck_parser *p, const char *s, size_t n, unsigned line)
{
	const char *rest;
	size_t rn, i;
	char *end;
	long v;
	int rc;

	s = deck_trim(s, &n);
	if (word_is(s, n, "speaker_note", &rest, &rn))
		return speaker_note(p, rest, rn);
	if (word_is(s, n, "end_slide", &rest, &rn) && !rn)
		return deck_slide_end(p);
	if (word_is(s, n, "pause", &rest, &rn) && !rn) {
		rc = deck_para_flush(p);
		if (!rc && !deck_block_add(p, DECK_PAUSE, line))
			rc = -ENOMEM;
		return rc;
	}
	if (word_is(s, n, "skip_slide", &rest, &rn) && !rn) {
		rc = deck_slide_begin(p);
		p->skip_slide = true;
		return rc;
	}
	if (word_is(s, n, "incremental_lists", &rest, &rn)) {
		if (rn == 4 && !memcmp(rest, "true", 4))
			p->incremental = true;
		else if (rn == 5 && !memcmp(rest, "false", 5))
			p->incremental = false;
		else
			return deck_warn(p, line, "incremental_lists is true "
					 "or false: skipped");
		return 0;
	}
	if ((word_is(s, n, "new_line", &rest, &rn) && !rn) ||
	    word_is(s, n, "new_lines", &rest, &rn)) {
		struct deck_block *b;

		v = 1;
		if (rn) {
			char num[16];

			snprintf(num, sizeof(num), "%.*s", (int)rn, rest);
			v = strtol(num, &end, 10);
			if (*end || v < 1 || v > 50 || rn >= sizeof(num))
				return deck_warn(p, line, "new_lines wants a "
						 "number from 1 to 50: "
						 "skipped");
		}
		rc = deck_para_flush(p);
		if (rc)
			return rc;
		b = deck_block_add(p, DECK_BLANK, line);
		if (!b)
			return -ENOMEM;
		b->count = (unsigned)v;
		return 0;
	}
	if (word_is(s, n, "user_comment", &rest, &rn))
		return 0;
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (word_is(s, n, unsupported[i], &rest, &rn))
			return deck_warn(p, line, "<!-- %s --> is not "
					 "supported: skipped", unsupported[i]);
	/* Any other comment is a comment. */
	return 0;
}

/* A line inside a multi-line comment. */
int
directive_line(struct deck_parser *p, const char *s, size_t n)
{
	const char *end = n >= 3 ? memmem(s, n, "-->", 3) : NULL;
	int rc;

	rc = deck_buf_add(&p->comment, s, end ? (size_t)(end - s) : n);
	if (!rc && !end)
		rc = deck_buf_add(&p->comment, "\n", 1);
	if (rc)
		return deck_nomem(p);
	if (!end)
		return 0;
	p->in_comment = false;
	rc = directive(p, p->comment.s, p->comment.len, p->comment_line);
	deck_buf_free(&p->comment);
	return rc;
}

/* A line that starts with "<!--" (s points there). */
int
directive_start(struct deck_parser *p, const char *s, size_t n)
{
	const char *end = memmem(s + 4, n - 4, "-->", 3);
	size_t after;
	int rc;

	if (!end) {
		p->in_comment = true;
		p->comment_line = p->line;
		rc = deck_buf_add(&p->comment, s + 4, n - 4);
		if (!rc)
			rc = deck_buf_add(&p->comment, "\n", 1);
		return rc ? deck_nomem(p) : 0;
	}
	after = n - (size_t)(end + 3 - s);
	deck_trim(end + 3, &after);
	if (after)
		rc = deck_warn(p, p->line, "text after a comment on the same "
			       "line is not shown");
	else
		rc = 0;
	return rc ? rc : directive(p, s + 4, (size_t)(end - s - 4), p->line);
}

