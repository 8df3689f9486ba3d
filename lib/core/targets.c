// SPDX-License-Identifier: GPL-2.0
/*
 * targets.c - where a run's events come from: every CPU, the CPUs of -C,
 * the threads of -p/-t, or a workload started after "--" (held until the
 * events are on). Also how the run learns that its targets are gone:
 * pidfds for processes and the workload, /proc polling for threads.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <perf/cpumap.h>
#include <perf/threadmap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run-internal.h"

/* a CPU number is an int: a bigger one is a typo, not a CPU */
#define CPU_LIST_MAX INT_MAX

/* parse_cpu_list - strict "0", "0-3", "0,2-3"; sets bits in @set (CPUs < @max) */
int parse_cpu_list(const char *list, bool *set, int max, int *beyond, struct err *err)
{
	const char *p = list;

	*beyond = -1;
	if (!*p)
		goto bad;
	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0 || a > CPU_LIST_MAX || !isdigit((unsigned char)*p))
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || b > CPU_LIST_MAX || !isdigit((unsigned char)p[1]))
				goto bad;
			p = end;
		}
		/* CPUs past @max: only the first is named (a huge range is no loop) */
		for (long c = a; c <= b && c < max; c++)
			set[c] = true;
		if (b >= max && *beyond < 0)
			*beyond = (int)(a > max ? a : max);
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

static int run__cpus(struct run *r, struct err *err)
{
	struct perf_cpu_map *online = perf_cpu_map__new(NULL);
	const char *want = r->prof.opt.cpus;
	char *buf, *p, online_s[64];
	int max, n = 0, beyond;
	bool *set;

	if (!online)
		return err_set(err, EXIT_FAIL, "cannot read the online CPUs");
	if (!want) {
		r->cpus = online;
		return 0;
	}
	max = perf_cpu_map__max(online).cpu + 1;
	set = xzalloc((size_t)max + 1);
	if (parse_cpu_list(want, set, max, &beyond, err))
		goto fail;
	buf = p = xzalloc((size_t)max * 12 + 1);
	for (int i = 0; i < perf_cpu_map__nr(online); i++) {
		int c = perf_cpu_map__cpu(online, i).cpu;

		if (c < max && set[c]) {
			p += sprintf(p, "%s%d", n ? "," : "", c);
			set[c] = false;
			n++;
		}
	}
	/* what is left in @set was asked for and is not online */
	for (int c = 0; c < max && beyond < 0; c++)
		if (set[c])
			beyond = c;
	snprintf(online_s, sizeof(online_s), "%d-%d", perf_cpu_map__cpu(online, 0).cpu, max - 1);
	if (beyond >= 0) {
		err_set(err, EXIT_USAGE, "CPU %d of '-C %s' is not online", beyond, want);
		err_hint(err, "the online CPUs are %s (see /sys/devices/system/cpu/online)",
			 online_s);
		free(buf);
		goto fail;
	}
	free(set);
	r->cpus = perf_cpu_map__new(buf);
	free(buf);
	perf_cpu_map__put(online);
	if (!r->cpus)
		return err_set(err, EXIT_FAIL, "cannot build the CPU map");
	return 0;
fail:
	free(set);
	perf_cpu_map__put(online);
	return -1;
}

static void add_tid(pid_t **v, int *n, pid_t tid)
{
	for (int i = 0; i < *n; i++)
		if ((*v)[i] == tid)
			return;
	*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
	(*v)[(*n)++] = tid;
}

/* parse_pid_list - "123", "123,456": each must be a positive integer */
int parse_pid_list(const char *list, const char *opt, pid_t **out, int *n, struct err *err)
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
	if (!r && !*n)
		r = err_set(err, EXIT_USAGE, "empty %s list", opt);
	return r;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int run__threads(struct run *r, pid_t **tids, int *nr, struct err *err)
{
	struct prof_common *o = &r->prof.opt;
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
			int fd;

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
			fd = pidfd_open(ids[i]);
			if (fd >= 0) {
				r->pidfds = xrealloc(r->pidfds, (size_t)(r->nr_pidfds + 1) * sizeof(int));
				r->pidfds[r->nr_pidfds++] = fd;
			} else {	/* no pidfds (old kernel, valgrind): poll /proc */
				add_tid(&r->watch_tids, &r->nr_watch_tids, ids[i]);
			}
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
			add_tid(&r->watch_tids, &r->nr_watch_tids, ids[i]);
		}
		free(ids);
	}
	return 0;
}

