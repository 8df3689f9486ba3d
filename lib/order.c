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

static void heap_down(struct order *o, int i)
{
	for (;;) {
		int l = 2 * i + 1, m = i;

		if (l < o->nheap && o->heap[l]->next_time < o->heap[m]->next_time)
			m = l;
		if (l + 1 < o->nheap && o->heap[l + 1]->next_time < o->heap[m]->next_time)
			m = l + 1;
		if (m == i)
			return;
		struct ring *t = o->heap[i];

		o->heap[i] = o->heap[m];
		o->heap[m] = t;
		i = m;
	}
}

static void ring_next(struct ring *r, order_time_fn time)
{
	r->next = ring__peek(r);
	if (r->next)
		r->next_time = time(r->next);
}

bool order__pass(struct order *o, u64 limit, order_time_fn time, order_deliver_fn deliver,
		 order_stop_fn stop, void *arg)
{
	bool held = false;

	o->nheap = 0;
	for (int i = 0; i < o->nr; i++) {
		struct ring *r = &o->rings[i];

		ring__refresh(r);
		if (!r->next)
			ring_next(r, time);
		if (r->next)
			o->heap[o->nheap++] = r;
	}
	for (int i = o->nheap / 2 - 1; i >= 0; i--)
		heap_down(o, i);
	while (o->nheap && !stop(arg)) {
		struct ring *r = o->heap[0];
		const struct perf_event_header *h = r->next;

		if (r->next_time > limit) {
			held = true;
			break;
		}
		if (r->next_time < o->last_time)
			o->out_of_order++;
		else
			o->last_time = r->next_time;
		deliver(arg, r, h);
		ring__consume(r, h);
		ring_next(r, time);
		if (!r->next)
			o->heap[0] = o->heap[--o->nheap];
		heap_down(o, 0);
	}
	for (int i = 0; i < o->nr; i++) {
		ring__done(&o->rings[i]);
		if (o->rings[i].next)
			held = true;
	}
	return held;
}
