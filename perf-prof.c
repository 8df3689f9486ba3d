// SPDX-License-Identifier: GPL-2.0
/*
 * perf-prof.c - the command-line host: finds the profiler, hands it its
 * arguments, and drives one run with the loop and the signals it owns:
 *
 *   run__new -> run__parse_args -> run__setup -> (signals blocked, read from
 *   a signalfd) -> run__start -> poll(run fd, signalfd) / run__process ->
 *   run__finish -> run__delete
 *
 * It is the only place that prints an error and chooses the exit code.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"
#include "syms.h"

#ifndef PERF_PROF_VERSION
#define PERF_PROF_VERSION "unknown"
#endif

static void usage_main(FILE *out)
{
	const struct profiler *p;

	fprintf(out, "usage: perf-prof PROFILER [OPTIONS] [-e EVENT[,EVENT...]] [help] [-- COMMAND [ARGS]]\n"
		     "       perf-prof help [PROFILER|TOPIC]      (its manual page)\n"
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

/* ---------------------------------------------------------------- signals */

struct cli {
	struct run *run;
	int sigfd;
	sigset_t oldmask;
	bool blocked;
	struct rusage last_ru;
	u64 last_ru_time;
	u64 last_records, last_lost;
};

static int cli_block_signals(struct cli *c, struct err *err)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return err_set(err, EXIT_FAIL, "cannot block signals: %s", strerror(errno));
	c->blocked = true;
	c->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (c->sigfd < 0)
		return err_set(err, EXIT_FAIL, "cannot create a signalfd: %s", strerror(errno));
	return 0;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/*
 * cli_usage - SIGUSR2: perf-prof's own cost since the previous SIGUSR2 (or
 * the start): CPU in user and kernel mode, the largest RSS, and the rate of
 * records read and lost
 */
static void cli_usage(struct cli *c)
{
	struct rusage ru;
	u64 now = now_ns(), records, lost;
	double dt = (double)(now - c->last_ru_time) / 1e9;

	if (getrusage(RUSAGE_SELF, &ru) || dt <= 0)
		return;
	run__counters(c->run, &records, &lost);
	fprintf(stderr, "perf-prof: usage over %.3f s: %%usr %.2f %%sys %.2f maxrss %ld KB, "
			"records %.0f/s, lost %.0f/s\n", dt,
		100.0 * (tv_s(ru.ru_utime) - tv_s(c->last_ru.ru_utime)) / dt,
		100.0 * (tv_s(ru.ru_stime) - tv_s(c->last_ru.ru_stime)) / dt, ru.ru_maxrss,
		(double)(records - c->last_records) / dt, (double)(lost - c->last_lost) / dt);
	c->last_ru = ru;
	c->last_ru_time = now;
	c->last_records = records;
	c->last_lost = lost;
}

static void cli_signals(struct cli *c)
{
	struct signalfd_siginfo si;

	while (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			run__stop(c->run);
			break;
		case SIGUSR1:
			run__sigusr1(c->run);
			break;
		case SIGUSR2:
			cli_usage(c);
			break;
		default:
			break;
		}
	}
}

/* cli_loop - poll the run and the signals until the run is done */
static int cli_loop(struct cli *c, struct err *err)
{
	struct pollfd fds[2] = {
		{ .fd = run__fd(c->run), .events = POLLIN },
		{ .fd = c->sigfd, .events = POLLIN },
	};

	getrusage(RUSAGE_SELF, &c->last_ru);
	c->last_ru_time = now_ns();
	while (!run__done(c->run)) {
		int n = poll(fds, 2, run__timeout_ms(c->run));

		if (n < 0 && errno != EINTR)
			return err_set(err, EXIT_FAIL, "poll failed: %s", strerror(errno));
		if (fds[1].revents)
			cli_signals(c);
		if (run__process(c->run, err))
			return -1;
	}
	return 0;
}

/*
 * workload_verdict - how the workload ended, said on stderr when it failed;
 * the exit code is then the workload's (its status, or 128 + signal) as
 * time(1) and timeout(1) do
 */
static int workload_verdict(struct run *r, const char *name)
{
	int st = run__workload_status(r);

	if (st < 0)
		return EXIT_OK;
	if (WIFEXITED(st) && WEXITSTATUS(st)) {
		fprintf(stderr, "perf-prof %s: workload exited with status %d\n", name,
			WEXITSTATUS(st));
		return WEXITSTATUS(st);
	}
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "perf-prof %s: workload killed by %s%s\n", name,
			sigabbrev_np(WTERMSIG(st)) ? "SIG" : "signal ",
			sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
		return 128 + WTERMSIG(st);
	}
	return EXIT_OK;
}

