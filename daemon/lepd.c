// SPDX-License-Identifier: GPL-2.0
/*
 * lepd.c - the text results of lepd's methods, in the layouts LEP's viewer
 * parses (Documentation/daemon.md lists them): old sysstat mpstat/iostat,
 * busybox free/df/dmesg, procps ps for top, Android procrank, iotop. Rates
 * come from the sampler's two latest snapshots; nothing here sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lepd.h"
#include "stats.h"

int lepd__hello(struct mcall *c, const struct method *m)
{
	fputs("Hello!", c->out);
	return 0;
}

int lepd__list(struct mcall *c, const struct method *m)
{
	for (size_t i = 0; i < nr_methods; i++)
		if (methods[i].flags & METHOD_LEPD)
			fprintf(c->out, "%s ", methods[i].name);
	return 0;
}

int lepd__proc(struct mcall *c, const struct method *m)
{
	int e = proc__read_into(m->arg, c->out, c->max);

	if (e == -EFBIG)
		return mcall__fail(c, MERR_TOO_LARGE, "'%s' is larger than %zu bytes", m->arg, c->max);
	if (e)
		return mcall__fail(c, MERR_FAIL, "cannot read '%s': %s", m->arg, strerror(-e));
	return 0;
}

/* ------------------------------------------------------------- snapshots */

struct pair {
	struct snap *prev, *cur;
};

static void pair_get(struct pair *p)
{
	snap__get(&p->prev, &p->cur);
}

static void pair_put(struct pair *p)
{
	snap__put(p->prev);
	snap__put(p->cur);
}

static void mp_row(FILE *out, const char *when, const char *cpu, const double pct[MP_NR])
{
	fprintf(out, "%-11s %4s", when, cpu);
	for (int i = 0; i < MP_NR; i++)
		fprintf(out, " %7.2f", pct[i]);
	fputc('\n', out);
}

static void mp_header(FILE *out, const char *when)
{
	fprintf(out, "%-11s %4s", when, "CPU");
	for (int i = 0; i < MP_NR; i++) {
		char col[16];

		snprintf(col, sizeof(col), "%%%s", mp_col_names[i]);
		fprintf(out, " %7s", col);
	}
	fputc('\n', out);
}

static void mp_block(FILE *out, const struct pair *p, const char *when)
{
	double pct[MP_NR];
	char cpu[16];

	mp_header(out, when);
	cpu__percent(p->prev->zero ? NULL : &p->prev->all, &p->cur->all, pct);
	mp_row(out, when, "all", pct);
	for (int i = 0; i < p->cur->nr_cpu; i++) {
		const struct snap_cpu *b = &p->cur->cpu[i];

		cpu__percent(p->prev->zero ? NULL : snap__cpu(p->prev, b->cpu), b, pct);
		snprintf(cpu, sizeof(cpu), "%d", b->cpu);
		mp_row(out, when, cpu, pct);
	}
	fputc('\n', out);
}

int lepd__mpstat(struct mcall *c, const struct method *m)
{
	struct pair p;
	char when[16];

	pair_get(&p);
	snap__clock(p.cur, when, sizeof(when));
	sysstat__banner(c->out, p.cur);
	mp_block(c->out, &p, when);
	/* one interval: its average is itself */
	mp_block(c->out, &p, "Average:");
	pair_put(&p);
	return 0;
}

