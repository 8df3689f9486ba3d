/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evspec.h - event selectors: the text of one -e option turned into a list
 * of struct evspec. The parser knows the grammar only; what an event name
 * means (tracefs lookup, glob expansion, probe creation) is resolved later
 * by the session, and what an attribute means belongs to the profiler.
 *
 * Grammar (one -e argument):
 *   LIST   := TERM[,TERM]...
 *   TERM   := NAME[/FILTER/[ATTR/]...]
 *   NAME   := sys:name                       tracepoint (glob allowed: * ? [)
 *           | name                           a perf event by perf's name
 *                                            (cpu-clock, page-faults, cycles...)
 *           | pmu/TERMS/                     raw PMU terms (cpu/event=0x3c/)
 *           | uprobe:FUNC[+OFF]@FILE[(ARGS)]  uretprobe:... likewise
 *           | kprobe:FUNC[+OFF][(ARGS)]       kretprobe:... likewise
 *   ATTR   := word | word=VALUE
 * The first /.../ segment is always the filter (it may be empty: "ev//a/");
 * after a NAME without ':' it is kept whole (commas included), since it may
 * also hold a PMU's terms. The attributes period=N and freq=HZ (the
 * sampling of that event) and cpus=LIST (where it is opened) are every
 * profiler's.
 * Splitting on ',' '/' '=' skips text inside '...', "..." and balanced
 * (...); one level of surrounding quotes is removed from the name parts,
 * the filter and attribute values.
 */
#ifndef PERF_PROF_EVSPEC_H
#define PERF_PROF_EVSPEC_H

#include "util.h"

enum evspec_kind {
	EVSPEC_TRACEPOINT,
	EVSPEC_UPROBE,
	EVSPEC_URETPROBE,
	EVSPEC_KPROBE,
	EVSPEC_KRETPROBE,
	EVSPEC_PMU,		/* a name without ':': a perf event or PMU */
};

/**
 * struct evattr - one ATTR of a term
 * @name:  attribute name ("key", "stack", ...)
 * @value: text after '=' with one level of quotes removed; NULL for a bare word
 * @col:   0-based column of the attribute in the -e text (for diagnostics)
 * @value_col: 0-based column of @value's first byte in the -e text (inside
 *         its quotes), -1 for a bare word: where an expression compiler's
 *         caret for the value goes
 */
struct evattr {
	char *name;
	char *value;
	int col;
	int value_col;
};

struct tep_event;

/**
 * struct evspec - one event term as written, plus what profilers may read of
 * what the core resolved.
 *
 * Written by the parser: text .. cpus.
 * Written by the core when it resolves the event: index .. env. How it is
 * opened, filtered and counted is the core's alone (struct evcore,
 * lib/core/evcore.h, in the same allocation).
 * @priv belongs to the profiler.
 */
struct evspec {
	/* --- as written --- */
	char *text;	/* the whole term, e.g. "sched:sched_switch/prev_pid>0/key=prev_pid/" */
	char *arg;	/* the whole -e argument the term came from (shared by its terms) */
	int pos;	/* which -e option (0-based), for profilers with positions */
	int col;	/* 0-based column of the term inside @arg */
	enum evspec_kind kind;
	char *sys;	/* "sched"; "uprobe"/"uretprobe"/"kprobe"/"kretprobe" for probes;
			   "" for EVSPEC_PMU */
	char *name;	/* "sched_switch" (may hold a glob); probes: FUNC[+OFF] */
	char *probe_file;	/* uprobes: FILE with quotes removed, else NULL */
	char *probe_args;	/* text inside (...) after a probe name, else NULL */
	u64 probe_off;		/* +OFF after FUNC, 0 if absent */
	char *filter;	/* NULL when absent or empty */
	int filter_col;
	struct evattr *attrs;
	int nr_attrs;
	/* generic attributes, decoded by the parser when present */
	char *alias;	/* alias=NAME */
	bool stack;	/* stack, or implied by max-stack= */
	int max_stack;	/* max-stack=N (0: kernel default) */
	u64 period;	/* period=N: sample every N events (0: not given) */
	u64 freq;	/* freq=HZ: sample HZ times a second (0: not given) */
	char *cpus;	/* cpus=LIST: only these of the run's CPUs (NULL: all) */

	/* --- resolved by the core, read-only for profilers --- */
	int index;		/* position in the run's event array */
	struct tep_event *tp;	/* format (tracepoints and probes); NULL: no raw data */
	bool sampling;		/* a sampling event (software/hardware/PMU), not a tracepoint */
	char *display;		/* alias or "sys:name" */
	const struct run_env *env;	/* the run's names (expr_bind()) */

	void *priv;		/* owned by the profiler */
};

/**
 * struct evspec_list - a growable array of terms
 */
struct evspec_list {
	struct evspec **v;
	int n;
};

/**
 * evspec_parse - parse one -e argument and append its terms to @out.
 * @arg:      the option text
 * @pos:      index of this -e among all -e options
 * @accepted: NULL-terminated attribute names the profiler accepts
 *            (an attribute not in it is an error listing them)
 * @err:      filled on failure (EXIT_USAGE), with a caret under the column
 *
 * Returns 0, or -1 with @err set. On failure @out is left as it was.
 */
int evspec_parse(const char *arg, int pos, const char *const *accepted,
		 struct evspec_list *out, struct err *err);

/**
 * evspec_attr - value of the last attribute called @name: its value, "" for
 * a bare word, NULL when the term does not have it.
 */
const char *evspec_attr(const struct evspec *ev, const char *name);

/* evspec_is_glob - the tracepoint name part contains * ? or [ */
bool evspec_is_glob(const struct evspec *ev);

/**
 * evspec_clone - a deep copy of @ev with sys:name replaced (glob expansion).
 * The resolved part is reset.
 */
struct evspec *evspec_clone(const struct evspec *ev, const char *sys, const char *name);

/* evspec_list_add - append @ev (takes ownership) */
void evspec_list_add(struct evspec_list *list, struct evspec *ev);

/**
 * evspec_free - free @ev: everything the parser allocated and @display
 * (the session must allocate it, e.g. with xasprintf). @tp, @evsel,
 * @ufilter and @priv belong to their owners and must be released first.
 */
void evspec_free(struct evspec *ev);
/* evspec_list_free - free every term and the array; @list becomes empty */
void evspec_list_free(struct evspec_list *list);

/**
 * evspec_caret - err_caret() under a selector: for errors found later in a
 * term's text, e.g. in an attribute value compiled as an expression:
 * evspec_caret(ev->arg, attr->value_col + offset, err).
 */
static inline void evspec_caret(const char *arg, int col, struct err *err)
{
	err_caret(err, arg, col);
}

/* evspec_kind_name - "tracepoint", "uprobe", ... */
const char *evspec_kind_name(enum evspec_kind kind);

#endif
