// SPDX-License-Identifier: GPL-2.0
/*
 * syms-dso.c - one mapped file (DSO): its identity on disk, and, parsed
 * once on first use, its PT_LOAD segments, function symbols (.symtab, else
 * .dynsym, plus synthesized name@plt stubs), separate debuginfo (build-id
 * directory, then .gnu_debuglink with its CRC), and on request its DWARF
 * line table, inlined scopes and call frame information.
 *
 * The ELF images stay mapped for the life of the DSO (file descriptors are
 * closed right after mapping), so symbol and file names point straight into
 * them and are never copied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <libiberty/demangle.h>

#include "elfutil.h"
#include "internal.h"

/* --- identity ------------------------------------------------------------ */

static void dso_id__from_stat(struct dso_id *id, const struct stat *st)
{
	*id = (struct dso_id){
		.dev = st->st_dev, .ino = st->st_ino, .size = (u64)st->st_size,
		.mtime_sec = (u64)st->st_mtim.tv_sec, .mtime_nsec = (u64)st->st_mtim.tv_nsec,
	};
}

/*
 * Files without an identity on disk (gone, or never stat'ed) are found by
 * path and whether they were replaced: the key is the DSO itself.
 */
static u64 dso_path_hash(u64 key, void *ctx)
{
	const struct dso *d = (const struct dso *)(uintptr_t)key;

	return hashmap__hash_u64(fnv1a_str(FNV1A_INIT, d->path) ^ d->gone);
}

static bool dso_path_equal(u64 a, u64 b, void *ctx)
{
	const struct dso *x = (const struct dso *)(uintptr_t)a;
	const struct dso *y = (const struct dso *)(uintptr_t)b;

	return x->gone == y->gone && !strcmp(x->path, y->path);
}

static const struct hashmap_ops dso_path_ops = { dso_path_hash, dso_path_equal, NULL };

void dso__tables_init(struct syms *s)
{
	s->dso_ids = hashmap__new_keys(sizeof(struct dso_id), sizeof(struct dso *), 0);
	s->dso_paths = hashmap__new_ops(0, 0, &dso_path_ops);
}

static const char *strip_deleted(const char *path, char *buf, size_t len)
{
	static const char suffix[] = " (deleted)";
	size_t n = strlen(path), sl = sizeof(suffix) - 1;

	if (n <= sl || strcmp(path + n - sl, suffix) || n - sl >= len)
		return path;
	memcpy(buf, path, n - sl);
	buf[n - sl] = '\0';
	return buf;
}

/*
 * The file at @path is not the one mapped when the mapping record names
 * another inode on the same device (replaced since), or it is gone. While
 * the process lives, /proc/PID/map_files still reaches the mapped inode.
 */
static bool stat_is_stale(const struct stat *st, const struct syms_file_id *id)
{
	if (!id || !id->ino)
		return false;
	if (major(st->st_dev) != id->maj || minor(st->st_dev) != id->min)
		return false;	/* overlayfs & co report other devices: trust the path */
	return st->st_ino != id->ino;
}

static int open_map_files(int pid, u64 start, u64 end, struct stat *st)
{
	char buf[96];
	int fd;

	if (pid <= 0 || !end)
		return -1;
	snprintf(buf, sizeof(buf), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)start, (unsigned long long)end);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st)) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct dso *dso__alloc(struct syms *s, const char *path)
{
	struct dso *d = xzalloc(sizeof(*d));

	d->path = xstrdup(path);
	d->fd = -1;
	d->next = s->dsos;
	s->dsos = d;
	s->nr_dsos++;
	return d;
}

/**
 * dso__new_file - the DSO for @path as mapped by @pid at @m (may be NULL):
 * an already known one when the file on disk is the same, else a new,
 * not yet parsed one. Never NULL.
 */
