# SPDX-License-Identifier: GPL-2.0
#
# live/top.sh - `top` numbers against the exact work of wl processes started
# by the test (as the workload, so only they are seen). Run twice: reading the
# records, and counting in the kernel (what needs each sample in user space,
# --only-comm, says --no-bpf itself).
# modes: ring bpf
. "$TESTS_DIR/lib.sh"
need_root_tracefs

GETPPID=syscalls:sys_enter_getppid
# three processes doing exactly 100, 200 and 300 getppid calls
three="$WL getppid 100 & $WL getppid 200 & $WL getppid 300 & wait"

# row VALUE_OF_KEY: the line of the final report whose key column is $1
final_rows() { awk '/ top: [0-9]+ samples/ { n = NR } { l[NR] = $0 } END { for (i = n + 2; i <= NR; i++) print l[i] }' "$out"; }

pp top -e "$GETPPID//key=common_pid/" -i 60000 -- sh -c "$three"
check_rc "top over a workload exits 0" 0
pids=$(sed -n 's/^wl pid=//p' "$out" | sort -n | tr '\n' ' ')
# wl_rows: the final report's rows of the wl processes (sh itself calls getppid)
wl_rows() { final_rows | awk -v p=" $pids" 'index(p, " " $1 " ")'; }
keys=$(wl_rows | awk '{ print $1 }' | sort -n | tr '\n' ' ')
check_eq "rows are keyed by the processes' pids" "$keys" "$pids"
order=$(wl_rows | awk '{ print $2 }' | tr '\n' ' ')
check_eq "three processes: exactly 300, 200 and 100 calls, largest first" "$order" "300 200 100 "
cols=$(final_rows | awk '{ print NF }' | sort -u)
check_eq "key= without comm=: no name column" "$cols" 2

# the default key is the thread id; one table for two events
pp top -e "$GETPPID,syscalls:sys_exit_getppid" -i 60000 -- "$WL" -t 2 getppid 250
rows=$(final_rows | awk '{ print $2, $3, $4 }' | sort -u)
check_eq "default key = thread: each thread's row has 250 enters and 250 exits" "$rows" "250 250 wl"
check_eq "two threads, two rows" "$(final_rows | wc -l)" 2

# top-by a field with a known sum: 100 writes of 7 bytes (kernel filter count==7)
pp top -e 'syscalls:sys_enter_write/count==7/key=common_pid/top-by=count/top-add=1/' -i 60000 -- "$WL" write 100 7
row=$(final_rows | awk '{ print $2, $3 }')
check_eq "top-by=count sums to 700 over 100 writes; top-add=1 counts 100" "$row" "700 100"
hdr=$(awk '/ top: / { getline; print; exit }' "$out" | awk '{ print $1, $2, $3 }')
check_eq "header: key, top-by, top-add" "$hdr" "COMMON_PID count 1"

# a user-space filter (arithmetic: the kernel refuses it) keeps exactly the 100
pp top --no-bpf -e 'syscalls:sys_enter_write/count==fd+4/key=common_pid/top-by=count/' -i 60000 -- "$WL" write 100 7
row=$(final_rows | awk '{ print $2 }')
check_eq "user-space filter count==fd+4 keeps exactly the 100 writes of 7 to fd 3" "$row" "700"
check_eq "stderr stays empty when nothing is wrong (where filters run is said with -v)" "$(cat "$err")" ""
pp top -v --no-bpf -e 'syscalls:sys_enter_write/count==fd+4/key=common_pid/top-by=count/' -i 60000 -- "$WL" write 100 7
check_err "-v says the filter runs in user space" "filtering in user space"

# the same arithmetic filter without --no-bpf: in the kernel's program in the bpf pass
pp top -e 'syscalls:sys_enter_write/count==fd+4/key=common_pid/top-by=count/' -i 60000 -- "$WL" write 100 7
check_eq "filter count==fd+4 (user space, or the kernel's program) keeps exactly the 100 writes" \
	"$(final_rows | awk '{ print $2 }')" "700"

# -p follows the process's threads made after the attach
"$WL" -d 1500 -t 2 getppid 150 > "$T_TMP/wl.out" &
wlp=$!
pp top -e "$GETPPID" -p $wlp -i 60000
wait $wlp
check_eq "-p: two threads started after the attach, 150 calls each" \
	"$(final_rows | awk '{ print $2, $3 }' | sort -u)" "150 wl"
check_eq "... in two rows" "$(final_rows | wc -l)" 2

