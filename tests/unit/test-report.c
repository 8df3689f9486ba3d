// SPDX-License-Identifier: GPL-2.0
/*
 * test-report.c - the report cycle: which tables each report prints, when
 * they merge, that interval reports add up to the final one, the header
 * line and the JSON frame.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "json.h"
#include "report.h"

/* a profiler's tables: values added to the interval's, merged into the run's */
struct fake {
	u64 cur, whole;
	char log[512];
	u64 printed[8];	/* values each report showed */
	int n;
};

static void fake_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct fake *f = ctx;
	size_t len = strlen(f->log);

	snprintf(f->log + len, sizeof(f->log) - len, "%s%s%s", len ? " " : "", kind,
		 whole ? "(whole)" : "");
	if (f->n < 8)
		f->printed[f->n++] = whole ? f->whole : f->cur;
}

static void fake_merge(void *ctx)
{
	struct fake *f = ctx;

	f->whole += f->cur;
	f->cur = 0;
	strncat(f->log, "+merge", sizeof(f->log) - strlen(f->log) - 1);
}

static const struct report_ops fake_ops = { fake_print, fake_merge };
static const struct report_ops fake_cumulative = { fake_print, NULL };

TEST(report_cycle_intervals_add_up)
{
	struct report_cycle c;
	struct fake f = { 0 };

	report_cycle__init(&c);
	f.cur = 10;
	report__interval(&c, &fake_ops, &f, "interval");
	f.cur += 5;
	report__signal(&c, &fake_ops, &f);
	f.cur += 7;
	report__interval(&c, &fake_ops, &f, "trigger");
	f.cur = 3;
	report__final(&c, &fake_ops, &f);
	CHECK_STR(f.log, "interval+merge signal trigger+merge interval+merge final(whole)");
	CHECK_INT(f.n, 5);
	CHECK_U64(f.printed[0], 10);
	CHECK_U64(f.printed[1], 5);
	CHECK_U64(f.printed[2], 12);
	CHECK_U64(f.printed[3], 3);
	/* the final report is the whole run: the interval reports' sum */
	CHECK_U64(f.printed[4], 10 + 12 + 3);
}

TEST(report_cycle_no_interval_and_cumulative)
{
	struct report_cycle c;
	struct fake f = { 0 };

	/* no interval report: the interval's table is the whole run, printed once */
	report_cycle__init(&c);
	f.cur = 42;
	report__final(&c, &fake_ops, &f);
	CHECK_STR(f.log, "final");
	CHECK_U64(f.printed[0], 42);
	/* nothing resets: every report shows the whole run, none merges */
	memset(&f, 0, sizeof(f));
	report_cycle__init(&c);
	f.cur = 4;
	report__interval(&c, &fake_cumulative, &f, "interval");
	f.cur = 9;
	report__final(&c, &fake_cumulative, &f);
	CHECK_STR(f.log, "interval final");
	CHECK_U64(f.printed[1], 9);
}

static char *capture(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f);
	fclose(f);
	return buf;
}

static void header_top(FILE *f)
{
	report__header(f, "top", NULL, "%d samples in %.3f s, %d in total", 200, 0.5, 300);
	report__header(f, "num-dist", "final", "%d values in %.3f s", 3, 1.25);
}

/* the wall clock "YYYY-MM-DD HH:MM:SS.uuuuuu" then the profiler's text */
TEST(report_header_line)
{
	char *s = capture(header_top);
	char *l2 = s ? strchr(s, '\n') : NULL;

	CHECK(s && l2);
	if (!s || !l2)
		return;
	CHECK(s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' && s[19] == '.');
	*l2 = '\0';
	CHECK_STR(s + 26, " top: 200 samples in 0.500 s, 300 in total");
	CHECK_STR(l2 + 1 + 26, " num-dist: final: 3 values in 1.250 s\n");
	free(s);
}

static void json_frame(FILE *f)
{
	struct json j;

	report__json_begin(&j, f, "interval");
	json_uint(&j, "samples", 7);
	json_end(&j);
}

TEST(report_json_frame)
{
	char *s = capture(json_frame);

	CHECK(s && !strncmp(s, "{\"time\":\"", 9));
	CHECK_CONTAINS(s, "\",\"report\":\"interval\",\"samples\":7}\n");
	free(s);
}
