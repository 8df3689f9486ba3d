// SPDX-License-Identifier: GPL-2.0
/*
 * profile.c - where the CPU time goes: samples of cpu-clock (or any
 * sampling event) with their stacks, counted per (thread, stack) in the
 * stack map, symbolized at report time. Two ways to count:
 *
 *   in the kernel (default where BPF works, frame-pointer stacks): a BPF
 *     program on each perf event (lib/bpf/profile.bpf.c) counts (pid, tid,
 *     kernel stack id, user stack id); the maps are read at each interval
 *     and at exit, nothing per sample goes through the rings (they carry
 *     the side-band records the symbols need);
 *   through the rings (--no-bpf, --call-graph dwarf, no BPF): each sample
 *     is interned into the stack map as it is read.
 *
 * Both feed the same stack map, so both print the same report: the
 * hottest (comm, pid, dso, symbol) rows of the sampled address, in the
 * --sort order, with their share and count; folded, SVG and pprof files of
 * the whole run.
 *
 *   2026-12-04 19:00:00.000000 profile: final: 2000 samples in 2.001 s, 0 lost
 *       SHARE  SAMPLES COMM                 PID DSO  SYMBOL
 *      75.05%     1501 split               4711 /x/split  spin_a
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hashmap.h"
#include "json.h"
#include "profiler.h"
#include "profile.skel.h"
#include "report.h"
#include "stackmap.h"
#include "syms.h"

#define PROFILE_FREQ 999		/* default -F: off the timer tick's beat */
#define PROFILE_MAX_DEPTH 127		/* as lib/bpf/profile.bpf.c */
#define KERNEL_START 0xffff800000000000ULL
#define PROFILE_BPF_COUNTS 16384	/* (thread, stack) counts the kernel map holds */
#define PROFILE_BPF_BATCH 64		/* counts read by one bpf() call (128 KB of keys) */

enum { SK_CPU, SK_COMM, SK_PID, SK_DSO, SK_SYM, SK_NR };
static const char *const sk_names[SK_NR] = { "cpu", "comm", "pid", "dso", "sym" };

/* what the BPF program could not count (its stats map's slots, PP_ST_* of profile.bpf.c) */
enum { ST_FULL, ST_KSTACK, ST_USTACK, ST_FILTERED, ST_GAP, ST_NR };

struct profile_opts {
	const char *sort;
	int than;		/* --than PCT of one CPU, 0: every thread (CPU) */
	bool percpu;		/* counted per CPU; --than keeps CPUs */
	bool user_only;
	bool kernel_only;
	const char *folded;
	const char *pprof;
	int top;
	u64 max_stacks;
};

/* a count of the BPF map (struct pp_key of the program) */
struct bpf_key {
	u32 pid;
	u32 tid;
	u32 cpu;	/* --percpu: the CPU + 1, else 0 */
	u32 pad;
	u64 ips[2 * PROFILE_MAX_DEPTH];	/* kernel part, then user part, zero-padded */
};

/* a count's value (struct pp_val of the program) */
struct bpf_val {
	u64 count;
	u64 period;
};

/* what was read of a stack's count so far (the stack map's aux) */
struct bpf_seen {
	u64 count;
	u64 period;
};

struct prow {
	u64 count;
	u64 weight;
};

struct profile {
	struct stackmap *stacks;
	int sort[SK_NR];	/* the --sort keys in order */
	int nr_sort;
	bool percpu;		/* stacks are tagged with their CPU too (TAG_CPU) */
	struct report_cycle cycle;
	u64 samples, total;	/* the interval's and the run's counted samples */
	u64 filtered;		/* outside --user-only/--kernel-only */
	u64 drops;		/* the stack map was full */
	u64 lost_mark;		/* ring losses at the last interval */
	/* in-kernel counting */
	struct pp_profile *skel;
	struct bpf_key *keys;	/* PROFILE_BPF_BATCH counts, read */
	struct bpf_val *vals;
	u64 *chain;		/* its two stacks as one callchain */
	u64 bpf_stats[ST_NR];
	u64 bpf_unkept;		/* counted in the kernel, over --max-stacks here */
	/* --flame-graph, --folded, --pprof: open from the start; with -i a snapshot per interval */
	struct stackout *outs[3];
	u64 snapshots;
	bool view_whole;	/* the files take the whole run's counts, else the interval's */
	/* --than: per-thread weights of the report being printed */
	struct hashmap *tid_weight;
	u64 than_ns;		/* a thread below this weight is left out */
	struct prof *prof;
};

/*
 * A stack's tag in the stack map: its thread, and with --percpu (or a cpu
 * sort key) its CPU + 1 above it (0: unknown), so that each CPU counts apart
 */
#define TAG_CPU_SHIFT 32

static u64 profile_tag(const struct profile *p, int tid, int cpu)
{
	return (u64)(u32)tid | (p->percpu && cpu >= 0 ? (u64)(cpu + 1) << TAG_CPU_SHIFT : 0);
}

static int tag_tid(u64 tag)
{
	return (int)(u32)tag;
}

/* the CPU of a tag, -1 when unknown */
static int tag_cpu(u64 tag)
{
	return (int)(tag >> TAG_CPU_SHIFT) - 1;
}

