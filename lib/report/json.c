// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - the streaming JSON writer behind every --json output: every line
 * it writes is valid JSON, whatever bytes the strings it is given hold.
 */
#include <math.h>
#include <string.h>

#include "json.h"

/*
 * json_escape - the one place a string becomes JSON: whatever the bytes (a
 * comm, an alias, a record's string, a whole /proc file), the value stays
 * valid JSON: quotes, backslashes and control characters are escaped, valid
 * UTF-8 is kept and every byte of invalid UTF-8 becomes U+FFFD. Runs of
 * bytes kept as they are go out in one write: the daemon's replies are
 * mostly such runs.
 */
void json_escape(FILE *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	putc('"', out);
	while (i < len && p[i]) {
		unsigned char c = p[i];
		size_t k;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_len(p + i, len - i);
			if (k) {
				i += k;
				continue;
			}
		}
		fwrite(p + run, 1, i - run, out);
		run = ++i;
		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (c >= 0x80) {
				fputs("\\ufffd", out);
			} else {
				fputs("\\u00", out);
				putc(hex[c >> 4], out);
				putc(hex[c & 15], out);
			}
		}
	}
	fwrite(p + run, 1, i - run, out);
	putc('"', out);
}

static void json_sep(struct json *j)
{
	if (!j->first[j->depth])
		putc(',', j->out);
	j->first[j->depth] = false;
}

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	if (key) {
		json_escape(j->out, key, strlen(key));
		putc(':', j->out);
	}
}

void json_begin(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	putc('{', out);
}

void json_end(struct json *j)
{
	fputs("}\n", j->out);
}

static void json_open(struct json *j, const char *key, int c)
{
	json_key(j, key);
	putc(c, j->out);
	if (j->depth + 1 < (int)ARRAY_SIZE(j->first))
		j->depth++;
	j->first[j->depth] = true;
}

void json_obj_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	putc('}', j->out);
	if (j->depth)
		j->depth--;
}

void json_arr_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	putc(']', j->out);
	if (j->depth)
		j->depth--;
}

void json_int(struct json *j, const char *key, s64 v)
{
	json_key(j, key);
	fprintf(j->out, "%lld", (long long)v);
}

void json_uint(struct json *j, const char *key, u64 v)
{
	json_key(j, key);
	fprintf(j->out, "%llu", (unsigned long long)v);
}

void json_time(struct json *j, const char *key, u64 ns)
{
	json_key(j, key);
	fprintf(j->out, "%llu.%06llu", (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL / 1000));
}

void json_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	if (isfinite(v))
		fprintf(j->out, "%.15g", v);
	else
		fputs("null", j->out);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->out);
}

void json_strn(struct json *j, const char *key, const char *s, size_t len)
{
	json_key(j, key);
	json_escape(j->out, s, len);
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_strn(j, key, s, strlen(s));
}
