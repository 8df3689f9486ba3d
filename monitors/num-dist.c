// SPDX-License-Identifier: GPL-2.0
/*
 * num-dist.c - num-dist (formerly mpdelay): the distribution of a number
 * every event carries. num=EXPR gives a plain number, delay=EXPR a duration
 * in ns (printed with a unit). Per event (and per CPU or thread with
 * --perins): count, min, avg, p50, p95, p99, max, total, then a log2
 * histogram drawn with text bars:
 *
 *   2026-11-22 03:31:02.118022 num-dist: final: 1000 values in 0.412 s
 *            event     count        min        avg ...
 *    write(count)      1000          1      500.5 ...
 *
 * Reports per interval (-i), on SIGUSR1 (without reset) and at exit (the
 * whole run). --than N prints the events whose value is above N.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "agg.h"
#include "bpfagg.h"
#include "json.h"
#include "latency.h"
#include "profiler.h"
#include "report.h"

struct nd_than {
	u64 v;
	bool set;
};

struct nd_opts {
	bool perins;
	struct nd_than than;
	const char *heatmap;
};

struct nd_ev {
	struct numsrc val;
	struct latrow *row;	/* the row of every value when the run needs nothing more
				 * (no --perins, --than, --heatmap); else NULL */
	struct evline line;
	bool ns;	/* delay=: nanoseconds */
};

struct nd {
	struct nd_ev *evs;
	int nr;
	struct lattab *stats;		/* since the last report */
	struct lattab *whole;		/* the whole run */
	char **names;
	char **tnames;		/* the same for text columns: escaped (text_name) */
	bool *ns;
	struct heatmap *hm;
	struct outliers out;		/* the stacks of values over --than */
	struct trace_seq seq;
	bool inst_tid;
	u64 negative;			/* values below zero, not counted */
	struct report_cycle cycle;
	struct bpf_agg *agg;		/* counting in the kernel */
	struct expr **filters;
	u64 *seen_stats;		/* per event: errors, negative as last read */
};

#define ND_BPF_ROWS 4096	/* a kernel row is 15 KiB */

static const char *const nd_attrs[] = { "alias", "num", "delay", "stack", "max-stack", NULL };

/* --than: a plain number; a duration with a unit is taken in ns */
static int nd_opt_than(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	struct nd_than *t = dst;

	if (parse_u64(arg, &t->v) && parse_duration(arg, &t->v)) {
		err_set(err, EXIT_USAGE, "invalid value '%s' for --than: not a number", arg);
		err_hint(err, "give the threshold in the unit of the values, e.g. --than 1000 "
			      "(a duration such as 2ms counts in ns, for delay= values)");
		return -1;
	}
	t->set = true;
	return 0;
}

static int nd_ev_init(struct nd *n, int i, struct evspec *ev, struct err *err)
{
	const char *num = evspec_attr(ev, "num"), *delay = evspec_attr(ev, "delay");
	struct nd_ev *e = &n->evs[i];
	size_t len;

	if (num && delay) {
		err_set(err, EXIT_USAGE, "'%s' has both num= and delay=", ev->display);
		err_hint(err, "num= is a plain number, delay= a duration in ns: give one");
		return -1;
	}
	if (!num && !delay) {
		err_set(err, EXIT_USAGE, "'%s' has no num= or delay=: there is no value to collect",
			ev->display);
		err_hint(err, "e.g. -e 'syscalls:sys_enter_write//num=count/' or "
			      "-e 'sched:sched_stat_runtime//delay=runtime/'; for the time between "
			      "two events use multi-trace");
		return -1;
	}
	e->ns = delay != NULL;
	if (numsrc__init(&e->val, delay ? delay : num, ev->tp, ev->env, delay ? "delay=" : "num=",
			 ev->display, err))
		return -1;
	evline__init(&e->line, ev->tp);
	ev->priv = e;
	n->names[i] = ev->alias ? xstrdup(ev->alias) :
		      xasprintf("%s(%s)", ev->name, delay ? delay : num);
	/* an alias is one word of the table; an expression keeps its spaces */
	len = strlen(n->names[i]);
	n->tnames[i] = text_escape(xzalloc(len * 4 + 1), len * 4 + 1, n->names[i], len,
				   ev->alias != NULL);
	n->ns[i] = e->ns;
	return 0;
}

