/*
 * list.h - the shipped scripts in `lockstep list`.
 */
#ifndef LOCKSTEP_CLI_LIST_H
#define LOCKSTEP_CLI_LIST_H

#include <stdbool.h>

/*
 * Print the shipped scripts found under the data directories: a heading
 * and a line each (name, title, goal, safe or breakable), or with json
 * the member "scripts": [...] of list's JSON object.  Returns 0 or
 * -ENOMEM.
 */
int list_scripts(bool json);

#endif
