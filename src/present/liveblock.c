/*
 * liveblock.c - a `lockstep` block: a live scene on a slide.
 *
 *     ```lockstep
 *     scene: race            (or  script: puzzles/lost-update.lss)
 *     set: fix=none, adders=2
 *     mode: step             (run | paused | step | replay)
 *     schedule: race.sched   (with mode: replay)
 *     ```
 *
 * Everything is checked here, when the deck opens, so a lesson never
 * stops in front of a class: the scene and each parameter against the
 * scene table through control/target.h, as the command line and schedule
 * files resolve them, and files relative to the deck.  A script's
 * parameters are checked when the script loads.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control/target.h"
#include "present/deck-int.h"

enum lb_key { LB_SCENE, LB_SCRIPT, LB_SET, LB_MODE, LB_SCHEDULE, LB_KEYS };

static const char *const key_names[LB_KEYS] = {
	"scene", "script", "set", "mode", "schedule",
};

void
liveblock_free(struct deck_scene *s)
{
	if (!s)
		return;
	free(s->script);
	free(s->set);
	free(s->schedule);
	free(s);
}

/* A file the block names, resolved against the deck; it must exist. */
static int
file_arg(struct deck_parser *p, const char *what, const char *v,
	 unsigned line, char **out)
{
	struct stat st;

	*out = deck_resolve(p, v);
	if (!*out)
		return deck_nomem(p);
	if (stat(*out, &st) || !S_ISREG(st.st_mode))
		return deck_fail(p, line, "%s '%s' not found (looked for %s)",
				 what, v, *out);
	return 0;
}

/* set: k=v, k=v - each applied to the scene's parameters. */
static int
set_arg(struct deck_parser *p, struct deck_scene *s,
	struct control_target *t, const char *v, unsigned line)
{
	char *copy = strdup(v), *item, *save = NULL, e[512];
	size_t n;
	int rc = 0;

	if (!copy)
		return deck_nomem(p);
	for (item = strtok_r(copy, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save)) {
		n = strlen(item);
		item = (char *)deck_trim(item, &n);
		item[n] = '\0';
		if (!n || !strchr(item, '='))
			rc = deck_fail(p, line, "set: wants key=value, "
				       "comma-separated, got '%s'", item);
		else if (s->def && target_set(t, item, e, sizeof(e)))
			rc = deck_fail(p, line, "%s", e);
	}
	/* "a=1,,b=2" or a trailing comma: strtok_r skips empty items. */
	if (!rc && (strstr(v, ",,") || v[strlen(v) - 1] == ',' || v[0] == ','))
		rc = deck_fail(p, line, "set: an empty item between commas");
	free(copy);
	return rc;
}

/* Read the key: value lines into val[] and their lines into at[]. */
static int
read_keys(struct deck_parser *p, unsigned line, const char *text,
	  char *val[LB_KEYS], unsigned at[LB_KEYS])
{
	const char *s = text, *nl, *colon, *k, *v;
	size_t n, kn, vn;
	unsigned key;

	for (; *s; s = nl ? nl + 1 : s + strlen(s)) {
		line++;
		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		k = deck_trim(s, &n);
		if (!n || k[0] == '#')
			continue;
		colon = memchr(k, ':', n);
		if (!colon)
			return deck_fail(p, line, "lockstep block: expected "
					 "'key: value', got '%.*s'",
					 (int)(n > 60 ? 60 : n), k);
		kn = (size_t)(colon - k);
		k = deck_trim(k, &kn);
		vn = n - (size_t)(colon + 1 - k);
		v = deck_trim(colon + 1, &vn);
		for (key = 0; key < LB_KEYS; key++)
			if (kn == strlen(key_names[key]) &&
			    !memcmp(k, key_names[key], kn))
				break;
		if (key == LB_KEYS)
			return deck_fail(p, line, "lockstep block: unknown key "
					 "'%.*s' (keys: scene, script, set, "
					 "mode, schedule)", (int)kn, k);
		if (at[key])
			return deck_fail(p, line, "lockstep block: %s is given "
					 "twice (first on line %u)",
					 key_names[key], at[key]);
		if (vn >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[vn - 1] == v[0]) {
			v++;
			vn -= 2;
		}
		if (!vn)
			return deck_fail(p, line, "lockstep block: %s has no "
					 "value", key_names[key]);
		at[key] = line;
		val[key] = deck_strndup(v, vn);
		if (!val[key])
			return deck_nomem(p);
	}
	return 0;
}

static int
check(struct deck_parser *p, struct deck_scene *s, char *val[LB_KEYS],
      const unsigned at[LB_KEYS])
{
	struct control_target t = { 0 };
	char e[512];
	unsigned m;
	int rc;

	if (!at[LB_SCENE] && !at[LB_SCRIPT])
		return deck_fail(p, s->line, "lockstep block: name what to "
				 "show with 'scene: NAME' or 'script: FILE'");
	if (at[LB_SCENE] && at[LB_SCRIPT])
		return deck_fail(p, at[LB_SCRIPT], "lockstep block: give "
				 "scene: or script:, not both");
	if (at[LB_SCENE]) {
		/* A C scene by name: a path here is a script: key. */
		if (target_is_script(val[LB_SCENE]))
			return deck_fail(p, at[LB_SCENE], "'%s' is a script: "
					 "say 'script: %s'", val[LB_SCENE],
					 val[LB_SCENE]);
		/* A scene by name holds nothing for target_free to free. */
		if (target_resolve(val[LB_SCENE], &t, e, sizeof(e)))
			return deck_fail(p, at[LB_SCENE], "%s", e);
		s->def = t.def;
	} else {
		rc = file_arg(p, "script", val[LB_SCRIPT], at[LB_SCRIPT],
			      &s->script);
		if (rc)
			return rc;
	}
	if (at[LB_SET]) {
		rc = set_arg(p, s, &t, val[LB_SET], at[LB_SET]);
		if (rc)
			return rc;
		s->set = val[LB_SET];
		val[LB_SET] = NULL;
	}
	if (s->def)
		memcpy(s->params, t.params, sizeof(s->params));
	s->mode = DECK_MODE_RUN;
	if (at[LB_MODE]) {
		for (m = 0; m < DECK_MODE_COUNT; m++)
			if (!strcmp(val[LB_MODE], deck_mode_name(m)))
				break;
		if (m == DECK_MODE_COUNT)
			return deck_fail(p, at[LB_MODE], "mode is run, paused, "
					 "step or replay, not '%s'",
					 val[LB_MODE]);
		s->mode = m;
	}
	if (s->mode == DECK_MODE_REPLAY && !at[LB_SCHEDULE])
		return deck_fail(p, at[LB_MODE], "mode: replay needs a "
				 "schedule: file to replay");
	if (at[LB_SCHEDULE] && s->mode != DECK_MODE_REPLAY)
		return deck_fail(p, at[LB_SCHEDULE], "schedule: is for "
				 "mode: replay");
	if (at[LB_SCHEDULE])
		return file_arg(p, "schedule", val[LB_SCHEDULE],
				at[LB_SCHEDULE], &s->schedule);
	return 0;
}

int
liveblock_parse(struct deck_parser *p, unsigned line, const char *text,
		struct deck_scene **out)
{
	char *val[LB_KEYS] = { NULL };
	unsigned at[LB_KEYS] = { 0 }, i;
	struct deck_scene *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return deck_nomem(p);
	s->line = line;
	rc = read_keys(p, line, text, val, at);
	if (!rc)
		rc = check(p, s, val, at);
	for (i = 0; i < LB_KEYS; i++)
		free(val[i]);
	if (rc) {
		liveblock_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
