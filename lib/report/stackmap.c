// SPDX-License-Identifier: GPL-2.0
/*
 * stackmap.c - the stack map (see include/stackmap.h).
 *
 * Stacks live in an array indexed by id (0 is "none"), their frames in one
 * pool, their caller data in a parallel array. The index is a hashmap
 * whose keys are ids, hashed and compared through the stacks they name: a
 * lookup first writes the candidate into a free id, then either keeps it
 * (new) or gives the id back (known), so a known stack costs a hash and a
 * compare and allocates nothing. Reclaimed ids go to a free list; their
 * frames are squeezed out of the pool when the map collects.
 *
 * At report time, frames resolve through a cache of (address, process
 * image) -> symbol, filled from the syms engine once per distinct address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>

#include "callchain.h"
#include "env.h"
#include "flamegraph.h"
#include "hashmap.h"
#include "pprof.h"
#include "stackmap.h"
#include "syms.h"

#define SM_LABEL_MAX 255

struct sm_stack {
	u64 hash;		/* of the key: tag, pid (user part), pin, frames */
	u64 tag;
	s32 pid;
	u32 pin;		/* syms pin of the user part; 0: none */
	u32 off;		/* first frame in frames[] */
	u32 nr;
	u32 refs;
	bool live;
	bool user;		/* the chain has a user part */
	bool counted;		/* stackmap__add() saw it: kept for the run */
	u64 count, weight;	/* the current interval */
	u64 tcount, tweight;	/* the intervals before it */
};

/* a frame resolved for a report: the key of the address cache, and its value */
struct sm_addr_key {
	u64 addr;		/* the address looked up (ip - 1 for return addresses) */
	u64 pin_kernel;		/* pin, or 1 << 32 for kernel addresses */
};

struct sm_addr {
	struct sym_frame f;
	bool found;
};

struct stackmap {
	struct sm_stack *v;	/* [0] unused */
	u32 nr;			/* ids handed out so far, 0 included */
	u32 cap;
	u32 *free_ids;
	u32 nr_free;
	u32 live;
	u32 dead;		/* live, but neither referenced nor counted */
	u32 max;
	char *aux;
	size_t aux_size;
	u64 *frames;
	size_t nr_frames, cap_frames;
	struct hashmap *index;	/* id -> (set) */
	const struct run_env *env;
	struct syms *syms;	/* the run's user symbols, once it has them: what pins hold */
	struct hashmap *addrs;	/* struct sm_addr_key -> struct sm_addr */
	struct hashmap *labels;	/* string -> u64 label */
	char **label_v;
	size_t nr_labels, cap_labels;
	u64 drops, reclaimed;
};

/* --- the index ----------------------------------------------------------- */

static u64 sm_hash(u64 id, void *ctx)
{
	const struct stackmap *m = ctx;

	return m->v[id].hash;
}

static bool sm_equal(u64 a, u64 b, void *ctx)
{
	const struct stackmap *m = ctx;
	const struct sm_stack *x = &m->v[a], *y = &m->v[b];

	return x->hash == y->hash && x->tag == y->tag && x->nr == y->nr && x->user == y->user &&
	       (!x->user || (x->pid == y->pid && x->pin == y->pin)) &&
	       (!x->nr || !memcmp(m->frames + x->off, m->frames + y->off, x->nr * sizeof(u64)));
}

struct stackmap *stackmap__new(const struct run_env *env, u32 max_stacks, size_t aux_size)
{
	struct stackmap *m = xzalloc(sizeof(*m));
	struct hashmap_ops ops = { sm_hash, sm_equal, m };

	m->env = env;
	m->max = max_stacks;
	m->aux_size = (aux_size + 7) & ~(size_t)7;
	m->cap = 256;
	m->v = xzalloc(m->cap * sizeof(*m->v));
	m->free_ids = xzalloc(m->cap * sizeof(*m->free_ids));
	m->aux = xzalloc(m->cap * (m->aux_size ? m->aux_size : 1));
	m->nr = 1;
	m->index = hashmap__new_ops(0, 0, &ops);
	m->addrs = hashmap__new_keys(sizeof(struct sm_addr_key), sizeof(struct sm_addr), 0);
	m->labels = hashmap__new_ops(sizeof(u64), 0, &hashmap_str_ops);
	return m;
}

