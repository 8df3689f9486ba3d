// SPDX-License-Identifier: GPL-2.0
/*
 * api.c - the structured JSON of GET /api/v1/<path>: numbers with units in
 * their names (_bytes, _per_s, _percent, _seconds), arrays a chart can plot
 * directly. Documentation/daemon.md describes every document. The same
 * snapshots and computations as the lepd text (stats.c).
 */
#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "lepd.h"
#include "stats.h"

#ifndef PERF_PROF_VERSION
#define PERF_PROF_VERSION "unknown"
#endif

static void api_time(struct json *j, const struct snap *prev, const struct snap *cur)
{
	json_double(j, "time", (double)cur->wall.tv_sec + (double)cur->wall.tv_nsec / 1e9);
	json_double(j, "interval_s", snap__interval(prev, cur));
	/* rates over the time since boot until the sampler has two snapshots */
	json_bool(j, "since_boot", prev->zero);
}

int api__hello(struct mcall *c, const struct method *m, struct json *j)
{
	json_str(j, "result", "Hello!");
	json_str(j, "server", "perf-prof");
	json_str(j, "version", PERF_PROF_VERSION);
	return 0;
}

int api__methods(struct mcall *c, const struct method *m, struct json *j)
{
	json_arr_begin(j, "methods");
	for (size_t i = 0; i < nr_methods; i++) {
		const struct method *x = &methods[i];

		json_obj_begin(j, NULL);
		json_str(j, "name", x->name);
		if (x->api)
			json_str(j, "api", x->api);
		else
			json_null(j, "api");
		json_bool(j, "lepd", x->flags & METHOD_LEPD);
		/* every method is built in; a run whose profiler is missing answers -32004 */
		json_bool(j, "available", true);
		json_str(j, "help", x->help);
		json_obj_end(j);
	}
	json_arr_end(j);
	return 0;
}

int api__load(struct mcall *c, const struct method *m, struct json *j)
{
	char buf[256];
	double l1, l5, l15;
	unsigned long run, tot, last;
	FILE *f = fopen("/proc/loadavg", "re");

	if (!f)
		return mcall__fail(c, MERR_FAIL, "cannot read '/proc/loadavg': %s", strerror(errno));
	if (!fgets(buf, sizeof(buf), f) ||
	    sscanf(buf, "%lf %lf %lf %lu/%lu %lu", &l1, &l5, &l15, &run, &tot, &last) != 6) {
		fclose(f);
		return mcall__fail(c, MERR_FAIL, "cannot parse '/proc/loadavg'");
	}
	fclose(f);
	json_double(j, "load1", l1);
	json_double(j, "load5", l5);
	json_double(j, "load15", l15);
	json_uint(j, "runnable", run);
	json_uint(j, "tasks", tot);
	json_uint(j, "last_pid", last);
	return 0;
}

int api__memory(struct mcall *c, const struct method *m, struct json *j)
{
	char *text = NULL, *p;
	size_t len = 0;
	FILE *f = mstream__open(&text, &len);
	u64 total, avail;

	if (!f)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	if (proc__read_into("/proc/meminfo", f, 1 << 20)) {
		fclose(f);
		free(text);
		return mcall__fail(c, MERR_FAIL, "cannot read '/proc/meminfo'");
	}
	fclose(f);
	total = meminfo__kb(text, "MemTotal");
	avail = meminfo__kb(text, "MemAvailable");
	json_uint(j, "total_bytes", total * 1024);
	json_uint(j, "available_bytes", avail * 1024);
	json_uint(j, "used_bytes", (total - avail) * 1024);
	json_double(j, "used_percent", total ? 100.0 * (double)(total - avail) / (double)total : 0);
	/* every field as it is, in bytes when the kernel gives kB */
	json_obj_begin(j, "meminfo");
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char key[64];
		unsigned long long v;
		char unit[8] = "";
		int n = sscanf(p, "%63[^:]: %llu %7s", key, &v, unit);

		if (n < 2)
			continue;
		if (n == 3 && !strncmp(unit, "kB", 2))
			v *= 1024;
		json_uint(j, key, v);
	}
	json_obj_end(j);
	free(text);
	return 0;
}

