# SPDX-License-Identifier: GPL-2.0
#
# live/bpf.sh - filters in the kernel as BPF programs (lib/bpf): a filter
# the ftrace filter refuses runs in a program attached to the tracepoint, so
# the records it rejects never reach a ring. The workload's counts are
# exact: `wl lseeks N` seeks /dev/null to offsets 0..N-1, and execs of a
# binary with a name of this test's own. The rings' sample counts come from
# `nop`, which prints its ring statistics at exit.
#
# A tracepoint's BPF filter acts for every perf user of that tracepoint on
# the machine while it runs, so these tests use tracepoints the other tests
# do not (sys_enter_lseek, sched_process_exec).
. "$TESTS_DIR/lib.sh"
need_root_tracefs

LSEEK=syscalls:sys_enter_lseek
EXEC=sched:sched_process_exec

probe_out=$("$PP" nop --bpf -e "$LSEEK/offset * 2 == 1/" -- "$WL" lseeks 1 2>&1)
case "$probe_out" in
*"cannot run as a BPF program"*|*"cannot attach"*)
	skip "bpf.sh" "this kernel cannot run BPF filters: $(echo "$probe_out" | head -1)"
	exit 0 ;;
esac

ring_samples() { awk '$1 == "total" { print $3 }' "$err"; }
delivered() { sed -n 's/^  delivered \([0-9]*\).*/\1/p' "$err"; }

# --- a refused filter runs in BPF: the ring holds only what it accepts ---------
pp nop -v --bpf -e "$LSEEK/offset % 10 == 3 && fd > 2/" -- "$WL" lseeks 1000
check_rc "nop with a BPF filter exits 0" 0
check_err "-v: the BPF filter is announced" "with a BPF program"
check_eq "ring samples = the 100 accepted seeks (offset % 10 == 3), nothing else" \
	"$(ring_samples)" 100
check_eq "delivered 100" "$(delivered)" 100
check_err "-v reports the filter's counters" "bpf filter on '$LSEEK':"

# the same in user space: every seek reaches the ring, 100 are delivered
pp nop -v -e "$LSEEK/offset % 10 == 3 && fd > 2/" -- "$WL" lseeks 1000
check_err "by default (no BPF: it would filter for every tracer) in user space" "filtering in user space"
check_eq "--no-bpf: the ring holds all 1000 seeks" "$(ring_samples)" 1000
check_eq "--no-bpf: delivered 100" "$(delivered)" 100

# --- the context is the whole record: fields at their format offsets ----------
# __syscall_nr (8: first after the common fields), offset (24), whence (32),
# against the ftrace filter on the same expression
pp trace --bpf -e "$LSEEK/__syscall_nr == 8 && whence == 0 && offset < 250/" -- "$WL" lseeks 1000
check_eq "--bpf: fields at offsets 8, 24, 32 select exactly 250 seeks" \
	"$(grep -c "$LSEEK:" "$out")" 250
pp trace -e "$LSEEK/__syscall_nr == 8 && whence == 0 && offset < 250/" -- "$WL" lseeks 1000
check_eq "... as the kernel's ftrace filter does" "$(grep -c "$LSEEK:" "$out")" 250
pp trace --bpf -e "$LSEEK/(s32)offset >= 990 || offset == 7/" -- "$WL" lseeks 1000
check_eq "--bpf: casts and || select 11" "$(grep -c "$LSEEK:" "$out")" 11

# --- builtins and common_pid come from helpers --------------------------------
pp trace --bpf -e "$LSEEK/_pid == common_pid && _tid == common_pid && offset < 10/" -- "$WL" lseeks 1000
check_eq "_pid, _tid and common_pid agree for a one-thread workload: 10" \
	"$(grep -c "$LSEEK:" "$out")" 10
pp trace --bpf -e "$LSEEK/_cpu == 0 && offset < 50/" -- "$WL" -c 0 lseeks 1000
check_eq "_cpu == 0 on a workload pinned to CPU 0: 50" "$(grep -c "$LSEEK:" "$out")" 50
if [ "$(nproc)" -gt 1 ]; then
	pp trace --bpf -e "$LSEEK/_cpu == 1 && offset < 50/" -- "$WL" -c 0 lseeks 1000
	check_eq "_cpu == 1 on a workload pinned to CPU 0: none" "$(grep -c "$LSEEK:" "$out")" 0
fi
pp trace --bpf -e "$LSEEK/_time > 1000000 && offset < 5/" -- "$WL" lseeks 1000
check_eq "_time is the monotonic clock: 5" "$(grep -c "$LSEEK:" "$out")" 5

# --- division by zero: the event is dropped and counted as an expression error --
flt="offset < 600 && (100 / ((s64)offset - 500)) == 0"
pp nop --bpf -e "$LSEEK/$flt/" -- "$WL" lseeks 1000
check_eq "BPF: 100 / (offset - 500) == 0 keeps the 400 seeks below 400" "$(delivered)" 400
check_err "BPF: the division by zero is counted as an expression error" \
	"1 samples of '$LSEEK' skipped: expression errors"
