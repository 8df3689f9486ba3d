// SPDX-License-Identifier: GPL-2.0
/*
 * session.c - the pipeline of one run, from selectors to samples handed to
 * the profiler:
 *
 *   -e text --evspec_parse--> evspecs --tep__load--> formats
 *   --> perf_event_attr per event --libperf--> fds on CPUs x threads
 *   --> filter ioctl (else user-space expression) --> one ring per CPU
 *   --> epoll(rings, timerfd, signalfd, pidfds) --> pass over the rings
 *   --> [k-way merge by time] --> decode once --> profiler->sample()
 *
 * Every failure unwinds what was set up, in reverse order.
 */
#include <errno.h>
#include <asm/perf_regs.h>
#include <fnmatch.h>
#include <perf/cpumap.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "comm.h"
#include "expr.h"
#include "idmap.h"
#include "order.h"
#include "perfev.h"
#include "probe.h"
#include "session.h"
#include "syms.h"
#include "tep.h"
#include "unwind.h"
#include "workload.h"

/*
 * The sample layout every event shares; stacks/regs are added per event.
 * Records are kept small, since the reader pulls every byte of them from
 * the producing CPU's cache: the CPU is asked for only when a ring is not
 * bound to one CPU (a per-CPU ring's samples all come from its CPU), and
 * the period never, since every event is sampled at period 1 (an event
 * sampled at another period must add PERF_SAMPLE_PERIOD; the decoder reads
 * it then). SAMPLE_FULL is the kernel's layout when both are asked for:
 * replay files written that way take it.
 */
#define SAMPLE_BASE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW)
#define SAMPLE_FULL (SAMPLE_BASE | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD)

#define FLUSH_PERIOD_MS 100	/* longest a record waits in a quiet ring */
#define LOST_REPORT_NS 1000000000ULL
#define COMM_GC_NS (10 * 1000000000ULL)	/* exited tasks are forgotten after 10-20 s */

struct session {
	struct prof *prof;
	struct evspec_list evs;

	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
	struct perf_evlist *evlist;
	bool opened;
	bool task_mode;		/* events bound to -p/-t/workload tasks */

	struct ring *rings;
	int nr_rings;
	struct order order;
	u64 sample_base;	/* SAMPLE_BASE plus what the rings need */
	unsigned trailer_time;	/* bytes from a record's end to its sample_id time */

	struct idmap ids;	/* sample id -> struct evspec */

	int epfd, sigfd, timerfd;
	int *pidfds;
	int nr_pidfds, pidfds_left;
	pid_t *watch_tids;	/* -t targets: polled, a thread has no pidfd before 6.9 */
	int nr_watch_tids;
	u64 last_watch;
	int out_errno;		/* first failed write of the output */
	u64 last_gc;		/* last comm_gc() */
	sigset_t oldmask;
	bool sigblocked;

	struct workload wl;
	bool has_workload;

	bool stop;
	bool draining;
	u64 delivered;
	u64 filtered;
	u64 unknown_id;
	u64 last_lost_report;
	u64 *expr_errors;	/* per event */
	bool user_filters;

	/* stacks: user symbols follow the tasks' mappings; DWARF unwinding */
	struct syms *syms;
	struct unwind_ctx *unwind;
	u64 stack_user;		/* --call-graph dwarf copy size, 0: frame pointers */
	int sp_index;		/* SP's slot in the sampled user registers */
	u64 *chain;		/* kernel part + unwound user part of one sample */
	u64 unwind_failed;
	char **replay_bufs;	/* one per replay ring */
};

/* ---------------------------------------------------------------- events */

static int session__expand(struct session *s, struct evspec *ev, struct err *err)
{
	char **names = NULL, pat[512];
	int n, matched = 0;

	snprintf(pat, sizeof(pat), "%s:%s", ev->sys, ev->name);
	n = tep__tracepoints(&names, err);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char *colon;

		if (fnmatch(pat, names[i], 0))
			continue;
		colon = strchr(names[i], ':');
		*colon = '\0';
		evspec_list_add(&s->evs, evspec_clone(ev, names[i], colon + 1));
		*colon = ':';
		matched++;
	}
	tep__free_names(names, n);
	if (!matched) {
		err_set(err, EXIT_USAGE, "no tracepoint matches '%s'", pat);
		err_hint(err, "'perf-prof list' shows the tracepoints; quote globs from the shell");
		return -1;
	}
	if (s->prof->opt.verbose)
		fprintf(stderr, "perf-prof: '%s' matches %d tracepoints\n", pat, matched);
	return 0;
}

static int session__parse(struct session *s, struct err *err)
{
	struct prof *prof = s->prof;
	struct evspec_list parsed = { 0 };

	for (int i = 0; i < prof->opt.events.n; i++)
		if (evspec_parse(prof->opt.events.v[i], i, prof->ops->attrs, &parsed, err))
			goto fail;
	for (int i = 0; i < parsed.n; i++) {
		struct evspec *ev = parsed.v[i];

		/* a probe becomes a tracefs dynamic event, then reads like a tracepoint */
		if (ev->kind != EVSPEC_TRACEPOINT && probe__create(ev, err))
			goto fail;
		if (evspec_is_glob(ev)) {
			if (session__expand(s, ev, err))
				goto fail;
			continue;
		}
		evspec_list_add(&s->evs, ev);
		parsed.v[i] = NULL;
	}
	evspec_list_free(&parsed);
	return 0;
fail:
	evspec_list_free(&parsed);
	return -1;
}

/* session__raw_min - bytes a record needs to hold every fixed field of @tp */
static u32 session__raw_min(struct tep_event *tp)
{
	struct tep_format_field **fields = tep_event_fields(tp);
	u32 min = 8;	/* the common fields */

	for (int i = 0; fields && fields[i]; i++)
		if ((u32)(fields[i]->offset + fields[i]->size) > min)
			min = (u32)(fields[i]->offset + fields[i]->size);
	free(fields);
	return min;
}

static int session__load_formats(struct session *s, struct err *err)
{
	for (int i = 0; i < s->evs.n; i++) {
		struct evspec *ev = s->evs.v[i];

		ev->tp = tep__load(ev->sys, ev->name, err);
		if (!ev->tp)
			return -1;
		ev->config = (u64)ev->tp->id;
		ev->raw_min = session__raw_min(ev->tp);
		ev->index = i;
		if (!ev->display)	/* probes name themselves "uprobe:FUNC" */
			ev->display = ev->alias ? xstrdup(ev->alias) :
						  xasprintf("%s:%s", ev->sys, ev->name);
	}
	return 0;
}

struct session *session__new(struct prof *prof, struct err *err)
{
	struct session *s = xzalloc(sizeof(*s));

	perfev__init(prof->opt.verbose);
	s->prof = prof;
	s->epfd = s->sigfd = s->timerfd = -1;
	s->wl.pid = -1;
	prof->session = s;
	if (!prof->opt.events.n) {
		err_set(err, EXIT_USAGE, "no event given");
		err_hint(err, "add -e SYS:NAME (see 'perf-prof list' and 'perf-prof %s -h')",
			 prof->ops->name);
		goto fail;
	}
	if (session__parse(s, err) || session__load_formats(s, err))
		goto fail;
	prof->evs = s->evs.v;
	prof->nr_evs = s->evs.n;
	s->expr_errors = xzalloc((size_t)s->evs.n * sizeof(*s->expr_errors));
	return s;
fail:
	session__delete(s);
	prof->session = NULL;
	return NULL;
}

