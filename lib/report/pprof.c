// SPDX-License-Identifier: GPL-2.0
/*
 * pprof.c - the pprof writer (see include/pprof.h). Tables of strings,
 * functions, mappings and locations grow as samples are added, each
 * deduplicated through a hashmap; pprof__close() lays them out as the
 * protobuf-c structs generated from lib/report/profile.proto, packs them
 * and writes them through zlib's gzip stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "hashmap.h"
#include "pprof.h"
#include "profile.pb-c.h"
#include "syms.h"

/* append @val to the array @v of @nr entries (@cap allocated), growing it */
#define VEC_PUSH(v, nr, cap, val)                                       \
	do {                                                            \
		if ((nr) == (cap)) {                                    \
			(cap) = (cap) ? (cap) * 2 : 64;                 \
			(v) = xrealloc((v), (cap) * sizeof(*(v)));      \
		}                                                       \
		(v)[(nr)++] = (val);                                    \
	} while (0)

struct pp_line {
	u64 func;	/* function id */
	s64 line;
};

struct pp_func {
	u64 name;	/* string indexes */
	u64 file;
};

struct pp_loc {
	u64 mapping;
	u64 addr;
	u32 first_line;	/* in lines[] */
	u32 nr_lines;
};

struct pp_sample {
	u32 first_loc;	/* in sample_locs[] */
	u32 nr_locs;
	u32 first_label;	/* in labels[] (string index pairs) */
	u32 nr_labels;
};

struct pprof {
	char *path;
	int fd;
	int nr_types;
	s64 *types;		/* string indexes: type, unit, type, unit, ... */

	char **strs;		/* the string table; strs[0] = "" */
	size_t nr_strs, cap_strs;
	struct hashmap *str_idx;	/* string (owned, in strs) -> u64 index */

	struct hashmap *func_idx;	/* (name << 32 | file) -> u64 id */
	struct pp_func *funcs;
	size_t nr_funcs, cap_funcs;

	struct hashmap *map_idx;	/* filename index -> u64 id */
	u64 *maps;		/* filename index per mapping */
	size_t nr_maps, cap_maps;

	struct hashmap *loc_idx;	/* frame key -> u64 id */
	struct pp_loc *locs;
	size_t nr_locs, cap_locs;
	struct pp_line *lines;
	size_t nr_lines, cap_lines;

	struct pp_sample *samples;
	size_t nr_samples, cap_samples;
	u64 *sample_locs;
	size_t nr_sample_locs, cap_sample_locs;
	s64 *values;		/* nr_types per sample */
	size_t nr_values, cap_values;
	s64 *labels;		/* key, str pairs */
	size_t nr_labels, cap_labels;
};

static u64 pp_str(struct pprof *p, const char *s)
{
	u64 *idx;
	char *own;

	if (!s || !*s)
		return 0;
	idx = hashmap__find(p->str_idx, (u64)(uintptr_t)s);
	if (idx)
		return *idx;
	own = xstrdup(s);
	VEC_PUSH(p->strs, p->nr_strs, p->cap_strs, own);
	idx = hashmap__get(p->str_idx, (u64)(uintptr_t)own);
	*idx = p->nr_strs - 1;
	return *idx;
}

static u64 pp_func(struct pprof *p, const char *name, const char *file)
{
	u64 n = pp_str(p, name ? name : "[unknown]"), f = pp_str(p, file), *id;
	bool created;

	id = hashmap__get_new(p->func_idx, n << 32 | f, &created);
	if (created) {
		struct pp_func fn = { n, f };

		VEC_PUSH(p->funcs, p->nr_funcs, p->cap_funcs, fn);
		*id = p->nr_funcs;	/* ids start at 1 */
	}
	return *id;
}

static u64 pp_mapping(struct pprof *p, const char *file)
{
	u64 f = pp_str(p, file), *id;
	bool created;

	id = hashmap__get_new(p->map_idx, f, &created);
	if (created) {
		VEC_PUSH(p->maps, p->nr_maps, p->cap_maps, f);
		*id = p->nr_maps;
	}
	return *id;
}

