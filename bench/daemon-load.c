// SPDX-License-Identifier: GPL-2.0
/*
 * daemon-load.c - a load generator for lepd's wire protocol (perf-prof
 * daemon, or lepd itself): C clients, one thread and one connection each,
 * lock-step like LEP's client (send one request, read its whole reply, send
 * the next), for a fixed time. Prints requests/s and latency percentiles.
 *
 *   daemon-load HOST PORT METHOD CLIENTS SECONDS
 *
 * A reply is complete at the terminator's closing quote followed by "\n}"
 * (lepd writes its final "\n" separately: it is skipped before the next).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LAT (1 << 22)

struct client {
	pthread_t t;
	const char *host;
	int port;
	char req[256];
	size_t req_len;
	double secs;
	unsigned long n, errors, cap;
	double *lat;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* read one reply; @buf keeps what came after it; returns 0 or -1 */
static int read_reply(int fd, char *buf, size_t cap, size_t *have)
{
	static const char term[] = "lepdendstring\"";

	for (;;) {
		char *t = memmem(buf, *have, term, sizeof(term) - 1);
		char *end = t ? memmem(t, *have - (size_t)(t - buf), "\n}", 2) : NULL;
		ssize_t r;

		if (end) {
			size_t used = (size_t)(end + 2 - buf);

			/* skip the separately written newline(s) of the previous reply */
			while (used < *have && buf[used] == '\n')
				used++;
			memmove(buf, buf + used, *have - used);
			*have -= used;
			return 0;
		}
		if (*have == cap)
			return -1;
		r = read(fd, buf + *have, cap - *have);
		if (r <= 0)
			return -1;
		*have += (size_t)r;
	}
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	size_t cap = 1 << 22, have = 0;
	char *buf = malloc(cap);
	int fd = connect_to(c->host, c->port);
	double end = now() + c->secs;

	if (fd < 0 || !buf) {
		c->errors++;
		free(buf);
		return NULL;
	}
	while (now() < end) {
		double t0 = now();

		if (write(fd, c->req, c->req_len) != (ssize_t)c->req_len ||
		    read_reply(fd, buf, cap, &have)) {
			c->errors++;
			break;
		}
		if (c->n < c->cap)
			c->lat[c->n] = now() - t0;
		c->n++;
	}
	close(fd);
	free(buf);
	return NULL;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct client *cl;
	unsigned long total = 0, errors = 0, k = 0;
	double *all, t0, el;
	int n;

	if (argc != 6) {
		fprintf(stderr, "usage: daemon-load HOST PORT METHOD CLIENTS SECONDS\n");
		return 129;
	}
	n = atoi(argv[4]);
	if (n < 1 || n > 1000)
		return 129;
	cl = calloc((size_t)n, sizeof(*cl));
	for (int i = 0; i < n; i++) {
		cl[i].host = argv[1];
		cl[i].port = atoi(argv[2]);
		cl[i].secs = atof(argv[5]);
		/* the bytes LEP's client sends */
		cl[i].req_len = (size_t)snprintf(cl[i].req, sizeof(cl[i].req), "{\"method\": \"%s\"}",
						 argv[3]);
		cl[i].cap = MAX_LAT / (unsigned long)n;
		cl[i].lat = malloc(cl[i].cap * sizeof(double));
	}
	t0 = now();
	for (int i = 0; i < n; i++)
		pthread_create(&cl[i].t, NULL, client_main, &cl[i]);
	for (int i = 0; i < n; i++) {
		pthread_join(cl[i].t, NULL);
		total += cl[i].n;
		errors += cl[i].errors;
	}
	el = now() - t0;
	all = malloc((total + 1) * sizeof(double));
	for (int i = 0; i < n; i++)
		for (unsigned long j = 0; j < cl[i].n && j < cl[i].cap; j++)
			all[k++] = cl[i].lat[j];
	qsort(all, k, sizeof(double), dcmp);
	printf("%s clients=%d requests=%lu errors=%lu req/s=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	       argv[3], n, total, errors, (double)total / el, k ? all[k / 2] * 1e3 : 0,
	       k ? all[(size_t)((double)k * 0.99)] * 1e3 : 0, k ? all[k - 1] * 1e3 : 0);
	return errors ? 1 : 0;
}
