/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syms.h - user-space (and kernel) address -> symbol resolution.
 *
 * A struct syms follows the processes of a run: the pipeline feeds it the
 * PERF_RECORD_MMAP2 / COMM(exec) / FORK / EXIT records as they are read, and
 * it reads /proc/PID/maps for processes that existed before the run, so a
 * process that exec'ed or exited still resolves. Each mapped file (a DSO)
 * is parsed once (libelf symbol tables, separate debuginfo by build-id or
 * .gnu_debuglink, PLT stubs) and cached under its identity on disk
 * (dev, inode, size, mtime), so a file replaced on disk is read again.
 * Resolved addresses are cached per (DSO, file offset), independent of the
 * pid: the second lookup of an address is a hash probe and never allocates.
 * Source lines and inlined frames (libdw) cost only when asked for.
 *
 * Kernel addresses (>= 0xffff800000000000) go to the kernel symbol table
 * given with syms__set_ksyms().
 *
 * Not thread-safe: one struct syms belongs to the thread reading events.
 */
#ifndef PERF_PROF_SYMS_H
#define PERF_PROF_SYMS_H

#include <stdio.h>

#include "util.h"

struct syms;

/* Flags for syms__new() */
enum {
	SYMS_SRCLINE	= 1 << 0,	/* fill file:line (opens DWARF per DSO) */
	SYMS_INLINE	= 1 << 1,	/* fill inlined frames (implies SRCLINE) */
	SYMS_NO_DEMANGLE = 1 << 2,	/* keep C++/Rust names mangled */
	SYMS_NO_JIT	= 1 << 3,	/* never read /tmp/perf-PID.map */
	SYMS_NO_PROC	= 1 << 4,	/* never read /proc/PID/maps by itself */
};

/**
 * struct sym_inline - one inlined function at an address.
 * @name: the inlined function
 * @file: source file of the position inside @name (may be NULL)
 * @line: line of that position (0 when unknown)
 */
struct sym_inline {
	const char *name;
	const char *file;
	int line;
};

/**
 * struct sym_frame - what an address resolved to.
 * @name:    ELF symbol containing the address (demangled), NULL when unknown
 * @off:     address minus the symbol's start
 * @dso:     path of the mapped file, "[kernel.kallsyms]", a kernel module's
 *           name, "[vdso]", "[jit]" or "//anon"; NULL when the address is
 *           in no known mapping
 * @dso_off: file offset of the address in @dso (kernel: the address)
 * @file:    source file of the position inside @name (SYMS_SRCLINE), shown
 *           relative to the compilation directory when it lies below it
 * @line:    its line, 0 when unknown
 * @nr_inline: number of @inlined entries (SYMS_INLINE)
 * @inlined: functions inlined at the address, innermost first, each with
 *           the position inside it. When there are inlined frames, @file and
 *           @line are the call site inside @name, as `addr2line -i` prints.
 *
 * All strings stay valid until syms__delete().
 */
struct sym_frame {
	const char *name;
	u64 off;
	const char *dso;
	u64 dso_off;
	const char *file;
	int line;
	int nr_inline;
	const struct sym_inline *inlined;
};

/**
 * struct syms_file_id - what a PERF_RECORD_MMAP2 says about the file.
 * @maj: device major (0 when unknown)
 * @min: device minor
 * @ino: inode (0 when unknown, e.g. PERF_RECORD_MMAP)
 * @build_id: build-id when the record carries one
 *            (PERF_RECORD_MISC_MMAP_BUILD_ID), then @maj/@min/@ino are 0
 * @build_id_size: its length, 0 when absent
 */
struct syms_file_id {
	u32 maj;
	u32 min;
	u64 ino;
	u8 build_id[20];
	u8 build_id_size;
};

/**
 * syms__new - an empty process/DSO registry.
 * @flags: SYMS_* options
 * Never fails (allocation failure exits, as at any start-up path).
 */
struct syms *syms__new(unsigned int flags);

struct ksyms;
/* syms__set_ksyms - the kernel symbol table for kernel addresses (the caller's) */
void syms__set_ksyms(struct syms *s, struct ksyms *ks);

/* syms__delete - free everything; every returned string becomes invalid */
void syms__delete(struct syms *s);

/**
 * syms__set_debug_dir - where separate debuginfo lives (default
 * /usr/lib/debug): DIR/.build-id/xx/yyyy.debug by build-id, and
 * DIR/<file's directory>/<debuglink name>. Affects files parsed later.
 */
void syms__set_debug_dir(struct syms *s, const char *dir);

/**
 * syms__proc_maps - read /proc/@pid/maps now, replacing what is known of
 * @pid. Call it at start for processes that already run (or let
 * syms__resolve() do it the first time it meets an unknown pid).
 * Returns 0, or -errno when the process is gone.
 */
int syms__proc_maps(struct syms *s, int pid);

/**
 * syms__mmap - a PERF_RECORD_MMAP2 (or MMAP) record: @pid mapped
 * [@start, @start + @len) of @filename at file offset @pgoff with PROT_*
 * @prot. Overlapped parts of older mappings are removed; only executable
 * mappings are kept. @id may be NULL. The file is stat'ed (not parsed)
 * here, so it is bound to the inode on disk at mapping time.
 * Returns 0 or -errno (the mapping is then unknown, not fatal).
 */
