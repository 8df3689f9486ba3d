/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rundelay.h - what lib/bpf/rundelay.bpf.c and monitors/rundelay.c share:
 * the keys and values of the maps, in __u32/__u64 so both sides (the BPF
 * program against vmlinux.h, user space against linux/types.h) agree.
 */
#ifndef PERF_PROF_BPF_RUNDELAY_H
#define PERF_PROF_BPF_RUNDELAY_H

#define RD_BPF_MAX_TASKS 65536
#define RD_BPF_MAX_ROWS 16384
#define RD_BPF_MAX_BUCKETS 262144
#define RD_BPF_WORST 16		/* slots per CPU and generation (a power of two) */
#define RD_BPF_STATE_MASK 0xff	/* __state bits of a thread that sleeps (or dies) */
#define RD_BPF_TASK_DEAD 0x80	/* ... that dies */

/* start's causes: waiting after a wakeup or a preemption; on a CPU; asleep */
enum { RD_BPF_WAKEUP, RD_BPF_PREEMPT, RD_BPF_RUNNING, RD_BPF_ASLEEP };

struct rd_bpf_key {
	__u32 gen;
	__u32 inst;	/* process, or thread (perins) */
	__u32 cause;
	__u32 bucket;	/* hist only; 0 in stats */
};

#define RD_BPF_COMM 16

struct rd_bpf_stat {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
	char comm[RD_BPF_COMM];	/* the instance's, when its row was made */
};

struct rd_bpf_wait {
	__u64 ns;
	__u64 time;
	__u32 pid, tid, cpu, prev, cause, pad;
	char comm[RD_BPF_COMM];		/* tid's */
	char prev_comm[RD_BPF_COMM];
};

/*
 * struct rd_bpf_cpu - per CPU: the thread the last switch seen put on it
 * (+1, 0: none yet), and the events of kept threads not seen: a switch
 * whose prev is not that thread (the kernel switched without the
 * tracepoint reaching the programs), or a switch-in of a thread that was
 * asleep with no wakeup seen
 */
struct rd_bpf_cpu {
	__u32 next;
	__u32 pad;
	__u64 unseen;
};

struct rd_bpf_worst {
	struct rd_bpf_wait w[RD_BPF_WORST];
};

#endif
