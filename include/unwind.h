/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unwind.h - DWARF unwinding of a copied user stack (`--call-graph dwarf`).
 *
 * The event is opened with PERF_SAMPLE_REGS_USER (sample_regs_user =
 * UNWIND_REGS_MASK) and PERF_SAMPLE_STACK_USER (sample_stack_user = SIZE,
 * default UNWIND_STACK_DEFAULT). Per sample, unwind__user() walks the copy
 * with the call frame information (.eh_frame, else .debug_frame) of the
 * files mapped at each pc, as known to struct syms, and falls back to the
 * frame pointer where a pc has no CFI. x86-64 only.
 *
 * CFI rows are cached per (file, pc): after warm-up a sample costs a few
 * hash probes and binary searches per frame and allocates nothing.
 */
#ifndef PERF_PROF_UNWIND_H
#define PERF_PROF_UNWIND_H

#include "syms.h"
#include "util.h"

/*
 * Registers to ask for, in perf_event_attr.sample_regs_user: IP, SP, BP
 * and the callee-saved BX, R12-R15 (bits of enum perf_event_x86_regs).
 * UNWIND_REGS_MIN (IP, SP, BP) is enough for most code; any superset,
 * e.g. perf's 0xff0fff, is accepted.
 */
#define UNWIND_REGS_MASK	0xf001c2ULL
#define UNWIND_REGS_MIN		0x1c0ULL

/* Default and largest sample_stack_user (the kernel caps it near 64 KiB). */
#define UNWIND_STACK_DEFAULT	8192
#define UNWIND_STACK_MAX	65528

struct unwind_ctx;

/**
 * unwind__new - an unwinder resolving pcs through @syms (which must
 * outlive it). Never fails.
 */
struct unwind_ctx *unwind__new(struct syms *syms);

/* unwind__delete - free the context and its CFI cache */
void unwind__delete(struct unwind_ctx *ctx);

/**
 * unwind__user - unwind one sample's user stack.
 * @pid:        process (tgid) of the sample, for its mappings
 * @regs:       PERF_SAMPLE_REGS_USER values (after the abi word), in
 *              ascending bit order of @regs_mask; do not call when the
 *              abi word is PERF_SAMPLE_REGS_ABI_NONE (no user context)
 * @regs_mask:  the event's sample_regs_user; must include IP and SP
 * @stack:      PERF_SAMPLE_STACK_USER data
 * @stack_size: its dyn_size (bytes actually copied)
 * @sp:         the user SP the copy starts at (the SP register value)
 * @ips:        receives the pcs, leaf first: ips[0] is the sampled IP,
 *              the others are return addresses (resolve ip - 1 for the
 *              line of the call)
 * @max:        capacity of @ips
 *
 * Stops at the outermost frame (return address undefined by CFI), at a
 * zero pc, when the stack stops growing, or when a read falls outside the
 * copy. Returns the number of pcs stored (>= 1), or -EINVAL when @regs
 * lacks IP or SP or @max < 1.
 */
int unwind__user(struct unwind_ctx *ctx, int pid, const u64 *regs, u64 regs_mask,
		 const void *stack, u64 stack_size, u64 sp, u64 *ips, int max);

/**
 * struct unwind_stats - counters since unwind__new().
 * @samples: unwind__user() calls
 * @frames: pcs returned
 * @cfi_steps: frames stepped with CFI
 * @fp_steps: frames stepped with the frame pointer (no CFI for the pc)
 * @cached_rows: CFI rows held in the cache
 */
struct unwind_stats {
	u64 samples;
	u64 frames;
	u64 cfi_steps;
	u64 fp_steps;
	u64 cached_rows;
};

void unwind__stats(const struct unwind_ctx *ctx, struct unwind_stats *st);

#endif
