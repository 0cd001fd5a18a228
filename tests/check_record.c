/*
 * check_record.c - event recordings: what is written is read back, item
 * for item, over many blocks; the writer refuses what the reader would;
 * and a small recording damaged in every way at every byte (cut short,
 * bits flipped, bytes set, bytes added, a newer version, well-formed
 * blocks with bad records inside) is refused with what is wrong and a
 * byte offset no later than the damage, never a crash.
 */
#include "checkutil.h"

#include "trace/record.h"

/* A recording in memory. */
struct mem {
	char *buf;
	size_t len;
};

static struct record_writer *
mem_writer(FILE **f, struct mem *m)
{
	struct record_writer *w;
	char err[256];

	*f = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(*f);
	ck_assert_int_eq(record_writer_fopen(*f, "mem", &w, err, sizeof(err)),
			 0);
	return w;
}

static void
mem_close(struct record_writer *w, FILE *f)
{
	char err[256];

	ck_assert_msg(record_writer_close(w, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_int_eq(fclose(f), 0);
}

static struct ls_event
ev(uint64_t ts, unsigned tid, unsigned kind, uint32_t obj, uint64_t arg)
{
	return (struct ls_event){
		.ts = ts, .tid = (uint16_t)tid, .kind = (uint16_t)kind,
		.obj = obj, .arg = arg, .seq = (uint32_t)ts, .aux = 7,
	};
}

/* The small recording the damage tests start from. */
static void
small_recording(struct mem *m)
{
	struct record_writer *w;
	struct ls_event e[3];
	FILE *f;

	w = mem_writer(&f, m);
	ck_assert_int_eq(record_write_meta(w, "target", "race"), 0);
	ck_assert_int_eq(record_write_thread(w, 1, "alice"), 0);
	ck_assert_int_eq(record_write_object(w, 1, LS_OBJ_MUTEX, "A"), 0);
	e[0] = ev(100, 1, LS_EV_LOCK_WAIT, 1, 0);
	e[1] = ev(150, 1, LS_EV_LOCK_ACQUIRED, 1, 50);
	ck_assert_int_eq(record_write_events(w, e, 2), 0);
	ck_assert_int_eq(record_write_thread(w, 2, "bob"), 0);
	ck_assert_int_eq(record_write_dropped(w, 3), 0);
	e[2] = ev(200, 2, LS_EV_LOCK_WAIT, 1, 0);
	ck_assert_int_eq(record_write_events(w, &e[2], 1), 0);
	mem_close(w, f);
}

/* Open and read all of buf: 0, or the open's error with its message. */
static int
read_all(const char *buf, size_t len, char *err, size_t n)
{
	struct record_reader *r;
	struct record_item it;
	int rc;

	rc = record_reader_open_mem(buf, len, "rec", &r, err, n);
	if (rc)
		return rc;
	while ((rc = record_read(r, &it, err, n)) > 0)
		;
	record_reader_close(r);
	return rc;
}

/* The byte offset a message names ("rec: byte N: ..."). */
static unsigned long
message_offset(const char *err)
{
	const char *b = strstr(err, ": byte ");

	ck_assert_msg(b != NULL, "no offset in '%s'", err);
	return strtoul(b + 7, NULL, 10);
}

START_TEST(test_crc)
{
	ck_assert_uint_eq(record_crc32(0, "123456789", 9), 0xcbf43926u);
	ck_assert_uint_eq(record_crc32(record_crc32(0, "1234", 4), "56789", 5),
			  0xcbf43926u);
	ck_assert_uint_eq(record_crc32(0, "", 0), 0);
}
END_TEST

START_TEST(test_small_round_trip)
{
	struct record_reader *r;
	struct record_item it;
	struct record_info info;
	struct mem m;
	char err[256];

	small_recording(&m);
	ck_assert_msg(record_reader_open_mem(m.buf, m.len, "rec", &r, err,
					     sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.kind, RECORD_META);
	ck_assert_str_eq(it.key, "target");
	ck_assert_str_eq(it.value, "race");
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.kind, RECORD_THREAD);
	ck_assert_uint_eq(it.id, 1);
	ck_assert_str_eq(it.name, "alice");
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.kind, RECORD_OBJECT);
	ck_assert_uint_eq(it.obj_kind, LS_OBJ_MUTEX);
	ck_assert_str_eq(it.name, "A");
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.kind, RECORD_EVENT);
	ck_assert_uint_eq(it.ev.ts, 100);
	ck_assert_uint_eq(it.ev.kind, LS_EV_LOCK_WAIT);
	ck_assert_uint_eq(it.ev.aux, 7);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.ev.arg, 50);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_str_eq(it.name, "bob");
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.kind, RECORD_DROPPED);
	ck_assert_uint_eq(it.dropped, 3);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_uint_eq(it.ev.tid, 2);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 0);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 0);
	record_reader_info(r, &info);
	ck_assert_uint_eq(info.version, RECORD_VERSION);
	ck_assert_uint_eq(info.events, 3);
	ck_assert_uint_eq(info.threads, 2);
	ck_assert_uint_eq(info.objects, 1);
	ck_assert_uint_eq(info.bytes, m.len);
	ck_assert_uint_gt(info.started_ns, 0);
	/* Again from the top. */
	ck_assert_int_eq(record_rewind(r), 0);
	ck_assert_int_eq(record_read(r, &it, err, sizeof(err)), 1);
	ck_assert_str_eq(it.value, "race");
	record_reader_close(r);
	free(m.buf);
}
END_TEST

