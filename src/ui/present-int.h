/*
 * present-int.h - what the presenter's files share (present.c: the loop,
 * the keys, the live scene's life; present-draw.c: the slide, the scene's
 * region, the status line, the help).  Only the ui thread touches a
 * struct present.
 */
#ifndef LOCKSTEP_UI_PRESENT_INT_H
#define LOCKSTEP_UI_PRESENT_INT_H

#include "present/deck.h"
#include "present/link.h"
#include "present/slide.h"
#include "present/stage.h"
#include "ui/ui.h"

/* The smallest region a live scene is drawn in; smaller, it runs and a
 * line asks for room. */
#define PRESENT_SCENE_MIN_ROWS 8
#define PRESENT_SCENE_MIN_COLS 60

struct present {
	const struct deck *deck;
	char deck_abs[LINK_DECK_MAX];	/* for the notes window */
	unsigned cur;		/* the slide shown, from 0 */
	unsigned reveal;	/* pauses revealed on it */
	int scroll;		/* its lines scrolled off the top */

	/* The current slide laid out for lay_width columns. */
	struct slide_layout lay;
	bool have_lay;
	unsigned lay_width;
	bool lay_failed;	/* too narrow to lay out */

	/* The live scene of the current slide, once it shows: a whole ui
	 * (app.c) of its own, destroyed when the slide closes. */
	struct ui *scene;
	struct stage stage;
	bool scene_focus;	/* keys go to the scene (Tab) */

	struct theme theme;
	bool blank;		/* b: nothing on the screen */
	bool show_help;
	char jump[8];		/* digits typed before Enter */
	unsigned njump;
	char message[192];	/* the status line's note, fades */
	uint64_t message_until;

	struct link_server link;
	int64_t started;	/* epoch seconds, for the notes' clock */

	int rows, cols;
	bool dirty;
	uint64_t last_frame;
	bool key_read;		/* a key came since the last frame */
};

/* present-draw.c */
/* Lay the current slide out for the terminal's width (again if the
 * width changed).  False when it is too narrow for any layout. */
bool present_draw_relayout(struct present *p);
/* Rows of the slide that show at once. */
int present_draw_slide_rows(const struct present *p);
/* Lines of the slide revealed so far. */
unsigned present_draw_revealed(const struct present *p);
/* Is the slide's live scene on screen at the current reveal? */
bool present_draw_scene_shown(const struct present *p);
/* The whole screen. */
void present_draw(struct present *p);
/* The attribute of slide style bits (enum slide_style) in theme t. */
attr_t present_draw_style(const struct theme *t, unsigned style);
/* Lay out the scene's panels in area (u->lay); false when it is
 * smaller than PRESENT_SCENE_MIN_*. */
bool present_draw_scene_layout(struct ui *u, struct rect area);

#endif
