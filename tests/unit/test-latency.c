// SPDX-License-Identifier: GPL-2.0
/*
 * test-latency.c - lib/report/latency.c: numbers read from samples (direct field
 * reads must equal the expression's result), statistics rows per id and per
 * instance, the table text, event lines, and the heatmap files.
 */
#include <errno.h>
#include <sys/stat.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "harness.h"
#include "latency.h"
#include "tep.h"

static const char fmt_lat[] =
	"name: lat\nID: 901\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:s8 b;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield:u16 w;\toffset:10;\tsize:2;\tsigned:0;\n"
	"\tfield:int i;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:u64 q;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:char name[8];\toffset:24;\tsize:8;\tsigned:0;\n"
	"\nprint fmt: \"i=%d q=%llu\", REC->i, REC->q\n";

/* the format lives in a handle of its own, as a run's would */
static struct tep_event *lat_event(void)
{
	static struct tep_handle *tep;
	static struct tep_event *ev;

	if (!tep)
		tep = tep__new(NULL);
	if (!ev && tep_parse_format(tep, &ev, fmt_lat, strlen(fmt_lat), "test"))
		ev = NULL;
	return ev;
}

static void lat_record(u8 rec[32])
{
	memset(rec, 0, 32);
	PUT(rec, 0, u16, 901);
	PUT(rec, 2, u8, 0x0d);	/* irqs off, need-resched, hardirq */
	PUT(rec, 3, u8, 2);
	PUT(rec, 4, s32, 4242);
	PUT(rec, 8, s8, -3);
	PUT(rec, 10, u16, 65000);
	PUT(rec, 12, s32, -70000);
	PUT(rec, 16, u64, 0xfedcba9876543210ULL);
	memcpy(rec + 24, "abc", 4);
}

static struct prof_sample lat_sample(struct evspec *es, u8 *rec)
{
	return (struct prof_sample){
		.time = 1234567890123ULL, .pid = 0, .tid = 0, .cpu = 1, .period = 1, .raw = rec,
		.raw_size = 32, .ev = es,
	};
}

/* numsrc__get() and the expression agree, and the right kind was chosen */
static void expect_num(struct tep_event *ev, const char *src, enum numsrc_kind kind, s64 want)
{
	struct evspec es = { .tp = ev, .display = "test:lat" };
	struct numsrc n;
	struct err err = { 0 };
	u8 rec[32];
	struct prof_sample s;
	s64 got = 0, via_expr = 0;

	lat_record(rec);
	s = lat_sample(&es, rec);
	s.tid = 77;
	if (numsrc__init(&n, src, ev, NULL, "num=", "test:lat", &err)) {
		TEST_FAIL("'%s' does not compile: %s", src, err.msg);
		return;
	}
	CHECK_INT(n.kind, kind);
	CHECK_INT(numsrc__get(&n, &s, &got), 0);
	CHECK_INT(got, want);
	if (n.expr) {
		CHECK_INT(numsrc__eval_expr(&n, &s, &via_expr), 0);
		CHECK_INT(via_expr, want);
	}
	numsrc__exit(&n);
}

TEST(numsrc_fields_read_directly_equal_the_expression)
{
	struct tep_event *ev = lat_event();

	if (!ev)
		SKIP("libtraceevent could not parse the test format");
	expect_num(ev, "b", NUMSRC_FIELD, -3);
	expect_num(ev, "w", NUMSRC_FIELD, 65000);
	expect_num(ev, " i ", NUMSRC_FIELD, -70000);
	expect_num(ev, "q", NUMSRC_FIELD, (s64)0xfedcba9876543210ULL);
	expect_num(ev, "common_pid", NUMSRC_FIELD, 4242);
	expect_num(ev, "i*2", NUMSRC_EXPR, -140000);
	expect_num(ev, "(w)", NUMSRC_EXPR, 65000);
	expect_num(ev, "_tid", NUMSRC_TID, 77);
	expect_num(ev, NULL, NUMSRC_TID, 77);
}

