// SPDX-License-Identifier: GPL-2.0
/*
 * split.c - a CPU-bound workload with a known split for the sampling
 * profiler's tests: main calls spin_a three times for each call of spin_b,
 * both running the same loop for the same number of iterations in a round,
 * until the process has used MS ms of CPU. So spin_a holds 75% of its CPU
 * time, spin_b 25%, both under main. A round's length is drawn from a
 * fixed pseudo-random sequence (no rhythm a sampling clock could beat
 * against), and each function calls one more (so it has a frame pointer
 * of its own, and a stack walked from it names main).
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
static volatile long sink;

NOINLINE void step(void)
{
	__asm__ volatile("" ::: "memory");
}

NOINLINE void spin_a(long n)
{
	for (long i = 0; i < n; i++)
		sink += i;
	step();
}

NOINLINE void spin_b(long n)
{
	for (long i = 0; i < n; i++)
		sink += i;
	step();
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
	unsigned int seed = 12345;

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
			long n;

			seed = seed * 1103515245u + 12345u;
			n = 2000 + (long)((seed >> 8) % 12000);	/* a few to tens of us */
			spin_a(n);
			spin_a(n);
			spin_a(n);
			spin_b(n);
		}
	}
	return 0;
}
