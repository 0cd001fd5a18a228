/*
 * present-cmd.c - `lockstep present`: open a deck, check everything in it
 * that could stop a lesson in front of a class (the deck reader's checks,
 * then each live scene made runnable: present/stage.h), and only then
 * take the terminal, as the presenter or as its speaker notes.
 */
#include "config.h"

#include "cli/present-cmd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "present/deck.h"
#include "present/stage.h"
#include "ui/present.h"
#include "ui/themefile.h"
#include "util/datadir.h"
#include "util/opt.h"

int
present_cmd_theme(const char *spec, struct theme_file *t)
{
	char err[600];
	int rc = themefile_load(spec, t, err, sizeof(err));

	if (!rc)
		return 0;
	cmd_error("%s", err);
	return rc == -EINVAL || rc == -ENOENT ? CMD_EXIT_USAGE
					      : CMD_EXIT_FAILURE;
}

/* The deck a word names: a file, or else a shipped deck by name
 * ("concurrency" or "concurrency.md"). */
static const char *
present_cmd_find(const char *word, char *buf, size_t n)
{
	char name[256];
	struct stat st;
	size_t len = strlen(word);

	if (!stat(word, &st) || strchr(word, '/'))
		return word;
	snprintf(name, sizeof(name), "%s%s", word,
		 len > 3 && !strcmp(word + len - 3, ".md") ? "" : ".md");
	return datadir_find("decks", name, buf, n) ? word : buf;
}

static int
present_cmd_exec(const struct cmd_entry *e, int argc, char **argv)
{
	const char *path = NULL, *theme_spec = NULL, *v;
	struct theme_file theme;
	bool notes = false, have_theme = false;
	struct deck *d = NULL;
	char found[4096], err[1024];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (opt_value(argc, argv, &i, "--theme", &v)) {
			if (!v)
				return cmd_usage_error(e, "--theme needs a "
						       "name or a file");
			theme_spec = v;
		} else if (!strcmp(argv[i], "--notes")) {
			notes = true;
		} else if (argv[i][0] == '-') {
			return cmd_usage_error(e, "unknown option '%s'",
					       argv[i]);
		} else if (path) {
			return cmd_usage_error(e, "unexpected word '%s'",
					       argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return cmd_usage_error(e, "present needs a deck: a Markdown "
				       "file, or 'concurrency' for the "
				       "shipped lesson");
	rc = deck_open(present_cmd_find(path, found, sizeof(found)), &d, err,
		       sizeof(err));
	if (rc) {
		cmd_error("%s", err);
		return rc == -ENOMEM ? CMD_EXIT_FAILURE : CMD_EXIT_USAGE;
	}
	rc = stage_check(d, err, sizeof(err));
	if (rc) {
		cmd_error("%s", err);
		rc = rc == -ENOMEM ? CMD_EXIT_FAILURE : CMD_EXIT_USAGE;
		goto out;
	}
	/* --theme wins over the deck's own; a deck's theme that is not
	 * there was a warning when it opened, and the default is used. */
	if (theme_spec) {
		rc = present_cmd_theme(theme_spec, &theme);
		if (rc)
			goto out;
		have_theme = true;
	} else if (d->theme) {
		have_theme = !themefile_load(d->theme, &theme, err,
					     sizeof(err));
	}
	rc = notes ? present_notes_main(d, have_theme ? &theme : NULL)
		   : present_main(d, have_theme ? &theme : NULL);
out:
	deck_free(d);
	return rc;
}

const struct cmd_entry cmd_present_entry = {
	.name = "present",
	.args = "DECK [--notes] [--theme NAME|FILE]",
	.summary = "a Markdown deck with live scenes on its slides",
	.help =
	"Present DECK, a Markdown file (or the name of a shipped deck:\n"
	"'lockstep present concurrency'), one slide at a time, laid out to\n"
	"the terminal.  A fenced block with the info string lockstep is a\n"
	"live scene: it starts when its slide shows, in the mode the block\n"
	"names, and is stopped and reset when the slide closes.  A deck with\n"
	"an error (front matter, an unknown scene or parameter, a missing\n"
	"schedule) is refused with FILE:LINE and status 2.\n"
	"\n"
	"Options:\n"
	"  --notes          the speaker notes of DECK, following the\n"
	"                   presenter: run it in a second terminal\n"
	"  --theme NAME|FILE\n"
	"                   the colours (default: the deck's theme, else\n"
	"                   the built-in one)\n"
	"\n"
	"Keys:\n"
	"  Right, Space, PgDn, l, n\n"
	"                   next: the next pause, then the next slide\n"
	"  Left, PgUp, h, p the previous slide\n"
	"  g, G             the first, the last slide\n"
	"  NUMBER Enter     that slide\n"
	"  Up, Down         scroll a slide taller than the terminal\n"
	"  Tab              the keys to the live scene (every key of the\n"
	"                   ui works there) and back to the slide\n"
	"  b                blank the screen; any key shows it again\n"
	"  T                the next shipped theme\n"
	"  ?                the keys\n"
	"  q                quit\n",
	.exec = present_cmd_exec,
};
