# SPDX-License-Identifier: GPL-2.0
#
# tests/lib.sh - helpers for the shell test layers (replay, live). Source it;
# each check prints one TAP line that tests/run.sh counts:
#   ok - NAME | not ok - NAME (+ "#   " diagnostics) | ok - NAME # SKIP reason
#
#   pp ARGS...            run perf-prof (bounded by $PP_TIMEOUT s); sets
#                         $out $err (file paths) and $rc; in a file run in
#                         both modes, with --no-bpf or --bpf (pp_mode)
#   ok NAME / fail NAME MSG / skip NAME REASON
#   check_eq NAME GOT WANT
#   check_rc NAME WANT         (exit code of the last pp)
#   check_err NAME TEXT        (stderr of the last pp contains TEXT)
#   need_root_tracefs          skip the rest of the file unless root + tracefs
#   check_clean NAME           no perf-prof of ours left running
set -u
T_TMP=$(mktemp -d /tmp/pp-test.XXXXXX)
trap 'rm -rf "$T_TMP"' EXIT
out=$T_TMP/out
err=$T_TMP/err
rc=0
PP=${PERF_PROF:?}
WL=${WORKLOAD_DIR:?}/wl
PP_TIMEOUT=${PP_TIMEOUT:-60}

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1"; shift; for m in "$@"; do echo "#   $m"; done; }
skip() { echo "ok - $1 # SKIP $2"; }

pp() {
	pp_mode "$@"
	if [ -n "$pp_flag" ]; then
		_prof=$1
		shift
		set -- "$_prof" "$pp_flag" "$@"
	fi
	timeout -s INT -k 10 "$PP_TIMEOUT" "$PP" "$@" > "$out" 2> "$err" < /dev/null
	rc=$?
}

# pp_mode ARGS... - $pp_flag: in a live file run in both modes (tests/run.sh
# runs a file with a "# modes: ring bpf" line once with PP_AGG=ring, once
# with PP_AGG=bpf), the --no-bpf or --bpf that pp and pp_bg put after the
# profiler's name; empty when the test chose one itself
pp_mode() {
	pp_flag=
	case " $* " in
	*" --bpf "* | *" --no-bpf "*) ;;
	*) case "${PP_AGG:-}" in ring) pp_flag=--no-bpf ;; bpf) pp_flag=--bpf ;; esac ;;
	esac
}

# pp_whole ARGS... - pp, run again (4 times in all) while the kernel lost
# records: under a burst of context switches from other work on the machine
# it throttles busy tracepoints, and a check of exact counts needs every
# record. That the loss is reported is tested elsewhere.
pp_whole() {
	for _try in 1 2 3 4; do
		pp "$@"
		grep -q -e 'events lost in this run' -e 'task or mapping records lost' \
			-e 'scheduler events not delivered' "$err" || return 0
	done
}

# run_lost - records the last run reported lost, events the kernel counted
# and never wrote, or, on a BPF path, events its programs reported not
# delivered (0: none)
run_lost() {
	_l=$(sed -n 's/.*: \([0-9]*\) events lost in this run.*/\1/p' "$err" | head -1)
	_u=$(sed -n 's/.*: \([0-9]*\) [a-z ]*events not delivered in this run.*/\1/p' "$err" | head -1)
	_w=$(sed -n 's/.*: \([0-9]*\) events counted by the kernel were never written.*/\1/p' "$err" | head -1)
	echo $((${_l:-0} + ${_u:-0} + ${_w:-0}))
}

# check_count NAME GOT WANT - GOT is WANT, or, when the last run reported L
# records lost (after pp_whole's tries), between WANT - L and WANT
check_count() {
	_lost=$(run_lost)
	if [ "$_lost" -eq 0 ]; then
		check_eq "$1" "$2" "$3"
	elif [ "${2:-0}" -le "$3" ] 2>/dev/null && [ "${2:-0}" -ge $(($3 - _lost)) ]; then
		ok "$1 ($2 of $3: $_lost records lost, reported)"
	else
		fail "$1" "got:  '$2'" "want: '$3' ($_lost records lost, reported)"
	fi
}

# out_value WHO KEY - VALUE of KEY=VALUE on the first line of $out starting
# with "WHO " (what a workload printed about itself)
out_value() { sed -n "s/^$1 .*$2=\([0-9]*\).*/\1/p" "$out" | head -1; }

# pp_bg ARGS... - start perf-prof in the background ($bg is its pid), with a
# watchdog that SIGKILLs it after $PP_TIMEOUT s; pp_wait collects $rc.
pp_bg() {
	pp_mode "$@"
	if [ -n "$pp_flag" ]; then
		_prof=$1
		shift
		set -- "$_prof" "$pp_flag" "$@"
	fi
	"$PP" "$@" > "$out" 2> "$err" < /dev/null &
	bg=$!
	( sleep "$PP_TIMEOUT"; kill -KILL $bg 2>/dev/null ) > /dev/null 2>&1 &
	bg_dog=$!
}

