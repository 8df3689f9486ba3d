/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - what the parts of the expression language share: the
 * front end (lib/expr/lex.c lexer and diagnostics, lib/expr/expr.c parser, type
 * checker and constant folding, lib/expr/printf.c printf() formats) hands a
 * typed tree to the back end (lib/expr/vm.c: code generation and the
 * virtual machine). lib/bpf/expr.c is the second back end: it reads the
 * same tree (kept in struct expr) and emits BPF. Not for use elsewhere.
 *
 * The front end builds a typed tree whose field references are already
 * resolved to offsets and sizes; the back end turns it into a flat array of
 * instructions for an accumulator + stack machine. Nothing in the tree or the
 * code refers to a name once compilation is over.
 */
#ifndef PERF_PROF_EXPR_INTERNAL_H
#define PERF_PROF_EXPR_INTERNAL_H

#include <limits.h>

#include "env.h"
#include "expr.h"

#define EXPR_STACK_MAX 64	/* evaluation stack slots (checked at compile time) */
#define EXPR_PRINTF_ARGS 16	/* printf() arguments after the format */
#define EXPR_DEPTH_MAX 200	/* parser recursion bound: no stack overflow on "((((..." */

/* value kinds seen by the type checker */
enum vkind {
	VK_INT,		/* 64-bit integer, signed or unsigned arithmetic */
	VK_STR,		/* pointer + length */
	VK_ARR,		/* a non-char array field: can only be indexed or cast to (char *) */
};

/* how a field is laid out in the record */
enum fkind {
	FK_SCALAR,	/* integer of 1, 2, 4 or 8 bytes */
	FK_ARRAY,	/* fixed array inside the record (or an odd-sized blob) */
	FK_DYN,		/* __data_loc / __rel_loc: 32-bit word locating the data */
	FK_TAIL,	/* flexible array (size 0 in the format): up to the record's end */
};

/* a field of the event, resolved once */
struct efield {
	const char *name;
	const char *type;	/* as the format spells it, for listings */
	u32 off;
	u32 size;	/* scalar size, whole array size, 4 for dynamic fields */
	u32 esize;	/* element size of arrays (1 for strings) */
	u32 count;	/* elements of a fixed array */
	bool sgn;	/* scalar / element is signed */
	bool rel;	/* __rel_loc: offset counts from the end of the word */
	enum fkind fk;
};

/* tree node kinds */
enum nop {
	N_CONST,	/* integer constant: val */
	N_STRC,		/* string constant: soff/slen in the pool */
	N_FIELD,	/* event field: f */
	N_BUILTIN,	/* _cpu _pid _tid _time _period: sub */
	N_VAR,		/* expr_compile_vars() variable: sub = index */
	N_INDEX,	/* f[a] */
	N_NEG, N_BNOT, N_LNOT,
	N_CAST,		/* integer cast: sub = size in bytes, sgn in val */
	N_TOSTR,	/* (char *) on an array field */
	N_BIN,		/* binary operator: sub = enum bop */
	N_BOOL,		/* a != 0 (strings: non-empty) */
	N_LAND, N_LOR, N_COND, N_COMMA,
	N_CALL,		/* function: sub = enum efn, args */
};

enum bop {
	B_ADD, B_SUB, B_MUL, B_DIV, B_MOD, B_SHL, B_SHR, B_AND, B_OR, B_XOR,
	B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_GLOB, B_MIN, B_MAX,
};

enum builtin { BI_CPU, BI_PID, BI_TID, BI_TIME, BI_PERIOD, BI_IP };

enum efn {
	F_PRINTF, F_KSYMBOL, F_COMM_GET, F_SYSCALL_NAME, F_STRNCMP, F_STRLEN,
	F_NTOHL, F_NTOHS, F_ABS, F_MIN, F_MAX,
};

