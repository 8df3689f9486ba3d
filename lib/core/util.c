// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - error reports, strict parsers for numbers and durations, file
 * slurping and start-up allocation helpers, names made safe for text output
 * (UTF-8 checked, control bytes escaped) and the "did you mean" suggester.
 * Only text_name()/text_fput() run per event: they never allocate.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/*
 * fit_middle - @src (@len bytes) into @dst (@size bytes, NUL included):
 * whole when it fits, else its start and its end around " ... ", the end
 * larger since that is where a message says why. Cuts fall between UTF-8
 * characters.
 */
static void fit_middle(char *dst, size_t size, const char *src, size_t len)
{
	static const char mid[] = " ... ";
	size_t head, tail;

	if (!size)
		return;
	if (len < size) {
		memcpy(dst, src, len);
		dst[len] = '\0';
		return;
	}
	if (size < sizeof(mid) + 2) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return;
	}
	head = (size - sizeof(mid)) * 2 / 5;
	tail = size - sizeof(mid) - head;
	while (head && ((unsigned char)src[head] & 0xc0) == 0x80)
		head--;
	while (tail && ((unsigned char)src[len - tail] & 0xc0) == 0x80)
		tail--;
	memcpy(dst, src, head);
	memcpy(dst + head, mid, sizeof(mid) - 1);
	memcpy(dst + head + sizeof(mid) - 1, src + len - tail, tail);
	dst[head + sizeof(mid) - 1 + tail] = '\0';
}

/* vfit - format into @dst (@size bytes) through fit_middle() */
static void vfit(char *dst, size_t size, const char *fmt, va_list ap)
{
	char *full = NULL;
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vasprintf(&full, fmt, cp);
	va_end(cp);
	if (n < 0) {
		/* no memory for the whole text: its start is still worth saying */
		vsnprintf(dst, size, fmt, ap);
		return;
	}
	fit_middle(dst, size, full, (size_t)n);
	free(full);
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code;
	e->hint[0] = '\0';
	e->detail[0] = '\0';
	va_start(ap, fmt);
	vfit(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void err_hint(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vfit(e->hint, sizeof(e->hint), fmt, ap);
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
	char *pre = NULL, *full;
	va_list ap;
	int n;

	if (!e)
		return;
	va_start(ap, fmt);
	n = vasprintf(&pre, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	full = xasprintf("%s: %s", pre, e->msg);
	fit_middle(e->msg, sizeof(e->msg), full, strlen(full));
	free(full);
	free(pre);
}

/* the echo of a long argument is a window of this many bytes around the column */
#define CARET_WINDOW 160

void err_caret(struct err *err, const char *arg, int col)
{
	char line[CARET_WINDOW + 8], caret[CARET_WINDOW + 8];
	const char *p, *from, *to;
	size_t n = 0, c = 0, len;

	if (!err || !arg)
		return;
	len = strlen(arg);
	if (col < 0)
		col = 0;
	if ((size_t)col > len)
		col = (int)len;
	from = arg;
	to = arg + len;
	/*
	 * Both lines must fit in err->detail whole, or the caret is the part
	 * cut off: a long argument is shown as "..." and a window around @col.
	 */
	if (len > CARET_WINDOW) {
		size_t b = (size_t)col > CARET_WINDOW / 2 ? (size_t)col - CARET_WINDOW / 2 : 0;

		if (b + CARET_WINDOW > len)
			b = len - CARET_WINDOW;
		from = arg + b;
		to = from + CARET_WINDOW;
	}
	if (from > arg) {
		memcpy(line, "...", 3);
		memcpy(caret, "   ", 3);
		n = c = 3;
	}
	/*
	 * Echo the argument with control characters made visible so the two
	 * lines stay aligned; tabs are copied to the caret line and UTF-8
	 * continuation bytes take no column, so the caret lands under the
	 * right glyph in a terminal.
	 */
	for (p = from; p < to; p++) {
		unsigned char ch = (unsigned char)*p;

		line[n++] = (ch < 0x20 && ch != '\t') || ch == 0x7f ? '?' : (char)ch;
		if (p - arg >= col || (ch & 0xc0) == 0x80)
			continue;
		caret[c++] = ch == '\t' ? '\t' : ' ';
	}
	if (to < arg + len) {
		memcpy(line + n, "...", 3);
		n += 3;
	}
	line[n] = '\0';
	caret[c++] = '^';
	caret[c] = '\0';
	err_detail(err, "  %s", line);
	err_detail(err, "  %s", caret);
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

bool str_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

char *str_elide(char *buf, size_t size, const char *s, size_t max)
{
	size_t len = strlen(s);

	if (max + 1 < size)
		size = max + 1;
	fit_middle(buf, size, s, len);
	return buf;
}

size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = n ? s[0] : 0;
	u32 cp, min;
	size_t len;

	if (!n)
		return 0;
	if (c < 0x80)
		return 1;
	if (c < 0xc2)		/* a continuation byte, or an overlong 2-byte form */
		return 0;
	if (c < 0xe0) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if (c < 0xf0) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c < 0xf5) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * text_char - the character at @s (@n bytes left) in text output: returns
 * how many bytes it takes and, in @esc, how it is shown when that is not as
 * is ("" otherwise)
 */
static size_t text_char(const unsigned char *s, size_t n, bool words, char esc[5])
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = s[0];
	size_t len = 1;

	esc[0] = '\0';
	switch (c) {
	case '\\': memcpy(esc, "\\\\", 3); return 1;
	case '\t': memcpy(esc, "\\t", 3); return 1;
	case '\n': memcpy(esc, "\\n", 3); return 1;
	case '\r': memcpy(esc, "\\r", 3); return 1;
	default: break;
	}
	if (c == ' ' && !words)
		return 1;
	if (c > ' ' && c < 0x7f)
		return 1;
	if (c >= 0x80)
		len = utf8_len(s, n);
	if (len && c >= 0x80)
		return len;
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[c >> 4];
	esc[3] = hex[c & 15];
	esc[4] = '\0';
	return 1;
}

char *text_escape(char *buf, size_t size, const char *s, size_t len, bool words)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!size)
		return buf;
	for (size_t i = 0; i < len && p[i];) {
		char esc[5];
		size_t k = text_char(p + i, len - i, words, esc);
		size_t w = esc[0] ? strlen(esc) : k;

		if (o + w >= size)
			break;
		memcpy(buf + o, esc[0] ? esc : (const char *)p + i, w);
		o += w;
		i += k;
	}
	buf[o] = '\0';
	return buf;
}

