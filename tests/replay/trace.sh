# SPDX-License-Identifier: GPL-2.0
#
# replay/trace.sh - synthetic record streams through the real binary
# (selectors, formats, decode, order, dispatch, trace output), compared
# exactly. Formats come from the fixture tracefs in tests/replay/tracefs.
. "$TESTS_DIR/lib.sh"
R=$TESTS_DIR/replay
export PERF_PROF_TRACEFS=$R/tracefs
rep=$T_TMP/rec.bin

# mk EVENTS < description - build $rep
mk() { python3 "$R/mkreplay.py" "$PERF_PROF_TRACEFS" "$1" "$rep"; }

# --- two rings, --order merges them by time ------------------------------------
mk sched:sched_wakeup <<'D'
ring 0
comm 5000001 5000001 alpha time=1
comm 5000002 5000002 beta time=1
sample sched:sched_wakeup time=1000001000 _pid=5000001 comm=kworker/0:1 pid=17 prio=120 target_cpu=0
sample sched:sched_wakeup time=1000003000 _pid=5000001 comm=a pid=18 prio=100 target_cpu=1
ring 1
sample sched:sched_wakeup time=1000002000 _pid=5000002 comm=b pid=19 prio=120 target_cpu=1 common_flags=0x9 common_preempt_count=2
sample sched:sched_wakeup time=1000004000 _pid=5000002 comm=c pid=20 prio=120 target_cpu=0
D
PERF_PROF_REPLAY=$rep pp trace --order -e sched:sched_wakeup
check_rc "replay --order exits 0" 0
cat > "$T_TMP/want" <<'W'
     1.000001            alpha 5000001/5000001 [000] .... sched:sched_wakeup: comm=kworker/0:1 pid=17 prio=120 target_cpu=000
     1.000002             beta 5000002/5000002 [001] d.h2 sched:sched_wakeup: comm=b pid=19 prio=120 target_cpu=001
     1.000003            alpha 5000001/5000001 [000] .... sched:sched_wakeup: comm=a pid=18 prio=100 target_cpu=001
     1.000004             beta 5000002/5000002 [001] .... sched:sched_wakeup: comm=c pid=20 prio=120 target_cpu=000
W
if cmp -s "$out" "$T_TMP/want"; then ok "--order merges two rings exactly by time"; else
	fail "--order merges two rings exactly by time" "$(diff "$T_TMP/want" "$out")"; fi

PERF_PROF_REPLAY=$rep pp trace -e sched:sched_wakeup
first=$(awk '{ print $1 }' "$out" | tr '\n' ' ')
check_eq "without --order each ring is delivered in turn" "$first" "1.000001 1.000003 1.000002 1.000004 "

# --- -N counts exactly -------------------------------------------------------------
PERF_PROF_REPLAY=$rep pp trace --order -N 3 -e sched:sched_wakeup
check_eq "-N 3 on a replay prints exactly 3" "$(wc -l < "$out")" 3

# --- alias and JSON ------------------------------------------------------------------
PERF_PROF_REPLAY=$rep pp trace --order --json -e 'sched:sched_wakeup//alias=WK/'
line=$(head -1 "$out")
check_eq "--json prints one typed object per event" "$line" \
  '{"time":1.000001,"cpu":0,"pid":5000001,"tid":5000001,"comm":"alpha","event":"WK","fields":{"comm":"kworker/0:1","pid":17,"prio":120,"target_cpu":0}}'

# --- lost records are reported ------------------------------------------------------
mk sched:sched_wakeup <<'D'
ring 1
sample sched:sched_wakeup time=5 _pid=5000003 comm=x pid=1
lost 42 time=6
sample sched:sched_wakeup time=7 _pid=5000003 comm=y pid=2
D
PERF_PROF_REPLAY=$rep pp trace -e sched:sched_wakeup
check_eq "events around a LOST record are delivered" "$(wc -l < "$out")" 2
check_err "LOST records are reported per CPU" "perf-prof trace: lost 42 events (CPU 1: 42), 42 in total"

# --- a malformed record does not crash and is reported -------------------------------
mk sched:sched_wakeup <<'D'
ring 0
sample sched:sched_wakeup time=5 _pid=5000003 comm=x pid=1
badsize
D
PERF_PROF_REPLAY=$rep pp trace -e sched:sched_wakeup
check_rc "a record with an impossible size does not crash" 0
check_eq "records before it are delivered" "$(wc -l < "$out")" 1
check_err "the malformed record is reported" "malformed record"

# --- two events, several -e, one stream ----------------------------------------------
mk sched:sched_wakeup,syscalls:sys_enter_write <<'D'
ring 0
sample syscalls:sys_enter_write time=10 _pid=5000004 fd=1 count=7
sample sched:sched_wakeup time=11 _pid=5000004 comm=z pid=3 prio=1 target_cpu=0
D
PERF_PROF_REPLAY=$rep pp trace -e sched:sched_wakeup -e syscalls:sys_enter_write
evs=$(awk '{ print $6 }' "$out" | tr '\n' ' ')
check_eq "samples are attributed to their event by id" "$evs" "syscalls:sys_enter_write: sched:sched_wakeup: "
