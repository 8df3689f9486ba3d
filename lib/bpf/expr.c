// SPDX-License-Identifier: GPL-2.0
/*
 * expr.c - the expression language's BPF back end: the checked tree that
 * lib/expr/expr.c builds (the one lib/expr/vm.c turns into machine code) is
 * compiled here into BPF instructions that compute the same value, with the
 * same integer rules (lib/expr/internal.h: division, remainder, shifts by 64
 * or more), reading the record the program's context points at.
 *
 * Values are kept by depth: depth 0-2 in r7-r9, deeper ones in stack slots,
 * so a binary operator computes its left operand at depth d, its right one
 * at d+1 and combines them. Strings are not values here: a string operand
 * is a place in the record (a char array, or a __data_loc word) that the
 * operator using it reads, either straight from the context at constant
 * offsets (comm == "bash", comm ~ "rcu*") or through a copy of at most
 * BPFGEN_STR_MAX bytes into the stack (data_loc strings, general globs,
 * strlen). A glob pattern must be a literal; it is compiled into code for
 * its '*'-separated runs: the first is anchored at the start, the last at
 * the end, those between are found left to right by one bounded loop.
 *
 * Whatever needs the tool itself (printf, comm_get, ksymbol, ...) or facts a
 * tracepoint program is not given (the record's size, the sample's period,
 * the common fields the kernel fills in after the program ran) is refused
 * with a reason, and the caller keeps the user-space machine for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../expr/internal.h"
#include "gen.h"

#define NREGS 3		/* values at depths 0-2 live in r7-r9 */
#define NSPILL 8	/* depths NREGS.. in stack slots */
#define SEG_MAX 32	/* tokens in one '*'-free run of a glob pattern */
#define BUF_SIZE (BPFGEN_STR_MAX + SEG_MAX)	/* reads past a run's start stay inside */

struct xc {
	struct bpfgen *g;
	const struct expr *e;
	int err, undecided;	/* labels */
	int tmp;		/* 8-byte slot for one value read by a helper */
	int sbound;		/* 8-byte slot: a string's storage size, kept across a call */
	int spill;		/* slot of depth NREGS; deeper ones follow */
	int buf;		/* BUF_SIZE bytes for string bytes, 0 until needed */
};

/* a string operand: a literal, a char array in the record, or a data_loc string */
enum skind { S_CONST, S_FIXED, S_DYN };

struct sref {
	enum skind kind;
	const char *p;		/* S_CONST */
	u32 len;		/* S_CONST */
	u32 off;		/* S_FIXED: the array; S_DYN: the location word */
	u32 size;		/* S_FIXED: bytes of the array */
	bool rel;		/* S_DYN: __rel_loc */
	const char *name;
};

static void E(struct xc *x, struct bpf_insn i)
{
	bpfgen__emit(x->g, i);
}

static int gen(struct xc *x, const struct node *n, int d);
static int gen_truth(struct xc *x, const struct node *n, int d);

/* ------------------------------------------------------------------ */
/* where values live                                                   */

/* the register depth @d's value is in: r7+d, or @scratch loaded from its slot */
static u8 val_get(struct xc *x, int d, u8 scratch)
{
	if (d < NREGS)
		return (u8)(R7 + d);
	E(x, insn__ldx(BPF_DW, scratch, FP, (s16)(x->spill + 8 * (d - NREGS))));
	return scratch;
}

/* the register to compute depth @d's value in (val_set() it afterwards) */
static u8 val_work(int d, u8 scratch)
{
	return d < NREGS ? (u8)(R7 + d) : scratch;
}

static void val_set(struct xc *x, int d, u8 reg)
{
	if (d < NREGS) {
		if (reg != R7 + d)
			E(x, insn__mov_reg((u8)(R7 + d), reg));
		return;
	}
	E(x, insn__stx(BPF_DW, FP, reg, (s16)(x->spill + 8 * (d - NREGS))));
}

static int depth_ok(struct xc *x, int d)
{
	if (d < NREGS + NSPILL)
		return 0;
	return bpfgen__fail(x->g, "it nests deeper than the %d values a BPF filter keeps",
			    NREGS + NSPILL);
}

/* dst = cond ? 1 : 0, cond being the jump @j */
static void set_if(struct xc *x, struct bpf_insn j, u8 dst)
{
	int t = bpfgen__label(x->g), end = bpfgen__label(x->g);

	bpfgen__jmp(x->g, j, t);
	E(x, insn__mov_imm(dst, 0));
	bpfgen__ja(x->g, end);
	bpfgen__bind(x->g, t);
	E(x, insn__mov_imm(dst, 1));
	bpfgen__bind(x->g, end);
}

static void sext(struct xc *x, u8 r, u32 bytes)
{
	if (bytes >= 8)
		return;
	E(x, insn__alu64_imm(BPF_LSH, r, 64 - 8 * (s32)bytes));
	E(x, insn__alu64_imm(BPF_ARSH, r, 64 - 8 * (s32)bytes));
}

/* r1 = FP + @off, r2 = @size (register or constant), r3 = source: read @size bytes */
static void probe_read(struct xc *x, int off)
{
	E(x, insn__mov_reg(R1, FP));
	E(x, insn__alu64_imm(BPF_ADD, R1, off));
	E(x, insn__call(BPF_FUNC_probe_read_kernel));
}

/* ------------------------------------------------------------------ */
/* reading the record                                                  */

/*
 * load_ctx - dst = the @size-byte integer at record offset @off. The
 * context may only be read at offsets that are a multiple of the size;
 * anything else (a packed field) goes through a helper read.
 */
