/*
 * check_link.c - the speaker-notes link (present/link.h): the presenter's
 * socket is private, a notes window gets the slide on connecting and
 * every change after, the newest line wins, a dead presenter's socket is
 * replaced, a live one is not taken over, and either side going away is
 * seen by the other.
 *
 * Each test runs in its own XDG_RUNTIME_DIR (a fresh 0700 directory), so
 * tests never meet each other's sockets.  Waits for data are poll()s
 * bounded by the test's timeout, never a guessed sleep.
 */
#include "checkutil.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "present/link.h"

static char rundir[64];

static void
link_setup(void)
{
	snprintf(rundir, sizeof(rundir), "/tmp/check-link.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(rundir));
	ck_assert_int_eq(chmod(rundir, 0700), 0);
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", rundir, 1), 0);
}

static void
link_teardown(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/lockstep-present.sock", rundir);
	unlink(path);
	rmdir(rundir);
}

static struct link_state
state(unsigned slide, unsigned reveal)
{
	struct link_state st = {
		.slide = slide,
		.nslides = 27,
		.reveal = reveal,
		.started = 1718000000,
	};

	snprintf(st.deck, sizeof(st.deck), "/decks/a deck with spaces.md");
	return st;
}

/* Read from c until a whole line came; fails the test on anything else. */
static void
read_state(struct link_client *c, struct link_state *st)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int r;

	for (;;) {
		ck_assert_int_eq(poll(&pfd, 1, -1), 1);
		r = link_read(c, st);
		ck_assert_int_ge(r, 0);
		if (r == 1)
			return;
	}
}

/* Accept the client that connected to s (its connect has completed, so
 * the listening socket is readable). */
static void
accept_one(struct link_server *s, const struct link_state *st)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, -1), 1);
	link_accept(s, st);
}

START_TEST(test_format_parse)
{
	struct link_state a = state(3, 1), b;
	char line[LINK_DECK_MAX + 128];

	ck_assert_int_gt(link_format(&a, line, sizeof(line)), 0);
	ck_assert_int_eq(link_parse(line, &b), 0);
	ck_assert_uint_eq(b.slide, 3);
	ck_assert_uint_eq(b.nslides, 27);
	ck_assert_uint_eq(b.reveal, 1);
	ck_assert_int_eq(b.started, 1718000000);
	ck_assert_str_eq(b.deck, "/decks/a deck with spaces.md");
	ck_assert_int_eq(link_parse("hello", &b), -EPROTO);
	ck_assert_int_eq(link_parse("lockstep-present 1 slide=0 of=3 "
				    "reveal=0 started=1 deck=/x", &b), -EPROTO);
	ck_assert_int_eq(link_parse("lockstep-present 1 slide=4 of=3 "
				    "reveal=0 started=1 deck=/x", &b), -EPROTO);
	ck_assert_int_eq(link_parse("lockstep-present 2 slide=1 of=3 "
				    "reveal=0 started=1 deck=/x", &b), -EPROTO);
	/* Too small a buffer is refused, not cut. */
	ck_assert_int_eq(link_format(&a, line, 20), -1);
}
END_TEST

