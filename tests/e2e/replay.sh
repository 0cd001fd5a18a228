#!/usr/bin/env bash
# replay.sh - recordings as a person uses them: record a live run with
# --record-events, open it with lockstep replay, step back and forth and
# seek, and see the picture the live run had; damaged recordings refused
# with a byte offset and the terminal untouched; the Chrome trace of a
# replay and of lockstep trace accepted by tests/trace_check.py.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

# The Threads and Objects panels: what a live run and its replay must
# show alike (the header's badge and clock differ by design).
panels() { screen "$1" | sed -n 2,8p; }
# "event K of N" from the status line: K, or N with $2 = n.
pos() { screen "$1" | sed -n "s/.*event \([0-9]*\) of \([0-9]*\).*/\\${2:-1}/p"; }

# --- a live run, recorded ------------------------------------------------
rec=$TMPD/live.lsrec
start live 100 30 "$LOCKSTEP" deadlock --record-events "$rec"
check "the live run deadlocks" wait_for live 'DEADLOCK: T1 wants B'
check "the live run shows both threads blocked" \
	wait_for live 'T2 +BLOCKED holds B +wants A'
live_panels=$(panels live)
keys live q
check "the live run quits" wait_dead live
[ -s "$rec" ] && ok "--record-events wrote the recording" ||
	not_ok "--record-events wrote the recording"

# --- the replay: open, end, back, forward, seek, play --------------------
start rp 100 30 "$LOCKSTEP" replay "$rec"
check "replay opens at the start, paused" wait_for rp 'event 0 of [0-9]+'
check "replay names the recorded scene" wait_for rp 'lockstep . deadlock'
check "at the start no thread is shown" wait_for rp 'Threads \(0\)'
check "the position bar is at 0%" wait_for rp ' 0% *$'
n=$(pos rp 2)
[ "${n:-0}" -gt 4 ] && ok "the recording has events ($n)" ||
	not_ok "the recording has events ($n)"
start_panels=$(panels rp)

keys rp End
check "End goes to the last event" wait_for rp "event $n of $n "
check "the end shows the deadlock" wait_for rp 'DEADLOCK: T1 wants B'
check "the position bar is full" wait_for rp '100% *$'
end_panels=$(panels rp)
[ "$end_panels" = "$live_panels" ] &&
	ok "the replay's last picture is the live run's" ||
	not_ok "the replay's last picture is the live run's:
$end_panels
--- live:
$live_panels"

keys rp Left
check "left steps back one event" wait_for rp "event $((n - 1)) of $n "
[ "$(panels rp)" != "$end_panels" ] &&
	ok "a step back changes the picture" ||
	not_ok "a step back changes the picture"
keys rp Right
check "right steps forward one event" wait_for rp "event $n of $n "
[ "$(panels rp)" = "$end_panels" ] &&
	ok "forward again is the same picture" ||
	not_ok "forward again is the same picture"

keys rp Home
check "Home seeks to the start" wait_for rp "event 0 of $n "
[ "$(panels rp)" = "$start_panels" ] &&
	ok "the start's picture is back" ||
	not_ok "the start's picture is back"
keys rp 5 0 %
check "50% jumps to the middle" wait_for rp "event $((n * 50 / 100)) of $n "
mid=$(pos rp)
keys rp ']'
check "] seeks forward" wait_for rp "event $((mid + n / 20 + 1)) of $n "
keys rp '['
check "[ seeks back" wait_for rp "event $mid of $n "
keys rp 3 Enter
check "a number and Enter jumps to that event" wait_for rp "event 3 of $n "

keys rp Home
keys rp +
check "+ raises the speed" wait_for rp 'REPLAY +2x'
keys rp ' '
check "space plays to the end by itself" wait_for rp "event $n of $n " 20
check "it stops at the end" wait_for rp '‖ REPLAY'
keys rp Tab
check "the engine's keys only say what a replay does" \
	wait_for rp 'a recording only plays'
keys rp q
check "q quits the replay" wait_dead rp

# --- a headless run recorded, replayed at its middle -----------------------
"$LOCKSTEP" run race --headless --seconds 0.5 --set fix=mutex \
	--record-events "$TMPD/race.lsrec" >/dev/null
check "a headless run writes a recording" test -s "$TMPD/race.lsrec"
start hr 100 30 "$LOCKSTEP" replay "$TMPD/race.lsrec"
check "its replay names the scene" wait_for hr 'lockstep . race'
keys hr 5 0 %
check "its middle shows its threads" wait_for hr 'Threads \([1-9]'
keys hr q
wait_dead hr

