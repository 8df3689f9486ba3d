// SPDX-License-Identifier: GPL-2.0
/*
 * tcp.c - the raw-TCP JSON-RPC side: lepd's framing (one JSON object after
 * another, no delimiter) over non-blocking sockets in the daemon's epoll.
 *
 * Bounds, all from struct dlimits: a request larger than max_request is
 * refused; a request must arrive whole within request_ms of its first byte
 * (slowloris); a connection with nothing to do closes after idle_ms, and so
 * does one whose peer stops reading; at most max_inflight requests of a
 * connection are answered at once and a connection with max_outq bytes
 * queued is not read, so a client that never reads costs bounded memory;
 * at max_conns the longest-idle connection makes room for a new one.
 * Replies go out in request order (pipelining), each in one send().
 * Blocking methods run on the pool; their deadline is method_ms.
 */
#include <cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"

#define TICK_MS 100
#define READ_CHUNK 16384

struct conn;

/* one request's place in the reply order */
struct reply {
	struct reply *next;
	char *data;
	size_t len, off;
	bool ready;
	u64 deadline;
	struct tjob *job;	/* running on a worker, or NULL */
};

/* a job of the pool, and where its answer goes */
struct tjob {
	struct job job;
	char *data;		/* the reply's bytes, built on the worker */
	size_t n;
	struct tcp_server *srv;
	struct conn *conn;
	struct reply *reply;	/* NULL once the deadline answered for it */
	char id[64];
	struct tjob *next_done;
	struct tjob *next_all, *prev_all;
};

struct conn {
	struct dsrc src;
	int fd;
	u32 events;		/* the epoll mask set now */
	char *in;
	size_t in_len;
	u64 first_byte;		/* when the pending partial request began, 0 if none */
	u64 active;		/* last read or write progress */
	struct reply *head, *tail;
	int nr_replies;
	size_t outq;
	bool eof;		/* the peer will send nothing more */
	bool closing;		/* close once the replies are out */
	bool dead;		/* closed; kept until its jobs come back */
	int jobs;
	struct conn *prev, *next;	/* by activity, oldest first */
	struct conn *next_dead;	/* on the server's list to free after the epoll batch */
};

struct listener {
	struct dsrc src;
	int fd;
};

struct tcp_server {
	int epfd;
	const struct dlimits *lim;
	struct listener *ls;
	int nr_ls;
	struct dsrc done_src;
	int donefd;
	struct dsrc timer_src;
	int timerfd;
	struct conn *oldest, *newest;
	struct conn *dead;	/* closed, no job left: freed by tcp__reap() */
	int nr_conns;
	pthread_mutex_t done_lock;
	struct tjob *done;
	struct tjob *all_jobs;
};

/* --------------------------------------------------------------- helpers */

static void conn_unlink(struct tcp_server *srv, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		srv->newest = c->prev;
	c->prev = c->next = NULL;
}

static void conn_append(struct tcp_server *srv, struct conn *c)
{
	c->prev = srv->newest;
	c->next = NULL;
	if (srv->newest)
		srv->newest->next = c;
	else
		srv->oldest = c;
	srv->newest = c;
}

static void conn_touch(struct tcp_server *srv, struct conn *c)
{
	c->active = now_ns();
	if (srv->newest != c) {
		conn_unlink(srv, c);
		conn_append(srv, c);
	}
}

static void conn_free(struct conn *c)
{
	struct reply *r, *n;

	for (r = c->head; r; r = n) {
		n = r->next;
		free(r->data);
		free(r);
	}
	free(c->in);
	free(c);
}

/*
 * A closed connection may still be named by an event later in the epoll batch being handled
 * (a tick drops an idle connection whose bytes arrived in the same batch): it is freed only
 * when the batch is over, by tcp__reap().
 */
static void conn_release(struct tcp_server *srv, struct conn *c)
{
	c->next_dead = srv->dead;
	srv->dead = c;
}

