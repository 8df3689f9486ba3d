// SPDX-License-Identifier: GPL-2.0
/*
 * top.c - key/value counters, top style. Every sample of an event adds its
 * columns (top-by=/top-add= expressions, or a count) to the row of its key
 * (key=/-k expression, default the thread id). A report per interval (-i,
 * default 1 s) sorted by the top-by columns; the table resets each interval
 * unless --cumulative; a final report at exit; SIGUSR1 prints the table
 * without resetting it.
 *
 *   2026-11-22 03:31:02.118022 top: 600 samples in 1.000 s, 600 in total
 *        TID sys_enter_getppid COMM
 *       4711               300 wl
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "agg.h"
#include "bpfagg.h"
#include "bpffilter.h"
#include "expr.h"
#include "json.h"
#include "profiler.h"
#include "report.h"

#define TOP_NAME_LEN 32
#define TOP_MAX_COLS 64

struct top_opts {
	const char *key;	/* -k: default key expression */
	bool only_comm;
	bool cumulative;
	int top;		/* --top N rows, 0 = default */
	u64 max_rows;
	u64 keep_exited;	/* --keep-exited N, 0 = all */
};

struct top_col {
	char *title;
	struct expr *expr;	/* NULL: count */
	bool sort;		/* a top-by column */
};

struct top_ev {
	struct expr *key;	/* NULL: the thread id */
	struct expr *comm;	/* comm=, a string expression */
	int col0;		/* first column of this event */
	int ncols;
	bool need_ctx;		/* some expression reads the record */
	bool simple;		/* count per thread: the fast path */
};

struct top {
	struct top_ev *evs;
	struct top_col cols[TOP_MAX_COLS];
	int ncols;
	int *order;		/* column indexes in sort order */
	struct hashmap *tab;
	size_t vsize;
	struct expr *printkey;
	u64 printkey_errors;	/* keys printkey= failed on, printed as numbers */
	char *key_title;
	char *name_title;	/* NULL: no name column */
	bool task_key;		/* the key is a thread id: names come from @tasks */
	struct tasks *tasks;	/* the run's task names */
	u64 last_key;		/* one-entry cache: consecutive samples of one */
	void *last_row;		/* task hit the same row (NULL: empty) */
	u64 samples;		/* since the last reset */
	u64 total;		/* since the start */
	struct hashmap *whole;	/* the whole run's rows, merged at each interval (not --cumulative) */
	struct hashmap *exited;	/* thread-id keys whose thread exited (a set) */
	u64 folded_rows;	/* exited threads' rows summed into @folded */
	u64 *folded;		/* their columns */
	bool final;		/* the final report is being made */
	struct report_cycle cycle;
	struct bpf_agg *agg;	/* counting in the kernel: the rows' source */
	struct hashmap *seen;	/* agg: each kernel row as last read */
	struct expr **filters;	/* agg: each event's filter (NULL: none) */
	u64 *seen_stats;	/* agg: per event, samples then errors as last read */
	struct hashmap *gone;	/* agg: exited threads' keys, deleted after the next read */
};

static const char *const top_attrs[] = {
	"alias", "key", "top-by", "top-add", "comm", "printkey", NULL,
};

static void top_opts_init(void *p)
{
	struct top_opts *o = p;

	o->max_rows = 1000000;
	o->keep_exited = 1000;
}

static inline u64 *row_vals(void *row)
{
	return row;
}

static inline char *row_name(const struct top *t, void *row)
{
	return (char *)row + (size_t)t->ncols * sizeof(u64);
}

static char *upper(const char *s)
{
	char *u = xstrdup(s);

	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return u;
}

static struct expr *top_compile(struct evspec *ev, const char *what, const char *src,
				struct err *err)
{
	struct expr *e = expr_compile(src, ev->tp, err);

	if (!e)
		err_prefix(err, "%s= of '%s'", what, ev->display);
	expr_bind(e, ev->env);
	return e;
}

static int top_add_col(struct top *t, const char *title, struct expr *e, bool sort, struct err *err)
{
	if (t->ncols == TOP_MAX_COLS) {
		expr_free(e);
		return err_set(err, EXIT_USAGE, "too many columns (at most %d)", TOP_MAX_COLS);
	}
	t->cols[t->ncols].title = xstrdup(title);
	t->cols[t->ncols].expr = e;
	t->cols[t->ncols].sort = sort;
	t->ncols++;
	return 0;
}

