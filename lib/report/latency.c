// SPDX-License-Identifier: GPL-2.0
/*
 * latency.c - the pieces multi-trace and num-dist share: numbers read from
 * samples (numsrc), statistics rows and their table (lattab), event lines
 * (evline) and the latency heatmap (raw points + SVG). See
 * include/latency.h for the contracts.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "callchain.h"
#include "stackmap.h"
#include "tasks.h"
#include "latency.h"
#include "report.h"
#include "tep.h"

/* ------------------------------------------------------------------ */
/* numsrc                                                               */
/* ------------------------------------------------------------------ */

/* the identifier @src is made of, surrounding blanks removed, or false */
static bool bare_name(const char *src, char *buf, size_t size)
{
	size_t n;

	while (*src == ' ' || *src == '\t')
		src++;
	n = strspn(src, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (!n || n >= size || (src[0] >= '0' && src[0] <= '9'))
		return false;
	memcpy(buf, src, n);
	buf[n] = '\0';
	for (src += n; *src; src++)
		if (*src != ' ' && *src != '\t')
			return false;
	return true;
}

int numsrc__init(struct numsrc *n, const char *src, struct tep_event *tp,
		 const struct run_env *env, const char *what, const char *who, struct err *err)
{
	struct tep_format_field *f;
	char name[128];

	memset(n, 0, sizeof(*n));
	if (!src) {
		n->kind = NUMSRC_TID;
		n->tid_like = true;
		return 0;
	}
	if (!*src)
		return err_set(err, EXIT_USAGE, "%s of '%s' needs an expression", what, who);
	/* compile even what is read directly: one set of error messages */
	n->expr = expr_compile(src, tp, err);
	if (!n->expr) {
		err_prefix(err, "%s%s of '%s'", what, src, who);
		return -1;
	}
	expr_bind(n->expr, env);
	if (expr_result_type(n->expr) != EXPR_INT) {
		err_set(err, EXIT_USAGE, "%s%s of '%s' is a string; a number is needed here", what,
			src, who);
		numsrc__exit(n);
		return -1;
	}
	n->kind = NUMSRC_EXPR;
	if (!bare_name(src, name, sizeof(name)))
		return 0;
	if (!strcmp(name, "_tid")) {
		n->kind = NUMSRC_TID;
		n->tid_like = true;
		return 0;
	}
	f = tp ? tep_find_any_field(tp, name) : NULL;
	if (f && field__scalar(&n->field, f)) {
		n->kind = NUMSRC_FIELD;
		/* tracepoints stamp common_pid with the current task's pid: the tid */
		n->tid_like = !strcmp(name, "common_pid");
	}
	return 0;
}

void numsrc__exit(struct numsrc *n)
{
	expr_free(n->expr);
	n->expr = NULL;
}

int numsrc__eval_expr(const struct numsrc *n, const struct prof_sample *s, s64 *out)
{
	struct expr_ctx ctx = {
		.raw = s->raw, .raw_size = s->raw_size, .cpu = s->cpu, .pid = s->pid,
		.tid = s->tid, .time = s->time, .period = s->period,
	};

	return expr_eval(n->expr, &ctx, out);
}

/* ------------------------------------------------------------------ */
/* lattab                                                               */
/* ------------------------------------------------------------------ */

#define LATTAB_MAX_IDS 65536u

struct lattab *lattab__new(unsigned nr_ids, bool perins, size_t max_rows)
{
	struct lattab *t;

	if (!nr_ids || nr_ids > LATTAB_MAX_IDS) {
		errno = EINVAL;
		return NULL;
	}
	t = xzalloc(sizeof(*t));
	t->nr_ids = nr_ids;
	t->perins = perins;
	if (perins) {
		t->tab = hashmap__new(sizeof(struct latrow), max_rows);
	} else {
		void *p = NULL;

		if (posix_memalign(&p, 64, nr_ids * sizeof(*t->rows))) {
			fprintf(stderr, "perf-prof: out of memory\n");
			exit(EXIT_FAIL);
		}
		t->rows = memset(p, 0, nr_ids * sizeof(*t->rows));
	}
	return t;
}

static void lattab__free_rows(struct lattab *t)
{
	size_t iter;
	struct latrow *r;

	if (!t->perins) {
		for (unsigned i = 0; i < t->nr_ids; i++)
			vstat__free(&t->rows[i].st);
		return;
	}
	hashmap__for_each(t->tab, iter, r)
		vstat__free(&r->st);
}

void lattab__delete(struct lattab *t)
{
	if (!t)
		return;
	lattab__free_rows(t);
	hashmap__free(t->tab);
	free(t->rows);
	free(t);
}

struct latrow *lattab__row_slow(struct lattab *t, u64 key)
{
	struct latrow *r = hashmap__get(t->tab, key);

	/* an insert may have moved every row: only this pointer is current */
	t->last = r;
	t->last_key = key;
	return r;
}

void lattab__reset(struct lattab *t)
{
	if (!t->perins) {
		for (unsigned i = 0; i < t->nr_ids; i++) {
			vstat__reset(&t->rows[i].st);
			t->rows[i].over = 0;
		}
		return;
	}
	/* instances come and go (threads): drop their rows, not just the values */
	lattab__free_rows(t);
	hashmap__reset(t->tab);
	t->last = NULL;
}

u64 lattab__drops(const struct lattab *t)
{
	return t->perins ? hashmap__drops(t->tab) : 0;
}

unsigned lattab__row_id(const struct lattab *t, const struct latrow *r)
{
	if (!t->perins)
		return (unsigned)(r - t->rows);
	return (unsigned)(hashmap__key(r) & 0xffffffffu);
}

int lattab__row_inst(const struct lattab *t, const struct latrow *r)
{
	return t->perins ? (int)(u32)(hashmap__key(r) >> 32) : -1;
}

struct lattab_sort {
	const struct lattab *t;
	bool by_id_first;
};

static int lattab__cmp(const void *a, const void *b, void *arg)
{
	const struct lattab_sort *ls = arg;
	const struct latrow *x = *(const struct latrow *const *)a;
	const struct latrow *y = *(const struct latrow *const *)b;
	s64 ix = lattab__row_inst(ls->t, x), iy = lattab__row_inst(ls->t, y);
	unsigned dx = lattab__row_id(ls->t, x), dy = lattab__row_id(ls->t, y);

	if (ls->by_id_first && dx != dy)
		return dx < dy ? -1 : 1;
	if (ix != iy)
		return ix < iy ? -1 : 1;
	return dx < dy ? -1 : dx > dy;
}

void lattab__merge(struct lattab *dst, const struct lattab *src)
{
	size_t nr = 0;
	struct latrow **rows = lattab__sorted(src, false, &nr);

	for (size_t i = 0; i < nr; i++) {
		struct latrow *w = lattab__row(dst, lattab__row_inst(src, rows[i]),
					       lattab__row_id(src, rows[i]));

		if (w) {
			vstat__merge(&w->st, &rows[i]->st);
			w->over += rows[i]->over;
		}
	}
	free(rows);
}

u64 lattab__values(struct latrow *const *rows, size_t nr)
{
	u64 n = 0;

	for (size_t i = 0; i < nr; i++)
		n += rows[i]->st.count;
	return n;
}

void latency__header(FILE *out, const char *profiler, const char *kind, u64 n, const char *what,
		     u64 elapsed_ns)
{
	report__header(out, profiler, strcmp(kind, "interval") ? kind : NULL, "%llu %s in %.3f s",
		       (unsigned long long)n, what, (double)elapsed_ns / 1e9);
}

struct latrow **lattab__sorted(const struct lattab *t, bool by_id_first, size_t *nr)
{
	struct lattab_sort ls = { t, by_id_first };
	struct latrow **v, *r;
	size_t n = 0, cap, iter;

	cap = t->perins ? hashmap__nr(t->tab) : t->nr_ids;
	*nr = 0;
	if (!cap)
		return NULL;
	v = xzalloc(cap * sizeof(*v));
	if (!t->perins) {
		for (unsigned i = 0; i < t->nr_ids; i++)
			if (t->rows[i].st.count)
				v[n++] = &t->rows[i];
	} else {
		hashmap__for_each(t->tab, iter, r)
			if (r->st.count)
				v[n++] = r;
	}
	if (!n) {
		free(v);
		return NULL;
	}
	qsort_r(v, n, sizeof(*v), lattab__cmp, &ls);
	*nr = n;
	return v;
}

#define COLW 11		/* a value column: a 10-wide duration and a blank */

static void fmt_val(char *buf, size_t size, u64 v, bool ns)
{
	if (ns)
		agg__fmt_duration(buf, size, v);
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
}

static void fmt_mean(char *buf, size_t size, const struct vstat *st, bool ns)
{
	double m = vstat__mean(st);

	if (ns)
		agg__fmt_duration(buf, size, (u64)(m + 0.5));
	else
		snprintf(buf, size, "%.1f", m);
}

static void fmt_total(char *buf, size_t size, const struct vstat *st, bool ns)
{
	size_t n;

	if (st->sum_hi)
		snprintf(buf, size, "%.6g", vstat__sum_double(st));
	else
		fmt_val(buf, size, st->sum_lo, ns);
	/* "1.406 s ": the pad keeps units aligned, but may end the line */
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

void lattab__print(const struct lattab *t, struct latrow **rows, size_t nr, FILE *out,
		   const struct latprint *p)
{
	static const char *const cols[] = { "min", "avg", "p50", "p95", "p99", "max" };
	int nw = (int)strlen(p->name_title), iw = 0;
	char comm[TEXT_NAME_MAX];

	if (!nr)
		return;
	for (size_t i = 0; i < nr; i++) {
		int l = (int)strlen(p->names[lattab__row_id(t, rows[i])]);

		nw = l > nw ? l : nw;
	}
	if (p->inst_title) {
		iw = (int)strlen(p->inst_title);
		iw = iw < 6 ? 6 : iw;
		fprintf(out, "%*s ", iw, p->inst_title);
		if (p->inst_comm)
			fprintf(out, "%-16s ", "COMM");
	}
	fprintf(out, "%*s %9s", nw, p->name_title, "count");
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		fprintf(out, " %*s", COLW - 1, cols[i]);
	fprintf(out, " %13s", "total");
	if (p->over_title)
		fprintf(out, " %16s", p->over_title);
	fputc('\n', out);
	for (size_t i = 0; i < nr; i++) {
		const struct latrow *r = rows[i];
		const struct vstat *st = &r->st;
		unsigned id = lattab__row_id(t, r);
		bool ns = p->ns && p->ns[id];
		u64 v[] = { st->min, 0, vstat__percentile(st, 50), vstat__percentile(st, 95),
			    vstat__percentile(st, 99), st->max };
		char buf[48];

		if (p->inst_title) {
			int inst = lattab__row_inst(t, r);

			fprintf(out, "%*d ", iw, inst);
			/* a space or a control byte in a comm adds no column */
			if (p->inst_comm)
				fprintf(out, "%-16s ", text_name(tasks__comm(p->tasks, inst), comm,
								sizeof(comm)));
		}
		fprintf(out, "%*s %9llu", nw, p->names[id], (unsigned long long)st->count);
		for (size_t c = 0; c < ARRAY_SIZE(v); c++) {
			if (c == 1)
				fmt_mean(buf, sizeof(buf), st, ns);
			else
				fmt_val(buf, sizeof(buf), v[c], ns);
			fprintf(out, " %*s", COLW - 1, buf);
		}
		fmt_total(buf, sizeof(buf), st, ns);
		fprintf(out, " %13s", buf);
		if (p->over_title) {
			/* (a slow pair read from the kernel can come a report before its row) */
			snprintf(buf, sizeof(buf), "%llu (%.1f%%)", (unsigned long long)r->over,
				 st->count ? 100.0 * (double)r->over / (double)st->count : 100.0);
			fprintf(out, " %16s", buf);
		}
		fputc('\n', out);
	}
}

void lattab__print_hists(const struct lattab *t, struct latrow **rows, size_t nr, FILE *out,
			 const struct latprint *p)
{
	for (size_t i = 0; i < nr; i++) {
		unsigned id = lattab__row_id(t, rows[i]);
		const char *name = p->names[id];
		size_t len;

		/* names padded for the table's column stand trimmed here */
		name += strspn(name, " ");
		len = strlen(name);
		while (len && name[len - 1] == ' ')
			len--;
		fputc('\n', out);
		if (p->inst_title)
			fprintf(out, "%s %d ", p->inst_title, lattab__row_inst(t, rows[i]));
		fprintf(out, "%.*s:\n", (int)len, name);
		vstat__print_log2(out, &rows[i]->st, p->ns && p->ns[id] ? "nsecs" : "value");
	}
}

/* ------------------------------------------------------------------ */
/* heatmap                                                              */
/* ------------------------------------------------------------------ */

#define HM_BUF (64 * 1024)
#define HM_COLS 200		/* time columns */
#define HM_SUB 4		/* rows per power of two */
#define HM_ROWS (1 + 64 * HM_SUB)

struct heatmap {
	char *path;
	int fd_svg;
	int fd_lat;
	char **series;
	int nr;
	bool ns;
	char *what;
	int io_errno;		/* the first failed write of FILE.lat */
	size_t len;
	char buf[HM_BUF];
};

static int hm_create(const char *path, struct err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		err_set(err, EXIT_USAGE, "cannot create heatmap file '%s': %s", path,
			strerror(errno));
		if (errno == ELOOP)
			err_hint(err, "'%s' is a symbolic link; perf-prof does not follow them",
				 path);
	}
	return fd;
}

struct heatmap *heatmap__open(const char *path, const char *const *series, int nr, bool ns,
			      const char *what, struct err *err)
{
	struct heatmap *h = xzalloc(sizeof(*h));
	char *lat = xasprintf("%s.lat", path);

	h->fd_svg = h->fd_lat = -1;
	h->fd_svg = hm_create(path, err);
	if (h->fd_svg >= 0)
		h->fd_lat = hm_create(lat, err);
	free(lat);
	if (h->fd_lat < 0) {
		if (h->fd_svg >= 0)
			close(h->fd_svg);
		free(h);
		return NULL;
	}
	h->path = xstrdup(path);
	h->nr = nr;
	h->ns = ns;
	h->what = xstrdup(what);
	h->series = xzalloc((size_t)nr * sizeof(*h->series));
	for (int i = 0; i < nr; i++)
		h->series[i] = xstrdup(series[i]);
	h->len = (size_t)snprintf(h->buf, sizeof(h->buf),
				  "# perf-prof heatmap data: TIME(ns, CLOCK_MONOTONIC) %s%s SERIES\n",
				  what, ns ? "(ns)" : "");
	for (int i = 0; i < nr && h->len < HM_BUF / 2; i++)
		h->len += (size_t)snprintf(h->buf + h->len, sizeof(h->buf) - h->len,
					   "# series %d: %s\n", i, series[i]);
	return h;
}

static void heatmap__flush(struct heatmap *h)
{
	size_t done = 0;

	while (done < h->len && !h->io_errno) {
		ssize_t w = write(h->fd_lat, h->buf + done, h->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			h->io_errno = w < 0 ? errno : ENOSPC;
		else
			done += (size_t)w;
	}
	h->len = 0;
}

/* u64 in decimal at @p, followed by @sep; returns the end */
static char *put_u64(char *p, u64 v, char sep)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	*p++ = sep;
	return p;
}

void heatmap__add(struct heatmap *h, int series, u64 time, u64 value)
{
	char *p;

	if (unlikely(h->len + 64 > HM_BUF))
		heatmap__flush(h);
	p = h->buf + h->len;
	p = put_u64(p, time, ' ');
	p = put_u64(p, value, ' ');
	p = put_u64(p, (u64)series, '\n');
	h->len = (size_t)(p - h->buf);
}

int heatmap__close(struct heatmap *h, struct err *err)
{
	FILE *lat = NULL, *svg = NULL;
	int r = 0;

	heatmap__flush(h);
	if (h->io_errno)
		r = err_set(err, EXIT_FAIL, "cannot write heatmap data '%s.lat': %s", h->path,
			    strerror(h->io_errno));
	if (!r && lseek(h->fd_lat, 0, SEEK_SET) == 0) {
		lat = fdopen(h->fd_lat, "r");
		svg = fdopen(h->fd_svg, "w");
	}
	if (!r && (!lat || !svg))
		r = err_set(err, EXIT_FAIL, "cannot render heatmap '%s': %s", h->path,
			    strerror(errno));
	if (!r && heatmap__render(lat, svg, (const char *const *)h->series, h->nr, h->ns,
				  h->what) < 0)
		r = err_set(err, EXIT_FAIL, "cannot read heatmap data '%s.lat' back", h->path);
	if (svg) {
		if (fclose(svg) && !r)
			r = err_set(err, EXIT_FAIL, "cannot write heatmap '%s': %s", h->path,
				    strerror(errno));
	} else {
		close(h->fd_svg);
	}
	if (lat)
		fclose(lat);
	else
		close(h->fd_lat);
	if (r)
		err_hint(err, "the other reports are complete; make room, or name a file on "
			      "another disk, and run again");
	for (int i = 0; i < h->nr; i++)
		free(h->series[i]);
	free(h->series);
	free(h->what);
	free(h->path);
	free(h);
	return r;
}

/* the row of @v: 0 for 0, then HM_SUB rows per power of two */
static unsigned hm_row(u64 v)
{
	unsigned msb, sub;

	if (!v)
		return 0;
	msb = 63 - (unsigned)__builtin_clzll(v);
	sub = msb >= 2 ? (unsigned)(v >> (msb - 2)) & 3 : (unsigned)(v << (2 - msb)) & 3;
	return 1 + msb * HM_SUB + sub;
}

/* the smallest value of row @r */
static double hm_row_lo(unsigned r)
{
	unsigned msb, sub;

	if (!r)
		return 0;
	msb = (r - 1) / HM_SUB;
	sub = (r - 1) % HM_SUB;
	return ldexp(1.0 + sub / 4.0, (int)msb);
}

/* "2.10 ms", "512 ns", "1.5k": three significant digits and a unit */
static void hm_label(char *buf, size_t size, double v, bool ns)
{
	static const char *const tu[] = { "ns", "us", "ms", "s" };
	static const char *const nu[] = { "", "k", "M", "G", "T", "P", "E" };
	const char *const *u = ns ? tu : nu;
	size_t nu_ = ns ? ARRAY_SIZE(tu) : ARRAY_SIZE(nu);
	size_t i = 0;

	while (v >= 1000 && i + 1 < nu_) {
		v /= 1000;
		i++;
	}
	if (i == 0 && v == floor(v))
		snprintf(buf, size, "%.0f%s%s", v, ns ? " " : "", u[i]);
	else
		snprintf(buf, size, "%.3g%s%s", v, ns ? " " : "", u[i]);
}

static void svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* colour of a cell holding @c of at most @max: light yellow to dark red */
static void hm_colour(char *buf, size_t size, u64 c, u64 max)
{
	static const unsigned char stops[][3] = {
		{ 255, 255, 204 }, { 254, 217, 118 }, { 253, 141, 60 }, { 227, 26, 28 },
		{ 128, 0, 38 },
	};
	double t = max > 1 ? log1p((double)c) / log1p((double)max) : 1.0;
	double x = t * (double)(ARRAY_SIZE(stops) - 1);
	unsigned i = (unsigned)x;
	unsigned char rgb[3];

	if (i >= ARRAY_SIZE(stops) - 1) {
		i = ARRAY_SIZE(stops) - 2;
		x = (double)i + 1;
	}
	for (int k = 0; k < 3; k++)
		rgb[k] = (unsigned char)(stops[i][k] +
					 (x - i) * (stops[i + 1][k] - stops[i][k]) + 0.5);
	snprintf(buf, size, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

struct hm_series {
	u64 n;
	unsigned rlo, rhi;	/* rows spanned */
	u64 *cells;		/* (rhi - rlo + 1) x HM_COLS */
};

static bool hm_parse(const char *line, u64 *t, u64 *v, long *sr)
{
	char *end;

	if (line[0] == '#' || line[0] == '\n')
		return false;
	errno = 0;
	*t = strtoull(line, &end, 10);
	if (end == line || *end != ' ')
		return false;
	line = end + 1;
	*v = strtoull(line, &end, 10);
	if (end == line || *end != ' ')
		return false;
	line = end + 1;
	*sr = strtol(line, &end, 10);
	return end != line && !errno;
}

/* a tick step of 1, 2 or 5 x 10^k seconds giving at most 8 ticks */
static double hm_tick(double span)
{
	static const double mult[] = { 1, 2, 5 };
	double p = pow(10, floor(log10(span > 1e-9 ? span : 1e-9)) - 1);

	for (;;) {
		for (size_t i = 0; i < ARRAY_SIZE(mult); i++)
			if (span / (mult[i] * p) <= 8)
				return mult[i] * p;
		p *= 10;
	}
}

static void hm_panel(FILE *out, const struct hm_series *hs, const char *name, int y0, int rh,
		     u64 max, double col_ns, bool ns, const char *what)
{
	unsigned nrows = hs->rhi - hs->rlo + 1;
	int h = (int)nrows * rh, x0 = 100, cw = 4;
	char l1[32], l2[32], col[16];

	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"t\">", x0, y0 - 8);
	svg_text(out, name);
	fprintf(out, " (%llu points)</text>\n", (unsigned long long)hs->n);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f7f7f7\" "
		     "stroke=\"#999\"/>\n", x0, y0, HM_COLS * cw, h);
	for (unsigned r = 0; r < nrows; r++) {
		for (int c = 0; c < HM_COLS; c++) {
			u64 n = hs->cells[(size_t)r * HM_COLS + (size_t)c];
			double ts = (double)c * col_ns / 1e9;

			if (!n)
				continue;
			hm_colour(col, sizeof(col), n, max);
			hm_label(l1, sizeof(l1), hm_row_lo(hs->rlo + r), ns);
			hm_label(l2, sizeof(l2), hm_row_lo(hs->rlo + r + 1), ns);
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
				     "<title>%.3f-%.3f s, %s %s..%s: %llu</title></rect>\n",
				x0 + c * cw, y0 + h - (int)(r + 1) * rh, cw, rh, col, ts,
				ts + col_ns / 1e9, what, l1, l2, (unsigned long long)n);
		}
	}
	/* y labels: the start of every power of two, thinned to fit */
	{
		int every = 1;

		while ((int)(HM_SUB * every) * rh < 14)
			every *= 2;
		for (unsigned r = 0; r <= nrows; r++) {
			unsigned row = hs->rlo + r;

			if (row && ((row - 1) % HM_SUB || ((row - 1) / HM_SUB) % (unsigned)every))
				continue;
			hm_label(l1, sizeof(l1), hm_row_lo(row), ns);
			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
				     "<text x=\"%d\" y=\"%d\" class=\"y\">%s</text>\n",
				x0 - 4, y0 + h - (int)r * rh, x0, y0 + h - (int)r * rh, x0 - 6,
				y0 + h - (int)r * rh + 4, l1);
		}
	}
	/* x labels: seconds since the first point */
	{
		double span = col_ns * HM_COLS / 1e9, step = hm_tick(span);

		for (double s = 0; s <= span * (1 + 1e-9); s += step) {
			int x = x0 + (int)(s / span * HM_COLS * cw + 0.5);

			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
				     "<text x=\"%d\" y=\"%d\" class=\"x\">%g s</text>\n",
				x, y0 + h, x, y0 + h + 4, x, y0 + h + 16, s);
		}
	}
}

