// SPDX-License-Identifier: GPL-2.0
/*
 * pidstat.c - `perf-prof pidstat`: sysstat's pidstat (-u -r -d -w -t, -p,
 * -C, INTERVAL [COUNT]) in its exact column layout, so that scripts written
 * for sysstat keep working, but with nothing lost between two samples:
 *
 *   - context switches are counted from sched_switch on every CPU, each
 *     switch-out voluntary when the task left asleep (a lettered
 *     prev_state, schedev.h) and involuntary when it was still runnable;
 *   - a task that exits hands over its final accounting (CPU times,
 *     faults, I/O) in the kernel's taskstats exit record (taskstats.h),
 *     so a process that lived 200 ms between two samples is reported with
 *     what it did, in the interval it did it;
 *   - the rest, for live tasks, is /proc at each interval as sysstat reads
 *     it: /proc/PID/task/TID/{stat,schedstat,io} deltas, VSZ and RSS.
 *
 * Every task is followed as a thread (the table below); a process's row
 * is the sum of its threads' rows, so a thread that ended inside the
 * interval is in it once, from its exit record.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "group.h"
#include "hashmap.h"
#include "json.h"
#include "profiler.h"
#include "report.h"
#include "schedev.h"
#include "taskstats.h"

#define PS_MAX_TASKS	(1u << 20)
#define PS_HDR_ROWS	23	/* sysstat's header period for one process and one activity */

/* a task's counters: /proc (and taskstats) gives V_USR..V_IODELAY, sched_switch the rest */
enum {
	V_USR,		/* ns, guest time included (as /proc's utime) */
	V_SYS,		/* ns */
	V_GUEST,	/* ns */
	V_WAIT,		/* ns runnable, waiting for a CPU */
	V_MINFLT,
	V_MAJFLT,
	V_RD,		/* bytes */
	V_WR,
	V_CCWR,
	V_IODELAY,	/* clock ticks blocked on block I/O */
	V_PROC,		/* the first counter that is not /proc's */
	V_CSW = V_PROC,
	V_NVCSW,
	V_NR,
};

enum { ACT_CPU = 1, ACT_MEM = 2, ACT_IO = 4, ACT_CSW = 8 };

/* which tasks a report shows, as sysstat decides it */
enum {
	SHOW_ACTIVE,	/* no -p: every task active in the section's activity */
	SHOW_ALL,	/* -p ALL: every task */
	SHOW_LIST,	/* -p PID,...: those processes */
};

enum { T_NEW, T_LIVE, T_EXITED, T_DEAD };

struct ps_opts {
	bool cpu, mem, io, csw, threads;
	const char *pids;	/* -p */
	const char *comm;	/* -C */
};

/* one thread */
struct ps_task {
	u64 last[V_PROC];	/* /proc's cumulative values at the last scan */
	u64 d[V_NR];		/* what it did in this interval */
	u64 vsz, rss;		/* kB */
	int pid;
	int cpu;
	u32 uid;
	u32 gen;		/* the scan that saw it last */
	u8 state;		/* T_* */
	bool memchg;		/* VSZ or RSS changed in the interval */
	char comm[16];
};

/* one row of a report: (pid, 0) a process, (pid, tid) one of its threads */
struct ps_row {
	u64 v[V_NR];
	u64 vsz, rss;		/* kB: now (an interval), summed over @nmem samples (the run) */
	u32 nmem;
	u32 uid;
	int cpu;
	bool memchg;
	bool gone;
	bool shown;		/* the process row was printed in the section being printed */
	char comm[16];
};

struct ps {
	struct sched_switch_fmt sw;
	struct hashmap *tasks;		/* tid -> struct ps_task */
	struct group *iv, *whole;	/* (pid, tid) -> struct ps_row */
	struct tstats *ts;
	regex_t comm_re;
	bool has_re;
	int *pids;			/* -p PID,... */
	int nr_pids;
	int show;
	unsigned acts;
	bool hdr_always;
	u64 count;			/* COUNT: reports to print, 0: until stopped */
	u64 reports;
	u32 gen;
	u64 scan_ns, prev_ns, start_ns;	/* monotonic times of the last two scans, the first */
	time_t scan_wall, prev_wall;
	u64 memtotal;			/* kB */
	long hz;
	u64 page_kb;
	int nlive;			/* -p: threads of the processes listed still alive */
	u64 vanished, untimed, lost;
	int ts_err;			/* the exit records' socket failed with this errno */
	struct prof *prof;
	char buf[4096];
};

/* ------------------------------------------------------------------ */
/* options                                                              */
/* ------------------------------------------------------------------ */

static int ps_parse_count(const char *s, const char *what, u64 *v, struct err *err)
{
	if (!parse_u64(s, v) && *v && *v < (1ULL << 31) && strspn(s, "0123456789") == strlen(s))
		return 0;
	err_set(err, EXIT_USAGE, "invalid %s '%s': a positive whole number", what, s);
	err_hint(err, "perf-prof pidstat [OPTIONS] [INTERVAL [COUNT]], e.g. 'pidstat -u 1 5' "
		      "(seconds, reports)");
	return -1;
}

