// SPDX-License-Identifier: GPL-2.0
/*
 * pstack.c - `perf-prof pstack PID [TID...]`: the user stacks of a running
 * process's threads, in eu-stack's shape:
 *
 *   PID 4242 - process
 *   TID 4242: app
 *   #0  0x00007f1c2e8f57e2 read+0x12 (/usr/lib/x86_64-linux-gnu/libc.so.6)
 *   #1  0x000055d0c0de1139 c+0x19 (/usr/local/bin/app)
 *
 * Each snapshot stops a thread only while its registers and stack are
 * copied (lib/syms/stackcopy.c); unwinding (lib/syms/unwind.c) and
 * symbols (lib/syms) come after the process runs again. With -n N it takes
 * N snapshots, -i apart (the run's interval timer), and merges identical
 * stacks of a thread with their counts, most frequent first: a poor man's
 * profiler that needs no perf events. No events: the run is only the timer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "callchain.h"
#include "flamegraph.h"
#include "hashmap.h"
#include "json.h"
#include "profiler.h"
#include "stackcopy.h"
#include "syms.h"
#include "unwind.h"

#define PSTACK_MAX_FRAMES	1024	/* pcs unwound per thread */
#define PSTACK_MAX_NAMES	4096	/* frames with inlined ones, per stack */
#define PF_KTHREAD		0x00200000	/* /proc/PID/stat flags: a kernel thread */

struct pstack_opts {
	const char *pid;	/* -p PID */
	u64 samples;		/* -n N: 0 = until Ctrl-C or the process ends */
	bool srcline;
	u64 stack_size;
	u64 stop_timeout;
	bool all_at_once;
	const char *flame_graph;
};

/*
 * One frame of a stack: an address with its symbol, or a function inlined
 * there (@inl >= 0: sym.inlined[inl]). Merged stacks compare frames by
 * what is printed, not by address. The strings are struct syms', valid
 * for the whole run.
 */
struct pframe {
	u64 addr;		/* of the first sample with this stack */
	u64 off;
	struct sym_frame sym;
	int inl;		/* -1: the function at @addr */
};

struct pstack_stack {
	int tid;
	u64 count;
	u64 first;		/* sample it was first seen in: ties keep that order */
	char comm[16];
	int nr;
	struct pframe f[];
};

struct pstack {
	int pid;
	int *tids;		/* asked for; none: every thread */
	int nr_tids;
	char comm[16];		/* the process's */
	struct syms *syms;
	struct unwind_ctx *uw;
	struct stackcopy *sc;
	struct flamegraph *fg;
	struct hashmap *index;	/* stack hash -> position in @stacks + 1 */
	struct pstack_stack **stacks;
	int nr_stacks;
	u64 taken;		/* snapshots */
	u64 *ips;
	struct pframe *frames;	/* one stack being built */
	/* what was missed, over the run */
	u64 exited, late, zombie, compat, failed, truncated, cut, dropped;
	u64 stop_sum, stop_max;	/* ns a thread was stopped at most, per snapshot */
	bool gone;		/* the process has ended */
};

static void pstack_opts_init(void *p)
{
	struct pstack_opts *o = p;

	o->samples = 1;
	o->stack_size = STACKCOPY_STACK_DEFAULT;
	o->stop_timeout = STACKCOPY_TIMEOUT_DEFAULT;
}

/* ------------------------------------------------------------- targets */