int syms__mmap(struct syms *s, int pid, u64 start, u64 len, u64 pgoff,
	       u32 prot, const struct syms_file_id *id, const char *filename);

/**
 * syms__clock - the time of the side-band record applied next (0: not known). With it,
 * records read out of order (one CPU's ring after another) are applied as if in order:
 * a FORK older than the process's own exec, MMAP or EXIT records already applied does
 * not replace them, and an exec keeps the new image's mappings already read.
 */
void syms__clock(struct syms *s, u64 time);

/**
 * syms__fork - a PERF_RECORD_FORK that created a process: @pid starts with
 * a copy of @ppid's mappings. A new thread (@pid == @ppid) is a no-op.
 * Pass process ids (the record's pid/ppid), not thread ids.
 */
void syms__fork(struct syms *s, int ppid, int pid);

/**
 * syms__exec - a PERF_RECORD_COMM with PERF_RECORD_MISC_COMM_EXEC: @pid's
 * mappings are dropped; the new image's MMAP2 records follow.
 */
void syms__exec(struct syms *s, int pid);

/**
 * syms__exit - a PERF_RECORD_EXIT of the process (pid == tid). Its
 * mappings are kept for late lookups until the pid is reused or more
 * than 4096 dead processes are kept (oldest dropped first); a pinned
 * image (syms__pin) stays resolvable through its pin after that.
 */
void syms__exit(struct syms *s, int pid);

/**
 * syms__resolve - resolve @addr of process @pid (tgid).
 * @out: always filled; ->name is NULL when no symbol covers @addr
 *
 * The first lookup of an address parses the DSO if needed; later lookups
 * of the same DSO and offset, in any process, are served from the cache
 * without allocating. For a return address taken from a callchain, pass
 * addr - 1 to get the line of the call rather than the next line.
 * Returns 0 when a symbol was found, -ENOENT otherwise.
 */
int syms__resolve(struct syms *s, int pid, u64 addr, struct sym_frame *out);

/**
 * syms__pin - keep what is known now of process @pid (its mappings)
 * resolvable through the returned handle, whatever happens to the process
 * later (exit, exec, its pid reused, eviction of old dead processes),
 * until syms__unpin(). Pins count: each needs its unpin. For report-time
 * symbolization of addresses taken earlier (the stack map).
 * Returns the handle (> 0), or 0 when @pid is unknown (e.g. pid 0).
 */
u32 syms__pin(struct syms *s, int pid);

/* syms__unpin - drop one pin of @pin (0 is ignored) */
void syms__unpin(struct syms *s, u32 pin);

/*
 * syms__proc_gen - the handle syms__pin(@pid) would return now, without
 * pinning: equal handles mean the same process image
 */
u32 syms__proc_gen(struct syms *s, int pid);

/**
 * syms__resolve_pinned - syms__resolve() in the process image of @pin;
 * kernel addresses resolve whatever @pin is.
 */
int syms__resolve_pinned(struct syms *s, u32 pin, u64 addr, struct sym_frame *out);

/**
 * syms__resolve_file - resolve @addr in the ELF file @path, outside any
 * process: @addr is a virtual address of the file when a PT_LOAD segment
 * covers it, else a file offset. Same caching and output as
 * syms__resolve(). Returns 0, -ENOENT when no symbol covers @addr, or
 * -EBADF with @err set when the file cannot be opened or read as ELF.
 */
int syms__resolve_file(struct syms *s, const char *path, u64 addr,
		       struct sym_frame *out, struct err *err);

/* sym_frame__name - @f->name, or "[unknown]" */
const char *sym_frame__name(const struct sym_frame *f);

/**
 * struct syms_stats - counters, for SIGUSR1 reports and benchmarks.
 * @dsos: files parsed (or tried)
 * @procs: processes known (alive and kept dead)
 * @lookups: syms__resolve*() calls
 * @cache_hits: lookups answered from the address cache
 */
struct syms_stats {
	u64 dsos;
	u64 procs;
	u64 lookups;
	u64 cache_hits;
};

void syms__stats(const struct syms *s, struct syms_stats *st);

/**
 * symbols_cli - `perf-prof --symbols FILE [ADDR...]`: print one line per
 * address (from @argv, else one per line on stdin):
 *   0x1139 level3+0x9 (tests/workload/callchain.c:23)
 * Inlined functions come first, each followed by " inlined into ":
 *   0x1151 inner (tests/workload/inline.c:19) inlined into outer+0x8 (tests/workload/inline.c:25)
 * Unknown addresses print "0xADDR [unknown]". Addresses are hex, with or
 * without 0x. @argv[0] is the option itself, @argv[1] the file.
 * Returns the exit code: 0, EXIT_USAGE, or EXIT_FAIL.
 */
int symbols_cli(int argc, char **argv);

/* symbols_cli_stream - symbols_cli() reading/writing the given streams */
int symbols_cli_stream(int argc, char **argv, FILE *in, FILE *out, FILE *errf);

#endif
