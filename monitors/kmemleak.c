// SPDX-License-Identifier: GPL-2.0
/*
 * kmemleak.c - outstanding allocations: every allocation event adds an
 * object (its pointer, size, time and allocation stack), every free event
 * removes it; what is left at a report is grouped by allocation stack and
 * sorted by bytes. Kernel allocators are tracepoints (kmem:kmalloc ...),
 * user-space allocators uprobes: the entry probe carries the size (and the
 * stack), the return probe the pointer, paired per thread here. --libc sets
 * up every libc allocator itself.
 *
 * Memory is bounded: at most --max-objects objects (more are dropped and
 * counted), stacks stored once each in a table (objects hold a 32-bit stack
 * id), symbolized only at report time. Events arrive in time order across
 * CPUs (the profiler asks for --order), so a free on one CPU never passes
 * the allocation it frees on another.
 *
 *   2026-11-22 05:01:02.123456 kmemleak: 38 objects, 41096 bytes outstanding in 2 stacks; ...
 *   Leak of 37000 bytes in 37 objects (oldest 1.503 s, newest 1.498 s) from uprobe:malloc, ...:
 *       00007f0c3a6a8930 malloc+0x0 (/usr/lib/x86_64-linux-gnu/libc.so.6)
 *       0000559a1c0d1234 leak_block+0xf (/path/leaker)
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <traceevent/event-parse.h>
#include <unistd.h>

#include "agg.h"
#include "callchain.h"
#include "elfutil.h"
#include "expr.h"
#include "field.h"
#include "json.h"
#include "probe.h"
#include "profiler.h"
#include "report.h"
#include "stackmap.h"

#define KML_MAX_FRAMES 128	/* frames kept per stack */
#define KML_PEND_MAX 6		/* nested allocator calls pending per thread */
#define KML_MAX_THREADS 65536	/* threads with pending calls */

/* what an event does, from --alloc/--free and the fields it has */
enum kml_role {
	KML_ALLOC,	/* pointer (and size): one event is the allocation */
	KML_ENTRY,	/* size, no pointer: an allocator's entry probe */
	KML_RET,	/* pointer, no size, completing an earlier KML_ENTRY */
	KML_FREE,	/* pointer: a free */
};

/* a number read from a record: a plain field (fast) or an expression */
struct kml_val {
	bool set;
	struct field field;	/* a plain field, read directly */
	struct expr *expr;	/* else an expression */
};

struct kml_ev {
	enum kml_role role;
	int index;		/* in prof->evs: the pseudo stack of this event */
	bool user;		/* a uprobe: pointers are per process */
	bool entry_stack;	/* the stack belongs to this event (not its return) */
	int partner;		/* KML_ENTRY: the index of its KML_RET event */
	struct kml_val ptr, size, old;
	struct kml_val caller;	/* the return address, fetched at a function's entry */
};

/*
 * The object table's key: kernel objects share one address space (pid 0),
 * user objects live in their process's.
 */
struct kml_okey {
	u64 ptr;
	s64 pid;
};

#define KML_ORPHANS 4096	/* unmatched frees remembered (the newest) */

struct kml_orphan {
	struct kml_okey key;
	u64 time;
};

/* one outstanding allocation: the value of the object table */
struct kml_obj {
	u64 time;
	u64 size;
	u32 stack;
};

/*
 * What kmemleak keeps per allocation stack, beside the stack map's own:
 * a stack's tag is its allocating event, and the first stacks (ids 1 to
 * nr_evs) are the stackless groups of each event, held for the whole run.
 * Stacks are referenced by the objects and pending calls that use them.
 */
struct kml_stack {
	s32 pid;		/* first allocating process */
	/* report scratch */
	u64 count, bytes, oldest, newest;
	u64 prev_count, prev_bytes;	/* at the last interval report */
};

/* an allocator call between its entry and its return, per thread */
struct kml_pend {
	u64 size;
	u64 old;
	u64 time;
	u32 stack;
	s16 partner;
	u8 has_old;
	u8 old_freed;		/* a nested free() released it already */
};

struct kml_thread {
	u32 depth;
	struct kml_pend p[KML_PEND_MAX];
};

enum kml_report_kind { KML_FINAL, KML_INTERVAL, KML_SIGNAL };

struct kmemleak_opts {
	struct strlist alloc;
	struct strlist free;
	bool libc;
	u64 than;
	u64 max_objects;
	int top;
};

struct kmemleak {
	/* from prepare(): the role of each -e position, and what it made */
	bool *pos_free;
	int nr_pos;
	char **texts;
	int nr_texts;
	const char *pm_note;	/* why posix_memalign is not traced, or NULL */

	struct prof *prof;
	struct kml_ev *evs;
	int nr_evs;
	bool sized;		/* some allocation event knows sizes */
	bool stacks;		/* stacks were asked for */

	struct hashmap *objs;	/* struct kml_okey -> struct kml_obj */
	struct hashmap *threads;	/* tid -> struct kml_thread */
	struct stackmap *smap;	/* allocation stacks, struct kml_stack each */
	u64 chain[KML_MAX_FRAMES + 1];	/* a stack with its caller put back */
	struct stackout *fg;	/* --flame-graph */

	u64 last_time;		/* of the newest sample */
	/*
	 * frees of addresses not outstanding, the newest KML_ORPHANS: a free
	 * delivered before its allocation (the two on different CPUs, one of
	 * them committed late) is matched when the allocation comes
	 */
	struct hashmap *orphans;	/* struct kml_okey -> free time */
	struct kml_orphan *orphan_fifo;
	u32 orphan_next;
	u64 allocs, frees, unknown_frees, late_frees, replaced, dropped, stack_drops;
	u64 unpaired, nested;
	u64 lost, lost_time;
	u64 prev_count, prev_bytes, last_report;
};

static const char *const kmemleak_attrs[] = {
	"ptr", "size", "old", "stack", "max-stack", "alias", NULL,
};

static void kmemleak_opts_init(void *p)
{
	struct kmemleak_opts *o = p;

	o->max_objects = 1000000;
}

/* ------------------------------------------------------------ values */

/* kml_val_init - @src (an attribute value or a field name) on @ev */
static int kml_val_init(struct evspec *ev, const char *what, const char *src, struct kml_val *v,
			struct err *err)
{
	v->set = true;
	if (field__scalar(&v->field, tep_find_any_field(ev->tp, src)))
		return 0;
	v->expr = expr_compile(src, ev->tp, err);
	if (!v->expr) {
		err_prefix(err, "%s= of '%s'", what, ev->display);
		return -1;
	}
	expr_bind(v->expr, ev->env);
	if (expr_result_type(v->expr) != EXPR_INT) {
		err_set(err, EXIT_USAGE, "%s=%s of '%s' is a string; it must be a number", what, src,
			ev->display);
		return -1;
	}
	return 0;
}

