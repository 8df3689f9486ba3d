// SPDX-License-Identifier: GPL-2.0
/*
 * hashmap.c - the one hash table (see include/hashmap.h for the contract).
 *
 * A slot is [u64 tag][key bytes][value rounded up to 8]. In a u64 (or ops)
 * table the tag is the key itself and there are no key bytes; in a
 * byte-key table the tag is the key's hash, which saves rehashing on
 * growth and deletion and rejects most mismatches without a memcmp. An
 * all-ones tag marks an empty slot, so slots are cleared with one memset;
 * a byte-key hash never takes that value, and the u64 key ~0 lives in one
 * extra slot past the end of the array (index cap), present when oob_used
 * is set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

#define HM_EMPTY UINT64_MAX
#define HM_MIN_CAP 64
#define HM_MAX_VSIZE (1u << 20)
#define HM_MAX_KSIZE 256

enum hm_kind { HM_U64, HM_OPS, HM_KEYS };

struct hashmap {
	char *slots;		/* (cap + 1) slots of stride bytes */
	size_t stride;		/* 8 (tag) + key bytes + value rounded up to 8 */
	size_t vsize;
	size_t ksize;		/* HM_KEYS: key bytes after the tag; else 0 */
	size_t mask;		/* cap - 1, cap a power of two */
	size_t used;		/* keys in slots[0..cap) */
	size_t grow_at;		/* grow before used exceeds this (75% load) */
	size_t max_entries;	/* 0: unbounded */
	enum hm_kind kind;
	bool oob_used;		/* key HM_EMPTY present in slot cap */
	u64 drops;
	struct hashmap_ops ops;
};

static inline u64 *hm_slot(const struct hashmap *h, size_t i)
{
	return (u64 *)(h->slots + i * h->stride);
}

static inline void *hm_val(const struct hashmap *h, u64 *slot)
{
	return (char *)(slot + 1) + h->ksize;
}

static inline size_t hm_cap(const struct hashmap *h)
{
	return h->mask + 1;
}

/* the home slot's hash of a stored tag */
static inline u64 hm_home(const struct hashmap *h, u64 tag)
{
	if (likely(h->kind == HM_U64))
		return hashmap__hash_u64(tag);
	if (h->kind == HM_OPS)
		return h->ops.hash(tag, h->ops.ctx);
	return tag;
}

static struct hashmap *hm_alloc(enum hm_kind kind, size_t ksize, size_t vsize, size_t max_entries)
{
	struct hashmap *h;

	if (vsize > HM_MAX_VSIZE) {
		errno = EINVAL;
		return NULL;
	}
	h = xzalloc(sizeof(*h));
	h->kind = kind;
	h->vsize = vsize;
	h->ksize = ksize;
	h->stride = sizeof(u64) + ksize + ((vsize + 7) & ~(size_t)7);
	h->mask = HM_MIN_CAP - 1;
	h->grow_at = HM_MIN_CAP / 4 * 3;
	h->max_entries = max_entries;
	h->slots = xrealloc(NULL, (HM_MIN_CAP + 1) * h->stride);
	hashmap__reset(h);
	return h;
}

struct hashmap *hashmap__new(size_t vsize, size_t max_entries)
{
	return hm_alloc(HM_U64, 0, vsize, max_entries);
}

struct hashmap *hashmap__new_ops(size_t vsize, size_t max_entries, const struct hashmap_ops *ops)
{
	struct hashmap *h = hm_alloc(HM_OPS, 0, vsize, max_entries);

	if (h)
		h->ops = *ops;
	return h;
}

struct hashmap *hashmap__new_keys(size_t ksize, size_t vsize, size_t max_entries)
{
	if (!ksize || ksize % 8 || ksize > HM_MAX_KSIZE) {
		errno = EINVAL;
		return NULL;
	}
	return hm_alloc(HM_KEYS, ksize, vsize, max_entries);
}

void hashmap__free(struct hashmap *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h);
}

/* hm_probe - the slot of u64 @key, or the empty slot ending its run */
static inline size_t hm_probe(const struct hashmap *h, u64 key)
{
	size_t i = hm_home(h, key) & h->mask;

	for (;;) {
		u64 k = *hm_slot(h, i);

		if (k == key || k == HM_EMPTY)
			return i;
		if (h->kind == HM_OPS && h->ops.equal(k, key, h->ops.ctx))
			return i;
		i = (i + 1) & h->mask;
	}
}

/* the hash of a byte key: never HM_EMPTY, which marks free slots */
static inline u64 hm_khash(const struct hashmap *h, const void *key)
{
	u64 t = hashmap__hash_u64(fnv1a_words(FNV1A_INIT, key, h->ksize / 8));

	return t == HM_EMPTY ? t - 1 : t;
}

/* hm_kequal - the key words of @slot are @key's (word by word: keys are short) */
static inline bool hm_kequal(const struct hashmap *h, const u64 *slot, const void *key)
{
	const u64 *k = slot + 1;

	for (size_t i = 0; i < h->ksize / 8; i++) {
		u64 w;

		memcpy(&w, (const char *)key + i * 8, 8);
		if (k[i] != w)
			return false;
	}
	return true;
}