/* parse_id - a pid or tid argument: a positive decimal number */
static int parse_id(const char *s, const char *what, int *out, struct err *err)
{
	u64 v;

	if (parse_u64(s, &v) || !v || v > 0x3fffffff) {
		err_set(err, EXIT_USAGE, "invalid %s '%s'", what, s);
		err_hint(err, "give a numeric id, e.g. 'perf-prof pstack $(pidof app)'");
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * proc_stat - the Tgid of /proc/@id/status and the flags field of
 * /proc/@id/stat. Returns 0, or -errno (ENOENT: no such task).
 */
static int proc_stat(int id, int *tgid, unsigned long *flags)
{
	char path[64], *buf, *p;

	snprintf(path, sizeof(path), "/proc/%d/status", id);
	buf = read_file(path, NULL);
	if (!buf)
		return -errno;
	p = strstr(buf, "\nTgid:");
	*tgid = p ? atoi(p + 6) : id;
	free(buf);
	snprintf(path, sizeof(path), "/proc/%d/stat", id);
	buf = read_file(path, NULL);
	if (!buf)
		return -errno;
	/* after the command (which may hold anything): state ppid pgrp session tty tpgid flags */
	p = strrchr(buf, ')');
	*flags = 0;
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", flags) != 1)
		*flags = 0;
	free(buf);
	return 0;
}

/* pstack_target - PID [TID...] from -p and the arguments, checked against /proc */
static int pstack_target(struct prof *prof, struct pstack *p, struct err *err)
{
	const struct pstack_opts *o = prof->opts;
	char **args = prof->args;
	int nargs = prof->nr_args, tgid;
	unsigned long flags;

	if (o->pid) {
		if (parse_id(o->pid, "pid", &p->pid, err))
			return -1;
	} else if (nargs) {
		if (parse_id(args[0], "pid", &p->pid, err))
			return -1;
		args++;
		nargs--;
	} else {
		err_set(err, EXIT_USAGE, "pstack needs a process id");
		err_hint(err, "perf-prof pstack PID [TID...], e.g. perf-prof pstack $(pidof app)");
		return -1;
	}
	if (proc_stat(p->pid, &tgid, &flags)) {
		err_set(err, EXIT_USAGE, "no such process '%d'", p->pid);
		err_hint(err, "check the pid with 'ps -p %d'", p->pid);
		return -1;
	}
	if (flags & PF_KTHREAD) {
		proc_comm(p->pid, 0, p->comm, sizeof(p->comm));
		err_set(err, EXIT_USAGE, "'%d' (%s) is a kernel thread: it has no user-space stack",
			p->pid, p->comm);
		err_hint(err, "its kernel stack is in /proc/%d/stack; 'perf-prof trace -g' samples "
			      "kernel stacks", p->pid);
		return -1;
	}
	/* a thread id names its process, and that thread unless others are named */
	if (tgid != p->pid) {
		p->tids = xzalloc(sizeof(int));
		p->tids[p->nr_tids++] = p->pid;
		p->pid = tgid;
	}
	if (p->pid == getpid()) {
		err_set(err, EXIT_USAGE, "'%d' is perf-prof itself", p->pid);
		err_hint(err, "a process cannot stop its own threads to read them");
		return -1;
	}
	if (nargs) {
		p->nr_tids = 0;
		p->tids = xrealloc(p->tids, (size_t)nargs * sizeof(int));
	}
	for (int i = 0; i < nargs; i++) {
		int tid, tg;

		if (parse_id(args[i], "thread id", &tid, err))
			return -1;
		if (proc_stat(tid, &tg, &flags) || tg != p->pid) {
			err_set(err, EXIT_USAGE, "no thread '%d' in process '%d'", tid, p->pid);
			err_hint(err, "the threads of %d are in /proc/%d/task", p->pid, p->pid);
			return -1;
		}
		p->tids[p->nr_tids++] = tid;
	}
	proc_comm(p->pid, 0, p->comm, sizeof(p->comm));
	return 0;
}

/* tracer_of - the TracerPid of @tid, 0 when none or unknown */
static int tracer_of(int pid, int tid)
{
	char path[64], *buf, *t;
	int tracer = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	buf = read_file(path, NULL);
	if (!buf)
		return 0;
	t = strstr(buf, "\nTracerPid:");
	if (t)
		tracer = atoi(t + 11);
	free(buf);
	return tracer;
}

/* pstack_attach_error - why ptrace refused thread @tid, for the user */
static void pstack_attach_error(struct pstack *p, int e, int tid, struct err *err)
{
	int tracer = tid ? tracer_of(p->pid, tid) : 0;
	char *scope = read_file("/proc/sys/kernel/yama/ptrace_scope", NULL);
	char comm[16];

	if (e == -ESRCH) {
		err_set(err, EXIT_FAIL, "process '%d' exited before its stacks could be read",
			p->pid);
	} else if (e == -EPERM && tracer) {
		proc_comm(tracer, 0, comm, sizeof(comm));
		err_set(err, EXIT_FAIL, "process '%d' is already traced by '%s' (pid %d)", p->pid,
			comm[0] ? comm : "?", tracer);
		err_hint(err, "a thread has one tracer at a time: detach %d (quit the debugger, "
			      "stop strace) and try again", tracer);
	} else if (e == -EPERM && scope && atoi(scope) == 3) {
		err_set(err, EXIT_FAIL, "cannot attach to process '%d': ptrace is disabled "
					"(kernel.yama.ptrace_scope = 3)", p->pid);
		err_hint(err, "scope 3 lasts until the next boot; nothing can read another "
			      "process's stack with ptrace until then");
	} else if (e == -EPERM) {
		err_set(err, EXIT_FAIL, "cannot attach to process '%d': %s", p->pid, strerror(-e));
		if (scope && atoi(scope) > 0)
			err_detail(err, "kernel.yama.ptrace_scope is %d", atoi(scope));
		err_hint(err, "run as root (CAP_SYS_PTRACE), or as the process's owner when it "
			      "is dumpable and ptrace_scope allows it");
	} else {
		err_set(err, EXIT_FAIL, "cannot attach to thread '%d' of process '%d': %s", tid,
			p->pid, strerror(-e));
	}
	free(scope);
}

/* ------------------------------------------------------------- stacks */

static u64 hash_u64(u64 h, u64 v)
{
	return fnv1a_words(h, &v, 1);
}

/* a NULL string hashes apart from "" */
static u64 hash_str(u64 h, const char *str)
{
	return hash_u64(str ? fnv1a_str(h, str) : h, str ? 1 : 0);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* the key of a frame: what is printed for it (the address only when it has no name) */
static u64 pframe_hash(u64 h, const struct pframe *f)
{
	const struct sym_inline *in = f->inl >= 0 ? &f->sym.inlined[f->inl] : NULL;

	if (in)
		return hash_u64(hash_str(hash_str(h, in->name), in->file), (u64)in->line);
	h = hash_str(hash_str(h, f->sym.name), f->sym.dso);
	h = hash_u64(hash_str(h, f->sym.file), (u64)f->sym.line);
	return f->sym.name ? h : hash_u64(h, f->addr);
}

/*
 * Strings are compared, not pointers: struct syms hands out one pointer
 * per function symbol, but the names of inlined functions may be made
 * (demangled) per address, and a file has a name per compilation unit.
 */
static bool pframe_same(const struct pframe *a, const struct pframe *b)
{
	if (a->inl != b->inl)
		return false;
	if (a->inl >= 0) {
		const struct sym_inline *x = &a->sym.inlined[a->inl], *y = &b->sym.inlined[b->inl];

		return str_same(x->name, y->name) && str_same(x->file, y->file) && x->line == y->line;
	}
	if (!str_same(a->sym.name, b->sym.name) || !str_same(a->sym.dso, b->sym.dso) ||
	    !str_same(a->sym.file, b->sym.file) || a->sym.line != b->sym.line)
		return false;
	return a->sym.name || a->addr == b->addr;
}

static bool pstack_same(const struct pstack_stack *st, int tid, const struct pframe *f, int nr)
{
	if (st->tid != tid || st->nr != nr)
		return false;
	for (int i = 0; i < nr; i++)
		if (!pframe_same(&st->f[i], &f[i]))
			return false;
	return true;
}

/*
 * pstack_frames - the frames of one thread's copy, leaf first, inlined
 * functions before the function they were inlined into (as eu-stack -i)
 */
static int pstack_frames(struct pstack *p, const struct stackcopy_thread *t)
{
	int n = unwind__user(p->uw, p->pid, t->regs, STACKCOPY_REGS_MASK, t->stack, t->size,
			     t->regs[STACKCOPY_SP], p->ips, PSTACK_MAX_FRAMES);
	int nr = 0;

	if (n == PSTACK_MAX_FRAMES)
		p->truncated++;
	for (int i = 0; i < n && nr < PSTACK_MAX_NAMES; i++) {
		struct pframe f = { .addr = p->ips[i], .inl = -1 };

		callchain__lookup(p->syms, p->pid, p->ips[i], i == 0, &f.sym, &f.off);
		for (int k = 0; k < f.sym.nr_inline && nr < PSTACK_MAX_NAMES - 1; k++) {
			p->frames[nr] = f;
			p->frames[nr++].inl = k;
		}
		p->frames[nr++] = f;
	}
	return nr;
}

/* pstack_add - count one sample of thread @tid's stack (p->frames[0..nr)) */
static void pstack_add(struct pstack *p, int tid, const char *comm, int nr)
{
	u64 h = hash_u64(FNV1A_INIT, (u64)tid);
	struct pstack_stack *st;

	for (int i = 0; i < nr; i++)
		h = pframe_hash(h, &p->frames[i]);
	/* a hash shared by different stacks probes on */
	for (;; h++) {
		u64 *slot = hashmap__get(p->index, h);

		if (!slot) {
			p->dropped++;
			return;
		}
		if (*slot) {
			st = p->stacks[*slot - 1];
			if (!pstack_same(st, tid, p->frames, nr))
				continue;
			st->count++;
			return;
		}
		st = xzalloc(sizeof(*st) + (size_t)nr * sizeof(st->f[0]));
		st->tid = tid;
		st->count = 1;
		st->first = p->taken;
		st->nr = nr;
		memcpy(st->comm, comm, sizeof(st->comm));
		memcpy(st->f, p->frames, (size_t)nr * sizeof(st->f[0]));
		p->stacks = xrealloc(p->stacks, (size_t)(p->nr_stacks + 1) * sizeof(*p->stacks));
		p->stacks[p->nr_stacks++] = st;
		*slot = (u64)p->nr_stacks;
		return;
	}
}

/* pstack_flame - one sample into the flame graph: comm, then frames root first */
static void pstack_flame(struct pstack *p, const char *comm, int nr)
{
	const char *names[PSTACK_MAX_NAMES];

	for (int i = 0; i < nr; i++) {
		const struct pframe *f = &p->frames[nr - 1 - i];

		names[i] = f->inl >= 0 ? f->sym.inlined[f->inl].name : f->sym.name;
	}
	flamegraph__add(p->fg, comm, names, nr, 1);
}

/*
 * pstack_sample - one snapshot: copy (the process stopped), then, with it
 * running again, read its mappings, unwind and count each thread
 */
static int pstack_sample(struct prof *prof, struct pstack *p, struct err *err)
{
	const struct pstack_opts *o = prof->opts;
	const struct stackcopy_thread *t;
	struct stackcopy_stats st;
	int nr, failed, n = stackcopy__take(p->sc, p->tids, p->nr_tids, &failed);

	if (n < 0) {
		pstack_attach_error(p, n, failed, err);
		return -1;
	}
	p->taken++;
	stackcopy__stats(p->sc, &st);
	p->stop_sum += st.thread_max_ns;
	if (st.thread_max_ns > p->stop_max)
		p->stop_max = st.thread_max_ns;
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof pstack: snapshot %llu: %d threads copied in "
			"%.1f us, one stopped %.1f us at most, %llu stack bytes\n",
			(unsigned long long)p->taken, st.threads, (double)st.stopped_ns / 1e3,
			(double)st.thread_max_ns / 1e3, (unsigned long long)st.bytes);
	syms__proc_maps(p->syms, p->pid);
	t = stackcopy__threads(p->sc, &nr);
	for (int i = 0; prof->opt.verbose > 1 && i < nr; i++)
		fprintf(prof__diag(prof), "perf-prof pstack:   thread %d: stopped %.1f us, %llu "
			"stack bytes\n", t[i].tid, (double)t[i].stopped_ns / 1e3,
			(unsigned long long)t[i].size);
	for (int i = 0; i < nr; i++) {
		int frames;

		switch (t[i].state) {
		case STACKCOPY_OK:
			break;
		case STACKCOPY_EXITED: p->exited++; continue;
		case STACKCOPY_ZOMBIE: p->zombie++; continue;
		case STACKCOPY_COMPAT: p->compat++; continue;
		case STACKCOPY_FAILED: p->failed++; continue;
		case STACKCOPY_LATE:
			p->late++;
			/* one snapshot: said per thread; -n: counted, said at the end */
			if (o->samples == 1)
				fprintf(prof__diag(prof), "perf-prof pstack: thread %d did not stop "
					"within %.3f s (state %c%s); its stack is not shown\n",
					t[i].tid, (double)o->stop_timeout / 1e9,
					t[i].proc_state ? t[i].proc_state : '?',
					t[i].proc_state == 'D' ? ", uninterruptible sleep" : "");
			continue;
		}
		p->cut += t[i].cut;
		frames = pstack_frames(p, &t[i]);
		pstack_add(p, t[i].tid, t[i].comm, frames);
		if (p->fg)
			pstack_flame(p, t[i].comm, frames);
	}
	return 0;
}

/* ------------------------------------------------------------- report */

static int stack_cmp(const void *a, const void *b)
{
	const struct pstack_stack *x = *(const struct pstack_stack *const *)a;
	const struct pstack_stack *y = *(const struct pstack_stack *const *)b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

static void pstack_print_text(struct prof *prof, struct pstack *p)
{
	FILE *out = prof->out;
	bool merged = p->taken > 1;

	if (merged)
		fprintf(out, "PID %d - process: %llu samples\n", p->pid, (unsigned long long)p->taken);
	else
		fprintf(out, "PID %d - process\n", p->pid);
	for (int i = 0; i < p->nr_stacks; i++) {
		const struct pstack_stack *st = p->stacks[i];

		if (merged)
			fprintf(out, "TID %d: %llu/%llu %s\n", st->tid, (unsigned long long)st->count,
				(unsigned long long)p->taken, st->comm);
		else
			fprintf(out, "TID %d: %s\n", st->tid, st->comm);
		for (int k = 0; k < st->nr; k++) {
			const struct pframe *f = &st->f[k];

			fprintf(out, "#%-2d 0x%016llx ", k, (unsigned long long)f->addr);
			if (f->inl >= 0)
				callchain__fprint_inline(out, &f->sym.inlined[f->inl]);
			else
				callchain__fprint_frame(out, &f->sym, f->off);
			fputc('\n', out);
		}
	}
}

static void pstack_print_json(struct prof *prof, struct pstack *p)
{
	for (int i = 0; i < p->nr_stacks; i++) {
		const struct pstack_stack *st = p->stacks[i];
		struct json j;

		json_begin(&j, prof->out);
		json_int(&j, "pid", p->pid);
		json_int(&j, "tid", st->tid);
		json_str(&j, "comm", st->comm);
		json_uint(&j, "count", st->count);
		json_uint(&j, "samples", p->taken);
		json_arr_begin(&j, "frames");
		for (int k = 0; k < st->nr; k++) {
			const struct pframe *f = &st->f[k];
			const struct sym_inline *in = f->inl >= 0 ? &f->sym.inlined[f->inl] : NULL;
			const char *file = in ? in->file : f->sym.file;
			int line = in ? in->line : f->sym.line;

			json_obj_begin(&j, NULL);
			json_uint(&j, "addr", f->addr);
			if (in) {
				json_str(&j, "name", in->name);
				json_bool(&j, "inlined", true);
			} else {
				if (f->sym.name)
					json_str(&j, "name", f->sym.name);
				else
					json_null(&j, "name");
				json_uint(&j, "offset", f->off);
				if (f->sym.dso)
					json_str(&j, "dso", f->sym.dso);
				else
					json_null(&j, "dso");
			}
			if (file) {
				json_str(&j, "file", file);
				json_int(&j, "line", line);
			}
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_end(&j);
	}
}

/* pstack_notes - what the report lacks, on stderr */
static void pstack_notes(struct prof *prof, struct pstack *p)
{
	const struct pstack_opts *o = prof->opts;
	FILE *d = prof__diag(prof);
	const char *per = p->taken > 1 ? " (thread samples)" : "";

	if (p->exited)
		fprintf(d, "perf-prof pstack: %llu threads exited while being read%s; their stacks "
			"are not shown\n", (unsigned long long)p->exited, per);
	if (p->late && o->samples != 1)
		fprintf(d, "perf-prof pstack: %llu threads did not stop in time%s\n",
			(unsigned long long)p->late, per);
	if (p->zombie && prof->opt.verbose)
		fprintf(d, "perf-prof pstack: %llu exited threads not yet reaped (zombies) have no "
			"stack%s\n", (unsigned long long)p->zombie, per);
	if (p->compat)
		fprintf(d, "perf-prof pstack: %llu threads run 32-bit code, which is not "
			"unwound%s\n", (unsigned long long)p->compat, per);
	if (p->failed)
		fprintf(d, "perf-prof pstack: the registers of %llu threads could not be read%s\n",
			(unsigned long long)p->failed, per);
	if (p->cut)
		fprintf(d, "perf-prof pstack: %llu stacks were larger than --stack-size %llu: their "
			"outer frames may be missing%s\n", (unsigned long long)p->cut,
			(unsigned long long)o->stack_size, per);
	if (p->truncated)
		fprintf(d, "perf-prof pstack: %llu stacks were cut at %d frames\n",
			(unsigned long long)p->truncated, PSTACK_MAX_FRAMES);
	if (p->dropped)
		fprintf(d, "perf-prof pstack: %llu thread samples not counted: out of memory for "
			"their stacks\n", (unsigned long long)p->dropped);
	if (p->taken && prof->opt.verbose)
		fprintf(d, "perf-prof pstack: %llu snapshots; a thread was stopped %.1f us at most "
			"in a snapshot on average, %.1f us at most in all\n", (unsigned long long)p->taken,
			(double)p->stop_sum / (double)p->taken / 1e3, (double)p->stop_max / 1e3);
}

/* ------------------------------------------------------------- the run */

static int pstack_init(struct prof *prof, struct err *err)
{
	const struct pstack_opts *o = prof->opts;
	struct pstack *p = xzalloc(sizeof(*p));

	prof->priv = p;
	if (o->stack_size < 4096 || o->stack_size > (64ULL << 20)) {
		err_set(err, EXIT_USAGE, "invalid '--stack-size %llu': from 4096 to 67108864 bytes",
			(unsigned long long)o->stack_size);
		err_hint(err, "the default, %d, holds stacks of thousands of frames",
			 STACKCOPY_STACK_DEFAULT);
		return -1;
	}
	if (!o->stop_timeout) {
		err_set(err, EXIT_USAGE, "invalid '--stop-timeout 0'");
		err_hint(err, "give how long to wait for a thread to stop, e.g. 200ms");
		return -1;
	}
	if (pstack_target(prof, p, err))
		return -1;
	if (o->flame_graph) {
		p->fg = flamegraph__new(o->flame_graph, err);
		if (!p->fg)
			return -1;
	}
	p->syms = syms__new(o->srcline ? SYMS_SRCLINE | SYMS_INLINE : 0);
	syms__set_ksyms(p->syms, prof->env->ksyms);
	p->uw = unwind__new(p->syms);
	p->sc = stackcopy__new(p->pid, &(struct stackcopy_opts){
		.stack_max = o->stack_size,
		.timeout_ns = o->stop_timeout,
		.one_by_one = !o->all_at_once,
	});
	p->index = hashmap__new(sizeof(u64), 0);
	p->ips = xzalloc(PSTACK_MAX_FRAMES * sizeof(*p->ips));
	p->frames = xzalloc(PSTACK_MAX_NAMES * sizeof(*p->frames));
	/* the first snapshot at once; the timer takes the others */
	if (pstack_sample(prof, p, err))
		return -1;
	if (!p->nr_stacks && !p->late && p->zombie) {
		err_set(err, EXIT_FAIL, "process '%d' has exited: it is a zombie, not yet reaped "
					"by its parent", p->pid);
		err_hint(err, "a zombie has no stack; 'ps -o ppid= -p %d' names the parent that "
			      "should wait for it", p->pid);
		return -1;
	}
	if (o->samples == 1)
		prof__stop(prof);
	return 0;
}

static void pstack_interval(struct prof *prof)
{
	const struct pstack_opts *o = prof->opts;
	struct pstack *p = prof->priv;
	struct err err = { 0 };

	if (p->gone || (o->samples && p->taken >= o->samples))
		return;
	if (pstack_sample(prof, p, &err)) {
		/* the first snapshot worked: the process has ended (or changed hands) */
		p->gone = true;
		if (!prof->opt.quiet)
			fprintf(prof__diag(prof), "perf-prof pstack: %s; stopping after %llu "
				"samples\n", err.msg, (unsigned long long)p->taken);
		prof__stop(prof);
		return;
	}
	if (o->samples && p->taken >= o->samples)
		prof__stop(prof);
}

static void pstack_final(struct prof *prof)
{
	struct pstack *p = prof->priv;
	struct err err = { 0 };

	if (!p || !p->taken)
		return;
	if (p->nr_stacks)
		qsort(p->stacks, (size_t)p->nr_stacks, sizeof(*p->stacks), stack_cmp);
	if (prof->opt.json)
		pstack_print_json(prof, p);
	else
		pstack_print_text(prof, p);
	pstack_notes(prof, p);
	if (p->fg) {
		if (flamegraph__close(p->fg, &err))
			err_print(&err, "pstack");
		p->fg = NULL;
	}
}

static void pstack_deinit(struct prof *prof)
{
	struct pstack *p = prof->priv;

	if (!p)
		return;
	stackcopy__delete(p->sc);
	if (p->fg)
		flamegraph__delete(p->fg);
	for (int i = 0; i < p->nr_stacks; i++)
		free(p->stacks[i]);
	free(p->stacks);
	hashmap__free(p->index);
	unwind__delete(p->uw);
	if (p->syms)
		syms__delete(p->syms);
	free(p->ips);
	free(p->frames);
	free(p->tids);
	free(p);
	prof->priv = NULL;
}

#define POPT(f) offsetof(struct pstack_opts, f)

static const struct opt pstack_opts[] = {
	{ OPT_STRING, 'p', "pid", POPT(pid), "PID",
	  "the process (instead of the first argument); the arguments are then thread ids", NULL, false },
	{ OPT_U64, 'n', "samples", POPT(samples), "N",
	  "take N snapshots, -i apart, and merge identical stacks with counts "
	  "(default 1; 0: until Ctrl-C or the process ends)", NULL, false },
	{ OPT_BOOL, 0, "srcline", POPT(srcline), NULL,
	  "show file:line, and inlined functions as frames of their own", NULL, false },
	{ OPT_STRING, 0, "flame-graph", POPT(flame_graph), "FILE",
	  "write the sampled stacks as a flame graph: FILE.folded, or an interactive FILE.svg", NULL, false },
	{ OPT_U64, 0, "stack-size", POPT(stack_size), "BYTES",
	  "copy at most BYTES of each thread's stack (default 524288)", NULL, false },
	{ OPT_BOOL, 0, "all-at-once", POPT(all_at_once), NULL,
	  "stop every thread before the first is let go: the stacks of one instant, but each "
	  "thread is stopped until all are copied", NULL, false },
	{ OPT_DURATION, 0, "stop-timeout", POPT(stop_timeout), "TIME",
	  "wait at most TIME for a thread to stop (one in uninterruptible sleep may not; "
	  "default 1s)", NULL, false },
	OPT_TABLE_END,
};

const struct profiler pstack_profiler = {
	.name = "pstack",
	.summary = "the stacks of a running process's threads (pstack, eu-stack); -n samples them",
	.synopsis = "perf-prof pstack [-n N] [-i MS] [--srcline] [--json] [OPTIONS] PID [TID...]\n"
		    "       perf-prof pstack -p PID [OPTIONS] [TID...]",
	.help = "Prints the user-space call stack of every thread of process PID (or of the\n"
		"threads TID... of it; a thread id alone names its process and itself),\n"
		"innermost frame first, in eu-stack's layout:\n"
		"    PID 4242 - process\n"
		"    TID 4242: app\n"
		"    #0  0x00007f1c2e8f57e2 read+0x12 (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
		"    #1  0x000055d0c0de1139 c+0x19 (/usr/local/bin/app)\n"
		"A thread is stopped with ptrace only while its registers and stack are copied\n"
		"(tens of microseconds), one thread at a time (--all-at-once: all threads\n"
		"together, for the stacks of one instant); the copies are unwound (DWARF CFI,\n"
		"else frame pointers) and symbolized after the process runs again. Nothing is\n"
		"left behind on any exit: a stopped process stays stopped, a running one runs\n"
		"on, no signal is lost or added.\n"
		"With -n N, N snapshots are taken -i apart (default 100 ms) and identical\n"
		"stacks of a thread are merged, most frequent first, under\n"
		"'TID 4243: 12/20 NAME' (12 of 20 samples): a profiler that needs no perf\n"
		"events. Merged stacks compare what is printed (functions, files), so\n"
		"their addresses and offsets are those of the first sample.\n"
		"\nEXAMPLES\n"
		"    perf-prof pstack 4242                 every thread of process 4242\n"
		"    perf-prof pstack 4242 4243 4250       two of its threads\n"
		"    perf-prof pstack --srcline 4242       with file:line and inlined functions\n"
		"    perf-prof pstack -n 100 -i 10ms 4242  100 samples, 10 ms apart, merged\n"
		"    perf-prof pstack -n 0 --flame-graph app.svg 4242   sample until Ctrl-C\n"
		"    perf-prof pstack --json 4242 | jq -r '.frames[0].name'\n",
	.common = COMMON_INTERVAL | COMMON_OUTPUT | COMMON_JSON,
	.max_args = 4096,
	.interval_ms = 100,
	.opts = pstack_opts,
	.opts_size = sizeof(struct pstack_opts),
	.opts_init = pstack_opts_init,
	.init = pstack_init,
	.interval = pstack_interval,
	.final = pstack_final,
	.deinit = pstack_deinit,
};
