// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline.c - a run's command line: the common options (those its profiler
 * accepts), the profiler's own table, positional arguments and the workload
 * after "--"; the -h text and the "help" word. Every host (the CLI, the
 * daemon, profilers named as event sources, tests) parses through here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "evcore.h"
#include "expr.h"
#include "run-internal.h"

/* ------------------------------------------------------- common options */

static int opt_pages(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	/* 65536 pages = 256 MiB per CPU with 4 KiB pages: far past any need */
	if (parse_u64(arg, &v) || !v || (v & (v - 1)) || v > (1 << 16)) {
		err_set(err, EXIT_USAGE, "invalid ring size '-m %s': must be a power of two "
					 "number of pages, at most 65536", arg);
		err_hint(err, "try -m 64 (256 KiB per CPU with 4 KiB pages)");
		return -1;
	}
	*(int *)dst = (int)v;
	return 0;
}

static int opt_watermark(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	if (parse_u64(arg, &v) || !v || v > 100) {
		err_set(err, EXIT_USAGE, "invalid '--watermark %s': must be a percentage 1-100", arg);
		err_hint(err, "the default wakes the reader when the ring is half full (50)");
		return -1;
	}
	*(int *)dst = (int)v;
	return 0;
}

static int opt_interval(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	/* a bare number is milliseconds (compatibility); units are accepted too */
	if (!parse_u64(arg, &v)) {
		if (!v || v > 86400000ULL)
			goto bad;
		*(u64 *)dst = v * 1000000ULL;
		return 0;
	}
	if (parse_duration(arg, &v) || v < 1000000ULL)
		goto bad;
	*(u64 *)dst = v;
	return 0;
bad:
	err_set(err, EXIT_USAGE, "invalid interval '-i %s'", arg);
	err_hint(err, "give milliseconds (-i 1000) or a duration of at least 1ms (-i 2s)");
	return -1;
}

static int opt_exit_n(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	if (parse_u64(arg, &v) || !v) {
		err_set(err, EXIT_USAGE, "invalid '-N %s': must be a positive count", arg);
		return -1;
	}
	*(u64 *)dst = v;
	return 0;
}

static int opt_freq(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	if (parse_u64(arg, &v) || !v || v > 1000000) {
		err_set(err, EXIT_USAGE, "invalid '-F %s': a sampling frequency in Hz, 1-1000000",
			arg);
		err_hint(err, "-F 99 samples each CPU 99 times a second; the kernel may lower "
			      "it (/proc/sys/kernel/perf_event_max_sample_rate)");
		return -1;
	}
	*(u64 *)dst = v;
	return 0;
}

static int opt_period(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	if (parse_u64(arg, &v) || !v) {
		err_set(err, EXIT_USAGE, "invalid '-c %s': a sampling period, a positive count",
			arg);
		err_hint(err, "-c 10000 takes one sample every 10000 events (or ns of cpu-clock)");
		return -1;
	}
	*(u64 *)dst = v;
	return 0;
}

static int opt_clock_offset(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 0);
	if (!*arg || *end || errno) {
		err_set(err, EXIT_USAGE, "invalid '--clock-offset %s': a number of ns, may be negative",
			arg);
		return -1;
	}
	*(s64 *)dst = v;
	return 0;
}

static int opt_sampling_limit(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 v;

	if (parse_u64(arg, &v) || !v) {
		err_set(err, EXIT_USAGE, "invalid '--sampling-limit %s': samples per second per "
					 "event, a positive count", arg);
		return -1;
	}
	*(u64 *)dst = v;
	return 0;
}

static int opt_call_graph(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	u64 size;

	if (!strcmp(arg, "fp") || !strcmp(arg, "dwarf")) {
		*(const char **)dst = arg;
		return 0;
	}
	if (!strncmp(arg, "dwarf,", 6) && !parse_u64(arg + 6, &size) && size >= 64 &&
	    size <= 65528 && !(size & 7)) {
		*(const char **)dst = arg;
		return 0;
	}
	err_set(err, EXIT_USAGE, "invalid '--call-graph %s'", arg);
	err_hint(err, "use fp, dwarf, or dwarf,SIZE with SIZE a multiple of 8 in 64..65528");
	return -1;
}