static void mpi_blocks(FILE *out, const struct pair *p, const char *when)
{
	const struct snap *a = p->prev, *b = p->cur;
	double secs = snap__interval(a, b);
	char col[24];

	/* intr/s: the sum of all interrupts (first number of /proc/stat's intr) */
	fprintf(out, "%-11s %4s %9s\n", when, "CPU", "intr/s");
	fprintf(out, "%-11s %4s %9.2f\n\n", when, "all", counter__rate(a->intr, b->intr, secs));

	/* every interrupt line, per CPU */
	fprintf(out, "%-11s %4s", when, "CPU");
	for (int i = 0; i < b->nr_irq; i++) {
		snprintf(col, sizeof(col), "%s/s", b->irq[i].name);
		fprintf(out, " %9s", col);
	}
	fputc('\n', out);
	for (int cpu = 0; cpu < b->irq_cpus; cpu++) {
		fprintf(out, "%-11s %4d", when, cpu);
		for (int i = 0; i < b->nr_irq; i++) {
			const struct snap_irq *o = snap__irq_find(a, b->irq[i].name);

			fprintf(out, " %9.2f",
				counter__rate(o && cpu < a->irq_cpus ? o->count[cpu] : 0, b->irq[i].count[cpu], secs));
		}
		fputc('\n', out);
	}
	fputc('\n', out);

	/* softirqs per CPU: the block LEP's viewer reads */
	fprintf(out, "%-11s %4s", when, "CPU");
	for (int i = 0; i < b->nr_sirq; i++) {
		snprintf(col, sizeof(col), "%s/s", b->sirq_name[i]);
		fprintf(out, " %9s", col);
	}
	fputc('\n', out);
	for (int cpu = 0; cpu < b->sirq_cpus; cpu++) {
		fprintf(out, "%-11s %4d", when, cpu);
		for (int i = 0; i < b->nr_sirq; i++) {
			u64 old = 0, now = b->sirq[(size_t)i * (size_t)b->sirq_cpus + (size_t)cpu];

			if (i < a->nr_sirq && cpu < a->sirq_cpus && !strcmp(a->sirq_name[i], b->sirq_name[i]))
				old = a->sirq[(size_t)i * (size_t)a->sirq_cpus + (size_t)cpu];
			fprintf(out, " %9.2f", counter__rate(old, now, secs));
		}
		fputc('\n', out);
	}
	fputc('\n', out);
}

int lepd__mpstat_irq(struct mcall *c, const struct method *m)
{
	struct pair p;
	char when[16];

	pair_get(&p);
	snap__clock(p.cur, when, sizeof(when));
	sysstat__banner(c->out, p.cur);
	mpi_blocks(c->out, &p, when);
	mpi_blocks(c->out, &p, "Average:");
	pair_put(&p);
	return 0;
}

int lepd__irqinfo(struct mcall *c, const struct method *m)
{
	struct pair p;
	double secs;

	pair_get(&p);
	secs = snap__interval(p.prev, p.cur);
	fprintf(c->out, "irq:%.0f/s softirq:%.0f/s \n", counter__rate(p.prev->intr, p.cur->intr, secs),
		counter__rate(p.prev->softirq, p.cur->softirq, secs));
	pair_put(&p);
	return 0;
}

int lepd__iostat(struct mcall *c, const struct method *m)
{
	struct pair p;
	double secs;

	pair_get(&p);
	secs = snap__interval(p.prev, p.cur);
	sysstat__banner(c->out, p.cur);
	/* old sysstat's header, colon included: LEP's viewer looks for "Device:" */
	fprintf(c->out, "%-13s %8s %8s %7s %7s %8s %8s %8s %8s %7s %7s %7s %6s %6s\n", "Device:",
		"rrqm/s", "wrqm/s", "r/s", "w/s", "rkB/s", "wkB/s", "avgrq-sz", "avgqu-sz", "await",
		"r_await", "w_await", "svctm", "%util");
	for (int i = 0; i < p.cur->nr_disk; i++) {
		const struct snap_disk *d = &p.cur->disk[i];
		struct disk_rate r;

		if (!disk__shown(d))
			continue;
		disk__rate(snap__disk_find(p.prev, d->name), d, secs, &r);
		fprintf(c->out,
			"%-13s %8.2f %8.2f %7.2f %7.2f %8.2f %8.2f %8.2f %8.2f %7.2f %7.2f %7.2f %6.2f %6.2f\n",
			d->name, r.rrqm, r.wrqm, r.r, r.w, r.rkb, r.wkb, r.avgrq, r.avgqu, r.await,
			r.r_await, r.w_await, r.svctm, r.util);
	}
	fputc('\n', c->out);
	pair_put(&p);
	return 0;
}

