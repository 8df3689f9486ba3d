// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - one run of one profiler: its lifecycle (new, setup, start,
 * process, finish, delete), the step its host calls when the run's fd is
 * readable, and the hot path from a ring record to the profiler:
 *
 *   epoll(rings, timerfd, pidfds) --> pass over the rings --> [k-way merge
 *   by time] --> decode once --> [unwind, user-space filter] --> sample()
 *
 * The host (the CLI, the daemon) owns signals and its own loop; the run owns
 * everything process-wide code used to: formats, task names, kernel
 * symbols, probes. Every failure unwinds in reverse order in run__delete().
 */
#include <errno.h>
#include <fcntl.h>
#include <perf/cpumap.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evcore.h"
#include "bpffilter.h"
#include "expr.h"
#include "ksyms.h"
#include "perfev.h"
#include "probe.h"
#include "run-internal.h"
#include "syms.h"
#include "tep.h"
#include "unwind.h"

#define LOST_REPORT_NS 1000000000ULL
#define TASKS_GC_NS (10 * 1000000000ULL)	/* exited tasks are forgotten after 10-20 s */

/* the epoll tags of a run's fds */
enum { TAG_RING, TAG_TIMER, TAG_PIDFD, TAG_WORKLOAD, TAG_WATCH };

int run__note(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->prof.out == stdout)
		fflush(stdout);	/* keep the order the user sees on a terminal */
	fputs("perf-prof: ", r->diag);
	va_start(ap, fmt);
	vfprintf(r->diag, fmt, ap);
	va_end(ap);
	fputc('\n', r->diag);
	return 0;
}

/* ------------------------------------------------------------ lifecycle */

struct run *run__new(const struct profiler *ops, const struct run_config *cfg)
{
	struct run *r = xzalloc(sizeof(*r));
	struct prof *prof = &r->prof;

	prof->ops = ops;
	prof->run = r;
	prof->env = &r->env;
	prof->out = cfg && cfg->out ? cfg->out : stdout;
	r->diag = cfg && cfg->diag ? cfg->diag : stderr;
	if (cfg && cfg->child_sigmask) {
		r->child_mask = *cfg->child_sigmask;
		r->has_child_mask = true;
	}
	r->env.tasks = tasks__new();
	r->env.ksyms = ksyms__new();
	r->tep = tep__new(r->env.ksyms);
	prof->opt.user_callchain = prof->opt.kernel_callchain = true;
	if (ops->opts_size) {
		prof->opts = xzalloc(ops->opts_size);
		if (ops->opts_init)
			ops->opts_init(prof->opts);
	}
	run__build_options(r);
	r->epfd = r->timerfd = r->wl_pidfd = -1;
	r->done_mask = 1023;
	r->order_slack = ORDER_SLACK_NS;
	r->wl.pid = -1;
	return r;
}

struct prof *run__prof(struct run *r)
{
	return &r->prof;
}

static int run__open_output(struct run *r, struct err *err)
{
	const char *path = r->prof.opt.output;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		err_set(err, EXIT_USAGE, "cannot open output file '%s': %s", path, strerror(errno));
		if (errno == ELOOP)
			err_hint(err, "'%s' is a symbolic link; perf-prof does not follow them", path);
		return -1;
	}
	r->out_file = fdopen(fd, "w");
	if (!r->out_file) {
		close(fd);
		return err_set(err, EXIT_FAIL, "cannot open output file '%s': %s", path,
			       strerror(errno));
	}
	setvbuf(r->out_file, NULL, _IOFBF, 1 << 16);
	r->prof.out = r->out_file;
	r->env.out = r->out_file;
	return 0;
}

static void run__defaults(struct run *r)
{
	struct prof *prof = &r->prof;

	if (!prof->opt.interval && prof->ops->interval_ms)
		prof->opt.interval = (u64)prof->ops->interval_ms * 1000000ULL;
	if (prof->ops->order)
		prof->opt.order = true;
	perfev__init(prof->opt.verbose);
	r->env.out = prof->out;
	r->time_fix = prof->opt.clock_offset != 0;
}

/* run__resolve - prepare(), the events, the output file, init(): what replay shares */
int run__resolve(struct run *r, struct err *err)
{
	struct prof *prof = &r->prof;
	const struct profiler *ops = prof->ops;

	run__defaults(r);
	if (ops->prepare && !r->prepared) {
		r->prepared = true;
		if (ops->prepare(prof, err))
			return -1;
	}
	if (run__events_parse(r, err))
		return -1;
	if (prof->opt.output && !r->out_file && run__open_output(r, err))
		return -1;
	r->inited = true;
	if (ops->init && ops->init(prof, err))
		return -1;
	r->ready = true;
	return 0;
}

static int epoll_add(int epfd, int fd, u32 tag, u32 idx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (u64)tag << 32 | idx };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int run__setup_loop(struct run *r, struct err *err)
{
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return err_set(err, EXIT_FAIL, "cannot create an epoll instance: %s", strerror(errno));
	/* an overwrite run's rings are read at the end, not as they fill */
	for (int i = 0; i < r->nr_rings && !r->prof.opt.overwrite; i++)
		if (epoll_add(r->epfd, r->rings[i].fd, TAG_RING, (u32)i))
			return err_set(err, EXIT_FAIL, "cannot poll a ring: %s", strerror(errno));
	if (r->prof.opt.interval && r->prof.ops->interval) {
		struct itimerspec its = { 0 };
		u64 iv = r->prof.opt.interval;

		r->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (r->timerfd < 0)
			return err_set(err, EXIT_FAIL, "cannot create a timer: %s", strerror(errno));
		its.it_interval.tv_sec = (time_t)(iv / 1000000000ULL);
		its.it_interval.tv_nsec = (long)(iv % 1000000000ULL);
		its.it_value = its.it_interval;
		timerfd_settime(r->timerfd, 0, &its, NULL);
		epoll_add(r->epfd, r->timerfd, TAG_TIMER, 0);
	}
	for (int i = 0; i < r->nr_pidfds; i++)
		epoll_add(r->epfd, r->pidfds[i], TAG_PIDFD, (u32)i);
	if (r->wl_pidfd >= 0)
		epoll_add(r->epfd, r->wl_pidfd, TAG_WORKLOAD, 0);
	for (int i = 0; i < r->nr_watch; i++)
		if (epoll_add(r->epfd, r->watch[i].fd, TAG_WATCH, (u32)i))
			return err_set(err, EXIT_FAIL, "cannot poll a profiler's fd: %s",
				       strerror(errno));
	return 0;
}

