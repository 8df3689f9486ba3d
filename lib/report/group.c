// SPDX-License-Identifier: GPL-2.0
/*
 * group.c - grouping by any key (see include/group.h): a hashmap of u64
 * keys for one part, of byte keys for more, and the one-entry cache.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

struct group *group__new(int nparts, size_t vsize, size_t max_rows)
{
	struct group *g;
	struct hashmap *map;

	if (nparts < 1 || nparts > GROUP_MAX_PARTS) {
		errno = EINVAL;
		return NULL;
	}
	map = nparts == 1 ? hashmap__new(vsize, max_rows) :
			    hashmap__new_keys((size_t)nparts * sizeof(u64), vsize, max_rows);
	if (!map)
		return NULL;
	g = xzalloc(sizeof(*g));
	g->map = map;
	g->nparts = nparts;
	return g;
}

void group__delete(struct group *g)
{
	if (!g)
		return;
	hashmap__free(g->map);
	free(g);
}

void *group__row_slow(struct group *g, const u64 *parts)
{
	void *row = g->nparts == 1 ? hashmap__get(g->map, parts[0]) : hashmap__kget(g->map, parts);

	/* an insert may move every row: only this pointer is current */
	g->last = row;
	if (row)
		memcpy(g->last_parts, parts, (size_t)g->nparts * sizeof(u64));
	return row;
}

void *group__find(const struct group *g, const u64 *parts)
{
	return g->nparts == 1 ? hashmap__find(g->map, parts[0]) : hashmap__kfind(g->map, parts);
}

const u64 *group__parts(const struct group *g, const void *row)
{
	/* a u64 key stands right before its value, as byte keys do */
	return g->nparts == 1 ? (const u64 *)row - 1 : hashmap__kkey(g->map, row);
}

int group__nparts(const struct group *g)
{
	return g->nparts;
}

size_t group__nr(const struct group *g)
{
	return hashmap__nr(g->map);
}

u64 group__drops(const struct group *g)
{
	return hashmap__drops(g->map);
}

void group__reset(struct group *g)
{
	hashmap__reset(g->map);
	g->last = NULL;
}

void **group__sorted(const struct group *g, hashmap_cmp_t cmp, void *ctx, size_t *nr)
{
	return hashmap__sorted(g->map, cmp, ctx, nr);
}

void *group__next(const struct group *g, size_t *iter)
{
	return hashmap__next(g->map, iter);
}

size_t group__merge(struct group *dst, const struct group *src,
		    void (*add)(void *dst_row, const void *src_row, void *ctx), void *ctx)
{
	size_t iter, n = 0;
	const void *row;

	group__for_each(src, iter, row) {
		void *d = group__row(dst, group__parts(src, row));

		if (!d)
			continue;
		add(d, row, ctx);
		n++;
	}
	return n;
}
