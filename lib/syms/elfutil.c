// SPDX-License-Identifier: GPL-2.0
/*
 * elfutil.c - section lookups, the symbol table scanner, function lookup
 * by name and the separate-debuginfo finder (see elfutil.h). Build-ids and
 * debuglinks are read with libdw's dwelf helpers, CRCs with zlib.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <zlib.h>

#include "elfutil.h"

Elf_Scn *elf__section(Elf *elf, const char *name, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, out))
			continue;
		n = elf_strptr(elf, shstrndx, out->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

Elf_Scn *elf__section_type(Elf *elf, Elf64_Word type, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, out) && out->sh_type == type)
			return scn;
	return NULL;
}

/*
 * The map is made here, not by libelf (ELF_C_READ_MMAP), so that it is
 * known to be a private map of the file: libelf falls back to a heap copy
 * when its mmap fails, and dropping a heap copy's pages would lose them.
 * elf_memory() works on the image in place and may write to its headers
 * (libdw decompressing a debug section clears its flag): the map is
 * writable, copy-on-write, and only pages that nothing writes are dropped.
 */
Elf *elf__open_fd(int fd)
{
	struct stat st;
	void *p;
	Elf *elf;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < EI_NIDENT) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	elf_version(EV_CURRENT);
	elf = elf_memory(p, (size_t)st.st_size);
	if (elf && elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		elf = NULL;
	}
	if (!elf)
		munmap(p, (size_t)st.st_size);
	return elf;
}

void elf__close(Elf *elf)
{
	size_t n = 0;
	char *p;

	if (!elf)
		return;
	p = elf_rawfile(elf, &n);
	elf_end(elf);
	if (p && n)
		munmap(p, n);
}

/*
 * Pages of the image that the process only read are the file's: they can be
 * dropped and are read again from the page cache when touched. A page that
 * libelf or libdw wrote to (a header, a section decompressed in place) is
 * the process's own copy and must stay: /proc/self/pagemap tells them
 * apart (bit 61, a file page; bit 63, present).
 */
#define PM_PRESENT (1ULL << 63)
#define PM_FILE (1ULL << 61)
#define PM_BATCH 512			/* pagemap entries read at a time */

void elf__drop_pages(Elf *elf)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), base, end, at, run = 0;
	u64 pm[PM_BATCH];
	size_t n = 0;
	char *p = elf ? elf_rawfile(elf, &n) : NULL;
	int fd;

	if (!p || !n)
		return;
	base = (uintptr_t)p & ~(pg - 1);
	end = ((uintptr_t)p + n + pg - 1) & ~(pg - 1);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (at = base; at < end;) {
		size_t want = (end - at) / pg > PM_BATCH ? PM_BATCH : (end - at) / pg;
		ssize_t r = pread(fd, pm, want * sizeof(u64), (off_t)(at / pg * sizeof(u64)));

		if (r <= 0)
			break;
		for (size_t i = 0; i < (size_t)r / sizeof(u64); i++, at += pg) {
			bool drop = (pm[i] & (PM_PRESENT | PM_FILE)) == (PM_PRESENT | PM_FILE);

			if (drop && !run)
				run = at;
			if (!drop && run) {
				madvise((void *)run, at - run, MADV_DONTNEED);
				run = 0;
			}
		}
	}
	/* up to the last page read (all of them, unless pagemap failed) */
	if (run)
		madvise((void *)run, at - run, MADV_DONTNEED);
	close(fd);
}

Elf *elf__open(const char *path)
{
	/*
	 * O_NONBLOCK, then regular files only: a FIFO or a device named by a
	 * probe or by a hostile debuglink must not block or be read
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	return elf__open_fd(fd);
}

/* --- symbols ------------------------------------------------------------- */

int elf__scan_syms(Elf *elf, Elf_Scn *scn, int (*fn)(void *ctx, const struct elf_sym *s),
		   void *ctx)
{
	Elf_Data *data = elf_getdata(scn, NULL), *versym = NULL;
	GElf_Shdr sh, vsh;
	Elf_Scn *vscn;
	size_t n;

	if (!data || !gelf_getshdr(scn, &sh) || !sh.sh_entsize)
		return 0;
	/* what the data holds, not what a (hostile) header claims */
	if (sh.sh_type == SHT_DYNSYM) {
		vscn = elf__section_type(elf, SHT_GNU_versym, &vsh);
		versym = vscn ? elf_getdata(vscn, NULL) : NULL;
	}
	n = data->d_size / sh.sh_entsize;
	for (size_t i = 1; i < n; i++) {
		struct elf_sym s = { .index = i };
		int r;

		if (!gelf_getsym(data, (int)i, &s.sym) || s.sym.st_shndx == SHN_UNDEF)
			continue;
		s.name = elf_strptr(elf, sh.sh_link, s.sym.st_name);
		if (!s.name || !*s.name)
			continue;
		if (versym && (i + 1) * sizeof(u16) <= versym->d_size)
			s.hidden = ((const u16 *)versym->d_buf)[i] & 0x8000;
		r = fn(ctx, &s);
		if (r)
			return r;
	}
	return 0;
}

struct find_func {
	const char *name;
	struct elf_func *best;
};

/* global beats weak beats local; the default version beats a hidden one */
static int func_rank(const struct elf_sym *s)
{
	int bind = GELF_ST_BIND(s->sym.st_info);
	int r = bind == STB_GLOBAL || bind == STB_GNU_UNIQUE ? 3 : bind == STB_WEAK ? 2 : 1;

	return r * 2 + !s->hidden;
}

static int find_func_sym(void *ctx, const struct elf_sym *s)
{
	struct find_func *ff = ctx;
	struct elf_func *best = ff->best;
	int type, rank;

	if (strcmp(s->name, ff->name))
		return 0;
	type = GELF_ST_TYPE(s->sym.st_info);
	if (type != STT_FUNC && type != STT_GNU_IFUNC) {
		best->non_func = true;
		return 0;
	}
	rank = func_rank(s);
	if (rank < best->rank || (rank == best->rank && s->sym.st_value == best->sym.st_value))
		return 0;
	if (rank == best->rank) {
		best->ambiguous = true;
		return 0;
	}
	best->rank = rank;
	best->sym = s->sym;
	best->ambiguous = false;
	return 0;
}

int elf__scan_tables(Elf *elf, int (*fn)(void *ctx, const struct elf_sym *s), void *ctx)
{
	Elf64_Word tables[] = { SHT_SYMTAB, SHT_DYNSYM };
	GElf_Shdr sh;

	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		Elf_Scn *scn = elf__section_type(elf, tables[i], &sh);
		int r = scn ? elf__scan_syms(elf, scn, fn, ctx) : 0;

		if (r)
			return r;
	}
	return 0;
}

