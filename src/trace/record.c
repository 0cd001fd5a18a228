/*
 * record.c - event recordings (record.h): the writer buffers records into
 * blocks and writes each with its checksum; the reader checks the whole
 * file when it opens it (header, every block's checksum, every record's
 * fields, the end record's counts), then rewinds and hands back the
 * items.  All numbers are encoded byte by byte, so the file is the same
 * on any host.
 */
#include "config.h"

#include "trace/record.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/file.h"

static const unsigned char record_magic[8] = {
	0x89, 'L', 'S', 'R', '\r', '\n', 0x1a, '\n',
};

enum {
	REC_THREAD = 1,
	REC_OBJECT = 2,
	REC_EVENT = 3,
	REC_DROPPED = 4,
	REC_END = 5,
	REC_META = 6,
};

/* Record sizes without names. */
#define SIZE_THREAD 4		/* type, tid, length */
#define SIZE_OBJECT 7		/* type, id, kind, length */
#define SIZE_EVENT 33
#define SIZE_DROPPED 9
#define SIZE_END 17
#define SIZE_META 3		/* type, key length, value length */
#define WRITE_BLOCK 65536

/* CRC-32 tables for eight bytes at a time ("slicing by 8"): table[0]
 * is the byte-wise table, table[k] a byte followed by k zero bytes.
 * Filled once, before any use, under pthread_once. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	uint32_t c;
	unsigned i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^
					  crc_table[0][crc_table[k - 1][i] &
						       0xff];
}

uint32_t
record_crc32(uint32_t crc, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	uint32_t lo, hi;

	/* It cannot fail once the once-control is initialised statically;
	 * if it ever did, the tables would be zero and every checksum
	 * would fail loudly, never silently pass. */
	if (pthread_once(&crc_once, crc_init))
		abort();
	crc = ~crc;
	for (; n >= 8; n -= 8, p += 8) {
		lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
		     (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (n--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t
get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The writer. */

struct record_writer {
	FILE *f;
	bool own;		/* opened here: closed here */
	char *name;
	int error;		/* the first error, sticky */
	char why[160];
	unsigned char block[WRITE_BLOCK];
	size_t used;
	uint64_t events, last_ts, dropped;
	uint32_t threads, objects;
};

static int
w_fail(struct record_writer *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
w_fail(struct record_writer *w, int err, const char *fmt, ...)
{
	va_list ap;

	if (w->error)
		return w->error;
	w->error = err;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return err;
}

static int
w_flush(struct record_writer *w)
{
	unsigned char head[8];

	if (w->error || !w->used)
		return w->error;
	put32(head, (uint32_t)w->used);
	put32(head + 4, record_crc32(0, w->block, w->used));
	if (fwrite(head, 1, 8, w->f) != 8 ||
	    fwrite(w->block, 1, w->used, w->f) != w->used)
		return w_fail(w, -EIO, "write error");
	w->used = 0;
	return 0;
}

/* Room for a record of n bytes in the block, or the error. */
static int
w_room(struct record_writer *w, size_t n)
{
	if (w->error)
		return w->error;
	if (w->used + n > WRITE_BLOCK)
		return w_flush(w);
	return 0;
}

int
record_writer_fopen(FILE *f, const char *name, struct record_writer **out,
		    char *err, size_t n)
{
	unsigned char head[RECORD_HEADER] = { 0 };
	struct record_writer *w;
	struct timespec now;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->name = strdup(name))) {
		free(w);
		snprintf(err, n, "%s: out of memory", name);
		return -ENOMEM;
	}
	w->f = f;
	clock_gettime(CLOCK_REALTIME, &now);
	memcpy(head, record_magic, 8);
	put16(head + 8, RECORD_VERSION);
	put16(head + 10, RECORD_HEADER);
	put64(head + 16, (uint64_t)now.tv_sec * 1000000000u +
			 (uint64_t)now.tv_nsec);
	put32(head + 28, record_crc32(0, head, 28));
	if (fwrite(head, 1, RECORD_HEADER, f) != RECORD_HEADER) {
		snprintf(err, n, "%s: write error", name);
		free(w->name);
		free(w);
		return -EIO;
	}
	*out = w;
	return 0;
}

int
record_writer_open(const char *path, struct record_writer **out, char *err,
		   size_t n)
{
	FILE *f = file_open(path, "wb", err, n);
	int rc;

	*out = NULL;
	if (!f)
		return -errno;
	rc = record_writer_fopen(f, path, out, err, n);
	if (rc)
		fclose(f);
	else
		(*out)->own = true;
	return rc;
}

/* A name of at most LS_NAME_MAX bytes. */
static size_t
name_length(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len > LS_NAME_MAX ? LS_NAME_MAX : len;
}

int
record_write_thread(struct record_writer *w, unsigned tid, const char *name)
{
	size_t len = name_length(name);
	unsigned char *p;
	int rc;

	if (!tid || tid > LS_RING_MAX_TIDS)
		return w_fail(w, -EINVAL, "thread id %u out of range", tid);
	rc = w_room(w, SIZE_THREAD + len);
	if (rc)
		return rc;
	p = w->block + w->used;
	p[0] = REC_THREAD;
	put16(p + 1, (uint16_t)tid);
	p[3] = (unsigned char)len;
	if (len)
		memcpy(p + 4, name, len);
	w->used += SIZE_THREAD + len;
	w->threads++;
	return 0;
}

int
record_write_object(struct record_writer *w, uint32_t id, unsigned kind,
		    const char *name)
{
	size_t len = name_length(name);
	unsigned char *p;
	int rc;

	if (!id || kind >= LS_OBJ_KIND_COUNT)
		return w_fail(w, -EINVAL, "object %u of kind %u out of range",
			      id, kind);
	rc = w_room(w, SIZE_OBJECT + len);
	if (rc)
		return rc;
	p = w->block + w->used;
	p[0] = REC_OBJECT;
	put32(p + 1, id);
	p[5] = (unsigned char)kind;
	p[6] = (unsigned char)len;
	if (len)
		memcpy(p + 7, name, len);
	w->used += SIZE_OBJECT + len;
	w->objects++;
	return 0;
}

int
record_write_events(struct record_writer *w, const struct ls_event *ev,
		    size_t n)
{
	unsigned char *p;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct ls_event *e = &ev[i];

		if (!e->kind || e->kind >= LS_EV_KIND_COUNT || !e->tid)
			return w_fail(w, -EINVAL, "event of kind %u by thread "
				      "%u out of range", e->kind, e->tid);
		if (e->ts < w->last_ts)
			return w_fail(w, -EINVAL, "events out of order (%llu "
				      "after %llu)",
				      (unsigned long long)e->ts,
				      (unsigned long long)w->last_ts);
		rc = w_room(w, SIZE_EVENT);
		if (rc)
			return rc;
		p = w->block + w->used;
		p[0] = REC_EVENT;
		put64(p + 1, e->ts);
		put64(p + 9, e->arg);
		put32(p + 17, e->seq);
		put32(p + 21, e->obj);
		put16(p + 25, e->tid);
		put16(p + 27, e->kind);
		put32(p + 29, e->aux);
		w->used += SIZE_EVENT;
		w->last_ts = e->ts;
		w->events++;
	}
	return 0;
}

int
record_write_dropped(struct record_writer *w, uint64_t total)
{
	int rc;

	if (total < w->dropped)
		return w_fail(w, -EINVAL, "drop count went down");
	if (total == w->dropped)
		return w->error;
	rc = w_room(w, SIZE_DROPPED);
	if (rc)
		return rc;
	w->block[w->used] = REC_DROPPED;
	put64(w->block + w->used + 1, total);
	w->used += SIZE_DROPPED;
	w->dropped = total;
	return 0;
}

int
record_write_meta(struct record_writer *w, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);
	unsigned char *p;
	int rc;

	if (!kl || kl > RECORD_META_MAX || vl > RECORD_META_MAX)
		return w_fail(w, -EINVAL, "meta key or value too long");
	rc = w_room(w, SIZE_META + kl + vl);
	if (rc)
		return rc;
	p = w->block + w->used;
	p[0] = REC_META;
	p[1] = (unsigned char)kl;
	memcpy(p + 2, key, kl);
	p[2 + kl] = (unsigned char)vl;
	if (vl)
		memcpy(p + 3 + kl, value, vl);
	w->used += SIZE_META + kl + vl;
	return 0;
}

