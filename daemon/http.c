// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - the HTTP side, on libmicrohttpd: its own threads, its connection
 * limit, idle timeout and per-connection memory limit. A route table maps
 * paths to handlers: /api/v1/<path> runs a method as JSON, /metrics writes
 * the Prometheus exposition, / and /viewer/ serve the web viewer's embedded
 * files, /viewer/peers.json the other daemons it shows (--peer).
 * GET and HEAD only. A method that may block runs on the worker pool while
 * its connection is suspended, so it holds no HTTP thread: the query is
 * copied into the call's params first (a worker never touches MHD's
 * connection), and the worker resumes the connection when it is done, or
 * the daemon's tick does at --method-timeout (http__tick).
 */
#include <cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "json.h"
#include "viewer.h"

/*
 * libmicrohttpd is opened with dlopen() when the daemon starts its HTTP
 * server, not linked: it brings GnuTLS and eight more libraries, 2.6 MB of
 * resident memory in every run of every profiler, for the daemon alone.
 * The calls below go through these pointers (the header's declarations
 * give their types).
 */
#define MHD_SONAME "libmicrohttpd.so.12"	/* Debian 12's libmicrohttpd12 */

static struct {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_suspend_connection) *suspend_connection;
	__typeof__(MHD_resume_connection) *resume_connection;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_get_connection_values) *get_connection_values;
	bool ok;
	char error[200];
} mhd;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;

static void mhd_load(void)
{
	void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(mhd.error, sizeof(mhd.error), "%s", dlerror());
		return;
	}
	*(void **)&mhd.start_daemon = dlsym(h, "MHD_start_daemon");
	*(void **)&mhd.stop_daemon = dlsym(h, "MHD_stop_daemon");
	*(void **)&mhd.create_response_from_buffer = dlsym(h, "MHD_create_response_from_buffer");
	*(void **)&mhd.add_response_header = dlsym(h, "MHD_add_response_header");
	*(void **)&mhd.queue_response = dlsym(h, "MHD_queue_response");
	*(void **)&mhd.destroy_response = dlsym(h, "MHD_destroy_response");
	*(void **)&mhd.suspend_connection = dlsym(h, "MHD_suspend_connection");
	*(void **)&mhd.resume_connection = dlsym(h, "MHD_resume_connection");
	*(void **)&mhd.lookup_connection_value = dlsym(h, "MHD_lookup_connection_value");
	*(void **)&mhd.get_connection_values = dlsym(h, "MHD_get_connection_values");
	mhd.ok = mhd.start_daemon && mhd.stop_daemon && mhd.create_response_from_buffer &&
		 mhd.add_response_header && mhd.queue_response && mhd.destroy_response &&
		 mhd.suspend_connection && mhd.resume_connection &&
		 mhd.lookup_connection_value && mhd.get_connection_values;
	if (!mhd.ok)
		snprintf(mhd.error, sizeof(mhd.error), "%s lacks functions this daemon calls",
			 MHD_SONAME);
	/* kept open for the process: the pointers above point into it */
}

#define MHD_start_daemon mhd.start_daemon
#define MHD_stop_daemon mhd.stop_daemon
#define MHD_create_response_from_buffer mhd.create_response_from_buffer
#define MHD_add_response_header mhd.add_response_header
#define MHD_queue_response mhd.queue_response
#define MHD_destroy_response mhd.destroy_response
#define MHD_suspend_connection mhd.suspend_connection
#define MHD_resume_connection mhd.resume_connection
#define MHD_lookup_connection_value mhd.lookup_connection_value
#define MHD_get_connection_values mhd.get_connection_values

#define API_PREFIX "/api/v1/"

struct hjob;

struct http_server {
	struct MHD_Daemon *mhd;
	const struct dlimits *lim;
	pthread_mutex_t lock;
	struct hjob *jobs;	/* submitted, not yet answered */
	char *csp;		/* the viewer's Content-Security-Policy: frames of --peer only */
};

/*
 * a blocking method for a suspended connection. Two sides hold it: MHD's
 * (until http_completed) and the worker's (until hjob_done). Normally the
 * worker resumes the connection and MHD frees the job. Past --method-timeout
 * the tick resumes it with an error instead; the one of the two sides that
 * lets go of it last frees it (@orphan: MHD is done, the worker frees).
 */
struct hjob {
	struct job job;
	struct http_server *srv;
	struct MHD_Connection *conn;
	u64 deadline;		/* now_ns() past which it is answered with a timeout */
	bool finished;		/* resumed: the worker is done, the job was dropped or timed out */
	bool timed_out;
	bool worker_done;
	bool orphan;
	struct hjob *prev, *next;
};

