// SPDX-License-Identifier: GPL-2.0
/*
 * test-cli.c - what the front end's listings for scripts are made of: the
 * exact --list-opts line of each kind of option (opt_list), the functions
 * probe__funcs() offers for uprobe:FUNC@FILE completion (functions only, no
 * IFUNC), the topics `perf-prof help` refuses before looking anywhere, and
 * the whole-line stdout a workload shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "harness.h"
#include "opt.h"
#include "probe.h"

struct cli_opts {
	bool flag;
	int count;
	const char *str;
	const char *detail;
};

static int cb_nop(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	return 0;
}

static const struct opt cli_table[] = {
	{ OPT_BOOL, 0, "flag", offsetof(struct cli_opts, flag), NULL, "a flag", NULL, false },
	{ OPT_COUNT, 'v', "verbose", offsetof(struct cli_opts, count), NULL, "louder", NULL, false },
	{ OPT_STRING, 'o', "output", offsetof(struct cli_opts, str), "FILE", "where to", NULL, false },
	{ OPT_CALLBACK, 0, "detail", offsetof(struct cli_opts, detail), "ITEMS", "more", cb_nop, true },
	{ OPT_STRING, 'k', NULL, offsetof(struct cli_opts, str), "EXPR", "short only", NULL, false },
	OPT_TABLE_END,
};

TEST(opt_list_format)
{
	struct cli_opts o = { 0 };
	struct opt_set set = { .opts = cli_table, .base = &o, .title = "PROFILER OPTIONS" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	opt_list(f, &set, 1);
	fclose(f);
	CHECK_STR(buf, "PROFILER OPTIONS\tbool\t-\t--flag\t-\ta flag\n"
		       "PROFILER OPTIONS\tcount\t-v\t--verbose\t-\tlouder\n"
		       "PROFILER OPTIONS\tvalue\t-o\t--output\tFILE\twhere to\n"
		       "PROFILER OPTIONS\toptional\t-\t--detail\tITEMS\tmore\n"
		       "PROFILER OPTIONS\tvalue\t-k\t-\tEXPR\tshort only\n");
	free(buf);
}

struct names {
	int main, probe_funcs, cases, strlen_, malloc_, total;
};

static void names_count(const char *name, void *arg)
{
	struct names *n = arg;

	n->total++;
	n->main += !strcmp(name, "main");
	n->probe_funcs += !strcmp(name, "probe__funcs");
	n->cases += !strcmp(name, "test__cases");
	n->strlen_ += !strcmp(name, "strlen");
	n->malloc_ += !strcmp(name, "malloc");
}

TEST(probe_funcs_lists_functions)
{
	struct names n = { 0 };
	struct err err = { 0 };

	/* this test binary: its .symtab has main and probe__funcs, not the array */
	CHECK_INT(probe__funcs("/proc/self/exe", names_count, &n, &err), 0);
	CHECK(n.main >= 1);
	CHECK(n.probe_funcs >= 1);
	CHECK_INT(n.cases, 0);
	CHECK(n.total > 100);
}

TEST(probe_funcs_libc_no_ifunc)
{
	struct names n = { 0 };
	struct err err = { 0 };

	/* libc by name, as in uprobe:malloc@libc; strlen is an IFUNC there */
	if (probe__funcs("libc", names_count, &n, &err))
		SKIP("no 64-bit libc found by name");
	CHECK_INT(n.malloc_ >= 1, 1);
	CHECK_INT(n.strlen_, 0);
}

TEST(probe_funcs_errors)
{
	struct names n = { 0 };
	struct err err = { 0 };

	CHECK_INT(probe__funcs("/nonexistent/x", names_count, &n, &err), -1);
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_CONTAINS(err.msg, "/nonexistent/x");
	memset(&err, 0, sizeof(err));
	CHECK_INT(probe__funcs("/etc/passwd", names_count, &n, &err), -1);
	CHECK_CONTAINS(err.msg, "not an ELF file");
	CHECK_INT(n.total, 0);
}

TEST(help_topics_refused)
{
	static const char *const bad[] = { "", "../x", "a/b", "Top", "top;ls", "a b" };
	char path[256];
	struct err err = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(help__page(bad[i], path, sizeof(path)), -ENOENT);
		memset(&err, 0, sizeof(err));
		CHECK_INT(help__show(bad[i], &err), -1);
		CHECK_INT(err.code, EXIT_USAGE);
		CHECK_CONTAINS(err.msg, "no manual page for");
	}
}

/* read what the pipe holds now (non-blocking), NUL-terminated */
static size_t pipe_drain(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/*
 * lineout: a flush in the middle of a line writes only the whole lines
 * (a workload's write to the same pipe can come next); the partial line
 * goes out with the flush that completes it, or at fclose; a line longer
 * than 1 MiB goes out in pieces instead of growing without bound.
 */
TEST(lineout_whole_lines)
{
	char buf[256], *big;
	struct stat st;
	FILE *f, *tmp;
	int fds[2];

	CHECK(!pipe2(fds, O_NONBLOCK));
	/* 8-byte stdio buffer: stdio flushes on its own in mid-line */
	f = lineout__open(fds[1], 8);
	CHECK(f != NULL);
	fputs("first line\nsecond ha", f);
	fflush(f);
	pipe_drain(fds[0], buf, sizeof(buf));
	CHECK_STR(buf, "first line\n");
	CHECK(write(fds[1], "other\n", 6) == 6);	/* the workload's line */
	fputs("lf\nthird", f);
	fflush(f);
	pipe_drain(fds[0], buf, sizeof(buf));
	CHECK_STR(buf, "other\nsecond half\n");
	fputs(" no newline", f);
	CHECK(!fclose(f));
	pipe_drain(fds[0], buf, sizeof(buf));
	CHECK_STR(buf, "third no newline");

	close(fds[0]);
	close(fds[1]);

	/* 1.5 MiB without a newline: more than 1 MiB is written before fclose */
	big = malloc(3 << 19);
	CHECK(big != NULL);
	memset(big, 'x', 3 << 19);
	tmp = tmpfile();
	CHECK(tmp != NULL);
	f = lineout__open(fileno(tmp), 1 << 16);
	CHECK(fwrite(big, 1, 3 << 19, f) == 3 << 19);
	CHECK(fflush(f) == 0);
	CHECK(!fstat(fileno(tmp), &st));
	CHECK(st.st_size > (1 << 20) && st.st_size <= (3 << 19));
	CHECK(!fclose(f));
	CHECK(!fstat(fileno(tmp), &st));
	CHECK_INT(st.st_size, 3 << 19);
	fclose(tmp);
	free(big);
}
