// SPDX-License-Identifier: GPL-2.0
/*
 * leaker.c - the workload of the kmemleak tests: allocations with a known
 * outcome. Steps run in the order given; each allocation site is its own
 * noinline function, so a report's stacks say which step a block came from.
 *
 *   leaker [OPTIONS] STEP [ARGS] [STEP [ARGS]]...
 *     leak N SIZE     N x leak_block(SIZE): malloc, never freed
 *     leakall N       N blocks never freed from each other allocator:
 *                     leak_calloc (N x calloc(10, 100) = 1000 bytes),
 *                     leak_realloc (realloc(NULL, 2000)), leak_aligned
 *                     (aligned_alloc(64, 3000)), leak_posix (posix_memalign
 *                     64, 4000), leak_posix16 (posix_memalign 16, 5000)
 *     pairs N         N x pair_block(): malloc of 1..4096 bytes, then free
 *     realloc N       N x realloc_chain(): malloc(16), realloc to 64 B .. 64 KiB
 *                     in 6 steps, realloc(p, 0) on odd i, free on even i
 *     deep N          N malloc/free pairs made i % 100 calls deep in
 *                     deep_block(): 100 distinct stacks, nothing left
 *     cross N         N blocks allocated by cross_alloc() on a thread pinned
 *                     to CPU 0 and freed by cross_free() on a thread pinned to
 *                     CPU 1 (the last CPU), handed over one at a time
 *     kwritev N       N x writev(2) of 16 one-byte iovecs to /dev/null: each
 *                     call kmallocs and kfrees the kernel's iovec array
 *     kepoll N        N x epoll_create1(2), kept open (closed at exit)
 *     sleep MS        sleep MS milliseconds
 *     say TEXT        print "leaker: TEXT" (a marker for the tests)
 *   OPTIONS
 *     -W FILE   wait (up to 30 s) until FILE exists before the first step
 *     -T        print "leaker: STEP N took S s" to stderr after each step
 * Prints "leaker pid=PID" first and "leaker done" at the end (line-buffered).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifdef __clang__
#define SITE __attribute__((noinline, used))
#else
#define SITE __attribute__((noipa, used))
#endif

/* every block is touched and kept reachable, so no call can be elided */
static void *volatile keep;
static volatile unsigned long sink;

SITE void *leak_block(size_t size)
{
	void *p = malloc(size);

	memset(p, 1, size);
	keep = p;
	return p;
}

SITE void *leak_calloc(void)
{
	void *p = calloc(10, 100);

	keep = p;
	return p;
}

SITE void *leak_realloc(void)
{
	/* volatile: the compiler would turn realloc(NULL, n) into malloc(n) */
	void *volatile none = NULL;
	void *p = realloc(none, 2000);

	keep = p;
	return p;
}

SITE void *leak_aligned(void)
{
	void *p = aligned_alloc(64, 3000);

	keep = p;
	return p;
}

SITE void *leak_posix(size_t align, size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, align, size))
		return NULL;
	keep = p;
	return p;
}

SITE void pair_block(long i)
{
	size_t size = 1 + (size_t)(i * 37) % 4096;
	char *p = malloc(size);

	p[0] = (char)i;
	sink += (unsigned char)p[0];
	free(p);
}

SITE void realloc_chain(long i)
{
	char *p = malloc(16), *q;

	for (size_t size = 64; size <= 65536; size *= 4) {
		q = realloc(p, size);
		if (!q)
			break;
		p = q;
		p[size - 1] = 1;
	}
	if (i & 1)
		p = realloc(p, 0);	/* glibc: frees, returns NULL */
	free(p);
}

/* a malloc/free pair @depth calls deep: one distinct stack per depth */
SITE void deep_block(long depth)
{
	char *p;

	if (depth > 0) {
		deep_block(depth - 1);
		sink++;	/* not a tail call: every level keeps its frame */
		return;
	}
	p = malloc(24);
	p[0] = 1;
	sink += (unsigned char)p[0];
	free(p);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("leaker: sched_setaffinity");
}

/* cross: a one-slot mailbox between the allocating and the freeing thread */
struct cross {
	long n;
	_Atomic(void *) slot;
};

SITE void *cross_alloc(long i)
{
	char *p = malloc(100 + (size_t)(i % 50));

	p[0] = 1;
	return p;
}

SITE void cross_free(void *p)
{
	free(p);
}

static void *cross_consumer(void *arg)
{
	struct cross *c = arg;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	pin(ncpu > 1 ? (int)ncpu - 1 : 0);
	for (long i = 0; i < c->n; i++) {
		void *p;

		while (!(p = atomic_exchange(&c->slot, NULL)))
			sched_yield();
		cross_free(p);
	}
	return NULL;
}

