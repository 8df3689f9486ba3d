// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - a run's events, from selectors to mapped rings:
 *
 *   -e text --evspec_parse--> evspecs --kind->resolve--> resolved events
 *   (formats loaded, globs expanded, probes created, PMU types and configs)
 *   --kind->attr + sampling + layout--> perf_event_attr --libperf--> fds
 *   --> filter ioctl (else user-space expression) --> one ring per CPU
 *
 * An event kind is an ops table: tracepoints (and globs of them), probes
 * (made into tracefs dynamic events, then read as tracepoints), and perf's
 * own events: software and hardware events by perf's names and raw PMU
 * terms. Adding a kind is one table here and a name in evspec.
 */
#include <asm/perf_regs.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <perf/cpumap.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "evcore.h"
#include "bpffilter.h"
#include "expr.h"
#include "perfev.h"
#include "pmu.h"
#include "probe.h"
#include "run-internal.h"
#include "syms.h"
#include "tep.h"
#include "unwind.h"

#define PMU_ROOT "/sys/bus/event_source/devices"
#define DEFAULT_FREQ 4000	/* clocks and hardware events, as perf record */

/* ------------------------------------------------------- perf's events */

/**
 * struct pmu_event - a perf event known by name: perf's software and
 * hardware events (perf list's names and aliases)
 */
struct pmu_event {
	const char *name;
	const char *alias;
	u32 type;
	u64 config;
	bool clock;		/* counts time: sampled by frequency by default */
	const char *what;
};

static const struct pmu_event pmu_events[] = {
	{ "cpu-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, true,
	  "per-CPU clock, ns: on-CPU sampling that needs no PMU" },
	{ "task-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, true,
	  "the clock of the tasks traced, ns" },
	{ "page-faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, false,
	  "page faults" },
	{ "minor-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN, false,
	  "page faults served without I/O" },
	{ "major-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, false,
	  "page faults that needed I/O" },
	{ "context-switches", "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, false,
	  "context switches" },
	{ "cpu-migrations", "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, false,
	  "moves of a task to another CPU" },
	{ "alignment-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS, false,
	  "unaligned accesses fixed up by the kernel" },
	{ "emulation-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS, false,
	  "instructions emulated by the kernel" },
	{ "cycles", "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, true,
	  "CPU cycles (hardware PMU)" },
	{ "instructions", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, true,
	  "instructions retired (hardware PMU)" },
	{ "cache-references", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, true,
	  "last-level cache accesses (hardware PMU)" },
	{ "cache-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, true,
	  "last-level cache misses (hardware PMU)" },
	{ "branch-instructions", "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
	  true, "branches retired (hardware PMU)" },
	{ "branch-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, true,
	  "mispredicted branches (hardware PMU)" },
	{ "bus-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES, true,
	  "bus cycles (hardware PMU)" },
	{ "stalled-cycles-frontend", "idle-cycles-frontend", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, true, "cycles stalled in the front end (hardware PMU)" },
	{ "stalled-cycles-backend", "idle-cycles-backend", PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_STALLED_CYCLES_BACKEND, true, "cycles stalled in the back end (hardware PMU)" },
	{ "ref-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES, true,
	  "reference cycles, not scaled by frequency (hardware PMU)" },
};

static const struct pmu_event *pmu_event_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(pmu_events); i++)
		if (!strcmp(pmu_events[i].name, name) ||
		    (pmu_events[i].alias && !strcmp(pmu_events[i].alias, name)))
			return &pmu_events[i];
	return NULL;
}

int pmu_events__list(FILE *out, bool (*match)(const char *name, void *arg), void *arg)
{
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pmu_events); i++)
		if (!match || match(pmu_events[i].name, arg)) {
			if (out)
				fprintf(out, "%s\n", pmu_events[i].name);
			n++;
		}
	return n;
}

/* hw_pmu_present - the machine has a hardware PMU for PERF_TYPE_HARDWARE */
static bool hw_pmu_present(void)
{
	static const char *const cores[] = { "cpu", "cpu_core", "cpu_atom", "armv8_pmuv3_0" };
	char path[128];
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(cores); i++) {
		snprintf(path, sizeof(path), "%s/%s", PMU_ROOT, cores[i]);
		if (!stat(path, &st))
			return true;
	}
	return false;
}

static int hw_missing(const struct evspec *ev, struct err *err)
{
	err_set(err, EXIT_FAIL, "cannot sample '%s': this machine has no hardware PMU", ev->display);
	err_detail(err, "hardware events (cycles, instructions, cache and branch events) need "
			"the CPU's performance counters; %s has no core PMU (no cpu/ "
			"directory), as in most virtual machines", PMU_ROOT);
	err_hint(err, "sample the software clock instead: -e cpu-clock (or -e task-clock)");
	return -1;
}

/* ------------------------------------------------------------ raw PMUs */

/* pmu_format_put - store @val in the bits a PMU's format file gives, "config:0-7,32-35" */
static int pmu_format_put(const char *fmt, u64 val, u64 *cfg, u64 *cfg1, u64 *cfg2)
{
	u64 *dst;
	const char *p;
	int shift = 0;

	if (!strncmp(fmt, "config1:", 8)) {
		dst = cfg1;
		p = fmt + 8;
	} else if (!strncmp(fmt, "config2:", 8)) {
		dst = cfg2;
		p = fmt + 8;
	} else if (!strncmp(fmt, "config:", 7)) {
		dst = cfg;
		p = fmt + 7;
	} else {
		return -1;
	}
	while (*p && *p != '\n') {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;

		if (end == p || lo < 0 || lo > 63)
			return -1;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo || hi > 63)
				return -1;
			p = end;
		}
		for (long b = lo; b <= hi; b++, shift++)
			if (shift < 64 && (val >> shift & 1))
				*dst |= 1ULL << b;
		if (*p == ',')
			p++;
	}
	if (shift < 64 && val >> shift)
		return -2;	/* does not fit */
	return 0;
}