pp nop --no-bpf -e "$LSEEK/$flt/" -- "$WL" lseeks 1000
check_eq "user space: the same 400" "$(delivered)" 400
check_err "user space: the same error count" "1 samples of '$LSEEK' skipped: expression errors"

# --- a __data_loc string matched by a glob, with arithmetic ftrace refuses ------
bin=$T_TMP/pp-bpf-true
cp /bin/true "$bin"
long=$T_TMP/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
long=$long/dddddddddddddddddddddddddddddddddddddddddddddddddddd
mkdir -p "$long"
cp /bin/true "$long/pp-bpf-true"
run="for i in 1 2 3 4 5; do $bin; done; for i in 1 2 3; do /bin/echo > /dev/null; done"
flt='filename ~ "*/pp-bpf-tr?e" && pid >= old_pid'
pp nop -v --bpf -e "$EXEC/$flt/" -- sh -c "$run"
check_rc "exec filter exits 0" 0
check_eq "BPF: glob on a data_loc string + arithmetic: the ring holds the 5 execs" \
	"$(ring_samples)" 5
check_eq "BPF: delivered 5" "$(delivered)" 5
pp nop --no-bpf -e "$EXEC/$flt/" -- sh -c "$run"
check_eq "user space: the ring holds all 9 execs (sh, 5 + 3)" "$(ring_samples)" 9
check_eq "user space: delivered 5" "$(delivered)" 5
# a path longer than a BPF filter examines is left to user space, which decides
pp nop -v --bpf -e "$EXEC/$flt/" -- sh -c "$run; $long/pp-bpf-true; $long/pp-bpf-true"
check_eq "long paths: undecided in the kernel, decided in user space: 7" "$(delivered)" 7
check_eq "... and the 3 echo and sh execs never reach the ring" "$(ring_samples)" 7
check_err "... the undecided ones are counted" "undecided"

# --- what cannot run in BPF ----------------------------------------------------
pp nop --bpf -e "$LSEEK/comm_get(common_pid) == \"wl\"/" -- "$WL" lseeks 10
check_fails "--bpf with comm_get(): usage error saying why" 129 "comm_get() looks its answer up"
pp nop --bpf --no-bpf -e "$LSEEK/offset == 1/" -- "$WL" lseeks 10
check_fails "--bpf --no-bpf: usage error" 129 "--bpf and --no-bpf exclude each other"
pp nop --bpf -e "$LSEEK/offset < 10 && ntohl(offset) != 1 && printf(\"\") == 0/" -- "$WL" lseeks 1000
check_fails "--bpf with printf(): usage error saying why" 129 "cannot run as a BPF program: printf() prints from the tool"
pp nop -v -e "$LSEEK/offset < 10 && ntohl(offset) != 1 && printf(\"\") == 0/" -- "$WL" lseeks 1000
check_eq "without --bpf the same filter runs in user space: 10" "$(delivered)" 10
pp nop --bpf -e "$LSEEK/offset % 2 == 0/alias=even/" -e "$LSEEK/offset % 2 == 1/alias=odd/" \
	-- "$WL" lseeks 1000
check_fails "--bpf on a tracepoint opened twice: refused, saying why" 129 "opened more than once"
pp nop -e "$LSEEK/offset % 2 == 0/alias=even/" -e "$LSEEK/offset % 2 == 1/alias=odd/" \
	-- "$WL" lseeks 1000
check_eq "without --bpf: user-space filters, 500 + 500" "$(delivered)" 1000

# --- runs the kernel skipped --------------------------------------------------------
# while `wl bpfcopy` copies a BPF map's value on CPU 1 the kernel runs no
# tracepoint program there: the timer interrupts in the copies skip the filter
# and are dropped. Delivered + not delivered = the records of the same workload
# read without BPF (timer ticks: near, not exact)
TIMER=timer:hrtimer_expire_entry
timer_nop() {
	pp_bpfcopy nop "$1" -C 1 -e "$TIMER/now * 2 > 0/"
	delivered
}
ring=$(timer_nop --no-bpf)
kern=$(timer_nop --bpf)
missed=$(sed -n "s/.*: \([0-9]*\) events of '$TIMER' not delivered in this run: the kernel skipped its BPF filter.*/\1/p" "$err")
check_skips_said "bpf() copies on CPU 1: the timer events the filter did not see are said" "$missed"
check_near "... delivered $kern + not delivered ${missed:-0} = the $ring records (within a fifth)" \
	$((${kern:-0} + ${missed:-0})) "$ring"

# --- nothing left behind ----------------------------------------------------------
if command -v bpftool > /dev/null; then
	left=$(bpftool prog show 2>/dev/null | grep -c 'name pp_filter')
	check_eq "no pp_filter program left loaded" "$left" 0
fi
check_clean "no perf-prof left running"
