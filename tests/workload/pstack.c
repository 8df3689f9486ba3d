// SPDX-License-Identifier: GPL-2.0
/*
 * pstack.c - processes whose threads sit in known functions, for
 * `perf-prof pstack` and the peers it is compared with (eu-stack, gdb).
 * Every frame named below is a real frame (noinline, noclone, work after
 * the call so no tail call), except those said to be inlined. Lines marked
 * "LINE:<name>" are the positions tests look up in this file.
 *
 *   pstack blocked   main -> a -> b -> c -> read(0) ("pst-main")
 *                    thread "pst-reader": reader_thread -> reader_outer ->
 *                      reader_wait (inlined) -> read(pipe)
 *                    thread "pst-poller": poller_thread -> poller_outer ->
 *                      poller_inner -> poll(pipe)
 *                    A line on stdin unblocks main, which then wakes the
 *                    threads through their pipes; each checks the byte it
 *                    got, and the process exits 0 only if every step went
 *                    as planned (a stopped or interrupted read would show).
 *   pstack spin      thread "pst-spin": spin_thread -> spin_loop ->
 *                    spin_a / spin_b alternately (equal work); main blocked
 *                    in read(0) until a line (or EOF) on stdin ends it.
 *   pstack churn     main creates threads that live ~100 us each
 *                    (churn_thread -> churn_work), until stdin has a line.
 *   pstack deep N    thread "pst-deep": deep_thread -> recurse x N (each
 *                    frame holds 1 KiB of stack) -> read(pipe); main in
 *                    read(0). For stacks larger than a copy limit.
 *   pstack vfork MS  thread "pst-vfork" calls vfork(); the child sleeps MS
 *                    ms, so the thread is in uninterruptible (killable)
 *                    sleep that long; main in read(0).
 *   pstack signals   counts the SIGRTMIN signals it gets (a handler with
 *                    SA_RESTART) while main is in read(0) and a thread
 *                    spins; "pstack done N signals" at the end, so a signal
 *                    lost while a thread was stopped shows.
 *   pstack gap N     N threads blocked in read(pipe) and one spinning on
 *                    CLOCK_MONOTONIC ("pst-clock"); for each line on stdin
 *                    it prints "gap US" (the largest gap between two clock
 *                    reads since the previous line) and starts over; EOF
 *                    ends it. A tool that stops the process shows as a gap.
 *
 * Prints "pstack pid=PID" when every thread has been started (not
 * necessarily blocked yet: tests look at /proc/PID/task/TID/syscall).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define ALWAYS_INLINE static inline __attribute__((always_inline))
/* Keeps a value live in a register across a call, defeating tail calls. */
#define KEEP(x) __asm__ volatile("" : "+r"(x) : : "memory")

static volatile long sink;
static int reader_pipe[2], poller_pipe[2], deep_pipe[2];
static volatile int stop;

static void die(const char *what)
{
	fprintf(stderr, "pstack: %s: %s\n", what, strerror(errno));
	exit(2);
}

/*
 * got_byte - the result of a one-byte read(): a read that a stop turned into
 * an error or a short read (instead of restarting it) fails the workload
 */
static char got_byte(int fd, ssize_t n, char c)
{
	if (n != 1) {
		fprintf(stderr, "pstack: read of fd %d returned %zd: %s\n", fd, n,
			n < 0 ? strerror(errno) : "end of file");
		exit(3);
	}
	return c;
}

NOINLINE char read_byte(int fd)
{
	char c = 0;
	ssize_t n = read(fd, &c, 1);

	return got_byte(fd, n, c);
}

/* --- blocked: main -> a -> b -> c -> read ------------------------------ */

NOINLINE long c(long x)
{
	char ch = 0;
	ssize_t n = read(0, &ch, 1); /* LINE:c */

	KEEP(x);
	return got_byte(0, n, ch) + x;
}

NOINLINE long b(long x)
{
	long r = c(x + 1); /* LINE:b */

	KEEP(x);
	return r ^ x;
}

NOINLINE long a(long x)
{
	long r = b(x * 2); /* LINE:a */

	KEEP(x);
	return r - x;
}

ALWAYS_INLINE long reader_wait(long x)
{
	char ch = 0;
	ssize_t n = read(reader_pipe[0], &ch, 1); /* LINE:reader_wait */

	KEEP(x);
	return got_byte(reader_pipe[0], n, ch) + x;
}

NOINLINE long reader_outer(long x)
{
	long r = reader_wait(x * 3); /* LINE:reader_outer */

	KEEP(x);
	return r ^ x;
}

