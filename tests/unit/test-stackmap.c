// SPDX-License-Identifier: GPL-2.0
/*
 * test-stackmap.c - the stack map: interning (what makes two stacks one),
 * counts and weights per interval and for the run, references and
 * reclaim (ids and frames reused, a bound with counted drops), labels,
 * report-time symbolization of this test's own functions through a
 * process image that exec'ed since (the pin), and the writers: text
 * frames, folded (unknown runs collapsed), SVG tooltips naming the unit,
 * and pprof decoded back with protobuf-c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <linux/perf_event.h>

#include "env.h"
#include "flamegraph.h"
#include "harness.h"
#include "profile.pb-c.h"
#include "stackmap.h"
#include "syms.h"

#define KADDR 0xffffffff81000000ULL

#ifdef __clang__
#define NOIPA __attribute__((noinline))
#else
#define NOIPA __attribute__((noipa))
#endif

/* two functions of this binary, the frames of the user stacks below */
NOIPA int sm_leaf(int x);
NOIPA int sm_caller(int x);

NOIPA int sm_leaf(int x)
{
	return x * 3 + 1;
}

NOIPA int sm_caller(int x)
{
	return sm_leaf(x) + 2;
}

static char tdir[] = "/tmp/perf-prof-sm.XXXXXX";
static bool tdir_made;

static const char *tpath(const char *name)
{
	static char buf[256];

	if (!tdir_made && mkdtemp(tdir))
		tdir_made = true;
	snprintf(buf, sizeof(buf), "%s/%s", tdir, name);
	return buf;
}

TEST(stackmap_intern_keys)
{
	struct stackmap *m = stackmap__new(NULL, 0, 0);
	u64 kern[] = { PERF_CONTEXT_KERNEL, KADDR + 0x10, KADDR + 0x20 };
	u64 user[] = { PERF_CONTEXT_KERNEL, KADDR + 0x10, PERF_CONTEXT_USER, 0x401000, 0x402000 };
	u64 other[] = { PERF_CONTEXT_KERNEL, KADDR + 0x10, KADDR + 0x28 };
	bool created = false;
	u32 a, b;

	a = stackmap__intern(m, 7, 100, kern, 3, &created);
	CHECK(a != 0 && created);
	/* the same kernel-only stack in another process is the same stack */
	CHECK_INT(stackmap__intern(m, 7, 200, kern, 3, &created), a);
	CHECK(!created);
	/* another tag, other frames: other stacks */
	CHECK(stackmap__intern(m, 8, 100, kern, 3, NULL) != a);
	CHECK(stackmap__intern(m, 7, 100, other, 3, NULL) != a);
	CHECK(stackmap__intern(m, 7, 100, kern, 2, NULL) != a);
	/* a user part belongs to its process */
	b = stackmap__intern(m, 7, 100, user, 5, NULL);
	CHECK(b != 0);
	CHECK_INT(stackmap__intern(m, 7, 100, user, 5, NULL), b);
	CHECK(stackmap__intern(m, 7, 101, user, 5, NULL) != b);
	/* the empty stack is a stack too */
	CHECK(stackmap__intern(m, 7, 100, NULL, 0, &created) != 0 && created);
	CHECK_INT(stackmap__nr(m), 7);
	CHECK_U64(stackmap__tag(m, b), 7);
	CHECK_INT(stackmap__pid(m, b), 100);
	{
		u32 nr;
		const u64 *ips = stackmap__ips(m, b, &nr);

		CHECK_INT(nr, 5);
		CHECK(!memcmp(ips, user, sizeof(user)));
	}
	stackmap__delete(m);
}

TEST(stackmap_counts_intervals)
{
	struct stackmap *m = stackmap__new(NULL, 0, 0);
	u64 s1[] = { PERF_CONTEXT_KERNEL, KADDR }, s2[] = { PERF_CONTEXT_KERNEL, KADDR + 8 };
	u32 a = stackmap__intern(m, 0, 1, s1, 2, NULL), b = stackmap__intern(m, 0, 1, s2, 2, NULL);
	u64 c, w;

	stackmap__add(m, a, 1, 1000);
	stackmap__add(m, a, 2, 500);
	stackmap__add(m, b, 1, 7);
	stackmap__values(m, a, false, &c, &w);
	CHECK_U64(c, 3);
	CHECK_U64(w, 1500);
	stackmap__interval_end(m);
	stackmap__values(m, a, false, &c, &w);
	CHECK_U64(c + w, 0);
	stackmap__add(m, a, 4, 40);
	stackmap__values(m, a, false, &c, &w);
	CHECK_U64(c, 4);
	stackmap__values(m, a, true, &c, &w);
	CHECK_U64(c, 7);
	CHECK_U64(w, 1540);
	stackmap__values(m, b, true, &c, &w);
	CHECK_U64(c, 1);
	CHECK_U64(w, 7);
	/* counted stacks are kept for the run */
	stackmap__gc(m);
	CHECK_INT(stackmap__nr(m), 2);
	stackmap__delete(m);
}

