# SPDX-License-Identifier: GPL-2.0
#
# live/rundelay.sh - scheduling latency against `offcpu runq N`: two CPU hogs
# and a waker pinned to CPU 0, the waker sleeping 5 ms N times. Every
# wakeup of the waker waits in the run queue behind a hog: its row counts
# exactly N + 1 waits (its creation is a wakeup too), and so does its
# histogram. The hogs are preempted: their waits are "preempt".
# Both paths are checked the same way: waits aggregated in the kernel by
# BPF programs (--bpf) and the scheduler's records (the default, --no-bpf).
. "$TESTS_DIR/lib.sh"
need_root_tracefs

OFF=$WORKLOAD_DIR/offcpu
# row INST CAUSE - the count of a row of the final table
row() {
	awk -v i="$1" -v c="$2" '/ rundelay: final: / { f = 1; next }
	f && $1 == i && $3 == c { print $4; exit }' "$out"
}
# hist INST CAUSE - the sum of the counts of a row's histogram
hist() {
	awk -v h="$3 $1 $2:" '/ rundelay: final: / { f = 1 } f && $0 == h { g = 1; next }
	g && / -> / { s += $5 } g && !NF { if (s) exit } END { print s + 0 }' "$out"
}

for mode in --bpf --no-bpf; do
	tag="${mode#--}: "
	pp_whole rundelay $mode --perins -- "$OFF" runq 100
	check_rc "${tag}rundelay over a workload exits 0" 0
	wt=$(out_value waker tid)
	n=$(row "$wt" wakeup)
	# each of its 101 waits starts with a wakeup, but when a hog preempts it as it
	# goes to sleep and its timer fires meanwhile, that one starts as a preemption;
	# and it may sleep on a lock of its process now and then (mmap_lock)
	p=$(row "$wt" preempt)
	if [ $((${n:-0} + ${p:-0})) -ge $((101 - $(run_lost))) ] && [ "${n:-0}" -le 110 ]; then
		ok "${tag}the waker waited after each of its 100 wakeups and its creation ($n + $p)"
	else
		fail "${tag}the waker waited after each of its 100 wakeups and its creation" \
			"got ${n:-none} after a wakeup, ${p:-none} after a preemption, want 101..110"
	fi
	check_eq "${tag}... and its histogram counts every one" "$(hist "$wt" wakeup TID)" "${n:-none}"
	hogs=$(awk -v w="$wt" '/ rundelay: final: / { f = 1; next } f && $3 == "preempt" && $1 != w && $4 >= 20 { n++ } END { print n + 0 }' "$out")
	check_eq "${tag}the two hogs wait after being preempted" "$hogs" 2
	check_eq "${tag}worst waits: 10 lines, longest first, on CPU 0 or 1" \
		"$(awk '/^worst waits:/ { f = 1; getline; next } f && NF { n++; d = ($1 ~ /^[0-9.]+$/); if ($6 != 0 && $6 != 1) d = 0; if (!d) bad++ } END { print n, bad + 0 }' "$out")" "10 0"

	# per process: the waker's waits are among the process's
	pp_whole rundelay $mode -- "$OFF" runq 50
	pid=$(awk '/ rundelay: final: / { getline; getline; print $1; exit }' "$out")
	n=$(row "$pid" wakeup)
	if [ "${n:-0}" -ge $((51 - $(run_lost))) ]; then ok "${tag}per process: the waker's 51 waits are in its process's row ($n)"
	else fail "${tag}per process: the waker's waits are in its process's row" "got ${n:-none}, want >= 51"; fi
	check_eq "${tag}per process: one process" "$(awk '/ rundelay: final: / { f = 1; getline; next } f && !NF { exit } f { print $1 }' "$out" | sort -u | wc -l)" 1

	# --json: the same rows
	pp_whole rundelay $mode --json --perins -- "$OFF" runq 100
	wt=$(out_value waker tid)
	got=$(grep '^{' "$out" | tail -1 | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
r = [r for r in o["rows"] if r["tid"] == int(sys.argv[1]) and r["cause"] == "wakeup"][0]
p = sum(x["stats"]["count"] for x in o["rows"] if x["tid"] == int(sys.argv[1]) and x["cause"] == "preempt")
c = r["stats"]["count"]
print(o["report"], c, p, sum(h["count"] for h in r["stats"]["hist"]) == c, len(o["worst"]))' "$wt")
	set -- $got
	check_eq "${tag}--json: the final report, the waker's histogram, the worst waits" "$1 $4 $5" "final True 10"
	if [ $(($2 + $3)) -ge $((101 - $(run_lost))) ] && [ "$2" -le 110 ]; then
		ok "${tag}--json: the waker's waits ($2 + $3)"
	else
		fail "${tag}--json: the waker's waits" "got $2 after a wakeup, $3 after a preemption, lost $(run_lost)"
	fi
done

# the two paths count the same waits: both at once over one workload (the
# records of the whole machine, the workload's waits in the kernel), so both
# see the same scheduler events, the kernel's undelivered ones included;
# tried again (3 times in all) only when they differ
waker_waits() {
	awk -v i="$2" '/ rundelay: final: / { f = 1; next }
	f && $1 == i && $3 == "wakeup" { w = $4 } f && $1 == i && $3 == "preempt" { p = $4 }
	END { print w + 0, p + 0 }' "$1"
}
for try in 1 2 3; do
	pp_bg rundelay --no-bpf --perins
	pp_ready
	ring_out=$out ring_err=$err ring_pid=$bg ring_dog=$bg_dog
	out=$T_TMP/bpf.out err=$T_TMP/bpf.err
	pp rundelay --bpf --perins -- "$OFF" runq 100
	kill -INT "$ring_pid"
	bg=$ring_pid bg_dog=$ring_dog
	pp_wait
	wt=$(out_value waker tid)
	b=$(waker_waits "$out" "$wt")
	r=$(waker_waits "$ring_out" "$wt")
	out=$ring_out err=$ring_err
	[ "$b" = "$r" ] && break
done
check_eq "both paths at once: the waker's waits after a wakeup and a preemption (bpf $b)" "$b" "$r"

# the two paths print the same report
pp rundelay --bpf --perins -- "$OFF" runq 20
awk '/ rundelay: final: / { getline; print; exit }' "$out" > "$T_TMP/h1"
grep -c '^worst waits:' "$out" >> "$T_TMP/h1"
pp rundelay --no-bpf --perins -- "$OFF" runq 20
awk '/ rundelay: final: / { getline; print; exit }' "$out" > "$T_TMP/h2"
grep -c '^worst waits:' "$out" >> "$T_TMP/h2"
check_eq "the BPF and ring paths print the same columns and sections" "$(cat "$T_TMP/h1")" "$(cat "$T_TMP/h2")"
pp rundelay -v --bpf -- "$OFF" runq 5
check_err "-v says the waits are aggregated in the kernel" "waits aggregated in the kernel"
check_bpf_run rd_ 4 rundelay --bpf -i 100

# -C: every thread of CPU 0, no targets
pp_whole rundelay -C 0 -i 100 -- "$OFF" runq 20
check_fails "-C with a workload is refused" 129 "-C cannot be combined with a workload"
# -C 1, both paths: the waits on CPU 1 only, a task pinned to each CPU
# sleeping 20 (CPU 0) and 30 (CPU 1) times; its creation's wait is on
# whichever CPU its parent's fork put it, one more or none
for mode in --bpf --no-bpf; do
	if pp_cpu_split "nanosleep 20 5000" "nanosleep 30 5000" rundelay $mode -C 1 --perins; then
		n1=$(row "$pid1" wakeup) n0=$(row "$pid0" wakeup)
		if [ "${n1:-0}" -ge 30 ] && [ "${n1:-0}" -le 31 ] && [ "${n0:-0}" -le 1 ]; then
			ok "${mode#--} -C 1: the 30 wakeups of the task on CPU 1 (${n1}), none of CPU 0's (${n0:-0})"
		else
			check_count "${mode#--} -C 1: the 30 wakeups of the task on CPU 1, none of CPU 0's" \
				"${n1:-0} ${n0:-0}" "30 0"
		fi
	else
		skip "${mode#--} -C 1" "this machine has no CPU 1"
	fi
done
pp rundelay --bpf --no-bpf
check_fails "--bpf with --no-bpf is refused" 129 "--bpf and --no-bpf exclude each other"
check_clean "no perf-prof left running"
