# SPDX-License-Identifier: GPL-2.0
#
# live/pidstat.sh - perf-prof pidstat against workloads with known CPU time,
# sleeps and faults (tests/workload/wl.c), and against sysstat's pidstat
# (Debian sysstat) as the oracle of the layout and of steady numbers:
#   - every header line, the banner and the number of columns of every row
#     equal sysstat's, for each activity and -t;
#   - a spinner pinned to CPU 0: %CPU 95-100, and equal (5 points) to the
#     CPU time the spinner used as the kernel counts it over the same window
#     (on a loaded machine it gets less than 95); steady numbers within 5%
#     of sysstat's run at the same time;
#   - 500 sleeps inside one interval: cswch >= 500, from a process that
#     started and ended inside it;
#   - a process that uses 200 ms of CPU and lives only that long inside a
#     1 s interval is reported with those 200 ms, and one that touches 5000
#     fresh pages with its 5000 faults;
#   - -t rows and the usage errors.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

SYS=$(command -v pidstat || true)
HZ=$(getconf CLK_TCK)

# ticks PID - utime + stime of PID, in clock ticks
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# json_rows COMM - each report's row of COMM: report interval-secs cpu% cswch_n minflt_n
json_rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    for t in o["tasks"]:
        if t["comm"] == sys.argv[2]:
            print(o["report"], o["interval"], t.get("cpu", 0), t.get("cswch_n", 0),
                  t.get("minflt_n", 0), t["exited"])' "$out" "$1"
}

# ---- the layout: sysstat's, line for line ----------------------------------
if [ -z "$SYS" ]; then
	skip "pidstat: headers equal sysstat's" "sysstat's pidstat is not installed (scripts/install-deps.sh)"
else
	for act in "-u" "-r" "-d" "-w" "-u -r -d -w" "-t -u -w" "-t -r -d"; do
		# shellcheck disable=SC2086
		LC_ALL=C S_TIME_FORMAT= "$SYS" $act -p $$ 1 2 > "$T_TMP/sys" 2>&1 &
		sysbg=$!
		# shellcheck disable=SC2086
		pp pidstat $act -p $$ 1 2
		wait $sysbg
		check_rc "pidstat $act: exits 0" 0
		check_eq "pidstat $act: the header lines equal sysstat's" \
			"$(grep 'Command$' "$out" | cut -c12-)" "$(grep 'Command$' "$T_TMP/sys" | cut -c12-)"
		check_eq "pidstat $act: the first line equals sysstat's" "$(head -1 "$out")" \
			"$(head -1 "$T_TMP/sys")"
		shape() { awk 'NR > 1 && !/Command$/ { print NF, substr($0, 1, 8) ~ /^[0-9:]+$|Average/, length($0) - length($NF) }' "$1"; }
		check_eq "pidstat $act: every row has sysstat's columns" "$(shape "$out")" \
			"$(shape "$T_TMP/sys")"
	done
fi

# ---- a spinner and a sleeper: ground truth and sysstat at the same time ----
"$WL" -c 0 -n spinner spin 7000 > /dev/null &
sp=$!
"$WL" -n sleeper nanosleep 7000 1000 > /dev/null &
sl=$!
sleep 0.3
# sysstat starts as perf-prof takes its first sample (its first line says when):
# the same windows, so that even a CPU share on a loaded machine compares
pp_bg pidstat -u -w -p $sp,$sl 1 4
i=0
while ! grep -q '^Linux' "$out" && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
t0=$(ticks $sp)
s0=$(date +%s%N)
if [ -n "$SYS" ]; then
	LC_ALL=C "$SYS" -u -w -p $sp,$sl 1 4 > "$T_TMP/sys" 2>&1 &
	sysbg=$!
fi
pp_wait
t1=$(ticks $sp)
s1=$(date +%s%N)
[ -n "$SYS" ] && wait $sysbg
check_rc "spinner: pidstat -u -w -p exits 0" 0
own=$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v ns=$((s1 - s0)) 'BEGIN { printf "%.2f", t / hz * 1e9 / ns * 100 }')
avg=$(awk -v p=$sp '/^Average:/ && $3 == p && NF == 10 { print $8; exit }' "$out")
if awk -v a="${avg:-x}" -v o="$own" 'BEGIN { exit !(a != "x" && a - o <= 5 && o - a <= 5) }'; then
	ok "spinner: Average %CPU $avg equals the CPU time it used ($own%)"
else
	fail "spinner: Average %CPU equals the CPU time it used" "got ${avg:-none}, it used $own%"
fi
if awk -v o="$own" 'BEGIN { exit !(o >= 95) }'; then
	if awk -v a="${avg:-0}" 'BEGIN { exit !(a >= 95 && a <= 100.5) }'; then
		ok "spinner: %CPU 95-100 ($avg)"
	else
		fail "spinner: %CPU 95-100" "got ${avg:-none}"
	fi
else
	skip "spinner: %CPU 95-100" "the machine is loaded: the spinner got $own% of CPU 0 (checked against that above)"
