#!/usr/bin/env bash
# ui.sh - the live ui as a person sees it: start lockstep in tmux, press
# keys, read the screen; and the terminal given back as it was found.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

# --- panels, badges and keys at 100x30 -----------------------------------
# ESCDELAY long: the mouse reports below start with ESC, and a ui
# descheduled on a loaded machine must not take their first byte for
# the Esc key (check_tty tests the short default).
start main 100 30 env ESCDELAY=1000 "$LOCKSTEP" rwlock
check "header names the scene and shows RUNNING" \
	wait_for main 'lockstep . rwlock .*RUNNING'
check "every panel has its title" wait_for main 'Threads \(5\)'
s=$(screen main)
for title in Objects Timeline Metrics Lesson; do
	if grep -q "$title" <<<"$s"; then ok "panel $title shown"
	else not_ok "panel $title shown"; fi
done
check "the key bar shows quit and help" wait_for main '\? help +q quit'
check "a lock's holder is named" \
	wait_for main 'table +(written by worker-[0-9]|[0-9] readers? inside)'
check "timeline legend names every state" \
	wait_for main 'running . blocked . idle . I/O . paused'

keys main ' '
check "space shows the PAUSED badge" wait_for main 'PAUSED'
# Paused threads park at their next gate: soon nobody is running.
check "pause freezes every thread" \
	wait_gone main '[0-9] . worker-[0-9]+ +RUNNING'
# Thread rows only: the header's badge says PAUSED too.  Polled: a
# thread in the middle of its work parks only when that work ends, and
# until one is parked there is nothing for s to step.
check "threads are shown paused before the step" \
	wait_for main '[0-9] . worker-[0-9]+ +PAUSED '
keys main s
# Whichever thread it picks, the step is counted where the timeline
# turns to one column per step.
check "s takes one step" wait_for main 'Timeline: steps 1-1,'
check "the STEP badge shows while stepping" wait_for main 'STEP'
keys main ' '
check "space again resumes" wait_for main 'RUNNING *[0-9.]+x'

keys main '?'
# The help's box says "any key closes" on its bottom edge.
check "? opens the help overlay" wait_for main 'any key closes'
check "help lists the scene's keys" wait_for main 'o policy=writer'
keys main x
check "any key closes help" wait_gone main 'any key closes'

keys main Tab
check "Tab switches to the next scene" wait_for main 'lockstep . sizing'
keys main BTab
check "Shift-Tab switches back" wait_for main 'lockstep . rwlock'

keys main o
check "a parameter key changes the policy" wait_for main 'policy=reader'

keys main l
check "l shows the event log" wait_for main 'Event log'
keys main l
check "l again shows the timeline" wait_for main 'Timeline'

# --- small terminal, then big again ------------------------------------
tm resize-window -t main -x 40 -y 10
check "a small terminal gets one line asking for more room" \
	wait_for main 'needs 80x24'
tm resize-window -t main -x 100 -y 30
check "the layout comes back after a resize" wait_for main 'Threads \(5\)'

# A resize storm: 500 sizes from 20x5 to 200x60.  Resizes coalesce, so
# what counts is that lockstep survives and draws the final size right.
RANDOM=42
for ((i = 0; i < 500; i++)); do
	tm resize-window -t main -x $((20 + RANDOM % 181)) -y $((5 + RANDOM % 56))
done
tm resize-window -t main -x 100 -y 30
# Threads and the keybar also show at the storm's larger sizes, clipped
# to the pane: a key answered means every resize before it was seen.
keys main l
wait_for main 'Event log' >/dev/null
keys main l
wait_for main 'Timeline' >/dev/null
check "survives a storm of 500 resizes" wait_for main 'Threads \(5\)'
check "the final layout fills 100x30" wait_for main 'q quit'

