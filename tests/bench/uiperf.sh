#!/usr/bin/env bash
# uiperf.sh - measure the live ui as it runs in tmux: frame render time and
# event-to-frame latency (the ui's own LOCKSTEP_STATS), how long a key takes
# to show on the screen, the ui thread's CPU while running and while
# paused, and resident memory after a while.
#
# usage: tests/bench/uiperf.sh [SECONDS] [THREADS] [FASTER] [SCENE]
#   defaults 10, 64, 7, rwlock.  FASTER presses '+' that many times first
#   (7 reaches "max": no simulated time, events flood in).  THREADS is the
#   rwlock scene's threads; the pool scene runs its largest (16 workers, 4
#   submitters) whatever THREADS says.
#   RUNS=N (default 1) repeats the whole measurement and ends with the
#   median and [min - max] of each figure; KEYS=N (default 10) keys a run;
#   LOCKSTEP=path runs another build (default ./lockstep).
# A key: '?' opens the help (its text appears in capture-pane), '?' again
# closes it; key_*: the time from send-keys to the change on the screen,
# polled, so it is an upper bound (each poll is a tmux client, a few ms,
# and tmux must pass the key on and take the frame in); key_app_*: the
# ui's own, from reading a key to the end of the frame that answers it,
# over the keys typed while the scene runs; key_paused_*: key_* again in
# a second session paused from the start, the engine at rest - the cost of
# tmux and the polls alone, the baseline of key_*.
# Prints figures; asserts nothing (the machine is shared and noisy).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-10}
threads=${2:-64}
faster=${3:-7}
scene=${4:-rwlock}
runs=${RUNS:-1}
keys=${KEYS:-10}
bin=${LOCKSTEP:-./lockstep}
sock="lockstep-perf-$$"
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

case $scene in
rwlock) args="rwlock --set threads=$threads" ;;
pool) args="pool --set max_workers=16 --set submitters=4 --set min_workers=8" ;;
*) args="$scene" ;;
esac

# CPU seconds of the ui thread (the main thread: tid == pid).
ui_cpu() {
	awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/task/$1/stat"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# Wait until the pane shows (want=1) or stops showing (want=0) the help;
# print the ms it took, or 9999 after 5 s.
key_wait() {
	local t0=$1 want=$2 shown
	while :; do
		shown=0
		tmux -L "$sock" capture-pane -p -t p | grep -q "pause / resume" && shown=1
		[ "$shown" = "$want" ] && break
		[ $(($(now_ms) - t0)) -gt 5000 ] && { echo 9999; return; }
	done
	echo $(($(now_ms) - t0))
}

# key_times FILE: the ms each of KEYS '?' pairs took to show, one a line.
key_times() {
	: > "$1"
	for _ in $(seq "$keys"); do
		t0=$(now_ms); tmux -L "$sock" send-keys -t p '?'
		key_wait "$t0" 1 >> "$1"
		t0=$(now_ms); tmux -L "$sock" send-keys -t p '?'
		key_wait "$t0" 0 >> "$1"
	done
}

# p50 and max of FILE's figures as "NAME_p50_ms=.. NAME_max_ms=..".
key_figures() {
	sort -n "$2" | awk -v f="$1" '{ v[NR] = $1 } END {
		printf "%s_p50_ms=%d %s_max_ms=%d", f, v[int((NR + 1) / 2)], f, v[NR] }'
}

# start_ui STATS: lockstep in session p, its LOCKSTEP_STATS written to
# STATS; sets pid.
start_ui() {
	rm -f "$1"
	# exec: the pane's process is lockstep itself, not a shell.
	tmux -L "$sock" new-session -d -s p -x 100 -y 30 \
		"exec env LOCKSTEP_STATS=$1 $bin $args"
	pid=$(tmux -L "$sock" display-message -p -t p '#{pane_pid}')
	for _ in $(seq 100); do
		grep -q lockstep "/proc/$pid/comm" 2>/dev/null && break
		sleep 0.05
	done
	grep -q lockstep "/proc/$pid/comm" ||
		{ echo "uiperf: lockstep did not start" >&2; exit 1; }
}

# stop_ui STATS: quit, and wait for the statistics.
stop_ui() {
	tmux -L "$sock" send-keys -t p q
	for _ in $(seq 100); do [ -s "$1" ] && break; sleep 0.05; done
	tmux -L "$sock" kill-server 2>/dev/null || true
}

# One run: figures on one line of "name=value" words.
one_run() {
	local pid c0 c1 p0 p1 rss t0 k out
	# Every key of this session is typed while the scene runs, so the
	# ui's own key figures (key_app_*) are those of a busy ui.
	start_ui "$tmp/stats.json"
	for _ in $(seq "$faster"); do tmux -L "$sock" send-keys -t p +; done
	sleep 1
	c0=$(ui_cpu "$pid"); sleep "$secs"; c1=$(ui_cpu "$pid")
	rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
	key_times "$tmp/keys"
	tmux -L "$sock" send-keys -t p ' '
	sleep 1
	p0=$(ui_cpu "$pid"); sleep "$secs"; p1=$(ui_cpu "$pid")
	stop_ui "$tmp/stats.json"
	# The same keys in a session paused from the start, the engine at
	# rest: what tmux and the polls cost here, the baseline of key_*.
	start_ui "$tmp/stats-paused.json"
	tmux -L "$sock" send-keys -t p ' '
	sleep 1
	key_times "$tmp/keys_paused"
	stop_ui "$tmp/stats-paused.json"
	out=$(python3 - "$tmp/stats.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print("frames=%d fps=%.1f render_p50_ms=%.2f render_p99_ms=%.2f "
      "e2f_p50_ms=%.1f e2f_p99_ms=%.1f key_app_p50_ms=%.1f "
      "key_app_max_ms=%.1f" % (
      d["frames"], d["frames"] / d["seconds"] if d["seconds"] else 0,
      d["render_ns"]["median"] / 1e6, d["render_ns"]["p99"] / 1e6,
      d["latency_ns"]["median"] / 1e6, d["latency_ns"]["p99"] / 1e6,
      d["key_ns"]["median"] / 1e6, d["key_ns"]["max"] / 1e6))
EOF
)
	k="$(key_figures key "$tmp/keys") $(key_figures key_paused "$tmp/keys_paused")"
	echo "$out $k" \
		"ui_cpu_run_pct=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "%.1f", 100 * (b - a) / s }')" \
		"ui_cpu_paused_pct=$(awk -v a="$p0" -v b="$p1" -v s="$secs" 'BEGIN { printf "%.1f", 100 * (b - a) / s }')" \
		"rss_kib=$rss"
}

echo "scene $args, 100x30, $faster x '+', ${secs}s running then ${secs}s" \
	"paused, $keys keys, $runs run(s); load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$runs"); do
	line=$(one_run)
	echo "run $r: $line"
	echo "$line" >> "$tmp/runs"
done
[ "$runs" -gt 1 ] || exit 0
echo "median [min - max] of $runs runs; load $(cut -d' ' -f1-3 /proc/loadavg):"
for f in render_p99_ms e2f_p99_ms key_max_ms key_p50_ms key_app_max_ms \
	key_app_p50_ms key_paused_max_ms key_paused_p50_ms fps ui_cpu_run_pct; do
	tr ' ' '\n' < "$tmp/runs" | sed -n "s/^$f=//p" | sort -n | awk -v f="$f" '
		{ v[NR] = $1 } END {
		printf "  %-16s %8.2f  [%.2f - %.2f]\n", f, v[int((NR + 1) / 2)], v[1], v[NR] }'
done
