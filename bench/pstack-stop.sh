#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/pstack-stop.sh - how long a stack dump stops the process it reads:
# perf-prof pstack (one thread at a time, and --all-at-once), eu-stack -p
# (elfutils) and gdb -batch -ex "thread apply all bt", on the workload
# `pstack gap N`: N threads blocked in read() and one thread running
# (reading CLOCK_MONOTONIC in a loop).
#
# The stops are measured by the scheduler, not by the tools: during each run
# `perf-prof trace` records sched:sched_switch with prev_state t (a thread
# entering a ptrace stop) and sched:sched_wakeup of the workload's threads
# (the stop ending). Per run:
#   thread max   the longest time one thread was stopped
#   thread avg   the average over the threads
#   window       from the first thread stopping to the last one running again
#   all-stopped  whether every thread was stopped at one instant (a coherent
#                snapshot): gdb and pstack --all-at-once do
# and the tool's wall time; medians over the runs. The clock thread's own
# view (the longest gap between two clock reads during the run) is printed
# too; on a busy machine it is dominated by preemption ('idle' is the same
# window with no tool, the noise floor of that column).
#
#   bench/pstack-stop.sh [-b ./perf-prof] [-t 4,64] [-n 7] [-T pp,ppall,eu,gdb,idle]
#
# pp is perf-prof pstack (one thread at a time), ppall perf-prof pstack --all-at-once.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../perf-prof threads=4,64 reps=7 tools=pp,ppall,eu,gdb,idle
while getopts b:t:n:T: o; do
	case $o in
	b) bin=$OPTARG ;; t) threads=$OPTARG ;; n) reps=$OPTARG ;; T) tools=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
ws=$(dirname "$bin")/build/workload/pstack
[ -x "$ws" ] || ws=$here/../build/workload/pstack
[ -x "$bin" ] && [ -x "$ws" ] || { echo "pstack-stop: build first (make; make test builds the workload)" >&2; exit 2; }
work=$(mktemp -d /dev/shm/pstack-bench.XXXXXX)
wpid=""
trap 'exec 3>&- 2>/dev/null; [ -n "$wpid" ] && kill $wpid 2>/dev/null; rm -rf "$work"' EXIT

# gap - the longest gap (us) the clock thread saw since the previous call
gap() {
	local n
	n=$(grep -c '^gap' "$work/out")
	echo >&3
	while [ "$(grep -c '^gap' "$work/out")" -le "$n" ]; do sleep 0.01; done
	grep '^gap' "$work/out" | tail -1 | awk '{ print $2 }'
}

# trace_start FILTER-PIDS - sched events of the workload's threads into $work/trace
trace_start() {
	local f=$1
	"$bin" trace -e "sched:sched_switch/prev_state==8&&(${f//pid/prev_pid})/" \
		-e "sched:sched_wakeup/$f/" --order > "$work/trace" 2> /dev/null &
	tpid=$!
	# ready once it reads signals from a signalfd (SIGINT blocked)
	for _ in $(seq 1 200); do
		blk=$(awk '/^SigBlk/ { print $2 }' /proc/$tpid/status 2>/dev/null)
		[ -n "$blk" ] && [ $((0x$blk & 2)) -ne 0 ] && return 0
		sleep 0.02
	done
}

trace_stop() {
	sleep 0.05
	kill -INT $tpid
	wait $tpid
}

# stops NTHREADS - from the trace: "thread-max thread-avg window all-stopped" in us
stops() {
	awk -v nt="$1" '
	/ sched:sched_switch: / { split($3, a, "/"); tid = a[2]; if (!(tid in since)) { since[tid] = $1; if (!first) first = $1; stopped++; if (stopped > most) most = stopped } }
	/ sched:sched_wakeup: / { for (i = 1; i <= NF; i++) if ($i ~ /^pid=/) tid = substr($i, 5)
		if (tid in since) { d = $1 - since[tid]; delete since[tid]; stopped--; sum += d; n++; if (d > max) max = d; last = $1 } }
	END { if (!n) { print "- - - -"; exit }
	      printf "%.0f %.0f %.0f %s\n", max * 1e6, sum / n * 1e6, (last - first) * 1e6, (most >= nt ? "yes" : "no") }' "$work/trace"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
col() { awk -v c="$1" '{ print $c }' "$work/rows" | median; }

run() {
	case $1 in
	pp) "$bin" pstack "$2" > "$work/tool.out" 2> "$work/tool.err" ;;
	ppall) "$bin" pstack --all-at-once "$2" > "$work/tool.out" 2> "$work/tool.err" ;;
	eu) eu-stack -p "$2" > "$work/tool.out" 2> "$work/tool.err" ;;
	gdb) gdb -nx -batch -ex "thread apply all bt" -p "$2" > "$work/tool.out" 2> "$work/tool.err" ;;
	idle) sleep 0.05 ;;
	esac
}

printf '%7s %-5s %4s %14s %14s %10s %11s %11s %12s\n' threads tool runs "thread max us" "thread avg us" \
	"window us" all-stopped "wall ms" "clock gap us"
IFS=, read -ra tl <<< "$threads"
IFS=, read -ra tools_l <<< "$tools"
for nt in "${tl[@]}"; do
	mkfifo "$work/in"
	"$ws" gap "$nt" < "$work/in" > "$work/out" 2>&1 &
	wpid=$!
	exec 3> "$work/in"
	while ! grep -q 'pstack pid=' "$work/out"; do sleep 0.01; done
	sleep 0.3
	filter=$(for t in $(ls /proc/$wpid/task); do printf 'pid==%s||' "$t"; done)
	filter=${filter%||}
	total=$((nt + 2))
	for tool in "${tools_l[@]}"; do
		case $tool in
		eu) command -v eu-stack > /dev/null || continue ;;
		gdb) command -v gdb > /dev/null || continue ;;
		esac
		: > "$work/rows"
		for _ in $(seq 1 "$reps"); do
			trace_start "$filter"
			gap > /dev/null
			t0=$(date +%s%N)
			run "$tool" "$wpid"
			t1=$(date +%s%N)
			g=$(gap)
			trace_stop
			echo "$(stops $total) $(((t1 - t0) / 1000000)) $g" >> "$work/rows"
		done
		all=$(awk '{ print $4 }' "$work/rows" | sort | uniq -c | awk '{ printf "%s%s:%s", (NR > 1 ? "," : ""), $2, $1 }')
		printf '%7s %-5s %4s %14s %14s %10s %11s %11s %12s\n' "$total" "$tool" "$reps" "$(col 1)" "$(col 2)" \
			"$(col 3)" "$all" "$(col 5)" "$(col 6)"
	done
	exec 3>&-
	wait $wpid
	wpid=""
	rm -f "$work/in"
done
