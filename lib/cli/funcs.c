// SPDX-License-Identifier: GPL-2.0
/*
 * funcs.c - `perf-prof --list-funcs FILE`: the functions a uprobe can be
 * put on, for the bash completion of uprobe:FUNC@FILE. FILE is resolved by
 * the probe code itself, so the completion offers exactly what a probe on
 * that FILE would accept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "probe.h"

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(const char *name, void *arg)
{
	struct names *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(name);
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int funcs_cli(int argc, char **argv)
{
	struct names l = { 0 };
	struct err err = { 0 };

	if (argc != 2 || !argv[1][0]) {
		err_set(&err, EXIT_USAGE, "missing file");
		err_hint(&err, "perf-prof --list-funcs FILE (a path, a library such as libc, a program)");
		err_print(&err, NULL);
		return EXIT_USAGE;
	}
	if (probe__funcs(argv[1], names_add, &l, &err)) {
		err_print(&err, NULL);
		return err.code ? err.code : EXIT_FAIL;
	}
	qsort(l.v, l.n, sizeof(*l.v), names_cmp);
	for (size_t i = 0; i < l.n; i++) {
		if (!i || strcmp(l.v[i], l.v[i - 1]))
			printf("%s\n", l.v[i]);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return EXIT_OK;
}
