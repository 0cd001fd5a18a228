/*
 * tty.c - the terminal, given back as it was found, whatever happens.
 *
 * Before curses starts we save the tty's termios and check that there is
 * a terminal worth drawing on (stdin and stdout ttys, a TERM with cursor
 * addressing), so a bad start writes no escape byte.  While curses runs:
 * INT, TERM, HUP and QUIT only note the signal and wake the loop through a
 * self-pipe; the loop restores the terminal and then dies of the same
 * signal.  SEGV, BUS, FPE, ILL and ABRT restore best-effort from inside
 * the handler with async-signal-safe calls only (tcsetattr and write of
 * sequences prepared in advance), then chain to the previous handler by
 * re-raising: the shape of htop's CRT.c.
 */
#include "config.h"

#include "ui/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ui/ui.h"

#include <term.h>

static struct termios saved_tios;
static bool have_tios;
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t exit_signal;
static SCREEN *screen;

/* Sequences that undo what curses did, written by the crash handler. */
static char restore_seq[256];
static size_t restore_len;

static const int quit_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction old_quit[4], old_crash[5];

/* Mouse reporting off (any mode curses may have turned on). */
#define MOUSE_OFF "\033[?1000l\033[?1002l\033[?1003l\033[?1006l"

int
tty_check(char *err, size_t n)
{
	const char *term = getenv("TERM");
	int rc = 0, e = 0;
	char *cup;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, n, "the live ui needs a terminal on stdin and "
			 "stdout; for a run without one use "
			 "'lockstep run SCENE --headless'");
		return -ENOTTY;
	}
	if (!term || !*term) {
		snprintf(err, n, "TERM is not set; set it (e.g. TERM=xterm-256color) "
			 "or use 'lockstep run SCENE --headless'");
		return -EINVAL;
	}
	/* setupterm only reads the terminfo entry: it writes nothing. */
	if (setupterm(term, STDOUT_FILENO, &e) != OK) {
		snprintf(err, n, "unknown terminal type '%s'; use "
			 "'lockstep run SCENE --headless'", term);
		return -EINVAL;
	}
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		snprintf(err, n, "terminal '%s' cannot move the cursor; use "
			 "'lockstep run SCENE --headless'", term);
		rc = -EINVAL;
	}
	del_curterm(cur_term);
	return rc;
}

static void
append_restore(const char *s)
{
	size_t len;

	if (!s || s == (char *)-1)
		return;
	len = strlen(s);
	if (restore_len + len < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, len);
		restore_len += len;
	}
}

static void
on_quit_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	exit_signal = sig;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
		/* The pipe is full: the loop is already awake. */
	}
	errno = saved;
}

static void
restore_tty_unsafe(void)
{
	if (restore_len && write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
		/* Nothing more can be done from here. */
	}
	if (have_tios)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tios);
}

static void
on_crash_signal(int sig)
{
	static const char msg[] = "lockstep: crashed; terminal restored\n";
	size_t i;

	restore_tty_unsafe();
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* Best effort. */
	}
	for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &old_crash[i], NULL);
	raise(sig);
}

static int
install(int sig, void (*fn)(int), struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() in the loop must see EINTR. */
	sa.sa_flags = fn == on_crash_signal ? SA_RESETHAND | SA_NODEFER : 0;
	return sigaction(sig, &sa, old);
}

int
tty_open(void)
{
	size_t i;
	int fl;

	if (tcgetattr(STDIN_FILENO, &saved_tios) == 0)
		have_tios = true;
	if (pipe(sig_pipe))
		return -errno;
	for (i = 0; i < 2; i++) {
		fl = fcntl(sig_pipe[i], F_GETFL);
		fcntl(sig_pipe[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	for (i = 0; i < 4; i++)
		install(quit_signals[i], on_quit_signal, &old_quit[i]);
	for (i = 0; i < 5; i++)
		install(crash_signals[i], on_crash_signal, &old_crash[i]);

	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		tty_close();
		return -EINVAL;
	}
	set_term(screen);
	/* Prepared now: the crash handler cannot call into terminfo. */
	append_restore(MOUSE_OFF);
	append_restore(tigetstr("sgr0"));
	append_restore(tigetstr("cnorm"));
	append_restore(tigetstr("rmcup"));
	append_restore("\r\n");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
	mouseinterval(0);
	return 0;
}

void
tty_close(void)
{
	size_t i;

	if (screen) {
		mousemask(0, NULL);
		curs_set(1);
		endwin();
		/* Some terminals keep reporting the mouse after endwin. */
		if (write(STDOUT_FILENO, MOUSE_OFF, sizeof(MOUSE_OFF) - 1) < 0) {
			/* Best effort. */
		}
		delscreen(screen);
		screen = NULL;
	}
	if (have_tios)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tios);
	for (i = 0; i < 5; i++)
		sigaction(crash_signals[i], &old_crash[i], NULL);
	for (i = 0; i < 4; i++)
		sigaction(quit_signals[i], &old_quit[i], NULL);
	for (i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
}

int
tty_signal_fd(void)
{
	return sig_pipe[0];
}

int
tty_exit_signal(void)
{
	char buf[16];

	while (sig_pipe[0] >= 0 && read(sig_pipe[0], buf, sizeof(buf)) > 0)
		;
	return exit_signal;
}

void
tty_die_of(int sig)
{
	/* The terminal is restored: now die the way the signal meant. */
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}
