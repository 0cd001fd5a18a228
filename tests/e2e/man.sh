#!/usr/bin/env bash
# man.sh - the man page (assets/man/lockstep.1): groff finds nothing to
# warn about, it has the sections others extend, and it keeps up with the
# program: every subcommand, option, key, scene, parameter and
# environment variable the program knows is in it.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh
PAGE=assets/man/lockstep.1

if ! command -v groff >/dev/null; then
	echo "man.sh: groff is not installed" >&2
	exit 77
fi
groff -ww -z -man "$PAGE" 2>"$TMPD/warn"
st=$?
[ $st -eq 0 ] && [ ! -s "$TMPD/warn" ] && ok "groff -ww: no warning" ||
	not_ok "groff -ww: no warning: $(cat "$TMPD/warn")"
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$PAGE" >/dev/null 2>"$TMPD/warn"
	[ ! -s "$TMPD/warn" ] && ok "man --warnings: no warning" ||
		not_ok "man --warnings: no warning: $(cat "$TMPD/warn")"
fi
# The page as text, one long line per paragraph, for the checks below.
groff -man -Tutf8 -rLL=1000n -P-cbou "$PAGE" 2>/dev/null >"$TMPD/page"
# section NAME: the text of section NAME of the page.
section() {
	awk -v s="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == s); next } on' "$TMPD/page"
}

for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS KEYS SCENES SCRIPTS \
	SCHEDULES DECKS THEMES RECORDINGS FILES ENVIRONMENT "EXIT STATUS"; do
	grep -qx "$s" "$TMPD/page" && ok "section $s" || not_ok "section $s"
done

# Every subcommand has its subsection, and its options are in it.
"$LOCKSTEP" --help >"$TMPD/overview"
subs=$(sed -n '/^Subcommands:/,/^$/s/^  \([a-z]*\) .*/\1/p' "$TMPD/overview")
[ -n "$subs" ] || not_ok "the overview lists subcommands"
section COMMANDS >"$TMPD/commands"
for s in $subs; do
	grep -qE "^ +lockstep (\[$s\]|$s)( |$)" "$TMPD/commands" &&
		ok "subcommand $s has a subsection" ||
		not_ok "subcommand $s has a subsection"
	for o in $("$LOCKSTEP" help "$s" | sed -n 's/^  \(-[-a-z]*\).*/\1/p'); do
		awk -v s="$s" '$1 == "lockstep" { on = ($2 == s || $2 == "[" s "]") } on' \
			"$TMPD/commands" | grep -qE -- "^ +$o( |$)" &&
			ok "$s option $o is described" ||
			not_ok "$s option $o is described"
	done
done
for o in --help --version; do
	section OPTIONS | grep -qE -- "^ +$o" && ok "option $o is described" ||
		not_ok "option $o is described"
done

# Every key of the ui's help is in KEYS.
section KEYS >"$TMPD/keys"
"$LOCKSTEP" help ui | sed -n '/^Keys:/,/^[^ ]/s/^  \(.*[^ ]\)  \+.*/\1/p' |
	tr ',' '\n' | tr ' ' '\n' | grep -v '^$' | sort -u >"$TMPD/ui-keys"
[ -s "$TMPD/ui-keys" ] || not_ok "the ui's help lists keys"
while read -r k; do
	grep -qE -- "^ +([^ ]+, )*$(printf '%s' "$k" | sed 's/[][?+.*^$()|\\]/\\&/g')(,| |$)" \
		"$TMPD/keys" && ok "key '$k' is described" ||
		not_ok "key '$k' is described"
done <"$TMPD/ui-keys"

# Every scene, with each of its parameters, its range or values, and its
# default.
section SCENES >"$TMPD/scenes"
"$LOCKSTEP" list --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["scenes"]:
    for p in s["params"]:
        if "values" in p:
            allowed = "|".join(p["values"])
        else:
            allowed = "%d..%d" % (p["min"], p["max"])
        print(s["name"], "%s=%s" % (p["name"], allowed), p["default"])
' >"$TMPD/params"
[ -s "$TMPD/params" ] || not_ok "list --json names parameters"
while read -r scene param def; do
	text=$(awk -v s="$scene" '/^       [a-z]/ { on = ($1 == s) } on' "$TMPD/scenes" | tr -s ' \n' ' ')
	if [ -z "$text" ]; then
		not_ok "scene $scene is described"
	elif grep -qF -e "$param ($def," -e "$param (default $def," <<<"$text"; then
		ok "$scene: $param, default $def"
	else
		not_ok "$scene: $param, default $def is described"
	fi
done <"$TMPD/params"

# Every variable the program reads is under ENVIRONMENT.
section ENVIRONMENT >"$TMPD/env"
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' src | sed 's/getenv("\(.*\)")/\1/' | sort -u) \
	ESCDELAY; do
	grep -qE "^ +([A-Z_]+, )*$v(,| |$)" "$TMPD/env" &&
		ok "environment $v is described" ||
		not_ok "environment $v is described"
done
finish
