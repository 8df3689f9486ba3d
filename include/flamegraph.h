/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flamegraph.h - flame-graph output: folded stacks
 * ("comm;outer;...;inner COUNT", one line per distinct stack, the input of
 * every flame-graph tool) or, when the path ends in ".svg", a
 * self-contained interactive SVG rendered here (hover for name, count and
 * percentage, click to zoom, a search box that highlights matches), or,
 * into a stream, d3-flame-graph's JSON tree.
 *
 * Identical stacks are merged as they are added; adding a stack already
 * seen allocates nothing. Output files are created with
 * O_CREAT|O_TRUNC|O_NOFOLLOW, mode 0644.
 */
#ifndef PERF_PROF_FLAMEGRAPH_H
#define PERF_PROF_FLAMEGRAPH_H

#include "util.h"

struct flamegraph;

enum flamegraph_format {
	FLAMEGRAPH_FOLDED,	/* "comm;outer;...;inner COUNT" lines, written at each flush */
	FLAMEGRAPH_SVG,		/* the interactive SVG, written at close */
	FLAMEGRAPH_JSON,	/* d3-flame-graph's {"name","value","children"} tree, root
				 * "root", on one line without its end, written at close */
};

/**
 * flamegraph__new - create the output file now (so a bad path fails at
 * start-up), exactly at @path: "X.svg" is written as SVG, "X.folded" as
 * folded text; any other name is refused (a typo, or the old convention of
 * appending ".folded", must not write somewhere else than asked). Returns
 * NULL with @err set (EXIT_USAGE) when the name has no known extension or
 * the file cannot be created.
 */
struct flamegraph *flamegraph__new(const char *path, struct err *err);

/**
 * flamegraph__new_stream - the same into @f, the caller's open stream (a
 * report stream, a memory stream): flamegraph__close() flushes it and
 * leaves it open. The path is "-".
 */
struct flamegraph *flamegraph__new_stream(FILE *f, enum flamegraph_format fmt);

/* flamegraph__path - the file written (the path given) */
const char *flamegraph__path(const struct flamegraph *fg);

/**
 * flamegraph__set_unit - what a count is, for the SVG's tooltips: "4096
 * bytes, 57.10%" rather than the default "4096 samples, 57.10%"
 */
void flamegraph__set_unit(struct flamegraph *fg, const char *unit);

/**
 * flamegraph__add - count @count more of one stack.
 * @comm:   the task's command, the first frame (NULL: "[unknown]")
 * @frames: frame names, root (outermost caller) first; NULL entries and
 *          empty names become "[unknown]"
 * @nr:     number of @frames (0 is allowed: the stack is just @comm)
 * A ';' or a line break inside a name would break the format and is
 * replaced by ':' or ' '.
 */
void flamegraph__add(struct flamegraph *fg, const char *comm, const char *const *frames,
		     int nr, u64 count);

/**
 * flamegraph__add_folded - count @count more of the stack @stack (@len
 * bytes, no count): a folded line's frames as flamegraph__add() writes
 * them, e.g. read back from another run's folded output
 */
void flamegraph__add_folded(struct flamegraph *fg, const char *stack, size_t len, u64 count);

/**
 * flamegraph__flush - a snapshot (e.g. one per interval): the stacks added
 * since the last flush are written out, each under one more root frame
 * @label when it is not NULL (a timestamp, say), and forgotten. For folded
 * output they are appended to the file now; for SVG they join the picture
 * written by flamegraph__close(). Returns 0, or -1 with @err set (EXIT_FAIL)
 * on a write error (ENOSPC, EIO).
 */
int flamegraph__flush(struct flamegraph *fg, const char *label, struct err *err);

/**
 * flamegraph__close - flush what is left (without label), render the SVG
 * if that is the format, close the file and free @fg. Returns 0, or -1
 * with @err set (EXIT_FAIL) when anything could not be written, the close
 * included (@fg is freed either way).
 */
int flamegraph__close(struct flamegraph *fg, struct err *err);

/* flamegraph__delete - free @fg without writing anything more */
void flamegraph__delete(struct flamegraph *fg);

/**
 * struct flamegraph_stats - what was added since the last flush.
 * @stacks: flamegraph__add() calls
 * @distinct: distinct stacks among them
 * @total: sum of their counts
 */
struct flamegraph_stats {
	u64 stacks;
	u64 distinct;
	u64 total;
};

void flamegraph__stats(const struct flamegraph *fg, struct flamegraph_stats *st);

#endif