int
record_writer_close(struct record_writer *w, char *err, size_t n)
{
	int rc = w_room(w, SIZE_END);

	if (!rc) {
		w->block[w->used] = REC_END;
		put64(w->block + w->used + 1, w->events);
		put32(w->block + w->used + 9, w->threads);
		put32(w->block + w->used + 13, w->objects);
		w->used += SIZE_END;
		rc = w_flush(w);
	}
	if (fflush(w->f))
		rc = w_fail(w, -EIO, "write error");
	if (w->own && fclose(w->f))
		rc = w_fail(w, -EIO, "write error");
	rc = w->error;
	if (rc)
		snprintf(err, n, "%s: %s", w->name, w->why);
	free(w->name);
	free(w);
	return rc;
}

/* The reader. */

struct record_reader {
	FILE *f;
	char *name;
	uint64_t size;		/* of the file */
	uint64_t at;		/* where the next block begins */
	uint64_t block_at;	/* where the current one began */
	unsigned char *block;
	size_t cap;		/* bytes allocated at block */
	size_t len, pos;	/* its payload's length; the next record */
	bool ended;
	uint64_t events, last_ts, dropped;
	uint32_t threads, objects;
	struct record_info info;
	char *err;		/* where messages go, for this call */
	size_t errn;
};

static int
r_fail(struct record_reader *r, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
r_fail(struct record_reader *r, uint64_t at, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errn, "%s: byte %llu: %s", r->name,
		 (unsigned long long)at, what);
	return -EINVAL;
}