static int nd_bpf_init(struct prof *prof, struct nd *n, struct err *err);

static int nd_setup(struct prof *prof, struct err *err)
{
	const struct nd_opts *o = prof->opts;
	struct nd *n = xzalloc(sizeof(*n));
	bool all_ns = true;

	prof->priv = n;
	trace_seq_init(&n->seq);
	n->nr = prof->nr_evs;
	n->evs = xzalloc((size_t)n->nr * sizeof(*n->evs));
	n->names = xzalloc((size_t)n->nr * sizeof(*n->names));
	n->tnames = xzalloc((size_t)n->nr * sizeof(*n->tnames));
	n->ns = xzalloc((size_t)n->nr * sizeof(*n->ns));
	for (int i = 0; i < n->nr; i++)
		if (nd_ev_init(n, i, prof->evs[i], err))
			return -1;
	n->stats = lattab__new((unsigned)n->nr, o->perins, 0);
	n->whole = lattab__new((unsigned)n->nr, o->perins, 0);
	if (!n->stats || !n->whole)
		return err_set(err, EXIT_USAGE, "too many events for num-dist: %d, at most 65536 "
					 "(one statistics row each)", n->nr);
	n->inst_tid = prof->opt.pids || prof->opt.tids || prof->opt.workload;
	for (int i = 0; i < n->nr; i++)
		all_ns &= n->ns[i];
	if (outliers__init(&n->out, prof, o->than.set, "values over --than", "value",
			   all_ns ? "nanoseconds" : "count", (const char *const *)n->names, err))
		return -1;
	if (o->heatmap) {
		n->hm = heatmap__open(o->heatmap, (const char *const *)n->names, n->nr, all_ns,
				      "value", err);
		if (!n->hm)
			return -1;
	}
	/* rows without instances never move: each event can hold its own */
	for (int i = 0; i < n->nr; i++)
		if (!o->perins && !o->than.set && !n->hm)
			n->evs[i].row = lattab__row(n->stats, 0, (unsigned)i);
	report_cycle__init(&n->cycle);
	return nd_bpf_init(prof, n, err);
}

static const char *nd_bpf_why(struct prof *prof, const struct nd *n)
{
	const struct nd_opts *o = prof->opts;

	if (o->than.set)
		return "--than prints each value's record";
	if (n->hm)
		return "--heatmap needs each value's time";
	if (prof->opt.exit_n || prof->opt.sampling_limit || prof->opt.perfeval_cpus ||
	    prof->opt.perfeval_pids)
		return "-N, --sampling-limit and --perfeval-* need each sample in user space";
	for (int i = 0; i < prof->nr_evs; i++)
		if (prof->evs[i]->kind != EVSPEC_TRACEPOINT)
			return "an event is not a tracepoint";
	return NULL;
}

static int nd_bpf_build(struct prof *prof, char *why, size_t len)
{
	struct nd *n = prof->priv;
	const struct nd_opts *o = prof->opts;
	bool targets = n->inst_tid;
	int r = bpf_agg__new(BPF_AGG_HIST_COLS, ND_BPF_ROWS, n->nr, targets, !prof->opt.tids,
			     BPF_AGG_GENS, &n->agg, why, len);

	n->filters = xzalloc((size_t)n->nr * sizeof(*n->filters));
	for (int i = 0; !r && i < n->nr; i++) {
		struct evspec *ev = prof->evs[i];
		struct bpf_agg_ev ae = {
			.tp_id = (u32)ev->tp->id, .hist = n->evs[i].val.expr,
			.key_kind = !o->perins ? BPF_AGG_KEY_NONE :
				    n->inst_tid ? BPF_AGG_KEY_TID : BPF_AGG_KEY_CPU,
			.key_shift = 16, .key_tag = (u64)i, .cpu_set = prof->opt.cpus || ev->cpus,
		};
		struct err xerr = { 0 };

		if (!ae.hist)
			return snprintf(why, len, "the value is not an expression"), -EOPNOTSUPP;
		if (ev->filter) {
			n->filters[i] = expr_compile(ev->filter, ev->tp, &xerr);
			if (!n->filters[i]) {
				snprintf(why, len, "filter '%.200s' is not an expression: %.200s",
					 ev->filter, xerr.msg);
				return -EINVAL;
			}
			ae.filter = n->filters[i];
		}
		r = bpf_agg__add(n->agg, i, &ae, why, len);
	}
	return r;
}