static void pp_line(struct pprof *p, const char *name, const char *file, int line)
{
	struct pp_line l = { pp_func(p, name, file), line };

	VEC_PUSH(p->lines, p->nr_lines, p->cap_lines, l);
}

/* the file a frame is in: its DSO, a kernel module, the kernel */
static const char *pp_dso(const struct pprof_frame *fr)
{
	if (fr->f && fr->f->dso)
		return fr->f->dso;
	return fr->kernel ? "[kernel.kallsyms]" : "[unknown]";
}

static u64 pp_location(struct pprof *p, const struct pprof_frame *fr)
{
	const struct sym_frame *f = fr->f;
	struct pp_loc loc = { .addr = fr->addr, .first_line = (u32)p->nr_lines };
	u64 *id;
	bool created;

	id = hashmap__kget_new(p->loc_idx, fr->key, &created);
	if (!created)
		return *id;
	loc.mapping = pp_mapping(p, pp_dso(fr));
	if (fr->found) {
		/* innermost inlined function first, the function holding them last */
		for (int i = 0; i < f->nr_inline; i++)
			pp_line(p, f->inlined[i].name, f->inlined[i].file, f->inlined[i].line);
		pp_line(p, f->name, f->file, f->line);
	} else {
		pp_line(p, "[unknown]", NULL, 0);
	}
	loc.nr_lines = (u32)(p->nr_lines - loc.first_line);
	VEC_PUSH(p->locs, p->nr_locs, p->cap_locs, loc);
	*id = p->nr_locs;
	return *id;
}

void pprof__add(struct pprof *p, const struct pprof_frame *frames, int nr, const s64 *values,
		const struct pprof_label *labels, int nr_labels)
{
	struct pp_sample s = {
		.first_loc = (u32)p->nr_sample_locs, .nr_locs = (u32)nr,
		.first_label = (u32)(p->nr_labels / 2), .nr_labels = (u32)nr_labels,
	};

	/*
	 * Mappings get their ids root first: the first mapping, which pprof
	 * shows as the profile's file, is then the program rather than libc.
	 */
	for (int i = nr - 1; i >= 0; i--)
		pp_mapping(p, pp_dso(&frames[i]));
	for (int i = 0; i < nr; i++) {
		u64 loc = pp_location(p, &frames[i]);

		VEC_PUSH(p->sample_locs, p->nr_sample_locs, p->cap_sample_locs, loc);
	}
	for (int i = 0; i < p->nr_types; i++)
		VEC_PUSH(p->values, p->nr_values, p->cap_values, values[i]);
	for (int i = 0; i < nr_labels; i++) {
		s64 k = (s64)pp_str(p, labels[i].key), v = (s64)pp_str(p, labels[i].str);

		VEC_PUSH(p->labels, p->nr_labels, p->cap_labels, k);
		VEC_PUSH(p->labels, p->nr_labels, p->cap_labels, v);
	}
	VEC_PUSH(p->samples, p->nr_samples, p->cap_samples, s);
}

u64 pprof__samples(const struct pprof *p)
{
	return p->nr_samples;
}

struct pprof *pprof__new(const char *path, const char *const (*types)[2], int nr_types,
			 struct err *err)
{
	struct pprof *p;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		err_set(err, EXIT_USAGE, "cannot create '%s': %s", path, strerror(errno));
		if (errno == ELOOP)
			err_hint(err, "the path is a symbolic link; name a regular file");
		return NULL;
	}
	p = xzalloc(sizeof(*p));
	p->fd = fd;
	p->path = xstrdup(path);
	p->str_idx = hashmap__new_ops(sizeof(u64), 0, &hashmap_str_ops);
	p->func_idx = hashmap__new(sizeof(u64), 0);
	p->map_idx = hashmap__new(sizeof(u64), 0);
	p->loc_idx = hashmap__new_keys(2 * sizeof(u64), sizeof(u64), 0);
	VEC_PUSH(p->strs, p->nr_strs, p->cap_strs, xstrdup(""));
	p->nr_types = nr_types;
	p->types = xzalloc((size_t)nr_types * 2 * sizeof(*p->types));
	for (int i = 0; i < nr_types; i++) {
		p->types[2 * i] = (s64)pp_str(p, types[i][0]);
		p->types[2 * i + 1] = (s64)pp_str(p, types[i][1]);
	}
	return p;
}

