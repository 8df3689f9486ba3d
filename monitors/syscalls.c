// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls.c - strace -c from kernel events: every system call's entry
 * (raw_syscalls:sys_enter) waits under its thread until its exit
 * (raw_syscalls:sys_exit) closes it, and the time between goes to the row
 * of its syscall (or of thread x syscall with --perins): calls, errors by
 * errno, total, min, avg, p50, p99, max. The table is strace -c's, with
 * the percentile columns before the syscall's name:
 *
 *   % time     seconds  usecs/call     calls    errors    min(us) ... syscall  errnos
 *    98.91    0.101802        5090        20         0   5061.119 ... nanosleep  -
 *
 * Threads and children of a workload or of -p are followed (inherited
 * events, as strace -f); without targets every task counts (what strace
 * cannot do) except this run's own process. --than T prints each call
 * slower than T as it returns, strace -T style, its arguments named and
 * typed from the syscall's own syscalls:sys_enter_NAME format (loaded the
 * first time that syscall is slow), and its stack with -g.
 *
 * Two paths, the same reports: by default BPF programs on the sys_enter and
 * sys_exit BTF tracepoints pair the calls and aggregate them in the kernel
 * (lib/bpf/syscalls.bpf.c: no record per call, nothing for other tracers
 * of the tracepoints) and the reports read their maps; --than and -g (a
 * slow call printed from its records), --no-bpf, a replay or a kernel
 * that cannot, read the records.
 *
 * Names come from the x86_64 table (lib/core/syscalls-x86_64.c), strace's
 * names; the per-syscall tracefs formats carry no numbers, only names,
 * and some are the kernel's own (newstat for stat, newuname for uname):
 * their argument formats are found under either.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <traceevent/event-parse.h>

#include "agg.h"
#include "bpffilter.h"
#include "evline.h"
#include "field.h"
#include "expr.h"
#include "group.h"
#include "json.h"
#include "pair.h"
#include "profiler.h"
#include "report.h"
#include "stackmap.h"
#include "schedbpf.h"
#include "tep.h"
#include "syscalls.h"
#include "syscalls.skel.h"

#define SC_ENTER 0
#define SC_EXIT 1
#define SC_ERRNOS 4		/* errnos named per row; more are counted as "other" */
#define SC_MAX_NR 1024		/* syscall numbers whose formats are cached */
#define SC_MAX_ROWS (1u << 20)
#define SC_MAX_TASKS (1u << 20)
#define SC_MAX_STACKS (1u << 16)
#define SC_NARGS 6

/* the kernel's buckets (lib/bpf/vstat.bpf.h) are struct vstat's */
_Static_assert(VSTAT_SUB_BITS == 5, "lib/bpf/vstat.bpf.h counts in buckets of 5 sub-bits");

struct sc_than {
	u64 ns;
	bool set;
};

struct sc_opts {
	bool perins;
	struct sc_than than;
};

/* one row: a syscall's (or a thread's syscall's) calls */
struct sc_row {
	struct vstat st;	/* durations, ns */
	u64 errors;
	u64 err_other;		/* errors whose errno found no place in top[] */
	struct {
		u32 err;
		u32 n;
	} top[SC_ERRNOS];
};

/* a call's arguments, kept while it runs (--than only) */
struct sc_args {
	u64 v[SC_NARGS];
};

struct sc {
	struct pairs pairs;		/* first: the per-event path's */
	struct group *rows;		/* the current interval */
	struct group *whole;		/* the run before it */
	struct field enter_id, exit_id, exit_ret;
	u32 args_off;			/* args[6] in sys_enter */
	bool perins;
	struct hashmap *args;		/* --than: tid -> struct sc_args of its call */
	struct stackmap *stacks;	/* -g with --than */
	struct tep_handle *tep;
	struct tep_event *fmts[SC_MAX_NR];	/* sys_enter_NAME, loaded on a first slow call */
	bool fmt_tried[SC_MAX_NR];
	char *evtext[2];		/* the -e texts prepare() added (the list does not own them) */
	u64 mismatched;			/* exits of another syscall than their entry */
	u64 lost;
	u64 slow;
	struct pp_syscalls *skel;	/* counting in the kernel; NULL: reading the records */
	int ncpus;
	struct sc_bpf_cpu *cpubuf;	/* per CPU counters, as last read */
	u64 bpf_unpaired;		/* the kernel's, as last read */
	u64 bpf_drops;
	u64 bpf_in_flight;		/* calls the kernel holds waiting for their exit, at the last read */
	struct report_cycle cycle;
	struct prof *prof;
};

/* ------------------------------------------------------------------ */
/* names                                                                */
/* ------------------------------------------------------------------ */

/* sc_name - the syscall @nr's name ("syscall_NNN" in @buf for an unknown number) */
static const char *sc_name(long nr, char *buf, size_t size)
{
	const char *n = syscalls__name(nr);

	if (n)
		return n;
	snprintf(buf, size, "syscall_%ld", nr);
	return buf;
}

/*
 * sc_errname - errno @e by its name; the kernel's own restart codes (which
 * a traced task sees when a signal interrupts it) are not in libc's list
 */
static const char *sc_errname(u32 e, char *buf, size_t size)
{
	static const char *const kernel[] = {
		"ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ENOIOCTLCMD",
		"ERESTART_RESTARTBLOCK",
	};
	const char *n = strerrorname_np((int)e);

	if (n)
		return n;
	if (e >= 512 && e < 512 + ARRAY_SIZE(kernel))
		return kernel[e - 512];
	snprintf(buf, size, "E%u", e);
	return buf;
}

/* ------------------------------------------------------------------ */
/* setup                                                                */
/* ------------------------------------------------------------------ */

static int sc_opt_than(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	struct sc_than *t = dst;

	(void)o;
	if (parse_duration(arg, &t->ns)) {
		err_set(err, EXIT_USAGE, "invalid duration '%s' for --than", arg);
		err_hint(err, "e.g. --than 10ms, --than 500us; --than 0 prints every call");
		return -1;
	}
	t->set = true;
	return 0;
}

