// SPDX-License-Identifier: GPL-2.0
/*
 * sysmix.c - the system calls the syscalls profiler's tests count: exactly
 * 1234 getppid, 77 one-byte writes to /dev/null, 7 three-byte writes to fd
 * 1023 (closed first: each fails with EBADF) and 20 nanosleeps of 5 ms.
 *
 *   sysmix [-f] [-M FILE] [-W FILE]
 *     -f       spread the work as strace -f must follow it: the getppid
 *              calls in a second thread, the writes in a forked child
 *              (comm "sysmix-child"), the sleeps in the main thread
 *     -M FILE  write each sleep's duration as measured here (ns, one a
 *              line) to FILE, for tests on a loaded machine
 *     -W FILE  wait (up to 30 s) until FILE exists before starting
 * Prints "sysmix pid=PID" first and "sysmix done" at the end (stdout,
 * line-buffered). It calls the libc wrappers' raw forms (syscall(2)) so
 * that no libc version turns them into other system calls.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_GETPPID 1234
#define N_WRITES 77
#define N_BADF 7
#define N_SLEEPS 20
#define SLEEP_NS 5000000L
#define BAD_FD 1023

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *do_getppid(void *arg)
{
	(void)arg;
	for (int i = 0; i < N_GETPPID; i++)
		syscall(SYS_getppid);
	return NULL;
}

static void do_writes(void)
{
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0) {
		perror("sysmix: /dev/null");
		exit(1);
	}
	close(BAD_FD);
	for (int i = 0; i < N_WRITES; i++)
		syscall(SYS_write, fd, "x", 1);
	for (int i = 0; i < N_BADF; i++)
		syscall(SYS_write, BAD_FD, "bad", 3);
	close(fd);
}

static void do_sleeps(const char *measured)
{
	struct timespec ts = { 0, SLEEP_NS };
	long long d[N_SLEEPS];
	FILE *f;

	for (int i = 0; i < N_SLEEPS; i++) {
		long long t0 = now_ns();

		syscall(SYS_nanosleep, &ts, NULL);
		d[i] = now_ns() - t0;
	}
	if (!measured)
		return;
	f = fopen(measured, "w");
	if (!f) {
		perror("sysmix: -M");
		exit(1);
	}
	for (int i = 0; i < N_SLEEPS; i++)
		fprintf(f, "%lld\n", d[i]);
	fclose(f);
}

static void wait_file(const char *path)
{
	struct stat st;

	for (int i = 0; path && i < 3000 && stat(path, &st); i++)
		usleep(10000);
}

int main(int argc, char **argv)
{
	const char *measured = NULL, *wait = NULL;
	bool spread = false;
	pthread_t th;
	pid_t child;
	int c, status;

	while ((c = getopt(argc, argv, "fM:W:")) != -1) {
		switch (c) {
		case 'f': spread = true; break;
		case 'M': measured = optarg; break;
		case 'W': wait = optarg; break;
		default:
			fprintf(stderr, "usage: sysmix [-f] [-M FILE] [-W FILE]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("sysmix pid=%d\n", getpid());
	wait_file(wait);
	if (!spread) {
		do_getppid(NULL);
		do_writes();
		do_sleeps(measured);
		printf("sysmix done\n");
		return 0;
	}
	if (pthread_create(&th, NULL, do_getppid, NULL)) {
		fprintf(stderr, "sysmix: pthread_create failed\n");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("sysmix: fork");
		return 1;
	}
	if (child == 0) {
		prctl(PR_SET_NAME, "sysmix-child");
		do_writes();
		_exit(0);
	}
	do_sleeps(measured);
	pthread_join(th, NULL);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "sysmix: the child failed\n");
		return 1;
	}
	printf("sysmix done\n");
	return 0;
}
