// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - print every event as it happens, one stable line each:
 *
 *   TIME COMM PID/TID [CPU] FLAGS EVENT: FIELDS
 *   4123.907731          getppid   4242/4242   [001] .... syscalls:sys_enter_getppid: ...
 *
 * TIME is the sample's CLOCK_MONOTONIC time in seconds.microseconds, FLAGS
 * the ftrace latency flags (irqs-off, need-resched, hard/soft irq, preempt
 * depth), FIELDS the kernel's print format rendered by libtraceevent.
 * --json prints one object per event instead, every field typed.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <traceevent/event-parse.h>

#include "callchain.h"
#include "evline.h"
#include "field.h"
#include "json.h"
#include "profiler.h"
#include "stackmap.h"
#include "tep.h"

/* TF_DSTR/TF_DARRAY are __data_loc (dynamic) strings and arrays */
enum tfield_kind { TF_INT, TF_UINT, TF_STR, TF_DSTR, TF_ARRAY, TF_DARRAY, TF_PTR };

/* a field, resolved once for the --json writer */
struct tfield {
	const char *name;
	int offset;
	int size;
	int elem;	/* element size of arrays */
	bool is_signed;
	bool rel;	/* __rel_loc: offset relative to the field's end */
	enum tfield_kind kind;
};

struct trace_ev {
	struct tfield *fields;
	int nr_fields;
	struct evline line;
};

struct trace {
	struct trace_seq seq;
	struct trace_ev *evs;
	struct stackmap *stacks;	/* --flame-graph: stacks per comm, counted */
	struct stackout *fg;		/* --flame-graph: where they go, not to the output */
	u64 fg_samples;
};

/* flame graphs: the task's comm under each stack, sized by samples */
static const struct stackmap_view trace_view = {
	.root = stackmap_root_label, .root_label = "comm",
	.count_type = "samples", .count_unit = "count",
};

static const char *const trace_attrs[] = { "alias", "stack", "max-stack", NULL };

static enum tfield_kind tfield_kind(const struct tep_format_field *f)
{
	if (f->flags & TEP_FIELD_IS_DYNAMIC)
		return (f->flags & TEP_FIELD_IS_STRING) || strstr(f->type, "char") ? TF_DSTR : TF_DARRAY;
	if (f->flags & TEP_FIELD_IS_ARRAY)
		return (f->flags & TEP_FIELD_IS_STRING) || strstr(f->type, "char") ? TF_STR : TF_ARRAY;
	if (f->flags & TEP_FIELD_IS_POINTER)
		return TF_PTR;
	return f->flags & TEP_FIELD_IS_SIGNED ? TF_INT : TF_UINT;
}

static int trace_ev_init(struct trace_ev *tev, struct tep_event *tp)
{
	/* perf's own events have no record: their line is the sampled ip */
	struct tep_format_field **fields = tp ? tep_event_fields(tp) : NULL;
	struct tep_format_field *f;
	int n = 0;

	evline__init(&tev->line, tp);
	while (fields && fields[n])
		n++;
	tev->fields = xzalloc((size_t)(n ? n : 1) * sizeof(*tev->fields));
	for (int i = 0; i < n; i++) {
		struct tfield *t = &tev->fields[i];

		f = fields[i];
		t->name = f->name;
		t->offset = f->offset;
		t->size = f->size;
		t->elem = f->elementsize ? f->elementsize : 1;
		t->is_signed = f->flags & TEP_FIELD_IS_SIGNED;
		t->rel = f->flags & TEP_FIELD_IS_RELATIVE;
		t->kind = tfield_kind(f);
	}
	tev->nr_fields = n;
	free(fields);
	return 0;
}

