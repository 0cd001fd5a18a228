/*
 * cast.c - asciicast v2 recording of standard output through a
 * pseudo-terminal (cast.h).
 *
 * Standard output (fd 1) is swapped for the slave side of a new pty with
 * the real terminal's size and modes; a copier thread reads the master
 * side, writes each chunk to the real terminal, and appends it to the
 * file as an "o" event.  A chunk that ends inside a UTF-8 sequence keeps
 * those bytes for the next one, since every event's data must be whole
 * characters.  cast_close puts the real terminal back on fd 1 and closes
 * the last slave descriptor; the master then reads end-of-file (EIO)
 * once drained, and the copier ends.
 *
 * Locking: lock guards the file and err_rc, which the copier (events)
 * and the ui thread (markers) both write; each event's time is taken
 * under it, so times never go back in the file.
 */
#include "config.h"

#include "ui/cast.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "ui/tty.h"
#include "util/file.h"

#define CAST_CHUNK 4096

struct cast {
	char path[512];
	FILE *f;
	int master, slave;	/* the pty; slave is also on fd 1 */
	int real_out;		/* the terminal, saved from fd 1 */
	uint64_t start;		/* CLOCK_MONOTONIC ns of the header */
	pthread_t copier;
	bool copying;		/* copier started and not joined */
	pthread_mutex_t lock;	/* guards f and err_rc */
	int err_rc;		/* the first write error, 0 none */
};

/* s (len bytes) as the inside of a JSON string into f. */
static void
cast_json(FILE *f, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
}

/* One event line, [time, "kind", "data"], under the lock. */
static void
cast_event(struct cast *c, char kind, const char *data, size_t len)
{
	int rc = pthread_mutex_lock(&c->lock);

	if (rc)
		abort();	/* a broken mutex: nothing sane is left */
	fprintf(c->f, "[%.6f, \"%c\", \"",
		(double)(ls_clock_ns() - c->start) / 1e9, kind);
	cast_json(c->f, data, len);
	fputs("\"]\n", c->f);
	if (ferror(c->f) && !c->err_rc)
		c->err_rc = -EIO;
	if (pthread_mutex_unlock(&c->lock))
		abort();
}

/* How many bytes at the end of buf (len) start a UTF-8 character that
 * is not complete yet: 0 to 3. */
static size_t
cast_utf8_tail(const unsigned char *buf, size_t len)
{
	size_t back;

	for (back = 1; back <= 3 && back <= len; back++) {
		unsigned char c = buf[len - back];
		size_t need;

		if ((c & 0xc0) == 0x80)
			continue;	/* a continuation byte: look further */
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		return need > back ? back : 0;
	}
	return 0;
}

/* Write all of buf to fd; a terminal that went away is not retried. */
static void
cast_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/* The copier: master -> terminal and file, until the slave is closed. */
static void *
cast_copier(void *arg)
{
	struct cast *c = arg;
	char buf[CAST_CHUNK + 4];
	size_t kept = 0;

	for (;;) {
		ssize_t r = read(c->master, buf + kept, CAST_CHUNK);
		size_t len, tail;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* EIO: every slave descriptor is closed */
		cast_write_all(c->real_out, buf + kept, (size_t)r);
		len = kept + (size_t)r;
		tail = cast_utf8_tail((unsigned char *)buf, len);
		if (len > tail)
			cast_event(c, 'o', buf, len - tail);
		memmove(buf, buf + len - tail, tail);
		kept = tail;
	}
	if (kept)
		cast_event(c, 'o', buf, kept);
	return NULL;
}

/* The header line: size, start time, the terminal type, a title. */
static void
cast_header(struct cast *c, const struct winsize *ws, const char *title)
{
	const char *term = getenv("TERM");

	fprintf(c->f, "{\"version\": 2, \"width\": %u, \"height\": %u, "
		"\"timestamp\": %lld, \"env\": {\"TERM\": \"",
		ws->ws_col, ws->ws_row, (long long)time(NULL));
	cast_json(c->f, term ? term : "", term ? strlen(term) : 0);
	fputs("\"}", c->f);
	if (title) {
		fputs(", \"title\": \"", c->f);
		cast_json(c->f, title, strlen(title));
		fputs("\"", c->f);
	}
	fputs("}\n", c->f);
}

