/*
 * target.h - what a control runs, named the way people name it: a scene
 * ("race") or a script file ("lost-update.lss"), with key=value
 * parameters.  The command line, schedule files and decks all resolve
 * targets here, so a name means the same thing everywhere.
 */
#ifndef LOCKSTEP_CONTROL_TARGET_H
#define LOCKSTEP_CONTROL_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "control/control.h"

/* Does name look like a script file rather than a scene name? */
bool target_is_script(const char *name);

/*
 * Resolve name into *t with default parameters: a scene from the scene
 * table, or a script file read and compiled.  Returns 0, or -ENOENT /
 * -EINVAL with one line in err (an unknown scene lists the scenes; a
 * script's error is FILE:LINE:COLUMN).  Free with target_free.
 */
int target_resolve(const char *name, struct control_target *t, char *err,
		   size_t n);

/* Apply "key=value" to t's parameters.  Returns 0 or -EINVAL with the
 * reason in err. */
int target_set(struct control_target *t, const char *kv, char *err,
	       size_t n);

/* "race fix=none adders=2 adds=1000", or the script's path: how a
 * schedule file names t.  Returns buf. */
char *target_describe(const struct control_target *t, char *buf, size_t n);

/* Free what target_resolve allocated (a compiled script); t may be
 * zeroed or already freed. */
void target_free(struct control_target *t);

#endif
