/*
 * check_tty.c - the terminal is given back (src/ui/tty.c), checked byte
 * by byte on a pseudo-terminal.
 *
 * Each test forks a child whose stdin, stdout and stderr are the slave
 * side of a new pty, with TERM=xterm.  The child starts curses through
 * tty_open and then meets its end: a crash signal raised, or a quit
 * signal that the child handles the way the ui loop does (poll the
 * self-pipe, tty_close, tty_die_of).  The parent reads everything written
 * to the terminal from the master side and, once the child is dead,
 * checks how it died, that the keypad, cursor and alternate screen were
 * switched back after curses switched them on, and that the tty modes on
 * the slave are as they were before.  No test depends on timing: reads
 * are bounded only by the child's exit (and Check's timeout).
 */
#include "checkutil.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>

#include "ui/tty.h"
#include "ui/ui.h"

/* xterm's sequences (terminfo: smkx, rmkx, rmcup, cnorm). */
#define SMKX "\033[?1h\033="
#define RMKX "\033[?1l\033>"
#define RMCUP "\033[?1049l"
#define CNORM "\033[?25h"

struct pty_run {
	int master, slave;	/* the parent's ends */
	int report[2];		/* the child's answer, for some tests */
	char slave_name[64];
	struct termios before, after;
	char out[65536];	/* what reached the terminal */
	size_t len;
	int status;
};

/* What a child does once its terminal is set up; never returns. */
typedef void (*child_fn)(int arg, int report_fd);

static void
pty_setup(struct pty_run *r)
{
	const char *name;

	memset(r, 0, sizeof(*r));
	r->master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(r->master, 0);
	ck_assert_int_eq(grantpt(r->master), 0);
	ck_assert_int_eq(unlockpt(r->master), 0);
	name = ptsname(r->master);
	ck_assert_ptr_nonnull(name);
	snprintf(r->slave_name, sizeof(r->slave_name), "%s", name);
	/* Held open by the parent, so the modes can be read after the
	 * child has gone and reads never see a hang-up. */
	r->slave = open(r->slave_name, O_RDWR | O_NOCTTY);
	ck_assert_int_ge(r->slave, 0);
	ck_assert_int_eq(tcgetattr(r->slave, &r->before), 0);
	ck_assert_int_eq(pipe(r->report), 0);
}

