// SPDX-License-Identifier: GPL-2.0
/*
 * expr-printf.c - the printf() function of the expression language. At
 * compile time the format (a string literal) is split into literal text and
 * one-conversion formats, and every argument is checked against the
 * conversion that consumes it; at run time each piece is printed to the
 * run's output with its own argument, strings with an explicit precision
 * because record strings need not be NUL-terminated. Widths and precisions
 * are bounded (EXPR_PRINTF_MAX_WIDTH), written or from a '*' argument.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* compile time: check the format against the arguments                */

struct pwant {
	char kind;		/* 'i' or 's' */
	int spos, slen;		/* the conversion in the format text, for messages */
};

static void pconv_add(struct pfmt *pf, const struct pconv *cv)
{
	pf->cv = xrealloc(pf->cv, (pf->ncv + 1) * sizeof(*pf->cv));
	pf->cv[pf->ncv++] = *cv;
}

static void pconv_lit(struct cc *c, struct pfmt *pf, const char *s, int n)
{
	struct pconv cv = { .kind = PC_LIT, .len = n };

	if (n <= 0)
		return;
	cv.fmt = ecc__pool_add(c, s, n);
	pconv_add(pf, &cv);
}

/*
 * parse_conv - one conversion starting at fmt[*ip] == '%'. Builds the
 * one-conversion format the machine passes to the C library (integer
 * conversions always get "ll", strings always ".*" because record strings
 * are not NUL-terminated) and records the argument kinds it consumes.
 */
static int parse_conv(struct cc *c, int fpos, const char *fmt, int *ip, struct pfmt *pf,
		      struct pwant *want, int *nwant)
{
	struct pconv cv = { .prec = -1, .lm = LM_INT };
	int i = *ip + 1, start = *ip, k = 0, nl = 0;
	char m[64];

	m[k++] = '%';
	while (fmt[i] && strchr("-+ #0'", fmt[i]) && k < 10)
		m[k++] = fmt[i++];
	if (fmt[i] == '*') {
		cv.star_w = true;
		m[k++] = fmt[i++];
	} else {
		/* at most EXPR_PRINTF_MAX_WIDTH: 6 digits */
		for (int d = 0; isdigit((unsigned char)fmt[i]) && d < 6; d++)
			m[k++] = fmt[i++];
	}
	if (fmt[i] == '.') {
		i++;
		if (fmt[i] == '*') {
			cv.star_p = true;
			i++;
		} else {
			cv.prec = 0;
			for (int d = 0; isdigit((unsigned char)fmt[i]) && d < 6; d++)
				cv.prec = cv.prec * 10 + fmt[i++] - '0';
		}
	}
	for (; fmt[i] && strchr("hljztq", fmt[i]); i++)
		nl += fmt[i] == 'h' ? 1 : 10;
	if (nl == 1)
		cv.lm = LM_H;
	else if (nl == 2)
		cv.lm = LM_HH;
	else if (nl >= 10 && nl <= 20 && nl % 10 == 0)
		cv.lm = LM_LONG;
	else if (nl)
		return ecc__fail(c, fpos, "bad length modifier in printf conversion '%.*s'",
			       i - start + 1, fmt + start), -1;
	if (isdigit((unsigned char)fmt[i]) || fmt[i] == '.' || fmt[i] == '*')
		return ecc__fail(c, fpos, "printf conversion '%.*s...' is too long", i - start,
			       fmt + start), -1;
	if (cv.star_w)
		want[(*nwant)++] = (struct pwant){ 'i', start, i - start + 1 };
	if (cv.star_p)
		want[(*nwant)++] = (struct pwant){ 'i', start, i - start + 1 };
	switch (fmt[i]) {
	case 'd': case 'i':
		cv.kind = PC_INT;
		break;
	case 'u': case 'o': case 'x': case 'X':
		cv.kind = PC_UINT;
		break;
	case 'c':
		cv.kind = PC_CHAR;
		break;
	case 's':
		cv.kind = PC_STR;
		break;
	case 'p':
		cv.kind = PC_PTR;
		break;
	case '\0':
		return ecc__fail(c, fpos, "printf format ends in the middle of conversion '%s'",
			       fmt + start), -1;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		return ecc__fail(c, fpos, "printf conversion '%.*s' is not supported: there is no floating point",
			       i - start + 1, fmt + start), -1;
	default:
		return ecc__fail(c, fpos, "unsupported printf conversion '%.*s'", i - start + 1,
			       fmt + start), -1;
	}
	if (nl && cv.kind != PC_INT && cv.kind != PC_UINT)
		return ecc__fail(c, fpos, "bad length modifier in printf conversion '%.*s'",
			       i - start + 1, fmt + start), -1;
	want[(*nwant)++] = (struct pwant){ cv.kind == PC_STR ? 's' : 'i', start, i - start + 1 };
	if (cv.kind == PC_INT || cv.kind == PC_UINT) {
		if (cv.star_p)
			k += sprintf(m + k, ".*");
		else if (cv.prec >= 0)
			k += sprintf(m + k, ".%d", cv.prec);
		k += sprintf(m + k, "ll");
	} else if (cv.kind == PC_STR) {
		k += sprintf(m + k, ".*");
	}
	m[k++] = fmt[i];
	cv.fmt = ecc__pool_add(c, m, k);
	pconv_add(pf, &cv);
	*ip = i + 1;
	return 0;
}

