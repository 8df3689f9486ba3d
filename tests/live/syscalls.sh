# SPDX-License-Identifier: GPL-2.0
#
# live/syscalls.sh - syscalls against the sysmix workload's known calls:
# exactly 1234 getppid, 77 writes to /dev/null, 7 writes to a closed fd
# (EBADF) and 20 nanosleeps of 5 ms, in one thread or (-f) spread over a
# thread and a forked child; counts checked exactly and against `strace -c
# -f` of the same workload, the sleeps against the durations the workload
# measured itself (the machine is loaded: no fixed upper bound). Run twice,
# with the same expectations: reading the records, and counting in the
# kernel (--than and -g, which print from the records, say --no-bpf).
# modes: ring bpf
. "$TESTS_DIR/lib.sh"
need_root_tracefs

MIX=$WORKLOAD_DIR/sysmix
# col SYSCALL N - column N of SYSCALL's row in the last table of $out (no --perins)
col() {
	awk -v s="$1" -v n="$2" '/ syscalls: final: / { f = 1; next } f && $(NF-1) == s { print $n; exit }' "$out"
}
# scol FILE SYSCALL N - column N of SYSCALL's row of strace -c's table
scol() {
	awk -v s="$2" -v n="$3" '$NF == s { v = (NF == 6) ? $n : ($n == "" ? "" : $n); if (NF == 5 && n == 5) v = 0; print v; exit }' "$1"
}
# pcol PID TID SYSCALL N - column N of a --perins row
pcol() {
	awk -v p="$1" -v t="$2" -v s="$3" -v n="$4" '/ syscalls: final: / { f = 1; next }
	f && $1 == p && $2 == t && $(NF-1) == s { print $n; exit }' "$out"
}

for mode in plain -f; do
	flag=
	[ "$mode" = -f ] && flag=-f
	tag="$mode: "
	pp_whole syscalls -- "$MIX" $flag -M "$T_TMP/slept"
	check_rc "${tag}syscalls over sysmix exits 0" 0
	check_count "${tag}getppid: 1234 calls" "$(col getppid 4)" 1234
	# the 77 + 7 writes, the workload's own two lines to stdout and its -M file
	check_count "${tag}write: 87 calls" "$(col write 4)" 87
	check_count "${tag}write: the 7 EBADF are its errors" "$(col write 5) $(col write 11)" "7 EBADF:7"
	# exact in both modes: a sleep that moved CPU has its exit in another ring, read in time
	# order (without ordering, 1 or 2 of 20 went missing in a quarter of the -f runs)
	check_count "${tag}nanosleep: 20 calls" "$(col nanosleep 4)" 20
	n=$(col nanosleep 4)
	# the kernel's time of a sleep is a little shorter than the workload's clock around it
	med=$(sort -n "$T_TMP/slept" | sed -n 10p)
	max=$(sort -n "$T_TMP/slept" | tail -1)
	p50=$(col nanosleep 7)
	mn=$(col nanosleep 6)
	mx=$(col nanosleep 9)
	if awk -v p="$p50" -v m="$med" -v a="$mn" -v x="$mx" -v X="$max" 'BEGIN {
		p *= 1000; a *= 1000; x *= 1000
		exit !(a >= 5000000 && p >= 5000000 && p <= m * 1.03 + 50000 && p >= m * 0.97 - 300000 && x <= X * 1.02) }'; then
		ok "${tag}nanosleep: min >= 5 ms, p50 $p50 us by the sleeps the workload measured (median $med ns)"
	else
		fail "${tag}nanosleep: min >= 5 ms, p50 by the measured median, max by the measured max" \
			"min $mn us, p50 $p50 us, max $mx us; measured median $med ns, max $max ns"
	fi
	# the total line adds the rows up
	check_eq "${tag}the total line's calls are the rows' sum" \
		"$(awk '/ syscalls: final: / { f = 1; next } f && $(NF-1) == "total" { t = $4 } f && $1 ~ /^[0-9.]+$/ && $(NF-1) != "total" { s += $4 } END { print t + 0, s + 0 }' "$out" | awk '{ print ($1 == $2) }')" 1

	# the oracle: strace -c -f of the same workload
	if command -v strace > /dev/null; then
		strace -c -f -o "$T_TMP/strace" "$MIX" $flag -M "$T_TMP/slept2" > /dev/null 2>&1
		check_eq "${tag}same counts as strace -c -f: getppid, write, its errors" \
			"$(col getppid 4) $(col write 4) $(col write 5)" \
			"$(scol "$T_TMP/strace" getppid 4) $(scol "$T_TMP/strace" write 4) $(scol "$T_TMP/strace" write 5)"
		check_eq "${tag}same nanosleep count as strace -c -f" "$n" "$(scol "$T_TMP/strace" nanosleep 4)"
	else
		skip "${tag}same counts as strace -c -f" "strace is not installed (scripts/install-deps.sh)"
	fi
