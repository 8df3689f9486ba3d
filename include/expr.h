/* SPDX-License-Identifier: GPL-2.0 */
/*
 * expr.h - the expression language: compiled once at start-up against one
 * event's format (or a fixed set of named variables), evaluated per sample
 * without allocating. Used for user-space filters and for attributes such as
 * key=, top-by=, comm=, ptr=, size=, num=/delay=, printkey=.
 */
#ifndef PERF_PROF_EXPR_H
#define PERF_PROF_EXPR_H

#include "util.h"

/*
 * EXPR_PRINTF_MAX_WIDTH - the widest printf() width or precision, written
 * (6 digits) or from a '*' argument (beyond it the evaluation fails): a
 * line per key, not megabytes
 */
#define EXPR_PRINTF_MAX_WIDTH 999999

struct tep_event;
struct expr;

/**
 * struct expr_ctx - what one evaluation sees
 * @raw, @raw_size: the tracepoint record (PERF_SAMPLE_RAW payload)
 * @cpu, @pid, @tid, @time, @period, @ip: the builtins _cpu _pid _tid _time
 *        _period _ip (the sampled instruction pointer of sampling events)
 * @vars: values of the named variables of an expr_compile_vars() program
 */
struct expr_ctx {
	const void *raw;
	u32 raw_size;
	int cpu;
	int pid;
	int tid;
	u64 time;
	u64 period;
	u64 ip;
	const s64 *vars;
};

enum expr_type {
	EXPR_INT,	/* a 64-bit integer */
	EXPR_STR,	/* a string (char array, __data_loc string, literal) */
};

/**
 * expr_compile - compile @src against the fields of @tp (NULL: builtins only).
 * On error returns NULL with @err set (EXIT_USAGE); err->detail holds the
 * source, a caret line under the problem and the available fields.
 */
struct expr *expr_compile(const char *src, struct tep_event *tp, struct err *err);

/**
 * expr_compile_vars - compile @src where the only variables are @vars
 * (NULL-terminated names, each a 64-bit integer read from ctx->vars[i]).
 * printkey= uses this with the single variable "key".
 */
struct expr *expr_compile_vars(const char *src, const char *const *vars, struct err *err);

struct run_env;

/**
 * expr_bind - the run whose names comm_get() and ksymbol() return (kernel
 * symbols are read now if the program calls ksymbol()). An unbound program
 * knows no names: comm_get() gives "<...>", ksymbol() "Unknown".
 */
void expr_bind(struct expr *e, const struct run_env *env);

/* expr_result_type - the static type of the program's result */
enum expr_type expr_result_type(const struct expr *e);

/**
 * expr_eval - run @e on one sample.
 * Returns 0 with the integer result in @out (a string result yields 1 when
 * non-empty, else 0), or -1 on a run-time error (division by zero, index out
 * of range, a field outside the record); the caller counts and skips those.
 */
int expr_eval(struct expr *e, const struct expr_ctx *ctx, s64 *out);

/**
 * expr_eval_str - run a program whose result type is EXPR_STR; the string
 * (not necessarily NUL-terminated inside the record, hence @len) is valid
 * until the next evaluation of @e or the end of the sample.
 * Returns 0 or -1 as expr_eval(); -1 also for an EXPR_INT program.
 */
int expr_eval_str(struct expr *e, const struct expr_ctx *ctx, const char **str, size_t *len);

/**
 * expr_printkey - run a printkey= program (compiled with the one variable
 * "key") for @key: its printf() writes to the program's output (@out, as
 * bound), then blanks pad what it printed to @width. Returns 0, or -1 when
 * it failed (nothing counted as printed: the caller prints the number).
 */
int expr_printkey(struct expr *e, FILE *out, u64 key, int width);

/* expr_source - the text @e was compiled from */
const char *expr_source(const struct expr *e);

void expr_free(struct expr *e);

/**
 * expr_print_fields - list what an expression compiled against @tp can name,
 * one "  <type> <name>" line each (common fields, fields, then the builtins
 * _cpu _pid _tid _time _period _ip), to @fp; for `help` output.
 */
void expr_print_fields(struct tep_event *tp, FILE *fp);

/**
 * expr_dump - the compiled program, one instruction per line, to @fp
 * (for an `expr` debugging profiler and for tests).
 */
void expr_dump(const struct expr *e, FILE *fp);

/**
 * syscalls__name - the x86_64 system call called @nr, or NULL when the
 * number is not assigned (lib/core/syscalls-x86_64.c; used by syscall_name()).
 */
const char *syscalls__name(long nr);

#endif
