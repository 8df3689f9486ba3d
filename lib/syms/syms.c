// SPDX-License-Identifier: GPL-2.0
/*
 * syms.c - the process side of user-space symbolization: which file is
 * mapped where in which process (fed by MMAP2/FORK/COMM-exec/EXIT records
 * and /proc/PID/maps), JIT maps (/tmp/perf-PID.map), and the address cache
 * that makes every (DSO, offset) resolve only once whatever the pid. The
 * files themselves are lib/syms/dso.c's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ksyms.h"
#include "internal.h"

#define KERNEL_START	0xffff800000000000ULL
/* perf callchain context markers (PERF_CONTEXT_*) are not addresses */
#define CONTEXT_MIN	((u64)-4095)
#define MAX_DEAD	4096
#define JIT_RECHECK_NS	(100 * 1000 * 1000ULL)
#define JIT_MAX_SIZE	(256 << 20)

/* --- arena --------------------------------------------------------------- */

struct arena_block {
	struct arena_block *next;
	char data[];
};

#define ARENA_BLOCK	(64 * 1024)

void *arena__alloc(struct arena *a, size_t size)
{
	void *p;

	size = (size + 7) & ~(size_t)7;
	if (!a->head || a->used + size > a->cap) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		struct arena_block *b = xzalloc(sizeof(*b) + cap);

		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->cap = cap;
	}
	p = a->head->data + a->used;
	a->used += size;
	return p;
}

char *arena__strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(arena__alloc(a, n), s, n);
}

void arena__free(struct arena *a)
{
	while (a->head) {
		struct arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
	a->used = a->cap = 0;
}

/* --- processes ----------------------------------------------------------- */

static struct proc *proc__find(const struct syms *s, int pid)
{
	struct proc **pp = hashmap__find(s->procs, (u64)(u32)pid);

	return pp ? *pp : NULL;
}

static void dead__unlink(struct syms *s, struct proc *p)
{
	if (!p->dead)
		return;
	if (p->dprev)
		p->dprev->dnext = p->dnext;
	else
		s->dead_head = p->dnext;
	if (p->dnext)
		p->dnext->dprev = p->dprev;
	else
		s->dead_tail = p->dprev;
	p->dprev = p->dnext = NULL;
	p->dead = false;
	s->nr_dead--;
}

static void proc__release(struct proc *p)
{
	free(p->maps);
	free(p->jit);
	free(p);
}

/*
 * proc__free - @p leaves the pid table (replaced by a new process of the
 * same pid, an exec, or evicted as one dead too many). A pinned entry is
 * kept aside, resolvable by its pin handle, until its last unpin.
 */
static void proc__free(struct syms *s, struct proc *p)
{
	hashmap__del(s->procs, (u64)(u32)p->pid);
	dead__unlink(s, p);
	if (p->pins)
		p->retired = true;
	else
		proc__release(p);
}

/* proc__new - a fresh, empty entry for @pid, replacing a previous one */
static struct proc *proc__new(struct syms *s, int pid)
{
	struct proc *p = proc__find(s, pid);

	if (p)
		proc__free(s, p);
	p = xzalloc(sizeof(*p));
	p->pid = pid;
	p->gen = ++s->last_gen ? s->last_gen : ++s->last_gen;
	*(struct proc **)hashmap__get(s->procs, (u64)(u32)pid) = p;
	return p;
}

/* --- mappings ------------------------------------------------------------ */

static void proc__reserve(struct proc *p, int more)
{
	if (p->nr_maps + more <= p->cap_maps)
		return;
	p->cap_maps = p->cap_maps ? p->cap_maps * 2 : 16;
	if (p->cap_maps < p->nr_maps + more)
		p->cap_maps = p->nr_maps + more;
	p->maps = xrealloc(p->maps, (size_t)p->cap_maps * sizeof(*p->maps));
}

/* Whatever [start, end) covered before is gone (munmap/mmap semantics). */
static void proc__unmap(struct proc *p, u64 start, u64 end)
{
	int i = 0;

	while (i < p->nr_maps) {
		struct map *m = &p->maps[i];

		if (m->end <= start || m->start >= end) {
			i++;
		} else if (m->start < start && m->end > end) {
			struct map tail = *m;

			tail.pgoff += end - m->start;
			tail.start = end;
			m->end = start;
			proc__reserve(p, 1);
			memmove(&p->maps[i + 2], &p->maps[i + 1],
				(size_t)(p->nr_maps - i - 1) * sizeof(*p->maps));
			p->maps[i + 1] = tail;
			p->nr_maps++;
			return;
		} else if (m->start < start) {
			m->end = start;
			i++;
		} else if (m->end > end) {
			m->pgoff += end - m->start;
			m->start = end;
			i++;
		} else {
			memmove(m, m + 1, (size_t)(p->nr_maps - i - 1) * sizeof(*m));
			p->nr_maps--;
		}
	}
}

static void proc__insert(struct proc *p, const struct map *m)
{
	int lo = 0, hi = p->nr_maps;

	proc__unmap(p, m->start, m->end);
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->maps[mid].start < m->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	proc__reserve(p, 1);
	memmove(&p->maps[lo + 1], &p->maps[lo], (size_t)(p->nr_maps - lo) * sizeof(*m));
	p->maps[lo] = *m;
	p->nr_maps++;
}

const struct map *proc__find_map(const struct proc *p, u64 addr)
{
	int lo = 0, hi = p->nr_maps;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= p->maps[lo - 1].end)
		return NULL;
	return &p->maps[lo - 1];
}