static int nd_bpf_init(struct prof *prof, struct nd *n, struct err *err)
{
	int r = bpf_agg__choose(prof, &n->agg, nd_bpf_why(prof, n), "count", nd_bpf_build, err);

	if (r <= 0)
		return r;
	n->seen_stats = xzalloc((size_t)n->nr * 2 * sizeof(u64));
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof num-dist: counting in the kernel: %d BPF "
			"programs (%d instructions), no ring events\n", n->nr, bpf_agg__insns(n->agg));
	return 0;
}

static int nd_start(struct prof *prof, struct err *err)
{
	struct nd *n = prof->priv;
	char why[320];

	if (!n->agg)
		return 0;
	if (bpf_agg__start_prof(n->agg, prof, why, sizeof(why)))
		return err_set(err, EXIT_FAIL, "cannot count in the kernel: %s", why);
	return 0;
}

static void nd_bpf_row(void *ctx, u64 key, const u64 *vals)
{
	struct nd *n = ctx;
	struct latrow *row = lattab__row(n->stats, (int)(key >> 16), (unsigned)(key & 0xffff));

	if (row)
		bpf_agg__hist_add(&row->st, vals);
}

/* nd_bpf_pull - the kernel's values since the last report into the interval's table */
static void nd_bpf_pull(struct prof *prof, struct nd *n)
{
	if (!n->agg)
		return;
	bpf_agg__read_gen(n->agg, nd_bpf_row, n);
	for (int i = 0; i < n->nr; i++) {
		struct bpf_agg_stats st;
		u64 *seen = &n->seen_stats[2 * i];

		if (bpf_agg__stats(n->agg, i, &st))
			continue;
		prof__expr_errors(prof, prof->evs[i], st.errors - seen[0]);
		n->negative += st.negative - seen[1];
		seen[0] = st.errors;
		seen[1] = st.negative;
	}
}

static void nd_print_over(struct prof *prof, struct nd *n, const struct nd_ev *e,
			  const struct prof_sample *s, u64 v)
{
	struct json j;

	outliers__add(&n->out, s, v);
	if (!prof->opt.json) {
		outliers__print(&n->out, prof, &e->line, &n->seq, s, "");
		return;
	}
	json_begin(&j, prof->out);
	json_str(&j, "report", "over");
	json_str(&j, "event", n->names[s->ev->index]);
	json_uint(&j, "value", v);
	evline__json(&j, s, prof->env);
	json_end(&j);
}

/* everything: errors, negative values, per-instance rows, --than, --heatmap */
static __attribute__((noinline)) void nd_sample_full(struct prof *prof,
						     const struct prof_sample *s)
{
	const struct nd_opts *o = prof->opts;
	struct nd *n = prof->priv;
	const struct nd_ev *e = s->ev->priv;
	struct latrow *row;
	s64 v;

	if (numsrc__get(&e->val, s, &v)) {
		prof__expr_error(prof, s->ev);
		return;
	}
	if (v < 0) {
		n->negative++;
		return;
	}
	row = lattab__row(n->stats, n->inst_tid ? s->tid : s->cpu, (unsigned)s->ev->index);
	if (!row)
		return;
	vstat__add(&row->st, (u64)v);
	if (o->than.set && (u64)v > o->than.v) {
		row->over++;
		nd_print_over(prof, n, e, s, (u64)v);
	}
	if (n->hm)
		heatmap__add(n->hm, s->ev->index, s->time, (u64)v);
}

/* the hot path: one value into its event's row */
static void nd_sample(struct prof *prof, const struct prof_sample *s)
{
	const struct nd_ev *e = s->ev->priv;
	s64 v;

	if (likely(e->row) && likely(!numsrc__get(&e->val, s, &v)) && likely(v >= 0))
		vstat__add(&e->row->st, (u64)v);
	else
		nd_sample_full(prof, s);
}

