# SPDX-License-Identifier: GPL-2.0
#
# live/options.sh - a profiler's -h lists only options it takes: every
# option of every profiler's -h (its OPTIONS and PROFILER OPTIONS) is given
# to a short real run of that profiler, with a value of the kind the help
# names and the companions it needs (-i of trace cuts flame-graph snapshots,
# --detail goes with --than, --srcline with stacks, --waker with a flame graph), and the run must
# succeed. An option a profiler does not take says so and names the
# profilers that do.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

TR=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
LK=$WORKLOAD_DIR/leaker
GETPPID=syscalls:sys_enter_getppid

# options PROFILER - the options its -h lists, one a line: NAME [ARGH]
options() {
	"$PP" "$1" -h | awk '/^(OPTIONS|PROFILER OPTIONS)$/ { s = 1; next } /^[A-Z]/ { s = 0 }
		s && /^ +-/ {
			n = ($1 ~ /,$/) ? $2 : $1; sub(/,$/, "", $1)
			a = ($1 ~ /,$/ || n != $1) ? $3 : $2
			if (n ~ /^--[a-z-]*\[=/) { sub(/\[=.*/, "", n); a = "" }
			else if (a !~ /^[A-Z]/ && a !~ /\|/) a = ""
			print n, a }'
}

# events PROFILER - the events (and workload) of a short run
events() {
	case $1 in
	multi-trace) echo "-e $GETPPID -e syscalls:sys_exit_getppid" ;;
	num-dist) echo "-e syscalls:sys_enter_write//num=count/" ;;
	kmemleak) echo "--alloc kmem:kmalloc --free kmem:kfree" ;;
	task-state|rundelay) ;;	# the scheduler's own events
	*) echo "-e $GETPPID" ;;
	esac
}

# args PROFILER OPTION ARGH - the option with a value and its companions
args() {
	case "$1 $2" in
	"trace -i"|"trace --interval") echo "$2 100 -g --flame-graph $T_TMP/i.folded"; return ;;
	"trace --flame-graph"|"kmemleak --flame-graph"|"task-state --flame-graph")
		echo "-g $2 $T_TMP/fg.svg"; return ;;
	"multi-trace --flame-graph") echo "-g --than 1ms $2 $T_TMP/fg.svg"; return ;;
	"task-state --waker") echo "-g --flame-graph $T_TMP/fg.folded $2"; return ;;
	"num-dist --flame-graph") echo "-g --than 5 $2 $T_TMP/fg.svg"; return ;;
	"multi-trace --detail") echo "--than 1ms --detail"; return ;;
	*" --srcline") echo "-g --srcline"; return ;;
	"multi-trace --impl") echo "--impl pair"; return ;;
	"kmemleak --than") echo "--than 1s"; return ;;
	"multi-trace --than") echo "--than 1ms"; return ;;
	"num-dist --than") echo "--than 5"; return ;;
	esac
	case $3 in
	"") echo "$2" ;;
	MS) echo "$2 100" ;;
	PAGES) echo "$2 8" ;;
	PCT) echo "$2 10" ;;
	COUNT) echo "$2 1" ;;
	N) echo "$2 64" ;;
	MB) echo "$2 16" ;;
	FILE)
		case $2 in
		--heatmap) echo "$2 $T_TMP/hm.svg" ;;
		*) echo "$2 $T_TMP/o.txt" ;;
		esac ;;
	EXPR) echo "$2 common_pid" ;;
	NS) echo "$2 100" ;;
	HZ) echo "$2 99" ;;
	PERIOD) echo "$2 1000" ;;
	CPUS) echo "$2 0" ;;
	PIDS) echo "$2 1" ;;
	UUID) echo "$2 12345678-1234-1234-1234-123456789abc" ;;
	IMPL) echo "$2 pair" ;;
	DURATION|AGE) echo "$2 1ms" ;;
	"fp|dwarf[,SIZE]") echo "$2 fp" ;;
	*) echo "$2 UNKNOWN-ARGH-$3" ;;
	esac
}