/* kmemleak's pattern: stacks live while referenced; ids and frames are reused */
TEST(stackmap_refs_reclaim_bound)
{
	struct stackmap *m = stackmap__new(NULL, 16, sizeof(u64));
	u64 ips[4] = { PERF_CONTEXT_KERNEL, KADDR, KADDR + 1, KADDR + 2 };
	u32 ids[16], keep, id, nr;
	u64 bad = 0;

	for (int i = 0; i < 16; i++) {
		ips[3] = KADDR + 0x100 + (u64)i;
		ids[i] = stackmap__intern(m, 0, 1, ips, 4, NULL);
		bad += !ids[i];
		*(u64 *)stackmap__aux(m, ids[i]) = (u64)i;
		if (i % 2)
			stackmap__ref(m, ids[i]);
	}
	CHECK_U64(bad, 0);
	/* full, but half of it unused: the next stack takes a reclaimed id */
	ips[3] = KADDR + 0x999;
	id = stackmap__intern(m, 0, 1, ips, 4, NULL);
	CHECK(id != 0);
	CHECK_INT(stackmap__nr(m), 9);
	CHECK_U64(stackmap__reclaimed(m), 8);
	/* a new stack's caller data starts zeroed, even in a reused id */
	CHECK_U64(*(u64 *)stackmap__aux(m, id), 0);
	/* the stacks kept still hold their own frames after the squeeze */
	for (int i = 1; i < 16; i += 2) {
		const u64 *f = stackmap__ips(m, ids[i], &nr);

		bad += nr != 4 || f[3] != KADDR + 0x100 + (u64)i ||
		       *(u64 *)stackmap__aux(m, ids[i]) != (u64)i;
	}
	CHECK_U64(bad, 0);
	/* all referenced: nothing to reclaim, more stacks are dropped and counted */
	stackmap__ref(m, id);
	for (int i = 0; i < 7; i++) {
		ips[3] = KADDR + 0x500 + (u64)i;
		stackmap__ref(m, stackmap__intern(m, 0, 1, ips, 4, NULL));
	}
	CHECK_INT(stackmap__nr(m), 16);
	ips[3] = KADDR + 0x600;
	CHECK_INT(stackmap__intern(m, 0, 1, ips, 4, NULL), 0);
	CHECK_U64(stackmap__drops(m), 1);
	/* a known stack is still found when full */
	ips[3] = KADDR + 0x101;
	CHECK_INT(stackmap__intern(m, 0, 1, ips, 4, NULL), ids[1]);
	/* unreferenced again: gone at the next collection */
	keep = ids[1];
	stackmap__unref(m, keep);
	stackmap__gc(m);
	CHECK_INT(stackmap__nr(m), 15);
	stackmap__ips(m, ids[3], &nr);
	CHECK_INT(nr, 4);
	stackmap__delete(m);
}

TEST(stackmap_labels)
{
	struct stackmap *m = stackmap__new(NULL, 0, 0);
	u64 a = stackmap__label(m, "bash"), b = stackmap__label(m, "wl");
	char buf[16];

	snprintf(buf, sizeof(buf), "bash");
	CHECK(a != b);
	CHECK_U64(stackmap__label(m, buf), a);
	CHECK_STR(stackmap__label_str(m, a), "bash");
	CHECK_STR(stackmap__label_str(m, b), "wl");
	CHECK(stackmap__label_str(m, 99) == NULL);
	stackmap__delete(m);
}

/* this process's own stack: sm_leaf called from sm_caller */
static void own_stack(u64 *ips, u32 *nr)
{
	u64 leaf = (u64)(uintptr_t)sm_leaf, caller = (u64)(uintptr_t)sm_caller;

	ips[0] = PERF_CONTEXT_USER;
	ips[1] = leaf + 1;	/* the sampled pc, inside sm_leaf */
	ips[2] = caller + 5;	/* a return address inside sm_caller */
	*nr = 3;
}

