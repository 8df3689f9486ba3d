// SPDX-License-Identifier: GPL-2.0
/*
 * multi-trace.c - latency between related events. Each -e is a position of
 * a chain; the events inside one -e are alternatives. An event of position
 * p+1 closes the pair opened by the last event of position p with the same
 * key (key=/-k EXPR, default the thread id), and the delay goes into the
 * statistics of that (from => to) pair of events:
 *
 *   2026-11-22 03:31:02.118022 multi-trace: final: 300 pairs in 3.412 s
 *                                   from => to                 count        min ...
 *   sys_enter_nanosleep => sys_exit_nanosleep                  300   2.061 ms ...
 *
 * State: per key, the waiting event of every position (a bounded hashmap);
 * with --than/--detail/--impl pair, copies of recent samples in a bounded
 * time-ordered backlog, so a slow pair can be printed with its first event
 * and whatever happened in between. Reports per interval (-i), on SIGUSR1
 * (without reset) and at exit (the whole run).
 */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "agg.h"
#include "bpfagg.h"
#include "json.h"
#include "latency.h"
#include "pair.h"
#include "profiler.h"
#include "report.h"

#define MT_BL_NONE UINT64_MAX
#define MT_DEFER_MAX 64
/*
 * Each (from, to) pair of events has its row in a dense events x events
 * table (two of them: the interval's and the whole run's), at most 65536
 * rows (lattab): 256 events, 16 MiB of rows.
 */
#define MT_MAX_EVENTS 256
_Static_assert(MT_MAX_EVENTS <= BPF_AGG_PAIR_MAX_EVS, "the kernel pairs every run's events");
/* rows of the kernel's table: pairs of events (per instance with --perins), 15 KiB each */
#define MT_BPF_ROWS 4096
/* --than in the kernel: the ring buffer of slow pairs (304 bytes each, ~3400) */
#define MT_BPF_SLOW_BYTES (1 << 20)

enum mt_impl { MT_DELAY, MT_PAIR };

/*
 * What happened to the events of one kind: the pairing engine counts the
 * rare outcomes (replaced, dropped, orphans) as they happen; "paired"
 * comes from the statistics rows and "opened" from the identity opened =
 * paired + replaced + dropped + (waiting now - waiting at the last
 * report), so the hot path counts nothing.
 */
/* the columns of the per-event table (--impl pair, JSON) */
enum { C_OPENED, C_PAIRED, C_REPLACED, C_DROPPED, C_WAITING, C_ORPHANS, C_NR };

struct mt_opts {
	const char *key;	/* -k */
	const char *impl;	/* --impl delay|pair */
	u64 than;		/* --than, 0: none (--only-than sets it too) */
	u64 only_than;		/* --only-than: as --than, reports hold only the slow pairs */
	const char *detail;	/* --detail[=ITEMS]: "" when bare, NULL when absent */
	bool perins;
	bool cycle;
	bool hist;		/* --hist: a log2 histogram per pair after the table */
	const char *heatmap;
	u64 max_keys;
	u64 backlog_mb;
};

/* one copy of a sample in the backlog; the callchain and the raw record follow */
struct blrec {
	u32 size;	/* bytes of the record, a multiple of 8; 0 marks padding */
	u32 back;	/* bytes back to the start of the previous record */
	u64 time;
	u64 key;
	s32 pid;
	s32 tid;
	s32 cpu;
	u32 ev;
	u32 raw_size;
	u32 nr_ips;
};

/*
 * The backlog: a byte ring of copies addressed by ever-growing logical
 * positions (physical = position % cap). A record never wraps: when it
 * does not fit before the end it starts the next lap, the gap holding a
 * padding header (or nothing, when smaller than a header). Writing evicts
 * the oldest records; a position is valid while it is >= tail.
 */
struct backlog {
	unsigned char *buf;
	u64 cap;
	u64 head;	/* where the next record goes */
	u64 tail;	/* the oldest record */
	u64 last;	/* the newest record, MT_BL_NONE when empty */
	u64 evicted;	/* records overwritten since the start */
	u64 too_big;	/* samples larger than half the backlog, not kept */
};

/* one event; what the hot path reads comes first (one cache line) */
struct mt_ev {
	struct numsrc key;
	int idx;
	int pos;
	int prev_pos;		/* the position it closes (-1: none) */
	bool fast;		/* traced, no role=/trigger, and the run copies nothing,
				 * draws no heatmap, has no --than and no --perins */
	bool can_open;		/* some later position exists (or --cycle) */
	bool can_close;
	bool untraced;
	bool trigger;
	struct expr *role;	/* NULL: may open and close */
	struct evline line;
};

struct mt_detail {
	u64 before, after;	/* -T, +T windows */
	bool samecpu, samepid, sametid, samekey;
	bool only1, only2;	/* filters compare with event 1 / event 2 only */
};

struct mt_defer {
	u64 bl1, bl2, t1, t2, until, key, delay;
	u32 ev1, ev2;
};

struct mt {
	/* the hot path's: */
	struct latrow *rows;		/* stats' rows when not per instance */
	int nr;
	/*
	 * the waiting events: key -> a begin per position that opens pairs,
	 * their time and backlog position (data, MT_BL_NONE if none)
	 */
	struct pairs pairs;
	/* the rest */
	struct mt_ev *evs;
	int npos;
	int nslots;
	enum mt_impl impl;
	struct lattab *stats;		/* since the last report */
	struct lattab *whole;		/* the whole run (merged at each report) */
	char **names;			/* row id -> "from => to", NULL if no such pair */
	bool *ns;
	int *series;			/* row id -> heatmap series */
	struct heatmap *hm;
	struct outliers out;		/* the stacks of slow pairs */
	const char **ev_names;		/* their root frames: the events' names */
	struct backlog bl;
	bool keep_all;			/* --detail: every event is copied */
	bool keep_open;			/* --than / pair: opening events are copied */
	bool keys_tid;			/* every key is a thread id: a begin dies with its task */
	u64 exited;			/* begins dropped because their task exited */
	u64 than;
	struct mt_detail det;
	struct mt_defer defer[MT_DEFER_MAX];
	int ndefer, defer_head;
	struct trace_seq seq;
	struct json *js;		/* printing a slow pair as JSON */
	bool inst_tid;
	u64 lost;
	struct report_cycle cycle;
	struct expr *printkey;		/* printkey=: how the key of a slow pair is printed */
	u64 printkey_errors;		/* keys it failed on, printed as numbers */
	/* pairing in the kernel */
	struct bpf_agg *agg;
	struct expr **filters;		/* per event, its filter compiled for the kernel */
	struct bpf_agg_stats *seen;	/* per event, the kernel's counters as last read */
	u64 *kwait;			/* per event, begins waiting in the kernel at the last read */
	u64 *kwait_before;		/* ... at the last interval's end */
	u64 row_drops;			/* pairs the kernel's full table could not keep */
	struct ring_buffer *slow_rb;	/* --than in the kernel: the slow pairs */
	u64 slow, slow_lost;		/* ... written, and lost to a full buffer */
};

static const char *const mt_attrs[] = {
	"alias", "key", "untraced", "stack", "max-stack", "role", "trigger", "printkey", NULL,
};

static void mt_opts_init(void *p)
{
	struct mt_opts *o = p;

	o->max_keys = 1000000;
	o->backlog_mb = 64;
}

static int mt_opt_detail(const struct opt *o, const char *arg, void *dst, struct err *err)
{
	*(const char **)dst = arg ? arg : "";
	return 0;
}

static const char *mt_name(const struct evspec *ev)
{
	return ev->alias ? ev->alias : ev->name;
}

/* ------------------------------------------------------------------ */
/* the backlog                                                          */
/* ------------------------------------------------------------------ */

static inline struct blrec *bl_at(const struct backlog *b, u64 pos)
{
	return (struct blrec *)(b->buf + pos % b->cap);
}

/* bl_next - the record after @pos (padding skipped); may be == head */
static u64 bl_next(const struct backlog *b, u64 pos)
{
	pos += bl_at(b, pos)->size;
	for (;;) {
		u64 room = b->cap - pos % b->cap;

		if (pos >= b->head)
			return b->head;
		if (room < sizeof(struct blrec)) {
			pos += room;
			continue;
		}
		if (bl_at(b, pos)->size)
			return pos;
		pos += room;	/* padding runs to the end of the lap */
	}
}

static inline bool bl_valid(const struct backlog *b, u64 pos)
{
	return pos != MT_BL_NONE && pos >= b->tail && pos < b->head;
}

