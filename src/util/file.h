/*
 * file.h - opening and reading the files a person names (decks, themes,
 * recordings), with the one-line message the person reads when it fails:
 * "PATH: why".  Pure C; any thread.
 */
#ifndef LOCKSTEP_UTIL_FILE_H
#define LOCKSTEP_UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>

/* fopen(path, mode), or NULL with "PATH: why" in err and errno kept. */
FILE *file_open(const char *path, const char *mode, char *err, size_t n);

/*
 * Read the file at path, but no more than max bytes: a longer file gives
 * max bytes, so a caller that passes its limit + 1 can tell it is too
 * long.  Returns 0 with the bytes in *buf (NUL-terminated, the caller
 * frees it) and their count in *len, or a negative errno with "PATH: why"
 * in err.
 */
int file_read(const char *path, size_t max, char **buf, size_t *len,
	      char *err, size_t n);

#endif