/* In the child: the pty as its terminal, a known TERM, no core files. */
static void
child_terminal(struct pty_run *r)
{
	struct rlimit no_core = { 0, 0 };
	int fd, sig;

	setsid();
	fd = open(r->slave_name, O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(90);
	close(fd);
	close(r->master);
	close(r->slave);
	close(r->report[0]);
	setrlimit(RLIMIT_CORE, &no_core);
	/* Every signal as a fresh process has it: whoever runs the suite
	 * (nohup, a CI runner) may have left some ignored, and tty_open
	 * leaves an ignored signal ignored. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	setenv("TERM", "xterm", 1);
	unsetenv("ESCDELAY");
}

/* Read from the master until the child has exited and nothing is left. */
static void
pty_collect(struct pty_run *r, pid_t pid)
{
	struct pollfd p = { .fd = r->master, .events = POLLIN };
	bool exited = false;
	ssize_t n;

	for (;;) {
		if (!exited && waitpid(pid, &r->status, WNOHANG) == pid)
			exited = true;
		/* Once the child is gone, one empty poll ends the read. */
		if (poll(&p, 1, exited ? 0 : 20) <= 0) {
			if (exited)
				break;
			continue;
		}
		n = read(r->master, r->out + r->len,
			 sizeof(r->out) - 1 - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	if (!exited)
		ck_assert_int_eq(waitpid(pid, &r->status, 0), pid);
	r->out[r->len] = '\0';
	ck_assert_int_eq(tcgetattr(r->slave, &r->after), 0);
}

/* Fork a child that runs fn(arg) on the pty; collect what it wrote. */
static void
pty_run(struct pty_run *r, child_fn fn, int arg)
{
	pid_t pid;

	pty_setup(r);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		child_terminal(r);
		fn(arg, r->report[1]);
		_exit(91);
	}
	close(r->report[1]);
	pty_collect(r, pid);
}

static void
pty_done(struct pty_run *r)
{
	close(r->master);
	close(r->slave);
	close(r->report[0]);
}

/* The last occurrence of needle in the output, or NULL. */
static const char *
last(const struct pty_run *r, const char *needle)
{
	const char *p = r->out, *found = NULL;

	while ((p = strstr(p, needle))) {
		found = p;
		p++;
	}
	return found;
}

/* Curses turned the keypad on, and after that it was turned off, the
 * cursor shown and the alternate screen left; the modes are back. */
static void
assert_given_back(const struct pty_run *r, const char *how)
{
	const char *on = last(r, SMKX);

	ck_assert_msg(on != NULL, "%s: curses never sent smkx", how);
	ck_assert_msg(strstr(on, RMKX) != NULL,
		      "%s: keypad left in application mode", how);
	ck_assert_msg(strstr(on, CNORM) != NULL, "%s: cursor left hidden",
		      how);
	ck_assert_msg(strstr(on, RMCUP) != NULL,
		      "%s: alternate screen left on", how);
	ck_assert_msg(r->before.c_iflag == r->after.c_iflag &&
		      r->before.c_oflag == r->after.c_oflag &&
		      r->before.c_cflag == r->after.c_cflag &&
		      r->before.c_lflag == r->after.c_lflag &&
		      !memcmp(r->before.c_cc, r->after.c_cc,
			      sizeof(r->before.c_cc)),
		      "%s: tty modes not restored", how);
}

static void
assert_died_of(const struct pty_run *r, int sig)
{
	ck_assert_msg(WIFSIGNALED(r->status) && WTERMSIG(r->status) == sig,
		      "child did not die of signal %d (%s): status 0x%x", sig,
		      strsignal(sig), r->status);
}

/* Signals from outside: the ui loop's way of handling them. */
static void
child_quit(int sig, int report_fd)
{
	struct pollfd p;
	int got, tries;

	if (tty_open())
		_exit(92);
	kill(getpid(), sig);
	p.fd = tty_signal_fd();
	p.events = POLLIN;
	for (tries = 0; tries < 1000; tries++)
		if (poll(&p, 1, 10) > 0)
			break;
	got = tty_exit_signal();
	tty_close();
	if (got != sig)
		_exit(93);
	tty_die_of(sig);
}

static int
quit_signal(int i)
{
	static const int sigs[] = {
		SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,
		SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT,
	};
	int n = (int)(sizeof(sigs) / sizeof(sigs[0]));

	/* Then three real-time signals: the first, one more, the last. */
	return i < n ? sigs[i] : i == n ? SIGRTMIN : i == n + 1 ? SIGRTMIN + 1
								  : SIGRTMAX;
}
#define NQUIT_TESTED 16

START_TEST(test_quit_signal_gives_terminal_back)
{
	struct pty_run r;
	int sig = quit_signal(_i);

	pty_run(&r, child_quit, sig);
	assert_died_of(&r, sig);
	assert_given_back(&r, strsignal(sig));
	pty_done(&r);
}
END_TEST

/* Start curses, then raise sig: a crash, as the process sees it. */
static void
child_open_and_raise(int sig)
{
	if (tty_open())
		_exit(92);
	raise(sig);
	_exit(94);
}

/* Faults, abort, traps, limits: restored from inside the handler. */
static void
child_crash(int sig, int report_fd)
{
	/* Whatever handler a sanitizer put there is out of this test:
	 * our handler is to chain to the default and die. */
	signal(sig, SIG_DFL);
	child_open_and_raise(sig);
}

static const int crash_sigs[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU,
	SIGXFSZ,
};

START_TEST(test_crash_signal_gives_terminal_back)
{
	struct pty_run r;
	int sig = crash_sigs[_i];

	pty_run(&r, child_crash, sig);
	assert_died_of(&r, sig);
	assert_given_back(&r, strsignal(sig));
	ck_assert_ptr_nonnull(strstr(r.out, "terminal restored"));
	pty_done(&r);
}
END_TEST

/* A handler that was there before tty_open gets the crash next. */
static void
on_segv_before(int sig)
{
	static const char msg[] = "previous handler\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(96);
	_exit(42);
}

static void
child_chain(int sig, int report_fd)
{
	signal(SIGSEGV, on_segv_before);
	child_open_and_raise(SIGSEGV);
}

START_TEST(test_crash_chains_to_previous_handler)
{
	struct pty_run r;
	const char *restored;

	pty_run(&r, child_chain, 0);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 42);
	assert_given_back(&r, "chained SIGSEGV");
	/* Restored first, then the previous handler ran. */
	restored = last(&r, RMKX);
	ck_assert_ptr_nonnull(strstr(restored, "previous handler"));
	pty_done(&r);
}
END_TEST

/* tty_close puts every handler back as it found it. */
static void
on_usr1_before(int sig)
{
}

static void
child_handlers_back(int unused, int report_fd)
{
	struct sigaction sa;

	signal(SIGUSR1, on_usr1_before);
	signal(SIGSEGV, SIG_IGN);
	if (tty_open())
		_exit(92);
	tty_close();
	if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_handler != on_usr1_before)
		_exit(1);
	if (sigaction(SIGSEGV, NULL, &sa) || sa.sa_handler != SIG_IGN)
		_exit(2);
	if (sigaction(SIGRTMAX, NULL, &sa) || sa.sa_handler != SIG_DFL)
		_exit(3);
	_exit(0);
}

/* A signal ignored before tty_open (nohup's HUP) stays ignored. */
static void
child_ignored(int unused, int report_fd)
{
	struct sigaction sa;

	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	if (tty_open())
		_exit(92);
	kill(getpid(), SIGHUP);
	kill(getpid(), SIGUSR1);
	if (tty_exit_signal())
		_exit(1);
	if (sigaction(SIGHUP, NULL, &sa) || sa.sa_handler != SIG_IGN)
		_exit(2);
	tty_close();
	if (sigaction(SIGUSR1, NULL, &sa) || sa.sa_handler != SIG_IGN)
		_exit(3);
	_exit(0);
}

START_TEST(test_ignored_signals_stay_ignored)
{
	struct pty_run r;

	pty_run(&r, child_ignored, 0);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
		      "status 0x%x", r.status);
	assert_given_back(&r, "ignored signals");
	pty_done(&r);
}
END_TEST

