/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run-internal.h - the inside of a run, shared by the files of the core
 * pipeline only (run.c: lifecycle, loop step, decode and delivery;
 * cmdline.c: options; events.c: event kinds, open, filters; targets.c:
 * CPUs, tasks, workload; replay.c: record buffers). Profilers and hosts see
 * struct prof (profiler.h) and the run__*() calls (run.h).
 */
#ifndef PERF_PROF_RUN_INTERNAL_H
#define PERF_PROF_RUN_INTERNAL_H

#include <signal.h>
#include <linux/perf_event.h>

#include "env.h"
#include "idmap.h"
#include "order.h"
#include "profiler.h"
#include "ring.h"
#include "run.h"
#include "workload.h"

/*
 * The sample layout every tracepoint shares; stacks/regs are added per
 * event. Records are kept small, since the reader pulls every byte of them
 * from the producing CPU's cache: the CPU is asked for only when a ring is
 * not bound to one CPU (a per-CPU ring's samples all come from its CPU).
 * PERIOD is always there: a tracepoint whose kernel definition passes a
 * count (sched_stat_runtime, sched_stat_*) is otherwise delivered once per
 * unit of the count. SAMPLE_FULL is the kernel's layout with the CPU too:
 * replay files written that way take it.
 */
#define SAMPLE_BASE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
		     PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW)
#define SAMPLE_FULL (SAMPLE_BASE | PERF_SAMPLE_CPU)

#define FLUSH_PERIOD_MS 100	/* longest a record waits in a quiet ring */

struct syms;
struct unwind_ctx;
struct perf_cpu_map;
struct perf_thread_map;
struct perf_evlist;
struct perf_evsel;
struct tep_handle;

#define RUN_MAX_WATCH 4

struct run {
	struct prof prof;	/* the profiler instance */
	struct run_env env;	/* names: tasks, kernel and user symbols */
	struct tep_handle *tep;	/* formats of this run's events */
	struct evspec_list evs;
	struct probes *probes;	/* this run's probes (made on the first), removed with it */
	FILE *diag;		/* notes and warnings */
	FILE *out_file;		/* -o FILE, opened and closed by the run */
	sigset_t child_mask;
	bool has_child_mask;

	/* options: tables built for this profiler (freed at the end) */
	struct opt *ctab;
	struct opt_set sets[2];
	char **words;		/* run__parse_string()'s words */
	bool prepared;		/* prepare() ran: deinit() is owed */
	bool inited;		/* init() ran (or failed): deinit() is owed */
	bool ready;		/* init() succeeded: final() reports */
	bool finished;

	/* targets */
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	bool task_mode;		/* events bound to -p/-t/workload tasks */
	bool cpu_wide;		/* task_mode targets, events on every CPU (profiler's cpu_wide) */
	int *target_tids;	/* the targets' threads (prof__targets()) */
	int nr_target_tids;
	int *pidfds;
	int nr_pidfds, pidfds_left;
	pid_t *watch_tids;	/* -t targets: polled, a thread has no pidfd before 6.9 */
	int nr_watch_tids;
	u64 last_watch;
	struct workload wl;
	bool has_workload;
	int wl_pidfd;		/* readable when the workload exits; -1: polled */
	struct run_watch {	/* the profiler's own fds (prof__watch()) */
		int fd;
		void (*ready)(struct prof *prof);
	} watch[RUN_MAX_WATCH];
	int nr_watch;

	/* events and rings */
	struct perf_evlist *evlist;
	struct perf_evsel *tracker;	/* carries task records when events have cpus= */
	bool opened;
	struct ring *rings;
	int nr_rings;
	struct order order;
	u64 sample_base;	/* SAMPLE_BASE plus what the rings need */
	unsigned trailer_time;	/* bytes from a record's end to its sample_id time */
	unsigned time_slot;	/* u64 slot of a sample's time (0: depends on the event) */
	struct idmap ids;	/* sample id -> struct evspec */
	char **replay_bufs;	/* one per replay ring */
	bool replaying;		/* fed from a buffer: nothing can run in the kernel */
	u64 *ow_seen;		/* --overwrite: per ring, the newest time delivered */

	/* timestamps: --tsc conversion, --clock-offset */
	bool time_fix;
	u64 tsc_zero, tsc_mult;
	u16 tsc_shift;

	/* --perfeval-cpus / --perfeval-pids: samples delivered per CPU / process */
	bool perfeval;
	u64 *eval_cpu;		/* indexed by CPU */
	int nr_eval_cpu;
	bool *eval_cpu_want;
	pid_t *eval_pid;
	u64 *eval_pid_n;
	int nr_eval_pid;
	u64 start_ns;

	/* the loop */
	int epfd, timerfd;
	u64 next_flush;		/* FLUSH_PERIOD_MS pass when no ring woke us */
	u64 last_gc;		/* last tasks__gc() */
	int out_errno;		/* first failed write of the output */
	struct err *failed;	/* prof__fail(): the first report that could not be written */
	bool stop;
	bool draining;
	bool started;

	/* event sources: runs of the profilers named in -e, owned by this one */
	struct run *parent;
	struct run **children;
	int nr_children;

	/* counters */
	u64 delivered;
	u64 filtered;
	u64 unknown_id;
	u64 throttled;
	bool lost_exact;	/* every event's count was read at the end: */
	u64 lost_samples;	/* samples generated and never read, exactly */
	u64 last_lost_report;
	u64 *expr_errors;	/* per event */
	bool user_filters;

	/* stacks: user symbols follow the tasks' mappings; DWARF unwinding */
	struct unwind_ctx *unwind;
	u64 stack_user;		/* --call-graph dwarf copy size, 0: frame pointers */
	int sp_index;		/* SP's slot in the sampled user registers */
	u64 *chain;		/* kernel part + unwound user part of one sample */
	u64 unwind_failed;
	u64 order_slack;	/* ns: the ordered reader's, ORDER_SLACK_NS and up */
	u64 done_mask;		/* ring space goes back every done_mask + 1 records */
};

/* cmdline.c */
int run__build_options(struct run *r);

/* run.c */
int run__resolve(struct run *r, struct err *err);

/* events.c: selectors -> resolved events -> perf fds */
int run__events_parse(struct run *r, struct err *err);
int run__events_open(struct run *r, struct err *err);
int run__events_filters(struct run *r, struct err *err);
int run__events_stacks(struct run *r, struct err *err);
int run__events_mmap(struct run *r, struct err *err);
void run__events_layouts(struct run *r);
void run__events_free(struct run *r);

/* targets.c */
/*
 * parse_cpu_list - strict "0", "0-3", "0,2-3": sets @set[c] for the CPUs
 * c < @max; @beyond is the first CPU asked for at or past @max (-1: none).
 * Returns 0, or -1 with @err (EXIT_USAGE).
 */
int parse_cpu_list(const char *list, bool *set, int max, int *beyond, struct err *err);
/*
 * parse_pid_list - "123", "123,456" (-p/-t, named @opt in messages):
 * positive ids, duplicates dropped, into a malloc'ed @out of @n. Returns 0,
 * or -1 with @err (EXIT_USAGE).
 */
int parse_pid_list(const char *list, const char *opt, pid_t **out, int *n, struct err *err);
int run__targets(struct run *r, struct err *err);
bool run__tids_gone(struct run *r);
void run__targets_free(struct run *r);

/* run.c: the delivery path, shared with replay.c */
void run__mark_hooked(struct run *r);
void run__pass(struct run *r);
void run__report_lost(struct run *r, bool force);
int run__note(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
