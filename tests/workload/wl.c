// SPDX-License-Identifier: GPL-2.0
/*
 * wl.c - the deterministic workload the live tests start themselves. Every
 * mode does an exact, known amount of kernel-visible work, so a profiler's
 * numbers can be checked against ground truth.
 *
 *   wl [OPTIONS] MODE [ARGS]
 *     getppid N          N x syscall(SYS_getppid) per thread
 *     write N SIZE       N x write(2) of SIZE bytes to /dev/null per thread
 *     writes N           write(2)s of 1, 2, ..., N bytes to /dev/null per thread
 *     lseeks N           lseek(2)s of /dev/null to offsets 0, 1, ..., N-1 per thread
 *     nanosleep N US     N x nanosleep(US microseconds) per thread
 *     fork N             fork a child (comm "wl-child") doing N getppid, wait for it
 *     reuse N MS         N children one after the other, each exiting at once, MS ms apart,
 *                        all given the first one's pid (ns_last_pid, root): a pid reused
 *                        on purpose; prints "wl reuse pid=PID reused=K" (K of N-1 got it)
 *     spin MS            busy loop for MS milliseconds
 *     cpuspin MS         busy loop until the thread has used MS ms of CPU
 *                        (however loaded the machine is)
 *     touch N            map N fresh anonymous pages and write one byte into
 *                        each: exactly N page faults (plus the program's own)
 *     bpfcopy MS         for MS milliseconds, read a BPF array map's 4 MiB value with
 *                        bpf(BPF_MAP_LOOKUP_ELEM) again and again: the kernel runs no
 *                        tracepoint BPF program on that CPU while it copies, so the
 *                        events there (timer interrupts) are skipped by them (root)
 *   OPTIONS
 *     -t THREADS   run MODE in THREADS threads, thread i pinned to CPU i % ncpu
 *     -c CPU       pin the (main) thread to CPU
 *     -W FILE      wait (up to 30 s) until FILE exists before starting
 *     -d MS        sleep MS milliseconds before starting (after -W)
 *     -D MS        sleep MS milliseconds after finishing
 *     -n NAME      set the thread name (comm) to NAME before starting
 *     -r PER_MS    getppid/write/lseeks: pace each thread to PER_MS calls per millisecond
 *     -M FILE      nanosleep: append each sleep's duration as measured here (ns, one a
 *                  line) to FILE, so tests compare against what a loaded machine really did
 * Prints "wl pid=PID" on stdout first (line-buffered) and "wl done" at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct job {
	const char *mode;
	long a, b;
	int cpu;
	long per_ms;
	const char *name;
};

/* -M: where nanosleep appends the durations it observed (-1: nowhere) */
static int measured_fd = -1;

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("wl: sched_setaffinity");
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* pace - after call @i, sleep until batch i / per_ms is due (absolute clock) */
static void pace(long i, long per_ms, struct timespec *t0)
{
	struct timespec due;
	long ms;

	if (per_ms <= 0 || (i + 1) % per_ms)
		return;
	ms = (i + 1) / per_ms;
	due.tv_sec = t0->tv_sec + ms / 1000;
	due.tv_nsec = t0->tv_nsec + (ms % 1000) * 1000000L;
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
}

static void do_getppid(long n, long per_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		syscall(SYS_getppid);
		pace(i, per_ms, &t0);
	}
}

/* bpfcopy: a copy of 4 MiB under the kernel's "BPF busy on this CPU" mark */
static void do_bpfcopy(long ms)
{
	const unsigned int size = 4u << 20, key = 0;
	union bpf_attr a;
	struct timespec t0, t;
	char *buf = malloc(size);
	long n = 0;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = sizeof(key);
	a.value_size = size;
	a.max_entries = 1;
	fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0 || !buf) {
		perror("wl: bpfcopy: BPF_MAP_CREATE");
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		memset(&a, 0, sizeof(a));
		a.map_fd = (unsigned int)fd;
		a.key = (unsigned long)&key;
		a.value = (unsigned long)buf;
		if (syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a))) {
			perror("wl: bpfcopy: BPF_MAP_LOOKUP_ELEM");
			exit(1);
		}
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	close(fd);
	free(buf);
	printf("wl bpfcopy lookups=%ld\n", n);
}

