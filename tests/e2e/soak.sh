#!/usr/bin/env bash
# soak.sh - every scene live in the ui for SOAK_SECONDS (60), all at once,
# each in its own tmux session: none may crash, and none may hold more
# resident memory at the end than 10% over what it held at 20 s.
set -u
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh
secs=${SOAK_SECONDS:-60}

rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

scenes=$("$LOCKSTEP" list --json | grep -o '"name": "[a-z]*", "title"' |
	sed 's/"name": "\([a-z]*\)".*/\1/')
declare -A pid early
for s in $scenes; do
	start "$s" 100 30 "$LOCKSTEP" "$s"
done
for s in $scenes; do
	# A hazard scene's deadlock shows STUCK in the badge instead.
	wait_for "$s" 'RUNNING|STUCK' 20 || not_ok "$s: ui came up"
	pid[$s]=$(tm list-panes -t "$s" -F '#{pane_pid}')
done
# The first sample after warm-up: the sizing sweep's biggest pools (12
# workers, each a lane of the ring, kept for reuse) come at about 12 s.
warm=20
sleep $warm
for s in $scenes; do early[$s]=$(rss "${pid[$s]}"); done
sleep $((secs - warm))
for s in $scenes; do
	late=$(rss "${pid[$s]}")
	# Alive and still drawing: the header's clock is on screen (the
	# title may be a DEADLOCK banner, and the badge STUCK, on purpose).
	if [ -z "$late" ] ||
		! screen "$s" | grep -Eq '(RUNNING|STUCK) +[0-9.]+x +t=[0-9]'; then
		not_ok "$s: still running after ${secs}s"
		screen "$s"
		continue
	fi
	ok "$s: still running after ${secs}s"
	# No growth past 10%.  Less is fine: the sizing sweep ends with its
	# pools and their threads gone, and gives their memory back.
	if [ $((late * 10)) -le $((early[$s] * 11)) ]; then
		ok "$s: RSS steady (${early[$s]} KiB at ${warm}s, $late KiB at ${secs}s)"
	else
		not_ok "$s: RSS steady (${early[$s]} KiB at ${warm}s, $late KiB at ${secs}s)"
	fi
	keys "$s" q
done
for s in $scenes; do
	wait_dead "$s" 10 && ok "$s: quits cleanly" ||
		not_ok "$s: quits cleanly"
done
finish
