/* SPDX-License-Identifier: GPL-2.0 */
/*
 * schedev.h - what the scheduling profilers (task-state, rundelay) share:
 * the fields of sched:sched_switch and sched:sched_wakeup*, and the
 * decoding of sched_switch's prev_state into the state a task left its
 * CPU in (S, D, I, ...; or still runnable: preempted).
 *
 * prev_state's bits differ between kernels (TASK_REPORT_MAX moved, letters
 * came and went: K, W, x, N, P, I). They are never guessed from a kernel
 * version: sched_switch__init() asks the format's own print fmt what each
 * bit prints, through libtraceevent, once.
 */
#ifndef PERF_PROF_SCHEDEV_H
#define PERF_PROF_SCHEDEV_H

#include "field.h"
#include "util.h"

struct tep_event;

/*
 * State ids: three that every kernel has, then one per letter the format
 * prints for a bit of prev_state, in the order of the bits.
 */
enum {
	SCHED_RUN = 0,		/* "R":  on a CPU */
	SCHED_PREEMPT = 1,	/* "R+": switched out still runnable (preempted, yield) */
	SCHED_WAIT = 2,		/* "RD": woken, waiting for a CPU */
	SCHED_LETTERS = 3,	/* the first state read from the format */
	SCHED_MAX_STATES = 24,
};

/**
 * struct sched_states - prev_state's bits and the states they name
 * @letters:  the bits that print a letter (S, D, T, ...)
 * @preempt:  the bit that prints "+" (TASK_REPORT_MAX), 0 when none
 * @by_bit:   the state id of each bit of @letters
 * @names:    the state ids' names ("R", "R+", "RD", "S", "D", ...)
 * @nr:       states named
 */
struct sched_states {
	u64 letters;
	u64 preempt;
	u8 by_bit[64];
	char names[SCHED_MAX_STATES][4];
	int nr;
};

/**
 * struct sched_switch_fmt - the fields of sched:sched_switch
 * @prev_pid, @prev_state, @next_pid: as the format lays them out
 * @states: prev_state decoded
 */
struct sched_switch_fmt {
	struct field prev_pid;
	struct field prev_state;
	struct field next_pid;
	struct sched_states states;
};

/**
 * sched_switch__init - resolve @tp (sched:sched_switch) into @f: its
 * fields and what each bit of prev_state prints. Returns 0, or -1 with
 * @err (EXIT_FAIL) when a field is missing or prev_state cannot be read
 * from the print fmt.
 */
int sched_switch__init(struct sched_switch_fmt *f, struct tep_event *tp, struct err *err);

/**
 * sched_wakeup__init - @pid: the woken thread's field of @tp (sched_wakeup,
 * sched_wakeup_new, sched_waking); -1 with @err when it has none
 */
int sched_wakeup__init(struct field *pid, struct tep_event *tp, struct err *err);

/**
 * sched_fork__init - @child: the new thread's field of @tp
 * (sched_process_fork), and @parent the forking thread's
 */
int sched_fork__init(struct field *parent, struct field *child, struct tep_event *tp,
		     struct err *err);

/**
 * sched__state - the state id a task switched out with @prev_state is in:
 * its lowest lettered bit's, else SCHED_PREEMPT (runnable: "R" or "R+")
 */
static inline int sched__state(const struct sched_states *s, u64 prev_state)
{
	u64 m = prev_state & s->letters;

	return m ? s->by_bit[__builtin_ctzll(m)] : SCHED_PREEMPT;
}

/**
 * sched__state_id - the state id called @name ("S", "D", "R+", ...), or -1
 */
int sched__state_id(const struct sched_states *s, const char *name);

/* ------------------------------------------------------------------ */
/* the events and the targets                                           */
/* ------------------------------------------------------------------ */

struct prof;
struct hashmap;

/* the events sched__add_events() gives a profiler, by ev->pos */
enum {
	SCHED_EV_SWITCH,
	SCHED_EV_WAKEUP,
	SCHED_EV_WAKEUP_NEW,
	SCHED_EV_FORK,		/* only when the targets follow their children */
};

/**
 * sched__add_events - from a cpu_wide profiler's prepare(): the scheduler's
 * events in the SCHED_EV_* order; sched_process_fork only with @fork
 */
void sched__add_events(struct prof *prof, bool fork);

