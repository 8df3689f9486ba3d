// SPDX-License-Identifier: GPL-2.0
/*
 * task-state.c - where the time of threads goes, state by state: on a CPU
 * (R), switched out still runnable (R+, preempted), sleeping (S), blocked
 * uninterruptibly (D), idle kernel threads (I), ..., and woken but waiting
 * for a CPU (RD). Built on sched_switch and sched_wakeup(_new), read on
 * every CPU in time order; a thread is a small state machine:
 *
 *   switch-out (prev_state) -> S/D/I/R+ ... -> wakeup -> RD -> switch-in -> R
 *
 * and each interval it ends is added to the row of (process or thread,
 * state): calls, total, min, p50, p95, p99, max.
 *
 * Off-CPU intervals (from leaving the CPU asleep to running again, what
 * bcc's offcputime measures) longer than --than are printed as they end,
 * with the stack where the thread blocked (-g: the switch-out's
 * callchain); --flame-graph draws every off-CPU interval's stack weighed
 * by its microseconds.
 *
 * Two paths, the same reports: where the options allow (no stacks, no
 * --than) BPF programs on the scheduler's BTF tracepoints run the
 * state machine in the kernel (lib/bpf/taskstate.bpf.c: nothing written
 * per switch, nothing for other tracers of the tracepoints) and each
 * report reads their rows; otherwise (or --no-bpf) the records are read
 * on every CPU in time order.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
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
#include "stackmap.h"
#include "taskstate.h"
#include "taskstate.skel.h"
#include "tep.h"

#define TS_MAX_TASKS (1u << 20)
#define TS_MAX_STACKS (1u << 16)

struct ts_opts {
	bool sleep_only;	/* -S */
	bool disk_only;		/* -D */
	bool perins;
	bool waker;
	u64 than;
};

/* one thread's state machine */
struct ts_task {
	u64 since;	/* when it entered @state; 0: not known yet */
	u64 off;	/* when it left its CPU asleep; 0: on a CPU, runnable, or not known */
	struct sched_owner own;	/* its process */
	u32 stack;	/* where it blocked (stack map id), 0: none */
	u32 waker;	/* --waker: the stack that woke it (referenced), 0: none */
	u8 state;	/* SCHED_* id */
	u8 off_state;
};

struct ts {
	struct sched_switch_fmt sw;
	struct field wake_pid, fork_parent, fork_child, waking_pid;
	int waking_pos;			/* --waker: sched_waking's ev->pos, 0: none */
	struct sched_targets targets;
	struct hashmap *tasks;		/* tid -> struct ts_task */
	struct sched_cpus cpus;		/* the last switch seen on each CPU */
	struct lattab *stats, *whole;	/* rows (process or thread, state) */
	bool keep[SCHED_MAX_STATES];	/* -S -D: the states reported */
	const char *names[SCHED_MAX_STATES];
	bool ns[SCHED_MAX_STATES];
	struct stackmap *stacks;	/* -g */
	struct stackout *fg;		/* --flame-graph */
	u64 fg_n;
	u64 *scratch;			/* --waker: a blocked stack's frames, copied */
	u32 scratch_nr;
	u64 lost_resets;
	struct report_cycle cycle;
	struct prof *prof;
	struct pp_taskstate *skel;	/* the BPF path, NULL on the ring path */
	int ncpus;
};

_Static_assert((int)TS_BPF_RUN == (int)SCHED_RUN && (int)TS_BPF_PREEMPT == (int)SCHED_PREEMPT &&
	       (int)TS_BPF_WAIT == (int)SCHED_WAIT && (int)TS_BPF_LETTERS == (int)SCHED_LETTERS &&
	       SCHED_MAX_STATES <= 32, "the BPF program's state ids are schedev.h's");

/* ------------------------------------------------------------------ */
/* setup                                                                */
/* ------------------------------------------------------------------ */

