// SPDX-License-Identifier: GPL-2.0
/*
 * test-agg.c - unit tests of lib/report/agg.c: vstats inside hashmap values;
 * vstat counts, sums, percentiles, log2 buckets, merge, and the exact
 * text/JSON of the printers. (The table itself: test-hashmap.c.)
 */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "agg.h"
#include "json.h"
#include "harness.h"
#include "../../lib/bpf/vstat.bpf.h"

/* multi-trace style: vstats inside table values survive growth */
TEST(hashmap_of_vstats)
{
	struct hashmap *t = hashmap__new(sizeof(struct vstat), 0);
	size_t iter;
	void *val;
	u64 bad = 0;

	for (u64 k = 0; k < 5000; k++)
		for (u64 v = 1; v <= 10; v++)
			vstat__add(hashmap__get(t, k), v * 1000 + k);
	for (u64 k = 0; k < 5000; k++) {
		struct vstat *s = hashmap__find(t, k);

		bad += !s || s->count != 10 || s->min != 1000 + k ||
		       s->max != 10000 + k || vstat__sum(s) != 55000 + 10 * k;
	}
	CHECK_U64(bad, 0);
	hashmap__for_each(t, iter, val)
		vstat__free(val);
	hashmap__free(t);
}

static void add_range(struct vstat *s, u64 from, u64 to)
{
	for (u64 v = from; v <= to; v++)
		vstat__add(s, v);
}

/* |got - want| <= want * pct / 100 */
static bool within(u64 got, double want, double pct)
{
	double d = (double)got - want;

	return (d < 0 ? -d : d) <= want * pct / 100.0;
}

TEST(vstat_1_to_1000)
{
	struct vstat s = { 0 };
	u64 slots[VSTAT_LOG2_SLOTS];

	add_range(&s, 1, 1000);
	CHECK_U64(s.count, 1000);
	CHECK_U64(s.min, 1);
	CHECK_U64(s.max, 1000);
	CHECK_U64(vstat__sum(&s), 500500);
	CHECK(vstat__mean(&s) == 500.5);
	/* bucket middles: 500 in [496, 503], 990 in [976, 991], 950 in [944, 959] */
	CHECK_U64(vstat__percentile(&s, 50.0), 499);
	CHECK_U64(vstat__percentile(&s, 95.0), 951);
	CHECK_U64(vstat__percentile(&s, 99.0), 983);
	CHECK(within(vstat__percentile(&s, 50.0), 500, 3));
	CHECK(within(vstat__percentile(&s, 99.0), 990, 3));
	CHECK_U64(vstat__percentile(&s, 0.0), 1);
	CHECK_U64(vstat__percentile(&s, 100.0), 1000);
	CHECK_U64(vstat__percentile(&s, 250.0), 1000);
	CHECK_U64(vstat__percentile(&s, -1.0), 1);
	CHECK_U64(vstat__percentile(&s, __builtin_nan("")), 1);
	CHECK_U64(vstat__percentile(&s, 0.1), 1);	/* rank 1, exact below 64 */
	CHECK_U64(vstat__percentile(&s, 5.0), 50);
	vstat__log2(&s, slots);
	CHECK_U64(slots[0], 0);
	for (unsigned i = 1; i <= 9; i++)
		CHECK_U64(slots[i], 1ULL << (i - 1));
	CHECK_U64(slots[10], 489);
	CHECK_U64(slots[11], 0);
	CHECK_U64(vstat__log2_lo(10), 512);
	CHECK_U64(vstat__log2_hi(10), 1023);
	/* 1..1000 spans rows 0..5: 6 rows of 32 u64 */
	CHECK_U64(vstat__mem_bytes(&s), 6 * 32 * 8);
	vstat__reset(&s);
	/* a vanishing percentile is rank 1: 993's bucket [992, 1007] */
	vstat__add(&s, 993);
	vstat__add(&s, 2000);
	CHECK_U64(vstat__percentile(&s, 5e-324), 999);
	CHECK_U64(vstat__percentile(&s, 1e-9), 999);
	vstat__free(&s);
	CHECK_U64(vstat__mem_bytes(&s), 0);
}

TEST(vstat_all_equal_exact)
{
	static const u64 vals[] = { 0, 1, 63, 64, 12345, 2000000, 1ULL << 40, UINT64_MAX };
	struct vstat s = { 0 };

	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		for (int n = 0; n < 1000; n++)
			vstat__add(&s, vals[i]);
		CHECK_U64(vstat__percentile(&s, 50.0), vals[i]);
		CHECK_U64(vstat__percentile(&s, 95.0), vals[i]);
		CHECK_U64(vstat__percentile(&s, 99.0), vals[i]);
		CHECK_U64(s.min, vals[i]);
		CHECK_U64(s.max, vals[i]);
		vstat__reset(&s);
	}
	vstat__free(&s);
}

