# SPDX-License-Identifier: GPL-2.0
#
# live/events.sh - the event kinds besides tracepoints (perf's software and
# hardware events, raw PMU terms) and what every run owes its numbers: each
# sample counted once (tracepoints that carry a count), printed + lost =
# generated at the end, the workload's fate in the exit code.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

# final_value KEY: the count of row KEY in top's final report
final_value() { awk -v k="$1" '/ top: [0-9]+ samples/ { n = NR } n && NR > n + 1 && $1 == k { v = $2 } END { print v }' "$out"; }
wl_pid() { sed -n 's/^wl pid=//p' "$out" | head -1; }

# --- software events: page faults of a workload touching exactly N new pages
pp top -e 'page-faults//key=_pid/' -- "$WL" touch 1000
check_rc "top -e page-faults//key=_pid/ exits 0" 0
big=$(final_value "$(wl_pid)")
pp top -e 'faults//key=_pid/' -- "$WL" touch 10
small=$(final_value "$(wl_pid)")
if [ -n "$big" ] && [ "$big" -ge 1000 ] && [ "$big" -le 1064 ]; then
	ok "1000 pages touched: $big page faults (1000 to 1064: the program's own start)"
else
	fail "1000 pages touched: page faults in [1000, 1064]" "got '$big'" "$(head -c 400 "$err")"
fi
# the program's own faults are the same in both runs: the difference is the pages
d=$(( ${big:-0} - ${small:-0} ))
if [ "$d" -ge 985 ] && [ "$d" -le 995 ]; then
	ok "touch 1000 vs touch 10 (alias 'faults'): $d more faults (990 +/- 5)"
else
	fail "touch 1000 vs touch 10: 990 +/- 5 more faults" "got $big - $small = $d"
fi
pp top -e 'minor-faults//key=_pid/' -- "$WL" touch 500
n=$(final_value "$(wl_pid)")
if [ -n "$n" ] && [ "$n" -ge 500 ] && [ "$n" -le 564 ]; then
	ok "minor-faults: $n for 500 pages"
else
	fail "minor-faults: 500 to 564 for 500 pages" "got '$n'"
fi

# context switches: each nanosleep blocks once; SCHED_FIFO when possible, so a loaded
# machine's normal tasks can't add preemptions past the upper bound
RT=
chrt -f 10 true 2>/dev/null && RT="chrt -f 10"
pp top -e 'context-switches//key=_pid/' -- $RT "$WL" nanosleep 50 2000
n=$(final_value "$(wl_pid)")
if [ -n "$n" ] && [ "$n" -ge 50 ] && [ "$n" -le 80 ]; then
	ok "context-switches: $n for 50 sleeps (at least 50)"
else
	fail "context-switches: at least 50 (and not wildly more) for 50 sleeps" "got '$n'"
fi
pp top -e 'cs//key=_pid/period=10/' -- $RT "$WL" nanosleep 50 2000
n=$(final_value "$(wl_pid)")
if [ -n "$n" ] && [ "$n" -ge 4 ] && [ "$n" -le 7 ]; then
	ok "period=10 samples one switch in ten: $n samples for 50 sleeps"
else
	fail "period=10: 4 to 7 samples for 50 sleeps" "got '$n'"
fi