struct dso *dso__new_file(struct syms *s, const char *path, const struct syms_file_id *id,
			  int pid, const struct map *m)
{
	char buf[4096];
	struct stat st;
	struct dso *d, **dp, key = { 0 };
	struct dso_id id_key;
	bool ok, gone = false;
	int fd = -1;

	path = strip_deleted(path, buf, sizeof(buf));
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (!ok || stat_is_stale(&st, id) || path == buf) {
		gone = ok;
		fd = m ? open_map_files(pid, m->start, m->end, &st) : -1;
		if (fd >= 0)
			gone = false;
		ok = fd >= 0;
	}
	key.path = (char *)path;
	key.gone = gone;
	if (ok) {
		dso_id__from_stat(&id_key, &st);
		dp = hashmap__kfind(s->dso_ids, &id_key);
		d = dp ? *dp : NULL;
	} else {
		void *v = hashmap__find(s->dso_paths, (u64)(uintptr_t)&key);

		d = v ? (struct dso *)(uintptr_t)hashmap__key(v) : NULL;
	}
	if (d) {
		if (fd >= 0)
			close(fd);
		return d;
	}
	d = dso__alloc(s, path);
	d->fd = fd;
	/* replaced on disk and the mapper is gone: the path would lie */
	d->gone = gone;
	d->loaded = gone;
	d->load_failed = gone;
	if (ok) {
		d->dev = st.st_dev;
		d->ino = st.st_ino;
		d->size = st.st_size;
		d->mtime = st.st_mtim;
		dp = hashmap__kget(s->dso_ids, &id_key);
		if (dp)
			*dp = d;
	} else {
		hashmap__get(s->dso_paths, (u64)(uintptr_t)d);
	}
	if (id && id->build_id_size && id->build_id_size <= sizeof(d->build_id)) {
		memcpy(d->build_id, id->build_id, id->build_id_size);
		d->build_id_size = id->build_id_size;
	}
	if (m)
		d->exec_pgoff = m->pgoff;
	return d;
}

/* dso__vdso - the [vdso] image, copied from our own process (same kernel). */
struct dso *dso__vdso(struct syms *s)
{
	const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	struct dso *d;
	size_t size;

	if (s->vdso)
		return s->vdso;
	d = dso__alloc(s, "[vdso]");
	d->vdso = true;
	s->vdso = d;
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return d;
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	if (size < sizeof(*eh) || size > (1 << 20))
		return d;
	d->image = xzalloc(size);
	memcpy(d->image, eh, size);
	d->size = (off_t)size;
	return d;
}

void dso__delete(struct dso *d)
{
	if (d->cfi_eh)
		dwarf_cfi_end(d->cfi_eh);
	if (d->dw)
		dwarf_end(d->dw);
	elf__close(d->dbg_elf);
	/* the vdso's image is the DSO's own copy, not a map of elf__open() */
	if (d->vdso && d->elf)
		elf_end(d->elf);
	else
		elf__close(d->elf);
	if (d->fd >= 0)
		close(d->fd);
	free(d->image);
	free(d->segs);
	free(d->syms);
	free(d->dbg_path);
	free(d->path);
	free(d);
}

/* --- ELF helpers --------------------------------------------------------- */

static bool elf__has_dwarf(Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf__section(elf, ".debug_info", &sh);

	return scn && sh.sh_type != SHT_NOBITS;
}

static bool elf__has_symtab(Elf *elf)
{
	GElf_Shdr sh;

	return elf__section_type(elf, SHT_SYMTAB, &sh) != NULL;
}

/*
 * Debuginfo files keep the program headers but not the file layout
 * (offsets and file sizes of NOBITS contents are meaningless). The
 * executable mapping tells where the text segment starts in the real file:
 * at its page offset, plus the segment's offset within the page.
 */
static void dso__guess_exec_offset(struct dso *d)
{
	bool done = false;

	for (int i = 0; i < d->nr_segs; i++) {
		struct dso_seg *g = &d->segs[i];

		g->filesz = 0;
		if (g->exec && !done) {
			g->offset = d->exec_pgoff + (g->vaddr & 0xfff);
			g->filesz = g->memsz;
			done = true;
		}
	}
}

static int dso__read_segments(struct dso *d)
{
	size_t phnum, i;

	if (elf_getphdrnum(d->elf, &phnum))
		return -1;
	d->segs = xzalloc((phnum + 1) * sizeof(*d->segs));
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(d->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		d->segs[d->nr_segs++] = (struct dso_seg){
			.offset = ph.p_offset, .vaddr = ph.p_vaddr,
			.filesz = ph.p_filesz, .memsz = ph.p_memsz,
			.exec = ph.p_flags & PF_X,
		};
	}
	if (d->debug_only)
		dso__guess_exec_offset(d);
	return 0;
}

