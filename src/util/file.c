/*
 * file.c - open and read named files with messages (file.h).
 */
#include "config.h"

#include "util/file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

FILE *
file_open(const char *path, const char *mode, char *err, size_t n)
{
	FILE *f = fopen(path, mode);
	int e;

	if (!f) {
		e = errno;
		snprintf(err, n, "%s: %s", path, strerror(e));
		errno = e;
	}
	return f;
}

int
file_read(const char *path, size_t max, char **buf, size_t *len, char *err,
	  size_t n)
{
	size_t cap = 0, got = 0, want;
	char *b = NULL, *g;
	FILE *f = file_open(path, "rb", err, n);
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	/* Grown as the file turns out to need, never past max. */
	do {
		if (got == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > max)
				cap = max;
			g = realloc(b, cap + 1);
			if (!g) {
				rc = -ENOMEM;
				snprintf(err, n, "%s: out of memory", path);
				goto out;
			}
			b = g;
		}
		want = cap - got;
		got += fread(b + got, 1, want, f);
	} while (got == cap && cap < max && !ferror(f) && !feof(f));
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, n, "%s: read error", path);
		goto out;
	}
	if (!b && !(b = malloc(1))) {
		rc = -ENOMEM;
		snprintf(err, n, "%s: out of memory", path);
		goto out;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	b = NULL;
out:
	free(b);
	fclose(f);
	return rc;
}
