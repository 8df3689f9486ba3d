/* SPDX-License-Identifier: GPL-2.0 */
/*
 * follow.h - what lib/bpf/follow.bpf.c and lib/bpf/agg.c share.
 */
#ifndef PERF_PROF_BPF_FOLLOW_H
#define PERF_PROF_BPF_FOLLOW_H

#define FOLLOW_MAX_TASKS 65536	/* live target threads at once */

#endif
