# SPDX-License-Identifier: GPL-2.0
#
# live/kmemleak.sh - outstanding allocations against the leaker workload's
# ground truth: exactly 37 blocks of 1000 bytes leaked from leak_block(),
# nothing from 10,000 malloc/free pairs, realloc chains and frees made on
# another CPU's thread; each libc allocator's leaks exact; --than separates
# old from young leaks; -i reports the growth; the --max-objects bound and
# the stack table's reuse; kernel allocators (kmem:kmalloc/kfree) with
# symbolized kernel stacks, an exact count of held epoll instances on
# SIGUSR1, a system-wide run ended by SIGINT; lost records reported; bad
# input with its exact message and exit code 129.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

LK=${WORKLOAD_DIR:?}/leaker
TR=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ ! -x "$LK" ]; then
	skip "${0##*/}" "the leaker workload is not built ($LK)"
	exit 0
fi

# js EXPR - a Python expression over the JSON reports of the last run:
#   r: every report, last: the last one, rep(kind): the reports of a kind,
#   site(rep, fn): its stacks through function fn, n()/b(): their objects/bytes,
#   direct(rep, fn): its stacks whose allocator fn called
js() {
	grep '^{' "$out" | python3 -c "
import json, sys
r = [json.loads(l) for l in sys.stdin]
last = r[-1] if r else {'stacks': []}
def rep(kind): return [x for x in r if x['report'] == kind]
def site(rep, fn): return [s for s in rep['stacks'] if fn in s['frames']]
def n(rep, fn): return sum(s['objects'] for s in site(rep, fn))
def b(rep, fn): return sum(s['bytes'] for s in site(rep, fn))
def direct(rep, fn): return [s for s in rep['stacks'] if s['frames'][1:2] == [fn]]
print(($1))" 2>&1
}

# ppx ARGS... - pp in the background and wait: $bg is the run's pid (its probe group pp_$bg)
ppx() {
	pp_bg "$@"
	pp_wait
}

check_gone() {
	left=$(grep -ho "^[pr][0-9]*:pp_$bg/[^ ]*" "$TR/uprobe_events" 2>/dev/null | tr '\n' ' ')
	if [ -z "$left" ]; then ok "$1"; else fail "$1" "left in tracefs: $left"; fi
}

# --- user space: libc through uprobes ------------------------------------
if [ ! -w "$TR/uprobe_events" ]; then
	skip "kmemleak --libc" "no uprobe_events in tracefs (CONFIG_UPROBE_EVENTS)"
