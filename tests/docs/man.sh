#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/docs/man.sh - the man pages `make` builds from Documentation/*.md
# (scripts/mkman.sh): exactly the pages the documents ask for, one per
# profiler of the registry; each renders without a single warning from groff
# and from man; each has the sections a man page needs; a profiler's page
# names it with the registry's summary and holds every option, attribute and
# example its -h shows; no generated page is committed; the documentation
# index (perf-prof.md, README) names every profiler.
. "${TESTS_DIR:?}/lib.sh"
: "${MAN_DIR:?run through make test}"
root=$(cd "$TESTS_DIR/.." && pwd)

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	skip "man pages" "man or groff is not installed (scripts/install-deps.sh installs them)"
	exit 0
fi

"$PP" --list-cmds > "$T_TMP/cmds"
profilers=$(cut -f1 "$T_TMP/cmds")

# --- the set of pages -----------------------------------------------------
want=$(sed -n 's/^<!--[[:space:]]*man:[[:space:]]*\([A-Za-z0-9_-]*\)(\([0-9]\)).*-->[[:space:]]*$/man\2\/\1.\2/p' \
	"$root"/Documentation/*.md | sort)
got=$(cd "$MAN_DIR" && find . -type f -name '*.[0-9]' | sed 's|^\./||' | sort)
check_eq "man: one page per Documentation page with a man: line" "$got" "$want"

missing=""
for p in $profilers; do
	[ -f "$MAN_DIR/man1/perf-prof-$p.1" ] || missing="$missing $p"
done
[ -f "$MAN_DIR/man1/perf-prof.1" ] || missing="$missing perf-prof(1)"
check_eq "man: perf-prof(1) and a page for every profiler of the registry" "$missing" ""

tracked=$(cd "$root" && git ls-files 2>/dev/null | grep -E '(^|/)man[0-9]/|\.[17]$' || true)
check_eq "man: no generated page is committed" "$tracked" ""

# --- each page renders cleanly ----------------------------------------------
# render PAGE - the text man shows at 80 columns (warnings of every kind to $T_TMP/warn)
render() {
	MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings=w -E UTF-8 -l "$1" 2> "$T_TMP/warn" | col -bx
}

# section PAGE-TEXT NAME - the lines of one section (up to the next heading)
section() {
	awk -v s="$2" '/^[A-Z][A-Z0-9 ()-]*$/ { on = ($0 == s); next } on' "$1"
}

for page in $got; do
	f=$MAN_DIR/$page
	name=$(basename "$page")
	name=${name%.*}
	sect=${page##*.}

	groff -ww -z -t -man "$f" > "$T_TMP/groff" 2>&1
	check_eq "man: $name($sect): groff -ww -z -t -man says nothing" "$(cat "$T_TMP/groff")" ""

	render "$f" > "$T_TMP/page"
	check_eq "man: $name($sect): man -l renders it with no warning" "$(cat "$T_TMP/warn")" ""
	cp "$T_TMP/page" "$T_TMP/$name.txt"

	need="NAME DESCRIPTION SEE_ALSO"
	[ "$sect" = 1 ] && need="NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES SEE_ALSO"
	lacking=""
	for s in $need; do
		s=$(echo "$s" | tr _ ' ')
		grep -qx "$s" "$T_TMP/page" && [ -n "$(section "$T_TMP/page" "$s" | tr -d ' \n')" ] ||
			lacking="$lacking [$s]"
	done
	check_eq "man: $name($sect) has its sections, none empty" "$lacking" ""

	# NAME is "name - description", on one logical line
	nameline=$(section "$T_TMP/page" NAME | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	case "$nameline" in
	"$name - "?*) ok "man: $name($sect): NAME is '$name - ...'" ;;
	*) fail "man: $name($sect): NAME is '$name - ...'" "got: $nameline" ;;
	esac
done

# --- a profiler's page says what its -h says ------------------------------
for p in $profilers; do
	[ -f "$T_TMP/perf-prof-$p.txt" ] || continue
	cp "$T_TMP/perf-prof-$p.txt" "$T_TMP/page"
	summary=$(awk -F '\t' -v p="$p" '$1 == p { print $2 }' "$T_TMP/cmds")
	nameline=$(section "$T_TMP/page" NAME | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	check_eq "man: perf-prof-$p(1): NAME has the registry's summary" "$nameline" \
		"perf-prof-$p - $summary"

	"$PP" "$p" -h > "$T_TMP/help"
	section "$T_TMP/page" OPTIONS > "$T_TMP/opts"
	# every option word of -h (lines "    -x, --long ARG  help"), and the attributes
	words=$(awk '/^(OPTIONS|PROFILER OPTIONS)$/ { on = 1; next } /^[A-Z]/ { on = 0 }
		on && /^ +-/ { print $1; if ($2 ~ /^--/) print $2 }' "$T_TMP/help" | tr -d ,)
	attrs=$(awk '/^EVENT ATTRIBUTES$/ { getline; print }' "$T_TMP/help" | tr -d ,)
	n=0
	absent=""
	for w in $words $attrs; do
		n=$((n + 1))
		grep -qF -- "$w" "$T_TMP/opts" || absent="$absent $w"
	done
	if [ $n -gt 0 ] && [ -z "$absent" ]; then
		ok "man: perf-prof-$p(1): OPTIONS has all $n options and attributes of -h"
	else
		fail "man: perf-prof-$p(1): OPTIONS has all options and attributes of -h" \
			"-h words: $n, absent from the page:$absent"
	fi

	section "$T_TMP/page" EXAMPLES > "$T_TMP/ex"
	n=0
	absent=""
	awk '/^EXAMPLES$/ { on = 1; next } on && /^$/ { exit } on' "$T_TMP/help" | sed 's/^ *//' > "$T_TMP/hex"
	while IFS= read -r line; do
		n=$((n + 1))
		grep -qF -- "$line" "$T_TMP/ex" || absent="$absent [$line]"
	done < "$T_TMP/hex"
	if [ $n -gt 0 ] && [ -z "$absent" ]; then
		ok "man: perf-prof-$p(1): EXAMPLES has the $n examples of -h"
	else
		fail "man: perf-prof-$p(1): EXAMPLES has the examples of -h" "-h examples: $n, absent:$absent"
	fi
done

# perf-prof(1) lists the common options of the option table (all of them)
cp "$T_TMP/perf-prof.txt" "$T_TMP/page"
section "$T_TMP/page" OPTIONS > "$T_TMP/opts"
"$PP" --list-opts | cut -f3,4 | tr '\t' '\n' | grep -v '^-$' > "$T_TMP/words"
n=$(wc -l < "$T_TMP/words")
absent=$(while IFS= read -r w; do grep -qF -- "$w" "$T_TMP/opts" || printf ' %s' "$w"; done < "$T_TMP/words")
if [ "$n" -gt 10 ] && [ -z "$absent" ]; then
	ok "man: perf-prof(1): OPTIONS has all $n common option names"
else
	fail "man: perf-prof(1): OPTIONS has all common option names" "names: $n, absent:$absent"
fi
section "$T_TMP/page" PROFILERS > "$T_TMP/profs"
absent=$(for p in $profilers; do grep -q "^       $p\b" "$T_TMP/profs" || printf ' %s' "$p"; done)
check_eq "man: perf-prof(1): PROFILERS lists the registry" "$absent" ""

# --- the index of the documentation names every profiler ------------------
absent=""
for p in $profilers; do
	grep -q "^| \`$p\`" "$root/Documentation/perf-prof.md" || absent="$absent perf-prof.md:$p"
	grep -q "^| \`$p\`" "$root/README.md" || absent="$absent README.md:$p"
	grep -q "^<!-- man: perf-prof-$p(1)" "$root/Documentation/$p.md" 2>/dev/null ||
		absent="$absent Documentation/$p.md"
done
check_eq "man: every profiler has its page, in the README and the index" "$absent" ""
