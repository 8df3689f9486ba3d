// SPDX-License-Identifier: GPL-2.0
/*
 * rundelay.c - scheduling latency, like bcc's runqlat: how long threads
 * wait for a CPU once they can run, from a wakeup (sched_wakeup,
 * sched_wakeup_new) or from being switched out still runnable (preempted,
 * yield) to the sched_switch that puts them on a CPU. Per process (per
 * thread with --perins) and cause: count, min, avg, p50, p95, p99, max,
 * total, a log2 histogram, then the worst waits with their CPU and the
 * thread that ran just before.
 *
 * Two paths, the same reports: by default BPF programs on the scheduler's
 * BTF tracepoints aggregate the waits in the kernel (lib/bpf/rundelay.bpf.c:
 * no record per switch, nothing for other tracers of the tracepoints) and
 * the reports read their maps; without BPF (--no-bpf, or a kernel that
 * cannot) the records are read on every CPU in time order (a wakeup on one
 * CPU, the switch-in on another). With -p/-t/a workload only the targets'
 * threads are kept, in the kernel or here.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "hashmap.h"
#include "json.h"
#include "latency.h"
#include "profiler.h"
#include "report.h"
#include "bpffilter.h"
#include "schedbpf.h"
#include "schedev.h"
#include "rundelay.h"
#include "rundelay.skel.h"

#define RD_MAX_TASKS (1u << 20)
#define RD_WORST 10

enum { RD_WAKEUP, RD_PREEMPT, RD_CAUSES };

enum { RD_UNKNOWN, RD_RUN, RD_WAIT, RD_OFF };

struct rd_opts {
	bool perins;
};

struct rd_task {
	u64 since;	/* RD_WAIT: runnable since */
	struct sched_owner own;	/* its process */
	u8 state;
	u8 why;		/* RD_WAKEUP, RD_PREEMPT */
};

/* one of the longest waits */
struct rd_wait {
	u64 ns;
	u64 time;	/* when it ended */
	int pid, tid, cpu, prev;
	u8 why;
};

struct rd_worst {
	struct rd_wait w[RD_WORST];
	int nr;
};

struct rd {
	struct sched_switch_fmt sw;
	struct field wake_pid, fork_parent, fork_child;
	struct sched_targets targets;
	struct hashmap *tasks;		/* tid -> struct rd_task */
	struct sched_cpus cpus;		/* the last switch seen on each CPU */
	struct lattab *stats, *whole;	/* rows (process or thread, cause) */
	struct rd_worst worst, worst_whole;
	u64 lost_resets;
	struct report_cycle cycle;
	struct prof *prof;
	struct pp_rundelay *skel;	/* the BPF path, NULL on the ring path */
	int ncpus;
};

static const char *const rd_names[RD_CAUSES] = { "wakeup", "preempt" };
static const bool rd_ns[RD_CAUSES] = { true, true };

/*
 * rd_bpf_open - the BPF path, when the options and the kernel allow it:
 * the default; --bpf insists on it, --no-bpf reads the records
 */
static int rd_bpf_open(struct prof *prof, struct rd *r, struct err *err)
{
	const struct rd_opts *o = prof->opts;
	int ret = schedbpf__choose(prof, "rundelay", NULL, err);

	if (ret <= 0)
		return ret;
	bpf__capture(true);
	r->skel = pp_rundelay__open();
	if (r->skel) {
		r->skel->rodata->sched_filter = r->targets.task_mode;
		r->skel->rodata->sched_follow = r->targets.follow;
		r->skel->rodata->perins = o->perins;
		r->skel->rodata->cpus_only = prof->opt.cpus != NULL;
		schedbpf__cpus_size(r->skel->maps.oncpus);
		ret = pp_rundelay__load(r->skel);
	}
	bpf__capture(false);
	if (!r->skel || ret) {
		pp_rundelay__destroy(r->skel);
		r->skel = NULL;
		return schedbpf__refused(prof, "rundelay", err);
	}
	r->ncpus = libbpf_num_possible_cpus();
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof rundelay: waits aggregated in the kernel "
			"(BPF on the sched_switch, sched_wakeup* and sched_process_fork BTF "
			"tracepoints)\n");
	return 0;
}

static int rd_prepare(struct prof *prof, struct err *err)
{
	struct rd *r = xzalloc(sizeof(*r));
	bool fork;

	prof->priv = r;
	r->prof = prof;
	fork = sched_targets__init(&r->targets, prof);
	if (rd_bpf_open(prof, r, err))
		return -1;
	if (!r->skel)
		sched__add_events(prof, fork);
	return 0;
}