static inline int kml_read(const struct kml_val *v, const struct prof_sample *s, u64 *out)
{
	s64 r;

	if (unlikely(v->expr)) {
		struct expr_ctx ctx = {
			.raw = s->raw, .raw_size = s->raw_size, .cpu = s->cpu, .pid = s->pid,
			.tid = s->tid, .time = s->time, .period = s->period,
		};

		if (expr_eval(v->expr, &ctx, &r))
			return -1;
	} else if (field__read(&v->field, s->raw, s->raw_size, &r)) {
		return -1;
	}
	*out = (u64)r;
	return 0;
}

/* ------------------------------------------------------------ stacks */

static inline struct kml_stack *kml_st(const struct kmemleak *k, u32 id)
{
	return stackmap__aux(k->smap, id);
}

/* the stackless group of event @ev */
static inline u32 kml_no_stack(int ev)
{
	return (u32)ev + 1;
}

/* kml_ev - the allocating event of stack @id */
static int kml_ev(const struct kmemleak *k, u32 id)
{
	return (int)stackmap__tag(k->smap, id);
}

static const char *kml_ev_name(struct prof *prof, const struct kmemleak *k, u32 id)
{
	return prof->evs[kml_ev(k, id)]->display;
}

/* the flame graph's view of a stack: its task (user space) or event, its objects and bytes */
static const char *kml_view_root(void *ctx, const struct stackmap *m, u32 id)
{
	struct prof *prof = ctx;
	struct kmemleak *k = prof->priv;
	const struct kml_stack *st = stackmap__aux(m, id);

	return k->evs[kml_ev(k, id)].user && st->pid > 0 ? prof__comm(prof, st->pid) :
							   kml_ev_name(prof, k, id);
}

static bool kml_view_values(void *ctx, const struct stackmap *m, u32 id, u64 *count, u64 *weight)
{
	const struct kml_stack *st = stackmap__aux(m, id);

	*count = st->count;
	*weight = st->bytes;
	return st->count > 0;
}

static void kml_view(struct prof *prof, struct stackmap_view *v)
{
	struct kmemleak *k = prof->priv;

	*v = (struct stackmap_view){
		.root = kml_view_root, .values = kml_view_values, .ctx = prof,
		.by_weight = k->sized, .root_label = "root",
		.count_type = "inuse_objects", .count_unit = "count",
		.weight_type = k->sized ? "inuse_space" : NULL, .weight_unit = "bytes",
	};
}

/*
 * kml_caller - a frame-pointer stack taken on a function's first
 * instruction misses the function's caller: the frame pointer still is the
 * caller's, so the walk starts at the caller's caller. The return address
 * (fetched as 'caller=$stack0') goes back in after the first user frame,
 * unless the stack has it already (DWARF unwinding, kernels that fix it).
 */
static const u64 *kml_caller(struct kmemleak *k, const struct kml_ev *e,
			     const struct prof_sample *s, const u64 *ips, u32 *nr)
{
	u64 caller;
	u32 u;

	if (kml_read(&e->caller, s, &caller) || !caller)
		return ips;
	for (u = 0; u < *nr && ips[u] != PERF_CONTEXT_USER; u++)
		;
	/* ips[u] the marker, ips[u + 1] the probed pc, ips[u + 2] what should be the caller */
	if (u + 2 > *nr || (u + 2 < *nr && ips[u + 2] == caller) || *nr >= KML_MAX_FRAMES)
		return ips;
	memcpy(k->chain, ips, (u + 2) * sizeof(u64));
	k->chain[u + 2] = caller;
	memcpy(k->chain + u + 3, ips + u + 2, (*nr - u - 2) * sizeof(u64));
	(*nr)++;
	return k->chain;
}

/*
 * kml_stack_id - the id of the sample's stack for allocations of event
 * @e, interned in the stack map. Kernel allocations keep the kernel part
 * only: the user frames of the syscall that led there would split one
 * kernel site into many groups. A full map groups the allocation with the
 * event's stackless ones.
 */
static u32 kml_stack_id(struct kmemleak *k, const struct kml_ev *e, const struct prof_sample *s)
{
	u32 nr = (u32)s->nr_ips, id;
	const u64 *ips = s->ips;
	bool created;

	if (!nr)
		return kml_no_stack(e->index);
	if (!e->user)
		for (u32 i = 0; i < nr; i++)
			if (ips[i] == PERF_CONTEXT_USER) {
				nr = i;
				break;
			}
	if (nr > KML_MAX_FRAMES)
		nr = KML_MAX_FRAMES;
	if (e->caller.set)
		ips = kml_caller(k, e, s, ips, &nr);
	id = stackmap__intern(k->smap, (u64)e->index, s->pid, ips, nr, &created);
	if (!id) {
		k->stack_drops++;
		return kml_no_stack(e->index);
	}
	if (created)
		kml_st(k, id)->pid = s->pid;
	return id;
}

/* ----------------------------------------------------------- objects */

/* kml_orphan_add - a free of an address not outstanding, remembered a while */
static void kml_orphan_add(struct kmemleak *k, const struct kml_okey *key, u64 time)
{
	struct kml_orphan *slot = &k->orphan_fifo[k->orphan_next++ % KML_ORPHANS];
	u64 *t;

	/* the oldest goes, unless a newer free of its address replaced it */
	if (slot->time) {
		t = hashmap__kfind(k->orphans, &slot->key);
		if (t && *t == slot->time)
			hashmap__kdel(k->orphans, &slot->key);
	}
	t = hashmap__kget(k->orphans, key);
	if (!t) {
		slot->time = 0;
		return;
	}
	*t = time;
	*slot = (struct kml_orphan){ *key, time };
}

static void kml_obj_alloc(struct kmemleak *k, int pid, u64 ptr, u64 size, u32 stack, u64 time)
{
	struct kml_okey key = { ptr, pid };
	bool created;
	struct kml_obj *o;
	u64 *freed = hashmap__kfind(k->orphans, &key);

	k->allocs++;
	/* its free came first: the two were delivered out of order */
	if (unlikely(freed) && *freed >= time) {
		hashmap__kdel(k->orphans, &key);
		k->unknown_frees--;
		k->late_frees++;
		return;
	}
	o = hashmap__kget_new(k->objs, &key, &created);
	if (unlikely(!o)) {
		k->dropped++;
		return;
	}
	if (!created) {
		/* the free of the previous object at this address was not seen */
		k->replaced++;
		stackmap__unref(k->smap, o->stack);
	}
	o->size = size;
	o->time = time;
	o->stack = stack;
	stackmap__ref(k->smap, stack);
}

