// SPDX-License-Identifier: GPL-2.0
/*
 * agg.c - aggregate by key in the kernel (see bpfagg.h). One hash map of
 * rows (u64 key -> ncols u64) shared by the programs of every event of the
 * run, one per-CPU array of counters per event, and, with targets, a map of
 * their threads. Each event's program, generated with
 * the part-1 expression compiler (gen.h), is:
 *
 *   [targets]  the current thread is a target, else out
 *   [filter]   the filter's value, zero: out
 *   key        the key expression, or the thread id, into a stack slot
 *   values     each column's expression into a stack slot
 *   row        look the key up; a new key is inserted as a zero row (from a
 *              one-entry array, not the stack), a full map counts a drop
 *   add        each column added atomically (several CPUs share rows)
 *   out        return 1: the record goes on for every other tracer
 *
 * A run-time error (division by zero, an index out of range) skips the
 * record and is counted, as user space counts it. A string the program
 * cannot examine to its end has no user space to decide it here: such an
 * expression is refused.
 *
 * A histogram event (bpf_agg_ev's @hist) adds its value, when not
 * negative, to a block of columns: count and the low half of a 128-bit sum
 * with atomic adds (a fetch-add says when the high half takes a carry),
 * min and max with a compare-and-exchange loop (bounded: 64 tries, then
 * counted as contended), and the value's vstat bucket, computed with the
 * shifts of vstat.bpf.h, with an atomic add at a bounded variable offset.
 * Rows are shared by the CPUs rather than per CPU: the block is 15 KiB,
 * and a per-CPU row would cost that on every CPU of the machine.
 *
 * With BPF_AGG_GENS the key's top bit is the report generation, read from
 * a one-entry array; each program marks, around its write, a per-CPU
 * sequence odd (fully ordered fetch-adds), so that user space, having
 * switched the generation, waits for the writes still going to the old
 * one before it reads and deletes its rows.
 *
 * The targets' map is kept by two more generated programs, on
 * sched:sched_process_fork (a target's child or new thread joins it, when
 * they are followed) and sched:sched_process_free (a thread leaves it),
 * reading the records' pid fields at their format offsets: no BTF, and
 * like the others they return 1 and hang off counting perf events.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <traceevent/event-parse.h>

#include "agg.h"
#include "bpfagg.h"
#include "bpffilter.h"
#include "gen.h"
#include "profiler.h"
#include "tep.h"

_Static_assert(BPF_AGG_HIST_BUCKETS == VSTAT_ROWS * VSTAT_SUB, "the kernel's buckets are vstat's");

enum {
	AGG_SAMPLES, AGG_ERRORS, AGG_DROPS, AGG_NEGATIVE, AGG_CONTENDED,
	AGG_SEQ,	/* odd while a program writes a row (BPF_AGG_GENS) */
	AGG_OPENED, AGG_REPLACED, AGG_PAIRED, AGG_ORPHANS, AGG_EXITED, AGG_KEYDROPS,
	AGG_SLOW, AGG_SLOW_LOST,
	AGG_NR_STATS
};

/*
 * A waiting begin is one word, exchanged atomically: the time (modulo
 * 2^55 ns, 417 days) above the begin's event index + 1 in the low 9 bits;
 * 0 is an empty slot. The delay is the difference modulo 2^55, exact for
 * any delay shorter than that; one beyond half of it is a clock that went
 * back between CPUs, counted, never added.
 */
#define AGG_PAIR_EV_BITS 9
#define AGG_PAIR_EV_MASK ((1 << AGG_PAIR_EV_BITS) - 1)
_Static_assert(BPF_AGG_PAIR_MAX_EVS < (1 << AGG_PAIR_EV_BITS), "an event index + 1 fits");

/* the key of a begin */
struct agg_pair_key {
	u64 key;
	u32 slot;
	u32 pad;
};

#define AGG_GEN_BIT 63
/* tries of a min or max update before it counts as contended */
#define AGG_CAS_TRIES 64

/* the programs that keep the targets' map: on a fork, on a task's end */
enum { FOLLOW_FORK, FOLLOW_FREE, FOLLOW_NR };

struct bpf_agg {
	int ncols;
	u64 max_rows;
	int rows_fd;		/* HASH: u64 key -> ncols u64 */
	int zero_fd;		/* ARRAY[1]: a zero row, the value of a new key */
	int stats_fd;		/* PERCPU_ARRAY[nr_evs]: AGG_NR_STATS u64 each */
	int nr_evs;
	int *prog_fd;		/* per event, -1 until added */
	u32 *tp_id;
	int *anchor_fd;		/* per event, the perf event holding its program */
	int insns;
	bool targets;
	int targets_fd;		/* HASH: tid -> 1, with targets */
	int full_fd;		/* PERCPU_ARRAY[1]: threads the full targets' map could not take */
	int follow_prog[FOLLOW_NR];
	int follow_anchor[FOLLOW_NR];
	u32 follow_tp[FOLLOW_NR];
	unsigned flags;
	int gen_fd;		/* ARRAY[1]: the generation the programs write (BPF_AGG_GENS) */
	u64 gen;		/* its value */
	u64 *tmpl;		/* the value of a new row (empty histograms' min at UINT64_MAX) */
	int begins_fd;		/* HASH: struct agg_pair_key -> a begin's word (bpf_agg__pairs()) */
	int nslots;
	int exit_prog, exit_anchor;	/* thread keys: a thread's begins go when it exits */
	u32 exit_tp;
	int cpus_fd;		/* ARRAY[nr_evs * ncpus] of u8: 1 where an event counts (@cpu_set) */
	u64 than;		/* pairs slower go to slow_fd too, 0: none */
	int slow_fd;		/* RINGBUF: struct bpf_agg_slow (bpf_agg__than()) */
	int ncpus;		/* possible CPUs */
	bool *cpu_set;		/* per event, added with @cpu_set */
};

static int agg_map(enum bpf_map_type type, const char *name, u32 ksize, u32 vsize, u32 n,
		   u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(type, name, ksize, vsize, n, &o);

	return fd < 0 ? -errno : fd;
}

/* agg_count - @fd[idx][slot]++ (a per-CPU array: this CPU's copy); clobbers r0-r2 */
static void agg_count(struct bpfgen *g, int fd, int idx, int slot, int keyoff, int out)
{
	bpfgen__emit(g, insn__st(BPF_W, FP, (s16)keyoff, idx));
	bpfgen__ld_map(g, R1, fd);
	bpfgen__emit(g, insn__mov_reg(R2, FP));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R2, keyoff));
	bpfgen__emit(g, insn__call(BPF_FUNC_map_lookup_elem));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, R0, (s16)(slot * 8)));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R1, 1));
	bpfgen__emit(g, insn__stx(BPF_DW, R0, R1, (s16)(slot * 8)));
	bpfgen__ja(g, out);
}

/* agg_lookup - r0 = the map behind @fd's value at the key in the stack at @keyoff */
static void agg_lookup(struct bpfgen *g, int fd, int keyoff)
{
	bpfgen__ld_map(g, R1, fd);
	bpfgen__emit(g, insn__mov_reg(R2, FP));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R2, keyoff));
	bpfgen__emit(g, insn__call(BPF_FUNC_map_lookup_elem));
}

/* agg_pid_field - the offset of 4-byte field @name of @ev, or -1 */
static int agg_pid_field(struct tep_event *ev, const char *name)
{
	struct tep_format_field *f = ev ? tep_find_field(ev, name) : NULL;

	return f && f->size == 4 ? f->offset : -1;
}

/*
 * follow_prog - the program of @which: on a fork, the child (field at
 * @child) joins when the parent (at @parent) is a target; on a free, the
 * thread (at @child) leaves
 */