# A click on a thread opens its detail; a second click closes it.  The
# click must meet the layout it was aimed at, but the storm's last
# resizes may reach lockstep late (tmux passes a pane's new size on after
# a delay, and SIGWINCH is not in the input stream, so the keys above do
# not wait for it); a larger layout clipped to the pane looks the same at
# its top left; and tmux keeps the bottom lines of a pane that shrinks,
# so until lockstep redraws, its old picture shows moved up a line.  So
# resize once more and wait until lockstep has drawn exactly that size -
# its header on the first line and its last row, the scene's keys, on
# the pane's last - then back, and wait again.
# laid_out ROWS: lockstep's top row is line 1, its bottom row line ROWS.
laid_out() {
	local i s
	for ((i = 0; i < E2E_WAIT * 20; i++)); do
		s=$(screen main)
		sed -n 1p <<<"$s" | grep -q '^ lockstep · rwlock' &&
			sed -n "$1p" <<<"$s" | grep -q 'w/W threads=' &&
			return 0
		sleep 0.05
	done
	echo "--- lockstep never drew $1 rows:" >&2
	echo "$s" >&2
	return 1
}
tm resize-window -t main -x 100 -y 31
laid_out 31
tm resize-window -t main -x 100 -y 30
laid_out 30
# The row of the Threads panel ("1 ~ worker-1 ..."), not the first line
# naming worker-1: the Objects panel beside it says "table written by
# worker-1" now and then, on the line above (a click in CI went there).
row=$(screen main | grep -n '[0-9] . worker-1 ' | head -1 | cut -d: -f1)
if [ -n "$row" ]; then
	# An X10 mouse report, as the terminal inside tmux sends it: ESC [ M,
	# then button, column and row, each plus 32 (1-based).
	click=$(printf '\033[M%b%b%b\033[M%b%b%b' \
		"\\x20" "\\x$(printf %x $((32 + 6)))" "\\x$(printf %x $((32 + row)))" \
		"\\x23" "\\x$(printf %x $((32 + 6)))" "\\x$(printf %x $((32 + row)))")
	tm send-keys -t main -l "$click"
	check "a click on a thread shows its detail" wait_for main 'Thread detail'
	tm send-keys -t main -l "$click"
	check "a second click closes it" wait_gone main 'Thread detail'
else
	not_ok "worker-1 row found for the click test"
fi

keys main q
check "q quits" wait_dead main

# --- a key does not wait for the frame budget -----------------------------
# One frame an hour at most: while the scene floods events, only the first
# frame is drawn; a key's answer is drawn at once all the same.
start slow 100 30 env LOCKSTEP_FRAME_MS=3600000 "$LOCKSTEP" rwlock
check "a stretched frame budget: the ui comes up" \
	wait_for slow 'lockstep . rwlock'
keys slow '?'
check "a key is answered before the next frame is due" \
	wait_for slow 'any key closes'
keys slow x
check "and so is the next key" wait_gone slow 'any key closes'
tm kill-session -t slow

# --- without UTF-8 or colour the screen still reads ------------------------
start ascii 100 30 env LC_ALL=C NO_COLOR=1 "$LOCKSTEP" prodcons
check "ASCII boxes when the locale is not UTF-8" wait_for ascii '^\+ Threads \(4\) -+\+'
check "ASCII glyphs name the states" wait_for ascii '^\|1 [>#~.|] producer-1'
check "ASCII legend" wait_for ascii '> running # blocked \. idle ~ I/O \| paused'
# NO_COLOR: bold/reverse may remain, but no colour escape (SGR 30-49).
if tm capture-pane -e -p -t ascii | grep -Eq $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)[0-9;]*m'; then
	not_ok "NO_COLOR: no colour on screen"
else
	ok "NO_COLOR: no colour on screen"
fi
start colour 100 30 "$LOCKSTEP" prodcons
wait_for colour 'RUNNING' >/dev/null
if tm capture-pane -e -p -t colour | grep -Eq $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)[0-9;]*m'; then
	ok "colour is used when allowed"
else
	not_ok "colour is used when allowed"
fi
tm kill-session -t ascii
tm kill-session -t colour

# --- the terminal is given back: stty -g before == after -----------------
# The wrapper survives SIGINT itself (trap) so it can record stty after.
stty_case() {
	local how=$1 name="stty-$1" pid
	start "$name" 100 30 bash -c "trap : INT; stty -g >$TMPD/$how.before;
		$LOCKSTEP pool; echo \$? >$TMPD/$how.status;
		stty -g >$TMPD/$how.after; sleep 600"
	if ! wait_for "$name" 'RUNNING'; then
		not_ok "terminal restored after $how (ui never came up)"
		return
	fi
	pid=$(pgrep -P "$(tm list-panes -t "$name" -F '#{pane_pid}')" lockstep)
	case $how in
	q) keys "$name" q ;;
	SIGINT-key) keys "$name" C-c ;;
	*) kill -s "${how#SIG}" "$pid" ;;
	esac
	if ! wait_file "$TMPD/$how.after"; then
		not_ok "terminal restored after $how (lockstep did not exit)"
		return
	fi
	if cmp -s "$TMPD/$how.before" "$TMPD/$how.after"; then
		ok "stty -g identical before and after $how (status $(cat "$TMPD/$how.status"))"
	else
		not_ok "stty -g identical before and after $how"
	fi
	# No mode left on: the shell's screen is back, the cursor visible.
	# Polled: tmux may not have read lockstep's last bytes yet.
	if wait_gone "$name" 'RUNNING'; then
		ok "screen given back after $how"
	else
		not_ok "alternate screen left after $how"
	fi
	tm kill-session -t "$name"
}
for how in q SIGINT-key SIGINT SIGTERM SIGHUP SIGQUIT SIGSEGV SIGABRT; do
	stty_case "$how"
