/*
 * themefile.h - theme files: what each role on the screen looks like,
 * read from a small text file (assets/themes/NAME.theme).
 *
 * A theme file is lines of `role = style`, where a style is an optional
 * foreground colour, an optional `on COLOUR` background, and attributes;
 * `#` starts a comment.  The format is documented in
 * assets/themes/README.md.  This is pure C (no curses): the ui's theme.c
 * turns a parsed theme into curses attributes, and the tests and the fuzz
 * target read themes without a terminal.  A theme with an error is refused
 * with "FILE:LINE: what is wrong".
 */
#ifndef LOCKSTEP_UI_THEMEFILE_H
#define LOCKSTEP_UI_THEMEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The roles a theme styles.  The first six are the thread states, in the
 * order of enum ls_thread_state. */
enum theme_role {
	THEME_RUNNING = 0,
	THEME_IDLE,
	THEME_SLEEPING,
	THEME_BLOCKED,
	THEME_PARKED,
	THEME_DONE,
	THEME_TITLE,		/* panel titles, the header */
	THEME_DIM,		/* secondary text */
	THEME_CHANGED,		/* what just changed */
	THEME_ALERT,		/* deadlock banner, errors */
	THEME_OK,		/* an invariant that holds */
	THEME_BADGE_RUN,	/* the RUNNING / PAUSED / STEP badge */
	THEME_BADGE_PAUSE,
	THEME_BADGE_STEP,
	THEME_BAR_FILL,		/* the filled part of a bar */
	THEME_SELECTED,		/* the selected row */
	THEME_BORDER,		/* box lines */
	THEME_HEADING,		/* slides: a level 1 heading */
	THEME_SUBHEADING,	/* slides: headings of level 2 and deeper */
	THEME_STRONG,		/* slides: **strong** */
	THEME_EMPHASIS,		/* slides: *emphasis* */
	THEME_CODE,		/* slides: `code` and code blocks */
	THEME_NOTE,		/* slides: what is shown but not supported */
	THEME_ROLE_COUNT
};

/* Colours: 0..7 the basic eight, 8..15 their bright twins, 16..255 the
 * 256-colour palette, THEME_DEFAULT the terminal's own. */
#define THEME_DEFAULT (-1)

/* Attributes, a bit each. */
enum {
	THEME_BOLD = 1u << 0,
	THEME_FAINT = 1u << 1,
	THEME_UNDERLINE = 1u << 2,
	THEME_REVERSE = 1u << 3,
	THEME_ITALIC = 1u << 4,
	THEME_STANDOUT = 1u << 5,
};

struct theme_style {
	int16_t fg, bg;		/* colour or THEME_DEFAULT */
	uint16_t attrs;		/* THEME_BOLD... */
};

#define THEME_NAME_MAX 64
#define THEME_TEXT_MAX 128

struct theme_file {
	char name[THEME_NAME_MAX];	/* the file's name without .theme */
	char description[THEME_TEXT_MAX];
	/* The screen's own colours (THEME_DEFAULT: the terminal's). */
	int16_t foreground, background;
	bool thick_bars;		/* bars two rows high where they fit */
	struct theme_style role[THEME_ROLE_COUNT];
	/* Roles the file set; the others keep the built-in default's. */
	bool given[THEME_ROLE_COUNT];
};

/* The role's name in a theme file ("badge_run"), or NULL. */
const char *themefile_role_name(unsigned role);

/* The built-in theme: what default.theme says, for when no file is
 * found and for the roles a file leaves out. */
void themefile_builtin(struct theme_file *t);

/*
 * Parse the n bytes at text (a theme file named fname, for messages).
 * Returns 0 with the theme in *t, or -EINVAL with "FILE:LINE: what is
 * wrong" in err.  *t is written either way.
 */
int themefile_parse(const char *text, size_t n, const char *fname,
		    struct theme_file *t, char *err, size_t errn);

/*
 * Find a theme: spec is a shipped theme's NAME ("projector", looked up as
 * themes/NAME.theme in the data directories, util/datadir.h) or a FILE
 * path (it has a '/' or ends in ".theme").  Writes the path.  Returns 0,
 * or -ENOENT with a message naming the shipped themes in err.
 */
int themefile_find(const char *spec, char *path, size_t n, char *err,
		   size_t errn);

/*
 * Find and read a theme (themefile_find, then the file, then
 * themefile_parse).  Returns 0, -ENOENT, -EINVAL (a bad theme) or another
 * negative errno (the file could not be read), with a message in err.
 */
int themefile_load(const char *spec, struct theme_file *t, char *err,
		   size_t errn);

/*
 * The shipped themes' names, sorted: a NULL-terminated array freed with
 * datadir_list_free (util/datadir.h).  Returns the count or -ENOMEM.
 */
int themefile_list(char ***names);

#endif
