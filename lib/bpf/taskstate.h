/* SPDX-License-Identifier: GPL-2.0 */
/*
 * taskstate.h - what lib/bpf/taskstate.bpf.c and monitors/task-state.c
 * share beyond the rows of schedagg.h: the map sizes, the state ids every
 * kernel has (those of include/schedev.h), and the bits of a task's
 * __state that the sched_switch format never shows because the kernel
 * reports them as another state (include/linux/sched.h: TASK_NOLOAD with
 * TASK_UNINTERRUPTIBLE is "I", TASK_RTLOCK_WAIT and TASK_FROZEN are "D").
 */
#ifndef PERF_PROF_BPF_TASKSTATE_H
#define PERF_PROF_BPF_TASKSTATE_H

#include "schedagg.h"

#define TS_BPF_MAX_TASKS SCHED_BPF_MAX_TASKS
#define TS_BPF_MAX_ROWS 16384
#define TS_BPF_MAX_BUCKETS 262144
#define TS_BPF_BITS 32		/* the bits of prev_state mapped to states */

#define TS_BPF_TASK_NOLOAD 0x0400
#define TS_BPF_TASK_RTLOCK_WAIT 0x1000
#define TS_BPF_TASK_FROZEN 0x8000

/* SCHED_RUN, SCHED_PREEMPT, SCHED_WAIT, SCHED_LETTERS of include/schedev.h */
enum { TS_BPF_RUN, TS_BPF_PREEMPT, TS_BPF_WAIT, TS_BPF_LETTERS };

#endif
