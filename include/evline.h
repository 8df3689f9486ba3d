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

struct stackmap;

/**
 * evline__print_in - evline__print() with the stack interned in @stacks
 * (its tag: the event's index) and printed from there: each distinct address is symbolized
 * once, in the process image of the sample. Returns the stack's id, 0 when
 * the sample has none (or @stacks is full: then it prints as
 * evline__print() does).
 */
u32 evline__print_in(const struct evline *l, FILE *out, struct trace_seq *seq,
		     const struct prof_sample *s, const char *gutter, const struct run_env *env,
		     struct stackmap *stacks);

struct json;

/**
 * evline__json - the sample's members every JSON event object starts with:
 * "time" (seconds), "cpu", "pid", "tid", "comm"
 */
void evline__json(struct json *j, const struct prof_sample *s, const struct run_env *env);

#endif
