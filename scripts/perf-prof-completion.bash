# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# perf-prof-completion.bash - bash completion for perf-prof.
#
# Installed by `make install` as share/bash-completion/completions/perf-prof
# (bash-completion loads it on first use); or `source` this file. Needs
# nothing from bash-completion.
#
# Nothing here is a copy of perf-prof's names or options: profilers come
# from `perf-prof --list-cmds`, each profiler's options from
# `perf-prof PROFILER --list-opts` (whose ARG column says what a value is:
# EVENT,... FILE PIDS TIDS CPUS, or a|b choices), uprobe function names from
# `perf-prof --list-funcs FILE`, events from tracefs (perf's events by name
# from `perf-prof list`). The binary asked is the one being completed
# (./perf-prof completes from ./perf-prof).
#
# Readline splits words at ':' and '=' (COMP_WORDBREAKS), which `-e SYS:NAME`
# and `--opt=VALUE` are full of, so the command line is re-read here from
# COMP_LINE, candidates are made for the whole word, and the part readline
# does not replace is cut off at the end.

# the top-level options (the only list kept here: they are not in a table)
_perf_prof_top_opts="-h --help -V --version --symbols"

_perf_prof_tracefs() {
	local d
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [[ -r $d/available_events ]]; then
			printf '%s\n' "$d"
			return 0
		fi
	done
	return 1
}