static int sc_prepare(struct prof *prof, struct err *err)
{
	const struct sc_opts *o = prof->opts;
	struct sc *c = xzalloc(sizeof(*c));
	struct strlist *l = &prof->opt.events;
	bool everyone = !prof->opt.pids && !prof->opt.tids && !prof->opt.workload;
	bool stacks = o->than.set && (prof->opt.callgraph || prof->opt.call_graph);

	(void)err;
	prof->priv = c;
	c->prof = prof;
	/*
	 * a slow call's stack is its exit's: only that record carries a
	 * callchain (init() marks it), and -g becomes the --call-graph that
	 * leaves the unmarked entry without one
	 */
	if (stacks && prof->opt.callgraph) {
		prof->opt.callgraph = false;
		if (!prof->opt.call_graph)
			prof->opt.call_graph = "fp";
	}
	l->v = xrealloc(l->v, (size_t)(l->n + 2) * sizeof(*l->v));
	/* system-wide, this run's own reads and polls would count themselves */
	if (everyone) {
		c->evtext[0] = xasprintf("raw_syscalls:sys_enter/common_pid != %d/", getpid());
		c->evtext[1] = xasprintf("raw_syscalls:sys_exit/common_pid != %d/", getpid());
	} else {
		c->evtext[0] = xstrdup("raw_syscalls:sys_enter");
		c->evtext[1] = xstrdup("raw_syscalls:sys_exit");
	}
	l->v[l->n++] = c->evtext[0];
	l->v[l->n++] = c->evtext[1];
	return 0;
}

static int sc_field(struct field *f, struct tep_event *tp, const char *name, struct err *err)
{
	struct tep_format_field *tf = tp ? tep_find_field(tp, name) : NULL;

	if (tf && field__scalar(f, tf))
		return 0;
	return err_set(err, EXIT_FAIL, "'%s:%s' has no integer field '%s'", tp ? tp->system : "?",
		       tp ? tp->name : "?", name);
}

static int sc_init(struct prof *prof, struct err *err)
{
	const struct sc_opts *o = prof->opts;
	struct sc *c = prof->priv;
	struct tep_event *enter = prof->evs[SC_ENTER]->tp, *exit = prof->evs[SC_EXIT]->tp;
	struct tep_format_field *args;
	int nparts;

	if (sc_field(&c->enter_id, enter, "id", err) || sc_field(&c->exit_id, exit, "id", err) ||
	    sc_field(&c->exit_ret, exit, "ret", err))
		return -1;
	args = tep_find_field(enter, "args");
	if (!args || args->size != SC_NARGS * 8)
		return err_set(err, EXIT_FAIL, "'raw_syscalls:sys_enter' has no field 'args' of "
					       "six words");
	c->args_off = (u32)args->offset;
	c->tep = enter->tep;
	c->perins = o->perins;
	nparts = c->perins ? 3 : 1;
	c->rows = group__new(nparts, sizeof(struct sc_row), SC_MAX_ROWS);
	c->whole = group__new(nparts, sizeof(struct sc_row), SC_MAX_ROWS);
	pairs__init(&c->pairs, 1, 2, SC_MAX_TASKS);
	if (o->than.set) {
		c->args = hashmap__new(sizeof(struct sc_args), SC_MAX_TASKS);
		if (prof->opt.callgraph || prof->opt.call_graph) {
			c->stacks = stackmap__new(prof->env, SC_MAX_STACKS, 0);
			prof->evs[SC_EXIT]->stack = true;
		}
	}
	report_cycle__init(&c->cycle);
	return 0;
}

/* ------------------------------------------------------------------ */
/* a slow call, as it returns                                           */
/* ------------------------------------------------------------------ */

/* sc_fmt - the sys_enter_NAME format of @nr (by the kernel's "new" name too), or NULL */
static struct tep_event *sc_fmt(struct sc *c, long nr)
{
	char ev[96], buf[32];
	struct err err = { 0 };
	const char *name;

	if (nr < 0 || nr >= SC_MAX_NR)
		return NULL;
	if (c->fmt_tried[nr])
		return c->fmts[nr];
	c->fmt_tried[nr] = true;
	name = sc_name(nr, buf, sizeof(buf));
	snprintf(ev, sizeof(ev), "sys_enter_%s", name);
	c->fmts[nr] = tep__load(c->tep, "syscalls", ev, &err);
	if (!c->fmts[nr]) {
		snprintf(ev, sizeof(ev), "sys_enter_new%s", name);
		c->fmts[nr] = tep__load(c->tep, "syscalls", ev, &err);
	}
	return c->fmts[nr];
}

/* the argument of @f among @a (the format's words follow __syscall_nr from offset 16) */
static bool sc_arg(const struct tep_format_field *f, const struct sc_args *a, u64 *v)
{
	int i = (f->offset - 16) / 8;

	if (f->offset < 16 || i >= SC_NARGS || !strcmp(f->name, "__syscall_nr"))
		return false;
	*v = a->v[i];
	return true;
}

enum sc_argkind { SC_HEX, SC_S32, SC_U32, SC_S64, SC_U64 };

/*
 * how an argument reads best, from its C type and name: pointers, flags
 * and modes in hex, the rest as the type's integer (an int fd as -100 for
 * AT_FDCWD, not 4294967196)
 */
static enum sc_argkind sc_argkind(const struct tep_format_field *f)
{
	const char *t = f->type, *n = f->name;
	bool wide, is_unsigned;

	if (strchr(t, '*') || strstr(n, "flag") || strstr(n, "mode") || strstr(n, "prot") ||
	    strstr(n, "mask") || strstr(n, "addr"))
		return SC_HEX;
	/* int, pid_t, uid_t, key_serial_t, ... are 32 bits; long, size_t, loff_t, u64 not */
	wide = strstr(t, "long") || strstr(t, "size_t") || strstr(t, "off_t") || strstr(t, "64") ||
	       (!strstr(t, "int") && !str_ends_with(t, "id_t") && !strstr(t, "key_serial"));
	is_unsigned = strstr(t, "unsigned") || !strncmp(t, "u", 1) || !strcmp(t, "size_t");
	if (wide)
		return is_unsigned ? SC_U64 : SC_S64;
	return is_unsigned ? SC_U32 : SC_S32;
}

