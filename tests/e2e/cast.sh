#!/usr/bin/env bash
# cast.sh - --cast records a ui session as an asciicast v2 file: a valid
# header and event lines, a marker for each step, and, played back with
# `asciinema cat` in a terminal of the same size, the very screen the
# session ended on.  Skipped (77) only where asciinema is not installed.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
if ! command -v asciinema >/dev/null || ! command -v python3 >/dev/null; then
	echo "cast.sh: asciinema or python3 is not installed: skipped"
	exit 77
fi
. tests/e2e/lib.sh

# The screens stay where they are drawn when a program ends, so the
# played-back cast's last frame can be read after curses left.
tm set-window-option -g alternate-screen off

# check_cast FILE MARKER...: the file is asciicast v2 of a 100x30
# terminal, every line an event with times in order, and these markers.
check_cast() {
	python3 - "$@" <<'EOF'
import json, sys
path, want = sys.argv[1], sys.argv[2:]
lines = open(path, encoding="utf-8").read().splitlines()
head = json.loads(lines[0])
assert head["version"] == 2, head
assert (head["width"], head["height"]) == (100, 30), head
assert isinstance(head["timestamp"], int) and head["timestamp"] > 0, head
last, marks, out = 0.0, [], 0
for n, line in enumerate(lines[1:], 2):
    t, kind, data = json.loads(line)
    assert isinstance(t, float) and t >= last, "line %d: time %r" % (n, t)
    assert kind in ("o", "m") and isinstance(data, str), "line %d" % n
    last = t
    if kind == "m":
        marks.append(data)
    else:
        out += len(data)
assert out > 1000, "only %d characters of output" % out
for m in want:
    assert m in marks, "no marker %r in %r" % (m, marks)
EOF
}

# play NAME FILE: play the cast in a terminal of the recorded size.
play() {
	start "$1" 100 30 sh -c 'asciinema cat "$0"; sleep 60' "$2"
}

# same_screen NAME SCREEN: poll until NAME shows exactly SCREEN (the
# cast is still being played a moment after its text shows).
same_screen() {
	local i
	for ((i = 0; i < E2E_WAIT * 20; i++)); do
		[ "$(screen "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	diff <(echo "$2") <(screen "$1") >&2
	return 1
}

# --- a stepped live session -----------------------------------------------
start live 100 30 "$LOCKSTEP" race --step --cast "$TMPD/live.cast"
check "the session starts in the step view" wait_for live 'STEP 0'
keys live s
check "a first step" wait_for live 'STEP 1 '
keys live s
check "a second step" wait_for live 'STEP 2 '
keys live b
check "a step back" wait_for live 'STEP 1 '
live_screen=$(screen live)
keys live q
check "the session quits" wait_dead live
check "the cast is asciicast v2 with a marker per step" \
	check_cast "$TMPD/live.cast" "step 1" "step 2" "back to step 1"
play pl "$TMPD/live.cast"
check "asciinema cat plays it" wait_for pl 'STEP 1 '
check "its last frame is the screen the session ended on" \
	same_screen pl "$live_screen"

# --- a replay session -----------------------------------------------------
"$LOCKSTEP" run deadlock --headless --seconds 0.3 \
	--record-events "$TMPD/dl.lsrec" >/dev/null
start rp 100 30 "$LOCKSTEP" replay "$TMPD/dl.lsrec" --cast "$TMPD/rp.cast"
check "the replay starts" wait_for rp 'event 0 of'
keys rp 5 0 %
check "a seek" wait_for rp 'event [1-9][0-9]* of'
k=$(screen rp | sed -n 's/.*event \([0-9]*\) of.*/\1/p')
keys rp Right
check "a step" wait_for rp "event $((k + 1)) of"
live_screen=$(screen rp)
keys rp q
check "the replay quits" wait_dead rp
check "the replay's cast marks each position" \
	check_cast "$TMPD/rp.cast" "event $k" "event $((k + 1))"
play pr "$TMPD/rp.cast"
check "asciinema cat plays the replay's cast" wait_for pr "event $((k + 1)) of"
check "its last frame is the replay's last screen" \
	same_screen pr "$live_screen"

# --- errors -----------------------------------------------------------------
"$LOCKSTEP" run race --headless --cast "$TMPD/x.cast" 2>/dev/null
[ $? -eq 2 ] && ok "--cast with --headless is a usage error" ||
	not_ok "--cast with --headless is a usage error"
start bad 300 10 sh -c '"$0" race --cast /nonexistent/x.cast; echo "exit $?";
	sleep 60' "$LOCKSTEP"
check "a cast that cannot be created: one line, exit 1" \
	wait_for bad '^exit 1$'
check "naming the file" wait_for bad '/nonexistent/x.cast: No such file'

finish
