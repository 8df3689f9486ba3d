// SPDX-License-Identifier: GPL-2.0
/*
 * split.c - a CPU-bound workload with a known split for the sampling
 * profiler's tests: main calls spin_a three times for each call of spin_b,
 * both running the same loop, until the process has used MS ms of CPU. So
 * spin_a holds 75% of its CPU time, spin_b 25%, both under main.
 *
 * Usage: split MS [CPU]   (pinned to CPU when given)
 * Prints "split pid=PID" first.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define ROUND 7919L	/* a few microseconds: many rounds per sampling period, no aliasing */

static volatile long sink;

NOINLINE void spin_a(void)
{
	for (long i = 0; i < ROUND; i++)
		sink += i;
	__asm__ volatile("" ::: "memory");
}

NOINLINE void spin_b(void)
{
	for (long i = 0; i < ROUND; i++)
		sink += i;
	__asm__ volatile("" ::: "memory");
}

static long cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 2000;

	if (argc > 2) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(atoi(argv[2]), &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	printf("split pid=%d\n", (int)getpid());
	fflush(stdout);
	while (cpu_ms() < ms) {
		for (int i = 0; i < 64; i++) {
			spin_a();
			spin_a();
			spin_a();
			spin_b();
		}
	}
	return 0;
}
