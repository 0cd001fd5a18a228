/*
 * target.c - resolve a target's name and parameters (target.h).
 *
 * A script is named by its path ("assets/scripts/lost-update.lss"), or,
 * when that is no file, by a shipped script's file name, found under the
 * data directories (util/datadir.h): "lockstep lost-update.lss" works
 * from anywhere.  Its target is the generic scene of scripts (run.h) with
 * the compiled program as its source.
 */
#include "config.h"

#include "control/target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "script/run.h"
#include "script/script.h"
#include "util/datadir.h"

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

/* Compile the script name into t.  Returns 0, or a negative errno with
 * one line in err ("FILE:LINE:COLUMN: ..." for a script's error). */
static int
target_script(const char *name, struct control_target *t, char *err,
	      size_t n)
{
	struct script_program *p = NULL;
	char found[4096];
	const char *path = name;
	struct stat st;
	int rc;

	/* A bare file name that is not here may be a shipped script. */
	if (!strchr(name, '/') && stat(name, &st) &&
	    !datadir_find("scripts", name, found, sizeof(found)))
		path = found;
	rc = script_parse_file(path, &p, err, n);
	if (rc)
		return rc == -ENOMEM ? rc : rc == -EINVAL ? rc : -ENOENT;
	t->path = strdup(name);
	if (!t->path) {
		script_free(p);
		snprintf(err, n, "%s: out of memory", name);
		return -ENOMEM;
	}
	t->def = &run_scene;
	t->source = p;
	return 0;
}

int
target_resolve(const char *name, struct control_target *t, char *err,
	       size_t n)
{
	char names[256];

	memset(t, 0, sizeof(*t));
	if (target_is_script(name))
		return target_script(name, t, err, n);
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
	if (t->path) {
		snprintf(err, n, "%s: a script takes no parameters (--set %s)",
			 t->path, kv);
		return -EINVAL;
	}
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
	/* Only a script has a source, and it is its compiled program. */
	script_free((struct script_program *)t->source);
	t->source = NULL;
}