/* pmu_terms - "event=0x3c,umask=0x1" or a named event of @pmu into configs */
static int pmu_terms(struct evspec *ev, const char *pmu, const char *terms, struct err *err)
{
	char *dup = xstrdup(terms), *save = NULL, *tok, path[512], *named = NULL;
	int r = -1;

	evcore(ev)->config = evcore(ev)->config1 = evcore(ev)->config2 = 0;
	/* a bare word is one of the PMU's named events: events/NAME holds its terms */
	if (!strchr(terms, '=')) {
		snprintf(path, sizeof(path), "%s/%s/events/%s", PMU_ROOT, pmu, terms);
		named = read_file(path, NULL);
		if (!named) {
			err_set(err, EXIT_USAGE, "PMU '%s' has no event '%s'", pmu, terms);
			err_hint(err, "its events are in %s/%s/events/, or write its terms "
				      "(%s/event=0x..,umask=0x../)", PMU_ROOT, pmu, pmu);
			goto out;
		}
		named[strcspn(named, "\n")] = '\0';
		free(dup);
		dup = named;
	}
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *fmt;
		u64 val = 1;
		int e;

		if (eq) {
			*eq = '\0';
			if (parse_u64(eq + 1, &val)) {
				err_set(err, EXIT_USAGE, "invalid value '%s' of term '%s' in '%s'", eq + 1,
					tok, ev->text);
				err_hint(err, "PMU terms are NAME=NUMBER (decimal or 0x hex)");
				goto out;
			}
		}
		snprintf(path, sizeof(path), "%s/%s/format/%s", PMU_ROOT, pmu, tok);
		fmt = read_file(path, NULL);
		if (!fmt) {
			err_set(err, EXIT_USAGE, "PMU '%s' has no term '%s' (in '%s')", pmu, tok, ev->text);
			err_hint(err, "its terms are the files of %s/%s/format/", PMU_ROOT, pmu);
			goto out;
		}
		e = pmu_format_put(fmt, val, &evcore(ev)->config, &evcore(ev)->config1, &evcore(ev)->config2);
		free(fmt);
		if (e) {
			err_set(err, EXIT_USAGE, "term '%s' of PMU '%s' %s", tok, pmu,
				e == -2 ? "does not fit its bits" : "has a format perf-prof cannot read");
			goto out;
		}
	}
	r = 0;
out:
	free(dup);
	return r;
}

/* --------------------------------------------------------------- kinds */

struct event_kind {
	const char *name;
	/*
	 * resolve - find what @ev names: load its format, expand a glob into
	 * clones, create a probe, find a PMU's type and config. The resolved
	 * events are appended to @out (@ev itself, or its clones: then @ev is
	 * freed by the caller).
	 */
	int (*resolve)(struct run *r, struct evspec *ev, struct evspec_list *out, bool *used,
		       struct err *err);
	/* attr - the kind's part of the attr: type, config, sampling */
	void (*attr)(const struct run *r, struct evspec *ev, struct perf_event_attr *attr);
};

/* tp_raw_min - bytes a record needs to hold every fixed field of @tp */
static u32 tp_raw_min(struct tep_event *tp)
{
	struct tep_format_field **fields = tep_event_fields(tp);
	u32 min = 8;	/* the common fields */

	for (int i = 0; fields && fields[i]; i++)
		if ((u32)(fields[i]->offset + fields[i]->size) > min)
			min = (u32)(fields[i]->offset + fields[i]->size);
	free(fields);
	return min;
}

static int tp_load(struct run *r, struct evspec *ev, struct err *err)
{
	ev->tp = tep__load(r->tep, ev->sys, ev->name, err);
	if (!ev->tp)
		return -1;
	evcore(ev)->type = PERF_TYPE_TRACEPOINT;
	evcore(ev)->config = (u64)ev->tp->id;
	evcore(ev)->raw_min = tp_raw_min(ev->tp);
	if (!ev->display)	/* probes name themselves "uprobe:FUNC" */
		ev->display = ev->alias ? xstrdup(ev->alias) : xasprintf("%s:%s", ev->sys, ev->name);
	return 0;
}

static int tp_expand(struct run *r, struct evspec *ev, struct evspec_list *out, struct err *err)
{
	char **names = NULL, pat[512];
	int n, matched = 0;

	snprintf(pat, sizeof(pat), "%s:%s", ev->sys, ev->name);
	n = tep__tracepoints(&names, err);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char *colon;
		struct evspec *c;

		if (fnmatch(pat, names[i], 0))
			continue;
		colon = strchr(names[i], ':');
		*colon = '\0';
		c = evspec_clone(ev, names[i], colon + 1);
		evcore(c)->from_glob = true;
		*colon = ':';
		evspec_list_add(out, c);
		matched++;
		if (tp_load(r, c, err)) {
			tep__free_names(names, n);
			return -1;
		}
	}
	tep__free_names(names, n);
	if (!matched) {
		err_set(err, EXIT_USAGE, "no tracepoint matches '%s'", pat);
		err_hint(err, "'perf-prof list' shows the tracepoints; quote globs from the shell");
		return -1;
	}
	if (r->prof.opt.verbose)
		run__note(r, "'%s' matches %d tracepoints", pat, matched);
	return 0;
}

static int tp_resolve(struct run *r, struct evspec *ev, struct evspec_list *out, bool *used,
		      struct err *err)
{
	if (evspec_is_glob(ev))
		return tp_expand(r, ev, out, err);
	*used = true;
	evspec_list_add(out, ev);
	return tp_load(r, ev, err);
}

