// SPDX-License-Identifier: GPL-2.0
/*
 * test-util.c - the shared helpers of lib/core/util.c that output and errors
 * rely on: messages that keep their reason however long their subject, the
 * caret window, the UTF-8 check, text escaping for columns, the edit
 * distance and "did you mean".
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util.h"

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/* a long subject is cut in its middle: the start and the reason survive */
TEST(err_set_keeps_the_reason)
{
	struct err e = { 0 };
	char *subject = malloc(5000);
	size_t len;

	memset(subject, 'x', 4999);
	subject[0] = 'S';
	subject[4998] = 'E';
	subject[4999] = '\0';
	CHECK_INT(err_set(&e, EXIT_USAGE, "invalid expression '%s': undefined variable 'nosuch'",
			  subject), -1);
	len = strlen(e.msg);
	CHECK_INT(len, sizeof(e.msg) - 1);
	CHECK(!strncmp(e.msg, "invalid expression 'Sxxx", 24));
	CHECK(strstr(e.msg, "xxx ... xxx") != NULL);
	CHECK(ends_with(e.msg, "xxE': undefined variable 'nosuch'"));
	/* short messages are untouched */
	err_set(&e, EXIT_USAGE, "short '%s'", "x");
	CHECK_STR(e.msg, "short 'x'");
	/* the hint too */
	err_hint(&e, "%s then the end", subject);
	CHECK_INT(strlen(e.hint), sizeof(e.hint) - 1);
	CHECK(ends_with(e.hint, "xE then the end"));
	free(subject);
}

/* a prefix that makes the message too long cuts its middle, not the reason */
TEST(err_prefix_keeps_the_reason)
{
	struct err e = { 0 };
	char big[900];

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, EXIT_USAGE, "invalid expression '%s': the reason", big);
	err_prefix(&e, "key= of '%s'", big);
	CHECK(!strncmp(e.msg, "key= of 'yyy", 12));
	CHECK(ends_with(e.msg, "yy': the reason"));
	err_set(&e, EXIT_USAGE, "m");
	err_prefix(&e, "p %d", 1);
	CHECK_STR(e.msg, "p 1: m");
}

TEST(str_elide)
{
	char buf[32];

	CHECK_STR(str_elide(buf, sizeof(buf), "short", 20), "short");
	CHECK_STR(str_elide(buf, sizeof(buf), "0123456789abcdefghijklmnopqrstuvwxyz", 20),
		  "012345 ... rstuvwxyz");
	CHECK_INT(strlen(str_elide(buf, sizeof(buf), "0123456789abcdefghijklmnopqrstuvwxyz", 99)),
		  sizeof(buf) - 1);
	/* never in the middle of a UTF-8 character */
	CHECK_STR(str_elide(buf, sizeof(buf), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 16),
		  "\xc3\xa9\xc3\xa9 ... \xc3\xa9\xc3\xa9\xc3\xa9");
}

/* the caret window: both lines fit whatever the length, the caret under its byte */
TEST(err_caret_window)
{
	struct err e = { 0 };
	char *s = malloc(4097), *l1, *l2;

	memset(s, 'a', 4096);
	s[4096] = '\0';
	s[3000] = 'X';
	err_caret(&e, s, 3000);
	l1 = e.detail;
	l2 = strchr(l1, '\n') + 1;
	CHECK(!strncmp(l1, "  ...", 5));
	CHECK(strchr(l2, '^') != NULL);
	CHECK_INT(l1[strchr(l2, '^') - l2], 'X');
	CHECK(strlen(e.detail) < 400);
	free(s);
}

