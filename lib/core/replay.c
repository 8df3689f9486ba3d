// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - a run fed from a buffer of records instead of the kernel:
 * the same setup (prepare, events, init), decode, order and dispatch path
 * as a live run, for exact-output tests and fuzzers.
 *
 * Replay file: "PPREPLAY" magic, u32 nr_rings, then per ring u32 cpu, u32
 * pad, u64 length, and that many bytes of records. Samples carry the
 * IDENTIFIER of event i as i + 1. Under "PPREPLAY" records have the full
 * layout (samples with CPU and PERIOD, sample_id trailers with CPU); under
 * "PPREPLAC" the compact one live runs use (SAMPLE_BASE, no CPU anywhere).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evcore.h"
#include "expr.h"
#include "run-internal.h"

int run__replay_file(struct run *r, const char *path, struct err *err)
{
	size_t len;
	char *buf = read_file(path, &len);

	if (!buf)
		return err_set(err, EXIT_FAIL, "cannot read replay file '%s': %s", path,
			       strerror(errno));
	return run__replay_mem(r, buf, len, path, err);
}

static int replay_rings(struct run *r, const char *buf, size_t len, const char *path,
			struct err *err)
{
	const char *p = buf, *end = buf + len;
	u32 nr;

	if (len < 12 || (memcmp(p, "PPREPLAY", 8) && memcmp(p, "PPREPLAC", 8)))
		return err_set(err, EXIT_FAIL, "'%s' is not a replay file", path);
	memcpy(&nr, p + 8, 4);
	p += 12;
	if (!nr || nr > 1024)
		return err_set(err, EXIT_FAIL, "replay file '%s': bad ring count %u", path, nr);
	r->rings = xzalloc(nr * sizeof(*r->rings));
	for (u32 i = 0; i < nr; i++) {
		u32 cpu;
		u64 rlen;

		if (end - p < 16)
			return err_set(err, EXIT_FAIL, "replay file '%s' is truncated", path);
		memcpy(&cpu, p, 4);
		memcpy(&rlen, p + 8, 8);
		p += 16;
		if (rlen > (u64)(end - p))
			return err_set(err, EXIT_FAIL, "replay file '%s' is truncated", path);
		/* records are read as u64s: give each ring an aligned copy */
		r->replay_bufs = xrealloc(r->replay_bufs, (i + 1) * sizeof(*r->replay_bufs));
		r->replay_bufs[i] = xzalloc(rlen ? rlen : 1);
		memcpy(r->replay_bufs[i], p, rlen);
		ring__init_buffer(&r->rings[i], r->replay_bufs[i], rlen, (int)cpu);
		r->rings[i].idx = (int)i;
		p += rlen;
		r->nr_rings++;
	}
	if (buf[7] == 'C') {
		r->sample_base = SAMPLE_BASE;
		r->trailer_time = 16;
	} else {
		r->sample_base = SAMPLE_FULL;
		r->trailer_time = 24;
	}
	return 0;
}

int run__replay_mem(struct run *r, char *buf, size_t len, const char *path, struct err *err)
{
	int ret = -1;

	r->replaying = true;
	if (run__resolve(r, err) || replay_rings(r, buf, len, path, err))
		goto out;
	run__events_layouts(r);
	if (order__init(&r->order, r->rings, r->nr_rings)) {
		err_set(err, EXIT_FAIL, "out of memory");
		goto out;
	}
	/* no kernel to filter: every filter runs in user space */
	for (int i = 0; i < r->evs.n; i++) {
		struct evspec *ev = r->evs.v[i];

		if (ev->filter) {
			evcore(ev)->ufilter = expr_compile(ev->filter, ev->tp, err);
			if (!evcore(ev)->ufilter)
				goto out;
			expr_bind(evcore(ev)->ufilter, &r->env);
		}
	}
	r->started = true;
	r->draining = true;
	run__mark_hooked(r);
	run__pass(r);
	r->stop = true;
	ret = 0;
out:
	free(buf);
	/* whatever happened, report what was collected */
	if (ret) {
		struct err ignored = { 0 };

		run__finish(r, &ignored);
	} else if (run__finish(r, err)) {
		ret = -1;
	}
	return ret;
}
