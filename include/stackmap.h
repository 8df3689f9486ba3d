/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stackmap.h - the stack map: callchains interned into small ids, counted
 * and weighed per id, symbolized only at report time and written as text
 * frames, flame graphs (folded, SVG) or pprof profiles.
 *
 * A stack is (tag, process, frames): @tag is the caller's (an event index,
 * a label id such as the task's comm from stackmap__label()), the frames
 * the sample's callchain with its PERF_CONTEXT_* markers. A chain with a
 * user part belongs to its process image: the map pins the image in the
 * symbol engine (syms__pin()), so a process that exits, execs or whose pid
 * is reused before the report still symbolizes right. Kernel-only chains
 * are shared by every process.
 *
 * Cost: interning hashes the frames and, for a stack already known,
 * allocates nothing; counting is an array add. At a report every distinct
 * (address, process image) is resolved once, then cached for the next.
 *
 * Ids are stable while a stack lives. A stack is reclaimed only when it is
 * neither referenced (stackmap__ref) nor ever counted (stackmap__add):
 * kmemleak's stacks come and go with their objects; profilers that count
 * keep theirs for the whole run.
 */
#ifndef PERF_PROF_STACKMAP_H
#define PERF_PROF_STACKMAP_H

#include <stdio.h>

#include "util.h"

struct run_env;
struct stackmap;
struct flamegraph;

/**
 * stackmap__new - an empty map
 * @env:        the run whose symbols name the frames (kernel symbols, and
 *              user symbols when its events sample stacks); NULL: none
 * @max_stacks: bound on the stacks held at once (0: none); interning more
 *              reclaims unused stacks first, then fails (counted)
 * @aux_size:   bytes of caller data per stack (zeroed when it is created)
 */
struct stackmap *stackmap__new(const struct run_env *env, u32 max_stacks, size_t aux_size);

/* stackmap__delete - free the map and unpin what it pinned; NULL is ok */
void stackmap__delete(struct stackmap *m);

/**
 * stackmap__intern - the id of a stack, created when new
 * @tag:     the caller's part of the key
 * @pid:     the sample's process (for the user part)
 * @ips/@nr: the callchain, leaf first, with PERF_CONTEXT_* markers; nr 0
 *           is a valid, empty stack
 * @created: if not NULL, whether the stack is new
 *
 * Returns the id (>= 1), or 0 when the map is full (counted in
 * stackmap__drops()).
 */
u32 stackmap__intern(struct stackmap *m, u64 tag, int pid, const u64 *ips, u32 nr,
		     bool *created);

/* stackmap__ref / stackmap__unref - a reference holds a stack against reclaim */
void stackmap__ref(struct stackmap *m, u32 id);
void stackmap__unref(struct stackmap *m, u32 id);

/* stackmap__add - count @count occurrences weighing @weight (bytes, ns, ...) */
void stackmap__add(struct stackmap *m, u32 id, u64 count, u64 weight);

/* stackmap__interval_end - the interval's counts join the whole run's; new interval */
void stackmap__interval_end(struct stackmap *m);

/**
 * stackmap__values - @id's count and weight: of the current interval, or
 * (@whole) of the whole run including the current interval
 */
void stackmap__values(const struct stackmap *m, u32 id, bool whole, u64 *count, u64 *weight);

/* stackmap__gc - reclaim every stack neither referenced nor counted now */
void stackmap__gc(struct stackmap *m);

/* accessors of a live stack */
u64 stackmap__tag(const struct stackmap *m, u32 id);
int stackmap__pid(const struct stackmap *m, u32 id);	/* of its first sample */
const u64 *stackmap__ips(const struct stackmap *m, u32 id, u32 *nr);
void *stackmap__aux(const struct stackmap *m, u32 id);

/* stackmap__next - iteration over live stacks: @id from 0, returns the next id or 0 */
u32 stackmap__next(const struct stackmap *m, u32 id);
#define stackmap__for_each(m, id) for ((id) = stackmap__next((m), 0); (id); (id) = stackmap__next((m), (id)))

/* stackmap__nr - live stacks; stackmap__drops - interns refused; stackmap__reclaimed - stacks reclaimed */
u32 stackmap__nr(const struct stackmap *m);
u64 stackmap__drops(const struct stackmap *m);
u64 stackmap__reclaimed(const struct stackmap *m);

