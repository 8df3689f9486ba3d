/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - the report cycle every profiler shares: the header line that
 * starts a text report, the members that start a JSON one, and the cycle
 * of interval reports (each over its interval, its table then merged into
 * the whole run's and reset), signal reports (the current interval, no
 * reset) and the final report, which covers the whole run: when interval
 * reports were printed, the last partial interval comes first, so interval
 * reports add up to the whole run exactly.
 *
 * The profiler keeps its tables (an interval's and the whole run's) and
 * says how to print and merge them through struct report_ops.
 */
#ifndef PERF_PROF_REPORT_H
#define PERF_PROF_REPORT_H

#include <stdio.h>

#include "util.h"

struct json;

/**
 * report__header - a text report's first line:
 *   "2026-11-22 03:31:02.118022 PROFILER: [KIND: ]TEXT\n"
 * the wall clock now, then @kind unless it is NULL, then @fmt. Each
 * profiler keeps its own TEXT ("N samples in T s, M in total", "final:
 * N values in T s", ...); this is the one place that frames it.
 */
void report__header(FILE *out, const char *profiler, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * report__json_begin - a JSON report's object begins: {"time":"WALL",
 * "report":"KIND" - then the profiler's members, and json_end()
 */
void report__json_begin(struct json *j, FILE *out, const char *kind);

/**
 * struct report_ops - what the cycle asks of a profiler
 * @print: print a report of @kind over @elapsed_ns: the whole run's table
 *         when @whole, else the interval's
 * @merge: fold the interval's table into the whole run's and reset it for
 *         the next interval; NULL when the profiler never resets (the
 *         interval's table is the whole run, as top --cumulative)
 */
struct report_ops {
	void (*print)(void *ctx, bool whole, const char *kind, u64 elapsed_ns);
	void (*merge)(void *ctx);
};

/**
 * struct report_cycle - where a run is in its reports
 * @start:    when the run's reports began (now_ns())
 * @last:     the end of the last interval report
 * @reported: an interval report was printed
 */
struct report_cycle {
	u64 start;
	u64 last;
	bool reported;
};

/* report_cycle__init - the run starts now */
void report_cycle__init(struct report_cycle *c);

/**
 * report__interval - an interval report of @kind ("interval", or e.g.
 * "trigger" for an early one): the interval's table, then it is merged
 * into the whole run's and reset (with a NULL merge: printed over the
 * whole run, nothing reset)
 */
void report__interval(struct report_cycle *c, const struct report_ops *ops, void *ctx,
		      const char *kind);

/* report__signal - the current interval's table as a "signal" report, nothing reset */
void report__signal(struct report_cycle *c, const struct report_ops *ops, void *ctx);

/**
 * report__final - the "final" report over the whole run: the last partial
 * interval first when interval reports were printed (merged like any),
 * then the whole run's table
 */
void report__final(struct report_cycle *c, const struct report_ops *ops, void *ctx);

#endif
