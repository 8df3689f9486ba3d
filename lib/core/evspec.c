// SPDX-License-Identifier: GPL-2.0
/*
 * evspec.c - the -e grammar: one argument text -> struct evspec terms.
 *
 * Everything works on column ranges [b, e) of the argument, so every
 * diagnostic can put a caret under the exact byte the user wrote. Quotes
 * and parentheses are checked once over the whole argument first; after
 * that every protected region is known to close, and the splitters below
 * (',' between terms, '/' between segments, '=' in attributes, ':' and '@'
 * in names) simply jump over them. This is start-up code: clarity over
 * speed, but nothing here is worse than linear in the argument length
 * per term.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evcore.h"
#include "evspec.h"

/* the kernel's PERF_MAX_STACK_DEPTH cap for sample_max_stack */
#define EVSPEC_MAX_STACK 127

struct parser {
	const char *s;			/* the whole -e argument */
	int len;
	int pos;
	const char *const *accepted;
	struct err *err;
	bool bare_file;			/* this term's uprobe FILE was not quoted */
};

static const char *const kind_names[] = {
	[EVSPEC_TRACEPOINT] = "tracepoint",
	[EVSPEC_UPROBE] = "uprobe",
	[EVSPEC_URETPROBE] = "uretprobe",
	[EVSPEC_KPROBE] = "kprobe",
	[EVSPEC_KRETPROBE] = "kretprobe",
	[EVSPEC_PMU] = "perf event",
};

const char *evspec_kind_name(enum evspec_kind kind)
{
	if ((unsigned int)kind >= ARRAY_SIZE(kind_names))
		return "unknown";
	return kind_names[kind];
}

/* ---- diagnostics -------------------------------------------------------- */