bool dso__off_to_vaddr(const struct dso *d, u64 off, u64 *vaddr)
{
	for (int i = 0; i < d->nr_segs; i++) {
		const struct dso_seg *g = &d->segs[i];

		if (off >= g->offset && off < g->offset + g->filesz) {
			*vaddr = off - g->offset + g->vaddr;
			return true;
		}
	}
	return false;
}

bool dso__vaddr_to_off(const struct dso *d, u64 vaddr, u64 *off)
{
	for (int i = 0; i < d->nr_segs; i++) {
		const struct dso_seg *g = &d->segs[i];

		if (vaddr >= g->vaddr && vaddr < g->vaddr + g->filesz) {
			*off = vaddr - g->vaddr + g->offset;
			return true;
		}
	}
	return false;
}

/* --- separate debuginfo -------------------------------------------------- */

/* dso__take_debug - @dbg (found at @path, which is freed) is @d's debuginfo */
static bool dso__take_debug(struct dso *d, Elf *dbg, char *path)
{
	if (!dbg)
		return false;
	d->dbg_elf = dbg;
	free(d->dbg_path);
	d->dbg_path = path;
	return true;
}

static bool dso__debug_by_build_id(const struct syms *s, struct dso *d)
{
	char *path = NULL;
	Elf *dbg = debuginfo__by_build_id(s->debug_dir, d->build_id, d->build_id_size, &path);

	return dso__take_debug(d, dbg, path);
}

/*
 * When the mapping record named a build-id and the file on disk has
 * another, the file was replaced since: it must not be used. Otherwise
 * the file's build-id is what debuginfo is looked up by.
 */
static bool dso__build_id_differs(struct dso *d)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(d->elf, &id);

	if (d->build_id_size)
		return n != d->build_id_size || memcmp(id, d->build_id, (size_t)n);
	if (n > 0 && (size_t)n <= sizeof(d->build_id)) {
		memcpy(d->build_id, id, (size_t)n);
		d->build_id_size = (u8)n;
	}
	return false;
}

static void dso__find_debug(const struct syms *s, struct dso *d)
{
	char *path = NULL;
	Elf *dbg;

	if (elf__has_dwarf(d->elf) && elf__has_symtab(d->elf))
		return;
	dbg = debuginfo__find(d->elf, d->path, s->debug_dir, d->build_id, d->build_id_size, &path);
	dso__take_debug(d, dbg, path);
}

/* --- symbols ------------------------------------------------------------- */

struct sym_vec {
	struct dso_sym *v;
	size_t nr, cap;
	u8 *rank;		/* parallel: lower ranks win among aliases */
};

static void sym_vec__push(struct sym_vec *sv, u64 addr, u64 size, const char *name, u8 rank)
{
	if (sv->nr == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 256;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
		sv->rank = xrealloc(sv->rank, sv->cap);
	}
	sv->v[sv->nr] = (struct dso_sym){
		.addr = addr, .size = size > UINT32_MAX ? UINT32_MAX : (u32)size, .name = name,
	};
	sv->rank[sv->nr++] = rank;
}

/* Among aliases, prefer global over weak over local, then fewer leading '_'. */
static u8 sym_rank(const GElf_Sym *sym, const char *name)
{
	u8 bind = GELF_ST_BIND(sym->st_info);
	u8 r = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
	u8 us = 0;

	while (name[us] == '_' && us < 3)
		us++;
	return (u8)(r * 4 + us);
}

/* the function symbols of a table, through the shared scanner */
static int dso__symtab_sym(void *ctx, const struct elf_sym *s)
{
	int type = GELF_ST_TYPE(s->sym.st_info);

	if ((type == STT_FUNC || type == STT_GNU_IFUNC) && s->sym.st_value)
		sym_vec__push(ctx, s->sym.st_value, s->sym.st_size, s->name,
			      sym_rank(&s->sym, s->name));
	return 0;
}

/*
 * x86-64 PLT stubs have no symbols: entry i of .plt.sec (IBT), or entry
 * i + 1 of .plt, jumps through the GOT slot of relocation i of .rela.plt.
 */
