// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - `perf-prof daemon`: the server front end. Takes its options,
 * listens (loopback unless an address is named), starts the sampler, the
 * worker pool, the JSON-RPC server in its own epoll loop and the HTTP
 * server, and runs until SIGTERM or SIGINT. Signals are read from a
 * signalfd in that loop: only SIGINT, SIGTERM and SIGHUP are blocked, so
 * profiler runs it hosts keep their own handling of the others.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "prun.h"
#include "profiler.h"

#define MAX_LISTEN 8

struct dstats dstats;

struct daemon_opts {
	struct strlist listen;
	const char *http;
	bool foreground;
	int max_conns;
	u64 max_request;
	u64 max_reply;
	u64 idle;
	u64 request;
	u64 method;
	int workers;
	u64 sample;
	int top_n;
	struct strlist peers;
};

static void daemon_opts_init(void *p)
{
	struct daemon_opts *o = p;

	o->foreground = true;
	o->max_conns = 1024;
	o->max_request = 65536;
	o->max_reply = 16 << 20;
	o->idle = 120ULL * 1000000000ULL;
	o->request = 10ULL * 1000000000ULL;
	o->method = 30ULL * 1000000000ULL;
	o->workers = 4;
	o->sample = 1000000000ULL;
	o->top_n = 10;
}

void dlog(const char *fmt, ...)
{
	char ts[64];
	va_list ap;

	wall_time_str(ts, sizeof(ts));
	fprintf(stderr, "%s perf-prof daemon: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* check the numbers a user gave; the tables parse them */
static int daemon_check(const struct daemon_opts *o, struct dlimits *lim, struct err *err)
{
	const char *bad = NULL;

	if (o->max_conns < 1 || o->max_conns > 100000)
		bad = "--max-connections must be in 1..100000";
	else if (o->max_request < 64 || o->max_request > (64 << 20))
		bad = "--max-request must be in 64..67108864 bytes";
	else if (o->max_reply < 4096 || o->max_reply > (1ULL << 30))
		bad = "--max-reply must be in 4096..1073741824 bytes";
	else if (o->workers < 1 || o->workers > 64)
		bad = "--workers must be in 1..64";
	else if (o->sample < 100000000ULL || o->sample > 3600000000000ULL)
		bad = "--sample-interval must be in 100ms..1h";
	else if (o->idle < 100000000ULL || o->request < 100000000ULL || o->method < 100000000ULL)
		bad = "timeouts must be at least 100ms";
	else if (o->top_n < 0 || o->top_n > 10000)
		bad = "--top-n must be in 0..10000";
	if (bad) {
		err_set(err, EXIT_USAGE, "%s", bad);
		err_hint(err, "see 'perf-prof daemon -h'");
		return -1;
	}
	*lim = (struct dlimits){
		.max_request = o->max_request,
		.max_reply = o->max_reply,
		.max_conns = o->max_conns,
		.max_inflight = 16,
		.max_outq = 1 << 20,
		.idle_ms = o->idle / 1000000ULL,
		.request_ms = o->request / 1000000ULL,
		.method_ms = o->method / 1000000ULL,
		.workers = o->workers,
		.sample_ms = o->sample / 1000000ULL,
		.top_n = o->top_n,
		.peers = o->peers.v,
		.nr_peers = o->peers.n,
	};
	return 0;
}

/* room for every connection the limit allows, plus files the methods open */
static void daemon_raise_nofile(int conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)conns + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static int daemon_loop(int epfd, int sigfd, struct tcp_server *tcp, struct http_server *hs)
{
	struct dsrc sig_src = { .kind = DSRC_SIGNAL };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &sig_src };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sigfd, &ev))
		return -errno;
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(epfd, evs, 64, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct dsrc *src = evs[i].data.ptr;
			struct signalfd_siginfo si;

			if (src->kind == DSRC_TIMER)	/* the JSON-RPC side's tick is the HTTP side's too */
				http__tick(hs);
			if (src->kind != DSRC_SIGNAL) {
				/* a connection closed here is freed after the batch */
				tcp__event(tcp, src, evs[i].events);
				continue;
			}
			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo != SIGHUP) {
					dlog("%s: stopping", strsignal((int)si.ssi_signo));
					tcp__reap(tcp);
					return 0;
				}
				dlog("SIGHUP: %llu json-rpc requests, %llu http requests, %llu open "
				     "connections, %llu dropped",
				     (unsigned long long)dstat_get(rpc_requests),
				     (unsigned long long)dstat_get(http_requests),
				     (unsigned long long)dstat_get(conns_open),
				     (unsigned long long)dstat_get(conns_dropped));
			}
		}
		tcp__reap(tcp);
	}
}

