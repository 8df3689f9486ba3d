// SPDX-License-Identifier: GPL-2.0
/*
 * perf.c - the methods that run perf-prof's profilers in-process (prun.c):
 * lepd's GetCmdPerfCpuclock/Faults (perf report's "# Overhead" table) and
 * GetCmdPerfFlame (perf script's sample/frame layout), all three read from
 * one `trace -g` capture of a sampling event; and perf-prof's own reports as
 * JSON (top, syscalls, num-dist, the CPU flame graph tree). Nothing a
 * client sends becomes an option except numbers and checked tracepoint and
 * field names.
 */
#include <cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "json.h"
#include "lepd.h"
#include "prun.h"

/* a sampling capture: every CPU, stacks, @event at @hz */
static int perf_capture(struct mcall *c, const char *event, int hz, struct samples *s,
			char **text)
{
	char args[128];
	size_t len;
	u64 ms;

	if (prun__seconds(c, &ms))
		return -1;
	snprintf(args, sizeof(args), "-e %s -F %d -g -q", event, hz);
	if (prun__capture(c, "trace", args, ms, text, &len))
		return -1;
	if (samples__parse(*text, s)) {
		samples__free(s);
		free(*text);
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	return 0;
}

/* "do_wp_page+0x5a4" -> "do_wp_page": one node per function, whatever the offset */
static void sym_name(const char *sym, char *buf, size_t len)
{
	const char *plus = strrchr(sym, '+');
	size_t n = plus && plus != sym && !strncmp(plus, "+0x", 3) ? (size_t)(plus - sym) : strlen(sym);

	snprintf(buf, len, "%.*s", (int)n, sym);
}

struct ovh {
	char comm[32];
	char dso[128];
	char sym[160];
	bool kernel;
	u64 n;
};

static int ovh_cmp(const void *a, const void *b)
{
	const struct ovh *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->sym, y->sym);
}

/* a row of the table is keyed by (comm, dso, symbol): the row's address is the key */
static u64 ovh_hash(u64 key, void *ctx)
{
	const struct ovh *o = (const struct ovh *)(uintptr_t)key;

	return fnv1a_str(fnv1a_str(fnv1a_str(FNV1A_INIT, o->comm), o->dso), o->sym);
}

static bool ovh_equal(u64 a, u64 b, void *ctx)
{
	const struct ovh *x = (const struct ovh *)(uintptr_t)a, *y = (const struct ovh *)(uintptr_t)b;

	return !strcmp(x->comm, y->comm) && !strcmp(x->dso, y->dso) && !strcmp(x->sym, y->sym);
}

static const struct hashmap_ops ovh_ops = { .hash = ovh_hash, .equal = ovh_equal };

/*
 * ovh__count - the samples into @rows (room for all of them), one row per
 * distinct (comm, dso, symbol) of the first frame; returns the rows used,
 * or -1 when the table could not grow
 */
static int ovh__count(const struct samples *s, struct ovh *rows)
{
	struct hashmap *h = hashmap__new_ops(sizeof(u64), 0, &ovh_ops);
	int nr = 0;

	for (int i = 0; i < s->nr; i++) {
		const struct sample *p = &s->v[i];
		struct ovh *o = &rows[nr];
		bool created;
		void *v;

		snprintf(o->comm, sizeof(o->comm), "%s", p->comm);
		snprintf(o->dso, sizeof(o->dso), "%s", p->nr ? p->frame[0].dso : "[unknown]");
		sym_name(p->nr ? p->frame[0].sym : "[unknown]", o->sym, sizeof(o->sym));
		o->kernel = p->nr && p->frame[0].addr >= 0xffff800000000000ULL;
		o->n = 0;
		v = hashmap__get_new(h, (u64)(uintptr_t)o, &created);
		if (!v) {
			nr = -1;
			break;
		}
		nr += created;
		/* the row first seen holds the count */
		((struct ovh *)(uintptr_t)hashmap__key(v))->n++;
	}
	hashmap__free(h);
	return nr;
}