/* stackmap__mem_bytes - memory held (tables, frames, caches) */
size_t stackmap__mem_bytes(const struct stackmap *m);

/**
 * stackmap__label - a small id for the string @s (at most 255 bytes kept),
 * the same for equal strings: a tag that names the stack's root frame
 * (e.g. the task's comm). stackmap__label_str() gives the string back.
 */
u64 stackmap__label(struct stackmap *m, const char *s);
const char *stackmap__label_str(const struct stackmap *m, u64 label);

/* stackmap__print - @id's frames, one per line, as callchain__print() writes them */
void stackmap__print(struct stackmap *m, u32 id, FILE *out);

/* stackmap__names - @id's frame names root first, as callchain__names() gives them */
int stackmap__names(struct stackmap *m, u32 id, const char **names, int max);

struct sym_frame;
/**
 * stackmap__leaf - @id's first frame (the sampled address) resolved into
 * @f (zeroed when the stack is empty); 0 when a symbol names it, else
 * -ENOENT (@f->dso may still say where it is). Report time: cached per
 * address like every frame.
 */
int stackmap__leaf(struct stackmap *m, u32 id, struct sym_frame *f);

/**
 * struct stackmap_view - what the writers take from each stack
 * @root:   the first frame (a comm, an event), or NULL for none; the
 *          default (member NULL) is none
 * @values: the stack's values; returns false to leave the stack out. The
 *          default (member NULL) is stackmap__values(.., @whole, ..)
 * @whole:  with the default values: the whole run, else the interval
 * @by_weight: flame graphs size frames by the weight, else by the count
 * @root_label: pprof: the name of the label the root becomes ("comm")
 * @count_type, @count_unit: pprof's first sample type, e.g. "samples", "count"
 * @weight_type, @weight_unit: the second, e.g. "cpu", "nanoseconds"; NULL
 *          type: no weight column
 * @join:   optional, another stack of the map joined above @id (0: none),
 *          as bcc's offwaketime joins a waker to the blocked: after a "--"
 *          frame its frames leaf first, then its root (pprof: its root as
 *          the label @join_label)
 */
struct stackmap_view {
	const char *(*root)(void *ctx, const struct stackmap *m, u32 id);
	bool (*values)(void *ctx, const struct stackmap *m, u32 id, u64 *count, u64 *weight);
	void *ctx;
	bool whole;
	bool by_weight;
	const char *root_label;
	const char *count_type, *count_unit;
	const char *weight_type, *weight_unit;
	u32 (*join)(void *ctx, const struct stackmap *m, u32 id);
	const char *join_label;
};

/* stackmap_root_label - a view's root: the string of the stack's tag (a stackmap__label) */
const char *stackmap_root_label(void *ctx, const struct stackmap *m, u32 id);

/*
 * stackmap__flame - every stack with a non-zero value into @fg: its frames
 * root first, runs of unknown frames collapsed into one
 */
void stackmap__flame(struct stackmap *m, struct flamegraph *fg, const struct stackmap_view *v);

struct stackout;

/**
 * stackout__new - where stacks go: @path ending in ".pb.gz" or ".pprof" is
 * a gzip'd pprof profile (profile.proto) of the view's sample types;
 * anything else a flame graph (flamegraph__new(): ".svg", ".folded", or
 * FILE.folded), whose SVG tooltips name @v's unit. The file is created
 * now. Returns NULL with @err (EXIT_USAGE) when it cannot be.
 */
struct stackout *stackout__new(const char *path, const struct stackmap_view *v, struct err *err);

/* stackout__new_stream - folded stacks into @f, the caller's open stream ("-") */
struct stackout *stackout__new_stream(FILE *f, const struct stackmap_view *v);

/* stackout__path - the file written */
const char *stackout__path(const struct stackout *o);

/**
 * stackout__add - the stacks of @m as @v sees them; a @snapshot label
 * (a timestamp) puts them under one more root frame (pprof: a label),
 * NULL for none
 */
int stackout__add(struct stackout *o, struct stackmap *m, const struct stackmap_view *v,
		  const char *snapshot, struct err *err);

/* stackout__close - write everything, close and free @o; -1 with @err on a write error */
int stackout__close(struct stackout *o, struct err *err);

/* stackout__delete - free @o without writing more; NULL is ok */
void stackout__delete(struct stackout *o);

#endif