int prof__watch(struct prof *prof, int fd, void (*ready)(struct prof *prof), struct err *err)
{
	struct run *r = prof->run;

	if (r->nr_watch == RUN_MAX_WATCH)
		return err_set(err, EXIT_FAIL, "%s watches more than %d fds", prof->ops->name,
			       RUN_MAX_WATCH);
	r->watch[r->nr_watch].fd = fd;
	r->watch[r->nr_watch].ready = ready;
	if (r->epfd >= 0 && epoll_add(r->epfd, fd, TAG_WATCH, (u32)r->nr_watch))
		return err_set(err, EXIT_FAIL, "cannot poll a profiler's fd: %s", strerror(errno));
	r->nr_watch++;
	return 0;
}

/* run__target_maps - mappings of the tasks attached with -p/-t */
static void run__target_maps(struct run *r)
{
	if (!r->env.syms || !r->threads || !r->task_mode)
		return;
	for (int i = 0; i < r->nr_target_tids && r->cpu_wide; i++)
		syms__proc_maps(r->env.syms, r->target_tids[i]);
	for (int i = 0; i < perf_thread_map__nr(r->threads) && !r->cpu_wide; i++)
		syms__proc_maps(r->env.syms, perf_thread_map__pid(r->threads, i));
}

/*
 * run__clocks - --kvmclock, --tsc (the conversion the kernel gives in the
 * control page, when the TSC is reliable), --clock-offset
 */
static int run__clocks(struct run *r, struct err *err)
{
	const struct prof_common *o = &r->prof.opt;

	if (o->kvmclock) {
		err_set(err, EXIT_USAGE, "--kvmclock %s: no conversion to a guest's kvmclock here",
			o->kvmclock);
		err_detail(err, "a guest's kvmclock is its TSC scaled by parameters only the guest "
				"sees (its pvclock page); perf-prof on the host has TSC conversion %s",
			   o->tsc ? "requested" : "only with --tsc");
		err_hint(err, "use --tsc for host TSC cycles and convert in the guest, or trace "
			      "inside the guest");
		return -1;
	}
	if (o->tsc) {
		const struct perf_event_mmap_page *pg = r->nr_rings ? r->rings[0].meta : NULL;

		if (!pg || !pg->cap_user_time_zero || !pg->time_mult) {
			err_set(err, EXIT_FAIL, "--tsc: this kernel gives no TSC conversion");
			err_detail(err, "the perf control page has cap_user_time_zero off: the TSC is "
					"not a reliable clock here (%s)",
				   access("/sys/devices/system/clocksource/clocksource0/current_clocksource",
					  F_OK) ? "no clocksource information" :
					   "see /sys/devices/system/clocksource/clocksource0/current_clocksource");
			err_hint(err, "timestamps stay CLOCK_MONOTONIC ns without --tsc; --clock-offset N "
				      "shifts them");
			return -1;
		}
		r->tsc_zero = pg->time_zero;
		r->tsc_mult = pg->time_mult;
		r->tsc_shift = pg->time_shift;
	}
	r->time_fix = o->tsc || o->clock_offset;
	return 0;
}

/* run__perfeval_setup - --perfeval-cpus / --perfeval-pids */
static int run__perfeval_setup(struct run *r, struct err *err)
{
	const struct prof_common *o = &r->prof.opt;
	int beyond;

	if (!o->perfeval_cpus && !o->perfeval_pids)
		return 0;
	r->perfeval = true;
	r->nr_eval_cpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	r->eval_cpu = xzalloc((size_t)r->nr_eval_cpu * sizeof(*r->eval_cpu));
	r->eval_cpu_want = xzalloc((size_t)r->nr_eval_cpu + 1);
	if (o->perfeval_cpus &&
	    parse_cpu_list(o->perfeval_cpus, r->eval_cpu_want, r->nr_eval_cpu, &beyond, err)) {
		err_prefix(err, "--perfeval-cpus");
		return -1;
	}
	if (o->perfeval_pids) {
		char *dup = xstrdup(o->perfeval_pids), *save = NULL;

		for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			u64 v;

			if (parse_u64(t, &v) || !v || v > 0x3fffffff) {
				free(dup);
				err_set(err, EXIT_USAGE, "invalid pid '%s' in '--perfeval-pids %s'", t,
					o->perfeval_pids);
				return -1;
			}
			r->eval_pid = xrealloc(r->eval_pid, (size_t)(r->nr_eval_pid + 1) * sizeof(pid_t));
			r->eval_pid_n = xrealloc(r->eval_pid_n,
						 (size_t)(r->nr_eval_pid + 1) * sizeof(u64));
			r->eval_pid[r->nr_eval_pid] = (pid_t)v;
			r->eval_pid_n[r->nr_eval_pid++] = 0;
		}
		free(dup);
	}
	return 0;
}

static void run__perfeval_report(const struct run *r)
{
	double secs = (double)(now_ns() - r->start_ns) / 1e9;

	if (!r->perfeval || secs <= 0)
		return;
	for (int c = 0; c < r->nr_eval_cpu; c++)
		if (r->eval_cpu_want[c])
			fprintf(r->diag, "perf-prof %s: perfeval: CPU %d: %llu samples (%.1f/s)\n",
				r->prof.ops->name, c, (unsigned long long)r->eval_cpu[c],
				(double)r->eval_cpu[c] / secs);
	for (int i = 0; i < r->nr_eval_pid; i++)
		fprintf(r->diag, "perf-prof %s: perfeval: pid %d: %llu samples (%.1f/s)\n",
			r->prof.ops->name, r->eval_pid[i], (unsigned long long)r->eval_pid_n[i],
			(double)r->eval_pid_n[i] / secs);
}

int run__setup(struct run *r, struct err *err)
{
	if (run__resolve(r, err))
		return -1;
	/* every live run cleans up after killed ones; a run with probes already did */
	if (!r->probes)
		probe__reap_stale(r->diag, NULL);
	if (r->prof.ops->oneshot) {
		/* its work was init(); final() reports */
		r->stop = true;
		return 0;
	}
	if (run__events_stacks(r, err) || run__targets(r, err))
		return -1;
	run__target_maps(r);
	if (run__perfeval_setup(r, err))
		return -1;
	if (r->evs.n && (run__events_open(r, err) || run__events_filters(r, err) ||
			 run__events_mmap(r, err)))
		return -1;
	if (r->prof.ops->opened && r->prof.ops->opened(&r->prof, err))
		return -1;
	if (run__clocks(r, err))
		return -1;
	if (run__setup_loop(r, err))
		return -1;
	run__mark_hooked(r);
	return 0;
}