/* bl_add - copy @s in; returns its position or MT_BL_NONE */
static u64 bl_add(struct backlog *b, const struct prof_sample *s, u64 key)
{
	u64 ips = s->nr_ips * sizeof(u64);
	u64 size = (sizeof(struct blrec) + ips + s->raw_size + 7) & ~7ULL;
	u64 pad = b->head, room = b->cap - pad % b->cap, w = pad;
	struct blrec *r;

	if (unlikely(size > b->cap / 2)) {
		b->too_big++;
		return MT_BL_NONE;
	}
	if (room < size)
		w += room;	/* start the next lap */
	/* make room, the gap included: the oldest records go */
	while (b->tail < b->head && w + size - b->tail > b->cap) {
		b->tail = bl_next(b, b->tail);
		b->evicted++;
	}
	if (b->tail == b->head)
		b->tail = w;
	if (w != pad && room >= sizeof(struct blrec))
		bl_at(b, pad)->size = 0;	/* padding to the end of the lap */
	r = bl_at(b, w);
	r->size = (u32)size;
	r->back = b->last != MT_BL_NONE && b->last >= b->tail ? (u32)(w - b->last) : 0;
	r->time = s->time;
	r->key = key;
	r->pid = s->pid;
	r->tid = s->tid;
	r->cpu = s->cpu;
	r->ev = (u32)s->ev->index;
	r->raw_size = s->raw_size;
	r->nr_ips = (u32)s->nr_ips;
	if (ips)
		memcpy(r + 1, s->ips, ips);
	memcpy((char *)(r + 1) + ips, s->raw, s->raw_size);
	b->last = w;
	b->head = w + size;
	return w;
}

static u64 bl_prev(const struct backlog *b, u64 pos)
{
	u32 back = bl_at(b, pos)->back;

	if (!back || pos - back < b->tail)
		return MT_BL_NONE;
	return pos - back;
}

static void bl_sample(struct prof *prof, const struct blrec *r, struct prof_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->time = r->time;
	s->pid = r->pid;
	s->tid = r->tid;
	s->cpu = r->cpu;
	s->period = 1;
	s->nr_ips = r->nr_ips;
	s->ips = r->nr_ips ? (const u64 *)(r + 1) : NULL;
	s->raw = (const char *)(r + 1) + (size_t)r->nr_ips * sizeof(u64);
	s->raw_size = r->raw_size;
	s->ev = prof->evs[r->ev];
}

/* ------------------------------------------------------------------ */
/* init                                                                 */
/* ------------------------------------------------------------------ */

static int mt_parse_detail(struct mt *m, const char *spec, struct err *err)
{
	char *copy = xstrdup(spec), *save = NULL, *tok;
	int r = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		u64 v;

		if (!strcmp(tok, "samecpu"))
			m->det.samecpu = true;
		else if (!strcmp(tok, "samepid"))
			m->det.samepid = true;
		else if (!strcmp(tok, "sametid"))
			m->det.sametid = true;
		else if (!strcmp(tok, "samekey"))
			m->det.samekey = true;
		else if (!strcmp(tok, "1"))
			m->det.only1 = true;
		else if (!strcmp(tok, "2"))
			m->det.only2 = true;
		else if ((tok[0] == '-' || tok[0] == '+') && !parse_duration(tok + 1, &v))
			*(tok[0] == '-' ? &m->det.before : &m->det.after) = v;
		else {
			r = err_set(err, EXIT_USAGE, "invalid --detail item '%s'", tok);
			err_hint(err, "items, comma separated: -DURATION (events before the first), "
				      "+DURATION (after the last), samecpu, samepid, sametid, samekey, "
				      "1, 2; e.g. --detail=-1ms,+1ms,samecpu");
		}
	}
	if (!r && m->det.only1 && m->det.only2)
		r = err_set(err, EXIT_USAGE, "--detail items '1' and '2' exclude each other");
	free(copy);
	return r;
}

static int mt_ev_init(struct prof *prof, struct mt *m, struct mt_ev *e, struct evspec *ev,
		      struct err *err)
{
	const struct mt_opts *o = prof->opts;
	const char *key = evspec_attr(ev, "key"), *role = evspec_attr(ev, "role");

	e->idx = ev->index;
	e->pos = ev->pos;
	e->untraced = evspec_attr(ev, "untraced") != NULL;
	e->trigger = evspec_attr(ev, "trigger") != NULL;
	evline__init(&e->line, ev->tp);
	if (numsrc__init(&e->key, key ? key : o->key, ev->tp, ev->env, key ? "key=" : "-k ", ev->display,
			 err))
		return -1;
	if (role) {
		e->role = expr_compile(role, ev->tp, err);
		expr_bind(e->role, prof->env);
		if (!e->role) {
			err_prefix(err, "role=%s of '%s'", role, ev->display);
			return -1;
		}
		if (expr_result_type(e->role) != EXPR_INT) {
			err_set(err, EXIT_USAGE, "role=%s of '%s' is a string; role is a number "
						 "(bit 0: may start a pair, bit 1: may end one)",
				role, ev->display);
			return -1;
		}
	}
	if (e->untraced) {
		e->prev_pos = -1;
		return 0;
	}
	e->can_open = o->cycle || e->pos < m->npos - 1;
	e->can_close = o->cycle || e->pos > 0;
	e->prev_pos = e->pos > 0 ? e->pos - 1 : m->npos - 1;
	if (!e->can_close)
		e->prev_pos = -1;
	return 0;
}

static int mt_check_positions(struct prof *prof, struct mt *m, struct err *err)
{
	const struct mt_opts *o = prof->opts;

	m->npos = prof->opt.events.n;
	if (m->npos < 2 && !o->cycle) {
		err_set(err, EXIT_USAGE, "multi-trace needs at least two -e positions, got %d",
			m->npos);
		err_hint(err, "each -e is one position of the chain: -e START -e END "
			      "(or --cycle to pair an event with its previous occurrence)");
		return -1;
	}
	for (int p = 0; p < m->npos; p++) {
		bool traced = false;

		for (int i = 0; i < prof->nr_evs; i++)
			if (prof->evs[i]->pos == p && !evspec_attr(prof->evs[i], "untraced"))
				traced = true;
		if (!traced) {
			err_set(err, EXIT_USAGE, "every event of -e position %d ('%s') is untraced",
				p + 1, prof->opt.events.v[p]);
			err_hint(err, "a position needs one traced event; untraced events only "
				      "appear in --detail output");
			return -1;
		}
	}
	return 0;
}

/* "from => to" for every pair that can happen, aligned like a table column */
static void mt_names(struct prof *prof, struct mt *m)
{
	char abuf[TEXT_NAME_MAX], bbuf[TEXT_NAME_MAX];
	int fw = 0, tw = 0;

	m->names = xzalloc((size_t)m->nr * (size_t)m->nr * sizeof(*m->names));
	m->ns = xzalloc((size_t)m->nr * (size_t)m->nr * sizeof(*m->ns));
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < m->nr; i++) {
			for (int j = 0; j < m->nr; j++) {
				const struct mt_ev *a = &m->evs[i], *b = &m->evs[j];
				/* aliases are words of the table: escaped, they add no column */
				const char *an = text_name(mt_name(prof->evs[i]), abuf, sizeof(abuf));
				const char *bn = text_name(mt_name(prof->evs[j]), bbuf, sizeof(bbuf));

				if (!a->can_open || !b->can_close || b->prev_pos != a->pos)
					continue;
				if (pass == 0) {
					fw = (int)strlen(an) > fw ? (int)strlen(an) : fw;
					tw = (int)strlen(bn) > tw ? (int)strlen(bn) : tw;
					continue;
				}
				m->names[i * m->nr + j] = xasprintf("%*s => %-*s", fw, an, tw, bn);
				m->ns[i * m->nr + j] = true;
			}
		}
	}
}

static int mt_heatmap_open(struct prof *prof, struct mt *m, struct err *err)
{
	const struct mt_opts *o = prof->opts;
	int n = m->nr * m->nr, k = 0;
	const char **series = xzalloc((size_t)n * sizeof(*series));

	m->series = xzalloc((size_t)n * sizeof(*m->series));
	for (int id = 0; id < n; id++) {
		m->series[id] = -1;
		if (m->names[id]) {
			const struct mt_ev *a = &m->evs[id / m->nr], *b = &m->evs[id % m->nr];

			series[k] = xasprintf("%s => %s", mt_name(prof->evs[a->idx]),
					      mt_name(prof->evs[b->idx]));
			m->series[id] = k++;
		}
	}
	m->hm = heatmap__open(o->heatmap, series, k, true, "latency", err);
	for (int i = 0; i < k; i++)
		free((char *)series[i]);
	free(series);
	return m->hm ? 0 : -1;
}

static void mt_outlier(void *ctx, u64 key, const struct pair_begin *b, u32 end_ev, u64 delay,
		       const void *end, u64 bl);