TEST(stackmap_symbolizes_after_exec)
{
	struct run_env env = { 0 };
	struct stackmap *m;
	const char *names[8];
	u64 ips[8];
	u32 nr, id;
	int n;

	env.syms = syms__new(0);
	m = stackmap__new(&env, 0, 0);
	CHECK_INT(syms__proc_maps(env.syms, getpid()), 0);
	own_stack(ips, &nr);
	id = stackmap__intern(m, 0, getpid(), ips, nr, NULL);
	stackmap__add(m, id, 1, 0);
	/* the process execs before the report: its new image knows nothing yet */
	syms__exec(env.syms, getpid());
	n = stackmap__names(m, id, names, 8);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(names[0], "sm_caller");
		CHECK_STR(names[1], "sm_leaf");
	}
	/* the same addresses in the new image are another stack, unknown there */
	CHECK(stackmap__intern(m, 0, getpid(), ips, nr, NULL) != id);
	stackmap__delete(m);
	syms__delete(env.syms);
	(void)sm_caller(1);
}

/* a stack as text: the same lines callchain__print() writes */
/* the leaf: the sampled address's own function and file, not a caller's; kernel frames name the kernel */
TEST(stackmap_leaf_frame)
{
	struct run_env env = { 0 };
	struct stackmap *m;
	struct sym_frame f;
	u64 ips[8], kern[3] = { PERF_CONTEXT_KERNEL, KADDR, KADDR + 16 };
	u32 nr, id;

	env.syms = syms__new(0);
	m = stackmap__new(&env, 0, 0);
	CHECK_INT(syms__proc_maps(env.syms, getpid()), 0);
	own_stack(ips, &nr);
	id = stackmap__intern(m, 0, getpid(), ips, nr, NULL);
	CHECK_INT(stackmap__leaf(m, id, &f), 0);
	CHECK_STR(f.name, "sm_leaf");
	CHECK(f.dso && strstr(f.dso, "test-stackmap"));
	id = stackmap__intern(m, 0, getpid(), kern, 3, NULL);
	stackmap__leaf(m, id, &f);
	CHECK_STR(f.dso, "[kernel.kallsyms]");
	id = stackmap__intern(m, 0, getpid(), NULL, 0, NULL);
	CHECK_INT(stackmap__leaf(m, id, &f), -ENOENT);
	CHECK(f.name == NULL && f.dso == NULL);
	stackmap__delete(m);
	syms__delete(env.syms);
}

TEST(stackmap_print_text)
{
	struct run_env env = { 0 };
	struct stackmap *m;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	u64 ips[8];
	u32 nr, id;

	env.syms = syms__new(0);
	syms__proc_maps(env.syms, getpid());
	m = stackmap__new(&env, 0, 0);
	own_stack(ips, &nr);
	id = stackmap__intern(m, 0, getpid(), ips, nr, NULL);
	f = open_memstream(&buf, &len);
	stackmap__print(m, id, f);
	fclose(f);
	/* leaf first; the return address is looked up at -1 but shown as sampled */
	CHECK_CONTAINS(buf, " sm_leaf+0x1 (");
	CHECK_CONTAINS(buf, " sm_caller+0x5 (");
	CHECK(strstr(buf, "sm_leaf") < strstr(buf, "sm_caller"));
	CHECK_INT(buf[0] == ' ' && buf[4] == '0' && buf[20] == ' ', 1);
	free(buf);
	stackmap__delete(m);
	syms__delete(env.syms);
}

static const struct stackmap_view count_view = { .root = stackmap_root_label };

TEST(stackmap_folded_collapses_unknown)
{
	struct stackmap *m = stackmap__new(NULL, 0, 0);
	struct err err = { 0 };
	struct stackout *o;
	u64 ips[132];
	u32 id;
	char *text;

	/* no symbols at all: a user stack of 130 unknown frames under a kernel one */
	ips[0] = PERF_CONTEXT_KERNEL;
	ips[1] = KADDR;
	ips[2] = PERF_CONTEXT_USER;
	for (int i = 3; i < 132; i++)
		ips[i] = 0x1000 + (u64)i;
	id = stackmap__intern(m, stackmap__label(m, "app"), 1, ips, 132, NULL);
	stackmap__add(m, id, 3, 0);
	id = stackmap__intern(m, stackmap__label(m, "app"), 1, ips, 3, NULL);
	stackmap__add(m, id, 2, 0);
	o = stackout__new(tpath("u.folded"), &count_view, &err);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_INT(stackout__add(o, m, &count_view, NULL, &err), 0);
	CHECK_INT(stackout__close(o, &err), 0);
	text = read_file(tpath("u.folded"), NULL);
	/* user frames root first, then kernel; 130 unknowns become one frame */
	CHECK_STR(text, "app;[unknown] 5\n");
	free(text);
	stackmap__delete(m);
}

