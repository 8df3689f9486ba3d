#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh [SECONDS] [TARGET...] - build the fuzz harnesses
# (tests/fuzz/build.sh) and run each for SECONDS (default 60), JOBS at a time
# (default 2) under `nice -n 10`. SECONDS=0 only replays the seed corpus and
# the regression inputs once (a quick check, no fuzzing).
#
# Per target: seeds tests/fuzz/corpus/TARGET/ and regressions
# tests/fuzz/regress/TARGET/ (both read-only), new inputs in
# build/fuzz/corpus/TARGET/, crashes in build/fuzz/artifacts/TARGET/, the log in
# build/fuzz/logs/TARGET.log; a dictionary tests/fuzz/TARGET.dict (replay-*:
# replay.dict) when there is one. Exits 1 when any harness failed.
# Environment: JOBS, FUZZ_ARGS (extra libFuzzer flags).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"evspec expr opt replay-trace replay-top replay-multi-trace replay-num-dist replay-kmemleak probe-spec probe-elf rpc"}
jobs=${JOBS:-2}
out=$root/build/fuzz

case $secs in
''|*[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 129 ;;
esac
sh "$here/build.sh" $targets || exit 1

# run_one TARGET - fuzz it, write its one-line result to $out/logs/TARGET.res
run_one() {
	t=$1
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t" "$out/logs"
	dict=$here/$t.dict
	case $t in replay-*) dict=$here/replay.dict ;; esac
	set -- -close_fd_mask=3 -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
		-artifact_prefix="$out/artifacts/$t/" -print_final_stats=1
	[ -f "$dict" ] && set -- "$@" -dict="$dict"
	if [ "$secs" -eq 0 ]; then
		set -- "$@" -runs=0
	else
		set -- "$@" -max_total_time="$secs"
	fi
	dirs="$here/corpus/$t"
	[ -d "$here/regress/$t" ] && dirs="$dirs $here/regress/$t"
	start=$(date +%s)
	touch "$out/logs/$t.start"
	# shellcheck disable=SC2086
	nice -n 10 "$out/fuzz-$t" "$@" ${FUZZ_ARGS:-} "$out/corpus/$t" $dirs \
		> "$out/logs/$t.log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$out/logs/$t.log")
	# only what this run found (older artifacts stay until removed)
	crashes=$(find "$out/artifacts/$t" -type f -newer "$out/logs/$t.start" | wc -l)
	echo "$t rc=$rc seconds=$(($(date +%s) - start)) execs=${execs:-?} corpus=$(ls "$out/corpus/$t" | wc -l) artifacts=$crashes" \
		> "$out/logs/$t.res"
}

status=0
set -- $targets
while [ $# -gt 0 ]; do
	pids=""
	n=0
	while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
		run_one "$1" &
		pids="$pids $!"
		n=$((n + 1))
		shift
	done
	for p in $pids; do
		wait "$p"
	done
done
for t in $targets; do
	res=$(cat "$out/logs/$t.res" 2>/dev/null || echo "$t rc=? (no result)")
	echo "fuzz: $res"
	case $res in
	*" rc=0 "*) ;;
	*)
		status=1
		grep -m3 -E 'ERROR|runtime error|contract broken|SUMMARY' "$out/logs/$t.log" | sed 's/^/fuzz:   /'
		echo "fuzz:   log: $out/logs/$t.log; reproduce: $out/fuzz-$t FILE"
		;;
	esac
done
exit $status