/* ps's TIME: [DD-]HH:MM:SS of CPU time */
static void ps_time(u64 ticks, char *buf, size_t len)
{
	u64 s = ticks / (u64)snap_hz;

	if (s >= 86400)
		snprintf(buf, len, "%llu-%02llu:%02llu:%02llu", (unsigned long long)(s / 86400),
			 (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60),
			 (unsigned long long)(s % 60));
	else
		snprintf(buf, len, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

int lepd__top(struct mcall *c, const struct method *m)
{
	struct proc_row *rows;
	struct pair p;
	int n;

	pair_get(&p);
	n = procs__rows(p.prev, p.cur, SORT_CPU, &rows);
	if (n < 0) {
		pair_put(&p);
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	fprintf(c->out, "%7s %-8s %3s %3s %8s %7s %s %5s %4s %10s %s\n", "PID", "USER", "PRI", "NI",
		"VSZ", "RSS", "S", "%CPU", "%MEM", "TIME", "CMD");
	for (int i = 0; i < n; i++) {
		const struct snap_proc *q = rows[i].p;
		char user[32], t[32];

		user__name(q->uid, user, sizeof(user));
		ps_time(q->utime + q->stime, t, sizeof(t));
		/* ps's pri: 39 - the kernel's priority (19 for nice 0) */
		fprintf(c->out, "%7d %-8.8s %3ld %3ld %8llu %7llu %c %5.1f %4.1f %10s %s\n", q->pid, user,
			39 - q->prio, q->nice, (unsigned long long)(q->vsize / 1024),
			(unsigned long long)(q->rss * (u64)sys_page_size() / 1024), q->state, rows[i].cpu,
			rows[i].mem, t, q->cmd ? q->cmd : q->comm);
	}
	free(rows);
	pair_put(&p);
	return 0;
}

/* iotop's rate: 2 decimals, B/s K/s M/s G/s */
static void iotop_rate(double v, char *buf, size_t len)
{
	static const char *const unit[] = { "B/s", "K/s", "M/s", "G/s" };
	int u = 0;

	while (v >= 1024.0 && u < 3) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%7.2f %s", v, unit[u]);
}

/* "be/4": the I/O priority class and level of @pid (ioprio_get) */
static void io_prio(const struct snap_proc *q, char *buf, size_t len)
{
	static const char *const cls[] = { "be", "rt", "be", "idle" };
	long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, q->pid);
	long c = v >= 0 ? v >> 13 : -1, l = v >= 0 ? v & 0xff : 0;

	if (c < 0 || c > 3) {
		snprintf(buf, len, "?");
		return;
	}
	/* no class set: best effort at the level the nice value gives */
	if (c == 0)
		l = (q->nice + 20) / 5;
	snprintf(buf, len, "%s/%ld", cls[c], l);
}

int lepd__iotop(struct mcall *c, const struct method *m)
{
	struct proc_row *rows;
	double trd = 0, twr = 0;
	char a[32], b[32];
	struct pair p;
	int n;

	pair_get(&p);
	n = procs__rows(p.prev, p.cur, SORT_IO, &rows);
	if (n < 0) {
		pair_put(&p);
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	for (int i = 0; i < n; i++)
		trd += rows[i].rd, twr += rows[i].wr;
	iotop_rate(trd, a, sizeof(a));
	iotop_rate(twr, b, sizeof(b));
	fprintf(c->out, "Total DISK READ: %s | Total DISK WRITE: %s\n", a, b);
	fprintf(c->out, "%7s %6s %-8s %11s %11s %7s %7s %s\n", "TID", "PRIO", "USER", "DISK READ",
		"DISK WRITE", "SWAPIN", "IO", "COMMAND");
	for (int i = 0; i < n; i++) {
		const struct snap_proc *q = rows[i].p;
		char user[32], prio[32];

		if (!q->io_ok)
			continue;
		user__name(q->uid, user, sizeof(user));
		io_prio(q, prio, sizeof(prio));
		iotop_rate(rows[i].rd, a, sizeof(a));
		iotop_rate(rows[i].wr, b, sizeof(b));
		/* SWAPIN: /proc has no per-task swap-in delay; always 0 (documented) */
		fprintf(c->out, "%7d %6s %-8.8s %11s %11s %5.2f %% %5.2f %% %s\n", q->pid, prio, user, a,
			b, 0.0, rows[i].io > 100.0 ? 100.0 : rows[i].io, q->cmd ? q->cmd : q->comm);
	}
	free(rows);
	pair_put(&p);
	return 0;
}

int lepd__cgtop(struct mcall *c, const struct method *m)
{
	struct pair p;
	double secs;

	pair_get(&p);
	if (!p.cur->cg2) {
		pair_put(&p);
		return mcall__fail(c, MERR_FAIL, "no cgroup v2 hierarchy is mounted");
	}
	secs = snap__interval(p.prev, p.cur);
	fprintf(c->out, "%-48s %6s %7s %10s %10s %10s\n", "Control Group", "Tasks", "%CPU", "Memory",
		"Input/s", "Output/s");
	for (int i = 0; i < p.cur->nr_cg; i++) {
		const struct snap_cg *g = &p.cur->cg[i], *o = NULL;
		char mem[32] = "-", in[32], outb[32], cpu[16] = "-", tasks[24] = "-";

		o = snap__cg_find(p.prev, g->path);
		if (g->cpu_usec >= 0)
			snprintf(cpu, sizeof(cpu), "%.1f",
				 counter__rate(o && o->cpu_usec >= 0 ? (u64)o->cpu_usec : 0, (u64)g->cpu_usec, secs) /
					 1e4);
		if (g->mem >= 0)
			human_size((u64)g->mem, mem, sizeof(mem));
		if (g->tasks >= 0)
			snprintf(tasks, sizeof(tasks), "%lld", (long long)g->tasks);
		human_size((u64)counter__rate(o ? o->rbytes : 0, g->rbytes, secs), in, sizeof(in));
		human_size((u64)counter__rate(o ? o->wbytes : 0, g->wbytes, secs), outb, sizeof(outb));
		fprintf(c->out, "%-48s %6s %7s %10s %10s %10s\n", g->path, tasks, cpu, mem, in, outb);
	}
	pair_put(&p);
	return 0;
}

/* ---------------------------------------------------------- /proc direct */

void human_size(u64 bytes, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
		return;
	}
	while (v >= 1024.0 && u < 5) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, unit[u]);
}

static char *meminfo_text(struct mcall *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = mstream__open(&buf, &len);

	if (!f)
		return NULL;
	if (proc__read_into("/proc/meminfo", f, 1 << 20)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

int lepd__free(struct mcall *c, const struct method *m)
{
	char *mi = meminfo_text(c);
	u64 total, fr, shared, buffers, cached, st, sf;

	if (!mi)
		return mcall__fail(c, MERR_FAIL, "cannot read '/proc/meminfo': %s", strerror(errno));
	total = meminfo__kb(mi, "MemTotal");
	fr = meminfo__kb(mi, "MemFree");
	shared = meminfo__kb(mi, "Shmem");
	buffers = meminfo__kb(mi, "Buffers");
	cached = meminfo__kb(mi, "Cached");
	st = meminfo__kb(mi, "SwapTotal");
	sf = meminfo__kb(mi, "SwapFree");
	free(mi);
	/* busybox's layout, in KiB */
	fprintf(c->out, "%6s%13s%13s%13s%13s%13s%13s\n", "", "total", "used", "free", "shared",
		"buffers", "cached");
	fprintf(c->out, "%-6s%13llu%13llu%13llu%13llu%13llu%13llu\n", "Mem:",
		(unsigned long long)total, (unsigned long long)(total - fr), (unsigned long long)fr,
		(unsigned long long)shared, (unsigned long long)buffers, (unsigned long long)cached);
	fprintf(c->out, "-/+ buffers/cache:%13llu%13llu\n",
		(unsigned long long)(total - fr - buffers - cached),
		(unsigned long long)(fr + buffers + cached));
	fprintf(c->out, "%-6s%13llu%13llu%13llu\n", "Swap:", (unsigned long long)st,
		(unsigned long long)(st - sf), (unsigned long long)sf);
	return 0;
}

int lepd__cpuinfo(struct mcall *c, const struct method *m)
{
	char *buf = NULL, *p, vendor[128] = "";
	size_t len = 0;
	FILE *f = mstream__open(&buf, &len);
	int n = 0;

	if (!f)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	if (proc__read_into("/proc/cpuinfo", f, 1 << 24)) {
		fclose(f);
		free(buf);
		return mcall__fail(c, MERR_FAIL, "cannot read '/proc/cpuinfo': %s", strerror(errno));
	}
	fclose(f);
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, "processor", 9))
			n++;
		else if (!vendor[0] && (!strncmp(p, "vendor_id", 9) || !strncmp(p, "CPU implementer", 15)))
			sscanf(strchr(p, ':') ? strchr(p, ':') + 1 : p, " %127[^\n]", vendor);
	}
	free(buf);
	fprintf(c->out, "cpunr: %d\ncpu_name: %s\n", n, vendor[0] ? vendor : "unknown");
	return 0;
}