/* the columns of one event: its top-by= then top-add= in the order written */
static int top_ev_cols(struct top *t, struct evspec *ev, struct top_ev *te, struct err *err)
{
	te->col0 = t->ncols;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < ev->nr_attrs; i++) {
			const struct evattr *a = &ev->attrs[i];
			bool by = !strcmp(a->name, "top-by");
			struct expr *e;
			const char *title;

			if (!(pass == 0 ? by : !strcmp(a->name, "top-add")))
				continue;
			if (!a->value || !*a->value)
				return err_set(err, EXIT_USAGE, "%s= of '%s' needs an expression",
					       a->name, ev->display);
			e = top_compile(ev, a->name, a->value, err);
			if (!e)
				return -1;
			if (expr_result_type(e) != EXPR_INT) {
				expr_free(e);
				err_set(err, EXIT_USAGE, "%s=%s of '%s' is a string; a column sums numbers",
					a->name, a->value, ev->display);
				return -1;
			}
			title = t->ncols == te->col0 && ev->alias ? ev->alias : a->value;
			if (top_add_col(t, title, e, by, err))
				return -1;
			te->need_ctx = true;
		}
	}
	if (t->ncols == te->col0 &&
	    top_add_col(t, ev->alias ? ev->alias : ev->name, NULL, false, err))
		return -1;
	te->ncols = t->ncols - te->col0;
	return 0;
}

static int top_ev_init(struct prof *prof, struct top *t, struct evspec *ev, struct top_ev *te,
		       struct err *err)
{
	const struct top_opts *o = prof->opts;
	const char *key = evspec_attr(ev, "key"), *comm = evspec_attr(ev, "comm");

	if (!key)
		key = o->key;
	if (key) {
		te->key = top_compile(ev, "key", key, err);
		if (!te->key)
			return -1;
		if (expr_result_type(te->key) != EXPR_INT) {
			err_set(err, EXIT_USAGE, "key=%s of '%s' is a string; keys are numbers", key,
				ev->display);
			err_hint(err, "group by a name with comm=%s and --only-comm", key);
			return -1;
		}
		te->need_ctx = true;
	}
	if (comm) {
		te->comm = top_compile(ev, "comm", comm, err);
		if (!te->comm)
			return -1;
		if (expr_result_type(te->comm) != EXPR_STR) {
			err_set(err, EXIT_USAGE, "comm=%s of '%s' is a number; comm= names a row "
						 "with a string", comm, ev->display);
			err_hint(err, "use a string field such as comm=prev_comm, or "
				      "comm=comm_get(pid)");
			return -1;
		}
		te->need_ctx = true;
		if (!t->name_title)
			t->name_title = upper(comm);
	}
	return top_ev_cols(t, ev, te, err);
}

static int top_check_keys(struct prof *prof, struct err *err)
{
	const struct top_opts *o = prof->opts;
	int with = 0;

	if (o->key)
		return 0;
	for (int i = 0; i < prof->nr_evs; i++)
		with += evspec_attr(prof->evs[i], "key") != NULL;
	if (with && with != prof->nr_evs) {
		err_set(err, EXIT_USAGE, "key= is given for some events but not all");
		err_hint(err, "rows of one table need one kind of key: give every event key=, "
			      "or use -k EXPR as the default");
		return -1;
	}
	return 0;
}

static int top_cmp(const void *a, const void *b, void *ctx)
{
	const struct top *t = ctx;
	const u64 *x = a, *y = b;

	for (int i = 0; i < t->ncols; i++) {
		int c = t->order[i];

		if (x[c] != y[c])
			return x[c] > y[c] ? -1 : 1;
	}
	return 0;
}

/* top_bpf_why - what keeps the run from counting in the kernel (NULL: nothing) */
static const char *top_bpf_why(struct prof *prof, const struct top *t, char *buf, size_t len)
{
	const struct top_opts *o = prof->opts;

	if (o->only_comm)
		return "--only-comm names each sample's row in user space";
	if (prof->opt.exit_n)
		return "-N counts the samples in user space";
	if (prof->opt.sampling_limit || prof->opt.perfeval_cpus || prof->opt.perfeval_pids)
		return "--sampling-limit and --perfeval-* count each sample in user space";
	for (int i = 0; i < prof->nr_evs; i++) {
		const struct evspec *ev = prof->evs[i];

		if (ev->kind != EVSPEC_TRACEPOINT)
			snprintf(buf, len, "'%s' is not a tracepoint", ev->display);
		else if (t->evs[i].comm)
			snprintf(buf, len, "comm= of '%s' names rows in user space", ev->display);
		else
			continue;
		return buf;
	}
	return NULL;
}