int run__start(struct run *r, struct err *err)
{
	if (r->started || r->prof.ops->oneshot)
		return 0;
	r->started = true;
	if (r->prof.ops->start && r->prof.ops->start(&r->prof, err)) {
		r->stop = true;
		return -1;
	}
	r->start_ns = now_ns();
	r->next_flush = r->start_ns + FLUSH_PERIOD_MS * 1000000ULL;
	if (r->has_workload) {
		/* events are enable_on_exec (the exec turns them on), or CPU-wide */
		if (r->cpu_wide && r->evlist)
			perf_evlist__enable(r->evlist);
		if (workload__start(&r->wl, r->prof.opt.workload, err)) {
			r->stop = true;
			return -1;
		}
	} else if (r->evlist) {
		perf_evlist__enable(r->evlist);
	}
	return 0;
}

int run__fd(const struct run *r)
{
	return r->epfd;
}

int run__timeout_ms(const struct run *r)
{
	u64 now = now_ns();

	if (r->stop)
		return 0;
	if (now >= r->next_flush)
		return 0;
	return (int)((r->next_flush - now + 999999) / 1000000);
}

bool run__done(const struct run *r)
{
	return r->stop;
}

void run__stop(struct run *r)
{
	r->stop = true;
}

int run__workload_status(struct run *r)
{
	/* one that ended while the run was finishing counts too */
	if (r->has_workload && !r->wl.reaped)
		workload__reap(&r->wl);
	return r->has_workload && r->wl.reaped ? r->wl.exit_status : -1;
}

/* ----------------------------------------------------------- profiler API */

void prof__stop(struct prof *prof)
{
	prof->run->stop = true;
}

void prof__fail(struct prof *prof, const struct err *err)
{
	struct run *r = prof->run;

	if (!r->failed) {
		r->failed = xzalloc(sizeof(*r->failed));
		*r->failed = *err;
	}
	r->stop = true;
}

void prof__time_header(struct prof *prof)
{
	char buf[64];

	wall_time_str(buf, sizeof(buf));
	fprintf(prof->out, "%s\n", buf);
}

void prof__expr_error(struct prof *prof, const struct evspec *ev)
{
	prof->run->expr_errors[ev->index]++;
}

void prof__expr_errors(struct prof *prof, const struct evspec *ev, u64 n)
{
	prof->run->expr_errors[ev->index] += n;
}

int prof__in_kernel(struct prof *prof, struct evspec *ev)
{
	if (prof->run->replaying)
		return -EOPNOTSUPP;
	if (ev)
		evcore(ev)->in_kernel = true;
	return 0;
}

int prof__targets(const struct prof *prof, const int **tids, bool *follow)
{
	const struct run *r = prof->run;

	*tids = r->target_tids;
	*follow = !prof->opt.tids;
	return r->nr_target_tids;
}

int prof__cpus(const struct prof *prof, const struct evspec *ev, bool *set, int max)
{
	const struct run *r = prof->run;
	bool *own = NULL;
	struct err err = { 0 };
	int n = 0, beyond;

	memset(set, 0, (size_t)max * sizeof(*set));
	if (!r->cpus)
		return -1;
	if (ev && ev->cpus) {
		own = xzalloc((size_t)max + 1);
		if (parse_cpu_list(ev->cpus, own, max, &beyond, &err)) {
			free(own);
			return -1;
		}
	}
	for (int i = 0; i < perf_cpu_map__nr(r->cpus); i++) {
		int c = perf_cpu_map__cpu(r->cpus, i).cpu;

		if (c >= 0 && c < max && (!own || own[c])) {
			set[c] = true;
			n++;
		}
	}
	free(own);
	return n;
}

int prof__event_fds(const struct prof *prof, const struct evspec *ev, int *fds, int max)
{
	(void)prof;
	struct perf_evsel *evsel = evcore(ev)->evsel;

	return evsel ? perfev__fds(evsel, fds, max) : 0;
}

u64 prof__lost(const struct prof *prof)
{
	const struct run *r = prof->run;
	u64 lost = 0;

	for (int i = 0; i < r->nr_rings; i++)
		lost += r->rings[i].lost;
	return lost;
}

void run__counters(const struct run *r, u64 *records, u64 *lost)
{
	u64 in_rings = prof__lost(&r->prof);

	*records = 0;
	for (int i = 0; i < r->nr_rings; i++)
		*records += r->rings[i].records;
	/*
	 * after the end, samples lost are exact (the events' own counts: a
	 * LOST record still pending, events counted and never written); the
	 * rings' LOST records also count task and mapping records
	 */
	*lost = r->lost_exact && r->lost_samples > in_rings ? r->lost_samples : in_rings;
}

FILE *prof__diag(const struct prof *prof)
{
	return prof->run->diag;
}

/* ---------------------------------------------------------------- decode */

/*
 * run__decode_more - a sample whose layout is not the tracepoints' common
 * one: every field after the IDENTIFIER in the ABI order of the bits.
 * Every length the kernel gives is checked against the record size before
 * it is used.
 */
