/*
 * record.h - event recordings: an event stream and the names it needs,
 * in a versioned binary file, written by whoever drains the ring and read
 * back, event for event, by replay and export.
 *
 * The format (version 1; every number little-endian):
 *
 *   header, 32 bytes:
 *     0  8  magic "\x89LSR\r\n\x1a\n"
 *     8  2  version, 1
 *    10  2  header length, 32
 *    12  4  flags, 0 (a bit this reader does not know: refused)
 *    16  8  when recording began, CLOCK_REALTIME ns (information only)
 *    24  4  reserved, 0
 *    28  4  CRC-32 of bytes 0..27
 *   blocks, each:
 *     0  4  payload length L, 1..RECORD_MAX_BLOCK
 *     4  4  CRC-32 of the payload
 *     8  L  records, none split between blocks
 *   records, a type byte and its fields:
 *     1 thread   u16 tid, u8 n, n bytes of name (n <= LS_NAME_MAX)
 *     2 object   u32 id, u8 kind (enum ls_obj_kind), u8 n, name
 *     3 event    u64 ts, u64 arg, u32 seq, u32 obj, u16 tid, u16 kind,
 *                u32 aux (struct ls_event), timestamps never decrease
 *     4 dropped  u64 events the ring has dropped so far
 *     5 end      u64 events, u32 thread records, u32 object records;
 *                the last record of the last block, nothing after it
 *     6 meta     u8 n, key, u8 m, value: text about the run: "target"
 *                (the scene), "params" ("fix=none adders=2"), "broken"
 *                (its invariant broke: "NAME: DETAIL", written last)
 *
 * Names may come at any point, as they do from the ring, and a later
 * name for the same tid or id replaces the earlier one.  Every byte is
 * covered by a checksum, and the end record by counts, so a truncated,
 * corrupted or newer file is refused when it is opened, with what is
 * wrong and at which byte, before anything is read from it.
 */
#ifndef LOCKSTEP_TRACE_RECORD_H
#define LOCKSTEP_TRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/event.h"
#include "lockstep/ring.h"

#define RECORD_VERSION 1
#define RECORD_HEADER 32
/* Largest block payload a reader accepts; writers use 64 KiB. */
#define RECORD_MAX_BLOCK (1u << 20)
#define RECORD_META_MAX 255

struct record_writer;
struct record_reader;

/*
 * Create (or truncate) the recording at path and write its header.
 * Returns 0 and the writer in *out, or a negative errno with "PATH: why"
 * in err.  One thread at a time uses a writer: the one that drains.
 */
int record_writer_open(const char *path, struct record_writer **out,
		       char *err, size_t n);

/* The same on a stream open for writing; f is not closed by the writer. */
int record_writer_fopen(FILE *f, const char *name, struct record_writer **out,
			char *err, size_t n);

/*
 * Records.  Each returns 0 or a negative errno; the first error sticks:
 * every later call returns it, and so does record_writer_close.  Names
 * longer than LS_NAME_MAX are cut.  -EINVAL for a tid or an id of 0, an
 * object kind or event kind out of range, an event older than the one
 * before (the ring yields them in order), or a drop count that went down.
 */
int record_write_thread(struct record_writer *w, unsigned tid,
			const char *name);
int record_write_object(struct record_writer *w, uint32_t id, unsigned kind,
			const char *name);
int record_write_events(struct record_writer *w, const struct ls_event *ev,
			size_t n);
int record_write_dropped(struct record_writer *w, uint64_t total);
/* A key and its value (each at most RECORD_META_MAX bytes, no NUL), for
 * readers to show: "target", "params", "seed"... */
int record_write_meta(struct record_writer *w, const char *key,
		      const char *value);

/*
 * Write the end record, flush, close the file (when the writer opened it)
 * and free the writer.  Returns 0, or the first error of the writer's
 * life with "PATH: why" in err.  A recording closed with an error is
 * incomplete and will be refused by the reader.
 */
int record_writer_close(struct record_writer *w, char *err, size_t n);

/* What record_read returns. */
enum record_kind {
	RECORD_EVENT = 1,
	RECORD_THREAD,
	RECORD_OBJECT,
	RECORD_DROPPED,
	RECORD_META,
};

struct record_item {
	unsigned kind;			/* enum record_kind */
	struct ls_event ev;		/* an event */
	uint32_t id;			/* a thread's tid, an object's id */
	unsigned obj_kind;		/* an object's kind */
	char name[LS_NAME_MAX + 1];	/* a thread's or object's name */
	uint64_t dropped;		/* events dropped so far */
	char key[RECORD_META_MAX + 1];	/* meta */
	char value[RECORD_META_MAX + 1];
};

struct record_info {
	unsigned version;
	uint64_t started_ns;		/* CLOCK_REALTIME */
	uint64_t events;
	uint32_t threads, objects;	/* name records */
	uint64_t bytes;			/* the file's size */
};

/*
 * Open a recording and check all of it.  Returns 0 and the reader in
 * *out, or: -EINVAL with "PATH: byte N: what is wrong" in err when the
 * file is truncated, corrupted or not a recording; -EPROTONOSUPPORT
 * ("... version V is newer ...") when a newer lockstep wrote it; another
 * negative errno ("PATH: why") when it cannot be read.
 */
int record_reader_open(const char *path, struct record_reader **out,
		       char *err, size_t n);

/* The same for the len bytes at buf, called name in messages; buf must
 * outlive the reader. */
int record_reader_open_mem(const void *buf, size_t len, const char *name,
			   struct record_reader **out, char *err, size_t n);

/* The next item into *it: 1, or 0 at the end; -EIO (message in err) if
 * the file changed under the reader. */
int record_read(struct record_reader *r, struct record_item *it, char *err,
		size_t n);

/* Start over from the first item. */
int record_rewind(struct record_reader *r);

/* What the header and the end record say. */
void record_reader_info(const struct record_reader *r,
			struct record_info *out);

void record_reader_close(struct record_reader *r);

/* CRC-32 (IEEE 802.3, as zlib's crc32) of n bytes, continuing from crc
 * (0 to start). */
uint32_t record_crc32(uint32_t crc, const void *buf, size_t n);

#endif
