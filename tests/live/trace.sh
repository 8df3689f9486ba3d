# SPDX-License-Identifier: GPL-2.0
#
# live/trace.sh - `trace` against real kernel events of the wl workload,
# whose exact counts are known: every check asserts an exact number.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

GETPPID=syscalls:sys_enter_getppid

# --- a workload run: scoped to its pid, ends when it exits --------------------
pp trace -e $GETPPID -- "$WL" getppid 1000
check_rc "workload run exits 0 when the workload ends" 0
n=$(grep -c "$GETPPID:" "$out")
check_eq "workload run prints exactly 1000 events" "$n" 1000
wlpid=$(sed -n 's/^wl pid=//p' "$out")
others=$(grep "$GETPPID:" "$out" | awk -v p="$wlpid" '{ split($3, a, "/"); if (a[1] != p) n++ } END { print n + 0 }')
check_eq "every event belongs to the workload pid" "$others" 0
comm=$(grep "$GETPPID:" "$out" | awk '{ print $2 }' | sort -u)
check_eq "events carry the workload's comm" "$comm" "wl"

# --- field values through --json --------------------------------------------
pp trace --json -e syscalls:sys_enter_write -- "$WL" write 100 7
check_rc "json run exits 0" 0
res=$(grep '^{' "$out" | python3 -c '
import json, sys
n = 0; bad = 0
for line in sys.stdin:
    o = json.loads(line)
    if o["event"] != "syscalls:sys_enter_write" or not isinstance(o["fields"]["fd"], int):
        bad += 1
    if o["fields"]["count"] == 7 and o["comm"] == "wl" and o["pid"] == o["tid"]:
        n += 1
print(n, bad)')
check_eq "json: exactly 100 writes of count=7 with typed fields" "$res" "100 0"

# --- the kernel filter, system wide, stopped by SIGINT ----------------------
go=$T_TMP/go
"$WL" -W "$go" getppid 500 > "$T_TMP/wl.out" &
wl=$!
wait_for "$T_TMP/wl.out" "pid=" 5
pp_bg trace -e "$GETPPID/common_pid==$wl/"
pp_ready
touch "$go"
wait $wl
sleep 0.3
kill -INT $bg
pp_wait
check_rc "SIGINT ends a system-wide trace with exit 0" 0
n=$(grep -c "$GETPPID:" "$out")
check_eq "kernel filter common_pid==PID keeps exactly the 500 events" "$n" 500

# --- -N: exactly N ---------------------------------------------------------
pp trace -e $GETPPID -N 7 -- "$WL" getppid 100
check_rc "-N run exits 0" 0
n=$(grep -c "$GETPPID:" "$out")
check_eq "-N 7 prints exactly 7 events" "$n" 7

# --- a user-space filter: filtered-out samples do not count toward -N ---------
pp trace --no-bpf -e 'syscalls:sys_enter_write/count==fd+4/' -N 5 -- "$WL" write 100 7
n=$(grep -c 'count: 0x00000007' "$out")
check_eq "-N 5 with a user-space filter prints exactly 5 matching events" "$n" 5
check_eq "... and nothing else" "$(grep -c 'sys_enter_write:' "$out")" 5
check_eq "the user-space fallback is not announced without -v" "$(grep -c 'filtering in user space' "$err")" 0

# --- -p: only that process --------------------------------------------------
go=$T_TMP/go2
"$WL" -W "$go" getppid 300 > "$T_TMP/a.out" &
a=$!
"$WL" -W "$go" getppid 200 > "$T_TMP/b.out" &
b=$!
wait_for "$T_TMP/a.out" "pid=" 5
wait_for "$T_TMP/b.out" "pid=" 5
pp_bg trace -e $GETPPID -p $a
pp_ready
touch "$go"
wait $a $b
# the run ends by itself when its target exits
i=0
while kill -0 $bg 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $bg 2>/dev/null; then
	fail "-p run ends when the process exits"
	kill -INT $bg
else
	ok "-p run ends when the process exits"
fi
pp_wait
n=$(grep -c "$GETPPID:" "$out")
check_eq "-p PID sees exactly that process's 300 events" "$n" 300
others=$(grep "$GETPPID:" "$out" | awk -v p="$a" '{ split($3, x, "/"); if (x[1] != p) n++ } END { print n + 0 }')
check_eq "-p PID sees no other process" "$others" 0

# --- threads on both CPUs; --order never goes back in time ----------------
pp trace --order -e $GETPPID -- "$WL" -t 2 -r 20 getppid 20000
check_rc "--order run exits 0" 0
n=$(grep -c "$GETPPID:" "$out")
lost=$(grep -c 'lost' "$err")
if [ "$lost" -gt 0 ]; then
	skip "--order delivers all 40000 events of 2 threads" "records were lost on this busy machine: $(head -1 "$err")"
else
	check_eq "--order delivers all 40000 events of 2 threads" "$n" 40000
fi
cpus=$(grep "$GETPPID:" "$out" | awk '{ print $4 }' | sort -u | tr -d '\n')
check_eq "the two paced threads (2 x 20k/s) ran on both CPUs" "$cpus" "[000][001]"
back=$(grep "$GETPPID:" "$out" | awk '{ t = $1 + 0; if (t < last) n++; last = t } END { print n + 0 }')
check_eq "--order output never goes back in time" "$back" 0

# --- a sample's CPU is its ring's (records do not carry it): pinned workloads ---
first_cpu=$(sed 's/[-,].*//' /sys/devices/system/cpu/online)
last_cpu=$(sed 's/.*[-,]//' /sys/devices/system/cpu/online)
for c in $first_cpu $last_cpu; do
	pp trace -e $GETPPID -- taskset -c "$c" "$WL" getppid 100
	want=$(printf '100[%03d]' "$c")
	got=$(grep "$GETPPID:" "$out" | awk '{ print $4 }' | sort | uniq -c | awk '{ print $1 $2 }' | tr -d '\n')
	check_eq "a workload pinned to CPU $c: all 100 events on [$c]" "$got" "$want"
	pp trace --json -e $GETPPID -- taskset -c "$c" "$WL" getppid 100
	got=$(grep -c "\"cpu\":$c," "$out")
	check_eq "the same in --json: 100 events with \"cpu\":$c" "$got" 100
done

# --- a short-lived child is named ---------------------------------------------
pp trace -e $GETPPID -- "$WL" fork 50
n=$(grep "$GETPPID:" "$out" | awk '$2 == "wl-child"' | wc -l)
check_eq "a forked short-lived child's 50 events carry its comm" "$n" 50

# --- SIGUSR1: stats, and the run goes on ------------------------------------
pp_bg trace -e $GETPPID -- "$WL" -d 2000 getppid 100
pp_ready
kill -USR1 $bg
sleep 0.5
if grep -q 'ring statistics' "$err" && kill -0 $bg 2>/dev/null; then
	ok "SIGUSR1 prints ring statistics and the run goes on"
else
	fail "SIGUSR1 prints ring statistics and the run goes on" "stderr: $(cat "$err")"
fi
pp_wait
check_rc "the run continued to the workload's end" 0
n=$(grep -c "$GETPPID:" "$out")
check_eq "events after SIGUSR1 are all there" "$n" 100

# --- help: fields of an event ---------------------------------------------------
pp trace -e sched:sched_wakeup help
check_rc "help exits 0" 0
if grep -qE '^ +pid +pid_t +24 +4 signed' "$out" && grep -q "perf-prof trace -e 'sched:sched_wakeup'" "$out"; then
	ok "help lists the fields with type/size/sign and a suggested command"
else
	fail "help lists the fields with type/size/sign and a suggested command" "$(cat "$out")"
fi

check_clean "no perf-prof left running"