/* top_bpf_build - a kernel table and a program per event; 0, or -errno with @why */
static int top_bpf_build(struct prof *prof, char *why, size_t len)
{
	struct top *t = prof->priv;
	const struct top_opts *o = prof->opts;
	bool targets = prof->opt.pids || prof->opt.tids || prof->opt.workload;
	int r;

	r = bpf_agg__new(t->ncols, o->max_rows, prof->nr_evs, targets, !prof->opt.tids, 0, &t->agg,
			 why, len);
	t->filters = xzalloc((size_t)prof->nr_evs * sizeof(*t->filters));
	for (int i = 0; !r && i < prof->nr_evs; i++) {
		struct evspec *ev = prof->evs[i];
		const struct top_ev *te = &t->evs[i];
		const struct expr *vals[TOP_MAX_COLS];
		struct bpf_agg_ev ae = {
			.tp_id = (u32)ev->tp->id, .key = te->key, .vals = vals, .col0 = te->col0,
			.ncols = te->ncols, .cpu_set = prof->opt.cpus || ev->cpus,
		};
		struct err xerr = { 0 };

		if (ev->filter) {
			t->filters[i] = expr_compile(ev->filter, ev->tp, &xerr);
			if (!t->filters[i]) {
				snprintf(why, len, "filter '%.200s' is not an expression: %.200s", ev->filter,
					 xerr.msg);
				return -EINVAL;
			}
			ae.filter = t->filters[i];
		}
		for (int c = 0; c < te->ncols; c++)
			vals[c] = t->cols[te->col0 + c].expr;
		r = bpf_agg__add(t->agg, i, &ae, why, len);
	}
	return r;
}

/*
 * top_bpf_init - count in the kernel when the options allow it (--bpf:
 * must), else read the records. The rows come from the kernel's table at
 * each report; everything after (tables, sorting, printing) is the same.
 */
static int top_bpf_init(struct prof *prof, struct top *t, struct err *err)
{
	char buf[512];
	int r = bpf_agg__choose(prof, &t->agg, top_bpf_why(prof, t, buf, sizeof(buf)), "count",
				top_bpf_build, err);

	if (r <= 0)
		return r;
	t->seen = hashmap__new((size_t)t->ncols * sizeof(u64), 0);
	if (t->task_key)
		t->gone = hashmap__new(0, 0);
	t->seen_stats = xzalloc((size_t)prof->nr_evs * 2 * sizeof(u64));
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof top: counting in the kernel: %d BPF programs "
			"(%d instructions) on counting perf events, no ring events\n",
			prof->nr_evs, bpf_agg__insns(t->agg));
	return 0;
}

static int top_start(struct prof *prof, struct err *err)
{
	struct top *t = prof->priv;
	char why[320];

	if (!t->agg)
		return 0;
	if (bpf_agg__start_prof(t->agg, prof, why, sizeof(why)))
		return err_set(err, EXIT_FAIL, "cannot count in the kernel: %s", why);
	return 0;
}

/* top_bpf_row - a kernel row read: what it gained since the last read goes to the interval's */
static void top_bpf_row(void *ctx, u64 key, const u64 *vals)
{
	struct top *t = ctx;
	u64 *seen = hashmap__get(t->seen, key), *row = NULL;

	if (!seen)
		return;
	for (int i = 0; i < t->ncols; i++) {
		u64 d = vals[i] - seen[i];

		if (!d)
			continue;
		if (!row && !(row = hashmap__get(t->tab, key)))
			return;	/* over --max-rows: counted by the table */
		row[i] += d;
		seen[i] = vals[i];
	}
}

/* top_bpf_pull - the kernel's counts since the last report into the interval's table */
static void top_bpf_pull(struct prof *prof, struct top *t)
{
	if (!t->agg)
		return;
	bpf_agg__read(t->agg, top_bpf_row, t);
	t->last_row = NULL;
	/* their last counts are read: the kernel's table holds the live threads only */
	if (t->gone) {
		size_t iter;
		void *k;

		hashmap__for_each(t->gone, iter, k) {
			bpf_agg__del(t->agg, hashmap__key(k));
			hashmap__del(t->seen, hashmap__key(k));
		}
		hashmap__reset(t->gone);
	}
	for (int i = 0; i < prof->nr_evs; i++) {
		struct bpf_agg_stats st;
		u64 *seen = &t->seen_stats[2 * i];

		if (bpf_agg__stats(t->agg, i, &st))
			continue;
		t->samples += st.samples - seen[0];
		t->total += st.samples - seen[0];
		prof__expr_errors(prof, prof->evs[i], st.errors - seen[1]);
		seen[0] = st.samples;
		seen[1] = st.errors;
	}
}

/* top_bpf_final - what the kernel could not count */
static void top_bpf_final(struct prof *prof, struct top *t)
{
	u64 drops = 0, full;

	if (!t->agg)
		return;
	for (int i = 0; i < prof->nr_evs; i++) {
		struct bpf_agg_stats st;

		if (!bpf_agg__stats(t->agg, i, &st))
			drops += st.drops;
	}
	if (drops)
		fprintf(stderr, "perf-prof top: %llu samples dropped in the kernel: more than %llu "
				"rows (raise --max-rows up to %d, or --no-bpf)\n",
			(unsigned long long)drops, (unsigned long long)bpf_agg__max_rows(t->agg),
			BPF_AGG_MAX_ROWS);
	full = bpf_agg__targets_full(t->agg);
	if (full)
		fprintf(stderr, "perf-prof top: %llu threads of the targets not followed: more than "
				"%d alive at once (--no-bpf follows them all)\n",
			(unsigned long long)full, BPF_AGG_MAX_TARGETS);
}

