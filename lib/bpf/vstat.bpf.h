/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vstat.bpf.h - for the BPF programs of lib/bpf that count values in
 * the buckets of struct vstat (include/agg.h), so that user space rebuilds
 * from their maps the statistics the ring path computes.
 */
#ifndef PERF_PROF_VSTAT_BPF_H
#define PERF_PROF_VSTAT_BPF_H

#define VSTAT_BPF_SUB_BITS 5	/* VSTAT_SUB_BITS of include/agg.h */

/* vstat_bpf_msb - the highest bit set in @x (0 for 0), without a count-leading-zeros instruction */
static __always_inline __u32 vstat_bpf_msb(__u64 x)
{
	__u32 msb = 0;

	if (x >> 32) { x >>= 32; msb += 32; }
	if (x >> 16) { x >>= 16; msb += 16; }
	if (x >> 8) { x >>= 8; msb += 8; }
	if (x >> 4) { x >>= 4; msb += 4; }
	if (x >> 2) { x >>= 2; msb += 2; }
	if (x >> 1) msb += 1;
	return msb;
}

/* vstat_bpf_bucket - vstat__bucket() of include/agg.h */
static __always_inline __u32 vstat_bpf_bucket(__u64 v)
{
	__u32 msb = vstat_bpf_msb(v | 1), shift;

	shift = msb > VSTAT_BPF_SUB_BITS ? msb - VSTAT_BPF_SUB_BITS : 0;
	return (shift << VSTAT_BPF_SUB_BITS) + (__u32)(v >> shift);
}

#endif
