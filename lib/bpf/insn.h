/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn.h - constructors for single BPF instructions (struct bpf_insn from
 * the kernel's UAPI <linux/bpf.h>), so that code generators read as the
 * assembly they emit: insn__alu64_imm(BPF_ADD, R1, 8) is "r1 += 8". Only
 * lib/bpf includes it.
 */
#ifndef PERF_PROF_BPF_INSN_H
#define PERF_PROF_BPF_INSN_H

#include <linux/bpf.h>

#include "util.h"

enum {
	R0 = BPF_REG_0, R1, R2, R3, R4, R5,	/* scratch; calls clobber them, r0 returns */
	R6, R7, R8, R9,				/* kept across calls */
	FP = BPF_REG_10,			/* frame pointer, read-only */
};

static inline struct bpf_insn insn__make(u8 code, u8 dst, u8 src, s16 off, s32 imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* dst = dst OP imm, 64 bits (imm sign-extended) */
static inline struct bpf_insn insn__alu64_imm(u8 op, u8 dst, s32 imm)
{
	return insn__make(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

/* dst = dst OP src, 64 bits */
static inline struct bpf_insn insn__alu64_reg(u8 op, u8 dst, u8 src)
{
	return insn__make(BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
}

/* dst = (u32)dst OP imm: 32-bit operation, the upper half zeroed */
static inline struct bpf_insn insn__alu32_imm(u8 op, u8 dst, s32 imm)
{
	return insn__make(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static inline struct bpf_insn insn__mov_imm(u8 dst, s32 imm)
{
	return insn__alu64_imm(BPF_MOV, dst, imm);
}

static inline struct bpf_insn insn__mov_reg(u8 dst, u8 src)
{
	return insn__alu64_reg(BPF_MOV, dst, src);
}

/* dst = byte-swapped low @bits of dst (16, 32, 64), upper bits zeroed */
static inline struct bpf_insn insn__to_be(u8 dst, s32 bits)
{
	return insn__make(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits);
}

/* dst = *(size *)(src + off); size is BPF_B/H/W/DW; zero-extends */
static inline struct bpf_insn insn__ldx(u8 size, u8 dst, u8 src, s16 off)
{
	return insn__make(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}

/* *(size *)(dst + off) = src */
static inline struct bpf_insn insn__stx(u8 size, u8 dst, u8 src, s16 off)
{
	return insn__make(BPF_STX | BPF_MEM | size, dst, src, off, 0);
}

/* *(size *)(dst + off) = imm */
static inline struct bpf_insn insn__st(u8 size, u8 dst, s16 off, s32 imm)
{
	return insn__make(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

/* lock *(size *)(dst + off) += src; size is BPF_W or BPF_DW */
static inline struct bpf_insn insn__atomic_add(u8 size, u8 dst, u8 src, s16 off)
{
	return insn__make(BPF_STX | BPF_ATOMIC | size, dst, src, off, BPF_ADD);
}

/* src = atomic fetch-and-add (fully ordered): src gets the old *(size *)(dst + off) */
static inline struct bpf_insn insn__atomic_fetch_add(u8 size, u8 dst, u8 src, s16 off)
{
	return insn__make(BPF_STX | BPF_ATOMIC | size, dst, src, off, BPF_ADD | BPF_FETCH);
}

/* r0 = *(size *)(dst + off); if it equalled r0, src is stored there (fully ordered) */
static inline struct bpf_insn insn__cmpxchg(u8 size, u8 dst, u8 src, s16 off)
{
	return insn__make(BPF_STX | BPF_ATOMIC | size, dst, src, off, BPF_CMPXCHG);
}

/* src = atomic exchange (fully ordered): *(size *)(dst + off) becomes src, src gets the old value */
static inline struct bpf_insn insn__xchg(u8 size, u8 dst, u8 src, s16 off)
{
	return insn__make(BPF_STX | BPF_ATOMIC | size, dst, src, off, BPF_XCHG);
}

/* conditional jump on a 64-bit compare; off is filled in by the builder */
static inline struct bpf_insn insn__jmp_imm(u8 op, u8 dst, s32 imm)
{
	return insn__make(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}

static inline struct bpf_insn insn__jmp_reg(u8 op, u8 dst, u8 src)
{
	return insn__make(BPF_JMP | op | BPF_X, dst, src, 0, 0);
}

static inline struct bpf_insn insn__call(s32 helper)
{
	return insn__make(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

static inline struct bpf_insn insn__exit(void)
{
	return insn__make(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* the BPF_B/H/W/DW size code of a 1, 2, 4 or 8-byte access */
static inline u8 insn__size(u32 bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	default: return BPF_DW;
	}
}

#endif
