// SPDX-License-Identifier: GPL-2.0
/*
 * symbols-cli.c - `perf-prof --symbols FILE [ADDR...]`: addresses of one
 * ELF file to "symbol+off (file:line)" lines, for scripts (pprof-style
 * symbolization). Addresses come from the command line or, one per line,
 * from stdin; every input address gives exactly one output line, so a
 * script can paste the two streams together.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "syms.h"

static void cli__error(FILE *errf, const struct err *e)
{
	fprintf(errf, "perf-prof --symbols: %s\n", e->msg);
	if (e->hint[0])
		fprintf(errf, "hint: %s\n", e->hint);
}

/* Hex like addr2line, with or without 0x; the whole token must parse. */
static int parse_addr(const char *s, u64 *out)
{
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!isxdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return errno || *end ? -1 : 0;
}

static void print_pos(FILE *out, const char *file, int line)
{
	if (file && line)
		fprintf(out, " (%s:%d)", file, line);
	else if (file)
		fprintf(out, " (%s)", file);
}

static void print_frame(FILE *out, u64 addr, const struct sym_frame *f)
{
	fprintf(out, "0x%llx ", (unsigned long long)addr);
	if (!f->name) {
		fputs("[unknown]\n", out);
		return;
	}
	for (int i = 0; i < f->nr_inline; i++) {
		fputs(f->inlined[i].name, out);
		print_pos(out, f->inlined[i].file, f->inlined[i].line);
		fputs(" inlined into ", out);
	}
	fprintf(out, "%s+0x%llx", f->name, (unsigned long long)f->off);
	print_pos(out, f->file, f->line);
	fputc('\n', out);
}

static int cli__one(struct syms *s, const char *path, u64 addr, FILE *out, FILE *errf)
{
	struct sym_frame f;
	struct err err = { 0 };
	int ret = syms__resolve_file(s, path, addr, &f, &err);

	if (ret && ret != -ENOENT) {
		cli__error(errf, &err);
		return EXIT_FAIL;
	}
	print_frame(out, addr, &f);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int cli__stdin(struct syms *s, const char *path, FILE *in, FILE *out, FILE *errf)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (getline(&line, &cap, in) >= 0) {
		char *tok = trim(line);
		u64 addr;

		if (!*tok)
			continue;
		if (parse_addr(tok, &addr)) {
			/* keep the output aligned with the input */
			fprintf(out, "%s [invalid]\n", tok);
			fprintf(errf, "perf-prof --symbols: invalid address '%s'\n", tok);
			rc = EXIT_USAGE;
			continue;
		}
		if (cli__one(s, path, addr, out, errf)) {
			rc = EXIT_FAIL;
			break;
		}
		fflush(out);
	}
	free(line);
	return rc;
}

int symbols_cli_stream(int argc, char **argv, FILE *in, FILE *out, FILE *errf)
{
	struct err err = { 0 };
	struct syms *s;
	struct sym_frame f;
	int rc = 0, ret;

	if (argc < 2 || !argv[1][0]) {
		err_set(&err, EXIT_USAGE, "missing file");
		err_hint(&err, "perf-prof --symbols FILE [ADDR...] (or addresses on stdin)");
		cli__error(errf, &err);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		u64 addr;

		if (parse_addr(argv[i], &addr)) {
			err_set(&err, EXIT_USAGE, "invalid address '%s'", argv[i]);
			err_hint(&err, "addresses are hexadecimal, e.g. 0x1139");
			cli__error(errf, &err);
			return EXIT_USAGE;
		}
	}
	s = syms__new(SYMS_INLINE | SYMS_NO_PROC | SYMS_NO_JIT);
	/* open the file once up front, so a bad FILE fails before any output */
	ret = syms__resolve_file(s, argv[1], 0, &f, &err);
	if (ret && ret != -ENOENT) {
		cli__error(errf, &err);
		syms__delete(s);
		return EXIT_FAIL;
	}
	if (argc == 2)
		rc = cli__stdin(s, argv[1], in, out, errf);
	for (int i = 2; i < argc && !rc; i++) {
		u64 addr;

		parse_addr(argv[i], &addr);
		rc = cli__one(s, argv[1], addr, out, errf);
	}
	syms__delete(s);
	return rc;
}

int symbols_cli(int argc, char **argv)
{
	return symbols_cli_stream(argc, argv, stdin, stdout, stderr);
}