static __attribute__((noinline)) int
run__decode_more(const struct ring *rg, struct prof_sample *out, const u64 *p, const u64 *end)
{
	const struct evspec *ev = out->ev;
	u64 type = evcore(ev)->sample_type;

	out->ip = 0;
	if (type & PERF_SAMPLE_IP) {
		if (p + 1 > end)
			return -1;
		out->ip = *p++;
	}
	if (p + 2 > end)
		return -1;
	out->pid = (int)(u32)p[0];
	out->tid = (int)(u32)(p[0] >> 32);
	out->time = p[1];
	p += 2;
	out->cpu = rg->cpu;
	out->period = evcore(ev)->sample_period ? evcore(ev)->sample_period : 1;
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
	out->raw = NULL;
	out->raw_size = 0;
	if (type & PERF_SAMPLE_RAW) {
		/* u32 size, then the data; the pair is padded to 8 bytes */
		if (p + 1 > end)
			return -1;
		out->raw_size = *(const u32 *)p;
		out->raw = (const char *)p + 4;
		if (out->raw_size > (u64)((const char *)end - (const char *)out->raw))
			return -1;
		if (unlikely(out->raw_size < evcore(ev)->raw_min ||
			     *(const u16 *)out->raw != (u16)evcore(ev)->config))
			return -1;
		p = (const u64 *)((const char *)p + ((4 + out->raw_size + 7) & ~7u));
	}
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
 * run__decode - one PERF_RECORD_SAMPLE into @out. Inline for the common
 * tracepoint layout (SAMPLE_BASE: id, tid, time, period, raw); anything
 * more goes to run__decode_more(). A record is never handed to a profiler
 * unless it is what its format says: long enough for the format's fixed
 * fields and of the event's type.
 */
static inline __attribute__((always_inline)) int
run__decode(struct run *r, const struct ring *rg, const struct perf_event_header *h,
	    struct prof_sample *out)
{
	const u64 *p = (const u64 *)(h + 1);
	const u64 *end = (const u64 *)((const char *)h + h->size);
	struct evspec *ev;
	u32 raw_size;

	/* id, tid, time, period and the word after them */
	if (unlikely(p + 5 > end)) {
		if (p + 1 > end || !(ev = idmap__find(&r->ids, p[0])))
			return -1;
		out->ev = ev;
		return evcore(ev)->sample_type != SAMPLE_BASE ? run__decode_more(rg, out, p + 1, end) : -1;
	}
	ev = idmap__find(&r->ids, p[0]);
	if (unlikely(!ev))
		return -1;
	out->ev = ev;
	if (unlikely(evcore(ev)->sample_type != SAMPLE_BASE))
		return run__decode_more(rg, out, p + 1, end);
	out->pid = (int)(u32)p[1];
	out->tid = (int)(u32)(p[1] >> 32);
	out->time = p[2];
	out->period = p[3];
	raw_size = *(const u32 *)(p + 4);
	if (unlikely(raw_size > (u64)((const char *)end - (const char *)(p + 4) - 4) ||
		     raw_size < evcore(ev)->raw_min ||
		     *(const u16 *)((const char *)(p + 4) + 4) != (u16)evcore(ev)->config))
		return -1;
	out->raw_size = raw_size;
	out->raw = (const char *)(p + 4) + 4;
	out->cpu = rg->cpu;
	out->ip = 0;
	out->nr_ips = 0;
	out->ips = NULL;
	out->regs = NULL;
	out->regs_mask = 0;
	out->stack = NULL;
	out->stack_size = 0;
	return 0;
}

/*
 * record_time - time of any record: samples carry it after the IDENTIFIER
 * and TID (and IP for sampling events), other records in their sample_id
 * trailer (TID, TIME, [CPU,] IDENTIFIER)
 */
static __attribute__((noinline)) u64 record_time_ip(const struct run *r, const u64 *p, u32 size)
{
	unsigned slot = r->time_slot;

	if (size < 8 + 4 * 8)
		return size >= 8 + 3 * 8 ? p[2] : 0;
	if (!slot) {	/* some events sample their IP, some not */
		const struct evspec *ev = idmap__find(&r->ids, p[0]);

		slot = ev && (evcore(ev)->sample_type & PERF_SAMPLE_IP) ? 3 : 2;
	}
	return p[slot];
}

static inline __attribute__((always_inline)) u64
record_time(void *arg, const struct perf_event_header *h)
{
	const struct run *r = arg;
	const u64 *p = (const u64 *)(h + 1);

	if (h->type == PERF_RECORD_SAMPLE) {
		if (likely(r->time_slot == 2))
			return h->size >= 8 + 3 * 8 ? p[2] : 0;
		return record_time_ip(r, p, h->size);
	}
	if (h->size < 8 + r->trailer_time + 8)
		return 0;
	return *(const u64 *)((const char *)h + h->size - r->trailer_time);
}

/* --------------------------------------------------------------- deliver */

/* run__mmap_record - an executable mapping: tell the symbol tables */
static void run__mmap_record(struct run *r, const struct perf_event_header *h)
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
	syms__mmap(r->env.syms, (int)pid, start, len, pgoff, prot,
		   h->type == PERF_RECORD_MMAP2 ? &id : NULL, name);
}

/*
 * run__unwind - with --call-graph dwarf, the sample's stack becomes the
 * kernel part of its callchain followed by the unwound user frames.
 */
static void run__unwind(struct run *r, struct prof_sample *sample)
{
	u64 n = 0, *c = r->chain;
	int got;

	for (u64 i = 0; i < sample->nr_ips && n < PERF_MAX_STACK_DEPTH; i++) {
		if (sample->ips[i] == PERF_CONTEXT_USER)
			break;
		c[n++] = sample->ips[i];
	}
	if (sample->regs && sample->stack) {
		c[n++] = PERF_CONTEXT_USER;
		got = unwind__user(r->unwind, sample->pid, sample->regs, sample->regs_mask,
				   sample->stack, sample->stack_size, sample->regs[r->sp_index],
				   c + n, PERF_MAX_STACK_DEPTH);
		if (got > 0)
			n += (u64)got;
		else
			r->unwind_failed++;
	}
	sample->ips = c;
	sample->nr_ips = n;
}

static void run__record(struct run *r, struct ring *rg, const struct perf_event_header *h)
{
	struct prof *prof = &r->prof;
	struct tasks *tasks = r->env.tasks;
	struct syms *syms = r->env.syms;
	const u64 *p = (const u64 *)(h + 1);

	/* the symbol tables apply side-band records by their times (rings are read in turn) */
	if (syms)
		syms__clock(syms, record_time(r, h));
	switch (h->type) {
	case PERF_RECORD_LOST:
		if (h->size >= 8 + 16) {
			rg->lost += p[1];
			if (prof->ops->lost)
				prof->ops->lost(prof, rg, p[1]);
		}
		break;
	case PERF_RECORD_LOST_SAMPLES:
		if (h->size >= 8 + 8) {
			rg->lost += p[0];
			if (prof->ops->lost)
				prof->ops->lost(prof, rg, p[0]);
		}
		break;
	case PERF_RECORD_THROTTLE:
		r->throttled++;
		break;
	case PERF_RECORD_COMM:
		if (h->size > 8 + 8) {
			const u32 *q = (const u32 *)p;
			const char *comm = (const char *)(q + 2);
			size_t max = h->size - 16;

			if (strnlen(comm, max) < max)
				tasks__set_comm(tasks, (int)q[1], comm);
			if (syms && (h->misc & PERF_RECORD_MISC_COMM_EXEC) && q[0] == q[1])
				syms__exec(syms, (int)q[0]);
		}
		break;
	case PERF_RECORD_FORK:
		if (h->size >= 8 + 16) {
			const u32 *q = (const u32 *)p;

			/* pid, ppid, tid, ptid, time: the child starts with its parent's name */
			tasks__fork(tasks, (int)q[2], (int)q[3], h->size >= 8 + 24 ? p[2] : 0);
			if (syms && q[0] != q[1])
				syms__fork(syms, (int)q[1], (int)q[0]);
		}
		break;
	case PERF_RECORD_EXIT:
		if (h->size >= 8 + 16) {
			const u32 *q = (const u32 *)p;

			tasks__exit(tasks, (int)q[2], h->size >= 8 + 24 ? p[2] : 0);
			if (syms && q[0] == q[2])
				syms__exit(syms, (int)q[0]);
			/* pid, ppid, tid, ptid, time */
			if (prof->ops->task_exit && h->size >= 8 + 24)
				prof->ops->task_exit(prof, (int)q[0], (int)q[2], p[2]);
		}
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		if (syms)
			run__mmap_record(r, h);
		break;
	default:
		break;
	}
}

