// SPDX-License-Identifier: GPL-2.0
/*
 * nop.c - a profiler whose sample callback does nothing: it measures the
 * pipeline alone (ring reading, decoding, dispatch) in bench/. Not listed
 * by `perf-prof -h`; it prints the ring statistics at exit.
 */
#include "profiler.h"

static const char *const nop_attrs[] = { "alias", "stack", "max-stack", NULL };

static void nop_sample(struct prof *prof, const struct prof_sample *s)
{
}

static void nop_final(struct prof *prof)
{
	prof__print_stats(prof, prof__diag(prof));
}

const struct profiler nop_profiler = {
	.name = "nop",
	.summary = NULL,	/* hidden: a benchmarking aid */
	.synopsis = "perf-prof nop -e EVENT[,EVENT...] [OPTIONS]",
	.help = "Reads and decodes every record and drops it: the cost of the pipeline alone.\n"
		"Prints the per-ring statistics on stderr at exit.\n",
	.attrs = nop_attrs,
	.common = COMMON_ALL_EVENTS & ~COMMON_JSON & ~COMMON_FLAMEGRAPH,
	.pages = 256,
	.sample = nop_sample,
	.final = nop_final,
};
