# lib.sh - helpers for the end-to-end tests: drive the real lockstep in a
# private tmux server, type keys, and read the screen as a person would.
#
# Every wait is a bounded poll of the screen for what a person would look
# for, never a blind sleep that hides a race.

: "${LOCKSTEP:=./lockstep}"
SOCK="lockstep-e2e-$$"
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-e2e.XXXXXX")
FAILS=0
PASSES=0
# How long a wait polls before it fails, in seconds.  Generous: a wait
# that succeeds returns at once, and a CI machine running the suites side
# by side (and building the sanitizer trees) can take seconds to redraw.
: "${E2E_WAIT:=30}"

tm() { tmux -L "$SOCK" "$@"; }

# A session that lives as long as the test: killing the last session of a
# test makes the server exit, and a session started at that moment meets
# a dying server ("server exited unexpectedly").
tm new-session -d -s keepalive -x 20 -y 5 "sleep 86400"

cleanup() {
	tm kill-server 2>/dev/null || true
	rm -rf "$TMPD"
}
trap cleanup EXIT

# start NAME COLS ROWS CMD... : a detached session running CMD.
start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	tm new-session -d -s "$name" -x "$cols" -y "$rows" "$@"
	tm set-option -t "$name" remain-on-exit on >/dev/null
}

screen() { tm capture-pane -p -t "$1"; }

# wait_for NAME REGEX [SECONDS]: poll the screen until REGEX shows.
wait_for() {
	local name=$1 re=$2 secs=${3:-$E2E_WAIT} i
	for ((i = 0; i < secs * 20; i++)); do
		if screen "$name" 2>/dev/null | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
	done
	echo "--- screen of $name while waiting for /$re/:" >&2
	screen "$name" >&2 || true
	return 1
}

# wait_gone NAME REGEX [SECONDS]: poll until REGEX no longer shows.
wait_gone() {
	local name=$1 re=$2 secs=${3:-$E2E_WAIT} i
	for ((i = 0; i < secs * 20; i++)); do
		if ! screen "$name" 2>/dev/null | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
	done
	echo "--- screen of $name still shows /$re/:" >&2
	screen "$name" >&2 || true
	return 1
}

# wait_file PATH [SECONDS]: poll until PATH exists and is not empty.
wait_file() {
	local path=$1 secs=${2:-$E2E_WAIT} i
	for ((i = 0; i < secs * 20; i++)); do
		[ -s "$path" ] && return 0
		sleep 0.05
	done
	echo "--- $path never appeared" >&2
	return 1
}

# wait_dead NAME [SECONDS]: poll until the program in NAME has exited.
# (tmux knows at once; its "Pane is dead" line is not always drawn.)
wait_dead() {
	local name=$1 secs=${2:-$E2E_WAIT} i
	for ((i = 0; i < secs * 20; i++)); do
		[ "$(tm list-panes -t "$name" -F '#{pane_dead}' 2>/dev/null)" = 1 ] &&
			return 0
		sleep 0.05
	done
	echo "--- $name still running after ${secs}s" >&2
	return 1
}

keys() { local name=$1; shift; tm send-keys -t "$name" "$@"; }

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
# Failures are named again at the end: a log cut to its tail (CI shows
# an excerpt) still says which check failed.
FAILED=""
not_ok() {
	FAILS=$((FAILS + 1))
	FAILED="$FAILED
not ok - $*"
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: run COMMAND, record the result.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

finish() {
	[ -z "$FAILED" ] || echo "failed:$FAILED"
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
