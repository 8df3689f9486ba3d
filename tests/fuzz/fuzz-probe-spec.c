// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-probe-spec.c - libFuzzer harness for probe terms (lib/probe/probe.c):
 * the ARGS translation (probe__fetchargs) and whole terms resolved into a
 * definition (evspec_parse + probe__define), nothing written to tracefs.
 *
 * Input: byte 0 low 2 bits pick the kind (uprobe, uretprobe, kprobe,
 * kretprobe); bit 2 set: the rest is a whole term after "KIND:" (for
 * uprobes its FILE is replaced by this very binary, so FUNC, +OFF and the
 * instruction check run on a real ELF and nothing else on disk is read);
 * clear: the rest is the ARGS text alone. Beyond "does not crash":
 *   - fetchargs: failure is -1, EXIT_USAGE, a message and a column inside
 *     the text, nothing allocated in *out; success is one line of at most 128
 *     space-separated NAME=FETCH[:TYPE] arguments with distinct names;
 *   - define: failure has a message and EXIT_USAGE/EXIT_FAIL, a caret (for
 *     a usage error) inside the argument; success has an event name that
 *     is a C identifier of at most 63 bytes, a place, args, a display name,
 *     no offset on a return probe.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evspec.h"
#include "probe.h"

#define FUZZ_MAX_ARG 2048

static const enum evspec_kind kinds[] = {
	EVSPEC_UPROBE, EVSPEC_URETPROBE, EVSPEC_KPROBE, EVSPEC_KRETPROBE,
};

static char self[PATH_MAX];

static void fuzz_assert(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-probe-spec: contract broken: %s\n", what);
		abort();
	}
}

/* one kernel argument "NAME=FETCH[:TYPE]": NAME a C identifier */
static void check_arg(const char *a, size_t len, char (*names)[40], int *nr)
{
	const char *eq = memchr(a, '=', len);
	size_t n = eq ? (size_t)(eq - a) : 0;

	fuzz_assert(eq && n && n < 32, "argument has NAME=");
	fuzz_assert(isalpha((unsigned char)a[0]) || a[0] == '_', "name starts a C identifier");
	for (size_t i = 0; i < n; i++)
		fuzz_assert(isalnum((unsigned char)a[i]) || a[i] == '_', "name is a C identifier");
	fuzz_assert(eq + 1 < a + len, "argument has a FETCH");
	for (int i = 0; i < *nr; i++)
		fuzz_assert(strlen(names[i]) != n || memcmp(names[i], a, n), "names distinct");
	memcpy(names[*nr], a, n);
	names[(*nr)++][n] = '\0';
}

static void check_fetchargs(enum evspec_kind kind, const char *args)
{
	static char names[130][40];
	struct err err = { 0 };
	char *out = (char *)"untouched";
	int col = -7, nr = 0;

	if (probe__fetchargs(kind, args, &out, &col, &err)) {
		fuzz_assert(err.code == EXIT_USAGE, "usage error code");
		fuzz_assert(err.msg[0], "error message");
		fuzz_assert(col >= 0 && (size_t)col <= strlen(args), "error column inside the text");
		fuzz_assert(!out || !strcmp(out, "untouched"), "nothing allocated on failure");
		return;
	}
	fuzz_assert(out && !strchr(out, '\n') && !strchr(out, '\t'), "one line");
	for (const char *p = out; *p;) {
		size_t len = strcspn(p, " ");

		fuzz_assert(len > 0, "no empty argument");
		fuzz_assert(nr < 128, "at most 128 arguments");
		check_arg(p, len, names, &nr);
		p += len;
		if (*p)
			p++;
	}
	free(out);
}

static bool c_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static void check_define(enum evspec_kind kind, const char *rest)
{
	static const char *const acc[] = { "stack", "alias", NULL };
	struct evspec_list l = { 0 };
	struct probe_def def;
	struct err err = { 0 };
	struct evspec *ev;
	char *text = xasprintf("%s:%s", evspec_kind_name(kind), rest);

	if (evspec_parse(text, 0, acc, &l, &err) || l.n != 1 || l.v[0]->kind != kind)
		goto out;
	ev = l.v[0];
	if (ev->probe_file) {
		free(ev->probe_file);
		ev->probe_file = xstrdup(self);
	}
	memset(&err, 0, sizeof(err));
	if (probe__define(ev, "/nonexistent-debug", &def, &err)) {
		fuzz_assert(err.msg[0], "define error message");
		fuzz_assert(err.code == EXIT_USAGE || err.code == EXIT_FAIL, "define error code");
		if (err.code == EXIT_USAGE && err.detail[0]) {
			const char *caret = strchr(err.detail, '^');
			const char *line = caret ? memrchr(err.detail, '\n', (size_t)(caret - err.detail)) : NULL;

			fuzz_assert(caret, "usage error has a caret");
			fuzz_assert((size_t)(caret - (line ? line + 1 : err.detail)) <= strlen(ev->arg) + 2,
				    "caret inside the argument");
		}
	} else {
		fuzz_assert(c_ident(def.event) && strlen(def.event) <= 63, "event name");
		fuzz_assert(def.place && def.place[0], "place");
		fuzz_assert(def.args != NULL, "args");
		fuzz_assert(def.display && def.display[0], "display");
		fuzz_assert(!def.ret || !ev->probe_off, "no offset on a return probe");
		fuzz_assert(def.kernel || def.path, "a uprobe has its file");
	}
	probe_def__free(&def);
out:
	evspec_list_free(&l);
	free(text);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	enum evspec_kind kind;
	char *buf;

	if (size < 1 || size > FUZZ_MAX_ARG)
		return -1;
	if (!self[0] && !realpath("/proc/self/exe", self))
		abort();
	kind = kinds[data[0] & 3];
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	if (data[0] & 4)
		check_define(kind, buf);
	else
		check_fetchargs(kind, buf);
	free(buf);
	return 0;
}