static void conn_close(struct tcp_server *srv, struct conn *c)
{
	if (c->dead)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	conn_unlink(srv, c);
	srv->nr_conns--;
	dstat_dec(conns_open);
	/* replies whose job still runs: the job finds its connection dead */
	for (struct reply *r = c->head; r; r = r->next)
		if (r->job)
			r->job->reply = NULL;
	if (!c->jobs)
		conn_release(srv, c);
}

static void conn_drop(struct tcp_server *srv, struct conn *c)
{
	dstat_inc(conns_dropped);
	conn_close(srv, c);
}

static void conn_set_events(struct tcp_server *srv, struct conn *c, u32 events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &c->src };

	if (c->dead || c->events == events)
		return;
	c->events = events;
	epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static struct reply *reply_new(struct conn *c)
{
	struct reply *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (c->tail)
		c->tail->next = r;
	else
		c->head = r;
	c->tail = r;
	c->nr_replies++;
	return r;
}

static void reply_set(struct conn *c, struct reply *r, char *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->ready = true;
	c->outq += r->len;
}

static void reply_error(struct conn *c, struct reply *r, int code, const char *msg, const char *id)
{
	size_t n = 0;
	char *data = rpc__reply_error(code, msg, id, &n);

	dstat_inc(rpc_errors);
	reply_set(c, r, data, n);
}

/* an error that ends the connection once it is sent (framing is lost) */
static void conn_fatal(struct conn *c, int code, const char *msg)
{
	struct reply *r = reply_new(c);

	if (r)
		reply_error(c, r, code, msg, "");
	c->closing = true;
	c->in_len = 0;
}

/* ------------------------------------------------------------- replies */

static void conn_pump(struct tcp_server *srv, struct conn *c);

