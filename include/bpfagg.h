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
 *
 * An event may instead add a value to a histogram block of columns (struct
 * vstat's buckets with count, 128-bit sum, min and max: BPF_AGG_HIST_COLS
 * of them). An interval's min and max cannot be taken as a difference, so
 * a table of such events is made with BPF_AGG_GENS: its rows carry the
 * report generation in their key, and bpf_agg__read_gen() switches the
 * programs to the next generation, waits for the writes to the old one to
 * end, hands its rows over and deletes them: each report reads exactly
 * the values since the one before.
 *
 * A table may also pair events (bpf_agg__pairs(), multi-trace): an event
 * that opens a pair leaves its time under (its key, a slot) in a hash map
 * of begins; an event that closes one takes the begin waiting in its slot
 * under its key and adds the delay to the histogram block of the row of
 * that (begin event, end event) pair. A begin replaced by a newer one, an
 * end that finds none, begins the map cannot take and begins of exited
 * threads are counted per event.
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

/* a histogram block: these columns, then the buckets of vstat__bucket() */
enum {
	BPF_AGG_H_COUNT,
	BPF_AGG_H_SUM_LO,
	BPF_AGG_H_SUM_HI,
	BPF_AGG_H_MIN,		/* UINT64_MAX while the block is empty */
	BPF_AGG_H_MAX,
	BPF_AGG_H_BUCKETS,
};
#define BPF_AGG_HIST_BUCKETS 1920	/* VSTAT_ROWS * VSTAT_SUB of agg.h */
#define BPF_AGG_HIST_COLS (BPF_AGG_H_BUCKETS + BPF_AGG_HIST_BUCKETS)

/* the most events of a pairing table (a begin's event index takes 9 bits of its word) */
#define BPF_AGG_PAIR_MAX_EVS 256
/* the most begins a pairing table keeps waiting (its map's bucket array is allocated up front) */
#define BPF_AGG_PAIR_MAX_KEYS (1u << 22)

/* bpf_agg__new() flags */
#define BPF_AGG_GENS 1u		/* rows per report generation (bpf_agg__read_gen()) */
/*
 * event programs for BPF_PROG_TEST_RUN (unit tests): syscall programs run on
 * a record the caller built, builtins from its trailer (gen.h: BPFGEN_TEST);
 * bpf_agg__start() attaches none
 */
#define BPF_AGG_TEST 2u

/* the row's key when bpf_agg_ev's @key is NULL */
enum bpf_agg_key {
	BPF_AGG_KEY_TID,	/* the thread id */
	BPF_AGG_KEY_CPU,	/* the CPU */
	BPF_AGG_KEY_NONE,	/* 0 */
};

/**
 * struct bpf_agg_ev - what one event adds to the table
 * @tp_id:  the tracepoint's id
 * @filter: records it counts (NULL: all)
 * @key:    the row's key (NULL: @key_kind's)
 * @vals:   @ncols values added to columns @col0.. (a NULL entry adds 1)
 * @hist:   instead of @vals, a value added to the histogram block at @col0
 *          (a negative one is counted apart, not added)
 * @key_shift, @key_tag: the key is (key << @key_shift) | @key_tag, e.g.
 *          an instance and the event's index
 * @pair:   a pairing event (bpf_agg__pairs()): @key is then the pairing key
 *          (NULL: the thread id), @key_kind the row's instance (the CPU, the
 *          thread or none), the row's key (instance << 16) | (begin event *
 *          events + this event), and the delay goes to the histogram block
 *          at @col0; @vals and @hist are not used
 * @open_slot:  the slot its begin waits in, -1: it opens no pair
 * @close_slot: the slot of the begin it closes, -1: it closes none
 * @cpu_set: it counts only on the CPUs bpf_agg__set_cpus() gives it (-C,
 *          cpus=): the program runs on every CPU, its records are those
 *          of the CPU it runs on
 */
struct bpf_agg_ev {
	u32 tp_id;
	const struct expr *filter;
	const struct expr *key;
	const struct expr *const *vals;
	int col0;
	int ncols;
	const struct expr *hist;
	enum bpf_agg_key key_kind;
	int key_shift;
	u64 key_tag;
	bool pair;
	int open_slot;
	int close_slot;
	bool cpu_set;
};

/* counters of one event's program, summed over the CPUs */
struct bpf_agg_stats {
	u64 samples;	/* records counted into a row */
	u64 errors;	/* a run-time expression error (division by zero, ...): skipped */
	u64 drops;	/* a new key the full table could not take */
	u64 negative;	/* a histogram's value below zero: not added */
	u64 contended;	/* a min or max other CPUs kept changing (64 tries): not updated */
	/* pairing, per event: */
	u64 opened;	/* begins left waiting (a replacement too) */
	u64 replaced;	/* its begins a newer one of the same key and slot replaced */
	u64 paired;	/* its begins an end took (in a row, or in @drops when the table was full) */
	u64 orphans;	/* its ends that found no begin */
	u64 exited;	/* its begins thrown away when their thread exited */
	u64 key_drops;	/* its begins the full map of begins could not take */
	u64 slow;	/* pairs it ended slower than bpf_agg__than()'s threshold */
	u64 slow_lost;	/* ... that the full ring buffer could not take */
};

/*
 * struct bpf_agg_slow - a pair slower than bpf_agg__than()'s threshold, as
 * its end event's program writes it into the ring buffer: the pairing key,
 * the delay, the end's time (CLOCK_MONOTONIC, as perf samples have it),
 * the begin and end events' indexes, where the end ran, and the first
 * BPF_AGG_SLOW_RAW bytes of the end's record (its raw sample; the record
 * may be shorter, the rest is not its)
 */