long heatmap__render(FILE *lat, FILE *svg, const char *const *series, int nr, bool ns,
		     const char *what)
{
	struct hm_series *hs = xzalloc((size_t)nr * sizeof(*hs));
	u64 t0 = UINT64_MAX, t1 = 0, max = 0, t, v;
	long points = 0, sr;
	char line[256];
	double col_ns;
	int y, width = 100 + HM_COLS * 4 + 140, height = 0, rh = 8, panels = 0;

	for (int i = 0; i < nr; i++)
		hs[i].rlo = HM_ROWS;
	/* pass 1: the time span and each series' rows */
	while (fgets(line, sizeof(line), lat)) {
		if (!hm_parse(line, &t, &v, &sr) || sr < 0 || sr >= nr)
			continue;
		t0 = t < t0 ? t : t0;
		t1 = t > t1 ? t : t1;
		hs[sr].n++;
		if (hm_row(v) < hs[sr].rlo)
			hs[sr].rlo = hm_row(v);
		if (hm_row(v) > hs[sr].rhi)
			hs[sr].rhi = hm_row(v);
	}
	if (ferror(lat)) {
		free(hs);
		return -1;
	}
	col_ns = t1 > t0 ? (double)(t1 - t0 + 1) / HM_COLS : 1e6;
	for (int i = 0; i < nr; i++) {
		if (!hs[i].n)
			continue;
		/* whole powers of two, so the labels fall on the edges */
		hs[i].rlo = hs[i].rlo ? hs[i].rlo - (hs[i].rlo - 1) % HM_SUB : 0;
		hs[i].rhi = hs[i].rhi ? hs[i].rhi + (HM_SUB - 1 - (hs[i].rhi - 1) % HM_SUB) : 0;
		hs[i].cells = xzalloc((size_t)(hs[i].rhi - hs[i].rlo + 1) * HM_COLS * sizeof(u64));
		panels++;
	}
	/* pass 2: count the cells */
	rewind(lat);
	while (fgets(line, sizeof(line), lat)) {
		unsigned c, r;
		u64 *cell;

		if (!hm_parse(line, &t, &v, &sr) || sr < 0 || sr >= nr || !hs[sr].cells)
			continue;
		r = hm_row(v);
		if (r < hs[sr].rlo || r > hs[sr].rhi || t < t0)
			continue;
		c = (unsigned)((double)(t - t0) / col_ns);
		c = c >= HM_COLS ? HM_COLS - 1 : c;
		cell = &hs[sr].cells[(size_t)(r - hs[sr].rlo) * HM_COLS + c];
		(*cell)++;
		max = *cell > max ? *cell : max;
		points++;
	}
	for (int i = 0; i < nr; i++)
		if (hs[i].cells)
			height += 60 + (int)(hs[i].rhi - hs[i].rlo + 1) * rh;
	height += 60;
	fprintf(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		     "font-family=\"sans-serif\" font-size=\"11\">\n"
		     "<style>.t{font-size:13px;font-weight:bold}.y{text-anchor:end}"
		     ".x{text-anchor:middle}</style>\n"
		     "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		     "<text x=\"10\" y=\"20\" class=\"t\">perf-prof heatmap: %s over time "
		     "(x: seconds since the first point, y: %s, colour: count)</text>\n",
		     width, height, what, what);
	y = 60;
	for (int i = 0; i < nr; i++) {
		if (!hs[i].cells)
			continue;
		hm_panel(svg, &hs[i], series[i], y, rh, max, col_ns, ns, what);
		y += 60 + (int)(hs[i].rhi - hs[i].rlo + 1) * rh;
	}
	if (!panels)
		fprintf(svg, "<text x=\"10\" y=\"50\">no data</text>\n");
	/* the colour scale */
	{
		int x = 100 + HM_COLS * 4 + 30;
		char col[16];

		u64 prev = 0;

		for (int k = 0; k < 10 && max; k++) {
			u64 c = (u64)(expm1(log1p((double)max) * (k + 1) / 10.0) + 0.5);

			c = c ? c : 1;
			if (c == prev)
				continue;
			prev = c;
			hm_colour(col, sizeof(col), c, max);
			fprintf(svg, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" fill=\"%s\"/>"
				     "<text x=\"%d\" y=\"%d\">%llu</text>\n",
				x, 60 + (9 - k) * 12, col, x + 18, 60 + (9 - k) * 12 + 10,
				(unsigned long long)c);
		}
		fprintf(svg, "<text x=\"%d\" y=\"52\">count</text>\n", x);
	}
	fprintf(svg, "</svg>\n");
	for (int i = 0; i < nr; i++)
		free(hs[i].cells);
	free(hs);
	return points;
}

