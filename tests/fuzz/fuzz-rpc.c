// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-rpc.c - libFuzzer harness for the daemon's request side of lepd's
 * wire format (daemon/rpc.c): the input is what a client sends on one
 * connection. It is framed the way daemon/tcp.c frames it (rpc__scan, at
 * most the daemon's request cap per value), every complete value decoded
 * (rpc__parse), and a reply built for it, result or error. The contract,
 * checked on every reply: it ends with "\n}\n", it is valid UTF-8 JSON text
 * made of the expected members, the terminator is in the reply, and it and
 * the end of the object fall in one 2048-byte chunk counted from the
 * reply's start (what LEP's client needs).
 */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

#define FUZZ_MAX_REQUEST 65536

static void contract(const char *what, bool ok)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

static void check_reply(char *reply, size_t n)
{
	const char *term, *end;
	cJSON *root;

	contract("a reply", reply && n > 4);
	contract("ends with \\n}\\n", !memcmp(reply + n - 3, "\n}\n", 3));
	term = memmem(reply, n, LEPD_END "\"", LEPD_END_LEN + 1);
	contract("has the terminator", term);
	end = reply + n - 1;
	contract("terminator and end in one 2048-byte chunk",
		 (size_t)(term - reply) / 2048 == (size_t)(end - reply) / 2048);
	root = cJSON_ParseWithLength(reply, n);
	contract("is JSON", root && cJSON_IsObject(root));
	contract("has result or error",
		 cJSON_IsString(cJSON_GetObjectItem(root, "result")) ||
			 cJSON_IsObject(cJSON_GetObjectItem(root, "error")));
	cJSON_Delete(root);
}

static void answer(struct rpc_req *req, int e, const char *why)
{
	char id[64], *reply, *text;
	size_t n = 0, len;

	rpc__id_text(e ? NULL : req->id, id, sizeof(id));
	if (e || !req->method[0]) {
		reply = rpc__reply_error(e ? e : MERR_NO_METHOD, e ? why : "Method not found.", id, &n);
	} else {
		/* echo the method name as the result: any bytes, any length */
		len = strlen(req->method);
		text = malloc(len + LEPD_END_LEN + 1);
		contract("memory", text);
		memcpy(text, req->method, len);
		reply = rpc__reply_result(text, len, id, &n);
		free(text);
	}
	check_reply(reply, n);
	free(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t used = 0;

	while (used < size) {
		struct rpc_req req;
		const char *why = NULL;
		size_t len = 0;
		int e;

		switch (rpc__scan(buf + used, size - used, &len)) {
		case RPC_NEED_MORE:
			return 0;
		case RPC_GARBAGE:
			answer(NULL, MERR_PARSE, "Parse error.");
			return 0;
		case RPC_VALUE:
			break;
		}
		contract("a value inside the input", len > 0 && len <= size - used);
		if (len > FUZZ_MAX_REQUEST)
			return 0;
		e = rpc__parse(buf + used, len, &req, &why);
		contract("a reason with every error", !e || why);
		answer(&req, e, why);
		rpc__req_free(&req);
		if (e == MERR_PARSE)
			return 0;
		used += len;
	}
	return 0;
}
