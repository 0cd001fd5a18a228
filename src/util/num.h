/*
 * num.h - the one number parser: every number lockstep reads from a
 * person (options, --set values, environment sizes) goes through here, so
 * "--seconds 0x10", " 1", "+5" and "-5" for a count mean the same thing
 * everywhere: they are refused.
 *
 * The syntax is strict and locale-free: an optional '-', one or more
 * decimal digits, and for num_parse_double an optional '.' followed by
 * one or more digits.  No space before or after, no '+', no hex, no
 * octal, no exponent, no "inf" or "nan".  Leading zeros are decimal
 * ("010" is ten).  Every function is thread-safe and allocates nothing.
 */
#ifndef LOCKSTEP_UTIL_NUM_H
#define LOCKSTEP_UTIL_NUM_H

/*
 * Parse s as an integer in [lo, hi] into *out.  Returns 0; -EINVAL when s
 * is NULL or not an integer in the syntax above; -ERANGE when it is one
 * but lies outside [lo, hi] (or outside long long).  *out is written only
 * on success.
 */
int num_parse_int(const char *s, long long lo, long long hi, long long *out);

/* The same for an unsigned integer: a negative number other than "-0" is
 * -ERANGE, not a huge value. */
int num_parse_uint(const char *s, unsigned long long lo,
		   unsigned long long hi, unsigned long long *out);

/*
 * Parse s as a decimal ("2", "0.25", "-1.5") in [lo, hi] into *out.
 * Returns 0, -EINVAL (not a decimal in the syntax above), -ERANGE
 * (outside [lo, hi], or too large or too small for a double to hold) or,
 * once at most, -ENOMEM (no memory for the "C" locale it converts in).
 */
int num_parse_double(const char *s, double lo, double hi, double *out);

#endif
