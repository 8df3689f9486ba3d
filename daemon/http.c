// SPDX-License-Identifier: GPL-2.0
/*
 * http.c - the HTTP side, on libmicrohttpd: its own threads, its connection
 * limit, idle timeout and per-connection memory limit. A route table maps
 * paths to handlers: /api/v1/<path> runs a method as JSON, /metrics writes
 * the Prometheus exposition, / says what is served (the viewer goes there).
 * GET and HEAD only.
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "json.h"

#define API_PREFIX "/api/v1/"

struct http_server {
	struct MHD_Daemon *mhd;
	const struct dlimits *lim;
};

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

static enum MHD_Result http_api(struct http_server *srv, struct MHD_Connection *conn,
				const char *path)
{
	const struct method *m = method__find_api(path);
	struct mcall call = { .query = http_query, .query_ctx = conn };
	char *buf;
	size_t len;

	if (!m)
		return http_error(conn, MERR_NO_METHOD, "no such method; /api/v1/methods lists them");
	if (method__run_json(m, &call, srv->lim->max_reply, &buf, &len))
		return http_error(conn, call.code, call.msg);
	return http_send(conn, MHD_HTTP_OK, "application/json", buf, len);
}

static enum MHD_Result http_metrics(struct http_server *srv, struct MHD_Connection *conn,
				    const char *path)
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

static enum MHD_Result http_index(struct http_server *srv, struct MHD_Connection *conn,
				  const char *path)
{
	static const char text[] =
		"perf-prof daemon\n\n"
		"/api/v1/methods   the methods, their /api/v1/ paths\n"
		"/api/v1/<path>    a method as JSON (cpu, memory, io, irq, top, ...)\n"
		"/metrics          Prometheus text exposition\n";
	char *buf = strdup(text);

	if (!buf)
		return MHD_NO;
	return http_send(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", buf, sizeof(text) - 1);
}

/* the routes: an exact path, or a prefix (ending in '/') whose rest is passed on */
static const struct route {
	const char *path;
	enum MHD_Result (*fn)(struct http_server *srv, struct MHD_Connection *conn,
			      const char *rest);
} routes[] = {
	{ "/metrics", http_metrics },
	{ API_PREFIX, http_api },
	{ "/", http_index },
};

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct http_server *srv = cls;

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
				return r->fn(srv, conn, url + n);
		} else if (!strcmp(url, r->path)) {
			return r->fn(srv, conn, url);
		}
	}
	return http_error(conn, MERR_NO_METHOD, "not found");
}

struct http_server *http__start(const struct dlisten *l, const struct dlimits *lim,
				struct err *err)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

	if (!srv) {
		err_set(err, EXIT_FAIL, "out of memory");
		return NULL;
	}
	srv->lim = lim;
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
		MHD_OPTION_END);
	if (!srv->mhd) {
		err_set(err, EXIT_FAIL, "cannot serve http on '%s': %s", l->text,
			strerror(errno ? errno : EADDRINUSE));
		err_hint(err, "choose another address with --http ADDR:PORT, or --http off");
		free(srv);
		return NULL;
	}
	return srv;
}

void http__stop(struct http_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->mhd);
	free(srv);
}
