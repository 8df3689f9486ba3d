/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oncpu.bpf.h - -C for the fixed BPF programs (syscalls, task-state,
 * rundelay): with cpus_only set, a program counts only what happens on the
 * CPUs marked in oncpus, which user space sizes to the possible CPUs
 * before the load and fills before the attach (schedbpf__cpus()) from the
 * CPUs whose records the ring path would read. A program returns at once
 * on another CPU, as the tracepoint there would have no perf event.
 */
#ifndef PERF_PROF_BPF_ONCPU_H
#define PERF_PROF_BPF_ONCPU_H

const volatile bool cpus_only;	/* -C: only the CPUs in oncpus */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* the possible CPUs, set before the load */
	__type(key, __u32);
	__type(value, __u8);
} oncpus SEC(".maps");

static __always_inline bool pp_bpf__on_cpu(void)
{
	__u32 c;
	__u8 *on;

	if (!cpus_only)
		return true;
	c = bpf_get_smp_processor_id();
	on = bpf_map_lookup_elem(&oncpus, &c);
	return on && *on;
}

#endif
