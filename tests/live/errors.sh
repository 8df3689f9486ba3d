# SPDX-License-Identifier: GPL-2.0
#
# live/errors.sh - the bad-input catalogue: every kind of bad input gets its
# exact message (a whole stderr line) and exit code, and leaves nothing
# behind: no process of the run (each runs in a session of its own), no
# ftrace instance perf_prof_filter_PID and no probe group pp_PID named after
# the run's perf-prof. One TAP line per case covers all three.
#
# Cases marked REGRESSION reproduce a bug found by the fuzzers or by this
# catalogue outside the test files; they fail until that fix is in
# (Documentation/reliability.md lists them).
. "$TESTS_DIR/lib.sh"
need_root_tracefs

TFS=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
sid=""
pid=""
all_sids=""

# run_env "VAR=VAL ..." ARGS... - perf-prof in a session of its own (sid: its
# leader's pid), bounded by $PP_TIMEOUT s; sets $out $err $rc $sid and $pid
# (perf-prof's own pid: its ftrace instance and probe group are named after it)
run_env() {
	envs=$1
	shift
	rm -f "$T_TMP/pid"
	# shellcheck disable=SC2086,SC2016
	setsid -w sh -c 'echo $$ > "$0"; exec "$@"' "$T_TMP/sid" env $envs \
		timeout -s INT -k 10 "$PP_TIMEOUT" \
		sh -c 'echo $$ > "$0"; exec "$@"' "$T_TMP/pid" "$PP" "$@" \
		> "$out" 2> "$err" < /dev/null
	rc=$?
	sid=$(cat "$T_TMP/sid" 2>/dev/null)
	pid=$(cat "$T_TMP/pid" 2>/dev/null)
	all_sids="$all_sids $sid"
}

run() {
	run_env "" "$@"
}

# leftovers - what the last run left behind ("" when nothing): processes of
# its session, its ftrace instance, its probe group
leftovers() {
	l=""
	if [ -n "$sid" ]; then
		p=$(pgrep -s "$sid" 2>/dev/null | tr '\n' ' ')
		[ -n "$p" ] && l=" processes of the run: $p;"
	fi
	[ -n "$pid" ] || { echo "$l"; return; }
	[ -d "$TFS/instances/perf_prof_filter_$pid" ] && l="$l ftrace instance perf_prof_filter_$pid;"
	for f in uprobe_events kprobe_events; do
		[ -r "$TFS/$f" ] && grep -q "^[pr]:pp_$pid/" "$TFS/$f" && l="$l probe group pp_$pid in $f;"
	done
	echo "$l"
}

# expect NAME RC LINE - the last run exited RC, a line of its stderr is
# exactly LINE, and it left nothing behind
expect() {
	left=$(leftovers)
	if [ "$rc" -eq "$2" ] && grep -qxF -- "$3" "$err" && [ -z "$left" ]; then
		ok "$1"
	else
		fail "$1" "exit code $rc (want $2)" "stderr: $(head -c 800 "$err")" "want line: $3" \
			${left:+"left behind:$left"}
	fi
}

# expect_clean NAME RC - exit code and nothing left behind
expect_clean() {
	left=$(leftovers)
	if [ "$rc" -eq "$2" ] && [ -z "$left" ]; then
		ok "$1"
	else
		fail "$1" "exit code $rc (want $2)" "stderr: $(head -c 800 "$err")" \
			${left:+"left behind:$left"}
	fi
}

last_cpu=$(sed 's/.*[-,]//' /sys/devices/system/cpu/possible)
no_cpu=$((last_cpu + 1))

