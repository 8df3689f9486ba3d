/* SPDX-License-Identifier: GPL-2.0 */
/*
 * profiler.h - what a profiler is, and everything a profiler may use.
 *
 * Adding a profiler:
 *   1. write monitors/NAME.c defining `const struct profiler NAME_profiler`
 *      (static callbacks prefixed NAME_, its own option table and struct);
 *   2. add one line PROFILER(NAME) to monitors/profilers.def;
 *   3. write Documentation/NAME.md and tests (tests/live/NAME.sh).
 * The core never names a profiler; a profiler never touches the rings, the
 * perf fds or the loop: it sees decoded samples, its run's names (prof->env)
 * and the prof__*() calls below.
 *
 * Life of a run: options parsed -> prepare() (may add events) -> events
 * parsed and resolved (formats loaded, probes created) -> init() (resolve
 * fields, compile expressions, choose per-event sample bits) -> events
 * opened, filters set, rings mapped -> enabled -> sample() per record,
 * interval() per -i tick, sigusr1() on SIGUSR1 -> final() once (exit,
 * Ctrl-C, -N reached, workload exit) -> deinit(). A profiler without
 * events (no COMMON_EVENTS) goes through the same steps with the interval
 * timer and the targets only.
 */
#ifndef PERF_PROF_PROFILER_H
#define PERF_PROF_PROFILER_H

#include <stdio.h>

#include "env.h"
#include "evspec.h"
#include "opt.h"
#include "tasks.h"
#include "util.h"

struct prof;
struct run;
struct ring;

/**
 * struct prof_sample - one decoded sample record, handed to ->sample()
 * @time:    perf timestamp, CLOCK_MONOTONIC ns
 * @pid,@tid: process and thread (-1 when unknown)
 * @cpu:     CPU the event happened on
 * @period:  the count the sample stands for: 1 for most tracepoints, the
 *           kernel's count for those that carry one (sched_stat_*), the
 *           sampling period for software/hardware events
 * @ip:      the sampled instruction pointer (software/hardware events), 0
 *           for tracepoints
 * @nr_ips, @ips: callchain (kernel then user, with PERF_CONTEXT_* markers)
 *           when the event samples stacks, else 0/NULL
 * @raw, @raw_size: the tracepoint record (NULL/0 for events without one)
 * @regs, @regs_mask, @stack, @stack_size: user registers/stack copy (DWARF)
 * @ev:      the event this sample belongs to
 * @ring:    the ring it came from
 */
struct prof_sample {
	u64 time;
	int pid;
	int tid;
	int cpu;
	u64 period;
	u64 ip;
	u64 nr_ips;
	const u64 *ips;
	const void *raw;
	u32 raw_size;
	const u64 *regs;
	u64 regs_mask;
	const void *stack;
	u64 stack_size;
	struct evspec *ev;
	struct ring *ring;
};

/* which common options a profiler accepts */
enum {
	COMMON_EVENTS = 1 << 0,		/* -e (required) */
	COMMON_TARGET = 1 << 1,		/* -C -p -t, workload after -- */
	COMMON_RING = 1 << 2,		/* -m --watermark */
	COMMON_INTERVAL = 1 << 3,	/* -i */
	COMMON_EXIT_N = 1 << 4,		/* -N */
	COMMON_OUTPUT = 1 << 5,		/* -o */
	COMMON_ORDER = 1 << 6,		/* --order */
	COMMON_CALLGRAPH = 1 << 7,	/* -g --call-graph --[no-]*-callchain --srcline */
	COMMON_JSON = 1 << 8,		/* --json */
	COMMON_SAMPLING = 1 << 9,	/* -F HZ, -c PERIOD (sampling events) */
	COMMON_OVERWRITE = 1 << 10,	/* --overwrite: a flight recorder ring */
	/*
	 * implied for every profiler that reads events (-e, or its own event
	 * options and targets): --clock-offset --tsc --kvmclock --monotonic
	 * --sampling-limit --perfeval-cpus --perfeval-pids
	 */
	COMMON_READS = 1 << 11,
	COMMON_FLAMEGRAPH = 1 << 12,	/* --flame-graph (only where it is written) */
	COMMON_ALL_EVENTS = 0x1ff | COMMON_FLAMEGRAPH,
};

/**
 * struct prof_common - the common options of one run (parsed by the core;
 * only those the profiler accepts can be set)
 */