/* perf report's table of where the samples' first frames are */
static int perf_report(struct mcall *c, const char *event, int hz)
{
	struct samples s;
	struct ovh *rows;
	char *text;
	int nr;

	if (perf_capture(c, event, hz, &s, &text))
		return -1;
	rows = calloc((size_t)s.nr + 1, sizeof(*rows));
	nr = rows ? ovh__count(&s, rows) : -1;
	if (nr < 0) {
		free(rows);
		samples__free(&s);
		free(text);
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	qsort(rows, (size_t)nr, sizeof(*rows), ovh_cmp);
	fprintf(c->out, "# Samples: %d  of event '%s'\n# Event count (approx.): %d\n#\n", s.nr,
		event, s.nr);
	fprintf(c->out, "# Overhead  %-16s  %-24s  %s\n", "Command", "Shared Object", "Symbol");
	fprintf(c->out, "# ........  ................  ........................  "
			"..............................\n#\n");
	for (int k = 0; k < nr; k++)
		fprintf(c->out, "%9.2f%%  %-16s  %-24s  [%c] %s\n", 100.0 * (double)rows[k].n / s.nr,
			rows[k].comm, rows[k].dso, rows[k].kernel ? 'k' : '.', rows[k].sym);
	free(rows);
	samples__free(&s);
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

/* perf script: "comm pid [cpu] time: 1 event:" then a tab-indented frame a line */
int lepd__perf_flame(struct mcall *c, const struct method *m)
{
	struct samples s;
	char *text;

	if (perf_capture(c, "cpu-clock", 99, &s, &text))
		return -1;
	for (int i = 0; i < s.nr; i++) {
		const struct sample *p = &s.v[i];

		/* LEP takes the first word as the command: no spaces in it */
		for (char *q = p->comm; *q; q++)
			if (isspace((unsigned char)*q))
				*q = '_';
		fprintf(c->out, "%s %6d [%03d] %12.6f: 1 cpu-clock:\n", p->comm, p->tid, p->cpu,
			p->time);
		for (int k = 0; k < p->nr; k++)
			fprintf(c->out, "\t%16llx %s (%s)\n", (unsigned long long)p->frame[k].addr,
				p->frame[k].sym, p->frame[k].dso);
		fputc('\n', c->out);
	}
	samples__free(&s);
	free(text);
	return 0;
}

/* ---------------------------------------------------------- flame graph tree */

/* frames in the tree: the JSON writer nests two levels a frame */
#define FLAME_DEPTH 120

struct fnode {
	char *name;
	u64 value;
	struct fnode *kids;
	int nr, cap;
};

static struct fnode *fnode_child(struct fnode *n, const char *name)
{
	struct fnode *k;

	for (int i = 0; i < n->nr; i++)
		if (!strcmp(n->kids[i].name, name))
			return &n->kids[i];
	if (n->nr == n->cap) {
		int cap = n->cap ? n->cap * 2 : 4;

		k = realloc(n->kids, (size_t)cap * sizeof(*k));
		if (!k)
			return NULL;
		n->kids = k;
		n->cap = cap;
	}
	k = &n->kids[n->nr];
	memset(k, 0, sizeof(*k));
	k->name = strdup(name);
	if (!k->name)
		return NULL;
	n->nr++;
	return k;
}

static void fnode_free(struct fnode *n)
{
	for (int i = 0; i < n->nr; i++)
		fnode_free(&n->kids[i]);
	free(n->kids);
	free(n->name);
}

/* d3-flame-graph's shape: {"name","value","children"} */
static void fnode_json(struct json *j, const char *key, const struct fnode *n)
{
	json_obj_begin(j, key);
	json_str(j, "name", n->name);
	json_uint(j, "value", n->value);
	if (n->nr) {
		json_arr_begin(j, "children");
		for (int i = 0; i < n->nr; i++)
			fnode_json(j, NULL, &n->kids[i]);
		json_arr_end(j);
	}
	json_obj_end(j);
}

int api__profile(struct mcall *c, const struct method *m, struct json *j)
{
	struct fnode root = { 0 };
	struct samples s;
	char *text, name[160];
	int ret = 0;

	if (perf_capture(c, "cpu-clock", 99, &s, &text))
		return -1;
	root.name = strdup("root");
	if (!root.name)
		ret = mcall__fail(c, MERR_FAIL, "out of memory");
	for (int i = 0; i < s.nr && !ret; i++) {
		const struct sample *p = &s.v[i];
		struct fnode *n = &root;

		root.value++;
		n = fnode_child(n, p->comm);
		/* root-most frames first; past FLAME_DEPTH the leaf end is cut */
		for (int k = p->nr - 1; n && k >= 0 && k >= p->nr - FLAME_DEPTH; k--) {
			n->value++;
			sym_name(p->frame[k].sym, name, sizeof(name));
			n = fnode_child(n, name);
		}
		if (n)
			n->value++;
		else
			ret = mcall__fail(c, MERR_FAIL, "out of memory");
	}
	if (!ret) {
		json_str(j, "event", "cpu-clock");
		json_uint(j, "samples", (u64)s.nr);
		fnode_json(j, "flame", &root);
	}
	fnode_free(&root);
	samples__free(&s);
	free(text);
	return ret;
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

/* the last line of a --json report: the final one */
static int prun_json(struct mcall *c, const char *profiler, const char *args)
{
	char *text, *last, *p;
	size_t len;
	u64 ms;

	if (prun__seconds(c, &ms) || prun__capture(c, profiler, args, ms, &text, &len))
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
	return prun_json(c, "top",
			 "-e raw_syscalls:sys_enter//key=id/comm=syscall_name(id)/ --json -q -i 3600s");
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
