/*
 * stage.h - what a deck's live scene runs: the control target and, for
 * mode: replay, the schedule, made from a checked `lockstep` block
 * (present/deck.h).  The deck reader checks names and files; this makes
 * them runnable, and the presenter calls stage_check on the whole deck
 * before the class sees it, so a script that does not compile, a bad
 * script parameter or a schedule for another target stops the deck with
 * "FILE:LINE: what is wrong" instead of a slide.  Pure C, no curses.
 */
#ifndef LOCKSTEP_PRESENT_STAGE_H
#define LOCKSTEP_PRESENT_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "control/control.h"
#include "control/schedule.h"
#include "present/deck.h"

/* A scene ready to start. */
struct stage {
	struct control_target target;	/* free with stage_free */
	enum control_mode mode;
	struct schedule sched;		/* mode: replay */
	bool replay;			/* sched holds a schedule */
	uint64_t seed;			/* the schedule's, or 0: a new one */
};

/*
 * Make the stage of scene s, from the deck at deck_path (for messages).
 * Returns 0, or a negative errno with "FILE:LINE: what is wrong" in err
 * (nothing to free then).
 */
int stage_make(const struct deck_scene *s, const char *deck_path,
	       struct stage *st, char *err, size_t n);

/* Free what stage_make made; a zeroed stage is fine. */
void stage_free(struct stage *st);

/* Make and free the stage of every live scene of d: the first error, as
 * stage_make reports it, or 0. */
int stage_check(const struct deck *d, char *err, size_t n);

#endif
