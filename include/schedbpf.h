/* SPDX-License-Identifier: GPL-2.0 */
/*
 * schedbpf.h - the user-space half of the scheduling profilers' BPF path
 * (rundelay, task-state): whether a run aggregates in the kernel or reads
 * the scheduler's records, and the kernel's rows (lib/bpf/schedagg.h)
 * rebuilt into a latency table, with what the programs could not count.
 */
#ifndef PERF_PROF_SCHEDBPF_H
#define PERF_PROF_SCHEDBPF_H

#include "util.h"

struct prof;
struct lattab;
struct tasks;
struct bpf_object;

/**
 * schedbpf__choose - whether profiler @name of @prof aggregates in the
 * kernel: 1 yes, 0 it reads the records (--no-bpf; an option the records
 * need, @blocker such as "-g", when --bpf is not given; a kernel that
 * cannot, without --bpf: said with -v), -1 with @err when --bpf insists
 * and cannot be had
 */
int schedbpf__choose(struct prof *prof, const char *name, const char *blocker, struct err *err);

/**
 * schedbpf__refused - the kernel refused @name's programs (libbpf's last
 * captured warning, or errno): 0 to read the records instead (said with
 * -v), -1 with @err under --bpf
 */
int schedbpf__refused(struct prof *prof, const char *name, struct err *err);

/* schedbpf__targets - from start(): the targets' threads into @fd (tid -> 1) */
void schedbpf__targets(struct prof *prof, int fd);

/*
 * -C in the fixed programs (lib/bpf/oncpu.bpf.h): schedbpf__cpus_size()
 * before the load gives their oncpus map @m an entry per possible CPU;
 * schedbpf__cpus() from start(), before the attach, marks in it (@fd) the
 * CPUs whose records the ring path would read
 */
struct bpf_map;
void schedbpf__cpus_size(struct bpf_map *m);
void schedbpf__cpus(struct prof *prof, int fd);

/**
 * schedbpf__losses - at the end, what the kernel's programs could not
 * count: @drops @what the maps had no room for, @unseen scheduler events
 * (schedbpf__unseen()); said on the run's diagnostics
 */
void schedbpf__losses(struct prof *prof, const char *name, const char *what, u64 drops,
		      u64 unseen);

/**
 * struct schedbpf - a program's rows: its stats and hist maps (per-CPU
 * hashes keyed by struct sched_bpf_key), the possible CPUs, the ids of
 * the rows (causes or states) and the run's task table for their names
 */
struct schedbpf {
	int stats_fd, hist_fd;
	int ncpus;
	unsigned nr_ids;
	struct tasks *tasks;
};

/**
 * schedbpf__collect - the rows of generation @gen, added to @tab and
 * deleted from the maps (the programs write the other generation)
 */
void schedbpf__collect(const struct schedbpf *b, u32 gen, struct lattab *tab);

/* schedbpf__name - @tid is called @comm (a name the kernel gave, SCHED_BPF_COMM bytes) */
void schedbpf__name(struct tasks *tasks, int tid, const char *comm);

/* schedbpf__sum - the per-CPU counters (u64) at key 0 of array map @fd, summed */
u64 schedbpf__sum(int fd, int ncpus);

/**
 * schedbpf__unseen - the events @obj's programs did not see: switches
 * the kernel made without running the tracepoint (@cpu_fd, an array of
 * struct sched_bpf_cpu) and the calls it skipped because a program was
 * running already on that CPU (the programs' recursion misses)
 */
u64 schedbpf__unseen(int cpu_fd, struct bpf_object *obj, int ncpus);

#endif