TEST(vstat_bimodal)
{
	struct vstat s = { 0 };

	for (int i = 0; i < 200; i++)
		vstat__add(&s, 2000000);
	for (int i = 0; i < 100; i++)
		vstat__add(&s, 10000000);
	CHECK_U64(s.count, 300);
	CHECK_U64(s.max, 10000000);
	CHECK_U64(s.min, 2000000);
	CHECK_U64(vstat__sum(&s), 1400000000);
	CHECK(within(vstat__percentile(&s, 50.0), 2e6, 3));
	CHECK(within(vstat__percentile(&s, 66.0), 2e6, 1.6));
	/* rank 201 is the first 1e7 */
	CHECK(within(vstat__percentile(&s, 67.0), 1e7, 1.6));
	CHECK(within(vstat__percentile(&s, 99.0), 1e7, 1.6));
	CHECK_U64(vstat__percentile(&s, 100.0), 10000000);
	vstat__free(&s);
}

/* every value is within 1/64 of the middle of its bucket */
TEST(vstat_relative_error)
{
	struct vstat lo = { 0 }, hi = { 0 };
	u64 state = 7, bad = 0;

	for (int i = 0; i < 20000; i++) {
		u64 v, r1, r2;

		state = test_key(state);
		v = state >> (state & 63);	/* all magnitudes */
		vstat__add(&lo, 0);
		vstat__add(&lo, v);
		vstat__add(&lo, v);
		vstat__add(&hi, v);
		vstat__add(&hi, v);
		vstat__add(&hi, UINT64_MAX);
		/* rank 2 of 3 is v in both; clamping shows the bucket middle's side */
		r1 = vstat__percentile(&lo, 50.0);
		r2 = vstat__percentile(&hi, 50.0);
		bad += r1 > v || r2 < v;
		bad += !within(r1, (double)v, 100.0 / 64) || !within(r2, (double)v, 100.0 / 64);
		if (v < 64)
			bad += r1 != v || r2 != v;
		vstat__reset(&lo);
		vstat__reset(&hi);
	}
	CHECK_U64(bad, 0);
	vstat__free(&lo);
	vstat__free(&hi);
}

static void check_same(const struct vstat *a, const struct vstat *b)
{
	u64 sa[VSTAT_LOG2_SLOTS], sb[VSTAT_LOG2_SLOTS];

	CHECK_U64(a->count, b->count);
	CHECK_U64(a->min, b->min);
	CHECK_U64(a->max, b->max);
	CHECK_U64(a->sum_lo, b->sum_lo);
	CHECK_U64(a->sum_hi, b->sum_hi);
	for (double p = 1; p <= 100; p += 1)
		CHECK_U64(vstat__percentile(a, p), vstat__percentile(b, p));
	vstat__log2(a, sa);
	vstat__log2(b, sb);
	CHECK(memcmp(sa, sb, sizeof(sa)) == 0);
}

TEST(vstat_merge)
{
	struct vstat all = { 0 }, odd = { 0 }, even = { 0 }, dst = { 0 }, big = { 0 };

	for (u64 v = 1; v <= 100000; v += 7) {
		vstat__add(&all, v);
		vstat__add(v % 2 ? &odd : &even, v);
	}
	CHECK(vstat__merge(&dst, &even) == 0);	/* into an empty one */
	CHECK(vstat__merge(&dst, &odd) == 0);
	check_same(&dst, &all);
	CHECK(vstat__merge(&dst, &big) == 0);	/* empty source: no-op */
	check_same(&dst, &all);

	/* disjoint rows on both sides; sums carry into the high half */
	vstat__add(&big, 1ULL << 62);
	vstat__add(&big, UINT64_MAX);
	vstat__add(&all, 1ULL << 62);
	vstat__add(&all, UINT64_MAX);
	vstat__add(&odd, 3);
	CHECK(vstat__merge(&odd, &big) == 0);
	CHECK(vstat__merge(&dst, &big) == 0);
	check_same(&dst, &all);
	CHECK_U64(dst.sum_hi, 1);
	CHECK_U64(odd.min, 1);
	CHECK_U64(odd.max, UINT64_MAX);
	/* the low halves' sum carries */
	vstat__reset(&odd);
	vstat__reset(&big);
	vstat__add(&odd, 1ULL << 63);
	vstat__add(&big, 1ULL << 63);
	CHECK(vstat__merge(&odd, &big) == 0);
	CHECK_U64(odd.sum_hi, 1);
	CHECK_U64(odd.sum_lo, 0);
	vstat__free(&all);
	vstat__free(&odd);
	vstat__free(&even);
	vstat__free(&dst);
	vstat__free(&big);
}

