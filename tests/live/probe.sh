# SPDX-License-Identifier: GPL-2.0
#
# live/probe.sh - uprobes/uretprobes made into tracefs dynamic events, checked
# against the probed workload's ground truth (exact call counts, arguments,
# return values, malloc sizes), and the clean-up promise: after a normal end,
# -N, a startup error, SIGINT and SIGTERM no probe of the run is left in
# tracefs, and the probes of a run killed with SIGKILL are removed by the
# next run. kprobes: exact error where the kernel has none, else a count.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

PW=${WORKLOAD_DIR:?}/probed
TR=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ ! -x "$PW" ]; then
	skip "${0##*/}" "the probed workload is not built ($PW)"
	exit 0
fi
if [ ! -w "$TR/uprobe_events" ]; then
	skip "${0##*/}" "no uprobe_events in tracefs (CONFIG_UPROBE_EVENTS)"
	exit 0
fi
UP="uprobe:probed_count@\"$PW\""

# ppx ARGS... - pp in the background and wait: $bg is the run's pid, so its
# group pp_$bg can be looked for afterwards
ppx() {
	pp_bg "$@"
	pp_wait
}

# groups - the pp_ groups of pids $@ that are still in tracefs
groups() {
	for p in "$@"; do
		grep -ho "^[pr][0-9]*:pp_$p/[^ ]*" "$TR/uprobe_events" "$TR/kprobe_events" 2>/dev/null
	done | tr '\n' ' '
}

# check_caret NAME COL - stderr has the caret line with '^' under column COL
check_caret() {
	if grep -qx "  $(printf "%$2s")^" "$err"; then
		ok "$1"
	else
		fail "$1" "stderr: $(cat "$err")"
	fi
}

check_gone() {
	left=$(groups "$bg")
	if [ -z "$left" ]; then ok "$1"; else fail "$1" "left in tracefs: $left"; fi
}

# --- counts, return values, arguments -------------------------------------
ppx trace -e "$UP" -- "$PW" count 1234
check_rc "uprobe run exits 0" 0
n=$(grep -c " uprobe:probed_count: " "$out")
check_eq "uprobe on a function called 1234 times prints 1234 lines" "$n" 1234
check_gone "no probe left after a normal end"

ppx trace -e "uretprobe:probed_ret@\"$PW\"(ret=\$retval:s64)" -- "$PW" ret 50
got=$(sed -n 's/.* uretprobe:probed_ret: .* ret=\(-*[0-9]*\)$/\1/p' "$out" | tr '\n' ' ')
want=$(awk 'BEGIN { for (i = 0; i < 50; i++) printf "%d ", i * i - 5 }')
check_eq "uretprobe \$retval:s64 carries exactly i*i-5 for i=0..49" "$got" "$want"

