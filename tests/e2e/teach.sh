#!/usr/bin/env bash
# teach.sh - the scenes as a class sees them (issue 9): step a hazard
# scene opened paused into its failure by keys alone and see the banner;
# no red error during a normal step; every lesson's fix paragraph
# reachable with f; the 80x24 key bar keeps the step keys and every
# parameter key; the sizing chart flattens at N = cores for CPU-bound
# tasks; and the smaller things a person would notice.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

# --- stepping into the failure by keys alone ------------------------------
# keys_then NAME KEY... : step with each key in turn, each once the step
# before it has been counted and has come to rest (the header's STEP
# badge shows the count, with "..." while the step is in flight).
keys_then() {
	local name=$1 k n
	shift
	for k in "$@"; do
		n=$(screen "$name" | grep -Eo 'STEP [0-9]+' | head -1 | cut -d' ' -f2)
		n=$((${n:-0} + 1))
		keys "$name" "$k"
		wait_for "$name" "STEP $n( |\.\.\.)" || return 1
		wait_gone "$name" "STEP $n\.\.\." || return 1
	done
}

# absent NAME REGEX: the screen shows nothing matching REGEX now.
absent() {
	if screen "$1" | grep -Eq -- "$2"; then
		echo "--- $1 shows /$2/:" >&2
		screen "$1" >&2
		return 1
	fi
}

start race 100 30 "$LOCKSTEP" race --paused
check "race opens paused" wait_for race 'PAUSED'
check "paused, the threads panel says what each does next" \
	wait_for race 'alice +PAUSED +yes +read balance'
check "the status line says how to make it fail" \
	wait_for race 'To make it fail, step: 1 alice, 2 bob, 1 alice, 2 bob'
keys_then race 1 2 1
check "no banner before the losing write" \
	wait_gone race 'LOST UPDATE at' 1
check "a thread's row says what it read" \
	wait_for race 'bob +PAUSED +yes +read balance=100; write balance'
keys_then race 2
check "the fourth step shows LOST UPDATE with the values" \
	wait_for race "LOST UPDATE at step 4: bob wrote 50 over alice's 50"
check "the banner keeps the scene name" wait_for race '^ lockstep . race +LOST'
check "the Wait-for panel tells it whole" \
	wait_for race "│bob wrote 50 over alice's 50: alice's +│"
check "the timeline has a column per step" \
	wait_for race 'Timeline: steps 1-4, one column per step'
check "the step keys are bright chips in the key bar" \
	wait_for race ' s step +1-9 thread'
tm kill-session -t race

start dl 100 30 "$LOCKSTEP" deadlock --paused
wait_for dl 'T1 +PAUSED' >/dev/null
keys_then dl 1 2 1
check "a step into a held lock says who holds it" \
	wait_for dl 'T2 +PAUSED +waits +lock A \(held by T1\)'
keys_then dl 2
check "the fourth step deadlocks, with a banner" \
	wait_for dl 'DEADLOCK at step 4: T1 waits for B \(held by T2\)'
tm kill-session -t dl

start dep 100 30 "$LOCKSTEP" deploy --paused
wait_for dep 'deployer +PAUSED' >/dev/null
keys_then dep 1 2 2
check "deploy: a torn read, naming what every server saw" \
	wait_for dep '│server-1 read flag on with version 7: the'
tm kill-session -t dep

start ph 100 30 "$LOCKSTEP" philosophers --paused
wait_for ph 'P5 +PAUSED' >/dev/null
keys_then ph 1 2 3 4 5 1 2 3 4 5
check "philosophers: ten steps close the cycle of five" \
	wait_for ph 'DEADLOCK at step 10'
check "the meals head the objects" wait_for ph 'meals P1 0  P2 0'
tm kill-session -t ph

