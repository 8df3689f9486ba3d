#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/daemon-bench.sh [-l LEPD] [-s SECONDS] - requests/s and latency of
# perf-prof daemon's JSON-RPC side for SayHello and GetProcMeminfo, with 1
# and 50 lock-step clients (bench/daemon-load.c), side by side with lepd when
# a lepd binary is given (-l: build it yourself from its public source in a
# scratch directory; it is never part of this tree: its Makefile needs
# libev-dev, and on Debian 12 make CC="gcc -fcommon -w -include sys/sysmacros.h").
#
# Everything runs in a private network namespace with only loopback up:
# lepd listens on 0.0.0.0:12307 (hard-coded) and must not be reachable.
# Needs root (unshare -n). Prints one line per run, then each server's
# memory (VmRSS, VmHWM) after its runs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PP=${PERF_PROF:-$root/perf-prof}
LEPD=
SECS=5
while getopts l:s: o; do
	case $o in
	l) LEPD=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
	s) SECS=$OPTARG ;;
	*) echo "usage: $0 [-l LEPD] [-s SECONDS]" >&2; exit 129 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "daemon-bench: needs root (unshare -n)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/pp-dbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$tmp/load" "$here/daemon-load.c" -lpthread

cat > "$tmp/run.sh" <<EOF
set -eu
ip link set lo up
# memory after the runs: resident now and at its peak (threads included)
rss() {
	printf '%-10s memory: %s\\n' "\$1" "\$(awk '/^VmRSS|^VmHWM/ { printf "%s %s kB  ", \$1, \$2 }' /proc/\$2/status)"
}
runs() {
	for m in SayHello GetProcMeminfo; do
		for c in 1 50; do
			printf '%-10s ' "\$1"
			"$tmp/load" 127.0.0.1 "\$2" \$m \$c $SECS
		done
	done
}
"$PP" daemon --listen 127.0.0.1:12317 --http off 2> "$tmp/pp.log" &
pp=\$!
sleep 1
runs perf-prof 12317
rss perf-prof \$pp
kill -TERM \$pp
wait \$pp
if [ -n "$LEPD" ]; then
	# lepd daemonises itself into / and listens on 0.0.0.0:12307
	( cd "$tmp" && "$LEPD" ) > /dev/null 2>&1
	sleep 1
	runs lepd 12307
	# it forked away: its pid is the one holding the port in this namespace
	pid=\$(ss -ltnpH 'sport = :12307' | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1)
	[ -n "\$pid" ] && rss lepd "\$pid" && kill "\$pid"
fi
EOF
unshare -n sh "$tmp/run.sh"
