// SPDX-License-Identifier: GPL-2.0
/*
 * stackcopy.c - registers and user stacks of a live process's threads,
 * copied under ptrace (see stackcopy.h for the contract).
 *
 * The window in which the process is stopped holds little but system
 * calls: the thread list is read before it opens, each thread's stack is
 * copied into one scratch buffer and moved to the thread's own buffer once
 * that thread runs again, and nothing is parsed or unwound before the last
 * thread runs again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stackcopy.h"

#define PAGE		4096ULL
#define IOV_CHUNK	256		/* remote iovecs per process_vm_readv() */
#define RELIST_MAX	16		/* rounds of looking for threads born meanwhile */
#define USER32_CS	0x23		/* the code segment of 32-bit user mode */
#define GRACE_NS	10000000ULL	/* threads held for the one that stops last */

/* what the copier knows of one thread while a copy runs */
struct slot {
	struct stackcopy_thread t;
	bool wanted;		/* asked for (not only a late thread to let go) */
	bool seized;		/* ours until detached */
	bool stopped;		/* in a ptrace stop: may be read and detached */
	int sig;		/* a signal its stop took from it, given back at detach */
	u64 cap;		/* bytes allocated at ->stack */
	u64 t_stop;		/* when it was asked to stop */
};

struct stackcopy {
	int pid;
	u64 stack_max;
	u64 timeout;
	bool one_by_one;
	struct slot *s;		/* the threads of this copy */
	int nr, cap;
	struct stackcopy_thread *out;	/* the wanted ones, by tid */
	int nr_out;
	int *late;		/* seized by an earlier copy, not stopped yet */
	int nr_late;
	u64 (*vmas)[2];		/* [start, end) of each mapping, read before a copy */
	int nr_vmas, cap_vmas;
	u8 *scratch;		/* stack_max bytes: the copy made while stopped */
	struct iovec iov[IOV_CHUNK];
	struct stackcopy_stats st;
};

struct stackcopy *stackcopy__new(int pid, const struct stackcopy_opts *opts)
{
	struct stackcopy *sc = xzalloc(sizeof(*sc));

	sc->pid = pid;
	sc->stack_max = (opts->stack_max + 7) & ~7ULL;
	sc->timeout = opts->timeout_ns;
	sc->one_by_one = opts->one_by_one;
	sc->scratch = xzalloc(sc->stack_max ? sc->stack_max : 8);
	/* its pages faulted in now, not while the threads wait for the copy */
	memset(sc->scratch, 0xff, sc->stack_max);
	return sc;
}

/* --- the thread list ---------------------------------------------------- */

static int tid_cmp(const void *a, const void *b)
{
	const struct stackcopy_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * sc__add - thread @tid in the next free slot (slots keep their stack
 * buffers); its name is read now, before anything is stopped
 */
static void sc__add(struct stackcopy *sc, int tid, bool wanted)
{
	struct slot *s;
	u8 *stack;
	u64 cap;

	for (int i = 0; i < sc->nr; i++)
		if (sc->s[i].t.tid == tid) {
			if (wanted && !sc->s[i].wanted)
				proc_comm(sc->pid, tid, sc->s[i].t.comm, sizeof(sc->s[i].t.comm));
			sc->s[i].wanted |= wanted;
			return;
		}
	if (sc->nr == sc->cap) {
		int n = sc->cap ? sc->cap * 2 : 16;

		sc->s = xrealloc(sc->s, (size_t)n * sizeof(*sc->s));
		memset(sc->s + sc->cap, 0, (size_t)(n - sc->cap) * sizeof(*sc->s));
		sc->cap = n;
	}
	s = &sc->s[sc->nr++];
	stack = s->t.stack;
	cap = s->cap;
	memset(s, 0, sizeof(*s));
	s->t.stack = stack;
	s->cap = cap;
	s->t.tid = tid;
	s->wanted = wanted;
	if (wanted)
		proc_comm(sc->pid, tid, s->t.comm, sizeof(s->t.comm));
}

/* sc__list - add every thread of /proc/PID/task; -errno when the process is gone */
static int sc__list(struct stackcopy *sc)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", sc->pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0)
			continue;
		sc__add(sc, (int)tid, true);
	}
	closedir(d);
	return 0;
}

