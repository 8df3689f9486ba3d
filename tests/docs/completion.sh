#!/bin/sh
# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/docs/completion.sh - scripts/perf-prof-completion.bash, sourced in
# bash: for representative command lines, the COMPREPLY it leaves is checked
# against what it should offer, taken from elsewhere than the script's own
# sources where one exists: the profilers of `perf-prof -h`, the options of
# `perf-prof PROFILER -h`, tracefs' available_events, nm's symbols of the
# probed workload and of libc, /proc, /sys's online CPUs, the file system.
# Readline's word (the text it replaces) is computed as readline does: after
# an open quote, else after the last COMP_WORDBREAKS character.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TESTS_DIR:?}/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
# shellcheck source=../../scripts/perf-prof-completion.bash
. "$root/scripts/perf-prof-completion.bash"

# comp BEFORE [AFTER] - complete the line BEFORE+AFTER with the cursor
# between them; the candidates, sorted, one a line, in $reply
comp() {
	local line=$1${2-} point=${#1} upto q rl
	upto=${line:0:point}
	q=${upto//[^\']/}
	if ((${#q} % 2)); then
		rl=${upto##*\'}
	else
		rl=${upto##*[$' \t\n"\'><=;|&(:']}
	fi
	COMP_LINE=$line
	COMP_POINT=$point
	read -ra COMP_WORDS <<< "$upto"
	COMP_CWORD=${#COMP_WORDS[@]}
	COMPREPLY=()
	_perf_prof "$PP" "$rl" ""
	reply=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort)
}

lines() { printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort; }

# check NAME WANT - $reply is WANT (non-empty: an empty want is a bad oracle)
check() {
	if [ -z "$2" ]; then
		fail "$1" "the expected list is empty: the oracle failed"
	else
		check_eq "$1" "$reply" "$2"
	fi
}

tmp=$T_TMP/files
mkdir -p "$tmp/sub"
: > "$tmp/a.txt"
: > "$tmp/b.svg"

# --- profilers and top-level words -------------------------------------------
profs=$("$PP" -h | awk '/^Profilers:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }')
comp "$PP "
check "completion: profilers, from -h, and help" "$(lines $profs help)"
comp "$PP t"
check "completion: profilers starting with t" "$(lines $(printf '%s\n' $profs | grep '^t'))"
comp "$PP help "
check "completion: help PROFILER" "$(lines $profs)"
comp "$PP -"
check "completion: top-level options" "$(lines -h --help -V --version --symbols)"
bad=""
for o in -h --help -V --version; do
	"$PP" $o > /dev/null 2>&1 || bad="$bad $o"
done
"$PP" --symbols > /dev/null 2> "$T_TMP/e"
grep -q "missing file" "$T_TMP/e" || bad="$bad --symbols"
check_eq "completion: the top-level options it offers are the binary's" "$bad" ""
comp "$PP --symbols $tmp/"
check "completion: --symbols FILE" "$(lines "$tmp/a.txt" "$tmp/b.svg" "$tmp/sub/")"

# --- a profiler's options, from -h --------------------------------------------
for p in $profs; do
	longs=$("$PP" "$p" -h | grep -oE '^ +(-[A-Za-z], )?--[a-zA-Z0-9-]+' | grep -oE -- '--[a-zA-Z0-9-]+')
	comp "$PP $p --"
	check "completion: $p --: its long options of -h" "$(lines $longs --)"
done
shorts=$("$PP" top -h | grep -oE '^ +-[A-Za-z]' | tr -d ' ')
comp "$PP top -"
check "completion: top -: short and long options of -h" "$(lines $shorts $("$PP" top -h |
	grep -oE '^ +(-[A-Za-z], )?--[a-zA-Z0-9-]+' | grep -oE -- '--[a-zA-Z0-9-]+') --)"
comp "$PP top --no-"
longs=$("$PP" top -h | grep -oE '^ +(-[A-Za-z], )?--[a-zA-Z0-9-]+' | grep -oE -- '--[a-zA-Z0-9-]+')
stray=""
for w in $reply; do
	printf '%s\n' $longs | grep -qx -- "--${w#--no-}" || stray="$stray $w"
done
for w in --no-cumulative --no-json --no-only-comm --no-order; do
	echo "$reply" | grep -qx -- "$w" || stray="$stray (lacks $w)"
done
for w in --no-top --no-max-rows --no-key --no-event; do
	echo "$reply" | grep -qx -- "$w" && stray="$stray (offers $w, which takes a value)"
done
check_eq "completion: top --no-: the flags of -h, negated; not the options with values" "$stray" ""
comp "$PP top --max"
check "completion: top --max" "--max-rows"

# --- option values, by the argument's kind --------------------------------
comp "$PP trace --call-graph "
check "completion: --call-graph METHOD" "$(lines dwarf dwarf, fp)"
comp "$PP trace --call-graph d"
check "completion: --call-graph d" "$(lines dwarf dwarf,)"
comp "$PP trace --call-graph=dw"
check "completion: --call-graph=dw (readline replaces after '=')" "$(lines dwarf dwarf,)"
comp "$PP trace -i "
check_eq "completion: -i MS offers nothing" "$reply" ""
comp "$PP trace -o $tmp/"
check "completion: -o FILE" "$(lines "$tmp/a.txt" "$tmp/b.svg" "$tmp/sub/")"
comp "$PP trace --flame-graph $tmp/b"
check "completion: --flame-graph FILE" "$tmp/b.svg"

sleep 30 &
sl=$!
comp "$PP top -p "
nonnum=$(echo "$reply" | grep -cv '^[0-9][0-9]*$')
if echo "$reply" | grep -qx "$$" && echo "$reply" | grep -qx "$sl" && [ "$nonnum" = 0 ]; then
	ok "completion: -p PIDS: the processes of /proc"
else
	fail "completion: -p PIDS: the processes of /proc" "pids $$ $sl, non-numeric: $nonnum"
fi
comp "$PP top -p 1,"
if echo "$reply" | grep -qx "1,$sl" && [ -z "$(echo "$reply" | grep -v '^1,[0-9][0-9]*$')" ]; then
	ok "completion: -p 1,PID: the list's next item"
else
	fail "completion: -p 1,PID: the list's next item" "got: $(echo "$reply" | head -3 | tr '\n' ' ')"
fi
comp "$PP top -t $sl"
check "completion: -t TIDS: the threads of /proc" "$sl"
kill $sl 2>/dev/null
wait $sl 2>/dev/null

cpus=$(awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); for (c = r[1]; c <= r[n]; c++) print c } }' \
	/sys/devices/system/cpu/online)
comp "$PP top -C "
check "completion: -C CPUS: the online CPUs" "$(lines $cpus)"

comp "$PP top -e sched:sched_switch "
check "completion: the help word after the events" "help"
comp "$PP list "
check_eq "completion: list takes no help word" "$reply" ""

# --- the workload after -- ------------------------------------------------
comp "$PP trace -e sched:sched_switch -- $tmp/s"
check "completion: the workload's command" "$tmp/sub/"
comp "$PP trace -- ls $tmp/a"
check "completion: the workload's arguments are files" "$tmp/a.txt"

# --- uprobe:FUNC@FILE -----------------------------------------------------------
probed=$WORKLOAD_DIR/probed
if command -v nm > /dev/null && [ -x "$probed" ]; then
	want=$(nm --defined-only "$probed" | awk '$2 ~ /^[TtWw]$/ && $3 ~ /^probed_/ { print $3 }')
	comp "$PP trace -e uprobe:probed_" " -- $probed count 3"
	check "completion: uprobe:FUNC, the workload's functions (nm)" "$(lines $want)"
	comp "$PP trace -e 'uprobe:probed_c" "@\"$probed\"' -p 1"
	check "completion: 'uprobe:FUNC with @\"FILE\" after the cursor" "uprobe:probed_count"
	comp "$PP trace -e 'uretprobe:probed_r" "' -- $probed"
	check "completion: 'uretprobe:FUNC (quoted)" "uretprobe:probed_ret"
else
	skip "completion: uprobe:FUNC" "nm or the probed workload is missing"
fi
libc=$(ldconfig -p 2>/dev/null | awk '/libc\.so\.6 .*x86-64/ { print $NF; exit }')
if command -v nm > /dev/null && [ -n "$libc" ]; then
	want=$(nm -D --defined-only "$libc" | awk '$2 ~ /^[TtWw]$/ { sub(/@.*/, "", $3); if ($3 ~ /^mal/) print $3 }' | sort -u)
	comp "$PP trace -e uprobe:mal" "@libc"
	check "completion: uprobe:FUNC@libc, libc's functions (nm -D)" "$(lines $want)"
else
	skip "completion: uprobe:FUNC@libc" "no nm or no 64-bit libc in ld.so.cache"
fi
comp "$PP trace -e uprobe:f@$tmp/"
check "completion: uprobe:FUNC@/PATH, the paths, quoted for the selector" \
	"$(lines "f@\"$tmp/a.txt\"" "f@\"$tmp/b.svg\"" "f@\"$tmp/sub/")"
comp "$PP trace -e 'uprobe:f@\"$tmp/s"
check "completion: 'uprobe:FUNC@\"/PATH (quoted)" "uprobe:f@\"$tmp/sub/"
(cd "$tmp" && comp "$PP trace -e uprobe:f@b" && echo "$reply") > "$T_TMP/r"
check_eq "completion: uprobe:FUNC@NAME, a file of the current directory" "$(cat "$T_TMP/r")" "f@b.svg"
comp "$PP trace -e 'uprobe:f@\"$tmp/a.txt\"/"
check_eq "completion: nothing in a probe's filter" "$reply" ""

# --- events from tracefs --------------------------------------------------
tfs=""
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ -r "$d/available_events" ] && tfs=$d && break
done
if [ -z "$tfs" ]; then
	skip "completion: -e SYS:NAME" "tracefs available_events is not readable (root and tracefs needed)"
	exit 0
fi
ev=$tfs/available_events
comp "$PP trace -e sched:sched_sw"
check "completion: -e sched:sched_sw (readline replaces after ':')" \
	"$(grep '^sched:sched_sw' "$ev" | cut -d: -f2 | LC_ALL=C sort)"
comp "$PP trace -e sch"
check "completion: -e sch, the systems first" "$(cut -d: -f1 "$ev" | grep '^sch' | sort -u | sed 's/$/:/' | LC_ALL=C sort)"
comp "$PP trace -e "
nsys=$(cut -d: -f1 "$ev" | sort -u | wc -l)
nprobe=2
[ -e "$tfs/kprobe_events" ] && nprobe=4
check_eq "completion: -e, every system and the probe kinds" "$(echo "$reply" | grep -c ':$')" $((nsys + nprobe))
echo "$reply" | grep -qx 'uprobe:' && echo "$reply" | grep -qx 'uretprobe:' &&
	ok "completion: -e offers uprobe: and uretprobe:" || fail "completion: -e offers uprobe: and uretprobe:"
comp "$PP trace -e cpu-c"
check "completion: -e cpu-c, perf's events by name" "cpu-clock"
comp "$PP trace -e page"
check "completion: -e page, perf's events and the systems" "$(lines page-faults $(cut -d: -f1 "$ev" | grep '^page' | sort -u | sed 's/$/:/'))"
comp "$PP trace -e 'sched:sched_wakeup"
check "completion: -e 'sched:sched_wakeup (quoted: readline replaces the whole)" \
	"$(grep '^sched:sched_wakeup' "$ev" | LC_ALL=C sort)"
comp "$PP trace -e sched:sched_switch,sched:sched_wakeup_n"
check "completion: -e A,B: the last term of the list" "sched_wakeup_new"
comp "$PP trace -e sched:sched_switch/prev_pid>0/"
check_eq "completion: nothing inside a filter" "$reply" ""
comp "$PP kmemleak --alloc kmem:kmal"
check "completion: kmemleak --alloc EVENT" "$(grep '^kmem:kmal' "$ev" | cut -d: -f2 | LC_ALL=C sort)"
comp "$PP trace --event=sched:sched_sw"
check "completion: --event=SYS:NAME" "$(grep '^sched:sched_sw' "$ev" | cut -d: -f2 | LC_ALL=C sort)"