/* --------------------------------------------------------------- targets */

/* parse_cpu_list - strict "0", "0-3", "0,2-3"; sets bits in @set */
static int parse_cpu_list(const char *list, bool *set, int max, struct err *err)
{
	const char *p = list;

	if (!*p)
		goto bad;
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0)
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				goto bad;
			p = end;
		}
		for (long c = a; c <= b && c < max; c++)
			set[c] = true;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	err_set(err, EXIT_USAGE, "invalid CPU list '%s'", list);
	err_hint(err, "write CPUs like 0, 0-3 or 0,2-3");
	return -1;
}

static int session__cpus(struct session *s, struct err *err)
{
	struct perf_cpu_map *online = perf_cpu_map__new(NULL);
	const char *want = s->prof->opt.cpus;
	int max, n = 0;
	bool *set;
	char *buf, *p;

	if (!online)
		return err_set(err, EXIT_FAIL, "cannot read the online CPUs");
	if (!want) {
		s->cpus = online;
		return 0;
	}
	max = perf_cpu_map__max(online).cpu + 1;
	set = xzalloc((size_t)max + 1);
	if (parse_cpu_list(want, set, max, err)) {
		free(set);
		perf_cpu_map__put(online);
		return -1;
	}
	buf = p = xzalloc((size_t)max * 12 + 1);
	for (int i = 0; i < perf_cpu_map__nr(online); i++) {
		int c = perf_cpu_map__cpu(online, i).cpu;

		if (c < max && set[c]) {
			p += sprintf(p, "%s%d", n ? "," : "", c);
			n++;
		}
	}
	free(set);
	if (!n) {
		err_set(err, EXIT_USAGE, "no online CPU in '-C %s'", want);
		err_hint(err, "online CPUs are 0-%d", max - 1);
		perf_cpu_map__put(online);
		free(buf);
		return -1;
	}
	s->cpus = perf_cpu_map__new(buf);
	free(buf);
	perf_cpu_map__put(online);
	if (!s->cpus)
		return err_set(err, EXIT_FAIL, "cannot build the CPU map");
	return 0;
}

static int add_tid(pid_t **v, int *n, pid_t tid)
{
	for (int i = 0; i < *n; i++)
		if ((*v)[i] == tid)
			return 0;
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = tid;
	return 0;
}

/* parse_pid_list - "123", "123,456": each must be a positive integer */
static int parse_pid_list(const char *list, const char *opt, pid_t **out, int *n, struct err *err)
{
	char *dup = xstrdup(list), *save = NULL, *tok;
	int r = 0;

	*out = NULL;
	*n = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		u64 v;

		if (parse_u64(tok, &v) || !v || v > 0x3fffffff) {
			r = err_set(err, EXIT_USAGE, "invalid %s '%s'", opt, tok);
			err_hint(err, "give numeric ids separated by commas");
			break;
		}
		add_tid(out, n, (pid_t)v);
	}
	free(dup);
	if (!r && !*n) {
		r = err_set(err, EXIT_USAGE, "empty %s list", opt);
	}
	return r;
}

static int session__threads(struct session *s, pid_t **tids, int *nr, struct err *err)
{
	struct prof_common *o = &s->prof->opt;
	pid_t *ids;
	int n;

	*tids = NULL;
	*nr = 0;
	if (o->pids) {
		if (parse_pid_list(o->pids, "pid", &ids, &n, err))
			return -1;
		for (int i = 0; i < n; i++) {
			char path[64];
			DIR *d;
			struct dirent *de;

			snprintf(path, sizeof(path), "/proc/%d/task", ids[i]);
			d = opendir(path);
			if (!d) {
				err_set(err, EXIT_USAGE, "no such process '%d'", ids[i]);
				err_hint(err, "check the pid with 'ps -p %d'", ids[i]);
				free(ids);
				free(*tids);
				return -1;
			}
			/* the pidfd tells when the process is gone */
			s->pidfds = xrealloc(s->pidfds, (size_t)(s->nr_pidfds + 1) * sizeof(int));
			s->pidfds[s->nr_pidfds] = (int)syscall(SYS_pidfd_open, ids[i], 0);
			if (s->pidfds[s->nr_pidfds] >= 0)
				s->nr_pidfds++;
			else	/* no pidfds (old kernel, valgrind): poll /proc */
				add_tid(&s->watch_tids, &s->nr_watch_tids, ids[i]);
			while ((de = readdir(d)))
				if (de->d_name[0] != '.')
					add_tid(tids, nr, atoi(de->d_name));
			closedir(d);
		}
		free(ids);
	}
	if (o->tids) {
		if (parse_pid_list(o->tids, "tid", &ids, &n, err)) {
			free(*tids);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%d/task/%d", ids[i], ids[i]);
			if (access(path, F_OK)) {
				snprintf(path, sizeof(path), "/proc/%d", ids[i]);
				if (access(path, F_OK)) {
					err_set(err, EXIT_USAGE, "no such thread '%d'", ids[i]);
					free(ids);
					free(*tids);
					return -1;
				}
			}
			add_tid(tids, nr, ids[i]);
			add_tid(&s->watch_tids, &s->nr_watch_tids, ids[i]);
		}
		free(ids);
	}
	return 0;
}

/* session__tids_gone - every -t target has exited (checked at most every 100 ms) */
static bool session__tids_gone(struct session *s)
{
	u64 now = now_ns();
	char path[64];

	if (!s->nr_watch_tids || now - s->last_watch < FLUSH_PERIOD_MS * 1000000ULL)
		return false;
	s->last_watch = now;
	/* with -p, only once every pidfd'ed process is gone too */
	if (s->pidfds_left)
		return false;
	for (int i = 0; i < s->nr_watch_tids; i++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", s->watch_tids[i]);
		if (!access(path, F_OK))
			return false;
	}
	return true;
}

static int session__targets(struct session *s, struct err *err)
{
	struct prof_common *o = &s->prof->opt;
	pid_t *tids = NULL;
	int nr = 0, r;

	s->task_mode = o->pids || o->tids || o->workload;
	if (s->task_mode && o->cpus) {
		err_set(err, EXIT_USAGE, "-C cannot be combined with %s",
			o->workload ? "a workload" : o->pids ? "-p" : "-t");
		err_hint(err, "task-bound events follow their tasks on every CPU; drop -C, "
			      "or filter on CPU with a filter such as '_cpu==0'");
		return -1;
	}
	if (o->workload && (o->pids || o->tids)) {
		err_set(err, EXIT_USAGE, "a workload cannot be combined with %s", o->pids ? "-p" : "-t");
		err_hint(err, "either attach to running tasks or start a command after '--'");
		return -1;
	}
	if (o->workload && workload__check(o->workload, err))
		return -1;
	if (session__cpus(s, err))
		return -1;
	if (!s->task_mode) {
		s->threads = perf_thread_map__new_dummy();
		return s->threads ? 0 : err_set(err, EXIT_FAIL, "out of memory");
	}
	if (o->workload) {
		sigset_t *mask = &s->oldmask;

		if (workload__prepare(&s->wl, o->workload, mask, err))
			return -1;
		s->has_workload = true;
		add_tid(&tids, &nr, s->wl.pid);
	} else if (session__threads(s, &tids, &nr, err)) {
		return -1;
	}
	s->threads = perf_thread_map__new_array(nr, tids);
	/* name the targets now: one that exits before a report keeps its name */
	for (int i = 0; i < nr && !o->workload; i++)
		comm_get(tids[i]);
	free(tids);
	r = s->threads ? 0 : err_set(err, EXIT_FAIL, "out of memory");
	s->pidfds_left = s->nr_pidfds;
	return r;
}

