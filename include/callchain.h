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
struct syms;
struct sym_frame;
struct sym_inline;

#define CALLCHAIN_MAX 256	/* frames kept per stack, inlined ones included */

struct sym_frame;

/**
 * callchain_resolve_fn - fill @f for the address @lookup of a kernel
 * (@kernel) or user frame; returns 0 when a symbol was found. The strings
 * must stay valid while the caller uses them.
 */
typedef int (*callchain_resolve_fn)(void *ctx, u64 lookup, bool kernel, struct sym_frame *f);

/*
 * callchain_frame_fn - one entry of a chain, leaf first: @ip as sampled,
 * @lookup the address resolved (ip - 1 for return addresses), @found
 * whether @f names a symbol
 */
typedef void (*callchain_frame_fn)(void *ctx, u64 ip, u64 lookup, bool kernel,
				   const struct sym_frame *f, bool found);

/**
 * callchain__walk - resolve every entry of @ips (PERF_CONTEXT_* markers
 * say which part follows) through @resolve and hand it to @fn, leaf first
 */
void callchain__walk(const u64 *ips, u64 nr, callchain_resolve_fn resolve, void *ctx,
		     callchain_frame_fn fn, void *fctx);

struct ksyms;
/* callchain__resolve_kernel - a kernel address through @ks (dso: the module or NULL) */
int callchain__resolve_kernel(struct ksyms *ks, u64 ip, struct sym_frame *f);

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

/* callchain__print_with / callchain__names_with - the same through @resolve */
void callchain__print_with(FILE *out, const u64 *ips, u64 nr, callchain_resolve_fn resolve,
			   void *ctx);
int callchain__names_with(const u64 *ips, u64 nr, callchain_resolve_fn resolve, void *ctx,
			  const char **names, int max);

/**
 * callchain__collapse_unknown - runs of "[unknown]" frames in @names (as
 * stacks walked without frame pointers end) become one frame; returns the
 * new count
 */
int callchain__collapse_unknown(const char **names, int n);
/**
 * callchain__lookup - resolve the user address @ip of process @pid: the
 * interrupted pc itself when @leaf, else a return address, looked up at
 * @ip - 1 so that the call's own line (and function, when the call ends it)
 * is found. Fills @f (zeroed when @syms is NULL); @off is @ip's offset in
 * f->name. Returns 0, or -ENOENT when no symbol covers it (f->dso may still
 * name the file).
 */
int callchain__lookup(struct syms *syms, int pid, u64 ip, bool leaf, struct sym_frame *f,
		      u64 *off);

/* callchain__fprint_frame - "name+0xOFF (dso)[ file:line]"; "[unknown] (dso)" without a name */
void callchain__fprint_frame(FILE *out, const struct sym_frame *f, u64 off);

/* callchain__fprint_inline - "name (inlined)[ file:line]" */
void callchain__fprint_inline(FILE *out, const struct sym_inline *in);

#endif
