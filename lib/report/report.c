// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - the report cycle (see include/report.h): the header line, the
 * JSON frame, and interval / signal / final reports over the profiler's
 * tables.
 */
#include <stdarg.h>

#include "json.h"
#include "report.h"

void report__header(FILE *out, const char *profiler, const char *kind, const char *fmt, ...)
{
	char now[64];
	va_list ap;

	wall_time_str(now, sizeof(now));
	fprintf(out, "%s %s: ", now, profiler);
	if (kind)
		fprintf(out, "%s: ", kind);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

void report__json_begin(struct json *j, FILE *out, const char *kind)
{
	char now[64];

	wall_time_str(now, sizeof(now));
	json_begin(j, out);
	json_str(j, "time", now);
	json_str(j, "report", kind);
}

void report_cycle__init(struct report_cycle *c)
{
	c->start = c->last = now_ns();
	c->reported = false;
}

void report__interval(struct report_cycle *c, const struct report_ops *ops, void *ctx,
		      const char *kind)
{
	u64 now = now_ns();

	if (!ops->merge) {
		/* nothing resets: every report is over the whole run */
		ops->print(ctx, false, kind, now - c->start);
		return;
	}
	ops->print(ctx, false, kind, now - c->last);
	ops->merge(ctx);
	c->reported = true;
	c->last = now;
}

void report__signal(struct report_cycle *c, const struct report_ops *ops, void *ctx)
{
	u64 now = now_ns();

	ops->print(ctx, false, "signal", now - (ops->merge ? c->last : c->start));
}

void report__final(struct report_cycle *c, const struct report_ops *ops, void *ctx)
{
	if (!ops->merge || !c->reported) {
		/* the interval's table holds the whole run */
		ops->print(ctx, false, "final", now_ns() - c->start);
		return;
	}
	report__interval(c, ops, ctx, "interval");
	ops->print(ctx, true, "final", now_ns() - c->start);
}
