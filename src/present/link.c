/*
 * link.c - the speaker-notes link (link.h): a private AF_UNIX socket the
 * presenter listens on and publishes its slide to, one line a change.
 *
 * Nothing here blocks the presenter: the sockets are non-blocking, and a
 * notes window that does not read (its buffer full) is dropped rather
 * than waited for; it reconnects and gets the current slide.  Sends use
 * MSG_NOSIGNAL, so a window closed mid-send is an error, not a SIGPIPE
 * (which the ui treats as a reason to quit).
 */
#include "config.h"

#include "present/link.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LINK_MAGIC "lockstep-present 1 "
#define LINK_NAME "lockstep-present.sock"

/* Is dir a directory this user owns that nobody else may enter? */
static bool
link_private_dir(const char *dir)
{
	struct stat st;

	return !lstat(dir, &st) && S_ISDIR(st.st_mode) &&
	       st.st_uid == getuid() && !(st.st_mode & 077);
}

int
link_path(char *path, size_t n, char *err, size_t errn)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char dir[LINK_PATH_MAX];
	int len;

	if (xdg && xdg[0] == '/' && link_private_dir(xdg)) {
		len = snprintf(dir, sizeof(dir), "%s", xdg);
	} else {
		len = snprintf(dir, sizeof(dir), "/tmp/lockstep-%u",
			       (unsigned)getuid());
		if (mkdir(dir, 0700) && errno != EEXIST) {
			snprintf(err, errn, "cannot make %s: %s", dir,
				 strerror(errno));
			return -errno;
		}
		if (!link_private_dir(dir)) {
			snprintf(err, errn, "%s is not a private directory "
				 "of yours (it must be yours, mode 0700)", dir);
			return -EPERM;
		}
	}
	if (len < 0 || (size_t)len >= sizeof(dir) ||
	    snprintf(path, n, "%s/%s", dir, LINK_NAME) >= (int)n ||
	    strlen(path) >= LINK_PATH_MAX) {
		snprintf(err, errn, "the socket's path under %s is too long",
			 dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

static void
link_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, strlen(path) + 1);
}

/* Does anyone accept on path?  A blocking probe: a local connect
 * answers at once, accepted or refused. */
static bool
link_alive(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	link_addr(&a, path);
	alive = !connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return alive;
}

/* Bind fd to path with mode 0600.  The umask is the process's: this runs
 * before the presenter starts any other thread. */
static int
link_bind(int fd, const char *path)
{
	struct sockaddr_un a;
	mode_t old = umask(0177);
	int rc;

	link_addr(&a, path);
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
	umask(old);
	return rc;
}

int
link_listen(struct link_server *s, char *err, size_t n)
{
	int i, rc;

	s->fd = -1;
	for (i = 0; i < LINK_MAX_CLIENTS; i++)
		s->client[i] = -1;
	rc = link_path(s->path, sizeof(s->path), err, n);
	if (rc)
		goto fail;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = -errno;
		snprintf(err, n, "socket: %s", strerror(errno));
		goto fail;
	}
	rc = link_bind(s->fd, s->path);
	if (rc == -EADDRINUSE) {
		if (link_alive(s->path)) {
			snprintf(err, n, "another presenter is publishing "
				 "on %s", s->path);
			goto fail;
		}
		/* A dead presenter's socket: ours now. */
		unlink(s->path);
		rc = link_bind(s->fd, s->path);
	}
	if (!rc && listen(s->fd, LINK_MAX_CLIENTS))
		rc = -errno;
	if (rc) {
		snprintf(err, n, "%s: %s", s->path, strerror(-rc));
		goto fail;
	}
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->path[0] = '\0';
	return rc;
}

int
link_format(const struct link_state *st, char *buf, size_t n)
{
	int len = snprintf(buf, n, LINK_MAGIC "slide=%u of=%u reveal=%u "
			   "started=%" PRId64 " deck=%s", st->slide,
			   st->nslides, st->reveal, st->started, st->deck);

	return len < 0 || (size_t)len >= n ? -1 : len;
}

