// SPDX-License-Identifier: GPL-2.0
/*
 * expr-lex.c - the expression lexer (identifiers, integer, character and
 * string literals with C escapes, operators, # and // comments), the string
 * pool literals are decoded into, and the error reporting the whole front
 * end uses: the first error and its column win, later ones are echoes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* diagnostics                                                         */

void *ecc__fail(struct cc *c, int pos, const char *fmt, ...)
{
	va_list ap;

	if (c->nfail++)
		return NULL;
	c->epos = pos;
	va_start(ap, fmt);
	vsnprintf(c->emsg, sizeof(c->emsg), fmt, ap);
	va_end(ap);
	return NULL;
}

void ecc__hint(struct cc *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nfail != 1)
		return;
	va_start(ap, fmt);
	vsnprintf(c->ehint, sizeof(c->ehint), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* string pool (literals, printf pieces); offsets stay valid on growth */

void ecc__pool_putc(struct cc *c, char ch)
{
	struct expr *e = c->e;

	if (e->pool_len + 1 > c->pool_cap) {
		c->pool_cap = c->pool_cap ? c->pool_cap * 2 : 256;
		e->pool = xrealloc(e->pool, c->pool_cap);
	}
	e->pool[e->pool_len++] = ch;
}

u32 ecc__pool_add(struct cc *c, const char *s, size_t n)
{
	u32 off = c->e->pool_len;

	for (size_t i = 0; i < n; i++)
		ecc__pool_putc(c, s[i]);
	ecc__pool_putc(c, '\0');
	return off;
}

/* ------------------------------------------------------------------ */
/* lexer                                                               */

static bool ident_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}