TEST(vstat_sum_overflow)
{
	struct vstat s = { 0 };

	vstat__add(&s, UINT64_MAX);
	vstat__add(&s, UINT64_MAX);
	vstat__add(&s, 2);
	CHECK_U64(s.sum_hi, 2);
	CHECK_U64(s.sum_lo, 0);
	CHECK_U64(vstat__sum(&s), UINT64_MAX);
	CHECK(vstat__sum_double(&s) == 36893488147419103232.0);
	CHECK(vstat__mean(&s) == 36893488147419103232.0 / 3);
	vstat__free(&s);
}

TEST(vstat_zeroed_and_reset)
{
	struct vstat s = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	size_t mem;

	CHECK_U64(vstat__percentile(&s, 50.0), 0);
	CHECK(vstat__mean(&s) == 0.0);
	f = open_memstream(&buf, &len);
	vstat__print_log2(f, &s, "usecs");
	fclose(f);
	CHECK_U64(len, 0);
	free(buf);

	add_range(&s, 100, 5000);
	mem = vstat__mem_bytes(&s);
	vstat__reset(&s);
	CHECK_U64(s.count, 0);
	CHECK_U64(vstat__percentile(&s, 99.0), 0);
	CHECK_U64(vstat__mem_bytes(&s), mem);
	vstat__add(&s, 300);
	CHECK_U64(s.min, 300);
	CHECK_U64(s.max, 300);
	CHECK_U64(vstat__percentile(&s, 50.0), 300);
	CHECK_U64(vstat__mem_bytes(&s), mem);	/* 300 within the kept rows */
	vstat__free(&s);
}

static char *print_to_string(const struct vstat *s, const char *label)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vstat__print_log2(f, s, label);
	fclose(f);
	return buf;
}

TEST(vstat_print_log2_text)
{
	static const u64 vals[] = { 1, 2, 3, 5, 6, 7, 7, 100 };
	struct vstat s = { 0 };
	char *txt;

	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
		vstat__add(&s, vals[i]);
	txt = print_to_string(&s, "usecs");
	CHECK_STR(txt,
		  "     usecs               : count    distribution\n"
		  "         1 -> 1          : 1        |**********                              |\n"
		  "         2 -> 3          : 2        |********************                    |\n"
		  "         4 -> 7          : 4        |****************************************|\n"
		  "         8 -> 15         : 0        |                                        |\n"
		  "        16 -> 31         : 0        |                                        |\n"
		  "        32 -> 63         : 0        |                                        |\n"
		  "        64 -> 127        : 1        |**********                              |\n");
	free(txt);

	vstat__reset(&s);
	vstat__add(&s, 0);
	vstat__add(&s, 0);
	vstat__add(&s, 0);
	txt = print_to_string(&s, NULL);
	CHECK_STR(txt,
		  "     value               : count    distribution\n"
		  "         0 -> 0          : 3        |****************************************|\n");
	free(txt);

	/* a bound above 2^32 - 1 widens the columns */
	vstat__reset(&s);
	vstat__add(&s, 3000000000ULL);
	vstat__add(&s, 5000000000ULL);
	vstat__add(&s, 5000000001ULL);
	txt = print_to_string(&s, "nsecs");
	CHECK_STR(txt,
		  "          nsecs                              : count    distribution\n"
		  "          2147483648 -> 4294967295           : 1        |********************                    |\n"
		  "          4294967296 -> 8589934591           : 2        |****************************************|\n");
	free(txt);
	vstat__free(&s);
}

TEST(vstat_json_text)
{
	struct vstat s = { 0 }, empty = { 0 };
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vstat__add(&s, 0);
	vstat__add(&s, 3);
	vstat__add(&s, 3);
	vstat__add(&s, 10);
	json_begin(&j, f);
	json_str(&j, "event", "x");
	vstat__json(&j, "lat", &s);
	vstat__json(&j, "none", &empty);
	json_end(&j);
	fclose(f);
	CHECK_STR(buf,
		  "{\"event\":\"x\",\"lat\":{\"count\":4,\"sum\":16,\"min\":0,\"max\":10,"
		  "\"mean\":4,\"p50\":3,\"p95\":10,\"p99\":10,\"hist\":["
		  "{\"lo\":0,\"hi\":0,\"count\":1},{\"lo\":2,\"hi\":3,\"count\":2},"
		  "{\"lo\":8,\"hi\":15,\"count\":1}]},"
		  "\"none\":{\"count\":0,\"sum\":0,\"min\":0,\"max\":0,\"mean\":0,"
		  "\"p50\":0,\"p95\":0,\"p99\":0,\"hist\":[]}}\n");
	free(buf);
	vstat__free(&s);
}