/* rd_start - the BPF path: the targets into the kernel, then the programs on */
static int rd_start(struct prof *prof, struct err *err)
{
	struct rd *r = prof->priv;

	if (!r->skel)
		return 0;
	schedbpf__targets(prof, bpf_map__fd(r->skel->maps.targets));
	schedbpf__cpus(prof, bpf_map__fd(r->skel->maps.oncpus));
	if (pp_rundelay__attach(r->skel))
		return err_set(err, EXIT_FAIL, "cannot attach rundelay's BPF programs: %s",
			       strerror(errno));
	return 0;
}

static int rd_init(struct prof *prof, struct err *err)
{
	struct rd *r = prof->priv;

	r->stats = lattab__new(RD_CAUSES, true, 0);
	r->whole = lattab__new(RD_CAUSES, true, 0);
	report_cycle__init(&r->cycle);
	if (r->skel)
		return 0;
	if (sched_switch__init(&r->sw, prof->evs[SCHED_EV_SWITCH]->tp, err) ||
	    sched_wakeup__init(&r->wake_pid, prof->evs[SCHED_EV_WAKEUP]->tp, err))
		return -1;
	if (prof->nr_evs > SCHED_EV_FORK &&
	    sched_fork__init(&r->fork_parent, &r->fork_child, prof->evs[SCHED_EV_FORK]->tp, err))
		return -1;
	r->tasks = hashmap__new(sizeof(struct rd_task), RD_MAX_TASKS);
	sched_cpus__init(&r->cpus);
	return 0;
}

/* ------------------------------------------------------------------ */

static void rd_worst_add(struct rd_worst *b, const struct rd_wait *w)
{
	int i = b->nr < RD_WORST ? b->nr++ : RD_WORST - 1;

	if (i == RD_WORST - 1 && b->nr == RD_WORST && w->ns <= b->w[i].ns)
		return;
	/* insertion into the sorted list, longest first */
	while (i > 0 && b->w[i - 1].ns < w->ns) {
		b->w[i] = b->w[i - 1];
		i--;
	}
	b->w[i] = *w;
}

static void rd_account(struct rd *r, int tid, struct rd_task *k, int why, u64 d)
{
	const struct rd_opts *o = r->prof->opts;

	sched_owner__add(&k->own, r->stats, o->perins, tid, (unsigned)why, d);
}

static void rd_learn_pid(struct rd *r, int tid, struct rd_task *k, int pid)
{
	const struct rd_opts *o = r->prof->opts;

	sched_owner__learn(&k->own, r->stats, o->perins, tid, pid);
}

static struct rd_task *rd_task(struct rd *r, int tid)
{
	return sched_targets__task(&r->targets, r->tasks, tid);
}

/* rd_end - the wait of @tid (@k) ended at @time, when @after left @cpu to it */
static void rd_end(struct rd *r, int tid, struct rd_task *k, u64 time, int cpu, int after)
{
	struct rd_wait w = {
		.ns = time - k->since, .time = time, .pid = k->own.pid, .tid = tid,
		.cpu = cpu, .prev = after, .why = k->why,
	};

	rd_account(r, tid, k, k->why, w.ns);
	rd_worst_add(&r->worst, &w);
}

static void rd_switch(struct rd *r, const struct prof_sample *s)
{
	s64 prev, state, next;
	struct rd_task *k;
	int before;
	u64 last;

	if (field__read(&r->sw.prev_pid, s->raw, s->raw_size, &prev) ||
	    field__read(&r->sw.prev_state, s->raw, s->raw_size, &state) ||
	    field__read(&r->sw.next_pid, s->raw, s->raw_size, &next))
		return;
	k = rd_task(r, (int)prev);
	before = s->cpu >= 0 && s->cpu < r->cpus.nr ? r->cpus.cpu[s->cpu].next - 1 : -1;
	last = sched_cpus__switch(&r->cpus, s->cpu, (int)prev, (int)next, s->time, k != NULL);
	if (k) {
		rd_learn_pid(r, (int)prev, k, s->pid);
		/*
		 * it waits still: its switch-in was not seen; it came after the
		 * last switch seen here, whose next likely put it on
		 */
		if (k->state == RD_WAIT && k->since)
			rd_end(r, (int)prev, k, last > k->since && last < s->time ? last : k->since,
			       s->cpu, before);
		if (sched__state(&r->sw.states, (u64)state) == SCHED_PREEMPT) {
			k->state = RD_WAIT;
			k->why = RD_PREEMPT;
			k->since = s->time;
		} else {
			k->state = RD_OFF;
		}
	}
	k = rd_task(r, (int)next);
	if (!k)
		return;
	if (k->state == RD_WAIT && k->since)
		rd_end(r, (int)next, k, s->time, s->cpu, (int)prev);
	else if (k->state == RD_OFF)
		r->cpus.unseen++;	/* it slept, and its wakeup was not seen */
	k->state = RD_RUN;
	k->since = 0;
}