/* proc_state - the state letter of /proc/PID/task/TID/stat, 0 when unreadable */
static char proc_state(int pid, int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold anything, ')' included: the state follows the last ')' */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * sc__read_maps - the process's mappings, so that a stack is copied up to
 * the end of its own mapping and no further (thread stacks often lie right
 * below other readable mappings). Read before the threads stop; a mapping
 * made after that is not known, and its stack copies up to stack_max.
 */
static void sc__read_maps(struct stackcopy *sc)
{
	char path[64], *buf, *line;

	sc->nr_vmas = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", sc->pid);
	buf = read_file(path, NULL);
	for (line = buf; line && *line;) {
		unsigned long long start, end;
		char *nl = strchr(line, '\n');

		if (sscanf(line, "%llx-%llx", &start, &end) == 2 && start < end) {
			if (sc->nr_vmas == sc->cap_vmas) {
				sc->cap_vmas = sc->cap_vmas ? sc->cap_vmas * 2 : 64;
				sc->vmas = xrealloc(sc->vmas, (size_t)sc->cap_vmas * sizeof(*sc->vmas));
			}
			sc->vmas[sc->nr_vmas][0] = start;
			sc->vmas[sc->nr_vmas++][1] = end;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
}

/*
 * sc__stack_len - bytes from @sp to the end of its mapping, at most
 * stack_max; @cut: the mapping (if it is known) goes on past that
 */
static u64 sc__stack_len(const struct stackcopy *sc, u64 sp, bool *cut)
{
	int lo = 0, hi = sc->nr_vmas;

	/* the kernel lists mappings by address */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (sc->vmas[mid][1] <= sp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sc->nr_vmas && sc->vmas[lo][0] <= sp && sc->vmas[lo][1] - sp <= sc->stack_max) {
		*cut = false;
		return sc->vmas[lo][1] - sp;
	}
	*cut = true;
	return sc->stack_max;
}

/* --- stopping and releasing --------------------------------------------- */

static bool late__take(struct stackcopy *sc, int tid)
{
	for (int i = 0; i < sc->nr_late; i++)
		if (sc->late[i] == tid) {
			sc->late[i] = sc->late[--sc->nr_late];
			return true;
		}
	return false;
}

static void late__add(struct stackcopy *sc, int tid)
{
	sc->late = xrealloc(sc->late, (size_t)(sc->nr_late + 1) * sizeof(int));
	sc->late[sc->nr_late++] = tid;
}

/*
 * sc__seize - seize and interrupt the thread of @s. Returns 0 (seized, or
 * gone: marked EXITED/ZOMBIE), or -errno when ptrace refused it.
 */
static int sc__seize(struct stackcopy *sc, struct slot *s)
{
	struct stackcopy_thread *t = &s->t;
	char st;

	if (late__take(sc, t->tid)) {
		/* still seized and interrupted by an earlier copy */
		s->seized = true;
		s->t_stop = now_ns();
		return 0;
	}
	if (ptrace(PTRACE_SEIZE, t->tid, 0, 0)) {
		int e = errno;

		if (e == ESRCH) {
			t->state = STACKCOPY_EXITED;
			return 0;
		}
		/* the kernel refuses a thread that has exited (EPERM) like a traced one */
		st = proc_state(sc->pid, t->tid);
		if (e == EPERM && (st == 'Z' || st == 'X' || !st)) {
			t->state = st ? STACKCOPY_ZOMBIE : STACKCOPY_EXITED;
			return 0;
		}
		return -e;
	}
	s->seized = true;
	s->t_stop = now_ns();
	/* ESRCH: it died in between; waitpid() reaps it */
	ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
	return 0;
}

/*
 * sc__poll - one non-blocking look at the thread of @s: true once it has
 * stopped or is gone. A signal-delivery stop keeps its signal for the
 * detach; any other stop (our interrupt, a group stop) delivers nothing.
 */
static bool sc__poll(struct slot *s)
{
	int status;
	pid_t r = waitpid(s->t.tid, &status, __WALL | WNOHANG);

	if (r == 0)
		return false;
	if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
		/* reaped (or not ours any more): nothing to detach */
		s->seized = false;
		s->t.state = STACKCOPY_EXITED;
		return true;
	}
	if (WIFSTOPPED(status)) {
		s->stopped = true;
		/*
		 * a seized thread has no syscall stops and no exec SIGTRAP: a
		 * stop without an event is a signal being delivered, whichever
		 */
		if ((status >> 16) == 0)
			s->sig = WSTOPSIG(status);
		return true;
	}
	return false;
}

/*
 * backoff - the wait between two looks. Short sleeps rather than
 * sched_yield(): on a busy machine a yield can hand the CPU to a busy
 * task for a whole time slice, while a sleeper is woken on time and
 * leaves its CPU to the threads that must run to reach their stop. The
 * first sleeps are a few microseconds: stackcopy__take() lowers the
 * thread's timer slack (50 us by default) while threads are stopped.
 */
static void backoff(int round)
{
	struct timespec ts = { 0, round < 12 ? 2000L << (round / 2) : 100000L };

	nanosleep(&ts, NULL);
}

/* sc__wait - until every seized thread has stopped or is gone, or the timeout */
static void sc__wait(struct stackcopy *sc, u64 timeout)
{
	u64 deadline = now_ns() + timeout;

	for (int round = 0;; round++) {
		bool waiting = false;

		for (int i = 0; i < sc->nr; i++)
			if (sc->s[i].seized && !sc->s[i].stopped && !sc__poll(&sc->s[i]))
				waiting = true;
		if (!waiting || now_ns() >= deadline)
			return;
		backoff(round);
	}
}

/* sc__wait_slot - until the thread of @s has stopped or is gone, or the timeout */
static void sc__wait_slot(struct slot *s, u64 timeout)
{
	u64 deadline = now_ns() + timeout;

	for (int round = 0; s->seized && !s->stopped && !sc__poll(s); round++) {
		if (now_ns() >= deadline)
			return;
		backoff(round);
	}
}

static void sc__detach(struct slot *s)
{
	ptrace(PTRACE_DETACH, s->t.tid, 0, (void *)(long)s->sig);
	s->t.stopped_ns = now_ns() - s->t_stop;
	s->seized = s->stopped = false;
}

/*
 * sc__release - detach every thread still seized; those that have not
 * stopped yet get up to @timeout more, then are kept as late
 */
static void sc__release(struct stackcopy *sc, u64 timeout)
{
	for (int i = 0; i < sc->nr; i++)
		if (sc->s[i].seized && sc->s[i].stopped)
			sc__detach(&sc->s[i]);
	sc__wait(sc, timeout);
	for (int i = 0; i < sc->nr; i++) {
		struct slot *s = &sc->s[i];

		if (!s->seized)
			continue;
		if (s->stopped) {
			sc__detach(s);
		} else {
			late__add(sc, s->t.tid);
			s->seized = false;
		}
	}
}

/* --- copying ------------------------------------------------------------ */

/*
 * sc__read_stack - @len bytes from @addr of the process into the scratch
 * buffer, page by page so an unmapped page ends the copy rather than
 * failing it (the end of a stack mapping). Returns the bytes copied.
 */
static u64 sc__read_stack(struct stackcopy *sc, int tid, u64 addr, u64 len)
{
	u64 done = 0;

	while (done < len) {
		struct iovec local = { sc->scratch + done, 0 };
		u64 a = addr + done, want = 0;
		unsigned long n = 0;
		ssize_t got;

		while (n < IOV_CHUNK && done + want < len) {
			u64 piece = PAGE - ((a + want) & (PAGE - 1));

			if (piece > len - done - want)
				piece = len - done - want;
			sc->iov[n].iov_base = (void *)(uintptr_t)(a + want);
			sc->iov[n++].iov_len = piece;
			want += piece;
		}
		local.iov_len = want;
		got = process_vm_readv(tid, &local, 1, sc->iov, n, 0);
		if (got <= 0)
			break;
		done += (u64)got;
		if ((u64)got < want)
			break;
	}
	return done;
}

/* sc__regs - user_regs_struct in the order of STACKCOPY_REGS_MASK's bits */
static void sc__regs(u64 *out, const struct user_regs_struct *r)
{
	const u64 v[STACKCOPY_NR_REGS] = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp, r->rip,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
	};

	memcpy(out, v, sizeof(v));
}

/*
 * sc__copy - registers and stack of the stopped thread of @s into the
 * scratch buffer, detach it, then keep the copy in its own buffer
 */
static void sc__copy(struct stackcopy *sc, struct slot *s)
{
	struct stackcopy_thread *t = &s->t;
	struct user_regs_struct regs;
	u64 n = 0, len = 0;
	bool cut = false;

	if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs)) {
		t->err = -errno;
		t->state = errno == ESRCH ? STACKCOPY_EXITED : STACKCOPY_FAILED;
	} else if (regs.cs == USER32_CS) {
		t->state = STACKCOPY_COMPAT;
	} else {
		sc__regs(t->regs, &regs);
		len = sc__stack_len(sc, regs.rsp, &cut);
		n = sc__read_stack(sc, t->tid, regs.rsp, len);
	}
	sc__detach(s);
	if (t->state != STACKCOPY_OK)
		return;
	if (n > s->cap) {
		free(t->stack);
		t->stack = xzalloc(n);
		s->cap = n;
	}
	memcpy(t->stack, sc->scratch, n);
	t->size = n;
	t->cut = cut && n == len;
	sc->st.bytes += n;
	sc->st.threads++;
}

