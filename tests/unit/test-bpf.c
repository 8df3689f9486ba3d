// SPDX-License-Identifier: GPL-2.0
/*
 * test-bpf.c - the expression language's BPF back end (lib/bpf/expr.c)
 * against its user-space machine (lib/expr/vm.c), in the kernel: each
 * expression is compiled both ways, the BPF program (the filter program,
 * built for BPF_PROG_TEST_RUN) runs on a record through the kernel, and
 * its value, its verdict and its errors must equal the machine's on the
 * same record. Hand-written cases cover every construct and edge (division
 * by zero, INT64_MIN / -1, shifts by 64 and more, signed and unsigned
 * comparisons of every width, strings, globs, data_loc, indexes); a
 * generated run covers their combinations. Needs root (BPF); skips
 * otherwise, saying why.
 */
#include <errno.h>
#include <unistd.h>
#include <traceevent/event-parse.h>

#include "bpffilter.h"
#include "expr.h"
#include "harness.h"

#define MIX_ID 77

/* every integer width and sign, char arrays, data_loc strings and arrays, a packed field */
static const char fmt_mix[] =
	"name: mix\nID: 77\nformat:\n" COMMON_FIELDS
	"\tfield:s64 x;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:u64 ux;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 a8;\toffset:24;\tsize:1;\tsigned:0;\n"
	"\tfield:s8 b8;\toffset:25;\tsize:1;\tsigned:1;\n"
	"\tfield:u16 a16;\toffset:26;\tsize:2;\tsigned:0;\n"
	"\tfield:s16 b16;\toffset:28;\tsize:2;\tsigned:1;\n"
	"\tfield:u32 a32;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:s32 b32;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:s64 y;\toffset:40;\tsize:8;\tsigned:1;\n"
	"\tfield:char comm[16];\toffset:48;\tsize:16;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:64;\tsize:4;\tsigned:0;\n"
	"\tfield:__rel_loc char[] rel;\toffset:68;\tsize:4;\tsigned:0;\n"
	"\tfield:int vals[4];\toffset:72;\tsize:16;\tsigned:1;\n"
	"\tfield:__data_loc u16[] words;\toffset:88;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 odd;\toffset:94;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 tail[];\toffset:98;\tsize:0;\tsigned:0;\n"
	"\nprint fmt: \"x=%lld\", REC->x\n";

#define DATA_START 100	/* data_loc payloads start here */
#define REC_MAX 1024

static struct tep_handle *tep;
static struct tep_event *mix;
static const char *skip_reason;

/* the record of the current case */
static u8 rec[REC_MAX];
static u32 rec_size;
static u32 rec_data;	/* next free byte of the data area */
static int big_strings;	/* data_loc strings longer than a BPF filter examines */

enum { CPU = 1, PID = 4242, TID = 4243 };
#define TIME 987654321ULL

/* the first case that needs BPF sets it up; no BPF: every case skips with the reason */
static bool bpf_ready(void)
{
	static bool tried;
	struct bpf_filter *f;
	struct err err;
	struct expr *e;
	char why[256];

	if (tried)
		return !skip_reason;
	tried = true;
	tep = tep_alloc();
	if (tep_parse_format(tep, &mix, fmt_mix, strlen(fmt_mix), "sys") || !mix) {
		skip_reason = "cannot parse the test format";
		return false;
	}
	if (geteuid()) {
		skip_reason = "loading BPF programs needs root";
		return false;
	}
	e = expr_compile("x == 1", mix, &err);
	if (!e || bpf_filter__new_test(e, MIX_ID, &f, why, sizeof(why))) {
		static char buf[300];

		snprintf(buf, sizeof(buf), "this kernel cannot load the test program: %.200s",
			 e ? why : err.msg);
		skip_reason = buf;
		expr_free(e);
		return false;
	}
	bpf_filter__delete(f);
	expr_free(e);
	return true;
}

static void rec_reset(void)
{
	memset(rec, 0, sizeof(rec));
	PUT(rec, 0, u16, MIX_ID);
	PUT(rec, 4, s32, TID);	/* common_pid is the current thread in the kernel */
	rec_data = DATA_START;
	rec_size = DATA_START;
	big_strings = 0;
}