static int follow_prog(struct bpf_agg *a, int which, u32 tp_id, int parent, int child,
		       char *why, size_t whylen)
{
	struct bpfgen g;
	int out, key, val, r;

	bpfgen__init(&g, BPFGEN_TRACEPOINT, tp_id);
	out = bpfgen__label(&g);
	key = bpfgen__stack(&g, 8);
	val = bpfgen__stack(&g, 8);
	bpfgen__emit(&g, insn__mov_reg(R6, R1));
	if (which == FOLLOW_FORK) {
		bpfgen__emit(&g, insn__ldx(BPF_W, R1, R6, (s16)parent));
		bpfgen__emit(&g, insn__stx(BPF_W, FP, R1, (s16)key));
		agg_lookup(&g, a->targets_fd, key);
		bpfgen__jmp(&g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
		bpfgen__emit(&g, insn__ldx(BPF_W, R1, R6, (s16)child));
		bpfgen__emit(&g, insn__stx(BPF_W, FP, R1, (s16)key));
		bpfgen__emit(&g, insn__st(BPF_DW, FP, (s16)val, 1));
		bpfgen__ld_map(&g, R1, a->targets_fd);
		bpfgen__emit(&g, insn__mov_reg(R2, FP));
		bpfgen__emit(&g, insn__alu64_imm(BPF_ADD, R2, key));
		bpfgen__emit(&g, insn__mov_reg(R3, FP));
		bpfgen__emit(&g, insn__alu64_imm(BPF_ADD, R3, val));
		bpfgen__emit(&g, insn__mov_imm(R4, BPF_ANY));
		bpfgen__emit(&g, insn__call(BPF_FUNC_map_update_elem));
		bpfgen__jmp(&g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
		agg_count(&g, a->full_fd, 0, 0, key, out);
	} else {
		bpfgen__emit(&g, insn__ldx(BPF_W, R1, R6, (s16)child));
		bpfgen__emit(&g, insn__stx(BPF_W, FP, R1, (s16)key));
		bpfgen__ld_map(&g, R1, a->targets_fd);
		bpfgen__emit(&g, insn__mov_reg(R2, FP));
		bpfgen__emit(&g, insn__alu64_imm(BPF_ADD, R2, key));
		bpfgen__emit(&g, insn__call(BPF_FUNC_map_delete_elem));
	}
	bpfgen__bind(&g, out);
	bpfgen__emit(&g, insn__mov_imm(R0, 1));
	bpfgen__emit(&g, insn__exit());
	a->insns += g.n;
	r = bpfgen__load(&g, BPF_PROG_TYPE_TRACEPOINT, "pp_agg_follow", 0, why, whylen);
	bpfgen__release(&g);
	if (r < 0)
		return r;
	a->follow_prog[which] = r;
	a->follow_tp[which] = tp_id;
	return 0;
}

/* agg_follow - the targets' map and the programs keeping it */
static int agg_follow(struct bpf_agg *a, bool follow, char *why, size_t whylen)
{
	struct tep_handle *tep = tep__new(NULL);
	struct tep_event *fork, *free_ev = NULL;
	struct err err = { 0 };
	int r;

	r = a->targets_fd = agg_map(BPF_MAP_TYPE_HASH, "pp_agg_targets", 4, 1, BPF_AGG_MAX_TARGETS,
				    BPF_F_NO_PREALLOC);
	if (r >= 0)
		r = a->full_fd = agg_map(BPF_MAP_TYPE_PERCPU_ARRAY, "pp_agg_full", 4, 8, 1, 0);
	if (r < 0) {
		snprintf(why, whylen, "cannot create a BPF map: %s", strerror(-r));
		goto out;
	}
	fork = tep__load(tep, "sched", "sched_process_fork", &err);
	if (fork)
		free_ev = tep__load(tep, "sched", "sched_process_free", &err);
	if (!free_ev || agg_pid_field(fork, "parent_pid") < 0 ||
	    agg_pid_field(fork, "child_pid") < 0 || agg_pid_field(free_ev, "pid") < 0) {
		snprintf(why, whylen, "the scheduler's fork and free records are not as expected%s%.200s",
			 err.msg[0] ? ": " : "", err.msg);
		r = -EOPNOTSUPP;
		goto out;
	}
	r = 0;
	if (follow)
		r = follow_prog(a, FOLLOW_FORK, (u32)fork->id, agg_pid_field(fork, "parent_pid"),
				agg_pid_field(fork, "child_pid"), why, whylen);
	if (!r)
		r = follow_prog(a, FOLLOW_FREE, (u32)free_ev->id, 0, agg_pid_field(free_ev, "pid"),
				why, whylen);
out:
	tep__delete(tep);
	return r;
}

int bpf_agg__new(int ncols, u64 max_rows, int nr_evs, bool targets, bool follow,
		 unsigned flags, struct bpf_agg **out, char *why, size_t whylen)
{
	struct bpf_agg *a = xzalloc(sizeof(*a));
	u32 vsize = (u32)ncols * sizeof(u64);
	int r;

	a->ncols = ncols;
	a->max_rows = !max_rows || max_rows > BPF_AGG_MAX_ROWS ? BPF_AGG_MAX_ROWS : max_rows;
	a->nr_evs = nr_evs;
	a->rows_fd = a->zero_fd = a->stats_fd = a->targets_fd = a->full_fd = a->gen_fd = -1;
	a->begins_fd = a->exit_prog = a->exit_anchor = a->cpus_fd = a->slow_fd = -1;
	a->cpu_set = xzalloc((size_t)nr_evs * sizeof(*a->cpu_set));
	a->flags = flags;
	a->tmpl = xzalloc(vsize);
	for (int i = 0; i < FOLLOW_NR; i++)
		a->follow_prog[i] = a->follow_anchor[i] = -1;
	a->prog_fd = xzalloc((size_t)nr_evs * sizeof(int));
	a->anchor_fd = xzalloc((size_t)nr_evs * sizeof(int));
	a->tp_id = xzalloc((size_t)nr_evs * sizeof(u32));
	for (int i = 0; i < nr_evs; i++)
		a->prog_fd[i] = a->anchor_fd[i] = -1;
	a->targets = targets;
	/* rows allocated as they come: the bound is a limit, not memory taken up front */
	r = a->rows_fd = agg_map(BPF_MAP_TYPE_HASH, "pp_agg_rows", sizeof(u64), vsize,
				 (u32)a->max_rows, BPF_F_NO_PREALLOC);
	if (r >= 0)
		r = a->zero_fd = agg_map(BPF_MAP_TYPE_ARRAY, "pp_agg_zero", 4, vsize, 1, 0);
	if (r >= 0)
		r = a->stats_fd = agg_map(BPF_MAP_TYPE_PERCPU_ARRAY, "pp_agg_stats", 4,
					  AGG_NR_STATS * sizeof(u64), (u32)nr_evs, 0);
	if (r >= 0 && (flags & BPF_AGG_GENS))
		r = a->gen_fd = agg_map(BPF_MAP_TYPE_ARRAY, "pp_agg_gen", 4, sizeof(u64), 1, 0);
	if (r < 0) {
		snprintf(why, whylen, "cannot create a BPF map: %s", strerror(-r));
		goto fail;
	}
	if (targets && (r = agg_follow(a, follow, why, whylen)))
		goto fail;
	*out = a;
	return 0;
fail:
	bpf_agg__delete(a);
	return r;
}

/* agg_targets - out unless the current thread is in the targets' map */
static void agg_targets(struct bpfgen *g, const struct bpf_agg *a, int keyoff, int out)
{
	bpfgen__emit(g, insn__call(BPF_FUNC_get_current_pid_tgid));
	bpfgen__emit(g, insn__stx(BPF_W, FP, R0, (s16)keyoff));
	agg_lookup(g, a->targets_fd, keyoff);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
}

/*
 * agg_cpus - out unless event @idx counts on the current CPU: its byte of
 * the CPUs' map (a CPU past the possible ones finds none)
 */
static void agg_cpus(struct bpfgen *g, const struct bpf_agg *a, int idx, int keyoff, int out)
{
	bpfgen__emit(g, insn__call(BPF_FUNC_get_smp_processor_id));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JGE, R0, a->ncpus), out);
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R0, idx * a->ncpus));
	bpfgen__emit(g, insn__stx(BPF_W, FP, R0, (s16)keyoff));
	agg_lookup(g, a->cpus_fd, keyoff);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
	bpfgen__emit(g, insn__ldx(BPF_B, R1, R0, 0));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R1, 0), out);
}