struct node {
	enum nop op;
	int sub;		/* bop, builtin, efn, var index or cast size */
	enum vkind kind;
	bool uns;		/* VK_INT: arithmetic on it is unsigned */
	bool isbool;		/* VK_INT: value is known to be 0 or 1 */
	bool pure;		/* no side effects (no printf inside) */
	int pos;		/* column in the source, for diagnostics */
	s64 val;		/* N_CONST value; N_CAST: 1 when the target is signed */
	u32 soff, slen;		/* N_STRC */
	const struct efield *f;	/* N_FIELD, N_INDEX, N_TOSTR */
	struct node *a, *b, *c;
	struct node **args;	/* N_CALL */
	int nargs;
	int fmt;		/* F_PRINTF: index into expr->fmts */
};

/* one piece of a printf() format, prepared at compile time */
enum pc_kind { PC_LIT, PC_INT, PC_UINT, PC_CHAR, PC_STR, PC_PTR };
enum pc_len { LM_HH, LM_H, LM_INT, LM_LONG };

struct pconv {
	enum pc_kind kind;
	enum pc_len lm;
	bool star_w, star_p;	/* width / precision taken from an argument */
	int prec;		/* PC_STR: fixed precision, -1 when none */
	u32 fmt;		/* pool offset: literal text or a one-conversion format */
	u32 len;		/* PC_LIT: length of the text */
};

struct pfmt {
	struct pconv *cv;
	int ncv;
	int nargs;	/* arguments consumed, stars included */
};

/* a value on the machine's stack: an integer, or a string (p, length in i) */
struct slot {
	u64 i;
	const char *p;
};

/* one instruction of the machine; see the op list in expr-vm.c */
struct insn {
	u16 op;
	u8 esz;		/* element/load size */
	u8 sgn;		/* element signed; __rel_loc for dynamic fields */
	u32 off;	/* record offset, jump target, pool offset, var index */
	u32 n;		/* array count, string length, argument count, fmt index */
	s64 imm;	/* immediate operand, minimum record size */
};

struct expr {
	char *src;
	enum expr_type type;
	struct insn *code;
	int ncode;
	int entry;		/* first instruction (skips the record size check) */
	int stack;		/* slots the program needs */
	char *pool;		/* string literals and printf pieces */
	u32 pool_len;
	struct pfmt *fmts;
	int nfmts;
	bool uses_ksym;		/* calls ksymbol(): kernel symbols read at bind time */
	const struct run_env *env;	/* names for comm_get() and ksymbol() */
	/* the checked tree, kept for other back ends (lib/bpf) */
	const struct node *root;
	struct node **nodes;	/* every node, to free them */
	int nnodes;
	struct efield *fields;	/* what N_FIELD nodes point at */
};

/* ------------------------------------------------------------------ */
/*
 * The front end's shared state (lib/expr/expr.c, expr-lex.c, expr-printf.c).
 * Its functions carry the ecc__ (expression compiler) prefix.
 */

enum {
	TK_EOF = 0, TK_INT, TK_STR, TK_IDENT, TK_ERR,
	P_SHL = 256, P_SHR, P_LE, P_GE, P_EQ, P_NE, P_LAND, P_LOR,
	P_INC, P_DEC, P_ARROW, P_ASSIGN_OP,
};

struct tok {
	int t;		/* TK_*, P_* or the character of a one-character token */
	int pos, end;	/* source span */
	u64 ival;	/* TK_INT */
	bool iuns;
	u32 soff, slen;	/* TK_STR: pool offset and length */
};

/* the state of one compilation */
struct cc {
	const char *src;
	struct err *err;
	struct expr *e;		/* being built: pool and printf formats */
	u32 pool_cap;
	bool vars_mode;		/* expr_compile_vars(): only @vars exist */
	const char *const *vars;
	int nvars;
	struct efield *fields;
	int nfields;
	struct tok tok, peek;
	bool has_peek;
	struct node **nodes;
	int nnodes, cnodes;
	int depth;
	bool uses_ksym;
	int nfail;		/* first error wins; later ones are echoes */
	int epos;
	char emsg[512];
	char ehint[256];
};