/* Many events over many blocks, from a file; names with every byte. */
START_TEST(test_file_round_trip)
{
	char path[] = "/tmp/lockstep-rec-XXXXXX", err[256], name[40];
	const unsigned n = (unsigned)test_size("RECORD_EVENTS", 20000, 5000);
	struct record_writer *w;
	struct record_reader *r;
	struct record_item it;
	struct record_info info;
	struct ls_event e;
	uint64_t seen = 0, names = 0;
	unsigned i;
	int fd = mkstemp(path), rc;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(record_writer_open(path, &w, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		if (i % 1000 == 0) {
			/* Every byte but NUL, and one name too long. */
			memset(name, 'x', sizeof(name) - 1);
			name[sizeof(name) - 1] = '\0';
			name[0] = (char)(1 + i / 1000 % 255);
			ck_assert_int_eq(record_write_thread(w, 1 + i % 7,
							     name), 0);
		}
		e = ev(1000 + i / 2, 1 + i % 7, 1 + i % (LS_EV_KIND_COUNT - 1),
		       i % 5, (uint64_t)i << 33);
		ck_assert_int_eq(record_write_events(w, &e, 1), 0);
	}
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), 0);

	ck_assert_msg(record_reader_open(path, &r, err, sizeof(err)) == 0,
		      "%s", err);
	i = 0;
	while ((rc = record_read(r, &it, err, sizeof(err))) > 0) {
		if (it.kind == RECORD_THREAD) {
			ck_assert_uint_eq(strlen(it.name), LS_NAME_MAX);
			names++;
			continue;
		}
		ck_assert_uint_eq(it.kind, RECORD_EVENT);
		ck_assert_uint_eq(it.ev.ts, 1000 + i / 2);
		ck_assert_uint_eq(it.ev.tid, 1 + i % 7);
		ck_assert_uint_eq(it.ev.arg, (uint64_t)i << 33);
		ck_assert_uint_eq(it.ev.obj, i % 5);
		i++;
		seen++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(seen, n);
	ck_assert_uint_eq(names, (n + 999) / 1000);
	record_reader_info(r, &info);
	/* More than one block. */
	ck_assert_uint_gt(info.bytes, 65536 + RECORD_HEADER);
	record_reader_close(r);
	unlink(path);
}
END_TEST