int
link_parse(const char *line, struct link_state *st)
{
	unsigned slide, of, reveal;
	int64_t started;
	int at = -1;

	if (strncmp(line, LINK_MAGIC, strlen(LINK_MAGIC)))
		return -EPROTO;
	line += strlen(LINK_MAGIC);
	if (sscanf(line, "slide=%u of=%u reveal=%u started=%" SCNd64
		   " deck=%n", &slide, &of, &reveal, &started, &at) != 4 ||
	    at < 0 || !slide || slide > of || strlen(line + at) >= LINK_DECK_MAX)
		return -EPROTO;
	st->slide = slide;
	st->nslides = of;
	st->reveal = reveal;
	st->started = started;
	snprintf(st->deck, sizeof(st->deck), "%s", line + at);
	return 0;
}

/* Send st's line to client i; drop it if it cannot take it all now. */
static void
link_send(struct link_server *s, int i, const struct link_state *st)
{
	char line[LINK_DECK_MAX + 128];
	int len = link_format(st, line, sizeof(line) - 1);

	if (len < 0)
		return;
	line[len++] = '\n';
	if (send(s->client[i], line, (size_t)len, MSG_NOSIGNAL) != len) {
		close(s->client[i]);
		s->client[i] = -1;
	}
}

void
link_accept(struct link_server *s, const struct link_state *st)
{
	int fd, i;

	if (s->fd < 0)
		return;
	while ((fd = accept4(s->fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < LINK_MAX_CLIENTS && s->client[i] >= 0; i++)
			;
		if (i == LINK_MAX_CLIENTS) {
			close(fd);	/* more windows than anyone needs */
			continue;
		}
		s->client[i] = fd;
		link_send(s, i, st);
	}
}

void
link_publish(struct link_server *s, const struct link_state *st)
{
	int i;

	for (i = 0; i < LINK_MAX_CLIENTS; i++)
		if (s->client[i] >= 0)
			link_send(s, i, st);
}

void
link_service(struct link_server *s, int fd)
{
	char buf[256];
	ssize_t r;
	int i;

	for (i = 0; i < LINK_MAX_CLIENTS; i++)
		if (s->client[i] == fd)
			break;
	if (i == LINK_MAX_CLIENTS)
		return;
	/* A notes window says nothing; what it sends is read and dropped
	 * so that its end of file (it went away) is seen. */
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(fd);
		s->client[i] = -1;
	}
}

void
link_close(struct link_server *s)
{
	int i;

	for (i = 0; i < LINK_MAX_CLIENTS; i++) {
		if (s->client[i] >= 0)
			close(s->client[i]);
		s->client[i] = -1;
	}
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = -1;
}

int
link_connect(struct link_client *c, char *err, size_t n)
{
	char path[LINK_PATH_MAX];
	struct sockaddr_un a;
	int rc;

	c->fd = -1;
	c->len = 0;
	rc = link_path(path, sizeof(path), err, n);
	if (rc)
		return rc;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, n, "socket: %s", strerror(errno));
		return -errno;
	}
	link_addr(&a, path);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    fcntl(c->fd, F_SETFL, O_NONBLOCK)) {
		rc = -errno;
		snprintf(err, n, "%s: %s", path, strerror(errno));
		link_disconnect(c);
		return rc;
	}
	return 0;
}

int
link_read(struct link_client *c, struct link_state *st)
{
	struct link_state got;
	ssize_t r;
	char *nl, *line;
	int fresh = 0;

	for (;;) {
		if (c->len == sizeof(c->buf)) {
			link_disconnect(c);
			return -EPROTO;	/* a line longer than any of ours */
		}
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			link_disconnect(c);
			return -EPIPE;
		}
		if (r < 0 && errno == EAGAIN)
			break;
		if (r > 0)
			c->len += (size_t)r;
		/* Whole lines: the newest one wins. */
		line = c->buf;
		while ((nl = memchr(line, '\n', c->len - (size_t)(line -
								  c->buf)))) {
			*nl = '\0';
			if (link_parse(line, &got)) {
				link_disconnect(c);
				return -EPROTO;
			}
			*st = got;
			fresh = 1;
			line = nl + 1;
		}
		c->len -= (size_t)(line - c->buf);
		memmove(c->buf, line, c->len);
	}
	return fresh;
}

void
link_disconnect(struct link_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}