/* what --than weighs: the thread, or with --percpu the CPU */
static u64 tag_than(const struct profile *p, u64 tag)
{
	return p->percpu ? tag >> TAG_CPU_SHIFT : (u64)(u32)tag;
}

static const char *const profile_attrs[] = { "alias", "period", "freq", "max-stack", NULL };

static void profile_opts_init(void *p)
{
	struct profile_opts *o = p;

	o->sort = "comm,pid,dso,sym";
	o->top = 30;
	o->max_stacks = 1000000;
}

static int profile_parse_sort(struct profile *p, const char *sort, struct err *err)
{
	char *s = xstrdup(sort), *save = NULL;
	bool used[SK_NR] = { false };
	int ret = 0;

	for (char *w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int k = 0;

		while (k < SK_NR && strcmp(w, sk_names[k]))
			k++;
		if (k == SK_NR || used[k]) {
			err_set(err, EXIT_USAGE, "%s sort key '%s' in --sort '%s'",
				k == SK_NR ? "unknown" : "repeated", w, sort);
			err_hint(err, "sort by cpu, comm, pid, dso and sym, in any order: --sort dso,sym");
			ret = -1;
			break;
		}
		used[k] = true;
		p->sort[p->nr_sort++] = k;
	}
	/* counting per CPU puts the CPU first, unless --sort places it */
	if (!ret && p->percpu && !used[SK_CPU]) {
		memmove(p->sort + 1, p->sort, (size_t)p->nr_sort * sizeof(*p->sort));
		p->sort[0] = SK_CPU;
		p->nr_sort++;
	}
	/* and sorting by CPU counts per CPU */
	p->percpu |= used[SK_CPU];
	if (!ret && !p->nr_sort) {
		err_set(err, EXIT_USAGE, "empty --sort");
		err_hint(err, "sort by cpu, comm, pid, dso and sym, in any order: --sort dso,sym");
		ret = -1;
	}
	free(s);
	return ret;
}

/* prepare - cpu-clock unless -e says otherwise, stacks always */
static int profile_prepare(struct prof *prof, struct err *err)
{
	const struct profile_opts *o = prof->opts;
	struct strlist *l = &prof->opt.events;

	if (o->user_only && o->kernel_only) {
		err_set(err, EXIT_USAGE, "--user-only and --kernel-only exclude each other");
		err_hint(err, "keep one, or neither for both");
		return -1;
	}
	if (o->than < 0 || o->than > 100) {
		err_set(err, EXIT_USAGE, "invalid '--than %d': a share of one CPU in percent, 0-100",
			o->than);
		return -1;
	}
	if (!l->n) {
		l->v = xrealloc(l->v, sizeof(*l->v));
		l->v[l->n++] = "cpu-clock";
	}
	if (!prof->opt.freq && !prof->opt.period)
		prof->opt.freq = PROFILE_FREQ;
	prof->opt.callgraph = true;
	/* the other mode's samples are not taken at all (the filters below are a second net) */
	if (o->user_only) {
		prof->opt.kernel_callchain = false;
		prof->opt.exclude_kernel = true;
	}
	if (o->kernel_only) {
		prof->opt.user_callchain = false;
		prof->opt.exclude_user = true;
	}
	return 0;
}

/* ------------------------------------------------------------ outputs */

static const char *profile_root(void *ctx, const struct stackmap *m, u32 id)
{
	struct profile *p = ctx;

	return prof__comm(p->prof, tag_tid(stackmap__tag(m, id)));
}

/* profile_kept - @id's thread is above --than (every thread without it) */
static bool profile_kept(const struct profile *p, const struct stackmap *m, u32 id)
{
	const u64 *w;

	if (!p->than_ns)
		return true;
	w = hashmap__find(p->tid_weight, tag_than(p, stackmap__tag(m, id)));
	return w && *w >= p->than_ns;
}

static bool profile_values(void *ctx, const struct stackmap *m, u32 id, u64 *count, u64 *weight)
{
	struct profile *p = ctx;

	stackmap__values(m, id, p->view_whole, count, weight);
	return *count && profile_kept(p, m, id);
}

static struct stackmap_view profile_view(struct profile *p)
{
	return (struct stackmap_view){
		.root = profile_root, .values = profile_values, .ctx = p, .whole = true,
		.root_label = "comm", .count_type = "samples", .count_unit = "count",
		.weight_type = "cpu", .weight_unit = "nanoseconds",
	};
}

/* the threads at or above --than's share of one CPU over @elapsed_ns */
static void profile_than(struct profile *p, bool whole, u64 elapsed_ns)
{
	u32 id;

	p->than_ns = 0;
	if (!p->tid_weight)
		return;
	hashmap__reset(p->tid_weight);
	stackmap__for_each(p->stacks, id) {
		u64 count, weight, *w;

		stackmap__values(p->stacks, id, whole, &count, &weight);
		/* a CPU is busy when it runs anything but its idle task */
		if (p->percpu && !tag_tid(stackmap__tag(p->stacks, id)))
			continue;
		w = hashmap__get(p->tid_weight, tag_than(p, stackmap__tag(p->stacks, id)));
		if (w)
			*w += weight;
	}
	p->than_ns = elapsed_ns * (u64)((const struct profile_opts *)p->prof->opts)->than / 100;
	if (!p->than_ns)
		p->than_ns = 1;
}