/* ------------------------------------------------------------------ open */

static int session__ring_pages(struct session *s)
{
	struct prof *prof = s->prof;
	int pages = prof->opt.pages ? prof->opt.pages : prof->ops->pages ? prof->ops->pages : 64;

	if (!prof->opt.pages) {
		long page = sysconf(_SC_PAGESIZE);
		int rings = s->cpus ? perf_cpu_map__nr(s->cpus) : 1;

		for (int i = 0; i < s->evs.n; i++)
			if (s->evs.v[i]->stack) {
				pages *= 2;	/* callchains make records several times larger */
				break;
			}
		/* defaults stay within 64 MiB of locked memory on big machines */
		while (pages > 16 && (u64)pages * (u64)page * (u64)rings > (64ULL << 20))
			pages /= 2;
	}
	return pages;
}

static void session__attr(struct session *s, struct evspec *ev, bool first,
			  struct perf_event_attr *attr)
{
	struct prof *prof = s->prof;
	int pages = session__ring_pages(s);
	int wm = prof->opt.watermark ? prof->opt.watermark :
		 prof->ops->watermark ? prof->ops->watermark : 50;
	u64 ring_bytes = (u64)pages * (u64)sysconf(_SC_PAGESIZE);

	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = ev->config;
	attr->sample_period = 1;
	if (prof->opt.callgraph)
		ev->stack = true;
	ev->sample_type = s->sample_base | (ev->stack ? PERF_SAMPLE_CALLCHAIN : 0);
	if (ev->stack && s->stack_user)
		ev->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	attr->sample_type = ev->sample_type;
	if (ev->stack) {
		/* with DWARF the user part comes from unwinding the copied stack */
		attr->exclude_callchain_user = !prof->opt.user_callchain || s->stack_user;
		attr->exclude_callchain_kernel = !prof->opt.kernel_callchain;
		if (s->stack_user && prof->opt.user_callchain) {
			attr->sample_regs_user = UNWIND_REGS_MASK;
			attr->sample_stack_user = (u32)s->stack_user;
		} else {
			ev->sample_type &= ~(u64)(PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
			attr->sample_type = ev->sample_type;
		}
	}
	attr->read_format = PERF_FORMAT_ID;
	if (ev->max_stack)
		attr->sample_max_stack = (u16)ev->max_stack;
	attr->disabled = 1;
	attr->sample_id_all = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	/* wake up by watermark, never per event */
	attr->watermark = 1;
	attr->wakeup_watermark = (u32)(ring_bytes * (u64)wm / 100);
	if (!attr->wakeup_watermark)
		attr->wakeup_watermark = 1;
	if (s->task_mode && !prof->opt.tids)
		attr->inherit = 1;
	if (s->has_workload)
		attr->enable_on_exec = 1;
	if (first) {
		/* one event per ring carries the task records (comm names) */
		attr->comm = 1;
		attr->task = 1;
		/* and, for user stacks, the executable mappings */
		if (s->syms) {
			attr->mmap = 1;
			attr->mmap2 = 1;
			attr->comm_exec = 1;
		}
	}
}

static const char *open_hint(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return "run perf-prof as root (or lower /proc/sys/kernel/perf_event_paranoid)";
	case EMFILE:
		return "too many open files: raise 'ulimit -n' or attach to fewer CPUs/threads";
	case ESRCH:
		return "the target task exited before its events could be opened";
	default:
		return NULL;
	}
}

static int session__open_events(struct session *s, struct err *err)
{
	int r;

	s->evlist = perf_evlist__new();
	if (!s->evlist)
		return err_set(err, EXIT_FAIL, "out of memory");
	/* every ring is per CPU (task-bound events too) unless a map says "any" */
	s->sample_base = SAMPLE_BASE;
	for (int i = 0; i < perf_cpu_map__nr(s->cpus); i++)
		if (perf_cpu_map__cpu(s->cpus, i).cpu < 0)
			s->sample_base |= PERF_SAMPLE_CPU;
	s->trailer_time = s->sample_base & PERF_SAMPLE_CPU ? 24 : 16;
	for (int i = 0; i < s->evs.n; i++) {
		struct evspec *ev = s->evs.v[i];
		struct perf_event_attr attr;

		session__attr(s, ev, i == 0, &attr);
		ev->evsel = perf_evsel__new(&attr);
		if (!ev->evsel)
			return err_set(err, EXIT_FAIL, "out of memory");
		perf_evlist__add(s->evlist, ev->evsel);
	}
	perf_evlist__set_maps(s->evlist, s->cpus, s->threads);
	/* open one by one to name the event that fails */
	for (int i = 0; i < s->evs.n; i++) {
		struct evspec *ev = s->evs.v[i];
		const char *h;

		r = perf_evsel__open(ev->evsel, s->cpus, s->threads);
		if (r) {
			int e = -r > 0 && -r < 4096 ? -r : errno;

			err_set(err, EXIT_FAIL, "cannot open event '%s': %s", ev->display, strerror(e));
			h = open_hint(e);
			if (h)
				err_hint(err, "%s", h);
			return -1;
		}
	}
	s->opened = true;
	return 0;
}