/* agg_row - r0 = the row of the key at @keyoff, inserted zero when new; @drop when full */
static void agg_row(struct bpfgen *g, const struct bpf_agg *a, int keyoff, int zkey, int drop,
		    int out)
{
	int have = bpfgen__label(g), again = bpfgen__label(g);

	agg_lookup(g, a->rows_fd, keyoff);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JNE, R0, 0), have);
	bpfgen__emit(g, insn__st(BPF_W, FP, (s16)zkey, 0));
	agg_lookup(g, a->zero_fd, zkey);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
	bpfgen__emit(g, insn__mov_reg(R3, R0));
	bpfgen__ld_map(g, R1, a->rows_fd);
	bpfgen__emit(g, insn__mov_reg(R2, FP));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R2, keyoff));
	bpfgen__emit(g, insn__mov_imm(R4, BPF_NOEXIST));
	bpfgen__emit(g, insn__call(BPF_FUNC_map_update_elem));
	/* another CPU may have inserted it meanwhile */
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), again);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JNE, R0, -EEXIST), drop);
	bpfgen__bind(g, again);
	agg_lookup(g, a->rows_fd, keyoff);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), drop);
	bpfgen__bind(g, have);
}

/* agg_seq - this CPU's sequence of event @idx, one more (fully ordered); clobbers r0-r2 */
static void agg_seq(struct bpfgen *g, const struct bpf_agg *a, int idx, int keyoff, int out)
{
	bpfgen__emit(g, insn__st(BPF_W, FP, (s16)keyoff, idx));
	agg_lookup(g, a->stats_fd, keyoff);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
	bpfgen__emit(g, insn__mov_imm(R1, 1));
	bpfgen__emit(g, insn__atomic_fetch_add(BPF_DW, R0, R1, (s16)(AGG_SEQ * 8)));
}

/* agg_key - the row's key into the stack at @keyoff (r7); 0 or -EOPNOTSUPP */
static int agg_key(struct bpfgen *g, const struct bpf_agg_ev *ev, int keyoff, int err,
		   int undecided)
{
	if (ev->key) {
		if (bpfgen__expr(g, ev->key, R7, err, undecided))
			return -EOPNOTSUPP;
	} else if (ev->key_kind == BPF_AGG_KEY_CPU) {
		bpfgen__emit(g, insn__call(BPF_FUNC_get_smp_processor_id));
		bpfgen__emit(g, insn__make(BPF_ALU | BPF_MOV | BPF_X, R7, R0, 0, 0));
	} else if (ev->key_kind == BPF_AGG_KEY_NONE) {
		bpfgen__emit(g, insn__mov_imm(R7, 0));
	} else {
		/* the thread id: the low half, zero-extended */
		bpfgen__emit(g, insn__call(BPF_FUNC_get_current_pid_tgid));
		bpfgen__emit(g, insn__make(BPF_ALU | BPF_MOV | BPF_X, R7, R0, 0, 0));
	}
	if (ev->key_shift)
		bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R7, ev->key_shift));
	if (ev->key_tag) {
		bpfgen__ld_imm64(g, R1, ev->key_tag);
		bpfgen__emit(g, insn__alu64_reg(BPF_OR, R7, R1));
	}
	bpfgen__emit(g, insn__stx(BPF_DW, FP, R7, (s16)keyoff));
	return 0;
}

/*
 * agg_extreme - the column at @off of the row in r8 becomes r1 when r1 is
 * below it (@op BPF_JGE: min) or above it (BPF_JLE: max): compare and
 * exchange until it holds or @flag's slot says contended; clobbers r0, r2, r9
 */
static void agg_extreme(struct bpfgen *g, u8 op, s16 off, int flag)
{
	int loop = bpfgen__label(g), done = bpfgen__label(g);

	bpfgen__emit(g, insn__mov_imm(R9, AGG_CAS_TRIES));
	bpfgen__emit(g, insn__ldx(BPF_DW, R0, R8, off));
	bpfgen__bind(g, loop);
	bpfgen__jmp(g, insn__jmp_reg(op, R1, R0), done);
	bpfgen__emit(g, insn__mov_reg(R2, R0));
	bpfgen__emit(g, insn__cmpxchg(BPF_DW, R8, R1, off));
	bpfgen__jmp(g, insn__jmp_reg(BPF_JEQ, R0, R2), done);
	bpfgen__emit(g, insn__alu64_imm(BPF_SUB, R9, 1));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JNE, R9, 0), loop);
	bpfgen__emit(g, insn__st(BPF_DW, FP, (s16)flag, 1));
	bpfgen__bind(g, done);
}

/* agg_hist - the value at @voff into the histogram block at column @c of the row in r0 */
static void agg_hist(struct bpfgen *g, int c, int voff, int flag)
{
	int nocarry = bpfgen__label(g), small = bpfgen__label(g), shifted = bpfgen__label(g);
	int skip = bpfgen__label(g);
	static const int steps[] = { 32, 16, 8, 4, 2 };

	bpfgen__emit(g, insn__mov_reg(R8, R0));
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)voff));
	bpfgen__emit(g, insn__mov_imm(R2, 1));
	bpfgen__emit(g, insn__atomic_add(BPF_DW, R8, R2, (s16)((c + BPF_AGG_H_COUNT) * 8)));
	bpfgen__emit(g, insn__mov_reg(R2, R1));
	bpfgen__emit(g, insn__atomic_fetch_add(BPF_DW, R8, R2, (s16)((c + BPF_AGG_H_SUM_LO) * 8)));
	bpfgen__emit(g, insn__alu64_reg(BPF_ADD, R2, R1));
	bpfgen__jmp(g, insn__jmp_reg(BPF_JGE, R2, R1), nocarry);
	bpfgen__emit(g, insn__mov_imm(R3, 1));
	bpfgen__emit(g, insn__atomic_add(BPF_DW, R8, R3, (s16)((c + BPF_AGG_H_SUM_HI) * 8)));
	bpfgen__bind(g, nocarry);
	agg_extreme(g, BPF_JGE, (s16)((c + BPF_AGG_H_MIN) * 8), flag);
	agg_extreme(g, BPF_JLE, (s16)((c + BPF_AGG_H_MAX) * 8), flag);
	/* vstat__bucket(): r3 = the highest bit set of v | 1, by halves */
	bpfgen__emit(g, insn__mov_reg(R2, R1));
	bpfgen__emit(g, insn__alu64_imm(BPF_OR, R2, 1));
	bpfgen__emit(g, insn__mov_imm(R3, 0));
	for (size_t i = 0; i <= ARRAY_SIZE(steps); i++) {
		int sh = i < ARRAY_SIZE(steps) ? steps[i] : 1, next = bpfgen__label(g);

		bpfgen__emit(g, insn__mov_reg(R4, R2));
		bpfgen__emit(g, insn__alu64_imm(BPF_RSH, R4, sh));
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R4, 0), next);
		if (sh > 1)
			bpfgen__emit(g, insn__mov_reg(R2, R4));
		bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R3, sh));
		bpfgen__bind(g, next);
	}
	/* shift = msb > SUB_BITS ? msb - SUB_BITS : 0; bucket = (shift << SUB_BITS) + (v >> shift) */
	bpfgen__jmp(g, insn__jmp_imm(BPF_JLE, R3, VSTAT_SUB_BITS), small);
	bpfgen__emit(g, insn__alu64_imm(BPF_SUB, R3, VSTAT_SUB_BITS));
	bpfgen__ja(g, shifted);
	bpfgen__bind(g, small);
	bpfgen__emit(g, insn__mov_imm(R3, 0));
	bpfgen__bind(g, shifted);
	bpfgen__emit(g, insn__mov_reg(R2, R1));
	bpfgen__emit(g, insn__alu64_reg(BPF_RSH, R2, R3));
	bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R3, VSTAT_SUB_BITS));
	bpfgen__emit(g, insn__alu64_reg(BPF_ADD, R2, R3));
	/* never taken: it bounds the offset for the verifier */
	bpfgen__jmp(g, insn__jmp_imm(BPF_JGE, R2, BPF_AGG_HIST_BUCKETS), skip);
	bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R2, 3));
	bpfgen__emit(g, insn__mov_reg(R3, R8));
	bpfgen__emit(g, insn__alu64_reg(BPF_ADD, R3, R2));
	bpfgen__emit(g, insn__mov_imm(R4, 1));
	bpfgen__emit(g, insn__atomic_add(BPF_DW, R3, R4, (s16)((c + BPF_AGG_H_BUCKETS) * 8)));
	bpfgen__bind(g, skip);
}

/*
 * agg_gate - out unless event @idx's record counts: a target's (with
 * targets), on one of its CPUs (@cpu_set), passing its filter; 0 or
 * -EOPNOTSUPP
 */