/* profile_outs_open - the files named, created now (a bad path fails before the run) */
static int profile_outs_open(struct prof *prof, struct profile *p, struct err *err)
{
	const struct profile_opts *o = prof->opts;
	const char *paths[3] = { prof->opt.flame_graph, o->folded, o->pprof };
	struct stackmap_view v = profile_view(p);

	for (int i = 0; i < 3; i++) {
		if (!paths[i])
			continue;
		/* --folded -: after the report, in the report's stream (a pipe, a host's memory) */
		p->outs[i] = i == 1 && !strcmp(paths[i], "-") ? stackout__new_stream(prof->out, &v) :
								  stackout__new(paths[i], &v, err);
		if (!p->outs[i])
			return -1;
	}
	return 0;
}

/*
 * profile_outs_add - the report's stacks (the view's: its counts, --than's
 * threads) into every file; a @snapshot label puts them under a root frame
 * of their own (with -i, one per interval)
 */
static void profile_outs_add(struct prof *prof, const char *snapshot)
{
	struct profile *p = prof->priv;
	struct stackmap_view v = profile_view(p);
	struct err err;

	for (int i = 0; i < 3; i++)
		if (p->outs[i] && stackout__add(p->outs[i], p->stacks, &v, snapshot, &err)) {
			stackout__delete(p->outs[i]);
			p->outs[i] = NULL;
			prof__fail(prof, &err);
		}
	p->snapshots++;
}

static void profile_outs_close(struct prof *prof)
{
	struct profile *p = prof->priv;
	struct err err;

	for (int i = 0; i < 3; i++) {
		struct stackout *o = p->outs[i];
		char *path;

		if (!o)
			continue;
		p->outs[i] = NULL;
		path = xstrdup(stackout__path(o));
		if (stackout__close(o, &err))
			prof__fail(prof, &err);
		else if (!prof->opt.quiet && strcmp(path, "-"))
			fprintf(prof__diag(prof), "perf-prof profile: %llu samples written to '%s'%s\n",
				(unsigned long long)p->total, path,
				p->snapshots > 1 ? " (a snapshot per interval)" : "");
		free(path);
	}
}

/* -------------------------------------------------------------- rows */

static u64 profile_label(struct profile *p, const char *s)
{
	return stackmap__label(p->stacks, s ? s : "[unknown]");
}

/* the stack's row: its parts that --sort names, the others 0 */
static void profile_row_key(struct profile *p, u32 id, u64 *key)
{
	struct sym_frame f;
	bool want[SK_NR] = { false };

	for (int i = 0; i < p->nr_sort; i++)
		want[p->sort[i]] = true;
	memset(key, 0, SK_NR * sizeof(*key));
	if (want[SK_CPU])
		key[SK_CPU] = (u64)(u32)tag_cpu(stackmap__tag(p->stacks, id));
	if (want[SK_COMM])
		key[SK_COMM] = profile_label(p, prof__comm(p->prof, tag_tid(stackmap__tag(p->stacks, id))));
	if (want[SK_PID])
		key[SK_PID] = (u64)(u32)stackmap__pid(p->stacks, id);
	if (want[SK_DSO] || want[SK_SYM]) {
		stackmap__leaf(p->stacks, id, &f);
		if (want[SK_DSO])
			key[SK_DSO] = profile_label(p, f.dso);
		if (want[SK_SYM])
			key[SK_SYM] = profile_label(p, f.name);
	}
}

static int prow_cmp(const void *a, const void *b, void *ctx)
{
	const struct prow *x = a, *y = b;

	(void)ctx;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return 0;
}

static u64 profile_rows(struct profile *p, struct hashmap *rows, bool whole)
{
	u64 total = 0, key[SK_NR];
	u32 id;

	stackmap__for_each(p->stacks, id) {
		u64 count, weight;
		struct prow *r;

		stackmap__values(p->stacks, id, whole, &count, &weight);
		if (!count || !profile_kept(p, p->stacks, id))
			continue;
		profile_row_key(p, id, key);
		r = hashmap__kget(rows, key);
		if (!r)
			continue;
		r->count += count;
		r->weight += weight;
		total += count;
	}
	return total;
}

static void profile_row_text(struct profile *p, FILE *out, const u64 *key)
{
	for (int i = 0; i < p->nr_sort; i++) {
		int k = p->sort[i];
		bool last = i == p->nr_sort - 1;

		if (k == SK_PID) {
			fprintf(out, " %7d", (int)(u32)key[k]);
			continue;
		}
		if (k == SK_CPU) {
			if ((int)(u32)key[k] < 0)
				fprintf(out, " %4s", "-");
			else
				fprintf(out, " %4d", (int)(u32)key[k]);
			continue;
		}
		fprintf(out, last ? " %s" : k == SK_COMM ? " %-16s" : " %-24s",
			stackmap__label_str(p->stacks, key[k]));
	}
	fputc('\n', out);
}