static int load_ctx(struct xc *x, u32 off, u32 size, bool sgn, u8 dst)
{
	if (off + size > BPFGEN_MAX_RECORD)
		return bpfgen__fail(x->g, "a field at offset %u is past the %d bytes a tracepoint "
				    "program may read", off, BPFGEN_MAX_RECORD);
	if (off % size == 0) {
		E(x, insn__ldx(insn__size(size), dst, R6, (s16)off));
	} else {
		E(x, insn__mov_imm(R2, (s32)size));
		E(x, insn__mov_reg(R3, R6));
		E(x, insn__alu64_imm(BPF_ADD, R3, (s32)off));
		probe_read(x, x->tmp);
		E(x, insn__ldx(insn__size(size), dst, FP, (s16)x->tmp));
	}
	if (sgn)
		sext(x, dst, size);
	return 0;
}

static int gen_builtin(struct xc *x, int bi, int d)
{
	static const s32 helper[] = {
		[BI_CPU] = BPF_FUNC_get_smp_processor_id, [BI_PID] = BPF_FUNC_get_current_pid_tgid,
		[BI_TID] = BPF_FUNC_get_current_pid_tgid, [BI_TIME] = BPF_FUNC_ktime_get_ns,
	};
	static const int slot[] = {
		[BI_CPU] = offsetof(struct bpfgen_trailer, cpu),
		[BI_PID] = offsetof(struct bpfgen_trailer, pid),
		[BI_TID] = offsetof(struct bpfgen_trailer, tid),
		[BI_TIME] = offsetof(struct bpfgen_trailer, time),
	};

	if (bi == BI_PERIOD)
		return bpfgen__fail(x->g, "_period belongs to the sample, which is made after a "
				    "BPF filter ran");
	if (x->g->env == BPFGEN_TEST) {
		E(x, insn__ldx(BPF_DW, R0, R6, (s16)(BPFGEN_TRAILER + slot[bi])));
	} else {
		E(x, insn__call(helper[bi]));
		if (bi == BI_PID)
			E(x, insn__alu64_imm(BPF_RSH, R0, 32));	/* tgid is the upper half */
	}
	if (bi != BI_TIME)
		sext(x, R0, 4);	/* int, as the sample's fields are */
	val_set(x, d, R0);
	return 0;
}

/*
 * The kernel writes its registers pointer over the first 8 bytes of the
 * record before a tracepoint program runs and fills in the common fields
 * only afterwards: common_pid is the current thread then, common_type the
 * event's id, and the flags are out of reach.
 */
static int gen_common(struct xc *x, const struct efield *f, int d)
{
	u8 r;

	if (!strcmp(f->name, "common_pid") && f->size == 4)
		return gen_builtin(x, BI_TID, d);
	if (!strcmp(f->name, "common_type")) {
		r = val_work(d, R1);
		E(x, insn__mov_imm(r, (s32)(x->g->tp_id & 0xffff)));
		val_set(x, d, r);
		return 0;
	}
	return bpfgen__fail(x->g, "'%s' is filled in by the kernel after a BPF filter ran",
			    f->name);
}

static int gen_field(struct xc *x, const struct efield *f, int d)
{
	u8 r = val_work(d, R1);

	if (f->off < 8)
		return gen_common(x, f, d);
	if (load_ctx(x, f->off, f->size, f->sgn, r))
		return -1;
	val_set(x, d, r);
	return 0;
}

static int log2_of(u32 v)
{
	return v == 8 ? 3 : v == 4 ? 2 : v == 2 ? 1 : 0;
}

/* r1 = offset of a data_loc field's data, r2 = its length (the location word's halves) */
static int dyn_locate(struct xc *x, const struct efield *f)
{
	if (f->off < 8)
		return bpfgen__fail(x->g, "'%s' is filled in by the kernel after a BPF filter ran",
				    f->name);
	if (load_ctx(x, f->off, 4, false, R1))
		return -1;
	E(x, insn__mov_reg(R2, R1));
	E(x, insn__alu64_imm(BPF_RSH, R2, 16));
	E(x, insn__alu64_imm(BPF_AND, R1, 0xffff));
	if (f->rel)
		E(x, insn__alu64_imm(BPF_ADD, R1, (s32)f->off + 4));
	return 0;
}

/* f[a]: indexes are checked against the array's count or the data_loc length */
static int gen_index(struct xc *x, const struct node *n, int d)
{
	const struct efield *f = n->f;
	u8 r, idx;

	if (f->fk == FK_TAIL)
		return bpfgen__fail(x->g, "'%s' runs to the end of the record, whose size a BPF "
				    "program is not told", f->name);
	if (f->fk == FK_ARRAY && n->a->op == N_CONST) {
		r = val_work(d, R1);
		if (f->off < 8)
			return gen_common(x, f, d);
		if (load_ctx(x, f->off + (u32)n->a->val * f->esize, f->esize, f->sgn, r))
			return -1;
		val_set(x, d, r);
		return 0;
	}
	if (gen(x, n->a, d))
		return -1;
	if (f->fk == FK_ARRAY) {
		if (f->off + f->size > BPFGEN_MAX_RECORD)
			return bpfgen__fail(x->g, "'%s' ends past the %d bytes a tracepoint program "
					    "may read", f->name, BPFGEN_MAX_RECORD);
		E(x, insn__mov_imm(R1, (s32)f->off));
		E(x, insn__mov_imm(R2, (s32)f->count));
	} else {
		if (dyn_locate(x, f))
			return -1;
		E(x, insn__alu64_imm(BPF_RSH, R2, log2_of(f->esize)));
	}
	idx = val_get(x, d, R4);
	bpfgen__jmp(x->g, insn__jmp_reg(BPF_JGE, idx, R2), x->err);
	/* r3 = ctx + data offset + index * element size */
	E(x, insn__mov_reg(R3, R6));
	E(x, insn__alu64_reg(BPF_ADD, R3, R1));
	E(x, insn__mov_reg(R5, idx));
	E(x, insn__alu64_imm(BPF_LSH, R5, log2_of(f->esize)));
	E(x, insn__alu64_reg(BPF_ADD, R3, R5));
	E(x, insn__mov_imm(R2, (s32)f->esize));
	probe_read(x, x->tmp);
	r = val_work(d, R1);
	E(x, insn__ldx(insn__size(f->esize), r, FP, (s16)x->tmp));
	if (f->sgn)
		sext(x, r, f->esize);
	val_set(x, d, r);
	return 0;
}