#define COPT(mask_, ...) { .mask = (mask_), .opt = { __VA_ARGS__ } }
#define OFF(f) offsetof(struct prof_common, f)

static const struct {
	unsigned int mask;
	struct opt opt;
} common_opts[] = {
	COPT(COMMON_EVENTS, OPT_STRLIST, 'e', "event", OFF(events), "EVENT,...",
	     "events: SYS:NAME[/FILTER/[ATTR/]...] (repeatable)"),
	COPT(COMMON_TARGET, OPT_STRING, 'C', "cpus", OFF(cpus), "CPUS", "only these CPUs: 0, 0-3, 0,2"),
	COPT(COMMON_TARGET, OPT_STRING, 'p', "pids", OFF(pids), "PIDS",
	     "attach to these processes (all their threads)"),
	COPT(COMMON_TARGET, OPT_STRING, 't', "tids", OFF(tids), "TIDS", "attach to these threads"),
	COPT(COMMON_INTERVAL, OPT_CALLBACK, 'i', "interval", OFF(interval), "MS",
	     "report every MS milliseconds (or 2s, 500ms)", opt_interval),
	COPT(COMMON_RING, OPT_CALLBACK, 'm', "mmap-pages", OFF(pages), "PAGES",
	     "ring buffer pages per CPU, a power of two", opt_pages),
	COPT(COMMON_RING, OPT_CALLBACK, 0, "watermark", OFF(watermark), "PCT",
	     "wake the reader when the ring is PCT% full (default 50)", opt_watermark),
	COPT(COMMON_EXIT_N, OPT_CALLBACK, 'N', "exit-N", OFF(exit_n), "COUNT",
	     "stop after COUNT samples (after filtering)", opt_exit_n),
	COPT(COMMON_SAMPLING, OPT_CALLBACK, 'F', "freq", OFF(freq), "HZ",
	     "sampling events (cpu-clock, cycles, ...) sample HZ times a second", opt_freq),
	COPT(COMMON_SAMPLING, OPT_CALLBACK, 'c', "count", OFF(period), "PERIOD",
	     "sampling events sample once every PERIOD events (ns for cpu-clock)", opt_period),
	COPT(COMMON_OVERWRITE, OPT_BOOL, 0, "overwrite", OFF(overwrite), NULL,
	     "flight recorder: the rings keep only the newest records, read at the end "
	     "(or SIGUSR1)"),
	COPT(COMMON_TARGET, OPT_BOOL, 0, "ptrace", OFF(ptrace), NULL,
	     "follow the workload's (and -p's) forks and threads: always done, by inheritance"),
	COPT(COMMON_READS, OPT_CALLBACK, 0, "clock-offset", OFF(clock_offset), "NS",
	     "add NS to every timestamp", opt_clock_offset),
	COPT(COMMON_READS, OPT_BOOL, 0, "monotonic", OFF(monotonic), NULL,
	     "timestamps from CLOCK_MONOTONIC (the default, always)"),
	COPT(COMMON_READS, OPT_BOOL, 0, "tsc", OFF(tsc), NULL,
	     "timestamps in TSC cycles, where the kernel gives the conversion"),
	COPT(COMMON_READS, OPT_STRING, 0, "kvmclock", OFF(kvmclock), "UUID",
	     "timestamps in the kvmclock of the guest UUID"),
	COPT(COMMON_READS, OPT_CALLBACK, 0, "sampling-limit", OFF(sampling_limit), "N",
	     "deliver at most N samples a second per event; the rest are counted and dropped",
	     opt_sampling_limit),
	COPT(COMMON_READS, OPT_STRING, 0, "perfeval-cpus", OFF(perfeval_cpus), "CPUS",
	     "at the end, samples delivered and their rate on each of these CPUs"),
	COPT(COMMON_READS, OPT_STRING, 0, "perfeval-pids", OFF(perfeval_pids), "PIDS",
	     "at the end, samples delivered and their rate for each of these processes"),
	COPT(COMMON_OUTPUT, OPT_STRING, 'o', "output", OFF(output), "FILE",
	     "write reports to FILE instead of stdout"),
	COPT(COMMON_ORDER, OPT_BOOL, 0, "order", OFF(order), NULL,
	     "deliver events of all CPUs in time order"),
	COPT(COMMON_CALLGRAPH, OPT_BOOL, 'g', NULL, OFF(callgraph), NULL,
	     "record call stacks (frame pointers) for every event"),
	COPT(COMMON_CALLGRAPH, OPT_CALLBACK, 0, "call-graph", OFF(call_graph), "fp|dwarf[,SIZE]",
	     "how user stacks are taken: frame pointers, or DWARF unwinding of a SIZE-byte "
	     "stack copy (default 8192); implies -g", opt_call_graph),
	COPT(COMMON_CALLGRAPH, OPT_BOOL, 0, "user-callchain", OFF(user_callchain), NULL,
	     "user-space frames in stacks (default; --no-user-callchain drops them)"),
	COPT(COMMON_CALLGRAPH, OPT_BOOL, 0, "kernel-callchain", OFF(kernel_callchain), NULL,
	     "kernel frames in stacks (default; --no-kernel-callchain drops them)"),
	COPT(COMMON_CALLGRAPH, OPT_BOOL, 0, "srcline", OFF(srcline), NULL,
	     "show file:line and inlined functions in stacks"),
	COPT(COMMON_FLAMEGRAPH, OPT_STRING, 0, "flame-graph", OFF(flame_graph), "FILE",
	     "write stacks as a flame graph: FILE.folded, an interactive FILE.svg, or a pprof "
	     "FILE.pb.gz"),
	COPT(COMMON_JSON, OPT_BOOL, 0, "json", OFF(json), NULL, "one JSON object per line"),
	COPT(COMMON_READS, OPT_BOOL, 0, "bpf", OFF(bpf), NULL,
	     "run in the kernel as BPF, or fail: every filter the ftrace filter refuses (it "
	     "then filters the tracepoint for every tracer), and the profiler's in-kernel "
	     "aggregation where it has one (top, num-dist, profile, rundelay, task-state, syscalls)"),
	COPT(COMMON_READS, OPT_BOOL, 0, "no-bpf", OFF(no_bpf), NULL,
	     "no BPF: filters the kernel refuses run in user space (their default), and "
	     "profilers that aggregate in the kernel read the records instead"),
	COPT(~0u, OPT_COUNT, 'v', "verbose", OFF(verbose), NULL,
	     "more diagnostics on stderr: where each filter runs (kernel, BPF or user space), "
	     "globs expanded"),
	COPT(~0u, OPT_COUNT, 'q', "quiet", OFF(quiet), NULL, "fewer notes on stderr"),
};

