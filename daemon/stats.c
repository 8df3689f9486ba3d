// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - rates and percentages derived from two snapshots (see stats.h).
 */
#include <pwd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "stats.h"

const char *const mp_col_names[MP_NR] = {
	"usr", "nice", "sys", "iowait", "irq", "soft", "steal", "guest", "gnice", "idle",
};

static u64 delta(u64 a, u64 b)
{
	return b > a ? b - a : 0;
}

void cpu__percent(const struct snap_cpu *a, const struct snap_cpu *b, double pct[MP_NR])
{
	static const struct snap_cpu zero;
	u64 d[CPU_NR_STATES], total = 0;

	if (!a)
		a = &zero;
	for (int i = 0; i < CPU_NR_STATES; i++)
		d[i] = delta(a->t[i], b->t[i]);
	/* the kernel counts guest time in user (and guest_nice in nice) too */
	d[CPU_USER] = d[CPU_USER] > d[CPU_GUEST] ? d[CPU_USER] - d[CPU_GUEST] : 0;
	d[CPU_NICE] = d[CPU_NICE] > d[CPU_GUEST_NICE] ? d[CPU_NICE] - d[CPU_GUEST_NICE] : 0;
	for (int i = 0; i < CPU_NR_STATES; i++)
		total += d[i];
	if (!total)
		total = 1;
	pct[MP_USR] = 100.0 * (double)d[CPU_USER] / (double)total;
	pct[MP_NICE] = 100.0 * (double)d[CPU_NICE] / (double)total;
	pct[MP_SYS] = 100.0 * (double)d[CPU_SYSTEM] / (double)total;
	pct[MP_IOWAIT] = 100.0 * (double)d[CPU_IOWAIT] / (double)total;
	pct[MP_IRQ] = 100.0 * (double)d[CPU_IRQ] / (double)total;
	pct[MP_SOFT] = 100.0 * (double)d[CPU_SOFTIRQ] / (double)total;
	pct[MP_STEAL] = 100.0 * (double)d[CPU_STEAL] / (double)total;
	pct[MP_GUEST] = 100.0 * (double)d[CPU_GUEST] / (double)total;
	pct[MP_GNICE] = 100.0 * (double)d[CPU_GUEST_NICE] / (double)total;
	pct[MP_IDLE] = 100.0 * (double)d[CPU_IDLE] / (double)total;
}

double counter__rate(u64 a, u64 b, double secs)
{
	return b > a ? (double)(b - a) / secs : 0;
}

const struct snap_irq *snap__irq_find(const struct snap *s, const char *name)
{
	for (int i = 0; i < s->nr_irq; i++)
		if (!strcmp(s->irq[i].name, name))
			return &s->irq[i];
	return NULL;
}

const struct snap_cg *snap__cg_find(const struct snap *s, const char *path)
{
	for (int i = 0; i < s->nr_cg; i++)
		if (!strcmp(s->cg[i].path, path))
			return &s->cg[i];
	return NULL;
}

const struct snap_cpu *snap__cpu(const struct snap *s, int cpu)
{
	for (int i = 0; i < s->nr_cpu; i++)
		if (s->cpu[i].cpu == cpu)
			return &s->cpu[i];
	return NULL;
}

void disk__rate(const struct snap_disk *a, const struct snap_disk *b, double secs,
		struct disk_rate *r)
{
	static const struct snap_disk zero;
	u64 d[DISK_NR_FIELDS];
	double ios, ms = secs * 1000.0;

	if (!a)
		a = &zero;
	for (int i = 0; i < DISK_NR_FIELDS; i++)
		d[i] = delta(a->v[i], b->v[i]);
	ios = (double)(d[DISK_RD_IOS] + d[DISK_WR_IOS]);
	r->rrqm = (double)d[DISK_RD_MERGES] / secs;
	r->wrqm = (double)d[DISK_WR_MERGES] / secs;
	r->r = (double)d[DISK_RD_IOS] / secs;
	r->w = (double)d[DISK_WR_IOS] / secs;
	/* diskstats sectors are 512 bytes whatever the device's */
	r->rkb = (double)d[DISK_RD_SECTORS] / 2.0 / secs;
	r->wkb = (double)d[DISK_WR_SECTORS] / 2.0 / secs;
	r->avgrq = ios ? (double)(d[DISK_RD_SECTORS] + d[DISK_WR_SECTORS]) / ios : 0;
	r->avgqu = (double)d[DISK_RQ_TICKS] / ms;
	r->await = ios ? (double)(d[DISK_RD_TICKS] + d[DISK_WR_TICKS]) / ios : 0;
	r->r_await = d[DISK_RD_IOS] ? (double)d[DISK_RD_TICKS] / (double)d[DISK_RD_IOS] : 0;
	r->w_await = d[DISK_WR_IOS] ? (double)d[DISK_WR_TICKS] / (double)d[DISK_WR_IOS] : 0;
	r->svctm = ios ? (double)d[DISK_IO_TICKS] / ios : 0;
	r->util = 100.0 * (double)d[DISK_IO_TICKS] / ms;
	if (r->util > 100.0)
		r->util = 100.0;
}

