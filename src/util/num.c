/*
 * num.c - strict number parsing (num.h).
 *
 * The syntax is checked here, by hand, before the C library converts:
 * strtol and friends skip leading space, take '+', hex (base 0) and, for
 * unsigned types, wrap "-5" to a huge value; strtod also takes "inf",
 * "nan", exponents and hex floats, and follows LC_NUMERIC.  What reaches
 * them is only ever [-]digits[.digits], so they are used for the one thing
 * they do well: converting with overflow detection.
 */
#include "config.h"

#include "util/num.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * Length of the number at s in the accepted syntax, or 0 if s is not one:
 * [-]digits, and .digits after them when frac is true.  *neg tells
 * whether it has the sign, *zero whether every digit is 0.
 */
static size_t
num_scan(const char *s, bool frac, bool *neg, bool *zero)
{
	size_t i = 0, digits;

	*neg = s[0] == '-';
	*zero = true;
	i = *neg;
	for (digits = 0; s[i] >= '0' && s[i] <= '9'; i++, digits++)
		*zero = *zero && s[i] == '0';
	if (!digits)
		return 0;
	if (frac && s[i] == '.') {
		i++;
		for (digits = 0; s[i] >= '0' && s[i] <= '9'; i++, digits++)
			*zero = *zero && s[i] == '0';
		if (!digits)
			return 0;
	}
	return s[i] ? 0 : i;
}

int
num_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	bool neg, zero;
	long long v;
	char *end;

	if (!s || !num_scan(s, false, &neg, &zero))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

int
num_parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
	       unsigned long long *out)
{
	unsigned long long v = 0;
	bool neg, zero;
	char *end;

	if (!s || !num_scan(s, false, &neg, &zero))
		return -EINVAL;
	/* strtoull would turn "-5" into 2^64 - 5: the bug this avoids. */
	if (neg && !zero)
		return -ERANGE;
	if (!neg) {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno == ERANGE)
			return -ERANGE;
	}
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

/* The "C" locale, made once, so a '.' is the decimal point whatever
 * setlocale the program did: pthread_once makes the first use safe from
 * any thread. */
static pthread_once_t num_c_once = PTHREAD_ONCE_INIT;
static locale_t num_c_locale;

static void
num_c_locale_init(void)
{
	num_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

int
num_parse_double(const char *s, double lo, double hi, double *out)
{
	bool neg, zero;
	double v;
	char *end;

	if (!s || !num_scan(s, true, &neg, &zero))
		return -EINVAL;
	if (pthread_once(&num_c_once, num_c_locale_init) || !num_c_locale)
		return -ENOMEM;
	errno = 0;
	v = strtod_l(s, &end, num_c_locale);
	/* ERANGE is overflow, or underflow of a non-zero value to 0 or a
	 * denormal: either way not the number the person wrote. */
	if (errno == ERANGE || v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}
