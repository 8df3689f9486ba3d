// SPDX-License-Identifier: GPL-2.0
/*
 * test-pair.c - the keyed pairing engine: delays and payloads of closed
 * pairs, orphans, out-of-order ends, replaced begins, the key bound and the
 * sweep that makes room, killing a key, drops at a gap, the outlier
 * callback, and the counts of intervals against a shadow model of random
 * traffic (replaced, orphans, waiting now and when the interval began).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pair.h"

/* end a pair the way a profiler does: read the begin, then close it */
static bool end(struct pairs *p, u64 key, int slot, u32 ev, u64 time, struct pair_begin *out)
{
	struct pair_begin *b = pairs__end(p, key, slot, ev, time);

	if (!b)
		return false;
	*out = *b;
	pairs__done(b);
	return true;
}

static bool end_than(struct pairs *p, u64 key, int slot, u32 ev, u64 time,
		     struct pair_begin *out, const void *e, u64 data)
{
	struct pair_begin *b = pairs__end_than(p, key, slot, ev, time, e, data);

	if (!b)
		return false;
	*out = *b;
	pairs__done(b);
	return true;
}

TEST(pair_begin_end)
{
	struct pairs p;
	struct pair_begin b = { 0 };
	struct pair_counts c;

	pairs__init(&p, 2, 3, 0);
	CHECK(pairs__begin(&p, 42, 0, 0, 1000, 7) != NULL);
	CHECK(pairs__begin(&p, 42, 1, 1, 1500, 8) != NULL);
	/* slot 0's begin closed by event 1 */
	CHECK(end(&p, 42, 0, 1, 1250, &b));
	CHECK_U64(b.time, 1000);
	CHECK_U64(b.data, 7);
	CHECK_INT(b.ev1, 1);
	/* closed: a second end finds nothing (an orphan of event 1) */
	CHECK(!end(&p, 42, 0, 1, 1300, &b));
	/* another key: nothing waits */
	CHECK(!end(&p, 43, 1, 2, 2000, &b));
	/* an end older than its begin leaves it waiting */
	CHECK(!end(&p, 42, 1, 2, 1400, &b));
	CHECK_U64(p.ooo, 1);
	CHECK(end(&p, 42, 1, 2, 1600, &b));
	CHECK_U64(b.data, 8);
	pairs__counts(&p, 1, false, &c);
	CHECK_U64(c.orphans, 1);
	pairs__counts(&p, 2, false, &c);
	CHECK_U64(c.orphans, 1);
	CHECK_U64(c.waiting, 0);
	pairs__exit(&p);
	pairs__exit(&p);	/* twice is fine */
}

TEST(pair_replaced_killed_dropped)
{
	struct pairs p;
	struct pair_counts c;
	struct pair_begin b;

	pairs__init(&p, 1, 2, 0);
	pairs__begin(&p, 1, 0, 0, 10, 0);
	pairs__begin(&p, 1, 0, 1, 20, 0);	/* replaces event 0's */
	pairs__begin(&p, 2, 0, 0, 30, 0);
	pairs__begin(&p, 3, 0, 0, 40, 0);
	pairs__counts(&p, 0, false, &c);
	CHECK_U64(c.replaced, 1);
	CHECK_U64(c.waiting, 2);
	/* key 2's task exits */
	CHECK_U64(pairs__kill(&p, 2), 1);
	CHECK_U64(pairs__kill(&p, 2), 0);
	CHECK(!end(&p, 2, 0, 1, 50, &b));
	pairs__counts(&p, 0, false, &c);
	CHECK_U64(c.dropped, 1);
	CHECK_U64(c.waiting, 1);
	/* a gap: everything waiting goes */
	CHECK_U64(pairs__drop_all(&p), 2);
	CHECK_U64(p.lost_dropped, 2);
	pairs__counts(&p, 0, false, &c);
	CHECK_U64(c.dropped, 2);
	CHECK_U64(c.waiting, 0);
	pairs__counts(&p, 1, false, &c);
	CHECK_U64(c.dropped, 1);
	CHECK_INT(pairs__nr_keys(&p), 0);
	pairs__exit(&p);
}

/* at the bound, keys with nothing waiting make room; the rest is dropped and counted */
TEST(pair_bound_and_sweep)
{
	struct pairs p;
	struct pair_begin b;
	u64 bad = 0;

	pairs__init(&p, 1, 1, 100);
	for (u64 k = 0; k < 100; k++)
		bad += !pairs__begin(&p, k, 0, 0, k, 0);
	CHECK_U64(bad, 0);
	CHECK(!pairs__begin(&p, 1000, 0, 0, 1, 0));
	CHECK_U64(p.key_drops, 1);
	/* half of them close: their keys are empty and can go */
	for (u64 k = 0; k < 100; k += 2)
		bad += !end(&p, k, 0, 0, 200, &b);
	CHECK_U64(bad, 0);
	for (u64 k = 1000; k < 1050; k++)
		bad += !pairs__begin(&p, k, 0, 0, k, 0);
	CHECK_U64(bad, 0);
	CHECK_U64(p.key_drops, 1);
	CHECK_INT(pairs__nr_keys(&p), 100);
	CHECK_U64(pairs__waiting(&p, 0), 100);
	pairs__exit(&p);
}