static int trace_init(struct prof *prof, struct err *err)
{
	struct trace *t = xzalloc(sizeof(*t));

	trace_seq_init(&t->seq);
	t->evs = xzalloc((size_t)prof->nr_evs * sizeof(*t->evs));
	for (int i = 0; i < prof->nr_evs; i++) {
		trace_ev_init(&t->evs[i], prof->evs[i]->tp);
		prof->evs[i]->priv = &t->evs[i];
	}
	prof->priv = t;
	if (prof->opt.flame_graph) {
		if (!prof->opt.callgraph && !prof->opt.call_graph) {
			bool any = false;

			for (int i = 0; i < prof->nr_evs; i++)
				any |= prof->evs[i]->stack;
			if (!any) {
				err_set(err, EXIT_USAGE, "--flame-graph needs stacks");
				err_hint(err, "add -g, --call-graph dwarf, or the 'stack' attribute");
				return -1;
			}
		}
		if (prof->opt.json) {
			err_set(err, EXIT_USAGE, "--json and --flame-graph: with a flame graph trace "
						 "prints no events");
			err_hint(err, "drop --flame-graph to print the events (their stacks "
				      "included), or --json to draw the flame graph");
			return -1;
		}
		t->fg = stackout__new(prof->opt.flame_graph, &trace_view, err);
		if (!t->fg)
			return -1;
		t->stacks = stackmap__new(prof->env, 0, 0);
	} else if (prof->opt.interval) {
		err_set(err, EXIT_USAGE, "-i only applies with --flame-graph for trace");
		err_hint(err, "trace prints every event as it comes; -i cuts flame-graph snapshots");
		return -1;
	}
	return 0;
}

static void trace_interval(struct prof *prof)
{
	struct trace *t = prof->priv;
	struct err err;
	char label[64];

	if (!t->fg)
		return;
	wall_time_str(label, sizeof(label));
	if (stackout__add(t->fg, t->stacks, &trace_view, label, &err))
		prof__fail(prof, &err);
	stackmap__interval_end(t->stacks);
}

static void trace_final(struct prof *prof)
{
	struct trace *t = prof->priv;
	struct err err;

	if (!t->fg)
		return;
	if (stackout__add(t->fg, t->stacks, &trace_view, NULL, &err) ||
	    stackout__close(t->fg, &err))
		prof__fail(prof, &err);
	else if (!prof->opt.quiet)
		fprintf(prof__diag(prof), "perf-prof trace: flame graph of %llu samples written "
					  "to '%s'\n", (unsigned long long)t->fg_samples,
			prof->opt.flame_graph);
	t->fg = NULL;
}

/*
 * --flame-graph: the sample goes to the graph instead of being printed; one
 * without a stack (an event without 'stack') counts under its comm alone
 */
static void trace_flame(struct prof *prof, const struct prof_sample *s)
{
	struct trace *t = prof->priv;
	u32 id = stackmap__intern(t->stacks, stackmap__label(t->stacks, prof__comm(prof, s->tid)),
				  s->pid, s->ips, (u32)s->nr_ips, NULL);

	if (id)
		stackmap__add(t->stacks, id, 1, 0);
	t->fg_samples++;
}

static s64 read_int(const unsigned char *p, int size, bool is_signed)
{
	return (s64)field__load(p, (unsigned)size, is_signed);
}

static void trace_json_field(struct json *j, const struct tfield *f, const struct prof_sample *s)
{
	const unsigned char *raw = s->raw;
	u32 size = s->raw_size;

	if ((u32)(f->offset + f->size) > size) {
		json_null(j, f->name);
		return;
	}
	switch (f->kind) {
	case TF_INT:
		json_int(j, f->name, read_int(raw + f->offset, f->size, true));
		break;
	case TF_UINT:
	case TF_PTR:
		json_uint(j, f->name, (u64)read_int(raw + f->offset, f->size, false));
		break;
	case TF_STR:
		json_strn(j, f->name, (const char *)raw + f->offset, (size_t)f->size);
		break;
	case TF_ARRAY:
		json_arr_begin(j, f->name);
		for (int k = 0; k + f->elem <= f->size; k += f->elem)
			json_int(j, NULL, read_int(raw + f->offset + k, f->elem, f->is_signed));
		json_arr_end(j);
		break;
	case TF_DSTR:
	case TF_DARRAY: {
		u32 off, len;

		if (!field__dyn(raw, size, (u32)f->offset, f->rel, &off, &len)) {
			json_null(j, f->name);
			break;
		}
		if (f->kind == TF_DSTR) {
			json_strn(j, f->name, (const char *)raw + off, len);
			break;
		}
		json_arr_begin(j, f->name);
		for (u32 k = 0; k + (u32)f->elem <= len; k += (u32)f->elem)
			json_int(j, NULL, read_int(raw + off + k, f->elem, f->is_signed));
		json_arr_end(j);
		break;
	}
	}
}

