// SPDX-License-Identifier: GPL-2.0
/*
 * gen.c - the BPF program builder (see gen.h): instructions appended to a
 * growing array, labels resolved once the program is complete, the stack
 * frame handed out in 8-byte units, and the load through libbpf with the
 * verifier's log kept for the one-line reason a program was refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "gen.h"

#define STACK_MAX 512	/* the BPF frame */

void bpfgen__init(struct bpfgen *g, enum bpfgen_env env, u32 tp_id)
{
	memset(g, 0, sizeof(*g));
	g->env = env;
	g->tp_id = tp_id;
}

void bpfgen__release(struct bpfgen *g)
{
	free(g->insn);
	free(g->labels);
	free(g->fix);
	memset(g, 0, sizeof(*g));
}

int bpfgen__emit(struct bpfgen *g, struct bpf_insn insn)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->insn = xrealloc(g->insn, (size_t)g->cap * sizeof(*g->insn));
	}
	g->insn[g->n] = insn;
	return g->n++;
}

void bpfgen__ld_imm64(struct bpfgen *g, u8 dst, u64 v)
{
	if ((s64)v == (s32)v) {
		bpfgen__emit(g, insn__mov_imm(dst, (s32)v));
		return;
	}
	bpfgen__emit(g, insn__make(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (s32)(u32)v));
	bpfgen__emit(g, insn__make(0, 0, 0, 0, (s32)(u32)(v >> 32)));
}

void bpfgen__ld_map(struct bpfgen *g, u8 dst, int map_fd)
{
	bpfgen__emit(g, insn__make(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, map_fd));
	bpfgen__emit(g, insn__make(0, 0, 0, 0, 0));
}

int bpfgen__label(struct bpfgen *g)
{
	g->labels = xrealloc(g->labels, (size_t)(g->nlabels + 1) * sizeof(*g->labels));
	g->labels[g->nlabels] = -1;
	return g->nlabels++;
}

void bpfgen__bind(struct bpfgen *g, int label)
{
	g->labels[label] = g->n;
}

void bpfgen__jmp(struct bpfgen *g, struct bpf_insn j, int label)
{
	int i = bpfgen__emit(g, j);

	g->fix = xrealloc(g->fix, (size_t)(g->nfix + 1) * sizeof(*g->fix));
	g->fix[g->nfix++] = (struct bpfgen_fixup){ .insn = i, .label = label };
}

void bpfgen__ja(struct bpfgen *g, int label)
{
	bpfgen__jmp(g, insn__make(BPF_JMP | BPF_JA, 0, 0, 0, 0), label);
}

bool bpfgen__used(const struct bpfgen *g, int label)
{
	for (int i = 0; i < g->nfix; i++)
		if (g->fix[i].label == label)
			return true;
	return false;
}

int bpfgen__stack(struct bpfgen *g, int bytes)
{
	bytes = (bytes + 7) & ~7;
	if (g->stack + bytes > STACK_MAX) {
		bpfgen__fail(g, "it needs more than the %d bytes of a BPF stack frame", STACK_MAX);
		return 0;
	}
	g->stack += bytes;
	return -g->stack;
}

int bpfgen__fail(struct bpfgen *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->failed) {
		va_start(ap, fmt);
		vsnprintf(g->why, sizeof(g->why), fmt, ap);
		va_end(ap);
		g->failed = true;
	}
	return -EOPNOTSUPP;
}

/* resolve every jump; a label left unbound is a bug in the generator */
static int bpfgen__resolve(struct bpfgen *g)
{
	for (int i = 0; i < g->nfix; i++) {
		int at = g->fix[i].insn, to = g->labels[g->fix[i].label];
		int off = to - (at + 1);

		if (to < 0)
			return bpfgen__fail(g, "internal error: a jump to an unbound label");
		if (off != (s16)off)
			return bpfgen__fail(g, "the program is too long for BPF jumps");
		g->insn[at].off = (s16)off;
	}
	return 0;
}

/* the verifier's last non-empty line before its statistics: why it refused */
static void log_reason(const char *log, char *why, size_t whylen)
{
	const char *end = log + strlen(log), *line = NULL, *p;

	while (end > log) {
		const char *e = end;

		while (e > log && e[-1] == '\n')
			e--;
		p = e;
		while (p > log && p[-1] != '\n')
			p--;
		if (p == e)
			break;
		if (strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			line = p;
			end = e;
			break;
		}
		end = p;
	}
	if (line)
		snprintf(why, whylen, "the verifier refused it: %.*s", (int)(end - line), line);
	else
		snprintf(why, whylen, "the kernel refused it");
}

int bpfgen__load(struct bpfgen *g, enum bpf_prog_type type, const char *name, u32 flags,
		 char *why, size_t whylen)
{
	size_t logsize = 1 << 20;
	char *log;
	int fd, e;

	if (g->failed || bpfgen__resolve(g)) {
		snprintf(why, whylen, "%s", g->why);
		return -EOPNOTSUPP;
	}
	/* first without a log (fast); again with one only to say why it failed */
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = flags);
	fd = bpf_prog_load(type, name, "GPL", g->insn, (size_t)g->n, &opts);
	if (fd >= 0)
		return fd;
	e = -fd;
	log = xzalloc(logsize);
	opts.log_buf = log;
	opts.log_size = (u32)logsize;
	opts.log_level = 1;
	fd = bpf_prog_load(type, name, "GPL", g->insn, (size_t)g->n, &opts);
	if (fd >= 0) {
		/* loads now: nothing to explain */
		free(log);
		return fd;
	}
	if (log[0])
		log_reason(log, why, whylen);
	else
		snprintf(why, whylen, "%s", strerror(e));
	free(log);
	return -e;
}

int bpfgen__test_run(int prog_fd, const void *rec, u32 size, struct bpfgen_trailer *tr,
		     u32 *retval)
{
	size_t len = BPFGEN_TRAILER + sizeof(*tr);
	u8 *ctx;
	int r;

	if (size > BPFGEN_TRAILER)
		return -EINVAL;
	ctx = xzalloc(len);
	memcpy(ctx, rec, size);
	memcpy(ctx + BPFGEN_TRAILER, tr, sizeof(*tr));
	/* a syscall program's context is copied back into ctx_in */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = (u32)len);
	r = bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
	if (!r) {
		memcpy(tr, ctx + BPFGEN_TRAILER, sizeof(*tr));
		if (retval)
			*retval = opts.retval;
	}
	free(ctx);
	return r;
}