static int session__filters(struct session *s, struct err *err)
{
	char self_pid[64];

	snprintf(self_pid, sizeof(self_pid), "common_pid!=%d", (int)getpid());
	for (int i = 0; i < s->evs.n; i++) {
		struct evspec *ev = s->evs.v[i];
		/*
		 * A system-wide user-space probe must not fire in perf-prof: its
		 * own mallocs (formatting each event) would raise more malloc
		 * events without end. Tracepoints keep perf-prof's own activity
		 * (bounded, and a filter on common_pid would also drop events
		 * about other tasks raised while perf-prof was current).
		 */
		const char *self = !s->task_mode && (ev->kind == EVSPEC_UPROBE ||
						     ev->kind == EVSPEC_URETPROBE) ? self_pid : "";
		char reason[512];
		struct err xerr;
		int r;

		if (!ev->filter) {
			if (self[0])
				perfev__set_filter(ev->evsel, self);
			continue;
		}
		if (self[0]) {
			char *both = xasprintf("(%s)&&%s", ev->filter, self);

			r = perfev__set_filter(ev->evsel, both);
			free(both);
		} else {
			r = perfev__set_filter(ev->evsel, ev->filter);
		}
		if (!r) {
			if (s->prof->opt.verbose)
				fprintf(stderr, "perf-prof: '%s' filters '%s' in the kernel\n",
					ev->display, ev->filter);
			continue;
		}
		tep__filter_reason(ev->sys, ev->name, ev->filter, reason, sizeof(reason));
		if (!reason[0])
			snprintf(reason, sizeof(reason), "%s", strerror(-r));
		ev->ufilter = expr_compile(ev->filter, ev->tp, &xerr);
		if (!ev->ufilter) {
			err_set(err, EXIT_USAGE, "invalid filter '%s' for '%s'", ev->filter, ev->display);
			err_detail(err, "the kernel refused it: %s", reason);
			err_detail(err, "and it is not a valid user-space expression: %s", xerr.msg);
			if (xerr.detail[0])
				err_detail(err, "%s", xerr.detail);
			/* the event part of the term as written (a probe's is not sys:name) */
			int n = ev->filter_col > ev->col ? ev->filter_col - ev->col - 1 :
							   (int)strlen(ev->text);

			err_hint(err, "\"perf-prof %s -e '%.*s' help\" lists the fields; see "
				      "Documentation/expressions.md",
				 s->prof->ops->name, n, ev->arg + ev->col);
			return -1;
		}
		s->user_filters = true;
		if (self[0])	/* the kernel keeps the self-exclusion alone */
			perfev__set_filter(ev->evsel, self);
		fprintf(stderr, "perf-prof: note: the kernel refused filter '%s' on '%s'; "
				"filtering in user space\n", ev->filter, ev->display);
		if (s->prof->opt.verbose)
			fprintf(stderr, "perf-prof: kernel reason: %s\n", reason);
	}
	return 0;
}

/* session__id_ev - the event a sample id belongs to, NULL if none of ours */
static inline struct evspec *session__id_ev(const struct session *s, u64 id)
{
	return idmap__find(&s->ids, id);
}

static int session__mmap(struct session *s, struct err *err)
{
	struct perfev_mmap *maps;
	int pages = session__ring_pages(s), n, nr_ids = 0, n_ids = 0;
	u64 *all_ids;
	void **all_evs;
	u64 data_size = (u64)pages * (u64)sysconf(_SC_PAGESIZE);

	if (perf_evlist__mmap(s->evlist, pages)) {
		int e = errno;

		err_set(err, EXIT_FAIL, "cannot map %d-page ring buffers: %s", pages, strerror(e));
		if (e == EPERM || e == ENOMEM)
			err_hint(err, "use fewer pages (-m) or raise "
				      "/proc/sys/kernel/perf_event_mlock_kb");
		return -1;
	}
	n = perfev__mmaps(s->evlist, &maps);
	s->rings = xzalloc((size_t)(n ? n : 1) * sizeof(*s->rings));
	for (int i = 0; i < n; i++) {
		int tid = maps[i].thread >= 0 ? perf_thread_map__pid(s->threads, maps[i].thread) : -1;

		ring__init_mmap(&s->rings[i], maps[i].base, data_size, maps[i].fd, maps[i].cpu, tid);
		s->rings[i].idx = i;
	}
	s->nr_rings = n;
	free(maps);
	for (int i = 0; i < s->evs.n; i++) {
		const u64 *ids;

		nr_ids += perfev__ids(s->evs.v[i]->evsel, &ids);
	}
	all_ids = xzalloc((size_t)(nr_ids ? nr_ids : 1) * sizeof(*all_ids));
	all_evs = xzalloc((size_t)(nr_ids ? nr_ids : 1) * sizeof(*all_evs));
	for (int i = 0; i < s->evs.n; i++) {
		const u64 *ids;
		int k = perfev__ids(s->evs.v[i]->evsel, &ids);

		for (int j = 0; j < k; j++) {
			all_ids[n_ids] = ids[j];
			all_evs[n_ids++] = s->evs.v[i];
		}
	}
	idmap__init(&s->ids, all_ids, all_evs, n_ids);
	free(all_ids);
	free(all_evs);
	return order__init(&s->order, s->rings, s->nr_rings);
}

static int session__signals(struct session *s, struct err *err)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, &s->oldmask))
		return err_set(err, EXIT_FAIL, "cannot block signals: %s", strerror(errno));
	s->sigblocked = true;
	s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sigfd < 0)
		return err_set(err, EXIT_FAIL, "cannot create a signalfd: %s", strerror(errno));
	return 0;
}

/* session__stacks - symbols and unwinding, when some event samples stacks */
static int session__stacks(struct session *s, struct err *err)
{
	struct prof_common *o = &s->prof->opt;
	bool per_event = false, all, any;

	/*
	 * -g asks for stacks everywhere; --call-graph only says how they are
	 * taken when some events carry 'stack' (frees and return probes then
	 * don't pay for callchains), and means everywhere otherwise.
	 */
	for (int i = 0; i < s->evs.n; i++)
		per_event |= s->evs.v[i]->stack;
	all = o->callgraph || (o->call_graph && !per_event);
	any = all || per_event;
	for (int i = 0; i < s->evs.n && all; i++)
		s->evs.v[i]->stack = true;
	if (!any)
		return 0;
	s->syms = syms__new(o->srcline ? SYMS_SRCLINE | SYMS_INLINE : 0);
	if (o->call_graph && !strncmp(o->call_graph, "dwarf", 5)) {
		u64 size = UNWIND_STACK_DEFAULT;

		if (o->call_graph[5] == ',')
			parse_u64(o->call_graph + 6, &size);
		s->stack_user = size;
		s->unwind = unwind__new(s->syms);
		s->sp_index = __builtin_popcountll(UNWIND_REGS_MASK & ((1ULL << PERF_REG_X86_SP) - 1));
		s->chain = xzalloc((PERF_MAX_STACK_DEPTH * 2 + 4) * sizeof(u64));
	}
	return 0;
}

/* session__target_maps - mappings of the tasks attached with -p/-t */
static void session__target_maps(struct session *s)
{
	if (!s->syms || !s->threads || !s->task_mode)
		return;
	for (int i = 0; i < perf_thread_map__nr(s->threads); i++)
		syms__proc_maps(s->syms, perf_thread_map__pid(s->threads, i));
}

int session__open(struct session *s, struct err *err)
{
	/*
	 * Signals are blocked (and read through the signalfd) from the moment
	 * the workload is forked, so the child can restore the original mask;
	 * without a workload, once the events are open and mapped: a blocked
	 * SIGINT then means the run is about to start.
	 */
	bool workload = s->prof->opt.workload != NULL;

	if ((workload && session__signals(s, err)) || session__stacks(s, err) ||
	    session__targets(s, err))
		return -1;
	session__target_maps(s);
	if (session__open_events(s, err) || session__filters(s, err) || session__mmap(s, err))
		return -1;
	if (!workload && session__signals(s, err))
		return -1;
	return 0;
}

struct syms *session__syms(const struct session *s)
{
	return s->syms;
}

/* ---------------------------------------------------------------- decode */

/*
 * session__decode_more - the rest of a sample after id, tid and time when
 * the event asks for more than SAMPLE_BASE: fields in the ABI order of the
 * bits. Every length the kernel gives is checked against the record size
 * before it is used.
 */
