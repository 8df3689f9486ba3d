/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprof.h - a pprof profile (profile.proto, gzip'd) built sample by sample
 * and written at the end: what `go tool pprof`, Pyroscope and speedscope
 * read. Locations, functions, mappings and strings are deduplicated as
 * samples come in; the encoding is protobuf-c's, the compression zlib's.
 * Report path only: it allocates freely (exits on OOM).
 */
#ifndef PERF_PROF_PPROF_H
#define PERF_PROF_PPROF_H

#include "util.h"

struct sym_frame;
struct pprof;

/**
 * struct pprof_frame - one resolved address of a sample
 * @key:    identity of the location (e.g. address and process image):
 *          frames with equal keys share one location
 * @addr:   the address shown
 * @f:      what it resolved to (dso, name, inlined functions, lines)
 * @found:  @f names a symbol; else the frame is "[unknown]"
 * @kernel: a kernel address (its mapping is the kernel or its module)
 */
struct pprof_frame {
	u64 key[2];
	u64 addr;
	const struct sym_frame *f;
	bool found;
	bool kernel;
};

/* struct pprof_label - a string label of a sample */
struct pprof_label {
	const char *key;
	const char *str;
};

/**
 * pprof__new - create @path now (O_CREAT|O_TRUNC|O_NOFOLLOW, 0644)
 * @types: @nr_types pairs of (type, unit), e.g. {"samples","count"},
 *         {"cpu","nanoseconds"}; every sample has one value per pair
 * Returns NULL with @err (EXIT_USAGE) when the file cannot be created.
 */
struct pprof *pprof__new(const char *path, const char *const (*types)[2], int nr_types,
			 struct err *err);

/**
 * pprof__add - one sample: @frames leaf first (@nr of them), @values (one
 * per type), @labels (@nr_labels, may be 0)
 */
void pprof__add(struct pprof *p, const struct pprof_frame *frames, int nr, const s64 *values,
		const struct pprof_label *labels, int nr_labels);

/* pprof__samples - samples added so far */
u64 pprof__samples(const struct pprof *p);

/**
 * pprof__close - encode, compress and write the profile (@duration_ns of
 * data), close the file and free @p. Returns 0, or -1 with @err
 * (EXIT_FAIL) on a write error (@p is freed either way).
 */
int pprof__close(struct pprof *p, u64 duration_ns, struct err *err);

/* pprof__delete - free @p without writing; NULL is ok */
void pprof__delete(struct pprof *p);

#endif