/* printkey=EXPR on any event: how a slow pair's key is printed (as in top) */
static int mt_printkey_init(struct prof *prof, struct mt *m, struct err *err)
{
	static const char *const vars[] = { "key", NULL };
	const char *pk = NULL;

	for (int i = 0; !pk && i < prof->nr_evs; i++)
		pk = evspec_attr(prof->evs[i], "printkey");
	if (!pk)
		return 0;
	m->printkey = expr_compile_vars(pk, vars, err);
	if (!m->printkey) {
		err_prefix(err, "printkey=");
		return -1;
	}
	expr_bind(m->printkey, prof->env);
	return 0;
}

static int mt_bpf_init(struct prof *prof, struct mt *m, struct err *err);

static int mt_setup(struct prof *prof, struct err *err)
{
	struct mt_opts *wo = prof->opts;
	const struct mt_opts *o = wo;
	struct mt *m = xzalloc(sizeof(*m));
	bool any_untraced = false;

	prof->priv = m;
	if (o->only_than) {
		if (o->than && o->than != o->only_than) {
			err_set(err, EXIT_USAGE, "--than and --only-than give two thresholds");
			err_hint(err, "--only-than T is --than T with reports of the slow pairs only: "
				      "give one of them");
			return -1;
		}
		wo->than = o->only_than;
	}
	trace_seq_init(&m->seq);
	m->bl.last = MT_BL_NONE;
	if (!o->impl || !strcmp(o->impl, "delay")) {
		m->impl = MT_DELAY;
	} else if (!strcmp(o->impl, "pair")) {
		m->impl = MT_PAIR;
	} else {
		err_set(err, EXIT_USAGE, "unknown --impl '%s'", o->impl);
		err_hint(err, "--impl delay (latency statistics, the default) or --impl pair "
			      "(events left without a partner)");
		return -1;
	}
	if (o->detail && !o->than) {
		err_set(err, EXIT_USAGE, "--detail needs --than");
		err_hint(err, "--detail shows what happened around the pairs slower than --than, "
			      "e.g. --than 5ms --detail");
		return -1;
	}
	if (o->detail && mt_parse_detail(m, o->detail, err))
		return -1;
	/* records are linked by u32 distances: the ring stays below 4 GiB */
	if (o->backlog_mb < 1 || o->backlog_mb > 2048) {
		err_set(err, EXIT_USAGE, "invalid --backlog-mb %llu: 1 to 2048",
			(unsigned long long)o->backlog_mb);
		return -1;
	}
	if (mt_check_positions(prof, m, err))
		return -1;
	if (prof->nr_evs > MT_MAX_EVENTS) {
		err_set(err, EXIT_USAGE, "too many events for multi-trace: %d, at most %d",
			prof->nr_evs, MT_MAX_EVENTS);
		err_detail(err, "every pair of events has its own row of statistics: %d events "
				"make %d pairs, multi-trace keeps at most %d",
			   prof->nr_evs, prof->nr_evs * prof->nr_evs, MT_MAX_EVENTS * MT_MAX_EVENTS);
		err_hint(err, "for the time of every system call, pair -e raw_syscalls:sys_enter "
			      "with -e raw_syscalls:sys_exit; or name fewer events, e.g. "
			      "-e 'syscalls:sys_enter_read*' -e 'syscalls:sys_exit_read*'");
		return -1;
	}
	m->nr = prof->nr_evs;
	/* a slot per position that opens pairs: all but the last, unless --cycle */
	m->nslots = o->cycle ? m->npos : m->npos - 1;
	m->evs = xzalloc((size_t)m->nr * sizeof(*m->evs));
	for (int i = 0; i < m->nr; i++) {
		prof->evs[i]->priv = &m->evs[i];
		if (mt_ev_init(prof, m, &m->evs[i], prof->evs[i], err))
			return -1;
		any_untraced |= m->evs[i].untraced;
	}
	m->keys_tid = true;
	for (int i = 0; i < m->nr; i++)
		m->keys_tid &= m->evs[i].untraced || m->evs[i].key.tid_like;
	if (any_untraced && !o->detail && !prof->opt.quiet)
		fprintf(stderr, "perf-prof multi-trace: note: untraced events are only shown "
				"by --detail\n");
	mt_names(prof, m);
	m->ev_names = xzalloc((size_t)m->nr * sizeof(*m->ev_names));
	for (int i = 0; i < m->nr; i++)
		m->ev_names[i] = mt_name(prof->evs[i]);
	if (mt_printkey_init(prof, m, err))
		return -1;
	if (outliers__init(&m->out, prof, o->than != 0, "pairs slower than --than", "latency",
			   "nanoseconds", m->ev_names, err))
		return -1;
	pairs__init(&m->pairs, m->nslots, m->nr, o->max_keys);
	m->stats = lattab__new((unsigned)(m->nr * m->nr), o->perins, 0);
	m->rows = m->stats ? m->stats->rows : NULL;	/* never moves */
	m->whole = lattab__new((unsigned)(m->nr * m->nr), o->perins, 0);
	if (!m->pairs.pending || !m->stats || !m->whole)
		return err_set(err, EXIT_USAGE, "too many positions for multi-trace (%d)", m->npos);
	m->inst_tid = prof->opt.pids || prof->opt.tids || prof->opt.workload;
	m->keep_all = o->detail != NULL;
	m->keep_open = o->than || m->impl == MT_PAIR;
	m->than = o->than;
	pairs__set_outliers(&m->pairs, o->than, mt_outlier, prof);
	if (m->keep_all || m->keep_open) {
		m->bl.cap = o->backlog_mb << 20;
		m->bl.buf = xzalloc(m->bl.cap);
	}
	if (o->heatmap && mt_heatmap_open(prof, m, err))
		return -1;
	for (int i = 0; i < m->nr; i++) {
		struct mt_ev *e = &m->evs[i];

		e->fast = !e->untraced && !e->role && !e->trigger && !m->keep_all &&
			  !m->keep_open && !m->hm && !o->perins;
	}
	report_cycle__init(&m->cycle);
	return mt_bpf_init(prof, m, err);
}

/* ------------------------------------------------------------------ */
/* pairing in the kernel                                                */
/* ------------------------------------------------------------------ */

/* what keeps the run reading the records, NULL when the kernel can pair */
static const char *mt_bpf_why(struct prof *prof, const struct mt *m)
{
	const struct mt_opts *o = prof->opts;

	if (m->impl == MT_PAIR)
		return "--impl pair prints the events left waiting";
	if (o->detail)
		return "--detail prints the events around each slow pair";
	if (o->than && (prof->opt.callgraph || prof->opt.call_graph))
		return "-g prints each slow pair's stacks";
	if (m->hm)
		return "--heatmap needs each pair's time";
	if (prof->opt.exit_n || prof->opt.sampling_limit || prof->opt.perfeval_cpus ||
	    prof->opt.perfeval_pids)
		return "-N, --sampling-limit and --perfeval-* need each sample in user space";
	for (int i = 0; i < m->nr; i++) {
		const struct mt_ev *e = &m->evs[i];

		if (prof->evs[i]->kind != EVSPEC_TRACEPOINT)
			return "an event is not a tracepoint";
		if (e->untraced || e->role || e->trigger)
			return "untraced, role= and trigger need each record in user space";
	}
	return NULL;
}

static int mt_bpf_slow(void *ctx, void *data, size_t size);
static void mt_bpf_slow_ready(struct prof *prof);

static int mt_bpf_build(struct prof *prof, char *why, size_t len)
{
	struct mt *m = prof->priv;
	const struct mt_opts *o = prof->opts;
	int r = bpf_agg__new(BPF_AGG_HIST_COLS, MT_BPF_ROWS, m->nr, m->inst_tid, !prof->opt.tids,
			     BPF_AGG_GENS, &m->agg, why, len);

	if (!r)
		r = bpf_agg__pairs(m->agg, m->nslots, o->max_keys, m->keys_tid, why, len);
	if (!r && o->than) {
		r = bpf_agg__than(m->agg, o->than, MT_BPF_SLOW_BYTES, why, len);
		if (r >= 0) {
			m->slow_rb = ring_buffer__new(r, mt_bpf_slow, prof, NULL);
			r = m->slow_rb ? 0 : -errno;
			if (r)
				snprintf(why, len, "cannot map the BPF ring buffer: %s", strerror(-r));
		}
	}
	m->filters = xzalloc((size_t)m->nr * sizeof(*m->filters));
	for (int i = 0; !r && i < m->nr; i++) {
		struct evspec *ev = prof->evs[i];
		const struct mt_ev *e = &m->evs[i];
		struct bpf_agg_ev ae = {
			.tp_id = (u32)ev->tp->id, .pair = true,
			.key = e->key.kind == NUMSRC_TID ? NULL : e->key.expr,
			.key_kind = !o->perins ? BPF_AGG_KEY_NONE :
				    m->inst_tid ? BPF_AGG_KEY_TID : BPF_AGG_KEY_CPU,
			.open_slot = e->can_open ? e->pos : -1,
			.close_slot = e->can_close ? e->prev_pos : -1,
			.cpu_set = prof->opt.cpus || ev->cpus,
		};
		struct err xerr = { 0 };

		if (e->key.kind != NUMSRC_TID && !e->key.expr)
			return snprintf(why, len, "the key is not an expression"), -EOPNOTSUPP;
		if (ev->filter) {
			m->filters[i] = expr_compile(ev->filter, ev->tp, &xerr);
			if (!m->filters[i]) {
				snprintf(why, len, "filter '%.200s' is not an expression: %.200s",
					 ev->filter, xerr.msg);
				return -EINVAL;
			}
			ae.filter = m->filters[i];
		}
		r = bpf_agg__add(m->agg, i, &ae, why, len);
	}
	return r;
}

