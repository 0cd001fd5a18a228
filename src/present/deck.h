/*
 * deck.h - a Markdown deck, read as the terminal presentation tools
 * (presenterm, slides, lookatme, patat) read one, with live scenes.
 *
 * A deck is optional front matter (title, author, theme) and slides.  A
 * slide ends at `<!-- end_slide -->` or at a thematic break (`---` after
 * a blank line; `Title` underlined by `---` stays a heading).  Inside a
 * slide: headings, paragraphs with inline markup (present/markup.h),
 * bullet and numbered lists (nested), fenced code blocks, tables,
 * `<!-- pause -->` for progressive reveal, `<!-- speaker_note: ... -->`.
 * A fenced block with the info string `lockstep` is a live scene.
 *
 * What the deck uses that lockstep does not support (images, columns,
 * footers, HTML) is shown as a note or skipped with a warning, never an
 * error, so decks written for those tools open.  What would make a
 * lesson go wrong in front of a class is an error, "FILE:LINE: what is
 * wrong", and the deck does not open: bad front matter, an unknown scene,
 * parameter or key in a `lockstep` block, a missing schedule or script,
 * an unclosed block.  Pure C; one thread at a time per deck.
 */
#ifndef LOCKSTEP_PRESENT_DECK_H
#define LOCKSTEP_PRESENT_DECK_H

#include <stdbool.h>
#include <stddef.h>

#include "scenes/scene.h"

enum deck_block_kind {
	DECK_HEADING,		/* text; level 1..6 */
	DECK_PARAGRAPH,		/* text; '\n' where a line break was forced */
	DECK_ITEM,		/* a list item: text; level = depth from 0 */
	DECK_CODE,		/* text: the lines, '\n'-separated; info */
	DECK_TABLE,		/* table */
	DECK_SCENE,		/* scene: a live scene; takes the rest */
	DECK_PAUSE,		/* what follows shows at the next key */
	DECK_NOTE,		/* text shown as a note (an HTML block...) */
	DECK_BLANK,		/* count blank lines (<!-- new_lines -->) */
};

enum deck_align {
	DECK_ALIGN_LEFT = 0,
	DECK_ALIGN_CENTER,
	DECK_ALIGN_RIGHT,
};

/* A table: row 0 is the header; cells[row * ncols + col] hold inline
 * markup. */
struct deck_table {
	unsigned ncols, nrows;
	char **cells;
	unsigned char *align;	/* enum deck_align per column */
};

enum deck_mode {
	DECK_MODE_RUN = 0,	/* running when the slide opens */
	DECK_MODE_PAUSED,	/* paused at the start */
	DECK_MODE_STEP,		/* stepping, one gate per key */
	DECK_MODE_REPLAY,	/* replaying a schedule file */
	DECK_MODE_COUNT
};

/* A live scene: what a `lockstep` block asked for, checked. */
struct deck_scene {
	const struct scene_def *def;	/* a C scene, or NULL for a script */
	char *script;			/* a script's path (from the deck's) */
	int params[SCENE_MAX_PARAMS];	/* C scenes: defaults, then set: */
	char *set;			/* set: as written (scripts check it
					 * when they load), or NULL */
	unsigned mode;			/* enum deck_mode */
	char *schedule;			/* replay: the schedule's path */
	unsigned line;			/* the block's first line */
};

struct deck_block {
	unsigned kind;		/* enum deck_block_kind */
	unsigned line;		/* where it starts in the file */
	unsigned level;		/* heading level; list depth */
	bool ordered;		/* a numbered list item */
	unsigned number;	/* its number */
	unsigned count;		/* DECK_BLANK: lines */
	char *text;
	char *info;		/* a code block's info string, or NULL */
	struct deck_table table;
	struct deck_scene *scene;
};

struct deck_slide {
	struct deck_block *blocks;
	unsigned nblocks;
	unsigned line;		/* its first line */
	char *title;		/* its first heading without markup, or NULL */
	char *notes;		/* speaker notes, '\n'-separated, or NULL */
	unsigned pauses;	/* DECK_PAUSE blocks before any scene */
	struct deck_scene *scene;	/* its live scene, or NULL */
};

/* Something the deck uses that is not shown as written. */
struct deck_warning {
	unsigned line;
	char *what;
};

struct deck {
	char *path;		/* as given */
	char *title, *author;	/* front matter, or NULL */
	char *theme;		/* front matter theme: a name or a path */
	unsigned theme_line;
	struct deck_slide *slides;
	unsigned nslides;
	struct deck_warning *warnings;
	unsigned nwarnings;
};

/* Largest deck file read. */
#define DECK_MAX_BYTES (8u << 20)

/* The name of a mode ("step"), or NULL. */
const char *deck_mode_name(unsigned mode);

/*
 * Read the deck at path.  Paths in the deck (scripts, schedules) are
 * relative to its directory.  Returns 0 and the deck in *out, -EINVAL
 * with "FILE:LINE: what is wrong" in err, or another negative errno
 * ("FILE: why") when the file cannot be read.  The caller frees the deck
 * with deck_free.
 */
int deck_open(const char *path, struct deck **out, char *err, size_t n);

/*
 * Read a deck from the len bytes at text, as if from the file at path
 * (for messages and relative paths).  Returns as deck_open.
 */
int deck_parse(const char *text, size_t len, const char *path,
	       struct deck **out, char *err, size_t n);

/* Free a deck; NULL is fine. */
void deck_free(struct deck *d);

#endif
