// SPDX-License-Identifier: GPL-2.0
/*
 * test-expr.c - the expression compiler, type checker and machine
 * (lib/expr/expr.c, lib/expr/vm.c). Events come from format text parsed by
 * libtraceevent, records are built by hand at the format's offsets, and
 * every result, run-time error and compile-time diagnostic (message and
 * caret column) is checked exactly. Operators are checked twice: computed by
 * the machine from fields, and folded at compile time from literals.
 */
#include <malloc.h>
#include <stdarg.h>
#include <unistd.h>
#include <traceevent/event-parse.h>

#include "env.h"
#include "expr.h"
#include "harness.h"
#include "ksyms.h"
#include "tasks.h"

/* sched_wakeup as a 6.x kernel describes it: comm is char[16] with signed:0 */
static const char fmt_wakeup[] =
	"name: sched_wakeup\nID: 10\nformat:\n" COMMON_FIELDS
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\nprint fmt: \"comm=%s pid=%d\", REC->comm, REC->pid\n";

/* integers of every width and signedness, byte arrays of both signednesses */
static const char fmt_nums[] =
	"name: nums\nID: 11\nformat:\n" COMMON_FIELDS
	"\tfield:s64 x;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:s64 y;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\tfield:u64 ux;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 uy;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 a8;\toffset:40;\tsize:1;\tsigned:0;\n"
	"\tfield:u16 a16;\toffset:42;\tsize:2;\tsigned:0;\n"
	"\tfield:u32 a32;\toffset:44;\tsize:4;\tsigned:0;\n"
	"\tfield:s8 b8;\toffset:48;\tsize:1;\tsigned:1;\n"
	"\tfield:s16 b16;\toffset:50;\tsize:2;\tsigned:1;\n"
	"\tfield:s32 b32;\toffset:52;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned char uc[8];\toffset:56;\tsize:8;\tsigned:0;\n"
	"\tfield:signed char sc[8];\toffset:64;\tsize:8;\tsigned:1;\n"
	"\tfield:u8 ip[4];\toffset:72;\tsize:4;\tsigned:0;\n"
	"\tfield:bool flag;\toffset:76;\tsize:1;\tsigned:0;\n"
	"\nprint fmt: \"x=%lld\", REC->x\n";

/* two __data_loc strings, a __rel_loc string and a dynamic u64 array */
static const char fmt_dloc[] =
	"name: dloc\nID: 12\nformat:\n" COMMON_FIELDS
	"\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] path;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:int x;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:__rel_loc char[] rel;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc u64[] addrs;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\nprint fmt: \"%s\", __get_str(name)\n";

/* fixed arrays of wider elements */
static const char fmt_arr[] =
	"name: arr\nID: 13\nformat:\n" COMMON_FIELDS
	"\tfield:int vals[4];\toffset:8;\tsize:16;\tsigned:1;\n"
	"\tfield:unsigned long caller[3];\toffset:24;\tsize:24;\tsigned:0;\n"
	"\tfield:u16 ports[2];\toffset:48;\tsize:4;\tsigned:0;\n"
	"\tfield:int idx;\toffset:52;\tsize:4;\tsigned:1;\n"
	"\tfield:struct pair prs[2];\toffset:56;\tsize:24;\tsigned:0;\n"
	"\tfield:u32 tail[];\toffset:80;\tsize:0;\tsigned:0;\n"
	"\nprint fmt: \"%d\", REC->idx\n";

/* ftrace:print-like: a flexible char array running to the end of the record */
static const char fmt_print[] =
	"name: print\nID: 14\nformat:\n" COMMON_FIELDS
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:1;\n"
	"\nprint fmt: \"%s\", REC->buf\n";

/* the event and record the expect_*() helpers evaluate against */
static struct tep_handle *cur_tep;
static struct tep_event *cur_ev;
static const void *cur_raw;
static u32 cur_size;
static const s64 *cur_vars;
static const char *const *cur_varnames;	/* non-NULL: expr_compile_vars() */
static struct err last_err;

static struct tep_event *event_open(const char *fmt)
{
	struct tep_event *ev = NULL;

	cur_tep = tep_alloc();
	if (tep_parse_format(cur_tep, &ev, fmt, strlen(fmt), "sys"))
		ev = NULL;
	cur_ev = ev;
	cur_varnames = NULL;
	cur_vars = NULL;
	return ev;
}

static void event_close(void)
{
	tep_free(cur_tep);
	cur_tep = NULL;
	cur_ev = NULL;
}

static void use_record(const void *raw, u32 size)
{
	cur_raw = raw;
	cur_size = size;
}

static struct expr_ctx ctx_make(void)
{
	return (struct expr_ctx){
		.raw = cur_raw, .raw_size = cur_size, .cpu = 3, .pid = 1000, .tid = 1001,
		.time = 123456789, .period = 7, .vars = cur_vars,
	};
}

