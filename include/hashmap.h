/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hashmap.h - the one hash table of the tree: keys -> fixed-size values
 * stored inline, open addressing with linear probing and backward-shift
 * deletion (no tombstones: a delete-heavy workload never degrades).
 *
 * Three kinds of keys, chosen at creation:
 *
 *   hashmap__new()      u64 keys (pids, ids, addresses, packed pairs):
 *                       hashed and compared inline, the fast path;
 *   hashmap__new_ops()  u64 keys with the caller's hash and equality,
 *                       typically pointers to stable objects (strings,
 *                       a struct the value points back to);
 *   hashmap__new_keys() fixed-size byte keys of KSIZE bytes (a multiple
 *                       of 8: composite keys such as (dso, offset) or
 *                       (pid, syscall, cpu)), hashed with FNV-1a and
 *                       compared with memcmp.
 *
 * Value pointers stay valid until the next insert (which may grow the
 * table), delete (which may move entries), reset or free. A table never
 * frees what its values point to. Values are 8-byte aligned. Inserts and
 * lookups are O(1) and allocate only when the table grows (amortised);
 * growth failure or a full bound (max_entries) refuses the insert and
 * counts a drop. Not thread-safe: one owner per table.
 */
#ifndef PERF_PROF_HASHMAP_H
#define PERF_PROF_HASHMAP_H

#include "util.h"

struct hashmap;

/**
 * struct hashmap_ops - a caller's hash and equality for u64 keys
 * @hash:  the hash of @key (any 64 bits; the table mixes nothing more in)
 * @equal: whether the stored key @a and the key looked up @b are the same
 * @ctx:   passed to both
 */
struct hashmap_ops {
	u64 (*hash)(u64 key, void *ctx);
	bool (*equal)(u64 a, u64 b, void *ctx);
	void *ctx;
};

/**
 * hashmap__new - a table of u64 keys (every value of u64 is a valid key)
 * @vsize:       bytes of value per key (0 makes a set); at most 1 MiB
 * @max_entries: bound on the number of keys, 0 for none; inserts past it
 *               fail and are counted as drops
 *
 * Returns the table, or NULL with errno EINVAL when @vsize is too large.
 * Exits on OOM like xzalloc() (start-up path).
 */
struct hashmap *hashmap__new(size_t vsize, size_t max_entries);

/* hashmap__new_ops - the same with @ops (copied) hashing and comparing keys */
struct hashmap *hashmap__new_ops(size_t vsize, size_t max_entries, const struct hashmap_ops *ops);

/**
 * hashmap__new_keys - a table of @ksize-byte keys (8 to 256, a multiple of
 * 8), used through the hashmap__k*() functions. Returns NULL with errno
 * EINVAL for a bad size.
 */
struct hashmap *hashmap__new_keys(size_t ksize, size_t vsize, size_t max_entries);

/* hashmap__free - free the table (not what values point to); NULL is ok */
void hashmap__free(struct hashmap *h);

/**
 * hashmap__get_new - find @key, inserting it with a zeroed value if absent
 * @created: if not NULL, set to whether the key was inserted now
 *
 * Returns the value, or NULL when the key is absent and can't be inserted
 * (max_entries reached, or growing the table failed); that counts a drop.
 */
void *hashmap__get_new(struct hashmap *h, u64 key, bool *created);

/* hashmap__get - hashmap__get_new() without the @created report */
static inline void *hashmap__get(struct hashmap *h, u64 key)
{
	return hashmap__get_new(h, key, NULL);
}

/* hashmap__find - the value of @key, or NULL; never inserts */
void *hashmap__find(const struct hashmap *h, u64 key);

/* hashmap__del - remove @key; returns whether it was present */
bool hashmap__del(struct hashmap *h, u64 key);

/* hashmap__kget_new / kget / kfind / kdel - the same for byte keys */
void *hashmap__kget_new(struct hashmap *h, const void *key, bool *created);
static inline void *hashmap__kget(struct hashmap *h, const void *key)
{
	return hashmap__kget_new(h, key, NULL);
}
void *hashmap__kfind(const struct hashmap *h, const void *key);
bool hashmap__kdel(struct hashmap *h, const void *key);

/* hashmap__nr - the number of keys in the table */
size_t hashmap__nr(const struct hashmap *h);

/*
 * hashmap__drops - inserts refused since creation (max_entries or OOM).
 * Cumulative: hashmap__reset() does not clear it.
 */
u64 hashmap__drops(const struct hashmap *h);

/* hashmap__reset - remove every key, keeping the memory for reuse */
void hashmap__reset(struct hashmap *h);

/* hashmap__mem_bytes - bytes held by the table, its struct included */
size_t hashmap__mem_bytes(const struct hashmap *h);

/* hashmap__key - the u64 key of a value of a u64 (or ops) table */
static inline u64 hashmap__key(const void *val)
{
	return ((const u64 *)val)[-1];
}

/* hashmap__kkey - the key bytes of a value of a byte-key table */
const void *hashmap__kkey(const struct hashmap *h, const void *val);

/**
 * hashmap__next - iteration step, in no particular order
 * @iter: cursor, 0 to start
 *
 * Returns the next value, or NULL at the end. The table must not be
 * changed by insert or delete during an iteration (updating values and
 * lookups are fine).
 */
void *hashmap__next(const struct hashmap *h, size_t *iter);

/* hashmap__for_each - @val visits every value; @iter is a size_t cursor */
#define hashmap__for_each(h, iter, val) \
	for ((iter) = 0; ((val) = hashmap__next((h), &(iter))) != NULL;)

/* hashmap_cmp_t - orders two values; <0 puts @a first */
typedef int (*hashmap_cmp_t)(const void *a, const void *b, void *ctx);

/**
 * hashmap__sorted - every value of @h, sorted for a report
 * @cmp: the order, or NULL; ties (and everything when NULL) are broken by
 *       ascending key (u64 value, or key bytes as u64 words) so reports
 *       are deterministic
 * @nr:  set to the number of values returned
 *
 * Returns a malloc'ed array of value pointers for the caller to free(),
 * or NULL when the table is empty. Report path: allocates, exits on OOM.
 */
void **hashmap__sorted(const struct hashmap *h, hashmap_cmp_t cmp, void *ctx, size_t *nr);

/*
 * hashmap__hash_u64 - the table's own mix of a u64 (splitmix64's
 * finaliser): for callers whose hash combines u64s.
 */
static inline u64 hashmap__hash_u64(u64 k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return k;
}

/* hashmap_str_ops - ops for keys that are pointers to NUL-terminated strings */
extern const struct hashmap_ops hashmap_str_ops;

#endif
