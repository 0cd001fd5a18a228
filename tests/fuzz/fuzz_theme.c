/*
 * fuzz_theme.c - libFuzzer target for the theme file parser.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "ui/themefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme_file t;
	char err[1024];

	themefile_parse((const char *)data, size, "fuzz.theme", &t, err,
			sizeof(err));
	return 0;
}
