// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-opt.c - libFuzzer harness for a profiler's command line: the option
 * parser (lib/core/opt.c, every OPT_* type: flags, --no-NAME, counts,
 * strict integers, u64s, durations, strings, lists, callbacks, optional
 * values, bundled short flags), the common options' callbacks (-m, -i, -N,
 * --watermark, --call-graph, -F, -c) and the profilers' own (num-dist
 * --than, multi-trace --detail), then the CPU and pid lists of -C/-p/-t,
 * then, for a command line that parses, the profiler's prepare() and init()
 * (where --detail, --impl, --backlog-mb, key=/num= and the events are
 * checked) through a replay of an empty ring.
 *
 * Input: byte 0 picks the profiler (registry order); the rest is the
 * argument words, separated by NUL bytes. A run without -e gets the
 * profiler's usual events (the fixture tracefs tests/replay/tracefs has
 * sched:sched_wakeup, syscalls:sys_enter_write and sched:sched_switch).
 *
 * Contracts, beyond "does not crash or hang": a refused command line is
 * EXIT_USAGE with a message and a hint; a refused CPU or pid list is
 * EXIT_USAGE with a message; CPUs past the machine are named, never looped
 * over; every error of the replayed setup says why. Nothing is written to
 * disk: command lines naming an output file (-o, --flame-graph, --heatmap)
 * or a probe (whose ELF file could be anything) stop after the parse.
 */
#include <stdlib.h>
#include <string.h>

#include "profiler.h"
#include "run.h"
#include "../../lib/core/run-internal.h"

#define MAX_WORDS 48
#define FUZZ_CPUS 8

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("PERF_PROF_TRACEFS", FUZZ_TRACEFS, 0);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

static void fuzz_assert(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-opt: contract broken: %s\n", what);
		abort();
	}
}

/* the events of a run that gives none (kmemleak and list take no -e) */
static const char *const *default_events(const struct profiler *ops, int *n)
{
	static const char *const plain[] = { "sched:sched_wakeup", "sched:sched_switch" };
	static const char *const nd[] = { "syscalls:sys_enter_write//num=count/" };
	static const char *const mt[] = { "sched:sched_wakeup//key=pid/",
					   "sched:sched_switch//key=next_pid/" };

	*n = 0;
	if (!(ops->common & COMMON_EVENTS))
		return NULL;
	if (!strcmp(ops->name, "num-dist")) {
		*n = 1;
		return nd;
	}
	*n = 2;
	return strcmp(ops->name, "multi-trace") ? plain : mt;
}

/* a list the command line gave: parsed as the run would, with 8 CPUs */
static void check_lists(const struct prof *prof)
{
	const char *lists[] = { prof->opt.pids, prof->opt.tids };
	struct err err = { 0 };

	if (prof->opt.cpus) {
		bool set[FUZZ_CPUS + 1] = { false };
		int beyond;

		if (parse_cpu_list(prof->opt.cpus, set, FUZZ_CPUS, &beyond, &err))
			fuzz_assert(err.code == EXIT_USAGE && err.msg[0], "a bad CPU list says why");
		else
			fuzz_assert(beyond == -1 || beyond >= FUZZ_CPUS, "beyond is past the CPUs");
		fuzz_assert(!set[FUZZ_CPUS], "no CPU past the set");
	}
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		pid_t *ids = NULL;
		int n = 0;

		if (!lists[i])
			continue;
		if (parse_pid_list(lists[i], i ? "tid" : "pid", &ids, &n, &err)) {
			fuzz_assert(err.code == EXIT_USAGE && err.msg[0], "a bad pid list says why");
		} else {
			fuzz_assert(n > 0, "a pid list has pids");
			for (int k = 0; k < n; k++)
				fuzz_assert(ids[k] > 0, "pids are positive");
		}
		free(ids);
	}
}

/* words that make the setup touch files: stop after the parse */
static bool writes_or_probes(char **argv, int argc, const struct prof *prof)
{
	if (prof->opt.output || prof->opt.flame_graph)
		return true;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "--heatmap", 9) || strstr(argv[i], "probe") ||
		    !strcmp(argv[i], "--libc"))
			return true;
	return false;
}

static void replay_setup(struct run *run, struct prof *prof)
{
	/* "PPREPLAY", one ring on CPU 0 holding no record */
	static const unsigned char empty[] = "PPREPLAY\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	const char *const *evs;
	struct err err = { 0 };
	char *buf = malloc(sizeof(empty) - 1);
	int n;

	evs = default_events(prof->ops, &n);
	if (!prof->opt.events.n && n) {
		prof->opt.events.v = xzalloc(sizeof(char *) * (size_t)n);
		for (int i = 0; i < n; i++)
			prof->opt.events.v[i] = evs[i];
		prof->opt.events.n = n;
	}
	memcpy(buf, empty, sizeof(empty) - 1);
	if (run__replay_mem(run, buf, sizeof(empty) - 1, "fuzz", &err))
		fuzz_assert(err.msg[0] != '\0', "a refused setup says why");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct run_config cfg = { .out = devnull, .diag = devnull };
	const struct profiler *ops;
	char *words, *argv[MAX_WORDS + 1];
	struct err err = { 0 };
	struct prof *prof;
	struct run *run;
	int nprof = 0, argc = 0;
	bool help = false;

	if (size < 1 || size > 4096)
		return -1;
	while (profilers[nprof])
		nprof++;
	ops = profilers[data[0] % nprof];
	/* the words: NUL-separated; the copy ends in two NULs */
	words = xzalloc(size + 1);
	memcpy(words, data + 1, size - 1);
	for (char *p = words; p < words + size - 1 && argc < MAX_WORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	run = run__new(ops, &cfg);
	prof = run__prof(run);
	if (run__parse_args(run, argc, argv, &help, &err)) {
		fuzz_assert(err.code == EXIT_USAGE, "a refused command line is a usage error");
		fuzz_assert(err.msg[0] && err.hint[0], "a refused command line says why and what to do");
	} else {
		check_lists(prof);
		if (!help && !writes_or_probes(argv, argc, prof))
			replay_setup(run, prof);
	}
	run__delete(run);
	free(words);
	return 0;
}
