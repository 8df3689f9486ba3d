# SPDX-License-Identifier: GPL-2.0
#
# live/rundelay.sh - scheduling latency against `offcpu runq N`: two CPU hogs
# and a waker pinned to CPU 0, the waker sleeping 5 ms N times. Every
# wakeup of the waker waits in the run queue behind a hog: its row counts
# exactly N + 1 waits (its creation is a wakeup too), and so does its
# histogram. The hogs are preempted: their waits are "preempt".
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

pp_whole rundelay --perins -- "$OFF" runq 100
check_rc "rundelay over a workload exits 0" 0
wt=$(out_value waker tid)
n=$(row "$wt" wakeup)
# a thread may also sleep on a lock of its process now and then (mmap_lock at
# its first printf): at least its 101, and no more than a few more
if [ "${n:-0}" -ge $((101 - $(run_lost))) ] && [ "${n:-0}" -le 104 ]; then
	ok "the waker waited after each of its 100 wakeups and its creation ($n)"
else
	fail "the waker waited after each of its 100 wakeups and its creation" "got ${n:-none}, want 101..104"
fi
check_eq "... and its histogram counts every one" "$(hist "$wt" wakeup TID)" "${n:-none}"
hogs=$(awk -v w="$wt" '/ rundelay: final: / { f = 1; next } f && $3 == "preempt" && $1 != w && $4 >= 20 { n++ } END { print n + 0 }' "$out")
check_eq "the two hogs wait after being preempted" "$hogs" 2
check_eq "worst waits: 10 lines, longest first, on CPU 0 or 1" \
	"$(awk '/^worst waits:/ { f = 1; getline; next } f && NF { n++; d = ($1 ~ /^[0-9.]+$/); if ($6 != 0 && $6 != 1) d = 0; if (!d) bad++ } END { print n, bad + 0 }' "$out")" "10 0"

# per process: the waker's waits are among the process's
pp_whole rundelay -- "$OFF" runq 50
pid=$(awk '/ rundelay: final: / { getline; getline; print $1; exit }' "$out")
n=$(row "$pid" wakeup)
if [ "${n:-0}" -ge $((51 - $(run_lost))) ]; then ok "per process: the waker's 51 waits are in its process's row ($n)"
else fail "per process: the waker's waits are in its process's row" "got ${n:-none}, want >= 51"; fi
check_eq "per process: one process" "$(awk '/ rundelay: final: / { f = 1; getline; next } f && !NF { exit } f { print $1 }' "$out" | sort -u | wc -l)" 1

# --json: the same rows
pp_whole rundelay --json --perins -- "$OFF" runq 100
wt=$(out_value waker tid)
got=$(grep '^{' "$out" | tail -1 | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
r = [r for r in o["rows"] if r["tid"] == int(sys.argv[1]) and r["cause"] == "wakeup"][0]
c = r["stats"]["count"]
print(o["report"], c >= 101 - int(sys.argv[2]) and c <= 104, sum(h["count"] for h in r["stats"]["hist"]) == c, len(o["worst"]))' "$wt" "$(run_lost)")
check_eq "--json: the waker's row, its histogram and the worst waits" "$got" "final True True 10"

# -C: every thread of CPU 0, no targets
pp_whole rundelay -C 0 -i 100 -- "$OFF" runq 20
check_fails "-C with a workload is refused" 129 "-C cannot be combined with a workload"
check_clean "no perf-prof left running"