/*
 * sc__stop_all - seize the threads listed, then (when following the whole
 * process) those born while the others were stopping, until the list no
 * longer grows. Each round waits up to GRACE_NS for them to stop: a thread
 * that takes longer (in uninterruptible sleep, or waiting for a CPU) is
 * copied when it stops, and the others are not held for it. Returns 0 or
 * -errno with @failed_tid.
 */
static int sc__stop_all(struct stackcopy *sc, bool relist, int *failed_tid)
{
	int from = 0;

	for (int round = 0; round < RELIST_MAX; round++) {
		int upto = sc->nr;

		for (int i = from; i < upto; i++) {
			int e = sc__seize(sc, &sc->s[i]);

			if (e) {
				*failed_tid = sc->s[i].t.tid;
				return e;
			}
		}
		sc__wait(sc, sc->timeout < GRACE_NS ? sc->timeout : GRACE_NS);
		if (!relist || sc__list(sc) || sc->nr == upto)
			return 0;
		from = upto;
	}
	return 0;
}

/* sc__copy_stopped - copy (or just let go) the thread of @s if it is stopped */
static void sc__copy_stopped(struct stackcopy *sc, struct slot *s)
{
	if (!s->seized || !s->stopped)
		return;
	if (s->wanted && s->t.state == STACKCOPY_OK)
		sc__copy(sc, s);
	else
		sc__detach(s);
}