static void sc_arg_text(FILE *out, const struct tep_format_field *f, u64 v)
{
	switch (sc_argkind(f)) {
	case SC_HEX:
		if (v)
			fprintf(out, "%s=%#llx", f->name, (unsigned long long)v);
		else
			fprintf(out, "%s=0", f->name);
		break;
	case SC_S32:
		fprintf(out, "%s=%d", f->name, (int)(u32)v);
		break;
	case SC_U32:
		fprintf(out, "%s=%u", f->name, (u32)v);
		break;
	case SC_S64:
		fprintf(out, "%s=%lld", f->name, (long long)v);
		break;
	case SC_U64:
		fprintf(out, "%s=%llu", f->name, (unsigned long long)v);
		break;
	}
}

static s64 sc_arg_value(const struct tep_format_field *f, u64 v)
{
	switch (sc_argkind(f)) {
	case SC_S32:
		return (int)(u32)v;
	case SC_U32:
		return (u32)v;
	default:
		return (s64)v;
	}
}

static void sc_args_text(FILE *out, struct tep_event *fmt, const struct sc_args *a)
{
	const char *sep = "";
	u64 v;

	if (!fmt) {
		for (int i = 0; i < SC_NARGS; i++)
			fprintf(out, "%s%#llx", i ? ", " : "", (unsigned long long)a->v[i]);
		return;
	}
	for (struct tep_format_field *f = fmt->format.fields; f; f = f->next) {
		if (!sc_arg(f, a, &v))
			continue;
		fputs(sep, out);
		sc_arg_text(out, f, v);
		sep = ", ";
	}
}

static void sc_args_json(struct json *j, struct tep_event *fmt, const struct sc_args *a)
{
	u64 v;

	if (!fmt) {
		json_arr_begin(j, "args");
		for (int i = 0; i < SC_NARGS; i++)
			json_uint(j, NULL, a->v[i]);
		json_arr_end(j);
		return;
	}
	json_obj_begin(j, "args");
	for (struct tep_format_field *f = fmt->format.fields; f; f = f->next)
		if (sc_arg(f, a, &v))
			json_int(j, f->name, sc_arg_value(f, v));
	json_obj_end(j);
}

static void sc_slow_text(struct sc *c, const struct prof_sample *s, long nr,
			 struct tep_event *fmt, const struct sc_args *a, s64 ret, u64 delay,
			 u32 stack)
{
	FILE *out = c->prof->out;
	char buf[32], cbuf[64];

	fprintf(out, "%6llu.%06llu %16s %7d/%-7d [%03d] %s(",
		(unsigned long long)(s->time / 1000000000ULL),
		(unsigned long long)(s->time % 1000000000ULL / 1000),
		text_name(prof__comm(c->prof, s->tid), cbuf, sizeof(cbuf)), s->pid, s->tid,
		s->cpu, sc_name(nr, buf, sizeof(buf)));
	if (a)
		sc_args_text(out, fmt, a);
	else
		fputs("?", out);
	if (ret < 0 && ret >= -4095)
		fprintf(out, ") = -1 %s (%s)", sc_errname((u32)-ret, buf, sizeof(buf)),
			-ret < 512 ? strerror((int)-ret) : "kernel restart code");
	else if (ret > 0xffffffffLL)
		fprintf(out, ") = %#llx", (unsigned long long)ret);
	else
		fprintf(out, ") = %lld", (long long)ret);
	fprintf(out, " <%llu.%06llu>\n", (unsigned long long)(delay / 1000000000ULL),
		(unsigned long long)(delay % 1000000000ULL / 1000));
	if (stack)
		stackmap__print(c->stacks, stack, out);
}

static void sc_slow_json(struct sc *c, const struct prof_sample *s, long nr,
			 struct tep_event *fmt, const struct sc_args *a, s64 ret, u64 delay,
			 u32 stack)
{
	const char *names[128];
	struct json j;
	char buf[32];
	int n;

	json_begin(&j, c->prof->out);
	json_str(&j, "report", "slow");
	evline__json(&j, s, c->prof->env);
	json_str(&j, "syscall", sc_name(nr, buf, sizeof(buf)));
	json_int(&j, "nr", nr);
	if (a)
		sc_args_json(&j, fmt, a);
	else
		json_null(&j, "args");
	json_int(&j, "ret", ret);
	if (ret < 0 && ret >= -4095)
		json_str(&j, "errno", sc_errname((u32)-ret, buf, sizeof(buf)));
	json_uint(&j, "duration_ns", delay);
	if (stack) {
		n = stackmap__names(c->stacks, stack, names, (int)ARRAY_SIZE(names));
		json_arr_begin(&j, "stack");
		for (int i = 0; i < n; i++)
			json_str(&j, NULL, names[i]);
		json_arr_end(&j);
	}
	json_end(&j);
}

/* the pairing's outlier callback: a call slower than --than has returned */
static void sc_slow(void *ctx, u64 key, const struct pair_begin *b, u32 end_ev, u64 delay,
		    const void *end, u64 end_data)
{
	struct sc *c = ctx;
	const struct prof_sample *s = end;
	const struct sc_args *a = hashmap__find(c->args, key);
	long nr = (long)b->data;
	struct tep_event *fmt = sc_fmt(c, nr);
	s64 ret = 0;
	u32 stack = 0;

	(void)end_ev;
	(void)end_data;
	c->slow++;
	field__read(&c->exit_ret, s->raw, s->raw_size, &ret);
	if (c->stacks && s->nr_ips)
		stack = stackmap__intern(c->stacks, 0, s->pid, s->ips, (u32)s->nr_ips, NULL);
	if (c->prof->opt.json)
		sc_slow_json(c, s, nr, fmt, a, ret, delay, stack);
	else
		sc_slow_text(c, s, nr, fmt, a, ret, delay, stack);
}

/* ------------------------------------------------------------------ */
/* the per-event path                                                   */
/* ------------------------------------------------------------------ */

static __attribute__((noinline)) void sc_keep_args(struct sc *c, const struct prof_sample *s)
{
	struct sc_args *a = hashmap__get(c->args, (u64)s->tid);

	if (a && c->args_off + sizeof(*a) <= s->raw_size)
		memcpy(a, (const char *)s->raw + c->args_off, sizeof(*a));
	else if (a)
		memset(a, 0, sizeof(*a));
}

/* sc_errno_add - @n errors of errno @e in @row's top errnos (else in "other") */
static void sc_errno_add(struct sc_row *row, u32 e, u32 n)
{
	for (int i = 0; i < SC_ERRNOS; i++) {
		if (row->top[i].err == e || !row->top[i].n) {
			row->top[i].err = e;
			row->top[i].n += n;
			return;
		}
	}
	row->err_other += n;
}

