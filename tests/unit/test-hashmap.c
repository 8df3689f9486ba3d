// SPDX-License-Identifier: GPL-2.0
/*
 * test-hashmap.c - unit tests of lib/core/hashmap.c: insert/find/delete
 * under sequential, random and delete-heavy u64 keys, bounds and drops,
 * growth, reset, the key ~0, sorting; string keys through the caller's
 * ops; byte keys (composite keys); and the FNV-1a of util.h against its
 * published test vectors.
 */
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "harness.h"

/* fill @t with keys f(0..n-1), value = the key's index */
static void fill(struct hashmap *t, u64 (*f)(u64), u64 n)
{
	for (u64 i = 0; i < n; i++) {
		bool created = false;
		u64 *v = hashmap__get_new(t, f(i), &created);

		if (!v || !created || *v != 0) {
			TEST_FAIL("insert of key #%llu failed", (unsigned long long)i);
			return;
		}
		*v = i;
	}
}

static u64 seq_key(u64 i)
{
	return i;
}

/* insert, find, delete half, reinsert: exact counts and values */
static void check_keys(u64 (*f)(u64), u64 n)
{
	struct hashmap *t = hashmap__new(sizeof(u64), 0);
	u64 bad = 0;

	fill(t, f, n);
	CHECK_U64(hashmap__nr(t), n);
	for (u64 i = 0; i < n; i++) {
		u64 *v = hashmap__find(t, f(i));

		bad += !v || *v != i;
	}
	CHECK_U64(bad, 0);
	for (u64 i = 0; i < n; i += 2)
		bad += !hashmap__del(t, f(i));
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__nr(t), n / 2);
	for (u64 i = 0; i < n; i++) {
		u64 *v = hashmap__find(t, f(i));

		if (i % 2)
			bad += !v || *v != i;
		else
			bad += v != NULL;
	}
	CHECK_U64(bad, 0);
	/* deleting again finds nothing */
	for (u64 i = 0; i < n; i += 2)
		bad += hashmap__del(t, f(i));
	CHECK_U64(bad, 0);
	/* reinsert: values come back zeroed */
	for (u64 i = 0; i < n; i += 2) {
		bool created = false;
		u64 *v = hashmap__get_new(t, f(i), &created);

		bad += !v || !created || *v != 0;
		if (v)
			*v = i;
	}
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__nr(t), n);
	for (u64 i = 0; i < n; i++) {
		bool created = true;
		u64 *v = hashmap__get_new(t, f(i), &created);

		bad += !v || created || *v != i;
	}
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__drops(t), 0);
	hashmap__free(t);
}

TEST(hashmap_sequential_1m)
{
	check_keys(seq_key, 1000000);
}

TEST(hashmap_random_1m)
{
	check_keys(test_key, 1000000);
}

/* kmemleak-like: 10M allocations, at most 1000 alive; memory stays put */
TEST(hashmap_delete_heavy_bounded)
{
	const u64 live = 1000, n = 10000000, base = 0xffff888000000000ULL;
	struct hashmap *t = hashmap__new(24, 0), *ref = hashmap__new(24, 0);
	u64 bad = 0;

	for (u64 i = 0; i < n; i++) {
		u64 *v = hashmap__get(t, base + i * 64);

		bad += !v;
		if (v)
			v[0] = i;
		if (i >= live)
			bad += !hashmap__del(t, base + (i - live) * 64);
	}
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__nr(t), live);
	for (u64 i = n - live; i < n; i++) {
		u64 *v = hashmap__find(t, base + i * 64);

		bad += !v || v[0] != i;
	}
	CHECK_U64(bad, 0);
	CHECK(hashmap__find(t, base + (n - live - 1) * 64) == NULL);
	/* the peak was live + 1 keys: same memory as a table that held that */
	for (u64 i = 0; i <= live; i++)
		hashmap__get(ref, i);
	CHECK_U64(hashmap__mem_bytes(t), hashmap__mem_bytes(ref));
	/* 1001 keys at <= 75% load: 2048 slots (+1 reserved) of 32 bytes */
	CHECK(hashmap__mem_bytes(t) >= 2049 * 32);
	CHECK(hashmap__mem_bytes(t) < 2049 * 32 + 256);
	hashmap__free(t);
	hashmap__free(ref);
}

/*
 * Random inserts and deletes over a small key space (so runs collide and
 * backward shifts wrap around the array), checked op by op against a
 * plain array. Key index 255 maps to UINT64_MAX, the reserved slot.
 */
