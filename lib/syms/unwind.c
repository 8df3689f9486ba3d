// SPDX-License-Identifier: GPL-2.0
/*
 * unwind.c - DWARF unwinding of a user stack copied by the kernel
 * (PERF_SAMPLE_REGS_USER + PERF_SAMPLE_STACK_USER), x86-64.
 *
 * Each step looks the pc up in the process's mappings (struct syms), takes
 * the CFI row for it from libdw (dwarf_cfi_addrframe, once per pc, then
 * cached) and evaluates the CFA and register rules itself against the
 * register set and the stack copy. No libdw state is built per sample, so
 * a warmed-up unwind allocates nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <asm/perf_regs.h>
#include <dwarf.h>

#include "internal.h"
#include "unwind.h"

/* DWARF x86-64 register numbers: 0-15 GPRs, 16 the return address */
enum {
	DW_RAX, DW_RDX, DW_RCX, DW_RBX, DW_RSI, DW_RDI, DW_RBP, DW_RSP,
	DW_R8, DW_R9, DW_R10, DW_R11, DW_R12, DW_R13, DW_R14, DW_R15,
	DW_RA, DW_NREGS
};

/* perf register index -> DWARF number (-1: not a GPR we track) */
static const signed char perf_to_dwarf[PERF_REG_X86_64_MAX] = {
	[PERF_REG_X86_AX] = DW_RAX, [PERF_REG_X86_BX] = DW_RBX,
	[PERF_REG_X86_CX] = DW_RCX, [PERF_REG_X86_DX] = DW_RDX,
	[PERF_REG_X86_SI] = DW_RSI, [PERF_REG_X86_DI] = DW_RDI,
	[PERF_REG_X86_BP] = DW_RBP, [PERF_REG_X86_SP] = DW_RSP,
	[PERF_REG_X86_IP] = DW_RA,
	[PERF_REG_X86_FLAGS] = -1, [PERF_REG_X86_CS] = -1, [PERF_REG_X86_SS] = -1,
	[PERF_REG_X86_DS] = -1, [PERF_REG_X86_ES] = -1, [PERF_REG_X86_FS] = -1,
	[PERF_REG_X86_GS] = -1,
	[PERF_REG_X86_R8] = DW_R8, [PERF_REG_X86_R9] = DW_R9,
	[PERF_REG_X86_R10] = DW_R10, [PERF_REG_X86_R11] = DW_R11,
	[PERF_REG_X86_R12] = DW_R12, [PERF_REG_X86_R13] = DW_R13,
	[PERF_REG_X86_R14] = DW_R14, [PERF_REG_X86_R15] = DW_R15,
};

/* Registers a caller can rely on after a call: recovered frame by frame. */
static const int callee_saved[] = { DW_RBX, DW_RBP, DW_R12, DW_R13, DW_R14, DW_R15 };

#define CFI_CACHE_MAX	(1 << 16)	/* rows; the cache is dropped beyond */
#define EVAL_STACK	16

struct regs {
	u64 r[DW_NREGS];	/* r[DW_RA] holds the pc */
	u32 valid;		/* bit per DWARF register */
};

struct stack_copy {
	const u8 *data;
	u64 base;
	u64 size;
};

/* the key of a CFI row: a pc (file vaddr) of a DSO */
struct cfi_key {
	const struct dso *dso;
	u64 pc;
};

struct unwind_ctx {
	struct syms *syms;
	struct hashmap *rows;	/* struct cfi_key -> Dwarf_Frame * (NULL: no CFI covers pc) */
	struct unwind_stats st;
};

struct unwind_ctx *unwind__new(struct syms *syms)
{
	struct unwind_ctx *ctx = xzalloc(sizeof(*ctx));

	ctx->syms = syms;
	ctx->rows = hashmap__new_keys(sizeof(struct cfi_key), sizeof(Dwarf_Frame *), 0);
	return ctx;
}

static void rows__clear(struct unwind_ctx *ctx)
{
	Dwarf_Frame **f;
	size_t iter;

	hashmap__for_each(ctx->rows, iter, f)
		free(*f);
	hashmap__reset(ctx->rows);
}

void unwind__delete(struct unwind_ctx *ctx)
{
	if (!ctx)
		return;
	rows__clear(ctx);
	hashmap__free(ctx->rows);
	free(ctx);
}

void unwind__stats(const struct unwind_ctx *ctx, struct unwind_stats *st)
{
	*st = ctx->st;
	st->cached_rows = hashmap__nr(ctx->rows);
}

/* --- CFI row cache ------------------------------------------------------- */

static Dwarf_Frame *cfi__lookup(struct dso *d, u64 pc)
{
	Dwarf_Frame *frame = NULL;
	Dwarf_CFI *cfi = dso__cfi(d, false);

	if (cfi && !dwarf_cfi_addrframe(cfi, pc, &frame))
		return frame;
	cfi = dso__cfi(d, true);
	if (cfi && !dwarf_cfi_addrframe(cfi, pc, &frame))
		return frame;
	return NULL;
}

