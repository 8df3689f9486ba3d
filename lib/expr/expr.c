// SPDX-License-Identifier: GPL-2.0
/*
 * expr.c - the expression language's compiler: recursive-descent parser with
 * C precedence, type checker, constant folding, the diagnostic report
 * (message, caret under the column, the names one may use) and the public
 * compile API. The lexer is lib/expr/lex.c, printf() lib/expr-printf.c.
 *
 * Every name is resolved here, once, against the event format (or the
 * variable list of expr_compile_vars()); lib/expr/vm.c turns the checked
 * tree into code for the machine that runs per sample. Documentation of the
 * language itself: Documentation/expressions.md.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <traceevent/event-parse.h>

#include "internal.h"
#include "ksyms.h"

static const struct builtin_def {
	const char *name;
	const char *type;
	enum builtin id;
	bool uns;
} builtins[] = {
	{ "_cpu", "int", BI_CPU, false },
	{ "_pid", "int", BI_PID, false },
	{ "_tid", "int", BI_TID, false },
	{ "_time", "u64", BI_TIME, true },
	{ "_period", "u64", BI_PERIOD, true },
	{ "_ip", "u64", BI_IP, true },
};

static const struct func_def {
	const char *name;
	enum efn id;
	const char *args;	/* 'i' integer, 's' string per argument; NULL: printf */
	enum vkind ret;
	bool uns;
} funcs[] = {
	{ "printf", F_PRINTF, NULL, VK_INT, false },
	{ "ksymbol", F_KSYMBOL, "i", VK_STR, false },
	{ "comm_get", F_COMM_GET, "i", VK_STR, false },
	{ "syscall_name", F_SYSCALL_NAME, "i", VK_STR, false },
	{ "strncmp", F_STRNCMP, "ssi", VK_INT, false },
	{ "strlen", F_STRLEN, "s", VK_INT, false },
	{ "ntohl", F_NTOHL, "i", VK_INT, true },
	{ "htonl", F_NTOHL, "i", VK_INT, true },
	{ "ntohs", F_NTOHS, "i", VK_INT, false },
	{ "htons", F_NTOHS, "i", VK_INT, false },
	{ "abs", F_ABS, "i", VK_INT, false },
	{ "min", F_MIN, "ii", VK_INT, false },
	{ "max", F_MAX, "ii", VK_INT, false },
};

static const char *const bop_names[] = {
	[B_ADD] = "+", [B_SUB] = "-", [B_MUL] = "*", [B_DIV] = "/", [B_MOD] = "%",
	[B_SHL] = "<<", [B_SHR] = ">>", [B_AND] = "&", [B_OR] = "|", [B_XOR] = "^",
	[B_EQ] = "==", [B_NE] = "!=", [B_LT] = "<", [B_LE] = "<=", [B_GT] = ">",
	[B_GE] = ">=", [B_GLOB] = "~", [B_MIN] = "min", [B_MAX] = "max",
};

const char *ecc__kind_name(const struct node *n)
{
	if (n->kind == VK_STR)
		return "a string";
	if (n->kind == VK_ARR)
		return "an array";
	return "an integer";
}

static void suggest(const char *name, const char *cand, const char **best, int *bestd)
{
	int d = str_distance(name, cand);

	if (d <= 2 && d < *bestd) {
		*best = cand;
		*bestd = d;
	}
}

/* the closest variable name to @name, or NULL */
static const char *suggest_var(const struct cc *c, const char *name)
{
	const char *best = NULL;
	int bestd = 3;

	if (c->vars_mode) {
		for (int i = 0; i < c->nvars; i++)
			suggest(name, c->vars[i], &best, &bestd);
		return best;
	}
	for (int i = 0; i < c->nfields; i++)
		suggest(name, c->fields[i].name, &best, &bestd);
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		suggest(name, builtins[i].name, &best, &bestd);
	return best;
}

static void fields_detail(const struct cc *c)
{
	if (c->vars_mode) {
		err_detail(c->err, "available variables:");
		for (int i = 0; i < c->nvars; i++)
			err_detail(c->err, "  s64 %s", c->vars[i]);
		if (!c->nvars)
			err_detail(c->err, "  (none)");
		return;
	}
	err_detail(c->err, "available fields:");
	for (int i = 0; i < c->nfields; i++)
		err_detail(c->err, "  %s %s", c->fields[i].type, c->fields[i].name);
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		err_detail(c->err, "  %s %s", builtins[i].type, builtins[i].name);
}

/* a long expression in the message: its ends (the caret line shows the place) */
#define CC_SHOWN 120

