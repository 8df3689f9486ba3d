# SPDX-License-Identifier: GPL-2.0
#
# live/profile.sh - `profile` against workloads with known CPU splits:
# split spins in spin_a three times for each spin_b (the same loop), so
# spin_a holds 75% of its samples; both run under main. Each mode (BPF in
# the kernel, the rings, DWARF) must find that, the files must hold what the
# report counted, and the tools that read them (python's XML parser,
# headless Chromium, go tool pprof) must read them.
. "$TESTS_DIR/lib.sh"
need_root_tracefs

SPLIT=$WORKLOAD_DIR/split

# share SYM - the share (percent, no %) of SYM's row in the final report
share() { awk -v s="$1" '$NF == s { sub("%", "", $1); print $1; exit }' "$out"; }
# count SYM - its sample count in the final report
count() { awk -v s="$1" '$NF == s { print $2; exit }' "$out"; }
# total - the final report's sample count
total() { sed -n 's/.* profile: final: \([0-9]*\) samples in .*/\1/p' "$out"; }
# within GOT LO HI - GOT (a decimal) lies in [LO, HI]
within() { awk -v g="$1" -v l="$2" -v h="$3" 'BEGIN { exit !(g != "" && g >= l && g <= h) }'; }
check_within() {
	if within "$2" "$3" "$4"; then ok "$1"; else fail "$1" "got '$2', want $3..$4" "$(head -c 800 "$out")"; fi
}

bpf_ok=yes
pp profile --bpf --sort sym -- "$SPLIT" 200 0
[ "$rc" -eq 0 ] || bpf_ok=no

# --- the 3:1 split, in each mode --------------------------------------------
for mode in bpf ring dwarf; do
	case $mode in
	bpf) [ $bpf_ok = yes ] || { skip "profile in BPF mode" "BPF refused: $(head -c 200 "$err")"; continue; }
	     opts="--bpf" ;;
	ring) opts="--no-bpf" ;;
	dwarf) opts="--call-graph dwarf" ;;
	esac
	pp profile $opts --sort sym --top 0 -- "$SPLIT" 2000 1
	check_rc "$mode: profile of a workload exits 0" 0
	a=$(share spin_a) b=$(share spin_b)
	# the split's share among the two functions' samples
	sa=$(awk -v a="$(count spin_a)" -v b="$(count spin_b)" 'BEGIN { if (a + b) printf "%.2f", 100 * a / (a + b) }')
	check_within "$mode: spin_a holds 75% +/- 7 of the split's samples ($sa%)" "$sa" 68 82
	check_within "$mode: spin_a and spin_b hold most of all samples ($a% + $b%)" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')" 90 100
	n=$(total)
	check_within "$mode: ~2 s at 999 Hz: 2000 samples +/- 15% ($n)" "$n" 1700 2300
	lost=$(sed -n 's/.* samples in .* s, \([0-9]*\) lost$/\1/p' "$out")
	check_eq "$mode: no sample lost with default options" "$lost" 0
	eval "share_$mode=\$sa"
done
if [ $bpf_ok = yes ]; then
	d=$(awk -v a="$share_bpf" -v b="$share_ring" 'BEGIN { d = a - b; print d < 0 ? -d : d }')
	check_within "BPF and ring modes agree within 5 points ($share_bpf, $share_ring)" "$d" 0 5
fi

# a burst: 321 getppid calls in a tight loop, each record with an 8 KB stack copy,
# fit the default rings (sized for 512 copies): none lost (issue 19: ~22% were)
pp trace -e syscalls:sys_enter_getppid --call-graph dwarf -- "$WL" getppid 321
check_eq "--call-graph dwarf: a burst of 321 stack copies, all delivered" \
	"$(grep -c 'sys_enter_getppid:' "$out")" 321
check_eq "... and none lost" "$(grep -c 'lost' "$err")" 0

# --- rows, stacks, files ----------------------------------------------------
pp profile --top 0 --folded "$T_TMP/p.folded" --flame-graph "$T_TMP/p.svg" --pprof "$T_TMP/p.pb.gz" \
	-- "$SPLIT" 1500 1
