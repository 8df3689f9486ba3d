// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c - where the instructions of a function start, for probe placement.
 *
 * A uprobe replaces the first byte of an instruction with a breakpoint and
 * single-steps a copy of that instruction. Placed in the middle of an
 * instruction it corrupts it instead: the program computes a wrong value or
 * dies. So an offset into a function is checked against the instruction
 * boundaries of its code, decoded linearly from the function's entry with
 * capstone (one decoder for every x86 encoding, not a hand-written one).
 * Linear decoding is exact for compiled functions, whose bytes are all
 * code; a function that embeds data stops the decoder, and an offset past
 * that point is refused rather than guessed.
 *
 * capstone is opened with dlopen() when the first offset is checked, not
 * linked: loading it relocates megabytes of decoder tables (3.2 MiB of
 * resident memory in every run, probes or not).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include <capstone/capstone.h>

#include "probe.h"

#define CS_STR2(x) #x
#define CS_STR(x) CS_STR2(x)
#define CS_SONAME "libcapstone.so." CS_STR(CS_API_MAJOR)

/* the capstone calls, from the library opened at first use */
static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*close)(csh *);
	cs_insn *(*malloc)(csh);
	void (*free)(cs_insn *, size_t);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
	bool ok;
	char error[160];
} cs_lib;
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;

static void cs_lib_load(void)
{
	void *h = dlopen(CS_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(cs_lib.error, sizeof(cs_lib.error), "%s", dlerror());
		return;
	}
	*(void **)&cs_lib.open = dlsym(h, "cs_open");
	*(void **)&cs_lib.close = dlsym(h, "cs_close");
	*(void **)&cs_lib.malloc = dlsym(h, "cs_malloc");
	*(void **)&cs_lib.free = dlsym(h, "cs_free");
	*(void **)&cs_lib.disasm_iter = dlsym(h, "cs_disasm_iter");
	cs_lib.ok = cs_lib.open && cs_lib.close && cs_lib.malloc && cs_lib.free &&
		    cs_lib.disasm_iter;
	if (!cs_lib.ok)
		snprintf(cs_lib.error, sizeof(cs_lib.error), "%s lacks the capstone functions",
			 CS_SONAME);
	/* kept open for the process: the functions above point into it */
}

#define NEAR_EACH_SIDE 3	/* boundaries listed before and after a bad offset */

/* near_add - append "+0xOFF" to the list of nearby boundaries */
static void near_add(char *near, size_t size, size_t *len, u64 off)
{
	int n;

	if (!near || *len >= size)
		return;
	n = snprintf(near + *len, size - *len, "%s+0x%llx", *len ? " " : "",
		     (unsigned long long)off);
	*len = n < 0 ? size : *len + (size_t)n;
	if (*len >= size)
		*len = size;
}

/* near_flush - the boundaries before @off, oldest first, from the ring @prev */
static void near_flush(const u64 *prev, unsigned nr_prev, char *near, size_t size, size_t *len)
{
	unsigned first = nr_prev > NEAR_EACH_SIDE ? nr_prev - NEAR_EACH_SIDE : 0;

	for (unsigned i = first; i < nr_prev; i++)
		near_add(near, size, len, prev[i % NEAR_EACH_SIDE]);
}

const char *probe__insn_lib_error(void)
{
	return cs_lib.error[0] ? cs_lib.error : "the instruction decoder is not loaded";
}

int probe__insn_check(const u8 *code, size_t size, u64 off, char *near, size_t near_size)
{
#if defined(__x86_64__)
	u64 prev[NEAR_EACH_SIDE], addr = 0;
	unsigned nr_prev = 0, after = 0;
	const u8 *p = code;
	size_t left = size, len = 0;
	bool stuck = false;
	cs_insn *insn;
	csh cs;
	int r = -EINVAL;

	if (near && near_size)
		near[0] = '\0';
	if (off >= size)
		return -ERANGE;
	pthread_once(&cs_once, cs_lib_load);
	if (!cs_lib.ok)
		return -ELIBACC;
	if (cs_lib.open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -ENOTSUP;
	insn = cs_lib.malloc(cs);
	if (!insn) {
		cs_lib.close(&cs);
		return -ENOMEM;
	}
	/* decode until @off is reached or passed, then a few boundaries more */
	while (left && after < NEAR_EACH_SIDE) {
		u64 at = addr;

		if (!cs_lib.disasm_iter(cs, &p, &left, &addr, insn)) {
			stuck = true;
			break;
		}
		if (at == off) {
			r = 0;
			break;
		}
		if (at < off) {
			prev[nr_prev++ % NEAR_EACH_SIDE] = at;
			continue;
		}
		if (!after)	/* @off is inside the instruction before @at */
			near_flush(prev, nr_prev, near, near_size, &len);
		near_add(near, near_size, &len, at);
		after++;
	}
	if (r && !after) {
		/* inside the last instruction, or undecodable bytes before @off */
		near_flush(prev, nr_prev, near, near_size, &len);
		if (stuck)
			r = -ENOEXEC;
	}
	cs_lib.free(insn, 1);
	cs_lib.close(&cs);
	return r;
#else
	(void)code; (void)size; (void)off; (void)near; (void)near_size;
	return -ENOTSUP;
#endif
}
