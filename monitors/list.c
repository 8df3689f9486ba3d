// SPDX-License-Identifier: GPL-2.0
/*
 * list.c - `perf-prof list [PATTERN...]`: the tracepoints of this kernel as
 * SYS:NAME, one per line, sorted, no pager. A PATTERN with * ? or [ is a
 * glob over SYS:NAME; otherwise it matches as a substring.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmu.h"
#include "probe.h"
#include "profiler.h"
#include "tep.h"

static bool list_match(const char *name, int argc, char **argv)
{
	if (!argc)
		return true;
	for (int i = 0; i < argc; i++) {
		if (strpbrk(argv[i], "*?[")) {
			if (!fnmatch(argv[i], name, 0))
				return true;
		} else if (strstr(name, argv[i])) {
			return true;
		}
	}
	return false;
}

struct list_opts {
	bool probes;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool pmu_collect(const char *name, void *arg)
{
	struct strlist *l = arg;

	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = name;
	return false;	/* collected, not printed */
}

/*
 * list_names - everything -e can name without arguments: the tracepoints
 * of available_events, the ftrace events perf can open (ftrace:function,
 * ftrace:print; not in available_events), and perf's own events
 */
static int list_names(char ***out, struct err *err)
{
	static const char *const ftrace[] = { "function", "print" };
	struct strlist pmu = { 0 };
	const char *root;
	char **names;
	int n = tep__tracepoints(&names, err);

	if (n < 0)
		return -1;
	root = tracefs__root(err);
	for (size_t i = 0; root && i < ARRAY_SIZE(ftrace); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/events/ftrace/%s/id", root, ftrace[i]);
		if (access(path, F_OK))
			continue;
		names = xrealloc(names, (size_t)(n + 1) * sizeof(*names));
		names[n++] = xasprintf("ftrace:%s", ftrace[i]);
	}
	pmu_events__list(NULL, pmu_collect, &pmu);
	names = xrealloc(names, (size_t)(n + pmu.n + 1) * sizeof(*names));
	for (int i = 0; i < pmu.n; i++)
		names[n++] = xstrdup(pmu.v[i]);
	free(pmu.v);
	qsort(names, (size_t)n, sizeof(*names), name_cmp);
	*out = names;
	return n;
}

static int list_init(struct prof *prof, struct err *err)
{
	const struct list_opts *o = prof->opts;
	int argc = prof->nr_args;
	char **argv = prof->args;
	char **names;
	int n, shown = 0;

	if (o->probes) {
		if (argc > 1) {
			err_set(err, EXIT_USAGE, "--probes takes at most one pattern");
			return -1;
		}
		return probe__list(prof->out, argc ? argv[0] : NULL, err) < 0 ? -1 : 0;
	}
	n = list_names(&names, err);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!list_match(names[i], argc, argv))
			continue;
		fprintf(prof->out, "%s\n", names[i]);
		shown++;
	}
	tep__free_names(names, n);
	if (argc && !shown) {
		err_set(err, EXIT_FAIL, "no event matches '%s'", argv[0]);
		err_hint(err, "patterns are globs over SYS:NAME (sched:*) or substrings (wakeup)");
		return -1;
	}
	return 0;
}

static const struct opt list_opts[] = {
	{ OPT_BOOL, 0, "probes", offsetof(struct list_opts, probes), NULL,
	  "the dynamic events (uprobes, kprobes) that exist, with their definitions", NULL,
	  false },
	OPT_TABLE_END,
};

const struct profiler list_profiler = {
	.name = "list",
	.summary = "list tracepoints (SYS:NAME), optionally matching patterns",
	.synopsis = "perf-prof list [PATTERN...] | perf-prof list --probes [PATTERN]",
	.help = "Prints every tracepoint of the running kernel as SYS:NAME, sorted, one per line.\n"
		"A PATTERN containing * ? or [ is a shell glob over SYS:NAME; any other\n"
		"PATTERN matches as a substring. Exits 1 when patterns match nothing.\n"
		"Probes that exist (perf-prof's while it runs, other tools') are tracepoints\n"
		"too (GROUP:EVENT); --probes shows them with their kind, place and arguments.\n"
		"\nEXAMPLES\n"
		"    perf-prof list                      every tracepoint\n"
		"    perf-prof list 'sched:*'            the scheduler's\n"
		"    perf-prof list wakeup               names containing 'wakeup'\n"
		"    perf-prof list 'syscalls:sys_enter_*' | wc -l\n"
		"    perf-prof list --probes\n",
	.common = 0,
	.max_args = 64,
	.oneshot = true,
	.opts = list_opts,
	.opts_size = sizeof(struct list_opts),
	.init = list_init,
};