# --only-comm merges rows by name; comm= and printkey=
two="$WL -n alpha getppid 100 & $WL -n alpha getppid 200 & $WL -n beta getppid 300 & wait"
pp top --no-bpf --only-comm -e "$GETPPID" -i 60000 -- sh -c "$two"
got=$(final_rows | awk '$2 != "sh" { print $2 ":" $1 }' | sort | tr '\n' ' ')
check_eq "--only-comm: alpha 100+200, beta 300" "$got" "alpha:300 beta:300 "
# without --order: --only-comm turns it on (a child renamed on one CPU and sampled on
# another would otherwise be counted before its COMM record is read)
for i in 1 2 3; do
	pp top --no-bpf --only-comm -e "$GETPPID" -i 60000 -- sh -c "$two"
	got=$(final_rows | awk '$2 != "sh" { print $2 ":" $1 }' | sort | tr '\n' ' ')
	[ "$got" = "alpha:300 beta:300 " ] || break
done
check_eq "--only-comm without --order, 3 runs: the exited children keep their names" "$got" \
	"alpha:300 beta:300 "

pp top -e "$GETPPID//key=common_pid/printkey=printf(\"pid-%d\",key)/" -i 60000 -- "$WL" getppid 42
row=$(final_rows | awk '{ print $1, $2 }')
wlpid=$(sed -n 's/^wl pid=//p' "$out")
check_eq "printkey= formats the key column" "$row" "pid-$wlpid 42"

# a '*' width from an argument is bounded like a written one (999999): 2 GB
# per key is an expression error, counted; the key is printed as a number
pp top -e "$GETPPID//key=common_pid/printkey=printf(\"%*d\",2147483647,key)/" -i 60000 -o "$T_TMP/pk" -- "$WL" getppid 42
wlpid=$(sed -n 's/^wl pid=//p' "$out")
check_eq "printkey= with a '*' width of 2^31-1: the key as a number, a small file" \
	"$(awk 'NR > 2 { print $1, $2 }' "$T_TMP/pk") $(($(wc -c < "$T_TMP/pk") < 1000))" "$wlpid 42 1"
check_err "... and the failure is said" "printkey= failed on 1 keys (division by zero, a printf width or precision beyond 999999, ...)"
pp top -e "$GETPPID//key=common_pid/printkey=printf(\"[%-*d]\",12,key)/" -i 60000 -o "$T_TMP/pk" -- "$WL" getppid 42
check_eq "printkey= output goes to -o FILE with the rest" \
	"$(grep -cF "[$(printf '%-12d' "$(sed -n 's/^wl pid=//p' "$out")")] " "$T_TMP/pk")" 1

