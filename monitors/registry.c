// SPDX-License-Identifier: GPL-2.0
/*
 * registry.c - the table of profilers, generated from profilers.def.
 */
#include <string.h>

#include "profiler.h"

#define PROFILER(n) extern const struct profiler n##_profiler;
#include "profilers.def"
#undef PROFILER

const struct profiler *const profilers[] = {
#define PROFILER(n) &n##_profiler,
#include "profilers.def"
#undef PROFILER
	NULL,
};

const struct profiler *profiler__find(const char *name)
{
	for (const struct profiler *const *p = profilers; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}
