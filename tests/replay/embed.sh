# SPDX-License-Identifier: GPL-2.0
#
# replay/embed.sh - a run hosted by another program (tests/helper/embed: each
# report captured in a memory stream, as the daemon does) writes exactly
# what the command line writes, for every profiler over the same records.
. "$TESTS_DIR/lib.sh"
R=$TESTS_DIR/replay
export PERF_PROF_TRACEFS=$R/tracefs
rep=$T_TMP/rec.bin
EMBED=$HELPER_DIR/embed

python3 "$R/mkreplay.py" "$PERF_PROF_TRACEFS" sched:sched_wakeup,sched:sched_switch,syscalls:sys_enter_write "$rep" <<'D'
ring 0
comm 5000001 5000001 alpha time=1
sample sched:sched_wakeup time=1000000000 _pid=5000001 comm=a pid=101 prio=120 target_cpu=0
sample sched:sched_switch time=1000003000 _pid=5000001 prev_comm=alpha prev_pid=5000001 next_comm=a next_pid=101
sample syscalls:sys_enter_write time=1000500000 _pid=5000001 fd=1 count=7
ring 1
comm 5000002 5000002 beta time=1
sample sched:sched_wakeup time=1000005000 _pid=5000002 comm=c pid=103 prio=120 target_cpu=1
sample sched:sched_switch time=1000007000 _pid=5000002 prev_comm=beta prev_pid=5000002 next_comm=c next_pid=103
sample syscalls:sys_enter_write time=1000600000 _pid=5000002 fd=2 count=9
sample syscalls:sys_enter_write time=1000700000 _pid=5000002 fd=2 count=11
D

# blank: wall-clock times and run lengths, the only things that may differ
blank() {
	sed -E 's/^[0-9]{4}-[0-9-]+ [0-9:.]+ /TIME /; s/ in [0-9.]+ s/ in T s/;
		s/"time":"[^"]*"/"time":T/; s/"interval":[0-9.e+-]+/"interval":T/'
}

# same NAME PROFILER ARGS...: the CLI's stdout and the hosted run's capture are
# byte-identical once the wall-clock header times are blanked
same() {
	name=$1
	shift
	PERF_PROF_REPLAY=$rep pp "$@"
	blank < "$out" > "$T_TMP/cli"
	"$EMBED" --replay "$rep" "$@" > "$T_TMP/raw" 2> "$T_TMP/embed.err"
	erc=$?
	blank < "$T_TMP/raw" > "$T_TMP/emb"
	if [ "$rc" -eq 0 ] && [ "$erc" -eq 0 ] && [ -s "$T_TMP/cli" ] && cmp -s "$T_TMP/cli" "$T_TMP/emb"; then
		ok "$name"
	else
		fail "$name" "cli rc=$rc embed rc=$erc" "$(diff "$T_TMP/cli" "$T_TMP/emb" | head -10)" \
			"$(head -c 300 "$T_TMP/embed.err")"
	fi
}

# the events in the stream's order: event i of a run has sample id i + 1
EVS=sched:sched_wakeup,sched:sched_switch,syscalls:sys_enter_write
same "trace: the hosted run's report equals the CLI's" trace -e $EVS --order
same "trace --json: equal" trace -e $EVS --json --order
same "top: equal" top -e 'sched:sched_wakeup,sched:sched_switch,syscalls:sys_enter_write//top-by=common_pid/'
same "top --json: equal" top -e $EVS --json
same "num-dist: equal" num-dist -e 'sched:sched_wakeup//num=prio/,sched:sched_switch//num=next_pid/,syscalls:sys_enter_write//num=count/'
same "multi-trace: equal" multi-trace -e 'sched:sched_wakeup//key=pid/' -e 'sched:sched_switch//key=next_pid/,syscalls:sys_enter_write//untraced/'
