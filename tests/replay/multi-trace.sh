# SPDX-License-Identifier: GPL-2.0
#
# replay/multi-trace.sh - multi-trace on a synthetic stream with known
# latencies, through the real pipeline: two rings (one pair crosses them in
# the order the rings are read, so only the time order multi-trace asks for
# pairs it), a gap of lost records, a replaced and an unpaired wakeup, and
# untraced writes. Outputs are compared exactly (report times blanked).
. "$TESTS_DIR/lib.sh"
R=$TESTS_DIR/replay
export PERF_PROF_TRACEFS=$R/tracefs
rep=$T_TMP/rec.bin

python3 "$R/mkreplay.py" "$PERF_PROF_TRACEFS" sched:sched_wakeup,sched:sched_switch,syscalls:sys_enter_write "$rep" <<'D'
ring 0
comm 5000001 5000001 alpha time=1
sample sched:sched_wakeup time=1000000000 _pid=5000001 comm=a pid=101 prio=120 target_cpu=0
sample sched:sched_switch time=1000003000 _pid=5000001 prev_comm=alpha prev_pid=5000001 next_comm=a next_pid=101
sample sched:sched_wakeup time=1000010000 _pid=5000001 comm=b pid=102 prio=120 target_cpu=0
lost 5 time=1000020000
sample sched:sched_switch time=1000030000 _pid=5000001 prev_comm=alpha prev_pid=5000001 next_comm=b next_pid=102
sample sched:sched_wakeup time=1000040000 _pid=5000001 comm=d pid=104 prio=120 target_cpu=1
sample sched:sched_switch time=1000080000 _pid=5000001 prev_comm=alpha prev_pid=5000001 next_comm=g next_pid=107
sample syscalls:sys_enter_write time=1000500000 _pid=5000001 fd=1 count=7
sample sched:sched_switch time=1001050000 _pid=5000001 prev_comm=alpha prev_pid=5000001 next_comm=e next_pid=105
ring 1
comm 5000002 5000002 beta time=1
sample sched:sched_wakeup time=1000005000 _pid=5000002 comm=c pid=103 prio=120 target_cpu=1
sample sched:sched_switch time=1000007000 _pid=5000002 prev_comm=beta prev_pid=5000002 next_comm=c next_pid=103
sample sched:sched_switch time=1000045000 _pid=5000002 prev_comm=beta prev_pid=5000002 next_comm=d next_pid=104
sample sched:sched_wakeup time=1000050000 _pid=5000002 comm=e pid=105 prio=120 target_cpu=0
sample sched:sched_wakeup time=1000060000 _pid=5000002 comm=e pid=105 prio=120 target_cpu=0
sample sched:sched_wakeup time=1000070000 _pid=5000002 comm=g pid=107 prio=120 target_cpu=0
sample syscalls:sys_enter_write time=1000600000 _pid=5000002 fd=2 count=9
sample sched:sched_wakeup time=1002000000 _pid=5000002 comm=f pid=106 prio=120 target_cpu=1
D
WK='sched:sched_wakeup//key=pid/'
SW='sched:sched_switch//key=next_pid/'
WR='syscalls:sys_enter_write//untraced/'

# run ARGS...: multi-trace on the stream, report times and lengths blanked
run() {
	PERF_PROF_REPLAY=$rep pp multi-trace -e "$WK" -e "$SW,$WR" "$@"
	sed -i -e 's/^[0-9-]* [0-9:.]* multi-trace:/TIME multi-trace:/' \
		-e 's/ pairs in [0-9.]* s$/ pairs in T s/' "$out"
}

# expect NAME < want: the output is exactly the text given
expect() {
	cat > "$T_TMP/want"
	if cmp -s "$out" "$T_TMP/want"; then ok "$1"; else fail "$1" "$(diff "$T_TMP/want" "$out")"; fi
}

# --- latency statistics: 2, 3, 5, 10 and 990 us; the gap drops wakeup 102 ----------
run
expect "five pairs, one across the rings, none across the gap" <<'W'
TIME multi-trace: final: 5 pairs in T s
                  from => to     count        min        avg        p50        p95        p99        max         total
