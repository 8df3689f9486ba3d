// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate.bpf.c - task-state's intervals aggregated in the kernel:
 * BTF-typed tracepoint programs (tp_btf) on sched_switch, sched_wakeup,
 * sched_wakeup_new and sched_process_fork run each thread's state machine
 *
 *   switch-out (prev_state) -> S/D/I/R+ ... -> wakeup -> RD -> switch-in -> R
 *
 * and add each interval that ends to its row of (generation, process or
 * thread, state) in per-CPU maps, with the buckets of struct vstat (see
 * schedagg.h). They involve no perf event, so they never filter the
 * tracepoint for another tracer, and nothing is written per switch.
 *
 * The states are the sched_switch format's: user space asks its print fmt
 * which letter each bit of the reported prev_state prints (lib/sched/
 * schedev.c) and passes that map (by_bit) with the bits the kernel
 * reports as themselves (report); here the task's raw __state is reduced
 * to its reported bit as the kernel's __task_state_index() does.
 *
 * Maps (read by monitors/task-state.c at each report):
 *   tasks   tid -> the state it is in, and since when
 *   stats   per CPU, (generation, instance, state) -> count, sum, min, max
 *   hist    per CPU, (generation, instance, state, bucket) -> count
 *   targets, drops, cpu: those of every scheduler program (schedagg.h)
 * User space flips gen at each report and reads and clears the other one.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "taskstate.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool perins;	/* instances are threads, not processes */
const volatile u32 report;	/* prev_state bits the kernel reports as themselves */
const volatile u32 idle_bit;	/* the bit printed "I" (TASK_REPORT_IDLE), 0: none */
const volatile u32 disk_bit;	/* the bit printed "D" (TASK_UNINTERRUPTIBLE) */
const volatile u8 by_bit[TS_BPF_BITS];	/* each bit's state id */
const volatile u32 keep;	/* the state ids reported, a bit each (-S, -D) */
volatile u32 gen;		/* the generation being written */

struct task {
	u64 since;
	u32 state;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TS_BPF_MAX_TASKS);
	__type(key, u32);
	__type(value, struct task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TS_BPF_MAX_ROWS);
	__type(key, struct sched_bpf_key);
	__type(value, struct sched_bpf_stat);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TS_BPF_MAX_BUCKETS);
	__type(key, struct sched_bpf_key);
	__type(value, u64);
} hist SEC(".maps");

static __always_inline void account(u32 tid, struct task_struct *t, u32 state, u64 d)
{
	struct sched_bpf_key k = {};

	if (!(keep & (1u << (state & 31))))
		return;
	k.gen = gen & 1;
	k.inst = perins ? tid : BPF_CORE_READ(t, tgid);
	k.id = state;
	if (sched_bpf__add(&stats, &hist, &k, d, t, perins))
		sched_bpf__drop();
}

/* enter - @tid is in @state from @now on */
static __always_inline void enter(u32 tid, struct task *k, u32 state, u64 now)
{
	struct task fresh = { .since = now, .state = state };

	if (k) {
		k->since = now;
		k->state = state;
	} else if (bpf_map_update_elem(&tasks, &tid, &fresh, BPF_ANY)) {
		sched_bpf__drop();
	}
}

/*
 * state_of - the state a thread switched out in: preempted (R+), or the
 * letter of its reported bit, as the tracepoint's prev_state shows it
 */
static __always_inline u32 state_of(struct task_struct *prev, bool preempt, u32 raw)
{
	u32 rep;

	if (preempt)
		return TS_BPF_PREEMPT;
	rep = (raw | BPF_CORE_READ(prev, exit_state)) & report;
	if (idle_bit && (raw & (disk_bit | TS_BPF_TASK_NOLOAD)) == (disk_bit | TS_BPF_TASK_NOLOAD))
		rep = idle_bit;
	if (raw & (TS_BPF_TASK_RTLOCK_WAIT | TS_BPF_TASK_FROZEN))
		rep = disk_bit;
	if (!rep)
		return TS_BPF_PREEMPT;	/* runnable: yield, or a wakeup came first */
	return by_bit[vstat_bpf_msb(rep) & (TS_BPF_BITS - 1)];
}

static __always_inline void wakeup(struct task_struct *p)
{
	u32 tid = BPF_CORE_READ(p, pid);
	struct task *k;
	u64 now;

	if (!pp_bpf__on_cpu() || !sched_bpf__kept(tid))
		return;
	k = bpf_map_lookup_elem(&tasks, &tid);
	/* woken on its CPU (before it switched out) or already runnable: nothing ends */
	if (k && k->since && (k->state == TS_BPF_RUN || k->state == TS_BPF_PREEMPT ||
			      k->state == TS_BPF_WAIT))
		return;
	now = bpf_ktime_get_ns();
	if (k && k->since)
		account(tid, p, k->state, now - k->since);
	enter(tid, k, TS_BPF_WAIT, now);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ts_wakeup, struct task_struct *p)
{
	wakeup(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(ts_wakeup_new, struct task_struct *p)
{
	wakeup(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ts_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	u32 ptid = BPF_CORE_READ(prev, pid), ntid = BPF_CORE_READ(next, pid), zero = 0;
	struct sched_bpf_cpu *c = bpf_map_lookup_elem(&cpu, &zero);
	u64 now = bpf_ktime_get_ns(), last, in;
	struct task *k;

	if (!pp_bpf__on_cpu())
		return 0;
	last = sched_bpf__switched(c, ptid, ntid, sched_bpf__kept(ptid), now);
	if (sched_bpf__kept(ptid)) {
		k = bpf_map_lookup_elem(&tasks, &ptid);
		/*
		 * its switch-in was not seen (nor, if it slept, its wakeup): the
		 * state it was in ended when it was switched in, which its slice
		 * tells, and it has run since
		 */
		if (k && k->since && k->state != TS_BPF_RUN) {
			in = sched_bpf__ran_from(prev, now, last > k->since ? last : k->since);
			account(ptid, prev, k->state, in - k->since);
			k->state = TS_BPF_RUN;
			k->since = in;
		}
		if (k && k->state == TS_BPF_RUN && k->since)
			account(ptid, prev, TS_BPF_RUN, now - k->since);
		/* its last switch: the thread is gone, and its number may come back */
		if (BPF_CORE_READ(prev, exit_state))
			bpf_map_delete_elem(&tasks, &ptid);
		else
			enter(ptid, k, state_of(prev, preempt, prev_state), now);
	}
	if (sched_bpf__kept(ntid)) {
		k = bpf_map_lookup_elem(&tasks, &ntid);
		if (k && k->since && k->state != TS_BPF_RUN) {
			account(ntid, next, k->state, now - k->since);
			/* it slept, and its wakeup never reached the programs */
			if (k->state >= TS_BPF_LETTERS && c)
				c->unseen++;
		}
		enter(ntid, k, TS_BPF_RUN, now);
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ts_fork, struct task_struct *parent, struct task_struct *child)
{
	sched_bpf__fork(parent, child);
	return 0;
}
