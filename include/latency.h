/* SPDX-License-Identifier: GPL-2.0 */
/*
 * latency.h - what the distribution profilers (multi-trace, num-dist) share:
 *
 *   numsrc   an integer taken from every sample (key=, num=, delay=): a
 *            plain field or builtin is read directly, anything else runs
 *            the compiled expression;
 *   lattab   rows of value statistics (struct vstat) addressed by a row id,
 *            optionally per instance (CPU or thread), with the fixed-column
 *            text table both profilers print;
 *   evline   one event as a text line in trace's format, with an optional
 *            gutter in front (outliers, --detail, unpaired lists);
 *   heatmap  values over time: raw points streamed to FILE.lat while the
 *            run lasts, rendered at the end into a self-contained SVG;
 *   outliers the stacks of the samples above --than: printed under their
 *            lines through a stack map and, with --flame-graph, drawn
 *            weighed by their values.
 *
 * Everything on the per-event path (numsrc__get, lattab__row,
 * heatmap__add) is inline or O(1) and never allocates, except when a
 * per-instance row is seen for the first time (a bounded table insert).
 */
#ifndef PERF_PROF_LATENCY_H
#define PERF_PROF_LATENCY_H

#include <string.h>

#include "agg.h"
#include "expr.h"
#include "field.h"
#include "evline.h"
#include "profiler.h"

struct run_env;
struct syms;
struct tasks;
struct tep_event;
struct trace_seq;

/* ------------------------------------------------------------------ */
/* numsrc: an integer per sample                                        */
/* ------------------------------------------------------------------ */

enum numsrc_kind {
	NUMSRC_TID,	/* the thread id (the default key) */
	NUMSRC_FIELD,	/* a scalar field read straight from the record */
	NUMSRC_EXPR,	/* anything else: the compiled expression */
};

/**
 * struct numsrc - where one sample's number comes from
 * @kind:   how it is read
 * @field:  the field (NUMSRC_FIELD)
 * @expr:   the compiled expression (NUMSRC_EXPR; kept for the others too,
 *          NULL for the default thread id)
 * @tid_like: the value is the thread id (the default, _tid or common_pid);
 *          for profilers that treat thread keys specially (names, rings)
 */
struct numsrc {
	enum numsrc_kind kind;
	struct field field;
	bool tid_like;
	struct expr *expr;
};

/**
 * numsrc__init - compile @src against @tp; NULL @src means the thread id.
 * A bare field name of size 1, 2, 4 or 8 (not an array, not a string) and
 * the builtin _tid are read directly; the result is the same as the
 * expression's. @what is how the user gave it, separator included ("key=",
 * "-k "), @who the event's display name; messages read e.g.
 * "key=nosuch of 'sched:sched_switch': ...".
 * Returns 0, or -1 with @err (EXIT_USAGE) when @src is empty, does not
 * compile or yields a string.
 */
int numsrc__init(struct numsrc *n, const char *src, struct tep_event *tp,
		 const struct run_env *env, const char *what, const char *who, struct err *err);

/* numsrc__exit - free the expression */
void numsrc__exit(struct numsrc *n);

/* numsrc__eval_expr - out-of-line NUMSRC_EXPR evaluation */
int numsrc__eval_expr(const struct numsrc *n, const struct prof_sample *s, s64 *out);

/**
 * numsrc__get - the number of @s. Returns 0, or -1 when the field lies
 * outside the record or the expression fails (the caller counts it with
 * session__expr_error() and skips the sample).
 */
static inline int numsrc__get(const struct numsrc *n, const struct prof_sample *s, s64 *out)
{
	switch (n->kind) {
	case NUMSRC_TID:
		*out = s->tid;
		return 0;
	case NUMSRC_FIELD:
		return field__read(&n->field, s->raw, s->raw_size, out);
	case NUMSRC_EXPR:
		break;
	}
	return numsrc__eval_expr(n, s, out);
}

/* ------------------------------------------------------------------ */
/* lattab: statistics rows                                              */
/* ------------------------------------------------------------------ */

/**
 * struct latrow - one row: the values' statistics and how many of them
 * were above the profiler's threshold (--than), if it has one. Padded to
 * two cache lines so that, in the 64-byte aligned array of a table
 * without instances, a row's vstat (64 bytes) never straddles two lines.
 */
struct latrow {
	struct vstat st;
	u64 over;
	u64 pad[7];
};