else
	ppx kmemleak --libc --json -- "$LK" leak 37 1000 pairs 10000 realloc 1000 cross 2000
	check_rc "--libc over the leaker exits 0" 0
	check_eq "exactly 37 objects, 37000 bytes under a stack through leak_block" \
		"$(js 'n(last, "leak_block"), b(last, "leak_block"), len(site(last, "leak_block"))')" \
		"(37, 37000, 1)"
	check_eq "the leak stack is malloc called by leak_block called by main" \
		"$(js 'site(last, "leak_block")[0]["frames"][:3], site(last, "leak_block")[0]["event"]')" \
		"(['malloc', 'leak_block', 'main'], 'uprobe:malloc')"
	check_eq "nothing from the matched pairs, realloc chains and cross-thread frees" \
		"$(js '[f for f in ("pair_block", "realloc_chain", "cross_alloc", "cross_free") if site(last, f)]')" "[]"
	check_eq "every allocation seen (37 + 10000 + 7 x 1000 + 2000), none lost or dropped" \
		"$(js 'last["allocs"] >= 19037, last["lost"], last["dropped"], last["stack_drops"], last["unpaired"]')" \
		"(True, 0, 0, 0, 0)"
	check_eq "the stacks add up to the totals; allocs - matched frees = outstanding" \
		"$(js 'sum(s["objects"] for s in last["stacks"]) == last["objects"], last["allocs"] - (last["frees"] - last["unknown_frees"]) == last["objects"]')" \
		"(True, True)"
	check_gone "no probe left after a --libc run"

	# the text report carries the same, symbolized
	pp kmemleak --libc -- "$LK" leak 37 1000 pairs 1000
	blk=$(awk '/^Leak of 37000 bytes in 37 objects / { on = 1; print; next } /^(Leak|note|warning)/ { on = 0 } on' "$out")
	check_eq "text: 'Leak of 37000 bytes in 37 objects ... from uprobe:malloc' heads the report" \
		"$(echo "$blk" | head -1 | sed 's/ (oldest.*) from / from /; s/, leaker\[[0-9]*\]:$//')" \
		"Leak of 37000 bytes in 37 objects from uprobe:malloc"
	check_eq "text: its frames are malloc, leak_block, main, symbolized with offsets" \
		"$(echo "$blk" | sed -n '2,4s/^ *[0-9a-f]* \([a-z_]*\)+0x[0-9a-f]* .*/\1/p' | tr '\n' ' ')" \
		"malloc leak_block main "
	hdr=$(grep ' kmemleak: ' "$out" | head -1 | sed 's/^[-0-9]* [0-9:.]* //')
	case $hdr in
	"kmemleak: 38 objects, 41096 bytes outstanding in 2 stacks; 1038 allocations, 1000 frees in total")
		ok "text: the summary line (37 leaks + libc's stdout buffer)" ;;
	*) fail "text: the summary line (37 leaks + libc's stdout buffer)" "got: $hdr" ;;
	esac

	# each allocator: calloc, realloc(NULL), aligned_alloc, posix_memalign (64 and 16)
	ppx kmemleak --libc --json -- "$LK" leakall 3
	check_eq "calloc(10, 100) x3: 3 objects, 3000 bytes, from uprobe:calloc" \
		"$(js 'n(last, "leak_calloc"), b(last, "leak_calloc"), site(last, "leak_calloc")[0]["event"]')" \
		"(3, 3000, 'uprobe:calloc')"
	check_eq "realloc(NULL, 2000) x3: 3 objects, 6000 bytes, from uprobe:realloc" \
		"$(js 'n(last, "leak_realloc"), b(last, "leak_realloc"), site(last, "leak_realloc")[0]["event"]')" \
		"(3, 6000, 'uprobe:realloc')"
	check_eq "aligned_alloc(64, 3000) x3: 3 objects, 9000 bytes (its inner malloc not counted twice)" \
		"$(js 'n(last, "leak_aligned"), b(last, "leak_aligned")')" "(3, 9000)"
	if grep -q "posix_memalign is not traced" "$err"; then
		skip "posix_memalign" "$(grep -o 'posix_memalign is not traced.*' "$err")"
	else
		check_eq "posix_memalign 64/4000 and 16/5000 x3: 6 objects, 27000 bytes, two stacks" \
			"$(js 'n(last, "leak_posix"), b(last, "leak_posix"), sorted(s["bytes"] for s in site(last, "leak_posix"))')" \
			"(6, 27000, [12000, 15000])"
		check_eq "the mallocs inside realloc(NULL) and posix_memalign(16) are left to them" \
			"$(js 'last["nested"], last["unpaired"], last["allocs"]')" "(6, 0, 16)"
	fi

	# --than: 10 blocks 1.5 s before the exit, 5 just before it
	ppx kmemleak --libc --json --than 1s -- "$LK" leak 10 1000 sleep 1500 leak 5 1000
	check_eq "--than 1s: exactly the 10 old blocks; the 5 young ones counted apart" \
		"$(js 'n(last, "leak_block"), last["young_objects"], last["young_bytes"], last["than_ns"]')" \
		"(10, 5, 5000, 1000000000)"

	# -i: what grew since the last report
	ppx kmemleak --libc --json -i 500 -- "$LK" leak 10 1000 sleep 1500 leak 5 1000 sleep 1000
	check_eq "-i 500: the leak stack grows by 10, later by 5; 15 at the end" \
		"$(js '[s["grew_objects"] for x in rep("interval") for s in site(x, "leak_block")], n(last, "leak_block")')" \
		"([10, 5], 15)"

	# the bound: 38 allocations (stdout buffer + 37), room for 20
	ppx kmemleak --libc --json --max-objects 20 -- "$LK" leak 37 1000
	check_eq "--max-objects 20: 20 tracked, 18 dropped and counted" \
		"$(js 'last["objects"], last["dropped"], n(last, "leak_block")')" "(20, 18, 19)"
	check_err "the drops are reported on stderr" \
		"perf-prof kmemleak: 18 allocations not tracked: more than 20 objects outstanding (raise --max-objects)"

	# a small stack table (200 / 8 = 64 stacks) and 100 distinct short-lived stacks
	ppx kmemleak --libc --json --max-objects 200 -- "$LK" leak 37 1000 deep 3000 leak 3 1000
	check_eq "stacks of freed objects are reused: none dropped, the leaks exact" \
		"$(js 'last["stacks_reclaimed"] > 0, last["stack_drops"], n(last, "leak_block"), len(site(last, "deep_block"))')" \
		"(True, 0, 40, 0)"

	ppx kmemleak --libc --json --max-objects 200 -- "$LK" leak 5 1000 deep 3000 leakall 1 \
		deep 3000 leak 5 1000 deep 3000 leakall 1 deep 2000
	check_eq "frames stay intact through repeated reuse of the stack table" \
		"$(js 'sorted((s["objects"], s["bytes"], s["frames"][1]) for s in last["stacks"] if s["frames"][1] in ("leak_calloc", "leak_realloc", "leak_aligned", "leak_block"))')" \
		"[(2, 2000, 'leak_calloc'), (2, 4000, 'leak_realloc'), (2, 6000, 'leak_aligned'), (10, 10000, 'leak_block')]"

	ppx kmemleak --libc --flame-graph "$T_TMP/fg.folded" -- "$LK" leak 37 1000
	got=$(grep ';leak_block;malloc ' "$T_TMP/fg.folded" 2>/dev/null)
	check_eq "--flame-graph: the leak_block stack weighs 37000 bytes" "${got##* }" 37000
	check_err "the flame graph file is named" "written to '$T_TMP/fg.folded'"
	ppx kmemleak --libc --flame-graph "$T_TMP/fg.svg" -- "$LK" leak 37 1000
	got=$(grep -o '<title>leak_block ([0-9]* [a-z]*' "$T_TMP/fg.svg" | head -1)
	check_eq "--flame-graph SVG: its tooltips weigh in bytes, not samples" "$got" "<title>leak_block (37000 bytes"
	if command -v go > /dev/null && go tool pprof -h > /dev/null 2>&1; then
		ppx kmemleak --libc --flame-graph "$T_TMP/fg.pb.gz" -- "$LK" leak 37 1000
		got=$(go tool pprof -top -sample_index=inuse_space -unit=B "$T_TMP/fg.pb.gz" 2>&1 |
		      awk '$NF == "leak_block" { print $4 }')
		check_eq "--flame-graph FILE.pb.gz: go tool pprof finds leak_block's 37000 bytes" "$got" "37000B"
		got=$(go tool pprof -top -sample_index=inuse_objects "$T_TMP/fg.pb.gz" 2>&1 |
		      awk '$NF == "leak_block" { print $4 }')
		check_eq "... in 37 objects" "$got" 37
	else
		skip "--flame-graph FILE.pb.gz read back by go tool pprof" "go (Debian golang-go) is not installed"
	fi

	ppx kmemleak --libc --json --call-graph dwarf -m 4096 -- "$LK" leak 37 1000
	check_eq "--call-graph dwarf: 37 objects, leak_block once between malloc and main" \
		"$(js 'n(last, "leak_block"), site(last, "leak_block")[0]["frames"][:3], last["lost"]')" \
		"(37, ['malloc', 'leak_block', 'main'], 0)"

	# -p: attach to a running process; the run ends with it
	rm -f "$T_TMP/go"
	"$LK" -W "$T_TMP/go" leak 37 1000 pairs 500 > "$T_TMP/lk.out" 2>&1 &
	lk=$!
	pp_bg kmemleak --libc --json -p "$lk"
	if pp_ready; then
		touch "$T_TMP/go"
		wait $lk
		pp_wait
		check_rc "-p: the run ends when the process exits" 0
		check_eq "-p: exactly the 37 leaks of the attached process" "$(js 'n(last, "leak_block")')" 37
	else
		kill $lk $bg 2>/dev/null
		fail "-p: attach to the leaker" "perf-prof did not start"
	fi
	check_gone "no probe left after -p"