# --- the table: EXIT|STDERR LINE|ARGS (split on spaces, no quoting) ---------
cases=$T_TMP/cases
cat > "$cases" <<C
129|perf-prof trace: no event given|trace
129|hint: add -e SYS:NAME (see 'perf-prof list' and 'perf-prof trace -h')|trace
129|perf-prof trace: unknown event 'sched_switch'|trace -e sched_switch
129|hint: a tracepoint is named with its system: 'sched:sched_switch'|trace -e sched_switch
129|perf-prof trace: unknown event 'nosuchevent'|trace -e nosuchevent
129|perf-prof trace: unknown event 'sched:nosuch'|trace -e sched:nosuch
129|perf-prof trace: unknown event system 'nosys' in 'nosys:nosuch'|trace -e nosys:nosuch
129|perf-prof trace: attribute 'key=pid' is not terminated by '/' in 'sched:sched_switch//key=pid'|trace -e sched:sched_switch//key=pid
129|perf-prof trace: unknown attribute 'foo' in 'sched:sched_switch//foo/'|trace -e sched:sched_switch//foo/
129|hint: accepted attributes: alias, stack, max-stack|trace -e sched:sched_switch//foo/
129|perf-prof trace: filter of 'sched:sched_switch' is not closed by '/'|trace -e sched:sched_switch/prev_pid>0
129|perf-prof trace: 'stack' is in the filter position of 'sched:sched_switch/stack/'|trace -e sched:sched_switch/stack/
129|perf-prof trace: no tracepoint matches 'sched:nomatch*'|trace -e sched:nomatch*
129|perf-prof trace: empty event name in 'sched:'|trace -e sched:
129|perf-prof trace: empty system name in ':sched_switch'|trace -e :sched_switch
129|perf-prof trace: empty event in 'sched:sched_switch,'|trace -e sched:sched_switch,
129|perf-prof trace: empty event in ','|trace -e ,
129|perf-prof trace: unterminated quote in event selector|trace -e sched:sched_switch/'prev_pid>0/
129|perf-prof trace: unbalanced '(' in event selector|trace -e sched:sched_switch/(prev_pid>0/
129|perf-prof trace: unbalanced ')' in event selector|trace -e sched:sched_switch/prev_pid>0)/
129|perf-prof trace: invalid max-stack '0' in 'sched:sched_switch//max-stack=0/'|trace -e sched:sched_switch//max-stack=0/
129|perf-prof trace: invalid max-stack '200' in 'sched:sched_switch//max-stack=200/'|trace -e sched:sched_switch//max-stack=200/
129|perf-prof trace: attribute 'stack' takes no value in 'sched:sched_switch//stack=1/'|trace -e sched:sched_switch//stack=1/
129|perf-prof trace: attribute 'alias' needs a value in 'sched:sched_switch//alias/'|trace -e sched:sched_switch//alias/
129|hint: the filter is the first /.../: write 'sched:sched_switch/prev_pid>0/'|trace -e sched:sched_switch//prev_pid>0/
129|perf-prof trace: invalid character '!' in 'sched:sch!ed'|trace -e sched:sch!ed
129|perf-prof trace: missing @FILE in 'uprobe:malloc'|trace -e uprobe:malloc
129|perf-prof trace: no function 'nosuchfunc_xyz' in '$WL'|trace -e uprobe:nosuchfunc_xyz@"$WL"
129|perf-prof trace: unknown register '%nosuchreg'|trace -e uprobe:main@"$WL"(x=%nosuchreg)
129|perf-prof trace: cannot find '/nonexistent/bin': No such file or directory|trace -e uprobe:main@"/nonexistent/bin"
129|perf-prof trace: invalid filter 'nosuchfield==1' for 'uprobe:main'|trace -e uprobe:main@"$WL"/nosuchfield==1/
129|perf-prof trace: unknown event 'sched:nosuch'|trace -e uprobe:main@"$WL",sched:nosuch
129|perf-prof trace: cannot open output file '/proc/nope/x': No such file or directory|trace -e uprobe:main@"$WL" -N 1 -o /proc/nope/x
129|perf-prof trace: cannot run '/nonexistent/x': no such file|trace -e uprobe:main@"$WL" -- /nonexistent/x
129|perf-prof trace: invalid filter 'prev_pid<<' for 'sched:sched_switch'|trace -e sched:sched_switch/prev_pid<</
129|and it is not a valid user-space expression: invalid expression 'prev_pid<<': unexpected end of expression|trace -e sched:sched_switch/prev_pid<</
129|perf-prof trace: invalid filter 'nosuchfield==1' for 'sched:sched_switch'|trace -e sched:sched_switch/nosuchfield==1/
129|the kernel refused it: Field not found|trace -e sched:sched_switch/nosuchfield==1/
129|and it is not a valid user-space expression: invalid expression 'prev_comm>1': cannot compare a string with an integer|trace -e sched:sched_switch/prev_comm>1/
129|perf-prof trace: invalid filter 'pid<<' for 'sched:sched_wakeup'|trace -e sched:sched_switch/prev_pid>0/,sched:sched_wakeup/pid<</
129|perf-prof top: top-by=prev_comm of 'sched:sched_switch' is a string; a column sums numbers|top -e sched:sched_switch//top-by=prev_comm/
129|perf-prof top: key=prev_comm of 'sched:sched_switch' is a string; keys are numbers|top -e sched:sched_switch//key=prev_comm/
129|perf-prof top: comm=prev_pid of 'sched:sched_switch' is a number; comm= names a row with a string|top -e sched:sched_switch//comm=prev_pid/
129|perf-prof top: top-by= of 'sched:sched_switch' needs an expression|top -e sched:sched_switch//top-by=/
129|perf-prof top: key= is given for some events but not all|top -e sched:sched_switch//key=prev_pid/,sched:sched_wakeup
129|perf-prof top: printkey=: invalid expression 'foo': undefined variable 'foo'|top -e sched:sched_switch//printkey=foo/
129|perf-prof top: --only-comm with key= needs comm= on every event ('sched:sched_switch' has none)|top -e sched:sched_switch --only-comm -k prev_pid
129|perf-prof top: unknown attribute 'stack' in 'sched:sched_switch//stack/'|top -e sched:sched_switch//stack/
129|perf-prof top: invalid value 'abc' for --top: not an integer|top -e sched:sched_switch --top abc
129|perf-prof top: invalid value '-1' for --max-rows: not a non-negative integer|top -e sched:sched_switch --max-rows -1
129|perf-prof trace: option '--json' takes no value|trace -e sched:sched_switch --json=3
129|perf-prof trace: invalid ring size '-m 3': must be a power of two number of pages, at most 65536|trace -e sched:sched_switch -m 3
129|hint: try -m 64 (256 KiB per CPU with 4 KiB pages)|trace -e sched:sched_switch -m 3
129|perf-prof trace: invalid ring size '-m 0': must be a power of two number of pages, at most 65536|trace -e sched:sched_switch -m 0
129|perf-prof trace: invalid ring size '-m -1': must be a power of two number of pages, at most 65536|trace -e sched:sched_switch -m -1
129|perf-prof trace: invalid ring size '-m 99999999999999999999': must be a power of two number of pages, at most 65536|trace -e sched:sched_switch -m 99999999999999999999
129|perf-prof trace: invalid ring size '-m 2097152': must be a power of two number of pages, at most 65536|trace -e sched:sched_switch -m 2097152
129|perf-prof trace: invalid ring size '-m 1048576': must be a power of two number of pages, at most 65536|trace -e sched:sched_switch -m 1048576
129|perf-prof trace: invalid '--watermark 0': must be a percentage 1-100|trace -e sched:sched_switch --watermark 0
129|perf-prof trace: invalid '--watermark 101': must be a percentage 1-100|trace -e sched:sched_switch --watermark 101
129|perf-prof trace: invalid '-N 0': must be a positive count|trace -e sched:sched_switch -N 0
129|perf-prof trace: invalid '-N -5': must be a positive count|trace -e sched:sched_switch -N -5
129|perf-prof trace: invalid '-N -1': must be a positive count|trace -e sched:sched_switch -N -1
129|perf-prof trace: invalid '-N 99999999999999999999': must be a positive count|trace -e sched:sched_switch -N 99999999999999999999
129|perf-prof top: invalid interval '-i 0'|top -e sched:sched_switch -i 0
129|perf-prof top: invalid interval '-i -5'|top -e sched:sched_switch -i -5
129|perf-prof top: invalid interval '-i 99999999999999999999'|top -e sched:sched_switch -i 99999999999999999999
129|perf-prof top: invalid interval '-i 0.5ms'|top -e sched:sched_switch -i 0.5ms
129|hint: give milliseconds (-i 1000) or a duration of at least 1ms (-i 2s)|top -e sched:sched_switch -i 0
129|perf-prof trace: -i only applies with --flame-graph for trace|trace -e sched:sched_switch -i 100
129|perf-prof trace: CPU $no_cpu of '-C $no_cpu' is not online|trace -e sched:sched_switch -C $no_cpu
129|perf-prof trace: CPU 99999999 of '-C 99999999' is not online|trace -e sched:sched_switch -C 99999999
129|perf-prof trace: CPU $no_cpu of '-C 0,$no_cpu' is not online|trace -e sched:sched_switch -C 0,$no_cpu
129|perf-prof trace: invalid CPU list 'x'|trace -e sched:sched_switch -C x
129|perf-prof trace: invalid CPU list '1-0'|trace -e sched:sched_switch -C 1-0
129|perf-prof trace: invalid CPU list '0,'|trace -e sched:sched_switch -C 0,
129|perf-prof trace: --srcline needs stacks|trace -e sched:sched_switch --srcline
129|perf-prof trace: -C cannot be combined with -p|trace -e sched:sched_switch -C 0 -p 1
129|perf-prof trace: -C cannot be combined with a workload|trace -e sched:sched_switch -C 0 -- true
129|perf-prof trace: a workload cannot be combined with -p|trace -e sched:sched_switch -p 1 -- true
129|perf-prof trace: no such process '999999999'|trace -e sched:sched_switch -p 999999999
129|perf-prof trace: no such process '999999999'|trace -e sched:sched_switch -p 1,999999999
129|perf-prof trace: invalid pid 'abc'|trace -e sched:sched_switch -p abc
129|perf-prof trace: invalid pid '0'|trace -e sched:sched_switch -p 0
129|perf-prof trace: invalid pid '-1'|trace -e sched:sched_switch -p -1
129|perf-prof trace: no such thread '999999999'|trace -e sched:sched_switch -t 999999999
129|perf-prof trace: invalid tid 'abc'|trace -e sched:sched_switch -t abc
129|perf-prof trace: cannot run 'nosuchcmd-pp': command not found|trace -e sched:sched_switch -- nosuchcmd-pp
129|perf-prof trace: cannot run '/etc/passwd': not an executable file|trace -e sched:sched_switch -- /etc/passwd
129|perf-prof trace: cannot run '/tmp': not an executable file|trace -e sched:sched_switch -- /tmp
129|perf-prof trace: cannot run '/nonexistent/x': no such file|trace -e sched:sched_switch -- /nonexistent/x
129|perf-prof trace: cannot open output file '/proc/nope/x': No such file or directory|trace -e sched:sched_switch -N 1 -o /proc/nope/x
129|perf-prof trace: cannot open output file '/': Is a directory|trace -e sched:sched_switch -N 1 -o /
129|perf-prof trace: cannot open output file '/sys/kernel/nofile': Permission denied|trace -e sched:sched_switch -N 1 -o /sys/kernel/nofile
129|perf-prof trace: unknown option '--bogus'|trace --bogus
129|perf-prof trace: invalid CPU list '0-9999999999'|trace -e sched:sched_switch -C 0-9999999999 -N 1
129|perf-prof trace: invalid CPU list '+1'|trace -e sched:sched_switch -C +1 -N 1
129|hint: did you mean '--order'?|trace -e sched:sched_switch --ordr
129|hint: did you mean '--no-json'?|top -e sched:sched_switch --no-jsn
129|hint: did you mean 'sched:sched_switch'?|trace -e sched:sched_swich
129|hint: did you mean 'sched:sched_switch'?|trace -e shed:sched_switch
129|hint: did you mean 'sched:sched_switch'?|trace -e sched_swich
129|hint: did you mean 'cpu-clock'?|trace -e cpu-clok
129|hint: did you mean 'trace'?|trce
129|hint: did you mean 'multi-trace'?|multitrace -e a:b
129|hint: did you mean 'alias'? accepted attributes: alias, stack, max-stack|trace -e sched:sched_switch//alais=x/
129|hint: did you mean 'top-by'? accepted attributes: alias, key, top-by, top-add, comm, printkey|top -e sched:sched_switch//topby=prev_pid/
129|perf-prof top: option '--flame-graph' does not apply to top|top -e sched:sched_switch --flame-graph x.svg
129|hint: '-g' is for trace, profile, multi-trace, num-dist, kmemleak, task-state, syscalls|top -e sched:sched_switch -g
129|perf-prof trace: option '-e' requires a value|trace -e
129|perf-prof: unknown profiler 'nosuchprof'|nosuchprof
129|perf-prof list: unknown option '-x'|list -x
1|perf-prof list: no event matches 'nomatchxyz'|list nomatchxyz
C