# _perf_prof_split LINE - the words of LINE into _pp_words (quotes removed,
# no expansion); the last one is the word under the cursor ("" after a space)
_perf_prof_split() {
	local line=$1 word="" q="" c i
	_pp_words=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ -n $q ]]; then
			if [[ $c == "$q" ]]; then q=""; else word+=$c; fi
		elif [[ $c == "'" || $c == '"' ]]; then
			q=$c
		elif [[ $c == '\' && $((i + 1)) -lt ${#line} ]]; then
			i=$((i + 1))
			word+=${line:i:1}
		elif [[ $c == [[:space:]] ]]; then
			[[ -n $word ]] && _pp_words+=("$word")
			word=""
		else
			word+=$c
		fi
	done
	_pp_words+=("$word")
}

# _perf_prof_match CUR [HEAD] - the lines of stdin that start with CUR,
# each after HEAD (no shell expansion of the words, unlike compgen -W)
_perf_prof_match() {
	local l
	while IFS= read -r l; do
		[[ $l == "$1"* ]] && printf '%s%s\n' "${2-}" "$l"
	done
}

_perf_prof_profilers() {
	"$1" --list-cmds 2>/dev/null | cut -f1
}

_perf_prof_pids() {
	local p
	for p in /proc/[0-9]*; do printf '%s\n' "${p#/proc/}"; done
}

_perf_prof_tids() {
	local t
	for t in /proc/[0-9]*/task/[0-9]*; do printf '%s\n' "${t##*/}"; done
}

_perf_prof_cpus() {
	local r a b i
	local IFS=,
	for r in $(cat /sys/devices/system/cpu/online 2>/dev/null); do
		a=${r%-*}
		b=${r#*-}
		for ((i = a; i <= b; i++)); do printf '%s\n' "$i"; done
	done
}

# _perf_prof_list_items CUR GENERATOR - complete the last item of a
# comma-separated list (-p 1,2,3 / -C 0,1)
_perf_prof_list_items() {
	local cur=$1 head=""
	[[ $cur == *,* ]] && head=${cur%,*},
	$2 | _perf_prof_match "${cur##*,}" "$head"
}

# _perf_prof_files CUR HEAD - paths starting with CUR, each after HEAD;
# directories end in '/' so the path goes on
_perf_prof_files() {
	local f
	compgen -f -- "$1" | while IFS= read -r f; do
		[[ -d $f ]] && f+=/
		printf '%s%s\n' "${2-}" "$f"
	done
}

# _perf_prof_probe_file CUR - FILE of uprobe:FUNC@FILE being typed (after
# '@'): a name of the current directory, or a path, which the selector wants
# in double quotes ('/' would start the filter), so paths are offered quoted
_perf_prof_probe_file() {
	local f cur=$1
	cur=${cur#\"}
	[[ $1 == \"* || $cur == */* ]] || {
		compgen -f -- "$cur"
		return 0
	}
	compgen -f -- "$cur" | while IFS= read -r f; do
		if [[ -d $f ]]; then printf '"%s/\n' "$f"; else printf '"%s"\n' "$f"; fi
	done
}

# _perf_prof_events BIN CUR AFTER WORKLOAD - the -e argument being typed: the
# last term of a comma list, SYS: first, then NAME; uprobe:FUNC takes FUNC
# from @FILE written after the cursor (AFTER) or from the workload's program
_perf_prof_events() {
	local bin=$1 cur=$2 after=$3 workload=$4 head="" term tfs file
	[[ $cur == *,* ]] && head=${cur%,*},
	term=${cur##*,}
	case $term in
	uprobe:*@\"*\"* | uretprobe:*@\"*\"*)
		return 0	# past the quoted FILE: arguments, a filter
		;;
	uprobe:*@* | uretprobe:*@*)
		[[ $term == *@\"* || $term != *@*[/\(]* || $term == *@[./]* ]] || return 0
		_perf_prof_probe_file "${term#*@}" | while IFS= read -r file; do
			printf '%s@%s\n' "$head${term%%@*}" "$file"
		done
		return 0
		;;
	uprobe:* | uretprobe:*)
		[[ $term == */* ]] && return 0
		file=$workload
		if [[ $after == @\"* ]]; then
			file=${after#@\"}
			file=${file%%\"*}
		elif [[ $after == @* ]]; then
			file=${after#@}
			file=${file%%[\(/,\'\"]*}
		fi
		[[ -n $file ]] || return 0
		"$bin" --list-funcs "$file" 2>/dev/null |
			_perf_prof_match "${term#*:}" "$head${term%%:*}:"
		return 0
		;;
	esac
	[[ $term == */* ]] && return 0	# a filter or attributes: free text
	tfs=$(_perf_prof_tracefs)
	if [[ $term == *:* ]]; then
		[[ -n $tfs ]] && _perf_prof_match "$term" "$head" < "$tfs/available_events"
	else
		{
			if [[ -n $tfs ]]; then
				cut -d: -f1 "$tfs/available_events" | sort -u | sed 's/$/:/'
				[[ -e $tfs/kprobe_events ]] && printf '%s\n' kprobe: kretprobe:
			fi
			printf '%s\n' uprobe: uretprobe:
			# perf's events by name (cpu-clock, page-faults), as `list` shows them
			"$bin" list 2>/dev/null | grep -v '[:/]'
		} | _perf_prof_match "$term" "$head"
	fi
}

# _perf_prof_value BIN ARG CUR AFTER WORKLOAD - a value for an option whose
# --list-opts ARG column is ARG
_perf_prof_value() {
	local bin=$1 arg=$2 cur=$3
	case $arg in
	EVENT,* | EVENT) _perf_prof_events "$bin" "$cur" "$4" "$5" ;;
	FILE) _perf_prof_files "$cur" ;;
	PIDS | PID) _perf_prof_list_items "$cur" _perf_prof_pids ;;
	TIDS | TID) _perf_prof_list_items "$cur" _perf_prof_tids ;;
	CPUS) _perf_prof_list_items "$cur" _perf_prof_cpus ;;
	*'|'*)
		# choices: "fp|dwarf[,SIZE]" offers fp, dwarf and dwarf, (then a SIZE)
		local IFS='|' c choices=()
		for c in $arg; do
			choices+=("${c%%[[]*}")
			[[ $c == *'[,'* ]] && choices+=("${c%%[[]*},")
		done
		printf '%s\n' "${choices[@]}" | _perf_prof_match "$cur"
		;;
	esac
}

