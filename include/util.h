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

/*
 * FNV-1a, 64 bits: the one hash of byte strings and of u64 sequences
 * (callchains). Start from FNV1A_INIT (or a seed mixed into it) and chain
 * calls to hash several pieces. Cheap and good enough for tables that mix
 * the result again (hashmap.h) or compare the whole key on a match.
 */
#define FNV1A_INIT 0xcbf29ce484222325ULL
#define FNV1A_PRIME 0x100000001b3ULL

static inline u64 fnv1a_bytes(u64 h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV1A_PRIME;
	return h;
}

/* fnv1a_str - the bytes of @s up to its NUL */
static inline u64 fnv1a_str(u64 h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV1A_PRIME;
	return h;
}

/* fnv1a_words - one step per u64 (a whole word xor'ed in, not its bytes) */
static inline u64 fnv1a_words(u64 h, const uint64_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ w[i]) * FNV1A_PRIME;
	return h;
}

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

/*
 * The reason of a message is at its end ("invalid expression '...': REASON")
 * and its subject at the start: err_set(), err_prefix() and err_hint() never
 * cut a text that does not fit at its end, they replace its middle by " ... ".
 */

/* err_set - record a failure; returns -1 so callers can `return err_set(...)` */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err_hint - attach the `hint:` line */
void err_hint(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_detail - append a line of context */
void err_detail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* err_prefix - put "PREFIX: " in front of the message (context from a caller) */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * err_caret - append the two-line caret diagnostic to @e->detail: @text
 * indented by two spaces (control bytes shown as '?'), and a '^' under byte
 * @col. A long @text is shown as a window around @col, so both lines always
 * fit.
 */
void err_caret(struct err *e, const char *text, int col);
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

/* str_ends_with - @s ends with @suffix */
bool str_ends_with(const char *s, const char *suffix);

/**
 * str_elide - @s for a message: copied whole into @buf (@size bytes) when it
 * is at most @max bytes long, else its start and end around " ... ". Returns
 * @buf.
 */
char *str_elide(char *buf, size_t size, const char *s, size_t max);

/**
 * utf8_len - the length (1-4) of the valid UTF-8 character at @s, which has
 * @n bytes left, or 0 when it is no valid character (a stray continuation
 * byte, a truncated or overlong sequence, a surrogate, past U+10FFFF). The
 * one UTF-8 check of the tree (JSON, text columns).
 */
size_t utf8_len(const unsigned char *s, size_t n);

/**
 * text_escape - the bytes @s[0..@len) (stopping early at NUL) as one word of
 * a text column: backslash escapes for '\\', tab, newline and carriage
 * return, \xHH for every other control byte, DEL and byte of invalid UTF-8,
 * and, with @words, for space too (so that a name never adds a column).
 * Valid UTF-8 is kept. Writes at most @size - 1 bytes and a NUL into @buf
 * (stopping before an escape that would not fit); returns @buf.
 */
char *text_escape(char *buf, size_t size, const char *s, size_t len, bool words);

/* TEXT_NAME_MAX - a text_escape() buffer that holds a name of 32 bytes escaped */
#define TEXT_NAME_MAX 132

/**
 * text_name - a name (a comm, an alias) for a text column: @s itself when
 * nothing in it needs escaping (the common case, no copy), else its
 * text_escape(..., true) in @buf.
 */
const char *text_name(const char *s, char *buf, size_t size);

/**
 * text_fput - write @s[0..@len) (stopping early at NUL) to @out, escaped as
 * text_escape() does but keeping spaces: free text (an event's fields) that
 * stays on one line and prints no raw control byte.
 */
void text_fput(FILE *out, const char *s, size_t len);

/**
 * str_distance - edit distance (insertions, deletions, substitutions and
 * transpositions of neighbours) between @a and @b; INT_MAX when either is
 * longer than 255 bytes
 */
int str_distance(const char *a, const char *b);

/**
 * str_suggest - "did you mean": the one of @cands (@n of them, or up to a
 * NULL entry when @n is -1) closest to @word, when it is close enough to be
 * a typo (one edit for words of up to 4 bytes, two up to 8, three beyond),
 * else NULL. Ties go to the first candidate.
 */
const char *str_suggest(const char *word, const char *const *cands, int n);
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
