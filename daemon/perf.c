// SPDX-License-Identifier: GPL-2.0
/*
 * perf.c - the methods that run perf-prof's profilers in-process (prun.c):
 * lepd's GetCmdPerfCpuclock/Faults (perf report's "# Overhead" table, from
 * `profile`'s rows) and GetCmdPerfFlame (perf script's sample/frame
 * layout, from `trace -g`: every sample); and perf-prof's own reports as
 * JSON (top, syscalls, num-dist, task-state, and `profile`'s stacks as the
 * flame graph engine's tree). Nothing a client sends becomes an option
 * except numbers and checked tracepoint and field names.
 */
#include <cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "json.h"
#include "lepd.h"
#include "prun.h"

/*
 * a `profile` run of @event at @hz on every CPU for the "seconds" param:
 * its final --json report (one line, parsed into @rep) with @args' rows,
 * and in @text the whole output (with --folded -, the stacks after it)
 */
static int profile_run(struct mcall *c, const char *event, int hz, const char *args,
		       char **text, cJSON **rep)
{
	char all[256];
	size_t len;
	u64 ms;

	if (prun__seconds(c, &ms))
		return -1;
	snprintf(all, sizeof(all), "-e %s -F %d --json -q %s", event, hz, args);
	if (prun__capture(c, "profile", all, ms, text, &len))
		return -1;
	*rep = cJSON_ParseWithOpts(*text, NULL, false);
	if (!cJSON_IsObject(*rep) || !cJSON_IsArray(cJSON_GetObjectItem(*rep, "rows"))) {
		cJSON_Delete(*rep);
		free(*text);
		return mcall__fail(c, MERR_FAIL, "profile reported no final report");
	}
	return 0;
}

static u64 rep_u64(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (u64)v->valuedouble : 0;
}

static const char *rep_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsString(v) ? v->valuestring : "[unknown]";
}

/* perf report marks kernel symbols [k]: the kernel and its modules are the [name] DSOs */
static bool dso_kernel(const char *dso)
{
	return dso[0] == '[' && strcmp(dso, "[vdso]") && strcmp(dso, "[vsyscall]") &&
	       strcmp(dso, "[unknown]");
}

/* perf report's table of where the samples are: profile's rows by (comm, dso, symbol) */
static int perf_report(struct mcall *c, const char *event, int hz)
{
	const cJSON *row;
	cJSON *rep;
	char *text;

	if (profile_run(c, event, hz, "--sort comm,dso,sym --top 0", &text, &rep))
		return -1;
	fprintf(c->out, "# Total Lost Samples: %llu\n#\n",
		(unsigned long long)rep_u64(rep, "lost"));
	fprintf(c->out, "# Samples: %llu  of event '%s'\n# Event count (approx.): %llu\n#\n",
		(unsigned long long)rep_u64(rep, "samples"), event,
		(unsigned long long)rep_u64(rep, "samples"));
	fprintf(c->out, "# Overhead  %-16s  %-24s  %s\n", "Command", "Shared Object", "Symbol");
	fprintf(c->out, "# ........  ................  ........................  "
			"..............................\n#\n");
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(rep, "rows")) {
		const cJSON *share = cJSON_GetObjectItem(row, "share");
		const char *dso = rep_str(row, "dso");

		fprintf(c->out, "%9.2f%%  %-16s  %-24s  [%c] %s\n",
			cJSON_IsNumber(share) ? share->valuedouble : 0.0, rep_str(row, "comm"), dso,
			dso_kernel(dso) ? 'k' : '.', rep_str(row, "sym"));
	}
	cJSON_Delete(rep);
	free(text);
	return 0;
}

int lepd__perf_cpuclock(struct mcall *c, const struct method *m)
{
	return perf_report(c, "cpu-clock", 999);
}

int lepd__perf_faults(struct mcall *c, const struct method *m)
{
	return perf_report(c, "page-faults", 999);
}