static void tp_attr(const struct run *r, struct evspec *ev, struct perf_event_attr *attr)
{
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = evcore(ev)->config;
	attr->sample_period = 1;
	/* the kernel refuses user callchains on the function tracer's event */
	if (!strcmp(ev->sys, "ftrace") && !strcmp(ev->name, "function"))
		attr->exclude_callchain_user = 1;
}

static int probe_resolve(struct run *r, struct evspec *ev, struct evspec_list *out, bool *used,
			 struct err *err)
{
	/* a probe becomes a tracefs dynamic event, then reads like a tracepoint */
	if (!r->probes && !(r->probes = probes__new(r->diag, err)))
		return -1;
	if (probes__create(r->probes, ev, err))
		return -1;
	*used = true;
	evspec_list_add(out, ev);
	return tp_load(r, ev, err);
}

/* pmu_suggest - "did you mean" for NAME: a perf event, or a tracepoint's NAME part */
static char *pmu_suggest(const char *name, char **tps, int n)
{
	const char **cands = xzalloc((ARRAY_SIZE(pmu_events) + (size_t)(n > 0 ? n : 0)) *
				     sizeof(*cands));
	const char *best;
	char *found = NULL;
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pmu_events); i++)
		cands[k++] = pmu_events[i].name;
	for (int i = 0; i < n; i++)
		cands[k++] = strchr(tps[i], ':') ? strchr(tps[i], ':') + 1 : tps[i];
	best = str_suggest(name, cands, (int)k);
	for (size_t i = 0; best && !found && i < k; i++)
		if (cands[i] == best)
			found = xstrdup(i < ARRAY_SIZE(pmu_events) ? best :
					tps[i - ARRAY_SIZE(pmu_events)]);
	free(cands);
	return found;
}

/* pmu_unknown - a NAME without ':' that names nothing: a tracepoint without its system? */
static int pmu_unknown(const struct evspec *ev, struct err *err)
{
	char **names = NULL, *sys = NULL;
	struct err ignored;
	int n = tep__tracepoints(&names, &ignored);
	bool exact;

	for (int i = 0; i < n && !sys; i++) {
		const char *colon = strchr(names[i], ':');

		if (colon && !strcmp(colon + 1, ev->name))
			sys = xstrdup(names[i]);
	}
	exact = sys != NULL;
	if (!sys)
		sys = pmu_suggest(ev->name, names, n);
	if (n > 0)
		tep__free_names(names, n);
	err_set(err, EXIT_USAGE, "unknown event '%s'", ev->name);
	if (exact)
		err_hint(err, "a tracepoint is named with its system: '%s'", sys);
	else if (sys)
		err_hint(err, "did you mean '%s'?", sys);
	else
		err_hint(err, "a tracepoint is SYS:NAME (sched:sched_switch); perf events are "
			      "cpu-clock, page-faults, context-switches, cycles...; 'perf-prof list' "
			      "shows them all");
	free(sys);
	return -1;
}

/*
 * source_resolve - a profiler named as an event (-e 'PROFILER/OPTIONS/'):
 * the events it would read with OPTIONS (its own defaults, or what its
 * prepare() adds) become events of this run, with the term's attributes.
 * The source's run stays as long as this one: its formats and probes live
 * there.
 */
static int source_resolve(struct run *r, struct evspec *ev, const struct profiler *src,
			  struct evspec_list *out, struct err *err)
{
	struct run *child;
	struct prof *cp;

	if (src == r->prof.ops || r->parent) {
		err_set(err, EXIT_USAGE, "'%s' cannot be an event source here", ev->name);
		err_hint(err, "a profiler reads another profiler's events, one level deep");
		return -1;
	}
	if (!src->prepare && !(src->common & COMMON_EVENTS)) {
		err_set(err, EXIT_USAGE, "profiler '%s' reads no events: it cannot be an event source",
			ev->name);
		return -1;
	}
	child = run__new(src, &(struct run_config){ .out = r->prof.out, .diag = r->diag });
	child->parent = r;
	r->children = xrealloc(r->children, (size_t)(r->nr_children + 1) * sizeof(*r->children));
	r->children[r->nr_children++] = child;
	cp = &child->prof;
	if (run__parse_string(child, ev->filter ? ev->filter : "", err))
		goto fail;
	if (cp->opt.workload || cp->opt.pids || cp->opt.tids || cp->opt.cpus) {
		err_set(err, EXIT_USAGE, "the targets of event source '%s' are the run's", ev->name);
		err_hint(err, "give -C, -p, -t or the command to the profiler that reads them");
		goto fail;
	}
	if (src->prepare) {
		child->prepared = true;
		if (src->prepare(cp, err))
			goto fail;
	}
	if (run__events_parse(child, err))
		goto fail;
	for (int i = 0; i < child->evs.n; i++) {
		struct evspec *c = child->evs.v[i];

		/* the source's options that shape its events */
		if (cp->opt.callgraph)
			c->stack = true;
		if (!c->period && !c->freq) {
			c->period = cp->opt.period;
			c->freq = cp->opt.freq;
		}
		/* and the term's attributes, for the profiler that reads them */
		for (int k = 0; k < ev->nr_attrs; k++) {
			struct evattr *a;

			c->attrs = xrealloc(c->attrs, sizeof(*c->attrs) * (size_t)(c->nr_attrs + 1));
			a = &c->attrs[c->nr_attrs++];
			*a = ev->attrs[k];
			a->name = xstrdup(ev->attrs[k].name);
			a->value = ev->attrs[k].value ? xstrdup(ev->attrs[k].value) : NULL;
		}
		if (ev->alias && child->evs.n == 1) {
			free(c->display);
			c->display = xstrdup(ev->alias);
		}
		c->stack |= ev->stack;
		if (ev->cpus && !c->cpus)
			c->cpus = xstrdup(ev->cpus);
		evspec_list_add(out, c);
	}
	/* the events are this run's now */
	child->evs.n = 0;
	cp->nr_evs = 0;
	if (r->prof.opt.verbose)
		run__note(r, "event source '%s' gives %d events", ev->name, out->n);
	return 0;
fail:
	err_prefix(err, "event source '%s'", ev->name);
	return -1;
}

