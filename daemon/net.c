// SPDX-License-Identifier: GPL-2.0
/*
 * net.c - the addresses the daemon listens on: "ADDR:PORT" as the user
 * wrote it (numeric IPv4, [IPv6], localhost), whether it is loopback, and
 * the listening socket itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

static bool addr_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

int dlisten__parse(struct dlisten *l, const char *text, const char *opt, struct err *err)
{
	char host[64];
	const char *colon, *port;
	size_t hl;
	u64 p;

	memset(l, 0, sizeof(*l));
	snprintf(l->text, sizeof(l->text), "%s", text);
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			goto bad;
		hl = (size_t)(close - text - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, text + 1, hl);
		port = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon)
			goto bad;
		hl = (size_t)(colon - text);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, text, hl);
		port = colon + 1;
	}
	host[hl] = 0;
	if (parse_u64(port, &p) || !p || p > 65535)
		goto bad;
	if (!host[0] || !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (text[0] == '[') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&l->addr;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((u16)p);
		l->len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&l->addr;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			goto bad;
		in->sin_family = AF_INET;
		in->sin_port = htons((u16)p);
		l->len = sizeof(*in);
	}
	l->loopback = addr_is_loopback(&l->addr);
	return 0;
bad:
	err_set(err, EXIT_USAGE, "invalid address '%s %s'", opt, text);
	err_hint(err, "give ADDR:PORT with a numeric address: 127.0.0.1:12307, [::1]:12307, "
		      "0.0.0.0:12307");
	return -1;
}

int dlisten__open(const struct dlisten *l, struct err *err)
{
	int one = 1;
	int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT means IPv6 only; 0.0.0.0 is asked for separately */
	if (l->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&l->addr, l->len) || listen(fd, 1024))
		goto fail;
	return fd;
fail:
	err_set(err, EXIT_FAIL, "cannot listen on '%s': %s", l->text, strerror(errno));
	if (errno == EADDRINUSE)
		err_hint(err, "another daemon (lepd, perf-prof daemon) may hold the port; "
			      "choose another with --listen/--http");
	if (fd >= 0)
		close(fd);
	return -1;
}