static int agg_gate(struct bpfgen *g, const struct bpf_agg *a, int idx,
		    const struct bpf_agg_ev *ev, int keyoff, int err, int undecided, int out)
{
	if (a->targets)
		agg_targets(g, a, keyoff, out);
	if (ev->cpu_set)
		agg_cpus(g, a, idx, keyoff, out);
	if (ev->filter) {
		if (bpfgen__expr(g, ev->filter, R7, err, undecided))
			return -EOPNOTSUPP;
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R7, 0), out);
	}
	return 0;
}

/*
 * agg_write - add to the row of the key at @keyoff (its generation put in
 * first with BPF_AGG_GENS): the value at @hv to the histogram block at
 * column @hcol (-1: none), and @ncols columns from @col0, each the value
 * in stack @slot[i] or 1 when @vals[i] is NULL; then event @idx's samples
 * (and contended, from @flag) are counted. A full table goes to @drop, the
 * end to @out.
 */
static void agg_write(struct bpfgen *g, const struct bpf_agg *a, int idx, int hcol, int col0,
		      const struct expr *const *vals, const int *slot, int ncols, int hv,
		      int flag, int keyoff, int zkey, int drop, int out)
{
	bool gens = a->flags & BPF_AGG_GENS;
	int unseq = out, unseq_drop = drop;

	if (gens) {
		/* from here on every way out ends the write: the sequence made even again */
		unseq = bpfgen__label(g);
		unseq_drop = bpfgen__label(g);
		agg_seq(g, a, idx, zkey, out);
		bpfgen__emit(g, insn__st(BPF_W, FP, (s16)zkey, 0));
		agg_lookup(g, a->gen_fd, zkey);
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), unseq);
		bpfgen__emit(g, insn__ldx(BPF_DW, R1, R0, 0));
		bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R1, AGG_GEN_BIT));
		bpfgen__emit(g, insn__ldx(BPF_DW, R2, FP, (s16)keyoff));
		bpfgen__emit(g, insn__alu64_reg(BPF_OR, R2, R1));
		bpfgen__emit(g, insn__stx(BPF_DW, FP, R2, (s16)keyoff));
	}
	agg_row(g, a, keyoff, zkey, unseq_drop, unseq);
	if (hcol >= 0)
		agg_hist(g, hcol, hv, flag);
	for (int i = 0; i < ncols; i++) {
		if (vals[i])
			bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)slot[i]));
		else
			bpfgen__emit(g, insn__mov_imm(R1, 1));
		bpfgen__emit(g, insn__atomic_add(BPF_DW, R0, R1, (s16)((col0 + i) * 8)));
	}
	if (gens)
		agg_seq(g, a, idx, zkey, out);
	if (hcol >= 0) {
		int next = bpfgen__label(g);

		bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)flag));
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R1, 0), next);
		agg_count(g, a->stats_fd, idx, AGG_CONTENDED, zkey, next);
		bpfgen__bind(g, next);
	}
	agg_count(g, a->stats_fd, idx, AGG_SAMPLES, zkey, out);
	if (gens) {
		if (bpfgen__used(g, unseq)) {
			bpfgen__bind(g, unseq);
			agg_seq(g, a, idx, zkey, out);
			bpfgen__ja(g, out);
		}
		if (bpfgen__used(g, unseq_drop)) {
			bpfgen__bind(g, unseq_drop);
			agg_seq(g, a, idx, zkey, out);
			bpfgen__ja(g, drop);
		}
	}
}

/* agg_body - everything between the prologue and the exit; 0 or -EOPNOTSUPP */
static int agg_body(struct bpfgen *g, const struct bpf_agg *a, int idx,
		    const struct bpf_agg_ev *ev, int err, int undecided, int neg, int drop,
		    int out)
{
	int keyoff = bpfgen__stack(g, 8), zkey = bpfgen__stack(g, 8), slot[BPF_AGG_MAX_EV_COLS];
	int hv = 0, flag = 0;
	int ncols = ev->hist ? 0 : ev->ncols;

	if (ncols > BPF_AGG_MAX_EV_COLS)
		return bpfgen__fail(g, "more than %d columns of one event", BPF_AGG_MAX_EV_COLS);
	for (int i = 0; i < ncols; i++)
		slot[i] = ev->vals[i] ? bpfgen__stack(g, 8) : 0;
	if (ev->hist) {
		hv = bpfgen__stack(g, 8);
		flag = bpfgen__stack(g, 8);
		bpfgen__emit(g, insn__st(BPF_DW, FP, (s16)flag, 0));
	}
	if (agg_gate(g, a, idx, ev, keyoff, err, undecided, out))
		return -EOPNOTSUPP;
	if (ev->hist) {
		if (bpfgen__expr(g, ev->hist, R7, err, undecided))
			return -EOPNOTSUPP;
		bpfgen__jmp(g, insn__jmp_imm(BPF_JSLT, R7, 0), neg);
		bpfgen__emit(g, insn__stx(BPF_DW, FP, R7, (s16)hv));
	}
	for (int i = 0; i < ncols; i++) {
		if (!ev->vals[i])
			continue;
		if (bpfgen__expr(g, ev->vals[i], R7, err, undecided))
			return -EOPNOTSUPP;
		bpfgen__emit(g, insn__stx(BPF_DW, FP, R7, (s16)slot[i]));
	}
	if (agg_key(g, ev, keyoff, err, undecided))
		return -EOPNOTSUPP;
	if (g->failed)
		return -EOPNOTSUPP;
	agg_write(g, a, idx, ev->hist ? ev->col0 : -1, ev->col0, ev->vals, slot, ncols, hv, flag,
		  keyoff, zkey, drop, out);
	return 0;
}

/*
 * agg_count_at - @fd[the u32 in the stack at @idxoff][slot]++, an index
 * the program computed (a begin's event); clobbers r0-r2
 */
static void agg_count_at(struct bpfgen *g, int fd, int idxoff, int slot, int out)
{
	agg_lookup(g, fd, idxoff);
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, R0, (s16)(slot * 8)));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R1, 1));
	bpfgen__emit(g, insn__stx(BPF_DW, R0, R1, (s16)(slot * 8)));
	bpfgen__ja(g, out);
}

/*
 * agg_take - the begin word in r1 (non-zero) was taken: its event index
 * into the stack at @evk, the delay since it (now, shifted, at @now) at
 * @hv; a delay past 2^54 ns (a clock that went back) goes to @back
 */
static void agg_take(struct bpfgen *g, int now, int evk, int hv, int back)
{
	bpfgen__emit(g, insn__mov_reg(R2, R1));
	bpfgen__emit(g, insn__alu64_imm(BPF_AND, R2, AGG_PAIR_EV_MASK));
	bpfgen__emit(g, insn__alu64_imm(BPF_SUB, R2, 1));
	bpfgen__emit(g, insn__stx(BPF_W, FP, R2, (s16)evk));
	bpfgen__emit(g, insn__ldx(BPF_DW, R3, FP, (s16)now));
	bpfgen__emit(g, insn__alu64_imm(BPF_AND, R1, ~AGG_PAIR_EV_MASK));
	bpfgen__emit(g, insn__alu64_reg(BPF_SUB, R3, R1));
	bpfgen__emit(g, insn__alu64_imm(BPF_RSH, R3, AGG_PAIR_EV_BITS));
	bpfgen__emit(g, insn__mov_reg(R4, R3));
	bpfgen__emit(g, insn__alu64_imm(BPF_RSH, R4, 54));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JNE, R4, 0), back);
	bpfgen__emit(g, insn__stx(BPF_DW, FP, R3, (s16)hv));
}

/*
 * agg_put - r0 points to a begin's word: this event's begin (@now | its
 * index + 1) goes in, a begin it replaces is counted for its event; then
 * to @opened
 */
static void agg_put(struct bpfgen *g, const struct bpf_agg *a, int idx, int now, int evk,
		    int opened)
{
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)now));
	bpfgen__emit(g, insn__alu64_imm(BPF_OR, R1, idx + 1));
	bpfgen__emit(g, insn__xchg(BPF_DW, R0, R1, 0));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R1, 0), opened);
	bpfgen__emit(g, insn__alu64_imm(BPF_AND, R1, AGG_PAIR_EV_MASK));
	bpfgen__emit(g, insn__alu64_imm(BPF_SUB, R1, 1));
	bpfgen__emit(g, insn__stx(BPF_W, FP, R1, (s16)evk));
	agg_count_at(g, a->stats_fd, evk, AGG_REPLACED, opened);
}

