/*
 * lesson.c - the lesson panel: the scene's lesson, word-wrapped and paged
 * (PgUp/PgDn); or, when a thread is selected, what that thread is doing.
 *
 * A lesson file has a part every run shows, then sections headed by a
 * line "[param=value]" that show only while the parameter has that value:
 * each fix has its own paragraph, explaining why it works, and the text
 * follows the fix in force.  When the fix changes the panel turns to its
 * paragraph, so a class reads why the picture changed.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#include "scenes/lessons.h"
#include "script/script.h"

#define LESSON_MAX 8192

/* Does the scene's parameter key have the value named value now? */
static bool
lesson_matches(const struct ui *u, const char *key, const char *value)
{
	int i = scene_param_index(u->def, key);
	char now[32];

	if (i < 0)
		return false;
	scene_param_format(u->def, (unsigned)i, u->ctl.target.params[i], now,
			   sizeof(now));
	return !strcmp(now, value);
}

/*
 * Is line (len bytes) a section header "[key=value ...]"?  Then does
 * every key have its value now (*on), and is one of the keys the fix
 * (*fix)?
 */
static bool
lesson_header(const struct ui *u, const char *line, size_t len, bool *on,
	      bool *fix)
{
	char buf[128], *tok, *save = NULL;

	if (len < 4 || len >= sizeof(buf) || line[0] != '[' ||
	    line[len - 1] != ']' || !memchr(line, '=', len))
		return false;
	snprintf(buf, sizeof(buf), "%.*s", (int)len - 2, line + 1);
	*on = true;
	*fix = false;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return false;
		*eq = '\0';
		*fix |= !strcmp(tok, "fix");
		*on &= lesson_matches(u, tok, eq + 1);
	}
	return true;
}

/*
 * The text to show: the common part and the sections that match the
 * parameters now, into out.  Returns the offset in out where the fix's
 * section starts, or -1 when none is shown.
 */
static int
lesson_compose(const struct ui *u, const char *text, char *out, size_t n)
{
	size_t used = 0;
	bool on = true, fix;
	int fix_at = -1;

	out[0] = '\0';
	while (*text && used + 1 < n) {
		size_t len = strcspn(text, "\n");

		if (lesson_header(u, text, len, &on, &fix)) {
			/* A blank line before a section shown. */
			if (on && used && out[used - 1] == '\n' &&
			    used + 1 < n)
				out[used++] = '\n';
			if (on && fix && fix_at < 0)
				fix_at = (int)used;
		} else if (on) {
			used += (size_t)snprintf(out + used, n - used, "%.*s\n",
						 (int)len, text);
			if (used >= n)
				used = n - 1;
		}
		text += len;
		if (*text == '\n')
			text++;
	}
	return fix_at;
}

/* Lines of s wrapped at w, and the line holding byte offset at (or -1). */
static int
lesson_lines(const char *s, int w, int at, int *at_line)
{
	const char *p = s;
	int lines = 0, len;

	*at_line = -1;
	while (*p) {
		if (at >= 0 && *at_line < 0 && p - s >= at)
			*at_line = lines;
		p = wrap_next(p, w, &len);
		lines++;
	}
	return lines;
}

static void
thread_detail(struct ui *u, struct rect r)
{
	const struct model_thread *t = model_thread(u->model, u->selected_tid);
	const struct control_thread *c = threads_control(u, u->selected_tid);
	char held[96], since[16], buf[256];
	size_t used = 0;
	unsigned i;
	int y = r.y + 1, x = r.x + 1, w = r.w - 2, bottom = r.y + r.h - 1;

	if (!t) {
		u->selected_tid = 0;
		return;
	}
	held[0] = '\0';
	for (i = 0; i < t->nheld && used < sizeof(held); i++)
		used += (size_t)snprintf(held + used, sizeof(held) - used,
					 "%s%s", i ? ", " : "",
					 ui_object_name(u, t->held[i]));
	draw_format_ns(since, sizeof(since), app_view_ns(u) > t->state_since
		  ? app_view_ns(u) - t->state_since : 0);
	snprintf(buf, sizeof(buf), "%s (T%u): %s for %s", t->name, t->tid,
		 ui_state_word(t->state, false), since);
	y = draw_wrapped(y, x, w, bottom, A_BOLD, buf);
	if (c) {
		snprintf(buf, sizeof(buf), "%s", c->what);
		y = draw_wrapped(y, x, w, bottom, c->can == CAN_MOVE
				 ? u->theme.ok : A_NORMAL, buf);
	}
	snprintf(buf, sizeof(buf), "holds: %s", t->nheld ? held : "nothing");
	y = draw_wrapped(y, x, w, bottom, A_NORMAL, buf);
	if (t->waiting_for) {
		snprintf(buf, sizeof(buf), "waits for: %s",
			 ui_object_name(u, t->waiting_for));
		y = draw_wrapped(y, x, w, bottom,
				 u->theme.state_attr[LS_STATE_BLOCKED], buf);
	}
	snprintf(buf, sizeof(buf), "events %llu, lost %llu",
		 (unsigned long long)t->events, (unsigned long long)t->lost);
	draw_wrapped(y, x, w, bottom, u->theme.dim, buf);
}