/* ------------------------------------------------------------------ */
/* integer operators                                                   */

static u8 jmp_of(int bop, bool uns)
{
	switch (bop) {
	case B_EQ: return BPF_JEQ;
	case B_NE: return BPF_JNE;
	case B_LT: return uns ? BPF_JLT : BPF_JSLT;
	case B_LE: return uns ? BPF_JLE : BPF_JSLE;
	case B_GT: return uns ? BPF_JGT : BPF_JSGT;
	default: return uns ? BPF_JGE : BPF_JSGE;	/* B_GE */
	}
}

/* r = |r| (the magnitude as unsigned; INT64_MIN stays 2^63) */
static void abs_reg(struct xc *x, u8 r)
{
	int pos = bpfgen__label(x->g);

	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JSGE, r, 0), pos);
	E(x, insn__alu64_imm(BPF_NEG, r, 0));
	bpfgen__bind(x->g, pos);
}

/*
 * ra = ra / rb or ra % rb with expr__div()/expr__mod()'s rules: a zero
 * divisor and INT64_MIN / -1 are errors, x % -1 is 0, signed results
 * truncate toward zero and a remainder has the dividend's sign. BPF's own
 * division is unsigned: signed operands are divided as magnitudes.
 */
static void gen_divmod(struct xc *x, bool mod, bool uns, u8 ra, u8 rb)
{
	int norm = bpfgen__label(x->g), end = bpfgen__label(x->g), pos = bpfgen__label(x->g);

	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JEQ, rb, 0), x->err);
	if (uns) {
		E(x, insn__alu64_reg(mod ? BPF_MOD : BPF_DIV, ra, rb));
		return;
	}
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, rb, -1), norm);
	if (mod) {
		E(x, insn__mov_imm(ra, 0));
	} else {
		bpfgen__ld_imm64(x->g, R3, (u64)INT64_MIN);
		bpfgen__jmp(x->g, insn__jmp_reg(BPF_JEQ, ra, R3), x->err);
		E(x, insn__alu64_imm(BPF_NEG, ra, 0));
	}
	bpfgen__ja(x->g, end);
	bpfgen__bind(x->g, norm);
	/* r3: the sign of the result (quotient) or of the dividend (remainder) */
	E(x, insn__mov_reg(R3, ra));
	if (!mod)
		E(x, insn__alu64_reg(BPF_XOR, R3, rb));
	E(x, insn__mov_reg(R4, ra));
	abs_reg(x, R4);
	E(x, insn__mov_reg(R5, rb));
	abs_reg(x, R5);
	E(x, insn__alu64_reg(mod ? BPF_MOD : BPF_DIV, R4, R5));
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JSGE, R3, 0), pos);
	E(x, insn__alu64_imm(BPF_NEG, R4, 0));
	bpfgen__bind(x->g, pos);
	E(x, insn__mov_reg(ra, R4));
	bpfgen__bind(x->g, end);
}

/* shifts by 64 or more shift every bit out (expr__shl/expr__shr) */
static void gen_shift(struct xc *x, int bop, bool uns, u8 ra, u8 rb, bool imm, u64 v)
{
	u8 op = bop == B_SHL ? BPF_LSH : uns ? BPF_RSH : BPF_ARSH;
	int ok, end;

	if (imm) {
		if (v < 64)
			E(x, insn__alu64_imm(op, ra, (s32)v));
		else if (op == BPF_ARSH)
			E(x, insn__alu64_imm(BPF_ARSH, ra, 63));
		else
			E(x, insn__mov_imm(ra, 0));
		return;
	}
	ok = bpfgen__label(x->g);
	end = bpfgen__label(x->g);
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLT, rb, 64), ok);
	if (op == BPF_ARSH) {
		E(x, insn__mov_imm(rb, 63));	/* rb is a temporary: its value is used up here */
	} else {
		E(x, insn__mov_imm(ra, 0));
		bpfgen__ja(x->g, end);
	}
	bpfgen__bind(x->g, ok);
	E(x, insn__alu64_reg(op, ra, rb));
	bpfgen__bind(x->g, end);
}

static int gen_str_cmp(struct xc *x, const struct node *n, int d);

