// SPDX-License-Identifier: GPL-2.0
/*
 * callchain.c - a known call stack for symbol and unwinding tests:
 *   main -> level1 -> level2 -> level3 -> syscall(SYS_getppid)
 * Each level is a real frame (noinline, noclone, work after the call so it
 * is no tail call). The NOTYPE labels level*_mark sit on lines marked
 * "MARK:<name>", so tests know an address, its function, its offset (from
 * nm) and its line (from this file) independently of the code under test.
 *
 * Usage: callchain [LOOPS [SLEEP_MS]]   (default 1 loop, no sleep)
 * Prints "callchain PID LOOPS" on stdout, then runs the loops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))

/* Keeps a value live in a register across a call, defeating tail calls. */
#define KEEP(x) __asm__ volatile("" : "+r"(x) : : "memory")

static volatile long sink;

NOINLINE long level3(long x)
{
	long r;

	__asm__ volatile(".globl level3_mark\nlevel3_mark: nop"); /* MARK:level3 */
	r = syscall(SYS_getppid);
	KEEP(x);
	return r + x;
}

NOINLINE long level2(long x)
{
	long r;

	__asm__ volatile(".globl level2_mark\nlevel2_mark: nop"); /* MARK:level2 */
	r = level3(x + 1);
	KEEP(x);
	return r ^ x;
}

NOINLINE long level1(long x)
{
	long r;

	__asm__ volatile(".globl level1_mark\nlevel1_mark: nop"); /* MARK:level1 */
	r = level2(x * 2);
	KEEP(x);
	return r - x;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long loops = argc > 1 ? atol(argv[1]) : 1;
	long ms = argc > 2 ? atol(argv[2]) : 0;

	printf("callchain %d %ld\n", (int)getpid(), loops);
	fflush(stdout);
	for (long i = 0; i < loops; i++) {
		sink += level1(i);
		if (ms)
			sleep_ms(ms);
	}
	return 0;
}
