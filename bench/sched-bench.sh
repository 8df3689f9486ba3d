#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/sched-bench.sh - what watching the scheduler costs under a
# scheduler-heavy load: `offcpu pingpong N` (two threads bouncing a byte
# over two pipes, ~170k of its own context switches a second here) runs
# while each tool watches the whole machine:
#
#   rundelay       perf-prof rundelay --bpf (waits aggregated in the kernel)
#   rundelay-ring  perf-prof rundelay --no-bpf (every switch a ring record)
#   task-state     perf-prof task-state --bpf (intervals aggregated in the kernel)
#   task-state-ring perf-prof task-state --no-bpf (every switch a ring record)
#   perf-sched     perf sched record -a to /dev/shm, then perf sched latency
#   bt-runqlat     a bpftrace runqlat one-liner (in-kernel map)
#   bt-offcpu      a bpftrace offcputime one-liner (in-kernel map, stacks)
#
#   bench/sched-bench.sh [-b ./perf-prof] [-n ROUNDTRIPS] [-r REPS]
#
# Per (tool, rep): the workload's wall time and its slowdown against the
# run without a tool, its switches per second, the tool's CPU (schedstat
# of its threads while the workload ran, plus perf sched latency's whole
# run) per workload switch, and what the tool said it lost. Medians at the
# end. The machine is shared: run it when it is quiet, compare ratios.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../perf-prof n=200000 reps=3
while getopts b:n:r: o; do
	case $o in
	b) bin=$OPTARG ;; n) n=$OPTARG ;; r) reps=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
off=$here/../build/workload/offcpu
[ -x "$bin" ] && [ -x "$off" ] || { echo "sched-bench: build first (make; make test builds offcpu)" >&2; exit 2; }
work=$(mktemp -d /dev/shm/sched-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

RUNQLAT='tracepoint:sched:sched_wakeup,tracepoint:sched:sched_wakeup_new { @q[args->pid] = nsecs; }
tracepoint:sched:sched_switch { if (args->prev_state == 0) { @q[args->prev_pid] = nsecs; }
  $t = @q[args->next_pid]; if ($t) { @usecs = hist((nsecs - $t) / 1000); delete(@q[args->next_pid]); } }'
OFFCPU='tracepoint:sched:sched_switch { @s[args->prev_pid] = nsecs;
  $t = @s[args->next_pid]; if ($t) { @us[kstack, ustack, args->next_comm] = sum((nsecs - $t) / 1000);
  delete(@s[args->next_pid]); } }'

cpu_ns() {
	local s=0 a f
	for f in /proc/$1/task/*/schedstat; do read -r a _ < "$f" 2>/dev/null && s=$((s + a)); done
	echo $s
}

# start TOOL - the tool in the background, $pid; ready when it has opened everything
start() {
	case $1 in
	rundelay) "$bin" rundelay --bpf > "$work/out" 2> "$work/err" & ;;
	rundelay-ring) "$bin" rundelay --no-bpf > "$work/out" 2> "$work/err" & ;;
	task-state) "$bin" task-state --bpf > "$work/out" 2> "$work/err" & ;;
	task-state-ring) "$bin" task-state --no-bpf > "$work/out" 2> "$work/err" & ;;
	perf-sched) perf sched record -a -o "$work/perf.data" > "$work/out" 2> "$work/err" & ;;
	bt-runqlat) bpftrace -e "$RUNQLAT" > "$work/out" 2> "$work/err" & ;;
	bt-offcpu) bpftrace -e "$OFFCPU" > "$work/out" 2> "$work/err" & ;;
	esac
	pid=$!
	sleep 2
}

# lost - what the tool said it lost
lost() {
	case $1 in
	perf-sched) sed -n 's/.*Processed .* events and lost \([0-9]*\) chunks.*/\1 chunks/p' "$work/err" | head -1 ;;
	bt-*) grep -o 'Lost [0-9]* events' "$work/err" | head -1 ;;
	rundelay | task-state) sed -n 's/.*: \([0-9]*\) scheduler events not delivered in this run.*/\1 undelivered/p' "$work/err" | head -1 ;;
	*) sed -n 's/.*: \([0-9]*\) events lost in this run.*/\1/p' "$work/err" | head -1 ;;
	esac
}

# pp - one workload run: "ns switches"
pp() { "$off" pingpong "$n" | sed -n 's/^pingpong n=[0-9]* ns=\([0-9]*\) switches=\([0-9]*\)/\1 \2/p'; }

rows=$work/rows
printf '%-15s %3s %9s %8s %10s %12s %10s\n' tool rep "wl ms" slowdown "switch/s" "tool ns/sw" lost
for rep in $(seq 1 "$reps"); do
	read -r base sw <<< "$(pp)"
	printf '%-15s %3s %9.1f %8s %10.0f %12s %10s\n' none "$rep" "$(echo "$base / 1000000" | bc -l)" - \
		"$(echo "$sw * 1000000000 / $base" | bc -l)" - - | tee -a "$rows"
	for tool in rundelay rundelay-ring task-state task-state-ring perf-sched bt-runqlat bt-offcpu; do
		start $tool
		c0=$(cpu_ns $pid)
		read -r ns sw <<< "$(pp)"
		c1=$(cpu_ns $pid)
		kill -INT $pid
		wait $pid 2>/dev/null
		extra=0
		if [ $tool = perf-sched ]; then
			t0=$(date +%s%N)
			perf sched latency -i "$work/perf.data" > /dev/null 2>> "$work/err"
			extra=$(($(date +%s%N) - t0))
			rm -f "$work/perf.data"
		fi
		awk -v t=$tool -v k="$rep" -v ns="$ns" -v b="$base" -v sw="$sw" -v c=$((c1 - c0 + extra)) \
			-v l="$(lost $tool)" 'BEGIN {
			printf "%-15s %3s %9.1f %7.1f%% %10.0f %12.1f %10s\n", t, k, ns / 1e6,
				(ns - b) * 100 / b, sw * 1e9 / ns, c / sw, l == "" ? 0 : l }' | tee -a "$rows"
	done
done
echo
echo "medians:"
awk '{ k = $1; w[k] = w[k] " " $3; s[k] = s[k] " " $4; r[k] = r[k] " " $5; c[k] = c[k] " " $6
       if (!(k in seen)) { seen[k] = 1; ord[++n] = k } }
function med(x,   v, m, i, j, y) { m = split(x, v, " "); for (i = 2; i <= m; i++) { y = v[i] + 0
       for (j = i - 1; j >= 1 && v[j] + 0 > y; j--) v[j+1] = v[j]; v[j+1] = y }
       return m % 2 ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2 }
END { printf "%-15s %9s %8s %10s %12s\n", "tool", "wl ms", "slowdown", "switch/s", "tool ns/sw"
      for (i = 1; i <= n; i++) { k = ord[i]
        printf "%-15s %9.1f %7.1f%% %10.0f %12.1f\n", k, med(w[k]), med(s[k]), med(r[k]), med(c[k]) } }' "$rows"