/* pmu_resolve - a NAME without ':': a profiler, perf's event name, or PMU/TERMS/ */
static int pmu_resolve(struct run *r, struct evspec *ev, struct evspec_list *out, bool *used,
		       struct err *err)
{
	const struct profiler *src = profiler__find(ev->name);
	const struct pmu_event *pe = pmu_event_find(ev->name);
	char path[512], *type;

	if (src)
		return source_resolve(r, ev, src, out, err);

	*used = true;
	evspec_list_add(out, ev);
	ev->sampling = true;
	evcore(ev)->raw_min = 0;
	if (pe) {
		evcore(ev)->type = pe->type;
		evcore(ev)->config = pe->config;
		if (!ev->display)
			ev->display = xstrdup(ev->alias ? ev->alias : pe->name);
		if (pe->type == PERF_TYPE_HARDWARE && !hw_pmu_present())
			return hw_missing(ev, err);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s/type", PMU_ROOT, ev->name);
	type = read_file(path, NULL);
	if (!type)
		return pmu_unknown(ev, err);
	evcore(ev)->type = (u32)strtoul(type, NULL, 10);
	free(type);
	/* PMU/TERMS/: the first segment holds the terms, not a filter */
	if (!ev->filter) {
		err_set(err, EXIT_USAGE, "PMU '%s' needs its terms: '%s/event=0x..,umask=0x../'",
			ev->name, ev->name);
		err_hint(err, "or one of its named events: '%s/NAME/' (%s/%s/events/)", ev->name,
			 PMU_ROOT, ev->name);
		return -1;
	}
	if (pmu_terms(ev, ev->name, ev->filter, err))
		return -1;
	if (!ev->display)
		ev->display = ev->alias ? xstrdup(ev->alias) : xasprintf("%s/%s/", ev->name, ev->filter);
	free(ev->filter);
	ev->filter = NULL;
	return 0;
}

static void pmu_attr(const struct run *r, struct evspec *ev, struct perf_event_attr *attr)
{
	const struct prof_common *o = &r->prof.opt;
	const struct pmu_event *pe = pmu_event_find(ev->name);
	bool clock = !pe || pe->clock;

	attr->type = evcore(ev)->type;
	attr->config = evcore(ev)->config;
	attr->config1 = evcore(ev)->config1;
	attr->config2 = evcore(ev)->config2;
	/* the event's own period=/freq=, then -c/-F, then the kind's default */
	if (ev->period) {
		attr->sample_period = ev->period;
	} else if (ev->freq) {
		attr->freq = 1;
		attr->sample_freq = ev->freq;
	} else if (o->period) {
		attr->sample_period = o->period;
	} else if (o->freq) {
		attr->freq = 1;
		attr->sample_freq = o->freq;
	} else if (clock) {
		attr->freq = 1;
		attr->sample_freq = DEFAULT_FREQ;
	} else {
		attr->sample_period = 1;	/* every fault, every switch */
	}
	evcore(ev)->sample_period = attr->freq ? 0 : attr->sample_period;
}

static const struct event_kind kinds[] = {
	[EVSPEC_TRACEPOINT] = { "tracepoint", tp_resolve, tp_attr },
	[EVSPEC_UPROBE] = { "uprobe", probe_resolve, tp_attr },
	[EVSPEC_URETPROBE] = { "uretprobe", probe_resolve, tp_attr },
	[EVSPEC_KPROBE] = { "kprobe", probe_resolve, tp_attr },
	[EVSPEC_KRETPROBE] = { "kretprobe", probe_resolve, tp_attr },
	[EVSPEC_PMU] = { "perf event", pmu_resolve, pmu_attr },
};

/* ---------------------------------------------------------------- parse */

int run__events_parse(struct run *r, struct err *err)
{
	struct prof *prof = &r->prof;
	struct evspec_list parsed = { 0 };
	int ret = -1;

	if (!prof->opt.events.n && (prof->ops->common & COMMON_EVENTS)) {
		err_set(err, EXIT_USAGE, "no event given");
		err_hint(err, "add -e SYS:NAME (see 'perf-prof list' and 'perf-prof %s -h')",
			 prof->ops->name);
		return -1;
	}
	for (int i = 0; i < prof->opt.events.n; i++)
		if (evspec_parse(prof->opt.events.v[i], i, prof->ops->attrs, &parsed, err))
			goto out;
	for (int i = 0; i < parsed.n; i++) {
		struct evspec *ev = parsed.v[i];
		bool used = false;
		int e = kinds[ev->kind].resolve(r, ev, &r->evs, &used, err);

		if (used)
			parsed.v[i] = NULL;	/* the run owns it now */
		if (e)
			goto out;
	}
	for (int i = 0; i < r->evs.n; i++) {
		r->evs.v[i]->index = i;
		r->evs.v[i]->env = &r->env;
	}
	prof->evs = r->evs.v;
	prof->nr_evs = r->evs.n;
	r->expr_errors = xzalloc((size_t)(r->evs.n ? r->evs.n : 1) * sizeof(*r->expr_errors));
	ret = 0;
out:
	evspec_list_free(&parsed);
	return ret;
}

void run__events_free(struct run *r)
{
	for (int i = 0; i < r->evs.n; i++) {
		expr_free(evcore(r->evs.v[i])->ufilter);
		evcore(r->evs.v[i])->ufilter = NULL;
		bpf_filter__delete(evcore(r->evs.v[i])->kfilter);
		evcore(r->evs.v[i])->kfilter = NULL;
		free(r->evs.v[i]->display);
		r->evs.v[i]->display = NULL;
		evcore(r->evs.v[i])->evsel = NULL;
	}
	evspec_list_free(&r->evs);
	r->prof.evs = NULL;
	r->prof.nr_evs = 0;
}

/* ----------------------------------------------------------------- attrs */

#define RING_DWARF_RECORDS 512ULL	/* stack copies a default ring holds */

static int ring_pages(const struct run *r)
{
	const struct prof *prof = &r->prof;
	int pages = prof->opt.pages ? prof->opt.pages : prof->ops->pages ? prof->ops->pages : 64;

	if (!prof->opt.pages) {
		long page = sysconf(_SC_PAGESIZE);
		int rings = r->cpus ? perf_cpu_map__nr(r->cpus) : 1;

		for (int i = 0; i < r->evs.n; i++)
			if (r->evs.v[i]->stack) {
				pages *= 2;	/* callchains make records several times larger */
				break;
			}
		/*
		 * A DWARF record carries a copy of the user stack: hold a burst of
		 * RING_DWARF_RECORDS of them (a tight loop of system calls writes
		 * hundreds before the reader is scheduled), so the default loses none.
		 */
		if (r->stack_user && prof->opt.user_callchain) {
			u64 want = RING_DWARF_RECORDS * (r->stack_user + 1024) / (u64)page;

			while ((u64)pages < want)
				pages *= 2;
		}
		/* defaults stay within 64 MiB of locked memory on big machines */
		while (pages > 16 && (u64)pages * (u64)page * (u64)rings > (64ULL << 20))
			pages /= 2;
	}
	return pages;
}

/*
 * event_layout - what the samples of @ev carry: tracepoints their record
 * (RAW) and the count they stand for (PERIOD); sampling events the sampled
 * IP and their period. Stacks and the DWARF copy on top.
 */
static u64 event_layout(const struct run *r, const struct evspec *ev)
{
	u64 t = r->sample_base;

	/*
	 * A software event with PERIOD in its samples and a fixed period is
	 * sampled at every event whatever the period (the kernel takes the
	 * count as the period, for tracepoints): ask for it only with -F.
	 */
	if (ev->sampling)
		t = (t & ~(u64)(PERF_SAMPLE_RAW | (evcore(ev)->sample_period ? PERF_SAMPLE_PERIOD : 0))) |
		    PERF_SAMPLE_IP;
	if (ev->stack)
		t |= PERF_SAMPLE_CALLCHAIN;
	if (ev->stack && r->stack_user && r->prof.opt.user_callchain)
		t |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	return t;
}

static void event_attr(struct run *r, struct evspec *ev, bool first, struct perf_event_attr *attr)
{
	struct prof *prof = &r->prof;
	int wm = prof->opt.watermark ? prof->opt.watermark :
		 prof->ops->watermark ? prof->ops->watermark : 50;
	u64 ring_bytes = (u64)ring_pages(r) * (u64)sysconf(_SC_PAGESIZE);

	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	kinds[ev->kind].attr(r, ev, attr);
	evcore(ev)->sample_type = event_layout(r, ev);
	attr->sample_type = evcore(ev)->sample_type;
	/* the kernel drops them before any record or BPF program is made */
	if (ev->sampling) {
		attr->exclude_user = prof->opt.exclude_user;
		attr->exclude_kernel = prof->opt.exclude_kernel;
	}
	if (ev->stack) {
		/* with DWARF the user part comes from unwinding the copied stack */
		attr->exclude_callchain_user = !prof->opt.user_callchain || r->stack_user;
		attr->exclude_callchain_kernel = !prof->opt.kernel_callchain;
		if (evcore(ev)->sample_type & PERF_SAMPLE_REGS_USER) {
			attr->sample_regs_user = UNWIND_REGS_MASK;
			attr->sample_stack_user = (u32)r->stack_user;
		}
	}
	attr->read_format = PERF_FORMAT_ID;
	if (ev->max_stack)
		attr->sample_max_stack = (u16)ev->max_stack;
	attr->disabled = 1;
	attr->sample_id_all = 1;
	/* --tsc converts the perf clock, the one the control page describes */
	attr->use_clockid = !prof->opt.tsc;
	attr->clockid = CLOCK_MONOTONIC;
	/* wake up by watermark, never per event */
	attr->watermark = 1;
	attr->wakeup_watermark = (u32)(ring_bytes * (u64)wm / 100);
	if (!attr->wakeup_watermark)
		attr->wakeup_watermark = 1;
	/* a flight recorder: the kernel overwrites the oldest records, read at the end */
	if (prof->opt.overwrite) {
		attr->write_backward = 1;
		attr->wakeup_watermark = (u32)ring_bytes;
	}
	if (r->task_mode && !r->cpu_wide && !prof->opt.tids)
		attr->inherit = 1;
	if (r->has_workload && !r->cpu_wide)
		attr->enable_on_exec = 1;
	if (first) {
		/* one event per ring carries the task records (comm names) */
		attr->comm = 1;
		attr->task = 1;
		/* and, for user stacks, the executable mappings */
		if (r->env.syms) {
			attr->mmap = 1;
			attr->mmap2 = 1;
			attr->comm_exec = 1;
		}
	}
}

/* ------------------------------------------------------------------ open */

static const char *open_hint(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		if (!geteuid())
			return "perf-prof runs as root: the kernel keeps this event to itself (a "
			       "security policy such as lockdown, or a feature that is off)";
		return "run perf-prof as root (or lower /proc/sys/kernel/perf_event_paranoid)";
	case EMFILE:
		return "too many open files: raise 'ulimit -n' or attach to fewer CPUs/threads";
	case ESRCH:
		return "the target task exited before its events could be opened";
	default:
		return NULL;
	}
}

