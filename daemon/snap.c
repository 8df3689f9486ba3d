// SPDX-License-Identifier: GPL-2.0
/*
 * snap.c - the sampler thread and its snapshots. Every period it reads
 * /proc/stat, /proc/diskstats, /proc/interrupts, /proc/softirqs, each
 * process's stat and io, and the cgroup v2 tree into a new struct snap,
 * then publishes it as the current one (the previous current becomes the
 * previous). Until the second snapshot exists, the previous is a zero
 * snapshot dated at boot, so early rates are honest averages since boot.
 * Readers take references; the last reference frees.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap.h"

#define CG_MAX_DEPTH 3
#define CG_MAX 1024
#define PROC_MAX 65536

const char *const cpu_state_names[CPU_NR_STATES] = {
	"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice",
};

long snap_hz = 100;

/*
 * snap_grow - @arr (of *@cap elements of @size) doubled, from @first: the
 * new array (*@cap updated), or NULL when out of memory (@arr and *@cap
 * as they were). The daemon answers an error then; it never exits.
 */
static void *snap_grow(void *arr, int *cap, size_t size, int first)
{
	int ncap = *cap ? *cap * 2 : first;
	void *n = realloc(arr, (size_t)ncap * size);

	if (n)
		*cap = ncap;
	return n;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stop;
	u64 period_ns;
	struct snap *prev, *cur;
} sampler = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* -------------------------------------------------------------- reading */

/* read a small file into @buf (NUL-terminated); bytes read or -1 */
static ssize_t slurp_small(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = 0;
	return total;
}

/* a whole /proc file, malloc'ed and NUL-terminated; NULL on failure */
static char *slurp(const char *path, size_t max)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= max)
				goto fail;
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = 0;
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int count_cpu_columns(const char *header)
{
	int n = 0;

	for (const char *p = header; (p = strstr(p, "CPU")); p += 3)
		n++;
	return n;
}

/* ----------------------------------------------------------- /proc/stat */

static int snap_stat(struct snap *s)
{
	char *text = slurp("/proc/stat", 1 << 24), *p = text, *line;
	int cap = 0;

	if (!text)
		return -1;
	while ((line = next_line(&p))) {
		if (!strncmp(line, "cpu", 3)) {
			struct snap_cpu c = { .cpu = -1 };
			char *q = line + 3;

			if (isdigit((unsigned char)*q))
				c.cpu = (int)strtol(q, &q, 10);
			for (int i = 0; i < CPU_NR_STATES; i++)
				c.t[i] = strtoull(q, &q, 10);
			if (c.cpu < 0) {
				s->all = c;
				continue;
			}
			if (s->nr_cpu == cap) {
				struct snap_cpu *n = snap_grow(s->cpu, &cap, sizeof(*n), 8);

				if (!n)
					goto fail;
				s->cpu = n;
			}
			s->cpu[s->nr_cpu++] = c;
		} else if (!strncmp(line, "intr ", 5)) {
			s->intr = strtoull(line + 5, NULL, 10);
		} else if (!strncmp(line, "ctxt ", 5)) {
			s->ctxt = strtoull(line + 5, NULL, 10);
		} else if (!strncmp(line, "btime ", 6)) {
			s->btime = strtoull(line + 6, NULL, 10);
		} else if (!strncmp(line, "processes ", 10)) {
			s->forks = strtoull(line + 10, NULL, 10);
		} else if (!strncmp(line, "procs_running ", 14)) {
			s->running = strtoull(line + 14, NULL, 10);
		} else if (!strncmp(line, "procs_blocked ", 14)) {
			s->blocked = strtoull(line + 14, NULL, 10);
		} else if (!strncmp(line, "softirq ", 8)) {
			s->softirq = strtoull(line + 8, NULL, 10);
		}
	}
	free(text);
	return 0;
fail:
	free(text);
	return -1;
}

/* ------------------------------------------------------------ diskstats */