/* ------------------------------------------------------------------ */
/* reports                                                              */
/* ------------------------------------------------------------------ */

static void nd_print_text(struct prof *prof, struct nd *n, struct lattab *t,
			  struct latrow **rows, size_t nr)
{
	const struct nd_opts *o = prof->opts;
	char title[48];
	struct latprint lp = {
		.names = (const char *const *)n->tnames, .name_title = "event", .ns = n->ns,
		.inst_title = o->perins ? (n->inst_tid ? "TID" : "CPU") : NULL,
		.inst_comm = false,
	};

	if (o->than.set) {
		snprintf(title, sizeof(title), "over %llu", (unsigned long long)o->than.v);
		lp.over_title = title;
	}
	lattab__print(t, rows, nr, prof->out, &lp);
	lattab__print_hists(t, rows, nr, prof->out, &lp);
	if (n->negative)
		fprintf(prof->out, "note: %llu negative values were not counted\n",
			(unsigned long long)n->negative);
}

static void nd_print_json(struct prof *prof, struct nd *n, struct lattab *t,
			  struct latrow **rows, size_t nr, const char *kind, u64 values,
			  u64 elapsed)
{
	const struct nd_opts *o = prof->opts;
	struct json j;

	report__json_begin(&j, prof->out, kind);
	json_double(&j, "interval", (double)elapsed / 1e9);
	json_uint(&j, "values", values);
	json_arr_begin(&j, "rows");
	for (size_t i = 0; i < nr; i++) {
		unsigned id = lattab__row_id(t, rows[i]);

		json_obj_begin(&j, NULL);
		json_str(&j, "event", n->names[id]);
		if (o->perins)
			json_int(&j, n->inst_tid ? "tid" : "cpu", lattab__row_inst(t, rows[i]));
		json_str(&j, "unit", n->ns[id] ? "ns" : "");
		vstat__json(&j, "stats", &rows[i]->st);
		if (o->than.set)
			json_uint(&j, "over", rows[i]->over);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_uint(&j, "negative", n->negative);
	json_end(&j);
}

static void nd_print(struct prof *prof, struct nd *n, struct lattab *t, const char *kind,
		     u64 elapsed)
{
	size_t nr = 0;
	struct latrow **rows = lattab__sorted(t, false, &nr);
	u64 values = lattab__values(rows, nr);

	if (prof->opt.json) {
		nd_print_json(prof, n, t, rows, nr, kind, values, elapsed);
	} else {
		latency__header(prof->out, "num-dist", kind, values, "values", elapsed);
		nd_print_text(prof, n, t, rows, nr);
	}
	free(rows);
	fflush(prof->out);
}

/* the report cycle's view of the tables: the interval's (stats) and the run's (whole) */
static void nd_report_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct prof *prof = ctx;
	struct nd *n = prof->priv;

	nd_print(prof, n, whole ? n->whole : n->stats, kind, elapsed);
}

static void nd_report_merge(void *ctx)
{
	struct nd *n = ((struct prof *)ctx)->priv;

	lattab__merge(n->whole, n->stats);
	lattab__reset(n->stats);
}

static const struct report_ops nd_report_ops = { nd_report_print, nd_report_merge };

static void nd_interval(struct prof *prof)
{
	struct nd *n = prof->priv;

	nd_bpf_pull(prof, n);
	report__interval(&n->cycle, &nd_report_ops, prof, "interval");
}

static void nd_sigusr1(struct prof *prof)
{
	struct nd *n = prof->priv;

	nd_bpf_pull(prof, n);
	report__signal(&n->cycle, &nd_report_ops, prof);
}

static void nd_final(struct prof *prof)
{
	struct nd *n = prof->priv;
	struct err err = { 0 };

	nd_bpf_pull(prof, n);
	report__final(&n->cycle, &nd_report_ops, prof);
	bpf_agg__report_missed(n->agg, prof, "their values are in no histogram");
	if (n->hm) {
		if (heatmap__close(n->hm, &err))
			prof__fail(prof, &err);
		n->hm = NULL;
	}
	outliers__close(&n->out, prof);
}