/* p_error - set the message and the caret detail; returns -1 */
static int p_error(struct parser *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int p_error(struct parser *p, int col, const char *fmt, ...)
{
	char msg[sizeof(p->err->msg)];
	va_list ap;

	if (!p->err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(p->err, EXIT_USAGE, "%s", msg);
	evspec_caret(p->s, col, p->err);
	return -1;
}

/* char_show - a byte as it can be printed inside quotes in a message */
static const char *char_show(char ch, char buf[8])
{
	if (isprint((unsigned char)ch))
		snprintf(buf, 8, "%c", ch);
	else
		snprintf(buf, 8, "\\x%02x", (unsigned char)ch);
	return buf;
}

/* ---- scanning ----------------------------------------------------------- */

static bool is_quote(char c)
{
	return c == '"' || c == '\'';
}

/*
 * prot_close - @s[i] opens a quote or '(': the index just past the region
 * it protects, or -1 when it does not close before @e (only possible
 * inside a range whose outer quotes were removed).
 */
static int prot_close(const char *s, int i, int e)
{
	char q = 0;
	int depth = 0;

	for (; i < e; i++) {
		char c = s[i];

		if (q) {
			if (c == q) {
				q = 0;
				if (!depth)
					return i + 1;
			}
		} else if (is_quote(c)) {
			q = c;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && depth && !--depth) {
			return i + 1;
		}
	}
	return -1;
}

/* prot_skip - like prot_close, but an unclosed region runs to @e */
static int prot_skip(const char *s, int i, int e)
{
	int end = prot_close(s, i, e);

	return end < 0 ? e : end;
}

/* span_find - first @c in [b, e) outside quotes and parentheses, or -1 */
static int span_find(const char *s, int b, int e, char c)
{
	int i = b;

	while (i < e) {
		if (s[i] == c)
			return i;
		if (is_quote(s[i]) || s[i] == '(')
			i = prot_skip(s, i, e);
		else
			i++;
	}
	return -1;
}

/* span_unquote - drop one level of quotes around the whole of [b, e) */
static bool span_unquote(const char *s, int *b, int *e)
{
	if (*e - *b < 2 || !is_quote(s[*b]) || prot_close(s, *b, *e) != *e)
		return false;
	(*b)++;
	(*e)--;
	return true;
}

static bool span_eq(const char *s, int b, int e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - b) == n && !strncmp(s + b, word, n);
}

static char *span_dup(const char *s, int b, int e)
{
	return xstrndup(s + b, (size_t)(e - b));
}

/* selector_check - every quote closes and every parenthesis balances */
static int selector_check(struct parser *p)
{
	int depth = 0, open_paren = 0, open_quote = 0;
	char q = 0;

	for (int i = 0; i < p->len; i++) {
		char c = p->s[i];

		if (q) {
			if (c == q)
				q = 0;
		} else if (is_quote(c)) {
			q = c;
			open_quote = i;
		} else if (c == '(') {
			if (!depth++)
				open_paren = i;
		} else if (c == ')') {
			if (!depth) {
				p_error(p, i, "unbalanced ')' in event selector");
				err_hint(p->err, "remove it or add the matching '('");
				return -1;
			}
			depth--;
		}
	}
	if (q) {
		p_error(p, open_quote, "unterminated quote in event selector");
		err_hint(p->err, "add the closing %c", q);
		return -1;
	}
	if (depth) {
		p_error(p, open_paren, "unbalanced '(' in event selector");
		err_hint(p->err, "add the missing ')'");
		return -1;
	}
	return 0;
}

/* parse_num - decimal or 0x hex, the whole of [b, e) (no octal surprise) */
static int parse_num(const char *s, int b, int e, u64 *out)
{
	char buf[32], *end;
	int base = 10;
	int i = 0;

	if (e - b <= 0 || e - b >= (int)sizeof(buf))
		return -1;
	memcpy(buf, s + b, (size_t)(e - b));
	buf[e - b] = '\0';
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (!buf[i])
		return -1;
	for (int k = i; buf[k]; k++)
		if (base == 16 ? !isxdigit((unsigned char)buf[k]) : !isdigit((unsigned char)buf[k]))
			return -1;
	errno = 0;
	*out = strtoull(buf + i, &end, base);
	return errno ? -1 : 0;
}

/* ---- names -------------------------------------------------------------- */

/*
 * tp_bad_char - first byte of a system or event name that is not a letter,
 * digit, '_' or glob character; -1 when all are fine. Inside [...] the
 * fnmatch range/negation characters are fine too.
 */
static int tp_bad_char(const char *s, int b, int e)
{
	bool bracket = false;

	for (int i = b; i < e; i++) {
		char c = s[i];

		if (isalnum((unsigned char)c) || c == '_' || c == '*' || c == '?')
			continue;
		if (c == '[' && !bracket) {
			bracket = true;
			continue;
		}
		if (c == ']' && bracket) {
			bracket = false;
			continue;
		}
		if (bracket && (c == '-' || c == '!' || c == '^'))
			continue;
		return i;
	}
	return -1;
}

static bool is_func_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static int tp_parse(struct parser *p, struct evspec *ev, int b, int colon, int e)
{
	int sb = b, se = colon, nb = colon + 1, ne = e, bad;
	char cb[8];

	span_unquote(p->s, &sb, &se);
	span_unquote(p->s, &nb, &ne);
	if (sb == se) {
		p_error(p, b, "empty system name in '%s'", ev->text);
		err_hint(p->err, "write SYS:NAME, e.g. 'sched:sched_switch'; 'perf-prof list' shows them");
		return -1;
	}
	if (nb == ne) {
		p_error(p, colon + 1, "empty event name in '%s'", ev->text);
		err_hint(p->err, "write SYS:NAME, e.g. 'sched:sched_switch'; 'perf-prof list' shows them");
		return -1;
	}
	bad = tp_bad_char(p->s, sb, se);
	if (bad < 0)
		bad = tp_bad_char(p->s, nb, ne);
	if (bad >= 0) {
		p_error(p, bad, "invalid character '%s' in '%s'",
			char_show(p->s[bad], cb), ev->text);
		err_hint(p->err, "system and event names are letters, digits and '_', with globs * ? [...]");
		return -1;
	}
	ev->kind = EVSPEC_TRACEPOINT;
	ev->sys = span_dup(p->s, sb, se);
	ev->name = span_dup(p->s, nb, ne);
	return 0;
}

/* probe_file - FILE after '@' (maybe quoted) up to '(' or @e; returns its end */
static int probe_file(struct parser *p, struct evspec *ev, int b, int e)
{
	int i = b, fb = b, fe;

	if (i < e && is_quote(p->s[i])) {
		i = prot_skip(p->s, i, e);
		fe = i;
		span_unquote(p->s, &fb, &fe);
	} else {
		while (i < e && p->s[i] != '(')
			i++;
		fe = i;
		p->bare_file = true;
	}
	if (fb == fe) {
		p_error(p, b, "missing file after '@' in '%s'", ev->text);
		err_hint(p->err, "quote a path that holds '/': -e '%s:FUNC@\"/path/to/file\"'",
			 evspec_kind_name(ev->kind));
		return -1;
	}
	ev->probe_file = span_dup(p->s, fb, fe);
	return i;
}

/* probe_parse - FUNC[+OFF][@FILE][(ARGS)] in [b, e) */
static int probe_parse(struct parser *p, struct evspec *ev, int b, int e)
{
	bool uprobe = ev->kind == EVSPEC_UPROBE || ev->kind == EVSPEC_URETPROBE;
	const char *kind = evspec_kind_name(ev->kind);
	int i, func_end;
	char cb[8];

	span_unquote(p->s, &b, &e);
	i = b;
	while (i < e && is_func_char(p->s[i]))
		i++;
	func_end = i;
	if (i < e && !strchr("+@(", p->s[i])) {
		p_error(p, i, "invalid character '%s' in '%s'", char_show(p->s[i], cb), ev->text);
		err_hint(p->err, "write %s:FUNC[+OFF]%s[(ARGS)]; function names are letters, digits, '_' and '.'",
			 kind, uprobe ? "@FILE" : "");
		return -1;
	}
	if (func_end == b) {
		p_error(p, b, "missing function in '%s'", ev->text);
		err_hint(p->err, "write %s:FUNC[+OFF]%s[(ARGS)]", kind, uprobe ? "@FILE" : "");
		return -1;
	}
	if (i < e && p->s[i] == '+') {
		int ob = i + 1;

		while (i < e && p->s[i] != '@' && p->s[i] != '(')
			i++;
		if (parse_num(p->s, ob, i, &ev->probe_off)) {
			p_error(p, ob - 1, "invalid offset '%.*s' in '%s'", i - ob + 1, p->s + ob - 1,
				ev->text);
			err_hint(p->err, "write FUNC+N with N decimal or 0x hex");
			return -1;
		}
	}
	ev->name = span_dup(p->s, b, i);
	if (i < e && p->s[i] == '@') {
		if (!uprobe) {
			p_error(p, i, "%s takes no file in '%s'", kind, ev->text);
			err_hint(p->err, "write uprobe:FUNC@FILE for a function in a user-space binary");
			return -1;
		}
		i = probe_file(p, ev, i + 1, e);
		if (i < 0)
			return -1;
	} else if (uprobe && span_find(p->s, i, e, '@') < 0) {
		p_error(p, i, "missing @FILE in '%s'", ev->text);
		err_hint(p->err, "write %s:%s@FILE, e.g. -e '%s:malloc@\"/lib/x86_64-linux-gnu/libc.so.6\"'",
			 kind, ev->name, kind);
		return -1;
	}
	if (i < e && p->s[i] == '(') {
		int end = prot_close(p->s, i, e);

		/* only inside a quoted "FUNC@FILE(ARGS)" can it fail to close */
		if (end < 0) {
			p_error(p, i, "unbalanced '(' in '%s'", ev->text);
			err_hint(p->err, "add the missing ')'");
			return -1;
		}
		ev->probe_args = span_dup(p->s, i + 1, end - 1);
		i = end;
	}
	if (i < e) {
		p_error(p, i, "unexpected '%.*s' in '%s'", e - i, p->s + i, ev->text);
		err_hint(p->err, "a probe is %s:FUNC[+OFF]%s[(ARGS)]; the filter and attributes follow after '/'",
			 kind, uprobe ? "@FILE" : "");
		return -1;
	}
	return 0;
}

/*
 * pmu_parse - a NAME without ':': a perf event by perf's name, a PMU with
 * terms, or (later) a profiler. What it names is resolved with the events.
 */
static int pmu_parse(struct parser *p, struct evspec *ev, int b, int e)
{
	for (int i = b; i < e; i++) {
		char c = p->s[i];

		if (isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.')
			continue;
		p_error(p, i, "unexpected '%c' in event '%.*s'", c, e - b, p->s + b);
		err_hint(p->err, "write SYS:NAME for a tracepoint (sched:sched_switch) or a perf "
			      "event's name (cpu-clock, page-faults); 'perf-prof list' shows them");
		return -1;
	}
	ev->kind = EVSPEC_PMU;
	ev->sys = xstrdup("");
	ev->name = span_dup(p->s, b, e);
	return 0;
}

static int name_parse(struct parser *p, struct evspec *ev, int b, int e)
{
	static const struct {
		const char *word;
		enum evspec_kind kind;
	} probes[] = {
		{ "uprobe", EVSPEC_UPROBE },
		{ "uretprobe", EVSPEC_URETPROBE },
		{ "kprobe", EVSPEC_KPROBE },
		{ "kretprobe", EVSPEC_KRETPROBE },
	};
	int colon;

	if (b == e) {
		p_error(p, b, "missing event name in '%s'", ev->text);
		err_hint(p->err, "write SYS:NAME before the filter, e.g. 'sched:sched_switch/prev_pid>0/'");
		return -1;
	}
	span_unquote(p->s, &b, &e);
	colon = span_find(p->s, b, e, ':');
	if (colon < 0)
		return pmu_parse(p, ev, b, e);
	for (size_t k = 0; k < ARRAY_SIZE(probes); k++) {
		if (!span_eq(p->s, b, colon, probes[k].word))
			continue;
		ev->kind = probes[k].kind;
		ev->sys = xstrdup(probes[k].word);
		return probe_parse(p, ev, colon + 1, e);
	}
	return tp_parse(p, ev, b, colon, e);
}

/* ---- filter and attributes ---------------------------------------------- */

/* span_has_op - [b, e) holds a comparison or logic operator character */
static bool span_has_op(const char *s, int b, int e)
{
	for (int i = b; i < e; i++)
		if (strchr("<>=!~&|", s[i]))
			return true;
	return false;
}

static bool attr_name_ok(const char *name)
{
	if (!islower((unsigned char)*name))
		return false;
	for (name++; *name; name++)
		if (!islower((unsigned char)*name) && !isdigit((unsigned char)*name) &&
		    *name != '_' && *name != '-')
			return false;
	return true;
}

/* attr_normalize - the reference's spellings top_by/top_add are top-by/top-add */
static void attr_normalize(char *name)
{
	if (!strcmp(name, "top_by") || !strcmp(name, "top_add"))
		name[3] = '-';
}

/* attributes every profiler accepts: the sampling of the event */
static const char *const generic_attrs[] = { "period", "freq", "cpus", NULL };

static bool attr_accepted(const struct parser *p, const char *name)
{
	for (const char *const *a = generic_attrs; *a; a++)
		if (!strcmp(*a, name))
			return true;
	for (const char *const *a = p->accepted; a && *a; a++)
		if (!strcmp(*a, name))
			return true;
	return false;
}

/* accepted_hint - "[did you mean 'x'? ]accepted attributes: a, b, c" */
static void accepted_hint(struct parser *p, const char *typo)
{
	const char *best = NULL;
	char buf[sizeof(p->err->hint)];
	size_t n = 0;

	if (!p->err)
		return;
	if (typo && p->accepted)
		best = str_suggest(typo, p->accepted, -1);
	if (typo && !best)
		best = str_suggest(typo, generic_attrs, -1);
	if (!p->accepted || !p->accepted[0]) {
		err_hint(p->err, "this profiler takes no event attributes");
		return;
	}
	buf[0] = '\0';
	for (const char *const *a = p->accepted; *a && n < sizeof(buf); a++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", a == p->accepted ? "" : ", ", *a);
	if (best)
		err_hint(p->err, "did you mean '%s'? accepted attributes: %s", best, buf);
	else
		err_hint(p->err, "accepted attributes: %s", buf);
}

/*
 * filter_check - the first segment is always the filter, so "ev/stack/" is
 * a filter "stack". That is nearly always a slip; say so when the text is
 * exactly an accepted attribute word or "word=" (but not "word==").
 */
static int filter_check(struct parser *p, struct evspec *ev, int name_end, int b, int e)
{
	int eq = span_find(p->s, b, e, '=');
	int we = eq < 0 ? e : eq;
	char word[64];

	if (b == e || is_quote(p->s[b]) || (eq >= 0 && eq + 1 < e && p->s[eq + 1] == '='))
		return 0;
	if (we - b >= (int)sizeof(word))
		return 0;
	memcpy(word, p->s + b, (size_t)(we - b));
	word[we - b] = '\0';
	attr_normalize(word);
	if (!attr_accepted(p, word))
		return 0;
	p_error(p, b, "'%.*s' is in the filter position of '%s'", e - b, p->s + b, ev->text);
	err_hint(p->err, "the first /.../ is always the filter, even when empty: write '%.*s/%s'",
		 name_end - ev->col, ev->text, ev->text + (name_end - ev->col));
	return -1;
}

static int filter_parse(struct parser *p, struct evspec *ev, int name_end, int b, int e)
{
	int fb = b, fe = e;

	if (filter_check(p, ev, name_end, b, e))
		return -1;
	span_unquote(p->s, &fb, &fe);
	for (int i = fb; i < fe; i++) {
		if (!isspace((unsigned char)p->s[i])) {
			ev->filter = span_dup(p->s, fb, fe);
			ev->filter_col = fb;
			break;
		}
	}
	return 0;
}

/* attr_generic - decode the attributes every profiler means the same way by */
static int attr_generic(struct parser *p, struct evspec *ev, const struct evattr *a)
{
	u64 n;

	if (!strcmp(a->name, "stack")) {
		if (a->value) {
			p_error(p, a->col, "attribute 'stack' takes no value in '%s'", ev->text);
			err_hint(p->err, "write 'stack/' to sample call stacks, 'max-stack=N/' to limit the depth");
			return -1;
		}
		ev->stack = true;
		return 0;
	}
	if (!strcmp(a->name, "cpus")) {
		if (!a->value || !a->value[0]) {
			p_error(p, a->col, "attribute 'cpus' needs a CPU list in '%s'", ev->text);
			err_hint(p->err, "write 'cpus=0/', 'cpus=0-3/' or 'cpus=0,2/'");
			return -1;
		}
		free(ev->cpus);
		ev->cpus = xstrdup(a->value);
		return 0;
	}
	if (!strcmp(a->name, "period") || !strcmp(a->name, "freq")) {
		bool period = a->name[0] == 'p';

		if (!a->value || parse_num(a->value, 0, (int)strlen(a->value), &n) || !n ||
		    (!period && n > 1000000)) {
			p_error(p, a->value ? a->value_col : a->col, "invalid %s '%s' in '%s'", a->name,
				a->value ? a->value : "", ev->text);
			err_hint(p->err, period ? "period=N samples once every N events (N > 0)" :
						  "freq=HZ samples HZ times a second (1-1000000)");
			return -1;
		}
		if (period)
			ev->period = n;
		else
			ev->freq = n;
		return 0;
	}
	if (strcmp(a->name, "alias") && strcmp(a->name, "max-stack"))
		return 0;
	if (!a->value || !a->value[0]) {
		p_error(p, a->col, "attribute '%s' needs a value in '%s'", a->name, ev->text);
		err_hint(p->err, "write '%s=%s/'", a->name, strcmp(a->name, "alias") ? "N" : "NAME");
		return -1;
	}
	if (!strcmp(a->name, "alias")) {
		free(ev->alias);
		ev->alias = xstrdup(a->value);
		return 0;
	}
	if (parse_num(a->value, 0, (int)strlen(a->value), &n) || n < 1 || n > EVSPEC_MAX_STACK) {
		p_error(p, a->value_col, "invalid max-stack '%s' in '%s'", a->value, ev->text);
		err_hint(p->err, "max-stack is a number from 1 to %d", EVSPEC_MAX_STACK);
		return -1;
	}
	ev->max_stack = (int)n;
	ev->stack = true;
	return 0;
}

static int attr_parse(struct parser *p, struct evspec *ev, int name_end, int b, int e)
{
	int eq = span_find(p->s, b, e, '=');
	struct evattr *a;

	ev->attrs = xrealloc(ev->attrs, sizeof(*ev->attrs) * (size_t)(ev->nr_attrs + 1));
	a = &ev->attrs[ev->nr_attrs++];
	memset(a, 0, sizeof(*a));
	a->col = b;
	a->value_col = -1;
	a->name = span_dup(p->s, b, eq < 0 ? e : eq);
	if (eq >= 0) {
		int vb = eq + 1, ve = e;

		span_unquote(p->s, &vb, &ve);
		a->value = span_dup(p->s, vb, ve);
		a->value_col = vb;
	}
	attr_normalize(a->name);
	if (!attr_name_ok(a->name) || (eq >= 0 && eq + 1 < e && p->s[eq + 1] == '=')) {
		p_error(p, b, "invalid attribute '%.*s' in '%s'", e - b, p->s + b, ev->text);
		/* "ev//pid>0/": an expression where the filter was left empty */
		if (ev->nr_attrs == 1 && !ev->filter && span_has_op(p->s, b, e))
			err_hint(p->err, "the filter is the first /.../: write '%.*s/%.*s/'",
				 name_end - ev->col, ev->text, e - b, p->s + b);
		else
			accepted_hint(p, NULL);
		return -1;
	}
	if (!attr_accepted(p, a->name)) {
		p_error(p, b, "unknown attribute '%s' in '%s'", a->name, ev->text);
		accepted_hint(p, a->name);
		return -1;
	}
	return attr_generic(p, ev, a);
}

/* ---- terms -------------------------------------------------------------- */

/* segments_parse - "/FILTER/ATTR/.../" after the name, @b at the first '/' */
static int segments_parse(struct parser *p, struct evspec *ev, int b, int e)
{
	int name_end = b, start = b + 1, slash;

	slash = span_find(p->s, start, e, '/');
	if (slash < 0) {
		if (start == e)	/* "ev/": an empty filter, nothing follows */
			return 0;
		p_error(p, start, "filter of '%.*s' is not closed by '/'", name_end - ev->col, ev->text);
		if (p->bare_file)	/* "uprobe:f@./a.out": the path was cut at '/' */
			err_hint(p->err, "quote a path that holds '/': -e '%s:FUNC@\"/path/to/file\"'",
				 ev->sys);
		else
			err_hint(p->err, "write '%s/'", ev->text);
		return -1;
	}
	if (filter_parse(p, ev, name_end, start, slash))
		return -1;
	for (start = slash + 1; start < e; start = slash + 1) {
		slash = span_find(p->s, start, e, '/');
		if (slash < 0) {
			p_error(p, start, "attribute '%.*s' is not terminated by '/' in '%s'",
				e - start, p->s + start, ev->text);
			err_hint(p->err, "write '%s/'", ev->text);
			return -1;
		}
		if (slash == start) {
			p_error(p, start, "empty attribute in '%s'", ev->text);
			err_hint(p->err, "remove the extra '/'");
			return -1;
		}
		if (attr_parse(p, ev, name_end, start, slash))
			return -1;
	}
	return 0;
}

static struct evspec *term_parse(struct parser *p, int b, int e)
{
	struct evspec *ev = &((struct evnode *)xzalloc(sizeof(struct evnode)))->spec;
	int slash = span_find(p->s, b, e, '/');

	ev->text = span_dup(p->s, b, e);
	ev->arg = xstrdup(p->s);
	ev->pos = p->pos;
	ev->col = b;
	ev->filter_col = -1;
	p->bare_file = false;
	if (slash < 0)
		slash = e;
	if (name_parse(p, ev, b, slash) || (slash < e && segments_parse(p, ev, slash, e))) {
		evspec_free(ev);
		return NULL;
	}
	return ev;
}

/*
 * term_end - where the term starting at @b ends: its ',' or the end. After
 * a NAME without ':' the first /.../ is kept whole, so a PMU's terms
 * ("cpu/event=0x3c,umask=0/") do not split the term.
 */
static int term_end(const struct parser *p, int b)
{
	int slash = span_find(p->s, b, p->len, '/');
	int comma = span_find(p->s, b, p->len, ',');

	if (slash >= 0 && (comma < 0 || slash < comma) && span_find(p->s, b, slash, ':') < 0) {
		int close = span_find(p->s, slash + 1, p->len, '/');

		if (close >= 0)
			comma = span_find(p->s, close, p->len, ',');
	}
	return comma < 0 ? p->len : comma;
}

static void span_trim(const char *s, int *b, int *e)
{
	while (*b < *e && isspace((unsigned char)s[*b]))
		(*b)++;
	while (*e > *b && isspace((unsigned char)s[*e - 1]))
		(*e)--;
}

int evspec_parse(const char *arg, int pos, const char *const *accepted,
		 struct evspec_list *out, struct err *err)
{
	struct parser p = { .s = arg ? arg : "", .pos = pos, .accepted = accepted, .err = err };
	struct evspec_list tmp = { NULL, 0 };
	int b = 0, e;

	p.len = (int)strlen(p.s);
	e = p.len;
	span_trim(p.s, &b, &e);
	if (b == e) {
		p_error(&p, 0, "empty event selector");
		err_hint(err, "write -e SYS:NAME[/FILTER/[ATTR/]...], e.g. -e sched:sched_switch");
		return -1;
	}
	if (selector_check(&p))
		return -1;
	for (b = 0; b <= p.len; b = e + 1) {
		int tb, te;
		struct evspec *ev;

		e = term_end(&p, b);
		tb = b;
		te = e;
		span_trim(p.s, &tb, &te);
		if (tb == te) {
			p_error(&p, b, "empty event in '%s'", p.s);
			err_hint(err, "remove the extra ','");
			goto fail;
		}
		ev = term_parse(&p, tb, te);
		if (!ev)
			goto fail;
		evspec_list_add(&tmp, ev);
	}
	for (int i = 0; i < tmp.n; i++)
		evspec_list_add(out, tmp.v[i]);
	free(tmp.v);
	return 0;
fail:
	evspec_list_free(&tmp);
	return -1;
}

/* ---- accessors and ownership -------------------------------------------- */

const char *evspec_attr(const struct evspec *ev, const char *name)
{
	for (int i = ev->nr_attrs - 1; i >= 0; i--)
		if (!strcmp(ev->attrs[i].name, name))
			return ev->attrs[i].value ? ev->attrs[i].value : "";
	return NULL;
}

bool evspec_is_glob(const struct evspec *ev)
{
	if (ev->kind != EVSPEC_TRACEPOINT)
		return false;
	return (ev->sys && strpbrk(ev->sys, "*?[")) || (ev->name && strpbrk(ev->name, "*?["));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct evspec *evspec_clone(const struct evspec *ev, const char *sys, const char *name)
{
	struct evspec *c = &((struct evnode *)xzalloc(sizeof(struct evnode)))->spec;

	c->text = dup_or_null(ev->text);
	c->arg = dup_or_null(ev->arg);
	c->pos = ev->pos;
	c->col = ev->col;
	c->kind = ev->kind;
	c->sys = dup_or_null(sys ? sys : ev->sys);
	c->name = dup_or_null(name ? name : ev->name);
	c->probe_file = dup_or_null(ev->probe_file);
	c->probe_args = dup_or_null(ev->probe_args);
	c->probe_off = ev->probe_off;
	c->filter = dup_or_null(ev->filter);
	c->filter_col = ev->filter_col;
	if (ev->nr_attrs) {
		c->attrs = xzalloc(sizeof(*c->attrs) * (size_t)ev->nr_attrs);
		for (int i = 0; i < ev->nr_attrs; i++) {
			c->attrs[i] = ev->attrs[i];
			c->attrs[i].name = xstrdup(ev->attrs[i].name);
			c->attrs[i].value = dup_or_null(ev->attrs[i].value);
		}
	}
	c->nr_attrs = ev->nr_attrs;
	c->alias = dup_or_null(ev->alias);
	c->stack = ev->stack;
	c->max_stack = ev->max_stack;
	c->period = ev->period;
	c->freq = ev->freq;
	c->cpus = dup_or_null(ev->cpus);
	return c;
}

void evspec_list_add(struct evspec_list *list, struct evspec *ev)
{
	/* grow in powers of two: n is the capacity whenever it is one */
	if (!(list->n & (list->n - 1)))
		list->v = xrealloc(list->v, sizeof(*list->v) * (size_t)(list->n ? list->n * 2 : 1));
	list->v[list->n++] = ev;
}

void evspec_free(struct evspec *ev)
{
	if (!ev)
		return;
	for (int i = 0; i < ev->nr_attrs; i++) {
		free(ev->attrs[i].name);
		free(ev->attrs[i].value);
	}
	free(ev->attrs);
	free(ev->text);
	free(ev->arg);
	free(ev->sys);
	free(ev->name);
	free(ev->probe_file);
	free(ev->probe_args);
	free(ev->filter);
	free(ev->alias);
	free(ev->cpus);
	free(ev->display);
	free(ev);
}

void evspec_list_free(struct evspec_list *list)
{
	for (int i = 0; i < list->n; i++)
		evspec_free(list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