static int top_init(struct prof *prof, struct err *err)
{
	const struct top_opts *o = prof->opts;
	const char *pk = NULL;
	struct top *t = xzalloc(sizeof(*t));
	int n = 0;

	prof->priv = t;
	t->tasks = prof->env->tasks;
	if (top_check_keys(prof, err))
		return -1;
	t->evs = xzalloc((size_t)prof->nr_evs * sizeof(*t->evs));
	for (int i = 0; i < prof->nr_evs; i++) {
		struct evspec *ev = prof->evs[i];

		ev->priv = &t->evs[i];
		if (top_ev_init(prof, t, ev, &t->evs[i], err))
			return -1;
		if (!pk)
			pk = evspec_attr(ev, "printkey");
	}
	t->task_key = !t->evs[0].key;
	for (int i = 0; i < prof->nr_evs; i++) {
		struct top_ev *te = &t->evs[i];

		te->simple = !te->key && !te->comm && !te->need_ctx && !o->only_comm &&
			     te->ncols == 1 && !t->cols[te->col0].expr;
	}
	if (o->only_comm && !t->task_key) {
		for (int i = 0; i < prof->nr_evs; i++)
			if (!t->evs[i].comm) {
				err_set(err, EXIT_USAGE, "--only-comm with key= needs comm= on every "
							 "event ('%s' has none)", prof->evs[i]->display);
				err_hint(err, "rows are merged by name: say where the name comes from");
				return -1;
			}
	}
	/*
	 * --only-comm names a row when its sample is counted: a thread renamed
	 * (exec, prctl) on one CPU and sampled on another must have its COMM
	 * record read first, which only time order across the rings ensures
	 */
	if (o->only_comm && t->task_key)
		prof->opt.order = true;
	if (!t->name_title && t->task_key)
		t->name_title = xstrdup("COMM");
	if (pk) {
		static const char *const vars[] = { "key", NULL };

		t->printkey = expr_compile_vars(pk, vars, err);
		if (!t->printkey) {
			err_prefix(err, "printkey=");
			return -1;
		}
		expr_bind(t->printkey, prof->env);
	}
	{
		const char *k = o->key ? o->key : evspec_attr(prof->evs[0], "key");

		t->key_title = k ? upper(k) : xstrdup("TID");
	}
	/* sort: top-by columns in order, then the others in order */
	t->order = xzalloc((size_t)t->ncols * sizeof(int));
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].sort)
			t->order[n++] = i;
	for (int i = 0; i < t->ncols; i++)
		if (!t->cols[i].sort)
			t->order[n++] = i;
	t->vsize = (size_t)t->ncols * sizeof(u64) + TOP_NAME_LEN;
	t->tab = hashmap__new(t->vsize, o->max_rows);
	if (!o->cumulative)
		t->whole = hashmap__new(t->vsize, o->max_rows);
	if (t->task_key && o->keep_exited) {
		t->exited = hashmap__new(0, 0);
		t->folded = xzalloc((size_t)t->ncols * sizeof(u64));
	}
	report_cycle__init(&t->cycle);
	return top_bpf_init(prof, t, err);
}

