/*
 * layout.c - where the panels go for a terminal of a given size.
 *
 * The full layout needs 80x24; every panel grows with the terminal.  The
 * middle is split into three bands: threads beside objects, the timeline
 * (or the event log), and metrics beside the lesson.
 */
#include "config.h"

#include "ui/ui.h"

void
layout_compute(struct layout *l, int rows, int cols)
{
	int mid, top, tl, bottom, left;

	l->too_small = rows < UI_MIN_ROWS || cols < UI_MIN_COLS;
	if (l->too_small)
		return;
	l->header = (struct rect){ 0, 0, 1, cols };
	l->keybar = (struct rect){ rows - 2, 0, 2, cols };
	mid = rows - 3;
	top = mid * 4 / 11;
	bottom = mid * 3 / 11 + 1;
	if (bottom < 6)
		bottom = 6;
	tl = mid - top - bottom;
	left = cols * 11 / 20;
	l->threads = (struct rect){ 1, 0, top, left };
	l->objects = (struct rect){ 1, left, top, cols - left };
	l->timeline = (struct rect){ 1 + top, 0, tl, cols };
	left = cols * 9 / 20;
	l->metrics = (struct rect){ 1 + top + tl, 0, bottom, left };
	l->lesson = (struct rect){ 1 + top + tl, left, bottom, cols - left };
}