static int open_failed(struct run *r, struct evspec *ev, int e, struct err *err)
{
	const char *h;

	if (evcore(ev)->type == PERF_TYPE_HARDWARE && (e == ENOENT || e == EOPNOTSUPP || e == ENODEV))
		return hw_missing(ev, err);
	err_set(err, EXIT_FAIL, "cannot open event '%s': %s", ev->display, strerror(e));
	if (ev->sampling && (e == EINVAL || e == EOPNOTSUPP))
		err_detail(err, "the kernel refused to sample it%s%s",
			   evcore(ev)->type > PERF_TYPE_MAX ? ": this PMU may count but not sample" : "",
			   ev->freq || r->prof.opt.freq ? " at that frequency" : "");
	h = open_hint(e);
	if (h)
		err_hint(err, "%s", h);
	else if (ev->sampling && e == EINVAL && evcore(ev)->type > PERF_TYPE_MAX)
		err_hint(err, "perf-prof samples events; a counting-only PMU's events are read "
			      "with 'perf stat'");
	else if (ev->sampling && e == EINVAL)
		err_hint(err, "try another period (-c N) or frequency (-F HZ), within "
			      "/proc/sys/kernel/perf_event_max_sample_rate");
	return -1;
}

/*
 * run__events_open_each - open one by one to name the event that fails. A
 * glob's match the kernel refuses (irq_vectors:* as root, ftrace's own) is
 * skipped with a note naming it, as long as some event opens; the task
 * records the first event carries move to the next one.
 */