static void profile_print_text(struct profile *p, FILE *out, struct hashmap *rows, void **v,
			       size_t n, u64 total, int top)
{
	static const char *const titles[SK_NR] = { "CPU", "COMM", "PID", "DSO", "SYMBOL" };

	fprintf(out, "   SHARE  SAMPLES");
	for (int i = 0; i < p->nr_sort; i++) {
		int k = p->sort[i];
		bool last = i == p->nr_sort - 1;

		fprintf(out, k == SK_PID ? " %7s" : k == SK_CPU ? " %4s" : last ? " %s" :
			     k == SK_COMM ? " %-16s" : " %-24s", titles[k]);
	}
	fputc('\n', out);
	for (size_t i = 0; i < n && (!top || i < (size_t)top); i++) {
		const struct prow *r = v[i];

		fprintf(out, "%7.2f%% %8llu", total ? 100.0 * (double)r->count / (double)total : 0.0,
			(unsigned long long)r->count);
		profile_row_text(p, out, hashmap__kkey(rows, r));
	}
}

static void profile_print_json(struct prof *prof, struct hashmap *rows, void **v, size_t n,
			       u64 total, u64 lost, const char *kind, u64 elapsed_ns, int top)
{
	struct profile *p = prof->priv;
	struct json j;

	report__json_begin(&j, prof->out, kind);
	json_uint(&j, "samples", total);
	json_uint(&j, "lost", lost);
	json_uint(&j, "elapsed_ns", elapsed_ns);
	json_arr_begin(&j, "rows");
	for (size_t i = 0; i < n && (!top || i < (size_t)top); i++) {
		const struct prow *r = v[i];
		const u64 *key = hashmap__kkey(rows, r);

		json_obj_begin(&j, NULL);
		for (int s = 0; s < p->nr_sort; s++) {
			int k = p->sort[s];

			if (k == SK_PID)
				json_int(&j, "pid", (int)(u32)key[k]);
			else if (k == SK_CPU)
				json_int(&j, "cpu", (int)(u32)key[k]);
			else
				json_str(&j, sk_names[k], stackmap__label_str(p->stacks, key[k]));
		}
		json_uint(&j, "samples", r->count);
		json_double(&j, "share", total ? 100.0 * (double)r->count / (double)total : 0.0);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
}

/* ------------------------------------------------- in-kernel counting */

/* profile_bpf_chain - a count's two stacks as one callchain with its markers */
static u32 profile_bpf_chain(struct profile *p, const struct bpf_key *k)
{
	u32 n = 0;

	for (int part = 0; part < 2; part++) {
		const u64 *ips = k->ips + part * PROFILE_MAX_DEPTH;

		if (!ips[0])
			continue;
		p->chain[n++] = part ? PERF_CONTEXT_USER : PERF_CONTEXT_KERNEL;
		for (int d = 0; d < PROFILE_MAX_DEPTH && ips[d]; d++)
			p->chain[n++] = ips[d];
	}
	return n;
}

/*
 * profile_bpf_count - what the program counted of one (thread, stack) since
 * the last read joins the stack map: interned again at each read (a hash,
 * no allocation once known), the stack's aux remembers what was read of it.
 * Returns the samples not kept (over --max-stacks: the whole count, at
 * every read).
 */
static u64 profile_bpf_count(struct profile *p, const struct bpf_key *key,
			     const struct bpf_val *val)
{
	struct bpf_seen *s;
	u32 id = stackmap__intern(p->stacks, profile_tag(p, (int)key->tid, (int)key->cpu - 1),
				  (int)key->pid, p->chain, profile_bpf_chain(p, key), NULL);

	if (!id)
		return val->count;
	s = stackmap__aux(p->stacks, id);
	if (val->count > s->count) {
		stackmap__add(p->stacks, id, val->count - s->count, val->period - s->period);
		p->samples += val->count - s->count;
		p->total += val->count - s->count;
	}
	s->count = val->count;
	s->period = val->period;
	return 0;
}

/*
 * profile_bpf_batches - the counts PROFILE_BPF_BATCH at a time (one bpf()
 * call each, and no hash of a 2 KB key per lookup); -1 when the kernel
 * cannot (before 5.6), before anything was read
 */
static int profile_bpf_batches(struct profile *p, int fd, u64 *unkept)
{
	u32 batch = 0;
	bool first = true;

	for (;;) {
		u32 n = PROFILE_BPF_BATCH;
		int e = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, p->keys, p->vals,
					     &n, NULL);

		if (e && errno != ENOENT && first)
			return -1;
		for (u32 i = 0; i < n && (!e || errno == ENOENT); i++)
			*unkept += profile_bpf_count(p, &p->keys[i], &p->vals[i]);
		if (e)
			return 0;
		first = false;
	}
}

