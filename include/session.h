/* SPDX-License-Identifier: GPL-2.0 */
/*
 * session.h - the pipeline of one run: events resolved from their
 * selectors, perf events opened through libperf, one ring per CPU, the
 * event loop (rings + interval timer + signals), optional time ordering,
 * decoding, and delivery to the profiler.
 */
#ifndef PERF_PROF_SESSION_H
#define PERF_PROF_SESSION_H

#include "profiler.h"
#include "ring.h"

struct session;

/**
 * session__new - parse every -e of @prof, expand globs, load formats.
 * On success prof->evs/nr_evs are set. NULL with @err on failure.
 */
struct session *session__new(struct prof *prof, struct err *err);

/**
 * session__open - start the workload (held before exec), open every event
 * on the CPUs/threads asked for, set filters (kernel, else user space), map
 * the rings. Unwinds completely on failure.
 */
int session__open(struct session *s, struct err *err);

/**
 * session__run - enable the events, release the workload, and deliver
 * records until Ctrl-C/SIGTERM, -N, or the workload's/targets' exit; then
 * drain what is left and return 0 (or -1 with @err on a runtime failure).
 * The profiler's final() is the caller's business.
 */
int session__run(struct session *s, struct err *err);

/**
 * session__replay - deliver the records of a replay file (see
 * tests/replay/README.md) through the same decode/order/dispatch path.
 */
int session__replay(struct session *s, const char *path, struct err *err);

/**
 * session__replay_mem - the same over @len bytes at @buf (malloc'ed; the
 * session owns it from now on, also on failure). @name names it in errors.
 * Fuzzers feed arbitrary bytes here.
 */
int session__replay_mem(struct session *s, char *buf, size_t len, const char *name,
			struct err *err);

struct syms;
/* session__syms - user symbol tables (NULL when no event samples stacks) */
struct syms *session__syms(const struct session *s);

/* session__print_stats - per-ring records/bytes/lost and pipeline counters */
void session__print_stats(struct session *s, FILE *out);

/* session__lost - total records the kernel dropped so far */
u64 session__lost(const struct session *s);

/* session__ncpus - number of CPUs the events are open on (rings) */
int session__nr_rings(const struct session *s);

/**
 * session__expr_error - count a run-time expression error for @ev (the
 * sample is skipped); the totals are reported at exit.
 */
void session__expr_error(struct session *s, const struct evspec *ev);

/* session__stop - end the run after the current record */
void session__stop(struct session *s);

/* session__output_errno - errno of the first failed write of stdout, 0 if none */
int session__output_errno(const struct session *s);

/* session__delete - disable, unmap, close, reap the workload, free */
void session__delete(struct session *s);

/**
 * session__workload_failed - the workload could not be executed; the
 * reason is in @err. 0 when it ran (or there is none).
 */
int session__workload_status(const struct session *s);

#endif