static __attribute__((noinline)) int
session__decode_more(const struct ring *r, struct prof_sample *out, const u64 *p,
		     const u64 *end)
{
	const struct evspec *ev = out->ev;
	u64 type = ev->sample_type;

	out->cpu = r->cpu;
	out->period = 1;
	if (type & PERF_SAMPLE_CPU) {
		if (p + 1 > end)
			return -1;
		out->cpu = (int)(u32)*p++;
	}
	if (type & PERF_SAMPLE_PERIOD) {
		if (p + 1 > end)
			return -1;
		out->period = *p++;
	}
	out->nr_ips = 0;
	out->ips = NULL;
	if (type & PERF_SAMPLE_CALLCHAIN) {
		u64 nr;

		if (p + 1 > end)
			return -1;
		nr = *p++;
		if (nr > (u64)(end - p))
			return -1;
		out->nr_ips = nr;
		out->ips = p;
		p += nr;
	}
	/* RAW: u32 size, then the data; the pair is padded to 8 bytes */
	if (p + 1 > end)
		return -1;
	out->raw_size = *(const u32 *)p;
	out->raw = (const char *)p + 4;
	if (out->raw_size > (u64)((const char *)end - (const char *)out->raw))
		return -1;
	if (unlikely(out->raw_size < ev->raw_min ||
		     *(const u16 *)out->raw != (u16)ev->config))
		return -1;
	p = (const u64 *)((const char *)p + ((4 + out->raw_size + 7) & ~7u));
	out->regs = NULL;
	out->regs_mask = 0;
	out->stack = NULL;
	out->stack_size = 0;
	if (type & PERF_SAMPLE_REGS_USER) {
		u64 abi, n = (u64)__builtin_popcountll(UNWIND_REGS_MASK);

		if (p + 1 > end)
			return -1;
		abi = *p++;
		if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
			if (n > (u64)(end - p))
				return -1;
			out->regs = p;
			out->regs_mask = UNWIND_REGS_MASK;
			p += n;
		}
	}
	if (type & PERF_SAMPLE_STACK_USER) {
		u64 size;

		if (p + 1 > end)
			return -1;
		size = *p++;
		if (size) {
			/* data[size], then the dynamic size actually copied */
			if (size / 8 + 1 > (u64)(end - p))
				return -1;
			out->stack = p;
			out->stack_size = p[size / 8];
			if (out->stack_size > size)
				out->stack_size = size;
			p += size / 8 + 1;
		}
	}
	return 0;
}

/*
 * session__decode - one PERF_RECORD_SAMPLE into @out. Inline for the
 * common layout (SAMPLE_BASE: id, tid, time, raw); anything more goes to
 * session__decode_more(). A record is never handed to a profiler unless
 * it is what its format says: long enough for the format's fixed fields
 * and of the event's type.
 */
static inline __attribute__((always_inline)) int
session__decode(struct session *s, const struct ring *r, const struct perf_event_header *h,
		struct prof_sample *out)
{
	const u64 *p = (const u64 *)(h + 1);
	const u64 *end = (const u64 *)((const char *)h + h->size);
	struct evspec *ev;
	u32 raw_size;

	/* id, tid, time and the word after them */
	if (unlikely(p + 4 > end))
		return -1;
	ev = session__id_ev(s, p[0]);
	if (unlikely(!ev))
		return -1;
	out->ev = ev;
	out->pid = (int)(u32)p[1];
	out->tid = (int)(u32)(p[1] >> 32);
	out->time = p[2];
	if (unlikely(ev->sample_type != SAMPLE_BASE))
		return session__decode_more(r, out, p + 3, end);
	raw_size = *(const u32 *)(p + 3);
	if (unlikely(raw_size > (u64)((const char *)end - (const char *)(p + 3) - 4) ||
		     raw_size < ev->raw_min ||
		     *(const u16 *)((const char *)(p + 3) + 4) != (u16)ev->config))
		return -1;
	out->raw_size = raw_size;
	out->raw = (const char *)(p + 3) + 4;
	out->cpu = r->cpu;
	out->period = 1;
	out->nr_ips = 0;
	out->ips = NULL;
	out->regs = NULL;
	out->regs_mask = 0;
	out->stack = NULL;
	out->stack_size = 0;
	return 0;
}

/*
 * time of any record: samples carry it third, other records in their
 * sample_id trailer (TID, TIME, [CPU,] IDENTIFIER)
 */
static u64 record_time(void *arg, const struct perf_event_header *h)
{
	const struct session *s = arg;
	const u64 *p = (const u64 *)(h + 1);

	if (h->type == PERF_RECORD_SAMPLE)
		return h->size >= 8 + 3 * 8 ? p[2] : 0;
	if (h->size < 8 + s->trailer_time + 8)
		return 0;
	return *(const u64 *)((const char *)h + h->size - s->trailer_time);
}

/* --------------------------------------------------------------- deliver */

/* session__mmap_record - an executable mapping: tell the symbol tables */
static void session__mmap_record(struct session *s, const struct perf_event_header *h)
{
	const char *base = (const char *)(h + 1), *end = (const char *)h + h->size;
	const char *name;
	struct syms_file_id id = { 0 };
	u32 pid = *(const u32 *)base;
	u64 start, len, pgoff;
	u32 prot = 0x4;	/* PROT_EXEC */

	if (h->size < 8 + 8 + 24 + 1)
		return;
	memcpy(&start, base + 8, 8);
	memcpy(&len, base + 16, 8);
	memcpy(&pgoff, base + 24, 8);
	if (h->type == PERF_RECORD_MMAP2) {
		/* maj, min, ino, ino_generation (or build id), prot, flags */
		if (h->size < 8 + 32 + 24 + 8 + 1)
			return;
		if (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
			u8 n = (u8)base[32];

			id.build_id_size = n > 20 ? 20 : n;
			memcpy(id.build_id, base + 36, id.build_id_size);
		} else {
			memcpy(&id.maj, base + 32, 4);
			memcpy(&id.min, base + 36, 4);
			memcpy(&id.ino, base + 40, 8);
		}
		memcpy(&prot, base + 56, 4);
		name = base + 64;
	} else {
		if (h->misc & PERF_RECORD_MISC_MMAP_DATA)
			prot = 0x1;
		name = base + 32;
	}
	if (name >= end || strnlen(name, (size_t)(end - name)) == (size_t)(end - name))
		return;
	syms__mmap(s->syms, (int)pid, start, len, pgoff, prot,
		   h->type == PERF_RECORD_MMAP2 ? &id : NULL, name);
}

/*
 * session__unwind - with --call-graph dwarf, the sample's stack becomes the
 * kernel part of its callchain followed by the unwound user frames.
 */
static void session__unwind(struct session *s, struct prof_sample *sample)
{
	u64 n = 0, *c = s->chain;
	int got;

	for (u64 i = 0; i < sample->nr_ips && n < PERF_MAX_STACK_DEPTH; i++) {
		if (sample->ips[i] == PERF_CONTEXT_USER)
			break;
		c[n++] = sample->ips[i];
	}
	if (sample->regs && sample->stack) {
		c[n++] = PERF_CONTEXT_USER;
		got = unwind__user(s->unwind, sample->pid, sample->regs, sample->regs_mask,
				   sample->stack, sample->stack_size, sample->regs[s->sp_index],
				   c + n, PERF_MAX_STACK_DEPTH);
		if (got > 0)
			n += (u64)got;
		else
			s->unwind_failed++;
	}
	sample->ips = c;
	sample->nr_ips = n;
}