static void nd_deinit(struct prof *prof)
{
	struct nd *n = prof->priv;

	if (!n)
		return;
	for (int i = 0; n->evs && i < n->nr; i++)
		numsrc__exit(&n->evs[i].val);
	for (int i = 0; n->names && i < n->nr; i++) {
		free(n->names[i]);
		free(n->tnames[i]);
	}
	free(n->tnames);
	if (n->hm) {
		struct err err = { 0 };

		heatmap__close(n->hm, &err);
	}
	bpf_agg__delete(n->agg);
	for (int i = 0; n->filters && i < n->nr; i++)
		expr_free(n->filters[i]);
	free(n->filters);
	free(n->seen_stats);
	free(n->names);
	free(n->ns);
	free(n->evs);
	lattab__delete(n->stats);
	lattab__delete(n->whole);
	outliers__exit(&n->out);
	trace_seq_destroy(&n->seq);
	free(n);
	prof->priv = NULL;
}

#define NDOPT(f) offsetof(struct nd_opts, f)
static const struct opt nd_opts[] = {
	{ OPT_BOOL, 0, "perins", NDOPT(perins), NULL,
	  "statistics per CPU (per thread with -p/-t/a workload)", NULL, false },
	{ OPT_CALLBACK, 0, "than", NDOPT(than), "N",
	  "print every event whose value is above N", nd_opt_than, false },
	{ OPT_STRING, 0, "heatmap", NDOPT(heatmap), "FILE",
	  "values over time: SVG to FILE, raw points to FILE.lat", NULL, false },
	OPT_TABLE_END,
};

const struct profiler num_dist_profiler = {
	.name = "num-dist",
	.summary = "distribution of a number carried by events (num=, delay=); alias mpdelay",
	.synopsis = "perf-prof num-dist -e 'EVENT//num=EXPR/'[,...] [--perins] [--than N] "
		    "[--heatmap FILE] [-g --flame-graph FILE] [-i MS] [--json]",
	.help =
		"Every event needs num=EXPR (a plain number) or delay=EXPR (a duration in ns,\n"
		"printed with a unit). Per event, and per CPU or thread with --perins: count,\n"
		"min, avg, p50, p95, p99, max, total, then a log2 histogram. Negative values\n"
		"are counted apart and left out. --than N prints each event whose value is\n"
		"above N (a plain number; 2ms means 2000000), with its stack (-g, 'stack');\n"
		"--flame-graph FILE[.svg|.pb.gz] draws those stacks weighed by their values.\n"
		"Reports: every -i, on SIGUSR1 (no reset) and at exit (the whole run). Also\n"
		"called mpdelay. Tracepoints are counted in the kernel by BPF programs when\n"
		"the options allow it: --bpf requires it, --no-bpf reads the records, -v says\n"
		"which (Documentation/bpf.md).\n"
		"\nEXAMPLES\n"
		"    perf-prof num-dist -e 'syscalls:sys_enter_write//num=count/' -- ./app\n"
		"    perf-prof num-dist -e 'sched:sched_stat_runtime//delay=runtime/' --perins -i 1000\n"
		"    perf-prof num-dist -e 'syscalls:sys_enter_read//num=count/alias=read/' --than 65536\n"
		"    perf-prof num-dist -e 'kmem:kmalloc//num=bytes_alloc/' --json\n"
		"    perf-prof num-dist -e 'kmem:kmalloc//num=bytes_alloc/stack/' --than 4096 "
		"--flame-graph big.svg\n",
	.opts = nd_opts,
	.opts_size = sizeof(struct nd_opts),
	.attrs = nd_attrs,
	.common = COMMON_ALL_EVENTS,
	.pages = 256,
	.help_example = "[--perins] [--than N] [-i MS] [--json]",
	.init = nd_setup,
	.start = nd_start,	/* deinit() also runs after a failed init */
	.sample = nd_sample,
	.interval = nd_interval,
	.final = nd_final,
	.deinit = nd_deinit,
	.sigusr1 = nd_sigusr1,
};