/* sc__stragglers - copy the threads that stop late, as they stop, until @deadline */
static void sc__stragglers(struct stackcopy *sc, u64 deadline)
{
	for (int round = 0;; round++) {
		bool waiting = false;

		for (int i = 0; i < sc->nr; i++) {
			struct slot *s = &sc->s[i];

			if (!s->seized || s->stopped)
				continue;
			if (sc__poll(s))
				sc__copy_stopped(sc, s);
			else
				waiting = true;
		}
		if (!waiting || now_ns() >= deadline)
			return;
		backoff(round);
	}
}

/*
 * sc__one_by_one - seize, stop, copy and let go each thread in turn (and
 * those born meanwhile, when following the whole process). A thread that
 * does not stop in time stays seized (late). Returns 0 or -errno with
 * @failed_tid.
 */
static int sc__one_by_one(struct stackcopy *sc, bool relist, int *failed_tid)
{
	int from = 0;

	for (int round = 0; round < RELIST_MAX; round++) {
		int upto = sc->nr;

		for (int i = from; i < upto; i++) {
			struct slot *s = &sc->s[i];
			int e = sc__seize(sc, s);

			if (e) {
				*failed_tid = s->t.tid;
				return e;
			}
			sc__wait_slot(s, sc->timeout);
			sc__copy_stopped(sc, s);
		}
		if (!relist || sc__list(sc) || sc->nr == upto)
			return 0;
		from = upto;
	}
	return 0;
}