/* run__fix_time - --tsc: the perf clock to TSC cycles (the control page's inverse); --clock-offset */
static __attribute__((noinline)) void run__fix_time(const struct run *r, struct prof_sample *s)
{
	if (r->tsc_mult) {
		u64 t = s->time - r->tsc_zero, quot = t / r->tsc_mult, rem = t % r->tsc_mult;

		s->time = (quot << r->tsc_shift) + (rem << r->tsc_shift) / r->tsc_mult;
	}
	s->time += (u64)r->prof.opt.clock_offset;
}

static void run__perfeval(struct run *r, const struct prof_sample *s)
{
	if (s->cpu >= 0 && s->cpu < r->nr_eval_cpu && r->eval_cpu_want[s->cpu])
		r->eval_cpu[s->cpu]++;
	for (int i = 0; i < r->nr_eval_pid; i++)
		if (r->eval_pid[i] == s->pid)
			r->eval_pid_n[i]++;
}

/*
 * run__hooks - what happens to a sample before its profiler sees it, for
 * events marked hooked: DWARF unwinding, the user-space filter, the
 * sampling limit, self-evaluation counts. Returns false when the sample is
 * dropped.
 */
static __attribute__((noinline)) bool run__hooks(struct run *r, struct prof_sample *sample)
{
	struct evspec *ev = sample->ev;
	u64 limit = r->prof.opt.sampling_limit;

	if (r->unwind && ev->stack)
		run__unwind(r, sample);
	if (evcore(ev)->ufilter) {
		struct expr_ctx ctx = {
			.raw = sample->raw, .raw_size = sample->raw_size, .cpu = sample->cpu,
			.pid = sample->pid, .tid = sample->tid, .time = sample->time,
			.period = sample->period, .ip = sample->ip,
		};
		s64 keep;

		if (expr_eval(evcore(ev)->ufilter, &ctx, &keep)) {
			r->expr_errors[ev->index]++;
			return false;
		}
		if (!keep) {
			r->filtered++;
			return false;
		}
	}
	if (limit) {
		if (sample->time - evcore(ev)->limit_start >= 1000000000ULL) {
			evcore(ev)->limit_start = sample->time;
			evcore(ev)->limit_n = 0;
		}
		if (++evcore(ev)->limit_n > limit) {
			evcore(ev)->limited++;
			return false;
		}
	}
	if (r->perfeval)
		run__perfeval(r, sample);
	return true;
}

void run__mark_hooked(struct run *r)
{
	int with_ip = 0;

	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];

		evcore(ev)->hooked = evcore(ev)->ufilter || (r->unwind && ev->stack) || r->prof.opt.sampling_limit ||
			     r->perfeval;
		with_ip += !!(evcore(ev)->sample_type & PERF_SAMPLE_IP);
	}
	/* where a sample's time is, when every event agrees (0: look it up) */
	r->time_slot = !with_ip ? 2 : with_ip == r->evs.n ? 3 : 0;
}

static inline __attribute__((always_inline)) void
run__deliver(struct run *r, struct ring *rg, const struct perf_event_header *h)
{
	struct prof *prof = &r->prof;
	struct prof_sample sample;

	if (unlikely(h->type != PERF_RECORD_SAMPLE)) {
		run__record(r, rg, h);
		return;
	}
	rg->samples++;
	if (unlikely(run__decode(r, rg, h, &sample))) {
		r->unknown_id++;
		return;
	}
	rg->periods += sample.period;
	sample.ring = rg;
	if (unlikely(r->time_fix))
		run__fix_time(r, &sample);
	if (unlikely(evcore(sample.ev)->hooked) && !run__hooks(r, &sample))
		return;
	prof->ops->sample(prof, &sample);
	if (++r->delivered == prof->opt.exit_n)
		r->stop = true;
}

/* ------------------------------------------------------------------ pass */

void run__report_lost(struct run *r, bool force)
{
	u64 now = now_ns(), total = 0, fresh = 0;
	char buf[512];
	int len = 0;

	for (int i = 0; i < r->nr_rings; i++) {
		struct ring *rg = &r->rings[i];

		total += rg->lost;
		if (rg->lost == rg->lost_reported)
			continue;
		fresh += rg->lost - rg->lost_reported;
		if (len < (int)sizeof(buf) - 64) {
			if (rg->cpu >= 0)
				len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%sCPU %d: %llu",
						len ? ", " : "", rg->cpu,
						(unsigned long long)(rg->lost - rg->lost_reported));
			else
				len += snprintf(buf + len, sizeof(buf) - (size_t)len,
						"%sthread %d: %llu", len ? ", " : "", rg->tid,
						(unsigned long long)(rg->lost - rg->lost_reported));
		}
	}
	if (!fresh || (!force && now - r->last_lost_report < LOST_REPORT_NS))
		return;
	for (int i = 0; i < r->nr_rings; i++)
		r->rings[i].lost_reported = r->rings[i].lost;
	r->last_lost_report = now;
	if (r->prof.out == stdout)
		fflush(stdout);
	fprintf(r->diag, "perf-prof %s: lost %llu events (%s), %llu in total\n",
		r->prof.ops->name, (unsigned long long)fresh, buf, (unsigned long long)total);
}

/* unordered: each ring in turn, everything it has */
static void run__pass_unordered(struct run *r)
{
	for (int i = 0; i < r->nr_rings && !r->stop; i++) {
		struct ring *rg = &r->rings[i];
		const struct perf_event_header *h;
		struct ring_cur c;

		ring__refresh(rg);
		ring_cur__begin(&c, rg);
		while (!r->stop && (h = ring_cur__peek(&c))) {
			run__deliver(r, rg, h);
			ring_cur__consume(&c, h);
			/* give space back to the producer during long bursts */
			if (unlikely(!(c.records & r->done_mask))) {
				ring_cur__end(&c);
				ring__done(rg);
				ring_cur__begin(&c, rg);
			}
		}
		ring_cur__end(&c);
		ring__done(rg);
	}
}

