// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms.c - the kernel symbol table from /proc/kallsyms: read once on first
 * use into one sorted array (names in one string pool), binary search after.
 */
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

struct ksym {
	u64 addr;
	u32 name;	/* offset into pool */
	u32 mod;	/* offset into pool; 0 = "" */
};

static struct ksym *ksyms;
static size_t nr_ksyms;
static char *pool;
static bool loaded;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksyms__load(void)
{
	size_t cap = 0, pool_len = 1, pool_cap = 1 << 20;
	char *buf, *line, *save = NULL;

	loaded = true;
	buf = read_file("/proc/kallsyms", NULL);
	if (!buf)
		return;
	pool = xzalloc(pool_cap);
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
			pool = xrealloc(pool, pool_cap);
		}
		if (nr_ksyms == cap) {
			cap = cap ? cap * 2 : 65536;
			ksyms = xrealloc(ksyms, cap * sizeof(*ksyms));
		}
		ksyms[nr_ksyms].addr = addr;
		ksyms[nr_ksyms].name = (u32)pool_len;
		memcpy(pool + pool_len, name, nl);
		pool_len += nl;
		ksyms[nr_ksyms].mod = 0;
		if (mod) {
			ksyms[nr_ksyms].mod = (u32)pool_len;
			memcpy(pool + pool_len, mod, ml);
			pool_len += ml;
		}
		nr_ksyms++;
	}
	free(buf);
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), ksym_cmp);
}

const char *ksyms__name(u64 addr, u64 *off, const char **mod)
{
	size_t lo = 0, hi;

	if (!loaded)
		ksyms__load();
	hi = nr_ksyms;
	if (!hi || addr < ksyms[0].addr)
		return NULL;
	/* last symbol with start <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* past the last symbol of the table: no size known, refuse far hits */
	if (lo == nr_ksyms - 1 && addr - ksyms[lo].addr > 1 << 20)
		return NULL;
	if (off)
		*off = addr - ksyms[lo].addr;
	if (mod)
		*mod = pool + ksyms[lo].mod;
	return pool + ksyms[lo].name;
}

u64 ksyms__addr(const char *name)
{
	if (!loaded)
		ksyms__load();
	for (size_t i = 0; i < nr_ksyms; i++)
		if (!strcmp(pool + ksyms[i].name, name))
			return ksyms[i].addr;
	return 0;
}

void ksyms__free(void)
{
	free(ksyms);
	free(pool);
	ksyms = NULL;
	pool = NULL;
	nr_ksyms = 0;
	loaded = false;
}
