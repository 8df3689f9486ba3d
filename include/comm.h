/* SPDX-License-Identifier: GPL-2.0 */
/*
 * comm.h - the pid -> command-name table. Fed by PERF_RECORD_COMM/FORK/EXIT
 * records while a session runs, and by /proc/PID/comm the first time an
 * unknown pid is asked for. Lookups are a hash probe; /proc is read at most
 * once per pid.
 */
#ifndef PERF_PROF_COMM_H
#define PERF_PROF_COMM_H

#include "util.h"

/**
 * comm_get - the command name of @pid ("<idle>" for 0), or "<...>" when it
 * is not known and /proc has no entry (the task is gone). Never NULL; the
 * string stays valid until the next comm_set() for the same pid.
 */
const char *comm_get(int pid);

/* comm_set - @pid is now called @comm (exec, prctl, fork inherits) */
void comm_set(int pid, const char *comm);

/* comm_fork - @pid was forked from @parent: it goes by the parent's name until its own */
void comm_fork(int pid, int parent);

/* comm_exit - @pid exited; keep the name (late samples still need it) */
void comm_exit(int pid);

/**
 * comm_gc - forget tasks that exited before the previous call (the session
 * calls it every few seconds), so a long system-wide run stays bounded by
 * the tasks alive plus those that exited recently.
 */
void comm_gc(void);

/* comm_nr - names held (tests, statistics) */
size_t comm_nr(void);

void comm_reset(void);

#endif
