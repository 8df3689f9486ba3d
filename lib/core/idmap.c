// SPDX-License-Identifier: GPL-2.0
/*
 * idmap.c - sample id -> event: a dense array over the ids' range, or a
 * hash table when the range is too wide (see idmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

void idmap__init(struct idmap *m, const u64 *ids, void *const *vals, int n)
{
	u64 lo = UINT64_MAX, hi = 0, size = 16;

	memset(m, 0, sizeof(*m));
	if (n <= 0)
		return;
	for (int i = 0; i < n; i++) {
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	if (hi - lo < IDMAP_DENSE_MAX) {
		m->base = lo;
		m->span = hi - lo + 1;
		m->dense = xzalloc(m->span * sizeof(*m->dense));
		for (int i = 0; i < n; i++)
			m->dense[ids[i] - lo] = vals[i];
		return;
	}
	/* at most half full: probes stay short */
	while (size < (u64)n * 2)
		size <<= 1;
	m->slots = xzalloc(size * sizeof(*m->slots));
	m->mask = size - 1;
	for (int i = 0; i < n; i++) {
		u64 j = idmap__hash(ids[i]) & m->mask;

		while (m->slots[j].val)
			j = (j + 1) & m->mask;
		m->slots[j].id = ids[i];
		m->slots[j].val = vals[i];
	}
}

void idmap__exit(struct idmap *m)
{
	free(m->dense);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