while IFS='|' read -r want msg args; do
	# shellcheck disable=SC2086
	run $args
	expect "'perf-prof $args' -> $want: $msg" "$want" "$msg"
done < "$cases"

# --- cases the table cannot spell ---------------------------------------------
run multi-trace -e 'syscalls:sys_enter_*' -e 'syscalls:sys_exit_*'
n=$(grep -c . "$err")
expect "multi-trace with too many events says the limit" 129 \
	"perf-prof multi-trace: too many events for multi-trace: $(($(ls -d "$TFS"/events/syscalls/sys_e*_* | wc -l))), at most 256"
if grep -q "^hint: for the time of every system call, pair -e raw_syscalls:sys_enter with -e raw_syscalls:sys_exit" "$err" && [ "$n" -eq 3 ]; then
	ok "... why (a detail line) and what to do (a hint)"
else
	fail "... why (a detail line) and what to do (a hint)" "$(cat "$err")"
fi
run trce -e sched:sched_switch
if [ "$(grep -c . "$err")" -eq 2 ] && ! grep -q "perf-prof -h" "$err"; then
	ok "a suggestion replaces the generic hint"
else
	fail "a suggestion replaces the generic hint" "$(cat "$err")"
fi

run
expect "no profiler: the usage on stderr, exit 129" 129 \
	"usage: perf-prof PROFILER [OPTIONS] [-e EVENT[,EVENT...]] [help] [-- COMMAND [ARGS]]"