fi
if [ -n "$SYS" ]; then
	# Average rows: %CPU of the spinner, cswch/s of the sleeper (the spinner's
	# nvcswch/s is how often others preempt it: the machine's noise, not its own)
	nums() {
		awk -v sp=$sp -v sl=$sl '/^Average:/ && NF == 10 && $3 == sp { c = $8 }
			/^Average:/ && NF == 6 && $3 == sl { w = $4 }
			END { print c + 0, w + 0 }' "$1"
	}
	set -- $(nums "$out") $(nums "$T_TMP/sys")
	# 5%, and half a tick of %CPU for a starved spinner
	within() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.05 * (b > a ? b : a) + 0.5) }'; }
	if within "$1" "$3" && within "$2" "$4"; then
		ok "steady workload: %CPU and cswch/s within 5% of sysstat's ($1 $2 vs $3 $4)"
	else
		fail "steady workload: within 5% of sysstat's" "ours: %CPU $1 cswch/s $2" \
			"sysstat: %CPU $3 cswch/s $4"
	fi
else
	skip "steady workload: within 5% of sysstat's" "sysstat's pidstat is not installed"
fi
kill $sp $sl 2>/dev/null
wait $sp $sl 2>/dev/null

# ---- 500 sleeps inside one interval, by a process born and gone in it -------
pp_bg pidstat -w --json 4 1
pp_ready || echo "# perf-prof did not get ready"
sleep 0.5
"$WL" -n sleep500 nanosleep 500 1000 > /dev/null
pp_wait
check_rc "500 sleeps: pidstat -w --json 4 1 exits 0" 0
set -- $(json_rows sleep500 | awk '$1 == "interval"')
if [ "${4:-0}" -ge 500 ] && [ "${6:-}" = True ]; then
	ok "500 sleeps: cswch $4 >= 500 in the interval the process lived and exited in"
else
	fail "500 sleeps: cswch >= 500 in one interval" "got: $(json_rows sleep500 | tr '\n' ';')"
fi

# ---- a process of 200 ms inside an interval; 5000 faults ---------------------
pp_bg pidstat -u -r --json 1 4
pp_ready || echo "# perf-prof did not get ready"
sleep 1.2
"$WL" -n brief200 cpuspin 200 > /dev/null
"$WL" -n touch5000 touch 5000 > /dev/null
pp_wait
check_rc "short-lived: pidstat -u -r --json 1 4 exits 0" 0
cpu=$(json_rows brief200 | awk '$1 == "interval" { s += $2 * $3 / 100 } END { printf "%.3f", s }')
if awk -v c="$cpu" 'BEGIN { exit !(c >= 0.195 && c <= 0.215) }'; then
	ok "short-lived: the 200 ms process is reported with its CPU time (${cpu} s)"
else
	fail "short-lived: the 200 ms process is reported with its 200 ms of CPU" \
		"got ${cpu} s: $(json_rows brief200 | tr '\n' ';')"
fi
check_eq "short-lived: it is said to have exited" "$(json_rows brief200 | awk '$1 == "interval" { e = $6 } END { print e }')" True
flt=$(json_rows touch5000 | awk '$1 == "interval" { s += $5 } END { print s + 0 }')
if [ "$flt" -ge 5000 ] && [ "$flt" -le 5400 ]; then
	ok "short-lived: the 5000 pages touched are $flt minor faults (5000 + the program's own)"
else
	fail "short-lived: 5000 touched pages are 5000 minor faults" "got $flt"
fi

# ---- -t: a process row, then each thread's -----------------------------------
"$WL" -t 2 -n thr spin 3000 > /dev/null &
w=$!
sleep 0.3
pp pidstat -u -t -p $w 1 2
check_rc "-t: exits 0" 0
check_eq "-t: the process row, then its 3 threads under it" \
	"$(awk -v p=$w '/^Average:/ { exit } NF == 11 && $3 == p && $4 == "-" { r = "proc"; n = 0 } NF == 11 && $3 == "-" && $NF ~ /^\|__/ { n++ } END { print r, n }' "$out")" "proc 3"
sum=$(awk '/^Average:/ && NF == 11 && $3 == "-" { s += $9 } /^Average:/ && NF == 11 && $4 == "-" { p = $9 } END { d = s - p; print (d < 1 && d > -1) ? "equal" : s " vs " p }' "$out")
check_eq "-t: the threads' %CPU add up to the process's" "$sum" equal
kill $w 2>/dev/null
wait $w 2>/dev/null

# ---- -C: a filter on the command name ---------------------------------------
"$WL" -n onlyme nanosleep 3000 1000 > /dev/null &
w=$!
sleep 0.2
pp pidstat -w -C '^only' 1 2
check_eq "-C: only the tasks whose name matches" \
	"$(awk 'NF == 6 && $1 != "Average:" && $NF != "Command" { print $NF }' "$out" | sort -u)" onlyme
kill $w 2>/dev/null
wait $w 2>/dev/null

# ---- usage and runtime errors ---------------------------------------------------
pp pidstat -p abc 1 1
check_fails "-p abc: a usage error" 129 "invalid process 'abc' in '-p abc'"
pp pidstat -p 1073741000 1 1
check_fails "-p of no process: a runtime error" 1 "no process '1073741000'"
pp pidstat 0
check_fails "interval 0: a usage error" 129 "invalid interval '0'"
pp pidstat 1 x
check_fails "count x: a usage error" 129 "invalid count 'x'"
pp pidstat -i 500 1
check_fails "-i and INTERVAL: a usage error" 129 "the interval is given twice"
pp pidstat -C '(' 1 1
check_fails "-C with a bad regex: a usage error" 129 "invalid regular expression '-C ('"
pp pidstat 1 2 3
check_fails "three numbers: a usage error" 129 "too many arguments"
check_clean "pidstat: no perf-prof left running"