done

# --perins: the thread of the getppid calls, the child of the writes (strace -f's following)
pp_whole syscalls --perins -- "$MIX" -f
pid=$(out_value sysmix pid)
gt=$(awk -v p="$pid" '/ syscalls: final: / { f = 1; next } f && $1 == p && $2 != p && $(NF-1) == "getppid" { print $2; exit }' "$out")
check_count "--perins: the second thread made the 1234 getppid" "$(pcol "$pid" "${gt:-0}" getppid 7)" 1234
child=$(awk -v p="$pid" '/ syscalls: final: / { f = 1; next } f && $1 != p && $3 == "sysmix-child" { print $1; exit }' "$out")
check_count "--perins: the child (by its comm) made the 84 writes, 7 failing" \
	"$(pcol "${child:-0}" "${child:-0}" write 7) $(pcol "${child:-0}" "${child:-0}" write 8)" "84 7"
n=$(pcol "$pid" "$pid" nanosleep 7)
check_count "--perins: the main thread slept 20 times" "$n" 20

# --than: the slow calls as they return
pp_whole syscalls --no-bpf --than 2ms -- "$MIX"
n=$(grep -c ' nanosleep(rqtp=0x[0-9a-f]*, rmtp=0) = 0 <0\.0[0-9]*>$' "$out")
check_count "--than 2ms: the 20 sleeps, arguments named from their format" "$n" 20
check_eq "--than 2ms: every line printed is slower than 2 ms" \
	"$(awk '/ = .* <[0-9.]+>$/ { d = $NF; gsub(/[<>]/, "", d); if (d < 0.002) bad++; n++ } END { print (n > 0 && !bad) }' "$out")" 1
pp_whole syscalls --no-bpf --than 0 -- "$MIX"
check_count "--than 0: every failed write, its fd, count and errno decoded" \
	"$(grep -c ' write(fd=1023, buf=0x[0-9a-f]*, count=3) = -1 EBADF (Bad file descriptor) <' "$out")" 7
check_count "--than 0: every getppid printed" "$(grep -c ' getppid() = [0-9]* <' "$out")" 1234
# the workload writes to the same stdout: perf-prof's writes must end lines, or
# the workload's "sysmix done" can land inside one (74 KB here, many flushes)
if [ "${PP_AGG:-ring}" = ring ] && command -v strace > /dev/null; then
	strace -qq -e trace=write,writev -e signal=none -s 1000000 -xx -o "$T_TMP/writes" \
		"$PP" syscalls --no-bpf --than 0 -- "$MIX" > "$T_TMP/stdout" 2> /dev/null
	check_eq "--than 0: each of perf-prof's writes to stdout ends a line (strace)" \
		"$(awk '/^writev?\(1, / { n++; s = $0; sub(/"[^"]*$/, "", s)
			if (substr(s, length(s) - 3) != "\\x0a") bad++ }
			END { print (n > 3), bad + 0 }' "$T_TMP/writes")" "1 0"
fi
pp_whole syscalls --no-bpf --than 2ms -g -- "$MIX"
check_eq "--than -g: each slow sleep's stack reaches sysmix's main" \
	"$(awk '/ nanosleep\(/ { n++; s = 1; next } s && / main\+0x[0-9a-f]+ \(.*sysmix\)$/ { m++; s = 0 } END { print n, m }' "$out")" "20 20"

