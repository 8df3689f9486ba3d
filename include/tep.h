/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tep.h - tracefs and event formats. Finds (or mounts) tracefs, reads
 * event formats from it into a run's libtraceevent handle, lists tracepoints,
 * and fetches the kernel's reason when it refuses a filter.
 */
#ifndef PERF_PROF_TEP_H
#define PERF_PROF_TEP_H

#include "util.h"

struct tep_handle;
struct tep_event;

/**
 * tracefs__root - the tracefs mount point ("/sys/kernel/tracing"), mounting
 * it there when no tracefs is mounted. NULL with @err set when impossible.
 */
const char *tracefs__root(struct err *err);

struct ksyms;

/**
 * tep__new - a libtraceevent handle for one run; kernel addresses in print
 * formats are named from @ks (may be NULL)
 */
struct tep_handle *tep__new(struct ksyms *ks);

/* tep__delete - free the handle and every format loaded into it */
void tep__delete(struct tep_handle *tep);

/**
 * tep__load - the format of @sys:@name, parsed once and cached in @tep.
 * NULL with @err (EXIT_USAGE, with a hint) when there is no such event,
 * EXIT_FAIL when tracefs cannot be read.
 */
struct tep_event *tep__load(struct tep_handle *tep, const char *sys, const char *name,
			    struct err *err);

/**
 * tep__tracepoints - every tracepoint as "sys:name", sorted (strcmp).
 * Returns the count (>= 0) and a malloc'ed array of malloc'ed strings in
 * @names, or -1 with @err.
 */
int tep__tracepoints(char ***names, struct err *err);

/* tep__free_names - free what tep__tracepoints returned */
void tep__free_names(char **names, int n);

/**
 * tep__filter_reason - why the kernel refuses @filter on @sys:@name, in its
 * own words ("Field not found"); "" when it cannot tell. Uses a private
 * tracefs instance created and removed on the spot.
 */
void tep__filter_reason(const char *sys, const char *name, const char *filter, char *buf,
			size_t len);

#endif