/*
 * agg_slow - a pair whose delay (at @hv) is over the threshold goes to the
 * ring buffer as a struct bpf_agg_slow (@pk: its key, @evk: the begin
 * event's index), counted as slow, or as lost when the buffer is full;
 * then on to @done
 */
static void agg_slow(struct bpfgen *g, const struct bpf_agg *a, int idx, int pk, int hv,
		     int evk, int done)
{
	int lost = bpfgen__label(g), sent = bpfgen__label(g), ckey = bpfgen__stack(g, 8);

#define SLOW(f) ((s16)offsetof(struct bpf_agg_slow, f))
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)hv));
	bpfgen__ld_imm64(g, R2, a->than);
	bpfgen__jmp(g, insn__jmp_reg(BPF_JLE, R1, R2), done);
	bpfgen__ld_map(g, R1, a->slow_fd);
	bpfgen__emit(g, insn__mov_imm(R2, sizeof(struct bpf_agg_slow)));
	bpfgen__emit(g, insn__mov_imm(R3, 0));
	bpfgen__emit(g, insn__call(BPF_FUNC_ringbuf_reserve));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), lost);
	bpfgen__emit(g, insn__mov_reg(R8, R0));
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)pk));
	bpfgen__emit(g, insn__stx(BPF_DW, R8, R1, SLOW(key)));
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)hv));
	bpfgen__emit(g, insn__stx(BPF_DW, R8, R1, SLOW(delay)));
	bpfgen__emit(g, insn__ldx(BPF_W, R1, FP, (s16)evk));
	bpfgen__emit(g, insn__stx(BPF_W, R8, R1, SLOW(ev1)));
	bpfgen__emit(g, insn__st(BPF_W, R8, SLOW(ev2), idx));
	bpfgen__emit(g, insn__st(BPF_W, R8, SLOW(pad), 0));
	bpfgen__emit(g, insn__call(BPF_FUNC_ktime_get_ns));
	bpfgen__emit(g, insn__stx(BPF_DW, R8, R0, SLOW(time)));
	bpfgen__emit(g, insn__call(BPF_FUNC_get_smp_processor_id));
	bpfgen__emit(g, insn__stx(BPF_W, R8, R0, SLOW(cpu)));
	bpfgen__emit(g, insn__call(BPF_FUNC_get_current_pid_tgid));
	bpfgen__emit(g, insn__stx(BPF_W, R8, R0, SLOW(tid)));
	bpfgen__emit(g, insn__alu64_imm(BPF_RSH, R0, 32));
	bpfgen__emit(g, insn__stx(BPF_W, R8, R0, SLOW(pid)));
	/* the record as the tracepoint wrote it (a failed read leaves zeros) */
	bpfgen__emit(g, insn__mov_reg(R1, R8));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R1, SLOW(raw)));
	bpfgen__emit(g, insn__mov_imm(R2, BPF_AGG_SLOW_RAW));
	bpfgen__emit(g, insn__mov_reg(R3, R6));
	bpfgen__emit(g, insn__call(BPF_FUNC_probe_read_kernel));
	/*
	 * the common fields, which a tracepoint's program sees replaced by a
	 * pointer to the registers: this event's type, no flags, its thread
	 */
	bpfgen__emit(g, insn__st(BPF_W, R8, SLOW(raw), (s32)g->tp_id));
	bpfgen__emit(g, insn__ldx(BPF_W, R1, R8, SLOW(tid)));
	bpfgen__emit(g, insn__stx(BPF_W, R8, R1, SLOW(raw) + 4));
	bpfgen__emit(g, insn__mov_reg(R1, R8));
	bpfgen__emit(g, insn__mov_imm(R2, 0));
	bpfgen__emit(g, insn__call(BPF_FUNC_ringbuf_submit));
	bpfgen__ja(g, sent);
#undef SLOW
	bpfgen__bind(g, lost);
	agg_count(g, a->stats_fd, idx, AGG_SLOW_LOST, ckey, done);
	bpfgen__bind(g, sent);
	agg_count(g, a->stats_fd, idx, AGG_SLOW, ckey, done);
}

/*
 * agg_pair_body - a pairing event's program between its prologue and exit:
 *
 *   [targets, filter]  as agg_body()
 *   key, now           the pairing key and the time, shifted over the
 *                      event bits of a begin's word
 *   close              the begin waiting in close_slot under the key is
 *                      taken (an atomic exchange with 0: of two CPUs ending
 *                      the same pair, one gets it) and its entry deleted;
 *                      the delay goes to the histogram of the row of
 *                      (its event, this event), and, over bpf_agg__than()'s
 *                      threshold, to the ring buffer too; none: an orphan
 *   open               this event's begin goes into open_slot under the
 *                      key (exchanged: a begin waiting there is replaced,
 *                      counted for its event); a full map counts a drop
 *
 * Counted per event: opened, replaced, paired (for the begin's event, also
 * when the row could not be kept: a row drop, then), orphans, key drops;
 * exited by the exit program. So that opened = paired + replaced + exited
 * + waiting, and user space knows the waiting without walking the map.
 */
static int agg_pair_body(struct bpfgen *g, const struct bpf_agg *a, int idx,
			 const struct bpf_agg_ev *ev, int err, int undecided, int out)
{
	int keyoff = bpfgen__stack(g, 8), zkey = bpfgen__stack(g, 8), pk = bpfgen__stack(g, 16);
	int now = bpfgen__stack(g, 8), hv = bpfgen__stack(g, 8), flag = bpfgen__stack(g, 8);
	int evk = bpfgen__stack(g, 8), opening = bpfgen__label(g);

	bpfgen__emit(g, insn__st(BPF_DW, FP, (s16)flag, 0));
	if (agg_gate(g, a, idx, ev, keyoff, err, undecided, out))
		return -EOPNOTSUPP;
	if (ev->key) {
		if (bpfgen__expr(g, ev->key, R7, err, undecided))
			return -EOPNOTSUPP;
	} else {
		bpfgen__emit(g, insn__call(BPF_FUNC_get_current_pid_tgid));
		bpfgen__emit(g, insn__make(BPF_ALU | BPF_MOV | BPF_X, R7, R0, 0, 0));
	}
	if (g->failed)
		return -EOPNOTSUPP;
	bpfgen__emit(g, insn__stx(BPF_DW, FP, R7, (s16)pk));
	bpfgen__emit(g, insn__st(BPF_W, FP, (s16)(pk + 12), 0));
	bpfgen__emit(g, insn__call(BPF_FUNC_ktime_get_ns));
	bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R0, AGG_PAIR_EV_BITS));
	bpfgen__emit(g, insn__stx(BPF_DW, FP, R0, (s16)now));
	if (ev->close_slot >= 0) {
		int orphan = bpfgen__label(g), back = bpfgen__label(g), rowdrop = bpfgen__label(g);
		int next = bpfgen__label(g);

		bpfgen__emit(g, insn__st(BPF_W, FP, (s16)(pk + 8), ev->close_slot));
		agg_lookup(g, a->begins_fd, pk);
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), orphan);
		bpfgen__emit(g, insn__mov_imm(R1, 0));
		bpfgen__emit(g, insn__xchg(BPF_DW, R0, R1, 0));
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R1, 0), orphan);
		bpfgen__emit(g, insn__stx(BPF_DW, FP, R1, (s16)hv));
		/* the entry goes: keys that never come back must not fill the map */
		bpfgen__ld_map(g, R1, a->begins_fd);
		bpfgen__emit(g, insn__mov_reg(R2, FP));
		bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R2, pk));
		bpfgen__emit(g, insn__call(BPF_FUNC_map_delete_elem));
		bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)hv));
		agg_take(g, now, evk, hv, back);
		if (a->than) {
			int paired = bpfgen__label(g);

			agg_slow(g, a, idx, pk, hv, evk, paired);
			bpfgen__bind(g, paired);
		}
		agg_count_at(g, a->stats_fd, evk, AGG_PAIRED, next);
		bpfgen__bind(g, next);
		/* the row: (begin event * events + this event), the instance above */
		bpfgen__emit(g, insn__ldx(BPF_W, R1, FP, (s16)evk));
		bpfgen__emit(g, insn__alu64_imm(BPF_MUL, R1, a->nr_evs));
		bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R1, idx));
		bpfgen__emit(g, insn__stx(BPF_DW, FP, R1, (s16)keyoff));
		if (ev->key_kind != BPF_AGG_KEY_NONE) {
			bpfgen__emit(g, insn__call(ev->key_kind == BPF_AGG_KEY_CPU ?
						   BPF_FUNC_get_smp_processor_id :
						   BPF_FUNC_get_current_pid_tgid));
			bpfgen__emit(g, insn__make(BPF_ALU | BPF_MOV | BPF_X, R0, R0, 0, 0));
			bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R0, 16));
			bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)keyoff));
			bpfgen__emit(g, insn__alu64_reg(BPF_OR, R1, R0));
			bpfgen__emit(g, insn__stx(BPF_DW, FP, R1, (s16)keyoff));
		}
		agg_write(g, a, idx, ev->col0, 0, NULL, NULL, 0, hv, flag, keyoff, zkey, rowdrop,
			  opening);
		bpfgen__bind(g, orphan);
		agg_count(g, a->stats_fd, idx, AGG_ORPHANS, zkey, opening);
		bpfgen__bind(g, back);
		agg_count(g, a->stats_fd, idx, AGG_NEGATIVE, zkey, opening);
		bpfgen__bind(g, rowdrop);
		agg_count_at(g, a->stats_fd, evk, AGG_DROPS, opening);
	}
	bpfgen__bind(g, opening);
	if (ev->open_slot >= 0) {
		int insert = bpfgen__label(g), opened = bpfgen__label(g), drop = bpfgen__label(g);

		bpfgen__emit(g, insn__st(BPF_W, FP, (s16)(pk + 8), ev->open_slot));
		agg_lookup(g, a->begins_fd, pk);
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), insert);
		agg_put(g, a, idx, now, evk, opened);
		bpfgen__bind(g, insert);
		bpfgen__emit(g, insn__ldx(BPF_DW, R1, FP, (s16)now));
		bpfgen__emit(g, insn__alu64_imm(BPF_OR, R1, idx + 1));
		bpfgen__emit(g, insn__stx(BPF_DW, FP, R1, (s16)hv));
		bpfgen__ld_map(g, R1, a->begins_fd);
		bpfgen__emit(g, insn__mov_reg(R2, FP));
		bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R2, pk));
		bpfgen__emit(g, insn__mov_reg(R3, FP));
		bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R3, hv));
		bpfgen__emit(g, insn__mov_imm(R4, BPF_NOEXIST));
		bpfgen__emit(g, insn__call(BPF_FUNC_map_update_elem));
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), opened);
		bpfgen__jmp(g, insn__jmp_imm(BPF_JNE, R0, -EEXIST), drop);
		/* another CPU put a begin of the key meanwhile: this one replaces it */
		agg_lookup(g, a->begins_fd, pk);
		bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), drop);
		agg_put(g, a, idx, now, evk, opened);
		bpfgen__bind(g, drop);
		agg_count(g, a->stats_fd, idx, AGG_KEYDROPS, zkey, out);
		bpfgen__bind(g, opened);
		agg_count(g, a->stats_fd, idx, AGG_OPENED, zkey, out);
	} else {
		bpfgen__ja(g, out);
	}
	return 0;
}