# --- a normal step waits honestly, never an error -------------------------
# An alert is white on red (SGR 41); nothing on a healthy screen uses it.
start pc 100 30 "$LOCKSTEP" prodcons --paused
wait_for pc 'producer-1 +PAUSED' >/dev/null
red=no
for ((i = 1; i <= 6; i++)); do
	keys pc s
	# Until the step is counted and at rest, looking for red each time.
	for ((k = 0; k < 200; k++)); do
		if tm capture-pane -e -p -t pc | grep -q $'\e\\[[0-9;]*41[;m]'; then
			red=yes
		fi
		screen pc | grep -Eq "STEP $i " && break
		sleep 0.05
	done
done
[ $red = no ] && ok "no red error during six normal steps" ||
	not_ok "no red error during six normal steps"
check "the status line tells the last step" \
	wait_for pc 'Step 6: [a-z]+-[12] did'
check "no complaint about a busy thread" \
	absent pc 'cannot|still busy|still working'
tm kill-session -t pc

# --- every lesson's fix paragraph is reachable with f ---------------------
# The heading of a section is its first line up to the first full stop.
fix_headings() {
	awk -v part="$2" '
		/^\[/ { want = 0
			if ($0 ~ /fix=/ && (part == "" || $0 ~ "part=" part "[] ]")) {
				fix = $0; sub(/.*fix=/, "", fix); sub(/[] ].*/, "", fix)
				want = 1
			}
			next }
		want { h = $0; sub(/\..*/, "", h); print fix "\t" h; want = 0 }
	' "assets/lessons/$1.txt" | sed -e 's/[][(){}.*+?^$|\\]/\\&/g'
}

fix_cycle() {
	local scene=$1 part=$2 sess="fx-$1$2" fix heading first=1
	if [ -n "$part" ]; then
		start "$sess" 100 30 "$LOCKSTEP" "$scene" --set part="$part"
	else
		start "$sess" 100 30 "$LOCKSTEP" "$scene"
	fi
	wait_for "$sess" 'fix=none' >/dev/null
	# f cycles from none through every fix and back to none.
	while IFS=$'\t' read -r fix heading; do
		[ "$fix" = none ] && continue
		keys "$sess" f
		check "$scene${part:+ $part}: f shows fix=$fix and its paragraph" \
			wait_for "$sess" "$heading"
	done < <(fix_headings "$scene" "$part")
	keys "$sess" f
	heading=$(fix_headings "$scene" "$part" | awk -F'\t' '$1 == "none" { print $2 }')
	check "$scene${part:+ $part}: f back to none shows its paragraph" \
		wait_for "$sess" "$heading"
	tm kill-session -t "$sess"
}
for scene in race deadlock philosophers deploy; do
	fix_cycle "$scene" ""
done
fix_cycle starvation rwlock
fix_cycle starvation pool