static Dwarf_Frame *rows__get(struct unwind_ctx *ctx, struct dso *d, u64 pc)
{
	struct cfi_key key = { d, pc };
	Dwarf_Frame **row = hashmap__kfind(ctx->rows, &key), *frame;

	if (row)
		return *row;
	/* a bounded cache: a long run with ever new pcs starts over */
	if (hashmap__nr(ctx->rows) >= CFI_CACHE_MAX)
		rows__clear(ctx);
	frame = cfi__lookup(d, pc);
	row = hashmap__kget(ctx->rows, &key);
	if (row)
		*row = frame;
	return frame;
}

/* --- DWARF expressions --------------------------------------------------- */

static bool stack__read(const struct stack_copy *m, u64 addr, u64 *val)
{
	if (addr < m->base || addr - m->base > m->size || m->size - (addr - m->base) < 8)
		return false;
	memcpy(val, m->data + (addr - m->base), 8);
	return true;
}

static bool reg__get(const struct regs *r, u64 regno, u64 *val)
{
	if (regno >= DW_NREGS || !(r->valid & (1u << regno)))
		return false;
	*val = r->r[regno];
	return true;
}

static bool binop(u8 atom, u64 a, u64 b, u64 *out)
{
	switch (atom) {
	case DW_OP_plus: *out = a + b; break;
	case DW_OP_minus: *out = a - b; break;
	case DW_OP_mul: *out = a * b; break;
	case DW_OP_and: *out = a & b; break;
	case DW_OP_or: *out = a | b; break;
	case DW_OP_xor: *out = a ^ b; break;
	case DW_OP_shl: *out = b < 64 ? a << b : 0; break;
	case DW_OP_shr: *out = b < 64 ? a >> b : 0; break;
	case DW_OP_shra: *out = (u64)((s64)a >> (b < 63 ? b : 63)); break;
	case DW_OP_eq: *out = a == b; break;
	case DW_OP_ne: *out = a != b; break;
	case DW_OP_lt: *out = (s64)a < (s64)b; break;
	case DW_OP_le: *out = (s64)a <= (s64)b; break;
	case DW_OP_gt: *out = (s64)a > (s64)b; break;
	case DW_OP_ge: *out = (s64)a >= (s64)b; break;
	default: return false;
	}
	return true;
}

/*
 * Evaluate a CFI expression as libdw hands it out: the CFA enters through
 * DW_OP_call_frame_cfa, DW_OP_regx names a register whose value is the
 * result, DW_OP_stack_value marks a value rather than an address.
 */
static bool expr__eval(const Dwarf_Op *ops, size_t nops, const struct regs *r,
		       const struct stack_copy *m, u64 cfa, u64 *out, bool *is_value)
{
	u64 st[EVAL_STACK], v;
	int sp = 0;

	*is_value = false;
	for (size_t i = 0; i < nops; i++) {
		u8 atom = ops[i].atom;

		if (sp >= EVAL_STACK - 1)
			return false;
		if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
			st[sp++] = atom - DW_OP_lit0;
		} else if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
			if (!reg__get(r, atom - DW_OP_breg0, &v))
				return false;
			st[sp++] = v + ops[i].number;
		} else {
			switch (atom) {
			case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u:
			case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
			case DW_OP_const8u: case DW_OP_const8s: case DW_OP_constu:
			case DW_OP_consts: case DW_OP_addr:
				st[sp++] = ops[i].number;
				break;
			case DW_OP_bregx:
				if (!reg__get(r, ops[i].number, &v))
					return false;
				st[sp++] = v + ops[i].number2;
				break;
			case DW_OP_regx:
				if (!reg__get(r, ops[i].number, &v))
					return false;
				st[sp++] = v;
				*is_value = true;
				break;
			case DW_OP_call_frame_cfa:
				st[sp++] = cfa;
				break;
			case DW_OP_dup:
				if (sp < 1)
					return false;
				st[sp] = st[sp - 1];
				sp++;
				break;
			case DW_OP_over:
				if (sp < 2)
					return false;
				st[sp] = st[sp - 2];
				sp++;
				break;
			case DW_OP_drop:
				if (sp < 1)
					return false;
				sp--;
				break;
			case DW_OP_swap:
				if (sp < 2)
					return false;
				v = st[sp - 1];
				st[sp - 1] = st[sp - 2];
				st[sp - 2] = v;
				break;
			case DW_OP_deref:
				if (sp < 1 || !stack__read(m, st[sp - 1], &st[sp - 1]))
					return false;
				break;
			case DW_OP_plus_uconst:
				if (sp < 1)
					return false;
				st[sp - 1] += ops[i].number;
				break;
			case DW_OP_neg:
				if (sp < 1)
					return false;
				st[sp - 1] = -st[sp - 1];
				break;
			case DW_OP_not:
				if (sp < 1)
					return false;
				st[sp - 1] = ~st[sp - 1];
				break;
			case DW_OP_stack_value:
				*is_value = true;
				break;
			case DW_OP_nop:
				break;
			default:
				if (sp < 2 || !binop(atom, st[sp - 2], st[sp - 1], &st[sp - 2]))
					return false;
				sp--;
				break;
			}
		}
	}
	if (sp < 1)
		return false;
	*out = st[sp - 1];
	return true;
}