static int ps_parse_pids(struct ps *p, const char *list, struct err *err)
{
	char *dup = xstrdup(list), *save = NULL;
	int ret = 0;

	p->show = SHOW_LIST;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		u64 v;

		if (!strcmp(t, "ALL")) {
			p->show = SHOW_ALL;
			continue;
		}
		if (!strcmp(t, "SELF"))
			v = (u64)getpid();
		else if (parse_u64(t, &v) || !v || v > 0x3fffffff ||
			 strspn(t, "0123456789") != strlen(t)) {
			err_set(err, EXIT_USAGE, "invalid process '%s' in '-p %s'", t, list);
			err_hint(err, "give process ids separated by commas, ALL or SELF");
			ret = -1;
			break;
		}
		p->pids = xrealloc(p->pids, (size_t)(p->nr_pids + 1) * sizeof(int));
		p->pids[p->nr_pids++] = (int)v;
	}
	free(dup);
	if (!ret && p->show == SHOW_LIST && !p->nr_pids) {
		err_set(err, EXIT_USAGE, "no process in '-p %s'", list);
		err_hint(err, "give process ids separated by commas, ALL or SELF");
		ret = -1;
	}
	if (p->show == SHOW_ALL)
		p->nr_pids = 0;	/* ALL includes whatever else was listed */
	return ret;
}

static int ps_prepare(struct prof *prof, struct err *err)
{
	const struct ps_opts *o = prof->opts;
	struct ps *p = xzalloc(sizeof(*p));
	struct strlist *l = &prof->opt.events;
	int nacts = 0;
	u64 iv = 0;

	prof->priv = p;
	p->prof = prof;
	p->acts = (o->cpu ? ACT_CPU : 0) | (o->mem ? ACT_MEM : 0) | (o->io ? ACT_IO : 0) |
		  (o->csw ? ACT_CSW : 0);
	if (!p->acts)
		p->acts = ACT_CPU;	/* sysstat's default */
	for (unsigned a = p->acts; a; a &= a - 1)
		nacts++;
	if (prof->nr_args >= 1 && ps_parse_count(prof->args[0], "interval", &iv, err))
		return -1;
	if (prof->nr_args >= 2 && ps_parse_count(prof->args[1], "count", &p->count, err))
		return -1;
	if (iv && prof->opt.interval) {
		err_set(err, EXIT_USAGE, "the interval is given twice ('-i' and '%s')",
			prof->args[0]);
		err_hint(err, "keep one: INTERVAL in seconds, or -i with milliseconds or a unit");
		return -1;
	}
	if (iv)
		prof->opt.interval = iv * 1000000000ULL;
	if (!prof->opt.interval)
		prof->opt.interval = 1000000000ULL;
	p->show = SHOW_ACTIVE;
	if (o->pids && ps_parse_pids(p, o->pids, err))
		return -1;
	if (o->comm) {
		int rc = regcomp(&p->comm_re, o->comm, REG_EXTENDED | REG_NOSUB);

		if (rc) {
			err_set(err, EXIT_USAGE, "invalid regular expression '-C %s'", o->comm);
			err_hint(err, "-C takes an extended regular expression matched against "
				      "command names, e.g. -C '^nginx'");
			return -1;
		}
		p->has_re = true;
	}
	/* sysstat's rule: a header before every report unless one process, one activity */
	p->hdr_always = nacts > 1 || p->show != SHOW_LIST || p->nr_pids > 1;
	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = "sched:sched_switch";
	return 0;
}

static u64 ps_memtotal(void)
{
	char *s = read_file("/proc/meminfo", NULL), *m;
	u64 kb = 0;

	m = s ? strstr(s, "MemTotal:") : NULL;
	if (m)
		kb = strtoull(m + 9, NULL, 10);
	free(s);
	return kb;
}