struct slow {
	int n;
	u64 key, delay, begin_data;
	u32 end_ev;
	const void *end;
	u64 end_data;
};

static void on_slow(void *ctx, u64 key, const struct pair_begin *b, u32 end_ev, u64 delay,
		    const void *end, u64 end_data)
{
	struct slow *s = ctx;

	s->n++;
	s->key = key;
	s->delay = delay;
	s->begin_data = b->data;
	s->end_ev = end_ev;
	s->end = end;
	s->end_data = end_data;
}

TEST(pair_outliers)
{
	struct pairs p;
	struct pair_begin b;
	struct slow sl = { 0 };
	int marker;

	pairs__init(&p, 1, 2, 0);
	pairs__set_outliers(&p, 100, on_slow, &sl);
	pairs__begin(&p, 5, 0, 0, 1000, 77);
	end_than(&p, 5, 0, 1, 1100, &b, &marker, 0);	/* exactly the threshold: not slower */
	CHECK_INT(sl.n, 0);
	pairs__begin(&p, 5, 0, 0, 2000, 78);
	end_than(&p, 5, 0, 1, 2101, &b, &marker, 99);
	CHECK_INT(sl.n, 1);
	CHECK_U64(sl.key, 5);
	CHECK_U64(sl.delay, 101);
	CHECK_U64(sl.begin_data, 78);
	CHECK_INT(sl.end_ev, 1);
	CHECK(sl.end == &marker);
	CHECK_U64(sl.end_data, 99);
	/* pairs__end() looks for none */
	pairs__begin(&p, 5, 0, 0, 3000, 0);
	end(&p, 5, 0, 1, 9000, &b);
	CHECK_INT(sl.n, 1);
	pairs__set_outliers(&p, 0, NULL, NULL);
	pairs__begin(&p, 5, 0, 0, 3000, 0);
	end_than(&p, 5, 0, 1, 9000, &b, NULL, 0);
	CHECK_INT(sl.n, 1);
	pairs__exit(&p);
}

/* random traffic against a shadow model, counts checked per interval and for the run */
TEST(pair_random_vs_shadow_intervals)
{
	enum { KEYS = 5000, EVS = 3, ROUNDS = 4 };
	static u64 shadow[KEYS];	/* ev + 1 waiting, 0: none */
	u64 repl[2][EVS] = { { 0 } }, orph[2][EVS] = { { 0 } };
	u64 before[EVS] = { 0 };	/* waiting when the interval began */
	u64 x = 99, bad = 0, t = 0;
	struct pairs p;

	memset(shadow, 0, sizeof(shadow));
	pairs__init(&p, 1, EVS, 0);
	for (int r = 0; r < ROUNDS; r++) {
		memset(repl[0], 0, sizeof(repl[0]));
		memset(orph[0], 0, sizeof(orph[0]));
		for (int i = 0; i < 200000; i++) {
			struct pair_begin b;
			u64 key;
			u32 ev;

			x = test_key(x);
			t++;
			key = x % KEYS;
			ev = (u32)((x >> 20) % EVS);
			if ((x >> 40) & 1) {
				if (shadow[key])
					repl[0][shadow[key] - 1]++;
				bad += !pairs__begin(&p, key, 0, ev, t, key);
				shadow[key] = ev + 1;
				continue;
			}
			if (end(&p, key, 0, ev, t, &b)) {
				bad += !shadow[key] || b.ev1 != shadow[key] || b.data != key;
				shadow[key] = 0;
			} else {
				bad += shadow[key] != 0;
				orph[0][ev]++;
			}
		}
		CHECK_U64(bad, 0);
		for (u32 ev = 0; ev < EVS; ev++) {
			struct pair_counts c;
			u64 waiting = 0;

			for (int k = 0; k < KEYS; k++)
				waiting += shadow[k] == ev + 1;
			pairs__counts(&p, ev, false, &c);
			bad += c.replaced != repl[0][ev] || c.orphans != orph[0][ev] ||
			       c.waiting != waiting || c.dropped != 0;
			/* what waited when the interval began: its opened = paired + ... - that */
			bad += c.waiting_before != before[ev];
			before[ev] = waiting;
			repl[1][ev] += repl[0][ev];
			orph[1][ev] += orph[0][ev];
		}
		CHECK_U64(bad, 0);
		pairs__interval_end(&p);
	}
	for (u32 ev = 0; ev < EVS; ev++) {
		struct pair_counts c;

		pairs__counts(&p, ev, true, &c);
		bad += c.replaced != repl[1][ev] || c.orphans != orph[1][ev] || c.waiting_before;
	}
	CHECK_U64(bad, 0);
	pairs__exit(&p);
}
