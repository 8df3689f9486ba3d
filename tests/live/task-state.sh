# SPDX-License-Identifier: GPL-2.0
#
# live/task-state.sh - time per thread state against workloads that measure
# their own blocked times (tests/workload/offcpu.c):
#   sleepread: sleeper() sleeps 20 x 10 ms, reader() blocks 10 x on a pipe
#              written every 30 ms; each prints its tid and measured total
#   runq N:    a waker wakes N times every 5 ms on a CPU two hogs keep busy
#   dstate N FILE: N x O_DIRECT pwrite + fsync in the build tree
# Durations are compared with the workload's own measurements (+/- 15%), so
# the checks hold on a loaded machine; counts are exact.
# Both paths are checked the same way (tests/run.sh runs the file twice):
# intervals aggregated in the kernel by BPF programs (--bpf) and the
# scheduler's records (--no-bpf); stacks and --than are the records' alone.
# modes: ring bpf
. "$TESTS_DIR/lib.sh"
need_root_tracefs

OFF=$WORKLOAD_DIR/offcpu

# row TID STATE - "count total" of a --perins row (total in ns)
row() {
	awk -v tid="$1" -v st="$2" '
	function ns(v, u) { return u == "ns" ? v : u == "us" ? v * 1e3 : u == "ms" ? v * 1e6 : v * 1e9 }
	/ task-state: final: / { f = 1; next }
	f && $1 == tid && $3 == st { print $4, ns($(NF-1), $NF); exit }' "$out"
}
# sleeps TID - the intervals of a --perins thread in a sleeping state (S, D, ...)
sleeps() {
	awk -v tid="$1" '/ task-state: final: / { f = 1; next }
	f && $1 == tid && $3 != "R" && $3 != "R+" && $3 != "RD" { n += $4 } END { print n + 0 }' "$out"
}
# within A B PCT - A is within PCT% of B
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * p / 100) }'; }

# ---- S: counts exact, totals as measured --------------------------------
# the same checks of the table on both paths; the stacks (-g, --than, the
# flame graph) are the records' and checked in the ring mode only
if [ "${PP_AGG:-ring}" = bpf ]; then
	pp_whole task-state --perins -- "$OFF" sleepread
else
	pp_whole task-state --perins -g --than 5ms --flame-graph "$T_TMP/off.folded" -- "$OFF" sleepread
fi
check_rc "task-state over a workload exits 0" 0
st=$(out_value sleeper tid); sn=$(out_value sleeper ns)
rt=$(out_value reader tid); rn=$(out_value reader ns)
# the workloads time each call from its start to its return: the sleep, then
# the run-queue wait after the wakeup (milliseconds on a loaded machine), so
# their totals are compared with S + RD (RD's one wait after the creation is
# microseconds against 15%)
srd() { echo $(row "$1" S) $(row "$1" RD) | awk '{ printf "%.0f\n", $2 + $4 }'; }
set -- $(row "$st" S)
check_count "sleeper: exactly 20 S intervals" "${1:-none}" 20
tot=$(srd "$st")
if within "$tot" "$sn" 15; then ok "sleeper: S + RD total $tot ns within 15% of the measured $sn"
else fail "sleeper: S + RD total within 15% of the measured" "got $tot ns, measured $sn"; fi
set -- $(row "$rt" S)
check_count "reader: exactly 10 S intervals" "${1:-none}" 10
tot=$(srd "$rt")
if within "$tot" "$rn" 15; then ok "reader: S + RD total $tot ns within 15% of the measured $rn"
else fail "reader: S + RD total within 15% of the measured" "got $tot ns, measured $rn"; fi
# each of its sleeps ends in a wakeup and a run-queue wait, and so does its
# creation: 20 in sleeper(), and now and then one more elsewhere (its printf
# blocking on stdout's lock, a page fault waiting on mmap_lock): the sleeps
# it had are counted from its own rows, not assumed
# (with records lost in every try, as check_count allows, the sleeps and the
# waits counted both miss what was lost)
sleeps=$(sleeps "$st")
set -- $(row "$st" RD)
lost=$(run_lost)
if [ "$sleeps" -ge $((20 - lost)) ]; then
	check_count "sleeper: a run-queue wait after each of its $sleeps sleeps and its creation" \
		"${1:-none}" $((sleeps + 1))
else
	fail "sleeper: a run-queue wait after each sleep and its creation" \
		"only $sleeps sleeps, want >= 20 ($lost records lost, reported)"
fi