TEST(hashmap_random_ops_vs_shadow)
{
	enum { SPACE = 256, OPS = 400000 };
	u64 shadow[SPACE] = { 0 };
	bool present[SPACE] = { false };
	struct hashmap *t = hashmap__new(sizeof(u64), 0);
	u64 state = 1, bad = 0, nr = 0;

	for (u64 op = 0; op < OPS; op++) {
		unsigned r, idx;
		u64 key;

		state = test_key(state);
		r = (unsigned)(state >> 32);
		idx = r % SPACE;
		key = idx == SPACE - 1 ? UINT64_MAX : idx * 0x9e3779b97f4a7c15ULL;
		if (r & (1u << 30)) {
			bool created;
			u64 *v = hashmap__get_new(t, key, &created);

			bad += !v || created == present[idx];
			bad += v && !created && *v != shadow[idx];
			if (v)
				*v = shadow[idx] = op;
			nr += !present[idx];
			present[idx] = true;
		} else {
			bad += hashmap__del(t, key) != present[idx];
			nr -= present[idx];
			present[idx] = false;
		}
		bad += hashmap__nr(t) != nr;
	}
	for (unsigned i = 0; i < SPACE; i++) {
		u64 key = i == SPACE - 1 ? UINT64_MAX : i * 0x9e3779b97f4a7c15ULL;
		u64 *v = hashmap__find(t, key);

		bad += present[i] ? !v || *v != shadow[i] : v != NULL;
	}
	CHECK_U64(bad, 0);
	hashmap__free(t);
}

TEST(hashmap_bound_drops)
{
	struct hashmap *t = hashmap__new(sizeof(u64), 100);
	unsigned ok = 0, null = 0;

	for (u64 i = 0; i < 150; i++) {
		if (hashmap__get(t, i * 7))
			ok++;
		else
			null++;
	}
	CHECK_INT(ok, 100);
	CHECK_INT(null, 50);
	CHECK_U64(hashmap__drops(t), 50);
	CHECK_U64(hashmap__nr(t), 100);
	/* present keys still resolve, without a drop */
	CHECK(hashmap__get(t, 99 * 7) != NULL);
	CHECK(hashmap__get(t, UINT64_MAX) == NULL);
	CHECK_U64(hashmap__drops(t), 51);
	CHECK(hashmap__find(t, 100 * 7) == NULL);
	/* a delete makes room for one */
	CHECK(hashmap__del(t, 0));
	CHECK(hashmap__get(t, UINT64_MAX) != NULL);
	CHECK(hashmap__get(t, 100 * 7) == NULL);
	CHECK_U64(hashmap__drops(t), 52);
	CHECK_U64(hashmap__nr(t), 100);
	hashmap__free(t);
}

/* load <= 75%: 64 slots hold 48 keys, 128 hold 96; ~0 is extra */
TEST(hashmap_growth)
{
	struct hashmap *t = hashmap__new(8, 0);
	size_t mem0 = hashmap__mem_bytes(t), mem1;

	*(u64 *)hashmap__get(t, UINT64_MAX) = 77;	/* moves along */
	for (u64 i = 0; i < 48; i++)
		hashmap__get(t, i);
	CHECK_U64(hashmap__mem_bytes(t), mem0);
	hashmap__get(t, 48);
	mem1 = hashmap__mem_bytes(t);
	CHECK_U64(mem1 - mem0, 64 * 16);
	for (u64 i = 49; i < 96; i++)
		hashmap__get(t, i);
	CHECK_U64(hashmap__mem_bytes(t), mem1);
	hashmap__get(t, 96);
	CHECK_U64(hashmap__mem_bytes(t) - mem1, 128 * 16);
	/* the reserved key takes no array slot */
	CHECK_U64(*(u64 *)hashmap__find(t, UINT64_MAX), 77);
	CHECK_U64(hashmap__nr(t), 98);
	hashmap__free(t);
}

TEST(hashmap_reset)
{
	struct hashmap *t = hashmap__new(16, 10);
	size_t mem;
	u64 *v;

	for (u64 i = 0; i < 11; i++) {
		v = hashmap__get(t, i);
		if (v)
			v[0] = v[1] = 0xdead;
	}
	CHECK_U64(hashmap__drops(t), 1);
	hashmap__get(t, UINT64_MAX);
	mem = hashmap__mem_bytes(t);
	hashmap__reset(t);
	CHECK_U64(hashmap__nr(t), 0);
	CHECK(hashmap__find(t, 3) == NULL);
	CHECK(hashmap__find(t, UINT64_MAX) == NULL);
	CHECK_U64(hashmap__mem_bytes(t), mem);
	CHECK_U64(hashmap__drops(t), 2);	/* cumulative */
	v = hashmap__get(t, 3);
	CHECK(v && v[0] == 0 && v[1] == 0);
	CHECK_U64(hashmap__nr(t), 1);
	hashmap__free(t);
}