static void session__record(struct session *s, struct ring *r, const struct perf_event_header *h)
{
	struct prof *prof = s->prof;
	const u64 *p = (const u64 *)(h + 1);

	switch (h->type) {
	case PERF_RECORD_LOST:
		if (h->size >= 8 + 16) {
			r->lost += p[1];
			if (prof->ops->lost)
				prof->ops->lost(prof, r, p[1]);
		}
		break;
	case PERF_RECORD_LOST_SAMPLES:
		if (h->size >= 8 + 8) {
			r->lost += p[0];
			if (prof->ops->lost)
				prof->ops->lost(prof, r, p[0]);
		}
		break;
	case PERF_RECORD_COMM:
		if (h->size > 8 + 8) {
			const u32 *q = (const u32 *)p;
			const char *comm = (const char *)(q + 2);
			size_t max = h->size - 16;

			if (strnlen(comm, max) < max)
				comm_set((int)q[1], comm);
			if (s->syms && (h->misc & PERF_RECORD_MISC_COMM_EXEC) && q[0] == q[1])
				syms__exec(s->syms, (int)q[0]);
		}
		break;
	case PERF_RECORD_FORK:
		if (h->size >= 8 + 16) {
			const u32 *q = (const u32 *)p;

			/* pid, ppid, tid, ptid: the child starts with its parent's name */
			comm_fork((int)q[2], (int)q[3]);
			if (s->syms && q[0] != q[1])
				syms__fork(s->syms, (int)q[1], (int)q[0]);
		}
		break;
	case PERF_RECORD_EXIT:
		if (h->size >= 8 + 16) {
			const u32 *q = (const u32 *)p;

			comm_exit((int)q[2]);
			if (s->syms && q[0] == q[2])
				syms__exit(s->syms, (int)q[0]);
		}
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		if (s->syms)
			session__mmap_record(s, h);
		break;
	default:
		break;
	}
}

/*
 * session__hooks - what happens to a sample before its profiler sees it,
 * for events marked hooked: DWARF unwinding, the user-space filter.
 * Returns false when the sample is dropped.
 */
static __attribute__((noinline)) bool session__hooks(struct session *s,
						     struct prof_sample *sample)
{
	struct evspec *ev = sample->ev;

	if (s->unwind && ev->stack)
		session__unwind(s, sample);
	if (ev->ufilter) {
		struct expr_ctx ctx = {
			.raw = sample->raw, .raw_size = sample->raw_size, .cpu = sample->cpu,
			.pid = sample->pid, .tid = sample->tid, .time = sample->time,
			.period = sample->period,
		};
		s64 keep;

		if (expr_eval(ev->ufilter, &ctx, &keep)) {
			s->expr_errors[ev->index]++;
			return false;
		}
		if (!keep) {
			s->filtered++;
			return false;
		}
	}
	return true;
}

/* session__mark_hooked - flag the events session__hooks() has work for */
static void session__mark_hooked(struct session *s)
{
	for (int i = 0; i < s->evs.n; i++) {
		struct evspec *ev = s->evs.v[i];

		ev->hooked = ev->ufilter || (s->unwind && ev->stack);
	}
}

static inline __attribute__((always_inline)) void
session__deliver(struct session *s, struct ring *r, const struct perf_event_header *h)
{
	struct prof *prof = s->prof;
	struct prof_sample sample;

	if (unlikely(h->type != PERF_RECORD_SAMPLE)) {
		session__record(s, r, h);
		return;
	}
	r->samples++;
	if (unlikely(session__decode(s, r, h, &sample))) {
		s->unknown_id++;
		return;
	}
	sample.ring = r;
	if (unlikely(sample.ev->hooked) && !session__hooks(s, &sample))
		return;
	prof->ops->sample(prof, &sample);
	if (++s->delivered == prof->opt.exit_n)
		s->stop = true;
}

/* ------------------------------------------------------------------ pass */

static void session__report_lost(struct session *s, bool force)
{
	u64 now = now_ns(), total = 0, fresh = 0;
	char buf[512];
	int len = 0;

	for (int i = 0; i < s->nr_rings; i++) {
		struct ring *r = &s->rings[i];

		total += r->lost;
		if (r->lost == r->lost_reported)
			continue;
		fresh += r->lost - r->lost_reported;
		if (len < (int)sizeof(buf) - 64) {
			if (r->cpu >= 0)
				len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%sCPU %d: %llu",
						len ? ", " : "", r->cpu,
						(unsigned long long)(r->lost - r->lost_reported));
			else
				len += snprintf(buf + len, sizeof(buf) - (size_t)len,
						"%sthread %d: %llu", len ? ", " : "", r->tid,
						(unsigned long long)(r->lost - r->lost_reported));
		}
	}
	if (!fresh || (!force && now - s->last_lost_report < LOST_REPORT_NS))
		return;
	for (int i = 0; i < s->nr_rings; i++)
		s->rings[i].lost_reported = s->rings[i].lost;
	s->last_lost_report = now;
	fflush(stdout);
	fprintf(stderr, "perf-prof %s: lost %llu events (%s), %llu in total\n",
		s->prof->ops->name, (unsigned long long)fresh, buf, (unsigned long long)total);
}

/* unordered: each ring in turn, everything it has */
static void session__pass_unordered(struct session *s)
{
	for (int i = 0; i < s->nr_rings && !s->stop; i++) {
		struct ring *r = &s->rings[i];
		const struct perf_event_header *h;
		struct ring_cur c;

		ring__refresh(r);
		ring_cur__begin(&c, r);
		while (!s->stop && (h = ring_cur__peek(&c))) {
			session__deliver(s, r, h);
			ring_cur__consume(&c, h);
			/* give space back to the producer during long bursts */
			if (unlikely(!(c.records & 1023))) {
				ring_cur__end(&c);
				ring__done(r);
				ring_cur__begin(&c, r);
			}
		}
		ring_cur__end(&c);
		ring__done(r);
	}
}

static void order_deliver(void *arg, struct ring *r, const struct perf_event_header *h)
{
	session__deliver(arg, r, h);
}

static bool order_stop(void *arg)
{
	return ((struct session *)arg)->stop;
}

/*
 * ordered: release only records no ring can still precede. A record is
 * committed to its ring within microseconds of its timestamp, so anything
 * stamped ORDER_SLACK before the pass started is complete; later records
 * stay in their rings (not consumed) until a later pass. No pass is made
 * just for them: the next wakeup of the ring (watermark) or of the loop
 * (FLUSH_PERIOD_MS at the latest) takes them, so a busy ordered run wakes
 * no more often than an unordered one.
 */
static void session__pass_ordered(struct session *s)
{
	u64 limit = s->draining ? UINT64_MAX : now_ns() - ORDER_SLACK_NS;

	order__pass(&s->order, limit, record_time, order_deliver, order_stop, s);
}

/* session__pass - one pass over every ring */
static void session__pass(struct session *s)
{
	if (s->prof->opt.order)
		session__pass_ordered(s);
	else
		session__pass_unordered(s);
	session__report_lost(s, false);
}

/* ------------------------------------------------------------------ loop */

