// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls.bpf.c - system calls paired and aggregated in the kernel for
 * `perf-prof syscalls`: raw tracepoint programs on sys_enter and sys_exit
 * (and sched_process_exit). They involve no perf event, so they filter the
 * tracepoints for no other tracer, and nothing is written per call: a call
 * ends as a few map updates. No program reads a kernel structure's member
 * (the one word read, pt_regs' orig_ax, is at its user-space ABI offset),
 * so loading them needs no BTF: libbpf would parse the kernel's (about
 * 0.2 s of CPU and 10 MB of memory here).
 *
 * Maps (read by monitors/syscalls.c at each report):
 *   tasks    tid -> the time and number of its call in flight (time 0:
 *            none); with filter set, the threads kept are those it holds
 *   rows     per CPU, (generation, syscall[, pid, tid]) -> count, sum, min,
 *            max, errors
 *   slots    per CPU, (row, slot) -> count: the row's latency buckets of
 *            struct vstat (include/agg.h), so that user space rebuilds the
 *            statistics the ring path computes, and its errnos
 *   targets  tid -> 1: the threads kept, when filter is set
 *   cpu      per CPU counters; seq is odd while an exit adds to a
 *            generation, so that user space, which flips gen at each
 *            report, knows when the old one is complete
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "syscalls.h"
#include "vstat.bpf.h"
#include "oncpu.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool filter;	/* only the threads in targets */
const volatile bool follow;	/* their forks join them */
const volatile bool perins;	/* rows per thread, not only per syscall */
const volatile u32 self;	/* a process never counted (perf-prof's own, system-wide) */
const volatile u32 child_off;	/* child_pid's offset in the sched_process_fork record */
volatile u32 gen;		/* the generation being written */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SC_BPF_MAX_TASKS);
	__type(key, u32);
	__type(value, struct sc_bpf_task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SC_BPF_MAX_ROWS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* memory as rows come, not at the start */
	__type(key, struct sc_bpf_key);
	__type(value, struct sc_bpf_row);
} rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SC_BPF_MAX_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* memory as rows come, not at the start */
	__type(key, struct sc_bpf_slot_key);
	__type(value, u64);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct sc_bpf_cpu);
} cpu SEC(".maps");

/* the x86_64 user-space ABI's struct pt_regs: orig_ax, the syscall's number, is its 16th word */
#define SC_ORIG_AX_OFF (15 * 8)

static __always_inline struct sc_bpf_cpu *cpu_counters(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&cpu, &zero);
}

/* slot_add - one more in @slot of row @k; false when the map is full */
static __always_inline bool slot_add(const struct sc_bpf_key *k, u32 slot)
{
	struct sc_bpf_slot_key sk = { .row = *k, .slot = slot };
	u64 *h = bpf_map_lookup_elem(&slots, &sk), one = 1;

	if (h) {
		(*h)++;
		return true;
	}
	return !bpf_map_update_elem(&slots, &sk, &one, BPF_NOEXIST);
}

/* row_add - a call of @d ns returning @ret into row @k; false when a map is full */
static __always_inline bool row_add(const struct sc_bpf_key *k, u64 d, long ret)
{
	struct sc_bpf_row *r = bpf_map_lookup_elem(&rows, k), fresh = {};

	if (!r) {
		bpf_map_update_elem(&rows, k, &fresh, BPF_NOEXIST);
		r = bpf_map_lookup_elem(&rows, k);
		if (!r)
			return false;
	}
	if (d < r->min || !r->count)
		r->min = d;
	if (d > r->max)
		r->max = d;
	r->count++;
	r->sum += d;
	if (ret < 0 && ret >= -4095) {
		r->errors++;
		if (!slot_add(k, SC_BPF_ERRNO + (u32)-ret))
			return false;
	}
	return slot_add(k, vstat_bpf_bucket(d));
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sc_enter, struct pt_regs *regs, long id)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u32 tid = (u32)pid_tgid;
	struct sc_bpf_task *s, fresh;
	struct sc_bpf_cpu *c;

	if (!pp_bpf__on_cpu())
		return 0;
	s = bpf_map_lookup_elem(&tasks, &tid);
	if (s) {
		s->nr = (u64)id;
		s->time = bpf_ktime_get_ns();
		return 0;
	}
	/* with targets, a thread not in the map is not one of theirs */
	if (filter || !tid || (u32)(pid_tgid >> 32) == self)
		return 0;
	fresh.nr = (u64)id;
	fresh.time = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&tasks, &tid, &fresh, BPF_ANY) && (c = cpu_counters()))
		c->drops++;
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sc_exit, struct pt_regs *regs, long ret)
{
	u64 pid_tgid = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), nr, t0, onr = 0;
	u32 tid = (u32)pid_tgid;
	struct sc_bpf_task *s;
	struct sc_bpf_key k = {};
	struct sc_bpf_cpu *c;

	if (!pp_bpf__on_cpu())
		return 0;
	s = bpf_map_lookup_elem(&tasks, &tid);

	if (!s && (filter || !tid || (u32)(pid_tgid >> 32) == self))
		return 0;
	c = cpu_counters();
	if (!c)
		return 0;
	if (!s || !s->time) {
		c->unpaired++;
		return 0;
	}
	t0 = s->time;
	nr = s->nr;
	s->time = 0;
	bpf_probe_read_kernel(&onr, sizeof(onr), (void *)regs + SC_ORIG_AX_OFF);
	if (nr != onr) {
		/* the entry was another call's (a thread that took its leader's id in exec) */
		c->mismatched++;
		return 0;
	}
	k.nr = (u32)nr;
	if (perins) {
		k.pid = (u32)(pid_tgid >> 32);
		k.tid = tid;
	}
	/*
	 * seq odd from before gen is read to after the last update: the locked
	 * add orders the read of gen after it (user space writes gen, then
	 * reads seq)
	 */
	__sync_fetch_and_add(&c->seq, 1);
	k.gen = gen & 1;
	if (!row_add(&k, now - t0, ret))
		c->drops++;
	__sync_fetch_and_add(&c->seq, 1);
	return 0;
}

/* a thread's call that never returns (exit, exit_group, a kill) goes with it, as does its place */
SEC("raw_tp/sched_process_exit")
int BPF_PROG(sc_task_exit)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&tasks, &tid);
	return 0;
}

/*
 * a target's new thread or child joins it (with filter and follow only):
 * the record's program, in the parent's context, reads the child's id at
 * its format's offset; it returns 1, so the record goes on to every perf
 * event of the tracepoint
 */
SEC("tracepoint/sched/sched_process_fork")
int sc_fork(void *ctx)
{
	u32 ptid = (u32)bpf_get_current_pid_tgid(), ctid = 0;
	struct sc_bpf_task fresh = {};
	struct sc_bpf_cpu *c;

	if (!bpf_map_lookup_elem(&tasks, &ptid) ||
	    bpf_probe_read_kernel(&ctid, sizeof(ctid), ctx + child_off) || !ctid)
		return 1;
	if (bpf_map_update_elem(&tasks, &ctid, &fresh, BPF_ANY) && (c = cpu_counters()))
		c->drops++;
	return 1;
}