/*
 * struct lattab - the rows. Without perins a plain array indexed by id;
 * with it a hashmap keyed by (instance << 32 | id) and a one-entry cache,
 * since consecutive values mostly land in the same row. Read the fields
 * only through the functions below.
 */
struct lattab {
	struct latrow *rows;	/* !perins: nr_ids rows */
	struct hashmap *tab;	/* perins: the rows */
	struct latrow *last;	/* perins: row of last_key, NULL after an insert */
	u64 last_key;
	unsigned nr_ids;
	bool perins;
};

/**
 * lattab__new - @nr_ids rows (ids 0..@nr_ids-1, at most 65536), or, with
 * @perins, @nr_ids rows per instance, created on first use; at most
 * @max_rows of them (0: no bound); more are dropped and counted.
 */
struct lattab *lattab__new(unsigned nr_ids, bool perins, size_t max_rows);

/* lattab__delete - free the table and its rows' buckets; NULL is ok */
void lattab__delete(struct lattab *t);

/* lattab__row_slow - out-of-line part of lattab__row() */
struct latrow *lattab__row_slow(struct lattab *t, u64 key);

/**
 * lattab__row - the row of (@inst, @id), created empty if needed.
 * @inst is ignored without perins. NULL only when a new per-instance row
 * would exceed the bound (counted in lattab__drops()).
 */
static inline struct latrow *lattab__row(struct lattab *t, int inst, unsigned id)
{
	u64 key;

	if (!t->perins)
		return &t->rows[id];
	key = ((u64)(u32)inst << 32) | id;
	if (likely(t->last && t->last_key == key))
		return t->last;
	return lattab__row_slow(t, key);
}

/* lattab__reset - forget every value (per-instance rows are removed) */
void lattab__reset(struct lattab *t);

/* lattab__drops - per-instance rows refused since creation */
u64 lattab__drops(const struct lattab *t);

/* lattab__row_id / lattab__row_inst - what a row returned by lattab__sorted() is */
unsigned lattab__row_id(const struct lattab *t, const struct latrow *r);
int lattab__row_inst(const struct lattab *t, const struct latrow *r);

/**
 * lattab__sorted - the rows holding values, by instance then id (or by id
 * when @by_id_first), in a malloc'ed array to free(); NULL when none.
 */
struct latrow **lattab__sorted(const struct lattab *t, bool by_id_first, size_t *nr);

/**
 * lattab__merge - add every row of @src (values and over counts) into the
 * row of the same instance and id in @dst (a table of the same shape);
 * rows @dst cannot take (its instance bound) are left out
 */
void lattab__merge(struct lattab *dst, const struct lattab *src);

/* lattab__values - values held by @nr @rows (from lattab__sorted()) */
u64 lattab__values(struct latrow *const *rows, size_t nr);

/**
 * latency__header - a report's first line: "WALLTIME PROFILER: N WHAT in
 * T s", the kind after the profiler's name unless it is "interval"
 * ("... num-dist: final: 300 values in 1.418 s")
 */
void latency__header(FILE *out, const char *profiler, const char *kind, u64 n, const char *what,
		     u64 elapsed_ns);

/**
 * struct latprint - how lattab__print() lays out a table
 * @names:     row names by id (every id that can hold values)
 * @name_title: the name column's title
 * @ns:        by id: the values are nanoseconds, printed as durations with
 *             a unit; NULL: plain numbers everywhere
 * @inst_title: the instance column's title ("CPU", "TID"); NULL: none
 * @inst_comm: a COMM column follows the instance (instances are threads),
 *             named from @tasks
 * @over_title: title of the column counting values above the threshold;
 *             NULL: no such column
 */
struct latprint {
	const char *const *names;
	const char *name_title;
	const bool *ns;
	const char *inst_title;
	bool inst_comm;
	struct tasks *tasks;
	const char *over_title;
};

/**
 * lattab__print - the table of @rows: a header line then one line per
 * row, fixed columns: [INST [COMM]] NAME count min avg p50 p95 p99 max
 * total [over]. Durations are 10 wide ("  2.003 ms"), plain numbers
 * right-aligned to the same columns. Nothing is printed for no rows.
 */
void lattab__print(const struct lattab *t, struct latrow **rows, size_t nr, FILE *out,
		   const struct latprint *p);

/**
 * lattab__print_hists - after the table, a log2 histogram per row
 * (vstat__print_log2(), bcc/bpftrace style), each behind a blank line and
 * a title: "[INST_TITLE INST ]NAME:" (the name without its padding), the
 * values' label "nsecs" for durations, else "value"
 */
