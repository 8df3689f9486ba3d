/* SPDX-License-Identifier: GPL-2.0 */
/*
 * schedagg.h - what the scheduler's BPF programs (rundelay.bpf.c,
 * taskstate.bpf.c) and their user-space readers (lib/sched/schedbpf.c)
 * share: the rows of intervals aggregated in the kernel, keyed by
 * generation, instance (process or thread) and id (a cause or a state),
 * with the buckets of struct vstat (include/agg.h) so that user space
 * rebuilds exactly the statistics the ring path computes. In __u32/__u64
 * so both sides (vmlinux.h, linux/types.h) agree. Compiled for BPF, it
 * also gives the programs' common steps.
 */
#ifndef PERF_PROF_BPF_SCHEDAGG_H
#define PERF_PROF_BPF_SCHEDAGG_H

#define SCHED_BPF_MAX_TASKS 65536
#define SCHED_BPF_COMM 16

struct sched_bpf_key {
	__u32 gen;
	__u32 inst;	/* process, or thread (perins) */
	__u32 id;	/* the cause or state */
	__u32 bucket;	/* hist only; 0 in stats */
};

struct sched_bpf_stat {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
	char comm[SCHED_BPF_COMM];	/* the instance's, when its row was made */
};

/*
 * struct sched_bpf_cpu - per CPU: the thread the last switch seen put on
 * it (+1, 0: none yet) and when, and the events of kept threads not seen:
 * a switch whose prev is not that thread (the kernel switched without the
 * tracepoint reaching the programs), or a switch-in of a thread that was
 * asleep with no wakeup seen
 */
struct sched_bpf_cpu {
	__u32 next;
	__u32 pad;
	__u64 unseen;
	__u64 when;
};

#if defined(__bpf__)
#include "vstat.bpf.h"
#include "oncpu.bpf.h"
/*
 * What every scheduler program has, each its own copy:
 *   targets tid -> 1: the threads kept, when sched_filter is set
 *   drops   per CPU, intervals the maps had no room for
 *   cpu     per CPU, the thread on it as the switches tell (unseen events)
 */
const volatile bool sched_filter;	/* only the threads in targets */
const volatile bool sched_follow;	/* their forks join them */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCHED_BPF_MAX_TASKS);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sched_bpf_cpu);
} cpu SEC(".maps");

static __always_inline bool sched_bpf__kept(__u32 tid)
{
	return tid && (!sched_filter || bpf_map_lookup_elem(&targets, &tid));
}

static __always_inline void sched_bpf__drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&drops, &zero);

	if (d)
		(*d)++;
}

/* sched_bpf__fork - from sched_process_fork: @child joins the targets of its @parent */
static __always_inline void sched_bpf__fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptid = BPF_CORE_READ(parent, pid), ctid = BPF_CORE_READ(child, pid);
	__u8 one = 1;

	if (sched_filter && sched_follow && bpf_map_lookup_elem(&targets, &ptid))
		bpf_map_update_elem(&targets, &ctid, &one, BPF_ANY);
}

/*
 * sched_bpf__add - @d ns into the row @k (its bucket set here) of @stats
 * and @hist, the row named after @t (the thread with @perins, else its
 * process); -1 when a map had no room
 */
static __always_inline int sched_bpf__add(void *stats, void *hist, struct sched_bpf_key *k,
					  __u64 d, struct task_struct *t, bool perins)
{
	struct sched_bpf_stat *st, fresh = {};
	__u64 *h, one = 1;

	k->bucket = 0;
	st = bpf_map_lookup_elem(stats, k);
	if (!st) {
		if (perins)
			BPF_CORE_READ_STR_INTO(&fresh.comm, t, comm);
		else
			BPF_CORE_READ_STR_INTO(&fresh.comm, t, group_leader, comm);
		bpf_map_update_elem(stats, k, &fresh, BPF_NOEXIST);
		st = bpf_map_lookup_elem(stats, k);
		if (!st)
			return -1;
	}
	st->count++;
	st->sum += d;
	if (d < st->min || st->count == 1)
		st->min = d;
	if (d > st->max)
		st->max = d;
	k->bucket = vstat_bpf_bucket(d);
	h = bpf_map_lookup_elem(hist, k);
	if (h)
		(*h)++;
	else if (bpf_map_update_elem(hist, k, &one, BPF_NOEXIST))
		return -1;
	return 0;
}

/*
 * sched_bpf__switched - the thread switched out (@ptid) is the one the
 * last switch put on this CPU, unless the kernel switched without running
 * the tracepoint's probes (no tracer sees such a switch, ftrace and perf
 * records included; a hypervisor's agent hidden from tracing does it, and
 * so does a program that missed a run): counted when a kept thread came
 * off unseen, for the report to say that intervals around it were
 * estimated. Returns the time of the last switch seen on this CPU before
 * this one (0: none), after which @ptid was switched in, seen or not.
 */
static __always_inline __u64 sched_bpf__switched(struct sched_bpf_cpu *c, __u32 ptid, __u32 ntid,
						 bool kept_prev, __u64 now)
{
	__u64 last;

	if (!c)
		return 0;
	if (c->next && c->next != ptid + 1 && kept_prev)
		c->unseen++;
	last = c->when;
	c->next = ntid + 1;
	c->when = now;
	return last;
}

/*
 * sched_bpf__ran_from - when @prev, switching out at @now, was switched in
 * by a switch no program saw: @now less the CPU time of its slice (what
 * the fair class counted since it picked the thread), and no earlier than
 * @lo (the last switch seen on the CPU, or the start of the interval the
 * switch-in ended). A class that keeps no slice start (rt, dl) gives @lo.
 */
static __always_inline __u64 sched_bpf__ran_from(struct task_struct *prev, __u64 now, __u64 lo)
{
	__u64 ran = BPF_CORE_READ(prev, se.sum_exec_runtime) -
		    BPF_CORE_READ(prev, se.prev_sum_exec_runtime);

	if (lo >= now)
		return now;
	return ran < now - lo ? now - ran : lo;
}
#endif

#endif
