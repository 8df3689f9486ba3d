// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - /metrics in the Prometheus text exposition format (0.0.4),
 * with node_exporter's metric names and labels where it has them (so its
 * dashboards work), perf_prof_ names for the rest: per-process top N and
 * the daemon's own counters. Counters come straight from the kernel's
 * counters; rates are Prometheus' business.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snap.h"
#include "stats.h"

static void m_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* a metric of one sample without labels: its head and its value */
static void m_count(FILE *f, const char *name, const char *type, const char *help, u64 v)
{
	m_head(f, name, type, help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

static void m_real(FILE *f, const char *name, const char *help, const char *fmt, double v)
{
	m_head(f, name, "gauge", help);
	fprintf(f, "%s ", name);
	fprintf(f, fmt, v);
	fputc('\n', f);
}

/*
 * a label value: backslash, quote and newline escaped; Prometheus rejects a
 * whole scrape over one label that is not UTF-8, and command names are
 * bytes: anything outside printable ASCII becomes '?'
 */
static void m_label(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			fputc('\\', f);
		if (c == '\n')
			fputs("\\n", f);
		else
			fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
	}
}

static void m_cpu(FILE *f, const struct snap *s)
{
	/* node_exporter's modes: guest time has its own metric */
	static const int modes[] = { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE,
				     CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ, CPU_STEAL };

	m_head(f, "node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
	for (int i = 0; i < s->nr_cpu; i++)
		for (size_t k = 0; k < ARRAY_SIZE(modes); k++)
			fprintf(f, "node_cpu_seconds_total{cpu=\"%d\",mode=\"%s\"} %.2f\n", s->cpu[i].cpu,
				cpu_state_names[modes[k]],
				(double)s->cpu[i].t[modes[k]] / (double)snap_hz);
	m_head(f, "node_cpu_guest_seconds_total", "counter",
	       "Seconds the CPUs spent in guests (VMs) for each mode.");
	for (int i = 0; i < s->nr_cpu; i++) {
		fprintf(f, "node_cpu_guest_seconds_total{cpu=\"%d\",mode=\"user\"} %.2f\n",
			s->cpu[i].cpu, (double)s->cpu[i].t[CPU_GUEST] / (double)snap_hz);
		fprintf(f, "node_cpu_guest_seconds_total{cpu=\"%d\",mode=\"nice\"} %.2f\n",
			s->cpu[i].cpu, (double)s->cpu[i].t[CPU_GUEST_NICE] / (double)snap_hz);
	}
}

static void m_stat(FILE *f, const struct snap *s)
{
	m_count(f, "node_context_switches_total", "counter", "Total number of context switches.",
		s->ctxt);
	m_count(f, "node_intr_total", "counter", "Total number of interrupts serviced.", s->intr);
	m_count(f, "node_forks_total", "counter", "Total number of forks.", s->forks);
	m_count(f, "node_procs_running", "gauge", "Number of processes in runnable state.",
		s->running);
	m_count(f, "node_procs_blocked", "gauge", "Number of processes blocked waiting for I/O.",
		s->blocked);
	m_count(f, "node_boot_time_seconds", "gauge", "Node boot time, in unixtime.", s->btime);
	m_head(f, "node_softirqs_total", "counter", "Number of softirq calls by vector.");
	for (int i = 0; i < s->nr_sirq; i++) {
		u64 sum = 0;

		for (int k = 0; k < s->sirq_cpus; k++)
			sum += s->sirq[(size_t)i * (size_t)s->sirq_cpus + (size_t)k];
		fprintf(f, "node_softirqs_total{vector=\"%s\"} %llu\n", s->sirq_name[i],
			(unsigned long long)sum);
	}
	m_head(f, "node_interrupts_total", "counter", "Interrupt details.");
	for (int i = 0; i < s->nr_irq; i++) {
		for (int k = 0; k < s->irq_cpus; k++) {
			fprintf(f, "node_interrupts_total{cpu=\"%d\",devices=\"", k);
			m_label(f, s->irq[i].desc, sizeof(s->irq[i].desc));
			fputs("\",type=\"", f);
			m_label(f, s->irq[i].name, sizeof(s->irq[i].name));
			fprintf(f, "\"} %llu\n", (unsigned long long)s->irq[i].count[k]);
		}
	}
}

static int m_load(FILE *f)
{
	double l[3];
	FILE *in = fopen("/proc/loadavg", "re");
	int n;

	if (!in)
		return -1;
	n = fscanf(in, "%lf %lf %lf", &l[0], &l[1], &l[2]);
	fclose(in);
	if (n != 3)
		return -1;
	m_real(f, "node_load1", "1m load average.", "%.2f", l[0]);
	m_real(f, "node_load5", "5m load average.", "%.2f", l[1]);
	m_real(f, "node_load15", "15m load average.", "%.2f", l[2]);
	return 0;
}

/* node_memory_<Field>[_bytes]: "Active(anon)" is spelled Active_anon */
static int m_memory(FILE *f)
{
	char line[256];
	FILE *in = fopen("/proc/meminfo", "re");

	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		char key[64], name[96], unit[8] = "";
		unsigned long long v;
		size_t o = 0;
		int n = sscanf(line, "%63[^:]: %llu %7s", key, &v, unit);

		if (n < 2)
			continue;
		for (const char *k = key; *k && o < 60; k++) {
			if (*k == '(')
				name[o++] = '_';
			else if (isalnum((unsigned char)*k) || *k == '_')
				name[o++] = *k;
		}
		name[o] = 0;
		if (n == 3 && !strcmp(unit, "kB")) {
			strcat(name, "_bytes");
			v *= 1024;
		}
		fprintf(f, "# HELP node_memory_%s Memory information field %s.\n"
			   "# TYPE node_memory_%s gauge\nnode_memory_%s %llu\n",
			name, name, name, name, v);
	}
	fclose(in);
	return 0;
}

static void m_disks(FILE *f, const struct snap *s)
{
	static const struct {
		const char *name, *help;
		int field;
		double scale;
	} cols[] = {
		{ "reads_completed_total", "The total number of reads completed successfully.",
		  DISK_RD_IOS, 1 },
		{ "reads_merged_total", "The total number of reads merged.", DISK_RD_MERGES, 1 },
		{ "read_bytes_total", "The total number of bytes read successfully.",
		  DISK_RD_SECTORS, 512 },
		{ "read_time_seconds_total", "The total number of seconds spent by all reads.",
		  DISK_RD_TICKS, 0.001 },
		{ "writes_completed_total", "The total number of writes completed successfully.",
		  DISK_WR_IOS, 1 },
		{ "writes_merged_total", "The number of writes merged.", DISK_WR_MERGES, 1 },
		{ "written_bytes_total", "The total number of bytes written successfully.",
		  DISK_WR_SECTORS, 512 },
		{ "write_time_seconds_total", "This is the total number of seconds spent by all writes.",
		  DISK_WR_TICKS, 0.001 },
		{ "io_now", "The number of I/Os currently in progress.", DISK_IN_FLIGHT, 1 },
		{ "io_time_seconds_total", "Total seconds spent doing I/Os.", DISK_IO_TICKS, 0.001 },
		{ "io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
		  DISK_RQ_TICKS, 0.001 },
	};

	for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
		char name[96];

		snprintf(name, sizeof(name), "node_disk_%s", cols[k].name);
		m_head(f, name, cols[k].field == DISK_IN_FLIGHT ? "gauge" : "counter", cols[k].help);
		for (int i = 0; i < s->nr_disk; i++) {
			const struct snap_disk *d = &s->disk[i];

			if (!disk__shown(d))
				continue;
			fprintf(f, "%s{device=\"", name);
			m_label(f, d->name, sizeof(d->name));
			fprintf(f, "\"} %.15g\n", (double)d->v[cols[k].field] * cols[k].scale);
		}
	}
}