static void hjob_free(struct hjob *hj)
{
	cJSON_Delete(hj->job.call.params);
	free(hj->job.buf);
	free(hj);
}

static enum MHD_Result http_send(struct MHD_Connection *conn, unsigned int status,
				 const char *type, char *buf, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static unsigned int http_status(int code)
{
	switch (code) {
	case MERR_NO_METHOD: return MHD_HTTP_NOT_FOUND;
	case MERR_PARAMS: return MHD_HTTP_BAD_REQUEST;
	case MERR_UNAVAILABLE: return MHD_HTTP_NOT_IMPLEMENTED;
	case MERR_BUSY: return MHD_HTTP_SERVICE_UNAVAILABLE;
	case MERR_TIMEOUT: return MHD_HTTP_GATEWAY_TIMEOUT;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static enum MHD_Result http_error(struct MHD_Connection *conn, int code, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = mstream__open(&buf, &len);

	dstat_inc(http_errors);
	if (!f)
		return MHD_NO;
	json_begin(&j, f);
	json_obj_begin(&j, "error");
	json_int(&j, "code", code);
	json_str(&j, "message", msg);
	json_obj_end(&j);
	json_end(&j);
	if (fclose(f)) {
		free(buf);
		return MHD_NO;
	}
	return http_send(conn, http_status(code), "application/json", buf, len);
}

static const char *http_query(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result http_query_copy(void *cls, enum MHD_ValueKind kind, const char *key,
					const char *value)
{
	if (key && !cJSON_GetObjectItemCaseSensitive(cls, key))
		cJSON_AddStringToObject(cls, key, value ? value : "");
	return MHD_YES;
}

/* hjob_unlink_locked - off the server's list; with srv->lock held */
static void hjob_unlink_locked(struct http_server *srv, struct hjob *hj)
{
	if (hj->prev)
		hj->prev->next = hj->next;
	else if (srv->jobs == hj)
		srv->jobs = hj->next;
	if (hj->next)
		hj->next->prev = hj->prev;
	hj->prev = hj->next = NULL;
}

static void hjob_unlink(struct hjob *hj)
{
	pthread_mutex_lock(&hj->srv->lock);
	hjob_unlink_locked(hj->srv, hj);
	pthread_mutex_unlock(&hj->srv->lock);
}

/* on the worker: resume the connection, or, timed out, let go of the job */
static void hjob_done(struct job *job)
{
	struct hjob *hj = (struct hjob *)job;
	struct http_server *srv = hj->srv;
	struct MHD_Connection *conn = hj->conn;
	bool orphan;

	pthread_mutex_lock(&srv->lock);
	hj->worker_done = true;
	if (hj->timed_out) {
		orphan = hj->orphan;
		if (orphan)
			hjob_unlink_locked(srv, hj);
		pthread_mutex_unlock(&srv->lock);
		if (orphan)
			hjob_free(hj);
		return;
	}
	hj->finished = true;
	pthread_mutex_unlock(&srv->lock);
	MHD_resume_connection(conn);
}

/*
 * http__tick - called a few times a second from the daemon's loop: a job
 * past its deadline is answered with a timeout now (the worker goes on;
 * what it makes is dropped)
 */
void http__tick(struct http_server *srv)
{
	u64 now = now_ns();

	if (!srv)
		return;
	pthread_mutex_lock(&srv->lock);
	for (struct hjob *hj = srv->jobs; hj; hj = hj->next) {
		if (hj->finished || now < hj->deadline)
			continue;
		hj->finished = hj->timed_out = true;
		dstat_inc(method_timeouts);
		MHD_resume_connection(hj->conn);
	}
	pthread_mutex_unlock(&srv->lock);
}

/* the connection is back: answer with what the worker made */
static enum MHD_Result hjob_answer(struct MHD_Connection *conn, struct hjob *hj)
{
	char *buf;

	if (hj->timed_out)	/* the worker may still be writing the job: not read */
		return http_error(conn, MERR_TIMEOUT, "the method took too long");
	buf = hj->job.buf;
	hjob_unlink(hj);
	if (!buf && !hj->job.rc)
		return http_error(conn, MERR_BUSY, "the daemon is stopping");
	if (hj->job.rc)
		return http_error(conn, hj->job.call.code, hj->job.call.msg);
	hj->job.buf = NULL;
	return http_send(conn, MHD_HTTP_OK, "application/json", buf, hj->job.len);
}

static enum MHD_Result http_submit(struct http_server *srv, struct MHD_Connection *conn,
				   const struct method *m, void **req_cls)
{
	struct hjob *hj = calloc(1, sizeof(*hj));

	if (!hj || !(hj->job.call.params = cJSON_CreateObject())) {
		free(hj);
		return http_error(conn, MERR_FAIL, "out of memory");
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_query_copy, hj->job.call.params);
	hj->srv = srv;
	hj->conn = conn;
	hj->job.m = m;
	hj->job.json = true;
	hj->job.max = srv->lim->max_reply;
	hj->job.done = hjob_done;
	hj->deadline = now_ns() + srv->lim->method_ms * 1000000ULL;
	pthread_mutex_lock(&srv->lock);
	hj->next = srv->jobs;
	if (srv->jobs)
		srv->jobs->prev = hj;
	srv->jobs = hj;
	pthread_mutex_unlock(&srv->lock);
	/* freed when MHD is done with the request (http_completed) */
	*req_cls = hj;
	MHD_suspend_connection(conn);
	if (pool__submit(&hj->job)) {
		hj->job.rc = -1;
		hj->job.call.code = MERR_BUSY;
		snprintf(hj->job.call.msg, sizeof(hj->job.call.msg),
			 "the daemon is busy: every worker is taken");
		pthread_mutex_lock(&srv->lock);
		hj->finished = true;
		pthread_mutex_unlock(&srv->lock);
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}

static enum MHD_Result http_api(struct http_server *srv, struct MHD_Connection *conn,
				const char *path, void **req_cls)
{
	const struct method *m = method__find_api(path);
	struct mcall call = { .query = http_query, .query_ctx = conn };
	char *buf;
	size_t len;

	if (*req_cls)
		return hjob_answer(conn, *req_cls);
	if (!m)
		return http_error(conn, MERR_NO_METHOD, "no such method; /api/v1/methods lists them");
	if (m->flags & METHOD_BLOCKING)
		return http_submit(srv, conn, m, req_cls);
	if (method__run_json(m, &call, srv->lim->max_reply, &buf, &len))
		return http_error(conn, call.code, call.msg);
	return http_send(conn, MHD_HTTP_OK, "application/json", buf, len);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct hjob *hj = *req_cls;

	if (!hj)
		return;
	*req_cls = NULL;
	pthread_mutex_lock(&hj->srv->lock);
	if (hj->timed_out && !hj->worker_done) {
		/* the worker still runs it: it frees the job (or http__stop does) */
		hj->orphan = true;
		pthread_mutex_unlock(&hj->srv->lock);
		return;
	}
	hjob_unlink_locked(hj->srv, hj);
	pthread_mutex_unlock(&hj->srv->lock);
	hjob_free(hj);
}

static enum MHD_Result http_metrics(struct http_server *srv, struct MHD_Connection *conn,
				    const char *path, void **req_cls)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = mstream__open(&buf, &len);

	if (!f)
		return http_error(conn, MERR_FAIL, "out of memory");
	if (metrics__write(f, srv->lim) | fclose(f)) {
		free(buf);
		return http_error(conn, MERR_FAIL, "cannot collect the metrics");
	}
	return http_send(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", buf, len);
}

/* an embedded file, never copied: its bytes live as long as the binary */
static enum MHD_Result http_asset(struct http_server *srv, struct MHD_Connection *conn,
				  const struct viewer_asset *a)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(a->len, (void *)a->data,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, viewer__type(a->path));
	/* the page changes with the binary only; a reload re-checks it */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", srv->csp);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* / and its static files: the web viewer (daemon/viewer/) */
static enum MHD_Result http_viewer(struct http_server *srv, struct MHD_Connection *conn,
				   const char *path, void **req_cls)
{
	const struct viewer_asset *a = viewer__find(path);

	if (!a)
		return http_error(conn, MERR_NO_METHOD, "not found");
	return http_asset(srv, conn, a);
}

/* the other daemons the viewer shows, from --peer only */
static enum MHD_Result http_peers(struct http_server *srv, struct MHD_Connection *conn,
				  const char *path, void **req_cls)
{
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = mstream__open(&buf, &len);

	if (!f)
		return http_error(conn, MERR_FAIL, "out of memory");
	json_begin(&j, f);
	json_arr_begin(&j, "peers");
	for (int i = 0; i < srv->lim->nr_peers; i++)
		json_str(&j, NULL, srv->lim->peers[i]);
	json_arr_end(&j);
	json_end(&j);
	if (fclose(f)) {
		free(buf);
		return http_error(conn, MERR_FAIL, "out of memory");
	}
	return http_send(conn, MHD_HTTP_OK, "application/json", buf, len);
}

/* the routes: an exact path, or a prefix (ending in '/') whose rest is passed on */
static const struct route {
	const char *path;
	enum MHD_Result (*fn)(struct http_server *srv, struct MHD_Connection *conn,
			      const char *rest, void **req_cls);
} routes[] = {
	{ "/metrics", http_metrics },
	{ API_PREFIX, http_api },
	{ "/viewer/peers.json", http_peers },
	{ "/", http_viewer },
	{ "/viewer/", http_viewer },
};

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct http_server *srv = cls;

	if (!*req_cls)
		dstat_inc(http_requests);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		dstat_inc(http_errors);
		return http_send(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
				 strdup("only GET and HEAD\n"), 18);
	}
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const struct route *r = &routes[i];
		size_t n = strlen(r->path);

		if (r->path[n - 1] == '/' && n > 1) {
			if (!strncmp(url, r->path, n) && url[n])
				return r->fn(srv, conn, url + n, req_cls);
		} else if (!strcmp(url, r->path)) {
			return r->fn(srv, conn, url, req_cls);
		}
	}
	return http_error(conn, MERR_NO_METHOD, "not found");
}

/*
 * the viewer's policy: nothing but this daemon (no other host, no inline
 * script), and frames of this daemon and the --peer daemons only (the
 * viewers side by side); the page may be framed by another daemon's viewer
 */
static char *http_csp(const struct dlimits *lim)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs("default-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'", f);
	for (int i = 0; i < lim->nr_peers; i++)
		fprintf(f, " http://%s", lim->peers[i]);
	fputs("; frame-ancestors http:; object-src 'none'", f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct http_server *http__start(const struct dlisten *l, const struct dlimits *lim,
				struct err *err)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_ALLOW_SUSPEND_RESUME;

	if (!srv) {
		err_set(err, EXIT_FAIL, "out of memory");
		return NULL;
	}
	pthread_once(&mhd_once, mhd_load);
	if (!mhd.ok) {
		err_set(err, EXIT_FAIL, "cannot serve http on '%s': %s", l->text, mhd.error);
		err_hint(err, "install libmicrohttpd12 (scripts/install-deps.sh), or run with --http off");
		free(srv);
		return NULL;
	}
	srv->lim = lim;
	srv->csp = http_csp(lim);
	if (!srv->csp) {
		free(srv);
		err_set(err, EXIT_FAIL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&srv->lock, NULL);
	if (l->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, http_handler, srv,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&l->addr,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(lim->workers > 2 ? 2 : lim->workers),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(lim->max_conns < 512 ? lim->max_conns : 512),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)(lim->idle_ms / 1000 ? lim->idle_ms / 1000 : 1),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
		MHD_OPTION_END);
	if (!srv->mhd) {
		err_set(err, EXIT_FAIL, "cannot serve http on '%s': %s", l->text,
			strerror(errno ? errno : EADDRINUSE));
		err_hint(err, "choose another address with --http ADDR:PORT, or --http off");
		free(srv->csp);
		free(srv);
		return NULL;
	}
	return srv;
}

/* whether some job's connection still waits for MHD to send its answer */
static bool http_answers_pending(struct http_server *srv)
{
	bool pending = false;

	pthread_mutex_lock(&srv->lock);
	for (struct hjob *hj = srv->jobs; hj && !pending; hj = hj->next)
		pending = !hj->orphan;
	pthread_mutex_unlock(&srv->lock);
	return pending;
}

/*
 * Called once the pool is stopped: jobs it dropped from its queue never
 * resume their connection, so that is done here (MHD must not stop with
 * suspended connections); they answer "stopping".
 */
void http__stop(struct http_server *srv)
{
	if (!srv)
		return;
	pthread_mutex_lock(&srv->lock);
	for (struct hjob *hj = srv->jobs; hj; hj = hj->next) {
		if (hj->finished)
			continue;
		hj->finished = true;
		MHD_resume_connection(hj->conn);
	}
	pthread_mutex_unlock(&srv->lock);
	/*
	 * a resumed connection is answered by MHD's threads: give them a moment (at most 2 s)
	 * to send it before they stop, or the client of a run cut short by SIGTERM gets a
	 * closed connection instead of its answer
	 */
	for (int i = 0; i < 200 && http_answers_pending(srv); i++)
		usleep(10000);
	MHD_stop_daemon(srv->mhd);
	/*
	 * What is left are timed-out jobs MHD is done with whose worker never
	 * ran them to the end (dropped from the queue): no thread holds them now
	 */
	while (srv->jobs) {
		struct hjob *hj = srv->jobs;

		hjob_unlink_locked(srv, hj);
		hjob_free(hj);
	}
	pthread_mutex_destroy(&srv->lock);
	free(srv->csp);
	free(srv);
}