static void order_deliver(void *arg, struct ring *rg, const struct perf_event_header *h)
{
	run__deliver(arg, rg, h);
}

static bool order_stop(void *arg)
{
	return ((struct run *)arg)->stop;
}

/*
 * ordered: release only records no ring can still precede. A record is
 * committed to its ring within microseconds of its timestamp, so anything
 * stamped ORDER_SLACK before the pass started is complete; later records
 * stay in their rings (not consumed) until a later pass. No pass is made
 * just for them: the next wakeup of the ring (watermark) or of the loop
 * (FLUSH_PERIOD_MS at the latest) takes them, so a busy ordered run wakes
 * no more often than an unordered one.
 *
 * A vCPU that its host preempts between a record's timestamp and its commit
 * breaks the slack's promise: when a pass finds records out of order, the
 * slack doubles (up to ORDER_SLACK_MAX_NS), for the rest of the run.
 */
static void run__pass_ordered(struct run *r)
{
	u64 ooo = r->order.out_of_order;
	u64 limit = r->draining ? UINT64_MAX : now_ns() - r->order_slack;

	order__pass(&r->order, limit, record_time, order_deliver, order_stop, r);
	if (unlikely(r->order.out_of_order != ooo) && r->order_slack < ORDER_SLACK_MAX_NS)
		r->order_slack *= 2;
}

/*
 * run__overwrite_read - an overwrite run's rings, paused and copied oldest
 * record first, delivered through the same path as live records (only what
 * is newer than the previous read: SIGUSR1 reads too). The rings go on
 * after a SIGUSR1 read, not after the final one.
 */
static void run__overwrite_read(struct run *r, bool final)
{
	int n = r->nr_rings;
	struct ring *live = r->rings, *tmp = xzalloc((size_t)(n ? n : 1) * sizeof(*tmp));
	unsigned char **bufs = xzalloc((size_t)(n ? n : 1) * sizeof(*bufs));
	struct order live_order = r->order;
	bool draining = r->draining;

	if (!r->ow_seen)
		r->ow_seen = xzalloc((size_t)(n ? n : 1) * sizeof(*r->ow_seen));
	for (int i = 0; i < n; i++) {
		u64 len, keep = 0;

		perfev__pause(live[i].fd, true);
		len = ring__backward_copy(&live[i], &bufs[i]);
		if (!final)
			perfev__pause(live[i].fd, false);
		/* keep what the previous read did not deliver */
		for (u64 off = 0; off < len;) {
			struct perf_event_header *h = (void *)(bufs[i] + off);
			u16 size = h->size;
			u64 t = record_time(r, h);

			if (t > r->ow_seen[i]) {
				memmove(bufs[i] + keep, h, size);
				keep += size;
			}
			off += size;
		}
		for (u64 off = 0; off < keep;) {
			const struct perf_event_header *h = (void *)(bufs[i] + off);
			u64 t = record_time(r, h);

			if (t > r->ow_seen[i])
				r->ow_seen[i] = t;
			off += h->size;
		}
		ring__init_buffer(&tmp[i], bufs[i], keep, live[i].cpu);
		tmp[i].idx = i;
		tmp[i].tid = live[i].tid;
	}
	r->rings = tmp;
	memset(&r->order, 0, sizeof(r->order));
	if (!order__init(&r->order, tmp, n)) {
		r->draining = true;
		if (r->prof.opt.order)
			run__pass_ordered(r);
		else
			run__pass_unordered(r);
		order__exit(&r->order);
	}
	r->draining = draining;
	r->order = live_order;
	r->rings = live;
	for (int i = 0; i < n; i++) {
		live[i].records += tmp[i].records;
		live[i].samples += tmp[i].samples;
		live[i].bytes += tmp[i].bytes;
		ring__exit(&tmp[i]);
		free(bufs[i]);
	}
	free(tmp);
	free(bufs);
}

void run__pass(struct run *r)
{
	if (r->prof.opt.overwrite)
		return;	/* read by run__overwrite_read() */
	if (r->prof.opt.order)
		run__pass_ordered(r);
	else
		run__pass_unordered(r);
	run__report_lost(r, false);
}

/* ------------------------------------------------------------------ step */

/* run__check_output - a failed write of the reports ends the run */
static void run__check_output(struct run *r)
{
	if (fflush(r->prof.out) == EOF || ferror(r->prof.out)) {
		/* a full disk, a closed pipe: stop, run__finish() reports it */
		if (!r->out_errno)
			r->out_errno = errno ? errno : EIO;
		r->stop = true;
	}
}

static void run__workload_exited(struct run *r)
{
	if (r->has_workload && workload__reap(&r->wl))
		r->stop = true;
}

int run__process(struct run *r, struct err *err)
{
	struct prof *prof = &r->prof;
	struct epoll_event evs[16];
	int n;

	if (r->stop)
		return 0;
	n = r->epfd >= 0 ? epoll_wait(r->epfd, evs, ARRAY_SIZE(evs), 0) : 0;
	if (n < 0 && errno != EINTR) {
		r->stop = true;
		return err_set(err, EXIT_FAIL, "epoll_wait failed: %s", strerror(errno));
	}
	r->next_flush = now_ns() + FLUSH_PERIOD_MS * 1000000ULL;
	run__pass(r);
	for (int i = 0; i < n && !r->stop; i++) {
		u32 tag = (u32)(evs[i].data.u64 >> 32), idx = (u32)evs[i].data.u64;

		if (tag == TAG_TIMER) {
			u64 ticks;

			if (read(r->timerfd, &ticks, sizeof(ticks)) > 0) {
				run__pass(r);
				if (!r->stop)
					prof->ops->interval(prof);
			}
		} else if (tag == TAG_PIDFD) {
			epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->pidfds[idx], NULL);
			if (--r->pidfds_left == 0)
				r->stop = true;
		} else if (tag == TAG_WORKLOAD) {
			run__workload_exited(r);
		} else if (tag == TAG_WATCH && idx < (u32)r->nr_watch) {
			r->watch[idx].ready(prof);
		}
	}
	/* without a pidfd (valgrind) the workload is polled */
	if (r->has_workload && r->wl_pidfd < 0)
		run__workload_exited(r);
	if (run__tids_gone(r))
		r->stop = true;
	if (now_ns() - r->last_gc > TASKS_GC_NS) {
		tasks__gc(r->env.tasks);
		r->last_gc = now_ns();
	}
	run__check_output(r);
	return 0;
}

