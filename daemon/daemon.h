/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daemon.h - the pieces of `perf-prof daemon` and how they meet.
 *
 *   main.c     options, listening sockets, the epoll loop, signals
 *   net.c      ADDR:PORT parsing, listening sockets, loopback checks
 *   rpc.c      lepd's wire format: request framing and reply bytes
 *   tcp.c      the raw-TCP JSON-RPC connections (non-blocking, bounded)
 *   pool.c     worker threads for methods that may block
 *   methods.c  the method table: lepd text methods and JSON API renderers
 *   snap.c     /proc snapshots taken by the sampler thread
 *   lepd.c     lepd's text layouts (mpstat, iostat, top, procrank...)
 *   api.c      the structured JSON of /api/v1/
 *   http.c     libmicrohttpd: routes, /api/v1/, /metrics
 *   metrics.c  the Prometheus text exposition
 *
 * Ownership: the main thread owns connections and epoll; workers only run a
 * method over a job and hand it back; the sampler owns snapshots, which are
 * immutable once published and shared by reference count.
 */
#ifndef PERF_PROF_DAEMON_H
#define PERF_PROF_DAEMON_H

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "util.h"

struct cJSON;
struct json;

/* ------------------------------------------------------------- limits */

/**
 * struct dlimits - every bound the daemon enforces (options may change them)
 * @max_request:  bytes of one request before it is refused
 * @max_reply:    bytes of one method's output
 * @max_conns:    concurrent JSON-RPC connections (the longest-idle one is
 *                dropped to make room for a new one)
 * @max_inflight: requests of one connection being answered at once
 * @max_outq:     reply bytes queued for a connection before it is not read
 * @idle_ms:      a connection with nothing to do is closed after this
 * @request_ms:   a request must arrive whole within this of its first byte
 * @method_ms:    a method that takes longer answers with an error
 * @workers:      threads for blocking methods
 * @sample_ms:    the sampler's period
 * @top_n:        processes in /metrics
 * @peers:        other daemons' HTTP addresses the viewer shows beside this one (--peer)
 */
struct dlimits {
	size_t max_request;
	size_t max_reply;
	int max_conns;
	int max_inflight;
	size_t max_outq;
	u64 idle_ms;
	u64 request_ms;
	u64 method_ms;
	int workers;
	u64 sample_ms;
	int top_n;
	const char *const *peers;
	int nr_peers;
};

/* ------------------------------------------------------------ counters */

/* the daemon's own counters, updated atomically from any thread */
struct dstats {
	u64 rpc_requests;
	u64 rpc_errors;
	u64 http_requests;
	u64 http_errors;
	u64 conns_accepted;
	u64 conns_dropped;	/* refused, evicted, timed out or abusive */
	u64 conns_open;
	u64 method_timeouts;
	u64 samples;		/* sampler passes */
	u64 sample_errors;
	u64 events;		/* records delivered to hosted profiler runs */
	u64 lost;		/* records the kernel dropped in them */
};

extern struct dstats dstats;

#define dstat_inc(f) __atomic_add_fetch(&dstats.f, 1, __ATOMIC_RELAXED)
#define dstat_dec(f) __atomic_sub_fetch(&dstats.f, 1, __ATOMIC_RELAXED)
#define dstat_get(f) __atomic_load_n(&dstats.f, __ATOMIC_RELAXED)

/* log - a timestamped line on stderr (systemd collects it) */
void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------- network */

/* struct dlisten - one address to listen on */
struct dlisten {
	struct sockaddr_storage addr;
	socklen_t len;
	char text[64];		/* as given, for messages */
	bool loopback;
};

/**
 * dlisten__parse - "127.0.0.1:12307", "[::1]:12307", "0.0.0.0:1", ":PORT"
 * (loopback), "localhost:PORT". Returns 0 or -1 with @err (EXIT_USAGE).
 */
int dlisten__parse(struct dlisten *l, const char *text, const char *opt, struct err *err);

/* dlisten__open - a non-blocking listening TCP socket, or -1 with @err */
int dlisten__open(const struct dlisten *l, struct err *err);

/* ------------------------------------------------------------ methods */

/**
 * struct mcall - one method call, wherever it runs
 * @params: the request's "params" (NULL when absent); owned by the call
 * @out:    the method writes its result here (a memory stream)
 * @max:    the most bytes its result may have
 * @msg:    on failure, why (lowercase, quoted subject)
 * @code:   on failure, the JSON-RPC / HTTP error class (see enum merr)
 * @query:  HTTP query arguments lookup (NULL on the JSON-RPC side)
 */