/* pair in the kernel when the options allow it (--bpf: must, --no-bpf: never) */
static int mt_bpf_init(struct prof *prof, struct mt *m, struct err *err)
{
	int r = bpf_agg__choose(prof, &m->agg, mt_bpf_why(prof, m), "pair", mt_bpf_build, err);

	if (r <= 0) {
		ring_buffer__free(m->slow_rb);
		m->slow_rb = NULL;
		return r;
	}
	/* no record comes to user space: no backlog */
	free(m->bl.buf);
	m->bl.buf = NULL;
	m->bl.cap = 0;
	m->seen = xzalloc((size_t)m->nr * sizeof(*m->seen));
	m->kwait = xzalloc((size_t)m->nr * sizeof(*m->kwait));
	m->kwait_before = xzalloc((size_t)m->nr * sizeof(*m->kwait_before));
	if (prof->opt.verbose)
		fprintf(prof__diag(prof), "perf-prof multi-trace: pairing in the kernel: %d BPF "
			"programs (%d instructions), no ring events\n", m->nr, bpf_agg__insns(m->agg));
	return 0;
}

static int mt_start(struct prof *prof, struct err *err)
{
	struct mt *m = prof->priv;
	char why[320];

	if (!m->agg)
		return 0;
	if (bpf_agg__start_prof(m->agg, prof, why, sizeof(why)))
		return err_set(err, EXIT_FAIL, "cannot pair in the kernel: %s", why);
	if (m->slow_rb)
		return prof__watch(prof, ring_buffer__epoll_fd(m->slow_rb), mt_bpf_slow_ready, err);
	return 0;
}

static void mt_bpf_row(void *ctx, u64 key, const u64 *vals)
{
	struct mt *m = ctx;
	struct latrow *row = lattab__row(m->stats, (int)(key >> 16), (unsigned)(key & 0xffff));

	if (row)
		bpf_agg__hist_add(&row->st, vals);
}

/*
 * mt_bpf_pull - the kernel's pairs since the last report into the
 * interval's table, its counters into the pairing engine's (which holds no
 * begin of its own in this mode)
 */
static void mt_bpf_pull(struct prof *prof, struct mt *m)
{
	if (!m->agg)
		return;
	/* the slow pairs written so far, their over counts into this interval's rows */
	if (m->slow_rb)
		ring_buffer__consume(m->slow_rb);
	bpf_agg__read_gen(m->agg, mt_bpf_row, m);
	for (int i = 0; i < m->nr; i++) {
		struct bpf_agg_stats st, *seen = &m->seen[i];
		u64 *cnt = m->pairs.cnt[i];

		if (bpf_agg__stats(m->agg, i, &st))
			continue;
		prof__expr_errors(prof, prof->evs[i], st.errors - seen->errors);
		cnt[PAIR_REPLACED] += st.replaced - seen->replaced;
		cnt[PAIR_ORPHANS] += st.orphans - seen->orphans;
		/* begins gone without a row: their thread exited, or the table was full */
		cnt[PAIR_DROPPED] += st.exited - seen->exited + st.drops - seen->drops;
		m->exited += st.exited - seen->exited;
		m->row_drops += st.drops - seen->drops;
		m->pairs.key_drops += st.key_drops - seen->key_drops;
		m->pairs.ooo += st.negative - seen->negative;
		m->slow_lost += st.slow_lost - seen->slow_lost;
		/* paired counts the begins ends took, kept in a row or not */
		m->kwait[i] = st.opened - st.paired - st.replaced - st.exited;
		*seen = st;
	}
}

/* ------------------------------------------------------------------ */
/* printing a slow pair                                                 */
/* ------------------------------------------------------------------ */

struct mt_ends {
	const struct blrec *r1, *r2;	/* NULL when not in the backlog */
	u64 key;
};

/* whether an event between/around a pair is shown, by the --detail filters */
static bool mt_detail_keep(const struct mt *m, const struct blrec *r, const struct mt_ends *e)
{
	const struct mt_detail *d = &m->det;
	const struct blrec *a = d->only2 ? NULL : e->r1, *b = d->only1 ? NULL : e->r2;

	if (d->samecpu && !((a && r->cpu == a->cpu) || (b && r->cpu == b->cpu)))
		return false;
	if (d->samepid && !((a && r->pid == a->pid) || (b && r->pid == b->pid)))
		return false;
	if (d->sametid && !((a && r->tid == a->tid) || (b && r->tid == b->tid)))
		return false;
	if (d->samekey && r->key != e->key)
		return false;
	return true;
}

/* one event of a slow pair: a line (behind a gutter with --detail), or a JSON object */
static void mt_emit(struct prof *prof, struct mt *m, const struct prof_sample *s, char mark,
		    u64 off)
{
	char gutter[32], d[24];

	if (m->js) {
		json_obj_begin(m->js, NULL);
		if (mark != ' ') {
			json_strn(m->js, "mark", &mark, 1);
			json_uint(m->js, "offset", off);
		}
		evline__json(m->js, s, prof->env);
		json_str(m->js, "event", s->ev->display);
		json_obj_end(m->js);
		return;
	}
	if (mark == ' ')
		snprintf(gutter, sizeof(gutter), "%12s", "");
	else
		snprintf(gutter, sizeof(gutter), "%c%s ", mark,
			 agg__fmt_duration(d, sizeof(d), off));
	outliers__print(&m->out, prof, &m->evs[s->ev->index].line, &m->seq, s,
			m->keep_all ? gutter : "");
}

static void mt_print_rec(struct prof *prof, struct mt *m, const struct blrec *r, char mark,
			 u64 off)
{
	struct prof_sample s;

	bl_sample(prof, r, &s);
	mt_emit(prof, m, &s, mark, off);
}

/* print the records in [from, to) that the filters keep */
static void mt_print_range(struct prof *prof, struct mt *m, u64 from, u64 to, char mark,
			   u64 base, const struct mt_ends *e, u64 until)
{
	for (u64 p = from; p < to && bl_valid(&m->bl, p); p = bl_next(&m->bl, p)) {
		const struct blrec *r = bl_at(&m->bl, p);

		if (r->time > until)
			break;
		if (mt_detail_keep(m, r, e))
			mt_print_rec(prof, m, r, mark,
				     mark == '-' ? base - r->time : r->time - base);
	}
}

static void mt_print_missing(struct prof *prof, struct mt *m, u64 t, u32 ev)
{
	char name[TEXT_NAME_MAX];

	if (m->js) {
		json_obj_begin(m->js, NULL);
		json_time(m->js, "time", t);
		json_str(m->js, "event", prof->evs[ev]->display);
		json_bool(m->js, "missing", true);
		if (m->agg)
			json_bool(m->js, "in_kernel", true);
		json_obj_end(m->js);
		return;
	}
	fprintf(prof->out, "%s%6llu.%06llu %s: %s\n",
		m->keep_all ? "            " : "", (unsigned long long)(t / 1000000000ULL),
		(unsigned long long)(t % 1000000000ULL / 1000),
		text_name(prof->evs[ev]->display, name, sizeof(name)),
		m->agg ? "(paired in the kernel, which keeps only its time; --no-bpf prints it)" :
			 "(no longer in the backlog; raise --backlog-mb)");
}

/* --flame-graph: the stack of the pair's first event (else its second) weighs its delay */
static void mt_flame(struct prof *prof, struct mt *m, const struct mt_ends *e,
		     const struct prof_sample *s2, u64 delay)
{
	struct prof_sample s;

	if (!m->out.fg)
		return;
	if (e->r1 || e->r2) {
		bl_sample(prof, e->r1 ? e->r1 : e->r2, &s);
		s2 = &s;
	}
	if (s2)
		outliers__add(&m->out, s2, delay);
}

