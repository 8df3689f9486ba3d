/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - what lib/probe/probe.c (resolving terms, listing dynamic
 * events) and lib/probe/registry.c (creating, owning and removing them)
 * share. Not a public interface: everything else goes through probe.h.
 */
#ifndef PERF_PROF_PROBE_INTERNAL_H
#define PERF_PROF_PROBE_INTERNAL_H

#include "probe.h"

#define EVENT_BASE_MAX 52	/* room for "__return" and "_NNN" in 63 chars */

/* one line of tracefs dynamic_events (or uprobe_events/kprobe_events) */
struct dyn_line {
	char type;		/* p r e f t s ... */
	char group[128];
	char event[128];
	const char *rest;	/* place and args */
};

/* dyn_parse - "p:GROUP/EVENT rest", "r10:GROUP/EVENT rest", "s:synthetic/x" */
bool dyn_parse(const char *line, struct dyn_line *d);
/* dyn_read - every definition line: dynamic_events, else the two probe files */
char *dyn_read(const char *root);

bool kind_is_ret(enum evspec_kind kind);
bool kind_is_kernel(enum evspec_kind kind);

#endif