START_TEST(test_close_restores_handlers)
{
	struct pty_run r;

	pty_run(&r, child_handlers_back, 0);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 0);
	assert_given_back(&r, "tty_close");
	pty_done(&r);
}
END_TEST

/* The escape delay curses runs with: reported through the pipe. */
static void
child_escdelay(int env_delay, int report_fd)
{
	char v[16];
	int d;

	if (env_delay) {
		snprintf(v, sizeof(v), "%d", env_delay);
		setenv("ESCDELAY", v, 1);
	}
	if (tty_open())
		_exit(92);
	d = get_escdelay();
	tty_close();
	_exit(write(report_fd, &d, sizeof(d)) == sizeof(d) ? 0 : 95);
}

static int
escdelay_of(int env_delay)
{
	struct pty_run r;
	int d = -1;

	pty_run(&r, child_escdelay, env_delay);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 0);
	ck_assert_int_eq(read(r.report[0], &d, sizeof(d)), (int)sizeof(d));
	pty_done(&r);
	return d;
}

START_TEST(test_escape_delay_is_short)
{
	int d = escdelay_of(0);

	/* curses' default is 1000 ms, during which the ui froze after
	 * every Esc; tens of ms is what a key sequence needs at most. */
	ck_assert_int_gt(d, 0);
	ck_assert_int_le(d, 100);
}
END_TEST

START_TEST(test_escape_delay_from_environment_wins)
{
	ck_assert_int_eq(escdelay_of(300), 300);
}
END_TEST

/* A TERM that is itself an escape sequence is shown escaped. */
static void
child_hostile_term(int unused, int report_fd)
{
	char err[256];
	int rc;

	setenv("TERM", "\033]0;pwned\007\033[2J", 1);
	rc = tty_check(err, sizeof(err));
	if (write(report_fd, err, strlen(err) + 1) < 0)
		_exit(95);
	_exit(rc == -EINVAL ? 0 : 1);
}

START_TEST(test_hostile_term_is_escaped)
{
	struct pty_run r;
	char err[256] = "";
	ssize_t n;
	size_t i;

	pty_run(&r, child_hostile_term, 0);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 0);
	n = read(r.report[0], err, sizeof(err) - 1);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(err, "'\\e]0;pwned\\x07\\e[2J'"));
	for (i = 0; err[i]; i++)
		ck_assert_msg((unsigned char)err[i] >= 0x20, "raw byte in %s",
			      err);
	/* tty_check writes nothing to the terminal. */
	ck_assert_uint_eq(r.len, 0);
	pty_done(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tty");
	TCase *sig = tcase_create("signals");
	TCase *start = tcase_create("start");

	tcase_set_timeout(sig, 30);
	tcase_add_loop_test(sig, test_quit_signal_gives_terminal_back, 0,
			    NQUIT_TESTED);
	tcase_add_loop_test(sig, test_crash_signal_gives_terminal_back, 0,
			    (int)(sizeof(crash_sigs) / sizeof(crash_sigs[0])));
	tcase_add_test(sig, test_crash_chains_to_previous_handler);
	tcase_add_test(sig, test_close_restores_handlers);
	tcase_add_test(sig, test_ignored_signals_stay_ignored);
	suite_add_tcase(s, sig);
	tcase_add_test(start, test_escape_delay_is_short);
	tcase_add_test(start, test_escape_delay_from_environment_wins);
	tcase_add_test(start, test_hostile_term_is_escaped);
	suite_add_tcase(s, start);
	return test_run_suite(s);
}