run trace -e sched:sched_switch -C ''
expect "an empty -C" 129 "perf-prof trace: invalid CPU list ''"
run trace -e sched:sched_switch -p ''
expect "an empty -p" 129 "perf-prof trace: empty pid list"
run trace -e ''
expect "an empty -e" 129 "perf-prof trace: empty event selector"
run trace -e 'sched:sched_switch/prev_comm == "a b"/' -e ' '
expect "a blank second -e" 129 "perf-prof trace: empty event selector"

if [ ! -e "$TFS/kprobe_events" ]; then
	run trace -e kprobe:do_sys_openat2 -N 1
	expect "kprobes missing from the kernel" 1 \
		"perf-prof trace: kprobes are not available in this kernel: 'kprobe:do_sys_openat2'"
fi

# a script whose interpreter does not exist: exec fails after the fork
printf '#!/nonexistent/interpreter\n' > "$T_TMP/badinterp"
chmod +x "$T_TMP/badinterp"
run trace -e sched:sched_switch -- "$T_TMP/badinterp"
expect "a workload whose interpreter is missing" 1 \
	"perf-prof trace: cannot run '$T_TMP/badinterp': No such file or directory"

# -o through a symlink is refused (no file written through it)
ln -s "$T_TMP/target" "$T_TMP/link"
run trace -e sched:sched_switch -N 1 -o "$T_TMP/link"
expect "-o refuses to follow a symlink" 129 \
	"perf-prof trace: cannot open output file '$T_TMP/link': Too many levels of symbolic links"