/*
 * A sample line of `perf-prof trace`:
 *   "  4509.225062       comm name   31677/31677   [000] .... cpu-clock: period=..."
 * into perf script's "comm tid [cpu] time: 1 cpu-clock:". The comm is
 * right-aligned and may hold spaces: it is what lies between the time and
 * the "PID/TID" word before " [CPU]"; LEP takes the first word as the
 * command, so its spaces become '_'.
 */
static int script_sample(char *line, FILE *out)
{
	char *cpu = strstr(line, " ["), *pid, *comm, *p;
	int ncpu, tid;
	size_t n;
	double t;

	/* " [CPU]": a comm may hold " [" too, not followed by digits and ']' */
	while (cpu && !((n = strspn(cpu + 2, "0123456789")) && cpu[2 + n] == ']'))
		cpu = strstr(cpu + 2, " [");
	if (!cpu || sscanf(line, " %lf", &t) != 1)
		return -1;
	*cpu = 0;
	ncpu = atoi(cpu + 2);
	while (cpu > line && cpu[-1] == ' ')
		*--cpu = 0;
	pid = strrchr(line, ' ');
	if (!pid)
		return -1;
	p = strchr(pid + 1, '/');
	tid = atoi(p ? p + 1 : pid + 1);
	while (pid > line && pid[-1] == ' ')
		pid--;
	*pid = 0;
	for (comm = line; *comm == ' '; comm++)
		;
	comm = strchr(comm, ' ');	/* past the time */
	if (!comm)
		return -1;
	while (*comm == ' ')
		comm++;
	for (p = comm; *p; p++)
		if (isspace((unsigned char)*p))
			*p = '_';
	fprintf(out, "%s %6d [%03d] %12.6f: 1 cpu-clock:\n", *comm ? comm : "[unknown]", tid, ncpu,
		t);
	return 0;
}

/*
 * perf script: a sample line, a tab-indented "ADDR SYMBOL+OFF (DSO)" line
 * per frame, a blank line; every sample of `trace -g`, which prints the
 * frames in that shape already, four spaces in
 */
int lepd__perf_flame(struct mcall *c, const struct method *m)
{
	char *text, *line, *save = NULL;
	bool in_sample = false;
	size_t len;
	u64 ms;

	if (prun__seconds(c, &ms) ||
	    prun__capture(c, "trace", "-e cpu-clock -F 99 -g -q", ms, &text, &len))
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long addr;
		char *end;

		if (strncmp(line, "    ", 4)) {
			if (in_sample)
				fputc('\n', c->out);
			in_sample = !script_sample(line, c->out);
			continue;
		}
		addr = strtoull(line + 4, &end, 16);
		/* LEP reads the DSO of an [unknown] symbol: perf script always has one */
		if (in_sample && end != line + 4 && *end == ' ')
			fprintf(c->out, "\t%16llx%s%s\n", addr, end,
				strstr(end, " (") ? "" : " ([unknown])");
	}
	if (in_sample)
		fputc('\n', c->out);
	free(text);
	return 0;
}

/*
 * The CPU flame graph tree: profile's folded stacks (after its one-line
 * report) into the flame graph engine's d3-flame-graph JSON
 */