/* common_mask - the common options @ops takes, those its own imply included */
static unsigned int common_mask(const struct profiler *ops)
{
	unsigned int mask = ops->common;

	/* the events given may be sampling events; clocks and limits for any reader */
	if (mask & COMMON_EVENTS)
		mask |= COMMON_SAMPLING;
	if (mask & (COMMON_EVENTS | COMMON_TARGET))
		mask |= COMMON_READS;
	return mask;
}

int run__build_options(struct run *r)
{
	const struct profiler *ops = r->prof.ops;
	struct opt *t = xzalloc((ARRAY_SIZE(common_opts) + 1) * sizeof(*t));
	unsigned int mask = common_mask(ops);
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(common_opts); i++)
		if (common_opts[i].mask & mask)
			t[n++] = common_opts[i].opt;
	t[n].type = OPT_END;
	r->ctab = t;
	r->sets[0] = (struct opt_set){ .opts = t, .base = &r->prof.opt, .title = "OPTIONS" };
	r->sets[1] = (struct opt_set){ .opts = ops->opts, .base = r->prof.opts,
				       .title = "PROFILER OPTIONS" };
	return 0;
}

/* --------------------------------------------------------------- parsing */

/* not_taken_hint - the profilers that take an option of @mask */
static void not_taken_hint(unsigned int mask, const char *name, struct err *err)
{
	const struct profiler *p;
	char list[256] = "";
	size_t n = 0;

	profiler__for_each(p)
		if (p->summary && (common_mask(p) & mask) && n + strlen(p->name) + 3 < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
					      p->name);
	if (n)
		err_hint(err, "'%s' is for %s", name, list);
}

/*
 * not_taken - @err says "unknown option" for a common option this profiler
 * does not take (--flame-graph for top): say that instead
 */
