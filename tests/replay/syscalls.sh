# SPDX-License-Identifier: GPL-2.0
#
# replay/syscalls.sh - syscalls on a synthetic stream of raw_syscalls
# entries and exits whose durations, errors and gaps are known, through the
# real binary: the table compared exactly (after its time-stamped header),
# and the JSON's counts of what could not be paired.
. "$TESTS_DIR/lib.sh"
R=$TESTS_DIR/replay
export PERF_PROF_TRACEFS=$R/tracefs
rep=$T_TMP/rec.bin
EVS=raw_syscalls:sys_enter,raw_syscalls:sys_exit

# Thread 100 (process 100): getppid (110) taking 1000, 2000 and 3000 ns; write (1)
# taking 500 ns and, failing with EBADF, 1500 ns. Thread 101 of process 100:
# nanosleep (35) of 5 ms interrupted (ERESTART_RESTARTBLOCK, 516). Not counted:
# thread 102's exit without an entry, thread 103's exit of another syscall than
# its entry, thread 104's read (0) whose exit follows a gap of 5 lost records.
# Percentiles are the statistics engine's, within 1.6% of the true ranks'
# (include/agg.h): 1.999 for 2 us, 2.975 for 3 us, 1.487 for 1.5 us.
python3 "$R/mkreplay.py" "$PERF_PROF_TRACEFS" "$EVS" "$rep" <<'D'
ring 0
comm 100 100 app time=1
comm 100 101 app-worker time=1
comm 102 102 other time=1
sample raw_syscalls:sys_enter time=1000 _pid=100 _tid=100 id=110
sample raw_syscalls:sys_enter time=1500 _pid=100 _tid=101 id=35
sample raw_syscalls:sys_exit time=2000 _pid=100 _tid=100 id=110 ret=1
sample raw_syscalls:sys_exit time=2500 _pid=102 _tid=102 id=3 ret=0
sample raw_syscalls:sys_enter time=3000 _pid=100 _tid=100 id=110
sample raw_syscalls:sys_exit time=5000 _pid=100 _tid=100 id=110 ret=1
sample raw_syscalls:sys_enter time=6000 _pid=100 _tid=100 id=110
sample raw_syscalls:sys_exit time=9000 _pid=100 _tid=100 id=110 ret=1
sample raw_syscalls:sys_enter time=10000 _pid=100 _tid=100 id=1
sample raw_syscalls:sys_exit time=10500 _pid=100 _tid=100 id=1 ret=1
sample raw_syscalls:sys_enter time=11000 _pid=100 _tid=100 id=1
sample raw_syscalls:sys_exit time=12500 _pid=100 _tid=100 id=1 ret=-9
sample raw_syscalls:sys_enter time=13000 _pid=103 _tid=103 id=0
sample raw_syscalls:sys_exit time=14000 _pid=103 _tid=103 id=1 ret=1
sample raw_syscalls:sys_exit time=5001500 _pid=100 _tid=101 id=35 ret=-516
sample raw_syscalls:sys_enter time=5002000 _pid=104 _tid=104 id=0
lost 5 time=5003000
sample raw_syscalls:sys_exit time=5004000 _pid=104 _tid=104 id=0 ret=10
D

PERF_PROF_REPLAY=$rep pp syscalls
check_rc "replay: syscalls exits 0" 0
cat > "$T_TMP/want" <<'W'
% time     seconds  usecs/call     calls    errors    min(us)    p50(us)    p99(us)    max(us) syscall          errnos
------ ----------- ----------- --------- --------- ---------- ---------- ---------- ---------- ---------------- ------
 99.84    0.005000        5000         1         1   5000.000   5000.000   5000.000   5000.000 nanosleep        ERESTART_RESTARTBLOCK:1
  0.12    0.000006           2         3         0      1.000      1.999      2.975      3.000 getppid          -
  0.04    0.000002           1         2         1      0.500      0.500      1.487      1.500 write            EBADF:1
------ ----------- ----------- --------- --------- ---------- ---------- ---------- ---------- ---------------- ------
100.00    0.005008         834         6         2      0.500      1.487   5000.000   5000.000 total            -
note: 5 records lost: the calls in flight then are not counted
W
sed 1d "$out" > "$T_TMP/got"
if cmp -s "$T_TMP/got" "$T_TMP/want"; then ok "replay: the table, exactly"; else
	fail "replay: the table, exactly" "$(diff "$T_TMP/want" "$T_TMP/got")"; fi
check_eq "replay: the header counts the calls and errors" \
	"$(sed -n '1s/.* syscalls: final: \([0-9]* calls, [0-9]* errors\) in .*/\1/p' "$out")" "6 calls, 2 errors"

PERF_PROF_REPLAY=$rep pp syscalls --perins
cat > "$T_TMP/want" <<'W'
    PID     TID COMM             % time     seconds  usecs/call     calls    errors    min(us)    p50(us)    p99(us)    max(us) syscall          errnos
------- ------- ---------------- ------ ----------- ----------- --------- --------- ---------- ---------- ---------- ---------- ---------------- ------
    100     100 app                0.12    0.000006           2         3         0      1.000      1.999      2.975      3.000 getppid          -
    100     100 app                0.04    0.000002           1         2         1      0.500      0.500      1.487      1.500 write            EBADF:1
    100     101 app-worker        99.84    0.005000        5000         1         1   5000.000   5000.000   5000.000   5000.000 nanosleep        ERESTART_RESTARTBLOCK:1
------- ------- ---------------- ------ ----------- ----------- --------- --------- ---------- ---------- ---------- ---------- ---------------- ------
      -       - -                100.00    0.005008         834         6         2      0.500      1.487   5000.000   5000.000 total            -
note: 5 records lost: the calls in flight then are not counted
W
sed 1d "$out" > "$T_TMP/got"
if cmp -s "$T_TMP/got" "$T_TMP/want"; then ok "replay: --perins, by process and thread"; else
	fail "replay: --perins, by process and thread" "$(diff "$T_TMP/want" "$T_TMP/got")"; fi

PERF_PROF_REPLAY=$rep pp syscalls --json
got=$(python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
r = {x["syscall"]: x for x in o["rows"]}
print(o["report"], o["calls"], o["errors"], o["lost"], o["unpaired"], r["getppid"]["latency"]["sum"],
      r["write"]["errnos"][0]["name"], r["write"]["errnos"][0]["errno"], r["nanosleep"]["errnos"][0]["name"])' "$out")
check_eq "replay: --json: counts, lost, unpaired exits (3), sums, errnos" "$got" \
	"final 6 2 5 3 6000 EBADF 9 ERESTART_RESTARTBLOCK"
