// SPDX-License-Identifier: GPL-2.0
/*
 * test-group.c - grouping by any key: syscall counts and bytes per
 * (pid, syscall nr) against a shadow array, a one-part group, the sorted
 * report with its parts read back, the bound, and interval rows merged
 * into the whole run's.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "harness.h"

struct sysrow {
	u64 calls;
	u64 bytes;
};

enum { PIDS = 50, NRS = 300 };

/* a synthetic stream of (pid, nr, bytes) into @g, the same sums into @shadow */
static void feed(struct group *g, struct sysrow (*shadow)[NRS], int n, u64 seed)
{
	for (int i = 0; i < n; i++) {
		u64 x = test_key(seed + (u64)i), parts[2] = { 1000 + x % PIDS, (x >> 16) % NRS };
		struct sysrow *r = group__row(g, parts);

		if (!r)
			continue;
		r->calls++;
		r->bytes += (x >> 32) & 0xfff;
		shadow[parts[0] - 1000][parts[1]].calls++;
		shadow[parts[0] - 1000][parts[1]].bytes += (x >> 32) & 0xfff;
	}
}

static struct sysrow shadow[PIDS][NRS];

TEST(group_pid_by_syscall)
{
	struct group *g = group__new(2, sizeof(struct sysrow), 0);
	size_t nr = 0, iter, rows = 0;
	struct sysrow *r;
	u64 bad = 0;

	memset(shadow, 0, sizeof(shadow));
	feed(g, shadow, 200000, 1);
	for (int p = 0; p < PIDS; p++)
		for (int n = 0; n < NRS; n++) {
			u64 parts[2] = { 1000 + (u64)p, (u64)n };
			const struct sysrow *f = group__find(g, parts);

			rows += shadow[p][n].calls != 0;
			bad += shadow[p][n].calls ? !f || f->calls != shadow[p][n].calls ||
							    f->bytes != shadow[p][n].bytes :
						    f != NULL;
		}
	CHECK_U64(bad, 0);
	CHECK_U64(group__nr(g), rows);
	/* every row's parts come back */
	group__for_each(g, iter, r) {
		const u64 *parts = group__parts(g, r);

		bad += parts[0] < 1000 || parts[0] >= 1000 + PIDS || parts[1] >= NRS ||
		       shadow[parts[0] - 1000][parts[1]].calls != r->calls;
	}
	CHECK_U64(bad, 0);
	/* by parts: pid, then syscall */
	{
		void **v = group__sorted(g, NULL, NULL, &nr);

		CHECK_U64(nr, rows);
		for (size_t i = 1; v && i < nr; i++) {
			const u64 *a = group__parts(g, v[i - 1]), *b = group__parts(g, v[i]);

			bad += a[0] > b[0] || (a[0] == b[0] && a[1] >= b[1]);
		}
		CHECK_U64(bad, 0);
		free(v);
	}
	group__delete(g);
}

static int by_calls(const void *a, const void *b, void *ctx)
{
	const struct sysrow *x = a, *y = b;

	return x->calls != y->calls ? (x->calls > y->calls ? -1 : 1) : 0;
}

TEST(group_one_part_sorted_bound)
{
	struct group *g = group__new(1, sizeof(struct sysrow), 3);
	u64 k[] = { 7, 3, 9, 5 }, calls[] = { 2, 5, 2, 1 };
	size_t nr;
	void **v;

	for (int i = 0; i < 4; i++) {
		struct sysrow *r = group__row(g, &k[i]);

		CHECK((r != NULL) == (i < 3));
		if (r)
			r->calls = calls[i];
	}
	CHECK_U64(group__drops(g), 1);
	v = group__sorted(g, by_calls, NULL, &nr);
	CHECK_U64(nr, 3);
	/* 5 calls first, then the two of 2 by key */
	if (v && nr == 3) {
		CHECK_U64(group__parts(g, v[0])[0], 3);
		CHECK_U64(group__parts(g, v[1])[0], 7);
		CHECK_U64(group__parts(g, v[2])[0], 9);
	}
	free(v);
	/* the cache: the same row twice, then another, then the first again */
	{
		struct sysrow *a = group__row(g, &k[0]), *b = group__row(g, &k[0]);

		CHECK(a == b);
		group__row(g, &k[1]);
		CHECK(group__row(g, &k[0]) == group__find(g, &k[0]));
	}
	group__reset(g);
	CHECK_U64(group__nr(g), 0);
	CHECK(group__find(g, &k[0]) == NULL);
	CHECK(group__new(0, 8, 0) == NULL);
	CHECK(group__new(GROUP_MAX_PARTS + 1, 8, 0) == NULL);
	group__delete(g);
}

static void add_sysrow(void *dst, const void *src, void *ctx)
{
	struct sysrow *d = dst;
	const struct sysrow *s = src;

	d->calls += s->calls;
	d->bytes += s->bytes;
	(*(int *)ctx)++;
}

/* intervals merged into the whole run: the same sums as one long interval */
TEST(group_interval_merge)
{
	struct group *iv = group__new(2, sizeof(struct sysrow), 0);
	struct group *whole = group__new(2, sizeof(struct sysrow), 0);
	struct group *once = group__new(2, sizeof(struct sysrow), 0);
	size_t iter;
	struct sysrow *r;
	u64 bad = 0;
	int adds = 0;

	memset(shadow, 0, sizeof(shadow));
	for (int i = 0; i < 5; i++) {
		feed(iv, shadow, 30000, (u64)i * 30000);
		CHECK_U64(group__merge(whole, iv, add_sysrow, &adds), group__nr(iv));
		group__reset(iv);
	}
	memset(shadow, 0, sizeof(shadow));
	feed(once, shadow, 150000, 0);
	CHECK_U64(group__nr(whole), group__nr(once));
	group__for_each(once, iter, r) {
		const struct sysrow *w = group__find(whole, group__parts(once, r));

		bad += !w || w->calls != r->calls || w->bytes != r->bytes;
	}
	CHECK_U64(bad, 0);
	CHECK(adds > 0);
	group__delete(iv);
	group__delete(whole);
	group__delete(once);
}