void pprof__delete(struct pprof *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	for (size_t i = 0; i < p->nr_strs; i++)
		free(p->strs[i]);
	hashmap__free(p->str_idx);
	hashmap__free(p->func_idx);
	hashmap__free(p->map_idx);
	hashmap__free(p->loc_idx);
	free(p->strs);
	free(p->funcs);
	free(p->maps);
	free(p->locs);
	free(p->lines);
	free(p->samples);
	free(p->sample_locs);
	free(p->values);
	free(p->labels);
	free(p->types);
	free(p->path);
	free(p);
}

/* the protobuf-c view of the tables: arrays of structs and of pointers to them */
struct pp_msg {
	Pprof__Profile prof;
	Pprof__ValueType *vt, **vtp;
	Pprof__Sample *smp, **smpp;
	Pprof__Label *lab, **labp;
	Pprof__Mapping *map, **mapp;
	Pprof__Location *loc, **locp;
	Pprof__Line *line, **linep;
	Pprof__Function *fn, **fnp;
};

#define PP_ARRAYS(m, field, ptrs, n)                                     \
	do {                                                             \
		(m)->field = xzalloc(((n) ? (n) : 1) * sizeof(*(m)->field)); \
		(m)->ptrs = xzalloc(((n) ? (n) : 1) * sizeof(*(m)->ptrs)); \
		for (size_t i__ = 0; i__ < (n); i__++)                   \
			(m)->ptrs[i__] = &(m)->field[i__];               \
	} while (0)

static void pp_msg_build(struct pprof *p, struct pp_msg *m, u64 duration_ns)
{
	static const Pprof__ValueType vt0 = PPROF__VALUE_TYPE__INIT;
	static const Pprof__Sample s0 = PPROF__SAMPLE__INIT;
	static const Pprof__Label l0 = PPROF__LABEL__INIT;
	static const Pprof__Mapping m0 = PPROF__MAPPING__INIT;
	static const Pprof__Location o0 = PPROF__LOCATION__INIT;
	static const Pprof__Line n0 = PPROF__LINE__INIT;
	static const Pprof__Function f0 = PPROF__FUNCTION__INIT;
	Pprof__Profile prof0 = PPROF__PROFILE__INIT;
	size_t nt = (size_t)p->nr_types, nl = p->nr_labels / 2;

	m->prof = prof0;
	PP_ARRAYS(m, vt, vtp, nt);
	for (size_t i = 0; i < nt; i++) {
		m->vt[i] = vt0;
		m->vt[i].type = p->types[2 * i];
		m->vt[i].unit = p->types[2 * i + 1];
	}
	PP_ARRAYS(m, lab, labp, nl);
	for (size_t i = 0; i < nl; i++) {
		m->lab[i] = l0;
		m->lab[i].key = p->labels[2 * i];
		m->lab[i].str = p->labels[2 * i + 1];
	}
	PP_ARRAYS(m, smp, smpp, p->nr_samples);
	for (size_t i = 0; i < p->nr_samples; i++) {
		const struct pp_sample *s = &p->samples[i];

		m->smp[i] = s0;
		m->smp[i].n_location_id = s->nr_locs;
		m->smp[i].location_id = p->sample_locs + s->first_loc;
		m->smp[i].n_value = nt;
		m->smp[i].value = p->values + i * nt;
		m->smp[i].n_label = s->nr_labels;
		m->smp[i].label = m->labp + s->first_label;
	}
	PP_ARRAYS(m, map, mapp, p->nr_maps);
	for (size_t i = 0; i < p->nr_maps; i++) {
		m->map[i] = m0;
		m->map[i].id = i + 1;
		m->map[i].filename = (s64)p->maps[i];
		m->map[i].has_functions = true;
		m->map[i].has_filenames = true;
		m->map[i].has_line_numbers = true;
		m->map[i].has_inline_frames = true;
	}
	PP_ARRAYS(m, line, linep, p->nr_lines);
	for (size_t i = 0; i < p->nr_lines; i++) {
		m->line[i] = n0;
		m->line[i].function_id = p->lines[i].func;
		m->line[i].line = p->lines[i].line;
	}
	PP_ARRAYS(m, loc, locp, p->nr_locs);
	for (size_t i = 0; i < p->nr_locs; i++) {
		m->loc[i] = o0;
		m->loc[i].id = i + 1;
		m->loc[i].mapping_id = p->locs[i].mapping;
		m->loc[i].address = p->locs[i].addr;
		m->loc[i].n_line = p->locs[i].nr_lines;
		m->loc[i].line = m->linep + p->locs[i].first_line;
	}
	PP_ARRAYS(m, fn, fnp, p->nr_funcs);
	for (size_t i = 0; i < p->nr_funcs; i++) {
		m->fn[i] = f0;
		m->fn[i].id = i + 1;
		m->fn[i].name = (s64)p->funcs[i].name;
		m->fn[i].system_name = (s64)p->funcs[i].name;
		m->fn[i].filename = (s64)p->funcs[i].file;
	}
	m->prof.n_sample_type = nt;
	m->prof.sample_type = m->vtp;
	m->prof.n_sample = p->nr_samples;
	m->prof.sample = m->smpp;
	m->prof.n_mapping = p->nr_maps;
	m->prof.mapping = m->mapp;
	m->prof.n_location = p->nr_locs;
	m->prof.location = m->locp;
	m->prof.n_function = p->nr_funcs;
	m->prof.function = m->fnp;
	m->prof.n_string_table = p->nr_strs;
	m->prof.string_table = p->strs;
	m->prof.time_nanos = (s64)time(NULL) * 1000000000LL;
	m->prof.duration_nanos = (s64)duration_ns;
	if (nt)
		m->prof.default_sample_type = p->types[2 * (nt - 1)];
}