# cpu-clock: 400 ms of CPU (whatever the load) sampled at 100 Hz, the ip and the period
pp trace -e cpu-clock -F 100 --json -- "$WL" cpuspin 400
check_rc "trace -e cpu-clock -F 100 exits 0" 0
got=$(grep '^{' "$out" | python3 -c '
import json, sys
n = ips = 0
periods = set()
for l in sys.stdin:
    o = json.loads(l)
    n += 1
    ips += o["fields"]["ip"] != 0
    periods.add(o["fields"]["period"])
ok = 36 <= n <= 44 and ips == n and all(8000000 <= p <= 12000000 for p in periods)
print("ok" if ok else "n=%d ips=%d periods=%s" % (n, ips, sorted(periods)[:5]))')
check_eq "cpu-clock at 100 Hz over 400 ms of CPU: 36-44 samples, each with its ip and ~10 ms period" "$got" ok
pp trace -e 'cpu-clock/_ip>0/' -c 5000000 -- "$WL" cpuspin 200
n=$(grep -c ' cpu-clock: period=5000000 ip=' "$out")
if [ "$n" -ge 35 ] && [ "$n" -le 45 ]; then
	ok "-c 5000000 (every 5 ms of CPU) and a user-space filter on _ip: $n lines for 200 ms of CPU"
else
	fail "-c 5000000 over 200 ms of CPU: 35-45 samples" "got $n" "$(head -c 300 "$err")"
fi
pp trace -e cpu-clock help
check_rc "help on a perf event exits 0" 0
if grep -q '^cpu-clock (perf event, type 1 config 0)' "$out" && grep -q 'u64 _ip' "$out"; then
	ok "help names the event's type and config and lists the builtins"
else
	fail "help for cpu-clock" "$(head -c 400 "$out")"
fi

# --- hardware events: this machine has no PMU; the attr is still built right
if [ -d /sys/bus/event_source/devices/cpu ]; then
	skip "hardware event without a PMU: a clear error" "this machine has a hardware PMU"
else
	pp trace -e cycles -- true
	check_rc "cycles without a hardware PMU: exit 1" 1
	check_err "the error names what is missing" "cannot sample 'cycles': this machine has no hardware PMU"
	check_err "and what to use instead" "hint: sample the software clock instead: -e cpu-clock"
fi

# --- raw PMU terms: msr (counting only) takes its named event; bad terms are usage errors
if [ -d /sys/bus/event_source/devices/msr ]; then
	pp trace -e msr/tsc/ help
	check_rc "msr/tsc/ resolves from the PMU's events/ and format/ files" 0
	if grep -q '^msr/tsc/ (perf event, type [0-9]* config 0)' "$out"; then
		ok "msr/tsc/ is the msr PMU's type, config 0 (event=0x00)"
	else
		fail "msr/tsc/ help" "$(head -c 300 "$out")"
	fi
	pp trace -e msr/foo=1/ -- true
	check_rc "an unknown PMU term: usage error" 129
	check_err "it names the term" "PMU 'msr' has no term 'foo'"
	pp trace -e msr/tsc/ -- true
	check_rc "a counting-only PMU cannot be sampled: exit 1" 1
	check_err "the kernel's refusal is explained" "this PMU may count but not sample"
else
	skip "raw PMU terms" "no msr PMU on this machine"
fi

# --- tracepoints that carry a count are delivered once (PERIOD in every sample)
pp num-dist -e 'sched:sched_stat_runtime//delay=runtime/' -- "$WL" cpuspin 600
line=$(awk '$1 == "sched_stat_runtime(runtime)"' "$out")
cnt=$(echo "$line" | awk '{ print $2 }')
total=$(echo "$line" | awk '{ print $(NF - 1), $NF }')
ms=$(echo "$total" | awk '$2 == "ms" { printf "%d", $1 } $2 == "s" { printf "%d", $1 * 1000 }')
if [ -n "$cnt" ] && [ "$cnt" -ge 60 ] && [ -n "$ms" ] &&
   [ "$ms" -ge 540 ] && [ "$ms" -le 700 ]; then
	ok "sched_stat_runtime of 600 ms of CPU: $cnt values (one per update, not per ns), $total of runtime (540-700 ms)"
else
	fail "sched_stat_runtime of 600 ms of CPU: ~600 ms of runtime, tens of values" \
		"got count '$cnt' total '$total'"
fi
pp top -e 'sched:sched_stat_runtime//key=pid/top-by=_period/top-add=runtime/' -- "$WL" cpuspin 300
row=$(awk -v p="$(wl_pid)" '$1 == p { print ($2 == $3 && $2 > 200000000) ? "equal" : $2 " != " $3 }' "$out" | tail -1)
check_eq "_period of sched_stat_runtime is the runtime the kernel passed (over 200 ms)" "$row" equal

# --- printed + lost = generated, ordered or not, even when the rings overflow
for mode in "" "--order"; do
	pp trace -e syscalls:sys_enter_getppid -m 1 $mode -- "$WL" -t 2 getppid 100000
	printed=$(grep -c ' syscalls:sys_enter_getppid:' "$out")
	lost=$(sed -n 's/.*: \([0-9]*\) events lost in this run.*/\1/p' "$err")
	sum=$((printed + ${lost:-0}))
	check_eq "trace ${mode:-unordered} -m 1, 2 x 100000 getppid: printed $printed + lost ${lost:-0} = 200000" \
		"$sum" 200000
done
# events the kernel counted but never wrote (sched_wakeup) are told apart from a loss when no
# ring ever filled: the rings here hold 20 wakeups many times over
for i in 1 2 3; do
	pp trace -e sched:sched_wakeup -- "$WL" nanosleep 1 20
	grep -q 'events counted by the kernel were never written to a ring: no ring was ever more than half full' "$err" && break
done
check_eq "sched_wakeup counted and never written: said so, not called lost (rings never filled)" \
	"$(grep -c 'never written to a ring' "$err") $(grep -c 'events lost in this run' "$err")" "1 0"
pp num-dist -e 'syscalls:sys_enter_getppid//num=1/' -m 1 -- "$WL" -t 2 getppid 100000
counted=$(awk '$1 == "sys_enter_getppid(1)" { print $2 }' "$out")
lost=$(sed -n 's/.*: \([0-9]*\) events lost in this run.*/\1/p' "$err")
check_eq "num-dist -m 1: counted ${counted:-0} + lost ${lost:-0} = 200000" \
	"$(( ${counted:-0} + ${lost:-0} ))" 200000

# --- SIGUSR2: perf-prof's own cost on stderr, and the run goes on, exactly
pp_bg top -e 'syscalls:sys_enter_getppid//key=common_pid/' -- "$WL" -d 1500 getppid 1000
if pp_ready; then
	kill -USR2 $bg
	pp_wait
	check_rc "SIGUSR2 does not end the run" 0
	check_eq "one usage line on stderr" "$(grep -c '^perf-prof: usage over [0-9.]* s: %usr [0-9.]* %sys [0-9.]* maxrss [0-9]* KB, records [0-9]*/s, lost [0-9]*/s$' "$err")" 1
	check_eq "the final numbers are exact: 1000 getppid" "$(final_value "$(wl_pid)")" 1000
else
	pp_wait
	fail "SIGUSR2 during a run" "perf-prof did not get ready" "$(head -c 300 "$err")"
fi

# --- libraries opened only when needed ---------------------------------------
# capstone (probe offsets) and libmicrohttpd with GnuTLS (the daemon's HTTP)
# are dlopen()ed by what needs them: a run that needs neither maps neither
# (together they were 5.8 MB of every run's RSS)
pp_bg top -e sched:sched_switch -i 100000
if pp_ready; then
	check_eq "a run without probes or HTTP maps no capstone, libmicrohttpd or GnuTLS" \
		"$(grep -cE 'libcapstone|libmicrohttpd|libgnutls' /proc/$bg/maps)" 0
	kill -INT $bg
	pp_wait
	check_rc "... and it ends on SIGINT" 0
else
	pp_wait
	fail "a run without probes or HTTP" "perf-prof did not get ready" "$(head -c 300 "$err")"
fi