static void kml_obj_free(struct kmemleak *k, int pid, u64 ptr, u64 time)
{
	struct kml_okey key = { ptr, pid };
	struct kml_obj *o = hashmap__kfind(k->objs, &key);

	k->frees++;
	if (!o) {
		k->unknown_frees++;
		kml_orphan_add(k, &key, time);
		return;
	}
	stackmap__unref(k->smap, o->stack);
	hashmap__kdel(k->objs, &key);
}

/* ------------------------------------------------------------ sample */

static struct kml_thread *kml_thread(struct kmemleak *k, int tid, bool add)
{
	if (!add)
		return hashmap__find(k->threads, (u64)(u32)tid);
	return hashmap__get(k->threads, (u64)(u32)tid);
}

static void kml_entry(struct kmemleak *k, const struct kml_ev *e, const struct prof_sample *s)
{
	struct kml_thread *t = kml_thread(k, s->tid, true);
	struct kml_pend *p;
	u64 size = 0, old = 0;

	if (unlikely(!t)) {
		k->unpaired++;
		return;
	}
	if (kml_read(&e->size, s, &size) || (e->old.set && kml_read(&e->old, s, &old))) {
		prof__expr_error(k->prof, s->ev);
		return;
	}
	if (t->depth == KML_PEND_MAX) {
		/* the oldest call never returned (as far as we saw): forget it */
		stackmap__unref(k->smap, t->p[0].stack);
		memmove(&t->p[0], &t->p[1], (KML_PEND_MAX - 1) * sizeof(t->p[0]));
		t->depth--;
		k->unpaired++;
	}
	p = &t->p[t->depth++];
	p->size = size;
	p->old = old;
	p->has_old = e->old.set;
	p->old_freed = 0;
	p->time = s->time;
	p->partner = (s16)e->partner;
	p->stack = kml_stack_id(k, e, s);
	/* the pending call holds its stack until it returns */
	stackmap__ref(k->smap, p->stack);
}

/*
 * kml_ret - the return of an allocator: the innermost pending call of this
 * thread waiting for this event completes. Calls above it never returned
 * (as far as we saw). An allocation made inside another allocator that is
 * still pending (aligned_alloc calling malloc) is left to the outer one.
 */
static void kml_ret(struct kmemleak *k, const struct kml_ev *e, const struct prof_sample *s)
{
	struct kml_thread *t = kml_thread(k, s->tid, false);
	struct kml_pend p;
	u64 ptr;
	int i, pid = e->user ? s->pid : 0;

	if (kml_read(&e->ptr, s, &ptr)) {
		prof__expr_error(k->prof, s->ev);
		return;
	}
	for (i = t ? (int)t->depth - 1 : -1; i >= 0; i--)
		if (t->p[i].partner == e->index)
			break;
	if (i < 0) {
		k->unpaired++;
		return;
	}
	p = t->p[i];
	for (u32 j = (u32)i; j < t->depth; j++)
		stackmap__unref(k->smap, t->p[j].stack);
	k->unpaired += t->depth - (u32)i - 1;
	t->depth = (u32)i;
	if (p.has_old && p.old && !p.old_freed && (ptr || !p.size))
		kml_obj_free(k, pid, p.old, s->time);	/* realloc: moved, or freed by size 0 */
	if (!ptr)
		return;
	if (t->depth) {
		k->nested++;
		return;
	}
	kml_obj_alloc(k, pid, ptr, p.size, p.stack, s->time);
}

static void kml_alloc(struct kmemleak *k, const struct kml_ev *e, const struct prof_sample *s)
{
	u64 ptr, size = 0, old = 0;
	int pid = e->user ? s->pid : 0;

	if (kml_read(&e->ptr, s, &ptr) || (e->size.set && kml_read(&e->size, s, &size)) ||
	    (e->old.set && kml_read(&e->old, s, &old))) {
		prof__expr_error(k->prof, s->ev);
		return;
	}
	if (old)
		kml_obj_free(k, pid, old, s->time);
	/* NULL, and the kernel's ZERO_SIZE_PTR of kmalloc(0) */
	if (ptr <= (e->user ? 0 : 16))
		return;
	kml_obj_alloc(k, pid, ptr, size, kml_stack_id(k, e, s), s->time);
}

static void kml_free(struct kmemleak *k, const struct kml_ev *e, const struct prof_sample *s)
{
	struct kml_thread *t;
	u64 ptr;
	int pid = e->user ? s->pid : 0;

	if (kml_read(&e->ptr, s, &ptr)) {
		prof__expr_error(k->prof, s->ev);
		return;
	}
	if (ptr <= (e->user ? 0 : 16))
		return;
	/* realloc(p, 0) frees p itself: its return must not free it again */
	if (e->user && (t = kml_thread(k, s->tid, false)) && t->depth) {
		struct kml_pend *p = &t->p[t->depth - 1];

		if (p->has_old && p->old == ptr)
			p->old_freed = 1;
	}
	kml_obj_free(k, pid, ptr, s->time);
}

static void kmemleak_sample(struct prof *prof, const struct prof_sample *s)
{
	struct kmemleak *k = prof->priv;
	const struct kml_ev *e = s->ev->priv;

	k->last_time = s->time;
	switch (e->role) {
	case KML_ALLOC:
		kml_alloc(k, e, s);
		break;
	case KML_ENTRY:
		kml_entry(k, e, s);
		break;
	case KML_RET:
		kml_ret(k, e, s);
		break;
	case KML_FREE:
		kml_free(k, e, s);
		break;
	}
}

/*
 * A gap in a ring: frees may be among the lost records, so objects
 * allocated before it may be gone; pending calls may miss their returns.
 */
static void kmemleak_lost(struct prof *prof, struct ring *ring, u64 n)
{
	struct kmemleak *k = prof->priv;
	size_t it;
	struct kml_thread *t;

	k->lost += n;
	k->lost_time = k->last_time;
	hashmap__for_each(k->threads, it, t) {
		for (u32 j = 0; j < t->depth; j++)
			stackmap__unref(k->smap, t->p[j].stack);
		t->depth = 0;
	}
}

/* ----------------------------------------------------------- prepare */

static void kml_add_event(struct prof *prof, struct kmemleak *k, const char *text, bool is_free,
			  bool owned)
{
	struct strlist *l = &prof->opt.events;

	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = text;
	k->pos_free = xrealloc(k->pos_free, (size_t)(k->nr_pos + 1) * sizeof(*k->pos_free));
	k->pos_free[k->nr_pos++] = is_free;
	if (owned) {
		k->texts = xrealloc(k->texts, (size_t)(k->nr_texts + 1) * sizeof(*k->texts));
		k->texts[k->nr_texts++] = (char *)text;
	}
}