void
lesson_draw(struct ui *u, struct rect r)
{
	static char text[LESSON_MAX], flow[LESSON_MAX];
	const struct script_program *script = u->ctl.target.source;
	const char *raw = lesson_text(u->def->name);
	int fix = scene_param_index(u->def, "fix"), fix_at, fix_line;
	int w = r.w - 2, rows, lines, y = r.y + 1, bottom = r.y + r.h - 1;
	const char *p;
	char footer[48];
	int k, len;

	/* A script carries its own lesson, its paragraphs' lines broken
	 * by hand: joined here, so they wrap to the panel. */
	if (script) {
		for (k = 0; script->lesson[k] && k + 1 < LESSON_MAX; k++)
			flow[k] = script->lesson[k] == '\n' &&
					  script->lesson[k + 1] != '\n' &&
					  (!k || script->lesson[k - 1] != '\n')
					  ? ' '
					  : script->lesson[k];
		flow[k] = '\0';
		raw = flow;
	}
	if (u->lesson_def != u->def) {
		u->lesson_def = u->def;
		u->lesson_fix = fix >= 0 ? u->ctl.target.params[fix] : -1;
		u->lesson_scroll = 0;
	}
	if (u->selected_tid) {
		draw_box(u, r, "Thread detail", "Enter or Esc closes");
		thread_detail(u, r);
		return;
	}
	/* In the class layout no Wait-for panel tells the failure. */
	if (u->class_view)
		y = outcome_draw(u, y, r.x + 1, w, bottom);
	fix_at = lesson_compose(u, raw ? raw : "(no lesson text for this "
				"scene)", text, sizeof(text));
	lines = lesson_lines(text, w, fix_at, &fix_line);
	rows = bottom - y;
	/* The fix changed: turn to its paragraph. */
	if (fix >= 0 && u->lesson_fix != u->ctl.target.params[fix]) {
		if (u->lesson_fix >= 0 && fix_line >= 0)
			u->lesson_scroll = fix_line;
		u->lesson_fix = u->ctl.target.params[fix];
	}
	if (u->lesson_scroll > lines - rows)
		u->lesson_scroll = lines - rows;
	if (u->lesson_scroll < 0)
		u->lesson_scroll = 0;
	if (lines > rows && rows > 0)
		snprintf(footer, sizeof(footer), "PgUp/PgDn: page %d of %d",
			 (u->lesson_scroll + rows - 1) / rows + 1,
			 (lines + rows - 1) / rows);
	draw_box(u, r, "Lesson", lines > rows && rows > 0 ? footer : NULL);
	p = text;
	for (k = 0; *p && y < bottom; k++) {
		const char *next = wrap_next(p, w, &len);
		char line[512];

		if (k >= u->lesson_scroll) {
			snprintf(line, sizeof(line), "%.*s", len, p);
			/* A fix's paragraph starts bright. */
			draw_text(y++, r.x + 1, w, k == fix_line ? A_BOLD
				  : A_NORMAL, line);
		}
		p = next;
	}
}

bool
lesson_key(struct ui *u, int ch)
{
	int rows = u->lay.lesson.h > 3 ? u->lay.lesson.h - 3 : 1;

	if (ch == KEY_NPAGE)
		u->lesson_scroll += rows;
	else if (ch == KEY_PPAGE)
		u->lesson_scroll = u->lesson_scroll > rows
					   ? u->lesson_scroll - rows : 0;
	else
		return false;
	return true;
}