/* ----------------------------------------------------------------- stats */

void prof__print_stats(const struct prof *prof, FILE *out)
{
	const struct run *r = prof->run;
	u64 rec = 0, bytes = 0, lost = 0, samples = 0;

	fprintf(out, "perf-prof %s: ring statistics\n", prof->ops->name);
	fprintf(out, "  %-10s %12s %12s %14s %10s\n", "ring", "records", "samples", "bytes", "lost");
	for (int i = 0; i < r->nr_rings; i++) {
		const struct ring *rg = &r->rings[i];
		char name[32];

		if (rg->cpu >= 0)
			snprintf(name, sizeof(name), "cpu%d", rg->cpu);
		else
			snprintf(name, sizeof(name), "tid%d", rg->tid);
		fprintf(out, "  %-10s %12llu %12llu %14llu %10llu\n", name,
			(unsigned long long)rg->records, (unsigned long long)rg->samples,
			(unsigned long long)rg->bytes, (unsigned long long)rg->lost);
		rec += rg->records;
		samples += rg->samples;
		bytes += rg->bytes;
		lost += rg->lost;
	}
	fprintf(out, "  %-10s %12llu %12llu %14llu %10llu\n", "total", (unsigned long long)rec,
		(unsigned long long)samples, (unsigned long long)bytes, (unsigned long long)lost);
	fprintf(out, "  delivered %llu", (unsigned long long)r->delivered);
	if (r->user_filters)
		fprintf(out, ", filtered out in user space %llu", (unsigned long long)r->filtered);
	if (prof->opt.order)
		fprintf(out, ", out of order %llu (slack now %llu ms)",
			(unsigned long long)r->order.out_of_order,
			(unsigned long long)(r->order_slack / 1000000));
	fputc('\n', out);
	for (int i = 0; i < r->evs.n; i++)
		bpf_filter__report(r->evs.v[i], out);
}

void run__sigusr1(struct run *r)
{
	struct prof *prof = &r->prof;

	if (r->stop || !r->started)
		return;
	if (prof->opt.overwrite)
		run__overwrite_read(r, false);
	run__pass(r);
	prof__print_stats(prof, r->diag);
	if (prof->ops->sigusr1)
		prof->ops->sigusr1(prof);
	fflush(prof->out);
}

/*
 * run__pending_lost - records the kernel generated but never wrote: the
 * events' own counts against what was read. A ring that filled up just
 * before the end has its LOST record pending in the kernel (it is written
 * with the next record that fits, and there is none); throttled samples
 * are never written at all. Only for events sampled at period 1 with
 * counts in records (tracepoints, probes, software events at period 1).
 */
static void run__pending_lost(struct run *r)
{
	u64 count_all = 0, read = 0;

	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];
		u64 count = 0;

		if (evcore(ev)->skipped || evcore(ev)->in_kernel)
			continue;
		if (!evcore(ev)->evsel || (ev->sampling && evcore(ev)->sample_period != 1))
			return;
		if (perfev__count(evcore(ev)->evsel, r->cpus, r->threads, &count))
			return;
		evcore(ev)->generated = count;
		count_all += count;
	}
	for (int i = 0; i < r->nr_rings; i++)
		read += r->rings[i].periods;
	r->lost_exact = true;
	r->lost_samples = count_all > read ? count_all - read : 0;
}

/* some ring was more than half full at a hand-back: it may have dropped records */
static bool run__rings_filled(const struct run *r)
{
	for (int i = 0; i < r->nr_rings; i++)
		if (r->rings[i].fill_max > r->rings[i].size / 2)
			return true;
	return false;
}

static void run__print_problems(struct run *r)
{
	const char *name = r->prof.ops->name;
	u64 corrupt = 0, in_rings = prof__lost(&r->prof), lost = in_rings, pending = 0, other = 0;
	FILE *d = r->diag;

	/*
	 * With the events' own counts, samples lost are exact: LOST records
	 * also count task and mapping records that did not fit, and a LOST
	 * record may still be pending in the kernel when the run ends.
	 */
	if (r->lost_exact) {
		lost = r->lost_samples;
		pending = lost > in_rings ? lost - in_rings : 0;
		other = in_rings > lost ? in_rings - lost : 0;
	}
	if (lost && !in_rings && !r->throttled && !run__rings_filled(r)) {
		/*
		 * no ring was ever more than half full, so none dropped a
		 * record: the kernel counted events it never wrote. It adds a
		 * tracepoint to an event's count before it checks that the event
		 * is active (perf_swevent_event), and writes no sample when it is
		 * not; sched_wakeup, also delivered to the woken task's events,
		 * shows it.
		 */
		fprintf(d, "perf-prof %s: %llu events counted by the kernel were never written to a "
			   "ring: no ring was ever more than half full, so none was dropped for want "
			   "of space; the kernel counts a tracepoint in an event that is not active "
			   "without writing a sample (seen with sched_wakeup)\n", name,
			(unsigned long long)lost);
	} else if (lost && !in_rings && !r->throttled) {
		/* a ring was full: its LOST record was still pending at the end */
		fprintf(d, "perf-prof %s: %llu events lost in this run: the kernel counted them but "
			   "no record of them was read, and no ring reported a loss (a ring full at "
			   "the very end)\n", name, (unsigned long long)lost);
	} else if (lost) {
		int n = 0;

		fprintf(d, "perf-prof %s: %llu events lost in this run (", name,
			(unsigned long long)lost);
		for (int i = 0; i < r->nr_rings; i++) {
			if (!r->rings[i].lost)
				continue;
			fprintf(d, "%s%s %d: %llu", n++ ? ", " : "",
				r->rings[i].cpu >= 0 ? "CPU" : "thread",
				r->rings[i].cpu >= 0 ? r->rings[i].cpu : r->rings[i].tid,
				(unsigned long long)r->rings[i].lost);
		}
		if (pending)
			fprintf(d, "%snot written by the kernel at the end: %llu", n ? ", " : "",
				(unsigned long long)pending);
		fprintf(d, "); the kernel dropped them because a ring was full%s\n",
			r->throttled ? " or the event was throttled" : "");
		fprintf(d, "hint: a larger ring (-m) or a lower --watermark gives more headroom\n");
	}
	if (other)
		fprintf(d, "perf-prof %s: %llu task or mapping records lost too (names or symbols of "
			   "some tasks may be missing)\n", name, (unsigned long long)other);
	if (r->throttled)
		fprintf(d, "perf-prof %s: the kernel throttled sampling %llu times (samples above "
			   "/proc/sys/kernel/perf_event_max_sample_rate were dropped)\n", name,
			(unsigned long long)r->throttled);
	for (int i = 0; i < r->evs.n; i++)
		bpf_filter__report_missed(r->evs.v[i], name, d);
	for (int i = 0; r->prof.opt.verbose && i < r->evs.n; i++)
		bpf_filter__report(r->evs.v[i], d);
	for (int i = 0; i < r->evs.n; i++)
		if (evcore(r->evs.v[i])->limited)
			fprintf(d, "perf-prof %s: %llu samples of '%s' dropped by --sampling-limit %llu\n",
				name, (unsigned long long)evcore(r->evs.v[i])->limited, r->evs.v[i]->display,
				(unsigned long long)r->prof.opt.sampling_limit);
	run__perfeval_report(r);
	for (int i = 0; i < r->evs.n; i++)
		if (r->expr_errors && r->expr_errors[i])
			fprintf(d, "perf-prof %s: %llu samples of '%s' skipped: expression errors "
				   "(division by zero, index out of range, ...)\n",
				name, (unsigned long long)r->expr_errors[i], r->evs.v[i]->display);
	for (int i = 0; i < r->nr_rings; i++)
		corrupt += r->rings[i].corrupt;
	if (corrupt)
		fprintf(d, "perf-prof %s: %llu times a ring held a malformed record and was "
			   "skipped to its head\n", name, (unsigned long long)corrupt);
	if (r->unwind_failed)
		fprintf(d, "perf-prof %s: %llu user stacks could not be unwound (no user "
			   "registers, or no CFI and no frame pointer)\n", name,
			(unsigned long long)r->unwind_failed);
	if (r->unknown_id)
		fprintf(d, "perf-prof %s: %llu samples could not be decoded\n", name,
			(unsigned long long)r->unknown_id);
}