/* kml_elf_func - value and size of the function @name in the symbol tables of @elf */
static bool kml_elf_func(Elf *elf, const char *name, GElf_Sym *out)
{
	struct elf_func f = { .rank = 0 };

	elf__find_func(elf, name, &f);
	if (!f.rank || GELF_ST_TYPE(f.sym.st_info) != STT_FUNC || !f.sym.st_value ||
	    !f.sym.st_size)
		return false;
	*out = f.sym;
	return true;
}

/* kml_elf_code - up to @max bytes of the code of @sym, read through its PT_LOAD */
static size_t kml_elf_code(Elf *elf, int fd, const GElf_Sym *sym, u8 *buf, size_t max)
{
	size_t n = 0, len = sym->st_size < max ? sym->st_size : max;

	if (elf_getphdrnum(elf, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    sym->st_value < ph.p_vaddr || sym->st_value + len > ph.p_vaddr + ph.p_filesz)
			continue;
		if (pread(fd, buf, len, (off_t)(sym->st_value - ph.p_vaddr + ph.p_offset)) !=
		    (ssize_t)len)
			return 0;
		return len;
	}
	return 0;
}

static u64 kml_rel32(const u8 *code, size_t i, u64 base)
{
	s32 rel;

	memcpy(&rel, code + i + 1, 4);
	return base + i + 5 + (u64)(s64)rel;
}

/*
 * kml_posix_memalign_site - posix_memalign() returns its pointer through
 * memory, where a return probe cannot read it. It gets it from the
 * function aligned_alloc() ends in with a tail jump (glibc's
 * _mid_memalign), so right after posix_memalign's call of that function
 * the pointer is in %rax. Returns that offset into posix_memalign, or 0
 * when the code does not look like that (another libc): then
 * posix_memalign is not traced.
 */
static u64 kml_posix_memalign_site(const char *path)
{
	u8 aa[256], pm[512];
	u64 targets[8], site = 0;
	size_t naa, npm;
	int nt = 0, found = 0, fd = open(path, O_RDONLY | O_CLOEXEC);
	GElf_Sym saa, spm;
	Elf *elf;

	if (fd < 0)
		return 0;
	/* the Elf reads through a map of its own; @fd reads the code */
	elf = elf__open_fd(dup(fd));
	if (!elf || !kml_elf_func(elf, "aligned_alloc", &saa) ||
	    !kml_elf_func(elf, "posix_memalign", &spm))
		goto out;
	naa = kml_elf_code(elf, fd, &saa, aa, sizeof(aa));
	npm = kml_elf_code(elf, fd, &spm, pm, sizeof(pm));
	for (size_t i = 0; i + 5 <= naa && nt < 8; i++) {
		u64 t;
		int j;

		if (aa[i] != 0xe9)	/* jmp rel32 */
			continue;
		t = kml_rel32(aa, i, saa.st_value);
		for (j = 0; j < nt && targets[j] != t; j++)
			;
		if (j == nt && (t < saa.st_value || t >= saa.st_value + saa.st_size))
			targets[nt++] = t;
	}
	for (size_t i = 0; i + 5 <= npm; i++) {
		if (pm[i] != 0xe8)	/* call rel32 */
			continue;
		for (int j = 0; j < nt; j++)
			if (kml_rel32(pm, i, spm.st_value) == targets[j]) {
				site = i + 5;
				found++;
			}
	}
	if (found != 1)
		site = 0;
out:
	elf__close(elf);
	close(fd);
	return site;
}

/*
 * The libc allocators: each entry probe (size, stack) is followed by the
 * event that completes it (the pointer), then free. aligned_alloc is
 * memalign (one function); reallocarray calls realloc.
 */
