// SPDX-License-Identifier: GPL-2.0
/*
 * callchain.c - callchains to text (see callchain.h).
 */
#include <linux/perf_event.h>

#include "callchain.h"
#include "env.h"
#include "ksyms.h"
#include "syms.h"

/*
 * A return address points after its call; looking up address - 1 names
 * the call's own line (and its function, if the call was the last
 * instruction). The first user frame is the interrupted pc itself.
 */
static u64 lookup_addr(u64 ip, bool first)
{
	return first || !ip ? ip : ip - 1;
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
		if (!syms || syms__resolve(syms, pid, lookup_addr(ip, first_user), &f)) {
			fprintf(out, "    %016llx [unknown]\n", (unsigned long long)ip);
			first_user = false;
			continue;
		}
		off = f.off + (ip - lookup_addr(ip, first_user));
		first_user = false;
		for (int k = 0; k < f.nr_inline; k++) {
			const struct sym_inline *in = &f.inlined[k];

			fprintf(out, "    %16s %s (inlined)", "", in->name ? in->name : "[unknown]");
			if (in->file)
				fprintf(out, " %s:%d", in->file, in->line);
			fputc('\n', out);
		}
		fprintf(out, "    %016llx %s+0x%llx (%s)", (unsigned long long)ip,
			sym_frame__name(&f), (unsigned long long)off, f.dso ? f.dso : "[unknown]");
		if (f.file)
			fprintf(out, " %s:%d", f.file, f.line);
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
		if (!syms || syms__resolve(syms, pid, lookup_addr(ip, first_user), &f)) {
			if (nu < CALLCHAIN_MAX)
				usr[nu++] = "[unknown]";
			first_user = false;
			continue;
		}
		first_user = false;
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