/* ------------------------------------------------------------------ */
/* outliers                                                             */
/* ------------------------------------------------------------------ */

#define OUTLIER_STACKS 65536	/* stacks kept for printing; the unused go first */

/* the root frame of an outlier's stack: its event's name */
static const char *outliers__root(void *ctx, const struct stackmap *m, u32 id)
{
	const struct outliers *o = ctx;

	return o->roots ? o->roots[stackmap__tag(m, id)] : NULL;
}

static void outliers__view(const struct outliers *o, struct stackmap_view *v)
{
	*v = (struct stackmap_view){
		.root = outliers__root, .ctx = (void *)o, .root_label = "event",
		.whole = true, .by_weight = true,
		.count_type = "samples", .count_unit = "count",
		.weight_type = o->weight_type, .weight_unit = o->weight_unit,
	};
}

int outliers__init(struct outliers *o, struct prof *prof, bool than, const char *what,
		   const char *weight_type, const char *weight_unit, const char *const *roots,
		   struct err *err)
{
	bool stacks = prof->opt.callgraph || prof->opt.call_graph;
	struct stackmap_view v;

	memset(o, 0, sizeof(*o));
	o->what = what;
	o->weight_type = weight_type;
	o->weight_unit = weight_unit;
	o->roots = roots;
	for (int i = 0; i < prof->nr_evs; i++)
		stacks |= prof->evs[i]->stack;
	if (prof->opt.flame_graph) {
		if (!stacks || !than) {
			err_set(err, EXIT_USAGE, "--flame-graph needs %s", !than ? "--than" : "stacks");
			err_hint(err, "the flame graph draws the stacks of the %s above --than: give "
				      "--than and -g, --call-graph dwarf or the 'stack' attribute", what);
			return -1;
		}
		outliers__view(o, &v);
		o->fg = stackout__new(prof->opt.flame_graph, &v, err);
		if (!o->fg)
			return -1;
	}
	if (stacks)
		o->stacks = stackmap__new(prof->env, OUTLIER_STACKS, 0);
	return 0;
}