int lepd__dmesg(struct mcall *c, const struct method *m)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	char *buf;

	if (size <= 0)
		return mcall__fail(c, MERR_FAIL, "cannot read the kernel log: %s", strerror(errno));
	buf = malloc((size_t)size);
	if (!buf)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		int e = errno;

		free(buf);
		return mcall__fail(c, MERR_FAIL, "cannot read the kernel log: %s", strerror(e));
	}
	fwrite(buf, 1, (size_t)n, c->out);
	free(buf);
	return 0;
}

int lepd__df(struct mcall *c, const struct method *m)
{
	FILE *mt = setmntent("/proc/self/mounts", "r");
	struct mntent ent;
	char line[4096];

	if (!mt)
		return mcall__fail(c, MERR_FAIL, "cannot read '/proc/self/mounts': %s", strerror(errno));
	fprintf(c->out, "%-20s %9s %9s %9s %4s %s\n", "Filesystem", "Size", "Used", "Available",
		"Use%", "Mounted on");
	while (getmntent_r(mt, &ent, line, sizeof(line))) {
		struct statvfs sv;
		u64 size, avail, used;
		char a[32], b[32], d[32];

		/* busybox shows what has blocks: not proc, sysfs, cgroup... */
		if (statvfs(ent.mnt_dir, &sv) || !sv.f_blocks)
			continue;
		size = (u64)sv.f_blocks * sv.f_frsize;
		avail = (u64)sv.f_bavail * sv.f_frsize;
		used = size - (u64)sv.f_bfree * sv.f_frsize;
		human_size(size, a, sizeof(a));
		human_size(used, b, sizeof(b));
		human_size(avail, d, sizeof(d));
		/* no wrapping of long names: LEP reads the numbers from the same line */
		fprintf(c->out, "%-20s %9s %9s %9s %3.0f%% %s\n", ent.mnt_fsname, a, b, d,
			used + avail ? 100.0 * (double)used / (double)(used + avail) + 0.4999 : 0.0,
			ent.mnt_dir);
	}
	endmntent(mt);
	return 0;
}