sched_wakeup => sched_switch         5   2.000 us 202.000 us   5.055 us 990.000 us 990.000 us 990.000 us      1.010 ms
note: 5 records lost; 1 waiting events were dropped at the gaps, pairs across a gap are not counted
W

check_err "the lost records are reported" "lost 5 events (CPU 0: 5)"

# --- per CPU (the CPU of the closing event) ----------------------------------------
run --perins
expect "--perins: rows per CPU" <<'W'
TIME multi-trace: final: 5 pairs in T s
   CPU                   from => to     count        min        avg        p50        p95        p99        max         total
     0 sched_wakeup => sched_switch         3   3.000 us 334.333 us  10.111 us 990.000 us 990.000 us 990.000 us      1.003 ms
     1 sched_wakeup => sched_switch         2   2.000 us   3.500 us   2.000 us   5.000 us   5.000 us   5.000 us      7.000 us
note: 5 records lost; 1 waiting events were dropped at the gaps, pairs across a gap are not counted
W

# --- what became of every event ----------------------------------------------------
run --impl pair
expect "--impl pair: counts and the wakeup still waiting at exit" <<'W'
TIME multi-trace: final: 5 pairs in T s
                  from => to     paired
sched_wakeup => sched_switch          5
 -e        event     opened     paired   replaced    dropped    waiting    orphans
  1 sched_wakeup          8          5          1          1          1          -
  2 sched_switch          -          -          -          -          -          1
note: 5 records lost; 1 waiting events were dropped at the gaps, pairs across a gap are not counted
unpaired at exit: 1
     1.002000             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=f pid=106 prio=120 target_cpu=001
W

# --- a slow pair, then with what happened in between -----------------------------
run --than 500us
expect "--than prints the slow pair's two events" <<'W'
>> 990.000 us sched_wakeup => sched_switch key 105
     1.000060             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=e pid=105 prio=120 target_cpu=000
     1.001050            alpha 5000001/5000001 [000] .... sched:sched_switch: prev_comm=alpha prev_pid=5000001 prev_prio=0 prev_state=R ==> next_comm=e next_pid=105 next_prio=0
TIME multi-trace: final: 5 pairs in T s
                  from => to     count        min        avg        p50        p95        p99        max         total  over 500.000 us
sched_wakeup => sched_switch         5   2.000 us 202.000 us   5.055 us 990.000 us 990.000 us 990.000 us      1.010 ms        1 (20.0%)
note: 5 records lost; 1 waiting events were dropped at the gaps, pairs across a gap are not counted
W

run --than 500us --detail
expect "--detail adds the events in between, untraced ones included" <<'W'
>> 990.000 us sched_wakeup => sched_switch key 105
                 1.000060             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=e pid=105 prio=120 target_cpu=000
| 10.000 us      1.000070             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=g pid=107 prio=120 target_cpu=000
| 20.000 us      1.000080            alpha 5000001/5000001 [000] .... sched:sched_switch: prev_comm=alpha prev_pid=5000001 prev_prio=0 prev_state=R ==> next_comm=g next_pid=107 next_prio=0
|440.000 us      1.000500            alpha 5000001/5000001 [000] .... syscalls:sys_enter_write: fd: 0x00000001, buf: 0x00000000, count: 0x00000007
|540.000 us      1.000600             beta 5000002/5000002 [001] .... syscalls:sys_enter_write: fd: 0x00000002, buf: 0x00000000, count: 0x00000009
                 1.001050            alpha 5000001/5000001 [000] .... sched:sched_switch: prev_comm=alpha prev_pid=5000001 prev_prio=0 prev_state=R ==> next_comm=e next_pid=105 next_prio=0
TIME multi-trace: final: 5 pairs in T s
                  from => to     count        min        avg        p50        p95        p99        max         total  over 500.000 us
sched_wakeup => sched_switch         5   2.000 us 202.000 us   5.055 us 990.000 us 990.000 us 990.000 us      1.010 ms        1 (20.0%)
note: 5 records lost; 1 waiting events were dropped at the gaps, pairs across a gap are not counted
W