static int session__setup_loop(struct session *s, struct err *err)
{
	struct epoll_event ev = { .events = EPOLLIN };

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return err_set(err, EXIT_FAIL, "cannot create an epoll instance: %s", strerror(errno));
	for (int i = 0; i < s->nr_rings; i++) {
		ev.data.u64 = (u64)i;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->rings[i].fd, &ev))
			return err_set(err, EXIT_FAIL, "cannot poll a ring: %s", strerror(errno));
	}
	ev.data.u64 = 1ULL << 32;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sigfd, &ev))
		return err_set(err, EXIT_FAIL, "cannot poll signals: %s", strerror(errno));
	if (s->prof->opt.interval && s->prof->ops->interval) {
		struct itimerspec its = { 0 };
		u64 iv = s->prof->opt.interval;

		s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->timerfd < 0)
			return err_set(err, EXIT_FAIL, "cannot create a timer: %s", strerror(errno));
		its.it_interval.tv_sec = (time_t)(iv / 1000000000ULL);
		its.it_interval.tv_nsec = (long)(iv % 1000000000ULL);
		its.it_value = its.it_interval;
		timerfd_settime(s->timerfd, 0, &its, NULL);
		ev.data.u64 = 2ULL << 32;
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->timerfd, &ev);
	}
	for (int i = 0; i < s->nr_pidfds; i++) {
		ev.data.u64 = (3ULL << 32) | (u64)i;
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->pidfds[i], &ev);
	}
	return 0;
}

static void session__sigusr1(struct session *s)
{
	struct prof *prof = s->prof;

	session__pass(s);
	session__print_stats(s, stderr);
	if (prof->ops->sigusr1)
		prof->ops->sigusr1(prof);
	fflush(stdout);
}

static void session__signal(struct session *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			s->stop = true;
			break;
		case SIGUSR1:
			session__sigusr1(s);
			break;
		case SIGCHLD:
			if (s->has_workload && workload__reap(&s->wl))
				s->stop = true;
			/* reap strays (children of the expression system()) */
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			break;
		default:
			break;
		}
	}
}

int session__run(struct session *s, struct err *err)
{
	struct prof *prof = s->prof;

	if (session__setup_loop(s, err))
		return -1;
	session__mark_hooked(s);
	if (s->has_workload) {
		/* events are enable_on_exec: the exec turns them on */
		if (workload__start(&s->wl, prof->opt.workload, err))
			return -1;
	} else {
		perf_evlist__enable(s->evlist);
	}
	while (!s->stop) {
		struct epoll_event evs[16];
		int n = epoll_wait(s->epfd, evs, ARRAY_SIZE(evs), FLUSH_PERIOD_MS);

		if (n < 0 && errno != EINTR)
			return err_set(err, EXIT_FAIL, "epoll_wait failed: %s", strerror(errno));
		session__pass(s);
		for (int i = 0; i < n && !s->stop; i++) {
			u32 kind = (u32)(evs[i].data.u64 >> 32);

			if (kind == 1) {
				session__signal(s);
			} else if (kind == 2) {
				u64 ticks;

				if (read(s->timerfd, &ticks, sizeof(ticks)) > 0) {
					session__pass(s);
					if (!s->stop)
						prof->ops->interval(prof);
				}
			} else if (kind == 3) {
				int fd = s->pidfds[evs[i].data.u64 & 0xffffffff];

				epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
				if (--s->pidfds_left == 0)
					s->stop = true;
			}
		}
		if (session__tids_gone(s))
			s->stop = true;
		if (now_ns() - s->last_gc > COMM_GC_NS) {
			comm_gc();
			s->last_gc = now_ns();
		}
		if (fflush(stdout) == EOF || ferror(stdout)) {
			/* a full disk, a closed pipe: stop, the caller reports it */
			if (!s->out_errno)
				s->out_errno = errno ? errno : EIO;
			s->stop = true;
		}
	}
	/* the end: stop the producers, then take everything they wrote */
	if (!(prof->opt.exit_n && s->delivered >= prof->opt.exit_n)) {
		perf_evlist__disable(s->evlist);
		s->stop = false;
		s->draining = true;
		session__pass(s);
		/* a -N reached while draining still counts exactly */
	}
	s->stop = true;
	session__report_lost(s, true);
	fflush(stdout);
	return 0;
}

/* ---------------------------------------------------------------- replay */

/*
 * Replay file: "PPREPLAY" magic, u32 nr_rings, then per ring u32 cpu, u32
 * pad, u64 length, and that many bytes of records. Samples carry the
 * IDENTIFIER of event i as i + 1. Under "PPREPLAY" records have the full
 * layout (samples with CPU and PERIOD, sample_id trailers with CPU); under
 * "PPREPLAC" the compact one live runs use (SAMPLE_BASE, no CPU anywhere).
 */
int session__replay(struct session *s, const char *path, struct err *err)
{
	size_t len;
	char *buf = read_file(path, &len);

	if (!buf)
		return err_set(err, EXIT_FAIL, "cannot read replay file '%s': %s", path,
			       strerror(errno));
	return session__replay_mem(s, buf, len, path, err);
}

int session__replay_mem(struct session *s, char *buf, size_t len, const char *path,
			struct err *err)
{
	const char *p, *end;
	u32 nr;
	int r = -1;

	p = buf;
	end = buf + len;
	if (len < 12 || (memcmp(p, "PPREPLAY", 8) && memcmp(p, "PPREPLAC", 8))) {
		err_set(err, EXIT_FAIL, "'%s' is not a replay file", path);
		goto out;
	}
	memcpy(&nr, p + 8, 4);
	p += 12;
	if (!nr || nr > 1024) {
		err_set(err, EXIT_FAIL, "replay file '%s': bad ring count %u", path, nr);
		goto out;
	}
	s->rings = xzalloc(nr * sizeof(*s->rings));
	for (u32 i = 0; i < nr; i++) {
		u32 cpu;
		u64 rlen;

		if (end - p < 16) {
			err_set(err, EXIT_FAIL, "replay file '%s' is truncated", path);
			goto out;
		}
		memcpy(&cpu, p, 4);
		memcpy(&rlen, p + 8, 8);
		p += 16;
		if (rlen > (u64)(end - p)) {
			err_set(err, EXIT_FAIL, "replay file '%s' is truncated", path);
			goto out;
		}
		/* records are read as u64s: give each ring an aligned copy */
		s->replay_bufs = xrealloc(s->replay_bufs, (i + 1) * sizeof(*s->replay_bufs));
		s->replay_bufs[i] = xzalloc(rlen ? rlen : 1);
		memcpy(s->replay_bufs[i], p, rlen);
		ring__init_buffer(&s->rings[i], s->replay_bufs[i], rlen, (int)cpu);
		s->rings[i].idx = (int)i;
		p += rlen;
		s->nr_rings++;
	}
	if (buf[7] == 'C') {
		s->sample_base = SAMPLE_BASE;
		s->trailer_time = 16;
	} else {
		s->sample_base = SAMPLE_FULL;
		s->trailer_time = 24;
	}
	{
		u64 *ids = xzalloc((size_t)(s->evs.n ? s->evs.n : 1) * sizeof(*ids));
		void **evs = xzalloc((size_t)(s->evs.n ? s->evs.n : 1) * sizeof(*evs));

		for (int i = 0; i < s->evs.n; i++) {
			struct evspec *ev = s->evs.v[i];

			if (s->prof->opt.callgraph)
				ev->stack = true;
			ev->sample_type = s->sample_base | (ev->stack ? PERF_SAMPLE_CALLCHAIN : 0);
			ids[i] = (u64)i + 1;
			evs[i] = ev;
		}
		idmap__init(&s->ids, ids, evs, s->evs.n);
		free(ids);
		free(evs);
	}
	if (order__init(&s->order, s->rings, s->nr_rings)) {
		err_set(err, EXIT_FAIL, "out of memory");
		goto out;
	}
	for (int i = 0; i < s->evs.n; i++) {
		struct evspec *ev = s->evs.v[i];

		if (ev->filter) {
			ev->ufilter = expr_compile(ev->filter, ev->tp, err);
			if (!ev->ufilter)
				goto out;
		}
	}
	s->draining = true;
	session__mark_hooked(s);
	session__pass(s);
	s->stop = true;
	session__report_lost(s, true);
	r = 0;
out:
	free(buf);
	return r;
}

