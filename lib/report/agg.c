// SPDX-License-Identifier: GPL-2.0
/*
 * agg.c - the value statistics with log-linear buckets (vstat) and their
 * report printers. See include/agg.h for the contracts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "json.h"

/* ------------------------------------------------------------------ */
/* vstat                                                               */
/* ------------------------------------------------------------------ */

static inline unsigned vstat__row(unsigned bucket)
{
	return bucket >> VSTAT_SUB_BITS;
}

/* rows 0 and 1 hold one value per bucket; row r >= 2 is 2^(r-1) wide */
static u64 vstat__bucket_lo(unsigned bucket)
{
	unsigned row = vstat__row(bucket);

	if (row <= 1)
		return bucket;
	return (u64)(VSTAT_SUB + (bucket & (VSTAT_SUB - 1))) << (row - 1);
}

static u64 vstat__bucket_width(unsigned bucket)
{
	unsigned row = vstat__row(bucket);

	return row <= 1 ? 1 : 1ULL << (row - 1);
}

/* the log2 slot (see vstat__log2()) every value of @bucket falls in */
static unsigned vstat__bucket_slot(unsigned bucket)
{
	u64 lo = vstat__bucket_lo(bucket);

	return lo ? 64 - __builtin_clzll(lo) : 0;
}

/* vstat__span - make the buckets cover rows [lo, hi]; -ENOMEM if not */
static int vstat__span(struct vstat *s, unsigned lo, unsigned hi)
{
	unsigned new_lo = lo, new_hi = hi;
	u64 *hist;

	if (s->nr_rows) {
		unsigned old_hi = s->lo_row + s->nr_rows - 1;

		if (lo >= s->lo_row && hi <= old_hi)
			return 0;
		if (s->lo_row < new_lo)
			new_lo = s->lo_row;
		if (old_hi > new_hi)
			new_hi = old_hi;
	}
	hist = calloc((size_t)(new_hi - new_lo + 1) * VSTAT_SUB, sizeof(*hist));
	if (!hist)
		return -ENOMEM;
	if (s->nr_rows)
		memcpy(hist + (size_t)(s->lo_row - new_lo) * VSTAT_SUB, s->hist,
		       (size_t)s->nr_rows * VSTAT_SUB * sizeof(*hist));
	free(s->hist);
	s->hist = hist;
	s->lo_row = new_lo;
	s->nr_rows = new_hi - new_lo + 1;
	return 0;
}

void vstat__add_slow(struct vstat *s, unsigned bucket)
{
	unsigned row = vstat__row(bucket);

	if (vstat__span(s, row, row)) {
		s->missed++;
		return;
	}
	s->hist[bucket - ((unsigned)s->lo_row << VSTAT_SUB_BITS)]++;
}

double vstat__sum_double(const struct vstat *s)
{
	return (double)s->sum_hi * 18446744073709551616.0 + (double)s->sum_lo;
}

double vstat__mean(const struct vstat *s)
{
	return s->count ? vstat__sum_double(s) / (double)s->count : 0.0;
}

static u64 vstat__clamp(const struct vstat *s, u64 v)
{
	if (v < s->min)
		return s->min;
	return v > s->max ? s->max : v;
}

u64 vstat__percentile(const struct vstat *s, double pct)
{
	u64 total = s->count - s->missed, rank, cum = 0;
	size_t nr = (size_t)s->nr_rows * VSTAT_SUB;
	double x;

	if (!s->count)
		return 0;
	if (!(pct > 0.0))	/* NaN too */
		return s->min;
	if (pct >= 100.0 || !total)
		return s->max;
	/* p * n / 100 rather than p / 100 * n: exact for integer p */
	x = pct * (double)total / 100.0;
	rank = (u64)x;
	if ((double)rank < x)
		rank++;
	if (rank < 1)
		rank = 1;
	for (size_t i = 0; i < nr; i++) {
		unsigned b;

		cum += s->hist[i];
		if (cum < rank)
			continue;
		b = (unsigned)i + ((unsigned)s->lo_row << VSTAT_SUB_BITS);
		return vstat__clamp(s, vstat__bucket_lo(b) + (vstat__bucket_width(b) - 1) / 2);
	}
	return s->max;
}

int vstat__merge(struct vstat *dst, const struct vstat *src)
{
	if (!src->count)
		return 0;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum_lo += src->sum_lo;
	dst->sum_hi += src->sum_hi + (dst->sum_lo < src->sum_lo);
	dst->missed += src->missed;
	if (!src->nr_rows)
		return 0;
	if (vstat__span(dst, src->lo_row, src->lo_row + src->nr_rows - 1)) {
		dst->missed += src->count - src->missed;
		return -ENOMEM;
	}
	for (size_t i = 0; i < (size_t)src->nr_rows * VSTAT_SUB; i++)
		dst->hist[i + (size_t)(src->lo_row - dst->lo_row) * VSTAT_SUB] += src->hist[i];
	return 0;
}