static int ps_init(struct prof *prof, struct err *err)
{
	struct ps *p = prof->priv;

	if (sched_switch__init(&p->sw, prof->evs[0]->tp, err))
		return -1;
	p->tasks = hashmap__new(sizeof(struct ps_task), PS_MAX_TASKS);
	p->iv = group__new(2, sizeof(struct ps_row), 0);
	p->whole = group__new(2, sizeof(struct ps_row), 0);
	p->memtotal = ps_memtotal();
	p->hz = sysconf(_SC_CLK_TCK);
	if (p->hz <= 0)
		p->hz = 100;
	p->page_kb = (u64)sysconf(_SC_PAGESIZE) / 1024;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the events                                                           */
/* ------------------------------------------------------------------ */

static bool ps_wanted(const struct ps *p, int pid)
{
	if (p->show != SHOW_LIST)
		return true;
	for (int i = 0; i < p->nr_pids; i++)
		if (p->pids[i] == pid)
			return true;
	return false;
}

static void ps_sample(struct prof *prof, const struct prof_sample *s)
{
	struct ps *p = prof->priv;
	struct ps_task *k;
	s64 prev, state;

	if (field__read(&p->sw.prev_pid, s->raw, s->raw_size, &prev) || prev <= 0 ||
	    field__read(&p->sw.prev_state, s->raw, s->raw_size, &state))
		return;
	if (p->show == SHOW_LIST && !ps_wanted(p, s->pid))
		return;
	k = hashmap__get(p->tasks, (u64)prev);
	/* no row (the table is full), or the last switch of a task already reported gone */
	if (!k || k->state == T_DEAD)
		return;
	if (!k->pid)
		k->pid = s->pid;
	k->cpu = s->cpu;
	/* asleep (S, D, ...): it gave up its CPU; runnable (R, R+): it was taken away */
	if (sched__state(&p->sw.states, (u64)state) >= SCHED_LETTERS)
		k->d[V_CSW]++;
	else
		k->d[V_NVCSW]++;
}

static void ps_lost(struct prof *prof, struct ring *ring, u64 n)
{
	struct ps *p = prof->priv;

	(void)ring;
	p->lost += n;
}

/* ------------------------------------------------------------------ */
/* /proc and the exit records                                           */
/* ------------------------------------------------------------------ */

/* ps_read - @name under @dfd into p->buf (NUL-terminated); its length or -1 */
static ssize_t ps_read(struct ps *p, int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, p->buf, sizeof(p->buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	p->buf[n] = '\0';
	return n;
}

/*
 * ps_stat - /proc/.../stat of a thread: its name and the fields after it
 * (field 3 is f[0]); false when the task is gone
 */
static bool ps_stat(struct ps *p, int dfd, char *comm, u64 *f, int nf)
{
	char *s, *e, *end;

	if (ps_read(p, dfd, "stat") <= 0)
		return false;
	s = strchr(p->buf, '(');
	e = strrchr(p->buf, ')');
	if (!s || !e || e < s)
		return false;
	snprintf(comm, 16, "%.*s", (int)(e - s - 1 < 15 ? e - s - 1 : 15), s + 1);
	s = e + 2;
	for (int i = 0; i < nf; i++) {
		while (*s == ' ')
			s++;
		if (i == 0) {
			f[i] = (u64)(unsigned char)*s;	/* the state letter */
			s++;
		} else {
			f[i] = strtoull(s, &end, 10);
			if (end == s)
				f[i] = 0;
			s = end;
		}
		while (*s && *s != ' ')
			s++;
	}
	return true;
}

/* field numbers of /proc/PID/stat (proc(5)), as indexes of ps_stat()'s array */
#define F(n) ((n) - 3)
enum {
	F_MINFLT = F(10), F_MAJFLT = F(12), F_UTIME = F(14), F_STIME = F(15),
	F_VSIZE = F(23), F_RSS = F(24), F_CPU = F(39), F_BLKIO = F(42), F_GUEST = F(43),
	F_NR = F(43) + 1,
};

static u64 ps_io_field(const char *buf, const char *name)
{
	const char *m = strstr(buf, name);

	return m ? strtoull(m + strlen(name), NULL, 10) : 0;
}

/* ps_thread - one thread's /proc values at this scan */
static void ps_thread(struct ps *p, int tdfd, int pid, int tid, u32 uid, bool baseline)
{
	u64 f[F_NR] = { 0 }, cur[V_PROC] = { 0 }, tick = 1000000000ULL / (u64)p->hz;
	u64 page_kb = p->page_kb;
	struct ps_task *k;
	char comm[16];

	if (!ps_stat(p, tdfd, comm, f, F_NR))
		return;
	if (f[0] == 'Z' || f[0] == 'X')
		return;	/* exited (its exit record said what it did), not yet reaped */
	k = hashmap__get(p->tasks, (u64)tid);
	if (!k)
		return;
	cur[V_USR] = f[F_UTIME] * tick;
	cur[V_SYS] = f[F_STIME] * tick;
	cur[V_GUEST] = f[F_GUEST] * tick;
	cur[V_MINFLT] = f[F_MINFLT];
	cur[V_MAJFLT] = f[F_MAJFLT];
	cur[V_IODELAY] = f[F_BLKIO];
	if ((p->acts & ACT_CPU) && ps_read(p, tdfd, "schedstat") > 0) {
		unsigned long long run, wait;

		if (sscanf(p->buf, "%llu %llu", &run, &wait) == 2)
			cur[V_WAIT] = wait;
	}
	if ((p->acts & ACT_IO) && ps_read(p, tdfd, "io") > 0) {
		cur[V_RD] = ps_io_field(p->buf, "\nread_bytes: ");
		cur[V_WR] = ps_io_field(p->buf, "\nwrite_bytes: ");
		cur[V_CCWR] = ps_io_field(p->buf, "\ncancelled_write_bytes: ");
	}
	if (k->state == T_DEAD || k->state == T_EXITED) {
		/* the number was reused after an exit record */
		memset(k, 0, sizeof(*k));
	}
	if (!baseline) {
		/* a task not seen at the last scan was born after it: it started from 0 */
		for (int i = 0; i < V_PROC; i++) {
			u64 was = k->state == T_LIVE ? k->last[i] : 0;

			k->d[i] += cur[i] > was ? cur[i] - was : 0;
		}
	}
	memcpy(k->last, cur, sizeof(cur));
	if (k->vsz != f[F_VSIZE] / 1024 || k->rss != f[F_RSS] * page_kb)
		k->memchg = k->state == T_LIVE;
	k->vsz = f[F_VSIZE] / 1024;
	k->rss = f[F_RSS] * page_kb;
	k->pid = pid;
	k->uid = uid;
	k->cpu = (int)f[F_CPU];
	memcpy(k->comm, comm, sizeof(k->comm));
	k->state = T_LIVE;
	k->gen = p->gen;
}

/* ps_scan_pid - every thread of process @pid */
static void ps_scan_pid(struct ps *p, int pid, bool baseline)
{
	char path[64];
	struct stat st;
	struct dirent *de;
	DIR *d;
	int dfd;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	dfd = dirfd(d);
	/* the owner of /proc/PID is the process's uid */
	if (fstat(dfd, &st))
		st.st_uid = 0;
	while ((de = readdir(d)) != NULL) {
		int tid = atoi(de->d_name), tdfd;

		if (tid <= 0)
			continue;
		tdfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (tdfd < 0)
			continue;
		ps_thread(p, tdfd, pid, tid, (u32)st.st_uid, baseline);
		close(tdfd);
	}
	closedir(d);
}

static void ps_scan(struct ps *p, bool baseline)
{
	struct timespec ts;

	p->gen++;
	p->prev_ns = p->scan_ns;
	p->prev_wall = p->scan_wall;
	p->scan_ns = now_ns();
	clock_gettime(CLOCK_REALTIME, &ts);
	p->scan_wall = ts.tv_sec;
	if (p->show == SHOW_LIST) {
		for (int i = 0; i < p->nr_pids; i++)
			ps_scan_pid(p, p->pids[i], baseline);
		return;
	}
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		int pid = atoi(de->d_name);

		if (pid > 0)
			ps_scan_pid(p, pid, baseline);
	}
	closedir(d);
}

/* ps_exit - a thread's exit record: what it did since the last scan */
static void ps_exit(void *ctx, const struct tstat_exit *e)
{
	struct ps *p = ctx;
	struct ps_task *k = hashmap__find(p->tasks, (u64)e->tid);
	u64 fin[V_PROC] = { 0 }, tick = 1000000000ULL / (u64)p->hz;

	if (!k || k->state == T_NEW) {
		if (!ps_wanted(p, e->pid))
			return;
		/*
		 * unknown at the last scan: born after it, unless it lived longer
		 * than that (alive but missed: what it did before is unknown)
		 */
		if (e->etime > now_ns() - p->prev_ns + 50000000ULL) {
			p->untimed++;
			return;
		}
		k = hashmap__get(p->tasks, (u64)e->tid);
		if (!k)
			return;
	}
	if (k->state == T_EXITED || k->state == T_DEAD)
		return;
	fin[V_USR] = e->utime;
	fin[V_SYS] = e->stime;
	fin[V_MINFLT] = e->minflt;
	fin[V_MAJFLT] = e->majflt;
	fin[V_RD] = e->read_bytes;
	fin[V_WR] = e->write_bytes;
	fin[V_CCWR] = e->cancelled_write_bytes;
	fin[V_IODELAY] = e->blkio_delay / tick;
	fin[V_WAIT] = e->run_delay;
	for (int i = 0; i < V_PROC; i++) {
		u64 was = k->state == T_LIVE ? k->last[i] : 0;

		k->d[i] += fin[i] > was ? fin[i] - was : 0;
	}
	if (k->state != T_LIVE) {
		/* never seen in /proc: its peak sizes stand for its sizes */
		k->vsz = e->hiwater_vm;
		k->rss = e->hiwater_rss;
		snprintf(k->comm, sizeof(k->comm), "%.15s", e->comm);
		k->uid = e->uid;
	}
	k->pid = e->pid;
	k->state = T_EXITED;
}

static void ps_drain(struct ps *p)
{
	int rc = p->ts && !p->ts_err ? tstats__read(p->ts, ps_exit, p) : 0;

	if (rc < 0)
		p->ts_err = -rc;	/* the socket failed: exits are missed from now on */
}

/* ------------------------------------------------------------------ */
/* reports                                                              */
/* ------------------------------------------------------------------ */

static bool ps_alive_unscanned(int pid, int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tid);
	return access(path, F_OK) == 0;
}