# --- damaged recordings: refused, with the byte, exit 2, no terminal -----
refused() {
	local what=$1 file=$2 re=$3 st
	"$LOCKSTEP" replay "$file" >"$TMPD/out" 2>"$TMPD/err"
	st=$?
	[ $st -eq 2 ] && ok "$what: exit status 2" ||
		not_ok "$what: exit status 2 (got $st)"
	[ "$(wc -l <"$TMPD/err")" -eq 1 ] && grep -Eq -- "$re" "$TMPD/err" &&
		ok "$what: one line, $re" ||
		not_ok "$what: one line, $re: $(cat "$TMPD/err")"
	[ ! -s "$TMPD/out" ] && ok "$what: nothing written to the terminal" ||
		not_ok "$what: nothing written to the terminal"
}
head -c 100 "$rec" >"$TMPD/cut.lsrec"
refused "a cut recording" "$TMPD/cut.lsrec" \
	'cut\.lsrec: byte [0-9]+: truncated'
cp "$rec" "$TMPD/flip.lsrec"
printf '\377' | dd of="$TMPD/flip.lsrec" bs=1 seek=45 conv=notrunc \
	2>/dev/null
refused "a corrupted recording" "$TMPD/flip.lsrec" \
	'flip\.lsrec: byte [0-9]+: '
if command -v python3 >/dev/null; then
	python3 - "$rec" "$TMPD/newer.lsrec" <<'EOF'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
b[8:10] = struct.pack("<H", 9)
b[28:32] = struct.pack("<I", zlib.crc32(bytes(b[0:28])) & 0xffffffff)
open(sys.argv[2], "wb").write(b)
EOF
	refused "a newer recording" "$TMPD/newer.lsrec" \
		'newer\.lsrec: byte [0-9]+: .*version 9'
fi
start bad 300 10 sh -c '"$0" replay "$1"; echo "exit $?"; sleep 60' \
	"$LOCKSTEP" "$TMPD/cut.lsrec"
check "in a terminal, a refused recording leaves one line" \
	wait_for bad 'byte [0-9]+: truncated'
check "and exits 2" wait_for bad '^exit 2$'
check "and no screen was drawn" wait_gone bad 'REPLAY|Threads'
"$LOCKSTEP" run race --headless --seconds 0.1 \
	--record-events /dev/full >/dev/null 2>"$TMPD/err"
st=$?
[ $st -eq 1 ] && grep -q '^lockstep: /dev/full: ' "$TMPD/err" &&
	[ "$(wc -l <"$TMPD/err")" -eq 1 ] &&
	ok "a recording that cannot be written: one line, exit 1" ||
	not_ok "a recording that cannot be written: one line, exit 1 ($st: $(cat "$TMPD/err"))"

# --- Chrome trace export --------------------------------------------------
if command -v python3 >/dev/null; then
	tc="python3 tests/trace_check.py"
	"$LOCKSTEP" replay "$rec" --export "$TMPD/live.json" &&
		$tc "$TMPD/live.json" --expect-instant "deadlock: wait-for cycle" \
			--expect-slice "hold " --expect-slice "wait " >/dev/null &&
		ok "replay --export: a trace the checker accepts" ||
		not_ok "replay --export: a trace the checker accepts"
	"$LOCKSTEP" trace deadlock --seconds 0.5 -o "$TMPD/dl.json" &&
		$tc "$TMPD/dl.json" --expect-instant "INVARIANT BROKEN" \
			--expect-slice "hold " >/dev/null &&
		ok "trace: a headless run's trace, its broken invariant in it" ||
		not_ok "trace: a headless run's trace, its broken invariant in it"
	"$LOCKSTEP" trace prodcons --set producers=2 --seconds 0.5 -o - \
		>"$TMPD/pc.json" &&
		$tc "$TMPD/pc.json" --expect-flow --expect-counter queue \
			>/dev/null &&
		ok "trace -o -: the trace on standard output" ||
		not_ok "trace -o -: the trace on standard output"
fi
"$LOCKSTEP" trace nosuch -o "$TMPD/x.json" 2>/dev/null
[ $? -eq 2 ] && ok "trace: an unknown scene is a usage error" ||
	not_ok "trace: an unknown scene is a usage error"
"$LOCKSTEP" trace race 2>/dev/null
[ $? -eq 2 ] && ok "trace: no -o is a usage error" ||
	not_ok "trace: no -o is a usage error"

finish