static void rd_wakeup(struct rd *r, const struct prof_sample *s)
{
	struct rd_task *k;
	s64 tid;

	if (field__read(&r->wake_pid, s->raw, s->raw_size, &tid))
		return;
	k = rd_task(r, (int)tid);
	/* woken on its CPU (before it switched out) or already waiting: no new wait */
	if (!k || k->state == RD_RUN || k->state == RD_WAIT)
		return;
	k->state = RD_WAIT;
	k->why = RD_WAKEUP;
	k->since = s->time;
}

static void rd_sample(struct prof *prof, const struct prof_sample *s)
{
	struct rd *r = prof->priv;
	s64 parent, child;

	switch (s->ev->pos) {
	case SCHED_EV_SWITCH:
		rd_switch(r, s);
		break;
	case SCHED_EV_WAKEUP:
	case SCHED_EV_WAKEUP_NEW:
		rd_wakeup(r, s);
		break;
	case SCHED_EV_FORK:
		if (!field__read(&r->fork_parent, s->raw, s->raw_size, &parent) &&
		    !field__read(&r->fork_child, s->raw, s->raw_size, &child))
			sched_targets__fork(&r->targets, (int)parent, (int)child);
		break;
	}
}

static void rd_task_exit(struct prof *prof, int pid, int tid, u64 time)
{
	struct rd *r = prof->priv;
	struct rd_task *k = hashmap__find(r->tasks, (u64)tid);

	(void)time;
	if (k) {
		rd_learn_pid(r, tid, k, pid);
		hashmap__del(r->tasks, (u64)tid);
	}
	sched_targets__exit(&r->targets, tid);
}

static void rd_lost(struct prof *prof, struct ring *ring, u64 n)
{
	struct rd *r = prof->priv;
	struct rd_task *k;
	size_t it;

	(void)ring;
	(void)n;
	hashmap__for_each(r->tasks, it, k) {
		k->state = RD_UNKNOWN;
		k->since = 0;
	}
	r->lost_resets++;
}

/* ------------------------------------------------------------------ */
/* the BPF path: the kernel's aggregates into the interval's table      */
/* ------------------------------------------------------------------ */

static void rd_bpf_worst(struct rd *r, u32 gen)
{
	int fd = bpf_map__fd(r->skel->maps.worst);
	struct rd_bpf_worst *v = xzalloc((size_t)r->ncpus * sizeof(*v));

	if (!bpf_map_lookup_elem(fd, &gen, v)) {
		for (int c = 0; c < r->ncpus; c++)
			for (int i = 0; i < RD_BPF_WORST; i++) {
				const struct rd_bpf_wait *b = &v[c].w[i];
				struct rd_wait w = {
					.ns = b->ns, .time = b->time, .pid = (int)b->pid,
					.tid = (int)b->tid, .cpu = (int)b->cpu, .prev = (int)b->prev,
					.why = b->cause == RD_BPF_PREEMPT ? RD_PREEMPT : RD_WAKEUP,
				};

				if (!b->ns)
					continue;
				schedbpf__name(r->prof->env->tasks, w.tid, b->comm);
				schedbpf__name(r->prof->env->tasks, w.prev, b->prev_comm);
				rd_worst_add(&r->worst, &w);
			}
		memset(v, 0, (size_t)r->ncpus * sizeof(*v));
		bpf_map_update_elem(fd, &gen, v, BPF_ANY);
	}
	free(v);
}

/* rd_bpf_collect - the generation written so far: switch, then read it out */
static void rd_bpf_collect(struct rd *r, bool both)
{
	u32 old = r->skel->bss->gen & 1;
	struct schedbpf b = {
		.stats_fd = bpf_map__fd(r->skel->maps.stats),
		.hist_fd = bpf_map__fd(r->skel->maps.hist),
		.ncpus = r->ncpus, .nr_ids = RD_CAUSES, .tasks = r->prof->env->tasks,
	};

	r->skel->bss->gen = old ^ 1;
	for (int g = 0; g < (both ? 2 : 1); g++, old ^= 1) {
		schedbpf__collect(&b, old, r->stats);
		rd_bpf_worst(r, old);
	}
}