static int run__events_open_each(struct run *r, struct err *err)
{
	struct perf_event_attr carry = { 0 };
	bool carrying = false;
	int opened = 0, skipped = 0;
	char names[512] = "";

	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];
		struct perf_event_attr *attr;
		int e;

		if (evcore(ev)->in_kernel)
			continue;
		attr = perf_evsel__attr(evcore(ev)->evsel);
		if (carrying) {
			attr->comm = carry.comm;
			attr->task = carry.task;
			attr->mmap = carry.mmap;
			attr->mmap2 = carry.mmap2;
			attr->comm_exec = carry.comm_exec;
		}
		e = perf_evsel__open(evcore(ev)->evsel, perf_evsel__cpus(evcore(ev)->evsel), r->threads);
		if (!e) {
			opened++;
			carrying = false;
			continue;
		}
		e = -e > 0 && -e < 4096 ? -e : errno;
		if (!evcore(ev)->from_glob || (e != EPERM && e != EACCES && e != EINVAL && e != ENOENT &&
				       e != EOPNOTSUPP))
			return open_failed(r, ev, e, err);
		if (attr->comm && !carrying) {
			carry = *attr;
			carrying = true;
		}
		perf_evlist__remove(r->evlist, evcore(ev)->evsel);
		perf_evsel__delete(evcore(ev)->evsel);
		evcore(ev)->evsel = NULL;
		evcore(ev)->skipped = true;
		if (skipped++ < 8)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s (%s)",
				 skipped > 1 ? ", " : "", ev->display, strerror(e));
	}
	if (!opened && !r->tracker)
		return err_set(err, EXIT_FAIL, "the kernel refused every event: %s%s", names,
			       skipped > 8 ? ", ..." : "");
	if (skipped)
		run__note(r, "skipped %d of the events matched, which the kernel refused to open: "
			     "%s%s", skipped, names, skipped > 8 ? ", ..." : "");
	r->opened = true;
	return 0;
}

/*
 * run__events_cpus - cpus=LIST: the event is opened only on the run's CPUs
 * that LIST names (its own CPU map, which libperf keeps when it spreads the
 * run's maps over the events)
 */
static int run__events_cpus(struct run *r, struct err *err)
{
	int max = perf_cpu_map__max(r->cpus).cpu + 1;

	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];
		bool *set;
		char *buf, *p;
		int n = 0, beyond;
		struct perf_cpu_map *map;

		if (!ev->cpus)
			continue;
		if (max <= 0) {
			err_set(err, EXIT_USAGE, "cpus= of '%s' needs events on CPUs", ev->display);
			return -1;
		}
		set = xzalloc((size_t)max + 1);
		if (parse_cpu_list(ev->cpus, set, max, &beyond, err)) {
			free(set);
			err_prefix(err, "cpus= of '%s'", ev->display);
			return -1;
		}
		buf = p = xzalloc((size_t)max * 12 + 1);
		for (int k = 0; k < perf_cpu_map__nr(r->cpus); k++) {
			int c = perf_cpu_map__cpu(r->cpus, k).cpu;

			if (c >= 0 && c < max && set[c]) {
				p += sprintf(p, "%s%d", n ? "," : "", c);
				n++;
			}
		}
		free(set);
		if (!n) {
			err_set(err, EXIT_USAGE, "cpus=%s of '%s' names none of the run's CPUs", ev->cpus,
				ev->display);
			err_hint(err, "the run's CPUs are those of -C, or every online CPU");
			free(buf);
			return -1;
		}
		/* an event a profiler aggregates in the kernel has no perf event of its own */
		if (!evcore(ev)->evsel) {
			free(buf);
			continue;
		}
		map = perf_cpu_map__new(buf);
		free(buf);
		if (!map)
			return err_set(err, EXIT_FAIL, "out of memory");
		perfev__set_own_cpus(evcore(ev)->evsel, map);
		perf_cpu_map__put(map);
	}
	return 0;
}

