#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh [FILTER] - run every test layer and end with
#   N passed, N failed, N skipped
# Layers: unit (C binaries in $UNIT_DIR), replay (tests/replay/*.sh: synthetic
# record streams through the real binary), live (tests/live/*.sh: real kernel
# events, root + tracefs), docs (tests/docs/*.sh: man pages, `help`, install,
# bash completion), server (tests/server/*.py: the daemon's protocols). Every
# layer prints TAP lines; this script counts them.
# FILTER restricts to test files whose name contains it.
# Called by `make test`, which sets PERF_PROF, UNIT_DIR, WORKLOAD_DIR and MAN_DIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
filter=${1:-}
: "${PERF_PROF:?run through make test}"
: "${UNIT_DIR:?run through make test}"
: "${WORKLOAD_DIR:?run through make test}"
: "${HELPER_DIR:?run through make test}"
export PERF_PROF UNIT_DIR WORKLOAD_DIR HELPER_DIR
export TESTS_DIR="$here"

pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() {
	# $1: name of the test file, stdin: its TAP output
	while IFS= read -r line; do
		case "$line" in
		"not ok"*) fail=$((fail + 1)); echo "  $1: $line" ;;
		"ok "*"# SKIP"*) skip=$((skip + 1)); echo "  $1: $line" ;;
		"ok "*) pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "  $1: $line" ;;
		"#   "*) echo "  $1: $line" ;;
		"# "*) ;;
		*) [ -n "${VERBOSE:-}" ] && echo "  $1: $line" ;;
		esac
	done
}

run_one() {
	# $1: display name, rest: command
	name=$1
	shift
	case "$name" in *"$filter"*) ;; *) return ;; esac
	start=$(date +%s)
	"$@" > "$log" 2>&1
	rc=$?
	count "$name" < "$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
		# a crash or an error outside any test case still fails
		fail=$((fail + 1))
		echo "  $name: not ok - exited with status $rc outside a test case"
		tail -5 "$log" | sed 's/^/  |   /'
	fi
	echo "  $name: $(($(date +%s) - start))s"
}

echo "unit tests"
for t in "$UNIT_DIR"/test-*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done

echo "replay tests"
# each with the records in the kernel's full layout and in the compact one of live runs
for t in "$here"/replay/*.sh; do
	[ -f "$t" ] || continue
	export MKREPLAY_LAYOUT=full
	run_one "replay/$(basename "$t")" sh "$t"
	export MKREPLAY_LAYOUT=compact
	run_one "replay/$(basename "$t") (compact)" sh "$t"
done
unset MKREPLAY_LAYOUT

echo "live tests"
# a file with a "# modes: ring bpf" line runs twice, with the same expectations:
# its profilers reading the records, then counting in the kernel (lib.sh's pp_mode)
for t in "$here"/live/*.sh; do
	[ -f "$t" ] || continue
	if grep -q '^# modes: ring bpf$' "$t"; then
		export PP_AGG=ring
		run_one "live/$(basename "$t") (ring)" sh "$t"
		export PP_AGG=bpf
		run_one "live/$(basename "$t") (bpf)" sh "$t"
		unset PP_AGG
		continue
	fi
	run_one "live/$(basename "$t")" sh "$t"
done

echo "docs tests"
for t in "$here"/docs/*.sh; do
	[ -f "$t" ] || continue
	run_one "docs/$(basename "$t")" sh "$t"
done

echo "server tests"
# the daemon over the network (loopback): Python stdlib clients, real peers
for t in "$here"/server/*.py; do
	[ -f "$t" ] || continue
	case "$(basename "$t")" in dtest.py) continue ;; esac
	run_one "server/$(basename "$t")" python3 "$t"
done

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
