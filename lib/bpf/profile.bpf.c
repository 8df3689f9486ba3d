// SPDX-License-Identifier: GPL-2.0
/*
 * profile.bpf.c - in-kernel stack counting for `perf-prof profile`: a
 * program on each sampling perf event (cpu-clock by default) counts its
 * samples per (process, thread, kernel stack, user stack) in a hash map
 * keyed by the frames themselves. (A stack trace map would be smaller, but
 * two stacks hashing to one of its buckets lose the second one's samples:
 * 4% of them in a busy minute here.) It returns 0, so no sample
 * goes to the event's ring: the ring carries only the side-band records
 * (comm, fork, exit, mmap) the symbols need. monitors/profile.c reads the
 * maps at each interval and at exit. Built against build/bpf/vmlinux.h
 * into build/bpf/profile.skel.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define PP_MAX_DEPTH 127	/* the kernel's default perf_event_max_stack */

/*
 * The program's context, struct bpf_perf_event_data on x86-64 (pt_regs,
 * then the period), declared here: vmlinux.h's types carry CO-RE
 * relocations, and a program with none loads without libbpf parsing the
 * kernel's BTF (~0.1 s of CPU and several MB). This layout is the ABI.
 */
struct pp_ctx {
	__u64 regs[21];		/* r15 ... di, orig_ax, ip (16), cs, flags, sp, ss */
	__u64 sample_period;
	__u64 addr;
};
#define PP_REG_IP 16

/*
 * The key of a count: the kernel part at ips[0..), the user part at
 * ips[PP_MAX_DEPTH..), each zero-filled to its end by bpf_get_stack()
 */
struct pp_key {
	__u32 pid;
	__u32 tid;
	__u32 cpu;	/* percpu: the CPU + 1, else 0 (every CPU's samples in one count) */
	__u32 pad;
	__u64 ips[2 * PP_MAX_DEPTH];
};

struct pp_val {
	__u64 count;
	__u64 period;	/* sum of the samples' periods (ns for cpu-clock) */
};

/*
 * what the program could not count, per CPU; PP_ST_GAP: samples the event
 * owed by its count and period that the program never ran for (the kernel
 * runs no perf event program on a CPU busy with BPF: another program, a
 * bpf() map operation in progress; a clock's timer late by more than a
 * period also takes one sample for several, in either mode)
 */
enum { PP_ST_FULL, PP_ST_KSTACK, PP_ST_USTACK, PP_ST_FILTERED, PP_ST_GAP, PP_ST_NR };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* memory as stacks come, up to the bound */
	__type(key, struct pp_key);
	__type(value, struct pp_val);
	__uint(max_entries, 16384);	/* resized by the loader */
} counts SEC(".maps");

/* where a key is built: 2 KB, more than a program's stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct pp_key);
	__uint(max_entries, 1);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, PP_ST_NR);
} stats SEC(".maps");

/*
 * The event's count at its instance's last sample, by instance: the CPU
 * (events on CPUs), or the thread and the CPU (events on tasks, one per
 * CPU, inherited per thread). Bounded: an instance it cannot take is not
 * checked for gaps.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 65536);
} last SEC(".maps");

/* set by the loader before it loads the program */
const volatile bool user_only;
const volatile bool kernel_only;
const volatile bool percpu;
const volatile bool gaps;		/* one event, sampling on a fixed period */
const volatile bool task_events;	/* its instances are per thread and CPU */

static __always_inline void stat_inc(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &what);

	if (n)
		(*n)++;
}

/*
 * gap_check - the samples of this instance the program did not run for:
 * its count advanced by n periods since its last sample (by 0 before the
 * first), and a sample is taken at each period, so n - 1 were skipped
 */
static __always_inline void gap_check(struct pp_ctx *ctx, __u64 id)
{
	struct bpf_perf_event_value cv;
	__u64 key, *l, base = 0, period = ctx->sample_period, n;
	__u32 cpu = bpf_get_smp_processor_id(), what = PP_ST_GAP;

	if (!gaps || !period || bpf_perf_prog_read_value((void *)ctx, &cv, sizeof(cv)))
		return;
	key = task_events ? (id << 32 | cpu) : cpu;
	l = bpf_map_lookup_elem(&last, &key);
	if (l) {
		base = *l;
		*l = cv.counter;
	} else if (bpf_map_update_elem(&last, &key, &cv.counter, BPF_NOEXIST)) {
		return;
	}
	if (cv.counter <= base)
		return;
	n = (cv.counter - base + period / 2) / period;
	if (n > 1) {
		__u64 *st = bpf_map_lookup_elem(&stats, &what);

		if (st)
			*st += n - 1;
	}
}

/*
 * one part of the stack (as the perf event's callchain has it: without
 * that part, -EFAULT, nothing to count); the buffer is zeroed either way
 */
static __always_inline void stack_part(void *ctx, __u64 *ips, __u64 flags, __u32 what)
{
	long n = bpf_get_stack(ctx, ips, PP_MAX_DEPTH * sizeof(__u64), flags);

	if (n < 0 && n != -14)
		stat_inc(what);
}

SEC("perf_event")
int pp_profile(struct pp_ctx *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	/* where the sample was taken, as the ring path tells it: by the address */
	bool user = ctx->regs[PP_REG_IP] < 0xffff800000000000ULL;
	struct pp_val one = { 0, 0 }, *v;
	__u32 zero = 0;
	struct pp_key *k;

	gap_check(ctx, id);
	if ((user_only && !user) || (kernel_only && user)) {
		stat_inc(PP_ST_FILTERED);
		return 0;
	}
	k = bpf_map_lookup_elem(&scratch, &zero);
	if (!k)
		return 0;
	k->pid = id >> 32;
	k->tid = (__u32)id;
	k->cpu = percpu ? bpf_get_smp_processor_id() + 1 : 0;
	k->pad = 0;
	stack_part(ctx, &k->ips[0], 0, PP_ST_KSTACK);
	stack_part(ctx, &k->ips[PP_MAX_DEPTH], BPF_F_USER_STACK, PP_ST_USTACK);
	v = bpf_map_lookup_elem(&counts, k);
	if (!v) {
		bpf_map_update_elem(&counts, k, &one, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, k);
		if (!v) {
			stat_inc(PP_ST_FULL);
			return 0;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->period, ctx->sample_period);
	return 0;	/* counted here: nothing goes to the ring */
}