void vstat__reset(struct vstat *s)
{
	if (s->hist)
		memset(s->hist, 0, (size_t)s->nr_rows * VSTAT_SUB * sizeof(*s->hist));
	s->count = s->min = s->max = 0;
	s->sum_lo = s->sum_hi = s->missed = 0;
}

void vstat__free(struct vstat *s)
{
	free(s->hist);
	memset(s, 0, sizeof(*s));
}

size_t vstat__mem_bytes(const struct vstat *s)
{
	return (size_t)s->nr_rows * VSTAT_SUB * sizeof(*s->hist);
}

void vstat__log2(const struct vstat *s, u64 slots[VSTAT_LOG2_SLOTS])
{
	unsigned base = (unsigned)s->lo_row << VSTAT_SUB_BITS;

	memset(slots, 0, VSTAT_LOG2_SLOTS * sizeof(slots[0]));
	for (size_t i = 0; i < (size_t)s->nr_rows * VSTAT_SUB; i++)
		if (s->hist[i])
			slots[vstat__bucket_slot(base + (unsigned)i)] += s->hist[i];
}

/* vstat__log2_range - first and last non-empty slot; false if none */
static bool vstat__log2_range(const u64 *slots, unsigned *first, unsigned *last)
{
	int lo = -1, hi = -1;

	for (int i = 0; i < VSTAT_LOG2_SLOTS; i++) {
		if (!slots[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
	}
	if (lo < 0)
		return false;
	*first = lo;
	*last = hi;
	return true;
}

#define VSTAT_BAR_WIDTH 40

static void vstat__print_bar(FILE *out, u64 val, u64 val_max)
{
	/* 128-bit so that val * width can't overflow */
	unsigned stars = (unsigned)((unsigned __int128)val * VSTAT_BAR_WIDTH / val_max);

	putc('|', out);
	for (unsigned i = 0; i < VSTAT_BAR_WIDTH; i++)
		putc(i < stars ? '*' : ' ', out);
	fputs("|\n", out);
}

void vstat__print_log2(FILE *out, const struct vstat *s, const char *label)
{
	u64 slots[VSTAT_LOG2_SLOTS], val_max = 0;
	unsigned first, last;
	int width;

	vstat__log2(s, slots);
	if (!vstat__log2_range(slots, &first, &last))
		return;
	for (unsigned i = first; i <= last; i++)
		if (slots[i] > val_max)
			val_max = slots[i];
	width = vstat__log2_hi(last) > UINT32_MAX ? 20 : 10;
	/* the label column lines up with "lo -> hi" */
	fprintf(out, "%*s%-*s : count    distribution\n", width / 2, "",
		width * 2 + 4 - width / 2, label ? label : "value");
	for (unsigned i = first; i <= last; i++) {
		fprintf(out, "%*llu -> %-*llu : %-8llu ", width,
			(unsigned long long)vstat__log2_lo(i), width,
			(unsigned long long)vstat__log2_hi(i), (unsigned long long)slots[i]);
		vstat__print_bar(out, slots[i], val_max);
	}
}

void vstat__json(struct json *j, const char *key, const struct vstat *s)
{
	u64 slots[VSTAT_LOG2_SLOTS];
	bool empty = !s->count;

	json_obj_begin(j, key);
	json_uint(j, "count", s->count);
	if (s->sum_hi)
		json_double(j, "sum", vstat__sum_double(s));
	else
		json_uint(j, "sum", s->sum_lo);
	json_uint(j, "min", empty ? 0 : s->min);
	json_uint(j, "max", empty ? 0 : s->max);
	json_double(j, "mean", vstat__mean(s));
	json_uint(j, "p50", vstat__percentile(s, 50.0));
	json_uint(j, "p95", vstat__percentile(s, 95.0));
	json_uint(j, "p99", vstat__percentile(s, 99.0));
	json_arr_begin(j, "hist");
	vstat__log2(s, slots);
	for (unsigned i = 0; i < VSTAT_LOG2_SLOTS; i++) {
		if (!slots[i])
			continue;
		json_obj_begin(j, NULL);
		json_uint(j, "lo", vstat__log2_lo(i));
		json_uint(j, "hi", vstat__log2_hi(i));
		json_uint(j, "count", slots[i]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

char *agg__fmt_duration(char *buf, size_t size, u64 ns)
{
	static const char *const units[] = { "us", "ms", "s " };
	u64 div = 1;	/* ns per thousandth of the unit */
	unsigned u = 0;
	u64 milli;

	if (ns < 1000) {
		snprintf(buf, size, "%7llu ns", (unsigned long long)ns);
		return buf;
	}
	/* thousandths of the unit, rounded; move up while it shows >= 1000 */
	for (;;) {
		milli = ns / div + (ns % div >= (div + 1) / 2);
		if (milli < 1000000 || u == ARRAY_SIZE(units) - 1)
			break;
		div *= 1000;
		u++;
	}
	snprintf(buf, size, "%3llu.%03llu %s", (unsigned long long)(milli / 1000),
		 (unsigned long long)(milli % 1000), units[u]);
	return buf;
}