void lattab__print_hists(const struct lattab *t, struct latrow **rows, size_t nr, FILE *out,
			 const struct latprint *p);

/* ------------------------------------------------------------------ */
/* heatmap: values over time                                             */
/* ------------------------------------------------------------------ */

struct heatmap;

/**
 * heatmap__open - create @path (the SVG, written at heatmap__close()) and
 * @path.lat (the raw points, written as they come), both with
 * O_NOFOLLOW|O_CREAT|O_TRUNC, mode 0644.
 * @series:  names of the panels (e.g. "a => b"), @nr of them (>= 1)
 * @ns:      values are nanoseconds (axis labels with units)
 * @what:    what a value is, for the title ("latency", "value")
 * Returns the heatmap, or NULL with @err (EXIT_USAGE: the file cannot be
 * created, e.g. it is a symbolic link).
 */
struct heatmap *heatmap__open(const char *path, const char *const *series, int nr, bool ns,
			      const char *what, struct err *err);

/**
 * heatmap__add - one point: @value of @series at perf time @time (ns).
 * Appends "TIME VALUE SERIES\n" to a buffer written out in large blocks.
 */
void heatmap__add(struct heatmap *h, int series, u64 time, u64 value);

/**
 * heatmap__close - write the last points, then read FILE.lat back and
 * render the SVG: one panel per series with points, time on x (seconds
 * since the first point), value on y in log2 rows split in four, each
 * cell coloured by its count, with axis labels and a colour scale.
 * Frees @h. Returns 0, or -1 with @err (EXIT_FAIL) on an I/O error.
 */
int heatmap__close(struct heatmap *h, struct err *err);

/**
 * heatmap__render - the SVG of the raw file @lat (heatmap__close() calls
 * it; exposed for tests): reads every "TIME VALUE SERIES" line, ignoring
 * '#' comments, and writes the picture to @svg.
 * Returns the number of points drawn, or -1 when @lat can't be read.
 */
long heatmap__render(FILE *lat, FILE *svg, const char *const *series, int nr, bool ns,
		     const char *what);

/* ------------------------------------------------------------------ */
/* outliers: the stacks of values above --than                          */
/* ------------------------------------------------------------------ */

struct stackmap;
struct stackout;

/**
 * struct outliers - the stacks of the samples a profiler prints for being
 * above its threshold: interned so each address is symbolized once, and
 * with --flame-graph counted and weighed for a flame graph (or pprof) at
 * the end of the run
 * @stacks: the stack map (NULL when no event samples stacks)
 * @fg:     the --flame-graph output, or NULL
 * @what:   what one is, for the closing message ("slow pairs")
 * @roots:  the flame graph's root frame by event index, or NULL
 * @nr:     outliers drawn so far
 * @dropped: outliers left out of the drawing (the stack map was full)
 */
struct outliers {
	struct stackmap *stacks;
	struct stackout *fg;
	const char *what;
	const char *const *roots;
	const char *weight_type;
	const char *weight_unit;
	u64 nr;
	u64 dropped;
};

/**
 * outliers__init - set @o up for @prof: a stack map when its events sample
 * stacks; with --flame-graph, the output file, which needs stacks and a
 * threshold (@than). @weight_type/@weight_unit name what the weight is
 * ("latency", "nanoseconds"); @roots (kept, may be NULL) name the root
 * frame of each event's stacks. Returns 0, or -1 with @err (EXIT_USAGE).
 */
int outliers__init(struct outliers *o, struct prof *prof, bool than, const char *what,
		   const char *weight_type, const char *weight_unit, const char *const *roots,
		   struct err *err);

/**
 * outliers__print - evline__print() of an outlier's event, its stack from
 * the map. Returns the stack's id (0: none).
 */
u32 outliers__print(struct outliers *o, struct prof *prof, const struct evline *l,
		    struct trace_seq *seq, const struct prof_sample *s, const char *gutter);

/* outliers__add - one outlier (its sample @s) weighing @weight, when drawing */
void outliers__add(struct outliers *o, const struct prof_sample *s, u64 weight);

/* outliers__close - write the flame graph (if any), say where; free everything */
void outliers__close(struct outliers *o, struct prof *prof);

/* outliers__exit - free everything without writing (after a failure); again is ok */
void outliers__exit(struct outliers *o);

#endif