static __attribute__((noinline)) void sc_error(struct sc_row *row, u32 e)
{
	row->errors++;
	sc_errno_add(row, e, 1);
}

static void sc_exit(struct sc *c, const struct prof_sample *s)
{
	struct pair_begin *b;
	struct sc_row *row;
	u64 parts[3], delay;
	s64 id, ret;
	long nr;

	if (unlikely(c->pairs.than))
		b = pairs__end_than(&c->pairs, (u64)s->tid, 0, SC_EXIT, s->time, s, 0);
	else
		b = pairs__end(&c->pairs, (u64)s->tid, 0, SC_EXIT, s->time);
	if (!b)
		return;
	nr = (long)b->data;
	delay = s->time - b->time;
	pairs__done(b);
	if (unlikely(field__read(&c->exit_id, s->raw, s->raw_size, &id) ||
		     field__read(&c->exit_ret, s->raw, s->raw_size, &ret) || id != nr)) {
		/* records of the thread were lost between: the entry is another call's */
		c->mismatched++;
		return;
	}
	if (c->perins) {
		parts[0] = (u64)(u32)s->pid;
		parts[1] = (u64)(u32)s->tid;
		parts[2] = (u64)nr;
	} else {
		parts[0] = (u64)nr;
	}
	row = group__row(c->rows, parts);
	if (unlikely(!row))
		return;
	vstat__add(&row->st, delay);
	if (unlikely(ret < 0 && ret >= -4095))
		sc_error(row, (u32)-ret);
}

static void sc_sample(struct prof *prof, const struct prof_sample *s)
{
	struct sc *c = prof->priv;
	s64 id;

	if (s->ev->index != SC_ENTER) {
		sc_exit(c, s);
		return;
	}
	if (unlikely(field__read(&c->enter_id, s->raw, s->raw_size, &id)))
		return;
	if (pairs__begin(&c->pairs, (u64)s->tid, 0, SC_ENTER, s->time, (u64)id) &&
	    unlikely(c->args != NULL))
		sc_keep_args(c, s);
}

/* a thread's call that never returns (exit, exit_group, a kill) goes with it */
static void sc_task_exit(struct prof *prof, int pid, int tid, u64 time)
{
	struct sc *c = prof->priv;

	(void)pid;
	(void)time;
	pairs__kill(&c->pairs, (u64)tid);
	if (c->args)
		hashmap__del(c->args, (u64)tid);
}

/* a gap of lost records: a call waiting may have lost its exit */
static void sc_lost(struct prof *prof, struct ring *ring, u64 n)
{
	struct sc *c = prof->priv;

	(void)ring;
	c->lost += n;
	pairs__drop_all(&c->pairs);
}

/* ------------------------------------------------------------------ */
/* the in-kernel path: the kernel's rows into the interval's table      */
/* ------------------------------------------------------------------ */

/* libbpf's messages: the last warning, for the error (libraries never print) */
static char sc_libbpf_msg[256];

static int sc_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN) {
		vsnprintf(sc_libbpf_msg, sizeof(sc_libbpf_msg), fmt, ap);
		sc_libbpf_msg[strcspn(sc_libbpf_msg, "\n")] = '\0';
	}
	return 0;
}

/* sc_bpf_why - what keeps the run from counting in the kernel (NULL: nothing) */
static const char *sc_bpf_why(struct prof *prof)
{
	const struct sc_opts *o = prof->opts;

	if (o->than.set)
		return "--than prints each slow call from its records";
	if (prof->opt.callgraph || prof->opt.call_graph)
		return "-g takes the stacks from the records";
	if (prof__in_kernel(prof, NULL))
		return "replayed records have no kernel";
	return NULL;
}

/* sc_bpf_load - the programs loaded (not attached); 0, or -1 with @why */
static int sc_bpf_load(struct prof *prof, struct sc *c, char *why, size_t len)
{
	bool everyone = !prof->opt.pids && !prof->opt.tids && !prof->opt.workload;
	bool follow = !everyone && !prof->opt.tids;
	struct tep_format_field *child = NULL;
	libbpf_print_fn_t old;
	struct tep_event *fork;
	struct err err = { 0 };
	int ret = -1;

	/*
	 * no bpf__probe(): the programs need no BTF, and the probe's parse of
	 * the kernel's would cost 0.1 s and 10 MB; a kernel that cannot load
	 * them says why through libbpf
	 */
	if (follow) {
		/* the fork program reads the child's id in the record, at its format's offset */
		fork = tep__load(c->tep, "sched", "sched_process_fork", &err);
		child = fork ? tep_find_field(fork, "child_pid") : NULL;
		if (!child || child->size != 4) {
			snprintf(why, len, "'sched:sched_process_fork' has no 32-bit field 'child_pid'");
			return -1;
		}
	}
	sc_libbpf_msg[0] = '\0';
	old = libbpf_set_print(sc_libbpf_print);
	c->skel = pp_syscalls__open();
	if (c->skel) {
		c->skel->rodata->filter = !everyone;
		c->skel->rodata->follow = follow;
		c->skel->rodata->child_off = child ? (u32)child->offset : 0;
		bpf_program__set_autoload(c->skel->progs.sc_fork, follow);
		c->skel->rodata->perins = c->perins;
		/* system-wide, this run's own reads and polls would count themselves */
		c->skel->rodata->self = everyone ? (u32)getpid() : 0;
		c->skel->rodata->cpus_only = prof->opt.cpus != NULL;
		schedbpf__cpus_size(c->skel->maps.oncpus);
		ret = pp_syscalls__load(c->skel);
	}
	libbpf_set_print(old);
	if (!c->skel || ret) {
		snprintf(why, len, "the kernel refused syscalls' BPF program: %s",
			 sc_libbpf_msg[0] ? sc_libbpf_msg : strerror(errno));
		pp_syscalls__destroy(c->skel);
		c->skel = NULL;
		return -1;
	}
	return 0;
}

/*
 * sc_bpf_init - count in the kernel when the options allow it (--bpf:
 * must), else read the records (said with -v)
 */