/* ts_states - the states of this kernel's sched_switch format (its print fmt) */
static int ts_states(struct prof *prof, struct ts *t, struct err *err)
{
	struct tep_handle *tep;
	struct tep_event *tp;
	int ret;

	if (prof->nr_evs > SCHED_EV_SWITCH)
		return sched_switch__init(&t->sw, prof->evs[SCHED_EV_SWITCH]->tp, err);
	/* the BPF path opens no event: the format is read for the map alone */
	tep = tep__new(NULL);
	tp = tep__load(tep, "sched", "sched_switch", err);
	ret = tp ? sched_switch__init(&t->sw, tp, err) : -1;
	tep__delete(tep);
	return ret;
}

/* ts_keep - the states reported: every one, or those of -S and -D */
static void ts_keep(struct ts *t)
{
	const struct ts_opts *o = t->prof->opts;
	int s_id = sched__state_id(&t->sw.states, "S");
	int d_id = sched__state_id(&t->sw.states, "D");

	for (int i = 0; i < t->sw.states.nr; i++) {
		t->names[i] = t->sw.states.names[i];
		t->ns[i] = true;
		t->keep[i] = !o->sleep_only && !o->disk_only;
	}
	if (o->sleep_only && s_id >= 0)
		t->keep[s_id] = true;
	if (o->disk_only && d_id >= 0)
		t->keep[d_id] = true;
}

/* ts_bpf_map - the format's states into the program: each bit's id, the kept ids */
static void ts_bpf_map(struct ts *t)
{
	struct pp_taskstate__rodata *ro = t->skel->rodata;
	const struct sched_states *st = &t->sw.states;
	int i_id = sched__state_id(st, "I"), d_id = sched__state_id(st, "D");

	for (unsigned b = 0; b < TS_BPF_BITS; b++) {
		if (!(st->letters & (1ULL << b)))
			continue;
		ro->by_bit[b] = st->by_bit[b];
		if (st->by_bit[b] == i_id)
			ro->idle_bit = 1u << b;	/* reported for TASK_IDLE, not for its own bit */
		else
			ro->report |= 1u << b;
		if (st->by_bit[b] == d_id && !ro->disk_bit)
			ro->disk_bit = 1u << b;
	}
	for (int i = 0; i < st->nr; i++)
		if (t->keep[i])
			ro->keep |= 1u << i;
}

/*
 * ts_bpf_open - the BPF path, when the options and the kernel allow it:
 * the default; --bpf insists on it; --no-bpf, -g and --than read the
 * records (stacks and single intervals are theirs)
 */
static int ts_bpf_open(struct prof *prof, struct ts *t, struct err *err)
{
	const struct ts_opts *o = prof->opts;
	const char *blocker = prof->opt.callgraph || prof->opt.call_graph ? "-g" :
			      o->than ? "--than" : NULL;
	int ret = schedbpf__choose(prof, "task-state", blocker, err);

	if (ret <= 0)
		return ret;
	if (ts_states(prof, t, err))
		return -1;
	ts_keep(t);
	bpf__capture(true);
	t->skel = pp_taskstate__open();
	if (t->skel) {
		t->skel->rodata->sched_filter = t->targets.task_mode;
		t->skel->rodata->sched_follow = t->targets.follow;
		t->skel->rodata->perins = o->perins;
		t->skel->rodata->cpus_only = prof->opt.cpus != NULL;
		schedbpf__cpus_size(t->skel->maps.oncpus);
		ts_bpf_map(t);
		ret = pp_taskstate__load(t->skel);
	}
	bpf__capture(false);
	if (!t->skel || ret) {
		pp_taskstate__destroy(t->skel);
		t->skel = NULL;
		return schedbpf__refused(prof, "task-state", err);
	}
	t->ncpus = libbpf_num_possible_cpus();
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof task-state: intervals aggregated in the kernel "
			"(BPF on the sched_switch, sched_wakeup* and sched_process_fork BTF "
			"tracepoints)\n");
	return 0;
}