TEST(numsrc_tid_like_and_errors)
{
	struct tep_event *ev = lat_event();
	struct evspec es = { .tp = ev, .display = "test:lat" };
	struct err err = { 0 };
	struct numsrc n;
	u8 rec[32];
	struct prof_sample s;
	s64 v;

	if (!ev)
		SKIP("libtraceevent could not parse the test format");
	CHECK_INT(numsrc__init(&n, "common_pid", ev, NULL, "key=", "test:lat", &err), 0);
	CHECK(n.tid_like);
	numsrc__exit(&n);
	CHECK_INT(numsrc__init(&n, "i", ev, NULL, "-k ", "test:lat", &err), 0);
	CHECK(!n.tid_like);
	/* a record too short for the field: an error, like the expression's */
	lat_record(rec);
	s = lat_sample(&es, rec);
	s.raw_size = 14;
	CHECK_INT(numsrc__get(&n, &s, &v), -1);
	numsrc__exit(&n);
	CHECK_INT(numsrc__init(&n, "name", ev, NULL, "num=", "test:lat", &err), -1);
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_STR(err.msg, "num=name of 'test:lat' is a string; a number is needed here");
	memset(&err, 0, sizeof(err));
	CHECK_INT(numsrc__init(&n, "nosuch", ev, NULL, "-k ", "test:lat", &err), -1);
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_CONTAINS(err.msg, "-k nosuch of 'test:lat': ");
	memset(&err, 0, sizeof(err));
	CHECK_INT(numsrc__init(&n, "", ev, NULL, "key=", "test:lat", &err), -1);
	CHECK_STR(err.msg, "key= of 'test:lat' needs an expression");
}

TEST(lattab_rows_per_id)
{
	struct lattab *t = lattab__new(4, false, 0);
	struct latrow **rows;
	size_t nr;

	for (u64 v = 1; v <= 100; v++)
		vstat__add(&lattab__row(t, 9, 2)->st, v);
	vstat__add(&lattab__row(t, 5, 0)->st, 7);
	rows = lattab__sorted(t, false, &nr);
	CHECK_U64(nr, 2);
	if (nr == 2) {
		CHECK_INT(lattab__row_id(t, rows[0]), 0);
		CHECK_INT(lattab__row_id(t, rows[1]), 2);
		CHECK_INT(lattab__row_inst(t, rows[0]), -1);
		CHECK_U64(rows[1]->st.count, 100);
		CHECK_U64(vstat__sum(&rows[1]->st), 5050);
	}
	free(rows);
	lattab__reset(t);
	rows = lattab__sorted(t, false, &nr);
	CHECK(rows == NULL);
	CHECK_U64(nr, 0);
	CHECK(lattab__new(0, false, 0) == NULL);
	CHECK(lattab__new(65537, false, 0) == NULL);
	lattab__delete(t);
}

TEST(lattab_rows_per_instance)
{
	struct lattab *t = lattab__new(3, true, 3);
	struct latrow **rows;
	size_t nr;

	vstat__add(&lattab__row(t, 7, 1)->st, 10);
	vstat__add(&lattab__row(t, 2, 2)->st, 20);
	vstat__add(&lattab__row(t, 7, 0)->st, 30);
	vstat__add(&lattab__row(t, 7, 0)->st, 31);	/* the cached row */
	CHECK(lattab__row(t, 1, 1) == NULL);		/* a fourth row: over the bound */
	CHECK_U64(lattab__drops(t), 1);
	rows = lattab__sorted(t, false, &nr);
	CHECK_U64(nr, 3);
	if (nr == 3) {
		CHECK_INT(lattab__row_inst(t, rows[0]), 2);
		CHECK_INT(lattab__row_id(t, rows[0]), 2);
		CHECK_INT(lattab__row_inst(t, rows[1]), 7);
		CHECK_INT(lattab__row_id(t, rows[1]), 0);
		CHECK_U64(rows[1]->st.count, 2);
		CHECK_INT(lattab__row_id(t, rows[2]), 1);
	}
	free(rows);
	rows = lattab__sorted(t, true, &nr);
	if (nr == 3) {
		CHECK_INT(lattab__row_id(t, rows[0]), 0);
		CHECK_INT(lattab__row_id(t, rows[1]), 1);
		CHECK_INT(lattab__row_id(t, rows[2]), 2);
	}
	free(rows);
	/* reset removes the rows: new instances fit again */
	lattab__reset(t);
	CHECK(lattab__row(t, 1, 1) != NULL);
	lattab__delete(t);
}