/* ------------------------------------------------------------------ */
/* reports                                                              */
/* ------------------------------------------------------------------ */

/* rd_wait_pid - a wait's process: a new thread's is known after its first wait */
static int rd_wait_pid(const struct rd *r, const struct rd_wait *w)
{
	const struct rd_task *k = w->pid ? NULL : hashmap__find(r->tasks, (u64)w->tid);

	return k && k->own.pid ? k->own.pid : w->pid;
}

static void rd_print_worst(struct prof *prof, struct rd *r, const struct rd_worst *b)
{
	char d[32];

	if (!b->nr)
		return;
	fprintf(prof->out, "\nworst waits:\n%12s %-16s %7s %7s %4s %-8s %s\n", "wait", "COMM", "PID",
		"TID", "CPU", "cause", "after");
	for (int i = 0; i < b->nr; i++) {
		const struct rd_wait *w = &b->w[i];

		agg__fmt_duration(d, sizeof(d), w->ns);
		fprintf(prof->out, "%12s %-16s %7d %7d %4d %-8s %s[%d]\n", d,
			prof__comm(prof, w->tid), rd_wait_pid(r, w), w->tid, w->cpu, rd_names[w->why],
			prof__comm(prof, w->prev), w->prev);
	}
}

static void rd_print_json(struct prof *prof, struct lattab *tab, struct latrow **rows, size_t nr,
			  const struct rd_worst *b, const char *kind, u64 elapsed)
{
	const struct rd_opts *o = prof->opts;
	struct json j;

	report__json_begin(&j, prof->out, kind);
	json_double(&j, "interval", (double)elapsed / 1e9);
	json_arr_begin(&j, "rows");
	for (size_t i = 0; i < nr; i++) {
		int inst = lattab__row_inst(tab, rows[i]);

		json_obj_begin(&j, NULL);
		json_int(&j, o->perins ? "tid" : "pid", inst);
		json_str(&j, "comm", prof__comm(prof, inst));
		json_str(&j, "cause", rd_names[lattab__row_id(tab, rows[i])]);
		vstat__json(&j, "stats", &rows[i]->st);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "worst");
	for (int i = 0; i < b->nr; i++) {
		json_obj_begin(&j, NULL);
		json_uint(&j, "ns", b->w[i].ns);
		json_int(&j, "pid", rd_wait_pid(prof->priv, &b->w[i]));
		json_int(&j, "tid", b->w[i].tid);
		json_str(&j, "comm", prof__comm(prof, b->w[i].tid));
		json_int(&j, "cpu", b->w[i].cpu);
		json_str(&j, "cause", rd_names[b->w[i].why]);
		json_int(&j, "after", b->w[i].prev);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
}

static void rd_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct prof *prof = ctx;
	const struct rd_opts *o = prof->opts;
	struct rd *r = prof->priv;
	struct lattab *tab = whole ? r->whole : r->stats;
	const struct rd_worst *b = whole ? &r->worst_whole : &r->worst;
	size_t nr = 0;
	struct latrow **rows = lattab__sorted(tab, false, &nr);
	struct latprint lp = {
		.names = rd_names, .name_title = "cause", .ns = rd_ns,
		.inst_title = o->perins ? "TID" : "PID", .inst_comm = true,
		.tasks = prof->env->tasks,
	};

	if (prof->opt.json) {
		rd_print_json(prof, tab, rows, nr, b, kind, elapsed);
	} else {
		latency__header(prof->out, "rundelay", kind, lattab__values(rows, nr), "waits",
				elapsed);
		lattab__print(tab, rows, nr, prof->out, &lp);
		lattab__print_hists(tab, rows, nr, prof->out, &lp);
		rd_print_worst(prof, r, b);
	}
	free(rows);
	fflush(prof->out);
}

static void rd_merge(void *ctx)
{
	struct rd *r = ((struct prof *)ctx)->priv;

	lattab__merge(r->whole, r->stats);
	lattab__reset(r->stats);
	for (int i = 0; i < r->worst.nr; i++)
		rd_worst_add(&r->worst_whole, &r->worst.w[i]);
	r->worst.nr = 0;
}