static void dso__read_plt(struct syms *s, struct sym_vec *sv, Elf *elf)
{
	GElf_Shdr rsh, psh, dsh;
	Elf_Scn *rscn, *pscn, *dscn;
	Elf_Data *rdata, *ddata;
	GElf_Ehdr eh;
	u64 base, n;

	if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64)
		return;
	rscn = elf__section(elf, ".rela.plt", &rsh);
	if (!rscn || rsh.sh_type != SHT_RELA || !rsh.sh_entsize)
		return;
	pscn = elf__section(elf, ".plt.sec", &psh);
	if (pscn) {
		base = psh.sh_addr;
	} else {
		/* entry 0 of a lazy-binding .plt is the resolver trampoline */
		pscn = elf__section(elf, ".plt", &psh);
		if (!pscn)
			return;
		base = psh.sh_addr + 16;
	}
	dscn = elf_getscn(elf, rsh.sh_link);
	if (!dscn || !gelf_getshdr(dscn, &dsh) || psh.sh_type == SHT_NOBITS)
		return;
	rdata = elf_getdata(rscn, NULL);
	ddata = elf_getdata(dscn, NULL);
	if (!rdata || !ddata)
		return;
	n = rsh.sh_size / rsh.sh_entsize;
	for (u64 i = 0; i < n && base + (i + 1) * 16 <= psh.sh_addr + psh.sh_size; i++) {
		GElf_Rela rela;
		GElf_Sym sym;
		const char *name;
		char *plt;

		if (!gelf_getrela(rdata, (int)i, &rela) || !GELF_R_SYM(rela.r_info))
			continue;
		if (!gelf_getsym(ddata, (int)GELF_R_SYM(rela.r_info), &sym))
			continue;
		name = elf_strptr(elf, dsh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		plt = arena__alloc(&s->arena, strlen(name) + sizeof("@plt"));
		strcpy(plt, name);
		strcat(plt, "@plt");
		sym_vec__push(sv, base + i * 16, 16, plt, 0);
	}
}

static int dso_sym_cmp(const void *a, const void *b)
{
	const struct dso_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* the rank was stashed in ->demangled while sorting */
	return (int)x->demangled - (int)y->demangled;
}

static void dso__finish_syms(struct dso *d, struct sym_vec *sv)
{
	size_t out = 0;

	for (size_t i = 0; i < sv->nr; i++)
		sv->v[i].demangled = sv->rank[i];
	if (sv->nr)
		qsort(sv->v, sv->nr, sizeof(*sv->v), dso_sym_cmp);
	for (size_t i = 0; i < sv->nr; i++) {
		struct dso_sym *sym = &sv->v[i];

		if (out && sv->v[out - 1].addr == sym->addr) {
			if (sym->size > sv->v[out - 1].size)
				sv->v[out - 1].size = sym->size;
			continue;
		}
		sym->demangled = 0;
		sv->v[out++] = *sym;
	}
	free(sv->rank);
	d->syms = sv->v;
	d->nr_syms = out;
}

static void dso__read_syms(struct syms *s, struct dso *d)
{
	struct sym_vec sv = { 0 };
	GElf_Shdr sh;
	Elf_Scn *scn = NULL;
	Elf *elf = d->elf;

	if (d->dbg_elf && elf__has_symtab(d->dbg_elf))
		elf = d->dbg_elf;
	scn = elf__section_type(elf, SHT_SYMTAB, &sh);
	if (!scn) {
		elf = d->elf;
		scn = elf__section_type(elf, SHT_SYMTAB, &sh);
	}
	if (!scn)
		scn = elf__section_type(elf, SHT_DYNSYM, &sh);
	if (scn)
		elf__scan_syms(elf, scn, dso__symtab_sym, &sv);
	dso__read_plt(s, &sv, d->elf);
	dso__finish_syms(d, &sv);
}

/**
 * dso__load - parse @d once: segments, debuginfo, symbols.
 * Returns 0, or -1 when the file cannot be read as ELF (then every lookup
 * in it reports the DSO without a symbol).
 */