static int gen_bin(struct xc *x, const struct node *n, int d)
{
	const struct node *a = n->a, *b = n->b;
	bool uns = n->sub == B_SHL || n->sub == B_SHR ? a->uns : a->uns || b->uns;
	bool imm = b->op == N_CONST && (s64)b->val == (s32)b->val;
	u8 ra, rb = R2;

	if (a->kind == VK_STR)
		return gen_str_cmp(x, n, d);
	if (gen(x, a, d) || (!imm && gen(x, b, d + 1)))
		return -1;
	ra = val_get(x, d, R1);
	if (!imm)
		rb = val_get(x, d + 1, R2);
	switch (n->sub) {
	case B_ADD: case B_SUB: case B_MUL: case B_AND: case B_OR: case B_XOR: {
		static const u8 ops[] = {
			[B_ADD] = BPF_ADD, [B_SUB] = BPF_SUB, [B_MUL] = BPF_MUL,
			[B_AND] = BPF_AND, [B_OR] = BPF_OR, [B_XOR] = BPF_XOR,
		};

		E(x, imm ? insn__alu64_imm(ops[n->sub], ra, (s32)b->val) :
			   insn__alu64_reg(ops[n->sub], ra, rb));
		break;
	}
	case B_SHL: case B_SHR:
		gen_shift(x, n->sub, uns, ra, rb, b->op == N_CONST, (u64)b->val);
		break;
	case B_DIV: case B_MOD:
		if (b->op == N_CONST) {
			bpfgen__ld_imm64(x->g, R2, (u64)b->val);
			rb = R2;
		}
		gen_divmod(x, n->sub == B_MOD, uns, ra, rb);
		break;
	case B_MIN: case B_MAX: {
		int keep = bpfgen__label(x->g);
		u8 j = n->sub == B_MIN ? (uns ? BPF_JLT : BPF_JSLT) : (uns ? BPF_JGT : BPF_JSGT);

		bpfgen__jmp(x->g, imm ? insn__jmp_imm(j, ra, (s32)b->val) : insn__jmp_reg(j, ra, rb),
			    keep);
		E(x, imm ? insn__mov_imm(ra, (s32)b->val) : insn__mov_reg(ra, rb));
		bpfgen__bind(x->g, keep);
		break;
	}
	default:	/* comparisons */
		set_if(x, imm ? insn__jmp_imm(jmp_of(n->sub, uns), ra, (s32)b->val) :
				insn__jmp_reg(jmp_of(n->sub, uns), ra, rb), ra);
		break;
	}
	val_set(x, d, ra);
	return 0;
}

/* ------------------------------------------------------------------ */
/* strings                                                             */

static int sref_of(struct xc *x, const struct node *n, struct sref *s)
{
	static const char *const fname[] = {
		[F_KSYMBOL] = "ksymbol", [F_COMM_GET] = "comm_get",
		[F_SYSCALL_NAME] = "syscall_name",
	};
	const struct efield *f;

	memset(s, 0, sizeof(*s));
	switch (n->op) {
	case N_STRC:
		s->kind = S_CONST;
		s->p = x->e->pool + n->soff;
		s->len = n->slen;
		return 0;
	case N_FIELD:
	case N_TOSTR:
		f = n->f;
		s->name = f->name;
		if (f->fk == FK_TAIL)
			return bpfgen__fail(x->g, "'%s' runs to the end of the record, whose size a "
					    "BPF program is not told", f->name);
		if (f->off < 8)
			return bpfgen__fail(x->g, "'%s' is filled in by the kernel after a BPF "
					    "filter ran", f->name);
		if (f->fk == FK_DYN) {
			s->kind = S_DYN;
			s->off = f->off;
			s->rel = f->rel;
			return 0;
		}
		if (f->off + f->size > BPFGEN_MAX_RECORD)
			return bpfgen__fail(x->g, "'%s' ends past the %d bytes a tracepoint program "
					    "may read", f->name, BPFGEN_MAX_RECORD);
		s->kind = S_FIXED;
		s->off = f->off;
		s->size = f->size;
		return 0;
	case N_CALL:
		if (n->sub < (int)ARRAY_SIZE(fname) && fname[n->sub])
			return bpfgen__fail(x->g, "%s() looks its answer up in the tool",
					    fname[n->sub]);
		break;
	default:
		break;
	}
	return bpfgen__fail(x->g, "a string chosen at run time (?: or ,) is compiled for "
			    "user space only");
}

static int str_buf(struct xc *x)
{
	if (!x->buf)
		x->buf = bpfgen__stack(x->g, BUF_SIZE);
	return x->buf ? 0 : -1;
}

/*
 * str_fetch - copy the first min(storage, @want) bytes of @s into the
 * buffer; the storage size (array size, or data_loc length) is left in the
 * sbound slot. With @measure the copy stops at the first NUL and r3 is left
 * holding the string's length (strnlen() within the storage); the helper
 * that does it returns a bounded unknown to the verifier, which so checks
 * what follows once rather than once per possible length. When all @want
 * bytes are non-NUL and the storage holds more, the string's end was not
 * seen: the undecided label. Clobbers r0-r5.
 */
