/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmap.h - sample id -> event. The kernel numbers perf events in creation
 * order from one global counter, so the ids of one run's events are close
 * together: they index a plain array from the smallest one. When other
 * processes created events in between and the range grew too wide, an
 * open-addressing hash table takes over.
 */
#ifndef PERF_PROF_IDMAP_H
#define PERF_PROF_IDMAP_H

#include "util.h"

#define IDMAP_DENSE_MAX 4096	/* widest id range kept as a plain array */

struct idmap_slot {
	u64 id;
	void *val;
};

struct idmap {
	void **dense;		/* [id - base], NULL where no id */
	u64 base, span;
	struct idmap_slot *slots;	/* the hash, when dense is NULL */
	u64 mask;
};

/* idmap__init - map @ids[i] to @vals[i] (non-NULL), @n pairs, ids distinct */
void idmap__init(struct idmap *m, const u64 *ids, void *const *vals, int n);
void idmap__exit(struct idmap *m);

static inline u64 idmap__hash(u64 id)
{
	return (id * 0x9E3779B97F4A7C15ULL) >> 32;
}

/* idmap__find - the value of @id, NULL when it is not in the map */
static inline void *idmap__find(const struct idmap *m, u64 id)
{
	u64 i;

	if (likely(m->dense))
		return id - m->base < m->span ? m->dense[id - m->base] : NULL;
	if (!m->slots)
		return NULL;
	for (i = idmap__hash(id) & m->mask; m->slots[i].val; i = (i + 1) & m->mask)
		if (m->slots[i].id == id)
			return m->slots[i].val;
	return NULL;
}

#endif