/* put @len bytes of @s in the data area and point the location word at @off to them */
static void rec_dyn(u32 off, bool rel, const void *s, u32 len)
{
	u32 o = rec_data - (rel ? off + 4 : 0);

	memcpy(rec + rec_data, s, len);
	PUT(rec, off, u32, (len << 16) | o);
	rec_data += len;
	rec_size = rec_data;
	if (len > 127 && memchr(s, 0, 128) == NULL)
		big_strings++;
}

/* a C string with its NUL, as the kernel's __assign_str() stores it */
static void rec_str(u32 off, bool rel, const char *s)
{
	rec_dyn(off, rel, s, (u32)strlen(s) + 1);
}

struct outcome {
	bool bpf;	/* compiled to BPF */
	char why[256];
	bool vm_err;
	s64 vm;
	int verdict;	/* 0 accepted, 1 rejected, 2 error, 3 undecided */
	int keep;	/* the program's return: 0 drops the record */
	s64 value;
};

/* run @src both ways on the current record; -1 when it does not compile at all */
static int run_both(const char *src, struct outcome *o)
{
	struct expr_ctx ctx = {
		.raw = rec, .raw_size = rec_size, .cpu = CPU, .pid = PID, .tid = TID,
		.time = TIME, .period = 1,
	};
	struct bpf_filter *f = NULL;
	struct err err;
	struct expr *e = expr_compile(src, mix, &err);
	u64 value = 0;
	int r;

	memset(o, 0, sizeof(*o));
	if (!e) {
		snprintf(o->why, sizeof(o->why), "compile error: %.200s", err.msg);
		return -1;
	}
	o->vm_err = expr_eval(e, &ctx, &o->vm) != 0;
	r = bpf_filter__new_test(e, MIX_ID, &f, o->why, sizeof(o->why));
	expr_free(e);
	if (r == -EOPNOTSUPP)
		return 0;
	if (r)
		return -1;
	o->verdict = -1;
	r = bpf_filter__test_run(f, rec, rec_size, CPU, PID, TID, TIME, &value, &o->verdict,
				 &o->keep);
	bpf_filter__delete(f);
	if (r) {
		snprintf(o->why, sizeof(o->why), "test run failed: %s", strerror(-r));
		return -1;
	}
	o->bpf = true;
	o->value = (s64)value;
	return 0;
}

/* same - the BPF program agrees with the machine; NULL, or what differs */
static const char *same(const struct outcome *o, char *buf, size_t len)
{
	if (o->verdict == 3)
		return !big_strings ? "undecided on a record without a long string" :
		       !o->keep ? "an undecided record was dropped" : NULL;
	if (o->verdict < 0 || o->verdict > 3)
		return "the program left no outcome";
	/* only a rejection drops the record: errors go on to user space, which counts them */
	if (o->keep != (o->verdict != 1))
		return "the program's return does not follow its outcome";
	if (o->vm_err != (o->verdict == 2)) {
		snprintf(buf, len, "machine %s, BPF %s", o->vm_err ? "error" : "no error",
			 o->verdict == 2 ? "error" : "no error");
		return buf;
	}
	if (o->vm_err)
		return NULL;
	if (o->vm != o->value) {
		snprintf(buf, len, "machine %lld (%#llx), BPF %lld (%#llx)", (long long)o->vm,
			 (unsigned long long)o->vm, (long long)o->value, (unsigned long long)o->value);
		return buf;
	}
	if ((o->verdict == 0) != (o->value != 0))
		return "the verdict does not follow the value";
	return NULL;
}

static void fail_at(int line, const char *src, const char *what)
{
	test__failed++;
	printf("#   %s:%d: '%s': %s\n", __FILE__, line, src, what);
}

/* expect - @src compiles to BPF; both give @want, or both fail when @err */
static void expect(int line, const char *src, bool err, s64 want)
{
	struct outcome o;
	char buf[256];
	const char *d;

	if (run_both(src, &o)) {
		fail_at(line, src, o.why);
		return;
	}
	if (!o.bpf) {
		snprintf(buf, sizeof(buf), "not compiled to BPF: %.200s", o.why);
		fail_at(line, src, buf);
		return;
	}
	d = same(&o, buf, sizeof(buf));
	if (d) {
		fail_at(line, src, d);
	} else if (err != o.vm_err) {
		fail_at(line, src, err ? "no run-time error" : "a run-time error");
	} else if (!err && o.vm != want) {
		snprintf(buf, sizeof(buf), "got %lld (%#llx), want %lld", (long long)o.vm,
			 (unsigned long long)o.vm, (long long)want);
		fail_at(line, src, buf);
	}
}