run --than 500us --detail=samecpu,1,-100us,+10ms
expect "--detail windows and filters: 100us before, 10ms after, CPU of event 1" <<'W'
>> 990.000 us sched_wakeup => sched_switch key 105
- 55.000 us      1.000005             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=c pid=103 prio=120 target_cpu=001
- 53.000 us      1.000007             beta 5000002/5000002 [001] .... sched:sched_switch: prev_comm=beta prev_pid=5000002 prev_prio=0 prev_state=R ==> next_comm=c next_pid=103 next_prio=0
- 15.000 us      1.000045             beta 5000002/5000002 [001] .... sched:sched_switch: prev_comm=beta prev_pid=5000002 prev_prio=0 prev_state=R ==> next_comm=d next_pid=104 next_prio=0
- 10.000 us      1.000050             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=e pid=105 prio=120 target_cpu=000
                 1.000060             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=e pid=105 prio=120 target_cpu=000
| 10.000 us      1.000070             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=g pid=107 prio=120 target_cpu=000
|540.000 us      1.000600             beta 5000002/5000002 [001] .... syscalls:sys_enter_write: fd: 0x00000002, buf: 0x00000000, count: 0x00000009
                 1.001050            alpha 5000001/5000001 [000] .... sched:sched_switch: prev_comm=alpha prev_pid=5000001 prev_prio=0 prev_state=R ==> next_comm=e next_pid=105 next_prio=0
+950.000 us      1.002000             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=f pid=106 prio=120 target_cpu=001
TIME multi-trace: final: 5 pairs in T s
                  from => to     count        min        avg        p50        p95        p99        max         total  over 500.000 us
sched_wakeup => sched_switch         5   2.000 us 202.000 us   5.055 us 990.000 us 990.000 us 990.000 us      1.010 ms        1 (20.0%)
note: 5 records lost; 1 waiting events were dropped at the gaps, pairs across a gap are not counted
W

# --- JSON carries the same numbers -------------------------------------------------
run --json
got=$(python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
s = o["rows"][0]["stats"]
ev = {e["event"]: e for e in o["events"]}
print(o["pairs"], s["count"], s["min"], s["max"], s["sum"], s["mean"], s["p50"],
      ev["sched_wakeup"]["replaced"], ev["sched_wakeup"]["dropped"], ev["sched_wakeup"]["waiting"],
      ev["sched_switch"]["orphans"], o["lost"], o["lost_dropped"])' "$out")
check_eq "--json: the numbers of the text report" "$got" "5 5 2000 990000 1010000 202000 5055 1 1 1 1 5 1"

# --- JSON: slow pairs and unpaired events are objects too -------------------------------
run --than 500us --detail --json
got=$(head -1 "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
print(o["report"], o["from"], o["to"], o["key"], o["delay"],
      " ".join("%s%s@%.6f" % (e.get("mark", "="), e["event"].split(":")[1], e["time"]) for e in o["events"]))')
check_eq "--json --than --detail: one object per slow pair" "$got" \
	"slow sched_wakeup sched_switch 105 990000 =sched_wakeup@1.000060 |sched_wakeup@1.000070 |sched_switch@1.000080 |sys_enter_write@1.000500 |sys_enter_write@1.000600 =sched_switch@1.001050"
run --impl pair --json
got=$(tail -1 "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
print(o["report"], [(e["event"], e["time"], e["pid"]) for e in o["events"]])')
check_eq "--json --impl pair: the unpaired events at exit" "$got" \
	"unpaired [('sched:sched_wakeup', 1.002, 5000002)]"

# --- --cycle: an event pairs with the previous one of its key -----------------------
PERF_PROF_REPLAY=$rep pp multi-trace -e "$WK" --cycle
check_eq "--cycle: wakeup 105 twice, 10 us apart" "$(awk '/=>/ && !/count/ { print $1, $3, $4, $5, $6 }' "$out")" \
	"sched_wakeup sched_wakeup 1 10.000 us"