static void m_procs(FILE *f, const struct snap *prev, const struct snap *cur, int top_n)
{
	struct proc_row *rows;
	int n = procs__rows(prev, cur, SORT_CPU, &rows);
	static const char *const names[] = {
		"perf_prof_process_cpu_seconds_total", "perf_prof_process_resident_memory_bytes",
		"perf_prof_process_read_bytes_total", "perf_prof_process_written_bytes_total",
	};
	static const char *const helps[] = {
		"CPU time of the processes busiest in the last sampling interval.",
		"Resident memory of those processes.",
		"Bytes those processes read from storage.",
		"Bytes those processes wrote to storage.",
	};

	if (n < 0)
		return;
	if (top_n > n)
		top_n = n;
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		m_head(f, names[k], k == 1 ? "gauge" : "counter", helps[k]);
		for (int i = 0; i < top_n; i++) {
			const struct snap_proc *p = rows[i].p;
			double v = 0;

			if (k == 0)
				v = (double)(p->utime + p->stime) / (double)snap_hz;
			else if (k == 1)
				v = (double)p->rss * (double)sys_page_size();
			else if (!p->io_ok)
				continue;
			else
				v = (double)(k == 2 ? p->rbytes : p->wbytes);
			fprintf(f, "%s{pid=\"%d\",comm=\"", names[k], p->pid);
			m_label(f, p->comm, sizeof(p->comm));
			fprintf(f, "\"} %.15g\n", v);
		}
	}
	free(rows);
}

