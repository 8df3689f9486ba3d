// SPDX-License-Identifier: GPL-2.0
/*
 * agg.c - the shared aggregation structures: the u64-keyed hash table
 * (keytab) and the value statistics with log-linear buckets (vstat), and
 * their report printers. See include/agg.h for the contracts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "json.h"

/* ------------------------------------------------------------------ */
/* keytab                                                              */
/* ------------------------------------------------------------------ */

/*
 * An all-ones key marks an empty slot, so slots can be cleared with one
 * memset. The real key ~0 is legal too: it lives in one extra slot past
 * the end of the array (index cap), present when oob_used is set.
 */
#define KEYTAB_EMPTY UINT64_MAX
#define KEYTAB_MIN_CAP 64
#define KEYTAB_MAX_VSIZE (1u << 20)

struct keytab {
	char *slots;		/* (cap + 1) slots of stride bytes */
	size_t stride;		/* 8 (key) + value rounded up to 8 */
	size_t vsize;
	size_t mask;		/* cap - 1, cap a power of two */
	size_t used;		/* keys in slots[0..cap) */
	size_t grow_at;		/* grow before used exceeds this (75% load) */
	size_t max_entries;	/* 0: unbounded */
	bool oob_used;		/* key KEYTAB_EMPTY present in slot cap */
	u64 drops;
};

/*
 * A full 64-bit finaliser (splitmix64's): sequential ids, pids and
 * pointers that differ only in high or only in low bits all spread over
 * the low bits used as the index.
 */
static inline u64 keytab__hash(u64 k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return k;
}

static inline u64 *keytab__slot(const struct keytab *t, size_t i)
{
	return (u64 *)(t->slots + i * t->stride);
}

static inline size_t keytab__cap(const struct keytab *t)
{
	return t->mask + 1;
}


struct keytab *keytab__new(size_t vsize, size_t max_entries)
{
	struct keytab *t;

	if (vsize > KEYTAB_MAX_VSIZE) {
		errno = EINVAL;
		return NULL;
	}
	t = xzalloc(sizeof(*t));
	t->vsize = vsize;
	t->stride = sizeof(u64) + ((vsize + 7) & ~(size_t)7);
	t->mask = KEYTAB_MIN_CAP - 1;
	t->grow_at = KEYTAB_MIN_CAP / 4 * 3;
	t->max_entries = max_entries;
	t->slots = xrealloc(NULL, (KEYTAB_MIN_CAP + 1) * t->stride);
	keytab__reset(t);
	return t;
}