/* profile_bpf_read - what the program counted since the last read joins the stack map */
static void profile_bpf_read(struct profile *p)
{
	int fd, sfd, ncpu = libbpf_num_possible_cpus();
	struct bpf_key *key = p->keys, *prev = NULL;
	u64 *per_cpu, unkept = 0;

	if (!p->skel)
		return;
	fd = bpf_map__fd(p->skel->maps.counts);
	if (profile_bpf_batches(p, fd, &unkept)) {
		/* key by key: two bpf() calls per count */
		while (!bpf_map_get_next_key(fd, prev, key)) {
			prev = key;
			if (!bpf_map_lookup_elem(fd, key, &p->vals[0]))
				unkept += profile_bpf_count(p, key, &p->vals[0]);
		}
	}
	p->bpf_unkept = unkept;
	/* what the program could not count, summed over the CPUs */
	sfd = bpf_map__fd(p->skel->maps.stats);
	per_cpu = xzalloc((size_t)(ncpu > 0 ? ncpu : 1) * sizeof(*per_cpu));
	for (u32 i = 0; i < ST_NR; i++) {
		u64 sum = 0;

		if (bpf_map_lookup_elem(sfd, &i, per_cpu))
			continue;
		for (int c = 0; c < ncpu; c++)
			sum += per_cpu[c];
		p->bpf_stats[i] = sum;
	}
	free(per_cpu);
}

/* libbpf's messages (the verifier's log) are for -v; the reason is said in one line */
static int profile_bpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/*
 * profile_fixed_period - whether the one event samples on a fixed period,
 * so that its count says how many samples it took (the program's gap
 * check): the kernel's clocks turn a frequency into a period themselves
 */
static bool profile_fixed_period(const struct prof *prof)
{
	const struct evspec *ev = prof->nr_evs == 1 ? prof->evs[0] : NULL;

	if (!ev)
		return false;
	if (ev->kind == EVSPEC_PMU && (!strcmp(ev->name, "cpu-clock") ||
				       !strcmp(ev->name, "task-clock")))
		return true;
	return ev->period || (prof->opt.period && !ev->freq);
}

static int profile_bpf_load(struct prof *prof, struct profile *p, struct err *err)
{
	const struct profile_opts *o = prof->opts;
	char why[320];
	int e;

	/* no feature probe: it would parse the kernel's BTF, which this program does not need */
	p->skel = pp_profile__open();
	if (!p->skel) {
		snprintf(why, sizeof(why), "cannot open the BPF program: %s", strerror(errno));
		goto fallback;
	}
	p->skel->rodata->user_only = o->user_only;
	p->skel->rodata->percpu = p->percpu;
	p->skel->rodata->kernel_only = o->kernel_only;
	p->skel->rodata->gaps = profile_fixed_period(prof);
	p->skel->rodata->task_events = prof->opt.workload || prof->opt.pids || prof->opt.tids;
	/* bounded: stacks and counts beyond these are counted as lost, not kept */
	bpf_map__set_max_entries(p->skel->maps.counts, PROFILE_BPF_COUNTS);
	{
		libbpf_print_fn_t old = prof->opt.verbose ? NULL : libbpf_set_print(profile_bpf_quiet);

		e = pp_profile__load(p->skel);
		if (!prof->opt.verbose)
			libbpf_set_print(old);
	}
	if (e) {
		snprintf(why, sizeof(why), "the kernel refused the BPF program: %s", strerror(-e));
		pp_profile__destroy(p->skel);
		p->skel = NULL;
		goto fallback;
	}
	p->keys = xzalloc(PROFILE_BPF_BATCH * sizeof(*p->keys));
	p->vals = xzalloc(PROFILE_BPF_BATCH * sizeof(*p->vals));
	p->chain = xzalloc((PROFILE_MAX_DEPTH * 2 + 2) * sizeof(u64));
	return 0;
fallback:
	if (prof->opt.bpf) {
		err_set(err, EXIT_FAIL, "cannot count stacks in the kernel: %s", why);
		err_hint(err, "drop --bpf: the samples then go through the rings");
		return -1;
	}
	if (!prof->opt.quiet)
		fprintf(prof__diag(prof), "perf-prof profile: counting samples in user space: %s\n",
			why);
	return 0;
}

/*
 * profile_bpf_procs - the mappings of the processes that run already: the
 * ring path pins a process image at its first sample, the BPF path only
 * when it reads the maps, when a process that ran before the run (and has
 * no mmap records) may be gone. -p's processes, or every process.
 */
static void profile_bpf_procs(struct prof *prof)
{
	struct syms *syms = prof->env->syms;
	struct dirent *d;
	DIR *dir;

	if (!syms || prof->opt.workload || prof->opt.tids)
		return;
	if (prof->opt.pids) {
		char *end;

		for (const char *c = prof->opt.pids; *c; c = *end ? end + 1 : end) {
			long pid = strtol(c, &end, 10);

			if (end == c)
				break;
			syms__proc_maps(syms, (int)pid);
		}
		return;
	}
	dir = opendir("/proc");
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			syms__proc_maps(syms, atoi(d->d_name));
	closedir(dir);
}