static void m_self(FILE *f)
{
	/* events and lost count records of profiler runs the daemon hosts */
	static const struct {
		const char *name, *type, *label, *help;
		const u64 *v;
	} self[] = {
		{ "perf_prof_daemon_requests_total", "counter", "transport=\"jsonrpc\"",
		  "Requests received.", &dstats.rpc_requests },
		{ "perf_prof_daemon_requests_total", NULL, "transport=\"http\"", NULL,
		  &dstats.http_requests },
		{ "perf_prof_daemon_errors_total", "counter", "transport=\"jsonrpc\"",
		  "Requests answered with an error.", &dstats.rpc_errors },
		{ "perf_prof_daemon_errors_total", NULL, "transport=\"http\"", NULL,
		  &dstats.http_errors },
		{ "perf_prof_daemon_connections", "gauge", NULL, "JSON-RPC connections open.",
		  &dstats.conns_open },
		{ "perf_prof_daemon_connections_accepted_total", "counter", NULL,
		  "JSON-RPC connections accepted.", &dstats.conns_accepted },
		{ "perf_prof_daemon_connections_dropped_total", "counter", NULL,
		  "JSON-RPC connections closed by the daemon: limits, timeouts, abuse.",
		  &dstats.conns_dropped },
		{ "perf_prof_daemon_method_timeouts_total", "counter", NULL,
		  "Method calls answered with a timeout error.", &dstats.method_timeouts },
		{ "perf_prof_daemon_samples_total", "counter", NULL, "Passes of the /proc sampler.",
		  &dstats.samples },
		{ "perf_prof_daemon_sample_errors_total", "counter", NULL,
		  "Sampler passes that could not read a source.", &dstats.sample_errors },
		{ "perf_prof_events_total", "counter", NULL,
		  "Records delivered to hosted profiler runs.", &dstats.events },
		{ "perf_prof_lost_records_total", "counter", NULL,
		  "Records the kernel dropped, or counted and never wrote, in hosted profiler runs.",
		  &dstats.lost },
	};

	for (size_t i = 0; i < ARRAY_SIZE(self); i++) {
		if (self[i].type)
			m_head(f, self[i].name, self[i].type, self[i].help);
		fprintf(f, "%s%s%s%s %llu\n", self[i].name, self[i].label ? "{" : "",
			self[i].label ? self[i].label : "", self[i].label ? "}" : "",
			(unsigned long long)__atomic_load_n(self[i].v, __ATOMIC_RELAXED));
	}
}

int metrics__write(FILE *f, const struct dlimits *lim)
{
	struct snap *prev, *cur;
	struct timespec now;
	int ret = 0;

	snap__get(&prev, &cur);
	m_cpu(f, cur);
	m_stat(f, cur);
	m_disks(f, cur);
	m_procs(f, prev, cur, lim->top_n);
	snap__put(prev);
	snap__put(cur);
	if (m_load(f) || m_memory(f))
		ret = -1;
	clock_gettime(CLOCK_REALTIME, &now);
	m_real(f, "node_time_seconds", "System time in seconds since epoch (1970).", "%.3f",
	       (double)now.tv_sec + (double)now.tv_nsec / 1e9);
	m_self(f);
	return ret;
}
