# SPDX-License-Identifier: GPL-2.0
#
# live/bpf-agg.sh - counting in the kernel (lib/bpf/agg.c) leaves the
# tracepoint alone: while perf-prof runs aggregating programs on a
# tracepoint, one of them with a filter that rejects every record, another
# perf user of that tracepoint (perf-prof reading the records, and perf
# itself when installed) still sees each of a workload's records; and no
# record of the tracepoint reaches a ring of the aggregating runs (their
# rings carry only the task records). The top/num-dist numbers in both modes
# are the two-mode files' (# modes: ring bpf).
. "$TESTS_DIR/lib.sh"
need_root_tracefs

GETPPID=syscalls:sys_enter_getppid

probe_out=$("$PP" top --bpf -e "$GETPPID" -- "$WL" getppid 1 2>&1)
case "$probe_out" in
*"cannot count in the kernel"*)
	skip "bpf-agg.sh" "this kernel cannot run perf-prof's BPF programs: $probe_out"
	exit 0 ;;
esac

# two system-wide aggregations, A rejecting every record in its filter, B counting by process
a_out=$T_TMP/a.out a_err=$T_TMP/a.err
"$PP" top --bpf -e "$GETPPID/common_pid==1/key=common_pid/" -i 60000 > "$a_out" 2> "$a_err" < /dev/null &
a=$!
b_out=$T_TMP/b.out b_err=$T_TMP/b.err
out=$b_out err=$b_err
pp_bg top --bpf -e "$GETPPID//key=common_pid/" -i 60000
pp_ready
b=$bg
# ... while another perf user reads the records of its workload
out=$T_TMP/c.out err=$T_TMP/c.err
pp top --no-bpf -e "$GETPPID//key=common_pid/" -i 60000 -- "$WL" getppid 1000
wlpid=$(sed -n 's/^wl pid=//p' "$out")
check_eq "a perf-prof reading the records sees all 1000 while BPF aggregations (one rejecting all) run" \
	"$(awk -v p="$wlpid" '$1 == p { print $2 }' "$out")" 1000
if command -v perf > /dev/null 2>&1; then
	n=$(perf stat -x, -e "$GETPPID" -- "$WL" getppid 1000 2>&1 >/dev/null | awk -F, '/getppid/ { print $1 }')
	check_eq "perf stat counts all 1000 meanwhile" "$n" 1000
else
	skip "perf stat counts all 1000 meanwhile" "no perf (linux-perf) installed"
fi
kill -USR1 $a $b
sleep 0.5
kill -INT $a $b
wait $a
pp_wait
out=$T_TMP/out err=$T_TMP/err
check_eq "the counting aggregation has the workload's 1000 calls in its row" \
	"$(awk -v p="$wlpid" '$1 == p { print $2 }' "$b_out" | tail -1)" 1000
check_eq "the rejecting aggregation counted nothing" \
	"$(grep ' top: ' "$a_out" | tail -1 | awk '{ print $4 }')" 0
for f in "$a_err" "$b_err"; do
	check_eq "no record of the tracepoint in the aggregating run's rings ($(basename "$f" .err))" \
		"$(awk '$1 == "total" { print $3 }' "$f" | head -1)" 0
done
check_eq "no aggregating program left loaded" \
	"$(bpftool prog show 2>/dev/null | grep -c 'name pp_agg')" 0

# -v says where the counting happens
pp top -v --bpf -e "$GETPPID" -- "$WL" getppid 10
check_err "-v: counting in the kernel, no ring events" "counting in the kernel: 1 BPF programs"
pp top -v -e "$GETPPID" --only-comm -- "$WL" getppid 10
check_err "-v: what keeps top reading the records" \
	"reading the records: --only-comm names each sample's row in user space"

# --bpf when the options need each sample in user space: a usage error saying why
pp top --bpf --only-comm -e "$GETPPID"
check_fails "--bpf with --only-comm" 129 "cannot count in the kernel: --only-comm names each sample's row in user space"
pp top --bpf -e "$GETPPID" -N 10
check_fails "--bpf with -N" 129 "cannot count in the kernel: -N counts the samples in user space"
pp top --bpf -e "syscalls:sys_enter_write//key=common_pid/top-by=strlen(comm_get(common_pid))/"
check_fails "--bpf with an expression only user space runs" 129 "cannot count in the kernel:"

# a bounded kernel table: keys past --max-rows are dropped and counted, never silently
pp top --bpf -e "$GETPPID//key=_time/" --max-rows 10 -i 60000 -- "$WL" getppid 100
check_eq "--max-rows 10 over 100 keys: 10 rows of 1" \
	"$(awk '/ top: / { n = NR } { l[NR] = $0 } END { for (i = n + 2; i <= NR; i++) print l[i] }' "$out" | awk '{ s += $2 } END { print NR, s }')" "10 10"
check_err "... and the 90 others are said" "90 samples dropped in the kernel: more than 10 rows"

# events the kernel did not run the programs for: while `wl bpfcopy` copies a
# BPF map's value on CPU 1, the kernel marks the CPU busy with BPF and runs no
# tracepoint program there; the timer interrupts in the copies are skipped
# (and dropped for every perf user of the tracepoint). Counted + not delivered
# = what the records show over the same workload (timer ticks: near, not exact)
timer_top() {
	pp_bpfcopy top "$1" -C 1 -e timer:hrtimer_expire_entry -i 60000
	grep ' top: ' "$out" | tail -1 | awk '{ print $4 }'
}
ring=$(timer_top --no-bpf)
kern=$(timer_top --bpf)
missed=$(sed -n 's/.*: \([0-9]*\) events not delivered in this run: the kernel skipped their BPF.*/\1/p' "$err")
check_skips_said "bpf() copies on CPU 1: the timer events the programs did not see are said" "$missed"
check_near "... counted $kern + not delivered ${missed:-0} = the $ring records (within a fifth)" \
	$((${kern:-0} + ${missed:-0})) "$ring"

check_clean "no perf-prof left running"