/* opened - the program on every perf fd of every event: it counts, the rings stay quiet */
static int profile_opened(struct prof *prof, struct err *err)
{
	struct profile *p = prof->priv;
	int pfd, max = 0, *fds = NULL;

	if (!p->skel)
		return 0;
	pfd = bpf_program__fd(p->skel->progs.pp_profile);
	for (int i = 0; i < prof->nr_evs; i++) {
		int n = prof__event_fds(prof, prof->evs[i], NULL, 0);

		if (n > max) {
			max = n;
			fds = xrealloc(fds, (size_t)n * sizeof(*fds));
		}
		n = prof__event_fds(prof, prof->evs[i], fds, n);
		for (int f = 0; f < n; f++)
			if (ioctl(fds[f], PERF_EVENT_IOC_SET_BPF, pfd)) {
				err_set(err, EXIT_FAIL, "cannot attach the BPF program to '%s': %s",
					prof->evs[i]->display, strerror(errno));
				err_hint(err, "--no-bpf counts the samples in user space");
				free(fds);
				return -1;
			}
	}
	free(fds);
	profile_bpf_procs(prof);
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof profile: samples counted in the kernel (BPF)\n");
	return 0;
}

/* ------------------------------------------------------- report cycle */

/* profile_lost - samples taken and not counted so far */
static u64 profile_lost(struct prof *prof)
{
	struct profile *p = prof->priv;

	if (p->skel)
		return p->bpf_stats[ST_FULL] + p->bpf_unkept;
	return prof__lost(prof) + p->drops;
}

static void profile_print(void *ctx, bool whole, const char *kind, u64 elapsed_ns)
{
	struct prof *prof = ctx;
	struct profile *p = prof->priv;
	const struct profile_opts *o = prof->opts;
	struct hashmap *rows = hashmap__new_keys(SK_NR * sizeof(u64), sizeof(struct prow), 0);
	u64 lost = profile_lost(prof);
	u64 total;
	size_t n = 0;
	void **v;

	if (!whole)
		lost -= p->lost_mark;
	profile_than(p, whole, elapsed_ns);
	total = profile_rows(p, rows, whole);
	v = hashmap__sorted(rows, prow_cmp, NULL, &n);
	/* with -i the files take each interval as a snapshot, as the table does */
	if (prof->opt.interval && !whole && !strcmp(kind, "interval")) {
		char label[64];

		wall_time_str(label, sizeof(label));
		p->view_whole = false;
		profile_outs_add(prof, label);
		p->view_whole = true;
	}
	if (prof->opt.json) {
		profile_print_json(prof, rows, v, n, total, lost, kind, elapsed_ns, o->top);
	} else {
		report__header(prof->out, "profile", kind, "%llu samples in %.3f s, %llu lost",
			       (unsigned long long)total, (double)elapsed_ns / 1e9,
			       (unsigned long long)lost);
		profile_print_text(p, prof->out, rows, v, n, total, o->top);
	}
	fflush(prof->out);
	free(v);
	hashmap__free(rows);
}

static void profile_merge(void *ctx)
{
	struct prof *prof = ctx;
	struct profile *p = prof->priv;

	stackmap__interval_end(p->stacks);
	p->samples = 0;
	p->lost_mark = profile_lost(prof);
}

static const struct report_ops profile_report = { profile_print, profile_merge };

static void profile_interval(struct prof *prof)
{
	struct profile *p = prof->priv;

	profile_bpf_read(p);
	report__interval(&p->cycle, &profile_report, prof, "interval");
}

static void profile_sigusr1(struct prof *prof)
{
	struct profile *p = prof->priv;

	profile_bpf_read(p);
	report__signal(&p->cycle, &profile_report, prof);
}

static void profile_final(struct prof *prof)
{
	struct profile *p = prof->priv;
	const struct profile_opts *o = prof->opts;

	profile_bpf_read(p);
	report__final(&p->cycle, &profile_report, prof);
	/*
	 * the files hold the whole run (--than applies to them as to the
	 * report), or its intervals' snapshots: a run shorter than one
	 * interval is one snapshot
	 */
	if (!p->snapshots) {
		char label[64];

		wall_time_str(label, sizeof(label));
		profile_than(p, true, now_ns() - p->cycle.start);
		profile_outs_add(prof, prof->opt.interval ? label : NULL);
	}
	profile_outs_close(prof);
	if (p->bpf_stats[ST_KSTACK] || p->bpf_stats[ST_USTACK])
		fprintf(prof__diag(prof), "perf-prof profile: %llu kernel and %llu user stacks could "
					  "not be taken (counted without them)\n",
			(unsigned long long)p->bpf_stats[ST_KSTACK],
			(unsigned long long)p->bpf_stats[ST_USTACK]);
	if (p->skel && (p->bpf_stats[ST_FULL] || p->bpf_unkept))
		fprintf(prof__diag(prof), "perf-prof profile: %llu samples lost: %llu over the "
					  "kernel map's %u counts, %llu over --max-stacks\n",
			(unsigned long long)(p->bpf_stats[ST_FULL] + p->bpf_unkept),
			(unsigned long long)p->bpf_stats[ST_FULL], PROFILE_BPF_COUNTS,
			(unsigned long long)p->bpf_unkept);
	if (p->bpf_stats[ST_GAP])
		fprintf(prof__diag(prof), "perf-prof profile: %llu samples owed by the event's count "
					  "were not counted: the kernel skips the BPF program on a CPU "
					  "busy with BPF (another program, a bpf() map operation in "
					  "progress), and a timer late by more than a period takes one "
					  "sample for several (seen on idle CPUs in VMs)\n",
			(unsigned long long)p->bpf_stats[ST_GAP]);
	if (prof->opt.verbose && (o->user_only || o->kernel_only))
		fprintf(prof__diag(prof), "perf-prof profile: %llu samples of the other mode dropped "
					  "here (the kernel excludes them)\n",
			(unsigned long long)(p->skel ? p->bpf_stats[ST_FILTERED] : p->filtered));
	if (!p->skel && p->drops)
		fprintf(prof__diag(prof), "perf-prof profile: %llu samples lost over --max-stacks\n",
			(unsigned long long)p->drops);
}

