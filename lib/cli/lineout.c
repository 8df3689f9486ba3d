// SPDX-License-Identifier: GPL-2.0
/*
 * lineout.c - whole lines to a shared stdout. A workload perf-prof starts
 * writes to the same stdout (a file or a pipe) as perf-prof. A stdio
 * buffer that is flushed when it fills ends in the middle of a line, and
 * the workload's own write can then land between the line's two halves:
 * "getppid() =sysmix done". The stream made here passes only whole lines
 * to write(2) and keeps a partial last line until a later flush completes
 * it, the line grows past LINEOUT_MAX, or the stream closes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cli.h"

/* a line longer than this (one JSON report) is written in pieces */
#define LINEOUT_MAX (1u << 20)

struct lineout {
	int fd;
	char *carry;	/* the partial line not written yet */
	size_t len, cap;
};

/* write @iov whole, through short writes and signals */
static int lineout__writev(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int lineout__keep(struct lineout *lo, const char *buf, size_t n)
{
	if (lo->len + n > lo->cap) {
		size_t cap = lo->cap ? lo->cap : 4096;
		char *p;

		while (cap < lo->len + n)
			cap *= 2;
		p = realloc(lo->carry, cap);
		if (!p)
			return -1;
		lo->carry = p;
		lo->cap = cap;
	}
	memcpy(lo->carry + lo->len, buf, n);
	lo->len += n;
	return 0;
}

static ssize_t lineout__write(void *cookie, const char *buf, size_t n)
{
	struct lineout *lo = cookie;
	const char *nl = n ? memrchr(buf, '\n', n) : NULL;
	size_t whole = nl ? (size_t)(nl - buf) + 1 : 0;
	struct iovec iov[2] = {
		{ lo->carry, lo->len },
		{ (void *)buf, whole },
	};

	if (!nl && lo->len + n <= LINEOUT_MAX)
		return lineout__keep(lo, buf, n) ? -1 : (ssize_t)n;
	if (!nl)
		whole = n;	/* too long a line: out it goes, in pieces */
	iov[1].iov_len = whole;
	if (lineout__writev(lo->fd, iov, 2))
		return -1;
	lo->len = 0;
	if (whole < n && lineout__keep(lo, buf + whole, n - whole))
		return -1;
	return (ssize_t)n;
}

static int lineout__close(void *cookie)
{
	struct lineout *lo = cookie;
	struct iovec iov = { lo->carry, lo->len };
	int ret = lo->len ? lineout__writev(lo->fd, &iov, 1) : 0;

	free(lo->carry);
	free(lo);
	return ret;
}

static FILE *lineout__make(int fd, size_t bufsize, struct lineout **state)
{
	static const cookie_io_functions_t io = {
		.write = lineout__write,
		.close = lineout__close,
	};
	struct lineout *lo = calloc(1, sizeof(*lo));
	FILE *f;

	if (!lo)
		return NULL;
	lo->fd = fd;
	f = fopencookie(lo, "w", io);
	if (!f) {
		free(lo);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, bufsize);
	if (state)
		*state = lo;
	return f;
}

FILE *lineout__open(int fd, size_t bufsize)
{
	return lineout__make(fd, bufsize, NULL);
}

static struct lineout *lineout_std;

/* exit() flushes streams but does not close them: the partial line goes here */
static void lineout__atexit(void)
{
	struct iovec iov;

	fflush(stdout);
	if (!lineout_std->len)
		return;
	iov.iov_base = lineout_std->carry;
	iov.iov_len = lineout_std->len;
	if (!lineout__writev(lineout_std->fd, &iov, 1))
		lineout_std->len = 0;
}

int lineout__stdout(void)
{
	FILE *f;

	fflush(stdout);
	f = lineout__make(STDOUT_FILENO, 1 << 16, &lineout_std);
	if (!f)
		return -ENOMEM;
	stdout = f;
	atexit(lineout__atexit);
	return 0;
}