if [ "${PP_AGG:-ring}" = ring ]; then
# --than 5ms: each long interval once, with the stack it blocked in
than() {
	awk -v tid="$1" -v fn="$2" '
	/ off-cpu / { cur = ($0 ~ "\\[" tid "\\] ") && / off-cpu S /; if (cur) n++; next }
	cur && index($0, " " fn "+") { hit++; cur = 0 }
	END { print n + 0, hit + 0 }' "$out"
}
set -- $(than "$st" sleeper)
check_count "--than 5ms: the sleeper's 20 sleeps" "$1" 20
check_eq "--than 5ms: ... each under sleeper()" "$2" "$1"
set -- $(than "$rt" reader_thread)
check_count "--than 5ms: the reader's 10 reads" "$1" 10
check_eq "--than 5ms: ... each under reader_thread()" "$2" "$1"

# the flame graph: off-CPU microseconds by stack, as measured
fs=$(awk '/;sleeper;/ { s += $NF } END { print s * 1000 }' "$T_TMP/off.folded")
fr=$(awk '/;reader_thread;/ { s += $NF } END { print s * 1000 }' "$T_TMP/off.folded")
if within "$fs" "$sn" 15; then ok "folded: sleeper()'s stacks weigh its measured sleep (${fs} ns, $sn)"
else fail "folded: sleeper()'s stacks weigh its measured sleep" "got $fs ns, measured $sn"; fi
if within "$fr" "$rn" 15; then ok "folded: reader's stacks weigh its measured block (${fr} ns, $rn)"
else fail "folded: reader's stacks weigh its measured block" "got $fr ns, measured $rn"; fi
check_eq "folded: the root frame is the thread's comm" \
	"$(awk '/;sleeper;/ { split($1, f, ";"); print f[1]; exit }' "$T_TMP/off.folded")" offcpu
check_err "the flame graph is announced" "flame graph of"

