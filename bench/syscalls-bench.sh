#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/syscalls-bench.sh - what counting every system call costs a
# workload: `wl getppid N` (N x getppid, 1M by default) run untraced, then
# under each tool that answers strace -c's question:
#
#   syscalls     perf-prof syscalls -- CMD (the default: paired and counted
#                in the kernel by BPF programs, no record per call)
#   syscalls-ring  perf-prof syscalls --no-bpf -- CMD (ring records, paired
#                in user space)
#   strace       strace -c -f CMD (ptrace: two stops per call)
#   perf-trace   perf trace -s -- CMD (Debian linux-perf)
#
#   bench/syscalls-bench.sh [-b ./perf-prof] [-n CALLS] [-r REPS]
#
# Per (tool, rep): the workload's own wall time (measured by /usr/bin/time
# around it, inside the tool) and its slowdown against the untraced
# median, the tool's own CPU (its process tree's CPU less the workload's),
# the largest RSS in its process tree (MB: the tool's, the workload is
# smaller), and the getppid calls the tool counted, which must be N.
# Medians at the end. The machine is shared: run it when it is quiet, compare ratios.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../perf-prof n=1000000 reps=3
while getopts b:n:r: o; do
	case $o in
	b) bin=$OPTARG ;; n) n=$OPTARG ;; r) reps=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
wl=$here/../build/workload/wl
[ -x "$bin" ] && [ -x "$wl" ] || { echo "syscalls-bench: build first (make; make test builds wl)" >&2; exit 2; }
command -v strace > /dev/null || { echo "syscalls-bench: strace is needed (apt-get install strace)" >&2; exit 2; }
has_perf=1
command -v perf > /dev/null || has_perf=0
work=$(mktemp -d /dev/shm/syscalls-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
T=/usr/bin/time

# run TOOL - one measured run; prints "WALL TOOLCPU COUNTED"
run() {
	inner=(/usr/bin/time -f "%e %U %S" -o "$work/inner" "$wl" getppid "$n")
	case $1 in
	none) : > "$work/err"; "$T" -f "%e %U %S %M" -o "$work/outer" "${inner[@]}" > /dev/null ;;
	syscalls) "$T" -f "%e %U %S %M" -o "$work/outer" "$bin" syscalls --bpf -o "$work/rep" -- "${inner[@]}" \
		> /dev/null 2> "$work/err" ;;
	syscalls-ring) "$T" -f "%e %U %S %M" -o "$work/outer" "$bin" syscalls --no-bpf -o "$work/rep" -- "${inner[@]}" \
		> /dev/null 2> "$work/err" ;;
	strace) "$T" -f "%e %U %S %M" -o "$work/outer" strace -c -f -o "$work/rep" "${inner[@]}" \
		> /dev/null 2> "$work/err" ;;
	perf-trace) : > "$work/err"; "$T" -f "%e %U %S %M" -o "$work/outer" perf trace -s -o "$work/rep" -- "${inner[@]}" \
		> /dev/null 2> "$work/err" ;;
	esac
	read -r iw iu is < <(tail -1 "$work/inner")
	read -r ow ou os om < <(tail -1 "$work/outer")
	lost=$(sed -n 's/.*: \([0-9]*\) events lost in this run.*/\1/p' "$work/err" 2>/dev/null | head -1)
	[ "$1" = none ] && lost=
	case $1 in
	none) c=$n ;;
	syscalls | syscalls-ring) c=$(awk '$(NF-1) == "getppid" { print $4 }' "$work/rep") ;;
	strace) c=$(awk '$NF == "getppid" { print $4 }' "$work/rep") ;;
	perf-trace) c=$(awk '$1 == "getppid" { s += $2 } END { print s + 0 }' "$work/rep") ;;
	esac
	# a tool that reaps its child has the workload's CPU in its own children's
	# (strace, perf-prof); one that leaves it to init (perf trace here: less
	# than the workload's) has only its own there
	awk -v w="$iw" -v ou="$ou" -v os="$os" -v iu="$iu" -v is="$is" -v c="${c:-0}" -v m="$om" \
		'BEGIN { t = ou + os; if (t >= iu + is) t -= iu + is; printf "%.3f %.3f %s %.1f\n", w, t, c, m / 1024 }'
	[ -n "$lost" ] && echo "# $1: $lost records lost (reported)" >&2
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

tools="none syscalls syscalls-ring strace"
[ $has_perf = 1 ] && tools="$tools perf-trace"
echo "# $n getppid calls, $reps reps; wall = the workload's, tool cpu = the tool's own (s)"
printf '%-13s %4s %9s %8s %9s %7s %9s\n' tool rep wall slowdown tool_cpu rss_mb counted
for r in $(seq "$reps"); do
	for t in $tools; do
		read -r w c k m < <(run "$t")
		echo "$t $w $c $k $m" >> "$work/all"
		base=$(awk '$1 == "none" { print $2 }' "$work/all" | median)
		printf '%-13s %4d %9.3f %7.1fx %9.3f %7.1f %9s\n' "$t" "$r" "$w" \
			"$(awk -v w="$w" -v b="$base" 'BEGIN { print (b > 0 ? w / b : 0) }')" "$c" "$m" "$k"
	done
done
echo "# medians"
base=$(awk '$1 == "none" { print $2 }' "$work/all" | median)
for t in $tools; do
	w=$(awk -v t="$t" '$1 == t { print $2 }' "$work/all" | median)
	c=$(awk -v t="$t" '$1 == t { print $3 }' "$work/all" | median)
	m=$(awk -v t="$t" '$1 == t { print $5 }' "$work/all" | median)
	printf '%-13s %9.3f %7.1fx %9.3f %7.1f\n' "$t" "$w" "$(awk -v w="$w" -v b="$base" 'BEGIN { print w / b }')" "$c" "$m"
done