/* ----------------------------------------------------------------- stats */

void session__print_stats(struct session *s, FILE *out)
{
	u64 rec = 0, bytes = 0, lost = 0, samples = 0;

	fprintf(out, "perf-prof %s: ring statistics\n", s->prof->ops->name);
	fprintf(out, "  %-10s %12s %12s %14s %10s\n", "ring", "records", "samples", "bytes", "lost");
	for (int i = 0; i < s->nr_rings; i++) {
		struct ring *r = &s->rings[i];
		char name[32];

		if (r->cpu >= 0)
			snprintf(name, sizeof(name), "cpu%d", r->cpu);
		else
			snprintf(name, sizeof(name), "tid%d", r->tid);
		fprintf(out, "  %-10s %12llu %12llu %14llu %10llu\n", name,
			(unsigned long long)r->records, (unsigned long long)r->samples,
			(unsigned long long)r->bytes, (unsigned long long)r->lost);
		rec += r->records;
		samples += r->samples;
		bytes += r->bytes;
		lost += r->lost;
	}
	fprintf(out, "  %-10s %12llu %12llu %14llu %10llu\n", "total", (unsigned long long)rec,
		(unsigned long long)samples, (unsigned long long)bytes, (unsigned long long)lost);
	fprintf(out, "  delivered %llu", (unsigned long long)s->delivered);
	if (s->user_filters)
		fprintf(out, ", filtered out in user space %llu", (unsigned long long)s->filtered);
	if (s->prof->opt.order)
		fprintf(out, ", out of order %llu", (unsigned long long)s->order.out_of_order);
	fputc('\n', out);
}

void session__expr_error(struct session *s, const struct evspec *ev)
{
	s->expr_errors[ev->index]++;
}

static void session__print_problems(struct session *s)
{
	u64 corrupt = 0, lost = session__lost(s);

	if (lost) {
		fprintf(stderr, "perf-prof %s: %llu events lost in this run (", s->prof->ops->name,
			(unsigned long long)lost);
		for (int i = 0, n = 0; i < s->nr_rings; i++) {
			if (!s->rings[i].lost)
				continue;
			fprintf(stderr, "%s%s %d: %llu", n++ ? ", " : "",
				s->rings[i].cpu >= 0 ? "CPU" : "thread",
				s->rings[i].cpu >= 0 ? s->rings[i].cpu : s->rings[i].tid,
				(unsigned long long)s->rings[i].lost);
		}
		fprintf(stderr, "); the kernel dropped them because a ring was full\n");
		fprintf(stderr, "hint: a larger ring (-m) or a lower --watermark gives more headroom\n");
	}

	for (int i = 0; i < s->evs.n; i++)
		if (s->expr_errors && s->expr_errors[i])
			fprintf(stderr, "perf-prof %s: %llu samples of '%s' skipped: expression errors "
					"(division by zero, index out of range, ...)\n",
				s->prof->ops->name, (unsigned long long)s->expr_errors[i],
				s->evs.v[i]->display);
	for (int i = 0; i < s->nr_rings; i++)
		corrupt += s->rings[i].corrupt;
	if (corrupt)
		fprintf(stderr, "perf-prof %s: %llu times a ring held a malformed record and was "
				"skipped to its head\n", s->prof->ops->name, (unsigned long long)corrupt);
	if (s->unwind_failed)
		fprintf(stderr, "perf-prof %s: %llu user stacks could not be unwound (no user "
				"registers, or no CFI and no frame pointer)\n", s->prof->ops->name,
			(unsigned long long)s->unwind_failed);
	if (s->unknown_id)
		fprintf(stderr, "perf-prof %s: %llu samples could not be decoded\n",
			s->prof->ops->name, (unsigned long long)s->unknown_id);
}

u64 session__lost(const struct session *s)
{
	u64 lost = 0;

	for (int i = 0; i < s->nr_rings; i++)
		lost += s->rings[i].lost;
	return lost;
}

int session__nr_rings(const struct session *s)
{
	return s->nr_rings;
}

void session__stop(struct session *s)
{
	s->stop = true;
}

int session__output_errno(const struct session *s)
{
	return s->out_errno;
}

int session__workload_status(const struct session *s)
{
	return s->has_workload && s->wl.reaped ? s->wl.exit_status : 0;
}

void session__delete(struct session *s)
{
	if (!s)
		return;
	session__print_problems(s);
	if (s->has_workload)
		workload__kill(&s->wl);
	if (s->evlist) {
		if (s->opened) {
			perf_evlist__disable(s->evlist);
			perf_evlist__munmap(s->evlist);
			perf_evlist__close(s->evlist);
		}
		perfev__evlist_delete(s->evlist);	/* deletes the evsels */
	}
	for (int i = 0; i < s->nr_rings; i++)
		ring__exit(&s->rings[i]);
	order__exit(&s->order);
	unwind__delete(s->unwind);
	syms__delete(s->syms);
	free(s->chain);
	free(s->rings);
	idmap__exit(&s->ids);
	if (s->cpus)
		perf_cpu_map__put(s->cpus);
	if (s->threads)
		perf_thread_map__put(s->threads);
	for (int i = 0; i < s->nr_pidfds; i++)
		close(s->pidfds[i]);
	free(s->pidfds);
	free(s->watch_tids);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->timerfd >= 0)
		close(s->timerfd);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->sigblocked)
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	for (int i = 0; i < s->evs.n; i++) {
		expr_free(s->evs.v[i]->ufilter);
		s->evs.v[i]->ufilter = NULL;
		free(s->evs.v[i]->display);
		s->evs.v[i]->display = NULL;
		s->evs.v[i]->evsel = NULL;
	}
	evspec_list_free(&s->evs);
	/* after the perf fds are closed: the kernel refuses to remove events in use */
	if (probe__cleanup() > 0)
		fprintf(stderr, "perf-prof: some probes are still in use and stay until the next "
				"run removes them\n");
	free(s->expr_errors);
	for (int i = 0; s->replay_bufs && i < s->nr_rings; i++)
		free(s->replay_bufs[i]);
	free(s->replay_bufs);
	free(s);
}
