/*
 * fuzz_record.c - libFuzzer target for the recording reader, and the trace
 * exporter behind it.  Every input is read twice: as it is, and with its
 * checksums made right, so that mutations reach the record parser (and
 * the export of whatever it accepts) instead of stopping at a checksum.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export.h"
#include "trace/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Right checksums for the header and for every block that fits. */
static void
fix_checksums(unsigned char *buf, size_t len)
{
	size_t off = RECORD_HEADER;
	uint32_t n;

	if (len < RECORD_HEADER)
		return;
	put32(buf + 28, record_crc32(0, buf, 28));
	while (len - off >= 8) {
		n = get32(buf + off);
		if (!n || n > len - off - 8)
			break;
		put32(buf + off + 4, record_crc32(0, buf + off + 8, n));
		off += 8 + n;
	}
}

static void
read_all(const unsigned char *buf, size_t len)
{
	static FILE *null;
	struct record_reader *r;
	struct record_item it;
	struct export *x;
	char err[512];

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null || record_reader_open_mem(buf, len, "fuzz", &r, err,
					    sizeof(err)))
		return;
	if (!export_open(null, "fuzz", &x)) {
		while (record_read(r, &it, err, sizeof(err)) > 0)
			export_record_item(x, &it);
		export_close(x);
	}
	record_reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;

	read_all(data, size);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fix_checksums(copy, size);
	read_all(copy, size);
	free(copy);
	return 0;
}
