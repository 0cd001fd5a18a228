/*
 * opt.c - one option and its value from argv (opt.h).
 */
#include "config.h"

#include "util/opt.h"

#include <errno.h>
#include <string.h>

int
opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	const char *a = argv[*i];
	size_t len = strlen(name);

	*val = NULL;
	if (strncmp(a, name, len) || (a[len] && a[len] != '='))
		return 0;
	if (a[len] == '=') {
		if (!a[len + 1])
			return -EINVAL;
		*val = a + len + 1;
		return 1;
	}
	if (*i + 1 >= argc || !strncmp(argv[*i + 1], "--", 2))
		return -EINVAL;
	*val = argv[++*i];
	return 1;
}
