# SPDX-License-Identifier: GPL-2.0
#
# live/pstack.sh - perf-prof pstack against tests/workload/pstack.c, whose
# threads sit in known functions: main -> a -> b -> c -> read(), a reader
# thread in read() below an inlined function, a poller thread in poll().
# Ground truth: the call chains the workload is written with, the lines of
# its source (marked LINE:name), and eu-stack -p (elfutils, libdwfl's own
# unwinder) of the same process, frame by frame. Every run must leave the
# process as it found it: running (or stopped, if it was), untraced, and
# finishing its work with exit 0 when the test lets it.
. "$TESTS_DIR/lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip "${0##*/}" "needs root (ptrace of other users' processes, setpriv)"
	exit 0
fi
PS=$WORKLOAD_DIR/pstack
SRC=$TESTS_DIR/workload/pstack.c
line_of() { grep -n -- "LINE:$1 " "$SRC" | head -1 | cut -d: -f1; }
have_eu=$(command -v eu-stack || true)

# start MODE [ARG] - the workload with a fifo on stdin (fd 3 writes it); $wl is its pid
start() {
	rm -f "$T_TMP/in" "$T_TMP/wl.out"
	mkfifo "$T_TMP/in"
	"$PS" "$@" < "$T_TMP/in" > "$T_TMP/wl.out" 2>&1 &
	wl=$!
	exec 3> "$T_TMP/in"
	wait_for "$T_TMP/wl.out" "pstack pid=" 20 || echo "# the workload did not start"
}

# tid_of NAME - the thread of $wl called NAME
tid_of() {
	for t in /proc/$wl/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$1" ] && basename "$t"
	done
}

# blocked_in NR... - until the threads of $wl, by tid, are in these system calls
blocked_in() {
	i=0
	while [ $i -lt 100 ]; do
		got=$(for t in $(ls /proc/$wl/task | sort -n); do cut -d' ' -f1 /proc/$wl/task/$t/syscall; done |
			tr '\n' ' ')
		[ "$got" = "$* " ] && return 0
		i=$((i + 1))
		sleep 0.05
	done
	echo "# threads of $wl are in system calls '$got', not '$*'"
	return 1
}

# states - the state letter of each thread of $wl and whether any has a tracer
states() {
	for t in $(ls /proc/$wl/task 2>/dev/null | sort -n); do
		s=$(awk '/^State:/ { print $2 }' /proc/$wl/task/$t/status 2>/dev/null)
		tr=$(awk '/^TracerPid:/ { print $2 }' /proc/$wl/task/$t/status 2>/dev/null)
		printf '%s%s ' "$s" "$([ "${tr:-0}" = 0 ] || echo "+traced")"
	done
}

# unharmed NAME - $wl is not stopped and not traced
unharmed() {
	st=$(states)
	case "$st" in
	*T*|*t*|*traced*) fail "$1" "thread states: $st" ;;
	*) ok "$1" ;;
	esac
}

# finish NAME [INPUT] - send INPUT (default "g"), close stdin: $wl must exit 0 having done its work
finish() {
	printf '%s\n' "${2:-g}" >&3
	exec 3>&-
	wait $wl
	wrc=$?
	if [ $wrc -eq 0 ] && grep -q "pstack done" "$T_TMP/wl.out"; then
		ok "$1"
	else
		fail "$1" "workload exit $wrc" "$(cat "$T_TMP/wl.out")"
	fi
}

# names FILE - per thread, one line "TID: name name ...", from pstack's or
# eu-stack's text; symbol versions, leading underscores (aliases such as
# __poll/poll) and perf-prof's +0xOFF dropped
names() {
	awk '/^TID / { if (t) print t ":" s; t = $2; sub(/:$/, "", t); s = ""; next }
	     /^#[0-9]/ { n = $3; sub(/\+0x[0-9a-f]+$/, "", n); sub(/@.*/, "", n); sub(/^_+/, "", n)
	                 s = s " " n }
	     END { if (t) print t ":" s }' "$1"
}

# ---------------------------------------------------------------- blocked
start blocked
main=$wl
reader=$(tid_of pst-reader)
poller=$(tid_of pst-poller)
blocked_in 0 0 7

pp pstack "$wl"
check_rc "pstack PID: exit 0" 0
cp "$out" "$T_TMP/pstack.txt"
check_eq "the first line is eu-stack's" "$(head -1 "$out")" "PID $wl - process"
check_eq "one 'TID N: NAME' line per thread, by tid" "$(grep '^TID' "$out" | tr '\n' '|')" \
	"TID $main: pst-main|TID $reader: pst-reader|TID $poller: pst-poller|"
