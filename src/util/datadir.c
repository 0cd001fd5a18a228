/*
 * datadir.c - the one lookup of shipped data files (datadir.h).  The
 * installed and source-tree roots come from datadir-paths.h, which make
 * writes into the build tree from the configured $(pkgdatadir) and
 * $(abs_top_srcdir) (hence its path from the build tree's top).
 */
#include "config.h"

#include "util/datadir.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/util/datadir-paths.h"

unsigned
datadir_roots(const char *roots[DATADIR_ROOTS])
{
	const char *env = getenv("LOCKSTEP_DATADIR");
	unsigned n = 0;

	if (env && *env)
		roots[n++] = env;
	roots[n++] = DATADIR_INSTALLED;
	roots[n++] = DATADIR_SOURCE;
	return n;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
datadir_find(const char *subdir, const char *name, char *path, size_t n)
{
	const char *roots[DATADIR_ROOTS];
	unsigned nroots = datadir_roots(roots), i;
	int len, err = -ENOENT;

	for (i = 0; i < nroots; i++) {
		len = snprintf(path, n, "%s/%s/%s", roots[i], subdir, name);
		if (len < 0 || (size_t)len >= n) {
			err = -ENAMETOOLONG;
			continue;
		}
		if (is_file(path))
			return 0;
	}
	if (n)
		path[0] = '\0';
	return err;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the suffix-stripped name of every matching file in dir to *v. */
static int
list_dir(const char *dir, const char *suffix, char ***v, size_t *count,
	 size_t *cap)
{
	size_t slen = strlen(suffix), len;
	char path[4096], **grown;
	struct dirent *e;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len <= slen || strcmp(e->d_name + len - slen, suffix))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     e->d_name) >= sizeof(path) ||
		    !is_file(path))
			continue;
		if (*count + 2 > *cap) {
			*cap = *cap ? *cap * 2 : 16;
			grown = realloc(*v, *cap * sizeof(**v));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			*v = grown;
		}
		(*v)[*count] = strndup(e->d_name, len - slen);
		if (!(*v)[*count]) {
			err = -ENOMEM;
			break;
		}
		(*count)++;
		(*v)[*count] = NULL;
	}
	closedir(d);
	return err;
}

int
datadir_list(const char *subdir, const char *suffix, char ***names)
{
	const char *roots[DATADIR_ROOTS];
	unsigned nroots = datadir_roots(roots), i;
	size_t count = 0, cap = 0, j, k;
	char dir[4096], **v = NULL;
	int err = 0;

	for (i = 0; i < nroots && !err; i++) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", roots[i],
				     subdir) >= sizeof(dir))
			continue;
		err = list_dir(dir, suffix, &v, &count, &cap);
	}
	if (!err && !v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			err = -ENOMEM;
	}
	if (err)
		goto fail;
	/* Sorted, then each name once.  qsort is not stable, but equal
	 * names are equal strings: which copy stays does not matter. */
	qsort(v, count, sizeof(*v), name_cmp);
	for (j = 0, k = 0; j < count; j++) {
		if (k && !strcmp(v[k - 1], v[j])) {
			free(v[j]);
			continue;
		}
		v[k++] = v[j];
	}
	v[k] = NULL;
	*names = v;
	return (int)k;
fail:
	datadir_list_free(v);
	*names = NULL;
	return err;
}

void
datadir_list_free(char **names)
{
	char **p;

	if (!names)
		return;
	for (p = names; *p; p++)
		free(*p);
	free(names);
}