done

# --- not a terminal: one clear line, exit 1, no escape bytes -------------
"$LOCKSTEP" pool </dev/null >"$TMPD/out" 2>"$TMPD/err"
st=$?
[ $st -eq 1 ] && ok "no tty: exit 1" || not_ok "no tty: exit 1 (got $st)"
grep -q -- '--headless' "$TMPD/err" && ok "no tty: points to --headless" ||
	not_ok "no tty: points to --headless"
[ "$(wc -l <"$TMPD/err")" -eq 1 ] && ok "no tty: one line" ||
	not_ok "no tty: one line"
[ ! -s "$TMPD/out" ] && ok "no tty: nothing on stdout" ||
	not_ok "no tty: nothing on stdout"

# script(1) records every byte lockstep writes to its terminal.
start dumb 100 30 bash -c "script -qfec 'TERM=dumb $LOCKSTEP pool 2>$TMPD/dumb.err' \
	$TMPD/dumb.typescript >/dev/null; echo \$? >$TMPD/dumb.status; sleep 600"
wait_file "$TMPD/dumb.status"
[ "$(cat "$TMPD/dumb.status")" = 1 ] && ok "TERM=dumb: exit 1" ||
	not_ok "TERM=dumb: exit 1 (got $(cat "$TMPD/dumb.status"))"
grep -q 'cannot move the cursor' "$TMPD/dumb.err" &&
	ok "TERM=dumb: says why, pointing to --headless" ||
	not_ok "TERM=dumb: says why"
# The typescript holds script's own header line and nothing from lockstep.
if LC_ALL=C grep -q $'\033' "$TMPD/dumb.typescript" "$TMPD/dumb.err"; then
	not_ok "TERM=dumb: no escape bytes"
else
	ok "TERM=dumb: no escape bytes"
fi

# --- bad command lines: one line, exit 2 ---------------------------------
for args in "nosuchscene" "run" "run pool --set nokey=1 --headless" \
	"run pool --set capacity=0 --headless" "run pool --seconds x --headless" \
	"bench nosuch" "--bogus"; do
	# shellcheck disable=SC2086
	"$LOCKSTEP" $args </dev/null >"$TMPD/o" 2>"$TMPD/e"
	st=$?
	[ $st -eq 2 ] && ok "'lockstep $args' exits 2" ||
		not_ok "'lockstep $args' exits 2 (got $st)"
	[ ! -s "$TMPD/o" ] && ok "'lockstep $args' prints nothing on stdout" ||
		not_ok "'lockstep $args' prints nothing on stdout"
done

# --- the terminal goes away: lockstep exits -----------------------------
# Polled for E2E_WAIT, with the time it took printed (no test asserts a
# time: CI runs the suites side by side).  A zombie has exited: reaping
# it is tmux's business, and kill -0 still finds it.
exited() {
	[ ! -e "/proc/$1" ] || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]
}
start gone 100 30 "$LOCKSTEP" prodcons
check "a ui to take the terminal from" wait_for gone 'RUNNING'
pid=$(pgrep -P "$(tm list-panes -t gone -F '#{pane_pid}')" lockstep ||
	tm list-panes -t gone -F '#{pane_pid}')
t0=$(date +%s%N)
tm kill-session -t gone
gone=no
end=$((SECONDS + E2E_WAIT))
while [ $SECONDS -lt $end ]; do
	if exited "$pid"; then gone=yes; break; fi
	sleep 0.01
done
ms=$((($(date +%s%N) - t0) / 1000000))
[ $gone = yes ] && ok "exits when the terminal goes away (in $ms ms)" ||
	{ not_ok "exits when the terminal goes away (still running after $ms ms)"; kill -9 "$pid"; }

finish