got=$(names "$out" | awk -F: -v t=$main '$1 == t { print $2 }' | cut -d' ' -f2-6)
check_eq "main thread: read <- c <- b <- a <- main" "$got" "read c b a main"
got=$(names "$out" | awk -F: -v t=$reader '$1 == t { print $2 }' | cut -d' ' -f2-4)
check_eq "reader thread: read <- reader_outer <- reader_thread" "$got" "read reader_outer reader_thread"
got=$(names "$out" | awk -F: -v t=$poller '$1 == t { print $2 }' | cut -d' ' -f2-5)
check_eq "poller thread: poll <- poller_inner <- poller_outer <- poller_thread" "$got" \
	"poll poller_inner poller_outer poller_thread"
bad=$(grep '^#' "$out" | grep -v -E '^#[0-9]+ +0x[0-9a-f]{16} [^ ]+\+0x[0-9a-f]+ \(/[^)]*\)$' | head -3)
check_eq "every frame is '#N  0xADDR name+0xOFF (/path)'" "$bad" ""
unharmed "after pstack the process runs on, untraced"

if [ -n "$have_eu" ]; then
	eu-stack -p "$wl" > "$T_TMP/eu.txt" 2> "$T_TMP/eu.err"
	names "$T_TMP/eu.txt" > "$T_TMP/eu.names"
	names "$T_TMP/pstack.txt" > "$T_TMP/pp.names"
	if [ "$(wc -l < "$T_TMP/eu.names")" = 3 ] && diff "$T_TMP/eu.names" "$T_TMP/pp.names" > "$T_TMP/d"; then
		ok "every thread's frames are eu-stack -p's, in order ($(wc -w < "$T_TMP/pp.names") words)"
	else
		fail "every thread's frames are eu-stack -p's, in order" "$(cat "$T_TMP/d" "$T_TMP/eu.err")"
	fi
	# addresses too: the same pcs, frame by frame
	a1=$(awk '/^#/ { print $2 }' "$T_TMP/eu.txt" | tr '\n' ' ')
	a2=$(awk '/^#/ { print $2 }' "$T_TMP/pstack.txt" | tr '\n' ' ')
	check_eq "... and the same addresses" "$a2" "$a1"
else
	skip "every thread's frames are eu-stack -p's, in order" "eu-stack (elfutils) is not installed"
fi

# --srcline: file:line from DWARF, inlined functions as frames
pp pstack --srcline "$wl"
check_rc "--srcline: exit 0" 0
fl() { awk -v t="$1" -v f="$2" '/^TID / { on = ($2 == t ":") } on && $3 ~ "^" f "(\\+|$)" { print $3, $NF; exit }' "$out" |
	sed 's/+0x[0-9a-f]*//; s|[^ ]*/||'; }
check_eq "--srcline: c at its read() line" "$(fl $main c)" "c pstack.c:$(line_of c)"
check_eq "--srcline: b at its call of c" "$(fl $main b)" "b pstack.c:$(line_of b)"
check_eq "--srcline: a at its call of b" "$(fl $main a)" "a pstack.c:$(line_of a)"
check_eq "--srcline: mode_blocked, inlined into main, at its call of a" \
	"$(grep -A1 -E '^#[0-9]+ .* a\+0x' "$out" | sed -n 2p | awk '{ print $3, $4, $NF }' | sed 's|[^ ]*/||')" \
	"mode_blocked (inlined) pstack.c:$(line_of main)"
check_eq "--srcline: reader_wait, inlined into reader_outer, at its read() line" \
	"$(fl $reader reader_wait)" "reader_wait pstack.c:$(line_of reader_wait)"
check_eq "--srcline: reader_outer at its use of reader_wait" "$(fl $reader reader_outer)" \
	"reader_outer pstack.c:$(line_of reader_outer)"
if [ -n "$have_eu" ]; then
	# eu-stack -i -s: inlined frames of its own, sources on the next line
	eu-stack -i -s -p "$wl" 2>/dev/null | awk '/^TID/ { print; next }
		/^#/ { n = $3 } /^    / { f = $1; sub(/:[0-9]+$/, "", f); sub(/.*\//, "", f); print n, f }' |
		grep -E '^TID|pstack\.c' > "$T_TMP/eu.lines"
	awk '/^TID/ { print $1, $2; next } $NF ~ /pstack\.c:/ { n = $3; sub(/\+0x.*/, "", n); f = $NF; sub(/.*\//, "", f); print n, f }' \
		"$out" > "$T_TMP/pp.lines"
	if diff "$T_TMP/eu.lines" "$T_TMP/pp.lines" > "$T_TMP/d"; then
		ok "--srcline: every frame in the workload has eu-stack -i -s's function and line ($(grep -vc TID "$T_TMP/pp.lines"))"
	else
		fail "--srcline: every frame in the workload has eu-stack -i -s's function and line" "$(cat "$T_TMP/d")"
	fi