/*
 * exit_prog - thread keys: an exiting thread's begins (the thread id at
 * @tid_off of sched_process_exit's record), slot by slot, are taken,
 * counted as exited for their event, and deleted
 */
static int exit_prog(struct bpf_agg *a, u32 tp_id, int tid_off, char *why, size_t whylen)
{
	struct bpfgen g;
	int out, pk, evk, r;

	bpfgen__init(&g, BPFGEN_TRACEPOINT, tp_id);
	out = bpfgen__label(&g);
	pk = bpfgen__stack(&g, 16);
	evk = bpfgen__stack(&g, 8);
	bpfgen__emit(&g, insn__mov_reg(R6, R1));
	bpfgen__emit(&g, insn__ldx(BPF_W, R1, R6, (s16)tid_off));
	bpfgen__emit(&g, insn__stx(BPF_DW, FP, R1, (s16)pk));
	bpfgen__emit(&g, insn__st(BPF_W, FP, (s16)(pk + 12), 0));
	for (int slot = 0; slot < a->nslots; slot++) {
		int next = bpfgen__label(&g);

		bpfgen__emit(&g, insn__st(BPF_W, FP, (s16)(pk + 8), slot));
		agg_lookup(&g, a->begins_fd, pk);
		bpfgen__jmp(&g, insn__jmp_imm(BPF_JEQ, R0, 0), next);
		bpfgen__emit(&g, insn__mov_imm(R1, 0));
		bpfgen__emit(&g, insn__xchg(BPF_DW, R0, R1, 0));
		bpfgen__emit(&g, insn__alu64_imm(BPF_AND, R1, AGG_PAIR_EV_MASK));
		bpfgen__emit(&g, insn__alu64_imm(BPF_SUB, R1, 1));
		bpfgen__emit(&g, insn__stx(BPF_W, FP, R1, (s16)evk));
		bpfgen__ld_map(&g, R1, a->begins_fd);
		bpfgen__emit(&g, insn__mov_reg(R2, FP));
		bpfgen__emit(&g, insn__alu64_imm(BPF_ADD, R2, pk));
		bpfgen__emit(&g, insn__call(BPF_FUNC_map_delete_elem));
		/* an empty word (index 0 - 1) finds no counters */
		agg_count_at(&g, a->stats_fd, evk, AGG_EXITED, next);
		bpfgen__bind(&g, next);
	}
	bpfgen__bind(&g, out);
	bpfgen__emit(&g, insn__mov_imm(R0, 1));
	bpfgen__emit(&g, insn__exit());
	a->insns += g.n;
	r = bpfgen__load(&g, BPF_PROG_TYPE_TRACEPOINT, "pp_agg_exit", 0, why, whylen);
	bpfgen__release(&g);
	if (r < 0)
		return r;
	a->exit_prog = r;
	a->exit_tp = tp_id;
	return 0;
}

int bpf_agg__than(struct bpf_agg *a, u64 than, u32 bytes, char *why, size_t whylen)
{
	int r;

	if (!than || a->begins_fd < 0 || a->slow_fd >= 0)
		return -EINVAL;
	r = a->slow_fd = agg_map(BPF_MAP_TYPE_RINGBUF, "pp_agg_slow", 0, 0, bytes, 0);
	if (r < 0) {
		snprintf(why, whylen, "cannot create a BPF ring buffer of %u bytes: %s", bytes,
			 strerror(-r));
		return r;
	}
	a->than = than;
	return r;
}

int bpf_agg__pairs(struct bpf_agg *a, int nslots, u64 max_keys, bool kill_on_exit, char *why,
		   size_t whylen)
{
	u64 n = BPF_AGG_PAIR_MAX_KEYS;
	int r;

	if (nslots < 1 || nslots > BPF_AGG_PAIR_MAX_EVS || a->nr_evs > BPF_AGG_PAIR_MAX_EVS ||
	    a->begins_fd >= 0)
		return -EINVAL;
	if (max_keys && max_keys <= BPF_AGG_PAIR_MAX_KEYS / (u64)nslots)
		n = max_keys * (u64)nslots;
	a->nslots = nslots;
	r = a->begins_fd = agg_map(BPF_MAP_TYPE_HASH, "pp_agg_begins", sizeof(struct agg_pair_key),
				   sizeof(u64), (u32)n, BPF_F_NO_PREALLOC);
	if (r < 0) {
		snprintf(why, whylen, "cannot create a BPF map of %llu begins: %s",
			 (unsigned long long)n, strerror(-r));
		return r;
	}
	if (kill_on_exit) {
		struct tep_handle *tep = tep__new(NULL);
		struct err err = { 0 };
		struct tep_event *ex = tep__load(tep, "sched", "sched_process_exit", &err);
		int off = agg_pid_field(ex, "pid");

		if (off < 0) {
			snprintf(why, whylen, "the scheduler's exit record is not as expected%s%.200s",
				 err.msg[0] ? ": " : "", err.msg);
			r = -EOPNOTSUPP;
		} else {
			r = exit_prog(a, (u32)ex->id, off, why, whylen);
		}
		tep__delete(tep);
	}
	return r < 0 ? r : 0;
}