static int snap_disks(struct snap *s)
{
	char *text = slurp("/proc/diskstats", 1 << 24), *p = text, *line;
	int cap = 0;

	if (!text)
		return -1;
	while ((line = next_line(&p))) {
		struct snap_disk d = { 0 };
		char path[96], *q;
		unsigned int maj, min;
		int off = 0;

		if (sscanf(line, " %u %u %31s %n", &maj, &min, d.name, &off) < 3 || !off)
			continue;
		q = line + off;
		for (int i = 0; i < DISK_NR_FIELDS && *q; i++)
			d.v[i] = strtoull(q, &q, 10);
		/* sysfs spells a '/' in a device name as '!' (cciss/c0d0) */
		snprintf(path, sizeof(path), "/sys/block/%s", d.name);
		for (char *c = path + 11; *c; c++)
			if (*c == '/')
				*c = '!';
		d.whole = !access(path, F_OK);
		if (s->nr_disk == cap) {
			struct snap_disk *n = snap_grow(s->disk, &cap, sizeof(*n), 16);

			if (!n)
				goto fail;
			s->disk = n;
		}
		s->disk[s->nr_disk++] = d;
	}
	free(text);
	return 0;
fail:
	free(text);
	return -1;
}

/* ----------------------------------------------------------- interrupts */

static int snap_irqs(struct snap *s)
{
	char *text = slurp("/proc/interrupts", 1 << 24), *p = text, *line;
	int cap = 0;

	if (!text)
		return -1;
	line = next_line(&p);
	s->irq_cpus = line ? count_cpu_columns(line) : 0;
	while ((line = next_line(&p))) {
		struct snap_irq q = { 0 };
		char *colon = strchr(line, ':'), *c, *name = line;
		size_t nl;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		nl = strlen(name);
		if (nl >= sizeof(q.name))
			nl = sizeof(q.name) - 1;
		memcpy(q.name, name, nl);
		q.count = calloc((size_t)(s->irq_cpus ? s->irq_cpus : 1), sizeof(u64));
		if (!q.count)
			goto fail;
		c = colon + 1;
		for (int i = 0; i < s->irq_cpus; i++) {
			char *e;
			u64 v = strtoull(c, &e, 10);

			if (e == c)
				break;
			q.count[i] = v;
			q.total += v;
			c = e;
		}
		while (*c == ' ')
			c++;
		/* collapse the column padding of the description */
		for (size_t o = 0; *c && o < sizeof(q.desc) - 1; c++)
			if (*c != ' ' || (o && q.desc[o - 1] != ' '))
				q.desc[o++] = *c;
		if (s->nr_irq == cap) {
			struct snap_irq *n = snap_grow(s->irq, &cap, sizeof(*n), 32);

			if (!n) {
				free(q.count);
				goto fail;
			}
			s->irq = n;
		}
		s->irq[s->nr_irq++] = q;
	}
	free(text);
	return 0;
fail:
	free(text);
	return -1;
}

static int snap_softirqs(struct snap *s)
{
	char *text = slurp("/proc/softirqs", 1 << 20), *p = text, *line;
	int cap = 0;

	if (!text)
		return -1;
	line = next_line(&p);
	s->sirq_cpus = line ? count_cpu_columns(line) : 0;
	while ((line = next_line(&p))) {
		char *colon = strchr(line, ':'), *c, *name = line;
		u64 *row;

		if (!colon || !s->sirq_cpus)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		if (s->nr_sirq == cap) {
			void *n1, *n2;

			cap = cap ? cap * 2 : 16;
			n1 = realloc(s->sirq_name, (size_t)cap * sizeof(*s->sirq_name));
			if (n1)
				s->sirq_name = n1;
			n2 = realloc(s->sirq, (size_t)cap * (size_t)s->sirq_cpus * sizeof(u64));
			if (n2)
				s->sirq = n2;
			if (!n1 || !n2)
				goto fail;
		}
		snprintf(s->sirq_name[s->nr_sirq], sizeof(s->sirq_name[0]), "%s", name);
		row = s->sirq + (size_t)s->nr_sirq * (size_t)s->sirq_cpus;
		c = colon + 1;
		for (int i = 0; i < s->sirq_cpus; i++)
			row[i] = strtoull(c, &c, 10);
		s->nr_sirq++;
	}
	free(text);
	return 0;
fail:
	free(text);
	return -1;
}