/* turn the first error into the struct err: message, caret line, names */
static void cc_report(struct cc *c)
{
	char *flat = xstrdup(c->src), shown[CC_SHOWN + 1];

	/* one line in the message */
	for (char *p = flat; *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f')
			*p = ' ';
	/* the reason comes last and must survive however long the expression is */
	err_set(c->err, EXIT_USAGE, "invalid expression '%s': %s",
		str_elide(shown, sizeof(shown), flat, CC_SHOWN), c->emsg);
	err_caret(c->err, c->src, c->epos);
	fields_detail(c);
	if (c->ehint[0])
		err_hint(c->err, "%s", c->ehint);
	free(flat);
}

/* ------------------------------------------------------------------ */
/* fields                                                              */

static bool is_fixed_type(const char *w, int *size, bool *sgn);

/*
 * type_elem_size - element size of a flexible array ("u32[]"), for which
 * libtraceevent reports 1 whatever the type; @dflt when the name is unknown.
 */
static u32 type_elem_size(const char *type, u32 dflt)
{
	static const struct {
		const char *name;
		u32 size;
	} known[] = {
		{ "char", 1 }, { "signed char", 1 }, { "unsigned char", 1 }, { "bool", 1 },
		{ "short", 2 }, { "unsigned short", 2 }, { "int", 4 }, { "unsigned int", 4 },
		{ "unsigned", 4 }, { "long", 8 }, { "unsigned long", 8 }, { "long long", 8 },
		{ "unsigned long long", 8 }, { "pid_t", 4 }, { "size_t", 8 },
	};
	char base[64];
	bool sgn;
	int size;
	size_t n;

	if (!strncmp(type, "const ", 6))
		type += 6;
	n = strcspn(type, "[");
	while (n && type[n - 1] == ' ')
		n--;
	if (n >= sizeof(base))
		return dflt;
	memcpy(base, type, n);
	base[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(base, known[i].name))
			return known[i].size;
	if (is_fixed_type(base, &size, &sgn))
		return size;
	return dflt;
}

static void efield_init(struct efield *ef, const struct tep_format_field *f)
{
	ef->name = f->name;
	ef->type = f->type;
	ef->off = f->offset;
	ef->size = f->size;
	ef->sgn = f->flags & TEP_FIELD_IS_SIGNED;
	ef->esize = f->elementsize ? f->elementsize : 1;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		ef->fk = FK_DYN;
		ef->rel = f->flags & TEP_FIELD_IS_RELATIVE;
	} else if (!f->size) {
		ef->fk = FK_TAIL;	/* "char buf[]": the rest of the record */
		ef->esize = type_elem_size(f->type, ef->esize);
	} else if ((f->flags & TEP_FIELD_IS_ARRAY) ||
		   (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8)) {
		/* an odd-sized scalar (a struct copied whole) is read as bytes */
		if (!(f->flags & TEP_FIELD_IS_ARRAY) || (u32)f->size % ef->esize)
			ef->esize = 1;
		ef->fk = FK_ARRAY;
		ef->count = f->size / ef->esize;
	} else {
		ef->fk = FK_SCALAR;
		ef->esize = f->size;
	}
}

/* sizes and offsets come from the kernel: accept only what can be laid out */
static bool field_usable(const struct tep_format_field *f)
{
	if (f->offset < 0 || f->offset > 0xffff || f->size < 0 || f->size > 0xffff)
		return false;
	return f->size > 0 || (f->flags & TEP_FIELD_IS_ARRAY);
}

static void fields_load(struct cc *c, struct tep_event *tp)
{
	struct tep_format_field *f;
	int n = 0;

	for (f = tp->format.common_fields; f; f = f->next)
		n++;
	for (f = tp->format.fields; f; f = f->next)
		n++;
	c->fields = xzalloc((n ? n : 1) * sizeof(*c->fields));
	for (f = tp->format.common_fields; f; f = f->next)
		if (field_usable(f))
			efield_init(&c->fields[c->nfields++], f);
	for (f = tp->format.fields; f; f = f->next)
		if (field_usable(f))
			efield_init(&c->fields[c->nfields++], f);
}

/* ------------------------------------------------------------------ */
/* tree building, type checking and constant folding                   */

struct node *ecc__node_new(struct cc *c, enum nop op, int pos)
{
	struct node *n = xzalloc(sizeof(*n));

	if (c->nnodes == c->cnodes) {
		c->cnodes = c->cnodes ? c->cnodes * 2 : 32;
		c->nodes = xrealloc(c->nodes, c->cnodes * sizeof(*c->nodes));
	}
	c->nodes[c->nnodes++] = n;
	n->op = op;
	n->pos = pos;
	n->kind = VK_INT;
	n->pure = true;
	return n;
}

static struct node *node_const(struct cc *c, int pos, u64 v, bool uns)
{
	struct node *n = ecc__node_new(c, N_CONST, pos);

	n->val = (s64)v;
	n->uns = uns;
	n->isbool = v <= 1;
	return n;
}

/* turn @n into a constant in place (it keeps its position) */
static struct node *fold_to(struct node *n, u64 v, bool uns)
{
	n->op = N_CONST;
	n->kind = VK_INT;
	n->val = (s64)v;
	n->uns = uns;
	n->isbool = v <= 1;
	n->a = n->b = n->c = NULL;
	return n;
}

static bool is_const(const struct node *n)
{
	return n->op == N_CONST || n->op == N_STRC;
}

static bool const_truth(const struct node *n)
{
	return n->op == N_STRC ? n->slen != 0 : n->val != 0;
}

/* need_value - arrays must be indexed or cast before they are a value */
bool ecc__need_value(struct cc *c, const struct node *n)
{
	if (n->kind != VK_ARR)
		return true;
	ecc__fail(c, n->pos, "array '%s' cannot be used as a value", n->f->name);
	ecc__hint(c, "index it, e.g. %s[0], or read its bytes as a string: (char *)%s",
		n->f->name, n->f->name);
	return false;
}

static bool need_int(struct cc *c, const struct node *n, const char *op, int pos, bool unary)
{
	if (!ecc__need_value(c, n))
		return false;
	if (n->kind == VK_INT)
		return true;
	ecc__fail(c, pos, "'%s' needs %s, not a string", op,
		unary ? "an integer operand" : "integer operands");
	ecc__hint(c, "strings can be compared with ==, != and ~ (glob match)");
	return false;
}

static struct node *mk_bool(struct cc *c, struct node *a)
{
	struct node *n;

	if (a->isbool)
		return a;
	if (is_const(a))
		return node_const(c, a->pos, const_truth(a), false);
	n = ecc__node_new(c, N_BOOL, a->pos);
	n->a = a;
	n->isbool = true;
	n->pure = a->pure;
	return n;
}

static u64 fold_int(enum bop op, u64 l, u64 r, bool uns)
{
	switch (op) {
	case B_ADD: return l + r;
	case B_SUB: return l - r;
	case B_MUL: return l * r;
	case B_SHL: return expr__shl(l, r);
	case B_AND: return l & r;
	case B_OR: return l | r;
	case B_XOR: return l ^ r;
	case B_EQ: return l == r;
	case B_NE: return l != r;
	case B_LT: return uns ? l < r : (s64)l < (s64)r;
	case B_LE: return uns ? l <= r : (s64)l <= (s64)r;
	case B_GT: return uns ? l > r : (s64)l > (s64)r;
	case B_GE: return uns ? l >= r : (s64)l >= (s64)r;
	case B_MIN: return (uns ? l < r : (s64)l < (s64)r) ? l : r;
	case B_MAX: return (uns ? l > r : (s64)l > (s64)r) ? l : r;
	default: return 0;	/* B_DIV, B_MOD, B_SHR, B_GLOB: handled by the caller */
	}
}

