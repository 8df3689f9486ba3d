# SPDX-License-Identifier: GPL-2.0
#
# replay/sched.sh - task-state and rundelay on a synthetic stream of one
# CPU's switches and wakeups, with the switches a hidden thread makes (76:
# seen switched in, never out, as the hypervisor agent's threads of the
# machine these were written on): the intervals they end are still counted,
# at the estimate Documentation/rundelay.md gives (the last switch seen on
# the CPU), and the events are reported not delivered. A replay never takes
# the BPF path (it has no kernel): -v says so.
. "$TESTS_DIR/lib.sh"
R=$TESTS_DIR/replay
export PERF_PROF_TRACEFS=$R/tracefs
rep=$T_TMP/rec.bin

# Thread 100: runs 1000-2000, sleeps, woken at 5000, on at 5500 (RD 500),
# runs to 6000 and sleeps; 200 runs 6000-6300 and puts 76 on the CPU; 76
# wakes 100 and switches to it unseen; 100 switches out at 9000: its sleep
# ends at 6300 (S 300), then it ran (R 2700). Woken at 10000 (S 1000),
# 76 is put on at 10100 and switches to it unseen; 100 switches out at
# 12000: its wait ends at 10100 (RD 100), then it ran (R 1900).
python3 "$R/mkreplay.py" "$PERF_PROF_TRACEFS" sched:sched_switch,sched:sched_wakeup,sched:sched_wakeup_new "$rep" <<'D'
ring 0
comm 100 100 app time=1
comm 200 200 other time=1
sample sched:sched_switch time=1000 _pid=1 _tid=1 prev_pid=1 prev_state=1 next_pid=100
sample sched:sched_switch time=2000 _pid=100 _tid=100 prev_pid=100 prev_state=1 next_pid=0
sample sched:sched_wakeup time=5000 _pid=0 _tid=0 pid=100 target_cpu=0
sample sched:sched_switch time=5500 _pid=0 _tid=0 prev_pid=0 prev_state=0 next_pid=100
sample sched:sched_switch time=6000 _pid=100 _tid=100 prev_pid=100 prev_state=1 next_pid=200
sample sched:sched_switch time=6300 _pid=200 _tid=200 prev_pid=200 prev_state=1 next_pid=76
sample sched:sched_switch time=9000 _pid=100 _tid=100 prev_pid=100 prev_state=1 next_pid=0
sample sched:sched_wakeup time=10000 _pid=0 _tid=0 pid=100 target_cpu=0
sample sched:sched_switch time=10100 _pid=0 _tid=0 prev_pid=0 prev_state=0 next_pid=76
sample sched:sched_switch time=12000 _pid=100 _tid=100 prev_pid=100 prev_state=1 next_pid=0
D

# row TID NAME - "count total" of a --perins row
row() { awk -v t="$1" -v n="$2" '/: final: / { f = 1; next } f && $1 == t && $3 == n { print $4, $(NF-1), $NF; exit }' "$out"; }

PERF_PROF_REPLAY=$rep pp task-state --perins -v
check_rc "replay: task-state exits 0" 0
check_err "replay: task-state reads the records" "task-state: reading the scheduler's records: a replay"
check_eq "replay: 100's R intervals: 1000, 500, 2700 (after an unseen switch-in), 1900" "$(row 100 R)" "4 6.100 us"
check_eq "replay: 100's S intervals: 3000, 300 (ended unseen), 1000" "$(row 100 S)" "3 4.300 us"
check_eq "replay: 100's RD intervals: 500, 100 (ended unseen)" "$(row 100 RD)" "2 600 ns"
check_eq "replay: 200's one R interval" "$(row 200 R)" "1 300 ns"
check_err "replay: the two unseen switches are said" \
	"task-state: 2 scheduler events not delivered in this run"

PERF_PROF_REPLAY=$rep pp rundelay --perins -v
check_rc "replay: rundelay exits 0" 0
check_err "replay: rundelay reads the records" "rundelay: reading the scheduler's records: a replay"
check_eq "replay: 100's waits: 500, and 100 ended by an unseen switch-in" "$(row 100 wakeup)" "2 600 ns"
check_eq "replay: the unseen one's worst-wait line names the thread put on before it" \
	"$(awk '/^worst waits:/ { f = 1; next } f && $1 == 100 && $2 == "ns" { print $5, $6, $7, $NF ~ /\[76\]$/ }' "$out")" \
	"100 0 wakeup 1"
check_err "replay: the two unseen switches are said" \
	"rundelay: 2 scheduler events not delivered in this run"
PERF_PROF_REPLAY=$rep pp task-state --bpf
check_fails "replay: --bpf is refused, saying why" 129 \
	"cannot be combined with --bpf in task-state"
