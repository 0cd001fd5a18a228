/*
 * draw.c - small drawing helpers every panel uses: clipped and
 * word-wrapped text (UTF-8 aware, one column per code point: the ui only
 * draws single-width glyphs), boxes with a title, names and durations.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdarg.h>
#include <stdio.h>

/* Bytes of s that fill at most w columns. */
static int
utf8_prefix(const char *s, int w)
{
	int bytes = 0, cols = 0;

	while (s[bytes]) {
		if (((unsigned char)s[bytes] & 0xc0) != 0x80) {
			if (cols == w)
				break;
			cols++;
		}
		bytes++;
	}
	return bytes;
}

int
text_width(const char *s)
{
	int cols = 0;

	for (; *s; s++)
		cols += ((unsigned char)*s & 0xc0) != 0x80;
	return cols;
}

void
draw_text(int y, int x, int w, attr_t a, const char *s)
{
	if (w <= 0)
		return;
	attron(a);
	mvaddnstr(y, x, s, utf8_prefix(s, w));
	attroff(a);
}

int
draw_textf(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	draw_text(y, x, w, a, buf);
	return len < w ? len : w;
}

const char *
wrap_next(const char *s, int w, int *len)
{
	int cols = 0, cut = 0, i;

	*len = 0;
	if (!*s)
		return s;
	if (w < 1)
		w = 1;
	/* Longest prefix that fits in w columns, cut at a space. */
	for (i = 0; s[i] && s[i] != '\n'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cols == w)
				break;
			cols++;
		}
		if (s[i] == ' ')
			cut = i;
		*len = i + 1;
	}
	if (s[i] && s[i] != '\n' && cut > 0)
		*len = cut;
	s += *len;
	while (*s == ' ')
		s++;
	if (*s == '\n')
		s++;
	return s;
}

int
draw_wrapped(int y, int x, int w, int bottom, attr_t a, const char *s)
{
	char line[512];
	int len;

	while (*s && y < bottom) {
		const char *next = wrap_next(s, w, &len);

		snprintf(line, sizeof(line), "%.*s", len, s);
		draw_text(y++, x, w, a, line);
		s = next;
	}
	return y;
}

void
draw_box(const struct ui *u, struct rect r, const char *title,
	 const char *footer)
{
	const struct theme *t = &u->theme;
	int i;

	if (r.h < 2 || r.w < 4)
		return;
	mvaddstr(r.y, r.x, t->tl);
	mvaddstr(r.y, r.x + r.w - 1, t->tr);
	mvaddstr(r.y + r.h - 1, r.x, t->bl);
	mvaddstr(r.y + r.h - 1, r.x + r.w - 1, t->br);
	for (i = 1; i < r.w - 1; i++) {
		mvaddstr(r.y, r.x + i, t->h);
		mvaddstr(r.y + r.h - 1, r.x + i, t->h);
	}
	for (i = 1; i < r.h - 1; i++) {
		mvaddstr(r.y + i, r.x, t->v);
		mvaddstr(r.y + i, r.x + r.w - 1, t->v);
	}
	if (title)
		draw_textf(r.y, r.x + 1, r.w - 2, t->title, " %s ", title);
	if (footer)
		draw_textf(r.y + r.h - 1, r.x + 1, r.w - 2, A_NORMAL, " %s ",
			   footer);
}

const char *
ui_thread_name(const struct ui *u, unsigned tid)
{
	static char buf[4][16];
	static unsigned next;
	const struct model_thread *t = model_thread(u->model, tid);

	if (t && t->name[0])
		return t->name;
	next = (next + 1) % 4;
	snprintf(buf[next], sizeof(buf[next]), "T%u", tid);
	return buf[next];
}

const char *
ui_object_name(const struct ui *u, uint32_t id)
{
	static char buf[4][16];
	static unsigned next;
	const struct model_object *o = model_object(u->model, id);

	if (o && o->name[0])
		return o->name;
	next = (next + 1) % 4;
	snprintf(buf[next], sizeof(buf[next]), "#%u", id);
	return buf[next];
}

void
draw_format_ns(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, n, "%uns", (unsigned)ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.2fs", (double)ns / 1e9);
}

const char *
ui_state_word(unsigned state, bool upper)
{
	/* The words every panel, the legend and the help use. */
	static const char *const lower[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "running", [LS_STATE_IDLE] = "idle",
		[LS_STATE_SLEEPING] = "I/O", [LS_STATE_BLOCKED] = "blocked",
		[LS_STATE_PARKED] = "paused", [LS_STATE_DONE] = "done",
	};
	static const char *const caps[LS_STATE_COUNT] = {
		[LS_STATE_RUNNING] = "RUNNING", [LS_STATE_IDLE] = "IDLE",
		[LS_STATE_SLEEPING] = "I/O", [LS_STATE_BLOCKED] = "BLOCKED",
		[LS_STATE_PARKED] = "PAUSED", [LS_STATE_DONE] = "DONE",
	};

	if (state >= LS_STATE_COUNT)
		return "?";
	return upper ? caps[state] : lower[state];
}

const char *
ui_state_glyph(const struct ui *u, unsigned state, bool strip)
{
	const struct theme *t = &u->theme;

	if (state >= LS_STATE_COUNT)
		return "?";
	/* In ASCII a glyph has one meaning everywhere: the strips use the
	 * list's glyphs (the theme's ASCII strip glyphs give '#' to
	 * running, which the list gives to blocked).  A finished thread
	 * leaves its strip empty. */
	if (strip && (t->utf8 || state == LS_STATE_DONE))
		return t->strip_glyph[state];
	return t->state_glyph[state];
}

const char *
ui_bar_glyph(const struct ui *u, bool full)
{
	const struct theme *t = &u->theme;

	if (t->utf8)
		return full ? t->bar_full : t->bar_empty;
	/* '#' is blocked and '.' idle in ASCII: bars use other glyphs. */
	return full ? "=" : "_";
}

const char *
ui_spark_glyph(const struct ui *u, unsigned level)
{
	static const char *const digits[8] = {
		"0", "1", "2", "3", "4", "5", "6", "7",
	};

	if (level > 7)
		level = 7;
	/* ASCII has no eighths; a digit says the level and means nothing
	 * else on screen. */
	return u->theme.utf8 ? u->theme.spark[level] : digits[level];
}