static void not_taken(const struct profiler *ops, struct err *err)
{
	char name[64], want[96];

	for (size_t i = 0; i < ARRAY_SIZE(common_opts); i++) {
		const struct opt *o = &common_opts[i].opt;

		if (common_opts[i].mask & common_mask(ops))
			continue;
		for (int form = 0; form < 2; form++) {
			if (form == 0 && !o->long_name)
				continue;
			if (form == 1 && !o->short_name)
				continue;
			if (form == 0)
				snprintf(name, sizeof(name), "--%s", o->long_name);
			else
				snprintf(name, sizeof(name), "-%c", o->short_name);
			snprintf(want, sizeof(want), "unknown option '%s'", name);
			if (strcmp(err->msg, want))
				continue;
			err_set(err, EXIT_USAGE, "option '%s' does not apply to %s", name, ops->name);
			not_taken_hint(common_opts[i].mask, name, err);
			return;
		}
	}
}

int run__parse_args(struct run *r, int argc, char **argv, bool *help_word, struct err *err)
{
	struct prof *prof = &r->prof;
	const struct profiler *ops = prof->ops;
	/* "help" lists the events' fields; a profiler without events takes it as a word */
	const char *stop = ops->common & COMMON_EVENTS ? "help" : NULL;
	bool help = false, dashdash;
	int rest = 0;

	if (opt_parse(argc, argv, r->sets, 2, &rest, stop, &help, err))
		goto fail;
	dashdash = rest > 0 && !strcmp(argv[rest - 1], "--");
	/* positional arguments: words before "--"; options may follow them */
	while (!dashdash && ops->max_args && rest < argc) {
		int more = 0;

		if (prof->nr_args == ops->max_args) {
			err_set(err, EXIT_USAGE, "too many arguments for %s ('%s')", ops->name,
				argv[rest]);
			goto fail;
		}
		prof->args = xrealloc(prof->args, (size_t)(prof->nr_args + 1) * sizeof(char *));
		prof->args[prof->nr_args++] = argv[rest++];
		if (opt_parse(argc - rest, argv + rest, r->sets, 2, &more, stop, &help, err))
			goto fail;
		rest += more;
		dashdash = more > 0 && !strcmp(argv[rest - 1], "--");
	}
	if (prof->opt.bpf && prof->opt.no_bpf) {
		err_set(err, EXIT_USAGE, "--bpf and --no-bpf exclude each other");
		err_hint(err, "--bpf runs every filter as a BPF program, --no-bpf none; keep one");
		goto fail;
	}
	if (help_word)
		*help_word = help;
	if (dashdash && rest == argc) {
		err_set(err, EXIT_USAGE, "'--' is not followed by a command");
		err_hint(err, "give the command to run after '--', or drop '--' to watch %s",
			 ops->common & COMMON_TARGET ? "the whole system" : "nothing");
		return -1;
	}
	if (rest < argc) {
		if (!(ops->common & COMMON_TARGET)) {
			err_set(err, EXIT_USAGE, "unexpected argument '%s'", argv[rest]);
			goto fail;
		}
		prof->opt.workload = argv + rest;
	}
	return 0;
fail:
	not_taken(ops, err);
	if (!err->hint[0])
		err_hint(err, "see 'perf-prof %s -h'", ops->name);
	return -1;
}

/*
 * split_words - "a 'b c' d" -> a, b c, d. Quotes group words and are
 * removed; the result is one malloc'ed block (array, then the strings).
 */
static char **split_words(const char *s, int *n)
{
	size_t len = strlen(s);
	char **v = xzalloc((len / 2 + 2) * sizeof(char *) + len + 1);
	char *out = (char *)(v + len / 2 + 2);
	int k = 0;

	while (*s) {
		char q = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		v[k++] = out;
		while (*s && (q || !isspace((unsigned char)*s))) {
			if (!q && (*s == '\'' || *s == '"'))
				q = *s;
			else if (q && *s == q)
				q = 0;
			else
				*out++ = *s;
			s++;
		}
		*out++ = '\0';
	}
	*n = k;
	return v;
}

int run__parse_string(struct run *r, const char *args, struct err *err)
{
	int n;
	char **v = split_words(args, &n);
	int ret;

	/* the words live as long as the run: options keep pointers into them */
	free(r->words);
	r->words = v;
	ret = run__parse_args(r, n, v, NULL, err);
	return ret;
}