#define BPF_AGG_SLOW_RAW 256
struct bpf_agg_slow {
	u64 key;
	u64 delay;
	u64 time;
	u32 ev1, ev2;
	u32 cpu, pid, tid, pad;
	u8 raw[BPF_AGG_SLOW_RAW];
};

/**
 * bpf_agg__new - an empty table of @ncols columns, at most @max_rows rows
 * (0 or more than BPF_AGG_MAX_ROWS: BPF_AGG_MAX_ROWS), for @nr_evs events.
 * @targets: count only listed threads (bpf_agg__start()), else every task;
 * @follow: their children and new threads too; @flags: BPF_AGG_GENS or 0.
 * Returns 0, or -errno with @why saying what failed.
 */
int bpf_agg__new(int ncols, u64 max_rows, int nr_evs, bool targets, bool follow,
		 unsigned flags, struct bpf_agg **out, char *why, size_t whylen);

/**
 * bpf_agg__add - build and load event @idx's program. Returns 0, or
 * -EOPNOTSUPP with @why naming what cannot run in the kernel, or another
 * -errno with the verifier's last words.
 */
int bpf_agg__add(struct bpf_agg *a, int idx, const struct bpf_agg_ev *ev, char *why,
		 size_t whylen);

/**
 * bpf_agg__pairs - (before bpf_agg__add()) the table pairs events: begins
 * wait in @nslots slots per key, at most @max_keys keys (times @nslots
 * entries, bounded by BPF_AGG_PAIR_MAX_KEYS); with @kill_on_exit the keys
 * are thread ids and a thread's begins go when it exits (counted as
 * exited): a thread reusing the id never closes them. 0 or -errno (@why).
 */
int bpf_agg__pairs(struct bpf_agg *a, int nslots, u64 max_keys, bool kill_on_exit, char *why,
		   size_t whylen);

/**
 * bpf_agg__than - (after bpf_agg__pairs(), before bpf_agg__add()) every
 * pair slower than @than ns is also written, as a struct bpf_agg_slow, to
 * a BPF ring buffer of @bytes (a power of two of pages); its fd (for
 * libbpf's ring_buffer__new()) is returned, or -errno (@why). A pair the
 * full buffer cannot take is counted (slow_lost), never waited for.
 */
int bpf_agg__than(struct bpf_agg *a, u64 than, u32 bytes, char *why, size_t whylen);

/**
 * bpf_agg__set_cpus - (before bpf_agg__start()) event @idx, added with
 * @cpu_set, counts on the CPUs @set[cpu] says, cpu < @max. 0 or -errno.
 */
int bpf_agg__set_cpus(struct bpf_agg *a, int idx, const bool *set, int max);

struct prof;
/**
 * bpf_agg__start_prof - bpf_agg__start() for a profiler whose event @idx is
 * its prof->evs[idx]: the run's targets (prof__targets()), the CPUs of the
 * events added with @cpu_set (prof__cpus()), then the programs. 0 or
 * -errno (@why).
 */
int bpf_agg__start_prof(struct bpf_agg *a, struct prof *prof, char *why, size_t whylen);

/**
 * bpf_agg__choose - from init(): whether profiler @prof aggregates its
 * events in the kernel. Never with --no-bpf; not when @no says what keeps
 * the records (its options), in a replay, or when @build (which makes
 * *@agg and its programs, 0 or -errno with @why) fails: then *@agg is
 * freed, --bpf makes it an error ("cannot @verb in the kernel: ...") and
 * -v says it. Else every event is marked in the kernel. Returns 1 (in the
 * kernel), 0 (the records), or -1 with @err.
 */
int bpf_agg__choose(struct prof *prof, struct bpf_agg **agg, const char *no, const char *verb,
		    int (*build)(struct prof *prof, char *why, size_t len), struct err *err);

/* bpf_agg__insns - the instructions of every program loaded so far */
int bpf_agg__insns(const struct bpf_agg *a);

/**
 * bpf_agg__test_run - (BPF_AGG_TEST) event @idx's program run once by
 * BPF_PROG_TEST_RUN on the record @rec of @size bytes, as thread @tid of
 * process @pid on CPU @cpu: 0 or -errno
 */
int bpf_agg__test_run(const struct bpf_agg *a, int idx, const void *rec, u32 size, int cpu,
		      int pid, int tid);

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

/**
 * bpf_agg__read_gen - (BPF_AGG_GENS) the programs move to the next
 * generation; once every write to the current one has ended, call @row for
 * each of its rows (the key without the generation), then delete them.
 * Returns 0 or -errno.
 */
int bpf_agg__read_gen(struct bpf_agg *a, void (*row)(void *ctx, u64 key, const u64 *vals),
		      void *ctx);

struct vstat;
/*
 * bpf_agg__hist_add - the histogram block @cols (a row's columns from its
 * @col0) added into @s: the same statistics as the values added one by one
 */
void bpf_agg__hist_add(struct vstat *s, const u64 *cols);

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

/*
 * bpf_agg__report_missed - when the kernel skipped the programs of @a's
 * events (bpf__misses()), a line to @prof's diagnostics: "perf-prof NAME:
 * N events not delivered in this run: ...; @what" (what those events are
 * missing from). NULL @a: nothing.
 */
void bpf_agg__report_missed(const struct bpf_agg *a, struct prof *prof, const char *what);

/* bpf_agg__delete - detach every program and free the maps (NULL is fine) */
void bpf_agg__delete(struct bpf_agg *a);

#endif
