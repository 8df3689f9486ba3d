// SPDX-License-Identifier: GPL-2.0
/*
 * methods.c - the method table: every JSON-RPC name, its /api/v1/ path,
 * whether it may block (then it runs on a worker), its lepd text handler
 * and its JSON renderer; and the one way a method is run into a bounded
 * memory buffer. Adding a method is one line here plus its handler.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "json.h"
#include "lepd.h"

/*
 * /proc files are read on the event loop: a hand-off to a worker costs more
 * than the read (measured: 2.5k instead of 7k requests/s for one client).
 */
#define PROC(name, file) \
	{ name, NULL, METHOD_LEPD, lepd__proc, NULL, "/proc/" file, "raw /proc/" file }

/*
 * lepd's 32 methods first, in its registration order (ListAllMethod prints
 * them in this order); then perf-prof's own.
 */
const struct method methods[] = {
	{ "SayHello", "hello", METHOD_LEPD, lepd__hello, api__hello, NULL, "liveness: Hello!" },
	{ "ListAllMethod", "methods", METHOD_LEPD, lepd__list, api__methods, NULL,
	  "the method names" },
	PROC("GetProcMeminfo", "meminfo"),
	{ "GetProcLoadavg", "load", METHOD_LEPD, lepd__proc, api__load, "/proc/loadavg",
	  "raw /proc/loadavg; API: load averages, runnable and total tasks" },
	PROC("GetProcVmstat", "vmstat"),
	PROC("GetProcZoneinfo", "zoneinfo"),
	PROC("GetProcBuddyinfo", "buddyinfo"),
	PROC("GetProcCpuinfo", "cpuinfo"),
	PROC("GetProcSlabinfo", "slabinfo"),
	PROC("GetProcSwaps", "swaps"),
	PROC("GetProcInterrupts", "interrupts"),
	PROC("GetProcSoftirqs", "softirqs"),
	PROC("GetProcDiskstats", "diskstats"),
	PROC("GetProcVersion", "version"),
	PROC("GetProcStat", "stat"),
	PROC("GetProcModules", "modules"),
	PROC("GetProcVmallocinfo", "vmallocinfo"),
	{ "GetCmdIotop", "iotop", METHOD_LEPD, lepd__iotop, api__iotop, NULL,
	  "per-process disk read/write rates (from /proc/PID/io)" },
	{ "GetCmdFree", "memory", METHOD_LEPD, lepd__free, api__memory, NULL,
	  "memory use (busybox free); API: every /proc/meminfo field in bytes" },
	{ "GetCmdProcrank", "procrank", METHOD_LEPD | METHOD_BLOCKING, lepd__procrank,
	  api__procrank, NULL, "per-process Vss/Rss/Pss/Uss (smaps_rollup)" },
	{ "GetCmdIostat", "io", METHOD_LEPD, lepd__iostat, api__io, NULL,
	  "per-device I/O rates (iostat -d -x -k)" },
	{ "GetCmdTop", "top", METHOD_LEPD, lepd__top, api__top, NULL,
	  "processes by CPU use (ps -e ... --sort=-%cpu)" },
	{ "GetCmdDmesg", "dmesg", METHOD_LEPD, lepd__dmesg, api__dmesg, NULL, "the kernel log" },
	{ "GetCmdDf", "df", METHOD_LEPD | METHOD_BLOCKING, lepd__df, api__df, NULL,
	  "file system use (df -h)" },
	{ "GetCpuInfo", "cpuinfo", METHOD_LEPD, lepd__cpuinfo, api__cpuinfo, NULL,
	  "CPU count and vendor" },
	{ "GetCmdMpstat", "cpu", METHOD_LEPD, lepd__mpstat, api__cpu, NULL,
	  "per-CPU time by state (mpstat -P ALL)" },
	{ "GetCmdMpstat-I", "irq", METHOD_LEPD, lepd__mpstat_irq, api__irq, NULL,
	  "interrupt and softirq rates per CPU (mpstat -I ALL)" },
	{ "GetCmdIrqInfo", NULL, METHOD_LEPD, lepd__irqinfo, NULL, NULL,
	  "interrupts and softirqs per second" },
	{ "GetCmdCgtop", "cgroups", METHOD_LEPD, lepd__cgtop, api__cgroups, NULL,
	  "cgroup v2 CPU, memory and I/O (systemd-cgtop)" },
	/* perf's methods, from perf-prof's profile (report) and trace -g (script), every CPU */
	{ "GetCmdPerfFaults", "perf/faults", METHOD_LEPD | METHOD_BLOCKING, lepd__perf_faults, NULL,
	  NULL, "page faults by symbol for 'seconds' (1), perf report's table" },
	{ "GetCmdPerfCpuclock", "perf/cpuclock", METHOD_LEPD | METHOD_BLOCKING,
	  lepd__perf_cpuclock, NULL, NULL,
	  "CPU samples by symbol for 'seconds' (1), perf report's table" },
	{ "GetCmdPerfFlame", "perf/flame", METHOD_LEPD | METHOD_BLOCKING, lepd__perf_flame, NULL,
	  NULL, "sampled call stacks for 'seconds' (1), perf script's layout" },
	/* perf-prof's own reports as JSON, from profilers run in-process */
	{ "ProfTop", "prof/top", METHOD_BLOCKING | METHOD_JSON_TEXT, lepd__prof_top, NULL, NULL,
	  "perf-prof top of tracepoint 'event' (sched:sched_switch) for 'seconds' (1)" },
	{ "ProfSyscalls", "prof/syscalls", METHOD_BLOCKING | METHOD_JSON_TEXT,
	  lepd__prof_syscalls, NULL, NULL,
	  "perf-prof syscalls: calls, errors and latency per system call for 'seconds' (1), "
	  "per process and thread with 'perins' (1)" },
	{ "ProfPidstat", "prof/pidstat", METHOD_BLOCKING | METHOD_JSON_TEXT, lepd__prof_pidstat,
	  NULL, NULL,
	  "perf-prof pidstat -u -r -d -w: every task active over one interval of 'seconds' (1)" },
	{ "ProfTaskState", "prof/task-state", METHOD_BLOCKING | METHOD_JSON_TEXT,
	  lepd__prof_task_state, NULL, NULL,
	  "perf-prof task-state: time per process and scheduler state for 'seconds' (1)" },
	{ "ProfProfile", "prof/profile", METHOD_BLOCKING | METHOD_JSON_TEXT, lepd__prof_profile,
	  api__profile, NULL, "CPU flame graph tree (d3-flame-graph shape) for 'seconds' (1)" },
	{ "ProfNumDist", "prof/num-dist", METHOD_BLOCKING | METHOD_JSON_TEXT, lepd__prof_num_dist,
	  NULL, NULL,
	  "num-dist histogram of 'field' (count) of tracepoint 'event' "
	  "(syscalls:sys_enter_write) for 'seconds' (1)" },
	{ "ProfMultiTrace", "prof/multi-trace", METHOD_BLOCKING | METHOD_JSON_TEXT,
	  lepd__prof_multi_trace, NULL, NULL,
	  "multi-trace latency from tracepoint 'begin' (sched:sched_wakeup, key 'begin_key' pid) to "
	  "'end' (sched:sched_switch, key 'end_key' next_pid): a log2 histogram every "
	  "'interval_ms' (500) for 'seconds' (2), of process 'pid' only when given" },
};