static void ps_row_add(struct ps_row *r, const struct ps_task *k, bool leader)
{
	for (int i = 0; i < V_NR; i++)
		r->v[i] += k->d[i];
	r->memchg |= k->memchg;
	if (leader || !r->comm[0]) {
		r->vsz = k->vsz;
		r->rss = k->rss;
		r->uid = k->uid;
		r->cpu = k->cpu;
		memcpy(r->comm, k->comm, sizeof(r->comm));
		r->gone = k->state != T_LIVE;
	}
}

/* ps_collect - the interval's rows from the tasks; the tasks start a new interval */
static void ps_collect(struct ps *p)
{
	const struct ps_opts *o = p->prof->opts;
	struct ps_task *k;
	u64 *del = NULL;
	size_t it, ndel = 0;

	group__reset(p->iv);
	p->nlive = 0;
	hashmap__for_each(p->tasks, it, k) {
		int tid = (int)hashmap__key(k);

		if (k->state == T_DEAD) {
			/* reported gone an interval ago: its late switches are in */
			del = xrealloc(del, (ndel + 1) * sizeof(*del));
			del[ndel++] = (u64)tid;
			continue;
		}
		if (k->state == T_NEW && k->pid && ps_alive_unscanned(k->pid, tid))
			continue;	/* born after the scan: the next interval's */
		if ((k->state == T_LIVE && k->gen != p->gen) || k->state == T_NEW) {
			/* gone without an exit record: only its switches are known */
			if (k->state == T_LIVE)
				p->vanished++;
			k->state = T_EXITED;
		}
		if (k->pid > 0 && ps_wanted(p, k->pid)) {
			u64 parts[2] = { (u64)k->pid, 0 };
			struct ps_row *r = group__row(p->iv, parts);

			if (r)
				ps_row_add(r, k, tid == k->pid);
			parts[1] = (u64)tid;
			r = o->threads ? group__row(p->iv, parts) : NULL;
			if (r)
				ps_row_add(r, k, true);
		}
		memset(k->d, 0, sizeof(k->d));
		k->memchg = false;
		if (k->state == T_EXITED)
			k->state = T_DEAD;
		else if (k->state == T_LIVE && ps_wanted(p, k->pid))
			p->nlive++;
	}
	for (size_t i = 0; i < ndel; i++)
		hashmap__del(p->tasks, del[i]);
	free(del);
}

