/*
 * testutil.h - what every test program of lockstep shares: sizes taken
 * from the environment (smaller under sanitizers), a Check runner, and a
 * start barrier for stress threads.
 */
#ifndef LOCKSTEP_TESTUTIL_H
#define LOCKSTEP_TESTUTIL_H

#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True in a sanitizer build: stress sizes shrink there. */
static inline bool
test_sanitized(void)
{
	return strcmp(LS_SANITIZER, "none") != 0;
}

/*
 * A size for a test: the environment variable name if set, else def, or
 * def_san in a sanitizer build.  A malformed value is a hard error, so a
 * typo cannot silently shrink a test.
 */
static inline unsigned long
test_size(const char *name, unsigned long def, unsigned long def_san)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return test_sanitized() ? def_san : def;
	v = strtoul(s, &end, 10);
	if (*end || v == 0) {
		fprintf(stderr, "%s: bad value '%s' (want a positive integer)\n",
			name, s);
		exit(99);
	}
	return v;
}

#ifdef LOCKSTEP_WITH_CHECK
#include <check.h>

/* Run a suite with Check's defaults (forked, CK_* environment honoured)
 * and turn the result into an exit status. */
static inline int
test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif

#endif