const size_t nr_methods = ARRAY_SIZE(methods);

const struct method *method__find(const char *name)
{
	for (size_t i = 0; i < nr_methods; i++)
		if (!strcmp(methods[i].name, name))
			return &methods[i];
	return NULL;
}

const struct method *method__find_api(const char *path)
{
	for (size_t i = 0; i < nr_methods; i++)
		if (methods[i].api && !strcmp(methods[i].api, path))
			return &methods[i];
	return method__find(path);
}

int mcall__fail(struct mcall *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->code = code;
	return -1;
}

int mcall__param_int(struct mcall *c, const char *key, long def, long lo, long hi, long *out)
{
	const cJSON *v = cJSON_IsObject(c->params) ? cJSON_GetObjectItem(c->params, key) : NULL;
	const char *q = c->query ? c->query(c->query_ctx, key) : NULL;
	double d;
	char *end;

	*out = def;
	if (cJSON_IsString(v)) {
		q = v->valuestring;	/* an HTTP query, copied for a worker */
		v = NULL;
	}
	if (v) {
		if (!cJSON_IsNumber(v))
			return mcall__fail(c, MERR_PARAMS, "param '%s' must be a number", key);
		d = v->valuedouble;
	} else if (q) {
		d = strtod(q, &end);
		if (end == q || *end)
			return mcall__fail(c, MERR_PARAMS, "param '%s' must be a number", key);
	} else {
		return 0;
	}
	if (!(d >= (double)lo && d <= (double)hi))
		return mcall__fail(c, MERR_PARAMS, "param '%s' must be in %ld..%ld", key, lo, hi);
	*out = (long)d;
	return 0;
}