#define EXPECT(src, want) expect(__LINE__, src, false, want)
#define EXPECT_ERR(src) expect(__LINE__, src, true, 0)

/* expect_user - @src stays in user space, for a reason containing @why */
static void expect_user(int line, const char *src, const char *why)
{
	struct outcome o;

	if (run_both(src, &o))
		fail_at(line, src, o.why);
	else if (o.bpf)
		fail_at(line, src, "compiled to BPF");
	else if (!strstr(o.why, why))
		fail_at(line, src, o.why);
}

#define EXPECT_USER(src, why) expect_user(__LINE__, src, why)

#define NEED_BPF()                       \
	do {                             \
		if (!bpf_ready())        \
			SKIP(skip_reason); \
		rec_reset();             \
	} while (0)

TEST(bpf_ints_every_width)
{
	NEED_BPF();
	PUT(rec, 8, s64, -5);
	PUT(rec, 16, u64, 0xfffffffffffffff0ULL);
	PUT(rec, 24, u8, 200);
	PUT(rec, 25, s8, -100);
	PUT(rec, 26, u16, 60000);
	PUT(rec, 28, s16, -30000);
	PUT(rec, 32, u32, 4000000000U);
	PUT(rec, 36, s32, -2000000000);
	PUT(rec, 40, s64, INT64_MIN);
	PUT(rec, 94, u32, 0xdeadbeef);
	EXPECT("x", -5);
	EXPECT("ux", (s64)0xfffffffffffffff0ULL);
	EXPECT("a8", 200);
	EXPECT("b8", -100);
	EXPECT("a16", 60000);
	EXPECT("b16", -30000);
	EXPECT("a32", 4000000000LL);
	EXPECT("b32", -2000000000);
	EXPECT("y", INT64_MIN);
	EXPECT("odd", 0xdeadbeef);	/* a packed field: read through a helper */
	EXPECT("common_type", MIX_ID);
	EXPECT("common_pid", TID);
	EXPECT("_cpu", CPU);
	EXPECT("_pid", PID);
	EXPECT("_tid", TID);
	EXPECT("_time", (s64)TIME);
	EXPECT("0x123456789abcdef0", 0x123456789abcdef0LL);
	EXPECT("-1", -1);
}

TEST(bpf_signed_unsigned_compares)
{
	NEED_BPF();
	PUT(rec, 8, s64, -1);
	PUT(rec, 16, u64, 1);
	PUT(rec, 24, u8, 255);
	PUT(rec, 25, s8, -1);
	PUT(rec, 26, u16, 65535);
	PUT(rec, 28, s16, -1);
	PUT(rec, 32, u32, 0xffffffffU);
	PUT(rec, 36, s32, -1);
	/* narrower than 32 bits: promoted to signed int, as in C */
	EXPECT("a8 > b8", 1);
	EXPECT("a8 < 0", 0);
	EXPECT("b8 < 0", 1);
	EXPECT("a16 > b16", 1);
	EXPECT("b16 < 0", 1);
	/* 32-bit unsigned stays unsigned: the signed side converts */
	EXPECT("a32 > b32", 0);
	EXPECT("a32 == b32", 0);
	EXPECT("(s32)a32 == b32", 1);
	EXPECT("a32 - 1 < 0", 0);
	EXPECT("(int)a32 - 1 < 0", 1);
	EXPECT("b32 < 0", 1);
	/* 64 bits */
	EXPECT("x < ux", 0);	/* -1 as unsigned is the largest */
	EXPECT("(s64)ux > x", 1);
	EXPECT("x <= -1", 1);
	EXPECT("x >= 0", 0);
	EXPECT("ux >= 1", 1);
	EXPECT("x != ux", 1);
	EXPECT("x > -2", 1);
	EXPECT("ux > 0xffffffff", 0);
	EXPECT("x < 0x7fffffffffffffff", 1);
	EXPECT("min(x, ux)", 1);	/* unsigned: 1 is smaller than 2^64-1 */
	EXPECT("min(x, (s64)ux)", -1);
	EXPECT("max(b8, a8)", 255);
	EXPECT("max(x, 5)", 5);
	EXPECT("min(a32, 7)", 7);
}