bool run__tids_gone(struct run *r)
{
	u64 now = now_ns();
	char path[64];

	if (!r->nr_watch_tids || now - r->last_watch < FLUSH_PERIOD_MS * 1000000ULL)
		return false;
	r->last_watch = now;
	/* with -p, only once every pidfd'ed process is gone too */
	if (r->pidfds_left)
		return false;
	for (int i = 0; i < r->nr_watch_tids; i++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", r->watch_tids[i]);
		if (!access(path, F_OK))
			return false;
	}
	return true;
}

int run__targets(struct run *r, struct err *err)
{
	struct prof_common *o = &r->prof.opt;
	pid_t *tids = NULL;
	int nr = 0, ret;

	r->task_mode = o->pids || o->tids || o->workload;
	if (r->task_mode && o->cpus) {
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
	if (run__cpus(r, err))
		return -1;
	if (!r->task_mode) {
		/*
		 * every task alive now is named before it can exit unseen; a
		 * run without events (pstack) names nothing from its records
		 */
		if (r->evs.n)
			tasks__seed_proc(r->env.tasks);
		r->threads = perf_thread_map__new_dummy();
		return r->threads ? 0 : err_set(err, EXIT_FAIL, "out of memory");
	}
	if (o->workload) {
		sigset_t now;

		if (!r->has_child_mask)
			sigprocmask(SIG_SETMASK, NULL, &now);
		if (workload__prepare(&r->wl, o->workload, r->has_child_mask ? &r->child_mask : &now,
				      err))
			return -1;
		r->has_workload = true;
		/* its exit ends the run: a pidfd says when, without SIGCHLD */
		r->wl_pidfd = pidfd_open(r->wl.pid);
		/*
		 * the name exec will give it, in case its COMM record never
		 * comes (an overwrite ring): the file name, 15 bytes at most
		 */
		{
			const char *base = strrchr(o->workload[0], '/');
			char comm[16];

			snprintf(comm, sizeof(comm), "%s", base ? base + 1 : o->workload[0]);
			tasks__set_comm(r->env.tasks, r->wl.pid, comm);
		}
		add_tid(&tids, &nr, r->wl.pid);
	} else if (run__threads(r, &tids, &nr, err)) {
		return -1;
	}
	/* name the targets now: one that exits before a report keeps its name */
	for (int i = 0; i < nr && !o->workload; i++)
		tasks__comm(r->env.tasks, tids[i]);
	if (r->prof.ops->cpu_wide) {
		/* events on every CPU; the profiler keeps the targets' samples */
		r->cpu_wide = true;
		r->target_tids = tids;
		r->nr_target_tids = nr;
		r->threads = perf_thread_map__new_dummy();
	} else {
		r->threads = perf_thread_map__new_array(nr, tids);
		/* kept for prof__targets(): a profiler counting in the kernel filters on them */
		r->target_tids = tids;
		r->nr_target_tids = nr;
	}
	ret = r->threads ? 0 : err_set(err, EXIT_FAIL, "out of memory");
	r->pidfds_left = r->nr_pidfds;
	return ret;
}

void run__targets_free(struct run *r)
{
	if (r->has_workload)
		workload__kill(&r->wl);
	if (r->wl_pidfd >= 0)
		close(r->wl_pidfd);
	r->wl_pidfd = -1;
	if (r->cpus)
		perf_cpu_map__put(r->cpus);
	if (r->threads)
		perf_thread_map__put(r->threads);
	r->cpus = NULL;
	r->threads = NULL;
	for (int i = 0; i < r->nr_pidfds; i++)
		close(r->pidfds[i]);
	free(r->pidfds);
	free(r->watch_tids);
	free(r->target_tids);
	r->target_tids = NULL;
	r->nr_target_tids = 0;
	r->pidfds = NULL;
	r->watch_tids = NULL;
	r->nr_pidfds = r->nr_watch_tids = 0;
}