/* Read the next block's header and payload, checked. */
static int
r_block(struct record_reader *r)
{
	unsigned char head[8];
	uint64_t off = r->at;
	uint32_t len, crc;

	if (off == r->size)
		return r_fail(r, off, "truncated: the file ends before its end "
			      "record");
	if (r->size - off < 8 || fread(head, 1, 8, r->f) != 8)
		return r_fail(r, off, "truncated: the file ends inside a block "
			      "header");
	len = get32(head);
	crc = get32(head + 4);
	if (!len || len > RECORD_MAX_BLOCK)
		return r_fail(r, off, "a block of %lu bytes (blocks hold 1 to "
			      "%u): corrupted", (unsigned long)len,
			      RECORD_MAX_BLOCK);
	if (r->size - off - 8 < len)
		return r_fail(r, off, "truncated: the block here holds %lu "
			      "bytes, %llu remain", (unsigned long)len,
			      (unsigned long long)(r->size - off - 8));
	/* The buffer grows to the largest block read: writers use 64 KiB,
	 * and only a damaged or hostile file claims more. */
	if (len > r->cap) {
		unsigned char *b = realloc(r->block, len);

		if (!b)
			return r_fail(r, off, "out of memory for a block of "
				      "%lu bytes", (unsigned long)len);
		r->block = b;
		r->cap = len;
	}
	if (fread(r->block, 1, len, r->f) != len)
		return r_fail(r, off, "truncated: the file ends inside a "
			      "block");
	if (record_crc32(0, r->block, len) != crc)
		return r_fail(r, off, "checksum mismatch: the block here is "
			      "corrupted");
	r->block_at = off;
	r->at = off + 8 + len;
	r->len = len;
	r->pos = 0;
	return 0;
}