static struct node *fold_bin(struct cc *c, struct node *n)
{
	const struct node *a = n->a, *b = n->b;
	bool uns = a->uns || b->uns;
	u64 l = (u64)a->val, r = (u64)b->val, v;
	const char *pa, *pb;

	if (a->op == N_STRC && b->op == N_STRC) {
		pa = c->e->pool + a->soff;
		pb = c->e->pool + b->soff;
		if (n->sub == B_GLOB)
			return fold_to(n, expr__glob(pa, a->slen, pb, b->slen), false);
		v = a->slen == b->slen && !memcmp(pa, pb, a->slen);
		return fold_to(n, n->sub == B_EQ ? v : !v, false);
	}
	if (a->op != N_CONST || b->op != N_CONST)
		return n;
	switch (n->sub) {
	case B_DIV:
		if (expr__div(l, r, uns, &v))
			return ecc__fail(c, n->pos, r ? "integer overflow in division" :
				       "division by zero");
		break;
	case B_MOD:
		if (expr__mod(l, r, uns, &v))
			return ecc__fail(c, n->pos, "modulo by zero");
		break;
	case B_SHR:
		v = expr__shr(l, r, a->uns);
		break;
	default:
		v = fold_int(n->sub, l, r, uns);
		break;
	}
	return fold_to(n, v, n->uns);
}

static struct node *mk_bin(struct cc *c, enum bop op, int pos, struct node *a, struct node *b)
{
	const char *name = bop_names[op];
	struct node *n;
	int bad;

	if (!a || !b || !ecc__need_value(c, a) || !ecc__need_value(c, b))
		return NULL;
	switch (op) {
	case B_EQ: case B_NE: case B_LT: case B_LE: case B_GT: case B_GE:
		if (a->kind != b->kind) {
			ecc__fail(c, pos, "cannot compare a string with an integer");
			ecc__hint(c, "string literals are written in double quotes, e.g. comm == \"bash\"");
			return NULL;
		}
		if (a->kind == VK_STR && op != B_EQ && op != B_NE) {
			ecc__fail(c, pos, "'%s' cannot compare strings", name);
			ecc__hint(c, "strings compare with ==, != and ~; for ordering use strncmp(a, b, n) %s 0",
				name);
			return NULL;
		}
		break;
	case B_GLOB:
		if (a->kind != VK_STR || b->kind != VK_STR) {
			ecc__fail(c, pos, "'~' needs a string on both sides (glob match), not %s",
				ecc__kind_name(a->kind != VK_STR ? a : b));
			ecc__hint(c, "write: comm ~ \"rcu*\"; for a bitwise not, put '~' before an integer");
			return NULL;
		}
		if (b->op == N_STRC) {
			bad = expr__glob_check(c->e->pool + b->soff, b->slen);
			if (bad >= 0)
				return ecc__fail(c, b->pos, "unterminated '[' in glob pattern");
		}
		break;
	default:
		if (!need_int(c, a, name, pos, false) || !need_int(c, b, name, pos, false))
			return NULL;
		/* a constant zero divisor is a mistake whatever the dividend */
		if ((op == B_DIV || op == B_MOD) && b->op == N_CONST && !b->val)
			return ecc__fail(c, pos, op == B_DIV ? "division by zero" : "modulo by zero");
		break;
	}
	n = ecc__node_new(c, N_BIN, pos);
	n->sub = op;
	n->a = a;
	n->b = b;
	n->pure = a->pure && b->pure;
	switch (op) {
	case B_EQ: case B_NE: case B_LT: case B_LE: case B_GT: case B_GE: case B_GLOB:
		n->isbool = true;
		break;
	case B_SHL: case B_SHR:
		n->uns = a->uns;	/* C: the type of the promoted left operand */
		break;
	default:
		n->uns = a->uns || b->uns;
		n->isbool = (op == B_AND || op == B_MIN || op == B_MAX) && a->isbool && b->isbool;
		break;
	}
	return fold_bin(c, n);
}

static struct node *mk_logic(struct cc *c, enum nop op, int pos, struct node *a, struct node *b)
{
	struct node *n;

	if (!a || !b || !ecc__need_value(c, a) || !ecc__need_value(c, b))
		return NULL;
	if (is_const(a)) {
		/* the right side is what would run, or nothing would */
		if (const_truth(a) == (op == N_LAND))
			return mk_bool(c, b);
		return node_const(c, pos, op == N_LOR, false);
	}
	n = ecc__node_new(c, op, pos);
	n->a = a;
	n->b = b;
	n->isbool = true;
	n->pure = a->pure && b->pure;
	return n;
}

static struct node *mk_cond(struct cc *c, int pos, struct node *cond, struct node *a,
			    struct node *b)
{
	struct node *n;

	if (!cond || !a || !b || !ecc__need_value(c, cond) || !ecc__need_value(c, a) ||
	    !ecc__need_value(c, b))
		return NULL;
	if (a->kind != b->kind) {
		ecc__fail(c, pos, "the branches of '?:' have different types: %s and %s",
			ecc__kind_name(a), ecc__kind_name(b));
		return NULL;
	}
	if (is_const(cond))
		return const_truth(cond) ? a : b;
	n = ecc__node_new(c, N_COND, pos);
	n->c = cond;
	n->a = a;
	n->b = b;
	n->kind = a->kind;
	n->uns = a->uns || b->uns;
	n->isbool = a->isbool && b->isbool;
	n->pure = cond->pure && a->pure && b->pure;
	return n;
}

static struct node *mk_comma(struct cc *c, int pos, struct node *a, struct node *b)
{
	struct node *n;