static void pp_msg_free(struct pp_msg *m)
{
	free(m->vt);
	free(m->vtp);
	free(m->smp);
	free(m->smpp);
	free(m->lab);
	free(m->labp);
	free(m->map);
	free(m->mapp);
	free(m->loc);
	free(m->locp);
	free(m->line);
	free(m->linep);
	free(m->fn);
	free(m->fnp);
}

/* pp_write - @len bytes of @buf, gzip'd, to the file; the fd is closed */
static int pp_write(struct pprof *p, const u8 *buf, size_t len)
{
	gzFile gz = gzdopen(p->fd, "wb");
	int ok;

	if (!gz)
		return -1;
	p->fd = -1;	/* gzclose() closes it */
	ok = 1;
	/* gzwrite takes an unsigned length: feed large profiles in pieces */
	for (size_t done = 0; ok && done < len;) {
		unsigned n = len - done > (1u << 30) ? (1u << 30) : (unsigned)(len - done);

		ok = gzwrite(gz, buf + done, n) == (int)n;
		done += n;
	}
	if (gzclose(gz) != Z_OK)
		ok = 0;
	return ok ? 0 : -1;
}

int pprof__close(struct pprof *p, u64 duration_ns, struct err *err)
{
	struct pp_msg m = { 0 };
	size_t len;
	u8 *buf;
	int ret = 0;

	pp_msg_build(p, &m, duration_ns);
	len = pprof__profile__get_packed_size(&m.prof);
	buf = xzalloc(len ? len : 1);
	pprof__profile__pack(&m.prof, buf);
	errno = 0;
	if (pp_write(p, buf, len))
		ret = err_set(err, EXIT_FAIL, "cannot write '%s': %s", p->path,
			      errno ? strerror(errno) : "compression failed");
	free(buf);
	/* the string table belongs to the builder: the message only borrowed it */
	m.prof.string_table = NULL;
	pp_msg_free(&m);
	pprof__delete(p);
	return ret;
}
