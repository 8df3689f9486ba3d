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

/* names kept for compatibility: old name -> registered name */
static const char *const aliases[][2] = {
	{ "mpdelay", "num-dist" },
};

const struct profiler *profiler__find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(name, aliases[i][0]))
			name = aliases[i][1];
	for (const struct profiler *const *p = profilers; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

const char *profiler__suggest(const char *name)
{
	const char *names[ARRAY_SIZE(profilers) + ARRAY_SIZE(aliases)];
	int n = 0;

	/* the listed ones: a hidden profiler (nop) is no suggestion */
	for (const struct profiler *const *p = profilers; *p; p++)
		if ((*p)->summary)
			names[n++] = (*p)->name;
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		names[n++] = aliases[i][0];
	return str_suggest(name, names, n);
}
