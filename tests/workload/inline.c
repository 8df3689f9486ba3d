// SPDX-License-Identifier: GPL-2.0
/*
 * inline.c - an always_inline function inside a real one, for the inlined
 * frame tests: the NOTYPE label inner_mark lies in outer's code but inside
 * inner's inlined body, on the line marked MARK:inner; outer's call of
 * inner is on the line marked MARK:outer-call.
 *
 * Usage: inline [LOOPS]
 */
#include <stdio.h>
#include <stdlib.h>

static volatile long sink;

static inline __attribute__((always_inline)) long inner(long x)
{
	long y = x * 3;

	__asm__ volatile(".globl inner_mark\ninner_mark: nop" : "+r"(y)); /* MARK:inner */
	return y ^ (x >> 1);
}

__attribute__((noinline, noclone)) long outer(long x)
{
	long r = inner(x + 7); /* MARK:outer-call */

	sink += r;
	return r * 5;
}

int main(int argc, char **argv)
{
	long loops = argc > 1 ? atol(argv[1]) : 1;

	for (long i = 0; i < loops; i++)
		sink += outer(i);
	printf("inline %ld\n", (long)sink);
	return 0;
}
