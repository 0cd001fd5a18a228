/*
 * lesson.c - the lesson panel: the scene's lesson text, word-wrapped; or,
 * when a thread is selected, what that thread is doing in detail.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#include "scenes/lessons.h"

/* Draw s word-wrapped in r from row y; returns the next free row. */
static int
wrap_text(struct rect r, int y, const char *s, attr_t a)
{
	int w = r.w - 2, bottom = r.y + r.h - 1;

	while (*s && y < bottom) {
		int len = 0, cut = 0, cols = 0, i;

		if (*s == '\n') {
			s++;
			y++;
			continue;
		}
		/* Longest prefix that fits in w columns, cut at a space. */
		for (i = 0; s[i] && s[i] != '\n'; i++) {
			if (((unsigned char)s[i] & 0xc0) != 0x80) {
				if (cols == w)
					break;
				cols++;
			}
			if (s[i] == ' ')
				cut = i;
			len = i + 1;
		}
		if (s[i] && s[i] != '\n' && cut > 0)
			len = cut;
		{
			char line[512];

			snprintf(line, sizeof(line), "%.*s", len, s);
			draw_text(y++, r.x + 1, w, a, line);
		}
		s += len;
		while (*s == ' ')
			s++;
		if (*s == '\n')
			s++;
	}
	return y;
}

static void
thread_detail(struct ui *u, struct rect r)
{
	const struct model_thread *t = model_thread(u->model, u->selected_tid);
	char held[96], since[16], buf[256];
	size_t used = 0;
	unsigned i;
	int y = r.y + 1;

	if (!t) {
		u->selected_tid = 0;
		return;
	}
	held[0] = '\0';
	for (i = 0; i < t->nheld && used < sizeof(held); i++)
		used += (size_t)snprintf(held + used, sizeof(held) - used,
					 "%s%s", i ? ", " : "",
					 ui_object_name(u, t->held[i]));
	format_ns(since, sizeof(since), app_view_ns(u) > t->state_since
		  ? app_view_ns(u) - t->state_since : 0);
	snprintf(buf, sizeof(buf), "%s (T%u): %s for %s", t->name, t->tid,
		 ls_thread_state_name(t->state), since);
	y = wrap_text(r, y, buf, A_BOLD);
	snprintf(buf, sizeof(buf), "holds: %s", t->nheld ? held : "nothing");
	y = wrap_text(r, y, buf, A_NORMAL);
	if (t->waiting_for) {
		snprintf(buf, sizeof(buf), "waits for: %s (%s)",
			 ui_object_name(u, t->waiting_for),
			 ls_event_kind_name(t->wait_kind));
		y = wrap_text(r, y, buf, u->theme.state_attr[LS_STATE_BLOCKED]);
	}
	snprintf(buf, sizeof(buf), "last: %s %s  events %llu  lost %llu",
		 ls_event_kind_name(t->last_kind),
		 t->last_obj ? ui_object_name(u, t->last_obj) : "",
		 (unsigned long long)t->events, (unsigned long long)t->lost);
	wrap_text(r, y, buf, A_NORMAL);
}

void
lesson_draw(struct ui *u, struct rect r)
{
	const char *text = lesson_text(u->def->name);

	if (u->selected_tid) {
		draw_box(u, r, "Thread detail", "click it again to close");
		thread_detail(u, r);
		return;
	}
	draw_box(u, r, "Lesson", NULL);
	wrap_text(r, r.y + 1, text ? text : "(no lesson text for this scene)",
		  A_NORMAL);
}
