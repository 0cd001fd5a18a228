/*
 * eventlog.c - the event log, shown in the timeline's place (l): what
 * happened, newest last, scrolled back with [ and ] (Home: the oldest
 * kept, End: back to the newest, which then follows the run again).
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

/* One event as a log line. */
static void
event_line(const struct ui *u, const struct ls_event *e, char *buf, size_t n)
{
	uint64_t base = u->model->first_ts;

	snprintf(buf, n, "%9.3fs %-10.10s %-13s %-8.8s %llu",
		 e->ts > base ? (double)(e->ts - base) / 1e9 : 0.0,
		 ui_thread_name(u, e->tid), ls_event_kind_name(e->kind),
		 e->obj ? ui_object_name(u, e->obj) : "",
		 (unsigned long long)e->arg);
}

void
eventlog_draw(struct ui *u, struct rect r)
{
	static struct ls_event ev[MODEL_LOG];
	size_t n, i, first, rows = r.h > 2 ? (size_t)r.h - 2 : 0;
	char line[192], title[64];

	n = model_recent(u->model, ev, MODEL_LOG);
	if (u->log_back < 0)
		u->log_back = 0;
	if ((size_t)u->log_back + rows > n)
		u->log_back = n > rows ? (int)(n - rows) : 0;
	first = n > rows + (size_t)u->log_back ? n - rows - (size_t)u->log_back
					       : 0;
	if (u->log_back)
		snprintf(title, sizeof(title), "Event log (%d back; End: newest)",
			 u->log_back);
	else
		snprintf(title, sizeof(title), "Event log (newest last)");
	draw_box(u, r, title, "[ ] scroll  l: back to timeline");
	for (i = 0; i < rows && first + i < n; i++) {
		event_line(u, &ev[first + i], line, sizeof(line));
		draw_text(r.y + 1 + (int)i, r.x + 1, r.w - 2,
			  ev[first + i].kind == LS_EV_ERROR ||
			  ev[first + i].kind == LS_EV_OUTCOME ? u->theme.alert
							      : A_NORMAL, line);
	}
}

bool
eventlog_key(struct ui *u, int ch)
{
	if (!u->show_log)
		return false;
	switch (ch) {
	case '[':
		u->log_back += 5;
		break;
	case ']':
		u->log_back = u->log_back > 5 ? u->log_back - 5 : 0;
		break;
	case KEY_HOME:
		u->log_back = MODEL_LOG;
		break;
	case KEY_END:
		u->log_back = 0;
		break;
	default:
		return false;
	}
	return true;
}
