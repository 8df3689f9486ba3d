#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/profile.sh - what answering "where does the CPU time go" costs,
# side by side in one run: a CPU-bound load on every CPU (one
# build/workload/split per CPU, pinned) for DUR seconds, sampled at 999 Hz
# on all CPUs with kernel and user stacks, by
#
#   pp-bpf    perf-prof profile --folded F            (stacks counted in the kernel)
#   pp-ring   perf-prof profile --no-bpf --folded F   (samples through the rings)
#   perf      perf record -F 999 -a -g, then perf script | a folding awk script
#   bpftrace  bpftrace -e 'profile:hz:999 { @[kstack, ustack, comm] = count(); }' (DUR s)
#
# For each: the tool's CPU (user+sys of every process it ran, its whole life:
# start-up, sampling, symbolizing and writing the result) and its peak RSS
# (the largest process), from wait4's rusage through /usr/bin/time. A BPF
# program's own run time is spent on the sampled CPUs, inside the load, for
# pp-bpf and bpftrace alike; `load` says how much CPU the load got (less
# means the tool took it). Tools run one after the other, REPS times
# interleaved; the median of each is printed.
#
# -B OTHER adds OTHER's two modes (pp-bpf-B, pp-ring-B) to the same run: a
# build before a change against one after it.
#
#   bench/profile.sh [-d DUR] [-n REPS] [-b ./perf-prof] [-B OTHER/perf-prof]
# Needs root, perf (linux-perf) and bpftrace (scripts/install-deps.sh --bench).
set -u
dur=10 reps=3 bin=./perf-prof other=
while getopts d:n:b:B: o; do
	case $o in d) dur=$OPTARG ;; n) reps=$OPTARG ;; b) bin=$OPTARG ;; B) other=$OPTARG ;; *) exit 2 ;; esac
done
split=build/workload/split
[ -x "$split" ] || make -s "$split" || exit 1
tmp=$(mktemp -d /tmp/pp-profile-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ncpu=$(nproc)

# measure NAME CMD... - run CMD under /usr/bin/time while the load runs; one row
measure() {
	local name=$1 pids=() load=0
	shift
	for ((c = 0; c < ncpu; c++)); do
		"$split" $((dur * 1000 + 1500)) $c > /dev/null &
		pids+=($!)
	done
	sleep 0.3
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" > "$tmp/out" 2> "$tmp/err"
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2> /dev/null; done
	read -r u s m < <(tail -n 1 "$tmp/time")
	printf '%s\t%.2f\t%d\n' "$name" "$(echo "$u + $s" | bc)" $((m / 1024)) >> "$tmp/rows"
}

fold='{ if (/^\S/) { if (st != "") c[st]++; st = ""; comm = $1; next }
        if (NF == 0) { if (st != "") c[comm ";" st]++; st = ""; next }
        st = (st == "" ? $2 : $2 ";" st) }
      END { for (k in c) print k, c[k] }'

for ((r = 0; r < reps; r++)); do
	measure pp-bpf timeout -s INT "$dur" "$bin" profile -q --bpf --folded "$tmp/bpf.folded"
	measure pp-ring timeout -s INT "$dur" "$bin" profile -q --no-bpf --folded "$tmp/ring.folded"
	if [ -n "$other" ]; then
		measure pp-bpf-B timeout -s INT "$dur" "$other" profile -q --bpf --folded "$tmp/bpf.folded"
		measure pp-ring-B timeout -s INT "$dur" "$other" profile -q --no-bpf --folded "$tmp/ring.folded"
	fi
	measure perf sh -c "perf record -q -F 999 -a -g -o $tmp/perf.data -- sleep $dur &&
		perf script -i $tmp/perf.data -F comm,ip,sym 2>/dev/null | awk '$fold' > $tmp/perf.folded"
	# bpftrace ends itself: a SIGINT while it attaches its probes is lost
	measure bpftrace bpftrace -e "profile:hz:999 { @[kstack, ustack, comm] = count(); }
		interval:s:$dur { exit(); }"
done
printf 'tool\tcpu_s (median of %d)\trss_mb\n' "$reps"
sort -k1,1 -k2,2n "$tmp/rows" | awk -F'\t' '
	{ n[$1]++; cpu[$1, n[$1]] = $2; rss[$1, n[$1]] = $3 }
	END { for (t in n) { m = int((n[t] + 1) / 2); print t "\t" cpu[t, m] "\t" rss[t, m] } }' | sort