/* ps_active - whether @r did something of activity @act in the report */
static bool ps_active(const struct ps_row *r, unsigned act)
{
	switch (act) {
	case ACT_CPU:
		return r->v[V_USR] || r->v[V_SYS];
	case ACT_MEM:
		return r->v[V_MINFLT] || r->v[V_MAJFLT] || r->memchg;
	case ACT_IO:
		return r->v[V_RD] || r->v[V_WR] || r->v[V_CCWR] || r->v[V_IODELAY];
	default:
		return r->v[V_CSW] || r->v[V_NVCSW];
	}
}

static bool ps_shows(const struct ps *p, const struct ps_row *r, unsigned act)
{
	if (p->has_re && regexec(&p->comm_re, r->comm, 0, NULL, 0))
		return false;
	return p->show != SHOW_ACTIVE || ps_active(r, act);
}

struct ps_view {
	bool whole;		/* the Average block */
	double secs;		/* the time the rows cover */
	u64 nreports;		/* whole: interval reports it adds up */
	const char *ts_hdr, *ts_row;
};

static double ps_pct(u64 ns, double secs)
{
	return secs > 0 ? (double)ns / 1e9 / secs * 100.0 : 0.0;
}

static double ps_rate(u64 n, double secs)
{
	return secs > 0 ? (double)n / secs : 0.0;
}

static void ps_values(struct ps *p, FILE *out, const struct ps_row *r, unsigned act,
		      const struct ps_view *v)
{
	double s = v->secs;
	double vsz = v->whole ? (r->nmem ? (double)r->vsz / r->nmem : 0) : (double)r->vsz;
	double rss = v->whole ? (r->nmem ? (double)r->rss / r->nmem : 0) : (double)r->rss;
	u64 usr = r->v[V_USR] > r->v[V_GUEST] ? r->v[V_USR] - r->v[V_GUEST] : 0;

	switch (act) {
	case ACT_CPU:
		fprintf(out, " %7.2f %7.2f %7.2f %7.2f %7.2f", ps_pct(usr, s),
			ps_pct(r->v[V_SYS], s), ps_pct(r->v[V_GUEST], s), ps_pct(r->v[V_WAIT], s),
			ps_pct(r->v[V_USR] + r->v[V_SYS], s));
		if (v->whole)
			fputs("     -", out);
		else
			fprintf(out, "   %3d", r->cpu);
		break;
	case ACT_MEM:
		fprintf(out, " %9.2f %9.2f", ps_rate(r->v[V_MINFLT], s), ps_rate(r->v[V_MAJFLT], s));
		if (v->whole)
			fprintf(out, " %7.0f %7.0f", vsz, rss);
		else
			fprintf(out, " %7llu %7llu", (unsigned long long)r->vsz,
				(unsigned long long)r->rss);
		fprintf(out, " %6.2f", p->memtotal ? rss / (double)p->memtotal * 100.0 : 0.0);
		break;
	case ACT_IO:
		fprintf(out, " %9.2f %9.2f %9.2f", ps_rate(r->v[V_RD], s) / 1024,
			ps_rate(r->v[V_WR], s) / 1024, ps_rate(r->v[V_CCWR], s) / 1024);
		if (v->whole)
			fprintf(out, " %7.0f", v->nreports ? (double)r->v[V_IODELAY] / v->nreports : 0);
		else
			fprintf(out, " %7llu", (unsigned long long)r->v[V_IODELAY]);
		break;
	default:
		fprintf(out, " %9.2f %9.2f", ps_rate(r->v[V_CSW], s), ps_rate(r->v[V_NVCSW], s));
		break;
	}
}

