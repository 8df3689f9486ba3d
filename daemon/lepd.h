/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lepd.h - the method handlers: lepd's text results (lepd.c) and the
 * structured JSON of the HTTP API (api.c). methods.c puts them in a table.
 */
#ifndef PERF_PROF_DAEMON_LEPD_H
#define PERF_PROF_DAEMON_LEPD_H

#include "daemon.h"

#define LEPD_TEXT(n) int lepd__##n(struct mcall *c, const struct method *m)
LEPD_TEXT(hello);
LEPD_TEXT(list);
LEPD_TEXT(proc);
LEPD_TEXT(mpstat);
LEPD_TEXT(mpstat_irq);
LEPD_TEXT(irqinfo);
LEPD_TEXT(iostat);
LEPD_TEXT(top);
LEPD_TEXT(iotop);
LEPD_TEXT(cgtop);
LEPD_TEXT(free);
LEPD_TEXT(cpuinfo);
LEPD_TEXT(dmesg);
LEPD_TEXT(df);
LEPD_TEXT(procrank);
LEPD_TEXT(perf_cpuclock);
LEPD_TEXT(perf_faults);
LEPD_TEXT(perf_flame);
LEPD_TEXT(prof_top);
LEPD_TEXT(prof_syscalls);
LEPD_TEXT(prof_pidstat);
LEPD_TEXT(prof_num_dist);
LEPD_TEXT(prof_multi_trace);
LEPD_TEXT(prof_task_state);
LEPD_TEXT(prof_profile);
#undef LEPD_TEXT

#define API_JSON(n) int api__##n(struct mcall *c, const struct method *m, struct json *j)
API_JSON(hello);
API_JSON(methods);
API_JSON(load);
API_JSON(memory);
API_JSON(cpu);
API_JSON(irq);
API_JSON(io);
API_JSON(top);
API_JSON(iotop);
API_JSON(procrank);
API_JSON(df);
API_JSON(dmesg);
API_JSON(cgroups);
API_JSON(cpuinfo);
API_JSON(profile);
#undef API_JSON

/* human_size - busybox's -h: 1023, 1.0K, 19.6G */
void human_size(u64 bytes, char *buf, size_t len);

/* struct procrank_row - one process's memory (kB) from smaps_rollup */
struct procrank_row {
	int pid;
	u64 vss, rss, pss, uss;
	char cmd[256];
};

/* procrank__rows - every process with a memory map, by Pss; count or -1 */
int procrank__rows(struct procrank_row **rows);

#endif