struct prof_common {
	struct strlist events;	/* each -e, in order */
	const char *cpus;	/* -C */
	const char *pids;	/* -p */
	const char *tids;	/* -t */
	u64 interval;		/* -i, ns (0 = none) */
	int pages;		/* -m, per ring (0 = profiler default) */
	int watermark;		/* --watermark percent (0 = default) */
	u64 exit_n;		/* -N */
	const char *output;	/* -o */
	bool order;		/* --order */
	bool callgraph;		/* -g */
	const char *call_graph;	/* --call-graph fp|dwarf[,SIZE] */
	bool user_callchain;	/* --[no-]user-callchain (default on) */
	bool kernel_callchain;	/* --[no-]kernel-callchain (default on) */
	bool exclude_user;	/* sampling events: no sample taken in user space (a prepare() sets it) */
	bool exclude_kernel;	/* sampling events: no sample taken in the kernel (a prepare() sets it) */
	bool srcline;		/* --srcline: file:line and inlined frames */
	const char *flame_graph;	/* --flame-graph FILE */
	u64 freq;		/* -F HZ: sampling events sample at this frequency */
	u64 period;		/* -c N: sampling events sample every N */
	bool overwrite;		/* --overwrite: only the newest records, read at the end */
	bool ptrace;		/* --ptrace: follow forks and threads (inherit does) */
	s64 clock_offset;	/* --clock-offset N: ns added to every timestamp */
	bool tsc;		/* --tsc: timestamps in TSC cycles */
	const char *kvmclock;	/* --kvmclock UUID */
	bool monotonic;		/* --monotonic: CLOCK_MONOTONIC (always) */
	u64 sampling_limit;	/* --sampling-limit N: samples per second per event */
	const char *perfeval_cpus;	/* --perfeval-cpus LIST */
	const char *perfeval_pids;	/* --perfeval-pids LIST */
	bool json;		/* --json */
	bool bpf;		/* --bpf: every filter runs in a BPF program, or the run fails */
	bool no_bpf;		/* --no-bpf: never a BPF program (refused filters: user space) */
	int verbose;		/* -v (count) */
	int quiet;		/* -q */
	char **workload;	/* argv after -- (NULL-terminated) or NULL */
};

/**
 * struct profiler - a registered profiler (static const, one per file)
 * @name, @summary: "trace", "print events as they happen"
 * @synopsis: usage line(s) without "usage: "
 * @help: description and EXAMPLES for -h
 * @opts, @opts_size, @opts_init: its own option table, the size of the
 *        struct it writes into (allocated zeroed per run), and defaults
 * @attrs: NULL-terminated event attributes it accepts
 * @common: COMMON_* options it accepts
 * @max_args: positional arguments it takes (words before "--" that are not
 *        options), e.g. list's patterns; 0: none
 * @pages, @watermark, @interval_ms: run defaults
 * @order: it needs samples of all CPUs in time order (--order always on)
 * @oneshot: it does its work in init() and final(); the run ends at once
 * @cpu_wide: its events are opened on every CPU also with -p/-t or a
 *        workload, whose threads it keeps through prof__targets(): the
 *        scheduler writes a task's switch-in in the context of the task it
 *        replaces, which a task-bound event never sees
 * @help_example: the "help" word's suggested command template
 * @prepare: optional, runs before the events are parsed: may append -e
 *        texts to prof->opt.events (each becomes ev->pos == its index) and
 *        set prof->priv; deinit() is called after it, also on failure
 * @init: resolve everything needed per event (fields, expressions), may
 *        set ev->stack; return 0 or -1 with @err
 * @start: optional, the targets are known (prof__targets()) and the
 *        events are about to be enabled, the workload released: where a
 *        profiler attaches what it runs in the kernel itself; 0 or -1 with @err
 * @sample: the hot path
 * @interval: periodic report (-i)
 * @final: the final report (the whole run)
 * @opened: optional, after the events were opened and their rings mapped,
 *        before they are enabled: e.g. attach a BPF program to each of an
 *        event's perf fds (prof__event_fds()); return 0 or -1 with @err
 * @deinit: free everything
 * @lost: optional, @n records lost on @ring
 * @sigusr1: optional, interim state to prof->out
 * @task_exit: optional, thread @tid of process @pid exited at @time (so
 *        per-task state such as a pending begin dies with its task)
 */
struct profiler {
	const char *name;
	const char *summary;
	const char *synopsis;
	const char *help;
	const struct opt *opts;
	size_t opts_size;
	void (*opts_init)(void *opts);
	const char *const *attrs;
	unsigned int common;
	int max_args;
	int pages;
	int watermark;
	int interval_ms;
	bool order;
	bool oneshot;
	bool cpu_wide;
	const char *help_example;

	int (*prepare)(struct prof *prof, struct err *err);
	int (*init)(struct prof *prof, struct err *err);
	int (*start)(struct prof *prof, struct err *err);
	void (*sample)(struct prof *prof, const struct prof_sample *s);
	void (*interval)(struct prof *prof);
	void (*final)(struct prof *prof);
	int (*opened)(struct prof *prof, struct err *err);
	void (*deinit)(struct prof *prof);
	void (*lost)(struct prof *prof, struct ring *ring, u64 n);
	void (*sigusr1)(struct prof *prof);
	void (*task_exit)(struct prof *prof, int pid, int tid, u64 time);
};