static void proc__add(struct syms *s, struct proc *p, u64 start, u64 end, u64 pgoff, bool exec,
		      const struct syms_file_id *id, const char *filename)
{
	struct map m = { .start = start, .end = end, .pgoff = pgoff, .time = s->now };

	if (!exec) {
		proc__unmap(p, start, end);
		return;
	}
	if (filename[0] == '/')
		m.dso = dso__new_file(s, filename, id, p->pid, &m);
	else if (!strcmp(filename, "[vdso]"))
		m.dso = dso__vdso(s);
	proc__insert(p, &m);
}

static int proc__read_maps(struct syms *s, struct proc *p)
{
	char path[64], *buf, *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	buf = read_file(path, NULL);
	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, pgoff, ino;
		struct syms_file_id id = { 0 };
		char perms[8];
		unsigned int maj, min;
		int n = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &pgoff,
			   &maj, &min, &ino, &n) < 7 || !n)
			continue;
		id.maj = maj;
		id.min = min;
		id.ino = ino;
		proc__add(s, p, start, end, pgoff, strlen(perms) > 2 && perms[2] == 'x', &id,
			  line + n);
	}
	free(buf);
	return 0;
}

/**
 * syms__proc - the entry of @pid, read from /proc the first time an unknown
 * pid is asked for (unless SYMS_NO_PROC). NULL when unknown.
 */
struct proc *syms__proc(struct syms *s, int pid)
{
	struct proc *p = proc__find(s, pid);

	if (p || pid <= 0 || (s->flags & SYMS_NO_PROC))
		return p;
	p = proc__new(s, pid);
	proc__read_maps(s, p);	/* a gone process stays known as empty */
	return p;
}

u32 syms__pin(struct syms *s, int pid)
{
	struct proc *p = syms__proc(s, pid);

	if (!p)
		return 0;
	if (!p->pins++)
		*(struct proc **)hashmap__get(s->pinned, p->gen) = p;
	return p->gen;
}

u32 syms__proc_gen(struct syms *s, int pid)
{
	struct proc *p = syms__proc(s, pid);

	return p ? p->gen : 0;
}

void syms__unpin(struct syms *s, u32 pin)
{
	struct proc **pp = pin ? hashmap__find(s->pinned, pin) : NULL, *p;

	if (!pp)
		return;
	p = *pp;
	if (--p->pins)
		return;
	hashmap__del(s->pinned, pin);
	if (p->retired)
		proc__release(p);
}

int syms__proc_maps(struct syms *s, int pid)
{
	if (pid <= 0)
		return -EINVAL;
	return proc__read_maps(s, proc__new(s, pid));
}

int syms__mmap(struct syms *s, int pid, u64 start, u64 len, u64 pgoff, u32 prot,
	       const struct syms_file_id *id, const char *filename)
{
	struct proc *p;

	if (!len || start + len < start || !filename)
		return -EINVAL;
	p = proc__find(s, pid);
	if (!p) {
		/* the process may predate the run: its older mappings are in /proc */
		p = proc__new(s, pid);
		p->born = s->now;
		if (!(s->flags & SYMS_NO_PROC) && pid > 0)
			proc__read_maps(s, p);
	}
	proc__add(s, p, start, start + len, pgoff, prot & PROT_EXEC, id, filename);
	return 0;
}

