/*
 * escape.h - text from a person or the environment, made safe to print.
 *
 * A value on the command line, a TERM, a file name can hold bytes that a
 * terminal obeys: an ESC sequence that sets the window title or remaps
 * keys, a newline that turns one error line into two.  Every message that
 * shows such text passes it through here first.
 *
 * What is escaped: C0 controls and DEL (ESC as \e, newline, return and tab
 * as \n, \r, \t, the others as \xNN), bytes that are not valid UTF-8 and
 * the C1 controls U+0080..U+009F (as \xNN per byte), and the bidirectional
 * controls that reorder what a reader sees (as \uNNNN).  Valid UTF-8 text
 * is kept, on the view that a terminal that shows non-ASCII text decodes
 * UTF-8.  A backslash is kept as it is: that makes escaping idempotent, so
 * a message built from already escaped parts can be escaped again as a
 * whole without doubling anything; the price is that a literal "\e" typed
 * by the person reads like an escaped ESC.
 */
#ifndef LOCKSTEP_UTIL_ESCAPE_H
#define LOCKSTEP_UTIL_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write s, escaped, into buf of n bytes, always NUL-terminated when n > 0.
 * Text that does not fit is cut at a whole character and ends in "...".
 * Returns buf, so a call can be a printf argument.  Any thread.
 */
char *escape_str(char *buf, size_t n, const char *s);

/*
 * Print one line to f: the printf-formatted text escaped as escape_str
 * does (so a newline inside a value cannot make two lines), at most about
 * 1000 bytes, then '\n', in one write to the stream.
 */
void escape_line(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