TEST(hashmap_extreme_keys_and_iteration)
{
	struct hashmap *t = hashmap__new(sizeof(u64), 0);
	u64 keys[] = { 0, 1, UINT64_MAX, UINT64_MAX - 1, 1ULL << 63 };
	u64 seen = 0, sum = 0;
	size_t iter;
	void *val;

	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++)
		*(u64 *)hashmap__get(t, keys[i]) = 1ULL << i;
	CHECK_U64(hashmap__nr(t), 5);
	hashmap__for_each(t, iter, val) {
		seen |= *(u64 *)val;
		sum += hashmap__key(val) == keys[__builtin_ctzll(*(u64 *)val)];
	}
	CHECK_U64(seen, 0x1f);
	CHECK_U64(sum, 5);
	CHECK(hashmap__del(t, UINT64_MAX));
	CHECK(!hashmap__del(t, UINT64_MAX));
	CHECK(hashmap__find(t, UINT64_MAX) == NULL);
	CHECK_U64(*(u64 *)hashmap__find(t, UINT64_MAX - 1), 8);
	CHECK_U64(hashmap__nr(t), 4);
	hashmap__free(t);

	/* a set: vsize 0 */
	t = hashmap__new(0, 0);
	CHECK(hashmap__get(t, 42) != NULL);
	CHECK(hashmap__find(t, 42) != NULL);
	CHECK(hashmap__find(t, 43) == NULL);
	hashmap__free(t);
	CHECK(hashmap__new(2u << 20, 0) == NULL);
}

struct row {
	u64 calls;
	u64 bytes;
	char name[16];
};

static int row_cmp(const void *a, const void *b, void *ctx)
{
	const struct row *x = a, *y = b;
	int *called = ctx;

	(*called)++;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return 0;
}

TEST(hashmap_sorted)
{
	struct hashmap *t = hashmap__new(sizeof(struct row), 0);
	static const struct { u64 key, calls; } in[] = {
		{ 7, 10 }, { 3, 30 }, { 9, 10 }, { 1, 20 }, { 5, 30 }, { 100, 5 },
	};
	static const u64 want_desc[] = { 3, 5, 1, 7, 9, 100 };
	static const u64 want_key[] = { 1, 3, 5, 7, 9, 100 };
	void **v;
	size_t nr;
	int called = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(in); i++) {
		struct row *r = hashmap__get(t, in[i].key);

		r->calls = in[i].calls;
		snprintf(r->name, sizeof(r->name), "k%llu", (unsigned long long)in[i].key);
	}
	v = hashmap__sorted(t, row_cmp, &called, &nr);
	CHECK_U64(nr, ARRAY_SIZE(want_desc));
	CHECK(called > 0);
	for (size_t i = 0; v && i < nr; i++)
		CHECK_U64(hashmap__key(v[i]), want_desc[i]);
	CHECK_STR(((struct row *)v[0])->name, "k3");
	free(v);
	v = hashmap__sorted(t, NULL, NULL, &nr);
	for (size_t i = 0; v && i < nr; i++)
		CHECK_U64(hashmap__key(v[i]), want_key[i]);
	free(v);
	hashmap__reset(t);
	nr = 99;
	CHECK(hashmap__sorted(t, NULL, NULL, &nr) == NULL);
	CHECK_U64(nr, 0);
	hashmap__free(t);
}