TEST(bpf_division_and_shifts)
{
	NEED_BPF();
	PUT(rec, 8, s64, -7);
	PUT(rec, 16, u64, 2);
	PUT(rec, 32, u32, 0);
	PUT(rec, 36, s32, -1);
	PUT(rec, 40, s64, INT64_MIN);
	EXPECT("x / 2", -3);	/* truncation toward zero */
	EXPECT("x % 2", -1);	/* the dividend's sign */
	EXPECT("7 % (x + 3)", 3);
	EXPECT("x / (s64)ux", -3);
	EXPECT("x / ux", (s64)(0xfffffffffffffff9ULL / 2));	/* unsigned */
	EXPECT("x % -3", -1);
	EXPECT("x / -3", 2);
	EXPECT_ERR("y / -1 == 0");
	EXPECT_ERR("y / b32");	/* INT64_MIN / -1 */
	EXPECT("y % b32", 0);	/* INT64_MIN % -1 is 0 */
	EXPECT("x % b32", 0);
	EXPECT_ERR("x / a32");	/* division by zero */
	EXPECT_ERR("x % a32");
	EXPECT_ERR("ux / a32");
	EXPECT_ERR("a32 == 0 || x / a32 > 0 ? x / a32 : 1");
	EXPECT("a32 == 0 || x / a32 > 0", 1);	/* short-circuit: no division */
	EXPECT("a32 != 0 && x / a32 > 0", 0);
	EXPECT("y / 3", INT64_MIN / 3);
	EXPECT("y % 3", INT64_MIN % 3);
	/* shifts: by 64 and more every bit goes */
	EXPECT("1 << ux", 4);
	EXPECT("x << 64", 0);
	EXPECT("x << (ux * 32)", 0);
	EXPECT("x >> 64", -1);	/* signed: the sign fills */
	EXPECT("x >> (ux * 40)", -1);
	EXPECT("ux >> 64", 0);
	EXPECT("ux >> (ux * 32)", 0);
	EXPECT("x >> 1", -4);
	EXPECT("(u64)x >> 60", 15);
	EXPECT("x << 63", INT64_MIN);
	EXPECT("ux << 200", 0);
	EXPECT("x >> (-1)", -1);	/* a negative count is a huge one */
}

TEST(bpf_casts_unary_logic)
{
	NEED_BPF();
	PUT(rec, 8, s64, 0x1234567890abcdefLL);
	PUT(rec, 16, u64, 0);
	PUT(rec, 25, s8, -3);
	PUT(rec, 36, s32, -9);
	EXPECT("(u8)x", 0xef);
	EXPECT("(s8)x", (s8)0xef);
	EXPECT("(u16)x", 0xcdef);
	EXPECT("(s16)x", (s16)0xcdef);
	EXPECT("(u32)x", 0x90abcdef);
	EXPECT("(s32)x", (s32)0x90abcdef);
	EXPECT("(bool)x", 1);
	EXPECT("(bool)ux", 0);
	EXPECT("(u64)b8", -3);
	EXPECT("-x", -0x1234567890abcdefLL);
	EXPECT("~x", ~0x1234567890abcdefLL);
	EXPECT("!x", 0);
	EXPECT("!ux", 1);
	EXPECT("x && ux", 0);
	EXPECT("x || ux", 1);
	EXPECT("ux || b8", 1);
	EXPECT("ux ? 5 : b8", -3);
	EXPECT("x ? 5 : b8", 5);
	EXPECT("abs(b32)", 9);
	EXPECT("abs(x)", 0x1234567890abcdefLL);
	EXPECT("ntohl(x)", 0xefcdab90);
	EXPECT("ntohs(x)", 0xefcd);
	EXPECT("htonl(b32)", 0xf7ffffff);
	EXPECT("x * 3 + b8 - 1 ^ 0xff | 0x100 & x", ((0x1234567890abcdefLL * 3 - 3 - 1) ^ 0xff) | (0x100 & 0x1234567890abcdefLL));
	/* deep nesting: values spill from registers to the stack */
	EXPECT("1 + (2 + (3 + (4 + (5 + (6 + (7 + (8 + (b8 * 2))))))))", 30);
	EXPECT("(x & 1) + ((x & 2) + ((x & 4) + ((x & 8) + ((x & 16) + (b32 / (b8 - b8 + 3))))))",
	       15 - 3);
}