if [ -e "$T_TMP/target" ]; then fail "nothing is written through the symlink"; else ok "nothing is written through the symlink"; fi

# REGRESSION (catalogue): a failed write of the report is an error (it was a
# silent exit 0)
run_env "" trace -e sched:sched_switch -N 5 -o /dev/full
expect "REGRESSION: -o /dev/full: the lost output is reported, exit 1" 1 \
	"perf-prof trace: cannot write output file '/dev/full': No space left on device"

# no tracefs where it is said to be
run_env "PERF_PROF_TRACEFS=/nonexistent" trace -e sched:sched_switch
expect "PERF_PROF_TRACEFS=/nonexistent" 1 "perf-prof trace: tracefs not found at '/nonexistent'"
run_env "PERF_PROF_TRACEFS=/etc/passwd" list
expect "PERF_PROF_TRACEFS is a file" 1 "perf-prof list: tracefs not found at '/etc/passwd'"

# not root: a clear message (as nobody through setpriv). The checkout may sit
# in a directory nobody cannot enter (a 0700 mktemp dir): run a copy of the
# binary from a directory everyone can read.
if command -v setpriv > /dev/null; then
	pub=$(mktemp -d /tmp/pp-nobody.XXXXXX)
	chmod 755 "$pub"
	cp "$PP" "$pub/perf-prof"
	chmod 755 "$pub/perf-prof"
	nobody() {
		pid=""
		setsid -w sh -c 'echo $$ > "$0"; exec "$@"' "$T_TMP/sid" \
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			timeout -s INT -k 10 "$PP_TIMEOUT" "$pub/perf-prof" "$@" > "$out" 2> "$err" < /dev/null
		rc=$?
		sid=$(cat "$T_TMP/sid" 2>/dev/null)
		all_sids="$all_sids $sid"
	}
	nobody trace -e sched:sched_switch -N 1
	expect "not root: trace says so, exit 1" 1 "hint: run perf-prof as root"
	nobody top -e 'sched:sched_*'
	expect "not root: a glob says so, exit 1" 1 \
		"perf-prof top: cannot read '$TFS/available_events': Permission denied"
	nobody list
	expect "not root: list says so, exit 1" 1 \
		"perf-prof list: cannot read '$TFS/available_events': Permission denied"
	rm -rf "$pub"