void stackmap__delete(struct stackmap *m)
{
	if (!m)
		return;
	for (u32 id = 1; id < m->nr; id++)
		if (m->v[id].live && m->v[id].pin)
			syms__unpin(m->syms, m->v[id].pin);
	for (size_t i = 0; i < m->nr_labels; i++)
		free(m->label_v[i]);
	hashmap__free(m->index);
	hashmap__free(m->addrs);
	hashmap__free(m->labels);
	free(m->label_v);
	free(m->v);
	free(m->free_ids);
	free(m->aux);
	free(m->frames);
	free(m);
}

/* sm_id_new - an id for a candidate: a reclaimed one, else the next; 0 when out of memory */
static u32 sm_id_new(struct stackmap *m)
{
	if (m->nr_free)
		return m->free_ids[--m->nr_free];
	if (m->nr == m->cap) {
		u32 cap = m->cap * 2;
		struct sm_stack *v = realloc(m->v, cap * sizeof(*v));
		u32 *f;
		char *a;

		if (!v)
			return 0;
		m->v = v;
		f = realloc(m->free_ids, cap * sizeof(*f));
		if (!f)
			return 0;
		m->free_ids = f;
		a = realloc(m->aux, cap * (m->aux_size ? m->aux_size : 1));
		if (!a)
			return 0;
		m->aux = a;
		m->cap = cap;
	}
	return m->nr++;
}

/* sm_frames_reserve - room for @n more frames in the pool */
static bool sm_frames_reserve(struct stackmap *m, u32 n)
{
	size_t cap = m->cap_frames ? m->cap_frames : 4096;
	u64 *f;

	if (m->nr_frames + n <= m->cap_frames)
		return true;
	while (cap < m->nr_frames + n)
		cap *= 2;
	f = realloc(m->frames, cap * sizeof(*f));
	if (!f)
		return false;
	m->frames = f;
	m->cap_frames = cap;
	return true;
}

/* sm_candidate_drop - give back the id and frames of a candidate that is not kept */
static void sm_candidate_drop(struct stackmap *m, u32 id)
{
	m->nr_frames -= m->v[id].nr;
	m->v[id].live = false;
	m->free_ids[m->nr_free++] = id;
}

static bool sm_has_user(const u64 *ips, u32 nr)
{
	for (u32 i = 0; i < nr; i++)
		if (ips[i] == PERF_CONTEXT_USER)
			return true;
	return false;
}

u32 stackmap__intern(struct stackmap *m, u64 tag, int pid, const u64 *ips, u32 nr,
		     bool *created)
{
	struct sm_stack *st;
	void *val;
	u32 id;
	u64 h;

	if (created)
		*created = false;
	/* the run's user symbols exist once its events are open */
	if (!m->syms && m->env)
		m->syms = m->env->syms;
	/* full: make room first if enough is unused (then not again for max/8 stacks) */
	if (m->max && m->live >= m->max && m->dead > m->max / 8)
		stackmap__gc(m);
	id = sm_id_new(m);
	if (!id || !sm_frames_reserve(m, nr)) {
		if (id)
			m->free_ids[m->nr_free++] = id;
		m->drops++;
		return 0;
	}
	st = &m->v[id];
	memset(st, 0, sizeof(*st));
	st->tag = tag;
	st->pid = pid;
	st->nr = nr;
	st->off = (u32)m->nr_frames;
	st->user = sm_has_user(ips, nr);
	if (st->user && m->syms)
		st->pin = syms__proc_gen(m->syms, pid);
	if (nr)
		memcpy(m->frames + m->nr_frames, ips, nr * sizeof(u64));
	m->nr_frames += nr;
	h = fnv1a_words(FNV1A_INIT ^ tag, ips, nr);
	if (st->user)
		h ^= ((u64)(u32)pid << 32 | st->pin) * FNV1A_PRIME;
	st->hash = hashmap__hash_u64(h);
	val = hashmap__find(m->index, id);
	if (val) {
		sm_candidate_drop(m, id);
		return (u32)hashmap__key(val);
	}
	if ((m->max && m->live >= m->max) || !hashmap__get(m->index, id)) {
		sm_candidate_drop(m, id);
		m->drops++;
		return 0;
	}
	/* new: it holds its process image, and counts as unused until referenced or counted */
	st->live = true;
	if (st->pin)
		syms__pin(m->syms, pid);
	memset(m->aux + (size_t)id * m->aux_size, 0, m->aux_size);
	m->live++;
	m->dead++;
	if (created)
		*created = true;
	return id;
}