/* hm_kprobe - the slot of byte @key (hash @t), or the empty slot ending its run */
static inline size_t hm_kprobe(const struct hashmap *h, const void *key, u64 t)
{
	size_t i = t & h->mask;

	for (;;) {
		u64 *slot = hm_slot(h, i);

		if (*slot == HM_EMPTY || (*slot == t && hm_kequal(h, slot, key)))
			return i;
		i = (i + 1) & h->mask;
	}
}

/* hm_free_slot - the empty slot where a stored tag @t would go (growth) */
static inline size_t hm_free_slot(const struct hashmap *h, u64 t)
{
	size_t i = hm_home(h, t) & h->mask;

	while (*hm_slot(h, i) != HM_EMPTY)
		i = (i + 1) & h->mask;
	return i;
}

/* hm_grow - double the capacity; -ENOMEM leaves @h untouched */
static int hm_grow(struct hashmap *h)
{
	size_t old_cap = hm_cap(h), new_cap = old_cap * 2;
	char *old = h->slots, *slots = malloc((new_cap + 1) * h->stride);

	if (!slots)
		return -ENOMEM;
	memset(slots, 0xff, (new_cap + 1) * h->stride);
	h->slots = slots;
	h->mask = new_cap - 1;
	h->grow_at = new_cap / 4 * 3;
	for (size_t i = 0; i < old_cap; i++) {
		const u64 *src = (const u64 *)(old + i * h->stride);

		if (*src != HM_EMPTY)
			memcpy(hm_slot(h, hm_free_slot(h, *src)), src, h->stride);
	}
	memcpy(hm_slot(h, new_cap), old + old_cap * h->stride, h->stride);
	free(old);
	return 0;
}

/*
 * hm_room - 1 when one more key may go in, 2 when it may after the table
 * grew (slots moved: probe again), 0 (a drop, counted) when it may not
 */
static inline int hm_room(struct hashmap *h)
{
	if (h->max_entries && hashmap__nr(h) >= h->max_entries)
		goto drop;
	if (likely(h->used + 1 <= h->grow_at))
		return 1;
	if (!hm_grow(h))
		return 2;
drop:
	h->drops++;
	return 0;
}

/* hm_fill - a new entry in the empty @slot: @tag, the key bytes of @key, a zeroed value */
static inline void *hm_fill(struct hashmap *h, u64 *slot, u64 tag, const void *key, bool *created)
{
	*slot = tag;
	if (key)
		memcpy(slot + 1, key, h->ksize);
	memset(hm_val(h, slot), 0, h->vsize);
	h->used++;
	if (created)
		*created = true;
	return hm_val(h, slot);
}

static void *hm_get_oob(struct hashmap *h, bool *created)
{
	u64 *slot = hm_slot(h, hm_cap(h));

	if (h->oob_used)
		return hm_val(h, slot);
	if (h->max_entries && hashmap__nr(h) >= h->max_entries) {
		h->drops++;
		return NULL;
	}
	h->oob_used = true;
	*slot = HM_EMPTY;
	memset(hm_val(h, slot), 0, h->vsize);
	if (created)
		*created = true;
	return hm_val(h, slot);
}

/* hm_locate - the slot of a u64 key (@kbytes NULL) or of byte key @kbytes hashed to @tag */
static inline size_t hm_locate(const struct hashmap *h, u64 tag, const void *kbytes)
{
	return kbytes ? hm_kprobe(h, kbytes, tag) : hm_probe(h, tag);
}

static inline void *hm_get(struct hashmap *h, u64 tag, const void *kbytes, bool *created)
{
	u64 *slot = hm_slot(h, hm_locate(h, tag, kbytes));

	if (created)
		*created = false;
	if (likely(*slot != HM_EMPTY))
		return hm_val(h, slot);
	switch (hm_room(h)) {
	case 0:
		return NULL;
	case 2:
		slot = hm_slot(h, hm_locate(h, tag, kbytes));
		break;
	}
	return hm_fill(h, slot, tag, kbytes, created);
}

/* a u64 key found in its home slot: most hits on the per-event path */
static inline u64 *hm_home_hit(const struct hashmap *h, u64 key)
{
	u64 *slot;

	if (unlikely(h->kind != HM_U64))
		return NULL;
	slot = hm_slot(h, hashmap__hash_u64(key) & h->mask);
	return likely(*slot == key && key != HM_EMPTY) ? slot : NULL;
}

void *hashmap__get_new(struct hashmap *h, u64 key, bool *created)
{
	u64 *slot = hm_home_hit(h, key);

	if (likely(slot)) {
		if (created)
			*created = false;
		return hm_val(h, slot);
	}
	if (unlikely(key == HM_EMPTY)) {
		if (created)
			*created = false;
		return hm_get_oob(h, created);
	}
	return hm_get(h, key, NULL, created);
}

void *hashmap__find(const struct hashmap *h, u64 key)
{
	u64 *slot = hm_home_hit(h, key);

	if (likely(slot))
		return hm_val(h, slot);
	if (unlikely(key == HM_EMPTY))
		return h->oob_used ? hm_val(h, hm_slot(h, hm_cap(h))) : NULL;
	slot = hm_slot(h, hm_probe(h, key));
	return *slot != HM_EMPTY ? hm_val(h, slot) : NULL;
}