else
	skip "not root" "setpriv (util-linux) not installed"
fi

# --- runs that go wrong half-way --------------------------------------------------
# division by zero: the run goes on, the skipped samples are counted
run top -e 'syscalls:sys_enter_getppid//top-by=(common_pid/(common_pid-common_pid))/' -- "$WL" getppid 100
expect "division by zero in top-by= skips and counts every sample" 0 \
	"perf-prof top: 100 samples of 'syscalls:sys_enter_getppid' skipped: expression errors (division by zero, index out of range, ...)"
run trace -e 'syscalls:sys_enter_getppid/(common_pid/(common_pid-common_pid))>0/' -- "$WL" getppid 50
expect "division by zero in a user-space filter skips and counts" 0 \
	"perf-prof trace: 50 samples of 'syscalls:sys_enter_getppid' skipped: expression errors (division by zero, index out of range, ...)"
check_eq "no sample passes a filter that cannot be computed" "$(grep -c sys_enter_getppid "$out")" 0

# the -p target exits during the run: the run ends by itself, cleanly
"$WL" -d 1500 getppid 10 > /dev/null &
target=$!
run top -e syscalls:sys_enter_getppid -p $target
wait $target
expect_clean "-p target exits: the run ends cleanly, exit 0" 0
check_eq "-p target exits: its samples are in the final report" \
	"$(awk -v p=$target '$1 == p { print $2 }' "$out" | tail -1)" 10

