// SPDX-License-Identifier: GPL-2.0
/*
 * rundelay.bpf.c - rundelay's waits aggregated in the kernel: BTF-typed
 * tracepoint programs (tp_btf) on sched_wakeup, sched_wakeup_new,
 * sched_switch and sched_process_fork. They involve no perf event, so they
 * never filter the tracepoint for another tracer, and no record is written
 * anywhere: a wait ends as a few map updates.
 *
 * Maps (read by monitors/rundelay.c at each report):
 *   start   tid -> when it became runnable, and why; or that it runs
 *           (RD_BPF_RUNNING, from its switch-in to its switch-out), or
 *           sleeps (RD_BPF_ASLEEP, from its switch-out to its wakeup)
 *   stats   per CPU, (generation, instance, cause) -> count, sum, min, max
 *   hist    per CPU, (generation, instance, cause, bucket) -> count, with
 *           the buckets of struct vstat (include/agg.h), so that user space
 *           rebuilds the same statistics the ring path computes
 *   worst   per CPU, the 10 longest waits of each generation
 *   targets, drops, cpu: those of every scheduler program (schedagg.h)
 * User space flips gen at each report and reads and clears the other one.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rundelay.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool perins;	/* instances are threads, not processes */
volatile u32 gen;		/* the generation being written */

struct start {
	u64 since;
	u32 cause;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RD_BPF_MAX_TASKS);
	__type(key, u32);
	__type(value, struct start);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, RD_BPF_MAX_ROWS);
	__type(key, struct sched_bpf_key);
	__type(value, struct sched_bpf_stat);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, RD_BPF_MAX_BUCKETS);
	__type(key, struct sched_bpf_key);
	__type(value, u64);
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct rd_bpf_worst);
} worst SEC(".maps");

static __always_inline void runnable(u32 tid, u32 cause)
{
	struct start s = { .since = bpf_ktime_get_ns(), .cause = cause };

	if (bpf_map_update_elem(&start, &tid, &s, BPF_ANY))
		sched_bpf__drop();
}

static __always_inline void add_worst(u32 g, const struct rd_bpf_wait *w)
{
	struct rd_bpf_worst *b = bpf_map_lookup_elem(&worst, &g);
	u32 low = 0;

	if (!b)
		return;
	/* replace the shortest of the ten, if this one is longer */
	for (u32 i = 1; i < RD_BPF_WORST; i++)
		if (b->w[i].ns < b->w[low & (RD_BPF_WORST - 1)].ns)
			low = i;
	low &= RD_BPF_WORST - 1;
	if (w->ns > b->w[low].ns)
		b->w[low] = *w;
}

/*
 * wait_end - @s, the wait of @next (@tid), ended at @now, when it was
 * switched in after @prev (@prev_tid; @prev NULL: a switch no program
 * saw, after that thread)
 */
static __always_inline void wait_end(struct start *s, struct task_struct *next, u32 tid,
				     struct task_struct *prev, u32 prev_tid, u64 now)
{
	struct sched_bpf_key k = {};
	struct rd_bpf_wait w = {};
	__u64 d;

	d = now > s->since ? now - s->since : 0;
	k.gen = gen & 1;
	k.inst = perins ? tid : BPF_CORE_READ(next, tgid);
	k.id = s->cause;
	s->cause = RD_BPF_RUNNING;
	s->since = 0;
	if (sched_bpf__add(&stats, &hist, &k, d, next, perins)) {
		sched_bpf__drop();
		return;
	}

	w.ns = d;
	w.time = now;
	w.pid = BPF_CORE_READ(next, tgid);
	w.tid = tid;
	w.cpu = bpf_get_smp_processor_id();
	w.prev = prev_tid;
	w.cause = k.id;
	BPF_CORE_READ_STR_INTO(&w.comm, next, comm);
	if (prev)
		BPF_CORE_READ_STR_INTO(&w.prev_comm, prev, comm);
	add_worst(k.gen, &w);
}

static __always_inline void account(struct task_struct *next, u32 tid, struct task_struct *prev,
				    u64 now, struct sched_bpf_cpu *c)
{
	struct start *s = bpf_map_lookup_elem(&start, &tid);

	if (!s) {
		struct start run = { .cause = RD_BPF_RUNNING };

		if (bpf_map_update_elem(&start, &tid, &run, BPF_ANY))
			sched_bpf__drop();
		return;
	}
	if (s->cause == RD_BPF_RUNNING)
		return;
	if (s->cause == RD_BPF_ASLEEP) {
		/* it slept, and its wakeup never reached the programs */
		if (c)
			c->unseen++;
		s->cause = RD_BPF_RUNNING;
		return;
	}
	wait_end(s, next, tid, prev, BPF_CORE_READ(prev, pid), now);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(rd_wakeup, struct task_struct *p)
{
	u32 tid = BPF_CORE_READ(p, pid);

	struct start *s;

	if (!pp_bpf__on_cpu() || !sched_bpf__kept(tid))
		return 0;
	/* woken before it switched out (still running), or already waiting */
	s = bpf_map_lookup_elem(&start, &tid);
	if (!s || s->cause == RD_BPF_ASLEEP)
		runnable(tid, RD_BPF_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(rd_wakeup_new, struct task_struct *p)
{
	u32 tid = BPF_CORE_READ(p, pid);

	if (pp_bpf__on_cpu() && sched_bpf__kept(tid))
		runnable(tid, RD_BPF_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(rd_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	u32 ptid = BPF_CORE_READ(prev, pid), ntid = BPF_CORE_READ(next, pid), zero = 0;
	struct sched_bpf_cpu *c = bpf_map_lookup_elem(&cpu, &zero);
	u32 before = c ? c->next : 0;	/* who the last switch seen put here, +1 */
	u64 now = bpf_ktime_get_ns(), last;
	struct start *s;

	if (!pp_bpf__on_cpu())
		return 0;
	last = sched_bpf__switched(c, ptid, ntid, sched_bpf__kept(ptid), now);
	/* switched out still runnable (preempted, or it yielded), asleep, or dead */
	if (sched_bpf__kept(ptid)) {
		/*
		 * it waits still: its switch-in was not seen, it came after the
		 * last switch seen here (its next likely put it on), as its slice tells
		 */
		s = bpf_map_lookup_elem(&start, &ptid);
		if (s && s->cause != RD_BPF_RUNNING && s->cause != RD_BPF_ASLEEP && s->since)
			wait_end(s, prev, ptid, NULL, before ? before - 1 : 0,
				 sched_bpf__ran_from(prev, now, last > s->since ? last : s->since));
		if (preempt || !(prev_state & RD_BPF_STATE_MASK))
			runnable(ptid, RD_BPF_PREEMPT);
		else if (prev_state & RD_BPF_TASK_DEAD)
			bpf_map_delete_elem(&start, &ptid);
		else
			runnable(ptid, RD_BPF_ASLEEP);
	}
	if (sched_bpf__kept(ntid))
		account(next, ntid, prev, now, c);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(rd_fork, struct task_struct *parent, struct task_struct *child)
{
	sched_bpf__fork(parent, child);
	return 0;
}