ppx trace --json -e "uprobe:probed_args@\"$PW\"(a=arg1:s64,b=arg2:s32,c=arg3:x64,s=arg4:string)" -- "$PW" args 100
res=$(grep '^{' "$out" | python3 -c '
import json, sys
good = bad = 0
for i, line in enumerate(sys.stdin):
    f = json.loads(line)["fields"]
    want = {"a": i + 1, "b": -(i + 1), "c": 0xdead0000 + i, "s": "str-%d" % i}
    if all(f.get(k) == v for k, v in want.items()):
        good += 1
    else:
        bad += 1
        print(f, file=sys.stderr)
print(good, bad)')
check_eq "fetched args equal what the workload passed (s64, s32, x64, string), 100 calls" "$res" "100 0"

ppx trace -e "uprobe:probed_args@\"$PW\"(s=+0(%cx):string,n=arg2:s32)" -N 1 -- "$PW" args 3
got=$(sed -n 's/.* uprobe:probed_args: ([0-9a-f]*) //p' "$out")
check_eq "explicit dereference +0(%di):string" "$got" 's="str-0" n=-1'

# a global variable through @+ADDR: sink is the sum of the earlier arguments
addr=$(nm "$PW" | awk '$3 == "sink" { print $1 }')
ppx trace -e "uprobe:probed_count@\"$PW\"(i=arg1:s64,s=@+0x$addr:s64)" -- "$PW" count 6
got=$(sed -n 's/.* uprobe:probed_count: ([0-9a-f]*) //p' "$out" | tr '\n' ' ')
check_eq "@+ADDR reads the workload's global variable" "$got" "i=0 s=0 i=1 s=0 i=2 s=1 i=3 s=3 i=4 s=6 i=5 s=10 "

# --- libc malloc filtered on the size argument ----------------------------
ppx trace -e 'uprobe:malloc@libc(size=arg1)/size==12345/' -- "$PW" malloc 777 12345
check_rc "libc malloc uprobe exits 0" 0
n=$(grep -c " uprobe:malloc: .* size=12345$" "$out")
check_eq "malloc@libc filtered on size==12345 matches the 777 calls" "$n" 777
check_gone "no probe left after the libc run"

ppx top -e 'uprobe:malloc@libc(size=arg1)/size==4000/key=size/' -- "$PW" malloc 321 4000
got=$(awk '$1 == 4000 { print $2 }' "$out")
check_eq "top key=size on a uprobe field counts 321 calls of 4000 bytes" "$got" 321

# a local function of libc, found through the separate debuginfo (libc6-dbg)
libc=$(ldconfig -p | awk '/libc\.so\.6 .*x86-64/ { print $NF; exit }')
id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/.*Build ID: //p')
if [ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug" ]; then
	ppx trace -e 'uprobe:_int_malloc@libc(bytes=arg2)/bytes==12345/' -- "$PW" malloc 9 12345
	n=$(grep -c " uprobe:_int_malloc: " "$out")
	check_eq "_int_malloc (debuginfo only) sees the 9 large mallocs" "$n" 9
else
	skip "_int_malloc through debuginfo" "no separate debuginfo for $libc (libc6-dbg)"
fi

# --- several probes, one function ------------------------------------------
ppx trace -e "$UP,uretprobe:probed_count@\"$PW\"(ret=\$retval),$UP//alias=again/" -- "$PW" count 40
a=$(grep -c " uprobe:probed_count: " "$out")
r=$(grep -c " uretprobe:probed_count: " "$out")
g=$(grep -c " again: " "$out")
check_eq "entry, return and a second term on one function: 40 each" "$a $r $g" "40 40 40"
check_gone "no probe left after three terms"

# --- -N ----------------------------------------------------------------------
ppx trace -e "$UP" -N 5 -- "$PW" count 100
n=$(grep -c " uprobe:probed_count: " "$out")
check_eq "-N 5 on a uprobe prints 5 lines" "$n" 5
check_gone "no probe left after -N"

# --- help shows the fetched fields ------------------------------------------
ppx trace -e 'uprobe:malloc@libc(size=arg1,p=arg2:x64)' help
got=$(awk '$1 == "size" || $1 == "p" { print $1 ":" $2 }' "$out" | tr '\n' ' ')
check_eq "help lists the fetched arguments as typed fields" "$got" "size:u64 p:u64 "
check_gone "no probe left after help"

# --- errors: exact message, exit code, nothing left ------------------------
ppx trace -e "$UP,uprobe:pp_nosuch_fn@\"$PW\""
check_fails "second probe unknown -> 129" 129 "perf-prof trace: no function 'pp_nosuch_fn' in '$PW'"
check_gone "the first probe is removed when the second fails"

ppx trace -e "uprobe:probed_count@\"$PW\"(x=arg9)"
check_fails "argument out of range -> 129" 129 "perf-prof trace: 'arg9' is out of range"
ppx trace -e "uretprobe:probed_count@\"$PW\"(x=arg1)"
check_fails "argN in a uretprobe -> 129" 129 "perf-prof trace: 'arg1' is not available in a uretprobe"
ppx trace -e 'uprobe:malloc@libnosuchlib_pp'
check_fails "unknown library -> 129" 129 "perf-prof trace: no library 'libnosuchlib_pp' found"
ppx trace -e 'uprobe:strlen@libc'
check_fails "IFUNC -> 129" 129 "is an indirect function (IFUNC)"
ppx trace -e "uprobe:probed_count@\"$PW\"(x=arg1:symbol)"
check_fails "symbol type on a uprobe -> 129" 129 "perf-prof trace: type 'symbol' is for kprobes"

# --- offsets: instruction boundaries; a return probe only at the entry -------
# probed_ident is 48 89 f8 (mov %rdi,%rax) at +0 and c3 (ret) at +3
want=$("$PW" ident 1000 | sed -n 's/^probed sum=//p')
check_eq "probed ident 1000 alone sums 0..999" "$want" 499500
ppx trace -e "uprobe:probed_ident+3@\"$PW\"" -- "$PW" ident 1000
check_rc "a probe on an instruction boundary (+3) exits 0" 0
n=$(grep -c " uprobe:probed_ident+3: " "$out")
check_eq "the probe at +3 fires once per call: 1000" "$n" 1000
check_eq "the traced program's result is unchanged by the probe at +3" \
	"$(sed -n 's/^probed sum=//p' "$out")" "$want"
check_gone "no probe left after the offset probe"

ppx trace -e "uprobe:probed_ident+1@\"$PW\"" -- "$PW" ident 1000
check_fails "an offset inside an instruction (ident+1) -> 129" 129 \
	"perf-prof trace: offset 0x1 is inside an instruction of 'probed_ident'"
check_err "the hint lists where the instructions start" "instructions start at +0x0 +0x3"
check_caret "the caret is under the offset" 20
check_eq "the workload did not run with a refused probe" "$(grep -c '^probed' "$out")" 0
check_gone "no probe left after a refused offset"

ppx trace -e "uprobe:probed_ident+4@\"$PW\""
check_fails "an offset beyond the function (4 bytes) -> 129" 129 \
	"perf-prof trace: offset 0x4 is beyond 'probed_ident' (4 bytes)"

ppx trace -e "uretprobe:probed_ident+3@\"$PW\"(ret=\$retval)" -- "$PW" ident 10
check_fails "a uretprobe at an offset -> 129" 129 \
	"perf-prof trace: a uretprobe is only valid at a function's entry, not at an offset: 'uretprobe:probed_ident+3'"
check_err "the hint says why" "swaps the return address on the stack when the function is entered"
check_caret "the caret is under the uretprobe's offset" 23
check_eq "the workload did not run with a refused uretprobe" "$(grep -c '^probed' "$out")" 0

# --- kprobes -----------------------------------------------------------------
if [ ! -e "$TR/kprobe_events" ]; then
	ppx trace -e 'kprobe:vfs_read(fd=arg1)' -N 1
	check_fails "kprobe without kernel support -> 1, exact message" 1 \
		"perf-prof trace: kprobes are not available in this kernel: 'kprobe:vfs_read'"
	check_err "the hint names the kernel options" \
		"hint: the kernel needs CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y ($TR/kprobe_events is missing)"
	skip "kprobe/kretprobe counts" "this kernel has no kprobe_events (CONFIG_KPROBE_EVENTS)"
else
	ppx trace -e 'kprobe:__x64_sys_getppid' -- "$WL" getppid 300
	n=$(grep -c " kprobe:__x64_sys_getppid: " "$out")
	check_eq "kprobe on __x64_sys_getppid: 300 calls" "$n" 300
	ppx trace -e 'kretprobe:__x64_sys_getppid(ret=$retval:s32)' -- "$WL" getppid 50
	# the workload's parent is perf-prof itself
	n=$(grep -c " kretprobe:__x64_sys_getppid: .* ret=$bg\$" "$out")
	check_eq "kretprobe \$retval is the parent pid (perf-prof's), 50 calls" "$n" 50
	check_gone "no kprobe left"
fi

# --- signals -------------------------------------------------------------------
for sig in INT TERM; do
	pp_bg trace -e "$UP" -- "$PW" loop 20000
	pp_ready
	had=$(groups "$bg")
	kill -"$sig" "$bg"
	pp_wait
	check_rc "SIG$sig ends a uprobe run with exit 0" 0
	check_eq "the probe existed while running (SIG$sig)" "$had" "p:pp_$bg/probed_count "
	check_gone "no probe left after SIG$sig"
done

# every other signal whose default action ends the process: the probes go
# and the exit status still says which signal it was (128 + N)
ulimit -c 0
# a shell starts background jobs with SIGQUIT (and SIGINT) ignored, which
# perf-prof rightly leaves alone: run it with every signal at its default
printf '#!/bin/sh\nexec env --default-signal "%s" "$@"\n' "$PP" > "$T_TMP/pp-dfl"
chmod +x "$T_TMP/pp-dfl"
PP_SAVED=$PP
for sn in QUIT:3 ALRM:14 SEGV:11 BUS:7 ABRT:6; do
	sig=${sn%:*}
	num=${sn#*:}
	if [ -n "${SAN:-}" ] && { [ $sig = SEGV ] || [ $sig = BUS ]; }; then
		skip "SIG$sig removes the probes" "under ASan the sanitizer owns SIG$sig's handler"
		continue
	fi
	PP=$T_TMP/pp-dfl
	pp_bg trace -e "$UP" -- "$PW" loop 20000
	PP=$PP_SAVED
	pp_ready
	wl=$(sed -n 's/^probed pid=//p' "$out")
	had=$(groups "$bg")
	kill -"$sig" "$bg"
	pp_wait
	[ -n "$wl" ] && kill -KILL "$wl" 2>/dev/null
	check_rc "SIG$sig: perf-prof dies of it (exit 128+$num)" $((128 + num))
	check_eq "the probe existed while running (SIG$sig)" "$had" "p:pp_$bg/probed_count "
	# a helper removes busy probes once the process is gone: give it a moment
	i=0
	while [ -n "$(groups "$bg")" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	check_gone "no probe left after SIG$sig"
done

# SIGUSR2 is read by the command line (a resource usage report) while the run
# loops: the run goes on with its probe, and ends cleanly later
pp_bg trace -e "$UP" -- "$PW" loop 20000
pp_ready
wl=$(sed -n 's/^probed pid=//p' "$out")
kill -USR2 "$bg"
sleep 0.3
check_eq "after SIGUSR2 the run goes on with its probe" "$(groups "$bg")" "p:pp_$bg/probed_count "
kill -INT "$bg"
pp_wait
[ -n "$wl" ] && kill -KILL "$wl" 2>/dev/null
check_rc "SIGINT then ends it with exit 0" 0
check_gone "no probe left after SIGUSR2 then SIGINT"

# kill_run ARGS... - a probe run killed with SIGKILL (and its workload); $bg
kill_run() {
	pp_bg "$@"
	pp_ready
	wl=$(sed -n 's/^probed pid=//p' "$out")
	kill -KILL "$bg"
	pp_wait
	[ -n "$wl" ] && kill -KILL "$wl" 2>/dev/null
}

# check_reaped NAME PID EVENT - the last run said it removed PID's probe;
# another perf-prof on this machine may have been first (then skip)
check_reaped() {
	note="perf-prof: removed probe 'pp_$2:$3' left by a run that did not end cleanly (pid $2)"
	if grep -qF -- "$note" "$err"; then
		ok "$1"
	elif [ -z "$(groups "$2")" ]; then
		skip "$1" "another perf-prof on this machine removed pp_$2 first"
	else
		fail "$1" "stderr lacks: $note" "stderr: $(head -c 600 "$err")"
	fi
	check_eq "no probe of the killed run is left ($3)" "$(groups "$2")" ""
	if [ -e "/run/perf-prof/pp_$2.lock" ]; then
		fail "the killed run's lock file went with its probes" "/run/perf-prof/pp_$2.lock"
	else
		ok "the killed run's lock file went with its probes"
	fi
}

kill_run trace -e "$UP" -- "$PW" loop 20000
check_eq "SIGKILL leaves the probe in tracefs" "$(groups "$bg")" "p:pp_$bg/probed_count "
killed=$bg
ppx trace -e "$UP" -- "$PW" count 3
check_reaped "the next run says it removed the killed run's probe" "$killed" probed_count
n=$(grep -c " uprobe:probed_count: " "$out")
check_eq "the next run works: 3 lines" "$n" 3

# a run without probes cleans up after killed runs too
kill_run trace -e "$UP" -- "$PW" loop 20000
killed=$bg
ppx trace -e syscalls:sys_enter_getppid -- "$WL" getppid 3
check_rc "a tracepoint-only run after a killed probe run exits 0" 0
check_reaped "a tracepoint-only run removes the killed run's probe, with a note" "$killed" \
	probed_count

# --- liveness is a lock, not a process name ---------------------------------
# the first run is a copy of perf-prof under another name; runs started
# meanwhile (with probes, without) must leave its probes alone
cp "$PP" "$T_TMP/pp-renamed"
"$T_TMP/pp-renamed" trace -e "$UP" -- "$PW" loop 3000 > "$T_TMP/first.out" \
	2> "$T_TMP/first.err" < /dev/null &
first=$!
( sleep "$PP_TIMEOUT"; kill -KILL $first 2>/dev/null ) > /dev/null 2>&1 &
first_dog=$!
bg=$first
pp_ready
had=$(groups "$first")
pp trace -e "uprobe:probed_ident@\"$PW\"" -- "$PW" ident 10
check_rc "a probe run beside a renamed live run exits 0" 0
if grep -qF "removed probe 'pp_$first:" "$err"; then
	fail "a probe run leaves the renamed live run's probes alone" "$(cat "$err")"
else
	ok "a probe run leaves the renamed live run's probes alone"
fi
pp trace -e syscalls:sys_enter_getppid -- "$WL" getppid 3
check_eq "so does a tracepoint-only run: the live run's probe is still there" \
	"$(groups "$first")" "$had"
check_eq "the probe existed while the renamed run ran" "$had" "p:pp_$first/probed_count "
wait "$first"
rc=$?
kill "$first_dog" 2>/dev/null
check_eq "the renamed run ends normally (exit 0)" "$rc" 0
calls=$(sed -n 's/^probed calls=//p' "$T_TMP/first.out")
n=$(grep -c " uprobe:probed_count: " "$T_TMP/first.out")
check_eq "the renamed run saw every call of its workload ($calls)" "$n" "${calls:-none}"
bg=$first
check_gone "the renamed run removed its own probe"

check_clean "no perf-prof left running"