static int sc_bpf_init(struct prof *prof, struct sc *c, struct err *err)
{
	const char *no;
	char why[320];

	no = prof->opt.no_bpf ? "--no-bpf" : sc_bpf_why(prof);
	if (no && prof->opt.bpf) {
		err_set(err, EXIT_USAGE, "cannot count in the kernel: %s", no);
		err_hint(err, "without --bpf, syscalls reads the records");
		return -1;
	}
	if (!no && sc_bpf_load(prof, c, why, sizeof(why))) {
		if (prof->opt.bpf) {
			err_set(err, EXIT_FAIL, "cannot count in the kernel: %s", why);
			err_hint(err, "--no-bpf reads the records instead");
			return -1;
		}
		no = why;
	}
	if (no) {
		if (prof->opt.verbose)
			fprintf(prof__diag(prof), "perf-prof syscalls: reading the records: %s\n", no);
		return 0;
	}
	prof__in_kernel(prof, prof->evs[SC_ENTER]);
	prof__in_kernel(prof, prof->evs[SC_EXIT]);
	c->ncpus = libbpf_num_possible_cpus();
	c->cpubuf = xzalloc((size_t)c->ncpus * sizeof(*c->cpubuf));
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof syscalls: counting in the kernel: calls paired "
			"and aggregated by BPF programs on the sys_enter and sys_exit raw "
			"tracepoints, no ring records\n");
	return 0;
}

/* sc_start - the in-kernel path: the targets into the kernel, then the programs on */
static int sc_start(struct prof *prof, struct err *err)
{
	struct sc *c = prof->priv;
	struct sc_bpf_task none = { 0, 0 };
	const int *tids;
	bool follow;
	int nr, fd;

	if (!c->skel)
		return 0;
	/* a target thread is one the kernel's map holds, with no call in flight yet */
	nr = prof__targets(prof, &tids, &follow);
	fd = bpf_map__fd(c->skel->maps.tasks);
	for (int i = 0; i < nr; i++) {
		u32 tid = (u32)tids[i];

		if (bpf_map_update_elem(fd, &tid, &none, BPF_ANY))
			return err_set(err, EXIT_FAIL, "cannot give syscalls' BPF program its "
				       "target thread %d: %s", tids[i], strerror(errno));
	}
	schedbpf__cpus(prof, bpf_map__fd(c->skel->maps.oncpus));
	if (pp_syscalls__attach(c->skel))
		return err_set(err, EXIT_FAIL, "cannot attach syscalls' BPF programs: %s",
			       strerror(errno));
	return 0;
}

/* sc_bpf_cpus - the per CPU counters into c->cpubuf; 0 or -1 */
static int sc_bpf_cpus(struct sc *c)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.cpu), &zero, c->cpubuf) ? -1 : 0;
}

/*
 * sc_bpf_flip - make the programs write the other generation, and wait
 * until every exit that was adding to the old one has finished (its CPU's
 * seq was odd when gen changed: it may have read the old gen)
 */
static u32 sc_bpf_flip(struct sc *c)
{
	u32 old = c->skel->bss->gen & 1;
	u64 *seq = xzalloc((size_t)c->ncpus * sizeof(*seq));
	bool busy = true;

	c->skel->bss->gen = old ^ 1;
	/* the write of gen before the reads of seq (the programs' locked add pairs with it) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!sc_bpf_cpus(c))
		for (int i = 0; i < c->ncpus; i++)
			seq[i] = c->cpubuf[i].seq;
	/* a program runs for a microsecond; a preempted one for longer: up to 1 s */
	for (int tries = 0; busy && tries < 20000; tries++) {
		busy = false;
		for (int i = 0; i < c->ncpus; i++)
			if (seq[i] & 1)
				busy = true;
		if (!busy || sc_bpf_cpus(c))
			break;
		usleep(50);
		for (int i = 0; i < c->ncpus; i++)
			if (c->cpubuf[i].seq != seq[i])
				seq[i] = 0;
	}
	free(seq);
	return old;
}

/* sc_bpf_parts - the table's key of a kernel row */
static void sc_bpf_parts(const struct sc *c, const struct sc_bpf_key *k, u64 *parts)
{
	if (c->perins) {
		parts[0] = k->pid;
		parts[1] = k->tid;
		parts[2] = k->nr;
	} else {
		parts[0] = k->nr;
	}
}

/* sc_bpf_rows - the rows of generation @gen into the interval's table, deleted in the kernel */
static void sc_bpf_rows(struct sc *c, u32 gen)
{
	int fd = bpf_map__fd(c->skel->maps.rows);
	struct sc_bpf_row *v = xzalloc((size_t)c->ncpus * sizeof(*v));
	struct sc_bpf_key cur, next;
	bool have = false;

	/* each key is deleted after the next one is found: the walk goes on from it */
	while (!bpf_map_get_next_key(fd, have ? &cur : NULL, &next)) {
		struct sc_bpf_row t = { 0 };
		struct sc_row *row;
		u64 parts[3];

		if (have && cur.gen == gen)
			bpf_map_delete_elem(fd, &cur);
		cur = next;
		have = true;
		if (next.gen != gen || bpf_map_lookup_elem(fd, &next, v))
			continue;
		for (int i = 0; i < c->ncpus; i++) {
			if (!v[i].count)
				continue;
			if (!t.count || v[i].min < t.min)
				t.min = v[i].min;
			if (v[i].max > t.max)
				t.max = v[i].max;
			t.count += v[i].count;
			t.sum += v[i].sum;
			t.errors += v[i].errors;
		}
		sc_bpf_parts(c, &next, parts);
		row = group__row(c->rows, parts);
		if (!row)
			continue;
		vstat__add_totals(&row->st, t.count, t.sum, t.min, t.max);
		row->errors += t.errors;
	}
	if (have && cur.gen == gen)
		bpf_map_delete_elem(fd, &cur);
	free(v);
}

struct sc_bpf_errno {
	struct sc_bpf_key k;
	u32 err;
	u64 n;
};

/* most frequent first, so that a row's top errnos are its most frequent */
static int sc_bpf_errno_cmp(const void *a, const void *b)
{
	const struct sc_bpf_errno *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->err < y->err ? -1 : x->err > y->err;
}