static void cpu_obj(struct json *j, const struct snap_cpu *a, const struct snap_cpu *b)
{
	double pct[MP_NR];

	cpu__percent(a, b, pct);
	json_obj_begin(j, "percent");
	for (int i = 0; i < MP_NR; i++)
		json_double(j, mp_col_names[i], pct[i]);
	json_obj_end(j);
	json_obj_begin(j, "seconds_total");
	for (int i = 0; i < CPU_NR_STATES; i++)
		json_double(j, cpu_state_names[i], (double)b->t[i] / (double)snap_hz);
	json_obj_end(j);
}

int api__cpu(struct mcall *c, const struct method *m, struct json *j)
{
	struct snap *prev, *cur;
	double secs;

	snap__get(&prev, &cur);
	secs = snap__interval(prev, cur);
	api_time(j, prev, cur);
	json_int(j, "ncpu", cur->nr_cpu);
	json_obj_begin(j, "all");
	cpu_obj(j, prev->zero ? NULL : &prev->all, &cur->all);
	json_obj_end(j);
	json_arr_begin(j, "cpus");
	for (int i = 0; i < cur->nr_cpu; i++) {
		json_obj_begin(j, NULL);
		json_int(j, "cpu", cur->cpu[i].cpu);
		cpu_obj(j, prev->zero ? NULL : snap__cpu(prev, cur->cpu[i].cpu), &cur->cpu[i]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_double(j, "context_switches_per_s", counter__rate(prev->ctxt, cur->ctxt, secs));
	json_double(j, "interrupts_per_s", counter__rate(prev->intr, cur->intr, secs));
	json_double(j, "softirqs_per_s", counter__rate(prev->softirq, cur->softirq, secs));
	json_double(j, "forks_per_s", counter__rate(prev->forks, cur->forks, secs));
	json_uint(j, "context_switches_total", cur->ctxt);
	json_uint(j, "procs_running", cur->running);
	json_uint(j, "procs_blocked", cur->blocked);
	snap__put(prev);
	snap__put(cur);
	return api__load(c, m, j);
}

int api__irq(struct mcall *c, const struct method *m, struct json *j)
{
	struct snap *prev, *cur;
	double secs;

	snap__get(&prev, &cur);
	secs = snap__interval(prev, cur);
	api_time(j, prev, cur);
	json_double(j, "interrupts_per_s", counter__rate(prev->intr, cur->intr, secs));
	json_double(j, "softirqs_per_s", counter__rate(prev->softirq, cur->softirq, secs));
	json_arr_begin(j, "interrupts");
	for (int i = 0; i < cur->nr_irq; i++) {
		const struct snap_irq *b = &cur->irq[i], *a = NULL;
		double sum = 0;

		a = snap__irq_find(prev, b->name);
		json_obj_begin(j, NULL);
		json_str(j, "irq", b->name);
		json_str(j, "desc", b->desc);
		json_arr_begin(j, "per_cpu_per_s");
		for (int k = 0; k < cur->irq_cpus; k++) {
			double r = counter__rate(a && k < prev->irq_cpus ? a->count[k] : 0, b->count[k], secs);

			sum += r;
			json_double(j, NULL, r);
		}
		json_arr_end(j);
		json_double(j, "per_s", sum);
		json_uint(j, "total", b->total);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr_begin(j, "softirqs");
	for (int i = 0; i < cur->nr_sirq; i++) {
		bool same = i < prev->nr_sirq && !strcmp(prev->sirq_name[i], cur->sirq_name[i]);
		double sum = 0;

		json_obj_begin(j, NULL);
		json_str(j, "type", cur->sirq_name[i]);
		json_arr_begin(j, "per_cpu_per_s");
		for (int k = 0; k < cur->sirq_cpus; k++) {
			u64 now = cur->sirq[(size_t)i * (size_t)cur->sirq_cpus + (size_t)k];
			u64 old = same && k < prev->sirq_cpus ?
					  prev->sirq[(size_t)i * (size_t)prev->sirq_cpus + (size_t)k] : 0;
			double r = counter__rate(old, now, secs);

			sum += r;
			json_double(j, NULL, r);
		}
		json_arr_end(j);
		json_double(j, "per_s", sum);
		json_obj_end(j);
	}
	json_arr_end(j);
	snap__put(prev);
	snap__put(cur);
	return 0;
}

int api__io(struct mcall *c, const struct method *m, struct json *j)
{
	struct snap *prev, *cur;
	double secs;

	snap__get(&prev, &cur);
	secs = snap__interval(prev, cur);
	api_time(j, prev, cur);
	json_arr_begin(j, "devices");
	for (int i = 0; i < cur->nr_disk; i++) {
		const struct snap_disk *d = &cur->disk[i];
		struct disk_rate r;

		if (!disk__shown(d))
			continue;
		disk__rate(snap__disk_find(prev, d->name), d, secs, &r);
		json_obj_begin(j, NULL);
		json_str(j, "device", d->name);
		json_double(j, "reads_per_s", r.r);
		json_double(j, "writes_per_s", r.w);
		json_double(j, "read_bytes_per_s", r.rkb * 1024);
		json_double(j, "write_bytes_per_s", r.wkb * 1024);
		json_double(j, "read_merges_per_s", r.rrqm);
		json_double(j, "write_merges_per_s", r.wrqm);
		json_double(j, "avg_request_sectors", r.avgrq);
		json_double(j, "avg_queue", r.avgqu);
		json_double(j, "await_ms", r.await);
		json_double(j, "read_await_ms", r.r_await);
		json_double(j, "write_await_ms", r.w_await);
		json_double(j, "util_percent", r.util);
		json_uint(j, "read_bytes_total", d->v[DISK_RD_SECTORS] * 512);
		json_uint(j, "written_bytes_total", d->v[DISK_WR_SECTORS] * 512);
		json_obj_end(j);
	}
	json_arr_end(j);
	snap__put(prev);
	snap__put(cur);
	return 0;
}

static int proc_sort_param(struct mcall *c, enum proc_sort *sort)
{
	const char *s = c->query ? c->query(c->query_ctx, "sort") : NULL;
	const cJSON *v = cJSON_IsObject(c->params) ? cJSON_GetObjectItem(c->params, "sort") : NULL;

	if (cJSON_IsString(v))
		s = v->valuestring;
	if (!s)
		return 0;
	if (!strcmp(s, "cpu"))
		*sort = SORT_CPU;
	else if (!strcmp(s, "mem"))
		*sort = SORT_MEM;
	else if (!strcmp(s, "io"))
		*sort = SORT_IO;
	else if (!strcmp(s, "pid"))
		*sort = SORT_PID;
	else
		return mcall__fail(c, MERR_PARAMS, "param 'sort' must be cpu, mem, io or pid");
	return 0;
}

static int api_procs(struct mcall *c, struct json *j, enum proc_sort sort, bool io_only)
{
	struct snap *prev, *cur;
	struct proc_row *rows;
	long limit;
	int n, shown = 0;

	if (mcall__param_int(c, "n", 50, 1, 100000, &limit) || proc_sort_param(c, &sort))
		return -1;
	snap__get(&prev, &cur);
	n = procs__rows(prev, cur, sort, &rows);
	if (n < 0) {
		snap__put(prev);
		snap__put(cur);
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	api_time(j, prev, cur);
	json_int(j, "processes", cur->nr_proc);
	json_arr_begin(j, "rows");
	for (int i = 0; i < n && shown < limit; i++) {
		const struct snap_proc *q = rows[i].p;
		char user[32];

		if (io_only && !q->io_ok)
			continue;
		shown++;
		json_obj_begin(j, NULL);
		json_int(j, "pid", q->pid);
		json_int(j, "ppid", q->ppid);
		json_str(j, "user", user__name(q->uid, user, sizeof(user)));
		json_strn(j, "comm", q->comm, sizeof(q->comm));
		json_str(j, "cmd", q->cmd ? q->cmd : q->comm);
		json_strn(j, "state", &q->state, 1);
		json_int(j, "threads", q->threads);
		json_int(j, "nice", q->nice);
		json_double(j, "cpu_percent", rows[i].cpu);
		json_double(j, "cpu_seconds_total", (double)(q->utime + q->stime) / (double)snap_hz);
		json_double(j, "mem_percent", rows[i].mem);
		json_uint(j, "rss_bytes", q->rss * (u64)sys_page_size());
		json_uint(j, "vsz_bytes", q->vsize);
		if (q->io_ok) {
			json_uint(j, "read_bytes_total", q->rbytes);
			json_uint(j, "written_bytes_total", q->wbytes);
			json_double(j, "read_bytes_per_s", rows[i].rd);
			json_double(j, "write_bytes_per_s", rows[i].wr);
			json_double(j, "io_wait_percent", rows[i].io);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
	free(rows);
	snap__put(prev);
	snap__put(cur);
	return 0;
}

int api__top(struct mcall *c, const struct method *m, struct json *j)
{
	return api_procs(c, j, SORT_CPU, false);
}

int api__iotop(struct mcall *c, const struct method *m, struct json *j)
{
	return api_procs(c, j, SORT_IO, true);
}

int api__procrank(struct mcall *c, const struct method *m, struct json *j)
{
	struct procrank_row *rows;
	int n = procrank__rows(&rows);

	if (n < 0)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	json_arr_begin(j, "rows");
	for (int i = 0; i < n; i++) {
		json_obj_begin(j, NULL);
		json_int(j, "pid", rows[i].pid);
		json_uint(j, "vss_bytes", rows[i].vss * 1024);
		json_uint(j, "rss_bytes", rows[i].rss * 1024);
		json_uint(j, "pss_bytes", rows[i].pss * 1024);
		json_uint(j, "uss_bytes", rows[i].uss * 1024);
		json_str(j, "cmd", rows[i].cmd);
		json_obj_end(j);
	}
	json_arr_end(j);
	free(rows);
	return 0;
}

/* the lepd text of @fn, one JSON string per line */
static int api_lines(struct mcall *c, const struct method *m, struct json *j,
		     int (*fn)(struct mcall *, const struct method *))
{
	char *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *f = mstream__open(&buf, &len), *saved = c->out;

	if (!f)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	c->out = f;
	if (fn(c, m)) {
		c->out = saved;
		fclose(f);
		free(buf);
		return -1;
	}
	c->out = saved;
	fclose(f);
	json_arr_begin(j, "lines");
	for (p = buf; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		json_strn(j, NULL, p, nl ? (size_t)(nl - p) : strlen(p));
	}
	json_arr_end(j);
	free(buf);
	return 0;
}

int api__dmesg(struct mcall *c, const struct method *m, struct json *j)
{
	return api_lines(c, m, j, lepd__dmesg);
}

int api__df(struct mcall *c, const struct method *m, struct json *j)
{
	return api_lines(c, m, j, lepd__df);
}

int api__cpuinfo(struct mcall *c, const struct method *m, struct json *j)
{
	return api_lines(c, m, j, lepd__cpuinfo);
}

int api__cgroups(struct mcall *c, const struct method *m, struct json *j)
{
	struct snap *prev, *cur;
	double secs;

	snap__get(&prev, &cur);
	if (!cur->cg2) {
		snap__put(prev);
		snap__put(cur);
		return mcall__fail(c, MERR_FAIL, "no cgroup v2 hierarchy is mounted");
	}
	secs = snap__interval(prev, cur);
	api_time(j, prev, cur);
	json_arr_begin(j, "cgroups");
	for (int i = 0; i < cur->nr_cg; i++) {
		const struct snap_cg *g = &cur->cg[i], *o = NULL;

		o = snap__cg_find(prev, g->path);
		json_obj_begin(j, NULL);
		json_str(j, "path", g->path);
		if (g->tasks >= 0)
			json_int(j, "tasks", g->tasks);
		if (g->cpu_usec >= 0)
			json_double(j, "cpu_percent",
				    counter__rate(o && o->cpu_usec >= 0 ? (u64)o->cpu_usec : 0, (u64)g->cpu_usec,
					 secs) / 1e4);
		if (g->mem >= 0)
			json_int(j, "memory_bytes", g->mem);
		json_double(j, "read_bytes_per_s", counter__rate(o ? o->rbytes : 0, g->rbytes, secs));
		json_double(j, "write_bytes_per_s", counter__rate(o ? o->wbytes : 0, g->wbytes, secs));
		json_obj_end(j);
	}
	json_arr_end(j);
	snap__put(prev);
	snap__put(cur);
	return 0;
}