check_rc "profile with three output files exits 0" 0
pid=$(sed -n 's/^split pid=//p' "$out")
row=$(awk -v p="$pid" '$5 == "spin_a" && $4 == p { print $3, $4 ~ /split$/ }' "$out")
got=$(awk -v p="$pid" '$NF == "spin_a" { print $3, $4 == p, ($5 ~ /\/split$/) }' "$out")
check_eq "default rows: comm, pid, dso, sym of the sampled address" "$got" "split 1 1"
n=$(total)
sum=$(awk '{ s += $NF } END { print s + 0 }' "$T_TMP/p.folded")
check_eq "folded counts add up to the report's $n samples" "$sum" "$n"
# a sample on a function's first instruction misses its caller (frame pointers): a few
for f in spin_a spin_b; do
	pc=$(awk -v f="$f" '$1 ~ ";" f "$" { a += $NF; if ($1 ~ "^split;.*;main;" f "$") m += $NF }
		END { if (a) printf "%.1f", 100 * m / a }' "$T_TMP/p.folded")
	check_within "$f's stacks run split;...;main;$f (at least 95%: $pc%)" "$pc" 95 100
done
fa=$(awk '$1 ~ /;spin_a$/ { s += $NF } END { print s + 0 }' "$T_TMP/p.folded")
check_eq "folded spin_a stacks = the report's spin_a row" "$fa" "$(count spin_a)"
res=$(python3 - "$T_TMP/p.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1])
text = " ".join(e.text or "" for e in t.iter() if e.tag.endswith("title"))
print(all(n in text for n in ("split", "main", "spin_a", "spin_b")))
PY
)
check_eq "the SVG is well-formed XML and names every frame" "$res" "True"
if command -v chromium > /dev/null; then
	shot=${WORKLOAD_DIR%/*}/profile-flame.png	# kept: the test log names it
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T_TMP/chrome" --window-size=1200,600 --screenshot="$shot" \
		"file://$T_TMP/p.svg" > "$T_TMP/chrome.log" 2>&1
	sz=$(stat -c %s "$shot" 2>/dev/null || echo 0)
	if [ "$sz" -gt 5000 ]; then
		ok "headless Chromium renders the SVG ($sz-byte screenshot)"
		echo "#   screenshot: $shot"
	else
		fail "headless Chromium renders the SVG" "$(tail -5 "$T_TMP/chrome.log")"
	fi
else
	skip "headless Chromium renders the SVG" "chromium (Debian chromium) is not installed"
fi
if command -v go > /dev/null && go tool pprof -h > /dev/null 2>&1; then
	go tool pprof -sample_index=samples -top "$T_TMP/p.pb.gz" > "$T_TMP/top" 2>&1
	check_eq "go tool pprof -top: the same $n samples" "$(grep -cw "Total samples = $n" "$T_TMP/top")" 1
	got=$(awk '$NF == "spin_a" { print $1 }' "$T_TMP/top")
	check_eq "go tool pprof -top: spin_a's flat count = the report's" "$got" "$(count spin_a)"
	got=$(awk '$NF == "main" { print $4 }' "$T_TMP/top")
	want=$(awk '$1 ~ /;main;/ || $1 ~ /;main$/ { s += $NF } END { print s + 0 }' "$T_TMP/p.folded")
	check_eq "go tool pprof -top: main's cumulative count = its folded stacks'" "$got" "$want"
else
	skip "go tool pprof reads the profile" "go (Debian golang-go) is not installed"
fi

# --- a process gone before the report; -p; intervals; signals ----------------
if [ -n "${SAN:-}" ]; then
	# as stacks.sh's: seen failing now and then under ASan only; the cause is open
	skip "a workload that exited mid-run is symbolized" \
		"intermittent under ASan only, cause not confirmed (see the comment)"
else
	pp profile --sort comm,dso,sym -- sh -c "$SPLIT 500 1; sleep 0.7"
	got=$(awk '$NF == "spin_a" { print $3, ($4 ~ /\/split$/) }' "$out")
	check_eq "a workload that exited mid-run is symbolized" "$got" "split 1"
fi

"$SPLIT" 6000 1 > "$T_TMP/bgsplit" &
spid=$!
wait_for "$T_TMP/bgsplit" "pid=" 10
pp_bg profile -p $spid --sort sym
if pp_ready; then
	sleep 1.5
	kill -INT $bg
	pp_wait
	check_rc "-p on a running process exits 0 on Ctrl-C" 0
	sa=$(awk -v a="$(count spin_a)" -v b="$(count spin_b)" 'BEGIN { if (a + b) printf "%.2f", 100 * a / (a + b) }')
	check_within "-p: spin_a holds 75% +/- 7 ($sa%)" "$sa" 68 82
else
	kill -KILL $bg; pp_wait
	fail "-p on a running process" "not ready: $(head -c 400 "$err")"
fi
kill $spid 2>/dev/null; wait $spid 2>/dev/null

pp profile -i 500 --sort sym --top 0 --folded "$T_TMP/i.folded" --pprof "$T_TMP/i.pb.gz" -- "$SPLIT" 1600 1
ints=$(awk '/ profile: interval: / { sub(/.*interval: /, ""); s += $1 } END { print s + 0 }' "$out")
fin=$(total)
last=$(awk '/ profile: final: / { exit } / profile: interval: / { n++ } END { print n + 0 }' "$out")
check_within "-i 500 prints interval reports over a run of 1.6 s of CPU ($last)" "$last" 2 30
# the final report covers the run: the last partial interval is printed before it
check_eq "interval reports add up to the final one" "$ints" "$fin"
# the files: one snapshot per interval (a root frame named by its time), in
# order, each with its interval report's samples (an empty interval has none)
want=$(awk '/ profile: interval: / { sub(/.*interval: /, ""); if ($1) printf "%s ", $1 }' "$out")
nonempty=$(echo $want | wc -w)
got=$(awk '{ n = $NF; sub(/ [0-9]+$/, ""); split($0, f, ";")
	if (!(f[1] in c)) o[++k] = f[1]; c[f[1]] += n }
	END { for (i = 1; i <= k; i++) printf "%s ", c[o[i]] }' "$T_TMP/i.folded")
check_eq "-i with --folded: a snapshot per interval, each with its report's samples" "$got" "$want"
if command -v go > /dev/null && go tool pprof -h > /dev/null 2>&1; then
	got=$(go tool pprof -sample_index=samples -tags "$T_TMP/i.pb.gz" 2>/dev/null |
		awk '/snapshot:/ { f = 1; next } f && NF >= 3 { n++; s += $1 } END { print n + 0, s + 0 }')
	check_eq "-i with --pprof: a snapshot label per interval, the same samples" "$got" "$nonempty $fin"
fi

pp_bg profile --sort sym -- "$SPLIT" 3000 1
if pp_ready; then
	sleep 1
	kill -USR1 $bg
	wait_for "$out" "profile: signal:" 10
	pp_wait
	check_eq "SIGUSR1 prints a report and the run goes on to its final one" \
		"$(grep -c 'profile: signal: \| profile: final: ' "$out")" 2
else
	kill -KILL $bg; pp_wait
	fail "SIGUSR1 report" "not ready"
fi

pp profile --json --sort comm,sym -- "$SPLIT" 800 1
res=$(grep '^{' "$out" | python3 -c '
import sys, json
for l in sys.stdin:
    o = json.loads(l)
    rows = o["rows"]
    a = [r for r in rows if r["sym"] == "spin_a"]
    print(o["report"], o["samples"] >= sum(r["samples"] for r in rows), a[0]["comm"], "share" in a[0])
')
check_eq "--json: one object, rows with comm, sym, samples, share" "$res" "final True split True"

# --- --than, --user-only, --kernel-only ---------------------------------------
# 1.5 s and 30 ms of CPU: above and below 5% of one CPU over any run shorter
# than 30 s and longer than 0.6 s (a busy shared machine stretches the run)
pp profile --than 5 --sort pid,comm -- sh -c "$SPLIT 1500 1 > $T_TMP/busy & $SPLIT 30 0; wait"
pids=$(awk '/ profile: final: / { f = 1; getline; next } f { print $3 }' "$out" | sort -u | tr '\n' ' ')
want=$(sed -n 's/^split pid=//p' "$T_TMP/busy")
check_eq "--than 5: only the process above 5% of a CPU is reported" "$pids" "$want "
# --percpu: the same two splits pinned to CPU 1 (1.5 s) and CPU 0 (30 ms);
# --than then weighs CPUs (busy: not idle), as the reference's --than does
for mode in bpf no-bpf; do
	[ $mode = bpf ] && [ $bpf_ok = no ] && continue
	pp profile --$mode --percpu --sort cpu,comm --json -- sh -c "$SPLIT 1500 1 > /dev/null & $SPLIT 30 0 > /dev/null; wait"
	check_eq "--percpu --$mode: split's samples on CPU 0 and on CPU 1, their sum the total" \
		"$(python3 -c '
import json, sys
o = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
cpus = sorted(r["cpu"] for r in o["rows"] if r["comm"] == "split")
print(cpus, sum(r["samples"] for r in o["rows"]) == o["samples"])' "$out")" "[0, 1] True"
	pp profile --$mode --percpu --than 5 --sort cpu -- sh -c "$SPLIT 1500 1 > /dev/null & $SPLIT 30 0 > /dev/null; wait"
	cpus=$(awk '/ profile: final: / { f = 1; getline; next } f { print $3 }' "$out" | sort -u | tr '\n' ' ')
	check_eq "--percpu --than 5 --$mode: only the CPU busy above 5% is reported" "$cpus" "1 "
done
pp profile --user-only --sort dso -- "$SPLIT" 500 1
check_eq "--user-only: no kernel rows" "$(grep -c 'kernel.kallsyms' "$out")" 0
pp profile --kernel-only --sort dso -- "$WL" getppid 300000
rows=$(awk '/ profile: final: / { f = 1; getline; next } f { print $NF }' "$out" | grep -vc '^\[kernel')
check_eq "--kernel-only: kernel rows only" "$rows" 0
# getppid in a loop spends about half its time in the kernel: with the attr's
# exclude_kernel/exclude_user the kernel takes no sample of the other mode, so
# the filters in the BPF program and in user space see none (-v counts them)
for mode in bpf no-bpf; do
	[ $mode = bpf ] && [ $bpf_ok = no ] && continue
	for o in user-only kernel-only; do
		pp profile --$o --$mode -v --sort dso -- "$WL" getppid 200000
		n=$(total)
		dropped=$(sed -n 's/.*profile: \([0-9]*\) samples of the other mode dropped.*/\1/p' "$err")
		check_eq "--$o --$mode: the kernel excludes the other mode's samples ($n kept, '$dropped' dropped here)" \
			"$([ "${n:-0}" -gt 20 ] && echo "$dropped")" 0
	done
done

# --- errors ----------------------------------------------------------------
pp profile --sort comm,bogus -- true
check_fails "unknown --sort key: usage error" 129 "unknown sort key 'bogus'"
pp profile --user-only --kernel-only -- true
check_fails "--user-only with --kernel-only: usage error" 129 "exclude each other"
pp profile --pprof "$T_TMP/x.svg" -- true
check_fails "--pprof FILE must be a pprof file name" 129 "must end in .pb.gz"
pp profile -e sched:sched_switch -- true
check_fails "a tracepoint is not a sampling event" 129 "is not a sampling event"
if [ ! -e /sys/bus/event_source/devices/cpu ]; then
	pp profile -e cycles -- true
	check_fails "cycles without a PMU: a clear error" 1 "no hardware PMU"
fi

# --folded -: the stacks after the report, in its stream (how the daemon reads them)
pp profile --json --top 1 --folded - -- "$SPLIT" 300 1
check_rc "profile --folded - exits 0" 0
n=$(sed -n 's/^{"time".*"report":"final","samples":\([0-9]*\),.*/\1/p' "$out")
sum=$(awk '/^{"time"/ { r = 1; next } r && /;/ { s += $NF } END { print s + 0 }' "$out")
check_eq "--folded -: after the JSON report, the stacks of its $n samples" "$sum" "${n:-none}"
check_eq "--folded -: spin_a's stacks are there" \
	"$(awk '/^{"time"/ { r = 1; next } r && $1 ~ /;spin_a$/ { print "yes"; exit }' "$out")" yes

# --- samples the program did not run for -----------------------------------
# while `wl bpfcopy` copies a BPF map's value on CPU 1 the kernel runs no perf
# event program there: the samples of CPU 1's clock in the copies are owed by
# its count and not counted. Counted + owed = what the rings show over the same
# workload (a clock at 997 Hz: near, not exact)
gap_run() {
	pp_bpfcopy profile "$1" -C 1 -F 997
	total
}
if [ $bpf_ok = yes ]; then
	ring=$(gap_run --no-bpf)
	kern=$(gap_run --bpf)
	owed=$(sed -n 's/.*: \([0-9]*\) samples owed by the event.s count were not counted.*/\1/p' "$err")
	check_skips_said "bpf() copies on CPU 1: the samples the program did not run for are said" "$owed"
	check_near "... counted $kern + owed ${owed:-0} = the $ring samples of the rings (within a fifth)" \
		$((${kern:-0} + ${owed:-0})) "$ring"
else
	skip "the samples the BPF program did not run for are said" "BPF refused: $(head -c 200 "$err")"
fi

# --- nothing left behind ---------------------------------------------------
# the run's own programs, by the ids its descriptors hold (others' runs on the
# machine may load theirs meanwhile)
if [ $bpf_ok = yes ]; then
	check_bpf_run pp_profile 1 profile --bpf -q -i 100000
else
	skip "no profile BPF program left loaded" "BPF refused: $(head -c 200 "$err")"
fi
check_clean "no perf-prof left running"
