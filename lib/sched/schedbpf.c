// SPDX-License-Identifier: GPL-2.0
/*
 * schedbpf.c - the user-space half of the scheduling profilers' BPF path:
 * the choice between aggregating in the kernel and reading records, and
 * the kernel's rows (per CPU: count, sum, min, max, and a count per vstat
 * bucket) merged into the same latency table the ring path fills, so
 * both print the same statistics and percentiles.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "agg.h"
#include "bpffilter.h"
#include "latency.h"
#include "profiler.h"
#include "schedagg.h"
#include "schedbpf.h"
#include "tasks.h"

/* schedbpf__records - read the records instead, saying why with -v */
static int schedbpf__records(struct prof *prof, const char *name, const char *why)
{
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof %s: reading the scheduler's records: %s\n",
			name, why);
	return 0;
}

int schedbpf__choose(struct prof *prof, const char *name, const char *blocker, struct err *err)
{
	char why[320];

	if (prof->opt.no_bpf)
		return schedbpf__records(prof, name, "--no-bpf");
	if (!blocker && prof__in_kernel(prof, NULL))
		blocker = "a replay (its records have no kernel)";
	if (blocker) {
		if (!prof->opt.bpf) {
			snprintf(why, sizeof(why), "%s needs them", blocker);
			return schedbpf__records(prof, name, why);
		}
		err_set(err, EXIT_USAGE, "%s cannot be combined with --bpf in %s", blocker, name);
		err_hint(err, "without --bpf, %s reads the scheduler's records", blocker);
		return -1;
	}
	if (bpf__probe(why, sizeof(why))) {
		if (!prof->opt.bpf)
			return schedbpf__records(prof, name, why);
		err_set(err, EXIT_FAIL, "%s cannot aggregate in the kernel: %s", name, why);
		err_hint(err, "run with --no-bpf to read the scheduler's records instead");
		return -1;
	}
	return 1;
}

int schedbpf__refused(struct prof *prof, const char *name, struct err *err)
{
	char why[320];

	snprintf(why, sizeof(why), "the kernel refused %s's BPF program: %s", name,
		 bpf__warning()[0] ? bpf__warning() : strerror(errno));
	if (!prof->opt.bpf)
		return schedbpf__records(prof, name, why);
	err_set(err, EXIT_FAIL, "%s", why);
	err_hint(err, "--no-bpf reads the scheduler's records instead");
	return -1;
}

void schedbpf__targets(struct prof *prof, int fd)
{
	const int *tids;
	bool follow;
	int nr = prof__targets(prof, &tids, &follow);
	u8 one = 1;

	for (int i = 0; i < nr; i++) {
		u32 tid = (u32)tids[i];

		bpf_map_update_elem(fd, &tid, &one, BPF_ANY);
	}
}

void schedbpf__cpus_size(struct bpf_map *m)
{
	int n = libbpf_num_possible_cpus();

	bpf_map__set_max_entries(m, n > 0 ? (u32)n : 1);
}

void schedbpf__cpus(struct prof *prof, int fd)
{
	int n = libbpf_num_possible_cpus();
	bool *set;

	if (!prof->opt.cpus || n < 1)
		return;
	set = xzalloc((size_t)n * sizeof(*set));
	prof__cpus(prof, NULL, set, n);
	for (int c = 0; c < n; c++) {
		u32 key = (u32)c;
		u8 on = set[c];

		bpf_map_update_elem(fd, &key, &on, BPF_ANY);
	}
	free(set);
}

void schedbpf__losses(struct prof *prof, const char *name, const char *what, u64 drops,
		      u64 unseen)
{
	if (drops)
		fprintf(prof__diag(prof), "perf-prof %s: %llu %s were not counted: the kernel's "
			"maps were full\n", name, (unsigned long long)drops, what);
	if (unseen)
		fprintf(prof__diag(prof), "perf-prof %s: %llu scheduler events not delivered in "
			"this run: the kernel switched or woke threads followed without running the "
			"tracepoints (no tracer sees such events); the %s they ended were estimated "
			"from the switches around them\n", name, (unsigned long long)unseen, what);
}

/* schedbpf__keys - every key of @fd's generation @gen (malloc'ed) */
static struct sched_bpf_key *schedbpf__keys(int fd, u32 gen, size_t *nr)
{
	struct sched_bpf_key cur, next, *keys = NULL;
	size_t n = 0, cap = 0;
	bool have = false;

