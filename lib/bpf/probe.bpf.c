// SPDX-License-Identifier: GPL-2.0
/*
 * probe.bpf.c - the feature probe: the smallest tracepoint program that
 * needs what perf-prof's fixed BPF programs need (a tracepoint program
 * type, the kernel's BTF for CO-RE relocations, helpers). lib/bpf/feature.c
 * loads it (never attaches it) to learn whether this kernel can run them,
 * and why not. Built at build time against build/bpf/vmlinux.h, into a
 * skeleton (build/bpf/probe.skel.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getppid")
int pp_probe(struct trace_event_raw_sys_enter *ctx)
{
	/* relocated against this kernel's BTF when loaded: fails without it */
	if (!bpf_core_field_exists(ctx->id))
		return 0;
	return bpf_ktime_get_ns() != 0;
}