	if (!a || !b || !ecc__need_value(c, a) || !ecc__need_value(c, b))
		return NULL;
	if (a->pure)
		return b;	/* nothing to run for its value is thrown away */
	n = ecc__node_new(c, N_COMMA, pos);
	n->a = a;
	n->b = b;
	n->kind = b->kind;
	n->uns = b->uns;
	n->isbool = b->isbool;
	n->pure = false;
	return n;
}

static struct node *mk_unary(struct cc *c, enum nop op, int pos, struct node *a)
{
	static const char *const names[] = { [N_NEG] = "-", [N_BNOT] = "~", [N_LNOT] = "!" };
	struct node *n;

	if (!a || !ecc__need_value(c, a))
		return NULL;
	if (op == N_BNOT && a->kind == VK_STR) {
		ecc__fail(c, pos, "'~' needs an integer operand, not a string");
		ecc__hint(c, "a glob match has the string on the left: comm ~ \"rcu*\"");
		return NULL;
	}
	if (op != N_LNOT && !need_int(c, a, names[op], pos, true))
		return NULL;
	if (op == N_LNOT && is_const(a))
		return node_const(c, pos, !const_truth(a), false);
	if (a->op == N_CONST)
		return node_const(c, pos, op == N_NEG ? -(u64)a->val : ~(u64)a->val, a->uns);
	n = ecc__node_new(c, op, pos);
	n->a = a;
	n->pure = a->pure;
	n->uns = op != N_LNOT && a->uns;
	n->isbool = op == N_LNOT;
	return n;
}

/* integer conversion as C does it, then 64-bit again */
static u64 cast_value(u64 v, int size, bool sgn)
{
	switch (size) {
	case 0: return v != 0;
	case 1: return sgn ? (u64)(s64)(s8)v : (u8)v;
	case 2: return sgn ? (u64)(s64)(s16)v : (u16)v;
	case 4: return sgn ? (u64)(s64)(s32)v : (u32)v;
	default: return v;
	}
}

struct ctype {
	int size;	/* 0: bool */
	bool sgn;
	int ptr;	/* number of '*' */
	int open;	/* the '(' of the cast */
	int pos, end;	/* source span of the type, for messages */
};

static struct node *mk_cast(struct cc *c, const struct ctype *ty, struct node *a)
{
	int tlen = ty->end - ty->pos;
	bool uns = !ty->sgn && ty->size >= 4;
	struct node *n;

	if (!a)
		return NULL;
	if (ty->ptr) {
		/* (char *) reads a field's bytes as a string */
		if (a->kind == VK_STR)
			return a;
		if (a->kind == VK_ARR || (a->op == N_FIELD && a->f->fk != FK_SCALAR)) {
			n = ecc__node_new(c, N_TOSTR, a->pos);
			n->f = a->f;
			n->kind = VK_STR;
			return n;
		}
		ecc__fail(c, ty->open, "cannot cast an integer to '%.*s'", tlen, c->src + ty->pos);
		ecc__hint(c, "ksymbol(addr), comm_get(pid) and syscall_name(nr) turn numbers into strings");
		return NULL;
	}
	if (!ecc__need_value(c, a))
		return NULL;
	if (a->kind == VK_STR)
		return ecc__fail(c, ty->open, "cannot cast a string to '%.*s'", tlen,
			       c->src + ty->pos);
	if (a->op == N_CONST)
		return node_const(c, a->pos, cast_value((u64)a->val, ty->size, ty->sgn), uns);
	n = ecc__node_new(c, N_CAST, ty->open);
	n->sub = ty->size;
	n->val = ty->sgn;
	n->a = a;
	n->uns = uns;
	n->isbool = ty->size == 0 || a->isbool;
	n->pure = a->pure;
	return n;
}

static struct node *mk_index(struct cc *c, int pos, struct node *base, struct node *idx)
{
	const struct efield *f;
	struct node *n;

	if (!base || !idx)
		return NULL;
	if (base->op != N_FIELD)
		return ecc__fail(c, pos, "only array fields can be indexed");
	f = base->f;
	if (f->fk == FK_SCALAR) {
		ecc__fail(c, pos, "cannot index '%s': it is not an array", f->name);
		return NULL;
	}
	if (!ecc__need_value(c, idx))
		return NULL;
	if (idx->kind != VK_INT)
		return ecc__fail(c, idx->pos, "an array index must be an integer, not a string");
	if (f->esize != 1 && f->esize != 2 && f->esize != 4 && f->esize != 8)
		return ecc__fail(c, pos, "cannot index '%s': its elements are %u bytes", f->name,
			       f->esize);
	if (idx->op == N_CONST && f->fk == FK_ARRAY && (u64)idx->val >= f->count)
		return ecc__fail(c, idx->pos, "index %lld is out of bounds for '%s' (%u elements)",
			       (long long)idx->val, f->name, f->count);
	n = ecc__node_new(c, N_INDEX, base->pos);
	n->f = f;
	n->a = idx;
	n->uns = !f->sgn && f->esize >= 4;
	n->pure = idx->pure;
	return n;
}

static struct node *mk_field(struct cc *c, int pos, const struct efield *f)
{
	struct node *n = ecc__node_new(c, N_FIELD, pos);

	n->f = f;
	if (f->fk == FK_SCALAR) {
		n->uns = !f->sgn && f->size >= 4;	/* narrower types promote to signed */
		return n;
	}
	/* any array of bytes (char, signed or unsigned, u8) is a string */
	n->kind = f->esize == 1 ? VK_STR : VK_ARR;
	return n;
}

/* ------------------------------------------------------------------ */
/* function calls                                                      */

static const struct func_def *func_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		if (!strcmp(funcs[i].name, name))
			return &funcs[i];
	return NULL;
}

static u64 fold_call(const struct func_def *fd, u64 v)
{
	switch (fd->id) {
	case F_NTOHL: return ntohl((u32)v);
	case F_NTOHS: return ntohs((u16)v);
	default: return (s64)v < 0 ? -v : v;	/* F_ABS */
	}
}