# pp_cpu_split WL0 WL1 PROFILER ARGS... - perf-prof PROFILER ARGS system wide
# in the background, then wl WL0 pinned to CPU 0 (its pid in $pid0) and wl
# WL1 pinned to CPU 1 ($pid1), one after the other, then SIGINT and wait:
# for the checks of -C 1 and cpus=1. Returns 1 (the caller skips) on a
# machine without a CPU 1.
pp_cpu_split() {
	_w0=$1 _w1=$2
	shift 2
	taskset -c 1 true 2>/dev/null || return 1
	pp_bg "$@"
	pp_ready
	pid0=$(taskset -c 0 "$WL" $_w0 | sed -n 's/^wl pid=//p')
	pid1=$(taskset -c 1 "$WL" $_w1 | sed -n 's/^wl pid=//p')
	sleep 0.2
	kill -INT $bg
	pp_wait
	return 0
}

pp_wait() {
	wait $bg
	rc=$?
	kill $bg_dog 2>/dev/null
	wait $bg_dog 2>/dev/null
}

# pp_ready - wait until the background perf-prof has its events open: it
# blocks SIGINT (to read it from a signalfd) once the events are mapped.
# Only the SIGINT bit counts: a shell may start it with SIGCHLD blocked.
pp_ready() {
	i=0
	while [ $i -lt 200 ]; do
		blk=$(awk '/^SigBlk/ { print $2 }' /proc/$bg/status 2>/dev/null)
		[ -n "$blk" ] && [ $((0x$blk & 2)) -ne 0 ] && { sleep 0.3; return 0; }
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}

check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got:  '$2'" "want: '$3'"; fi
}

check_rc() {
	if [ "$rc" -eq "$2" ]; then
		ok "$1"
	else
		fail "$1" "exit code $rc, want $2" "stderr: $(head -c 600 "$err")"
	fi
}

check_err() {
	if grep -qF -- "$2" "$err"; then
		ok "$1"
	else
		fail "$1" "stderr lacks: $2" "stderr: $(head -c 600 "$err")"
	fi
}

# check_usage NAME RC TEXT - exit code and the message, in one TAP line
check_fails() {
	if [ "$rc" -eq "$2" ] && grep -qF -- "$3" "$err"; then
		ok "$1"
	else
		fail "$1" "exit code $rc (want $2)" "stderr: $(head -c 800 "$err")" "want text: $3"
	fi
}

need_root_tracefs() {
	if [ "$(id -u)" != 0 ]; then
		skip "${0##*/}" "live tests need root (perf_event_open on tracepoints)"
		exit 0
	fi
	if ! grep -q tracefs /proc/mounts && ! mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
		skip "${0##*/}" "tracefs is not mounted and cannot be mounted"
		exit 0
	fi
}

check_clean() {
	left=$(pgrep -f "^$PP " 2>/dev/null | tr '\n' ' ')
	if [ -z "$left" ]; then ok "$1"; else fail "$1" "perf-prof still running: $left"; fi
}

# wait_for FILE PATTERN [SECONDS] - until FILE contains PATTERN
wait_for() {
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $((${3:-20} * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# pp_bpfcopy ARGS... - perf-prof ARGS in the background while `wl bpfcopy`
# keeps CPU 1 busy with BPF for 1.5 s (a map value copied again and again:
# the kernel runs no tracepoint or perf event program there meanwhile), then
# SIGINT; $rc, $out and $err as after pp
pp_bpfcopy() {
	pp_bg "$@"
	pp_ready
	"$WL" -c 1 bpfcopy 1500 > /dev/null
	kill -INT $bg
	pp_wait
}

# check_skips_said NAME N - N (the skipped runs a run reported) is above 0; a
# kernel that skipped none during pp_bpfcopy makes it a skip, not a failure
check_skips_said() {
	if [ "${2:-0}" -gt 0 ] 2>/dev/null; then
		ok "$1 ($2)"
	else
		skip "$1" "this kernel ran every program during the copies (none skipped)"
	fi
}

# check_near NAME GOT WANT - GOT within a fifth of WANT (+ 10), WANT above 50:
# counts of timer events in two runs over the same workload
check_near() {
	check_eq "$1" "$(awk -v g="${2:-0}" -v w="${3:-0}" 'BEGIN {
		d = g - w; if (d < 0) d = -d; print (w > 50 && d <= w / 5 + 10) }')" 1
}

# check_bpf_run PREFIX N ARGS... - perf-prof ARGS (a BPF path) runs N programs
# named PREFIX* while it runs (by the ids its fds hold), and none of them is
# left loaded after: a tp_btf link's program is freed after an RCU grace
# period (bpf_link_free: dealloc_deferred), so an id may outlive the process
# by a moment on a busy machine: waited for (up to 10 s), ours only
check_bpf_run() {
	_pre=$1 _n=$2
	shift 2
	if ! command -v bpftool > /dev/null; then
		skip "the BPF path's programs, while it runs and after" "no bpftool"
		return
	fi
	pp_bg "$@"
	pp_ready
	_held=
	for _id in $(cat /proc/"$bg"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u); do
		bpftool prog show id "$_id" 2>/dev/null | grep -q "name $_pre" && _held="$_held $_id"
	done
	kill -INT "$bg"
	pp_wait
	check_eq "the BPF path runs its $_n programs" "$(echo $_held | wc -w)" "$_n"
	for _i in $(seq 100); do
		_left=0
		for _id in $_held; do bpftool prog show id "$_id" > /dev/null 2>&1 && _left=$((_left + 1)); done
		[ "$_left" -eq 0 ] && break
		sleep 0.1
	done
	check_eq "... and none of them is left loaded after the run" "$_left" 0
}
