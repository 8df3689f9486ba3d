#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/build.sh [TARGET...] - build the libFuzzer harnesses into
# build/fuzz/: the core (lib/*/*.c, monitors/*.c, daemon/*.c) with clang and
# -fsanitize=fuzzer-no-link,address,undefined into build/fuzz/obj/, then one
# binary per tests/fuzz/fuzz-TARGET.c linked with -fsanitize=fuzzer. Objects
# are rebuilt when their source or any header is newer. libperf comes from
# the main build (make builds it when missing).
#
# Targets: evspec expr replay-trace replay-top rpc (default: all).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

CLANG=${CLANG:-clang}
KDIR=build/linux
LIBPERF=$KDIR/tools/lib/perf/libperf.a
LIBAPI=$KDIR/tools/lib/api/libapi.a
OUT=build/fuzz
PKGS="libtraceevent libtracefs libelf libdw libbpf libmicrohttpd libcjson"

[ -f "$LIBPERF" ] && [ -f "$LIBAPI" ] || make -s "$LIBPERF" "$LIBAPI"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# the core is not ours to make warning-free under clang: warnings only
CFLAGS="-std=gnu11 -O1 -g $SAN -D_GNU_SOURCE -DPERF_PROF_VERSION=\"fuzz\" -Iinclude \
	-I$KDIR/tools/lib/perf/include $(pkg-config --cflags $PKGS)"
HFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Idaemon -DFUZZ_TRACEFS=\"$root/tests/replay/tracefs\""
LIBS="$LIBPERF $LIBAPI $(pkg-config --libs $PKGS) -liberty -lz -lpthread -lm -ldl"

# FUZZ_CFLAGS: extra flags for everything (e.g. -fno-sanitize=alignment while
# a known report is being fixed); a change of flags rebuilds everything
CFLAGS="$CFLAGS ${FUZZ_CFLAGS:-}"
mkdir -p "$OUT"
if [ "$(cat "$OUT/.flags" 2>/dev/null)" != "$CFLAGS" ]; then
	rm -rf "$OUT/obj"
	echo "$CFLAGS" > "$OUT/.flags"
fi
newest_header=$(ls -t include/*.h lib/*/*.h daemon/*.h 2>/dev/null | head -1)
objs=""
for src in lib/*/*.c monitors/*.c daemon/*.c; do
	obj=$OUT/obj/${src%.c}.o
	objs="$objs $obj"
	if [ -f "$obj" ] && [ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest_header" ]; then
		continue
	fi
	mkdir -p "$(dirname "$obj")"
	extra=""
	# perfev.c reaches into libperf's internal headers (see the Makefile)
	[ "$src" = lib/core/perfev.c ] && extra="-I$KDIR/tools/include -I$KDIR/tools/lib \
		-I$KDIR/tools/arch/x86/include"
	echo "  CC      $src"
	# shellcheck disable=SC2086
	$CLANG $CFLAGS $extra -fsanitize=fuzzer-no-link -w -c -o "$obj" "$src"
done

targets=${*:-"evspec expr replay-trace replay-top rpc"}
for t in $targets; do
	def=""
	case $t in
	replay-trace) src=tests/fuzz/fuzz-replay.c ;;
	replay-top) src=tests/fuzz/fuzz-replay.c def=-DFUZZ_TOP ;;
	*) src=tests/fuzz/fuzz-$t.c ;;
	esac
	[ -f "$src" ] || { echo "build.sh: no harness for '$t'" >&2; exit 1; }
	echo "  LINK    $OUT/fuzz-$t"
	# shellcheck disable=SC2086
	$CLANG $CFLAGS $HFLAGS $def -fsanitize=fuzzer -o "$OUT/fuzz-$t" "$src" $objs $LIBS
done