/* published FNV-1a 64-bit test vectors */
TEST(fnv1a_vectors)
{
	u64 w[2] = { 1, 2 };

	CHECK_U64(fnv1a_bytes(FNV1A_INIT, "", 0), 0xcbf29ce484222325ULL);
	CHECK_U64(fnv1a_bytes(FNV1A_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	CHECK_U64(fnv1a_bytes(FNV1A_INIT, "foobar", 6), 0x85944171f73967e8ULL);
	CHECK_U64(fnv1a_str(FNV1A_INIT, "foobar"), 0x85944171f73967e8ULL);
	/* chained calls hash the concatenation */
	CHECK_U64(fnv1a_str(fnv1a_str(FNV1A_INIT, "foo"), "bar"), 0x85944171f73967e8ULL);
	/* one step per word: ((init ^ 1) * p ^ 2) * p */
	CHECK_U64(fnv1a_words(FNV1A_INIT, w, 2),
		  ((FNV1A_INIT ^ 1) * FNV1A_PRIME ^ 2) * FNV1A_PRIME);
}

/* string keys through hashmap_str_ops: equal contents at other addresses match */
TEST(hashmap_string_keys)
{
	struct hashmap *t = hashmap__new_ops(sizeof(u64), 0, &hashmap_str_ops);
	enum { N = 20000 };
	char **strs = xzalloc(N * sizeof(*strs)), buf[32];
	u64 bad = 0;

	for (int i = 0; i < N; i++) {
		bool created = false;
		u64 *v;

		strs[i] = xasprintf("frame_%d;main", i);
		v = hashmap__get_new(t, (u64)(uintptr_t)strs[i], &created);
		bad += !v || !created;
		if (v)
			*v = (u64)i;
	}
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__nr(t), N);
	for (int i = 0; i < N; i++) {
		u64 *v;

		snprintf(buf, sizeof(buf), "frame_%d;main", i);
		v = hashmap__find(t, (u64)(uintptr_t)buf);
		bad += !v || *v != (u64)i;
		/* the stored key is the first pointer given */
		bad += v && hashmap__key(v) != (u64)(uintptr_t)strs[i];
	}
	CHECK_U64(bad, 0);
	snprintf(buf, sizeof(buf), "frame_%d;main", N);
	CHECK(hashmap__find(t, (u64)(uintptr_t)buf) == NULL);
	for (int i = 0; i < N; i += 2) {
		snprintf(buf, sizeof(buf), "frame_%d;main", i);
		bad += !hashmap__del(t, (u64)(uintptr_t)buf);
	}
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__nr(t), N / 2);
	for (int i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "frame_%d;main", i);
		bad += (hashmap__find(t, (u64)(uintptr_t)buf) != NULL) != (i % 2);
	}
	CHECK_U64(bad, 0);
	hashmap__free(t);
	for (int i = 0; i < N; i++)
		free(strs[i]);
	free(strs);
}

/* a composite key: (pid, syscall nr) as 16 bytes */
struct pidnr {
	u64 pid;
	u64 nr;
};

TEST(hashmap_byte_keys_vs_shadow)
{
	enum { PIDS = 300, NRS = 400 };
	struct hashmap *t = hashmap__new_keys(sizeof(struct pidnr), sizeof(u64), 0);
	static u64 shadow[PIDS][NRS];
	u64 bad = 0, nr = 0, x = 12345;

	memset(shadow, 0, sizeof(shadow));
	for (int i = 0; i < 400000; i++) {
		struct pidnr k;
		u64 *v;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		k.pid = (x >> 33) % PIDS;
		k.nr = (x >> 13) % NRS;
		if ((x >> 60) < 3) {
			bool was = shadow[k.pid][k.nr] != 0;

			bad += hashmap__kdel(t, &k) != was;
			nr -= was;
			shadow[k.pid][k.nr] = 0;
			continue;
		}
		v = hashmap__kget(t, &k);
		if (!v) {
			bad++;
			continue;
		}
		nr += *v == 0;
		(*v)++;
		shadow[k.pid][k.nr]++;
	}
	CHECK_U64(bad, 0);
	CHECK_U64(hashmap__nr(t), nr);
	for (u64 p = 0; p < PIDS; p++)
		for (u64 n = 0; n < NRS; n++) {
			struct pidnr k = { p, n };
			u64 *v = hashmap__kfind(t, &k);

			bad += shadow[p][n] ? !v || *v != shadow[p][n] : v != NULL;
			if (v) {
				const struct pidnr *kk = hashmap__kkey(t, v);

				bad += kk->pid != p || kk->nr != n;
			}
		}
	CHECK_U64(bad, 0);
	hashmap__free(t);
}

TEST(hashmap_byte_keys_sorted_bound)
{
	struct hashmap *t = hashmap__new_keys(sizeof(struct pidnr), 0, 5);
	struct pidnr in[] = { { 2, 1 }, { 1, 9 }, { 2, 0 }, { 1, 3 }, { 0, 7 }, { 3, 3 } };
	struct pidnr want[] = { { 0, 7 }, { 1, 3 }, { 1, 9 }, { 2, 0 }, { 2, 1 } };
	size_t n;
	void **v;

	for (unsigned i = 0; i < ARRAY_SIZE(in); i++)
		CHECK((hashmap__kget(t, &in[i]) != NULL) == (i < 5));
	CHECK_U64(hashmap__drops(t), 1);
	v = hashmap__sorted(t, NULL, NULL, &n);
	CHECK_U64(n, 5);
	for (size_t i = 0; v && i < n; i++)
		CHECK(!memcmp(hashmap__kkey(t, v[i]), &want[i], sizeof(want[i])));
	free(v);
	CHECK(hashmap__new_keys(12, 0, 0) == NULL);
	CHECK(hashmap__new_keys(0, 0, 0) == NULL);
	hashmap__free(t);
}