# --waker: the reader blocks on the pipe, writer_thread() writes it: each of
# its blocked stacks is joined (after "--") with the writer's, weighed by
# the reader's own measured blocked time. Its blocks in the pipe's read
# ((anon_)pipe_read) are all woken by the writer; now and then it also
# blocks elsewhere (a page fault, stdout's lock), woken by another thread
pp_whole task-state -S -g --waker --flame-graph "$T_TMP/wake.folded" -- "$OFF" sleepread
rn=$(out_value reader ns)
set -- $(awk '/;reader_thread;.*pipe_read;/ { a += $NF; if (/;--;.*;writer_thread;/) w += $NF; if (/;--;/) n++ }
	END { print a * 1000, w * 1000, n + 0 }' "$T_TMP/wake.folded")
if within "${2:-0}" "$rn" 15; then ok "--waker: the reader's stacks joined with writer_thread() weigh its measured block ($2 ns, $rn)"
else fail "--waker: the reader's stacks joined with writer_thread() weigh its measured block" "got ${2:-none} ns, measured $rn"; fi
check_eq "--waker: ... all of the reader's off-CPU time in the pipe's read" "$2" "$1"
check_eq "--waker: the waker's stack, leaf first after '--', ends in its comm" \
	"$(awk -F';' '/;reader_thread;.*;--;/ { print ($(NF-1) == "start_thread" && $NF ~ /^offcpu [0-9]+$/) ? "ok" : $(NF-1) ";" $NF; exit }' "$T_TMP/wake.folded")" ok
if command -v go > /dev/null; then
	pp_whole task-state -S -g --waker --flame-graph "$T_TMP/wake.pb.gz" -- "$OFF" sleepread
	got=$(timeout 120 go tool pprof -traces "$T_TMP/wake.pb.gz" 2>/dev/null | awk '
		/^-----/ { if (w && sep && r) n++; w = sep = r = 0; next }
		/ waker: / { wk = 1 } / writer_thread$/ && !sep { w = 1 } $NF == "--" { sep = 1 }
		/ reader_thread$/ && sep { r = 1 } END { if (w && sep && r) n++; print (n > 0), wk + 0 }')
	check_eq "--waker: pprof: the writer's stack above '--' and the reader's below, with a waker label" \
		"$got" "1 1"
else
	skip "--waker: the pprof profile" "no go tool pprof"
fi
pp task-state -g --waker -- "$OFF" sleepread
check_fails "--waker needs a flame graph" 129 "--waker needs a flame graph"
fi

# ---- per process, -S, --json --------------------------------------------
pp_whole task-state -S -- "$OFF" sleepread
pid=$(awk '/ task-state: final: / { getline; getline; print $1; exit }' "$out")
check_eq "-S: only S rows" "$(awk '/ task-state: final: / { f = 1; getline; next } f && NF { print $3 }' "$out" | sort -u | tr '\n' ' ')" "S "
# the process: 20 + 10 + the writer's 10 + the main thread's joins (at least 1)
n=$(awk '/ task-state: final: / { getline; getline; print $4; exit }' "$out")
if [ "${n:-0}" -ge $((41 - $(run_lost))) ]; then ok "per process: the threads' S intervals add up ($n >= 41 - lost)"
else fail "per process: the threads' S intervals add up" "got ${n:-none}, want >= 41"; fi

pp_whole task-state --json --perins -- "$OFF" sleepread
st=$(out_value sleeper tid)
got=$(grep '^{' "$out" | tail -1 | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
r = [r for r in o["rows"] if r["tid"] == int(sys.argv[1]) and r["state"] == "S"][0]
print(o["report"], r["comm"], r["stats"]["count"])' "$st")
check_eq "--json: the final report names the sleeper" "${got% *}" "final offcpu"
check_count "--json: the sleeper's 20 S intervals" "${got##* }" 20

# ---- -C 1: the intervals of CPU 1 only, a task pinned to each CPU -------------
if pp_cpu_split "nanosleep 20 5000" "nanosleep 30 5000" task-state -C 1 --perins; then
	set -- $(row "$pid1" S) 0
	check_count "-C 1: the 30 S intervals of the task on CPU 1" "$1" 30
	set -- $(row "$pid0" S) 0
	check_eq "-C 1: none of the task on CPU 0" "$1" 0
else
	skip "-C 1" "this machine has no CPU 1"
fi

# ---- RD: every wakeup waits in the run queue ------------------------------
pp_whole task-state --perins -- "$OFF" runq 100
wt=$(out_value waker tid)
set -- $(row "$wt" R+) 0
pre=$1
set -- $(row "$wt" RD)
# one per wakeup, unless a hog preempted it as it went to sleep and its timer
# fired meanwhile (then it never slept); it may also sleep on a lock now and then
if [ $((${1:-0} + pre)) -ge $((101 - $(run_lost))) ] && [ "${1:-0}" -le 110 ]; then
	ok "runq: an RD interval for each of the waker's 100 wakeups and its creation ($1)"
else
	fail "runq: an RD interval for each of the waker's 100 wakeups and its creation" "got ${1:-none}, want 101..110"
fi
sleeps=$(sleeps "$wt")
# a sleep whose wakeup or switch-in the kernel did not deliver (reported lost,
# Documentation/rundelay.md) has no RD: as many as were lost may differ
d=$((sleeps + 1 - ${1:-0}))
if [ "${d#-}" -le "$(run_lost)" ]; then
	ok "runq: as many sleeps (S, D, ...) before them, less the creation ($sleeps; lost $(run_lost))"
else
	fail "runq: as many sleeps (S, D, ...) before them, less the creation" \
		"got $sleeps sleeps and ${1:-no} RD, lost $(run_lost)"
fi

# ---- D: O_DIRECT + fsync in the build tree ---------------------------------
dfile=$WORKLOAD_DIR/dstate.$$
pp_whole task-state -D --perins -- "$OFF" dstate 50 "$dfile"
rm -f "$dfile"
if grep -q '^dstate unsupported' "$out"; then
	skip "D state from O_DIRECT writes" "$(sed -n 's/^dstate unsupported: //p' "$out")"
else
	dt=$(out_value dstate tid); dn=$(out_value dstate ns)
	set -- $(row "$dt" D)
	if [ "${1:-0}" -ge 50 ]; then ok "D: at least one D interval per synced write (${1})"
	else fail "D: at least one D interval per synced write" "got ${1:-none}, want >= 50"; fi
	if awk -v a="${2:-0}" -v b="$dn" 'BEGIN { exit !(a > 0 && a <= b * 1.05) }'; then
		ok "D: the D total ($2 ns) lies within the calls' measured time ($dn ns)"
	else
		fail "D: the D total lies within the calls' measured time" "got ${2:-none}, measured $dn"
	fi
	check_eq "-D: only D rows" "$(awk '/ task-state: final: / { f = 1; getline; next } f && NF { print $3 }' "$out" | sort -u | tr '\n' ' ')" "D "
fi

# ---- -p: the threads of a running process ---------------------------------
rm -f "$T_TMP/go"
"$WL" -W "$T_TMP/go" -t 2 nanosleep 10 5000 > /dev/null &
sp=$!
pp_bg task-state --perins -p "$sp"
pp_ready
touch "$T_TMP/go"
wait "$sp"
pp_wait
got=$(awk -v lost="$(run_lost)" '/ task-state: final: / { f = 1; getline; next } f && $3 == "S" && $4 >= 10 - lost && $4 <= 10 { n++ } END { print n + 0 }' "$out")
check_eq "-p: its two new threads (forked after the start) each sleep 10 times" "$got" 2
check_eq "-p: nothing but the target's threads" \
	"$(awk '/ task-state: final: / { f = 1; getline; next } f && NF { print $2 }' "$out" | sort -u)" wl

# ---- the two paths side by side (once, in the bpf mode) ---------------------
if [ "${PP_AGG:-ring}" = bpf ]; then
	# both at once over one workload (the records of the whole machine, the
	# workload's intervals in the kernel), so both see the same scheduler
	# events: the same counts, and totals and p50 within the clocks' and the
	# buckets' difference (1.6%); tried again (3 times in all) when they differ
	# srow FILE TID STATE - "count p50 total" (ns) of a --perins row
	srow() {
		awk -v tid="$2" -v st="$3" '
		function ns(v, u) { return u == "ns" ? v : u == "us" ? v * 1e3 : u == "ms" ? v * 1e6 : v * 1e9 }
		/ task-state: final: / { f = 1; next }
		f && $1 == tid && $3 == st { print $4, ns($9, $10), ns($(NF-1), $NF); exit }' "$1"
	}
	for try in 1 2 3; do
		pp_bg task-state --no-bpf --perins
		pp_ready
		ring_out=$out ring_err=$err ring_pid=$bg ring_dog=$bg_dog
		out=$T_TMP/bpf.out err=$T_TMP/bpf.err
		pp task-state --bpf --perins -- "$OFF" sleepread
		kill -INT "$ring_pid"
		bg=$ring_pid bg_dog=$ring_dog
		st=$(out_value sleeper tid); rt=$(out_value reader tid)
		bs="$(srow "$out" "$st" S) $(srow "$out" "$rt" S)"
		rs="$(srow "$ring_out" "$st" S) $(srow "$ring_out" "$rt" S)"
		out=$ring_out err=$ring_err
		pp_wait
		set -- $bs $rs
		[ $# -eq 12 ] && [ "$1" = "$7" ] && [ "$4" = "${10}" ] &&
			within "$2" "$8" 1.6 && within "$5" "${11}" 1.6 &&
			within "$3" "$9" 1 && within "$6" "${12}" 1 && break
	done
	set -- $bs $rs
	check_eq "both paths at once: the sleeper's and the reader's S counts (bpf: $bs)" \
		"${1:-} ${4:-}" "${7:-} ${10:-}"
	if [ $# -eq 12 ] && within "$2" "$8" 1.6 && within "$5" "${11}" 1.6; then
		ok "both paths at once: the same S p50s ($2 $5 ns, ring $8 ${11})"
	else fail "both paths at once: the same S p50s" "bpf: $bs; ring: $rs"; fi
	if [ $# -eq 12 ] && within "$3" "$9" 1 && within "$6" "${12}" 1; then
		ok "both paths at once: the same S totals within 1% ($3 $6 ns, ring $9 ${12})"
	else fail "both paths at once: the same S totals within 1%" "bpf: $bs; ring: $rs"; fi

	# the same columns, and -v says which path runs and why, with neither
	# --bpf nor --no-bpf (the default)
	pp_default() { PP_AGG= pp "$@"; PP_AGG=bpf; }
	pp_default task-state -v --perins -- "$OFF" runq 5
	check_err "-v: the intervals are aggregated in the kernel by default" \
		"intervals aggregated in the kernel"
	awk '/ task-state: final: / { getline; print; exit }' "$out" > "$T_TMP/h1"
	pp_default task-state -v -g --perins -- "$OFF" runq 5
	check_err "-v: -g reads the records, and says so" "reading the scheduler's records: -g needs them"
	awk '/ task-state: final: / { getline; print; exit }' "$out" > "$T_TMP/h2"
	check_eq "the BPF and ring paths print the same columns" "$(cat "$T_TMP/h1")" "$(cat "$T_TMP/h2")"
	pp_default task-state -v --than 1s -- "$OFF" runq 5
	check_err "-v: --than reads the records" "reading the scheduler's records: --than needs them"
	pp task-state --bpf -g -- "$OFF" runq 5
	check_fails "--bpf with -g is refused" 129 "-g cannot be combined with --bpf in task-state"
	check_bpf_run ts_ 4 task-state --bpf -i 100
fi

# ---- errors ----------------------------------------------------------------
pp task-state --flame-graph "$T_TMP/x.svg" -- "$OFF" sleepread
check_fails "--flame-graph needs -g" 129 "--flame-graph needs stacks"
check_clean "no perf-prof left running"
