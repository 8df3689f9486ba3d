// SPDX-License-Identifier: GPL-2.0
/*
 * perf-prof.c - the dispatcher: finds the profiler, parses the common
 * options and the profiler's own, then drives one run:
 *   session__new (selectors, formats) -> profiler init -> session__open
 *   -> session__run -> profiler final -> deinit -> session__delete.
 * It is the only place that prints an error and chooses the exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "profiler.h"
#include "session.h"
#include "syms.h"

#ifndef PERF_PROF_VERSION
#define PERF_PROF_VERSION "unknown"
#endif

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
	COPT(COMMON_CALLGRAPH, OPT_STRING, 0, "flame-graph", OFF(flame_graph), "FILE",
	     "write stacks as a flame graph: FILE.folded, or an interactive FILE.svg"),
	COPT(COMMON_JSON, OPT_BOOL, 0, "json", OFF(json), NULL, "one JSON object per line"),
	COPT(~0u, OPT_COUNT, 'v', "verbose", OFF(verbose), NULL, "more diagnostics on stderr"),
	COPT(~0u, OPT_COUNT, 'q', "quiet", OFF(quiet), NULL, "fewer notes on stderr"),
};

static struct opt *common_table(unsigned int mask)
{
	struct opt *t = xzalloc((ARRAY_SIZE(common_opts) + 1) * sizeof(*t));
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(common_opts); i++)
		if (common_opts[i].mask & mask)
			t[n++] = common_opts[i].opt;
	t[n].type = OPT_END;
	return t;
}

/* ----------------------------------------------------------------- usage */

static void usage_main(FILE *out)
{
	const struct profiler *p;

	fprintf(out, "usage: perf-prof PROFILER [OPTIONS] [-e EVENT[,EVENT...]] [help] [-- COMMAND [ARGS]]\n"
		     "       perf-prof --symbols FILE [ADDR...]   (addresses of FILE to symbols)\n"
		     "       perf-prof -V | --version\n\n"
		     "Profilers:\n");
	profiler__for_each(p)
		if (p->summary)
			fprintf(out, "   %-14s %s\n", p->name, p->summary);
	fprintf(out, "\nSee 'perf-prof PROFILER -h' for its options and examples.\n"
		     "Events: 'perf-prof list [GLOB]'; fields of an event: "
		     "'perf-prof trace -e SYS:NAME help'.\n");
}

static void usage_profiler(FILE *out, const struct prof *prof, struct opt_set *sets, int nr)
{
	const struct profiler *ops = prof->ops;

	fprintf(out, "usage: %s\n", ops->synopsis);
	if (ops->help)
		fprintf(out, "\n%s", ops->help);
	opt_usage(out, sets, nr);
	if (ops->attrs && ops->attrs[0]) {
		fprintf(out, "\nEVENT ATTRIBUTES\n    ");
		for (const char *const *a = ops->attrs; *a; a++)
			fprintf(out, "%s%s", *a, a[1] ? ", " : "\n");
	}
}

/* ------------------------------------------------------------ help word */

static const char *field_type(const struct tep_format_field *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s", f->type);
	return buf;
}

static void print_fields(FILE *out, struct tep_format_field **fields)
{
	char type[128];

	for (int i = 0; fields && fields[i]; i++) {
		const struct tep_format_field *f = fields[i];

		fprintf(out, "    %-28s %-30s %6d %4d %s\n", f->name, field_type(f, type, sizeof(type)),
			f->offset, f->size, f->flags & TEP_FIELD_IS_SIGNED ? "signed" : "unsigned");
	}
}

static int help_events(struct prof *prof)
{
	FILE *out = stdout;

	fprintf(out, "\n");
	for (int i = 0; i < prof->nr_evs; i++) {
		struct evspec *ev = prof->evs[i];
		struct tep_format_field **common = tep_event_common_fields(ev->tp);
		struct tep_format_field **fields = tep_event_fields(ev->tp);

		if (ev->kind == EVSPEC_TRACEPOINT)
			fprintf(out, "%s:%s (id %llu)\n", ev->sys, ev->name,
				(unsigned long long)ev->config);
		else
			fprintf(out, "%s (%s:%s, id %llu)\n", ev->display, ev->sys, ev->name,
				(unsigned long long)ev->config);
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

/* ------------------------------------------------------------------ run */

static int open_output(const char *path, struct err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		err_set(err, EXIT_USAGE, "cannot open output file '%s': %s", path, strerror(errno));
		if (errno == ELOOP)
			err_hint(err, "'%s' is a symbolic link; perf-prof does not follow them", path);
		return -1;
	}
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0) {
		close(fd);
		return err_set(err, EXIT_FAIL, "cannot redirect output: %s", strerror(errno));
	}
	close(fd);
	return 0;
}

/*
 * check_output - the reports reached their file. A reader that went away
 * (EPIPE: `| head`) is no error; a full disk or an I/O error is.
 */
