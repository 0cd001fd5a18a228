#!/bin/sh
# door.sh - one control door (DESIGN.md, STYLE.md): nothing outside the
# engine and src/control drives a group's gates.
#
# The rule: a function of include/lockstep/gate.h that takes a group
# (struct ls_group *: pause, resume, mode, settle, quiesce, release, step,
# list, and any added later) belongs to the controller, and only
# src/engine and src/control may call it.  The gate's own suites
# (tests/check_gate*.c, tests/check_thread.c) test that API itself and may
# too.  What a thread says about its own gates (ls_gate, ls_gate_probed,
# ls_gate_prepay, ls_gate_tag) and the types (struct ls_gate_view, the
# probes, the modes) are for everyone: scenes and script runtimes
# describe their steps with them.
#
# The controller's functions are read from gate.h, so a new one is
# covered at once.  Before it looks at the tree, the check runs on a
# planted caller and must name it: a grep that can no longer fail fails.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 99

HEADER=include/lockstep/gate.h
# The controller's functions: "ls_gate_x(struct ls_group" or
# "ls_gate_x(const struct ls_group" in the header, one name a line.
api=$(sed -n 's/.*\<\(ls_gate_[a-z_]*\)((*\(const \)\{0,1\}struct ls_group.*/\1/p' \
	"$HEADER" | sort -u)
if [ -z "$api" ]; then
	echo "door.sh: found no controller function in $HEADER" >&2
	exit 99
fi
pattern="\\<($(echo "$api" | paste -sd'|' -))[[:space:]]*\\("

# callers ROOT: print ROOT-relative file:line: text of every call of a
# controller function outside the allowed places; comment lines (those
# that start with /* * or //) do not count.
callers() {
	(cd "$1" && find src tests -name '*.[ch]' 2>/dev/null) | sort |
	while read -r f; do
		case $f in
		src/engine/* | src/control/* | tests/check_gate*.c | \
		tests/check_thread.c)
			continue ;;
		esac
		grep -EnH "$pattern" "$1/$f" |
			grep -Ev '^[^:]*:[0-9]+:[[:space:]]*(/\*|\*|//)' |
			sed "s|^$1/||"
	done
}

# The check checks itself: a planted caller in the ui must be named with
# its file and line, and one in the engine must not.
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/ui" "$tmp/src/engine"
printf '/* ls_gate_step(g) in a comment is fine */\nvoid\nf(void)\n{\n\tls_gate_step (g, 1, 0);\n}\n' \
	>"$tmp/src/ui/planted.c"
printf 'void\nf(void)\n{\n\tls_gate_pause(g);\n}\n' >"$tmp/src/engine/ok.c"
planted=$(callers "$tmp")
if [ "$planted" != "src/ui/planted.c:5:	ls_gate_step (g, 1, 0);" ]; then
	echo "door.sh: the check itself is broken; on a planted tree it said:" >&2
	echo "${planted:-(nothing)}" >&2
	exit 99
fi

found=$(callers .)
if [ -n "$found" ]; then
	echo "$found" | while IFS= read -r line; do
		echo "door.sh: $line" >&2
	done
	echo "door.sh: the gate's controller API is called outside" \
	     "src/engine and src/control; go through src/control/control.h" \
	     "(control_attach drives a group a test made)" >&2
	exit 1
fi
echo "door.sh: $(echo "$api" | wc -l) controller functions of $HEADER," \
     "called only by src/engine, src/control and the gate's own suites"
exit 0
