// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms.c - the kernel symbol table from /proc/kallsyms: read on first use
 * into one sorted array, binary search after. One table per run (struct
 * ksyms): runs living in one process each own theirs and end
 * independently.
 *
 * Compact, as the table is the largest thing most runs hold (120k text
 * symbols here): the file is parsed as it is read (never held whole), an
 * entry is 12 bytes (address, name offset), the names sit in 64 KB blocks
 * that never move (no copy as they grow), a module symbol's module name
 * follows its name in the pool, and the array is sorted only when the file
 * was not (the core kernel's part is sorted already).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksyms.h"

#define KSYMS_BLOCK_SHIFT 16			/* name pool blocks of 64 KB */
#define KSYMS_BLOCK (1U << KSYMS_BLOCK_SHIFT)
#define KSYMS_MOD (1U << 31)			/* a module's name follows the name */
#define KSYMS_READ (64 * 1024)			/* bytes of the file read at a time */

struct ksym {
	u64 addr;
	u32 name;	/* pool offset (block << 16 | offset); KSYMS_MOD: module follows */
} __attribute__((packed));

struct ksyms {
	struct ksym *v;
	size_t n;
	size_t cap;
	char **blocks;		/* the name pool */
	u32 nr_blocks;
	u32 used;		/* bytes used of the last block */
	const char *path;	/* /proc/kallsyms, or a copy (tests) */
	bool loaded;
	size_t sorted;		/* v[0..sorted) are in order (the core kernel's part) */
};

struct ksyms *ksyms__new(void)
{
	return ksyms__new_path("/proc/kallsyms");
}

struct ksyms *ksyms__new_path(const char *path)
{
	struct ksyms *ks = xzalloc(sizeof(*ks) + strlen(path) + 1);

	ks->path = strcpy((char *)(ks + 1), path);
	return ks;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * ksyms__sort - the file is in order but for its tail (modules, BPF
 * programs, trampolines: this run's own BPF program is one): the tail is
 * sorted alone and merged in from the back, never the whole table
 */
static void ksyms__sort(struct ksyms *ks)
{
	size_t nt = ks->n - ks->sorted, i = ks->sorted, k = ks->n;
	struct ksym *tail;

	if (!nt)
		return;
	tail = xzalloc(nt * sizeof(*tail));
	memcpy(tail, ks->v + ks->sorted, nt * sizeof(*tail));
	qsort(tail, nt, sizeof(*tail), ksym_cmp);
	while (nt) {
		if (i && ks->v[i - 1].addr > tail[nt - 1].addr)
			ks->v[--k] = ks->v[--i];
		else
			ks->v[--k] = tail[--nt];
	}
	free(tail);
}

static const char *ksyms__str(const struct ksyms *ks, u32 off)
{
	off &= ~KSYMS_MOD;
	return ks->blocks[off >> KSYMS_BLOCK_SHIFT] + (off & (KSYMS_BLOCK - 1));
}

/* ksyms__intern - @name and @mod (or NULL) in the pool, as one pool offset */
static u32 ksyms__intern(struct ksyms *ks, const char *name, size_t nl, const char *mod,
			 size_t ml)
{
	size_t need = nl + 1 + (mod ? ml + 1 : 0);
	char *at;
	u32 off;

	if (!ks->nr_blocks || ks->used + need > KSYMS_BLOCK) {
		ks->blocks = xrealloc(ks->blocks, (ks->nr_blocks + 1) * sizeof(*ks->blocks));
		ks->blocks[ks->nr_blocks++] = xzalloc(KSYMS_BLOCK);
		ks->used = 0;
	}
	off = (ks->nr_blocks - 1) << KSYMS_BLOCK_SHIFT | ks->used;
	at = ks->blocks[ks->nr_blocks - 1] + ks->used;
	memcpy(at, name, nl);
	at[nl] = '\0';
	if (mod) {
		memcpy(at + nl + 1, mod, ml);
		at[nl + 1 + ml] = '\0';
		off |= KSYMS_MOD;
	}
	ks->used += (u32)need;
	return off;
}

/*
 * ksyms__line - one line of /proc/kallsyms ("ADDR TYPE NAME[\t[MOD]]",
 * without its newline) into the table: text and weak symbols only (data
 * symbols make bad frame names)
 */
static void ksyms__line(struct ksyms *ks, char *line, size_t len)
{
	char *end, *name, *mod = NULL, *tab;
	unsigned long long addr = strtoull(line, &end, 16);
	size_t nl, ml = 0;

	if (end == line || *end != ' ' || !end[1] || end[2] != ' ' || !addr)
		return;
	if (!strchr("tTwWiI", end[1]))
		return;
	name = end + 3;
	nl = len - (size_t)(name - line);
	tab = memchr(name, '\t', nl);
	if (tab) {
		mod = tab + 1;
		ml = nl - (size_t)(mod - name);
		nl = (size_t)(tab - name);
		if (ml && *mod == '[')
			mod++, ml--;
		if (ml && mod[ml - 1] == ']')
			ml--;
	}
	/* a name the kernel cannot have (KSYM_NAME_LEN is 512) is not a symbol */
	if (!nl || nl + ml + 2 > KSYMS_BLOCK)
		return;
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 65536;
		ks->v = xrealloc(ks->v, ks->cap * sizeof(*ks->v));
	}
	if (ks->sorted == ks->n && (!ks->n || addr >= ks->v[ks->n - 1].addr))
		ks->sorted++;
	ks->v[ks->n].addr = addr;
	ks->v[ks->n].name = ksyms__intern(ks, name, nl, mod, ml);
	ks->n++;
}

static void ksyms__load(struct ksyms *ks)
{
	char *buf;
	size_t have = 0;
	int fd;

	ks->loaded = true;
	fd = open(ks->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	buf = xzalloc(KSYMS_READ);
	for (;;) {
		ssize_t r = read(fd, buf + have, KSYMS_READ - 1 - have);
		char *line = buf, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* the last line, without its newline */
			if (!r && have) {
				buf[have] = '\0';
				ksyms__line(ks, buf, have);
			}
			break;
		}
		have += (size_t)r;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			*nl = '\0';
			ksyms__line(ks, line, (size_t)(nl - line));
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		/* a line longer than the buffer is no symbol: drop it */
		if (have == KSYMS_READ - 1)
			have = 0;
		memmove(buf, line, have);
	}
	free(buf);
	close(fd);
	ksyms__sort(ks);
	/* the array's spare room back: it is kept for the run */
	if (ks->n && ks->n < ks->cap) {
		ks->v = xrealloc(ks->v, ks->n * sizeof(*ks->v));
		ks->cap = ks->n;
	}
}

const char *ksyms__name(struct ksyms *ks, u64 addr, u64 *off, const char **mod)
{
	const struct ksym *v;
	size_t lo = 0, hi;
	const char *name;

	if (!ks)
		return NULL;
	if (!ks->loaded)
		ksyms__load(ks);
	v = ks->v;
	hi = ks->n;
	if (!hi || addr < v[0].addr)
		return NULL;
	/* last symbol with start <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* past the last symbol of the table: no size known, refuse far hits */
	if (lo == ks->n - 1 && addr - v[lo].addr > 1 << 20)
		return NULL;
	name = ksyms__str(ks, v[lo].name);
	if (off)
		*off = addr - v[lo].addr;
	if (mod)
		*mod = v[lo].name & KSYMS_MOD ? name + strlen(name) + 1 : "";
	return name;
}

u64 ksyms__addr(struct ksyms *ks, const char *name)
{
	if (!ks)
		return 0;
	if (!ks->loaded)
		ksyms__load(ks);
	for (size_t i = 0; i < ks->n; i++)
		if (!strcmp(ksyms__str(ks, ks->v[i].name), name))
			return ks->v[i].addr;
	return 0;
}

void ksyms__load_now(struct ksyms *ks)
{
	if (ks && !ks->loaded)
		ksyms__load(ks);
}

void ksyms__delete(struct ksyms *ks)
{
	if (!ks)
		return;
	for (u32 i = 0; i < ks->nr_blocks; i++)
		free(ks->blocks[i]);
	free(ks->blocks);
	free(ks->v);
	free(ks);
}