static const char *ps_columns(unsigned act)
{
	switch (act) {
	case ACT_CPU:
		return "    %usr %system  %guest   %wait    %CPU   CPU";
	case ACT_MEM:
		return "  minflt/s  majflt/s     VSZ     RSS   %MEM";
	case ACT_IO:
		return "   kB_rd/s   kB_wr/s kB_ccwr/s iodelay";
	default:
		return "   cswch/s nvcswch/s";
	}
}

/* ps_section - one activity's block: its header (when due) and its rows */
static void ps_section(struct ps *p, struct ps_row **rows, size_t nr, struct group *g,
		       unsigned act, const struct ps_view *v, bool hdr)
{
	const struct ps_opts *o = p->prof->opts;
	FILE *out = p->prof->out;
	struct ps_row *proc = NULL;

	if (hdr)
		fprintf(out, "\n%-11s   UID%s%s  Command\n", v->ts_hdr,
			o->threads ? "      TGID       TID" : "       PID", ps_columns(act));
	for (size_t i = 0; i < nr; i++) {
		struct ps_row *r = rows[i];
		const u64 *parts = group__parts(g, r);
		int pid = (int)parts[0], tid = (int)parts[1];

		if (!tid) {
			proc = r;
			r->shown = false;
		}
		if (!ps_shows(p, r, act))
			continue;
		fprintf(out, "%-11s %5u", v->ts_row, r->uid);
		if (!o->threads)
			fprintf(out, " %9d", pid);
		else if (!tid)
			fprintf(out, " %9d         -", pid);
		else if (proc && proc->shown)
			fprintf(out, "         - %9d", tid);
		else
			fprintf(out, " %9d %9d", pid, tid);
		ps_values(p, out, r, act, v);
		if (!tid) {
			fprintf(out, "  %s\n", r->comm);
			r->shown = true;
		} else if (proc && proc->shown) {
			fprintf(out, "  |__%s\n", r->comm);
		} else {
			fprintf(out, "  (%s)__%s\n", proc ? proc->comm : "?", r->comm);
			if (proc)
				proc->shown = true;
		}
	}
}

static void ps_json_row(struct ps *p, struct json *j, const struct ps_row *r, const u64 *parts,
			const struct ps_view *v)
{
	const struct ps_opts *o = p->prof->opts;
	double s = v->secs;
	double rss = v->whole ? (r->nmem ? (double)r->rss / r->nmem : 0) : (double)r->rss;
	u64 usr = r->v[V_USR] > r->v[V_GUEST] ? r->v[V_USR] - r->v[V_GUEST] : 0;

	json_obj_begin(j, NULL);
	json_uint(j, "uid", r->uid);
	json_int(j, "pid", (s64)parts[0]);
	if (o->threads)
		json_int(j, "tid", (s64)parts[1]);	/* 0: the process's row */
	json_str(j, "comm", r->comm);
	if (p->acts & ACT_CPU) {
		json_double(j, "usr", ps_pct(usr, s));
		json_double(j, "system", ps_pct(r->v[V_SYS], s));
		json_double(j, "guest", ps_pct(r->v[V_GUEST], s));
		json_double(j, "wait", ps_pct(r->v[V_WAIT], s));
		json_double(j, "cpu", ps_pct(r->v[V_USR] + r->v[V_SYS], s));
		if (!v->whole)
			json_int(j, "cpu_nr", r->cpu);
	}
	if (p->acts & ACT_MEM) {
		json_double(j, "minflt", ps_rate(r->v[V_MINFLT], s));
		json_double(j, "majflt", ps_rate(r->v[V_MAJFLT], s));
		json_uint(j, "minflt_n", r->v[V_MINFLT]);
		json_uint(j, "majflt_n", r->v[V_MAJFLT]);
		json_double(j, "vsz", v->whole ? (r->nmem ? (double)r->vsz / r->nmem : 0) :
						  (double)r->vsz);
		json_double(j, "rss", rss);
		json_double(j, "mem", p->memtotal ? rss / (double)p->memtotal * 100.0 : 0.0);
	}
	if (p->acts & ACT_IO) {
		json_double(j, "kb_rd", ps_rate(r->v[V_RD], s) / 1024);
		json_double(j, "kb_wr", ps_rate(r->v[V_WR], s) / 1024);
		json_double(j, "kb_ccwr", ps_rate(r->v[V_CCWR], s) / 1024);
		json_uint(j, "iodelay", r->v[V_IODELAY]);
	}
	if (p->acts & ACT_CSW) {
		json_double(j, "cswch", ps_rate(r->v[V_CSW], s));
		json_double(j, "nvcswch", ps_rate(r->v[V_NVCSW], s));
		json_uint(j, "cswch_n", r->v[V_CSW]);
		json_uint(j, "nvcswch_n", r->v[V_NVCSW]);
	}
	json_bool(j, "exited", r->gone);
	json_obj_end(j);
}