void keytab__delete(struct keytab *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

/* keytab__probe - the slot of @key, or the empty slot ending its run */
static inline size_t keytab__probe(const struct keytab *t, u64 key)
{
	size_t i = keytab__hash(key) & t->mask;

	for (;;) {
		u64 k = *keytab__slot(t, i);

		if (k == key || k == KEYTAB_EMPTY)
			return i;
		i = (i + 1) & t->mask;
	}
}

/* keytab__grow - double the capacity; -ENOMEM leaves @t untouched */
static int keytab__grow(struct keytab *t)
{
	size_t old_cap = keytab__cap(t), new_cap = old_cap * 2;
	char *old = t->slots, *slots = malloc((new_cap + 1) * t->stride);

	if (!slots)
		return -ENOMEM;
	memset(slots, 0xff, (new_cap + 1) * t->stride);
	t->slots = slots;
	t->mask = new_cap - 1;
	t->grow_at = new_cap / 4 * 3;
	for (size_t i = 0; i < old_cap; i++) {
		const u64 *src = (const u64 *)(old + i * t->stride);

		if (*src != KEYTAB_EMPTY)
			memcpy(keytab__slot(t, keytab__probe(t, *src)), src, t->stride);
	}
	memcpy(keytab__slot(t, new_cap), old + old_cap * t->stride, t->stride);
	free(old);
	return 0;
}

static void *keytab__get_oob(struct keytab *t, bool *created)
{
	u64 *slot = keytab__slot(t, keytab__cap(t));

	if (t->oob_used)
		return slot + 1;
	if (t->max_entries && keytab__nr(t) >= t->max_entries) {
		t->drops++;
		return NULL;
	}
	t->oob_used = true;
	*slot = KEYTAB_EMPTY;
	memset(slot + 1, 0, t->vsize);
	if (created)
		*created = true;
	return slot + 1;
}

void *keytab__get_new(struct keytab *t, u64 key, bool *created)
{
	u64 *slot;

	if (created)
		*created = false;
	if (unlikely(key == KEYTAB_EMPTY))
		return keytab__get_oob(t, created);
	slot = keytab__slot(t, keytab__probe(t, key));
	if (likely(*slot == key))
		return slot + 1;
	if (t->max_entries && keytab__nr(t) >= t->max_entries)
		goto drop;
	if (unlikely(t->used + 1 > t->grow_at)) {
		if (keytab__grow(t))
			goto drop;
		slot = keytab__slot(t, keytab__probe(t, key));
	}
	*slot = key;
	memset(slot + 1, 0, t->vsize);
	t->used++;
	if (created)
		*created = true;
	return slot + 1;
drop:
	t->drops++;
	return NULL;
}

void *keytab__find(const struct keytab *t, u64 key)
{
	u64 *slot;

	if (unlikely(key == KEYTAB_EMPTY))
		return t->oob_used ? keytab__slot(t, keytab__cap(t)) + 1 : NULL;
	slot = keytab__slot(t, keytab__probe(t, key));
	return *slot == key ? slot + 1 : NULL;
}

/*
 * Backward-shift deletion: after emptying slot i, walk the rest of the
 * run and pull back every entry whose home slot is not in (i, j] - it
 * would otherwise become unreachable past the hole. The run ends at the
 * first empty slot, so no tombstones are ever needed.
 */
bool keytab__del(struct keytab *t, u64 key)
{
	size_t i, j;

	if (unlikely(key == KEYTAB_EMPTY)) {
		bool was = t->oob_used;

		t->oob_used = false;
		return was;
	}
	i = keytab__probe(t, key);
	if (*keytab__slot(t, i) != key)
		return false;
	for (j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
		u64 k = *keytab__slot(t, j);
		size_t home;

		if (k == KEYTAB_EMPTY)
			break;
		home = keytab__hash(k) & t->mask;
		if (((j - home) & t->mask) < ((j - i) & t->mask))
			continue;
		memcpy(keytab__slot(t, i), keytab__slot(t, j), t->stride);
		i = j;
	}
	*keytab__slot(t, i) = KEYTAB_EMPTY;
	t->used--;
	return true;
}

size_t keytab__nr(const struct keytab *t)
{
	return t->used + t->oob_used;
}

u64 keytab__drops(const struct keytab *t)
{
	return t->drops;
}

void keytab__reset(struct keytab *t)
{
	memset(t->slots, 0xff, (keytab__cap(t) + 1) * t->stride);
	t->used = 0;
	t->oob_used = false;
}

size_t keytab__mem_bytes(const struct keytab *t)
{
	return sizeof(*t) + (keytab__cap(t) + 1) * t->stride;
}

void *keytab__next(const struct keytab *t, size_t *iter)
{
	size_t cap = keytab__cap(t);

	for (; *iter < cap; (*iter)++) {
		u64 *slot = keytab__slot(t, *iter);

		if (*slot != KEYTAB_EMPTY) {
			(*iter)++;
			return slot + 1;
		}
	}
	if (*iter == cap) {
		(*iter)++;
		if (t->oob_used)
			return keytab__slot(t, cap) + 1;
	}
	return NULL;
}

struct keytab_sort_ctx {
	keytab_cmp_t cmp;
	void *ctx;
};

static int keytab__sort_cmp(const void *a, const void *b, void *arg)
{
	const struct keytab_sort_ctx *sc = arg;
	const void *va = *(void *const *)a, *vb = *(void *const *)b;
	u64 ka, kb;
	int r;

	if (sc->cmp) {
		r = sc->cmp(va, vb, sc->ctx);
		if (r)
			return r;
	}
	ka = keytab__key(va);
	kb = keytab__key(vb);
	return ka < kb ? -1 : ka > kb;
}

void **keytab__sorted(const struct keytab *t, keytab_cmp_t cmp, void *ctx, size_t *nr)
{
	struct keytab_sort_ctx sc = { cmp, ctx };
	size_t n = keytab__nr(t), i = 0, iter;
	void **vals, *val;

	*nr = n;
	if (!n)
		return NULL;
	vals = xzalloc(n * sizeof(*vals));
	keytab__for_each(t, iter, val)
		vals[i++] = val;
	qsort_r(vals, n, sizeof(*vals), keytab__sort_cmp, &sc);
	return vals;
}

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
