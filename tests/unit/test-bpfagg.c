// SPDX-License-Identifier: GPL-2.0
/*
 * test-bpfagg.c - the programs lib/bpf/agg.c generates, run in the kernel
 * by BPF_PROG_TEST_RUN on records built here (BPF_AGG_TEST: the same code
 * as on a tracepoint, loaded as a syscall program), against what user
 * space computes from the same values:
 *   - a histogram block, column by column: count, the 128-bit sum across
 *     its carry, min, max, and each bucket against vstat__bucket(); values
 *     of 2^63 and more are below zero (s64), as in user space; and
 *     the vstat bpf_agg__hist_add() rebuilds from it against vstat__add()
 *   - counts and sums by a key expression, exactly
 *   - a full table: the rows it takes and the records it drops, counted
 *   - a run-time error (a division by zero) and a negative histogram value:
 *     counted apart, nothing added
 * Needs root and a kernel that runs syscall programs: skipped, saying why,
 * otherwise.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <traceevent/event-parse.h>

#include "agg.h"
#include "bpfagg.h"
#include "expr.h"
#include "harness.h"

#define REC_ID 78

static const char fmt_rec[] =
	"name: rec\nID: 78\nformat:\n" COMMON_FIELDS
	"\tfield:u64 v;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:s64 s;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\nprint fmt: \"v=%llu\", REC->v\n";

static struct tep_handle *tep;
static struct tep_event *recfmt;
static const char *skip_reason;

static bool ready(void)
{
	static bool tried;

	if (tried)
		return !skip_reason;
	tried = true;
	tep = tep_alloc();
	if (tep_parse_format(tep, &recfmt, fmt_rec, strlen(fmt_rec), "sys") || !recfmt)
		skip_reason = "cannot parse the test format";
	else if (geteuid())
		skip_reason = "loading BPF programs needs root";
	return !skip_reason;
}

struct table {
	struct bpf_agg *a;
	struct expr *key, *hist, *val;
	char why[512];
};

/*
 * table_new - one event's program: with @hist, a histogram block of that
 * expression; else a count and the sum of @val, by @key (NULL: one row)
 */
static int table_new(struct table *t, const char *key, const char *hist, const char *val,
		     u64 max_rows)
{
	const struct expr *vals[2] = { NULL, NULL };
	struct bpf_agg_ev ev = { .tp_id = REC_ID, .key_kind = BPF_AGG_KEY_NONE,
				 .open_slot = -1, .close_slot = -1 };
	struct err err;
	int r;

	memset(t, 0, sizeof(*t));
	if (key && !(t->key = expr_compile(key, recfmt, &err)))
		return snprintf(t->why, sizeof(t->why), "key: %.400s", err.msg), -EINVAL;
	if (hist && !(t->hist = expr_compile(hist, recfmt, &err)))
		return snprintf(t->why, sizeof(t->why), "hist: %.400s", err.msg), -EINVAL;
	if (val && !(t->val = expr_compile(val, recfmt, &err)))
		return snprintf(t->why, sizeof(t->why), "val: %.400s", err.msg), -EINVAL;
	ev.key = t->key;
	if (hist) {
		ev.hist = t->hist;
		ev.ncols = BPF_AGG_HIST_COLS;
	} else {
		vals[1] = t->val;
		ev.vals = vals;
		ev.ncols = 2;
	}
	r = bpf_agg__new(hist ? BPF_AGG_HIST_COLS : 2, max_rows, 1, false, false, BPF_AGG_TEST,
			 &t->a, t->why, sizeof(t->why));
	if (!r)
		r = bpf_agg__add(t->a, 0, &ev, t->why, sizeof(t->why));
	if (!r)
		r = bpf_agg__start(t->a, NULL, 0, t->why, sizeof(t->why));
	return r;
}

static void table_free(struct table *t)
{
	bpf_agg__delete(t->a);
	expr_free(t->key);
	expr_free(t->hist);
	expr_free(t->val);
}

/* run - the program on a record of @v and @s; 0 or -errno */
static int run(struct table *t, u64 v, s64 s)
{
	u8 rec[24] = { 0 };
	u16 id = REC_ID;

	memcpy(rec, &id, sizeof(id));
	memcpy(rec + 8, &v, sizeof(v));
	memcpy(rec + 16, &s, sizeof(s));
	return bpf_agg__test_run(t->a, 0, rec, sizeof(rec), 0, 4242, 4242);
}

