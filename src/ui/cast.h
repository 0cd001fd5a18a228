/*
 * cast.h - record what the terminal is sent as an asciicast v2 file
 * (https://docs.asciinema.org/manual/asciicast/v2/): a header line with
 * the width, height and start time, then one [time, "o", data] line per
 * chunk of output and a [time, "m", label] line per marker, which the
 * asciinema player shows as chapter points.
 *
 * How: cast_open puts a pseudo-terminal of the same size and modes in
 * place of standard output, and a thread copies everything written to it
 * to the real terminal and into the file, stamped.  So whatever draws
 * (curses in the live ui, the deck's slides) is recorded byte for byte
 * as the terminal got it, with no change to the drawing code.  The size
 * is the terminal's at cast_open: a resize later is not followed (the
 * recording and the screen keep that size).
 *
 * The order for a user of it (the live ui, present):
 *   cast_open    after checking the terminal, before curses starts;
 *   cast_started after curses set its modes (copies them to the real
 *                terminal, which the keys are read from);
 *   cast_marker  for each step, each slide;
 *   cast_close   after curses stopped: standard output is the terminal
 *                again, and everything sent before is in the file.
 * All from one thread (the ui thread); the copying thread only copies.
 */
#ifndef LOCKSTEP_UI_CAST_H
#define LOCKSTEP_UI_CAST_H

#include <stddef.h>

struct cast;

/*
 * Create the cast file at path (title: its header's, may be NULL), and
 * from now on record standard output, which must be a terminal.  Returns
 * 0 and the cast in *out, or a negative errno with "PATH: why" (or what
 * failed) in err; then standard output is untouched.
 */
int cast_open(const char *path, const char *title, struct cast **out,
	      char *err, size_t n);

/* Curses has set its modes on the pseudo-terminal: give the real
 * terminal the same (no echo, keys at once).  tty.c restores them. */
void cast_started(struct cast *c);

/* A marker labelled label, now (c may be NULL: nothing). */
void cast_marker(struct cast *c, const char *label);

/*
 * Put the real terminal back as standard output, wait until everything
 * written before is copied and recorded, close the file and free c (may
 * be NULL).  Returns 0, or the first error of the recording with "PATH:
 * why" in err (the file is then incomplete).
 */
int cast_close(struct cast *c, char *err, size_t n);

#endif