/* ------------------------------------------------------ ring counting */

static void profile_sample(struct prof *prof, const struct prof_sample *s)
{
	const struct profile_opts *o = prof->opts;
	struct profile *p = prof->priv;
	u32 id;

	if (unlikely((o->user_only && s->ip >= KERNEL_START) ||
		     (o->kernel_only && s->ip < KERNEL_START))) {
		p->filtered++;
		return;
	}
	id = stackmap__intern(p->stacks, profile_tag(p, s->tid, s->cpu), s->pid, s->ips,
			      (u32)s->nr_ips, NULL);
	if (unlikely(!id)) {
		p->drops++;
		return;
	}
	stackmap__add(p->stacks, id, 1, s->period);
	p->samples++;
	p->total++;
}

/* ------------------------------------------------------------- setup */

static int profile_check_out(const char *opt, const char *path, const char *const *exts,
			     struct err *err)
{
	for (int i = 0; exts[i]; i++)
		if (str_ends_with(path, exts[i]))
			return 0;
	err_set(err, EXIT_USAGE, "%s '%s': the file name must end in %s%s%s", opt, path, exts[0],
		exts[1] ? " or " : "", exts[1] ? exts[1] : "");
	err_hint(err, "--flame-graph FILE.svg, --folded FILE.folded, --pprof FILE.pb.gz");
	return -1;
}

static int profile_init(struct prof *prof, struct err *err)
{
	static const char *const folded[] = { ".folded", NULL };
	static const char *const pprof[] = { ".pb.gz", ".pprof", NULL };
	const struct profile_opts *o = prof->opts;
	struct profile *p = xzalloc(sizeof(*p));
	bool dwarf = prof->opt.call_graph && !strncmp(prof->opt.call_graph, "dwarf", 5);

	prof->priv = p;
	p->prof = prof;
	p->percpu = o->percpu;
	if (profile_parse_sort(p, o->sort, err))
		return -1;
	if (o->folded && strcmp(o->folded, "-") &&
	    profile_check_out("--folded", o->folded, folded, err))
		return -1;
	if (o->pprof && profile_check_out("--pprof", o->pprof, pprof, err))
		return -1;
	for (int i = 0; i < prof->nr_evs; i++)
		if (!prof->evs[i]->sampling) {
			err_set(err, EXIT_USAGE, "'%s' is not a sampling event", prof->evs[i]->display);
			err_hint(err, "profile samples perf events: cpu-clock (default), task-clock, "
				      "cycles on a machine with a PMU");
			return -1;
		}
	p->stacks = stackmap__new(prof->env, (u32)(o->max_stacks > UINT32_MAX ? UINT32_MAX :
						   o->max_stacks), sizeof(struct bpf_seen));
	if (o->than)
		p->tid_weight = hashmap__new(sizeof(u64), 0);
	p->view_whole = true;
	if (profile_outs_open(prof, p, err))
		return -1;
	report_cycle__init(&p->cycle);
	if (dwarf || prof->opt.no_bpf) {
		if (dwarf && prof->opt.bpf) {
			err_set(err, EXIT_USAGE, "--bpf and --call-graph dwarf: the stack copies are "
						 "unwound in user space");
			err_hint(err, "drop --bpf, or use frame-pointer stacks (-g)");
			return -1;
		}
		return 0;
	}
	return profile_bpf_load(prof, p, err);
}

static void profile_deinit(struct prof *prof)
{
	struct profile *p = prof->priv;

	if (!p)
		return;
	for (int i = 0; i < 3; i++)
		stackout__delete(p->outs[i]);
	pp_profile__destroy(p->skel);
	free(p->keys);
	free(p->vals);
	hashmap__free(p->tid_weight);
	free(p->chain);
	stackmap__delete(p->stacks);
	free(p);
	prof->priv = NULL;
}

#define PROFOPT(f) offsetof(struct profile_opts, f)

