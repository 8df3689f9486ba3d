/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscalls.h - what lib/bpf/syscalls.bpf.c and monitors/syscalls.c share:
 * the maps' keys and values, in __u32/__u64 so that both sides (the BPF
 * program against vmlinux.h, user space against linux/types.h) agree.
 */
#ifndef PERF_PROF_BPF_SYSCALLS_H
#define PERF_PROF_BPF_SYSCALLS_H

#define SC_BPF_MAX_TASKS 65536		/* threads in a call, and target threads */
#define SC_BPF_MAX_ROWS 16384		/* (generation, syscall[, pid, tid]) rows */
#define SC_BPF_MAX_SLOTS 131072		/* their latency buckets and errnos */
#define SC_BPF_ERRNO 0x10000		/* a slot from here on counts errno (slot - SC_BPF_ERRNO) */

/* a thread's call in flight (time 0: none) */
struct sc_bpf_task {
	__u64 time;	/* at its entry, ns */
	__u64 nr;	/* the syscall */
};

struct sc_bpf_key {
	__u32 gen;	/* the report generation the program wrote to */
	__u32 nr;	/* the syscall */
	__u32 pid;	/* 0 unless perins */
	__u32 tid;	/* 0 unless perins */
};

struct sc_bpf_row {
	__u64 count;
	__u64 sum;	/* ns */
	__u64 min;
	__u64 max;
	__u64 errors;
};

struct sc_bpf_slot_key {
	struct sc_bpf_key row;
	__u32 slot;	/* a vstat bucket, or SC_BPF_ERRNO + errno */
};

/* per CPU counters */
struct sc_bpf_cpu {
	__u64 seq;		/* odd while the exit program adds to a generation */
	__u64 unpaired;		/* exits without their entry (in flight at the start) */
	__u64 mismatched;	/* exits of another syscall than the entry kept (exec) */
	__u64 drops;		/* calls a full map had no room for */
};

#endif
