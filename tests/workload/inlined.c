// SPDX-License-Identifier: GPL-2.0
/*
 * inlined.c - a system call made from an always_inline function, so a
 * user stack taken at syscalls:sys_enter_getppid must show the inlined
 * frame: syscall <- via_inline (inlined) <- caller <- main.
 *
 * Usage: inlined [LOOPS]   (prints "inlined PID LOOPS")
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEEP(x) __asm__ volatile("" : "+r"(x) : : "memory")

static volatile long sink;

static inline __attribute__((always_inline)) long via_inline(long x)
{
	long r = syscall(SYS_getppid); /* LINE:via_inline */

	KEEP(r);
	return r + x;
}

__attribute__((noinline, noclone)) long caller(long x)
{
	long r = via_inline(x * 3); /* LINE:caller */

	KEEP(x);
	return r ^ x;
}

int main(int argc, char **argv)
{
	long loops = argc > 1 ? atol(argv[1]) : 1;

	printf("inlined %d %ld\n", getpid(), loops);
	fflush(stdout);
	for (long i = 0; i < loops; i++)
		sink += caller(i); /* LINE:main */
	return 0;
}