TEST(bpf_indexes)
{
	u16 words[3] = { 7, 8, 65535 };

	NEED_BPF();
	PUT(rec, 72, s32, 10);
	PUT(rec, 76, s32, -20);
	PUT(rec, 80, s32, 30);
	PUT(rec, 84, s32, -40);
	PUT(rec, 16, u64, 3);
	PUT(rec, 8, s64, -1);
	rec_dyn(88, false, words, sizeof(words));
	EXPECT("vals[1]", -20);
	EXPECT("vals[ux]", -40);
	EXPECT("vals[ux - 3]", 10);
	EXPECT_ERR("vals[ux + 1]");
	EXPECT_ERR("vals[x]");	/* -1 is a huge index */
	EXPECT("words[0] + words[1]", 15);
	EXPECT("words[ux - 1]", 65535);
	EXPECT_ERR("words[ux]");
	EXPECT("comm[0]", 0);
}

TEST(bpf_strings)
{
	char big[200];

	NEED_BPF();
	memcpy(rec + 48, "rcu_preempt\0\0\0\0\0", 16);
	rec_str(64, false, "/usr/bin/bash");
	rec_str(68, true, "kworker/0:1");
	EXPECT("comm == \"rcu_preempt\"", 1);
	EXPECT("comm == \"rcu_preemp\"", 0);
	EXPECT("comm == \"rcu_preempt_\"", 0);
	EXPECT("\"rcu_preempt\" == comm", 1);
	EXPECT("comm != \"rcu\"", 1);
	EXPECT("comm ~ \"rcu*\"", 1);
	EXPECT("comm ~ \"rcu\"", 0);
	EXPECT("comm ~ \"*empt\"", 1);
	EXPECT("comm ~ \"r?u_*e*t\"", 1);
	EXPECT("comm ~ \"[a-r]cu_[!x]*\"", 1);
	EXPECT("comm ~ \"*_*_*\"", 0);
	EXPECT("comm ~ \"*\"", 1);
	EXPECT("comm ~ \"rcu\\*\"", 0);
	EXPECT("comm ~ \"a\\0b\"", 0);
	EXPECT("name == \"/usr/bin/bash\"", 1);
	EXPECT("name == \"/usr/bin/bas\"", 0);
	EXPECT("name == \"/usr/bin/bash2\"", 0);
	EXPECT("name ~ \"/usr/*\"", 1);
	EXPECT("name ~ \"*/bash\"", 1);
	EXPECT("name ~ \"*/b*/*sh\"", 1);
	EXPECT("name ~ \"*/x*/*sh\"", 0);
	EXPECT("name ~ \"*[bsh]\"", 1);
	EXPECT("rel == \"kworker/0:1\"", 1);
	EXPECT("rel ~ \"kworker/*:?\"", 1);
	EXPECT("strlen(name) + strlen(rel) + strlen(comm)", 13 + 11 + 11);
	EXPECT("name", 1);
	EXPECT("!comm", 0);
	EXPECT("comm ? 1 : 2", 1);
	EXPECT("(char *)vals", 0);	/* empty: the first byte is NUL */
	EXPECT("comm ~ \"rcu*\" && strlen(name) * 2 == 26", 1);

	/* a string longer than a filter examines: equality still decides, a glob defers */
	rec_reset();
	memset(big, 'a', sizeof(big));
	rec_dyn(64, false, big, sizeof(big));
	EXPECT("name == \"aaa\"", 0);
	EXPECT("name ~ \"aa*\"", 1);
	EXPECT("name ~ \"*b\"", 0);
	EXPECT("strlen(name)", 200);
}

TEST(bpf_fallbacks_say_why)
{
	NEED_BPF();
	EXPECT_USER("x && printf(\"%d\", x)", "printf");
	EXPECT_USER("comm_get(x) == \"a\"", "comm_get");
	EXPECT_USER("ksymbol(x) == \"a\"", "ksymbol");
	EXPECT_USER("strncmp(comm, \"a\", 1) == 0", "strncmp");
	EXPECT_USER("_period > 1", "_period");
	EXPECT_USER("common_flags & 1", "common_flags");
	EXPECT_USER("tail[0] == 1", "end of the record");
	EXPECT_USER("comm ~ name", "glob pattern computed at run time");
	EXPECT_USER("comm == name", "both");
	EXPECT_USER("(x ? comm : name) == \"a\"", "chosen at run time");
}