static void mt_print_pair(struct prof *prof, struct mt *m, const struct mt_defer *d,
			  const struct prof_sample *s2)
{
	struct backlog *b = &m->bl;
	struct mt_ends e = { NULL, NULL, d->key };
	char dur[24], n1[TEXT_NAME_MAX], n2[TEXT_NAME_MAX];

	struct json j;

	if (bl_valid(b, d->bl1))
		e.r1 = bl_at(b, d->bl1);
	if (bl_valid(b, d->bl2))
		e.r2 = bl_at(b, d->bl2);
	mt_flame(prof, m, &e, s2, d->delay);
	if (prof->opt.json) {
		m->js = &j;
		json_begin(&j, prof->out);
		json_str(&j, "report", "slow");
		json_str(&j, "from", mt_name(prof->evs[d->ev1]));
		json_str(&j, "to", mt_name(prof->evs[d->ev2]));
		json_int(&j, "key", (s64)d->key);
		json_uint(&j, "delay", d->delay);
		json_arr_begin(&j, "events");
	} else {
		fprintf(prof->out, ">> %s %s => %s key ",
			agg__fmt_duration(dur, sizeof(dur), d->delay),
			text_name(mt_name(prof->evs[d->ev1]), n1, sizeof(n1)),
			text_name(mt_name(prof->evs[d->ev2]), n2, sizeof(n2)));
		if (!m->printkey || expr_printkey(m->printkey, prof->out, d->key, 0)) {
			m->printkey_errors += m->printkey != NULL;
			fprintf(prof->out, "%lld", (long long)d->key);
		}
		fputc('\n', prof->out);
	}
	if (m->keep_all && e.r1 && m->det.before) {
		u64 p = d->bl1, q;

		while ((q = bl_prev(b, p)) != MT_BL_NONE &&
		       bl_at(b, q)->time + m->det.before >= d->t1)
			p = q;
		mt_print_range(prof, m, p, d->bl1, '-', d->t1, &e, UINT64_MAX);
	}
	if (e.r1)
		mt_print_rec(prof, m, e.r1, ' ', 0);
	else
		mt_print_missing(prof, m, d->t1, d->ev1);
	if (m->keep_all && e.r1 && e.r2)
		mt_print_range(prof, m, bl_next(b, d->bl1), d->bl2, '|', d->t1, &e, UINT64_MAX);
	if (e.r2)
		mt_print_rec(prof, m, e.r2, ' ', 0);
	else if (s2)
		mt_emit(prof, m, s2, ' ', 0);
	else
		mt_print_missing(prof, m, d->t2, d->ev2);
	if (m->keep_all && e.r2 && m->det.after)
		mt_print_range(prof, m, bl_next(b, d->bl2), b->head, '+', d->t2, &e, d->until);
	if (m->js) {
		json_arr_end(&j);
		json_end(&j);
		m->js = NULL;
	}
}

/*
 * mt_bpf_slow - a pair slower than --than, from the kernel's ring buffer:
 * counted over in its row of the interval, printed with the end's record
 * (the begin's time only: its record was never copied)
 */
static int mt_bpf_slow(void *ctx, void *data, size_t size)
{
	struct prof *prof = ctx;
	struct mt *m = prof->priv;
	const struct bpf_agg_slow *w = data;
	const struct mt_opts *o = prof->opts;
	struct latrow *row;
	struct prof_sample s = { 0 };
	struct mt_defer d = { 0 };
	int inst;

	if (size < sizeof(*w) || w->ev1 >= (u32)m->nr || w->ev2 >= (u32)m->nr)
		return 0;
	m->slow++;
	inst = !o->perins ? 0 : m->inst_tid ? (int)w->tid : (int)w->cpu;
	row = lattab__row(m->stats, inst, w->ev1 * (unsigned)m->nr + w->ev2);
	if (row)
		row->over++;
	s.time = w->time;
	s.cpu = (int)w->cpu;
	s.pid = (int)w->pid;
	s.tid = (int)w->tid;
	s.raw = w->raw;
	s.raw_size = BPF_AGG_SLOW_RAW;
	s.ev = prof->evs[w->ev2];
	d.bl1 = d.bl2 = MT_BL_NONE;
	d.t1 = w->time - w->delay;
	d.t2 = w->time;
	d.key = w->key;
	d.delay = w->delay;
	d.ev1 = w->ev1;
	d.ev2 = w->ev2;
	mt_print_pair(prof, m, &d, &s);
	return 0;
}

static void mt_bpf_slow_ready(struct prof *prof)
{
	struct mt *m = prof->priv;

	ring_buffer__consume(m->slow_rb);
}

/* the deferred pairs whose +T window has passed (all with @now UINT64_MAX) */
static void mt_flush_deferred(struct prof *prof, struct mt *m, u64 now)
{
	while (m->ndefer) {
		struct mt_defer *d = &m->defer[m->defer_head];

		if (now != UINT64_MAX && now <= d->until)
			break;
		mt_print_pair(prof, m, d, NULL);
		m->defer_head = (m->defer_head + 1) % MT_DEFER_MAX;
		m->ndefer--;
	}
}

static __attribute__((noinline)) void mt_slow_pair(struct prof *prof, struct mt *m,
						   const struct pair_begin *b,
						   const struct prof_sample *s, u64 key, u64 bl2,
						   u64 delay)
{
	struct mt_defer d = {
		.bl1 = b->data, .bl2 = bl2, .t1 = b->time, .t2 = s->time, .key = key,
		.delay = delay, .ev1 = b->ev1 - 1, .ev2 = (u32)s->ev->index,
	};

	if (!m->det.after || !m->keep_all) {
		mt_print_pair(prof, m, &d, s);
		return;
	}
	/* +T: print when the window has passed; the oldest goes early when full */
	d.until = s->time + m->det.after;
	if (m->ndefer == MT_DEFER_MAX) {
		mt_print_pair(prof, m, &m->defer[m->defer_head], NULL);
		m->defer_head = (m->defer_head + 1) % MT_DEFER_MAX;
		m->ndefer--;
	}
	m->defer[(m->defer_head + m->ndefer) % MT_DEFER_MAX] = d;
	m->ndefer++;
}

/*
 * a pair slower than --than (the pairing engine's outlier callback): @end
 * is the closing sample, @bl its copy in the backlog
 */
static void mt_outlier(void *ctx, u64 key, const struct pair_begin *b, u32 end_ev, u64 delay,
		       const void *end, u64 bl)
{
	struct prof *prof = ctx;
	struct mt *m = prof->priv;
	const struct prof_sample *s = end;
	unsigned id = (b->ev1 - 1) * (unsigned)m->nr + end_ev;
	struct latrow *row = lattab__row(m->stats, m->inst_tid ? s->tid : s->cpu, id);

	if (!row)
		return;
	row->over++;
	mt_slow_pair(prof, m, b, s, key, bl, delay);
}

/* ------------------------------------------------------------------ */
/* the hot path                                                         */
/* ------------------------------------------------------------------ */

/* @e ends the pair its key's waiting event of the previous position opened */
static inline __attribute__((always_inline)) void mt_close(struct mt *m, struct mt_ev *e,
							     const struct prof_sample *s,
							     u64 key, u64 bl, bool full)
{
	struct pair_begin *b;
	struct latrow *row;
	u64 delay;
	unsigned id;

	b = full ? pairs__end_than(&m->pairs, key, e->prev_pos, (u32)e->idx, s->time, s, bl) :
		   pairs__end(&m->pairs, key, e->prev_pos, (u32)e->idx, s->time);
	if (!b)
		return;
	delay = s->time - b->time;
	id = (b->ev1 - 1) * (unsigned)m->nr + (unsigned)e->idx;
	if (!full)
		row = &m->rows[id];	/* not per instance */
	else
		row = lattab__row(m->stats, m->inst_tid ? s->tid : s->cpu, id);
	if (likely(row))
		vstat__add(&row->st, delay);
	if (full && unlikely(m->hm != NULL))
		heatmap__add(m->hm, m->series[id], b->time, delay);
	pairs__done(b);
}

/* @e waits for the next position's event of the same key */
static inline __attribute__((always_inline)) void mt_open(struct mt *m, struct mt_ev *e,
							    const struct prof_sample *s,
							    u64 key, u64 bl, bool full)
{
	struct pair_begin *b = pairs__begin(&m->pairs, key, e->pos, (u32)e->idx, s->time, bl);

	if (likely(b) && full && unlikely(m->keep_open) && !m->keep_all)
		b->data = bl_add(&m->bl, s, key);
}

static void mt_report(struct prof *prof, const char *kind);