static int daemon_listen(const struct daemon_opts *o, struct dlisten *rpc, int *nr_rpc,
			 struct dlisten *http, bool *has_http, struct err *err)
{
	*nr_rpc = 0;
	if (o->listen.n > MAX_LISTEN) {
		err_set(err, EXIT_USAGE, "at most %d --listen addresses", MAX_LISTEN);
		return -1;
	}
	for (int i = 0; i < o->listen.n; i++)
		if (strcmp(o->listen.v[i], "off") &&
		    dlisten__parse(&rpc[(*nr_rpc)++], o->listen.v[i], "--listen", err))
			return -1;
	if (!o->listen.n && dlisten__parse(&rpc[(*nr_rpc)++], "127.0.0.1:12307", "--listen", err))
		return -1;
	*has_http = !o->http || strcmp(o->http, "off");
	if (*has_http && dlisten__parse(http, o->http ? o->http : "127.0.0.1:12308", "--http", err))
		return -1;
	/* a peer is an address, checked like ours: the browser is never given a host */
	for (int i = 0; i < o->peers.n; i++) {
		struct dlisten peer;

		if (dlisten__parse(&peer, o->peers.v[i], "--peer", err))
			return -1;
	}
	if (!*nr_rpc && !*has_http) {
		err_set(err, EXIT_USAGE, "nothing to serve: --listen off and --http off");
		return -1;
	}
	for (int i = 0; i < *nr_rpc; i++)
		if (!rpc[i].loopback)
			dlog("warning: json-rpc on '%s' is reachable from the network, without "
			     "authentication", rpc[i].text);
	if (*has_http && !http->loopback)
		dlog("warning: http on '%s' is reachable from the network, without authentication",
		     http->text);
	return 0;
}

/*
 * The daemon is a one-shot profiler of the registry whose init() is the
 * whole server: it opens no events of its own; the runs it hosts are runs
 * of their own (include/run.h).
 */