static bool ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static int skip_space(const struct cc *c, int i)
{
	const char *s = c->src;

	for (;;) {
		if (isspace((unsigned char)s[i])) {
			i++;
		} else if (s[i] == '#' || (s[i] == '/' && s[i + 1] == '/')) {
			while (s[i] && s[i] != '\n')
				i++;
		} else {
			return i;
		}
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	return tolower((unsigned char)ch) - 'a' + 10;
}

/*
 * lex_escape - decode the escape starting at the backslash s[*ip].
 * Returns the byte, -1 on error (reported), -2 at the end of the input.
 */
static int lex_escape(struct cc *c, int *ip)
{
	const char *s = c->src;
	int i = *ip + 1, v = 0, n = 0;

	switch (s[i]) {
	case 'n': v = '\n'; break;
	case 't': v = '\t'; break;
	case 'r': v = '\r'; break;
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'f': v = '\f'; break;
	case 'v': v = '\v'; break;
	case 'e': v = 27; break;
	case '\\': case '\'': case '"':
		v = s[i];
		break;
	case 'x':
		while (n < 2 && isxdigit((unsigned char)s[i + 1])) {
			v = v * 16 + hexval(s[++i]);
			n++;
		}
		if (!n) {
			ecc__fail(c, *ip, "bad escape sequence '\\x': no hex digits follow");
			return -1;
		}
		break;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		while (n < 3 && s[i] >= '0' && s[i] <= '7') {
			v = v * 8 + s[i++] - '0';
			n++;
		}
		i--;
		if (v > 255) {
			ecc__fail(c, *ip, "octal escape sequence '\\%.3s' is out of range", s + *ip + 1);
			return -1;
		}
		break;
	case '\0':
		return -2;
	default:
		if (ispunct((unsigned char)s[i])) {
			/* kept as written: "a\*b" is a glob matching a literal '*' */
			*ip = i;
			return '\\';
		}
		if (isprint((unsigned char)s[i]))
			ecc__fail(c, *ip, "unknown escape sequence '\\%c'", s[i]);
		else
			ecc__fail(c, *ip, "unknown escape sequence: '\\' followed by byte 0x%02x",
				(unsigned char)s[i]);
		return -1;
	}
	*ip = i + 1;
	return v;
}

/* adjacent literals concatenate: "ab" "cd" is "abcd" */
static int lex_string(struct cc *c, int i, struct tok *t)
{
	const char *s = c->src;
	u32 len;

	t->t = TK_STR;
	t->soff = c->e->pool_len;
	for (;;) {
		int start = i++;

		while (s[i] != '"') {
			int v;

			if (!s[i])
				return ecc__fail(c, start, "unterminated string literal"), -1;
			if (s[i] != '\\') {
				ecc__pool_putc(c, s[i++]);
				continue;
			}
			v = lex_escape(c, &i);
			if (v == -2)
				return ecc__fail(c, start, "unterminated string literal"), -1;
			if (v < 0)
				return -1;
			ecc__pool_putc(c, (char)v);
		}
		i++;
		t->end = i;
		i = skip_space(c, i);
		if (s[i] != '"')
			break;
	}
	len = c->e->pool_len - t->soff;
	ecc__pool_putc(c, '\0');
	/* a string ends at its first NUL, like the record's strings do */
	t->slen = strnlen(c->e->pool + t->soff, len);
	return 0;
}

static int lex_char(struct cc *c, int i, struct tok *t)
{
	const char *s = c->src;
	int start = i++, v;

	if (s[i] == '\'')
		return ecc__fail(c, start, "empty character literal"), -1;
	if (s[i] == '\\') {
		v = lex_escape(c, &i);
		if (v == -2)
			return ecc__fail(c, start, "unterminated character literal"), -1;
		if (v < 0)
			return -1;
	} else if (s[i]) {
		v = (unsigned char)s[i++];
	} else {
		return ecc__fail(c, start, "unterminated character literal"), -1;
	}
	if (s[i] != '\'') {
		const char *close = strchr(s + i, '\'');

		if (!close)
			return ecc__fail(c, start, "unterminated character literal"), -1;
		ecc__fail(c, start, "character literal holds more than one character");
		ecc__hint(c, "strings are written in double quotes: \"%.*s\"",
			  (int)(close - s - start - 1), s + start + 1);
		return -1;
	}
	t->t = TK_INT;
	t->ival = (u64)v;
	t->end = i + 1;
	return 0;
}

static int lex_number(struct cc *c, int i, struct tok *t)
{
	const char *s = c->src;
	int start = i, nu = 0, nl = 0;
	bool over = false;
	u64 v = 0;

	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		int digits = i + 2;

		for (i = digits; isxdigit((unsigned char)s[i]); i++) {
			over |= v > (UINT64_MAX >> 4);
			v = v * 16 + hexval(s[i]);
		}
		if (i == digits) {
			while (ident_char(s[i]))
				i++;
			return ecc__fail(c, start, "bad integer literal '%.*s'", i - start, s + start), -1;
		}
	} else if (s[i] == '0') {
		for (i++; isdigit((unsigned char)s[i]); i++) {
			if (s[i] > '7') {
				int end = i;

				while (ident_char(s[end]))
					end++;
				return ecc__fail(c, i, "invalid digit '%c' in octal literal '%.*s'",
					       s[i], end - start, s + start), -1;
			}
			over |= v > (UINT64_MAX >> 3);
			v = v * 8 + (u64)(s[i] - '0');
		}
	} else {
		for (; isdigit((unsigned char)s[i]); i++) {
			u64 d = (u64)(s[i] - '0');

			over |= v > (UINT64_MAX - d) / 10;
			v = v * 10 + d;
		}
	}
	for (; s[i] == 'u' || s[i] == 'U' || s[i] == 'l' || s[i] == 'L'; i++) {
		if (s[i] == 'u' || s[i] == 'U')
			nu++;
		else
			nl++;
	}
	if (ident_char(s[i]) || nu > 1 || nl > 2) {
		while (ident_char(s[i]))
			i++;
		return ecc__fail(c, start, "bad integer literal '%.*s'", i - start, s + start), -1;
	}
	if (over)
		return ecc__fail(c, start, "integer literal '%.*s' is too large for 64 bits",
			       i - start, s + start), -1;
	t->t = TK_INT;
	t->ival = v;
	t->iuns = nu || v > INT64_MAX;
	t->end = i;
	return 0;
}