static int kml_libc(struct prof *prof, struct kmemleak *k, struct err *err)
{
	static const char *const fixed[] = {
		"uprobe:malloc@libc(size=arg1,caller=$stack0)//stack/",
		"uretprobe:malloc@libc(ptr=$retval)",
		"uprobe:calloc@libc(nmemb=arg1,elem=arg2,caller=$stack0)//size=nmemb*elem/stack/",
		"uretprobe:calloc@libc(ptr=$retval)",
		"uprobe:realloc@libc(old=arg1,size=arg2,caller=$stack0)//old=old/stack/",
		"uretprobe:realloc@libc(ptr=$retval)",
		"uprobe:aligned_alloc@libc(size=arg2,caller=$stack0)//stack/",
		"uretprobe:aligned_alloc@libc(ptr=$retval)",
	};
	char *path;
	u64 site;

	path = probe__resolve_file("libc", err);
	if (!path) {
		err_prefix(err, "--libc");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		kml_add_event(prof, k, fixed[i], false, false);
	site = kml_posix_memalign_site(path);
	free(path);
	if (site) {
		kml_add_event(prof, k, "uprobe:posix_memalign@libc(size=arg3,caller=$stack0)//stack/",
			      false, false);
		kml_add_event(prof, k, xasprintf("uprobe:posix_memalign+%#llx@libc(ptr=%%ax)",
						 (unsigned long long)site), false, true);
	} else {
		k->pm_note = "posix_memalign is not traced: its pointer is not found in this libc's code";
	}
	kml_add_event(prof, k, "uprobe:free@libc(ptr=arg1)", true, false);
	return 0;
}

/* the events come from --alloc, --free and --libc, not from -e */
static int kmemleak_prepare(struct prof *prof, struct err *err)
{
	const struct kmemleak_opts *o = prof->opts;
	struct kmemleak *k = xzalloc(sizeof(*k));

	prof->priv = k;
	if (!o->alloc.n && !o->libc) {
		err_set(err, EXIT_USAGE, "no allocation events: kmemleak needs --alloc EVENT[,EVENT...]");
		err_hint(err, "e.g. --alloc kmem:kmalloc --free kmem:kfree -g, or --libc -- COMMAND "
			      "for malloc and free in user space");
		return -1;
	}
	if (o->alloc.n && !o->free.n) {
		err_set(err, EXIT_USAGE, "no free events: kmemleak needs --free EVENT[,EVENT...] "
					 "with --alloc");
		err_hint(err, "every allocator needs its free: --alloc kmem:kmalloc --free kmem:kfree");
		return -1;
	}
	if (!o->alloc.n && o->free.n) {
		err_set(err, EXIT_USAGE, "--free needs --alloc");
		return -1;
	}
	if (!o->max_objects) {
		err_set(err, EXIT_USAGE, "invalid '--max-objects 0': must be a positive count");
		return -1;
	}
	for (int i = 0; i < o->alloc.n; i++)
		kml_add_event(prof, k, o->alloc.v[i], false, false);
	for (int i = 0; i < o->free.n; i++)
		kml_add_event(prof, k, o->free.v[i], true, false);
	if (o->libc && kml_libc(prof, k, err))
		return -1;
	return 0;
}

/* -------------------------------------------------------------- init */

static bool kml_has_field(struct evspec *ev, const char *name)
{
	return tep_find_any_field(ev->tp, name) != NULL;
}

static int kml_ev_init(struct kmemleak *k, struct evspec *ev, struct kml_ev *e, bool is_free,
		       struct err *err)
{
	const char *ptr = evspec_attr(ev, "ptr"), *size = evspec_attr(ev, "size");
	const char *old = evspec_attr(ev, "old");
	char pages[64];

	e->user = ev->kind == EVSPEC_UPROBE || ev->kind == EVSPEC_URETPROBE;
	if (!ptr)
		ptr = kml_has_field(ev, "ptr") ? "ptr" : kml_has_field(ev, "pfn") ? "pfn" : NULL;
	if (ptr && kml_val_init(ev, "ptr", ptr, &e->ptr, err))
		return -1;
	if (is_free) {
		if (!ptr) {
			err_set(err, EXIT_USAGE, "free event '%s' has no pointer: no field 'ptr' and "
						 "no ptr= attribute", ev->display);
			err_hint(err, "say which field holds the freed address: '%s//ptr=FIELD/'",
				 ev->text);
			return -1;
		}
		e->role = KML_FREE;
		return 0;
	}
	if (!size) {
		snprintf(pages, sizeof(pages), "%ld<<order", sysconf(_SC_PAGESIZE));
		size = kml_has_field(ev, "bytes_alloc") ? "bytes_alloc" :
		       kml_has_field(ev, "size") ? "size" :
		       ptr && !strcmp(ptr, "pfn") && kml_has_field(ev, "order") ? pages : NULL;
	}
	if (size && kml_val_init(ev, "size", size, &e->size, err))
		return -1;
	if (old && kml_val_init(ev, "old", old, &e->old, err))
		return -1;
	if (e->user && kml_has_field(ev, "caller") && kml_val_init(ev, "caller", "caller",
								    &e->caller, err))
		return -1;
	if (!ptr && !size) {
		err_set(err, EXIT_USAGE, "allocation event '%s' has no pointer: no field 'ptr' and "
					 "no ptr= attribute", ev->display);
		err_hint(err, "say which field holds the address: '%s//ptr=FIELD/'; an allocator's "
			      "entry probe gives size=, its return probe ptr=$retval", ev->text);
		return -1;
	}
	k->sized |= size != NULL;
	e->role = !ptr ? KML_ENTRY : KML_ALLOC;
	e->partner = -1;
	return 0;
}

/*
 * kml_pair - each entry event (a size, no pointer) is completed by the
 * first later allocation event with a pointer and no size that no earlier
 * entry took: list every entry probe before its return probe.
 */
static int kml_pair(struct prof *prof, struct kmemleak *k, struct err *err)
{
	for (int i = 0; i < k->nr_evs; i++) {
		struct kml_ev *e = &k->evs[i];
		int j;

		if (e->role != KML_ENTRY)
			continue;
		for (j = i + 1; j < k->nr_evs; j++) {
			struct kml_ev *r = &k->evs[j];

			if (r->role == KML_ALLOC && !r->size.set)
				break;
		}
		if (j == k->nr_evs) {
			err_set(err, EXIT_USAGE, "'%s' gives a size but no pointer, and no later "
						 "--alloc event gives the pointer", prof->evs[i]->display);
			err_hint(err, "pair an entry probe with its return probe, in this order: --alloc "
				      "'uprobe:malloc@libc(size=arg1),uretprobe:malloc@libc(ptr=$retval)'");
			return -1;
		}
		if (k->evs[j].old.set) {
			err_set(err, EXIT_USAGE, "old= belongs on the entry probe '%s', not on its "
						 "return '%s'", prof->evs[i]->display,
				prof->evs[j]->display);
			return -1;
		}
		k->evs[j].role = KML_RET;
		e->partner = j;
	}
	return 0;
}

static int kmemleak_init(struct prof *prof, struct err *err)
{
	const struct kmemleak_opts *o = prof->opts;
	struct kmemleak *k = prof->priv;
	bool any_stack = prof->opt.callgraph || prof->opt.call_graph;
	struct stackmap_view view;
	u32 max_stacks;

	k->prof = prof;
	k->nr_evs = prof->nr_evs;
	k->evs = xzalloc((size_t)prof->nr_evs * sizeof(*k->evs));
	for (int i = 0; i < prof->nr_evs; i++) {
		struct evspec *ev = prof->evs[i];
		struct kml_ev *e = &k->evs[i];

		e->index = i;
		ev->priv = e;
		if (kml_ev_init(k, ev, e, ev->pos < k->nr_pos && k->pos_free[ev->pos], err))
			return -1;
		any_stack |= ev->stack;
	}
	if (kml_pair(prof, k, err))
		return -1;
	k->stacks = any_stack;
	if (prof->opt.flame_graph) {
		if (!any_stack) {
			err_set(err, EXIT_USAGE, "--flame-graph needs stacks");
			err_hint(err, "add -g, --call-graph dwarf, or the 'stack' attribute to the "
				      "--alloc events");
			return -1;
		}
		kml_view(prof, &view);
		k->fg = stackout__new(prof->opt.flame_graph, &view, err);
		if (!k->fg)
			return -1;
	}
	if (k->pm_note && !prof->opt.quiet)
		fprintf(stderr, "perf-prof kmemleak: note: %s\n", k->pm_note);
	k->objs = hashmap__new_keys(sizeof(struct kml_okey), sizeof(struct kml_obj), o->max_objects);
	k->orphans = hashmap__new_keys(sizeof(struct kml_okey), sizeof(u64), KML_ORPHANS);
	k->orphan_fifo = xzalloc(KML_ORPHANS * sizeof(*k->orphan_fifo));
	k->threads = hashmap__new(sizeof(struct kml_thread), KML_MAX_THREADS);
	max_stacks = o->max_objects / 8 < 64 ? 64 : (u32)(o->max_objects / 8);
	k->smap = stackmap__new(prof->env, max_stacks + (u32)k->nr_evs, sizeof(struct kml_stack));
	/* the stackless group of each event: ids 1..nr_evs, held for the run */
	for (int i = 0; i < k->nr_evs; i++) {
		u32 id = stackmap__intern(k->smap, (u64)i, -1, NULL, 0, NULL);

		stackmap__ref(k->smap, id);
		kml_st(k, id)->pid = -1;
	}
	k->last_report = now_ns();
	return 0;
}

/* ------------------------------------------------------------ report */

struct kml_report {
	enum kml_report_kind kind;
	u64 now;
	u64 count, bytes;		/* shown (older than --than) */
	u64 young_count, young_bytes;	/* hidden by --than */
	u64 suspect;			/* allocated before the last loss */
	s64 grew_count, grew_bytes;	/* since the last interval report */
	u32 *ids;			/* stacks to print, sorted */
	u32 nr_ids, nr_groups;
};

/* kml_since - @now - @t, 0 for a time after @now (replayed records) */
static inline u64 kml_since(u64 now, u64 t)
{
	return now > t ? now - t : 0;
}

static const char *kml_s(u64 n)
{
	return n == 1 ? "" : "s";
}

static char *kml_age(char *buf, size_t size, u64 ns)
{
	char tmp[32], *p = agg__fmt_duration(tmp, sizeof(tmp), ns);
	size_t n;

	while (*p == ' ')
		p++;
	n = strlen(p);
	while (n && p[n - 1] == ' ')
		p[--n] = '\0';
	snprintf(buf, size, "%s", p);
	return buf;
}

/* kml_collect - per stack count, bytes and ages of the objects shown */
static void kml_collect(struct prof *prof, struct kmemleak *k, struct kml_report *r)
{
	const struct kmemleak_opts *o = prof->opts;
	struct kml_obj *obj;
	size_t it;
	u32 id;

	stackmap__for_each(k->smap, id) {
		struct kml_stack *st = kml_st(k, id);

		st->count = st->bytes = st->newest = 0;
		st->oldest = UINT64_MAX;
	}
	hashmap__for_each(k->objs, it, obj) {
		struct kml_stack *st = kml_st(k, obj->stack);
		u64 age = kml_since(r->now, obj->time);

		if (k->lost && obj->time <= k->lost_time)
			r->suspect++;
		if (o->than && age < o->than) {
			r->young_count++;
			r->young_bytes += obj->size;
			continue;
		}
		st->count++;
		st->bytes += obj->size;
		if (obj->time < st->oldest)
			st->oldest = obj->time;
		if (obj->time > st->newest)
			st->newest = obj->time;
		r->count++;
		r->bytes += obj->size;
	}
}

static int kml_cmp_bytes(const void *a, const void *b, void *ctx)
{
	const struct kmemleak *k = ctx;
	const struct kml_stack *x = kml_st(k, *(const u32 *)a), *y = kml_st(k, *(const u32 *)b);

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return *(const u32 *)a < *(const u32 *)b ? -1 : 1;
}

static int kml_cmp_growth(const void *a, const void *b, void *ctx)
{
	const struct kmemleak *k = ctx;
	const struct kml_stack *x = kml_st(k, *(const u32 *)a), *y = kml_st(k, *(const u32 *)b);
	s64 gx = (s64)(x->bytes - x->prev_bytes), gy = (s64)(y->bytes - y->prev_bytes);
	s64 cx = (s64)(x->count - x->prev_count), cy = (s64)(y->count - y->prev_count);

	if (gx != gy)
		return gx > gy ? -1 : 1;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return kml_cmp_bytes(a, b, ctx);
}

static void kml_sort(struct prof *prof, struct kmemleak *k, struct kml_report *r)
{
	const struct kmemleak_opts *o = prof->opts;
	bool growth = r->kind == KML_INTERVAL;

	u32 id;

	r->ids = xzalloc((size_t)stackmap__nr(k->smap) * sizeof(*r->ids));
	stackmap__for_each(k->smap, id) {
		const struct kml_stack *st = kml_st(k, id);

		if (!st->count)
			continue;
		r->nr_groups++;
		if (growth && st->count <= st->prev_count && st->bytes <= st->prev_bytes)
			continue;
		r->ids[r->nr_ids++] = id;
	}
	qsort_r(r->ids, r->nr_ids, sizeof(*r->ids), growth ? kml_cmp_growth : kml_cmp_bytes, k);
	if (o->top > 0 && r->nr_ids > (u32)o->top)
		r->nr_ids = (u32)o->top;
}

static void kml_print_group(struct prof *prof, struct kmemleak *k, const struct kml_report *r,
			    u32 id)
{
	const struct kml_stack *st = kml_st(k, id);
	char oldest[32], newest[32], who[TEXT_NAME_MAX + 32] = "", comm[TEXT_NAME_MAX];
	char name[TEXT_NAME_MAX];
	const char *ev_name = text_name(kml_ev_name(prof, k, id), name, sizeof(name));
	bool user = k->evs[kml_ev(k, id)].user;
	u32 nr;

	kml_age(oldest, sizeof(oldest), kml_since(r->now, st->oldest));
	kml_age(newest, sizeof(newest), kml_since(r->now, st->newest));
	/* a space or a control byte in a comm or an alias stays one word */
	if (user && st->pid > 0)
		snprintf(who, sizeof(who), ", %s[%d]",
			 text_name(prof__comm(prof, st->pid), comm, sizeof(comm)), st->pid);
	if (r->kind == KML_INTERVAL)
		fprintf(prof->out, "Grew by %lld bytes in %lld object%s to %llu bytes in %llu "
				   "object%s (oldest %s, newest %s) from %s%s:\n",
			(long long)(st->bytes - st->prev_bytes), (long long)(st->count - st->prev_count),
			kml_s(st->count - st->prev_count), (unsigned long long)st->bytes,
			(unsigned long long)st->count, kml_s(st->count), oldest, newest,
			ev_name, who);
	else
		fprintf(prof->out, "Leak of %llu bytes in %llu object%s (oldest %s, newest %s) from "
				   "%s%s:\n",
			(unsigned long long)st->bytes, (unsigned long long)st->count, kml_s(st->count),
			oldest, newest, ev_name, who);
	stackmap__ips(k->smap, id, &nr);
	if (nr)
		stackmap__print(k->smap, id, prof->out);
	else
		fprintf(prof->out, "    [no stack]\n");
}

static void kml_print_notes(struct prof *prof, struct kmemleak *k, const struct kml_report *r)
{
	const struct kmemleak_opts *o = prof->opts;
	FILE *out = prof->out;

	if (!k->stacks && r->nr_ids)
		fprintf(out, "note: objects are grouped by event only: add -g (or --call-graph "
			     "dwarf) for allocation stacks\n");
	if (!k->sized)
		fprintf(out, "note: the allocation events give no size: bytes are 0 (add size=)\n");
	if (k->unknown_frees)
		fprintf(out, "note: %llu frees of addresses not outstanding (allocated before the "
			     "start or inside the allocator, freed twice, or lost)\n",
			(unsigned long long)k->unknown_frees);
	if (k->late_frees)
		fprintf(out, "note: %llu frees delivered before their allocation (on another CPU, "
			     "committed late): matched\n", (unsigned long long)k->late_frees);
	if (k->replaced)
		fprintf(out, "note: %llu allocations of an address already outstanding: its free "
			     "was not seen\n", (unsigned long long)k->replaced);
	if (k->unpaired)
		fprintf(out, "note: %llu allocator calls without their entry or return event\n",
			(unsigned long long)k->unpaired);
	if (k->dropped)
		fprintf(out, "warning: %llu allocations not tracked: more than %llu objects "
			     "outstanding (raise --max-objects)\n", (unsigned long long)k->dropped,
			(unsigned long long)o->max_objects);
	if (k->stack_drops)
		fprintf(out, "warning: %llu allocations grouped without their stack: the stack "
			     "table was full\n", (unsigned long long)k->stack_drops);
	if (k->lost)
		fprintf(out, "warning: %llu records lost: the state is incomplete; %llu outstanding "
			     "objects were allocated before the last loss and may have been freed "
			     "unseen\n", (unsigned long long)k->lost, (unsigned long long)r->suspect);
	if (k->pm_note)
		fprintf(out, "note: %s\n", k->pm_note);
}

static void kml_print_text(struct prof *prof, struct kmemleak *k, struct kml_report *r)
{
	const struct kmemleak_opts *o = prof->opts;
	char than[32], *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	/* the header's text, in pieces; the report cycle's header frames it */
	if (!f)
		return;
	fprintf(f, "%llu object%s, %llu bytes outstanding", (unsigned long long)r->count,
		kml_s(r->count), (unsigned long long)r->bytes);
	if (o->than)
		fprintf(f, " for more than %s (%llu younger, %llu bytes)",
			kml_age(than, sizeof(than), o->than), (unsigned long long)r->young_count,
			(unsigned long long)r->young_bytes);
	fprintf(f, " in %u stack%s", r->nr_groups, kml_s(r->nr_groups));
	if (r->kind == KML_INTERVAL)
		fprintf(f, "; %+lld object%s, %+lld bytes since the last report",
			(long long)r->grew_count, kml_s((u64)llabs(r->grew_count)),
			(long long)r->grew_bytes);
	fprintf(f, "; %llu allocations, %llu frees in total", (unsigned long long)k->allocs,
		(unsigned long long)k->frees);
	fclose(f);
	report__header(prof->out, "kmemleak", NULL, "%s", line);
	free(line);
	for (u32 i = 0; i < r->nr_ids; i++)
		kml_print_group(prof, k, r, r->ids[i]);
	kml_print_notes(prof, k, r);
}

static void kml_json_frames(struct kmemleak *k, struct json *j, u32 id)
{
	const char *names[CALLCHAIN_MAX];
	int n = stackmap__names(k->smap, id, names, CALLCHAIN_MAX);
	u32 nr;
	const u64 *ips = stackmap__ips(k->smap, id, &nr);

	json_arr_begin(j, "frames");
	for (int i = n - 1; i >= 0; i--)
		json_str(j, NULL, names[i]);
	json_arr_end(j);
	json_arr_begin(j, "ips");
	for (u32 i = 0; i < nr; i++)
		if (ips[i] < PERF_CONTEXT_MAX)
			json_uint(j, NULL, ips[i]);
	json_arr_end(j);
}

static void kml_print_json(struct prof *prof, struct kmemleak *k, struct kml_report *r)
{
	static const char *const kinds[] = { "final", "interval", "signal" };
	const struct kmemleak_opts *o = prof->opts;
	struct json j;

	report__json_begin(&j, prof->out, kinds[r->kind]);
	json_uint(&j, "than_ns", o->than);
	json_uint(&j, "objects", r->count);
	json_uint(&j, "bytes", r->bytes);
	json_uint(&j, "young_objects", r->young_count);
	json_uint(&j, "young_bytes", r->young_bytes);
	if (r->kind == KML_INTERVAL) {
		json_int(&j, "grew_objects", r->grew_count);
		json_int(&j, "grew_bytes", r->grew_bytes);
	}
	json_uint(&j, "stacks_total", r->nr_groups);
	json_uint(&j, "allocs", k->allocs);
	json_uint(&j, "frees", k->frees);
	json_uint(&j, "unknown_frees", k->unknown_frees);
	json_uint(&j, "late_frees", k->late_frees);
	json_uint(&j, "replaced", k->replaced);
	json_uint(&j, "unpaired", k->unpaired);
	json_uint(&j, "nested", k->nested);
	json_uint(&j, "collisions", 0);	/* objects are keyed by (pid, address): none */
	json_uint(&j, "dropped", k->dropped);
	json_uint(&j, "stack_drops", k->stack_drops);
	json_uint(&j, "stacks_reclaimed", stackmap__reclaimed(k->smap));
	json_uint(&j, "lost", k->lost);
	json_uint(&j, "suspect_objects", r->suspect);
	json_arr_begin(&j, "stacks");
	for (u32 i = 0; i < r->nr_ids; i++) {
		u32 id = r->ids[i];
		const struct kml_stack *st = kml_st(k, id);

		json_obj_begin(&j, NULL);
		json_str(&j, "event", kml_ev_name(prof, k, id));
		json_int(&j, "pid", st->pid);
		json_str(&j, "comm", st->pid > 0 ? prof__comm(prof, st->pid) : "");
		json_uint(&j, "objects", st->count);
		json_uint(&j, "bytes", st->bytes);
		if (r->kind == KML_INTERVAL) {
			json_int(&j, "grew_objects", (s64)(st->count - st->prev_count));
			json_int(&j, "grew_bytes", (s64)(st->bytes - st->prev_bytes));
		}
		json_uint(&j, "oldest_ns", kml_since(r->now, st->oldest));
		json_uint(&j, "newest_ns", kml_since(r->now, st->newest));
		kml_json_frames(k, &j, id);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
}

/* kml_flame - the outstanding bytes (objects when sizes are unknown) per stack */
static void kml_flame(struct prof *prof, struct kmemleak *k, const struct kml_report *r)
{
	struct stackmap_view view;
	struct err err;
	char *path = xstrdup(stackout__path(k->fg));

	kml_view(prof, &view);
	if (stackout__add(k->fg, k->smap, &view, NULL, &err) || stackout__close(k->fg, &err))
		prof__fail(prof, &err);
	else if (!prof->opt.quiet)
		fprintf(prof__diag(prof), "perf-prof kmemleak: flame graph of %llu leaked %s written to '%s'\n",
			(unsigned long long)(k->sized ? r->bytes : r->count),
			k->sized ? "bytes" : "objects", path);
	k->fg = NULL;
	free(path);
}

static void kml_report(struct prof *prof, enum kml_report_kind kind)
{
	struct kmemleak *k = prof->priv;
	struct kml_report r = { .kind = kind, .now = now_ns() };

	kml_collect(prof, k, &r);
	r.grew_count = (s64)(r.count - k->prev_count);
	r.grew_bytes = (s64)(r.bytes - k->prev_bytes);
	kml_sort(prof, k, &r);
	if (prof->opt.json)
		kml_print_json(prof, k, &r);
	else
		kml_print_text(prof, k, &r);
	if (kind == KML_FINAL && k->fg)
		kml_flame(prof, k, &r);
	if (kind == KML_INTERVAL) {
		u32 id;

		stackmap__for_each(k->smap, id) {
			struct kml_stack *st = kml_st(k, id);

			st->prev_count = st->count;
			st->prev_bytes = st->bytes;
		}
		k->prev_count = r.count;
		k->prev_bytes = r.bytes;
		k->last_report = r.now;
	}
	free(r.ids);
	fflush(prof->out);
	stackmap__gc(k->smap);
}

static void kmemleak_interval(struct prof *prof)
{
	kml_report(prof, KML_INTERVAL);
}

static void kmemleak_final(struct prof *prof)
{
	struct kmemleak *k = prof->priv;
	const struct kmemleak_opts *o = prof->opts;

	kml_report(prof, KML_FINAL);
	if (k->dropped)
		fprintf(stderr, "perf-prof kmemleak: %llu allocations not tracked: more than %llu "
				"objects outstanding (raise --max-objects)\n",
			(unsigned long long)k->dropped, (unsigned long long)o->max_objects);
}

static void kmemleak_sigusr1(struct prof *prof)
{
	struct kmemleak *k = prof->priv;
	size_t mem = hashmap__mem_bytes(k->objs) + hashmap__mem_bytes(k->threads) +
		     stackmap__mem_bytes(k->smap);

	fprintf(stderr, "perf-prof kmemleak: tracking %zu objects and %u stacks in %.1f MiB\n",
		hashmap__nr(k->objs), stackmap__nr(k->smap) - (u32)k->nr_evs,
		(double)mem / (1 << 20));
	kml_report(prof, KML_SIGNAL);
}

static void kmemleak_deinit(struct prof *prof)
{
	struct kmemleak *k = prof->priv;

	/* the option parser's arrays are freed by the dispatcher (opt_free) */
	if (!k)
		return;
	for (int i = 0; k->evs && i < k->nr_evs; i++) {
		expr_free(k->evs[i].ptr.expr);
		expr_free(k->evs[i].size.expr);
		expr_free(k->evs[i].old.expr);
	}
	for (int i = 0; i < k->nr_texts; i++)
		free(k->texts[i]);
	stackout__delete(k->fg);
	hashmap__free(k->objs);
	hashmap__free(k->orphans);
	free(k->orphan_fifo);
	hashmap__free(k->threads);
	stackmap__delete(k->smap);
	free(k->texts);
	free(k->pos_free);
	free(k->evs);
	free(k);
	prof->priv = NULL;
}

#define KOPT(f) offsetof(struct kmemleak_opts, f)
static const struct opt kmemleak_opts[] = {
	{ OPT_STRLIST, 0, "alloc", KOPT(alloc), "EVENT,...",
	  "allocation events (repeatable); ptr= and size= say which fields", NULL, false },
	{ OPT_STRLIST, 0, "free", KOPT(free), "EVENT,...",
	  "free events (repeatable); ptr= says which field", NULL, false },
	{ OPT_BOOL, 0, "libc", KOPT(libc), NULL,
	  "trace libc's malloc, calloc, realloc, aligned_alloc, posix_memalign and free", NULL,
	  false },
	{ OPT_DURATION, 0, "than", KOPT(than), "AGE",
	  "report only objects older than AGE (1s, 500ms)", NULL, false },
	{ OPT_U64, 0, "max-objects", KOPT(max_objects), "N",
	  "track at most N outstanding objects; more are dropped and counted (default 1000000)",
	  NULL, false },
	{ OPT_INT, 0, "top", KOPT(top), "N", "print at most N stacks per report (default: all)",
	  NULL, false },
	OPT_TABLE_END,
};

const struct profiler kmemleak_profiler = {
	.name = "kmemleak",
	.summary = "outstanding allocations by allocation stack (kernel or user space)",
	.synopsis = "perf-prof kmemleak --alloc EVENT[,...] --free EVENT[,...] [-g] [--than AGE] "
		    "[-i MS] [--json]\n"
		    "       perf-prof kmemleak --libc [-g|--call-graph dwarf] [-p PID | -- COMMAND]",
	.help =
		"Every allocation event adds an object, every free event removes it; the report\n"
		"groups what is left by allocation stack, sorted by bytes, with the count and\n"
		"the oldest and newest age. An allocation event gives ptr= (default: the field\n"
		"'ptr', else 'pfn') and size= (default: 'bytes_alloc', else 'size', else the\n"
		"page size << 'order' for page events); a free event gives ptr=. For user-space\n"
		"allocators, an entry probe giving the size is completed by the next --alloc\n"
		"event giving the pointer (its return probe), per thread; old=EXPR on an entry\n"
		"probe makes it a realloc, and fetching caller=$stack0 there keeps the caller\n"
		"in frame-pointer stacks. --libc traces libc's allocators itself. Stacks come\n"
		"from -g, --call-graph dwarf or the 'stack' attribute; kernel allocations keep\n"
		"their kernel frames. -i prints what grew since the last report; SIGUSR1 the\n"
		"current state; the final report comes at exit. Documentation/kmemleak.md.\n"
		"\nEXAMPLES\n"
		"    perf-prof kmemleak --alloc kmem:kmalloc,kmem:kmem_cache_alloc "
		"--free kmem:kfree,kmem:kmem_cache_free -g\n"
		"    perf-prof kmemleak --alloc kmem:mm_page_alloc --free kmem:mm_page_free -g "
		"--than 10s\n"
		"    perf-prof kmemleak --libc -- ./app\n"
		"    perf-prof kmemleak --libc --call-graph dwarf -p 1234 -i 10s\n"
		"    perf-prof kmemleak --alloc 'uprobe:my_alloc@./app(size=arg1,caller=$stack0)//stack/,"
		"uretprobe:my_alloc@./app(ptr=$retval)' --free 'uprobe:my_free@./app(ptr=arg1)' "
		"-- ./app\n",
	.opts = kmemleak_opts,
	.opts_size = sizeof(struct kmemleak_opts),
	.opts_init = kmemleak_opts_init,
	.attrs = kmemleak_attrs,
	.common = COMMON_ALL_EVENTS & ~COMMON_EVENTS,
	.pages = 1024,
	.order = true,
	.help_example = "[-g] [--than AGE] [-i MS] [--json]",
	.prepare = kmemleak_prepare,
	.init = kmemleak_init,
	.sample = kmemleak_sample,
	.interval = kmemleak_interval,
	.final = kmemleak_final,
	.deinit = kmemleak_deinit,
	.lost = kmemleak_lost,
	.sigusr1 = kmemleak_sigusr1,
};