# --json carries the same numbers
pp top --json -e "$GETPPID//key=common_pid/" -i 60000 -- sh -c "$three"
pids=$(sed -n 's/^wl pid=//p' "$out" | tr '\n' ' ')
got=$(grep '^{' "$out" | tail -1 | python3 -c '
import json, sys
pids = [int(p) for p in sys.argv[1].split()]
o = json.loads(sys.stdin.read())
rows = [r for r in o["rows"] if r["key"] in pids]
print(o["columns"], sorted(r["values"][0] for r in rows), o["key"])' "$pids")
check_eq "--json: one object per report with the same numbers" "$got" "['sys_enter_getppid'] [100, 200, 300] COMMON_PID"

# interval reports: the table resets unless --cumulative
pp top -e "$GETPPID//key=common_pid/" -i 200 -- "$WL" -r 1 getppid 1000
# the last report is the final one, over the whole run; the others are one interval each
sum=$(awk '/ top: / { s += l; l = $4 } END { print s }' "$out")
check_eq "interval reports add up to every sample exactly once" "$sum" 1000
check_eq "the final report covers the whole run: 1000 samples, 1000 in total" \
	"$(grep ' top: ' "$out" | tail -1 | awk '{ print $4, $9 }')" "1000 1000"
check_eq "... in one row of 1000" "$(final_rows | awk '{ print $2 }')" 1000
n=$(grep -c ' top: ' "$out")
if [ "$n" -ge 4 ]; then ok "a ~1 s workload with -i 200 gives several reports ($n)"; else fail "a ~1 s workload with -i 200 gives several reports" "got $n"; fi
pp top --json -e "$GETPPID//key=common_pid/" -i 200 -- "$WL" -r 1 getppid 1000
got=$(grep '^{' "$out" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
iv = [o for o in objs if o["report"] == "interval"]
fin = [o for o in objs if o["report"] == "final"]
print(len(iv) >= 4, sum(o["samples"] for o in iv), len(fin), fin[-1]["samples"], sum(r["values"][0] for r in fin[-1]["rows"]))')
check_eq "--json: interval reports add up, the final one (\"report\":\"final\") holds all 1000" "$got" "True 1000 1 1000 1000"
pp top --cumulative -e "$GETPPID//key=common_pid/" -i 200 -- "$WL" -r 1 getppid 1000
last=$(final_rows | awk '{ print $2 }')
check_eq "--cumulative: the final report holds all 1000" "$last" 1000

# SIGUSR1 prints the table without resetting it
pp_bg top -e "$GETPPID//key=common_pid/" -i 60000 -- "$WL" -D 1500 getppid 77
pp_ready
sleep 0.8
kill -USR1 $bg
pp_wait
n=$(grep -c ' top: 77 samples' "$out")
check_eq "SIGUSR1 report and final report both show the 77 calls" "$n" 2

# expression errors: a division by zero skips the sample, counted, no crash
pp top -e "$GETPPID//key=common_pid/top-by=(100/(common_pid-common_pid))/" -i 60000 -- "$WL" getppid 10
check_rc "division by zero in top-by does not crash" 0
check_err "expression errors are counted and reported" "10 samples of 'syscalls:sys_enter_getppid' skipped: expression errors"

# type errors are usage errors, with the caret diagnostic
pp top -e "$GETPPID//top-by=nosuchfield/"
check_fails "an unknown field in top-by is a usage error" 129 "top-by= of 'syscalls:sys_enter_getppid'"
pp top -e 'sched:sched_switch//key=prev_pid/comm=prev_pid/'
check_fails "comm= must be a string" 129 "comm=prev_pid of 'sched:sched_switch' is a number"
pp top -e 'sched:sched_switch//key=prev_pid/,sched:sched_wakeup'
check_fails "key= on some events only is refused" 129 "key= is given for some events but not all"

# -C and cpus=: the records of those CPUs only (in the kernel, the programs count on them only)
GP='syscalls:sys_enter_getppid//key=common_pid/'
if pp_cpu_split "getppid 500" "getppid 700" top -C 1 -e "$GP"; then
	check_eq "-C 1: the 700 getppid of the task on CPU 1, none of the one on CPU 0" \
		"$(awk -v a="$pid0" -v b="$pid1" '$1 == a || $1 == b { print $1 == a ? "cpu0" : "cpu1", $2 }' "$out" | sort -u | tr '\n' ' ')" "cpu1 700 "
	pp_cpu_split "getppid 500" "getppid 700" top -e 'syscalls:sys_enter_getppid//cpus=1/key=common_pid/'
	check_eq "cpus=1: the same" \
		"$(awk -v a="$pid0" -v b="$pid1" '$1 == a || $1 == b { print $1 == a ? "cpu0" : "cpu1", $2 }' "$out" | sort -u | tr '\n' ' ')" "cpu1 700 "
else
	skip "-C 1 and cpus=1" "this machine has no CPU 1"
fi

check_clean "no perf-prof left running"

# --keep-exited: a long run sees every thread that ever lived; the whole run keeps the N largest
# exited threads' rows and sums the others into one row '-' named exited:COUNT, totals exact.
# 40 processes, one after the other, doing 1..40 getppid calls: the 5 kept are 40..36.
forty="for i in \$(seq 1 40); do $WL getppid \$i > /dev/null; sleep 0.01; done"
# the shell's own getppid calls (dash makes one as it starts), measured, not assumed
pp_whole top -e "$GETPPID" -- sh -c "true"
sh_calls=$(awk '/ top: [0-9]+ samples in / { t = $(NF - 2) } END { print t + 0 }' "$out")
sh_rows=$([ "$sh_calls" -gt 0 ] && echo 1 || echo 0)
pp_whole top -e "$GETPPID" --keep-exited 5 -i 100 -- sh -c "$forty"
kept=$(final_rows | awk '$NF == "wl" { print $2 }' | tr '\n' ' ')
check_eq "--keep-exited 5: the whole run keeps the 5 largest exited threads" "$kept" "40 39 38 37 36 "
folded=$(final_rows | awk '$1 == "-" { print $NF }')
sum=$(final_rows | awk '{ s += $2 } END { print s }')
total=$(awk '/ top: [0-9]+ samples in / { t = $(NF - 2) } END { print t }' "$out")
check_eq "... the others are one row named exited:N, and the rows add up to the total" \
	"${folded%%:*} $sum" "exited $total"
check_count "... 40 processes' 820 calls and the shell's $sh_calls: the total" "$total" $((820 + sh_calls))
pp_whole top --json -q -e "$GETPPID" --keep-exited 5 -i 100 -- sh -c "$forty"
got=$(tail -1 "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
rows = sum(r["values"][0] for r in o["rows"])
f = o["folded"]
print(o["report"], rows + f["values"][0] == o["total"], o["total"], len(o["rows"]) + f["exited_threads"])')
check_eq "--json: \"folded\" holds the exited threads' count and sums; rows + folded = total, every process in one of them" \
	"$got" "final True $((820 + sh_calls)) $((40 + sh_rows))"
pp_whole top -e "$GETPPID" --keep-exited 0 -i 100 -- sh -c "$forty"
check_eq "--keep-exited 0 keeps every row" "$(final_rows | awk '$NF == "wl"' | wc -l)" 40
