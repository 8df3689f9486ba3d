#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/bpf-agg.sh [RUN.SH OPTIONS] - counting in the kernel against reading
# the records, and against bpftrace, in the same run of the shared bench kit
# (../shared/bench/run.sh): getppid load at 300k, 1M and the maximum events/s
# on CPU 1, perf-prof top, num-dist and multi-trace system wide once with
# --no-bpf (label ring) and once with --bpf (label bpf), bpftrace
# '@[pid] = count()', and the 'none' baseline. The kit reports the
# workload's +ns per event, the tool's CPU per event, its RSS and what it
# lost; bench/summarize.sh of the kit prints the tables (the command is
# printed at the end).
#
# The label bt runs bpftrace doing each profiler's work, through an adapter
# the kit calls like a perf-prof binary: top as '@[pid] = count()',
# num-dist as 'hist(pid)' with a count, multi-trace as the entry's time in
# a map by thread, at the exit 'hist(nsecs - start)' and the entry deleted:
# the same work as perf-prof's in-kernel programs, in bpftrace's language.
# The adapter prints the count in the line the kit reads for that profiler.
set -u
here=$(cd "$(dirname "$0")" && pwd)
kit=${KIT:-$here/../../shared/bench}
[ -d "$kit" ] || kit=$here/../shared/bench
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
pp=$(cd "$here/.." && pwd)/perf-prof
[ -x "$pp" ] || { echo "bpf-agg: build perf-prof first" >&2; exit 2; }
command -v bpftrace > /dev/null ||
	{ echo "bpf-agg: bpftrace is missing: scripts/install-deps.sh --bench installs the peers" >&2; exit 2; }
work=$(mktemp -d /dev/shm/bpf-agg.XXXXXX)
trap 'rm -rf "$work"' EXIT
# one binary per mode: the kit gives every pp-* tool the same arguments
for mode in ring bpf; do
	flag=--no-bpf
	[ $mode = bpf ] && flag=--bpf
	printf '#!/bin/sh\np=$1\nshift\nexec %s "$p" %s "$@"\n' "$pp" "$flag" > "$work/pp-$mode"
	chmod +x "$work/pp-$mode"
done
# bt: bpftrace with each profiler's work (see above); SIGINT goes to bpftrace, which prints its maps
cat > "$work/pp-bt" <<'ADAPTER'
#!/bin/bash
prof=$1
shift
ev=
while [ $# -gt 0 ]; do
	[ "$1" = -e ] && [ -z "$ev" ] && ev=${2%%/*}
	shift
done
tp=tracepoint:${ev%%:*}:${ev#*:}
case $prof in
top) prog="$tp { @[pid] = count(); }" ;;
num-dist) prog="$tp { @h = hist(pid); @n = count(); }" ;;
multi-trace) prog="$tp { @s[tid] = nsecs; } ${tp/sys_enter/sys_exit} /@s[tid]/ { @h = hist(nsecs - @s[tid]); delete(@s[tid]); @n = count(); }" ;;
*) echo "pp-bt: no bpftrace program for $prof" >&2; exit 2 ;;
esac
out=$(mktemp /dev/shm/pp-bt.XXXXXX)
bpftrace -e "$prog" > "$out" &
bt=$!
trap 'kill -INT $bt' INT TERM
wait $bt
wait $bt
case $prof in
top) sed -n 's/^@\[\([0-9]*\)\]: \([0-9]*\)$/\1 \2/p' "$out" ;;
num-dist) sed -n 's/^@n: \([0-9]*\)$/hist(pid) \1 -/p' "$out" ;;
multi-trace) sed -n 's/^@n: \([0-9]*\)$/sys_enter => sys_exit \1/p' "$out" ;;
esac
rm -f "$out"
ADAPTER
chmod +x "$work/pp-bt"
out=${OUT:-$here/results/bpf-agg-$(date +%Y%m%d-%H%M%S)}
"$kit/run.sh" --tools none,pp-top,pp-num-dist,pp-multi-trace,bpftrace --tool "ring=$work/pp-ring" \
	--tool "bpf=$work/pp-bpf" --tool "bt=$work/pp-bt" --rates 300000,1000000,0 --out "$out" "$@" &&
	"$kit/summarize.sh" "$out"
