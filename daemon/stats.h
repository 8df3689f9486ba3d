/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - what two snapshots mean: CPU percentages, disk rates, process
 * rows. One computation shared by the lepd text layouts, the JSON API and
 * the metrics, so they can never disagree.
 */
#ifndef PERF_PROF_DAEMON_STATS_H
#define PERF_PROF_DAEMON_STATS_H

#include "snap.h"

/* mpstat's columns, in its order */
enum mp_col {
	MP_USR, MP_NICE, MP_SYS, MP_IOWAIT, MP_IRQ, MP_SOFT, MP_STEAL, MP_GUEST, MP_GNICE,
	MP_IDLE, MP_NR,
};

extern const char *const mp_col_names[MP_NR];

/**
 * cpu__percent - mpstat's percentages between two cpu lines (@a may be NULL:
 * since boot). Like sysstat, guest time is taken out of user/nice.
 */
void cpu__percent(const struct snap_cpu *a, const struct snap_cpu *b, double pct[MP_NR]);

/* the snapshot's line for @cpu, or NULL */
const struct snap_cpu *snap__cpu(const struct snap *s, int cpu);

/* counter__rate - per second of a counter that went from @a to @b in @secs */
double counter__rate(u64 a, u64 b, double secs);

/* the snapshot's interrupt line @name, cgroup @path; NULL when absent */
const struct snap_irq *snap__irq_find(const struct snap *s, const char *name);
const struct snap_cg *snap__cg_find(const struct snap *s, const char *path);

/* struct disk_rate - iostat -x of one device over an interval */
struct disk_rate {
	double rrqm, wrqm, r, w, rkb, wkb, avgrq, avgqu, await, r_await, w_await, svctm, util;
};

void disk__rate(const struct snap_disk *a, const struct snap_disk *b, double secs,
		struct disk_rate *r);

/* a device iostat and the API show: a whole disk that did any I/O */
bool disk__shown(const struct snap_disk *d);

/* struct proc_row - a process and its rates over the interval */
struct proc_row {
	const struct snap_proc *p;
	double cpu;		/* percent of one CPU */
	double mem;		/* percent of MemTotal */
	double rd, wr;		/* bytes/s */
	double io;		/* percent of the time waiting for block I/O */
};

enum proc_sort { SORT_CPU, SORT_MEM, SORT_IO, SORT_PID };

/**
 * procs__rows - every process of @cur with its rates, sorted by @sort
 * (descending, then by pid). Returns the count, or -1 (ENOMEM).
 */
int procs__rows(const struct snap *prev, const struct snap *cur, enum proc_sort sort,
		struct proc_row **rows);

/* page size in bytes, MemTotal in kB (for %MEM) */
long sys_page_size(void);
u64 mem_total_kb(void);

/* uname banner of sysstat: "Linux 6.1.0 (host) \t11/22/2026 \t_x86_64_\t(2 CPU)" */
void sysstat__banner(FILE *out, const struct snap *cur);

/* "HH:MM:SS" of the snapshot's wall clock */
void snap__clock(const struct snap *s, char *buf, size_t len);

#endif