/* set up a table, or skip the test saying why */
#define TABLE(t, key, hist, val, rows)                                                  \
	do {                                                                            \
		int r_;                                                                 \
		if (!ready())                                                           \
			SKIP(skip_reason);                                              \
		r_ = table_new(t, key, hist, val, rows);                                \
		if (r_) {                                                               \
			static char b_[600];                                            \
			snprintf(b_, sizeof(b_), "this kernel cannot run the test "      \
				 "program: %.500s", (t)->why);                          \
			table_free(t);                                                  \
			if (r_ == -EINVAL)                                              \
				TEST_FAIL("%s", b_);                                     \
			SKIP(b_);                                                       \
		}                                                                       \
	} while (0)

struct rows {
	int n;
	u64 key[16];
	u64 vals[16][BPF_AGG_HIST_COLS];
	int ncols;
};

static void row_cb(void *ctx, u64 key, const u64 *vals)
{
	struct rows *r = ctx;

	if (r->n < 16) {
		r->key[r->n] = key;
		memcpy(r->vals[r->n], vals, (size_t)r->ncols * sizeof(u64));
	}
	r->n++;
}

TEST(bpfagg_histogram_block)
{
	/* small, equal, spread over every magnitude, and two whose sum carries past 2^64 */
	static const u64 values[] = {
		0, 1, 1, 2, 3, 7, 8, 15, 16, 17, 100, 1000, 4095, 4096, 65537, 1000000,
		123456789, 1ULL << 40, (1ULL << 40) + 12345, 0x7fffffffffffffffULL,
		0x7ffffffffffffff0ULL, 0x7fffffffffffffffULL,
	};
	struct bpf_agg_stats st;
	u64 want[BPF_AGG_HIST_COLS] = { 0 };
	unsigned __int128 sum = 0;
	struct vstat vs = { 0 }, got = { 0 };
	struct rows rows = { .ncols = BPF_AGG_HIST_COLS };
	struct table t;
	int bad = -1;

	TABLE(&t, NULL, "v", NULL, 0);
	want[BPF_AGG_H_MIN] = UINT64_MAX;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		u64 v = values[i];

		CHECK_INT(run(&t, v, 0), 0);
		want[BPF_AGG_H_COUNT]++;
		sum += v;
		if (v < want[BPF_AGG_H_MIN])
			want[BPF_AGG_H_MIN] = v;
		if (v > want[BPF_AGG_H_MAX])
			want[BPF_AGG_H_MAX] = v;
		want[BPF_AGG_H_BUCKETS + vstat__bucket(v)]++;
		vstat__add(&vs, v);
	}
	want[BPF_AGG_H_SUM_LO] = (u64)sum;
	want[BPF_AGG_H_SUM_HI] = (u64)(sum >> 64);
	CHECK_INT(bpf_agg__read(t.a, row_cb, &rows), 0);
	CHECK_INT(rows.n, 1);
	for (int c = 0; rows.n == 1 && c < BPF_AGG_HIST_COLS && bad < 0; c++)
		if (rows.vals[0][c] != want[c])
			bad = c;
	if (bad >= 0)
		TEST_FAIL("column %d: kernel %llu, want %llu", bad,
			  (unsigned long long)rows.vals[0][bad], (unsigned long long)want[bad]);
	CHECK(want[BPF_AGG_H_SUM_HI] == 1);	/* the sum did carry */
	/* a value of 2^63 or more is below zero as both paths see it (s64): not added */
	CHECK_INT(run(&t, 0xffffffffffffffffULL, 0), 0);
	CHECK_INT(run(&t, 1ULL << 63, 0), 0);
	CHECK_INT(bpf_agg__stats(t.a, 0, &st), 0);
	CHECK_INT(st.negative, 2);
	CHECK_INT(st.samples, sizeof(values) / sizeof(values[0]));
	/* the statistics user space rebuilds are vstat__add()'s */
	bpf_agg__hist_add(&got, rows.vals[0]);
	CHECK_INT(got.count, vs.count);
	CHECK_INT(got.min, vs.min);
	CHECK_INT(got.max, vs.max);
	CHECK_INT(got.sum_lo, vs.sum_lo);
	CHECK_INT(got.sum_hi, vs.sum_hi);
	for (int p = 0; p <= 100; p += 5)
		CHECK_INT(vstat__percentile(&got, p), vstat__percentile(&vs, p));
	vstat__free(&vs);
	vstat__free(&got);
	table_free(&t);
}