/* A pty with the terminal's size and modes into c->master, c->slave. */
static int
cast_pty(struct cast *c, const struct winsize *ws, char *err, size_t n)
{
	struct termios tios;
	const char *name;

	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master < 0 || grantpt(c->master) || unlockpt(c->master) ||
	    !(name = ptsname(c->master)))
		goto fail;
	c->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave < 0)
		goto fail;
	if (!tcgetattr(STDOUT_FILENO, &tios))
		tcsetattr(c->slave, TCSANOW, &tios);
	ioctl(c->slave, TIOCSWINSZ, ws);
	return 0;
fail:
	snprintf(err, n, "%s: cannot make a pseudo-terminal: %s", c->path,
		 strerror(errno));
	return -errno;
}

int
cast_open(const char *path, const char *title, struct cast **out,
	  char *err, size_t n)
{
	struct cast *c = calloc(1, sizeof(*c));
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int rc;

	*out = NULL;
	if (!c) {
		snprintf(err, n, "%s: out of memory", path);
		return -ENOMEM;
	}
	c->master = c->slave = c->real_out = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	rc = pthread_mutex_init(&c->lock, NULL);
	if (rc) {
		snprintf(err, n, "%s: %s", path, strerror(rc));
		free(c);
		return -rc;
	}
	c->f = file_open(path, "w", err, n);
	if (!c->f) {
		rc = -errno;
		goto fail;
	}
	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	rc = cast_pty(c, &ws, err, n);
	if (rc)
		goto fail;
	c->start = ls_clock_ns();
	cast_header(c, &ws, title);
	fflush(stdout);
	c->real_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->real_out < 0 || dup2(c->slave, STDOUT_FILENO) < 0) {
		rc = -errno;
		snprintf(err, n, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* The copier takes no signal: the ui thread handles them all. */
	rc = tty_thread_start(&c->copier, cast_copier, c);
	if (rc) {
		dup2(c->real_out, STDOUT_FILENO);
		snprintf(err, n, "%s: %s", path, strerror(rc));
		rc = -rc;
		goto fail;
	}
	c->copying = true;
	*out = c;
	return 0;
fail:
	if (c->real_out >= 0)
		close(c->real_out);
	if (c->slave >= 0)
		close(c->slave);
	if (c->master >= 0)
		close(c->master);
	if (c->f) {
		fclose(c->f);
		unlink(path);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
	return rc;
}

void
cast_started(struct cast *c)
{
	struct termios tios;

	if (c && !tcgetattr(c->slave, &tios))
		tcsetattr(STDIN_FILENO, TCSANOW, &tios);
}

void
cast_marker(struct cast *c, const char *label)
{
	if (c)
		cast_event(c, 'm', label, strlen(label));
}

int
cast_close(struct cast *c, char *err, size_t n)
{
	int rc;

	if (!c)
		return 0;
	/* The real terminal back on fd 1, then the last slave closed: the
	 * copier drains what curses wrote and reads the end. */
	fflush(stdout);
	dup2(c->real_out, STDOUT_FILENO);
	close(c->slave);
	if (c->copying && pthread_join(c->copier, NULL))
		abort();	/* a thread we started cannot be lost */
	/* Only now: the copier wrote to it until the end. */
	close(c->real_out);
	close(c->master);
	rc = c->err_rc;
	if (fclose(c->f) && !rc)
		rc = -EIO;
	if (rc)
		snprintf(err, n, "%s: %s", c->path, strerror(-rc));
	pthread_mutex_destroy(&c->lock);
	free(c);
	return rc;
}
