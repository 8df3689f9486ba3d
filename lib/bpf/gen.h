/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gen.h - the BPF program builder shared by everything in lib/bpf that
 * writes programs instruction by instruction: a growing instruction array,
 * forward and backward labels, 64-bit immediates and map references, the
 * stack frame, the loader with the verifier's log, and the expression
 * compiler (lib/bpf/expr.c) that turns a checked expression tree into code
 * computing its value in a register. Filters (lib/bpf/filter.c) use it
 * today; in-kernel aggregation (key and value expressions, map updates)
 * builds on the same calls.
 *
 * Register use: r6 holds the context (the tracepoint record) for the whole
 * program; the expression compiler keeps values in r7-r9 and stack slots,
 * and r0-r5 are scratch between calls, as the BPF calling convention has
 * them.
 */
#ifndef PERF_PROF_BPF_GEN_H
#define PERF_PROF_BPF_GEN_H

#include "insn.h"
#include "util.h"

struct expr;

/*
 * Where a program runs. TRACEPOINT: attached to a tracepoint, the context
 * is the record; builtins come from helpers. TEST: a BPF_PROG_TYPE_SYSCALL
 * program run by BPF_PROG_TEST_RUN on a record the caller built; builtins
 * and the result travel in a trailer after the record (struct
 * bpfgen_trailer at BPFGEN_TRAILER). Everything else is the same code.
 */
enum bpfgen_env {
	BPFGEN_TRACEPOINT,
	BPFGEN_TEST,
};

/* the largest record offset a tracepoint program may read (PERF_MAX_TRACE_SIZE) */
#define BPFGEN_MAX_RECORD 8192
#define BPFGEN_TRAILER BPFGEN_MAX_RECORD

/* TEST context: the record, padded to BPFGEN_TRAILER bytes, then this */
struct bpfgen_trailer {
	s64 cpu, pid, tid;
	u64 time;
	u64 result;	/* out: the expression's value (0 unless it was computed) */
	u64 outcome;	/* out: enum bpfgen_outcome */
};

/*
 * bpfgen__test_run - run the TEST program @prog_fd once on the record @rec
 * (@size bytes, at most BPFGEN_TRAILER) with the builtins of @tr; @tr gets
 * the trailer back (result, outcome), *@retval the program's return (may be
 * NULL). Returns 0 or -errno.
 */
int bpfgen__test_run(int prog_fd, const void *rec, u32 size, struct bpfgen_trailer *tr,
		     u32 *retval);

/* what happened to one evaluation; also the slots of a filter's counters */
enum bpfgen_outcome {
	BPFGEN_ACCEPTED,	/* computed, non-zero */
	BPFGEN_REJECTED,	/* computed, zero */
	BPFGEN_ERROR,		/* division by zero, index out of range: the event is dropped */
	BPFGEN_UNDECIDED,	/* a string longer than the program examines: user space decides */
	BPFGEN_NR_OUTCOMES,
};

struct bpfgen_fixup {
	int insn;
	int label;
};

struct bpfgen {
	enum bpfgen_env env;
	struct bpf_insn *insn;
	int n, cap;
	int *labels;		/* label -> instruction index, -1 until bound */
	int nlabels;
	struct bpfgen_fixup *fix;
	int nfix;
	int stack;		/* bytes of the frame in use below FP */
	u32 tp_id;		/* the event's id: common_type's value */
	bool inexact;		/* some path ends at an undecided label */
	bool failed;
	char why[256];		/* the first thing that could not be compiled */
};

void bpfgen__init(struct bpfgen *g, enum bpfgen_env env, u32 tp_id);
void bpfgen__release(struct bpfgen *g);

/* bpfgen__emit - append one instruction; returns its index */
int bpfgen__emit(struct bpfgen *g, struct bpf_insn insn);

/* bpfgen__ld_imm64 - dst = v (one instruction when v fits 32 signed bits) */
void bpfgen__ld_imm64(struct bpfgen *g, u8 dst, u64 v);

/* bpfgen__ld_map - dst = the map behind @map_fd */
void bpfgen__ld_map(struct bpfgen *g, u8 dst, int map_fd);

/* labels: created unbound, bound once, jumped to from anywhere */
int bpfgen__label(struct bpfgen *g);
void bpfgen__bind(struct bpfgen *g, int label);
/* bpfgen__jmp - emit the conditional jump @j (from insn__jmp_*) to @label */
void bpfgen__jmp(struct bpfgen *g, struct bpf_insn j, int label);
/* bpfgen__ja - unconditional jump to @label */
void bpfgen__ja(struct bpfgen *g, int label);
/* bpfgen__used - some jump goes to @label (the verifier refuses code nothing reaches) */
bool bpfgen__used(const struct bpfgen *g, int label);

/*
 * bpfgen__stack - reserve @bytes (rounded up to 8) of the frame; returns
 * their offset from FP (negative), or 0 when the 512-byte frame is full
 * (the builder is then failed).
 */
int bpfgen__stack(struct bpfgen *g, int bytes);

/*
 * bpfgen__fail - record why a construct cannot be compiled (the first
 * reason wins); returns -EOPNOTSUPP.
 */
int bpfgen__fail(struct bpfgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * bpfgen__expr - code that computes @e into @dst (r7, r8 or r9), reading the
 * record through r6. A run-time error (division by zero, an index out of
 * range) jumps to @err, a string the program cannot examine to its end
 * (longer than BPFGEN_STR_MAX) to @undecided. A string expression yields 1
 * when the string is not empty, like expr_eval(). Clobbers r0-r5 and r7-r9.
 * Returns 0, or -EOPNOTSUPP with g->why saying what cannot run in BPF.
 */
int bpfgen__expr(struct bpfgen *g, const struct expr *e, u8 dst, int err, int undecided);

/* how many bytes of a string the compiled code examines */
#define BPFGEN_STR_MAX 128

/*
 * bpfgen__load - resolve the labels and load the program; returns its fd,
 * or -errno with @why holding the verifier's last words (or the builder's
 * reason when it failed earlier).
 */
int bpfgen__load(struct bpfgen *g, enum bpf_prog_type type, const char *name, u32 flags,
		 char *why, size_t whylen);

/*
 * bpf__anchor - attach tracepoint program @prog_fd to tracepoint @tp_id
 * through a perf event of its own: disabled and counting, on one CPU, it
 * never writes a record, and the program runs on every CPU for every hit
 * of the tracepoint. Returns the event's fd (closing it detaches the
 * program) or -errno. Attaching to the run's own events would not last: an
 * inherited copy of such an event (a workload's child) takes the program
 * along, and when the child exits the kernel detaches it for everyone.
 */
int bpf__anchor(u64 tp_id, int prog_fd);

#endif
