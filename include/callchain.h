/* SPDX-License-Identifier: GPL-2.0 */
/*
 * callchain.h - turning a sample's callchain (kernel frames, then user
 * frames, with PERF_CONTEXT_* markers between) into text: one frame per line
 * under an event, or frame names root-first for a flame graph. Kernel
 * frames resolve through /proc/kallsyms, user frames through struct syms
 * (the mappings of the sample's process).
 */
#ifndef PERF_PROF_CALLCHAIN_H
#define PERF_PROF_CALLCHAIN_H

#include <stdio.h>

#include "util.h"

struct syms;

#define CALLCHAIN_MAX 256	/* frames kept per stack, inlined ones included */

/**
 * callchain__print - the frames of @ips, leaf first, one per line:
 *   "    ffffffff81234567 schedule+0x35 ([kernel.kallsyms])"
 *   "    000055d0c0de1139 level3+0x9 (/path/callchain) callchain.c:23"
 * An inlined function is printed on its own line before the function it
 * was inlined into, with "(inlined)" in place of the address. @syms may be
 * NULL (user frames then print as [unknown]).
 */
void callchain__print(FILE *out, struct syms *syms, int pid, const u64 *ips, u64 nr);

/**
 * callchain__names - frame names of @ips, root (outermost caller) first,
 * user frames before kernel frames, inlined functions as frames of their
 * own, into @names (at most @max); returns how many. The strings stay
 * valid while @syms lives (kernel names: while the kallsyms table lives).
 */
int callchain__names(struct syms *syms, int pid, const u64 *ips, u64 nr, const char **names,
		     int max);

#endif