else
	skip "--srcline: eu-stack -i -s's functions and lines" "eu-stack (elfutils) is not installed"
fi

# some threads; a thread id names its process; -p
pp pstack "$wl" "$poller" "$reader"
check_eq "pstack PID TID TID: those threads" "$(grep '^TID' "$out" | cut -d: -f1 | tr '\n' ' ')" \
	"TID $reader TID $poller "
pp pstack "$reader"
check_eq "pstack TID: that thread, of its process" "$(grep -E '^(PID|TID)' "$out" | tr '\n' '|')" \
	"PID $wl - process|TID $reader: pst-reader|"
pp pstack -p "$wl" "$poller"
check_eq "pstack -p PID TID" "$(grep -E '^(PID|TID)' "$out" | tr '\n' '|')" \
	"PID $wl - process|TID $poller: pst-poller|"

# --json: the same frames as the text
pp pstack --json "$wl"
got=$(python3 -c "
import json, sys
for l in open('$out'):
    o = json.loads(l)
    print(str(o['tid']) + ':', ' '.join(f['name'] for f in o['frames']), o['count'], o['samples'])
" 2>&1 | sed 's/ \(__*\)/ /g')
want=$(awk '/^TID / { if (t) print t ":" s " 1 1"; t = $2; sub(/:$/, "", t); s = ""; next }
	/^#/ { n = $3; sub(/\+0x[0-9a-f]+$/, "", n); s = s " " n } END { print t ":" s " 1 1" }' "$T_TMP/pstack.txt" |
	sed 's/ \(__*\)/ /g')
check_eq "--json: one object per thread, the text's frames, count 1 of 1 sample" "$got" "$want"
# -o FILE: the same report in the file, nothing on stdout
pp pstack -o "$T_TMP/o.txt" "$wl"
check_eq "-o FILE: the report in FILE, stdout empty" "$(names "$T_TMP/o.txt" | wc -l) $(wc -c < "$out")" "3 0"

# --all-at-once: the same stacks, all threads stopped at one instant
pp pstack --all-at-once "$wl"
names "$out" > "$T_TMP/one.names"
names "$T_TMP/pstack.txt" > "$T_TMP/pp.names"
check_eq "--all-at-once: the same frames as one thread at a time" "$(cat "$T_TMP/one.names")" \
	"$(cat "$T_TMP/pp.names")"
unharmed "after 8 more runs the process runs on, untraced"

# a stopped process stays stopped, and runs when continued
kill -STOP "$wl"
sleep 0.1
pp pstack "$wl"
check_rc "a stopped process: exit 0" 0
check_eq "a stopped process: its stacks" "$(names "$out" | grep -c ' c b a main')" 1
check_eq "a stopped process stays stopped, untraced" "$(states)" "T T T "
kill -CONT "$wl"
sleep 0.1
unharmed "... and runs on when continued"
finish "the blocked workload finishes its work and exits 0 when let go"

# ---------------------------------------------------------------- -n
start spin
spin=$(tid_of pst-spin)
pp pstack -n 20 -i 10ms "$wl"
check_rc "-n 20: exit 0" 0
check_eq "-n 20: the header says 20 samples" "$(head -1 "$out")" "PID $wl - process: 20 samples"
check_eq "-n 20: main thread: one stack, 20 of 20" "$(grep "^TID $wl:" "$out")" "TID $wl: 20/20 pst-main"
sum=$(grep "^TID $spin:" "$out" | awk '{ split($3, a, "/"); s += a[1] } END { print s + 0 }')
check_eq "-n 20: the spinning thread's counts sum to 20" "$sum" 20
# leaf and caller of each of its stacks; a sample may land in spin_loop itself (a few
# instructions between the calls): then the leaf is spin_loop
leaves=$(awk -v t="TID $spin:" '/^TID/ { on = index($0, t) == 1; k = 0; next }
	on { k++; n = $3; sub(/\+0x.*/, "", n); if (k == 1) l = n; if (k == 2) print l, n }' "$out" | sort)
odd=$(echo "$leaves" | grep -v -x -e 'spin_a spin_loop' -e 'spin_b spin_loop' -e 'spin_loop spin_thread')
if echo "$leaves" | grep -qx 'spin_a spin_loop' && echo "$leaves" | grep -qx 'spin_b spin_loop' && [ -z "$odd" ]; then
	ok "-n 20: the spinning thread's stacks: spin_a and spin_b, each under spin_loop"
else
	fail "-n 20: the spinning thread's stacks: spin_a and spin_b, each under spin_loop" "$(echo $leaves)"
fi
order=$(grep "^TID $spin:" "$out" | awk '{ split($3, a, "/"); print a[1] }' | tr '\n' ' ')
check_eq "-n 20: the more frequent stack first" "$(echo $order | tr ' ' '\n' | sort -rn | tr '\n' ' ')" "$order"

pp pstack -n 10 -i 10ms --json "$wl"
got=$(python3 -c "
import json
c = {}
for l in open('$out'):
    o = json.loads(l)
    c[o['comm']] = c.get(o['comm'], 0) + o['count']
    assert o['samples'] == 10
print(sorted(c.items()))" 2>&1)
check_eq "-n 10 --json: counts per thread sum to 10" "$got" "[('pst-main', 10), ('pst-spin', 10)]"

pp pstack -n 10 -i 10ms --flame-graph "$T_TMP/fg.folded" "$wl"
got=$(awk '{ s += $NF } END { print s + 0 }' "$T_TMP/fg.folded" 2>/dev/null)
check_eq "--flame-graph: 10 samples of 2 threads, 20 in the folded file" "$got" 20
check_eq "--flame-graph: comm;root;...;leaf" "$(grep -c '^pst-spin;.*;spin_thread;spin_loop;spin_[ab] ' "$T_TMP/fg.folded")" 2

# -n 0 samples until Ctrl-C (or SIGTERM): the report of what was taken, nothing left stopped
for sig in INT TERM; do
	pp_bg pstack -n 0 -i 5ms "$wl"
	sleep 1
	kill -$sig $bg
	pp_wait
	check_rc "-n 0, SIG$sig: exit 0" 0
	n=$(head -1 "$out" | awk '{ print $5 }')
	sum=$(grep "^TID $wl:" "$out" | awk '{ split($3, a, "/"); s += a[1] } END { print s + 0 }')
	if [ "${n:-0}" -gt 1 ] && [ "$sum" = "$n" ]; then
		ok "-n 0, SIG$sig: the samples taken ($n), each thread's counts summing to them"
	else
		fail "-n 0, SIG$sig: the samples taken, each thread's counts summing to them" "header $(head -1 "$out"), main thread $sum"
	fi
	unharmed "-n 0, SIG$sig: the process runs on, untraced"
done

# perf-prof killed while sampling: the kernel lets the threads go (PTRACE_SEIZE)
killed=""
for d in 0.05 0.13 0.21 0.29 0.37; do
	"$PP" pstack -n 0 -i 1ms "$wl" > /dev/null 2>&1 &
	k=$!
	sleep $d
	kill -KILL $k
	wait $k 2>/dev/null
	st=$(states)
	case "$st" in *T*|*t*|*traced*) killed="$killed [$d s: $st]" ;; esac
done
check_eq "perf-prof SIGKILLed while sampling (5 times): never a stopped or traced thread" "$killed" ""
finish "the spinning workload exits 0 when told"

# the process ends while it is sampled: the samples taken until then
start spin
pp_bg pstack -n 0 -i 5ms "$wl"
sleep 0.5
printf 'g\n' >&3
exec 3>&-
wait $wl
pp_wait
check_rc "the process ends during -n 0: exit 0" 0
check_err "... said on stderr" "process '$wl' exited before its stacks could be read; stopping after"
n=$(head -1 "$out" | awk '{ print $5 }')
[ "${n:-0}" -gt 1 ] && ok "... with the samples taken until then ($n)" || fail "... with the samples taken until then" "$(head -3 "$out")"

# ---------------------------------------------------------------- signals
# 500 queued signals sent while snapshots stop the threads every millisecond: a
# signal a stopped thread was about to take is given back when it is let go
start signals
pp_bg pstack -n 0 -i 1ms "$wl"
sleep 0.2
python3 -c "
import os, signal, time
for i in range(500):
    os.kill($wl, signal.SIGRTMIN)
    if i % 10 == 0:
        time.sleep(0.002)
"
kill -INT $bg
pp_wait
check_rc "signals while sampling: exit 0" 0
printf 'g\n' >&3
exec 3>&-
wait $wl
check_eq "all 500 signals sent while threads were being stopped reached the process" \
	"$(grep 'pstack done' "$T_TMP/wl.out")" "pstack done 500 signals"

# ---------------------------------------------------------------- threads that come and go
start churn
pp pstack -n 30 -i 2ms "$wl"
check_rc "threads exiting while being read: exit 0" 0
check_eq "... the main thread is in all 30 samples" \
	"$(grep "^TID $wl:" "$out" | awk '{ split($3, a, "/"); s += a[1] } END { print s + 0 }')" 30
over=$(awk '/^TID/ { split($3, a, "/"); if (a[1] > 30 || a[2] != 30) print }' "$out")
check_eq "... no thread counted more than once per sample" "$over" ""
finish "the churning workload (thousands of threads) exits 0 when told"

# ---------------------------------------------------------------- a thread that will not stop
start vfork 3000
blocked_in 0 58
pp pstack --stop-timeout 200ms "$wl"
check_rc "a thread in uninterruptible sleep: exit 0" 0
check_err "... said on stderr" "did not stop within 0.200 s (state D, uninterruptible sleep); its stack is not shown"
check_eq "... the others are shown" "$(grep '^TID' "$out")" "TID $wl: pst-main"
finish "... and the workload finishes its vfork and exits 0"

# ---------------------------------------------------------------- a deep stack
start deep 300
sleep 0.3
pp pstack "$wl"
check_eq "300 recursive frames: all shown" "$(grep -c ' recurse+0x' "$out")" 300
if [ -n "$have_eu" ]; then
	check_eq "... as eu-stack -n 0 shows them" "$(eu-stack -n 0 -p "$wl" 2>/dev/null | grep -c ' recurse$')" 300
fi
pp pstack --stack-size 65536 "$wl"
n=$(grep -c ' recurse+0x' "$out")
if [ "$n" -gt 10 ] && [ "$n" -lt 300 ]; then ok "--stack-size 65536: fewer frames ($n)"; else fail "--stack-size 65536: fewer frames" "$n"; fi
check_err "... and says so" "1 stacks were larger than --stack-size 65536: their outer frames may be missing"
finish "the deep workload exits 0"

# ---------------------------------------------------------------- bad input
pp pstack
check_fails "no pid: usage error" 129 "perf-prof pstack: pstack needs a process id"
pp pstack 12x
check_fails "a pid that is no number: usage error" 129 "invalid pid '12x'"
pp pstack 999999999
check_fails "a pid that is no process: usage error" 129 "no such process '999999999'"
pp pstack 2
check_fails "a kernel thread: usage error" 129 "'2' (kthreadd) is a kernel thread: it has no user-space stack"
pp pstack 1 2
check_fails "a thread of another process: usage error" 129 "no thread '2' in process '1'"
pp pstack --stack-size 100 1
check_fails "--stack-size too small: usage error" 129 "invalid '--stack-size 100'"
pp pstack --stop-timeout 0 1
check_fails "--stop-timeout 0: usage error" 129 "invalid '--stop-timeout 0'"
sh -c 'sleep 0 & exec sleep 3' &
zparent=$!
sleep 0.3
zombie=$(ps -o pid= --ppid $zparent | tr -d ' ')
pp pstack "$zombie"
check_fails "a zombie: runtime error" 1 "process '$zombie' has exited: it is a zombie, not yet reaped by its parent"
kill $zparent
wait $zparent 2>/dev/null
timeout 20 sh -c 'exec "$0" pstack $$' "$PP" > "$out" 2> "$err"
rc=$?
check_fails "perf-prof itself: usage error" 129 "is perf-prof itself"

start blocked
blocked_in 0 0 7
if command -v setpriv > /dev/null; then
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$PP" pstack "$wl" > "$out" 2> "$err"
	rc=$?
	check_fails "another user's process: runtime error" 1 "cannot attach to process '$wl': Operation not permitted"
else
	skip "another user's process: runtime error" "setpriv (util-linux) is not installed"
fi
if command -v strace > /dev/null; then
	strace -p "$wl" -o /dev/null 2> /dev/null &
	str=$!
	i=0
	while [ "$(awk '/^TracerPid:/ { print $2 }' /proc/$wl/status)" != "$str" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	pp pstack "$wl"
	check_fails "a process already traced: runtime error naming the tracer" 1 \
		"process '$wl' is already traced by 'strace' (pid $str)"
	kill $str
	wait $str 2>/dev/null
else
	skip "a process already traced: runtime error naming the tracer" "strace is not installed"
fi
unharmed "after the refused runs the process runs on, untraced"
finish "... and finishes its work"
check_clean "no perf-prof left running"
