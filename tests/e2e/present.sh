#!/usr/bin/env bash
# present.sh - classroom mode as a teacher meets it: a deck paged through
# in tmux with the presenters' keys, a live scene started with its slide,
# given the keys with Tab and reset when the slide closes, the speaker
# notes following the presenter from a second terminal, themes switched
# with T, bad decks and themes refused with their positions, and the
# whole shipped deck at 80x24 with nothing cut off.
set -u
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.." || exit 99
# A private runtime directory, so the notes link never meets a real
# presenter's (present/link.h).  Exported before lib.sh starts tmux, so
# every session inherits it.
RUND=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-present-run.XXXXXX")
chmod 700 "$RUND"
export XDG_RUNTIME_DIR=$RUND
unset NO_COLOR
. tests/e2e/lib.sh
trap 'cleanup; rm -rf "$RUND"' EXIT
DECK=assets/decks/concurrency.md

# A small deck of our own: a pause, a live stepped scene, notes.
cat >"$TMPD/deck.md" <<'MD'
---
title: Test deck
---

# First slide

Before the pause.

<!-- pause -->

After the pause.

<!-- speaker_note: Notes of the first slide. -->

---

# Race, live

```lockstep
scene: race
set: fix=none
mode: step
```

<!-- speaker_note: Step alice, then bob. -->

---

# Third slide

Plain text.
MD

# fails STATUS WHAT ARGS...: lockstep ARGS exits STATUS with its error in
# $TMPD/e (one line).
fails() {
	local want=$1 what=$2 st
	shift 2
	timeout -k 5 60 "$LOCKSTEP" "$@" </dev/null >"$TMPD/o" 2>"$TMPD/e"
	st=$?
	if [ $st -eq "$want" ] && [ "$(wc -l <"$TMPD/e")" -eq 1 ]; then
		ok "$what: exit $want, one line"
	else
		not_ok "$what: exit $want, one line (got $st: $(cat -v "$TMPD/e"))"
	fi
}
says() {
	if grep -qE -- "$1" "$TMPD/e"; then ok "$2"
	else not_ok "$2: wanted /$1/ in: $(cat -v "$TMPD/e")"; fi
}

# --- bad decks and themes are refused before the terminal is taken -------
printf '# A\n\n```lockstep\nscene: rase\n```\n' >"$TMPD/bad-scene.md"
fails 2 "a deck with an unknown scene" present "$TMPD/bad-scene.md"
says "bad-scene.md:4: unknown scene 'rase'" "the unknown scene's file and line"
printf '# A\n\n```lockstep\nscene: race\nset: colour=red\n```\n' >"$TMPD/bad-set.md"
fails 2 "a deck with an unknown parameter" present "$TMPD/bad-set.md"
says "bad-set.md:5: .*colour" "the unknown parameter's file and line"
printf '# A\n\n```lockstep\nscene: race\nmode: replay\nschedule: nope.sched\n```\n' >"$TMPD/bad-sched.md"
fails 2 "a deck whose schedule is missing" present "$TMPD/bad-sched.md"
says "bad-sched.md:6: schedule 'nope.sched' not found" "the missing schedule's line"
cp assets/schedules/deadlock-two-locks.sched "$TMPD/other.sched"
printf '# A\n\n```lockstep\nscene: race\nmode: replay\nschedule: other.sched\n```\n' >"$TMPD/wrong-sched.md"
fails 2 "a deck replaying another scene's schedule" present "$TMPD/wrong-sched.md"
says "wrong-sched.md:3: .*other.sched:[0-9]+: this schedule is for 'deadlock" \
	"the schedule's target mismatch names deck and schedule lines"
printf -- '---\ntitle: x\n# never closed\n' >"$TMPD/bad-front.md"
fails 2 "a deck with unclosed front matter" present "$TMPD/bad-front.md"
says "bad-front.md:1: " "the front matter's line"
fails 2 "a deck that does not exist" present "$TMPD/nope.md"
fails 2 "present without a deck" present
printf 'running = gren bold\n' >"$TMPD/bad.theme"
fails 2 "present refuses a bad theme file" present "$TMPD/deck.md" --theme "$TMPD/bad.theme"
says "bad.theme:1: " "the theme's error has its file and line"
fails 2 "the ui refuses a bad theme file" race --theme "$TMPD/bad.theme"
says "bad.theme:1: " "the ui's theme error has its file and line"
fails 2 "an unknown theme name" race --theme nosuch
says "projector" "an unknown theme lists the shipped ones"

