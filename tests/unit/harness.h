/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - the unit-test harness: a test is a function declared with
 * TEST(name); checks record failures without stopping the test; main()
 * runs every test (or those whose name contains argv[1]) and prints TAP:
 *   ok 3 - evspec_quotes
 *   not ok 4 - evspec_glob
 *   #   tests/unit/test-evspec.c:88: got "x", want "y"
 * tests/run.sh counts the ok / not ok / # SKIP lines of every layer.
 */
#ifndef PERF_PROF_TEST_HARNESS_H
#define PERF_PROF_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST_MAX 512
static struct test_case test__cases[TEST_MAX];
static int test__nr;
static int test__failed;	/* checks failed in the current test */
static const char *test__skip;	/* reason, when the current test skipped */

#define TEST(name)                                                             \
	static void test_##name(void);                                         \
	__attribute__((constructor)) static void test__reg_##name(void)        \
	{                                                                      \
		if (test__nr < TEST_MAX)                                       \
			test__cases[test__nr++] =                              \
				(struct test_case){ #name, test_##name };      \
	}                                                                      \
	static void test_##name(void)

#define TEST_FAIL(fmt, ...)                                                    \
	do {                                                                   \
		test__failed++;                                                \
		printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
	} while (0)

/* SKIP(reason) - end the current test as skipped */
#define SKIP(reason)                                                           \
	do {                                                                   \
		test__skip = (reason);                                         \
		return;                                                        \
	} while (0)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			TEST_FAIL("check failed: %s", #cond);                  \
	} while (0)

#define CHECK_INT(got, want)                                                   \
	do {                                                                   \
		long long g__ = (long long)(got), w__ = (long long)(want);     \
		if (g__ != w__)                                                \
			TEST_FAIL("%s: got %lld, want %lld", #got, g__, w__);  \
	} while (0)

#define CHECK_U64(got, want)                                                   \
	do {                                                                   \
		unsigned long long g__ = (got), w__ = (want);                  \
		if (g__ != w__)                                                \
			TEST_FAIL("%s: got %llu, want %llu", #got, g__, w__);  \
	} while (0)

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g__ = (got), *w__ = (want);                        \
		if (!g__ || !w__ || strcmp(g__, w__))                          \
			TEST_FAIL("%s: got \"%s\", want \"%s\"", #got,         \
				  g__ ? g__ : "(null)", w__ ? w__ : "(null)"); \
	} while (0)

/* CHECK_CONTAINS - @hay contains @needle */
#define CHECK_CONTAINS(hay, needle)                                            \
	do {                                                                   \
		const char *h__ = (hay), *n__ = (needle);                      \
		if (!h__ || !strstr(h__, n__))                                 \
			TEST_FAIL("%s: \"%s\" does not contain \"%s\"", #hay,  \
				  h__ ? h__ : "(null)", n__);                  \
	} while (0)

/* PUT - store @val as a @type at byte @off of the record @rec (unaligned is fine) */
#define PUT(rec, off, type, val)                                                 \
	do {                                                                     \
		type v__ = (val);                                                \
		memcpy((u8 *)(rec) + (off), &v__, sizeof(v__));                  \
	} while (0)

/* the common fields every tracepoint format starts with, for formats built in tests */
#define COMMON_FIELDS                                                                   \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"          \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"          \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"  \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

/*
 * test_key - a bijection on uint64_t, so test_key(i) for distinct i are
 * distinct, well spread "random" keys and values
 */
static inline uint64_t test_key(uint64_t i)
{
	i += 0x632be59bd9b4e019ULL;
	i ^= i >> 33;
	i *= 0xff51afd7ed558ccdULL;
	i ^= i >> 33;
	i *= 0xc4ceb9fe1a85ec53ULL;
	i ^= i >> 33;
	return i;
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < test__nr; i++) {
		if (argc > 1 && !strstr(test__cases[i].name, argv[1]))
			continue;
		test__failed = 0;
		test__skip = NULL;
		test__cases[i].fn();
		n++;
		if (test__failed) {
			printf("not ok %d - %s\n", n, test__cases[i].name);
			fail++;
		} else if (test__skip) {
			printf("ok %d - %s # SKIP %s\n", n, test__cases[i].name, test__skip);
			skip++;
		} else {
			printf("ok %d - %s\n", n, test__cases[i].name);
			pass++;
		}
	}
	printf("# %d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}

#endif