static __attribute__((noinline)) void mt_trigger(struct prof *prof, struct mt *m,
						 struct mt_ev *e, const struct prof_sample *s)
{
	evline__print(&e->line, prof->out, &m->seq, s, "", prof->env);
	mt_report(prof, "trigger");
}

/* every feature: copies for --than/--detail/pair, role=, trigger, heatmap, --perins */
static __attribute__((noinline)) void mt_sample_full(struct prof *prof,
						     const struct prof_sample *s)
{
	struct mt *m = prof->priv;
	struct mt_ev *e = s->ev->priv;
	u64 bl = MT_BL_NONE, key;
	s64 k, role = 3;

	if (e->key.kind == NUMSRC_TID) {
		key = (u64)(s64)s->tid;
	} else {
		if (unlikely(numsrc__get(&e->key, s, &k)))
			goto bad;
		key = (u64)k;
	}
	if (unlikely(m->keep_all)) {
		if (m->ndefer)
			mt_flush_deferred(prof, m, s->time);
		bl = bl_add(&m->bl, s, key);
	}
	if (unlikely(e->role != NULL)) {
		struct expr_ctx ctx = {
			.raw = s->raw, .raw_size = s->raw_size, .cpu = s->cpu, .pid = s->pid,
			.tid = s->tid, .time = s->time, .period = s->period,
		};

		if (expr_eval(e->role, &ctx, &role))
			goto bad;
	}
	if (e->can_close && (role & 2))
		mt_close(m, e, s, key, bl, true);
	if (e->can_open && (role & 1))
		mt_open(m, e, s, key, bl, true);
	if (unlikely(e->trigger))
		mt_trigger(prof, m, e, s);
	return;
bad:
	prof__expr_error(prof, s->ev);
}

/*
 * The hot path: pairing and statistics only. Events that need more (see
 * mt_ev.fast) take mt_sample_full().
 */
static void mt_sample(struct prof *prof, const struct prof_sample *s)
{
	struct mt *m = prof->priv;
	struct mt_ev *e = s->ev->priv;
	s64 k;

	if (unlikely(!e->fast)) {
		mt_sample_full(prof, s);
		return;
	}
	if (unlikely(numsrc__get(&e->key, s, &k))) {
		prof__expr_error(prof, s->ev);
		return;
	}
	if (e->can_close)
		mt_close(m, e, s, (u64)k, MT_BL_NONE, false);
	if (e->can_open)
		mt_open(m, e, s, (u64)k, MT_BL_NONE, false);
}

/* a gap in a ring: whatever waits may have lost its partner, so it all goes */
static void mt_lost(struct prof *prof, struct ring *ring, u64 n)
{
	struct mt *m = prof->priv;

	m->lost += n;
	pairs__drop_all(&m->pairs);
}

/* ------------------------------------------------------------------ */
/* reports                                                              */
/* ------------------------------------------------------------------ */

/* what became of event @i's occurrences, in table @t (the interval's or the whole run's) */
static void mt_counts(const struct mt *m, const struct lattab *t, struct latrow **rows,
		      size_t nr, int i, u64 c[C_NR])
{
	struct pair_counts pc;

	pairs__counts(&m->pairs, (u32)i, t == m->whole, &pc);
	if (m->agg) {
		/* the begins wait in the kernel: their number comes from its counters */
		pc.waiting = m->kwait[i];
		pc.waiting_before = t == m->whole ? 0 : m->kwait_before[i];
	}
	c[C_PAIRED] = 0;
	for (size_t r = 0; r < nr; r++)
		if (lattab__row_id(t, rows[r]) / (unsigned)m->nr == (unsigned)i)
			c[C_PAIRED] += rows[r]->st.count;
	c[C_REPLACED] = pc.replaced;
	c[C_DROPPED] = pc.dropped;
	c[C_ORPHANS] = pc.orphans;
	c[C_WAITING] = pc.waiting;
	c[C_OPENED] = c[C_PAIRED] + c[C_REPLACED] + c[C_DROPPED] + c[C_WAITING] -
		      pc.waiting_before;
}

static void mt_print_counts(struct prof *prof, struct mt *m, struct lattab *t,
			    struct latrow **rows, size_t nr)
{
	char name[TEXT_NAME_MAX];
	int w = 5;

	for (int i = 0; i < m->nr; i++) {
		int l = (int)strlen(text_name(mt_name(prof->evs[i]), name, sizeof(name)));

		if (!m->evs[i].untraced && l > w)
			w = l;
	}
	fprintf(prof->out, "%3s %*s %10s %10s %10s %10s %10s %10s\n", "-e", w, "event", "opened",
		"paired", "replaced", "dropped", "waiting", "orphans");
	for (int i = 0; i < m->nr; i++) {
		const struct mt_ev *e = &m->evs[i];
		char c[C_NR][24];
		u64 v[C_NR];

		if (e->untraced)
			continue;
		mt_counts(m, t, rows, nr, i, v);
		for (int k = 0; k < C_NR; k++) {
			bool applies = k == C_ORPHANS ? e->can_close : e->can_open;

			snprintf(c[k], sizeof(c[k]), applies ? "%llu" : "-",
				 (unsigned long long)v[k]);
		}
		fprintf(prof->out, "%3d %*s %10s %10s %10s %10s %10s %10s\n", e->pos + 1, w,
			text_name(mt_name(prof->evs[i]), name, sizeof(name)), c[C_OPENED], c[C_PAIRED], c[C_REPLACED],
			c[C_DROPPED], c[C_WAITING], c[C_ORPHANS]);
	}
}

static void mt_print_pairs(struct prof *prof, struct mt *m, struct lattab *t,
			   struct latrow **rows, size_t nr)
{
	const struct mt_opts *o = prof->opts;
	char title[32];

	if (m->impl == MT_DELAY) {
		struct latprint lp = {
			.names = (const char *const *)m->names, .name_title = "from => to",
			.ns = m->ns,
			.inst_title = o->perins ? (m->inst_tid ? "TID" : "CPU") : NULL,
			.inst_comm = o->perins && m->inst_tid,
			.tasks = prof->env->tasks,
			.over_title = NULL,
		};

		if (o->than) {
			snprintf(title, sizeof(title), "over ");
			agg__fmt_duration(title + 5, sizeof(title) - 5, o->than);
			/* "over   5.000 ms" -> "over 5.000 ms" */
			memmove(title + 5, title + 5 + strspn(title + 5, " "),
				strlen(title + 5 + strspn(title + 5, " ")) + 1);
			lp.over_title = title;
		}
		lattab__print(t, rows, nr, prof->out, &lp);
		if (o->hist)
			lattab__print_hists(t, rows, nr, prof->out, &lp);
		return;
	}
	if (nr) {
		int w = (int)strlen(m->names[lattab__row_id(t, rows[0])]);

		if (o->perins)
			fprintf(prof->out, "%6s ", m->inst_tid ? "TID" : "CPU");
		fprintf(prof->out, "%*s %10s\n", w, "from => to", "paired");
		for (size_t i = 0; i < nr; i++) {
			if (o->perins)
				fprintf(prof->out, "%6d ", lattab__row_inst(t, rows[i]));
			fprintf(prof->out, "%*s %10llu\n", w, m->names[lattab__row_id(t, rows[i])],
				(unsigned long long)rows[i]->st.count);
		}
	}
	mt_print_counts(prof, m, t, rows, nr);
}

static void mt_print_notes(struct prof *prof, struct mt *m)
{
	if (m->lost)
		fprintf(prof->out, "note: %llu records lost; %llu waiting events were dropped at "
				   "the gaps, pairs across a gap are not counted\n",
			(unsigned long long)m->lost, (unsigned long long)m->pairs.lost_dropped);
	if (m->exited)
		fprintf(prof->out, "note: %llu waiting events dropped when their task exited (keys are "
				   "thread ids: a reused id never closes them)\n",
			(unsigned long long)m->exited);
	if (m->pairs.key_drops)
		fprintf(prof->out, "note: %llu events not paired: more than %llu keys waiting "
				   "(raise --max-keys)\n", (unsigned long long)m->pairs.key_drops,
			(unsigned long long)((const struct mt_opts *)prof->opts)->max_keys);
	if (m->pairs.ooo)
		fprintf(prof->out, "note: %llu events older than the event they would close "
				   "(use --order)\n", (unsigned long long)m->pairs.ooo);
	if (m->bl.too_big)
		fprintf(prof->out, "note: %llu samples too large for the backlog were not kept\n",
			(unsigned long long)m->bl.too_big);
	if (m->row_drops)
		fprintf(prof->out, "note: %llu pairs not counted: more than %d rows in the kernel "
				   "(fewer --perins instances, or --no-bpf)\n",
			(unsigned long long)m->row_drops, MT_BPF_ROWS);
	if (m->slow_lost)
		fprintf(prof->out, "note: %llu pairs slower than --than not printed nor counted "
				   "over (%llu were): the kernel's ring buffer of %d KiB was full "
				   "(a slow reader; raise --than, or --no-bpf)\n", (unsigned long long)m->slow_lost,
			(unsigned long long)m->slow, MT_BPF_SLOW_BYTES >> 10);
}