int api__profile(struct mcall *c, const struct method *m, struct json *j)
{
	char *text, *line, *save = NULL, *nl;
	struct flamegraph *fg;
	struct err err = { 0 };
	cJSON *rep;

	if (profile_run(c, "cpu-clock", 99, "--top 1 --folded -", &text, &rep))
		return -1;
	json_str(j, "event", "cpu-clock");
	json_uint(j, "samples", rep_u64(rep, "samples"));
	json_uint(j, "lost", rep_u64(rep, "lost"));
	cJSON_Delete(rep);
	json_key(j, "flame");
	fg = flamegraph__new_stream(j->out, FLAMEGRAPH_JSON);
	nl = strchr(text, '\n');
	for (line = nl ? strtok_r(nl + 1, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');

		if (sp && sp > line)
			flamegraph__add_folded(fg, line, (size_t)(sp - line), strtoull(sp + 1, NULL, 10));
	}
	free(text);
	return flamegraph__close(fg, &err) ? mcall__fail(c, MERR_FAIL, "%s", err.msg) : 0;
}

/* ------------------------------------------------------ perf-prof's reports */

/* a tracepoint name as SYS:NAME, nothing else (no probes, no filters) */
static int param_tracepoint(struct mcall *c, const char *key, const char *def, char *buf,
			    size_t len)
{
	const char *q = c->query ? c->query(c->query_ctx, key) : NULL;
	const struct cJSON *v = NULL;
	const char *t = def, *colon;

	if (cJSON_IsObject(c->params))
		v = cJSON_GetObjectItem(c->params, key);
	if (v && !cJSON_IsString(v))
		return mcall__fail(c, MERR_PARAMS, "param '%s' must be a string", key);
	if (v)
		t = v->valuestring;
	else if (q)
		t = q;
	colon = t ? strchr(t, ':') : NULL;
	if (!t || !colon || colon == t || !colon[1] || strlen(t) >= len)
		goto bad;
	for (const char *p = t; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || (p == colon)))
			goto bad;
	snprintf(buf, len, "%s", t);
	return 0;
bad:
	return mcall__fail(c, MERR_PARAMS, "param '%s' must be a tracepoint SYS:NAME", key);
}

/* the last line of a --json report of a run of at most @ms: the final one */
static int prun_json_for(struct mcall *c, const char *profiler, const char *args, u64 ms)
{
	char *text, *last, *p;
	size_t len;

	if (prun__capture(c, profiler, args, ms, &text, &len))
		return -1;
	while (len && text[len - 1] == '\n')
		text[--len] = 0;
	last = text;
	for (p = text; (p = strchr(p, '\n')); p++)
		last = p + 1;
	if (!*last) {
		free(text);
		return mcall__fail(c, MERR_FAIL, "%s reported nothing", profiler);
	}
	fputs(last, c->out);
	free(text);
	return 0;
}

/* the last line of a --json report of a run of 'seconds': the final one */
static int prun_json(struct mcall *c, const char *profiler, const char *args)
{
	u64 ms;

	return prun__seconds(c, &ms) ? -1 : prun_json_for(c, profiler, args, ms);
}

int lepd__prof_profile(struct mcall *c, const struct method *m)
{
	struct json j;

	json_begin(&j, c->out);
	if (api__profile(c, m, &j))
		return -1;
	json_end(&j);
	return 0;
}

int lepd__prof_top(struct mcall *c, const struct method *m)
{
	char ev[128], args[256];

	if (param_tracepoint(c, "event", "sched:sched_switch", ev, sizeof(ev)))
		return -1;
	/* no interval report: the final one covers the whole run */
	snprintf(args, sizeof(args), "-e %s --json -q -i 3600s", ev);
	return prun_json(c, "top", args);
}

int lepd__prof_syscalls(struct mcall *c, const struct method *m)
{
	long perins;

	if (mcall__param_int(c, "perins", 0, 0, 1, &perins))
		return -1;
	/* strace -c's table with latency and errors; per process and thread with perins */
	return prun_json(c, "syscalls", perins ? "--perins --json -q -i 3600s" : "--json -q -i 3600s");
}

int lepd__prof_pidstat(struct mcall *c, const struct method *m)
{
	char args[128];
	u64 ms;

	if (prun__seconds(c, &ms))
		return -1;
	/*
	 * one interval of 'seconds', every active task: the run ends after
	 * its report (COUNT 1), well before the deadline given here
	 */
	snprintf(args, sizeof(args), "-u -r -d -w --json -q %llu 1", (unsigned long long)(ms / 1000));
	return prun_json_for(c, "pidstat", args, ms + 5000);
}

int lepd__prof_task_state(struct mcall *c, const struct method *m)
{
	return prun_json(c, "task-state", "--json -q -i 3600s");
}