static int str_fetch(struct xc *x, const struct sref *s, u32 want, bool measure)
{
	int fits = bpfgen__label(x->g), seen = bpfgen__label(x->g);

	if (str_buf(x))
		return -1;
	if (s->kind == S_FIXED) {
		E(x, insn__st(BPF_DW, FP, (s16)x->sbound, (s32)s->size));
		E(x, insn__mov_imm(R2, (s32)(s->size < want ? s->size : want)));
		E(x, insn__mov_reg(R3, R6));
		E(x, insn__alu64_imm(BPF_ADD, R3, (s32)s->off));
	} else {
		struct efield f = { .name = s->name, .off = s->off, .rel = s->rel };

		if (dyn_locate(x, &f))
			return -1;
		E(x, insn__stx(BPF_DW, FP, R2, (s16)x->sbound));
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLE, R2, (s32)want), fits);
		E(x, insn__mov_imm(R2, (s32)want));
		bpfgen__bind(x->g, fits);
		E(x, insn__mov_reg(R3, R6));
		E(x, insn__alu64_reg(BPF_ADD, R3, R1));
	}
	if (!measure) {
		probe_read(x, x->buf);
		return 0;
	}
	/* room for the NUL the helper always writes: it returns copied bytes + 1 */
	E(x, insn__alu64_imm(BPF_ADD, R2, 1));
	E(x, insn__mov_reg(R1, FP));
	E(x, insn__alu64_imm(BPF_ADD, R1, x->buf));
	E(x, insn__call(BPF_FUNC_probe_read_kernel_str));
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JSLT, R0, 1), x->err);
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JSGT, R0, (s32)want + 1), x->err);
	E(x, insn__mov_reg(R3, R0));
	E(x, insn__alu64_imm(BPF_SUB, R3, 1));
	/* no NUL inside the storage: it ends where the storage does */
	E(x, insn__ldx(BPF_DW, R4, FP, (s16)x->sbound));
	bpfgen__jmp(x->g, insn__jmp_reg(BPF_JLE, R3, R4), seen);
	E(x, insn__mov_reg(R3, R4));
	bpfgen__bind(x->g, seen);
	if (s->kind == S_FIXED && s->size <= want)
		return 0;	/* the whole array was seen */
	x->g->inexact = true;
	seen = bpfgen__label(x->g);
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLT, R3, (s32)want), seen);
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JGT, R4, (s32)want), x->undecided);
	bpfgen__bind(x->g, seen);
	return 0;
}

/*
 * bytes_eq - jump to @miss unless the @n bytes at @base + @off equal @k.
 * Loads are as wide as the alignment allows (the context insists on
 * offsets that are multiples of the size).
 */
static void bytes_eq(struct xc *x, u8 base, int off, const char *k, u32 n, int miss)
{
	for (u32 i = 0; i < n;) {
		u32 size = 8;
		u64 v = 0;

		while (size > 1 && (i + size > n || ((off + (int)i) & (int)(size - 1))))
			size /= 2;
		for (u32 j = 0; j < size; j++)
			v |= (u64)(u8)k[i + j] << (8 * j);
		E(x, insn__ldx(insn__size(size), R1, base, (s16)(off + (int)i)));
		if (size == 8) {
			bpfgen__ld_imm64(x->g, R2, v);
			bpfgen__jmp(x->g, insn__jmp_reg(BPF_JNE, R1, R2), miss);
		} else if (size == 4) {
			bpfgen__jmp(x->g, insn__make(BPF_JMP32 | BPF_JNE | BPF_K, R1, 0, 0, (s32)(u32)v),
				    miss);
		} else {
			bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, R1, (s32)v), miss);
		}
		i += size;
	}
}

/*
 * str_eq_const - jump to @miss unless @s is exactly @k (@n bytes, no NUL):
 * the first n bytes match and the string ends there (NUL or storage end).
 */
static int str_eq_const(struct xc *x, const struct sref *s, const char *k, u32 n, bool prefix,
			int miss)
{
	int hit = bpfgen__label(x->g);

	if (s->kind == S_FIXED) {
		if (n > s->size) {
			bpfgen__ja(x->g, miss);
			return 0;
		}
		bytes_eq(x, R6, (int)s->off, k, n, miss);
		if (!prefix && n < s->size) {
			E(x, insn__ldx(BPF_B, R1, R6, (s16)(s->off + n)));
			bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, R1, 0), miss);
		}
		return 0;
	}
	if (n >= BPFGEN_STR_MAX)
		return bpfgen__fail(x->g, "a string literal of %u bytes is longer than a BPF "
				    "filter compares (%d)", n, BPFGEN_STR_MAX - 1);
	if (str_fetch(x, s, prefix ? n : n + 1, false))
		return -1;
	E(x, insn__ldx(BPF_DW, R4, FP, (s16)x->sbound));
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLT, R4, (s32)n), miss);
	bytes_eq(x, FP, x->buf, k, n, miss);
	if (!prefix) {
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JEQ, R4, (s32)n), hit);
		E(x, insn__ldx(BPF_B, R1, FP, (s16)(x->buf + (int)n)));
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, R1, 0), miss);
	}
	bpfgen__bind(x->g, hit);
	return 0;
}

/* one position of a glob pattern */
struct gtok {
	enum { G_LIT, G_ANY, G_SET, G_STAR } kind;
	u8 c;
	u64 set[4];
};

/* glob_parse - the tokens of pattern @p, with expr__glob()'s reading of it */
static int glob_parse(const char *p, u32 plen, struct gtok **out)
{
	struct gtok *t = xzalloc((plen ? plen : 1) * sizeof(*t));
	int n = 0;

	for (u32 i = 0; i < plen;) {
		struct gtok *k = &t[n++];
		size_t next;

		switch (p[i]) {
		case '*':
			k->kind = G_STAR;
			i++;
			break;
		case '?':
			k->kind = G_ANY;
			i++;
			break;
		case '[':
			next = expr__glob_class(p, plen, i, k->set);
			if (next) {
				k->kind = G_SET;
				i = (u32)next;
				break;
			}
			k->kind = G_LIT;
			k->c = '[';
			i++;
			break;
		case '\\':
			k->kind = G_LIT;
			k->c = (u8)p[i + 1 < plen ? i + 1 : i];
			i += i + 1 < plen ? 2 : 1;
			break;
		default:
			k->kind = G_LIT;
			k->c = (u8)p[i++];
			break;
		}
	}
	*out = t;
	return n;
}