static bool call_args_ok(struct cc *c, const struct func_def *fd, int pos, struct node **args,
			 int nargs)
{
	int want = strlen(fd->args);

	if (nargs != want) {
		ecc__fail(c, pos, "'%s' takes %d argument%s, %d given", fd->name, want,
			want == 1 ? "" : "s", nargs);
		return false;
	}
	for (int i = 0; i < nargs; i++) {
		bool str = fd->args[i] == 's';

		if (!ecc__need_value(c, args[i]))
			return false;
		if (str != (args[i]->kind == VK_STR)) {
			ecc__fail(c, args[i]->pos, "argument %d of '%s' must be %s, not %s", i + 1,
				fd->name, str ? "a string" : "an integer", ecc__kind_name(args[i]));
			return false;
		}
	}
	return true;
}

static struct node *mk_call(struct cc *c, const char *name, int pos, struct node **args,
			    int nargs)
{
	const struct func_def *fd = func_find(name);
	struct node *n;

	if (!fd)
		return NULL;	/* reported by the caller, which knows the names */
	if (fd->id == F_PRINTF)
		return ecc__printf(c, pos, args, nargs);
	if (!call_args_ok(c, fd, pos, args, nargs))
		return NULL;
	if (fd->id == F_MIN || fd->id == F_MAX)
		return mk_bin(c, fd->id == F_MIN ? B_MIN : B_MAX, pos, args[0], args[1]);
	if (fd->id == F_STRLEN && args[0]->op == N_STRC)
		return node_const(c, pos, args[0]->slen, false);
	if ((fd->id == F_NTOHL || fd->id == F_NTOHS || fd->id == F_ABS) && args[0]->op == N_CONST)
		return node_const(c, pos, fold_call(fd, (u64)args[0]->val), fd->uns);
	if (fd->id == F_KSYMBOL)
		c->uses_ksym = true;
	n = ecc__node_new(c, N_CALL, pos);
	n->sub = fd->id;
	n->kind = fd->ret;
	n->uns = fd->uns;
	n->args = args;
	n->nargs = nargs;
	for (int i = 0; i < nargs; i++)
		n->pure &= args[i]->pure;
	return n;
}

/* ------------------------------------------------------------------ */
/* parser: C precedence, from the comma operator down to primaries     */

static struct node *parse_expr(struct cc *c);
static struct node *parse_assign(struct cc *c);
static struct node *parse_unary(struct cc *c);

static void *fail_at_tok(struct cc *c, const char *what)
{
	char buf[32];

	if (c->tok.t == TK_EOF)
		return ecc__fail(c, c->tok.pos, "unexpected end of expression");
	return ecc__fail(c, c->tok.pos, "%s, found '%s'", what,
			 ecc__tok_text(c, &c->tok, buf, sizeof(buf)));
}

/* expect - the closing @t of the bracket opened at @open */
static bool expect_close(struct cc *c, int t, int open)
{
	char buf[32];

	if (c->tok.t == t) {
		ecc__next(c);
		return true;
	}
	if (c->tok.t == TK_EOF)
		ecc__fail(c, open, "unbalanced '%c': missing '%c'", c->src[open], t);
	else
		ecc__fail(c, c->tok.pos, "expected '%c' to close the '%c' at column %d, found '%s'", t,
			c->src[open], open + 1, ecc__tok_text(c, &c->tok, buf, sizeof(buf)));
	return false;
}

static bool is_fixed_type(const char *w, int *size, bool *sgn)
{
	int bits;
	char *end;

	if (!strncmp(w, "__", 2))
		w += 2;
	if (!strncmp(w, "uint", 4) || !strncmp(w, "int", 3)) {
		*sgn = w[0] == 'i';
		w += *sgn ? 3 : 4;
		bits = strtol(w, &end, 10);
		if (strcmp(end, "_t"))
			return false;
	} else if (w[0] == 'u' || w[0] == 's') {
		*sgn = w[0] == 's';
		bits = strtol(w + 1, &end, 10);
		if (*end || end == w + 1)
			return false;
	} else {
		return false;
	}
	if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
		return false;
	*size = bits / 8;
	return true;
}

static bool is_type_word(const struct cc *c, const struct tok *t)
{
	static const char *const words[] = {
		"char", "short", "int", "long", "signed", "unsigned", "const", "volatile",
		"bool", "_Bool", "void",
	};
	char w[16];
	int size, n = t->end - t->pos;
	bool sgn;

	if (t->t != TK_IDENT || n >= (int)sizeof(w))
		return false;
	memcpy(w, c->src + t->pos, n);
	w[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(w, words[i]))
			return true;
	return is_fixed_type(w, &size, &sgn);
}