/*
 * Rings are read one CPU after the other unless the run orders records: a process's own
 * records (its exec, its MMAPs, its EXIT, on the CPUs it ran on) may be applied before the
 * FORK its parent's CPU wrote, or an exec's COMM after MMAPs of the new image read from
 * another CPU's ring. With the records' times (syms__clock) neither is undone.
 */
void syms__clock(struct syms *s, u64 time)
{
	s->now = time;
}

void syms__fork(struct syms *s, int ppid, int pid)
{
	struct proc *parent, *child = NULL;
	u64 t = s->now;

	if (ppid == pid || pid <= 0)
		return;
	if (t)
		child = proc__find(s, pid);
	/* its own later records came first, or its exit did: this FORK is old news */
	if (child && ((!child->dead && child->born > t) || (child->dead && child->died >= t)))
		return;
	parent = syms__proc(s, ppid);
	child = proc__new(s, pid);
	child->born = t;
	if (!parent || !parent->nr_maps)
		return;
	proc__reserve(child, parent->nr_maps);
	memcpy(child->maps, parent->maps, (size_t)parent->nr_maps * sizeof(*child->maps));
	child->nr_maps = parent->nr_maps;
}

void syms__exec(struct syms *s, int pid)
{
	struct proc *old = s->now ? proc__find(s, pid) : NULL, *p;
	struct map *early = NULL;
	int n = 0;

	/* mappings of the new image already read (later than the exec) stay */
	if (old && !old->dead) {
		for (int i = 0; i < old->nr_maps; i++)
			n += old->maps[i].time > s->now;
		if (n) {
			early = xzalloc((size_t)n * sizeof(*early));
			n = 0;
			for (int i = 0; i < old->nr_maps; i++)
				if (old->maps[i].time > s->now)
					early[n++] = old->maps[i];
		}
	}
	/* the new image's mappings follow as MMAP2 records: no /proc read */
	p = proc__new(s, pid);
	p->born = s->now;
	for (int i = 0; i < n; i++)
		proc__insert(p, &early[i]);
	free(early);
}

void syms__exit(struct syms *s, int pid)
{
	struct proc *p = proc__find(s, pid);

	if (!p || p->dead)
		return;
	p->dead = true;
	p->died = s->now;
	p->dprev = s->dead_tail;
	if (s->dead_tail)
		s->dead_tail->dnext = p;
	else
		s->dead_head = p;
	s->dead_tail = p;
	s->nr_dead++;
	while (s->nr_dead > s->max_dead)
		proc__free(s, s->dead_head);
}

/* --- JIT maps ------------------------------------------------------------ */