/* ------------------------------------------------------------ processes */

static int proc_cmp(const void *a, const void *b)
{
	const struct snap_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

const struct snap_proc *snap__proc_find(const struct snap *s, int pid)
{
	struct snap_proc key = { .pid = pid };

	if (!s || !s->nr_proc)
		return NULL;
	return bsearch(&key, s->proc, (size_t)s->nr_proc, sizeof(key), proc_cmp);
}

const struct snap_disk *snap__disk_find(const struct snap *s, const char *name)
{
	for (int i = 0; s && i < s->nr_disk; i++)
		if (!strcmp(s->disk[i].name, name))
			return &s->disk[i];
	return NULL;
}

/* the fields of /proc/PID/stat after "(comm) " */
static int proc_parse_stat(struct snap_proc *p, char *buf)
{
	char *open = strchr(buf, '('), *close = strrchr(buf, ')'), *q;
	unsigned long long v[50];
	size_t cl;
	int n = 0;

	if (!open || !close || close < open || close[1] != ' ')
		return -1;
	cl = (size_t)(close - open - 1);
	if (cl >= sizeof(p->comm))
		cl = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, cl);
	p->comm[cl] = 0;
	p->state = close[2];
	q = close + 3;
	/* v[0] is field 4 (ppid) */
	while (n < 50 && *q) {
		char *e;

		v[n] = strtoull(q, &e, 10);
		if (e == q) {
			/* negative numbers (priority, nice) */
			long long sv = strtoll(q, &e, 10);

			if (e == q)
				break;
			v[n] = (unsigned long long)sv;
		}
		n++;
		q = e;
	}
	if (n < 21)
		return -1;
	p->ppid = (int)v[0];
	p->utime = v[10];
	p->stime = v[11];
	p->prio = (long)(long long)v[14];
	p->nice = (long)(long long)v[15];
	p->threads = (int)v[16];
	p->start = v[18];
	p->vsize = v[19];
	p->rss = v[20];
	p->blkio = n > 38 ? v[38] : 0;
	return 0;
}

static void proc_parse_io(struct snap_proc *p, int dirfd)
{
	char buf[1024], *r, *w;

	if (slurp_small(dirfd, "io", buf, sizeof(buf)) <= 0)
		return;
	r = strstr(buf, "\nread_bytes: ");
	w = strstr(buf, "\nwrite_bytes: ");
	if (!r || !w)
		return;
	p->rbytes = strtoull(r + 13, NULL, 10);
	p->wbytes = strtoull(w + 14, NULL, 10);
	p->io_ok = true;
}

static char *proc_cmdline(int dirfd, const struct snap_proc *p)
{
	char buf[4096];
	ssize_t n = slurp_small(dirfd, "cmdline", buf, sizeof(buf));

	/* kernel threads have no command line: ps shows "[comm]" */
	if (n <= 0) {
		snprintf(buf, sizeof(buf), "[%s]", p->comm);
		return strdup(buf);
	}
	while (n > 0 && !buf[n - 1])
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i] || buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
	buf[n] = 0;
	return strdup(buf);
}