const char *text_name(const char *s, char *buf, size_t size)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == '\\' || *p >= 0x7f)
			return text_escape(buf, size, s, strlen(s), true);
	return s;
}

void text_fput(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, plain = 0;

	/* the common case, printable ASCII to the end: one write, no decoding */
	while (i < len && p[i] >= ' ' && p[i] < 0x7f && p[i] != '\\')
		i++;
	if (i == len || !p[i]) {
		fwrite(p, 1, i, out);
		return;
	}
	/* runs of characters shown as they are go out in one write */
	while (i < len && p[i]) {
		char esc[5];
		size_t k = text_char(p + i, len - i, false, esc);

		if (esc[0]) {
			fwrite(p + plain, 1, i - plain, out);
			fputs(esc, out);
			plain = i + k;
		}
		i += k;
	}
	fwrite(p + plain, 1, i - plain, out);
}

int str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int rows[3][256], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > 255 || lb > 255)
		return INT_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int *t;

		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + (a[i - 1] != b[j - 1]) < v)
				v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			/* two neighbours swapped: one edit */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *str_suggest(const char *word, const char *const *cands, int n)
{
	size_t len = strlen(word);
	int limit = len <= 4 ? 1 : len <= 8 ? 2 : 3, best_d = limit + 1;
	const char *best = NULL;

	for (int i = 0; n < 0 ? cands[i] != NULL : i < n; i++) {
		int d;

		if (!cands[i])
			continue;
		d = str_distance(word, cands[i]);
		if (d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
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
