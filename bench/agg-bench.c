// SPDX-License-Identifier: GPL-2.0
/*
 * agg-bench.c - micro-benchmark of the per-event aggregation calls:
 * hashmap__get on hits (small and large tables), the kmemleak pattern
 * (insert + delete), lookups that miss, 16-byte keys, and vstat__add.
 * Prints ns per call; figures are quoted in notes, never asserted.
 *
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude bench/agg-bench.c \
 *       lib/report/agg.c lib/core/hashmap.c lib/core/util.c lib/report/json.c -o /tmp/agg-bench && /tmp/agg-bench
 */
#include <stdlib.h>

#include "agg.h"

static volatile u64 sink;

static u64 bench_mix(u64 x)
{
	x ^= x >> 31;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

static void report(const char *what, u64 t0, u64 ops)
{
	printf("%-44s %7.2f ns/op\n", what, (double)(now_ns() - t0) / (double)ops);
}

/* hits in random order over @nr resident keys */
static void bench_get_hit(size_t nr, u64 ops)
{
	struct hashmap *t = hashmap__new(32, 0);
	u64 *keys = xzalloc(nr * sizeof(*keys)), acc = 0, t0;
	u32 *order = xzalloc(ops * sizeof(*order));
	char what[64];

	for (size_t i = 0; i < nr; i++) {
		keys[i] = 0xffff888100000000ULL + i * 64;
		hashmap__get(t, keys[i]);
	}
	for (u64 i = 0; i < ops; i++)
		order[i] = (u32)(bench_mix(i) % nr);
	t0 = now_ns();
	for (u64 i = 0; i < ops; i++) {
		u64 *v = hashmap__get(t, keys[order[i]]);

		acc += ++v[0];
	}
	snprintf(what, sizeof(what), "hashmap__get hit, %zu keys", nr);
	report(what, t0, ops);
	sink = acc;
	free(order);
	free(keys);
	hashmap__free(t);
}

/* sequential keys (pids, cpus) hit in order */
static void bench_get_seq(size_t nr, u64 ops)
{
	struct hashmap *t = hashmap__new(32, 0);
	u64 acc = 0, t0;
	char what[64];

	for (size_t i = 0; i < nr; i++)
		hashmap__get(t, i);
	t0 = now_ns();
	for (u64 i = 0; i < ops; i++) {
		u64 *v = hashmap__get(t, i % nr);

		acc += ++v[0];
	}
	snprintf(what, sizeof(what), "hashmap__get hit, %zu sequential keys", nr);
	report(what, t0, ops);
	sink = acc;
	hashmap__free(t);
}

/* kmemleak: allocate, and free the allocation made @live ops earlier */
static void bench_alloc_free(size_t live, u64 ops)
{
	struct hashmap *t = hashmap__new(32, 0);
	u64 t0 = now_ns();
	char what[64];

	for (u64 i = 0; i < ops; i++) {
		u64 *v = hashmap__get(t, bench_mix(i) & ~63ULL);

		v[0] = i;
		if (i >= live)
			hashmap__del(t, bench_mix(i - live) & ~63ULL);
	}
	snprintf(what, sizeof(what), "hashmap__get+del (kmemleak), %zu live", live);
	report(what, t0, ops);
	hashmap__free(t);
}

static void bench_find_miss(size_t nr, u64 ops)
{
	struct hashmap *t = hashmap__new(32, 0);
	u64 acc = 0, t0;
	char what[64];

	for (size_t i = 0; i < nr; i++)
		hashmap__get(t, bench_mix(i));
	t0 = now_ns();
	for (u64 i = 0; i < ops; i++)
		acc += hashmap__find(t, bench_mix(i + nr)) != NULL;
	snprintf(what, sizeof(what), "hashmap__find miss, %zu keys", nr);
	report(what, t0, ops);
	sink = acc;
	hashmap__free(t);
}

/* latencies spread over 1us..1ms, precomputed so only the add is timed */
/* byte keys of 16 bytes, (pointer, offset) like the symbol cache's, hit in random order */
static void bench_kfind_hit(size_t nr, u64 ops)
{
	struct hashmap *t = hashmap__new_keys(16, 32, 0);
	u64 (*keys)[2] = xzalloc(nr * sizeof(*keys)), acc = 0, t0;
	u32 *order = xzalloc(ops * sizeof(*order));
	char what[64];

	for (size_t i = 0; i < nr; i++) {
		keys[i][0] = 0x5555deadb000ULL + (i % 7) * 4096;
		keys[i][1] = 0x1000 + i * 16;
		hashmap__kget(t, keys[i]);
	}
	for (u64 i = 0; i < ops; i++)
		order[i] = (u32)(bench_mix(i) % nr);
	t0 = now_ns();
	for (u64 i = 0; i < ops; i++) {
		u64 *v = hashmap__kfind(t, keys[order[i]]);

		acc += ++v[0];
	}
	snprintf(what, sizeof(what), "hashmap__kfind hit, 16-byte keys, %zu keys", nr);
	report(what, t0, ops);
	sink = acc;
	free(order);
	free(keys);
	hashmap__free(t);
}

static void bench_vstat_add(u64 ops)
{
	enum { NV = 1 << 16 };
	u64 *vals = xzalloc(NV * sizeof(*vals)), t0;
	struct vstat s = { 0 };

	for (u64 i = 0; i < NV; i++)
		vals[i] = 1000 + bench_mix(i) % (1000000 >> (bench_mix(i + 7) % 10));
	for (u64 i = 0; i < NV; i++)
		vstat__add(&s, vals[i]);	/* rows allocated before timing */
	t0 = now_ns();
	for (u64 i = 0; i < ops; i++)
		vstat__add(&s, vals[i & (NV - 1)]);
	report("vstat__add, 1us..1ms values", t0, ops);
	t0 = now_ns();
	for (int i = 0; i < 1000; i++)
		sink += vstat__percentile(&s, 99.0);
	report("vstat__percentile(99), 10 rows", t0, 1000);
	printf("vstat memory: %zu bytes of buckets + %zu bytes struct\n",
	       vstat__mem_bytes(&s), sizeof(s));
	vstat__free(&s);
	free(vals);
}

int main(int argc, char **argv)
{
	u64 ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;

	bench_get_hit(1000, ops);
	bench_get_hit(1000000, ops);
	bench_get_seq(4096, ops);
	bench_alloc_free(1000, ops);
	bench_alloc_free(1000000, ops);
	bench_find_miss(1000, ops);
	bench_kfind_hit(1000, ops);
	bench_vstat_add(ops * 5);
	return 0;
}