/**
 * struct sched_targets - the threads a cpu_wide profiler keeps: every one
 * (no -p/-t/workload) or those of the targets, and, when @follow, the
 * threads and processes they fork (seen through sched_process_fork). The
 * targets are known once the run has started: they are read at the first
 * question.
 */
struct sched_targets {
	struct hashmap *tids;
	const struct prof *prof;
	bool task_mode;
	bool follow;
};

/*
 * sched_targets__init - from prepare(): @t for @prof; returns whether its
 * targets follow their forks (sched__add_events(prof, fork))
 */
bool sched_targets__init(struct sched_targets *t, const struct prof *prof);

/* sched_targets__has - whether @tid is kept */
bool sched_targets__has_slow(struct sched_targets *t, int tid);
static inline bool sched_targets__has(struct sched_targets *t, int tid)
{
	return !t->task_mode || sched_targets__has_slow(t, tid);
}

/* sched_targets__fork - @parent forked @child: kept when its parent is and they follow */
void sched_targets__fork(struct sched_targets *t, int parent, int child);

/* sched_targets__exit - @tid is gone (its number may come back as another task) */
void sched_targets__exit(struct sched_targets *t, int tid);

/* sched_targets__free - free the set */
void sched_targets__free(struct sched_targets *t);

/**
 * sched_targets__task - the entry of @tid in @tasks (a hashmap of the
 * profiler's per-thread state, created zeroed), or NULL when @tid is no
 * thread (0: the idle task) or not kept by @t
 */
void *sched_targets__task(struct sched_targets *t, struct hashmap *tasks, int tid);

/* ------------------------------------------------------------------ */
/* a thread's process, and the rows of the profilers' tables            */
/* ------------------------------------------------------------------ */

struct lattab;

/**
 * struct sched_owner - the process of a thread, as the records tell it. A
 * new thread's first interval (its creation's run-queue wait) ends at its
 * first switch-in, whose record is written in another task's context: the
 * thread's process is not known yet, so that interval is held until a
 * record the thread is current in says it.
 * @pend:    the held interval (ns), 0 when none
 * @pid:     the process, 0 until known
 * @pend_id: the held interval's row id (state or cause)
 */
struct sched_owner {
	u64 pend;
	int pid;
	u8 pend_id;
};

/**
 * sched_owner__add - add the interval (@id, @d ns) of thread @tid to its
 * row of @tab: the thread's (@perins) or its process's, held in @o until
 * the process is known
 */
void sched_owner__add(struct sched_owner *o, struct lattab *tab, bool perins, int tid,
		      unsigned id, u64 d);

/**
 * sched_owner__learn - thread @tid is in process @pid (from a record it is
 * current in): a held interval goes to its row of @tab now
 */
void sched_owner__learn(struct sched_owner *o, struct lattab *tab, bool perins, int tid, int pid);

/* ------------------------------------------------------------------ */
/* switches no tracer saw                                               */
/* ------------------------------------------------------------------ */

/**
 * struct sched_cpus - per CPU, the thread the last switch seen put on it
 * and when. The kernel can switch without running the tracepoint (a
 * hypervisor's agent hidden from tracing does it: its threads are seen
 * switched in, never out): a switch whose prev is not the thread the last
 * one put there shows it. That prev was switched in unseen, after the
 * last switch seen, and the interval it was in (a wait, a sleep) ended
 * then, as the BPF programs estimate it too (lib/bpf/schedagg.h).
 * @unseen: such switches of kept threads, and switch-ins of kept threads
 *          asleep with no wakeup seen, for the final report to say
 */
struct sched_cpus {
	struct sched_cpu {
		int next;	/* +1, 0: none seen yet */
		u64 when;
	} *cpu;
	int nr;
	u64 unseen;
};

/* sched_cpus__init - @c for the CPUs of this machine; sched_cpus__exit() frees it */
void sched_cpus__init(struct sched_cpus *c);
void sched_cpus__exit(struct sched_cpus *c);

/**
 * sched_cpus__switch - the switch seen on @cpu at @time, from @prev (@kept:
 * followed) to @next. Returns the time of the last switch seen on @cpu
 * before it (0: none), after which @prev was switched in, seen or not.
 */
u64 sched_cpus__switch(struct sched_cpus *c, int cpu, int prev, int next, u64 time, bool kept);

#endif
