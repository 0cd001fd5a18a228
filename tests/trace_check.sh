#!/bin/sh
# trace_check.sh - the Chrome trace export of real headless runs, checked
# by tests/trace_check.py: each scene is run by tests/trace_run (recorded,
# then exported from the recording), and the checker must accept what it
# wrote and find what each scene must show.  The checker must also refuse
# broken traces, or it proves nothing.
set -eu

if ! command -v python3 >/dev/null 2>&1; then
	echo "trace_check: python3 not found: skipped"
	exit 77
fi
srcdir=${srcdir:-.}
check="python3 $srcdir/tests/trace_check.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-trace.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

run() {
	scene=$1
	shift
	./tests/trace_run "$scene" "$tmp/$scene.lsrec" "$tmp/$scene.json" "$@"
}

expect_ok() {
	if ! $check "$@"; then
		echo "FAIL: trace_check.py refused an export: $*"
		fails=$((fails + 1))
	fi
}

run deadlock fix=none
expect_ok "$tmp/deadlock.json" --expect-instant "deadlock: wait-for cycle" \
	--expect-instant "INVARIANT BROKEN" --expect-slice "hold " \
	--expect-slice "wait "
run prodcons
expect_ok "$tmp/prodcons.json" --expect-flow --expect-counter queue \
	--expect-slice "wait for"
run race fix=mutex
expect_ok "$tmp/race.json" --expect-flow --expect-slice "hold "
run pool
expect_ok "$tmp/pool.json" --expect-counter pool
run rwlock
expect_ok "$tmp/rwlock.json" --expect-slice "read " --expect-slice "write "
run starvation
expect_ok "$tmp/starvation.json"

# The checker against traces that break each rule, and against an
# expectation that the export does not meet.
if ! $check --self-test; then
	echo "FAIL: trace_check.py --self-test"
	fails=$((fails + 1))
fi
if $check "$tmp/prodcons.json" --expect-instant "no such instant" \
	2>/dev/null; then
	echo "FAIL: trace_check.py found an instant that is not there"
	fails=$((fails + 1))
fi

# What the exporter says of a bad recording: where, and what.
head -c 100 "$tmp/prodcons.lsrec" > "$tmp/cut.lsrec"
if ./tests/trace_run --export "$tmp/cut.lsrec" "$tmp/cut.json" 2>"$tmp/err"; then
	echo "FAIL: a cut recording was exported"
	fails=$((fails + 1))
elif ! grep -q "cut.lsrec: byte [0-9]*: truncated" "$tmp/err"; then
	echo "FAIL: the cut recording's message: $(cat "$tmp/err")"
	fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] && echo "trace_check: all passed"
exit "$((fails != 0))"