START_TEST(test_writer_refuses)
{
	struct record_writer *w;
	struct ls_event e[2];
	struct mem m;
	char err[256];
	FILE *f;

	w = mem_writer(&f, &m);
	ck_assert_int_eq(record_write_thread(w, 0, "x"), -EINVAL);
	/* Sticky: later calls and the close say it again. */
	ck_assert_int_eq(record_write_thread(w, 1, "x"), -EINVAL);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "mem: thread id 0 out of range");
	fclose(f);
	free(m.buf);

	w = mem_writer(&f, &m);
	e[0] = ev(10, 1, LS_EV_STATE, 0, 0);
	e[1] = ev(9, 1, LS_EV_STATE, 0, 0);
	ck_assert_int_eq(record_write_events(w, e, 2), -EINVAL);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "mem: events out of order (9 after 10)");
	fclose(f);
	free(m.buf);

	w = mem_writer(&f, &m);
	e[0] = ev(10, 1, LS_EV_KIND_COUNT, 0, 0);
	ck_assert_int_eq(record_write_events(w, e, 1), -EINVAL);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), -EINVAL);
	fclose(f);
	free(m.buf);

	w = mem_writer(&f, &m);
	ck_assert_int_eq(record_write_object(w, 1, LS_OBJ_KIND_COUNT, "x"),
			 -EINVAL);
	ck_assert_int_eq(record_write_meta(w, "", "x"), -EINVAL);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), -EINVAL);
	fclose(f);
	free(m.buf);

	w = mem_writer(&f, &m);
	ck_assert_int_eq(record_write_dropped(w, 5), 0);
	ck_assert_int_eq(record_write_dropped(w, 4), -EINVAL);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), -EINVAL);
	fclose(f);
	free(m.buf);

	ck_assert_int_eq(record_writer_open("/nonexistent/x.rec", &w, err,
					    sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/x.rec: No such file or directory");
}
END_TEST

/* Cut short at every length: refused, at or before the cut. */
START_TEST(test_truncated_everywhere)
{
	char err[256];
	struct mem m;
	size_t len;

	small_recording(&m);
	for (len = 0; len < m.len; len++) {
		ck_assert_msg(read_all(m.buf, len, err, sizeof(err)) == -EINVAL,
			      "cut at %zu was read", len);
		ck_assert_msg(strstr(err, "truncated") ||
				      strstr(err, "corrupted"),
			      "cut at %zu: %s", len, err);
		ck_assert_uint_le(message_offset(err), len);
	}
	ck_assert_int_eq(read_all(m.buf, m.len, err, sizeof(err)), 0);
	free(m.buf);
}
END_TEST

/* Every byte changed in five ways: refused, at or before that byte. */
START_TEST(test_corrupted_everywhere)
{
	static const int xors[] = { 0x01, 0x80, 0xff };
	char err[256], *copy;
	struct mem m;
	size_t i, k;
	int rc, set;

	small_recording(&m);
	copy = malloc(m.len);
	ck_assert_ptr_nonnull(copy);
	for (i = 0; i < m.len; i++) {
		for (k = 0; k < 5; k++) {
			memcpy(copy, m.buf, m.len);
			if (k < 3) {
				copy[i] = (char)(copy[i] ^ xors[k]);
			} else {
				set = k == 3 ? 0x00 : 0xff;
				if ((unsigned char)copy[i] == set)
					continue;
				copy[i] = (char)set;
			}
			rc = read_all(copy, m.len, err, sizeof(err));
			ck_assert_msg(rc == -EINVAL || rc == -EPROTONOSUPPORT,
				      "byte %zu damaged (%zu) was read", i, k);
			ck_assert_msg(message_offset(err) <= i,
				      "byte %zu damaged, reported: %s", i, err);
		}
	}
	/* Bytes added after the end. */
	copy = realloc(copy, m.len + 3);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m.buf, m.len);
	memset(copy + m.len, 0, 3);
	ck_assert_int_eq(read_all(copy, m.len + 3, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "3 bytes after the end of the recording"),
		      "%s", err);
	ck_assert_uint_eq(message_offset(err), m.len);
	free(copy);
	free(m.buf);
}
END_TEST

/* A header of version v with a good checksum. */
static void
header(unsigned char *h, unsigned version)
{
	static const unsigned char magic[8] = {
		0x89, 'L', 'S', 'R', '\r', '\n', 0x1a, '\n',
	};
	uint32_t crc;

	memset(h, 0, RECORD_HEADER);
	memcpy(h, magic, 8);
	h[8] = (unsigned char)version;
	h[10] = RECORD_HEADER;
	crc = record_crc32(0, h, 28);
	h[28] = (unsigned char)crc;
	h[29] = (unsigned char)(crc >> 8);
	h[30] = (unsigned char)(crc >> 16);
	h[31] = (unsigned char)(crc >> 24);
}

/* A file of a good header and one well-formed block holding payload. */
static size_t
crafted(unsigned char *buf, const unsigned char *payload, size_t n)
{
	uint32_t crc = record_crc32(0, payload, n);

	header(buf, 1);
	buf[32] = (unsigned char)n;
	buf[33] = (unsigned char)(n >> 8);
	buf[34] = buf[35] = 0;
	buf[36] = (unsigned char)crc;
	buf[37] = (unsigned char)(crc >> 8);
	buf[38] = (unsigned char)(crc >> 16);
	buf[39] = (unsigned char)(crc >> 24);
	memcpy(buf + 40, payload, n);
	return 40 + n;
}

/* An end record counting e events, t threads. */
static size_t
end_record(unsigned char *p, unsigned e, unsigned t)
{
	memset(p, 0, 17);
	p[0] = 5;
	p[1] = (unsigned char)e;
	p[9] = (unsigned char)t;
	return 17;
}

