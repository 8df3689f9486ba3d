# SPDX-License-Identifier: GPL-2.0
#
# live/mpdelay.sh - num-dist (alias mpdelay) over values with a known
# distribution: `wl writes 1000` writes 1, 2, ..., 1000 bytes to /dev/null
# (its fd 3), so sys_enter_write's count is every integer 1..1000 once.
# Run twice: reading the records, and counting in the kernel (--than and
# --flame-graph need the records: they say --no-bpf themselves).
# modes: ring bpf
. "$TESTS_DIR/lib.sh"
need_root_tracefs

WR='syscalls:sys_enter_write/fd==3/num=count/'

# table_row: the final report's row of the events (the line after the header)
table_row() { awk '/ num-dist: final: / { getline; getline; print; exit }' "$out"; }
# hist: the final report's histogram lines "LO -> HI : COUNT"
hist() { awk '/ num-dist: final: / { f = 1 } f && / -> / { print $1 "-" $3 ":" $5 }' "$out" | tr '\n' ' '; }

pp num-dist -e "$WR" -- "$WL" writes 1000
check_rc "num-dist over a workload exits 0" 0
check_eq "count min avg p50 max total" "$(table_row | awk '{ print $2, $3, $4, $8, $9 }')" \
	"1000 1 500.5 1000 500500"
p=$(table_row | awk '{ print $5, $6, $7 }')
# percentiles: the bucket's middle, within 1/64 of the true 500, 950, 990
check_eq "p50 p95 p99 within 1.6%" "$(echo "$p" | awk '{ print ($1 >= 492 && $1 <= 508) ($2 >= 935 && $2 <= 965) ($3 >= 974 && $3 <= 1000) }')" 111
check_eq "log2 histogram: 1, 2, 4, ... 256 and 489 in 512..1023" "$(hist)" \
	"1-1:1 2-3:2 4-7:4 8-15:8 16-31:16 32-63:32 64-127:64 128-255:128 256-511:256 512-1023:489 "
check_eq "the row is named after the event and its value" "$(table_row | awk '{ print $1 }')" \
	"sys_enter_write(count)"

# the old name runs the same profiler
pp mpdelay -e "$WR" -- "$WL" writes 1000
check_eq "mpdelay is num-dist" "$(table_row | awk '{ print $1, $2, $9 }')" "sys_enter_write(count) 1000 500500"

# --than prints the events above it
pp num-dist --no-bpf -e "$WR" --than 990 -- "$WL" writes 1000
check_eq "--than 990: the 10 writes of 991..1000 bytes" \
	"$(grep 'syscalls:sys_enter_write: ' "$out" | sed 's/.*count: 0x0*\([0-9a-f]*\)$/\1/' | tr '\n' ' ')" \
	"3df 3e0 3e1 3e2 3e3 3e4 3e5 3e6 3e7 3e8 "
check_eq "the over column counts them" "$(table_row | awk '{ print $(NF-1), $NF }')" "10 (1.0%)"