static void *run(void *arg)
{
	struct job *j = arg;

	pin(j->cpu);
	if (j->name)
		prctl(PR_SET_NAME, j->name);
	if (!strcmp(j->mode, "getppid")) {
		do_getppid(j->a, j->per_ms);
	} else if (!strcmp(j->mode, "write")) {
		char *buf = calloc(1, (size_t)j->b + 1);
		int fd = open("/dev/null", O_WRONLY);
		struct timespec t0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < j->a; i++) {
			if (write(fd, buf, (size_t)j->b) < 0)
				perror("wl: write");
			pace(i, j->per_ms, &t0);
		}
		close(fd);
		free(buf);
	} else if (!strcmp(j->mode, "writes")) {
		char *buf = calloc(1, (size_t)j->a + 1);
		int fd = open("/dev/null", O_WRONLY);

		for (long i = 1; i <= j->a; i++)
			if (write(fd, buf, (size_t)i) < 0)
				perror("wl: write");
		close(fd);
		free(buf);
	} else if (!strcmp(j->mode, "lseeks")) {
		int fd = open("/dev/null", O_RDONLY);
		struct timespec t0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < j->a; i++) {
			if (lseek(fd, (off_t)i, SEEK_SET) < 0)
				perror("wl: lseek");
			pace(i, j->per_ms, &t0);
		}
		close(fd);
	} else if (!strcmp(j->mode, "nanosleep")) {
		for (long i = 0; i < j->a; i++) {
			struct timespec ts = { j->b / 1000000, (j->b % 1000000) * 1000 };
			long long t0 = now_ns();
			char line[32];
			int len;

			syscall(SYS_nanosleep, &ts, NULL);
			if (measured_fd < 0)
				continue;
			/* one write per line on an O_APPEND file: lines of concurrent wl never mix */
			len = snprintf(line, sizeof(line), "%lld\n", now_ns() - t0);
			if (write(measured_fd, line, len) != len)
				perror("wl: -M write");
		}
	} else if (!strcmp(j->mode, "fork")) {
		pid_t pid = fork();

		if (pid == 0) {
			prctl(PR_SET_NAME, "wl-child");
			do_getppid(j->a, 0);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(j->mode, "reuse")) {
		pid_t first = -1;
		long same = 0;

		for (long i = 0; i < j->a; i++) {
			pid_t pid;

			if (first > 0) {
				/* the next pid the kernel hands out is first (unless another fork wins) */
				int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
				char buf[16];
				int len = snprintf(buf, sizeof(buf), "%d", first - 1);

				if (fd < 0 || write(fd, buf, len) != len)
					perror("wl: ns_last_pid");
				if (fd >= 0)
					close(fd);
			}
			pid = fork();
			if (pid == 0) {
				prctl(PR_SET_NAME, "wl-reuse");
				_exit(0);
			}
			if (pid < 0) {
				perror("wl: fork");
				break;
			}
			waitpid(pid, NULL, 0);
			if (first < 0)
				first = pid;
			else
				same += pid == first;
			sleep_us(j->b * 1000);
		}
		printf("wl reuse pid=%d reused=%ld\n", first, same);
	} else if (!strcmp(j->mode, "touch")) {
		long page = sysconf(_SC_PAGESIZE);
		/* no THP: one fault per 4 KiB page, not one per 2 MiB */
		volatile char *m = mmap(NULL, (size_t)(j->a * page), PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			perror("wl: mmap");
			return NULL;
		}
		madvise((void *)m, (size_t)(j->a * page), MADV_NOHUGEPAGE);
		for (long i = 0; i < j->a; i++)
			m[i * page] = 1;
		munmap((void *)m, (size_t)(j->a * page));
	} else if (!strcmp(j->mode, "cpuspin")) {
		struct timespec t;

		do
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < j->a);
	} else if (!strcmp(j->mode, "bpfcopy")) {
		do_bpfcopy(j->a);
	} else if (!strcmp(j->mode, "spin")) {
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do
			clock_gettime(CLOCK_MONOTONIC, &t);
		while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < j->a);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: wl [-t THREADS] [-c CPU] [-W FILE] [-d MS] [-D MS] [-n NAME] [-r PER_MS] [-M FILE] "
			"getppid N | write N SIZE | writes N | lseeks N | nanosleep N US | fork N | reuse N MS | "
			"spin MS | touch N | cpuspin MS | bpfcopy MS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int threads = 0, cpu = -1, c, ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	long delay = 0, after = 0, per_ms = 0;
	const char *wait_file = NULL, *name = NULL;
	struct job job;

	while ((c = getopt(argc, argv, "+t:c:W:d:D:n:r:M:")) != -1) {
		switch (c) {
		case 't': threads = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'W': wait_file = optarg; break;
		case 'd': delay = atol(optarg); break;
		case 'D': after = atol(optarg); break;
		case 'n': name = optarg; break;
		case 'r': per_ms = atol(optarg); break;
		case 'M':
			measured_fd = open(optarg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (measured_fd < 0) {
				perror("wl: -M");
				exit(1);
			}
			break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	job.mode = argv[optind];
	job.a = optind + 1 < argc ? atol(argv[optind + 1]) : 0;
	job.b = optind + 2 < argc ? atol(argv[optind + 2]) : 0;
	job.cpu = cpu;
	job.name = name;
	job.per_ms = per_ms;
	if (strcmp(job.mode, "getppid") && strcmp(job.mode, "write") &&
	    strcmp(job.mode, "writes") && strcmp(job.mode, "lseeks") &&
	    strcmp(job.mode, "nanosleep") && strcmp(job.mode, "fork") && strcmp(job.mode, "reuse") &&
	    strcmp(job.mode, "spin") && strcmp(job.mode, "touch") && strcmp(job.mode, "cpuspin") &&
	    strcmp(job.mode, "bpfcopy"))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("wl pid=%d\n", getpid());
	if (wait_file) {
		struct stat st;

		for (int i = 0; i < 30000 && stat(wait_file, &st); i++)
			sleep_us(1000);
	}
	if (delay)
		sleep_us(delay * 1000);
	if (threads > 0) {
		pthread_t *t = calloc((size_t)threads, sizeof(*t));
		struct job *jobs = calloc((size_t)threads, sizeof(*jobs));

		for (int i = 0; i < threads; i++) {
			jobs[i] = job;
			jobs[i].cpu = i % ncpu;
			pthread_create(&t[i], NULL, run, &jobs[i]);
		}
		for (int i = 0; i < threads; i++)
			pthread_join(t[i], NULL);
		free(t);
		free(jobs);
	} else {
		run(&job);
	}
	if (after)
		sleep_us(after * 1000);
	printf("wl done\n");
	return 0;
}
