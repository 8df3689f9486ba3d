// SPDX-License-Identifier: GPL-2.0
/*
 * profile.bpf.c - in-kernel stack counting for `perf-prof profile`: a
 * program on each sampling perf event (cpu-clock by default) counts its
 * samples per (process, thread, kernel stack, user stack) in a hash map,
 * the stacks themselves in a stack trace map. It returns 0, so no sample
 * goes to the event's ring: the ring carries only the side-band records
 * (comm, fork, exit, mmap) the symbols need. monitors/profile.c reads the
 * maps at each interval and at exit. Built against build/bpf/vmlinux.h
 * into build/bpf/profile.skel.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define PP_MAX_DEPTH 127	/* the kernel's default perf_event_max_stack */

/* the key of a count; a stack id < 0 means the part was not taken (or failed) */
struct pp_key {
	__u32 pid;
	__u32 tid;
	__s32 kstack;
	__s32 ustack;
};

struct pp_val {
	__u64 count;
	__u64 period;	/* sum of the samples' periods (ns for cpu-clock) */
};

/* what the program could not count, per CPU */
enum { PP_ST_FULL, PP_ST_KSTACK, PP_ST_USTACK, PP_ST_FILTERED, PP_ST_NR };

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PP_MAX_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);	/* resized by the loader */
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct pp_key);
	__type(value, struct pp_val);
	__uint(max_entries, 65536);	/* resized by the loader */
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, PP_ST_NR);
} stats SEC(".maps");

/* set by the loader before it loads the program */
const volatile bool kernel_stack = true;
const volatile bool user_stack = true;
const volatile bool user_only;
const volatile bool kernel_only;

static __always_inline void stat_inc(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &what);

	if (n)
		(*n)++;
}

/* a failure to take a stack other than "there is none" (-EFAULT) loses that part */
static __always_inline __s32 stack_id(void *ctx, __u64 flags, __u32 what)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id < 0 && id != -14)
		stat_inc(what);
	return (__s32)id;
}

SEC("perf_event")
int pp_profile(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	/* where the sample was taken, as the ring path tells it: by the address */
	bool user = ctx->regs.ip < 0xffff800000000000ULL;
	struct pp_key key = { .pid = id >> 32, .tid = (__u32)id, .kstack = -1, .ustack = -1 };
	struct pp_val one = { 0, 0 }, *v;

	if ((user_only && !user) || (kernel_only && user)) {
		stat_inc(PP_ST_FILTERED);
		return 0;
	}
	if (kernel_stack && !user)
		key.kstack = stack_id(ctx, 0, PP_ST_KSTACK);
	/* a kernel thread has no user stack to take */
	if (user_stack && key.pid)
		key.ustack = stack_id(ctx, BPF_F_USER_STACK, PP_ST_USTACK);
	v = bpf_map_lookup_elem(&counts, &key);
	if (!v) {
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, &key);
		if (!v) {
			stat_inc(PP_ST_FULL);
			return 0;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->period, ctx->sample_period);
	return 0;	/* counted here: nothing goes to the ring */
}
