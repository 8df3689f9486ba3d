// SPDX-License-Identifier: GPL-2.0
/*
 * rpc.c - lepd's wire format, without the sockets: where one request ends in
 * a byte stream that has no delimiter, what a request object may hold, and
 * the exact bytes of a reply (cJSON's formatted layout, so `nc` users and
 * LEP's viewer see what lepd printed). Pure functions: the fuzzer calls them.
 */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "json.h"

#define RPC_MAX_DEPTH 64

static bool rpc_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* a scalar (number, true, false, null) ends at whitespace or a structural char */
static bool rpc_scalar_end(char c)
{
	return rpc_space(c) || c == ',' || c == ']' || c == '}' || c == '{' || c == '[' ||
	       c == '"' || c == ':';
}

static bool rpc_scalar_start(char c)
{
	return c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

enum rpc_scan rpc__scan(const char *buf, size_t n, size_t *len)
{
	size_t i = 0;
	int depth = 0;
	bool in_str = false;

	while (i < n && rpc_space(buf[i]))
		i++;
	if (i == n)
		return RPC_NEED_MORE;
	if (rpc_scalar_start(buf[i])) {
		while (i < n && !rpc_scalar_end(buf[i]))
			i++;
		if (i == n)
			return RPC_NEED_MORE;
		*len = i;
		return RPC_VALUE;
	}
	if (buf[i] != '{' && buf[i] != '[' && buf[i] != '"')
		return RPC_GARBAGE;
	for (; i < n; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;	/* the escaped char, whatever it is */
			else if (c == '"')
				in_str = false;
			if (!in_str && depth == 0) {
				*len = i + 1;
				return RPC_VALUE;
			}
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			break;
		case '{':
		case '[':
			if (++depth > RPC_MAX_DEPTH)
				return RPC_GARBAGE;
			break;
		case '}':
		case ']':
			if (--depth < 0)
				return RPC_GARBAGE;
			if (depth == 0) {
				*len = i + 1;
				return RPC_VALUE;
			}
			break;
		default:
			break;
		}
	}
	return RPC_NEED_MORE;
}

int rpc__parse(const char *buf, size_t len, struct rpc_req *req, const char **why)
{
	cJSON *root, *method, *params, *id;

	memset(req, 0, sizeof(*req));
	root = cJSON_ParseWithLength(buf, len);
	if (!root) {
		*why = "Parse error.";
		return MERR_PARSE;
	}
	req->root = root;
	*why = "The JSON sent is not a valid Request object.";
	if (!cJSON_IsObject(root))
		return MERR_INVALID;
	/* lepd looks members up without regard to case; so does cJSON */
	method = cJSON_GetObjectItem(root, "method");
	params = cJSON_GetObjectItem(root, "params");
	id = cJSON_GetObjectItem(root, "id");
	if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id) && !cJSON_IsNull(id))
		return MERR_INVALID;
	req->id = id;
	if (!cJSON_IsString(method) || !method->valuestring)
		return MERR_INVALID;
	if (params && !cJSON_IsArray(params) && !cJSON_IsObject(params))
		return MERR_INVALID;
	req->method = method->valuestring;
	if (params)
		req->params = cJSON_DetachItemViaPointer(root, params);
	return 0;
}

void rpc__req_free(struct rpc_req *req)
{
	cJSON_Delete(req->params);
	cJSON_Delete(req->root);
	memset(req, 0, sizeof(*req));
}

void rpc__id_text(const cJSON *id, char *buf, size_t len)
{
	FILE *f;
	char *s = NULL;
	size_t n = 0;

	buf[0] = 0;
	if (!id)
		return;
	if (cJSON_IsNumber(id)) {
		double v = id->valuedouble;

		if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
			snprintf(buf, len, "%.0f", v);
		else if (isfinite(v))
			snprintf(buf, len, "%.17g", v);
		else
			snprintf(buf, len, "null");
		return;
	}
	if (!cJSON_IsString(id)) {
		snprintf(buf, len, "null");
		return;
	}
	f = mstream__open(&s, &n);
	if (!f) {
		snprintf(buf, len, "null");
		return;
	}
	json_escape(f, id->valuestring, strlen(id->valuestring));
	fclose(f);
	/* an id longer than the buffer is not echoed truncated (it would be invalid) */
	snprintf(buf, len, "%s", n < len ? s : "null");
	free(s);
}

#define LEP_CHUNK 2048

/*
 * The reply as cJSON prints it: "{\n\t\"result\":\t\"...\"" [",\n\t\"id\":\t"ID] "\n}\n".
 * @pad spaces after the opening brace shift everything behind them (JSON
 * allows whitespace there) so LEP's chunked reader finds the terminator and
 * the end of the object in one read.
 */
static char *rpc_reply(const char *member, const char *text, size_t len, const char *id,
		       size_t *n, bool error, int code)
{
	char *buf = NULL, *out;
	size_t blen = 0, term, pad = 0;
	long end;
	FILE *f = mstream__open(&buf, &blen);

	if (!f)
		return NULL;
	fprintf(f, "{\n\t\"%s\":\t", member);
	if (error)
		fprintf(f, "{\n\t\t\"code\":\t%d,\n\t\t\"message\":\t", code);
	json_escape(f, text, len);
	/* the escaped string ends with the terminator and its closing quote */
	end = ftell(f);
	if (error)
		fputs("\n\t}", f);
	if (id && id[0])
		fprintf(f, ",\n\t\"id\":\t%s", id);
	fputs("\n}\n", f);
	if (fclose(f) || !buf) {
		free(buf);
		return NULL;
	}
	term = end > LEPD_END_LEN ? (size_t)end - 1 - LEPD_END_LEN : 0;
	if (term / LEP_CHUNK != (blen - 1) / LEP_CHUNK)
		pad = LEP_CHUNK - term % LEP_CHUNK;
	if (!pad) {
		*n = blen;
		return buf;
	}
	out = malloc(blen + pad);
	if (!out) {
		free(buf);
		return NULL;
	}
	out[0] = '{';
	memset(out + 1, ' ', pad);
	memcpy(out + 1 + pad, buf + 1, blen - 1);
	free(buf);
	*n = blen + pad;
	return out;
}

char *rpc__reply_result(char *text, size_t len, const char *id, size_t *n)
{
	/* the caller left room: no copy of a large result */
	memcpy(text + len, LEPD_END, LEPD_END_LEN);
	return rpc_reply("result", text, len + LEPD_END_LEN, id, n, false, 0);
}

char *rpc__reply_error(int code, const char *msg, const char *id, size_t *n)
{
	char text[512];
	int l = snprintf(text, sizeof(text), "%s" LEPD_END, msg);

	if (l < 0 || (size_t)l >= sizeof(text))
		l = snprintf(text, sizeof(text), "error" LEPD_END);
	return rpc_reply("error", text, (size_t)l, id, n, true, code);
}
