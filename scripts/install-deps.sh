#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh - install everything perf-prof needs to build and test,
# from Debian 12 packages only (apt-get). Run as root. Safe to re-run: apt
# skips what is already installed.
#
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --check    print the missing packages, exit 1 if any
#   scripts/install-deps.sh --bench    also the peers the benchmarks compare
#                                      against (perf, bpftrace: bench/profile.sh)
set -eu

# Build: libraries perf-prof links, the kernel source libperf is built from,
# the BPF toolchain, pandoc (the man pages, from Documentation/*.md),
# protobuf-c (pprof output: library and code generator), the daemon's HTTP
# server and JSON parser, Chart.js (Expat licence: embedded in the daemon's
# web viewer at build time). Test: pytest is not used; the C harness needs only
# these, man-db and groff-base render the man pages to check them, golang-go's
# `go tool pprof` reads pprof files back, elfutils' eu-stack is the oracle of
# pstack's stacks, strace the oracle of syscalls' counts, headless chromium
# renders profile's SVG flame graph (a screenshot) and the daemon's web viewer
# (DevTools protocol), and prometheus scrapes the daemon. libnl-genl reads the
# kernel's taskstats exit records (pidstat); sysstat's pidstat is pidstat's oracle.
PKGS="build-essential pkg-config libtraceevent-dev libtracefs-dev libbpf-dev
libelf-dev libdw-dev zlib1g-dev clang llvm bpftool linux-source-6.1 xz-utils
python3 valgrind libclang-rt-14-dev libiberty-dev pandoc man-db groff-base
libcapstone-dev libprotobuf-c-dev protobuf-c-compiler golang-go elfutils chromium
libmicrohttpd-dev libcjson-dev libjs-chart.js prometheus libnl-genl-3-dev sysstat
strace"

if [ "${1:-}" = "--bench" ]; then
	PKGS="$PKGS linux-perf bpftrace"
	shift
fi

missing() {
	for p in $PKGS; do
		st=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
		case "$st" in *"ok installed") ;; *) printf '%s\n' "$p" ;; esac
	done
}

if [ "${1:-}" = "--check" ]; then
	m=$(missing | tr '\n' ' ')
	if [ -n "$m" ]; then
		printf '%s\n' "$m"
		exit 1
	fi
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get install)" >&2
	echo "hint: sudo $0" >&2
	exit 1
fi

m=$(missing | tr '\n' ' ')
[ -z "$m" ] && exit 0
echo "install-deps: installing: $m"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $m