int dso__load(struct syms *s, struct dso *d)
{
	if (d->loaded)
		return d->load_failed ? -1 : 0;
	d->loaded = true;
	d->load_failed = true;
	if (d->vdso)
		d->elf = d->image ? elf_memory(d->image, (size_t)d->size) : NULL;
	else if (d->fd >= 0)
		d->elf = elf__open_fd(dup(d->fd));
	else
		d->elf = elf__open(d->path);
	if (d->fd >= 0) {
		close(d->fd);
		d->fd = -1;
	}
	if (!d->elf)
		return -1;
	if (!d->vdso && dso__build_id_differs(d)) {
		/* only debuginfo with the mapped build-id still describes it */
		elf__close(d->elf);
		d->elf = NULL;
		if (!dso__debug_by_build_id(s, d))
			return -1;
		d->elf = d->dbg_elf;
		d->dbg_elf = NULL;
		d->debug_only = true;
	}
	if (dso__read_segments(d))
		return -1;
	if (!d->vdso && !d->debug_only)
		dso__find_debug(s, d);
	dso__read_syms(s, d);
	/*
	 * Reading the tables touched every page of them, most of which no
	 * sample will need: the names kept are faulted in again when used.
	 * Without this, profiling a whole machine holds the symbol tables of
	 * every binary it sampled.
	 */
	if (!d->vdso) {
		elf__drop_pages(d->elf);
		elf__drop_pages(d->dbg_elf);
	}
	d->load_failed = false;
	return 0;
}

const char *syms__demangle(struct syms *s, const char *name)
{
	char *dm;
	const char *out;

	if ((s->flags & SYMS_NO_DEMANGLE) || name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return name;
	/*
	 * Legacy Rust names are valid C++ manglings with a hash suffix: ask
	 * the Rust demangler first. (cplus_demangle() would do the same but
	 * drags libiberty's xmalloc.o in, which clashes with lib/util.c.)
	 */
	dm = rust_demangle(name, DMGL_PARAMS | DMGL_ANSI);
	if (!dm)
		dm = cplus_demangle_v3(name, DMGL_PARAMS | DMGL_ANSI);
	if (!dm)
		return name;
	out = arena__strdup(&s->arena, dm);
	free(dm);
	return out;
}

/*
 * What a symbol is shown as: without the symbol version a .symtab may
 * carry ("__libc_start_main@@GLIBC_2.34"), demangled. Our own "@plt"
 * suffix stays.
 */
static const char *display_name(struct syms *s, const char *name)
{
	const char *at = strchr(name, '@');

	if (at && at != name && strcmp(at, "@plt")) {
		size_t n = (size_t)(at - name);
		char *base = arena__alloc(&s->arena, n + 1);

		memcpy(base, name, n);
		base[n] = '\0';
		name = base;
	}
	return syms__demangle(s, name);
}

/* dso__find_sym - the function symbol covering @vaddr, demangled, or NULL */
const struct dso_sym *dso__find_sym(struct syms *s, struct dso *d, u64 vaddr)
{
	size_t lo = 0, hi = d->nr_syms;
	struct dso_sym *sym;
	u64 end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	sym = &d->syms[lo - 1];
	if (sym->size)
		end = sym->addr + sym->size;
	else
		end = lo < d->nr_syms ? d->syms[lo].addr : UINT64_MAX;
	if (vaddr >= end)
		return NULL;
	if (!sym->demangled) {
		sym->name = display_name(s, sym->name);
		sym->demangled = 1;
	}
	return sym;
}

/* --- DWARF: lines and inlined frames ------------------------------------- */

static Dwarf *dso__dwarf(struct dso *d)
{
	Elf *elf = NULL;

	if (d->dw_tried)
		return d->dw;
	d->dw_tried = true;
	if (d->dbg_elf && elf__has_dwarf(d->dbg_elf))
		elf = d->dbg_elf;
	else if (d->elf && elf__has_dwarf(d->elf))
		elf = d->elf;
	if (elf)
		d->dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	return d->dw;
}

static const char *relative_to(const char *file, const char *dir)
{
	size_t n;

	if (!file || !dir)
		return file;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n && !strncmp(file, dir, n) && file[n] == '/')
		return file + n + 1;
	return file;
}

static const char *die_attr_string(Dwarf_Die *die, unsigned int name)
{
	Dwarf_Attribute attr;

	return dwarf_formstring(dwarf_attr_integrate(die, name, &attr));
}

