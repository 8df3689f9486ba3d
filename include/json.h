/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a minimal streaming JSON writer for the --json outputs: one
 * object per line, written straight into a FILE (stdout), no allocation.
 * The caller keeps track of commas with struct json.
 */
#ifndef PERF_PROF_JSON_H
#define PERF_PROF_JSON_H

#include "util.h"

/**
 * struct json - writer state for one line
 * @out:   where to write
 * @first: no member written yet at the current nesting level
 */
struct json {
	FILE *out;
	int depth;
	bool first[256];	/* nesting: a flame graph tree nests two a frame */
};

void json_begin(struct json *j, FILE *out);		/* "{" */
void json_end(struct json *j);				/* "}\n" */
void json_key(struct json *j, const char *key);		/* [","]"key": */
void json_obj_begin(struct json *j, const char *key);	/* key may be NULL in arrays */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_int(struct json *j, const char *key, s64 v);
void json_uint(struct json *j, const char *key, u64 v);
/* json_time - nanoseconds as seconds with 6 decimals: 12.000345 */
void json_time(struct json *j, const char *key, u64 ns);
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* json_str - a string value; @len bytes, stops early at NUL; escaped */
void json_strn(struct json *j, const char *key, const char *s, size_t len);
void json_str(struct json *j, const char *key, const char *s);

/*
 * json_escape - write @s (up to @len bytes or NUL) quoted and escaped, each
 * byte of invalid UTF-8 as U+FFFD
 */
void json_escape(FILE *out, const char *s, size_t len);

#endif
