/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpffilter.h - event filters that run in the kernel as BPF programs
 * (lib/bpf/filter.c). A filter expression (Documentation/expressions.md) is
 * compiled to a BPF_PROG_TYPE_TRACEPOINT program and attached to the
 * event's tracepoint: a record it rejects is never written to a ring. The
 * session uses it for the filters the kernel's ftrace filter refuses (or
 * for every filter with --bpf); Documentation/bpf.md says what runs where.
 */
#ifndef PERF_PROF_BPFFILTER_H
#define PERF_PROF_BPFFILTER_H

#include "util.h"

struct evspec;
struct expr;
struct bpf_filter;
struct bpf_object;

/* what --bpf / --no-bpf ask for */
enum bpf_use {
	BPF_USE_AUTO,	/* when the ftrace filter refuses an expression */
	BPF_USE_FORCE,	/* every filter, or fail */
	BPF_USE_OFF,	/* never */
};

/*
 * per-filter counters, summed over the CPUs; they count every task's
 * records of the tracepoint, since the kernel runs the program for all
 */
struct bpf_filter_stats {
	u64 accepted;	/* written to the rings */
	u64 rejected;	/* dropped in the kernel */
	u64 errors;	/* division by zero, index out of range: passed on to user space */
	u64 undecided;	/* a string longer than examined: passed on to user space */
	u64 missed;	/* runs the kernel skipped (bpf__misses): those records were dropped */
};

/**
 * bpf_filter__new - compile @e (a program of the event with id @tp_id) to a
 * tracepoint filter and load it. Returns 0 with *@out set, or -errno:
 * -EOPNOTSUPP when the expression uses something BPF cannot do, other
 * errors when the kernel refused the program; @why says which, in one line.
 */
int bpf_filter__new(const struct expr *e, u32 tp_id, struct bpf_filter **out, char *why,
		    size_t whylen);

/**
 * bpf_filter__new_test - the same program for BPF_PROG_TEST_RUN: a
 * BPF_PROG_TYPE_SYSCALL program whose context is a record followed by the
 * builtins' values, which bpf_filter__test_run() fills in (tests only).
 */
int bpf_filter__new_test(const struct expr *e, u32 tp_id, struct bpf_filter **out, char *why,
			 size_t whylen);

/**
 * bpf_filter__test_run - run a test filter in the kernel on @rec (@size
 * bytes, at most 8192) with the builtins _cpu, _pid, _tid, _time; returns 0
 * with the expression's value in @value (strings: 1 when not empty), how
 * the evaluation ended in @outcome (0 accepted, 1 rejected, 2 error, 3
 * undecided) and the program's return (0: drop the record) in @keep, or
 * -errno.
 */
int bpf_filter__test_run(struct bpf_filter *f, const void *rec, u32 size, int cpu, int pid,
			 int tid, u64 time, u64 *value, int *outcome, int *keep);

/*
 * bpf_filter__exact - every record is decided in the kernel: no path passes
 * one on (a run-time error, an undecided string), so no user-space filter
 * needs to run after it
 */
bool bpf_filter__exact(const struct bpf_filter *f);

/* bpf_filter__fd - the program's fd */
int bpf_filter__fd(const struct bpf_filter *f);

/* bpf_filter__stats - the counters so far; 0 or -errno */
int bpf_filter__stats(const struct bpf_filter *f, struct bpf_filter_stats *st);

/* bpf_filter__insns - the program's length in instructions */
int bpf_filter__insns(const struct bpf_filter *f);

void bpf_filter__delete(struct bpf_filter *f);

/**
 * bpf_filter__attach_ev - compile @ev->filter and attach it to @ev's
 * tracepoint (ev->kfilter holds it; deleting it detaches). @evs, @n: every
 * event of the run: a tracepoint opened twice in one run takes no BPF
 * filter, since the kernel runs it for all of them. Returns 0, or -errno
 * with @err saying why not (EXIT_USAGE when the expression or the event
 * cannot have one, EXIT_FAIL when the kernel refused it).
 */
int bpf_filter__attach_ev(struct evspec *ev, struct evspec *const *evs, int n, struct err *err);

/**
 * bpf_filter__report - when @ev has a BPF filter, its counters as one line
 * to @out: "  bpf filter on 'EV': N accepted, N rejected, N errors, N
 * undecided, N missed (every task's records)".
 */
void bpf_filter__report(const struct evspec *ev, FILE *out);

/*
 * bpf_filter__report_missed - when the kernel skipped @ev's filter program
 * (bpf__misses()), a line to @out saying how many of its events were lost:
 * "perf-prof NAME: N events of 'EV' not delivered in this run: ..."
 */
void bpf_filter__report_missed(const struct evspec *ev, const char *name, FILE *out);

/**
 * bpf__probe - whether this kernel can run perf-prof's BPF programs (a
 * tracepoint program with CO-RE relocations against its BTF); probed once.
 * Returns 0, or -errno with @why saying what is missing.
 */
int bpf__probe(char *why, size_t whylen);

/**
 * bpf__capture - while @on, libbpf prints nothing and its last warning is
 * kept for bpf__warning() (libraries never print: the caller says it in
 * its error); off restores the printer that was set before
 */
void bpf__capture(bool on);

/* bpf__warning - libbpf's last warning while captured ("" when none) */
const char *bpf__warning(void);

/**
 * bpf__misses - the runs of the program @prog_fd (a tracepoint or perf
 * event program) that the kernel skipped: it runs none of them on a CPU
 * where a BPF program is already running or a bpf() map operation is in
 * progress, even one preempted there, and counts each skip in the
 * program's recursion misses. Such an event reaches neither the program
 * nor, for a filter, the ring: it is lost, and this is how many.
 */
u64 bpf__misses(int prog_fd);

/* bpf__obj_misses - bpf__misses() of every program of @obj */
u64 bpf__obj_misses(struct bpf_object *obj);

#endif
