// SPDX-License-Identifier: GPL-2.0
/*
 * follow.bpf.c - the threads an in-kernel aggregation counts (lib/bpf/agg.c):
 * the run's targets (-p/-t, the workload) in a hash map the aggregating
 * programs look up, and, when they are followed (-p, a workload), their new
 * threads and children added as they fork. BTF-typed tracepoints (tp_btf):
 * no perf event is involved, so no tracer's records are touched. A task
 * leaves the map when it is freed, so the map holds the live ones only.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "follow.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool follow;	/* children and new threads join their parent */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FOLLOW_MAX_TASKS);
	__type(key, u32);
	__type(value, u8);
} targets SEC(".maps");

/* tasks that could not join a full map: said at the end of the run */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} full SEC(".maps");

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pp_follow_fork, struct task_struct *parent, struct task_struct *child)
{
	u32 ptid = BPF_CORE_READ(parent, pid), ctid = BPF_CORE_READ(child, pid), zero = 0;
	u8 one = 1;
	u64 *n;

	if (!follow || !bpf_map_lookup_elem(&targets, &ptid))
		return 0;
	if (bpf_map_update_elem(&targets, &ctid, &one, BPF_ANY)) {
		n = bpf_map_lookup_elem(&full, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(pp_follow_free, struct task_struct *p)
{
	u32 tid = BPF_CORE_READ(p, pid);

	bpf_map_delete_elem(&targets, &tid);
	return 0;
}