/* ------------------------------------------------------------------ */
/* generated expressions on generated records                          */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u32 pick(u32 n)
{
	return (u32)(rnd() % n);
}

/* values where integer semantics differ: signs, widths, 64, INT64_MIN */
static u64 edge_value(void)
{
	static const u64 v[] = {
		0, 1, 2, 3, 7, 63, 64, 65, 100, 127, 128, 255, 256, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xffffffffffffffffULL, 0xfffffffffffffffeULL,
		0xffffffffffffff80ULL, 0xffffffff80000000ULL,
	};

	return pick(4) ? v[pick(ARRAY_SIZE(v))] : rnd();
}

static const char alphabet[] = "abc*?[]!-\\/";

/* a string made of the letters globs care about */
static void rnd_text(char *buf, u32 len)
{
	for (u32 i = 0; i < len; i++)
		buf[i] = "abcab/-x"[pick(8)];
	buf[len] = '\0';
}

static void rnd_record(void)
{
	char s[200];
	u32 len;

	rec_reset();
	for (u32 off = 8; off < 48; off += 8)
		PUT(rec, off, u64, edge_value());
	PUT(rec, 94, u32, (u32)edge_value());
	for (u32 off = 72; off < 88; off += 4)
		PUT(rec, off, u32, (u32)edge_value());
	len = pick(17);
	rnd_text(s, len);
	memcpy(rec + 48, s, len < 16 ? len + 1 : 16);
	len = pick(8) ? pick(12) : 100 + pick(100);
	rnd_text(s, len);
	rec_dyn(64, false, s, len + (pick(4) ? 1 : 0));	/* with or without its NUL */
	len = pick(12);
	rnd_text(s, len);
	rec_str(68, true, s);
	len = pick(4) * 2;
	for (u32 i = 0; i < len; i++)
		s[i] = (char)edge_value();
	rec_dyn(88, false, s, len);
}

static const char *const int_fields[] = {
	"x", "ux", "a8", "b8", "a16", "b16", "a32", "b32", "y", "odd", "common_pid",
	"common_type", "_cpu", "_pid", "_tid",
};

static const char *const bin_ops[] = {
	"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=",
	"&&", "||",
};

static const char *const casts[] = {
	"(u8)", "(s8)", "(u16)", "(s16)", "(u32)", "(s32)", "(u64)", "(s64)", "(bool)",
	"(int)", "(unsigned)",
};

static void gen_pattern(char *buf, size_t size)
{
	u32 n = 1 + pick(6), o = 0;

	for (u32 i = 0; i < n && o + 6 < size; i++) {
		char c = alphabet[pick(sizeof(alphabet) - 1)];

		if (c == '[') {
			o += (u32)snprintf(buf + o, size - o, pick(2) ? "[a-b]" : "[!c/]");
		} else if (c == '\\' || c == ']' || c == '!' || c == '-') {
			buf[o++] = "ab/"[pick(3)];
		} else {
			buf[o++] = c;
		}
	}
	buf[o] = '\0';
}

static void gen_str_expr(char *buf, size_t size)
{
	static const char *const svars[] = { "comm", "name", "rel" };
	const char *v = svars[pick(3)];
	char pat[40], lit[16];

	switch (pick(5)) {
	case 0:
		gen_pattern(pat, sizeof(pat));
		snprintf(buf, size, "%s ~ \"%s\"", v, pat);
		break;
	case 1:
		rnd_text(lit, pick(5));
		snprintf(buf, size, "%s %s \"%s\"", v, pick(2) ? "==" : "!=", lit);
		break;
	case 2:
		snprintf(buf, size, "strlen(%s)", v);
		break;
	case 3:
		snprintf(buf, size, "!%s", v);
		break;
	default:
		snprintf(buf, size, "%s ~ \"%s*\"", v, pick(2) ? "ab" : "");
		break;
	}
}

