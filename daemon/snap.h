/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snap.h - one snapshot of the machine's counters (/proc/stat, diskstats,
 * interrupts, softirqs, every process, cgroup v2), taken by the sampler
 * thread every period. Rates are always the difference of two snapshots:
 * nothing sleeps while a request waits. Immutable once published.
 */
#ifndef PERF_PROF_DAEMON_SNAP_H
#define PERF_PROF_DAEMON_SNAP_H

#include <time.h>

#include "daemon.h"

/* the columns of a cpu line of /proc/stat, in its order (USER_HZ ticks) */
enum cpu_state {
	CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ,
	CPU_STEAL, CPU_GUEST, CPU_GUEST_NICE, CPU_NR_STATES,
};

extern const char *const cpu_state_names[CPU_NR_STATES];

struct snap_cpu {
	int cpu;			/* -1 for the "cpu" total line */
	u64 t[CPU_NR_STATES];
};

/* the columns of /proc/diskstats after the name */
enum disk_field {
	DISK_RD_IOS, DISK_RD_MERGES, DISK_RD_SECTORS, DISK_RD_TICKS,
	DISK_WR_IOS, DISK_WR_MERGES, DISK_WR_SECTORS, DISK_WR_TICKS,
	DISK_IN_FLIGHT, DISK_IO_TICKS, DISK_RQ_TICKS,
	DISK_DC_IOS, DISK_DC_MERGES, DISK_DC_SECTORS, DISK_DC_TICKS,
	DISK_FL_IOS, DISK_FL_TICKS, DISK_NR_FIELDS,
};

struct snap_disk {
	char name[32];
	bool whole;			/* a disk, not a partition (/sys/block/NAME) */
	u64 v[DISK_NR_FIELDS];
};

/* one row of /proc/interrupts: @count[ncpu], @total */
struct snap_irq {
	char name[16];
	char desc[64];
	u64 total;
	u64 *count;
};

struct snap_proc {
	int pid;
	int ppid;
	unsigned int uid;
	char state;
	char comm[16];
	int threads;
	long prio;		/* /proc stat "priority" */
	long nice;
	u64 utime, stime;	/* ticks */
	u64 start;		/* ticks after boot */
	u64 vsize;		/* bytes */
	u64 rss;		/* pages */
	u64 blkio;		/* delayacct_blkio_ticks */
	bool io_ok;		/* /proc/PID/io was readable */
	u64 rbytes, wbytes;	/* read_bytes, write_bytes */
	char *cmd;		/* command line, spaces for NULs; "[comm]" for kthreads */
};

struct snap_cg {
	char *path;		/* "/", "/system.slice", ... */
	s64 tasks;		/* -1 when unknown */
	s64 cpu_usec;
	s64 mem;		/* bytes, -1 when unknown (the root) */
	u64 rbytes, wbytes;
};

/**
 * struct snap - one snapshot
 * @mono_ns: CLOCK_MONOTONIC when taken (the zero snapshot: boot)
 * @wall:    wall clock when taken
 * @uptime_ticks: uptime in USER_HZ ticks (process ages)
 * @cpu, @nr_cpu: per-CPU lines; @all the total line
 */
struct snap {
	int refs;
	bool zero;
	u64 mono_ns;
	struct timespec wall;
	u64 uptime_ticks;

	struct snap_cpu all;
	struct snap_cpu *cpu;
	int nr_cpu;
	u64 intr, ctxt, forks, softirq, btime;
	u64 running, blocked;

	struct snap_disk *disk;
	int nr_disk;

	int irq_cpus;			/* CPU columns of /proc/interrupts */
	struct snap_irq *irq;
	int nr_irq;

	int sirq_cpus;
	char (*sirq_name)[16];
	u64 *sirq;			/* [nr_sirq][sirq_cpus] */
	int nr_sirq;

	struct snap_proc *proc;		/* sorted by pid */
	int nr_proc;

	bool cg2;			/* cgroup v2 is mounted */
	struct snap_cg *cg;
	int nr_cg;
};

/* snap_interval - seconds between two snapshots (never 0) */
double snap__interval(const struct snap *prev, const struct snap *cur);

/* snap__proc_find - @pid in @s (binary search), or NULL */
const struct snap_proc *snap__proc_find(const struct snap *s, int pid);

/* snap__disk_find - @name in @s, or NULL */
const struct snap_disk *snap__disk_find(const struct snap *s, const char *name);

/**
 * snap__proc_rate - CPU seconds per second of @p since @prev (or since it
 * started, when it is new), and its read/write bytes per second
 */
void snap__proc_rate(const struct snap *prev, const struct snap *cur, const struct snap_proc *p,
		     double *cpu, double *rd, double *wr, double *blkio);

/* ticks per second of /proc's clock_t fields */
extern long snap_hz;

/* meminfo - the value of @key in kB from a /proc/meminfo text, 0 when absent */
u64 meminfo__kb(const char *text, const char *key);

#endif