TEST(utf8_len)
{
	CHECK_INT(utf8_len((const u8 *)"a", 1), 1);
	CHECK_INT(utf8_len((const u8 *)"\xc3\xa9", 2), 2);
	CHECK_INT(utf8_len((const u8 *)"\xe2\x82\xac", 3), 3);
	CHECK_INT(utf8_len((const u8 *)"\xf0\x9f\x98\x80", 4), 4);
	CHECK_INT(utf8_len((const u8 *)"\xc3\xa9", 1), 0);		/* truncated */
	CHECK_INT(utf8_len((const u8 *)"\xa9", 1), 0);			/* stray continuation */
	CHECK_INT(utf8_len((const u8 *)"\xc0\xaf", 2), 0);		/* overlong */
	CHECK_INT(utf8_len((const u8 *)"\xe0\x80\xaf", 3), 0);		/* overlong */
	CHECK_INT(utf8_len((const u8 *)"\xed\xa0\x80", 3), 0);		/* surrogate */
	CHECK_INT(utf8_len((const u8 *)"\xf4\x90\x80\x80", 4), 0);	/* > U+10FFFF */
	CHECK_INT(utf8_len((const u8 *)"\xff", 1), 0);
	CHECK_INT(utf8_len((const u8 *)"\xc3(", 2), 0);
	CHECK_INT(utf8_len((const u8 *)"", 0), 0);
}

TEST(text_escape_names)
{
	char buf[TEXT_NAME_MAX];
	const char *plain = "perf-prof";

	/* nothing to escape: the name itself, no copy */
	CHECK(text_name(plain, buf, sizeof(buf)) == plain);
	CHECK_STR(text_name("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9");
	/* the comm the live tests give their workload: one word, no raw control byte */
	CHECK_STR(text_name("a b\tc\x01", buf, sizeof(buf)), "a\\x20b\\tc\\x01");
	CHECK_STR(text_name("back\\slash\n\r\x7f", buf, sizeof(buf)), "back\\\\slash\\n\\r\\x7f");
	CHECK_STR(text_name("bad\xff\xc3", buf, sizeof(buf)), "bad\\xff\\xc3");
	/* a comm of 16 bytes, all escaped, fits */
	CHECK_INT(strlen(text_name("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01",
				   buf, sizeof(buf))), 60);
	/* free text keeps its spaces */
	CHECK_STR(text_escape(buf, sizeof(buf), "a b\tc", 5, false), "a b\\tc");
	/* a small buffer stops before an escape that would not fit */
	CHECK_STR(text_escape(buf, 6, "ab\x01xyz", 6, true), "ab");
	CHECK_STR(text_escape(buf, sizeof(buf), "ab\0cd", 5, true), "ab");
}

TEST(text_fput_free_text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	text_fput(f, "prev_comm=a b\nc next_pid=1 \xff", 29);
	text_fput(f, "|cut", 2);
	fclose(f);
	CHECK_STR(out, "prev_comm=a b\\nc next_pid=1 \\xff|c");
	free(out);
}

TEST(str_distance)
{
	CHECK_INT(str_distance("", ""), 0);
	CHECK_INT(str_distance("order", "order"), 0);
	CHECK_INT(str_distance("ordr", "order"), 1);
	CHECK_INT(str_distance("trce", "trace"), 1);
	CHECK_INT(str_distance("sched:sched_swich", "sched:sched_switch"), 1);
	CHECK_INT(str_distance("sched:sched_swicth", "sched:sched_switch"), 1);	/* swapped */
	CHECK_INT(str_distance("abc", "xyz"), 3);
	CHECK_INT(str_distance("", "abc"), 3);
	{
		char big[300];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(str_distance(big, "a"), INT_MAX);
	}
}

TEST(str_suggest)
{
	static const char *const opts[] = { "order", "output", "json", "no-json", NULL };
	static const char *const evs[] = { "sched:sched_switch", "sched:sched_wakeup",
					   "sched:sched_waking" };

	CHECK_STR(str_suggest("ordr", opts, -1), "order");
	CHECK_STR(str_suggest("jsn", opts, -1), "json");
	CHECK_STR(str_suggest("no-jsn", opts, 4), "no-json");
	CHECK(str_suggest("xyzzy", opts, -1) == NULL);
	/* two edits are too many for a word of 4, not for one of 5 to 8 */
	CHECK(str_suggest("oxxr", opts, -1) == NULL);
	CHECK_STR(str_suggest("orxxr", opts, -1), "order");
	CHECK_STR(str_suggest("sched:sched_swich", evs, 3), "sched:sched_switch");
	CHECK_STR(str_suggest("sched:sched_wakup", evs, 3), "sched:sched_wakeup");
	CHECK(str_suggest("net:netif_rx", evs, 3) == NULL);
	CHECK(str_suggest("x", evs, 0) == NULL);
}
