// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-expr.c - libFuzzer harness for the expression compiler and machine
 * (lib/expr/expr.c, lib/expr/lex.c, lib/expr/vm.c, lib/expr/printf.c).
 *
 * Input: byte 0 picks the context (low 3 bits: one of the formats below,
 * named variables, or builtins only; the other bits vary the builtins and
 * ask for a dump), then the expression text up to the first NUL byte, then
 * the record: whatever follows, copied into a buffer of exactly that size so
 * that any read past it is caught. A program that compiles is run on that
 * record; it may fail (-1), it must never crash or read outside the record.
 * A compile error must come with EXIT_USAGE and a message.
 */
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "env.h"
#include "ksyms.h"
#include "tasks.h"
#include "expr.h"

#define FUZZ_MAX_SRC 1024

#define COMMON                                                                          \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"          \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"          \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"  \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

/* the shapes of field the compiler treats differently */
static const char *const formats[] = {
	/* a task event: char array, pids, a long */
	"name: task\nID: 101\nformat:\n" COMMON
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:long state;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\nprint fmt: \"comm=%s pid=%d\", REC->comm, REC->pid\n",
	/* every integer width and sign, bool, byte arrays */
	"name: ints\nID: 102\nformat:\n" COMMON
	"\tfield:s64 a;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:u64 b;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 c;\toffset:24;\tsize:1;\tsigned:0;\n"
	"\tfield:s8 d;\toffset:25;\tsize:1;\tsigned:1;\n"
	"\tfield:u16 e;\toffset:26;\tsize:2;\tsigned:0;\n"
	"\tfield:s16 f;\toffset:28;\tsize:2;\tsigned:1;\n"
	"\tfield:u32 g;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:s32 h;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:bool on;\toffset:40;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char mac[6];\toffset:41;\tsize:6;\tsigned:0;\n"
	"\tfield:u8 addr[4];\toffset:47;\tsize:4;\tsigned:0;\n"
	"\nprint fmt: \"a=%lld\", REC->a\n",
	/* dynamic data: __data_loc strings and array, __rel_loc string */
	"name: dyn\nID: 103\nformat:\n" COMMON
	"\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] file;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 flags;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:__rel_loc char[] rel;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc unsigned long[] ips;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\nprint fmt: \"%s\", __get_str(name)\n",
	/* fixed arrays of wide elements, a struct array, a flexible tail */
	"name: arrs\nID: 104\nformat:\n" COMMON
	"\tfield:int v[4];\toffset:8;\tsize:16;\tsigned:1;\n"
	"\tfield:unsigned long stack[3];\toffset:24;\tsize:24;\tsigned:0;\n"
	"\tfield:u16 port[2];\toffset:48;\tsize:4;\tsigned:0;\n"
	"\tfield:int i;\toffset:52;\tsize:4;\tsigned:1;\n"
	"\tfield:struct pair p[2];\toffset:56;\tsize:16;\tsigned:0;\n"
	"\tfield:u32 rest[];\toffset:72;\tsize:0;\tsigned:0;\n"
	"\nprint fmt: \"%d\", REC->i\n",
	/* a print-like event: the string runs to the end of the record */
	"name: msg\nID: 105\nformat:\n" COMMON
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:1;\n"
	"\nprint fmt: \"%s\", REC->buf\n",
	/* a syscall event */
	"name: sys_enter_write\nID: 106\nformat:\n" COMMON
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int fd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * buf;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\nprint fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n",
};

#define NR_FORMATS ((int)ARRAY_SIZE(formats))

static struct tep_handle *tep;
static struct tep_event *events[ARRAY_SIZE(formats)];
static FILE *devnull;
static unsigned long runs;
/* the names comm_get() and ksymbol() see, as a run lends them */
static struct run_env env;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	tep = tep_alloc();
	devnull = fopen("/dev/null", "w");
	env.tasks = tasks__new();
	env.ksyms = ksyms__new();
	env.out = devnull;
	if (!tep || !devnull)
		abort();
	for (int i = 0; i < NR_FORMATS; i++)
		if (tep_parse_format(tep, &events[i], formats[i], strlen(formats[i]), "fz") ||
		    !events[i])
			abort();
	return 0;
}

static void fuzz_assert(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-expr: contract broken: %s\n", what);
		abort();
	}
}

static void run(struct expr *e, const struct expr_ctx *ctx)
{
	const char *str = NULL;
	size_t len = 0;
	s64 v;
	int r;

	r = expr_eval(e, ctx, &v);
	fuzz_assert(r == 0 || r == -1, "expr_eval returns 0 or -1");
	if (expr_result_type(e) == EXPR_STR) {
		if (!expr_eval_str(e, ctx, &str, &len)) {
			volatile unsigned char sum = 0;

			fuzz_assert(str != NULL || !len, "string result");
			/* every byte of the result must be readable */
			for (size_t i = 0; i < len; i++)
				sum ^= (unsigned char)str[i];
			(void)sum;
		}
	} else {
		fuzz_assert(expr_eval_str(e, ctx, &str, &len) == -1, "eval_str of an integer fails");
	}
	/* a second run sees the same record: the same answer */
	if (expr_result_type(e) == EXPR_INT) {
		s64 v2;

		if (!r && !expr_eval(e, ctx, &v2))
			fuzz_assert(v == v2 || strstr(expr_source(e), "printf") ||
					    strstr(expr_source(e), "_time"),
				    "evaluation is deterministic");
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const vars[] = { "key", "a", "b", NULL };
	s64 varv[3] = { 42, -1, (s64)0x8000000000000000ULL };
	unsigned char sel, *raw;
	const char *src, *nul;
	struct expr *e;
	struct err err = { 0 };
	size_t slen, rlen;
	char *text;
	int which;

	if (!size)
		return -1;
	sel = data[0];
	src = (const char *)data + 1;
	nul = memchr(src, 0, size - 1);
	slen = nul ? (size_t)(nul - src) : size - 1;
	if (slen > FUZZ_MAX_SRC)
		return -1;
	text = strndup(src, slen);
	rlen = nul ? size - 1 - slen - 1 : 0;
	raw = malloc(rlen ? rlen : 1);
	memcpy(raw, nul ? nul + 1 : src, rlen);

	which = sel & 7;
	if (which < NR_FORMATS)
		e = expr_compile(text, events[which], &err);
	else if (which == NR_FORMATS)
		e = expr_compile_vars(text, vars, &err);
	else
		e = expr_compile(text, NULL, &err);
	expr_bind(e, &env);
	if (!e) {
		fuzz_assert(err.code == EXIT_USAGE, "compile error is a usage error");
		fuzz_assert(err.msg[0] != '\0', "compile error message");
	} else {
		struct expr_ctx ctx = {
			.raw = rlen ? raw : NULL, .raw_size = (u32)rlen,
			.cpu = sel & 0x10 ? -1 : 1, .pid = sel & 0x20 ? 0 : 4242,
			.tid = sel & 0x20 ? -1 : 4243, .time = sel & 0x40 ? ~0ULL : 1000,
			.period = 1, .vars = varv,
		};

		fuzz_assert(!strcmp(expr_source(e), text), "expr_source");
		if (sel & 0x80)
			expr_dump(e, devnull);
		run(e, &ctx);
		expr_free(e);
	}
	free(text);
	free(raw);
	/* pids read by comm_get() stay cached: start afresh now and then */
	if (!(++runs & 0xffff)) {
		tasks__delete(env.tasks);
		env.tasks = tasks__new();
	}
	return 0;
}
