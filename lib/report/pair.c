// SPDX-License-Identifier: GPL-2.0
/*
 * pair.c - keyed pairing (see include/pair.h): the out-of-line parts,
 * table access and the sweep of empty keys, per-key kills, drops at gaps,
 * counts and their interval merge.
 */
#include <stdlib.h>
#include <string.h>

#include "pair.h"

#define PAIR_GC_MIN 4096

void pairs__init(struct pairs *p, int nslots, int nr_evs, size_t max_keys)
{
	memset(p, 0, sizeof(*p));
	p->nslots = nslots;
	p->nr_evs = nr_evs;
	p->pending = hashmap__new((size_t)nslots * sizeof(struct pair_begin), max_keys);
	p->gc_at = PAIR_GC_MIN;
	p->cnt = xzalloc((size_t)(nr_evs ? nr_evs : 1) * sizeof(*p->cnt));
	p->whole = xzalloc((size_t)(nr_evs ? nr_evs : 1) * sizeof(*p->whole));
	p->waiting_before = xzalloc((size_t)(nr_evs ? nr_evs : 1) * sizeof(*p->waiting_before));
}

void pairs__exit(struct pairs *p)
{
	hashmap__free(p->pending);
	free(p->cnt);
	free(p->whole);
	free(p->waiting_before);
	memset(p, 0, sizeof(*p));
}

void pairs__set_outliers(struct pairs *p, u64 than, pair_outlier_fn fn, void *ctx)
{
	p->than = fn ? than : 0;
	p->outlier = fn;
	p->ctx = ctx;
}

static bool slots_empty(const struct pairs *p, const struct pair_begin *b)
{
	for (int i = 0; i < p->nslots; i++)
		if (b[i].ev1)
			return false;
	return true;
}

/*
 * Closing a pair leaves its key's entry in place (the next event of the
 * same key reuses it); entries with every slot empty are swept when the
 * table has doubled since the last sweep, so the cost is amortised O(1)
 * and keys that never come back don't pile up.
 */
static void pairs__gc(struct pairs *p)
{
	size_t n = 0, iter, nr = hashmap__nr(p->pending);
	u64 *keys = malloc((nr ? nr : 1) * sizeof(*keys));
	struct pair_begin *b;

	p->last = NULL;
	if (!keys)
		return;
	hashmap__for_each(p->pending, iter, b)
		if (slots_empty(p, b))
			keys[n++] = hashmap__key(b);
	for (size_t i = 0; i < n; i++)
		hashmap__del(p->pending, keys[i]);
	free(keys);
	nr = hashmap__nr(p->pending);
	p->gc_at = nr * 2 > PAIR_GC_MIN ? nr * 2 : PAIR_GC_MIN;
}

struct pair_begin *pairs__slots(struct pairs *p, u64 key, bool insert)
{
	struct pair_begin *b;
	bool created;

	if (!insert) {
		b = hashmap__find(p->pending, key);
		if (b) {
			p->last = b;
			p->last_key = key;
		}
		return b;
	}
	b = hashmap__get_new(p->pending, key, &created);
	if (unlikely(!b)) {
		pairs__gc(p);	/* at max_keys: make room if some are empty */
		b = hashmap__get_new(p->pending, key, &created);
		if (!b)
			return NULL;
	} else if (unlikely(created && hashmap__nr(p->pending) > p->gc_at)) {
		pairs__gc(p);	/* the new entry is empty too: it goes and comes back */
		b = hashmap__get_new(p->pending, key, &created);
	}
	/* an insert may move entries: only the newest pointer is safe */
	p->last = b;
	p->last_key = key;
	return b;
}

struct pair_begin *pairs__begin_slow(struct pairs *p, u64 key, int slot, u32 ev, u64 time,
				     u64 data)
{
	struct pair_begin *b = pairs__slots(p, key, true);

	if (unlikely(!b)) {
		p->key_drops++;
		return NULL;
	}
	return pairs__fill(p, b + slot, ev, time, data);
}

struct pair_begin *pairs__end_slow(struct pairs *p, u64 key, int slot, u32 ev, u64 time,
				   const void *end, u64 end_data, bool than)
{
	struct pair_begin *b = pairs__slots(p, key, false);

	return pairs__closing(p, b ? b + slot : NULL, key, ev, time, end, end_data, than);
}

u64 pairs__kill(struct pairs *p, u64 key)
{
	struct pair_begin *b = hashmap__find(p->pending, key);
	u64 n = 0;

	if (!b)
		return 0;
	for (int i = 0; i < p->nslots; i++) {
		if (!b[i].ev1)
			continue;
		p->cnt[b[i].ev1 - 1][PAIR_DROPPED]++;
		n++;
	}
	hashmap__del(p->pending, key);
	p->last = NULL;
	return n;
}

u64 pairs__drop_all(struct pairs *p)
{
	struct pair_begin *b;
	size_t iter;
	u64 n = 0;

	hashmap__for_each(p->pending, iter, b)
		for (int i = 0; i < p->nslots; i++)
			if (b[i].ev1) {
				p->cnt[b[i].ev1 - 1][PAIR_DROPPED]++;
				n++;
			}
	hashmap__reset(p->pending);
	p->last = NULL;
	p->lost_dropped += n;
	return n;
}

u64 pairs__waiting(const struct pairs *p, u32 ev)
{
	struct pair_begin *b;
	size_t iter;
	u64 n = 0;

	hashmap__for_each(p->pending, iter, b)
		for (int i = 0; i < p->nslots; i++)
			n += b[i].ev1 == ev + 1;
	return n;
}

size_t pairs__nr_keys(const struct pairs *p)
{
	return hashmap__nr(p->pending);
}

size_t pairs__mem_bytes(const struct pairs *p)
{
	return hashmap__mem_bytes(p->pending);
}

void pairs__for_each_waiting(const struct pairs *p,
			     void (*fn)(void *ctx, u64 key, const struct pair_begin *b), void *ctx)
{
	struct pair_begin *b;
	size_t iter;

	hashmap__for_each(p->pending, iter, b)
		for (int i = 0; i < p->nslots; i++)
			if (b[i].ev1)
				fn(ctx, hashmap__key(b), &b[i]);
}

void pairs__counts(const struct pairs *p, u32 ev, bool whole, struct pair_counts *c)
{
	const u64 *n = whole ? p->whole[ev] : p->cnt[ev];

	c->replaced = n[PAIR_REPLACED];
	c->dropped = n[PAIR_DROPPED];
	c->orphans = n[PAIR_ORPHANS];
	c->waiting = pairs__waiting(p, ev);
	c->waiting_before = whole ? 0 : p->waiting_before[ev];
}

void pairs__interval_end(struct pairs *p)
{
	for (int i = 0; i < p->nr_evs; i++) {
		for (int k = 0; k < PAIR_NR_COUNTS; k++) {
			p->whole[i][k] += p->cnt[i][k];
			p->cnt[i][k] = 0;
		}
		p->waiting_before[i] = pairs__waiting(p, (u32)i);
	}
}