/*
 * Backward-shift deletion: after emptying slot i, walk the rest of the
 * run and pull back every entry whose home slot is not in (i, j] - it
 * would otherwise become unreachable past the hole. The run ends at the
 * first empty slot, so no tombstones are ever needed.
 */
static void hm_del_at(struct hashmap *h, size_t i)
{
	for (size_t j = (i + 1) & h->mask;; j = (j + 1) & h->mask) {
		u64 t = *hm_slot(h, j);
		size_t home;

		if (t == HM_EMPTY)
			break;
		home = hm_home(h, t) & h->mask;
		if (((j - home) & h->mask) < ((j - i) & h->mask))
			continue;
		memcpy(hm_slot(h, i), hm_slot(h, j), h->stride);
		i = j;
	}
	*hm_slot(h, i) = HM_EMPTY;
	h->used--;
}

bool hashmap__del(struct hashmap *h, u64 key)
{
	size_t i;

	if (unlikely(key == HM_EMPTY)) {
		bool was = h->oob_used;

		h->oob_used = false;
		return was;
	}
	i = hm_probe(h, key);
	if (*hm_slot(h, i) == HM_EMPTY)
		return false;
	hm_del_at(h, i);
	return true;
}

void *hashmap__kget_new(struct hashmap *h, const void *key, bool *created)
{
	return hm_get(h, hm_khash(h, key), key, created);
}

void *hashmap__kfind(const struct hashmap *h, const void *key)
{
	u64 *slot = hm_slot(h, hm_kprobe(h, key, hm_khash(h, key)));

	return *slot != HM_EMPTY ? hm_val(h, slot) : NULL;
}

bool hashmap__kdel(struct hashmap *h, const void *key)
{
	size_t i = hm_kprobe(h, key, hm_khash(h, key));

	if (*hm_slot(h, i) == HM_EMPTY)
		return false;
	hm_del_at(h, i);
	return true;
}

const void *hashmap__kkey(const struct hashmap *h, const void *val)
{
	return (const char *)val - h->ksize;
}

size_t hashmap__nr(const struct hashmap *h)
{
	return h->used + h->oob_used;
}

u64 hashmap__drops(const struct hashmap *h)
{
	return h->drops;
}

void hashmap__reset(struct hashmap *h)
{
	memset(h->slots, 0xff, (hm_cap(h) + 1) * h->stride);
	h->used = 0;
	h->oob_used = false;
}

size_t hashmap__mem_bytes(const struct hashmap *h)
{
	return sizeof(*h) + (hm_cap(h) + 1) * h->stride;
}

void *hashmap__next(const struct hashmap *h, size_t *iter)
{
	size_t cap = hm_cap(h);

	for (; *iter < cap; (*iter)++) {
		u64 *slot = hm_slot(h, *iter);

		if (*slot != HM_EMPTY) {
			(*iter)++;
			return hm_val(h, slot);
		}
	}
	if (*iter == cap) {
		(*iter)++;
		if (h->oob_used)
			return hm_val(h, hm_slot(h, cap));
	}
	return NULL;
}

struct hm_sort_ctx {
	const struct hashmap *h;
	hashmap_cmp_t cmp;
	void *ctx;
};

static int hm_sort_cmp(const void *a, const void *b, void *arg)
{
	const struct hm_sort_ctx *sc = arg;
	const void *va = *(void *const *)a, *vb = *(void *const *)b;
	const u64 *ka, *kb;
	size_t words;
	int r;

	if (sc->cmp) {
		r = sc->cmp(va, vb, sc->ctx);
		if (r)
			return r;
	}
	/* the key right before the value: the tag itself, or the key bytes */
	words = sc->h->kind == HM_KEYS ? sc->h->ksize / 8 : 1;
	ka = (const u64 *)va - words;
	kb = (const u64 *)vb - words;
	for (size_t i = 0; i < words; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

void **hashmap__sorted(const struct hashmap *h, hashmap_cmp_t cmp, void *ctx, size_t *nr)
{
	struct hm_sort_ctx sc = { h, cmp, ctx };
	size_t n = hashmap__nr(h), i = 0, iter;
	void **vals, *val;

	*nr = n;
	if (!n)
		return NULL;
	vals = xzalloc(n * sizeof(*vals));
	hashmap__for_each(h, iter, val)
		vals[i++] = val;
	qsort_r(vals, n, sizeof(*vals), hm_sort_cmp, &sc);
	return vals;
}

static u64 hm_str_hash(u64 key, void *ctx)
{
	return hashmap__hash_u64(fnv1a_str(FNV1A_INIT, (const char *)(uintptr_t)key));
}

static bool hm_str_equal(u64 a, u64 b, void *ctx)
{
	return !strcmp((const char *)(uintptr_t)a, (const char *)(uintptr_t)b);
}

const struct hashmap_ops hashmap_str_ops = { hm_str_hash, hm_str_equal, NULL };
