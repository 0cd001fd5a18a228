# lockstep.bash - bash completion for lockstep(1).       -*- shell-script -*-
#
# Completes subcommands, scene names and scene scripts (*.lss), options,
# the values of options that name them (a|b|c) or take a FILE, and --set
# KEY=VALUE with the keys (and named values) of the scene on the line.  It asks the lockstep being completed rather than keeping lists of
# its own: subcommands from `lockstep --help`, a subcommand's options and
# arguments from `lockstep help SUBCOMMAND`, scenes from `lockstep list`,
# keys and values from `lockstep list --json` (one scene per line).  So a
# new subcommand, option or scene needs no change here.
#
# Installed as $(datadir)/bash-completion/completions/lockstep, where the
# bash-completion package loads it on demand; it needs nothing from that
# package and can also be sourced by hand.

# Run the lockstep on the line (as typed: ./lockstep works too), quietly.
_lockstep_ask()
{
	"$_lockstep_cmd" "$@" 2>/dev/null </dev/null
}

_lockstep_subcommands()
{
	_lockstep_ask --help |
		sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

_lockstep_scenes()
{
	_lockstep_ask list | sed -n 's/^\([a-z][a-z0-9_.-]*\) .*/\1/p'
}

# The line of `lockstep list --json` that describes scene $1.
_lockstep_scene_json()
{
	_lockstep_ask list --json | grep "^ *{\"name\": \"$1\","
}

# The --set keys of scene $1, each followed by '='.
_lockstep_keys()
{
	_lockstep_scene_json "$1" | grep -o '{"name": "[^"]*", "help"' |
		sed 's/{"name": "\([^"]*\)".*/\1=/'
}

# The named values of key $2 of scene $1 (none for a number).
_lockstep_values()
{
	_lockstep_scene_json "$1" | grep -o "{\"name\": \"$2\", [^}]*}" |
		sed -n 's/.*"values": \[\([^]]*\)\].*/\1/p' | tr -d '" ' |
		tr ',' '\n'
}

# The options of subcommand $1: the first word of each line of the
# Options block of its help.
_lockstep_options()
{
	_lockstep_ask help "$1" | sed -n 's/^  \(-[-a-z]*\).*/\1/p' | sort -u
	echo --help
}

# What option $2 of subcommand $1 takes: the word after it in its
# Options line ("N", "FILE", "KEY=VALUE", "a|b|c"), or nothing for a flag
# (whose line goes on with two blanks and prose).
_lockstep_value_of()
{
	_lockstep_ask help "$1" | sed -n "s/^  $2 \([^ ]\{1,\}\).*/\1/p" |
		head -1
}

# The first argument of subcommand $1 in its usage line: "SCENE",
# "TARGET", "[SUBCOMMAND]", "ring|pool|...", or nothing.
_lockstep_first_arg()
{
	_lockstep_ask help "$1" |
		sed -n "1s/^usage: lockstep $1 \([^ ]*\).*/\1/p" | tr -d '[]'
}

# The shipped themes, as `lockstep help ui` names them after "shipped:".
_lockstep_themes()
{
	_lockstep_ask help ui | tr '\n' ' ' |
		sed -n 's/.*(shipped: \([^)]*\)).*/\1/p' | tr -d ','
}

# Offer the words of $1 that start with $2, each after the prefix $3.
_lockstep_offer()
{
	local w
	for w in $1; do
		[[ $w == "$2"* ]] && COMPREPLY+=("$3$w")
	done
}

# A value for an option that takes $1 (its help's word for it), the value
# typed so far being $2, shown after the prefix $3.
_lockstep_value()
{
	local kind=$1 val=$2 pre=$3 key
	case $kind in
	KEY=VALUE)
		[[ -z $scene || $scene == *.lss ]] && scene=pool
		if [[ $val == *=* ]]; then
			key=${val%%=*}
			_lockstep_offer "$(_lockstep_values "$scene" "$key" |
				sed "s/^/$key=/")" "$val" "$pre"
		else
			_lockstep_offer "$(_lockstep_keys "$scene")" "$val" "$pre"
			compopt -o nospace 2>/dev/null
		fi
		;;
	NAME'|'FILE)
		# A theme: the shipped ones the help names, or a .theme file.
		_lockstep_offer "$(_lockstep_themes)" "$val" "$pre"
		_lockstep_files "$val" '*.theme'
		;;
	*'|'*)
		_lockstep_offer "${kind//|/ }" "$val" "$pre"
		;;
	FILE)
		mapfile -t COMPREPLY < <(compgen -f -- "$val")
		compopt -o filenames 2>/dev/null
		;;
	esac
}

