/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prun.h - profilers run in-process by the daemon's methods (prun.c), their
 * reports captured for perf.c.
 */
#ifndef PERF_PROF_DAEMON_PRUN_H
#define PERF_PROF_DAEMON_PRUN_H

#include "daemon.h"

/**
 * prun__capture - run @profiler with @args for @ms milliseconds (or until
 * it ends), its report in @buf and @len (malloc'ed). Returns 0, or -1 with
 * c->code/c->msg. Records read and lost are added to the daemon's counters.
 */
int prun__capture(struct mcall *c, const char *profiler, const char *args, u64 ms, char **buf,
		  size_t *len);

/* prun__shutdown - end the runs going on (the daemon stops) */
void prun__shutdown(void);

/* prun__seconds - the "seconds" param (1..10, default 1) in ms */
int prun__seconds(struct mcall *c, u64 *ms);

#endif
