// SPDX-License-Identifier: GPL-2.0
/*
 * probed.c - the workload of the probe tests: functions with known names,
 * call counts, arguments and return values, so a uprobe's events can be
 * checked against ground truth. The probed functions are global, noipa
 * (never inlined, cloned or specialised) and used, so each keeps its symbol
 * and its ABI: arguments in %rdi, %rsi, %rdx, %rcx, return value in %rax.
 *
 *   probed [OPTIONS] MODE [ARGS]
 *     count N          N x probed_count(i), i = 0..N-1
 *     ret N            N x probed_ret(i): returns i * i - 5 (a long)
 *     args N           N x probed_args(i + 1, -(i + 1), 0xdead0000 + i, "str-<i>")
 *     malloc N SIZE    N x malloc(SIZE) + free (plus whatever libc does itself)
 *     loop MS          probed_count(i) every millisecond for MS ms, then prints
 *                      "probed calls=N"
 *     spin N           N x probed_count(i) back to back, no output per call
 *     ident N          N x probed_ident(i), prints "probed sum=S" (S = N(N-1)/2
 *                      when every call returned its argument)
 *   OPTIONS
 *     -W FILE   wait (up to 30 s) until FILE exists before starting
 *     -D MS     sleep MS milliseconds after finishing
 * Prints "probed pid=PID" first (line-buffered) and "probed done" at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef __clang__
#define PROBED __attribute__((noinline, used))
#else
#define PROBED __attribute__((noipa, used))
#endif

/* the sum keeps every call observable, so none can be dropped */
static volatile long sink;

PROBED long probed_count(long i)
{
	sink += i;
	return i;
}

PROBED long probed_ret(long i)
{
	return i * i - 5;
}

PROBED void probed_args(long a, int b, unsigned long c, const char *s)
{
	sink += a + b + (long)c + s[0];
}

/*
 * probed_ident - returns its argument; written as bytes so its instructions
 * are known exactly: 48 89 f8 (mov %rdi,%rax) at +0, c3 (ret) at +3. A
 * probe at +1 or +2 would land inside the mov.
 */
__asm__(".text\n"
	".globl probed_ident\n"
	".type probed_ident, @function\n"
	"probed_ident:\n"
	"\t.byte 0x48, 0x89, 0xf8\n"
	"\t.byte 0xc3\n"
	".size probed_ident, .-probed_ident\n");
long probed_ident(long i);

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void wait_file(const char *path)
{
	struct stat st;

	for (int i = 0; i < 30000 && stat(path, &st); i++)
		sleep_ms(1);
}

static long arg_num(int argc, char **argv, int i)
{
	char *end;
	long v;

	if (i >= argc) {
		fprintf(stderr, "probed: %s needs more arguments\n", argv[0]);
		exit(2);
	}
	v = strtol(argv[i], &end, 0);
	if (*end || v < 0) {
		fprintf(stderr, "probed: invalid number '%s'\n", argv[i]);
		exit(2);
	}
	return v;
}

static void do_args(long n)
{
	char s[32];

	for (long i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "str-%ld", i);
		probed_args(i + 1, (int)-(i + 1), 0xdead0000UL + (unsigned long)i, s);
	}
}

static void do_malloc(long n, long size)
{
	for (long i = 0; i < n; i++) {
		/* volatile: the compiler may not pair and elide malloc/free */
		char *volatile p = malloc((size_t)size);

		if (!p)
			exit(1);
		p[0] = 1;
		free(p);
	}
}

static void do_loop(long ms)
{
	struct timespec t0, t;
	long i = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		probed_count(i++);
		sleep_ms(1);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	printf("probed calls=%ld\n", i);
}

int main(int argc, char **argv)
{
	const char *wait = NULL, *mode;
	long after = 0, n;
	int c;

	while ((c = getopt(argc, argv, "+W:D:")) != -1) {
		switch (c) {
		case 'W':
			wait = optarg;
			break;
		case 'D':
			after = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: probed [-W FILE] [-D MS] count|ret|args|malloc|loop|spin|ident ARGS\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("probed pid=%d\n", (int)getpid());
	if (wait)
		wait_file(wait);
	mode = argv[optind];
	argv += optind;
	argc -= optind;
	n = arg_num(argc, argv, 1);
	if (!strcmp(mode, "count") || !strcmp(mode, "spin")) {
		for (long i = 0; i < n; i++)
			probed_count(i);
	} else if (!strcmp(mode, "ret")) {
		for (long i = 0; i < n; i++)
			probed_ret(i);
	} else if (!strcmp(mode, "args")) {
		do_args(n);
	} else if (!strcmp(mode, "malloc")) {
		do_malloc(n, arg_num(argc, argv, 2));
	} else if (!strcmp(mode, "ident")) {
		long sum = 0;

		for (long i = 0; i < n; i++)
			sum += probed_ident(i);
		printf("probed sum=%ld\n", sum);
	} else if (!strcmp(mode, "loop")) {
		do_loop(n);
	} else {
		fprintf(stderr, "probed: unknown mode '%s'\n", mode);
		return 2;
	}
	if (after)
		sleep_ms(after);
	printf("probed done\n");
	return 0;
}