/* parse_type - the type of a cast or sizeof, up to (not including) ')' */
static bool parse_type(struct cc *c, struct ctype *ty)
{
	int nsign = 0, nchar = 0, nshort = 0, nint = 0, nlong = 0, nfixed = 0, nvoid = 0;
	int size = 4;
	bool sgn = true, bad = false, fsgn = false;

	memset(ty, 0, sizeof(*ty));
	ty->pos = c->tok.pos;
	while (is_type_word(c, &c->tok)) {
		char w[16];
		int n = c->tok.end - c->tok.pos, fsize;

		memcpy(w, c->src + c->tok.pos, n);
		w[n] = '\0';
		if (!strcmp(w, "signed") || !strcmp(w, "unsigned")) {
			nsign++;
			sgn = w[0] == 's';
		} else if (!strcmp(w, "char")) {
			nchar++;
		} else if (!strcmp(w, "short")) {
			nshort++;
		} else if (!strcmp(w, "int")) {
			nint++;
		} else if (!strcmp(w, "long")) {
			nlong++;
		} else if (!strcmp(w, "bool") || !strcmp(w, "_Bool")) {
			nfixed++;
			size = 0;
			fsgn = false;
		} else if (!strcmp(w, "void")) {
			nvoid++;
		} else if (is_fixed_type(w, &fsize, &fsgn)) {
			nfixed++;
			size = fsize;
		}
		ty->end = c->tok.end;
		ecc__next(c);
	}
	if (nvoid)
		bad = nvoid > 1 || nfixed || nsign || nchar || nshort || nint || nlong;
	else if (nfixed)
		bad = nfixed > 1 || nsign || nchar || nshort || nint || nlong;
	else if (nchar)
		bad = nchar > 1 || nshort || nint || nlong;
	else if (nshort)
		bad = nshort > 1 || nlong || nint > 1;
	else if (nlong)
		bad = nlong > 2 || nint > 1;
	else
		bad = nint > 1 || (!nint && !nsign);
	bad |= nsign > 1;
	if (nvoid)
		size = 8;
	else if (nfixed)
		sgn = fsgn;
	else if (nchar)
		size = 1;
	else if (nshort)
		size = 2;
	else if (nlong)
		size = 8;
	for (; c->tok.t == '*'; ecc__next(c)) {
		ty->ptr++;
		ty->end = c->tok.end;
	}
	if (bad || (nvoid && !ty->ptr))
		return ecc__fail(c, ty->pos, "bad type name '%.*s'", ty->end - ty->pos,
			       c->src + ty->pos), false;
	ty->size = size;
	ty->sgn = sgn;
	if (ty->ptr && (ty->ptr > 1 || size != 1)) {
		ecc__fail(c, ty->pos, "cannot cast to '%.*s': the only pointer cast is (char *)",
			ty->end - ty->pos, c->src + ty->pos);
		ecc__hint(c, "fields holding addresses are plain integers; ksymbol(addr) names them");
		return false;
	}
	return true;
}

static struct node *parse_cast(struct cc *c)
{
	int open = c->tok.pos;
	struct ctype ty;

	ecc__next(c);
	if (!parse_type(c, &ty) || !expect_close(c, ')', open))
		return NULL;
	ty.open = open;
	return mk_cast(c, &ty, parse_unary(c));
}

/* sizeof(type) or sizeof of a fixed-size field */
static struct node *parse_sizeof(struct cc *c)
{
	int pos = c->tok.pos;
	struct node *a;
	struct ctype ty;

	ecc__next(c);
	if (c->tok.t == '(' && is_type_word(c, ecc__peek(c))) {
		int open = c->tok.pos;

		ecc__next(c);
		if (!parse_type(c, &ty) || !expect_close(c, ')', open))
			return NULL;
		return node_const(c, pos, ty.ptr ? 8 : ty.size ? ty.size : 1, true);
	}
	a = parse_unary(c);
	if (!a)
		return NULL;
	if (a->op == N_FIELD && (a->f->fk == FK_SCALAR || a->f->fk == FK_ARRAY))
		return node_const(c, pos, a->f->size, true);
	if (a->op == N_INDEX)
		return node_const(c, pos, a->f->esize, true);
	return ecc__fail(c, pos, "sizeof needs a type name or a fixed-size field");
}

/* call arguments, the '(' being the current token */
static struct node *parse_call(struct cc *c, const char *name, int pos)
{
	int open = c->tok.pos, nargs = 0;
	struct node **args = NULL, *n;
	char buf[32];

	ecc__next(c);
	while (c->tok.t != ')') {
		struct node *a;

		if (nargs >= 2 * EXPR_PRINTF_ARGS) {
			ecc__fail(c, c->tok.pos, "too many arguments in the call of '%s'", name);
			goto fail;
		}
		a = parse_assign(c);
		if (!a)
			goto fail;
		args = xrealloc(args, (nargs + 1) * sizeof(*args));
		args[nargs++] = a;
		if (c->tok.t == ',') {
			ecc__next(c);
			continue;
		}
		if (c->tok.t == ')')
			break;
		if (c->tok.t == TK_EOF)
			ecc__fail(c, open, "unbalanced '(': missing ')'");
		else
			ecc__fail(c, c->tok.pos, "expected ',' or ')' in the call of '%s', found '%s'",
				name, ecc__tok_text(c, &c->tok, buf, sizeof(buf)));
		goto fail;
	}
	ecc__next(c);
	n = mk_call(c, name, pos, args, nargs);
	if (!n || n->args != args)
		free(args);	/* else the node owns the array now */
	return n;
fail:
	free(args);
	return NULL;
}

/* name_known - @name is a variable, builtin or field */
static bool name_known(const struct cc *c, const char *name)
{
	for (int i = 0; c->vars_mode && i < c->nvars; i++)
		if (!strcmp(c->vars[i], name))
			return true;
	for (size_t i = 0; !c->vars_mode && i < ARRAY_SIZE(builtins); i++)
		if (!strcmp(builtins[i].name, name))
			return true;
	for (int i = 0; i < c->nfields; i++)
		if (!strcmp(c->fields[i].name, name))
			return true;
	return false;
}

static struct node *parse_ident(struct cc *c)
{
	int pos = c->tok.pos, len = c->tok.end - c->tok.pos;
	const char *best;
	char name[128];

