/*
 * str.h - bounded string building without a format string.
 *
 * The search words every step it records ("lock fork2 (held by kant)");
 * snprintf's format parsing was a tenth of a step.  str_join copies
 * pieces with the same guarantees: never past n bytes, always terminated
 * when n > 0, what does not fit cut off.
 */
#ifndef LOCKSTEP_UTIL_STR_H
#define LOCKSTEP_UTIL_STR_H

#include <stddef.h>

/*
 * buf = the strings after n, up to a NULL, one after the other.  Returns
 * the length written (at most n - 1; 0 when n is 0, and nothing is
 * written then).
 */
size_t str_join(char *buf, size_t n, ...) __attribute__((sentinel));

/* buf = s, cut to fit. */
#define str_copy(buf, n, s) str_join((buf), (n), (s), (const char *)NULL)

#endif