static inline bool sm_idle(const struct sm_stack *st)
{
	return !st->refs && !st->counted;
}

void stackmap__ref(struct stackmap *m, u32 id)
{
	struct sm_stack *st = &m->v[id];

	if (sm_idle(st))
		m->dead--;
	st->refs++;
}

void stackmap__unref(struct stackmap *m, u32 id)
{
	struct sm_stack *st = &m->v[id];

	st->refs--;
	if (sm_idle(st))
		m->dead++;
}

void stackmap__add(struct stackmap *m, u32 id, u64 count, u64 weight)
{
	struct sm_stack *st = &m->v[id];

	if (unlikely(!st->counted)) {
		if (!st->refs)
			m->dead--;
		st->counted = true;
	}
	st->count += count;
	st->weight += weight;
}

void stackmap__interval_end(struct stackmap *m)
{
	for (u32 id = 1; id < m->nr; id++) {
		struct sm_stack *st = &m->v[id];

		st->tcount += st->count;
		st->tweight += st->weight;
		st->count = st->weight = 0;
	}
}

void stackmap__values(const struct stackmap *m, u32 id, bool whole, u64 *count, u64 *weight)
{
	const struct sm_stack *st = &m->v[id];

	*count = st->count + (whole ? st->tcount : 0);
	*weight = st->weight + (whole ? st->tweight : 0);
}

static int sm_cmp_off(const void *a, const void *b, void *ctx)
{
	const struct sm_stack *v = ctx;
	u32 x = v[*(const u32 *)a].off, y = v[*(const u32 *)b].off;

	return x < y ? -1 : x > y;
}

void stackmap__gc(struct stackmap *m)
{
	u32 *keep, nk = 0;
	size_t n = 0;

	if (!m->dead)
		return;
	keep = xzalloc(m->nr * sizeof(*keep));
	for (u32 id = 1; id < m->nr; id++) {
		struct sm_stack *st = &m->v[id];

		if (!st->live)
			continue;
		if (!sm_idle(st)) {
			keep[nk++] = id;
			continue;
		}
		hashmap__del(m->index, id);
		if (st->pin)
			syms__unpin(m->syms, st->pin);
		st->live = false;
		st->nr = 0;
		m->free_ids[m->nr_free++] = id;
		m->live--;
		m->reclaimed++;
	}
	/* the frames of the stacks kept move down in the order they lie: none is overwritten */
	qsort_r(keep, nk, sizeof(*keep), sm_cmp_off, m->v);
	for (u32 i = 0; i < nk; i++) {
		struct sm_stack *st = &m->v[keep[i]];

		if (st->nr)
			memmove(m->frames + n, m->frames + st->off, st->nr * sizeof(u64));
		st->off = (u32)n;
		n += st->nr;
	}
	m->nr_frames = n;
	m->dead = 0;
	free(keep);
}

u64 stackmap__tag(const struct stackmap *m, u32 id)
{
	return m->v[id].tag;
}

int stackmap__pid(const struct stackmap *m, u32 id)
{
	return m->v[id].pid;
}

const u64 *stackmap__ips(const struct stackmap *m, u32 id, u32 *nr)
{
	*nr = m->v[id].nr;
	/* no frame kept yet: the table is NULL (an offset on it is undefined) */
	return *nr ? m->frames + m->v[id].off : NULL;
}

void *stackmap__aux(const struct stackmap *m, u32 id)
{
	return m->aux + (size_t)id * m->aux_size;
}

u32 stackmap__next(const struct stackmap *m, u32 id)
{
	for (id++; id < m->nr; id++)
		if (m->v[id].live)
			return id;
	return 0;
}

u32 stackmap__nr(const struct stackmap *m)
{
	return m->live;
}

u64 stackmap__drops(const struct stackmap *m)
{
	return m->drops;
}

u64 stackmap__reclaimed(const struct stackmap *m)
{
	return m->reclaimed;
}

size_t stackmap__mem_bytes(const struct stackmap *m)
{
	return sizeof(*m) + m->cap * (sizeof(*m->v) + sizeof(*m->free_ids) + m->aux_size) +
	       m->cap_frames * sizeof(u64) + hashmap__mem_bytes(m->index) +
	       hashmap__mem_bytes(m->addrs) + hashmap__mem_bytes(m->labels);
}

