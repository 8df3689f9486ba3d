#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/bpf-agg.sh [RUN.SH OPTIONS] - counting in the kernel against reading
# the records, and against bpftrace, in the same run of the shared bench kit
# (../shared/bench/run.sh): getppid load at 300k, 1M and the maximum events/s
# on CPU 1, perf-prof top and num-dist system wide once with --no-bpf (label ring) and
# once with --bpf (label bpf), bpftrace '@[pid] = count()', and the 'none'
# baseline. The kit reports the workload's +ns per event, the tool's CPU per
# event, its RSS and what it lost; bench/summarize.sh of the kit prints the
# tables (the command is printed at the end).
set -u
here=$(cd "$(dirname "$0")" && pwd)
kit=${KIT:-$here/../../shared/bench}
[ -d "$kit" ] || kit=$here/../shared/bench
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
pp=$(cd "$here/.." && pwd)/perf-prof
[ -x "$pp" ] || { echo "bpf-agg: build perf-prof first" >&2; exit 2; }
work=$(mktemp -d /dev/shm/bpf-agg.XXXXXX)
trap 'rm -rf "$work"' EXIT
# one binary per mode: the kit gives every pp-* tool the same arguments
for mode in ring bpf; do
	flag=--no-bpf
	[ $mode = bpf ] && flag=--bpf
	printf '#!/bin/sh\np=$1\nshift\nexec %s "$p" %s "$@"\n' "$pp" "$flag" > "$work/pp-$mode"
	chmod +x "$work/pp-$mode"
done
out=${OUT:-$here/results/bpf-agg-$(date +%Y%m%d-%H%M%S)}
"$kit/run.sh" --tools none,pp-top,pp-num-dist,bpftrace --tool "ring=$work/pp-ring" --tool "bpf=$work/pp-bpf" \
	--rates 300000,1000000,0 --out "$out" "$@" && "$kit/summarize.sh" "$out"
