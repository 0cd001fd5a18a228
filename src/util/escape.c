/*
 * escape.c - printing untrusted text (escape.h).
 *
 * The input is walked one character at a time: an ASCII byte, a whole
 * valid UTF-8 sequence, or one stray byte.  Each becomes a short piece of
 * output (itself or its escape), and pieces are copied whole so that a
 * cut never splits a character or an escape.
 */
#include "config.h"

#include "util/escape.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define ELLIPSIS "..."

/* The length of the valid UTF-8 sequence at s and its code point, or 0
 * when s does not start one (bad lead, bad continuation, overlong,
 * surrogate, above U+10FFFF). */
static size_t
escape_utf8(const unsigned char *s, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Marks that make text run right to left or isolate it: shown as
 * escapes, so a value cannot make a message read backwards. */
static bool
escape_is_bidi(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * The output piece for the character at s, into piece (at least 8
 * bytes, not NUL-terminated).  Returns the input bytes it stands for and
 * sets *len to the piece's length.
 */
static size_t
escape_piece(const unsigned char *s, char *piece, size_t *len)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp = 0;
	size_t in;

	if (*s >= 0x20 && *s < 0x7f) {
		piece[0] = (char)*s;
		*len = 1;
		return 1;
	}
	if (*s == 0x1b || *s == '\n' || *s == '\r' || *s == '\t') {
		piece[0] = '\\';
		piece[1] = *s == 0x1b ? 'e' : *s == '\n' ? 'n'
			   : *s == '\r' ? 'r' : 't';
		*len = 2;
		return 1;
	}
	in = *s >= 0x80 ? escape_utf8(s, &cp) : 0;
	if (in && escape_is_bidi(cp)) {
		piece[0] = '\\';
		piece[1] = 'u';
		piece[2] = hex[cp >> 12 & 0xf];
		piece[3] = hex[cp >> 8 & 0xf];
		piece[4] = hex[cp >> 4 & 0xf];
		piece[5] = hex[cp & 0xf];
		*len = 6;
		return in;
	}
	if (in && cp >= 0xa0) {
		memcpy(piece, s, in);
		*len = in;
		return in;
	}
	/* Any other control, a C1 control's first byte, or a stray byte;
	 * a C1 control's second byte comes round as a stray byte next. */
	piece[0] = '\\';
	piece[1] = 'x';
	piece[2] = hex[*s >> 4];
	piece[3] = hex[*s & 0xf];
	*len = 4;
	return 1;
}

/* The length of s escaped, without the NUL. */
static size_t
escape_len(const unsigned char *s)
{
	size_t total = 0, len;
	char piece[8];

	while (*s) {
		s += escape_piece(s, piece, &len);
		total += len;
	}
	return total;
}

char *
escape_str(char *buf, size_t n, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used = 0, len, limit;
	char piece[8];
	bool cut;

	if (!n)
		return buf;
	cut = escape_len(p) >= n;
	/* When cut, keep room for the ellipsis; a buffer too small even for
	 * that gets as much of the ellipsis as fits. */
	limit = !cut ? n - 1 : n > sizeof(ELLIPSIS) ? n - sizeof(ELLIPSIS) : 0;
	while (*p) {
		size_t in = escape_piece(p, piece, &len);

		if (used + len > limit)
			break;
		memcpy(buf + used, piece, len);
		used += len;
		p += in;
	}
	if (cut) {
		len = sizeof(ELLIPSIS) - 1;
		if (len > n - 1 - used)
			len = n - 1 - used;
		memcpy(buf + used, ELLIPSIS, len);
		used += len;
	}
	buf[used] = '\0';
	return buf;
}

void
escape_line(FILE *f, const char *fmt, ...)
{
	char raw[1024], safe[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	fprintf(f, "%s\n", escape_str(safe, sizeof(safe), raw));
}
