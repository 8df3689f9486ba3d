/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmu.h - perf's own events by name (cpu-clock, page-faults, cycles...),
 * for the profilers that list what can be sampled.
 */
#ifndef PERF_PROF_PMU_H
#define PERF_PROF_PMU_H

#include <stdbool.h>
#include <stdio.h>

/*
 * pmu_events__list - the names of perf's software and hardware events, one
 * per line to @out (NULL: none), those @match accepts (NULL: all); returns
 * how many were printed
 */
int pmu_events__list(FILE *out, bool (*match)(const char *name, void *arg), void *arg);

#endif
