/*
 * datadir.h - where the shipped data files are: themes, decks and scripts.
 *
 * One lookup for all of them.  The roots are searched in this order: the
 * directory named by LOCKSTEP_DATADIR, the installed $(pkgdatadir), then
 * the assets/ directory of the source tree the program was built from.
 * So an installed lockstep finds its files after the source tree is gone,
 * a build that was never installed finds them in the tree, and a test or a
 * teacher can point at another set.  Each root holds themes/, decks/ and
 * scripts/.  Pure C; any thread.
 */
#ifndef LOCKSTEP_UTIL_DATADIR_H
#define LOCKSTEP_UTIL_DATADIR_H

#include <stddef.h>

#define DATADIR_ROOTS 3

/*
 * The roots to search, in order, into roots; returns how many.  The
 * strings are compiled in or come from getenv: valid until the
 * environment changes.  An unset or empty LOCKSTEP_DATADIR is skipped.
 */
unsigned datadir_roots(const char *roots[DATADIR_ROOTS]);

/*
 * Find the regular file subdir/name under the first root that has it and
 * write its path into path.  Returns 0, -ENOENT when no root has it, or
 * -ENAMETOOLONG when a path does not fit in n bytes.
 */
int datadir_find(const char *subdir, const char *name, char *path, size_t n);

/*
 * The names of the regular files in subdir whose names end in suffix,
 * over every root, sorted, each name once (the first root's wins): a
 * NULL-terminated array in *names, freed with datadir_list_free.  The
 * suffix is removed ("projector" for "projector.theme").  Returns the
 * count, or -ENOMEM.
 */
int datadir_list(const char *subdir, const char *suffix, char ***names);

/* Free what datadir_list returned; NULL is fine. */
void datadir_list_free(char **names);

#endif
