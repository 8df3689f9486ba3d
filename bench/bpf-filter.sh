#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/bpf-filter.sh - what a filter the ftrace filter refuses costs, run
# as a BPF program in the kernel versus by the user-space machine: the
# workload `wl lseeks` (pinned to CPU 1, paced to RATE seeks/s) runs while
# `perf-prof nop` consumes syscalls:sys_enter_lseek with the filter.
#
#   bench/bpf-filter.sh [-b ./perf-prof] [-r 300000,1000000] [-n 3] [-d 2]
#
# Per (mode, filter, rate, rep) one row:
#   wl ns/ev   the workload's CPU (user + sys) per seek
#   +ns/ev     the same minus the run without perf-prof: what tracing costs
#              the producing CPU per event
#   tool ns/ev perf-prof's CPU in the window (schedstat of its threads) per
#              generated event
#   ring       records written to the rings (the nop statistics)
# Filters: 'drop' rejects every seek (offset % 1000 == 1000), 'keep1%'
# keeps one in a hundred (offset % 100 == 7). Medians at the end.
#
# A BPF filter acts for every perf user of its tracepoint: do not run this
# while something else traces sys_enter_lseek.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../perf-prof rates=300000,1000000 reps=3 dur=2
while getopts b:r:n:d: o; do
	case $o in
	b) bin=$OPTARG ;; r) rates=$OPTARG ;; n) reps=$OPTARG ;; d) dur=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
wl=$(dirname "$bin")/build/workload/wl
[ -x "$wl" ] || wl=$here/../build/workload/wl
[ -x "$bin" ] && [ -x "$wl" ] || { echo "bpf-filter: build first (make; make test builds wl)" >&2; exit 2; }
work=$(mktemp -d /dev/shm/bpf-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
EV=syscalls:sys_enter_lseek

cpu_ns() {
	local s=0 a f
	for f in /proc/$1/task/*/schedstat; do read -r a _ < "$f" 2>/dev/null && s=$((s + a)); done
	echo $s
}

# wl_cpu N RATE - the workload's user+sys CPU in ns for N paced seeks
wl_cpu() {
	local t
	t=$( { TIMEFORMAT='%3U %3S'; time "$wl" -c 1 -r $(($2 / 1000)) lseeks "$1" > /dev/null; } 2>&1 )
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.0f", (a[1] + a[2]) * 1e9 }'
}

printf '%-6s %-7s %8s %4s %9s %9s %10s %9s\n' mode filter rate rep "wl ns/ev" "+ns/ev" "tool ns/ev" ring
rows=$work/rows
for rep in $(seq 1 "$reps"); do
	IFS=, read -ra rl <<< "$rates"
	for rate in "${rl[@]}"; do
		n=$((rate * dur))
		base=$(wl_cpu "$n" "$rate")
		printf '%-6s %-7s %8s %4s %9.1f %9s %10s %9s\n' none - "$rate" "$rep" \
			"$(awk -v c="$base" -v n="$n" 'BEGIN { print c / n }')" - - -
		for mode in bpf user; do
			for f in drop keep1%; do
				case $f in
				drop) flt='offset % 1000 == 1000' ;;
				*) flt='offset % 100 == 7' ;;
				esac
				opt=--bpf
				[ $mode = user ] && opt=--no-bpf
				"$bin" nop $opt -e "$EV/$flt/" > /dev/null 2> "$work/err" &
				pid=$!
				sleep 0.5
				c0=$(cpu_ns $pid)
				w=$(wl_cpu "$n" "$rate")
				sleep 0.2
				c1=$(cpu_ns $pid)
				kill -INT $pid
				wait $pid
				ring=$(awk '$1 == "total" { print $3 }' "$work/err")
				awk -v m=$mode -v f="$f" -v r="$rate" -v k="$rep" -v w="$w" -v b="$base" \
					-v n="$n" -v c0="$c0" -v c1="$c1" -v ring="$ring" 'BEGIN {
					printf "%-6s %-7s %8s %4s %9.1f %9.1f %10.1f %9s\n", m, f, r, k,
						w / n, (w - b) / n, (c1 - c0) / n, ring }' | tee -a "$rows"
			done
		done
	done
done
echo
echo "medians:"
awk '{ k = $1 " " $2 " " $3; wl[k] = wl[k] " " $5; add[k] = add[k] " " $6; t[k] = t[k] " " $7
       if (!(k in seen)) { seen[k] = 1; ord[++n] = k } }
function med(s,   v, m, i, j, x) { m = split(s, v, " "); for (i = 2; i <= m; i++) { x = v[i] + 0
       for (j = i - 1; j >= 1 && v[j] + 0 > x; j--) v[j+1] = v[j]; v[j+1] = x }
       return m % 2 ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2 }
END { printf "%-6s %-7s %8s %9s %9s %10s\n", "mode", "filter", "rate", "wl ns/ev", "+ns/ev", "tool ns/ev"
      for (i = 1; i <= n; i++) { split(ord[i], kk, " ")
        printf "%-6s %-7s %8s %9.1f %9.1f %10.1f\n", kk[1], kk[2], kk[3], med(wl[ord[i]]), med(add[ord[i]]), med(t[ord[i]]) } }' "$rows"
