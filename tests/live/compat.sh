# SPDX-License-Identifier: GPL-2.0
#
# live/compat.sh - the reference perf-prof's command lines: options and
# attributes it accepts, with exact expectations from workloads.
. "$TESTS_DIR/lib.sh"
need_root_tracefs
LEAKER=$WORKLOAD_DIR/leaker
wl_pid() { sed -n 's/^wl pid=//p' "$out" | head -1; }
final_value() { awk -v k="$1" '/ top: [0-9]+ samples/ { n = NR } n && NR > n + 1 && $1 == k { v = $2 } END { print v }' "$out"; }

# kmemleak --order: accepted (kmemleak always orders)
pp kmemleak --order --libc -- "$LEAKER" leak 3 1000
check_rc "kmemleak --order is accepted" 0
check_eq "... and reports the 3 leaks of 1000 bytes" "$(grep -c '^Leak of 3000 bytes in 3 objects' "$out")" 1

# trace --overwrite -m 1: a flight recorder keeps the newest records, loses nothing it reports
pp trace --overwrite -m 1 -e syscalls:sys_enter_write -- "$WL" writes 3000
check_rc "trace --overwrite exits 0" 0
counts=$(sed -n 's/.*:sys_enter_write: fd: 0x00000003, .*count: \(0x[0-9a-f]*\)$/\1/p' "$out" |
	python3 -c 'import sys; [print(int(l, 16)) for l in sys.stdin]')
