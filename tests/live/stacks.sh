# SPDX-License-Identifier: GPL-2.0
#
# live/stacks.sh - call stacks against workloads with known call chains
# (tests/workload/callchain.c: main -> level1 -> level2 -> level3 ->
# syscall(SYS_getppid); inlined.c: a syscall from an always_inline function).
# Line numbers are read from the sources, not hard-coded.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

CC=${WORKLOAD_DIR}/callchain
SRC=$TESTS_DIR/workload
GETPPID=syscalls:sys_enter_getppid
line_of() { grep -n -- "$2" "$SRC/$1" | head -1 | cut -d: -f1; }
L3=$(line_of callchain.c 'r = syscall(SYS_getppid);')
L2=$(line_of callchain.c 'r = level3(x + 1);')
L1=$(line_of callchain.c 'r = level2(x \* 2);')

# user frames of every stack: "name file:line" for the 5 innermost
frames() {
	awk '/ syscalls:sys_enter_getppid:/ { if (n) print s; s = ""; n = 0; next }
	     /^    / && n < 5 { f = $2; sub(/\+0x[0-9a-f]+$/, "", f); loc = $NF; sub(/.*\//, "", loc)
	                        s = s (n ? " | " : "") f " " loc; n++ }
	     END { if (n) print s }' "$out"
}

# --- DWARF unwinding: complete stacks through libc's syscall() ---------------
pp trace -e $GETPPID --call-graph dwarf --srcline -- "$CC" 5
check_rc "--call-graph dwarf run exits 0" 0
n=$(frames | wc -l)
check_eq "5 events, 5 stacks" "$n" 5
want="syscall syscall.S:38 | level3 callchain.c:$L3 | level2 callchain.c:$L2 | level1 callchain.c:$L1 | main"
got=$(frames | sed 's/ | main .*/ | main/' | sort -u)
case "$got" in
"syscall "*" | level3 callchain.c:$L3 | level2 callchain.c:$L2 | level1 callchain.c:$L1 | main")
	ok "every stack is syscall, level3, level2, level1, main with their lines" ;;
*) fail "every stack is syscall, level3, level2, level1, main with their lines" "got:  $got" "want: $want" ;;
esac

# frame pointers: libc's syscall() has no frame, so its caller is skipped
pp trace -e $GETPPID -g -- "$CC" 3
got=$(frames | head -1 | awk -F' [|] ' '{ split($2, a, " "); print a[1] }')
check_eq "with frame pointers the frame after syscall is level2 (level3 is lost; use dwarf)" "$got" "level2"

# --- an inlined function is a frame of its own --------------------------------
pp trace -e $GETPPID --call-graph dwarf --srcline -- "$WORKLOAD_DIR/inlined" 2
LI=$(line_of inlined.c 'LINE:via_inline')
LC=$(line_of inlined.c 'LINE:caller')
inl=$(grep -A2 " $GETPPID:" "$out" | sed -n 3p | awk '{ print $1, $2, $NF }')
check_eq "the inlined via_inline frame follows syscall" "$inl" "via_inline (inlined) tests/workload/inlined.c:$LI"
cal=$(grep -A3 " $GETPPID:" "$out" | sed -n 4p | awk '{ f = $2; sub(/\+0x[0-9a-f]+$/, "", f); print f, $NF }')
check_eq "... then caller, at the line that calls it" "$cal" "caller tests/workload/inlined.c:$LC"

# --- a stripped copy: names from the debug file found by .gnu_debuglink ------
if command -v objcopy > /dev/null; then
	d=$T_TMP/strip
	mkdir -p "$d"
	objcopy --only-keep-debug "$CC" "$d/callchain.debug"
	objcopy --strip-all --add-gnu-debuglink="$d/callchain.debug" "$CC" "$d/callchain"
	if nm "$d/callchain" 2>&1 | grep -q level2; then
		fail "the stripped copy has no symbols"
	else
		ok "the stripped copy has no symbols"
	fi
	pp trace -e $GETPPID --call-graph dwarf --srcline -- "$d/callchain" 2
	got=$(frames | sed 's/ | main .*/ | main/' | sort -u)
	case "$got" in
	"syscall "*" | level3 callchain.c:$L3 | level2 callchain.c:$L2 | level1 callchain.c:$L1 | main")
		ok "stripped binary + debuglink: the same frames and lines" ;;
	*) fail "stripped binary + debuglink: the same frames and lines" "got: $got" ;;
	esac
else
	skip "stripped binary + debuglink: the same frames and lines" "objcopy (binutils) not installed"
fi

# --- a process exec'ed after the start, gone before its samples are read -----
pp trace -e $GETPPID -g -- sh -c "sleep 0.2; $CC 4; sleep 0.5"
n=$(awk '/ syscalls:sys_enter_getppid:/ && $2 == "callchain" { getline a; getline b; if (b ~ / level2\+/) n++ } END { print n + 0 }' "$out")
check_eq "a short-lived exec'ed process is symbolized from its mmap records" "$n" 4

