/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmap.h - sample id -> event. The kernel numbers perf events in creation
 * order from one global counter, so the ids of one run's events are close
 * together: they index a plain array from the smallest one. When other
 * processes created events in between and the range grew too wide, a
 * hashmap (id -> value) takes over.
 */
#ifndef PERF_PROF_IDMAP_H
#define PERF_PROF_IDMAP_H

#include "hashmap.h"
#include "util.h"

#define IDMAP_DENSE_MAX 4096	/* widest id range kept as a plain array */

struct idmap {
	void **dense;		/* [id - base], NULL where no id */
	u64 base, span;
	struct hashmap *sparse;	/* id -> void *, when dense is NULL */
};

/* idmap__init - map @ids[i] to @vals[i] (non-NULL), @n pairs, ids distinct */
void idmap__init(struct idmap *m, const u64 *ids, void *const *vals, int n);
void idmap__exit(struct idmap *m);

/* idmap__find - the value of @id, NULL when it is not in the map */
static inline void *idmap__find(const struct idmap *m, u64 id)
{
	void **v;

	if (likely(m->dense))
		return id - m->base < m->span ? m->dense[id - m->base] : NULL;
	if (!m->sparse)
		return NULL;
	v = hashmap__find(m->sparse, id);
	return v ? *v : NULL;
}

#endif