int run__events_open(struct run *r, struct err *err)
{
	bool tracker = false;

	r->evlist = perf_evlist__new();
	if (!r->evlist)
		return err_set(err, EXIT_FAIL, "out of memory");
	/* every ring is per CPU (task-bound events too) unless a map says "any" */
	r->sample_base = SAMPLE_BASE;
	for (int i = 0; i < perf_cpu_map__nr(r->cpus); i++)
		if (perf_cpu_map__cpu(r->cpus, i).cpu < 0)
			r->sample_base |= PERF_SAMPLE_CPU;
	r->trailer_time = r->sample_base & PERF_SAMPLE_CPU ? 24 : 16;
	/*
	 * One event per ring carries the task records (names, mappings): the
	 * first, unless some event is opened on fewer CPUs (cpus=); then a
	 * dummy software event on every CPU carries them, as perf's does.
	 */
	/* ... or when events are aggregated in the kernel and have no ring event */
	for (int i = 0; i < r->evs.n; i++)
		tracker |= r->evs.v[i]->cpus != NULL || evcore(r->evs.v[i])->in_kernel;
	if (tracker) {
		struct perf_event_attr attr;

		event_attr(r, r->evs.v[0], true, &attr);
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = PERF_COUNT_SW_DUMMY;
		attr.sample_type &= PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				    PERF_SAMPLE_CPU;
		attr.sample_period = 1;
		attr.freq = 0;
		attr.exclude_callchain_user = attr.exclude_callchain_kernel = 0;
		attr.sample_regs_user = 0;
		attr.sample_stack_user = 0;
		attr.sample_max_stack = 0;
		r->tracker = perf_evsel__new(&attr);
		if (!r->tracker)
			return err_set(err, EXIT_FAIL, "out of memory");
		perf_evlist__add(r->evlist, r->tracker);
	}
	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];
		struct perf_event_attr attr;

		if (evcore(ev)->in_kernel)
			continue;
		event_attr(r, ev, i == 0 && !tracker, &attr);
		evcore(ev)->evsel = perf_evsel__new(&attr);
		if (!evcore(ev)->evsel)
			return err_set(err, EXIT_FAIL, "out of memory");
		perf_evlist__add(r->evlist, evcore(ev)->evsel);
	}
	if (run__events_cpus(r, err))
		return -1;
	perf_evlist__set_maps(r->evlist, r->cpus, r->threads);
	if (r->tracker && perf_evsel__open(r->tracker, r->cpus, r->threads))
		return err_set(err, EXIT_FAIL, "cannot open the task-record event: %s",
			       strerror(errno));
	return run__events_open_each(r, err);
}

/* --------------------------------------------------------------- filters */

/* user_filter - compile @ev's filter for user space; -1 with @err when it is no expression */
static int user_filter(struct run *r, struct evspec *ev, const char *reason, struct err *err)
{
	struct err xerr;
	char shown[128];

	evcore(ev)->ufilter = expr_compile(ev->filter, ev->tp, &xerr);
	if (!evcore(ev)->ufilter) {
		/* the event part of the term as written (a probe's is not sys:name) */
		int n = ev->filter_col > ev->col ? ev->filter_col - ev->col - 1 :
						   (int)strlen(ev->text);

		err_set(err, EXIT_USAGE, "invalid filter '%s' for '%s'",
			str_elide(shown, sizeof(shown), ev->filter, sizeof(shown) - 1), ev->display);
		if (reason)
			err_detail(err, "the kernel refused it: %s", reason);
		err_detail(err, "%s: %s", reason ? "and it is not a valid user-space expression" :
						   "it is not a valid expression", xerr.msg);
		if (xerr.detail[0])
			err_detail(err, "%s", xerr.detail);
		err_hint(err, "\"perf-prof %s -e '%.*s' help\" lists the fields; see "
			      "Documentation/expressions.md",
			 r->prof.ops->name, n, ev->arg + ev->col);
		return -1;
	}
	expr_bind(evcore(ev)->ufilter, &r->env);
	r->user_filters = true;
	return 0;
}