static char *capture(void (*fn)(FILE *out, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

struct print_case {
	struct lattab *t;
	struct latprint *p;
};

static void print_table(FILE *out, void *arg)
{
	struct print_case *pc = arg;
	size_t nr;
	struct latrow **rows = lattab__sorted(pc->t, false, &nr);

	lattab__print(pc->t, rows, nr, out, pc->p);
	free(rows);
}

/* an interval's table folded into the whole run's: values, over counts, the instance bound */
TEST(lattab_merge_and_values)
{
	struct lattab *iv = lattab__new(2, true, 0), *whole = lattab__new(2, true, 2);
	struct latrow **rows;
	struct latrow *r;
	size_t nr;

	vstat__add(&lattab__row(whole, 5, 1)->st, 100);
	vstat__add(&lattab__row(iv, 5, 1)->st, 300);
	vstat__add(&lattab__row(iv, 5, 1)->st, 200);
	lattab__row(iv, 5, 1)->over = 2;
	vstat__add(&lattab__row(iv, 6, 0)->st, 7);
	vstat__add(&lattab__row(iv, 9, 0)->st, 8);	/* a third instance: whole holds two */
	rows = lattab__sorted(iv, false, &nr);
	CHECK_U64(lattab__values(rows, nr), 4);
	free(rows);
	lattab__merge(whole, iv);
	r = lattab__row(whole, 5, 1);
	CHECK_U64(r->st.count, 3);
	CHECK_U64(r->st.min, 100);
	CHECK_U64(r->st.max, 300);
	CHECK_U64(vstat__sum(&r->st), 600);
	CHECK_U64(r->over, 2);
	CHECK_U64(lattab__row(whole, 6, 0)->st.count, 1);
	rows = lattab__sorted(whole, false, &nr);
	CHECK_U64(nr, 2);
	CHECK_U64(lattab__values(rows, nr), 4);
	free(rows);
	CHECK_U64(lattab__drops(whole), 1);
	lattab__delete(iv);
	lattab__delete(whole);
}

struct header_case {
	const char *kind;
	u64 n;
};

static void print_header(FILE *out, void *arg)
{
	const struct header_case *hc = arg;

	latency__header(out, "num-dist", hc->kind, hc->n, "values", 1418000000ULL);
}

/* "WALLTIME PROFILER: [KIND: ]N WHAT in T s" */
TEST(latency_header_lines)
{
	struct header_case iv = { "interval", 30 }, fin = { "final", 300 };
	char *a = capture(print_header, &iv), *b = capture(print_header, &fin);

	/* the wall time is "YYYY-MM-DD HH:MM:SS.uuuuuu " (27 characters) */
	CHECK(strlen(a) > 27 && a[4] == '-' && a[10] == ' ' && a[26] == ' ');
	CHECK_STR(a + 27, "num-dist: 30 values in 1.418 s\n");
	CHECK(strlen(b) > 27);
	CHECK_STR(b + 27, "num-dist: final: 300 values in 1.418 s\n");
	free(a);
	free(b);
}

TEST(lattab_print_text)
{
	static const char *const names[] = { "a => b", "b => c" };
	static const bool ns[] = { true, false };
	struct lattab *t = lattab__new(2, false, 0);
	struct latprint p = { .names = names, .name_title = "from => to", .ns = ns,
			      .over_title = "over 2.000 ms" };
	struct print_case pc = { t, &p };
	char *text;

	vstat__add(&lattab__row(t, 0, 0)->st, 1500000);
	vstat__add(&lattab__row(t, 0, 0)->st, 2500000);
	lattab__row(t, 0, 0)->over = 1;
	vstat__add(&lattab__row(t, 0, 1)->st, 3);
	vstat__add(&lattab__row(t, 0, 1)->st, 4);
	text = capture(print_table, &pc);
	CHECK_STR(text,
		  "from => to     count        min        avg        p50        p95        p99"
		  "        max         total    over 2.000 ms\n"
		  "    a => b         2   1.500 ms   2.000 ms   1.500 ms   2.500 ms   2.500 ms"
		  "   2.500 ms      4.000 ms        1 (50.0%)\n"
		  "    b => c         2          3        3.5          3          4          4"
		  "          4             7         0 (0.0%)\n");
	free(text);
	lattab__delete(t);
}

struct line_case {
	struct evline *l;
	struct prof_sample *s;
};

static void print_line(FILE *out, void *arg)
{
	struct line_case *lc = arg;
	struct trace_seq seq;

	trace_seq_init(&seq);
	evline__print(lc->l, out, &seq, lc->s, "| ", NULL);
	trace_seq_destroy(&seq);
}

TEST(evline_matches_trace_format)
{
	struct tep_event *ev = lat_event();
	struct evspec es = { .tp = ev, .display = "test:lat" };
	struct evline l;
	u8 rec[32];
	struct prof_sample s;
	struct line_case lc = { &l, &s };
	char *text;

	if (!ev)
		SKIP("libtraceevent could not parse the test format");
	evline__init(&l, ev);
	CHECK_INT(l.flags_off, 2);
	CHECK_INT(l.preempt_off, 3);
	lat_record(rec);
	s = lat_sample(&es, rec);
	text = capture(print_line, &lc);
	CHECK_STR(text, "|   1234.567890           <idle>       0/0       [001] dnh2 test:lat: "
			"i=-70000 q=18364758544493064720\n");
	free(text);
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

TEST(heatmap_files)
{
	char dir[] = "/tmp/test-latency.XXXXXX", path[128], lat[160], link[128];
	const char *series[] = { "a => b", "c <&> d" };
	struct err err = { 0 };
	struct heatmap *h;
	char *svg, *raw;
	size_t len;
	struct stat st;

	if (!mkdtemp(dir))
		SKIP("no temporary directory");
	snprintf(path, sizeof(path), "%s/hm.svg", dir);
	snprintf(lat, sizeof(lat), "%s.lat", path);
	h = heatmap__open(path, series, 2, true, "latency", &err);
	CHECK(h != NULL);
	if (!h)
		return;
	/* series 0: 100 points at 1 ms, then 100 at 8 ms; series 1: nothing */
	for (u64 i = 0; i < 200; i++)
		heatmap__add(h, 0, 1000000000ULL + i * 1000000ULL, i < 100 ? 1000000 : 8000000);
	CHECK_INT(heatmap__close(h, &err), 0);
	raw = read_file(lat, &len);
	svg = read_file(path, &len);
	CHECK(raw && svg);
	if (raw && svg) {
		CHECK_CONTAINS(raw, "# series 1: c <&> d\n");
		CHECK_CONTAINS(raw, "\n1000000000 1000000 0\n1001000000 1000000 0\n");
		CHECK_CONTAINS(raw, "\n1199000000 8000000 0\n");
		CHECK_INT(count_str(raw, "\n1"), 200);
		CHECK(!strncmp(svg, "<?xml", 5));
		CHECK_CONTAINS(svg, "a =&gt; b (200 points)");
		CHECK(!strstr(svg, "c &lt;&amp;&gt; d"));	/* no points: no panel */
		/* 200 points over 200 columns: each its own cell, two rows */
		CHECK_INT(count_str(svg, "<title>"), 200);
		/* rows are quarter powers of two: 1 ms is in [7 << 17, 8 << 17) */
		CHECK_INT(count_str(svg, "latency 918 us..1.05 ms: 1</title>"), 100);
		CHECK_INT(count_str(svg, "latency 7.34 ms..8.39 ms: 1</title>"), 100);
		CHECK_CONTAINS(svg, "class=\"y\">1.05 ms</text>");
		CHECK_CONTAINS(svg, "class=\"x\">0.1 s</text>");
		CHECK(strstr(svg, "</svg>\n") != NULL);
	}
	free(raw);
	free(svg);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	/* a symbolic link is refused */
	snprintf(link, sizeof(link), "%s/link.svg", dir);
	CHECK_INT(symlink(path, link), 0);
	memset(&err, 0, sizeof(err));
	CHECK(heatmap__open(link, series, 1, true, "latency", &err) == NULL);
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_CONTAINS(err.msg, "cannot create heatmap file");
	CHECK_CONTAINS(err.hint, "symbolic link");
	unlink(link);
	unlink(lat);
	unlink(path);
	rmdir(dir);
}

static void render(FILE *out, void *arg)
{
	const char *series[] = { "v" };
	FILE *in = fmemopen(arg, strlen(arg), "r");

	heatmap__render(in, out, series, 1, false, "value");
	fclose(in);
}

TEST(heatmap_render_skips_bad_lines)
{
	char data[] = "# comment\n10 5 0\nbad line\n20 5 0\n30 6 7\n40 0 0\n";
	char *svg = capture(render, data);

	/* three valid points of series 0; series 7 does not exist */
	CHECK_CONTAINS(svg, "v (3 points)");
	CHECK_INT(count_str(svg, "<title>"), 3);
	CHECK_CONTAINS(svg, "value 0..1: 1</title>");
	free(svg);
}
