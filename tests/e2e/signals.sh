#!/usr/bin/env bash
# signals.sh - the terminal is given back after every signal that ends
# lockstep, as the shell that started it sees it: the tty modes (stty -g)
# are as before, tmux's pane has the keypad, cursor, mouse and alternate
# screen back in normal mode, and an arrow key typed into `cat -v` arrives
# as the normal-mode ^[[A, not the application-mode ^[OA a crash used to
# leave behind.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
. tests/e2e/lib.sh

# signal_case HOW: run the ui in a shell, end it with HOW (q, or a signal
# name for kill -s), then look at that shell's terminal.
signal_case() {
	local how=$1 name="sig-$1" pid flags SANLOG=
	# A sanitizer's report of the crash goes to a file: written to the
	# pane after the terminal is given back, it scrolls over the line
	# the arrow key is read from.
	[ -n "$SANITIZED" ] &&
		SANLOG="ASAN_OPTIONS=\${ASAN_OPTIONS:-}:log_path=$TMPD/$how.san"
	start "$name" 100 30 bash -c "ulimit -c 0; trap : INT QUIT;
		stty -g >$TMPD/$how.before; $SANLOG $LOCKSTEP pool;
		echo \$? >$TMPD/$how.status; stty -g >$TMPD/$how.after;
		echo READY; exec cat -v"
	if ! wait_for "$name" 'RUNNING'; then
		not_ok "$how: the ui came up"
		tm kill-session -t "$name"
		return
	fi
	pid=$(pgrep -P "$(tm list-panes -t "$name" -F '#{pane_pid}')" lockstep)
	case $how in
	q) keys "$name" q ;;
	*) kill -s "$how" "$pid" ;;
	esac
	if ! wait_for "$name" '^READY' || ! wait_file "$TMPD/$how.after"; then
		not_ok "$how: lockstep ended"
		tm kill-session -t "$name"
		return
	fi
	status=$(cat "$TMPD/$how.status")
	if [ "$how" = q ]; then
		[ "$status" = 0 ] && ok "q: exit 0" || not_ok "q: exit 0 (got $status)"
	elif [ "$status" = $((128 + $(kill -l "$how"))) ]; then
		# The shell reports 128 + the signal: lockstep died of it.
		ok "$how: died of SIG$how"
	elif [ -n "$SANITIZED" ] && [ "$status" -ne 0 ] &&
		[[ " SEGV BUS FPE ILL ABRT TRAP " == *" $how "* ]]; then
		# The crash handler chains to the handler that was there
		# before it; in a sanitizer build that one reports and exits.
		ok "$how: chained to the sanitizer's handler (status $status)"
	else
		not_ok "$how: died of SIG$how (status $status)"
	fi
	cmp -s "$TMPD/$how.before" "$TMPD/$how.after" &&
		ok "$how: stty -g as before" || not_ok "$how: stty -g as before"
	flags=$(tm display -p -t "$name" \
		'#{keypad_cursor_flag}#{keypad_flag}#{alternate_on}#{cursor_flag}#{mouse_any_flag}')
	[ "$flags" = 00010 ] &&
		ok "$how: keypad, alternate screen, cursor and mouse given back" ||
		not_ok "$how: keypad, alternate screen, cursor and mouse given back (flags $flags: cursor keys, keypad, alternate, cursor shown, mouse)"
	keys "$name" Up Enter
	if wait_for "$name" '^\^\[\[A$'; then
		ok "$how: an arrow key reaches the shell as ^[[A"
	else
		not_ok "$how: an arrow key reaches the shell as ^[[A"
	fi
	tm kill-session -t "$name"
}

# A sanitizer build: its own SEGV/BUS handler ends the program instead.
SANITIZED=
LC_ALL=C grep -qa -e __tsan_init -e __asan_init "$LOCKSTEP" && SANITIZED=yes

# One session lives throughout, so the server does not exit between cases.
start keep 20 5 sleep 3600
for how in q TERM USR1 USR2 PIPE ALRM VTALRM PROF IO PWR STKFLT RTMIN \
	RTMAX SEGV ABRT TRAP SYS XCPU XFSZ BUS; do
	signal_case "$how"
done
finish