/* ecc__fail - report an error at column @pos (the first one wins); returns NULL */
void *ecc__fail(struct cc *c, int pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ecc__hint - the hint of the error just reported (not of a later echo) */
void ecc__hint(struct cc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* string pool of the expression being built; offsets survive its growth */
void ecc__pool_putc(struct cc *c, char ch);
u32 ecc__pool_add(struct cc *c, const char *s, size_t n);

/* lexer: c->tok is the current token; a lexical error yields TK_ERR */
void ecc__next(struct cc *c);
const struct tok *ecc__peek(struct cc *c);
const char *ecc__tok_text(const struct cc *c, const struct tok *t, char *buf, size_t size);
bool ecc__tok_is(const struct cc *c, const struct tok *t, const char *word);

/* tree helpers of lib/expr/expr.c */
struct node *ecc__node_new(struct cc *c, enum nop op, int pos);
bool ecc__need_value(struct cc *c, const struct node *n);
const char *ecc__kind_name(const struct node *n);

/* ecc__printf - a checked printf() call node (expr-printf.c); NULL on error */
struct node *ecc__printf(struct cc *c, int pos, struct node **args, int nargs);

/*
 * Integer semantics shared by constant folding and the machine, so a folded
 * constant can never differ from the value computed at run time.
 * Return 0, or -1 for a division/modulo by zero or INT64_MIN / -1.
 */
static inline int expr__div(u64 l, u64 r, bool uns, u64 *res)
{
	if (!r)
		return -1;
	if (uns) {
		*res = l / r;
		return 0;
	}
	if ((s64)l == INT64_MIN && (s64)r == -1)
		return -1;
	*res = (u64)((s64)l / (s64)r);
	return 0;
}

static inline int expr__mod(u64 l, u64 r, bool uns, u64 *res)
{
	if (!r)
		return -1;
	if (uns)
		*res = l % r;
	else if ((s64)r == -1)	/* INT64_MIN % -1 traps in hardware; it is 0 */
		*res = 0;
	else
		*res = (u64)((s64)l % (s64)r);
	return 0;
}

/* shifts by 64 or more shift every bit out, as if done one bit at a time */
static inline u64 expr__shl(u64 l, u64 r)
{
	return r >= 64 ? 0 : l << r;
}

static inline u64 expr__shr(u64 l, u64 r, bool uns)
{
	if (uns)
		return r >= 64 ? 0 : l >> r;
	if (r >= 64)
		return (s64)l < 0 ? (u64)-1 : 0;
	return (u64)((s64)l >> r);
}

/* glob match of @s against @p: * ? [abc] [a-z] [!..] [^..] and \x */
bool expr__glob(const char *s, size_t slen, const char *p, size_t plen);
/*
 * expr__glob_class - the bytes the bracket expression at p[i] == '[' matches,
 * one bit each in @set; returns the index just past its ']', or 0 when the
 * '[' is never closed (an ordinary character then). For back ends that
 * compile a fixed pattern (lib/bpf) with the matcher's own rules.
 */
size_t expr__glob_class(const char *p, size_t plen, size_t i, u64 set[4]);
/* expr__glob_check - column in @p of an unterminated '[', or -1 */
int expr__glob_check(const char *p, size_t plen);

/*
 * expr__codegen - turn the tree into e->code; on failure (the program needs
 * too many stack slots) returns -1 with *@pos set to the offending column.
 */
int expr__codegen(struct expr *e, const struct node *root, int *pos);

/*
 * expr__printf_run - print one printf() call (expr-printf.c) to the run's
 * output; returns the characters printed, or -1 (nothing printed) when a '*'
 * width or precision is beyond EXPR_PRINTF_MAX_WIDTH
 */
s64 expr__printf_run(const struct expr *e, const struct pfmt *f, const struct slot *args);

#endif
