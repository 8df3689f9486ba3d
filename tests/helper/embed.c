// SPDX-License-Identifier: GPL-2.0
/*
 * embed.c - a test host for runs: what a server does with perf-prof's
 * profilers, in a few lines. Each run's report goes to a memory stream;
 * all runs share one poll loop; the reports are printed at the end.
 *
 *   embed [--replay FILE] PROFILER ARGS... [+++ PROFILER ARGS...]...
 *
 * With one run, the captured report is printed as it is (tests compare it
 * byte for byte with the command line's); with several, each is preceded
 * by "=== run N PROFILER: exit CODE ===". --replay feeds the first run
 * from a replay file instead of the kernel. Exit: 0 when every run ended
 * without error.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define MAX_RUNS 8

struct hosted {
	const struct profiler *ops;
	struct run *run;
	char *buf;
	size_t len;
	FILE *out;
	struct err err;
	int code;
	bool live;
};

static int hosted_fail(struct hosted *h)
{
	h->code = h->err.code ? h->err.code : EXIT_FAIL;
	err_print(&h->err, h->ops->name);
	return -1;
}

int main(int argc, char **argv)
{
	struct hosted runs[MAX_RUNS] = { 0 };
	const char *replay = NULL;
	int nr = 0, i = 1, code = 0;

	if (argc > 2 && !strcmp(argv[1], "--replay")) {
		replay = argv[2];
		i = 3;
	}
	/* split the arguments at "+++" into runs */
	while (i < argc && nr < MAX_RUNS) {
		struct hosted *h = &runs[nr];
		int start = i + 1;

		h->ops = profiler__find(argv[i]);
		if (!h->ops) {
			fprintf(stderr, "embed: unknown profiler '%s'\n", argv[i]);
			return 2;
		}
		for (i = start; i < argc && strcmp(argv[i], "+++"); i++)
			;
		argv[i < argc ? i : argc] = NULL;
		h->out = open_memstream(&h->buf, &h->len);
		h->run = run__new(h->ops, &(struct run_config){ .out = h->out });
		if (run__parse_args(h->run, i - start, argv + start, NULL, &h->err))
			hosted_fail(h);
		nr++;
		i++;
	}
	if (!nr) {
		fprintf(stderr, "usage: embed [--replay FILE] PROFILER ARGS... [+++ PROFILER ARGS...]\n");
		return 2;
	}
	for (int k = 0; k < nr; k++) {
		struct hosted *h = &runs[k];

		if (h->code)
			continue;
		if (replay && k == 0) {
			if (run__replay_file(h->run, replay, &h->err))
				hosted_fail(h);
			continue;
		}
		if (run__setup(h->run, &h->err) || run__start(h->run, &h->err)) {
			hosted_fail(h);
			continue;
		}
		h->live = true;
	}
	/* one loop for every live run */
	for (;;) {
		struct pollfd fds[MAX_RUNS];
		int n = 0, timeout = 1000;

		for (int k = 0; k < nr; k++) {
			struct hosted *h = &runs[k];

			if (!h->live || run__done(h->run))
				continue;
			fds[n++] = (struct pollfd){ .fd = run__fd(h->run), .events = POLLIN };
			if (run__timeout_ms(h->run) < timeout)
				timeout = run__timeout_ms(h->run);
		}
		if (!n)
			break;
		poll(fds, (nfds_t)n, timeout);
		for (int k = 0; k < nr; k++) {
			struct hosted *h = &runs[k];

			if (h->live && !run__done(h->run) && run__process(h->run, &h->err))
				hosted_fail(h);
		}
	}
	for (int k = 0; k < nr; k++) {
		struct hosted *h = &runs[k];

		if (h->live && run__finish(h->run, &h->err) && !h->code)
			hosted_fail(h);
		run__delete(h->run);
		fclose(h->out);
		if (nr > 1)
			printf("=== run %d %s: exit %d ===\n", k + 1, h->ops->name, h->code);
		fwrite(h->buf, 1, h->len, stdout);
		free(h->buf);
		if (h->code)
			code = 1;
	}
	return code;
}