/* sc_bpf_slots - the buckets and errnos of generation @gen, deleted in the kernel */
static void sc_bpf_slots(struct sc *c, u32 gen)
{
	int fd = bpf_map__fd(c->skel->maps.slots);
	u64 *v = xzalloc((size_t)c->ncpus * sizeof(*v));
	struct sc_bpf_slot_key cur, next;
	struct sc_bpf_errno *errs = NULL;
	size_t nerr = 0, cap = 0;
	bool have = false;

	while (!bpf_map_get_next_key(fd, have ? &cur : NULL, &next)) {
		struct sc_row *row;
		u64 parts[3], n = 0;

		if (have && cur.row.gen == gen)
			bpf_map_delete_elem(fd, &cur);
		cur = next;
		have = true;
		if (next.row.gen != gen || bpf_map_lookup_elem(fd, &next, v))
			continue;
		for (int i = 0; i < c->ncpus; i++)
			n += v[i];
		if (next.slot >= SC_BPF_ERRNO) {
			if (nerr == cap) {
				cap = cap ? 2 * cap : 64;
				errs = xrealloc(errs, cap * sizeof(*errs));
			}
			errs[nerr++] = (struct sc_bpf_errno){ next.row, next.slot - SC_BPF_ERRNO, n };
			continue;
		}
		sc_bpf_parts(c, &next.row, parts);
		row = group__row(c->rows, parts);
		if (row)
			vstat__add_bucket(&row->st, next.slot, n);
	}
	if (have && cur.row.gen == gen)
		bpf_map_delete_elem(fd, &cur);
	if (nerr)
		qsort(errs, nerr, sizeof(*errs), sc_bpf_errno_cmp);
	for (size_t i = 0; i < nerr; i++) {
		u64 parts[3];
		struct sc_row *row;

		sc_bpf_parts(c, &errs[i].k, parts);
		row = group__row(c->rows, parts);
		if (row)
			sc_errno_add(row, errs[i].err, (u32)errs[i].n);
	}
	free(errs);
	free(v);
}

/* sc_bpf_in_flight - the calls waiting in the kernel for their exit (a thread's exit drops its own) */
static u64 sc_bpf_in_flight(struct sc *c)
{
	int fd = bpf_map__fd(c->skel->maps.tasks);
	struct sc_bpf_task v;
	u32 cur, next;
	bool have = false;
	u64 n = 0;

	while (!bpf_map_get_next_key(fd, have ? &cur : NULL, &next)) {
		cur = next;
		have = true;
		if (!bpf_map_lookup_elem(fd, &next, &v) && v.time)
			n++;
	}
	return n;
}

/* sc_bpf_collect - the kernel's calls since the last report into the interval's table */
static void sc_bpf_collect(struct sc *c, bool both)
{
	u32 gen = sc_bpf_flip(c);

	for (int g = 0; g < (both ? 2 : 1); g++, gen ^= 1) {
		sc_bpf_rows(c, gen);
		sc_bpf_slots(c, gen);
	}
	if (!sc_bpf_cpus(c)) {
		c->bpf_unpaired = c->bpf_drops = 0;
		for (int i = 0; i < c->ncpus; i++) {
			c->bpf_unpaired += c->cpubuf[i].unpaired + c->cpubuf[i].mismatched;
			c->bpf_drops += c->cpubuf[i].drops;
		}
	}
	c->bpf_in_flight = sc_bpf_in_flight(c);
}

/* ------------------------------------------------------------------ */
/* reports                                                              */
/* ------------------------------------------------------------------ */

static void sc_row_add(void *dst_row, const void *src_row, void *ctx)
{
	struct sc_row *d = dst_row;
	const struct sc_row *s = src_row;

	(void)ctx;
	vstat__merge(&d->st, &s->st);
	d->errors += s->errors;
	d->err_other += s->err_other;
	for (int i = 0; i < SC_ERRNOS && s->top[i].n; i++) {
		int k = 0;

		while (k < SC_ERRNOS && d->top[k].n && d->top[k].err != s->top[i].err)
			k++;
		if (k == SC_ERRNOS) {
			d->err_other += s->top[i].n;
			continue;
		}
		d->top[k].err = s->top[i].err;
		d->top[k].n += s->top[i].n;
	}
}

static void sc_rows_free(struct group *g)
{
	struct sc_row *row;
	size_t it;

	if (!g)
		return;
	group__for_each(g, it, row)
		vstat__free(&row->st);
	group__reset(g);
}

/* most time first (strace -c's order), by thread first with --perins */
static int sc_row_cmp(const void *a, const void *b, void *ctx)
{
	const struct group *g = ctx;
	const struct sc_row *x = a, *y = b;
	const u64 *px = group__parts(g, x), *py = group__parts(g, y);
	u64 sx = vstat__sum(&x->st), sy = vstat__sum(&y->st);

	for (int i = 0; i + 1 < group__nparts(g); i++)
		if (px[i] != py[i])
			return px[i] < py[i] ? -1 : 1;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	if (x->st.count != y->st.count)
		return x->st.count > y->st.count ? -1 : 1;
	return 0;
}

struct sc_totals {
	struct vstat st;
	u64 errors;
	double secs;
};

static void sc_totals(struct sc_row **rows, size_t nr, struct sc_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < nr; i++) {
		vstat__merge(&t->st, &rows[i]->st);
		t->errors += rows[i]->errors;
	}
	t->secs = vstat__sum_double(&t->st) / 1e9;
}

/* "EBADF:7,ENOENT:2", "-" without errors */
static void sc_errnos_text(FILE *out, const struct sc_row *r)
{
	char buf[32];

	if (!r->errors) {
		fputs("-", out);
		return;
	}
	for (int i = 0; i < SC_ERRNOS && r->top[i].n; i++)
		fprintf(out, "%s%s:%u", i ? "," : "", sc_errname(r->top[i].err, buf, sizeof(buf)),
			r->top[i].n);
	if (r->err_other)
		fprintf(out, ",other:%llu", (unsigned long long)r->err_other);
}

static void sc_stat_cols(FILE *out, const struct vstat *st, u64 errors, double all_secs)
{
	double secs = vstat__sum_double(st) / 1e9;

	fprintf(out, "%6.2f %11.6f %11llu %9llu %9llu %10.3f %10.3f %10.3f %10.3f ",
		all_secs > 0 ? 100.0 * secs / all_secs : 0.0, secs,
		(unsigned long long)(vstat__mean(st) / 1000), (unsigned long long)st->count,
		(unsigned long long)errors, (double)st->min / 1e3,
		(double)vstat__percentile(st, 50) / 1e3, (double)vstat__percentile(st, 99) / 1e3,
		(double)st->max / 1e3);
}

