/*
 * frontmatter.c - a deck's front matter: the YAML-style block between
 * `---` lines at the top.  lockstep reads title, author and theme, as
 * plain `key: value` lines or presenterm's nested forms (`theme:` then
 * `name:` or `path:` under it; `author:` then a list); other keys belong
 * to other tools and are skipped with a warning.  A line that is not
 * `key: value`, a key given twice, or a theme file with an error is an
 * error; a theme lockstep does not have is a warning (the deck may have
 * been written for another tool), and the default theme is used.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "present/deck-int.h"
#include "ui/themefile.h"

enum fm_key { FM_TITLE, FM_AUTHOR, FM_THEME, FM_OTHER, FM_NONE };

/* A value without the quotes around it. */
static const char *
unquote(const char *s, size_t *n)
{
	if (*n >= 2 && (s[0] == '"' || s[0] == '\'') && s[*n - 1] == s[0]) {
		*n -= 2;
		return s + 1;
	}
	return s;
}

/* key: value on one line: false when there is no colon or the key is
 * not a word. */
static bool
key_value(const char *s, size_t n, const char **k, size_t *kn,
	  const char **v, size_t *vn)
{
	const char *colon = memchr(s, ':', n);
	size_t i;

	if (!colon)
		return false;
	*kn = (size_t)(colon - s);
	*k = deck_trim(s, kn);
	for (i = 0; i < *kn; i++)
		if (!isalnum((unsigned char)(*k)[i]) && (*k)[i] != '_' &&
		    (*k)[i] != '-')
			return false;
	*vn = n - (size_t)(colon + 1 - s);
	*v = deck_trim(colon + 1, vn);
	*v = unquote(*v, vn);
	return *kn > 0;
}

/* The theme the deck asks for: looked up now, so a broken theme file
 * stops the deck before the class sees it. */
static int
theme_set(struct deck_parser *p, const char *v, size_t n, unsigned line)
{
	struct theme_file t;
	char *spec, err[512];
	int rc;

	if (!n)
		return deck_fail(p, line, "front matter: theme has no value");
	spec = deck_strndup(v, n);
	if (!spec)
		return deck_nomem(p);
	/* A path is the deck's, like its scripts and schedules. */
	if (strchr(spec, '/') || (n > 6 && !strcmp(spec + n - 6, ".theme"))) {
		p->d->theme = deck_resolve(p, spec);
		free(spec);
	} else {
		p->d->theme = spec;
	}
	if (!p->d->theme)
		return deck_nomem(p);
	p->d->theme_line = line;
	rc = themefile_load(p->d->theme, &t, err, sizeof(err));
	if (rc == -EINVAL)
		return deck_fail(p, line, "theme: %s", err);
	if (rc == -ENOMEM)
		return deck_nomem(p);
	if (rc)
		return deck_warn(p, line, "%s: the default theme is used", err);
	return 0;
}

/* Append an author ("a, b" for a list). */
static int
author_add(struct deck_parser *p, const char *v, size_t n)
{
	size_t old = p->d->author ? strlen(p->d->author) : 0;
	char *a;

	if (!n)
		return 0;
	a = realloc(p->d->author, old + n + 3);
	if (!a)
		return deck_nomem(p);
	if (old) {
		memcpy(a + old, ", ", 2);
		old += 2;
	}
	memcpy(a + old, v, n);
	a[old + n] = '\0';
	p->d->author = a;
	return 0;
}

/* An indented line under a key that had no value on its own line. */
static int
nested(struct deck_parser *p, enum fm_key under, const char *s, size_t n,
       unsigned line)
{
	const char *k, *v;
	size_t kn, vn;

	if (under == FM_AUTHOR && n >= 2 && s[0] == '-' && s[1] == ' ') {
		vn = n - 2;
		v = deck_trim(s + 2, &vn);
		v = unquote(v, &vn);
		return author_add(p, v, vn);
	}
	if (!key_value(s, n, &k, &kn, &v, &vn)) {
		if (under == FM_OTHER)
			return 0;
		return deck_fail(p, line, "front matter: expected "
				 "'key: value' under the key above");
	}
	if (under == FM_THEME && ((kn == 4 && !memcmp(k, "name", 4)) ||
				  (kn == 4 && !memcmp(k, "path", 4)))) {
		if (p->d->theme)
			return deck_fail(p, line, "front matter: the theme is "
					 "given twice (first on line %u)",
					 p->d->theme_line);
		return theme_set(p, v, vn, line);
	}
	if (under == FM_AUTHOR && kn == 4 && !memcmp(k, "name", 4))
		return author_add(p, v, vn);
	return 0;
}

int
frontmatter_parse(struct deck_parser *p, unsigned first, unsigned last)
{
	static const char *const names[] = { "title", "author", "theme" };
	enum fm_key under = FM_NONE, key;
	unsigned seen[3] = { 0 }, i, line;
	const char *s, *k, *v;
	size_t n, kn, vn;
	int rc = 0;

	for (i = first; i < last && !rc; i++) {
		line = i + 1;
		n = p->lines[i].n;
		s = deck_trim(p->lines[i].s, &n);
		if (!n || s[0] == '#')
			continue;
		if (s != p->lines[i].s) {
			if (under == FM_NONE)
				return deck_fail(p, line, "front matter: an "
						 "indented line must be under "
						 "a key that ends in ':'");
			rc = nested(p, under, s, n, line);
			continue;
		}
		if (!key_value(s, n, &k, &kn, &v, &vn))
			return deck_fail(p, line, "front matter: expected "
					 "'key: value', got '%.*s'",
					 (int)(n > 60 ? 60 : n), s);
		for (key = FM_TITLE; key < FM_OTHER; key++)
			if (kn == strlen(names[key]) &&
			    !memcmp(k, names[key], kn))
				break;
		under = vn ? FM_NONE : key;
		if (key == FM_OTHER) {
			rc = deck_warn(p, line, "front matter: '%.*s' is not "
				       "used by lockstep", (int)kn, k);
			continue;
		}
		if (seen[key])
			return deck_fail(p, line, "front matter: %s is given "
					 "twice (first on line %u)",
					 names[key], seen[key]);
		seen[key] = line;
		if (!vn)
			continue;
		if (key == FM_TITLE) {
			p->d->title = deck_strndup(v, vn);
			rc = p->d->title ? 0 : deck_nomem(p);
		} else if (key == FM_AUTHOR) {
			rc = author_add(p, v, vn);
		} else {
			rc = theme_set(p, v, vn, line);
		}
	}
	return rc;
}