static void ps_json(struct ps *p, struct ps_row **rows, size_t nr, struct group *g,
		    const struct ps_view *v)
{
	struct json j;

	report__json_begin(&j, p->prof->out, v->whole ? "average" : "interval");
	json_double(&j, "interval", v->secs);
	json_arr_begin(&j, "tasks");
	for (size_t i = 0; i < nr; i++) {
		bool any = false;

		for (unsigned a = p->acts; a; a &= a - 1)
			any |= ps_shows(p, rows[i], a & -a);
		if (any)
			ps_json_row(p, &j, rows[i], group__parts(g, rows[i]), v);
	}
	json_arr_end(&j);
	json_end(&j);
}

static void ps_print(struct ps *p, struct group *g, const struct ps_view *v, bool hdr)
{
	size_t nr = 0;
	struct ps_row **rows = (struct ps_row **)group__sorted(g, NULL, NULL, &nr);

	if (p->prof->opt.json) {
		ps_json(p, rows, nr, g, v);
	} else {
		for (unsigned a = p->acts; a; a &= a - 1)
			ps_section(p, rows, nr, g, a & -a, v, hdr);
	}
	free(rows);
	fflush(p->prof->out);
}

static void ps_merge_row(void *dst, const void *src, void *ctx)
{
	struct ps_row *w = dst;
	const struct ps_row *r = src;

	(void)ctx;
	for (int i = 0; i < V_NR; i++)
		w->v[i] += r->v[i];
	w->memchg |= r->memchg;
	if (!r->gone || !w->nmem) {
		w->vsz += r->vsz;
		w->rss += r->rss;
		w->nmem++;
	}
	w->uid = r->uid;
	w->gone = r->gone;
	memcpy(w->comm, r->comm, sizeof(w->comm));
}

static void ps_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

static void ps_interval(struct prof *prof)
{
	struct ps *p = prof->priv;
	char t0[16], t1[16];
	struct ps_view v = { .ts_hdr = t0, .ts_row = t1 };
	bool hdr;

	ps_scan(p, false);
	ps_drain(p);
	ps_collect(p);
	ps_time(p->prev_wall, t0, sizeof(t0));
	ps_time(p->scan_wall, t1, sizeof(t1));
	v.secs = (double)(p->scan_ns - p->prev_ns) / 1e9;
	hdr = p->hdr_always || p->reports % PS_HDR_ROWS == 0;
	ps_print(p, p->iv, &v, hdr);
	group__merge(p->whole, p->iv, ps_merge_row, NULL);
	p->reports++;
	if (p->count && p->reports >= p->count)
		prof__stop(prof);
	else if (p->show == SHOW_LIST && !p->nlive)
		prof__stop(prof);	/* every process listed is gone */
}

static void ps_sigusr1(struct prof *prof)
{
	prof__print_stats(prof, prof__diag(prof));
}

static void ps_final(struct prof *prof)
{
	struct ps *p = prof->priv;
	struct ps_view v = { .whole = true, .ts_hdr = "Average:", .ts_row = "Average:" };
	FILE *diag = prof__diag(prof);

	if (p->reports) {
		v.secs = (double)(p->scan_ns - p->start_ns) / 1e9;
		v.nreports = p->reports;
		ps_print(p, p->whole, &v, p->hdr_always);
	}
	if (p->ts && tstats__lost(p->ts))
		fprintf(diag, "perf-prof pidstat: the kernel dropped exit records %llu times: "
			"tasks that exited then are short of their last CPU time and faults\n",
			(unsigned long long)tstats__lost(p->ts));
	if (p->ts_err)
		fprintf(diag, "perf-prof pidstat: reading the exit records failed (%s): tasks that "
			"exited after that are short of their last CPU time and faults\n",
			strerror(p->ts_err));
	if (p->vanished)
		fprintf(diag, "perf-prof pidstat: %llu tasks ended without an exit record: "
			"their last CPU time and faults are missing\n",
			(unsigned long long)p->vanished);
	if (p->lost)
		fprintf(diag, "perf-prof pidstat: %llu scheduler records lost: context switch "
			"counts are short by as many\n", (unsigned long long)p->lost);
	if (hashmap__drops(p->tasks))
		fprintf(diag, "perf-prof pidstat: %llu tasks over %u were not followed\n",
			(unsigned long long)hashmap__drops(p->tasks), PS_MAX_TASKS);
	if (p->untimed && prof->opt.verbose)
		fprintf(diag, "perf-prof pidstat: %llu exits of tasks not seen alive were left "
			"out\n", (unsigned long long)p->untimed);
}

