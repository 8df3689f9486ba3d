#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/valgrind.sh [FILTER] - run the replay and live layers with every
# perf-prof under valgrind (memcheck): a wrapper stands in for PERF_PROF and
# runs
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite ... perf-prof ARGS
# so a memory error or a definitely lost block also turns the run's exit
# code into 99, failing the case that ran it. Each run's report is kept in
# build/valgrind/vg.PID.log; the summary at the end lists the runs with
# errors or definitely lost bytes and exits 1 if there is any.
#
# FILTER is tests/run.sh's (test files whose name contains it), e.g. "errors".
# Live tests have timing: PP_TIMEOUT defaults to 300 s here. Needs `make`
# (./perf-prof, build/workload) and the valgrind package.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
filter=${1:-}
pp=${PERF_PROF:-$root/perf-prof}
logs=$root/build/valgrind

command -v valgrind > /dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[ -x "$pp" ] || { echo "valgrind.sh: no $pp: run make first" >&2; exit 1; }
[ -d "$root/build/workload" ] || make -C "$root" -s build/workload/wl > /dev/null

rm -rf "$logs"
mkdir -p "$logs/bin" "$logs/unit"
# runs as another user too (the not-root cases): the logs must be writable
chmod 1777 "$logs"
chmod 755 "$logs/bin"
wrapper=$logs/bin/perf-prof
cat > "$wrapper" <<EOF
#!/bin/sh
# valgrind wrapper written by tests/valgrind.sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \\
	--child-silent-after-fork=yes --num-callers=30 \\
	--log-file=$logs/vg.%p.log $pp "\$@"
EOF
chmod 755 "$wrapper"

# no unit layer (an empty UNIT_DIR): those binaries run under ASan in make test SAN=1
PERF_PROF=$wrapper UNIT_DIR=$logs/unit WORKLOAD_DIR=$root/build/workload \
	PP_TIMEOUT=${PP_TIMEOUT:-300} sh "$here/run.sh" "$filter"
suite=$?

# with --quiet a clean run writes nothing but warnings (e.g. about perf's
# ioctls); these are the reports that count
pat='== (Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched|Source and destination overlap|.* definitely lost in loss record)'
bad=0 runs=0
for f in "$logs"/vg.*.log; do
	[ -f "$f" ] || continue
	runs=$((runs + 1))
	n=$(grep -cE "$pat" "$f")
	[ "$n" -eq 0 ] && continue
	bad=$((bad + 1))
	echo "valgrind: $f: $n reports"
	grep -m1 -A14 -E "$pat" "$f" | sed 's/^/valgrind:   /'
done
echo "valgrind: $runs perf-prof runs, $bad with memory errors or definitely lost blocks"
[ $bad -eq 0 ] && [ $suite -eq 0 ]