/* ------------------------------------------------------------- procrank */

static int procrank__read(int pid, u64 *rss, u64 *pss, u64 *uss)
{
	char path[64], buf[2048], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;	/* kernel threads have no memory map */
	buf[n] = 0;
	*rss = *pss = *uss = 0;
	if ((p = strstr(buf, "\nRss:")))
		*rss = strtoull(p + 5, NULL, 10);
	if ((p = strstr(buf, "\nPss:")))
		*pss = strtoull(p + 5, NULL, 10);
	if ((p = strstr(buf, "\nPrivate_Clean:")))
		*uss += strtoull(p + 15, NULL, 10);
	if ((p = strstr(buf, "\nPrivate_Dirty:")))
		*uss += strtoull(p + 15, NULL, 10);
	return 0;
}

static int pr_cmp(const void *x, const void *y)
{
	const struct procrank_row *a = x, *b = y;

	if (a->pss != b->pss)
		return a->pss < b->pss ? 1 : -1;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

int procrank__rows(struct procrank_row **rowsp)
{
	struct snap *prev, *cur;
	struct procrank_row *rows;
	int n = 0;

	snap__get(&prev, &cur);
	rows = calloc((size_t)cur->nr_proc + 1, sizeof(*rows));
	if (!rows) {
		snap__put(prev);
		snap__put(cur);
		return -1;
	}
	for (int i = 0; i < cur->nr_proc; i++) {
		const struct snap_proc *q = &cur->proc[i];
		struct procrank_row *r = &rows[n];

		if (procrank__read(q->pid, &r->rss, &r->pss, &r->uss))
			continue;
		r->pid = q->pid;
		r->vss = q->vsize / 1024;
		snprintf(r->cmd, sizeof(r->cmd), "%s", q->cmd ? q->cmd : q->comm);
		n++;
	}
	snap__put(prev);
	snap__put(cur);
	qsort(rows, (size_t)n, sizeof(*rows), pr_cmp);
	*rowsp = rows;
	return n;
}

int lepd__procrank(struct mcall *c, const struct method *m)
{
	struct procrank_row *rows;
	u64 tpss = 0, tuss = 0;
	char *mi;
	int n = procrank__rows(&rows);

	if (n < 0)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	fprintf(c->out, "%5s %8s %8s %8s %8s  %s\n", "PID", "Vss", "Rss", "Pss", "Uss", "cmdline");
	for (int i = 0; i < n; i++) {
		fprintf(c->out, "%5d %7lluK %7lluK %7lluK %7lluK  %s\n", rows[i].pid,
			(unsigned long long)rows[i].vss, (unsigned long long)rows[i].rss,
			(unsigned long long)rows[i].pss, (unsigned long long)rows[i].uss, rows[i].cmd);
		tpss += rows[i].pss;
		tuss += rows[i].uss;
	}
	free(rows);
	fprintf(c->out, "%5s %8s %8s %8s %8s  %s\n", "", "", "", "------", "------", "------");
	fprintf(c->out, "%5s %8s %8s %7lluK %7lluK  %s\n\n", "", "", "", (unsigned long long)tpss,
		(unsigned long long)tuss, "TOTAL");
	mi = meminfo_text(c);
	if (!mi)
		return mcall__fail(c, MERR_FAIL, "cannot read '/proc/meminfo': %s", strerror(errno));
	fprintf(c->out, "RAM: %lluK total, %lluK free, %lluK buffers, %lluK cached, %lluK shmem, "
			"%lluK slab\n",
		(unsigned long long)meminfo__kb(mi, "MemTotal"),
		(unsigned long long)meminfo__kb(mi, "MemFree"),
		(unsigned long long)meminfo__kb(mi, "Buffers"),
		(unsigned long long)meminfo__kb(mi, "Cached"),
		(unsigned long long)meminfo__kb(mi, "Shmem"), (unsigned long long)meminfo__kb(mi, "Slab"));
	free(mi);
	return 0;
}