fi

# --- kernel allocators ------------------------------------------------------
pp kmemleak --alloc kmem:kmalloc --free kmem:kfree -g --json -- "$LK" kwritev 20000
check_rc "kmem:kmalloc/kfree over a workload exits 0" 0
check_eq "20000 writev: every iovec kmalloc freed, nothing left through iovec_from_user" \
	"$(js 'last["allocs"] >= 20000, last["frees"] >= 20000, n(last, "iovec_from_user"), last["lost"]')" \
	"(True, True, 0, 0)"

pp_bg kmemleak --alloc kmem:kmalloc --free kmem:kfree -g --json -- "$LK" kepoll 50 say holding sleep 3000
if wait_for "$out" "leaker: holding" 30; then
	sleep 0.3
	kill -USR1 $bg
	wait_for "$out" '"report":"signal"' 10
fi
pp_wait
check_rc "SIGUSR1 run exits 0" 0
check_eq "SIGUSR1: exactly 50 held epoll instances kmalloc'ed by do_epoll_create, frames named" \
	"$(js '(lambda d: (sum(s["objects"] for s in d), len(d), [f for s in d for f in s["frames"] if f == "[unknown]"]))(direct(rep("signal")[0], "do_epoll_create"))')" \
	"(50, 1, [])"

pp kmemleak --alloc kmem:kmalloc --free kmem:kfree -g -- "$LK" kepoll 5 kwritev 100
if grep -q '^Leak of .* from kmem:kmalloc:$' "$out" && ! grep -q '\[unknown\] (\[kernel' "$out"; then
	ok "text: kernel stacks print resolved frames"