static const struct {
	const char *s;
	int t;
} puncts[] = {
	{ "<<=", P_ASSIGN_OP }, { ">>=", P_ASSIGN_OP },
	{ "<<", P_SHL }, { ">>", P_SHR }, { "<=", P_LE }, { ">=", P_GE },
	{ "==", P_EQ }, { "!=", P_NE }, { "&&", P_LAND }, { "||", P_LOR },
	{ "++", P_INC }, { "--", P_DEC }, { "->", P_ARROW },
	{ "+=", P_ASSIGN_OP }, { "-=", P_ASSIGN_OP }, { "*=", P_ASSIGN_OP },
	{ "/=", P_ASSIGN_OP }, { "%=", P_ASSIGN_OP }, { "&=", P_ASSIGN_OP },
	{ "|=", P_ASSIGN_OP }, { "^=", P_ASSIGN_OP },
};

static int lex_punct(struct cc *c, int i, struct tok *t)
{
	const char *s = c->src;

	for (size_t k = 0; k < ARRAY_SIZE(puncts); k++) {
		size_t n = strlen(puncts[k].s);

		if (!strncmp(s + i, puncts[k].s, n)) {
			t->t = puncts[k].t;
			t->end = i + n;
			return 0;
		}
	}
	if (strchr("+-*/%&|^~!<>=?:,()[].;", s[i])) {
		t->t = (unsigned char)s[i];
		t->end = i + 1;
		return 0;
	}
	if (isprint((unsigned char)s[i]))
		return ecc__fail(c, i, "unexpected character '%c'", s[i]), -1;
	return ecc__fail(c, i, "unexpected character '\\x%02x'", (unsigned char)s[i]), -1;
}

static void lex(struct cc *c, int i, struct tok *t)
{
	const char *s = c->src;
	int r;

	i = skip_space(c, i);
	memset(t, 0, sizeof(*t));
	t->pos = t->end = i;
	if (!s[i])
		return;		/* TK_EOF */
	if (isdigit((unsigned char)s[i])) {
		r = lex_number(c, i, t);
	} else if (ident_start(s[i])) {
		for (t->end = i; ident_char(s[t->end]); t->end++)
			;
		t->t = TK_IDENT;
		r = 0;
	} else if (s[i] == '"') {
		r = lex_string(c, i, t);
	} else if (s[i] == '\'') {
		r = lex_char(c, i, t);
	} else {
		r = lex_punct(c, i, t);
	}
	if (r) {
		/* the parser stops at TK_ERR; the error above is the one reported */
		t->t = TK_ERR;
		t->end = t->pos;
	}
}

void ecc__next(struct cc *c)
{
	if (c->has_peek) {
		c->tok = c->peek;
		c->has_peek = false;
		return;
	}
	lex(c, c->tok.end, &c->tok);
}

const struct tok *ecc__peek(struct cc *c)
{
	if (!c->has_peek) {
		lex(c, c->tok.end, &c->peek);
		c->has_peek = true;
	}
	return &c->peek;
}

const char *ecc__tok_text(const struct cc *c, const struct tok *t, char *buf, size_t size)
{
	int n = t->end - t->pos;

	if (t->t == TK_EOF)
		return "end of expression";
	if (n > 24)
		snprintf(buf, size, "%.21s...", c->src + t->pos);
	else
		snprintf(buf, size, "%.*s", n, c->src + t->pos);
	return buf;
}

bool ecc__tok_is(const struct cc *c, const struct tok *t, const char *word)
{
	size_t n = t->end - t->pos;

	return t->t == TK_IDENT && strlen(word) == n && !memcmp(c->src + t->pos, word, n);
}
