/* SPDX-License-Identifier: GPL-2.0 */
/*
 * callchain.h - turning a sample's callchain (kernel frames, then user
 * frames, with PERF_CONTEXT_* markers between) into text: one frame per line
 * under an event, or frame names root-first for a flame graph. Kernel
 * frames resolve through the run's kernel symbols, user frames through its
 * struct syms (the mappings of the sample's process).
 */
#ifndef PERF_PROF_CALLCHAIN_H
#define PERF_PROF_CALLCHAIN_H

#include <stdio.h>

#include "util.h"

struct run_env;

#define CALLCHAIN_MAX 256	/* frames kept per stack, inlined ones included */

/**
 * callchain__print - the frames of @ips, leaf first, one per line:
 *   "    ffffffff81234567 schedule+0x35 ([kernel.kallsyms])"
 *   "    000055d0c0de1139 level3+0x9 (/path/callchain) callchain.c:23"
 * An inlined function is printed on its own line before the function it
 * was inlined into, with "(inlined)" in place of the address. Without user
 * symbols in @env (or without @env) user frames print as [unknown].
 */
void callchain__print(FILE *out, const struct run_env *env, int pid, const u64 *ips, u64 nr);

/**
 * callchain__names - frame names of @ips, root (outermost caller) first,
 * user frames before kernel frames, inlined functions as frames of their
 * own, into @names (at most @max); returns how many. The strings stay
 * valid while @env's symbol tables live.
 */
int callchain__names(const struct run_env *env, int pid, const u64 *ips, u64 nr,
		     const char **names, int max);

#endif