# --- the 80x24 key bar keeps the step keys and every parameter key --------
for scene in pool prodcons rwlock sizing race deadlock philosophers \
	starvation deploy; do
	start "kb-$scene" 80 24 "$LOCKSTEP" "$scene"
	wait_for "kb-$scene" 'q quit' >/dev/null
	s=$(screen "kb-$scene")
	miss=""
	for k in ' s step' '1-9 thread' 'l log' '\? help' 'q quit'; do
		grep -Eq -- "$k" <<<"$s" || miss="$miss '$k'"
	done
	keys_json=$("$LOCKSTEP" list --json | python3 -c "
import json, sys
for s in json.load(sys.stdin)['scenes']:
    if s['name'] == '$scene':
        print(' '.join(p['name'] + '=' for p in s['params']))")
	for p in $keys_json; do
		grep -q -- " $p" <<<"$s" || miss="$miss $p"
	done
	[ -z "$miss" ] && ok "$scene at 80x24: step keys and every parameter key" ||
		not_ok "$scene at 80x24: missing$miss"
	tm kill-session -t "kb-$scene"
done

# --- a message never covers the parameter keys ----------------------------
start msg 80 24 "$LOCKSTEP" race
wait_for msg 'd/D adders=2' >/dev/null
keys msg d
check "a parameter change says so" wait_for msg 'adders = 3 \(scene restarted\)'
check "and the parameter keys stay in view" wait_for msg 'd/D adders=3'
tm kill-session -t msg

# --- the threads panel: headers, selection by keys ------------------------
start sel 100 30 "$LOCKSTEP" deadlock --paused
check "the threads panel has column headers" \
	wait_for sel '#   thread +state +go\? +next step'
keys sel Down
keys sel Enter
check "Down and Enter open a thread's detail" wait_for sel 'Thread detail'
check "the detail says what the thread does next" \
	wait_for sel 'T1 \(T[0-9]+\): paused'
keys sel Escape
check "Esc closes it" wait_gone sel 'Thread detail'
tm kill-session -t sel

# --- the header never says RUNNING beside a deadlock ----------------------
start stuck 100 30 "$LOCKSTEP" deadlock
check "a deadlocked run is STUCK" wait_for stuck 'DEADLOCK: .*STUCK'
if screen stuck | grep -q 'RUNNING  '; then
	not_ok "no RUNNING badge beside the deadlock"
else
	ok "no RUNNING badge beside the deadlock"
fi
tm kill-session -t stuck

# --- one language: no engine-internal names on screen ---------------------
for scene in race starvation deploy; do
	start "nm-$scene" 100 30 "$LOCKSTEP" "$scene"
	# A second of the scene's clock (it runs when STUCK too): the names
	# of a running scene, not only its first frame.
	wait_for "nm-$scene" 't=[1-9][0-9]*\.' >/dev/null ||
		not_ok "$scene: its clock reaches a second"
	if screen "nm-$scene" | grep -Eq 'go alice|bal lock|holds pass|[wr]:[a-z]|worker-[0-9]'; then
		not_ok "$scene: no engine-internal names"
	else
		ok "$scene: no engine-internal names"
	fi
	tm kill-session -t "nm-$scene"
done

# --- the lesson pages; the class view -------------------------------------
start les 80 24 "$LOCKSTEP" race
check "a long lesson says it has pages" wait_for les 'PgUp/PgDn: page 1 of'
keys les NPage
check "PgDn turns the page" wait_for les 'PgUp/PgDn: page 2 of'
keys les z
check "z: the class view, lesson across the screen" \
	wait_for les '^┌ Lesson ─{70}'
check "the class view leaves the timeline out" wait_gone les 'Timeline'
keys les z
check "z again: back to every panel" wait_for les 'Timeline'
tm kill-session -t les

# --- help: a parameter's words wrap, never cut -----------------------------
start hp 100 30 "$LOCKSTEP" race --paused
wait_for hp 'alice +PAUSED' >/dev/null
keys hp '?'
check "help: the fix's values wrap onto the next line" \
	wait_for hp '│ {30,}atomic {10,}│'
tm kill-session -t hp

# --- the too-small message fits the terminal ------------------------------
start tiny 30 8 "$LOCKSTEP" race
check "a tiny terminal gets the whole message" \
	wait_for tiny 'or q to quit'
tm kill-session -t tiny

# --- r and f keep the mode the scene was in ------------------------------
start mode 100 30 "$LOCKSTEP" race --paused
wait_for mode 'alice +PAUSED' >/dev/null
check "a step before r" keys_then mode 1
keys mode r
check "r keeps the step mode" wait_for mode 'STEP 0 '
check "r: the threads are held at their first gate" \
	wait_for mode 'alice +PAUSED +yes +read balance'
# A step first, so that the count has something to start again from.
check "a step before f" keys_then mode 1
keys mode f
check "f keeps the step mode" wait_for mode 'fix=mutex \(next'
check "f: still held, the fix's first step shown" \
	wait_for mode 'alice +PAUSED +yes +lock balance lock'
wait_for mode 'STEP 0 ' >/dev/null && ok "f: the step count starts again" ||
	not_ok "f: the step count starts again"
tm kill-session -t mode

# --- starvation: STARVED, and the next steps in the lesson's words ---------
start st 100 30 "$LOCKSTEP" starvation --paused
check "rwlock: the next step in plain words" \
	wait_for st 'reader-2 +PAUSED +yes +read-lock table, may time out'
check "rwlock: no engine call names (rdlock, wrlock)" \
	absent st 'rdlock|wrlock'
keys_then st 1
keys st g
check "starvation: STARVED, who waited while whom got in" \
	wait_for st 'STARVED: the writer has waited [0-9.]+ s for the table' 20
check "starvation: the Wait-for panel names who got in" \
	wait_for st 'while the readers \(reader-1..reader-3\) got'
tm kill-session -t st

# --- the timeline draws paused threads paused ------------------------------
start tl 100 30 "$LOCKSTEP" race --paused
check "paused threads are drawn paused in the timeline" \
	wait_for tl '^│alice +‖+ │'
tm kill-session -t tl

# --- ASCII: one glyph per meaning ------------------------------------------
start ab 80 24 env LC_ALL=C NO_COLOR=1 "$LOCKSTEP" deadlock
wait_for ab 'STUCK' >/dev/null
check "ASCII: blocked is '#' in the list" wait_for ab '^\|1 # T1 +BLOCKED'
check "ASCII: a blocked strip uses the list's '#'" wait_for ab '^\|T1 +#+ \|'
tm kill-session -t ab
start ap 80 24 env LC_ALL=C NO_COLOR=1 "$LOCKSTEP" race --paused
check "ASCII: paused is '|' in the list" wait_for ap '^\|1 \| alice +PAUSED'
check "ASCII: a paused strip is '|'" wait_for ap '^\|alice +\|+ \|'
tm kill-session -t ap

# --- the pool: numbers that agree, priorities shown ------------------------
start pl 100 30 "$LOCKSTEP" pool
check "pool: waiting tasks by priority" wait_for pl 'waiting by priority [0-9]+:'
check "pool: every worker's line fits (no word cut)" \
	wait_for pl '│pool  [0-9]+ workers?: [0-9]+ busy, [0-9]+ idle +│'
keys pl ' '
wait_for pl 'PAUSED' >/dev/null
# Paused, the summary's count of paused workers is the panel's pool rows.
listed=0
said=x
for ((i = 0; i < 100; i++)); do
	s=$(screen pl)
	listed=$(grep -Ec '^│[1-9] ‖ pool\.[0-9]+ +PAUSED' <<<"$s")
	said=$(grep -Eo '[0-9]+ paused' <<<"$s" | head -1 | cut -d' ' -f1)
	[ "$listed" = "${said:-x}" ] && break
	sleep 0.05
done
[ "$listed" = "${said:-x}" ] &&
	ok "pool: the summary's workers match the Threads panel ($said)" ||
	not_ok "pool: the summary says ${said:-no} paused, the panel lists $listed"
tm kill-session -t pl

# --- objects scroll; the event log in words --------------------------------
start ob 100 30 "$LOCKSTEP" race --paused
wait_for ob '> more' >/dev/null
keys ob '>'
check "Objects scroll with >" wait_gone ob '│balance = 100 +│'
check "and say there is more above" wait_for ob '└ < '
keys_then ob 1 2 1 2
keys ob l
check "the event log says it in words" \
	wait_for ob 'bob wrote balance = 50'
check "the event log shows no event kinds" absent ob 'GATE_WAIT|MARK '
tm kill-session -t ob

# --- sizing: one line per worker, and the CPU-bound curve flattens ---------
cores=$(getconf _NPROCESSORS_ONLN)
maxw=$((cores + 3))
# The sweep measures the machine, not the other builds sharing it: ahead
# of them where we may (the measured threads get most of the cores).
nice=""
nice -n -15 true 2>/dev/null && nice="nice -n -15"

# chart_rates NAME: "1:46 2:91 ..." read off the chart: the value over
# each bar, found above the pool size on the axis.
chart_rates() {
	screen "$1" | python3 -c "
import re, sys
lines = sys.stdin.read().split('\n')
axis = next((i for i, l in enumerate(lines) if re.search(r'workers ?1 ', l)), None)
if axis is None:
    sys.exit(1)
off = lines[axis].index('workers') + 7
cols = {int(m.group(1)): m.start(1) for m in re.finditer(r'(\d+)', lines[axis][off:])}
rates = {}
for n, c in cols.items():
    for row in range(axis - 1, 0, -1):
        m = re.match(r'\d+', lines[row][off + c:])
        if m:
            rates[n] = int(m.group(0))
            break
print(' '.join('%d:%d' % (n, rates[n]) for n in sorted(rates)))
"
}

# sweep NAME: run the sweep to its end; its rates on stdout.
sweep() {
	local i rates=""
	start "$1" 100 30 $nice "$LOCKSTEP" sizing --set mix=cpu \
		--set max_workers=$maxw --set window_ms=1000
	for ((i = 0; i < 600; i++)); do
		rates=$(chart_rates "$1")
		[ "$(wc -w <<<"$rates")" -ge $maxw ] && break
		sleep 0.1
	done
	echo "$rates"
}

# flat RATES: is the best rate within 25% of the rate at N = cores?
flat() {
	python3 -c "
import sys
cores = int(sys.argv[1])
rates = dict(tuple(map(int, p.split(':'))) for p in sys.argv[2].split())
best = max(rates.values(), default=0)
sys.exit(0 if rates.get(cores, 0) > 0 and best <= 1.25 * rates[cores] else 1)
" "$cores" "$1"
}

# rises RATES: does N = cores do 1.4x the tasks of N = 1 (ideal: cores x)?
rises() {
	python3 -c "
import sys
cores = int(sys.argv[1])
rates = dict(tuple(map(int, p.split(':'))) for p in sys.argv[2].split())
sys.exit(0 if cores < 2 or rates.get(cores, 0) >= 1.4 * rates.get(1, 1 << 30) else 1)
" "$cores" "$1"
}

# Other tenants of the machine take cores from the sweep as they come and
# go: a sweep is run up to three times, and a machine loaded past twice
# its cores cannot say how it scales (the test is skipped, saying why).
verdict=fail
risen=""
for ((try = 1; try <= 3; try++)); do
	sz=sz$try
	rates=$(sweep "$sz")
	echo "# sizing mix=cpu on $cores cores, sweep $try: $rates"
	flat "$rates" && verdict=pass
	rises "$rates" && risen=$rates
	[ $verdict = pass ] && [ -n "$risen" ] && break
	[ $try -lt 3 ] && tm kill-session -t "$sz"
done
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if [ $verdict = pass ]; then
	ok "mix=cpu: the best pool size is within 25% of N = cores ($rates)"
elif python3 -c "import sys; sys.exit(0 if $load > 2 * $cores else 1)"; then
	ok "mix=cpu: flattening at N = cores not judged # SKIP load $load on $cores cores ($rates)"
else
	not_ok "mix=cpu: the best pool size is within 25% of N = cores ($rates)"
fi
check "sizing marks N = cores on the chart" wait_for "$sz" 'N = cores'
check "sizing marks N = cores x (1 + W/C) too" \
	wait_for "$sz" 'N = cores x \(1 \+ W/C\)'
# Flat is not enough: a curve flat from N = 1 would pass.  The rate must
# rise up to N = cores, which a machine busy with other work cannot show.
if [ -n "$risen" ]; then
	ok "mix=cpu: N = cores beats N = 1 by 1.4x or more ($risen)"
elif python3 -c "import sys; sys.exit(0 if $load >= $cores else 1)"; then
	ok "mix=cpu: the rise to N = cores not judged # SKIP load $load on $cores cores ($rates)"
else
	not_ok "mix=cpu: N = cores beats N = 1 by 1.4x or more ($rates)"
fi
names=$(screen "$sz" | sed -n '3,9p' | grep -Eo 'pool\.[0-9]+' | sort | uniq -d)
[ -z "$names" ] && ok "sizing lists each worker name once" ||
	not_ok "sizing lists each worker name once (twice: $names)"
keys "$sz" m
check "m changes the mix and the old curve stays, faint" \
	wait_for "$sz" 'faint: mix=cpu'
tm kill-session -t "$sz"

finish