/* ---------------------------------------------------------------- finish */

/*
 * run__output_ok - the reports reached their file. A reader that went away
 * (EPIPE: `| head`) is no error; a full disk or an I/O error is.
 */
static int run__output_ok(struct run *r, struct err *err)
{
	int e = r->out_errno;

	errno = 0;
	if (fflush(r->prof.out) == EOF || ferror(r->prof.out)) {
		if (!e)
			e = errno ? errno : EIO;
	}
	if (r->out_file) {
		if (fclose(r->out_file) && !e)
			e = errno ? errno : EIO;
		r->out_file = NULL;
		r->prof.out = stdout;
		r->env.out = stdout;
	}
	if (!e || e == EPIPE)
		return 0;
	err_set(err, EXIT_FAIL, "cannot write output file '%s': %s",
		r->prof.opt.output ? r->prof.opt.output : "stdout", strerror(e));
	err_hint(err, "what was collected could not be written; check the disk or the pipe");
	return -1;
}

int run__finish(struct run *r, struct err *err)
{
	struct prof *prof = &r->prof;
	bool complete = !(prof->opt.exit_n && r->delivered >= prof->opt.exit_n);

	if (r->finished)
		return 0;
	r->finished = true;
	if (r->opened && r->started && prof->opt.overwrite) {
		/* a flight recorder: what the rings hold now is the run */
		perf_evlist__disable(r->evlist);
		r->stop = false;
		run__overwrite_read(r, true);
		complete = false;	/* older records were overwritten, by design */
	} else if (r->opened && r->started && complete) {
		/* the end: stop the producers, then take everything they wrote */
		perf_evlist__disable(r->evlist);
		r->stop = false;
		r->draining = true;
		run__pass(r);
		/* a -N reached while draining still counts exactly */
		complete = !(prof->opt.exit_n && r->delivered >= prof->opt.exit_n);
	}
	r->stop = true;
	run__report_lost(r, true);
	if (r->opened && r->started && complete)
		run__pending_lost(r);
	if (r->ready && prof->ops->final)
		prof->ops->final(prof);
	if (run__output_ok(r, err))
		return -1;
	/* a report file (flame graph, heatmap) that could not be written */
	if (r->failed) {
		*err = *r->failed;
		return -1;
	}
	return 0;
}

void run__delete(struct run *r)
{
	struct prof *prof;

	if (!r)
		return;
	prof = &r->prof;
	if (r->inited || r->prepared) {
		if (prof->ops->deinit)
			prof->ops->deinit(prof);
	}
	if (r->started || r->opened)
		run__print_problems(r);
	if (r->evlist) {
		if (r->opened) {
			perf_evlist__disable(r->evlist);
			perf_evlist__munmap(r->evlist);
			perf_evlist__close(r->evlist);
		}
		perfev__evlist_delete(r->evlist);	/* deletes the evsels */
	}
	run__targets_free(r);
	for (int i = 0; i < r->nr_rings; i++)
		ring__exit(&r->rings[i]);
	order__exit(&r->order);
	unwind__delete(r->unwind);
	syms__delete(r->env.syms);
	free(r->chain);
	free(r->rings);
	idmap__exit(&r->ids);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->timerfd >= 0)
		close(r->timerfd);
	run__events_free(r);
	/* event sources: their formats, probes and state, after the events */
	for (int i = 0; i < r->nr_children; i++)
		run__delete(r->children[i]);
	free(r->children);
	/* after the perf fds are closed: the kernel refuses to remove events in use */
	if (probes__delete(r->probes) > 0)
		fprintf(r->diag, "perf-prof: some probes are still in use; they are removed when "
				 "perf-prof exits\n");
	free(r->expr_errors);
	free(r->ow_seen);
	free(r->eval_cpu);
	free(r->eval_cpu_want);
	free(r->eval_pid);
	free(r->eval_pid_n);
	free(r->failed);
	for (int i = 0; r->replay_bufs && i < r->nr_rings; i++)
		free(r->replay_bufs[i]);
	free(r->replay_bufs);
	if (r->out_file)
		fclose(r->out_file);
	opt_free(r->sets, 2);
	free(r->ctab);
	free(r->words);
	free(prof->args);
	free(prof->opt.events.v);	/* a prepare() may have built it without -e */
	free(prof->opts);
	tep__delete(r->tep);
	ksyms__delete(r->env.ksyms);
	tasks__delete(r->env.tasks);
	free(r);
}
