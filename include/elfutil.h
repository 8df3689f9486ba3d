/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elfutil.h - the libelf work the symbol tables (lib/syms), the probe
 * resolver (lib/probe) and anything else share: opening a file, finding
 * sections, the one scanner of symbol tables, looking a function up by
 * name, and the one finder of separate debuginfo.
 */
#ifndef PERF_PROF_ELFUTIL_H
#define PERF_PROF_ELFUTIL_H

#include <gelf.h>

#include "util.h"

/* elf__section - the section called @name (header in @out), or NULL */
Elf_Scn *elf__section(Elf *elf, const char *name, GElf_Shdr *out);

/* elf__section_type - the first section of type @type (header in @out), or NULL */
Elf_Scn *elf__section_type(Elf *elf, Elf64_Word type, GElf_Shdr *out);

/**
 * elf__open - @path read through a private map of the file, made here
 * (the descriptor is closed at once; the map lives until elf__close()).
 * NULL when it is not an ELF file. elf__open_fd does the same with @fd,
 * which it closes whatever happens.
 */
Elf *elf__open(const char *path);
Elf *elf__open_fd(int fd);

/* elf__close - elf_end() and the map's release, for what elf__open*() gave */
void elf__close(Elf *elf);

/*
 * elf__drop_pages - the pages of the image that were only read out of the
 * process's resident set (for what elf__open*() gave only): they are the
 * file's, read again from the page cache when touched. After reading the
 * symbols, most of which no sample will need, so that memory holds what is
 * used, not what was read.
 */
void elf__drop_pages(Elf *elf);

/**
 * struct elf_sym - a defined symbol, as elf__scan_syms() hands them out
 * @sym:    the symbol (st_shndx != SHN_UNDEF)
 * @name:   its name (never NULL)
 * @index:  its index in the table
 * @hidden: a .dynsym symbol whose version is hidden (not the default one
 *          of its name, e.g. an old memcpy@GLIBC_2.2.5)
 */
struct elf_sym {
	GElf_Sym sym;
	const char *name;
	size_t index;
	bool hidden;
};

/**
 * elf__scan_syms - every defined, named symbol of the symbol table
 * section @scn (SHT_SYMTAB or SHT_DYNSYM, its versions read for the
 * latter), in table order, to @fn until it returns non-zero (returned)
 */
int elf__scan_syms(Elf *elf, Elf_Scn *scn, int (*fn)(void *ctx, const struct elf_sym *s),
		   void *ctx);

/* elf__scan_tables - elf__scan_syms() over the .symtab, then the .dynsym */
int elf__scan_tables(Elf *elf, int (*fn)(void *ctx, const struct elf_sym *s), void *ctx);

/**
 * struct elf_func - the best function symbol of a name (elf__find_func)
 * @sym:       it (meaningful when @rank > 0)
 * @rank:      0 when none was found; global beats weak beats local, the
 *             default version beats a hidden one
 * @ambiguous: another symbol of the same rank has another address
 * @non_func:  the name exists, but not as a function
 */
struct elf_func {
	GElf_Sym sym;
	int rank;
	bool ambiguous;
	bool non_func;
};

/**
 * elf__find_func - the function (STT_FUNC or STT_GNU_IFUNC) called @name
 * in the .symtab and the .dynsym of @elf, the best one by binding and
 * version, into @best (which may hold a result from another file already:
 * the better one stays)
 */
void elf__find_func(Elf *elf, const char *name, struct elf_func *best);

/**
 * debuginfo__by_build_id - the separate debuginfo of build-id @id (@len
 * bytes) under @debug_dir: DIR/.build-id/xx/rest.debug, accepted when its
 * own build-id is @id. Returns it opened (elf__open()) with its path in
 * @found (malloc'ed), or NULL.
 */
Elf *debuginfo__by_build_id(const char *debug_dir, const u8 *id, size_t len, char **found);

/**
 * debuginfo__find - the separate debuginfo of @elf, the file at @path: by
 * build-id (@id, @len: the one to look for, e.g. the mapping's; NULL:
 * @elf's own) under @debug_dir, then by the name in its .gnu_debuglink,
 * beside the file, in its .debug/ and under @debug_dir/<its directory>,
 * accepted when the CRC32 the link records matches (the file itself never
 * is). Returns it opened with its path in @found (malloc'ed), or NULL.
 */
Elf *debuginfo__find(Elf *elf, const char *path, const char *debug_dir, const u8 *id,
		     size_t len, char **found);

#endif
