/*
 * eventlog.c - the event log, shown in the timeline's place (l): what
 * happened, in plain language ("bob wrote balance = 50", "alice waits for
 * B (held by bob)"), newest last, as the model tells it.  It scrolls back
 * through the whole run as far as the model keeps it: [ and ] by a page,
 * Home to the oldest, End back to the newest, which then follows the run.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* The rows the log shows: the box's inside. */
static uint64_t
eventlog_rows(const struct rect r)
{
	return r.h > 2 ? (uint64_t)r.h - 2 : 0;
}

void
eventlog_draw(struct ui *u, struct rect r)
{
	const struct model *m = u->model;
	uint64_t first = model_log_first(m), end = model_log_end(m);
	uint64_t rows = eventlog_rows(r), top, i, back, base = m->first_ts;
	char line[256], title[96];

	/* log_back: entries between the last one shown and the newest.
	 * Scrolled back, the view stays put while the run goes on. */
	back = u->log_back > 0 ? (uint64_t)u->log_back : 0;
	if (back && end > u->log_end_seen)
		back += end - u->log_end_seen;
	u->log_end_seen = end;
	if (back > end - first)
		back = end - first;
	if (end - back - first < rows && end - first >= rows)
		back = end - first - rows;
	u->log_back = (int)back;
	top = end - back > first + rows ? end - back - rows : first;
	if (back)
		snprintf(title, sizeof(title), "Event log: %llu of %llu "
			 "(End: the newest)",
			 (unsigned long long)(end - back),
			 (unsigned long long)end);
	else
		snprintf(title, sizeof(title), "Event log: %llu events%s, "
			 "newest last", (unsigned long long)end,
			 first ? " (the oldest dropped)" : "");
	draw_box(u, r, title, "[ ] Home End scroll  l: timeline");
	for (i = top; i < end - back && i - top < rows; i++) {
		const struct model_log_entry *le = model_log_entry(m, i);
		int w, y = r.y + 1 + (int)(i - top);
		bool bad = le && (le->e.kind == LS_EV_ERROR ||
				  le->e.kind == LS_EV_OUTCOME);

		if (!le)
			continue;
		w = draw_textf(y, r.x + 1, 10, u->theme.dim, "%8.3fs ",
			       le->e.ts > base
			       ? (double)(le->e.ts - base) / 1e9 : 0.0);
		model_log_say(m, i, line, sizeof(line));
		draw_text(y, r.x + 1 + w, r.w - 2 - w,
			  bad ? u->theme.alert : A_NORMAL, line);
	}
}

bool
eventlog_key(struct ui *u, int ch)
{
	int page = (int)eventlog_rows(u->lay.timeline);

	if (!u->show_log)
		return false;
	switch (ch) {
	case '[':
		u->log_back += page > 1 ? page - 1 : 1;
		break;
	case ']':
		u->log_back = u->log_back > page - 1
				      ? u->log_back - page + 1 : 0;
		break;
	case KEY_HOME:
		/* Clamped to the oldest kept when drawn. */
		u->log_back = 1 << 30;
		break;
	case KEY_END:
		u->log_back = 0;
		break;
	default:
		return false;
	}
	return true;
}
