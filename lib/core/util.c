// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - error reports, strict parsers for numbers and durations, file
 * slurping and start-up allocation helpers. Nothing here is on the hot path.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code;
	e->hint[0] = '\0';
	e->detail[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void err_hint(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
}

void err_detail(struct err *e, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	if (!e)
		return;
	len = strlen(e->detail);
	if (len + 2 >= sizeof(e->detail))
		return;
	va_start(ap, fmt);
	vsnprintf(e->detail + len, sizeof(e->detail) - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(e->detail);
	if (len && e->detail[len - 1] != '\n' && len + 1 < sizeof(e->detail)) {
		e->detail[len] = '\n';
		e->detail[len + 1] = '\0';
	}
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[sizeof(e->msg)];
	size_t pl, ml;
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	pl = strlen(pre);
	if (pl + 3 >= sizeof(e->msg))
		return;
	ml = strnlen(e->msg, sizeof(e->msg) - pl - 3);
	memmove(e->msg + pl + 2, e->msg, ml);
	memcpy(e->msg, pre, pl);
	e->msg[pl] = ':';
	e->msg[pl + 1] = ' ';
	e->msg[pl + 2 + ml] = '\0';
}

void err_print(const struct err *e, const char *who)
{
	fflush(stdout);
	if (who && *who)
		fprintf(stderr, "perf-prof %s: %s\n", who, e->msg);
	else
		fprintf(stderr, "perf-prof: %s\n", e->msg);
	if (e->detail[0])
		fputs(e->detail, stderr);
	if (e->hint[0])
		fprintf(stderr, "hint: %s\n", e->hint);
}

static void oom(void)
{
	fputs("perf-prof: out of memory\n", stderr);
	exit(EXIT_FAIL);
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

int parse_u64(const char *s, u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_duration(const char *s, u64 *ns)
{
	static const struct {
		const char *unit;
		u64 mult;
	} units[] = {
		{ "", 1 }, { "ns", 1 }, { "us", 1000ULL }, { "ms", 1000000ULL },
		{ "s", 1000000000ULL },
	};
	u64 ip = 0, frac = 0, fdiv = 1;
	const char *p = s;
	int digits = 0;

	if (!s)
		return -1;
	for (; isdigit((unsigned char)*p); p++, digits++) {
		if (ip > (UINT64_MAX - 9) / 10)
			return -1;
		ip = ip * 10 + (u64)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits++) {
			if (fdiv < 1000000000ULL) {
				frac = frac * 10 + (u64)(*p - '0');
				fdiv *= 10;
			}
		}
	}
	if (!digits)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(p, units[i].unit))
			continue;
		if (ip > UINT64_MAX / units[i].mult)
			return -1;
		*ns = ip * units[i].mult + frac * units[i].mult / fdiv;
		return 0;
	}
	return -1;
}

char *read_file(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = xzalloc(cap);
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;

			free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

void proc_comm(int pid, int tid, char *buf, size_t size)
{
	char path[64];
	ssize_t n = 0;
	int fd;

	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

void wall_time_str(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	char tmp[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ld", tmp, (long)tv.tv_usec);
}
