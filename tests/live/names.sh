# SPDX-License-Identifier: GPL-2.0
#
# live/names.sh - names that are not words: a workload that renames itself
# (prctl PR_SET_NAME, wl -n) to "a b<TAB>c<0x01>" and an alias= holding a
# space, a newline, an invalid UTF-8 byte and a control byte. In text every
# profiler keeps its columns (the name is one escaped word: a\x20b\tc\x01)
# and prints no raw control byte; with --json every line of every profiler
# is valid JSON holding the names as they are (invalid UTF-8 as U+FFFD).
. "$TESTS_DIR/lib.sh"
need_root_tracefs

TR=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
NAME=$(printf 'a b\tc\001')
NAME_TXT='a\x20b\tc\x01'
ALIAS=$(printf 'x y\nz\377\001')
ALIAS_TXT='x\x20y\nz\xff\x01'
# awk -v would turn the backslashes into bytes: awk reads these from ENVIRON
export NAME_TXT ALIAS_TXT
GETPPID=syscalls:sys_enter_getppid

# clean_text NAME - stdout is valid UTF-8 without a control byte but newlines
clean_text() {
	res=$(python3 - "$out" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    print('invalid UTF-8 at byte %d' % e.start)
    sys.exit()
bad = [c for c in text if (ord(c) < 0x20 and c != '\n') or ord(c) == 0x7f]
print('raw control bytes: %r' % bad[:5] if bad else 'clean')
PY
)
	check_eq "$1" "$res" "clean"
}

# json_check NAME EXPR WANT - every stdout line that is not the workload's
# own ("wl ...", "leaker ...") is valid JSON, and EXPR over them (o: the
# objects) prints WANT
json_check() {
	res=$(python3 - "$out" "$2" "$NAME" "$ALIAS" <<'PY'
import json, sys
path, expr, name, alias = sys.argv[1:5]
alias = alias.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
o, bad = [], []
for raw in open(path, 'rb').read().split(b'\n'):
    if not raw or raw.startswith(b'wl ') or raw.startswith(b'leaker '):
        continue
    try:
        o.append(json.loads(raw.decode('utf-8')))
    except Exception as e:
        bad.append('%s: %r' % (e, raw[:120]))
if bad:
    print('invalid JSON lines: %d, first: %s' % (len(bad), bad[0]))
else:
    print(eval(expr))
PY
)
	check_eq "$1" "$res" "$3"
}

# --- trace --------------------------------------------------------------------
pp_whole trace -e "$GETPPID//alias=$ALIAS/" -- "$WL" -n "$NAME" getppid 5
got=$(awk '$2 == ENVIRON["NAME_TXT"] && $6 == ENVIRON["ALIAS_TXT"] ":" && NF == 6 { k++ } END { print k + 0 }' "$out")
check_eq "trace: 5 lines of 6 columns, the comm and the alias one escaped word each" "$got" 5
clean_text "trace: no raw control byte, valid UTF-8"

pp_whole trace --json -e "$GETPPID//alias=$ALIAS/" -- "$WL" -n "$NAME" getppid 5
json_check "trace --json: valid lines, comm and event as they are" \
	"sum(1 for x in o if x['comm'] == name and x['event'] == alias)" 5

# a string field of a record that holds the name: sched_process_exit's comm
pp_whole trace -e "sched:sched_process_exit/pid > 0/" -- "$WL" -n "$NAME" getppid 1
got=$(grep -cF 'comm=a b\tc\x01 pid=' "$out")
check_eq "trace: a record's string field stays on its line (free text keeps its spaces)" "$got" 1
clean_text "trace: fields print no raw control byte"

