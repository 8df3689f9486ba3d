/* SPDX-License-Identifier: GPL-2.0 */
/*
 * group.h - grouping by any key: rows of a fixed size (counters, sums, a
 * struct vstat...) addressed by a tuple of up to GROUP_MAX_PARTS u64 parts,
 * e.g. (pid, syscall nr) or (cpu, irq, softirq vector). A profiler asks for
 * a sample's row on the per-event path (a one-entry cache, then one hash
 * probe; nothing allocates unless the table grows), and at a report sorts
 * the rows, reads each row's parts back, and merges an interval's rows
 * into the whole run's (report.h's cycle).
 *
 * Built on hashmap.h: a one-part group uses u64 keys, a wider one byte
 * keys. Row pointers stay valid until the next new row, reset or free.
 */
#ifndef PERF_PROF_GROUP_H
#define PERF_PROF_GROUP_H

#include "hashmap.h"
#include "util.h"

#define GROUP_MAX_PARTS 8

struct group;

/**
 * group__new - an empty group of rows of @vsize bytes keyed by @nparts
 * parts (1..GROUP_MAX_PARTS); at most @max_rows rows (0: no bound), more
 * are dropped and counted. NULL with errno EINVAL for a bad size.
 */
struct group *group__new(int nparts, size_t vsize, size_t max_rows);

/* group__delete - free the group (not what rows point to); NULL is ok */
void group__delete(struct group *g);

/* group__row_slow - out-of-line part of group__row() */
void *group__row_slow(struct group *g, const u64 *parts);

/**
 * group__row - the row of @parts (@nparts of them), created zeroed when
 * new; NULL when a new row would pass max_rows (counted in group__drops())
 */
static inline void *group__row(struct group *g, const u64 *parts);

/* group__find - the row of @parts, or NULL; never creates one */
void *group__find(const struct group *g, const u64 *parts);

/* group__parts - the key of a row returned by any group function */
const u64 *group__parts(const struct group *g, const void *row);

/* group__nparts - parts per key; group__nr - rows held; group__drops - rows refused */
int group__nparts(const struct group *g);
size_t group__nr(const struct group *g);
u64 group__drops(const struct group *g);

/* group__reset - remove every row, keeping the memory */
void group__reset(struct group *g);

/**
 * group__sorted - every row, sorted by @cmp (NULL: by parts), ties broken
 * by parts; a malloc'ed array to free(), NULL when empty
 */
void **group__sorted(const struct group *g, hashmap_cmp_t cmp, void *ctx, size_t *nr);

/* group__for_each - @row visits every row in no order; @iter is a size_t cursor */
#define group__for_each(g, iter, row) \
	for ((iter) = 0; ((row) = group__next((g), &(iter))) != NULL;)
void *group__next(const struct group *g, size_t *iter);

/**
 * group__merge - every row of @src added into the row of the same parts in
 * @dst (a group of the same shape) by @add(dst_row, src_row, @ctx); rows
 * @dst cannot take (its bound) are left out and counted there. Returns the
 * rows merged.
 */
size_t group__merge(struct group *dst, const struct group *src,
		    void (*add)(void *dst_row, const void *src_row, void *ctx), void *ctx);

/* --- inline ---------------------------------------------------------------- */

struct group {
	struct hashmap *map;
	int nparts;
	void *last;		/* the row of last[] parts, NULL after any change */
	u64 last_parts[GROUP_MAX_PARTS];
};

static inline void *group__row(struct group *g, const u64 *parts)
{
	if (likely(g->last)) {
		int i = 0;

		while (i < g->nparts && g->last_parts[i] == parts[i])
			i++;
		if (i == g->nparts)
			return g->last;
	}
	return group__row_slow(g, parts);
}

#endif
