/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - what lib/syms/syms.c (processes, maps, address cache),
 * lib/syms/dso.c (ELF/DWARF files) and lib/syms/unwind.c (CFI) share. Not a
 * public interface: everything else goes through include/syms.h.
 */
#ifndef PERF_PROF_SYMS_INTERNAL_H
#define PERF_PROF_SYMS_INTERNAL_H

#include <sys/types.h>
#include <time.h>

#include <elfutils/libdw.h>
#include <gelf.h>

#include "hashmap.h"
#include "syms.h"

/*
 * arena - a bump allocator whose blocks never move, so strings handed out
 * in struct sym_frame stay valid until syms__delete().
 */
struct arena_block;
struct arena {
	struct arena_block *head;
	size_t used;
	size_t cap;
};

void *arena__alloc(struct arena *a, size_t size);
char *arena__strdup(struct arena *a, const char *s);
void arena__free(struct arena *a);

/* One PT_LOAD segment: file offset <-> virtual address. */
struct dso_seg {
	u64 offset;
	u64 vaddr;
	u64 filesz;
	u64 memsz;
	bool exec;
};

/* One function symbol; @name is demangled in place on first use. */
struct dso_sym {
	u64 addr;
	u32 size;
	u32 demangled;	/* @name no longer needs demangling */
	const char *name;
};

/* A file's identity on disk: the key of the DSO table. */
struct dso_id {
	u64 dev;
	u64 ino;
	u64 size;
	u64 mtime_sec;
	u64 mtime_nsec;
};

/*
 * dso - one file as it was on disk when mapped. Identity is
 * (dev, ino, size, mtime); the build-id, when known, is checked against
 * separate debuginfo.
 */
struct dso {
	struct dso *next;		/* syms->dsos list */
	char *path;			/* shown to the user */
	int fd;				/* open early for /proc/PID/map_files, else -1 */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool vdso;
	bool gone;			/* replaced on disk, mapped inode unreachable */
	u8 build_id[20];
	u8 build_id_size;

	bool loaded;			/* dso__load() ran (even if it failed) */
	bool load_failed;
	Elf *elf;			/* the mapped file: segments, PLT, .eh_frame */
	bool debug_only;		/* @elf is debuginfo found by build-id */
	u64 exec_pgoff;			/* file offset of the first executable mapping */
	int elf_fd;
	void *image;			/* vdso: private copy of the image */
	Elf *dbg_elf;			/* separate debuginfo, or NULL */
	int dbg_fd;
	char *dbg_path;

	struct dso_seg *segs;
	int nr_segs;
	struct dso_sym *syms;
	size_t nr_syms;
	char *strs;			/* symbol name pool */

	Dwarf *dw;			/* DWARF for lines/inlines, lazily */
	bool dw_tried;
	Dwarf_CFI *cfi_eh;		/* .eh_frame of @elf, lazily */
	Dwarf_CFI *cfi_dbg;		/* .debug_frame, owned by @dw */
	bool cfi_tried;			/* .eh_frame looked for */
	bool cfi_dbg_tried;		/* .debug_frame looked for */
};

/* One executable mapping of a process. @dso is NULL for anonymous ones. */
struct map {
	u64 start;
	u64 end;
	u64 pgoff;
	struct dso *dso;
	u64 time;			/* its MMAP record's time (0: /proc, or not known) */
};

struct jit_sym {
	u64 start;
	u64 end;
	const char *name;	/* in the arena: outlives reloads */
	u64 seq;		/* line order in the file */
};

struct proc {
	struct proc *dprev, *dnext;	/* dead list, oldest first */
	int pid;
	u32 gen;			/* unique per entry: the pin handle */
	u32 pins;			/* syms__pin() holds */
	bool dead;
	bool retired;			/* replaced or evicted, kept for its pins */
	u64 born;			/* time of the record that made it (0: not known) */
	u64 died;			/* time of its EXIT record (0: not known) */
	struct map *maps;
	int nr_maps;
	int cap_maps;
	/* /tmp/perf-PID.map */
	struct jit_sym *jit;
	size_t nr_jit;
	size_t cap_jit;
	u64 jit_seq;
	bool jit_tried;
	off_t jit_size;
	struct timespec jit_mtime;
	u64 jit_checked_ns;
};

/* The key of the address cache: a file offset in a DSO. */
struct addr_key {
	struct dso *dso;
	u64 off;
};

/* A cached resolution of an addr_key. */
struct addr_entry {
	const char *name;
	u64 symoff;
	const char *file;
	int line;
	int nr_inline;
	struct sym_inline *inlined;
};

struct syms {
	unsigned int flags;
	struct ksyms *ksyms;		/* kernel addresses (the run's; may be NULL) */
	char *debug_dir;		/* root of separate debuginfo */
	struct arena arena;

	struct hashmap *procs;		/* pid -> struct proc * */
	struct hashmap *pinned;		/* gen -> struct proc *, pinned ones (live or retired) */
	u32 last_gen;
	struct proc *dead_head, *dead_tail;
	size_t nr_dead;
	size_t max_dead;

	struct dso *dsos;		/* every DSO, newest first (to free them) */
	size_t nr_dsos;
	struct dso *vdso;
	struct hashmap *dso_ids;	/* struct dso_id -> struct dso *, files with an inode */
	struct hashmap *dso_paths;	/* struct dso * (path, gone) -> itself, the others */

	struct hashmap *cache;		/* struct addr_key -> struct addr_entry */

	u64 lookups;
	u64 cache_hits;
	u64 now;			/* time of the record being applied (syms__clock) */
};

/* syms.c */
struct proc *syms__proc(struct syms *s, int pid);
const struct map *proc__find_map(const struct proc *p, u64 addr);

/* syms-dso.c */
struct map;
struct dso *dso__new_file(struct syms *s, const char *path, const struct syms_file_id *id,
			  int pid, const struct map *m);
struct dso *dso__vdso(struct syms *s);
void dso__tables_init(struct syms *s);
void dso__delete(struct dso *d);
int dso__load(struct syms *s, struct dso *d);
bool dso__off_to_vaddr(const struct dso *d, u64 off, u64 *vaddr);
bool dso__vaddr_to_off(const struct dso *d, u64 vaddr, u64 *off);
const struct dso_sym *dso__find_sym(struct syms *s, struct dso *d, u64 vaddr);
void dso__srcline(struct syms *s, struct dso *d, u64 vaddr, struct addr_entry *e);
const char *syms__demangle(struct syms *s, const char *name);
Dwarf_CFI *dso__cfi(struct dso *d, bool debug_frame);

#endif
