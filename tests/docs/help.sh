#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/docs/help.sh - `perf-prof help [PROFILER|TOPIC]`: alone it is -h; with
# a profiler or a topic it shows the man page built beside the binary (what
# `man -l` of that page shows), else the one man finds, else the profiler's
# -h; an unknown topic is a usage error. (The installed layout: install.sh.)
. "${TESTS_DIR:?}/lib.sh"
: "${MAN_DIR:?run through make test}"

if ! command -v man >/dev/null; then
	skip "help" "man is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi

pp help
"$PP" -h > "$T_TMP/h"
check_eq "help: alone, exit 0" "$rc" 0
check_eq "help: alone prints what -h prints" "$(cat "$out")" "$(cat "$T_TMP/h")"

# the page man shows for PAGE-FILE, as help's output must be
page_text() {
	MANWIDTH=80 man -l "$1" 2>/dev/null
}

export MANWIDTH=80
for topic in top trace list kmemleak; do
	pp help "$topic"
	check_rc "help $topic: exit 0" 0
	if [ -s "$out" ] && [ "$(cat "$out")" = "$(page_text "$MAN_DIR/man1/perf-prof-$topic.1")" ]; then
		ok "help $topic: shows build/man/man1/perf-prof-$topic.1"
	else
		fail "help $topic: shows build/man/man1/perf-prof-$topic.1" "got: $(head -c 300 "$out")"
	fi
done

pp help mpdelay
check_eq "help mpdelay: the page of num-dist, which it is an alias of" \
	"$(cat "$out")" "$(page_text "$MAN_DIR/man1/perf-prof-num-dist.1")"

pp help expressions
check_rc "help expressions: exit 0" 0
check_eq "help expressions: a topic shows its section-7 page" \
	"$(cat "$out")" "$(page_text "$MAN_DIR/man7/perf-prof-expressions.7")"

pp help nosuch
check_fails "help nosuch: usage error naming it" 129 "no manual page for 'nosuch'"
check_err "help nosuch: with a hint" "hint: 'perf-prof -h' lists the profilers"
check_eq "help nosuch: nothing on stdout" "$(cat "$out")" ""

pp help ../../etc/passwd
check_fails "help with a path: refused, nothing opened" 129 "no manual page for '../../etc/passwd'"

# Away from the build tree (a copy of the binary), with man unable to find
# the page (MANPATH without it) or man missing (PATH without it), help falls
# back to the profiler's -h, and says so.
cp "$PP" "$T_TMP/perf-prof"
"$PP" top -h > "$T_TMP/h"
MANPATH=$T_TMP "$T_TMP/perf-prof" help top > "$out" 2> "$err"
rc=$?
check_eq "help top, no page anywhere: exit 0" "$rc" 0
check_eq "help top, no page anywhere: prints 'perf-prof top -h'" "$(cat "$out")" "$(cat "$T_TMP/h")"
check_err "help top, no page anywhere: says why on stderr" "no manual page for 'top'; here is 'perf-prof top -h'"

PATH=/nonexistent "$T_TMP/perf-prof" help top > "$out" 2> "$err"
rc=$?
check_eq "help top, no man program: prints 'perf-prof top -h'" "$rc:$(cat "$out")" "0:$(cat "$T_TMP/h")"

MANPATH=$T_TMP "$T_TMP/perf-prof" help expressions > "$out" 2> "$err"
rc=$?
check_fails "help TOPIC, no page anywhere: usage error" 129 "no manual page for 'expressions'"

# With the page on man's own path (MANPATH), help asks man for it by name.
MANPATH=$MAN_DIR "$T_TMP/perf-prof" help top > "$out" 2> "$err"
rc=$?
check_eq "help top, page on MANPATH: man finds it" "$rc:$(cat "$out")" \
	"0:$(page_text "$MAN_DIR/man1/perf-prof-top.1")"
