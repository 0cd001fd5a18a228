/*
 * file.c - read a whole file into memory.
 */
#include "config.h"

#include "util/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int
file_read(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL, *nb;
	size_t n = 0, cap = 0, got;
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	do {
		if (n == cap) {
			if (cap > max)
				break;
			cap = cap ? cap * 2 : 4096;
			if (cap > max + 1)
				cap = max + 1;
			nb = realloc(b, cap + 1);	/* + 1: the NUL */
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f))
		rc = -EIO;
out:
	fclose(f);
	if (rc) {
		free(b);
		return rc;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