START_TEST(test_socket_is_private)
{
	struct link_server s;
	struct stat st;
	char err[256], path[LINK_PATH_MAX];

	ck_assert_int_eq(link_listen(&s, err, sizeof(err)), 0);
	ck_assert_int_eq(link_path(path, sizeof(path), err, sizeof(err)), 0);
	ck_assert_str_eq(path, s.path);
	ck_assert_int_eq(strncmp(path, rundir, strlen(rundir)), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(st.st_uid, getuid());
	link_close(&s);
	ck_assert_int_eq(lstat(path, &st), -1);
	link_close(&s);		/* twice is fine */
}
END_TEST

START_TEST(test_shared_runtime_dir_refused)
{
	char err[256], path[LINK_PATH_MAX], want[64];

	/* A runtime directory others may enter is not used. */
	ck_assert_int_eq(chmod(rundir, 0755), 0);
	ck_assert_int_eq(link_path(path, sizeof(path), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "/tmp/lockstep-%u/", (unsigned)getuid());
	ck_assert_int_eq(strncmp(path, want, strlen(want)), 0);
}
END_TEST

START_TEST(test_follow)
{
	struct link_server s;
	struct link_client c;
	struct link_state a = state(1, 0), b = state(2, 0), got;
	char err[256];

	ck_assert_int_eq(link_listen(&s, err, sizeof(err)), 0);
	ck_assert_int_eq(link_connect(&c, err, sizeof(err)), 0);
	accept_one(&s, &a);
	read_state(&c, &got);
	ck_assert_uint_eq(got.slide, 1);
	/* Three changes before the window reads: it shows the newest. */
	link_publish(&s, &b);
	b.reveal = 1;
	link_publish(&s, &b);
	b.slide = 5;
	b.reveal = 0;
	link_publish(&s, &b);
	for (;;) {
		read_state(&c, &got);
		if (got.slide == 5)
			break;
		ck_assert_uint_eq(got.slide, 2);
	}
	ck_assert_uint_eq(got.reveal, 0);
	/* The presenter quits: the window sees it. */
	link_close(&s);
	{
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, -1), 1);
	}
	ck_assert_int_eq(link_read(&c, &got), -EPIPE);
	ck_assert_int_eq(c.fd, -1);
}
END_TEST

START_TEST(test_window_goes_away)
{
	struct link_server s;
	struct link_client c;
	struct link_state a = state(1, 0);
	struct pollfd pfd;
	char err[256];
	int i, fd = -1;

	ck_assert_int_eq(link_listen(&s, err, sizeof(err)), 0);
	ck_assert_int_eq(link_connect(&c, err, sizeof(err)), 0);
	accept_one(&s, &a);
	for (i = 0; i < LINK_MAX_CLIENTS; i++)
		if (s.client[i] >= 0)
			fd = s.client[i];
	ck_assert_int_ge(fd, 0);
	link_disconnect(&c);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, -1), 1);
	link_service(&s, fd);
	for (i = 0; i < LINK_MAX_CLIENTS; i++)
		ck_assert_int_eq(s.client[i], -1);
	/* Publishing to nobody is fine. */
	link_publish(&s, &a);
	link_close(&s);
}
END_TEST

START_TEST(test_one_presenter)
{
	struct link_server s, t;
	char err[256];

	ck_assert_int_eq(link_listen(&s, err, sizeof(err)), 0);
	ck_assert_int_eq(link_listen(&t, err, sizeof(err)), -EADDRINUSE);
	ck_assert_int_eq(t.fd, -1);
	ck_assert_ptr_nonnull(strstr(err, "another presenter"));
	link_close(&t);
	link_close(&s);
}
END_TEST

START_TEST(test_dead_presenter)
{
	struct link_server s;
	struct link_client c;
	char err[256];

	ck_assert_int_eq(link_connect(&c, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(link_listen(&s, err, sizeof(err)), 0);
	/* A presenter that died: its socket file stays, nobody accepts. */
	close(s.fd);
	ck_assert_int_eq(link_connect(&c, err, sizeof(err)), -ECONNREFUSED);
	ck_assert_int_eq(link_listen(&s, err, sizeof(err)), 0);
	ck_assert_int_eq(link_connect(&c, err, sizeof(err)), 0);
	link_disconnect(&c);
	link_close(&s);
}
END_TEST

static Suite *
link_suite(void)
{
	Suite *s = suite_create("link");
	TCase *tc = tcase_create("link");

	tcase_add_checked_fixture(tc, link_setup, link_teardown);
	tcase_add_test(tc, test_format_parse);
	tcase_add_test(tc, test_socket_is_private);
	tcase_add_test(tc, test_shared_runtime_dir_refused);
	tcase_add_test(tc, test_follow);
	tcase_add_test(tc, test_window_goes_away);
	tcase_add_test(tc, test_one_presenter);
	tcase_add_test(tc, test_dead_presenter);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(link_suite());
}