static int ts_prepare(struct prof *prof, struct err *err)
{
	struct ts *t = xzalloc(sizeof(*t));
	bool fork;

	prof->priv = t;
	t->prof = prof;
	fork = sched_targets__init(&t->targets, prof);
	if (ts_bpf_open(prof, t, err))
		return -1;
	if (!t->skel) {
		sched__add_events(prof, fork);
		/*
		 * --waker: sched_waking runs in the waker's context; sched_wakeup
		 * may run on the wakee's CPU instead (a queued remote wakeup)
		 */
		if (((const struct ts_opts *)prof->opts)->waker) {
			struct strlist *l = &prof->opt.events;

			t->waking_pos = l->n;
			l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
			l->v[l->n++] = "sched:sched_waking";
		}
	}
	return 0;
}

/* ts_start - the BPF path: the targets into the kernel, then the programs on */
static int ts_start(struct prof *prof, struct err *err)
{
	struct ts *t = prof->priv;

	if (!t->skel)
		return 0;
	schedbpf__targets(prof, bpf_map__fd(t->skel->maps.targets));
	schedbpf__cpus(prof, bpf_map__fd(t->skel->maps.oncpus));
	if (pp_taskstate__attach(t->skel))
		return err_set(err, EXIT_FAIL, "cannot attach task-state's BPF programs: %s",
			       strerror(errno));
	return 0;
}

/*
 * A stack's tag is the thread it belongs to; a blocked stack joined with
 * the stack that woke it (--waker) is interned again with the waker's
 * stack id in the tag's upper half.
 */
static const char *ts_root(void *ctx, const struct stackmap *m, u32 id)
{
	struct ts *t = ctx;

	return prof__comm(t->prof, (int)(u32)stackmap__tag(m, id));
}

static u32 ts_join(void *ctx, const struct stackmap *m, u32 id)
{
	(void)ctx;
	return (u32)(stackmap__tag(m, id) >> 32);
}

static void ts_view(struct ts *t, struct stackmap_view *v)
{
	const struct ts_opts *o = t->prof->opts;

	*v = (struct stackmap_view){
		.root = ts_root, .ctx = t, .root_label = "comm", .whole = true, .by_weight = true,
		.count_type = "intervals", .count_unit = "count",
		.weight_type = "off-cpu", .weight_unit = "microseconds",
		.join = o->waker ? ts_join : NULL, .join_label = "waker",
	};
}

