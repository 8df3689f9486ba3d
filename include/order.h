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

struct order {
	struct ring *rings;
	int nr;
	struct ring **heap;
	int nheap;
	u64 last_time;
	u64 out_of_order;
};

typedef u64 (*order_time_fn)(const struct perf_event_header *h);
typedef void (*order_deliver_fn)(void *arg, struct ring *r, const struct perf_event_header *h);
typedef bool (*order_stop_fn)(void *arg);

int order__init(struct order *o, struct ring *rings, int nr);
void order__exit(struct order *o);

/**
 * order__pass - refresh every ring and deliver, oldest first, every record
 * stamped at or before @limit (UINT64_MAX: everything). Stops early when
 * @stop says so. Returns true when records newer than @limit remain.
 */
bool order__pass(struct order *o, u64 limit, order_time_fn time, order_deliver_fn deliver,
		 order_stop_fn stop, void *arg);

#endif
