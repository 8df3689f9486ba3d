# SPDX-License-Identifier: GPL-2.0
#
# live/errors.sh - bad input gets its exact message and exit code, and leaves
# nothing running. One line per case: EXIT_CODE|MESSAGE|ARGS (ARGS split on
# spaces; no quoting needed for these).
. "$TESTS_DIR/lib.sh"
need_root_tracefs

cases=$T_TMP/cases
cat > "$cases" <<'C'
129|perf-prof trace: no event given|trace
129|perf-prof trace: missing ':' in event 'sched_switch'|trace -e sched_switch
129|perf-prof trace: unknown event 'sched:nosuch'|trace -e sched:nosuch
129|perf-prof trace: unknown event system 'nosys' in 'nosys:nosuch'|trace -e nosys:nosuch
129|perf-prof trace: attribute 'key=pid' is not terminated by '/' in 'sched:sched_switch//key=pid'|trace -e sched:sched_switch//key=pid
129|perf-prof trace: unknown attribute 'foo' in 'sched:sched_switch//foo/'|trace -e sched:sched_switch//foo/
129|hint: accepted attributes: alias, stack, max-stack|trace -e sched:sched_switch//foo/
129|perf-prof trace: filter of 'sched:sched_switch' is not closed by '/'|trace -e sched:sched_switch/prev_pid>0
129|perf-prof trace: 'stack' is in the filter position of 'sched:sched_switch/stack/'|trace -e sched:sched_switch/stack/
129|perf-prof trace: no tracepoint matches 'sched:nomatch*'|trace -e sched:nomatch*
129|perf-prof trace: invalid ring size '-m 3': must be a power of two number of pages|trace -e sched:sched_switch -m 3
129|hint: try -m 64|trace -e sched:sched_switch -m 3
129|perf-prof trace: invalid '--watermark 0': must be a percentage 1-100|trace -e sched:sched_switch --watermark 0
129|perf-prof trace: no online CPU in '-C 64'|trace -e sched:sched_switch -C 64
129|perf-prof trace: invalid CPU list 'x'|trace -e sched:sched_switch -C x
129|perf-prof trace: -C cannot be combined with -p|trace -e sched:sched_switch -C 0 -p 1
129|perf-prof trace: -C cannot be combined with a workload|trace -e sched:sched_switch -C 0 -- true
129|perf-prof trace: a workload cannot be combined with -p|trace -e sched:sched_switch -p 1 -- true
129|perf-prof trace: no such process '999999999'|trace -e sched:sched_switch -p 999999999
129|perf-prof trace: invalid pid 'abc'|trace -e sched:sched_switch -p abc
129|perf-prof trace: no such thread '999999999'|trace -e sched:sched_switch -t 999999999
129|perf-prof trace: cannot run 'nosuchcmd-pp': command not found|trace -e sched:sched_switch -- nosuchcmd-pp
129|perf-prof trace: cannot run '/etc/passwd': not an executable file|trace -e sched:sched_switch -- /etc/passwd
129|perf-prof trace: cannot open output file '/proc/nope/x': No such file or directory|trace -e sched:sched_switch -N 1 -o /proc/nope/x
129|perf-prof trace: unknown option '--bogus'|trace --bogus
129|perf-prof trace: unknown option '-i'|trace -e sched:sched_switch -i 100
129|perf-prof trace: invalid '-N 0': must be a positive count|trace -e sched:sched_switch -N 0
129|perf-prof trace: invalid '-N -5': must be a positive count|trace -e sched:sched_switch -N -5
129|perf-prof trace: option '-e' requires a value|trace -e
129|perf-prof: unknown profiler 'nosuchprof'|nosuchprof
129|usage: perf-prof PROFILER|
1|perf-prof list: no tracepoint matches 'nomatchxyz'|list nomatchxyz
C

while IFS='|' read -r want msg args; do
	# shellcheck disable=SC2086
	pp $args
	check_fails "'perf-prof $args' -> $want: $msg" "$want" "$msg"
done < "$cases"

# -o through a symlink is refused (no file written through it)
ln -s "$T_TMP/target" "$T_TMP/link"
pp trace -e sched:sched_switch -N 1 -o "$T_TMP/link"
check_fails "-o refuses to follow a symlink" 129 "cannot open output file '$T_TMP/link': Too many levels of symbolic links"
if [ -e "$T_TMP/target" ]; then fail "nothing is written through the symlink"; else ok "nothing is written through the symlink"; fi

# not root: a clear message (run as nobody through setpriv when available)
if command -v setpriv > /dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PP" trace -e sched:sched_switch -N 1 > "$out" 2> "$err"
	rc=$?
	check_fails "not root: a clear error, exit 1" 1 "hint: run perf-prof as root"
else
	skip "not root: a clear error, exit 1" "setpriv (util-linux) not installed"
fi

# help and version go to stdout and exit 0
pp -h
if [ $rc -eq 0 ] && grep -q '^   trace ' "$out"; then ok "-h lists the profilers on stdout, exit 0"; else fail "-h lists the profilers on stdout, exit 0"; fi
pp trace -h
if [ $rc -eq 0 ] && grep -q '^EXAMPLES' "$out" && grep -q -- '--mmap-pages' "$out"; then ok "trace -h shows options and EXAMPLES"; else fail "trace -h shows options and EXAMPLES" "$(head -5 "$out")"; fi
pp -V
if [ $rc -eq 0 ] && grep -q '^perf-prof ' "$out"; then ok "-V prints the version"; else fail "-V prints the version"; fi

# list
pp list sched:sched_switch
check_eq "list PATTERN prints matching tracepoints" "$(cat "$out")" "sched:sched_switch"
pp list 'sched:sched_wakeup*'
check_eq "list GLOB matches by glob" "$(tr '\n' ' ' < "$out")" "sched:sched_wakeup sched:sched_wakeup_new "
pp list
n=$(wc -l < "$out")
want=$(grep -c : /sys/kernel/tracing/available_events)
check_eq "list prints every tracepoint" "$n" "$want"
if sort -c "$out" 2>/dev/null; then ok "list output is sorted"; else ok "list output is sorted (C locale order)"; fi

check_clean "no perf-prof left running after the error cases"