static int ts_init(struct prof *prof, struct err *err)
{
	struct ts *t = prof->priv;
	struct stackmap_view v;
	bool stacks = prof->opt.callgraph || prof->opt.call_graph;

	if (!t->skel && (ts_states(prof, t, err) ||
			 sched_wakeup__init(&t->wake_pid, prof->evs[SCHED_EV_WAKEUP]->tp, err)))
		return -1;
	if (prof->nr_evs > SCHED_EV_FORK &&
	    sched_fork__init(&t->fork_parent, &t->fork_child, prof->evs[SCHED_EV_FORK]->tp, err))
		return -1;
	if (t->waking_pos && sched_wakeup__init(&t->waking_pid, prof->evs[t->waking_pos]->tp, err))
		return -1;
	ts_keep(t);
	if (prof->opt.flame_graph && !stacks) {
		err_set(err, EXIT_USAGE, "--flame-graph needs stacks");
		err_hint(err, "add -g: the stacks are taken where threads leave their CPU");
		return -1;
	}
	if (((const struct ts_opts *)prof->opts)->waker && !prof->opt.flame_graph) {
		err_set(err, EXIT_USAGE, "--waker needs a flame graph");
		err_hint(err, "add -g --flame-graph FILE: the wakers' stacks are joined to the "
			      "blocked ones there");
		return -1;
	}
	t->tasks = hashmap__new(sizeof(struct ts_task), TS_MAX_TASKS);
	sched_cpus__init(&t->cpus);
	t->stats = lattab__new((unsigned)t->sw.states.nr, true, 0);
	t->whole = lattab__new((unsigned)t->sw.states.nr, true, 0);
	if (stacks)
		t->stacks = stackmap__new(prof->env, TS_MAX_STACKS, 0);
	if (prof->opt.flame_graph) {
		ts_view(t, &v);
		t->fg = stackout__new(prof->opt.flame_graph, &v, err);
		if (!t->fg)
			return -1;
	}
	report_cycle__init(&t->cycle);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the state machine                                                    */
/* ------------------------------------------------------------------ */

static void ts_account(struct ts *t, int tid, struct ts_task *k, int state, u64 d)
{
	const struct ts_opts *o = t->prof->opts;

	if (t->keep[state])
		sched_owner__add(&k->own, t->stats, o->perins, tid, (unsigned)state, d);
}

/* ts_learn_pid - the thread's process, from a sample it is current in */
static void ts_learn_pid(struct ts *t, int tid, struct ts_task *k, int pid)
{
	const struct ts_opts *o = t->prof->opts;

	sched_owner__learn(&k->own, t->stats, o->perins, tid, pid);
}

static struct ts_task *ts_task(struct ts *t, int tid)
{
	return sched_targets__task(&t->targets, t->tasks, tid);
}

/* ts_waker - @k's waker stack is @id now (0: none) */
static void ts_waker(struct ts *t, struct ts_task *k, u32 id)
{
	if (k->waker)
		stackmap__unref(t->stacks, k->waker);
	k->waker = id;
	if (id)
		stackmap__ref(t->stacks, id);
}

/*
 * ts_joined - --waker: @k's blocked stack joined with its waker's, as a
 * stack of its own (the frames copied first: interning may move them)
 */
static u32 ts_joined(struct ts *t, int tid, struct ts_task *k)
{
	u32 nr, id;
	const u64 *ips = stackmap__ips(t->stacks, k->stack, &nr);
	bool created = false;

	if (nr > t->scratch_nr) {
		t->scratch = xrealloc(t->scratch, nr * sizeof(*t->scratch));
		t->scratch_nr = nr;
	}
	memcpy(t->scratch, ips, nr * sizeof(*ips));
	id = stackmap__intern(t->stacks, (u64)k->waker << 32 | (u32)tid,
			      stackmap__pid(t->stacks, k->stack), t->scratch, nr, &created);
	if (created)
		stackmap__ref(t->stacks, k->waker);	/* for as long as the joined stack lives */
	return id ? id : k->stack;
}

/* ts_offcpu - an off-CPU interval of @d ns ended: --than, the flame graph */
static void ts_offcpu(struct ts *t, const struct prof_sample *s, int tid, struct ts_task *k,
		      u64 d)
{
	const struct ts_opts *o = t->prof->opts;
	struct prof *prof = t->prof;

	if (!t->keep[k->off_state])
		return;
	if (t->fg && k->stack) {
		stackmap__add(t->stacks, k->waker ? ts_joined(t, tid, k) : k->stack, 1, d / 1000);
		t->fg_n++;
	}
	if (!o->than || d <= o->than)
		return;
	if (prof->opt.json) {
		struct json j;

		json_begin(&j, prof->out);
		json_str(&j, "report", "off-cpu");
		json_uint(&j, "time", s->time);
		json_int(&j, "pid", k->own.pid);
		json_int(&j, "tid", tid);
		json_str(&j, "comm", prof__comm(prof, tid));
		json_str(&j, "state", t->names[k->off_state]);
		json_uint(&j, "ns", d);
		json_end(&j);
		return;
	}
	fprintf(prof->out, "%llu.%06llu %s[%d] pid %d off-cpu %s %.3f ms on CPU %d\n",
		(unsigned long long)(s->time / 1000000000ULL),
		(unsigned long long)(s->time % 1000000000ULL / 1000), prof__comm(prof, tid), tid,
		k->own.pid, t->names[k->off_state], (double)d / 1e6, s->cpu);
	if (k->stack)
		stackmap__print(t->stacks, k->stack, prof->out);
}

static void ts_switch(struct ts *t, const struct prof_sample *s)
{
	s64 prev, state, next;
	struct ts_task *k;
	u64 last;

	if (field__read(&t->sw.prev_pid, s->raw, s->raw_size, &prev) ||
	    field__read(&t->sw.prev_state, s->raw, s->raw_size, &state) ||
	    field__read(&t->sw.next_pid, s->raw, s->raw_size, &next))
		return;
	k = ts_task(t, (int)prev);
	last = sched_cpus__switch(&t->cpus, s->cpu, (int)prev, (int)next, s->time, k != NULL);
	if (k) {
		ts_learn_pid(t, (int)prev, k, s->pid);
		/*
		 * its switch-in was not seen (nor, if it slept, its wakeup): the
		 * state it was in ended then, after the last switch seen here
		 */
		if (k->since && k->state != SCHED_RUN) {
			u64 in = last > k->since && last < s->time ? last : k->since;

			ts_account(t, (int)prev, k, k->state, in - k->since);
			if (k->off)
				ts_offcpu(t, s, (int)prev, k, in - k->off);
			k->state = SCHED_RUN;
			k->since = in;
		}
		if (k->state == SCHED_RUN && k->since)
			ts_account(t, (int)prev, k, SCHED_RUN, s->time - k->since);
		k->state = (u8)sched__state(&t->sw.states, (u64)state);
		k->since = s->time;
		k->off = k->state >= SCHED_LETTERS ? s->time : 0;
		k->off_state = k->state;
		k->stack = 0;
		if (k->waker)
			ts_waker(t, k, 0);
		if (t->stacks && k->off && s->nr_ips)
			k->stack = stackmap__intern(t->stacks, (u64)prev, s->pid, s->ips,
						    (u32)s->nr_ips, NULL);
	}
	k = ts_task(t, (int)next);
	if (k) {
		if (k->since && k->state != SCHED_RUN)
			ts_account(t, (int)next, k, k->state, s->time - k->since);
		/* it slept, and its wakeup was not seen */
		if (k->since && k->state >= SCHED_LETTERS)
			t->cpus.unseen++;
		if (k->off)
			ts_offcpu(t, s, (int)next, k, s->time - k->off);
		k->state = SCHED_RUN;
		k->since = s->time;
		k->off = 0;
	}
}

static void ts_wakeup(struct ts *t, const struct prof_sample *s)
{
	struct ts_task *k;
	s64 tid;

	if (field__read(&t->wake_pid, s->raw, s->raw_size, &tid))
		return;
	k = ts_task(t, (int)tid);
	if (!k)
		return;
	/* woken on its CPU (before it switched out) or already runnable: nothing ends */
	if (k->since && (k->state == SCHED_RUN || k->state == SCHED_PREEMPT ||
			 k->state == SCHED_WAIT))
		return;
	if (k->since)
		ts_account(t, (int)tid, k, k->state, s->time - k->since);
	k->state = SCHED_WAIT;
	k->since = s->time;
}

/* ts_waking - --waker: the stack of the task waking a blocked thread (the record's current) */
static void ts_waking(struct ts *t, const struct prof_sample *s)
{
	struct ts_task *k;
	s64 tid;

	if (field__read(&t->waking_pid, s->raw, s->raw_size, &tid))
		return;
	k = hashmap__find(t->tasks, (u64)tid);
	if (k && k->off && k->stack && s->nr_ips)
		ts_waker(t, k, stackmap__intern(t->stacks, (u64)(u32)s->tid, s->pid, s->ips,
						(u32)s->nr_ips, NULL));
}

static void ts_fork(struct ts *t, const struct prof_sample *s)
{
	s64 parent, child;

	if (!field__read(&t->fork_parent, s->raw, s->raw_size, &parent) &&
	    !field__read(&t->fork_child, s->raw, s->raw_size, &child))
		sched_targets__fork(&t->targets, (int)parent, (int)child);
}

static void ts_sample(struct prof *prof, const struct prof_sample *s)
{
	struct ts *t = prof->priv;

	switch (s->ev->pos) {
	case SCHED_EV_SWITCH:
		ts_switch(t, s);
		break;
	case SCHED_EV_WAKEUP:
	case SCHED_EV_WAKEUP_NEW:
		ts_wakeup(t, s);
		break;
	default:
		if (s->ev->pos == SCHED_EV_FORK && s->ev->pos != t->waking_pos)
			ts_fork(t, s);
		else if (s->ev->pos == t->waking_pos)
			ts_waking(t, s);
		break;
	}
}

static void ts_task_exit(struct prof *prof, int pid, int tid, u64 time)
{
	struct ts *t = prof->priv;
	struct ts_task *k = hashmap__find(t->tasks, (u64)tid);

	if (k) {
		ts_learn_pid(t, tid, k, pid);
		/* its last time on a CPU: the final switch-out comes after this record */
		if (k->state == SCHED_RUN && k->since && time > k->since)
			ts_account(t, tid, k, SCHED_RUN, time - k->since);
		hashmap__del(t->tasks, (u64)tid);
	}
	sched_targets__exit(&t->targets, tid);
}

/* lost records: every thread's current interval is unknown now */
static void ts_lost(struct prof *prof, struct ring *ring, u64 n)
{
	struct ts *t = prof->priv;
	struct ts_task *k;
	size_t it;

	(void)ring;
	(void)n;
	hashmap__for_each(t->tasks, it, k) {
		k->since = 0;
		k->off = 0;
	}
	t->lost_resets++;
}

/* ------------------------------------------------------------------ */
/* reports                                                              */
/* ------------------------------------------------------------------ */

static void ts_print_json(struct prof *prof, struct ts *t, struct lattab *tab,
			  struct latrow **rows, size_t nr, const char *kind, u64 elapsed)
{
	const struct ts_opts *o = prof->opts;
	struct json j;

	report__json_begin(&j, prof->out, kind);
	json_double(&j, "interval", (double)elapsed / 1e9);
	json_arr_begin(&j, "rows");
	for (size_t i = 0; i < nr; i++) {
		int inst = lattab__row_inst(tab, rows[i]);

		json_obj_begin(&j, NULL);
		json_int(&j, o->perins ? "tid" : "pid", inst);
		json_str(&j, "comm", prof__comm(prof, inst));
		json_str(&j, "state", t->names[lattab__row_id(tab, rows[i])]);
		vstat__json(&j, "stats", &rows[i]->st);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
}

static void ts_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct prof *prof = ctx;
	const struct ts_opts *o = prof->opts;
	struct ts *t = prof->priv;
	struct lattab *tab = whole ? t->whole : t->stats;
	size_t nr = 0;
	struct latrow **rows = lattab__sorted(tab, false, &nr);
	struct latprint lp = {
		.names = t->names, .name_title = "state", .ns = t->ns,
		.inst_title = o->perins ? "TID" : "PID", .inst_comm = true,
		.tasks = prof->env->tasks,
	};

	if (prof->opt.json) {
		ts_print_json(prof, t, tab, rows, nr, kind, elapsed);
	} else {
		latency__header(prof->out, "task-state", kind, lattab__values(rows, nr),
				"intervals", elapsed);
		lattab__print(tab, rows, nr, prof->out, &lp);
	}
	free(rows);
	fflush(prof->out);
}

static void ts_merge(void *ctx)
{
	struct ts *t = ((struct prof *)ctx)->priv;

	lattab__merge(t->whole, t->stats);
	lattab__reset(t->stats);
}

static const struct report_ops ts_report_ops = { ts_print, ts_merge };

/* ts_bpf_collect - the BPF path: the generation written so far, read out after a switch */
static void ts_bpf_collect(struct ts *t, bool both)
{
	u32 old = t->skel->bss->gen & 1;
	struct schedbpf b = {
		.stats_fd = bpf_map__fd(t->skel->maps.stats),
		.hist_fd = bpf_map__fd(t->skel->maps.hist),
		.ncpus = t->ncpus, .nr_ids = (unsigned)t->sw.states.nr,
		.tasks = t->prof->env->tasks,
	};

	t->skel->bss->gen = old ^ 1;
	for (int g = 0; g < (both ? 2 : 1); g++, old ^= 1)
		schedbpf__collect(&b, old, t->stats);
}

static void ts_interval(struct prof *prof)
{
	struct ts *t = prof->priv;

	if (t->skel)
		ts_bpf_collect(t, false);
	report__interval(&t->cycle, &ts_report_ops, prof, "interval");
}

static void ts_sigusr1(struct prof *prof)
{
	struct ts *t = prof->priv;

	if (t->skel)
		ts_bpf_collect(t, false);
	report__signal(&t->cycle, &ts_report_ops, prof);
}

static void ts_final(struct prof *prof)
{
	struct ts *t = prof->priv;
	struct err err = { 0 };
	struct stackmap_view v;
	u64 drops = 0, unseen = 0;

	if (t->skel) {
		/* no program runs any more: both generations are complete */
		pp_taskstate__detach(t->skel);
		ts_bpf_collect(t, true);
		drops = schedbpf__sum(bpf_map__fd(t->skel->maps.drops), t->ncpus);
		unseen = schedbpf__unseen(bpf_map__fd(t->skel->maps.cpu), t->skel->obj, t->ncpus);
	}
	report__final(&t->cycle, &ts_report_ops, prof);
	schedbpf__losses(prof, "task-state", "intervals", drops, t->skel ? unseen : t->cpus.unseen);
	if (t->lost_resets)
		fprintf(prof__diag(prof), "perf-prof task-state: records were lost %llu times: "
			"the intervals open then were left out\n",
			(unsigned long long)t->lost_resets);
	if (hashmap__drops(t->tasks))
		fprintf(prof__diag(prof), "perf-prof task-state: %llu threads over %u were not "
			"followed\n", (unsigned long long)hashmap__drops(t->tasks), TS_MAX_TASKS);
	if (!t->fg)
		return;
	ts_view(t, &v);
	if (stackout__add(t->fg, t->stacks, &v, NULL, &err) || stackout__close(t->fg, &err)) {
		t->fg = NULL;
		prof__fail(prof, &err);
		return;
	}
	t->fg = NULL;
	fprintf(prof__diag(prof), "perf-prof task-state: flame graph of %llu off-cpu intervals "
		"written to '%s'\n", (unsigned long long)t->fg_n, prof->opt.flame_graph);
	if (stackmap__drops(t->stacks))
		fprintf(prof__diag(prof), "perf-prof task-state: %llu stacks left out: more than "
			"%u distinct\n", (unsigned long long)stackmap__drops(t->stacks),
			TS_MAX_STACKS);
}

static void ts_deinit(struct prof *prof)
{
	struct ts *t = prof->priv;

	if (!t)
		return;
	pp_taskstate__destroy(t->skel);
	free(t->scratch);
	stackout__delete(t->fg);
	stackmap__delete(t->stacks);
	lattab__delete(t->stats);
	lattab__delete(t->whole);
	hashmap__free(t->tasks);
	sched_cpus__exit(&t->cpus);
	sched_targets__free(&t->targets);
	free(t);
	prof->priv = NULL;
}

#define TSOPT(f) offsetof(struct ts_opts, f)
static const struct opt ts_opts[] = {
	{ OPT_BOOL, 'S', "sleep", TSOPT(sleep_only), NULL,
	  "only interruptible sleep (S)", NULL, false },
	{ OPT_BOOL, 'D', "disk", TSOPT(disk_only), NULL,
	  "only uninterruptible sleep (D)", NULL, false },
	{ OPT_BOOL, 0, "perins", TSOPT(perins), NULL,
	  "a row per thread (default: per process)", NULL, false },
	{ OPT_BOOL, 0, "waker", TSOPT(waker), NULL,
	  "in the flame graph, join each blocked stack with the stack that woke it (-- between)",
	  NULL, false },
	{ OPT_DURATION, 0, "than", TSOPT(than), "DURATION",
	  "print each off-CPU interval longer than DURATION as it ends (with -g, its stack)",
	  NULL, false },
	OPT_TABLE_END,
};

const struct profiler task_state_profiler = {
	.name = "task-state",
	.summary = "time per thread state (R, R+, S, D, I, RD) and off-CPU stacks",
	.synopsis = "perf-prof task-state [-C CPUS|-p PID|-t TID|-- CMD] [-S] [-D] [--perins] "
		    "[--than DURATION] [-g [--flame-graph FILE [--waker]]] [-i MS] [--json] "
		    "[--bpf|--no-bpf]",
	.help =
		"From sched_switch and sched_wakeup on every CPU: the time threads spend in\n"
		"each state, per process (per thread with --perins): R on a CPU, R+ switched\n"
		"out still runnable (preempted), S sleeping, D uninterruptible, I idle kernel\n"
		"thread (and any other state the kernel's format names), RD woken and waiting\n"
		"for a CPU. Per row: calls, min, avg, p50, p95, p99, max, total. -S and -D keep\n"
		"only S or D. --than prints every off-CPU interval (leaving the CPU asleep to\n"
		"running again) longer than it, with the stack where the thread blocked (-g).\n"
		"--flame-graph FILE (.svg, .folded, .pb.gz) draws those stacks weighed by\n"
		"off-CPU microseconds, like bcc's offcputime; --waker joins each one with the\n"
		"stack that woke it (after a -- frame), like bcc's offwaketime. With\n"
		"-p/-t/a workload the events are still read on every CPU (a switch-in is\n"
		"written in the context of the task switched out) and only the targets'\n"
		"threads are kept. The table alone\n"
		"(no -g, --than) is aggregated in the kernel by BPF programs on the\n"
		"scheduler's BTF tracepoints where the kernel allows it (--bpf: or fail);\n"
		"--no-bpf reads every switch's record instead (-v says which runs).\n"
		"\nEXAMPLES\n"
		"    perf-prof task-state -- ./app\n"
		"    perf-prof task-state -C 1 -i 1000\n"
		"    perf-prof task-state -p 1234 --perins -i 1000\n"
		"    perf-prof task-state -D --than 10ms -g\n"
		"    perf-prof task-state -S -g --flame-graph offcpu.svg -- ./app\n"
		"    perf-prof task-state -S -g --waker --flame-graph wake.folded -- ./app\n",
	.opts = ts_opts,
	.opts_size = sizeof(struct ts_opts),
	.common = COMMON_TARGET | COMMON_RING | COMMON_INTERVAL | COMMON_OUTPUT | COMMON_CALLGRAPH |
		  COMMON_JSON | COMMON_FLAMEGRAPH,
	.pages = 1024,
	.order = true,
	.cpu_wide = true,
	.help_example = "[-S] [-D] [--perins] [--than DURATION] [-g] [-i MS]",
	.prepare = ts_prepare,
	.init = ts_init,
	.start = ts_start,
	.sample = ts_sample,
	.interval = ts_interval,
	.final = ts_final,
	.deinit = ts_deinit,
	.lost = ts_lost,
	.sigusr1 = ts_sigusr1,
	.task_exit = ts_task_exit,
};