# --- top ----------------------------------------------------------------------
pp_whole top -e "$GETPPID//alias=$ALIAS/" -- "$WL" -n "$NAME" getppid 5
got=$(awk '$2 == ENVIRON["ALIAS_TXT"] && NF == 3 { h++ }
	$3 == ENVIRON["NAME_TXT"] && $2 == 5 && NF == 3 { r++ } END { print h + 0, r + 0 }' "$out")
check_eq "top: header and row of 3 columns, title and comm escaped" "$got" "1 1"
clean_text "top: no raw control byte"
pp_whole top --json -e "$GETPPID//alias=$ALIAS/" -- "$WL" -n "$NAME" getppid 5
json_check "top --json: valid lines, the column title and the name as they are" \
	"[(x['columns'] == [alias], [(r['name'] == name, r['values']) for r in x['rows']]) for x in o]" \
	"[(True, [(True, [5])])]"

# --- multi-trace ----------------------------------------------------------------
pp_whole multi-trace --perins -e "$GETPPID//alias=$ALIAS/" -e syscalls:sys_exit_getppid \
	-- "$WL" -n "$NAME" getppid 5
got=$(awk '$2 == ENVIRON["NAME_TXT"] && $3 == ENVIRON["ALIAS_TXT"] && $4 == "=>" { print $6 }' "$out")
check_eq "multi-trace --perins: COMM and the pair's name escaped, the columns in place" "$got" 5
clean_text "multi-trace: no raw control byte"
pp_whole multi-trace --perins --json -e "$GETPPID//alias=$ALIAS/" -e syscalls:sys_exit_getppid \
	-- "$WL" -n "$NAME" getppid 5
json_check "multi-trace --json: valid lines, from as it is" \
	"[(r['from'] == alias, r['stats']['count']) for x in o if x['report'] == 'final' for r in x['rows']]" \
	"[(True, 5)]"

# --- num-dist (--than prints the events over it) --------------------------------
pp_whole num-dist --than 9 -e "syscalls:sys_enter_write//num=count/alias=$ALIAS/" \
	-- "$WL" -n "$NAME" write 3 10
got=$(awk '$2 == ENVIRON["NAME_TXT"] && $6 == ENVIRON["ALIAS_TXT"] ":" { l++ }
	$1 == ENVIRON["ALIAS_TXT"] ":" { h++ } END { print l + 0, h + 0 }' "$out")
check_eq "num-dist: event lines and the histogram title escaped" "$got" "3 1"
got=$(awk '$1 == ENVIRON["ALIAS_TXT"] && NF == 11 { print $2 }' "$out")
check_eq "num-dist: the table row keeps its 11 columns" "$got" 5
clean_text "num-dist: no raw control byte"
pp_whole num-dist --json --than 9 -e "syscalls:sys_enter_write//num=count/alias=$ALIAS/" \
	-- "$WL" -n "$NAME" write 3 10
json_check "num-dist --json: valid lines, event and comm as they are" \
	"(sum(1 for x in o if x['report'] == 'over' and x['comm'] == name and x['event'] == alias), [r['event'] for x in o if x['report'] == 'final' for r in x['rows']] == [alias])" \
	"(3, True)"

# --- kmemleak: a leaker started through a link named like that --------------------
LK=$WORKLOAD_DIR/leaker
if [ -w "$TR/uprobe_events" ] && [ -x "$LK" ]; then
	ln -s "$LK" "$T_TMP/$NAME"
	pp kmemleak --libc -- "$T_TMP/$NAME" leak 3 1000
	got=$(grep '^Leak of 3000 bytes in 3 objects (' "$out" | grep -cF "from uprobe:malloc, $NAME_TXT[")
	check_eq "kmemleak: the comm is escaped in the stack's title" "$got" 1
	clean_text "kmemleak: no raw control byte"
	pp kmemleak --libc --json -- "$T_TMP/$NAME" leak 3 1000
	json_check "kmemleak --json: valid lines, comm as it is" \
		"sorted(s['objects'] for x in o if x['report'] == 'final' for s in x['stacks'] if s['comm'] == name and 'leak_block' in s['frames'])" \
		"[3]"
else
	skip "kmemleak names" "no uprobe_events in tracefs or no leaker workload"
fi
pp kmemleak --json --alloc "kmem:kmalloc//alias=$ALIAS/" --free kmem:kfree -- "$WL" getppid 5
json_check "kmemleak --json with an alias: valid lines, the alias as it is" \
	"all(s['event'] == alias for x in o for s in x['stacks']) and len(o) >= 1" True

check_clean "no perf-prof left running"
