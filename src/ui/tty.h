/*
 * tty.h - start and stop curses on the terminal, and always give the
 * terminal back as it was: on quit, on any signal that would end the
 * process (INT, TERM, HUP, QUIT, USR1, PIPE, ALRM, the real-time ones...),
 * and on a crash (SEGV, ABRT, TRAP, XCPU...).
 */
#ifndef LOCKSTEP_UI_TTY_H
#define LOCKSTEP_UI_TTY_H

#include <pthread.h>
#include <stddef.h>

/*
 * Is there a terminal to draw on?  stdin and stdout must be ttys and TERM
 * must name a terminal that can address the cursor.  Writes nothing to the
 * terminal.  Returns 0, or a negative errno with a one-line reason in err.
 */
int tty_check(char *err, size_t n);

/* Save the tty modes, install the signal handlers, start curses with a
 * short escape delay (ESCDELAY from the environment wins), so that Esc
 * acts at once.  Returns 0 or a negative errno (then everything is
 * undone). */
int tty_open(void);

/* Stop curses and restore the tty modes and signal handlers. */
void tty_close(void);

/* The read end of the self-pipe that every quit signal (one that comes
 * from outside: INT, TERM, HUP, QUIT, USR1, USR2, PIPE, ALRM, ...)
 * writes to; the loop polls it. */
int tty_signal_fd(void);

/*
 * pthread_create(pt, NULL, fn, arg) with every signal blocked in the new
 * thread, so the signals the ui handles (tty_signal_fd) reach the ui
 * thread.  Returns 0 or the error number pthread_create gave.
 */
int tty_thread_start(pthread_t *pt, void *(*fn)(void *), void *arg);

/* The quit signal received, or 0; empties the self-pipe. */
int tty_exit_signal(void);

/* After tty_close: die of sig as if it had never been caught. */
void tty_die_of(int sig) __attribute__((noreturn));

#endif