n=$(echo "$counts" | grep -c .)
first=$(echo "$counts" | head -1)
last=$(echo "$counts" | tail -1)
contig=$(echo "$counts" | awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { print bad ? "gap" : "contiguous" }')
if [ "$n" -ge 10 ] && [ "$n" -lt 3000 ] && [ "$last" = 3000 ] && [ "$contig" = contiguous ] &&
   [ "$first" = $((3001 - n)) ]; then
	ok "--overwrite -m 1: the newest $n writes survive, $first..3000 without a gap"
else
	fail "--overwrite -m 1: a contiguous tail ending at 3000" "n=$n first=$first last=$last $contig"
fi
check_eq "--overwrite: nothing reported lost" "$(grep -c 'lost' "$err")" 0
check_eq "--overwrite: the workload keeps its name (its COMM record was overwritten)" \
	"$(awk '/:sys_enter_write: fd: 0x00000003/ { print $2 }' "$out" | sort -u)" wl

# --ptrace: forks and threads are followed (by inheritance)
pp trace --ptrace -e syscalls:sys_enter_getppid -- "$WL" fork 50
check_rc "--ptrace is accepted" 0
check_eq "--ptrace: the forked child's 50 getppid are traced" \
	"$(awk '$2 == "wl-child"' "$out" | grep -c sys_enter_getppid)" 50

# --monotonic (the default) and --clock-offset
pp trace --monotonic -e syscalls:sys_enter_getppid -- "$WL" getppid 5
check_eq "--monotonic is accepted: 5 events" "$(grep -c sys_enter_getppid: "$out")" 5
now=$(awk '{ print int($1) }' /proc/uptime)
pp trace --clock-offset 1000000000000 -e syscalls:sys_enter_getppid -- "$WL" getppid 1
t=$(awk '/sys_enter_getppid:/ { print int($1) }' "$out")
if [ -n "$t" ] && [ "$t" -ge $((now + 1000 - 5)) ] && [ "$t" -le $((now + 1000 + 60)) ]; then
	ok "--clock-offset 1000 s moves the timestamps by 1000 s ($t, uptime $now)"
else
	fail "--clock-offset 1000 s" "time $t, uptime $now"
fi
pp trace --clock-offset abc -e syscalls:sys_enter_getppid -- true
check_rc "--clock-offset abc is a usage error" 129

# --tsc where the kernel gives no conversion, --kvmclock: clear errors
pp trace --tsc -e syscalls:sys_enter_getppid -- "$WL" getppid 1
if [ "$rc" -eq 0 ]; then
	ok "--tsc: this kernel converts to TSC (the run succeeded)"
else
	check_rc "--tsc without the kernel's TSC conversion: exit 1" 1
	check_err "--tsc says why" "--tsc: this kernel gives no TSC conversion"
fi
pp trace --kvmclock 4e7d-fake -e syscalls:sys_enter_getppid -- "$WL" getppid 1
check_rc "--kvmclock: usage error here" 129
check_err "--kvmclock says why" "no conversion to a guest's kvmclock here"

# --sampling-limit N: at most N samples a second per event, the rest counted
pp top --sampling-limit 100 -e 'syscalls:sys_enter_getppid//key=common_pid/' -- "$WL" getppid 1000
n=$(final_value "$(wl_pid)")
if [ -n "$n" ] && [ "$n" -ge 100 ] && [ "$n" -le 200 ]; then
	ok "--sampling-limit 100: $n of 1000 delivered (100 per second of events)"
else
	fail "--sampling-limit 100: 100-200 of 1000 delivered" "got '$n'"
fi
drop=$(sed -n "s/.*: \([0-9]*\) samples of 'syscalls:sys_enter_getppid' dropped by --sampling-limit 100/\1/p" "$err")
check_eq "delivered + dropped = 1000" "$(( ${n:-0} + ${drop:-0} ))" 1000

# --perfeval-cpus / --perfeval-pids: samples per CPU and per process, at the end
pp trace --perfeval-cpus 0-1 --perfeval-pids 1 -e syscalls:sys_enter_getppid -- "$WL" -t 2 getppid 300
c0=$(sed -n 's/.*perfeval: CPU 0: \([0-9]*\) samples.*/\1/p' "$err")
c1=$(sed -n 's/.*perfeval: CPU 1: \([0-9]*\) samples.*/\1/p' "$err")
check_eq "--perfeval-cpus: 300 samples on each CPU (threads pinned to CPU 0 and 1)" "$c0 $c1" "300 300"
check_eq "--perfeval-pids: pid 1 had none" "$(sed -n 's/.*perfeval: pid 1: \([0-9]*\) samples.*/\1/p' "$err")" 0

# cpus=LIST on one event: opened only there
pp trace -e 'syscalls:sys_enter_getppid//cpus=0/' -- "$WL" -t 2 getppid 100
check_eq "cpus=0 on a workload pinned to both CPUs: 100 events, all from CPU 0" \
	"$(grep -o ' \[00[0-9]\] ' "$out" | sort | uniq -c | awk '{ print $1, $2 }')" "100 [000]"
pp top -e 'syscalls:sys_enter_getppid//cpus=1/' -- "$WL" -t 2 getppid 100
check_eq "cpus=1: the other thread's 100, named (task records from every CPU)" \
	"$(awk '/ top: / { n = NR } n && NR > n + 1 { print $2, $3 }' "$out")" "100 wl"
pp trace -e 'syscalls:sys_enter_getppid//cpus=64/' -- "$WL" getppid 1
check_rc "cpus= naming none of the run's CPUs: usage error" 129

# a profiler named in -e is an event source: its events (with its options) enter this run
pp trace -e 'kmemleak/--libc/' -- "$LEAKER" leak 3 1000 pairs 5
check_rc "trace -e 'kmemleak/--libc/' exits 0" 0
check_eq "kmemleak's malloc probe enters trace: the 3 mallocs of 1000 bytes" \
	"$(grep -c ' uprobe:malloc: .* size=1000 ' "$out")" 3
check_eq "... and its free probe: the leaker's 5 pairs' frees are there" \
	"$(grep -c ' uprobe:free: ' "$out" | awk '{ print ($1 >= 5) }')" 1
pp top -e 'kmemleak/--libc/alias=x/' -- "$LEAKER" leak 3 1000
check_rc "a source's term takes the reading profiler's attributes" 0
pp trace -e 'kmemleak/--nosuch/' -- true
check_rc "a source's bad option: usage error" 129
check_err "... naming the source" "event source 'kmemleak'"
pp trace -e 'trace/-e sched:sched_switch/' -- true
check_rc "a profiler cannot read itself" 129
