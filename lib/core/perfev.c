// SPDX-License-Identifier: GPL-2.0
/*
 * perfev.c - reaches into libperf's internal structures (see perfev.h).
 * This is the only file built with tools/include on the include path.
 */
#include <errno.h>
#include <internal/evlist.h>
#include <internal/evsel.h>
#include <internal/mmap.h>
#include <internal/xyarray.h>
#include <linux/perf_event.h>
#include <perf/evlist.h>
#include <perf/core.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "perfev.h"

int perfev__mmaps(struct perf_evlist *evlist, struct perfev_mmap **out)
{
	struct perfev_mmap *v;
	int n = 0;

	/* every event writes backward (an overwrite run), or none does */
	struct perf_mmap *maps = evlist->mmap ? evlist->mmap : evlist->mmap_ovw;

	v = xzalloc((size_t)(evlist->nr_mmaps ? evlist->nr_mmaps : 1) * sizeof(*v));
	for (int i = 0; maps && i < evlist->nr_mmaps; i++) {
		struct perf_mmap *m = &maps[i];

		if (!m->base)
			continue;
		v[n].base = m->base;
		v[n].fd = m->fd;
		v[n].cpu = m->cpu.cpu;
		v[n].thread = m->cpu.cpu < 0 ? i : -1;
		n++;
	}
	*out = v;
	return n;
}

int perfev__ids(struct perf_evsel *evsel, const u64 **ids)
{
	*ids = evsel->id;
	return (int)evsel->ids;
}

int perfev__set_filter(struct perf_evsel *evsel, const char *filter)
{
	int r = perf_evsel__apply_filter(evsel, filter);

	return r ? -errno : 0;
}

int perfev__fds(struct perf_evsel *evsel, int *fds, int max)
{
	int n = 0;

	if (!evsel->fd)
		return 0;
	for (int x = 0; x < xyarray__max_x(evsel->fd); x++)
		for (int y = 0; y < xyarray__max_y(evsel->fd); y++) {
			int fd = *(int *)xyarray__entry(evsel->fd, (size_t)x, (size_t)y);

			if (fd < 0)
				continue;
			if (n < max)
				fds[n] = fd;
			n++;
		}
	return n;
}

static int perfev_verbose;

/* libperf's debug chatter only with -vv */
static int perfev__print(enum libperf_print_level level, const char *fmt, va_list ap)
{
	if (level > LIBPERF_ERR && perfev_verbose < 2)
		return 0;
	fputs("libperf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

void perfev__init(int verbose)
{
	perfev_verbose = verbose;
	libperf_init(perfev__print);
}

void perfev__evlist_delete(struct perf_evlist *evlist)
{
	struct perf_evsel *evsel;

	if (!evlist)
		return;
	/*
	 * libperf 6.1's perf_evsel__delete() frees only the struct: the map
	 * references taken by perf_evlist__set_maps() and the sample ids
	 * stay behind. Release them first.
	 */
	perf_evlist__for_each_evsel(evlist, evsel) {
		perf_evsel__free_id(evsel);
		perf_cpu_map__put(evsel->cpus);
		perf_cpu_map__put(evsel->own_cpus);
		perf_thread_map__put(evsel->threads);
		evsel->cpus = evsel->own_cpus = NULL;
		evsel->threads = NULL;
	}
	perf_evlist__delete(evlist);
}

int perfev__count(struct perf_evsel *evsel, struct perf_cpu_map *cpus,
		  struct perf_thread_map *threads, u64 *count)
{
	int nc, nt = perf_thread_map__nr(threads);

	/* an event with cpus= has its own map */
	cpus = evsel->cpus ? evsel->cpus : cpus;
	nc = perf_cpu_map__nr(cpus);

	*count = 0;
	for (int c = 0; c < nc; c++) {
		for (int t = 0; t < nt; t++) {
			struct perf_counts_values v;

			if (perf_evsel__read(evsel, c, t, &v))
				return -1;
			*count += v.val;
		}
	}
	return 0;
}

void perfev__set_own_cpus(struct perf_evsel *evsel, struct perf_cpu_map *cpus)
{
	perf_cpu_map__put(evsel->own_cpus);
	evsel->own_cpus = perf_cpu_map__get(cpus);
}

int perfev__pause(int fd, bool pause)
{
	return ioctl(fd, PERF_EVENT_IOC_PAUSE_OUTPUT, pause ? 1 : 0) ? -errno : 0;
}