_lockstep()
{
	local _lockstep_cmd=${COMP_WORDS[0]}
	local line=${COMP_LINE:0:COMP_POINT}
	local -a words
	local cur prev sub="" first=1 scene="" have_arg="" i w arg kind

	# Split the line ourselves: bash's COMP_WORDS also breaks at '=', and
	# --set KEY=VALUE is one word here.
	read -ra words <<<"$line"
	if [[ ${#words[@]} -eq 0 || $line == *[[:space:]] ]]; then
		words+=("")
	fi
	cur=${words[${#words[@]} - 1]}
	prev=""
	[[ ${#words[@]} -ge 2 ]] && prev=${words[${#words[@]} - 2]}
	COMPREPLY=()

	# The subcommand (none: the live ui), and its first argument.
	if [[ ${#words[@]} -gt 2 ]] &&
		_lockstep_subcommands | grep -qxF -- "${words[1]}"; then
		sub=${words[1]}
		first=2
	fi
	for ((i = first; i < ${#words[@]} - 1; i++)); do
		w=${words[i]}
		if [[ $w == -* ]]; then
			# Skip an option's separate value.
			[[ $w != *=* && -n $(_lockstep_value_of "${sub:-ui}" "$w") ]] &&
				((i++))
			continue
		fi
		have_arg=$w
		[[ -z $scene ]] && scene=$w
		break
	done

	if [[ $cur == -*=* ]]; then
		# --name=VALUE in one word.
		kind=$(_lockstep_value_of "${sub:-ui}" "${cur%%=*}")
		_lockstep_value "$kind" "${cur#*=}" "${cur%%=*}="
	elif [[ $prev == -* ]] &&
		kind=$(_lockstep_value_of "${sub:-ui}" "$prev") && [[ -n $kind ]]; then
		_lockstep_value "$kind" "$cur" ""
	elif [[ $cur == -* ]]; then
		local opts
		if [[ -z $sub ]]; then
			opts="$(_lockstep_options ui) --version"
		else
			opts=$(_lockstep_options "$sub")
		fi
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [[ ${#words[@]} -eq 2 ]]; then
		# The first word: a subcommand, a scene or a script for the ui.
		mapfile -t COMPREPLY < <(compgen -W \
			"$(_lockstep_subcommands) $(_lockstep_scenes)" -- "$cur")
		_lockstep_files "$cur"
	elif [[ -z $have_arg ]]; then
		arg=$(_lockstep_first_arg "${sub:-ui}")
		case $arg in
		SCENE | TARGET)
			mapfile -t COMPREPLY < <(compgen -W "$(_lockstep_scenes)" \
				-- "$cur")
			_lockstep_files "$cur"
			;;
		SUBCOMMAND)
			mapfile -t COMPREPLY < <(compgen -W \
				"$(_lockstep_subcommands)" -- "$cur")
			;;
		FILE)
			# lockstep replay: recordings, and directories.
			mapfile -t COMPREPLY < <(compgen -f -X '!*.lsrec' -- \
				"$cur"; compgen -d -- "$cur")
			compopt -o filenames 2>/dev/null
			;;
		DECK)
			_lockstep_files "$cur" '*.md'
			;;
		*'|'*)
			mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur")
			;;
		esac
	fi

	# bash replaces only what follows the last '=' it broke the word at.
	if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
		local pre=${cur%"${cur##*=}"}
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
	return 0
}

# Files matching $2 (default: scene scripts), and directories to find
# them in.
_lockstep_files()
{
	local f
	while IFS= read -r f; do
		COMPREPLY+=("$f")
	done < <(compgen -f -X "!${2:-*.lss}" -- "$1"; compgen -d -- "$1")
	compopt -o filenames 2>/dev/null
}

complete -F _lockstep lockstep
