// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-replay.c - libFuzzer harness for record decoding: arbitrary bytes
 * through run__replay_mem(), i.e. the replay file parser, the buffer
 * ring reader, the time-ordered merge, sample decoding, the user-space
 * filter and a profiler's sample/final callbacks. Built once per profiler:
 * replay-trace (the default), replay-top (-DFUZZ_TOP), replay-multi-trace
 * (-DFUZZ_MT: pairing, backlog, --detail, --impl pair), replay-num-dist
 * (-DFUZZ_ND) and replay-kmemleak (-DFUZZ_KML: objects by address, stacks).
 *
 * Input: byte 0 chooses the run (options, filters, attributes, see
 * config_*()); the rest is a replay file ("PPREPLAY", rings, records; see
 * tests/replay/mkreplay.py). Event i of the run has sample id i + 1:
 *   1 sched:sched_wakeup, 2 syscalls:sys_enter_write, 3 sched:sched_switch.
 * Formats come from the fixture tracefs tests/replay/tracefs
 * (PERF_PROF_TRACEFS, set here unless the environment already does).
 * Report files (heatmaps, flame graphs) go to a directory of the harness.
 *
 * The setup is the command line's replay branch: run__new ->
 * run__parse_args -> run__replay_mem (prepare, events, init, records,
 * final) -> run__delete, a fresh run per input.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profiler.h"
#include "run.h"

#if defined(FUZZ_TOP)
extern const struct profiler top_profiler;
#define FUZZ_PROFILER (&top_profiler)
#elif defined(FUZZ_MT)
extern const struct profiler multi_trace_profiler;
#define FUZZ_PROFILER (&multi_trace_profiler)
#elif defined(FUZZ_ND)
extern const struct profiler num_dist_profiler;
#define FUZZ_PROFILER (&num_dist_profiler)
#elif defined(FUZZ_KML)
extern const struct profiler kmemleak_profiler;
#define FUZZ_PROFILER (&kmemleak_profiler)
#else
extern const struct profiler trace_profiler;
#define FUZZ_PROFILER (&trace_profiler)
#endif

#define MAX_EVS 3

