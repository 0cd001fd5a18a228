/*
 * str.c - bounded string building (str.h).
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "util/str.h"

size_t
str_join(char *buf, size_t n, ...)
{
	const char *s;
	size_t at = 0, len;
	va_list ap;

	if (!n)
		return 0;
	va_start(ap, n);
	while ((s = va_arg(ap, const char *)) != NULL) {
		len = strnlen(s, n - 1 - at);
		memcpy(buf + at, s, len);
		at += len;
	}
	va_end(ap);
	buf[at] = '\0';
	return at;
}