static int jit_cmp(const void *a, const void *b)
{
	const struct jit_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* same start: the later line (newer code) sorts last and wins */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct jit_sym *jit__find(const struct proc *p, u64 addr)
{
	size_t lo = 0, hi = p->nr_jit;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->jit[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= p->jit[lo - 1].end)
		return NULL;
	return &p->jit[lo - 1];
}

/*
 * A map file in /tmp can be written by anyone: accept it only from root
 * or the owner of the process, and never through a symlink.
 */
static int jit__open(const struct proc *p, struct stat *st)
{
	char path[64];
	struct stat pst;
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", p->pid);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d", p->pid);
	if (fstat(fd, st) || !S_ISREG(st->st_mode) || st->st_size > JIT_MAX_SIZE ||
	    (st->st_uid != 0 && (stat(path, &pst) || pst.st_uid != st->st_uid))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One "START SIZE name" line (hex numbers) in [line, nl). */
static void jit__add_line(struct syms *s, struct proc *p, const char *line, const char *nl)
{
	unsigned long long start, size;
	char *after, *name;

	start = strtoull(line, &after, 16);
	if (after == line || *after != ' ')
		return;
	line = after + 1;
	size = strtoull(line, &after, 16);
	if (after == line || *after != ' ' || !size || after + 1 >= nl)
		return;
	name = arena__alloc(&s->arena, (size_t)(nl - after));
	memcpy(name, after + 1, (size_t)(nl - after - 1));
	name[nl - after - 1] = '\0';
	if (p->nr_jit == p->cap_jit) {
		p->cap_jit = p->cap_jit ? p->cap_jit * 2 : 64;
		p->jit = xrealloc(p->jit, p->cap_jit * sizeof(*p->jit));
	}
	p->jit[p->nr_jit++] = (struct jit_sym){
		.start = start, .end = start + size, .name = name, .seq = p->jit_seq++,
	};
}

/*
 * Map files are append-only in practice: read only what was added since
 * the last read, so names already handed out stay put (they live in the
 * arena). A file that shrank was rewritten: start over.
 */
static bool jit__reload(struct syms *s, struct proc *p)
{
	struct stat st;
	size_t len;
	char *buf;
	ssize_t r;
	off_t from;
	int fd = jit__open(p, &st);

	if (fd < 0)
		return false;
	if (st.st_size == p->jit_size && st.st_mtim.tv_sec == p->jit_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == p->jit_mtime.tv_nsec) {
		close(fd);
		return false;
	}
	from = st.st_size >= p->jit_size ? p->jit_size : 0;
	if (!from)
		p->nr_jit = 0;
	len = (size_t)(st.st_size - from);
	buf = xzalloc(len + 1);
	r = pread(fd, buf, len, from);
	close(fd);
	if (r > 0) {
		/* only complete lines count as read */
		const char *last = memrchr(buf, '\n', (size_t)r);
		size_t used = last ? (size_t)(last - buf) + 1 : 0;

		for (const char *line = buf, *nl; line < buf + used; line = nl + 1) {
			nl = memchr(line, '\n', used - (size_t)(line - buf));
			jit__add_line(s, p, line, nl);
		}
		p->jit_size = from + (off_t)used;
		qsort(p->jit, p->nr_jit, sizeof(*p->jit), jit_cmp);
	}
	p->jit_mtime = st.st_mtim;
	free(buf);
	return r > 0;
}

static const struct jit_sym *proc__jit(struct syms *s, struct proc *p, u64 addr)
{
	const struct jit_sym *j;
	u64 now;

	if (s->flags & SYMS_NO_JIT)
		return NULL;
	j = jit__find(p, addr);
	if (j)
		return j;
	now = now_ns();
	if (p->jit_tried && now - p->jit_checked_ns < JIT_RECHECK_NS)
		return NULL;
	p->jit_tried = true;
	p->jit_checked_ns = now;
	return jit__reload(s, p) ? jit__find(p, addr) : NULL;
}

/* --- address cache ------------------------------------------------------- */

static void entry__fill(const struct addr_entry *e, struct sym_frame *out)
{
	out->name = e->name;
	out->off = e->symoff;
	out->file = e->file;
	out->line = e->line;
	out->nr_inline = e->nr_inline;
	out->inlined = e->inlined;
}

static void dso__resolve_entry(struct syms *s, struct dso *d, u64 off, struct addr_entry *e)
{
	const struct dso_sym *sym;
	u64 vaddr;

	*e = (struct addr_entry){ 0 };
	if (dso__load(s, d) || !dso__off_to_vaddr(d, off, &vaddr))
		return;
	sym = dso__find_sym(s, d, vaddr);
	if (sym) {
		e->name = sym->name;
		e->symoff = vaddr - sym->addr;
	}
	if (s->flags & (SYMS_SRCLINE | SYMS_INLINE))
		dso__srcline(s, d, vaddr, e);
}

static int syms__resolve_dso(struct syms *s, struct dso *d, u64 off, struct sym_frame *out)
{
	struct addr_key key = { d, off };
	struct addr_entry *slot, e;

	out->dso = d->path;
	out->dso_off = off;
	slot = hashmap__kfind(s->cache, &key);
	if (slot) {
		s->cache_hits++;
		entry__fill(slot, out);
		return slot->name ? 0 : -ENOENT;
	}
	dso__resolve_entry(s, d, off, &e);
	/* resolving may parse a file but never touches the cache: insert now */
	slot = hashmap__kget(s->cache, &key);
	if (slot)
		*slot = e;
	entry__fill(&e, out);
	return e.name ? 0 : -ENOENT;
}

/* --- resolving ----------------------------------------------------------- */

static int resolve_kernel(struct syms *s, u64 addr, struct sym_frame *out)
{
	const char *mod = NULL;
	u64 off = 0;

	out->name = ksyms__name(s->ksyms, addr, &off, &mod);
	out->off = off;
	out->dso_off = addr;
	out->dso = mod && *mod ? mod : "[kernel.kallsyms]";
	return out->name ? 0 : -ENOENT;
}

/* proc__resolve - a user address of @p (NULL: an unknown process) */
static int proc__resolve(struct syms *s, struct proc *p, u64 addr, struct sym_frame *out)
{
	const struct jit_sym *j;
	const struct map *m;

	if (!p)
		return -ENOENT;
	m = proc__find_map(p, addr);
	if (m && m->dso)
		return syms__resolve_dso(s, m->dso, addr - m->start + m->pgoff, out);
	j = proc__jit(s, p, addr);
	if (j) {
		out->name = j->name;
		out->off = addr - j->start;
		out->dso = "[jit]";
		out->dso_off = addr;
		return 0;
	}
	if (m) {
		out->dso = "//anon";
		out->dso_off = addr - m->start + m->pgoff;
	}
	return -ENOENT;
}

static struct proc *proc_of_pid(struct syms *s, u64 pid)
{
	return syms__proc(s, (int)pid);
}

static struct proc *proc_of_pin(struct syms *s, u64 pin)
{
	struct proc **pp = pin ? hashmap__find(s->pinned, pin) : NULL;

	return pp ? *pp : NULL;
}

/* resolve_in - @addr: a kernel one, or a user one in the process @get finds for @who */
static int resolve_in(struct syms *s, u64 addr, struct sym_frame *out,
		      struct proc *(*get)(struct syms *s, u64 who), u64 who)
{
	memset(out, 0, sizeof(*out));
	s->lookups++;
	if (addr >= CONTEXT_MIN)
		return -ENOENT;
	if (addr >= KERNEL_START)
		return resolve_kernel(s, addr, out);
	return proc__resolve(s, get(s, who), addr, out);
}

int syms__resolve(struct syms *s, int pid, u64 addr, struct sym_frame *out)
{
	return resolve_in(s, addr, out, proc_of_pid, (u64)(s64)pid);
}

int syms__resolve_pinned(struct syms *s, u32 pin, u64 addr, struct sym_frame *out)
{
	return resolve_in(s, addr, out, proc_of_pin, pin);
}

int syms__resolve_file(struct syms *s, const char *path, u64 addr, struct sym_frame *out,
		       struct err *err)
{
	struct stat st;
	struct dso *d;
	u64 off;

	memset(out, 0, sizeof(*out));
	s->lookups++;
	if (stat(path, &st)) {
		err_set(err, EXIT_FAIL, "cannot open '%s': %s", path, strerror(errno));
		return -EBADF;
	}
	d = dso__new_file(s, path, NULL, 0, NULL);
	if (dso__load(s, d)) {
		err_set(err, EXIT_FAIL, "cannot read '%s' as an ELF file", path);
		return -EBADF;
	}
	if (!dso__vaddr_to_off(d, addr, &off))
		off = addr;
	return syms__resolve_dso(s, d, off, out);
}

const char *sym_frame__name(const struct sym_frame *f)
{
	return f->name ? f->name : "[unknown]";
}

/* --- life cycle ---------------------------------------------------------- */

struct syms *syms__new(unsigned int flags)
{
	struct syms *s = xzalloc(sizeof(*s));

	elf_version(EV_CURRENT);
	if (flags & SYMS_INLINE)
		flags |= SYMS_SRCLINE;
	s->flags = flags;
	s->procs = hashmap__new(sizeof(struct proc *), 0);
	s->pinned = hashmap__new(sizeof(struct proc *), 0);
	s->cache = hashmap__new_keys(sizeof(struct addr_key), sizeof(struct addr_entry), 0);
	dso__tables_init(s);
	s->max_dead = MAX_DEAD;
	s->debug_dir = xstrdup("/usr/lib/debug");
	return s;
}

void syms__set_ksyms(struct syms *s, struct ksyms *ks)
{
	s->ksyms = ks;
}

void syms__delete(struct syms *s)
{
	struct proc **pp;
	size_t iter;

	if (!s)
		return;
	hashmap__for_each(s->procs, iter, pp)
		proc__release(*pp);
	hashmap__for_each(s->pinned, iter, pp)
		if ((*pp)->retired)
			proc__release(*pp);
	while (s->dsos) {
		struct dso *d = s->dsos;

		s->dsos = d->next;
		dso__delete(d);
	}
	hashmap__free(s->procs);
	hashmap__free(s->pinned);
	hashmap__free(s->cache);
	hashmap__free(s->dso_ids);
	hashmap__free(s->dso_paths);
	free(s->debug_dir);
	arena__free(&s->arena);
	free(s);
}

void syms__set_debug_dir(struct syms *s, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	free(s->debug_dir);
	s->debug_dir = xstrndup(dir, n);
}

void syms__stats(const struct syms *s, struct syms_stats *st)
{
	st->dsos = s->nr_dsos;
	st->procs = hashmap__nr(s->procs);
	st->lookups = s->lookups;
	st->cache_hits = s->cache_hits;
}
