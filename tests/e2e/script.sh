#!/usr/bin/env bash
# script.sh - a scene script as a class sees it (issue 10): opened in the
# step view, each thread's code with the next line marked, a thread
# stepped by its number moves its marker and shows the next part of a
# split statement with its value, the changed variable is marked, the
# goal's banner explains the outcome, b steps back; and a parse error is
# one FILE:LINE:COLUMN line with status 2, nothing started.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

# step_to NAME N KEY: press KEY, wait until the STEP badge shows N, at
# rest (no "..." while the step is in flight).
step_to() {
	keys "$1" "$3"
	wait_for "$1" "STEP $2( )"
}

bad="$TMPD/bad.lss"
printf 'title "x"\ngoal assert\nexpect breakable\nlesson """a"""\nshared int x = ;\n' >"$bad"
out=$("$LOCKSTEP" "$bad" 2>&1)
rc=$?
check "a parse error exits 2" test "$rc" = 2
check "a parse error says FILE:LINE:COLUMN" \
	grep -q "$bad:5:16: expected a number" <<<"$out"

s=lu
start $s 100 30 "$LOCKSTEP" assets/scripts/lost-update.lss --step
check "the header names the script, its title and goal" \
	wait_for $s 'lost-update.lss — Two withdrawals, one balance +GOAL: assert'
check "the par to beat, found in the background, joins the goal" \
	wait_for $s '» STEP 0 PAR 4 '
check "both threads' code shows, side by side, the next line marked" \
	wait_for $s '│▶ +balance = balance - 50; +││▶ +balance = balance - 50;'
check "the split statement's first part is next, with the value" \
	wait_for $s '» load balance -> 100 .*» load balance -> 100'
step_to $s 1 1
check "alice's next part is the store, with the value it will write" \
	wait_for $s '» store balance <- 50 +││» load balance -> 100'
step_to $s 2 2
step_to $s 3 2
check "bob's store changed balance, marked" \
	wait_for $s '◆ balance = 50'
check "bob has returned" wait_for $s '└ 1: can move ─+┘└ 2: done'
check "no banner before the goal" wait_gone $s 'ASSERTION FAILED' 1
step_to $s 4 1
check "the banner explains the outcome" \
	wait_for $s 'ASSERTION FAILED at step 4: the check block, line 32: a withdrawal was lost'
step_to $s 3 b
check "b steps back: alice is at her store again" \
	wait_for $s '» store balance <- 50 +││» returned'
check "the banner is gone after the step back" wait_gone $s 'ASSERTION FAILED' 5
tm kill-session -t $s

# Keys typed faster than the steps run are kept, in order: four keys
# sent at once are the four steps of the par, not one step and three
# refusals.
s=ahead
start $s 100 30 "$LOCKSTEP" assets/scripts/lost-update.lss --step
wait_for $s '» STEP 0 ' >/dev/null
keys $s 1 2 2 1
check "step keys typed ahead are all taken, in order" \
	wait_for $s 'ASSERTION FAILED at step 4: the check block'
tm kill-session -t $s

s=small
start $s 80 24 "$LOCKSTEP" assets/scripts/deadlock-three.lss --step
check "at 80x24 the script's threads fit in fewer, narrower columns" \
	wait_for $s '┌ [a-z0-9]+ ─+┐┌ [a-z0-9]+ ─+┐┌ [a-z0-9]+ ─+┐┌ Shared'
tm kill-session -t $s

finish