# --json: the final report's shape and numbers
pp_whole syscalls --no-bpf -q --json --than 2ms -- "$MIX"
got=$(grep '^{' "$out" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
slow = [o for o in objs if o["report"] == "slow"]
fin = [o for o in objs if o["report"] == "final"][-1]
rows = {r["syscall"]: r for r in fin["rows"]}
w = rows["write"]
hist_ok = all(sum(h["count"] for h in r["latency"]["hist"]) == r["calls"] for r in fin["rows"])
print(rows["getppid"]["calls"], w["calls"], w["errors"], w["errnos"][0]["name"], w["errnos"][0]["count"],
      rows["nanosleep"]["calls"], hist_ok, fin["calls"] == sum(r["calls"] for r in fin["rows"]),
      sum(1 for s in slow if s["syscall"] == "nanosleep" and s["args"]["rmtp"] == 0 and s["duration_ns"] > 2000000))')
check_count "--json: getppid, write, its errors by errno, nanosleep, histograms, total, slow sleeps" \
	"$got" "1234 86 7 EBADF 7 20 True True 20"

# system-wide: every task but perf-prof's own
pp_bg syscalls --perins
pp_ready
"$MIX" > "$T_TMP/mix.out"
kill -INT "$bg"
pp_wait
check_rc "system-wide: ends 0 on SIGINT" 0
pid=$(sed -n 's/^sysmix pid=//p' "$T_TMP/mix.out")
check_count "system-wide: sysmix's 1234 getppid among every task's" "$(pcol "$pid" "$pid" getppid 7)" 1234

# -C 1: the calls made on CPU 1 only, a task pinned to each CPU
if pp_cpu_split "getppid 300" "getppid 700" syscalls -C 1 --perins; then
	check_count "-C 1: the 700 getppid of the task on CPU 1" "$(pcol "$pid1" "$pid1" getppid 7)" 700
	check_eq "-C 1: none of the task on CPU 0" "$(pcol "$pid0" "$pid0" getppid 7)" ""
else
	skip "-C 1" "this machine has no CPU 1"
fi
check_eq "system-wide: perf-prof's own calls are not counted" \
	"$(awk -v p="$bg" '/ syscalls: final: / { f = 1; next } f && $1 == p { n++ } END { print n + 0 }' "$out")" 0

# -p: a running process, and the child it forks after the run attached
rm -f "$T_TMP/go"
"$MIX" -f -W "$T_TMP/go" > "$T_TMP/mix.out" &
mix=$!
wait_for "$T_TMP/mix.out" "sysmix pid=" 10
pp_bg syscalls -p "$mix"
pp_ready
touch "$T_TMP/go"
wait $mix
pp_wait
check_rc "-p: ends 0 when the process is gone" 0
# (its first line was written before the run attached)
check_count "-p: its thread's getppid and its child's writes are followed" \
	"$(col getppid 4) $(col write 4) $(col write 5)" "1234 85 7"

# -i: the intervals add up to the final report
pp_whole syscalls -i 40 -- "$MIX"
check_eq "-i: the interval reports' getppid add up to 1234" \
	"$(awk '/ syscalls: interval: / { f = 1; next } / syscalls: final: / { f = 0 } f && $(NF-1) == "getppid" { s += $4 } END { print s + 0 }' "$out")" \
	"$(col getppid 4)"

# which path runs: the kernel's by default, the records' where the options need them
if [ "${PP_AGG:-}" = bpf ]; then
	pp syscalls -v -- "$MIX"
	check_err "--bpf -v: says it counts in the kernel" "syscalls: counting in the kernel"
	pp syscalls --than 1s -- "$MIX"
	check_fails "--bpf --than: refused, saying why" 129 "cannot count in the kernel: --than prints each slow call from its records"
	pp syscalls -g -- "$MIX"
	check_fails "--bpf -g: refused, saying why" 129 "cannot count in the kernel: -g takes the stacks from the records"
	# a call in flight waits in the kernel's map until its exit, or its thread's
	pp syscalls -q --json -i 300 -- sh -c 'sleep 1.5'
	check_eq "in flight: sh's wait and sleep's nanosleep wait in the kernel, none at the end" \
		"$(grep '^{' "$out" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
print(max(o["in_flight"] for o in objs if o["report"] == "interval") >= 2, [o["in_flight"] for o in objs if o["report"] == "final"])')" \
		"True [0]"
	# the programs are tp_btf ones, no perf event: another tracer of the tracepoints sees every record
	out=$T_TMP/bg.out err=$T_TMP/bg.err
	pp_bg syscalls --bpf --perins
	out=$T_TMP/out err=$T_TMP/err
	pp_ready
	pp_whole syscalls --no-bpf -- "$MIX"
	check_count "beside a run counting in the kernel, the records are all there" \
		"$(col getppid 4) $(col write 4) $(col nanosleep 4)" "1234 86 20"
	pid=$(out_value sysmix pid)
	kill -INT "$bg"
	pp_wait
	check_eq "... and the run counting in the kernel beside it counted them too" "$rc $(awk -v p="$pid" \
		'/ syscalls: final: / { f = 1; next } f && $1 == p && $2 == p && $(NF-1) == "getppid" { print $7 }' "$T_TMP/bg.out")" "0 1234"
else
	pp syscalls -v -- "$MIX"
	check_err "--no-bpf -v: says it reads the records" "syscalls: reading the records"
	"$PP" syscalls -v -- "$MIX" > "$out" 2> "$err" < /dev/null
	check_err "by default it counts in the kernel" "syscalls: counting in the kernel"
	"$PP" syscalls -v --than 1s -- "$MIX" > "$out" 2> "$err" < /dev/null
	check_err "--than: it reads the records, saying why" "syscalls: reading the records: --than"
fi
if command -v bpftool > /dev/null; then
	# (the kernel frees a closed program a moment later, after an RCU grace period)
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		n=$(bpftool prog show 2> /dev/null | grep -c -e ' sc_enter ' -e ' sc_exit ')
		[ "$n" -eq 0 ] && break
		sleep 0.3
	done
	check_eq "no program left loaded" "$n" 0
fi

# usage errors
pp syscalls --than soon
check_fails "--than needs a duration" 129 "invalid duration 'soon' for --than"
pp syscalls -e sched:sched_switch
check_fails "-e is refused: the events are its own" 129 "-e"
check_clean "no perf-prof left running"