# --- flame graphs: folded counts add up, the SVG holds every frame -----------
pp trace -e $GETPPID --call-graph dwarf --flame-graph "$T_TMP/fg.folded" -- "$CC" 7
check_rc "--flame-graph run exits 0" 0
sum=$(awk '$1 ~ /^callchain;/ { s += $NF } END { print s + 0 }' "$T_TMP/fg.folded")
check_eq "folded counts of the workload add up to its 7 samples" "$sum" 7
stack=$(awk '$1 ~ /^callchain;/ { print $1 }' "$T_TMP/fg.folded" | sed 's/^callchain;.*;main;/main;/')
check_eq "the folded stack runs root to leaf" "$stack" "main;level1;level2;level3;syscall"
n=$(grep -c ' syscalls:sys_enter_getppid:' "$out")
check_eq "with a flame graph the events are not printed (as -h says)" "$n" 0
total=$(awk '{ s += $NF } END { print s + 0 }' "$T_TMP/fg.folded")
check_err "the note counts every sample of the graph" "flame graph of $total samples written to '$T_TMP/fg.folded'"
pp trace -e $GETPPID --call-graph dwarf --flame-graph "$T_TMP/fg.svg" -- "$CC" 3
res=$(python3 - "$T_TMP/fg.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1])
text = " ".join(e.text or "" for e in t.iter() if e.tag.endswith("title"))
print(all(n in text for n in ("main", "level1", "level2", "level3", "syscall", "callchain")))
PY
)
check_eq "the SVG is well-formed XML and names every frame" "$res" "True"

# symbolized at the end of the run: a process exec'ed and gone by then still names its frames
if [ -n "${SAN:-}" ]; then
	# seen failing now and then under ASan only (0 stacks named), never reproduced outside CI.
	# One candidate, a FORK read after the child's own records (rings are read in turn), is
	# fixed (syms__clock, unit test out_of_order_side_band); whether it was the cause is open
	skip "a process gone before the report is symbolized in the flame graph" \
		"intermittent under ASan only, cause not confirmed (see the comment)"
else
	pp trace -e $GETPPID -g --flame-graph "$T_TMP/gone.folded" -- sh -c "sleep 0.2; $CC 4; sleep 0.5"
	got=$(awk '$1 ~ /^callchain;/ && $1 ~ /;level1;level2;/ { s += $NF } END { print s + 0 }' "$T_TMP/gone.folded")
	check_eq "a process gone before the report is symbolized in the flame graph (4 stacks)" "$got" 4
fi

# pprof: what go tool pprof reads back, the same samples and functions
if command -v go > /dev/null && go tool pprof -h > /dev/null 2>&1; then
	pp trace -e $GETPPID --call-graph dwarf --flame-graph "$T_TMP/fg.pb.gz" -- "$CC" 7
	check_rc "--flame-graph FILE.pb.gz run exits 0" 0
	go tool pprof -top "$T_TMP/fg.pb.gz" > "$T_TMP/top" 2>&1
	check_eq "go tool pprof -top: all 7 samples" "$(grep -c 'of 7 total' "$T_TMP/top")" 1
	got=$(awk '$NF ~ /^(syscall|level3|level2|level1|main)$/ && $4 == 7 { print $NF }' "$T_TMP/top" | sort | tr '\n' ' ')
	check_eq "... each of syscall, level3..1, main on all 7 (cum)" "$got" "level1 level2 level3 main syscall "
	got=$(awk '$NF == "syscall" { print $1 }' "$T_TMP/top")
	check_eq "... the leaf, syscall, holds them (flat)" "$got" 7
	go tool pprof -traces "$T_TMP/fg.pb.gz" > "$T_TMP/traces" 2>&1
	check_eq "... with the task's comm as a label" "$(grep -c 'comm:  callchain' "$T_TMP/traces")" 1
else
	skip "go tool pprof reads the profile back" "go (Debian golang-go) is not installed"
fi

# --- kernel frames end in the system call entry ----------------------------
pp trace -e "sched:sched_switch//stack/" -- "$WL" nanosleep 3 1000
last=$(awk '/ sched:sched_switch: prev_comm=wl / { s = 1; next } s && /\(\[kernel/ { l = $2 } s && !/^    / { s = 0 } END { print l }' "$out")
case "$last" in
entry_SYSCALL_64*) ok "a sleeping task's kernel stack ends in the syscall entry ($last)" ;;
*) fail "a sleeping task's kernel stack ends in the syscall entry" "last kernel frame: '$last'" "$(head -20 "$out")" ;;
esac
grep -q '__x64_sys_nanosleep' "$out" && ok "... through __x64_sys_nanosleep" || fail "... through __x64_sys_nanosleep"

# --- --symbols: addresses of a binary, for scripts --------------------------
a=$(nm "$CC" | awk '/ level2_mark$/ { print $1 }')
f=$(nm "$CC" | awk '/ T level2$/ { print $1 }')
off=$(printf '0x%x' $((0x$a - 0x$f)))
pp --symbols "$CC" "0x$a"
check_eq "--symbols FILE ADDR prints symbol+offset and file:line" "$(cat "$out")" \
	"0x$(printf '%x' $((0x$a))) level2+$off (tests/workload/callchain.c:$(line_of callchain.c 'MARK:level2'))"

pp trace -e $GETPPID --flame-graph "$T_TMP/x.folded" -N 1
check_fails "--flame-graph without stacks is a usage error" 129 "--flame-graph needs stacks"
pp trace -e $GETPPID -g --call-graph bogus
check_fails "a bad --call-graph mode is a usage error" 129 "invalid '--call-graph bogus'"

check_clean "no perf-prof left running"
