#!/usr/bin/env bash
# uiperf.sh - measure the live ui as it runs in tmux: frame render time
# and event-to-frame latency (from LOCKSTEP_STATS), the ui thread's CPU
# while running and while paused, and resident memory after a while.
#
# usage: tests/bench/uiperf.sh [SECONDS] [THREADS] [FASTER]
#   defaults 10, 64, 0; FASTER presses '+' that many times first
#   (7 reaches "max": events flood in and the ui draws 30 frames a second).
# Prints figures; asserts nothing (the machine is shared and noisy).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-10}
threads=${2:-64}
faster=${3:-0}
sock="lockstep-perf-$$"
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# CPU seconds of the ui thread (the main thread: tid == pid).
ui_cpu() {
	awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/task/$1/stat"
}

tmux -L "$sock" new-session -d -s p -x 100 -y 30 \
	"LOCKSTEP_STATS=$tmp/stats.json ./lockstep rwlock --set threads=$threads"
for _ in $(seq 100); do
	pid=$(pgrep -f "lockstep rwlock --set threads=$threads" | head -1) && break
	sleep 0.05
done
for _ in $(seq "$faster"); do tmux -L "$sock" send-keys -t p +; done
sleep 1
c0=$(ui_cpu "$pid"); sleep "$secs"; c1=$(ui_cpu "$pid")
rss_run=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
tmux -L "$sock" send-keys -t p ' '
sleep 1
p0=$(ui_cpu "$pid"); sleep "$secs"; p1=$(ui_cpu "$pid")
tmux -L "$sock" send-keys -t p q
for _ in $(seq 100); do [ -s "$tmp/stats.json" ] && break; sleep 0.05; done
echo "scene rwlock, $threads threads, 100x30, $faster x '+', ${secs}s running then ${secs}s paused"
awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "ui thread CPU running: %.2f%% of a core\n", 100 * (b - a) / s }'
awk -v a="$p0" -v b="$p1" -v s="$secs" 'BEGIN { printf "ui thread CPU paused:  %.2f%% of a core\n", 100 * (b - a) / s }'
echo "RSS while running: ${rss_run} KiB"
cat "$tmp/stats.json"