static const struct report_ops rd_report_ops = { rd_print, rd_merge };

static void rd_interval(struct prof *prof)
{
	struct rd *r = prof->priv;

	if (r->skel)
		rd_bpf_collect(r, false);
	report__interval(&((struct rd *)prof->priv)->cycle, &rd_report_ops, prof, "interval");
}

static void rd_sigusr1(struct prof *prof)
{
	struct rd *r = prof->priv;

	if (r->skel)
		rd_bpf_collect(r, false);
	report__signal(&((struct rd *)prof->priv)->cycle, &rd_report_ops, prof);
}

static void rd_final(struct prof *prof)
{
	struct rd *r = prof->priv;
	u64 drops = 0, unseen = 0;

	if (r->skel) {
		/* no program runs any more: both generations are complete */
		pp_rundelay__detach(r->skel);
		rd_bpf_collect(r, true);
		drops = schedbpf__sum(bpf_map__fd(r->skel->maps.drops), r->ncpus);
		unseen = schedbpf__unseen(bpf_map__fd(r->skel->maps.cpu), r->skel->obj, r->ncpus);
	}
	report__final(&r->cycle, &rd_report_ops, prof);
	schedbpf__losses(prof, "rundelay", "waits", drops, r->skel ? unseen : r->cpus.unseen);
	if (r->lost_resets)
		fprintf(prof__diag(prof), "perf-prof rundelay: records were lost %llu times: the "
			"waits open then were left out\n", (unsigned long long)r->lost_resets);
	if (r->tasks && hashmap__drops(r->tasks))
		fprintf(prof__diag(prof), "perf-prof rundelay: %llu threads over %u were not "
			"followed\n", (unsigned long long)hashmap__drops(r->tasks), RD_MAX_TASKS);
}

static void rd_deinit(struct prof *prof)
{
	struct rd *r = prof->priv;

	if (!r)
		return;
	pp_rundelay__destroy(r->skel);
	lattab__delete(r->stats);
	lattab__delete(r->whole);
	hashmap__free(r->tasks);
	sched_cpus__exit(&r->cpus);
	sched_targets__free(&r->targets);
	free(r);
	prof->priv = NULL;
}

#define RDOPT(f) offsetof(struct rd_opts, f)
static const struct opt rd_opts[] = {
	{ OPT_BOOL, 0, "perins", RDOPT(perins), NULL,
	  "a row per thread (default: per process)", NULL, false },
	OPT_TABLE_END,
};

const struct profiler rundelay_profiler = {
	.name = "rundelay",
	.summary = "scheduling latency: wakeup or preemption to running, per process",
	.synopsis = "perf-prof rundelay [-C CPUS|-p PID|-t TID|-- CMD] [--perins] [-i MS] [--json] "
		    "[--bpf|--no-bpf]",
	.help =
		"How long threads wait for a CPU once they can run (bcc's runqlat): from a\n"
		"wakeup, or from being switched out still runnable (preempted), to running.\n"
		"Per process (per thread with --perins) and cause (wakeup, preempt): count,\n"
		"min, avg, p50, p95, p99, max, total, a log2 histogram, then the 10 worst\n"
		"waits with the CPU and the thread that ran before. The waits are aggregated\n"
		"in the kernel by BPF programs on the scheduler's BTF tracepoints (nothing is\n"
		"written per switch) where the kernel allows it (--bpf: or fail); --no-bpf\n"
		"reads every switch's record instead. With -p/-t/a workload only the\n"
		"targets' threads count.\n"
		"\nEXAMPLES\n"
		"    perf-prof rundelay -i 1000\n"
		"    perf-prof rundelay -C 0 --perins\n"
		"    perf-prof rundelay -- ./app\n"
		"    perf-prof rundelay --no-bpf -p 1234\n",
	.opts = rd_opts,
	.opts_size = sizeof(struct rd_opts),
	.common = COMMON_TARGET | COMMON_RING | COMMON_INTERVAL | COMMON_OUTPUT | COMMON_JSON,
	.pages = 1024,
	.order = true,
	.cpu_wide = true,
	.help_example = "[--perins] [-i MS]",
	.prepare = rd_prepare,
	.init = rd_init,
	.start = rd_start,
	.sample = rd_sample,
	.interval = rd_interval,
	.final = rd_final,
	.deinit = rd_deinit,
	.lost = rd_lost,
	.sigusr1 = rd_sigusr1,
	.task_exit = rd_task_exit,
};
