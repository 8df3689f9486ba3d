// SPDX-License-Identifier: GPL-2.0
/*
 * order.c - k-way merge of rings by record time (a binary min-heap of the
 * rings' next records).
 */
#include <stdlib.h>

#include "order.h"

int order__init(struct order *o, struct ring *rings, int nr)
{
	o->rings = rings;
	o->nr = nr;
	o->heap = xzalloc((size_t)(nr ? nr : 1) * sizeof(*o->heap));
	o->nheap = 0;
	o->last_time = 0;
	o->out_of_order = 0;
	return 0;
}

void order__exit(struct order *o)
{
	free(o->heap);
	o->heap = NULL;
}