static void *reader_thread(void *arg __attribute__((unused)))
{
	long r;

	prctl(PR_SET_NAME, "pst-reader");
	r = reader_outer(1);
	/* reader_wait adds 3 to the byte 'r' main sends */
	return (void *)(long)(r == (('r' + 3) ^ 1));
}

NOINLINE long poller_inner(long x)
{
	struct pollfd p = { .fd = poller_pipe[0], .events = POLLIN };
	long r = poll(&p, 1, -1); /* LINE:poller_inner */

	if (r != 1 || read_byte(poller_pipe[0]) != 'p')
		return -1;
	KEEP(x);
	return r + x;
}

NOINLINE long poller_outer(long x)
{
	long r = poller_inner(x + 5); /* LINE:poller_outer */

	KEEP(x);
	return r - x;
}

static void *poller_thread(void *arg __attribute__((unused)))
{
	long r;

	prctl(PR_SET_NAME, "pst-poller");
	r = poller_outer(2);
	return (void *)(long)(r == 1 + 7 - 2);
}

static int mode_blocked(void)
{
	pthread_t tr, tp;
	void *okr, *okp;
	long r;

	if (pipe(reader_pipe) || pipe(poller_pipe))
		die("pipe");
	if (pthread_create(&tr, NULL, reader_thread, NULL) ||
	    pthread_create(&tp, NULL, poller_thread, NULL))
		die("pthread_create");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	r = a(10); /* LINE:main */
	if (r != ((('g' + 21) ^ 20) - 10)) {
		fprintf(stderr, "pstack: main read an unexpected byte (%ld)\n", r);
		return 4;
	}
	if (write(reader_pipe[1], "r", 1) != 1 || write(poller_pipe[1], "p", 1) != 1)
		die("write");
	pthread_join(tr, &okr);
	pthread_join(tp, &okp);
	if (!okr || !okp) {
		fprintf(stderr, "pstack: a thread saw the wrong data (reader %d, poller %d)\n",
			okr != NULL, okp != NULL);
		return 5;
	}
	printf("pstack done\n");
	return 0;
}

/* --- spin: two functions of equal work --------------------------------- */

NOINLINE long spin_a(long n)
{
	long s = 0;

	for (long i = 0; i < n; i++) { /* LINE:spin_a */
		s += i ^ sink;
		KEEP(s);
	}
	return s;
}

NOINLINE long spin_b(long n)
{
	long s = 0;

	for (long i = 0; i < n; i++) { /* LINE:spin_b */
		s -= i ^ sink;
		KEEP(s);
	}
	return s;
}

NOINLINE void spin_loop(void)
{
	while (!stop) {
		sink += spin_a(200000);
		sink += spin_b(200000);
	}
}

static void *spin_thread(void *arg __attribute__((unused)))
{
	prctl(PR_SET_NAME, "pst-spin");
	spin_loop();
	return NULL;
}

/* wait_stdin - until a line or EOF on stdin; for modes that run until told */
static void wait_stdin(void)
{
	char c;

	while (read(0, &c, 1) == 1 && c != '\n')
		;
}

static int mode_spin(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, spin_thread, NULL))
		die("pthread_create");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	wait_stdin();
	stop = 1;
	pthread_join(t, NULL);
	printf("pstack done\n");
	return 0;
}

/* --- churn: threads that come and go ----------------------------------- */

NOINLINE long churn_work(long n)
{
	struct timespec ts = { 0, 100000 };

	nanosleep(&ts, NULL);
	KEEP(n);
	return n;
}

static void *churn_thread(void *arg __attribute__((unused)))
{
	sink += churn_work((long)arg);
	return NULL;
}

static void *churn_stop(void *arg __attribute__((unused)))
{
	wait_stdin();
	stop = 1;
	return NULL;
}

static int mode_churn(void)
{
	pthread_t waiter;
	long made = 0;

	if (pthread_create(&waiter, NULL, churn_stop, NULL))
		die("pthread_create");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	while (!stop) {
		pthread_t t[4];

		for (int i = 0; i < 4; i++)
			if (pthread_create(&t[i], NULL, churn_thread, (void *)made++))
				die("pthread_create");
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
	}
	pthread_join(waiter, NULL);
	printf("pstack done %ld threads\n", made);
	return 0;
}

/* --- deep: a stack larger than the usual copies ------------------------ */

static long deep_n;

NOINLINE long recurse(long depth)
{
	volatile char pad[1024];
	long r;

	pad[0] = (char)depth;
	if (depth >= deep_n)
		r = read_byte(deep_pipe[0]);
	else
		r = recurse(depth + 1); /* LINE:recurse */
	KEEP(r);
	return r + pad[0] - (char)depth;
}

