/*
 * fuzz_schedule.c - libFuzzer target for the schedule reader: any bytes
 * parse or are refused with a message, never a crash, a leak or a
 * sanitizer report; a parsed schedule's steps are well-formed names.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schedule s;
	char err[256];
	size_t i;

	if (schedule_parse((const char *)data, size, "fuzz", &s, err,
			   sizeof(err))) {
		/* A refusal always says why. */
		if (!err[0])
			abort();
		return 0;
	}
	if (!s.target)
		abort();
	for (i = 0; i < s.n; i++)
		if (!s.steps[i].thread[0] ||
		    strlen(s.steps[i].thread) > LS_NAME_MAX)
			abort();
	schedule_free(&s);
	return 0;
}
