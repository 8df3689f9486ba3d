/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evline.h - one event as the stable text line every profiler prints
 * (trace's format), with its call stack under it.
 */
#ifndef PERF_PROF_EVLINE_H
#define PERF_PROF_EVLINE_H

#include <stdio.h>

#include "profiler.h"

struct tep_event;
struct trace_seq;
struct run_env;

/**
 * struct evline - what printing one event's line needs, resolved once:
 * where its ftrace flags are (-1 when the format has none)
 */
struct evline {
	int flags_off;
	int preempt_off;
};

/* evline__init - find the flag fields of @tp */
void evline__init(struct evline *l, struct tep_event *tp);

/**
 * evline__print - @gutter (may be "") then the line trace prints:
 *   TIME COMM PID/TID [CPU] FLAGS EVENT: FIELDS
 * and, when @s has a callchain, its frames as callchain__print() writes
 * them. Names (comm, symbols) come from @env. @seq is a scratch trace_seq
 * owned by the caller. The line is always one line of the same columns:
 * COMM and EVENT are escaped as text_name() does, FIELDS as text_fput().
 */
void evline__print(const struct evline *l, FILE *out, struct trace_seq *seq,
		   const struct prof_sample *s, const char *gutter, const struct run_env *env);

struct json;

/**
 * evline__json - the sample's members every JSON event object starts with:
 * "time" (seconds), "cpu", "pid", "tid", "comm"
 */
void evline__json(struct json *j, const struct prof_sample *s, const struct run_env *env);

#endif