/* --- stepping ------------------------------------------------------------ */

static bool step__register(Dwarf_Frame *frame, int regno, const struct regs *cur,
			   const struct stack_copy *m, u64 cfa, struct regs *next)
{
	Dwarf_Op mem[3], *ops;
	size_t nops;
	bool is_value;
	u64 v;

	if (dwarf_frame_register(frame, regno, mem, &ops, &nops))
		return false;
	if (!nops) {
		/* ops == NULL: same value; ops == mem: undefined */
		if (!ops && reg__get(cur, (u64)regno, &v)) {
			next->r[regno] = v;
			next->valid |= 1u << regno;
		}
		return true;
	}
	if (!expr__eval(ops, nops, cur, m, cfa, &v, &is_value))
		return true;	/* unrecoverable here: the register is unknown */
	if (!is_value && !stack__read(m, v, &v))
		return true;
	next->r[regno] = v;
	next->valid |= 1u << regno;
	return true;
}

static bool step__cfi(Dwarf_Frame *frame, const struct regs *cur, const struct stack_copy *m,
		      struct regs *next, bool *signal)
{
	Dwarf_Op *ops;
	size_t nops;
	bool is_value;
	u64 cfa;
	int ra;

	ra = dwarf_frame_info(frame, NULL, NULL, signal);
	if (ra != DW_RA || dwarf_frame_cfa(frame, &ops, &nops) || !nops)
		return false;
	if (!expr__eval(ops, nops, cur, m, 0, &cfa, &is_value))
		return false;
	next->valid = 0;
	for (size_t i = 0; i < ARRAY_SIZE(callee_saved); i++)
		step__register(frame, callee_saved[i], cur, m, cfa, next);
	step__register(frame, DW_RA, cur, m, cfa, next);
	/* on x86-64 the caller's SP after the return is the CFA */
	next->r[DW_RSP] = cfa;
	next->valid |= 1u << DW_RSP;
	return next->valid & (1u << DW_RA);
}

/* No CFI (JIT code, stripped .eh_frame): trust the frame pointer chain. */
static bool step__fp(const struct regs *cur, const struct stack_copy *m, struct regs *next)
{
	u64 bp, ra, prev_bp;

	if (!reg__get(cur, DW_RBP, &bp) || bp < cur->r[DW_RSP])
		return false;
	if (!stack__read(m, bp, &prev_bp) || !stack__read(m, bp + 8, &ra))
		return false;
	next->valid = (1u << DW_RA) | (1u << DW_RSP) | (1u << DW_RBP);
	next->r[DW_RA] = ra;
	next->r[DW_RSP] = bp + 16;
	next->r[DW_RBP] = prev_bp;
	return true;
}

static void regs__load(struct regs *r, const u64 *regs, u64 mask)
{
	int n = 0;

	r->valid = 0;
	for (int bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		if (bit < PERF_REG_X86_64_MAX && perf_to_dwarf[bit] >= 0) {
			r->r[perf_to_dwarf[bit]] = regs[n];
			r->valid |= 1u << perf_to_dwarf[bit];
		}
		n++;
	}
}

int unwind__user(struct unwind_ctx *ctx, int pid, const u64 *regs, u64 regs_mask,
		 const void *stack, u64 stack_size, u64 sp, u64 *ips, int max)
{
	struct stack_copy m = { .data = stack, .base = sp, .size = stack ? stack_size : 0 };
	struct regs cur, next;
	const struct proc *p;
	bool exact = true;
	int n = 0;

	if (max < 1 || !regs)
		return -EINVAL;
	regs__load(&cur, regs, regs_mask);
	if (!(cur.valid & (1u << DW_RA)) || !(cur.valid & (1u << DW_RSP)))
		return -EINVAL;
	ctx->st.samples++;
	ips[n++] = cur.r[DW_RA];
	p = syms__proc(ctx->syms, pid);
	while (n < max) {
		/* a return address may be past the end of a noreturn caller */
		u64 pc = exact ? cur.r[DW_RA] : cur.r[DW_RA] - 1, vaddr;
		const struct map *map = p ? proc__find_map(p, pc) : NULL;
		Dwarf_Frame *frame = NULL;
		bool signal = false;

		if (map && map->dso && !dso__load(ctx->syms, map->dso) &&
		    dso__off_to_vaddr(map->dso, pc - map->start + map->pgoff, &vaddr))
			frame = rows__get(ctx, map->dso, vaddr);
		if (frame) {
			if (!step__cfi(frame, &cur, &m, &next, &signal))
				break;
			ctx->st.cfi_steps++;
		} else {
			if (!step__fp(&cur, &m, &next))
				break;
			ctx->st.fp_steps++;
		}
		if (!next.r[DW_RA] || next.r[DW_RSP] <= cur.r[DW_RSP])
			break;
		ips[n++] = next.r[DW_RA];
		exact = signal;
		cur = next;
	}
	ctx->st.frames += (u64)n;
	return n;
}