/* write the replies that are ready, in order; false when the socket is full */
static bool conn_flush(struct tcp_server *srv, struct conn *c)
{
	while (c->head && c->head->ready) {
		struct reply *r = c->head;

		while (r->off < r->len) {
			ssize_t n = send(c->fd, r->data + r->off, r->len - r->off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return false;
			if (n <= 0) {
				conn_close(srv, c);
				return false;
			}
			r->off += (size_t)n;
			c->outq -= (size_t)n;
			c->active = now_ns();
		}
		c->head = r->next;
		if (!c->head)
			c->tail = NULL;
		c->nr_replies--;
		free(r->data);
		free(r);
	}
	return true;
}

/* on the worker: the reply's bytes are made there too, off the event loop */
static void tjob_done(struct job *job)
{
	struct tjob *tj = (struct tjob *)job;
	struct tcp_server *srv = tj->srv;
	u64 one = 1;

	if (!job->rc)
		tj->data = rpc__reply_result(job->buf, job->len, tj->id, &tj->n);
	if (job->rc || !tj->data) {
		dstat_inc(rpc_errors);
		tj->data = rpc__reply_error(job->rc ? job->call.code : MERR_FAIL,
					    job->rc ? job->call.msg : "out of memory", tj->id, &tj->n);
	}

	pthread_mutex_lock(&srv->done_lock);
	tj->next_done = srv->done;
	srv->done = tj;
	pthread_mutex_unlock(&srv->done_lock);
	if (write(srv->donefd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the loop is already due to look */
	}
}

static void tjob_free(struct tcp_server *srv, struct tjob *tj)
{
	if (tj->prev_all)
		tj->prev_all->next_all = tj->next_all;
	else
		srv->all_jobs = tj->next_all;
	if (tj->next_all)
		tj->next_all->prev_all = tj->prev_all;
	cJSON_Delete(tj->job.call.params);
	free(tj->job.buf);
	free(tj->data);
	free(tj);
}

static void tjob_finish(struct tcp_server *srv, struct tjob *tj)
{
	struct conn *c = tj->conn;
	struct reply *r = tj->reply;

	c->jobs--;
	if (r) {
		r->job = NULL;
		if (tj->data) {
			reply_set(c, r, tj->data, tj->n);
			tj->data = NULL;
		} else {
			reply_error(c, r, MERR_FAIL, "out of memory", tj->id);
		}
	}
	tjob_free(srv, tj);
	if (c->dead) {
		if (!c->jobs)
			conn_release(srv, c);
		return;
	}
	conn_pump(srv, c);
}

static void tcp_done(struct tcp_server *srv)
{
	struct tjob *list, *next;
	u64 n;

	if (read(srv->donefd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing new; the list decides */
	}
	pthread_mutex_lock(&srv->done_lock);
	list = srv->done;
	srv->done = NULL;
	pthread_mutex_unlock(&srv->done_lock);
	for (; list; list = next) {
		next = list->next_done;
		tjob_finish(srv, list);
	}
}

/* ------------------------------------------------------------ requests */

static void conn_call(struct tcp_server *srv, struct conn *c, struct rpc_req *req)
{
	const struct method *m = method__find(req->method);
	struct reply *r = reply_new(c);
	char id[64];

	if (!r) {
		conn_fatal(c, MERR_FAIL, "out of memory");
		return;
	}
	rpc__id_text(req->id, id, sizeof(id));
	dstat_inc(rpc_requests);
	if (!m) {
		reply_error(c, r, MERR_NO_METHOD, "Method not found.", id);
		return;
	}
	if (m->flags & METHOD_BLOCKING) {
		struct tjob *tj = calloc(1, sizeof(*tj));

		if (!tj) {
			reply_error(c, r, MERR_FAIL, "out of memory", id);
			return;
		}
		tj->srv = srv;
		tj->conn = c;
		tj->reply = r;
		snprintf(tj->id, sizeof(tj->id), "%s", id);
		tj->job.m = m;
		tj->job.max = srv->lim->max_reply;
		tj->job.done = tjob_done;
		tj->job.call.params = req->params;
		req->params = NULL;
		if (pool__submit(&tj->job)) {
			cJSON_Delete(tj->job.call.params);
			free(tj);
			reply_error(c, r, MERR_BUSY, "the daemon is busy: every worker is taken", id);
			return;
		}
		tj->next_all = srv->all_jobs;
		if (srv->all_jobs)
			srv->all_jobs->prev_all = tj;
		srv->all_jobs = tj;
		r->job = tj;
		r->deadline = now_ns() + srv->lim->method_ms * 1000000ULL;
		c->jobs++;
		return;
	}
	{
		struct mcall call = { .params = req->params };
		char *buf, *data;
		size_t len, n = 0;

		if (method__run_text(m, &call, srv->lim->max_reply, &buf, &len)) {
			reply_error(c, r, call.code, call.msg, id);
			return;
		}
		data = rpc__reply_result(buf, len, id, &n);
		free(buf);
		if (data)
			reply_set(c, r, data, n);
		else
			reply_error(c, r, MERR_FAIL, "out of memory", id);
	}
}

static bool conn_can_take(const struct tcp_server *srv, const struct conn *c)
{
	return !c->dead && !c->closing && c->nr_replies < srv->lim->max_inflight &&
	       c->outq < srv->lim->max_outq;
}

/* decode and start what the input buffer holds, as far as the bounds allow */
static void conn_parse(struct tcp_server *srv, struct conn *c)
{
	size_t used = 0, ws = 0;

	while (conn_can_take(srv, c) && used < c->in_len) {
		struct rpc_req req;
		const char *why;
		size_t len;
		int e;

		switch (rpc__scan(c->in + used, c->in_len - used, &len)) {
		case RPC_NEED_MORE:
			goto out;
		case RPC_GARBAGE:
			dstat_inc(rpc_requests);
			conn_fatal(c, MERR_PARSE, "Parse error.");
			return;
		case RPC_VALUE:
			break;
		}
		e = rpc__parse(c->in + used, len, &req, &why);
		used += len;
		dstat_inc(rpc_requests);
		if (e == MERR_PARSE) {
			rpc__req_free(&req);
			conn_fatal(c, MERR_PARSE, why);
			return;
		}
		if (e) {
			struct reply *r = reply_new(c);

			if (r)
				reply_error(c, r, e, why, "");
			rpc__req_free(&req);
			continue;
		}
		conn_call(srv, c, &req);
		rpc__req_free(&req);
	}
out:
	/* whitespace between requests is no pending request */
	while (used + ws < c->in_len && strchr(" \t\r\n", c->in[used + ws]))
		ws++;
	used += ws;
	if (used) {
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->first_byte = 0;
	}
	if (c->in_len && !c->first_byte)
		c->first_byte = now_ns();
	if (c->in_len > srv->lim->max_request)
		conn_fatal(c, MERR_INVALID, "Request too large.");
}

/*
 * Move a connection on: write what is ready, take new requests while the
 * bounds allow (inline methods answer at once, so loop), then wait for
 * the socket in the direction that is needed.
 */
static void conn_pump(struct tcp_server *srv, struct conn *c)
{
	bool writable;

	for (;;) {
		writable = conn_flush(srv, c);
		if (c->dead)
			return;
		if (!writable)
			break;
		conn_parse(srv, c);
		if (!(c->head && c->head->ready))
			break;
	}
	if (!c->head && (c->closing || (c->eof && !c->in_len))) {
		conn_close(srv, c);
		return;
	}
	conn_set_events(srv, c, (!writable ? EPOLLOUT : 0) |
				       (conn_can_take(srv, c) && !c->eof ? EPOLLIN : 0));
}

static void conn_read(struct tcp_server *srv, struct conn *c)
{
	size_t room;
	ssize_t n;

	/* one byte past the cap is enough to know a request is too large */
	room = srv->lim->max_request + 1 - (c->in_len < srv->lim->max_request + 1 ? c->in_len : srv->lim->max_request + 1);
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	if (!room) {
		conn_pump(srv, c);
		return;
	}
	n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		conn_close(srv, c);
		return;
	}
	if (n == 0) {
		c->eof = true;
		if (!c->head && !c->in_len) {
			conn_close(srv, c);
			return;
		}
	}
	c->in_len += (size_t)n;
	conn_touch(srv, c);
	conn_pump(srv, c);
}

/* ---------------------------------------------------------- connections */

static void tcp_accept(struct tcp_server *srv, struct listener *l)
{
	for (int i = 0; i < 64; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct conn *c;
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		dstat_inc(conns_accepted);
		/* full: the connection idle the longest makes room */
		if (srv->nr_conns >= srv->lim->max_conns && srv->oldest)
			conn_drop(srv, srv->oldest);
		c = calloc(1, sizeof(*c));
		if (c)
			c->in = malloc(srv->lim->max_request + 1);
		if (!c || !c->in) {
			if (c)
				free(c);
			dstat_inc(conns_dropped);
			close(fd);
			continue;
		}
		c->src.kind = DSRC_CONN;
		c->fd = fd;
		c->events = EPOLLIN;
		ev.data.ptr = &c->src;
		if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			dstat_inc(conns_dropped);
			close(fd);
			conn_free(c);
			continue;
		}
		srv->nr_conns++;
		dstat_inc(conns_open);
		conn_append(srv, c);
		c->active = now_ns();
	}
}

/* every tick: deadlines of methods, idle and stalled connections */
static void tcp_tick(struct tcp_server *srv)
{
	u64 now = now_ns(), n;
	struct conn *c, *next;

	if (read(srv->timerfd, &n, sizeof(n)) < 0) {
		/* EAGAIN: a spurious wake-up */
	}
	for (c = srv->oldest; c; c = next) {
		bool late = false;

		next = c->next;
		for (struct reply *r = c->head; r; r = r->next) {
			if (r->ready || !r->deadline || now < r->deadline)
				continue;
			/* the worker goes on; its result will be dropped */
			r->job->reply = NULL;
			r->job = NULL;
			dstat_inc(method_timeouts);
			reply_error(c, r, MERR_TIMEOUT, "the method took too long", "");
			late = true;
		}
		if (late) {
			conn_pump(srv, c);
			if (c->dead)
				continue;
		}
		/* a request trickling in (slowloris); not when it is we who wait */
		if (c->first_byte && conn_can_take(srv, c) && now - c->first_byte > srv->lim->request_ms * 1000000ULL) {
			conn_drop(srv, c);
			continue;
		}
		/* nothing happening for idle_ms: no request, or a peer that stopped reading */
		if (now - c->active > srv->lim->idle_ms * 1000000ULL && !c->jobs)
			conn_drop(srv, c);
	}
}

void tcp__event(struct tcp_server *srv, struct dsrc *src, u32 events)
{
	struct conn *c;

	switch (src->kind) {
	case DSRC_LISTEN:
		tcp_accept(srv, (struct listener *)src);
		return;
	case DSRC_DONE:
		tcp_done(srv);
		return;
	case DSRC_TIMER:
		tcp_tick(srv);
		return;
	case DSRC_CONN:
		break;
	default:
		return;
	}
	c = (struct conn *)src;
	if (c->dead)		/* closed earlier in this batch */
		return;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(srv, c);
	else if (events & EPOLLOUT)
		conn_pump(srv, c);
}

void tcp__reap(struct tcp_server *srv)
{
	while (srv->dead) {
		struct conn *c = srv->dead;

		srv->dead = c->next_dead;
		conn_free(c);
	}
}

/* ------------------------------------------------------------ lifetime */

static int tcp_add(struct tcp_server *srv, int fd, struct dsrc *src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev);
}

