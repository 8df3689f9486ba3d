/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfagg.h - aggregate by key in the kernel (lib/bpf/agg.c): the one
 * engine behind the profilers' in-kernel modes. A table of rows, a u64 key
 * to @ncols u64 columns, lives in a BPF hash map; each tracepoint of the
 * run gets a program, generated from the profiler's checked expressions
 * (its filter, its key, its columns), that adds to its columns of the row
 * of its key. The programs always return 1 and hang off counting perf
 * events of their own that never write a record: they never drop a record
 * for another tracer of the tracepoint, and no ring is involved.
 *
 * The kernel's rows only grow: a reader takes each report's part as the
 * difference from what it read before (exact, with nothing reset under the
 * programs' feet), and deletes the rows of keys that get no more counts.
 * Rows the bounded map cannot take are counted.
 */
#ifndef PERF_PROF_BPFAGG_H
#define PERF_PROF_BPFAGG_H

#include "util.h"

struct expr;
struct bpf_agg;

/* the most rows a kernel table holds (its map's bucket array is allocated up front) */
#define BPF_AGG_MAX_ROWS 65536
/* the most target threads alive at once (-p, -t, a workload and what they fork) */
#define BPF_AGG_MAX_TARGETS 65536
/* the most columns one event adds to (each is computed into a stack slot) */
#define BPF_AGG_MAX_EV_COLS 16

/**
 * struct bpf_agg_ev - what one event adds to the table
 * @tp_id:  the tracepoint's id
 * @filter: records it counts (NULL: all)
 * @key:    the row's key (NULL: the thread id)
 * @vals:   @ncols values added to columns @col0.. (a NULL entry adds 1)
 */
struct bpf_agg_ev {
	u32 tp_id;
	const struct expr *filter;
	const struct expr *key;
	const struct expr *const *vals;
	int col0;
	int ncols;
};

/* counters of one event's program, summed over the CPUs */
struct bpf_agg_stats {
	u64 samples;	/* records counted into a row */
	u64 errors;	/* a run-time expression error (division by zero, ...): skipped */
	u64 drops;	/* a new key the full table could not take */
};

/**
 * bpf_agg__new - an empty table of @ncols columns, at most @max_rows rows
 * (0 or more than BPF_AGG_MAX_ROWS: BPF_AGG_MAX_ROWS), for @nr_evs events.
 * @targets: count only listed threads (bpf_agg__start()), else every task;
 * @follow: their children and new threads too.
 * Returns 0, or -errno with @why saying what failed.
 */
int bpf_agg__new(int ncols, u64 max_rows, int nr_evs, bool targets, bool follow,
		 struct bpf_agg **out, char *why, size_t whylen);

/**
 * bpf_agg__add - build and load event @idx's program. Returns 0, or
 * -EOPNOTSUPP with @why naming what cannot run in the kernel, or another
 * -errno with the verifier's last words.
 */
int bpf_agg__add(struct bpf_agg *a, int idx, const struct bpf_agg_ev *ev, char *why,
		 size_t whylen);

/* bpf_agg__insns - the instructions of every program loaded so far */
int bpf_agg__insns(const struct bpf_agg *a);

/**
 * bpf_agg__start - the targets' threads (@nr of them) into the kernel, then
 * every program on its tracepoint: counting starts. 0 or -errno (@why).
 */
int bpf_agg__start(struct bpf_agg *a, const int *tids, int nr, char *why, size_t whylen);

/**
 * bpf_agg__read - call @row for every row of the table with its key and
 * its columns (valid during the call). Returns 0 or -errno.
 */
int bpf_agg__read(struct bpf_agg *a, void (*row)(void *ctx, u64 key, const u64 *vals),
		  void *ctx);

/*
 * bpf_agg__del - forget the row of @key (a key that gets no more counts, such
 * as an exited thread's, after its last read); 0 or -errno
 */
int bpf_agg__del(struct bpf_agg *a, u64 key);

/* bpf_agg__stats - event @idx's counters since the start */
int bpf_agg__stats(const struct bpf_agg *a, int idx, struct bpf_agg_stats *st);

/* bpf_agg__max_rows - the table's bound */
u64 bpf_agg__max_rows(const struct bpf_agg *a);

/* bpf_agg__targets_full - target threads that could not be followed (a full map) */
u64 bpf_agg__targets_full(const struct bpf_agg *a);

/* bpf_agg__delete - detach every program and free the maps (NULL is fine) */
void bpf_agg__delete(struct bpf_agg *a);

#endif