static const struct opt profile_opts[] = {
	{ OPT_STRING, 's', "sort", PROFOPT(sort), "KEYS",
	  "rows by these keys of the sampled address, any order: cpu,comm,pid,dso,sym "
	  "(default comm,pid,dso,sym; cpu counts per CPU)", NULL, false },
	{ OPT_INT, 0, "than", PROFOPT(than), "PCT",
	  "only threads (with --percpu: CPUs) busy at least PCT% of one CPU over the report's "
	  "time", NULL, false },
	{ OPT_BOOL, 0, "percpu", PROFOPT(percpu), NULL,
	  "count per CPU: a CPU column first, and --than keeps the busy CPUs", NULL, false },
	{ OPT_BOOL, 0, "user-only", PROFOPT(user_only), NULL,
	  "only samples taken in user space, user stacks only", NULL, false },
	{ OPT_BOOL, 0, "kernel-only", PROFOPT(kernel_only), NULL,
	  "only samples taken in the kernel, kernel stacks only", NULL, false },
	{ OPT_STRING, 0, "folded", PROFOPT(folded), "FILE.folded",
	  "the whole run's stacks in FlameGraph's folded format ('-': after the report)", NULL,
	  false },
	{ OPT_STRING, 0, "pprof", PROFOPT(pprof), "FILE.pb.gz",
	  "the whole run's stacks as a gzip'd pprof profile (go tool pprof, Pyroscope)", NULL,
	  false },
	{ OPT_INT, 0, "top", PROFOPT(top), "N", "print at most N rows (default 30; 0: all)", NULL,
	  false },
	{ OPT_U64, 0, "max-stacks", PROFOPT(max_stacks), "N",
	  "keep at most N distinct stacks; samples of more are lost and counted (default 1000000)",
	  NULL, false },
	OPT_TABLE_END,
};

const struct profiler profile_profiler = {
	.name = "profile",
	.summary = "where the CPU time goes: sampled stacks, hottest symbols, flame graphs, pprof",
	.synopsis = "perf-prof profile [-F HZ | -c PERIOD] [-e EVENT] [-C CPUS | -p PID | -t TID]\n"
		    "       [-g | --call-graph fp|dwarf[,SIZE]] [--user-only | --kernel-only]\n"
		    "       [--sort cpu,comm,pid,dso,sym] [--percpu] [--than PCT] [-i MS] [--json]\n"
		    "       [--flame-graph FILE.svg] [--folded FILE] [--pprof FILE.pb.gz]\n"
		    "       [--no-bpf | --bpf] [-- COMMAND [ARGS]]",
	.help =
		"Samples cpu-clock (-e picks another sampling event, e.g. cycles where the\n"
		"machine has a PMU) 999 times a second per CPU (-F, -c), every CPU by default,\n"
		"with kernel and user stacks, and reports the hottest sampled places: their\n"
		"share of the samples, count, and the --sort keys (comm, pid, dso, sym in any\n"
		"order; cpu too, which counts per CPU as --percpu does). A report every -i\n"
		"interval (over that interval), on SIGUSR1 (the current interval, nothing\n"
		"reset) and at exit (the whole run). --than PCT keeps only threads that used\n"
		"at least PCT% of one CPU; with --percpu, only CPUs that were busy at least\n"
		"PCT% of the time (the reference perf-prof's --than). --flame-graph FILE.svg\n"
		"(an interactive SVG), --folded FILE.folded and --pprof FILE.pb.gz write the\n"
		"whole run's stacks at exit, or with -i one snapshot per interval; --folded -\n"
		"writes them after the final report, in the report's stream.\n"
		"Samples are counted in the kernel by a BPF program where the kernel allows it\n"
		"(frame-pointer stacks): nothing goes through the rings per sample. --no-bpf\n"
		"counts them in user space from the rings, as --call-graph dwarf always does\n"
		"(user stacks copied and unwound); --bpf fails rather than fall back.\n"
		"\nEXAMPLES\n"
		"    perf-prof profile -F 999 -i 1000 --than 10\n"
		"    perf-prof profile --percpu --than 50 -i 1000 --sort cpu,comm,sym\n"
		"    perf-prof profile --flame-graph cpu.svg -- ./app\n"
		"    perf-prof profile -p 1234 --sort dso,sym --top 10 -i 2000\n"
		"    perf-prof profile --pprof cpu.pb.gz -C 0-1 -- sleep 5   (then: go tool pprof -top cpu.pb.gz)\n"
		"    perf-prof profile --call-graph dwarf --user-only --folded app.folded -- ./app\n"
		"    perf-prof profile --json --kernel-only -i 1000\n"
		"    perf-prof profile --json --folded - -p 1234 | tail -n +2 | flamegraph.pl > app.svg\n"
		"    perf-prof profile -i 10000 --pprof cpu.pb.gz   (then: go tool pprof -tags cpu.pb.gz)\n",
	.opts = profile_opts,
	.opts_size = sizeof(struct profile_opts),
	.opts_init = profile_opts_init,
	.attrs = profile_attrs,
	/* no -N: counted in the kernel, samples do not pass one by one */
	.common = (COMMON_ALL_EVENTS & ~(COMMON_ORDER | COMMON_EXIT_N)) | COMMON_SAMPLING,
	.help_example = "[-F HZ] [-i MS] [--flame-graph FILE.svg] [-C CPUS | -p PID | -- COMMAND]",
	.prepare = profile_prepare,
	.init = profile_init,
	.opened = profile_opened,
	.sample = profile_sample,
	.interval = profile_interval,
	.final = profile_final,
	.deinit = profile_deinit,
	.sigusr1 = profile_sigusr1,
};