# REGRESSION (catalogue): the same for -t (it ran until killed)
"$WL" -d 1000 getppid 10 > /dev/null &
target=$!
PP_TIMEOUT_SAVE=$PP_TIMEOUT
PP_TIMEOUT=15
run top -e syscalls:sys_enter_getppid -t $target
PP_TIMEOUT=$PP_TIMEOUT_SAVE
wait $target
expect_clean "REGRESSION: -t target exits: the run ends by itself, exit 0" 0

# a workload that fails at once (wl exits 2 on a bad mode): nothing of it is
# left, and its failure is perf-prof's exit status (as time(1) does), said on stderr
run trace -e sched:sched_switch -- "$WL" nosuchmode
expect_clean "a workload that fails at once: its exit status 2, nothing left" 2
check_err "the workload's status is said" "perf-prof trace: workload exited with status 2"
run trace -e sched:sched_switch -- sh -c 'exit 42'
check_rc "a workload's exit 42 is perf-prof's" 42
check_err "exit 42 is said" "workload exited with status 42"
run trace -e sched:sched_switch -- sh -c 'kill -SEGV $$'
check_rc "a workload killed by SIGSEGV: 128+11" 139
check_err "the signal is said" "workload killed by SIGSEGV"
run trace -e sched:sched_switch -N 1 -- true
check_rc "a workload that succeeds: exit 0" 0

# --- damaged input records (replay) ----------------------------------------------
R=$TESTS_DIR/replay
rep=$T_TMP/rec.bin
python3 "$R/mkreplay.py" "$R/tracefs" sched:sched_wakeup "$rep" <<'D'
ring 0
sample sched:sched_wakeup time=5 _pid=3 comm=x pid=1
sample sched:sched_wakeup time=6 _pid=3 comm=y pid=2
D
# the first record's size made 4 bytes longer: no longer a multiple of 8
python3 - "$rep" <<'E'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<H", d, 28 + 6, struct.unpack_from("<H", d, 28 + 6)[0] + 4)
open(sys.argv[1], "wb").write(d)
E
run_env "PERF_PROF_TRACEFS=$R/tracefs PERF_PROF_REPLAY=$rep" trace -e sched:sched_wakeup
expect "a record size that is not a multiple of 8 is reported" 0 \
	"perf-prof trace: 1 times a ring held a malformed record and was skipped to its head"
check_eq "REGRESSION: a record size that is not a multiple of 8 is not decoded" "$(wc -l < "$out")" 0
# REGRESSION (fuzz): libtraceevent prints a record by the event its
# common_type names and reads what that format promises: a sample must be
# refused unless its raw data is as long as its own event's fixed part and
# names that event
python3 "$R/mkreplay.py" "$R/tracefs" sched:sched_wakeup,sched:sched_switch "$rep" <<'D'
ring 0
sample sched:sched_wakeup time=5 _pid=3 comm=x pid=1 prio=120 common_type=372
D
run_env "PERF_PROF_TRACEFS=$R/tracefs PERF_PROF_REPLAY=$rep" trace -e sched:sched_wakeup -e sched:sched_switch
expect "REGRESSION: a sample whose common_type names another event is refused" 0 \
	"perf-prof trace: 1 samples could not be decoded"