static void set_name(char *dst, const char *s, size_t len)
{
	size_t n = strnlen(s, len < TOP_NAME_LEN - 1 ? len : TOP_NAME_LEN - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

static __attribute__((noinline)) void top_sample_expr(struct prof *prof,
						      const struct prof_sample *s)
{
	const struct top_opts *o = prof->opts;
	struct top *t = prof->priv;
	const struct top_ev *e = s->ev->priv;
	struct expr_ctx ctx;
	s64 vals[TOP_MAX_COLS];
	const char *name = NULL;
	size_t name_len = 0;
	bool created;
	u64 key;
	void *row;

	if (e->need_ctx) {
		ctx = (struct expr_ctx){
			.raw = s->raw, .raw_size = s->raw_size, .cpu = s->cpu, .pid = s->pid,
			.tid = s->tid, .time = s->time, .period = s->period,
		};
	}
	if (e->key) {
		s64 k;

		if (unlikely(expr_eval(e->key, &ctx, &k)))
			goto bad;
		key = (u64)k;
	} else {
		if (unlikely(s->tid < 0))
			return;
		key = (u64)s->tid;
	}
	for (int i = 0; i < e->ncols; i++) {
		struct expr *x = t->cols[e->col0 + i].expr;

		if (!x)
			vals[i] = 1;
		else if (unlikely(expr_eval(x, &ctx, &vals[i])))
			goto bad;
	}
	if (e->comm && unlikely(expr_eval_str(e->comm, &ctx, &name, &name_len)))
		goto bad;
	if (unlikely(o->only_comm)) {
		if (!name) {
			name = prof__comm(prof, s->tid);
			name_len = strlen(name);
		}
		key = fnv1a_bytes(FNV1A_INIT, name, strnlen(name, name_len));
	}
	if (likely(t->last_row && key == t->last_key)) {
		row = t->last_row;
		created = false;
	} else {
		row = hashmap__get_new(t->tab, key, &created);
		if (unlikely(!row))
			return;	/* over --max-rows: counted by the table, reported at exit */
		/* an insert may move rows: only the newest pointer is safe */
		t->last_key = key;
		t->last_row = row;
	}
	/* task keys are named at report time, when every COMM record is in */
	if (unlikely(name && (created || !row_name(t, row)[0])))
		set_name(row_name(t, row), name, name_len);
	for (int i = 0; i < e->ncols; i++)
		row_vals(row)[e->col0 + i] += (u64)vals[i];
	t->samples++;
	t->total++;
	return;
bad:
	prof__expr_error(prof, s->ev);
}

/*
 * The common case, counting samples per thread, without expressions: a
 * handful of instructions when consecutive samples come from one thread.
 */
static void top_sample(struct prof *prof, const struct prof_sample *s)
{
	struct top *t = prof->priv;
	const struct top_ev *e = s->ev->priv;
	u64 *row;

	if (!e->simple || unlikely(s->tid < 0)) {
		top_sample_expr(prof, s);
		return;
	}
	if (likely(t->last_row && (u64)s->tid == t->last_key)) {
		row = t->last_row;
	} else {
		row = hashmap__get(t->tab, (u64)s->tid);
		if (unlikely(!row))
			return;
		t->last_key = (u64)s->tid;
		t->last_row = row;
	}
	row[e->col0]++;
	t->samples++;
	t->total++;
}

static int top_rows_limit(struct prof *prof)
{
	const struct top_opts *o = prof->opts;
	struct winsize ws;

	if (o->top > 0)
		return o->top;
	if (!prof->opt.output && !prof->opt.json && isatty(STDOUT_FILENO) &&
	    !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 4)
		return ws.ws_row - 3;
	return 0;
}

static const char *top_row_name(const struct top *t, void *row)
{
	const char *name = row_name(t, row);

	if (name[0])
		return name;
	return t->task_key ? tasks__comm(t->tasks, (int)hashmap__key(row)) : "<...>";
}

static int col_width(const struct top_col *c)
{
	int w = (int)strlen(c->title);

	return w < 12 ? 12 : w;
}

static void top_print_key(struct prof *prof, struct top *t, u64 key, int kw)
{
	if (t->printkey) {
		if (!expr_printkey(t->printkey, prof->out, key, kw))
			return;
		/* counted and said at the end; the row keeps its key */
		t->printkey_errors++;
	}
	if (prof->opts && ((const struct top_opts *)prof->opts)->only_comm)
		return;
	fprintf(prof->out, "%*lld", kw, (long long)key);
}

static void top_print_text(struct prof *prof, struct top *t, void **rows, size_t nr, u64 samples,
			   u64 elapsed, bool folded)
{
	const struct top_opts *o = prof->opts;
	int kw = (int)strlen(t->key_title) < 8 ? 8 : (int)strlen(t->key_title);
	char buf[TEXT_NAME_MAX];

	report__header(prof->out, "top", NULL, "%llu samples in %.3f s, %llu in total",
		       (unsigned long long)samples, (double)elapsed / 1e9,
		       (unsigned long long)t->total);
	/* titles and names escaped: each row has as many words as the header */
	if (!o->only_comm)
		fprintf(prof->out, "%*s", kw, text_name(t->key_title, buf, sizeof(buf)));
	for (int i = 0; i < t->ncols; i++)
		fprintf(prof->out, "%s%*s", !o->only_comm || i ? " " : "", col_width(&t->cols[i]),
			text_name(t->cols[i].title, buf, sizeof(buf)));
	if (t->name_title)
		fprintf(prof->out, " %s", text_name(t->name_title, buf, sizeof(buf)));
	fputc('\n', prof->out);
	for (size_t r = 0; r < nr; r++) {
		const u64 *v = rows[r];

		top_print_key(prof, t, hashmap__key(rows[r]), kw);
		for (int i = 0; i < t->ncols; i++)
			fprintf(prof->out, "%s%*llu", !o->only_comm || i ? " " : "",
				col_width(&t->cols[i]), (unsigned long long)v[i]);
		if (t->name_title)
			fprintf(prof->out, " %s", text_name(top_row_name(t, rows[r]), buf, sizeof(buf)));
		fputc('\n', prof->out);
	}
	/* the smaller exited threads' rows, summed: key '-', name exited:N */
	if (folded) {
		if (!o->only_comm)
			fprintf(prof->out, "%*s", kw, "-");
		for (int i = 0; i < t->ncols; i++)
			fprintf(prof->out, "%s%*llu", !o->only_comm || i ? " " : "",
				col_width(&t->cols[i]), (unsigned long long)t->folded[i]);
		if (t->name_title)
			fprintf(prof->out, " exited:%llu", (unsigned long long)t->folded_rows);
		fputc('\n', prof->out);
	}
}

static void top_print_json(struct prof *prof, struct top *t, void **rows, size_t nr,
			   const char *kind, u64 samples, u64 elapsed, bool folded)
{
	const struct top_opts *o = prof->opts;
	struct json j;

	report__json_begin(&j, prof->out, kind);
	json_double(&j, "interval", (double)elapsed / 1e9);
	json_uint(&j, "samples", samples);
	json_uint(&j, "total", t->total);
	json_str(&j, "key", o->only_comm ? "" : t->key_title);
	json_arr_begin(&j, "columns");
	for (int i = 0; i < t->ncols; i++)
		json_str(&j, NULL, t->cols[i].title);
	json_arr_end(&j);
	json_arr_begin(&j, "rows");
	for (size_t r = 0; r < nr; r++) {
		const u64 *v = rows[r];

		json_obj_begin(&j, NULL);
		if (!o->only_comm)
			json_int(&j, "key", (s64)hashmap__key(rows[r]));
		if (t->name_title)
			json_str(&j, "name", top_row_name(t, rows[r]));
		json_arr_begin(&j, "values");
		for (int i = 0; i < t->ncols; i++)
			json_uint(&j, NULL, v[i]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (folded) {
		json_obj_begin(&j, "folded");
		json_uint(&j, "exited_threads", t->folded_rows);
		json_arr_begin(&j, "values");
		for (int i = 0; i < t->ncols; i++)
			json_uint(&j, NULL, t->folded[i]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_end(&j);
}

/*
 * The report cycle's view: the interval's table (tab, with the samples
 * since the last report) or the whole run's (whole, every sample). With
 * --cumulative nothing resets and tab is the whole run.
 */
static void top_report_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct prof *prof = ctx;
	struct top *t = prof->priv;
	struct hashmap *tab = whole ? t->whole : t->tab;
	u64 samples = whole ? t->total : t->samples;
	size_t nr = 0;
	void **rows = hashmap__sorted(tab, top_cmp, t, &nr);
	int limit = top_rows_limit(prof);
	/* the folded row belongs to the table that holds the whole run */
	bool folded = t->folded_rows && (whole || !t->whole || !strcmp(kind, "final"));

	if (limit > 0 && nr > (size_t)limit)
		nr = (size_t)limit;
	if (prof->opt.json)
		top_print_json(prof, t, rows, nr, kind, samples, elapsed, folded);
	else
		top_print_text(prof, t, rows, nr, samples, elapsed, folded);
	free(rows);
	fflush(prof->out);
}

/*
 * A thread exited: its row (keyed by its tid) gets no more samples. A long system-wide run
 * sees every thread that ever lived, so the whole run's table keeps the --keep-exited largest
 * exited threads' rows and sums the smaller ones into one folded row: memory stays bounded by
 * the threads alive, totals stay exact.
 */
static void top_task_exit(struct prof *prof, int pid, int tid, u64 time)
{
	struct top *t = prof->priv;

	(void)pid;
	(void)time;
	if (t && t->exited && tid > 0)
		hashmap__get(t->exited, (u64)tid);
	if (t && t->gone && tid > 0)
		hashmap__get(t->gone, (u64)tid);
}

static int top_cmp_ptr(const void *a, const void *b, void *ctx)
{
	return top_cmp(*(void *const *)a, *(void *const *)b, ctx);
}

/*
 * fold the smaller exited rows of @tab once there are twice as many as kept (amortized),
 * or, for the final report, as soon as there are more
 */
static void top_fold_exited(struct top *t, struct hashmap *tab, u64 keep)
{
	size_t n = 0, nr = hashmap__nr(t->exited), iter;
	void **rows, *row;
	u64 *keys;

	if (nr <= (t->final ? keep : 2 * keep))
		return;
	rows = xzalloc(nr * sizeof(*rows));
	hashmap__for_each(t->exited, iter, row) {
		void *r = hashmap__find(tab, hashmap__key(row));

		if (r)
			rows[n++] = r;
	}
	if (n > keep) {
		qsort_r(rows, n, sizeof(*rows), top_cmp_ptr, t);
		keys = xzalloc((n - keep) * sizeof(*keys));
		for (size_t i = keep; i < n; i++) {
			for (int c = 0; c < t->ncols; c++)
				t->folded[c] += row_vals(rows[i])[c];
			keys[i - keep] = hashmap__key(rows[i]);
		}
		/* deletes move values: by key, after the last use of @rows */
		for (size_t i = 0; i < n - keep; i++) {
			hashmap__del(tab, keys[i]);
			hashmap__del(t->exited, keys[i]);
		}
		t->folded_rows += n - keep;
		free(keys);
	}
	free(rows);
	/* tids with no row left (or never one) are forgotten */
	if (hashmap__nr(t->exited) > 2 * keep) {
		struct hashmap *kept = hashmap__new(0, 0);

		hashmap__for_each(t->exited, iter, row)
			if (hashmap__find(tab, hashmap__key(row)))
				hashmap__get(kept, hashmap__key(row));
		hashmap__free(t->exited);
		t->exited = kept;
	}
}

/* the interval's rows join the whole run's (columns summed, a name kept); a new interval */
static void top_report_merge(void *ctx)
{
	struct top *t = ((struct prof *)ctx)->priv;
	size_t iter;
	void *row;

	hashmap__for_each(t->tab, iter, row) {
		void *w = hashmap__get(t->whole, hashmap__key(row));

		if (!w)
			continue;	/* over --max-rows: counted by the table */
		for (int i = 0; i < t->ncols; i++)
			row_vals(w)[i] += row_vals(row)[i];
		if (!row_name(t, w)[0])
			memcpy(row_name(t, w), row_name(t, row), TOP_NAME_LEN);
	}
	if (t->exited)
		top_fold_exited(t, t->whole, ((const struct top_opts *)((struct prof *)ctx)->opts)->keep_exited);
	hashmap__reset(t->tab);
	t->last_row = NULL;
	t->samples = 0;
}

static const struct report_ops top_report_ops = { top_report_print, top_report_merge };
static const struct report_ops top_cumulative_ops = { top_report_print, NULL };

static const struct report_ops *top_ops(const struct prof *prof)
{
	return ((const struct top_opts *)prof->opts)->cumulative ? &top_cumulative_ops :
								    &top_report_ops;
}

static void top_interval(struct prof *prof)
{
	struct top *t = prof->priv;

	top_bpf_pull(prof, t);
	report__interval(&t->cycle, top_ops(prof), prof, "interval");
	/* --cumulative: the sample table is the whole run's */
	if (t->exited && !t->whole) {
		top_fold_exited(t, t->tab, ((const struct top_opts *)prof->opts)->keep_exited);
		t->last_row = NULL;
	}
}

static void top_final(struct prof *prof)
{
	const struct top_opts *o = prof->opts;
	struct top *t = prof->priv;

	top_bpf_pull(prof, t);
	t->final = true;
	/* --cumulative, or no interval reported yet: the sample table is the whole run */
	if (t->exited && (!t->whole || !t->cycle.reported)) {
		top_fold_exited(t, t->tab, o->keep_exited);
		t->last_row = NULL;
	}
	report__final(&t->cycle, top_ops(prof), prof);
	top_bpf_final(prof, t);
	bpf_agg__report_missed(t->agg, prof, "they are in no row");
	if (t->printkey_errors)
		fprintf(prof__diag(prof), "perf-prof top: printkey= failed on %llu keys (division by "
					  "zero, a printf width or precision beyond %d, ...): they "
					  "are printed as numbers\n",
			(unsigned long long)t->printkey_errors, EXPR_PRINTF_MAX_WIDTH);
	if (hashmap__drops(t->tab))
		fprintf(stderr, "perf-prof top: %llu samples dropped: more than %llu rows "
				"(raise --max-rows)\n", (unsigned long long)hashmap__drops(t->tab),
			(unsigned long long)o->max_rows);
	if (t->whole && hashmap__drops(t->whole))
		fprintf(stderr, "perf-prof top: %llu rows of intervals left out of the whole run's "
				"table: more than %llu rows (raise --max-rows)\n",
			(unsigned long long)hashmap__drops(t->whole), (unsigned long long)o->max_rows);
}

static void top_sigusr1(struct prof *prof)
{
	struct top *t = prof->priv;

	top_bpf_pull(prof, t);
	report__signal(&t->cycle, top_ops(prof), prof);
}

static void top_deinit(struct prof *prof)
{
	struct top *t = prof->priv;

	if (!t)
		return;
	for (int i = 0; t->evs && i < prof->nr_evs; i++) {
		expr_free(t->evs[i].key);
		expr_free(t->evs[i].comm);
	}
	for (int i = 0; i < t->ncols; i++) {
		free(t->cols[i].title);
		expr_free(t->cols[i].expr);
	}
	for (int i = 0; t->filters && i < prof->nr_evs; i++)
		expr_free(t->filters[i]);
	free(t->filters);
	bpf_agg__delete(t->agg);
	hashmap__free(t->seen);
	hashmap__free(t->gone);
	free(t->seen_stats);
	expr_free(t->printkey);
	hashmap__free(t->tab);
	hashmap__free(t->whole);
	hashmap__free(t->exited);
	free(t->folded);
	free(t->evs);
	free(t->order);
	free(t->key_title);
	free(t->name_title);
	free(t);
	prof->priv = NULL;
}

#define TOPOPT(f) offsetof(struct top_opts, f)
static const struct opt top_opts[] = {
	{ OPT_STRING, 'k', "key", TOPOPT(key), "EXPR",
	  "default key of events without key= (default: thread id)", NULL, false },
	{ OPT_BOOL, 0, "only-comm", TOPOPT(only_comm), NULL,
	  "merge rows by name (comm= or the task's comm) instead of key", NULL, false },
	{ OPT_BOOL, 0, "cumulative", TOPOPT(cumulative), NULL,
	  "never reset the table between reports", NULL, false },
	{ OPT_INT, 0, "top", TOPOPT(top), "N",
	  "print at most N rows (default: all, or the screen height on a terminal)", NULL, false },
	{ OPT_U64, 0, "max-rows", TOPOPT(max_rows), "N",
	  "keep at most N keys; more are dropped and counted (default 1000000; 0: no limit)",
	  NULL, false },
	{ OPT_U64, 0, "keep-exited", TOPOPT(keep_exited), "N",
	  "thread-id keys: the whole run keeps the N largest rows of exited threads and sums "
	  "the others into one row '-' named exited:COUNT (default 1000; 0: keep all)",
	  NULL, false },
	OPT_TABLE_END,
};

const struct profiler top_profiler = {
	.name = "top",
	.summary = "key/value counters per interval, sorted like top",
	.synopsis = "perf-prof top -e EVENT[,EVENT...] [-k EXPR] [-i MS] [--only-comm] "
		    "[--cumulative] [--top N] [--keep-exited N] [--json] [--bpf | --no-bpf]",
	.help =
		"Every sample adds its columns to the row of its key. Columns come from the\n"
		"event attributes top-by=EXPR (summed, sorted on, in order) and top-add=EXPR\n"
		"(summed, shown); an event with neither counts its samples. The key is key=EXPR\n"
		"or -k EXPR, else the thread id. comm=EXPR names rows (default: the task's\n"
		"comm when the key is a thread id), printkey=EXPR prints the key itself (its\n"
		"only variable is 'key'). Several events share one table keyed the same way.\n"
		"A report every interval (default 1000 ms) covers that interval and resets the\n"
		"table unless --cumulative; the final report, at exit (Ctrl-C, -N, end of the\n"
		"workload), covers the whole run (after the last partial interval, when there\n"
		"were intervals). SIGUSR1 prints the table without resetting it. Expressions:\n"
		"Documentation/expressions.md.\n"
		"Tracepoints are counted in the kernel by BPF programs when the options allow\n"
		"it (no record is written to a ring, other tracers see every record): --bpf\n"
		"requires it, --no-bpf reads the records, -v says which (Documentation/bpf.md).\n"
		"\nEXAMPLES\n"
		"    perf-prof top -e syscalls:sys_enter_getppid\n"
		"    perf-prof top -e 'sched:sched_switch//key=prev_pid/comm=prev_comm/'\n"
		"    perf-prof top -e 'sched:sched_stat_runtime//key=pid/top-by=runtime/comm=comm/' "
		"--top 10\n"
		"    perf-prof top -e 'syscalls:sys_enter_write//top-by=count/top-add=1/' -- ./app\n"
		"    perf-prof top -e 'sched:sched_wakeup//key=target_cpu/' --cumulative -i 5000\n"
		"    perf-prof top -e 'irq:softirq_entry//key=vec/printkey=printf(\"vec%d\",key)/'\n",
	.opts = top_opts,
	.opts_size = sizeof(struct top_opts),
	.opts_init = top_opts_init,
	.attrs = top_attrs,
	.common = COMMON_ALL_EVENTS & ~COMMON_CALLGRAPH & ~COMMON_FLAMEGRAPH,
	.pages = 256,
	.interval_ms = 1000,
	.help_example = "[-k EXPR] [-i MS] [--only-comm] [--cumulative] [--top N] [--json]",
	.init = top_init,
	.start = top_start,
	.sample = top_sample,
	.interval = top_interval,
	.final = top_final,
	.deinit = top_deinit,
	.sigusr1 = top_sigusr1,
	.task_exit = top_task_exit,
};