int bpf_agg__add(struct bpf_agg *a, int idx, const struct bpf_agg_ev *ev, char *why,
		 size_t whylen)
{
	int ncols = ev->hist || ev->pair ? BPF_AGG_HIST_COLS : ev->ncols;
	struct bpfgen g;
	int err, undecided, neg, drop, out, r;

	if (idx < 0 || idx >= a->nr_evs || ev->col0 < 0 || ev->col0 + ncols > a->ncols ||
	    (ev->col0 + ncols) * 8 > INT16_MAX)
		return -EINVAL;
	if (ev->pair && (a->begins_fd < 0 || ev->open_slot >= a->nslots ||
			 ev->close_slot >= a->nslots))
		return -EINVAL;
	if (ev->cpu_set && a->cpus_fd < 0) {
		a->ncpus = libbpf_num_possible_cpus();
		r = a->ncpus <= 0 ? -EINVAL :
		    agg_map(BPF_MAP_TYPE_ARRAY, "pp_agg_cpus", 4, 1, (u32)(a->nr_evs * a->ncpus), 0);
		if (r < 0) {
			snprintf(why, whylen, "cannot create a BPF map of CPUs: %s", strerror(-r));
			return r;
		}
		a->cpus_fd = r;
	}
	if (ev->hist || ev->pair) {
		u32 zero = 0;

		a->tmpl[ev->col0 + BPF_AGG_H_MIN] = UINT64_MAX;
		if (bpf_map_update_elem(a->zero_fd, &zero, a->tmpl, BPF_ANY)) {
			r = -errno;
			snprintf(why, whylen, "cannot write a BPF map: %s", strerror(-r));
			return r;
		}
	}
	bpfgen__init(&g, a->flags & BPF_AGG_TEST ? BPFGEN_TEST : BPFGEN_TRACEPOINT, ev->tp_id);
	err = bpfgen__label(&g);
	undecided = bpfgen__label(&g);
	neg = bpfgen__label(&g);
	drop = bpfgen__label(&g);
	out = bpfgen__label(&g);
	bpfgen__emit(&g, insn__mov_reg(R6, R1));
	if (ev->pair)
		r = agg_pair_body(&g, a, idx, ev, err, undecided, out);
	else
		r = agg_body(&g, a, idx, ev, err, undecided, neg, drop, out);
	if (!r && (g.inexact || bpfgen__used(&g, undecided)))
		r = bpfgen__fail(&g, "a string longer than %d bytes would need user space to "
				 "decide", BPFGEN_STR_MAX);
	if (!r) {
		int key = bpfgen__stack(&g, 8);

		if (bpfgen__used(&g, err)) {
			bpfgen__bind(&g, err);
			agg_count(&g, a->stats_fd, idx, AGG_ERRORS, key, out);
		}
		if (bpfgen__used(&g, neg)) {
			bpfgen__bind(&g, neg);
			agg_count(&g, a->stats_fd, idx, AGG_NEGATIVE, key, out);
		}
		if (bpfgen__used(&g, drop)) {
			bpfgen__bind(&g, drop);
			agg_count(&g, a->stats_fd, idx, AGG_DROPS, key, out);
		}
		bpfgen__bind(&g, out);
		bpfgen__emit(&g, insn__mov_imm(R0, 1));
		bpfgen__emit(&g, insn__exit());
	}
	a->insns += g.n;
	/* a test program: BPF_PROG_TEST_RUN runs only syscall programs on a caller's record */
	if (a->flags & BPF_AGG_TEST)
		r = bpfgen__load(&g, BPF_PROG_TYPE_SYSCALL, "pp_agg", BPF_F_SLEEPABLE, why, whylen);
	else
		r = bpfgen__load(&g, BPF_PROG_TYPE_TRACEPOINT, "pp_agg", 0, why, whylen);
	bpfgen__release(&g);
	if (r < 0)
		return r;
	a->prog_fd[idx] = r;
	a->tp_id[idx] = ev->tp_id;
	a->cpu_set[idx] = ev->cpu_set;
	return 0;
}

int bpf_agg__set_cpus(struct bpf_agg *a, int idx, const bool *set, int max)
{
	if (idx < 0 || idx >= a->nr_evs || !a->cpu_set[idx] || a->cpus_fd < 0)
		return -EINVAL;
	for (int c = 0; c < a->ncpus; c++) {
		u32 key = (u32)(idx * a->ncpus + c);
		u8 on = c < max && set[c];

		if (bpf_map_update_elem(a->cpus_fd, &key, &on, BPF_ANY))
			return -errno;
	}
	return 0;
}

int bpf_agg__start_prof(struct bpf_agg *a, struct prof *prof, char *why, size_t whylen)
{
	const int *tids;
	bool follow, *set = NULL;
	int nr, r = 0;

	for (int i = 0; i < a->nr_evs && !r; i++) {
		if (!a->cpu_set[i])
			continue;
		if (!set)
			set = xzalloc((size_t)a->ncpus * sizeof(*set));
		if (prof__cpus(prof, prof->evs[i], set, a->ncpus) < 0)
			r = -EINVAL;
		else
			r = bpf_agg__set_cpus(a, i, set, a->ncpus);
		if (r)
			snprintf(why, whylen, "cannot set the CPUs of '%s': %s", prof->evs[i]->display,
				 strerror(-r));
	}
	free(set);
	if (r)
		return r;
	nr = prof__targets(prof, &tids, &follow);
	return bpf_agg__start(a, tids, nr, why, whylen);
}

int bpf_agg__choose(struct prof *prof, struct bpf_agg **agg, const char *no, const char *verb,
		    int (*build)(struct prof *prof, char *why, size_t len), struct err *err)
{
	const char *name = prof->ops->name;
	char why[512];
	int r = 0;

	if (prof->opt.no_bpf)
		return 0;
	if (!no && prof__in_kernel(prof, NULL))
		no = "replayed records have no kernel";
	if (!no && (r = build(prof, why, sizeof(why))))
		no = why;
	if (no) {
		bpf_agg__delete(*agg);
		*agg = NULL;
		if (prof->opt.bpf) {
			err_set(err, r && r != -EOPNOTSUPP && r != -EINVAL ? EXIT_FAIL : EXIT_USAGE,
				"cannot %s in the kernel: %s", verb, no);
			err_hint(err, "without --bpf, %s reads the records in user space", name);
			return -1;
		}
		if (prof->opt.verbose)
			fprintf(prof__diag(prof), "perf-prof %s: reading the records: %s\n", name, no);
		return 0;
	}
	for (int i = 0; i < prof->nr_evs; i++)
		prof__in_kernel(prof, prof->evs[i]);
	return 1;
}

int bpf_agg__insns(const struct bpf_agg *a)
{
	return a->insns;
}

int bpf_agg__test_run(const struct bpf_agg *a, int idx, const void *rec, u32 size, int cpu,
		      int pid, int tid)
{
	struct bpfgen_trailer t = { .cpu = cpu, .pid = pid, .tid = tid };

	if (!(a->flags & BPF_AGG_TEST) || idx < 0 || idx >= a->nr_evs || a->prog_fd[idx] < 0)
		return -EINVAL;
	return bpfgen__test_run(a->prog_fd[idx], rec, size, &t, NULL);
}

int bpf_agg__start(struct bpf_agg *a, const int *tids, int nr, char *why, size_t whylen)
{
	/* test programs run only when the test runs them, on its records */
	bool attach = !(a->flags & BPF_AGG_TEST);
	int r;

	if (a->targets) {
		u8 one = 1;

		for (int i = 0; i < nr; i++) {
			u32 tid = (u32)tids[i];

			if (bpf_map_update_elem(a->targets_fd, &tid, &one, BPF_ANY)) {
				r = -errno;
				snprintf(why, whylen, "cannot add thread %d to the targets: %s",
					 tids[i], strerror(-r));
				return r;
			}
		}
		for (int i = 0; i < FOLLOW_NR; i++) {
			if (a->follow_prog[i] < 0 || !attach)
				continue;
			r = a->follow_anchor[i] = bpf__anchor(a->follow_tp[i], a->follow_prog[i]);
			if (r < 0) {
				snprintf(why, whylen, "cannot follow the targets' threads: %s",
					 strerror(-r));
				return r;
			}
		}
	}
	if (a->exit_prog >= 0 && attach) {
		r = a->exit_anchor = bpf__anchor(a->exit_tp, a->exit_prog);
		if (r < 0) {
			snprintf(why, whylen, "cannot follow the threads' exits: %s", strerror(-r));
			return r;
		}
	}
	for (int i = 0; i < a->nr_evs; i++) {
		if (a->prog_fd[i] < 0 || !attach)
			continue;
		r = bpf__anchor(a->tp_id[i], a->prog_fd[i]);
		if (r < 0) {
			snprintf(why, whylen, "cannot attach a BPF program to tracepoint %u: %s",
				 a->tp_id[i], strerror(-r));
			return r;
		}
		a->anchor_fd[i] = r;
	}
	return 0;
}

