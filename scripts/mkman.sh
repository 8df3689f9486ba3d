#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkman.sh OUTDIR PERF-PROF VERSION DOC.md... - build the man pages from the
# Markdown of Documentation/ with pandoc and scripts/man.lua (called by
# `make`; the pages are never committed).
#
# A document is a page when it has a line `<!-- man: NAME(SECTION) ... -->`
# (see scripts/man.lua); the others (reliability.md) are not. The pages go
# to OUTDIR/manSECTION/NAME.SECTION, the layout of an installed mandir, so
# `man -M OUTDIR NAME` and `perf-prof help` find them. The whole directory is
# built aside and then swapped in, so a renamed page leaves no stale one.
set -eu

[ $# -ge 4 ] || { echo "usage: $0 OUTDIR PERF-PROF VERSION DOC.md..." >&2; exit 129; }
out=$1
bin=$2
version=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v pandoc >/dev/null 2>&1; then
	echo "mkman: pandoc is needed to build the man pages" >&2
	echo "hint: run 'scripts/install-deps.sh' as root (it installs pandoc), then 'make'" >&2
	exit 1
fi

# marker DOC - prints "NAME SECTION" of the page DOC makes, nothing if none
marker() {
	sed -n 's/^<!--[[:space:]]*man:[[:space:]]*\([A-Za-z0-9_-]*\)(\([0-9]\)).*-->[[:space:]]*$/\1 \2/p' "$1" |
		head -n 1
}

# every page, as BASE:SECTION, so each one can refer to the others
pages=""
for doc in "$@"; do
	m=$(marker "$doc")
	[ -n "$m" ] || continue
	pages="$pages $(basename "$doc" .md):${m#* }"
done

tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
for doc in "$@"; do
	m=$(marker "$doc")
	[ -n "$m" ] || continue
	name=${m% *}
	sect=${m#* }
	mkdir -p "$tmp/man$sect"
	pandoc -s -f markdown -t man --lua-filter "$here/man.lua" \
		-M perf-prof="$bin" -M manpages="$pages" -M footer="perf-prof $version" \
		-o "$tmp/man$sect/$name.$sect" "$doc"
done
touch "$tmp/.stamp"
rm -rf "$out"
mv "$tmp" "$out"