static const char *die_func_name(struct syms *s, Dwarf_Die *die)
{
	const char *name = die_attr_string(die, DW_AT_linkage_name);

	if (!name)
		name = die_attr_string(die, DW_AT_MIPS_linkage_name);
	if (name)
		return syms__demangle(s, name);
	name = die_attr_string(die, DW_AT_name);
	return name ? name : "[unknown]";
}

static void die_call_site(Dwarf_Die *cu, Dwarf_Die *die, const char *comp_dir,
			  const char **file, int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx = 0, ln = 0;
	Dwarf_Files *files;
	size_t nfiles;

	*file = NULL;
	*line = 0;
	if (!dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &ln))
		*line = (int)ln;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &idx))
		return;
	if (dwarf_getsrcfiles(cu, &files, &nfiles) || idx >= nfiles)
		return;
	*file = relative_to(dwarf_filesrc(files, idx, NULL, NULL), comp_dir);
}

/*
 * Scopes come innermost first. Each inlined_subroutine's position is the
 * one inherited from the scope inside it (the pc's line for the innermost);
 * its call site becomes the position in the next scope out.
 */
static void dso__inlines(struct syms *s, Dwarf_Die *cu, u64 vaddr, const char *comp_dir,
			 struct addr_entry *e)
{
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, vaddr, &scopes), k = 0;
	const char *file = e->file;
	int line = e->line;

	for (int i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram)
			break;
		if (tag == DW_TAG_inlined_subroutine)
			k++;
	}
	if (k) {
		e->inlined = arena__alloc(&s->arena, (size_t)k * sizeof(*e->inlined));
		for (int i = 0, j = 0; i < n && j < k; i++) {
			if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
				continue;
			e->inlined[j].name = die_func_name(s, &scopes[i]);
			e->inlined[j].file = file;
			e->inlined[j].line = line;
			j++;
			die_call_site(cu, &scopes[i], comp_dir, &file, &line);
		}
		e->nr_inline = k;
		e->file = file;
		e->line = line;
	}
	free(scopes);
}

/* dso__srcline - fill @e's file:line (and inlined frames) for @vaddr */
void dso__srcline(struct syms *s, struct dso *d, u64 vaddr, struct addr_entry *e)
{
	Dwarf *dw = dso__dwarf(d);
	const char *comp_dir;
	Dwarf_Die cu;
	Dwarf_Line *ln;
	int line = 0;

	if (!dw || !dwarf_addrdie(dw, vaddr, &cu))
		return;
	comp_dir = die_attr_string(&cu, DW_AT_comp_dir);
	ln = dwarf_getsrc_die(&cu, vaddr);
	if (ln) {
		e->file = relative_to(dwarf_linesrc(ln, NULL, NULL), comp_dir);
		if (!dwarf_lineno(ln, &line))
			e->line = line;
	}
	if (s->flags & SYMS_INLINE)
		dso__inlines(s, &cu, vaddr, comp_dir, e);
}

/* --- call frame information ---------------------------------------------- */

/**
 * dso__cfi - the call frame information of @d: .eh_frame of the mapped
 * file, or with @debug_frame its .debug_frame (from the DWARF file).
 * Opened once per DSO; NULL when absent.
 */
Dwarf_CFI *dso__cfi(struct dso *d, bool debug_frame)
{
	if (!d->cfi_tried) {
		d->cfi_tried = true;
		/* a debuginfo file has .eh_frame as NOBITS */
		if (d->elf && !d->debug_only)
			d->cfi_eh = dwarf_getcfi_elf(d->elf);
	}
	/*
	 * .debug_frame only when .eh_frame did not answer: opening the DWARF
	 * of a debuginfo file inflates every compressed section of it (about
	 * 100 ms for libc6-dbg's), which a pc with .eh_frame never needs
	 */
	if (debug_frame && !d->cfi_dbg_tried) {
		Dwarf *dw = dso__dwarf(d);

		d->cfi_dbg_tried = true;
		if (dw)
			d->cfi_dbg = dwarf_getcfi(dw);
	}
	return debug_frame ? d->cfi_dbg : d->cfi_eh;
}