static const char sc_rule[] = "------ ----------- ----------- --------- --------- ---------- "
			      "---------- ---------- ---------- ---------------- ------";

static void sc_print_text(struct sc *c, struct group *g, struct sc_row **rows, size_t nr,
			  const struct sc_totals *t)
{
	FILE *out = c->prof->out;
	char buf[32], cbuf[64];

	if (c->perins)
		fputs("    PID     TID COMM             ", out);
	fputs("% time     seconds  usecs/call     calls    errors    min(us)    p50(us)    p99(us)"
	      "    max(us) syscall          errnos\n", out);
	if (c->perins)
		fputs("------- ------- ---------------- ", out);
	fprintf(out, "%s\n", sc_rule);
	for (size_t i = 0; i < nr; i++) {
		const u64 *p = group__parts(g, rows[i]);
		long sysnr = (long)p[c->perins ? 2 : 0];

		if (c->perins)
			fprintf(out, "%7d %7d %-16s ", (int)p[0], (int)p[1],
				text_name(prof__comm(c->prof, (int)p[1]), cbuf, sizeof(cbuf)));
		sc_stat_cols(out, &rows[i]->st, rows[i]->errors, t->secs);
		fprintf(out, "%-16s ", sc_name(sysnr, buf, sizeof(buf)));
		sc_errnos_text(out, rows[i]);
		fputc('\n', out);
	}
	if (c->perins)
		fputs("------- ------- ---------------- ", out);
	fprintf(out, "%s\n", sc_rule);
	if (c->perins)
		fprintf(out, "%7s %7s %-16s ", "-", "-", "-");
	sc_stat_cols(out, &t->st, t->errors, t->secs);
	fputs("total            -\n", out);
}

static void sc_row_json(struct json *j, struct sc *c, struct group *g, const struct sc_row *r,
			double all_secs)
{
	const u64 *p = group__parts(g, r);
	long nr = (long)p[c->perins ? 2 : 0];
	double secs = vstat__sum_double(&r->st) / 1e9;
	char buf[32];

	json_obj_begin(j, NULL);
	json_str(j, "syscall", sc_name(nr, buf, sizeof(buf)));
	json_int(j, "nr", nr);
	if (c->perins) {
		json_int(j, "pid", (int)p[0]);
		json_int(j, "tid", (int)p[1]);
		json_str(j, "comm", prof__comm(c->prof, (int)p[1]));
	}
	json_uint(j, "calls", r->st.count);
	json_uint(j, "errors", r->errors);
	json_double(j, "seconds", secs);
	json_double(j, "time_pct", all_secs > 0 ? 100.0 * secs / all_secs : 0.0);
	vstat__json(j, "latency", &r->st);
	json_arr_begin(j, "errnos");
	for (int i = 0; i < SC_ERRNOS && r->top[i].n; i++) {
		json_obj_begin(j, NULL);
		json_str(j, "name", sc_errname(r->top[i].err, buf, sizeof(buf)));
		json_uint(j, "errno", r->top[i].err);
		json_uint(j, "count", r->top[i].n);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_uint(j, "errors_other", r->err_other);
	json_obj_end(j);
}

static void sc_print_json(struct sc *c, struct group *g, struct sc_row **rows, size_t nr,
			  const struct sc_totals *t, const char *kind, u64 elapsed)
{
	struct json j;
	struct pair_counts before, now;

	/* so far in the run: the whole run's before this interval, and this interval's */
	pairs__counts(&c->pairs, SC_EXIT, true, &before);
	pairs__counts(&c->pairs, SC_EXIT, false, &now);
	report__json_begin(&j, c->prof->out, kind);
	json_double(&j, "interval", (double)elapsed / 1e9);
	json_uint(&j, "calls", t->st.count);
	json_uint(&j, "errors", t->errors);
	json_double(&j, "seconds", t->secs);
	json_arr_begin(&j, "rows");
	for (size_t i = 0; i < nr; i++)
		sc_row_json(&j, c, g, rows[i], t->secs);
	json_arr_end(&j);
	vstat__json(&j, "latency", &t->st);
	json_uint(&j, "lost", c->lost);
	json_uint(&j, "unpaired", before.orphans + now.orphans + c->mismatched + c->bpf_unpaired);
	json_uint(&j, "rows_dropped", group__drops(c->rows) + group__drops(c->whole));
	json_uint(&j, "slow", c->slow);
	json_str(&j, "mode", c->skel ? "kernel" : "records");
	json_uint(&j, "dropped", c->bpf_drops);
	if (c->skel)
		json_uint(&j, "in_flight", c->bpf_in_flight);
	json_end(&j);
}

static void sc_print(struct sc *c, struct group *g, const char *kind, u64 elapsed)
{
	FILE *out = c->prof->out;
	size_t nr = 0;
	struct sc_row **rows = (struct sc_row **)group__sorted(g, sc_row_cmp, g, &nr);
	struct sc_totals t;
	u64 drops = group__drops(c->rows) + group__drops(c->whole);

	sc_totals(rows, nr, &t);
	if (c->prof->opt.json) {
		sc_print_json(c, g, rows, nr, &t, kind, elapsed);
	} else {
		report__header(out, "syscalls", kind, "%llu calls, %llu errors in %.3f s",
			       (unsigned long long)t.st.count, (unsigned long long)t.errors,
			       (double)elapsed / 1e9);
		sc_print_text(c, g, rows, nr, &t);
		if (c->lost)
			fprintf(out, "note: %llu records lost: the calls in flight then are not "
				     "counted\n", (unsigned long long)c->lost);
		if (drops)
			fprintf(out, "note: %llu rows left out: more than %u\n",
				(unsigned long long)drops, SC_MAX_ROWS);
		if (c->bpf_drops)
			fprintf(out, "note: %llu calls or threads not counted: the kernel's maps were "
				     "full\n", (unsigned long long)c->bpf_drops);
	}
	vstat__free(&t.st);
	free(rows);
	fflush(out);
}

static void sc_report_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct sc *c = ctx;

	sc_print(c, whole ? c->whole : c->rows, kind, elapsed);
}

static void sc_report_merge(void *ctx)
{
	struct sc *c = ctx;

	group__merge(c->whole, c->rows, sc_row_add, NULL);
	sc_rows_free(c->rows);
	pairs__interval_end(&c->pairs);
}