struct mcall {
	struct cJSON *params;
	FILE *out;
	size_t max;
	char msg[256];
	int code;
	const char *(*query)(void *ctx, const char *key);
	void *query_ctx;
};

enum merr {
	MERR_NONE = 0,
	MERR_FAIL = -32000,		/* the method ran and failed */
	MERR_TIMEOUT = -32001,		/* it took longer than --method-timeout */
	MERR_BUSY = -32002,		/* every worker is taken and the queue is full */
	MERR_TOO_LARGE = -32003,	/* its output passed --max-reply */
	MERR_UNAVAILABLE = -32004,	/* not in this build (yet) */
	MERR_PARAMS = -32602,		/* bad params */
	MERR_PARSE = -32700,
	MERR_INVALID = -32600,
	MERR_NO_METHOD = -32601,
};

/* mcall__fail - set the failure of @c; returns -1 */
int mcall__fail(struct mcall *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mcall__param_int - integer param @key (params object, or HTTP query),
 * @def when absent; -1 with an error when out of [@lo, @hi] */
int mcall__param_int(struct mcall *c, const char *key, long def, long lo, long hi, long *out);

/* method flags */
enum {
	METHOD_BLOCKING = 1 << 0,	/* may block: runs on a worker thread */
	METHOD_LEPD = 1 << 1,		/* one of lepd's 32 (ListAllMethod lists them) */
	METHOD_JSON_TEXT = 1 << 2,	/* its text is a JSON document: HTTP serves it as is */
};

/**
 * struct method - one entry of the table
 * @name:  the JSON-RPC name ("GetProcMeminfo")
 * @api:   its /api/v1/ path ("memory"), NULL for none
 * @text:  the lepd text result, NULL when the method has only JSON
 * @json:  the structured JSON for the API, NULL to wrap @text
 * @arg:   a constant the handler needs (the /proc path)
 * @help:  one line for ListAllMethod's JSON and the docs
 */
struct method {
	const char *name;
	const char *api;
	unsigned int flags;
	int (*text)(struct mcall *c, const struct method *m);
	int (*json)(struct mcall *c, const struct method *m, struct json *j);
	const char *arg;
	const char *help;
};

extern const struct method methods[];
extern const size_t nr_methods;

/* method__find - by JSON-RPC name (case-sensitive, like lepd) */
const struct method *method__find(const char *name);
/* method__find_api - by /api/v1/ path, or by JSON-RPC name */
const struct method *method__find_api(const char *path);

/**
 * method__run_text - run @m's text handler into a fresh memory stream.
 * Returns 0 with *buf (malloc'ed, NUL-terminated, room for the 13 bytes of
 * the terminator) and *len, or -1 with c->code/c->msg.
 */
int method__run_text(const struct method *m, struct mcall *c, size_t max, char **buf,
		     size_t *len);

/**
 * method__run_json - @m as one JSON document (a line) into @buf and @len; a
 * method without a JSON renderer answers {"method":..,"result":TEXT}.
 */
int method__run_json(const struct method *m, struct mcall *c, size_t max, char **buf,
		     size_t *len);

/* mstream__open - a memory stream whose locking is the caller's (one thread) */
FILE *mstream__open(char **buf, size_t *len);

/* ----------------------------------------------------------- wire format */

#define LEPD_END "lepdendstring"
#define LEPD_END_LEN 13

enum rpc_scan {
	RPC_NEED_MORE,		/* the value is not complete yet */
	RPC_VALUE,		/* one complete value of *len bytes from the start */
	RPC_GARBAGE,		/* not JSON at all: framing is lost */
};

/**
 * rpc__scan - find where the first JSON value of @buf[0..@n) ends.
 * Skips leading whitespace (counted in *len). Brace/bracket/string aware;
 * nesting deeper than 64 is garbage.
 */
enum rpc_scan rpc__scan(const char *buf, size_t n, size_t *len);

/**
 * struct rpc_req - one decoded request
 * @method: its name (points into @root)
 * @id:     the "id" member (owned by @root) or NULL
 * @params: the "params" member (detached, owned by the request) or NULL
 */
struct rpc_req {
	struct cJSON *root;
	const char *method;
	struct cJSON *id;
	struct cJSON *params;
};

/**
 * rpc__parse - decode one framed value. Returns 0, or MERR_PARSE (not
 * JSON: the connection's framing is lost) or MERR_INVALID (JSON but not a
 * request object) with @why set.
 */
int rpc__parse(const char *buf, size_t len, struct rpc_req *req, const char **why);

/* rpc__req_free - free what rpc__parse allocated */
void rpc__req_free(struct rpc_req *req);

/* rpc__id_text - the id as JSON text for the reply ("" when none) */
void rpc__id_text(const struct cJSON *id, char *buf, size_t len);

/**
 * rpc__reply_result - the whole reply for a result: cJSON's formatted
 * layout, @text (which must have LEPD_END_LEN spare bytes after @len)
 * followed by the terminator, escaped as valid UTF-8, padded so the
 * terminator and the end of the object fall in one 2048-byte chunk (LEP's
 * client reads in 2048-byte chunks and looks for the terminator per
 * chunk). Returns a malloc'ed buffer, its size in *n; NULL on ENOMEM.
 */
char *rpc__reply_result(char *text, size_t len, const char *id, size_t *n);

/* rpc__reply_error - the reply for an error; the message carries the terminator */
char *rpc__reply_error(int code, const char *msg, const char *id, size_t *n);

/* ------------------------------------------------------------ snapshots */

struct snap;

/* snap__sampler_start - take the first snapshot, start the sampler thread */
int snap__sampler_start(u64 period_ms, struct err *err);
/* snap__sampler_stop - stop and join the sampler, drop the snapshots */
void snap__sampler_stop(void);

/**
 * snap__get - the two latest snapshots (the older may be the zero "boot"
 * snapshot: rates then cover the time since boot). Release both with
 * snap__put().
 */
void snap__get(struct snap **prev, struct snap **cur);
void snap__put(struct snap *s);

/* ---------------------------------------------------------------- pool */

struct job;

/**
 * struct job - a method call handed to a worker
 * @m, @call: what to run
 * @json: run the JSON renderer (HTTP) instead of the text one
 * @done: called on the worker when finished (result in @buf/@len/@rc)
 */
struct job {
	const struct method *m;
	struct mcall call;
	bool json;
	size_t max;
	char *buf;
	size_t len;
	int rc;
	void (*done)(struct job *job);
	void *owner;
	struct job *next;
};

int pool__start(int nr, int max_queue, struct err *err);
/* pool__submit - queue @job; -1 (EBUSY) when the queue is full */
int pool__submit(struct job *job);
/* pool__stop - end the workers; false when one could not be joined in time */
bool pool__stop(void);

/* ------------------------------------------------------------- servers */

struct tcp_server;

/*
 * Everything registered in the daemon's epoll starts with this tag, so the
 * loop knows whose event it is.
 */
enum dsrc_kind { DSRC_SIGNAL, DSRC_LISTEN, DSRC_CONN, DSRC_DONE, DSRC_TIMER };

struct dsrc {
	enum dsrc_kind kind;
};

/* tcp__start - serve JSON-RPC on the listening sockets @fds, in @epfd */
struct tcp_server *tcp__start(int epfd, const int *fds, int nr, const struct dlimits *lim,
			      struct err *err);
/* tcp__event - an epoll event of one of the server's sources */
void tcp__event(struct tcp_server *srv, struct dsrc *src, u32 events);
/* tcp__reap - free the connections closed while an epoll batch was handled; after each batch */
void tcp__reap(struct tcp_server *srv);
/* tcp__stop - close every connection; @free_jobs when no worker still runs one */
void tcp__stop(struct tcp_server *srv, bool free_jobs);

struct http_server;
struct http_server *http__start(const struct dlisten *l, const struct dlimits *lim,
				struct err *err);
void http__stop(struct http_server *srv);
/* http__tick - blocking methods past --method-timeout are answered with an error */
void http__tick(struct http_server *srv);

/* metrics__write - the Prometheus text exposition into @out */
int metrics__write(FILE *out, const struct dlimits *lim);

/* ------------------------------------------------------- shared helpers */

/**
 * proc__read - a whole file (procfs, sysfs) into @out, at most @max bytes.
 * Returns 0, -errno, or -EFBIG when it is larger than @max.
 */
int proc__read_into(const char *path, FILE *out, size_t max);

/* the user name of @uid (cached), or the number */
const char *user__name(unsigned int uid, char *buf, size_t len);

#endif