	snprintf(name, sizeof(name), "%.*s", len, c->src + pos);
	ecc__next(c);
	if (c->tok.t == '(') {
		if (func_find(name))
			return parse_call(c, name, pos);
		if (name_known(c, name))
			return ecc__fail(c, pos, "'%s' is not a function", name);
		ecc__fail(c, pos, "unknown function '%s'", name);
		best = NULL;
		for (size_t i = 0, d = 3; i < ARRAY_SIZE(funcs); i++) {
			int k = str_distance(name, funcs[i].name);

			if (k <= 2 && (size_t)k < d) {
				best = funcs[i].name;
				d = k;
			}
		}
		if (best)
			ecc__hint(c, "did you mean '%s'?", best);
		else
			ecc__hint(c, "the functions are printf, ksymbol, comm_get, syscall_name, "
				  "strncmp, strlen, ntohl, ntohs, htonl, htons, abs, min, max");
		return NULL;
	}
	if (c->vars_mode) {
		for (int i = 0; i < c->nvars; i++) {
			if (!strcmp(c->vars[i], name)) {
				struct node *n = ecc__node_new(c, N_VAR, pos);

				n->sub = i;
				return n;
			}
		}
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(builtins); i++) {
			if (!strcmp(builtins[i].name, name)) {
				struct node *n = ecc__node_new(c, N_BUILTIN, pos);

				n->sub = builtins[i].id;
				n->uns = builtins[i].uns;
				return n;
			}
		}
		for (int i = 0; i < c->nfields; i++)
			if (!strcmp(c->fields[i].name, name))
				return mk_field(c, pos, &c->fields[i]);
	}
	if (func_find(name))
		return ecc__fail(c, pos, "'%s' is a function: call it as %s(...)", name, name);
	ecc__fail(c, pos, "undefined variable '%s'", name);
	best = suggest_var(c, name);
	if (best)
		ecc__hint(c, "did you mean '%s'?", best);
	return NULL;
}

static struct node *parse_primary(struct cc *c)
{
	struct node *n;
	int open;

	switch (c->tok.t) {
	case TK_INT:
		n = node_const(c, c->tok.pos, c->tok.ival, c->tok.iuns);
		ecc__next(c);
		return n;
	case TK_STR:
		n = ecc__node_new(c, N_STRC, c->tok.pos);
		n->kind = VK_STR;
		n->soff = c->tok.soff;
		n->slen = c->tok.slen;
		ecc__next(c);
		return n;
	case TK_IDENT:
		if (is_type_word(c, &c->tok)) {
			ecc__fail(c, c->tok.pos, "unexpected type name '%.*s'",
				c->tok.end - c->tok.pos, c->src + c->tok.pos);
			ecc__hint(c, "a cast is written with parentheses: (u32)x");
			return NULL;
		}
		return parse_ident(c);
	case '(':
		open = c->tok.pos;
		ecc__next(c);
		n = parse_expr(c);
		if (!n || !expect_close(c, ')', open))
			return NULL;
		return n;
	case ')':
		return ecc__fail(c, c->tok.pos, "unbalanced ')'");
	default:
		return fail_at_tok(c, "expected an operand");
	}
}

static struct node *parse_postfix(struct cc *c)
{
	struct node *n = parse_primary(c);

	while (n) {
		int pos = c->tok.pos;

		switch (c->tok.t) {
		case '[': {
			struct node *idx;

			ecc__next(c);
			idx = parse_expr(c);
			if (!idx || !expect_close(c, ']', pos))
				return NULL;
			n = mk_index(c, pos, n, idx);
			break;
		}
		case '(':
			return ecc__fail(c, pos, "only functions can be called");
		case P_INC: case P_DEC:
			return ecc__fail(c, pos, "'%s' is not supported: fields are read-only",
				       c->tok.t == P_INC ? "++" : "--");
		case '.': case P_ARROW:
			return ecc__fail(c, pos, "member access with '%s' is not supported",
				       c->tok.t == '.' ? "." : "->");
		default:
			return n;
		}
	}
	return NULL;
}

static struct node *parse_unary(struct cc *c)
{
	int pos = c->tok.pos, t = c->tok.t;
	struct node *n;

	if (++c->depth > EXPR_DEPTH_MAX) {
		c->depth--;
		return ecc__fail(c, pos, "expression is nested too deeply");
	}
	switch (t) {
	case '-': case '~': case '!':
		ecc__next(c);
		n = mk_unary(c, t == '-' ? N_NEG : t == '~' ? N_BNOT : N_LNOT, pos, parse_unary(c));
		break;
	case '+':
		ecc__next(c);
		n = parse_unary(c);
		if (n && !need_int(c, n, "+", pos, true))
			n = NULL;
		break;
	case '*':
		n = ecc__fail(c, pos, "pointer dereference with '*' is not supported");
		break;
	case '&':
		n = ecc__fail(c, pos, "taking an address with '&' is not supported");
		break;
	case P_INC: case P_DEC:
		n = ecc__fail(c, pos, "'%s' is not supported: fields are read-only",
			    t == P_INC ? "++" : "--");
		break;
	case '(':
		n = is_type_word(c, ecc__peek(c)) ? parse_cast(c) : parse_postfix(c);
		break;
	default:
		n = ecc__tok_is(c, &c->tok, "sizeof") ? parse_sizeof(c) : parse_postfix(c);
		break;
	}
	c->depth--;
	return n;
}

/* binary operators: precedence level and operator of a token, 0 if none */
static int binop_level(int t, enum bop *op)
{
	switch (t) {
	case P_LOR: return 1;
	case P_LAND: return 2;
	case '|': *op = B_OR; return 3;
	case '^': *op = B_XOR; return 4;
	case '&': *op = B_AND; return 5;
	case P_EQ: *op = B_EQ; return 6;
	case P_NE: *op = B_NE; return 6;
	case '<': *op = B_LT; return 7;
	case P_LE: *op = B_LE; return 7;
	case '>': *op = B_GT; return 7;
	case P_GE: *op = B_GE; return 7;
	case '~': *op = B_GLOB; return 7;
	case P_SHL: *op = B_SHL; return 8;
	case P_SHR: *op = B_SHR; return 8;
	case '+': *op = B_ADD; return 9;
	case '-': *op = B_SUB; return 9;
	case '*': *op = B_MUL; return 10;
	case '/': *op = B_DIV; return 10;
	case '%': *op = B_MOD; return 10;
	default: return 0;
	}
}

static struct node *parse_binary(struct cc *c, int min_level)
{
	struct node *l = parse_unary(c);

	while (l) {
		enum bop op = B_ADD;
		int level = binop_level(c->tok.t, &op), pos = c->tok.pos;
		struct node *r;

		if (!level || level < min_level)
			break;
		ecc__next(c);
		r = parse_binary(c, level + 1);
		if (level == 1)
			l = mk_logic(c, N_LOR, pos, l, r);
		else if (level == 2)
			l = mk_logic(c, N_LAND, pos, l, r);
		else
			l = mk_bin(c, op, pos, l, r);
	}
	return l;
}