int run__events_filters(struct run *r, struct err *err)
{
	char self_pid[64];

	snprintf(self_pid, sizeof(self_pid), "common_pid!=%d", (int)getpid());
	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];
		/*
		 * A system-wide user-space probe must not fire in perf-prof: its
		 * own mallocs (formatting each event) would raise more malloc
		 * events without end. Tracepoints keep perf-prof's own activity
		 * (bounded, and a filter on common_pid would also drop events
		 * about other tasks raised while perf-prof was current).
		 */
		const char *self = !r->task_mode && (ev->kind == EVSPEC_UPROBE ||
						     ev->kind == EVSPEC_URETPROBE) ? self_pid : "";
		char reason[512];
		int e;

		if (evcore(ev)->skipped || evcore(ev)->in_kernel)
			continue;
		/* perf's own events have no ftrace filter: theirs runs in user space */
		if (ev->sampling) {
			if (ev->filter && user_filter(r, ev, NULL, err))
				return -1;
			if (ev->filter && r->prof.opt.verbose)
				run__note(r, "'%s' filters '%s' in user space", ev->display, ev->filter);
			continue;
		}
		if (!ev->filter) {
			if (self[0])
				perfev__set_filter(evcore(ev)->evsel, self);
			continue;
		}
		if (r->prof.opt.bpf) {	/* --bpf: every filter runs in a BPF program */
			if (bpf_filter__attach_ev(ev, r->evs.v, r->evs.n, err)) {
				if (!err->hint[0])
					err_hint(err, "without --bpf, the kernel's ftrace filter or "
						      "user space runs it");
				return -1;
			}
			/* user space decides what the program passes on undecided (errors, long strings) */
			if (!bpf_filter__exact(evcore(ev)->kfilter) && user_filter(r, ev, NULL, err))
				return -1;
			if (r->prof.opt.verbose)
				run__note(r, "'%s' filters '%s' with a BPF program", ev->display,
					  ev->filter);
			continue;
		}
		if (self[0]) {
			char *both = xasprintf("(%s)&&%s", ev->filter, self);

			e = perfev__set_filter(evcore(ev)->evsel, both);
			free(both);
		} else {
			e = perfev__set_filter(evcore(ev)->evsel, ev->filter);
		}
		if (!e) {
			if (r->prof.opt.verbose)
				run__note(r, "'%s' filters '%s' in the kernel", ev->display, ev->filter);
			continue;
		}
		tep__filter_reason(ev->sys, ev->name, ev->filter, reason, sizeof(reason));
		if (!reason[0])
			snprintf(reason, sizeof(reason), "%s", strerror(-e));
		/*
		 * Not in BPF unless asked (--bpf): a tracepoint's BPF program
		 * filters the tracepoint for every tracer of it, not for this run.
		 */
		if (user_filter(r, ev, reason, err))
			return -1;
		if (self[0])	/* the kernel keeps the self-exclusion alone */
			perfev__set_filter(evcore(ev)->evsel, self);
		/* where a filter runs changes no result: said with -v only */
		if (r->prof.opt.verbose) {
			run__note(r, "note: the kernel refused filter '%s' on '%s'; filtering in "
				     "user space", ev->filter, ev->display);
			run__note(r, "kernel reason: %s", reason);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- stacks */

int run__events_stacks(struct run *r, struct err *err)
{
	struct prof_common *o = &r->prof.opt;
	bool per_event = false, all, any;

	/*
	 * -g asks for stacks everywhere; --call-graph only says how they are
	 * taken when some events carry 'stack' (frees and return probes then
	 * don't pay for callchains), and means everywhere otherwise.
	 */
	for (int i = 0; i < r->evs.n; i++)
		per_event |= r->evs.v[i]->stack;
	all = o->callgraph || (o->call_graph && !per_event);
	any = all || per_event;
	for (int i = 0; i < r->evs.n && all; i++)
		r->evs.v[i]->stack = true;
	if (!any && o->srcline) {
		err_set(err, EXIT_USAGE, "--srcline needs stacks");
		err_hint(err, "add -g, --call-graph dwarf, or the 'stack' attribute to an event");
		return -1;
	}
	if (!any)
		return 0;
	r->env.syms = syms__new(o->srcline ? SYMS_SRCLINE | SYMS_INLINE : 0);
	syms__set_ksyms(r->env.syms, r->env.ksyms);
	if (o->call_graph && !strncmp(o->call_graph, "dwarf", 5)) {
		u64 size = UNWIND_STACK_DEFAULT;

		if (o->call_graph[5] == ',')
			parse_u64(o->call_graph + 6, &size);
		r->stack_user = size;
		/*
		 * the copies are unwound where they are, in the ring (copying them
		 * out first costs more than unwinding reads): their space goes back
		 * every 16 records, not 1024, so the kernel writes on meanwhile
		 */
		r->done_mask = 15;
		r->unwind = unwind__new(r->env.syms);
		r->sp_index = __builtin_popcountll(UNWIND_REGS_MASK & ((1ULL << PERF_REG_X86_SP) - 1));
		r->chain = xzalloc((PERF_MAX_STACK_DEPTH * 2 + 4) * sizeof(u64));
	}
	return 0;
}

/* ----------------------------------------------------------------- rings */

int run__events_mmap(struct run *r, struct err *err)
{
	struct perfev_mmap *maps;
	int pages = ring_pages(r), n, nr_ids = 0, n_ids = 0;
	u64 *all_ids;
	void **all_evs;
	u64 data_size = (u64)pages * (u64)sysconf(_SC_PAGESIZE);

	if (perf_evlist__mmap(r->evlist, pages)) {
		int e = errno;

		err_set(err, EXIT_FAIL, "cannot map %d-page ring buffers: %s", pages, strerror(e));
		if (e == EPERM || e == ENOMEM)
			err_hint(err, "use fewer pages (-m) or raise "
				      "/proc/sys/kernel/perf_event_mlock_kb");
		return -1;
	}
	n = perfev__mmaps(r->evlist, &maps);
	r->rings = xzalloc((size_t)(n ? n : 1) * sizeof(*r->rings));
	for (int i = 0; i < n; i++) {
		int tid = maps[i].thread >= 0 ? perf_thread_map__pid(r->threads, maps[i].thread) : -1;

		ring__init_mmap(&r->rings[i], maps[i].base, data_size, maps[i].fd, maps[i].cpu, tid);
		r->rings[i].idx = i;
	}
	r->nr_rings = n;
	free(maps);
	for (int i = 0; i < r->evs.n; i++) {
		const u64 *ids;

		if (evcore(r->evs.v[i])->evsel)
			nr_ids += perfev__ids(evcore(r->evs.v[i])->evsel, &ids);
	}
	all_ids = xzalloc((size_t)(nr_ids ? nr_ids : 1) * sizeof(*all_ids));
	all_evs = xzalloc((size_t)(nr_ids ? nr_ids : 1) * sizeof(*all_evs));
	for (int i = 0; i < r->evs.n; i++) {
		const u64 *ids;
		int k = evcore(r->evs.v[i])->evsel ? perfev__ids(evcore(r->evs.v[i])->evsel, &ids) : 0;

		for (int j = 0; j < k; j++) {
			all_ids[n_ids] = ids[j];
			all_evs[n_ids++] = r->evs.v[i];
		}
	}
	idmap__init(&r->ids, all_ids, all_evs, n_ids);
	free(all_ids);
	free(all_evs);
	if (order__init(&r->order, r->rings, r->nr_rings))
		return err_set(err, EXIT_FAIL, "out of memory");
	return 0;
}

/* run__events_layouts - the replay path's layouts, ids i + 1 for event i */
void run__events_layouts(struct run *r)
{
	u64 *ids = xzalloc((size_t)(r->evs.n ? r->evs.n : 1) * sizeof(*ids));
	void **evs = xzalloc((size_t)(r->evs.n ? r->evs.n : 1) * sizeof(*evs));

	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];

		if (r->prof.opt.callgraph)
			ev->stack = true;
		evcore(ev)->sample_type = event_layout(r, ev);
		ids[i] = (u64)i + 1;
		evs[i] = ev;
	}
	idmap__init(&r->ids, ids, evs, r->evs.n);
	free(ids);
	free(evs);
}
