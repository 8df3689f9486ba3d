#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/pp-bench.sh - what one event costs perf-prof, per profiler, at a
# given rate: the shared kit's load generator (../shared/bench/loadgen.c,
# getppid N times pinned to CPU 1) runs while perf-prof consumes
# syscalls:sys_enter_getppid system wide; the tool's CPU inside the window
# (schedstat of all its threads) is divided by the events it processed.
#
#   bench/pp-bench.sh [-b ./perf-prof[,OTHER...]] [-r 100000,300000,1000000,0] [-n 3] [-d 2] CASE...
#   CASE: nop | nop-order | trace | top | trace-file | num-dist | multi-trace (a profiler
#         preset below) or a quoted command line after 'perf-prof'.
#
# With several binaries (-b A,B: a before/after comparison) every case runs
# with each of them in turn and is labelled CASE@1, CASE@2, ... Case labels
# are the preset's name, or the command line with blanks as '_'.
#
# Prints one row per (case, rate, rep) and a median table at the end. The
# side-by-side comparison with perf, bpftrace and the reference lives in
# ../shared/bench/run.sh (use --tool new=./perf-prof there); this script
# adds the profilers that kit does not know (nop: the pipeline alone).
set -u
here=$(cd "$(dirname "$0")" && pwd)
kit=${KIT:-$here/../../shared/bench}
[ -d "$kit" ] || kit=$here/../shared/bench
bin=./perf-prof rates=100000,300000,1000000,0 reps=3 dur=2
while getopts b:r:n:d: o; do
	case $o in
	b) bin=$OPTARG ;; r) rates=$OPTARG ;; n) reps=$OPTARG ;; d) dur=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- nop top trace
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
IFS=, read -ra bins <<< "$bin"
for i in "${!bins[@]}"; do
	b=${bins[$i]}
	[ -x "$b" ] || { echo "pp-bench: $b is not an executable" >&2; exit 2; }
	bins[$i]=$(cd "$(dirname "$b")" && pwd)/$(basename "$b")
done
work=$(mktemp -d /dev/shm/pp-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
for b in loadgen; do
	[ -x "$work/$b" ] || gcc -O2 -Wall -o "$work/$b" "$kit/$b.c" || exit 1
done
EV=syscalls:sys_enter_getppid

cmdline() {
	case $1 in
	nop) echo "nop -e $EV" ;;
	trace) echo "trace -e $EV" ;;
	trace-file) echo "trace -e $EV" ;;
	top) echo "top -e $EV" ;;
	num-dist) echo "num-dist -e $EV//num=common_pid/" ;;
	multi-trace) echo "multi-trace -e $EV -e syscalls:sys_exit_getppid -k common_pid" ;;
	nop-order) echo "nop --order -e $EV -e syscalls:sys_exit_getppid" ;;
	*) echo "$1" ;;
	esac
}

cpu_ns() {
	local s=0 a f
	for f in /proc/$1/task/*/schedstat; do read -r a _ < "$f" 2>/dev/null && s=$((s + a)); done
	echo $s
}

quiet() {	# until < 5 ms CPU per 100 ms, three times
	local last cur q=0 t=0
	last=$(cpu_ns "$1")
	while [ $t -lt 100 ] && [ $q -lt 3 ]; do
		sleep 0.1; t=$((t + 1))
		cur=$(cpu_ns "$1")
		if [ $((cur - last)) -lt 5000000 ]; then q=$((q + 1)); else q=0; fi
		last=$cur
	done
}

printf '%-12s %9s %4s %10s %10s %9s %9s %10s %8s\n' case rate rep n gen/s lost lost% "ns/ev" "rss_kb"
rows=$work/rows
for rep in $(seq 1 "$reps"); do
	IFS=, read -ra rl <<< "$rates"
	for rate in "${rl[@]}"; do
		for c in "$@"; do
			for k in "${!bins[@]}"; do
				bin=${bins[$k]}
				label=${c// /_}
				[ ${#bins[@]} -gt 1 ] && label=$label@$((k + 1))
				out=/dev/null
				[ "$c" = trace-file ] && out=$work/trace.out
				# shellcheck disable=SC2046
				"$bin" $(cmdline "$c") > "$out" 2> "$work/err" &
				pid=$!
				sleep 0.5; quiet $pid
				c0=$(cpu_ns $pid)
				if [ "$rate" = 0 ]; then n=1000000000000; else n=$((rate * dur)); fi
				lg=$("$work/loadgen" -m syscall -n $n -r "$rate" -T "$dur" -c 1)
				quiet $pid
				c1=$(cpu_ns $pid)
				[ -n "${DEBUG:-}" ] && echo "c0=$c0 c1=$c1 pid=$pid" >&2
				hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$pid/status)
				kill -INT $pid; wait $pid
				gen=$(sed -n 's/.* n=\([0-9]*\).*/\1/p' <<< " $lg")
				ach=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<< " $lg")
				lost=$(awk '/lost [0-9]+ events/ { for (i = 1; i < NF; i++) if ($i == "lost") s += $(i+1) } END { print s + 0 }' "$work/err")
				nsev=$(awk -v a="$c0" -v b="$c1" -v n="$gen" -v l="$lost" 'BEGIN { d = n - l; printf "%.1f", (d > 0 ? (b - a) / d : 0) }')
				pct=$(awk -v n="$gen" -v l="$lost" 'BEGIN { printf "%.3f", n ? 100 * l / n : 0 }')
				printf '%-12s %9s %4s %10s %10.0f %9s %9s %10s %8s\n' "$label" "$rate" "$rep" "$gen" "$ach" "$lost" "$pct" "$nsev" "$hwm" | tee -a "$rows"
				rm -f "$work/trace.out"
			done
		done
	done
done
echo
echo "medians (ns/ev = tool CPU in the window per delivered event; lost% = lost/generated):"
awk '{ k = $1 " " $2; ns[k] = ns[k] " " $8; lp[k] = lp[k] " " $7; g[k] = g[k] " " $5; if (!(k in seen)) { seen[k] = 1; ord[++n] = k } }
function med(s,   v, m, i, j, t) { m = split(s, v, " "); for (i = 2; i <= m; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j+1] = v[j]; v[j+1] = t } return m % 2 ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2 }
END { printf "%-12s %9s %10s %9s %9s\n", "case", "rate", "gen/s", "lost%", "ns/ev"; for (i = 1; i <= n; i++) { split(ord[i], kk, " "); printf "%-12s %9s %10.0f %9s %9s\n", kk[1], kk[2], med(g[ord[i]]), med(lp[ord[i]]), med(ns[ord[i]]) } }' "$rows"