/* the join of the test below: the tag's upper half names the stack joined above */
static u32 join_by_tag(void *ctx, const struct stackmap *m, u32 id)
{
	(void)ctx;
	return (u32)(stackmap__tag(m, id) >> 32);
}

static const char *root_by_tag(void *ctx, const struct stackmap *m, u32 id)
{
	(void)ctx;
	return stackmap__label_str(m, (u32)stackmap__tag(m, id));
}

TEST(stackmap_folded_joins_a_stack_above)
{
	struct run_env env = { 0 };
	struct stackmap_view v = { .root = root_by_tag, .join = join_by_tag, .by_weight = true };
	struct stackmap *m;
	struct err err = { 0 };
	struct stackout *o;
	u64 ips[8], kern[] = { PERF_CONTEXT_KERNEL, KADDR };
	u32 nr, waker, id;
	char *text;

	env.syms = syms__new(0);
	syms__proc_maps(env.syms, getpid());
	m = stackmap__new(&env, 0, 0);
	own_stack(ips, &nr);
	/* the waker's stack, never counted itself; the blocked one joined with it */
	waker = stackmap__intern(m, stackmap__label(m, "waker"), getpid(), ips, nr, NULL);
	stackmap__ref(m, waker);
	id = stackmap__intern(m, (u64)waker << 32 | stackmap__label(m, "blocked"), getpid(), ips,
			      nr, NULL);
	stackmap__add(m, id, 1, 250);
	/* a stack with nothing joined is written as always */
	id = stackmap__intern(m, stackmap__label(m, "alone"), 1, kern, 2, NULL);
	stackmap__add(m, id, 1, 7);
	o = stackout__new(tpath("j.folded"), &v, &err);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_INT(stackout__add(o, m, &v, NULL, &err), 0);
	CHECK_INT(stackout__close(o, &err), 0);
	text = read_file(tpath("j.folded"), NULL);
	/* the blocked stack root first, "--", the waker's leaf first, its root on top */
	CHECK_STR(text, "alone;[unknown] 7\nblocked;sm_caller;sm_leaf;--;sm_leaf;sm_caller;waker 250\n");
	free(text);
	stackmap__delete(m);
	syms__delete(env.syms);
}

static bool bytes_values(void *ctx, const struct stackmap *m, u32 id, u64 *count, u64 *weight)
{
	stackmap__values(m, id, true, count, weight);
	return *count != 0;
}

TEST(stackmap_svg_names_its_unit)
{
	struct stackmap *m = stackmap__new(NULL, 0, 0);
	struct stackmap_view v = {
		.root = stackmap_root_label, .values = bytes_values, .by_weight = true,
		.weight_type = "inuse_space", .weight_unit = "bytes",
	};
	struct err err = { 0 };
	struct stackout *o;
	u64 ips[2] = { PERF_CONTEXT_KERNEL, KADDR };
	u32 id = stackmap__intern(m, stackmap__label(m, "leaker"), 1, ips, 2, NULL);
	char *text;

	stackmap__add(m, id, 3, 3000);
	o = stackout__new(tpath("b.svg"), &v, &err);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_STR(stackout__path(o), tpath("b.svg"));
	CHECK_INT(stackout__add(o, m, &v, NULL, &err), 0);
	CHECK_INT(stackout__close(o, &err), 0);
	text = read_file(tpath("b.svg"), NULL);
	CHECK_CONTAINS(text, "<title>leaker (3000 bytes, 100.00%)</title>");
	CHECK_CONTAINS(text, "<title>all (3000 bytes, 100.00%)</title>");
	CHECK(!strstr(text, "samples"));
	free(text);
	stackmap__delete(m);
}