static int main_profiler(const struct profiler *ops, int argc, char **argv)
{
	struct run_config cfg = { 0 };
	struct cli c = { .sigfd = -1 };
	const char *replay = getenv("PERF_PROF_REPLAY");
	bool help = false;
	struct err err = { 0 };
	int code = EXIT_OK;
	sigset_t orig;

	sigprocmask(SIG_SETMASK, NULL, &orig);
	cfg.child_sigmask = &orig;
	/*
	 * Whole lines only: a workload started here writes to the same stdout.
	 * Before run__new(), which keeps the stream it is given as its output.
	 */
	if (!isatty(STDOUT_FILENO) && lineout__stdout())
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	c.run = run__new(ops, &cfg);
	if (argc == 1 && !strcmp(argv[0], "--list-opts")) {
		/* for scripts: the bash completion, the man pages */
		run__list_opts(c.run, stdout);
		goto out;
	}
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			run__usage(c.run, stdout);
			goto out;
		}
	if (run__parse_args(c.run, argc, argv, &help, &err))
		goto fail;
	if (help) {
		if (run__help_events(c.run, stdout, &err))
			goto fail;
		goto out;
	}
	if (replay) {
		/* tests: records from a file instead of the kernel */
		if (run__replay_file(c.run, replay, &err))
			goto fail;
		goto out;
	}
	/* from here on signals are read, not delivered: a blocked SIGINT means "running" */
	if (run__setup(c.run, &err) || cli_block_signals(&c, &err))
		goto fail;
	if (run__start(c.run, &err) || cli_loop(&c, &err))
		goto fail_finish;
	if (run__finish(c.run, &err))
		goto fail;
	code = workload_verdict(c.run, ops->name);
	goto out;
fail_finish:
	{
		/* whatever happened, report what was collected */
		struct err ignored = { 0 };

		run__finish(c.run, &ignored);
	}
fail:
	fflush(stdout);
	err_print(&err, ops->name);
	code = err.code ? err.code : EXIT_FAIL;
out:
	fflush(stdout);
	run__delete(c.run);
	if (c.sigfd >= 0)
		close(c.sigfd);
	if (c.blocked)
		sigprocmask(SIG_SETMASK, &orig, NULL);
	return code;
}

/*
 * Hidden listings for scripts: the bash completion and the man page
 * generator read the registry and the option tables through these, so
 * neither keeps a copy of a name or an option. --list-cmds is
 * "NAME<tab>SUMMARY" per listed profiler; --list-opts is run__list_opts().
 */
static int main_list(const char *what)
{
	const struct profiler *p;

	if (!strcmp(what, "--list-opts")) {
		run__list_opts(NULL, stdout);
		return EXIT_OK;
	}
	profiler__for_each(p)
		if (p->summary)
			printf("%s\t%s\n", p->name, p->summary);
	return EXIT_OK;
}

/*
 * main_help - `perf-prof help [PROFILER|TOPIC]`: the man page, else the
 * profiler's -h when no page can be shown.
 */
static int main_help(int argc, char **argv)
{
	const struct profiler *ops;
	struct err err = { 0 };

	if (argc < 2) {
		usage_main(stdout);
		return EXIT_OK;
	}
	ops = profiler__find(argv[1]);
	help__show(ops ? ops->name : argv[1], &err);
	if (!ops) {
		err_print(&err, "help");
		return err.code;
	}
	fprintf(stderr, "perf-prof help: %s; here is 'perf-prof %s -h'\n", err.msg, ops->name);
	return main_profiler(ops, 1, (char *[]){ "-h", NULL });
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
	if (!strcmp(argv[1], "help"))
		return main_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--list-funcs"))
		return funcs_cli(argc - 1, argv + 1);
	if (argc == 2 && (!strcmp(argv[1], "--list-cmds") || !strcmp(argv[1], "--list-opts")))
		return main_list(argv[1]);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("perf-prof %s\n", PERF_PROF_VERSION);
		return EXIT_OK;
	}
	ops = profiler__find(argv[1]);
	if (!ops) {
		const char *best = profiler__suggest(argv[1]);

		fprintf(stderr, "perf-prof: unknown profiler '%s'\n", argv[1]);
		if (best)
			fprintf(stderr, "hint: did you mean '%s'?\n", best);
		else
			fprintf(stderr, "hint: 'perf-prof -h' lists the profilers\n");
		return EXIT_USAGE;
	}
	return main_profiler(ops, argc - 2, argv + 2);
}
