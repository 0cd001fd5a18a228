/*
 * tty.c - the terminal, given back as it was found, whatever happens.
 *
 * Before curses starts we save the tty's termios and check that there is
 * a terminal worth drawing on (stdin and stdout ttys, a TERM with cursor
 * addressing), so a bad start writes no escape byte.  While curses runs,
 * every signal whose default action ends the process is caught, in one
 * of two ways.  Quit signals come from outside (kill, the terminal, a
 * timer): the handler only notes the signal and wakes the loop through a
 * self-pipe; the loop restores the terminal through curses and then dies
 * of the same signal.  Crash signals come from what the process itself
 * just did (a fault, abort, a trap, a CPU or file-size limit) and it may
 * never get back to the loop: the handler restores best-effort with
 * async-signal-safe calls only (tcsetattr and write of sequences prepared
 * in advance), then chains to the previous handler by re-raising: the
 * shape of htop's CRT.c.  Signals that stop rather than end the process
 * (TSTP, TTIN, TTOU) are left to curses, which handles TSTP itself.
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
#include "util/escape.h"

#include <term.h>

static struct termios saved_tios;
static bool have_tios;
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t exit_signal;
static SCREEN *screen;

/* Sequences that undo what curses did, written by the crash handler. */
static char restore_seq[256];
static size_t restore_len;

/* Ended by default and sent from outside: noted, handled by the loop.
 * The real-time signals (SIGRTMIN..SIGRTMAX) are quit signals too. */
static const int quit_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
	SIGVTALRM, SIGPROF,
#ifdef SIGIO
	SIGIO,
#endif
#ifdef SIGPWR
	SIGPWR,
#endif
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
#ifdef SIGLOST
	SIGLOST,
#endif
#ifdef SIGEMT
	SIGEMT,
#endif
};
/* Ended by default and caused by the process itself: restored at once. */
static const int crash_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU,
	SIGXFSZ,
};
#define NQUIT (sizeof(quit_signals) / sizeof(quit_signals[0]))
#define NCRASH (sizeof(crash_signals) / sizeof(crash_signals[0]))

#ifndef NSIG
#define NSIG 65
#endif
/* The action each caught signal had before tty_open, to put back. */
static struct sigaction old_action[NSIG];
static bool caught[NSIG];

/* Mouse reporting off (any mode curses may have turned on). */
#define MOUSE_OFF "\033[?1000l\033[?1002l\033[?1003l\033[?1006l"

/*
 * How long curses waits, after an ESC, for the rest of a key's sequence
 * before it reports a lone Esc.  Its default, 1000 ms, freezes the whole
 * loop (no frame, no drain) each time Esc is pressed; a sequence from a
 * terminal arrives in one burst, well within this.  An ESCDELAY in the
 * environment (slow serial lines, ssh over a bad link) still wins.
 */
#define ESC_DELAY_MS 25

int
tty_check(char *err, size_t n)
{
	const char *term = getenv("TERM");
	int rc = 0, e = 0;
	char *cup, shown[64];

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
	/* TERM is shown escaped: it may hold a sequence of its own. */
	escape_str(shown, sizeof(shown), term);
	/* setupterm only reads the terminfo entry: it writes nothing. */
	if (setupterm(term, STDOUT_FILENO, &e) != OK) {
		snprintf(err, n, "unknown terminal type '%s'; use "
			 "'lockstep run SCENE --headless'", shown);
		return -EINVAL;
	}
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		snprintf(err, n, "terminal '%s' cannot move the cursor; use "
			 "'lockstep run SCENE --headless'", shown);
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

	restore_tty_unsafe();
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* Best effort. */
	}
	/* SA_RESETHAND already made it SIG_DFL; a handler that was there
	 * before ours (a sanitizer's) gets the signal next. */
	sigaction(sig, &old_action[sig], NULL);
	raise(sig);
}

/*
 * Catch sig with fn, keeping the old action.  A signal ignored when we
 * start stays ignored, as the shell meant it (nohup ignores HUP, some
 * parents ignore PIPE): catching it would make it fatal.  Returns 0 or
 * -errno.
 */
static int
tty_catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	if (sig <= 0 || sig >= NSIG)
		return -EINVAL;
	if (sigaction(sig, NULL, &sa))
		return -errno;
	if (!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() in the loop must see EINTR. */
	sa.sa_flags = fn == on_crash_signal ? SA_RESETHAND | SA_NODEFER : 0;
	if (sigaction(sig, &sa, &old_action[sig]))
		return -errno;
	caught[sig] = true;
	return 0;
}

/* Catch every signal that ends the process by default. */
static int
tty_catch_all(void)
{
	size_t i;
	int sig, err = 0;

	for (i = 0; i < NQUIT && !err; i++)
		err = tty_catch(quit_signals[i], on_quit_signal);
	for (sig = SIGRTMIN; sig <= SIGRTMAX && !err; sig++)
		err = tty_catch(sig, on_quit_signal);
	for (i = 0; i < NCRASH && !err; i++)
		err = tty_catch(crash_signals[i], on_crash_signal);
	return err;
}

int
tty_open(void)
{
	size_t i;
	int fl, err;

	restore_len = 0;
	if (tcgetattr(STDIN_FILENO, &saved_tios) == 0)
		have_tios = true;
	if (pipe(sig_pipe))
		return -errno;
	for (i = 0; i < 2; i++) {
		fl = fcntl(sig_pipe[i], F_GETFL);
		fcntl(sig_pipe[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	err = tty_catch_all();
	if (err) {
		tty_close();
		return err;
	}

	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		tty_close();
		return -EINVAL;
	}
	set_term(screen);
	if (!getenv("ESCDELAY"))
		set_escdelay(ESC_DELAY_MS);
	/* Prepared now: the crash handler cannot call into terminfo.  The
	 * order undoes smcup, smkx and the rest as endwin would. */
	append_restore(MOUSE_OFF);
	append_restore(tigetstr("sgr0"));
	append_restore(tigetstr("cnorm"));
	append_restore(tigetstr("rmkx"));
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
	int sig;

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
	for (sig = 1; sig < NSIG; sig++) {
		if (caught[sig])
			sigaction(sig, &old_action[sig], NULL);
		caught[sig] = false;
	}
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

int
tty_thread_start(pthread_t *pt, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(pt, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}