u64 stackmap__label(struct stackmap *m, const char *s)
{
	char buf[SM_LABEL_MAX + 1];
	u64 *id;

	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	id = hashmap__find(m->labels, (u64)(uintptr_t)buf);
	if (id)
		return *id;
	if (m->nr_labels == m->cap_labels) {
		m->cap_labels = m->cap_labels ? m->cap_labels * 2 : 64;
		m->label_v = xrealloc(m->label_v, m->cap_labels * sizeof(*m->label_v));
	}
	m->label_v[m->nr_labels] = xstrdup(buf);
	id = hashmap__get(m->labels, (u64)(uintptr_t)m->label_v[m->nr_labels]);
	*id = m->nr_labels++;
	return *id;
}

const char *stackmap__label_str(const struct stackmap *m, u64 label)
{
	return label < m->nr_labels ? m->label_v[label] : NULL;
}

const char *stackmap_root_label(void *ctx, const struct stackmap *m, u32 id)
{
	return stackmap__label_str(m, stackmap__tag(m, id));
}

/* --- symbolizing --------------------------------------------------------- */

struct sm_resolver {
	struct stackmap *m;
	u32 pin;
};

/* sm_resolve - a frame of a stack, through the address cache */
static int sm_resolve(void *ctx, u64 lookup, bool kernel, struct sym_frame *f)
{
	struct sm_resolver *r = ctx;
	struct sm_addr_key key = { lookup, kernel ? 1ULL << 32 : r->pin };
	struct sm_addr *a = hashmap__kfind(r->m->addrs, &key), e;

	if (!a) {
		if (kernel)
			e.found = !callchain__resolve_kernel(r->m->env ? r->m->env->ksyms : NULL,
							     lookup, &e.f);
		else if (r->m->syms && r->pin)
			e.found = !syms__resolve_pinned(r->m->syms, r->pin, lookup, &e.f);
		else
			e.found = false, memset(&e.f, 0, sizeof(e.f));
		a = hashmap__kget(r->m->addrs, &key);
		if (a)
			*a = e;
		else
			a = &e;
	}
	*f = a->f;
	return a->found ? 0 : -ENOENT;
}

void stackmap__print(struct stackmap *m, u32 id, FILE *out)
{
	struct sm_resolver r = { m, m->v[id].pin };
	u32 nr;
	const u64 *ips = stackmap__ips(m, id, &nr);

	callchain__print_with(out, ips, nr, sm_resolve, &r);
}

int stackmap__names(struct stackmap *m, u32 id, const char **names, int max)
{
	struct sm_resolver r = { m, m->v[id].pin };
	u32 nr;
	const u64 *ips = stackmap__ips(m, id, &nr);

	return callchain__names_with(ips, nr, sm_resolve, &r, names, max);
}

/* the first frame of a walk: the sampled address */
struct sm_leaf {
	struct sym_frame *f;
	bool seen, found;
};

static void sm_leaf_frame(void *ctx, u64 ip, u64 lookup, bool kernel, const struct sym_frame *f,
			  bool found)
{
	struct sm_leaf *l = ctx;

	(void)ip, (void)lookup;
	if (l->seen)
		return;
	l->seen = true;
	l->found = found;
	*l->f = *f;
	if (kernel && !f->dso)
		l->f->dso = "[kernel.kallsyms]";
}

int stackmap__leaf(struct stackmap *m, u32 id, struct sym_frame *f)
{
	struct sm_resolver r = { m, m->v[id].pin };
	struct sm_leaf l = { f, false, false };

	memset(f, 0, sizeof(*f));
	callchain__walk(m->frames + m->v[id].off, m->v[id].nr, sm_resolve, &r, sm_leaf_frame, &l);
	return l.found ? 0 : -ENOENT;
}

/* --- writers ------------------------------------------------------------- */

static bool sm_view_values(const struct stackmap_view *v, const struct stackmap *m, u32 id,
			   u64 *count, u64 *weight)
{
	if (v->values)
		return v->values(v->ctx, m, id, count, weight);
	stackmap__values(m, id, v->whole, count, weight);
	return *count || *weight;
}

static const char *sm_view_root(const struct stackmap_view *v, const struct stackmap *m, u32 id)
{
	return v->root ? v->root(v->ctx, m, id) : NULL;
}