static struct node *parse_cond(struct cc *c)
{
	struct node *cond, *a, *b;
	int pos;

	if (++c->depth > EXPR_DEPTH_MAX) {
		c->depth--;
		return ecc__fail(c, c->tok.pos, "expression is nested too deeply");
	}
	cond = parse_binary(c, 1);
	if (!cond || c->tok.t != '?') {
		c->depth--;
		return cond;
	}
	pos = c->tok.pos;
	ecc__next(c);
	a = parse_expr(c);
	if (a && c->tok.t != ':') {
		fail_at_tok(c, "expected ':' of the '?:'");
		a = NULL;
	}
	if (!a) {
		c->depth--;
		return NULL;
	}
	ecc__next(c);
	b = parse_cond(c);
	c->depth--;
	return mk_cond(c, pos, cond, a, b);
}

static struct node *parse_assign(struct cc *c)
{
	struct node *n = parse_cond(c);

	if (n && (c->tok.t == '=' || c->tok.t == P_ASSIGN_OP)) {
		ecc__fail(c, c->tok.pos, "assignment is not supported: fields are read-only");
		if (c->tok.t == '=')
			ecc__hint(c, "to compare, write '=='");
		return NULL;
	}
	return n;
}

static struct node *parse_expr(struct cc *c)
{
	struct node *n = parse_assign(c);

	while (n && c->tok.t == ',') {
		int pos = c->tok.pos;

		ecc__next(c);
		n = mk_comma(c, pos, n, parse_assign(c));
	}
	return n;
}

static struct node *parse_program(struct cc *c)
{
	struct node *n;
	char buf[32];

	ecc__next(c);
	if (c->tok.t == TK_EOF)
		return ecc__fail(c, c->tok.pos, "empty expression");
	n = parse_expr(c);
	if (!n)
		return NULL;
	switch (c->tok.t) {
	case TK_EOF:
		break;
	case ')': case ']':
		return ecc__fail(c, c->tok.pos, "unbalanced '%c'", c->tok.t);
	case ':':
		return ecc__fail(c, c->tok.pos, "':' without a '?'");
	case ';':
		ecc__fail(c, c->tok.pos, "unexpected ';'");
		ecc__hint(c, "separate expressions with ','");
		return NULL;
	default:
		return ecc__fail(c, c->tok.pos, "unexpected '%s' after a complete expression",
			       ecc__tok_text(c, &c->tok, buf, sizeof(buf)));
	}
	if (!ecc__need_value(c, n))
		return NULL;
	return n;
}

/* ------------------------------------------------------------------ */
/* public API                                                          */

static void nodes_free(struct node **nodes, int n)
{
	for (int i = 0; i < n; i++) {
		free(nodes[i]->args);
		free(nodes[i]);
	}
	free(nodes);
}

static void cc_release(struct cc *c)
{
	nodes_free(c->nodes, c->nnodes);
	free(c->fields);
}

static struct expr *compile(const char *src, struct tep_event *tp, bool vars_mode,
			    const char *const *vars, struct err *err)
{
	struct expr *e = xzalloc(sizeof(*e));
	struct cc c = { 0 };
	struct node *root;
	int pos = 0;

	e->src = xstrdup(src ? src : "");
	c.src = e->src;
	c.err = err;
	c.e = e;
	c.vars_mode = vars_mode;
	c.vars = vars;
	for (; vars && vars[c.nvars]; c.nvars++)
		;
	if (tp)
		fields_load(&c, tp);
	root = parse_program(&c);
	if (root && !c.nfail) {
		e->type = root->kind == VK_STR ? EXPR_STR : EXPR_INT;
		if (expr__codegen(e, root, &pos))
			ecc__fail(&c, pos, "expression is too complex (it needs more than %d stack slots)",
				EXPR_STACK_MAX);
	}
	if (c.nfail)
		cc_report(&c);
	e->uses_ksym = c.uses_ksym;
	if (!c.nfail) {
		/* the tree stays with the program: lib/bpf compiles it again */
		e->root = root;
		e->nodes = c.nodes;
		e->nnodes = c.nnodes;
		e->fields = c.fields;
		c.nodes = NULL;
		c.nnodes = 0;
		c.fields = NULL;
	}
	cc_release(&c);
	if (c.nfail) {
		expr_free(e);
		return NULL;
	}
	return e;
}

struct expr *expr_compile(const char *src, struct tep_event *tp, struct err *err)
{
	return compile(src, tp, false, NULL, err);
}

struct expr *expr_compile_vars(const char *src, const char *const *vars, struct err *err)
{
	return compile(src, NULL, true, vars, err);
}

void expr_bind(struct expr *e, const struct run_env *env)
{
	if (!e)
		return;
	e->env = env;
	if (e->uses_ksym && env)
		ksyms__load_now(env->ksyms);	/* read /proc/kallsyms now, not in the first sample */
}

enum expr_type expr_result_type(const struct expr *e)
{
	return e->type;
}

const char *expr_source(const struct expr *e)
{
	return e->src;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->nfmts; i++)
		free(e->fmts[i].cv);
	free(e->fmts);
	nodes_free(e->nodes, e->nnodes);
	free(e->fields);
	free(e->code);
	free(e->pool);
	free(e->src);
	free(e);
}

void expr_print_fields(struct tep_event *tp, FILE *fp)
{
	struct tep_format_field *f;

	for (f = tp ? tp->format.common_fields : NULL; f; f = f->next)
		fprintf(fp, "  %s %s\n", f->type, f->name);
	for (f = tp ? tp->format.fields : NULL; f; f = f->next)
		fprintf(fp, "  %s %s\n", f->type, f->name);
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		fprintf(fp, "  %s %s\n", builtins[i].type, builtins[i].name);
}