static int check_output(struct prof *prof, struct err *err)
{
	int e = session__output_errno(prof->session);

	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (!e)
			e = errno ? errno : EIO;
	}
	if (!e || e == EPIPE)
		return 0;
	err_set(err, EXIT_FAIL, "cannot write output file '%s': %s",
		prof->opt.output ? prof->opt.output : "stdout", strerror(e));
	err_hint(err, "what was collected could not be written; check the disk or the pipe");
	return -1;
}

void prof__stop(struct prof *prof)
{
	if (prof->session)
		session__stop(prof->session);
}

void prof__time_header(struct prof *prof)
{
	char buf[64];

	wall_time_str(buf, sizeof(buf));
	fprintf(prof->out, "%s\n", buf);
}

static int run_profiler(struct prof *prof, bool help, struct err *err)
{
	const struct profiler *ops = prof->ops;
	const char *replay = getenv("PERF_PROF_REPLAY");
	bool inited = false;
	int ret = -1;

	/* prepare() may add events; deinit() cleans up after it too */
	inited = ops->prepare != NULL;
	if (ops->prepare && ops->prepare(prof, err))
		goto out;
	if (!session__new(prof, err))
		goto out;
	if (help) {
		help_events(prof);
		ret = 0;
		goto out;
	}
	if (prof->opt.output && open_output(prof->opt.output, err))
		goto out;
	/* deinit() also cleans up after a failed init() */
	inited = true;
	if (ops->init && ops->init(prof, err))
		goto out;
	if (replay) {
		/* tests: records from a file instead of the kernel */
		ret = session__replay(prof->session, replay, err);
	} else {
		if (session__open(prof->session, err))
			goto out;
		ret = session__run(prof->session, err);
	}
	/* whatever happened, report what was collected */
	if (ops->final)
		ops->final(prof);
	if (check_output(prof, err))
		ret = -1;
out:
	if (inited && ops->deinit)
		ops->deinit(prof);
	session__delete(prof->session);
	prof->session = NULL;
	return ret;
}

static int main_profiler(const struct profiler *ops, int argc, char **argv)
{
	struct prof prof = { .ops = ops };
	struct opt *ctab = common_table(ops->common ? ops->common : 0);
	struct opt_set sets[2] = {
		{ .opts = ctab, .base = &prof.opt, .title = "OPTIONS" },
		{ .opts = ops->opts, .base = NULL, .title = "PROFILER OPTIONS" },
	};
	bool help = false, want_usage = false;
	struct err err = { 0 };
	int rest = 0, code = EXIT_OK;

	prof.out = stdout;
	prof.opt.user_callchain = prof.opt.kernel_callchain = true;
	if (ops->opts_size) {
		prof.opts = xzalloc(ops->opts_size);
		if (ops->opts_init)
			ops->opts_init(prof.opts);
	}
	sets[1].base = prof.opts;
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			break;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			want_usage = true;
	if (want_usage) {
		usage_profiler(stdout, &prof, sets, 2);
		goto out;
	}
	if (opt_parse(argc, argv, sets, 2, &rest, ops->run ? NULL : "help", &help, &err)) {
		if (!err.hint[0])
			err_hint(&err, "see 'perf-prof %s -h'", ops->name);
		goto fail;
	}
	if (ops->run) {
		if (ops->run(&prof, argc - rest, argv + rest, &err))
			goto fail;
		goto out;
	}
	if (rest < argc) {
		if (!(ops->common & COMMON_TARGET)) {
			err_set(&err, EXIT_USAGE, "unexpected argument '%s'", argv[rest]);
			err_hint(&err, "see 'perf-prof %s -h'", ops->name);
			goto fail;
		}
		prof.opt.workload = argv + rest;
	}
	if (!prof.opt.interval && ops->interval_ms)
		prof.opt.interval = (u64)ops->interval_ms * 1000000ULL;
	if (ops->order)
		prof.opt.order = true;
	if (!isatty(STDOUT_FILENO) || prof.opt.output)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (run_profiler(&prof, help, &err))
		goto fail;
	goto out;
fail:
	err_print(&err, ops->name);
	code = err.code ? err.code : EXIT_FAIL;
out:
	fflush(stdout);
	opt_free(sets, 2);
	free(prof.opt.events.v);	/* a prepare() may have built it without -e */
	free(prof.opts);
	free(ctab);
	return code;
}

int main(int argc, char **argv)
{
	const struct profiler *ops;

	/* a closed pipe is a stop condition, not a death: probes must be removed */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage_main(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--symbols"))
		return symbols_cli(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("perf-prof %s\n", PERF_PROF_VERSION);
		return EXIT_OK;
	}
	ops = profiler__find(argv[1]);
	if (!ops) {
		fprintf(stderr, "perf-prof: unknown profiler '%s'\n", argv[1]);
		fprintf(stderr, "hint: 'perf-prof -h' lists the profilers\n");
		return EXIT_USAGE;
	}
	return main_profiler(ops, argc - 2, argv + 2);
}
