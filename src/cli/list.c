/*
 * list.c - the shipped scripts in `lockstep list` (list.h), beside the C
 * scenes main.c lists: found under the data directories (the installed
 * $(pkgdatadir)/scripts, or the source tree's assets/scripts), each
 * compiled to show its title, its goals and what it expects.  A script
 * that does not compile is listed with its error, so a broken file shows.
 */
#include "config.h"

#include "cli/list.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/headless.h"
#include "script/script.h"
#include "util/datadir.h"

/* "assert, deadlock" for a goal mask into buf. */
static void
list_goals(unsigned goals, char *buf, size_t n)
{
	size_t used = 0;
	unsigned bit;

	buf[0] = '\0';
	for (bit = 1; bit <= SCRIPT_GOAL_ERROR && used < n; bit <<= 1)
		if (goals & bit)
			used += (size_t)snprintf(buf + used, n - used, "%s%s",
						 used ? ", " : "",
						 script_goal_name(bit));
}

/* One script, text or JSON; first says whether it is the first. */
static void
list_one(const char *name, bool json, bool first)
{
	char file[300], path[4096], err[512], goals[64];
	struct script_program *p = NULL;

	snprintf(file, sizeof(file), "%s.lss", name);
	if (datadir_find("scripts", file, path, sizeof(path)) ||
	    script_parse_file(path, &p, err, sizeof(err)))
		p = NULL;
	if (p)
		list_goals(p->goals, goals, sizeof(goals));
	if (!json) {
		if (p)
			printf("%-22s %s (goal: %s; %s)\n", file, p->title,
			       goals, p->expect == SCRIPT_SAFE ? "safe"
							      : "breakable");
		else
			printf("%-22s does not compile: %s\n", file, err);
		script_free(p);
		return;
	}
	printf("%s\n  {\"name\": ", first ? "" : ",");
	headless_json_string(file);
	printf(", \"path\": ");
	headless_json_string(path);
	if (p) {
		printf(", \"title\": ");
		headless_json_string(p->title);
		printf(", \"goal\": ");
		headless_json_string(goals);
		printf(", \"expect\": \"%s\"}",
		       p->expect == SCRIPT_SAFE ? "safe" : "breakable");
	} else {
		printf(", \"error\": ");
		headless_json_string(err);
		printf("}");
	}
	script_free(p);
}

int
list_scripts(bool json)
{
	char **names = NULL;
	int n = datadir_list("scripts", ".lss", &names), i;

	if (n < 0)
		return n;
	if (json)
		printf("\"scripts\": [");
	else if (n)
		printf("\nScripts (lockstep NAME.lss):\n");
	for (i = 0; i < n; i++)
		list_one(names[i], json, i == 0);
	if (json)
		printf("]");
	datadir_list_free(names);
	return 0;
}
