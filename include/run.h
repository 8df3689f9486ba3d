/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run.h - one run of one profiler, for the programs that host runs: the
 * command line (perf-prof.c), the daemon, the fuzzers and tests. Several
 * runs can live in one process and end independently: each owns its
 * events, rings, probes, task table, symbols and formats.
 *
 * The host owns the loop, the way libbpf's ring buffer API leaves it to the
 * caller: a run exposes one pollable fd (readable when one of its rings, its
 * interval timer or a target's exit needs attention) and a non-blocking
 * step, run__process(), to call when it is readable or when
 * run__timeout_ms() has passed. The host owns signals too, and tells each
 * run what they mean (run__stop(), run__sigusr1()).
 *
 *   r = run__new(ops, &cfg);
 *   run__parse_args(r, argc, argv, &help_word, &err);
 *   run__setup(r, &err);              events resolved, opened, mapped
 *   run__start(r, &err);              enabled, workload released
 *   while (!run__done(r)) { poll(run__fd(r), run__timeout_ms(r)); run__process(r); }
 *   run__finish(r, &err);             drained, final report written
 *   run__delete(r);                   closed, probes removed
 */
#ifndef PERF_PROF_RUN_H
#define PERF_PROF_RUN_H

#include <signal.h>
#include <stdio.h>

#include "profiler.h"

struct run;

/**
 * struct run_config - how a host runs it
 * @out:  where reports go; NULL: stdout (or the -o FILE of the arguments)
 * @diag: where notes and warnings go; NULL: stderr
 * @child_sigmask: the signal mask a workload starts with (the host's mask
 *        before it blocked the signals it reads); NULL: the mask at fork
 */
struct run_config {
	FILE *out;
	FILE *diag;
	const sigset_t *child_sigmask;
};

/* run__new - a run of @ops, options at their defaults */
struct run *run__new(const struct profiler *ops, const struct run_config *cfg);

/**
 * run__parse_args - the profiler's command line after its name: common and
 * profiler options, positional arguments, the workload after "--".
 * @help_word: set when the word "help" was given (print run__help_events())
 * Returns 0, or -1 with @err (EXIT_USAGE).
 */
int run__parse_args(struct run *r, int argc, char **argv, bool *help_word, struct err *err);

/**
 * run__parse_string - the same from one string split at spaces (quotes
 * group words): "-F 99 -g -C 0". For hosts that take option strings.
 */
int run__parse_string(struct run *r, const char *args, struct err *err);

/* run__usage - the -h text of the run's profiler */
void run__usage(const struct run *r, FILE *out);

/**
 * run__list_opts - the options of the run's profiler for scripts (the bash
 * completion, the man pages): opt_list()'s lines for the common options it
 * takes and its own, then one line per event attribute it accepts,
 * "EVENT ATTRIBUTES<tab>attr<tab>-<tab>NAME<tab>-<tab>-". With @r NULL:
 * every common option, whichever profiler takes it.
 */
void run__list_opts(const struct run *r, FILE *out);

/* run__help_events - resolve the events and print their fields ("help") */
int run__help_events(struct run *r, FILE *out, struct err *err);

/**
 * run__setup - resolve the events (formats, probes), run the profiler's
 * init(), prepare the workload (held before exec), open the events on the
 * CPUs/threads asked for, set filters, map the rings. Everything is undone
 * by run__delete(), also after a failure here.
 */
int run__setup(struct run *r, struct err *err);

/* run__start - enable the events and release the workload */
int run__start(struct run *r, struct err *err);

/* run__fd - the fd to poll for readability (-1: none, just call run__process on time) */
int run__fd(const struct run *r);

/* run__timeout_ms - the longest the host may wait before the next run__process() */
int run__timeout_ms(const struct run *r);

/**
 * run__process - deliver what the rings hold, run the interval report when
 * due, notice targets that exited. Never blocks. Returns 0, or -1 with
 * @err on a runtime failure (the run is then done).
 */
int run__process(struct run *r, struct err *err);

/* run__done - the run has ended (stop asked, -N, targets gone, failure) */
bool run__done(const struct run *r);

/* run__stop - end the run (Ctrl-C, SIGTERM, a host's deadline) */
void run__stop(struct run *r);

/* run__sigusr1 - interim statistics to the diagnostics stream, the profiler's to its output */
void run__sigusr1(struct run *r);

/**
 * run__finish - stop the producers, deliver everything they wrote, write
 * the final report and check that the output was written. Returns 0, or
 * -1 with @err (e.g. the output file could not be written).
 */
int run__finish(struct run *r, struct err *err);

/**
 * run__replay_mem - for tests and fuzzers: after run__parse_args() (or with
 * options set in run__prof()), resolve the events, run init() and deliver
 * the records of a replay buffer (tests/replay/README.md) through the same
 * decode/order/dispatch path, then write the final report. @buf is
 * malloc'ed; the run owns it from now on, also on failure.
 */
int run__replay_mem(struct run *r, char *buf, size_t len, const char *name, struct err *err);

/* run__replay_file - the same from a file */
int run__replay_file(struct run *r, const char *path, struct err *err);

/**
 * run__workload_status - the wait status of the workload once it exited
 * (-1: no workload, or it has not exited)
 */
int run__workload_status(struct run *r);

/*
 * run__counters - records read from the rings and records lost, so far;
 * after run__finish() the loss includes samples the kernel counted and
 * never wrote
 */
void run__counters(const struct run *r, u64 *records, u64 *lost);

/* run__prof - the profiler instance (options may be set before run__setup) */
struct prof *run__prof(struct run *r);

/* run__delete - deinit, disable, unmap, close, remove probes, free */
void run__delete(struct run *r);

#endif