_perf_prof() {
	local line=${COMP_LINE:0:COMP_POINT} after=${COMP_LINE:COMP_POINT}
	local -a _pp_words all
	local bin cur n prof i w workload="" nospace=""
	local -a cands=()

	# the workload's program (after --), anywhere on the line
	_perf_prof_split "$COMP_LINE"
	all=("${_pp_words[@]}")
	for ((i = 1; i + 1 < ${#all[@]}; i++)); do
		if [[ ${all[i]} == -- ]]; then
			workload=${all[i + 1]}
			break
		fi
	done
	_perf_prof_split "$line"
	n=$((${#_pp_words[@]} - 1))
	cur=${_pp_words[n]}
	after=${after%%[[:space:]]*}
	bin=${_pp_words[0]/#\~/$HOME}
	COMPREPLY=()

	if ((n == 1)); then
		if [[ $cur == -* ]]; then
			mapfile -t cands < <(printf '%s\n' $_perf_prof_top_opts | _perf_prof_match "$cur")
		else
			mapfile -t cands < <({ _perf_prof_profilers "$bin"; echo help; } | _perf_prof_match "$cur")
		fi
	elif [[ ${_pp_words[1]} == --symbols ]]; then
		((n == 2)) && mapfile -t cands < <(_perf_prof_files "$cur")
	elif [[ ${_pp_words[1]} == help ]]; then
		((n == 2)) && mapfile -t cands < <(_perf_prof_profilers "$bin" | _perf_prof_match "$cur")
	elif [[ ${_pp_words[1]} != -* ]]; then
		prof=${_pp_words[1]}
		for ((i = 2; i < n; i++)); do
			[[ ${_pp_words[i]} == -- ]] && break
		done
		if ((i < n)); then
			# the workload's own words: a command, then files
			if ((i + 1 == n)) && [[ $cur != */* ]]; then
				mapfile -t cands < <(compgen -c -- "$cur" | sort -u)
			else
				mapfile -t cands < <(_perf_prof_files "$cur")
			fi
		else
			_perf_prof_profiler "$bin" "$prof" "${_pp_words[n - 1]}" "$cur" "$after" "$workload"
		fi
	fi

	# no space after a part that goes on: SYS:, uprobe:, dwarf, a directory
	for w in "${cands[@]}"; do
		[[ $w == *[:,@=/] ]] && nospace=1
	done
	[[ -n $nospace ]] && compopt -o nospace 2>/dev/null
	# readline replaces only the text after its last word break (':', '=')
	local rl=${2-$cur} cut=0
	if [[ $cur == *"$rl" ]]; then
		cut=$((${#cur} - ${#rl}))
	fi
	for w in "${cands[@]}"; do
		[[ -n $w ]] && COMPREPLY+=("${w:cut}")
	done
	return 0
}

# _perf_prof_profiler BIN PROFILER PREV CUR AFTER WORKLOAD - a word of a
# profiler's command line, from its --list-opts; fills cands
_perf_prof_profiler() {
	local bin=$1 prev=$3 cur=$4 set kind short long arg help w
	local -A argof=() kindof=()
	local -a names=()

	while IFS=$'\t' read -r set kind short long arg help; do
		[[ $kind == attr ]] && continue
		for w in $short $long; do
			[[ $w == - ]] && continue
			argof[$w]=$arg
			kindof[$w]=$kind
			names+=("$w")
			# --no-NAME only once asked for: -h shows only --NAME
			[[ $kind == bool && $w == --* && $cur == --no-* ]] && names+=("--no-${w#--}")
		done
	done < <("$bin" "$2" --list-opts 2>/dev/null)

	if [[ ${kindof[$prev]-} == value ]]; then
		mapfile -t cands < <(_perf_prof_value "$bin" "${argof[$prev]}" "$cur" "$5" "$6")
	elif [[ $cur == --*=* && -n ${kindof[${cur%%=*}]-} ]]; then
		mapfile -t cands < <(_perf_prof_value "$bin" "${argof[${cur%%=*}]}" "${cur#*=}" "$5" "$6" |
			while IFS= read -r w; do printf '%s=%s\n' "${cur%%=*}" "$w"; done)
	elif [[ $cur == -* ]]; then
		mapfile -t cands < <(printf '%s\n' "${names[@]}" -- | _perf_prof_match "$cur")
	elif [[ -n ${kindof[-e]-} ]]; then
		# the word that prints the events' fields instead of running
		mapfile -t cands < <(echo help | _perf_prof_match "$cur")
	fi
}

complete -F _perf_prof perf-prof