TEST(fmt_duration)
{
	static const struct { u64 ns; const char *want; } cases[] = {
		{ 0, "      0 ns" },
		{ 999, "    999 ns" },
		{ 1000, "  1.000 us" },
		{ 12345, " 12.345 us" },
		{ 999999, "999.999 us" },
		{ 1000000, "  1.000 ms" },
		{ 2003000, "  2.003 ms" },
		{ 2003499, "  2.003 ms" },
		{ 2003500, "  2.004 ms" },
		{ 999999499, "999.999 ms" },
		{ 999999500, "  1.000 s " },
		{ 1500000000, "  1.500 s " },
		{ 3600000000000ULL, "3600.000 s " },
		{ UINT64_MAX, "18446744073.710 s " },
	};
	char buf[24];

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_STR(agg__fmt_duration(buf, sizeof(buf), cases[i].ns), cases[i].want);
}

/*
 * vstat__add_bucket/add_totals: values aggregated elsewhere (rundelay's BPF
 * maps hold bucket counts and totals) give the very statistics of adding
 * each value, percentiles and histogram included, also merged in two parts
 */
TEST(vstat_from_buckets)
{
	struct vstat a = { 0 }, b = { 0 };
	u64 v, sum = 0, cnt[2] = { 0 }, sums[2] = { 0 }, mins[2] = { ~0ULL, ~0ULL }, maxs[2] = { 0 };
	static u64 per[VSTAT_ROWS * VSTAT_SUB];

	for (int i = 1; i <= 5000; i++) {
		int half = i > 2500;

		v = (u64)i * i * 37 % 100000007;
		vstat__add(&a, v);
		per[vstat__bucket(v)]++;
		cnt[half]++;
		sums[half] += v;
		if (v < mins[half])
			mins[half] = v;
		if (v > maxs[half])
			maxs[half] = v;
		sum += v;
	}
	for (unsigned k = 0; k < VSTAT_ROWS * VSTAT_SUB; k++)
		vstat__add_bucket(&b, k, per[k]);
	vstat__add_totals(&b, cnt[0], sums[0], mins[0], maxs[0]);
	vstat__add_totals(&b, cnt[1], sums[1], mins[1], maxs[1]);
	CHECK_U64(b.count, a.count);
	CHECK_U64(vstat__sum(&b), sum);
	CHECK_U64(b.min, a.min);
	CHECK_U64(b.max, a.max);
	for (int p = 0; p <= 100; p += 5)
		CHECK_U64(vstat__percentile(&b, p), vstat__percentile(&a, p));
	CHECK_U64(vstat__percentile(&b, 99), vstat__percentile(&a, 99));
	/* a bucket out of range is ignored, an empty total adds nothing */
	vstat__add_bucket(&b, VSTAT_ROWS * VSTAT_SUB, 7);
	vstat__add_totals(&b, 0, 5, 0, 0);
	CHECK_U64(b.count, a.count);
	CHECK_U64(b.min, a.min);
	vstat__free(&a);
	vstat__free(&b);
}

/*
 * the BPF programs' bucket (lib/bpf/vstat.bpf.h, built without a
 * count-leading-zeros instruction) is vstat__bucket() for every power of
 * two, its neighbours and a spread of other values: the percentiles rebuilt
 * from the kernel's buckets are the ring path's
 */
TEST(vstat_bpf_bucket)
{
	u64 x = 88172645463325252ULL;

	CHECK_U64(vstat_bpf_bucket(0), vstat__bucket(0));
	CHECK_U64(vstat_bpf_bucket(~0ULL), vstat__bucket(~0ULL));
	for (int b = 0; b < 64; b++) {
		u64 p = 1ULL << b;

		CHECK_U64(vstat_bpf_bucket(p), vstat__bucket(p));
		CHECK_U64(vstat_bpf_bucket(p - 1), vstat__bucket(p - 1));
		CHECK_U64(vstat_bpf_bucket(p + 1), vstat__bucket(p + 1));
		CHECK_U64(vstat_bpf_bucket(p | (p >> 1)), vstat__bucket(p | (p >> 1)));
	}
	for (int i = 0; i < 100000; i++) {
		/* xorshift64, every magnitude through the shift by 0..63 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		CHECK_U64(vstat_bpf_bucket(x >> (i % 64)), vstat__bucket(x >> (i % 64)));
	}
}