static int daemon_init(struct prof *prof, struct err *err)
{
	const struct daemon_opts *o = prof->opts;
	struct dlisten rpc[MAX_LISTEN], http;
	struct tcp_server *tcp = NULL;
	struct http_server *hs = NULL;
	static struct dlimits lim;
	int fds[MAX_LISTEN], nr_rpc = 0, nr_fds = 0, epfd = -1, sigfd = -1, ret = -1, e;
	bool has_http = false, pool_on = false, sampler_on = false, joined = true;
	sigset_t mask, old;

	if (daemon_check(o, &lim, err) ||
	    daemon_listen(o, rpc, &nr_rpc, &http, &has_http, err))
		return -1;
	daemon_raise_nofile(lim.max_conns);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	/* before any thread starts, so none of them takes these signals */
	pthread_sigmask(SIG_BLOCK, &mask, &old);
	sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sigfd < 0 || epfd < 0) {
		err_set(err, EXIT_FAIL, "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < nr_rpc; i++) {
		fds[nr_fds] = dlisten__open(&rpc[i], err);
		if (fds[nr_fds] < 0)
			goto out;
		nr_fds++;
	}
	if (snap__sampler_start(lim.sample_ms, err))
		goto out;
	sampler_on = true;
	if (pool__start(lim.workers, 256, err))
		goto out;
	pool_on = true;
	tcp = tcp__start(epfd, fds, nr_fds, &lim, err);
	nr_fds = 0;	/* the server owns them now, also on failure */
	if (!tcp)
		goto out;
	if (has_http) {
		hs = http__start(&http, &lim, err);
		if (!hs)
			goto out;
	}
	for (int i = 0; i < nr_rpc; i++)
		dlog("json-rpc (lepd) on %s", rpc[i].text);
	if (has_http)
		dlog("http on %s (/api/v1/, /metrics)", http.text);
	e = daemon_loop(epfd, sigfd, tcp, hs);
	if (e) {
		err_set(err, EXIT_FAIL, "event loop failed: %s", strerror(-e));
		goto out;
	}
	ret = 0;
out:
	prun__shutdown();
	if (pool_on)
		joined = pool__stop();
	/* a worker still stuck in a method may resume an HTTP connection: then leave it */
	if (joined)
		http__stop(hs);
	tcp__stop(tcp, joined);
	for (int i = 0; i < nr_fds; i++)
		close(fds[i]);
	if (sampler_on)
		snap__sampler_stop();
	if (epfd >= 0)
		close(epfd);
	if (sigfd >= 0)
		close(sigfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

#define DOPT(type, name, field, argh, help) \
	{ type, 0, name, offsetof(struct daemon_opts, field), argh, help, NULL, false }

static const struct opt daemon_opts[] = {
	DOPT(OPT_STRLIST, "listen", listen, "ADDR:PORT",
	     "JSON-RPC (lepd protocol) address, repeatable; default 127.0.0.1:12307; off: none"),
	DOPT(OPT_STRING, "http", http, "ADDR:PORT",
	     "HTTP API and /metrics address; default 127.0.0.1:12308; off: none"),
	DOPT(OPT_BOOL, "foreground", foreground, NULL,
	     "stay in the foreground, log to stderr (the default; systemd style)"),
	DOPT(OPT_INT, "max-connections", max_conns, "N",
	     "JSON-RPC connections at once (default 1024); the longest idle makes room"),
	DOPT(OPT_U64, "max-request", max_request, "BYTES", "largest request (default 65536)"),
	DOPT(OPT_U64, "max-reply", max_reply, "BYTES",
	     "largest method result (default 16 MiB); larger is an error, never cut"),
	DOPT(OPT_DURATION, "idle-timeout", idle, "DUR",
	     "close a connection idle, or not reading its replies, this long (default 120s)"),
	DOPT(OPT_DURATION, "request-timeout", request, "DUR",
	     "a request must arrive whole within this (default 10s)"),
	DOPT(OPT_DURATION, "method-timeout", method, "DUR",
	     "a method taking longer answers with an error (default 30s)"),
	DOPT(OPT_INT, "workers", workers, "N", "threads for blocking methods (default 4)"),
	DOPT(OPT_DURATION, "sample-interval", sample, "DUR",
	     "how often /proc is sampled for rates (default 1s)"),
	DOPT(OPT_INT, "top-n", top_n, "N", "processes exported in /metrics (default 10)"),
	DOPT(OPT_STRLIST, "peer", peers, "ADDR:PORT",
	     "another daemon's HTTP address the web viewer shows beside this one; repeatable"),
	OPT_TABLE_END,
};

const struct profiler daemon_profiler = {
	.name = "daemon",
	.summary = "serve system data over lepd's JSON-RPC, an HTTP API and /metrics",
	.synopsis = "perf-prof daemon [--listen ADDR:PORT]... [--http ADDR:PORT] [OPTIONS]",
	.help = "Runs in the foreground until SIGTERM or SIGINT, logging to stderr. Serves:\n"
		"  - LEP's lepd protocol (JSON-RPC over TCP, default 127.0.0.1:12307): the same\n"
		"    32 methods and text layouts, so LEP's viewer and 'nc' work unchanged; every\n"
		"    reply ends with lepdendstring, errors too; whole files, pipelining.\n"
		"  - HTTP (default 127.0.0.1:12308): GET /api/v1/<path> structured JSON (cpu,\n"
		"    memory, io, irq, top, ...; /api/v1/methods lists them), /metrics in the\n"
		"    Prometheus text format (node_exporter names), and the web viewer at /.\n"
		"The perf methods (GetCmdPerfCpuclock, GetCmdPerfFlame, ProfProfile, ProfTop...)\n"
		"run perf-prof's own profilers in-process for params.seconds (1..10).\n"
		"Only loopback is used unless an address is named; a network address is\n"
		"served without authentication, with a warning. Every request is bounded in\n"
		"size, time and memory. SIGHUP logs the counters. See Documentation/daemon.md.\n"
		"\nEXAMPLES\n"
		"    perf-prof daemon\n"
		"    echo '{\"method\":\"GetProcLoadavg\"}' | nc -q1 127.0.0.1 12307\n"
		"    curl -s 127.0.0.1:12308/api/v1/cpu\n"
		"    curl -s 127.0.0.1:12308/metrics | grep node_cpu_seconds_total\n"
		"    curl -s '127.0.0.1:12308/api/v1/prof/profile?seconds=5'   # CPU flame graph\n"
		"    perf-prof daemon --peer 127.0.0.1:12318   # the viewer shows both machines\n"
		"    perf-prof daemon --listen 127.0.0.1:12307 --listen [::1]:12307 --http off\n"
		"    perf-prof daemon --listen 0.0.0.0:12307   # the network: only when named\n",
	.opts = daemon_opts,
	.opts_size = sizeof(struct daemon_opts),
	.opts_init = daemon_opts_init,
	.oneshot = true,
	.init = daemon_init,
};
