# SPDX-License-Identifier: GPL-2.0
#
# live/outfiles.sh - report files (--flame-graph, --heatmap) are written
# exactly where the user said, in the format their extension names; a name
# without .folded/.svg is a usage error before the run; a file that cannot be
# created (a read-only file system) is a usage error; a write that fails (a
# /dev/full device, ENOSPC) ends the run with exit 1 and the reason, once
# every other report was written.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

GETPPID=syscalls:sys_enter_getppid
FULL=$T_TMP/full
mkdir -p "$FULL"
# /dev/full under names with the extensions: every write fails with ENOSPC
if ! mknod "$FULL/fg.folded" c 1 7 || ! mknod "$FULL/fg.svg" c 1 7 || ! mknod "$FULL/hm.svg" c 1 7; then
	skip "${0##*/}" "cannot create device nodes in $T_TMP"
	exit 0
fi

# --- the name says the format; no other name is taken ------------------------
pp trace -e "$GETPPID//stack/" --flame-graph /dev/full -- sh -c "touch $T_TMP/ran"
check_fails "--flame-graph /dev/full: no known extension, 129" 129 \
	"perf-prof trace: flame graph file '/dev/full' has no known extension"
check_err "... the hint names the extensions" "end the name with .folded"
if [ -e "$T_TMP/ran" ]; then fail "... refused before the run: the workload never started"; else ok "... refused before the run: the workload never started"; fi
if [ -e /dev/full.folded ]; then fail "... and nothing was written next to it (/dev/full.folded)"; else ok "... and nothing was written next to it"; fi

pp trace -e "$GETPPID//stack/" --flame-graph "$T_TMP/fg" -- "$WL" getppid 3
check_fails "a name without extension is refused, not renamed" 129 \
	"perf-prof trace: flame graph file '$T_TMP/fg' has no known extension"
if [ -e "$T_TMP/fg" ] || [ -e "$T_TMP/fg.folded" ]; then fail "... and no file is created"; else ok "... and no file is created"; fi
pp kmemleak --alloc 'kmem:kmalloc//stack/' --free kmem:kfree --flame-graph "$T_TMP/fg.txt" -- true
check_fails "kmemleak: the same rule" 129 \
	"perf-prof kmemleak: flame graph file '$T_TMP/fg.txt' has no known extension"

pp trace -e "$GETPPID//stack/" --flame-graph "$T_TMP/fg.folded" -- "$WL" getppid 3
sum=$(awk -v c=wl '$1 ~ "^" c ";" { s += $NF } END { print s + 0 }' "$T_TMP/fg.folded" 2>/dev/null)
check_eq "X.folded is written at X: the workload's 3 samples" "$sum" 3
pp trace -e "$GETPPID//stack/" --flame-graph "$T_TMP/fg.svg" -- "$WL" getppid 3
check_eq "X.svg is written at X, as SVG" "$(head -c 5 "$T_TMP/fg.svg")" "<?xml"

# --- a file that cannot be created: a read-only file system -----------------
RO=$T_TMP/ro
mkdir -p "$RO"
if mount -t tmpfs -o ro,size=64k perf-prof-test "$RO" 2>/dev/null; then
	pp trace -e "$GETPPID//stack/" --flame-graph "$RO/x.svg" -- "$WL" getppid 1
	check_fails "--flame-graph in a read-only directory: 129 with the reason" 129 \
		"perf-prof trace: cannot create '$RO/x.svg': Read-only file system"
	pp multi-trace -e "$GETPPID" -e syscalls:sys_exit_getppid --heatmap "$RO/hm.svg" -- "$WL" getppid 1
	check_fails "--heatmap in a read-only directory: 129 with the reason" 129 \
		"perf-prof multi-trace: cannot create heatmap file '$RO/hm.svg': Read-only file system"
	umount "$RO"
else
	skip "read-only directory" "cannot mount a read-only tmpfs"
fi

# --- writes that fail: exit 1, the reason, after the other reports --------------
pp trace -e "$GETPPID//stack/" --flame-graph "$FULL/fg.folded" -- "$WL" getppid 3
check_fails "trace --flame-graph to a full device: exit 1" 1 \
	"perf-prof trace: cannot write flame graph '$FULL/fg.folded': No space left on device"
if grep -q 'written to' "$err"; then fail "... and it does not claim success" "$(cat "$err")"; else ok "... and it does not claim success"; fi
pp trace -e "$GETPPID//stack/" --flame-graph "$FULL/fg.svg" -- "$WL" getppid 3
check_fails "trace --flame-graph X.svg to a full device: exit 1" 1 \
	"perf-prof trace: cannot write flame graph '$FULL/fg.svg': No space left on device"
# -i: the first snapshot that fails ends the run
pp trace -e "$GETPPID//stack/" -i 100 --flame-graph "$FULL/fg.folded" -- "$WL" -r 1 getppid 100000
n=$(grep -c "cannot write flame graph" "$err")
check_eq "a failed snapshot ends the run, said once, exit 1" "$rc $n" "1 1"

pp multi-trace -e "$GETPPID" -e syscalls:sys_exit_getppid --heatmap "$FULL/hm.svg" -- "$WL" getppid 5
check_fails "multi-trace --heatmap to a full device: exit 1 (it was 0)" 1 \
	"perf-prof multi-trace: cannot write heatmap '$FULL/hm.svg': No space left on device"
got=$(awk '$2 == "=>" && $1 != "from" { print $4 }' "$out")
check_eq "... after the final report (5 pairs)" "$got" 5
pp num-dist -e "syscalls:sys_enter_write//num=count/" --heatmap "$FULL/hm.svg" -- "$WL" write 4 7
check_fails "num-dist --heatmap to a full device: exit 1" 1 \
	"perf-prof num-dist: cannot write heatmap '$FULL/hm.svg': No space left on device"
got=$(awk '/ num-dist: final: / { print $5 }' "$out")
check_eq "... after the final report" "$got" 6

LK=$WORKLOAD_DIR/leaker
TR=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -w "$TR/uprobe_events" ] && [ -x "$LK" ]; then
	pp kmemleak --libc --flame-graph "$FULL/fg.svg" -- "$LK" leak 3 1000
	check_fails "kmemleak --flame-graph to a full device: exit 1" 1 \
		"perf-prof kmemleak: cannot write flame graph '$FULL/fg.svg': No space left on device"
	n=$(grep -c '^Leak of 3000 bytes in 3 objects' "$out")
	check_eq "... after the final report" "$n" 1
else
	skip "kmemleak flame graph write error" "no uprobe_events in tracefs or no leaker workload"
fi

check_clean "no perf-prof left running"
