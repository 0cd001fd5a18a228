#!/usr/bin/env bash
# completion.sh - bash completion for lockstep (assets/completion/
# lockstep.bash): registered for the command, and what it offers for a
# line, both by calling its function as bash does (COMP_LINE, COMP_POINT,
# COMP_WORDS) and by pressing Tab in an interactive bash in tmux.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
SRCDIR=$PWD
. tests/e2e/lib.sh
BUILDDIR=$(cd "$(dirname "$LOCKSTEP")" && pwd)
COMPLETION=$SRCDIR/assets/completion/lockstep.bash

# A directory with a script, another file and a subdirectory, for the
# file part of the completion.
mkdir -p "$TMPD/work/scripts" && cd "$TMPD/work" || exit 99
touch mine.lss notes.txt race.sched

# offers LINE WANT...: completing LINE offers exactly WANT (any order).
offers() {
	local line=$1 got want
	shift
	got=$(PATH="$BUILDDIR:$PATH" bash -c '
		source "$1" || exit 1
		line=$2
		COMP_LINE=$line
		COMP_POINT=${#line}
		# As bash splits them: at blanks and at the breaks "=" and ":".
		read -ra COMP_WORDS <<<"${line//=/ = }"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_lockstep
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$COMPLETION" "$line")
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] && ok "'$line' offers: $want" ||
		not_ok "'$line' offers: $want (got: $got)"
}

reg=$(bash -c 'source "$1" && complete -p lockstep' _ "$COMPLETION")
[ "$reg" = "complete -F _lockstep lockstep" ] &&
	ok "complete -p lockstep: the function is registered" ||
	not_ok "complete -p lockstep: the function is registered (got: $reg)"

# What the program says it has: the completion must offer just that.
subs=$("$LOCKSTEP" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
# The scenes, and the shipped scripts by their file names.
scenes=$("$LOCKSTEP" list | sed -n 's/^\([a-z][a-z0-9_.-]*\) .*/\1/p')
# shellcheck disable=SC2086
offers "lockstep " $subs $scenes mine.lss scripts
offers "lockstep r" race read-lock-write.lss relock.lss replay run rwlock
offers "lockstep e" explore extra-post.lss
# shellcheck disable=SC2086
offers "lockstep run " $scenes mine.lss scripts
offers "lockstep run ra" race
offers "lockstep run lost" lost-update.lss lost-wakeup.lss
offers "lockstep run mi" mine.lss
offers "lockstep run race --" --headless --help --json --record \
	--record-events --replay --seconds --seed --set --steps
offers "lockstep run race --set " adders= adds= fix=
offers "lockstep run race --set f" fix=
offers "lockstep run race --set fix=" atomic mutex none
offers "lockstep run race --set fix=mu" mutex
offers "lockstep run race --set=fix=at" atomic
offers "lockstep run race --seconds "
offers "lockstep run deadlock --headless --seconds 2 --set " fix=
offers "lockstep deadlock --set fix=o" ordering
offers "lockstep --set c" capacity=
offers "lockstep --" --cast --help --paused --record --record-events \
	--replay --seed --set --step --theme --version
offers "lockstep race --theme p" projector
offers "lockstep --theme=high" high-contrast
offers "lockstep present --" --help --notes --theme
offers "lockstep present deck.md --theme m" monochrome
offers "lockstep bench " clock explore pool queue ring rwlock
offers "lockstep bench ring --" --help --json --runs --seconds --threads
offers "lockstep bench ring --runs "
offers "lockstep list --" --help --json
# shellcheck disable=SC2086
offers "lockstep help " $subs
offers "lockstep help r" replay run
# Values an option names, files where it takes a FILE, single-dash ones.
offers "lockstep explore race --strategy p" pct portfolio pos
offers "lockstep explore race --strategy=d" dfs
offers "lockstep explore deadlock --set fix=h" hierarchy
offers "lockstep explore race -" --depth --help --json --max-schedules --par \
	--preemptions --seconds --seed --set --steps --strategy -o
offers "lockstep explore race -o r" race.sched
offers "lockstep run race --replay r" race.sched
offers "lockstep run race --seed "

# --- Tab in a real interactive bash ---------------------------------------
# (capture-pane drops the blank a finished completion adds.)
start sh 120 10 env -i HOME="$TMPD" TERM=xterm INPUTRC=/dev/null HISTFILE= \
	PATH="$BUILDDIR:/usr/bin:/bin" bash --norc --noprofile -i
tm send-keys -t sh -l "PS1='$ '; cd $TMPD/work; source $COMPLETION"
keys sh Enter
# Typed before the prompt is back, the text is echoed once by the
# terminal and again by readline.
# (capture-pane drops the prompt's trailing blank.)
check "bash's prompt is back" wait_for sh '^\$$'
tm send-keys -t sh -l "lockstep run ra"
keys sh Tab
check "Tab completes a scene" wait_for sh '^\$ lockstep run race$'
tm send-keys -t sh -l -- "--set f"
keys sh Tab
check "Tab completes a --set key, with its =" \
	wait_for sh '^\$ lockstep run race --set fix=$'
tm send-keys -t sh -l "mu"
keys sh Tab
check "Tab completes the key's value" \
	wait_for sh '^\$ lockstep run race --set fix=mutex$'
tm kill-session -t sh
cd "$SRCDIR" || exit 99
finish
