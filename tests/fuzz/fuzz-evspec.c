// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-evspec.c - libFuzzer harness for the selector parser (lib/core/evspec.c).
 *
 * Input: byte 0 picks the accepted attributes (one bit per name of a fixed
 * pool), byte 1 the -e position; the rest is one or two -e arguments
 * separated by a NUL byte. Beyond "does not crash", every result is checked
 * against the parser's contract, and a broken promise aborts:
 *   - failure: EXIT_USAGE, a message, a caret line, @out untouched;
 *   - success: every term's columns lie inside its argument, every attribute
 *     is an accepted name, value_col is -1 exactly for bare words, generic
 *     attributes are decoded (stack, max-stack 1..127), clones are equal.
 */
#include <stdlib.h>
#include <string.h>

#include "evspec.h"

static const char *const attr_pool[] = {
	"alias", "stack", "max-stack", "key", "top-by", "top-add", "comm", "printkey",
};

static void fuzz_assert(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-evspec: contract broken: %s\n", what);
		abort();
	}
}

static bool str_in(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* a column range [col, col + len) lies inside @arg */
static bool span_ok(const char *arg, int col, const char *text)
{
	size_t n = strlen(arg);

	return col >= 0 && (size_t)col <= n && (!text || (size_t)col + strlen(text) <= n);
}

static void check_clone(const struct evspec *ev)
{
	struct evspec *c = evspec_clone(ev, NULL, NULL);

	fuzz_assert(!strcmp(c->text, ev->text), "clone text");
	fuzz_assert(c->nr_attrs == ev->nr_attrs, "clone attrs");
	for (int i = 0; i < ev->nr_attrs; i++) {
		fuzz_assert(!strcmp(c->attrs[i].name, ev->attrs[i].name), "clone attr name");
		fuzz_assert(!ev->attrs[i].value == !c->attrs[i].value, "clone attr value");
		if (ev->attrs[i].name[0])
			fuzz_assert(evspec_attr(c, ev->attrs[i].name) != NULL, "clone evspec_attr");
	}
	fuzz_assert(evspec_is_glob(c) == evspec_is_glob(ev), "clone glob");
	evspec_free(c);
}

static void check_term(const struct evspec *ev, const char *arg, int pos,
		       const char *const *accepted)
{
	struct err err = { 0 };

	fuzz_assert(ev->text && ev->text[0], "term text");
	fuzz_assert(ev->arg && !strcmp(ev->arg, arg), "term arg");
	fuzz_assert(ev->pos == pos, "term pos");
	fuzz_assert(span_ok(arg, ev->col, ev->text), "term col");
	fuzz_assert(!strncmp(arg + ev->col, ev->text, strlen(ev->text)), "term text at col");
	fuzz_assert(ev->sys && ev->name, "sys and name");
	if (ev->kind == EVSPEC_TRACEPOINT)
		fuzz_assert(ev->sys[0] && ev->name[0], "tracepoint sys:name not empty");
	fuzz_assert(strcmp(evspec_kind_name(ev->kind), "unknown"), "kind");
	if (ev->filter)
		fuzz_assert(span_ok(arg, ev->filter_col, ev->filter), "filter col");
	else
		fuzz_assert(ev->filter_col == -1 || span_ok(arg, ev->filter_col, NULL), "no filter col");
	fuzz_assert(ev->max_stack >= 0 && ev->max_stack <= 127, "max-stack range");
	fuzz_assert(!ev->max_stack || ev->stack, "max-stack implies stack");
	for (int i = 0; i < ev->nr_attrs; i++) {
		const struct evattr *a = &ev->attrs[i];

		/* period=, freq= (the sampling of the event) and cpus= are every profiler's */
		fuzz_assert(str_in(a->name, accepted) || !strcmp(a->name, "period") ||
			    !strcmp(a->name, "freq") || !strcmp(a->name, "cpus"),
			    "attribute accepted");
		fuzz_assert(span_ok(arg, a->col, NULL), "attr col");
		fuzz_assert((a->value_col < 0) == !a->value, "value_col iff value");
		if (a->value)
			fuzz_assert(span_ok(arg, a->value_col, a->value), "value col");
		if (!strcmp(a->name, "stack"))
			fuzz_assert(ev->stack, "stack decoded");
		/* the caret for an error inside a value lands inside the argument */
		evspec_caret(arg, a->value ? a->value_col : a->col, &err);
		fuzz_assert(strchr(err.detail, '^') != NULL, "caret drawn");
	}
	if (ev->alias)
		fuzz_assert(evspec_attr(ev, "alias") != NULL, "alias attr");
	check_clone(ev);
}

static void parse_one(const char *arg, int pos, const char *const *accepted)
{
	struct evspec_list list = { 0 };
	struct err err = { 0 };
	int r;

	/* a term already in the list must survive a failed parse untouched */
	if (evspec_parse("a:b", pos, accepted, &list, &err))
		fuzz_assert(false, "'a:b' parses");
	r = evspec_parse(arg, pos, accepted, &list, &err);
	if (r) {
		fuzz_assert(r == -1, "returns -1");
		fuzz_assert(err.code == EXIT_USAGE, "usage error code");
		fuzz_assert(err.msg[0] != '\0', "error message");
		fuzz_assert(strchr(err.detail, '^') != NULL, "error caret");
		fuzz_assert(list.n == 1 && !strcmp(list.v[0]->text, "a:b"), "list untouched");
	} else {
		fuzz_assert(list.n >= 2, "a term appended");
		for (int i = 1; i < list.n; i++)
			check_term(list.v[i], arg, pos, accepted);
	}
	evspec_list_free(&list);
	fuzz_assert(list.n == 0 && !list.v, "list freed");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *accepted[ARRAY_SIZE(attr_pool) + 1];
	char *buf, *second;
	int n = 0, pos;

	/* no cap: selectors of any length (run.sh's -max_len bounds the inputs) */
	if (size < 2)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(attr_pool); i++)
		if (data[0] & (1u << i))
			accepted[n++] = attr_pool[i];
	accepted[n] = NULL;
	pos = data[1];
	buf = malloc(size - 2 + 2);
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = buf[size - 1] = '\0';
	second = buf + strlen(buf) + 1;
	parse_one(buf, pos, data[0] == 0xff ? NULL : accepted);
	if (second < buf + size - 2)
		parse_one(second, pos + 1, accepted);
	free(buf);
	return 0;
}
