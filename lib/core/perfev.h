/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfev.h - the few things the session needs from libperf that its public
 * API does not expose: each mmap's address, the sample ids of an event, and
 * the filter ioctl on every fd. Kept in one file so a libperf upgrade
 * touches one place.
 */
#ifndef PERF_PROF_PERFEV_H
#define PERF_PROF_PERFEV_H

#include "util.h"

struct perf_evlist;
struct perf_evsel;

struct perfev_mmap {
	void *base;
	int fd;
	int cpu;	/* -1 for per-thread mmaps */
	int thread;	/* thread map index for per-thread mmaps, else -1 */
};

/* perfev__init - set libperf up (page size, where its messages go) */
void perfev__init(int verbose);

/* perfev__mmaps - the evlist's (non-overwrite) mmaps; returns the count */
int perfev__mmaps(struct perf_evlist *evlist, struct perfev_mmap **out);

/* perfev__ids - the sample ids of @evsel (one per fd); returns the count */
int perfev__ids(struct perf_evsel *evsel, const u64 **ids);

/* perfev__set_filter - PERF_EVENT_IOC_SET_FILTER on every fd: 0 or -errno */
int perfev__set_filter(struct perf_evsel *evsel, const char *filter);

/* perfev__fds - the open fds of @evsel (CPUs x threads) into @fds (at most @max); returns the count */
int perfev__fds(struct perf_evsel *evsel, int *fds, int max);

struct perf_cpu_map;
struct perf_thread_map;
/*
 * perfev__count - the event's count summed over every fd (CPUs x threads;
 * inherited children's counts are in their parent's once they exited)
 */
int perfev__count(struct perf_evsel *evsel, struct perf_cpu_map *cpus,
		  struct perf_thread_map *threads, u64 *count);

/* perfev__set_own_cpus - the event opens only on @cpus (kept by set_maps) */
void perfev__set_own_cpus(struct perf_evsel *evsel, struct perf_cpu_map *cpus);

/* perfev__pause - stop (or resume) the kernel writing into a ring: 0 or -errno */
int perfev__pause(int fd, bool pause);

/* perfev__evlist_delete - perf_evlist__delete() that also releases what libperf keeps */
void perfev__evlist_delete(struct perf_evlist *evlist);

#endif