static void gen_int_expr(char *buf, size_t size, int depth)
{
	char a[400], b[400];
	u32 k = depth > 3 ? pick(3) : pick(12);

	switch (k) {
	case 0:
		snprintf(buf, size, "%s", int_fields[pick(ARRAY_SIZE(int_fields))]);
		break;
	case 1:
		snprintf(buf, size, "%s%llu", pick(4) ? "" : "-", (unsigned long long)edge_value() >>
			 (pick(2) ? 0 : 32));
		break;
	case 2:
		gen_str_expr(buf, size);
		break;
	case 3: case 4: case 5: case 6:
		gen_int_expr(a, sizeof(a), depth + 1);
		gen_int_expr(b, sizeof(b), depth + 1);
		snprintf(buf, size, "(%s %s %s)", a, bin_ops[pick(ARRAY_SIZE(bin_ops))], b);
		break;
	case 7:
		gen_int_expr(a, sizeof(a), depth + 1);
		snprintf(buf, size, "%s(%s)", casts[pick(ARRAY_SIZE(casts))], a);
		break;
	case 8:
		gen_int_expr(a, sizeof(a), depth + 1);
		snprintf(buf, size, "%c(%s)", "-~!"[pick(3)], a);
		break;
	case 9:
		gen_int_expr(a, sizeof(a), depth + 1);
		gen_int_expr(b, sizeof(b), depth + 1);
		snprintf(buf, size, "(%s ? %s : %s)", a, b, int_fields[pick(ARRAY_SIZE(int_fields))]);
		break;
	case 10:
		gen_int_expr(a, sizeof(a), depth + 1);
		gen_int_expr(b, sizeof(b), depth + 1);
		snprintf(buf, size, "%s(%s, %s)", pick(2) ? "min" : "max", a, b);
		break;
	default:
		gen_int_expr(a, sizeof(a), depth + 1);
		if (pick(2))
			snprintf(buf, size, "%s(%s)", pick(2) ? "abs" : pick(2) ? "ntohl" : "ntohs", a);
		else
			snprintf(buf, size, "%s[%s %% 5]", pick(2) ? "vals" : "words", a);
		break;
	}
}

/*
 * Every generated expression that compiles at all must compile to BPF (they
 * use only what the back end supports) and agree with the machine on 4
 * records each; run-time errors and the verdict included.
 */
TEST(bpf_differential_generated)
{
	int exprs = 0, runs = 0, errors = 0, undecided = 0, rejected = 0, accepted = 0;
	char src[1200], buf[256];

	if (!bpf_ready())
		SKIP(skip_reason);
	for (int i = 0; i < 1000; i++) {
		struct bpf_filter *f = NULL;
		struct err err;
		struct expr *e;

		gen_int_expr(src, sizeof(src), 0);
		e = expr_compile(src, mix, &err);
		if (!e)
			continue;	/* a constant division by zero, say */
		if (bpf_filter__new_test(e, MIX_ID, &f, buf, sizeof(buf))) {
			fail_at(__LINE__, src, buf);
			expr_free(e);
			continue;
		}
		exprs++;
		for (int r = 0; r < 4; r++) {
			struct expr_ctx ctx;
			struct outcome o = { .bpf = true };
			u64 value = 0;
			const char *d;

			rnd_record();
			ctx = (struct expr_ctx){ .raw = rec, .raw_size = rec_size, .cpu = CPU,
						 .pid = PID, .tid = TID, .time = TIME, .period = 1 };
			o.vm_err = expr_eval(e, &ctx, &o.vm) != 0;
			o.verdict = -1;
			if (bpf_filter__test_run(f, rec, rec_size, CPU, PID, TID, TIME, &value,
						 &o.verdict, &o.keep)) {
				fail_at(__LINE__, src, "test run failed");
				break;
			}
			o.value = (s64)value;
			runs++;
			errors += o.verdict == 2;
			undecided += o.verdict == 3;
			rejected += o.verdict == 1;
			accepted += o.verdict == 0;
			d = same(&o, buf, sizeof(buf));
			if (d)
				fail_at(__LINE__, src, d);
		}
		bpf_filter__delete(f);
		expr_free(e);
	}
	printf("# %d expressions, %d runs: %d accepted, %d rejected, %d errors, %d undecided\n",
	       exprs, runs, accepted, rejected, errors, undecided);
	/* the generator must exercise every outcome, or it proves little */
	CHECK(exprs >= 750);
	CHECK(accepted > 500 && rejected > 500 && errors > 50 && undecided > 0);
}

/* the feature probe (a skeleton built by clang + bpftool) loads where BPF filters do */
TEST(bpf_feature_probe)
{
	char why[256] = "";

	if (!bpf_ready())
		SKIP(skip_reason);
	CHECK_INT(bpf__probe(why, sizeof(why)), 0);
	CHECK_STR(why, "");
}