/**
 * struct prof - one running profiler instance
 * @ops: the profiler
 * @opt: common options
 * @opts: the profiler's own option struct
 * @run: the run it belongs to (the core's; use the prof__*() calls)
 * @env: its run's names: tasks, kernel and user symbols, output stream
 * @evs, @nr_evs: the resolved events, in command-line order
 * @args, @nr_args: positional arguments (profilers with max_args)
 * @out: where reports go (stdout, -o FILE, or a front end's stream)
 * @priv: the profiler's state
 */
struct prof {
	const struct profiler *ops;
	struct prof_common opt;
	void *opts;
	struct run *run;
	const struct run_env *env;
	struct evspec **evs;
	int nr_evs;
	char **args;
	int nr_args;
	FILE *out;
	void *priv;
};

/* profiler__find - the registered profiler called @name (or an alias), or NULL */
const struct profiler *profiler__find(const char *name);

/* profiler__suggest - the listed profiler whose name @name is a typo of, or NULL */
const char *profiler__suggest(const char *name);

/* profiler__for_each - iterate the registry in registration order */
extern const struct profiler *const profilers[];
#define profiler__for_each(p) \
	for (const struct profiler *const *p##_it = profilers; (p = *p##_it) != NULL; p##_it++)

/**
 * prof__stop - ask the run to end after the current sample (-N reached,
 * a profiler decided it has seen enough); the final report still runs.
 */
void prof__stop(struct prof *prof);

/**
 * prof__fail - a report file (a flame graph, a heatmap) could not be
 * written: the run ends, and once everything else was reported it fails
 * with @err (the command line exits 1). The first failure is the one kept.
 */
void prof__fail(struct prof *prof, const struct err *err);

/* prof__time_header - the line that starts every report block */
void prof__time_header(struct prof *prof);

/**
 * prof__expr_error - count a run-time expression error for @ev (the sample
 * is skipped); the totals are reported at the end of the run.
 */
void prof__expr_error(struct prof *prof, const struct evspec *ev);

/* prof__expr_errors - prof__expr_error() @n times (errors counted in the kernel) */
void prof__expr_errors(struct prof *prof, const struct evspec *ev, u64 n);

/**
 * prof__in_kernel - from init(): the profiler aggregates @ev in the kernel
 * itself (lib/bpf/agg.c), so the run opens no ring event for it; the task
 * records (names, forks, exits) still come through the rings. Returns 0,
 * or -EOPNOTSUPP when the run reads no kernel (a replay); @ev NULL only asks.
 */
int prof__in_kernel(struct prof *prof, struct evspec *ev);

/* prof__comm - the command name of @tid in this run ("<idle>", "<...>") */
static inline const char *prof__comm(const struct prof *prof, int tid)
{
	return tasks__comm(prof->env->tasks, tid);
}

/**
 * prof__event_fds - the perf event fds of @ev (one per CPU and thread it is
 * open on) into @fds, at most @max; returns how many there are (0 before
 * the events are opened). For ->opened(): BPF programs attached to them.
 */
int prof__event_fds(const struct prof *prof, const struct evspec *ev, int *fds, int max);

/* prof__lost - records the kernel dropped so far in this run */
u64 prof__lost(const struct prof *prof);

/* prof__print_stats - per-ring records/bytes/lost and pipeline counters */
void prof__print_stats(const struct prof *prof, FILE *out);

/**
 * prof__targets - the threads of -p/-t or the workload's first thread, for
 * a profiler that keeps their samples itself (a cpu_wide one, or one that
 * counts in the kernel): their number (0: no
 * targets, every task counts) and in @tids the array (the run's). @follow
 * says whether their new threads and children count too (-p and a
 * workload: yes; -t: no).
 */
int prof__targets(const struct prof *prof, const int **tids, bool *follow);

/**
 * prof__cpus - from start(): the CPUs whose records of @ev (NULL: of any
 * event without cpus=) the run reads
 * (those of -C, else every online one, narrowed by the event's cpus=), as
 * @set[cpu] for the CPUs below @max. Returns how many, or -1 when cpus=
 * cannot be read (init() has checked it: not expected).
 */
int prof__cpus(const struct prof *prof, const struct evspec *ev, bool *set, int max);

/**
 * prof__watch - from start(): when @fd (a BPF ring buffer's epoll fd, say)
 * is readable, the run calls @ready (from its loop, between passes over
 * the rings). At most 4 per run. 0, or -1 with @err.
 */
int prof__watch(struct prof *prof, int fd, void (*ready)(struct prof *prof), struct err *err);

/* prof__diag - where notes and warnings of this run go (stderr for the CLI) */
FILE *prof__diag(const struct prof *prof);

#endif
