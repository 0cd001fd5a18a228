/*
 * present.h - the door into classroom mode for the command line, without
 * curses: a deck presented in this terminal, or its speaker notes
 * following the presenter from a second one (present/link.h).
 */
#ifndef LOCKSTEP_UI_PRESENT_H
#define LOCKSTEP_UI_PRESENT_H

struct deck;
struct theme_file;

/*
 * Present deck d (opened and checked by the caller, which still owns
 * it) until the user quits, in theme (NULL: the built-in one).  Checks
 * for a terminal first.  Returns the process exit status.
 */
int present_main(const struct deck *d, const struct theme_file *theme);

/* The speaker notes of d in this terminal, following the presenter of d
 * (waiting for one, and again after one quits).  Returns the exit
 * status. */
int present_notes_main(const struct deck *d, const struct theme_file *theme);

#endif