else
	fail "text: kernel stacks print resolved frames" "$(head -20 "$out")"
fi

# system wide, ended by SIGINT
pp_bg kmemleak --alloc kmem:kmalloc,kmem:kmem_cache_alloc --free kmem:kfree,kmem:kmem_cache_free -g --json
if pp_ready; then
	"$LK" kwritev 5000 > /dev/null
	sleep 0.3
	kill -INT $bg
fi
pp_wait
check_rc "system wide, SIGINT: exits 0 after the final report" 0
check_eq "system wide: a final report whose stacks add up to its totals" \
	"$(js 'last["report"], sum(s["objects"] for s in last["stacks"]) == last["objects"], sum(s["bytes"] for s in last["stacks"]) == last["bytes"], last["allocs"] >= 5000')" \
	"('final', True, True, True)"

# page allocations: ptr=pfn and size=PAGE_SIZE<<order by default
pp kmemleak --alloc kmem:mm_page_alloc --free kmem:mm_page_free --json -- "$LK" kwritev 10
check_rc "mm_page_alloc/mm_page_free with the default pfn and order" 0
check_eq "page sizes are multiples of the page size" \
	"$(js 'last["allocs"] > 0, last["bytes"] % '"$(getconf PAGESIZE)"' == 0')" "(True, True)"

# a ring far too small: lost records are said to poison the state
pp kmemleak --alloc kmem:kmalloc --free kmem:kfree -m 1 -- "$LK" kwritev 200000
if grep -q "^warning: [0-9]* records lost: the state is incomplete" "$out"; then
	ok "lost records: the report says the state is incomplete"
else
	fail "lost records: the report says the state is incomplete" "$(tail -5 "$out")" "$(tail -3 "$err")"
fi

# --- bad input ------------------------------------------------------------
pp kmemleak -- true
check_fails "no --alloc -> 129" 129 \
	"perf-prof kmemleak: no allocation events: kmemleak needs --alloc EVENT[,EVENT...]"
pp kmemleak --alloc kmem:kmalloc -- true
check_fails "--alloc without --free -> 129" 129 \
	"perf-prof kmemleak: no free events: kmemleak needs --free EVENT[,EVENT...] with --alloc"
pp kmemleak --alloc kmem:kmalloc --free sched:sched_switch -- true
check_fails "a free event without a ptr field -> 129" 129 \
	"perf-prof kmemleak: free event 'sched:sched_switch' has no pointer: no field 'ptr' and no ptr= attribute"
pp kmemleak --alloc sched:sched_wakeup --free kmem:kfree -- true
check_fails "an allocation event without ptr or size -> 129" 129 \
	"perf-prof kmemleak: allocation event 'sched:sched_wakeup' has no pointer: no field 'ptr' and no ptr= attribute"
pp kmemleak --alloc 'kmem:kmalloc//size=(char *)"x"/' --free kmem:kfree -- true
check_fails "a string size= -> 129" 129 \
	"perf-prof kmemleak: size=(char *)\"x\" of 'kmem:kmalloc' is a string; it must be a number"
pp kmemleak --alloc 'kmem:kmalloc//key=1/' --free kmem:kfree -- true
check_fails "an attribute kmemleak does not take -> 129" 129 \
	"perf-prof kmemleak: unknown attribute 'key' in 'kmem:kmalloc//key=1/'"
pp kmemleak --alloc kmem:kmalloc --free kmem:kfree --max-objects 0 -- true
check_fails "--max-objects 0 -> 129" 129 "perf-prof kmemleak: invalid '--max-objects 0': must be a positive count"
pp kmemleak --alloc kmem:kmalloc --free kmem:kfree --flame-graph "$T_TMP/x.svg" -- true
check_fails "--flame-graph without stacks -> 129" 129 "perf-prof kmemleak: --flame-graph needs stacks"
if [ -w "$TR/uprobe_events" ]; then
	ppx kmemleak --alloc 'uprobe:malloc@libc(size=arg1)' --free 'uprobe:free@libc(ptr=arg1)' -- true
	check_fails "an entry probe without its return -> 129" 129 \
		"perf-prof kmemleak: 'uprobe:malloc' gives a size but no pointer, and no later --alloc event gives the pointer"
	check_gone "no probe left after a refused run"
	ppx kmemleak --alloc 'uprobe:malloc@libc(size=arg1),uretprobe:malloc@libc(ptr=$retval)//old=ptr/' \
		--free 'uprobe:free@libc(ptr=arg1)' -- true
	check_fails "old= on a return probe -> 129" 129 \
		"perf-prof kmemleak: old= belongs on the entry probe 'uprobe:malloc', not on its return 'uretprobe:malloc'"
fi

check_clean "no perf-prof left running"
