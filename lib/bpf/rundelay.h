/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rundelay.h - what lib/bpf/rundelay.bpf.c and monitors/rundelay.c share
 * beyond the rows of schedagg.h: the map sizes and the worst waits, in
 * __u32/__u64 so both sides (vmlinux.h, linux/types.h) agree.
 */
#ifndef PERF_PROF_BPF_RUNDELAY_H
#define PERF_PROF_BPF_RUNDELAY_H

#include "schedagg.h"

#define RD_BPF_MAX_TASKS SCHED_BPF_MAX_TASKS
#define RD_BPF_MAX_ROWS 16384
#define RD_BPF_MAX_BUCKETS 262144
#define RD_BPF_WORST 16		/* slots per CPU and generation (a power of two) */
#define RD_BPF_STATE_MASK 0xff	/* __state bits of a thread that sleeps (or dies) */
#define RD_BPF_TASK_DEAD 0x80	/* ... that dies */

/* start's causes: waiting after a wakeup or a preemption; on a CPU; asleep */
enum { RD_BPF_WAKEUP, RD_BPF_PREEMPT, RD_BPF_RUNNING, RD_BPF_ASLEEP };

struct rd_bpf_wait {
	__u64 ns;
	__u64 time;
	__u32 pid, tid, cpu, prev, cause, pad;
	char comm[SCHED_BPF_COMM];		/* tid's */
	char prev_comm[SCHED_BPF_COMM];
};

struct rd_bpf_worst {
	struct rd_bpf_wait w[RD_BPF_WORST];
};

#endif