# run_with PROFILER OPTION ARGS - one short run; the target options take
# the place of the workload
run_with() {
	prof=$1 opt=$2
	shift 2
	case $opt in
	-e|--event|--alloc|--free)
		# the events of every run: taken by definition
		return 0 ;;
	--libc)
		if [ ! -w "$TR/uprobe_events" ] || [ ! -x "$LK" ]; then
			return 2
		fi
		pp "$prof" --libc -- "$LK" leak 1 10 ;;
	-C|--cpus)
		case $prof in
		task-state|rundelay)
			# CPU 0's switches, for a moment (these take no -N)
			pp_bg "$prof" -C 0
			pp_ready
			sleep 0.2
			kill -INT "$bg"
			pp_wait
			return 0 ;;
		esac
		# system-wide on CPU 0 until the first sample, which a pinned wl makes
		( sleep 0.5; "$WL" -c 0 getppid 20; "$WL" -c 0 write 20 7 ) > /dev/null &
		sp=$!
		# shellcheck disable=SC2046
		pp "$prof" $(events "$prof") -C 0 -N 1
		wait "$sp" ;;
	-p|--pids|-t|--tids)
		# a target that waits for the run to be ready, then works and exits
		rm -f "$T_TMP/go"
		"$WL" -W "$T_TMP/go" getppid 3 > /dev/null &
		sp=$!
		# shellcheck disable=SC2046
		pp_bg "$prof" $(events "$prof") "$opt" "$sp"
		pp_ready
		touch "$T_TMP/go"
		pp_wait
		wait "$sp" ;;
	*)
		# shellcheck disable=SC2046,SC2086
		pp "$prof" $(events "$prof") "$@" -- "$WL" getppid 3 ;;
	esac
}

for prof in trace top multi-trace num-dist kmemleak nop task-state rundelay; do
	options "$prof" > "$T_TMP/opts"
	n=$(wc -l < "$T_TMP/opts")
	[ "$n" -gt 5 ] || fail "$prof -h lists its options" "parsed $n options"
	while read -r opt argh; do
		# shellcheck disable=SC2046
		run_with "$prof" "$opt" $(args "$prof" "$opt" "$argh")
		case $? in
		2) skip "$prof $opt" "needs uprobes and the leaker workload"; continue ;;
		esac
		if [ "$rc" -eq 0 ]; then
			ok "$prof -h lists $opt: it is taken"
		elif grep -q "this kernel gives no TSC conversion" "$err"; then
			skip "$prof -h lists $opt" "the kernel gives no TSC conversion here"
		elif [ "$opt" = --kvmclock ] && grep -q "no conversion to a guest's kvmclock here" "$err"; then
			# listed for the reference's command lines; refused with the reason
			skip "$prof -h lists $opt" "taken, always refused: no guest kvmclock conversion"
		else
			fail "$prof -h lists $opt: it is taken" "exit $rc: $(head -c 400 "$err")"
		fi
	done < "$T_TMP/opts"
done

# list takes its --probes
pp list --probes
check_rc "list -h lists --probes: it is taken" 0

# and what -h does not list is refused with the profilers that take it
pp top -e "$GETPPID" --flame-graph "$T_TMP/x.svg" -- true
check_fails "top --flame-graph: not listed, refused" 129 \
	"perf-prof top: option '--flame-graph' does not apply to top"
check_err "... the hint names the profilers that take it" \
	"hint: '--flame-graph' is for trace, profile, multi-trace, num-dist, kmemleak"
pp top -e "$GETPPID" -g -- true
check_fails "top -g: not listed, refused" 129 "perf-prof top: option '-g' does not apply to top"
pp nop -e "$GETPPID" --flame-graph "$T_TMP/x.svg" -g -- true
check_fails "nop --flame-graph: not listed (nop writes none), refused" 129 \
	"perf-prof nop: option '--flame-graph' does not apply to nop"

check_clean "no perf-prof left running"
