/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - small shared helpers: error reports that travel up to the one
 * place that prints them, number/duration/list parsers, allocation that dies
 * cleanly on OOM (start-up only: the hot path never allocates).
 */
#ifndef PERF_PROF_UTIL_H
#define PERF_PROF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint16_t u16;
typedef int16_t s16;
typedef uint8_t u8;
typedef int8_t s8;

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 129

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/**
 * struct err - a failure described for the user, filled deep down and
 * printed once at the top.
 * @code: exit code class (EXIT_USAGE for bad input, EXIT_FAIL otherwise)
 * @msg:  what failed, lowercase, quoting the subject, no trailing period
 * @hint: what to try (may be empty)
 * @detail: optional multi-line context printed before the hint (a caret
 *          diagnostic, the list of available fields, ...)
 */
struct err {
	int code;
	char msg[1024];
	char hint[512];
	char detail[4096];
};

/* err_set - record a failure; returns -1 so callers can `return err_set(...)` */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err_hint - attach the `hint:` line */
void err_hint(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_detail - append a line of context */
void err_detail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_prefix - put "PREFIX: " in front of the message (context from a caller) */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_print - print "perf-prof[ WHO]: MSG", detail and hint to stderr */
void err_print(const struct err *e, const char *who);

/* Allocation for start-up paths: exits with a message on OOM. */
void *xzalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * parse_u64 - strict unsigned integer (decimal or 0x hex), whole string.
 * Returns 0, or -1 when @s is empty, negative, not a number or overflows.
 */
int parse_u64(const char *s, u64 *out);

/**
 * parse_duration - "10" (ns), "10ns", "5us", "2ms", "1s", "1.5ms".
 * Units are case-insensitive; an unknown unit is an error (no silent
 * fallback to ns). Returns 0 or -1.
 */
int parse_duration(const char *s, u64 *ns);

/**
 * read_file - read a whole (small, e.g. tracefs/procfs) file into a
 * NUL-terminated malloc'ed buffer. Returns NULL with errno set.
 */
char *read_file(const char *path, size_t *len);

/**
 * proc_comm - the name of process @pid (@tid <= 0) or of its thread @tid,
 * from /proc, into @buf of @size bytes (16 hold any); "" when it is gone.
 * No allocation.
 */
void proc_comm(int pid, int tid, char *buf, size_t size);

/* Monotonic clock in ns (the clock perf samples are stamped with). */
u64 now_ns(void);

/* Format "YYYY-MM-DD HH:MM:SS.uuuuuu" of the current wall clock into buf. */
void wall_time_str(char *buf, size_t len);

#endif