static void trace_json(struct prof *prof, const struct trace_ev *tev, const struct prof_sample *s)
{
	struct json j;

	json_begin(&j, prof->out);
	evline__json(&j, s, prof->env);
	json_str(&j, "event", s->ev->display);
	json_obj_begin(&j, "fields");
	for (int i = 0; i < tev->nr_fields; i++) {
		trace_json_field(&j, &tev->fields[i], s);
	}
	if (!s->ev->tp) {
		json_uint(&j, "ip", s->ip);
		json_uint(&j, "period", s->period);
	}
	json_obj_end(&j);
	if (s->nr_ips) {
		json_arr_begin(&j, "stack");
		for (u64 i = 0; i < s->nr_ips; i++)
			if (s->ips[i] < PERF_CONTEXT_MAX)
				json_uint(&j, NULL, s->ips[i]);
		json_arr_end(&j);
	}
	json_end(&j);
}

static void trace_sample(struct prof *prof, const struct prof_sample *s)
{
	struct trace *t = prof->priv;
	const struct trace_ev *tev = s->ev->priv;

	if (t->fg) {
		trace_flame(prof, s);
		return;
	}
	if (prof->opt.json) {
		trace_json(prof, tev, s);
		return;
	}
	evline__print(&tev->line, prof->out, &t->seq, s, "", prof->env);
}

static void trace_deinit(struct prof *prof)
{
	struct trace *t = prof->priv;

	if (!t)
		return;
	for (int i = 0; i < prof->nr_evs; i++)
		free(t->evs[i].fields);
	free(t->evs);
	trace_seq_destroy(&t->seq);
	stackout__delete(t->fg);
	stackmap__delete(t->stacks);
	free(t);
	prof->priv = NULL;
}

const struct profiler trace_profiler = {
	.name = "trace",
	.summary = "print events as they happen, one line (or JSON object) each",
	.synopsis = "perf-prof trace -e EVENT[,EVENT...] [OPTIONS] [-- COMMAND [ARGS]]",
	.help =
		"Prints every event: TIME COMM PID/TID [CPU] FLAGS EVENT: FIELDS, where TIME is\n"
		"CLOCK_MONOTONIC seconds.microseconds, FLAGS the ftrace latency flags (irqs-off\n"
		"d/b, need-resched N/n/p, context Z/z/H/h/s, preempt depth) and FIELDS the\n"
		"kernel's print format. With 'stack' (or -g, --call-graph) the call stack follows,\n"
		"one frame per line, kernel then user (--call-graph dwarf unwinds user stacks\n"
		"through code without frame pointers; --srcline adds file:line and inlined\n"
		"functions). --flame-graph FILE.folded|FILE.svg|FILE.pb.gz collects the samples\n"
		"into a flame graph or a pprof profile instead of printing them (with -i, one\n"
		"snapshot per interval; a sample without a stack counts under its comm). --json\n"
		"prints one object per event.\n"
		"Without --order, lines from different CPUs may interleave out of time order.\n"
		"\nEXAMPLES\n"
		"    perf-prof trace -e sched:sched_wakeup -N 10\n"
		"    perf-prof trace -e 'sched:sched_switch/prev_pid>0/' -C 0 --order\n"
		"    perf-prof trace -e 'syscalls:sys_enter_getppid,syscalls:sys_exit_getppid' -- ./app\n"
		"    perf-prof trace -e 'sched:sched_wakeup*' -p 1234 --json\n"
		"    perf-prof trace -e 'sched:sched_switch//stack/' -N 1\n"
		"    perf-prof trace -e syscalls:sys_enter_getppid --call-graph dwarf --srcline -- ./app\n"
		"    perf-prof trace -e sched:sched_switch -g --flame-graph sw.svg -C 0 -N 10000\n"
		"    perf-prof trace -e sched:sched_wakeup help     (fields of the event)\n",
	.attrs = trace_attrs,
	.common = COMMON_ALL_EVENTS | COMMON_OVERWRITE,
	.pages = 256,
	.help_example = "[-N COUNT] [--order] [--json] [-C CPUS | -p PIDS | -- COMMAND]",
	.init = trace_init,
	.sample = trace_sample,
	.interval = trace_interval,
	.final = trace_final,
	.deinit = trace_deinit,
};