	while (!bpf_map_get_next_key(fd, have ? &cur : NULL, &next)) {
		cur = next;
		have = true;
		if (next.gen != gen)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			keys = xrealloc(keys, cap * sizeof(*keys));
		}
		keys[n++] = next;
	}
	*nr = n;
	return keys;
}

void schedbpf__name(struct tasks *tasks, int tid, const char *comm)
{
	char name[SCHED_BPF_COMM + 1];

	memcpy(name, comm, SCHED_BPF_COMM);
	name[SCHED_BPF_COMM] = '\0';
	if (tid > 0 && name[0])
		tasks__set_comm(tasks, tid, name);
}

/* schedbpf__row - @k's row of @tab, NULL when its id is none of ours */
static struct latrow *schedbpf__row(const struct schedbpf *b, struct lattab *tab,
				    const struct sched_bpf_key *k)
{
	return k->id < b->nr_ids ? lattab__row(tab, (int)k->inst, k->id) : NULL;
}

static void schedbpf__stats(const struct schedbpf *b, u32 gen, struct lattab *tab)
{
	struct sched_bpf_stat *v = xzalloc((size_t)b->ncpus * sizeof(*v));
	size_t nr;
	struct sched_bpf_key *keys = schedbpf__keys(b->stats_fd, gen, &nr);

	for (size_t i = 0; i < nr; i++) {
		struct sched_bpf_stat t = { 0 };
		struct latrow *row;
		bool named = false;

		if (bpf_map_lookup_elem(b->stats_fd, &keys[i], v))
			continue;
		bpf_map_delete_elem(b->stats_fd, &keys[i]);
		for (int c = 0; c < b->ncpus; c++) {
			if (!v[c].count)
				continue;
			if (!t.count || v[c].min < t.min)
				t.min = v[c].min;
			if (v[c].max > t.max)
				t.max = v[c].max;
			t.count += v[c].count;
			t.sum += v[c].sum;
			/*
			 * no COMM record comes on this path: the kernel's name for
			 * the row, in the slot of the CPU that made it (the others
			 * are zeroed)
			 */
			if (!named && v[c].comm[0]) {
				schedbpf__name(b->tasks, (int)keys[i].inst, v[c].comm);
				named = true;
			}
		}
		row = schedbpf__row(b, tab, &keys[i]);
		if (row)
			vstat__add_totals(&row->st, t.count, t.sum, t.min, t.max);
	}
	free(keys);
	free(v);
}

static void schedbpf__hist(const struct schedbpf *b, u32 gen, struct lattab *tab)
{
	u64 *v = xzalloc((size_t)b->ncpus * sizeof(*v));
	size_t nr;
	struct sched_bpf_key *keys = schedbpf__keys(b->hist_fd, gen, &nr);

	for (size_t i = 0; i < nr; i++) {
		struct latrow *row;
		u64 n = 0;

		if (bpf_map_lookup_elem(b->hist_fd, &keys[i], v))
			continue;
		bpf_map_delete_elem(b->hist_fd, &keys[i]);
		for (int c = 0; c < b->ncpus; c++)
			n += v[c];
		row = schedbpf__row(b, tab, &keys[i]);
		if (row)
			vstat__add_bucket(&row->st, keys[i].bucket, n);
	}
	free(keys);
	free(v);
}

void schedbpf__collect(const struct schedbpf *b, u32 gen, struct lattab *tab)
{
	schedbpf__stats(b, gen, tab);
	schedbpf__hist(b, gen, tab);
}

u64 schedbpf__sum(int fd, int ncpus)
{
	u64 *v = xzalloc((size_t)ncpus * sizeof(*v)), n = 0;
	u32 zero = 0;

	if (!bpf_map_lookup_elem(fd, &zero, v))
		for (int c = 0; c < ncpus; c++)
			n += v[c];
	free(v);
	return n;
}

u64 schedbpf__unseen(int cpu_fd, struct bpf_object *obj, int ncpus)
{
	struct sched_bpf_cpu *v = xzalloc((size_t)ncpus * sizeof(*v));
	u64 n = 0;
	u32 zero = 0;

	if (!bpf_map_lookup_elem(cpu_fd, &zero, v))
		for (int c = 0; c < ncpus; c++)
			n += v[c].unseen;
	free(v);
	return n + bpf__obj_misses(obj);
}
