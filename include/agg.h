/* SPDX-License-Identifier: GPL-2.0 */
/*
 * agg.h - the aggregation every profiler shares: value statistics with
 * percentiles and log2 histograms (struct vstat) and their text and JSON
 * printers; the rows they live in are hashmap.h tables (included here).
 *
 * Built for the per-event hot path: vstat__add() is O(1) and allocates
 * only when a histogram grows (amortised, bounded). Nothing here is
 * thread-safe; one profiler instance owns each object.
 */
#ifndef PERF_PROF_AGG_H
#define PERF_PROF_AGG_H

#include "hashmap.h"
#include "util.h"

struct json;

/* ------------------------------------------------------------------ */
/* vstat: count, sum, min, max, percentiles and log2 histogram of u64   */
/* ------------------------------------------------------------------ */

/*
 * Log-linear histogram: values below 64 each have their own bucket; above,
 * every power of two [2^m, 2^(m+1)) is split into VSTAT_SUB equal buckets,
 * so a bucket is at most 1/32 of its values wide and a percentile (the
 * bucket's middle, clamped to [min, max]) is within 1/64 (1.6%) of a value
 * of that rank. The buckets are kept for the span of rows between the
 * smallest and the largest value seen: VSTAT_SUB * 8 = 256 bytes per power
 * of two spanned (e.g. 1us..1s in ns: 21 rows, 5.3 KiB), plus the 64-byte
 * struct. The plain log2 buckets (0, 1, 2-3, 4-7, ...) are exact sums of
 * these, so they are not stored separately.
 *
 * A zeroed struct vstat is a valid empty one (fine inside hashmap values).
 * It owns its buckets: vstat__free() releases them; don't copy a vstat by
 * value (use vstat__merge()).
 */
#define VSTAT_SUB_BITS 5
#define VSTAT_SUB (1u << VSTAT_SUB_BITS)
#define VSTAT_ROWS (64 - VSTAT_SUB_BITS + 1)	/* rows 0 and 1 are exact */
#define VSTAT_LOG2_SLOTS 65			/* 0, 1, 2-3, ..., 2^63-(2^64-1) */

/**
 * struct vstat - statistics of a stream of u64 values
 * @count:   values added
 * @min:     smallest value (meaningless while @count is 0)
 * @max:     largest value
 * @sum_lo:  low 64 bits of the 128-bit sum
 * @sum_hi:  high 64 bits of the sum
 * @missed:  values counted but not in the histogram (its growth failed)
 * @hist:    bucket counts of rows [@lo_row, @lo_row + @nr_rows)
 */
struct vstat {
	u64 count;
	u64 min;
	u64 max;
	u64 sum_lo;
	u64 sum_hi;
	u64 missed;
	u64 *hist;
	u16 lo_row;
	u16 nr_rows;
};

/* vstat__bucket - the log-linear bucket index of @v, 0..VSTAT_ROWS*VSTAT_SUB-1 */
static inline unsigned vstat__bucket(u64 v)
{
	unsigned msb = 63 - __builtin_clzll(v | 1);
	unsigned shift = msb > VSTAT_SUB_BITS ? msb - VSTAT_SUB_BITS : 0;

	return (shift << VSTAT_SUB_BITS) + (unsigned)(v >> shift);
}

/* vstat__add_slow - out-of-line part of vstat__add(): grows the buckets */
void vstat__add_slow(struct vstat *s, unsigned bucket);

/**
 * vstat__add - account one value; a few ns, no allocation unless @v falls
 * outside the rows spanned so far
 */
static inline void vstat__add(struct vstat *s, u64 v)
{
	unsigned b = vstat__bucket(v);
	unsigned idx = b - ((unsigned)s->lo_row << VSTAT_SUB_BITS);

	if (v < s->min || !s->count)
		s->min = v;
	if (v > s->max)
		s->max = v;
	s->count++;
	s->sum_lo += v;
	s->sum_hi += s->sum_lo < v;	/* carry */
	if (likely(idx < ((unsigned)s->nr_rows << VSTAT_SUB_BITS)))
		s->hist[idx]++;
	else
		vstat__add_slow(s, b);
}

