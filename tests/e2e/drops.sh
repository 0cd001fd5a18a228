#!/usr/bin/env bash
# drops.sh - a run that drops events says so on every screen: the header
# carries "⚠ N lost" (and "N healed" when the model had to assume a lost
# release) whatever the panels are - a hazard scene, where Wait-for
# takes the Metrics panel's place, and step mode too.  The ring is made
# tiny (LOCKSTEP_LANE_EVENTS=2) so that it drops; a run that drops
# nothing shows no badge.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

start d 80 24 env LOCKSTEP_LANE_EVENTS=2 "$LOCKSTEP" race --set fix=mutex
check "a hazard scene shows Wait-for, not Metrics" \
	wait_for d '┌ Wait-for'
check "its header says events were lost" \
	wait_for d '^ lockstep .* ⚠ [1-9][0-9]* lost.*RUNNING'
if screen d | grep -q '┌ Metrics'; then
	not_ok "the Metrics panel is not on this screen"
else
	ok "the Metrics panel is not on this screen"
fi
keys d s
check "s pauses" wait_for d 'PAUSED|STEP'
# The first s may land before the threads are held: step until the
# header says STEP.
for _ in 1 2 3 4 5; do
	screen d | head -1 | grep -q 'STEP' && break
	keys d s
	wait_for d '^ lockstep .*STEP' 2
done
check "step mode keeps the badge" \
	wait_for d '^ lockstep .* ⚠ [1-9][0-9]* lost.*STEP'
keys d q
check "q quits" wait_dead d

start c 80 24 "$LOCKSTEP" deadlock
check "a run with the default ring starts" wait_for c 'DEADLOCK'
if screen c | head -1 | grep -Eq 'lost|healed'; then
	not_ok "a run that drops nothing shows no badge: $(screen c | head -1)"
else
	ok "a run that drops nothing shows no badge"
fi
keys c q
check "q quits" wait_dead c
finish
