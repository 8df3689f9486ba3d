# SPDX-License-Identifier: GPL-2.0
#
# live/embed.sh - two runs in one process at once, as the daemon hosts them
# (tests/helper/embed: one poll loop, each report in a memory stream):
# different events, one with a probe, both reports exact, nothing left.
. "$TESTS_DIR/lib.sh"
need_root_tracefs
EMBED=$HELPER_DIR/embed
PROBED=$WORKLOAD_DIR/probed

# probes on this tree's workload (other trees' runs may have their own on the machine)
probes_left() { grep -c "pp_.* $PROBED:" /sys/kernel/tracing/uprobe_events 2>/dev/null; }

timeout -k 5 60 "$EMBED" top -e 'syscalls:sys_enter_getppid//key=common_pid/' -- "$WL" getppid 1000 \
	+++ trace -e "uprobe:probed_count@\"$PROBED\"" -- "$PROBED" count 123 > "$out" 2> "$err"
rc=$?
check_rc "two runs in one process end cleanly" 0
wlpid=$(sed -n 's/^wl pid=//p' "$out")
getppid=$(awk -v p="$wlpid" '/^=== run 1 top/ { r = 1 } /^=== run 2/ { r = 0 } r && $1 == p { v = $2 } END { print v }' "$out")
check_eq "run 1 (top, a tracepoint): exactly 1000 getppid of its workload" "$getppid" 1000
hits=$(awk '/^=== run 2 trace/ { r = 1 } r && / uprobe:probed_count: /' "$out" | wc -l)
check_eq "run 2 (trace, a uprobe), at the same time: exactly 123 calls" "$hits" 123
other=$(awk '/^=== run 1 top/ { r = 1 } /^=== run 2/ { r = 0 } r && /uprobe/' "$out" | wc -l)
check_eq "no event of one run in the other's report" "$other" 0
check_eq "the probe is removed when its run ends" "$(probes_left)" 0
