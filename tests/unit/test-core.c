// SPDX-License-Identifier: GPL-2.0
/*
 * test-core.c - the pipeline's small parts without a kernel: number and
 * duration parsers, the option parser, the ring reader (including records
 * that wrap and sizes that cannot be), the k-way merge, the sample id map,
 * the JSON writer.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "idmap.h"
#include "json.h"
#include "opt.h"
#include "order.h"
#include "ring.h"
#include "tasks.h"
#include "util.h"

TEST(parse_u64_strict)
{
	u64 v = 0;

	CHECK_INT(parse_u64("42", &v), 0);
	CHECK_U64(v, 42);
	CHECK_INT(parse_u64("0x10", &v), 0);
	CHECK_U64(v, 16);
	CHECK_INT(parse_u64("18446744073709551615", &v), 0);
	CHECK_U64(v, 18446744073709551615ULL);
	CHECK_INT(parse_u64("18446744073709551616", &v), -1);
	CHECK_INT(parse_u64("-1", &v), -1);
	CHECK_INT(parse_u64("", &v), -1);
	CHECK_INT(parse_u64("12a", &v), -1);
	CHECK_INT(parse_u64(" 1", &v), -1);
}

TEST(parse_duration_units)
{
	u64 ns = 0;

	CHECK_INT(parse_duration("10", &ns), 0);
	CHECK_U64(ns, 10);
	CHECK_INT(parse_duration("10ns", &ns), 0);
	CHECK_U64(ns, 10);
	CHECK_INT(parse_duration("5us", &ns), 0);
	CHECK_U64(ns, 5000);
	CHECK_INT(parse_duration("2MS", &ns), 0);
	CHECK_U64(ns, 2000000);
	CHECK_INT(parse_duration("1s", &ns), 0);
	CHECK_U64(ns, 1000000000);
	CHECK_INT(parse_duration("1.5ms", &ns), 0);
	CHECK_U64(ns, 1500000);
	CHECK_INT(parse_duration("0.000001s", &ns), 0);
	CHECK_U64(ns, 1000);
	/* the reference silently took these as ns; they are errors here */
	CHECK_INT(parse_duration("5m", &ns), -1);
	CHECK_INT(parse_duration("5u", &ns), -1);
	CHECK_INT(parse_duration("ms", &ns), -1);
	CHECK_INT(parse_duration("", &ns), -1);
	CHECK_INT(parse_duration("-5ms", &ns), -1);
	CHECK_INT(parse_duration("99999999999999999999s", &ns), -1);
}

struct o {
	bool flag;
	int count;
	int num;
	u64 big;
	u64 dur;
	const char *str;
	struct strlist list;
};

static const struct opt test_opts[] = {
	{ OPT_BOOL, 'f', "flag", offsetof(struct o, flag), NULL, "a flag", NULL, false },
	{ OPT_COUNT, 'v', "verbose", offsetof(struct o, count), NULL, "count", NULL, false },
	{ OPT_INT, 'n', "num", offsetof(struct o, num), "N", "a number", NULL, false },
	{ OPT_U64, 0, "big", offsetof(struct o, big), "N", "a u64", NULL, false },
	{ OPT_DURATION, 0, "than", offsetof(struct o, dur), "TIME", "a duration", NULL, false },
	{ OPT_STRING, 's', "str", offsetof(struct o, str), "S", "a string", NULL, false },
	{ OPT_STRLIST, 'e', "event", offsetof(struct o, list), "E", "a list", NULL, false },
	OPT_TABLE_END,
};

static int parse(struct o *o, int argc, char **argv, int *rest, bool *help, struct err *err)
{
	struct opt_set set = { test_opts, o, "T" };

	memset(o, 0, sizeof(*o));
	*help = false;
	return opt_parse(argc, argv, &set, 1, rest, "help", help, err);
}