static int snap_procs(struct snap *s, const struct snap *prev)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int cap = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) && s->nr_proc < PROC_MAX) {
		struct snap_proc p = { 0 };
		const struct snap_proc *old;
		struct stat st;
		char buf[1024];
		int pfd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		p.pid = atoi(de->d_name);
		pfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue;
		if (slurp_small(pfd, "stat", buf, sizeof(buf)) <= 0 || proc_parse_stat(&p, buf) ||
		    fstat(pfd, &st)) {
			close(pfd);
			continue;	/* it exited meanwhile */
		}
		p.uid = st.st_uid;
		proc_parse_io(&p, pfd);
		/* the command line of a process seen before is kept, not re-read */
		old = snap__proc_find(prev, p.pid);
		if (old && old->start == p.start && old->cmd)
			p.cmd = strdup(old->cmd);
		else
			p.cmd = proc_cmdline(pfd, &p);
		close(pfd);
		if (s->nr_proc == cap) {
			struct snap_proc *n = snap_grow(s->proc, &cap, sizeof(*n), 256);

			if (!n) {
				free(p.cmd);
				break;
			}
			s->proc = n;
		}
		s->proc[s->nr_proc++] = p;
	}
	closedir(d);
	qsort(s->proc, (size_t)s->nr_proc, sizeof(*s->proc), proc_cmp);
	return 0;
}

/* -------------------------------------------------------------- cgroups */

static s64 cg_read_num(int dirfd, const char *file)
{
	char buf[64];

	if (slurp_small(dirfd, file, buf, sizeof(buf)) <= 0 || !isdigit((unsigned char)buf[0]))
		return -1;
	return (s64)strtoull(buf, NULL, 10);
}

static void cg_read(struct snap_cg *c, int dirfd)
{
	char buf[8192], *p;

	c->tasks = cg_read_num(dirfd, "pids.current");
	c->mem = cg_read_num(dirfd, "memory.current");
	c->cpu_usec = -1;
	if (slurp_small(dirfd, "cpu.stat", buf, sizeof(buf)) > 0 &&
	    !strncmp(buf, "usage_usec ", 11))
		c->cpu_usec = (s64)strtoull(buf + 11, NULL, 10);
	if (slurp_small(dirfd, "io.stat", buf, sizeof(buf)) > 0) {
		for (p = buf; (p = strstr(p, "rbytes=")); p += 7)
			c->rbytes += strtoull(p + 7, NULL, 10);
		for (p = buf; (p = strstr(p, "wbytes=")); p += 7)
			c->wbytes += strtoull(p + 7, NULL, 10);
	}
	if (c->tasks < 0 && slurp_small(dirfd, "cgroup.procs", buf, sizeof(buf)) >= 0) {
		/* the root has no pids.current; a long list is counted as far as read */
		c->tasks = 0;
		for (p = buf; *p; p++)
			c->tasks += *p == '\n';
	}
}

static int cg_add(struct snap *s, int *cap, const char *path, int dirfd)
{
	struct snap_cg c = { 0 };

	if (s->nr_cg == *cap) {
		struct snap_cg *n = snap_grow(s->cg, cap, sizeof(*n), 32);

		if (!n)
			return -1;
		s->cg = n;
	}
	c.path = strdup(path);
	if (!c.path)
		return -1;
	cg_read(&c, dirfd);
	s->cg[s->nr_cg++] = c;
	return 0;
}

static void cg_walk(struct snap *s, int *cap, const char *path, int dirfd, int depth)
{
	DIR *d;
	struct dirent *de;
	int fd2;

	if (s->nr_cg >= CG_MAX || cg_add(s, cap, path, dirfd) || depth >= CG_MAX_DEPTH)
		return;
	fd2 = dup(dirfd);
	if (fd2 < 0)
		return;
	d = fdopendir(fd2);
	if (!d) {
		close(fd2);
		return;
	}
	while ((de = readdir(d)) && s->nr_cg < CG_MAX) {
		char sub[512];
		int cfd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cfd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cfd < 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", path, path[1] ? "/" : "", de->d_name);
		cg_walk(s, cap, sub, cfd, depth + 1);
		close(cfd);
	}
	closedir(d);
}