bool disk__shown(const struct snap_disk *d)
{
	return d->whole && d->v[DISK_RD_IOS] + d->v[DISK_WR_IOS] > 0;
}

long sys_page_size(void)
{
	static long ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
	return ps;
}

u64 mem_total_kb(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);

	return pages > 0 ? (u64)pages * (u64)sys_page_size() / 1024 : 1;
}

static int row_cmp(const void *x, const void *y, void *arg)
{
	const struct proc_row *a = x, *b = y;
	enum proc_sort sort = *(const enum proc_sort *)arg;
	double va = 0, vb = 0;

	switch (sort) {
	case SORT_CPU: va = a->cpu, vb = b->cpu; break;
	case SORT_MEM: va = a->mem, vb = b->mem; break;
	case SORT_IO: va = a->rd + a->wr, vb = b->rd + b->wr; break;
	case SORT_PID: break;
	}
	if (va != vb)
		return va < vb ? 1 : -1;
	return (a->p->pid > b->p->pid) - (a->p->pid < b->p->pid);
}

int procs__rows(const struct snap *prev, const struct snap *cur, enum proc_sort sort,
		struct proc_row **rowsp)
{
	struct proc_row *rows = calloc((size_t)cur->nr_proc + 1, sizeof(*rows));
	double total_kb = (double)mem_total_kb();

	if (!rows)
		return -1;
	for (int i = 0; i < cur->nr_proc; i++) {
		struct proc_row *r = &rows[i];
		double blkio;

		r->p = &cur->proc[i];
		snap__proc_rate(prev, cur, r->p, &r->cpu, &r->rd, &r->wr, &blkio);
		r->cpu *= 100.0;
		r->io = blkio * 100.0;
		r->mem = 100.0 * (double)r->p->rss * (double)sys_page_size() / 1024.0 / total_kb;
	}
	qsort_r(rows, (size_t)cur->nr_proc, sizeof(*rows), row_cmp, &sort);
	*rowsp = rows;
	return cur->nr_proc;
}

void snap__clock(const struct snap *s, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&s->wall.tv_sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

void sysstat__banner(FILE *out, const struct snap *cur)
{
	struct utsname u;
	struct tm tm;
	char date[32];

	uname(&u);
	localtime_r(&cur->wall.tv_sec, &tm);
	strftime(date, sizeof(date), "%m/%d/%Y", &tm);
	fprintf(out, "%s %s (%s) \t%s \t_%s_\t(%d CPU)\n\n", u.sysname, u.release, u.nodename, date,
		u.machine, cur->nr_cpu);
}

/* ---------------------------------------------------------------- users */

static struct {
	pthread_mutex_t lock;
	unsigned int uid[64];
	char name[64][32];
	int n;
} users = { .lock = PTHREAD_MUTEX_INITIALIZER };

const char *user__name(unsigned int uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	pthread_mutex_lock(&users.lock);
	for (int i = 0; i < users.n; i++) {
		if (users.uid[i] == uid) {
			snprintf(buf, len, "%s", users.name[i]);
			pthread_mutex_unlock(&users.lock);
			return buf;
		}
	}
	pthread_mutex_unlock(&users.lock);
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) || !res || strchr(res->pw_name, ' '))
		snprintf(buf, len, "%u", uid);
	else
		snprintf(buf, len, "%s", res->pw_name);
	pthread_mutex_lock(&users.lock);
	if (users.n < 64) {
		users.uid[users.n] = uid;
		snprintf(users.name[users.n], sizeof(users.name[0]), "%s", buf);
		users.n++;
	}
	pthread_mutex_unlock(&users.lock);
	return buf;
}
