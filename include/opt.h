/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opt.h - command-line option tables. The dispatcher owns the common
 * options; each profiler declares its own table writing into its own option
 * struct, so no profiler's option is visible to another.
 */
#ifndef PERF_PROF_OPT_H
#define PERF_PROF_OPT_H

#include <stddef.h>

#include "util.h"

enum opt_type {
	OPT_END,
	OPT_BOOL,	/* bool; --no-NAME clears it */
	OPT_COUNT,	/* int, incremented per occurrence (-v -v) */
	OPT_INT,	/* int, strict decimal */
	OPT_U64,	/* u64, strict decimal or 0x */
	OPT_DURATION,	/* u64 ns: "10ms", "1.5s" */
	OPT_STRING,	/* const char *, last one wins */
	OPT_STRLIST,	/* struct strlist, each occurrence appended */
	OPT_CALLBACK,	/* cb(opt, arg, dst) decides; returns 0 or -1 with err */
};

struct strlist {
	const char **v;
	int n;
};

struct opt;
typedef int (*opt_cb)(const struct opt *opt, const char *arg, void *dst, struct err *err);

/**
 * struct opt - one option
 * @type:   what it parses into
 * @short_name: single letter or 0
 * @long_name:  without the leading "--" (NULL for short-only)
 * @offset: where the value lives inside the struct the table writes into
 * @argh:   placeholder shown in help ("MS", "PAGES"); NULL for flags
 * @help:   one line for -h
 * @cb:     OPT_CALLBACK only
 * @optional_arg: the argument may be omitted (--name or --name=ARG)
 */
struct opt {
	enum opt_type type;
	int short_name;
	const char *long_name;
	size_t offset;
	const char *argh;
	const char *help;
	opt_cb cb;
	bool optional_arg;
};

#define OPT_TABLE_END { .type = OPT_END }

/**
 * struct opt_set - a table and the struct it writes into
 */
struct opt_set {
	const struct opt *opts;
	void *base;
	const char *title;	/* help section title */
};

/**
 * opt_parse - parse @argv[0..@argc) against the tables of @sets.
 * Parsing stops at "--" or at the first word that is not an option; that
 * index is returned in @rest. Words equal to @stop_word (e.g. "help") are
 * reported through @saw_stop_word and skipped.
 * Returns 0, or -1 with @err (EXIT_USAGE) naming the option.
 */
int opt_parse(int argc, char **argv, struct opt_set *sets, int nr_sets, int *rest,
	      const char *stop_word, bool *saw_stop_word, struct err *err);

/* opt_free - free what parsing allocated (the arrays of OPT_STRLIST options) */
void opt_free(struct opt_set *sets, int nr_sets);

/* opt_usage - print the option tables of @sets (for -h) to @out */
void opt_usage(FILE *out, const struct opt_set *sets, int nr_sets);

/**
 * opt_list - the option tables of @sets for scripts (bash completion, man
 * pages), one option a line, six tab-separated columns:
 *   SET-TITLE KIND SHORT LONG ARG HELP
 * KIND is bool (--no-LONG clears it), count, value or optional (--LONG[=ARG]);
 * SHORT is "-x", LONG "--name"; an absent column is "-".
 */
void opt_list(FILE *out, const struct opt_set *sets, int nr_sets);

#endif