int bpf_agg__read(struct bpf_agg *a, void (*row)(void *ctx, u64 key, const u64 *vals),
		  void *ctx)
{
	u64 *vals = xzalloc((size_t)a->ncols * sizeof(u64));
	u64 key, next;
	bool first = true;
	int r = 0;

	/* a row deleted meanwhile (bpf_agg__del() runs in this thread) never restarts the walk */
	while (!bpf_map_get_next_key(a->rows_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(a->rows_fd, &key, vals))
			continue;
		row(ctx, key, vals);
	}
	if (errno != ENOENT)
		r = -errno;
	free(vals);
	return r;
}

/*
 * agg_quiesce - wait until no program writes to the generation just left:
 * a CPU whose sequence of an event is odd is in the middle of a write
 * (begun, perhaps, before the switch); its next change ends it
 */
static int agg_quiesce(struct bpf_agg *a)
{
	int ncpus = libbpf_num_possible_cpus(), r = 0;
	u64 *v, *w;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = xzalloc((size_t)ncpus * AGG_NR_STATS * sizeof(u64));
	w = xzalloc((size_t)ncpus * AGG_NR_STATS * sizeof(u64));
	for (int i = 0; !r && i < a->nr_evs; i++) {
		u32 key = (u32)i;

		if (bpf_map_lookup_elem(a->stats_fd, &key, v)) {
			r = -errno;
			break;
		}
		for (int c = 0; c < ncpus; c++) {
			u64 seq = v[(size_t)c * AGG_NR_STATS + AGG_SEQ];

			/* a program runs for microseconds at most: a bound, never reached */
			for (long n = 0; (seq & 1) && n < 10000000; n++) {
				if (bpf_map_lookup_elem(a->stats_fd, &key, w)) {
					r = -errno;
					break;
				}
				if (w[(size_t)c * AGG_NR_STATS + AGG_SEQ] != seq)
					break;
			}
		}
	}
	free(v);
	free(w);
	return r;
}

int bpf_agg__read_gen(struct bpf_agg *a, void (*row)(void *ctx, u64 key, const u64 *vals),
		      void *ctx)
{
	const u64 genbit = 1ULL << AGG_GEN_BIT;
	u64 old = a->gen, next = old ^ 1, key, nkey, *keys = NULL, *vals;
	size_t nr = 0, cap = 0;
	bool first = true;
	u32 zero = 0;
	int r;

	if (a->gen_fd < 0)
		return -EINVAL;
	if (bpf_map_update_elem(a->gen_fd, &zero, &next, BPF_ANY))
		return -errno;
	a->gen = next;
	/* the switch is visible before the sequences are read */
	__sync_synchronize();
	r = agg_quiesce(a);
	if (r)
		return r;
	while (!bpf_map_get_next_key(a->rows_fd, first ? NULL : &key, &nkey)) {
		first = false;
		key = nkey;
		if (!!(key & genbit) != !!old)
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 64;
			keys = xrealloc(keys, cap * sizeof(*keys));
		}
		keys[nr++] = key;
	}
	vals = xzalloc((size_t)a->ncols * sizeof(u64));
	for (size_t i = 0; i < nr; i++) {
		if (bpf_map_lookup_elem(a->rows_fd, &keys[i], vals))
			continue;
		row(ctx, keys[i] & ~genbit, vals);
		bpf_map_delete_elem(a->rows_fd, &keys[i]);
	}
	free(vals);
	free(keys);
	return 0;
}

void bpf_agg__hist_add(struct vstat *s, const u64 *cols)
{
	const u64 *b = cols + BPF_AGG_H_BUCKETS;

	if (!cols[BPF_AGG_H_COUNT])
		return;
	vstat__add_totals(s, cols[BPF_AGG_H_COUNT], cols[BPF_AGG_H_SUM_LO], cols[BPF_AGG_H_MIN],
			  cols[BPF_AGG_H_MAX]);
	s->sum_hi += cols[BPF_AGG_H_SUM_HI];
	for (unsigned i = 0; i < BPF_AGG_HIST_BUCKETS; i++)
		if (b[i])
			vstat__add_bucket(s, i, b[i]);
}

int bpf_agg__del(struct bpf_agg *a, u64 key)
{
	return bpf_map_delete_elem(a->rows_fd, &key) ? -errno : 0;
}

int bpf_agg__stats(const struct bpf_agg *a, int idx, struct bpf_agg_stats *st)
{
	int ncpus = libbpf_num_possible_cpus();
	u32 key = (u32)idx;
	u64 *v;
	int r;

	memset(st, 0, sizeof(*st));
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = xzalloc((size_t)ncpus * AGG_NR_STATS * sizeof(u64));
	r = bpf_map_lookup_elem(a->stats_fd, &key, v) ? -errno : 0;
	for (int c = 0; !r && c < ncpus; c++) {
		const u64 *s = v + (size_t)c * AGG_NR_STATS;

		st->samples += s[AGG_SAMPLES];
		st->errors += s[AGG_ERRORS];
		st->drops += s[AGG_DROPS];
		st->negative += s[AGG_NEGATIVE];
		st->contended += s[AGG_CONTENDED];
		st->opened += s[AGG_OPENED];
		st->replaced += s[AGG_REPLACED];
		st->paired += s[AGG_PAIRED];
		st->orphans += s[AGG_ORPHANS];
		st->exited += s[AGG_EXITED];
		st->key_drops += s[AGG_KEYDROPS];
		st->slow += s[AGG_SLOW];
		st->slow_lost += s[AGG_SLOW_LOST];
	}
	free(v);
	return r;
}

void bpf_agg__report_missed(const struct bpf_agg *a, struct prof *prof, const char *what)
{
	u64 n = 0;

	for (int i = 0; a && i < a->nr_evs; i++)
		n += bpf__misses(a->prog_fd[i]);
	if (n)
		fprintf(prof__diag(prof), "perf-prof %s: %llu events not delivered in this run: "
			"the kernel skipped their BPF programs while another BPF program or a bpf() "
			"map operation held the CPU (counted on every CPU and for every task: some "
			"may not be this run's); %s\n", prof->ops->name, (unsigned long long)n, what);
}

u64 bpf_agg__max_rows(const struct bpf_agg *a)
{
	return a->max_rows;
}

u64 bpf_agg__targets_full(const struct bpf_agg *a)
{
	int ncpus = libbpf_num_possible_cpus();
	u32 zero = 0;
	u64 *v, n = 0;

	if (a->full_fd < 0 || ncpus <= 0)
		return 0;
	v = xzalloc((size_t)ncpus * sizeof(u64));
	if (!bpf_map_lookup_elem(a->full_fd, &zero, v))
		for (int c = 0; c < ncpus; c++)
			n += v[c];
	free(v);
	return n;
}

void bpf_agg__delete(struct bpf_agg *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->nr_evs; i++) {
		if (a->anchor_fd[i] >= 0)
			close(a->anchor_fd[i]);	/* detaches the program */
		if (a->prog_fd[i] >= 0)
			close(a->prog_fd[i]);
	}
	for (int i = 0; i < FOLLOW_NR; i++) {
		if (a->follow_anchor[i] >= 0)
			close(a->follow_anchor[i]);
		if (a->follow_prog[i] >= 0)
			close(a->follow_prog[i]);
	}
	if (a->exit_anchor >= 0)
		close(a->exit_anchor);
	if (a->exit_prog >= 0)
		close(a->exit_prog);
	if (a->begins_fd >= 0)
		close(a->begins_fd);
	if (a->slow_fd >= 0)
		close(a->slow_fd);
	if (a->cpus_fd >= 0)
		close(a->cpus_fd);
	free(a->cpu_set);
	if (a->targets_fd >= 0)
		close(a->targets_fd);
	if (a->full_fd >= 0)
		close(a->full_fd);
	if (a->rows_fd >= 0)
		close(a->rows_fd);
	if (a->zero_fd >= 0)
		close(a->zero_fd);
	if (a->stats_fd >= 0)
		close(a->stats_fd);
	if (a->gen_fd >= 0)
		close(a->gen_fd);
	free(a->tmpl);
	free(a->prog_fd);
	free(a->anchor_fd);
	free(a->tp_id);
	free(a);
}