/* vstat__sum - the sum, saturated at UINT64_MAX */
static inline u64 vstat__sum(const struct vstat *s)
{
	return s->sum_hi ? UINT64_MAX : s->sum_lo;
}

/* vstat__sum_double - the full 128-bit sum, rounded to a double */
double vstat__sum_double(const struct vstat *s);

/* vstat__mean - sum / count, 0 when empty */
double vstat__mean(const struct vstat *s);

/**
 * vstat__percentile - the value of rank ceil(@pct/100 * count)
 * @pct: 0..100; 0 (or less, or NaN) gives min, 100 gives max exactly
 *
 * Returns the middle of the bucket holding that rank, clamped to
 * [min, max] (so exact when all values are equal, and exact below 64);
 * 0 when empty.
 */
u64 vstat__percentile(const struct vstat *s, double pct);

/**
 * vstat__merge - add @src's values into @dst (a different vstat)
 *
 * Returns 0, or -ENOMEM when @dst's buckets could not grow (then @src's
 * values still count in @dst's count/sum/min/max and in its @missed).
 */
int vstat__merge(struct vstat *dst, const struct vstat *src);

/* vstat__reset - forget every value, keep the bucket memory */
void vstat__reset(struct vstat *s);

/* vstat__free - release the buckets; @s is then empty and reusable */
void vstat__free(struct vstat *s);

/* vstat__mem_bytes - heap bytes held by the buckets (not the struct) */
size_t vstat__mem_bytes(const struct vstat *s);

/**
 * vstat__log2 - plain log2 bucket counts: @slots[0] counts value 0,
 * @slots[i] (i >= 1) counts values in [2^(i-1), 2^i - 1]
 */
void vstat__log2(const struct vstat *s, u64 slots[VSTAT_LOG2_SLOTS]);

/* vstat__log2_lo / vstat__log2_hi - the value range of log2 slot @i */
static inline u64 vstat__log2_lo(unsigned i)
{
	return i ? 1ULL << (i - 1) : 0;
}

static inline u64 vstat__log2_hi(unsigned i)
{
	return i ? (2ULL << (i - 1)) - 1 : 0;
}

/**
 * vstat__print_log2 - the log2 histogram, bcc style, from the first to
 * the last non-empty slot; nothing when empty. E.g. with @label "usecs":
 *
 *      usecs               : count    distribution
 *          2 -> 3          : 1        |********************                    |
 *          4 -> 7          : 2        |****************************************|
 *
 * Ranges are "%10llu -> %-10llu" (20 wide each when a bound exceeds
 * 2^32 - 1), counts "%-8llu", bars 40 wide scaled to the largest count.
 * @label NULL prints "value".
 */
void vstat__print_log2(FILE *out, const struct vstat *s, const char *label);

/**
 * vstat__json - write @s as the member @key of the current JSON object
 * (@key NULL inside an array): {"count","sum","min","max","mean","p50",
 * "p95","p99","hist":[{"lo","hi","count"},...]}. "hist" lists only the
 * non-empty log2 slots. An empty vstat writes zeros and an empty "hist";
 * a sum above UINT64_MAX is written as a double.
 */
void vstat__json(struct json *j, const char *key, const struct vstat *s);

/**
 * agg__fmt_duration - @ns as a 10-character string with a unit:
 * "    512 ns", " 12.345 us", "  2.003 ms", "  1.500 s " (rounded to the
 * nearest thousandth; a value that rounds to 1000 moves to the next unit).
 * Durations of 1000 s and more grow wider: "3600.000 s ".
 * Returns @buf; @size of 24 always suffices.
 */
char *agg__fmt_duration(char *buf, size_t size, u64 ns);

#endif