static u32 sm_view_join(const struct stackmap_view *v, const struct stackmap *m, u32 id)
{
	return v->join ? v->join(v->ctx, m, id) : 0;
}

#define SM_JOIN_SEP "--"	/* between a stack and the one joined above it */

/*
 * sm_join_names - after the @n names of a stack, those of the stack @j
 * joined above it: "--", @j's frames leaf first, its root; the new count
 */
static int sm_join_names(struct stackmap *m, const struct stackmap_view *v, u32 j,
			 const char **names, int n, int max)
{
	const char *top[CALLCHAIN_MAX], *root = sm_view_root(v, m, j);
	int k = callchain__collapse_unknown(top, stackmap__names(m, j, top, CALLCHAIN_MAX));

	if (n < max)
		names[n++] = SM_JOIN_SEP;
	while (k > 0 && n < max)
		names[n++] = top[--k];
	if (root && n < max)
		names[n++] = root;
	return n;
}

void stackmap__flame(struct stackmap *m, struct flamegraph *fg, const struct stackmap_view *v)
{
	const char *names[2 * CALLCHAIN_MAX + 2];
	u32 id, j;

	stackmap__for_each(m, id) {
		u64 count, weight, val;
		int n;

		if (!sm_view_values(v, m, id, &count, &weight))
			continue;
		val = v->by_weight ? weight : count;
		if (!val)
			continue;
		n = callchain__collapse_unknown(names, stackmap__names(m, id, names, CALLCHAIN_MAX));
		j = sm_view_join(v, m, id);
		if (j)
			n = sm_join_names(m, v, j, names, n, (int)(sizeof(names) / sizeof(names[0])));
		flamegraph__add(fg, sm_view_root(v, m, id), names, n, val);
	}
}

/* the frames of a stack for pprof, leaf first, unknown runs collapsed */
struct sm_pp_acc {
	struct stackmap *m;
	u32 pin;
	struct pprof_frame *fr;
	struct sym_frame *sf;
	int nr, max;
};

static void sm_pp_frame(void *ctx, u64 ip, u64 lookup, bool kernel, const struct sym_frame *f,
			bool found)
{
	struct sm_pp_acc *a = ctx;
	struct pprof_frame *p;

	if (a->nr && !found && !a->fr[a->nr - 1].found && a->fr[a->nr - 1].kernel == kernel)
		return;
	if (a->nr == a->max)
		return;
	a->sf[a->nr] = *f;
	p = &a->fr[a->nr];
	p->key[0] = lookup;
	p->key[1] = kernel ? 1ULL << 32 : a->pin;
	p->addr = ip;
	p->f = &a->sf[a->nr];
	p->found = found;
	p->kernel = kernel;
	a->nr++;
}

/*
 * sm_pp_join - pprof's frames leaf first: into @a first those of the stack
 * @j joined above (root first, as they lie above the "--" frame), then
 * "--"; the stack's own frames follow
 */
static void sm_pp_join(struct stackmap *m, u32 j, struct sm_pp_acc *a)
{
	static const struct sym_frame sep = { .name = SM_JOIN_SEP };
	struct sm_resolver r = { m, m->v[j].pin };
	struct sm_pp_acc top = { m, m->v[j].pin, a->fr + a->nr, a->sf + a->nr, 0, CALLCHAIN_MAX };
	const u64 *ips;
	u32 nr;

	ips = stackmap__ips(m, j, &nr);
	callchain__walk(ips, nr, sm_resolve, &r, sm_pp_frame, &top);
	/* the joined frames, leaf first, become root first above the separator */
	for (int i = 0; i < top.nr / 2; i++) {
		struct pprof_frame f = top.fr[i];
		struct sym_frame s = top.sf[i];

		top.fr[i] = top.fr[top.nr - 1 - i];
		top.sf[i] = top.sf[top.nr - 1 - i];
		top.fr[top.nr - 1 - i] = f;
		top.sf[top.nr - 1 - i] = s;
	}
	for (int i = 0; i < top.nr; i++)
		top.fr[i].f = &top.sf[i];
	a->nr += top.nr;
	/* a key of its own: kernel frames have 1 << 32, user frames their image's pin */
	a->fr[a->nr] = (struct pprof_frame){ { 0, 2ULL << 32 }, 0, &sep, true, false };
	a->nr++;
}

