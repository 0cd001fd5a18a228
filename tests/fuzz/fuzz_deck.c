/*
 * fuzz_deck.c - libFuzzer target for the deck reader and the slide layout:
 * any bytes as a deck, and every slide of what opens laid out at a narrow,
 * a common and an odd width.  Paths in the deck resolve under a directory
 * that does not exist, so the input cannot reach files through them but
 * the shipped themes.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "present/deck.h"
#include "present/slide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[] = { SLIDE_MIN_WIDTH, 80, 137 };
	struct slide_layout l;
	struct deck *d;
	char err[1024];
	unsigned i, k;

	if (deck_parse((const char *)data, size, "/nonexistent/fuzz.md", &d,
		       err, sizeof(err)))
		return 0;
	for (i = 0; i < d->nslides; i++)
		for (k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
			struct slide_opts o = { .width = widths[k],
						.utf8 = k != 1 };

			if (!slide_layout(&d->slides[i], &o, &l))
				slide_layout_free(&l);
		}
	deck_free(d);
	return 0;
}