/* sc__output - the wanted threads, by ascending tid */
static void sc__output(struct stackcopy *sc)
{
	sc->out = xrealloc(sc->out, (size_t)(sc->nr ? sc->nr : 1) * sizeof(*sc->out));
	sc->nr_out = 0;
	for (int i = 0; i < sc->nr; i++)
		if (sc->s[i].wanted)
			sc->out[sc->nr_out++] = sc->s[i].t;
	qsort(sc->out, (size_t)sc->nr_out, sizeof(*sc->out), tid_cmp);
}

int stackcopy__take(struct stackcopy *sc, const int *tids, int nr_tids, int *failed_tid)
{
	u64 t0;
	int e, slack;

	memset(&sc->st, 0, sizeof(sc->st));
	*failed_tid = 0;
	sc->nr = sc->nr_out = 0;
	if (nr_tids) {
		for (int i = 0; i < nr_tids; i++)
			sc__add(sc, tids[i], true);
	} else if ((e = sc__list(sc))) {
		return e == -ENOENT ? -ESRCH : e;
	}
	/* threads still seized from an earlier copy: reaped or let go now */
	for (int i = 0; i < sc->nr_late; i++)
		sc__add(sc, sc->late[i], false);

	sc__read_maps(sc);
	slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
	t0 = now_ns();
	if (sc->one_by_one) {
		e = sc__one_by_one(sc, !nr_tids, failed_tid);
	} else {
		e = sc__stop_all(sc, !nr_tids, failed_tid);
		sc->st.stopping_ns = now_ns() - t0;
	}
	if (e) {
		sc__release(sc, sc->timeout);
		prctl(PR_SET_TIMERSLACK, slack > 0 ? slack : 0, 0, 0, 0);
		return e;
	}
	if (!sc->one_by_one) {
		/* every thread is stopped (but late ones): the instant of the copy */
		for (int i = 0; i < sc->nr; i++)
			sc__copy_stopped(sc, &sc->s[i]);
		sc__stragglers(sc, t0 + sc->timeout);
	}
	for (int i = 0; i < sc->nr; i++) {
		struct slot *s = &sc->s[i];

		if (s->seized && s->t.state == STACKCOPY_OK) {
			s->t.state = STACKCOPY_LATE;
			s->t.proc_state = proc_state(sc->pid, s->t.tid);
		}
	}
	sc__release(sc, 0);
	sc->st.stopped_ns = now_ns() - t0;
	prctl(PR_SET_TIMERSLACK, slack > 0 ? slack : 0, 0, 0, 0);
	for (int i = 0; i < sc->nr; i++)
		if (sc->s[i].t.stopped_ns > sc->st.thread_max_ns)
			sc->st.thread_max_ns = sc->s[i].t.stopped_ns;
	sc__output(sc);
	if (!sc->st.threads) {
		for (int i = 0; i < sc->nr_out; i++)
			if (sc->out[i].state != STACKCOPY_EXITED)
				return sc->nr_out;
		return -ESRCH;
	}
	return sc->nr_out;
}

const struct stackcopy_thread *stackcopy__threads(const struct stackcopy *sc, int *nr)
{
	*nr = sc->nr_out;
	return sc->out;
}

void stackcopy__stats(const struct stackcopy *sc, struct stackcopy_stats *st)
{
	*st = sc->st;
}

void stackcopy__delete(struct stackcopy *sc)
{
	if (!sc)
		return;
	if (sc->nr_late) {
		/* late threads get one more timeout to stop, so they can be detached */
		sc->nr = 0;
		for (int i = 0; i < sc->nr_late; i++)
			sc__add(sc, sc->late[i], false);
		for (int i = 0; i < sc->nr; i++) {
			sc->s[i].seized = true;
			sc->s[i].t_stop = now_ns();
		}
		sc->nr_late = 0;
		sc__release(sc, sc->timeout);
	}
	for (int i = 0; i < sc->cap; i++)
		free(sc->s[i].t.stack);
	free(sc->s);
	free(sc->out);
	free(sc->late);
	free(sc->vmas);
	free(sc->scratch);
	free(sc);
}
