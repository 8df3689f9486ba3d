// SPDX-License-Identifier: GPL-2.0
/*
 * prun.c - perf-prof's profilers run inside the daemon (include/run.h): a
 * run of a registered profiler with a fixed, daemon-chosen option string,
 * for a bounded time, its report captured into a memory stream. No perf
 * binary, no file. Runs are serialized (they take the CPUs' sampling
 * events and a profile of a profile is noise); they run on a worker
 * thread, so the event loop never waits for them. A client never gives
 * options: only numbers (seconds) and tracepoint names that were checked.
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "prun.h"
#include "run.h"

static pthread_mutex_t prun_lock = PTHREAD_MUTEX_INITIALIZER;
static bool prun_stopping;

void prun__shutdown(void)
{
	__atomic_store_n(&prun_stopping, true, __ATOMIC_RELEASE);
}

/*
 * what the run said on its diagnostics stream (events lost without a ring
 * loss, a fallback from BPF) goes to the daemon's log, a line at a time,
 * the first 8 lines: a client sees the result, the operator the reasons
 */
static void prun_log_diag(char *text, size_t len)
{
	char *line, *save = NULL;
	int n = 0;

	if (!text || !len)
		return;
	for (line = strtok_r(text, "\n", &save); line && n < 8; line = strtok_r(NULL, "\n", &save), n++)
		dlog("%s", line);
}

int prun__capture(struct mcall *c, const char *profiler, const char *args, u64 ms, char **buf,
		  size_t *len)
{
	const struct profiler *ops = profiler__find(profiler);
	char *dbuf = NULL;
	size_t dlen = 0;
	FILE *out, *diag;
	struct err err = { 0 };
	struct run *r;
	u64 end, records = 0, lost = 0;
	int ret = -1;

	*buf = NULL;
	*len = 0;
	if (!ops)
		return mcall__fail(c, MERR_UNAVAILABLE, "no '%s' profiler in this build", profiler);
	out = mstream__open(buf, len);
	diag = mstream__open(&dbuf, &dlen);
	if (!out || !diag) {
		if (out)
			fclose(out);
		if (diag)
			fclose(diag);
		free(*buf);
		free(dbuf);
		*buf = NULL;
		return mcall__fail(c, MERR_FAIL, "out of memory");
	}
	pthread_mutex_lock(&prun_lock);
	r = run__new(ops, &(struct run_config){ .out = out, .diag = diag });
	if (run__parse_string(r, args, &err) || run__setup(r, &err) || run__start(r, &err))
		goto out;
	end = now_ns() + ms * 1000000ULL;
	while (!run__done(r)) {
		u64 now = now_ns();
		int t = run__timeout_ms(r);
		struct pollfd pfd = { .fd = run__fd(r), .events = POLLIN };

		/* the daemon stops: the run ends now, its probes and events go with it */
		if (now >= end || __atomic_load_n(&prun_stopping, __ATOMIC_ACQUIRE))
			break;
		if (t < 0 || (u64)t > (end - now) / 1000000ULL + 1)
			t = (int)((end - now) / 1000000ULL + 1);
		if (t > 100)
			t = 100;	/* to notice a shutdown */
		poll(&pfd, pfd.fd >= 0 ? 1 : 0, t);
		if (run__process(r, &err))
			goto out;
	}
	run__stop(r);
	if (run__finish(r, &err))
		goto out;
	ret = 0;
out:
	run__counters(r, &records, &lost);
	__atomic_add_fetch(&dstats.events, records, __ATOMIC_RELAXED);
	__atomic_add_fetch(&dstats.lost, lost, __ATOMIC_RELAXED);
	run__delete(r);
	/*
	 * a run's symbol tables (every process's DSOs) are megabytes freed in
	 * this worker's arena: give them back, or the daemon keeps its peak
	 */
	malloc_trim(0);
	pthread_mutex_unlock(&prun_lock);
	fclose(out);
	fclose(diag);
	if (ret) {
		mcall__fail(c, MERR_FAIL, "%s: %s", profiler, err.msg[0] ? err.msg : "failed");
		free(*buf);
		*buf = NULL;
	} else if (lost) {
		/* never silent about lost data: the log says so, the result is what was read */
		dlog("%s run lost %llu records of %llu", profiler, (unsigned long long)lost,
		     (unsigned long long)(records + lost));
	}
	prun_log_diag(dbuf, dlen);
	free(dbuf);
	return ret;
}

int prun__seconds(struct mcall *c, u64 *ms)
{
	long secs;

	if (mcall__param_int(c, "seconds", 1, 1, 10, &secs))
		return -1;
	*ms = (u64)secs * 1000ULL;
	return 0;
}
