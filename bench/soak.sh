#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/soak.sh [-m MINUTES] [-r RATE] [-s STEP] [-- PROFILER COMMAND...]
#
# A soak run (not CI): a profiler under steady load for MINUTES (default 10),
# system wide, while the shared kit's load generator makes RATE (default
# 200000) getppid system calls a second on CPU 1. Every STEP seconds
# (default 10) it samples the profiler's VmRSS and counts the "lost" and
# error lines it printed so far, then prints the curve and whether RSS grew
# more than 5 % after the first minute. Exits 1 when it did, or when the
# profiler died.
#
# The profiler command defaults to
#   ./perf-prof top -e syscalls:sys_enter_getppid -i 1000
# and is a parameter so the same soak can run other profilers, or wrapped
# (e.g. with a kmemleak scan around it once the kernel has kmemleak).
# Run as root from anywhere; the loadgen source is ../shared/bench/loadgen.c
# next to the repository (LOADGEN_SRC overrides).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
minutes=10
rate=200000
step=10
while [ $# -gt 0 ]; do
	case $1 in
	-m) minutes=$2; shift 2 ;;
	-r) rate=$2; shift 2 ;;
	-s) step=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak.sh: unknown argument '$1' (see -h)" >&2; exit 129 ;;
	esac
done
[ $# -eq 0 ] && set -- "$root/perf-prof" top -e syscalls:sys_enter_getppid -i 1000
src=${LOADGEN_SRC:-$root/../shared/bench/loadgen.c}
secs=$((minutes * 60))

[ -f "$src" ] || { echo "soak.sh: no load generator at $src (set LOADGEN_SRC)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/pp-soak.XXXXXX)
prof=""
lg=""
cleanup() {
	[ -n "$lg" ] && kill "$lg" 2> /dev/null
	[ -n "$prof" ] && kill -INT "$prof" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$tmp/loadgen" "$src" || exit 1

"$@" > "$tmp/out" 2> "$tmp/err" &
prof=$!
sleep 2
if ! kill -0 $prof 2> /dev/null; then
	echo "soak.sh: the profiler exited at once:" >&2
	cat "$tmp/err" >&2
	exit 1
fi
"$tmp/loadgen" -m syscall -n $((rate * (secs + 60))) -r "$rate" -T "$secs" -c 1 > "$tmp/loadgen.out" &
lg=$!

rss() { awk '/^VmRSS/ { print $2 }' /proc/$prof/status 2> /dev/null; }
echo "soak: $* for $minutes min at $rate events/s (profiler pid $prof)"
printf '%8s %10s %12s %10s %8s\n' "time_s" "rss_kb" "samples/s" "lost" "errors"
curve=$tmp/curve
t=0
while [ $t -lt "$secs" ]; do
	sleep "$step"
	t=$((t + step))
	kill -0 $prof 2> /dev/null || { echo "soak.sh: the profiler died at ${t}s" >&2; break; }
	r=$(rss)
	# top's interval line: "... top: N samples in S s, ..."
	sps=$(awk '/ top: [0-9]+ samples in / { n = $4; s = $7 } END { if (s > 0) printf "%.0f", n / s; else print "-" }' "$tmp/out")
	lost=$(awk '/lost [0-9]+ events/ { for (i = 1; i < NF; i++) if ($i == "lost") n = $(i + 1) } END { print n + 0 }' "$tmp/err")
	errs=$(grep -c -i -E 'error|cannot|fail' "$tmp/err")
	printf '%8d %10s %12s %10s %8s\n' "$t" "${r:-?}" "$sps" "$lost" "$errs"
	echo "$t ${r:-0}" >> "$curve"
done
wait $lg 2> /dev/null
lg=""
alive=0
kill -0 $prof 2> /dev/null && alive=1
kill -INT $prof 2> /dev/null
wait $prof
status=$?
prof=""
echo "loadgen: $(cat "$tmp/loadgen.out")"
echo "profiler exit status: $status"
echo "profiler stderr (last lines):"
tail -n 5 "$tmp/err" | sed 's/^/  /'

# growth: the last sample against the first one at or after 60 s
verdict=$(awk '$1 >= 60 && !base { base = $2 } { last = $2 }
	END { if (!base) { print "n/a (shorter than a minute)"; exit }
	      g = (last - base) * 100 / base
	      v = "flat"
	      if (g > 5)
		      v = "GREW"
	      printf "%s: RSS %d kB at 60 s -> %d kB at the end (%+.1f %%)\n", v, base, last, g }' "$curve")
echo "$verdict"
[ $alive -eq 1 ] || exit 1
case $verdict in GREW*) exit 1 ;; esac
exit 0
