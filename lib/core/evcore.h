/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evcore.h - the core's part of an event: how it is opened (attr type and
 * config, sample layout, the libperf evsel), where its filter runs (ftrace,
 * user space or BPF), its --sampling-limit window and its counts. The
 * parser's struct evspec (include/evspec.h) is what profilers see; this
 * part lives beside it in the same allocation and only lib/core (and the
 * BPF filter attach in lib/bpf) read or write it.
 */
#ifndef PERF_PROF_EVCORE_H
#define PERF_PROF_EVCORE_H

#include <stdint.h>

#include "evspec.h"

struct perf_evsel;
struct bpf_filter;
struct expr;

struct evcore {
	u32 type;		/* perf_event_attr.type (PERF_TYPE_TRACEPOINT, ...) */
	u64 config;		/* tracepoint id, or the event's perf config */
	u64 config1, config2;	/* raw PMU terms beyond config */
	u64 sample_period;	/* a sampling event's fixed period (0: sampled by frequency) */
	u32 raw_min;		/* the fixed part of a record of this format */
	struct perf_evsel *evsel;
	u64 sample_type;	/* PERF_SAMPLE_* this event is opened with */
	struct expr *ufilter;	/* user-space filter when the kernel refused the filter */
	struct bpf_filter *kfilter;	/* BPF program running the filter in the kernel */
	bool hooked;		/* samples are unwound or filtered before delivery */
	bool from_glob;		/* one of a glob's matches (may be skipped if refused) */
	bool skipped;		/* the kernel refused to open it: no samples */
	bool in_kernel;		/* its profiler aggregates it in the kernel: never opened */
	u64 limit_start;	/* --sampling-limit: the current one-second window */
	u64 limit_n;		/* samples delivered in it */
	u64 limited;		/* samples dropped by the limit */
	u64 generated;		/* the event's count at the end (period-1 events) */
};

/* every evspec the parser makes (evspec_parse(), evspec_clone()) is the head of one */
struct evnode {
	struct evspec spec;
	struct evcore core;
};

/* evcore - the core's part of @ev (no load: it follows @ev in memory) */
static inline struct evcore *evcore(const struct evspec *ev)
{
	return &((struct evnode *)(uintptr_t)ev)->core;
}

#endif
