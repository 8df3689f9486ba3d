#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/docs/install.sh - `make install` into a temporary DESTDIR: the binary
# runs, every man page is there and renders, `perf-prof help` of the
# installed binary shows the installed page, the completion and the docs are
# there; `make uninstall` leaves no file behind. The same with bindir, mandir
# and docdir moved.
. "${TESTS_DIR:?}/lib.sh"
: "${MAN_DIR:?run through make test}"
root=$(cd "$TESTS_DIR/.." && pwd)

# make TARGET VAR=VALUE... in the source tree, not as part of the caller's
# make (no jobserver, no inherited flags), same build flavour (SAN)
mk() {
	MAKEFLAGS= MAKELEVEL= make -s -C "$root" SAN="${SAN:-}" "$@" > "$T_TMP/make.out" 2>&1
}

# files DIR - every file and symbolic link under DIR, relative, sorted
files() {
	(cd "$1" && find . ! -type d | sed 's|^\./||' | sort)
}

d=$T_TMP/dest
mk install DESTDIR="$d" PREFIX=/usr/local
rc=$?
check_eq "install: make install DESTDIR=... exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$T_TMP/make.out"

want=$(
	echo usr/local/bin/perf-prof
	echo usr/local/share/bash-completion/completions/perf-prof
	for f in "$root/README.md" "$root"/Documentation/*.md; do
		echo "usr/local/share/doc/perf-prof/$(basename "$f")"
	done
	(cd "$MAN_DIR" && find . -type f -name '*.[0-9]' | sed 's|^\./|usr/local/share/man/|')
)
want=$(echo "$want" | sort)
check_eq "install: exactly the binary, man pages, completion and docs" "$(files "$d")" "$want"

bin=$d/usr/local/bin/perf-prof
check_eq "install: the installed binary runs" "$("$bin" -V 2>&1)" "$("$PP" -V 2>&1)"
check_eq "install: the binary is executable by all" "$(stat -c %a "$bin")" 755
cmp -s "$d/usr/local/share/bash-completion/completions/perf-prof" "$root/scripts/perf-prof-completion.bash" &&
	ok "install: the completion is scripts/perf-prof-completion.bash" ||
	fail "install: the completion is scripts/perf-prof-completion.bash"

if command -v man >/dev/null; then
	n=0 bad=""
	for f in "$d"/usr/local/share/man/man*/*; do
		n=$((n + 1))
		MANWIDTH=80 man --warnings=w -l "$f" > "$T_TMP/page" 2> "$T_TMP/warn"
		[ -s "$T_TMP/page" ] && [ ! -s "$T_TMP/warn" ] || bad="$bad $(basename "$f")"
	done
	check_eq "install: all $n installed man pages render, without warnings" "$bad" ""

	# help of the installed binary opens the installed page (bindir/../share/man)
	MANWIDTH=80 "$bin" help top > "$out" 2> "$err"
	check_eq "install: 'perf-prof help top' shows the installed page" "$(cat "$out")" \
		"$(MANWIDTH=80 man -l "$d/usr/local/share/man/man1/perf-prof-top.1")"
	MANPATH=$d/usr/local/share/man MANWIDTH=80 man perf-prof-expressions > "$T_TMP/page" 2>&1
	grep -q '^NAME' "$T_TMP/page" && ok "install: man finds the section-7 pages by name" ||
		fail "install: man finds the section-7 pages by name" "$(head -3 "$T_TMP/page")"
else
	skip "install: man pages render" "man is not installed"
fi

mk uninstall DESTDIR="$d" PREFIX=/usr/local
check_eq "uninstall: exits 0" "$?" 0
check_eq "uninstall: no file left in DESTDIR" "$(files "$d")" ""

# the directory variables are honoured one by one
d2=$T_TMP/dest2
mk install DESTDIR="$d2" PREFIX=/opt/pp bindir=/opt/pp/sbin mandir=/opt/pp/man \
	docdir=/opt/pp/doc bashcompdir=/opt/pp/compl
check_eq "install: bindir, mandir, docdir, bashcompdir honoured" \
	"$(files "$d2" | grep -c -e '^opt/pp/sbin/perf-prof$' -e '^opt/pp/man/man1/perf-prof-top\.1$' \
		-e '^opt/pp/man/man7/perf-prof-stacks\.7$' -e '^opt/pp/doc/top\.md$' -e '^opt/pp/compl/perf-prof$')" 5
check_eq "install: nothing outside them" "$(files "$d2" | grep -v -e '^opt/pp/sbin/' -e '^opt/pp/man/' \
	-e '^opt/pp/doc/' -e '^opt/pp/compl/')" ""
mk uninstall DESTDIR="$d2" PREFIX=/opt/pp bindir=/opt/pp/sbin mandir=/opt/pp/man \
	docdir=/opt/pp/doc bashcompdir=/opt/pp/compl
check_eq "uninstall: moved directories left empty" "$(files "$d2")" ""
