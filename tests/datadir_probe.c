/*
 * datadir_probe.c - where util/datadir.c finds a data file: prints the
 * path of SUBDIR/NAME, or exits 1 when no data directory has it.  Used
 * by make installcheck to see that an installed lockstep finds its files
 * where make install put them.  Usage: datadir_probe SUBDIR NAME
 */
#include "config.h"

#include <stdio.h>

#include "util/datadir.h"

int
main(int argc, char **argv)
{
	char path[4096];

	if (argc != 3) {
		fprintf(stderr, "usage: datadir_probe SUBDIR NAME\n");
		return 2;
	}
	if (datadir_find(argv[1], argv[2], path, sizeof(path)))
		return 1;
	puts(path);
	return 0;
}