struct tcp_server *tcp__start(int epfd, const int *fds, int nr, const struct dlimits *lim,
			      struct err *err)
{
	struct tcp_server *srv = calloc(1, sizeof(*srv));
	struct itimerspec its = {
		.it_interval = { 0, TICK_MS * 1000000L },
		.it_value = { 0, TICK_MS * 1000000L },
	};

	if (!srv) {
		err_set(err, EXIT_FAIL, "out of memory");
		return NULL;
	}
	srv->epfd = epfd;
	srv->lim = lim;
	srv->donefd = srv->timerfd = -1;
	pthread_mutex_init(&srv->done_lock, NULL);
	srv->ls = calloc((size_t)nr, sizeof(*srv->ls));
	if (!srv->ls)
		goto fail_errno;
	for (int i = 0; i < nr; i++) {
		srv->ls[i].src.kind = DSRC_LISTEN;
		srv->ls[i].fd = fds[i];
		srv->nr_ls++;
		if (tcp_add(srv, fds[i], &srv->ls[i].src))
			goto fail_errno;
	}
	srv->done_src.kind = DSRC_DONE;
	srv->donefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->donefd < 0 || tcp_add(srv, srv->donefd, &srv->done_src))
		goto fail_errno;
	srv->timer_src.kind = DSRC_TIMER;
	srv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (srv->timerfd < 0 || timerfd_settime(srv->timerfd, 0, &its, NULL) ||
	    tcp_add(srv, srv->timerfd, &srv->timer_src))
		goto fail_errno;
	return srv;
fail_errno:
	err_set(err, EXIT_FAIL, "cannot set up the json-rpc server: %s", strerror(errno));
	tcp__stop(srv, true);
	return NULL;
}

void tcp__stop(struct tcp_server *srv, bool free_jobs)
{
	if (!srv)
		return;
	while (srv->oldest)
		conn_close(srv, srv->oldest);
	/* the pool is stopped: finished jobs are freed with their connections */
	if (free_jobs) {
		while (srv->all_jobs) {
			struct tjob *tj = srv->all_jobs;
			struct conn *c = tj->conn;

			tjob_free(srv, tj);
			if (--c->jobs == 0 && c->dead)
				conn_release(srv, c);
		}
	}
	tcp__reap(srv);
	for (int i = 0; i < srv->nr_ls; i++)
		close(srv->ls[i].fd);
	if (srv->donefd >= 0)
		close(srv->donefd);
	if (srv->timerfd >= 0)
		close(srv->timerfd);
	pthread_mutex_destroy(&srv->done_lock);
	free(srv->ls);
	free(srv);
}