u32 outliers__print(struct outliers *o, struct prof *prof, const struct evline *l,
		    struct trace_seq *seq, const struct prof_sample *s, const char *gutter)
{
	return evline__print_in(l, prof->out, seq, s, gutter, prof->env, o->stacks);
}

void outliers__add(struct outliers *o, const struct prof_sample *s, u64 weight)
{
	u32 id;

	if (!o->fg || !s->nr_ips)
		return;
	id = stackmap__intern(o->stacks, (u64)s->ev->index, s->pid, s->ips, (u32)s->nr_ips, NULL);
	if (id) {
		stackmap__add(o->stacks, id, 1, weight);
		o->nr++;
	} else {
		o->dropped++;
	}
}

void outliers__close(struct outliers *o, struct prof *prof)
{
	struct stackmap_view v;
	struct err err = { 0 };

	if (o->fg) {
		char *path = xstrdup(stackout__path(o->fg));

		outliers__view(o, &v);
		if (stackout__add(o->fg, o->stacks, &v, NULL, &err) ||
		    stackout__close(o->fg, &err))
			err_print(&err, prof->ops->name);
		else
			fprintf(prof__diag(prof), "perf-prof %s: flame graph of %llu %s written "
				"to '%s'\n", prof->ops->name, (unsigned long long)o->nr, o->what, path);
		if (o->dropped)
			fprintf(prof__diag(prof), "perf-prof %s: %llu %s left out of the flame graph: "
				"more than %u distinct stacks\n", prof->ops->name,
				(unsigned long long)o->dropped, o->what, OUTLIER_STACKS);
		free(path);
		o->fg = NULL;
	}
	outliers__exit(o);
}

void outliers__exit(struct outliers *o)
{
	stackout__delete(o->fg);
	stackmap__delete(o->stacks);
	o->fg = NULL;
	o->stacks = NULL;
}