static void *deep_thread(void *arg __attribute__((unused)))
{
	prctl(PR_SET_NAME, "pst-deep");
	return (void *)recurse(1);
}

static int mode_deep(long n)
{
	pthread_attr_t attr;
	pthread_t t;
	void *r;

	deep_n = n;
	if (pipe(deep_pipe) || pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, (size_t)(n + 64) * 2048))
		die("pipe");
	if (pthread_create(&t, &attr, deep_thread, NULL))
		die("pthread_create");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	wait_stdin();
	if (write(deep_pipe[1], "d", 1) != 1)
		die("write");
	pthread_join(t, &r);
	if ((long)r != 'd') {
		fprintf(stderr, "pstack: the deep thread returned %ld\n", (long)r);
		return 4;
	}
	printf("pstack done\n");
	return 0;
}

/* --- vfork: a thread in killable sleep ----------------------------------- */

static long vfork_ms;

static void *vfork_thread(void *arg __attribute__((unused)))
{
	pid_t pid;
	int st;

	prctl(PR_SET_NAME, "pst-vfork");
	pid = vfork();
	if (pid == 0) {
		struct timespec ts = { vfork_ms / 1000, (vfork_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st)
		return NULL;
	return (void *)1;
}

static int mode_vfork(long ms)
{
	pthread_t t;
	void *ok;

	vfork_ms = ms;
	if (pthread_create(&t, NULL, vfork_thread, NULL))
		die("pthread_create");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	wait_stdin();
	pthread_join(t, &ok);
	if (!ok) {
		fprintf(stderr, "pstack: the vfork child failed\n");
		return 4;
	}
	printf("pstack done\n");
	return 0;
}

/* --- signals: none may be lost ------------------------------------------ */

static volatile long signals;

static void on_signal(int sig __attribute__((unused)))
{
	__atomic_add_fetch(&signals, 1, __ATOMIC_RELAXED);
}

static int mode_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	pthread_t t;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL) || pthread_create(&t, NULL, spin_thread, NULL))
		die("sigaction");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	wait_stdin();
	stop = 1;
	pthread_join(t, NULL);
	printf("pstack done %ld signals\n", signals);
	return 0;
}

/* --- gap: the longest time the process did not run ---------------------- */

static volatile long max_gap_ns;
static volatile int gap_reset;

static long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void *clock_thread(void *arg __attribute__((unused)))
{
	long prev, now, max = 0;

	prctl(PR_SET_NAME, "pst-clock");
	prev = mono_ns();
	while (!stop) {
		now = mono_ns();
		if (gap_reset) {
			gap_reset = 0;
			max = 0;
		}
		if (now - prev > max) {
			max = now - prev;
			max_gap_ns = max;
		}
		prev = now;
	}
	return NULL;
}

static void *blocked_thread(void *arg __attribute__((unused)))
{
	prctl(PR_SET_NAME, "pst-blocked");
	read_byte(deep_pipe[0]);
	return NULL;
}

static int mode_gap(long n)
{
	pthread_t clk, *t = calloc((size_t)n, sizeof(*t));
	char c;

	if (!t || pipe(deep_pipe))
		die("pipe");
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, blocked_thread, NULL))
			die("pthread_create");
	if (pthread_create(&clk, NULL, clock_thread, NULL))
		die("pthread_create");
	printf("pstack pid=%d\n", (int)getpid());
	fflush(stdout);
	while (read(0, &c, 1) == 1) {
		if (c != '\n')
			continue;
		printf("gap %.1f\n", (double)max_gap_ns / 1000.0);
		fflush(stdout);
		max_gap_ns = 0;
		gap_reset = 1;
	}
	stop = 1;
	pthread_join(clk, NULL);
	for (long i = 0; i < n; i++)
		if (write(deep_pipe[1], "g", 1) != 1)
			die("write");
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;

	prctl(PR_SET_NAME, "pst-main");
	if (!strcmp(mode, "blocked"))
		return mode_blocked();
	if (!strcmp(mode, "spin"))
		return mode_spin();
	if (!strcmp(mode, "churn"))
		return mode_churn();
	if (!strcmp(mode, "deep") && n > 0)
		return mode_deep(n);
	if (!strcmp(mode, "vfork") && n > 0)
		return mode_vfork(n);
	if (!strcmp(mode, "signals"))
		return mode_signals();
	if (!strcmp(mode, "gap") && n >= 0)
		return mode_gap(n);
	fprintf(stderr, "usage: pstack blocked|spin|churn|deep N|vfork MS|signals|gap N\n");
	return 129;
}
