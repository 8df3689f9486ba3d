// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms.c - the kernel symbol table from /proc/kallsyms: read on first use
 * into one sorted array (names in one string pool), binary search after.
 * One table per run (struct ksyms): runs living in one process each own
 * theirs and end independently.
 */
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

struct ksym {
	u64 addr;
	u32 name;	/* offset into pool */
	u32 mod;	/* offset into pool; 0 = "" */
};

struct ksyms {
	struct ksym *v;
	size_t n;
	char *pool;
	bool loaded;
};

struct ksyms *ksyms__new(void)
{
	return xzalloc(sizeof(struct ksyms));
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksyms__load(struct ksyms *ks)
{
	size_t cap = 0, pool_len = 1, pool_cap = 1 << 20;
	char *buf, *line, *save = NULL;

	ks->loaded = true;
	buf = read_file("/proc/kallsyms", NULL);
	if (!buf)
		return;
	ks->pool = xzalloc(pool_cap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *type, *name, *mod, *end;
		unsigned long long addr = strtoull(line, &end, 16);
		size_t nl, ml;

		if (end == line || *end != ' ')
			continue;
		type = end + 1;
		if (!type[0] || type[1] != ' ')
			continue;
		/* text and weak symbols only: data symbols make bad frame names */
		if (!strchr("tTwWiI", type[0]))
			continue;
		name = type + 2;
		mod = strchr(name, '\t');
		if (mod) {
			*mod++ = '\0';
			if (*mod == '[')
				mod++;
			mod[strcspn(mod, "]")] = '\0';
		}
		if (!addr)
			continue;
		nl = strlen(name) + 1;
		ml = mod ? strlen(mod) + 1 : 0;
		while (pool_len + nl + ml > pool_cap) {
			pool_cap *= 2;
			ks->pool = xrealloc(ks->pool, pool_cap);
		}
		if (ks->n == cap) {
			cap = cap ? cap * 2 : 65536;
			ks->v = xrealloc(ks->v, cap * sizeof(*ks->v));
		}
		ks->v[ks->n].addr = addr;
		ks->v[ks->n].name = (u32)pool_len;
		memcpy(ks->pool + pool_len, name, nl);
		pool_len += nl;
		ks->v[ks->n].mod = 0;
		if (mod) {
			ks->v[ks->n].mod = (u32)pool_len;
			memcpy(ks->pool + pool_len, mod, ml);
			pool_len += ml;
		}
		ks->n++;
	}
	free(buf);
	qsort(ks->v, ks->n, sizeof(*ks->v), ksym_cmp);
}

const char *ksyms__name(struct ksyms *ks, u64 addr, u64 *off, const char **mod)
{
	const struct ksym *v;
	size_t lo = 0, hi;

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
	if (off)
		*off = addr - v[lo].addr;
	if (mod)
		*mod = ks->pool + v[lo].mod;
	return ks->pool + v[lo].name;
}

u64 ksyms__addr(struct ksyms *ks, const char *name)
{
	if (!ks)
		return 0;
	if (!ks->loaded)
		ksyms__load(ks);
	for (size_t i = 0; i < ks->n; i++)
		if (!strcmp(ks->pool + ks->v[i].name, name))
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
	free(ks->v);
	free(ks->pool);
	free(ks);
}