/* ps_banner - sysstat's first line: system, release, host, date, machine, CPUs */
static void ps_banner(struct ps *p)
{
	struct utsname u;
	char date[32];
	time_t now = time(NULL);
	struct tm tm;

	if (p->prof->opt.json || uname(&u))
		return;
	localtime_r(&now, &tm);
	/* sysstat's date in the C locale: MM/DD/YY */
	snprintf(date, sizeof(date), "%02d/%02d/%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_year % 100);
	fprintf(p->prof->out, "%s %s (%s) \t%s \t_%s_\t(%ld CPU)\n", u.sysname, u.release,
		u.nodename, date, u.machine, sysconf(_SC_NPROCESSORS_CONF));
	/* out now: it says when the first sample was taken */
	fflush(p->prof->out);
}

static int ps_start(struct prof *prof, struct err *err)
{
	struct ps *p = prof->priv;
	int rc = tstats__open(&p->ts, 0);

	if (rc) {
		err_set(err, EXIT_FAIL, "cannot read the kernel's taskstats exit records: %s",
			strerror(-rc));
		err_hint(err, "pidstat needs root and a kernel with CONFIG_TASKSTATS "
			      "(genetlink family 'TASKSTATS')");
		return -1;
	}
	ps_scan(p, true);
	p->start_ns = p->scan_ns;
	if (p->show == SHOW_LIST && !hashmap__nr(p->tasks)) {
		err_set(err, EXIT_FAIL, "no process '%d'", p->pids[0]);
		err_hint(err, "'-p' takes the ids of running processes (ps -e), ALL or SELF");
		return -1;
	}
	ps_banner(p);
	return 0;
}

static void ps_deinit(struct prof *prof)
{
	struct ps *p = prof->priv;

	if (!p)
		return;
	tstats__close(p->ts);
	group__delete(p->iv);
	group__delete(p->whole);
	hashmap__free(p->tasks);
	if (p->has_re)
		regfree(&p->comm_re);
	free(p->pids);
	free(p);
	prof->priv = NULL;
}

#define PSOPT(f) offsetof(struct ps_opts, f)
static const struct opt ps_opts[] = {
	{ OPT_BOOL, 'u', NULL, PSOPT(cpu), NULL,
	  "CPU: %usr %system %guest %wait %CPU CPU (the default)", NULL, false },
	{ OPT_BOOL, 'r', NULL, PSOPT(mem), NULL,
	  "memory: minflt/s majflt/s VSZ RSS %MEM", NULL, false },
	{ OPT_BOOL, 'd', NULL, PSOPT(io), NULL,
	  "storage I/O: kB_rd/s kB_wr/s kB_ccwr/s iodelay", NULL, false },
	{ OPT_BOOL, 'w', NULL, PSOPT(csw), NULL,
	  "context switches: cswch/s nvcswch/s", NULL, false },
	{ OPT_BOOL, 't', NULL, PSOPT(threads), NULL,
	  "threads too: TGID TID columns, |__ before thread names", NULL, false },
	{ OPT_STRING, 'p', NULL, PSOPT(pids), "PID[,PID]|ALL|SELF",
	  "only these processes (always shown); ALL: every task, active or not", NULL, false },
	{ OPT_STRING, 'C', NULL, PSOPT(comm), "REGEX",
	  "only tasks whose command name matches REGEX (extended)", NULL, false },
	OPT_TABLE_END,
};

const struct profiler pidstat_profiler = {
	.name = "pidstat",
	.summary = "per-process CPU, faults, memory, I/O, context switches (sysstat's pidstat)",
	.synopsis = "perf-prof pidstat [-u] [-r] [-d] [-w] [-t] [-p PID[,PID]|ALL|SELF] "
		    "[-C REGEX] [--json] [INTERVAL [COUNT]]",
	.help =
		"sysstat's pidstat, column for column, without its blind spot: context\n"
		"switches are counted from sched_switch on every CPU, and a task that exits\n"
		"hands over its final CPU time, faults and I/O in the kernel's taskstats\n"
		"exit record, so a process that lived only inside an interval is reported\n"
		"with what it did. VSZ, RSS and live tasks' counters are read from /proc at\n"
		"each interval, as sysstat reads them. INTERVAL is in seconds (default 1,\n"
		"or -i MS); COUNT reports are printed, then the Average: block (also on\n"
		"Ctrl-C). -u (default) CPU, -r faults and memory, -d I/O, -w context\n"
		"switches, -t threads. Without -p, only tasks active in the interval are\n"
		"shown. --json: one object per interval, then the average.\n"
		"\nEXAMPLES\n"
		"    perf-prof pidstat 1 5\n"
		"    perf-prof pidstat -u -r -d -w -p 1234 2\n"
		"    perf-prof pidstat -t -C '^nginx' 1\n"
		"    perf-prof pidstat -w --json -q 1 10\n",
	.opts = ps_opts,
	.opts_size = sizeof(struct ps_opts),
	.common = COMMON_RING | COMMON_INTERVAL | COMMON_OUTPUT | COMMON_JSON,
	.max_args = 2,
	.pages = 512,	/* 2 MiB a CPU: switches of a busy machine while the reader waits for a CPU */
	.help_example = "[-u] [-r] [-d] [-w] [-t] [-p PID] [INTERVAL [COUNT]]",
	.prepare = ps_prepare,
	.init = ps_init,
	.start = ps_start,
	.sample = ps_sample,
	.interval = ps_interval,
	.final = ps_final,
	.deinit = ps_deinit,
	.lost = ps_lost,
	.sigusr1 = ps_sigusr1,
};
