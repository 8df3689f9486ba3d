// SPDX-License-Identifier: GPL-2.0
/*
 * idmap.c - sample id -> event: a dense array over the ids' range, or a
 * hashmap when the range is too wide (see idmap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

void idmap__init(struct idmap *m, const u64 *ids, void *const *vals, int n)
{
	u64 lo = UINT64_MAX, hi = 0;

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
	m->sparse = hashmap__new(sizeof(void *), 0);
	for (int i = 0; i < n; i++)
		*(void **)hashmap__get(m->sparse, ids[i]) = vals[i];
}

void idmap__exit(struct idmap *m)
{
	free(m->dense);
	hashmap__free(m->sparse);
	memset(m, 0, sizeof(*m));
}