/* SIGUSR1: how much state the run holds */
static void mt_print_state(struct prof *prof, struct mt *m)
{
	u64 waiting = 0;

	if (m->agg) {
		for (int i = 0; i < m->nr; i++)
			waiting += m->kwait[i];
		fprintf(prof->out, "state: in the kernel, %llu events waiting\n",
			(unsigned long long)waiting);
		return;
	}
	for (int i = 0; i < m->nr; i++)
		waiting += pairs__waiting(&m->pairs, (u32)i);
	fprintf(prof->out, "state: %zu keys, %llu events waiting, %zu KiB",
		pairs__nr_keys(&m->pairs), (unsigned long long)waiting,
		pairs__mem_bytes(&m->pairs) >> 10);
	if (m->bl.buf)
		fprintf(prof->out, "; backlog %llu of %llu KiB in use, %llu copies overwritten",
			(unsigned long long)((m->bl.head - m->bl.tail) >> 10),
			(unsigned long long)(m->bl.cap >> 10), (unsigned long long)m->bl.evicted);
	fputc('\n', prof->out);
}

static void mt_json_row(struct json *j, struct prof *prof, struct mt *m, struct lattab *t,
			const struct latrow *r)
{
	unsigned id = lattab__row_id(t, r);

	json_obj_begin(j, NULL);
	json_str(j, "from", mt_name(prof->evs[id / (unsigned)m->nr]));
	json_str(j, "to", mt_name(prof->evs[id % (unsigned)m->nr]));
	if (((const struct mt_opts *)prof->opts)->perins)
		json_int(j, m->inst_tid ? "tid" : "cpu", lattab__row_inst(t, r));
	vstat__json(j, "stats", &r->st);
	if (((const struct mt_opts *)prof->opts)->than)
		json_uint(j, "over", r->over);
	json_obj_end(j);
}

static void mt_print_json(struct prof *prof, struct mt *m, struct lattab *t,
			  struct latrow **rows, size_t nr, const char *kind, u64 pairs, u64 elapsed)
{
	struct json j;