check_eq "REGRESSION: ... and not printed as that event" "$(wc -l < "$out")" 0
python3 "$R/mkreplay.py" "$R/tracefs" sched:sched_wakeup "$rep" <<'D'
ring 0
sample sched:sched_wakeup time=5 _pid=3 comm=x pid=1 prio=120
D
# raw size 8: the common fields only (the u32 after id, tid, time, cpu, period)
python3 - "$rep" <<'E2'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<I", d, 28 + 8 + 40, 8)
open(sys.argv[1], "wb").write(d)
E2
run_env "PERF_PROF_TRACEFS=$R/tracefs PERF_PROF_REPLAY=$rep" trace -e sched:sched_wakeup
expect "REGRESSION: a sample shorter than its format is refused" 0 \
	"perf-prof trace: 1 samples could not be decoded"
check_eq "REGRESSION: ... and its fields are not read past its end" "$(wc -l < "$out")" 0
printf 'PPREPLAY\377\377\377\377' > "$rep"
run_env "PERF_PROF_TRACEFS=$R/tracefs PERF_PROF_REPLAY=$rep" trace -e sched:sched_wakeup
expect "a replay file with an absurd ring count" 1 \
	"perf-prof trace: replay file '$rep': bad ring count 4294967295"

# a long selector still gets its caret under the error (fuzz: the caret line
# did not fit in the message and was cut off)
long=$(printf 'x%.0s' $(seq 1 3000))
run trace -e "sched:sched_switch/prev_comm==\"$long\"/nosuch/"
if [ $rc -eq 129 ] && grep -q "^perf-prof trace: unknown attribute 'nosuch' in 'sched:sched_switch/prev_comm==\"xxxx" "$err"; then
	ok "a 3 KB selector: the message (cut to the message size), exit 129"
else
	fail "a 3 KB selector: the message (cut to the message size), exit 129" "exit code $rc" "$(head -c 300 "$err")"
fi
col=$(awk '/^ *\^$/ { print length($0) }' "$err")
word=$(awk -v c="${col:-0}" '/^ *\^$/ { print substr(prev, c, 6) } { prev = $0 }' "$err")
check_eq "a 3 KB selector: the caret is under the bad attribute" "$word" nosuch

# --- help, version, list ---------------------------------------------------------
run -h
if [ $rc -eq 0 ] && grep -q '^   trace ' "$out"; then ok "-h lists the profilers on stdout, exit 0"; else fail "-h lists the profilers on stdout, exit 0"; fi
run trace -h
if [ $rc -eq 0 ] && grep -q '^EXAMPLES' "$out" && grep -q -- '--mmap-pages' "$out"; then ok "trace -h shows options and EXAMPLES"; else fail "trace -h shows options and EXAMPLES" "$(head -5 "$out")"; fi
run -V
if [ $rc -eq 0 ] && grep -q '^perf-prof ' "$out"; then ok "-V prints the version"; else fail "-V prints the version"; fi
run list sched:sched_switch
check_eq "list PATTERN prints matching tracepoints" "$(cat "$out")" "sched:sched_switch"
run list 'sched:sched_wakeup*'
check_eq "list GLOB matches by glob" "$(tr '\n' ' ' < "$out")" "sched:sched_wakeup sched:sched_wakeup_new "
run list
n=$(grep -c : "$out")
want=$(grep -c : "$TFS/available_events")
for f in function print; do [ -e "$TFS/events/ftrace/$f/id" ] && want=$((want + 1)); done
check_eq "list prints every tracepoint (and ftrace:function/print where they exist)" "$n" "$want"
check_eq "list prints perf's events too" "$(grep -c -x 'cpu-clock\|page-faults\|cycles' "$out")" 3
if LC_ALL=C sort -c "$out" 2>/dev/null; then ok "list output is sorted"; else fail "list output is sorted"; fi

# at the end, once more over every run (other runs on the machine are not ours)
left=""
for s in $all_sids; do
	left="$left$(pgrep -s "$s" 2>/dev/null | tr '\n' ' ')"
done
check_eq "no process of any case left running at the end" "$left" ""