/* ----------------------------------------------------------------- usage */

void run__usage(const struct run *r, FILE *out)
{
	const struct profiler *ops = r->prof.ops;

	fprintf(out, "usage: %s\n", ops->synopsis);
	if (ops->help)
		fprintf(out, "\n%s", ops->help);
	opt_usage(out, r->sets, 2);
	if (ops->attrs && ops->attrs[0]) {
		fprintf(out, "\nEVENT ATTRIBUTES\n    ");
		for (const char *const *a = ops->attrs; *a; a++)
			fprintf(out, "%s%s", *a, a[1] ? ", " : "\n");
	}
}

void run__list_opts(const struct run *r, FILE *out)
{
	const struct profiler *ops = r ? r->prof.ops : NULL;

	if (!r) {
		struct opt *t = xzalloc((ARRAY_SIZE(common_opts) + 1) * sizeof(*t));
		struct opt_set set = { .opts = t, .title = "OPTIONS" };

		for (size_t i = 0; i < ARRAY_SIZE(common_opts); i++)
			t[i] = common_opts[i].opt;
		t[ARRAY_SIZE(common_opts)].type = OPT_END;
		opt_list(out, &set, 1);
		free(t);
		return;
	}
	opt_list(out, r->sets, 2);
	for (const char *const *a = ops->attrs; a && *a; a++)
		fprintf(out, "EVENT ATTRIBUTES\tattr\t-\t%s\t-\t-\n", *a);
}

/* ------------------------------------------------------------ help word */

static void print_fields(FILE *out, struct tep_format_field **fields)
{
	for (int i = 0; fields && fields[i]; i++) {
		const struct tep_format_field *f = fields[i];

		fprintf(out, "    %-28s %-30s %6d %4d %s\n", f->name, f->type, f->offset, f->size,
			f->flags & TEP_FIELD_IS_SIGNED ? "signed" : "unsigned");
	}
}

int run__help_events(struct run *r, FILE *out, struct err *err)
{
	struct prof *prof = &r->prof;

	if (prof->ops->prepare && !r->prepared) {
		r->prepared = true;
		if (prof->ops->prepare(prof, err))
			return -1;
	}
	if (run__events_parse(r, err))
		return -1;
	fprintf(out, "\n");
	for (int i = 0; i < prof->nr_evs; i++) {
		struct evspec *ev = prof->evs[i];

		if (!ev->tp) {
			/* software/hardware events: the builtins are all there is */
			fprintf(out, "%s (%s, type %u config %llu)\n", ev->display,
				evspec_kind_name(ev->kind), evcore(ev)->type, (unsigned long long)evcore(ev)->config);
			fprintf(out, "    no record fields; expressions see the builtins:\n");
			expr_print_fields(NULL, out);
			fprintf(out, "\n");
			continue;
		}
		struct tep_format_field **common = tep_event_common_fields(ev->tp);
		struct tep_format_field **fields = tep_event_fields(ev->tp);

		if (ev->kind == EVSPEC_TRACEPOINT)
			fprintf(out, "%s:%s (id %llu)\n", ev->sys, ev->name,
				(unsigned long long)evcore(ev)->config);
		else
			fprintf(out, "%s (%s:%s, id %llu)\n", ev->display, ev->sys, ev->name,
				(unsigned long long)evcore(ev)->config);
		fprintf(out, "    %-28s %-30s %6s %4s %s\n", "field", "type", "offset", "size", "sign");
		print_fields(out, common);
		print_fields(out, fields);
		fprintf(out, "    print fmt: %s\n\n", ev->tp->print_fmt.format ? ev->tp->print_fmt.format : "");
		free(common);
		free(fields);
	}
	fprintf(out, "suggested command:\n    perf-prof %s", prof->ops->name);
	/* profilers without -e (kmemleak --alloc/--free) show their own form */
	for (int i = 0; (prof->ops->common & COMMON_EVENTS) && i < prof->opt.events.n; i++)
		fprintf(out, " -e '%s'", prof->opt.events.v[i]);
	if (prof->ops->help_example)
		fprintf(out, " %s", prof->ops->help_example);
	fprintf(out, "\n");
	return 0;
}