/* the profile file, gunzip'd and decoded */
static Pprof__Profile *read_pprof(const char *path)
{
	gzFile gz = gzopen(path, "rb");
	size_t len = 0, cap = 1 << 16;
	u8 *buf = xzalloc(cap);
	Pprof__Profile *p;
	int r;

	if (!gz) {
		free(buf);
		return NULL;
	}
	while ((r = gzread(gz, buf + len, (unsigned)(cap - len))) > 0) {
		len += (size_t)r;
		if (len == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	gzclose(gz);
	p = pprof__profile__unpack(NULL, len, buf);
	free(buf);
	return p;
}

static const char *pp_str(const Pprof__Profile *p, s64 i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i] : "(bad)";
}

TEST(stackmap_pprof_roundtrip)
{
	struct run_env env = { 0 };
	struct stackmap_view v = {
		.root = stackmap_root_label, .root_label = "comm",
		.count_type = "samples", .count_unit = "count",
		.weight_type = "cpu", .weight_unit = "nanoseconds", .whole = true,
	};
	struct err err = { 0 };
	struct stackout *o;
	struct stackmap *m;
	Pprof__Profile *p;
	u64 ips[8], total = 0;
	u32 nr, id;

	env.syms = syms__new(0);
	syms__proc_maps(env.syms, getpid());
	m = stackmap__new(&env, 0, 0);
	own_stack(ips, &nr);
	id = stackmap__intern(m, stackmap__label(m, "test"), getpid(), ips, nr, NULL);
	stackmap__add(m, id, 5, 5000);
	/* the leaf alone: its location is the first stack's leaf */
	id = stackmap__intern(m, stackmap__label(m, "test"), getpid(), ips, 2, NULL);
	stackmap__add(m, id, 2, 2000);
	o = stackout__new(tpath("p.pb.gz"), &v, &err);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_INT(stackout__add(o, m, &v, NULL, &err), 0);
	CHECK_INT(stackout__close(o, &err), 0);
	p = read_pprof(tpath("p.pb.gz"));
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_STR(pp_str(p, 0), "");
	CHECK_INT(p->n_sample_type, 2);
	CHECK_STR(pp_str(p, p->sample_type[0]->type), "samples");
	CHECK_STR(pp_str(p, p->sample_type[1]->unit), "nanoseconds");
	CHECK_INT(p->n_sample, 2);
	for (size_t i = 0; i < p->n_sample; i++) {
		const Pprof__Sample *s = p->sample[i];

		CHECK_INT(s->n_value, 2);
		total += (u64)s->value[0];
		CHECK_INT(s->value[1], s->value[0] * 1000);
		CHECK_INT(s->n_label, 1);
		if (s->n_label) {
			CHECK_STR(pp_str(p, s->label[0]->key), "comm");
			CHECK_STR(pp_str(p, s->label[0]->str), "test");
		}
	}
	CHECK_U64(total, 7);
	/* two distinct addresses, two locations, each named; the leaf is shared */
	CHECK_INT(p->n_location, 2);
	CHECK_INT(p->n_function, 2);
	for (size_t i = 0; i < p->n_function; i++) {
		const char *name = pp_str(p, p->function[i]->name);

		CHECK(!strcmp(name, "sm_leaf") || !strcmp(name, "sm_caller"));
	}
	CHECK(p->n_mapping >= 1);
	pprof__profile__free_unpacked(p, NULL);
	stackmap__delete(m);
	syms__delete(env.syms);
}

/* what a known stack costs a sample: intern (hash, compare) and count; printed, not asserted */
TEST(stackmap_intern_cost)
{
	struct stackmap *m = stackmap__new(NULL, 0, 0);
	u64 ips[4][10];
	const int n = 400000;
	u32 id = 0;
	u64 t0, t1;

	for (int s = 0; s < 4; s++) {
		ips[s][0] = PERF_CONTEXT_KERNEL;
		for (int i = 1; i < 10; i++)
			ips[s][i] = KADDR + (u64)(s * 100 + i) * 16;
	}
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		id = stackmap__intern(m, 1, 100, ips[i & 3], 10, NULL);
		stackmap__add(m, id, 1, 1);
	}
	t1 = now_ns();
	CHECK_INT(stackmap__nr(m), 4);
	CHECK(id != 0);
	printf("# stackmap__intern + add, 9 frames, known stack: %.0f ns\n",
	       (double)(t1 - t0) / n);
	stackmap__delete(m);
}