	report__json_begin(&j, prof->out, kind);
	json_double(&j, "interval", (double)elapsed / 1e9);
	json_uint(&j, "pairs", pairs);
	json_arr_begin(&j, "rows");
	for (size_t i = 0; i < nr; i++)
		mt_json_row(&j, prof, m, t, rows[i]);
	json_arr_end(&j);
	json_arr_begin(&j, "events");
	for (int i = 0; i < m->nr; i++) {
		const struct mt_ev *e = &m->evs[i];
		u64 c[C_NR];

		if (e->untraced)
			continue;
		mt_counts(m, t, rows, nr, i, c);
		json_obj_begin(&j, NULL);
		json_str(&j, "event", mt_name(prof->evs[i]));
		json_int(&j, "position", e->pos + 1);
		if (e->can_open) {
			json_uint(&j, "opened", c[C_OPENED]);
			json_uint(&j, "paired", c[C_PAIRED]);
			json_uint(&j, "replaced", c[C_REPLACED]);
			json_uint(&j, "dropped", c[C_DROPPED]);
			json_uint(&j, "waiting", c[C_WAITING]);
		}
		if (e->can_close)
			json_uint(&j, "orphans", c[C_ORPHANS]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_uint(&j, "lost", m->lost);
	json_uint(&j, "lost_dropped", m->pairs.lost_dropped);
	json_uint(&j, "exited", m->exited);
	json_end(&j);
}

static void mt_print(struct prof *prof, struct mt *m, struct lattab *t, const char *kind,
		     u64 elapsed)
{
	const struct mt_opts *o = prof->opts;
	size_t nr = 0;
	struct latrow **rows = lattab__sorted(t, false, &nr);
	u64 pairs = lattab__values(rows, nr);

	if (o->only_than) {
		size_t n = 0;

		/* the pairs with a slower one; an interval without any prints nothing */
		for (size_t i = 0; i < nr; i++)
			if (rows[i]->over)
				rows[n++] = rows[i];
		nr = n;
		if (!nr && !strcmp(kind, "interval")) {
			free(rows);
			return;
		}
	}
	if (prof->opt.json) {
		mt_print_json(prof, m, t, rows, nr, kind, pairs, elapsed);
	} else {
		latency__header(prof->out, "multi-trace", kind, pairs, "pairs", elapsed);
		mt_print_pairs(prof, m, t, rows, nr);
		mt_print_notes(prof, m);
		if (!strcmp(kind, "signal"))
			mt_print_state(prof, m);
	}
	free(rows);
}

/* fold the interval's values and counts into the whole run's */
static void mt_merge(struct mt *m)
{
	lattab__merge(m->whole, m->stats);
	pairs__interval_end(&m->pairs);
	if (m->agg)
		memcpy(m->kwait_before, m->kwait, (size_t)m->nr * sizeof(*m->kwait));
}

/* the report cycle's view of the tables: the interval's (stats) and the run's (whole) */
static void mt_report_print(void *ctx, bool whole, const char *kind, u64 elapsed)
{
	struct prof *prof = ctx;
	struct mt *m = prof->priv;

	mt_print(prof, m, whole ? m->whole : m->stats, kind, elapsed);
	fflush(prof->out);
}

static void mt_report_merge(void *ctx)
{
	struct mt *m = ((struct prof *)ctx)->priv;

	mt_merge(m);
	lattab__reset(m->stats);
}

static const struct report_ops mt_report_ops = { mt_report_print, mt_report_merge };

/* an interval report (or a trigger's): the interval's pairs, then a new interval */
static void mt_report(struct prof *prof, const char *kind)
{
	struct mt *m = prof->priv;

	report__interval(&m->cycle, &mt_report_ops, prof, kind);
}

static void mt_interval(struct prof *prof)
{
	mt_bpf_pull(prof, prof->priv);
	mt_report(prof, "interval");
}

static void mt_sigusr1(struct prof *prof)
{
	struct mt *m = prof->priv;

	mt_bpf_pull(prof, m);
	report__signal(&m->cycle, &mt_report_ops, prof);
}

struct mt_waiter {
	u64 time, bl, key;
	u32 ev;
};

static int mt_waiter_cmp(const void *a, const void *b)
{
	const struct mt_waiter *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->ev < y->ev ? -1 : x->ev > y->ev;
}

struct mt_waiters {
	struct mt_waiter *w;
	size_t n, cap;
};

static void mt_waiter_add(void *ctx, u64 key, const struct pair_begin *b)
{
	struct mt_waiters *ws = ctx;

	if (ws->n == ws->cap) {
		ws->cap = ws->cap ? ws->cap * 2 : 64;
		ws->w = xrealloc(ws->w, ws->cap * sizeof(*ws->w));
	}
	ws->w[ws->n++] = (struct mt_waiter){ b->time, b->data, key, b->ev1 - 1 };
}

/* --impl pair: the events still waiting at exit, oldest first */
static void mt_print_unpaired(struct prof *prof, struct mt *m)
{
	struct mt_waiters ws = { 0 };
	struct mt_waiter *w;
	struct json j;
	size_t n;

	pairs__for_each_waiting(&m->pairs, mt_waiter_add, &ws);
	w = ws.w;
	n = ws.n;
	if (!n)
		return;
	qsort(w, n, sizeof(*w), mt_waiter_cmp);
	if (prof->opt.json) {
		m->js = &j;
		json_begin(&j, prof->out);
		json_str(&j, "report", "unpaired");
		json_arr_begin(&j, "events");
	} else {
		fprintf(prof->out, "unpaired at exit: %zu\n", n);
	}
	for (size_t i = 0; i < n; i++) {
		if (bl_valid(&m->bl, w[i].bl))
			mt_print_rec(prof, m, bl_at(&m->bl, w[i].bl), ' ', 0);
		else
			mt_print_missing(prof, m, w[i].time, w[i].ev);
	}
	if (m->js) {
		json_arr_end(&j);
		json_end(&j);
		m->js = NULL;
	}
	free(w);
}

static void mt_final(struct prof *prof)
{
	struct mt *m = prof->priv;
	struct err err = { 0 };

	mt_flush_deferred(prof, m, UINT64_MAX);
	mt_bpf_pull(prof, m);
	report__final(&m->cycle, &mt_report_ops, prof);
	if (m->impl == MT_PAIR)
		mt_print_unpaired(prof, m);
	fflush(prof->out);
	bpf_agg__report_missed(m->agg, prof, "the pairs they began or ended are missing, or "
			       "paired with another event");
	if (m->hm) {
		if (heatmap__close(m->hm, &err))
			prof__fail(prof, &err);
		m->hm = NULL;
	}
	outliers__close(&m->out, prof);
	if (m->printkey_errors)
		fprintf(prof__diag(prof), "perf-prof multi-trace: printkey= failed on %llu keys "
					  "(division by zero, a printf width beyond %d, ...): they are "
					  "printed as numbers\n",
			(unsigned long long)m->printkey_errors, EXPR_PRINTF_MAX_WIDTH);
	if (lattab__drops(m->stats) || lattab__drops(m->whole))
		fprintf(stderr, "perf-prof multi-trace: some per-instance rows were dropped\n");
}

/*
 * a thread exited: when keys are thread ids its waiting begins can never
 * close, and a new task reusing the id must not close them (an exit_group
 * entry paired with a clone return seconds later). Records arrive in time
 * order, so every event of the task was seen before its exit.
 */
static void mt_task_exit(struct prof *prof, int pid, int tid, u64 time)
{
	struct mt *m = prof->priv;

	(void)pid;
	(void)time;
	/* --impl pair lists what never closed: there the begins wait for the report */
	if (m && m->keys_tid && m->impl == MT_DELAY && tid > 0)
		m->exited += pairs__kill(&m->pairs, (u64)tid);
}

static void mt_deinit(struct prof *prof)
{
	struct mt *m = prof->priv;

	if (!m)
		return;
	for (int i = 0; m->evs && i < m->nr; i++) {
		numsrc__exit(&m->evs[i].key);
		expr_free(m->evs[i].role);
	}
	expr_free(m->printkey);
	ring_buffer__free(m->slow_rb);
	bpf_agg__delete(m->agg);
	for (int i = 0; m->filters && i < m->nr; i++)
		expr_free(m->filters[i]);
	free(m->filters);
	free(m->seen);
	free(m->kwait);
	free(m->kwait_before);
	for (int i = 0; m->names && i < m->nr * m->nr; i++)
		free(m->names[i]);
	if (m->hm) {
		struct err err = { 0 };

		heatmap__close(m->hm, &err);
	}
	free(m->names);
	free(m->ns);
	free(m->series);
	free(m->evs);
	free(m->bl.buf);
	pairs__exit(&m->pairs);
	lattab__delete(m->stats);
	lattab__delete(m->whole);
	outliers__exit(&m->out);
	free(m->ev_names);
	trace_seq_destroy(&m->seq);
	free(m);
	prof->priv = NULL;
}

#define MTOPT(f) offsetof(struct mt_opts, f)
static const struct opt mt_opts[] = {
	{ OPT_STRING, 'k', "key", MTOPT(key), "EXPR",
	  "key of events without key= (default: thread id)", NULL, false },
	{ OPT_STRING, 0, "impl", MTOPT(impl), "IMPL",
	  "delay (latency statistics, default) or pair (events without a partner)", NULL, false },
	{ OPT_DURATION, 0, "than", MTOPT(than), "DURATION",
	  "print every pair slower than DURATION (both events)", NULL, false },
	{ OPT_DURATION, 0, "only-than", MTOPT(only_than), "DURATION",
	  "as --than, and reports list only the pairs that had one slower (none: no "
	  "interval report)", NULL, false },
	{ OPT_CALLBACK, 0, "detail", MTOPT(detail), "ITEMS",
	  "with --than, also the events in between; ITEMS: -DUR,+DUR,samecpu,samepid,"
	  "sametid,samekey,1,2", mt_opt_detail, true },
	{ OPT_BOOL, 0, "perins", MTOPT(perins), NULL,
	  "statistics per CPU (per thread with -p/-t/a workload)", NULL, false },
	{ OPT_BOOL, 0, "cycle", MTOPT(cycle), NULL,
	  "the last position also pairs with the first", NULL, false },
	{ OPT_BOOL, 0, "hist", MTOPT(hist), NULL,
	  "a log2 histogram of each pair's latencies after the table", NULL, false },
	{ OPT_STRING, 0, "heatmap", MTOPT(heatmap), "FILE",
	  "latency over time: SVG to FILE, raw points to FILE.lat", NULL, false },
	{ OPT_U64, 0, "max-keys", MTOPT(max_keys), "N",
	  "keys with a waiting event, at most (default 1000000)", NULL, false },
	{ OPT_U64, 0, "backlog-mb", MTOPT(backlog_mb), "MB",
	  "memory for copies of recent events (--than, --detail, pair; default 64)", NULL, false },
	OPT_TABLE_END,
};

const struct profiler multi_trace_profiler = {
	.name = "multi-trace",
	/*
	 * Rings are per CPU in every mode (-p/-t/workload events too), so a
	 * thread that migrates between its two events crosses rings, whatever
	 * the key: pairs need the events in time order.
	 */
	.order = true,
	.summary = "latency between related events, as statistics per pair of events",
	.synopsis = "perf-prof multi-trace -e EVENT[,EVENT...] -e EVENT[,EVENT...] [-e ...] "
		    "[-k EXPR] [--impl delay|pair] [--than|--only-than DURATION [--detail[=ITEMS]]] "
		    "[--perins] [--hist] [--heatmap FILE] [--cycle] [-g --flame-graph FILE] [-i MS] "
		    "[--json]",
	.help =
		"Each -e is a position of a chain and its comma-separated events are\n"
		"alternatives. An event of position p+1 closes the pair opened by the last\n"
		"event of position p with the same key (key=EXPR, else -k EXPR, else the thread\n"
		"id); the delay goes to the statistics of that (from => to) pair: count, min,\n"
		"avg, p50, p95, p99, max, total. A newer event of the same position and key\n"
		"replaces a waiting one. Attributes: alias=, key=, untraced (not in pairs, shown\n"
		"by --detail), role=EXPR (bit 0: may open, bit 1: may close), trigger (print\n"
		"the event and report), stack, max-stack=, printkey=EXPR (how a slow pair's key\n"
		"is printed, as in top). Events are always delivered in time order (--order is\n"
		"implied).\n"
		"Reports: every -i, on SIGUSR1 (no reset) and at exit (the whole run); --hist\n"
		"adds a log2 histogram per pair.\n"
		"--than prints each slower pair as it closes (--only-than: and the reports list\n"
		"only the pairs that had one), --detail adds the events in\n"
		"between from a bounded backlog of copies (--backlog-mb); with stacks,\n"
		"--flame-graph FILE[.svg|.pb.gz] draws the slow pairs' stacks weighed by their\n"
		"latency. Lost records drop every waiting event: no pair spans a gap.\n"
		"Tracepoints are paired in the kernel by BPF programs when the options allow it\n"
		"(not with --detail, -g, --impl pair, --heatmap, untraced, role=, trigger; with\n"
		"--than the begin's line gives only its time): --bpf requires it, --no-bpf\n"
		"reads the records, -v says which\n"
		"(Documentation/bpf.md).\n"
		"\nEXAMPLES\n"
		"    perf-prof multi-trace -e syscalls:sys_enter_nanosleep "
		"-e syscalls:sys_exit_nanosleep -- ./app\n"
		"    perf-prof multi-trace -e 'sched:sched_wakeup//key=pid/' "
		"-e 'sched:sched_switch//key=next_pid/' --than 10ms\n"
		"    perf-prof multi-trace -e irq:softirq_entry -e irq:softirq_exit -k _cpu --perins\n"
		"    perf-prof multi-trace -e A -e B -e 'sched:sched_switch//untraced/' --than 1ms "
		"--detail=samecpu\n"
		"    perf-prof multi-trace -e A -e B --heatmap lat.svg -i 1000 --json\n"
		"    perf-prof multi-trace -e A -e B --impl pair\n"
		"    perf-prof multi-trace -e syscalls:sys_enter_read -e syscalls:sys_exit_read "
		"--hist -- ./app\n"
		"    perf-prof multi-trace -e A -e B -g --than 5ms --flame-graph slow.svg\n",
	.opts = mt_opts,
	.opts_size = sizeof(struct mt_opts),
	.opts_init = mt_opts_init,
	.attrs = mt_attrs,
	.common = COMMON_ALL_EVENTS,
	.pages = 256,
	.help_example = "-e EVENT2 [-k EXPR] [--than DURATION [--detail]] [--perins] [-i MS]",
	.init = mt_setup,	/* deinit() also runs after a failed init */
	.start = mt_start,
	.sample = mt_sample,
	.interval = mt_interval,
	.final = mt_final,
	.deinit = mt_deinit,
	.lost = mt_lost,
	.sigusr1 = mt_sigusr1,
	.task_exit = mt_task_exit,
};
