/* SPDX-License-Identifier: GPL-2.0 */
/*
 * order.h - time ordering across rings: a k-way merge over the rings' next
 * records (each per-CPU ring is already in time order), releasing a record
 * only when it is older than a limit no ring can still precede. Records
 * wait inside their rings (not copied); out-of-order arrivals are counted.
 */
#ifndef PERF_PROF_ORDER_H
#define PERF_PROF_ORDER_H

#include "ring.h"

/* how long after its timestamp a record is surely visible in its ring */
#define ORDER_SLACK_NS 2000000ULL
/* what it grows to at most, once records came out of order (run.c) */
#define ORDER_SLACK_MAX_NS 64000000ULL

struct order {
	struct ring *rings;
	int nr;
	struct ring **heap;
	int nheap;
	u64 last_time;
	u64 out_of_order;
};

typedef u64 (*order_time_fn)(void *arg, const struct perf_event_header *h);
typedef void (*order_deliver_fn)(void *arg, struct ring *r, const struct perf_event_header *h);
typedef bool (*order_stop_fn)(void *arg);

int order__init(struct order *o, struct ring *rings, int nr);
void order__exit(struct order *o);

static inline void order__heap_down(struct order *o, int i)
{
	for (;;) {
		int l = 2 * i + 1, m = i;
		struct ring *t;

		if (l < o->nheap && o->heap[l]->next_time < o->heap[m]->next_time)
			m = l;
		if (l + 1 < o->nheap && o->heap[l + 1]->next_time < o->heap[m]->next_time)
			m = l + 1;
		if (m == i)
			return;
		t = o->heap[i];
		o->heap[i] = o->heap[m];
		o->heap[m] = t;
		i = m;
	}
}

/**
 * order__pass - refresh every ring and deliver, oldest first, every record
 * stamped at or before @limit (UINT64_MAX: everything). Stops early when
 * @stop says so. Returns true when records newer than @limit remain.
 *
 * Always inlined, so that callers passing their own functions get direct
 * (inlinable) calls on the per-record path.
 */
static inline __attribute__((always_inline)) bool
order__pass(struct order *o, u64 limit, order_time_fn time, order_deliver_fn deliver,
	    order_stop_fn stop, void *arg)
{
	bool held = false;

	o->nheap = 0;
	for (int i = 0; i < o->nr; i++) {
		struct ring *r = &o->rings[i];

		ring__refresh(r);
		if (!r->next) {
			r->next = ring__peek(r);
			if (r->next)
				r->next_time = time(arg, r->next);
		}
		if (r->next)
			o->heap[o->nheap++] = r;
	}
	for (int i = o->nheap / 2 - 1; i >= 0; i--)
		order__heap_down(o, i);
	while (o->nheap && !stop(arg)) {
		struct ring *r = o->heap[0];
		const struct perf_event_header *h = r->next;
		/* the time the top ring may run to before another ring is older */
		u64 until = limit, t = r->next_time, last = o->last_time;
		struct ring_cur c;

		if (o->nheap > 1 && o->heap[1]->next_time < until)
			until = o->heap[1]->next_time;
		if (o->nheap > 2 && o->heap[2]->next_time < until)
			until = o->heap[2]->next_time;
		if (t > limit) {
			held = true;
			break;
		}
		/* deliver a run of this ring's records without touching the heap */
		ring_cur__begin(&c, r);
		do {
			if (t < last)
				o->out_of_order++;
			else
				last = t;
			deliver(arg, r, h);
			ring_cur__consume(&c, h);
			h = ring_cur__peek(&c);
			if (!h)
				break;
			t = time(arg, h);
		} while (t <= until && !stop(arg));
		ring_cur__end(&c);
		o->last_time = last;
		r->next = h;
		r->next_time = t;
		if (!h)
			o->heap[0] = o->heap[--o->nheap];
		order__heap_down(o, 0);
	}
	for (int i = 0; i < o->nr; i++) {
		ring__done(&o->rings[i]);
		if (o->rings[i].next)
			held = true;
	}
	return held;
}

#endif