static void fail_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_at(int line, const char *fmt, ...)
{
	va_list ap;

	test__failed++;
	printf("#   %s:%d: ", __FILE__, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* the names comm_get() and ksymbol() see, as a run would lend them */
static struct run_env test_env;

static void test_env_reset(void)
{
	tasks__delete(test_env.tasks);
	ksyms__delete(test_env.ksyms);
	test_env.tasks = tasks__new();
	test_env.ksyms = ksyms__new();
	test_env.out = stdout;
}

static struct expr *compile_cur(const char *src, struct err *err)
{
	struct expr *e;

	memset(err, 0, sizeof(*err));
	if (!test_env.tasks)
		test_env_reset();
	if (cur_varnames)
		e = expr_compile_vars(src, cur_varnames, err);
	else
		e = expr_compile(src, cur_ev, err);
	expr_bind(e, &test_env);
	return e;
}

static void expect_int(int line, const char *src, s64 want)
{
	struct expr_ctx ctx = ctx_make();
	struct err err;
	struct expr *e = compile_cur(src, &err);
	s64 v = 0;

	if (!e) {
		fail_at(line, "'%s': compile error: %s", src, err.msg);
		return;
	}
	if (expr_result_type(e) != EXPR_INT)
		fail_at(line, "'%s': result type is not EXPR_INT", src);
	else if (expr_eval(e, &ctx, &v))
		fail_at(line, "'%s': run-time error", src);
	else if (v != want)
		fail_at(line, "'%s': got %lld (%#llx), want %lld (%#llx)", src, (long long)v,
			(unsigned long long)v, (long long)want, (unsigned long long)want);
	expr_free(e);
}

static void expect_str(int line, const char *src, const char *want)
{
	struct expr_ctx ctx = ctx_make();
	const char *s = NULL;
	struct err err;
	struct expr *e = compile_cur(src, &err);
	size_t len = 0;
	s64 v = -1;

	if (!e) {
		fail_at(line, "'%s': compile error: %s", src, err.msg);
		return;
	}
	if (expr_result_type(e) != EXPR_STR)
		fail_at(line, "'%s': result type is not EXPR_STR", src);
	else if (expr_eval_str(e, &ctx, &s, &len))
		fail_at(line, "'%s': run-time error", src);
	else if (len != strlen(want) || memcmp(s, want, len))
		fail_at(line, "'%s': got \"%.*s\", want \"%s\"", src, (int)len, s, want);
	else if (expr_eval(e, &ctx, &v) || v != (want[0] != '\0'))
		fail_at(line, "'%s': expr_eval of a string gave %lld", src, (long long)v);
	expr_free(e);
}

static void expect_rterr(int line, const char *src)
{
	struct expr_ctx ctx = ctx_make();
	const char *s;
	struct err err;
	struct expr *e = compile_cur(src, &err);
	size_t len;
	s64 v;

	if (!e) {
		fail_at(line, "'%s': compile error: %s", src, err.msg);
		return;
	}
	if (expr_eval(e, &ctx, &v) != -1)
		fail_at(line, "'%s': no run-time error, got %lld", src, (long long)v);
	if (expr_result_type(e) == EXPR_STR && expr_eval_str(e, &ctx, &s, &len) != -1)
		fail_at(line, "'%s': expr_eval_str: no run-time error", src);
	expr_free(e);
}

/*
 * expect_cerr - @src does not compile; the message is exactly
 * "invalid expression '<src>': <msg>" and the caret sits under @col.
 * The error stays in last_err for further checks.
 */
/*
 * expect_cerr - @src does not compile, with "invalid expression 'SRC': MSG"
 * (SRC on one line; a source longer than 120 bytes shown by its ends, as
 * str_elide() does) and the caret under byte @col: a window of 160 bytes
 * around it for longer sources, tabs kept so the caret lines up.
 */
static void expect_cerr(int line, const char *src, const char *msg, int col)
{
	char want[2048], caret[512], *flat, shown[128];
	struct expr *e = compile_cur(src, &last_err);
	size_t len = strlen(src), from = 0, k = 2;
	const char *l2;

	if (e) {
		fail_at(line, "'%s': compiled, want error \"%s\"", src, msg);
		expr_free(e);
		return;
	}
	if (last_err.code != EXIT_USAGE)
		fail_at(line, "'%s': err.code %d, want %d", src, last_err.code, EXIT_USAGE);
	flat = strdup(src);
	for (char *p = flat; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	snprintf(want, sizeof(want), "invalid expression '%s': %s",
		 str_elide(shown, sizeof(shown), flat, 120), msg);
	free(flat);
	if (strcmp(last_err.msg, want))
		fail_at(line, "got \"%s\", want \"%s\"", last_err.msg, want);
	memcpy(caret, "  ", 2);
	if (len > 160) {
		from = (size_t)col > 80 ? (size_t)col - 80 : 0;
		if (from + 160 > len)
			from = len - 160;
		if (from) {
			memcpy(caret + k, "   ", 3);
			k += 3;
		}
	}
	for (size_t i = from; i < (size_t)col && k < sizeof(caret) - 3; i++)
		caret[k++] = src[i] == '\t' ? '\t' : ' ';
	memcpy(caret + k, "^\n", 3);
	l2 = strchr(last_err.detail, '\n');
	if (!l2 || strncmp(l2 + 1, caret, strlen(caret)))
		fail_at(line, "'%s': caret not at column %d:\n%s", src, col, last_err.detail);
}

#define EXPECT_INT(src, want) expect_int(__LINE__, src, (s64)(want))
#define EXPECT_STR(src, want) expect_str(__LINE__, src, want)
#define EXPECT_RTERR(src) expect_rterr(__LINE__, src)
#define EXPECT_CERR(src, msg, col) expect_cerr(__LINE__, src, msg, col)

/* ------------------------------------------------------------------ */

static u8 wakeup_rec[36];

static void wakeup_fill(const char *comm, size_t n, int pid, int prio, int cpu)
{
	memset(wakeup_rec, 0, sizeof(wakeup_rec));
	PUT(wakeup_rec, 0, u16, 10);
	PUT(wakeup_rec, 4, int, 77);
	memcpy(wakeup_rec + 8, comm, n);
	PUT(wakeup_rec, 24, int, pid);
	PUT(wakeup_rec, 28, int, prio);
	PUT(wakeup_rec, 32, int, cpu);
	use_record(wakeup_rec, sizeof(wakeup_rec));
}

static u8 nums_rec[80];

static void nums_fill(s64 x, s64 y)
{
	memset(nums_rec, 0, sizeof(nums_rec));
	PUT(nums_rec, 8, s64, x);
	PUT(nums_rec, 16, s64, y);
	PUT(nums_rec, 24, u64, (u64)x);
	PUT(nums_rec, 32, u64, (u64)y);
	PUT(nums_rec, 40, u8, 250);
	PUT(nums_rec, 42, u16, 65535);
	PUT(nums_rec, 44, u32, 5);
	PUT(nums_rec, 48, s8, -3);
	PUT(nums_rec, 50, s16, -300);
	PUT(nums_rec, 52, s32, -5);
	memcpy(nums_rec + 56, "hi", 2);
	nums_rec[59] = 0xff;
	memcpy(nums_rec + 64, "ho", 2);
	nums_rec[67] = 0xff;
	nums_rec[72] = 192;
	nums_rec[73] = 168;
	nums_rec[74] = 1;
	nums_rec[75] = 2;
	nums_rec[76] = 1;
	use_record(nums_rec, sizeof(nums_rec));
}

TEST(expr_wakeup_filter)
{
	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	wakeup_fill("bash", 4, 1234, 120, 2);
	EXPECT_INT("pid > 100 && prio < 120", 0);
	EXPECT_INT("pid > 100 && prio <= 120", 1);
	EXPECT_INT("pid == 1234", 1);
	EXPECT_INT("target_cpu", 2);
	EXPECT_INT("common_pid", 77);
	EXPECT_INT("common_type", 10);
	EXPECT_INT("common_flags | common_preempt_count", 0);
	EXPECT_INT("_cpu", 3);
	EXPECT_INT("_pid", 1000);
	EXPECT_INT("_tid", 1001);
	EXPECT_INT("_time", 123456789);
	EXPECT_INT("_period", 7);
	EXPECT_INT("(_cpu << 32) | target_cpu", (3LL << 32) | 2);
	EXPECT_INT("_time / 1000", 123456);
	EXPECT_INT("comm ~ \"ba*\" && prio < 121", 1);
	EXPECT_INT("comm == \"bash\"", 1);
	EXPECT_INT("\"bash\" == comm", 1);
	EXPECT_INT("comm != \"bash\"", 0);
	EXPECT_INT("comm == \"bas\"", 0);
	EXPECT_INT("comm == \"bashx\"", 0);
	EXPECT_INT("(char *)comm ~ \"*sh\"", 1);
	EXPECT_INT("comm[0] == 'b' && comm[3] == 'h' && comm[4] == 0", 1);
	EXPECT_INT("comm[pid - 1233]", 'a');
	EXPECT_INT("strlen(comm)", 4);
	EXPECT_INT("sizeof(comm)", 16);
	EXPECT_INT("sizeof comm + sizeof(pid)", 20);
	EXPECT_INT("comm ? 1 : 2", 1);
	EXPECT_INT("!comm", 0);
	EXPECT_STR("comm", "bash");
	EXPECT_STR("pid > 1000 ? comm : \"other\"", "bash");
	EXPECT_STR("pid > 2000 ? comm : \"other\"", "other");
	EXPECT_INT("printf(\"\"), pid", 1234);
	wakeup_fill("", 0, 1, 1, 1);
	EXPECT_STR("comm", "");
	EXPECT_INT("comm ? 1 : 2", 2);
	EXPECT_INT("comm == \"\"", 1);
	EXPECT_INT("comm ~ \"*\"", 1);
	EXPECT_INT("comm ~ \"?\"", 0);
	/* 16 characters and no NUL: bounded by the array, not by a terminator */
	wakeup_fill("abcdefghijklmnop", 16, 1, 1, 1);
	EXPECT_STR("comm", "abcdefghijklmnop");
	EXPECT_INT("comm == \"abcdefghijklmnop\"", 1);
	EXPECT_INT("comm == \"abcdefghijklmnopq\"", 0);
	EXPECT_INT("strlen(comm)", 16);
	EXPECT_INT("comm ~ \"*p\"", 1);
	EXPECT_INT("comm[15]", 'p');
	event_close();
}

TEST(expr_glob)
{
	static const struct {
		const char *comm, *pat;
		int want;
	} cases[] = {
		{ "rcu_sched", "rcu*", 1 }, { "rcu_sched", "*sched", 1 }, { "rcu_sched", "*_*", 1 },
		{ "rcu_sched", "rcu", 0 }, { "rcu_sched", "rcu_sche?", 1 }, { "rcu_sched", "?", 0 },
		{ "rcu_sched", "*", 1 }, { "rcu_sched", "**d", 1 }, { "rcu_sched", "r*u*d", 1 },
		{ "rcu_sched", "r*x*d", 0 }, { "bash", "[abc]ash", 1 }, { "bash", "[a-c]ash", 1 },
		{ "bash", "[c-z]ash", 0 }, { "bash", "[!x]ash", 1 }, { "bash", "[!b]ash", 0 },
		{ "bash", "[^b]ash", 0 }, { "bash", "[^a-c]ash", 0 }, { "b]sh", "b[]]sh", 1 },
		{ "a*b", "a\\*b", 1 }, { "axb", "a\\*b", 0 }, { "a?b", "a\\?b", 1 }, { "axb", "a\\?b", 0 }, { "a[b", "a\\[b", 1 },
		{ "kworker/0:1", "kworker/*", 1 }, { "kworker/0:1", "kworker/[0-9]:*", 1 },
		{ "", "", 1 }, { "", "*", 1 }, { "a", "", 0 }, { "aaa", "a*a*a*a", 0 },
		{ "abc", "abc*", 1 }, { "abcd", "a?c", 0 }, { "x-y", "x[a-]y", 1 },
	};
	char src[128];

	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* at run time against the record ... */
		wakeup_fill(cases[i].comm, strlen(cases[i].comm), 1, 1, 1);
		snprintf(src, sizeof(src), "comm ~ \"%s\"", cases[i].pat);
		expect_int(__LINE__, src, cases[i].want);
		/* ... folded at compile time from two literals ... */
		snprintf(src, sizeof(src), "\"%s\" ~ \"%s\"", cases[i].comm, cases[i].pat);
		expect_int(__LINE__, src, cases[i].want);
		/* ... and with the pattern itself computed at run time */
		snprintf(src, sizeof(src), "comm ~ (pid ? \"%s\" : \"\")", cases[i].pat);
		expect_int(__LINE__, src, cases[i].want);
	}
	/* an unterminated '[' computed at run time is an ordinary character */
	wakeup_fill("a[b", 3, 1, 1, 1);
	EXPECT_INT("comm ~ (pid ? \"a[b\" : \"\")", 1);
	event_close();
}

/*
 * Every binary and unary operator: at run time from the s64 fields x, y
 * (u64 ux, uy hold the same bits), then again with x, y, ux, uy replaced by
 * literals so the compiler folds it; both must agree with @want.
 */
static const struct op_case {
	const char *src;
	s64 x, y, want;
} op_cases[] = {
	{ "x + y", 5, 7, 12 },
	{ "x + y", INT64_MAX, 1, INT64_MIN },
	{ "x - y", 5, 7, -2 },
	{ "x * y", -3, 7, -21 },
	{ "x * y", 0x100000000LL, 0x100000000LL, 0 },
	{ "x / y", -7, 2, -3 },
	{ "x / y", 7, -2, -3 },
	{ "ux / uy", -7, 2, 0x7ffffffffffffffcLL },
	{ "x / uy", -7, 2, 0x7ffffffffffffffcLL },
	{ "x % y", -7, 2, -1 },
	{ "x % y", 7, -3, 1 },
	{ "ux % uy", -7, 2, 1 },
	{ "x % y", INT64_MIN, -1, 0 },
	{ "x << y", 1, 63, INT64_MIN },
	{ "x << y", 1, 64, 0 },
	{ "x << y", 1, -1, 0 },
	{ "x >> y", -16, 2, -4 },
	{ "x >> y", -1, 70, -1 },
	{ "x >> y", 16, 70, 0 },
	{ "ux >> uy", -16, 60, 15 },
	{ "ux >> y", -16, 60, 15 },
	{ "x >> uy", -16, 2, -4 },
	{ "x & y", 12, 10, 8 },
	{ "x | y", 12, 10, 14 },
	{ "x ^ y", 12, 10, 6 },
	{ "x == y", 5, 5, 1 },
	{ "x == y", 5, 6, 0 },
	{ "x != y", 5, 6, 1 },
	{ "x < y", -1, 1, 1 },
	{ "ux < uy", -1, 1, 0 },
	{ "x < uy", -1, 1, 0 },
	{ "x <= y", 1, 1, 1 },
	{ "x <= y", 2, 1, 0 },
	{ "ux <= uy", 1, -1, 1 },
	{ "x > y", -1, 1, 0 },
	{ "ux > uy", -1, 1, 1 },
	{ "x >= y", 1, 1, 1 },
	{ "ux >= uy", 1, -1, 0 },
	{ "x && y", 2, 0, 0 },
	{ "x && y", 2, 3, 1 },
	{ "x || y", 0, 3, 1 },
	{ "x || y", 0, 0, 0 },
	{ "!x", 0, 0, 1 },
	{ "!x", 5, 0, 0 },
	{ "-x", 5, 0, -5 },
	{ "-x", INT64_MIN, 0, INT64_MIN },
	{ "~x", 0, 0, -1 },
	{ "+x", 9, 0, 9 },
	{ "x ? y : 42", 1, 9, 9 },
	{ "x ? y : 42", 0, 9, 42 },
	{ "x, y", 1, 9, 9 },
	{ "min(x, y)", -1, 1, -1 },
	{ "min(ux, uy)", -1, 1, 1 },
	{ "max(x, y)", -1, 1, 1 },
	{ "max(ux, uy)", -1, 1, -1 },
	{ "abs(x)", -5, 0, 5 },
	{ "abs(x)", 5, 0, 5 },
	{ "ntohl(x)", 0x01020304, 0, 0x04030201 },
	{ "htonl(x)", 0x100000001LL, 0, 0x01000000 },
	{ "ntohs(x)", 0x0102, 0, 0x0201 },
	{ "htons(x)", 0xff0102, 0, 0x0201 },
	{ "(u8)x", 0x1ff, 0, 255 },
	{ "(s8)x", 0xff, 0, -1 },
	{ "(char)x", 0x80, 0, -128 },
	{ "(signed char)x", 0x80, 0, -128 },
	{ "(unsigned char)x", 263, 0, 7 },
	{ "(short)x", 0x8000, 0, -32768 },
	{ "(u16)x", -1, 0, 65535 },
	{ "(unsigned short int)x", -1, 0, 65535 },
	{ "(int)x", 0x80000000LL, 0, -2147483648LL },
	{ "(unsigned)x", -1, 0, 4294967295LL },
	{ "(unsigned int)x", -1, 0, 4294967295LL },
	{ "(uint32_t)x", -1, 0, 4294967295LL },
	{ "(__s16)x", 0xffff, 0, -1 },
	{ "(int8_t)x", 0x80, 0, -128 },
	{ "(long)x", -1, 0, -1 },
	{ "(long long)x", -1, 0, -1 },
	{ "(u64)x > 0", -1, 0, 1 },
	{ "(unsigned long)x > 0", -1, 0, 1 },
	{ "(s64)ux < 0", -1, 0, 1 },
	{ "(s32)ux < 0", 0xffffffffLL, 0, 1 },
	{ "(u32)x - 6 < 0", 5, 0, 0 },
	{ "(int)x - 6 < 0", 5, 0, 1 },
	{ "(u16)x - 6 < 0", 5, 0, 1 },
	{ "(bool)x", 5, 0, 1 },
	{ "(_Bool)x + (bool)y", 0, -3, 1 },
	{ "(const int)x", 0x100000002LL, 0, 2 },
	{ "x + y * 2", 1, 3, 7 },
	{ "(x + y) * 2", 1, 3, 8 },
	{ "x << 1 + y", 1, 2, 8 },
	{ "x | y ^ 3 & 1", 4, 2, 7 },
	{ "x < y == 1", 1, 2, 1 },
	{ "x & 1 == 1", 2, 0, 0 },
	{ "x == 1 ? 10 : y == 2 ? 20 : 30", 0, 2, 20 },
	{ "x ? y ? 1 : 2 : 3", 1, 0, 2 },
	{ "-x * -y", 2, 3, 6 },
	{ "!x + 1", 0, 0, 2 },
	{ "~x & 0xff", 0, 0, 255 },
	{ "x - y - 1", 10, 3, 6 },
	{ "x / y / 2", 100, 5, 10 },
	{ "x > 1 && y > 1 || x == 0", 0, 0, 1 },
	{ "x || y && 0", 1, 1, 1 },
	{ "x - -y", 1, 2, 3 },
	{ "x + 10u > -1", 0, 0, 0 },
	{ "x + 10 > -1", 0, 0, 1 },
	{ "100 - x", 1, 0, 99 },
	{ "100 / x", 7, 0, 14 },
	{ "3 < x", 5, 0, 1 },
	{ "3 >= x", 5, 0, 0 },
	{ "10 << x", 2, 0, 40 },
	{ "1 + x + 1", 1, 0, 3 },
};

/* substitute x y ux uy with literals of the same type and value */
static void subst_literals(const char *src, s64 x, s64 y, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = src; *p && o + 48 < size;) {
		size_t n = 0;

		while (p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9'))
			n++;
		if (n && (p[0] < '0' || p[0] > '9')) {
			if (n == 1 && (*p == 'x' || *p == 'y'))
				o += snprintf(out + o, size - o, "((s64)%lld)",
					      (long long)(*p == 'x' ? x : y));
			else if (n == 2 && p[0] == 'u' && (p[1] == 'x' || p[1] == 'y'))
				o += snprintf(out + o, size - o, "((u64)%llu)",
					      (unsigned long long)(p[1] == 'x' ? x : y));
			else
				o += snprintf(out + o, size - o, "%.*s", (int)n, p);
			p += n;
			continue;
		}
		if (!n)
			n = 1;
		o += snprintf(out + o, size - o, "%.*s", (int)n, p);
		p += n;
	}
	out[o] = '\0';
}

static bool program_is_constant(const char *src)
{
	struct err err;
	struct expr *e = expr_compile(src, cur_ev, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	bool folded;

	if (!e)
		return false;
	f = open_memstream(&buf, &len);
	expr_dump(e, f);
	fclose(f);
	/* "   1  CONST    <value>" and "   2  END", nothing else */
	folded = !strncmp(buf, "   1  CONST    ", 15) && strchr(buf, '\n') &&
		 !strcmp(strchr(buf, '\n') + 1, "   2  END\n");
	free(buf);
	expr_free(e);
	return folded;
}

TEST(expr_operators)
{
	char src[512];

	if (!event_open(fmt_nums))
		SKIP("libtraceevent cannot parse the test format");
	for (size_t i = 0; i < ARRAY_SIZE(op_cases); i++) {
		const struct op_case *k = &op_cases[i];

		nums_fill(k->x, k->y);
		expect_int(__LINE__, k->src, k->want);
		subst_literals(k->src, k->x, k->y, src, sizeof(src));
		expect_int(__LINE__, src, k->want);
		if (!program_is_constant(src))
			fail_at(__LINE__, "'%s' was not folded to a constant", src);
	}
	event_close();
}

TEST(expr_widths_and_signedness)
{
	if (!event_open(fmt_nums))
		SKIP("libtraceevent cannot parse the test format");
	nums_fill(0, 0);
	EXPECT_INT("a8", 250);
	EXPECT_INT("a16", 65535);
	EXPECT_INT("a32", 5);
	EXPECT_INT("b8", -3);
	EXPECT_INT("b16", -300);
	EXPECT_INT("b32", -5);
	EXPECT_INT("flag", 1);
	/* u8 and u16 promote to signed, as in C; u32 and u64 stay unsigned */
	EXPECT_INT("a8 - 251 < 0", 1);
	EXPECT_INT("a16 - 65536 < 0", 1);
	EXPECT_INT("a32 - 6 < 0", 0);
	EXPECT_INT("a32 - 6", -1);
	EXPECT_INT("(long)a32 - 6 < 0", 1);
	EXPECT_INT("b8 < 0 && b16 < 0 && b32 < 0", 1);
	EXPECT_INT("b32 < a32", 0);	/* unsigned compare: -5 is huge */
	EXPECT_INT("b16 < a16", 1);
	EXPECT_INT("b8 >> 1", -2);
	EXPECT_INT("a32 + b32", 0);
	EXPECT_INT("b32 / 2", -2);
	EXPECT_INT("b32 % 2", -1);
	EXPECT_INT("a32 / b32", 0);
	/* byte arrays: elements keep the format's signedness; any of them is a string */
	EXPECT_INT("uc[3]", 255);
	EXPECT_INT("sc[3]", -1);
	EXPECT_INT("uc == \"hi\"", 1);
	EXPECT_INT("sc ~ \"h?\"", 1);
	EXPECT_INT("sc == \"hi\"", 0);
	EXPECT_STR("uc", "hi");
	EXPECT_INT("ip[0] << 24 | ip[1] << 16 | ip[2] << 8 | ip[3]", 0xc0a80102);
	EXPECT_INT("ntohl(ip[0] | ip[1] << 8 | ip[2] << 16 | ip[3] << 24)", 0xc0a80102);
	EXPECT_INT("sizeof(ip) + sizeof(ip[0]) + sizeof(a16) + sizeof(x)", 4 + 1 + 2 + 8);
	event_close();
}

TEST(expr_literals)
{
	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	wakeup_fill("bash", 4, 1234, 120, 2);
	EXPECT_INT("0x10", 16);
	EXPECT_INT("0XfF", 255);
	EXPECT_INT("010", 8);
	EXPECT_INT("0", 0);
	EXPECT_INT("0777", 511);
	EXPECT_INT("18446744073709551615", -1);
	EXPECT_INT("0xffffffffffffffff > 0", 1);	/* too big for s64: unsigned */
	EXPECT_INT("9223372036854775807", INT64_MAX);
	EXPECT_INT("10u > -1", 0);
	EXPECT_INT("10L + 10ul + 10LLU", 30);
	EXPECT_INT("'a'", 97);
	EXPECT_INT("'\\n'", 10);
	EXPECT_INT("'\\t' + '\\r'", 9 + 13);
	EXPECT_INT("'\\x41'", 65);
	EXPECT_INT("'\\101'", 65);
	EXPECT_INT("'\\''", 39);
	EXPECT_INT("'\\\\'", 92);
	EXPECT_INT("'\\0'", 0);
	EXPECT_INT("'\\xff'", 255);
	EXPECT_INT("'\\e' + '\\a' + '\\b' + '\\f' + '\\v'", 27 + 7 + 8 + 12 + 11);
	EXPECT_INT("'\"'", 34);
	EXPECT_INT("\"a\" \"b\" == \"ab\"", 1);
	EXPECT_INT("\"ab\"  \"\" \"c\" == \"abc\"", 1);
	EXPECT_INT("strlen(\"a\\tb\")", 3);
	EXPECT_INT("strlen(\"a\\0b\")", 1);
	EXPECT_INT("\"\\x41\\102\\\"\\\\\" == \"AB\\\"\\\\\"", 1);
	EXPECT_INT("strlen(\"\\x41\\102\\\"\\\\\")", 4);
	EXPECT_STR("\"it's\"", "it's");
	EXPECT_INT("pid # a comment", 1234);
	EXPECT_INT("pid // a comment\n + 1", 1235);
	EXPECT_INT("\tpid\n>\r\n100", 1);
	EXPECT_INT("1, 2, 3", 3);
	EXPECT_INT("sizeof(int) + sizeof(char) + sizeof(short) + sizeof(long)", 15);
	EXPECT_INT("sizeof(unsigned long long) + sizeof(char *) + sizeof(u16)", 18);
	event_close();
}

TEST(expr_data_loc)
{
	u8 rec[96] = { 0 };

	if (!event_open(fmt_dloc))
		SKIP("libtraceevent cannot parse the test format");
	memcpy(rec + 28, "eth0", 5);
	PUT(rec, 8, u32, 5u << 16 | 28);
	memcpy(rec + 33, "/usr/bin/bash", 14);
	PUT(rec, 12, u32, 14u << 16 | 33);
	PUT(rec, 16, int, 7);
	/* __rel_loc: the offset counts from the end of the word (24) */
	memcpy(rec + 47, "relstr", 7);
	PUT(rec, 20, u32, 7u << 16 | (47 - 24));
	PUT(rec, 56, u64, 0x10);
	PUT(rec, 64, u64, 0x20);
	PUT(rec, 72, u64, 0x30);
	PUT(rec, 24, u32, 24u << 16 | 56);
	use_record(rec, 80);
	EXPECT_STR("name", "eth0");
	EXPECT_STR("path", "/usr/bin/bash");
	EXPECT_STR("rel", "relstr");
	EXPECT_INT("name == \"eth0\" && path == \"/usr/bin/bash\"", 1);
	EXPECT_INT("name != \"eth1\"", 1);
	EXPECT_INT("name ~ \"eth?\"", 1);
	EXPECT_INT("path ~ \"/usr/*\"", 1);
	EXPECT_INT("path ~ \"*bash\"", 1);
	EXPECT_INT("path ~ \"*/sbin/*\"", 0);
	EXPECT_INT("rel ~ \"rel*\"", 1);
	EXPECT_INT("name == path", 0);
	EXPECT_INT("path ~ name", 0);
	EXPECT_INT("strlen(name) + strlen(path)", 4 + 13);
	EXPECT_INT("name[0] == 'e' && name[3] == '0' && name[4] == 0", 1);
	EXPECT_INT("addrs[0] + addrs[1] + addrs[2]", 0x60);
	EXPECT_INT("addrs[x - 5]", 0x30);
	EXPECT_INT("x", 7);
	EXPECT_INT("strncmp(path, \"/usr/lib\", 5)", 0);
	EXPECT_INT("strncmp(path, \"/usr/lib\", 6)", -1);
	EXPECT_INT("strncmp(name, path, 0)", 0);
	EXPECT_STR("(char *)name", "eth0");
	EXPECT_INT("(char *)addrs == \"\\x10\"", 1);	/* the bytes up to the first NUL */
	EXPECT_RTERR("name[5]");
	EXPECT_RTERR("addrs[3]");
	EXPECT_RTERR("addrs[x - 8]");
	/* the record ends inside the second string */
	use_record(rec, 40);
	EXPECT_STR("name", "eth0");
	EXPECT_RTERR("path");
	EXPECT_RTERR("path == \"x\"");
	EXPECT_RTERR("addrs[0]");
	EXPECT_INT("x", 7);
	/* shorter than the fixed part */
	use_record(rec, 20);
	EXPECT_INT("x + 1", 8);
	EXPECT_RTERR("rel");
	EXPECT_RTERR("addrs[0]");
	/* a bogus length, and an empty string */
	use_record(rec, 80);
	PUT(rec, 8, u32, 0xffffu << 16 | 28);
	EXPECT_RTERR("name");
	EXPECT_RTERR("strlen(name)");
	PUT(rec, 8, u32, 0u << 16 | 28);
	EXPECT_STR("name", "");
	EXPECT_INT("name ? 1 : 2", 2);
	EXPECT_RTERR("name[0]");
	/* not NUL-terminated: bounded by the data_loc length */
	PUT(rec, 8, u32, 3u << 16 | 28);
	EXPECT_STR("name", "eth");
	EXPECT_INT("name == \"eth\"", 1);
	event_close();
}

TEST(expr_arrays)
{
	u8 rec[88] = { 0 };

	if (!event_open(fmt_arr))
		SKIP("libtraceevent cannot parse the test format");
	PUT(rec, 8, int, -1);
	PUT(rec, 12, int, 20);
	PUT(rec, 16, int, 30);
	PUT(rec, 20, int, 40);
	PUT(rec, 24, u64, 0xffffffff81000000ULL);
	PUT(rec, 32, u64, 2);
	PUT(rec, 40, u64, 3);
	PUT(rec, 48, u16, 80);
	PUT(rec, 50, u16, 65535);
	PUT(rec, 52, int, 2);
	PUT(rec, 80, u32, 0xdeadbeef);
	PUT(rec, 84, u32, 17);
	use_record(rec, sizeof(rec));
	EXPECT_INT("vals[0]", -1);
	EXPECT_INT("vals[3]", 40);
	EXPECT_INT("vals[idx]", 30);
	EXPECT_INT("vals[idx + 1]", 40);
	EXPECT_INT("vals[idx - 2] < 0", 1);
	EXPECT_INT("caller[0] >> 32", 0xffffffff);
	EXPECT_INT("caller[idx]", 3);
	EXPECT_INT("caller[0] > 0", 1);	/* unsigned long elements */
	EXPECT_INT("ports[1]", 65535);
	EXPECT_INT("ports[idx - 1] - 65536 < 0", 1);	/* u16 promotes to signed */
	EXPECT_INT("sizeof(vals) + sizeof(caller[0])", 24);
	EXPECT_RTERR("vals[idx + 2]");
	EXPECT_RTERR("vals[idx - 3]");
	EXPECT_RTERR("caller[idx * 100]");
	EXPECT_RTERR("ports[idx]");
	/* arrays read as their bytes: up to the first NUL or the end */
	EXPECT_INT("(char *)ports == \"P\"", 1);
	EXPECT_INT("(char *)ports != \"P\"", 0);
	EXPECT_INT("(char *)ports ~ \"P*\"", 1);
	EXPECT_INT("(char *)caller == \"\"", 1);
	EXPECT_INT("strlen((char *)vals)", 5);	/* ff ff ff ff 14 00 */
	/* a flexible array ends with the record */
	EXPECT_INT("tail[0]", 0xdeadbeef);
	EXPECT_INT("tail[idx - 1]", 17);
	EXPECT_RTERR("tail[idx]");
	use_record(rec, 84);
	EXPECT_RTERR("tail[1]");
	EXPECT_INT("tail[0] > 0", 1);
	use_record(rec, 80);
	EXPECT_RTERR("tail[0]");
	/* a record too short for the fixed fields the program reads */
	use_record(rec, 20);
	EXPECT_RTERR("vals[0]");
	EXPECT_RTERR("idx");
	use_record(NULL, 0);
	EXPECT_RTERR("idx");
	event_close();
}

TEST(expr_flexible_string)
{
	u8 rec[32] = { 0 };

	if (!event_open(fmt_print))
		SKIP("libtraceevent cannot parse the test format");
	PUT(rec, 8, u64, 0xffffffff81234567ULL);
	memcpy(rec + 16, "hello world\n", 12);
	use_record(rec, sizeof(rec));	/* zero padding after the text */
	EXPECT_STR("buf", "hello world\n");
	EXPECT_INT("buf == \"hello world\\n\"", 1);
	EXPECT_INT("buf ~ \"*wor*\"", 1);
	EXPECT_INT("buf ~ \"hello*\"", 1);
	EXPECT_INT("strlen(buf)", 12);
	EXPECT_INT("buf[4]", 'o');
	EXPECT_INT("buf[15]", 0);
	EXPECT_RTERR("buf[16]");
	EXPECT_INT("ip >> 32", 0xffffffff);
	use_record(rec, 21);	/* cut inside the text: no NUL, bounded by the record */
	EXPECT_STR("buf", "hello");
	use_record(rec, 16);
	EXPECT_STR("buf", "");
	use_record(rec, 12);
	EXPECT_RTERR("buf");
	EXPECT_CERR("sizeof(buf)", "sizeof needs a type name or a fixed-size field", 0);
	event_close();
}

TEST(expr_runtime_errors)
{
	if (!event_open(fmt_nums))
		SKIP("libtraceevent cannot parse the test format");
	nums_fill(INT64_MIN, -1);
	EXPECT_RTERR("x / y");
	EXPECT_INT("x % y", 0);
	EXPECT_INT("ux / uy", 0);
	nums_fill(5, 0);
	EXPECT_RTERR("x / y");
	EXPECT_RTERR("x % y");
	EXPECT_RTERR("ux / uy");
	EXPECT_RTERR("ux % uy");
	EXPECT_RTERR("x / (y - y)");
	EXPECT_RTERR("a32 % y");
	EXPECT_INT("y && x / y", 0);	/* not evaluated: no error */
	EXPECT_INT("y ? x / y : -1", -1);
	EXPECT_RTERR("printf(\"\"), x / y");
	/* string programs fail the same way */
	EXPECT_RTERR("x / y ? uc : sc");
	event_close();
}

TEST(expr_functions)
{
	u64 addr;

	if (!event_open(fmt_nums))
		SKIP("libtraceevent cannot parse the test format");
	nums_fill(59, 1234);
	EXPECT_STR("syscall_name(x)", "execve");
	EXPECT_STR("syscall_name(0)", "read");
	EXPECT_STR("syscall_name(y - 1233)", "write");
	EXPECT_STR("syscall_name(231)", "exit_group");
	EXPECT_STR("syscall_name(335)", "uretprobe");
	EXPECT_STR("syscall_name(469)", "file_setattr");
	EXPECT_STR("syscall_name(400)", "Unknown");
	EXPECT_STR("syscall_name(470)", "Unknown");
	EXPECT_STR("syscall_name(-1)", "Unknown");
	EXPECT_INT("syscall_name(x) == \"execve\"", 1);
	tasks__set_comm(test_env.tasks, 1234, "worker/1");
	EXPECT_STR("comm_get(y)", "worker/1");
	EXPECT_INT("comm_get(y) ~ \"worker*\"", 1);
	EXPECT_STR("comm_get(0)", "<idle>");
	EXPECT_STR("ksymbol(0)", "Unknown");
	EXPECT_INT("strlen(ksymbol(0))", 7);
	EXPECT_INT("strncmp(\"abc\", \"abd\", 2)", 0);
	EXPECT_INT("strncmp(\"abc\", \"abd\", 3)", -1);
	EXPECT_INT("strncmp(\"abd\", \"abc\", 3)", 1);
	EXPECT_INT("strncmp(\"ab\", \"ab\", 10)", 0);
	EXPECT_INT("strncmp(\"ab\", \"abc\", 3)", -1);
	EXPECT_INT("strncmp(uc, \"hi\", 8)", 0);
	EXPECT_INT("strncmp(uc, sc, 1) == 0 && strncmp(uc, sc, 2) < 0", 1);
	EXPECT_INT("strlen(\"\")", 0);
	EXPECT_INT("strlen(syscall_name(x))", 6);
	EXPECT_INT("min(b32, a32)", 5);	/* unsigned: -5 is the larger */
	EXPECT_INT("min(b32, (int)a32)", -5);
	EXPECT_INT("max(b8, b16)", -3);
	test_env_reset();
	addr = ksyms__addr(test_env.ksyms, "schedule");
	if (!addr) {
		event_close();
		SKIP("no kernel symbols readable (not root?)");
	}
	nums_fill((s64)addr + 4, 0);
	EXPECT_STR("ksymbol(ux)", "schedule");
	EXPECT_INT("ksymbol(x) == \"schedule\"", 1);
	event_close();
}

/*
 * run @src against the current record with stdout going to a file; a
 * negative @want_ret: the evaluation fails, having printed @want_out
 */
static void expect_printf(int line, const char *src, const char *want_out, s64 want_ret)
{
	struct expr_ctx ctx = ctx_make();
	char out[1024] = "";
	struct err err;
	struct expr *e = compile_cur(src, &err);
	FILE *tmp = tmpfile();
	int saved, r;
	size_t n;
	s64 v = -1;

	if (!e || !tmp) {
		fail_at(line, "'%s': %s", src, e ? "no tmpfile" : err.msg);
		expr_free(e);
		if (tmp)
			fclose(tmp);
		return;
	}
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	r = expr_eval(e, &ctx, &v);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	if (want_ret < 0 && !r)
		fail_at(line, "'%s': no run-time error, printed \"%s\"", src, out);
	else if (want_ret >= 0 && r)
		fail_at(line, "'%s': run-time error", src);
	else if (strcmp(out, want_out))
		fail_at(line, "'%s': printed \"%s\", want \"%s\"", src, out, want_out);
	else if (want_ret >= 0 && v != want_ret)
		fail_at(line, "'%s': returned %lld, want %lld", src, (long long)v, (long long)want_ret);
	expr_free(e);
}

#define EXPECT_PRINTF(src, out, ret) expect_printf(__LINE__, src, out, ret)

TEST(expr_printf)
{
	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	wakeup_fill("bash", 4, 1234, 120, 2);
	EXPECT_PRINTF("printf(\"%d %s|%5.2s|%-5d|%x|%c|%%|%lu\\n\", pid, comm, comm, prio, 255, 'A', _time)",
		      "1234 bash|   ba|120  |ff|A|%|123456789\n", 39);
	EXPECT_PRINTF("printf(\"\")", "", 0);
	EXPECT_PRINTF("printf(\"plain\")", "plain", 5);
	EXPECT_PRINTF("printf(\"%%d\")", "%d", 2);
	EXPECT_PRINTF("printf(\"%hhd %hd %d %ld\", 0x1ff, 0x18000, 0x100000005, 0x100000005)",
		      "-1 -32768 5 4294967301", 22);
	EXPECT_PRINTF("printf(\"%u %llu %lx %hhu %hx\", -1, -1, -1, -1, -1)",
		      "4294967295 18446744073709551615 ffffffffffffffff 255 ffff", 57);
	EXPECT_PRINTF("printf(\"%o %#x %#o %+d % d %05d %.3d\", 8, 255, 8, 5, 5, 42, 7)",
		      "10 0xff 010 +5  5 00042 007", 27);
	EXPECT_PRINTF("printf(\"[%*d][%-*d][%.*d]\", 5, 42, 4, 42, 3, 7)", "[   42][42  ][007]", 18);
	EXPECT_PRINTF("printf(\"[%*.*d]\", 6, 4, 42)", "[  0042]", 8);
	EXPECT_PRINTF("printf(\"[%.*s][%*.*s][%.*s][%-6s]\", 2, comm, 6, 3, comm, -1, comm, comm)",
		      "[ba][   bas][bash][bash  ]", 26);
	EXPECT_PRINTF("printf(\"[%*s]\", 6, comm)", "[  bash]", 8);
	EXPECT_PRINTF("printf(\"%.10s|%.0s|\", comm, comm)", "bash||", 6);
	EXPECT_PRINTF("printf(\"%c%c\", 'o', 0x16b)", "ok", 2);
	EXPECT_PRINTF("printf(\"%p\", 16)", "0x10", 4);
	EXPECT_PRINTF("printf(\"%s\", pid > 1000 ? \"big\" : \"small\")", "big", 3);
	EXPECT_PRINTF("printf(\"%s %s\", syscall_name(0), \"x\" \"y\")", "read xy", 7);
	EXPECT_PRINTF("printf(\"a\"), printf(\"b\"), 5", "ab", 5);
	EXPECT_PRINTF("pid > 2000 && printf(\"never\")", "", 0);
	EXPECT_PRINTF("pid > 1000 && printf(\"once\")", "once", 1);
	EXPECT_PRINTF("printf(\"%d\", printf(\"abc\"))", "abc3", 1);
	EXPECT_PRINTF("printf(\"%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d\", 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6)",
		      "1234567890123456", 16);
	/*
	 * '*' widths and precisions are bounded like written ones (6 digits): beyond,
	 * the evaluation fails and prints nothing, not gigabytes
	 */
	EXPECT_PRINTF("printf(\"%*d\", 2147483647, pid)", "", -1);
	EXPECT_PRINTF("printf(\"a%*d\", -2147483647, pid)", "", -1);
	EXPECT_PRINTF("printf(\"%*d\", 4294967301, pid)", "", -1);	/* not wrapped to 5 */
	EXPECT_PRINTF("printf(\"[%.*d]\", 1000000, pid)", "", -1);
	EXPECT_PRINTF("printf(\"[%*.*s]\", 1, 1000000, comm)", "", -1);
	EXPECT_PRINTF("printf(\"x%s%*c\", comm, 999999 + 1, 'a')", "", -1);
	EXPECT_RTERR("printf(\"%*d\", 1000000, pid) + 1");
	EXPECT_PRINTF("printf(\"[%*d]\", -6, pid)", "[1234  ]", 8);
	EXPECT_PRINTF("printf(\"[%.*d]\", -1000000000, pid)", "[1234]", 6);	/* none */
	{
		struct expr_ctx ctx = ctx_make();
		struct err err;
		struct expr *e = compile_cur("printf(\"%*d\", 999999, pid)", &err);
		FILE *tmp = tmpfile();
		int saved;
		s64 v = 0;

		/* the bound itself is allowed: as wide as printf("%999999d") */
		CHECK(e && tmp);
		if (e && tmp) {
			fflush(stdout);
			saved = dup(1);
			dup2(fileno(tmp), 1);
			CHECK_INT(expr_eval(e, &ctx, &v), 0);
			fflush(stdout);
			dup2(saved, 1);
			close(saved);
			CHECK_INT(v, 999999);
			CHECK_INT(ftell(tmp), 999999);
		}
		if (tmp)
			fclose(tmp);
		expr_free(e);
	}
	{
		struct expr_ctx ctx = ctx_make();
		char *buf = NULL;
		size_t len = 0;
		struct err err;
		struct expr *e = compile_cur("printf(\"<%d>\", pid)", &err);
		s64 v = 0;

		/* printf writes to the run's output (-o FILE), not to stdout */
		test_env.out = open_memstream(&buf, &len);
		CHECK(e != NULL);
		if (e)
			CHECK_INT(expr_eval(e, &ctx, &v), 0);
		fclose(test_env.out);
		test_env.out = stdout;
		CHECK_STR(buf, "<1234>");
		free(buf);
		expr_free(e);
	}
	/* a 16-character comm without NUL prints whole, no more */
	wakeup_fill("abcdefghijklmnop", 16, 1, 1, 1);
	EXPECT_PRINTF("printf(\"%s|\", comm)", "abcdefghijklmnop|", 17);
	event_close();
}

TEST(expr_vars)
{
	static const char *const key[] = { "key", NULL };
	static const char *const two[] = { "a", "b", NULL };
	s64 v = 5;
	s64 ab[2] = { 10, -3 };

	cur_ev = NULL;
	cur_varnames = key;
	cur_vars = &v;
	use_record(NULL, 0);
	EXPECT_STR("key < 10 ? \"HIGH\" : \"LOW\"", "HIGH");
	v = 20;
	EXPECT_STR("key < 10 ? \"HIGH\" : \"LOW\"", "LOW");
	EXPECT_PRINTF("printf(\"%s\", key<10?\"HIGH\":\"LOW\")", "LOW", 3);
	EXPECT_INT("key * 2 + 1", 41);
	EXPECT_STR("syscall_name(key - 20)", "read");
	v = 0;
	EXPECT_STR("ksymbol(key)", "Unknown");
	v = -1;
	EXPECT_INT("key < 0", 1);	/* variables are s64 */
	EXPECT_CERR("kee > 1", "undefined variable 'kee'", 0);
	CHECK_STR(last_err.hint, "did you mean 'key'?");
	CHECK_CONTAINS(last_err.detail, "available variables:\n  s64 key\n");
	EXPECT_CERR("_cpu", "undefined variable '_cpu'", 0);
	EXPECT_CERR("pid", "undefined variable 'pid'", 0);
	cur_vars = NULL;
	EXPECT_RTERR("key");	/* the caller forgot ctx->vars */
	cur_varnames = two;
	cur_vars = ab;
	EXPECT_INT("a / b", -3);
	EXPECT_INT("b < a", 1);
	cur_varnames = NULL;
	cur_vars = NULL;
	test_env_reset();
}

TEST(expr_no_event)
{
	struct err err;
	struct expr *e;

	cur_ev = NULL;
	cur_varnames = NULL;
	use_record(NULL, 0);
	EXPECT_INT("_cpu * 2 + _pid", 1006);
	EXPECT_INT("_time % 1000", 789);
	EXPECT_CERR("_pid <<", "unexpected end of expression", 7);
	CHECK_STR(last_err.detail, "  _pid <<\n         ^\navailable fields:\n  int _cpu\n"
		  "  int _pid\n  int _tid\n  u64 _time\n  u64 _period\n  u64 _ip\n");
	CHECK_STR(last_err.hint, "");
	EXPECT_CERR("pid > 0", "undefined variable 'pid'", 0);
	CHECK_STR(last_err.hint, "did you mean '_pid'?");
	e = expr_compile("_cpu == 1", NULL, &err);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(expr_source(e), "_cpu == 1");
		CHECK_INT(expr_result_type(e), EXPR_INT);
	}
	expr_free(e);
	expr_free(NULL);
	/* a NULL error report is allowed */
	CHECK(expr_compile("(", NULL, NULL) == NULL);
}

TEST(expr_result_types)
{
	static const struct {
		const char *src;
		enum expr_type type;
	} cases[] = {
		{ "comm", EXPR_STR }, { "(char *)comm", EXPR_STR }, { "pid", EXPR_INT },
		{ "comm == \"x\"", EXPR_INT }, { "ksymbol(pid)", EXPR_STR },
		{ "pid ? comm : \"x\"", EXPR_STR }, { "strlen(comm)", EXPR_INT },
		{ "comm_get(pid)", EXPR_STR }, { "\"lit\"", EXPR_STR }, { "pid, comm", EXPR_STR },
		{ "printf(\"x\"), comm", EXPR_STR }, { "comm[0]", EXPR_INT },
	};
	struct expr_ctx ctx;
	struct err err;
	const char *s;
	size_t len;

	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct expr *e = expr_compile(cases[i].src, cur_ev, &err);

		CHECK(e != NULL);
		if (!e)
			continue;
		if (expr_result_type(e) != cases[i].type)
			fail_at(__LINE__, "'%s': wrong result type", cases[i].src);
		expr_free(e);
	}
	/* expr_eval_str refuses an integer program */
	wakeup_fill("bash", 4, 1, 1, 1);
	ctx = ctx_make();
	{
		struct expr *e = expr_compile("pid", cur_ev, &err);

		CHECK(e != NULL);
		if (e)
			CHECK_INT(expr_eval_str(e, &ctx, &s, &len), -1);
		expr_free(e);
	}
	event_close();
}

TEST(expr_compile_errors)
{
	char deep[1024], wide[1024];
	int n = 0;

	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	/* syntax */
	EXPECT_CERR("pid <<", "unexpected end of expression", 6);
	EXPECT_CERR("", "empty expression", 0);
	EXPECT_CERR("   ", "empty expression", 3);
	EXPECT_CERR("pid > > 1", "expected an operand, found '>'", 6);
	EXPECT_CERR("pid 100", "unexpected '100' after a complete expression", 4);
	EXPECT_CERR("pid > 1 comm", "unexpected 'comm' after a complete expression", 8);
	EXPECT_CERR("(pid > 1", "unbalanced '(': missing ')'", 0);
	EXPECT_CERR("((pid > 1)", "unbalanced '(': missing ')'", 0);
	EXPECT_CERR("(pid > 1 comm)", "expected ')' to close the '(' at column 1, found 'comm'", 9);
	EXPECT_CERR("pid > 1)", "unbalanced ')'", 7);
	EXPECT_CERR("pid > )", "unbalanced ')'", 6);
	EXPECT_CERR("()", "unbalanced ')'", 1);
	EXPECT_CERR("comm[1", "unbalanced '[': missing ']'", 4);
	EXPECT_CERR("pid]", "unbalanced ']'", 3);
	EXPECT_CERR("pid ? 1", "unexpected end of expression", 7);
	EXPECT_CERR("pid ? 1 )", "expected ':' of the '?:', found ')'", 8);
	EXPECT_CERR("pid : 1", "':' without a '?'", 4);
	EXPECT_CERR("pid; 1", "unexpected ';'", 3);
	CHECK_STR(last_err.hint, "separate expressions with ','");
	EXPECT_CERR("pid @ 1", "unexpected character '@'", 4);
	EXPECT_CERR("pid $", "unexpected character '$'", 4);
	EXPECT_CERR("pid \x01", "unexpected character '\\x01'", 4);
	EXPECT_CERR("comm == \"a\\\x01\"", "unknown escape sequence: '\\' followed by byte 0x01", 10);
	EXPECT_CERR("pid = 1", "assignment is not supported: fields are read-only", 4);
	CHECK_STR(last_err.hint, "to compare, write '=='");
	EXPECT_CERR("pid += 1", "assignment is not supported: fields are read-only", 4);
	EXPECT_CERR("pid <<= 1", "assignment is not supported: fields are read-only", 4);
	EXPECT_CERR("pid++", "'++' is not supported: fields are read-only", 3);
	EXPECT_CERR("--pid", "'--' is not supported: fields are read-only", 0);
	EXPECT_CERR("*pid", "pointer dereference with '*' is not supported", 0);
	EXPECT_CERR("&pid", "taking an address with '&' is not supported", 0);
	EXPECT_CERR("comm.x", "member access with '.' is not supported", 4);
	EXPECT_CERR("comm->x", "member access with '->' is not supported", 4);
	EXPECT_CERR("(pid)(1)", "only functions can be called", 5);
	EXPECT_CERR("int", "unexpected type name 'int'", 0);
	EXPECT_CERR("pid, ", "unexpected end of expression", 5);
	/* literals */
	EXPECT_CERR("08", "invalid digit '8' in octal literal '08'", 1);
	EXPECT_CERR("pid > 0x", "bad integer literal '0x'", 6);
	EXPECT_CERR("12abc", "bad integer literal '12abc'", 0);
	EXPECT_CERR("1uu", "bad integer literal '1uu'", 0);
	EXPECT_CERR("99999999999999999999", "integer literal '99999999999999999999' is too large for 64 bits", 0);
	EXPECT_CERR("0x10000000000000000", "integer literal '0x10000000000000000' is too large for 64 bits", 0);
	EXPECT_CERR("comm == \"abc", "unterminated string literal", 8);
	EXPECT_CERR("comm == \"abc\\", "unterminated string literal", 8);
	EXPECT_CERR("comm == \"a\\qb\"", "unknown escape sequence '\\q'", 10);
	EXPECT_CERR("comm == \"\\x\"", "bad escape sequence '\\x': no hex digits follow", 9);
	EXPECT_CERR("'\\777'", "octal escape sequence '\\777' is out of range", 1);
	EXPECT_CERR("comm == 'bash'", "character literal holds more than one character", 8);
	CHECK_STR(last_err.hint, "strings are written in double quotes: \"bash\"");
	EXPECT_CERR("''", "empty character literal", 0);
	EXPECT_CERR("pid == 'a", "unterminated character literal", 7);
	/* names */
	EXPECT_CERR("pri > 1", "undefined variable 'pri'", 0);
	CHECK_STR(last_err.hint, "did you mean 'prio'?");
	EXPECT_CERR("pid > 1 && tagret_cpu", "undefined variable 'tagret_cpu'", 11);
	CHECK_STR(last_err.hint, "did you mean 'target_cpu'?");
	EXPECT_CERR("xyzzy", "undefined variable 'xyzzy'", 0);
	CHECK_STR(last_err.hint, "");
	EXPECT_CERR("foo(1)", "unknown function 'foo'", 0);
	CHECK_CONTAINS(last_err.hint, "the functions are printf, ksymbol");
	EXPECT_CERR("1 + ksymbl(pid)", "unknown function 'ksymbl'", 4);
	CHECK_STR(last_err.hint, "did you mean 'ksymbol'?");
	EXPECT_CERR("pid(1)", "'pid' is not a function", 0);
	EXPECT_CERR("ksymbol", "'ksymbol' is a function: call it as ksymbol(...)", 0);
	/* types */
	EXPECT_CERR("comm + 1", "'+' needs integer operands, not a string", 5);
	CHECK_STR(last_err.hint, "strings can be compared with ==, != and ~ (glob match)");
	EXPECT_CERR("1 * \"x\"", "'*' needs integer operands, not a string", 2);
	EXPECT_CERR("comm && pid << comm", "'<<' needs integer operands, not a string", 12);
	EXPECT_CERR("-comm", "'-' needs an integer operand, not a string", 0);
	EXPECT_CERR("+comm", "'+' needs an integer operand, not a string", 0);
	EXPECT_CERR("~comm", "'~' needs an integer operand, not a string", 0);
	EXPECT_CERR("pid ~ \"1*\"", "'~' needs a string on both sides (glob match), not an integer", 4);
	EXPECT_CERR("comm ~ pid", "'~' needs a string on both sides (glob match), not an integer", 5);
	EXPECT_CERR("comm ~ \"[abc\"", "unterminated '[' in glob pattern", 7);
	EXPECT_CERR("comm == 1", "cannot compare a string with an integer", 5);
	CHECK_STR(last_err.hint, "string literals are written in double quotes, e.g. comm == \"bash\"");
	EXPECT_CERR("pid != \"1\"", "cannot compare a string with an integer", 4);
	EXPECT_CERR("comm < \"a\"", "'<' cannot compare strings", 5);
	EXPECT_CERR("pid ? comm : 1", "the branches of '?:' have different types: a string and an integer", 4);
	EXPECT_CERR("pid[0]", "cannot index 'pid': it is not an array", 3);
	EXPECT_CERR("(pid + 1)[0]", "only array fields can be indexed", 9);
	EXPECT_CERR("comm[16]", "index 16 is out of bounds for 'comm' (16 elements)", 5);
	EXPECT_CERR("comm[-1]", "index -1 is out of bounds for 'comm' (16 elements)", 5);
	EXPECT_CERR("comm[\"a\"]", "an array index must be an integer, not a string", 5);
	EXPECT_CERR("(char *)pid", "cannot cast an integer to 'char *'", 0);
	EXPECT_CERR("(int)comm", "cannot cast a string to 'int'", 0);
	EXPECT_CERR("1 + (unsigned long)comm", "cannot cast a string to 'unsigned long'", 4);
	EXPECT_CERR("(int *)pid", "cannot cast to 'int *': the only pointer cast is (char *)", 1);
	EXPECT_CERR("(void *)pid", "cannot cast to 'void *': the only pointer cast is (char *)", 1);
	EXPECT_CERR("(char **)comm", "cannot cast to 'char **': the only pointer cast is (char *)", 1);
	EXPECT_CERR("(unsigned char short)pid", "bad type name 'unsigned char short'", 1);
	EXPECT_CERR("(long long long)pid", "bad type name 'long long long'", 1);
	EXPECT_CERR("(u8 int)pid", "bad type name 'u8 int'", 1);
	EXPECT_CERR("(void)pid", "bad type name 'void'", 1);
	EXPECT_CERR("(int pid", "expected ')' to close the '(' at column 1, found 'pid'", 5);
	EXPECT_CERR("sizeof(pid + 1)", "sizeof needs a type name or a fixed-size field", 0);
	/* functions */
	EXPECT_CERR("ksymbol(1, 2)", "'ksymbol' takes 1 argument, 2 given", 0);
	EXPECT_CERR("strncmp(comm, \"a\")", "'strncmp' takes 3 arguments, 2 given", 0);
	EXPECT_CERR("min()", "'min' takes 2 arguments, 0 given", 0);
	EXPECT_CERR("strlen(pid)", "argument 1 of 'strlen' must be a string, not an integer", 7);
	EXPECT_CERR("ksymbol(comm)", "argument 1 of 'ksymbol' must be an integer, not a string", 8);
	EXPECT_CERR("strncmp(comm, \"a\", \"b\")", "argument 3 of 'strncmp' must be an integer, not a string", 19);
	EXPECT_CERR("ksymbol(1", "unbalanced '(': missing ')'", 7);
	EXPECT_CERR("ksymbol(1 2)", "expected ',' or ')' in the call of 'ksymbol', found '2'", 10);
	EXPECT_CERR("printf()", "'printf' needs a format string", 0);
	EXPECT_CERR("printf(comm)", "the format of 'printf' must be a string literal", 7);
	EXPECT_CERR("printf(\"%d\")", "printf format expects 1 argument, 0 given", 0);
	EXPECT_CERR("printf(\"%d %d\", 1)", "printf format expects 2 arguments, 1 given", 0);
	EXPECT_CERR("printf(\"%*d\", 1)", "printf format expects 2 arguments, 1 given", 0);
	EXPECT_CERR("printf(\"x\", 1)", "printf format expects 0 arguments, 1 given", 0);
	EXPECT_CERR("printf(\"%s\", pid)", "argument 2 of 'printf' must be a string for '%s', not an integer", 13);
	EXPECT_CERR("printf(\"%d|%-5x\", 1, comm)", "argument 3 of 'printf' must be an integer for '%-5x', not a string", 21);
	EXPECT_CERR("printf(\"%.*s\", comm, comm)", "argument 2 of 'printf' must be an integer for '%.*s', not a string", 15);
	EXPECT_CERR("printf(\"%f\", 1)", "printf conversion '%f' is not supported: there is no floating point", 7);
	EXPECT_CERR("printf(\"%n\", 1)", "unsupported printf conversion '%n'", 7);
	EXPECT_CERR("printf(\"%y\", 1)", "unsupported printf conversion '%y'", 7);
	EXPECT_CERR("printf(\"abc%\")", "printf format ends in the middle of conversion '%'", 7);
	EXPECT_CERR("printf(\"%5\", 1)", "printf format ends in the middle of conversion '%5'", 7);
	EXPECT_CERR("printf(\"%lc\", 'a')", "bad length modifier in printf conversion '%lc'", 7);
	EXPECT_CERR("printf(\"%lls\", comm)", "bad length modifier in printf conversion '%lls'", 7);
	EXPECT_CERR("printf(\"%hld\", 1)", "bad length modifier in printf conversion '%hld'", 7);
	EXPECT_CERR("printf(\"%1234567d\", 1)", "printf conversion '%123456...' is too long", 7);
	EXPECT_CERR("printf(\"%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d\", 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7)",
		    "'printf' takes at most 16 arguments after the format", 0);
	{
		char many[512] = "printf(\"";

		for (int i = 0; i < 50; i++)
			strcat(many, "%d");
		strcat(many, "\")");
		EXPECT_CERR(many, "printf format has too many conversions (at most 16)", 7);
		strcpy(many, "min(1");
		for (int i = 0; i < 40; i++)
			strcat(many, ", 1");
		strcat(many, ")");
		EXPECT_CERR(many, "too many arguments in the call of 'min'", 4 + 3 * 32);
	}
	/* constant folding finds these at compile time */
	EXPECT_CERR("pid + 1 / 0", "division by zero", 8);
	EXPECT_CERR("1 % 0", "modulo by zero", 2);
	EXPECT_CERR("pid / 0", "division by zero", 4);
	EXPECT_CERR("pid % (2 - 2)", "modulo by zero", 4);
	EXPECT_INT("0x8000000000000000 / -1", 0);	/* unsigned: no overflow */
	EXPECT_CERR("(s64)0x8000000000000000 / -1", "integer overflow in division", 24);
	/* nesting and size limits: refused, never a crash */
	for (n = 0; n < 300; n++)
		deep[n] = '(';
	deep[n++] = '1';
	for (int i = 0; i < 300; i++)
		deep[n++] = ')';
	deep[n] = '\0';
	EXPECT_CERR(deep, "expression is nested too deeply", 100);
	n = 0;
	for (int i = 0; i < 70; i++)
		n += sprintf(wide + n, "pid+(");
	n += sprintf(wide + n, "pid");
	for (int i = 0; i < 70; i++)
		wide[n++] = ')';
	wide[n] = '\0';
	EXPECT_CERR(wide, "expression is too complex (it needs more than 64 stack slots)", 5 * 64 + 3);
	/* a 4 KB expression: the message keeps its reason, the caret its place */
	{
		char *big = malloc(4200);

		n = 0;
		while (n < 4090)
			n += sprintf(big + n, "pid+");
		n += sprintf(big + n, "nosuch");
		EXPECT_CERR(big, "undefined variable 'nosuch'", n - 6);
		CHECK(strlen(last_err.msg) < 200);
		CHECK(strstr(last_err.detail, "nosuch\n") != NULL);
		/* in the middle, the window is centered on it */
		memcpy(big + 2000, "nosu", 4);
		EXPECT_CERR(big, "undefined variable 'nosupid'", 2000);
		free(big);
	}
	/* a newline is shown as '?' and a tab stays a tab: the caret stays in its column */
	EXPECT_CERR("\tpid\n<<", "unexpected end of expression", 7);
	CHECK(strncmp(last_err.detail, "  \tpid?<<\n  \t      ^\n", 21) == 0);
	/* the field list is part of every diagnostic */
	EXPECT_CERR("pid <<", "unexpected end of expression", 6);
	CHECK_STR(last_err.detail,
		  "  pid <<\n"
		  "        ^\n"
		  "available fields:\n"
		  "  unsigned short common_type\n"
		  "  unsigned char common_flags\n"
		  "  unsigned char common_preempt_count\n"
		  "  int common_pid\n"
		  "  char[16] comm\n"
		  "  pid_t pid\n"
		  "  int prio\n"
		  "  int target_cpu\n"
		  "  int _cpu\n"
		  "  int _pid\n"
		  "  int _tid\n"
		  "  u64 _time\n"
		  "  u64 _period\n  u64 _ip\n");
	event_close();
}

TEST(expr_array_errors)
{
	if (!event_open(fmt_arr))
		SKIP("libtraceevent cannot parse the test format");
	EXPECT_CERR("caller + 1", "array 'caller' cannot be used as a value", 0);
	CHECK_STR(last_err.hint, "index it, e.g. caller[0], or read its bytes as a string: (char *)caller");
	EXPECT_CERR("vals", "array 'vals' cannot be used as a value", 0);
	EXPECT_CERR("vals == \"x\"", "array 'vals' cannot be used as a value", 0);
	EXPECT_CERR("ksymbol(caller)", "array 'caller' cannot be used as a value", 8);
	EXPECT_CERR("vals[4]", "index 4 is out of bounds for 'vals' (4 elements)", 5);
	EXPECT_CERR("idx ? vals : 1", "array 'vals' cannot be used as a value", 6);
	EXPECT_CERR("prs[0]", "cannot index 'prs': its elements are 12 bytes", 3);
	EXPECT_CERR("tail + 1", "array 'tail' cannot be used as a value", 0);
	EXPECT_CERR("sizeof(tail)", "sizeof needs a type name or a fixed-size field", 0);
	event_close();
	if (!event_open(fmt_dloc))
		SKIP("libtraceevent cannot parse the test format");
	EXPECT_CERR("sizeof(name)", "sizeof needs a type name or a fixed-size field", 0);
	EXPECT_CERR("addrs == 1", "array 'addrs' cannot be used as a value", 0);
	event_close();
}

TEST(expr_print_fields_and_dump)
{
	char *buf = NULL;
	size_t len = 0;
	struct err err;
	struct expr *e;
	FILE *f;

	if (!event_open(fmt_dloc))
		SKIP("libtraceevent cannot parse the test format");
	f = open_memstream(&buf, &len);
	expr_print_fields(cur_ev, f);
	fclose(f);
	CHECK_STR(buf, "  unsigned short common_type\n  unsigned char common_flags\n"
		  "  unsigned char common_preempt_count\n  int common_pid\n"
		  "  __data_loc char[] name\n  __data_loc char[] path\n  int x\n"
		  "  __rel_loc char[] rel\n  __data_loc u64[] addrs\n"
		  "  int _cpu\n  int _pid\n  int _tid\n  u64 _time\n  u64 _period\n  u64 _ip\n");
	free(buf);
	event_close();

	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	e = expr_compile("pid > 100 && prio < 120", cur_ev, &err);
	CHECK(e != NULL);
	if (e) {
		buf = NULL;
		f = open_memstream(&buf, &len);
		expr_dump(e, f);
		fclose(f);
		CHECK_STR(buf, "   0  CHKRAW   32\n"
			  "   1  LDS32    @24\n"
			  "   2  GTS_I    100\n"
			  "   3  JZ       -> 6\n"
			  "   4  LDS32    @28\n"
			  "   5  LTS_I    120\n"
			  "   6  END\n");
		free(buf);
	}
	expr_free(e);
	event_close();
}

/* a program without printf/ksymbol/comm_get must not touch the heap per sample */
TEST(expr_eval_does_not_allocate)
{
	struct mallinfo2 before, after;
	struct expr_ctx ctx;
	struct err err;
	struct expr *e;
	const char *s;
	size_t len;
	s64 v, sum = 0;

	if (!event_open(fmt_wakeup))
		SKIP("libtraceevent cannot parse the test format");
	wakeup_fill("rcu_sched", 9, 1234, 100, 1);
	ctx = ctx_make();
	e = expr_compile("(comm ~ \"rcu*\" && prio < 120 ? comm : \"x\"), (char *)comm", cur_ev, &err);
	CHECK(e != NULL);
	if (!e) {
		event_close();
		return;
	}
	before = mallinfo2();
	for (int i = 0; i < 10000; i++) {
		sum += expr_eval(e, &ctx, &v) == 0 && v == 1;
		sum += expr_eval_str(e, &ctx, &s, &len) == 0 && len == 9;
	}
	after = mallinfo2();
	CHECK_INT(sum, 20000);
	CHECK_U64(after.uordblks, before.uordblks);
	CHECK_U64(after.hblkhd, before.hblkhd);
	expr_free(e);
	event_close();
}