# JSON: the same numbers, exactly
pp num-dist --json -e "$WR" -- "$WL" writes 1000
got=$(grep '^{' "$out" | tail -1 | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
r = o["rows"][0]
s = r["stats"]
print(o["report"], o["values"], r["event"], s["count"], s["min"], s["max"], s["sum"], s["mean"],
      " ".join("%d-%d:%d" % (h["lo"], h["hi"], h["count"]) for h in s["hist"]))')
check_eq "--json: count min max sum mean and the histogram" "$got" \
	"final 1000 sys_enter_write(count) 1000 1 1000 500500 500.5 1-1:1 2-3:2 4-7:4 8-15:8 16-31:16 32-63:32 64-127:64 128-255:128 256-511:256 512-1023:489"

# --flame-graph: the stacks of the values above --than, weighed by them: 501 + ... + 1000
pp num-dist --no-bpf -e "$WR" -g --than 500 --flame-graph "$T_TMP/nd.folded" -- "$WL" writes 1000
got=$(awk '$1 ~ /^sys_enter_write\(count\);.*;main;/ { s += $NF } END { print s + 0 }' "$T_TMP/nd.folded")
check_eq "--flame-graph: the 500 writes above 500 bytes weigh 375250, under main" "$got" 375250
check_err "... and are counted" "flame graph of 500 values over --than written to"
pp num-dist -e "$WR" -g --flame-graph "$T_TMP/nd.folded"
check_fails "--flame-graph without --than" 129 "--flame-graph needs --than"

pp num-dist --no-bpf --json --than 998 -e "$WR" -- "$WL" writes 1000
got=$(grep '"report":"over"' "$out" | python3 -c '
import json, sys
print(" ".join("%s:%d" % (o["event"], o["value"]) for o in map(json.loads, sys.stdin)))')
check_eq "--json --than: an object per value above it" "$got" "sys_enter_write(count):999 sys_enter_write(count):1000"

# delay= values are nanoseconds, printed with units
pp num-dist -e 'syscalls:sys_enter_write/fd==3/delay=count*1000/alias=wr/' -- "$WL" writes 1000
check_eq "delay=: durations with units" "$(table_row | awk '{ print $1, $2, $3, $4, $13, $14 }')" \
	"wr 1000 1.000 us 1.000 ms"
check_eq "delay=: the histogram is in nsecs" "$(grep -c '^ *nsecs  *: count' "$out")" 1

# per thread: two threads, 100 writes each
pp num-dist --perins -e 'syscalls:sys_enter_write/fd>2/num=count/' -- "$WL" -t 2 writes 100
tids=$(awk '/ num-dist: final: / { getline; while (getline > 0 && $0 != "") print $1 }' "$out" | tr '\n' ' ')
pid=$(sed -n 's/^wl pid=//p' "$out")
set -- $tids
check_eq "--perins: the rows are two threads other than the main one" \
	"$# $([ "$1" != "$2" ] && [ "$1" != "$pid" ] && [ "$2" != "$pid" ] && echo distinct)" "2 distinct"
got=$(awk '/ num-dist: final: / { getline; while (getline > 0 && $0 != "") print $2, $3, $10 }' "$out" | tr '\n' ' ')
check_eq "--perins: one row per thread, 100 values summing to 5050" "$got" \
	"sys_enter_write(count) 100 5050 sys_enter_write(count) 100 5050 "

# interval reports add up; the final report is the whole run
pp num-dist -e "$WR" -i 100 -- "$WL" -d 350 writes 1000
check_eq "the final report has all 1000" "$(table_row | awk '{ print $2 }')" 1000
sum=$(awk '/ num-dist: [0-9]+ values in / { s += $4 } END { print s }' "$out")
check_eq "interval reports add up to 1000" "$sum" 1000

# SIGUSR1 prints without resetting
pp_bg num-dist -e "$WR" -- "$WL" -D 1500 writes 77
pp_ready
sleep 0.8
kill -USR1 $bg
pp_wait
check_eq "SIGUSR1 and final reports both have the 77 values" \
	"$(grep -c ' num-dist: \(signal\|final\): 77 values' "$out")" 2

# bad input
pp num-dist -e syscalls:sys_enter_write
check_fails "an event without num= or delay=" 129 "'syscalls:sys_enter_write' has no num= or delay=: there is no value to collect"
pp num-dist -e 'syscalls:sys_enter_write//num=count/delay=count/'
check_fails "both num= and delay=" 129 "'syscalls:sys_enter_write' has both num= and delay="
pp num-dist -e 'sched:sched_switch//num=prev_comm/'
check_fails "a string value" 129 "num=prev_comm of 'sched:sched_switch' is a string; a number is needed here"
pp num-dist --no-bpf -e "$WR" --than lots
check_fails "a bad --than" 129 "invalid value 'lots' for --than: not a number"
pp num-dist -e 'syscalls:sys_enter_write//num=nosuch/'
check_fails "an unknown field" 129 "num=nosuch of 'syscalls:sys_enter_write'"

# -C and cpus=: the values of those CPUs only
if pp_cpu_split "writes 100" "writes 200" num-dist -C 1 -e "$WR"; then
	check_eq "-C 1: the 200 writes of the task on CPU 1 (count min max total)" \
		"$(table_row | awk '{ print $2, $3, $8, $9 }')" "200 1 200 20100"
	pp_cpu_split "writes 100" "writes 200" num-dist -e 'syscalls:sys_enter_write/fd==3/num=count/cpus=1/'
	check_eq "cpus=1: the same" "$(table_row | awk '{ print $2, $3, $8, $9 }')" "200 1 200 20100"
else
	skip "-C 1 and cpus=1" "this machine has no CPU 1"
fi

if [ "${PP_AGG:-}" = bpf ]; then
	check_bpf_run pp_agg 3 num-dist -e "$WR" -- "$WL" -D 1500 writes 77
	pp num-dist --bpf -e "$WR" --than 5
	check_fails "--bpf with --than says what prevents it" 129 "cannot count in the kernel: --than prints each value's record"
fi

check_clean "no perf-prof left running"
