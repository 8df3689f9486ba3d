/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tasks.h - the run's task table: tid -> command name and parent. Fed by
 * PERF_RECORD_COMM/FORK/EXIT records while a run reads its rings, and by
 * /proc/TID/comm the first time an unknown tid is asked for. Lookups are a
 * hash probe; /proc is read at most once per tid. One table per run.
 */
#ifndef PERF_PROF_TASKS_H
#define PERF_PROF_TASKS_H

#include "util.h"

struct tasks;

/* tasks__new - an empty table */
struct tasks *tasks__new(void);

/* tasks__delete - free the table */
void tasks__delete(struct tasks *t);

/**
 * tasks__comm - the command name of @pid ("<idle>" for 0), or "<...>" when it
 * is not known and /proc has no entry (the task is gone). Never NULL; the
 * string stays valid until the next tasks__set_comm() for the same pid.
 * A NULL table knows no task.
 */
const char *tasks__comm(struct tasks *t, int pid);

/* tasks__set_comm - @pid is now called @comm (exec, prctl, fork inherits) */
void tasks__set_comm(struct tasks *t, int pid, const char *comm);

/*
 * tasks__fork - @pid was forked from @parent at @time (0: unknown): it goes by the
 * parent's name until its own. Records read out of order are taken into account: a
 * name the task's own COMM gave it, or its exit after @time, is not undone.
 */
void tasks__fork(struct tasks *t, int pid, int parent, u64 time);

/* tasks__exit - @pid exited at @time (0: unknown); keep the name (late samples still need it) */
void tasks__exit(struct tasks *t, int pid, u64 time);

/**
 * tasks__gc - forget tasks that exited before the previous call (the run
 * calls it every few seconds), so a long system-wide run stays bounded by
 * the tasks alive plus those that exited recently.
 */
void tasks__gc(struct tasks *t);

/**
 * tasks__seed_proc - name every task alive now from /proc (as perf
 * synthesizes its COMM records), so that a task that started before the run
 * and exits before a report keeps its name; returns how many
 */
int tasks__seed_proc(struct tasks *t);

/* tasks__nr - names held (tests, statistics) */
size_t tasks__nr(const struct tasks *t);

#endif