static FILE *devnull;
static unsigned long runs;
static char out_dir[] = "/tmp/perf-prof-fuzz.XXXXXX";
static char hm_path[64], fg_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* out_dir_remove - at exit: the report files and their directory */
static void out_dir_remove(void)
{
	char lat[80];

	snprintf(lat, sizeof(lat), "%s.lat", hm_path);
	unlink(hm_path);
	unlink(lat);
	unlink(fg_path);
	rmdir(out_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("PERF_PROF_TRACEFS", FUZZ_TRACEFS, 0);
	devnull = fopen("/dev/null", "w");
	if (!devnull || !mkdtemp(out_dir))
		abort();
	snprintf(hm_path, sizeof(hm_path), "%s/hm.svg", out_dir);
	snprintf(fg_path, sizeof(fg_path), "%s/fg.svg", out_dir);
	atexit(out_dir_remove);
	return 0;
}

struct config {
	const char *evs[MAX_EVS];
	int nr_evs;
	char *argv[16];		/* the profiler's own options */
	int argc;
};

/* one of the profiler's own options (trace has none: unused there) */
static __attribute__((unused)) void config_arg(struct config *c, const char *a, const char *b)
{
	c->argv[c->argc++] = (char *)a;
	if (b)
		c->argv[c->argc++] = (char *)b;
}

#if defined(FUZZ_MT)
/*
 * bit 0 --json, 1 --than 1us (slow pairs printed from the backlog), 2
 * --detail (the events in between), 3 --impl pair, 4 --perins, 5 --cycle,
 * 6 -g (callchains), 7 a heatmap and the write event traced (three
 * positions) instead of untraced
 */
static void config_make(unsigned char sel, struct prof *prof, struct config *c)
{
	if (sel & 0x80) {
		c->evs[0] = "sched:sched_wakeup//key=pid/";
		c->evs[1] = "syscalls:sys_enter_write//key=fd/";
		c->evs[2] = "sched:sched_switch//key=next_pid/";
		c->nr_evs = 3;
		config_arg(c, "--heatmap", hm_path);
	} else {
		/* two positions: wakeup and write (untraced) first, switch second */
		c->evs[0] = "sched:sched_wakeup//key=pid/,syscalls:sys_enter_write//key=fd/untraced/";
		c->evs[1] = "sched:sched_switch//key=next_pid/";
		c->nr_evs = 2;
	}
	prof->opt.json = sel & 0x01;
	if (sel & 0x06)
		config_arg(c, "--than", "1us");
	if (sel & 0x04)
		config_arg(c, "--detail=-1ms,+1ms,samekey", NULL);
	if (sel & 0x08)
		config_arg(c, "--impl", "pair");
	if (sel & 0x10)
		config_arg(c, "--perins", NULL);
	if (sel & 0x20)
		config_arg(c, "--cycle", NULL);
	prof->opt.callgraph = sel & 0x40;
	/* a small backlog: it is allocated (and zeroed) per input */
	config_arg(c, "--backlog-mb", "1");
}
#elif defined(FUZZ_ND)
/*
 * bit 0 --json, 1 --perins, 2 --than 100 (values over it printed), 3 -g,
 * 4 alias= and a filter, 5 -N 3, 6 a heatmap, 7 delay= (nanoseconds)
 * instead of num= on the first event
 */
static void config_make(unsigned char sel, struct prof *prof, struct config *c)
{
	c->evs[0] = sel & 0x80 ? "sched:sched_wakeup//delay=prio*1000/" :
		    sel & 0x10 ? "sched:sched_wakeup/pid>1/num=prio/alias=W/" :
				 "sched:sched_wakeup//num=prio-pid/";
	c->evs[1] = "syscalls:sys_enter_write//num=count/";
	c->evs[2] = "sched:sched_switch//num=prev_state/stack/";
	c->nr_evs = 3;
	prof->opt.json = sel & 0x01;
	if (sel & 0x02)
		config_arg(c, "--perins", NULL);
	if (sel & 0x04)
		config_arg(c, "--than", "100");
	prof->opt.callgraph = sel & 0x08;
	if (sel & 0x20)
		prof->opt.exit_n = 3;
	if (sel & 0x40)
		config_arg(c, "--heatmap", hm_path);
}
#elif defined(FUZZ_KML)
/*
 * the allocations: sched_wakeup (ptr=pid, size=prio) and sys_enter_write
 * (ptr=fd, size=count), the frees: sched_switch (ptr=prev_pid); bit 0
 * --json, 1 -g, 2 --than 1us, 3 --max-objects 4 (drops), 4 --top 2, 5
 * 'stack' on the allocations instead, 6 -N 3, 7 a flame graph (needs stacks)
 */
static void config_make(unsigned char sel, struct prof *prof, struct config *c)
{
	config_arg(c, "--alloc", sel & 0x20 ?
		   "sched:sched_wakeup//ptr=pid/size=prio/stack/,"
		   "syscalls:sys_enter_write//ptr=fd/size=count/stack/" :
		   "sched:sched_wakeup//ptr=pid/size=prio/,syscalls:sys_enter_write//ptr=fd/size=count/");
	config_arg(c, "--free", "sched:sched_switch//ptr=prev_pid/");
	c->nr_evs = 0;	/* prepare() makes them from --alloc/--free */
	prof->opt.json = sel & 0x01;
	prof->opt.callgraph = sel & 0x82;
	if (sel & 0x04)
		config_arg(c, "--than", "1us");
	if (sel & 0x08)
		config_arg(c, "--max-objects", "4");
	if (sel & 0x10)
		config_arg(c, "--top", "2");
	if (sel & 0x40)
		prof->opt.exit_n = 3;
	if (sel & 0x80)
		prof->opt.flame_graph = fg_path;
}
#elif defined(FUZZ_TOP)
/*
 * bit 0 --order, 1 --json, 2 keys: key=/comm=/top-by=/top-add= on every
 * event, 3 a user-space filter, 4 --only-comm, 5 printkey=, 6 --max-rows 4
 * (drops), 7 --cumulative -N 5 and a third event
 */
static void config_make(unsigned char sel, struct prof *prof, struct config *c)
{
	static const char *const plain[MAX_EVS] = {
		"sched:sched_wakeup", "syscalls:sys_enter_write", "sched:sched_switch",
	};
	static const char *const keyed[MAX_EVS] = {
		"sched:sched_wakeup//key=pid/comm=comm/top-by=prio/top-add=target_cpu/",
		"syscalls:sys_enter_write//key=fd/top-by=count/comm=comm_get(_pid)/",
		"sched:sched_switch//key=prev_pid/comm=prev_comm/top-add=prev_state/",
	};
	static const char *const filtered[MAX_EVS] = {
		"sched:sched_wakeup/prio>100 && comm ~ \"k*\"/key=pid/comm=comm/top-by=prio/",
		"syscalls:sys_enter_write/(count/(fd-1))>0/key=fd/comm=comm_get(_tid)/",
		"sched:sched_switch/prev_pid!=0/key=next_pid/comm=next_comm/",
	};
	static const char *const pk[MAX_EVS] = {
		"sched:sched_wakeup//key=pid/comm=comm/printkey=printf(\"%5d|\",key)/",
		"syscalls:sys_enter_write//key=fd/comm=comm_get(fd)/",
		"sched:sched_switch//key=prev_pid/comm=next_comm/",
	};
	const char *const *set = sel & 0x20 ? pk : sel & 0x08 ? filtered : sel & 0x04 ? keyed : plain;

	c->nr_evs = sel & 0x80 ? 3 : 2;
	for (int i = 0; i < c->nr_evs; i++)
		c->evs[i] = set[i];
	prof->opt.order = sel & 0x01;
	prof->opt.json = sel & 0x02;
	if (sel & 0x10)
		config_arg(c, "--only-comm", NULL);
	if (sel & 0x40)
		config_arg(c, "--max-rows", "4");
	if (sel & 0x80) {
		config_arg(c, "--cumulative", NULL);
		config_arg(c, "--top", "3");
		prof->opt.exit_n = 5;
	}
}
#else
/*
 * bit 0 --order, 1 --json, 2 -g (samples carry callchains), 3 a user-space
 * filter on sched_wakeup, 4 alias= and stack on the first event, 5 -N 3,
 * 6 a filter that divides (run-time errors), 7 a third event
 */
static void config_make(unsigned char sel, struct prof *prof, struct config *c)
{
	static const char *const wakeup[4] = {
		"sched:sched_wakeup",
		"sched:sched_wakeup/prio>100 || comm==\"kworker/0:1\"/",
		"sched:sched_wakeup//alias=WK/stack/",
		"sched:sched_wakeup/pid%(prio-120)==0/alias=WK/max-stack=3/",
	};

	c->evs[0] = wakeup[(sel & 0x08 ? 1 : 0) | (sel & 0x10 ? 2 : 0)];
	c->evs[1] = sel & 0x40 ? "syscalls:sys_enter_write/(count/fd)>1/" : "syscalls:sys_enter_write";
	c->evs[2] = "sched:sched_switch/prev_state&1 && next_pid>0/";
	c->nr_evs = sel & 0x80 ? 3 : 2;
	prof->opt.order = sel & 0x01;
	prof->opt.json = sel & 0x02;
	prof->opt.callgraph = sel & 0x04;
	if (sel & 0x20)
		prof->opt.exit_n = 3;
}
#endif


static void fuzz_assert(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-replay: contract broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const struct profiler *ops = FUZZ_PROFILER;
	struct run_config cfg = { .out = devnull, .diag = devnull };
	struct run *run;
	struct prof *prof;
	struct config c = { 0 };
	struct err err = { 0 };
	char *buf;

	if (!size || size > (1 << 20))
		return -1;
	run = run__new(ops, &cfg);
	prof = run__prof(run);
	config_make(data[0], prof, &c);
	/* the profiler's own options, parsed as the command line would */
	fuzz_assert(!run__parse_args(run, c.argc, c.argv, NULL, &err), "profiler options parse");
	if (c.nr_evs) {
		prof->opt.events.v = xzalloc(sizeof(char *) * MAX_EVS);
		for (int i = 0; i < c.nr_evs; i++)
			prof->opt.events.v[i] = c.evs[i];
		prof->opt.events.n = c.nr_evs;
	}
	/* the run owns the copy from here on, also on failure */
	buf = malloc(size - 1 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	if (run__replay_mem(run, buf, size - 1, "fuzz", &err))
		fuzz_assert(err.msg[0] != '\0', "a refused replay says why");
	run__delete(run);
	runs++;
	return 0;
}