/* param_field - a field name param (letters, digits, '_'), @def when absent */
static int param_field(struct mcall *c, const char *key, const char *def, const char **out)
{
	const struct cJSON *v = cJSON_IsObject(c->params) ? cJSON_GetObjectItem(c->params, key)
							   : NULL;
	const char *f = v && cJSON_IsString(v) ? v->valuestring
					       : (c->query ? c->query(c->query_ctx, key) : NULL);

	if (v && !cJSON_IsString(v))
		return mcall__fail(c, MERR_PARAMS, "param '%s' must be a field name", key);
	if (!f)
		f = def;
	for (const char *p = f; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return mcall__fail(c, MERR_PARAMS, "param '%s' must be a field name", key);
	if (!*f || strlen(f) > 64)
		return mcall__fail(c, MERR_PARAMS, "param '%s' must be a field name", key);
	*out = f;
	return 0;
}

/*
 * ProfMultiTrace - the latency from one tracepoint to another, keyed, as a
 * log2 histogram per interval (the viewer's heatmap): every interval
 * report multi-trace --hist --json printed over the run, in order
 */
int lepd__prof_multi_trace(struct mcall *c, const struct method *m)
{
	char begin[128], end[128], args[640], *text, *line, *save = NULL;
	const char *bk, *ek;
	long secs, ims, pid;
	bool first = true;
	size_t len;
	int n;

	if (param_tracepoint(c, "begin", "sched:sched_wakeup", begin, sizeof(begin)) ||
	    param_tracepoint(c, "end", "sched:sched_switch", end, sizeof(end)))
		return -1;
	/* the default pair's keys are the woken and the switched-in task; else the thread */
	if (param_field(c, "begin_key", !strcmp(begin, "sched:sched_wakeup") ? "pid" : "common_pid",
			&bk) ||
	    param_field(c, "end_key", !strcmp(end, "sched:sched_switch") ? "next_pid" : "common_pid",
			&ek) ||
	    mcall__param_int(c, "seconds", 2, 1, 10, &secs) ||
	    mcall__param_int(c, "interval_ms", 500, 100, 10000, &ims) ||
	    mcall__param_int(c, "pid", 0, 0, 4194304, &pid))
		return -1;
	if (ims > secs * 1000)
		return mcall__fail(c, MERR_PARAMS, "param 'interval_ms' (%ld) must not exceed 'seconds'",
				   ims);
	n = snprintf(args, sizeof(args), "-e %s//key=%s/ -e %s//key=%s/ --hist --json -q -i %ld", begin,
		     bk, end, ek, ims);
	/* one process (and its threads): the run also ends when it does */
	if (pid)
		snprintf(args + n, sizeof(args) - (size_t)n, " -p %ld", pid);
	if (prun__capture(c, "multi-trace", args, (u64)secs * 1000ULL, &text, &len))
		return -1;
	fprintf(c->out, "{\"begin\":\"%s\",\"end\":\"%s\",\"interval_ms\":%ld,\"reports\":[",
		begin, end, ims);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '{')
			continue;
		fprintf(c->out, "%s%s", first ? "" : ",", line);
		first = false;
	}
	fputs("]}", c->out);
	free(text);
	return 0;
}

int lepd__prof_num_dist(struct mcall *c, const struct method *m)
{
	const struct cJSON *v = cJSON_IsObject(c->params) ? cJSON_GetObjectItem(c->params, "field")
							   : NULL;
	const char *f = v && cJSON_IsString(v) ? v->valuestring
					       : (c->query ? c->query(c->query_ctx, "field") : NULL);
	char ev[128], args[384];

	if (param_tracepoint(c, "event", "syscalls:sys_enter_write", ev, sizeof(ev)))
		return -1;
	if (!f)
		f = "count";
	for (const char *p = f; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return mcall__fail(c, MERR_PARAMS, "param 'field' must be a field name");
	if (!*f || strlen(f) > 64)
		return mcall__fail(c, MERR_PARAMS, "param 'field' must be a field name");
	snprintf(args, sizeof(args), "-e %s//num=%s/ --json -q", ev, f);
	return prun_json(c, "num-dist", args);
}