TEST(bpfagg_counts_and_sums_by_key)
{
	struct rows rows = { .ncols = 2 };
	u64 count[3] = { 0 }, sum[3] = { 0 };
	struct bpf_agg_stats st;
	struct table t;
	int seen = 0;

	TABLE(&t, "v % 3", NULL, "v * 2", 0);
	for (u64 v = 1; v <= 100; v++) {
		CHECK_INT(run(&t, v, 0), 0);
		count[v % 3]++;
		sum[v % 3] += v * 2;
	}
	CHECK_INT(bpf_agg__read(t.a, row_cb, &rows), 0);
	CHECK_INT(rows.n, 3);
	for (int i = 0; i < rows.n && i < 3; i++) {
		u64 k = rows.key[i];

		if (k > 2) {
			TEST_FAIL("a row of key %llu", (unsigned long long)k);
			continue;
		}
		seen |= 1 << k;
		CHECK_INT(rows.vals[i][0], count[k]);
		CHECK_INT(rows.vals[i][1], sum[k]);
	}
	CHECK_INT(seen, 7);
	CHECK_INT(bpf_agg__stats(t.a, 0, &st), 0);
	CHECK_INT(st.samples, 100);
	CHECK_INT(st.drops, 0);
	table_free(&t);
}

TEST(bpfagg_full_table_counts_its_drops)
{
	struct rows rows = { .ncols = 2 };
	struct bpf_agg_stats st;
	struct table t;
	u64 in_rows = 0;

	TABLE(&t, "v", NULL, "1", 8);
	/* 12 keys, twice each: the first 8 keys take the 8 rows, the others are dropped */
	for (int round = 0; round < 2; round++)
		for (u64 v = 0; v < 12; v++)
			CHECK_INT(run(&t, v, 0), 0);
	CHECK_INT(bpf_agg__read(t.a, row_cb, &rows), 0);
	CHECK_INT(rows.n, 8);
	for (int i = 0; i < rows.n && i < 16; i++) {
		CHECK(rows.key[i] < 8);
		in_rows += rows.vals[i][0];
	}
	CHECK_INT(bpf_agg__stats(t.a, 0, &st), 0);
	CHECK_INT(in_rows, 16);
	CHECK_INT(st.drops, 8);
	CHECK_INT(st.samples + st.drops, 24);
	table_free(&t);
}

TEST(bpfagg_errors_and_negatives_add_nothing)
{
	struct rows rows = { .ncols = BPF_AGG_HIST_COLS };
	struct bpf_agg_stats st;
	struct table t;

	/* a division by zero in the key: counted as an error, no row */
	TABLE(&t, "100 / v", NULL, "1", 0);
	CHECK_INT(run(&t, 0, 0), 0);
	CHECK_INT(run(&t, 0, 0), 0);
	CHECK_INT(run(&t, 50, 0), 0);
	rows.ncols = 2;
	CHECK_INT(bpf_agg__read(t.a, row_cb, &rows), 0);
	CHECK_INT(rows.n, 1);
	CHECK_INT(rows.key[0], 2);
	CHECK_INT(bpf_agg__stats(t.a, 0, &st), 0);
	CHECK_INT(st.errors, 2);
	CHECK_INT(st.samples, 1);
	table_free(&t);

	/* a negative value for a histogram: counted apart, the block keeps the others */
	TABLE(&t, NULL, "s", NULL, 0);
	CHECK_INT(run(&t, 0, -5), 0);
	CHECK_INT(run(&t, 0, 7), 0);
	rows.n = 0;
	rows.ncols = BPF_AGG_HIST_COLS;
	CHECK_INT(bpf_agg__read(t.a, row_cb, &rows), 0);
	CHECK_INT(rows.n, 1);
	CHECK_INT(rows.vals[0][BPF_AGG_H_COUNT], 1);
	CHECK_INT(rows.vals[0][BPF_AGG_H_SUM_LO], 7);
	CHECK_INT(bpf_agg__stats(t.a, 0, &st), 0);
	CHECK_INT(st.negative, 1);
	table_free(&t);
}
