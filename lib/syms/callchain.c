// SPDX-License-Identifier: GPL-2.0
/*
 * callchain.c - callchains to text (see callchain.h): one walk over the
 * kernel and user parts of a chain, with the frames resolved by a
 * resolver (syms and kallsyms now, or the stack map's cache at report time).
 */
#include <errno.h>
#include <string.h>
#include <linux/perf_event.h>

#include "callchain.h"
#include "env.h"
#include "ksyms.h"
#include "syms.h"

/*
 * A return address points after its call; looking up address - 1 names
 * the call's own line (and its function, if the call was the last
 * instruction). The leaf frame is the interrupted pc itself.
 */
static u64 lookup_addr(u64 ip, bool leaf)
{
	return leaf || !ip ? ip : ip - 1;
}

int callchain__lookup(struct syms *syms, int pid, u64 ip, bool leaf, struct sym_frame *f,
		      u64 *off)
{
	u64 at = lookup_addr(ip, leaf);
	int e;

	memset(f, 0, sizeof(*f));
	e = syms ? syms__resolve(syms, pid, at, f) : -ENOENT;
	*off = f->off + (ip - at);
	return e;
}

void callchain__fprint_frame(FILE *out, const struct sym_frame *f, u64 off)
{
	if (f->name)
		fprintf(out, "%s+0x%llx", sym_frame__name(f), (unsigned long long)off);
	else
		fputs("[unknown]", out);
	fprintf(out, " (%s)", f->dso ? f->dso : "[unknown]");
	if (f->file)
		fprintf(out, " %s:%d", f->file, f->line);
}

void callchain__fprint_inline(FILE *out, const struct sym_inline *in)
{
	fprintf(out, "%s (inlined)", in->name ? in->name : "[unknown]");
	if (in->file)
		fprintf(out, " %s:%d", in->file, in->line);
}

int callchain__resolve_kernel(struct ksyms *ks, u64 ip, struct sym_frame *f)
{
	const char *mod = NULL;
	u64 off = 0;

	memset(f, 0, sizeof(*f));
	f->name = ksyms__name(ks, ip, &off, &mod);
	f->off = off;
	f->dso = mod && *mod ? mod : NULL;
	f->dso_off = ip;
	return f->name ? 0 : -ENOENT;
}

struct env_resolver {
	const struct run_env *env;
	int pid;
};

static int resolve_now(void *ctx, u64 lookup, bool kernel, struct sym_frame *f)
{
	const struct env_resolver *r = ctx;

	if (kernel)
		return callchain__resolve_kernel(r->env ? r->env->ksyms : NULL, lookup, f);
	if (!r->env || !r->env->syms) {
		memset(f, 0, sizeof(*f));
		return -ENOENT;
	}
	return syms__resolve(r->env->syms, r->pid, lookup, f);
}

/* the frames of one entry, leaf first, as callchain__print() writes them */
static void print_frame(FILE *out, u64 ip, u64 lookup, bool kernel, const struct sym_frame *f,
			bool found)
{
	if (kernel) {
		if (found)
			fprintf(out, "    %016llx %s+0x%llx ([%s])\n", (unsigned long long)ip, f->name,
				(unsigned long long)f->off, f->dso ? f->dso : "kernel.kallsyms");
		else
			fprintf(out, "    %016llx [unknown] ([kernel.kallsyms])\n",
				(unsigned long long)ip);
		return;
	}
	if (!found) {
		fprintf(out, "    %016llx [unknown]\n", (unsigned long long)ip);
		return;
	}
	for (int k = 0; k < f->nr_inline; k++) {
		fprintf(out, "    %16s ", "");
		callchain__fprint_inline(out, &f->inlined[k]);
		fputc('\n', out);
	}
	fprintf(out, "    %016llx ", (unsigned long long)ip);
	callchain__fprint_frame(out, f, f->off + (ip - lookup));
	fputc('\n', out);
}

void callchain__walk(const u64 *ips, u64 nr, callchain_resolve_fn resolve, void *ctx,
		     callchain_frame_fn fn, void *fctx)
{
	bool user = false, first_user = true;

	for (u64 i = 0; i < nr; i++) {
		u64 ip = ips[i], lookup;
		struct sym_frame f;
		bool found;

		if (ip >= PERF_CONTEXT_MAX) {
			user = ip == PERF_CONTEXT_USER;
			continue;
		}
		lookup = user ? lookup_addr(ip, first_user) : ip;
		found = !resolve(ctx, lookup, !user, &f);
		if (user)
			first_user = false;
		fn(fctx, ip, lookup, !user, &f, found);
	}
}

static void print_cb(void *ctx, u64 ip, u64 lookup, bool kernel, const struct sym_frame *f,
		     bool found)
{
	print_frame(ctx, ip, lookup, kernel, f, found);
}

void callchain__print_with(FILE *out, const u64 *ips, u64 nr, callchain_resolve_fn resolve,
			   void *ctx)
{
	callchain__walk(ips, nr, resolve, ctx, print_cb, out);
}

void callchain__print(FILE *out, const struct run_env *env, int pid, const u64 *ips, u64 nr)
{
	struct env_resolver r = { env, pid };

	callchain__print_with(out, ips, nr, resolve_now, &r);
}

/* leaf-first names of the two parts, emitted root-first at the end */
struct names_acc {
	const char *kern[CALLCHAIN_MAX], *usr[CALLCHAIN_MAX];
	int nk, nu;
};

static void names_cb(void *ctx, u64 ip, u64 lookup, bool kernel, const struct sym_frame *f,
		     bool found)
{
	struct names_acc *a = ctx;

	if (kernel) {
		if (a->nk < CALLCHAIN_MAX)
			a->kern[a->nk++] = found ? f->name : "[unknown]";
		return;
	}
	if (!found) {
		if (a->nu < CALLCHAIN_MAX)
			a->usr[a->nu++] = "[unknown]";
		return;
	}
	for (int k = 0; k < f->nr_inline && a->nu < CALLCHAIN_MAX; k++)
		a->usr[a->nu++] = f->inlined[k].name ? f->inlined[k].name : "[unknown]";
	if (a->nu < CALLCHAIN_MAX)
		a->usr[a->nu++] = sym_frame__name(f);
}

int callchain__names_with(const u64 *ips, u64 nr, callchain_resolve_fn resolve, void *ctx,
			  const char **names, int max)
{
	struct names_acc a;
	int n = 0;

	a.nk = a.nu = 0;
	callchain__walk(ips, nr, resolve, ctx, names_cb, &a);
	for (int i = a.nu - 1; i >= 0 && n < max; i--)
		names[n++] = a.usr[i];
	for (int i = a.nk - 1; i >= 0 && n < max; i--)
		names[n++] = a.kern[i];
	return n;
}

int callchain__names(const struct run_env *env, int pid, const u64 *ips, u64 nr,
		     const char **names, int max)
{
	struct env_resolver r = { env, pid };

	return callchain__names_with(ips, nr, resolve_now, &r, names, max);
}

int callchain__collapse_unknown(const char **names, int n)
{
	int out = 0;

	for (int i = 0; i < n; i++) {
		if (out && !strcmp(names[i], "[unknown]") && !strcmp(names[out - 1], "[unknown]"))
			continue;
		names[out++] = names[i];
	}
	return out;
}