/* Text of n bytes at p into out (room for n + 1). */
static int
r_name_n(struct record_reader *r, uint64_t at, const unsigned char *p,
	 size_t n, char *out)
{
	if (memchr(p, '\0', n))
		return r_fail(r, at, "a NUL byte in a name: corrupted");
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The end record at p: the counts must be what was read, and nothing
 * may follow. */
static int
r_end(struct record_reader *r, uint64_t at, const unsigned char *p)
{
	uint64_t events = get64(p + 1);
	uint32_t threads = get32(p + 9), objects = get32(p + 13);

	if (events != r->events || threads != r->threads ||
	    objects != r->objects)
		return r_fail(r, at, "the end record counts %llu events, %lu "
			      "threads and %lu objects; the file holds %llu, "
			      "%lu and %lu", (unsigned long long)events,
			      (unsigned long)threads, (unsigned long)objects,
			      (unsigned long long)r->events,
			      (unsigned long)r->threads,
			      (unsigned long)r->objects);
	if (r->pos + SIZE_END != r->len)
		return r_fail(r, at + SIZE_END, "%zu bytes after the end "
			      "record", r->len - r->pos - SIZE_END);
	if (r->at != r->size)
		return r_fail(r, r->at, "%llu bytes after the end of the "
			      "recording",
			      (unsigned long long)(r->size - r->at));
	r->info.events = events;
	r->info.threads = threads;
	r->info.objects = objects;
	r->ended = true;
	return 0;
}

/* The size a record of type t at p needs, 0 when t is unknown. */
static size_t
r_size(unsigned t, const unsigned char *p, size_t avail)
{
	switch (t) {
	case REC_THREAD:
		return avail >= SIZE_THREAD ? SIZE_THREAD + p[3] : SIZE_THREAD;
	case REC_OBJECT:
		return avail >= SIZE_OBJECT ? SIZE_OBJECT + p[6] : SIZE_OBJECT;
	case REC_EVENT:
		return SIZE_EVENT;
	case REC_DROPPED:
		return SIZE_DROPPED;
	case REC_END:
		return SIZE_END;
	case REC_META:
		/* The value's length follows the key. */
		if (avail < 2 || avail < 3 + (size_t)p[1])
			return SIZE_META + (avail >= 2 ? p[1] : 0);
		return SIZE_META + p[1] + p[2 + p[1]];
	default:
		return 0;
	}
}

static int
r_event(struct record_reader *r, uint64_t at, const unsigned char *p,
	struct record_item *it)
{
	struct ls_event *e = &it->ev;

	e->ts = get64(p + 1);
	e->arg = get64(p + 9);
	e->seq = get32(p + 17);
	e->obj = get32(p + 21);
	e->tid = get16(p + 25);
	e->kind = get16(p + 27);
	e->aux = get32(p + 29);
	if (!e->kind || e->kind >= LS_EV_KIND_COUNT)
		return r_fail(r, at, "event kind %u is not one this lockstep "
			      "knows", e->kind);
	if (!e->tid)
		return r_fail(r, at, "an event of thread 0: corrupted");
	if (e->ts < r->last_ts)
		return r_fail(r, at, "an event older than the one before it: "
			      "corrupted");
	r->last_ts = e->ts;
	r->events++;
	it->kind = RECORD_EVENT;
	return 0;
}

/* The next item: 1, 0 at the end, or -EINVAL with the message. */
static int
r_next(struct record_reader *r, struct record_item *it)
{
	const unsigned char *p;
	uint64_t at;
	size_t need;
	unsigned t;
	int rc;

	if (r->ended)
		return 0;
	if (r->pos == r->len) {
		rc = r_block(r);
		if (rc)
			return rc;
	}
	p = r->block + r->pos;
	at = r->block_at + 8 + r->pos;
	t = p[0];
	need = r_size(t, p, r->len - r->pos);
	if (!need)
		return r_fail(r, at, "unknown record type %u: corrupted", t);
	if ((t == REC_THREAD && need > SIZE_THREAD + LS_NAME_MAX) ||
	    (t == REC_OBJECT && need > SIZE_OBJECT + LS_NAME_MAX))
		return r_fail(r, at, "a name of %zu bytes (at most %u)",
			      need - (t == REC_THREAD ? SIZE_THREAD
						      : SIZE_OBJECT),
			      LS_NAME_MAX);
	if (need > r->len - r->pos)
		return r_fail(r, at, "a record runs past the end of its block: "
			      "corrupted");
	memset(it, 0, sizeof(*it));
	switch (t) {
	case REC_THREAD:
		it->kind = RECORD_THREAD;
		it->id = get16(p + 1);
		if (!it->id)
			return r_fail(r, at, "thread id 0: corrupted");
		rc = r_name_n(r, at, p + SIZE_THREAD, p[3], it->name);
		r->threads++;
		break;
	case REC_OBJECT:
		it->kind = RECORD_OBJECT;
		it->id = get32(p + 1);
		it->obj_kind = p[5];
		if (!it->id || it->obj_kind >= LS_OBJ_KIND_COUNT)
			return r_fail(r, at, "object %lu of kind %u: "
				      "corrupted", (unsigned long)it->id,
				      it->obj_kind);
		rc = r_name_n(r, at, p + SIZE_OBJECT, p[6], it->name);
		r->objects++;
		break;
	case REC_EVENT:
		rc = r_event(r, at, p, it);
		break;
	case REC_META:
		it->kind = RECORD_META;
		rc = r_name_n(r, at, p + 2, p[1], it->key);
		if (!rc)
			rc = r_name_n(r, at, p + 3 + p[1], p[2 + p[1]],
				      it->value);
		if (!rc && !it->key[0])
			rc = r_fail(r, at, "a meta record without a key: "
				    "corrupted");
		break;
	case REC_DROPPED:
		it->kind = RECORD_DROPPED;
		it->dropped = get64(p + 1);
		if (it->dropped < r->dropped)
			return r_fail(r, at, "the drop count goes down: "
				      "corrupted");
		r->dropped = it->dropped;
		rc = 0;
		break;
	default:
		rc = r_end(r, at, p);
		if (!rc)
			return 0;
		break;
	}
	if (rc)
		return rc;
	r->pos += need;
	return 1;
}

/* Back to the first block, counts cleared. */
static int
r_rewind(struct record_reader *r)
{
	if (fseek(r->f, RECORD_HEADER, SEEK_SET))
		return -errno;
	r->at = RECORD_HEADER;
	r->len = r->pos = 0;
	r->ended = false;
	r->events = r->last_ts = r->dropped = 0;
	r->threads = r->objects = 0;
	return 0;
}

/* The header: what it is, which version, intact. */
static int
r_header(struct record_reader *r)
{
	unsigned char h[RECORD_HEADER];
	size_t got = fread(h, 1, RECORD_HEADER, r->f);
	unsigned version;

	if (memcmp(h, record_magic, got < 8 ? got : 8))
		return r_fail(r, 0, "not a lockstep recording (its first bytes "
			      "are not a recording's)");
	if (got < RECORD_HEADER)
		return r_fail(r, got, "truncated: %zu bytes, a recording's "
			      "header alone is %d", got, RECORD_HEADER);
	version = get16(h + 8);
	if (version > RECORD_VERSION) {
		r_fail(r, 8, "version %u is newer than this lockstep reads "
		       "(%d): a newer lockstep wrote it", version,
		       RECORD_VERSION);
		return -EPROTONOSUPPORT;
	}
	/* Reported where the header begins: any of its bytes may be the
	 * damaged one. */
	if (record_crc32(0, h, 28) != get32(h + 28))
		return r_fail(r, 0, "checksum mismatch: the header (bytes 0 to "
			      "31) is corrupted");
	if (!version)
		return r_fail(r, 8, "version 0: corrupted");
	if (get16(h + 10) != RECORD_HEADER)
		return r_fail(r, 10, "a header of %u bytes (version 1 has %d)",
			      get16(h + 10), RECORD_HEADER);
	if (get32(h + 12))
		return r_fail(r, 12, "flags 0x%lx this lockstep does not know",
			      (unsigned long)get32(h + 12));
	if (get32(h + 24))
		return r_fail(r, 24, "a reserved field is not zero: corrupted");
	r->info.version = version;
	r->info.started_ns = get64(h + 16);
	return 0;
}

/* Check the whole file, then stand at its first item. */
static int
r_open(struct record_reader *r)
{
	struct record_item it;
	long end;
	int rc;

	if (fseek(r->f, 0, SEEK_END) || (end = ftell(r->f)) < 0 ||
	    fseek(r->f, 0, SEEK_SET)) {
		rc = -errno;
		snprintf(r->err, r->errn, "%s: cannot seek: %s", r->name,
			 strerror(errno));
		return rc;
	}
	r->size = (uint64_t)end;
	r->info.bytes = r->size;
	rc = r_header(r);
	if (rc)
		return rc;
	r->at = RECORD_HEADER;
	while ((rc = r_next(r, &it)) > 0)
		;
	if (rc)
		return rc;
	return r_rewind(r);
}

static int
r_start(FILE *f, const char *name, struct record_reader **out, char *err,
	size_t n)
{
	struct record_reader *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r || !(r->name = strdup(name))) {
		free(r);
		fclose(f);
		snprintf(err, n, "%s: out of memory", name);
		return -ENOMEM;
	}
	r->f = f;
	r->err = err;
	r->errn = n;
	rc = r_open(r);
	if (rc) {
		record_reader_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int
record_reader_open(const char *path, struct record_reader **out, char *err,
		   size_t n)
{
	FILE *f = file_open(path, "rb", err, n);

	*out = NULL;
	if (!f)
		return -errno;
	return r_start(f, path, out, err, n);
}

int
record_reader_open_mem(const void *buf, size_t len, const char *name,
		       struct record_reader **out, char *err, size_t n)
{
	FILE *f;

	*out = NULL;
	if (!len) {
		snprintf(err, n, "%s: byte 0: truncated: 0 bytes, a "
			 "recording's header alone is %d", name, RECORD_HEADER);
		return -EINVAL;
	}
	f = fmemopen((void *)buf, len, "rb");
	if (!f) {
		snprintf(err, n, "%s: %s", name, strerror(errno));
		return -errno;
	}
	return r_start(f, name, out, err, n);
}

int
record_read(struct record_reader *r, struct record_item *it, char *err,
	    size_t n)
{
	int rc;

	r->err = err;
	r->errn = n;
	rc = r_next(r, it);
	return rc < 0 ? -EIO : rc;
}

int
record_rewind(struct record_reader *r)
{
	return r_rewind(r);
}

void
record_reader_info(const struct record_reader *r, struct record_info *out)
{
	*out = r->info;
}

void
record_reader_close(struct record_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r->block);
	free(r->name);
	free(r);
}