/* tok_test - jump to @miss unless the byte in r1 is one @t accepts */
static void tok_test(struct xc *x, const struct gtok *t, int miss)
{
	int hit, lo;

	if (t->kind == G_LIT) {
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, R1, t->c), miss);
		return;
	}
	if (t->kind != G_SET)
		return;	/* '?': any byte before the end */
	hit = bpfgen__label(x->g);
	/* one test per run of consecutive bytes in the set */
	for (int c = 0; c < 256;) {
		int next;

		if (!(t->set[c / 64] >> (c % 64) & 1)) {
			c++;
			continue;
		}
		lo = c;
		while (c < 256 && (t->set[c / 64] >> (c % 64) & 1))
			c++;
		if (lo == 0 && c == 256)
			return;	/* every byte */
		if (c - 1 == lo) {
			bpfgen__jmp(x->g, insn__jmp_imm(BPF_JEQ, R1, lo), hit);
			continue;
		}
		next = bpfgen__label(x->g);
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLT, R1, lo), next);
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLE, R1, c - 1), hit);
		bpfgen__bind(x->g, next);
	}
	bpfgen__ja(x->g, miss);
	bpfgen__bind(x->g, hit);
}

/* seg_test - jump to @miss unless the @n tokens match the bytes at @base + @off */
static void seg_test(struct xc *x, const struct gtok *t, int n, u8 base, int off, int miss)
{
	for (int j = 0; j < n; j++) {
		if (t[j].kind == G_ANY)
			continue;
		E(x, insn__ldx(BPF_B, R1, base, (s16)(off + j)));
		tok_test(x, &t[j], miss);
	}
}

/*
 * glob_match - jump to @miss unless the fetched string (its length in r3)
 * matches the tokens: runs between '*'s are S0 .. Sk; S0 is anchored at
 * the start, Sk at the end, and each run between is matched at the
 * leftmost place after the previous one, which is where any match could
 * put it. One loop walks (run, position) pairs, so the verifier sees at
 * most runs x BPFGEN_STR_MAX states. Uses r0-r5.
 */
static int glob_match(struct xc *x, const struct gtok *t, int nt, int miss)
{
	int seg[BPFGEN_STR_MAX + 1], segn[BPFGEN_STR_MAX + 1], ns = 0, first, last, loop, found;

	if (nt > BPFGEN_STR_MAX)
		return bpfgen__fail(x->g, "a glob of more than %d characters is matched in user "
				    "space only", BPFGEN_STR_MAX);
	/* split into runs: seg[i] their first token, segn[i] their length */
	seg[0] = 0;
	segn[0] = 0;
	for (int i = 0; i < nt; i++) {
		if (t[i].kind == G_STAR) {
			seg[++ns] = i + 1;
			segn[ns] = 0;
			continue;
		}
		if (++segn[ns] > SEG_MAX)
			return bpfgen__fail(x->g, "a glob has a run of more than %d characters "
					    "between '*'s", SEG_MAX);
	}
	first = segn[0];
	last = segn[ns];
	if (!ns) {
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, R3, first), miss);
		seg_test(x, t, first, FP, x->buf, miss);
		return 0;
	}
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JLT, R3, first + last), miss);
	seg_test(x, t, first, FP, x->buf, miss);
	/* the last run, ending at the string's end: r2 = buf + len - last */
	E(x, insn__mov_reg(R2, FP));
	E(x, insn__alu64_imm(BPF_ADD, R2, x->buf));
	E(x, insn__mov_reg(R4, R3));
	E(x, insn__alu64_imm(BPF_SUB, R4, last));
	E(x, insn__alu64_reg(BPF_ADD, R2, R4));
	seg_test(x, t + seg[ns], last, R2, 0, miss);
	if (ns < 2)
		return 0;
	/* the runs between: r0 = which, r4 = where to look, r5 = where the last one starts */
	loop = bpfgen__label(x->g);
	found = bpfgen__label(x->g);
	E(x, insn__mov_imm(R0, 1));
	E(x, insn__mov_imm(R4, first));
	E(x, insn__mov_reg(R5, R3));
	E(x, insn__alu64_imm(BPF_SUB, R5, last));
	bpfgen__bind(x->g, loop);
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JGE, R0, ns), found);
	for (int m = 1; m < ns; m++) {
		int next = bpfgen__label(x->g), advance = bpfgen__label(x->g);

		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JNE, R0, m), next);
		/* no room left before the last run: no match anywhere */
		E(x, insn__mov_reg(R1, R4));
		E(x, insn__alu64_imm(BPF_ADD, R1, segn[m]));
		bpfgen__jmp(x->g, insn__jmp_reg(BPF_JGT, R1, R5), miss);
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JGT, R4, BPFGEN_STR_MAX), miss);
		E(x, insn__mov_reg(R2, FP));
		E(x, insn__alu64_imm(BPF_ADD, R2, x->buf));
		E(x, insn__alu64_reg(BPF_ADD, R2, R4));
		seg_test(x, t + seg[m], segn[m], R2, 0, advance);
		E(x, insn__alu64_imm(BPF_ADD, R4, segn[m]));
		E(x, insn__alu64_imm(BPF_ADD, R0, 1));
		bpfgen__ja(x->g, loop);
		if (bpfgen__used(x->g, advance)) {	/* a run of only '?'s always matches */
			bpfgen__bind(x->g, advance);
			E(x, insn__alu64_imm(BPF_ADD, R4, 1));
			bpfgen__ja(x->g, loop);
		}
		bpfgen__bind(x->g, next);
	}
	bpfgen__ja(x->g, miss);	/* not reached: r0 is always one of the runs */
	bpfgen__bind(x->g, found);
	return 0;
}