/*
 * Where cgroup v2 is: /sys/fs/cgroup on a unified system, often
 * /sys/fs/cgroup/unified on a hybrid one (no controllers there, but CPU
 * usage and tasks still are). Found once, from the mount table.
 */
static char cg_root[256];

static void cg_find_root(void)
{
	FILE *mt = setmntent("/proc/self/mounts", "r");
	struct mntent ent;
	char line[4096];

	cg_root[0] = 0;
	if (!mt)
		return;
	while (getmntent_r(mt, &ent, line, sizeof(line)))
		if (!strcmp(ent.mnt_type, "cgroup2")) {
			snprintf(cg_root, sizeof(cg_root), "%s", ent.mnt_dir);
			break;
		}
	endmntent(mt);
}

static void snap_cgroups(struct snap *s)
{
	int fd, cap = 0;

	s->cg2 = cg_root[0] != 0;
	if (!s->cg2)
		return;
	fd = open(cg_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	cg_walk(s, &cap, "/", fd, 0);
	close(fd);
}

/* ------------------------------------------------------------ snapshots */

static void snap_free(struct snap *s)
{
	if (!s)
		return;
	free(s->cpu);
	free(s->disk);
	for (int i = 0; i < s->nr_irq; i++)
		free(s->irq[i].count);
	free(s->irq);
	free(s->sirq_name);
	free(s->sirq);
	for (int i = 0; i < s->nr_proc; i++)
		free(s->proc[i].cmd);
	free(s->proc);
	for (int i = 0; i < s->nr_cg; i++)
		free(s->cg[i].path);
	free(s->cg);
	free(s);
}

static u64 uptime_ticks(void)
{
	struct timespec ts;

	/* /proc's process start times count from boot on CLOCK_BOOTTIME */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ((u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec) / (1000000000ULL / (u64)snap_hz);
}

static struct snap *snap_take(const struct snap *prev)
{
	struct snap *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	s->mono_ns = now_ns();
	clock_gettime(CLOCK_REALTIME, &s->wall);
	s->uptime_ticks = uptime_ticks();
	/* a source that cannot be read leaves its part empty, not the snapshot */
	if (snap_stat(s) | snap_disks(s) | snap_irqs(s) | snap_softirqs(s) | snap_procs(s, prev))
		dstat_inc(sample_errors);
	snap_cgroups(s);
	dstat_inc(samples);
	return s;
}

/* the counters as they were at boot: all zero, dated at boot */
static struct snap *snap_zero(void)
{
	struct snap *s = calloc(1, sizeof(*s));
	struct timespec ts;
	u64 boot_ns;

	if (!s)
		return NULL;
	s->refs = 1;
	s->zero = true;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	boot_ns = (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
	s->mono_ns = now_ns() > boot_ns ? now_ns() - boot_ns : 0;
	return s;
}

double snap__interval(const struct snap *prev, const struct snap *cur)
{
	u64 d = cur->mono_ns > prev->mono_ns ? cur->mono_ns - prev->mono_ns : 0;

	return d ? (double)d / 1e9 : 1e-9;
}

void snap__proc_rate(const struct snap *prev, const struct snap *cur, const struct snap_proc *p,
		     double *cpu, double *rd, double *wr, double *blkio)
{
	const struct snap_proc *o = snap__proc_find(prev, p->pid);
	double secs = snap__interval(prev, cur);
	u64 ut = p->utime + p->stime, r = p->rbytes, w = p->wbytes, b = p->blkio;

	if (o && o->start == p->start) {
		ut = ut >= o->utime + o->stime ? ut - o->utime - o->stime : 0;
		r = r >= o->rbytes ? r - o->rbytes : 0;
		w = w >= o->wbytes ? w - o->wbytes : 0;
		b = b >= o->blkio ? b - o->blkio : 0;
	} else if (cur->uptime_ticks > p->start) {
		/* started since @prev: its whole life is the interval */
		double age = (double)(cur->uptime_ticks - p->start) / (double)snap_hz;

		if (age < secs)
			secs = age > 1e-3 ? age : 1e-3;
	}
	*cpu = (double)ut / (double)snap_hz / secs;
	*rd = (double)r / secs;
	*wr = (double)w / secs;
	*blkio = (double)b / (double)snap_hz / secs;
}

void snap__put(struct snap *s)
{
	if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		snap_free(s);
}

void snap__get(struct snap **prev, struct snap **cur)
{
	pthread_mutex_lock(&sampler.lock);
	*prev = sampler.prev;
	*cur = sampler.cur;
	__atomic_add_fetch(&(*prev)->refs, 1, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&(*cur)->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&sampler.lock);
}

static void snap_publish(struct snap *s)
{
	struct snap *old;

	pthread_mutex_lock(&sampler.lock);
	old = sampler.prev;
	sampler.prev = sampler.cur;
	sampler.cur = s;
	pthread_mutex_unlock(&sampler.lock);
	snap__put(old);
}

static void timespec_add(struct timespec *t, u64 ns)
{
	ns += (u64)t->tv_nsec;
	t->tv_sec += (time_t)(ns / 1000000000ULL);
	t->tv_nsec = (long)(ns % 1000000000ULL);
}

static void *sampler_main(void *arg)
{
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	timespec_add(&next, sampler.period_ns);
	pthread_mutex_lock(&sampler.lock);
	while (!sampler.stop) {
		struct snap *s, *cur;
		struct timespec now;

		/* woken early (stop, or spuriously): the schedule stays */
		if (pthread_cond_timedwait(&sampler.wake, &sampler.lock, &next) != ETIMEDOUT)
			continue;
		cur = sampler.cur;
		__atomic_add_fetch(&cur->refs, 1, __ATOMIC_ACQ_REL);
		pthread_mutex_unlock(&sampler.lock);
		s = snap_take(cur);
		snap__put(cur);
		if (s)
			snap_publish(s);
		timespec_add(&next, sampler.period_ns);
		/* a late pass (a stalled machine) does not make a burst of them */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec + 1) {
			next = now;
			timespec_add(&next, sampler.period_ns);
		}
		pthread_mutex_lock(&sampler.lock);
	}
	pthread_mutex_unlock(&sampler.lock);
	return NULL;
}

int snap__sampler_start(u64 period_ms, struct err *err)
{
	pthread_condattr_t ca;
	int e;

	snap_hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	cg_find_root();
	sampler.period_ns = period_ms * 1000000ULL;
	sampler.prev = snap_zero();
	sampler.cur = sampler.prev ? snap_take(NULL) : NULL;
	if (!sampler.cur) {
		snap__put(sampler.prev);
		return err_set(err, EXIT_FAIL, "cannot take a first snapshot of /proc: %s",
			       strerror(errno ? errno : ENOMEM));
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sampler.wake, &ca);
	pthread_condattr_destroy(&ca);
	sampler.stop = false;
	e = pthread_create(&sampler.thread, NULL, sampler_main, NULL);
	if (e) {
		snap__put(sampler.prev);
		snap__put(sampler.cur);
		sampler.prev = sampler.cur = NULL;
		return err_set(err, EXIT_FAIL, "cannot start the sampler thread: %s", strerror(e));
	}
	sampler.running = true;
	return 0;
}

void snap__sampler_stop(void)
{
	if (!sampler.running)
		return;
	pthread_mutex_lock(&sampler.lock);
	sampler.stop = true;
	pthread_cond_signal(&sampler.wake);
	pthread_mutex_unlock(&sampler.lock);
	pthread_join(sampler.thread, NULL);
	pthread_cond_destroy(&sampler.wake);
	snap__put(sampler.prev);
	snap__put(sampler.cur);
	sampler.prev = sampler.cur = NULL;
	sampler.running = false;
}

u64 meminfo__kb(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ':')
			return strtoull(p + kl + 1, NULL, 10);
	return 0;
}
