/*
 * link.h - the speaker-notes link: the presenting window publishes which
 * slide it shows on a local socket, and a notes window in a second
 * terminal (`lockstep present DECK.md --notes`) follows it.
 *
 * The socket is AF_UNIX, in $XDG_RUNTIME_DIR (private to the user by its
 * specification) or else in /tmp/lockstep-UID, a directory this user
 * owns with mode 0700 (checked, never followed through a symlink); the
 * socket itself is made with mode 0600.  One presenter per user: a second
 * one finds the first listening and presents without the link.  A socket
 * left by a presenter that died is found dead (nothing accepts) and
 * replaced.
 *
 * What goes over it is one text line per change, newest wins:
 *     lockstep-present 1 slide=3 of=27 reveal=1 started=1718000000 deck=/abs/deck.md
 * slide counts from 1; started is the presenter's start, in seconds
 * since the epoch; the deck's absolute path ends the line.  Pure C, no
 * curses; each side uses its link from one thread.
 */
#ifndef LOCKSTEP_PRESENT_LINK_H
#define LOCKSTEP_PRESENT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_PATH_MAX 108	/* sun_path's size on Linux */
#define LINK_DECK_MAX 4096
#define LINK_MAX_CLIENTS 8

/* Where the presenter is, as one message says it. */
struct link_state {
	unsigned slide;		/* from 1 */
	unsigned nslides;
	unsigned reveal;	/* pauses revealed */
	int64_t started;	/* epoch seconds */
	char deck[LINK_DECK_MAX];	/* absolute path */
};

/* The presenter's end: a listening socket and the notes windows on it. */
struct link_server {
	int fd;			/* -1: not listening */
	int client[LINK_MAX_CLIENTS];	/* -1: free */
	char path[LINK_PATH_MAX];
};

/* A notes window's end, and the partial line read so far. */
struct link_client {
	int fd;			/* -1: not connected */
	char buf[LINK_DECK_MAX + 256];
	size_t len;
};

/*
 * The socket's path into path (the directory made and checked on the
 * way).  Returns 0, or a negative errno with a reason in err.
 */
int link_path(char *path, size_t n, char *err, size_t errn);

/*
 * Listen (non-blocking) on the link's socket.  Returns 0; -EADDRINUSE
 * when another presenter of this user listens there; another negative
 * errno with a reason in err.  s is set to "not listening" on failure.
 */
int link_listen(struct link_server *s, char *err, size_t n);

/* Accept every notes window that is waiting, and send each st.  Call
 * when the listening socket is readable; never blocks. */
void link_accept(struct link_server *s, const struct link_state *st);

/* Send st to every notes window; one that has gone away is dropped. */
void link_publish(struct link_server *s, const struct link_state *st);

/* Drop notes windows whose socket hung up (revents of poll on them
 * reported it); and read and discard what they sent. */
void link_service(struct link_server *s, int fd);

/* Close everything and remove the socket.  Safe twice. */
void link_close(struct link_server *s);

/*
 * Connect to the presenter, non-blocking.  Returns 0; -ENOENT or
 * -ECONNREFUSED when no presenter runs; another negative errno with a
 * reason in err.
 */
int link_connect(struct link_client *c, char *err, size_t n);

/*
 * Read what the presenter sent (call when c->fd is readable): the newest
 * whole line into *st.  Returns 1 when *st is new, 0 when no whole line
 * came yet, -EPIPE when the presenter went away (c is closed), -EPROTO
 * for a line that is not the link's (c is closed).
 */
int link_read(struct link_client *c, struct link_state *st);

void link_disconnect(struct link_client *c);

/* The line for st, without its newline, into buf; its length, or -1
 * when it does not fit. */
int link_format(const struct link_state *st, char *buf, size_t n);

/* Parse one line (no newline).  Returns 0 or -EPROTO. */
int link_parse(const char *line, struct link_state *st);

#endif