/* literal patterns that are an equality or a prefix test need no matcher */
static int glob_simple(const char *p, u32 len, bool *prefix)
{
	u32 meta = 0;

	for (u32 i = 0; i < len; i++)
		meta += p[i] == '*' || p[i] == '?' || p[i] == '[' || p[i] == '\\';
	*prefix = false;
	if (!meta)
		return 1;
	if (meta == 1 && p[len - 1] == '*') {
		*prefix = true;
		return 1;
	}
	return 0;
}

/* a == b, a != b, a ~ b for strings: one side must be a literal (the pattern, for '~') */
static int gen_str_cmp(struct xc *x, const struct node *n, int d)
{
	const struct node *k = n->b->op == N_STRC ? n->b : n->a, *v = k == n->b ? n->a : n->b;
	int miss = bpfgen__label(x->g), end = bpfgen__label(x->g);
	bool glob = n->sub == B_GLOB, prefix = false;
	const char *p;
	struct sref s;
	u32 len;
	u8 r;

	if (k->op != N_STRC || (glob && k != n->b))
		return bpfgen__fail(x->g, glob ? "a glob pattern computed at run time is matched in "
					  "user space only" : "comparing two strings that are both "
					  "read from the record is done in user space only");
	if (sref_of(x, v, &s))
		return -1;
	p = x->e->pool + k->soff;
	len = k->slen;
	if (glob && !glob_simple(p, len, &prefix)) {
		struct gtok *t;
		int nt = glob_parse(p, len, &t);
		u32 want = s.kind == S_FIXED && s.size < BPFGEN_STR_MAX ? s.size : BPFGEN_STR_MAX;
		int rc = str_fetch(x, &s, want, true);

		if (!rc)
			rc = glob_match(x, t, nt, miss);
		free(t);
		if (rc)
			return -1;
	} else if (memchr(p, 0, prefix ? len - 1 : len)) {
		bpfgen__ja(x->g, miss);	/* a string never holds a NUL */
	} else if (str_eq_const(x, &s, p, prefix ? len - 1 : len, prefix, miss)) {
		return -1;
	}
	r = val_work(d, R1);
	E(x, insn__mov_imm(r, n->sub == B_NE ? 0 : 1));
	if (bpfgen__used(x->g, miss)) {	/* the verifier refuses code no jump reaches */
		bpfgen__ja(x->g, end);
		bpfgen__bind(x->g, miss);
		E(x, insn__mov_imm(r, n->sub == B_NE ? 1 : 0));
	}
	bpfgen__bind(x->g, end);
	val_set(x, d, r);
	return 0;
}

/* a string is true when it is not empty: storage left and a first byte that is not NUL */
static int gen_str_truth(struct xc *x, const struct node *n, int d)
{
	struct sref s;
	int no = bpfgen__label(x->g), end = bpfgen__label(x->g);
	u8 r;

	if (sref_of(x, n, &s))
		return -1;
	if (s.kind == S_CONST) {
		r = val_work(d, R1);
		E(x, insn__mov_imm(r, s.len != 0));
		val_set(x, d, r);
		return 0;
	}
	if (s.kind == S_FIXED) {
		E(x, insn__ldx(BPF_B, R1, R6, (s16)s.off));
	} else {
		if (str_fetch(x, &s, 1, false))
			return -1;
		E(x, insn__ldx(BPF_DW, R4, FP, (s16)x->sbound));
		bpfgen__jmp(x->g, insn__jmp_imm(BPF_JEQ, R4, 0), no);
		E(x, insn__ldx(BPF_B, R1, FP, (s16)x->buf));
	}
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JEQ, R1, 0), no);
	r = val_work(d, R1);
	E(x, insn__mov_imm(r, 1));
	bpfgen__ja(x->g, end);
	bpfgen__bind(x->g, no);
	E(x, insn__mov_imm(r, 0));
	bpfgen__bind(x->g, end);
	val_set(x, d, r);
	return 0;
}

