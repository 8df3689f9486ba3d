// SPDX-License-Identifier: GPL-2.0
/*
 * expr-vm.c - the expression back end: code generation from the checked tree
 * (lib/expr/expr.c) and the machine that runs it once per sample, plus the string
 * helpers the machine needs (glob match, printf).
 *
 * The machine keeps the current value in an accumulator (an integer, or a
 * string as pointer + length) and spills left operands to a small stack whose
 * depth is known at compile time. Field offsets and sizes are immediates; the
 * fixed part of the record is bounds-checked once on entry, dynamic
 * (__data_loc) data and indexes each time they are used. Dispatch is threaded
 * (GNU computed goto). Evaluation never allocates and never aborts: every
 * fault (division by zero, bad index, data outside the record) returns -1.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "field.h"
#include "tasks.h"
#include "internal.h"
#include "ksyms.h"

/* binary integer operators: the stack form pops the left operand, the _I form has it in imm */
#define EXPR_BINOPS(X, S)                                                                  \
	X(ADD##S) X(SUB##S) X(MUL##S) X(DIVS##S) X(DIVU##S) X(MODS##S) X(MODU##S)           \
	X(AND##S) X(OR##S) X(XOR##S) X(SHL##S) X(SHRS##S) X(SHRU##S)                        \
	X(EQ##S) X(NE##S) X(LTS##S) X(LTU##S) X(LES##S) X(LEU##S) X(GTS##S) X(GTU##S)       \
	X(GES##S) X(GEU##S) X(MINS##S) X(MINU##S) X(MAXS##S) X(MAXU##S)

#define EXPR_OPS(X)                                                                        \
	X(END) X(CHKRAW) X(CONST) X(STRC) X(PUSH)                                          \
	X(LDU8) X(LDS8) X(LDU16) X(LDS16) X(LDU32) X(LDS32) X(LD64)                        \
	X(CPU) X(PID) X(TID) X(TIME) X(PERIOD) X(IP) X(VAR)                                      \
	X(STRARR) X(STRDYN) X(STRTAIL) X(IDX) X(IDXDYN) X(IDXTAIL)                         \
	X(NEG) X(BNOT) X(LNOT) X(BOOL)                                                     \
	X(SEXT8) X(SEXT16) X(SEXT32) X(ZEXT8) X(ZEXT16) X(ZEXT32)                         \
	X(SEQ) X(SNE) X(GLOB) X(SEQ_C) X(SNE_C) X(GLOB_C) X(PREFIX_C)                      \
	X(FSEQ_C) X(FSNE_C) X(FPREFIX_C)                                                   \
	X(JZ) X(JNZ) X(JMP)                                                                \
	X(KSYM) X(COMM) X(SYSCALL) X(STRNCMP) X(NTOHL) X(NTOHS) X(ABS) X(PRINTF)           \
	EXPR_BINOPS(X, ) EXPR_BINOPS(X, _I)

#define OP_ENUM(x) OP_##x,
#define OP_NAME(x) #x,
enum { EXPR_OPS(OP_ENUM) OP__COUNT };
static const char *const op_names[] = { EXPR_OPS(OP_NAME) };

/* dynamic-field flags in insn.sgn */
#define DYN_SIGNED 1
#define DYN_REL 2

/* ------------------------------------------------------------------ */
/* string helpers                                                      */

/*
 * class_match - the bracket expression at p[i] == '['. Returns 1/0 for
 * match/no match of @ch with *next just past the ']', or -1 when there is
 * no closing ']' (the '[' is then an ordinary character).
 */
static int class_match(const char *p, size_t plen, size_t i, unsigned char ch, size_t *next)
{
	size_t j = i + 1;
	bool neg = false, hit = false;

	if (j < plen && (p[j] == '!' || p[j] == '^')) {
		neg = true;
		j++;
	}
	for (bool first = true; j < plen && (p[j] != ']' || first); first = false) {
		unsigned char lo = p[j], hi = lo;

		if (j + 2 < plen && p[j + 1] == '-' && p[j + 2] != ']') {
			hi = p[j + 2];
			j += 3;
		} else {
			j++;
		}
		if (ch >= lo && ch <= hi)
			hit = true;
	}
	if (j >= plen)
		return -1;
	*next = j + 1;
	return hit != neg;
}

bool expr__glob(const char *s, size_t slen, const char *p, size_t plen)
{
	size_t si = 0, pi = 0, star = SIZE_MAX, mark = 0, next;

	while (si < slen) {
		if (pi < plen) {
			char pc = p[pi];
			int m;

			if (pc == '*') {
				star = ++pi;
				mark = si;
				continue;
			}
			if (pc == '?') {
				pi++;
				si++;
				continue;
			}
			if (pc == '[') {
				m = class_match(p, plen, pi, s[si], &next);
				if (m == 1) {
					pi = next;
					si++;
					continue;
				}
				if (m == 0)
					goto backtrack;
			}
			if (pc == '\\' && pi + 1 < plen) {
				if (p[pi + 1] == s[si]) {
					pi += 2;
					si++;
					continue;
				}
				goto backtrack;
			}
			if (pc == s[si]) {
				pi++;
				si++;
				continue;
			}
		}
backtrack:
		/* let the last '*' swallow one more character and retry */
		if (star == SIZE_MAX)
			return false;
		pi = star;
		si = ++mark;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

size_t expr__glob_class(const char *p, size_t plen, size_t i, u64 set[4])
{
	size_t next = 0;

	memset(set, 0, 4 * sizeof(*set));
	if (class_match(p, plen, i, 0, &next) < 0)
		return 0;
	for (unsigned ch = 0; ch < 256; ch++)
		if (class_match(p, plen, i, (unsigned char)ch, &next) == 1)
			set[ch / 64] |= 1ULL << (ch % 64);
	return next;
}

int expr__glob_check(const char *p, size_t plen)
{
	size_t next;

	for (size_t i = 0; i < plen; i++) {
		if (p[i] == '\\') {
			i++;
			continue;
		}
		if (p[i] == '[') {
			if (class_match(p, plen, i, 0, &next) < 0)
				return (int)i;
			i = next - 1;
		}
	}
	return -1;
}

/* strncmp() over length-delimited strings; the end reads as NUL */
static int str_ncmp(const struct slot *a, const struct slot *b, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		unsigned char x = i < a->i ? a->p[i] : 0;
		unsigned char y = i < b->i ? b->p[i] : 0;

		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
	return 0;
}

static bool str_eq(const char *a, u64 alen, const char *b, u64 blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* short literals: a loop beats a call into the C library */
static inline bool bytes_eq(const u8 *a, const char *b, u32 n)
{
	for (u32 i = 0; i < n; i++)
		if (a[i] != (u8)b[i])
			return false;
	return true;
}

/* the NUL-or-end-bounded string in @size bytes at @p equals @lit (@n bytes, no NUL) */
static inline bool field_str_eq(const u8 *p, u32 size, const char *lit, u32 n)
{
	return n <= size && bytes_eq(p, lit, n) && (n == size || !p[n]);
}

/* ------------------------------------------------------------------ */
/* code generation                                                     */

struct cg {
	struct expr *e;
	int cap;
	int depth, maxdepth;
	u32 minraw;		/* bytes of the record the fixed loads need */
	int fail_pos;
	bool failed;
};

static int emit(struct cg *g, int op)
{
	struct expr *e = g->e;

	if (e->ncode == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 32;
		e->code = xrealloc(e->code, g->cap * sizeof(*e->code));
	}
	memset(&e->code[e->ncode], 0, sizeof(*e->code));
	e->code[e->ncode].op = op;
	return e->ncode++;
}

static struct insn *at(struct cg *g, int i)
{
	return &g->e->code[i];
}

static void push(struct cg *g, const struct node *n)
{
	emit(g, OP_PUSH);
	if (++g->depth > g->maxdepth)
		g->maxdepth = g->depth;
	if (g->depth > EXPR_STACK_MAX && !g->failed) {
		g->failed = true;
		g->fail_pos = n->pos;
	}
}

static void need_raw(struct cg *g, u32 end)
{
	if (end > g->minraw)
		g->minraw = end;
}

static int load_op(u32 size, bool sgn)
{
	switch (size) {
	case 1: return sgn ? OP_LDS8 : OP_LDU8;
	case 2: return sgn ? OP_LDS16 : OP_LDU16;
	case 4: return sgn ? OP_LDS32 : OP_LDU32;
	default: return OP_LD64;
	}
}

/* a fixed-size field read whole, or an array's bytes as a string */
static void gen_field(struct cg *g, const struct efield *f)
{
	int i;

	switch (f->fk) {
	case FK_SCALAR:
		i = emit(g, load_op(f->size, f->sgn));
		at(g, i)->off = f->off;
		need_raw(g, f->off + f->size);
		break;
	case FK_ARRAY:
		i = emit(g, OP_STRARR);
		at(g, i)->off = f->off;
		at(g, i)->n = f->size;
		need_raw(g, f->off + f->size);
		break;
	case FK_DYN:
		i = emit(g, OP_STRDYN);
		at(g, i)->off = f->off;
		at(g, i)->sgn = f->rel ? DYN_REL : 0;
		need_raw(g, f->off + 4);
		break;
	case FK_TAIL:
		i = emit(g, OP_STRTAIL);
		at(g, i)->off = f->off;
		need_raw(g, f->off);
		break;
	}
}

static void gen(struct cg *g, const struct node *n);

static void gen_index(struct cg *g, const struct node *n)
{
	const struct efield *f = n->f;
	int i;

	if (f->fk == FK_ARRAY && n->a->op == N_CONST) {
		/* bounds checked at compile time: a plain load */
		i = emit(g, load_op(f->esize, f->sgn));
		at(g, i)->off = f->off + (u32)n->a->val * f->esize;
		need_raw(g, f->off + f->size);
		return;
	}
	gen(g, n->a);
	i = emit(g, f->fk == FK_DYN ? OP_IDXDYN : f->fk == FK_TAIL ? OP_IDXTAIL : OP_IDX);
	at(g, i)->off = f->off;
	at(g, i)->esz = f->esize;
	at(g, i)->n = f->count;
	at(g, i)->sgn = (f->sgn ? DYN_SIGNED : 0) | (f->rel ? DYN_REL : 0);
	need_raw(g, f->fk == FK_DYN ? f->off + 4 : f->off + f->size);
}

static int int_op(int bop, bool uns)
{
	switch (bop) {
	case B_ADD: return OP_ADD;
	case B_SUB: return OP_SUB;
	case B_MUL: return OP_MUL;
	case B_DIV: return uns ? OP_DIVU : OP_DIVS;
	case B_MOD: return uns ? OP_MODU : OP_MODS;
	case B_SHL: return OP_SHL;
	case B_SHR: return uns ? OP_SHRU : OP_SHRS;
	case B_AND: return OP_AND;
	case B_OR: return OP_OR;
	case B_XOR: return OP_XOR;
	case B_EQ: return OP_EQ;
	case B_NE: return OP_NE;
	case B_LT: return uns ? OP_LTU : OP_LTS;
	case B_LE: return uns ? OP_LEU : OP_LES;
	case B_GT: return uns ? OP_GTU : OP_GTS;
	case B_GE: return uns ? OP_GEU : OP_GES;
	case B_MIN: return uns ? OP_MINU : OP_MINS;
	default: return uns ? OP_MAXU : OP_MAXS;
	}
}

/* the operator with its operands exchanged, or -1 when there is none */
static int swapped_op(int op)
{
	switch (op) {
	case OP_ADD: case OP_MUL: case OP_AND: case OP_OR: case OP_XOR: case OP_EQ: case OP_NE:
	case OP_MINS: case OP_MINU: case OP_MAXS: case OP_MAXU:
		return op;
	case OP_LTS: return OP_GTS;
	case OP_LTU: return OP_GTU;
	case OP_LES: return OP_GES;
	case OP_LEU: return OP_GEU;
	case OP_GTS: return OP_LTS;
	case OP_GTU: return OP_LTU;
	case OP_GES: return OP_LES;
	case OP_GEU: return OP_LEU;
	default: return -1;
	}
}

/*
 * The common literal patterns need no matcher: "rcu_sched" is an equality,
 * "rcu*" a prefix test. Returns the op for pattern @p.
 */
static int glob_op(const char *p, u32 len, u32 *n)
{
	u32 meta = 0, star = 0;

	for (u32 i = 0; i < len; i++) {
		if (strchr("*?[\\", p[i]))
			meta++;
		star += p[i] == '*';
	}
	*n = len;
	if (!meta)
		return OP_SEQ_C;
	if (meta == 1 && star == 1 && p[len - 1] == '*') {
		*n = len - 1;
		return OP_PREFIX_C;
	}
	return OP_GLOB_C;
}

/*
 * A char array compared with a literal (comm == "bash", comm ~ "rcu*") is
 * the most common filter: compare in place, without measuring the string
 * first. The literal holds no NUL, so equal bytes also prove that the array
 * has no NUL before their end. imm packs the literal's pool offset (high
 * half) and the array size (low half).
 */
static bool field_string_op(struct cg *g, const struct node *v, const struct node *k, int op,
			    u32 len)
{
	const struct efield *f = v->f;
	int i;

	if ((v->op != N_FIELD && v->op != N_TOSTR) || f->fk != FK_ARRAY)
		return false;
	if (op == OP_SEQ_C || op == OP_SNE_C)
		op += OP_FSEQ_C - OP_SEQ_C;
	else if (op == OP_PREFIX_C)
		op = OP_FPREFIX_C;
	else
		return false;
	i = emit(g, op);
	at(g, i)->off = f->off;
	at(g, i)->n = len;
	at(g, i)->imm = (s64)((u64)k->soff << 32 | f->size);
	need_raw(g, f->off + f->size);
	return true;
}

static void gen_strcmp(struct cg *g, const struct node *n)
{
	const struct node *a = n->a, *b = n->b;
	int i, op = n->sub == B_EQ ? OP_SEQ : n->sub == B_NE ? OP_SNE : OP_GLOB;

	if (b->op == N_STRC || (a->op == N_STRC && op != OP_GLOB)) {
		const struct node *k = b->op == N_STRC ? b : a, *v = k == b ? a : b;
		u32 len = k->slen;

		if (op == OP_GLOB)
			op = glob_op(g->e->pool + k->soff, k->slen, &len);
		else
			op += OP_SEQ_C - OP_SEQ;
		if (field_string_op(g, v, k, op, len))
			return;
		gen(g, v);
		i = emit(g, op);
		at(g, i)->off = k->soff;
		at(g, i)->n = len;
		return;
	}
	gen(g, a);
	push(g, n);
	gen(g, b);
	emit(g, op);
	g->depth--;
}

static void gen_bin(struct cg *g, const struct node *n)
{
	const struct node *a = n->a, *b = n->b;
	int op, i;

	if (a->kind == VK_STR) {
		gen_strcmp(g, n);
		return;
	}
	op = int_op(n->sub, n->sub == B_SHL || n->sub == B_SHR ? a->uns : a->uns || b->uns);
	if (b->op == N_CONST) {
		gen(g, a);
		i = emit(g, op + (OP_ADD_I - OP_ADD));
		at(g, i)->imm = b->val;
		return;
	}
	if (a->op == N_CONST && swapped_op(op) >= 0) {
		gen(g, b);
		i = emit(g, swapped_op(op) + (OP_ADD_I - OP_ADD));
		at(g, i)->imm = a->val;
		return;
	}
	gen(g, a);
	push(g, n);
	gen(g, b);
	emit(g, op);
	g->depth--;
}

static void gen_bool(struct cg *g, const struct node *n)
{
	gen(g, n);
	if (!n->isbool)
		emit(g, OP_BOOL);	/* strings: the accumulator holds the length */
}

static void gen_call(struct cg *g, const struct node *n)
{
	static const int unary[] = {
		[F_KSYMBOL] = OP_KSYM, [F_COMM_GET] = OP_COMM, [F_SYSCALL_NAME] = OP_SYSCALL,
		[F_NTOHL] = OP_NTOHL, [F_NTOHS] = OP_NTOHS, [F_ABS] = OP_ABS,
	};
	int i;

	switch (n->sub) {
	case F_PRINTF:
		for (int k = 1; k < n->nargs; k++) {
			gen(g, n->args[k]);
			push(g, n->args[k]);
		}
		i = emit(g, OP_PRINTF);
		at(g, i)->off = n->fmt;
		at(g, i)->n = n->nargs - 1;
		g->depth -= n->nargs - 1;
		break;
	case F_STRNCMP:
		gen(g, n->args[0]);
		push(g, n);
		gen(g, n->args[1]);
		push(g, n);
		gen(g, n->args[2]);
		emit(g, OP_STRNCMP);
		g->depth -= 2;
		break;
	case F_STRLEN:
		gen(g, n->args[0]);	/* a string's value already is its length */
		break;
	default:
		gen(g, n->args[0]);
		emit(g, unary[n->sub]);
		break;
	}
}

static void gen_cast(struct cg *g, const struct node *n)
{
	bool sgn = n->val;

	gen(g, n->a);
	switch (n->sub) {
	case 0: emit(g, OP_BOOL); break;
	case 1: emit(g, sgn ? OP_SEXT8 : OP_ZEXT8); break;
	case 2: emit(g, sgn ? OP_SEXT16 : OP_ZEXT16); break;
	case 4: emit(g, sgn ? OP_SEXT32 : OP_ZEXT32); break;
	default: break;	/* 64 bits: only the signedness changes */
	}
}

static void gen_logic(struct cg *g, const struct node *n)
{
	int j;

	gen_bool(g, n->a);
	j = emit(g, n->op == N_LAND ? OP_JZ : OP_JNZ);
	gen_bool(g, n->b);
	at(g, j)->off = g->e->ncode;
}

static void gen_cond(struct cg *g, const struct node *n)
{
	int j1, j2;

	gen(g, n->c);
	j1 = emit(g, OP_JZ);
	gen(g, n->a);
	j2 = emit(g, OP_JMP);
	at(g, j1)->off = g->e->ncode;
	gen(g, n->b);
	at(g, j2)->off = g->e->ncode;
}

static void gen(struct cg *g, const struct node *n)
{
	static const int builtin_ops[] = {
		[BI_CPU] = OP_CPU, [BI_PID] = OP_PID, [BI_TID] = OP_TID,
		[BI_TIME] = OP_TIME, [BI_PERIOD] = OP_PERIOD, [BI_IP] = OP_IP,
	};
	int i;

	switch (n->op) {
	case N_CONST:
		i = emit(g, OP_CONST);
		at(g, i)->imm = n->val;
		break;
	case N_STRC:
		i = emit(g, OP_STRC);
		at(g, i)->off = n->soff;
		at(g, i)->n = n->slen;
		break;
	case N_FIELD:
	case N_TOSTR:
		gen_field(g, n->f);
		break;
	case N_BUILTIN:
		emit(g, builtin_ops[n->sub]);
		break;
	case N_VAR:
		i = emit(g, OP_VAR);
		at(g, i)->off = n->sub;
		break;
	case N_INDEX:
		gen_index(g, n);
		break;
	case N_NEG:
		gen(g, n->a);
		emit(g, OP_NEG);
		break;
	case N_BNOT:
		gen(g, n->a);
		emit(g, OP_BNOT);
		break;
	case N_LNOT:
		gen(g, n->a);
		emit(g, OP_LNOT);
		break;
	case N_BOOL:
		gen_bool(g, n->a);
		break;
	case N_CAST:
		gen_cast(g, n);
		break;
	case N_BIN:
		gen_bin(g, n);
		break;
	case N_LAND:
	case N_LOR:
		gen_logic(g, n);
		break;
	case N_COND:
		gen_cond(g, n);
		break;
	case N_COMMA:
		gen(g, n->a);
		gen(g, n->b);
		break;
	case N_CALL:
		gen_call(g, n);
		break;
	}
}

int expr__codegen(struct expr *e, const struct node *root, int *pos)
{
	struct cg g = { .e = e };
	int chk = emit(&g, OP_CHKRAW);

	gen(&g, root);
	emit(&g, OP_END);
	if (g.failed) {
		*pos = g.fail_pos;
		return -1;
	}
	/* one size check covers every fixed-offset load; skip it when none */
	at(&g, chk)->imm = g.minraw;
	e->entry = g.minraw ? 0 : 1;
	e->stack = g.maxdepth;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the machine                                                         */

#define LOAD(type, p) ({ type v__; memcpy(&v__, (p), sizeof(v__)); v__; })

/* an array element, or a field of a size the fixed-size loads above don't take */
static inline u64 load_elem(const u8 *p, u8 esz, bool sgn)
{
	return field__load(p, esz, sgn);
}

/* dyn_locate - where the __data_loc/__rel_loc data of the field at @off is (field.h) */
static inline bool dyn_locate(const struct expr_ctx *ctx, u32 off, bool rel, u32 *o, u32 *len)
{
	return field__dyn(ctx->raw, ctx->raw_size, off, rel, o, len);
}

static int vm_run(const struct expr *e, const struct expr_ctx *ctx, struct slot *res)
{
#define OP_LABEL(x) &&L_##x,
	static const void *const labels[] = { EXPR_OPS(OP_LABEL) };
#undef OP_LABEL
	const struct insn *code = e->code, *ip = code + e->entry;
	const u8 *raw = ctx->raw;
	struct slot stack[EXPR_STACK_MAX], *sp = stack;
	const char *ap = NULL;	/* string value: pointer; the length is in a */
	u64 a = 0;
	u32 o, len;

#define DISPATCH() goto *labels[ip->op]
#define NEXT() do { ip++; DISPATCH(); } while (0)
#define BINOP(name, expr)                                                 \
	L_##name: { u64 l = (--sp)->i, r = a; a = (expr); NEXT(); }     \
	L_##name##_I: { u64 l = a, r = (u64)ip->imm; a = (expr); NEXT(); }
	/* the result goes through t: taking &a would keep a out of a register */
#define BINOP_ERR(name, fn, uns)                                                      \
	L_##name: { u64 l = (--sp)->i, r = a, t;                                      \
		if (fn(l, r, uns, &t)) { return -1; } a = t; NEXT(); }                 \
	L_##name##_I: { u64 l = a, r = (u64)ip->imm, t;                               \
		if (fn(l, r, uns, &t)) { return -1; } a = t; NEXT(); }

	DISPATCH();

L_END:
	res->i = a;
	res->p = ap;
	return 0;
L_CHKRAW:
	if (!raw || ctx->raw_size < (u64)ip->imm)
		return -1;
	NEXT();
L_CONST:
	a = (u64)ip->imm;
	NEXT();
L_STRC:
	ap = e->pool + ip->off;
	a = ip->n;
	NEXT();
L_PUSH:
	sp->i = a;
	sp->p = ap;
	sp++;
	NEXT();
L_LDU8:  a = LOAD(u8, raw + ip->off); NEXT();
L_LDS8:  a = (u64)(s64)LOAD(s8, raw + ip->off); NEXT();
L_LDU16: a = LOAD(u16, raw + ip->off); NEXT();
L_LDS16: a = (u64)(s64)LOAD(s16, raw + ip->off); NEXT();
L_LDU32: a = LOAD(u32, raw + ip->off); NEXT();
L_LDS32: a = (u64)(s64)LOAD(s32, raw + ip->off); NEXT();
L_LD64:  a = LOAD(u64, raw + ip->off); NEXT();
L_CPU:    a = (u64)(s64)ctx->cpu; NEXT();
L_PID:    a = (u64)(s64)ctx->pid; NEXT();
L_TID:    a = (u64)(s64)ctx->tid; NEXT();
L_TIME:   a = ctx->time; NEXT();
L_PERIOD: a = ctx->period; NEXT();
L_IP:     a = ctx->ip; NEXT();
L_VAR:
	if (!ctx->vars)
		return -1;
	a = (u64)ctx->vars[ip->off];
	NEXT();
L_STRARR:
	ap = (const char *)raw + ip->off;
	a = strnlen(ap, ip->n);
	NEXT();
L_STRDYN:
	if (!dyn_locate(ctx, ip->off, ip->sgn & DYN_REL, &o, &len))
		return -1;
	ap = (const char *)raw + o;
	a = strnlen(ap, len);
	NEXT();
L_STRTAIL:
	ap = (const char *)raw + ip->off;
	a = strnlen(ap, ctx->raw_size - ip->off);
	NEXT();
L_IDXTAIL:
	if (a >= (ctx->raw_size - ip->off) / ip->esz)
		return -1;
	a = load_elem(raw + ip->off + a * ip->esz, ip->esz, ip->sgn & DYN_SIGNED);
	NEXT();
L_IDX:
	if (a >= ip->n)
		return -1;
	a = load_elem(raw + ip->off + a * ip->esz, ip->esz, ip->sgn & DYN_SIGNED);
	NEXT();
L_IDXDYN:
	if (!dyn_locate(ctx, ip->off, ip->sgn & DYN_REL, &o, &len) || a >= len / ip->esz)
		return -1;
	a = load_elem(raw + o + a * ip->esz, ip->esz, ip->sgn & DYN_SIGNED);
	NEXT();
L_NEG:  a = -a; NEXT();
L_BNOT: a = ~a; NEXT();
L_LNOT: a = !a; NEXT();
L_BOOL: a = !!a; NEXT();
L_SEXT8:  a = (u64)(s64)(s8)a; NEXT();
L_SEXT16: a = (u64)(s64)(s16)a; NEXT();
L_SEXT32: a = (u64)(s64)(s32)a; NEXT();
L_ZEXT8:  a = (u8)a; NEXT();
L_ZEXT16: a = (u16)a; NEXT();
L_ZEXT32: a = (u32)a; NEXT();
L_SEQ:
	sp--;
	a = str_eq(sp->p, sp->i, ap, a);
	NEXT();
L_SNE:
	sp--;
	a = !str_eq(sp->p, sp->i, ap, a);
	NEXT();
L_GLOB:
	sp--;
	a = expr__glob(sp->p, sp->i, ap, a);
	NEXT();
L_SEQ_C:  a = str_eq(ap, a, e->pool + ip->off, ip->n); NEXT();
L_SNE_C:  a = !str_eq(ap, a, e->pool + ip->off, ip->n); NEXT();
L_GLOB_C: a = expr__glob(ap, a, e->pool + ip->off, ip->n); NEXT();
L_PREFIX_C: a = a >= ip->n && !memcmp(ap, e->pool + ip->off, ip->n); NEXT();
L_FSEQ_C:
	a = field_str_eq(raw + ip->off, (u32)ip->imm, e->pool + ((u64)ip->imm >> 32), ip->n);
	NEXT();
L_FSNE_C:
	a = !field_str_eq(raw + ip->off, (u32)ip->imm, e->pool + ((u64)ip->imm >> 32), ip->n);
	NEXT();
L_FPREFIX_C:
	a = ip->n <= (u32)ip->imm && bytes_eq(raw + ip->off, e->pool + ((u64)ip->imm >> 32), ip->n);
	NEXT();
L_JZ:
	if (!a) {
		ip = code + ip->off;
		DISPATCH();
	}
	NEXT();
L_JNZ:
	if (a) {
		ip = code + ip->off;
		DISPATCH();
	}
	NEXT();
L_JMP:
	ip = code + ip->off;
	DISPATCH();
L_KSYM:
	ap = ksyms__name(e->env ? e->env->ksyms : NULL, a, NULL, NULL);
	if (!ap)
		ap = "Unknown";
	a = strlen(ap);
	NEXT();
L_COMM:
	ap = tasks__comm(e->env ? e->env->tasks : NULL, (int)a);
	a = strlen(ap);
	NEXT();
L_SYSCALL:
	ap = syscalls__name((long)a);
	if (!ap)
		ap = "Unknown";
	a = strlen(ap);
	NEXT();
L_STRNCMP:
	sp -= 2;
	a = (u64)(s64)str_ncmp(&sp[0], &sp[1], a);
	NEXT();
L_NTOHL: a = ntohl((u32)a); NEXT();
L_NTOHS: a = ntohs((u16)a); NEXT();
L_ABS:   a = (s64)a < 0 ? -a : a; NEXT();
L_PRINTF:
	sp -= ip->n;
	{
		s64 n = expr__printf_run(e, &e->fmts[ip->off], sp);

		if (n < 0)
			return -1;	/* a '*' width beyond the bound */
		a = (u64)n;
	}
	NEXT();

	BINOP(ADD, l + r)
	BINOP(SUB, l - r)
	BINOP(MUL, l * r)
	BINOP_ERR(DIVS, expr__div, false)
	BINOP_ERR(DIVU, expr__div, true)
	BINOP_ERR(MODS, expr__mod, false)
	BINOP_ERR(MODU, expr__mod, true)
	BINOP(AND, l & r)
	BINOP(OR, l | r)
	BINOP(XOR, l ^ r)
	BINOP(SHL, expr__shl(l, r))
	BINOP(SHRS, expr__shr(l, r, false))
	BINOP(SHRU, expr__shr(l, r, true))
	BINOP(EQ, l == r)
	BINOP(NE, l != r)
	BINOP(LTS, (s64)l < (s64)r)
	BINOP(LTU, l < r)
	BINOP(LES, (s64)l <= (s64)r)
	BINOP(LEU, l <= r)
	BINOP(GTS, (s64)l > (s64)r)
	BINOP(GTU, l > r)
	BINOP(GES, (s64)l >= (s64)r)
	BINOP(GEU, l >= r)
	BINOP(MINS, (s64)l < (s64)r ? l : r)
	BINOP(MINU, l < r ? l : r)
	BINOP(MAXS, (s64)l > (s64)r ? l : r)
	BINOP(MAXU, l > r ? l : r)
#undef BINOP
#undef BINOP_ERR
#undef NEXT
#undef DISPATCH
}

int expr_printkey(struct expr *e, FILE *out, u64 key, int width)
{
	s64 vars[1] = { (s64)key }, printed = 0;
	struct expr_ctx ctx = { .vars = vars };

	/* printf() writes through its own stream: keep the order of the bytes */
	fflush(out);
	if (expr_eval(e, &ctx, &printed) || printed < 0)
		return -1;
	fflush(out);
	if (printed < width)
		fprintf(out, "%*s", (int)(width - printed), "");
	return 0;
}

int expr_eval(struct expr *e, const struct expr_ctx *ctx, s64 *out)
{
	struct slot res;

	if (unlikely(vm_run(e, ctx, &res)))
		return -1;
	/* a string program is true when the string is not empty */
	*out = e->type == EXPR_STR ? res.i != 0 : (s64)res.i;
	return 0;
}

int expr_eval_str(struct expr *e, const struct expr_ctx *ctx, const char **str, size_t *len)
{
	struct slot res;

	if (e->type != EXPR_STR || vm_run(e, ctx, &res))
		return -1;
	*str = res.p;
	*len = res.i;
	return 0;
}

static void dump_operands(const struct expr *e, const struct insn *ip, char *buf, size_t size)
{
	switch (ip->op) {
	case OP_CHKRAW: case OP_CONST:
		snprintf(buf, size, "%lld", (long long)ip->imm);
		break;
	case OP_STRC: case OP_SEQ_C: case OP_SNE_C: case OP_GLOB_C: case OP_PREFIX_C:
		snprintf(buf, size, "\"%.*s\"", (int)ip->n, e->pool + ip->off);
		break;
	case OP_FSEQ_C: case OP_FSNE_C: case OP_FPREFIX_C:
		/* only these ops pack a pool offset in imm: other imms are no pointers */
		snprintf(buf, size, "@%u len %u, \"%.*s\"", ip->off, (u32)ip->imm, (int)ip->n,
			 e->pool + ((u64)ip->imm >> 32));
		break;
	case OP_LDU8: case OP_LDS8: case OP_LDU16: case OP_LDS16: case OP_LDU32:
	case OP_LDS32: case OP_LD64: case OP_STRDYN: case OP_STRTAIL: case OP_VAR:
		snprintf(buf, size, "@%u", ip->off);
		break;
	case OP_STRARR:
		snprintf(buf, size, "@%u len %u", ip->off, ip->n);
		break;
	case OP_IDX: case OP_IDXDYN: case OP_IDXTAIL:
		snprintf(buf, size, "@%u [%u x %u]", ip->off, ip->n, ip->esz);
		break;
	case OP_JZ: case OP_JNZ: case OP_JMP:
		snprintf(buf, size, "-> %u", ip->off);
		break;
	case OP_PRINTF:
		snprintf(buf, size, "fmt %u, %u args", ip->off, ip->n);
		break;
	default:
		if (ip->op >= OP_ADD_I)
			snprintf(buf, size, "%lld", (long long)ip->imm);
		break;
	}
}

void expr_dump(const struct expr *e, FILE *fp)
{
	for (int i = e->entry; i < e->ncode; i++) {
		const struct insn *ip = &e->code[i];
		char arg[160] = "";

		dump_operands(e, ip, arg, sizeof(arg));
		if (arg[0])
			fprintf(fp, "%4d  %-8s %s\n", i, op_names[ip->op], arg);
		else
			fprintf(fp, "%4d  %s\n", i, op_names[ip->op]);
	}
}