static const struct report_ops sc_report_ops = { sc_report_print, sc_report_merge };

static void sc_interval(struct prof *prof)
{
	struct sc *c = prof->priv;

	if (c->skel)
		sc_bpf_collect(c, false);
	report__interval(&c->cycle, &sc_report_ops, c, "interval");
}

static void sc_sigusr1(struct prof *prof)
{
	struct sc *c = prof->priv;

	if (c->skel)
		sc_bpf_collect(c, false);
	report__signal(&c->cycle, &sc_report_ops, c);
}

static void sc_final(struct prof *prof)
{
	struct sc *c = prof->priv;
	u64 unseen = 0;

	if (c->skel) {
		/* no program starts any more: both generations are complete once flipped */
		pp_syscalls__detach(c->skel);
		sc_bpf_collect(c, true);
		/* the calls the kernel skipped the programs for (one already running there) */
		unseen = bpf__obj_misses(c->skel->obj);
	}
	report__final(&c->cycle, &sc_report_ops, c);
	if (unseen)
		fprintf(prof__diag(prof), "perf-prof syscalls: %llu system call events not delivered "
			"in this run: the kernel skipped the programs while they ran on that CPU; the "
			"calls around them are missing\n", (unsigned long long)unseen);
	if (c->bpf_drops)
		fprintf(prof__diag(prof), "perf-prof syscalls: %llu calls or threads not counted: "
			"the kernel's maps were full (--no-bpf reads the records)\n",
			(unsigned long long)c->bpf_drops);
	if (c->stacks && stackmap__drops(c->stacks))
		fprintf(prof__diag(prof), "perf-prof syscalls: %llu stacks left out: more than %u "
			"distinct\n", (unsigned long long)stackmap__drops(c->stacks),
			SC_MAX_STACKS);
}

static void sc_deinit(struct prof *prof)
{
	struct sc *c = prof->priv;

	if (!c)
		return;
	sc_rows_free(c->rows);
	sc_rows_free(c->whole);
	group__delete(c->rows);
	group__delete(c->whole);
	pairs__exit(&c->pairs);
	hashmap__free(c->args);
	stackmap__delete(c->stacks);
	pp_syscalls__destroy(c->skel);
	free(c->cpubuf);
	free(c->evtext[0]);
	free(c->evtext[1]);
	free(c);
	prof->priv = NULL;
}

static int sc_start_than(struct prof *prof, struct err *err)
{
	const struct sc_opts *o = prof->opts;
	struct sc *c = prof->priv;

	(void)err;
	if (o->than.set)
		pairs__set_outliers(&c->pairs, o->than.ns ? o->than.ns : 1, sc_slow, c);
	return 0;
}

static int sc_setup(struct prof *prof, struct err *err)
{
	if (sc_init(prof, err) || sc_bpf_init(prof, prof->priv, err))
		return -1;
	return sc_start_than(prof, err);
}

#define SCOPT(f) offsetof(struct sc_opts, f)
static const struct opt sc_opts[] = {
	{ OPT_BOOL, 0, "perins", SCOPT(perins), NULL,
	  "a table row per thread and syscall (PID, TID, COMM columns first)", NULL, false },
	{ OPT_CALLBACK, 0, "than", SCOPT(than), "DURATION",
	  "print each call slower than DURATION as it returns (its arguments; -g its stack)",
	  sc_opt_than, false },
	OPT_TABLE_END,
};

const struct profiler syscalls_profiler = {
	.name = "syscalls",
	.summary = "system calls counted and timed, strace -c style, with percentiles",
	.synopsis = "perf-prof syscalls [-C CPUS|-p PID|-t TID|-- CMD ARGS] [--perins] "
		    "[--than DURATION [-g]] [-i MS] [--json] [--bpf|--no-bpf]",
	.help =
		"Every system call, from raw_syscalls:sys_enter to its sys_exit in the same\n"
		"thread: per syscall (per thread and syscall with --perins) the % of the time,\n"
		"seconds, usecs/call, calls and errors of strace -c, then min, p50, p99 and\n"
		"max in microseconds, the name, and the errnos (EBADF:7). Without a target,\n"
		"every task on every CPU (or -C's) counts, this run's own process excepted;\n"
		"with -p or a workload its threads and children are followed (strace -f).\n"
		"--than DURATION prints each call slower than it as it returns, strace -T\n"
		"style, its arguments named from the syscall's tracefs format, with -g its\n"
		"stack; --than 0 prints every call. Reports: every -i, on SIGUSR1 (no reset),\n"
		"and at exit (the whole run). --json: one object per report, documented in\n"
		"Documentation/syscalls.md. The calls are paired and counted in the kernel by\n"
		"BPF programs on the sys_enter/sys_exit tracepoints (no record per call) where\n"
		"the options allow (--bpf: or fail); --than, -g and --no-bpf read the\n"
		"records instead (-v says which).\n"
		"\nEXAMPLES\n"
		"    perf-prof syscalls -- ./app                 # strace -c -f ./app\n"
		"    perf-prof syscalls -p 1234 --perins -i 1000\n"
		"    perf-prof syscalls -C 0 -i 1000            # CPU 0, every task\n"
		"    perf-prof syscalls --than 10ms -g -- ./app  # slow calls with their stacks\n"
		"    perf-prof syscalls -q --json -p 1234\n"
		"    perf-prof syscalls --no-bpf -- ./app       # from the records\n",
	.opts = sc_opts,
	.opts_size = sizeof(struct sc_opts),
	.common = COMMON_TARGET | COMMON_RING | COMMON_INTERVAL | COMMON_OUTPUT |
		  COMMON_CALLGRAPH | COMMON_JSON,
	.pages = 1024,
	.help_example = "[--perins] [--than DURATION] [-i MS] [--json]",
	.prepare = sc_prepare,
	.init = sc_setup,	/* deinit() also runs after a failed init */
	.start = sc_start,
	.sample = sc_sample,
	.interval = sc_interval,
	.final = sc_final,
	.deinit = sc_deinit,
	.lost = sc_lost,
	.sigusr1 = sc_sigusr1,
	.task_exit = sc_task_exit,
	.order = true,		/* a call that moved CPU while it slept: its exit may be in a ring read first */
};