FILE *mstream__open(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	/* one thread writes it: no lock per character */
	if (f)
		__fsetlocking(f, FSETLOCKING_BYCALLER);
	return f;
}

int proc__read_into(const char *path, FILE *out, size_t max)
{
	char buf[16384];
	size_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* seq_file files come a page per read: read until EOF, never just once */
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (!n)
			break;
		total += (size_t)n;
		if (total > max) {
			close(fd);
			return -EFBIG;
		}
		fwrite(buf, 1, (size_t)n, out);
	}
	close(fd);
	return 0;
}

/* a method failed: drop what it wrote */
static int mstream_abort(struct mcall *c, FILE *f, char **buf)
{
	fclose(f);
	free(*buf);
	*buf = NULL;
	if (!c->code)
		c->code = MERR_FAIL;
	return -1;
}

/* finish a memory stream: size check, NULs made spaces, room for the terminator */
static int mstream_finish(struct mcall *c, FILE *f, char **buf, size_t *len, size_t max)
{
	char *nb;

	if (fclose(f) || !*buf) {
		free(*buf);
		*buf = NULL;
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	if (*len > max) {
		free(*buf);
		*buf = NULL;
		return mcall__fail(c, MERR_TOO_LARGE, "the result is larger than %zu bytes", max);
	}
	/* JSON strings are written up to a NUL: none may be inside */
	for (char *p = memchr(*buf, 0, *len); p; p = memchr(p, 0, *len - (size_t)(p - *buf)))
		*p = ' ';
	nb = realloc(*buf, *len + LEPD_END_LEN + 1);
	if (!nb) {
		free(*buf);
		*buf = NULL;
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	*buf = nb;
	(*buf)[*len] = 0;
	return 0;
}

int method__run_text(const struct method *m, struct mcall *c, size_t max, char **buf,
		     size_t *len)
{
	FILE *f;
	int rc;

	*buf = NULL;
	*len = 0;
	f = mstream__open(buf, len);
	if (!f)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	c->out = f;
	c->max = max;
	rc = m->text(c, m);
	c->out = NULL;
	if (rc)
		return mstream_abort(c, f, buf);
	return mstream_finish(c, f, buf, len, max);
}

int method__run_json(const struct method *m, struct mcall *c, size_t max, char **buf,
		     size_t *len)
{
	struct json j;
	char *text;
	size_t tlen;
	FILE *f;
	int rc;

	*buf = NULL;
	*len = 0;
	if (!m->json && (m->flags & METHOD_JSON_TEXT)) {
		if (method__run_text(m, c, max, buf, len))
			return -1;
		(*buf)[(*len)++] = '\n';
		(*buf)[*len] = 0;
		return 0;
	}
	if (!m->json) {
		if (method__run_text(m, c, max, &text, &tlen))
			return -1;
		f = mstream__open(buf, len);
		if (!f) {
			free(text);
			return mcall__fail(c, MERR_FAIL, "out of memory");
		}
		json_begin(&j, f);
		json_str(&j, "method", m->name);
		json_strn(&j, "result", text, tlen);
		json_end(&j);
		free(text);
		return mstream_finish(c, f, buf, len, max + 64);
	}
	f = mstream__open(buf, len);
	if (!f)
		return mcall__fail(c, MERR_FAIL, "out of memory");
	c->out = f;
	c->max = max;
	json_begin(&j, f);
	rc = m->json(c, m, &j);
	c->out = NULL;
	if (rc)
		return mstream_abort(c, f, buf);
	json_end(&j);
	return mstream_finish(c, f, buf, len, max);
}
