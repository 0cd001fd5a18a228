/*
 * target.c - resolve a target's name and parameters (target.h).
 */
#include "config.h"

#include "control/target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
target_is_script(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') || (n > 4 && !strcmp(name + n - 4, ".lss"));
}

/* "race, deadlock, ..." */
static void
target_scene_names(char *buf, size_t n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < scene_count && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 i ? ", " : "", scene_table[i]->name);
}

int
target_resolve(const char *name, struct control_target *t, char *err,
	       size_t n)
{
	char names[256];

	memset(t, 0, sizeof(*t));
	if (target_is_script(name)) {
		snprintf(err, n, "%s: scripts are not supported yet", name);
		return -EINVAL;
	}
	t->def = scene_find(name);
	if (!t->def) {
		target_scene_names(names, sizeof(names));
		snprintf(err, n, "unknown scene '%s' (scenes: %s)", name,
			 names);
		return -ENOENT;
	}
	scene_defaults(t->def, t->params);
	return 0;
}

int
target_set(struct control_target *t, const char *kv, char *err, size_t n)
{
	return scene_parse_set(t->def, kv, t->params, err, n);
}

char *
target_describe(const struct control_target *t, char *buf, size_t n)
{
	size_t used;
	unsigned i;

	if (t->path) {
		snprintf(buf, n, "%s", t->path);
		return buf;
	}
	used = (size_t)snprintf(buf, n, "%s", t->def->name);
	for (i = 0; i < t->def->nparams && used < n; i++) {
		char val[32];

		scene_param_format(t->def, i, t->params[i], val, sizeof(val));
		used += (size_t)snprintf(buf + used, n - used, " %s=%s",
					 t->def->params[i].name, val);
	}
	return buf;
}

void
target_free(struct control_target *t)
{
	free((char *)t->path);
	t->path = NULL;
}