/* An event record of kind at ts, thread 1. */
static size_t
event_record(unsigned char *p, unsigned ts, unsigned kind)
{
	memset(p, 0, 33);
	p[0] = 3;
	p[1] = (unsigned char)ts;
	p[25] = 1;
	p[27] = (unsigned char)kind;
	return 33;
}

START_TEST(test_bad_records)
{
	unsigned char file[512], pay[256];
	char err[256];
	size_t n, len;

	/* Newer, and not a recording at all. */
	header(file, 2);
	ck_assert_int_eq(read_all((char *)file, RECORD_HEADER, err,
				  sizeof(err)), -EPROTONOSUPPORT);
	ck_assert_str_eq(err, "rec: byte 8: version 2 is newer than this "
			 "lockstep reads (1): a newer lockstep wrote it");
	ck_assert_int_eq(read_all("# lockstep deck\n", 16, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "rec: byte 0: not a lockstep recording (its "
			 "first bytes are not a recording's)");
	ck_assert_int_eq(read_all("", 0, err, sizeof(err)), -EINVAL);

	/* A good one, to start from. */
	n = end_record(pay, 0, 0);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), 0);

	pay[0] = 9;
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: unknown record type 9: corrupted");

	n = event_record(pay, 5, LS_EV_KIND_COUNT);
	n += end_record(pay + n, 1, 0);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "byte 40: event kind"), "%s", err);

	n = event_record(pay, 5, LS_EV_STATE);
	n += event_record(pay + n, 4, LS_EV_STATE);
	n += end_record(pay + n, 2, 0);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 73: an event older than the one "
			 "before it: corrupted");

	n = event_record(pay, 5, LS_EV_STATE);
	n += end_record(pay + n, 2, 0);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "byte 73: the end record counts 2 events"),
		      "%s", err);

	n = end_record(pay, 0, 0);
	pay[n++] = 0;
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 57: 1 bytes after the end record");

	/* A thread record: tid 0, a long name, a NUL, one cut short. */
	memcpy(pay, "\x01\x00\x00\x01x", 5);
	n = 5 + end_record(pay + 5, 0, 1);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: thread id 0: corrupted");
	memcpy(pay, "\x01\x01\x00\x01\x00", 5);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: a NUL byte in a name: corrupted");
	memcpy(pay, "\x01\x01\x00\x20x", 5);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: a name of 32 bytes (at most 31)");
	memcpy(pay, "\x01\x01\x00\x05x", 5);
	len = crafted(file, pay, 5);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: a record runs past the end of its "
			 "block: corrupted");
	/* A meta record cut short, and one without a key. */
	memcpy(pay, "\x06\x03key\x09v", 7);
	len = crafted(file, pay, 7);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: a record runs past the end of its "
			 "block: corrupted");
	memcpy(pay, "\x06\x00\x00", 3);
	n = 3 + end_record(pay + 3, 0, 0);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: a meta record without a key: "
			 "corrupted");
	/* An object of an unknown kind. */
	memcpy(pay, "\x02\x01\x00\x00\x00\x63\x00", 7);
	n = 7 + end_record(pay + 7, 0, 0);
	len = crafted(file, pay, n);
	ck_assert_int_eq(read_all((char *)file, len, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rec: byte 40: object 1 of kind 99: corrupted");
}
END_TEST

/* The fuzz target's seeds are recordings this reader still reads. */
START_TEST(test_fuzz_seeds_read)
{
	static const char *const seeds[] = { "deadlock", "prodcons" };
	const char *srcdir = getenv("srcdir");
	struct record_reader *r;
	struct record_info info;
	char path[4096], err[512];
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/fuzz/seeds/%s.lsrec",
			 srcdir ? srcdir : ".", seeds[i]);
		ck_assert_msg(record_reader_open(path, &r, err,
						 sizeof(err)) == 0, "%s", err);
		record_reader_info(r, &info);
		ck_assert_uint_gt(info.events, 10);
		record_reader_close(r);
	}
}
END_TEST

static Suite *
record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_crc);
	tcase_add_test(tc, test_small_round_trip);
	tcase_add_test(tc, test_file_round_trip);
	tcase_add_test(tc, test_writer_refuses);
	tcase_add_test(tc, test_truncated_everywhere);
	tcase_add_test(tc, test_corrupted_everywhere);
	tcase_add_test(tc, test_bad_records);
	tcase_add_test(tc, test_fuzz_seeds_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(record_suite());
}