struct node *ecc__printf(struct cc *c, int pos, struct node **args, int nargs)
{
	struct pwant want[3 * EXPR_PRINTF_ARGS + 3];
	struct pfmt pf = { 0 };
	int nwant = 0, lit = 0, i = 0, fpos;
	struct node *n;
	char *fmt;

	if (nargs < 1)
		return ecc__fail(c, pos, "'printf' needs a format string");
	if (args[0]->op != N_STRC) {
		ecc__fail(c, args[0]->pos, "the format of 'printf' must be a string literal");
		return NULL;
	}
	fpos = args[0]->pos;
	fmt = xstrndup(c->e->pool + args[0]->soff, args[0]->slen);
	while (fmt[i]) {
		if (fmt[i] != '%') {
			i++;
			continue;
		}
		if (fmt[i + 1] == '%') {
			pconv_lit(c, &pf, fmt + lit, i + 1 - lit);
			lit = i += 2;
			continue;
		}
		pconv_lit(c, &pf, fmt + lit, i - lit);
		if (nwant + 3 > (int)ARRAY_SIZE(want)) {
			ecc__fail(c, fpos, "printf format has too many conversions (at most %d)",
				EXPR_PRINTF_ARGS);
			goto fail;
		}
		if (parse_conv(c, fpos, fmt, &i, &pf, want, &nwant))
			goto fail;
		lit = i;
	}
	pconv_lit(c, &pf, fmt + lit, i - lit);
	if (nargs - 1 > EXPR_PRINTF_ARGS) {
		ecc__fail(c, pos, "'printf' takes at most %d arguments after the format",
			EXPR_PRINTF_ARGS);
		goto fail;
	}
	if (nwant != nargs - 1) {
		ecc__fail(c, pos, "printf format expects %d argument%s, %d given", nwant,
			nwant == 1 ? "" : "s", nargs - 1);
		goto fail;
	}
	for (int k = 0; k < nwant; k++) {
		const struct node *a = args[k + 1];

		if (!ecc__need_value(c, a))
			goto fail;
		if ((want[k].kind == 's') != (a->kind == VK_STR)) {
			ecc__fail(c, a->pos, "argument %d of 'printf' must be %s for '%.*s', not %s",
				k + 2, want[k].kind == 's' ? "a string" : "an integer",
				want[k].slen, fmt + want[k].spos, ecc__kind_name(a));
			goto fail;
		}
	}
	pf.nargs = nwant;
	free(fmt);
	c->e->fmts = xrealloc(c->e->fmts, (c->e->nfmts + 1) * sizeof(*c->e->fmts));
	c->e->fmts[c->e->nfmts] = pf;
	n = ecc__node_new(c, N_CALL, pos);
	n->sub = F_PRINTF;
	n->fmt = c->e->nfmts++;
	n->args = args;
	n->nargs = nargs;
	n->pure = false;
	return n;
fail:
	free(pf.cv);
	free(fmt);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* run time                                                            */

static int printf_int(FILE *out, const struct pconv *cv, const char *f, int w, int p, u64 v)
{
	long long sv = (long long)v;
	unsigned long long uv = v;

	/* honour the length modifier the user wrote, as C varargs would */
	switch (cv->lm) {
	case LM_HH: sv = (signed char)v; uv = (unsigned char)v; break;
	case LM_H: sv = (short)v; uv = (unsigned short)v; break;
	case LM_INT: sv = (int)v; uv = (unsigned int)v; break;
	case LM_LONG: break;
	}
	if (cv->kind == PC_INT) {
		if (cv->star_w && cv->star_p)
			return fprintf(out, f, w, p, sv);
		if (cv->star_w)
			return fprintf(out, f, w, sv);
		if (cv->star_p)
			return fprintf(out, f, p, sv);
		return fprintf(out, f, sv);
	}
	if (cv->star_w && cv->star_p)
		return fprintf(out, f, w, p, uv);
	if (cv->star_w)
		return fprintf(out, f, w, uv);
	if (cv->star_p)
		return fprintf(out, f, p, uv);
	return fprintf(out, f, uv);
}

static int printf_one(FILE *out, const struct expr *e, const struct pconv *cv,
		      const struct slot *args, int *ai)
{
	const char *f = e->pool + cv->fmt;
	const struct slot *a;
	int w = 0, p = -1, prec;

	if (cv->kind == PC_LIT)
		return (int)fwrite(f, 1, cv->len, out);
	/* printf_check() bounded them: they fit an int */
	if (cv->star_w)
		w = (int)(s64)args[(*ai)++].i;
	if (cv->star_p) {
		p = (int)(s64)args[(*ai)++].i;
		if (p < 0)
			p = -1;		/* C: a negative precision is taken as omitted */
	}
	a = &args[(*ai)++];
	switch (cv->kind) {
	case PC_STR:
		prec = a->i > INT_MAX ? INT_MAX : (int)a->i;
		if (cv->star_p && p >= 0 && p < prec)
			prec = p;
		else if (!cv->star_p && cv->prec >= 0 && cv->prec < prec)
			prec = cv->prec;
		return cv->star_w ? fprintf(out, f, w, prec, a->p) : fprintf(out, f, prec, a->p);
	case PC_CHAR:
		return cv->star_w ? fprintf(out, f, w, (int)(unsigned char)a->i) :
				    fprintf(out, f, (int)(unsigned char)a->i);
	case PC_PTR:
		return cv->star_w ? fprintf(out, f, w, (void *)(uintptr_t)a->i) :
				    fprintf(out, f, (void *)(uintptr_t)a->i);
	default:
		return printf_int(out, cv, f, w, p, a->i);
	}
}

/*
 * printf_check - every '*' width and precision is within the bound of a
 * written one (a negative precision means none, as in C); checked before
 * anything is printed, so a failed call prints nothing
 */
static bool printf_check(const struct pfmt *f, const struct slot *args)
{
	int ai = 0;

	for (int i = 0; i < f->ncv; i++) {
		const struct pconv *cv = &f->cv[i];

		if (cv->kind == PC_LIT)
			continue;
		if (cv->star_w) {
			s64 w = (s64)args[ai++].i;

			if (w > EXPR_PRINTF_MAX_WIDTH || w < -EXPR_PRINTF_MAX_WIDTH)
				return false;
		}
		if (cv->star_p && (s64)args[ai++].i > EXPR_PRINTF_MAX_WIDTH)
			return false;
		ai++;
	}
	return true;
}

s64 expr__printf_run(const struct expr *e, const struct pfmt *f, const struct slot *args)
{
	FILE *out = e->env && e->env->out ? e->env->out : stdout;
	s64 total = 0;
	int ai = 0;

	if (!printf_check(f, args))
		return -1;
	for (int i = 0; i < f->ncv; i++) {
		int r = printf_one(out, e, &f->cv[i], args, &ai);

		if (r > 0)
			total += r;
	}
	return total;
}
