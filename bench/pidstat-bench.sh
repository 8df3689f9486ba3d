#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/pidstat-bench.sh - what perf-prof pidstat costs next to sysstat's
# pidstat, both run as `pidstat 1` (and `pidstat -u -r -d -w 1`) over the
# whole machine, under two loads:
#
#   busy2       two CPU-bound processes (wl spin), nothing else started
#   forkstorm   a shell forking a subshell that exits at once, in a loop
#               (~1-2k short processes a second on a quiet machine): each one
#               is a /proc entry to sysstat if it is alive when sampled, an
#               exit record and a few switches to perf-prof
#
#   bench/pidstat-bench.sh [-b ./perf-prof] [-s SECONDS] [-r REPS]
#
# Per (load, tool, rep): the tool's CPU time while the load ran (the sum of
# its threads' schedstat run time) per second of wall time, and the
# processes the load started meanwhile. Medians at the end. The machine is
# shared: run it when it is quiet, compare the two tools' ratios.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../perf-prof secs=10 reps=3
while getopts b:s:r: o; do
	case $o in
	b) bin=$OPTARG ;; s) secs=$OPTARG ;; r) reps=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
wl=$here/../build/workload/wl
sys=$(command -v pidstat) || { echo "pidstat-bench: sysstat's pidstat is missing (scripts/install-deps.sh)" >&2; exit 2; }
[ -x "$bin" ] && [ -x "$wl" ] || { echo "pidstat-bench: build first (make; make test builds wl)" >&2; exit 2; }
work=$(mktemp -d /dev/shm/pidstat-bench.XXXXXX)
loadpids=""
cleanup() {
	for p in $loadpids; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

cpu_ns() {
	local s=0 a f
	for f in /proc/$1/task/*/schedstat; do read -r a _ < "$f" 2>/dev/null && s=$((s + a)); done
	echo $s
}

# load_start NAME - start the load in the background ($loadpids)
load_start() {
	case $1 in
	busy2)
		"$wl" -c 0 spin $((secs * 1000 + 5000)) > /dev/null & loadpids="$!"
		"$wl" -c 1 spin $((secs * 1000 + 5000)) > /dev/null & loadpids="$loadpids $!"
		;;
	forkstorm)
		sh -c 'while :; do (:); done' & loadpids="$!"
		;;
	esac
}

load_stop() {
	for p in $loadpids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	loadpids=""
}

# tool_start TOOL - the tool in the background, $pid
tool_start() {
	case $1 in
	pp) "$bin" pidstat 1 > "$work/out" 2> "$work/err" & ;;
	pp-all) "$bin" pidstat -u -r -d -w 1 > "$work/out" 2> "$work/err" & ;;
	sysstat) LC_ALL=C "$sys" 1 > "$work/out" 2> "$work/err" & ;;
	sysstat-all) LC_ALL=C "$sys" -u -r -d -w 1 > "$work/out" 2> "$work/err" & ;;
	esac
	pid=$!
	sleep 2
}

lastpid() { awk '{ print $5 }' /proc/loadavg | cut -d/ -f1; }
rows=$work/rows
printf '%-10s %-12s %3s %10s %10s %9s\n' load tool rep "cpu ms/s" "forks/s" "out lines"
for load in busy2 forkstorm; do
	for tool in pp pp-all sysstat sysstat-all; do
		for rep in $(seq 1 "$reps"); do
			load_start $load
			tool_start $tool
			c0=$(cpu_ns $pid) t0=$(date +%s%N) p0=$(lastpid)
			sleep "$secs"
			c1=$(cpu_ns $pid) t1=$(date +%s%N) p1=$(lastpid)
			kill -INT $pid 2>/dev/null
			wait $pid 2>/dev/null
			load_stop
			ms=$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", c / t * 1000 }')
			fk=$(awk -v p=$((p1 - p0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", p / t * 1e9 }')
			printf '%-10s %-12s %3d %10s %10s %9d\n' $load $tool "$rep" "$ms" "$fk" "$(wc -l < "$work/out")"
			echo "$load $tool $ms $fk" >> "$rows"
		done
	done
done
echo
echo "medians"
for load in busy2 forkstorm; do
	for tool in pp pp-all sysstat sysstat-all; do
		c=$(awk -v l=$load -v t=$tool '$1 == l && $2 == t { print $3 }' "$rows" | sort -n |
			awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		f=$(awk -v l=$load -v t=$tool '$1 == l && $2 == t { print $4 }' "$rows" | sort -n |
			awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		printf '%-10s %-12s cpu %6s ms/s   forks %6s/s\n' $load $tool "$c" "$f"
	done
done
