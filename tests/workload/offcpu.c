// SPDX-License-Identifier: GPL-2.0
/*
 * offcpu.c - workloads for the scheduling profilers (task-state, rundelay)
 * with known counts, each measuring its own blocked times so tests compare
 * against what really happened on a loaded machine, not nominal values.
 *
 *   offcpu sleepread   a thread sleeps 20 x 10 ms in sleeper(), another
 *                      blocks 10 x on a pipe read in reader() while a third
 *                      writes a byte every 30 ms. Prints
 *                        sleeper tid=T n=20 ns=NS
 *                        reader tid=T n=10 ns=NS
 *                      (NS: the sum of the measured times in the calls)
 *   offcpu runq N      two CPU hogs and a waker pinned to CPU 0; the waker
 *                      sleeps 5 ms N times. Prints "waker tid=T n=N"
 *   offcpu dstate N FILE  N x (pwrite 4 KiB with O_DIRECT, fsync) on FILE
 *                      in dsync(). Prints "dstate tid=T n=N ns=NS" (NS: the
 *                      time in those calls, the open, the close and the
 *                      unlink), or
 *                      "dstate unsupported: REASON" and exits 3
 *   offcpu pingpong N  two threads bounce a byte over two pipes N times
 *                      (2N context switches at least). Prints "pingpong n=N ns=NS
 *                      switches=S" (S: the process's context switches)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2], pongfd[2];
static atomic_int stop;
static long nloops;

static unsigned long long now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ULL + (unsigned long long)t.tv_nsec;
}

static int gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- sleepread ---- */

static __attribute__((noinline)) unsigned long long sleeper(void)
{
	unsigned long long total = 0;

	for (int i = 0; i < 20; i++) {
		unsigned long long t0 = now();

		sleep_ms(10);
		total += now() - t0;
	}
	return total;
}

static void *sleeper_thread(void *arg)
{
	unsigned long long ns = sleeper();

	(void)arg;
	printf("sleeper tid=%d n=20 ns=%llu\n", gettid_(), ns);
	return NULL;
}

static __attribute__((noinline)) unsigned long long reader(void)
{
	unsigned long long total = 0;
	char c;

	for (int i = 0; i < 10; i++) {
		unsigned long long t0 = now();

		if (read(pipefd[0], &c, 1) != 1)
			break;
		total += now() - t0;
	}
	return total;
}

static void *reader_thread(void *arg)
{
	unsigned long long ns = reader();

	(void)arg;
	printf("reader tid=%d n=10 ns=%llu\n", gettid_(), ns);
	return NULL;
}

/*
 * the reader's waker: with frame pointers the caller of libc's write() is
 * hidden (write() keeps none), so the writes happen in writer(), and
 * writer_thread() is the known function in their stacks
 */
static __attribute__((noinline)) void writer(void)
{
	for (int i = 0; i < 10; i++) {
		sleep_ms(30);
		if (write(pipefd[1], "x", 1) != 1)
			break;
	}
}

static void *writer_thread(void *arg)
{
	(void)arg;
	writer();
	return NULL;
}

static int sleepread(void)
{
	pthread_t t[3];

	if (pipe(pipefd))
		return 1;
	pthread_create(&t[0], NULL, sleeper_thread, NULL);
	pthread_create(&t[1], NULL, reader_thread, NULL);
	pthread_create(&t[2], NULL, writer_thread, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}

/* ---- runq ---- */

static void *hog_thread(void *arg)
{
	(void)arg;
	pin(0);
	while (!atomic_load(&stop))
		;
	return NULL;
}

static void *waker_thread(void *arg)
{
	(void)arg;
	pin(0);
	for (long i = 0; i < nloops; i++)
		sleep_ms(5);
	printf("waker tid=%d n=%ld\n", gettid_(), nloops);
	return NULL;
}

static int runq(void)
{
	pthread_t h[2], w;

	pthread_create(&h[0], NULL, hog_thread, NULL);
	pthread_create(&h[1], NULL, hog_thread, NULL);
	pthread_create(&w, NULL, waker_thread, NULL);
	pthread_join(w, NULL);
	atomic_store(&stop, 1);
	pthread_join(h[0], NULL);
	pthread_join(h[1], NULL);
	return 0;
}

/* ---- dstate ---- */

static __attribute__((noinline)) int dsync(int fd, void *buf, unsigned long long *total)
{
	for (long i = 0; i < nloops; i++) {
		unsigned long long t0 = now();

		if (pwrite(fd, buf, 4096, (off_t)(i % 16) * 4096) != 4096 || fsync(fd))
			return -1;
		*total += now() - t0;
	}
	return 0;
}

static int dstate(const char *path)
{
	/*
	 * the open (creating an inode can wait for the journal), the unlink and
	 * the close are timed too: every call here that may sleep in D
	 */
	unsigned long long t0 = now(), total;
	void *buf;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);

	total = now() - t0;
	if (fd < 0) {
		printf("dstate unsupported: O_DIRECT open of %s: %s\n", path, strerror(errno));
		return 3;
	}
	if (posix_memalign(&buf, 4096, 4096))
		return 1;
	memset(buf, 'x', 4096);
	if (dsync(fd, buf, &total)) {
		printf("dstate unsupported: O_DIRECT write of %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(path);
		return 3;
	}
	t0 = now();
	close(fd);
	unlink(path);
	total += now() - t0;
	printf("dstate tid=%d n=%ld ns=%llu\n", gettid_(), nloops, total);
	free(buf);
	return 0;
}

/* ---- pingpong ---- */

static void *pong_thread(void *arg)
{
	char c;

	(void)arg;
	for (long i = 0; i < nloops; i++)
		if (read(pipefd[0], &c, 1) != 1 || write(pongfd[1], &c, 1) != 1)
			break;
	return NULL;
}

static int pingpong(void)
{
	unsigned long long t0 = now();
	struct rusage ru;
	pthread_t t;
	char c = 'x';

	if (pipe(pipefd) || pipe(pongfd))
		return 1;
	pthread_create(&t, NULL, pong_thread, NULL);
	for (long i = 0; i < nloops; i++)
		if (write(pipefd[1], &c, 1) != 1 || read(pongfd[0], &c, 1) != 1)
			break;
	pthread_join(t, NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("pingpong n=%ld ns=%llu switches=%ld\n", nloops, now() - t0,
	       ru.ru_nvcsw + ru.ru_nivcsw);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "sleepread"))
		return sleepread();
	nloops = argc >= 3 ? atol(argv[2]) : 0;
	if (argc >= 3 && !strcmp(argv[1], "runq"))
		return runq();
	if (argc >= 4 && !strcmp(argv[1], "dstate"))
		return dstate(argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "pingpong"))
		return pingpong();
	fprintf(stderr, "usage: offcpu sleepread | runq N | dstate N FILE | pingpong N\n");
	return 2;
}