# The help names the shipped themes (the completion offers them from it).
shipped=$(ls assets/themes/*.theme | sed 's|.*/||; s|\.theme$||' | sort | tr '\n' ' ')
named=$("$LOCKSTEP" help ui | tr '\n' ' ' | sed -n 's/.*(shipped: \([^)]*\)).*/\1/p' |
	tr -d ',' | tr -s ' ' '\n' | grep -v '^$' | sort | tr '\n' ' ')
[ "$shipped" = "$named" ] && ok "the ui's help names every shipped theme" ||
	not_ok "the ui's help names every shipped theme ('$named' vs '$shipped')"

# --- navigation -------------------------------------------------------------
start nav 80 24 "$LOCKSTEP" present "$TMPD/deck.md"
check "the first slide and its counter" wait_for nav '1/3 . First slide'
check "text before a pause shows" wait_for nav 'Before the pause'
screen nav | grep -q 'After the pause' && not_ok "text after a pause waits" ||
	ok "text after a pause waits"
keys nav Space
check "Space reveals what follows the pause" wait_for nav 'After the pause'
keys nav Right
check "Right goes to the next slide" wait_for nav '2/3 . Race, live'
keys nav Left
check "Left goes back (revealed)" wait_for nav '1/3 .*'
check "coming back shows the slide whole" wait_for nav 'After the pause'
keys nav G
check "G goes to the last slide" wait_for nav '3/3 . Third slide'
keys nav g
check "g goes to the first slide" wait_for nav '1/3 '
keys nav 3 Enter
check "a number and Enter jump" wait_for nav '3/3 '
keys nav 9 Enter
check "a slide that is not there is said so" wait_for nav 'no slide 9'
keys nav PPage
check "PgUp goes back" wait_for nav '2/3 '
keys nav NPage
check "PgDn goes on" wait_for nav '3/3 '
keys nav h
check "h goes back" wait_for nav '2/3 '
keys nav l
check "l goes on" wait_for nav '3/3 '
keys nav p
check "p goes back" wait_for nav '2/3 '
keys nav n
check "n goes on" wait_for nav '3/3 '
keys nav b
check "b blanks the screen" wait_gone nav 'Third slide|3/3'
keys nav x
check "any key shows it again" wait_for nav 'Third slide'
keys nav '?'
check "? shows the presenter's keys" wait_for nav 'Presenter keys'
keys nav x
check "any key closes the help" wait_gone nav 'Presenter keys'
keys nav q
check "q quits" wait_dead nav

# --- a live scene: started with its slide, Tab, its keys, reset -------------
# threads PANE: how many threads the lockstep in PANE runs.
threads_of() {
	local pid
	pid=$(tm list-panes -t "$1" -F '#{pane_pid}')
	ls "/proc/$pid/task" 2>/dev/null | wc -l
}
# wait_threads PANE OP N: poll until the thread count OP N (-eq, -gt).
wait_threads() {
	local i
	for ((i = 0; i < E2E_WAIT * 20; i++)); do
		[ "$(threads_of "$1")" "$2" "$3" ] && return 0
		sleep 0.05
	done
	echo "--- $1 runs $(threads_of "$1") threads, wanted $2 $3" >&2
	return 1
}
start live 80 24 "$LOCKSTEP" present "$TMPD/deck.md"
wait_for live '1/3 ' >/dev/null
base=$(threads_of live)
keys live Right Right
check "the scene starts when its slide opens" \
	wait_for live 'lockstep . race .*STEP 0'
check "the scene's threads run" wait_threads live -ge $((base + 5))
running=$(threads_of live)
check "the slide says Tab gives the scene the keys" wait_for live 'Tab scene'
keys live 1 Tab
check "Tab gives the scene the keys" wait_for live 'SCENE has the keys'
# Read once Tab has been answered, so the 1 before it has been too.
screen live | grep -q 'STEP 0' &&
	ok "with the slide's keys, 1 is not a scene step" ||
	not_ok "with the slide's keys, 1 is not a scene step"
keys live 1
check "a scene key works: 1 steps alice" wait_for live 'STEP 1'
keys live n
check "n steps the scene, not the slide" wait_for live 'STEP 2'
keys live Right Tab
check "Tab gives the keys back to the slide" wait_gone live 'SCENE has the keys'
# Read once Tab has been answered, so the Right before it has been too.
screen live | grep -q '2/3 . Race, live' &&
	ok "Right does not leave the slide while the scene has the keys" ||
	not_ok "Right does not leave the slide while the scene has the keys"
keys live Right
check "leaving the slide closes the scene" wait_gone live 'lockstep . race'
# The race scene's five threads (alice, bob, bank, inc-1, inc-2) are gone;
# a sanitizer's own thread, started meanwhile, may stay.
check "its threads are stopped" wait_threads live -le $((running - 5))
keys live Left
check "coming back starts the scene afresh" wait_for live 'race .*STEP 0'
keys live q
check "q quits with a scene running" wait_dead live

# --- speaker notes follow the presenter ----------------------------------
start notes 80 24 "$LOCKSTEP" present "$TMPD/deck.md" --notes
check "notes without a presenter say so" wait_for notes 'No presenter is running'
start pres 80 24 "$LOCKSTEP" present "$TMPD/deck.md"
check "notes find a presenter that starts later" wait_for notes 'slide 1/3'
check "notes show the slide's notes" wait_for notes 'Notes of the first slide'
check "notes show the next slide's title" wait_for notes 'next: Race, live'
check "notes show a clock" wait_for notes '[0-9]{2}:[0-9]{2}:[0-9]{2}'
check "notes say what is left to reveal" wait_for notes '1 more to reveal'
keys pres Space Right
check "notes follow the presenter" wait_for notes 'slide 2/3'
check "the next slide's notes" wait_for notes 'Step alice, then bob'
keys pres q
wait_dead pres >/dev/null
check "notes see the presenter go" wait_for notes 'No presenter is running'
start pres2 80 24 "$LOCKSTEP" present "$TMPD/deck.md"
check "notes follow a presenter started again" wait_for notes 'slide 1/3'
start pres3 80 24 "$LOCKSTEP" present "$TMPD/deck.md"
check "a second presenter runs without the link, and says so" \
	wait_for pres3 'no speaker notes: another presenter'
keys pres3 q
keys pres2 q
keys notes q
check "q quits the notes" wait_dead notes
# Every presenter gone before the next starts: one still quitting holds
# the notes link, and a presenter started meanwhile says so where its
# counter would be.
check "q quits the presenter" wait_dead pres2
check "q quits the presenter without the link" wait_dead pres3

# --- themes -----------------------------------------------------------------
colour_re=$'\e\\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;|48;)[0-9;]*m'
start th 80 24 "$LOCKSTEP" present "$TMPD/deck.md" --theme monochrome
wait_for th '1/3 ' >/dev/null
keys th T
check "T cycles to the next shipped theme" wait_for th 'theme: projector'
s1=$(tm capture-pane -e -p -t th)
keys th T
check "T again: the next, around" wait_for th 'theme: default'
keys th T
check "T again: high-contrast" wait_for th 'theme: high-contrast'
keys th Right Right
wait_for th 'race .*STEP 0' >/dev/null
keys th T
check "T with a scene on the slide" wait_for th 'theme: monochrome'
keys th Tab T
check "T while the scene has the keys" wait_for th 'theme: projector'
grep -Eq "$colour_re" <<<"$s1" && ok "projector draws in colour" ||
	not_ok "projector draws in colour"
keys th q
wait_dead th >/dev/null
start ui 100 30 "$LOCKSTEP" race --theme projector
check "the ui takes --theme" wait_for ui 'lockstep . race'
keys ui T
check "T cycles themes in the ui" wait_for ui 'theme: default'
keys ui q
wait_dead ui >/dev/null
start nc 80 24 env NO_COLOR=1 "$LOCKSTEP" present "$TMPD/deck.md" --theme projector
wait_for nc '1/3 ' >/dev/null
keys nc Right Right T
wait_for nc 'theme: default' >/dev/null
if tm capture-pane -e -p -t nc | grep -Eq "$colour_re"; then
	not_ok "NO_COLOR: no colour with any theme"
else
	ok "NO_COLOR: no colour with any theme"
fi
keys nc q
check "q quits with NO_COLOR" wait_dead nc

# --- the shipped deck, every slide whole at 80x24 -------------------------
# Each slide is checked with everything on it revealed (the most it ever
# shows): slide k is reached by going back from slide k+1, which shows it
# whole; the last one by pressing on until it says it is the last.
# cut_off NAME WHAT: the screen of NAME has nothing cut off.
# (No width test: capture-pane never gives more than the pane's width.)
cut_off() {
	local s
	s=$(screen "$1")
	if grep -q 'more ↓' <<<"$s" || grep -q 'Enlarge the terminal' <<<"$s"; then
		echo "--- $2 is cut off at 80x24:" >&2
		echo "$s" >&2
		return 0
	fi
	return 1
}
# A key does not wait for the frame budget: with one frame an hour at
# most, the first slide is drawn, and every slide turned to at once.
start slow 80 24 env LOCKSTEP_FRAME_MS=3600000 "$LOCKSTEP" present "$TMPD/deck.md"
check "a stretched frame budget: the first slide comes up" \
	wait_for slow '1/3 . First slide'
keys slow Right
check "a pause revealed shows before the next frame is due" \
	wait_for slow 'After the pause'
keys slow Right
check "and a slide turned to" wait_for slow '2/3 . Race, live'
keys slow Right
check "and the next, with a live scene behind" \
	wait_for slow '3/3 . Third slide'
keys slow q
check "q quits at once with a frame an hour away" wait_dead slow

start deck 80 24 "$LOCKSTEP" present "$DECK"
wait_for deck '^ 1/[0-9]+ ' >/dev/null
total=$(screen deck | tail -1 | sed -E 's/^ 1\/([0-9]+) .*/\1/')
cut=0
for ((k = 1; k < total; k++)); do
	keys deck $((k + 1)) Enter
	wait_for deck "^ $((k + 1))/$total " >/dev/null || cut=1
	keys deck Left
	wait_for deck "^ $k/$total " >/dev/null || cut=1
	cut_off deck "slide $k" && cut=1
done
keys deck G
for ((k = 0; k < 10; k++)); do keys deck Space; done
check "the last slide, whole" wait_for deck 'this is the last slide'
cut_off deck "the last slide" && cut=1
[ "$total" -ge 20 ] && ok "the shipped deck has its $total slides" ||
	not_ok "the shipped deck has its slides ($total)"
[ $cut -eq 0 ] && ok "all $total slides whole at 80x24, nothing cut off" ||
	not_ok "all slides whole at 80x24, nothing cut off"
keys deck q

finish
