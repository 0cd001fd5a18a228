/*
 * file.h - a whole file read into memory, for the readers of text files
 * (scene scripts, schedules), which parse from a buffer.
 */
#ifndef LOCKSTEP_FILE_H
#define LOCKSTEP_FILE_H

#include <stddef.h>

/*
 * Read the file at path into a new buffer, *buf (the caller frees it),
 * of *len bytes, followed by a NUL that *len does not count.  At most
 * max + 1 bytes are read (max <= SIZE_MAX / 2), so a caller with a limit
 * can tell that a file is over it (*len > max) without reading all of
 * it.  Returns 0, or a
 * negative errno: the one fopen gave, -EIO for a read error, -ENOMEM;
 * *buf is then NULL.  Any thread.
 */
int file_read(const char *path, size_t max, char **buf, size_t *len);

#endif