static int gen_strlen(struct xc *x, const struct node *n, int d)
{
	struct sref s;
	u32 want;

	if (sref_of(x, n, &s))
		return -1;
	want = s.kind == S_FIXED && s.size < BPFGEN_STR_MAX ? s.size : BPFGEN_STR_MAX;
	if (str_fetch(x, &s, want, true))
		return -1;
	val_set(x, d, R3);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the rest of the tree                                                */

static int gen_cast(struct xc *x, const struct node *n, int d)
{
	u8 r;

	if (gen(x, n->a, d))
		return -1;
	r = val_get(x, d, R1);
	switch (n->sub) {
	case 0:
		set_if(x, insn__jmp_imm(BPF_JNE, r, 0), r);
		break;
	case 1: case 2:
		if (n->val)
			sext(x, r, (u32)n->sub);
		else
			E(x, insn__alu64_imm(BPF_AND, r, n->sub == 1 ? 0xff : 0xffff));
		break;
	case 4:
		if (n->val)
			sext(x, r, 4);
		else
			E(x, insn__make(BPF_ALU | BPF_MOV | BPF_X, r, r, 0, 0));	/* zero-extends */
		break;
	default:
		break;	/* 64 bits: only the signedness changes */
	}
	val_set(x, d, r);
	return 0;
}

static int gen_unary(struct xc *x, const struct node *n, int d)
{
	u8 r;

	if (n->op == N_LNOT ? gen_truth(x, n->a, d) : gen(x, n->a, d))
		return -1;
	r = val_get(x, d, R1);
	if (n->op == N_NEG)
		E(x, insn__alu64_imm(BPF_NEG, r, 0));
	else if (n->op == N_BNOT)
		E(x, insn__alu64_imm(BPF_XOR, r, -1));
	else
		E(x, insn__alu64_imm(BPF_XOR, r, 1));	/* !: the truth value flipped */
	val_set(x, d, r);
	return 0;
}

/* && and ||: the right side runs only when the left one does not decide */
static int gen_logic(struct xc *x, const struct node *n, int d)
{
	int end = bpfgen__label(x->g);
	u8 r;

	if (gen_truth(x, n->a, d))
		return -1;
	r = val_get(x, d, R1);
	bpfgen__jmp(x->g, insn__jmp_imm(n->op == N_LAND ? BPF_JEQ : BPF_JNE, r, 0), end);
	if (gen_truth(x, n->b, d))
		return -1;
	bpfgen__bind(x->g, end);
	return 0;
}

static int gen_cond(struct xc *x, const struct node *n, int d)
{
	int other = bpfgen__label(x->g), end = bpfgen__label(x->g);
	u8 r;

	if (n->kind == VK_STR)
		return bpfgen__fail(x->g, "a string chosen at run time (?:) is compiled for user "
				    "space only");
	if (gen_truth(x, n->c, d))
		return -1;
	r = val_get(x, d, R1);
	bpfgen__jmp(x->g, insn__jmp_imm(BPF_JEQ, r, 0), other);
	if (gen(x, n->a, d))
		return -1;
	bpfgen__ja(x->g, end);
	bpfgen__bind(x->g, other);
	if (gen(x, n->b, d))
		return -1;
	bpfgen__bind(x->g, end);
	return 0;
}

static int gen_call(struct xc *x, const struct node *n, int d)
{
	static const char *const names[] = {
		[F_PRINTF] = "printf() prints from the tool",
		[F_KSYMBOL] = "ksymbol() looks its answer up in the tool",
		[F_COMM_GET] = "comm_get() looks its answer up in the tool",
		[F_SYSCALL_NAME] = "syscall_name() looks its answer up in the tool",
		[F_STRNCMP] = "strncmp() is compiled for user space only",
	};
	u8 r;

	switch (n->sub) {
	case F_STRLEN:
		return gen_strlen(x, n->args[0], d);
	case F_NTOHL: case F_NTOHS: case F_ABS:
		if (gen(x, n->args[0], d))
			return -1;
		r = val_get(x, d, R1);
		if (n->sub == F_ABS)
			abs_reg(x, r);
		else
			E(x, insn__to_be(r, n->sub == F_NTOHL ? 32 : 16));
		val_set(x, d, r);
		return 0;
	default:
		return bpfgen__fail(x->g, "%s", n->sub < (int)ARRAY_SIZE(names) && names[n->sub] ?
				    names[n->sub] : "a function call is compiled for user space only");
	}
}

/* gen_truth - depth @d = 0 or 1: the value of @n as a condition */
static int gen_truth(struct xc *x, const struct node *n, int d)
{
	u8 r;

	if (n->kind == VK_STR)
		return gen_str_truth(x, n, d);
	if (gen(x, n, d))
		return -1;
	if (n->isbool)
		return 0;
	r = val_get(x, d, R1);
	set_if(x, insn__jmp_imm(BPF_JNE, r, 0), r);
	val_set(x, d, r);
	return 0;
}

static int gen(struct xc *x, const struct node *n, int d)
{
	u8 r;

	if (depth_ok(x, d) || x->g->failed)
		return -1;
	switch (n->op) {
	case N_CONST:
		r = val_work(d, R1);
		bpfgen__ld_imm64(x->g, r, (u64)n->val);
		val_set(x, d, r);
		return 0;
	case N_FIELD:
		if (n->kind == VK_STR)
			return gen_str_truth(x, n, d);
		return gen_field(x, n->f, d);
	case N_BUILTIN:
		return gen_builtin(x, n->sub, d);
	case N_INDEX:
		return gen_index(x, n, d);
	case N_NEG: case N_BNOT: case N_LNOT:
		return gen_unary(x, n, d);
	case N_BOOL:
		return gen_truth(x, n->a, d);
	case N_CAST:
		return gen_cast(x, n, d);
	case N_BIN:
		return gen_bin(x, n, d);
	case N_LAND: case N_LOR:
		return gen_logic(x, n, d);
	case N_COND:
		return gen_cond(x, n, d);
	case N_COMMA:
		return gen(x, n->a, d) || gen(x, n->b, d) ? -1 : 0;
	case N_CALL:
		return gen_call(x, n, d);
	case N_STRC: case N_TOSTR:
		return gen_str_truth(x, n, d);
	case N_VAR:
		break;
	}
	return bpfgen__fail(x->g, "named variables (printkey's 'key') exist in user space only");
}

int bpfgen__expr(struct bpfgen *g, const struct expr *e, u8 dst, int err, int undecided)
{
	struct xc x = { .g = g, .e = e, .err = err, .undecided = undecided };

	if (!e->root)
		return bpfgen__fail(g, "the expression has no tree to compile");
	x.tmp = bpfgen__stack(g, 8);
	x.sbound = bpfgen__stack(g, 8);
	x.spill = bpfgen__stack(g, 8 * NSPILL);
	if (g->failed)
		return -EOPNOTSUPP;
	if (e->root->kind == VK_STR ? gen_str_truth(&x, e->root, 0) : gen(&x, e->root, 0))
		return -EOPNOTSUPP;
	if (dst != R7)
		E(&x, insn__mov_reg(dst, R7));
	return g->failed ? -EOPNOTSUPP : 0;
}