TEST(opt_parse_forms)
{
	char *argv[] = { "-vvf", "-n", "3", "--big=0x20", "--than", "2ms", "-sabc", "-e", "a:b",
			 "--event=c:d", "help", "cmd", "--x" };
	struct err err;
	struct o o;
	bool help;
	int rest;

	CHECK_INT(parse(&o, 13, argv, &rest, &help, &err), 0);
	CHECK_INT(o.count, 2);
	CHECK(o.flag);
	CHECK_INT(o.num, 3);
	CHECK_U64(o.big, 32);
	CHECK_U64(o.dur, 2000000);
	CHECK_STR(o.str, "abc");
	CHECK_INT(o.list.n, 2);
	CHECK_STR(o.list.v[1], "c:d");
	CHECK(help);
	CHECK_INT(rest, 11);	/* stops at the workload "cmd" */
	free(o.list.v);
}

TEST(opt_parse_double_dash_and_no)
{
	char *argv[] = { "--flag", "--no-flag", "--", "-f" };
	struct err err;
	struct o o;
	bool help;
	int rest;

	CHECK_INT(parse(&o, 4, argv, &rest, &help, &err), 0);
	CHECK(!o.flag);
	CHECK_INT(rest, 3);
}

TEST(opt_parse_errors)
{
	struct err err;
	struct o o;
	bool help;
	int rest;
	char *a1[] = { "--nope" };
	char *a2[] = { "-x" };
	char *a3[] = { "-n" };
	char *a4[] = { "-n", "3x" };
	char *a5[] = { "--than", "5m" };
	char *a6[] = { "--flag=1" };
	char *a7[] = { "--big", "-1" };

	CHECK_INT(parse(&o, 1, a1, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "unknown option '--nope'");
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_INT(parse(&o, 1, a2, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "unknown option '-x'");
	CHECK_INT(parse(&o, 1, a3, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "option '-n' requires a value");
	CHECK_INT(parse(&o, 2, a4, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "invalid value '3x' for --num: not an integer");
	CHECK_INT(parse(&o, 2, a5, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "invalid duration '5m' for --than");
	CHECK_INT(parse(&o, 1, a6, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "option '--flag' takes no value");
	CHECK_INT(parse(&o, 2, a7, &rest, &help, &err), -1);
	CHECK_STR(err.msg, "invalid value '-1' for --big: not a non-negative integer");
}

/* put one record of @size bytes (type @type, payload byte @fill) at @pos */
static void put_record(unsigned char *data, u64 mask, u64 pos, u16 size, u32 type, unsigned char fill)
{
	struct perf_event_header h = { .type = type, .misc = 0, .size = size };

	for (u64 i = 0; i < size; i++)
		data[(pos + i) & mask] = i < sizeof(h) ? ((unsigned char *)&h)[i] : fill;
}

/* a fake mmap ring: control page + 4 KiB of data */
static void *fake_ring(u64 data_size)
{
	unsigned char *base = aligned_alloc(4096, 4096 + data_size);
	struct perf_event_mmap_page *meta = (void *)base;

	memset(base, 0, 4096 + data_size);
	meta->data_offset = 4096;
	meta->data_size = data_size;
	return base;
}

TEST(ring_wrapped_record)
{
	void *base = fake_ring(4096);
	struct perf_event_mmap_page *meta = base;
	unsigned char *data = (unsigned char *)base + 4096;
	const struct perf_event_header *h;
	struct ring r;

	/* start near the end so the second record wraps */
	meta->data_tail = 4096 - 48;
	ring__init_mmap(&r, base, 4096, -1, 0, -1);
	put_record(data, 4095, 4096 - 48, 32, 9, 0xaa);
	put_record(data, 4095, 4096 - 16, 64, 9, 0xbb);
	meta->data_head = 4096 - 48 + 32 + 64;
	ring__refresh(&r);
	h = ring__peek(&r);
	CHECK(h && h->size == 32 && ((const unsigned char *)h)[31] == 0xaa);
	ring__consume(&r, h);
	h = ring__peek(&r);
	CHECK(h && h->size == 64);
	/* the wrapped record is whole and contiguous in the copy */
	CHECK(h && (const unsigned char *)h == r.copy);
	if (h) {
		int good = 1;

		for (int i = 8; i < 64; i++)
			good &= ((const unsigned char *)h)[i] == 0xbb;
		CHECK(good);
		ring__consume(&r, h);
	}
	CHECK(ring__peek(&r) == NULL);
	ring__done(&r);
	CHECK_U64(meta->data_tail, 4096 - 48 + 96);
	CHECK_U64(r.records, 2);
	CHECK_U64(r.bytes, 96);
	ring__exit(&r);
	free(base);
}

/* the cursor reads what ring__peek() reads: a wrapped record, then a broken one */
TEST(ring_cursor_wrap_and_resync)
{
	void *base = fake_ring(4096);
	struct perf_event_mmap_page *meta = base;
	unsigned char *data = (unsigned char *)base + 4096;
	const struct perf_event_header *h;
	struct ring_cur c;
	struct ring r;
	int n = 0;

	meta->data_tail = 4096 - 48;
	ring__init_mmap(&r, base, 4096, -1, 0, -1);
	put_record(data, 4095, 4096 - 48, 32, 9, 0xaa);
	put_record(data, 4095, 4096 - 16, 64, 9, 0xbb);	/* wraps */
	put_record(data, 4095, 4096 - 48 + 96, 24, 9, 0xcc);
	put_record(data, 4095, 4096 - 48 + 120, 4, 9, 0);	/* impossible size */
	meta->data_head = 4096 - 48 + 120 + 40;
	ring__refresh(&r);
	ring_cur__begin(&c, &r);
	while ((h = ring_cur__peek(&c))) {
		unsigned char want = n == 0 ? 0xaa : n == 1 ? 0xbb : 0xcc;

		CHECK_INT(((const unsigned char *)h)[h->size - 1], want);
		if (n == 1)
			CHECK((const unsigned char *)h == r.copy);
		ring_cur__consume(&c, h);
		n++;
	}
	ring_cur__end(&c);
	CHECK_INT(n, 3);
	CHECK_U64(r.records, 3);
	CHECK_U64(r.bytes, 120);	/* the 40 skipped bytes are not "consumed" */
	CHECK_U64(r.corrupt, 1);
	CHECK_U64(r.pos, 4096 - 48 + 160);	/* resynchronised at head */
	ring__done(&r);
	CHECK_U64(meta->data_tail, 4096 - 48 + 160);
	ring__exit(&r);
	free(base);
}

TEST(ring_impossible_sizes)
{
	void *base = fake_ring(4096);
	struct perf_event_mmap_page *meta = base;
	unsigned char *data = (unsigned char *)base + 4096;
	struct ring r;

	ring__init_mmap(&r, base, 4096, -1, 0, -1);
	/* size 4 (smaller than a header), then one running past head */
	put_record(data, 4095, 0, 4, 9, 0);
	meta->data_head = 64;
	ring__refresh(&r);
	CHECK(ring__peek(&r) == NULL);
	CHECK_U64(r.corrupt, 1);
	CHECK_U64(r.pos, 64);	/* skipped to head, not stuck */
	put_record(data, 4095, 64, 200, 9, 0);
	meta->data_head = 64 + 100;
	ring__refresh(&r);
	CHECK(ring__peek(&r) == NULL);
	CHECK_U64(r.corrupt, 2);
	ring__exit(&r);
	free(base);
}

TEST(ring_buffer_backed)
{
	unsigned char buf[64];
	struct ring r;
	int n = 0;
	const struct perf_event_header *h;

	memset(buf, 0, sizeof(buf));
	put_record(buf, ~0ULL, 0, 24, 9, 1);
	put_record(buf, ~0ULL, 24, 40, 9, 2);
	ring__init_buffer(&r, buf, sizeof(buf), 3);
	while ((h = ring__peek(&r))) {
		n++;
		ring__consume(&r, h);
	}
	CHECK_INT(n, 2);
	CHECK_INT(r.cpu, 3);
	ring__exit(&r);
}

/* order: each ring holds records whose time is the first u64 of the payload */
static u64 rec_time(void *arg, const struct perf_event_header *h)
{
	u64 t;

	memcpy(&t, h + 1, 8);
	return t;
}

struct collected {
	u64 t[64];
	int n;
	int stop_after;
};

static void collect(void *arg, struct ring *r, const struct perf_event_header *h)
{
	struct collected *c = arg;

	c->t[c->n++] = rec_time(NULL, h);
}

static bool stop_at(void *arg)
{
	struct collected *c = arg;

	return c->stop_after && c->n >= c->stop_after;
}

static void fill(unsigned char *buf, const u64 *times, int n)
{
	for (int i = 0; i < n; i++) {
		struct perf_event_header h = { 9, 0, 16 };

		memcpy(buf + i * 16, &h, 8);
		memcpy(buf + i * 16 + 8, &times[i], 8);
	}
}

TEST(order_merges_by_time)
{
	static const u64 a[] = { 1, 4, 9, 10 }, b[] = { 2, 3, 11 }, c[] = { 5, 6, 7, 8 };
	unsigned char ba[64], bb[48], bc[64];
	struct ring rings[3];
	struct order o;
	struct collected got = { .n = 0 };
	bool held;

	fill(ba, a, 4);
	fill(bb, b, 3);
	fill(bc, c, 4);
	ring__init_buffer(&rings[0], ba, sizeof(ba), 0);
	ring__init_buffer(&rings[1], bb, sizeof(bb), 1);
	ring__init_buffer(&rings[2], bc, sizeof(bc), 2);
	order__init(&o, rings, 3);
	/* first pass: only up to time 6 may go */
	held = order__pass(&o, 6, rec_time, collect, stop_at, &got);
	CHECK(held);
	CHECK_INT(got.n, 6);
	for (int i = 0; i < got.n; i++)
		CHECK_U64(got.t[i], (u64)i + 1);
	held = order__pass(&o, UINT64_MAX, rec_time, collect, stop_at, &got);
	CHECK(!held);
	CHECK_INT(got.n, 11);
	for (int i = 0; i < got.n; i++)
		CHECK_U64(got.t[i], (u64)i + 1);
	CHECK_U64(o.out_of_order, 0);
	order__exit(&o);
	for (int i = 0; i < 3; i++)
		ring__exit(&rings[i]);
}

TEST(order_counts_late_records_and_stops)
{
	static const u64 a[] = { 10, 20 }, b[] = { 5 }, late[] = { 1 };
	unsigned char ba[32], bb[16], bl[16];
	struct ring rings[2];
	struct order o;
	struct collected got = { .n = 0, .stop_after = 1 };

	fill(ba, a, 2);
	fill(bb, b, 1);
	ring__init_buffer(&rings[0], ba, sizeof(ba), 0);
	ring__init_buffer(&rings[1], bb, sizeof(bb), 1);
	order__init(&o, rings, 2);
	order__pass(&o, UINT64_MAX, rec_time, collect, stop_at, &got);
	CHECK_INT(got.n, 1);	/* stopped after one */
	CHECK_U64(got.t[0], 5);
	got.stop_after = 0;
	order__pass(&o, UINT64_MAX, rec_time, collect, stop_at, &got);
	CHECK_INT(got.n, 3);
	/* a record older than what was delivered arrives late: counted */
	fill(bl, late, 1);
	ring__exit(&rings[1]);
	ring__init_buffer(&rings[1], bl, sizeof(bl), 1);
	order__pass(&o, UINT64_MAX, rec_time, collect, stop_at, &got);
	CHECK_INT(got.n, 4);
	CHECK_U64(o.out_of_order, 1);
	order__exit(&o);
	for (int i = 0; i < 2; i++)
		ring__exit(&rings[i]);
}

/* ids close together: the dense array; every id maps to its value, others to NULL */
TEST(idmap_dense)
{
	u64 ids[] = { 1007, 1000, 1003, 1001 };
	int vals[4];
	void *v[4] = { &vals[0], &vals[1], &vals[2], &vals[3] };
	struct idmap m;

	idmap__init(&m, ids, v, 4);
	CHECK(m.dense != NULL);
	CHECK_U64(m.span, 8);
	for (int i = 0; i < 4; i++)
		CHECK(idmap__find(&m, ids[i]) == v[i]);
	CHECK(idmap__find(&m, 1002) == NULL);	/* a hole inside the range */
	CHECK(idmap__find(&m, 999) == NULL);	/* below: wraps to a huge index */
	CHECK(idmap__find(&m, 1008) == NULL);
	CHECK(idmap__find(&m, 0) == NULL);
	CHECK(idmap__find(&m, UINT64_MAX) == NULL);
	idmap__exit(&m);
	CHECK(idmap__find(&m, 1000) == NULL);	/* an emptied map finds nothing */
}

/* ids spread wider than IDMAP_DENSE_MAX: the hash, with colliding probes */
TEST(idmap_sparse)
{
	enum { N = 300 };
	u64 ids[N];
	void *v[N];
	static int vals[N];
	struct idmap m;
	int found = 0;

	for (int i = 0; i < N; i++) {
		/* one far outlier, the rest in runs that share low bits */
		ids[i] = i == 0 ? 1ULL << 40 : 5000 + (u64)i * 4096;
		v[i] = &vals[i];
	}
	idmap__init(&m, ids, v, N);
	CHECK(m.dense == NULL);
	CHECK(m.sparse != NULL);
	for (int i = 0; i < N; i++)
		found += idmap__find(&m, ids[i]) == v[i];
	CHECK_INT(found, N);
	CHECK(idmap__find(&m, 5001) == NULL);
	CHECK(idmap__find(&m, (1ULL << 40) + 1) == NULL);
	CHECK(idmap__find(&m, 0) == NULL);
	idmap__exit(&m);

	/* exactly IDMAP_DENSE_MAX apart is one too wide for the array */
	ids[0] = 10;
	ids[1] = 10 + IDMAP_DENSE_MAX;
	idmap__init(&m, ids, v, 2);
	CHECK(m.dense == NULL);
	CHECK(idmap__find(&m, 10) == v[0]);
	CHECK(idmap__find(&m, 10 + IDMAP_DENSE_MAX) == v[1]);
	idmap__exit(&m);
	ids[1] = 10 + IDMAP_DENSE_MAX - 1;
	idmap__init(&m, ids, v, 2);
	CHECK(m.dense != NULL);
	CHECK(idmap__find(&m, 10 + IDMAP_DENSE_MAX - 1) == v[1]);
	idmap__exit(&m);

	/* no ids at all */
	idmap__init(&m, ids, v, 0);
	CHECK(idmap__find(&m, 10) == NULL);
	idmap__exit(&m);
}

/* json_line - the line @fill_line writes between json_begin() and json_end() (malloc'ed) */
static char *json_line(void (*fill_line)(struct json *j))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_begin(&j, f);
	fill_line(&j);
	json_end(&j);
	fclose(f);
	return buf;
}

static void json_fill_kinds(struct json *j)
{
	json_str(j, "s", "a\"b\\c\nd\x01");
	json_int(j, "i", -5);
	json_arr_begin(j, "a");
	json_uint(j, NULL, 1);
	json_uint(j, NULL, 2);
	json_arr_end(j);
	json_obj_begin(j, "o");
	json_bool(j, "t", true);
	json_obj_end(j);
	json_strn(j, "n", "abc\0def", 7);
	json_time(j, "t0", 12000345999ULL);	/* microseconds, truncated */
	json_time(j, "t1", 7);
}

TEST(json_escaping)
{
	char *buf = json_line(json_fill_kinds);

	CHECK_STR(buf, "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"i\":-5,\"a\":[1,2],\"o\":{\"t\":true},\"n\":\"abc\","
		       "\"t0\":12.000345,\"t1\":0.000000}\n");
	free(buf);
}

static void json_fill_bytes(struct json *j)
{
	json_str(j, "a", "x\ny\xff\x01 \xc3\xa9\x7f");
	json_str(j, "b", "\xc3");		/* truncated */
	json_str(j, "c", "\xed\xa0\x80");	/* a surrogate */
	json_str(j, "k\xfe", "\xf0\x9f\x98\x80");	/* a key too; a 4-byte character */
	json_strn(j, "d", "\xe2\x82", 2);
}

/* whatever the bytes, a line is valid JSON: invalid UTF-8 becomes U+FFFD */
TEST(json_any_bytes)
{
	char *buf = json_line(json_fill_bytes);

	CHECK_STR(buf, "{\"a\":\"x\\ny\\ufffd\\u0001 \xc3\xa9\\u007f\",\"b\":\"\\ufffd\","
		       "\"c\":\"\\ufffd\\ufffd\\ufffd\",\"k\\ufffd\":\"\xf0\x9f\x98\x80\","
		       "\"d\":\"\\ufffd\\ufffd\"}\n");
	free(buf);
}

TEST(tasks_gc_bounds_exited_tasks)
{
	struct tasks *t = tasks__new();
	char name[16];

	/* pids above any pid_max: /proc never knows them */
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		tasks__set_comm(t, 5000000 + i, name);
	}
	tasks__set_comm(t, 4999999, "alive");
	CHECK_INT(tasks__nr(t), 20001);
	for (int i = 0; i < 20000; i++)
		tasks__exit(t, 5000000 + i, 0);
	tasks__gc(t);
	/* exited in this period: still named for late samples */
	CHECK_STR(tasks__comm(t, 5000123), "t123");
	CHECK_INT(tasks__nr(t), 20001);
	tasks__gc(t);
	/* gone a whole period: forgotten; the live task stays */
	CHECK_INT(tasks__nr(t), 1);
	CHECK_STR(tasks__comm(t, 4999999), "alive");
	CHECK_STR(tasks__comm(t, 5000123), "<...>");
	/* a forked child still names itself after its parent */
	tasks__fork(t, 5100000, 4999999, 100);
	CHECK_STR(tasks__comm(t, 5100000), "alive");
	tasks__delete(t);
}

/* records read one ring after the other: a task's COMM or EXIT before its FORK */
TEST(tasks_records_out_of_order)
{
	struct tasks *t = tasks__new();

	tasks__set_comm(t, 5300000, "parent");
	/* the child's exec COMM (its CPU's ring) is read before the FORK (the parent's) */
	tasks__set_comm(t, 5300001, "child");
	tasks__fork(t, 5300001, 5300000, 1000);
	CHECK_STR(tasks__comm(t, 5300001), "child");
	/* its exit read before its fork: it stays gone, so the gc forgets it */
	tasks__fork(t, 5300002, 5300000, 2000);
	tasks__exit(t, 5300003, 3000);		/* unknown: nothing */
	tasks__set_comm(t, 5300003, "short");
	tasks__exit(t, 5300003, 3500);
	tasks__fork(t, 5300003, 5300000, 3000);
	CHECK_STR(tasks__comm(t, 5300003), "short");
	tasks__gc(t);
	tasks__gc(t);
	CHECK_INT(tasks__nr(t), 3);		/* parent, child, 5300002 */
	/* the id reused later: a fork after the exit is a new task with its parent's name */
	tasks__set_comm(t, 5300004, "old");
	tasks__exit(t, 5300004, 4000);
	tasks__fork(t, 5300004, 5300000, 5000);
	CHECK_STR(tasks__comm(t, 5300004), "parent");
	tasks__delete(t);
}

/* two tables (two runs) know different names for the same pid */
TEST(tasks_tables_are_independent)
{
	struct tasks *a = tasks__new(), *b = tasks__new();

	tasks__set_comm(a, 5200000, "first");
	tasks__set_comm(b, 5200000, "second");
	CHECK_STR(tasks__comm(a, 5200000), "first");
	CHECK_STR(tasks__comm(b, 5200000), "second");
	tasks__delete(a);
	CHECK_STR(tasks__comm(b, 5200000), "second");
	tasks__delete(b);
	CHECK_STR(tasks__comm(NULL, 5200000), "<...>");
}