void elf__find_func(Elf *elf, const char *name, struct elf_func *best)
{
	struct find_func ff = { name, best };

	elf__scan_tables(elf, find_func_sym, &ff);
}

/* --- separate debuginfo -------------------------------------------------- */

static bool build_id_is(Elf *elf, const u8 *id, size_t len)
{
	const void *got;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &got);

	return n > 0 && (size_t)n == len && !memcmp(got, id, len);
}

Elf *debuginfo__by_build_id(const char *debug_dir, const u8 *id, size_t len, char **found)
{
	char path[PATH_MAX];
	size_t n;
	Elf *elf;

	if (!len)
		return NULL;
	n = (size_t)snprintf(path, sizeof(path), "%s/.build-id/%02x/", debug_dir, id[0]);
	for (size_t i = 1; i < len && n + 8 < sizeof(path); i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "%02x", id[i]);
	snprintf(path + n, sizeof(path) - n, ".debug");
	elf = access(path, R_OK) ? NULL : elf__open(path);
	if (elf && !build_id_is(elf, id, len)) {
		elf__close(elf);
		elf = NULL;
	}
	if (elf)
		*found = xstrdup(path);
	return elf;
}

static bool file_crc_is(const char *path, u32 want)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uLong crc = crc32(0L, Z_NULL, 0);
	struct stat st;
	bool ok = false;
	void *p;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		goto out;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	/* zlib's crc32 takes a uInt length: feed large files in pieces */
	for (off_t done = 0; done < st.st_size;) {
		off_t n = st.st_size - done > (1 << 30) ? (1 << 30) : st.st_size - done;

		crc = crc32(crc, (const Bytef *)p + done, (uInt)n);
		done += n;
	}
	munmap(p, (size_t)st.st_size);
	ok = (u32)crc == want;
out:
	close(fd);
	return ok;
}

/* The places gdb looks: next to the file, in .debug/ there, under DEBUGDIR/<dir>. */
static Elf *debuginfo__by_link(Elf *elf, const char *path, const char *debug_dir, char **found)
{
	char dir[PATH_MAX], cand[2 * PATH_MAX + 16], *slash;
	struct stat self, st;
	const char *name;
	GElf_Word crc;
	bool have_self;

	name = dwelf_elf_gnu_debuglink(elf, &crc);
	if (!name || !*name || strchr(name, '/'))
		return NULL;
	if (!realpath(path, dir))
		snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	have_self = !stat(path, &self);
	for (int i = 0; i < 3; i++) {
		Elf *dbg;

		if (i == 0)
			snprintf(cand, sizeof(cand), "%s/%s", dir, name);
		else if (i == 1)
			snprintf(cand, sizeof(cand), "%s/.debug/%s", dir, name);
		else
			snprintf(cand, sizeof(cand), "%s%s/%s", debug_dir, dir, name);
		/* a debuglink naming the file itself would match its own CRC */
		if (stat(cand, &st) ||
		    (have_self && st.st_ino == self.st_ino && st.st_dev == self.st_dev))
			continue;
		if (!file_crc_is(cand, crc))
			continue;
		dbg = elf__open(cand);
		if (dbg) {
			*found = xstrdup(cand);
			return dbg;
		}
	}
	return NULL;
}

Elf *debuginfo__find(Elf *elf, const char *path, const char *debug_dir, const u8 *id,
		     size_t len, char **found)
{
	const void *own;
	ssize_t n;
	Elf *dbg;

	if (!id) {
		n = dwelf_elf_gnu_build_id(elf, &own);
		id = n > 0 ? own : NULL;
		len = n > 0 ? (size_t)n : 0;
	}
	dbg = debuginfo__by_build_id(debug_dir, id, len, found);
	return dbg ? dbg : debuginfo__by_link(elf, path, debug_dir, found);
}
