/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stackcopy.h - the registers and user stacks of a running process's
 * threads, copied with ptrace while they are stopped for as short a time as
 * that takes; unwinding and symbols come afterwards (unwind.h, syms.h),
 * with the process already running again.
 *
 * One copy: every thread is seized (PTRACE_SEIZE, which sends no signal)
 * and interrupted (PTRACE_INTERRUPT); once all have stopped, each one's
 * registers are read (PTRACE_GETREGS) and its stack copied from SP up to
 * the end of its mapping or a size limit (process_vm_readv), and it is
 * detached at once. All threads are stopped together before the first one
 * runs again, so the copies show the process at one instant (or, with
 * one_by_one, each thread is stopped, copied and let go in turn). Nothing is
 * left behind: a signal that arrived while a thread was stopped is given
 * back when it is detached, a process stopped by SIGSTOP stays stopped,
 * and if the tracer dies at any point the kernel detaches its tracees
 * without a stop or a signal (what PTRACE_ATTACH's SIGSTOP could leave).
 *
 * A thread that does not stop within the timeout (uninterruptible sleep)
 * is reported as such and stays seized: ptrace can only detach a stopped
 * thread. It is waited for and detached by the next copy and by
 * stackcopy__delete(); if it is still asleep then, the kernel detaches it
 * when this process exits.
 *
 * x86-64 only. Not thread-safe: ptrace ties tracees to the thread that
 * seized them, so one struct stackcopy belongs to one thread.
 */
#ifndef PERF_PROF_STACKCOPY_H
#define PERF_PROF_STACKCOPY_H

#include "util.h"

/*
 * The registers copied, as bits of enum perf_event_x86_regs (what
 * unwind__user() takes): AX..IP and R8..R15, every general register.
 */
#define STACKCOPY_REGS_MASK	0xff01ffULL
#define STACKCOPY_NR_REGS	17
#define STACKCOPY_SP		7	/* SP's slot in stackcopy_thread.regs */

#define STACKCOPY_STACK_DEFAULT	(512 * 1024)
#define STACKCOPY_TIMEOUT_DEFAULT	1000000000ULL	/* 1 s */

/* what happened to one thread */
enum stackcopy_state {
	STACKCOPY_OK,		/* registers and stack copied */
	STACKCOPY_EXITED,	/* it exited before it could be read */
	STACKCOPY_LATE,		/* it did not stop within the timeout */
	STACKCOPY_ZOMBIE,	/* exited, waiting to be reaped: no stack */
	STACKCOPY_COMPAT,	/* a 32-bit thread: not copied */
	STACKCOPY_FAILED,	/* stopped, but its registers could not be read (@err) */
};

/**
 * struct stackcopy_thread - one thread of the last copy
 * @tid:     thread id
 * @comm:    its name, read before the copy ("" if it was gone)
 * @state:   see enum stackcopy_state
 * @err:     -errno of the failure for STACKCOPY_FAILED
 * @proc_state: the state letter /proc showed for a late thread ('D', ...)
 * @regs:    STACKCOPY_REGS_MASK registers, in ascending bit order
 * @stack:   the bytes from regs[STACKCOPY_SP] upward
 * @size:    how many (0 when SP pointed to no readable memory)
 * @cut:     the stack goes on past the @size bytes copied (the size limit)
 * @stopped_ns: how long this thread was stopped
 */
struct stackcopy_thread {
	int tid;
	char comm[16];
	enum stackcopy_state state;
	int err;
	char proc_state;
	u64 regs[STACKCOPY_NR_REGS];
	u8 *stack;
	u64 size;
	bool cut;
	u64 stopped_ns;
};

/**
 * struct stackcopy_stats - the last copy, for -v and benchmarks
 * @threads:   threads stopped and copied
 * @stopped_ns: from the first interrupt to the last thread running again
 * @stopping_ns: of which waiting for every thread to stop (not one_by_one)
 * @thread_max_ns: the longest time one thread was stopped
 * @bytes:     stack bytes copied
 */
struct stackcopy_stats {
	int threads;
	u64 stopped_ns;
	u64 stopping_ns;
	u64 thread_max_ns;
	u64 bytes;
};

struct stackcopy;

/**
 * struct stackcopy_opts - how copies are made
 * @stack_max:  bytes of stack copied per thread at most (from SP up)
 * @timeout_ns: how long a copy waits for a thread to stop
 * @one_by_one: stop, copy and let go each thread in turn, as eu-stack does:
 *              each thread is stopped for the least time and the process as
 *              a whole never is, but the stacks are not from one instant
 */
struct stackcopy_opts {
	u64 stack_max;
	u64 timeout_ns;
	bool one_by_one;
};

/* stackcopy__new - a copier for the threads of process @pid; never fails */
struct stackcopy *stackcopy__new(int pid, const struct stackcopy_opts *opts);

/**
 * stackcopy__delete - detach what is still seized (waiting up to the
 * timeout for late threads), free everything
 */
void stackcopy__delete(struct stackcopy *sc);

/**
 * stackcopy__take - copy the threads @tids (all of them when @nr_tids is
 * 0: every thread in /proc/PID/task, including those created while the
 * others were being stopped).
 * @failed_tid: set to the thread a fatal error came from
 *
 * Returns the number of threads in stackcopy__threads() (some may be
 * EXITED, LATE, ...), or a -errno when nothing was copied:
 *   -ESRCH   the process is gone (or every thread asked for)
 *   -EPERM   ptrace refused (already traced, not allowed): @failed_tid
 *   other    PTRACE_SEIZE's or the system's error
 * Every thread seized by a failed call is released before it returns.
 */
int stackcopy__take(struct stackcopy *sc, const int *tids, int nr_tids, int *failed_tid);

/*
 * stackcopy__threads - the threads of the last stackcopy__take(), by
 * ascending tid; valid until the next stackcopy__take()
 */
const struct stackcopy_thread *stackcopy__threads(const struct stackcopy *sc, int *nr);

/* stackcopy__stats - the figures of the last stackcopy__take() */
void stackcopy__stats(const struct stackcopy *sc, struct stackcopy_stats *st);

#endif