static void *cross_producer(void *arg)
{
	struct cross *c = arg;

	pin(0);
	for (long i = 0; i < c->n; i++) {
		void *p = cross_alloc(i);

		while (atomic_load(&c->slot))
			sched_yield();
		atomic_store(&c->slot, p);
	}
	return NULL;
}

static void cross(long n)
{
	struct cross c = { .n = n };
	pthread_t a, b;

	atomic_init(&c.slot, NULL);
	if (pthread_create(&b, NULL, cross_consumer, &c) ||
	    pthread_create(&a, NULL, cross_producer, &c)) {
		fprintf(stderr, "leaker: pthread_create failed\n");
		exit(1);
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

static void kwritev(long n)
{
	struct iovec v[16];
	char b[16] = { 0 };
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("leaker: /dev/null");
		exit(1);
	}
	for (int i = 0; i < 16; i++) {
		v[i].iov_base = b + i;
		v[i].iov_len = 1;
	}
	for (long i = 0; i < n; i++)
		if (writev(fd, v, 16) != 16) {
			perror("leaker: writev");
			exit(1);
		}
	close(fd);
}

static void kepoll(long n)
{
	for (long i = 0; i < n; i++)
		if (epoll_create1(0) < 0) {
			perror("leaker: epoll_create1");
			exit(1);
		}
}

static long arg_num(int argc, char **argv, int i)
{
	char *end;
	long v;

	if (i >= argc) {
		fprintf(stderr, "leaker: '%s' needs more arguments\n", argv[i - 1]);
		exit(2);
	}
	v = strtol(argv[i], &end, 0);
	if (*end || v < 0) {
		fprintf(stderr, "leaker: bad number '%s'\n", argv[i]);
		exit(2);
	}
	return v;
}

static void wait_file(const char *path)
{
	struct stat st;

	for (int i = 0; i < 30000 && stat(path, &st); i++)
		sleep_ms(1);
}

/* run_step - the step at argv[i]; returns the index of the next one */
static int run_step(int argc, char **argv, int i)
{
	const char *s = argv[i];
	long n = arg_num(argc, argv, i + 1);

	if (!strcmp(s, "leak")) {
		long size = arg_num(argc, argv, i + 2);

		for (long k = 0; k < n; k++)
			leak_block((size_t)size);
		return i + 3;
	}
	if (!strcmp(s, "leakall")) {
		for (long k = 0; k < n; k++) {
			leak_calloc();
			leak_realloc();
			leak_aligned();
			leak_posix(64, 4000);
			leak_posix(16, 5000);
		}
	} else if (!strcmp(s, "pairs")) {
		for (long k = 0; k < n; k++)
			pair_block(k);
	} else if (!strcmp(s, "deep")) {
		for (long k = 0; k < n; k++)
			deep_block(k % 100);
	} else if (!strcmp(s, "realloc")) {
		for (long k = 0; k < n; k++)
			realloc_chain(k);
	} else if (!strcmp(s, "cross")) {
		cross(n);
	} else if (!strcmp(s, "kwritev")) {
		kwritev(n);
	} else if (!strcmp(s, "kepoll")) {
		kepoll(n);
	} else if (!strcmp(s, "sleep")) {
		sleep_ms(n);
	} else {
		fprintf(stderr, "leaker: unknown step '%s'\n", s);
		exit(2);
	}
	return i + 2;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *wait = NULL;
	bool timed = false;
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-T")) {
			timed = true;
		} else if (!strcmp(argv[i], "-W") && i + 1 < argc) {
			wait = argv[++i];
		} else {
			fprintf(stderr, "leaker: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	if (wait)
		wait_file(wait);
	if (i >= argc) {
		fprintf(stderr, "usage: leaker [-T] [-W FILE] STEP [ARGS] [STEP [ARGS]]...\n");
		return 2;
	}
	printf("leaker pid=%d\n", (int)getpid());
	while (i < argc) {
		if (!strcmp(argv[i], "say")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "leaker: 'say' needs a text\n");
				return 2;
			}
			printf("leaker: %s\n", argv[i + 1]);
			i += 2;
			continue;
		}
		{
			double t0 = now_s();
			int next = run_step(argc, argv, i);

			if (timed)
				fprintf(stderr, "leaker: %s %s took %.6f s\n", argv[i], argv[i + 1],
					now_s() - t0);
			i = next;
		}
	}
	printf("leaker done\n");
	return 0;
}
