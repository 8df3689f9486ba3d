/* SPDX-License-Identifier: GPL-2.0 */
/*
 * taskstats.h - the kernel's taskstats exit records over generic netlink
 * (libnl-genl): every thread that exits on a registered CPU sends its final
 * accounting (CPU times, faults, context switches, I/O bytes, delays), which
 * /proc no longer has once the task is reaped. This is how a profiler
 * learns what a task that lived between two /proc scans did.
 *
 * A library: returns -errno (or -1 for a libnl failure), never prints.
 */
#ifndef PERF_PROF_TASKSTATS_H
#define PERF_PROF_TASKSTATS_H

#include "util.h"

/**
 * struct tstat_exit - what one exited thread did over its whole life
 * @tid, @pid:    the thread and its process
 * @uid:          its real uid
 * @comm:         its command name
 * @utime, @stime: user and system CPU time, ns, split as /proc splits them
 *                (the precise run time scaled by the ticks' user/system ratio)
 * @minflt, @majflt: page faults
 * @nvcsw, @nivcsw: voluntary and involuntary context switches
 * @read_bytes, @write_bytes, @cancelled_write_bytes: storage I/O
 * @run_delay:    ns waited runnable for a CPU
 * @blkio_delay:  ns waited for block I/O (0 without delay accounting)
 * @hiwater_rss, @hiwater_vm: peak RSS and VSZ, kB
 * @etime:        how long it lived, ns
 */
struct tstat_exit {
	int tid, pid;
	u32 uid;
	char comm[32];
	u64 utime, stime;
	u64 minflt, majflt;
	u64 nvcsw, nivcsw;
	u64 read_bytes, write_bytes, cancelled_write_bytes;
	u64 run_delay;
	u64 blkio_delay;
	u64 hiwater_rss, hiwater_vm;
	u64 etime;
};

struct tstats;

typedef void (*tstats_cb)(void *ctx, const struct tstat_exit *e);

/**
 * tstats__open - listen to the exit records of every CPU; @rcvbuf bytes of
 * socket buffer hold the records between two reads (0: 8 MiB). Returns 0
 * and *@out, or -errno (-ENOENT: no taskstats in this kernel).
 */
int tstats__open(struct tstats **out, int rcvbuf);

/**
 * tstats__read - every record queued now, through @cb; never blocks.
 * Returns the records read, or -errno for a socket failure. Records the
 * kernel dropped (a full buffer) are counted in tstats__lost().
 */
int tstats__read(struct tstats *t, tstats_cb cb, void *ctx);

/* tstats__lost - how many times the kernel dropped records (ENOBUFS) */
u64 tstats__lost(const struct tstats *t);

/* tstats__close - stop listening and free; NULL is ok */
void tstats__close(struct tstats *t);

#endif
