// SPDX-License-Identifier: GPL-2.0
/*
 * callchain.c - callchains to text (see callchain.h).
 */
#include <errno.h>
#include <string.h>
#include <linux/perf_event.h>

#include "callchain.h"
#include "env.h"
#include "ksyms.h"
#include "syms.h"

int callchain__lookup(struct syms *syms, int pid, u64 ip, bool leaf, struct sym_frame *f,
		      u64 *off)
{
	/*
	 * A return address points after its call; looking up address - 1
	 * names the call's own line (and its function, if the call was the
	 * last instruction). The leaf frame is the interrupted pc itself.
	 */
	u64 at = leaf || !ip ? ip : ip - 1;
	int e;

	memset(f, 0, sizeof(*f));
	e = syms ? syms__resolve(syms, pid, at, f) : -ENOENT;
	*off = f->off + (ip - at);
	return e;
}

void callchain__fprint_frame(FILE *out, const struct sym_frame *f, u64 off)
{
	if (f->name)
		fprintf(out, "%s+0x%llx", f->name, (unsigned long long)off);
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

void callchain__print(FILE *out, const struct run_env *env, int pid, const u64 *ips, u64 nr)
{
	struct syms *syms = env ? env->syms : NULL;
	struct ksyms *ks = env ? env->ksyms : NULL;
	bool user = false, first_user = true;

	for (u64 i = 0; i < nr; i++) {
		u64 ip = ips[i], off;
		const char *name, *mod;
		struct sym_frame f;
		int e;

		if (ip >= PERF_CONTEXT_MAX) {
			user = ip == PERF_CONTEXT_USER;
			continue;
		}
		if (!user) {
			name = ksyms__name(ks, ip, &off, &mod);
			if (name)
				fprintf(out, "    %016llx %s+0x%llx ([%s])\n", (unsigned long long)ip,
					name, (unsigned long long)off,
					mod && *mod ? mod : "kernel.kallsyms");
			else
				fprintf(out, "    %016llx [unknown] ([kernel.kallsyms])\n",
					(unsigned long long)ip);
			continue;
		}
		e = callchain__lookup(syms, pid, ip, first_user, &f, &off);
		first_user = false;
		if (e) {
			fprintf(out, "    %016llx [unknown]\n", (unsigned long long)ip);
			continue;
		}
		for (int k = 0; k < f.nr_inline; k++) {
			fprintf(out, "    %16s ", "");
			callchain__fprint_inline(out, &f.inlined[k]);
			fputc('\n', out);
		}
		fprintf(out, "    %016llx ", (unsigned long long)ip);
		callchain__fprint_frame(out, &f, off);
		fputc('\n', out);
	}
}

int callchain__names(const struct run_env *env, int pid, const u64 *ips, u64 nr,
		     const char **names, int max)
{
	struct syms *syms = env ? env->syms : NULL;
	struct ksyms *ks = env ? env->ksyms : NULL;
	const char *kern[CALLCHAIN_MAX], *usr[CALLCHAIN_MAX];
	int nk = 0, nu = 0, n = 0;
	bool user = false, first_user = true;

	/* collect leaf-first, then emit root-first: user part, then kernel part */
	for (u64 i = 0; i < nr; i++) {
		u64 ip = ips[i];
		struct sym_frame f;

		if (ip >= PERF_CONTEXT_MAX) {
			user = ip == PERF_CONTEXT_USER;
			continue;
		}
		if (!user) {
			const char *name = ksyms__name(ks, ip, NULL, NULL);

			if (nk < CALLCHAIN_MAX)
				kern[nk++] = name ? name : "[unknown]";
			continue;
		}
		u64 off;
		int e = callchain__lookup(syms, pid, ip, first_user, &f, &off);

		first_user = false;
		if (e) {
			if (nu < CALLCHAIN_MAX)
				usr[nu++] = "[unknown]";
			continue;
		}
		for (int k = 0; k < f.nr_inline && nu < CALLCHAIN_MAX; k++)
			usr[nu++] = f.inlined[k].name ? f.inlined[k].name : "[unknown]";
		if (nu < CALLCHAIN_MAX)
			usr[nu++] = sym_frame__name(&f);
	}
	for (int i = nu - 1; i >= 0 && n < max; i--)
		names[n++] = usr[i];
	for (int i = nk - 1; i >= 0 && n < max; i--)
		names[n++] = kern[i];
	return n;
}