static void sm_pprof(struct stackmap *m, struct pprof *pp, const struct stackmap_view *v,
		     const char *snapshot)
{
	/* room for a joined stack: its frames, the separator, then the stack's */
	struct pprof_frame *fr = xzalloc((2 * CALLCHAIN_MAX + 1) * sizeof(*fr));
	struct sym_frame *sf = xzalloc((2 * CALLCHAIN_MAX + 1) * sizeof(*sf));
	struct pprof_label labels[3];
	u32 id;

	stackmap__for_each(m, id) {
		struct sm_resolver r = { m, m->v[id].pin };
		struct sm_pp_acc a = { m, m->v[id].pin, fr, sf, 0, CALLCHAIN_MAX };
		u64 count, weight;
		s64 vals[2];
		int nl = 0;
		const char *root;
		const u64 *ips;
		u32 nr, j;

		if (!sm_view_values(v, m, id, &count, &weight))
			continue;
		vals[0] = (s64)count;
		vals[1] = (s64)weight;
		j = sm_view_join(v, m, id);
		if (j) {
			sm_pp_join(m, j, &a);
			a.max = a.nr + CALLCHAIN_MAX;
			root = sm_view_root(v, m, j);
			if (root)
				labels[nl++] = (struct pprof_label){ v->join_label ? v->join_label : "joined",
								     root };
		}
		ips = stackmap__ips(m, id, &nr);
		callchain__walk(ips, nr, sm_resolve, &r, sm_pp_frame, &a);
		root = sm_view_root(v, m, id);
		if (root)
			labels[nl++] = (struct pprof_label){ v->root_label ? v->root_label : "root", root };
		if (snapshot)
			labels[nl++] = (struct pprof_label){ "snapshot", snapshot };
		pprof__add(pp, fr, a.nr, vals, labels, nl);
	}
	free(fr);
	free(sf);
}

struct stackout {
	struct flamegraph *fg;
	struct pprof *pp;
	char *path;
	u64 start;
};

struct stackout *stackout__new(const char *path, const struct stackmap_view *v, struct err *err)
{
	struct stackout *o = xzalloc(sizeof(*o));

	o->start = now_ns();
	if (path && (str_ends_with(path, ".pb.gz") || str_ends_with(path, ".pprof"))) {
		const char *types[2][2] = {
			{ v->count_type ? v->count_type : "samples", v->count_unit ? v->count_unit : "count" },
			{ v->weight_type, v->weight_unit ? v->weight_unit : "count" },
		};

		o->pp = pprof__new(path, types, v->weight_type ? 2 : 1, err);
		o->path = xstrdup(path);
	} else {
		o->fg = flamegraph__new(path, err);
		if (o->fg) {
			o->path = xstrdup(flamegraph__path(o->fg));
			if (v->by_weight && v->weight_unit)
				flamegraph__set_unit(o->fg, v->weight_unit);
		}
	}
	if (!o->fg && !o->pp) {
		err->code = EXIT_USAGE;
		free(o);
		return NULL;
	}
	return o;
}

struct stackout *stackout__new_stream(FILE *f, const struct stackmap_view *v)
{
	struct stackout *o = xzalloc(sizeof(*o));

	o->start = now_ns();
	o->fg = flamegraph__new_stream(f, FLAMEGRAPH_FOLDED);
	o->path = xstrdup("-");
	if (v->by_weight && v->weight_unit)
		flamegraph__set_unit(o->fg, v->weight_unit);
	return o;
}

const char *stackout__path(const struct stackout *o)
{
	return o->path;
}

int stackout__add(struct stackout *o, struct stackmap *m, const struct stackmap_view *v,
		  const char *snapshot, struct err *err)
{
	if (o->pp) {
		sm_pprof(m, o->pp, v, snapshot);
		return 0;
	}
	stackmap__flame(m, o->fg, v);
	return snapshot ? flamegraph__flush(o->fg, snapshot, err) : 0;
}

int stackout__close(struct stackout *o, struct err *err)
{
	int ret = o->pp ? pprof__close(o->pp, now_ns() - o->start, err) :
			  flamegraph__close(o->fg, err);

	free(o->path);
	free(o);
	return ret;
}

void stackout__delete(struct stackout *o)
{
	if (!o)
		return;
	pprof__delete(o->pp);
	flamegraph__delete(o->fg);
	free(o->path);
	free(o);
}
