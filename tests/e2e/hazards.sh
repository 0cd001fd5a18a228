#!/usr/bin/env bash
# hazards.sh - the hazard demos as a class sees them: the deadlock scene
# shows its DEADLOCK banner and wait-for cycle, and the fix key clears it.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

start dl 80 24 "$LOCKSTEP" deadlock
check "the deadlock scene deadlocks at once, with a banner" \
	wait_for dl 'DEADLOCK: T1 wants [AB], held by T2'
check "the Wait-for panel shows the cycle" wait_for dl '│ DEADLOCK'
check "both threads are shown blocked" wait_for dl 'T2 +BLOCKED +holds'
keys dl f
check "f switches to the first fix" wait_for dl 'fix=ordering'
check "the fix clears the deadlock" wait_gone dl 'DEADLOCK: T1|│ DEADLOCK' 5
check "and the transfers go on" wait_for dl 'transfers T1 [1-9]'
keys dl r
check "r resets the fixed scene" wait_for dl 'scene reset'
keys dl q
check "q quits" wait_dead dl

# Every hazard scene: the broken variant fails its invariant, every fix
# holds it, headless, as the JSON says.
for scene in race deadlock philosophers starvation deploy; do
	fixes=$("$LOCKSTEP" list --json | python3 -c "
import json, sys
for s in json.load(sys.stdin)['scenes']:
    if s['name'] == '$scene':
        print(' '.join(s.get('fixes', [])))")
	for fix in none $fixes; do
		out=$("$LOCKSTEP" run "$scene" --headless --json --seconds 3 \
			--set fix="$fix" | python3 -c "
import json, sys
print('true' if json.load(sys.stdin)['invariant']['holds'] else 'false')")
		want=true
		[ "$fix" = none ] && want=false
		[ "$out" = "$want" ] && ok "$scene fix=$fix: invariant holds=$out" ||
			not_ok "$scene fix=$fix: invariant holds=$out, want $want"
	done
done
finish
